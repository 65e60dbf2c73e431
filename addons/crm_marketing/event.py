# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Marketing events (M3): seminars, presentations, exhibitions and webinars,
the invitation list filled from a segment, the personalised invitations
e-mailed, registrations and attendance, the participation rate and the leads
created from the interested participants"""
import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from sql import Null
from sql.aggregate import Count
from sql.operators import Exists

from trytond import backend
from trytond import config as trytond_config
from trytond.exceptions import UserWarning
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.report import Report, get_email
from trytond.sendmail import SMTPDataManager, send_message_transactional
from trytond.tools import grouped_slice, reduce_ids
from trytond.tools.email_ import format_address, set_from_header
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

# The invitations that were sent, whatever the answer
INVITED_STATES = ['invited', 'registered', 'attended', 'no_show', 'declined']
# The invitations that hold a seat
SEAT_STATES = ['registered', 'attended', 'no_show']
# The names of the per-state counts on the event
COUNT_FIELDS = {
    'planned': 'planned_count',
    'invited': 'awaiting_count',
    'registered': 'registered_count',
    'attended': 'attended_count',
    'no_show': 'no_show_count',
    'declined': 'declined_count',
    }
# How many parties the "no e-mail" warning names before "…"
WARNING_NAMES = 20


class EventCapacityWarning(UserWarning):
    pass


class EventInvitationWarning(UserWarning):
    pass


class Event(Workflow, ModelSQL, ModelView):
    "A seminar, presentation, exhibition or webinar customers are invited to"
    __name__ = 'crm.event'
    __string__ = "Marketing Event"

    _states = {
        'readonly': Eval('state').in_(['done', 'cancelled']),
        }

    name = fields.Char("Name", required=True, states=_states)
    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': Eval('state') != 'draft',
            })
    campaign = fields.Many2One(
        'marketing.campaign', "Campaign", states=_states,
        help="The campaign the event belongs to; "
        "its leads are attributed to it.")
    kind = fields.Selection([
            ('seminar', "Seminar"),
            ('presentation', "Presentation"),
            ('exhibition', "Exhibition"),
            ('webinar', "Webinar"),
            ], "Kind", required=True, states=_states)
    kind_string = kind.translated('kind')
    start = fields.DateTime("Start", required=True, states=_states)
    end = fields.DateTime("End", required=True, states=_states)
    place = fields.Char(
        "Place", states=_states,
        help="The address, the hall or the link of the webinar.")
    capacity = fields.Integer(
        "Capacity", states=_states,
        help="The number of seats.\nLeave empty for no limit.")
    responsible = fields.Many2One(
        'company.employee', "Responsible", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The employee who organises the event; "
        "signs the invitations of customers without account manager.")
    description = fields.Text(
        "Description", states=_states,
        help="The programme, sent with the invitations.")
    questionnaire = fields.Many2One(
        'crm.questionnaire', "Questionnaire", states=_states,
        help="The questionnaire the participants answer.")
    invitations = fields.One2Many(
        'crm.event.invitation', 'event', "Invitations",
        states={
            'readonly': Eval('state') == 'cancelled',
            })
    responses = fields.One2Many(
        'crm.questionnaire.response', 'event', "Questionnaire Responses",
        states={
            'readonly': Eval('state').in_(['draft', 'cancelled']),
            })
    state = fields.Selection([
            ('draft', "Draft"),
            ('planned', "Planned"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)

    planned_count = fields.Function(fields.Integer(
            "Not Invited Yet",
            help="The invitations not sent yet."), 'get_counts')
    awaiting_count = fields.Function(fields.Integer(
            "Awaiting Reply",
            help="The invitations sent and not answered."), 'get_counts')
    registered_count = fields.Function(fields.Integer(
            "Expected",
            help="The guests who registered and are expected."), 'get_counts')
    attended_count = fields.Function(fields.Integer(
            "Participants",
            help="The guests who attended."), 'get_counts')
    no_show_count = fields.Function(fields.Integer(
            "No-Shows",
            help="The guests who registered but did not come."), 'get_counts')
    declined_count = fields.Function(fields.Integer(
            "Refusals",
            help="The guests who declined the invitation."), 'get_counts')
    invited_count = fields.Function(fields.Integer(
            "Total Invited",
            help="All the invitations sent, whatever the answer."),
        'get_counts')
    participation_rate = fields.Function(fields.Float(
            "Participation Rate", digits=(1, 4),
            help="The guests who attended divided by those invited."),
        'get_counts')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('start', 'DESC'))
        cls._transitions |= {
            ('draft', 'planned'),
            ('planned', 'draft'),
            ('planned', 'done'),
            ('done', 'planned'),
            ('draft', 'cancelled'),
            ('planned', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': ~Eval('state').in_(['planned', 'cancelled']),
                    'icon': If(Eval('state') == 'cancelled',
                        'tryton-undo', 'tryton-back'),
                    'depends': ['state'],
                    },
                'plan': {
                    'invisible': ~Eval('state').in_(['draft', 'done']),
                    'icon': If(Eval('state') == 'done',
                        'tryton-back', 'tryton-forward'),
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'planned',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'planned']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'fill_from_segment': {
                    'invisible': ~Eval('state').in_(['draft', 'planned']),
                    'icon': 'tryton-add',
                    'depends': ['state'],
                    },
                'send_invitations': {
                    'invisible': Eval('state') != 'planned',
                    'readonly': ~Eval('planned_count', 0),
                    'icon': 'tryton-email',
                    'depends': ['state', 'planned_count'],
                    },
                'create_leads': {
                    'invisible': ~Eval('state').in_(['planned', 'done']),
                    'readonly': ~Eval('attended_count', 0),
                    'icon': 'tryton-launch',
                    'depends': ['state', 'attended_count'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'seminar'

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('campaign', 'responsible')
    def on_change_campaign(self):
        if self.campaign and self.campaign.responsible:
            self.responsible = self.responsible or self.campaign.responsible

    def at_company(self, value):
        "Return the UTC date and time value at the time zone of the company"
        timezone = ZoneInfo(self.company.timezone or 'UTC')
        return value.replace(tzinfo=dt.timezone.utc).astimezone(timezone)

    @classmethod
    def get_counts(cls, events, names):
        "Count the invitations of the events per state, in one query a slice"
        pool = Pool()
        Invitation = pool.get('crm.event.invitation')
        invitation = Invitation.__table__()
        cursor = Transaction().connection.cursor()
        counts = {e.id: defaultdict(int) for e in events}
        for sub_ids in grouped_slice(
                [e.id for e in events], backend.MAX_QUERY_PARAMS):
            cursor.execute(*invitation.select(
                    invitation.event, invitation.state, Count(invitation.id),
                    where=reduce_ids(invitation.event, sub_ids),
                    group_by=[invitation.event, invitation.state]))
            for event_id, state, count in cursor:
                counts[event_id][state] = count
        result = {n: {} for n in names}
        for event_id, by_state in counts.items():
            invited = sum(by_state[s] for s in INVITED_STATES)
            values = {f: by_state[s] for s, f in COUNT_FIELDS.items()}
            values['invited_count'] = invited
            values['participation_rate'] = (
                by_state['attended'] / invited if invited else None)
            for name in names:
                result[name][event_id] = values[name]
        return result

    @classmethod
    def validate_fields(cls, events, field_names):
        super().validate_fields(events, field_names)
        cls.check_dates(events, field_names)
        cls.check_capacity(events, field_names)

    @classmethod
    def check_dates(cls, events, field_names=None):
        if field_names and not (field_names & {'start', 'end'}):
            return
        for event in events:
            if event.start and event.end and event.end < event.start:
                raise ValidationError(gettext(
                        'crm_marketing.msg_event_end_before_start',
                        event=event.rec_name))

    @classmethod
    def check_capacity(cls, events, field_names=None):
        "Warn when more guests hold a seat than the events have"
        pool = Pool()
        Invitation = pool.get('crm.event.invitation')
        Warning = pool.get('res.user.warning')
        if field_names and 'capacity' not in field_names:
            return
        for event in events:
            if event.capacity is not None and event.capacity < 0:
                raise ValidationError(gettext(
                        'crm_marketing.msg_event_capacity_negative',
                        event=event.rec_name))
        limited = [e for e in events if e.capacity is not None]
        if not limited:
            return
        invitation = Invitation.__table__()
        cursor = Transaction().connection.cursor()
        seats = {}
        for sub_ids in grouped_slice(
                [e.id for e in limited], backend.MAX_QUERY_PARAMS):
            cursor.execute(*invitation.select(
                    invitation.event, Count(invitation.id),
                    where=reduce_ids(invitation.event, sub_ids)
                    & invitation.state.in_(SEAT_STATES),
                    group_by=[invitation.event]))
            seats.update(cursor)
        for event in limited:
            taken = seats.get(event.id, 0)
            if taken > event.capacity:
                key = Warning.format(
                    'crm_event_capacity_%s' % taken, [event])
                if Warning.check(key):
                    raise EventCapacityWarning(key, gettext(
                            'crm_marketing.msg_event_over_capacity',
                            event=event.rec_name,
                            capacity=event.capacity,
                            seats=taken))

    @classmethod
    def check_modification(cls, mode, events, values=None, external=False):
        super().check_modification(
            mode, events, values=values, external=external)
        if mode == 'delete':
            for event in events:
                if event.state not in {'draft', 'cancelled'}:
                    raise AccessError(gettext(
                            'crm_marketing.msg_event_delete',
                            event=event.rec_name))

    @classmethod
    def copy(cls, events, default=None):
        default = default.copy() if default is not None else {}
        # A new event gets its own guests and answers
        default.setdefault('invitations', None)
        default.setdefault('responses', None)
        return super().copy(events, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, events):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, events):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, events):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, events):
        pass

    @classmethod
    @ModelView.button_action('crm_marketing.wizard_event_fill_from_segment')
    def fill_from_segment(cls, events):
        pass

    @classmethod
    def add_segment_members(cls, events, segment):
        """Invite to the events the members of the segment not invited yet
        and return the invitations created"""
        pool = Pool()
        Invitation = pool.get('crm.event.invitation')
        Member = pool.get('crm.segment.member')
        invitation = Invitation.__table__()
        member = Member.__table__()
        cursor = Transaction().connection.cursor()
        to_create = []
        for event in events:
            # The members without an invitation to the event, in one query
            cursor.execute(*member.select(
                    member.party,
                    where=(member.segment == segment.id)
                    & ~Exists(invitation.select(
                            invitation.id,
                            where=(invitation.event == event.id)
                            & (invitation.party == member.party))),
                    order_by=[member.party]))
            party_ids = [p for p, in cursor]
            contacts = Invitation.email_contacts(party_ids)
            to_create.extend({
                    'event': event.id,
                    'party': p,
                    'contact': contacts.get(p),
                    } for p in party_ids)
        return Invitation.create(to_create)

    @classmethod
    @ModelView.button
    def send_invitations(cls, events):
        """E-mail their invitation to the planned guests of the events
        through the queue; those without e-mail address stay planned"""
        pool = Pool()
        Invitation = pool.get('crm.event.invitation')
        Warning = pool.get('res.user.warning')
        invitations = Invitation.search([
                ('event', 'in', [e.id for e in events]),
                ('state', '=', 'planned'),
                ], order=[('event', 'ASC'), ('id', 'ASC')])
        without = [i for i in invitations if not i.email]
        if without:
            key = Warning.format('crm_event_invitation_no_email', without)
            if Warning.check(key):
                names = [i.party.rec_name for i in without[:WARNING_NAMES]]
                if len(without) > WARNING_NAMES:
                    names.append('…')
                raise EventInvitationWarning(key, gettext(
                        'crm_marketing.msg_event_invitation_no_email',
                        count=len(without),
                        parties=', '.join(names)))
        to_send = [i for i in invitations if i.email]
        if to_send:
            # A worker sends them by batches: a request does not wait for
            # thousands of messages
            with Transaction().set_context(queue_batch=True):
                Invitation.__queue__.send_emails(to_send)

    @classmethod
    @ModelView.button_action('crm_marketing.wizard_event_create_leads')
    def create_leads(cls, events):
        pass

    @classmethod
    def interested_invitations(cls, events):
        """Return the invitations of the events that lead to a sale lead:
        the guest attended, has no lead from the event yet and either the
        manager ticked "Interested" or the guest's questionnaire has an answer
        whose option shows interest"""
        pool = Pool()
        Answer = pool.get('crm.questionnaire.answer')
        Invitation = pool.get('crm.event.invitation')
        Option = pool.get('crm.questionnaire.option')
        Response = pool.get('crm.questionnaire.response')
        invitation = Invitation.__table__()
        answer = Answer.__table__()
        option = Option.__table__()
        response = Response.__table__()
        cursor = Transaction().connection.cursor()
        interest = (answer
            .join(option, condition=answer.option == option.id)
            .join(response, condition=answer.response == response.id)
            .select(response.invitation,
                where=option.interest == True))  # noqa: E712
        ids = []
        for sub_ids in grouped_slice(
                [e.id for e in events], backend.MAX_QUERY_PARAMS):
            cursor.execute(*invitation.select(
                    invitation.id,
                    where=reduce_ids(invitation.event, sub_ids)
                    & (invitation.state == 'attended')
                    & (invitation.lead == Null)
                    & ((invitation.interested == True)  # noqa: E712
                        | invitation.id.in_(interest)),
                    order_by=[invitation.id]))
            ids.extend(i for i, in cursor)
        return Invitation.browse(ids)

    @classmethod
    def make_leads(cls, events):
        "Create the leads of the interested guests of the events"
        pool = Pool()
        Invitation = pool.get('crm.event.invitation')
        Opportunity = pool.get('sale.opportunity')
        invitations = cls.interested_invitations(events)
        leads = [i.get_lead() for i in invitations]
        # The account manager is set as employee: the assignment rules only
        # give the leads without one
        Opportunity.save(leads)
        to_write = []
        for invitation, lead in zip(invitations, leads):
            to_write.extend(([invitation], {'lead': lead.id}))
        if to_write:
            Invitation.write(*to_write)
        return leads


class Invitation(Workflow, ModelSQL, ModelView):
    "A party invited to an event, and how the invitation went"
    __name__ = 'crm.event.invitation'
    __string__ = "Event Invitation"

    event = fields.Many2One(
        'crm.event', "Event", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('state') != 'planned',
            })
    party = fields.Many2One(
        'party.party', "Party", required=True,
        states={
            'readonly': Eval('state') != 'planned',
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    contact = fields.Many2One(
        'party.contact_mechanism', "Contact E-mail",
        domain=[
            ('party', '=', Eval('party', -1)),
            ('type', '=', 'email'),
            ],
        states={
            'readonly': Eval('state') != 'planned',
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The address the invitation is sent to; "
        "its name, when given, is used in the greeting.")
    email = fields.Function(fields.Char("E-mail"), 'get_email_address')
    state = fields.Selection([
            ('planned', "Planned"),
            ('invited', "Invited"),
            ('registered', "Registered"),
            ('attended', "Attended"),
            ('no_show', "No-Show"),
            ('declined', "Declined"),
            ], "State", required=True, readonly=True, sort=False)
    sent_at = fields.DateTime(
        "Invitation Sent", readonly=True,
        help="When the invitation was e-mailed.")
    interested = fields.Boolean(
        "Interested",
        states={
            'invisible': Eval('state') != 'attended',
            },
        help="Tick when the guest told of a need at the event.\n"
        "An answer showing interest in the guest's questionnaire "
        "counts too.")
    lead = fields.Many2One(
        'sale.opportunity', "Lead", readonly=True, ondelete='SET NULL',
        help="The lead created for the guest after the event.")
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    event_state = fields.Function(
        fields.Selection('get_event_states', "Event State"),
        'on_change_with_event_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('event')
        t = cls.__table__()
        cls._sql_constraints += [
            ('event_party_unique', Unique(t, t.event, t.party),
                'crm_marketing.msg_event_invitation_unique'),
            ]
        cls._order = [('event', 'DESC'), ('id', 'ASC')]
        cls._transitions |= {
            ('planned', 'invited'),
            ('planned', 'registered'),
            ('invited', 'registered'),
            ('declined', 'registered'),
            ('planned', 'attended'),
            ('invited', 'attended'),
            ('registered', 'attended'),
            ('no_show', 'attended'),
            ('registered', 'no_show'),
            ('attended', 'no_show'),
            ('planned', 'declined'),
            ('invited', 'declined'),
            ('registered', 'declined'),
            }
        # Answers come until the event; attendance may be recorded after
        planned = Eval('event_state') == 'planned'
        held = Eval('event_state').in_(['planned', 'done'])
        cls._buttons.update({
                'invite': {
                    'invisible': Eval('state') != 'planned',
                    'readonly': ~planned,
                    'icon': 'tryton-email',
                    'depends': ['state', 'event_state'],
                    },
                'register': {
                    'invisible': ~Eval('state').in_(
                        ['planned', 'invited', 'declined']),
                    'readonly': ~planned,
                    'icon': 'tryton-ok',
                    'depends': ['state', 'event_state'],
                    },
                'attend': {
                    'invisible': ~Eval('state').in_(
                        ['planned', 'invited', 'registered', 'no_show']),
                    'readonly': ~held,
                    'icon': 'tryton-ok',
                    'depends': ['state', 'event_state'],
                    },
                'no_show': {
                    'invisible': ~Eval('state').in_(
                        ['registered', 'attended']),
                    'readonly': ~held,
                    'icon': 'tryton-cancel',
                    'depends': ['state', 'event_state'],
                    },
                'decline': {
                    'invisible': ~Eval('state').in_(
                        ['planned', 'invited', 'registered']),
                    'readonly': ~planned,
                    'icon': 'tryton-cancel',
                    'depends': ['state', 'event_state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_interested(cls):
        return False

    @classmethod
    def get_event_states(cls):
        pool = Pool()
        Event = pool.get('crm.event')
        return Event.fields_get(['state'])['state']['selection']

    def get_rec_name(self, name):
        return self.party.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('party.rec_name',) + tuple(clause[1:])]

    @fields.depends('event', '_parent_event.company')
    def on_change_with_company(self, name=None):
        return self.event.company if self.event else None

    @fields.depends('event', '_parent_event.state')
    def on_change_with_event_state(self, name=None):
        return self.event.state if self.event else None

    def get_email_address(self, name):
        return self.contact.email if self.contact else None

    @classmethod
    def email_contacts(cls, party_ids):
        "Return the first e-mail contact mechanism of each party"
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        contacts = {}
        for sub_ids in grouped_slice(party_ids):
            for mechanism in ContactMechanism.search([
                        ('party', 'in', list(sub_ids)),
                        ('type', '=', 'email'),
                        ], order=[('party', 'ASC'), ('sequence', 'ASC'),
                        ('id', 'ASC')]):
                contacts.setdefault(mechanism.party.id, mechanism.id)
        return contacts

    @fields.depends('party', 'contact')
    def on_change_party(self):
        if self.party:
            if not self.contact or self.contact.party != self.party:
                self.contact = self.party.contact_mechanism_get('email')
        else:
            self.contact = None

    @classmethod
    def check_modification(
            cls, mode, invitations, values=None, external=False):
        super().check_modification(
            mode, invitations, values=values, external=external)
        if mode == 'delete':
            for invitation in invitations:
                if invitation.state != 'planned':
                    raise AccessError(gettext(
                            'crm_marketing.msg_event_invitation_delete',
                            party=invitation.party.rec_name,
                            event=invitation.event.rec_name))

    @classmethod
    def validate_fields(cls, invitations, field_names):
        pool = Pool()
        Event = pool.get('crm.event')
        super().validate_fields(invitations, field_names)
        if field_names & {'state', 'event'}:
            Event.check_capacity(
                Event.browse({i.event.id for i in invitations
                        if i.state in SEAT_STATES}))

    @classmethod
    def copy(cls, invitations, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('sent_at', None)
        default.setdefault('lead', None)
        default.setdefault('interested', False)
        return super().copy(invitations, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('invited')
    def invite(cls, invitations):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('registered')
    def register(cls, invitations):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('attended')
    def attend(cls, invitations):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('no_show')
    def no_show(cls, invitations):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('declined')
    def decline(cls, invitations):
        pass

    @property
    def addressee(self):
        "The name the invitation greets"
        return (self.contact.name if self.contact and self.contact.name
            else self.party.rec_name)

    @property
    def signatory(self):
        "The employee who signs the invitation: the guest's account manager"
        manager = self.party.account_manager
        if manager and manager.company == self.event.company:
            return manager
        return self.event.responsible

    @property
    def language(self):
        "The language the guest is written to"
        pool = Pool()
        Lang = pool.get('ir.lang')
        language = None
        if self.contact:
            language = self.contact.get_multivalue(
                'language', company=self.event.company.id)
        return (language or self.party.lang
            or self.event.company.party.lang or Lang.get())

    @classmethod
    def send_emails(cls, invitations):
        """E-mail to each planned invitation with an address its message and
        mark it invited"""
        pool = Pool()
        Email = pool.get('ir.email')
        # The queue may run it later: the guest may have answered meanwhile
        invitations = [i for i in cls.browse(invitations)
            if i.state == 'planned' and i.email]
        datamanager = SMTPDataManager()
        from_ = (trytond_config.get('marketing', 'email_from')
            or trytond_config.get('email', 'from'))
        emails = []
        for invitation in invitations:
            msg = invitation.get_email(from_)
            send_message_transactional(msg, datamanager=datamanager)
            emails.append(Email.from_message(msg, resource=invitation))
        Email.save(emails)
        cls.write(invitations, {
                'sent_at': dt.datetime.now().replace(microsecond=0),
                })
        cls.invite(invitations)

    def get_email(self, from_):
        "Return the message inviting the guest, in the guest's language"
        language = self.language
        msg, _ = get_email('crm.event.invitation.email', self, [language])
        with Transaction().set_context(language=language.code):
            subject = gettext(
                'crm_marketing.msg_event_invitation_subject',
                event=self.event.name)
        set_from_header(msg, from_, from_)
        msg['To'] = format_address(self.email, self.addressee)
        msg['Subject'] = subject
        signatory = self.signatory
        if signatory and signatory.party.email:
            msg['Reply-To'] = format_address(
                signatory.party.email, signatory.party.rec_name)
        return msg

    def get_lead(self):
        "Return the lead of the interested guest"
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        event = self.event
        company = event.company
        manager = self.party.account_manager
        return Opportunity(
            party=self.party,
            contact=self.contact,
            address=self.party.address_get(),
            company=company,
            currency=company.currency,
            employee=manager if manager and manager.company == company
            else None,
            marketing_campaign=event.campaign,
            # The need was told at the event
            start_date=event.at_company(event.end).date(),
            description=gettext(
                'crm_marketing.msg_event_lead_description',
                kind=event.kind_string,
                event=event.name),
            comment=self._lead_comment(),
            state='lead')

    def _lead_comment(self):
        "Return what the guest answered, for the salesperson"
        pool = Pool()
        Response = pool.get('crm.questionnaire.response')
        lines = [gettext(
                'crm_marketing.msg_event_lead_comment',
                event=self.event.rec_name)]
        for response in Response.search([('invitation', '=', self.id)]):
            lines.extend(a.summary for a in response.answers if a.summary)
        return '\n'.join(lines)


class InvitationEmail(Report):
    "The personalised invitation e-mailed to a guest"
    __name__ = 'crm.event.invitation.email'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['schedule'] = cls.schedule
        return context

    @classmethod
    def schedule(cls, event):
        """Return the dates and times of the event at the company, written
        in the language of the message"""
        try:
            locale = Locale.parse(Transaction().language or 'en')
        except (UnknownLocaleError, ValueError):
            locale = Locale.parse('en')
        start, end = event.at_company(event.start), event.at_company(event.end)
        return {
            'one_day': start.date() == end.date(),
            'start_date': babel_dates.format_date(
                start.date(), 'long', locale=locale),
            'start_time': babel_dates.format_time(
                start.time(), 'short', locale=locale),
            'end_date': babel_dates.format_date(
                end.date(), 'long', locale=locale),
            'end_time': babel_dates.format_time(
                end.time(), 'short', locale=locale),
            }


class FillFromSegmentStart(ModelView):
    "Choose the segment whose members are invited"
    __name__ = 'crm.event.fill_from_segment.start'
    __string__ = "Fill Event from Segment"

    company = fields.Many2One('company.company', "Company", readonly=True)
    segment = fields.Many2One(
        'crm.segment', "Segment", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="Its members not invited yet are added to the invitations.")


class FillFromSegment(Wizard):
    "Add the members of a segment to the invitations of an event"
    __name__ = 'crm.event.fill_from_segment'

    start = StateView(
        'crm.event.fill_from_segment.start',
        'crm_marketing.event_fill_from_segment_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Add", 'fill', 'tryton-ok', default=True),
            ])
    fill = StateTransition()

    def default_start(self, fields):
        values = {'company': self.record.company.id}
        # The target segment of the campaign, if any
        if self.record.campaign and self.record.campaign.segment:
            values['segment'] = self.record.campaign.segment.id
        return values

    def transition_fill(self):
        self.model.add_segment_members(self.records, self.start.segment)
        return 'end'


class CreateLeadsResult(ModelView):
    "The leads created from the interested guests of an event"
    __name__ = 'crm.event.create_leads.result'
    __string__ = "Event Leads Created"

    created = fields.Integer("Leads Created", readonly=True)
    leads = fields.Many2Many(
        'sale.opportunity', None, None, "Leads", readonly=True)


class CreateLeads(Wizard):
    "Create a lead for each interested guest of the event"
    __name__ = 'crm.event.create_leads'

    start = StateTransition()
    result = StateView(
        'crm.event.create_leads.result',
        'crm_marketing.event_create_leads_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            Button("Open Leads", 'open_', 'tryton-forward',
                states={
                    'invisible': ~Eval('created', 0),
                    }),
            ])
    open_ = StateAction('sale_opportunity.act_opportunity_form')

    def transition_start(self):
        self.result.leads = self.model.make_leads(self.records)
        self.result.created = len(self.result.leads)
        return 'result'

    def default_result(self, fields):
        return {
            'created': self.result.created,
            'leads': [l.id for l in self.result.leads],
            }

    def do_open_(self, action):
        action['domain'] = [('id', 'in', [l.id for l in self.result.leads])]
        action['name'] += ' (%s)' % self.record.rec_name
        return action, {}


class PartyReplace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('crm.event.invitation', 'party'),
            ]
