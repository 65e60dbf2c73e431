# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Logging in and out, resetting a forgotten password, the language and the
style sheet of the portal (S12)"""
from pathlib import Path

from werkzeug.exceptions import NotFound

from trytond.exceptions import RateLimitException, UserError
from trytond.protocols.wrappers import Response
from trytond.transaction import Transaction

from .rendering import LOCALES
from .routing import portal_route
from .session import LANGUAGE_COOKIE

STATIC = Path(__file__).parent / 'static'
STATIC_FILES = {
    'portal.css': 'text/css; charset=utf-8',
    'portal.js': 'text/javascript; charset=utf-8',
    }
ONE_YEAR = 365 * 24 * 60 * 60


def local_path(portal, path):
    "Return path if it is a page of the portal, else the dashboard's"
    # no control character either: a line break in the Location header
    # would fail the response
    if (path and path.startswith(portal.base + '/')
            and '//' not in path and '\\' not in path
            and path.isprintable()):
        return path
    return portal.url()


def new_password(portal, users):
    """The new password of the form, typed twice, if the password policy of
    Tryton accepts it for users"""
    ResUser = portal.pool.get('res.user')
    form = portal.request.form
    password = form.get('password', '')
    if password != form.get('confirm', ''):
        raise UserError(portal.translate('password_mismatch'))
    ResUser.validate_password(password, users)
    return password


@portal_route('login', methods=['GET', 'POST'], login=False)
def login(portal):
    pool = portal.pool
    User = pool.get('web.user')
    request = portal.request
    back = local_path(portal, request.values.get('next'))
    if portal.user and request.method == 'GET':
        return portal.redirect(back)
    email = request.form.get('email', '').strip()
    error, status = None, 200
    if request.method == 'POST':
        try:
            user = User.authenticate(email, request.form.get('password', ''))
        except RateLimitException:
            error, status = 'login_throttled', 429
        else:
            if user and user.party:
                # a new key: a session planted before login is worthless
                portal.log_out()
                portal.log_in(user)
                return portal.redirect(back)
            error = 'login_failed'
    return portal.render(
        'login.html', status=status, error=error, email=email, next=back)


@portal_route('logout', methods=['POST'])
def logout(portal):
    portal.log_out()
    return portal.redirect('login')


@portal_route('reset', methods=['GET', 'POST'], login=False)
def reset(portal):
    "Send a link to set a new password to the address given, if known"
    pool = portal.pool
    User = pool.get('web.user')
    request = portal.request
    if request.method == 'POST':
        email = request.form.get('email', '').strip().lower()
        users = User.search([
                ('email', '=', email),
                ('party', '!=', None),
                ]) if email else []
        if users:
            url = request.host_url.rstrip('/') + portal.url('reset/password')
            with Transaction().set_context(crm_portal_reset_url=url):
                User.reset_password(users)
        # the same answer for any address: nobody learns who has an account
        return portal.render('message.html', title='reset_title',
            message='reset_sent')
    return portal.render('reset.html')


@portal_route('reset/password', methods=['GET', 'POST'], login=False)
def reset_password(portal):
    "Set a new password with the token of the e-mail"
    pool = portal.pool
    User = pool.get('web.user')
    values = portal.request.values
    email, token = values.get('email', ''), values.get('token', '')
    error = None
    if portal.request.method == 'POST':
        try:
            password = new_password(portal, User.search([
                        ('email', '=', email.lower()),
                        ]))
        except UserError as exception:
            error = exception.message
        else:
            if email and token and User.set_password_token(
                    email, token, password):
                return portal.render('message.html', title='reset_title',
                    message='reset_done', link=('login', 'login'))
            error = portal.translate('reset_invalid')
    return portal.render(
        'reset_password.html', email=email, token=token, error=error)


@portal_route('language/<code>', login=False)
def language(portal, code):
    if code not in LOCALES:
        raise NotFound()
    portal.set_cookie(LANGUAGE_COOKIE, code, max_age=ONE_YEAR)
    return portal.redirect(
        local_path(portal, portal.request.args.get('next')))


@portal_route('static/<name>', login=False)
def static(portal, name):
    if name not in STATIC_FILES:
        raise NotFound()
    response = Response(
        (STATIC / name).read_bytes(), content_type=STATIC_FILES[name])
    response.headers['Cache-Control'] = 'public, max-age=3600'
    # nosniff and the other headers of the pages
    return portal.finish(response)
