# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Sales network analysis (K5): the revenue of each employee by the
salesperson rule beside the revenue and the commission of each dealer and
representative"""
from sql import Cast, Literal, Null, Union
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round
from sql.operators import Concat

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.crm_sales.reporting import PeriodContextMixin
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.transaction import Transaction

# The member of the network a union row belongs to
EMPLOYEE, AGENT = 0, 1


class SalesNetwork(ModelSQL, ModelView):
    "The revenue of employees beside the revenue and commission of agents"
    __name__ = 'crm.sales.network'
    __string__ = "Sales Network"

    company = fields.Many2One('company.company', "Company")
    kind = fields.Selection([
            ('employee', "Employee"),
            ('dealer', "Dealer"),
            ('representative', "Representative"),
            ('agent', "Agent"),
            ], "Kind", sort=False,
        help="An employee, or an agent by the kind of its sales channel.")
    employee = fields.Many2One('company.employee', "Employee")
    agent = fields.Many2One('commission.agent', "Agent")
    sales_channel = fields.Many2One('crm.sales.channel', "Sales Channel")
    name = fields.Char("Name")
    number = fields.Integer(
        "Invoices",
        help="The number of posted customer invoices and credit notes "
        "dated in the period.")
    revenue = Monetary(
        "Revenue", currency='currency', digits='currency',
        help="The untaxed amount of the posted customer invoices dated in "
        "the period, credit notes deducted: "
        "the lines credited to the employee or the invoices of the agent.")
    commission = Monetary(
        "Commission", currency='currency', digits='currency',
        help="The agent's commissions due in the period: "
        "on posting at the invoice date, on payment at the payment date; "
        "those of credit notes deducted.")
    commission_pending = Monetary(
        "Pending Commission", currency='currency', digits='currency',
        help="The agent's commissions on payment of the invoices "
        "dated in the period that are not yet paid.")
    commission_rate = fields.Function(
        fields.Float(
            "Commission Rate", digits=(1, 4),
            help="The commission due as a share of the revenue."),
        'get_commission_rate')
    currency = fields.Many2One('currency.currency', "Currency")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('kind', 'ASC'),
            ('revenue', 'DESC'),
            ('name', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Agent = pool.get('commission.agent')
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        SalesChannel = pool.get('crm.sales.channel')

        members = cls._members()
        employee = Employee.__table__()
        agent = Agent.__table__()
        party = Party.__table__()
        channel = SalesChannel.__table__()
        company = Company.__table__()
        currency = Currency.__table__()

        def total(field, column):
            return Round(
                field.sql_cast(Coalesce(column, 0)), currency.digits)
        return (members
            .join(employee, 'LEFT', condition=(members.member == EMPLOYEE)
                & (members.person == employee.id))
            .join(agent, 'LEFT', condition=(members.member == AGENT)
                & (members.person == agent.id))
            .join(party, condition=party.id == Coalesce(
                    employee.party, agent.party))
            .join(channel, 'LEFT', condition=agent.sales_channel == channel.id)
            .join(company, condition=company.id == Coalesce(
                    employee.company, agent.company))
            .join(currency, condition=company.currency == currency.id)
            .select(
                (members.person * 2 + members.member).as_('id'),
                company.id.as_('company'),
                Case((members.member == EMPLOYEE, 'employee'),
                    else_=Coalesce(channel.kind, 'agent')).as_('kind'),
                employee.id.as_('employee'),
                agent.id.as_('agent'),
                channel.id.as_('sales_channel'),
                party.name.as_('name'),
                members.number.as_('number'),
                total(cls.revenue, members.revenue).as_('revenue'),
                total(cls.commission, members.commission).as_('commission'),
                total(cls.commission_pending, members.pending).as_(
                    'commission_pending'),
                currency.id.as_('currency'),
                ))

    @classmethod
    def _members(cls):
        """Return the query of the figures of each member of the network:
        member (EMPLOYEE or AGENT), person (employee or agent id), number,
        revenue, commission and pending commission"""
        union = Union(
            *cls._employee_revenue(), *cls._agent_revenue(),
            *cls._agent_commission(), all_=True)
        return union.select(
            union.member, union.person,
            Count(union.invoice, distinct=True).as_('number'),
            Sum(union.revenue).as_('revenue'),
            Sum(union.commission).as_('commission'),
            Sum(union.pending).as_('pending'),
            group_by=[union.member, union.person])

    @classmethod
    def _period_lines(cls):
        """Return the posted customer invoice lines of the company of the
        context dated in the period, with their revenue in the company's
        currency"""
        pool = Pool()
        SalesAnalysis = pool.get('crm.sales.analysis.main')
        context = Transaction().context
        lines = SalesAnalysis._lines()
        where = Literal(True)
        if from_date := context.get('from_date'):
            where &= lines.date >= from_date
        if to_date := context.get('to_date'):
            where &= lines.date <= to_date
        return lines, where

    @classmethod
    def _row(cls, member, person, invoice=None, revenue=None,
            commission=None, pending=None):
        "Return the columns of a union row, typed alike for every backend"
        def number(value):
            return Cast(value if value is not None else 0, 'NUMERIC')
        return [
            Cast(member, 'INTEGER').as_('member'),
            person.as_('person'),
            Cast(invoice, 'INTEGER').as_('invoice'),
            number(revenue).as_('revenue'),
            number(commission).as_('commission'),
            number(pending).as_('pending'),
            ]

    @classmethod
    def _employee_revenue(cls):
        "Yield the revenue of the lines by salesperson (S5)"
        line, where = cls._period_lines()
        yield line.select(
            *cls._row(EMPLOYEE, line.salesperson,
                invoice=line.invoice, revenue=line.revenue),
            where=where & (line.salesperson != Null))

    @classmethod
    def _agent_revenue(cls):
        "Yield the revenue of the lines of the invoices by their agent"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoice = Invoice.__table__()
        line, where = cls._period_lines()
        yield line.join(invoice, condition=line.invoice == invoice.id).select(
            *cls._row(AGENT, invoice.agent,
                invoice=line.invoice, revenue=line.revenue),
            where=where & (invoice.agent != Null))

    @classmethod
    def _agent_commission(cls):
        """Yield the commissions of the agents of the company due in the
        period and those on payment still pending of the period's invoices,
        in the company's currency"""
        pool = Pool()
        Agent = pool.get('commission.agent')
        Commission = pool.get('commission')
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Date = pool.get('ir.date')
        context = Transaction().context
        today = Date.today()

        def commission_query():
            "Return the commissions with their amount in company currency"
            commission = Commission.__table__()
            agent = Agent.__table__()
            company = Company.__table__()
            agent_rate = Currency.currency_rate_sql()
            company_rate = Currency.currency_rate_sql()

            def rate_at(rate, currency, date):
                return ((rate.currency == currency)
                    & (rate.start_date <= date)
                    & ((rate.end_date == Null) | (rate.end_date > date)))
            # pending commissions are converted at today's rate
            date = Coalesce(commission.date, today)
            amount = Case(
                (agent.currency == company.currency, commission.amount),
                else_=commission.amount * company_rate.rate / agent_rate.rate)
            from_item = (commission
                .join(agent, condition=commission.agent == agent.id)
                .join(company, condition=agent.company == company.id)
                .join(agent_rate, 'LEFT',
                    condition=rate_at(agent_rate, agent.currency, date))
                .join(company_rate, 'LEFT',
                    condition=rate_at(company_rate, company.currency, date)))
            # principals' commissions are the company's income
            where = ((agent.company == context.get('company'))
                & (agent.type_ == 'agent'))
            return commission, from_item, where, amount

        commission, from_item, where, amount = commission_query()
        if from_date := context.get('from_date'):
            where &= commission.date >= from_date
        if to_date := context.get('to_date'):
            where &= commission.date <= to_date
        yield from_item.select(
            *cls._row(AGENT, commission.agent, commission=amount),
            where=where & (commission.date != Null))

        commission, from_item, where, amount = commission_query()
        line, line_where = cls._period_lines()
        line_origin = Concat(
            'account.invoice.line,', Cast(line.id, 'VARCHAR'))
        yield (from_item
            .join(line, condition=commission.origin == line_origin)
            .select(
                *cls._row(AGENT, commission.agent, pending=amount),
                where=where & line_where & (commission.date == Null)))

    def get_commission_rate(self, name):
        if self.agent and self.revenue and self.commission is not None:
            return round(float(self.commission / self.revenue), 4)

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('name', *clause[1:])]


class Context(PeriodContextMixin, ModelView):
    __name__ = 'crm.sales.network.context'
    __string__ = "Sales Network Context"
