# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The Russian overrides of the upstream modules' strings.

Our modules translate the screens of the modules they depend on through
Tryton's override files (locale/override/<lang>.po, entries whose context
ends with the upstream module: "field:sale.sale,party:sale.").  Tryton's own
import of those entries misses two cases that the upstream catalogues are
full of, so the overrides are applied here instead:
- a fuzzy upstream translation whose text is already right stays fuzzy,
  hence unused, because only a change of text is written;
- the helps of a selection's options share one name, and the import stops
  on finding several rows where it expects one (the source tells them
  apart)."""
import logging
import os

import polib

from trytond.pool import Pool, PoolMeta

logger = logging.getLogger(__name__)
VALUES = ['value', 'value_1', 'value_2', 'value_3']


def is_override(path):
    return os.path.basename(os.path.dirname(path)) == 'override'


class Translation(metaclass=PoolMeta):
    __name__ = 'ir.translation'

    @classmethod
    def translation_import(cls, lang, module, po_path):
        if isinstance(po_path, str):
            po_path = [po_path]
        overrides = [p for p in po_path if is_override(p)]
        count = super().translation_import(
            lang, module, [p for p in po_path if not is_override(p)])
        if overrides:
            count += cls._import_overrides(lang, module, overrides)
        return count

    @classmethod
    def _import_overrides(cls, lang, module, paths):
        "Write the overrides of paths over the upstream translations"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        entries = []
        for path in paths:
            for entry in polib.pofile(path):
                if not entry.obsolete:
                    translation, res_id = cls.from_poentry(entry)
                    upstream, fs_id = res_id.split('.')
                    entries.append((translation, upstream, fs_id))
        upstreams = sorted({e[1] for e in entries})
        db_ids = {(d.module, d.fs_id): d.db_id for d in ModelData.search([
                    ('module', 'in', upstreams),
                    ])}
        existing = {cls._override_key(t.module, t, t.res_id): t
            for t in cls.search([
                    ('lang', '=', lang),
                    ('module', 'in', upstreams),
                    ], order=[])}

        to_save = []
        for translation, upstream, fs_id in entries:
            res_id = db_ids.get((upstream, fs_id)) if fs_id else -1
            record = existing.get(
                cls._override_key(upstream, translation, res_id))
            if record is None:
                logger.warning("%s: nothing to override for %s:%s:%s.%s",
                    module, translation.type, translation.name, upstream,
                    fs_id)
                continue
            changed = any(
                getattr(record, f) != getattr(translation, f) for f in VALUES)
            if (changed or record.fuzzy != translation.fuzzy
                    or record.overriding_module != module):
                for field in VALUES:
                    setattr(record, field, getattr(translation, field))
                record.fuzzy = translation.fuzzy
                record.overriding_module = module
                to_save.append(record)
        cls.save(to_save)
        return len(to_save)

    @staticmethod
    def _override_key(module, translation, res_id):
        "What identifies the translation an override replaces"
        # a record's text is one per record; other strings by their source
        source = translation.src if translation.type != 'model' else None
        return (module, translation.name, translation.type, res_id, source)
