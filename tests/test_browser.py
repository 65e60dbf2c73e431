# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The customer's CRM tab and the sales plans in the web client (sao), as a
salesperson sees them, on the demo server (demo_server.py)."""
import datetime as dt
import re
import sys

from demo_server import ChromiumTestCase
from playwright.sync_api import expect

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


class BrowserTestCase(ChromiumTestCase):
    "The CRM tab of a demo customer and the sales plans in sao"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pick_customer()
        cls.pick_plans()

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
