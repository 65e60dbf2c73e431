# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The demo database served by trytond, shared by the cross-module tests of
one run, and the headless Chromium that drives it.

The database is built on the backend of TRYTOND_DATABASE_URI (sqlite:// or
postgresql://…) the first time a test asks for it, served on a free local
port and dropped when the run ends. The logs and screenshots go to
test-output/<backend>/."""
import atexit
import configparser
import os
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
# above the scale created through Tryton: the copies in SQL are tested too
DEMO_OPTIONS = ['--seed', '7', '--scale', '0.04', '--bulk-from', '0.02']
CHROMIUM = '/usr/bin/chromium'
# No network but the local server: nothing may be fetched or updated
CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
TIMEOUT = 30_000  # ms, for each wait on the page


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def tail(path, lines=60, skip=None):
    "The last lines of a log, without those containing skip"
    return '\n'.join([line for line in Path(path).read_text().splitlines()
            if not skip or skip not in line][-lines:])


def log_time(what, started):
    sys.stderr.write(
        f"\n[browser test] {what}: {time.monotonic() - started:.0f} s ")


class DemoServer:
    "The demo database and the trytond serving it"

    def __init__(self):
        uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
        self.uri = uri
        self.backend = (
            'postgresql' if uri.startswith('postgresql') else 'sqlite')
        self.output = ROOT / 'test-output' / self.backend
        self.output.mkdir(parents=True, exist_ok=True)
        self.setup_log = self.output / 'setup.log'
        self.server_log = self.output / 'trytond.log'
        self.cleanups = []
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'

    def start(self):
        self.setup_log.write_text('')
        web_root = Path(os.environ.get(
                'TRYTOND_WEB__ROOT', ROOT / '.data' / 'www'))
        if not (web_root / 'index.html').exists():
            raise RuntimeError(
                f"No web client in {web_root}: run ./scripts/setup.sh")
        if not os.access(CHROMIUM, os.X_OK):
            raise RuntimeError(
                f"No {CHROMIUM}: run apt-get install -y chromium")
        self.write_config(web_root)
        started = time.monotonic()
        self.create_database()
        log_time("database with the demo data", started)
        self.start_server()
        self.rpc = XmlrpcConfig(
            f'http://admin:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}/rpc/')

    def stop(self):
        for cleanup in reversed(self.cleanups):
            cleanup()

    def write_config(self, web_root):
        """Write the project's configuration with the database, address and
        web root of the test: the file would override the environment"""
        config = configparser.ConfigParser(interpolation=None)
        config.read(ROOT / 'config' / 'trytond.conf')
        for section in ['database', 'web']:
            if not config.has_section(section):
                config.add_section(section)
        config.set('database', 'uri', self.uri)
        if self.backend == 'sqlite':
            # a folder of its own: no clash with the demo or another run
            self.db_path = tempfile.mkdtemp(prefix='crm-browser-db-')
            self.cleanups.append(
                lambda: shutil.rmtree(self.db_path, True))
            config.set('database', 'path', self.db_path)
        config.set('web', 'listen', f'127.0.0.1:{self.port}')
        config.set('web', 'root', str(web_root))
        fd, self.config_file = tempfile.mkstemp(
            prefix='crm-browser-', suffix='.conf')
        self.cleanups.append(lambda: os.unlink(self.config_file))
        with os.fdopen(fd, 'w') as file:
            config.write(file)

    def environ(self, **extra):
        env = dict(os.environ, TRYTOND_CONFIG=self.config_file)
        env.update(extra)
        return env

    def run_step(self, command, **env):
        "Run a setup command with its output in setup.log"
        with self.setup_log.open('a') as log:
            log.write(f"\n$ {' '.join(map(str, command))}\n")
            log.flush()
            returncode = subprocess.run(
                command, cwd=ROOT, env=self.environ(**env), stdout=log,
                stderr=subprocess.STDOUT).returncode
        if returncode:
            raise RuntimeError(
                f"{command[0]} failed ({returncode}):\n{tail(self.setup_log)}")

    def create_database(self):
        if self.backend == 'sqlite':
            Path(self.db_path, f'{DATABASE}.sqlite').touch()
        else:
            # trytond-admin fills an existing, empty database
            server = urlunsplit(urlsplit(self.uri)._replace(path='/postgres'))
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(
                    f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
                connection.execute(
                    f'CREATE DATABASE "{DATABASE}" TEMPLATE template0 '
                    "ENCODING 'UTF8'")
        fd, passfile = tempfile.mkstemp(prefix='crm-browser-pass-')
        self.cleanups.append(lambda: os.unlink(passfile))
        with os.fdopen(fd, 'w') as file:
            file.write(PASSWORD)
        bin_ = Path(sys.executable).parent
        self.run_step([
                bin_ / 'trytond-admin', '-d', DATABASE, '--all',
                '-u', 'crm_kpi', '--activate-dependencies', '-l', 'ru',
                '--email', 'admin@example.com'],
            TRYTONPASSFILE=passfile)
        self.run_step([
                sys.executable, '-m', 'demo', '--config', self.config_file,
                '--database', DATABASE, '--password', PASSWORD,
                *DEMO_OPTIONS])

    def start_server(self):
        started = time.monotonic()
        log = self.server_log.open('w')
        self.cleanups.append(log.close)
        self.server = subprocess.Popen(
            [Path(sys.executable).parent / 'trytond', '-d', DATABASE],
            cwd=ROOT, env=self.environ(), stdout=log, stderr=subprocess.STDOUT)
        self.cleanups.append(self.stop_server)
        while True:
            try:
                with urllib.request.urlopen(self.url + '/', timeout=5):
                    break
            except OSError:
                if self.server.poll() is not None:
                    raise RuntimeError(
                        "trytond stopped:\n" + tail(self.server_log))
                if time.monotonic() - started > 60:
                    raise RuntimeError(
                        "trytond does not answer:\n" + tail(self.server_log))
                time.sleep(0.2)
        log_time("server ready", started)

    def stop_server(self):
        self.server.terminate()
        try:
            self.server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()

    def call(self, model, method, *args):
        "Call method of model over XML-RPC as admin"
        return getattr(self.rpc.get_proxy(model), method)(
            *args, self.rpc.context)


_server = None


def demo_server():
    "The demo server of this run, started on first use"
    global _server
    if _server is None:
        server = DemoServer()
        try:
            server.start()
        except BaseException:
            server.stop()
            raise
        atexit.register(server.stop)
        _server = server
    return _server


class ChromiumTestCase(unittest.TestCase):
    "A test with the demo server and a fresh Chromium page"
    viewport = {'width': 1600, 'height': 1000}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo = demo_server()
        cls.url = cls.demo.url
        cls.output = cls.demo.output

    @classmethod
    def call(cls, model, method, *args):
        return cls.demo.call(model, method, *args)

    def setUp(self):
        playwright = sync_playwright().start()
        self.addCleanup(playwright.stop)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.addCleanup(browser.close)
        self.page = browser.new_page(viewport=self.viewport, locale='ru-RU')
        self.page.set_default_timeout(TIMEOUT)
        expect.set_options(timeout=TIMEOUT)

    @contextmanager
    def recording(self, screenshot):
        "Take a screenshot at the end, on failure with the server's log"
        page = self.page
        started = time.monotonic()
        (self.output / screenshot).unlink(missing_ok=True)
        try:
            yield
            page.screenshot(path=self.output / screenshot, full_page=True)
        except BaseException:
            failure = 'failure-' + screenshot
            page.screenshot(path=self.output / failure)
            sys.stderr.write(
                f"\n[browser test] {failure} and trytond.log are in "
                f"{self.output}; the end of the server log:\n"
                f"{tail(self.demo.server_log, skip=' werkzeug ')}\n")
            raise
        log_time(f"browser, {screenshot}", started)

    def log_in(self):
        "Log into sao as self.login, who is called self.user_name"
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

    def open_menu(self, *names):
        """Open the menu entry at the path of names (top menu first) and
        return its tab"""
        page = self.page
        rows = page.locator('#menu').locator('tr')
        for level, name in enumerate(names, 1):
            row = rows.filter(has=page.get_by_title(name, exact=True)).first
            if level == len(names):
                row.click()
                break
            children = row.locator('xpath=following-sibling::tr')
            # a menu opened before stays open: a click would close it
            if not children.filter(has=page.get_by_title(
                        names[level], exact=True)).first.is_visible():
                row.locator('.expander').click()
            rows = children
        return page.locator('#tabcontent > .tab-pane.active')
