# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The commissioning schedules of the installed equipment (S11)"
import datetime as dt

# The steps with the days they take after the previous one
STEPS = [
    ("Поставка оборудования", (2, 10)),
    ("Монтаж", (3, 10)),
    ("Пусконаладка", (2, 7)),
    ("Обучение персонала", (1, 3)),
    ("Ввод в эксплуатацию", (1, 5)),
    ]
# A home installation needs neither start-up nor training
HOME_STEPS = ["Поставка оборудования", "Монтаж", "Ввод в эксплуатацию"]
ENGINEERS = [
    "Морозов Павел Викторович",
    "Волков Игорь Степанович",
    ]
# The share of the sales of goods with a commissioning schedule: most of
# those under way, to show the schedules in progress, fewer of the old ones
SHARES = {'confirmed': 0.8, 'processing': 0.8, 'done': 0.3}


def _engineers(demo):
    parties = demo.create('party.party', [
            {'name': name, 'lang': demo.russian.id} for name in ENGINEERS])
    return demo.create('company.employee', [{
                'party': party,
                'company': demo.company.id,
                'start_date': demo.date(-1500),
                } for party in parties])


def _steps(demo, plan, engineer):
    "Return the values of the steps of the sale of plan"
    rng = demo.random
    names = [n for n, _ in STEPS]
    if plan['customer']['kind'] == 'person':
        names = HOME_STEPS
    durations = dict(STEPS)
    planned = plan['sale_date']
    # A finished sale had its equipment commissioned
    finished = plan['state'] == 'done'
    waiting = False
    values = []
    for sequence, name in enumerate(names, 1):
        planned += dt.timedelta(days=rng.randint(*durations[name]))
        # Most steps keep to the plan, some slip by one or two weeks
        if rng.random() < 0.8:
            slip = rng.choice([-1, 0, 0, 1, 2])
        else:
            slip = rng.randint(5, 15)
        done = planned + dt.timedelta(days=slip)
        step = {
            'sale': plan['id'],
            'sequence': sequence * 10,
            'name': name,
            'planned_date': planned,
            'employee': engineer,
            'state': 'planned',
            }
        if not waiting and (finished or done < demo.today):
            if name == "Обучение персонала" and rng.random() < 0.1:
                step['state'] = 'cancelled'
            else:
                step['state'] = 'done'
                step['done_date'] = min(done, demo.today)
        else:
            # A step not done yet holds up the next ones
            waiting = True
        values.append(step)
    return values


def create_commissioning_steps(demo):
    "Plan the commissioning of a share of the sales of goods"
    rng = demo.random
    engineers = _engineers(demo)
    plans = [p for p in demo.sales
        if p['goods'] and rng.random() < SHARES.get(p['state'], 0)]
    values = []
    for plan in plans:
        values.extend(_steps(demo, plan, rng.choice(engineers)))
    demo.create('crm.commissioning.step', values)
