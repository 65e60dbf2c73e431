# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The opportunities, the sales and their shipments over the last two years"
import datetime as dt
import itertools
from decimal import Decimal

from .tools import queued_tasks

OPPORTUNITIES = 500
OPPORTUNITY_STATES = {
    'lead': 12, 'opportunity': 15, 'converted': 13, 'won': 35, 'lost': 15,
    'cancelled': 10,
    }
# The sales made without an opportunity
SALES = 800
SALE_STATES = {
    'draft': 4, 'quotation': 8, 'confirmed': 3, 'processing': 20, 'done': 65,
    }
WON_SALE_STATES = {'confirmed': 5, 'processing': 20, 'done': 75}
# Days of history
HISTORY = 730
# The discount each category of customer gets on direct sales
DISCOUNTS = {"VIP": 10, "Дилер": 15, "Ключевой": 5, "Постоянный": 0}
# The codes of the products often sold with a product
COMPANIONS = {
    'SV-07': ['M-WALL', 'MT-15', 'PU-1'],
    'SV-09': ['M-WALL', 'MT-15', 'PU-1'],
    'SV-12': ['M-WALL', 'MT-15', 'PU-1'],
    'SV-18': ['M-WALL', 'MT-15', 'PU-1'],
    'MS-3': ['M-WALL', 'MT-15', 'PNR'],
    'SVK-24': ['M-DUCT', 'PNR'],
    'SVD-36': ['M-DUCT', 'PNR', 'PROJ'],
    'PVU-500': ['M-PVU', 'PROJ', 'VD-160', 'RV-200', 'F7-PVU'],
    'PVR-800': ['M-PVU', 'PROJ', 'VD-160', 'RV-200', 'F7-PVU'],
    'VK-160': ['VD-160', 'RV-200'],
    'TO': ['REPAIR', 'VISIT'],
    'CLEAN': ['VISIT'],
    'REPAIR': ['VISIT'],
    }
# What the sale of a product category equips, in the genitive
PLACES = [
    "офиса", "склада", "магазина", "ресторана", "серверной", "цеха",
    "гостиницы", "клиники", "школы", "фитнес-центра", "торгового зала",
    ]
HOME_PLACES = ["квартиры", "коттеджа", "дачи", "загородного дома"]
SUBJECTS = {
    "Кондиционеры": "Кондиционирование",
    "Вентиляция": "Вентиляция",
    "Климатическая техника": "Климатическая техника для",
    "Комплектующие": "Комплектующие для",
    "Услуги": "Сервисное обслуживание",
    }
LOST_REASONS = [
    "Выбрали конкурента с более низкой ценой.",
    "Проект отложен на следующий год.",
    "Не устроили сроки поставки.",
    "Клиент выбрал другое техническое решение.",
    "Бюджет проекта сокращён.",
    "Нет ответа от клиента.",
    ]


def allocate(demo, total, weights):
    "Return the states of total records in random order, each at least once"
    states = []
    for state, weight in weights.items():
        states += [state] * demo.count(total * weight / sum(weights.values()))
    demo.random.shuffle(states)
    return states


class Customers:
    "Pick the customers of the documents: some buy much more than others"

    def __init__(self, demo):
        self.demo = demo
        weights = [
            demo.random.paretovariate(1.2)
            * (3 if c['category'] in {"VIP", "Ключевой"} else 1)
            for c in demo.customers]
        self.cumulated = list(itertools.accumulate(weights))

    def pick(self, date=None):
        "Return a customer who was already one on date"
        rng = self.demo.random
        for _ in range(100):
            customer, = rng.choices(
                self.demo.customers, cum_weights=self.cumulated)
            if date is None or customer['since'] <= date:
                return customer
        return min(self.demo.customers, key=lambda c: c['since'])


def _quantity(rng, product, person):
    if product['type'] == 'service':
        return rng.randint(1, 3)
    if product['price'] < 10000:
        return rng.randint(2, 40)
    return rng.randint(1, 2 if person else 12)


def _lines(demo, customer):
    "Return the product, quantity of the lines of a deal with customer"
    rng = demo.random
    products = demo.products
    person = customer['kind'] == 'person'
    goods = [p for p in products.values() if p['type'] == 'goods']
    services = [p for p in products.values() if p['type'] == 'service']
    main = rng.choice(goods if rng.random() < 0.8 else services)
    lines = [(main, _quantity(rng, main, person))]
    for code in COMPANIONS.get(main['code'], []):
        if rng.random() < 0.5:
            product = products[code]
            lines.append((product, _quantity(rng, product, person)))
    return lines


def _description(demo, customer, lines):
    main = lines[0][0]
    places = HOME_PLACES if customer['kind'] == 'person' else PLACES
    return "%s %s" % (SUBJECTS[main['category']], demo.random.choice(places))


