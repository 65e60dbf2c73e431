# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""ABC and RFM classification of the customers (M1)

Both are computed from the posted customer invoices (and credit notes) of the
company of the context, in the company's currency, for all customers at once
by set-based SQL: no query per party."""
import datetime as dt
import logging
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null, Union, Window
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Rank

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

logger = logging.getLogger(__name__)

# ABC classes by revenue over this window, as DESIGN §5 M1 says
ABC_MONTHS = 12
ABC_CLASSES = [
    (None, ""),
    ('A', "A"),
    ('B', "B"),
    ('C', "C"),
    ]


def sql_numeric(value):
    "A numeric parameter: SQLite would compare a bound Decimal as a blob"
    return Cast(Literal(value), 'NUMERIC')


class Configuration(metaclass=PoolMeta):
    __name__ = 'crm.marketing.configuration'

    abc_a_share = fields.Numeric(
        "Class A Share", digits=(5, 2), required=True,
        help="The share of the revenue, in %, made by the customers of "
        "class A: a customer is of class A while the share of the customers "
        "before it is below this figure.")
    abc_b_share = fields.Numeric(
        "Class B Share", digits=(5, 2), required=True,
        help="The share of the revenue, in %, made by the customers of "
        "class B, after those of class A. The others are of class C.")
    rfm_months = fields.Integer(
        "RFM Months", required=True,
        help="The number of months over which the frequency and the "
        "monetary value of RFM are counted. "
        "The recency counts from the last invoice whenever it was.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'classify_customers': {},
                })

    @classmethod
    def default_abc_a_share(cls):
        return Decimal(80)

    @classmethod
    def default_abc_b_share(cls):
        return Decimal(15)

    @classmethod
    def default_rfm_months(cls):
        return 12

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if field_names & {'abc_a_share', 'abc_b_share', 'rfm_months'}:
            for configuration in configurations:
                configuration.check_classification()

    def check_classification(self):
        pool = Pool()
        Lang = pool.get('ir.lang')
        a, b = self.abc_a_share, self.abc_b_share
        if a is not None and b is not None and not (
                a > 0 and b >= 0 and a + b < 100):
            lang = Lang.get()
            raise ValidationError(gettext(
                    'crm_marketing.msg_classification_abc_shares',
                    a=lang.format_number(a, digits=2),
                    b=lang.format_number(b, digits=2)))
        if self.rfm_months is not None and self.rfm_months < 1:
            raise ValidationError(gettext(
                    'crm_marketing.msg_classification_rfm_months',
                    months=self.rfm_months))

    @classmethod
    @ModelView.button
    def classify_customers(cls, configurations):
        pool = Pool()
        Party = pool.get('party.party')
        Party.classify_customers()


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    abc_class = fields.Selection(
        ABC_CLASSES, "ABC Class", readonly=True, sort=False,
        help="A: the customers making the first part of the revenue of the "
        "last 12 months, B: the next part, C: the rest and the former "
        "customers without revenue in these months.")
    rfm_recency = fields.Integer(
        "Recency", readonly=True,
        help="The RFM score of the date of the last invoice, "
        "from 1 (longest ago) to 5 (most recent).")
    rfm_frequency = fields.Integer(
        "Frequency", readonly=True,
        help="The RFM score of the number of invoices, "
        "from 1 (fewest) to 5 (most).")
    rfm_monetary = fields.Integer(
        "Monetary", readonly=True,
        help="The RFM score of the revenue, "
        "from 1 (least) to 5 (most).")
    classified_at = fields.DateTime(
        "Classified at", readonly=True,
        help="When the ABC class and the RFM scores were computed.")

    @classmethod
    def _classification_invoices(cls, company_id, date):
        """Return the query of the posted customer invoices of the company
        up to the date: invoice (id), party, date and amount (untaxed, in the
        company's currency, negative for credit notes)"""
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Invoice = pool.get('account.invoice')
        company = Company.__table__()
        invoice_rate = Currency.currency_rate_sql()
        company_rate = Currency.currency_rate_sql()

        def rate_at(rate, currency, invoice):
            return ((rate.currency == currency)
                & (rate.start_date <= invoice.invoice_date)
                & ((rate.end_date == Null)
                    | (rate.end_date > invoice.invoice_date)))

        def select(invoice, from_, amount, where):
            # SQLite keeps the Decimal as text that compares above any number
            amount = Cast(Coalesce(amount, 0), 'NUMERIC')
            return from_.select(
                invoice.id.as_('invoice'),
                invoice.party.as_('party'),
                invoice.invoice_date.as_('date'),
                amount.as_('amount'),
                where=where
                & (invoice.type == 'out')
                & Invoice.in_figures(invoice)
                & (invoice.company == company_id)
                & (invoice.invoice_date <= date))

        # The invoices in the company's currency need no rate: joining the
        # rates to them would cost more than the rest of the query
        invoice = Invoice.__table__()
        same = select(invoice,
            invoice.join(company, condition=invoice.company == company.id),
            invoice.untaxed_amount_cache,
            invoice.currency == company.currency)
        invoice = Invoice.__table__()
        foreign = select(invoice,
            invoice
            .join(company, condition=invoice.company == company.id)
            .join(invoice_rate, 'LEFT',
                condition=rate_at(invoice_rate, invoice.currency, invoice))
            .join(company_rate, 'LEFT',
                condition=rate_at(company_rate, company.currency, invoice)),
            invoice.untaxed_amount_cache * company_rate.rate
            / invoice_rate.rate,
            invoice.currency != company.currency)
        return Union(same, foreign, all_=True)

    @classmethod
    def _abc_start(cls, date):
        "Return the first day of the window of the ABC revenue"
        return date - relativedelta(months=ABC_MONTHS) + dt.timedelta(days=1)

    @classmethod
    def _customer_statistics(cls, company_id, date, rfm_start):
        """Return the query of the figures per customer having bought at
        least once: party, revenue (ABC window), frequency and monetary
        (RFM window) and last_date (last invoice)"""
        invoices = cls._classification_invoices(company_id, date)
        abc_start = cls._abc_start(date)
        sale = invoices.amount > 0
        return invoices.select(
            invoices.party.as_('party'),
            Coalesce(Sum(invoices.amount,
                    filter_=invoices.date >= abc_start), 0).as_('revenue'),
            Count(invoices.invoice,
                filter_=sale & (invoices.date >= rfm_start)).as_('frequency'),
            Coalesce(Sum(invoices.amount,
                    filter_=invoices.date >= rfm_start), 0).as_('monetary'),
            Max(invoices.date, filter_=sale).as_('last_date'),
            group_by=invoices.party,
            having=Count(invoices.invoice, filter_=sale) > 0)

    @classmethod
    def _classification_query(cls, company_id, date):
        """Return the query of the party, abc_class, rfm_recency,
        rfm_frequency and rfm_monetary of each customer having bought"""
        pool = Pool()
        Configuration = pool.get('crm.marketing.configuration')
        config = Configuration(1)
        rfm_start = (date - relativedelta(months=config.rfm_months)
            + dt.timedelta(days=1))
        stats = cls._customer_statistics(company_id, date, rfm_start)

        # The customers by decreasing revenue, the party breaking ties so the
        # result does not depend on the plan
        positive = Case((stats.revenue > 0, stats.revenue), else_=0)
        running = Window([],
            order_by=[stats.revenue.desc, stats.party.asc],
            frame='ROWS', start=None, end=0)
        everyone = Window([])

        def score(column):
            # Quintile of the rank, worst first: tied customers share the
            # score, which NTILE would split arbitrarily
            rank = Rank(window=Window([], order_by=[column.asc]))
            return (rank - 1) * 5 / Count(stats.party, window=everyone) + 1

        ranked = stats.select(
            stats.party.as_('party'),
            stats.revenue.as_('revenue'),
            (Sum(positive, window=running) - positive).as_('before'),
            Sum(positive, window=everyone).as_('total'),
            score(stats.last_date).as_('recency'),
            score(stats.frequency).as_('frequency'),
            score(stats.monetary).as_('monetary'))

        a_share = sql_numeric(config.abc_a_share)
        ab_share = sql_numeric(config.abc_a_share + config.abc_b_share)
        # A customer is of class A while the revenue of the customers before
        # it is below the A share: the one crossing the threshold is A too
        abc_class = Case(
            (ranked.revenue <= 0, 'C'),
            (ranked.before * 100 < a_share * ranked.total, 'A'),
            (ranked.before * 100 < ab_share * ranked.total, 'B'),
            else_='C')
        return ranked.select(
            ranked.party.as_('party'),
            abc_class.as_('abc_class'),
            ranked.recency.as_('recency'),
            ranked.frequency.as_('frequency'),
            ranked.monetary.as_('monetary'))

    @classmethod
    def classify_customers(cls):
        """Compute the ABC class and the RFM scores of all the parties for
        the company of the context, or for each company without one (the
        last wins for the customers of several companies); parties without
        invoice get none"""
        pool = Pool()
        Company = pool.get('company.company')
        transaction = Transaction()
        company_id = transaction.context.get('company')
        if company_id:
            cls._classify_customers(company_id)
        else:
            for company in Company.search([], order=[('id', 'ASC')]):
                with transaction.set_context(company=company.id):
                    cls._classify_customers(company.id)

    @classmethod
    def _classify_customers(cls, company_id):
        pool = Pool()
        Date = pool.get('ir.date')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        party = cls.__table__()
        query = cls._classification_query(company_id, Date.today())
        columns = [
            party.abc_class, party.rfm_recency, party.rfm_frequency,
            party.rfm_monetary, party.classified_at]
        # One stamp for the whole pass, to the second as the column keeps it
        # (TIMESTAMP(0) on PostgreSQL): the parties it does not stamp have no
        # invoice any more
        now = dt.datetime.now().replace(microsecond=0)
        cursor.execute(*party.update(columns, [
                    query.abc_class, query.recency, query.frequency,
                    query.monetary, now],
                from_=[query],
                where=party.id == query.party))
        cursor.execute(*party.update(columns, [Null] * len(columns),
                where=(party.classified_at != Null)
                & (party.classified_at != now)))
        logger.info("classified the customers of company %s", company_id)
        # The records of the transaction cache hold the former values
        transaction.counter += 1


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('party.party|classify_customers', "Classify Customers"))
