# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Russian from login to logout: the main screens of the demo in sao, as a
Russian-speaking user reads them, with no English word on them."""
import re
import unittest

from demo_server import DATABASE, PASSWORD, ChromiumTestCase
from playwright.sync_api import expect

# The main menus, each a screenshot of its list and of its first record
SCREENS = [
    ('customers', 'party.menu_party_form'),
    ('opportunities', 'sale_opportunity.menu_opportunity_form'),
    ('sales', 'sale.menu_sale_form'),
    ('invoices', 'account_invoice.menu_invoice_out_form'),
    ('campaigns', 'marketing_campaign.menu_campaign_form'),
    ('service_requests', 'crm_service.menu_service_request_form'),
    ('bonuses', 'crm_kpi.menu_bonus_run'),
    ]
# Latin words a Russian user reads as they are: abbreviations and names
ALLOWED_WORDS = {
    'CRM', 'SLA', 'KPI', 'ROI', 'ABC', 'RFM', 'XYZ', 'Tryton', 'RUB', 'USD',
    'EUR', 'VIP', 'URL', 'E-mail', 'E-Mail', 'Email',
    }
# Tokens that are data, not labels: product codes in brackets ([PNR] …),
# e-mail addresses, web addresses, numbers and codes with digits (SR-00012),
# identifiers with an underscore (the database names of the login dialog)
DATA_TOKEN = re.compile(r'\[[^\]\s]*\]|\S*(@|://|www\.|\d|_)\S*')
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def english_words(text):
    "The Latin words of text that are neither data nor allowed, in order"
    words = LATIN_WORD.findall(DATA_TOKEN.sub(' ', text))
    return [w for w in dict.fromkeys(words) if w not in ALLOWED_WORDS]


class EnglishWordsTestCase(unittest.TestCase):
    "What the browser test counts as English on a screen"

    def test_labels(self):
        "Latin labels are English, Russian ones and allowed names are not"
        self.assertEqual(
            english_words("Сохранить Save\nCRM Отчёт Report Save"),
            ['Save', 'Report'])

    def test_data(self):
        "Codes, addresses, numbers and database names are data"
        self.assertEqual(english_words(
                "[PNR] Ручка SR-00012 info@example.com https://example.com "
                "crm_browser 1 234,50 ₽"), [])


class RussianBrowserTestCase(ChromiumTestCase):
    "The demo's main screens in Russian"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.login, cls.user_name = cls.create_director()
        cls.menus = {fs_id: cls.menu_path(fs_id) for _, fs_id in SCREENS}

    @classmethod
    def create_director(cls):
        """A Russian-speaking director with the admin's rights: one user who
        reaches every main menu (the admin's own name is English data)"""
        admin_id, = cls.call('res.user', 'search', [('login', '=', 'admin')],
            0, 1, None)
        admin, = cls.call('res.user', 'read', [admin_id],
            ['groups', 'companies', 'company', 'language', 'language.code'])
        if admin['language.']['code'] != 'ru':
            raise RuntimeError(f"The demo's admin is not Russian: {admin}")
        name, login = "Смирнова Ольга Петровна", 'director'
        cls.call('res.user', 'create', [{
                    'name': name,
                    'login': login,
                    'password': PASSWORD,
                    'language': admin['language'],
                    'groups': [('add', admin['groups'])],
                    'companies': [('add', admin['companies'])],
                    'company': admin['company'],
                    }])
        return login, name

    @classmethod
    def menu_path(cls, fs_id):
        "The names from the top menu down to the menu of the XML id"
        module, name = fs_id.split('.')
        menu_id = cls.call('ir.model.data', 'get_id', module, name)
        path = []
        while menu_id:
            menu, = cls.call('ir.ui.menu', 'read', [menu_id],
                ['name', 'parent'])
            path.insert(0, menu['name'])
            menu_id = menu['parent']
        return path

    def assert_russian(self, locator, where):
        "No English word in the text the user sees in locator"
        text = locator.inner_text()
        english = english_words(text)
        lines = [line for line in text.splitlines()
            if any(re.search(rf'\b{w}\b', line) for w in english)]
        self.assertFalse(english,
            f"English on {where}: {english}\nin: {lines[:20]}")

    def test_login_dialog(self):
        "The login dialog is Russian before anyone logs in"
        page = self.page
        with self.recording('ru_login.png'):
            page.goto(f'{self.url}/#{DATABASE}')
            page.wait_for_load_state('networkidle')
            dialog = page.locator('.login-dialog')
            expect(dialog).to_contain_text('Имя пользователя')
            self.assert_russian(dialog, "the login dialog")

    def test_main_screens(self):
        "Every main list and its first record show only Russian labels"
        page = self.page
        with self.recording('ru_home.png'):
            self.log_in()
            self.assert_russian(page.locator('body'), "the home page")
        for name, fs_id in SCREENS:
            with self.subTest(screen=name):
                try:
                    self.check_screen(name, fs_id)
                finally:
                    self.close_tabs()

    def check_screen(self, name, fs_id):
        "The list of the menu then the form of its first record"
        page = self.page
        with self.recording(f'ru_{name}_list.png'):
            tab = self.open_all(fs_id)
            self.assert_russian(page.locator('body'), f"{name} list")
        with self.recording(f'ru_{name}_form.png'):
            # the row's check box: a click elsewhere may open a link
            tab.locator('.treeview tbody tr').first.locator(
                'input[type=checkbox]').first.check()
            tab.locator('#switch_ >> visible=true').click()
            expect(tab.locator('.form >> visible=true').first).to_be_visible()
            page.wait_for_load_state('networkidle')
            self.assert_russian(page.locator('body'), f"{name} form")

    def open_all(self, fs_id):
        """Open the menu of the XML id on its last tab (All, by Tryton's
        habit) and wait for its rows"""
        page = self.page
        tab = self.open_menu(*self.menus[fs_id])
        domains = tab.locator('.tab-domain .nav-tabs a')
        expect(tab.locator('.treeview').first).to_be_visible()
        if domains.count() and 'active' not in (
                domains.last.locator('xpath=..').get_attribute('class') or ''):
            # the search of the tab answers, then its rows are drawn
            with page.expect_response(lambda r: r.request.method == 'POST'
                    and b'.search' in (r.request.post_data_buffer or b'')):
                domains.last.click()
            expect(page.locator('#processing')).to_be_hidden()
        expect(tab.locator('.treeview tbody tr').first).to_be_visible()
        return tab

    def close_tabs(self):
        "Close the open tabs: the next screen starts from the menu alone"
        page = self.page
        tabs = page.locator('#tablist > li')
        for count in reversed(range(tabs.count())):
            # a click while sao is busy is lost
            expect(page.locator('#processing')).to_be_hidden()
            page.wait_for_load_state('networkidle')
            tabs.last.locator('.close').click()
            expect(tabs).to_have_count(count)

    def test_money_and_dates(self):
        "Amounts read 1 234,56 ₽ and dates dd.mm.yyyy in the invoices' list"
        with self.recording('ru_formats.png'):
            self.log_in()
            tab = self.open_all('account_invoice.menu_invoice_out_form')
            table = tab.locator('.treeview').first
            expect(table).to_contain_text(re.compile(r'\d{2}\.\d{2}\.\d{4}'))
            text = table.inner_text()
            self.assertRegex(text, r'\d[\s\u00a0]\d{3},\d{2}')
            self.assertNotRegex(text, r'\d\.\d{2}\b(?!\.\d)')
