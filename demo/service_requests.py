# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The service requests (V3): four service engineers answer the requests of
the customers of the last six months, about their installed equipment or
not, with and without a service contract; each request lived its life up to
today (new, assigned, in progress, waiting for the customer, resolved,
closed or cancelled) with its conversation, and some answered or solved
after their service level's due dates"""
import datetime as dt

from proteus import Model

from trytond.pool import Pool
from trytond.transaction import Transaction

from . import service_kb
from .company import _employee, refresh_context

# The service engineers: surname, first name, patronymic, login
SERVICE_AGENTS = [
    ("Кузнецов", "Алексей", "Павлович", 'kuznetsov'),
    ("Соколова", "Мария", "Игоревна", 'sokolova'),
    ("Волков", "Денис", "Андреевич", 'volkov'),
    ("Морозов", "Сергей", "Николаевич", 'morozov'),
    ]
REQUESTS = 400
DAYS = 180
# The share (and the least number) of the requests of the last days, still
# new or being worked on
RECENT = 0.15
MIN_RECENT = 3
RECENT_DAYS = 10
# The share of the requests about the customer's installed equipment
ABOUT_EQUIPMENT = 0.6
CHANNELS = {'phone': 40, 'email': 25, 'portal': 15, 'chat': 10, 'visit': 10}
PRIORITIES = {'low': 15, 'normal': 55, 'high': 20, 'urgent': 10}
# The shares answered or solved late, waiting for the customer on the way,
# cancelled and left stuck in progress
LATE_RESPONSE = 0.12
LATE_RESOLUTION = 0.12
PAUSED = 0.25
CANCELLED = 0.05
STUCK = 0.04
# Without service level: the hours of a reasonable answer and solution
NO_LEVEL_HOURS = (4, 24)
TIME_SPENT = [30, 45, 60, 90, 120, 180, 240]

# category: [(subject, description, answer, resolution)]
TOPICS = {
    "Ремонт": [
        ("Не включается кондиционер после отключения электричества",
            "После отключения электричества в офисе кондиционер не "
            "реагирует на пульт, индикатор на внутреннем блоке не горит.",
            "Здравствуйте! Проверьте, пожалуйста, автомат в щитке. Если он "
            "включён, инженер приедет на диагностику.",
            "Заменён предохранитель платы управления внутреннего блока, "
            "кондиционер работает во всех режимах."),
        ("Кондиционер не охлаждает, дует тёплым воздухом",
            "Кондиционер включается, вентилятор работает, но воздух "
            "тёплый. Наружный блок не запускается.",
            "Добрый день! Заявка принята, инженер свяжется с вами для "
            "согласования времени выезда.",
            "Обнаружена утечка фреона в вальцовочном соединении, соединение "
            "переделано, система заправлена."),
        ("Течёт вода из внутреннего блока",
            "Из внутреннего блока капает вода на пол, особенно в жару.",
            "Здравствуйте! Отключите, пожалуйста, кондиционер до приезда "
            "инженера, чтобы не залить помещение.",
            "Прочищен дренажный трубопровод и поддон, проверен уклон "
            "дренажа, течь устранена."),
        ("Ошибка E5 на дисплее приточной установки",
            "Приточная установка остановилась, на пульте горит ошибка E5.",
            "Добрый день! Ошибка E5 — срабатывание защиты калорифера. "
            "Инженер выедет для проверки.",
            "Заменён датчик температуры приточного воздуха, защита "
            "калорифера настроена, установка запущена."),
        ("Сильный шум при работе наружного блока",
            "Наружный блок сильно гудит и вибрирует, соседи жалуются.",
            "Здравствуйте! Инженер приедет проверить крепление блока и "
            "вентилятор.",
            "Подтянуто крепление кронштейнов, установлены виброопоры, "
            "заменена крыльчатка вентилятора."),
        ],
    "Монтаж и пусконаладка": [
        ("Требуется монтаж кондиционера в новом офисе",
            "Переезжаем в новый офис, нужно перенести и смонтировать два "
            "настенных кондиционера.",
            "Добрый день! Инженер приедет на осмотр объекта и подготовит "
            "смету монтажа.",
            "Кондиционеры перенесены и смонтированы, проведены "
            "пусконаладочные работы, акт подписан."),
        ("Пусконаладка приточно-вытяжной установки",
            "Установка смонтирована подрядчиком, нужна пусконаладка и "
            "настройка автоматики.",
            "Здравствуйте! Согласуем дату пусконаладки, пришлите, "
            "пожалуйста, схему подключения.",
            "Выполнены пусконаладочные работы, настроены расходы воздуха и "
            "автоматика, заказчик обучен работе с пультом."),
        ],
    "Плановое ТО": [
        ("Требуется плановое ТО",
            "Подошёл срок планового технического обслуживания оборудования "
            "по договору.",
            "Добрый день! Предлагаем провести ТО в удобный для вас день, "
            "инженер позвонит для согласования.",
            "Проведено плановое ТО: чистка теплообменников, дезинфекция, "
            "проверка давления фреона и электрических соединений."),
        ("Замена фильтров приточной установки",
            "Горит индикатор загрязнения фильтров на пульте приточной "
            "установки.",
            "Здравствуйте! Фильтры F7 есть на складе, инженер привезёт их "
            "при визите.",
            "Заменены фильтры F7, сброшен счётчик загрязнения, установка "
            "работает штатно."),
        ("Сезонная подготовка кондиционеров к лету",
            "Просим провести профилактику всех кондиционеров в офисе "
            "перед летним сезоном.",
            "Добрый день! Включили ваш объект в график сезонного "
            "обслуживания.",
            "Проведена профилактика шести кондиционеров, замечаний нет."),
        ],
    "Консультация": [
        ("Как настроить таймер на пульте",
            "Не получается настроить включение кондиционера по таймеру "
            "перед приходом на работу.",
            "Здравствуйте! Нажмите кнопку TIMER ON, задайте время стрелками "
            "и подтвердите кнопкой SET. Инструкция — в базе знаний.",
            "Клиенту даны инструкции по настройке таймера, вопрос решён."),
        ("Можно ли использовать кондиционер для обогрева зимой",
            "До какой уличной температуры можно включать кондиционер на "
            "обогрев?",
            "Добрый день! Ваша модель работает на обогрев до −15 °C, при "
            "более низкой температуре лучше не включать.",
            "Дана консультация по режиму обогрева и ограничениям модели."),
        ],
    "Жалоба": [
        ("Инженер не приехал в согласованное время",
            "Ждали инженера с 10 до 12, никто не приехал и не позвонил.",
            "Приносим извинения! Выясняем причину, руководитель сервиса "
            "свяжется с вами сегодня.",
            "Визит перенесён по согласованию с клиентом, работы выполнены, "
            "клиенту предоставлена скидка на следующее ТО."),
        ("Повторная поломка после ремонта",
            "Через неделю после ремонта кондиционер снова не охлаждает.",
            "Приносим извинения за неудобства, ремонт будет выполнен "
            "повторно по гарантии.",
            "Заменён компрессор по гарантии, проведена проверка системы, "
            "клиент претензий не имеет."),
        ],
    }
