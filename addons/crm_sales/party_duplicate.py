# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Parties entered twice: same identifier (ИНН), e-mail or phone"
from collections import defaultdict

from sql import Null

from trytond import backend
from trytond.exceptions import UserWarning
from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

PHONE_TYPES = {'phone', 'mobile'}
# The digits that tell a phone number apart, without the country prefix
PHONE_DIGITS = 10
# Shorter numbers (internal extensions, emergency numbers) match by chance
PHONE_MIN_DIGITS = 7


def duplicate_key(type_, value):
    "Return the value of a contact mechanism as two parties would share it"
    if not value:
        return None
    if type_ == 'email':
        return 'email:' + value.strip().lower()
    if type_ in PHONE_TYPES:
        digits = ''.join(c for c in value if c.isdigit())
        if len(digits) >= PHONE_MIN_DIGITS:
            return 'phone:' + digits[-PHONE_DIGITS:]
    return None


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    duplicates = fields.Function(fields.Many2Many(
            'party.party', None, None, "Possible Duplicates",
            help="The other parties with the same identifier, e-mail "
            "or phone.\nMerge them with the Replace action."),
        'get_duplicates')

    @classmethod
    def get_duplicates(cls, parties, name):
        duplicates = cls.find_duplicates(parties)
        return {p.id: sorted(duplicates[p.id]) for p in parties}

    @classmethod
    def find_duplicates(cls, parties):
        "Return the ids of the active parties sharing a value, per party id"
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        Identifier = pool.get('party.identifier')
        cursor = Transaction().connection.cursor()
        party = cls.__table__()
        other_party = cls.__table__()
        identifier = Identifier.__table__()
        other_identifier = Identifier.__table__()
        mechanism = ContactMechanism.__table__()
        other_mechanism = ContactMechanism.__table__()

        duplicates = defaultdict(set)
        in_ = fields.SQL_OPERATORS['in']
        # Both queries take the ids
        for sub_ids in grouped_slice(
                [p.id for p in parties], backend.MAX_QUERY_PARAMS // 2):
            sub_ids = list(sub_ids)
            same_identifier = (identifier
                .join(other_identifier, condition=(
                        other_identifier.code_compact
                        == identifier.code_compact)
                    & (other_identifier.type == identifier.type)
                    & (other_identifier.party != identifier.party)
                    & other_identifier.active)
                .join(party, condition=(party.id == other_identifier.party)
                    & party.active)
                .select(identifier.party, other_identifier.party,
                    where=in_(identifier.party, sub_ids)
                    & identifier.active))
            same_contact = (mechanism
                .join(other_mechanism, condition=(
                        other_mechanism.duplicate_key
                        == mechanism.duplicate_key)
                    & (other_mechanism.party != mechanism.party)
                    & other_mechanism.active)
                .join(other_party,
                    condition=(other_party.id == other_mechanism.party)
                    & other_party.active)
                .select(mechanism.party, other_mechanism.party,
                    where=in_(mechanism.party, sub_ids)
                    & mechanism.active))
            cursor.execute(*(same_identifier | same_contact))
            for party_id, other_id in cursor:
                duplicates[party_id].add(other_id)
        return duplicates

    @classmethod
    def check_duplicates(cls, parties):
        "Warn about the parties that may have been entered already"
        pool = Pool()
        Warning = pool.get('res.user.warning')
        parties = [p for p in parties if p.active]
        if not parties:
            return
        duplicates = cls.find_duplicates(parties)
        for party in parties:
            if not duplicates[party.id]:
                continue
            others = cls.browse(sorted(duplicates[party.id]))
            # named by the existing parties: a new party has no id yet that
            # stays the same when its creation is tried again
            key = Warning.format('crm_sales_party_duplicate', others)
            if Warning.check(key):
                raise UserWarning(key, gettext(
                        'crm_sales.msg_party_duplicate',
                        party=party.rec_name,
                        duplicates=', '.join(o.rec_name for o in others)))

    @classmethod
    def on_modification(cls, mode, parties, field_names=None):
        super().on_modification(mode, parties, field_names=field_names)
        if mode == 'create' or (mode == 'write'
                and field_names & {'identifiers', 'contact_mechanisms'}):
            cls.check_duplicates(parties)


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'
    duplicate_key = fields.Char(
        "Duplicate Key", readonly=True,
        help="The normalised e-mail or phone number "
        "compared to find duplicate parties.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.duplicate_key, Index.Equality()),
                where=t.duplicate_key != Null))

    @classmethod
    def __register__(cls, module):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        table_h = cls.__table_handler__(module)
        fill_duplicate_key = not table_h.column_exist('duplicate_key')
        super().__register__(module)

        # Migration from before crm_sales: compute the key of the existing
        if fill_duplicate_key:
            cursor.execute(*table.select(table.id, table.type, table.value,
                    where=table.type.in_(['email', *PHONE_TYPES])))
            ids_by_key = defaultdict(list)
            for id_, type_, value in cursor.fetchall():
                if key := duplicate_key(type_, value):
                    ids_by_key[key].append(id_)
            for key, ids in ids_by_key.items():
                for sub_ids in grouped_slice(ids):
                    cursor.execute(*table.update(
                            [table.duplicate_key], [key],
                            where=table.id.in_(list(sub_ids))))

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or {'value', 'type'} & field_names:
            key = duplicate_key(
                getattr(self, 'type', None),
                values.get('value', getattr(self, 'value', None)))
            if getattr(self, 'duplicate_key', None) != key:
                values['duplicate_key'] = key
        return values

    @classmethod
    def on_modification(cls, mode, mechanisms, field_names=None):
        pool = Pool()
        Party = pool.get('party.party')
        super().on_modification(mode, mechanisms, field_names=field_names)
        # The key is written by compute_fields once the value is known
        if mode == 'write' and 'duplicate_key' in field_names:
            Party.check_duplicates(list({m.party for m in mechanisms}))


class Identifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @classmethod
    def on_modification(cls, mode, identifiers, field_names=None):
        pool = Pool()
        Party = pool.get('party.party')
        super().on_modification(mode, identifiers, field_names=field_names)
        if mode == 'create' or (mode == 'write'
                and field_names & {'type', 'code', 'code_compact'}):
            Party.check_duplicates(list({i.party for i in identifiers}))