def _sale_date(demo, state):
    "Return the sale date of a confirmed sale that ends in state"
    rng = demo.random
    if state == 'confirmed':
        return demo.date(-rng.randint(0, 3))
    if state == 'processing':
        # Most are on their way, the others wait for an overdue payment
        if rng.random() < 0.65:
            return demo.date(-rng.randint(1, 45))
        return demo.date(-rng.randint(46, 400))
    # More sales recently: the business grows
    return demo.date(-5 - int((HISTORY - 5) * rng.random() ** 1.3))


def _fulfilment(demo, state, sale_date, goods):
    "Return how far the shipment and the payment of a sale went"
    rng = demo.random
    if state == 'done':
        return 'done', True
    if state == 'processing':
        if (demo.today - sale_date).days > 45:
            return 'done', False
        if not goods:
            return None, False
        return rng.choice([
                ('waiting', False), ('assigned', False), ('done', False),
                ('waiting', True), ('assigned', True)])
    return None, False


def _sale_plan(demo, state, customer, lines, sale_date=None):
    "Return what the demo remembers of a sale"
    goods = any(p['type'] == 'goods' for p, _ in lines)
    quotation_date = None
    if state == 'quotation':
        quotation_date = demo.date(-demo.random.randint(0, 30))
    elif state != 'draft':
        sale_date = sale_date or _sale_date(demo, state)
        quotation_date = sale_date - dt.timedelta(
            days=demo.random.randint(0, 10))
    shipment, paid = _fulfilment(demo, state, sale_date, goods)
    return {
        'state': state,
        'customer': customer,
        'sale_date': sale_date,
        'quotation_date': quotation_date,
        'goods': goods,
        'shipment': shipment if goods else None,
        'paid': paid,
        }


def create_opportunities(demo):
    "Create the opportunities and convert some into sales"
    rng = demo.random
    customers = Customers(demo)
    plans, values = [], []
    for state in allocate(demo, OPPORTUNITIES, OPPORTUNITY_STATES):
        sale_date, sale_state = None, None
        if state == 'won':
            sale_state, = rng.choices(
                list(WON_SALE_STATES), weights=list(WON_SALE_STATES.values()))
            sale_date = _sale_date(demo, sale_state)
            customer = customers.pick(sale_date)
            start = max(
                sale_date - dt.timedelta(days=rng.randint(7, 60)),
                customer['since'])
            end = sale_date
        elif state == 'converted':
            sale_state = rng.choice(['draft', 'quotation'])
            customer = customers.pick()
            # Before the quotation
            start = demo.date(-rng.randint(30, 120))
            end = demo.date(rng.randint(7, 60))
        elif state in {'lead', 'opportunity'}:
            customer = customers.pick()
            start = demo.date(-rng.randint(0, 90))
            end = demo.date(rng.randint(7, 120))
        else:
            start = demo.date(-rng.randint(15, HISTORY))
            customer = customers.pick(start)
            end = min(
                start + dt.timedelta(days=rng.randint(3, 90)), demo.today)
        lines = _lines(demo, customer)
        description = _description(demo, customer, lines)
        amount = sum(p['price'] * q for p, q in lines)
        if state == 'lead' and rng.random() < 0.5:
            # Too early to know what the customer needs, only the budget
            lines = []
            amount = (amount / 1000).quantize(Decimal(1)) * 1000
        probability = {
            'lead': (10, 30), 'opportunity': (30, 80),
            'converted': (60, 90), 'won': (70, 95), 'lost': (10, 50),
            'cancelled': (10, 30),
            }[state]
        employee = customer['salesperson']
        if rng.random() < 0.2:
            employee = rng.choice(demo.salespeople)
        values.append({
                'party': customer['id'],
                'address': customer['address'],
                'employee': employee.id,
                'payment_term': customer['payment_term'].id,
                'description': description,
                'amount': amount,
                'conversion_probability': rng.randint(*probability) / 100,
                'start_date': start,
                'end_date': end,
                'lost_reason': (lost_reason := (
                        rng.choice(LOST_REASONS) if state == 'lost'
                        else None)),
                'loss_reason': demo.loss_reasons.get(lost_reason),
                'lines': [('create', [{
                                'product': p['id'],
                                'quantity': q,
                                'unit': p['unit'],
                                } for p, q in lines])],
                })
        plans.append({
                'state': state,
                'customer': customer,
                'description': description,
                'start_date': start,
                'end_date': end,
                'lines': lines,
                'sale_date': sale_date,
                'sale_state': sale_state,
                })
    for plan, id_ in zip(plans, demo.create('sale.opportunity', values)):
        plan['id'] = id_
    demo.opportunities = plans

    model = 'sale.opportunity'
    # Some leads are dropped before being qualified
    qualified = [p for p in plans
        if p['state'] != 'lead'
        and (p['state'] not in {'lost', 'cancelled'} or rng.random() < 0.6)]
    demo.click(model, [p['id'] for p in qualified], 'opportunity')
    to_convert = [p for p in plans if p['state'] in {'converted', 'won'}]
    demo.click(model, [p['id'] for p in to_convert], 'convert')
    demo.click(model, [p['id'] for p in plans if p['state'] == 'lost'],
        'lost')
    demo.click(model, [p['id'] for p in plans if p['state'] == 'cancelled'],
        'cancel')

    # The sales of the converted opportunities follow the other sales
    sales = demo.read(model, [p['id'] for p in to_convert], ['sales'])
    dates = {}
    for plan, opportunity in zip(to_convert, sales):
        sale = _sale_plan(demo, plan['sale_state'], plan['customer'],
            plan['lines'], plan['sale_date'])
        sale['id'], = opportunity['sales']
        demo.sales.append(sale)
        dates[sale['id']] = {
            'sale_date': sale['sale_date'],
            'quotation_date': sale['quotation_date'],
            }
    demo.write('sale.sale', dates)


