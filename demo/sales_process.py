# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The sales process templates and the activities they plan on the open deals"
import datetime as dt

# name, description, steps: subject, type, offset in working days,
# responsible ('head' is the head of sales, a named employee)
PROCESSES = [
    ("Продажа оборудования",
        "Поставка и монтаж климатического оборудования для организаций.", [
            ("Звонок: уточнение потребностей", 'call', 0, 'account_manager'),
            ("Встреча с клиентом", 'meeting', 2, 'opportunity_employee'),
            ("Выезд на объект: замеры", 'visit', 4, 'opportunity_employee'),
            ("Подготовить коммерческое предложение", 'task', 6,
                'opportunity_employee'),
            ("Демонстрация оборудования", 'meeting', 9,
                'opportunity_employee'),
            ("Переговоры по условиям договора", 'meeting', 12, 'head'),
            ]),
    ("Продажа сервиса",
        "Договор на сервисное обслуживание систем клиента.", [
            ("Звонок: предложение обслуживания", 'call', 0,
                'account_manager'),
            ("Осмотр системы вентиляции", 'visit', 3, 'opportunity_employee'),
            ("Отправка коммерческого предложения", 'email', 5,
                'opportunity_employee'),
            ("Звонок: решение по предложению", 'call', 10,
                'account_manager'),
            ]),
    ("Повторная продажа",
        "Новая поставка постоянному клиенту по известным условиям.", [
            ("Звонок: новая потребность", 'call', 0, 'account_manager'),
            ("Отправка коммерческого предложения", 'email', 1,
                'opportunity_employee'),
            ("Звонок: подтверждение заказа", 'call', 4, 'account_manager'),
            ]),
    ]
# The share of the open deals that follow a template
SHARE = 0.7
# What became of the steps planned before today
PAST_STATES = {'done': 80, 'cancelled': 5, 'planned': 15}


def _template(demo, plan):
    "Return the index of the template that fits the deal of plan"
    if plan['description'].startswith("Сервисное обслуживание"):
        return 1
    if (plan['customer']['category'] in {"VIP", "Постоянный"}
            and demo.random.random() < 0.5):
        return 2
    return 0


def create_sales_processes(demo):
    "Create the templates and apply them to most of the open opportunities"
    rng = demo.random
    head = demo.config.context['employee']
    responsibles = {
        'head': ('employee', head),
        'account_manager': ('account_manager', None),
        'opportunity_employee': ('opportunity_employee', None),
        }
    processes = demo.create('crm.sales.process', [{
                'name': name,
                'description': description,
                'steps': [('create', [{
                                'sequence': i * 10,
                                'name': subject,
                                'type': type_,
                                'offset_days': offset,
                                'planned_time': dt.time(10, 0),
                                'responsible': responsibles[who][0],
                                'employee': responsibles[who][1],
                                } for i, (subject, type_, offset, who)
                            in enumerate(steps, 1)])],
                } for name, description, steps in PROCESSES])

    plans = [p for p in demo.opportunities
        if p['state'] in {'lead', 'opportunity'} and rng.random() < SHARE]
    demo.write('sale.opportunity', {
            p['id']: {'sales_process': processes[_template(demo, p)]}
            for p in plans})
    demo.click('sale.opportunity', [p['id'] for p in plans],
        'apply_sales_process')

    # The steps of the past were mostly done, some are overdue
    ids = demo.search('crm.activity', [
            ('process_step', '!=', None),
            ('planned_date', '<', demo.local_datetime(demo.today, 0)),
            ], order=[('id', 'ASC')])
    states = {}
    done_dates = {}
    for activity in demo.read('crm.activity', ids, ['planned_date']):
        state, = rng.choices(
            list(PAST_STATES), weights=list(PAST_STATES.values()))
        states[activity['id']] = state
        if state == 'done':
            done_dates[activity['id']] = {
                'done_date': activity['planned_date'] + dt.timedelta(
                    minutes=rng.randint(5, 90)),
                }
    demo.write('crm.activity', done_dates)
    for state, button in [('done', 'do'), ('cancelled', 'cancel')]:
        demo.click('crm.activity',
            [i for i in ids if states[i] == state], button)
