# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""A demo customer on the portal in Chromium, and the payment provider
played by the test: log in, follow an order, pay an invoice (S12, S10).
Also deliveries of notifications at once to the live server."""
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import ROUND_DOWN, Decimal
from urllib.parse import parse_qs, urlsplit

from demo_server import DATABASE, PASSWORD, ChromiumTestCase
from playwright.sync_api import expect

# the test is the demo's payment provider
from demo.checkout import notify

PARALLEL = 10


def rouble_pattern(amount):
    "The text of amount in roubles as babel writes it in Russian"
    whole, cents = f'{amount:,.2f}'.split('.')
    return whole.replace(',', '\xa0') + ',' + cents + '\xa0₽'


class PortalBrowserTestCase(ChromiumTestCase):
    "A customer pays an invoice on the portal; the test is the provider"
    viewport = {'width': 390, 'height': 844}  # a phone

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = f'{cls.url}/{DATABASE}/portal'
        cls.pick_customer()

    @classmethod
    def unpaid_invoices(cls, party=None):
        "The posted customer invoices with an amount due, largest first"
        domain = [('type', '=', 'out'), ('state', '=', 'posted')]
        if party:
            domain.append(('party', '=', party))
        invoices = cls.call('account.invoice', 'read',
            cls.call('account.invoice', 'search', domain, 0, None, None),
            ['number', 'party', 'amount_to_pay', 'currency.code'])
        return sorted((i for i in invoices if i['amount_to_pay'] > 0),
            key=lambda i: (-i['amount_to_pay'], i['id']))

    @classmethod
    def pick_customer(cls):
        "A demo portal user with an unpaid invoice and an order under way"
        users = cls.call('web.user', 'read',
            cls.call('web.user', 'search', [], 0, None, [('id', 'ASC')]),
            ['email', 'party', 'party.rec_name'])
        for user in users:
            invoices = cls.unpaid_invoices(user['party'])
            orders = cls.call('sale.sale', 'search', [
                    ('party', '=', user['party']),
                    ('state', 'in', ['processing', 'done']),
                    ], 0, 1, [('sale_date', 'DESC')])
            if invoices and orders:
                break
        else:
            raise RuntimeError(f"No demo portal user to pay: {users}")
        cls.email = user['email']
        cls.customer = user['party.']['rec_name']
        cls.invoice = invoices[0]
        cls.order, = cls.call('sale.sale', 'read', orders, ['number'])
        sys.stderr.write(
            f"\n[portal test] {cls.email} ({cls.customer}): invoice "
            f"{cls.invoice['number']} due {cls.invoice['amount_to_pay']}, "
            f"order {cls.order['number']}\n")

    def notify(self, invoice, amount, transaction=None):
        "Deliver the provider's signed notification; return status, answer"
        return notify(self.url, DATABASE, invoice['number'], amount,
            invoice['currency.']['code'], transaction)

    def log_in(self):
        page = self.page
        page.goto(f'{self.portal}/')
        expect(page.locator('h1')).to_have_text("Вход в личный кабинет")
        page.get_by_label("Адрес эл. почты").fill(self.email)
        page.get_by_label("Пароль").fill(PASSWORD)
        page.get_by_role('button', name="Войти").click()
        expect(page.locator('h1')).to_have_text(
            f"Здравствуйте, {self.customer}")

    def test_pay_invoice(self):
        "Log in, see an order's timeline, pay an invoice, see it paid"
        page = self.page
        invoice = self.invoice
        with self.recording('portal_dashboard.png'):
            self.log_in()
            expect(page.locator('[data-figure=amount-due]')).to_contain_text(
                "₽")

        with self.recording('portal_order.png'):
            page.get_by_role('link', name="Заказы", exact=True).click()
            page.get_by_role(
                'link', name=self.order['number'], exact=True).click()
            expect(page.locator('h1')).to_contain_text(
                f"Заказ {self.order['number']}")
            steps = page.locator('ol.timeline > li')
            expect(steps.first).to_have_attribute('data-step', 'quotation')
            confirmed = page.locator('ol.timeline > li[data-step=confirmed]')
            expect(confirmed).to_have_attribute('data-state', 'done')

        # The test is the provider: its checkout page is answered here
        checkouts = []

        def checkout(route):
            checkouts.append(route.request.url)
            route.fulfill(
                status=200, content_type='text/html; charset=utf-8',
                body='<h1>Demo checkout</h1>')
        page.route('**/checkout?**', checkout)

        with self.recording('portal_invoice.png'):
            page.goto(f"{self.portal}/invoices/{invoice['id']}")
            due = rouble_pattern(invoice['amount_to_pay'])
            expect(page.locator('[data-figure=amount-due]')).to_have_text(due)
            expect(page.locator('h1 [data-state]')).to_have_text(
                "Ожидает оплаты")
        with self.recording('portal_checkout.png'):
            page.get_by_role('link', name=f"Оплатить {due}").click()
            expect(page.locator('h1')).to_have_text("Demo checkout")
        query = parse_qs(urlsplit(checkouts[0]).query)
        self.assertEqual(query['invoice'], [invoice['number']])
        self.assertEqual(
            Decimal(query['amount'][0]), invoice['amount_to_pay'])
        self.assertEqual(query['currency'], ['RUB'])
        back = query['return'][0]
        self.assertTrue(back.endswith(f"/portal/invoices/{invoice['id']}"))

        status, answer = self.notify(invoice, invoice['amount_to_pay'])
        self.assertEqual((status, answer['status']), (200, 'applied'))

        with self.recording('portal_invoice_paid.png'):
            page.goto(back)
            expect(page.locator('h1 [data-state]')).to_have_text("Оплачен")
            expect(page.locator('[data-figure=amount-due]')).to_have_text(
                rouble_pattern(0))
            expect(page.locator('a.pay')).to_have_count(0)

    def test_parallel_deliveries(self):
        """The same notification delivered 10 times at once books one
        payment; 10 at once of a quarter of the amount due book 4, the
        others are refused"""
        invoices = [i for i in self.unpaid_invoices()
            if i['id'] != self.invoice['id']]
        same, shared = invoices[0], invoices[1]
        lines = self.payment_lines(same)
        transaction = secrets.token_hex(8)
        with ThreadPoolExecutor(PARALLEL) as pool:
            answers = list(pool.map(
                    lambda _: self.notify(
                        same, same['amount_to_pay'], transaction),
                    range(PARALLEL)))
        statuses = sorted((s, a['status']) for s, a in answers)
        self.assertEqual(statuses,
            [(200, 'applied')] + [(200, 'duplicate')] * (PARALLEL - 1))
        self.assertEqual(self.payment_lines(same), lines + 1)
        self.assertEqual(self.amount_to_pay(same), 0)

        # rounded down: the fifth quarter is always above what is left
        quarter = (shared['amount_to_pay'] / 4).quantize(
            Decimal('0.01'), rounding=ROUND_DOWN)
        lines = self.payment_lines(shared)
        with ThreadPoolExecutor(PARALLEL) as pool:
            answers = list(pool.map(
                    lambda _: self.notify(shared, quarter),
                    range(PARALLEL)))
        applied = [a for s, a in answers if s == 200]
        self.assertEqual(len(applied), 4, answers)
        # the others are refused: above the amount due, or the invoice paid
        self.assertTrue(all(s in {409, 422} and a['status'] == 'rejected'
                for s, a in answers if s != 200), answers)
        self.assertEqual(self.payment_lines(shared), lines + 4)
        self.assertEqual(
            self.amount_to_pay(shared), shared['amount_to_pay'] - 4 * quarter)
        sys.stderr.write(
            f"\n[portal test] {2 * PARALLEL} parallel deliveries: "
            f"{statuses} / {sorted(s for s, _ in answers)}\n")

    def payment_lines(self, invoice):
        record, = self.call(
            'account.invoice', 'read', [invoice['id']], ['payment_lines'])
        return len(record['payment_lines'])

    def amount_to_pay(self, invoice):
        record, = self.call(
            'account.invoice', 'read', [invoice['id']], ['amount_to_pay'])
        return record['amount_to_pay']
