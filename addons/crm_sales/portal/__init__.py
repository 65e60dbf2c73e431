# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The customer portal (S12): server-rendered pages under /<database>/portal/
for the customers' web users, served by trytond itself."""
from . import (  # noqa: F401 the routes register on import
    account_routes, invoice_routes, order_routes, profile_routes)
from .rendering import add_template_folder
from .routing import add_menu_entry, portal_route

__all__ = ['add_menu_entry', 'add_template_folder', 'portal_route']
