# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The security suite of the customer portal and of the payment
notifications (issue 4; SECURITY_NOTES A1, A2, B1, B2, C1, D1, D2)

Customer A (with B2 as a secondary party of its web user) attacks customer
B and the other way round, through every route of the portal; forged and
replayed notifications are sent to the payment address. Every request is
counted per attack class and the counts are printed to stderr at the end."""
import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import sys
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch
from urllib.parse import quote, urlsplit

from werkzeug.exceptions import Forbidden

from trytond import config, sendmail
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.tests.test_tryton import DB_NAME, Client, TestCase, drop_db
from trytond.transaction import Transaction
from trytond.wsgi import app

from ..portal.session import (
    ANONYMOUS_COOKIE, CSRF_FIELD, PCHAR, SESSION_COOKIE)

# Each route of the crm modules and who may call it: "public" pages answer
# anybody, "portal" pages only a logged in customer, "webhook" only a signed
# notification. A new route must be added here, and tested below.
ROUTES = {
    '/<database_name>/portal/': 'portal',
    '/<database_name>/portal/orders': 'portal',
    '/<database_name>/portal/orders/<int:sale_id>': 'portal',
    '/<database_name>/portal/quotations/<int:sale_id>': 'portal',
    '/<database_name>/portal/quotations/<int:sale_id>/'
    '<any(accept, decline, changes):answer>': 'portal',
    '/<database_name>/portal/invoices': 'portal',
    '/<database_name>/portal/invoices/<int:invoice_id>': 'portal',
    '/<database_name>/portal/invoices/<int:invoice_id>/print': 'portal',
    '/<database_name>/portal/invoices/<int:invoice_id>/pay': 'portal',
    '/<database_name>/portal/profile': 'portal',
    '/<database_name>/portal/profile/contacts': 'portal',
    '/<database_name>/portal/profile/contacts/<int:contact_id>/delete':
        'portal',
    '/<database_name>/portal/profile/password': 'portal',
    '/<database_name>/portal/logout': 'portal',
    '/<database_name>/portal/login': 'public',
    '/<database_name>/portal/reset': 'public',
    '/<database_name>/portal/reset/password': 'public',
    '/<database_name>/portal/language/<code>': 'public',
    '/<database_name>/portal/static/<name>': 'public',
    '/<database_name>/crm/payment/<code>': 'webhook',
    # crm_service's pages (not activated in this database: tested with
    # their IDOR probe in crm_service's test_service_portal)
    '/<database_name>/portal/contracts': 'portal',
    '/<database_name>/portal/contracts/<int:contract_id>': 'portal',
    '/<database_name>/portal/equipment': 'portal',
    '/<database_name>/portal/requests': 'portal',
    '/<database_name>/portal/requests/new': 'portal',
    '/<database_name>/portal/requests/<int:request_id>': 'portal',
    '/<database_name>/portal/requests/<int:request_id>/reply': 'portal',
    '/<database_name>/portal/requests/<int:request_id>/attachments': 'portal',
    '/<database_name>/portal/requests/<int:request_id>/attachments/'
    '<int:attachment_id>': 'portal',
    '/<database_name>/portal/requests/<int:request_id>/rate': 'portal',
    '/<database_name>/portal/kb': 'portal',
    '/<database_name>/portal/kb/<int:article_id>': 'portal',
    '/<database_name>/portal/kb/<int:article_id>/vote': 'portal',
    # crm_marketing's public forms: not activated in this database
    '/<database_name>/crm/lead': 'inactive',
    '/<database_name>/crm/subscribe': 'inactive',
    '/<database_name>/crm/mailing/unsubscribe': 'inactive',
    }

BASE = '/%s/portal' % quote(DB_NAME, safe=PCHAR)
DATABASE = '/%s' % quote(DB_NAME, safe=PCHAR)
ENVIRON = {'REMOTE_ADDR': '127.0.0.1'}
EVIL_ORIGIN = 'http://evil.test'

# A unique string per customer in what the pages show
CANARY_A = 'canary-alfa-7f3a9c'
CANARY_B = 'canary-bravo-91c2e4'
CANARY_B2 = 'canary-second-5d0e17'

PASSWORD_A = 'Alfa-Portal-2026!'
PASSWORD_B = 'Bravo-Portal-2026!'
SECRET = 'whsec-test-5a9e0c1d'
OTHER_SECRET = 'whsec-other-77b3f2aa'

# The tables a request of an attacker must leave as they were
TABLES = [
    'sale_sale', 'sale_line', 'account_invoice', 'account_move',
    'account_move_line', 'party_contact_mechanism', 'crm_activity',
    'web_user', 'web_user_session', 'web_user_authenticate_attempt',
    'crm_payment_notification',
    ]

# How many requests each attack class sent
REQUESTS = Counter()
# Every session key seen: none may show in a URL or a page
KEYS = set()

MAIN = re.compile(rb'<main>(.*)</main>', re.DOTALL)
TOKEN = re.compile(r'name="%s" value="([^"]*)"' % CSRF_FIELD)


def main_of(response):
    found = MAIN.search(response.get_data())
    return found.group(1) if found else None


def token_of(response):
    found = TOKEN.search(response.get_data(as_text=True))
    return found.group(1) if found else None


def cookie_header(response, name):
    "The Set-Cookie header of response for the cookie name"
    for header in response.headers.getlist('Set-Cookie'):
        if header.startswith(name + '='):
            return header


def sign(body, secret=SECRET):
    return 'sha256=' + hmac.new(
        secret.encode(), body, hashlib.sha256).hexdigest()


@contextmanager
def configured(section, option, value, default):
    """Set the option of config during the block, then back to what it was
    or to the default value the code uses"""
    if not config.has_section(section):
        config.add_section(section)
    old = config.get(section, option, default=None)
    config.set(section, option, value)
    try:
        yield
    finally:
        config.set(section, option, default if old is None else old)


class Visitor:
    """A browser on the portal: its cookies kept, each request counted under
    an attack class and checked for what must never be in an answer"""

    def __init__(self, case, kind, forbidden=(), base_url='http://localhost/'):
        self.case = case
        self.kind = kind
        self.forbidden = [c.encode() for c in forbidden]
        self.base_url = base_url
        self.client = Client(app, Response)

    def open(self, method, path, data=None, headers=None, kind=None,
            **kwargs):
        REQUESTS[kind or self.kind] += 1
        url = path if path.startswith('/') else f'{BASE}/{path}'
        try:
            response = self.client.open(
                url, method=method, data=data, headers=headers,
                base_url=self.base_url, environ_base=ENVIRON, **kwargs)
        except Forbidden as exception:
            # trytond refuses a foreign Origin by raising out of the WSGI
            # application: the handler never runs
            if not (headers or {}).get('Origin'):
                raise
            response = exception.get_response()
        self.check(response)
        return response

    def get(self, path, **kwargs):
        return self.open('GET', path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.open('POST', path, data=data, **kwargs)

    def check(self, response):
        cookie = cookie_header(response, SESSION_COOKIE)
        if cookie:
            value = cookie.split(';', 1)[0].split('=', 1)[1].strip('"')
            if value:
                KEYS.add(value)
        body = response.get_data()
        location = response.headers.get('Location', '')
        for key in KEYS:
            self.case.assertNotIn(key, location)
            self.case.assertNotIn(key.encode(), body)
        for canary in self.forbidden:
            self.case.assertNotIn(canary, body)
            self.case.assertNotIn(canary.decode(), location)

    def log_in(self, email, password, kind=None):
        page = self.get('login', kind=kind)
        response = self.post('login', {
                'email': email, 'password': password,
                CSRF_FIELD: token_of(page),
                }, kind=kind)
        self.case.assertEqual(response.status_code, 303, email)
        self.case.assertTrue(self.key)
        return self.key

    @property
    def key(self):
        cookie = self.client.get_cookie(SESSION_COOKIE, path=BASE)
        return cookie.value if cookie else None

    def set_key(self, key):
        if key is None:
            self.client.delete_cookie(SESSION_COOKIE, path=BASE)
        else:
            self.client.set_cookie(SESSION_COOKIE, key, path=BASE)

    def token(self, kind=None):
        "The CSRF token of the forms of the profile page"
        response = self.get('profile', kind=kind)
        self.case.assertEqual(response.status_code, 200)
        return token_of(response)

    def logged_in(self, kind=None):
        "Tell if the session opens a page instead of the login page"
        response = self.get('profile', kind=kind)
        if response.status_code == 303:
            self.case.assertEqual(
                urlsplit(response.headers['Location']).path, f'{BASE}/login')
            return False
        self.case.assertEqual(response.status_code, 200)
        return True


class PortalSecurityTestCase(TestCase):
    "The portal and the payment notifications under attack"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        from trytond.modules.web_user import user as web_user_module

        # the mails of the web users are recorded, no other mail is sent
        for target, attribute in [
                (web_user_module, 'send_message_transactional'),
                (sendmail, 'get_smtp_server')]:
            patcher = patch.object(target, attribute)
            mock = patcher.start()
            cls.addClassCleanup(patcher.stop)
            if target is web_user_module:
                cls.send_message = mock
            else:
                # every recipient accepted
                mock.return_value.send_message.return_value = {}
        cls.create_fixture()
        cls.load_ids()

    @classmethod
    def tearDownClass(cls):
        for kind, count in sorted(REQUESTS.items()):
            print(f"portal security: {kind}: {count} requests",
                file=sys.stderr)
        print(f"portal security: total: {sum(REQUESTS.values())} requests",
            file=sys.stderr)
        super().tearDownClass()
        drop_db()

    @classmethod
    def create_fixture(cls):
        from proteus import Model

        from trytond.modules.account.tests.tools import (
            create_chart, create_fiscalyear, get_accounts)
        from trytond.modules.account_invoice.tests.tools import (
            set_fiscalyear_invoice_sequences)
        from trytond.modules.company.tests.tools import create_company
        from trytond.modules.currency.tests.tools import get_currency
        from trytond.tests.tools import activate_modules

        activate_modules('crm_sales')
        rouble = get_currency('RUB')
        rouble.symbol = '₽'
        rouble.save()
        create_company(currency=rouble)
        create_chart()
        fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear())
        fiscalyear.click('create_period')
        accounts = get_accounts()

        Category = Model.get('product.category')
        Journal = Model.get('account.journal')
        Party = Model.get('party.party')
        PaymentMethod = Model.get('account.invoice.payment.method')
        Provider = Model.get('crm.payment.provider')
        Sale = Model.get('sale.sale')
        Template = Model.get('product.template')
        Uom = Model.get('product.uom')
        WebUser = Model.get('web.user')

        category = Category(name="Accounting", accounting=True)
        category.account_revenue = accounts['revenue']
        category.save()
        unit, = Uom.find([('name', '=', 'Unit')])
        products = {}
        for name, type_, price in [
                ("Кондиционер", 'goods', Decimal('45000')),
                ("Монтаж", 'service', Decimal('12000')),
                ]:
            template = Template(name=name, default_uom=unit, type=type_)
            template.salable = True
            template.list_price = price
            template.account_category = category
            template.save()
            products[type_], = template.products

        cash, = Journal.find([('type', '=', 'cash')])
        method = PaymentMethod(name="Online", journal=cash,
            debit_account=accounts['cash'], credit_account=accounts['cash'])
        method.save()
        for name, code, secret in [
                ("Test gateway", 'test', SECRET),
                ("Other gateway", 'other', OTHER_SECRET)]:
            Provider(name=name, code=code, secret=secret,
                payment_method=method,
                checkout_url='https://pay.example/c?i={invoice}'
                '&a={amount}&back={return_url}').save()

        parties = {}
        for name, canary in [
                ('a', CANARY_A), ('b', CANARY_B), ('b2', CANARY_B2)]:
            party = Party(name=f"Customer {canary}")
            party.contact_mechanisms.new(type='phone', value=f'+7 {canary}')
            party.contact_mechanisms.new(
                type='email', value=f'{canary}@example.com')
            # not a kind the customer edits on the portal
            party.contact_mechanisms.new(
                type='website', value=f'https://{canary}.example.com')
            party.save()
            parties[name] = party

        def sell(party, canary, product, confirm):
            sale = Sale(party=party, invoice_method='order')
            sale.reference = f'ref {canary}'
            line = sale.lines.new(product=product)
            line.quantity = 2
            line.description = f'line {canary}'
            if confirm is None:
                sale.save()
                return sale
            sale.click('quote')
            if confirm:
                sale.click('confirm')
                step = sale.commissioning_steps.new(name=f'step {canary}')
                step.planned_date = dt.date.today()
                sale.save()
                invoice, = sale.invoices
                invoice.click('post')
            return sale

        for name, canary in [
                ('a', CANARY_A), ('b', CANARY_B), ('b2', CANARY_B2)]:
            party = parties[name]
            sell(party, canary, products['service'], False)
            sell(party, canary, products['goods'], True)
        # a draft the customer does not see
        sell(parties['a'], CANARY_A, products['service'], None)

        for email, password, party, secondary in [
                ('alfa@example.com', PASSWORD_A, 'a', ['b2']),
                ('bravo@example.com', PASSWORD_B, 'b', []),
                ('alfa.sessions@example.com', PASSWORD_A, 'a', []),
                ('bravo.throttle@example.com', PASSWORD_B, 'b', []),
                ]:
            user = WebUser(email=email, party=parties[party])
            user.password = password
            for name in secondary:
                user.secondary_parties.append(Party(parties[name].id))
            user.save()

    @classmethod
    def load_ids(cls):
        "The ids of the records of each customer, as the tests use them"
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            Contact = pool.get('party.contact_mechanism')
            Invoice = pool.get('account.invoice')
            Party = pool.get('party.party')
            Sale = pool.get('sale.sale')
            WebUser = pool.get('web.user')

            cls.party = {}
            for name, canary in [
                    ('a', CANARY_A), ('b', CANARY_B), ('b2', CANARY_B2)]:
                party, = Party.search([('name', '=', f"Customer {canary}")])
                cls.party[name] = party.id
            cls.sales = {s.id: (s.party.id, s.state) for s in Sale.search([])}
            cls.invoices = {
                i.id: (i.party.id, i.type, i.state, i.number)
                for i in Invoice.search([])}
            cls.contacts = {
                c.id: (c.party.id, c.type) for c in Contact.search([])}
            cls.web_users = {u.email: u.id for u in WebUser.search([])}

    # Helpers

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
            return result

    def visitor(self, kind, who=None, **kwargs):
        "A browser, logged in as who ('a' or 'b') if given"
        forbidden = {
            'a': [CANARY_B],
            'b': [CANARY_A, CANARY_B2],
            }.get(who, [])
        visitor = Visitor(self, kind, forbidden=forbidden, **kwargs)
        if who == 'a':
            visitor.log_in('alfa@example.com', PASSWORD_A)
        elif who == 'b':
            visitor.log_in('bravo@example.com', PASSWORD_B)
        return visitor

    def parties_of(self, who):
        return {
            'a': {self.party['a'], self.party['b2']},
            'b': {self.party['b']},
            }[who]

    def assertLoginPage(self, response):
        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            urlsplit(response.headers['Location']).path, f'{BASE}/login')

    def assertNotFound(self, response, reference):
        self.assertEqual(response.status_code, 404, response.request.path)
        self.assertEqual(main_of(response), reference, response.request.path)

    # 1. Route inventory

    def test_1_route_inventory(self):
        "Every route is classified and the portal ones need a session"
        rules = [r for r in app.url_map.iter_rules()
            if getattr(r.endpoint, '__module__', '').startswith(
                'trytond.modules.crm_')]
        self.assertTrue(rules)
        unclassified = [r.rule for r in rules if r.rule not in ROUTES]
        self.assertEqual(unclassified, [], "unclassified crm routes")
        self.assertEqual(set(ROUTES) - {r.rule for r in rules}, set(),
            "routes classified but gone")
        before = self.snapshot()
        own_sale = min(i for i, (p, s) in self.sales.items()
            if p == self.party['a'] and s == 'quotation')
        own_invoice = min(i for i, (p, t, s, _) in self.invoices.items()
            if p == self.party['a'] and s == 'posted')
        own_contact = min(i for i, (p, t) in self.contacts.items()
            if p == self.party['a'] and t == 'phone')
        values = {
            'database_name': DB_NAME,
            'sale_id': own_sale,
            'invoice_id': own_invoice,
            'contact_id': own_contact,
            'name': 'portal.css',
            # crm_service's ids: its pages need a login before anything
            'contract_id': 1,
            'request_id': 1,
            'attachment_id': 1,
            'article_id': 1,
            }
        for rule in rules:
            kind = ROUTES[rule.rule]
            methods = sorted(rule.methods - {'HEAD', 'OPTIONS'})
            answers = (sorted(rule._converters['answer'].items)
                if 'answer' in rule.arguments else [None])
            for answer in answers:
                rule_values = dict(values, answer=answer,
                    code='test' if kind == 'webhook' else 'en')
                _, path = rule.build(
                    {k: v for k, v in rule_values.items()
                        if k in rule.arguments}, append_unknown=False)
                for method in methods:
                    visitor = Visitor(self, 'route inventory')
                    response = visitor.open(method, path, data={
                            'agree': 'yes', 'signature': "Ivan Ivanov",
                            'comment': "anonymous", 'type': 'phone',
                            'value': '+7000', 'current': PASSWORD_A,
                            'password': 'New-Password-2030!',
                            'confirm': 'New-Password-2030!',
                            } if method == 'POST' else None)
                    if kind == 'portal':
                        self.assertLoginPage(response)
                    elif kind == 'inactive':
                        self.assertEqual(response.status_code, 404, path)
                    elif kind == 'public' and method == 'GET':
                        self.assertIn(response.status_code, {200, 303}, path)
                        if response.status_code == 303:
                            self.assertTrue(response.headers[
                                    'Location'].startswith(BASE + '/'))
                    elif kind == 'public':
                        # the forms of anonymous visitors need their token
                        self.assertEqual(response.status_code, 403, path)
                    else:
                        self.assertEqual(response.status_code, 401, path)
                if 'GET' not in methods:
                    # a state change is never a GET
                    response = Visitor(self, 'route inventory').get(path)
                    self.assertEqual(response.status_code, 405, path)
        self.assertEqual(self.snapshot(), before)

    # 2. IDOR

    def idor_sweep(self, who, visitor):
        """Ask with the session of who every page and action taking an id
        for every id of the tables and up to 50 beyond; return the number
        of denials"""
        token = visitor.token()
        mine = self.parties_of(who)
        canaries = {
            self.party['a']: CANARY_A,
            self.party['b']: CANARY_B,
            self.party['b2']: CANARY_B2,
            }
        reference = main_of(visitor.get('orders/%d' % 10 ** 6))
        self.assertIn(b'<h1>', reference)
        huge = [0, 2 ** 31 - 1, 2 ** 31, 2 ** 63, 10 ** 20]
        denied = 0

        def ids(records):
            return list(range(1, max(records) + 51)) + huge

        # sales
        for sale_id in ids(self.sales):
            party, state = self.sales.get(sale_id, (None, None))
            visible = party in mine and state != 'draft'
            response = visitor.get(f'orders/{sale_id}')
            if visible:
                self.assertEqual(response.status_code, 200)
                self.assertIn(canaries[party].encode(), response.get_data())
            else:
                self.assertNotFound(response, reference)
                denied += 1
            response = visitor.get(f'quotations/{sale_id}')
            if visible:
                self.assertIn(response.status_code, {200, 303})
            else:
                self.assertNotFound(response, reference)
                denied += 1
            if visible and state == 'quotation':
                continue
            for answer in ['accept', 'decline', 'changes']:
                response = visitor.post(
                    f'quotations/{sale_id}/{answer}', {
                        'agree': 'yes', 'signature': "Mallory Intruder",
                        'comment': "hijacked", CSRF_FIELD: token,
                        })
                self.assertNotFound(response, reference)
                denied += 1
        # invoices
        for invoice_id in ids(self.invoices):
            party, type_, state, _ = self.invoices.get(
                invoice_id, (None, None, None, None))
            visible = (party in mine and type_ == 'out'
                and state in {'posted', 'paid'})
            for path in ['invoices/%d', 'invoices/%d/print']:
                response = visitor.get(path % invoice_id)
                if visible:
                    self.assertEqual(response.status_code, 200)
                    self.assertIn(
                        canaries[party].encode(), response.get_data())
                else:
                    self.assertNotFound(response, reference)
                    denied += 1
            response = visitor.get(f'invoices/{invoice_id}/pay')
            if visible:
                self.assertEqual(response.status_code, 303)
                self.assertTrue(response.headers['Location'].startswith(
                        'https://pay.example/'))
            else:
                self.assertNotFound(response, reference)
                denied += 1
        # contacts
        for contact_id in ids(self.contacts):
            party, type_ = self.contacts.get(contact_id, (None, None))
            if party in mine and type_ in {'phone', 'email', 'mobile'}:
                continue
            response = visitor.post(
                f'profile/contacts/{contact_id}/delete', {CSRF_FIELD: token})
            self.assertNotFound(response, reference)
            denied += 1
        # the lists show the customer's own records only
        for path in ['', 'orders', 'invoices', 'profile']:
            response = visitor.get(path)
            self.assertEqual(response.status_code, 200)
            shown = mine if path in {'orders', 'profile'} else {
                self.party[who]}
            for party in shown:
                self.assertIn(canaries[party].encode(), response.get_data())
        return denied

    def test_2_idor(self):
        "Another customer's ids and missing ones answer the same 404"
        visitor, other = self.visitor('IDOR', 'a'), self.visitor('IDOR', 'b')
        before = self.snapshot()
        denied = self.idor_sweep('a', visitor) + self.idor_sweep('b', other)
        self.assertEqual(self.snapshot(), before)
        self.assertGreater(denied, 1000)

        # the list pages whatever the page asked
        for path in ['orders', 'invoices']:
            for page in ['-1', '0', '2', '999999999', '9' * 40, '9' * 5000,
                    '-99999999999999999999', '1e9', '1.5', '0x10', 'abc',
                    '', ' 2', '%00', "1' OR '1'='1", '[]', '２']:
                response = visitor.get(path, query_string={'page': page})
                self.assertEqual(response.status_code, 200, (path, page))
                self.assertIn(CANARY_A.encode(), response.get_data())
        # languages, static files and paths out of the portal
        reference = main_of(visitor.get('orders/%d' % 10 ** 6))
        for code in ['xx', 'RU', 'ru_RU', 'en-US', '..', '%2e%2e', 'ru%00',
                'ru;', "ru'", 'en\u202e']:
            response = visitor.get('language/' + quote(code, safe='%'))
            self.assertNotFound(response, reference)
        sources = [b'This file is part', b'import ', b'SESSION_COOKIE']
        for name in ['..%2fsession.py', '..%2f..%2f__init__.py',
                '%2e%2e%2fsession.py', '..%5csession.py', '../session.py',
                '....//session.py', 'session.py', '__init__.py',
                'portal.css%00', 'portal.css%00.py', 'PORTAL.CSS',
                'portal.css.bak', '.', '..', '%2e', '%00', 'login.html',
                '..%2ftemplates%2fbase.html', '..%252fsession.py',
                '/etc/passwd', '..%2f..%2f..%2f..%2fetc%2fpasswd']:
            response = visitor.get('static/' + name)
            if response.status_code == 308:
                # werkzeug merges the slashes: the same page again
                location = urlsplit(response.headers['Location']).path
                self.assertTrue(location.startswith(BASE + '/'))
                response = visitor.get(location)
            # 405: trytond's answer to a path no route takes
            self.assertIn(response.status_code, {404, 405}, name)
            for source in sources:
                self.assertNotIn(source, response.get_data(), name)
            self.assertNotIn(b'root:', response.get_data(), name)
        response = visitor.get('static/portal.css')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers['X-Content-Type-Options'], 'nosniff')
        # redirections stay in the portal
        for next_ in ['https://evil.test/', '//evil.test/', '/\\evil.test',
                f'{BASE}//evil.test', f'{BASE}/\\evil.test',
                f'{BASE}/\r\nSet-Cookie: x=1', f'{BASE}/\t/evil.test',
                'javascript:alert(1)', f'http://localhost{BASE}/',
                f'{BASE}/%0d%0aSet-Cookie:%20x=1']:
            response = visitor.get('language/en', query_string={
                    'next': next_})
            self.assertEqual(response.status_code, 303, next_)
            location = response.headers['Location']
            self.assertTrue(location.startswith(BASE + '/'), location)
            self.assertNotIn('//', location)
            self.assertNotIn('\\', location)
            self.assertFalse(set(location) & set('\r\n\t '), location)
            self.assertNotIn('x=1', response.headers.get('Set-Cookie', ''))
        # the contact added is always the customer's own
        response = visitor.post('profile/contacts', {
                'type': 'phone', 'value': '+7 mass-assignment',
                'party': str(self.party['b']), 'id': '1',
                CSRF_FIELD: visitor.token()})
        self.assertEqual(response.status_code, 303)
        with Transaction().start(DB_NAME, 0):
            Contact = Pool().get('party.contact_mechanism')
            contact, = Contact.search([('value', '=', '+7 mass-assignment')])
            self.assertEqual(contact.party.id, self.party['a'])
            Contact.delete([contact])

    # 3. CSRF

    def post_routes(self, visitor):
        "The forms of the portal with what makes them change something"
        sale = min(i for i, (p, s) in self.sales.items()
            if p == self.party['a'] and s == 'quotation')
        contact = min(i for i, (p, t) in self.contacts.items()
            if p == self.party['a'] and t == 'phone')
        new = 'Changed-Password-2031!'
        return [
            ('login', {'email': 'alfa@example.com', 'password': PASSWORD_A}),
            ('logout', {}),
            ('reset', {'email': 'alfa@example.com'}),
            ('reset/password', {'email': 'alfa@example.com', 'token': 'x',
                    'password': new, 'confirm': new}),
            (f'quotations/{sale}/accept', {
                    'agree': 'yes', 'signature': "Ivan Ivanov"}),
            (f'quotations/{sale}/decline', {'comment': "forged"}),
            (f'quotations/{sale}/changes', {'comment': "forged"}),
            ('profile/contacts', {'type': 'phone', 'value': '+7 forged'}),
            (f'profile/contacts/{contact}/delete', {}),
            ('profile/password', {
                    'current': PASSWORD_A, 'password': new, 'confirm': new}),
            ]

    def test_3_csrf(self):
        "Forms posted without the token of the session are refused"
        self.send_message.reset_mock()
        visitor = self.visitor('CSRF', 'a')
        good = visitor.token()
        anonymous = visitor.client.get_cookie(ANONYMOUS_COOKIE, path=BASE)
        other = self.visitor('CSRF', 'b')
        before = self.snapshot()
        tokens = {
            'no token': None,
            'empty token': '',
            'wrong token': '0' * len(good),
            "B's token": other.token(),
            'anonymous token': anonymous.value if anonymous else 'x',
            'token with a blank': good + ' ',
            'uppercase token': good.upper(),
            }
        for path, data in self.post_routes(visitor):
            for name, token in tokens.items():
                form = dict(data)
                if token is not None:
                    form[CSRF_FIELD] = token
                response = visitor.post(path, form)
                self.assertEqual(response.status_code, 403, (path, name))
            # the token in the query string or a JSON body is not read
            response = visitor.post(
                path + '?' + CSRF_FIELD + '=' + good, data)
            self.assertEqual(response.status_code, 403, path)
            response = visitor.post(path, data=json.dumps(
                    dict(data, **{CSRF_FIELD: good})),
                content_type='application/json')
            self.assertEqual(response.status_code, 403, path)
            # another site's page, even with the token
            for origin in [EVIL_ORIGIN, 'null', 'http://localhost.evil.test']:
                response = visitor.post(
                    path, dict(data, **{CSRF_FIELD: good}),
                    headers={'Origin': origin})
                self.assertEqual(response.status_code, 403, (path, origin))
        self.assertTrue(visitor.logged_in())

        # the forms shown before login: the anonymous cookie and its token
        for path, data in self.post_routes(visitor)[:4]:
            if path == 'logout':
                continue
            stranger = Visitor(self, 'CSRF')
            response = stranger.post(path, data)
            self.assertEqual(response.status_code, 403, path)
            response = stranger.post(path, dict(data, **{CSRF_FIELD: 'x'}))
            self.assertEqual(response.status_code, 403, path)
            stranger = Visitor(self, 'CSRF')
            page = stranger.get('login')
            self.assertTrue(token_of(page))
            stranger.client.delete_cookie(ANONYMOUS_COOKIE, path=BASE)
            response = stranger.post(
                path, dict(data, **{CSRF_FIELD: token_of(page)}))
            self.assertEqual(response.status_code, 403, path)
            stranger = Visitor(self, 'CSRF')
            stranger.get('login')
            response = stranger.post(
                path, dict(data, **{CSRF_FIELD: tokens["B's token"]}))
            self.assertEqual(response.status_code, 403, path)
            self.assertIsNone(stranger.key)
        self.assertEqual(self.snapshot(), before)
        self.send_message.assert_not_called()

    # 4. Throttling

    def test_4_throttling(self):
        "Failed logins are throttled, the right password then too"
        email = 'bravo.throttle@example.com'
        visitor = Visitor(self, 'throttling')
        try:
            with configured('session', 'max_attempt', '2', '5'):
                statuses = []
                for _ in range(4):
                    page = visitor.get('login')
                    response = visitor.post('login', {
                            'email': email, 'password': 'wrong',
                            CSRF_FIELD: token_of(page)})
                    statuses.append(response.status_code)
                self.assertEqual(statuses, [200, 200, 200, 429])
                response = visitor.post('login', {
                        'email': email.upper(), 'password': PASSWORD_B,
                        CSRF_FIELD: token_of(page)})
                self.assertEqual(response.status_code, 429)
                self.assertIsNone(visitor.key)
                # another browser does not help
                stranger = Visitor(self, 'throttling')
                page = stranger.get('login')
                response = stranger.post('login', {
                        'email': email, 'password': PASSWORD_B,
                        CSRF_FIELD: token_of(page)})
                self.assertEqual(response.status_code, 429)
                self.assertIsNone(stranger.key)
        finally:
            with Transaction().start(DB_NAME, 0):
                Pool().get('web.user.authenticate.attempt').remove(email)
        visitor.log_in(email, PASSWORD_B, kind='throttling')

    # 5. Cookies

    def test_5_cookies(self):
        "The session cookie is HttpOnly, SameSite and Secure when it may"
        visitor = Visitor(self, 'cookies')
        page = visitor.get('login')
        anonymous = cookie_header(page, ANONYMOUS_COOKIE)
        for header in [anonymous, None]:
            if header is None:
                response = visitor.post('login', {
                        'email': 'alfa@example.com', 'password': PASSWORD_A,
                        CSRF_FIELD: token_of(page)})
                self.assertEqual(response.status_code, 303)
                header = cookie_header(response, SESSION_COOKIE)
            attributes = [a.strip().lower() for a in header.split(';')]
            self.assertIn('httponly', attributes)
            self.assertIn('samesite=lax', attributes)
            self.assertIn(f'path={BASE}'.lower(), attributes)
            self.assertNotIn('secure', attributes)
            self.assertFalse([a for a in attributes
                    if a.startswith('domain=')])
        key = visitor.key
        self.assertRegex(key, r'^[0-9a-f]{32,}$')
        self.assertGreaterEqual(len(key) * 4, 128)
        self.assertNotIn(key, response.headers['Location'])
        self.assertTrue(visitor.logged_in())

        # logging out deletes the cookie
        response = visitor.post('logout', {CSRF_FIELD: visitor.token()})
        header = cookie_header(response, SESSION_COOKIE)
        self.assertRegex(header, r'(?i)(max-age=0|expires=thu, 01 jan 1970)')

        with configured('portal', 'secure_cookie', 'True', 'False'):
            secure = Visitor(self, 'cookies')
            page = secure.get('login')
            self.assertIn('secure', [a.strip().lower()
                    for a in cookie_header(page, ANONYMOUS_COOKIE).split(';')])
            response = secure.post('login', {
                    'email': 'alfa@example.com', 'password': PASSWORD_A,
                    CSRF_FIELD: token_of(page)})
            self.assertEqual(response.status_code, 303)
            self.assertIn('secure', [a.strip().lower() for a in
                    cookie_header(response, SESSION_COOKIE).split(';')])
        https = Visitor(self, 'cookies', base_url='https://localhost/')
        page = https.get('login')
        response = https.post('login', {
                'email': 'alfa@example.com', 'password': PASSWORD_A,
                CSRF_FIELD: token_of(page)})
        self.assertEqual(response.status_code, 303)
        self.assertIn('secure', [a.strip().lower() for a in
                cookie_header(response, SESSION_COOKIE).split(';')])
        self.assertTrue(https.logged_in())
        # every login has its own key
        self.assertIsNone(visitor.key)
        self.assertTrue(secure.key and https.key)
        self.assertNotEqual(secure.key, https.key)
        self.assertNotEqual(secure.key, key)

    # 6. Sessions end

    def test_6_sessions_end(self):
        "Logout, password change, deactivation and age end the sessions"
        email = 'alfa.sessions@example.com'
        password = PASSWORD_A

        # logout: the old cookie opens nothing
        visitor = Visitor(self, 'sessions')
        key = visitor.log_in(email, password)
        self.assertTrue(visitor.logged_in())
        visitor.post('logout', {CSRF_FIELD: visitor.token()})
        self.assertFalse(visitor.logged_in())
        visitor.set_key(key)
        self.assertFalse(visitor.logged_in())

        # forged session cookies open nothing
        live = Visitor(self, 'sessions')
        live_key = live.log_in(email, password)
        for forged in ['', '0' * 64, live_key.upper(), live_key + ' ',
                live_key[:-1], live_key[:32], '%', '_' * 64, "' OR 1=1 --",
                live_key + '%', key]:
            visitor.set_key(forged)
            self.assertFalse(visitor.logged_in(), forged)

        # a password change ends the other sessions, not this one
        other = Visitor(self, 'sessions')
        other.log_in(email, password)
        new = 'Sessions-Changed-2031!'
        response = live.post('profile/password', {
                'current': password, 'password': new, 'confirm': new,
                CSRF_FIELD: live.token()})
        self.assertEqual(response.status_code, 303)
        self.assertNotEqual(live.key, live_key)
        self.assertTrue(live.logged_in())
        self.assertFalse(other.logged_in())
        other.set_key(live_key)
        self.assertFalse(other.logged_in())
        password = new

        # the absolute lifetime, however active the session
        old = Visitor(self, 'sessions')
        old_key = old.log_in(email, password)
        recent = Visitor(self, 'sessions')
        recent_key = recent.log_in(email, password)

        def age(key, **delta):
            with Transaction().start(DB_NAME, 0) as transaction:
                cursor = transaction.connection.cursor()
                now = dt.datetime.now()
                cursor.execute(
                    'UPDATE "web_user_session" SET create_date = %s, '
                    'write_date = %s WHERE "key" = %s' % (
                        (transaction.database.flavor.param,) * 3),
                    (now - dt.timedelta(**delta), now, key))
                self.assertEqual(cursor.rowcount, 1)

        age(recent_key, days=6)
        age(old_key, days=8)
        self.assertTrue(recent.logged_in())
        self.assertFalse(old.logged_in())
        with configured(
                'portal', 'session_max_age', '60', str(7 * 24 * 60 * 60)):
            age(recent_key, seconds=30)
            self.assertTrue(recent.logged_in())
            age(recent_key, seconds=120)
            self.assertFalse(recent.logged_in())

        # a planted key is not kept by the login
        for planted in ['f' * 64, old_key]:
            visitor = Visitor(self, 'sessions')
            visitor.set_key(planted)
            key = visitor.log_in(email, password)
            self.assertNotEqual(key, planted)
            visitor.set_key(planted)
            self.assertFalse(visitor.logged_in())

        # deactivation ends every session
        visitor = Visitor(self, 'sessions')
        visitor.log_in(email, password)
        self.assertTrue(visitor.logged_in())
        with Transaction().start(DB_NAME, 0):
            WebUser = Pool().get('web.user')
            WebUser.write([WebUser(self.web_users[email])], {'active': False})
        self.assertFalse(visitor.logged_in())
        page = visitor.get('login')
        response = visitor.post('login', {
                'email': email, 'password': password,
                CSRF_FIELD: token_of(page)})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(cookie_header(response, SESSION_COOKIE))
        self.assertFalse(visitor.logged_in())
        with Transaction().start(DB_NAME, 0):
            Pool().get('web.user.authenticate.attempt').remove(email)
        # even a session the deactivation missed
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            WebUser = pool.get('web.user')
            Session = pool.get('web.user.session')
            session, = Session.create([{'user': self.web_users[email]}])
            missed = session.key
        visitor.set_key(missed)
        self.assertFalse(visitor.logged_in())
        with Transaction().start(DB_NAME, 0):
            WebUser = Pool().get('web.user')
            WebUser.write([WebUser(self.web_users[email])], {'active': True})

    # 7. No JSON-RPC with a portal session

    def test_7_no_rpc(self):
        "A portal session cannot call the backend"
        visitor = self.visitor('JSON-RPC', 'a')
        key = visitor.key
        user_id = self.web_users['alfa@example.com']
        email = 'alfa@example.com'
        body = json.dumps({
                'id': 1, 'method': 'model.party.party.search',
                'params': [[], 0, None, None, {}]})

        def session(login, user, key):
            return 'Session ' + base64.b64encode(
                f'{login}:{user}:{key}'.encode()).decode()

        attempts = [
            ({}, {}),
            ({}, {SESSION_COOKIE: key}),
            ({'Authorization': session(email, user_id, key)}, {}),
            ({'Authorization': session('admin', 1, key)}, {}),
            ({'Authorization': session('admin', 0, key)}, {}),
            ({}, {'tryton_session': f'{email}:{user_id}:{key}'}),
            ({}, {'tryton_session': f'admin:1:{key}'}),
            ({'Authorization': 'Bearer ' + key}, {}),
            ]
        basic = {'Authorization': 'Basic ' + base64.b64encode(
                f'{email}:{PASSWORD_A}'.encode()).decode()}
        rpc, data = f'{DATABASE}/rpc/', f'{DATABASE}/data/party.party'
        for headers, cookies in attempts + [(basic, {})]:
            client = Client(app, Response)
            for name, value in cookies.items():
                client.set_cookie(name, value, path='/')
            # a failed backend login is slowed down: once is enough
            for path in [rpc] if headers is basic else [
                    rpc, data, f'{DATABASE}/']:
                REQUESTS['JSON-RPC'] += 1
                if path == rpc:
                    response = client.post(path, data=body, headers=headers,
                        content_type='application/json',
                        environ_base=ENVIRON)
                else:
                    response = client.get(path, headers=headers,
                        query_string={'f': 'name'}, environ_base=ENVIRON)
                self.assertIn(response.status_code,
                    {401, 403} if path != f'{DATABASE}/' else {401, 403, 405},
                    (path, headers, cookies))
                self.assertNotIn(b'"result"', response.get_data())
                self.assertNotIn(CANARY_A.encode(), response.get_data())
        # the portal password is no backend password
        REQUESTS['JSON-RPC'] += 1
        response = Client(app, Response).post(rpc, data=json.dumps({
                    'id': 1, 'method': 'common.db.login',
                    'params': [email, {'password': PASSWORD_A}, 'en']}),
            content_type='application/json', environ_base=ENVIRON)
        self.assertNotIn(key.encode(), response.get_data())
        result = (response.get_json(silent=True) or {}).get('result')
        self.assertFalse(result)

    # 8. Webhook forgeries and replays

    def notification_body(self, invoice, id_='forged', amount='10.00'):
        return json.dumps({
                'id': id_, 'invoice': invoice, 'amount': amount,
                'currency': 'RUB', 'status': 'succeeded'}).encode()

    def deliver(self, body, signature, code='test', kind='webhook forgery',
            headers=None):
        REQUESTS[kind] += 1
        headers = dict(headers or {})
        if signature is not None:
            headers['X-Signature'] = signature
        return Client(app, Response).post(
            f'{DATABASE}/crm/payment/{code}', data=body, headers=headers,
            content_type='application/json', environ_base=ENVIRON)

    def amount_to_pay(self, invoice_id):
        with Transaction().start(DB_NAME, 0, readonly=True):
            return Pool().get('account.invoice')(invoice_id).amount_to_pay

    def test_8_webhook(self):
        "Forged notifications book nothing, a replayed one books once"
        invoice_id, number = min(
            (i, n) for i, (p, t, s, n) in self.invoices.items()
            if p == self.party['b'] and s == 'posted')
        before = self.snapshot()
        due = self.amount_to_pay(invoice_id)

        forgeries = []
        for n in range(10):
            body = self.notification_body(number, f'forged-{n}')
            digest = sign(body).partition('=')[2]
            # unsigned
            forgeries.append((body, None, 'test'))
            forgeries.append((body, '', 'test'))
            # not a signature
            forgeries.append((body, ['sha256=', 'sha256', '=', digest,
                        'sha256=' + 'z' * 64, 'sha256=' + digest[:-1],
                        'sha256=' + digest + '00', 'sha512=' + digest,
                        'sha1=' + hmac.new(SECRET.encode(), body,
                            hashlib.sha1).hexdigest(),
                        'sha256=' + base64.b64encode(bytes.fromhex(
                                digest)).decode()][n], 'test'))
            # one hex digit changed
            flipped = digest[:n] + ('0' if digest[n] != '0' else '1') + (
                digest[n + 1:])
            forgeries.append((body, 'sha256=' + flipped, 'test'))
            # the signature of another body
            forgeries.append((body, sign(self.notification_body(
                            number, f'forged-{n}', amount='1000000.00')),
                    'test'))
            forgeries.append((self.notification_body(
                        number, f'forged-{n}', amount='100000.00'),
                    sign(body), 'test'))
            # another secret
            forgeries.append((body, sign(body, [
                            '', ' ', SECRET.upper(), SECRET + '\n',
                            SECRET[:-1], 'secret', SECRET + SECRET,
                            ' ' + SECRET, OTHER_SECRET, 'test'][n]),
                    'test'))
            # the same values written otherwise than signed
            data = json.loads(body)
            forgeries.append(([
                        json.dumps(data, separators=(',', ':')),
                        json.dumps(data, indent=2),
                        json.dumps(data, sort_keys=True),
                        json.dumps(dict(reversed(list(data.items())))),
                        json.dumps(data) + '\n',
                        ' ' + json.dumps(data),
                        '\ufeff' + json.dumps(data),
                        json.dumps(data).replace(': ', ':\r\n'),
                        json.dumps(dict(data, amount=10.0)),
                        json.dumps(dict(data, extra=None)),
                        ][n].encode(), sign(body), 'test'))
            # signed for the other provider
            forgeries.append((body, sign(body, OTHER_SECRET), 'test'))
            forgeries.append((body, sign(body), 'other'))
        self.assertGreaterEqual(len(forgeries), 100)
        for body, signature, code in forgeries:
            response = self.deliver(body, signature, code)
            self.assertEqual(response.status_code, 401, (body, signature))
            self.assertEqual(response.get_json(), {
                    'status': 'error', 'reason': 'bad_signature'})
        for code in ['unknown', 'TEST', 'tést', 'test-', 'other2']:
            body = self.notification_body(number)
            response = self.deliver(body, sign(body), quote(code, safe='%'))
            self.assertEqual(response.status_code, 404, code)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.amount_to_pay(invoice_id), due)

        # a valid notification delivered 20 times books one payment
        body = self.notification_body(number, 'replayed-1', amount='100.00')
        statuses = Counter()
        for _ in range(20):
            response = self.deliver(body, sign(body), kind='webhook replay')
            self.assertEqual(response.status_code, 200)
            statuses[response.get_json()['status']] += 1
        self.assertEqual(statuses, {'applied': 1, 'duplicate': 19})
        self.assertEqual(self.amount_to_pay(invoice_id), due - 100)
        after = self.snapshot()
        self.assertEqual(after['account_move'][0],
            before['account_move'][0] + 1)
        self.assertEqual(after['crm_payment_notification'][0],
            before['crm_payment_notification'][0] + 1)
        # and its values signed anew under the same id book nothing more
        body = self.notification_body(number, 'replayed-1', amount='200.00')
        response = self.deliver(body, sign(body), kind='webhook replay')
        self.assertEqual(response.get_json(), {'status': 'duplicate'})
        self.assertEqual(self.amount_to_pay(invoice_id), due - 100)
        self.assertEqual(
            self.snapshot()['account_move'], after['account_move'])

    # 9. Security headers

    def test_9_security_headers(self):
        "Every page forbids framing, sniffing, caching and foreign scripts"
        visitor = self.visitor('headers', 'a')
        sale = min(i for i, (p, s) in self.sales.items()
            if p == self.party['a'] and s == 'processing')
        quotation = min(i for i, (p, s) in self.sales.items()
            if p == self.party['a'] and s == 'quotation')
        invoice = min(i for i, (p, t, s, n) in self.invoices.items()
            if p == self.party['a'] and s == 'posted')
        responses = [visitor.get(p) for p in [
                '', 'orders', f'orders/{sale}', f'quotations/{quotation}',
                'invoices', f'invoices/{invoice}', f'invoices/{invoice}/print',
                'profile', 'orders/999999', 'language/xx']]
        # refused forms
        responses.append(visitor.post(f'quotations/{quotation}/accept', {
                    'signature': "Ivan Ivanov", CSRF_FIELD: visitor.token()}))
        self.assertEqual(responses[-1].status_code, 400)
        responses.append(visitor.post('profile/contacts', {}))
        self.assertEqual(responses[-1].status_code, 403)
        anonymous = Visitor(self, 'headers')
        responses += [anonymous.get(p) for p in [
                'login', 'reset', 'reset/password', 'orders']]
        responses.append(anonymous.post('login', {}))
        with configured('session', 'max_attempt', '0', '5'):
            for status in [200, 429]:
                page = anonymous.get('login')
                responses.append(anonymous.post('login', {
                            'email': 'nobody@example.com', 'password': 'x',
                            CSRF_FIELD: token_of(page)}))
                self.assertEqual(responses[-1].status_code, status)
        with Transaction().start(DB_NAME, 0):
            Pool().get('web.user.authenticate.attempt').remove(
                'nobody@example.com')
        for response in responses:
            headers = response.headers
            where = (response.request.path, response.status_code)
            policy = headers.get('Content-Security-Policy', '')
            self.assertIn("default-src 'self'", policy, where)
            self.assertIn("frame-ancestors 'none'", policy, where)
            self.assertNotIn('unsafe-inline', policy, where)
            self.assertEqual(headers.get('X-Frame-Options'), 'DENY', where)
            self.assertEqual(
                headers.get('X-Content-Type-Options'), 'nosniff', where)
            self.assertEqual(headers.get('Cache-Control'), 'no-store', where)
