# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""What the service pages of the customer portal share (V6): their templates,
their texts and the routes that exist only where crm_service is activated"""
from functools import wraps
from pathlib import Path

from werkzeug.exceptions import NotFound

from trytond.i18n import gettext
from trytond.modules.crm_sales.portal import add_template_folder, portal_route

add_template_folder(Path(__file__).parent / 'portal_templates')


def text(key, **variables):
    "The portal text crm_service.msg_portal_service_<key> (t in templates)"
    return gettext(f'crm_service.msg_portal_service_{key}', **variables)


def service_route(path, model, methods=('GET',)):
    """Serve the page at path as portal_route does, in the databases where
    model exists: elsewhere crm_service is not activated and the page is
    missing (404), as its menu entry is"""
    def decorator(func):
        @wraps(func)
        def page(portal, **kwargs):
            try:
                portal.pool.get(model)
            except KeyError:
                raise NotFound()
            return func(portal, **kwargs)
        return portal_route(path, methods=methods)(page)
    return decorator


def render(portal, template, status=200, **values):
    "The page of template with the service texts as t"
    return portal.render(template, status=status, t=text, **values)
