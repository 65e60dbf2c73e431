# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""One portal request: who is logged in (web.user session cookie), in which
language, with which CSRF token, and the customer's records only"""
import hashlib
import hmac
import secrets
from functools import cached_property
from urllib.parse import quote

from werkzeug.exceptions import Forbidden, NotFound

from trytond.config import config
from trytond.i18n import gettext
from trytond.protocols.wrappers import Response, redirect

from .menu import entries
from .rendering import LOCALES, Formats, render

SESSION_COOKIE = 'crm_portal'
LANGUAGE_COOKIE = 'crm_portal_language'
# the CSRF token of the forms shown before login (double-submit cookie)
ANONYMOUS_COOKIE = 'crm_portal_csrf'
CSRF_FIELD = 'csrf_token'
# The characters a path segment keeps unquoted (RFC 3986)
PCHAR = "!$&'()*+,;=:@"
DEFAULT_LANGUAGE = 'ru'
# The largest id a database stores: a larger one is missing as well
MAX_ID = 2 ** 63 - 1
SECURITY_HEADERS = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Content-Security-Policy': (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; form-action 'self' https:; "
        "frame-ancestors 'none'; base-uri 'none'"),
    }


def serving_company(pool):
    "The company that serves the customers: the first one"
    Company = pool.get('company.company')
    companies = Company.search([], limit=1, order=[('id', 'ASC')])
    return companies[0] if companies else None


class Portal:
    "What the pages of one request share"

    def __init__(self, request, pool):
        self.request = request
        self.pool = pool
        # quoted as browsers do, so that the cookies' path matches
        self.base = '/%s/portal' % quote(pool.database_name, safe=PCHAR)
        self._cookies = {}
        key = request.cookies.get(SESSION_COOKIE, '')
        # the keys are hexadecimal: anything else is no session
        self.session_key = key if key.isalnum() and key.isascii() else None
        self.user = None
        if self.session_key:
            self.user = pool.get('web.user').get_user(self.session_key)
        self.language = self._choose_language()
        self.formats = Formats(self.language)

    def _choose_language(self):
        """The language picked on the portal, else the customer's, else the
        browser's"""
        chosen = self.request.cookies.get(LANGUAGE_COOKIE)
        if chosen in LOCALES:
            return chosen
        if self.user and self.user.party and self.user.party.lang:
            code = self.user.party.lang.code.split('_')[0]
            if code in LOCALES:
                return code
        return self.request.accept_languages.best_match(
            list(LOCALES), default=DEFAULT_LANGUAGE)

    @property
    def context(self):
        "The context of the transaction serving the request"
        return {
            'language': self.language,
            }

    @property
    def parties(self):
        "The ids of the parties whose records the customer may see"
        if not self.user or not self.user.party:
            return []
        return [self.user.party.id] + [
            p.id for p in self.user.secondary_parties]

    @cached_property
    def company(self):
        return serving_company(self.pool)

    @cached_property
    def timezone(self):
        "The time zone the company's times are shown in"
        return self.company.timezone if self.company else None

    @property
    def remote_address(self):
        return self.request.remote_addr

    def url(self, path=''):
        return f'{self.base}/{path}'

    # Records of the customer

    def search(self, model, domain, party_field='party', **kwargs):
        "Search the customer's records of model"
        Model = self.pool.get(model)
        return Model.search(
            [(party_field, 'in', self.parties)] + list(domain), **kwargs)

    def count(self, model, domain, party_field='party'):
        Model = self.pool.get(model)
        return Model.search_count(
            [(party_field, 'in', self.parties)] + list(domain))

    def get(self, model, id_, domain=(), party_field='party'):
        """Return the customer's record of model with id_: any other id
        raises NotFound, exactly as a missing one"""
        if not 0 < id_ <= MAX_ID:
            raise NotFound()
        records = self.search(
            model, [('id', '=', id_)] + list(domain),
            party_field=party_field, limit=1)
        if not records:
            raise NotFound()
        return records[0]

    # Sessions and security

    @property
    def secure_cookies(self):
        return (self.request.scheme == 'https'
            or config.getboolean('portal', 'secure_cookie', default=False))

    def set_cookie(self, name, value, max_age=None):
        self._cookies[name] = value, max_age

    def log_in(self, user):
        self.session_key = user.new_session()
        self.user = user
        self.set_cookie(SESSION_COOKIE, self.session_key)

    def log_out(self):
        if self.session_key:
            self.pool.get('web.user.session').remove(self.session_key)
        self.session_key = self.user = None
        self.set_cookie(SESSION_COOKIE, None)

    @property
    def csrf_token(self):
        if self.session_key:
            # bound to the session: never valid in another one
            return hmac.new(
                self.session_key.encode(), b'crm-portal-csrf',
                hashlib.sha256).hexdigest()
        token = self.request.cookies.get(ANONYMOUS_COOKIE)
        if not token:
            token = self._cookies.get(ANONYMOUS_COOKIE, (None,))[0]
        if not token:
            token = secrets.token_urlsafe(32)
            self.set_cookie(ANONYMOUS_COOKIE, token)
        return token

    def check_csrf(self):
        "Refuse a form not posted from a page of this session"
        sent = self.request.form.get(CSRF_FIELD, '')
        expected = self.csrf_token
        if not sent or not hmac.compare_digest(
                sent.encode(), expected.encode()):
            # refused with the security headers of the other pages
            raise Forbidden(response=self.finish(Forbidden().get_response()))

    # Responses

    def render(self, template, status=200, **values):
        html = render(
            template, self.formats, portal=self, _=self.translate,
            menu=entries(self.pool), timezone=self.timezone, **values)
        return self.finish(Response(
                html, status=status, content_type='text/html; charset=utf-8'))

    def redirect(self, path=''):
        "See the page at path, relative to the portal unless absolute"
        url = path if path.startswith('/') or '://' in path else self.url(path)
        return self.finish(redirect(url, code=303))

    def finish(self, response):
        "Add the security headers and the cookies to response"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        for name, (value, max_age) in self._cookies.items():
            if value is None:
                response.delete_cookie(
                    name, path=self.base, secure=self.secure_cookies,
                    httponly=True, samesite='Lax')
            else:
                response.set_cookie(
                    name, value, max_age=max_age, path=self.base,
                    secure=self.secure_cookies, httponly=True,
                    samesite='Lax')
        return response

    @staticmethod
    def translate(message_id, **variables):
        "The text of an ir.message in the language of the request"
        if '.' not in message_id:
            message_id = f'crm_sales.msg_portal_{message_id}'
        return gettext(message_id, **variables)
