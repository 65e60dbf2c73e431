# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Russian names, addresses and tax identifiers for the demo parties"

MALE_NAMES = [
    "Александр", "Алексей", "Андрей", "Антон", "Артём", "Борис", "Вадим",
    "Василий", "Виктор", "Владимир", "Дмитрий", "Евгений", "Егор", "Иван",
    "Игорь", "Кирилл", "Константин", "Максим", "Михаил", "Никита",
    "Николай", "Олег", "Павел", "Роман", "Сергей", "Станислав", "Юрий",
    ]
FEMALE_NAMES = [
    "Алина", "Анастасия", "Анна", "Валентина", "Вера", "Виктория",
    "Галина", "Дарья", "Екатерина", "Елена", "Ирина", "Ксения", "Лариса",
    "Любовь", "Людмила", "Марина", "Мария", "Наталья", "Надежда", "Ольга",
    "Светлана", "Татьяна", "Юлия",
    ]
# The masculine forms; feminine_surname derives the others
SURNAMES = [
    "Алексеев", "Андреев", "Баранов", "Белов", "Богданов", "Борисов",
    "Васильев", "Виноградов", "Волков", "Воробьёв", "Гаврилов", "Голубев",
    "Григорьев", "Гусев", "Давыдов", "Дмитриев", "Егоров", "Жуков",
    "Зайцев", "Захаров", "Иванов", "Ильин", "Калинин", "Караваев",
    "Киселёв", "Ковалёв", "Козлов", "Комаров", "Крылов", "Кудрявцев",
    "Кузнецов", "Лебедев", "Макаров", "Медведев", "Мельников", "Морозов",
    "Никитин", "Николаев", "Новиков", "Орлов", "Павлов", "Петров",
    "Поляков", "Попов", "Романов", "Семёнов", "Сергеев", "Смирнов",
    "Соколов", "Соловьёв", "Степанов", "Тарасов", "Тихонов", "Фёдоров",
    "Филиппов", "Фролов", "Широков", "Яковлев", "Высоцкий", "Вишневский",
    "Ковальский", "Островский",
    ]
# Father's names with the masculine and feminine patronymics
PATRONYMICS = [
    ("Александрович", "Александровна"), ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"), ("Борисович", "Борисовна"),
    ("Викторович", "Викторовна"), ("Владимирович", "Владимировна"),
    ("Дмитриевич", "Дмитриевна"), ("Евгеньевич", "Евгеньевна"),
    ("Иванович", "Ивановна"), ("Игоревич", "Игоревна"),
    ("Михайлович", "Михайловна"), ("Николаевич", "Николаевна"),
    ("Олегович", "Олеговна"), ("Павлович", "Павловна"),
    ("Петрович", "Петровна"), ("Сергеевич", "Сергеевна"),
    ("Юрьевич", "Юрьевна"),
    ]

COMPANY_FORMS = ["ООО", "ООО", "ООО", "ООО", "АО"]
COMPANY_ROOTS = [
    "Альфа", "Аргон", "Байкал", "Вектор", "Велес", "Восток", "Гарант",
    "Гелиос", "Гранит", "Дельта", "Енисей", "Зенит", "Импульс", "Интел",
    "Каскад", "Квант", "Кедр", "Континент", "Кристалл", "Меридиан",
    "Монолит", "Нева", "Омега", "Орион", "Патриот", "Полюс", "Прогресс",
    "Радуга", "Ресурс", "Ритм", "Север", "Сибирь", "Сигма", "Союз",
    "Спектр", "Стандарт", "Старт", "Темп", "Титан", "Урал", "Феникс",
    "Форвард", "Эталон", "Юпитер",
    ]
COMPANY_SUFFIXES = [
    "", "Строй", "Торг", "Трейд", "Пром", "Логистик", "Снаб", "Сервис",
    "Тех", "Маркет", "Инвест", "Девелопмент", "Групп", "Агро", "Мед",
    ]
COMPANY_POSITIONS = [
    "генеральный директор", "главный инженер", "менеджер по закупкам",
    "руководитель АХО", "главный бухгалтер", "офис-менеджер",
    "технический директор",
    ]

# city, subdivision code, postal code prefix, INN region, phone area code,
# weight (how many customers live there)
CITIES = [
    ("Москва", 'RU-MOW', '1', '77', '495', 30),
    ("Санкт-Петербург", 'RU-SPE', '19', '78', '812', 14),
    ("Химки", 'RU-MOS', '141', '50', '495', 5),
    ("Подольск", 'RU-MOS', '142', '50', '496', 4),
    ("Екатеринбург", 'RU-SVE', '620', '66', '343', 8),
    ("Новосибирск", 'RU-NVS', '630', '54', '383', 7),
    ("Казань", 'RU-TA', '420', '16', '843', 7),
    ("Краснодар", 'RU-KDA', '350', '23', '861', 6),
    ("Сочи", 'RU-KDA', '354', '23', '862', 3),
    ("Нижний Новгород", 'RU-NIZ', '603', '52', '831', 6),
    ("Самара", 'RU-SAM', '443', '63', '846', 5),
    ("Ростов-на-Дону", 'RU-ROS', '344', '61', '863', 5),
    ]
