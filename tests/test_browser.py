# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The customer's CRM tab and the sales plans in the web client, as a
salesperson sees them.

Builds a demo database on the backend of TRYTOND_DATABASE_URI (sqlite:// or
postgresql://…), serves it with trytond and drives sao with Debian's headless
Chromium. The screenshots and logs go to test-output/<backend>/."""
import configparser
import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from playwright.sync_api import expect, sync_playwright
from proteus.config import XmlrpcConfig

ROOT = Path(__file__).resolve().parent.parent
DATABASE = 'crm_browser'
PASSWORD = 'crm-browser-2026'
DEMO_OPTIONS = ['--seed', '7', '--scale', '0.02']
CHROMIUM = '/usr/bin/chromium'
# No network but the local server: nothing may be fetched or updated
CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
TIMEOUT = 30_000  # ms, for each wait on the page

# The figures of the CRM tab: counts, then amounts
COUNT_FIELDS = [
    'crm_open_opportunities', 'crm_quotations', 'crm_orders_in_progress',
    'crm_orders_done', 'crm_unpaid_invoices']
AMOUNT_FIELDS = ['crm_revenue_12m', 'receivable', 'crm_receivable_overdue']
# The link buttons: the records each one counts, besides the party
LINKS = {
    'crm_sales.act_party_opportunity_open': (
        'sale.opportunity', [('state', 'in', ['lead', 'opportunity'])]),
    'crm_sales.act_party_sale_quotation': (
        'sale.sale', [('state', 'in', ['draft', 'quotation'])]),
    'crm_sales.act_party_sale_order': (
        'sale.sale', [('state', 'in', ['confirmed', 'processing'])]),
    'crm_sales.act_party_invoice_unpaid': (
        'account.invoice', [('type', '=', 'out'), ('state', '=', 'posted')]),
    'crm_sales.act_party_activity_planned': (
        'crm.activity', [('state', '=', 'planned')]),
    'crm_sales.act_activity_relate': ('crm.activity', []),
    }
# The same figures, counted from the documents
COUNTS = {
    'crm_open_opportunities': LINKS['crm_sales.act_party_opportunity_open'],
    'crm_quotations': LINKS['crm_sales.act_party_sale_quotation'],
    'crm_orders_in_progress': LINKS['crm_sales.act_party_sale_order'],
    'crm_orders_done': ('sale.sale', [('state', '=', 'done')]),
    'crm_unpaid_invoices': LINKS['crm_sales.act_party_invoice_unpaid'],
    }
# What a Russian-speaking user reads (addons/crm_sales/locale/ru.po)
RU_ACCOUNT_MANAGER = "Куратор"
RU_OPEN_OPPORTUNITIES = "Открытые сделки"
RU_PLAN_STATES = {'confirmed': "Утверждён", 'draft': "Черновик"}


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def number_pattern(value, digits=0, whole=True):
    """The regular expression of a number as sao shows it in Russian, the
    whole text or a part of it"""
    text = f'{value:,.{digits}f}'.replace(',', ' ').replace('.', ',')
    # the thousands separator is a no-break space: \s matches it
    pattern = re.escape(text).replace(re.escape(' '), r'\s')
    return re.compile('^%s$' % pattern if whole else pattern)


def counter_text(count):
    "The badge of a link button: sao stops counting at 100"
    return str(count) if count <= 99 else '99+'


def tail(path, lines=60, skip=None):
    "The last lines of a log, without those containing skip"
    return '\n'.join([line for line in Path(path).read_text().splitlines()
            if not skip or skip not in line][-lines:])


class BrowserTestCase(unittest.TestCase):
    "The CRM tab of a demo customer in sao"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
        cls.backend = (
            'postgresql' if uri.startswith('postgresql') else 'sqlite')
        cls.output = ROOT / 'test-output' / cls.backend
        cls.output.mkdir(parents=True, exist_ok=True)
        for name in ['crm_tab.png', 'sales_plans.png', 'failure.png']:
            (cls.output / name).unlink(missing_ok=True)
        cls.setup_log = cls.output / 'setup.log'
        cls.setup_log.write_text('')
        cls.server_log = cls.output / 'trytond.log'
        web_root = Path(os.environ.get(
                'TRYTOND_WEB__ROOT', ROOT / '.data' / 'www'))
        if not (web_root / 'index.html').exists():
            raise RuntimeError(
                f"No web client in {web_root}: run ./scripts/setup.sh")
        if not os.access(CHROMIUM, os.X_OK):
            raise RuntimeError(
                f"No {CHROMIUM}: run apt-get install -y chromium")

        cls.port = free_port()
        cls.url = f'http://127.0.0.1:{cls.port}'
        cls.write_config(uri, web_root)
        started = time.monotonic()
        cls.create_database(uri)
        cls.log_time("database with the demo data", started)
        cls.start_server()
        cls.rpc = XmlrpcConfig(
            f'http://admin:{PASSWORD}@127.0.0.1:{cls.port}/{DATABASE}/rpc/')
        cls.pick_customer()
        cls.pick_plans()

    @classmethod
    def log_time(cls, what, started):
        sys.stderr.write(
            f"\n[browser test] {what}: {time.monotonic() - started:.0f} s ")

    @classmethod
    def write_config(cls, uri, web_root):
        """Write the project's configuration with the database, address and
        web root of the test: the file would override the environment"""
        config = configparser.ConfigParser(interpolation=None)
        config.read(ROOT / 'config' / 'trytond.conf')
        for section in ['database', 'web']:
            if not config.has_section(section):
                config.add_section(section)
        config.set('database', 'uri', uri)
        if cls.backend == 'sqlite':
            # a folder of its own: no clash with the demo or another run
            cls.db_path = tempfile.mkdtemp(prefix='crm-browser-db-')
            cls.addClassCleanup(shutil.rmtree, cls.db_path, True)
            config.set('database', 'path', cls.db_path)
        config.set('web', 'listen', f'127.0.0.1:{cls.port}')
        config.set('web', 'root', str(web_root))
        fd, cls.config_file = tempfile.mkstemp(
            prefix='crm-browser-', suffix='.conf')
        cls.addClassCleanup(os.unlink, cls.config_file)
        with os.fdopen(fd, 'w') as file:
            config.write(file)

    @classmethod
    def environ(cls, **extra):
        env = dict(os.environ, TRYTOND_CONFIG=cls.config_file)
        env.update(extra)
        return env

    @classmethod
    def run_step(cls, command, **env):
        "Run a setup command with its output in setup.log"
        with cls.setup_log.open('a') as log:
            log.write(f"\n$ {' '.join(map(str, command))}\n")
            log.flush()
            returncode = subprocess.run(
                command, cwd=ROOT, env=cls.environ(**env), stdout=log,
                stderr=subprocess.STDOUT).returncode
        if returncode:
            raise RuntimeError(
                f"{command[0]} failed ({returncode}):\n{tail(cls.setup_log)}")

    @classmethod
    def create_database(cls, uri):
        if cls.backend == 'sqlite':
            Path(cls.db_path, f'{DATABASE}.sqlite').touch()
        else:
            # trytond-admin fills an existing, empty database
            server = urlunsplit(urlsplit(uri)._replace(path='/postgres'))
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(
                    f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
                connection.execute(
                    f'CREATE DATABASE "{DATABASE}" TEMPLATE template0 '
                    "ENCODING 'UTF8'")
        fd, passfile = tempfile.mkstemp(prefix='crm-browser-pass-')
        cls.addClassCleanup(os.unlink, passfile)
        with os.fdopen(fd, 'w') as file:
            file.write(PASSWORD)
        bin_ = Path(sys.executable).parent
        cls.run_step([
                bin_ / 'trytond-admin', '-d', DATABASE, '--all',
                '-u', 'crm_kpi', '--activate-dependencies', '-l', 'ru',
                '--email', 'admin@example.com'],
            TRYTONPASSFILE=passfile)
        cls.run_step([
                sys.executable, '-m', 'demo', '--config', cls.config_file,
                '--database', DATABASE, '--password', PASSWORD,
                *DEMO_OPTIONS])

    @classmethod
    def start_server(cls):
        started = time.monotonic()
        log = cls.server_log.open('w')
        cls.addClassCleanup(log.close)
        cls.server = subprocess.Popen(
            [Path(sys.executable).parent / 'trytond', '-d', DATABASE],
            cwd=ROOT, env=cls.environ(), stdout=log, stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls.stop_server)
        while True:
            try:
                with urllib.request.urlopen(cls.url + '/', timeout=5):
                    break
            except OSError:
                if cls.server.poll() is not None:
                    raise RuntimeError(
                        "trytond stopped:\n" + tail(cls.server_log))
                if time.monotonic() - started > 60:
                    raise RuntimeError(
                        "trytond does not answer:\n" + tail(cls.server_log))
                time.sleep(0.2)
        cls.log_time("server ready", started)

    @classmethod
    def stop_server(cls):
        cls.server.terminate()
        try:
            cls.server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            cls.server.kill()
            cls.server.wait()

    @classmethod
    def call(cls, model, method, *args):
        return getattr(cls.rpc.get_proxy(model), method)(
            *args, cls.rpc.context)

    @classmethod
    def pick_customer(cls):
        """Choose a customer with open opportunities and the most figures on
        its CRM tab, and count them from the documents"""
        parties = cls.call(
            'party.party', 'read',
            cls.call('party.party', 'search',
                [('account_manager', '!=', None)], 0, None, None),
            ['name', 'account_manager', 'account_manager.rec_name']
            + COUNT_FIELDS + AMOUNT_FIELDS)

        def score(party):
            counts = [party[f] for f in COUNT_FIELDS]
            return (bool(party['crm_open_opportunities']),
                sum(1 for c in counts if c), sum(counts), -party['id'])
        parties.sort(key=score, reverse=True)
        for party in parties:
            # the name must find this customer alone in the list
            if cls.call('party.party', 'search_count',
                    [('rec_name', 'ilike', f"%{party['name']}%")],
                    0, None) == 1:
                break
        else:
            raise RuntimeError("No demo customer with a unique name")
        if not (party['crm_open_opportunities']
                or party['crm_orders_in_progress']
                or party['crm_orders_done']):
            raise RuntimeError(f"No demo customer with figures: {party}")
        user, = cls.call('res.user', 'read',
            cls.call('res.user', 'search',
                [('employees', '=', party['account_manager'])],
                0, 1, None),
            ['login', 'name'])
        menu_ids = [cls.call('ir.model.data', 'get_id', 'party', fs_id)
            for fs_id in ['menu_party', 'menu_party_form']]
        menus = {m['id']: m['name']
            for m in cls.call('ir.ui.menu', 'read', menu_ids, ['name'])}

        def count(model, domain):
            return cls.call(model, 'search_count',
                [('party', '=', party['id'])] + domain, 0, None)
        today = cls.call('ir.date', 'today')
        revenue = sum((i['untaxed_amount'] for i in cls.call(
                        'account.invoice', 'read',
                        cls.call('account.invoice', 'search', [
                                ('party', '=', party['id']),
                                ('type', '=', 'out'),
                                ('state', 'in', ['posted', 'paid']),
                                ('invoice_date', '>=',
                                    today - dt.timedelta(days=365)),
                                ], 0, None, None),
                        ['untaxed_amount'])),
            start=0)
        cls.customer = party['name']
        cls.login, cls.user_name = user['login'], user['name']
        cls.menu = [menus[i] for i in menu_ids]
        cls.manager = party['account_manager.']['rec_name']
        cls.counts = {f: count(*COUNTS[f]) for f in COUNT_FIELDS}
        cls.amounts = {
            'crm_revenue_12m': revenue,
            # the receivable figures are the server's: seen as they are
            'receivable': party['receivable'],
            'crm_receivable_overdue': party['crm_receivable_overdue'],
            }
        cls.links = {a: count(*LINKS[a]) for a in LINKS}
        sys.stderr.write(
            f"\n[browser test] {cls.customer} ({cls.manager}, "
            f"login {cls.login}): {cls.counts} {cls.amounts} {cls.links}\n")

    @classmethod
    def pick_plans(cls):
        "Read the current sales plans (not closed) the salesperson sees"
        cls.plans = cls.call('crm.sales.plan', 'read',
            cls.call('crm.sales.plan', 'search',
                [('state', '!=', 'closed')], 0, None, None),
            ['name', 'state', 'target_amount'])
        if not any(p['state'] == 'confirmed' for p in cls.plans):
            raise RuntimeError(f"No confirmed demo plan: {cls.plans}")
        menu_ids = [cls.call('ir.model.data', 'get_id', 'crm_sales', fs_id)
            for fs_id in ['menu_crm', 'menu_sales_plan']]
        menus = {m['id']: m['name']
            for m in cls.call('ir.ui.menu', 'read', menu_ids, ['name'])}
        cls.plan_menu = [menus[i] for i in menu_ids]

    def setUp(self):
        playwright = sync_playwright().start()
        self.addCleanup(playwright.stop)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.addCleanup(browser.close)
        self.page = browser.new_page(
            viewport={'width': 1600, 'height': 1000}, locale='ru-RU')
        self.page.set_default_timeout(TIMEOUT)
        expect.set_options(timeout=TIMEOUT)

    def test_crm_tab(self):
        "The CRM tab of a customer shows its account manager and figures"
        with self.recording('crm_tab.png'):
            self.log_in()
            self.open_customer()
            pane = self.open_crm_tab()
            self.check_figures(pane)

    def test_sales_plans(self):
        "The current sales plans are listed with their state and target"
        with self.recording('sales_plans.png'):
            self.log_in()
            tab = self.open_menu(*self.plan_menu)
            rows = tab.locator('.treeview tbody tr')
            expect(rows).to_have_count(len(self.plans))
            for plan in self.plans:
                row = rows.filter(has=self.page.get_by_title(
                        plan['name'], exact=True))
                expect(row).to_contain_text(RU_PLAN_STATES[plan['state']])
                expect(row).to_contain_text(
                    number_pattern(plan['target_amount'], 2, whole=False))

    @contextmanager
    def recording(self, screenshot):
        "Take a screenshot at the end, on failure with the server's log"
        page = self.page
        started = time.monotonic()
        try:
            yield
            page.screenshot(path=self.output / screenshot)
        except BaseException:
            page.screenshot(path=self.output / 'failure.png')
            sys.stderr.write(
                f"\n[browser test] failure.png and trytond.log are in "
                f"{self.output}; the end of the server log:\n"
                f"{tail(self.server_log, skip=' werkzeug ')}\n")
            raise
        self.log_time(f"browser, {screenshot}", started)

    def log_in(self):
        page = self.page
        # the database in the address: no need to choose it
        page.goto(f'{self.url}/#{DATABASE}')
        # sao fills the dialog from RPC calls (database list, version):
        # a click before they are answered is lost
        page.wait_for_load_state('networkidle')
        dialog = page.locator('.login-dialog')
        dialog.locator('input#login').fill(self.login)
        dialog.locator('button[type=submit]').click()
        password = page.locator('.ask-dialog input[type=password]')
        password.fill(PASSWORD)
        password.press('Enter')
        expect(page.locator('#user-preferences')).to_contain_text(
            self.user_name)

    def open_menu(self, top_name, entry_name):
        "Open the entry of the top menu and return its tab"
        page = self.page
        menu = page.locator('#menu')
        top = menu.locator('tr').filter(
            has=page.get_by_title(top_name, exact=True)).first
        top.locator('.expander').click()
        entry = top.locator('xpath=following-sibling::tr').filter(
            has=page.get_by_title(entry_name, exact=True)).first
        entry.click()
        return page.locator('#tabcontent > .tab-pane.active')

    def open_customer(self):
        "Open the customer from the Parties menu, searching by name"
        tab = self.open_menu(*self.menu)
        search = tab.locator('.filter-box input').first
        search.fill(f'"{self.customer}"')
        search.press('Enter')
        rows = tab.locator('.treeview tbody tr')
        expect(rows).to_have_count(1)
        name = rows.get_by_title(self.customer, exact=True)
        # sao records the address of the list on the first click: a fast
        # double click would open the list again in a second tab
        name.click()
        expect(rows).to_have_class(re.compile(r'\bselected\b'))
        name.dblclick()

    def open_crm_tab(self):
        page = self.page
        form = page.locator('#tabcontent > .tab-pane.active')
        expect(form.locator('input[name=name]').first).to_have_value(
            self.customer)
        crm = form.get_by_role('tab', name='CRM', exact=True)
        crm.click()
        pane = form.locator('#' + crm.get_attribute('aria-controls'))
        expect(pane).to_be_visible()
        return pane

    def check_figures(self, pane):
        def field(name):
            # the first input shows the value: the number one is for editing
            return pane.locator(f'input[name={name}]').first

        def link(action):
            return pane.locator(f'button.form-link[name="{action}"]')

        expect(pane.locator('label').filter(
                has_text=RU_ACCOUNT_MANAGER)).to_be_visible()
        expect(field('account_manager')).to_have_value(self.manager)
        for name, count in self.counts.items():
            expect(field(name)).to_have_value(number_pattern(count))
        for name, amount in self.amounts.items():
            expect(field(name)).to_have_value(number_pattern(amount, 2))
        expect(link('crm_sales.act_party_opportunity_open')).to_contain_text(
            RU_OPEN_OPPORTUNITIES)
        for action, count in self.links.items():
            expect(link(action).locator('.badge')).to_have_text(
                counter_text(count))