def sale_values(demo, customer, lines, sale_date, quotation_date):
    "The values of a sale of lines to customer at the customer's discount"
    discount = 1 - Decimal(DISCOUNTS[customer['category']]) / 100
    return {
        'party': customer['id'],
        'invoice_address': customer['address'],
        'shipment_address': customer['address'],
        'payment_term': customer['payment_term'].id,
        'description': _description(demo, customer, lines),
        'sale_date': sale_date,
        'quotation_date': quotation_date,
        'invoice_method': 'order',
        'shipment_method': 'order',
        'lines': [('create', [{
                        'type': 'line',
                        'product': p['id'],
                        'quantity': q,
                        'unit': p['unit'],
                        'unit_price': (p['price'] * discount).quantize(
                            Decimal(1)),
                        } for p, q in lines])],
        }


def create_sales(demo):
    "Create the sales made without opportunity"
    rng = demo.random
    customers = Customers(demo)
    plans, values = [], []
    for state in allocate(demo, SALES, SALE_STATES):
        customer = customers.pick()
        lines = _lines(demo, customer)
        plan = _sale_plan(demo, state, customer, lines)
        if plan['sale_date'] and customer['since'] > plan['sale_date']:
            # Bought by a customer of that time instead
            customer = customers.pick(plan['sale_date'])
            plan['customer'] = customer
        sale = sale_values(demo, customer, lines,
            plan['sale_date'], plan['quotation_date'])
        # A colleague sometimes closes the sale of a customer
        if rng.random() < 0.03:
            sale['salesperson'] = rng.choice(demo.salespeople).id
        values.append(sale)
        plans.append(plan)
    for plan, id_ in zip(plans, demo.create('sale.sale', values)):
        plan['id'] = id_
    demo.sales.extend(plans)


def process_sales(demo):
    "Quote and confirm the sales, which creates the invoices and shipments"
    model = 'sale.sale'
    sales = sorted(demo.sales, key=lambda p: (
            p['quotation_date'] or demo.today, p['id']))
    demo.click(model, [p['id'] for p in sales if p['state'] != 'draft'],
        'quote')
    sales.sort(key=lambda p: (p['sale_date'] or demo.today, p['id']))
    with queued_tasks():
        demo.click(
            model, [p['id'] for p in sales if p['state'] == 'confirmed'],
            'confirm')
    demo.click(model, [p['id'] for p in sales
            if p['state'] in {'processing', 'done'}], 'confirm')


def ship_sales(demo):
    "Assign and send the shipments of the sales as planned"
    model = 'stock.shipment.out'
    plans = [p for p in demo.sales if p['shipment'] in {'assigned', 'done'}]
    shipments = demo.read(
        'sale.sale', [p['id'] for p in plans], ['shipments'])
    assign, send, dates = [], [], {}
    for plan, sale in zip(plans, shipments):
        assign.extend(sale['shipments'])
        if plan['shipment'] == 'done':
            send.extend(sale['shipments'])
            delay = dt.timedelta(days=demo.random.randint(1, 7))
            date = min(plan['sale_date'] + delay, demo.today)
            dates.update({s: {'effective_date': date}
                    for s in sale['shipments']})
    demo.write(model, dates)
    demo.click(model, assign, 'assign_try')
    demo.click(model, send, 'pick')
    demo.click(model, send, 'pack')
    demo.click(model, send, 'do')


def close_opportunities(demo):
    "Set the closing dates that Tryton sets to the day of the run"
    demo.write('sale.opportunity', {
            p['id']: {'end_date': p['end_date']}
            for p in demo.opportunities
            if p['state'] in {'won', 'lost', 'cancelled'}})
