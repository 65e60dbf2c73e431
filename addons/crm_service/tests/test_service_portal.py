# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The service pages of the customer portal (V6), driven through the WSGI
application as a browser does: contracts, equipment, requests (new, reply,
files, rating), the knowledge base, and the attacks of one customer on the
other's records (SECURITY_NOTES A1, C1, C2)

Customer A (whose web user also acts for B2) and customer B each have a
contract, equipment, requests, files; every record carries a canary string
of its customer, and the service team's internal notes and files a canary
of their own: none may show where it does not belong."""
import datetime as dt
import re
import sys
from collections import Counter
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from unittest.mock import patch
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from lxml import html

from trytond import sendmail
from trytond.config import config
from trytond.modules.crm_sales.portal.session import CSRF_FIELD, PCHAR
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.tests.test_tryton import DB_NAME, Client, TestCase, drop_db
from trytond.transaction import Transaction
from trytond.wsgi import app

from ..portal_requests import MAX_FILE_SIZE, PORTAL_MARK

BASE = '/%s/portal' % quote(DB_NAME, safe=PCHAR)
ENVIRON = {'REMOTE_ADDR': '127.0.0.1'}
TIMEZONE = 'Europe/Moscow'

CANARY_A = 'canary-alfa-3e1b0d'
CANARY_B = 'canary-bravo-c94d71'
CANARY_B2 = 'canary-second-07af5c'
# in the notes, files and articles of the service team only
INTERNAL = 'canary-internal-58e2aa'
PASSWORD_A = 'Alfa-Service-2026!'
PASSWORD_B = 'Bravo-Service-2026!'
HUGE = [0, 2 ** 31 - 1, 2 ** 31, 2 ** 63, 10 ** 20]

# The tables a refused request must leave as they were
TABLES = [
    'crm_service_request', 'crm_service_request_message', 'ir_attachment',
    'crm_kb_article', 'sale_subscription', 'crm_installed_product',
    'crm_activity',
    ]

REQUESTS = Counter()
MAIN = re.compile(rb'<main>(.*)</main>', re.DOTALL)
TOKEN = re.compile(r'name="%s" value="([^"]*)"' % CSRF_FIELD)
PDF = b'%PDF-1.4\n% a report\n'


def main_of(response):
    found = MAIN.search(response.get_data())
    return found.group(1) if found else None


def local(value):
    "The naive UTC datetime value as the portal writes it, in Moscow time"
    return value.replace(tzinfo=dt.timezone.utc).astimezone(
        ZoneInfo(TIMEZONE)).strftime('%b %-d, %Y %H:%M')


class Customer:
    """A browser on the portal: cookies kept, each request counted and
    checked for the canaries it must never receive"""

    def __init__(self, case, kind, forbidden=()):
        self.case = case
        self.kind = kind
        self.forbidden = [c.encode() for c in forbidden]
        self.client = Client(app, Response)
        self.response = None

    def open(self, method, path, data=None, **kwargs):
        REQUESTS[self.kind] += 1
        url = path if path.startswith('/') else f'{BASE}/{path}'
        response = self.client.open(
            url, method=method, data=data, environ_base=ENVIRON,
            headers={'Accept-Language': 'en'}, **kwargs)
        body = response.get_data()
        for canary in self.forbidden:
            self.case.assertNotIn(canary, body, url)
            self.case.assertNotIn(
                canary.decode(), response.headers.get('Location', ''))
        self.response = response
        return response

    def get(self, path, **kwargs):
        return self.open('GET', path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.open('POST', path, data=data, **kwargs)

    def log_in(self, email, password):
        page = self.get('login')
        response = self.post('login', {
                'email': email, 'password': password,
                CSRF_FIELD: TOKEN.search(page.get_data(as_text=True)).group(1),
                })
        self.case.assertEqual(response.status_code, 303)

    def token(self):
        response = self.get('requests')
        self.case.assertEqual(response.status_code, 200)
        return TOKEN.search(response.get_data(as_text=True)).group(1)

    def send(self, path, data=None, **kwargs):
        "Post the form at path with the session's token"
        return self.post(path, dict(data or {}, csrf_token=self.token()),
            **kwargs)

    def page(self, path=None):
        "The HTML tree of the page at path, else of the last answer"
        if path:
            self.case.assertEqual(self.get(path).status_code, 200, path)
        return html.fromstring(self.response.get_data())

    def errors(self):
        "The errors shown by the last page"
        if self.response.status_code >= 300:
            return self.texts('//p[@class="error"]')

    def texts(self, xpath, path=None):
        return [re.sub(r'\s+', ' ', e.text_content()).strip()
            for e in self.page(path).xpath(xpath)]


class ServicePortalTestCase(TestCase):
    "A customer's service on the portal, and another customer's attacks"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        # no mail leaves the test: every recipient accepted
        patcher = patch.object(sendmail, 'get_smtp_server')
        smtp = patcher.start()
        smtp.return_value.send_message.return_value = {}
        cls.addClassCleanup(patcher.stop)
        cls.create_fixture()

    @classmethod
    def tearDownClass(cls):
        for kind, count in sorted(REQUESTS.items()):
            print(f"service portal: {kind}: {count} requests",
                file=sys.stderr)
        super().tearDownClass()
        drop_db()

    @classmethod
    def create_fixture(cls):
        from proteus import Model

        from trytond.modules.company.tests.tools import (
            create_company, get_company)
        from trytond.modules.crm_sales.tests.tools import create_employee
        from trytond.modules.currency.tests.tools import get_currency
        from trytond.tests.tools import activate_modules

        activate_modules('crm_service')
        rouble = get_currency('RUB')
        rouble.symbol = '₽'
        rouble.save()
        create_company(currency=rouble)
        company = get_company()
        company.timezone = TIMEZONE
        company.save()
        today = dt.date.today()

        Article = Model.get('crm.kb.article')
        Attachment = Model.get('ir.attachment')
        Category = Model.get('crm.service.category')
        Configuration = Model.get('crm.service.configuration')
        Installed = Model.get('crm.installed.product')
        Level = Model.get('crm.service.level')
        Message = Model.get('crm.service.request.message')
        Party = Model.get('party.party')
        RecurrenceRuleSet = Model.get(
            'sale.subscription.recurrence.rule.set')
        Request = Model.get('crm.service.request')
        Service = Model.get('sale.subscription.service')
        Subscription = Model.get('sale.subscription')
        Template = Model.get('product.template')
        Uom = Model.get('product.uom')
        WebUser = Model.get('web.user')

        agent = create_employee("Ольга Сервисная")

        # round the clock: a normal request is answered 4 hours after it
        # is sent, solved in 24
        level = Level(name="Стандарт", timezone='UTC')
        level.working_days = ['0', '1', '2', '3', '4', '5', '6']
        level.day_start = level.day_end = dt.time(0)
        for priority, response, resolution in [
                ('low', 8, 48), ('normal', 4, 24), ('high', 2, 8),
                ('urgent', 1, 4)]:
            line = level.lines.new(priority=priority)
            line.response_hours = response
            line.resolution_hours = resolution
        level.save()
        configuration = Configuration(1)
        configuration.default_service_level = level
        configuration.save()

        repair = Category(name="Ремонт")
        repair.save()
        Category(name="Монтаж").save()

        unit, = Uom.find([('name', '=', 'Unit')])
        template = Template(name="Техническое обслуживание",
            default_uom=unit, type='service', list_price=Decimal('15000'))
        template.save()
        maintenance, = template.products
        template = Template(name="Кондиционер", default_uom=unit,
            type='goods', list_price=Decimal('45000'))
        template.save()
        conditioner, = template.products
        monthly = RecurrenceRuleSet(name="Ежемесячно")
        rule, = monthly.rules
        rule.freq = 'monthly'
        rule.interval = 1
        monthly.save()
        service = Service(product=maintenance, consumption_recurrence=monthly)
        service.save()

        parties = {}
        for name, canary, email in [
                ('a', CANARY_A, 'alfa@example.com'),
                ('b', CANARY_B, 'bravo@example.com'),
                ('b2', CANARY_B2, 'second@example.com')]:
            party = Party(name=f"Customer {canary}")
            party.contact_mechanisms.new(type='email', value=email)
            party.save()
            parties[name] = party

        def contract(party, canary, run=True):
            contract = Subscription(party=party)
            contract.start_date = today - dt.timedelta(days=100)
            contract.end_date = today + dt.timedelta(days=265)
            contract.invoice_recurrence = monthly
            contract.contract_kind = 'maintenance'
            contract.service_level = level
            line = contract.lines.new(service=service, quantity=1)
            line.unit_price = Decimal('15000')
            line.description = f"line {canary}"
            contract.save()
            if run:
                contract.click('quote')
                contract.click('run')
            return contract

        contracts = {n: contract(parties[n], c) for n, c in [
                ('a', CANARY_A), ('b', CANARY_B), ('b2', CANARY_B2)]}
        # a draft the customer does not see
        contract(parties['a'], CANARY_A, run=False)

        installed = {}
        for name, canary in [
                ('a', CANARY_A), ('b', CANARY_B), ('b2', CANARY_B2)]:
            unit_ = Installed(party=parties[name], product=conditioner)
            unit_.serial_number = f'SN-{canary}'
            unit_.installation_date = today - dt.timedelta(days=90)
            unit_.warranty_end = today + dt.timedelta(days=275)
            unit_.contract = contracts[name]
            unit_.save()
            installed[name] = unit_
        # a unit taken away: not the customer's equipment any more
        removed = Installed(party=parties['a'], product=conditioner)
        removed.serial_number = f'SN-removed-{CANARY_A}'
        removed.installation_date = today - dt.timedelta(days=900)
        removed.warranty_end = today - dt.timedelta(days=170)
        removed.save()
        removed.click('remove')

        def request(name, subject, state, party=None):
            request = Request(party=party or parties[name])
            request.subject = subject
            request.description = f"{subject}: description"
            request.channel = 'phone'
            request.category = repair
            request.installed_product = installed[name]
            request.assignee = agent
            request.save()
            if state == 'new':
                return request
            request.click('assign')
            request.click('start')
            Message(request=request, author_employee=agent,
                body=f"Internal note {INTERNAL}", internal=True).save()
            Message(request=request, author_employee=agent,
                body="Please tell us the model on the label",
                internal=False).save()
            if state == 'waiting':
                request.click('wait')
            elif state == 'resolved':
                request.resolution = "Filter cleaned"
                request.click('resolve')
            # the service team's own file
            Attachment(name=f'estimate-{INTERNAL}.pdf', resource=request,
                data=PDF + INTERNAL.encode()).save()
            return request

        request('a', f"Noise {CANARY_A}", 'resolved')
        request('a', f"Leak {CANARY_A}", 'waiting')
        request('b2', f"Smell {CANARY_B2}", 'new')
        bravo = request('b', f"Noise {CANARY_B}", 'resolved')
        request('b', f"Leak {CANARY_B}", 'waiting')
        # a file B sent
        Attachment(name=f'photo-{CANARY_B}.pdf', resource=bravo,
            description=f'{PORTAL_MARK} bravo@example.com',
            data=PDF + CANARY_B.encode()).save()

        def article(title, body, keywords, portal=True, state='published'):
            article = Article(title=title, body=body, keywords=keywords)
            article.category = repair
            article.save()
            if state in {'published', 'archived'}:
                article.click('publish')
                if portal:
                    article.portal_published = True
                    article.save()
            if state == 'archived':
                article.click('archive')
            return article

        article("Кондиционер не охлаждает",
            "Проверьте фильтр.\nОчистите его тёплой водой.",
            "кондиционер, холод, фильтр")
        article(f"Цены на запчасти {INTERNAL}", "Для сервиса",
            "кондиционер, цены", portal=False)
        article(f"Черновик {INTERNAL}", "Кондиционер", "кондиционер",
            state='draft')
        article(f"Старая статья {INTERNAL}", "Кондиционер", "кондиционер",
            state='archived')

        for email, password, name, secondary in [
                ('alfa@example.com', PASSWORD_A, 'a', ['b2']),
                ('bravo@example.com', PASSWORD_B, 'b', []),
                ]:
            user = WebUser(email=email, party=parties[name])
            user.password = password
            for other in secondary:
                user.secondary_parties.append(Party(parties[other].id))
            user.save()

    # Helpers

    def setUp(self):
        super().setUp()
        self.load_ids()

    def load_ids(self):
        "The ids of the records and whose they are"
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            Article = pool.get('crm.kb.article')
            Attachment = pool.get('ir.attachment')
            Installed = pool.get('crm.installed.product')
            Party = pool.get('party.party')
            Request = pool.get('crm.service.request')
            Subscription = pool.get('sale.subscription')
            self.party = {}
            for name, canary in [
                    ('a', CANARY_A), ('b', CANARY_B), ('b2', CANARY_B2)]:
                party, = Party.search([('name', '=', f"Customer {canary}")])
                self.party[name] = party.id
            self.contracts = {c.id: (c.party.id, c.state, c.number)
                for c in Subscription.search([])}
            self.installed = {i.id: (i.party.id, i.state)
                for i in Installed.search([])}
            self.requests = {r.id: (r.party.id, r.state, r.number)
                for r in Request.search([])}
            self.attachments = {a.id: (
                    int(a.resource.id)
                    if a.resource.__name__ == 'crm.service.request'
                    else None,
                    (a.description or '').startswith(PORTAL_MARK))
                for a in Attachment.search([])}
            self.articles = {a.id: a.state == 'published'
                and a.portal_published for a in Article.search([])}

    def customer(self, who, kind='functional'):
        "A browser logged in as who ('a' or 'b')"
        forbidden = {
            'a': [CANARY_B, INTERNAL],
            'b': [CANARY_A, CANARY_B2, INTERNAL],
            }[who]
        customer = Customer(self, kind, forbidden)
        if who == 'a':
            customer.log_in('alfa@example.com', PASSWORD_A)
        else:
            customer.log_in('bravo@example.com', PASSWORD_B)
        return customer

    def mine(self, who):
        "The parties whose records who sees"
        return {
            'a': {self.party['a'], self.party['b2']},
            'b': {self.party['b']},
            'b2': {self.party['b2']},
            }[who]

    def own(self, records, who, *states):
        "The lowest id of the records of who, in one of states if given"
        return min(i for i, (p, s, *_) in records.items()
            if p in self.mine(who) and (not states or s in states))

    def snapshot(self):
        "The count, ids and dates of the rows of each table of TABLES"
        with Transaction().start(DB_NAME, 0, readonly=True) as transaction:
            cursor = transaction.connection.cursor()
            result = {}
            for table in TABLES:
                cursor.execute(
                    'SELECT COUNT(*), SUM(id), MAX(create_date), '
                    f'MAX(write_date) FROM "{table}"')
                result[table] = tuple(cursor.fetchone())
            cursor.execute('SELECT SUM(view_count), SUM(helpful_count), '
                'SUM(unhelpful_count) FROM "crm_kb_article"')
            result['votes'] = tuple(cursor.fetchone())
            return result

    def stored(self, model, id_, values):
        "The values (a function of the record) of the record as stored now"
        with Transaction().start(DB_NAME, 0, readonly=True):
            return values(Pool().get(model)(id_))

    def assertNotFound(self, response, reference):
        self.assertEqual(response.status_code, 404, response.request.path)
        self.assertEqual(main_of(response), reference, response.request.path)

    # 1. Contracts and equipment

    def test_1_contracts(self):
        "The customer's contracts with their lines and equipment"
        alfa = self.customer('a')
        self.assertEqual(alfa.texts('//nav[@class="menu"]/a', 'contracts'), [
                "Overview", "Orders", "Invoices", "My contracts",
                "My equipment", "My requests", "Knowledge base", "Profile"])
        rows = alfa.texts('//table[contains(@class, "contracts")]/tbody/tr')
        running = sorted(n for p, s, n in self.contracts.values()
            if p in self.mine('a') and s == 'running')
        # the draft is not shown
        self.assertEqual(len(rows), 2)
        for row, number in zip(sorted(rows), running):
            self.assertTrue(row.startswith(number), row)
            self.assertIn("Maintenance", row)
            self.assertIn("Стандарт", row)
            self.assertIn("Active", row)
        start = dt.date.today() - dt.timedelta(days=100)
        self.assertIn(start.strftime('%b %-d, %Y'), rows[0])

        contract_id = self.own(self.contracts, 'a', 'running')
        page = alfa.page(f'contracts/{contract_id}')
        self.assertIn(f"line {CANARY_A}", page.text_content())
        self.assertEqual(alfa.texts('//ul[contains(@class, "equipment")]/li'),
            [f"Кондиционер S/N SN-{CANARY_A} Under warranty"])
        self.assertEqual(alfa.texts('//table[@class="lines"]//td[3]'),
            ["₽15,000.00"])

        reference = main_of(alfa.get('contracts/%d' % 10 ** 6))
        draft = self.own(self.contracts, 'a', 'draft')
        foreign = self.own(self.contracts, 'b')
        for id_ in [draft, foreign]:
            self.assertNotFound(alfa.get(f'contracts/{id_}'), reference)

    def test_2_equipment(self):
        "The equipment in service, its warranty and contract"
        alfa = self.customer('a')
        rows = alfa.texts(
            '//table[contains(@class, "equipment")]/tbody/tr', 'equipment')
        self.assertEqual(len(rows), 2)
        self.assertTrue(all("Under warranty" in r for r in rows))
        self.assertEqual(
            {re.search(r'SN-\S+', r).group() for r in rows},
            {f'SN-{CANARY_A}', f'SN-{CANARY_B2}'})
        self.assertNotIn(b'SN-removed', alfa.response.get_data())
        links = alfa.page().xpath('//a[starts-with(@href, "%s/requests/new'
            '?installed=")]/@href' % BASE)
        self.assertEqual(len(links), 2)

    # 2. Requests

    def test_3_new_request(self):
        "A request sent on the portal, and the refused ones"
        alfa = self.customer('a')
        installed = self.own(self.installed, 'a', 'installed')
        form = alfa.page(f'requests/new?installed={installed}')
        self.assertEqual(
            form.xpath('//select[@name="installed"]/option[@selected]/@value'),
            [str(installed)])
        self.assertEqual(
            form.xpath('//select[@name="priority"]/option/@value'),
            ['low', 'normal', 'high'])
        self.assertEqual(len(
                form.xpath('//select[@name="installed"]/option')), 3)

        before = self.snapshot()
        foreign = self.own(self.installed, 'b')
        removed = self.own(self.installed, 'a', 'removed')
        reference = main_of(alfa.get('contracts/%d' % 10 ** 6))
        values = {
            'subject': "Не включается", 'description': "Кондиционер молчит",
            'priority': 'high', 'installed': str(installed),
            }
        for changes, status in [
                ({'priority': 'urgent'}, 400),
                ({'priority': 'critical'}, 400),
                ({'subject': ' '}, 400),
                ({'description': ''}, 400),
                ({'subject': 'x' * 201}, 400),
                ({'category': '999999'}, 400),
                ({'installed': str(foreign)}, 404),
                ({'installed': str(removed)}, 404),
                ({'installed': 'abc'}, 404),
                ]:
            response = alfa.send('requests/new', dict(values, **changes))
            self.assertEqual(response.status_code, status, changes)
            if status == 404:
                self.assertNotFound(response, reference)
            else:
                # the form is shown again with what was typed
                self.assertTrue(alfa.errors(), changes)
                self.assertEqual(
                    alfa.page().xpath('//input[@name="subject"]/@value'),
                    [changes.get('subject', values['subject'])])
        self.assertEqual(self.snapshot(), before)

        response = alfa.send('requests/new', values)
        self.assertEqual(response.status_code, 303)
        location = urlsplit(response.headers['Location'])
        request_id = int(location.path.rsplit('/', 1)[1])
        self.assertEqual(self.stored('crm.service.request', request_id,
                lambda r: (r.party.id, r.channel, r.priority, r.state,
                    r.installed_product.id, r.contract.contract_kind,
                    r.contact.value)),
            (self.party['a'], 'portal', 'high', 'new', installed,
                'maintenance', 'alfa@example.com'))
        self.assertEqual(self.stored('crm.service.request', request_id,
                lambda r: [(m.author_web_user.email, m.body, m.internal)
                    for m in r.messages]),
            [('alfa@example.com', "Кондиционер молчит", False)])
        number, reported, due = self.stored(
            'crm.service.request', request_id,
            lambda r: (r.number, r.reported_at, r.response_due))
        # answered in 2 hours round the clock: shown in Moscow time
        self.assertEqual(due - reported, dt.timedelta(hours=2))

        row, = [r for r in alfa.texts(
                    '//table[contains(@class, "requests")]/tbody/tr',
                    'requests')
            if r.startswith(number)]
        self.assertIn("Не включается", row)
        self.assertIn("Received", row)
        self.assertIn(f"We answer by {local(due)}", row)
        alfa.get(f'requests/{request_id}?notice=created')
        self.assertEqual(alfa.texts('//p[@class="notice"]'), [
                "Your request is sent. "
                "We will keep you informed here and by e-mail."])

        # the equipment of the party the user acts for: its request
        second = self.own(self.installed, 'b2', 'installed')
        response = alfa.send('requests/new', dict(values,
                installed=str(second), priority='low'))
        self.assertEqual(response.status_code, 303)
        request_id = int(urlsplit(
                response.headers['Location']).path.rsplit('/', 1)[1])
        self.assertEqual(self.stored('crm.service.request', request_id,
                lambda r: r.party.id), self.party['b2'])

    def test_4_conversation(self):
        "The answers without the internal notes; a reply resumes the request"
        alfa = self.customer('a')
        waiting = self.own(self.requests, 'a', 'waiting')
        alfa.get(f'requests/{waiting}')
        # registered by phone: its description, then the answers
        self.assertEqual(alfa.texts('//blockquote[@class="description"]'),
            [f"Leak {CANARY_A}: description"])
        self.assertEqual(
            alfa.texts('//ul[contains(@class, "messages")]/li/div'),
            ["Please tell us the model on the label"])
        self.assertIn("Waiting for your answer", alfa.texts('//h1')[0])

        before = self.snapshot()
        for body in ['', '   ', 'x' * 10_001]:
            response = alfa.send(f'requests/{waiting}/reply', {'body': body})
            self.assertEqual(response.status_code, 400)
        self.assertEqual(self.snapshot(), before)

        response = alfa.send(
            f'requests/{waiting}/reply', {'body': "Модель KX-200"})
        self.assertEqual(response.status_code, 303, alfa.errors())
        self.assertEqual(self.stored('crm.service.request', waiting,
                lambda r: (r.state, r.messages[-1].body,
                    r.messages[-1].author_web_user.email,
                    r.messages[-1].internal)),
            ('in_progress', "Модель KX-200", 'alfa@example.com', False))
        alfa.get(f'requests/{waiting}')
        authors = alfa.texts('//ul[contains(@class, "messages")]/li/strong')
        self.assertEqual(authors[-1], "You")
        self.assertIn("Ольга Сервисная", authors)

    def test_5_files(self):
        "Files sent, listed and downloaded by their owner only"
        alfa = self.customer('a')
        request_id = self.own(self.requests, 'a', 'in_progress', 'waiting')

        def attach(name, data):
            return alfa.send(f'requests/{request_id}/attachments', {
                    'file': (BytesIO(data), name),
                    })

        before = self.snapshot()
        files = self.filestore()
        for name, data, status in [
                ('big.pdf', PDF + b'0' * MAX_FILE_SIZE, 413),
                ('page.html', b'<script>alert(1)</script>', 400),
                ('image.svg', b'<svg onload="alert(1)"/>', 400),
                ('fake.pdf', b'<html><script>alert(1)</script>', 400),
                ('fake.png', PDF, 400),
                ('binary.txt', b'\x00\x01\x02', 400),
                ('latin.txt', 'café'.encode('latin-1'), 400),
                ('empty.pdf', b'', 400),
                ('noextension', PDF, 400),
                ]:
            response = attach(name, data)
            self.assertEqual(response.status_code, status, name)
            self.assertIn('no-store', response.headers['Cache-Control'])
        # far beyond: refused before it is read
        response = alfa.send(f'requests/{request_id}/attachments', {
                'file': (BytesIO(b'0' * (3 * MAX_FILE_SIZE)), 'huge.pdf')})
        self.assertEqual(response.status_code, 413)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.filestore(), files)

        uploads = [
            ('../../etc/Отчёт\u202e.pdf', PDF, 'Отчёт.pdf'),
            ('photo\x07.JPG', b'\xff\xd8\xff\xe0 jpeg', 'photo.JPG'),
            ('notes<1>.txt', 'Шум при запуске'.encode(), 'notes_1_.txt'),
            ('a' * 300 + '.pdf', PDF, 'a' * 96 + '.pdf'),
            ]
        for name, data, _ in uploads:
            response = attach(name, data)
            self.assertEqual(response.status_code, 303, alfa.errors())
        alfa.get(f'requests/{request_id}')
        links = alfa.page().xpath(
            '//ul[contains(@class, "attachments")]/li/a')
        # without folders, control or reserved characters, 100 at most
        self.assertEqual(
            [a.text for a in links], [stored for _, _, stored in uploads])

        response = alfa.get(links[2].get('href'))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.get_data(), 'Шум при запуске'.encode())
        self.assertEqual(
            response.headers['Content-Type'], 'text/plain; charset=utf-8')
        self.assertEqual(response.headers['Content-Disposition'],
            "attachment; filename*=UTF-8''notes_1_.txt")
        self.assertEqual(response.headers['X-Content-Type-Options'],
            'nosniff')
        self.assertIn('sandbox', response.headers['Content-Security-Policy'])
        response = alfa.get(links[0].get('href'))
        self.assertEqual(unquote(response.headers['Content-Disposition']),
            "attachment; filename*=UTF-8''Отчёт.pdf")

        # another customer's session, with its own request or A's
        self.load_ids()
        bravo = self.customer('b')
        reference = main_of(bravo.get('contracts/%d' % 10 ** 6))
        own_b = self.own(self.requests, 'b')
        for attachment_id, (resource, _) in self.attachments.items():
            if resource in self.requests and self.requests[resource][0] in (
                    self.mine('a')):
                for request in [resource, own_b]:
                    self.assertNotFound(bravo.get(
                            f'requests/{request}/attachments/'
                            f'{attachment_id}'), reference)

    def filestore(self):
        "The files of the database's file store"
        path = Path(config.get('database', 'path'), DB_NAME)
        return sorted(p for p in path.rglob('*') if p.is_file())

    def test_6_rating(self):
        "A resolved request rated once from 1 to 5"
        alfa = self.customer('a')
        resolved = self.own(self.requests, 'a', 'resolved')
        waiting = self.own(self.requests, 'a', 'in_progress', 'waiting')
        alfa.get(f'requests/{resolved}')
        self.assertEqual(alfa.texts('//blockquote[@class="resolution"]'),
            ["Filter cleaned"])

        before = self.snapshot()
        for request, rating in [
                (resolved, '0'), (resolved, '6'), (resolved, ''),
                (resolved, '4.5'), (resolved, 'five'), (waiting, '5')]:
            response = alfa.send(
                f'requests/{request}/rate', {'rating': rating})
            self.assertEqual(response.status_code, 400, (request, rating))
        self.assertEqual(self.snapshot(), before)

        response = alfa.send(f'requests/{resolved}/rate', {
                'rating': '5', 'feedback': "Быстро и аккуратно"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.stored('crm.service.request', resolved,
                lambda r: (r.rating, r.feedback, r.state)),
            (5, "Быстро и аккуратно", 'resolved'))
        alfa.get(f'requests/{resolved}')
        self.assertEqual(alfa.texts('//section[@class="rating"]/p'),
            ["★★★★★ 5 out of 5"])
        self.assertFalse(alfa.page().xpath('//form[contains(@class, "rate")]'))
        # rated already
        response = alfa.send(f'requests/{resolved}/rate', {'rating': '1'})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.stored('crm.service.request', resolved,
                lambda r: r.rating), 5)

    # 3. Knowledge base

    def test_7_knowledge_base(self):
        "Search, read and vote for the articles published on the portal"
        alfa = self.customer('a')
        self.assertEqual(alfa.texts(
                '//ul[contains(@class, "articles")]/li/a', 'kb?q=фильтр'),
            ["Кондиционер не охлаждает"])
        self.assertEqual(alfa.texts(
                '//ul[contains(@class, "articles")]/li/a', 'kb?q=кондиционер'),
            ["Кондиционер не охлаждает"])
        self.assertEqual(alfa.texts(
                '//ul[contains(@class, "articles")]/li/a', 'kb'),
            ["Кондиционер не охлаждает"])
        self.assertEqual(alfa.texts(
                '//ul[contains(@class, "articles")]/li', 'kb?q=трактор'),
            ["No article found. New request"])

        article_id, = [i for i, shown in self.articles.items() if shown]
        for _ in range(2):
            alfa.get(f'kb/{article_id}')
        self.assertEqual(alfa.texts('//article//h1'),
            ["Кондиционер не охлаждает"])
        self.assertEqual(self.stored('crm.kb.article', article_id,
                lambda a: a.view_count), 2)

        response = alfa.send(f'kb/{article_id}/vote', {'helpful': 'yes'})
        self.assertEqual(response.status_code, 303)
        alfa.get(response.headers['Location'])
        self.assertEqual(alfa.texts('//p[@class="notice"]'),
            ["Thank you for your answer."])
        # the same browser votes once; another one too
        alfa.send(f'kb/{article_id}/vote', {'helpful': 'no'})
        bravo = self.customer('b')
        bravo.send(f'kb/{article_id}/vote', {'helpful': 'no'})
        # the page after the vote is no other view
        self.assertEqual(self.stored('crm.kb.article', article_id,
                lambda a: (a.view_count, a.helpful_count, a.unhelpful_count)),
            (2, 1, 1))

    # 4. Attacks

    def sweep(self, who, customer):
        """Ask with the session of who every page and form taking an id for
        the ids of the tables, 20 beyond and huge ones; return the number
        of denials"""
        mine = self.mine(who)
        reference = main_of(customer.get('contracts/%d' % 10 ** 6))
        self.assertIn(b'<h1>', reference)
        token = customer.token()
        denied = 0

        def ids(records):
            return list(range(1, max(records) + 21)) + HUGE

        def refused(response):
            nonlocal denied
            self.assertNotFound(response, reference)
            denied += 1

        for id_ in ids(self.contracts):
            party, state, _ = self.contracts.get(id_, (None, None, None))
            response = customer.get(f'contracts/{id_}')
            if party in mine and state != 'draft':
                self.assertEqual(response.status_code, 200)
            else:
                refused(response)
        for id_ in ids(self.installed):
            party, state = self.installed.get(id_, (None, None))
            if party in mine and state == 'installed':
                continue
            refused(customer.get(f'requests/new?installed={id_}'))
            refused(customer.post('requests/new', {
                        'subject': "Hijack", 'description': "Hijack",
                        'installed': str(id_), CSRF_FIELD: token}))
        for id_ in ids(self.requests):
            party = self.requests.get(id_, (None,))[0]
            response = customer.get(f'requests/{id_}')
            if party in mine:
                self.assertEqual(response.status_code, 200)
                continue
            refused(response)
            refused(customer.post(f'requests/{id_}/reply', {
                        'body': "Hijack", CSRF_FIELD: token}))
            refused(customer.post(f'requests/{id_}/rate', {
                        'rating': '1', CSRF_FIELD: token}))
            refused(customer.post(f'requests/{id_}/attachments', {
                        'file': (BytesIO(PDF), 'hijack.pdf'),
                        CSRF_FIELD: token}))
        own = [i for i, (p, *_) in self.requests.items() if p in mine]
        for request_id in own + [max(self.requests) + 1]:
            for id_ in ids(self.attachments):
                resource, shared = self.attachments.get(id_, (None, False))
                response = customer.get(
                    f'requests/{request_id}/attachments/{id_}')
                if resource == request_id and shared:
                    self.assertEqual(response.status_code, 200)
                else:
                    refused(response)
        for id_ in ids(self.articles):
            response = customer.get(f'kb/{id_}?voted=1')
            if self.articles.get(id_):
                self.assertEqual(response.status_code, 200)
                continue
            refused(response)
            refused(customer.post(f'kb/{id_}/vote', {
                        'helpful': 'yes', CSRF_FIELD: token}))
        # the lists show the customer's own records only
        for path in ['contracts', 'equipment', 'requests', 'requests/new']:
            response = customer.get(path)
            self.assertEqual(response.status_code, 200)
        return denied

    def test_8_idor(self):
        "Another customer's ids and missing ones answer the same 404"
        alfa = self.customer('a', 'IDOR')
        bravo = self.customer('b', 'IDOR')
        before = self.snapshot()
        denied = self.sweep('a', alfa) + self.sweep('b', bravo)
        self.assertEqual(self.snapshot(), before)
        self.assertGreater(denied, 500)
        print(f"service portal: IDOR: {denied} denials", file=sys.stderr)

    def test_9_csrf_login(self):
        "Forms need the session's token, every page a login"
        alfa = self.customer('a', 'CSRF')
        good = alfa.token()
        bravo_token = self.customer('b', 'CSRF').token()
        request = self.own(self.requests, 'a', 'in_progress', 'waiting')
        resolved = self.own(self.requests, 'b', 'resolved')
        article_id, = [i for i, shown in self.articles.items() if shown]
        forms = [
            ('requests/new', {'subject': "Forged", 'description': "Forged"}),
            (f'requests/{request}/reply', {'body': "Forged"}),
            (f'requests/{request}/attachments', {
                    'file': (BytesIO(PDF), 'forged.pdf')}),
            (f'requests/{resolved}/rate', {'rating': '1'}),
            (f'kb/{article_id}/vote', {'helpful': 'no'}),
            ]
        before = self.snapshot()
        for path, data in forms:
            for token in [None, '', '0' * len(good), bravo_token, good + ' ']:
                form = dict(data)
                if 'file' in form:
                    form['file'] = (BytesIO(PDF), 'forged.pdf')
                if token is not None:
                    form[CSRF_FIELD] = token
                response = alfa.post(path, form)
                self.assertEqual(response.status_code, 403, (path, token))
            # a state change is never a GET
            if path != 'requests/new':
                self.assertEqual(alfa.get(path).status_code, 405, path)
        self.assertEqual(self.snapshot(), before)

        anonymous = Customer(self, 'login', [CANARY_A, CANARY_B, INTERNAL])
        attachment = min(self.attachments)
        for path in ['contracts', f'contracts/{min(self.contracts)}',
                'equipment', 'requests', 'requests/new', f'requests/{request}',
                f'requests/{request}/attachments/{attachment}', 'kb',
                'kb?q=кондиционер', f'kb/{article_id}']:
            response = anonymous.get(path)
            self.assertEqual(response.status_code, 303, path)
            self.assertEqual(urlsplit(response.headers['Location']).path,
                f'{BASE}/login')
        for path, data in forms:
            response = anonymous.post(path, data)
            self.assertEqual(response.status_code, 303, path)
        self.assertEqual(self.snapshot(), before)

        # the headers of the portal on every page
        for path in ['contracts', 'equipment', 'requests', 'requests/new',
                f'requests/{request}', 'kb', f'kb/{article_id}?voted=1',
                'contracts/999999']:
            headers = alfa.get(path).headers
            self.assertEqual(headers['X-Frame-Options'], 'DENY', path)
            self.assertIn(
                "frame-ancestors 'none'", headers['Content-Security-Policy'])
            self.assertEqual(headers['Cache-Control'], 'no-store', path)
