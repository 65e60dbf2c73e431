# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The payment provider the customers pay their invoices through (S10)"
from proteus import Model

PROVIDER_NAME = "Демо-оплата"
PROVIDER_CODE = 'demo'
# Printed in the summary: sign the test notifications with it
PROVIDER_SECRET = 'demo-secret'
# The demo's stand-in for the provider's checkout page (demo/checkout.py)
CHECKOUT_PORT = 8001
CHECKOUT_URL = (
    f'http://127.0.0.1:{CHECKOUT_PORT}/checkout?invoice={{invoice}}'
    '&amount={amount}&currency={currency}&return={return_url}')


def setup_payment_provider(demo):
    "Create the provider of the portal's Pay, booking by bank transfer"
    Provider = Model.get('crm.payment.provider')
    provider = Provider(
        name=PROVIDER_NAME, code=PROVIDER_CODE, company=demo.company,
        secret=PROVIDER_SECRET, payment_method=demo.payment_method,
        checkout_url=CHECKOUT_URL)
    provider.save()
    demo.payment_provider = provider
