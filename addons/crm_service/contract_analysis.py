# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Contract analysis (V5): the service contracts running each month, their
monthly recurring revenue, the new ones, the renewals, the terminations and
the churn, and the terminations per reason"""
from decimal import Decimal

from sql import Cast, Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DateTrunc, Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool

from .service_analysis import context_period, months_table

# The subscriptions that are or were in force
RUN_STATES = ['running', 'closed']
# The occurrences per month of a recurrence rule of each frequency and of
# interval 1: a year has 52 weeks and 365 days
MONTHLY_OCCURRENCES = {
    'yearly': Decimal(1) / 12,
    'monthly': Decimal(1),
    'weekly': Decimal(52) / 12,
    'daily': Decimal(365) / 12,
    }


def sql_numeric(value):
    "A numeric parameter: SQLite would compare a bound Decimal as a blob"
    return Cast(Literal(value), 'NUMERIC')


def monthly_factors():
    """Return the number of times a month each recurrence rule set occurs,
    by id: the sum over its including rules of the occurrences a month of
    the frequency divided by the interval; the by-day, by-month… filters
    and the excluding rules are not counted"""
    pool = Pool()
    RuleSet = pool.get('sale.subscription.recurrence.rule.set')
    factors = {}
    for rule_set in RuleSet.search([]):
        factors[rule_set.id] = sum(
            (MONTHLY_OCCURRENCES[r.freq] / (r.interval or 1)
                for r in rule_set.rules if not r.exclusive),
            Decimal(0))
    return factors


class Month(ModelSQL, ModelView):
    "The service contracts of the company each month of the period"
    __name__ = 'crm.service.contract_analysis.month'
    __string__ = "Contract Analysis per Month"

    company = fields.Many2One('company.company', "Company")
    currency = fields.Many2One('currency.currency', "Currency")
    date = fields.Date("Month", help="The first day of the month.")
    running_count = fields.Integer(
        "Running Contracts",
        help="The contracts in force at the end of the month (or of the "
        "period).")
    start_count = fields.Integer(
        "Running at Start",
        help="The contracts in force the day before the month (or the "
        "period) starts.")
    mrr = Monetary(
        "Monthly Recurring Revenue", currency='currency', digits='currency',
        help="The price of the lines of the contracts in force at the end "
        "of the month, brought to a month in the company's currency: each "
        "line is charged at each consumption, so its consumption "
        "recurrence (else the invoice recurrence of the contract) gives how "
        "many times a month: yearly 1/12, monthly 1, weekly 52/12, "
        "daily 365/12, divided by the interval.")
    new_count = fields.Integer(
        "New Contracts",
        help="The contracts starting in the month that renew no other.")
    renewal_count = fields.Integer(
        "Renewals", help="The contracts renewed in the month.")
    termination_count = fields.Integer(
        "Terminations", help="The contracts the customer ended in the month.")
    churn = fields.Function(fields.Float(
            "Churn", digits=(1, 4),
            help="The terminations as a share of the contracts running at "
            "the start of the month."),
        'get_churn')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'ASC'))

    @classmethod
    def _contract_condition(cls, contract):
        "Return the condition of the service contracts of the company"
        company_id, *_ = context_period()
        return ((contract.company == company_id)
            & (contract.contract_kind != Null)
            & contract.state.in_(RUN_STATES))

    @classmethod
    def _running_on(cls, contract, date):
        "Return the condition of the contract being in force on date"
        return ((contract.start_date <= date)
            & ((contract.end_date == Null) | (contract.end_date >= date))
            & ((contract.terminated_date == Null)
                | (contract.terminated_date > date)))

    @classmethod
    def _counts(cls, months):
        "Return the query of the number of contracts of each month"
        pool = Pool()
        Subscription = pool.get('sale.subscription')
        contract = Subscription.__table__()

        def count(condition):
            return Count(contract.id, filter_=condition)

        def in_month(column):
            return ((column >= months.first_day)
                & (column <= months.last_day))
        return (months
            .join(contract, 'LEFT',
                condition=cls._contract_condition(contract))
            .select(
                months.id.as_('id'),
                months.date.as_('date'),
                count(cls._running_on(contract, months.last_day)).as_(
                    'running_count'),
                count(cls._running_on(contract, months.previous_day)).as_(
                    'start_count'),
                count(in_month(contract.start_date)
                    & (contract.renewal_of == Null)).as_('new_count'),
                count(in_month(contract.renewal_date)).as_('renewal_count'),
                count(in_month(contract.terminated_date)).as_(
                    'termination_count'),
                group_by=[months.id, months.date]))

    @classmethod
    def _recurring_revenues(cls, months):
        """Return the query of the monthly recurring revenue of each month,
        in the company's currency"""
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Line = pool.get('sale.subscription.line')
        Subscription = pool.get('sale.subscription')
        company_id, *_ = context_period()
        contract = Subscription.__table__()
        line = Line.__table__()
        company = Company.__table__()
        contract_rate = Currency.currency_rate_sql()
        company_rate = Currency.currency_rate_sql()

        def rate_at(rate, currency, date):
            return ((rate.currency == currency)
                & (rate.start_date <= date)
                & ((rate.end_date == Null) | (rate.end_date > date)))

        recurrence = Coalesce(
            line.consumption_recurrence, contract.invoice_recurrence)
        factors = monthly_factors()
        if factors:
            factor = Case(*((recurrence == id_, sql_numeric(f))
                    for id_, f in factors.items()),
                else_=sql_numeric(0))
        else:
            factor = sql_numeric(0)
        amount = (Cast(Coalesce(line.quantity, 0), 'NUMERIC')
            * Coalesce(line.unit_price, 0) * factor)
        # A company without foreign currency needs no rate
        amount = Case(
            (contract.currency == company.currency, amount),
            else_=amount * company_rate.rate / contract_rate.rate)
        running_line = ((line.start_date <= months.last_day)
            & ((line.end_date == Null) | (line.end_date >= months.last_day)))
        return (months
            .join(contract, condition=cls._contract_condition(contract)
                & cls._running_on(contract, months.last_day))
            .join(line, condition=(line.subscription == contract.id)
                & running_line)
            .join(company, condition=company.id == contract.company)
            .join(contract_rate, 'LEFT', condition=rate_at(
                    contract_rate, contract.currency, months.last_day))
            .join(company_rate, 'LEFT', condition=rate_at(
                    company_rate, company.currency, months.last_day))
            .select(
                months.id.as_('id'),
                Sum(amount).as_('amount'),
                group_by=[months.id]))

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        company_id, *_ = context_period()
        months = months_table()
        counts = cls._counts(months)
        revenues = cls._recurring_revenues(months)
        company = Company.__table__()
        currency = Currency.__table__()
        return (counts
            .join(company, condition=company.id == company_id)
            .join(currency, condition=company.currency == currency.id)
            .join(revenues, 'LEFT', condition=revenues.id == counts.id)
            .select(
                counts.id.as_('id'),
                company.id.as_('company'),
                currency.id.as_('currency'),
                counts.date.as_('date'),
                counts.running_count.as_('running_count'),
                counts.start_count.as_('start_count'),
                Round(cls.mrr.sql_cast(Coalesce(revenues.amount, 0)),
                    currency.digits).as_('mrr'),
                counts.new_count.as_('new_count'),
                counts.renewal_count.as_('renewal_count'),
                counts.termination_count.as_('termination_count')))

    def get_churn(self, name):
        if self.start_count:
            return round(self.termination_count / self.start_count, 4)

    def get_rec_name(self, name):
        return str(self.date)


