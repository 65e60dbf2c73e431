# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The status timeline of an order as the customer follows it (S12)"
from typing import NamedTuple

ORDERED = {'confirmed', 'processing', 'done'}
INVOICED = {'awaiting payment', 'partially paid', 'paid'}


class Step(NamedTuple):
    name: str        # quotation, confirmed, invoiced, paid or shipped
    state: str       # done, partial or todo
    date: object     # when it was reached, if known


def _posted(invoices):
    return [i for i in invoices if i.state in {'posted', 'paid'}]


def timeline(sale):
    "The steps quotation → confirmed → invoiced → paid → shipped of sale"
    invoices = _posted(sale.invoices)
    steps = [
        Step('quotation',
            'done' if sale.state in ORDERED | {'quotation'} else 'todo',
            sale.quotation_date),
        Step('confirmed',
            'done' if sale.state in ORDERED else 'todo', sale.sale_date),
        ]
    if sale.invoice_state in INVOICED:
        invoiced = 'done' if sale.invoice_state == 'paid' or all(
            l.quantity <= sum(il.quantity for il in l.invoice_lines
                if il.invoice and il.invoice.state in {'posted', 'paid'})
            for l in sale.lines if l.type == 'line' and l.quantity > 0
            ) else 'partial'
    else:
        invoiced = 'todo'
    steps.append(Step('invoiced', invoiced,
            min((i.invoice_date for i in invoices), default=None)))
    paid = {
        'paid': 'done',
        'partially paid': 'partial',
        }.get(sale.invoice_state, 'todo')
    steps.append(Step('paid', paid,
            max((i.reconciled for i in invoices if i.reconciled),
                default=None) if paid == 'done' else None))
    if any(l.product and l.product.type in {'goods', 'assets'}
            for l in sale.lines if l.type == 'line'):
        shipped = {
            'sent': 'done',
            'partially shipped': 'partial',
            }.get(sale.shipment_state, 'todo')
        shipped_dates = [s.effective_date for s in sale.shipments
            if s.state == 'done' and s.effective_date]
        steps.append(
            Step('shipped', shipped, max(shipped_dates, default=None)))
    return steps
