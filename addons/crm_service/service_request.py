# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
from zoneinfo import ZoneInfo

from sql import Null
from sql.conditionals import Case, Coalesce
from sql.functions import CharLength

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.ir.attachment import AttachmentCopyMixin
from trytond.ir.note import NoteCopyMixin
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id, If
from trytond.transaction import Transaction

PRIORITIES = [
    ('low', "Low"),
    ('normal', "Normal"),
    ('high', "High"),
    ('urgent', "Urgent"),
    ]
CHANNELS = [
    ('phone', "Phone"),
    ('email', "E-mail"),
    ('portal', "Portal"),
    ('chat', "Chat"),
    ('visit', "Visit"),
    ]
STATES = [
    ('new', "New"),
    ('assigned', "Assigned"),
    ('in_progress', "In Progress"),
    ('waiting', "Waiting for Customer"),
    ('resolved', "Resolved"),
    ('closed', "Closed"),
    ('cancelled', "Cancelled"),
    ]
OPEN_STATES = ['new', 'assigned', 'in_progress', 'waiting']
# Less than this share of the time left before a due date is at risk
AT_RISK_SHARE = 0.25


def now():
    "Return the current naive UTC time to the second, as PostgreSQL keeps it"
    return dt.datetime.now().replace(microsecond=0)


class ServiceRequestError(UserError):
    "A workflow step refused on a service request"


class Configuration(CompanyMultiValueMixin, metaclass=PoolMeta):
    __name__ = 'crm.service.configuration'

    service_request_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Service Request Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('crm_service', 'sequence_type_service_request')),
                ]))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'service_request_sequence':
            return pool.get('crm.service.configuration.sequence')
        return super().multivalue_model(field)

    @classmethod
    def default_service_request_sequence(cls, **pattern):
        return cls.multivalue_model(
            'service_request_sequence').default_service_request_sequence()


class ConfigurationSequence(ModelSQL, CompanyValueMixin):
    "The numbering of the service requests of a company"
    __name__ = 'crm.service.configuration.sequence'
    __string__ = "Service Configuration Sequence"

    service_request_sequence = fields.Many2One(
        'ir.sequence', "Service Request Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('crm_service', 'sequence_type_service_request')),
            ])

    @classmethod
    def default_service_request_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('crm_service', 'sequence_service_request')
        except KeyError:
            return None


