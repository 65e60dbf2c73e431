# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"The customers who log into the portal (S12)"
from collections import defaultdict

from .sale import _lines, sale_values

PORTAL_USERS = 3
SALE_STATES = {'quotation', 'processing', 'done', 'cancelled'}


def _portal_customers(demo):
    """The customers whose portal shows the most: orders in many states,
    invoices paid and unpaid"""
    states = defaultdict(set)
    customers = {}
    for plan in demo.sales:
        customer = plan['customer']
        customers[customer['id']] = customer
        states[customer['id']].add(plan['state'])
    invoices = demo.search('account.invoice', [
            ('type', '=', 'out'),
            ('state', 'in', ['posted', 'paid']),
            ])
    for invoice in demo.read('account.invoice', invoices, ['party', 'state']):
        states[invoice['party']].add('invoice ' + invoice['state'])

    def score(id_):
        return (len(states[id_] & (SALE_STATES | {
                        'invoice posted', 'invoice paid'})), -id_)
    ranked = sorted(
        (i for i in customers if customers[i]['kind'] == 'company'),
        key=score, reverse=True)
    return [(customers[i], states[i]) for i in ranked[:PORTAL_USERS]]


def _quote(demo, customer):
    "A quotation waiting for the customer's answer on the portal"
    sale, = demo.create('sale.sale', [sale_values(
                demo, customer, _lines(demo, customer), None, demo.today)])
    demo.click('sale.sale', [sale], 'quote')


def create_portal_users(demo):
    """Give a few customers a portal login, with a quotation to answer"""
    chosen = _portal_customers(demo)
    parties = demo.read(
        'party.party', [c['id'] for c, _ in chosen], ['name', 'email'])
    values = []
    for number, ((customer, states), party) in enumerate(
            zip(chosen, parties), 1):
        if 'quotation' not in states:
            _quote(demo, customer)
        email = (party['email'] or f'client{number}@example.ru').lower()
        values.append({
                'email': email,
                'password': demo.password,
                'party': customer['id'],
                'email_valid': True,
                })
        demo.portal_users.append((email, party['name']))
    demo.create('web.user', values)
