# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The competitors (M6): the companies named on the lost opportunities become
competitors with their prices for our products, and the deals lost to them
point to them"""
from decimal import Decimal

from .leads import COMPETITORS, REASONS

# The loss reasons meaning that the deal went to a competitor
COMPETITION_REASONS = {"Цена", "Выбран конкурент"}
# The web site, strengths and weaknesses of each competitor
PROFILES = {
    "ООО «Климат-Про»": (
        "https://klimat-pro.example.ru",
        "Цены ниже рынка на 5–10 %, большой склад в Москве.",
        "Долгий выезд сервиса, монтаж через субподрядчиков."),
    "АО «ТермоСервис»": (
        "https://termoservis.example.ru",
        "Собственная сервисная служба, гарантия 3 года.",
        "Узкий выбор вентиляционного оборудования."),
    "ООО «Аэротек»": (
        "https://aerotek.example.ru",
        "Сильные проектировщики вентиляции, работа с госзаказом.",
        "Высокие цены на монтаж, длинные сроки поставки."),
    "ООО «Вентмонтаж»": (
        "https://ventmontazh.example.ru",
        "Быстрый монтаж, бригады в регионах.",
        "Нет собственного склада оборудования."),
    "ООО «Холод-Инжиниринг»": (
        "https://holod-ing.example.ru",
        "Крупные объекты, кассетные и канальные системы.",
        "Не берутся за небольшие квартирные заказы."),
    }
# Our products the competitors quote against, with the name of theirs
PRODUCTS = {
    'SV-09': "сплит-система 9000 BTU",
    'SV-12': "сплит-система 12000 BTU",
    'SV-18': "сплит-система 18000 BTU",
    'SVK-24': "кассетный блок 24",
    'PVU-500': "приточная установка 500 м³/ч",
    'M-WALL': "монтаж сплит-системы",
    }
# How many times a year each price was seen
OBSERVATIONS = 3
TERMS = [
    "Предоплата 100 %, поставка со склада, гарантия 1 год.",
    "Предоплата 50 %, поставка 10 дней, гарантия 2 года.",
    "Отсрочка платежа 30 дней, поставка 3 недели, гарантия 3 года.",
    "Оплата по факту поставки, монтаж включён, гарантия 2 года.",
    ]
# What the salespeople learnt about the winning offer
DETAILS = [
    "Скидка 12 % на оборудование.", "Монтаж в подарок.",
    "Поставка со склада за 3 дня.", "Рассрочка на 6 месяцев.",
    "Знакомый директор у клиента.", None, None,
    ]


def create_competitors(demo):
    """Make competitors of the companies named on the lost opportunities
    with their prices, and link the opportunities lost to them"""
    rng = demo.random
    party_ids = demo.create('party.party', [{
                'name': name,
                'lang': demo.russian.id,
                'contact_mechanisms': [('create', [{
                                'type': 'website',
                                'value': PROFILES[name][0],
                                }])],
                } for name in COMPETITORS])
    competitor_ids = demo.create('crm.competitor', [{
                'party': party_id,
                'strengths': PROFILES[name][1],
                'weaknesses': PROFILES[name][2],
                } for name, party_id in zip(COMPETITORS, party_ids)])
    competitors = dict(zip(COMPETITORS, competitor_ids))

    prices = []
    for name, competitor_id in competitors.items():
        brand = name.split("«")[1].rstrip("»")
        for code in rng.sample(sorted(PRODUCTS), 4):
            product = demo.products[code]
            # Competitors quote 90 % to 105 % of our price, lower over time
            ratio = Decimal(rng.randint(90, 105)) / 100
            for i in range(OBSERVATIONS):
                # rounded to hundreds of roubles
                price = (product['price'] * ratio / 100).quantize(
                    Decimal(1)) * 100
                prices.append({
                        'competitor': competitor_id,
                        'product': product['id'],
                        'competitor_product': "%s %s" % (
                            brand, PRODUCTS[code]),
                        'price': price,
                        'currency': demo.currency.id,
                        'date': demo.date(-365 + i * 120 + rng.randint(0, 30)),
                        'terms': rng.choice(TERMS),
                        })
                ratio -= Decimal(rng.randint(0, 5)) / 100
    demo.create('crm.competitor.price', prices)

    reason_ids = {demo.loss_reasons[t] for t, n in REASONS.items()
        if n in COMPETITION_REASONS}
    demo.write('crm.opportunity.lost_reason', {
            i: {'competition': True} for i in reason_ids})
    lost = demo.search('sale.opportunity', [
            ('state', '=', 'lost'),
            ('lost_competitor', 'in', COMPETITORS),
            ])
    demo.write('sale.opportunity', {
            o['id']: {
                'competitor': competitors[o['lost_competitor']],
                'lost_competitor': rng.choice(DETAILS),
                }
            for o in demo.read('sale.opportunity', lost, ['lost_competitor'])})
