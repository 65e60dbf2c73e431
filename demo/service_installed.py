# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The installed base (V2): the big climate units are serviceable, each one
shipped is installed equipment of its customer with a serial number and a
warranty; some were installed before the CRM, some are removed already, and
those of the customers with a service contract are covered by it"""
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.pool import Pool
from trytond.transaction import Transaction

# product code: warranty in months
SERVICEABLE = {
    'SVK-24': 12,
    'SVD-36': 24,
    'PVU-500': 12,
    'PVR-800': 36,
    }
# The units installed before the sales of the CRM, years before today
LEGACY = 20
LEGACY_YEARS = (3, 6)
# The share of the units of more than a year taken out of service
REMOVED = 0.04


def setup_serviceable_products(demo):
    "Flag the big units as serviceable with their warranty"
    codes = [c for c in SERVICEABLE if c in demo.products]
    products = demo.read(
        'product.product', [demo.products[c]['id'] for c in codes],
        ['template'])
    demo.write('product.template', {
            p['template']: {
                'serviceable': True,
                'warranty_months': SERVICEABLE[code],
                }
            for code, p in zip(codes, products)})


def create_installed_base(demo):
    """Install the units shipped by the sales, already done before the
    products were serviceable, and the units older than the CRM"""
    moves = demo.search('stock.move', [
            ('state', '=', 'done'),
            ('to_location.type', '=', 'customer'),
            ('origin', 'like', 'sale.line,%'),
            ('product.template.serviceable', '=', True),
            ], order=[('effective_date', 'ASC'), ('id', 'ASC')])
    with Transaction().start(demo.config.database_name, 0,
            context={'company': demo.company.id}):
        pool = Pool()
        InstalledProduct = pool.get('crm.installed.product')
        Move = pool.get('stock.move')
        InstalledProduct.create_from_moves(Move.browse(moves))
    _create_legacy(demo)
    _set_serial_numbers(demo)
    _remove_some(demo)
    _cover_by_contracts(demo)


def _create_legacy(demo):
    "The units the customers had installed by the company before the CRM"
    rng = demo.random
    codes = [c for c in SERVICEABLE if c in demo.products]
    customers = [c for c in demo.customers if c['kind'] != 'person']
    if not codes or not customers:
        return
    values = []
    for _ in range(demo.count(LEGACY)):
        code = rng.choice(codes)
        installed = demo.today - relativedelta(
            years=rng.randint(*LEGACY_YEARS), days=rng.randint(0, 364))
        values.append({
                'company': demo.company.id,
                'party': rng.choice(customers)['id'],
                'product': demo.products[code]['id'],
                'installation_date': installed,
                'warranty_end': installed + relativedelta(
                    months=SERVICEABLE[code]),
                })
    demo.create('crm.installed.product', values)


def _set_serial_numbers(demo):
    "Number the units of each year of installation: SN-2024-000123"
    ids = demo.search('crm.installed.product', [
            ('serial_number', '=', None),
            ], order=[('installation_date', 'ASC'), ('id', 'ASC')])
    numbers = {}
    serials = {}
    for installed in demo.read(
            'crm.installed.product', ids, ['installation_date']):
        year = installed['installation_date'].year
        numbers[year] = numbers.get(year, 0) + demo.random.randint(1, 40)
        serials[installed['id']] = {
            'serial_number': "SN-%s-%06d" % (year, numbers[year]),
            }
    demo.write('crm.installed.product', serials)


def _remove_some(demo):
    "Take out of service a few units of more than a year"
    rng = demo.random
    year_ago = demo.date(-365)
    ids = demo.search('crm.installed.product', [
            ('installation_date', '<', year_ago),
            ], order=[('id', 'ASC')])
    removals = {}
    for installed in demo.read(
            'crm.installed.product', ids, ['installation_date']):
        if rng.random() < REMOVED:
            start = installed['installation_date'] + dt.timedelta(days=180)
            removals[installed['id']] = {
                'removal_date': demo.random_date(start, demo.today),
                }
    demo.click('crm.installed.product', list(removals), 'remove')
    demo.write('crm.installed.product', removals)


def _cover_by_contracts(demo):
    "Cover the units of the customers by their running service contract"
    contracts = demo.read('sale.subscription', demo.search(
            'sale.subscription', [
                ('state', '=', 'running'),
                ('company', '=', demo.company.id),
                ], order=[('start_date', 'ASC'), ('id', 'ASC')]),
        ['party'])
    # The latest contract of each customer wins
    by_party = {c['party']: c['id'] for c in contracts}
    ids = demo.search('crm.installed.product', [
            ('contract', '=', None),
            ('state', '=', 'installed'),
            ('party', 'in', list(by_party)),
            ])
    demo.write('crm.installed.product', {
            i['id']: {'contract': by_party[i['party']]}
            for i in demo.read('crm.installed.product', ids, ['party'])})
