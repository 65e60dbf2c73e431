# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The calls, meetings, letters… of the salespeople with the customers"
import datetime as dt

TYPES = {
    'call': 30, 'email': 20, 'meeting': 12, 'visit': 8, 'letter': 5,
    'fax': 2, 'chat': 13, 'task': 10,
    }
# The subjects of each type with their direction
SUBJECTS = {
    'call': [
        ("Уточнение потребностей клиента", 'outgoing'),
        ("Предложение сервисного обслуживания", 'outgoing'),
        ("Согласование даты монтажа", 'outgoing'),
        ("Вопрос по гарантии", 'incoming'),
        ("Запрос цены на оборудование", 'incoming'),
        ("Жалоба на шум кондиционера", 'incoming'),
        ],
    'email': [
        ("Отправка прайс-листа", 'outgoing'),
        ("Сезонные скидки на кондиционеры", 'outgoing'),
        ("Запрос технических характеристик", 'incoming'),
        ("Техническое задание на вентиляцию", 'incoming'),
        ],
    'meeting': [
        ("Встреча в офисе клиента", 'outgoing'),
        ("Презентация оборудования", 'outgoing'),
        ("Переговоры по условиям договора", 'incoming'),
        ],
    'visit': [
        ("Выезд на объект: замеры", 'outgoing'),
        ("Осмотр системы вентиляции", 'outgoing'),
        ("Приёмка монтажных работ", 'outgoing'),
        ],
    'letter': [
        ("Отправка договора почтой", 'outgoing'),
        ("Оригиналы закрывающих документов", 'outgoing'),
        ("Гарантийное письмо", 'incoming'),
        ],
    'fax': [
        ("Подписанная спецификация", 'incoming'),
        ("Заявка на поставку", 'incoming'),
        ],
    'chat': [
        ("Вопрос по доставке", 'incoming'),
        ("Подбор модели кондиционера", 'incoming'),
        ("Консультация по монтажу", 'outgoing'),
        ],
    'task': [
        ("Подготовить коммерческое предложение", 'internal'),
        ("Проверить оплату", 'internal'),
        ("Обновить данные клиента", 'internal'),
        ("Подготовить договор", 'internal'),
        ],
    }
DESCRIPTIONS = [
    "Клиент планирует расширение, просит рассчитать несколько вариантов.",
    "Обсудили сроки и порядок оплаты.",
    "Договорились созвониться после согласования с руководством.",
    "Клиент доволен качеством монтажа.",
    "Нужно уточнить наличие оборудования на складе.",
    "Отправить фотографии объекта инженеру.",
    None,
    ]
# The contact mechanism types each activity type uses
MECHANISMS = {
    'call': ['phone', 'mobile'],
    'fax': ['phone'],
    'email': ['email'],
    'chat': ['mobile'],
    }
# The number of activities of a customer that are not about a document
GENERIC = {1: 30, 2: 35, 3: 20, 4: 15}


class _Activities:
    "Collect the values of the activities and their final state"

    def __init__(self, demo):
        self.demo = demo
        self.values = []
        self.states = []

    def add(self, customer, date, type_=None, subject=None, direction=None,
            origin=None, state=None, hour=None, employee=None):
        demo = self.demo
        rng = demo.random
        if type_ is None:
            type_, = rng.choices(list(TYPES), weights=list(TYPES.values()))
        if subject is None:
            subject, direction = rng.choice(SUBJECTS[type_])
        elif direction is None:
            direction = 'internal' if type_ == 'task' else 'outgoing'
        if hour is None:
            hour = rng.randint(9, 17)
        planned = demo.local_datetime(date, hour, rng.choice([0, 15, 30, 45]))
        # Nothing planned from today on is done yet
        if state is None or (state == 'done' and date >= demo.today):
            state = self._state(date)
        if employee is None:
            employee = customer['salesperson']
            # Colleagues stand in for each other
            if rng.random() < 0.1:
                employee = rng.choice(demo.salespeople)
        mechanism = None
        for kind in MECHANISMS.get(type_, []):
            mechanism = mechanism or customer['mechanisms'].get(kind)
        done_date = None
        if state == 'done':
            done_date = planned + dt.timedelta(minutes=rng.randint(5, 90))
        self.values.append({
                'party': customer['id'],
                'contact_mechanism': mechanism,
                'employee': employee.id,
                'type': type_,
                'direction': direction,
                'subject': subject,
                'description': rng.choice(DESCRIPTIONS),
                'planned_date': planned,
                'done_date': done_date,
                'origin': origin,
                })
        self.states.append(state)

    def _state(self, date):
        "Return the state of an activity on date"
        rng = self.demo.random
        age = (self.demo.today - date).days
        if age <= 0:
            return 'planned'
        if age > 30:
            return rng.choices(['done', 'cancelled'], weights=[93, 7])[0]
        # Some recent ones were forgotten: they are overdue
        return rng.choices(
            ['done', 'cancelled', 'planned'], weights=[70, 5, 25])[0]