# The steps of the conversation other than the request and the answer
NOTES = [
    "Уточнить модель и серийный номер по базе установленного оборудования.",
    "Клиент по договору, выезд в приоритетном порядке.",
    "Взять с собой комплект фильтров и дренажный насос.",
    ]
QUESTIONS = [
    "Пришлите, пожалуйста, фото шильдика наружного блока.",
    "Подскажите, пожалуйста, удобное время визита инженера.",
    "Уточните, пожалуйста, код ошибки на дисплее.",
    ]
REPLIES = [
    "Фото отправили, посмотрите, пожалуйста.",
    "Удобно завтра после 14:00.",
    "На дисплее код E1, после перезапуска появляется снова.",
    ]
DONE = "Работы выполнены, проверьте, пожалуйста, работу оборудования."


def setup_service_agents(demo):
    "Create the service engineers with their users in the service group"
    Employee = Model.get('company.employee')
    Group = Model.get('res.group')
    User = Model.get('res.user')
    logins = [a[-1] for a in SERVICE_AGENTS]
    users = User.find([('login', 'in', logins)])
    if not users:
        agents = [_employee(demo, *a) for a in SERVICE_AGENTS]
        Employee.save(agents)
        group = Group(demo.model_id('crm_service.group_service'))
        for employee, login in zip(agents, logins):
            user = User(
                name=employee.party.name, login=login,
                password=demo.password, language=demo.russian)
            user.groups.append(group)
            user.companies.append(demo.company)
            user.company = demo.company
            user.employees.append(Employee(employee.id))
            user.employee = Employee(employee.id)
            users.append(user)
        User.save(users)
        refresh_context(demo)
    demo.service_agents = [u.employee.id for u in users]
    if not demo.service_categories:
        service_kb.setup_categories(demo)


def _weighted(rng, weights):
    return rng.choices(list(weights), list(weights.values()))[0]


def _now(demo):
    "The present moment of the demo, naive UTC"
    now = dt.datetime.now(dt.timezone.utc).replace(
        tzinfo=None, microsecond=0)
    return min(now, demo.local_datetime(demo.today, 23, 59))


