# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The customer notifications stay off while the history is generated

The demo documents are back-dated: e-mailing their customers, or logging
e-mails of today in their history, would be wrong (and there is no mail
server). The notifications are on again at the end, as a user expects."""

TRIGGERS = [
    'crm_sales.trigger_notification_sale_confirmed',
    'crm_sales.trigger_notification_invoice_posted',
    'crm_sales.trigger_notification_shipment_done',
    'crm_sales.trigger_notification_commissioning_step_done',
    ]


def _set_active(demo, active):
    demo.write('ir.trigger', {
            demo.model_id(t): {'active': active} for t in TRIGGERS})


def pause_notifications(demo):
    _set_active(demo, False)


def resume_notifications(demo):
    _set_active(demo, True)
