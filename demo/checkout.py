# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The demo payment provider's checkout page: "Pay" on the portal leads
here, paying sends the signed notification to the CRM and goes back to the
invoice (S10). A stand-in for a real provider, for the demo only.

Usage: python -m demo.checkout --database crm --server http://127.0.0.1:8000
"""
import argparse
import hashlib
import hmac
import html
import json
import secrets
import urllib.error
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .payments import CHECKOUT_PORT, PROVIDER_CODE, PROVIDER_SECRET

PAGE = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Демо-оплата</title></head>
<body style="font-family: sans-serif; max-width: 26em; margin: 3em auto">
<h1>Демо-оплата</h1>
<p>Счёт <strong>{invoice}</strong>: <strong>{amount} {currency}</strong></p>
<p><small>Демонстрационный платёжный сервис: деньги не списываются.</small></p>
<form method="post" action="/checkout/pay">
<input type="hidden" name="invoice" value="{invoice}">
<input type="hidden" name="amount" value="{amount}">
<input type="hidden" name="currency" value="{currency}">
<input type="hidden" name="return" value="{back}">
<button type="submit">Оплатить</button> <a href="{back}">Отмена</a>
</form>{error}</body></html>"""


def notify(server, database, invoice, amount, currency, transaction=None,
        secret=PROVIDER_SECRET):
    """Send the CRM the notification of a succeeded payment signed with
    secret; return the HTTP status and the answer"""
    body = json.dumps({
            'id': transaction or 'demo-' + secrets.token_hex(8),
            'invoice': invoice,
            'amount': str(amount),
            'currency': currency,
            'status': 'succeeded',
            }).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f'{server}/{database}/crm/payment/{PROVIDER_CODE}', data=body,
        headers={
            'Content-Type': 'application/json',
            'X-Signature': f'sha256={signature}',
            })
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'{}')


def handler(server, database):
    class Checkout(BaseHTTPRequestHandler):
        def page(self, values, error=''):
            text = PAGE.format(error=error, **{
                    k: html.escape(values.get(k, [''])[0]) for k in [
                        'invoice', 'amount', 'currency']},
                back=html.escape(values.get('return', [''])[0]))
            self.send_response(HTTPStatus.OK)
            self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.end_headers()
            self.wfile.write(text.encode())

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path != '/checkout':
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            self.page(parse_qs(url.query))

        def do_POST(self):
            length = int(self.headers.get('Content-Length') or 0)
            values = parse_qs(self.rfile.read(length).decode())
            status, answer = notify(server, database, *(
                    values.get(k, [''])[0]
                    for k in ['invoice', 'amount', 'currency']))
            back = values.get('return', [''])[0]
            if status == HTTPStatus.OK and back.startswith(server):
                self.send_response(HTTPStatus.SEE_OTHER)
                self.send_header('Location', back)
                self.end_headers()
            else:
                self.page(values, error='<p>%s: %s</p>' % (
                        status, html.escape(answer.get('message')
                            or answer.get('reason') or '')))
    return Checkout


def main():
    parser = argparse.ArgumentParser(
        prog='python -m demo.checkout', description=__doc__.splitlines()[0])
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--server', default='http://127.0.0.1:8000',
        help="the address of trytond (default: %(default)s)")
    parser.add_argument('--port', type=int, default=CHECKOUT_PORT)
    options = parser.parse_args()
    httpd = ThreadingHTTPServer(
        ('127.0.0.1', options.port),
        handler(options.server.rstrip('/'), options.database))
    httpd.serve_forever()


if __name__ == '__main__':
    main()
