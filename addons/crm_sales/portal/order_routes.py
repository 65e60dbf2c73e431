# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The dashboard, the orders with their timeline and commissioning schedule,
and the quotations the customer accepts or discusses (S12, S11)"""
from collections import defaultdict

from trytond.exceptions import UserError
from trytond.transaction import Transaction

from .menu import add_menu_entry
from .pagination import Page
from .routing import portal_route
from .timeline import timeline

# Orders the customer sees: everything sent to them, drafts are internal
VISIBLE = ('state', 'not in', ['draft'])
OPEN_ORDER = ('state', 'in', ['confirmed', 'processing'])
ORDER = [('sale_date', 'DESC NULLS FIRST'), ('id', 'DESC')]
LATEST = 5

add_menu_entry('dashboard', 'crm_sales.msg_portal_dashboard', '', 10)
add_menu_entry('orders', 'crm_sales.msg_portal_orders', 'orders', 20)


def amounts_due(portal):
    "The amount due and the part of it due by today, per currency"
    due, now = defaultdict(int), defaultdict(int)
    for invoice in portal.search('account.invoice', [
                ('type', '=', 'out'),
                ('state', '=', 'posted'),
                ]):
        due[invoice.currency] += invoice.amount_to_pay
        now[invoice.currency] += invoice.amount_to_pay_today
    return due, now


@portal_route('')
def dashboard(portal):
    due, due_now = amounts_due(portal)
    quotations = portal.search('sale.sale', [
            ('state', '=', 'quotation'),
            ('customer_answer', '=', None),
            ], order=ORDER)
    open_orders = portal.count('sale.sale', [OPEN_ORDER])
    latest_orders = portal.search('sale.sale', [VISIBLE],
        order=ORDER, limit=LATEST)
    latest_invoices = portal.search('account.invoice', [
            ('type', '=', 'out'),
            ('state', 'in', ['posted', 'paid']),
            ], order=[('invoice_date', 'DESC'), ('id', 'DESC')],
        limit=LATEST)
    return portal.render('dashboard.html', active='dashboard',
        due=dict(due), due_now=dict(due_now), quotations=quotations,
        open_orders=open_orders, latest_orders=latest_orders,
        latest_invoices=latest_invoices)


@portal_route('orders')
def orders(portal):
    page = Page(portal, 'sale.sale', [VISIBLE], order=ORDER)
    return portal.render('orders.html', active='orders', page=page)


@portal_route('orders/<int:sale_id>')
def order(portal, sale_id):
    sale = portal.get('sale.sale', sale_id, [VISIBLE])
    invoices = [i for i in sale.invoices if i.state in {'posted', 'paid'}]
    return portal.render('order.html', active='orders', sale=sale,
        steps=timeline(sale), invoices=invoices,
        shipments=[s for s in sale.shipments if s.state != 'cancelled'])


@portal_route('quotations/<int:sale_id>')
def quotation(portal, sale_id):
    sale = portal.get('sale.sale', sale_id, [VISIBLE])
    if sale.state != 'quotation' and not sale.customer_answer:
        return portal.redirect(f'orders/{sale.id}')
    return portal.render('quotation.html', active='orders', sale=sale,
        error=None, values={})


@portal_route(
    'quotations/<int:sale_id>/<any(accept, decline, changes):answer>',
    methods=['POST'])
def answer_quotation(portal, sale_id, answer):
    "Accept the quotation signed with the full name, or decline or discuss it"
    pool = portal.pool
    Sale = pool.get('sale.sale')
    sale = portal.get('sale.sale', sale_id, [('state', '=', 'quotation')])
    form = portal.request.form
    try:
        if answer == 'accept':
            if form.get('agree') != 'yes':
                raise UserError(portal.translate('quotation_agree_required'))
            Sale.portal_accept(
                [sale], portal.user, form.get('signature'),
                portal.remote_address)
        else:
            Sale.portal_answer(
                [sale], {'decline': 'declined'}.get(answer, answer),
                portal.user, form.get('comment'), portal.remote_address)
    except UserError as exception:
        # nothing of a refused answer is kept
        Transaction().rollback()
        return portal.render('quotation.html', status=400, active='orders',
            sale=Sale(sale.id), error=exception.message, values=form)
    return portal.redirect(
        f'orders/{sale.id}' if answer == 'accept' else f'quotations/{sale.id}')
