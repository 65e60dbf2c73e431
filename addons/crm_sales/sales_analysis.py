# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Sales analysis (S7): revenue, margin and number of invoices of the posted
customer invoice lines by salesperson, channel kind, customer category,
product category, region and period"""
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Ceil, DateTrunc, Log, Power, Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.tools import pairwise_longest
from trytond.tools.chart import sparkline
from trytond.transaction import Transaction
from trytond.wizard import StateAction, Wizard

from .reporting import PeriodContextMixin


def channel_kinds():
    "Return the selection of the kinds of sales channel"
    pool = Pool()
    SalesChannel = pool.get('crm.sales.channel')
    return SalesChannel.fields_get(['kind'])['kind']['selection']


class Abstract(ModelSQL):

    company = fields.Many2One('company.company', "Company")
    number = fields.Integer(
        "Invoices", help="The number of customer invoices and credit notes.")
    revenue = Monetary(
        "Revenue", currency='currency', digits='currency',
        help="The untaxed amount of the posted customer invoice lines "
        "in the company's currency, credit notes deducted.")
    revenue_trend = fields.Function(
        fields.Char("Revenue Trend"), 'get_trend')
    cost = Monetary(
        "Cost", currency='currency', digits='currency',
        help="The quantity invoiced at the current cost price "
        "of the product.")
    margin = Monetary(
        "Margin", currency='currency', digits='currency',
        help="The revenue less the cost.")
    margin_trend = fields.Function(
        fields.Char("Margin Trend"), 'get_trend')
    margin_rate = fields.Function(
        fields.Float("Margin Rate", digits=(1, 4),
            help="The margin as a share of the revenue."),
        'get_margin_rate')
    currency = fields.Many2One('currency.currency', "Currency")
    time_series = None

    @classmethod
    def table_query(cls):
        from_item, tables = cls._joins()
        return from_item.select(*cls._columns(tables),
            where=cls._where(tables),
            group_by=cls._group_by(tables))

    @classmethod
    def _lines(cls):
        """Return the query of the posted customer invoice lines of the
        company of the context with their revenue and cost in the company's
        currency, one row per line"""
        pool = Pool()
        Address = pool.get('party.address')
        Company = pool.get('company.company')
        CostPrice = pool.get('product.cost_price')
        Currency = pool.get('currency.currency')
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        SalesChannel = pool.get('crm.sales.channel')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Timeseries = pool.get('crm.sales.analysis.main.time_series')
        company_id = Transaction().context.get('company')

        line = InvoiceLine.__table__()
        invoice = Invoice.__table__()
        company = Company.__table__()
        currency = Currency.__table__()
        invoice_rate = Currency.currency_rate_sql()
        company_rate = Currency.currency_rate_sql()
        party = Party.__table__()
        channel = SalesChannel.__table__()
        address = Address.__table__()
        product = Product.__table__()
        template = Template.__table__()
        line_unit = Uom.__table__()
        product_unit = Uom.__table__()
        cost_price = CostPrice.__table__()

        def rate_at(rate, currency, date):
            return ((rate.currency == currency)
                & (rate.start_date <= date)
                & ((rate.end_date == Null) | (rate.end_date > date)))

        # Rounded per line as the invoice does; credit notes have negative
        # quantities so they deduct
        raw_quantity = Coalesce(line.quantity, 0)
        quantity = Cast(raw_quantity, 'NUMERIC')
        amount = Round(quantity * Coalesce(line.unit_price, 0),
            currency.digits)
        # A company without foreign currency needs no rate
        revenue = Case(
            (invoice.currency == company.currency, amount),
            else_=amount * company_rate.rate / invoice_rate.rate)
        # The cost price is per default unit of the product
        base_quantity = Case(
            ((line.unit != Null) & (product_unit.id != Null)
                & (line.unit != product_unit.id),
                Cast(raw_quantity * line_unit.factor / product_unit.factor,
                    'NUMERIC')),
            else_=quantity)
        cost = base_quantity * Coalesce(cost_price.cost_price, 0)

        return (line
            .join(invoice, condition=line.invoice == invoice.id)
            .join(company, condition=invoice.company == company.id)
            .join(currency, condition=invoice.currency == currency.id)
            .join(invoice_rate, 'LEFT', condition=rate_at(
                    invoice_rate, invoice.currency, invoice.invoice_date))
            .join(company_rate, 'LEFT', condition=rate_at(
                    company_rate, company.currency, invoice.invoice_date))
            .join(party, 'LEFT', condition=invoice.party == party.id)
            .join(channel, 'LEFT', condition=party.sales_channel == channel.id)
            .join(address, 'LEFT',
                condition=invoice.invoice_address == address.id)
            .join(product, 'LEFT', condition=line.product == product.id)
            .join(template, 'LEFT', condition=product.template == template.id)
            .join(line_unit, 'LEFT', condition=line.unit == line_unit.id)
            .join(product_unit, 'LEFT',
                condition=template.default_uom == product_unit.id)
            .join(cost_price, 'LEFT',
                condition=(cost_price.product == line.product)
                & (cost_price.company == invoice.company))
            .select(
                line.id.as_('id'),
                invoice.company.as_('company'),
                invoice.invoice_date.as_('date'),
                # truncated here: PostgreSQL does not recognise the same
                # DATE_TRUNC with another parameter in the GROUP BY
                Timeseries.date.sql_cast(DateTrunc(
                        Transaction().context.get('period', 'month'),
                        invoice.invoice_date)).as_('period'),
                invoice.id.as_('invoice'),
                invoice.party.as_('customer'),
                line.salesperson.as_('salesperson'),
                channel.kind.as_('channel_kind'),
                address.subdivision.as_('subdivision'),
                line.product.as_('product'),
                product.template.as_('template'),
                revenue.as_('revenue'),
                cost.as_('cost'),
                where=(invoice.type == 'out')
                & Invoice.in_figures(invoice)
                & (line.type == 'line')
                & (invoice.company == company_id)))

    @classmethod
    def _joins(cls):
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')

        tables = {}
        tables['line'] = line = cls._lines()
        tables['line.company'] = company = Company.__table__()
        tables['line.company.currency'] = currency = Currency.__table__()
        from_item = (line
            .join(company, condition=line.company == company.id)
            .join(currency, condition=company.currency == currency.id))
        return from_item, tables

    @classmethod
    def _columns(cls, tables):
        line = tables['line']
        currency = tables['line.company.currency']

        def total(field, expression):
            return Round(field.sql_cast(Sum(expression)), currency.digits)
        return [
            cls._column_id(tables).as_('id'),
            line.company.as_('company'),
            Count(line.invoice, distinct=True).as_('number'),
            total(cls.revenue, line.revenue).as_('revenue'),
            total(cls.cost, line.cost).as_('cost'),
            total(cls.margin, line.revenue - line.cost).as_('margin'),
            currency.id.as_('currency'),
            ]

    @classmethod
    def _column_id(cls, tables):
        line = tables['line']
        return Min(line.id)

    @classmethod
    def _group_by(cls, tables):
        line = tables['line']
        currency = tables['line.company.currency']
        return [line.company, currency.id, currency.digits]

    @classmethod
    def _where(cls, tables):
        context = Transaction().context
        line = tables['line']

        where = Literal(True)
        if from_date := context.get('from_date'):
            where &= line.date >= from_date
        if to_date := context.get('to_date'):
            where &= line.date <= to_date
        if salesperson := context.get('salesperson'):
            where &= line.salesperson == salesperson
        if channel_kind := context.get('channel_kind'):
            where &= line.channel_kind == channel_kind
        return where

    @property
    def time_series_all(self):
        "The time series with None for the periods without invoice"
        delta = self._period_delta()
        for ts, next_ts in pairwise_longest(self.time_series or []):
            yield ts
            if delta and next_ts:
                date = ts.date + delta
                while date < next_ts.date:
                    yield None
                    date += delta

    @classmethod
    def _period_delta(cls):
        context = Transaction().context
        return {
            'year': relativedelta(years=1),
            'month': relativedelta(months=1),
            'day': relativedelta(days=1),
            }.get(context.get('period', 'month'))

    def get_trend(self, name):
        name = name[:-len('_trend')]
        return sparkline([
                getattr(ts, name) or 0 if ts else 0
                for ts in self.time_series_all])

    def get_margin_rate(self, name):
        if self.revenue:
            return round(float(self.margin / self.revenue), 4)


class AbstractTimeseries(Abstract):

    date = fields.Date("Date")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'ASC'))

    @classmethod
    def _columns(cls, tables):
        return super()._columns(tables) + [
            cls._column_date(tables).as_('date')]

    @classmethod
    def _column_date(cls, tables):
        return tables['line'].period

    @classmethod
    def _group_by(cls, tables):
        return super()._group_by(tables) + [cls._column_date(tables)]


class Context(PeriodContextMixin, ModelView):
    __name__ = 'crm.sales.analysis.context'
    __string__ = "Sales Analysis Context"

    period = fields.Selection([
            ('year', "Year"),
            ('month', "Month"),
            ('day', "Day"),
            ], "Period", required=True)
    salesperson = fields.Many2One(
        'company.employee', "Salesperson",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="Analyse only the revenue credited to this employee.")
    channel_kind = fields.Selection(
        'get_channel_kinds', "Channel Kind",
        help="Analyse only the customers of the channels of this kind.")

    @classmethod
    def default_period(cls):
        return Transaction().context.get('period', 'month')

    @classmethod
    def default_salesperson(cls):
        return Transaction().context.get('salesperson')

    @classmethod
    def default_channel_kind(cls):
        return Transaction().context.get('channel_kind')

    @classmethod
    def get_channel_kinds(cls):
        return [(None, "")] + channel_kinds()


class Main(Abstract, ModelView):
    __name__ = 'crm.sales.analysis.main'
    __string__ = "Sales Analysis"

    time_series = fields.Function(fields.Many2Many(
            'crm.sales.analysis.main.time_series', None, None,
            "Time Series"),
        'get_time_series')

    def get_rec_name(self, name):
        return ''

    def get_time_series(self, name):
        pool = Pool()
        Timeseries = pool.get('crm.sales.analysis.main.time_series')
        return [t.id for t in Timeseries.search([])]


class MainTimeseries(AbstractTimeseries, ModelView):
    __name__ = 'crm.sales.analysis.main.time_series'
    __string__ = "Sales Analysis per Period"


def dimension_mixin(name, field):
    """Return the mixin of the analysis per the line's column name, a
    Many2One shown as field; the lines without it are left out"""

    class DimensionMixin:
        __slots__ = ()

        @classmethod
        def _columns(cls, tables):
            column = getattr(tables['line'], name)
            return super()._columns(tables) + [column.as_(name)]

        @classmethod
        def _group_by(cls, tables):
            return super()._group_by(tables) + [getattr(tables['line'], name)]

        @classmethod
        def _where(cls, tables):
            return super()._where(tables) & (
                getattr(tables['line'], name) != Null)

        def get_rec_name(self, _):
            return getattr(self, name).rec_name

        @classmethod
        def search_rec_name(cls, _, clause):
            return [(name + '.rec_name', *clause[1:])]

    setattr(DimensionMixin, name, field)
    return DimensionMixin


SalespersonMixin = dimension_mixin(
    'salesperson', fields.Many2One('company.employee', "Salesperson"))


class Salesperson(SalespersonMixin, Abstract, ModelView):
    __name__ = 'crm.sales.analysis.salesperson'
    __string__ = "Sales Analysis per Salesperson"

    time_series = fields.One2Many(
        'crm.sales.analysis.salesperson.time_series', 'salesperson',
        "Time Series")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('salesperson', 'ASC'))

    @classmethod
    def _column_id(cls, tables):
        line = tables['line']
        return line.salesperson


class SalespersonTimeseries(SalespersonMixin, AbstractTimeseries, ModelView):
    __name__ = 'crm.sales.analysis.salesperson.time_series'
    __string__ = "Sales Analysis per Salesperson and Period"


class ChannelKindMixin:
    __slots__ = ()
    channel_kind = fields.Selection('get_channel_kinds', "Channel Kind")
    channel_kind_string = channel_kind.translated('channel_kind')

    @classmethod
    def get_channel_kinds(cls):
        return channel_kinds()

    @classmethod
    def _columns(cls, tables):
        line = tables['line']
        return super()._columns(tables) + [
            line.channel_kind.as_('channel_kind')]

    @classmethod
    def _group_by(cls, tables):
        line = tables['line']
        return super()._group_by(tables) + [line.channel_kind]

    @classmethod
    def _where(cls, tables):
        line = tables['line']
        return super()._where(tables) & (line.channel_kind != Null)

    def get_rec_name(self, name):
        return self.channel_kind_string


class ChannelKind(ChannelKindMixin, Abstract, ModelView):
    __name__ = 'crm.sales.analysis.channel_kind'
    __string__ = "Sales Analysis per Channel Kind"

    # A kind is no record: its time series are found by value
    time_series = fields.Function(fields.Many2Many(
            'crm.sales.analysis.channel_kind.time_series', None, None,
            "Time Series"),
        'get_time_series')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('channel_kind', 'ASC'))

    @classmethod
    def get_time_series(cls, records, name):
        pool = Pool()
        Timeseries = pool.get('crm.sales.analysis.channel_kind.time_series')
        kinds = defaultdict(list)
        for ts in Timeseries.search([
                    ('channel_kind', 'in', [r.channel_kind for r in records]),
                    ]):
            kinds[ts.channel_kind].append(ts.id)
        return {r.id: kinds[r.channel_kind] for r in records}


class ChannelKindTimeseries(ChannelKindMixin, AbstractTimeseries, ModelView):
    __name__ = 'crm.sales.analysis.channel_kind.time_series'
    __string__ = "Sales Analysis per Channel Kind and Period"


class OpenChannelKind(Wizard):
    "Open the time series of the channel kinds selected"
    __name__ = 'crm.sales.analysis.channel_kind.open'
    _readonly = True

    start = StateAction(
        'crm_sales.act_sales_analysis_channel_kind_time_series')

    def do_start(self, action):
        kinds = sorted({r.channel_kind for r in self.records})
        action['pyson_domain'] = PYSONEncoder().encode([
                ('channel_kind', 'in', kinds),
                ])
        action['name'] += ' (%s)' % ', '.join(
            r.rec_name for r in self.records)
        return action, {}


def category_mixin(category_model, relation, owner, column, field):
    """Return the mixin of the analysis per category of the line's owner
    (customer or product template): a line counts once for each category of
    its owner, the relation model linking owner to category"""

    class CategoryMixin:
        __slots__ = ()
        category = field

        @classmethod
        def _joins(cls):
            pool = Pool()
            Relation = pool.get(relation)
            from_item, tables = super()._joins()
            link = tables['category_link'] = Relation.__table__()
            line = tables['line']
            from_item = from_item.join(link,
                condition=getattr(line, column) == getattr(link, owner))
            return from_item, tables

        @classmethod
        def _columns(cls, tables):
            return super()._columns(tables) + [
                tables['category_link'].category.as_('category')]

        @classmethod
        def _column_id(cls, tables):
            pool = Pool()
            Category = pool.get(category_model)
            category_table = Category.__table__()
            line = tables['line']
            link = tables['category_link']
            # One id per line and category, stable over time
            nb_category = category_table.select(
                Power(10, (Ceil(Log(Max(category_table.id))) + Literal(1))))
            return cls.id.sql_cast(Min(line.id * nb_category + link.category))

        @classmethod
        def _group_by(cls, tables):
            return super()._group_by(tables) + [
                tables['category_link'].category]

        def get_rec_name(self, name):
            return self.category.rec_name

        @classmethod
        def search_rec_name(cls, name, clause):
            return [('category.rec_name', *clause[1:])]

    return CategoryMixin


CustomerCategoryMixin = category_mixin(
    'party.category', 'party.party-party.category', 'party', 'customer',
    fields.Many2One('party.category', "Customer Category"))


class CustomerCategory(CustomerCategoryMixin, Abstract, ModelView):
    __name__ = 'crm.sales.analysis.customer_category'
    __string__ = "Sales Analysis per Customer Category"

    time_series = fields.One2Many(
        'crm.sales.analysis.customer_category.time_series', 'category',
        "Time Series")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('category', 'ASC'))

    @classmethod
    def _column_id(cls, tables):
        return tables['category_link'].category


class CustomerCategoryTimeseries(
        CustomerCategoryMixin, AbstractTimeseries, ModelView):
    __name__ = 'crm.sales.analysis.customer_category.time_series'
    __string__ = "Sales Analysis per Customer Category and Period"


# The product's categories, not its accounting category
ProductCategoryMixin = category_mixin(
    'product.category', 'product.template-product.category', 'template',
    'template',
    fields.Many2One(
        'product.category', "Product Category",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'}))


class ProductCategory(ProductCategoryMixin, Abstract, ModelView):
    __name__ = 'crm.sales.analysis.product_category'
    __string__ = "Sales Analysis per Product Category"

    time_series = fields.One2Many(
        'crm.sales.analysis.product_category.time_series', 'category',
        "Time Series")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('category', 'ASC'))

    @classmethod
    def _column_id(cls, tables):
        return tables['category_link'].category


class ProductCategoryTimeseries(
        ProductCategoryMixin, AbstractTimeseries, ModelView):
    __name__ = 'crm.sales.analysis.product_category.time_series'
    __string__ = "Sales Analysis per Product Category and Period"


RegionMixin = dimension_mixin(
    'subdivision', fields.Many2One('country.subdivision', "Region"))


class Region(RegionMixin, Abstract, ModelView):
    "The region of the invoice address"
    __name__ = 'crm.sales.analysis.region'
    __string__ = "Sales Analysis per Region"

    time_series = fields.One2Many(
        'crm.sales.analysis.region.time_series', 'subdivision',
        "Time Series")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('subdivision', 'ASC'))

    @classmethod
    def _column_id(cls, tables):
        line = tables['line']
        return line.subdivision


class RegionTimeseries(RegionMixin, AbstractTimeseries, ModelView):
    __name__ = 'crm.sales.analysis.region.time_series'
    __string__ = "Sales Analysis per Region and Period"
