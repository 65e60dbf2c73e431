# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The queries of the KPIs (K1): one set-based query per kind for all the
employees of a period in the context company, grouped by employee"""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sql import Literal, Null, Window
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import RowNumber
from sql.operators import Exists

from trytond.model import fields
from trytond.pool import Pool
from trytond.tools import timezone as tz
from trytond.transaction import Transaction

CENT = Decimal('0.01')


def rounded(value):
    "Return the SQL number value as Decimal rounded to the cent"
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(numerator, denominator, factor=1):
    "Return numerator ÷ denominator × factor rounded, None without basis"
    if not denominator:
        return None
    return rounded(Decimal(numerator) * factor / Decimal(denominator))


class KpiMeasureMixin:
    """The measures of crm.kpi: _measure_<kind>(employee_ids, start_date,
    end_date) runs one query for the employees of the context company and
    returns the rows (employee id, value); an employee without row has no
    data"""
    __slots__ = ()

    @classmethod
    def _company(cls):
        pool = Pool()
        Company = pool.get('company.company')
        return Company(Transaction().context['company'])

    @classmethod
    def _utc_bounds(cls, start_date, end_date):
        """Return the naive UTC datetimes of start_date 00:00 and of the day
        after end_date 00:00 in the company's time zone"""
        company = cls._company()
        timezone = tz.get_tzinfo(company.timezone or 'UTC')

        def utc(date):
            moment = dt.datetime.combine(date, dt.time(), tzinfo=timezone)
            return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return utc(start_date), utc(end_date + dt.timedelta(days=1))

    @classmethod
    def _execute(cls, query):
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return cursor

    @classmethod
    def _revenue_lines(cls):
        """Return the query of the posted customer invoice lines of the
        context company with their salesperson (S5), revenue and cost in the
        company's currency, as the sales analysis counts them"""
        pool = Pool()
        Analysis = pool.get('crm.sales.analysis.main')
        return Analysis._lines()

    @classmethod
    def _measure_revenue_invoiced(cls, employee_ids, start_date, end_date):
        line = cls._revenue_lines()
        query = line.select(
            line.salesperson, Sum(line.revenue),
            where=fields.SQL_OPERATORS['in'](line.salesperson, employee_ids)
            & (line.date >= start_date) & (line.date <= end_date),
            group_by=[line.salesperson])
        return [(e, rounded(v)) for e, v in cls._execute(query)]

    @classmethod
    def _measure_gross_margin(cls, employee_ids, start_date, end_date):
        line = cls._revenue_lines()
        query = line.select(
            line.salesperson, Sum(line.revenue - line.cost),
            where=fields.SQL_OPERATORS['in'](line.salesperson, employee_ids)
            & (line.date >= start_date) & (line.date <= end_date),
            group_by=[line.salesperson])
        return [(e, rounded(v)) for e, v in cls._execute(query)]

    @classmethod
    def _paid_dates(cls):
        """Return the query of the paid customer invoices of the context
        company with the date they were paid: the latest reconciliation of
        their lines to pay, rescheduled ones included"""
        pool = Pool()
        AdditionalMove = pool.get('account.invoice-additional-account.move')
        Invoice = pool.get('account.invoice')
        MoveLine = pool.get('account.move.line')
        Reconciliation = pool.get('account.move.reconciliation')
        company_id = Transaction().context['company']

        def reconciled(move_of):
            invoice = Invoice.__table__()
            line = MoveLine.__table__()
            reconciliation = Reconciliation.__table__()
            delegate = MoveLine.__table__()
            delegate_reconciliation = Reconciliation.__table__()
            from_item, move = move_of(invoice)
            return (from_item
                .join(line, condition=(line.move == move)
                    & (line.account == invoice.account))
                .join(reconciliation,
                    condition=line.reconciliation == reconciliation.id)
                # a reconciliation delegated to another line is as old as
                # the reconciliation of that line
                .join(delegate, 'LEFT',
                    condition=reconciliation.delegate_to == delegate.id)
                .join(delegate_reconciliation, 'LEFT',
                    condition=delegate.reconciliation
                    == delegate_reconciliation.id)
                .select(
                    invoice.id.as_('invoice'),
                    Coalesce(delegate_reconciliation.date,
                        reconciliation.date).as_('date'),
                    where=(invoice.type == 'out')
                    & (invoice.state == 'paid')
                    & (invoice.company == company_id)))

        def own_move(invoice):
            return invoice, invoice.move

        def additional_move(invoice):
            additional = AdditionalMove.__table__()
            return (invoice.join(additional,
                    condition=additional.invoice == invoice.id),
                additional.move)

        dates = reconciled(own_move) | reconciled(additional_move)
        return dates.select(
            dates.invoice, Max(dates.date).as_('date'),
            group_by=[dates.invoice])

    @classmethod
    def _measure_revenue_paid(cls, employee_ids, start_date, end_date):
        line = cls._revenue_lines()
        paid = cls._paid_dates()
        query = (line
            .join(paid, condition=line.invoice == paid.invoice)
            .select(
                line.salesperson, Sum(line.revenue),
                where=fields.SQL_OPERATORS['in'](
                    line.salesperson, employee_ids)
                & (paid.date >= start_date) & (paid.date <= end_date),
                group_by=[line.salesperson]))
        return [(e, rounded(v)) for e, v in cls._execute(query)]

    @classmethod
    def _measure_new_customers(cls, employee_ids, start_date, end_date):
        """Count the parties whose first ever posted customer invoice is
        dated in the period, for the salesperson of its first line"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        invoice = Invoice.__table__()
        line = InvoiceLine.__table__()
        first_line = InvoiceLine.__table__()
        company_id = Transaction().context['company']

        window = Window([invoice.party],
            order_by=[invoice.invoice_date.asc, invoice.id.asc])
        ranked = invoice.select(
            invoice.party, invoice.id, invoice.invoice_date,
            RowNumber(window=window).as_('rank'),
            where=(invoice.type == 'out')
            & Invoice.in_figures(invoice)
            & (invoice.company == company_id))
        attributed = (ranked
            .join(line, condition=(line.invoice == ranked.id)
                & (line.type == 'line') & (line.salesperson != Null))
            .select(
                ranked.party, Min(line.id).as_('line'),
                where=(ranked.rank == 1)
                & (ranked.invoice_date >= start_date)
                & (ranked.invoice_date <= end_date),
                group_by=[ranked.party]))
        query = (attributed
            .join(first_line, condition=first_line.id == attributed.line)
            .select(
                first_line.salesperson, Count(attributed.party),
                where=fields.SQL_OPERATORS['in'](
                    first_line.salesperson, employee_ids),
                group_by=[first_line.salesperson]))
        return [(e, Decimal(v)) for e, v in cls._execute(query)]

    @classmethod
    def _count_contracts(cls, date_column, employee_ids, start_date, end_date,
            renewed=False):
        """Count the contracts of the customers of each account manager with
        the date column in the period"""
        pool = Pool()
        Party = pool.get('party.party')
        Subscription = pool.get('sale.subscription')
        contract = Subscription.__table__()
        renewal = Subscription.__table__()
        party = Party.__table__()
        company_id = Transaction().context['company']

        date = getattr(contract, date_column)
        where = (fields.SQL_OPERATORS['in'](
                party.account_manager, employee_ids)
            & (contract.company == company_id)
            & (date >= start_date) & (date <= end_date))
        if renewed:
            # the date stays when the renewal is cancelled
            where &= Exists(renewal.select(Literal(1),
                    where=(renewal.renewal_of == contract.id)
                    & (renewal.state != 'cancelled')))
        query = (contract
            .join(party, condition=contract.party == party.id)
            .select(
                party.account_manager, Count(contract.id),
                where=where,
                group_by=[party.account_manager]))
        return [(e, Decimal(v)) for e, v in cls._execute(query)]

    @classmethod
    def _measure_contracts_extended(cls, employee_ids, start_date, end_date):
        return cls._count_contracts('renewal_date',
            employee_ids, start_date, end_date, renewed=True)

    @classmethod
    def _measure_contracts_terminated(
            cls, employee_ids, start_date, end_date):
        return cls._count_contracts('terminated_date',
            employee_ids, start_date, end_date)

    @classmethod
    def _measure_feedback_rating(cls, employee_ids, start_date, end_date):
        "Average the ratings of the requests resolved in the period"
        pool = Pool()
        Party = pool.get('party.party')
        Request = pool.get('crm.service.request')
        request = Request.__table__()
        party = Party.__table__()
        company_id = Transaction().context['company']
        start, end = cls._utc_bounds(start_date, end_date)

        query = (request
            .join(party, condition=request.party == party.id)
            .select(
                party.account_manager,
                Sum(request.rating), Count(request.id),
                where=fields.SQL_OPERATORS['in'](
                    party.account_manager, employee_ids)
                & (request.company == company_id)
                & (request.rating != Null)
                & (request.resolved_at >= start)
                & (request.resolved_at < end),
                group_by=[party.account_manager]))
        return [(e, ratio(total, number))
            for e, total, number in cls._execute(query)]

    @classmethod
    def _measure_activities_done(cls, employee_ids, start_date, end_date):
        pool = Pool()
        Activity = pool.get('crm.activity')
        activity = Activity.__table__()
        company_id = Transaction().context['company']
        start, end = cls._utc_bounds(start_date, end_date)

        query = activity.select(
            activity.employee, Count(activity.id),
            where=fields.SQL_OPERATORS['in'](activity.employee, employee_ids)
            & (activity.company == company_id)
            & (activity.state == 'done')
            & (activity.done_date >= start) & (activity.done_date < end),
            group_by=[activity.employee])
        return [(e, Decimal(v)) for e, v in cls._execute(query)]

    @classmethod
    def _measure_contact_compliance(
            cls, employee_ids, start_date, end_date):
        """Percent of the active customers of each account manager governed
        by a contact rule (S8) who were not overdue at the end of the period
        (or now, for the current period): contacts done later do not
        count"""
        pool = Pool()
        Activity = pool.get('crm.activity')
        Party = pool.get('party.party')
        Rule = pool.get('crm.contact.rule')
        party = Party.__table__()
        done = Activity.__table__()
        company_id = Transaction().context['company']
        _, end = cls._utc_bounds(start_date, end_date)
        at = min(end, dt.datetime.now().replace(microsecond=0))

        rules = Rule._rules_of_companies([company_id])
        if not rules:
            return []
        governing = Rule._governing_query(rules)
        # the limits are computed here: date arithmetic differs by backend
        since = Case(*((governing.rule == r.id,
                    at - dt.timedelta(days=r.interval_days))
                for r in rules))
        contacted = done.select(Literal(1),
            where=(done.party == governing.party)
            & (done.company == governing.company)
            & (done.state == 'done')
            & (done.done_date >= since) & (done.done_date < at))
        query = (governing
            .join(party, condition=governing.party == party.id)
            .select(
                party.account_manager,
                Sum(Case((Exists(contacted), Literal(1)), else_=Literal(0))),
                Count(governing.party),
                where=fields.SQL_OPERATORS['in'](
                    party.account_manager, employee_ids)
                & (governing.company == company_id)
                & party.active,
                group_by=[party.account_manager]))
        return [(e, ratio(compliant, number, 100))
            for e, compliant, number in cls._execute(query)]

    @classmethod
    def _measure_win_rate(cls, employee_ids, start_date, end_date):
        "Percent of won among the opportunities won or lost in the period"
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        opportunity = Opportunity.__table__()
        company_id = Transaction().context['company']

        query = opportunity.select(
            opportunity.employee,
            Sum(Case((opportunity.state == 'won', Literal(1)),
                    else_=Literal(0))),
            Count(opportunity.id),
            where=fields.SQL_OPERATORS['in'](
                opportunity.employee, employee_ids)
            & (opportunity.company == company_id)
            & opportunity.state.in_(['won', 'lost'])
            & (opportunity.end_date >= start_date)
            & (opportunity.end_date <= end_date),
            group_by=[opportunity.employee])
        return [(e, ratio(won, number, 100))
            for e, won, number in cls._execute(query)]
