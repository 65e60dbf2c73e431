# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'
    salesperson = fields.Many2One(
        'company.employee', "Salesperson",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state').in_(['processing', 'done', 'cancelled']),
            },
        help="The employee credited with the revenue of the sale.\n"
        "By default the opportunity's employee, "
        "else the customer's account manager.")

    @classmethod
    def attributed_salesperson(cls, party, origin):
        """Return the salesperson of a sale for party from origin:
        the rule every revenue attribution relies on (S5)"""
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        if isinstance(origin, Opportunity) and origin.employee:
            return origin.employee
        if party and party.account_manager:
            return party.account_manager

    @fields.depends('origin', 'party')
    def on_change_party(self):
        super().on_change_party()
        self.salesperson = self.attributed_salesperson(
            self.party, self.origin)

    @classmethod
    def preprocess_values(cls, mode, values):
        "Apply the salesperson rule to sales created without the client"
        pool = Pool()
        Party = pool.get('party.party')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and 'salesperson' not in values
                and values.get('party') is not None):
            origin = cls.origin.sql_format(values.get('origin'))
            if origin:
                model, id_ = origin.split(',')
                origin = pool.get(model)(int(id_))
            salesperson = cls.attributed_salesperson(
                Party(values['party']), origin)
            values['salesperson'] = salesperson.id if salesperson else None
        return values


class Line(metaclass=PoolMeta):
    __name__ = 'sale.line'

    def get_invoice_line(self):
        lines = super().get_invoice_line()
        for line in lines:
            line.salesperson = self.sale.salesperson
        return lines
