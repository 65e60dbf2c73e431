# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    serviceable = fields.Boolean(
        "Serviceable",
        states={
            'invisible': Eval('type') == 'service',
            },
        help="A unit sold becomes installed equipment of the customer, "
        "followed by the service.")
    warranty_months = fields.Integer(
        "Warranty (months)",
        domain=['OR',
            ('warranty_months', '=', None),
            ('warranty_months', '>=', 0),
            ],
        states={
            'invisible': ~Eval('serviceable', False),
            },
        help="The length of the warranty from the installation.")

    @classmethod
    def default_serviceable(cls):
        return False


class Product(metaclass=PoolMeta):
    "Set up again so that the variants show the new fields of the template"
    __name__ = 'product.product'