def create_requests(demo):
    """Register the requests of the last months, then replay each one up to
    today: its transitions, the moments they happened and its conversation"""
    now = _now(demo)
    with Transaction().start(demo.config.database_name, 0,
            context={'company': demo.company.id}):
        pool = Pool()
        InstalledProduct = pool.get('crm.installed.product')
        Request = pool.get('crm.service.request')
        equipment = InstalledProduct.search([
                ('company', '=', demo.company.id),
                ('state', '=', 'installed'),
                ], order=[('id', 'ASC')])
        phones = {c['id']: c['mechanisms'].get('phone')
            for c in demo.customers}
        count = demo.count(REQUESTS)
        recent = max(MIN_RECENT, round(RECENT * count))
        drawn = sorted(
            (_draw_request(demo, equipment, phones, now,
                    RECENT_DAYS if i < recent else DAYS)
                for i in range(count)),
            key=lambda d: d[0]['reported_at'])
        requests = []
        for slice_ in demo.batches(drawn, "service requests"):
            requests.extend(Request.create([v for v, _ in slice_]))
        lives = [_life(demo, r, t, now) for r, (_, t) in zip(requests, drawn)]
        _cancel_some(demo, lives)
        _replay(demo, requests, lives)
        _converse(demo, requests, lives)


def _draw_request(demo, equipment, phones, now, days):
    "Return the values of a request of the last days and its topic"
    rng = demo.random
    if equipment and rng.random() < ABOUT_EQUIPMENT:
        unit = rng.choice(equipment)
        party, installed = unit.party.id, unit.id
        category = rng.choice(["Ремонт", "Ремонт", "Плановое ТО", "Жалоба"])
    else:
        party, installed = rng.choice(demo.customers)['id'], None
        category = rng.choice(
            ["Монтаж и пусконаладка", "Консультация", "Ремонт"])
    topic = rng.choice(TOPICS[category])
    subject, description, _, _ = topic
    date = demo.date(-rng.randint(0, days))
    reported = min(
        demo.local_datetime(date, rng.randint(8, 20), rng.randrange(60)),
        now - dt.timedelta(minutes=rng.randint(10, 120)))
    return {
        'company': demo.company.id,
        'party': party,
        'contact': phones.get(party),
        'installed_product': installed,
        'channel': _weighted(rng, CHANNELS),
        'priority': _weighted(rng, PRIORITIES),
        'category': demo.service_categories.get(category),
        'subject': subject,
        'description': description,
        'reported_at': reported,
        }, topic


def _life(demo, request, topic, now):
    """Return how far request went by now, whether it was cancelled there,
    and the moments it lived, in the business hours of its level"""
    rng = demo.random
    level = request.service_level
    line = level.get_line(request.priority) if level else None
    response_hours, resolution_hours = (
        (line.response_hours, line.resolution_hours) if line
        else NO_LEVEL_HOURS)

    def after(start, hours):
        if level:
            moment = level.add_business_hours(start, hours)
        else:
            moment = start + dt.timedelta(hours=hours)
        return moment.replace(second=0, microsecond=0)

    reported = request.reported_at
    factor = (rng.uniform(1.1, 2.5) if rng.random() < LATE_RESPONSE
        else rng.uniform(0.1, 0.8))
    responded = after(reported, response_hours * factor)
    paused = rng.uniform(2, 12) if rng.random() < PAUSED else 0
    waiting_since = after(responded, rng.uniform(0.5, 3))
    waiting_end = after(waiting_since, paused)
    factor = (rng.uniform(1.05, 1.8) if rng.random() < LATE_RESOLUTION
        else rng.uniform(0.3, 0.9))
    resolved = max(
        after(reported, resolution_hours * factor + paused),
        waiting_end + dt.timedelta(hours=1))
    closed = resolved + dt.timedelta(hours=rng.uniform(20, 96))
    if now < responded:
        state = rng.choice(['new', 'assigned'])
    elif paused and waiting_since <= now and (now < waiting_end
            # the customer is late to answer
            or (now < resolved and rng.random() < 0.5)):
        state = 'waiting'
    elif now < resolved or rng.random() < STUCK:
        state = 'in_progress'
    elif now < closed:
        state = 'resolved'
    else:
        state = 'closed'
    life = {
        'state': state,
        'cancelled': False,
        'topic': topic,
        'assignee': rng.choice(demo.service_agents),
        'time_spent': dt.timedelta(minutes=rng.choice(TIME_SPENT)),
        'responded': responded,
        'waiting_since': waiting_since if paused else None,
        'waiting_end': waiting_end if paused else None,
        'resolved': resolved,
        'closed': closed,
        }
    # the customer answered: the wait pushed the resolution due date
    if paused and waiting_end <= now and state in {
            'in_progress', 'resolved', 'closed'}:
        life['paused_hours'] = round(paused, 2)
        if request.resolution_due:
            life['resolution_due'] = level.add_business_hours(
                request.resolution_due, paused).replace(
                second=0, microsecond=0)
    return life


