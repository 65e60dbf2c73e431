# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The supplier invoice lines that accountants link to a campaign are its
actual cost"""
from collections import defaultdict

from sql import Cast, Null
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .campaign import CampaignValidationError, rate_at

# The supplier invoices whose lines are costs
POSTED_STATES = ['posted', 'paid']


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def _post(cls, invoices):
        cls._check_campaign_budgets(invoices)
        super()._post(invoices)

    @classmethod
    def _check_campaign_budgets(cls, invoices):
        "Warn before posting the invoices that overrun a campaign's budget"
        pool = Pool()
        Campaign = pool.get('marketing.campaign')
        # the costs of the invoices of the batch before the invoice
        pending = defaultdict(int)
        for invoice in invoices:
            if invoice.type != 'in' or invoice.state in POSTED_STATES:
                continue
            additions = defaultdict(int)
            for line in invoice.line_lines:
                if line.marketing_campaign:
                    additions[line.marketing_campaign.id] += (
                        line.marketing_cost)
            Campaign.check_budget({
                    c: pending[c] + a for c, a in additions.items() if a > 0},
                [invoice])
            for campaign, amount in additions.items():
                pending[campaign] += amount


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    marketing_campaign = fields.Many2One(
        'marketing.campaign', "Marketing Campaign", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('state', 'in', ['planned', 'running', 'done', 'cancelled']),
            ],
        states={
            'invisible': Eval('invoice_type') != 'in',
            'readonly': Eval('invoice_state') == 'cancelled',
            },
        help="The campaign whose cost the line is.\n"
        "It can be set after the invoice is posted.")
    marketing_budget_line = fields.Many2One(
        'crm.campaign.budget.line', "Campaign Budget Line",
        ondelete='RESTRICT',
        domain=[
            ('campaign', '=', Eval('marketing_campaign', -1)),
            ],
        states={
            'invisible': (
                (Eval('invoice_type') != 'in') | ~Eval('marketing_campaign')),
            'readonly': Eval('invoice_state') == 'cancelled',
            },
        help="The expense line of the campaign's budget the line pays.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(
                t, (t.marketing_campaign, Index.Range()),
                where=t.marketing_campaign != Null))
        # Accountants link the costs once the supplier invoice is booked
        cls._check_modify_exclude |= {
            'marketing_campaign', 'marketing_budget_line'}

    @fields.depends('marketing_campaign', 'marketing_budget_line')
    def on_change_marketing_campaign(self):
        if (self.marketing_budget_line
                and self.marketing_budget_line.campaign
                != self.marketing_campaign):
            self.marketing_budget_line = None

    @property
    def marketing_cost(self):
        "The amount in the company's currency, as the move of the invoice"
        pool = Pool()
        Currency = pool.get('currency.currency')
        invoice = self.invoice
        with Transaction().set_context(date=invoice.currency_date):
            return Currency.compute(
                invoice.currency, self.amount, invoice.company.currency)

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if 'marketing_campaign' in field_names:
            for line in lines:
                type_ = (
                    line.invoice.type if line.invoice else line.invoice_type)
                if line.marketing_campaign and type_ != 'in':
                    raise CampaignValidationError(gettext(
                            'crm_marketing.msg_campaign_invoice_line_supplier',
                            line=line.rec_name,
                            campaign=line.marketing_campaign.rec_name))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        pool = Pool()
        Campaign = pool.get('marketing.campaign')
        super().check_modification(
            mode, lines, values=values, external=external)
        if (mode == 'write'
                and values.get('marketing_campaign')):
            # linking a booked line adds its cost at once
            campaign_id = values['marketing_campaign']
            booked = [l for l in lines
                if l.invoice and l.invoice.state in POSTED_STATES
                and l.type == 'line'
                and l.marketing_campaign != Campaign(campaign_id)]
            if booked:
                Campaign.check_budget(
                    {campaign_id: sum(l.marketing_cost for l in booked)},
                    booked)

    def _credit(self):
        "A credit note reduces the cost of the campaign of the line"
        line = super()._credit()
        line.marketing_campaign = self.marketing_campaign
        line.marketing_budget_line = self.marketing_budget_line
        return line

    @classmethod
    def marketing_cost_query(cls):
        """Return the query of the lines of the posted supplier invoices
        linked to a campaign with the columns id, campaign, budget_line,
        company, date and amount

        The amount is the untaxed amount in the company's currency, converted
        at the rate of the invoice date and rounded as the invoice's move does
        it; credit notes have negative quantities so they deduct."""
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Invoice = pool.get('account.invoice')
        line = cls.__table__()
        invoice = Invoice.__table__()
        company = Company.__table__()
        currency = Currency.__table__()
        company_currency = Currency.__table__()
        invoice_rate = Currency.currency_rate_sql()
        company_rate = Currency.currency_rate_sql()

        amount = Round(
            Cast(Coalesce(line.quantity, 0), 'NUMERIC')
            * Coalesce(line.unit_price, 0),
            currency.digits)
        converted = Case(
            (invoice.currency == company.currency, amount),
            else_=Round(amount * company_rate.rate / invoice_rate.rate,
                company_currency.digits))
        return (line
            .join(invoice, condition=line.invoice == invoice.id)
            .join(company, condition=invoice.company == company.id)
            .join(currency, condition=invoice.currency == currency.id)
            .join(company_currency,
                condition=company.currency == company_currency.id)
            .join(invoice_rate, 'LEFT', condition=rate_at(
                    invoice_rate, invoice.currency, invoice.invoice_date))
            .join(company_rate, 'LEFT', condition=rate_at(
                    company_rate, company.currency, invoice.invoice_date))
            .select(
                line.id.as_('id'),
                line.marketing_campaign.as_('campaign'),
                line.marketing_budget_line.as_('budget_line'),
                invoice.company.as_('company'),
                invoice.invoice_date.as_('date'),
                converted.as_('amount'),
                where=(line.marketing_campaign != Null)
                & (invoice.type == 'in')
                & Invoice.in_figures(invoice)
                & (line.type == 'line')))
