# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The customer's invoices: amount due, a printable copy, and "Pay" through
the payment provider's checkout (S12, S10)"""
from .menu import add_menu_entry
from .pagination import Page
from .routing import portal_route

# Invoices the customer sees: those sent, not drafts nor cancelled ones
VISIBLE = [
    ('type', '=', 'out'),
    ('state', 'in', ['posted', 'paid']),
    ]
ORDER = [('invoice_date', 'DESC'), ('id', 'DESC')]

add_menu_entry('invoices', 'crm_sales.msg_portal_invoices', 'invoices', 30)


def provider(portal, invoice):
    "The payment provider that takes the payment of invoice, if any"
    Provider = portal.pool.get('crm.payment.provider')
    if invoice.state == 'posted' and invoice.amount_to_pay > 0:
        return Provider.get_for_invoice(invoice)


@portal_route('invoices')
def invoices(portal):
    page = Page(portal, 'account.invoice', VISIBLE, order=ORDER)
    return portal.render('invoices.html', active='invoices', page=page)


@portal_route('invoices/<int:invoice_id>')
def invoice(portal, invoice_id):
    invoice = portal.get('account.invoice', invoice_id, VISIBLE)
    return portal.render('invoice.html', active='invoices', invoice=invoice,
        can_pay=bool(provider(portal, invoice)))


@portal_route('invoices/<int:invoice_id>/print')
def print_invoice(portal, invoice_id):
    invoice = portal.get('account.invoice', invoice_id, VISIBLE)
    return portal.render('invoice_print.html', invoice=invoice)


@portal_route('invoices/<int:invoice_id>/pay')
def pay(portal, invoice_id):
    "Send the customer to the provider's checkout page for the amount due"
    invoice = portal.get('account.invoice', invoice_id, VISIBLE)
    checkout = provider(portal, invoice)
    if not checkout:
        # paid meanwhile (a second click, another tab): show it
        return portal.redirect(f'invoices/{invoice.id}')
    back = portal.request.host_url.rstrip('/') + portal.url(
        f'invoices/{invoice.id}')
    return portal.redirect(checkout.get_checkout_url(invoice, back))
