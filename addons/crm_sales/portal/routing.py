# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The extension point of the portal: pages and menu entries.

A module adds a page with the decorator and, if the page belongs in the
menu, an entry (crm_service does both for its contracts and requests)::

    from trytond.modules.crm_sales.portal import (
        add_menu_entry, add_template_folder, portal_route)

    add_template_folder(Path(__file__).parent / 'portal_templates')
    add_menu_entry('contracts', 'crm_service.msg_portal_contracts',
        'contracts', sequence=40, model='sale.subscription')

    @portal_route('contracts')
    def contracts(portal):
        return portal.render('contracts.html',
            contracts=portal.search('sale.subscription', []))

The function gets the Portal of the request (session, language, the
customer's records through portal.search/get — any other id is a 404) and
returns a response. Login and, for POST, the CSRF token are checked
before it runs; templates extend "base.html" and translate with
_('module.msg_id')."""
from functools import wraps
from urllib.parse import urlencode

from werkzeug.exceptions import BadRequest, NotFound

from trytond.protocols.wrappers import with_pool, with_transaction
from trytond.transaction import Transaction
from trytond.wsgi import app

from .menu import add_menu_entry  # noqa: F401 part of the extension point
from .session import Portal, serving_company


def serve(portal, func, login, **kwargs):
    "Run the page func for the portal once its checks pass"
    request = portal.request
    if login and not portal.user:
        back = request.full_path.rstrip('?') if request.method == 'GET' else ''
        return portal.redirect(
            'login' + ('?' + urlencode({'next': back}) if back else ''))
    if request.method == 'POST':
        portal.check_csrf()
    try:
        return func(portal, **kwargs)
    except NotFound:
        # the same page for another customer's id and a missing one
        return portal.render('not_found.html', status=404)


def portal_route(path, methods=('GET',), login=True):
    """Serve the decorated function at /<database>/portal/<path> (werkzeug
    rule syntax); login=False for the pages of anonymous visitors"""
    def decorator(func):
        @app.route(f'/<database_name>/portal/{path}', methods=list(methods))
        @with_pool
        @with_transaction()
        @wraps(func)
        def route(request, pool, **kwargs):
            if any('\x00' in v for v in request.values.values()):
                # no database stores it: a malformed request
                raise BadRequest()
            # the customers' company-dependent values (such as their
            # language) are those of the company serving them
            company = serving_company(pool)
            with Transaction().set_context(
                    company=company.id if company else None):
                portal = Portal(request, pool)
                with Transaction().set_context(portal.context):
                    return serve(portal, func, login, **kwargs)
        return route
    return decorator
