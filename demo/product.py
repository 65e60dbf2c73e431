# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The goods and services the company sells: climate equipment"
from decimal import Decimal

from proteus import Model

# category, code, name, list price in RUB
GOODS = [
    ("Кондиционеры", 'SV-07', "Кондиционер настенный СВ-07 (2,1 кВт)", 32900),
    ("Кондиционеры", 'SV-09', "Кондиционер настенный СВ-09 (2,6 кВт)", 38500),
    ("Кондиционеры", 'SV-12', "Кондиционер настенный СВ-12 (3,5 кВт)", 46900),
    ("Кондиционеры", 'SV-18', "Кондиционер настенный СВ-18 (5,3 кВт)", 69900),
    ("Кондиционеры", 'SVK-24', "Кондиционер кассетный СВК-24", 129000),
    ("Кондиционеры", 'SVD-36', "Кондиционер канальный СВД-36", 189000),
    ("Кондиционеры", 'MS-3', "Мульти-сплит система на 3 комнаты", 168000),
    ("Вентиляция", 'PVU-500', "Приточная установка ПВУ-500", 118000),
    ("Вентиляция", 'PVR-800',
        "Приточно-вытяжная установка с рекуператором ПВР-800", 265000),
    ("Вентиляция", 'VK-160', "Канальный вентилятор ВК-160", 8900),
    ("Вентиляция", 'VO-300', "Осевой вентилятор ВО-300", 12400),
    ("Вентиляция", 'BR-150', "Бризер «Северный ветер» Бриз-150", 39900),
    ("Вентиляция", 'VD-160', "Воздуховод круглый Ø160, 3 м", 1250),
    ("Вентиляция", 'RV-200', "Решётка вентиляционная РВ-200", 890),
    ("Климатическая техника", 'OV-40', "Очиститель воздуха ОВ-40", 21500),
    ("Климатическая техника", 'UV-6', "Увлажнитель воздуха УВ-6", 14900),
    ("Климатическая техника", 'TZ-1000', "Тепловая завеса ТЗ-1000", 27800),
    ("Комплектующие", 'PU-1', "Пульт управления беспроводной ПУ-1", 3400),
    ("Комплектующие", 'F7-PVU', "Фильтр сменный F7 для ПВУ", 2600),
    ("Комплектующие", 'MT-15', "Медная труба 1/4\" (бухта 15 м)", 6800),
    ]
SERVICES = [
    ("Услуги", 'M-WALL', "Монтаж настенного кондиционера", 12000),
    ("Услуги", 'M-DUCT', "Монтаж канального кондиционера", 38000),
    ("Услуги", 'M-PVU', "Монтаж приточной установки", 45000),
    ("Услуги", 'PROJ', "Проектирование системы вентиляции", 35000),
    ("Услуги", 'TO', "Техническое обслуживание кондиционера", 4500),
    ("Услуги", 'SERV-Y', "Годовой сервисный контракт", 60000),
    ("Услуги", 'CLEAN', "Чистка и дезинфекция системы вентиляции", 9800),
    ("Услуги", 'REPAIR', "Диагностика и ремонт", 6500),
    ("Услуги", 'VISIT', "Выезд инженера на объект", 2500),
    ("Услуги", 'PNR', "Пусконаладочные работы", 15000),
    ]
# Enough stock for two years of sales, so shipments can be assigned
STOCK_QUANTITY = 100000


def setup_products(demo):
    "Create the product categories, the goods and the services"
    Category = Model.get('product.category')
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    unit = Uom(demo.model_id('product.uom_unit'))

    account_category = Category(
        name="Товары и услуги", accounting=True,
        account_revenue=demo.accounts['revenue'],
        account_expense=demo.accounts['expense'])
    names = sorted({c for c, _, _, _ in GOODS + SERVICES})
    categories = {n: Category(name=n) for n in names}
    Category.save([account_category] + list(categories.values()))

    templates, products = [], []
    for type_, items in [('goods', GOODS), ('service', SERVICES)]:
        for category, code, name, price in items:
            list_price = Decimal(price)
            # Margins of 25 to 45 %
            margin = Decimal(demo.random.randint(25, 45)) / 100
            template = Template(
                name=name, type=type_, default_uom=unit, salable=True,
                list_price=list_price,
                account_category=account_category)
            template.categories.append(Category(categories[category].id))
            product, = template.products
            product.suffix_code = code
            product.cost_price = (list_price * (1 - margin)).quantize(
                Decimal(1))
            templates.append(template)
            products.append({
                    'code': code,
                    'type': type_,
                    'price': list_price,
                    'unit': unit.id,
                    'category': category,
                    })
    Template.save(templates)
    for template, product in zip(templates, products):
        product['id'] = template.products[0].id
    demo.products = {p['code']: p for p in products}


def setup_stock(demo):
    "Fill the warehouse with the goods before the first sale"
    Inventory = Model.get('stock.inventory')
    Location = Model.get('stock.location')
    storage, = Location.find([('code', '=', 'STO')])
    inventory = Inventory(location=storage, date=demo.date(-800))
    Product = Model.get('product.product')
    for product in demo.products.values():
        if product['type'] == 'goods':
            inventory.lines.new(
                product=Product(product['id']), quantity=STOCK_QUANTITY,
                expected_quantity=0)
    inventory.click('confirm')