def _cancel_some(demo, lives):
    "Cancel a few of the requests that were not resolved"
    open_ = [life for life in lives
        if life['state'] in {'new', 'assigned', 'in_progress', 'waiting'}]
    count = min(len(open_), max(1, round(CANCELLED * len(lives))))
    for life in demo.random.sample(open_, count):
        life['cancelled'] = True


def _replay(demo, requests, lives):
    "Click the transitions by batches, then write when they happened"
    pool = Pool()
    Request = pool.get('crm.service.request')

    def reached(*states):
        return [request for request, life in zip(requests, lives)
            if life['state'] in states]

    to_write = []
    for request, life in zip(requests, lives):
        if life['state'] == 'new':
            continue
        values = {'assignee': life['assignee']}
        if life['state'] in {'resolved', 'closed'}:
            values['resolution'] = life['topic'][3]
            values['time_spent'] = life['time_spent']
        to_write.append(([request], values))
    _write(demo, Request, to_write)

    worked = ['in_progress', 'waiting', 'resolved', 'closed']
    for button, records in [
            ('assign', reached('assigned', *worked)),
            ('start', reached(*worked)),
            ('wait', reached('waiting')),
            ('resolve', reached('resolved', 'closed')),
            ('close', reached('closed')),
            ('cancel', [request for request, life in zip(requests, lives)
                    if life['cancelled']]),
            ]:
        for slice_ in demo.batches(records, button):
            getattr(Request, button)(slice_)

    to_write = []
    for request, life in zip(requests, lives):
        state, stamps = life['state'], {}
        if state not in {'new', 'assigned'}:
            stamps['first_response_at'] = life['responded']
        if state == 'waiting' and not life['cancelled']:
            stamps['waiting_since'] = life['waiting_since']
        for name in ['paused_hours', 'resolution_due']:
            if name in life:
                stamps[name] = life[name]
        if state in {'resolved', 'closed'}:
            stamps['resolved_at'] = life['resolved']
        if state == 'closed':
            stamps['closed_at'] = life['closed']
        if stamps:
            to_write.append(([request], stamps))
    _write(demo, Request, to_write)


def _write(demo, Record, to_write):
    "Write the (records, values) pairs by batches"
    for slice_ in demo.batches(to_write, "stamps"):
        Record.write(*[a for pair in slice_ for a in pair])


def _converse(demo, requests, lives):
    """Write the conversation of each request as it went: the customer's
    letter, an internal note, the answers and questions, dated"""
    pool = Pool()
    Message = pool.get('crm.service.request.message')
    rng = demo.random
    messages = []
    for request, life in zip(requests, lives):
        state, agent = life['state'], life['assignee']
        reported = request.reported_at
        if request.channel in {'email', 'portal', 'chat'}:
            messages.append((reported, request, {
                        'body': request.description,
                        }))
        if state == 'new':
            continue
        if rng.random() < 0.5:
            messages.append((reported + dt.timedelta(minutes=10), request, {
                        'author_employee': agent,
                        'body': rng.choice(NOTES),
                        'internal': True,
                        }))
        if state == 'assigned':
            continue
        messages.append((life['responded'], request, {
                    'author_employee': agent,
                    'body': life['topic'][2],
                    }))
        if life['waiting_since'] and (
                state == 'waiting' or 'paused_hours' in life):
            question = rng.randrange(len(QUESTIONS))
            messages.append((life['waiting_since'], request, {
                        'author_employee': agent,
                        'body': QUESTIONS[question],
                        }))
            if 'paused_hours' in life:
                messages.append((life['waiting_end'], request, {
                            'body': REPLIES[question],
                            }))
        if state in {'resolved', 'closed'}:
            messages.append((life['resolved'], request, {
                        'author_employee': agent,
                        'body': DONE,
                        }))
    created = []
    for slice_ in demo.batches(messages, "service messages"):
        created.extend(Message.create([
                    dict(values, request=request.id)
                    for _, request, values in slice_]))
    # the messages are dated when they were written, not today
    table = Message.__table__()
    cursor = Transaction().connection.cursor()
    for message, (date, _, _) in zip(created, messages):
        cursor.execute(*table.update(
                [table.create_date], [date],
                where=table.id == message.id))
