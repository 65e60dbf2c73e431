# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The service of the customers who log into the portal (V6): each one has a
running service contract, equipment under warranty and after it, and
requests in every state the portal shows — just sent, in progress with the
engineer's answer, waiting for the customer with a photo they sent,
resolved and waiting for their rating, closed and rated — with the internal
notes the portal hides"""
import base64
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.modules.crm_service.portal_requests import PORTAL_MARK
from trytond.pool import Pool
from trytond.transaction import Transaction

from .service_contracts import (
    DEFAULT_LEVEL, DESCRIPTIONS, SERVICE_CODE, SERVICE_PRICE)
from .service_installed import SERVICEABLE

# The months of service the contract of a portal customer has run
CONTRACT_MONTHS = 5
# The units of a portal customer: days since installed
EQUIPMENT_AGES = [100, 3 * 365]
# A photo of 1 × 1 pixel, the file the customer sent
PHOTO = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/'
    'PchI7wAAAABJRU5ErkJggg==')
REQUESTS = [{
        'subject': "Кондиционер не охлаждает",
        'description': "С утра кондиционер в переговорной дует тёплым "
        "воздухом, ошибок на пульте нет.",
        'category': "Ремонт",
        'channel': 'portal', 'priority': 'high', 'days': 6,
        'state': 'resolved',
        'answers': [
            "Здравствуйте! Инженер приедет завтра с 10:00 до 12:00 и "
            "проверит давление фреона."],
        'note': "Похоже на утечку на вальцовке: взять комплект для "
        "дозаправки.",
        'resolution': "Устранена утечка на вальцовочном соединении, "
        "система дозаправлена фреоном. На выходе внутреннего блока 8 °C.",
        }, {
        'subject': "Сезонное техническое обслуживание",
        'description': "Просим провести ТО кондиционеров перед летом.",
        'category': "Плановое ТО",
        'channel': 'phone', 'priority': 'low', 'days': 45,
        'state': 'closed',
        'answers': [
            "Записали вас на четверг, инженер позвонит за час до выезда."],
        'resolution': "Почищены фильтры и теплообменники, проверены "
        "дренаж и давление в контуре.",
        'rating': 5,
        'feedback': "Всё сделали быстро и аккуратно, спасибо.",
        }, {
        'subject': "Капает вода из внутреннего блока",
        'description': "Из-под внутреннего блока в кабинете капает вода, "
        "подставили ведро.",
        'category': "Ремонт",
        'channel': 'portal', 'priority': 'normal', 'days': 2,
        'state': 'waiting',
        'answers': [
            "Пришлите, пожалуйста, фото блока и дренажной трубки: "
            "возможно, поможем без выезда."],
        'photo': "Фото дренажа.png",
        }, {
        'subject': "Ошибка E5 на пульте",
        'description': "Кондиционер выключился, на пульте мигает E5.",
        'category': "Ремонт",
        'channel': 'email', 'priority': 'normal', 'days': 1,
        'state': 'in_progress',
        'answers': [
            "E5 — нет связи между блоками. Инженер свяжется с вами "
            "сегодня до 18:00."],
        'note': "Проверить межблочный кабель, в прошлом году меняли плату.",
        }, {
        'subject': "Как настроить режим обогрева",
        'description': "Подскажите, до какой уличной температуры можно "
        "обогревать офис кондиционером.",
        'category': "Консультация",
        'channel': 'portal', 'priority': 'low', 'days': 0,
        'state': 'new',
        }]
# The hour of the day (Moscow) each request came in, and its first answer
REPORTED_HOUR = 10
ANSWER_DELAY = dt.timedelta(hours=1)


def create_portal_service(demo):
    """Give each portal customer a contract, equipment and requests in all
    the states of the portal"""
    users = demo.search('web.user', [
            ('email', 'in', [e for e, _ in demo.portal_users]),
            ], order=[('id', 'ASC')])
    with Transaction().start(demo.config.database_name, 0,
            context={'company': demo.company.id}):
        pool = Pool()
        Employee = pool.get('company.employee')
        WebUser = pool.get('web.user')
        engineer = Employee(demo.service_agents[0])
        for user in WebUser.browse(users):
            contract = _contract(demo, user.party)
            equipment = _equipment(demo, user.party, contract)
            _requests(demo, user, equipment, engineer)


def _contract(demo, party):
    "The customer's running service contract, made if they have none"
    pool = Pool()
    Line = pool.get('sale.subscription.line')
    Subscription = pool.get('sale.subscription')
    Service = pool.get('sale.subscription.service')
    contracts = Subscription.search([
            ('party', '=', party.id),
            ('contract_kind', '!=', None),
            ('state', '=', 'running'),
            ], order=[('start_date', 'DESC')], limit=1)
    if contracts:
        return contracts[0]
    customer = {c['id']: c for c in demo.customers}[party.id]
    service, = Service.search([
            ('product.code', '=', SERVICE_CODE),
            ], limit=1)
    # started on tomorrow's day of the month: billed up to today
    start = demo.date(1) - relativedelta(months=CONTRACT_MONTHS)
    end = start + relativedelta(years=1) - dt.timedelta(days=1)
    recurrence = service.consumption_recurrence
    contract, = Subscription.create([{
                'party': party.id,
                'invoice_address': customer['address'],
                'payment_term': customer['payment_term'].id,
                'currency': demo.currency.id,
                'description': DESCRIPTIONS['maintenance'],
                'contract_kind': 'maintenance',
                'service_level': demo.service_levels[DEFAULT_LEVEL],
                'start_date': start,
                'end_date': end,
                'invoice_recurrence': recurrence.id,
                'lines': [('create', [{
                                'service': service.id,
                                'quantity': 2,
                                'unit': service.product.default_uom.id,
                                'unit_price': SERVICE_PRICE,
                                'consumption_recurrence': recurrence.id,
                                'start_date': start,
                                'end_date': end,
                                }])],
                }])
    Subscription.quote([contract])
    Subscription.run([contract])
    # the months before are billed outside the demo: no past to catch up
    Subscription.write([contract], {'next_invoice_date': demo.date(1)})
    Line.write(list(contract.lines), {
            'next_consumption_date': demo.date(1),
            'consumed_until': demo.today,
            })
    return contract


def _equipment(demo, party, contract):
    """The customer's units in service, one under warranty and one after
    added when missing, all covered by the contract"""
    pool = Pool()
    InstalledProduct = pool.get('crm.installed.product')
    installed = InstalledProduct.search([
            ('party', '=', party.id),
            ('state', '=', 'installed'),
            ], order=[('installation_date', 'DESC'), ('id', 'DESC')])
    codes = sorted(c for c in SERVICEABLE if c in demo.products)
    values = []
    for number, days in enumerate(EQUIPMENT_AGES[len(installed):], 1):
        code = demo.random.choice(codes)
        date = demo.date(-days)
        values.append({
                'party': party.id,
                'product': demo.products[code]['id'],
                'serial_number': 'SN-%s-P%05d%d' % (
                    date.year, party.id, number),
                'installation_date': date,
                'warranty_end': date + relativedelta(
                    months=SERVICEABLE[code]) - dt.timedelta(days=1),
                })
    installed += InstalledProduct.create(values)
    InstalledProduct.write(
        [i for i in installed if not i.contract], {'contract': contract.id})
    return installed


def _requests(demo, user, equipment, engineer):
    "The requests of the customer, their conversation and rating"
    pool = Pool()
    Attachment = pool.get('ir.attachment')
    ServiceRequest = pool.get('crm.service.request')
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for number, values in enumerate(REQUESTS):
        # today's request came in an hour ago if the morning is not over
        reported = min(demo.local_datetime(
                demo.date(-values['days']), REPORTED_HOUR + number),
            now - ANSWER_DELAY)
        request, = ServiceRequest.create([{
                    'party': user.party.id,
                    'channel': values['channel'],
                    'priority': values['priority'],
                    'subject': values['subject'],
                    'description': values['description'],
                    'category': demo.service_categories.get(
                        values['category']),
                    'installed_product': equipment[
                        number % len(equipment)].id,
                    'reported_at': reported,
                    'assignee': (
                        engineer.id if values['state'] != 'new' else None),
                    }])
        messages = []
        if values['channel'] == 'portal':
            messages.append((reported, {
                        'author_web_user': user.id,
                        'body': values['description'],
                        }))
        answered = reported + ANSWER_DELAY
        if values.get('note'):
            messages.append((answered, {
                        'author_employee': engineer.id,
                        'body': values['note'],
                        'internal': True,
                        }))
        for answer in values.get('answers', []):
            messages.append((answered, {
                        'author_employee': engineer.id,
                        'body': answer,
                        }))
        _converse(request, messages)
        if values['state'] == 'new':
            continue
        ServiceRequest.assign([request])
        ServiceRequest.start([request])
        stamps = {'first_response_at': answered}
        if values['state'] == 'waiting':
            ServiceRequest.wait([request])
            stamps['waiting_since'] = answered
            Attachment.create([{
                        'name': values['photo'],
                        'resource': str(request),
                        'data': PHOTO,
                        'description': f'{PORTAL_MARK} {user.email}',
                        }])
        if values['state'] in {'resolved', 'closed'}:
            request.resolution = values['resolution']
            request.save()
            ServiceRequest.resolve([request])
            stamps['resolved_at'] = reported + dt.timedelta(days=1)
        if values['state'] == 'closed':
            ServiceRequest.close([request])
            stamps['closed_at'] = reported + dt.timedelta(days=2)
            ServiceRequest.rate(
                [request], values['rating'], values['feedback'])
        # the steps happened when the customer lived them, not now
        ServiceRequest.write([request], stamps)


def _converse(request, messages):
    "Create the (date, values) messages of request, dated"
    pool = Pool()
    Message = pool.get('crm.service.request.message')
    created = Message.create([
            dict(values, request=request.id) for _, values in messages])
    table = Message.__table__()
    cursor = Transaction().connection.cursor()
    for message, (date, _) in zip(created, messages):
        cursor.execute(*table.update(
                [table.create_date], [date],
                where=table.id == message.id))
