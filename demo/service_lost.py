# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The service analytics (V5): the hourly cost of the service work for the
customer profitability, the reasons customers are lost for, a few customers
marked as lost by their account managers and those found by inactivity"""
import datetime as dt
from decimal import Decimal

from proteus import Model, Wizard

HOURLY_SERVICE_COST = Decimal('1500')
# The reason: the notes the account managers wrote
LOST_REASONS = {
    "Переход к конкуренту": [
        "Перешли к «Климат-Профи»: монтаж за неделю вместо трёх.",
        "Тендер выиграл дилер с собственной сервисной бригадой.",
        ],
    "Закрытие бизнеса": [
        "Компания ликвидирована, офис закрыт.",
        "Сеть кафе продана, новый владелец работает со своими "
        "поставщиками.",
        ],
    "Неудовлетворённость сервисом": [
        "Дважды сорван срок ремонта чиллера, жалоба директору.",
        "Недовольны сроками реакции по гарантии.",
        ],
    "Высокая цена": [
        "Нашли поставщика дешевле на 15 %.",
        "Не согласовали повышение цен на обслуживание.",
        ],
    }
# The customers marked as lost by hand, at scale 1
MARKED_LOST = 12
# The customers whose last purchase is this old are marked by hand: older
# ones are left to the inactivity detection
MARKED_AFTER_DAYS = (60, 300)


def setup_service_costs(demo):
    "Set the hourly cost of the service work"
    Configuration = Model.get('crm.service.configuration')
    configuration = Configuration(1)
    configuration.hourly_service_cost = HOURLY_SERVICE_COST
    configuration.save()


def setup_lost_reasons(demo):
    "Create the reasons of the managers; inactivity comes with the module"
    demo.lost_reasons = dict(zip(LOST_REASONS, demo.create(
                'crm.service.lost_reason', [
                    {'name': name, 'sequence': i}
                    for i, name in enumerate(LOST_REASONS, 1)])))


def mark_lost_customers(demo):
    """Mark as lost by hand a few customers who stopped buying some months
    ago, on a day after their last purchase"""
    Party = Model.get('party.party')
    Reason = Model.get('crm.service.lost_reason')
    last_purchases = _last_purchases(demo)
    candidates = sorted(
        party for party, date in last_purchases.items()
        if demo.date(-MARKED_AFTER_DAYS[1])
        <= date <= demo.date(-MARKED_AFTER_DAYS[0]))
    parties = demo.random.sample(
        candidates, min(demo.count(MARKED_LOST), len(candidates)))
    reasons = list(LOST_REASONS)
    for party in parties:
        reason = demo.random.choice(reasons)
        mark = Wizard('crm.service.mark_lost', [Party(party)])
        mark.form.date = demo.random_date(
            last_purchases[party] + dt.timedelta(days=30), demo.today)
        mark.form.reason = Reason(demo.lost_reasons[reason])
        mark.form.note = demo.random.choice(LOST_REASONS[reason])
        mark.execute('mark')


def detect_lost_customers(demo):
    "Mark the customers inactive for a year as the nightly cron does"
    Cron = Model.get('ir.cron')
    cron, = Cron.find([
            ('method', '=', 'party.party|detect_lost_customers'),
            ])
    cron.click('run_once')


def _last_purchases(demo):
    "Return the date of the last posted customer invoice of each party"
    invoices = demo.search('account.invoice', [
            ('type', '=', 'out'),
            ('state', 'in', ['posted', 'paid']),
            ('total_amount', '>', 0),
            ])
    last = {}
    for invoice in demo.read(
            'account.invoice', invoices, ['party', 'invoice_date']):
        party, date = invoice['party'], invoice['invoice_date']
        if date > last.get(party, dt.date.min):
            last[party] = date
    return last
