# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Marketing campaigns (M2): the plan of a campaign, its budget, its actual
cost from the supplier invoices and its results in leads and sales"""
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Case
from sql.functions import Round

from trytond import backend
from trytond.exceptions import UserWarning
from trytond.i18n import gettext
from trytond.model import Index, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

# The opportunities that got past the lead stage
OPPORTUNITY_STATES = ['opportunity', 'converted', 'won', 'lost']
# The sales sale_opportunity counts as won
WON_SALE_STATES = ['confirmed', 'processing', 'done']


class CampaignValidationError(ValidationError):
    pass


class CampaignBudgetWarning(UserWarning):
    pass


def rate_at(rate, currency, date):
    "The condition of the rate of currency in force on date"
    return ((rate.currency == currency)
        & (rate.start_date <= date)
        & ((rate.end_date == Null) | (rate.end_date > date)))


class Campaign(Workflow, metaclass=PoolMeta):
    __name__ = 'marketing.campaign'
    # budgets are audited (DESIGN §8)
    _history = True

    _states_draft = {
        'readonly': Eval('state') != 'draft',
        }
    _states_open = {
        'readonly': Eval('state').in_(['done', 'cancelled']),
        'required': Eval('state').in_(['planned', 'running', 'done']),
        }

    company = fields.Many2One(
        'company.company', "Company",
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            },
        help="The company that runs and pays the campaign.\n"
        "Campaigns created from links (UTM) may have none "
        "until they are planned.")
    start_date = fields.Date("Start Date", states=_states_open)
    end_date = fields.Date("End Date", states=_states_open)
    responsible = fields.Many2One(
        'company.employee', "Responsible",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': _states_open['readonly'],
            })
    medium = fields.Many2One(
        'marketing.medium', "Channel", ondelete='RESTRICT',
        states={
            'readonly': _states_open['readonly'],
            },
        help="The marketing medium of the campaign: exhibition, e-mail, "
        "contextual advertising…")
    segment = fields.Many2One(
        'crm.segment', "Target Segment", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': _states_open['readonly'],
            })
    goals = fields.Text(
        "Goals", states={
            'readonly': _states_open['readonly'],
            })
    target_leads = fields.Integer(
        "Target Leads", states=_states_draft,
        help="The number of leads the campaign should bring.")
    target_revenue = Monetary(
        "Target Revenue", currency='currency', digits='currency',
        states=_states_draft,
        help="The revenue of the sales the campaign should bring.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('planned', "Planned"),
            ('running', "Running"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')

    budget_lines = fields.One2Many(
        'crm.campaign.budget.line', 'campaign', "Budget Lines",
        states=_states_draft)
    planned_budget = fields.Function(Monetary(
            "Planned Budget", currency='currency', digits='currency',
            help="The sum of the planned amounts of the budget lines."),
        'get_budget')
    actual_cost = fields.Function(Monetary(
            "Actual Cost", currency='currency', digits='currency',
            help="The untaxed amount of the posted supplier invoice lines "
            "linked to the campaign, in the company's currency, "
            "credit notes deducted."),
        'get_budget')
    remaining_budget = fields.Function(Monetary(
            "Remaining Budget", currency='currency', digits='currency',
            help="The planned budget less the actual cost."),
        'get_budget')
    budget_consumption = fields.Function(fields.Float(
            "Budget Consumption", digits=(1, 4),
            help="The actual cost as a share of the planned budget."),
        'get_budget')

    lead_count = fields.Function(fields.Integer(
            "Leads",
            help="The number of leads and opportunities "
            "attributed to the campaign."),
        'get_results')
    opportunity_count = fields.Function(fields.Integer(
            "Opportunities",
            help="The number of leads that became an opportunity."),
        'get_results')
    won_count = fields.Function(fields.Integer(
            "Won Opportunities"),
        'get_results')
    won_revenue = fields.Function(Monetary(
            "Won Revenue", currency='currency', digits='currency',
            help="The untaxed amount of the confirmed, processing and done "
            "sales attributed to the campaign, in the company's currency."),
        'get_results')
    roi = fields.Function(fields.Float(
            "ROI", digits=(1, 4),
            help="The return on investment: the won revenue less the actual "
            "cost, divided by the actual cost."),
        'get_results')
    conversion_rate = fields.Function(fields.Float(
            "Conversion Rate", digits=(1, 4),
            help="The won opportunities as a share of the leads."),
        'get_results')

    del _states_draft, _states_open

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low'))))
        cls._transitions |= {
            ('draft', 'planned'),
            ('planned', 'running'),
            ('running', 'done'),
            ('planned', 'draft'),
            ('cancelled', 'draft'),
            ('draft', 'cancelled'),
            ('planned', 'cancelled'),
            ('running', 'cancelled'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': ~Eval('state').in_(['planned', 'cancelled']),
                    'icon': If(Eval('state') == 'cancelled',
                        'tryton-undo', 'tryton-back'),
                    'depends': ['state'],
                    },
                'plan': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'run': {
                    'invisible': Eval('state') != 'planned',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'planned', 'running']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def validate_fields(cls, campaigns, field_names):
        super().validate_fields(campaigns, field_names)
        if field_names & {'start_date', 'end_date'}:
            for campaign in campaigns:
                if (campaign.start_date and campaign.end_date
                        and campaign.end_date < campaign.start_date):
                    raise CampaignValidationError(gettext(
                            'crm_marketing.msg_campaign_dates',
                            campaign=campaign.rec_name))
        if field_names & {'target_leads', 'target_revenue'}:
            for campaign in campaigns:
                if ((campaign.target_leads or 0) < 0
                        or (campaign.target_revenue or 0) < 0):
                    raise CampaignValidationError(gettext(
                            'crm_marketing.msg_campaign_target_negative',
                            campaign=campaign.rec_name))

    @classmethod
    def check_modification(
            cls, mode, campaigns, values=None, external=False):
        super().check_modification(
            mode, campaigns, values=values, external=external)
        if mode == 'delete':
            for campaign in campaigns:
                if campaign.state not in {'draft', 'cancelled'}:
                    raise AccessError(gettext(
                            'crm_marketing.msg_campaign_delete_draft',
                            campaign=campaign.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, campaigns):
        pass

    @classmethod
    def _sum_by_campaign(cls, query, columns, campaign_ids):
        """Return the sums of columns of query per campaign of campaign_ids:
        the rows of another company than the campaign's are left out"""
        campaign = cls.__table__()
        cursor = Transaction().connection.cursor()
        sums = {}
        for sub_ids in grouped_slice(campaign_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*query.join(campaign,
                    condition=query.campaign == campaign.id).select(
                    query.campaign,
                    *(Sum(getattr(query, c)) for c in columns),
                    where=reduce_ids(query.campaign, sub_ids)
                    & ((campaign.company == Null)
                        | (query.company == campaign.company)),
                    group_by=query.campaign))
            for campaign_id, *values in cursor:
                sums[campaign_id] = values
        return sums

    @classmethod
    def _planned_budgets(cls, campaign_ids):
        "Return the planned budget of each campaign"
        pool = Pool()
        BudgetLine = pool.get('crm.campaign.budget.line')
        line = BudgetLine.__table__()
        cursor = Transaction().connection.cursor()
        planned = {}
        for sub_ids in grouped_slice(campaign_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(
                    line.campaign, Sum(line.planned_amount),
                    where=reduce_ids(line.campaign, sub_ids),
                    group_by=line.campaign))
            planned.update(cursor)
        return planned

    @classmethod
    def actual_costs(cls, campaign_ids):
        "Return the actual cost of each campaign in its company's currency"
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        costs = cls._sum_by_campaign(
            InvoiceLine.marketing_cost_query(), ['amount'], campaign_ids)
        return {c: v for c, (v,) in costs.items()}

    @classmethod
    def get_budget(cls, campaigns, names):
        ids = [c.id for c in campaigns]
        planned = cls._planned_budgets(ids)
        costs = cls.actual_costs(ids)
        result = {name: {} for name in names}
        for campaign in campaigns:
            budget = _amount(campaign, planned.get(campaign.id))
            cost = _amount(campaign, costs.get(campaign.id))
            values = {
                'planned_budget': budget,
                'actual_cost': cost,
                'remaining_budget': budget - cost,
                'budget_consumption': (
                    round(float(cost / budget), 4) if budget else None),
                }
            for name in names:
                result[name][campaign.id] = values[name]
        return result

    @classmethod
    def opportunity_query(cls):
        """Return the query of the opportunities attributed to campaigns with
        the columns campaign, company, date, lead (1), opportunity and won
        (1 or 0)"""
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        opportunity = Opportunity.__table__()

        def flag(condition):
            return Case((condition, Literal(1)), else_=Literal(0))
        return opportunity.select(
            opportunity.marketing_campaign.as_('campaign'),
            opportunity.company.as_('company'),
            opportunity.start_date.as_('date'),
            Literal(1).as_('lead'),
            flag(opportunity.state.in_(OPPORTUNITY_STATES)).as_(
                'opportunity'),
            flag(opportunity.state == 'won').as_('won'),
            where=opportunity.marketing_campaign != Null)

    @classmethod
    def revenue_query(cls):
        """Return the query of the won sales attributed to campaigns with the
        columns campaign, company, date and amount, the untaxed amount in the
        company's currency at the rate of the sale date"""
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Sale = pool.get('sale.sale')
        sale = Sale.__table__()
        company = Company.__table__()
        company_currency = Currency.__table__()
        sale_rate = Currency.currency_rate_sql()
        company_rate = Currency.currency_rate_sql()

        amount = sale.untaxed_amount_cache
        converted = Case(
            (sale.currency == company.currency, amount),
            else_=amount * company_rate.rate / sale_rate.rate)
        return (sale
            .join(company, condition=sale.company == company.id)
            .join(company_currency,
                condition=company.currency == company_currency.id)
            .join(sale_rate, 'LEFT',
                condition=rate_at(sale_rate, sale.currency, sale.sale_date))
            .join(company_rate, 'LEFT', condition=rate_at(
                    company_rate, company.currency, sale.sale_date))
            .select(
                sale.marketing_campaign.as_('campaign'),
                sale.company.as_('company'),
                sale.sale_date.as_('date'),
                Round(converted, company_currency.digits).as_('amount'),
                where=(sale.marketing_campaign != Null)
                & sale.state.in_(WON_SALE_STATES)))

    @classmethod
    def get_results(cls, campaigns, names):
        ids = [c.id for c in campaigns]
        counts = cls._sum_by_campaign(cls.opportunity_query(),
            ['lead', 'opportunity', 'won'], ids)
        revenues = cls._sum_by_campaign(cls.revenue_query(), ['amount'], ids)
        costs = cls.actual_costs(ids)
        result = {name: {} for name in names}
        for campaign in campaigns:
            leads, opportunities, won = (
                int(v or 0) for v in counts.get(campaign.id, [0, 0, 0]))
            revenue = _amount(campaign, revenues.get(campaign.id, [0])[0])
            cost = _amount(campaign, costs.get(campaign.id))
            values = {
                'lead_count': leads,
                'opportunity_count': opportunities,
                'won_count': won,
                'won_revenue': revenue,
                'roi': roi(revenue, cost),
                'conversion_rate': (
                    round(won / leads, 4) if leads else None),
                }
            for name in names:
                result[name][campaign.id] = values[name]
        return result

    @classmethod
    def check_budget(cls, additions, records):
        """Warn when adding the amounts of additions (campaign id: amount in
        its company's currency) to the actual cost exceeds the planned budget

        The warning can be skipped per records and campaign."""
        pool = Pool()
        Lang = pool.get('ir.lang')
        Warning = pool.get('res.user.warning')
        campaigns = cls.browse(
            sorted(c for c, a in additions.items() if a > 0))
        lang = Lang.get()
        for campaign in campaigns:
            cost = campaign.actual_cost + additions[campaign.id]
            overrun = cost - campaign.planned_budget
            if overrun <= 0:
                continue
            warning_key = Warning.format(
                'campaign_budget_overrun', list(records) + [campaign])
            if Warning.check(warning_key):
                currency = campaign.currency

                def format_(amount):
                    return lang.currency(amount, currency, grouping=True)
                raise CampaignBudgetWarning(warning_key, gettext(
                        'crm_marketing.msg_campaign_budget_overrun',
                        campaign=campaign.rec_name,
                        records=', '.join(r.rec_name for r in records),
                        cost=format_(cost),
                        budget=format_(campaign.planned_budget),
                        overrun=format_(overrun)))


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    def _get_sale_opportunity(self):
        # marketing_campaign's own override never matches the fields (it
        # tests isinstance on a class): the sale must keep the attribution
        sale = super()._get_sale_opportunity()
        sale.marketing_campaign = self.marketing_campaign
        sale.marketing_medium = self.marketing_medium
        sale.marketing_source = self.marketing_source
        return sale


def roi(revenue, cost):
    "Return the return on investment or None without cost"
    if cost:
        return round(float((revenue - cost) / cost), 4)


def _amount(campaign, value):
    "Return the SQL sum value as an amount rounded to the campaign's currency"
    if value is None:
        value = 0
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if campaign.currency:
        value = campaign.currency.round(value)
    return value
