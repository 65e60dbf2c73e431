# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Electronic payments (S10): the providers customers pay invoices through
and the signed notifications they send, which book the payments"""
import datetime as dt
import hashlib
import hmac
import json
import re
import urllib.parse
from decimal import Decimal, InvalidOperation

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

CODE = re.compile(r'[a-z0-9_-]+')
PLACEHOLDER = re.compile(r'\{([^{}]*)\}')
CHECKOUT_PLACEHOLDERS = ('invoice', 'amount', 'currency', 'return_url')
# The keys a notification must have, and the longest text accepted in each
NOTIFICATION_KEYS = {
    'id': 100,
    'invoice': 100,
    'currency': 3,
    'status': 50,
    }
SUCCEEDED = 'succeeded'


class Provider(DeactivableMixin, ModelSQL, ModelView):
    "A payment service customers pay their invoices through"
    __name__ = 'crm.payment.provider'
    __string__ = "Payment Provider"
    name = fields.Char("Name", required=True)
    code = fields.Char(
        "Code", required=True,
        help="Identifies the provider in the address it sends its "
        "notifications to: /<database>/crm/payment/<code>.\n"
        "Only lowercase Latin letters, digits, \"-\" and \"_\".")
    company = fields.Many2One('company.company', "Company", required=True)
    secret = fields.Char(
        "Secret", required=True, strip=False,
        help="The key shared with the provider: each notification must be "
        "signed with it (HMAC-SHA256 of the body, "
        "in the header \"X-Signature: sha256=<hex>\").")
    payment_method = fields.Many2One(
        'account.invoice.payment.method', "Payment Method", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="Books the payments: its journal and the account it debits.")
    journal = fields.Function(fields.Many2One(
            'account.journal', "Journal",
            help="The journal of the payment method."),
        'on_change_with_journal')
    checkout_url = fields.Char(
        "Checkout URL", required=True,
        help="The page of the provider where the customer pays an invoice.\n"
        "Placeholders: {invoice} the invoice number, "
        "{amount} the amount due (such as 1234.50), "
        "{currency} the ISO code of the currency, "
        "{return_url} the page the customer comes back to.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'crm_sales.msg_payment_provider_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('payment_method', '_parent_payment_method.journal')
    def on_change_with_journal(self, name=None):
        if self.payment_method:
            return self.payment_method.journal

    @classmethod
    def validate_fields(cls, providers, field_names):
        super().validate_fields(providers, field_names)
        if 'code' in field_names:
            for provider in providers:
                if not CODE.fullmatch(provider.code or ''):
                    raise ValidationError(gettext(
                            'crm_sales.msg_payment_provider_code_format',
                            provider=provider.rec_name,
                            code=provider.code))
        if 'checkout_url' in field_names:
            for provider in providers:
                provider.check_checkout_url()

    def check_checkout_url(self):
        url = self.checkout_url or ''
        names = PLACEHOLDER.findall(url)
        rest = PLACEHOLDER.sub('', url)
        if (urllib.parse.urlsplit(url).scheme.lower() not in {'http', 'https'}
                or not set(names) <= set(CHECKOUT_PLACEHOLDERS)
                or '{' in rest or '}' in rest):
            raise ValidationError(gettext(
                    'crm_sales.msg_payment_provider_checkout_url',
                    provider=self.rec_name,
                    placeholders=', '.join(
                        '{%s}' % p for p in CHECKOUT_PLACEHOLDERS)))

    def get_checkout_url(self, invoice, return_url):
        "Return the address where the customer pays the invoice"
        currency = invoice.currency
        values = {
            'invoice': invoice.number or '',
            'amount': format(
                currency.round(invoice.amount_to_pay or Decimal(0)), 'f'),
            'currency': currency.code,
            'return_url': return_url or '',
            }
        return PLACEHOLDER.sub(
            lambda m: urllib.parse.quote(values[m.group(1)], safe=''),
            self.checkout_url)

    @classmethod
    def get_for_invoice(cls, invoice):
        "Return the provider customers pay the invoice through or None"
        if invoice.type != 'out':
            return None
        providers = cls.search([
                ('company', '=', invoice.company.id),
                ], order=[('name', 'ASC'), ('id', 'ASC')], limit=1)
        if providers:
            provider, = providers
            return provider

    def sign(self, body):
        "Return the signature of the body as sent in X-Signature"
        digest = hmac.new(
            self.secret.encode('utf-8'), body, hashlib.sha256).hexdigest()
        return 'sha256=' + digest

    def check_signature(self, body, header):
        "Tell if the header is the signature of the body with the secret"
        if not self.secret or not header:
            return False
        scheme, _, value = header.strip().partition('=')
        if scheme.strip().lower() != 'sha256':
            return False
        expected = self.sign(body).partition('=')[2]
        return hmac.compare_digest(
            expected.encode('ascii'),
            value.strip().lower().encode('utf-8', 'replace'))


class Notification(ModelSQL, ModelView):
    "A notification of a payment sent by a provider, as received"
    __name__ = 'crm.payment.notification'
    __string__ = "Payment Notification"
    _rec_name = 'transaction_id'
    _history = True

    provider = fields.Many2One(
        'crm.payment.provider', "Provider", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    transaction_id = fields.Char(
        "Transaction", required=True, readonly=True,
        help="The provider's identifier of the payment.")
    invoice = fields.Many2One(
        'account.invoice', "Invoice", readonly=True, ondelete='SET NULL',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'out'),
            ])
    invoice_reference = fields.Char(
        "Invoice Reference", readonly=True,
        help="The invoice number the provider sent.")
    amount = fields.Numeric("Amount", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    currency_code = fields.Char(
        "Currency Code", readonly=True,
        help="The currency code the provider sent.")
    status = fields.Char(
        "Provider Status", readonly=True,
        help="The status of the payment the provider sent; "
        "only \"succeeded\" books a payment.")
    state = fields.Selection([
            ('received', "Received"),
            ('applied', "Applied"),
            ('rejected', "Rejected"),
            ], "State", required=True, readonly=True, sort=False,
        help="Received: recorded, nothing booked.\n"
        "Applied: the payment is booked on the invoice.\n"
        "Rejected: refused for the reason shown, nothing booked.")
    reason = fields.Selection([
            (None, ""),
            ('unknown_invoice', "Unknown invoice"),
            ('invoice_not_open', "Invoice not open"),
            ('wrong_currency', "Wrong currency"),
            ('amount_not_positive', "Amount not positive"),
            ('amount_too_high', "Amount above the amount due"),
            ('amount_precision', "Amount with too many decimals"),
            ], "Reason", readonly=True, sort=False,
        states={
            'invisible': Eval('state') != 'rejected',
            })
    reason_text = fields.Function(fields.Text(
            "Explanation",
            states={
                'invisible': Eval('state') != 'rejected',
                }),
        'get_reason_text')
    received_at = fields.Timestamp("Received at", readonly=True)
    move = fields.Many2One(
        'account.move', "Move", readonly=True, ondelete='RESTRICT',
        states={
            'invisible': ~Eval('move'),
            },
        help="The accounting move of the payment.")
    body = fields.Text(
        "Body", readonly=True,
        help="The notification as the provider sent it.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('transaction_unique', Unique(t, t.provider, t.transaction_id),
                'crm_sales.msg_payment_notification_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.invoice, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [
            ('received_at', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]

    @classmethod
    def default_state(cls):
        return 'received'

    def get_reason_text(self, name):
        if self.reason:
            return gettext(
                'crm_sales.msg_payment_reason_%s' % self.reason,
                invoice=self.invoice_reference or '',
                amount=self.amount if self.amount is not None else '',
                currency=self.currency_code or '')

    @classmethod
    def receive(cls, provider_code, body, signature):
        """Record the notification body sent for the provider with the
        signature and book the payment it reports

        Return the HTTP status and the payload to answer."""
        pool = Pool()
        Provider = pool.get('crm.payment.provider')
        # only a well-formed code is looked up, exactly (the search strips)
        providers = Provider.search([
                ('code', '=', provider_code),
                ], limit=1) if CODE.fullmatch(provider_code) else []
        if not providers or providers[0].code != provider_code:
            return 404, {'status': 'error', 'reason': 'unknown_provider'}
        provider, = providers
        if not provider.check_signature(body, signature):
            return 401, {'status': 'error', 'reason': 'bad_signature'}
        data = cls._parse(body)
        if data is None:
            return 400, {'status': 'error', 'reason': 'bad_request'}
        cls._wait_for_other_deliveries()
        with Transaction().set_context(company=provider.company.id):
            return cls._receive(provider, data, body.decode('utf-8'))

    @classmethod
    def _wait_for_other_deliveries(cls):
        """Serialise the deliveries before they read anything on SQLite: it
        takes its write lock only at the first write, by then a delivery
        running alongside may have booked what this one read as unpaid
        (PostgreSQL locks the invoice instead)"""
        if backend.name == 'sqlite':
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            # a write that changes nothing starts the IMMEDIATE transaction
            cursor.execute(*table.update(
                    [table.id], [table.id], where=table.id == -1))

    @classmethod
    def _parse(cls, body):
        "Return the values of the notification body or None if invalid"
        def refuse(value):
            raise ValueError(value)
        try:
            data = json.loads(
                body.decode('utf-8'),
                parse_float=Decimal, parse_constant=refuse)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        values = {}
        for key, size in NOTIFICATION_KEYS.items():
            value = data.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if (not isinstance(value, str) or not value.strip()
                    or len(value) > size):
                return None
            if '\x00' in value:
                # no database stores it: refused as malformed
                return None
            values[key] = value.strip()
        amount = data.get('amount')
        if isinstance(amount, bool):
            return None
        try:
            amount = Decimal(
                amount if isinstance(amount, (str, int, Decimal)) else '')
        except InvalidOperation:
            return None
        # Larger or finer amounts are no money: refused before the database
        if (not amount.is_finite() or amount.adjusted() > 15
                or amount.as_tuple().exponent < -12):
            return None
        values['amount'] = amount
        values['currency'] = values['currency'].upper()
        return values

    @classmethod
    def _receive(cls, provider, data, text):
        pool = Pool()
        Currency = pool.get('currency.currency')
        Invoice = pool.get('account.invoice')

        invoices = Invoice.search([
                ('number', '=', data['invoice']),
                ('type', '=', 'out'),
                ('company', '=', provider.company.id),
                ], order=[('id', 'DESC')], limit=1)
        invoice = invoices[0] if invoices else None
        if invoice:
            # Serialise the notifications of an invoice: the first call
            # restarts the transaction which then locks the invoice first
            Invoice.lock([invoice])

        notifications = cls.search([
                ('provider', '=', provider.id),
                ('transaction_id', '=', data['id']),
                ], limit=1)
        if notifications:
            notification, = notifications
            if notification.state == 'applied':
                return 200, {'status': 'duplicate'}
        else:
            notification = cls(
                provider=provider,
                company=provider.company,
                transaction_id=data['id'],
                received_at=dt.datetime.now())
        currencies = Currency.search([
                ('code', '=', data['currency']),
                ], limit=1)
        notification.invoice = invoice
        notification.invoice_reference = data['invoice']
        notification.amount = data['amount']
        notification.currency = currencies[0] if currencies else None
        notification.currency_code = data['currency']
        notification.status = data['status']
        notification.body = text
        notification.reason = None
        notification.move = None

        if data['status'] != SUCCEEDED:
            notification.state = 'received'
            notification.save()
            return 200, {'status': 'received'}

        http_status, reason = notification._check()
        if reason:
            notification.state = 'rejected'
            notification.reason = reason
            notification.save()
            return http_status, {
                'status': 'rejected',
                'reason': reason,
                'message': notification.reason_text,
                }

        notification.move = notification._book()
        notification.state = 'applied'
        notification.save()
        return 200, {'status': 'applied'}

    def _check(self):
        "Return the HTTP status and the reason to refuse the payment or None"
        invoice = self.invoice
        if not invoice:
            return 404, 'unknown_invoice'
        if invoice.state != 'posted':
            return 409, 'invoice_not_open'
        if self.currency_code != invoice.currency.code:
            return 422, 'wrong_currency'
        if self.amount <= 0:
            return 422, 'amount_not_positive'
        if invoice.currency.round(self.amount) != self.amount:
            return 422, 'amount_precision'
        if self.amount > invoice.amount_to_pay:
            return 422, 'amount_too_high'
        return None, None

    def _book(self):
        """Pay the invoice with the amount, reconciled when nothing remains
        due, as the invoice's pay wizard does, and return the move"""
        pool = Pool()
        Date = pool.get('ir.date')
        MoveLine = pool.get('account.move.line')
        invoice = self.invoice
        provider = self.provider
        reconcile_lines, remainder = invoice.get_reconcile_lines_for_amount(
            self.amount, invoice.currency)
        lines = invoice.pay_invoice(
            self.amount, provider.payment_method, Date.today(),
            gettext('crm_sales.msg_payment_move_description',
                transaction=self.transaction_id,
                provider=provider.rec_name))
        if not remainder:
            MoveLine.reconcile(list(reconcile_lines) + list(lines))
        return lines[0].move
