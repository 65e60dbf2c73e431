# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The classification and the segments (M1): the ABC classes and RFM scores
of the customers from their invoices, and five segments refreshed from them"""
from proteus import Model

from trytond.pyson import Date, PYSONEncoder

# The regions of the dealers of the centre
CENTRAL_REGIONS = ['RU-MOW', 'RU-MOS']


def classify_customers(demo):
    "Compute the ABC classes and RFM scores as the nightly cron does"
    Configuration = Model.get('crm.marketing.configuration')
    Configuration.click([Configuration(1)], 'classify_customers')


def create_segments(demo):
    "Create the segments of the marketers and fill them"
    Category = Model.get('party.category')
    Segment = Model.get('crm.segment')
    Subdivision = Model.get('country.subdivision')

    key = Segment(name="Ключевые клиенты (A)")
    key.abc_classes = ['A']
    key.description = (
        "Клиенты, дающие 80 % выручки за последние 12 месяцев.")

    sleeping = Segment(name="Спящие клиенты")
    sleeping.last_purchase_to = demo.date(-180)
    sleeping.description = (
        "Покупали раньше, но не покупали последние полгода: "
        "кандидаты на реактивацию.")

    dealers = Segment(name="Дилеры Центрального региона")
    dealers.categories.append(Category(demo.categories["Дилер"]))
    for code in CENTRAL_REGIONS:
        dealers.regions.append(Subdivision(demo.subdivisions[code]))
    dealers.description = "Дилеры с адресом в Москве и Московской области."

    new = Segment(name="Новые клиенты за 90 дней")
    # Relative to the day of the refresh, so that the nightly cron keeps it
    new.domain = PYSONEncoder().encode(
        [('customer_since', '>=', Date(delta_days=-90))])
    new.description = "Клиенты, впервые купившие за последние 90 дней."

    best = Segment(name="Высокий RFM")
    best.rfm_recency_min = 4
    best.rfm_frequency_min = 4
    best.rfm_monetary_min = 4
    best.description = (
        "Покупали недавно, часто и на большие суммы: "
        "приглашения на закрытые мероприятия.")

    segments = [key, sleeping, dealers, new, best]
    Segment.save(segments)
    Segment.click(segments, 'refresh')
