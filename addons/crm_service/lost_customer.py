# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Lost customers (V5): marked by hand with a reason, or found by the
inactivity of their purchases, won back when they buy again"""
import datetime as dt
import logging

from sql import Cast, Null
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Coalesce
from sql.functions import Function, Round

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice, reduce_ids, sqlite_apply_types
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .service_analysis import context_period

logger = logging.getLogger(__name__)

# The revenue a lost customer made in a year up to its last purchase
LOST_REVENUE_DAYS = 365


class _SQLiteJulianDay(Function):
    __slots__ = ()
    _function = 'JULIANDAY'


def days_between(start, end):
    "Return the SQL number of days from the start date to the end date"
    if backend.name == 'sqlite':
        return _SQLiteJulianDay(end) - _SQLiteJulianDay(start)
    return end - start


def purchases_query():
    """Return the query of the posted customer invoices that are purchases,
    credit notes left out: invoice, party and date"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    invoice = Invoice.__table__()
    # SQLite keeps the Decimal as bytes that compare above any number
    amount = Cast(Coalesce(invoice.untaxed_amount_cache, 0), 'NUMERIC')
    return invoice.select(
        invoice.id.as_('invoice'),
        invoice.party.as_('party'),
        invoice.invoice_date.as_('date'),
        where=(invoice.type == 'out')
        & Invoice.in_figures(invoice)
        & (amount > 0))


class Configuration(metaclass=PoolMeta):
    __name__ = 'crm.service.configuration'

    inactivity_days = fields.Integer(
        "Inactivity Days", required=True,
        help="The customers whose last purchase is older than this number "
        "of days are marked as lost each day, with the reason "
        "\"Inactivity\". 0 turns the detection off.")

    @classmethod
    def default_inactivity_days(cls):
        return 365

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if 'inactivity_days' in field_names:
            for configuration in configurations:
                if (configuration.inactivity_days or 0) < 0:
                    raise ValidationError(gettext(
                            'crm_service.msg_lost_inactivity_days_negative',
                            days=configuration.inactivity_days))


class LostReason(sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    "Why a customer stopped buying: the list the analysis groups losses by"
    __name__ = 'crm.service.lost_reason'
    __string__ = "Customer Loss Reason"

    name = fields.Char("Name", required=True, translate=True)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    lost_date = fields.Date(
        "Lost Date", readonly=True,
        help="When the customer was marked as lost, by hand or by the "
        "inactivity detection. Empty for a customer who is not lost.")
    lost_reason = fields.Many2One(
        'crm.service.lost_reason', "Loss Reason", readonly=True,
        ondelete='RESTRICT')
    lost_note = fields.Text("Loss Note", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'mark_lost': {
                    'invisible': Bool(Eval('lost_date')),
                    'depends': ['lost_date'],
                    },
                'win_back': {
                    'invisible': ~Eval('lost_date'),
                    'depends': ['lost_date'],
                    },
                })

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lost_date')
        default.setdefault('lost_reason')
        default.setdefault('lost_note')
        return super().copy(parties, default=default)

    @classmethod
    @ModelView.button_action('crm_service.wizard_mark_lost')
    def mark_lost(cls, parties):
        pass

    @classmethod
    @ModelView.button
    def win_back(cls, parties):
        cls.write(parties, {
                'lost_date': None,
                'lost_reason': None,
                'lost_note': None,
                })

    @classmethod
    def set_lost(cls, parties, date, reason, note=None):
        "Mark the parties as lost on date for reason"
        pool = Pool()
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        if not reason:
            raise ValidationError(gettext(
                    'crm_service.msg_lost_reason_required'))
        if date > Date.today():
            raise ValidationError(gettext(
                    'crm_service.msg_lost_date_future',
                    date=lang.strftime(date)))
        # Buying after the loss wins the customer back: refuse the contrary
        last_purchases = cls._last_purchases(parties)
        for party in parties:
            last_date = last_purchases.get(party.id)
            if last_date and last_date > date:
                raise ValidationError(gettext(
                        'crm_service.msg_lost_date_before_purchase',
                        party=party.rec_name,
                        date=lang.strftime(date),
                        purchase=lang.strftime(last_date)))
        cls.write(parties, {
                'lost_date': date,
                'lost_reason': reason.id,
                'lost_note': note,
                })

    @classmethod
    def _last_purchases(cls, parties):
        "Return the date of the last purchase of each party id"
        cursor = Transaction().connection.cursor()
        purchases = purchases_query()
        result = {}
        for sub_parties in grouped_slice(parties):
            query = purchases.select(
                purchases.party.as_('party'),
                Max(purchases.date).as_('date'),
                where=reduce_ids(
                    purchases.party, [p.id for p in sub_parties]),
                group_by=[purchases.party])
            if backend.name == 'sqlite':
                sqlite_apply_types(query, [None, 'DATE'])
            cursor.execute(*query)
            result.update(cursor)
        return result

    @classmethod
    def detect_lost_customers(cls):
        """Win back the lost customers who bought after their loss and mark
        as lost the customers without purchase for the inactivity days of
        the configuration"""
        pool = Pool()
        Configuration = pool.get('crm.service.configuration')
        Date = pool.get('ir.date')
        ModelData = pool.get('ir.model.data')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        party = cls.__table__()
        purchases = purchases_query()
        last_purchases = purchases.select(
            purchases.party.as_('party'),
            Max(purchases.date).as_('date'),
            group_by=[purchases.party])
        columns = [party.lost_date, party.lost_reason, party.lost_note]

        cursor.execute(*party.update(columns, [Null, Null, Null],
                from_=[last_purchases],
                where=(party.id == last_purchases.party)
                & (party.lost_date != Null)
                & (last_purchases.date > party.lost_date)))
        won_back = cursor.rowcount

        lost = 0
        days = Configuration(1).inactivity_days
        if days:
            today = Date.today()
            limit = today - dt.timedelta(days=days)
            reason_id = ModelData.get_id(
                'crm_service', 'lost_reason_inactivity')
            cursor.execute(*party.update(columns, [today, reason_id, Null],
                    where=(party.lost_date == Null)
                    & party.id.in_(last_purchases.select(
                            last_purchases.party,
                            where=last_purchases.date < limit))))
            lost = cursor.rowcount
        logger.info("lost customers: %s won back, %s inactive", won_back, lost)
        # The records of the transaction cache hold the former values
        transaction.counter += 1


