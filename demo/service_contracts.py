# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The service levels and contracts (V1): three levels (office hours with
the Russian public holidays, extended hours, round the clock) with their
times per priority; yearly service contracts for a fifth of the customers,
of every kind, most renewed year after year, some expired and some
terminated with the reason the customer gave"""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from proteus import Model

from trytond.pool import Pool
from trytond.transaction import Transaction

ALL_WEEK = ['0', '1', '2', '3', '4', '5', '6']
# name: working days, start, end, holidays, {priority: (response, resolution)}
LEVELS = {
    "Стандарт": (
        ALL_WEEK[:5], dt.time(9), dt.time(18), 'public', {
            'low': (16, 80),
            'normal': (8, 40),
            'high': (4, 16),
            'urgent': (2, 8),
            }),
    "Расширенный": (
        ALL_WEEK[:6], dt.time(8), dt.time(20), 'new_year', {
            'low': (8, 40),
            'normal': (4, 24),
            'high': (2, 8),
            'urgent': (1, 4),
            }),
    "Круглосуточный": (
        ALL_WEEK, dt.time(0), dt.time(0), None, {
            'low': (4, 24),
            'normal': (2, 12),
            'high': (1, 6),
            'urgent': (0.5, 4),
            }),
    }
DEFAULT_LEVEL = "Стандарт"
# (month, day): name, the public holidays of Russia (Labour Code, art. 112)
PUBLIC_HOLIDAYS = {
    (1, 1): "Новогодние каникулы",
    (1, 2): "Новогодние каникулы",
    (1, 3): "Новогодние каникулы",
    (1, 4): "Новогодние каникулы",
    (1, 5): "Новогодние каникулы",
    (1, 6): "Новогодние каникулы",
    (1, 7): "Рождество Христово",
    (1, 8): "Новогодние каникулы",
    (2, 23): "День защитника Отечества",
    (3, 8): "Международный женский день",
    (5, 1): "Праздник Весны и Труда",
    (5, 9): "День Победы",
    (6, 12): "День России",
    (11, 4): "День народного единства",
    }
# The extended level closes only on the first days of the year
NEW_YEAR_HOLIDAYS = {(1, 1), (1, 2), (1, 7)}

TERMINATION_REASONS = {
    "Переход к конкуренту": [
        "Конкурент предложил обслуживание на 20 % дешевле.",
        "Перешли к дилеру с собственной сервисной бригадой.",
        ],
    "Закрытие бизнеса": [
        "Компания ликвидирована, объект закрыт.",
        "Офис переехал в бизнес-центр со своей службой эксплуатации.",
        ],
    "Неудовлетворённость сервисом": [
        "Дважды сорван срок ремонта, жалоба директору.",
        "Недовольны сроками реакции по выездам.",
        ],
    "Высокая цена": [
        "Не согласовали индексацию стоимости обслуживания.",
        "Бюджет на обслуживание сокращён вдвое.",
        ],
    }

SERVICE_PRODUCT = "Сервисное обслуживание"
SERVICE_CODE = 'SERV-M'
# The price of a month of service of one system
SERVICE_PRICE = Decimal(5500)
# kind: weight, the levels and their weights
KINDS = {
    'maintenance': (40, {"Стандарт": 70, "Расширенный": 30}),
    'post_warranty': (25, {"Стандарт": 80, "Расширенный": 20}),
    'support': (20, {"Расширенный": 50, "Круглосуточный": 50}),
    'warranty': (15, {"Стандарт": 100}),
    }
DESCRIPTIONS = {
    'maintenance': "Техническое обслуживание климатического оборудования",
    'post_warranty': "Постгарантийное обслуживание оборудования",
    'support': "Аварийная поддержка и выезды инженера",
    'warranty': "Расширенное гарантийное обслуживание",
    }
# The share of the customers with a contract: companies, persons
CONTRACT_SHARE = {'company': 0.25, 'person': 0.1}
# Of the contracts that ended: renewed, left to expire, else terminated
RENEWED = 0.6
EXPIRED = 0.25
# Of the running contracts: terminated, and renewed ahead when ending soon
TERMINATED = 0.1
RENEWED_AHEAD = 0.5
RENEWAL_NOTICE_DAYS = 30


def setup_service_levels(demo):
    "Create the three levels; the standard one serves customers without one"
    years = range(demo.date(-800).year, demo.today.year + 2)
    holidays = {
        'public': [
            {'date': dt.date(y, m, d), 'name': name}
            for y in years for (m, d), name in PUBLIC_HOLIDAYS.items()],
        'new_year': [
            {'date': dt.date(y, m, d), 'name': PUBLIC_HOLIDAYS[(m, d)]}
            for y in years for m, d in sorted(NEW_YEAR_HOLIDAYS)],
        }
    values = []
    for name, (days, start, end, holiday, times) in LEVELS.items():
        values.append({
                'name': name,
                'company': demo.company.id,
                'working_days': days,
                'day_start': start,
                'day_end': end,
                'timezone': 'Europe/Moscow',
                'holidays': [('create', holidays.get(holiday, []))],
                'lines': [('create', [{
                                'priority': priority,
                                'response_hours': response,
                                'resolution_hours': resolution,
                                } for priority, (response, resolution)
                            in times.items()])],
                })
    demo.service_levels = dict(zip(
            LEVELS, demo.create('crm.service.level', values)))

    Configuration = Model.get('crm.service.configuration')
    configuration = Configuration(1)
    configuration.default_service_level = Model.get('crm.service.level')(
        demo.service_levels[DEFAULT_LEVEL])
    configuration.save()


def setup_termination_reasons(demo):
    demo.termination_reasons = dict(zip(
            TERMINATION_REASONS, demo.create(
                'crm.service.termination_reason',
                [{'name': n} for n in TERMINATION_REASONS])))


def _setup_service(demo):
    "Return the subscription service billed monthly, created if needed"
    Category = Model.get('product.category')
    RuleSet = Model.get('sale.subscription.recurrence.rule.set')
    Service = Model.get('sale.subscription.service')
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')

    monthly = RuleSet(name="Ежемесячно")
    rule, = monthly.rules
    rule.freq = 'monthly'
    rule.interval = 1
    monthly.save()

    account_category, = Category.find([
            ('name', '=', "Товары и услуги"), ('accounting', '=', True)])
    template = Template(
        name=SERVICE_PRODUCT, type='service',
        default_uom=Uom(demo.model_id('product.uom_unit')),
        salable=True, list_price=SERVICE_PRICE,
        account_category=account_category)
    for category in Category.find([('name', '=', "Услуги")]):
        template.categories.append(category)
    product, = template.products
    product.suffix_code = SERVICE_CODE
    product.cost_price = (SERVICE_PRICE * Decimal('0.6')).quantize(1)
    template.save()
    service = Service(
        product=template.products[0], consumption_recurrence=monthly)
    service.save()
    return service, monthly


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _first_contracts(demo, service, monthly):
    "The values of the first contract of the customers who have one"
    rng = demo.random
    values = []
    for customer in demo.customers:
        kind = 'person' if customer['kind'] == 'person' else 'company'
        if rng.random() >= CONTRACT_SHARE[kind]:
            continue
        contract_kind = _weighted(
            rng, {k: w for k, (w, _) in KINDS.items()})
        level = _weighted(rng, KINDS[contract_kind][1])
        start = demo.random_date(
            max(customer['since'], demo.date(-700)), demo.date(-20))
        end = start + relativedelta(years=1) - dt.timedelta(days=1)
        systems = 1 if kind == 'person' else rng.choice([1, 2, 2, 3, 4, 6])
        values.append({
                'company': demo.company.id,
                'party': customer['id'],
                'invoice_address': customer['address'],
                'payment_term': customer['payment_term'].id,
                'currency': demo.currency.id,
                'description': DESCRIPTIONS[contract_kind],
                'contract_kind': contract_kind,
                'service_level': demo.service_levels[level],
                'start_date': start,
                'end_date': end,
                'invoice_recurrence': monthly.id,
                'lines': [('create', [{
                                'service': service.id,
                                'quantity': systems,
                                'unit': service.product.default_uom.id,
                                'unit_price': SERVICE_PRICE,
                                'consumption_recurrence': monthly.id,
                                'start_date': start,
                                'end_date': end,
                                }])],
                })
    return values


def create_contracts(demo):
    """Create the contracts and follow each one year after year: renewed,
    expired or terminated until today, the latest running"""
    service, monthly = _setup_service(demo)
    values = _first_contracts(demo, service, monthly)
    reasons = list(TERMINATION_REASONS)
    rng = demo.random
    with Transaction().start(
            demo.config.database_name, 0,
            context={'company': demo.company.id}):
        Subscription = Pool().get('sale.subscription')
        current = Subscription.create(values)
        Subscription.quote(current)
        # the real today: the terminations may not be later
        today = min(demo.today, Pool().get('ir.date').today())
        while current:
            Subscription.run(current)
            renew, renewal_dates, expire = [], {}, []
            for contract in current:
                notice = contract.end_date - dt.timedelta(
                    days=rng.randint(5, RENEWAL_NOTICE_DAYS))
                if contract.end_date < demo.today:
                    draw = rng.random()
                    if draw < RENEWED:
                        renew.append(contract)
                        renewal_dates[contract.id] = notice
                    elif draw < RENEWED + EXPIRED:
                        expire.append(contract)
                    else:
                        _terminate(demo, contract, rng.choice(reasons), min(
                                demo.random_date(
                                    contract.start_date + dt.timedelta(60),
                                    contract.end_date), today))
                elif rng.random() < TERMINATED:
                    _terminate(demo, contract, rng.choice(reasons), min(
                            demo.random_date(
                                contract.start_date, demo.today), today))
                elif (notice <= demo.today
                        and rng.random() < RENEWED_AHEAD):
                    renew.append(contract)
                    renewal_dates[contract.id] = notice
            # the renewals starting later wait in quotation for signature
            renewals = Subscription.renew_contracts(renew)
            Subscription.quote(renewals)
            for contract in renew:
                contract.renewal_date = renewal_dates[contract.id]
            Subscription.save(renew)
            Subscription.close(
                [c for c in renew + expire if c.end_date < demo.today])
            current = [r for r in renewals if r.start_date <= demo.today]
        _set_next_dates(demo, Subscription.search([
                    ('company', '=', demo.company.id),
                    ('contract_kind', '!=', None),
                    ('state', 'in', ['running', 'closed']),
                    ]))


def _terminate(demo, contract, reason, date):
    Subscription = Pool().get('sale.subscription')
    Subscription.terminate_contracts(
        [contract], date, demo.termination_reasons[reason],
        demo.random.choice(TERMINATION_REASONS[reason]))


def _next_date(recurrence, start, date, end):
    "Return the first date of recurrence from start after date, up to end"
    after = recurrence.rruleset(start).after(
        dt.datetime.combine(date, dt.time()))
    if after and after.date() <= end:
        return after.date()


def _set_next_dates(demo, contracts):
    """Invoice and consume from the first date after today: the months
    before are taken as billed outside the demo, so the crons have no past
    to catch up"""
    Line = Pool().get('sale.subscription.line')
    Subscription = Pool().get('sale.subscription')
    lines = []
    for contract in contracts:
        running = contract.state == 'running'
        contract.next_invoice_date = running and _next_date(
            contract.invoice_recurrence, contract.start_date, demo.today,
            contract.end_date) or None
        for line in contract.lines:
            line.next_consumption_date = running and _next_date(
                line.consumption_recurrence, line.start_date, demo.today,
                line.end_date) or None
            if line.next_consumption_date:
                line.consumed_until = (
                    line.next_consumption_date - dt.timedelta(days=1))
            else:
                line.consumed_until = min(line.end_date, demo.today)
            lines.append(line)
    Subscription.save(contracts)
    Line.save(lines)
