# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'
    activities = fields.One2Many(
        'crm.activity', 'origin', "Activities",
        domain=[
            ('party', '=', Eval('party', -1)),
            ('company', '=', Eval('company', -1)),
            ])
