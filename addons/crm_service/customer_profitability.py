# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Customer profitability (V5): the revenue of each customer in a period less
the cost of the goods invoiced and the cost of the service work, and the
priority customers ranked by profit"""
import datetime as dt

from sql import Cast, Literal, Union, Window
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Extract, Rank, Round

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .service_analysis import context_period, to_utc

# The share of the profit, in %, made by the customers of priority A, then
# of A and B together, as the ABC classes of the marketing
PRIORITY_A_SHARE = 80
PRIORITY_AB_SHARE = 95
# The requests whose time is service work done
RESOLVED_STATES = ['resolved', 'closed']


def sql_numeric(value):
    "A numeric parameter: SQLite would compare a bound Decimal as a blob"
    return Cast(Literal(value), 'NUMERIC')


class Configuration(CompanyMultiValueMixin, metaclass=PoolMeta):
    __name__ = 'crm.service.configuration'

    hourly_service_cost = fields.MultiValue(fields.Numeric(
            "Hourly Service Cost", digits=(16, 2),
            help="The cost of an hour of service work, in the currency of "
            "the company: the customer profitability charges the time spent "
            "on the requests at this rate."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'hourly_service_cost':
            return pool.get('crm.service.configuration.service_cost')
        return super().multivalue_model(field)


class ConfigurationServiceCost(ModelSQL, CompanyValueMixin):
    "The hourly cost of the service work of a company"
    __name__ = 'crm.service.configuration.service_cost'
    __string__ = "Service Configuration Service Cost"

    hourly_service_cost = fields.Numeric(
        "Hourly Service Cost", digits=(16, 2))

    @classmethod
    def validate_fields(cls, values, field_names):
        super().validate_fields(values, field_names)
        if 'hourly_service_cost' in field_names:
            for value in values:
                if (value.hourly_service_cost is not None
                        and value.hourly_service_cost < 0):
                    raise ValidationError(gettext(
                            'crm_service.msg_service_cost_negative',
                            cost=value.hourly_service_cost))


class CustomerProfitability(ModelSQL, ModelView):
    "The profit of each customer with invoices or service work in the period"
    __name__ = 'crm.service.customer_profitability'
    __string__ = "Customer Profitability"

    company = fields.Many2One('company.company', "Company")
    currency = fields.Many2One('currency.currency', "Currency")
    customer = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    revenue = Monetary(
        "Revenue", currency='currency', digits='currency',
        help="The untaxed amount of the posted customer invoice lines of the "
        "period in the company's currency, credit notes deducted, as in the "
        "sales analysis.")
    goods_cost = Monetary(
        "Cost of Goods", currency='currency', digits='currency',
        help="The quantity invoiced at the current cost price of the "
        "product, as in the sales analysis: the cost price at the time of "
        "the sale is not kept on the invoice.")
    service_hours = fields.Float(
        "Service Hours", digits=(16, 2),
        help="The time spent on the customer's requests resolved in the "
        "period.")
    service_cost = Monetary(
        "Service Cost", currency='currency', digits='currency',
        help="The service hours at the hourly service cost of the "
        "configuration.")
    profit = Monetary(
        "Profit", currency='currency', digits='currency',
        help="The revenue less the cost of goods and the service cost.")
    margin = fields.Function(fields.Float(
            "Margin", digits=(1, 4),
            help="The profit as a share of the revenue."),
        'get_margin')
    rank = fields.Integer(
        "Rank", help="The place of the customer by decreasing profit.")
    priority = fields.Selection([
            ('A', "A"),
            ('B', "B"),
            ('C', "C"),
            ], "Priority", sort=False,
        help="A: the most profitable customers making together the first "
        "80 % of the profit of the period, B: the next 15 %, C: the others "
        "and the customers without profit.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('profit', 'DESC'))

    @classmethod
    def _figures(cls):
        """Return the query of the revenue, the cost of goods and the hours
        of service of each customer in the period of the context"""
        pool = Pool()
        Request = pool.get('crm.service.request')
        SalesAnalysis = pool.get('crm.sales.analysis.main')
        company_id, from_date, to_date, timezone = context_period()
        lines = SalesAnalysis._lines()
        request = Request.__table__()
        zero = sql_numeric(0)

        sales = lines.select(
            lines.customer.as_('party'),
            lines.revenue.as_('revenue'),
            lines.cost.as_('goods_cost'),
            zero.as_('hours'),
            where=(lines.date >= from_date) & (lines.date <= to_date))
        services = request.select(
            request.party.as_('party'),
            zero.as_('revenue'),
            zero.as_('goods_cost'),
            (Extract('EPOCH', request.time_spent) / 3600).as_('hours'),
            where=(request.company == company_id)
            & request.state.in_(RESOLVED_STATES)
            & (request.resolved_at >= to_utc(from_date, timezone))
            & (request.resolved_at < to_utc(
                    to_date + dt.timedelta(days=1), timezone)))
        union = Union(sales, services, all_=True)
        return union.select(
            union.party.as_('party'),
            Sum(union.revenue).as_('revenue'),
            Sum(union.goods_cost).as_('goods_cost'),
            Coalesce(Sum(union.hours), 0).as_('hours'),
            group_by=[union.party])

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        Configuration = pool.get('crm.service.configuration')
        Currency = pool.get('currency.currency')
        company_id, *_ = context_period()
        rate = Configuration(1).get_multivalue(
            'hourly_service_cost', company=company_id) or 0

        figures = cls._figures()
        company = Company.__table__()
        currency = Currency.__table__()

        def amount(field, expression):
            return Round(field.sql_cast(expression), currency.digits)
        revenue = amount(cls.revenue, figures.revenue)
        goods_cost = amount(cls.goods_cost, figures.goods_cost)
        service_cost = amount(
            cls.service_cost, figures.hours * sql_numeric(rate))
        amounts = (figures
            .join(company, condition=company.id == company_id)
            .join(currency, condition=company.currency == currency.id)
            .select(
                figures.party.as_('party'),
                company.id.as_('company'),
                currency.id.as_('currency'),
                revenue.as_('revenue'),
                goods_cost.as_('goods_cost'),
                cls.service_hours.sql_cast(figures.hours).as_(
                    'service_hours'),
                service_cost.as_('service_cost'),
                amount(cls.profit, revenue - goods_cost - service_cost).as_(
                    'profit')))

        # The customers by decreasing profit, the party breaking ties so the
        # cumulated profit does not depend on the plan
        positive = Case((amounts.profit > 0, amounts.profit), else_=0)
        running = Window([],
            order_by=[amounts.profit.desc, amounts.party.asc],
            frame='ROWS', start=None, end=0)
        everyone = Window([])
        ranked = amounts.select(
            amounts.party, amounts.company, amounts.currency,
            amounts.revenue, amounts.goods_cost, amounts.service_hours,
            amounts.service_cost, amounts.profit,
            Rank(window=Window([], order_by=[amounts.profit.desc])).as_(
                'rank'),
            (Sum(positive, window=running) - positive).as_('before'),
            Sum(positive, window=everyone).as_('total'))

        # A customer is of priority A while the profit of the customers
        # before it is below the share: the one crossing it is A too
        priority = Case(
            (ranked.profit <= 0, 'C'),
            (ranked.before * 100 < ranked.total * PRIORITY_A_SHARE, 'A'),
            (ranked.before * 100 < ranked.total * PRIORITY_AB_SHARE, 'B'),
            else_='C')
        return ranked.select(
            ranked.party.as_('id'),
            ranked.party.as_('customer'),
            ranked.company, ranked.currency,
            ranked.revenue, ranked.goods_cost, ranked.service_hours,
            ranked.service_cost, ranked.profit,
            cls.rank.sql_cast(ranked.rank).as_('rank'),
            priority.as_('priority'))

    def get_margin(self, name):
        if self.revenue:
            return round(float(self.profit / self.revenue), 4)

    def get_rec_name(self, name):
        return self.customer.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('customer.rec_name', *clause[1:])]
