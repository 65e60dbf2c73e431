# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The web form of the leads (M8): published for the company's website,
with the newsletter for the visitors who agree to mailings, and the requests
of the last two weeks sent through it, from advertising links or not, by new
visitors and by known customers, and a few bots

The requests are posted to the form as browsers do (the demo runs trytond in
its process), then dated back over the two weeks. The confirmation mails are
dropped: the demo has no mail server."""
import datetime as dt
import re
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import quote, urlencode

from proteus import Model
from werkzeug.test import Client

from trytond import config as trytond_config
from trytond import sendmail
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import names
from .company import COMPANY_DOMAIN

LIST_NAME = "Новости и акции"
INTERESTS = ["Кондиционеры", "Вентиляция", "Климатическая техника", "Услуги"]
DEFAULT_MEDIUM = "сайт"
DEFAULT_SOURCE = "Сайт компании"
# The links of the advertising, as their UTM parameters name them (weight,
# campaign, medium, source); the names are matched without case
LINKS = [
    (35, "Контекстная реклама: приточная вентиляция", "cpc",
        "Яндекс.Директ"),
    (15, None, "cpc", "Яндекс.Директ"),
    (15, None, "соцсети", "ВКонтакте"),
    # an advertising partner's link nobody registered: kept in the comment
    (5, "klimat-portal-banner", "banner", "klimat-portal.ru"),
    (30, None, None, None),
    ]
MEDIUMS = ["cpc", "соцсети", DEFAULT_MEDIUM]
SOURCES = ["Яндекс.Директ", "ВКонтакте", DEFAULT_SOURCE]
REQUESTS = [
    "Нужен кондиционер в спальню 18 м², интересует монтаж под ключ.",
    "Прошу рассчитать приточную вентиляцию для офиса 150 м².",
    "Сколько стоит обслуживание трёх сплит-систем?",
    "Нужна консультация по бризерам для квартиры.",
    "Интересует тепловая завеса на вход магазина.",
    "Просим коммерческое предложение на вентиляцию склада 800 м².",
    "",
    ]
LEADS = 16
# The share of the requests from known customers, of the visitors who agree
# to mailings and of those who confirmed their address since
CUSTOMERS = 0.3
CONSENT = 0.5
CONFIRMED = 0.6
BOTS = 3
DAYS = 14
# Moscow has no daylight saving time
MOSCOW_OFFSET = dt.timedelta(hours=3)
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def setup_web_form(demo):
    """Publish the form for the company's website, with the mailing list,
    the interests and the default medium and source"""
    Category = Model.get('product.category')
    Channel = Model.get('crm.sales.channel')
    Configuration = Model.get('crm.marketing.configuration')
    Company = Model.get('company.company')
    EmailList = Model.get('marketing.email.list')
    Medium = Model.get('marketing.medium')
    Source = Model.get('marketing.source')

    lists = EmailList.find([('name', '=', LIST_NAME)], limit=1)
    if lists:
        newsletter, = lists
    else:
        newsletter = EmailList(name=LIST_NAME, language=demo.russian)
        newsletter.save()
    mediums = _parameters(Medium, MEDIUMS)
    sources = _parameters(Source, SOURCES)

    configuration = Configuration(1)
    configuration.web_lead_enabled = True
    configuration.web_lead_company = Company(demo.company.id)
    configuration.web_lead_mailing_list = newsletter
    configuration.web_lead_medium = mediums[DEFAULT_MEDIUM]
    configuration.web_lead_source = sources[DEFAULT_SOURCE]
    online = Channel.find([('kind', '=', 'online')], limit=1)
    if online:
        configuration.web_lead_sales_channel, = online
    configuration.web_lead_websites = 'https://' + COMPANY_DOMAIN
    configuration.web_lead_categories.extend(
        Category.find([('name', 'in', INTERESTS)], order=[('name', 'ASC')]))
    configuration.save()


def _parameters(Parameter, names_):
    "Return the campaign parameters of names_ by name, created when missing"
    found = {p.name: p for p in Parameter.find([
                ('name', 'in', [n.lower() for n in names_])])}
    missing = [Parameter(name=n) for n in names_ if n.lower() not in found]
    Parameter.save(missing)
    found.update({p.name: p for p in missing})
    return {n: found[n.lower()] for n in names_}


@contextmanager
def _visitors():
    """Let the demo post at once, many times, without mail server"""
    options = [
        ('marketing', 'web_lead_min_seconds', '0'),
        ('marketing', 'subscribe_delay', '0'),
        ]
    previous = [trytond_config.get(s, o) for s, o, _ in options]
    for section, option, value in options:
        if not trytond_config.has_section(section):
            trytond_config.add_section(section)
        trytond_config.set(section, option, value)
    try:
        with patch.object(sendmail, 'get_smtp_server', return_value=None):
            yield
    finally:
        for (section, option, default), value in zip(
                [('marketing', 'web_lead_min_seconds', '3'),
                    ('marketing', 'subscribe_delay', '1')], previous):
            trytond_config.set(section, option, value or default)


class _Visitor:
    "A browser on the network address number"

    def __init__(self, database, number):
        self.client = Client(app, Response)
        self.environ = {'REMOTE_ADDR': f'203.0.113.{number % 250 + 1}'}
        self.url = '/%s/crm/lead' % quote(database, safe='')

    def post(self, query, values):
        "Open the form with the query of the link, then send it with values"
        page = self.client.get(self.url + '?' + urlencode(query),
            environ_base=self.environ)
        token, = TOKEN.findall(page.get_data(as_text=True))
        data = dict(query, form_token=token, lang='ru', **values)
        return self.client.post(
            self.url, data=data, environ_base=self.environ)


def create_web_leads(demo):
    """Send the requests of the last two weeks through the form, a few of
    them by bots, and confirm the address of some who agreed to mailings"""
    database = demo.config.database_name
    with _visitors():
        for number, (query, values) in enumerate(_requests(demo)):
            _Visitor(database, number).post(query, values)
        for number in range(demo.count(BOTS)):
            # a bot fills every field, the hidden one too
            _Visitor(database, 200 + number).post({}, {
                    'name': "SEO promotion", 'email': 'seo@spam.example',
                    'website': 'http://spam.example',
                    'interest': "Cheap backlinks for your site!"})
        _confirm(demo, database)
    _date_back(demo, database)


def _requests(demo):
    "The UTM parameters of the link and the values of each request"
    rng = demo.random
    categories = {c['name']: c['id'] for c in demo.read(
            'product.category',
            demo.search('product.category', [('name', 'in', INTERESTS)]),
            ['name'])}
    known = [p for p in demo.read('party.party',
            [c['id'] for c in rng.sample(demo.customers,
                    min(len(demo.customers), demo.count(LEADS)))],
            ['name', 'email', 'phone']) if p['email'] or p['phone']]
    requests = []
    for _ in range(demo.count(LEADS)):
        link = rng.choices(LINKS, weights=[l[0] for l in LINKS])[0]
        query = {k: v for k, v in zip(
                ['utm_campaign', 'utm_medium', 'utm_source'], link[1:]) if v}
        interest = rng.choice(INTERESTS + [None])
        values = {
            'interest': rng.choice(REQUESTS),
            'category': str(categories.get(interest, '')),
            }
        surname, first_name, _ = names.person(rng)
        values['name'] = f"{first_name} {surname}"
        if known and rng.random() < CUSTOMERS:
            # a customer's employee, with the customer's e-mail or phone
            party = known.pop()
            values.update(company=party['name'],
                email=party['email'] or '', phone=party['phone'] or '')
        else:
            form, company = names.company_name(rng)
            values.update(
                company=f"{form} «{company}»" if rng.random() < 0.5 else '',
                email='%s.%s@example.ru' % (
                    names.transliterate(first_name),
                    names.transliterate(surname)),
                phone=names.mobile(rng) if rng.random() < 0.7 else '')
            if rng.random() < CONSENT:
                values['consent'] = 'yes'
        requests.append((query, values))
    return requests


def _confirm(demo, database):
    "Follow the confirmation link of some who agreed to mailings"
    pending = demo.read('marketing.email', demo.search('marketing.email', [
                ('active', '=', False),
                ('email', 'like', '%@example.ru'),
                ], order=[('id', 'ASC')]), ['email_token'])
    client = Client(app, Response)
    url = '/%s/crm/subscribe' % quote(database, safe='')
    for email in pending:
        if demo.random.random() < CONFIRMED:
            client.post(url, data={'token': email['email_token']},
                environ_base={'REMOTE_ADDR': '203.0.113.254'})


def _past(demo):
    "A time of the last two weeks, in office hours (naive UTC)"
    return demo.local_datetime(
        demo.date(-demo.random.randint(1, DAYS)),
        demo.random.randint(8, 21), demo.random.randint(0, 59))


def _date_back(demo, database):
    """Spread the submissions and their leads over the last two weeks, as
    if the form had been published then"""
    with Transaction().start(database, 0):
        pool = Pool()
        Attempt = pool.get('crm.web_lead.attempt')
        Opportunity = pool.get('sale.opportunity')
        attempts = Attempt.search([], order=[('id', 'ASC')])
        dates = sorted(_past(demo) for _ in attempts)
        attempt_args, lead_args = [], []
        for attempt, date in zip(attempts, dates):
            attempt_args.extend([[attempt], {'date': date}])
            if attempt.opportunity:
                lead_args.extend([[attempt.opportunity], {
                            'start_date': (date + MOSCOW_OFFSET).date()}])
        if attempt_args:
            Attempt.write(*attempt_args)
        if lead_args:
            Opportunity.write(*lead_args)
