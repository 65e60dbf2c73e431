# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The marketing campaigns (M2): six campaigns across the channels, past,
running and planned, with their budgets, the supplier invoices of their
costs and the leads and sales attributed to them"""
import datetime as dt
from decimal import Decimal

from proteus import Model

from trytond.exceptions import UserWarning

from .company import COMPANY_DOMAIN

# The marketer responsible for the campaigns, and her login
MARKETER = ("Маркова", "Ольга", "Викторовна", 'markova')
MARKETING_GROUPS = [
    'marketing.group_marketing', 'crm_marketing.group_marketing_admin']
SUPPLIERS = {
    'expo': "ООО «Экспо-Сервис»",
    'print': "Типография «Печатный двор»",
    'agency': "Рекламное агентство «Вектор»",
    'souvenir': "ООО «Сувенир-Опт»",
    'hall': "ООО «Конгресс-Холл»",
    }
# name, channel, first and last day (from today), state, goals, target
# leads and revenue, budget lines (category, description, amount), supplier
# invoices (supplier, day, posted, lines (budget line, description, amount)),
# the share of the leads and sales of the period attributed to it
CAMPAIGNS = [
    ("Выставка «Мир климата 2025»", "выставка", -300, -296, 'done',
        "Показать новую линейку сплит-систем и приточных установок, "
        "собрать контакты проектировщиков и монтажных организаций.",
        20, 3_000_000, [
            ('event', "Аренда и застройка стенда", 450_000),
            ('printing', "Каталоги и листовки", 60_000),
            ('merchandise', "Сувенирная продукция", 40_000),
            ('advertising', "Реклама в каталоге выставки", 80_000),
            ], [
            ('expo', -320, True, [
                    ("Аренда и застройка стенда",
                        "Аренда площади 36 м², застройка стенда", 430_000),
                    ("Реклама в каталоге выставки",
                        "Модуль в официальном каталоге", 75_000)]),
            ('print', -310, True, [
                    ("Каталоги и листовки",
                        "Печать каталогов, 2000 экз.", 48_000),
                    ("Каталоги и листовки",
                        "Листовки А5, 5000 экз.", 10_000)]),
            ('souvenir', -305, True, [
                    ("Сувенирная продукция",
                        "Ручки и блокноты с логотипом", 45_000)]),
            ('expo', -290, True, [
                    ("Аренда и застройка стенда",
                        "Возврат за неиспользованное электричество",
                        -12_000)]),
            ], 0.4),
    ("Контекстная реклама: сплит-системы весной", "контекстная реклама",
        -240, -150, 'done',
        "Заявки на установку кондиционеров до начала сезона.",
        40, 2_500_000, [
            ('advertising', "Яндекс Директ", 240_000),
            ('advertising', "Настройка и ведение кампании", 60_000),
            ], [
            ('agency', -210, True, [
                    ("Яндекс Директ", "Рекламный бюджет, март", 80_000),
                    ("Настройка и ведение кампании",
                        "Ведение кампании, март", 20_000)]),
            ('agency', -180, True, [
                    ("Яндекс Директ", "Рекламный бюджет, апрель", 85_000),
                    ("Настройка и ведение кампании",
                        "Ведение кампании, апрель", 20_000)]),
            # the peak of the season: the budget is overrun
            ('agency', -152, True, [
                    ("Яндекс Директ", "Рекламный бюджет, май", 95_000),
                    ("Настройка и ведение кампании",
                        "Ведение кампании, май", 20_000)]),
            ], 0.3),
    ("E-mail рассылка «Сервис перед сезоном»", "e-mail рассылка",
        -120, -100, 'done',
        "Напомнить клиентам о техническом обслуживании кондиционеров.",
        15, 400_000, [
            ('mailing', "Сервис рассылок", 12_000),
            ('other', "Дизайн и вёрстка письма", 15_000),
            ], [
            ('agency', -118, True, [
                    ("Дизайн и вёрстка письма",
                        "Дизайн шаблона письма", 15_000),
                    ("Сервис рассылок", "Тариф сервиса рассылок", 9_500)]),
            ], 0.3),
    ("Семинар «Энергоэффективная вентиляция»", "семинар", -20, 10,
        'running',
        "Познакомить проектировщиков с приточными установками "
        "с рекуперацией; получить запросы на проекты.",
        12, 1_500_000, [
            ('event', "Аренда конференц-зала", 60_000),
            ('other', "Кофе-брейк", 30_000),
            ('printing', "Раздаточные материалы", 15_000),
            ], [
            ('hall', -15, True, [
                    ("Аренда конференц-зала",
                        "Аренда зала на 60 мест, 1 день", 60_000)]),
            ('print', -8, True, [
                    ("Раздаточные материалы",
                        "Брошюры «Вентиляция с рекуперацией»", 14_500)]),
            # not posted yet: not a cost yet
            ('hall', -1, False, [
                    ("Кофе-брейк", "Кофе-брейк на 60 человек", 32_000)]),
            ], 0.4),
    ("Контекстная реклама: приточная вентиляция", "контекстная реклама",
        -45, 45, 'running',
        "Заявки на проектирование и монтаж вентиляции офисов и складов.",
        25, 2_000_000, [
            ('advertising', "Яндекс Директ", 160_000),
            ('advertising', "Настройка и ведение кампании", 40_000),
            ], [
            ('agency', -30, True, [
                    ("Яндекс Директ", "Рекламный бюджет, 1-й месяц", 70_000),
                    ("Настройка и ведение кампании",
                        "Настройка кампании", 20_000)]),
            ('agency', -3, True, [
                    ("Яндекс Директ", "Рекламный бюджет, 2-й месяц", 65_000),
                    (None, "Аудит сайта", 8_000)]),
            ], 0.25),
    ("Наружная реклама для дилеров", "наружная реклама", 30, 90,
        'planned',
        "Поддержать дилеров в регионах щитами и баннерами.",
        10, 1_000_000, [
            ('advertising', "Аренда рекламных щитов", 120_000),
            ('printing', "Печать баннеров", 50_000),
            ], [], 0),
    ]
# The target segment of the campaigns, when the segments phase made it
SEGMENTS = {
    "Выставка «Мир климата 2025»": "Ключевые клиенты (A)",
    "E-mail рассылка «Сервис перед сезоном»": "Спящие клиенты",
    "Семинар «Энергоэффективная вентиляция»": "Ключевые клиенты (A)",
    "Наружная реклама для дилеров": "Дилеры Центрального региона",
    }
# The days after its end a campaign still brings leads
LEAD_DELAY = 45
# The share of the sales without opportunity of the period attributed
DIRECT_SALE_SHARE = 0.06
WON_SALE_STATES = {'confirmed', 'processing', 'done'}
WORKFLOW = {
    'draft': [],
    'planned': ['plan'],
    'running': ['plan', 'run'],
    'done': ['plan', 'run', 'do'],
    }


def create_campaigns(demo):
    "Create the marketer, the campaigns with their budget and their costs"
    Campaign = Model.get('marketing.campaign')
    _create_marketer(demo)
    mediums = _mediums(demo)
    Segment = Model.get('crm.segment')
    segments = {s.name: s for s in Segment.find([
                ('name', 'in', list(SEGMENTS.values())),
                ])}
    suppliers = _suppliers(demo)

    campaigns = []
    for (name, medium, start, end, _, goals, leads, revenue, budget, _,
            _) in CAMPAIGNS:
        campaign = Campaign(name=name)
        campaign.medium = mediums[medium]
        campaign.start_date = demo.date(start)
        campaign.end_date = demo.date(end)
        campaign.responsible = demo.marketer
        campaign.segment = segments.get(SEGMENTS.get(name))
        campaign.goals = goals
        campaign.target_leads = demo.count(leads)
        campaign.target_revenue = Decimal(revenue)
        for category, description, amount in budget:
            campaign.budget_lines.new(category=category,
                description=description, planned_amount=Decimal(amount))
        campaigns.append(campaign)
    Campaign.save(campaigns)
    for button in ['plan', 'run', 'do']:
        Campaign.click([c for c, spec in zip(campaigns, CAMPAIGNS)
                if button in WORKFLOW[spec[4]]], button)
    _create_costs(demo, campaigns, suppliers)
    _attribute(demo, campaigns)


def _create_marketer(demo):
    Employee = Model.get('company.employee')
    Group = Model.get('res.group')
    Party = Model.get('party.party')
    User = Model.get('res.user')
    surname, first_name, patronymic, login = MARKETER
    party = Party(
        name=" ".join([surname, first_name, patronymic]), lang=demo.russian)
    party.contact_mechanisms.new(
        type='email', value='%s@%s' % (login, COMPANY_DOMAIN))
    party.save()
    employee = Employee(
        party=party, company=demo.company, start_date=demo.date(-900))
    employee.save()
    user = User(name=party.name, login=login, password=demo.password,
        email='%s@%s' % (login, COMPANY_DOMAIN), language=demo.russian)
    user.groups.extend(Group(demo.model_id(g)) for g in MARKETING_GROUPS)
    user.companies.append(Model.get('company.company')(demo.company.id))
    user.company = demo.company
    user.employees.append(employee)
    user.employee = employee
    user.save()
    demo.marketer = employee


def _mediums(demo):
    "Return the channels by name, created when missing"
    Medium = Model.get('marketing.medium')
    names = {c[1] for c in CAMPAIGNS}
    mediums = {m.name: m for m in Medium.find([('name', 'in', list(names))])}
    missing = [Medium(name=n) for n in sorted(names - set(mediums))]
    Medium.save(missing)
    mediums.update({m.name: m for m in missing})
    return mediums


def _suppliers(demo):
    Party = Model.get('party.party')
    suppliers = {}
    for key, name in SUPPLIERS.items():
        party = Party(name=name, lang=demo.russian)
        party.addresses[0].city = "Москва"
        party.addresses[0].country = demo.country
        suppliers[key] = party
    Party.save(list(suppliers.values()))
    return suppliers


def _create_costs(demo, campaigns, suppliers):
    "Book the supplier invoices of the campaigns and post the past ones"
    Invoice = Model.get('account.invoice')
    Warning = Model.get('res.user.warning')
    expense = demo.accounts['expense']
    _open_expense_journal(demo)
    invoices, to_post = [], []
    for campaign, spec in zip(campaigns, CAMPAIGNS):
        budget_lines = {l.description: l for l in campaign.budget_lines}
        for supplier, day, posted, lines in spec[9]:
            date = demo.date(day)
            invoice = Invoice(type='in', party=suppliers[supplier],
                invoice_date=date,
                reference='%d-%02d' % (demo.random.randint(100, 999),
                    date.month))
            for budget_line, description, amount in lines:
                line = invoice.lines.new()
                line.account = expense
                line.description = description
                line.quantity = 1 if amount > 0 else -1
                line.unit_price = Decimal(abs(amount))
                line.marketing_campaign = campaign
                if budget_line:
                    line.marketing_budget_line = budget_lines[budget_line]
            invoices.append(invoice)
            if posted:
                to_post.append(invoice)
    Invoice.save(invoices)
    to_post.sort(key=lambda i: (i.invoice_date, i.id))
    while True:
        try:
            Invoice.click(to_post, 'post')
        except UserWarning as warning:
            # as the accountant does: post in spite of the budget overrun
            Warning.skip(warning.name, False, demo.config.context)
        else:
            break


def _open_expense_journal(demo):
    "Open the periods of the expense journal as the accounting phase does"
    Journal = Model.get('account.journal')
    journal, = Journal.find([('type', '=', 'expense')], limit=1)
    opened = {p['period'] for p in demo.read('account.journal.period',
            demo.search('account.journal.period',
                [('journal', '=', journal.id)]), ['period'])}
    periods = demo.search('account.period', [('type', '=', 'standard')])
    demo.create('account.journal.period', [
            {'journal': journal.id, 'period': p}
            for p in periods if p not in opened])


def _attribute(demo, campaigns):
    """Attribute to each campaign a share of the leads that came in during
    it and shortly after, their sales, and some direct sales"""
    rng = demo.random
    opportunities = demo.read('sale.opportunity',
        demo.search('sale.opportunity', [], order=[('id', 'ASC')]),
        ['start_date', 'sales'])
    sales = demo.read('sale.sale',
        demo.search('sale.sale', [('origin', '=', None)],
            order=[('sale_date', 'ASC'), ('id', 'ASC')]),
        ['sale_date', 'state'])
    taken_opportunities, taken_sales = set(), set()
    opportunity_values, sale_values = {}, {}
    for campaign, spec in zip(campaigns, CAMPAIGNS):
        share = spec[-1]
        if not share:
            continue
        start = campaign.start_date
        end = min(campaign.end_date + dt.timedelta(days=LEAD_DELAY),
            demo.today)
        values = {
            'marketing_campaign': campaign.id,
            'marketing_medium': campaign.medium.id,
            }
        for opportunity in opportunities:
            if (opportunity['id'] not in taken_opportunities
                    and start <= opportunity['start_date'] <= end
                    and rng.random() < share):
                taken_opportunities.add(opportunity['id'])
                opportunity_values[opportunity['id']] = values
                for sale_id in opportunity['sales']:
                    sale_values[sale_id] = values
        won = False
        for sale in sales:
            if (sale['id'] not in taken_sales and sale['sale_date']
                    and start <= sale['sale_date'] <= end
                    and rng.random() < DIRECT_SALE_SHARE):
                taken_sales.add(sale['id'])
                sale_values[sale['id']] = values
                won |= sale['state'] in WON_SALE_STATES
        if not won:
            # a small demo has few sales: the first won sale after the start
            for sale in sales:
                if (sale['id'] not in taken_sales
                        and sale['state'] in WON_SALE_STATES
                        and sale['sale_date'] >= start):
                    taken_sales.add(sale['id'])
                    sale_values[sale['id']] = values
                    break
    demo.write('sale.opportunity', opportunity_values)
    demo.write('sale.sale', sale_values)
