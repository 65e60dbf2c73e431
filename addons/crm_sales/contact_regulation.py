# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The contact regulation (S8): how often the customers of a category must be
contacted, the courtesy calls planned for those who wait too long and the
dormant customers"""
import datetime as dt
import logging
from zoneinfo import ZoneInfo

from sql import Literal, NullsFirst, Window
from sql.conditionals import Case
from sql.functions import RowNumber
from sql.operators import Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .category_tree import category_tree

logger = logging.getLogger(__name__)

# The generated activities are planned at this local time
PLANNED_TIME = dt.time(10, 0)
# The sale states that mean the customer bought
SALE_STATES = ['confirmed', 'processing', 'done']


def _local_date(value, timezone):
    "Return the date in timezone of the naive UTC datetime value"
    return value.replace(tzinfo=dt.timezone.utc).astimezone(timezone).date()


def _company_timezone(company):
    if company and company.timezone:
        return ZoneInfo(company.timezone)
    return dt.timezone.utc


class ContactRule(
        DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    "How often the customers of a category must be contacted"
    __name__ = 'crm.contact.rule'
    __string__ = "Contact Rule"

    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    party_category = fields.Many2One(
        'party.category', "Party Category", required=True,
        ondelete='RESTRICT',
        help="The rule applies to the parties of the category "
        "and of its sub-categories.")
    interval_days = fields.Integer(
        "Interval (Days)", required=True,
        help="The longest time between two done contacts.\n"
        "When several rules apply to a party, the shortest interval wins.")
    activity_type = fields.Selection(
        'get_activity_types', "Activity Type", required=True,
        help="The type of the activities planned by the rule.")
    subject = fields.Char(
        "Subject", required=True,
        help="The subject of the activities planned by the rule.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'generate': {
                    'icon': 'tryton-launch',
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_activity_type(cls):
        return 'call'

    @classmethod
    def default_subject(cls):
        return gettext('crm_sales.msg_contact_rule_subject')

    @classmethod
    def get_activity_types(cls):
        pool = Pool()
        Activity = pool.get('crm.activity')
        return Activity.fields_get(['type'])['type']['selection']

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        if 'interval_days' in field_names:
            for rule in rules:
                if rule.interval_days <= 0:
                    raise ValidationError(gettext(
                            'crm_sales.msg_contact_rule_interval_positive',
                            rule=rule.rec_name))

    @classmethod
    def _governing_query(cls, rules, party_ids=None):
        """Return the query of the rule governing each party per company,
        with columns party, rule and company: of the rules of its categories,
        the shortest interval wins, then the sequence"""
        pool = Pool()
        PartyCategory = pool.get('party.party-party.category')
        rule = cls.__table__()
        party_category = PartyCategory.__table__()
        tree = category_tree(pool.get('party.category'))

        where = fields.SQL_OPERATORS['in'](rule.id, [r.id for r in rules])
        if party_ids is not None:
            where &= fields.SQL_OPERATORS['in'](
                party_category.party, party_ids)
        window = Window([party_category.party, rule.company],
            order_by=[
                rule.interval_days.asc, NullsFirst(rule.sequence),
                rule.id.asc])
        # rank 1 also keeps one row for a party in two categories of a rule
        ranked = (party_category
            .join(tree, condition=party_category.category == tree.category)
            .join(rule, condition=tree.ancestor == rule.party_category)
            .select(
                party_category.party.as_('party'),
                rule.id.as_('rule'),
                rule.company.as_('company'),
                RowNumber(window=window).as_('rank'),
                where=where,
                with_=[tree]))
        return ranked.select(
            ranked.party, ranked.rule, ranked.company,
            where=ranked.rank == 1)

    @classmethod
    def _overdue_query(cls, rules, now, party_ids=None):
        """Return the query of the parties (columns party, rule, company)
        with no done contact within the interval of their governing rule"""
        pool = Pool()
        Activity = pool.get('crm.activity')
        done = Activity.__table__()
        governing = cls._governing_query(rules, party_ids=party_ids)
        # the limits are computed here: date arithmetic differs by backend
        since = Case(*((governing.rule == r.id,
                    now - dt.timedelta(days=r.interval_days))
                for r in rules))
        contacted = done.select(Literal(1),
            where=(done.party == governing.party)
            & (done.company == governing.company)
            & (done.state == 'done')
            & (done.done_date >= since))
        return governing.select(
            governing.party, governing.rule, governing.company,
            where=~Exists(contacted))

    @classmethod
    def _due_query(cls, rules, now):
        """Return the query of the parties to plan a contact for, with
        columns party, rule, company and employee (their account manager in
        the company, null when missing)

        A party is left alone while it has a planned activity generated by a
        rule or any planned activity within the interval: the account manager
        already has a contact with the customer in the diary."""
        pool = Pool()
        Activity = pool.get('crm.activity')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        party = Party.__table__()
        employee = Employee.__table__()
        planned = Activity.__table__()
        overdue = cls._overdue_query(rules, now)
        until = Case(*((overdue.rule == r.id,
                    now + dt.timedelta(days=r.interval_days))
                for r in rules))
        in_diary = planned.select(Literal(1),
            where=(planned.party == overdue.party)
            & (planned.company == overdue.company)
            & (planned.state == 'planned')
            & ((planned.contact_rule != None)  # noqa: E711
                | (planned.planned_date < until)))
        return (overdue
            .join(party, condition=party.id == overdue.party)
            .join(employee, 'LEFT',
                condition=(employee.id == party.account_manager)
                & (employee.company == overdue.company))
            .select(
                overdue.party, overdue.rule, overdue.company, employee.id,
                where=party.active & ~Exists(in_diary)))

    @classmethod
    def _rules_of_companies(cls, companies):
        "Return the active rules of the companies"
        return cls.search([
                ('company', 'in', [int(c) for c in companies]),
                ], order=[('id', 'ASC')])

    @classmethod
    def due_parties(cls, rules, now=None):
        """Return the (party id, rule, employee id) tuples of the parties due
        for a contact, the employee id being None without an account manager
        in the rule's company

        rules are all the active rules of their companies: the rule governing
        a party is chosen among them."""
        if not rules:
            return []
        if now is None:
            now = dt.datetime.now()
        rules_by_id = {r.id: r for r in rules}
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._due_query(rules, now))
        # ids, not records: thousands of records are slow to instantiate
        return [(party_id, rules_by_id[rule_id], employee_id)
            for party_id, rule_id, _, employee_id in cursor]

    @classmethod
    def _planned_date(cls, company, now):
        """Return the naive UTC datetime of the next working day at 10:00
        company time: today when the cron runs early, else the next day"""
        timezone = _company_timezone(company)
        local_now = now.replace(tzinfo=dt.timezone.utc).astimezone(timezone)
        planned = dt.datetime.combine(
            local_now.date(), PLANNED_TIME, tzinfo=timezone)
        if planned <= local_now:
            planned += dt.timedelta(days=1)
        while planned.weekday() >= 5:
            planned += dt.timedelta(days=1)
        return planned.astimezone(dt.timezone.utc).replace(tzinfo=None)

    @classmethod
    def generate_activities(cls, rules=None, now=None):
        """Plan a contact with each party due under the rules (by default the
        active rules of the context company, of all companies without one),
        assigned to its account manager, and return the activities"""
        pool = Pool()
        Activity = pool.get('crm.activity')
        if rules is None:
            domain = []
            company_id = Transaction().context.get('company')
            if company_id is not None:
                domain.append(('company', '=', company_id))
            rules = all_rules = cls.search(domain)
        else:
            all_rules = cls._rules_of_companies({r.company for r in rules})
        if now is None:
            now = dt.datetime.now().replace(microsecond=0)
        wanted = set(rules)
        planned_dates = {}
        to_create, skipped = [], 0
        for party_id, rule, employee_id in cls.due_parties(
                all_rules, now=now):
            if rule not in wanted:
                continue
            if employee_id is None:
                skipped += 1
                continue
            company = rule.company
            if company not in planned_dates:
                planned_dates[company] = cls._planned_date(company, now)
            to_create.append({
                    'company': company.id,
                    'party': party_id,
                    'employee': employee_id,
                    'type': rule.activity_type,
                    'direction': 'outgoing',
                    'subject': rule.subject,
                    'planned_date': planned_dates[company],
                    'contact_rule': rule.id,
                    })
        activities = Activity.create(to_create)
        logger.info(
            "%d contact activities planned, "
            "%d parties due without account manager",
            len(activities), skipped)
        return activities

    @classmethod
    @ModelView.button
    def generate(cls, rules):
        cls.generate_activities(rules)

    @classmethod
    def party_intervals(cls, party_ids):
        """Return the interval of the rule governing each party in the
        context company"""
        company_id = Transaction().context.get('company')
        if company_id is None:
            return {}
        rules = cls._rules_of_companies([company_id])
        if not rules:
            return {}
        intervals = {r.id: r.interval_days for r in rules}
        result = {}
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(party_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*cls._governing_query(rules, list(sub_ids)))
            for party_id, rule_id, _ in cursor:
                result[party_id] = intervals[rule_id]
        return result

    @classmethod
    def overdue_parties_query(cls, now):
        """Return the query of the ids of the parties overdue for contact in
        the context company, None without rule"""
        company_id = Transaction().context.get('company')
        rules = cls._rules_of_companies(
            [company_id] if company_id is not None else [])
        if not rules:
            return None
        overdue = cls._overdue_query(rules, now)
        return overdue.select(overdue.party)


class Activity(metaclass=PoolMeta):
    __name__ = 'crm.activity'

    contact_rule = fields.Many2One(
        'crm.contact.rule', "Contact Rule", readonly=True,
        states={
            'invisible': ~Eval('contact_rule'),
            },
        help="The contact rule that planned the activity.")

    @classmethod
    def copy(cls, activities, default=None):
        if default is None:
            default = {}
        else:
            default = default.copy()
        # a copy is planned by hand
        default.setdefault('contact_rule', None)
        return super().copy(activities, default=default)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    contact_interval = fields.Function(
        fields.Integer(
            "Contact Interval",
            help="The longest time in days between two contacts, "
            "from the contact rules of the categories."),
        'get_contact_regulation')
    days_since_contact = fields.Function(
        fields.Integer(
            "Days since Contact",
            help="The days since the last done activity."),
        'get_contact_regulation')
    contact_overdue = fields.Function(
        fields.Boolean(
            "Contact Overdue",
            help="No done activity within the contact interval."),
        'get_contact_regulation', searcher='search_contact_overdue')
    dormant = fields.Function(
        fields.Boolean(
            "Dormant",
            help="A customer with no done activity and no purchase "
            "for the days set in the CRM configuration."),
        'get_dormant', searcher='search_dormant')

    @classmethod
    def get_contact_regulation(cls, parties, names):
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        Rule = pool.get('crm.contact.rule')
        company_id = Transaction().context.get('company')
        timezone = _company_timezone(
            Company(company_id)
            if company_id is not None and company_id >= 0 else None)
        now = dt.datetime.now()
        today = Date.today()
        intervals = Rule.party_intervals([p.id for p in parties])
        last_contacts = cls.get_crm_figures(
            parties, ['crm_last_contact'])['crm_last_contact']

        result = {n: {} for n in names}
        for party in parties:
            interval = intervals.get(party.id)
            last_contact = last_contacts[party.id]
            days = None
            if last_contact:
                days = (today - _local_date(last_contact, timezone)).days
            values = {
                'contact_interval': interval,
                'days_since_contact': days,
                'contact_overdue': interval is not None and (
                    not last_contact
                    or last_contact < now - dt.timedelta(days=interval)),
                }
            for name in names:
                result[name][party.id] = values[name]
        return result

    @classmethod
    def search_contact_overdue(cls, name, clause):
        pool = Pool()
        Rule = pool.get('crm.contact.rule')
        _, operator, value = clause
        if operator not in {'=', '!='}:
            return []
        positive = (operator == '=') == bool(value)
        query = Rule.overdue_parties_query(dt.datetime.now())
        if query is None:
            return [('id', '=', -1)] if positive else []
        return [('id', 'in' if positive else 'not in', query)]

    @classmethod
    def _dormant_query(cls, party_ids=None):
        """Return the query of the ids of the customers (with a customer
        since date) with no done activity, no posted invoice and no
        confirmed sale in the context company for the dormant days"""
        pool = Pool()
        Activity = pool.get('crm.activity')
        Configuration = pool.get('crm.configuration')
        Date = pool.get('ir.date')
        Invoice = pool.get('account.invoice')
        Sale = pool.get('sale.sale')
        party = cls.__table__()
        activity = Activity.__table__()
        invoice = Invoice.__table__()
        sale = Sale.__table__()
        company_id = Transaction().context.get('company', -1)
        days = dt.timedelta(days=Configuration(1).dormant_days)
        since = Date.today() - days
        contacted = activity.select(Literal(1),
            where=(activity.party == party.id)
            & (activity.company == company_id)
            & (activity.state == 'done')
            & (activity.done_date >= dt.datetime.now() - days))
        invoiced = invoice.select(Literal(1),
            where=(invoice.party == party.id)
            & (invoice.company == company_id)
            & (invoice.type == 'out')
            & Invoice.in_figures(invoice)
            & (invoice.invoice_date >= since))
        ordered = sale.select(Literal(1),
            where=(sale.party == party.id)
            & (sale.company == company_id)
            & sale.state.in_(SALE_STATES)
            & (sale.sale_date >= since))
        where = ((party.customer_since <= since)
            & ~Exists(contacted) & ~Exists(invoiced) & ~Exists(ordered))
        if party_ids is not None:
            where &= fields.SQL_OPERATORS['in'](party.id, party_ids)
        return party.select(party.id, where=where)

    @classmethod
    def get_dormant(cls, parties, name):
        cursor = Transaction().connection.cursor()
        dormant = set()
        for sub_parties in grouped_slice(parties, backend.MAX_QUERY_PARAMS):
            cursor.execute(*cls._dormant_query([p.id for p in sub_parties]))
            dormant.update(i for i, in cursor)
        return {p.id: p.id in dormant for p in parties}

    @classmethod
    def search_dormant(cls, name, clause):
        _, operator, value = clause
        if operator not in {'=', '!='}:
            return []
        positive = (operator == '=') == bool(value)
        return [('id', 'in' if positive else 'not in', cls._dormant_query())]


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('crm.contact.rule|generate_activities',
                "Generate Contact Activities"))
