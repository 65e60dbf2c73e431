# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from sql import Literal, Null
from sql.operators import Exists

from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

# The invoices that are booked
POSTED_STATES = ['posted', 'paid']


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # in_figures looks up the invoice a credit note with refund cancelled
        cls._sql_indexes.add(
            Index(t, (t.cancel_move, Index.Equality()),
                where=t.cancel_move != Null))

    @classmethod
    def in_figures(cls, invoice):
        """Return the SQL condition that the invoice (a table of
        account.invoice) counts in revenue and cost figures: posted or paid,
        and not the credit note with refund of an invoice: Tryton cancels
        the credited invoice, so neither of them is booked revenue"""
        cancelled = cls.__table__()
        return (invoice.state.in_(POSTED_STATES)
            & ~Exists(cancelled.select(Literal(1),
                    where=(cancelled.cancel_move == invoice.move)
                    & (cancelled.state == 'cancelled'))))

    @classmethod
    def _post(cls, invoices):
        super()._post(invoices)
        cls._set_customer_since(invoices)

    @classmethod
    def _set_customer_since(cls, invoices):
        pool = Pool()
        Party = pool.get('party.party')
        since = {}
        for invoice in invoices:
            party = invoice.party
            if invoice.type != 'out' or party.customer_since:
                continue
            date = invoice.invoice_date
            if party not in since or date < since[party]:
                since[party] = date
        for party, date in since.items():
            party.customer_since = date
        Party.save(list(since))


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'
    salesperson = fields.Many2One(
        'company.employee', "Salesperson",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'invisible': Eval('invoice_type') != 'out',
            'readonly': Eval('invoice_state') != 'draft',
            },
        help="The employee credited with the revenue of the line.\n"
        "Lines from a sale carry its salesperson; "
        "others get the customer's account manager.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # plans, analysis and KPIs select the revenue by salesperson
        cls._sql_indexes.add(
            Index(t, (t.salesperson, Index.Range())))

    @classmethod
    def preprocess_values(cls, mode, values):
        "Apply the sale's salesperson rule to lines entered by hand"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Sale = pool.get('sale.sale')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not values.get('salesperson')
                and values.get('invoice') is not None):
            invoice = Invoice(values['invoice'])
            if invoice.type == 'out':
                salesperson = Sale.attributed_salesperson(invoice.party, None)
                if salesperson:
                    values['salesperson'] = salesperson.id
        return values

    def _credit(self):
        "A credit note is debited to whom the revenue was credited"
        line = super()._credit()
        line.salesperson = self.salesperson
        return line
