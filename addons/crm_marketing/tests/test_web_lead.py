# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Web-to-lead (M8) through the real WSGI application: the form, the leads
it creates, their party and campaign, the bots it drops, the rate limit per
address and the double opt-in of the mailings"""
import datetime as dt
import json
import re
import time
from unittest.mock import patch
from urllib.parse import quote, unquote, urlencode, urlsplit

from lxml import html

from trytond import config, sendmail
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.tests.test_tryton import DB_NAME, Client, TestCase, drop_db
from trytond.transaction import Transaction, inactive_records
from trytond.wsgi import app

from ..web_lead import utc_now
from ..web_lead_routes import PCHAR

DATABASE = '/%s' % quote(DB_NAME, safe=PCHAR)
FORM = f'{DATABASE}/crm/lead'
SUBSCRIBE = f'{DATABASE}/crm/subscribe'
UTM = {
    'utm_campaign': 'leto-2026',
    'utm_medium': 'CPC',
    'utm_source': 'ЯНДЕКС.Директ',
    }
WEBSITE = 'https://www.severny-veter.example'


class Browser:
    "A browser of the visitor on address"

    def __init__(self, address):
        self.client = Client(app, Response)
        self.environ = {'REMOTE_ADDR': address}

    def get(self, url, **kwargs):
        return self.client.get(url, environ_base=self.environ, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, environ_base=self.environ, **kwargs)


class WebLeadTestCase(TestCase):
    "The web form of the leads, as visitors and bots use it"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        for section, option, value, default in [
                ('email', 'from', 'crm@severny-veter.example', ''),
                ('marketing', 'subscribe_delay', '0', '1'),
                ]:
            if not config.has_section(section):
                config.add_section(section)
            old = config.get(section, option, default=default)
            config.set(section, option, value)
            cls.addClassCleanup(config.set, section, option, old)
        # the mails leave through this server: recorded, never sent
        patcher = patch.object(sendmail, 'get_smtp_server')
        cls.smtp = patcher.start()
        cls.addClassCleanup(patcher.stop)
        cls.smtp.return_value.send_message.return_value = {}
        cls.create_fixture()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    @classmethod
    def create_fixture(cls):
        from proteus import Model

        from trytond.modules.company.tests.tools import (
            create_company, get_company)
        from trytond.modules.crm_sales.tests.tools import create_employee
        from trytond.modules.currency.tests.tools import get_currency
        from trytond.tests.tools import activate_modules

        activate_modules('crm_marketing')
        create_company(currency=get_currency('RUB'))
        company = get_company()
        company.party.name = "ООО «Северный ветер»"
        company.party.save()

        Campaign = Model.get('marketing.campaign')
        Category = Model.get('product.category')
        Channel = Model.get('crm.sales.channel')
        Configuration = Model.get('crm.marketing.configuration')
        EmailList = Model.get('marketing.email.list')
        Medium = Model.get('marketing.medium')
        Party = Model.get('party.party')
        Rule = Model.get('crm.lead.assignment.rule')
        Source = Model.get('marketing.source')

        anna = create_employee("Анна Белова")
        rule = Rule(name="Все заявки", employee=anna)
        rule.save()
        online = Channel(name="Сайт", kind='online')
        online.save()

        Campaign(name="leto-2026").save()
        Medium(name="cpc").save()
        Medium(name="website").save()
        Source(name="Яндекс.Директ").save()
        Source(name="сайт").save()
        for name in ["Кондиционеры", "Вентиляция"]:
            Category(name=name).save()
        newsletter = EmailList(name="Новости «Северного ветра»")
        newsletter.save()

        romashka = Party(name="ООО «Ромашка»")
        romashka.contact_mechanisms.new(
            type='email', value='info@romashka.example')
        romashka.contact_mechanisms.new(type='phone', value='+7 495 111-22-33')
        romashka.save()
        petrov = Party(name="Иван Петров")
        petrov.contact_mechanisms.new(type='mobile', value='8 (916) 555-44-33')
        petrov.save()

        configuration = Configuration(1)
        configuration.web_lead_enabled = True
        configuration.web_lead_company = company
        configuration.web_lead_sales_channel = online
        configuration.web_lead_mailing_list = newsletter
        configuration.web_lead_medium, = Medium.find(
            [('name', '=', 'website')])
        configuration.web_lead_source, = Source.find([('name', '=', 'сайт')])
        configuration.web_lead_categories.extend(Category.find([]))
        configuration.save()

        cls.ids = {
            'anna': anna.id,
            'romashka': romashka.id,
            'petrov': petrov.id,
            'online': online.id,
            'newsletter': newsletter.id,
            'company': company.id,
            }

    def setUp(self):
        super().setUp()
        self.smtp.return_value.send_message.reset_mock()

    # Helpers

    def client(self, address):
        "A browser on the network address"
        return Browser(address)

    def show(self, client, query=None, **headers):
        "The form page with the query of the website's link"
        url = FORM + ('?' + urlencode(query) if query else '')
        response = client.get(url, headers=headers)
        self.assertEqual(response.status_code, 200, response.get_data())
        return response

    def fields(self, response):
        "The values the form posts back as it was shown"
        page = html.fromstring(response.get_data())
        return {i.get('name'): i.get('value', '')
            for i in page.xpath('//form//input')
            if i.get('type') in {'hidden', 'text'}}

    def backdated_token(self, seconds=10):
        "The token of a form shown seconds ago, as a human filled it"
        with Transaction().start(DB_NAME, 0, readonly=True):
            Configuration = Pool().get('crm.marketing.configuration')
            return Configuration(1).web_lead_form_token(
                int(time.time()) - seconds)

    def post(self, client, data, query=None, wait=True, **headers):
        """Show the form then post it filled with data, after a human's
        time unless wait is False"""
        values = self.fields(self.show(client, query))
        if wait:
            values['form_token'] = self.backdated_token()
        values.update(data)
        return client.post(FORM, data=values, headers=headers)

    def count(self, model, domain=None):
        with Transaction().start(DB_NAME, 0, readonly=True), \
                inactive_records():
            return Pool().get(model).search_count(domain or [])

    def last(self, model, fields):
        "The values of fields of the last record of model"
        with Transaction().start(DB_NAME, 0, readonly=True):
            Model = Pool().get(model)
            record, = Model.search([], order=[('id', 'DESC')], limit=1)
            values, = Model.read([record.id], fields)
            return values

    def snapshot(self):
        "The number of the records a post may create"
        return {m: self.count(m) for m in [
                'sale.opportunity', 'party.party', 'party.contact_mechanism',
                'marketing.email', 'marketing.campaign', 'marketing.medium',
                'marketing.source']}

    def configure(self, **values):
        with Transaction().start(DB_NAME, 0):
            Configuration = Pool().get('crm.marketing.configuration')
            Configuration.write([Configuration(1)], values)

    def assertSecure(self, response, frame=False):
        headers = response.headers
        policy = headers['Content-Security-Policy']
        self.assertIn("default-src 'self'", policy)
        self.assertIn("script-src 'none'", policy)
        self.assertNotIn('unsafe-inline', policy)
        self.assertEqual(headers['X-Content-Type-Options'], 'nosniff')
        self.assertEqual(headers['Cache-Control'], 'no-store')
        self.assertEqual(headers['Referrer-Policy'], 'no-referrer')
        if not frame:
            self.assertEqual(headers['X-Frame-Options'], 'DENY')
            self.assertIn("frame-ancestors 'none'", policy)

    def texts(self, response, xpath):
        page = html.fromstring(response.get_data())
        return [' '.join(e.text_content().split()) for e in page.xpath(xpath)]

    # Tests

    def test_form(self):
        "The form carries the UTM parameters of the link, in its language"
        client = self.client('192.0.2.1')
        response = self.show(client, dict(UTM, lang='en'))
        self.assertSecure(response)
        page = html.fromstring(response.get_data())
        self.assertEqual(page.get('lang'), 'en')
        self.assertEqual(self.texts(response, '//h1'), ["Send us a request"])
        fields = self.fields(response)
        for name, value in UTM.items():
            self.assertEqual(fields[name], value)
        self.assertEqual(fields['website'], '')
        self.assertRegex(fields['form_token'], r'^\d+\.[0-9a-f]{64}$')
        self.assertEqual(
            page.xpath('//select[@name="category"]/option/text()'),
            ["Not sure yet", "Вентиляция", "Кондиционеры"])
        self.assertEqual(self.texts(response, '//label[@class="check"]'), [
                "I agree to receive the news and offers of "
                "ООО «Северный ветер» by e-mail. We will send you a link to "
                "confirm your address. You can unsubscribe from any "
                "mailing."])
        # the style is inline, allowed by its hash
        self.assertIn("style-src 'sha256-",
            response.headers['Content-Security-Policy'])

        response = self.show(client, headers={'Accept-Language': 'ru'})
        self.assertEqual(html.fromstring(response.get_data()).get('lang'),
            'ru')
        response = client.get(FORM, headers={'Accept-Language': 'de, en'})
        self.assertEqual(html.fromstring(response.get_data()).get('lang'),
            'en')

    def test_lead(self):
        "A post creates a lead for a new party, attributed to the UTM"
        before = self.snapshot()
        response = self.post(self.client('192.0.2.2'), {
                'name': " Мария   Смирнова ",
                'company': "ООО «Вектор»",
                'email': 'maria@vector.example',
                'phone': '+7 (843) 200-30-40',
                'category': str(self.category("Кондиционеры")),
                'interest': "Нужны 3 кондиционера\nв офис 120 м²",
                'lang': 'en',
                }, query=UTM)
        self.assertEqual(response.status_code, 200)
        self.assertSecure(response)
        self.assertEqual(self.texts(response, '//main/*'), [
                "Thank you!",
                "Your request has been sent. We will contact you shortly."])
        after = self.snapshot()
        self.assertEqual(after['sale.opportunity'],
            before['sale.opportunity'] + 1)
        self.assertEqual(after['party.party'], before['party.party'] + 1)
        for model in [
                'marketing.campaign', 'marketing.medium', 'marketing.source',
                'marketing.email']:
            self.assertEqual(after[model], before[model])

        with Transaction().start(DB_NAME, 0, readonly=True):
            Opportunity = Pool().get('sale.opportunity')
            lead, = Opportunity.search([], order=[('id', 'DESC')], limit=1)
            self.assertEqual(lead.state, 'lead')
            self.assertEqual(lead.company.id, self.ids['company'])
            self.assertEqual(lead.party.name, "ООО «Вектор»")
            self.assertEqual(lead.party.sales_channel.id, self.ids['online'])
            self.assertEqual(lead.party.lang.code, 'en')
            self.assertEqual(
                sorted((m.type, m.value, m.name)
                    for m in lead.party.contact_mechanisms),
                [('email', 'maria@vector.example', "Мария Смирнова"),
                    ('phone', '+7 (843) 200-30-40', "Мария Смирнова")])
            self.assertEqual(lead.contact.value, 'maria@vector.example')
            self.assertEqual(lead.marketing_campaign.name, 'leto-2026')
            self.assertEqual(lead.marketing_medium.name, 'cpc')
            self.assertEqual(lead.marketing_source.name, 'яндекс.директ')
            # the lead assignment rules apply as for any new lead
            self.assertEqual(lead.employee.id, self.ids['anna'])
            self.assertEqual(lead.description,
                "Web form: Кондиционеры: Нужны 3 кондиционера в офис 120 м²")
            self.assertEqual(lead.comment,
                "Request sent from the web form.\n"
                "Name: Мария Смирнова\n"
                "Company: ООО «Вектор»\n"
                "E-mail: maria@vector.example\n"
                "Phone: +7 (843) 200-30-40\n"
                "Interest: Кондиционеры\n\n"
                "Нужны 3 кондиционера\nв офис 120 м²")
            submission, = lead.web_lead_submissions
            self.assertEqual(submission.outcome, 'lead')
            self.assertFalse(submission.consent)
            self.assertIsNone(submission.email)
            self.assertEqual(len(submission.address_hash), 40)
            self.assertNotIn('192.0.2.2', submission.address_hash)
        # no confirmation without consent
        self.smtp.return_value.send_message.assert_not_called()

    def test_unknown_utm(self):
        """Unknown UTM values create nothing and are kept in the comment; the
        missing ones take the defaults"""
        before = self.snapshot()
        response = self.post(self.client('192.0.2.3'), {
                'name': "Олег Кузнецов", 'phone': '+7 912 000-11-22'},
            query={'utm_campaign': 'Spam-Bot-Campaign',
                'utm_source': 'free-money'})
        self.assertEqual(response.status_code, 200)
        after = self.snapshot()
        for model in [
                'marketing.campaign', 'marketing.medium', 'marketing.source']:
            self.assertEqual(after[model], before[model])
        with Transaction().start(DB_NAME, 0, readonly=True):
            Opportunity = Pool().get('sale.opportunity')
            lead, = Opportunity.search([], order=[('id', 'DESC')], limit=1)
            self.assertIsNone(lead.marketing_campaign)
            self.assertIsNone(lead.marketing_source)
            self.assertEqual(lead.marketing_medium.name, 'website')
            self.assertEqual(lead.party.name, "Олег Кузнецов")
            self.assertTrue(lead.comment.endswith(
                    "UTM parameters without a campaign, medium or source of "
                    "that name: utm_campaign=Spam-Bot-Campaign, "
                    "utm_source=free-money"), lead.comment)

        # without any UTM: the defaults
        self.post(self.client('192.0.2.3'), {
                'name': "Ольга", 'email': 'olga@example.com'})
        with Transaction().start(DB_NAME, 0, readonly=True):
            Opportunity = Pool().get('sale.opportunity')
            lead, = Opportunity.search([], order=[('id', 'DESC')], limit=1)
            self.assertIsNone(lead.marketing_campaign)
            self.assertEqual(lead.marketing_medium.name, 'website')
            self.assertEqual(lead.marketing_source.name, 'сайт')

    def test_match_email(self):
        "The e-mail of a party makes the lead its, the party unchanged"
        before = self.snapshot()
        new = self.post(self.client('192.0.2.4'), {
                'name': "Пётр Новиков", 'email': 'petr@new.example'})
        matched = self.post(self.client('192.0.2.4'), {
                'name': "Светлана", 'company': "Ромашка",
                'email': ' INFO@Romashka.example ',
                'phone': '+7 999 888-77-66'})
        # nothing tells the visitor the address is known
        self.assertEqual(matched.status_code, new.status_code)
        self.assertEqual(matched.get_data(), new.get_data())
        after = self.snapshot()
        self.assertEqual(after['party.party'], before['party.party'] + 1)
        self.assertEqual(after['party.contact_mechanism'],
            before['party.contact_mechanism'] + 1)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Opportunity = Pool().get('sale.opportunity')
            lead, = Opportunity.search([], order=[('id', 'DESC')], limit=1)
            self.assertEqual(lead.party.id, self.ids['romashka'])
            self.assertEqual(lead.contact.value, 'info@romashka.example')
            self.assertEqual(
                sorted(m.value for m in lead.party.contact_mechanisms),
                ['+7 495 111-22-33', 'info@romashka.example'])
            self.assertIn("Phone: +7 999 888-77-66", lead.comment)

    def test_match_phone(self):
        "The phone of a party, written otherwise, makes the lead its"
        before = self.snapshot()
        self.post(self.client('192.0.2.5'), {
                'name': "Иван", 'phone': '+7 916 555 44 33'})
        self.assertEqual(self.snapshot()['party.party'],
            before['party.party'])
        with Transaction().start(DB_NAME, 0, readonly=True):
            Opportunity = Pool().get('sale.opportunity')
            lead, = Opportunity.search([], order=[('id', 'DESC')], limit=1)
            self.assertEqual(lead.party.id, self.ids['petrov'])
            self.assertEqual(lead.contact.value, '8 (916) 555-44-33')

    def test_bots(self):
        """The hidden field filled, a post sooner than a human or without a
        form shown get the thanks but create nothing"""
        client = self.client('192.0.2.6')
        reference = self.post(client, {
                'name': "Настоящий Человек", 'email': 'human@example.com'})
        before = self.snapshot()
        for data, wait, outcome in [
                ({'website': 'http://spam.example'}, True, 'honeypot'),
                ({}, False, 'too_fast'),
                ({'form_token': '1700000000.' + '0' * 64}, False, 'forged'),
                ({'form_token': ''}, False, 'forged'),
                ]:
            response = self.post(client, dict({
                        'name': "Bot", 'email': 'bot@example.com'}, **data),
                wait=wait)
            self.assertEqual(response.status_code, 200, outcome)
            self.assertEqual(response.get_data(), reference.get_data())
            self.assertEqual(self.snapshot(), before, outcome)
            attempt = self.last(
                'crm.web_lead.attempt', ['outcome', 'opportunity'])
            self.assertEqual(attempt['outcome'], outcome)
            self.assertIsNone(attempt['opportunity'])

    def test_rate_limit(self):
        "The 6th post of an address within the hour is refused"
        client = self.client('198.51.100.7')
        for number in range(5):
            response = self.post(client, {
                    'name': f"Клиент {number}",
                    'email': f'client{number}@rate.example'})
            self.assertEqual(response.status_code, 200)
        before = self.snapshot()
        response = self.post(client, {
                'name': "Клиент 6", 'email': 'client6@rate.example'})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.headers['Retry-After'], '3600')
        self.assertSecure(response)
        self.assertEqual(self.texts(response, '//h1'), ["Too many requests"])
        self.assertEqual(self.snapshot(), before)
        # the same network in IPv6 is one address, another one is not
        self.assertEqual(self.post(self.client('2001:db8::1'), {
                    'name': "V6", 'email': 'v6@rate.example'}).status_code,
            200)
        for _ in range(4):
            self.post(self.client('2001:db8::2'), {'name': "V6"})
        self.assertEqual(self.post(self.client('2001:db8::3:4'), {
                    'name': "V6", 'email': 'v6@rate.example'}).status_code,
            429)
        self.assertEqual(self.post(self.client('198.51.100.8'), {
                    'name': "Сосед", 'email': 'neighbour@rate.example'}
                ).status_code, 200)

        # an hour later the address may post again
        with Transaction().start(DB_NAME, 0):
            Attempt = Pool().get('crm.web_lead.attempt')
            Attempt.write(Attempt.search([]), {
                    'date': utc_now() - dt.timedelta(hours=2)})
        response = self.post(client, {
                'name': "Клиент 6", 'email': 'client6@rate.example'})
        self.assertEqual(response.status_code, 200)

    def test_prune(self):
        "The daily cron forgets the old posts, not the proofs of consent"
        with Transaction().start(DB_NAME, 0):
            Attempt = Pool().get('crm.web_lead.attempt')
            old = utc_now() - dt.timedelta(days=31)
            recent = utc_now() - dt.timedelta(days=29)
            Attempt.create([
                    {'address_hash': 'prune', 'outcome': 'honeypot',
                        'date': old},
                    {'address_hash': 'prune', 'outcome': 'lead',
                        'date': old},
                    {'address_hash': 'prune', 'outcome': 'lead',
                        'date': old, 'consent': True,
                        'email': 'old@example.com'},
                    {'address_hash': 'prune', 'outcome': 'invalid',
                        'date': recent},
                    ])
            Attempt.prune()
            self.assertEqual(sorted(
                    (a.outcome, a.consent) for a in Attempt.search(
                        [('address_hash', '=', 'prune')])),
                [('invalid', False), ('lead', True)])
            Transaction().rollback()

    def test_consent(self):
        """The address agreeing to mailings is put on the list, inactive until
        the link of the confirmation e-mail is followed"""
        client = self.client('192.0.2.9')
        response = self.post(client, {
                'name': "Анна Орлова", 'email': 'Anna.Orlova@example.com',
                'consent': 'yes', 'lang': 'en'})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.texts(response, '//main/p'), [
                "Your request has been sent. We will contact you shortly.",
                "To receive our mailings, confirm your address with the "
                "link we have sent you by e-mail."])
        domain = [('email', '=', 'anna.orlova@example.com')]
        with Transaction().start(DB_NAME, 0, readonly=True), \
                inactive_records():
            Email = Pool().get('marketing.email')
            email, = Email.search(domain)
            self.assertFalse(email.active)
            self.assertEqual(email.list_.id, self.ids['newsletter'])
            self.assertEqual(email.list_.subscribed, 0)

        # the confirmation mail, through the SMTP server
        send_message = self.smtp.return_value.send_message
        send_message.assert_called_once()
        message = send_message.call_args.args[0]
        self.assertEqual(message['To'], 'anna.orlova@example.com')
        body = ''.join(part.get_content() for part in message.walk()
            if part.get_content_maintype() == 'text')
        link, = set(re.findall(
                r'https?://[^\s"<>]*/crm/subscribe\?token=[0-9a-f]+', body))
        path = urlsplit(link).path + '?' + urlsplit(link).query
        self.assertEqual(
            unquote(urlsplit(link).path), f'/{DB_NAME}/crm/subscribe')

        # the proof of the consent
        with Transaction().start(DB_NAME, 0, readonly=True):
            Attempt = Pool().get('crm.web_lead.attempt')
            attempt, = Attempt.search([('consent', '=', True)])
            self.assertEqual(attempt.email, 'anna.orlova@example.com')
            self.assertEqual(attempt.mailing_list.id, self.ids['newsletter'])
            self.assertEqual(attempt.language, 'en')
            self.assertEqual(attempt.consent_text,
                "I agree to receive the news and offers of "
                "ООО «Северный ветер» by e-mail.")
            self.assertIn("Agreed to receive mailings",
                attempt.opportunity.comment)

        # opening the link confirms nothing: a mail scanner does it too
        response = client.get(path)
        self.assertEqual(response.status_code, 200)
        self.assertSecure(response)
        self.assertEqual(self.count('marketing.email', domain + [
                    ('active', '=', True)]), 0)
        token = self.fields(response)['token']
        response = client.post(SUBSCRIBE, data={'token': 'f' * 64})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.count('marketing.email', domain + [
                    ('active', '=', True)]), 0)
        response = client.post(SUBSCRIBE, data={'token': token})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.count('marketing.email', domain + [
                    ('active', '=', True)]), 1)

        # the box not ticked: nothing subscribed, no mail
        send_message.reset_mock()
        self.post(client, {
                'name': "Без согласия", 'email': 'no.consent@example.com'})
        send_message.assert_not_called()
        self.assertEqual(self.count('marketing.email', [
                    ('email', '=', 'no.consent@example.com')]), 0)

    def test_invalid(self):
        "Bad values show the form again with their errors, nothing saved"
        client = self.client('192.0.2.10')
        before = self.snapshot()
        response = self.post(client, {
                'name': '<script>alert(1)</script>',
                'email': 'not-an-email', 'phone': '12',
                'interest': 'x' * 2001, 'lang': 'en'})
        self.assertEqual(response.status_code, 400)
        self.assertSecure(response)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.texts(response, '//span[@class="error"]'), [
                "Enter a valid e-mail address, like name@example.ru.",
                "Enter a phone number of 7 to 15 digits, "
                "like +7 495 123-45-67.",
                "This field is limited to 2000 characters."])
        body = response.get_data(as_text=True)
        self.assertNotIn('<script>', body)
        self.assertIn('&lt;script&gt;alert(1)&lt;/script&gt;', body)
        self.assertEqual(self.fields(response)['name'],
            '<script>alert(1)</script>')
        self.assertEqual(
            self.last('crm.web_lead.attempt', ['outcome'])['outcome'],
            'invalid')

        for data, error in [
                ({'name': '', 'email': 'a@example.com'}, "Enter your name."),
                ({'name': "Без контакта"}, "Enter an e-mail or a phone "
                    "number so that we can answer you."),
                ({'name': "Подписка", 'phone': '+7 900 000-00-00',
                    'consent': 'yes'},
                    "Enter your e-mail to receive our mailings."),
                ({'name': "Категория", 'phone': '+7 900 000-00-00',
                    'category': '999999'},
                    "Choose your interest from the list."),
                ]:
            response = self.post(self.client('192.0.2.11'),
                dict(data, lang='en'))
            self.assertEqual(response.status_code, 400, error)
            self.assertEqual(
                self.texts(response, '//span[@class="error"]'), [error])
        self.assertEqual(self.snapshot(), before)

        # the posts of a form too old are refused politely
        values = self.fields(self.show(client))
        values.update(name="Поздно", email='late@example.com', lang='en',
            form_token=self.backdated_token(2 * 24 * 60 * 60))
        response = client.post(FORM, data=values)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.texts(response, '//p[@role="alert"]'), [
                "The form was open for too long: "
                "please check it and send it again."])
        self.assertEqual(self.snapshot(), before)

    def test_malformed(self):
        "A NUL byte is a bad request, a huge body too large"
        client = self.client('192.0.2.12')
        before = self.snapshot()
        response = self.post(client, {'name': "Nul\x00Byte"})
        self.assertEqual(response.status_code, 400)
        self.assertSecure(response)
        response = client.get(FORM + '?utm_source=a%00b')
        self.assertEqual(response.status_code, 400)
        response = self.post(client, {
                'name': "Big", 'interest': 'x' * 20000})
        self.assertEqual(response.status_code, 413)
        self.assertSecure(response)
        self.assertEqual(self.snapshot(), before)

    def test_json(self):
        "The websites posting by script get JSON"
        client = self.client('192.0.2.13')
        accept = {'Accept': 'application/json'}
        response = client.get(FORM, headers=accept)
        self.assertEqual(response.status_code, 200)
        form = json.loads(response.get_data())
        self.assertEqual(form['status'], 'form')
        self.assertEqual(
            sorted(i['name'] for i in form['interests']),
            ["Вентиляция", "Кондиционеры"])
        response = self.post(client, {
                'name': "Скрипт", 'email': 'bad'}, **accept)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(json.loads(response.get_data())['errors'], {
                'email': "Enter a valid e-mail address, like name@example.ru."
                })
        response = self.post(client, {
                'name': "Скрипт", 'email': 'script@example.com'}, **accept)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(json.loads(response.get_data()),
            {'status': 'ok', 'redirect': None})

    def test_website(self):
        """The websites of the configuration may frame the form and get the
        visitors back on their thanks page"""
        self.configure(
            web_lead_websites=WEBSITE + '\nhttps://shop.example:8443',
            web_lead_thanks_url=WEBSITE + '/spasibo')
        try:
            client = self.client('192.0.2.14')
            response = self.show(client)
            policy = response.headers['Content-Security-Policy']
            self.assertIn(f"frame-ancestors 'self' {WEBSITE} "
                "https://shop.example:8443;", policy)
            self.assertIn(f"form-action 'self' {WEBSITE};", policy)
            self.assertNotIn('X-Frame-Options', response.headers)
            response = self.post(client, {
                    'name': "С сайта", 'email': 'site@example.com'})
            self.assertEqual(response.status_code, 303)
            self.assertEqual(response.headers['Location'],
                WEBSITE + '/spasibo')
            response = self.post(client, {
                    'name': "Бот", 'website': 'spam'})
            self.assertEqual(response.status_code, 303)
        finally:
            self.configure(web_lead_websites=None, web_lead_thanks_url=None)

        with Transaction().start(DB_NAME, 0):
            Configuration = Pool().get('crm.marketing.configuration')
            configuration = Configuration(1)
            for values in [
                    {'web_lead_thanks_url': 'javascript:alert(1)'},
                    {'web_lead_thanks_url': '/spasibo'},
                    {'web_lead_websites': WEBSITE + '/page'},
                    {'web_lead_websites': '*'},
                    {'web_lead_enabled': True, 'web_lead_company': None},
                    ]:
                with self.assertRaises(ValidationError):
                    Configuration.write([configuration], values)
            Transaction().rollback()

    def test_secret(self):
        "Nobody reads the secret that signs the forms"
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            Configuration = pool.get('crm.marketing.configuration')
            User = pool.get('res.user')
            secret = Configuration(1).web_lead_secret
            self.assertRegex(secret, r'^[0-9a-f]{64}$')
            admin, = User.search([('login', '=', 'admin')])
            with Transaction().set_user(admin.id), \
                    Transaction().set_context(_check_access=True):
                with self.assertRaises(Exception):
                    Configuration.read([1], ['web_lead_secret'])

    def test_zz_disabled(self):
        "An unpublished form is not found; the confirmations still work"
        self.configure(web_lead_enabled=False)
        try:
            client = self.client('192.0.2.15')
            self.assertEqual(client.get(FORM).status_code, 404)
            response = client.post(FORM, data={'name': "X"})
            self.assertEqual(response.status_code, 404)
            self.assertSecure(response)
            self.assertEqual(
                client.get(SUBSCRIBE + '?token=abc').status_code, 200)
        finally:
            self.configure(web_lead_enabled=True)

    def category(self, name):
        with Transaction().start(DB_NAME, 0, readonly=True):
            category, = Pool().get('product.category').search(
                [('name', '=', name)])
            return category.id


del TestCase
