# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""How much of what a user reads is in Russian, and what is not.

Three catalogues are checked:
- the server's strings of every activated module of a database: menus,
  actions, models, fields, helps, selections, views, buttons, messages and
  reports (ir.translation, the English source against the language's
  non-fuzzy translation, upstream overrides included);
- the web client's own strings (sao's catalogue against ours);
- our modules' locale/<lang>.po files;
and the language's formats of money, numbers, dates, months and days.

A string counts as translated when its translation is not empty, not fuzzy
and not the English source again, unless the source has no word to translate
(numbers, symbols) or is allowed in l10n/allowlist.txt (proper names, codes).
Everything else is listed and the exit status is 1.

usage: l10n_coverage.py [-c CONFIG] -d DATABASE [--lang ru] [--all]"""
import argparse
import datetime as dt
import os
import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / 'l10n' / 'allowlist.txt'
SAO_CATALOGUE = ROOT / 'web' / 'node_modules' / 'tryton-sao' / 'locale'
OUR_CATALOGUE = ROOT / 'l10n' / 'sao'
ADDONS = ROOT / 'addons'
# Two Latin letters in a row: a word that a Russian user would have to read
WORD = re.compile('[A-Za-z]{2}')
PLACEHOLDER = re.compile(r'%\([^)]*\)[sdfr]|%[sdfr]|%\d')
SHOWN = 40
# What the language's record must print (the no-break spaces as spaces)
FORMATS = {
    'ru': [
        ("money", lambda l, rub: l.currency(
                Decimal('1234567.89'), rub, grouping=True),
            "1 234 567,89 ₽"),
        ("negative money", lambda l, rub: l.currency(Decimal('-5.5'), rub),
            "-5,50 ₽"),
        ("number", lambda l, rub: l.format_number(Decimal('1234567.891'), 3),
            "1 234 567,891"),
        ("date", lambda l, rub: l.strftime(dt.date(2026, 11, 23)),
            "23.11.2026"),
        ("month and day names", lambda l, rub: l.strftime(
                dt.date(2026, 11, 23), '%A, %d %B %Y (%a, %b)'),
            "Понедельник, 23 Ноябрь 2026 (Пн, нояб.)"),
        ],
    }


def allowlist():
    "The sources that stay as they are in Russian: proper names and codes"
    lines = ALLOWLIST.read_text(encoding='utf-8').splitlines()
    return {line for line in lines if line and not line.startswith('#')}


def missing_reason(source, value, fuzzy, allowed):
    "Why the translation of source does not count, or None"
    if not source or not WORD.search(source) or source in allowed:
        return None
    if not value:
        return 'untranslated'
    if fuzzy:
        return 'fuzzy'
    if value == source:
        return 'English'
    if sorted(PLACEHOLDER.findall(value)) != sorted(
            PLACEHOLDER.findall(source)):
        return 'placeholders differ'
    return None


class Report:
    "Strings and misses per catalogue, printed as a table"

    def __init__(self, title):
        self.title = title
        self.total = Counter()
        self.missing = []

    def add(self, catalogue, where, source, reason):
        self.total[catalogue] += 1
        if reason:
            self.missing.append((catalogue, where, source, reason))

    def print(self, show_all=False, file=sys.stdout):
        missed = Counter(m[0] for m in self.missing)
        print(f"\n{self.title}", file=file)
        print(f"{'catalogue':<24} {'strings':>8} {'ok':>11} "
            f"{'%':>7}", file=file)
        for catalogue in sorted(self.total):
            total = self.total[catalogue]
            done = total - missed[catalogue]
            print(f"{catalogue:<24} {total:>8} {done:>11} "
                f"{100 * done / total:>6.1f}%", file=file)
        total = sum(self.total.values())
        done = total - len(self.missing)
        if total:
            print(f"{'all':<24} {total:>8} {done:>11} "
                f"{100 * done / total:>6.1f}%", file=file)
        shown = self.missing if show_all else self.missing[:SHOWN]
        for catalogue, where, source, reason in shown:
            print(f"  {reason}: {catalogue} {where} {source!r}", file=file)
        if len(shown) < len(self.missing):
            print(f"  … and {len(self.missing) - len(shown)} more "
                "(--all lists them)", file=file)


def server_strings(database, lang, allowed):
    "Check the ir.translation of the activated modules of database"
    from sql.conditionals import Coalesce

    from trytond.pool import Pool
    from trytond.transaction import Transaction

    report = Report(f"Server strings of {database} ({lang})")
    Pool.start()
    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True) as transaction:
        pool.init()
        Translation = pool.get('ir.translation')
        Module = pool.get('ir.module')
        ModelData = pool.get('ir.model.data')
        source = Translation.__table__()
        target = Translation.__table__()
        module = Module.__table__()
        data = ModelData.__table__()
        cursor = transaction.connection.cursor()
        # the XML id of a record's translation, as in a .po file
        cursor.execute(*data.select(data.model, data.db_id, data.fs_id))
        fs_ids = {(model, db_id): fs_id for model, db_id, fs_id in cursor}
        query = (source
            .join(module, condition=(module.name == source.module)
                & (module.state == 'activated'))
            .join(target, 'LEFT', condition=(target.lang == lang)
                & (target.module == source.module)
                & (target.name == source.name)
                & (target.type == source.type)
                & (target.res_id == source.res_id)
                & (Coalesce(target.src, '') == Coalesce(source.src, '')))
            .select(source.module, source.type, source.name, source.res_id,
                source.src, target.value, target.fuzzy,
                where=source.lang == 'en',
                order_by=[source.module, source.type, source.name]))
        cursor.execute(*query)
        for module_name, type_, name, res_id, src, value, fuzzy in cursor:
            fs_id = fs_ids.get((name.split(',')[0], res_id), '')
            where = f'{type_}:{name}:{fs_id}'
            report.add(module_name, where, src,
                missing_reason(src, value, fuzzy, allowed))
    return report


def formats(database, lang):
    "Check what the language's record prints"
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    report = Report(f"Formats of {lang} in {database}")
    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True,
            context={'language': lang}):
        Lang = pool.get('ir.lang')
        Currency = pool.get('currency.currency')
        language = Lang.get(lang)
        # the database's rouble, if it has currencies yet
        rouble, = Currency.search([('code', '=', 'RUB')], limit=1) or [
            Currency(code='RUB', symbol='₽', digits=2)]
        for what, format_, expected in FORMATS.get(lang, []):
            got = format_(language, rouble).replace('\u00a0', ' ')
            report.add('formats', what, got, None if got == expected
                else f"not {expected!r}")
    return report


def web_client_strings(lang, allowed):
    "Check our catalogue of the web client against sao's list of strings"
    report = Report(f"Web client strings ({lang})")
    path = OUR_CATALOGUE / f'{lang}.po'
    ours = {}
    if path.exists():
        ours = {e.msgid: e for e in polib.pofile(str(path))}
    for entry in polib.pofile(str(SAO_CATALOGUE / f'{lang}.po')):
        if not entry.msgid:
            continue
        translated = ours.get(entry.msgid)
        if translated is None:
            reason = 'untranslated'
        elif entry.msgid_plural:
            forms = [translated.msgstr_plural.get(i) for i in range(3)]
            reason = (missing_reason(
                    entry.msgid, form, 'fuzzy' in translated.flags, allowed)
                for form in forms)
            reason = next((r for r in reason if r), None)
        else:
            reason = missing_reason(entry.msgid, translated.msgstr,
                'fuzzy' in translated.flags, allowed)
        report.add('tryton-sao', '', entry.msgid, reason)
    return report


def module_catalogues(lang, allowed):
    "Check our modules' own catalogues, entry by entry"
    report = Report(f"Our modules' locale/{lang}.po")
    for path in sorted(ADDONS.glob(f'*/locale/{lang}.po')):
        module = path.parent.parent.name
        for entry in polib.pofile(str(path)):
            report.add(module, entry.msgctxt, entry.msgid, missing_reason(
                    entry.msgid, entry.msgstr, 'fuzzy' in entry.flags,
                    allowed))
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', dest='config',
        default=os.environ.get('TRYTOND_CONFIG'))
    parser.add_argument('-d', '--database', dest='database', required=True)
    parser.add_argument('--lang', default='ru')
    parser.add_argument('--all', action='store_true',
        help="list every missing string")
    args = parser.parse_args(argv)

    from trytond.config import config
    config.update_etc(args.config)

    allowed = allowlist()
    reports = [
        server_strings(args.database, args.lang, allowed),
        formats(args.database, args.lang),
        web_client_strings(args.lang, allowed),
        module_catalogues(args.lang, allowed),
        ]
    for report in reports:
        report.print(args.all)
    missing = sum(len(r.missing) for r in reports)
    print(f"\n{missing} strings without a {args.lang} translation")
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
