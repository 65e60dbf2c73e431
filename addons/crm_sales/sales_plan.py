# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Sales plans: targets per salesperson and dimension against posted revenue"
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Sum
from sql.operators import Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .category_tree import category_tree


class SalesPlan(Workflow, ModelSQL, ModelView):
    __name__ = 'crm.sales.plan'
    __string__ = "Sales Plan"
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    name = fields.Char("Name", required=True, states=_states)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    start_date = fields.Date(
        "Start Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    lines = fields.One2Many(
        'crm.sales.plan.line', 'plan', "Lines", states=_states)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    target_amount = fields.Function(Monetary(
            "Target", currency='currency', digits='currency',
            help="The sum of the targets of the lines without channel "
            "nor category: the others are parts of them."),
        'get_amounts')
    actual_amount = fields.Function(Monetary(
            "Actual", currency='currency', digits='currency',
            help="The sum of the actuals of the lines without channel "
            "nor category."),
        'get_amounts')
    achievement = fields.Function(
        fields.Float("Achievement"), 'get_amounts')
    state = fields.Selection([
            ('draft', "Draft"),
            ('confirmed', "Confirmed"),
            ('closed', "Closed"),
            ], "State", readonly=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('start_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'confirmed'),
            ('confirmed', 'draft'),
            ('confirmed', 'closed'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'confirmed',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'confirmed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_currency(self, name):
        return self.company.currency.id

    @classmethod
    def get_amounts(cls, plans, names):
        pool = Pool()
        Line = pool.get('crm.sales.plan.line')
        lines = [l for p in plans for l in p.lines if l.is_total]
        actuals = Line.actual_amounts(lines)
        result = {n: {} for n in names}
        for plan in plans:
            # the lines narrowed to a channel or a category are parts of the
            # salesperson's target, counting them would count twice
            totals = [l for l in plan.lines if l.is_total]
            target = plan.company.currency.round(sum(
                    (l.target_amount or 0 for l in totals), Decimal(0)))
            actual = sum((actuals[l.id] for l in totals), Decimal(0))
            if 'target_amount' in names:
                result['target_amount'][plan.id] = target
            if 'actual_amount' in names:
                result['actual_amount'][plan.id] = actual
            if 'achievement' in names:
                result['achievement'][plan.id] = (
                    float(actual / target) if target else None)
        return result

    @classmethod
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        if field_names & {'start_date', 'end_date'}:
            for plan in plans:
                if plan.start_date > plan.end_date:
                    raise ValidationError(gettext(
                            'crm_sales.msg_sales_plan_dates',
                            plan=plan.rec_name))

    @classmethod
    def check_modification(cls, mode, plans, values=None, external=False):
        super().check_modification(
            mode, plans, values=values, external=external)
        if mode == 'delete':
            for plan in plans:
                if plan.state != 'draft':
                    raise AccessError(gettext(
                            'crm_sales.msg_sales_plan_delete_draft',
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
    @Workflow.transition('confirmed')
    def confirm(cls, plans):
        for plan in plans:
            if not plan.lines:
                raise ValidationError(gettext(
                        'crm_sales.msg_sales_plan_no_lines',
                        plan=plan.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, plans):
        "Freeze the actuals: late credit notes do not rewrite a closed plan"
        pool = Pool()
        Line = pool.get('crm.sales.plan.line')
        lines = [l for p in plans for l in p.lines]
        actuals = Line.actual_amounts(lines)
        to_write = []
        for line in lines:
            to_write.extend(([line], {'closed_amount': actuals[line.id]}))
        if to_write:
            Line.write(*to_write)


class SalesPlanLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'crm.sales.plan.line'
    __string__ = "Sales Plan Line"
    _states = {
        'readonly': Eval('plan_state') != 'draft',
        }

    plan = fields.Many2One(
        'crm.sales.plan', "Plan", required=True, ondelete='CASCADE',
        states=_states)
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    employee = fields.Many2One(
        'company.employee', "Salesperson", required=True, states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The salesperson credited with the revenue, "
        "by the same rule as on sales and invoices.")
    sales_channel = fields.Many2One(
        'crm.sales.channel', "Sales Channel", states=_states,
        help="Count only the customers of this channel.")
    customer_category = fields.Many2One(
        'party.category', "Customer Category", states=_states,
        help="Count only the customers of this category.")
    product_category = fields.Many2One(
        'product.category', "Product Category", states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Count only the products of this category "
        "or of its subcategories.")
    target_amount = Monetary(
        "Target", currency='currency', digits='currency', required=True,
        states=_states)
    actual_amount = fields.Function(Monetary(
            "Actual", currency='currency', digits='currency',
            help="Untaxed amount of the posted customer invoice lines "
            "of the period matching the line, credit notes deducted."),
        'get_actual_amount')
    closed_amount = Monetary(
        "Closed Actual", currency='currency', digits='currency',
        readonly=True,
        help="The actual amount frozen when the plan was closed.")
    achievement = fields.Function(
        fields.Float("Achievement"), 'get_actual_amount')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    plan_state = fields.Function(
        fields.Selection('get_plan_states', "Plan State"),
        'on_change_with_plan_state')
    start_date = fields.Function(
        fields.Date("Start Date"), 'on_change_with_start_date')
    end_date = fields.Function(
        fields.Date("End Date"), 'on_change_with_end_date')

    del _states

    @fields.depends('plan', '_parent_plan.company')
    def on_change_with_company(self, name=None):
        return self.plan.company if self.plan else None

    @classmethod
    def search_company(cls, name, clause):
        return [('plan.' + clause[0],) + tuple(clause[1:])]

    @property
    def is_total(self):
        "Whether the line is the salesperson's whole target, not a part of it"
        return not (self.sales_channel or self.customer_category
            or self.product_category)

    @fields.depends('plan', '_parent_plan.company')
    def on_change_with_currency(self, name=None):
        return self.plan.company.currency if self.plan else None

    @classmethod
    def get_plan_states(cls):
        pool = Pool()
        Plan = pool.get('crm.sales.plan')
        return Plan.fields_get(['state'])['state']['selection']

    @fields.depends('plan', '_parent_plan.state')
    def on_change_with_plan_state(self, name=None):
        return self.plan.state if self.plan else 'draft'

    @fields.depends('plan', '_parent_plan.start_date')
    def on_change_with_start_date(self, name=None):
        return self.plan.start_date if self.plan else None

    @fields.depends('plan', '_parent_plan.end_date')
    def on_change_with_end_date(self, name=None):
        return self.plan.end_date if self.plan else None

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if 'target_amount' in field_names:
            for line in lines:
                if line.target_amount < 0:
                    raise ValidationError(gettext(
                            'crm_sales.msg_sales_plan_line_target_negative',
                            line=line.rec_name))

    def get_rec_name(self, name):
        return ' / '.join(filter(None, [
                    self.plan.rec_name, self.employee.rec_name,
                    self.sales_channel and self.sales_channel.rec_name,
                    self.customer_category
                    and self.customer_category.rec_name,
                    self.product_category
                    and self.product_category.rec_name]))

    @classmethod
    def get_actual_amount(cls, lines, names):
        actuals = cls.actual_amounts(lines)
        result = {n: {} for n in names}
        for line in lines:
            actual = actuals[line.id]
            if 'actual_amount' in names:
                result['actual_amount'][line.id] = actual
            if 'achievement' in names:
                result['achievement'][line.id] = (
                    float(actual / line.target_amount)
                    if line.target_amount else None)
        return result

    @classmethod
    def actual_amounts(cls, lines):
        """Return the actual amount of each line id, for all the lines at
        once: frozen when its plan is closed, else from the posted invoice
        lines"""
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Date = pool.get('ir.date')
        Plan = pool.get('crm.sales.plan')
        plan = Plan.__table__()
        plan_line = cls.__table__()
        cursor = Transaction().connection.cursor()
        today = Date.today()
        currencies = {}

        def currency_of(company_id):
            if company_id not in currencies:
                currencies[company_id] = Company(company_id).currency
            return currencies[company_id]

        result = defaultdict(Decimal)
        line_currency = {}
        for sub_ids in grouped_slice(
                [l.id for l in lines], backend.MAX_QUERY_PARAMS):
            sub_ids = list(sub_ids)
            cursor.execute(*plan_line
                .join(plan, condition=plan_line.plan == plan.id)
                .select(plan_line.id, plan_line.closed_amount,
                    where=reduce_ids(plan_line.id, sub_ids)
                    & (plan.state == 'closed')
                    & (plan_line.closed_amount != Null)))
            frozen = {i: Decimal(str(a)) for i, a in cursor}
            result.update(frozen)
            open_ids = [i for i in sub_ids if i not in frozen]
            if not open_ids:
                continue
            cursor.execute(*cls._actual_amount_query(open_ids))
            for line_id, company_id, end_date, currency_id, amount in cursor:
                amount = Decimal(str(amount or 0))
                currency = line_currency[line_id] = currency_of(company_id)
                if currency_id != currency.id:
                    if isinstance(end_date, str):
                        end_date = dt.date.fromisoformat(end_date)
                    # at the rate of the plan's end, or today's when later
                    with Transaction().set_context(
                            date=min(end_date, today)):
                        amount = Currency.compute(
                            Currency(currency_id), amount, currency,
                            round=False)
                result[line_id] += amount
        for line_id, currency in line_currency.items():
            result[line_id] = currency.round(result[line_id])
        return result

    @classmethod
    def _actual_amount_query(cls, line_ids):
        """Return the query summing, per plan line and invoice currency, the
        posted customer invoice lines of the plan's period that match the
        line's salesperson and dimensions"""
        pool = Pool()
        Plan = pool.get('crm.sales.plan')
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        Party = pool.get('party.party')
        PartyCategory = pool.get('party.party-party.category')
        Product = pool.get('product.product')
        TemplateCategory = pool.get('product.template-product.category')

        plan_line = cls.__table__()
        plan = Plan.__table__()
        invoice = Invoice.__table__()
        invoice_line = InvoiceLine.__table__()
        party = Party.__table__()
        party_category = PartyCategory.__table__()
        product = Product.__table__()
        template_category = TemplateCategory.__table__()
        customer_tree = category_tree(pool.get('party.category'))
        product_tree = category_tree(pool.get('product.category'))

        # credit notes have negative quantities: they subtract
        amount = InvoiceLine.unit_price.sql_cast(
            invoice_line.quantity) * invoice_line.unit_price
        in_customer_category = Exists(party_category
            .join(customer_tree,
                condition=customer_tree.category == party_category.category)
            .select(Literal(1),
                where=(party_category.party == party.id)
                & (customer_tree.ancestor == plan_line.customer_category)))
        in_product_category = Exists(product
            .join(template_category,
                condition=template_category.template == product.template)
            .join(product_tree,
                condition=product_tree.category == template_category.category)
            .select(Literal(1),
                where=(product.id == invoice_line.product)
                & (product_tree.ancestor == plan_line.product_category)))
        return (plan_line
            .join(plan, condition=plan_line.plan == plan.id)
            .join(invoice_line,
                condition=invoice_line.salesperson == plan_line.employee)
            .join(invoice,
                condition=(invoice_line.invoice == invoice.id)
                & (invoice.company == plan.company)
                & (invoice.type == 'out')
                & Invoice.in_figures(invoice)
                & (invoice.invoice_date >= plan.start_date)
                & (invoice.invoice_date <= plan.end_date))
            .join(party, condition=invoice.party == party.id)
            .select(
                plan_line.id, plan.company, plan.end_date, invoice.currency,
                Sum(amount),
                where=reduce_ids(plan_line.id, line_ids)
                & (invoice_line.type == 'line')
                & ((plan_line.sales_channel == Null)
                    | (party.sales_channel == plan_line.sales_channel))
                & ((plan_line.customer_category == Null)
                    | in_customer_category)
                & ((plan_line.product_category == Null)
                    | in_product_category),
                group_by=[plan_line.id, plan.company, plan.end_date,
                    invoice.currency],
                with_=[customer_tree, product_tree]))
