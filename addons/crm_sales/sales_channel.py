# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields


class SalesChannel(DeactivableMixin, ModelSQL, ModelView):
    "The route through which a customer buys: the base of channel analysis"
    __name__ = 'crm.sales.channel'
    __string__ = "Sales Channel"
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code")
    kind = fields.Selection([
            ('direct', "Direct"),
            ('dealer', "Dealer"),
            ('representative', "Representative"),
            ('online', "Online"),
            ('retail', "Retail"),
            ], "Kind", required=True, sort=False,
        help="Analyses group channels by kind.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'crm_sales.msg_sales_channel_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_kind(cls):
        return 'direct'
