# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Campaign analysis (M2): budget, cost, leads, won revenue and ROI of the
campaigns of a period, per campaign and per channel (medium)"""
from sql import Null
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.crm_sales.reporting import PeriodContextMixin
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.transaction import Transaction

from .campaign import roi


class Context(PeriodContextMixin, ModelView):
    __name__ = 'crm.campaign.analysis.context'
    __string__ = "Campaign Analysis Context"


class Abstract(ModelSQL):

    company = fields.Many2One('company.company', "Company")
    currency = fields.Many2One('currency.currency', "Currency")
    planned_budget = Monetary(
        "Planned Budget", currency='currency', digits='currency',
        help="The whole planned budget of the campaigns.")
    actual_cost = Monetary(
        "Actual Cost", currency='currency', digits='currency',
        help="The untaxed amount of the supplier invoices of the period "
        "linked to the campaigns, in the company's currency.")
    budget_consumption = fields.Function(fields.Float(
            "Budget Consumption", digits=(1, 4)),
        'get_ratio')
    lead_count = fields.Integer(
        "Leads", help="The leads of the period attributed to the campaigns.")
    opportunity_count = fields.Integer(
        "Opportunities",
        help="The leads of the period that became an opportunity.")
    won_count = fields.Integer(
        "Won Opportunities",
        help="The leads of the period that were won.")
    won_revenue = Monetary(
        "Won Revenue", currency='currency', digits='currency',
        help="The untaxed amount of the won sales of the period attributed "
        "to the campaigns, in the company's currency.")
    roi = fields.Function(fields.Float(
            "ROI", digits=(1, 4),
            help="The won revenue less the actual cost, "
            "divided by the actual cost."),
        'get_ratio')
    conversion_rate = fields.Function(fields.Float(
            "Conversion Rate", digits=(1, 4),
            help="The won opportunities as a share of the leads."),
        'get_ratio')

    @classmethod
    def _campaign_rows(cls):
        """Return the query of the figures of each campaign of the company of
        the context that runs in the period or has figures in it"""
        pool = Pool()
        BudgetLine = pool.get('crm.campaign.budget.line')
        Campaign = pool.get('marketing.campaign')
        Company = pool.get('company.company')
        InvoiceLine = pool.get('account.invoice.line')
        context = Transaction().context
        company_id = context.get('company') or -1
        from_date = context.get('from_date')
        to_date = context.get('to_date')

        def in_period(query):
            where = query.company == company_id
            if from_date:
                where &= query.date >= from_date
            if to_date:
                where &= query.date <= to_date
            return where

        def by_campaign(query, *columns):
            return query.select(query.campaign.as_('campaign'),
                *(Sum(getattr(query, c)).as_(c) for c in columns),
                where=in_period(query),
                group_by=query.campaign)

        campaign = Campaign.__table__()
        company = Company.__table__()
        budget_line = BudgetLine.__table__()
        budget = budget_line.select(
            budget_line.campaign.as_('campaign'),
            Sum(budget_line.planned_amount).as_('amount'),
            group_by=budget_line.campaign)
        costs = by_campaign(InvoiceLine.marketing_cost_query(), 'amount')
        leads = by_campaign(Campaign.opportunity_query(),
            'lead', 'opportunity', 'won')
        sales = by_campaign(Campaign.revenue_query(), 'amount')

        runs = campaign.company == company_id
        if from_date:
            runs &= (campaign.end_date == Null) | (
                campaign.end_date >= from_date)
        if to_date:
            runs &= (campaign.start_date == Null) | (
                campaign.start_date <= to_date)
        has_figures = ((costs.campaign != Null) | (leads.campaign != Null)
            | (sales.campaign != Null))

        def amount(field, column):
            return field.sql_cast(Coalesce(column, 0))

        def count(column):
            return cls.lead_count.sql_cast(Coalesce(column, 0))
        return (campaign
            .join(company, condition=company.id == company_id)
            .join(budget, 'LEFT', condition=budget.campaign == campaign.id)
            .join(costs, 'LEFT', condition=costs.campaign == campaign.id)
            .join(leads, 'LEFT', condition=leads.campaign == campaign.id)
            .join(sales, 'LEFT', condition=sales.campaign == campaign.id)
            .select(
                campaign.id.as_('id'),
                campaign.id.as_('campaign'),
                campaign.medium.as_('medium'),
                campaign.state.as_('state'),
                company.id.as_('company'),
                company.currency.as_('currency'),
                amount(cls.planned_budget, budget.amount).as_(
                    'planned_budget'),
                amount(cls.actual_cost, costs.amount).as_('actual_cost'),
                count(leads.lead).as_('lead_count'),
                count(leads.opportunity).as_('opportunity_count'),
                count(leads.won).as_('won_count'),
                amount(cls.won_revenue, sales.amount).as_('won_revenue'),
                where=runs | has_figures))

    def get_ratio(self, name):
        if name == 'budget_consumption':
            if self.planned_budget:
                return round(
                    float(self.actual_cost / self.planned_budget), 4)
        elif name == 'roi':
            return roi(self.won_revenue, self.actual_cost)
        elif name == 'conversion_rate':
            if self.lead_count:
                return round(self.won_count / self.lead_count, 4)


class Campaign(Abstract, ModelView):
    __name__ = 'crm.campaign.analysis.campaign'
    __string__ = "Campaign Analysis"

    campaign = fields.Many2One('marketing.campaign', "Campaign")
    medium = fields.Many2One('marketing.medium', "Channel")
    state = fields.Selection('get_states', "State")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('actual_cost', 'DESC'))

    @classmethod
    def table_query(cls):
        return cls._campaign_rows()

    @classmethod
    def get_states(cls):
        pool = Pool()
        Campaign = pool.get('marketing.campaign')
        return Campaign.fields_get(['state'])['state']['selection']

    def get_rec_name(self, name):
        return self.campaign.rec_name


class Medium(Abstract, ModelView):
    __name__ = 'crm.campaign.analysis.medium'
    __string__ = "Campaign Analysis per Channel"

    medium = fields.Many2One('marketing.medium', "Channel")
    campaign_count = fields.Integer("Campaigns")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('actual_cost', 'DESC'))

    @classmethod
    def table_query(cls):
        rows = cls._campaign_rows()

        def total(field, column):
            return field.sql_cast(Sum(column))
        return rows.select(
            rows.medium.as_('id'),
            rows.medium.as_('medium'),
            Max(rows.company).as_('company'),
            Max(rows.currency).as_('currency'),
            Count(rows.campaign).as_('campaign_count'),
            *(total(getattr(cls, n), getattr(rows, n)).as_(n) for n in [
                    'planned_budget', 'actual_cost', 'lead_count',
                    'opportunity_count', 'won_count', 'won_revenue']),
            where=rows.medium != Null,
            group_by=rows.medium)

    def get_rec_name(self, name):
        return self.medium.rec_name
