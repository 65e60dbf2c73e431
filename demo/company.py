# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The company, its accounting and its salespeople"
import datetime as dt
from decimal import Decimal

from proteus import Model

from trytond.modules.account.tests.tools import (
    create_chart, create_fiscalyear, get_accounts)
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences)
from trytond.modules.company.tests.tools import create_company, get_company

from .names import SUBDIVISIONS
from .tools import TIMEZONE

COMPANY_NAME = "ООО «Северный ветер»"
COMPANY_INN = '7710456785'
COMPANY_DOMAIN = 'severny-veter.ru'
# The head of sales, who is the admin user's employee
MANAGER = ("Васильев", "Игорь", "Олегович", 'vasilev')
SALESPEOPLE = [
    ("Иванова", "Анна", "Сергеевна", 'ivanova'),
    ("Петров", "Дмитрий", "Александрович", 'petrov'),
    ("Смирнова", "Елена", "Викторовна", 'smirnova'),
    ("Кузнецов", "Алексей", "Игоревич", 'kuznetsov'),
    ("Соколова", "Мария", "Андреевна", 'sokolova'),
    ("Попов", "Сергей", "Николаевич", 'popov'),
    ("Лебедева", "Ольга", "Дмитриевна", 'lebedeva'),
    ("Новиков", "Андрей", "Павлович", 'novikov'),
    ]
# What a salesperson needs to see parties, sales, opportunities, invoices
# and activities (crm_sales grants its models to the sales group)
SALES_GROUPS = ['sale.group_sale', 'sale_opportunity.group_opportunity']
# name, days until due
PAYMENT_TERMS = [
    ("Предоплата 100%", 0),
    ("Отсрочка 14 дней", 14),
    ("Отсрочка 30 дней", 30),
    ]
ACCOUNT_NAMES = {
    'receivable': "Расчёты с покупателями",
    'payable': "Расчёты с поставщиками",
    'revenue': "Выручка от продаж",
    'expense': "Себестоимость продаж",
    'cash': "Расчётный счёт",
    }


def find_company():
    "Return the demo company and whether another company exists"
    Company = Model.get('company.company')
    companies = Company.find([])
    for company in companies:
        if company.party.name == COMPANY_NAME:
            return company, False
    return None, bool(companies)


def setup_language(demo):
    """Set the admin's password and language: Russian, to write the data in,
    and the language of new parties: their documents and e-mails"""
    Lang = Model.get('ir.lang')
    User = Model.get('res.user')
    PartyConfiguration = Model.get('party.configuration')
    russian, = Lang.find([('code', '=', 'ru')])
    party_configuration = PartyConfiguration(1)
    party_configuration.party_lang = russian
    party_configuration.save()
    admin = User(demo.config.user)
    admin.language = russian
    admin.password = demo.password
    admin.save()
    refresh_context(demo)
    demo.russian = russian


def refresh_context(demo):
    "Reload the user preferences (language, company, employee)"
    User = Model.get('res.user')
    # As trytond.modules.company.tests.tools.create_company does
    demo.config._context = User.get_preferences(True, {})


def setup_currency(demo):
    Currency = Model.get('currency.currency')
    currencies = Currency.find([('code', '=', 'RUB')])
    if currencies:
        currency, = currencies
    else:
        currency = Currency(
            name="Российский рубль", symbol='₽', code='RUB',
            numeric_code='643', rounding=Decimal('0.01'), digits=2)
    if not currency.rates:
        currency.rates.new(
            date=dt.date(demo.today.year - 3, 1, 1), rate=Decimal(1))
    currency.save()
    demo.currency = currency


def setup_country(demo):
    "Create Russia and the subdivisions the addresses use, if missing"
    Country = Model.get('country.country')
    Subdivision = Model.get('country.subdivision')
    countries = Country.find([('code', '=', 'RU')])
    if countries:
        country, = countries
    else:
        country = Country(
            name="Россия", code='RU', code3='RUS', code_numeric='643')
        country.save()
    existing = {s.code: s for s in Subdivision.find(
            [('country', '=', country.id)])}
    missing = [
        Subdivision(country=country, code=code, name=name, type=type_)
        for code, name, type_ in SUBDIVISIONS if code not in existing]
    Subdivision.save(missing)
    existing.update({s.code: s for s in missing})
    demo.country = country
    demo.subdivisions = {
        code: existing[code].id for code, _, _ in SUBDIVISIONS}


