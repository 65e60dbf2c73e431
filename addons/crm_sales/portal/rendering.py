# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The portal's templates (Jinja2, escaped by default) and the locale-aware
formats of money, numbers and dates (babel)"""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import jinja2
from babel import dates as babel_dates
from babel import numbers as babel_numbers

# Other modules add their folder with add_template_folder()
_loader = jinja2.FileSystemLoader([str(Path(__file__).parent / 'templates')])
environment = jinja2.Environment(
    loader=_loader,
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True)

# The babel locale of each portal language
LOCALES = {
    'ru': 'ru_RU',
    'en': 'en_US',
    }
# How each language writes a date and a time in a document (dd.mm.yyyy)
DATE_FORMATS = {
    'ru_RU': 'dd.MM.yyyy',
    'en_US': 'MMM d, yyyy',
    }
TIME_FORMAT = 'HH:mm'


def add_template_folder(path):
    "Let the templates of another module be found (and extend base.html)"
    path = str(path)
    if path not in _loader.searchpath:
        _loader.searchpath.append(path)


class Formats:
    "The formats of one language, given to the templates as filters"

    def __init__(self, language):
        self.locale = LOCALES.get(language, LOCALES['en'])

    def money(self, amount, currency):
        "The amount with its currency, as the customer writes it"
        if amount is None:
            return ''
        if not currency or not currency.code:
            return self.number(amount, 2)
        text = babel_numbers.format_currency(
            amount, currency.code, locale=self.locale)
        # a locale without a sign of its own for the currency shows the code:
        # the sign of the currency reads better (RUB36.00 → ₽36.00)
        if currency.symbol and currency.code in text:
            text = text.replace(currency.code, currency.symbol)
        return text

    def number(self, value, digits=None):
        if value is None:
            return ''
        if digits is None:
            if isinstance(value, Decimal):
                digits = max(-value.normalize().as_tuple().exponent, 0)
            else:
                digits = 0
        return babel_numbers.format_decimal(
            value, format=f"#,##0{'.' + '0' * digits if digits else ''}",
            locale=self.locale)

    def date(self, value, format=None):
        "The date, as in documents unless format says ('long': 1 мая 2026 г.)"
        if value is None:
            return ''
        if isinstance(value, dt.datetime):
            value = value.date()
        return babel_dates.format_date(
            value, format or DATE_FORMATS[self.locale], locale=self.locale)

    def datetime(self, value, timezone=None):
        "The date and time of the UTC timestamp value in timezone"
        if value is None:
            return ''
        return babel_dates.format_datetime(
            value.replace(tzinfo=dt.timezone.utc),
            f'{DATE_FORMATS[self.locale]} {TIME_FORMAT}',
            tzinfo=timezone, locale=self.locale)


def render(template_name, formats, **values):
    "The page of template_name, with the formats of its language as fmt"
    template = environment.get_template(template_name)
    return template.render(fmt=formats, **values)
