# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The loyalty programme, the birthdays and the autumn promotion (M5)"
import calendar
import datetime as dt
from decimal import Decimal

PROGRAM = "Клуб постоянных клиентов"
# name, threshold in points, discount in %
LEVELS = [
    ("Серебряный", 0, Decimal(3)),
    ("Золотой", 500, Decimal(5)),
    ("Платиновый", 1000, Decimal(10)),
    ]
# One point per 100 ₽ paid
POINTS_RATE = Decimal('0.01')
# The share of the persons who joined the club
MEMBERS = 0.6
# The club opened two years ago
OPENED = -730
# The persons born on the day of the demo, to greet
BORN_TODAY = 2
# The cards created per call (see issue_cards)
CARD_BATCH = 40
PROMOTION = "Осенняя распродажа"


def setup_loyalty_program(demo):
    "The club with its three levels"
    demo.create('crm.loyalty.program', [{
                'name': PROGRAM,
                'company': demo.company.id,
                'currency': demo.currency.id,
                'points_rate': POINTS_RATE,
                'levels': [('create', [{
                                'name': name,
                                'threshold': threshold,
                                'discount': discount,
                                } for name, threshold, discount in LEVELS])],
                }])


def issue_cards(demo):
    """Cards for most of the persons, issued when they became customers or
    when the club opened, with the points of the invoices they paid since"""
    rng = demo.random
    program, = demo.search('crm.loyalty.program', [('name', '=', PROGRAM)])
    persons = [c for c in demo.customers if c['kind'] == 'person']
    members = [c for c in persons if rng.random() < MEMBERS]
    values = [{
            'program': program,
            'party': c['id'],
            'issue_date': max(c['since'], demo.date(OPENED)),
            } for c in members]
    # SQLite checks the one-active-card exclusion of a created batch with one
    # OR per record, which its parser refuses beyond about 100: small batches
    cards = []
    for i in range(0, len(values), CARD_BATCH):
        cards.extend(demo.create('crm.loyalty.card', values[i:i + CARD_BATCH]))
    demo.click('crm.loyalty.card', cards, 'collect_points', "points")


def _birthday(year, month, day):
    "Return the date, on the 28th of February for a non leap year"
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28
    return dt.date(year, month, day)


def set_birthdays(demo):
    "The persons tell their birthday; a few of them were born today"
    rng = demo.random
    persons = [c for c in demo.customers if c['kind'] == 'person']
    values = {}
    for person in persons:
        birthday = demo.random_date(dt.date(1950, 1, 1), dt.date(2002, 12, 31))
        values[person['id']] = {'birthday': birthday}
    for person in rng.sample(persons, min(BORN_TODAY, len(persons))):
        values[person['id']] = {'birthday': _birthday(
                rng.randint(1960, 1995),
                demo.today.month, demo.today.day)}
    demo.write('party.party', values)


def _last_autumn(demo):
    "Return the first and last days of the current or last autumn"
    year = demo.today.year if demo.today.month >= 9 else demo.today.year - 1
    return dt.date(year, 9, 1), dt.date(year, 11, 30)


def create_promotion(demo):
    """10 % off everything in autumn, run by the autumn campaign if there is
    one, else by a campaign of its name"""
    campaigns = demo.search('marketing.campaign', [
            ('name', 'ilike', '%осен%'),
            ], order=[('id', 'ASC')])
    if campaigns:
        campaign = campaigns[0]
    else:
        campaign, = demo.create('marketing.campaign', [{'name': PROMOTION}])
    start_date, end_date = _last_autumn(demo)
    demo.create('sale.promotion', [{
                'name': PROMOTION,
                'company': demo.company.id,
                'start_date': start_date,
                'end_date': end_date,
                'formula': 'unit_price * 0.9',
                'marketing_campaign': campaign,
                }])
