# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The budget of a campaign: planned amounts by expense line and their actual"
from decimal import Decimal

from sql.aggregate import Sum

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .campaign import CampaignValidationError


class BudgetLine(sequence_ordered(), ModelSQL, ModelView):
    "An expense planned for a campaign"
    __name__ = 'crm.campaign.budget.line'
    __string__ = "Campaign Budget Line"
    _history = True

    campaign = fields.Many2One(
        'marketing.campaign', "Campaign", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('campaign_state') != 'draft',
            })
    category = fields.Selection([
            ('advertising', "Advertising"),
            ('printing', "Printing"),
            ('event', "Event"),
            ('mailing', "Mailing"),
            ('merchandise', "Merchandise"),
            ('other', "Other"),
            ], "Category", required=True, sort=False,
        states={
            'readonly': Eval('campaign_state') != 'draft',
            })
    category_string = category.translated('category')
    description = fields.Char(
        "Description",
        states={
            'readonly': Eval('campaign_state') != 'draft',
            })
    planned_amount = Monetary(
        "Planned Amount", currency='currency', digits='currency',
        required=True,
        states={
            'readonly': Eval('campaign_state') != 'draft',
            })
    actual_amount = fields.Function(Monetary(
            "Actual Amount", currency='currency', digits='currency',
            help="The untaxed amount of the posted supplier invoice lines "
            "booked on this budget line, in the company's currency."),
        'get_actual_amount')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    campaign_state = fields.Function(
        fields.Selection('get_campaign_states', "Campaign State"),
        'on_change_with_campaign_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('campaign')

    @classmethod
    def default_category(cls):
        return 'advertising'

    @classmethod
    def default_planned_amount(cls):
        return Decimal(0)

    @fields.depends('campaign', '_parent_campaign.company')
    def on_change_with_currency(self, name=None):
        if self.campaign and self.campaign.company:
            return self.campaign.company.currency

    @classmethod
    def get_campaign_states(cls):
        pool = Pool()
        Campaign = pool.get('marketing.campaign')
        return Campaign.fields_get(['state'])['state']['selection']

    @fields.depends('campaign', '_parent_campaign.state')
    def on_change_with_campaign_state(self, name=None):
        if self.campaign:
            return self.campaign.state

    def get_rec_name(self, name):
        return ' – '.join(filter(None, [
                    self.category_string, self.description]))

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('description', operator, operand, *extra),
            ('campaign.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        # the budget is approved when the campaign is planned; a cancelled
        # campaign can be deleted with its budget
        states = {'draft', 'cancelled'} if mode == 'delete' else {'draft'}
        for line in lines:
            if line.campaign.state not in states:
                raise AccessError(gettext(
                        'crm_marketing.msg_campaign_budget_modify',
                        campaign=line.campaign.rec_name))

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if 'planned_amount' in field_names:
            for line in lines:
                if line.planned_amount < 0:
                    raise CampaignValidationError(gettext(
                            'crm_marketing.msg_campaign_budget_negative',
                            line=line.rec_name,
                            campaign=line.campaign.rec_name))

    @classmethod
    def get_actual_amount(cls, lines, name):
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        cost = InvoiceLine.marketing_cost_query()
        cursor = Transaction().connection.cursor()
        amounts = {}
        for sub_lines in grouped_slice(lines, backend.MAX_QUERY_PARAMS):
            cursor.execute(*cost.select(
                    cost.budget_line, Sum(cost.amount),
                    where=reduce_ids(
                        cost.budget_line, [l.id for l in sub_lines]),
                    group_by=cost.budget_line))
            amounts.update(cursor)
        result = {}
        for line in lines:
            amount = amounts.get(line.id) or 0
            if not isinstance(amount, Decimal):
                amount = Decimal(str(amount))
            if line.currency:
                amount = line.currency.round(amount)
            result[line.id] = amount
        return result
