# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The customer invoices of the sales and their payments"
import datetime as dt
import itertools

from .company import PAYMENT_TERMS
from .tools import queued_tasks


def _delays(demo):
    "Return the days until due of each payment term"
    return {
        t.id: days for t, (_, days) in zip(demo.payment_terms, PAYMENT_TERMS)}


def post_invoices(demo):
    "Date the invoices of the confirmed sales and post them"
    rng = demo.random
    delays = _delays(demo)
    plans = [p for p in demo.sales if p['state'] in {'processing', 'done'}]
    sales = demo.read('sale.sale', [p['id'] for p in plans], ['invoices'])
    invoices = []
    for plan, sale in zip(plans, sales):
        date = min(
            plan['sale_date'] + dt.timedelta(days=rng.randint(0, 3)),
            demo.today)
        due_date = date + dt.timedelta(
            days=delays[plan['customer']['payment_term'].id])
        invoices.extend({
                'id': i,
                'date': date,
                'due_date': due_date,
                'plan': plan,
                } for i in sale['invoices'])
    demo.write('account.invoice', {
            i['id']: {'invoice_date': i['date']} for i in invoices})
    # The numbers of a sequence must follow the invoice dates
    invoices.sort(key=lambda i: (i['date'], i['id']))
    # Checked apart from the posting, which SQLite may have to restart
    demo.click('account.invoice', [i['id'] for i in invoices],
        'validate_invoice')
    # The worker renders the invoice reports, as on a production server:
    # rendering them all here would take minutes
    with queued_tasks():
        for year, year_invoices in itertools.groupby(
                invoices, key=lambda i: i['date'].year):
            # On SQLite, a call restarts for each sequence it locks:
            # a batch with the sequences of one fiscal year restarts once
            demo.click('account.invoice', [i['id'] for i in year_invoices],
                'post', "invoices %s" % year)
    demo.invoices = invoices


def pay_invoices(demo):
    """Pay the invoices as planned, some of them late

    It does what the account.invoice.pay wizard does, for all the invoices
    at once: the wizard needs several transactions per invoice (half a
    second on SQLite), which would take a quarter of an hour."""
    rng = demo.random
    invoices = [i for i in demo.invoices if i['plan']['paid']]
    values = demo.read('account.invoice', [i['id'] for i in invoices],
        ['number', 'party', 'account', 'total_amount', 'lines_to_pay'])
    periods = demo.read('account.period', demo.search(
            'account.period', [('type', '=', 'standard')]),
        ['start_date', 'end_date'])
    method = demo.payment_method
    moves = []
    for invoice, invoice_values in zip(invoices, values):
        delay = (invoice['due_date'] - invoice['date']).days
        # One customer out of five pays after the due date
        if rng.random() < 0.2:
            delay += rng.randint(1, 20)
        date = min(
            invoice['date'] + dt.timedelta(days=rng.randint(0, delay + 3)),
            demo.today)
        invoice['paid_date'] = date
        amount = invoice_values['total_amount']
        moves.append({
                'journal': method.journal.id,
                'period': next(p['id'] for p in periods
                    if p['start_date'] <= date <= p['end_date']),
                'date': date,
                'origin': 'account.invoice,%d' % invoice['id'],
                'description': "Оплата счёта № %s" % invoice_values['number'],
                'lines': [('create', [{
                                'account': invoice_values['account'],
                                'party': invoice_values['party'],
                                'debit': 0,
                                'credit': amount,
                                }, {
                                'account': method.debit_account.id,
                                'debit': amount,
                                'credit': 0,
                                }])],
                })
    move_ids = demo.create('account.move', moves)
    demo.click('account.move', move_ids, 'post')

    receivables = {v['account'] for v in values}
    lines = demo.read('account.move.line', demo.search('account.move.line', [
                ('move', 'in', move_ids),
                ('account', 'in', list(receivables)),
                ]), ['move'])
    payment_lines = {l['move']: l['id'] for l in lines}
    payment_lines = [payment_lines[m] for m in move_ids]
    demo.write('account.invoice', {
            i['id']: {'payment_lines': [('add', [l])]}
            for i, l in zip(invoices, payment_lines)})
    demo.create('account.move.reconciliation', [{
                'lines': [('add', list(v['lines_to_pay']) + [l])],
                'date': i['paid_date'],
                } for i, v, l in zip(invoices, values, payment_lines)])
