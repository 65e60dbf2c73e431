# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The customers: companies, sole traders and persons"
from proteus import Model

from . import names

CATEGORIES = ["VIP", "Ключевой", "Постоянный", "Дилер"]
# code, name, kind
CHANNELS = [
    ('DIRECT', "Прямые продажи", 'direct'),
    ('DEALER', "Дилеры", 'dealer'),
    ('REPR', "Представители", 'representative'),
    ('ONLINE', "Интернет-магазин", 'online'),
    ('RETAIL', "Розница", 'retail'),
    ]
CUSTOMERS = 2000
# The kinds of customers with their share
KINDS = [('company', 60), ('sole_trader', 10), ('person', 30)]
# The category and channel weights of each kind of customer
KIND_CATEGORIES = {
    'company': {"VIP": 8, "Ключевой": 17, "Постоянный": 50, "Дилер": 25},
    'sole_trader': {"VIP": 3, "Ключевой": 7, "Постоянный": 70, "Дилер": 20},
    'person': {"VIP": 10, "Ключевой": 0, "Постоянный": 90, "Дилер": 0},
    }
KIND_CHANNELS = {
    'company': {'direct': 60, 'representative': 25, 'online': 15},
    'sole_trader': {'direct': 40, 'representative': 20, 'online': 40},
    'person': {'online': 55, 'retail': 45},
    }
# The share of the sales of each salesperson: not everybody sells as much
SALESPERSON_WEIGHTS = [16, 15, 14, 13, 12, 11, 10, 9]


def setup_categories(demo):
    "Create the party categories and the sales channels"
    Category = Model.get('party.category')
    Channel = Model.get('crm.sales.channel')
    categories = [Category(name=n) for n in CATEGORIES]
    Category.save(categories)
    demo.categories = {c.name: c.id for c in categories}

    existing = {c.code: c for c in Channel.find([])}
    missing = [
        Channel(code=code, name=name, kind=kind)
        for code, name, kind in CHANNELS if code not in existing]
    Channel.save(missing)
    existing.update({c.code: c for c in missing})
    demo.channels = {existing[code].kind: existing[code].id
        for code, _, _ in CHANNELS}


def _weighted(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class _UniqueNames:
    "Make party names unique the way people do: by adding the city"

    def __init__(self):
        self.names = set()

    def __call__(self, name, city):
        if name in self.names:
            name = "%s (%s)" % (name, city)
        base, number = name, 2
        while name in self.names:
            name, number = "%s %d" % (base, number), number + 1
        self.names.add(name)
        return name


def _customer(demo, unique, inns, domains):
    "Return the values of a random customer and what the demo remembers"
    rng = demo.random
    kind = _weighted(rng, dict(KINDS))
    city = names.city(rng)
    surname, first_name, patronymic = names.person(rng)
    full_name = " ".join([surname, first_name, patronymic])
    contacts = []
    if kind == 'company':
        form, name = names.company_name(rng)
        name = unique("%s «%s»" % (form, name), city[0])
        domain = names.transliterate(name.split("«")[1].split("»")[0])
        while domain in domains:
            domain += str(rng.randint(1, 9))
        domains.add(domain)
        contacts.append({
                'type': 'phone', 'value': names.landline(rng, city),
                'name': "%s %s, %s" % (
                    first_name, surname, rng.choice(names.COMPANY_POSITIONS)),
                })
        contacts.append({
                'type': 'email',
                'value': "%s@%s.ru" % (
                    rng.choice(['info', 'office', 'zakupki']), domain),
                })
        if rng.random() < 0.5:
            contacts.append({
                    'type': 'website', 'value': "https://%s.ru" % domain})
    else:
        if kind == 'sole_trader':
            name = unique("ИП " + full_name, city[0])
        else:
            name = unique(full_name, city[0])
        contacts.append({'type': 'mobile', 'value': names.mobile(rng)})
        login = "%s.%s" % (
            names.transliterate(first_name), names.transliterate(surname))
        contacts.append({
                'type': 'email',
                'value': "%s%d@%s" % (login, rng.randint(1, 99), rng.choice(
                        ['mail.ru', 'yandex.ru', 'gmail.com', 'bk.ru'])),
                })
    code = names.inn(rng, city[3], individual=kind != 'company')
    while code in inns:
        code = names.inn(rng, city[3], individual=kind != 'company')
    inns.add(code)
    address = names.address(rng, city)
    subdivision = demo.subdivisions[address.pop('subdivision_code')]
    address.update(country=demo.country.id, subdivision=subdivision)

    salesperson = rng.choices(
        demo.salespeople, weights=SALESPERSON_WEIGHTS)[0]
    if kind == 'person':
        term = demo.payment_terms[0]
    else:
        term = rng.choices(demo.payment_terms, weights=[20, 45, 35])[0]
    # Half of the customers bought before the two years of documents
    if rng.random() < 0.5:
        since = demo.random_date(demo.date(-6 * 365), demo.date(-731))
    else:
        since = demo.random_date(demo.date(-730), demo.date(-20))
    category = _weighted(rng, KIND_CATEGORIES[kind])
    channel = 'dealer' if category == "Дилер" else _weighted(
        rng, KIND_CHANNELS[kind])
    values = {
        'name': name,
        'lang': demo.russian.id,
        'addresses': [('create', [address])],
        'contact_mechanisms': [('create', contacts)],
        'identifiers': [('create', [{'type': 'ru_vat', 'code': code}])],
        'categories': [('add', [demo.categories[category]])],
        'account_manager': salesperson.id,
        'sales_channel': demo.channels[channel],
        'customer_since': since,
        }
    customer = {
        'kind': kind,
        'category': category,
        'salesperson': salesperson,
        'payment_term': term,
        'since': since,
        }
    return values, customer


def setup_customers(demo):
    unique, inns, domains = _UniqueNames(), set(), set()
    values, customers = [], []
    for _ in range(demo.count(CUSTOMERS)):
        party_values, customer = _customer(demo, unique, inns, domains)
        values.append(party_values)
        customers.append(customer)
    ids = demo.create('party.party', values)

    addresses, mechanisms = {}, {}
    for address in demo.read('party.address', demo.search(
                'party.address', [('party', 'in', ids)]), ['party']):
        addresses.setdefault(address['party'], address['id'])
    for mechanism in demo.read('party.contact_mechanism', demo.search(
                'party.contact_mechanism', [('party', 'in', ids)]),
            ['party', 'type']):
        mechanisms.setdefault(mechanism['party'], {}).setdefault(
            mechanism['type'], mechanism['id'])
    for id_, customer in zip(ids, customers):
        customer['id'] = id_
        customer['address'] = addresses[id_]
        customer['mechanisms'] = mechanisms[id_]
    demo.customers = customers