class ServiceRequest(
        Workflow, ModelSQL, ModelView, AttachmentCopyMixin, NoteCopyMixin):
    "A customer's request to the service: a breakdown, a visit, a question"
    __name__ = 'crm.service.request'
    __string__ = "Service Request"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state').in_(['resolved', 'closed', 'cancelled']),
        }

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': (Eval('state') != 'new') | Eval('number'),
            })
    number = fields.Char("Number", readonly=True)
    party = fields.Many2One(
        'party.party', "Party", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    contact = fields.Many2One(
        'party.contact_mechanism', "Contact", states=_states,
        domain=[
            ('party', '=', Eval('party', -1)),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="How to reach the customer about this request.")
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, sort=False, states=_states,
        help="How the customer reached the service.")
    category = fields.Many2One(
        'crm.service.category', "Category", states=_states)
    priority = fields.Selection(
        PRIORITIES, "Priority", required=True, sort=False, states=_states)
    installed_product = fields.Many2One(
        'crm.installed.product', "Installed Product", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('party', '=', Eval('party', -1)),
            ],
        help="The customer's equipment the request is about.")
    contract = fields.Many2One(
        'sale.subscription', "Contract", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('party', '=', Eval('party', -1)),
            ('contract_kind', '!=', None),
            ],
        help="The service contract that covers the request.\n"
        "Found from the installed product or the customer when empty.")
    service_level = fields.Function(
        fields.Many2One(
            'crm.service.level', "Service Level",
            help="The contract's service level, "
            "else the default one of the configuration."),
        'on_change_with_service_level')
    assignee = fields.Many2One(
        'company.employee', "Assignee",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state').in_(['resolved', 'closed', 'cancelled']),
            'required': ~Eval('state').in_(['new', 'cancelled']),
            },
        help="The employee who handles the request.")
    subject = fields.Char("Subject", required=True, states=_states)
    description = fields.Text("Description", states=_states)
    resolution = fields.Text(
        "Resolution",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            'required': Eval('state').in_(['resolved', 'closed']),
            },
        help="What was done to solve the request.")
    time_spent = fields.TimeDelta(
        "Time Spent",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            },
        help="The working time the request took.")
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    reported_at = fields.DateTime(
        "Reported at", required=True, states=_states,
        help="When the customer reported the request: "
        "the service level clocks start there.")
    response_due = fields.DateTime(
        "Response Due", readonly=True,
        help="When the customer must have had a first answer, "
        "in the business hours of the service level.")
    resolution_due = fields.DateTime(
        "Resolution Due", readonly=True,
        help="When the request must be resolved, in the business hours "
        "of the service level, pushed by the time waiting for the customer.")
    first_response_at = fields.DateTime(
        "First Response at", readonly=True,
        help="The first answer to the customer: a message that is not "
        "internal or the start of the work.")
    resolved_at = fields.DateTime("Resolved at", readonly=True)
    closed_at = fields.DateTime("Closed at", readonly=True)
    waiting_since = fields.DateTime(
        "Waiting since", readonly=True,
        help="While waiting for the customer the resolution clock stops.")
    paused_hours = fields.Float(
        "Paused Hours", digits=(16, 2), readonly=True,
        help="The business hours spent waiting for the customer, "
        "added to the resolution due date.")
    response_breached = fields.Function(
        fields.Boolean(
            "Response Breached",
            help="The first answer came, or is still missing, "
            "after the response due date."),
        'get_breached', searcher='search_response_breached')
    resolution_breached = fields.Function(
        fields.Boolean(
            "Resolution Breached",
            help="The request was resolved, or is still open, "
            "after the resolution due date."),
        'get_breached', searcher='search_resolution_breached')
    sla_status = fields.Function(
        fields.Selection([
                (None, ""),
                ('on_time', "On Time"),
                ('at_risk', "At Risk"),
                ('breached', "Breached"),
                ], "SLA Status", sort=False,
            help="At risk when less than a quarter of the time is left "
            "before the pending due date."),
        'get_sla_status')
    messages = fields.One2Many(
        'crm.service.request.message', 'request', "Messages",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    # 1 per request: what the graph view adds up
    request_count = fields.Function(
        fields.Integer("Requests"), 'get_request_count')

    del _states

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.assignee, Index.Range())),
                Index(t, (t.reported_at, Index.Range(order='DESC'))),
                Index(
                    t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(OPEN_STATES)),
                })
        cls._order.insert(0, ('reported_at', 'DESC'))
        cls._transitions |= {
            ('new', 'assigned'),
            ('assigned', 'in_progress'),
            ('in_progress', 'waiting'),
            ('waiting', 'in_progress'),
            ('in_progress', 'resolved'),
            ('resolved', 'closed'),
            ('new', 'cancelled'),
            ('assigned', 'cancelled'),
            ('in_progress', 'cancelled'),
            ('waiting', 'cancelled'),
            ('resolved', 'in_progress'),
            ('closed', 'in_progress'),
            }
        cls._buttons.update({
                'assign': {
                    'invisible': Eval('state') != 'new',
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': Eval('state') != 'assigned',
                    'depends': ['state'],
                    },
                'wait': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'resume': {
                    'invisible': Eval('state') != 'waiting',
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': ~Eval('state').in_(['resolved', 'closed']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def order_number(cls, tables):
        table, _ = tables[None]
        return [CharLength(table.number), table.number]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'new'

    @classmethod
    def default_channel(cls):
        return 'phone'

    @classmethod
    def default_priority(cls):
        return 'normal'

    @classmethod
    def default_reported_at(cls):
        return now()

    @classmethod
    def default_paused_hours(cls):
        return 0

    def get_rec_name(self, name):
        return f'{self.number} {self.subject}' if self.number else self.subject

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', operator, value),
            ('subject', operator, value),
            ]

    @fields.depends(
        'party', 'contact', 'installed_product', methods=['find_contract'])
    def on_change_party(self):
        if self.contact and self.contact.party != self.party:
            self.contact = None
        if (self.installed_product
                and self.installed_product.party != self.party):
            self.installed_product = None
        self.contract = self.find_contract()

    @fields.depends('installed_product', methods=['find_contract'])
    def on_change_installed_product(self):
        if self.installed_product:
            self.contract = self.find_contract()

    @fields.depends('company', 'party', 'installed_product', 'reported_at')
    def find_contract(self):
        "Return the running service contract that covers the request"
        pool = Pool()
        Subscription = pool.get('sale.subscription')
        if self.party:
            return Subscription.find_contract(
                self.party, self.reported_date(), self.installed_product)

    def reported_date(self):
        "Return the day, in the company's time zone, of the report"
        pool = Pool()
        Date = pool.get('ir.date')
        if not self.reported_at:
            return Date.today()
        timezone = ZoneInfo(
            self.company.timezone if self.company and self.company.timezone
            else 'UTC')
        return (self.reported_at.replace(tzinfo=dt.timezone.utc)
            .astimezone(timezone).date())

    @fields.depends('company', 'contract')
    def on_change_with_service_level(self, name=None):
        pool = Pool()
        Configuration = pool.get('crm.service.configuration')
        if self.contract and self.contract.service_level:
            return self.contract.service_level
        level = Configuration(1).default_service_level
        if level and level.company == self.company:
            return level

    def compute_due_dates(self):
        "Return the response and resolution due dates of the service level"
        level = self.service_level
        line = level.get_line(self.priority) if level else None
        if not line or not self.reported_at:
            return None, None
        return (
            level.add_business_hours(self.reported_at, line.response_hours),
            level.add_business_hours(
                self.reported_at, line.resolution_hours))

    @classmethod
    def set_due_dates(cls, requests):
        "Compute the due dates of the requests not answered yet"
        to_write = []
        for request in requests:
            if request.first_response_at:
                continue
            response_due, resolution_due = request.compute_due_dates()
            if (response_due != request.response_due
                    or resolution_due != request.resolution_due):
                to_write.extend([[request], {
                            'response_due': response_due,
                            'resolution_due': resolution_due,
                            }])
        if to_write:
            cls.write(*to_write)

    @classmethod
    def get_breached(cls, requests, names):
        moment = now()
        result = {n: {} for n in names}
        for request in requests:
            response = resolution = False
            if request.state != 'cancelled':
                if request.response_due:
                    response = (
                        (request.first_response_at or moment)
                        > request.response_due)
                if request.resolution_due:
                    resolution = (
                        request.resolution_clock(moment)
                        > request.resolution_due)
            if 'response_breached' in result:
                result['response_breached'][request.id] = response
            if 'resolution_breached' in result:
                result['resolution_breached'][request.id] = resolution
        return result

    def resolution_clock(self, moment):
        "Return where the resolution clock stands at moment"
        if self.resolved_at:
            return self.resolved_at
        if self.state == 'waiting' and self.waiting_since:
            return self.waiting_since
        return moment

    @classmethod
    def _search_breached(cls, clause, condition):
        table = cls.__table__()
        _, operator, value = clause
        query = table.select(
            table.id, where=condition(table) & (table.state != 'cancelled'))
        if operator not in {'=', '!='}:
            raise ValueError(f"Unsupported operator {operator}")
        if (operator == '=') == bool(value):
            return [('id', 'in', query)]
        return [('id', 'not in', query)]

    @classmethod
    def search_response_breached(cls, name, clause):
        # the Python now: CURRENT_TIMESTAMP does not compare the same way
        # with TIMESTAMP(0) columns on every backend
        moment = now()
        return cls._search_breached(
            clause, lambda t: (t.response_due != Null)
            & (Coalesce(t.first_response_at, moment) > t.response_due))

    @classmethod
    def search_resolution_breached(cls, name, clause):
        moment = now()
        return cls._search_breached(
            clause, lambda t: (t.resolution_due != Null)
            & (Coalesce(
                    t.resolved_at,
                    Case(
                        ((t.state == 'waiting') & (t.waiting_since != Null),
                            t.waiting_since),
                        else_=moment))
                > t.resolution_due))

    @classmethod
    def get_sla_status(cls, requests, name):
        moment = now()
        breached = cls.get_breached(
            requests, ['response_breached', 'resolution_breached'])
        statuses = {}
        for request in requests:
            if (breached['response_breached'][request.id]
                    or breached['resolution_breached'][request.id]):
                statuses[request.id] = 'breached'
            elif request.response_due or request.resolution_due:
                statuses[request.id] = request.time_status(moment)
            else:
                statuses[request.id] = None
        return statuses

    def time_status(self, moment):
        "Return 'at_risk' when less than a quarter of the pending time is left"
        if self.state in {'resolved', 'closed', 'cancelled'}:
            return 'on_time'
        if not self.first_response_at and self.response_due:
            due, clock = self.response_due, moment
        elif self.resolution_due:
            due, clock = self.resolution_due, self.resolution_clock(moment)
        else:
            return 'on_time'
        level = self.service_level
        if not level:
            return 'on_time'
        total = level.business_hours_between(self.reported_at, due)
        left = level.business_hours_between(clock, due)
        if total and left < total * AT_RISK_SHARE:
            return 'at_risk'
        return 'on_time'

    def get_request_count(self, name):
        return 1

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('sla_status') == 'breached', 'danger',
                    If(Eval('sla_status') == 'at_risk', 'warning',
                        If(Eval('state') == 'cancelled', 'muted', '')))),
            ('/tree/field[@name="sla_status"]', 'visual',
                If(Eval('sla_status') == 'breached', 'danger',
                    If(Eval('sla_status') == 'at_risk', 'warning',
                        If(Eval('sla_status') == 'on_time', 'success',
                            '')))),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('crm.service.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            company_id = values.get('company', cls.default_company())
            if not values.get('number') and company_id is not None:
                configuration = Configuration(1)
                if sequence := configuration.get_multivalue(
                        'service_request_sequence', company=company_id):
                    values['number'] = sequence.get()
            if not values.get('contract') and values.get('party'):
                request = cls(
                    company=company_id, party=values['party'],
                    installed_product=values.get('installed_product'),
                    reported_at=(
                        values.get('reported_at')
                        or cls.default_reported_at()))
                if contract := request.find_contract():
                    values['contract'] = contract.id
        return values

    @classmethod
    def validate_fields(cls, requests, field_names):
        super().validate_fields(requests, field_names)
        cls.check_dates(requests, field_names)

    @classmethod
    def check_dates(cls, requests, field_names=None):
        if field_names and not (
                field_names & {'reported_at', 'time_spent', 'resolved_at'}):
            return
        for request in requests:
            if request.time_spent and request.time_spent < dt.timedelta():
                raise ValidationError(gettext(
                        'crm_service.msg_request_time_spent_negative',
                        request=request.rec_name))
            if (request.resolved_at
                    and request.resolved_at < request.reported_at):
                raise ValidationError(gettext(
                        'crm_service.msg_request_resolved_before_reported',
                        request=request.rec_name))

    @classmethod
    def check_modification(cls, mode, requests, values=None, external=False):
        super().check_modification(
            mode, requests, values=values, external=external)
        if mode == 'delete':
            for request in requests:
                if request.state not in {'new', 'cancelled'}:
                    raise AccessError(gettext(
                            'crm_service.msg_request_delete',
                            request=request.rec_name))

    @classmethod
    def on_modification(cls, mode, requests, field_names=None):
        super().on_modification(mode, requests, field_names=field_names)
        if mode == 'create' or (mode == 'write' and field_names & {
                    'company', 'priority', 'contract', 'reported_at'}):
            cls.set_due_dates(requests)

    @classmethod
    def copy(cls, requests, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('reported_at', now())
        default.setdefault('messages', None)
        for name in [
                'resolution', 'time_spent', 'response_due',
                'resolution_due', 'first_response_at', 'resolved_at',
                'closed_at', 'waiting_since']:
            default.setdefault(name, None)
        default.setdefault('paused_hours', 0)
        return super().copy(requests, default=default)

    @classmethod
    def set_first_response(cls, requests, moment=None):
        "Stamp the first answer of the requests not answered yet"
        requests = [r for r in requests if not r.first_response_at]
        if requests:
            cls.write(requests, {'first_response_at': moment or now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('assigned')
    def assign(cls, requests):
        for request in requests:
            if not request.assignee:
                raise ServiceRequestError(gettext(
                        'crm_service.msg_request_assign_no_assignee',
                        request=request.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, requests):
        cls.set_first_response(requests, now())

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting')
    def wait(cls, requests):
        cls.write(requests, {'waiting_since': now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def resume(cls, requests):
        "Push the resolution due date by the business hours spent waiting"
        moment = now()
        to_write = []
        for request in requests:
            values = {'waiting_since': None}
            level = request.service_level
            if request.waiting_since and level:
                paused = level.business_hours_between(
                    request.waiting_since, moment)
                values['paused_hours'] = round(
                    (request.paused_hours or 0) + paused, 2)
                if request.resolution_due:
                    values['resolution_due'] = level.add_business_hours(
                        request.resolution_due, paused)
            to_write.extend([[request], values])
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, requests):
        for request in requests:
            if not request.resolution:
                raise ServiceRequestError(gettext(
                        'crm_service.msg_request_resolve_no_resolution',
                        request=request.rec_name))
        moment = now()
        cls.set_first_response(requests, moment)
        cls.write(requests, {'resolved_at': moment})

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, requests):
        cls.write(requests, {'closed_at': now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, requests):
        cls.write(requests, {'waiting_since': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def reopen(cls, requests):
        "Work again on resolved or closed requests, keeping the messages"
        cls.write(requests, {
                'resolved_at': None,
                'closed_at': None,
                })
