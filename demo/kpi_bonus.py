# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""KPI-based bonuses (K1–K5): the dealers and representatives are commission
agents; HR has a bonus officer and a bonus manager; the salespeople are paid
by a quarterly scheme whose targets stand a little above what they achieved
on average in the last quarter, whose run is computed, adjusted once and
approved; the progress of the current quarter is filled."""
import datetime as dt
from decimal import Decimal

from proteus import Model, Wizard

from .company import COMPANY_DOMAIN, _employee, refresh_context

# surname, first name, patronymic, login, group
HR = [
    ("Зайцева", "Татьяна", "Николаевна", 'zaitseva', 'crm_kpi.group_bonus'),
    ("Белов", "Павел", "Сергеевич", 'belov', 'crm_kpi.group_bonus_manager'),
    ]
# channel kind, agent's name, commission rate
AGENTS = [
    ('dealer', "ООО «КлиматДилер»", Decimal('0.07')),
    ('representative', "ИП Фролов Константин Ильич", Decimal('0.05')),
    ]
SCHEME_NAME = "Премия менеджеров по продажам (квартал)"
BASE_AMOUNT = Decimal(60000)
# KPI code, weight, threshold, cap
SCHEME_LINES = [
    ('REV_INV', Decimal('0.35'), Decimal('0.5'), Decimal('1.5')),
    ('MARGIN', Decimal('0.20'), Decimal('0.5'), Decimal('1.5')),
    ('NEW_CUST', Decimal('0.10'), Decimal(0), Decimal('2')),
    ('ACTIVITIES', Decimal('0.10'), Decimal('0.3'), Decimal('1.2')),
    ('FEEDBACK', Decimal('0.10'), Decimal('0.8'), Decimal('1.1')),
    ('CONTR_EXT', Decimal('0.10'), Decimal(0), Decimal('1.5')),
    ('CONTR_TERM', Decimal('0.05'), Decimal(0), Decimal('1.5')),
    ]
# The targets against the last quarter's average: growth, or fewer
# terminations
GROWTH = Decimal('1.1')
ADJUSTMENT = (Decimal(5000), "Крупный контракт с «Северсталью» закрыт "
    "в последний день квартала, счёт выставлен в следующем")


def quarter_start(date):
    return dt.date(date.year, 3 * ((date.month - 1) // 3) + 1, 1)


def setup_commission_agents(demo):
    """Make the dealers' and representatives' channels commission agents:
    their customers' invoices carry the agent from then on"""
    Category = Model.get('product.category')
    Party = Model.get('party.party')
    Plan = Model.get('commission.plan')
    Agent = Model.get('commission.agent')
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')

    account_category, = Category.find([('accounting', '=', True)], limit=1)
    template = Template(
        name="Агентское вознаграждение", type='service',
        default_uom=Uom(demo.model_id('product.uom_unit')),
        list_price=Decimal(0), account_category=account_category)
    template.save()
    commission_product, = template.products
    agents = []
    for kind, name, rate in AGENTS:
        plan = Plan(
            name="Комиссия %s %%" % (rate * 100).normalize(),
            commission_product=commission_product)
        plan.lines.new(formula='amount * %s' % rate)
        plan.save()
        party = Party(name=name, lang=demo.russian)
        party.save()
        agents.append(Agent(
                party=party, type_='agent', plan=plan,
                currency=demo.currency, sales_channel=demo.channels[kind]))
    Agent.save(agents)


def setup_hr(demo):
    "Create the HR users who compute and approve the bonuses"
    Company = Model.get('company.company')
    Employee = Model.get('company.employee')
    Group = Model.get('res.group')
    User = Model.get('res.user')

    employees = [_employee(demo, *p[:4]) for p in HR]
    Employee.save(employees)
    users = []
    for employee, (_, _, _, login, group) in zip(employees, HR):
        user = User(
            name=employee.party.name, login=login, password=demo.password,
            email='%s@%s' % (login, COMPANY_DOMAIN), language=demo.russian)
        user.groups.append(Group(demo.model_id(group)))
        user.companies.append(Company(demo.company.id))
        user.company = demo.company
        user.employees.append(employee)
        user.employee = employee
        users.append(user)
    User.save(users)
    refresh_context(demo)


def create_bonus_scheme(demo):
    """Create the quarterly scheme, compute the last quarter's run with the
    targets set from its averages, adjust one bonus and approve the run"""
    Employee = Model.get('company.employee')
    Kpi = Model.get('crm.kpi')
    Run = Model.get('crm.bonus.run')
    Scheme = Model.get('crm.bonus.scheme')
    kpis = {k.code: k for k in Kpi.find([])}

    scheme = Scheme(
        name=SCHEME_NAME, period_kind='quarter', base_amount=BASE_AMOUNT)
    scheme.employees.extend(Employee(e.id) for e in demo.salespeople)
    for code, weight, threshold, cap in SCHEME_LINES:
        scheme.lines.new(kpi=kpis[code], weight=weight, target=Decimal(1),
            threshold=threshold, cap=cap)
    scheme.save()

    end = quarter_start(demo.today) - dt.timedelta(days=1)
    run = Run(scheme=scheme, start_date=quarter_start(end), end_date=end)
    run.save()
    run.click('compute')
    _set_targets(scheme, run)
    run.click('compute')

    best = max(run.lines, key=lambda l: l.score)
    best.adjustment, best.adjustment_reason = ADJUSTMENT
    run.save()
    run.click('approve')


def _set_targets(scheme, run):
    "Set each target a little above (below) the average of the run"
    values = {}
    for line in run.lines:
        for kpi_line in line.kpi_lines:
            if kpi_line.value is not None:
                values.setdefault(kpi_line.kpi.id, []).append(kpi_line.value)
    for line in scheme.lines:
        found = values.get(line.kpi.id) or [Decimal(1)]
        average = sum(found) / len(found)
        if line.kpi.kind == 'feedback_rating':
            # the ratings are out of 5: keep the level
            target = average
        elif line.kpi.direction == 'lower':
            target = max(average / GROWTH, Decimal(1))
        else:
            target = max(average * GROWTH, Decimal(1))
        # round figures: to the thousand for money, to the unit else
        step = Decimal(1000) if target > 10000 else Decimal('0.1') \
            if target < 10 else Decimal(1)
        line.target = (target / step).quantize(Decimal(1)) * step
    scheme.save()


def refresh_progress(demo):
    "Fill the progress of the current quarter as the daily cron does"
    Wizard('crm.kpi.progress.refresh')
