# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The public pages of web-to-lead (M8), linked or framed from the website:

- /<database>/crm/lead: the form (GET) and its post (POST), which creates
  the lead; 404 unless the marketing configuration publishes it;
- /<database>/crm/subscribe?token=…: the confirmation of a mailing
  subscription (double opt-in), the page of the link of the e-mail sent when
  a visitor agrees to mailings; it confirms on POST only, so that the mail
  scanners opening the links confirm nothing.

No CSRF token protects the form: it is meant for anybody, from any page,
without session, so there is no victim whose rights a forged post could use.
A post only ever adds a lead (and asks an address to confirm a
subscription, which needs a click from its mailbox); it changes and shows
nothing that exists: the answer is the same whether the e-mail or phone
matched a party or not. The bots are held back by a hidden field humans
leave empty, by the signed time the form was shown (a post sooner than
[marketing] web_lead_min_seconds is dropped) and by the limit of
[marketing] web_lead_rate posts per hour and network address, counted in
the database so that every worker sees them (with N workers posting at the
same instant, up to N - 1 posts may pass the limit; a daily cron forgets the
old posts). The dropped posts get the
thanks page of a real one, so that a bot can not tell."""
import base64
import hashlib
import json
from functools import wraps
from pathlib import Path
from urllib.parse import quote, urlsplit

from markupsafe import Markup
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

import trytond.config as config
from trytond.i18n import gettext
from trytond.modules.crm_sales.portal import add_template_folder
from trytond.modules.crm_sales.portal.rendering import Formats, render
from trytond.modules.crm_sales.portal.session import PCHAR
from trytond.protocols.wrappers import (
    Response, redirect, set_max_request_size, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from .web_lead import FORM_MAX_AGE, LIMITS, UTM_PARAMETERS, Submission

TEMPLATES = Path(__file__).parent / 'web_lead_templates'
add_template_folder(TEMPLATES)
# Inline, allowed by its hash: the frame needs no other request
CSS = (TEMPLATES / 'lead_form.css').read_text()
CSS_SOURCE = "'sha256-%s'" % base64.b64encode(
    hashlib.sha256(CSS.encode()).digest()).decode()
LANGUAGES = ['ru', 'en']
DEFAULT_LANGUAGE = 'ru'
# A form is a few kilobytes: anything larger is not one (413)
MAX_REQUEST_SIZE = 16 * 1024
# The field humans do not see and bots fill
HONEYPOT = 'website'
TOKEN_FIELD = 'form_token'
FORM_FIELDS = list(LIMITS) + ['category', 'consent']
RATE_RETRY_AFTER = 3600


def rate_limit():
    "The posts allowed per hour and address"
    return config.getint('marketing', 'web_lead_rate', default=5)


def min_seconds():
    "The shortest time a human takes to fill the form"
    return config.getfloat('marketing', 'web_lead_min_seconds', default=3)


class LeadPage:
    "What the answer to one request of the public pages needs"

    def __init__(self, request, pool, path):
        self.request = request
        self.pool = pool
        self.action = '/%s/crm/%s' % (
            quote(pool.database_name, safe=PCHAR), path)
        self.configuration = None
        self.language = DEFAULT_LANGUAGE
        self.css = Markup(CSS)

    def open(self, form=True):
        """Read the request and the configuration; NotFound where
        crm_marketing is not activated or, for the form, where it is not
        published"""
        # reading the values may refuse the request (413)
        values = self.request.values
        if any('\x00' in v for v in values.values()):
            # no field stores it: a malformed request
            raise BadRequest()
        # the language of ?lang= (or of the form), else the browser's
        if values.get('lang') in LANGUAGES:
            self.language = values['lang']
        else:
            self.language = self.request.accept_languages.best_match(
                LANGUAGES, default=DEFAULT_LANGUAGE)
        try:
            Configuration = self.pool.get('crm.marketing.configuration')
        except KeyError:
            raise NotFound()
        configuration = Configuration(1)
        if form and not configuration.web_lead_open:
            raise NotFound()
        self.configuration = configuration

    @property
    def context(self):
        context = {'language': self.language}
        if self.configuration and self.configuration.web_lead_company:
            context['company'] = self.configuration.web_lead_company.id
        return context

    @property
    def company_name(self):
        if self.configuration and self.configuration.web_lead_company:
            return self.configuration.web_lead_company.party.name
        return ''

    @property
    def wants_json(self):
        return self.request.accept_mimetypes.best_match(
            ['text/html', 'application/json']) == 'application/json'

    @property
    def consent_text(self):
        "The text of the consent box, if the form offers mailings"
        if self.configuration and self.configuration.web_lead_mailing_list:
            return gettext('crm_marketing.msg_web_lead_consent',
                company=self.company_name)

    @staticmethod
    def translate(key, **variables):
        return gettext(f'crm_marketing.msg_web_lead_{key}', **variables)

    # Responses

    def render(self, template, status=200, **values):
        html = render(template, Formats(self.language),
            page=self, _=self.translate, **values)
        return Response(
            html, status=status, content_type='text/html; charset=utf-8')

    def json(self, values, status=200):
        return Response(json.dumps(values), status=status,
            content_type='application/json')

    def message(self, title, messages, status=200):
        return self.render(
            'lead_message.html', status=status, title=title,
            messages=messages)

    def form(self, status=200, values=None, errors=None, utm=None,
            notice=None):
        "The form, filled with values and their errors"
        configuration = self.configuration
        token = configuration.web_lead_form_token()
        categories = list(configuration.web_lead_categories)
        errors = errors or {}
        if self.wants_json:
            return self.json({
                    'status': 'invalid' if errors or notice else 'form',
                    'errors': errors,
                    'notice': notice,
                    TOKEN_FIELD: token,
                    'interests': [
                        {'id': c.id, 'name': c.rec_name} for c in categories],
                    'consent': self.consent_text,
                    }, status=status)
        values = {name: (values or {}).get(name, '') for name in FORM_FIELDS}
        return self.render('lead_form.html', status=status,
            form_token=token, values=values, errors=errors, notice=notice,
            utm=utm or {}, categories=categories, limits=LIMITS,
            consent_text=self.consent_text)

    def thanks(self, consent):
        "The answer to a post, real or dropped: the same for both"
        url = self.configuration.web_lead_thanks_url
        if self.wants_json:
            return self.json({'status': 'ok', 'redirect': url})
        if url:
            return redirect(url, code=303)
        messages = ['thanks']
        if consent and self.configuration.web_lead_mailing_list:
            messages.append('thanks_consent')
        return self.message('thanks_title', messages)

    def too_many(self):
        if self.wants_json:
            response = self.json({'status': 'rate_limited'}, status=429)
        else:
            response = self.message('rate_title', ['rate'], status=429)
        response.headers['Retry-After'] = str(RATE_RETRY_AFTER)
        return response

    def finish(self, response):
        "Add the security headers to response"
        websites = []
        form_targets = ["'self'"]
        if self.configuration and self.configuration.web_lead_open:
            websites = self.configuration.web_lead_website_list
            # the browsers check the redirection of a post too
            if url := self.configuration.web_lead_thanks_url:
                parts = urlsplit(url)
                form_targets.append(f'{parts.scheme}://{parts.netloc}')
        ancestors = ' '.join(["'self'"] + websites) if websites else "'none'"
        headers = {
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
            'Referrer-Policy': 'no-referrer',
            'Content-Security-Policy': (
                f"default-src 'self'; img-src 'self' data:; "
                f"style-src {CSS_SOURCE}; script-src 'none'; "
                f"form-action {' '.join(form_targets)}; "
                f"frame-ancestors {ancestors}; base-uri 'none'"),
            }
        if not websites:
            headers['X-Frame-Options'] = 'DENY'
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response


def lead_route(path, methods, form=True):
    """Serve the decorated function at /<database>/crm/<path> with the
    LeadPage of the request"""
    def decorator(func):
        @app.route(f'/<database_name>/crm/{path}', methods=list(methods))
        @set_max_request_size(MAX_REQUEST_SIZE)
        @with_pool
        @with_transaction()
        @wraps(func)
        def route(request, pool):
            page = LeadPage(request, pool, path)
            try:
                page.open(form=form)
                with Transaction().set_context(page.context):
                    response = func(page)
            except HTTPException as exception:
                response = exception.get_response()
            return page.finish(response)
        return route
    return decorator


def utm_of(values):
    "The UTM parameters of values kept in the hidden fields of the form"
    return {name: values[name][:200] for name in UTM_PARAMETERS
        if values.get(name)}


@lead_route('lead', methods=['GET', 'POST'])
def lead_form(page):
    if page.request.method == 'POST':
        return post(page)
    return page.form(utm=utm_of(page.request.args))


def post(page):
    "Create the lead of the post, unless a bot or the rate limit sent it"
    pool = page.pool
    Attempt = pool.get('crm.web_lead.attempt')
    Opportunity = pool.get('sale.opportunity')
    configuration = page.configuration
    form = page.request.form

    address_hash = configuration.web_lead_address_hash(
        page.request.remote_addr)
    if Attempt.count_recent(address_hash) >= rate_limit():
        # not recorded: a flood does not fill the table
        return page.too_many()
    attempt = Attempt(address_hash=address_hash, language=page.language)
    consent = form.get('consent') == 'yes'

    age = configuration.web_lead_form_age(form.get(TOKEN_FIELD))
    if form.get(HONEYPOT):
        attempt.outcome = 'honeypot'
    elif age is None:
        attempt.outcome = 'forged'
    elif age < min_seconds():
        attempt.outcome = 'too_fast'
    if getattr(attempt, 'outcome', None):
        attempt.save()
        return page.thanks(consent)
    if age > FORM_MAX_AGE:
        attempt.outcome = 'expired'
        attempt.save()
        return page.form(status=400, values=form, utm=utm_of(form),
            notice=page.translate('expired'))

    submission, errors = Submission.from_form(
        form, configuration, page.language)
    if errors:
        attempt.outcome = 'invalid'
        attempt.save()
        return page.form(
            status=400, values=form, errors=errors, utm=utm_of(form))

    attempt.outcome = 'lead'
    attempt.opportunity = Opportunity.create_web_lead(
        submission, configuration)
    if submission.consent:
        mailing_list = configuration.web_lead_mailing_list
        # inactive until the link of the e-mail confirms it
        mailing_list.request_subscribe(submission.email)
        attempt.consent = True
        attempt.consent_text = page.consent_text
        # as the list keeps it
        attempt.email = submission.email.lower()
        attempt.mailing_list = mailing_list
    attempt.save()
    return page.thanks(submission.consent)


@lead_route('subscribe', methods=['GET', 'POST'], form=False)
def subscribe(page):
    "Confirm the subscription of the token of the e-mail's link"
    Email = page.pool.get('marketing.email')
    token = page.request.values.get('token', '')
    # the tokens are hexadecimal
    valid = 0 < len(token) <= 128 and token.isalnum() and token.isascii()
    if page.request.method == 'POST':
        if valid and Email.subscribe([token]):
            return page.message('subscribed_title', ['subscribed'])
        return page.message(
            'subscribe_title', ['subscribe_invalid'], status=404)
    if not valid:
        return page.message(
            'subscribe_title', ['subscribe_invalid'], status=404)
    return page.render('lead_subscribe.html', token=token)
