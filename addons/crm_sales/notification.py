# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta


class NotificationEmail(metaclass=PoolMeta):
    __name__ = 'notification.email'

    def send_email(self, records, trigger):
        # Customers without an e-mail address are not notified: do not open
        # a connection to the mail server for nobody
        records = [r for r in records
            if any(get(r)[0] for get in [
                        self._get_to, self._get_cc, self._get_bcc])]
        if records:
            super().send_email(records, trigger)


class Email(metaclass=PoolMeta):
    __name__ = 'ir.email'

    @classmethod
    def on_modification(cls, mode, emails, field_names=None):
        super().on_modification(mode, emails, field_names=field_names)
        if mode == 'create':
            cls.log_crm_activities(emails)

    @classmethod
    def log_crm_activities(cls, emails):
        """Record the customer notifications sent about a sale and its
        documents as outgoing e-mails in the customer's history (S9)"""
        pool = Pool()
        Activity = pool.get('crm.activity')
        now = dt.datetime.now().replace(microsecond=0)
        activities = []
        for email in emails:
            if not email.notification_email:
                continue
            about = email._crm_activity_about()
            if not about:
                continue
            company, party, origin, salesperson = about
            addresses = {a.address for a in email.addresses}
            contact_mechanism = next((m for m in party.contact_mechanisms
                    if m.type == 'email' and m.email in addresses), None)
            activities.append(Activity(
                    company=company,
                    party=party,
                    contact_mechanism=contact_mechanism,
                    employee=salesperson or party.account_manager,
                    type='email',
                    direction='outgoing',
                    subject=email.subject or email.notification_email.rec_name,
                    description=gettext(
                        'crm_sales.msg_notification_activity_description',
                        recipients=', '.join(sorted(addresses))),
                    planned_date=now,
                    done_date=now,
                    origin=origin,
                    state='done'))
        Activity.save(activities)

    def _crm_activity_about(self):
        """Return the company, the customer, the document to link the activity
        to and the salesperson of the resource notified or None"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Invoice = pool.get('account.invoice')
        ShipmentOut = pool.get('stock.shipment.out')
        Step = pool.get('crm.commissioning.step')
        record = self.resource
        if isinstance(record, Step):
            record = record.sale
        if isinstance(record, Sale):
            return (
                record.company, record.party, record, record.salesperson)
        elif isinstance(record, Invoice):
            salesperson = next((l.salesperson for l in record.lines
                    if l.salesperson), None)
            return record.company, record.party, record, salesperson
        elif isinstance(record, ShipmentOut):
            sale = next((m.sale for m in record.outgoing_moves if m.sale),
                None)
            return (record.company, record.customer, sale,
                sale.salesperson if sale else None)
