# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The marketing calendar (M7): the campaigns and the events together, each
from its first to its last day"""
from sql import Cast, Literal, Null, Union
from sql.conditionals import Coalesce
from sql.operators import Concat

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import StateAction, StateTransition, Wizard

# The background of the calendar per kind, grey when cancelled
COLORS = {
    'campaign': '#267f82',
    'event': '#e07b39',
    'cancelled': '#9e9e9e',
    }


class Calendar(ModelSQL, ModelView):
    "A campaign or an event on the marketing calendar"
    __name__ = 'crm.marketing.calendar'
    __string__ = "Marketing Calendar"

    company = fields.Many2One('company.company', "Company")
    kind = fields.Selection([
            ('campaign', "Campaign"),
            ('event', "Event"),
            ], "Kind")
    name = fields.Char("Name")
    start_date = fields.Date("Start Date")
    end_date = fields.Date("End Date")
    state = fields.Selection([
            ('draft', "Draft"),
            ('planned', "Planned"),
            ('running', "Running"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State")
    campaign = fields.Many2One(
        'marketing.campaign', "Campaign",
        help="The campaign itself or the campaign of the event.")
    medium = fields.Many2One(
        'marketing.medium', "Channel",
        help="The channel of the campaign.")
    record = fields.Reference("Record", selection=[
            ('marketing.campaign', "Campaign"),
            ('crm.event', "Event"),
            ])
    color = fields.Function(fields.Char("Color"), 'get_color')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('start_date', 'ASC'),
            ('kind', 'ASC'),
            ('name', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def table_query(cls):
        # The ids of campaigns are even and those of events are odd
        return Union(cls._campaigns(), cls._events(), all_=True)

    @classmethod
    def _reference(cls, model, table):
        return Concat(model + ',', Cast(table.id, cls.name.sql_type().base))

    @classmethod
    def _campaigns(cls):
        pool = Pool()
        Campaign = pool.get('marketing.campaign')
        campaign = Campaign.__table__()
        return campaign.select(
            (campaign.id * 2).as_('id'),
            campaign.company.as_('company'),
            Literal('campaign').as_('kind'),
            campaign.name.as_('name'),
            campaign.start_date.as_('start_date'),
            Coalesce(campaign.end_date, campaign.start_date).as_('end_date'),
            campaign.state.as_('state'),
            campaign.id.as_('campaign'),
            campaign.medium.as_('medium'),
            cls._reference('marketing.campaign', campaign).as_('record'),
            where=campaign.start_date != Null)

    @classmethod
    def _events(cls):
        pool = Pool()
        Campaign = pool.get('marketing.campaign')
        Company = pool.get('company.company')
        Event = pool.get('crm.event')
        event = Event.__table__()
        campaign = Campaign.__table__()

        # The days of the company, not of UTC
        timezone = None
        if company_id := Transaction().context.get('company'):
            timezone = Company(company_id).timezone

        def day(datetime):
            return cls.start_date.sql_cast(datetime, timezone=timezone)
        return (event
            .join(campaign, 'LEFT', condition=event.campaign == campaign.id)
            .select(
                (event.id * 2 + 1).as_('id'),
                event.company.as_('company'),
                Literal('event').as_('kind'),
                event.name.as_('name'),
                day(event.start).as_('start_date'),
                day(event.end).as_('end_date'),
                event.state.as_('state'),
                event.campaign.as_('campaign'),
                campaign.medium.as_('medium'),
                cls._reference('crm.event', event).as_('record')))

    def get_rec_name(self, name):
        # The campaigns keep their name in lower case and title it
        return self.record.rec_name if self.record else self.name

    def get_color(self, name):
        return COLORS['cancelled' if self.state == 'cancelled' else self.kind]


class CalendarOpen(Wizard):
    "Open the campaigns and the events of the calendar rows selected"
    __name__ = 'crm.marketing.calendar.open'
    _readonly = True

    start = StateTransition()
    campaigns = StateAction('marketing_campaign.act_campaign_form')
    events = StateAction('crm_marketing.act_event_form')

    def _ids(self, kind):
        return [r.record.id for r in self.records if r.kind == kind]

    def transition_start(self):
        return 'campaigns' if self._ids('campaign') else 'events'

    def transition_campaigns(self):
        return 'events' if self._ids('event') else 'end'

    def _open(self, action, ids):
        action['pyson_domain'] = PYSONEncoder().encode([('id', 'in', ids)])
        # The tabs by state would hide some of the records
        action['domains'] = []
        return action, {'res_id': ids}

    def do_campaigns(self, action):
        return self._open(action, self._ids('campaign'))

    def do_events(self, action):
        return self._open(action, self._ids('event'))
