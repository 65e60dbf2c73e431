# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered, tree)


class Category(
        DeactivableMixin, tree(separator=' / '), sequence_ordered(),
        ModelSQL, ModelView):
    "What a service request or an article is about (repair, installation…)"
    __name__ = 'crm.service.category'
    __string__ = "Service Category"

    name = fields.Char("Name", required=True, translate=True)
    parent = fields.Many2One(
        'crm.service.category', "Parent", ondelete='RESTRICT')
    childs = fields.One2Many('crm.service.category', 'parent', "Children")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(1, ('name', 'ASC'))
