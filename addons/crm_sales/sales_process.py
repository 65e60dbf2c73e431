# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Sales process templates (типовая модель сбыта) and the activities they plan"
import datetime as dt
from zoneinfo import ZoneInfo

from sql import Null
from sql.aggregate import Count

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .activity import TYPES

# The hour of a step planned without one, in the company's time zone
DEFAULT_TIME = dt.time(10, 0)
# The opportunities whose plan is over
CLOSED_STATES = ['won', 'lost', 'cancelled']


def add_working_days(date, days):
    "Return the working day (Monday to Friday) days working days after date"
    # A start on a weekend counts from the next Monday
    while date.weekday() >= 5:
        date += dt.timedelta(days=1)
    weeks, days = divmod(days, 5)
    date += dt.timedelta(weeks=weeks)
    while days:
        date += dt.timedelta(days=1)
        if date.weekday() < 5:
            days -= 1
    return date


def working_days_between(start, end):
    "Return the number of working days from start to end, 0 if end is before"
    while start.weekday() >= 5:
        start += dt.timedelta(days=1)
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    days = weeks * 5
    for i in range(1, rest + 1):
        if (start + dt.timedelta(days=i)).weekday() < 5:
            days += 1
    return days


def to_utc(date, time, timezone):
    "Return the naive UTC datetime of the local time on date in timezone"
    value = dt.datetime.combine(date, time)
    if timezone:
        value = value.replace(tzinfo=ZoneInfo(timezone)).astimezone(
            dt.timezone.utc).replace(tzinfo=None)
    return value


def local_date(value, timezone):
    "Return the local date in timezone of the naive UTC datetime value"
    if timezone:
        value = value.replace(tzinfo=dt.timezone.utc).astimezone(
            ZoneInfo(timezone))
    return value.date()


class SalesProcess(DeactivableMixin, ModelSQL, ModelView):
    "An ordered list of the activities that lead a deal to the sale"
    __name__ = 'crm.sales.process'
    __string__ = "Sales Process"
    name = fields.Char("Name", required=True, translate=True)
    company = fields.Many2One('company.company', "Company", required=True)
    description = fields.Text("Description")
    steps = fields.One2Many('crm.sales.process.step', 'process', "Steps")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class SalesProcessStep(sequence_ordered(), ModelSQL, ModelView):
    "A step of a sales process: the activity it plans, when and for whom"
    __name__ = 'crm.sales.process.step'
    __string__ = "Sales Process Step"
    process = fields.Many2One(
        'crm.sales.process', "Sales Process", required=True,
        ondelete='CASCADE')
    name = fields.Char(
        "Name", required=True, translate=True,
        help="The subject of the planned activity.")
    type = fields.Selection(TYPES, "Type", required=True, sort=False)
    offset_days = fields.Integer(
        "Offset (Working Days)", required=True,
        domain=[
            ('offset_days', '>=', 0),
            ],
        help="The number of working days (Monday to Friday) between the "
        "start date of the opportunity and the activity; "
        "a start on a weekend counts from the next Monday.")
    planned_time = fields.Time(
        "Planned Time",
        help="The local time of the activity in the company's time zone.\n"
        "Leave empty for 10:00.")
    responsible = fields.Selection([
            ('account_manager', "Account Manager"),
            ('opportunity_employee', "Opportunity Employee"),
            ('employee', "Employee"),
            ], "Responsible", required=True, sort=False,
        help="Who the activity is planned for: the customer's account "
        "manager, the employee of the opportunity or a named employee.")
    responsible_string = responsible.translated('responsible')
    employee = fields.Many2One(
        'company.employee', "Employee",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'required': Eval('responsible') == 'employee',
            'invisible': Eval('responsible') != 'employee',
            })
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('process')

    @classmethod
    def default_type(cls):
        return 'call'

    @classmethod
    def default_offset_days(cls):
        return 0

    @classmethod
    def default_planned_time(cls):
        return DEFAULT_TIME

    @classmethod
    def default_responsible(cls):
        return 'opportunity_employee'

    @fields.depends('process', '_parent_process.company')
    def on_change_with_company(self, name=None):
        return self.process.company if self.process else None

    @fields.depends('responsible', 'employee')
    def on_change_responsible(self):
        if self.responsible != 'employee':
            self.employee = None

    def get_employee(self, opportunity):
        "Return the employee of the activity planned for opportunity"
        if self.responsible == 'account_manager':
            return opportunity.party.account_manager
        elif self.responsible == 'opportunity_employee':
            return opportunity.employee
        return self.employee

    def get_activity(self, opportunity):
        "Return the values of the activity planned for opportunity"
        employee = self.get_employee(opportunity)
        if not employee:
            raise UserError(gettext(
                    'crm_sales.msg_sales_process_no_employee',
                    step=self.rec_name,
                    opportunity=opportunity.rec_name,
                    responsible=self.responsible_string))
        date = add_working_days(opportunity.start_date, self.offset_days)
        return {
            'company': opportunity.company.id,
            'party': opportunity.party.id,
            'employee': employee.id,
            'type': self.type,
            # The steps are what the company does to move the deal on
            'direction': 'internal' if self.type == 'task' else 'outgoing',
            'subject': self.name,
            'planned_date': to_utc(
                date, self.planned_time or DEFAULT_TIME,
                opportunity.company.timezone),
            'origin': str(opportunity),
            'process_step': self.id,
            }


