# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The marketing plan (M7): the investment planned per channel for a period
against the actual cost of the campaigns of each channel"""
from decimal import Decimal

from sql.aggregate import Sum

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction


def _amount(value):
    "Return the Decimal of a sum from the database (a float on SQLite)"
    return Decimal(str(value)) if value is not None else Decimal(0)


def _ratio(amount, total):
    "Return amount as a share of total, None without total"
    if total:
        return round(float(amount / total), 4)


class Plan(Workflow, ModelSQL, ModelView):
    "The marketing investment planned for a period, per channel"
    __name__ = 'crm.marketing.plan'
    __string__ = "Marketing Plan"
    # budgets are audited (DESIGN §8)
    _history = True

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    name = fields.Char("Name", required=True, states=_states)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    start_date = fields.Date("Start Date", required=True, states=_states)
    end_date = fields.Date("End Date", required=True, states=_states)
    lines = fields.One2Many(
        'crm.marketing.plan.line', 'plan', "Lines", states=_states)
    state = fields.Selection([
            ('draft', "Draft"),
            ('approved', "Approved"),
            ], "State", required=True, readonly=True, sort=False)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    planned_amount = fields.Function(Monetary(
            "Planned Investment", currency='currency', digits='currency'),
        'get_amounts')
    actual_amount = fields.Function(Monetary(
            "Actual Cost", currency='currency', digits='currency',
            help="The actual cost of the campaigns of the channels "
            "of the plan in the period."),
        'get_amounts')
    variance = fields.Function(Monetary(
            "Variance", currency='currency', digits='currency',
            help="The actual cost less the planned investment: "
            "positive when overspent."),
        'get_amounts')
    execution = fields.Function(fields.Float(
            "Execution", digits=(1, 4),
            help="The actual cost as a share of the planned investment."),
        'get_amounts')
    unplanned_amount = fields.Function(Monetary(
            "Cost outside the Plan", currency='currency', digits='currency',
            help="The actual cost in the period of the campaigns "
            "whose channel is not in the plan."),
        'get_amounts')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('start_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'approved'),
            ('approved', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
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
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        if field_names & {'start_date', 'end_date'}:
            for plan in plans:
                if plan.end_date < plan.start_date:
                    raise ValidationError(gettext(
                            'crm_marketing.msg_marketing_plan_dates',
                            plan=plan.rec_name))

    @classmethod
    def check_modification(cls, mode, plans, values=None, external=False):
        super().check_modification(
            mode, plans, values=values, external=external)
        if mode == 'delete':
            for plan in plans:
                if plan.state != 'draft':
                    raise AccessError(gettext(
                            'crm_marketing.msg_marketing_plan_delete_draft',
                            plan=plan.rec_name))

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('state', 'draft')
        return super().copy(plans, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, plans):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, plans):
        pass

    @classmethod
    def actual_costs(cls, plan_ids):
        """Return the actual cost of the period of each plan in its company's
        currency: the posted supplier invoice lines of its campaigns dated
        in the period, credit notes deducted"""
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        plan = cls.__table__()
        cost = InvoiceLine.marketing_cost_query()
        cursor = Transaction().connection.cursor()
        costs = {}
        for sub_ids in grouped_slice(plan_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*plan.join(cost,
                    condition=(cost.company == plan.company)
                    & (cost.date >= plan.start_date)
                    & (cost.date <= plan.end_date)).select(
                    plan.id, Sum(cost.amount),
                    where=reduce_ids(plan.id, sub_ids),
                    group_by=plan.id))
            costs.update(cursor)
        return costs

    @classmethod
    def get_amounts(cls, plans, names):
        pool = Pool()
        Line = pool.get('crm.marketing.plan.line')
        line_costs = Line.actual_costs([l.id for p in plans for l in p.lines])
        period_costs = cls.actual_costs([p.id for p in plans])
        result = {name: {} for name in names}
        for plan in plans:
            round_ = plan.currency.round
            planned = round_(
                sum((l.planned_amount for l in plan.lines), Decimal(0)))
            actual = round_(sum(
                    (_amount(line_costs.get(l.id)) for l in plan.lines),
                    Decimal(0)))
            period = round_(_amount(period_costs.get(plan.id)))
            values = {
                'planned_amount': planned,
                'actual_amount': actual,
                'variance': actual - planned,
                'execution': _ratio(actual, planned),
                'unplanned_amount': period - actual,
                }
            for name in names:
                result[name][plan.id] = values[name]
        return result


class PlanLine(sequence_ordered(), ModelSQL, ModelView):
    "The investment planned for a channel in a marketing plan"
    __name__ = 'crm.marketing.plan.line'
    __string__ = "Marketing Plan Line"
    _history = True

    _states = {
        'readonly': Eval('plan_state') != 'draft',
        }

    plan = fields.Many2One(
        'crm.marketing.plan', "Plan", required=True, ondelete='CASCADE',
        states=_states)
    medium = fields.Many2One(
        'marketing.medium', "Channel", required=True, ondelete='RESTRICT',
        states=_states,
        help="The channel whose campaigns the investment is for.")
    planned_amount = Monetary(
        "Planned Investment", currency='currency', digits='currency',
        required=True, states=_states)
    actual_amount = fields.Function(Monetary(
            "Actual Cost", currency='currency', digits='currency',
            help="The untaxed amount of the posted supplier invoice lines "
            "of the campaigns of the channel dated in the period of the "
            "plan, in the company's currency, credit notes deducted."),
        'get_amounts')
    variance = fields.Function(Monetary(
            "Variance", currency='currency', digits='currency',
            help="The actual cost less the planned investment: "
            "positive when overspent."),
        'get_amounts')
    execution = fields.Function(fields.Float(
            "Execution", digits=(1, 4),
            help="The actual cost as a share of the planned investment."),
        'get_amounts')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    plan_state = fields.Function(
        fields.Selection('get_plan_states', "Plan State"),
        'on_change_with_plan_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_constraints += [
            ('plan_medium_unique', Unique(t, t.plan, t.medium),
                'crm_marketing.msg_marketing_plan_line_medium_unique'),
            ]

    @classmethod
    def default_planned_amount(cls):
        return Decimal(0)

    @fields.depends('plan', '_parent_plan.company')
    def on_change_with_currency(self, name=None):
        if self.plan and self.plan.company:
            return self.plan.company.currency

    @classmethod
    def get_plan_states(cls):
        pool = Pool()
        Plan = pool.get('crm.marketing.plan')
        return Plan.fields_get(['state'])['state']['selection']

    @fields.depends('plan', '_parent_plan.state')
    def on_change_with_plan_state(self, name=None):
        if self.plan:
            return self.plan.state

    def get_rec_name(self, name):
        return '%s – %s' % (self.plan.rec_name, self.medium.rec_name)

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if 'planned_amount' in field_names:
            for line in lines:
                # Not an SQL check: SQLite stores the numerics as bytes
                if line.planned_amount < 0:
                    raise ValidationError(gettext(
                            'crm_marketing'
                            '.msg_marketing_plan_line_amount_negative',
                            line=line.rec_name))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        for line in lines:
            if line.plan.state != 'draft':
                raise AccessError(gettext(
                        'crm_marketing.msg_marketing_plan_modify_draft',
                        plan=line.plan.rec_name))

    @classmethod
    def actual_costs(cls, line_ids):
        """Return the actual cost of each line: the posted supplier invoice
        lines of the campaigns of its channel dated in the period of its plan,
        in the company's currency"""
        pool = Pool()
        Campaign = pool.get('marketing.campaign')
        InvoiceLine = pool.get('account.invoice.line')
        Plan = pool.get('crm.marketing.plan')
        line = cls.__table__()
        plan = Plan.__table__()
        campaign = Campaign.__table__()
        cost = InvoiceLine.marketing_cost_query()
        cursor = Transaction().connection.cursor()
        costs = {}
        for sub_ids in grouped_slice(line_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*line
                .join(plan, condition=line.plan == plan.id)
                .join(campaign, condition=campaign.medium == line.medium)
                .join(cost, condition=(cost.campaign == campaign.id)
                    & (cost.company == plan.company)
                    & (cost.date >= plan.start_date)
                    & (cost.date <= plan.end_date))
                .select(
                    line.id, Sum(cost.amount),
                    where=reduce_ids(line.id, sub_ids),
                    group_by=line.id))
            costs.update(cursor)
        return costs

    @classmethod
    def get_amounts(cls, lines, names):
        costs = cls.actual_costs([l.id for l in lines])
        result = {name: {} for name in names}
        for line in lines:
            actual = line.currency.round(_amount(costs.get(line.id)))
            values = {
                'actual_amount': actual,
                'variance': actual - line.planned_amount,
                'execution': _ratio(actual, line.planned_amount),
                }
            for name in names:
                result[name][line.id] = values[name]
        return result
