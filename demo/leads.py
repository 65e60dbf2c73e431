# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The loss reasons, the participants of the deals, the assignment of the
new leads and a few customers entered twice"""
from proteus import Model

from . import names
from .sale import LOST_REASONS

# The loss reason of each explanation the lost opportunities give
REASONS = {
    "Выбрали конкурента с более низкой ценой.": "Цена",
    "Проект отложен на следующий год.": "Проект отложен",
    "Не устроили сроки поставки.": "Сроки поставки",
    "Клиент выбрал другое техническое решение.": "Выбран конкурент",
    "Бюджет проекта сокращён.": "Нет бюджета",
    "Нет ответа от клиента.": "Нет ответа клиента",
    }
COMPETITORS = [
    "ООО «Климат-Про»", "АО «ТермоСервис»", "ООО «Аэротек»",
    "ООО «Вентмонтаж»", "ООО «Холод-Инжиниринг»",
    ]
# The share of the opportunities whose participants are known
PARTICIPANTS = 0.3
COMPANY_ROLES = ["Инженер-проектировщик", "Технический консультант"]
PARTNER_ROLES = ["Монтажная организация", "Генподрядчик"]
# The leads of the last two weeks, which the rules give to the salespeople
LEADS = 24
LEAD_SUBJECTS = [
    "Заявка с сайта", "Звонок на горячую линию", "Запрос с выставки",
    "Рекомендация клиента",
    ]
DUPLICATES = 5


def setup_lost_reasons(demo):
    "Create the loss reasons the lost opportunities are created with"
    LostReason = Model.get('crm.opportunity.lost_reason')
    assert set(REASONS) == set(LOST_REASONS), "a loss reason is missing"
    reasons = [LostReason(name=n, sequence=i)
        for i, n in enumerate(dict.fromkeys(REASONS.values()))]
    LostReason.save(reasons)
    ids = {r.name: r.id for r in reasons}
    demo.loss_reasons = {text: ids[name] for text, name in REASONS.items()}


def create_competitors(demo):
    "Name the competitor of the opportunities lost to one"
    rng = demo.random
    competition = {
        demo.loss_reasons[t] for t, n in REASONS.items()
        if n in {"Цена", "Выбран конкурент"}}
    lost = [p['id'] for p in demo.opportunities if p['state'] == 'lost']
    demo.write('sale.opportunity', {
            o['id']: {'lost_competitor': rng.choice(COMPETITORS)}
            for o in demo.read('sale.opportunity', lost, ['loss_reason'])
            if o['loss_reason'] in competition and rng.random() < 0.8})


def _capitalize(text):
    "Return text with a capital, keeping the abbreviations (АХО)"
    return text[:1].upper() + text[1:]


def create_participants(demo):
    "Add the customer's contact, an engineer and a partner to some deals"
    rng = demo.random
    dealers = [c for c in demo.customers if c['category'] == "Дилер"]
    plans = [p for p in demo.opportunities
        if p['state'] in {'opportunity', 'converted', 'won'}
        and rng.random() < PARTICIPANTS]
    contacts = []
    for plan in plans:
        if plan['customer']['kind'] == 'company':
            surname, first_name, patronymic = names.person(rng)
            contacts.append((plan, {
                        'name': " ".join([surname, first_name, patronymic]),
                        'lang': demo.russian.id,
                        }, _capitalize(rng.choice(names.COMPANY_POSITIONS))))
    party_ids = demo.create('party.party', [v for _, v, _ in contacts])
    values = [{
            'opportunity': plan['id'],
            'side': 'customer',
            'party': party_id,
            'role': role,
            } for (plan, _, role), party_id in zip(contacts, party_ids)]
    for plan in plans:
        if rng.random() < 0.5:
            values.append({
                    'opportunity': plan['id'],
                    'side': 'company',
                    'employee': rng.choice(demo.salespeople).id,
                    'role': rng.choice(COMPANY_ROLES),
                    })
        if dealers and rng.random() < 0.3:
            values.append({
                    'opportunity': plan['id'],
                    'side': 'partner',
                    'party': rng.choice(dealers)['id'],
                    'role': rng.choice(PARTNER_ROLES),
                    })
    demo.create('crm.opportunity.participant', values)


def setup_assignment_rules(demo):
    "Give the new leads of Moscow, VIP, e-shop and the other customers"
    Rule = Model.get('crm.lead.assignment.rule')
    Employee = Model.get('company.employee')
    moscow = Rule(name="Москва", sequence=10)
    moscow.subdivision = Model.get('country.subdivision')(
        demo.subdivisions['RU-MOW'])
    moscow.employee = Employee(demo.salespeople[0].id)
    vip = Rule(name="VIP-клиенты", sequence=20)
    vip.category = Model.get('party.category')(demo.categories["VIP"])
    vip.employee = Employee(demo.salespeople[1].id)
    online = Rule(name="Интернет-магазин по очереди", sequence=30)
    online.sales_channel = Model.get('crm.sales.channel')(
        demo.channels['online'])
    online.team.extend(Employee(e.id) for e in demo.salespeople[2:5])
    others = Rule(name="Остальные по очереди", sequence=40)
    others.team.extend(Employee(e.id) for e in demo.salespeople[5:])
    Rule.save([moscow, vip, online, others])


def create_leads(demo):
    "Create the leads of the last days without salesperson: the rules assign"
    rng = demo.random
    customers = rng.sample(demo.customers, min(
            demo.count(LEADS), len(demo.customers)))
    demo.create('sale.opportunity', [{
                'party': c['id'],
                'address': c['address'],
                'employee': None,
                'description': rng.choice(LEAD_SUBJECTS),
                'start_date': demo.date(-rng.randint(0, 14)),
                'conversion_probability': rng.randint(5, 20) / 100,
                } for c in customers])


def create_duplicates(demo):
    "Enter again a few customers with their ИНН and e-mail, as people do"
    rng = demo.random
    customers = rng.sample(demo.customers, min(
            demo.count(DUPLICATES), len(demo.customers)))
    ids = [c['id'] for c in customers]
    parties = demo.read('party.party', ids, ['name', 'lang'])
    codes = {i['party']: i['code'] for i in demo.read(
            'party.identifier',
            demo.search('party.identifier', [('party', 'in', ids)]),
            ['party', 'code'])}
    emails = {m['party']: m['value'] for m in demo.read(
            'party.contact_mechanism',
            demo.search('party.contact_mechanism', [
                    ('party', 'in', ids), ('type', '=', 'email')]),
            ['party', 'value'])}
    values = []
    for party in parties:
        # Typed again without the quotes and in capitals
        name = party['name'].replace("«", "").replace("»", "").upper()
        contacts = []
        if party['id'] in emails:
            contacts.append({
                    'type': 'email', 'value': emails[party['id']].upper()})
        values.append({
                'name': name,
                'lang': party['lang'],
                'identifiers': [('create', [{
                                'type': 'ru_vat',
                                'code': codes[party['id']],
                                }])],
                'contact_mechanisms': [('create', contacts)],
                })
    # The demo runs with the warnings skipped: the duplicates are accepted
    demo.create('party.party', values)
