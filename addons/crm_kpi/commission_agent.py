# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Dealers and representatives (K5): the commission agents of the dealer and
representative sales channels, who become by default the agent of their
customers' sales and invoices"""
from collections import defaultdict
from itertools import groupby

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

# The kinds of sales channel whose customers buy through an agent
AGENT_CHANNEL_KINDS = ['dealer', 'representative']


class Agent(metaclass=PoolMeta):
    __name__ = 'commission.agent'
    sales_channel = fields.Many2One(
        'crm.sales.channel', "Sales Channel", ondelete='RESTRICT',
        domain=[
            ('kind', 'in', AGENT_CHANNEL_KINDS),
            ],
        states={
            'invisible': Eval('type_') != 'agent',
            },
        help="The dealer or representative channel the agent stands for: "
        "the sales and invoices of the channel's customers get the agent "
        "when they have none.")

    @classmethod
    def validate_fields(cls, agents, field_names):
        super().validate_fields(agents, field_names)
        cls.check_sales_channel(agents, field_names)

    @classmethod
    def check_sales_channel(cls, agents, field_names=None):
        "Check that a channel has at most one active agent per company"
        if field_names and not (
                field_names & {'sales_channel', 'company', 'type_', 'active'}):
            return
        channels = {a.sales_channel.id for a in agents
            if a.sales_channel and a.type_ == 'agent' and a.active}
        if not channels:
            return
        agents_of = defaultdict(list)
        for agent in cls.search([
                    ('sales_channel', 'in', list(channels)),
                    ('type_', '=', 'agent'),
                    ]):
            agents_of[agent.company, agent.sales_channel].append(agent)
        for (company, channel), c_agents in agents_of.items():
            if len(c_agents) > 1:
                raise ValidationError(gettext(
                        'crm_kpi.msg_commission_channel_agent_unique',
                        channel=channel.rec_name,
                        agent=c_agents[0].rec_name,
                        other=c_agents[1].rec_name,
                        company=company.rec_name))

    @classmethod
    def channel_agents(cls, company, parties):
        """Return the agent of the sales channel of the parties in the
        company by party id, for the parties whose channel has one"""
        channels = {p.id: p.sales_channel.id
            for p in parties if p and p.sales_channel}
        if not channels:
            return {}
        agents = {a.sales_channel.id: a for a in cls.search([
                    ('company', '=', company.id),
                    ('type_', '=', 'agent'),
                    ('sales_channel', 'in', list(set(channels.values()))),
                    ])}
        return {p: agents[c] for p, c in channels.items() if c in agents}


class SalesChannel(metaclass=PoolMeta):
    __name__ = 'crm.sales.channel'
    agents = fields.One2Many(
        'commission.agent', 'sales_channel', "Agents", readonly=True,
        filter=[
            ('type_', '=', 'agent'),
            ],
        states={
            'invisible': ~Eval('kind').in_(AGENT_CHANNEL_KINDS),
            },
        help="The commission agents of the channel, one per company.")


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    def set_agent(cls, sales):
        "Fall back on the agent of the customer's channel"
        pool = Pool()
        Agent = pool.get('commission.agent')
        # The agent selections, more specific, are applied first
        super().set_agent(sales)
        to_save = []
        without = sorted(
            (s for s in sales if not s.agent), key=lambda s: s.company.id)
        for company, c_sales in groupby(without, key=lambda s: s.company):
            c_sales = list(c_sales)
            agents = Agent.channel_agents(company, [s.party for s in c_sales])
            for sale in c_sales:
                if agent := agents.get(sale.party.id):
                    sale.agent = agent
                    to_save.append(sale)
        cls.save(to_save)


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @fields.depends('company', 'agent')
    def on_change_party(self):
        pool = Pool()
        Agent = pool.get('commission.agent')
        super().on_change_party()
        if (self.type == 'out' and self.party and self.company
                and not self.agent):
            self.agent = Agent.channel_agents(
                self.company, [self.party]).get(self.party.id)

    @classmethod
    def preprocess_values(cls, mode, values):
        """Give the customer's channel agent to the customer invoices created
        without any agent given (an explicit empty agent is kept)"""
        pool = Pool()
        Agent = pool.get('commission.agent')
        Company = pool.get('company.company')
        Party = pool.get('party.party')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and values.get('type') == 'out'
                and 'agent' not in values
                and values.get('party') is not None):
            company_id = values.get('company', cls.default_company())
            if company_id is not None:
                agent = Agent.channel_agents(
                    Company(company_id), [Party(values['party'])]).get(
                    values['party'])
                if agent:
                    values['agent'] = agent.id
        return values

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, invoices):
        # Upstream reverts the commissions of the invoices cancelled before
        # posting only. A posted invoice cancelled by a cancel move (no credit
        # note bears the reversal) kept its commission, which its
        # reconciliation with the cancel move even made due on payment plans.
        posted = [i for i in invoices
            if i.state == 'posted' and not i.cancel_move]
        super().cancel(invoices)
        cls.revert_commissions(posted)

    @classmethod
    def revert_commissions(cls, invoices):
        """Delete the commissions of the invoices not yet invoiced to the
        agent and reverse the others at today's date"""
        pool = Pool()
        Commission = pool.get('commission')
        Date = pool.get('ir.date')
        if not invoices:
            return
        commissions = Commission.search([
                ('origin.invoice', 'in', [i.id for i in invoices],
                    'account.invoice.line'),
                ])
        to_delete = [c for c in commissions if not c.invoice_line]
        invoiced = [c for c in commissions if c.invoice_line]
        reversals = Commission.copy(invoiced)
        for reversal, commission in zip(reversals, invoiced):
            with Transaction().set_context(
                    company=commission.agent.company.id):
                reversal.date = Date.today()
            reversal.amount = -commission.amount
        Commission.save(reversals)
        Commission.delete(to_delete)
