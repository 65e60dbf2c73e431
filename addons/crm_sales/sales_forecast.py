# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Sales forecast (S7): per month and salesperson, the weighted open pipeline
plus the run rate of the last months, against the sales plans"""
from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null, Union, Values
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce, Greatest, Least
from sql.functions import Extract, Round

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.transaction import Transaction

# The opportunities still to be won
OPEN_STATES = ['lead', 'opportunity']
# The plans whose targets count
PLAN_STATES = ['confirmed', 'closed']
# The full months before the forecast whose average is the run rate
RUN_RATE_MONTHS = 3
DEFAULT_MONTHS = 3
MAX_MONTHS = 24


def days(start, end):
    "Return the SQL number of days from start to end, both included"
    # Rounded because SQLite's epoch of a date follows the daylight saving
    return Round(
        (Extract('EPOCH', end) - Extract('EPOCH', start)) / (24 * 60 * 60)
        ) + 1


class Context(ModelView):
    __name__ = 'crm.sales.forecast.context'
    __string__ = "Sales Forecast Context"

    company = fields.Many2One('company.company', "Company", required=True)
    from_month = fields.Date(
        "From Month", required=True,
        help="The forecast starts with the month of this date.")
    months = fields.Integer(
        "Months", required=True,
        domain=[
            ('months', '>=', 1),
            ('months', '<=', MAX_MONTHS),
            ],
        help="The number of months forecast.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_from_month(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        if 'from_month' in context:
            return context['from_month']
        return Date.today().replace(day=1)

    @classmethod
    def default_months(cls):
        return Transaction().context.get('months', DEFAULT_MONTHS)


class Forecast(ModelSQL, ModelView):
    __name__ = 'crm.sales.forecast'
    __string__ = "Sales Forecast"

    company = fields.Many2One('company.company', "Company")
    salesperson = fields.Many2One('company.employee', "Salesperson")
    month = fields.Date("Month")
    pipeline = Monetary(
        "Weighted Pipeline", currency='currency', digits='currency',
        help="The amount of the open opportunities expected to close "
        "in the month, each weighted by its conversion probability.\n"
        "Those without end date or late are expected in the first month.")
    run_rate = Monetary(
        "Run Rate", currency='currency', digits='currency',
        help="The average monthly revenue of the 3 full months "
        "before the forecast.")
    forecast = Monetary(
        "Forecast", currency='currency', digits='currency',
        help="The weighted pipeline plus the run rate.")
    plan_target = Monetary(
        "Plan Target", currency='currency', digits='currency',
        help="The targets of the confirmed and closed sales plans "
        "prorated to the days of the month.")
    gap = Monetary(
        "Gap", currency='currency', digits='currency',
        help="The forecast less the plan target.")
    currency = fields.Many2One('currency.currency', "Currency")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'ASC'),
            ('salesperson', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def _months(cls):
        """Return the first day of the month the forecast starts with and
        the number of months of the context"""
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        from_month = context.get('from_month') or Date.today()
        months = context.get('months') or DEFAULT_MONTHS
        if not 1 <= months <= MAX_MONTHS:
            raise UserError(gettext(
                    'crm_sales.msg_sales_analysis_forecast_months',
                    maximum=MAX_MONTHS))
        return from_month.replace(day=1), months

    @classmethod
    def _month_values(cls, first, months):
        "Return the months as SQL values: first day, last day and index"
        rows = []
        for index in range(months):
            start = first + relativedelta(months=index)
            end = start + relativedelta(months=1, days=-1)
            rows.append([start, end, index])
        return Values(rows)

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        context = Transaction().context
        company_id = context.get('company')
        first, months = cls._months()
        if company_id is not None and company_id >= 0:
            currency = Company(company_id).currency
            currency_id, digits = currency.id, currency.digits
        else:
            currency_id, digits = None, 2

        union = Union(
            cls._pipeline_query(company_id, currency_id, first, months),
            cls._run_rate_query(first, months),
            cls._plan_query(company_id, first, months),
            all_=True)

        def total(field, name):
            return Round(field.sql_cast(Sum(getattr(union, name))), digits)
        pipeline = total(cls.pipeline, 'pipeline')
        run_rate = total(cls.run_rate, 'run_rate')
        plan_target = total(cls.plan_target, 'plan_target')
        return union.select(
            cls.id.sql_cast(
                Coalesce(union.salesperson, 0) * months
                + union.month_index + 1).as_('id'),
            cls.company.sql_cast(Literal(company_id)).as_('company'),
            union.salesperson.as_('salesperson'),
            cls.month.sql_cast(union.month).as_('month'),
            pipeline.as_('pipeline'),
            run_rate.as_('run_rate'),
            (pipeline + run_rate).as_('forecast'),
            plan_target.as_('plan_target'),
            (pipeline + run_rate - plan_target).as_('gap'),
            cls.currency.sql_cast(Literal(currency_id)).as_('currency'),
            group_by=[union.salesperson, union.month_index, union.month])

    @classmethod
    def _pipeline_query(cls, company_id, currency_id, first, months):
        """Return the query of the open opportunities weighted by their
        probability in the company's currency, in the month of their end
        date or the first month when it is missing or past"""
        pool = Pool()
        Currency = pool.get('currency.currency')
        Opportunity = pool.get('sale.opportunity')
        opportunity = Opportunity.__table__()
        month = cls._month_values(first, months)
        opportunity_rate = Currency.currency_rate_sql()
        company_rate = Currency.currency_rate_sql()

        def rate_at(rate, currency):
            # The rate in force when the forecast starts
            return ((rate.currency == currency)
                & (rate.start_date <= first)
                & ((rate.end_date == Null) | (rate.end_date > first)))

        closing = Case(
            ((opportunity.end_date == Null) | (opportunity.end_date < first),
                first),
            else_=opportunity.end_date)
        amount = Coalesce(opportunity.amount, 0)
        amount = Case(
            (opportunity.currency == currency_id, amount),
            else_=amount * company_rate.rate / opportunity_rate.rate)
        weighted = amount * Cast(
            opportunity.conversion_probability, 'NUMERIC')
        return (opportunity
            .join(month,
                condition=(closing >= month.column1)
                & (closing <= month.column2))
            .join(opportunity_rate, 'LEFT',
                condition=rate_at(opportunity_rate, opportunity.currency))
            .join(company_rate, 'LEFT',
                condition=rate_at(company_rate, currency_id))
            .select(
                opportunity.employee.as_('salesperson'),
                month.column1.as_('month'),
                month.column3.as_('month_index'),
                weighted.as_('pipeline'),
                Literal(0).as_('run_rate'),
                Literal(0).as_('plan_target'),
                where=(opportunity.company == company_id)
                & opportunity.state.in_(OPEN_STATES)))

    @classmethod
    def _run_rate_query(cls, first, months):
        """Return the query of the average monthly revenue of the months
        before the forecast, repeated for each month forecast"""
        pool = Pool()
        Analysis = pool.get('crm.sales.analysis.main')
        line = Analysis._lines()
        month = cls._month_values(first, months)
        start = first - relativedelta(months=RUN_RATE_MONTHS)
        return (line
            .join(month, type_='CROSS')
            .select(
                line.salesperson.as_('salesperson'),
                month.column1.as_('month'),
                month.column3.as_('month_index'),
                Literal(0).as_('pipeline'),
                (line.revenue / RUN_RATE_MONTHS).as_('run_rate'),
                Literal(0).as_('plan_target'),
                where=(line.date >= start) & (line.date < first)))

    @classmethod
    def _plan_query(cls, company_id, first, months):
        """Return the query of the targets of the plan lines prorated to the
        days of each month inside their plan"""
        pool = Pool()
        Plan = pool.get('crm.sales.plan')
        PlanLine = pool.get('crm.sales.plan.line')
        plan = Plan.__table__()
        plan_line = PlanLine.__table__()
        month = cls._month_values(first, months)

        inside = days(
            Greatest(plan.start_date, month.column1),
            Least(plan.end_date, month.column2))
        target = (Coalesce(plan_line.target_amount, 0) * inside
            / days(plan.start_date, plan.end_date))
        return (plan_line
            .join(plan, condition=plan_line.plan == plan.id)
            .join(month,
                condition=(plan.start_date <= month.column2)
                & (plan.end_date >= month.column1))
            .select(
                plan_line.employee.as_('salesperson'),
                month.column1.as_('month'),
                month.column3.as_('month_index'),
                Literal(0).as_('pipeline'),
                Literal(0).as_('run_rate'),
                target.as_('plan_target'),
                # the whole targets: the narrowed lines are parts of them
                where=(plan.company == company_id)
                & plan.state.in_(PLAN_STATES)
                & (plan_line.sales_channel == Null)
                & (plan_line.customer_category == Null)
                & (plan_line.product_category == Null)))

    def get_rec_name(self, name):
        return ' / '.join(filter(None, [
                    self.month.strftime('%m.%Y') if self.month else None,
                    self.salesperson.rec_name if self.salesperson else None,
                    ]))