def _opportunity_activities(demo, activities):
    rng = demo.random
    for plan in demo.opportunities:
        origin = 'sale.opportunity,%d' % plan['id']
        customer = plan['customer']
        activities.add(customer, plan['start_date'],
            type_=rng.choice(['call', 'meeting', 'email']),
            subject="Первичный контакт: %s" % plan['description'],
            direction=rng.choice(['incoming', 'outgoing']),
            origin=origin)
        if plan['state'] in {'lead', 'opportunity'}:
            date = demo.date(rng.randint(-10, 14) or 1)
            activities.add(customer, date,
                type_=rng.choice(['call', 'meeting', 'visit']),
                subject="Следующий шаг по сделке: %s" % plan['description'],
                origin=origin, state='planned')
        elif plan['state'] == 'won':
            activities.add(customer, plan['end_date'], type_='meeting',
                subject="Подписание договора", origin=origin, state='done')
        elif plan['state'] == 'lost':
            activities.add(customer, plan['end_date'], type_='call',
                subject="Выяснение причин отказа", origin=origin,
                state='done')


def _quotation_activities(demo, activities):
    rng = demo.random
    plans = [p for p in demo.sales if p['state'] == 'quotation']
    numbers = demo.read('sale.sale', [p['id'] for p in plans], ['number'])
    for plan, sale in zip(plans, numbers):
        origin = 'sale.sale,%d' % plan['id']
        activities.add(plan['customer'], plan['quotation_date'],
            type_='email',
            subject="Коммерческое предложение № %s" % sale['number'],
            origin=origin, state='done')
        activities.add(plan['customer'], demo.date(rng.randint(1, 7)),
            type_='call', subject="Решение по коммерческому предложению",
            origin=origin, state='planned')


def _invoice_activities(demo, activities):
    "Remind the customers of their overdue invoices"
    rng = demo.random
    invoices = [i for i in demo.invoices
        if not i['plan']['paid'] and i['due_date'] < demo.today]
    numbers = demo.read(
        'account.invoice', [i['id'] for i in invoices], ['number'])
    for invoice, values in zip(invoices, numbers):
        origin = 'account.invoice,%d' % invoice['id']
        customer = invoice['plan']['customer']
        date = min(invoice['due_date'] + dt.timedelta(
                days=rng.randint(1, 10)), demo.today)
        activities.add(customer, date, type_='call',
            subject="Напоминание об оплате счёта № %s" % values['number'],
            origin=origin, state='done')
        if (demo.today - invoice['due_date']).days > 30:
            activities.add(customer, demo.date(rng.randint(0, 10)),
                type_='letter',
                subject="Претензия по счёту № %s" % values['number'],
                origin=origin, state='planned')


def _generic_activities(demo, activities):
    rng = demo.random
    start = demo.date(-730)
    for customer in demo.customers:
        number, = rng.choices(list(GENERIC), weights=list(GENERIC.values()))
        for _ in range(number):
            if rng.random() < 0.2:
                date = demo.date(rng.randint(1, 30))
            else:
                date = demo.random_date(
                    max(start, customer['since']), demo.date(-1))
            activities.add(customer, date)


def _today_activities(demo, activities):
    "Fill the agenda of each salesperson for today"
    rng = demo.random
    for salesperson in demo.salespeople:
        customers = [c for c in demo.customers
            if c['salesperson'] == salesperson] or demo.customers
        for hour in sorted(rng.sample(range(9, 18), rng.randint(3, 6))):
            activities.add(rng.choice(customers), demo.today, hour=hour,
                state='planned', employee=salesperson)


def create_activities(demo):
    activities = _Activities(demo)
    _opportunity_activities(demo, activities)
    _quotation_activities(demo, activities)
    _invoice_activities(demo, activities)
    _generic_activities(demo, activities)
    _today_activities(demo, activities)
    ids = demo.create('crm.activity', activities.values)
    for state, button in [('done', 'do'), ('cancelled', 'cancel')]:
        demo.click('crm.activity',
            [i for i, s in zip(ids, activities.states) if s == state],
            button)
