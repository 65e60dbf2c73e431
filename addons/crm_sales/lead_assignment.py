# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Who gets a new lead: the first matching rule names a salesperson or a team"
from collections import defaultdict
from itertools import groupby

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction


class Rule(sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    "Assign the new leads of a region, customer category or channel"
    __name__ = 'crm.lead.assignment.rule'
    __string__ = "Lead Assignment Rule"

    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    subdivision = fields.Many2One(
        'country.subdivision', "Region",
        help="Matches the leads whose address is in the region "
        "or in one of its parts.\nLeave empty for any region.")
    category = fields.Many2One(
        'party.category', "Customer Category",
        help="Matches the leads of the customers of the category "
        "or of one of its subcategories.\nLeave empty for any category.")
    sales_channel = fields.Many2One(
        'crm.sales.channel', "Sales Channel",
        help="Matches the leads of the customers of the channel.\n"
        "Leave empty for any channel.")
    employee = fields.Many2One(
        'company.employee', "Employee",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'invisible': Bool(Eval('team')),
            },
        help="The salesperson who receives the leads.")
    team = fields.Many2Many(
        'crm.lead.assignment.rule-company.employee', 'rule', 'employee',
        "Team",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'invisible': Bool(Eval('employee')),
            },
        help="The salespeople who receive the leads in turn.")
    last_employee = fields.Many2One(
        'company.employee', "Last Assigned", readonly=True,
        states={
            'invisible': ~Eval('team'),
            },
        help="The member of the team who received the last lead.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        if field_names & {'employee', 'team'}:
            for rule in rules:
                if bool(rule.employee) == bool(rule.team):
                    raise ValidationError(gettext(
                            'crm_sales.msg_lead_rule_assignee',
                            rule=rule.rec_name))

    def match(self, subdivisions, categories, sales_channel):
        "Tell if the rule applies to a lead with these customer's values"
        return ((not self.subdivision or self.subdivision in subdivisions)
            and (not self.category or self.category in categories)
            and (not self.sales_channel
                or self.sales_channel == sales_channel))

    def next_employee(self):
        "Return the employee of the rule to receive the next lead"
        if self.employee:
            return self.employee
        team = sorted(self.team, key=lambda e: (e.rec_name, e.id))
        if self.last_employee in team:
            index = team.index(self.last_employee) + 1
        else:
            index = 0
        self.last_employee = team[index % len(team)]
        return self.last_employee

    @classmethod
    def _lead_values(cls, opportunity):
        "Return the regions, categories and channel a rule matches a lead on"
        party = opportunity.party
        subdivisions, categories, sales_channel = set(), set(), None
        if party:
            # Without address on the lead, any address of the customer
            addresses = (
                [opportunity.address] if opportunity.address
                else party.addresses)
            for address in addresses:
                subdivision = address.subdivision
                while subdivision:
                    subdivisions.add(subdivision)
                    subdivision = subdivision.parent
            for category in party.categories:
                while category:
                    categories.add(category)
                    category = category.parent
            sales_channel = party.sales_channel
        return subdivisions, categories, sales_channel

    @classmethod
    def assign(cls, opportunities):
        "Set the employee of the opportunities from the first matching rule"
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        matches = []
        for company, c_opportunities in groupby(
                sorted(opportunities, key=lambda o: o.company.id),
                key=lambda o: o.company):
            rules = cls.search([('company', '=', company.id)])
            for opportunity in c_opportunities:
                values = cls._lead_values(opportunity)
                for rule in rules:
                    if rule.match(*values):
                        matches.append((opportunity, rule))
                        break
        teams = list({r for _, r in matches if r.team})
        # Leads created at the same time must not go to the same member
        cls.lock(teams)
        by_employee = defaultdict(list)
        for opportunity, rule in matches:
            by_employee[rule.next_employee()].append(opportunity)
        if by_employee:
            args = []
            for employee, e_opportunities in by_employee.items():
                args.extend([e_opportunities, {'employee': employee.id}])
            Opportunity.write(*args)
            cls.save(teams)


class RuleEmployee(ModelSQL):
    "A member of the team of a lead assignment rule"
    __name__ = 'crm.lead.assignment.rule-company.employee'
    __string__ = "Lead Assignment Rule - Employee"
    rule = fields.Many2One(
        'crm.lead.assignment.rule', "Rule", required=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('rule')


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    @classmethod
    def on_modification(cls, mode, opportunities, field_names=None):
        pool = Pool()
        Rule = pool.get('crm.lead.assignment.rule')
        super().on_modification(mode, opportunities, field_names=field_names)
        if mode == 'create':
            leads = [o for o in opportunities
                if o.state == 'lead' and not o.employee]
            if leads:
                Rule.assign(leads)
