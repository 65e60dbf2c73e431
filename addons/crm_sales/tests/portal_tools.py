# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"A customer's browser on the portal, for the tests: pages, forms, cookies"
import hashlib
import hmac
import json
import re

from lxml import html

from trytond.protocols.wrappers import Response
from trytond.tests.test_tryton import Client
from trytond.wsgi import app

__all__ = ['PortalBrowser', 'sign']

# What a browser's request carries besides the headers
ENVIRON = {'REMOTE_ADDR': '127.0.0.1'}


def sign(secret, body):
    "The X-Signature header of body signed with secret"
    return 'sha256=' + hmac.new(
        secret.encode(), body, hashlib.sha256).hexdigest()


class PortalBrowser:
    """Visit the portal of database like a browser: cookies kept, the CSRF
    token of the last page sent back with each form"""

    def __init__(self, database, language='ru'):
        self.client = Client(app, Response)
        self.base = f'/{database}/portal'
        self.database = database
        self.headers = {'Accept-Language': language}
        self.response = None
        self.page = None

    def url(self, path):
        return path if path.startswith('/') else f'{self.base}/{path}'

    def get(self, path, follow=True):
        self.response = self.client.get(
            self.url(path), headers=self.headers, follow_redirects=follow,
            environ_base=ENVIRON)
        self._parse()
        return self.response.status_code

    def post(self, path, data=None, csrf=True, follow=True):
        data = dict(data or {})
        if csrf and 'csrf_token' not in data:
            data['csrf_token'] = self.csrf_token
        self.response = self.client.post(
            self.url(path), data=data, headers=self.headers,
            follow_redirects=follow, environ_base=ENVIRON)
        self._parse()
        return self.response.status_code

    def log_in(self, email, password):
        self.get('login')
        return self.post('login', {'email': email, 'password': password})

    def _parse(self):
        body = self.response.get_data()
        content_type = self.response.headers.get('Content-Type', '')
        self.page = (html.fromstring(body)
            if body and content_type.startswith('text/html') else None)

    @property
    def csrf_token(self):
        if self.page is None:
            return ''
        tokens = self.page.xpath('//input[@name="csrf_token"]/@value')
        return tokens[0] if tokens else ''

    @property
    def path(self):
        return self.response.request.path

    @property
    def cookie(self):
        cookie = self.client.get_cookie('crm_portal', path=self.base)
        return cookie.value if cookie else None

    def texts(self, xpath):
        "The visible text of each element of xpath, blanks but NBSP collapsed"
        return [re.sub(r'[ \t\r\n]+', ' ', e.text_content()).strip()
            for e in self.page.xpath(xpath)]

    def text(self, xpath='//main'):
        return '\n'.join(self.texts(xpath))

    def links(self):
        "The paths of the links of the page"
        return self.page.xpath('//a/@href')

    def json(self):
        return json.loads(self.response.get_data())

    def timeline(self):
        "The (step, state) of the order timeline"
        return [(li.get('data-step'), li.get('data-state'))
            for li in self.page.xpath('//ol[@class="timeline"]/li')]

    @staticmethod
    def number(text):
        "Keep the digits and the decimal comma of a formatted figure"
        return re.sub(r'[^\d,.-]', '', text)
