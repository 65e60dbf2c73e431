# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Analysis of the losses (M6): the number and the amount of the
opportunities lost in a period, by competitor and loss reason"""
from sql import Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.crm_sales.reporting import PeriodContextMixin
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import StateAction, Wizard


class Analysis(ModelSQL, ModelView):
    "The opportunities lost in the period of the context, per competitor"
    __name__ = 'crm.competitor.analysis'
    __string__ = "Loss Analysis"

    company = fields.Many2One('company.company', "Company")
    competitor = fields.Many2One('crm.competitor', "Competitor")
    loss_reason = fields.Many2One(
        'crm.opportunity.lost_reason', "Loss Reason")
    number = fields.Integer(
        "Opportunities", help="The number of opportunities lost.")
    amount = Monetary(
        "Amount", currency='currency', digits='currency',
        help="The estimated revenue of the opportunities lost "
        "in the company's currency.")
    currency = fields.Many2One('currency.currency', "Currency")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('amount', 'DESC'),
            ('number', 'DESC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Opportunity = pool.get('sale.opportunity')
        context = Transaction().context

        opportunity = Opportunity.__table__()
        company = Company.__table__()
        currency = Currency.__table__()
        opportunity_rate = Currency.currency_rate_sql()
        company_rate = Currency.currency_rate_sql()
        # The date an opportunity is lost is its end date
        date = opportunity.end_date

        def rate_at(rate, currency):
            return ((rate.currency == currency)
                & (rate.start_date <= date)
                & ((rate.end_date == Null) | (rate.end_date > date)))

        amount = Coalesce(opportunity.amount, 0)
        # A company without foreign currency needs no rate
        amount = Case(
            (opportunity.currency == company.currency, amount),
            else_=amount * company_rate.rate / opportunity_rate.rate)

        where = ((opportunity.state == 'lost')
            & (opportunity.company == context.get('company')))
        if from_date := context.get('from_date'):
            where &= date >= from_date
        if to_date := context.get('to_date'):
            where &= date <= to_date
        return (opportunity
            .join(company, condition=opportunity.company == company.id)
            .join(currency, condition=company.currency == currency.id)
            .join(opportunity_rate, 'LEFT',
                condition=rate_at(opportunity_rate, opportunity.currency))
            .join(company_rate, 'LEFT',
                condition=rate_at(company_rate, company.currency))
            .select(
                Min(opportunity.id).as_('id'),
                opportunity.company.as_('company'),
                opportunity.competitor.as_('competitor'),
                opportunity.loss_reason.as_('loss_reason'),
                Count(opportunity.id).as_('number'),
                Round(cls.amount.sql_cast(Sum(amount)), currency.digits
                    ).as_('amount'),
                currency.id.as_('currency'),
                where=where,
                group_by=[
                    opportunity.company, opportunity.competitor,
                    opportunity.loss_reason, currency.id, currency.digits]))


class AnalysisContext(PeriodContextMixin, ModelView):
    "The period and company of the loss analysis"
    __name__ = 'crm.competitor.analysis.context'
    __string__ = "Loss Analysis Context"


class OpenAnalysis(Wizard):
    "Open the lost opportunities counted in the rows selected"
    __name__ = 'crm.competitor.analysis.open'
    _readonly = True

    start = StateAction('crm_marketing.act_competitor_analysis_opportunities')

    def do_start(self, action):
        context = Transaction().context
        rows = [[
                ('company', '=', r.company.id),
                ('competitor', '=', r.competitor.id if r.competitor else None),
                ('loss_reason', '=',
                    r.loss_reason.id if r.loss_reason else None),
                ] for r in self.records]
        domain = [
            ('state', '=', 'lost'),
            ['OR', *rows],
            ]
        if from_date := context.get('from_date'):
            domain.append(('end_date', '>=', from_date))
        if to_date := context.get('to_date'):
            domain.append(('end_date', '<=', to_date))
        action['pyson_domain'] = PYSONEncoder().encode(domain)
        return action, {}
