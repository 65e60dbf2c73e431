# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Coalesce

from trytond import backend
from trytond.model import fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

# The sales that are still quotations and those being fulfilled
QUOTATION_STATES = ['draft', 'quotation']
ORDER_STATES = ['confirmed', 'processing']


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    account_manager = fields.Many2One(
        'company.employee', "Account Manager",
        domain=[
            If(Eval('context', {}).get('company'),
                ('company', '=', Eval('context', {}).get('company', -1)),
                ()),
            ],
        help="The employee who looks after the customer (куратор).")
    sales_channel = fields.Many2One(
        'crm.sales.channel', "Sales Channel",
        help="The channel through which the customer buys.")
    customer_since = fields.Date(
        "Customer Since",
        help="Filled with the date of the first posted customer invoice "
        "when left empty.")

    # The 360° view: computed together, one query per source table
    crm_open_opportunities = fields.Function(
        fields.Integer("Open Opportunities"), 'get_crm_figures')
    crm_quotations = fields.Function(
        fields.Integer("Quotations"), 'get_crm_figures')
    crm_orders_in_progress = fields.Function(
        fields.Integer("Orders in Progress"), 'get_crm_figures')
    crm_orders_done = fields.Function(
        fields.Integer("Orders Done"), 'get_crm_figures')
    crm_unpaid_invoices = fields.Function(
        fields.Integer("Unpaid Invoices"), 'get_crm_figures')
    crm_revenue_12m = fields.Function(Monetary(
            "Revenue (12 Months)", currency='currency', digits='currency',
            help="Untaxed amount of the posted customer invoices "
            "of the last 12 months, credit notes deducted."),
        'get_crm_figures')
    crm_receivable_overdue = fields.Function(Monetary(
            "Overdue", currency='currency', digits='currency',
            help="Receivable amount whose due date has passed."),
        'get_receivable_overdue')
    crm_last_contact = fields.Function(
        fields.DateTime("Last Contact"), 'get_crm_figures')
    crm_next_contact = fields.Function(
        fields.DateTime("Next Contact"), 'get_crm_figures')

    @classmethod
    def get_crm_figures(cls, parties, names):
        result = {n: defaultdict(lambda: None) for n in names}
        for name in names:
            if name not in {'crm_last_contact', 'crm_next_contact'}:
                result[name] = defaultdict(int)
        if 'crm_revenue_12m' in names:
            result['crm_revenue_12m'] = defaultdict(Decimal)
        cursor = Transaction().connection.cursor()
        for sub_parties in grouped_slice(parties, backend.MAX_QUERY_PARAMS):
            party_ids = [p.id for p in sub_parties]
            for query, columns in cls._crm_figure_queries(party_ids, names):
                cursor.execute(*query)
                for party_id, *values in cursor:
                    for name, value in zip(columns, values):
                        if value is not None:
                            result[name][party_id] = value
        if 'crm_revenue_12m' in names:
            for party in parties:
                if party.currency:
                    revenues = result['crm_revenue_12m']
                    revenues[party.id] = party.currency.round(
                        revenues[party.id])
        return result

    @classmethod
    def _crm_figure_queries(cls, party_ids, names):
        "Yield (query, column names) giving the figures per party"
        pool = Pool()
        Activity = pool.get('crm.activity')
        Date = pool.get('ir.date')
        Invoice = pool.get('account.invoice')
        Opportunity = pool.get('sale.opportunity')
        Sale = pool.get('sale.sale')
        company_id = Transaction().context.get('company', -1)
        names = set(names)

        def wanted(*columns):
            return [c for c in columns if c in names]

        opportunity = Opportunity.__table__()
        if columns := wanted('crm_open_opportunities'):
            yield opportunity.select(
                opportunity.party,
                Count(opportunity.id),
                where=fields.SQL_OPERATORS['in'](opportunity.party, party_ids)
                & opportunity.state.in_(['lead', 'opportunity'])
                & (opportunity.company == company_id),
                group_by=opportunity.party), columns

        sale = Sale.__table__()
        if columns := wanted(
                'crm_quotations', 'crm_orders_in_progress',
                'crm_orders_done'):
            filters = {
                'crm_quotations': sale.state.in_(QUOTATION_STATES),
                'crm_orders_in_progress': sale.state.in_(ORDER_STATES),
                'crm_orders_done': sale.state == 'done',
                }
            yield sale.select(
                sale.party,
                *(Count(sale.id, filter_=filters[c]) for c in columns),
                where=fields.SQL_OPERATORS['in'](sale.party, party_ids)
                & (sale.company == company_id),
                group_by=sale.party), columns

        invoice = Invoice.__table__()
        if columns := wanted('crm_unpaid_invoices', 'crm_revenue_12m'):
            year_ago = Date.today() - dt.timedelta(days=365)
            expressions = {
                'crm_unpaid_invoices': Count(
                    invoice.id, filter_=invoice.state == 'posted'),
                'crm_revenue_12m': Coalesce(Sum(
                        invoice.untaxed_amount_cache,
                        filter_=invoice.invoice_date >= year_ago),
                    Decimal(0)).as_('crm_revenue_12m'),
                }
            query = invoice.select(
                invoice.party,
                *(expressions[c] for c in columns),
                where=fields.SQL_OPERATORS['in'](invoice.party, party_ids)
                & (invoice.type == 'out')
                & Invoice.in_figures(invoice)
                & (invoice.company == company_id),
                group_by=invoice.party)
            if backend.name == 'sqlite':
                sqlite_apply_types(query, [None] + [
                        'NUMERIC' if c == 'crm_revenue_12m' else None
                        for c in columns])
            yield query, columns

        activity = Activity.__table__()
        if columns := wanted('crm_last_contact', 'crm_next_contact'):
            expressions = {
                'crm_last_contact': Max(
                    activity.done_date,
                    filter_=activity.state == 'done').as_('last'),
                'crm_next_contact': Min(
                    activity.planned_date,
                    filter_=activity.state == 'planned').as_('next'),
                }
            query = activity.select(
                activity.party.as_('party'),
                *(expressions[c] for c in columns),
                where=fields.SQL_OPERATORS['in'](activity.party, party_ids)
                & (activity.company == company_id),
                group_by=activity.party)
            if backend.name == 'sqlite':
                sqlite_apply_types(query, [None] + ['DATETIME'] * 2)
            yield query, columns

    @classmethod
    def get_receivable_overdue(cls, parties, name):
        "Receivable due before today: account's 'due by' figure for yesterday"
        pool = Pool()
        Date = pool.get('ir.date')
        yesterday = Date.today() - dt.timedelta(days=1)
        with Transaction().set_context(date=yesterday):
            amounts = cls.get_receivable_payable(
                parties, ['receivable_today'])
        return amounts['receivable_today']


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('crm.activity', 'party'),
            ]