def setup_company(demo):
    Party = Model.get('party.party')
    party = Party(name=COMPANY_NAME, lang=demo.russian)
    address, = party.addresses
    address.street_unstructured = "ул. Тверская, д. 12, стр. 1, офис 405"
    address.city = "Москва"
    address.postal_code = '125009'
    address.country = demo.country
    address.subdivision = Model.get('country.subdivision')(
        demo.subdivisions['RU-MOW'])
    party.identifiers.new(type='ru_vat', code=COMPANY_INN)
    party.contact_mechanisms.new(type='phone', value="+7 (495) 150-42-42")
    party.contact_mechanisms.new(
        type='email', value='info@' + COMPANY_DOMAIN)
    party.contact_mechanisms.new(
        type='website', value='https://' + COMPANY_DOMAIN)
    party.save()
    create_company(party, demo.currency, config=demo.config)
    company = get_company(config=demo.config)
    company.timezone = TIMEZONE
    company.save()
    refresh_context(demo)
    demo.company = company


def setup_accounting(demo):
    "Create the chart, the fiscal years, the payment terms and methods"
    config = demo.config
    create_chart(demo.company, config=config)
    accounts = get_accounts(demo.company, config=config)
    for kind, name in ACCOUNT_NAMES.items():
        accounts[kind].name = name
        accounts[kind].save()
    demo.accounts = accounts

    # Invoices go back two years, so their fiscal years must exist
    first_year = demo.date(-800).year
    for year in range(first_year, demo.today.year + 1):
        # Tryton's tools find the sequence types by their English names
        with config.set_context(language='en'):
            fiscalyear = create_fiscalyear(
                demo.company, (dt.date(year, 1, 1), dt.date(year, 12, 31)),
                config=config)
            set_fiscalyear_invoice_sequences(fiscalyear, config=config)
        fiscalyear.save()
        fiscalyear.click('create_period')
        sequence = fiscalyear.invoice_sequences[0].out_invoice_sequence
        sequence.prefix = '%s-' % year
        sequence.save()

    PaymentTerm = Model.get('account.invoice.payment_term')
    terms = []
    for name, days in PAYMENT_TERMS:
        term = PaymentTerm(name=name)
        line = term.lines.new(type='remainder')
        if days:
            line.relativedeltas.new(days=days)
        terms.append(term)
    PaymentTerm.save(terms)
    demo.payment_terms = terms

    Configuration = Model.get('account.configuration')
    configuration = Configuration(1)
    configuration.default_customer_payment_term = terms[1]
    configuration.save()

    Journal = Model.get('account.journal')
    PaymentMethod = Model.get('account.invoice.payment.method')
    cash_journal, = Journal.find([('type', '=', 'cash')], limit=1)
    revenue_journal, = Journal.find([('type', '=', 'revenue')], limit=1)
    # Opened on the first move otherwise, which restarts the transaction
    # that posts the invoices on SQLite
    periods = demo.search('account.period', [('type', '=', 'standard')])
    demo.create('account.journal.period', [
            {'journal': j.id, 'period': p}
            for j in [revenue_journal, cash_journal] for p in periods])
    demo.payment_method = PaymentMethod(
        name="Банковский перевод", journal=cash_journal,
        credit_account=accounts['cash'], debit_account=accounts['cash'])
    demo.payment_method.save()


def _employee(demo, surname, first_name, patronymic, login):
    Employee = Model.get('company.employee')
    Party = Model.get('party.party')
    party = Party(
        name=" ".join([surname, first_name, patronymic]), lang=demo.russian)
    party.addresses[0].city = "Москва"
    party.addresses[0].country = demo.country
    party.contact_mechanisms.new(
        type='email', value='%s@%s' % (login, COMPANY_DOMAIN))
    party.save()
    return Employee(
        party=party, company=demo.company, start_date=demo.date(-1500))


def setup_employees(demo):
    "Create the salespeople with their users and link admin to the head"
    Employee = Model.get('company.employee')
    Group = Model.get('res.group')
    User = Model.get('res.user')

    manager = _employee(demo, *MANAGER)
    salespeople = [_employee(demo, *p) for p in SALESPEOPLE]
    Employee.save([manager] + salespeople)
    demo.salespeople = salespeople

    Company = Model.get('company.company')
    groups = [demo.model_id(g) for g in SALES_GROUPS]
    users = []
    for employee, (_, _, _, login) in zip(salespeople, SALESPEOPLE):
        user = User(
            name=employee.party.name, login=login, password=demo.password,
            email='%s@%s' % (login, COMPANY_DOMAIN), language=demo.russian)
        user.groups.extend(Group(g) for g in groups)
        user.companies.append(Company(demo.company.id))
        user.company = demo.company
        user.employees.append(employee)
        user.employee = employee
        users.append(user)
    User.save(users)

    admin = User(demo.config.user)
    admin.employees.append(manager)
    admin.employee = manager
    admin.save()
    refresh_context(demo)