class MarkLost(Wizard):
    "Mark the selected customers as lost"
    __name__ = 'crm.service.mark_lost'

    start = StateView(
        'crm.service.mark_lost.start',
        'crm_service.mark_lost_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Mark as Lost", 'mark', 'tryton-ok', default=True),
            ])
    mark = StateTransition()

    def transition_mark(self):
        pool = Pool()
        Party = pool.get('party.party')
        Party.set_lost(
            self.records, self.start.date, self.start.reason, self.start.note)
        return 'end'


class MarkLostStart(ModelView):
    __name__ = 'crm.service.mark_lost.start'
    __string__ = "Mark as Lost"

    date = fields.Date(
        "Date", required=True, help="When the customer was lost.")
    reason = fields.Many2One(
        'crm.service.lost_reason', "Reason", required=True)
    note = fields.Text("Note", help="The details of the loss.")

    @classmethod
    def default_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()


class LostReasonAnalysis(ModelSQL, ModelView):
    "The customers lost in the period and what they bought, per reason"
    __name__ = 'crm.service.lost_reason.analysis'
    __string__ = "Lost Customers per Reason"

    company = fields.Many2One('company.company', "Company")
    currency = fields.Many2One('currency.currency', "Currency")
    reason = fields.Many2One('crm.service.lost_reason', "Reason")
    customer_count = fields.Integer(
        "Customers", help="The customers lost in the period.")
    lost_revenue = Monetary(
        "Lost Revenue", currency='currency', digits='currency',
        help="The revenue the customers made in the year up to their last "
        "purchase before the loss, as in the sales analysis: what they "
        "brought in a year.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('customer_count', 'DESC'))

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Party = pool.get('party.party')
        SalesAnalysis = pool.get('crm.sales.analysis.main')
        company_id, from_date, to_date, _ = context_period()
        party = Party.__table__()
        company = Company.__table__()
        currency = Currency.__table__()
        lines = SalesAnalysis._lines()
        later_lines = SalesAnalysis._lines()

        lost = (party
            .join(lines, 'LEFT',
                condition=(lines.customer == party.id)
                & (lines.date <= party.lost_date)
                & (lines.revenue > 0))
            .select(
                party.id.as_('party'),
                party.lost_reason.as_('reason'),
                Max(lines.date).as_('last_date'),
                where=(party.lost_date >= from_date)
                & (party.lost_date <= to_date)
                & (party.lost_reason != Null),
                group_by=[party.id, party.lost_reason]))
        revenues = (lost
            .join(later_lines, 'LEFT',
                condition=(later_lines.customer == lost.party)
                & (later_lines.date <= lost.last_date)
                & (days_between(later_lines.date, lost.last_date)
                    < LOST_REVENUE_DAYS))
            .select(
                lost.party.as_('party'),
                lost.reason.as_('reason'),
                Coalesce(Sum(later_lines.revenue), 0).as_('revenue'),
                group_by=[lost.party, lost.reason]))
        return (revenues
            .join(company, condition=company.id == company_id)
            .join(currency, condition=company.currency == currency.id)
            .select(
                revenues.reason.as_('id'),
                company.id.as_('company'),
                currency.id.as_('currency'),
                revenues.reason.as_('reason'),
                Count(revenues.party).as_('customer_count'),
                Round(cls.lost_revenue.sql_cast(Sum(revenues.revenue)),
                    currency.digits).as_('lost_revenue'),
                group_by=[
                    revenues.reason, company.id, currency.id,
                    currency.digits]))

    def get_rec_name(self, name):
        return self.reason.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('reason.rec_name', *clause[1:])]


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('party.party|detect_lost_customers', "Detect Lost Customers"))
