# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Build the web client's catalogue (the JSON sao loads from locale/) from our
translated gettext catalogue, as grunt-po2json does for sao's own.

usage: sao_locale.py l10n/sao/ru.po .data/www/locale/ru.json"""
import json
import sys

import polib


def catalogue(po_path):
    "The Jed catalogue sao reads: header, then msgid → [plural, forms…]"
    po = polib.pofile(po_path)
    data = {'': {
            'content-type': 'text/plain; charset=utf-8',
            'plural-forms': po.metadata['Plural-Forms'],
            'language': po.metadata['Language'],
            }}
    for entry in po:
        if entry.obsolete or 'fuzzy' in entry.flags:
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[i]
                for i in sorted(entry.msgstr_plural)]
            data[entry.msgid] = [entry.msgid_plural, *forms]
        else:
            data[entry.msgid] = [None, entry.msgstr]
    return data


def main(po_path, json_path):
    with open(json_path, 'w', encoding='utf-8') as file:
        json.dump(catalogue(po_path), file, ensure_ascii=False)


if __name__ == '__main__':
    main(*sys.argv[1:])
