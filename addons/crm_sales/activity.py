# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
from zoneinfo import ZoneInfo

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .planned_workflow import PlannedWorkflow

TYPES = [
    ('call', "Call"),
    ('meeting', "Meeting"),
    ('email', "E-mail"),
    ('letter', "Letter"),
    ('fax', "Fax"),
    ('visit', "Visit"),
    ('chat', "Chat"),
    ('task', "Task"),
    ]
# Calendar colours per type, so a week of work reads at a glance
TYPE_COLORS = {
    'call': '#267f82',
    'meeting': '#e78e42',
    'email': '#3e4950',
    'letter': '#7b6d8d',
    'fax': '#8d8d8d',
    'visit': '#c0392b',
    'chat': '#2e86c1',
    'task': '#27ae60',
    }


class Activity(PlannedWorkflow, ModelSQL, ModelView):
    "A contact with a customer (call, meeting, letter…), planned or done"
    __name__ = 'crm.activity'
    __string__ = "Activity"
    _rec_name = 'subject'

    _states = {
        'readonly': Eval('state') != 'planned',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    party = fields.Many2One(
        'party.party', "Party", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    contact_mechanism = fields.Many2One(
        'party.contact_mechanism', "Contact Mechanism",
        domain=[
            ('party', '=', Eval('party', -1)),
            ],
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    employee = fields.Many2One(
        'company.employee', "Employee", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The employee in charge of the activity.")
    type = fields.Selection(
        TYPES, "Type", required=True, sort=False, states=_states)
    direction = fields.Selection([
            ('outgoing', "Outgoing"),
            ('incoming', "Incoming"),
            ('internal', "Internal"),
            ], "Direction", required=True, sort=False, states=_states)
    subject = fields.Char("Subject", required=True, states=_states)
    description = fields.Text("Description")
    planned_date = fields.DateTime(
        "Planned Date", required=True, states=_states)
    done_date = fields.DateTime(
        "Done Date",
        domain=[
            If(Eval('state') == 'done',
                ('done_date', '!=', None),
                ()),
            ],
        states={
            'readonly': Eval('state') == 'cancelled',
            'invisible': Eval('state') == 'planned',
            },
        help="When the activity took place.")
    origin = fields.Reference(
        "Origin", selection='get_origin', states=_states,
        help="The document the activity is about.")
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    due = fields.Function(
        fields.Boolean(
            "Due",
            help="Planned for today or earlier and not done yet."),
        'get_due', searcher='search_due')
    calendar_color = fields.Function(
        fields.Char("Calendar Color"), 'on_change_with_calendar_color')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.employee, Index.Range()),
                    (t.planned_date, Index.Range())),
                Index(t,
                    (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'planned'),
                Index(t, (t.origin, Index.Similarity())),
                })
        cls._order = [
            ('planned_date', 'DESC'),
            ('id', 'DESC'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_employee(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_type(cls):
        return 'call'

    @classmethod
    def default_direction(cls):
        return 'outgoing'

    @classmethod
    def default_planned_date(cls):
        return dt.datetime.now().replace(microsecond=0)

    @classmethod
    def _get_origin(cls):
        "Return the models an activity can be about"
        return ['sale.opportunity', 'sale.sale', 'account.invoice']

    @classmethod
    def get_origin(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        get_name = IrModel.get_name
        models = cls._get_origin()
        return [(None, '')] + [(m, get_name(m)) for m in models]

    @fields.depends('origin', 'party')
    def on_change_origin(self):
        if (not self.party and self.origin
                and getattr(self.origin, 'id', -1) >= 0
                and getattr(self.origin, 'party', None)):
            self.party = self.origin.party

    @fields.depends('party', 'contact_mechanism')
    def on_change_party(self):
        if (self.contact_mechanism
                and self.contact_mechanism.party != self.party):
            self.contact_mechanism = None

    @fields.depends('type')
    def on_change_with_calendar_color(self, name=None):
        return TYPE_COLORS.get(self.type)

    @classmethod
    def _due_limit(cls):
        "Return the (naive UTC) start of tomorrow in the company's time zone"
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        company_id = Transaction().context.get('company')
        timezone = None
        if company_id is not None and company_id >= 0:
            timezone = Company(company_id).timezone
        tomorrow = Date.today() + dt.timedelta(days=1)
        limit = dt.datetime.combine(tomorrow, dt.time())
        if timezone:
            limit = limit.replace(tzinfo=ZoneInfo(timezone)).astimezone(
                dt.timezone.utc).replace(tzinfo=None)
        return limit

    def get_overdue(self, name):
        return (self.state == 'planned'
            and self.planned_date < dt.datetime.now())

    @classmethod
    def search_overdue(cls, name, clause):
        return cls._search_before(clause, dt.datetime.now())

    def get_due(self, name):
        return (self.state == 'planned'
            and self.planned_date < self._due_limit())

    @classmethod
    def search_due(cls, name, clause):
        return cls._search_before(clause, cls._due_limit())

    @classmethod
    def _search_before(cls, clause, limit):
        _, operator, value = clause
        if operator not in {'=', '!='}:
            return []
        positive = (operator == '=') == bool(value)
        domain = [
            ('state', '=', 'planned'),
            ('planned_date', '<', limit),
            ]
        if positive:
            return domain
        return ['OR',
            ('state', '!=', 'planned'),
            ('planned_date', '>=', limit),
            ]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('overdue', False), 'danger',
                    If(Eval('due', False), 'warning', ''))),
            ]

    @classmethod
    def check_modification(
            cls, mode, activities, values=None, external=False):
        super().check_modification(
            mode, activities, values=values, external=external)
        if mode == 'write':
            # notes may be added to the history, the facts stay as logged
            locked = set(values) - {'state', 'done_date', 'description'}
            if locked:
                for activity in activities:
                    if activity.state != 'planned':
                        raise AccessError(gettext(
                                'crm_sales.msg_activity_modify_closed',
                                activity=activity.rec_name))
        elif mode == 'delete':
            for activity in activities:
                if activity.state == 'done':
                    raise AccessError(gettext(
                            'crm_sales.msg_activity_delete_done',
                            activity=activity.rec_name))

    @classmethod
    def copy(cls, activities, default=None):
        if default is None:
            default = {}
        else:
            default = default.copy()
        default.setdefault('done_date', None)
        default.setdefault('planned_date', cls.default_planned_date())
        return super().copy(activities, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, activities):
        now = dt.datetime.now().replace(microsecond=0)
        cls.write([a for a in activities if not a.done_date], {
                'done_date': now,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, activities):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, activities):
        cls.write(activities, {
                'done_date': None,
                })