class Termination(ModelSQL, ModelView):
    "The service contracts ended by the customer per month and reason"
    __name__ = 'crm.service.contract_analysis.termination'
    __string__ = "Contract Terminations per Reason"

    company = fields.Many2One('company.company', "Company")
    date = fields.Date("Month", help="The first day of the month.")
    reason = fields.Many2One(
        'crm.service.termination_reason', "Termination Reason")
    termination_count = fields.Integer("Terminations")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        cls._order.insert(1, ('termination_count', 'DESC'))

    @classmethod
    def table_query(cls):
        pool = Pool()
        Subscription = pool.get('sale.subscription')
        company_id, from_date, to_date, _ = context_period()
        contract = Subscription.__table__()
        # truncated here: PostgreSQL does not recognise the same DATE_TRUNC
        # with another parameter in the GROUP BY
        terminations = contract.select(
            contract.id.as_('id'),
            contract.company.as_('company'),
            cls.date.sql_cast(
                DateTrunc('month', contract.terminated_date)).as_('date'),
            contract.termination_reason.as_('reason'),
            where=(contract.company == company_id)
            & (contract.contract_kind != Null)
            & (contract.terminated_date >= from_date)
            & (contract.terminated_date <= to_date))
        return terminations.select(
            Min(terminations.id).as_('id'),
            terminations.company.as_('company'),
            terminations.date.as_('date'),
            terminations.reason.as_('reason'),
            Count(terminations.id).as_('termination_count'),
            group_by=[
                terminations.company, terminations.date,
                terminations.reason])

    def get_rec_name(self, name):
        return self.reason.rec_name if self.reason else str(self.date)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('reason.rec_name', *clause[1:])]