# code, name, type of the subdivisions the cities need
SUBDIVISIONS = [
    ('RU-MOW', "Москва", 'autonomous city'),
    ('RU-SPE', "Санкт-Петербург", 'autonomous city'),
    ('RU-MOS', "Московская область", 'administrative region'),
    ('RU-SVE', "Свердловская область", 'administrative region'),
    ('RU-NVS', "Новосибирская область", 'administrative region'),
    ('RU-TA', "Республика Татарстан", 'republic'),
    ('RU-KDA', "Краснодарский край", 'administrative territory'),
    ('RU-NIZ', "Нижегородская область", 'administrative region'),
    ('RU-SAM', "Самарская область", 'administrative region'),
    ('RU-ROS', "Ростовская область", 'administrative region'),
    ]
STREETS = [
    "ул. Ленина", "ул. Гагарина", "пр-т Мира", "ул. Советская",
    "ул. Мира", "ул. Садовая", "ул. Лесная", "ул. Школьная",
    "ул. Заводская", "ул. Пушкина", "ул. Кирова", "ул. Московская",
    "ул. Набережная", "Октябрьский пр-т", "ул. Строителей",
    "ул. Победы", "ул. Молодёжная", "ул. Центральная", "ш. Энтузиастов",
    "ул. Промышленная", "Комсомольский пр-т", "ул. Чехова",
    ]
MOBILE_CODES = [
    '903', '905', '906', '909', '910', '915', '916', '917', '919', '925',
    '926', '929', '952', '960', '977', '985', '999',
    ]

_TRANSLIT = {
    'а': 'a', 'б': 'b', 'в': 'v', 'г': 'g', 'д': 'd', 'е': 'e', 'ё': 'e',
    'ж': 'zh', 'з': 'z', 'и': 'i', 'й': 'y', 'к': 'k', 'л': 'l', 'м': 'm',
    'н': 'n', 'о': 'o', 'п': 'p', 'р': 'r', 'с': 's', 'т': 't', 'у': 'u',
    'ф': 'f', 'х': 'kh', 'ц': 'ts', 'ч': 'ch', 'ш': 'sh', 'щ': 'shch',
    'ъ': '', 'ы': 'y', 'ь': '', 'э': 'e', 'ю': 'yu', 'я': 'ya',
    }


def transliterate(text):
    "Return text in lowercase latin letters, for logins and e-mails"
    result = []
    for char in text.lower():
        if char in _TRANSLIT:
            result.append(_TRANSLIT[char])
        elif char.isascii() and (char.isalnum() or char == '-'):
            result.append(char)
        elif char == ' ':
            result.append('-')
    return ''.join(result).strip('-')


def feminine_surname(surname):
    if surname.endswith('ий'):
        return surname[:-2] + 'ая'
    return surname + 'а'


def person(rng):
    "Return (surname, first name, patronymic) of a random person"
    male = rng.random() < 0.5
    surname = rng.choice(SURNAMES)
    masculine, feminine = rng.choice(PATRONYMICS)
    if male:
        return surname, rng.choice(MALE_NAMES), masculine
    return feminine_surname(surname), rng.choice(FEMALE_NAMES), feminine


def company_name(rng):
    "Return the legal form and the name of a random company"
    name = rng.choice(COMPANY_ROOTS) + rng.choice(COMPANY_SUFFIXES)
    return rng.choice(COMPANY_FORMS), name


def city(rng):
    return rng.choices(CITIES, weights=[c[-1] for c in CITIES])[0]


def address(rng, city_):
    "Return the values of a random address in city_"
    name, subdivision, postal_prefix, _, _, _ = city_
    street = "%s, д. %d" % (rng.choice(STREETS), rng.randint(1, 120))
    if rng.random() < 0.6:
        street += ", офис %d" % rng.randint(1, 450)
    postal_code = postal_prefix + ''.join(
        str(rng.randint(0, 9)) for _ in range(6 - len(postal_prefix)))
    return {
        'street_unstructured': street,
        'city': name,
        'postal_code': postal_code,
        'subdivision_code': subdivision,
        }


def landline(rng, city_):
    return "+7 (%s) %03d-%02d-%02d" % (
        city_[4], rng.randint(200, 999), rng.randint(0, 99),
        rng.randint(0, 99))


def mobile(rng):
    return "+7 (%s) %03d-%02d-%02d" % (
        rng.choice(MOBILE_CODES), rng.randint(100, 999), rng.randint(0, 99),
        rng.randint(0, 99))


_INN_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _inn_digit(digits, weights):
    return sum(d * w for d, w in zip(digits, weights)) % 11 % 10


def inn(rng, region, individual=False):
    """Return a valid INN from region: 10 digits for an organisation,
    12 for an individual (person or sole trader)"""
    digits = [int(c) for c in region]
    digits += [rng.randint(0, 9) for _ in range((10 if individual else 9) - 2)]
    if individual:
        digits.append(_inn_digit(digits, _INN_WEIGHTS_11))
        digits.append(_inn_digit(digits, _INN_WEIGHTS_12))
    else:
        digits.append(_inn_digit(digits, _INN_WEIGHTS_10))
    return ''.join(map(str, digits))
