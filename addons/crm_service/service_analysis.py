# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Service quality analysis (V5): compliance with the service levels and
customer satisfaction of the requests reported in a period, per category,
priority, assignee and month"""
import datetime as dt
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null, Values
from sql.aggregate import Avg, Count, Min
from sql.conditionals import Case, Coalesce
from sql.functions import Extract, Round

from trytond import backend
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.crm_sales.reporting import PeriodContextMixin
from trytond.pool import Pool
from trytond.transaction import Transaction

# Ratings from this one up are satisfied customers
SATISFIED_RATING = 4


def to_utc(date, timezone):
    "Return the naive UTC datetime of the local midnight starting date"
    value = dt.datetime.combine(date, dt.time())
    if timezone:
        value = value.replace(tzinfo=ZoneInfo(timezone)).astimezone(
            dt.timezone.utc).replace(tzinfo=None)
    return value


def context_period():
    """Return the company id, the from and to dates of the context and the
    time zone of the company; the dates default to the last year"""
    pool = Pool()
    Company = pool.get('company.company')
    Date = pool.get('ir.date')
    context = Transaction().context
    company_id = context.get('company')
    to_date = context.get('to_date') or Date.today()
    from_date = context.get('from_date') or (
        to_date - relativedelta(years=1))
    timezone = Company(company_id).timezone if company_id else None
    return company_id or -1, from_date, to_date, timezone


def months_table():
    """Return the query of the months of the period of the context, one row
    each, cut to the period: id (yyyymm), date (the first day of the month),
    first_day and last_day, previous_day (the day before first_day), start
    and end (the naive UTC datetimes of the local midnights around the
    days)"""
    _, from_date, to_date, timezone = context_period()
    rows = []
    month = from_date.replace(day=1)
    while month <= to_date:
        next_month = month + relativedelta(months=1)
        first_day = max(month, from_date)
        last_day = min(next_month - dt.timedelta(days=1), to_date)
        rows.append([
                month.year * 100 + month.month, month, first_day, last_day,
                first_day - dt.timedelta(days=1),
                to_utc(first_day, timezone),
                to_utc(last_day + dt.timedelta(days=1), timezone)])
        month = next_month
    where = Literal(True)
    if not rows:
        rows.append([None] * 7)
        where = Literal(False)
    months = Values(rows)

    def typed(column, sql_type):
        # The parameters of VALUES may have no type for PostgreSQL
        if backend.name == 'sqlite':
            return column
        return Cast(column, sql_type)
    return months.select(
        typed(months.column1, 'INTEGER').as_('id'),
        typed(months.column2, 'DATE').as_('date'),
        typed(months.column3, 'DATE').as_('first_day'),
        typed(months.column4, 'DATE').as_('last_day'),
        typed(months.column5, 'DATE').as_('previous_day'),
        typed(months.column6, 'TIMESTAMP').as_('start'),
        typed(months.column7, 'TIMESTAMP').as_('end'),
        where=where)


class Context(PeriodContextMixin, ModelView):
    __name__ = 'crm.service.analysis.context'
    __string__ = "Service Analysis Context"

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.from_date.help = (
            "The first day of the period, in the time zone of the company. "
            "Empty for a year before the end.")
        cls.to_date.help = "The last day of the period. Empty for today."


class Abstract(ModelSQL):
    "The figures of the requests reported in the period, cancelled excepted"

    company = fields.Many2One('company.company', "Company")
    request_count = fields.Integer(
        "Requests",
        help="The requests reported in the period, the cancelled ones "
        "excepted.")
    resolved_count = fields.Integer(
        "Resolved", help="The requests of the period resolved since.")
    response_on_time = fields.Integer(
        "Responses on Time",
        help="The requests answered (or resolved) before their response due "
        "date.")
    response_late = fields.Integer(
        "Late Responses",
        help="The requests answered after their response due date or still "
        "waiting for an answer past it.")
    response_rate = fields.Function(fields.Float(
            "Response Compliance", digits=(1, 4),
            help="The responses on time as a share of the requests whose "
            "response is due: answered or past due."),
        'get_rate')
    resolution_on_time = fields.Integer(
        "Resolutions on Time",
        help="The requests resolved before their resolution due date.")
    resolution_late = fields.Integer(
        "Late Resolutions",
        help="The requests resolved after their resolution due date or still "
        "open past it.")
    resolution_rate = fields.Function(fields.Float(
            "Resolution Compliance", digits=(1, 4),
            help="The resolutions on time as a share of the requests whose "
            "resolution is due: resolved or past due."),
        'get_rate')
    breached_count = fields.Integer(
        "Breached",
        help="The requests late for their response, their resolution or "
        "both.")
    resolution_hours = fields.Float(
        "Average Resolution Hours", digits=(16, 1),
        help="The average time from the report to the resolution of the "
        "resolved requests, in wall-clock hours: nights, week-ends and "
        "waiting for the customer included.")
    rated_count = fields.Integer(
        "Rated", help="The requests the customer rated.")
    rating = fields.Float(
        "Average Rating", digits=(1, 2),
        help="The average rating of the rated requests, from 1 to 5.")
    satisfied_count = fields.Integer(
        "Satisfied", help="The requests rated 4 or 5.")
    satisfaction = fields.Function(fields.Float(
            "Customer Satisfaction", digits=(1, 4),
            help="The ratings of 4 or 5 as a share of the ratings."),
        'get_rate')

    @classmethod
    def _request_condition(cls, request, start, end):
        "Return the condition of the requests of the company and period"
        company_id, *_ = context_period()
        return ((request.company == company_id)
            & (request.state != 'cancelled')
            & (request.reported_at >= start)
            & (request.reported_at < end))

    @classmethod
    def _per_record(cls, field_name):
        "The figures grouped by the request's Many2One field_name"
        pool = Pool()
        Request = pool.get('crm.service.request')
        request = Request.__table__()
        column = getattr(request, field_name)
        return request.select(
            column.as_('id'),
            column.as_(field_name),
            *cls._columns(request),
            where=cls._period_condition(request) & (column != Null),
            group_by=[column])

    @classmethod
    def _period_condition(cls, request):
        _, from_date, to_date, timezone = context_period()
        return cls._request_condition(request,
            to_utc(from_date, timezone),
            to_utc(to_date + dt.timedelta(days=1), timezone))

    @classmethod
    def _columns(cls, request):
        "Return the aggregated columns of the figures of the requests"
        company_id, *_ = context_period()
        # Still unanswered or unresolved requests are late once past due
        now = dt.datetime.now()
        # Resolving a request answers it
        responded_at = Coalesce(request.first_response_at, request.resolved_at)

        def on_time(done_at, due):
            return (due != Null) & (done_at != Null) & (done_at <= due)

        def late(done_at, due):
            return (due != Null) & (
                ((done_at != Null) & (done_at > due))
                | ((done_at == Null) & (due < now)))

        response_late = late(responded_at, request.response_due)
        resolution_late = late(request.resolved_at, request.resolution_due)
        resolved = request.resolved_at != Null
        hours = (Extract('EPOCH', request.resolved_at)
            - Extract('EPOCH', request.reported_at)) / 3600

        def count(condition=None):
            return Count(request.id, filter_=condition)

        def rounded(field, expression):
            # PostgreSQL rounds only numeric to digits
            return field.sql_cast(Round(
                    Cast(expression, 'NUMERIC'), field.digits[1]))
        return [
            cls.company.sql_cast(Literal(company_id)).as_('company'),
            count().as_('request_count'),
            count(resolved).as_('resolved_count'),
            count(on_time(responded_at, request.response_due)).as_(
                'response_on_time'),
            count(response_late).as_('response_late'),
            count(on_time(request.resolved_at, request.resolution_due)).as_(
                'resolution_on_time'),
            count(resolution_late).as_('resolution_late'),
            count(response_late | resolution_late).as_('breached_count'),
            rounded(cls.resolution_hours, Avg(hours, filter_=resolved)).as_(
                'resolution_hours'),
            count(request.rating != Null).as_('rated_count'),
            rounded(cls.rating, Avg(request.rating)).as_('rating'),
            count(request.rating >= SATISFIED_RATING).as_('satisfied_count'),
            ]

    def get_rate(self, name):
        done, total = {
            'response_rate': (
                self.response_on_time,
                self.response_on_time + self.response_late),
            'resolution_rate': (
                self.resolution_on_time,
                self.resolution_on_time + self.resolution_late),
            'satisfaction': (self.satisfied_count, self.rated_count),
            }[name]
        if total:
            return round(done / total, 4)


class Category(Abstract, ModelView):
    __name__ = 'crm.service.analysis.category'
    __string__ = "Service Analysis per Category"

    category = fields.Many2One('crm.service.category', "Category")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('category', 'ASC'))

    @classmethod
    def table_query(cls):
        return cls._per_record('category')

    def get_rec_name(self, name):
        return self.category.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('category.rec_name', *clause[1:])]


class Priority(Abstract, ModelView):
    __name__ = 'crm.service.analysis.priority'
    __string__ = "Service Analysis per Priority"

    priority = fields.Selection('get_priorities', "Priority")
    priority_string = priority.translated('priority')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The ids follow the order of the priorities, lowest first
        cls._order.insert(0, ('id', 'DESC'))

    @classmethod
    def get_priorities(cls):
        pool = Pool()
        Request = pool.get('crm.service.request')
        return Request.fields_get(['priority'])['priority']['selection']

    @classmethod
    def table_query(cls):
        pool = Pool()
        Request = pool.get('crm.service.request')
        request = Request.__table__()
        priority_id = Case(*((request.priority == value, i)
                for i, (value, _) in enumerate(cls.get_priorities(), 1)))
        return request.select(
            priority_id.as_('id'),
            request.priority.as_('priority'),
            *cls._columns(request),
            where=cls._period_condition(request)
            & (request.priority != Null),
            group_by=[request.priority])

    def get_rec_name(self, name):
        return self.priority_string


class Assignee(Abstract, ModelView):
    __name__ = 'crm.service.analysis.assignee'
    __string__ = "Service Analysis per Assignee"

    assignee = fields.Many2One('company.employee', "Assignee")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('assignee', 'ASC'))

    @classmethod
    def table_query(cls):
        return cls._per_record('assignee')

    def get_rec_name(self, name):
        return self.assignee.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('assignee.rec_name', *clause[1:])]


class Month(Abstract, ModelView):
    "Every month of the period, with or without requests"
    __name__ = 'crm.service.analysis.month'
    __string__ = "Service Analysis per Month"

    date = fields.Date("Month", help="The first day of the month.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'ASC'))

    @classmethod
    def table_query(cls):
        pool = Pool()
        Request = pool.get('crm.service.request')
        request = Request.__table__()
        months = months_table()
        return (months
            .join(request, 'LEFT', condition=cls._request_condition(
                    request, months.start, months.end))
            .select(
                Min(months.id).as_('id'),
                months.date.as_('date'),
                *cls._columns(request),
                group_by=[months.date]))

    def get_rec_name(self, name):
        return str(self.date)