class Activity(metaclass=PoolMeta):
    __name__ = 'crm.activity'
    process_step = fields.Many2One(
        'crm.sales.process.step', "Sales Process Step",
        ondelete='SET NULL', readonly=True,
        help="The step of the sales process that planned the activity.")


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'
    sales_process = fields.Many2One(
        'crm.sales.process', "Sales Process",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state').in_(CLOSED_STATES),
            },
        help="The template of the activities that lead the deal to the sale.")
    plan_progress = fields.Function(
        fields.Float(
            "Plan Progress", digits=(1, 4),
            help="The share of the planned activities of the sales process "
            "that are done; cancelled ones are left out."),
        'get_plan_figures')
    plan_overdue = fields.Function(
        fields.Integer(
            "Overdue Steps",
            help="The number of activities of the sales process still "
            "planned for a date that has passed."),
        'get_plan_figures')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'apply_sales_process': {
                    'invisible': (~Eval('sales_process')
                        | Eval('state').in_(CLOSED_STATES)),
                    'icon': 'tryton-launch',
                    'depends': ['sales_process', 'state'],
                    },
                'create_sales_process': {
                    'invisible': Eval('state') != 'won',
                    'icon': 'tryton-copy',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def get_plan_figures(cls, opportunities, names):
        pool = Pool()
        Activity = pool.get('crm.activity')
        activity = Activity.__table__()
        cursor = Transaction().connection.cursor()
        now = dt.datetime.now()

        progress = dict.fromkeys(map(int, opportunities))
        overdue = dict.fromkeys(map(int, opportunities), 0)
        for sub_opportunities in grouped_slice(
                opportunities, backend.MAX_QUERY_PARAMS):
            origins = {str(o): o.id for o in sub_opportunities}
            cursor.execute(*activity.select(
                    activity.origin,
                    Count(activity.id, filter_=activity.state == 'done'),
                    Count(activity.id,
                        filter_=activity.state != 'cancelled'),
                    Count(activity.id,
                        filter_=(activity.state == 'planned')
                        & (activity.planned_date < now)),
                    where=activity.origin.in_(list(origins))
                    & (activity.process_step != Null),
                    group_by=activity.origin))
            for origin, done, planned, late in cursor:
                opportunity_id = origins[origin]
                if planned:
                    progress[opportunity_id] = round(done / planned, 4)
                overdue[opportunity_id] = late
        result = {
            'plan_progress': progress,
            'plan_overdue': overdue,
            }
        return {n: result[n] for n in names}

    @classmethod
    @ModelView.button
    def apply_sales_process(cls, opportunities):
        "Plan the activities of the steps the opportunities do not have yet"
        pool = Pool()
        Activity = pool.get('crm.activity')

        opportunities = [o for o in opportunities if o.sales_process]
        existing = set()
        for sub_opportunities in grouped_slice(
                opportunities, backend.MAX_QUERY_PARAMS):
            # A cancelled step was decided against: it is not planned again
            for activity in Activity.search([
                        ('origin', 'in', [str(o) for o in sub_opportunities]),
                        ('process_step', '!=', None),
                        ]):
                existing.add((activity.origin.id, activity.process_step.id))

        to_create = []
        for opportunity in opportunities:
            steps = [s for s in opportunity.sales_process.steps
                if (opportunity.id, s.id) not in existing]
            if steps and not opportunity.party:
                raise UserError(gettext(
                        'crm_sales.msg_sales_process_no_party',
                        opportunity=opportunity.rec_name))
            to_create.extend(s.get_activity(opportunity) for s in steps)
        Activity.create(to_create)

    @classmethod
    @ModelView.button_action('crm_sales.wizard_sales_process_create')
    def create_sales_process(cls, opportunities):
        pass


class CreateFromOpportunity(Wizard):
    "Make a sales process of the activities that won an opportunity"
    __name__ = 'crm.sales.process.create'
    start = StateView('crm.sales.process.create.start',
        'crm_sales.sales_process_create_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('crm_sales.act_sales_process_form')

    def _done_activities(self):
        "Return the done activities of the opportunity in the order done"
        pool = Pool()
        Activity = pool.get('crm.activity')
        return Activity.search([
                ('origin', '=', str(self.record)),
                ('state', '=', 'done'),
                ], order=[('done_date', 'ASC'), ('id', 'ASC')])

    def default_start(self, fields):
        opportunity = self.record
        if opportunity.state != 'won':
            raise UserError(gettext(
                    'crm_sales.msg_sales_process_opportunity_not_won',
                    opportunity=opportunity.rec_name))
        if not self._done_activities():
            raise UserError(gettext(
                    'crm_sales.msg_sales_process_no_done_activity',
                    opportunity=opportunity.rec_name))
        return {
            'name': opportunity.description,
            }

    def do_create_(self, action):
        pool = Pool()
        Process = pool.get('crm.sales.process')
        Step = pool.get('crm.sales.process.step')
        opportunity = self.record
        timezone = opportunity.company.timezone

        process = Process(
            name=self.start.name,
            company=opportunity.company,
            description=gettext(
                'crm_sales.msg_sales_process_from_opportunity',
                opportunity=opportunity.rec_name))
        steps = []
        for sequence, activity in enumerate(self._done_activities(), 1):
            steps.append(Step(
                    sequence=sequence * 10,
                    name=activity.subject,
                    type=activity.type,
                    offset_days=working_days_between(
                        opportunity.start_date,
                        local_date(activity.done_date, timezone)),
                    planned_time=DEFAULT_TIME,
                    responsible='opportunity_employee'))
        process.steps = steps
        process.save()
        action['views'].reverse()
        return action, {'res_id': [process.id]}


class CreateFromOpportunityStart(ModelView):
    "Ask the name of the sales process made of a won opportunity"
    __name__ = 'crm.sales.process.create.start'
    __string__ = "Create Sales Process"
    name = fields.Char("Name", required=True)
