# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The portal menu, which other modules extend (see routing)"
from typing import NamedTuple


class MenuEntry(NamedTuple):
    name: str
    message: str
    path: str
    sequence: int
    model: str | None


MENU = []


def add_menu_entry(name, message, path, sequence=50, model=None):
    """Show the page at path in the portal menu, labelled with the ir.message
    id message, when the database has model (its module is activated)"""
    MENU[:] = [e for e in MENU if e.name != name]
    MENU.append(MenuEntry(name, message, path, sequence, model))
    MENU.sort(key=lambda e: e.sequence)


def entries(pool):
    "The menu entries of the modules activated in the database of pool"
    visible = []
    for entry in MENU:
        if entry.model:
            try:
                pool.get(entry.model)
            except KeyError:
                continue
        visible.append(entry)
    return visible
