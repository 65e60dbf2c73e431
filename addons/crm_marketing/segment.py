# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Segments (M1): groups of parties chosen by explicit criteria, materialised
as member rows by one INSERT … SELECT per segment, the sources of mailings,
invitations and campaigns"""
import ast
import logging

from sql import Cast, Column, Literal
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONDecoder
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .party_classification import ABC_CLASSES, sql_numeric

logger = logging.getLogger(__name__)

RFM_SCORES = ['recency', 'frequency', 'monetary']


class Segment(DeactivableMixin, ModelSQL, ModelView):
    "A group of parties chosen by explicit criteria, materialised as members"
    __name__ = 'crm.segment'
    __string__ = "Segment"

    name = fields.Char("Name", required=True, translate=True)
    company = fields.Many2One('company.company', "Company", required=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    description = fields.Text("Description")

    # The criteria in the order they were given: sorting them by the
    # translated name of the target would cost each refresh a join
    categories = fields.Many2Many(
        'crm.segment-party.category', 'segment', 'category', "Categories",
        order=[('id', 'ASC')],
        help="Parties of one of these categories or of their children.")
    regions = fields.Many2Many(
        'crm.segment-country.subdivision', 'segment', 'subdivision',
        "Regions", order=[('id', 'ASC')],
        help="Parties with an address in one of these regions "
        "or in their children.")
    channel_kinds = fields.MultiSelection(
        'get_channel_kinds', "Channel Kinds",
        help="Parties buying through a sales channel of one of these kinds "
        "or through one of the channels below.")
    channels = fields.Many2Many(
        'crm.segment-crm.sales.channel', 'segment', 'channel',
        "Sales Channels", order=[('id', 'ASC')],
        help="Parties buying through one of these sales channels "
        "or through a channel of one of the kinds above.")
    abc_classes = fields.MultiSelection(
        [c for c in ABC_CLASSES if c[0]], "ABC Classes", sort=False,
        help="Customers of one of these ABC classes.")
    rfm_recency_min = fields.Integer("Recency From")
    rfm_recency_max = fields.Integer("Recency To")
    rfm_frequency_min = fields.Integer("Frequency From")
    rfm_frequency_max = fields.Integer("Frequency To")
    rfm_monetary_min = fields.Integer("Monetary From")
    rfm_monetary_max = fields.Integer("Monetary To")
    revenue_min = Monetary(
        "Revenue From", currency='currency', digits='currency',
        help="The least revenue of the last 12 months in the company's "
        "currency, credit notes deducted; a party without invoice has 0.")
    revenue_max = Monetary(
        "Revenue To", currency='currency', digits='currency',
        help="The most revenue of the last 12 months.")
    last_purchase_from = fields.Date(
        "Last Purchase From",
        help="Customers whose last invoice is of this date or later.")
    last_purchase_to = fields.Date(
        "Last Purchase To",
        help="Customers whose last invoice is of this date or earlier.")
    domain = fields.Char(
        "Domain",
        help="A further Tryton domain on the parties, as a Python literal "
        "such as [('lang.code', '=', 'ru')] or as encoded PYSON "
        "(which may hold relative dates).")

    members = fields.One2Many(
        'crm.segment.member', 'segment', "Members", readonly=True,
        help="The parties matching the criteria at the last refresh.")
    member_count = fields.Function(
        fields.Integer("Number of Members"), 'get_member_count')
    refreshed_at = fields.DateTime("Refreshed at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))
        cls._buttons.update({
                'refresh': {
                    'readonly': ~Eval('active', True),
                    'depends': ['active'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def get_channel_kinds(cls):
        pool = Pool()
        SalesChannel = pool.get('crm.sales.channel')
        return SalesChannel.fields_get(['kind'])['kind']['selection']

    @classmethod
    def get_member_count(cls, segments, name):
        pool = Pool()
        Member = pool.get('crm.segment.member')
        member = Member.__table__()
        cursor = Transaction().connection.cursor()
        counts = dict.fromkeys((s.id for s in segments), 0)
        for sub_ids in grouped_slice(
                [s.id for s in segments], backend.MAX_QUERY_PARAMS):
            cursor.execute(*member.select(
                    member.segment, Count(member.id),
                    where=reduce_ids(member.segment, sub_ids),
                    group_by=member.segment))
            counts.update(cursor)
        return counts

    @classmethod
    def copy(cls, segments, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('members', None)
        default.setdefault('refreshed_at', None)
        return super().copy(segments, default=default)

    @classmethod
    def validate_fields(cls, segments, field_names):
        super().validate_fields(segments, field_names)
        for segment in segments:
            segment.check_rfm_ranges()
            segment.check_revenue_range()
            segment.check_last_purchase()
        if 'domain' in field_names:
            for segment in segments:
                segment.check_domain()

    def check_rfm_ranges(self):
        for score in RFM_SCORES:
            low_name, high_name = f'rfm_{score}_min', f'rfm_{score}_max'
            low, high = getattr(self, low_name), getattr(self, high_name)
            for name, value in [(low_name, low), (high_name, high)]:
                if value is not None and not (1 <= value <= 5):
                    raise ValidationError(gettext(
                            'crm_marketing.msg_segment_rfm_score',
                            segment=self.rec_name,
                            field=self.__names__(name)['field'],
                            value=value))
            if low is not None and high is not None and low > high:
                raise ValidationError(gettext(
                        'crm_marketing.msg_segment_range_order',
                        segment=self.rec_name,
                        low=self.__names__(low_name)['field'],
                        high=self.__names__(high_name)['field']))

    def check_revenue_range(self):
        for name in ['revenue_min', 'revenue_max']:
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValidationError(gettext(
                        'crm_marketing.msg_segment_revenue_negative',
                        segment=self.rec_name,
                        field=self.__names__(name)['field']))
        if (self.revenue_min is not None and self.revenue_max is not None
                and self.revenue_min > self.revenue_max):
            raise ValidationError(gettext(
                    'crm_marketing.msg_segment_range_order',
                    segment=self.rec_name,
                    low=self.__names__('revenue_min')['field'],
                    high=self.__names__('revenue_max')['field']))

    def check_last_purchase(self):
        if (self.last_purchase_from and self.last_purchase_to
                and self.last_purchase_from > self.last_purchase_to):
            raise ValidationError(gettext(
                    'crm_marketing.msg_segment_range_order',
                    segment=self.rec_name,
                    low=self.__names__('last_purchase_from')['field'],
                    high=self.__names__('last_purchase_to')['field']))

    def check_domain(self):
        pool = Pool()
        Party = pool.get('party.party')
        try:
            domain = self.get_domain()
            # domain_validate asserts, which python -O skips
            if not isinstance(domain, list):
                raise TypeError("not a list")
            fields.domain_validate(domain)
            # Building the query checks the fields and operators
            with Transaction().set_context(company=self.company.id):
                Party.search(domain, order=[], query=True)
        except Exception as exception:
            raise ValidationError(gettext(
                    'crm_marketing.msg_segment_invalid_domain',
                    segment=self.rec_name,
                    domain=self.domain,
                    error=str(exception) or repr(exception))
                ) from exception

    def get_domain(self):
        "Return the domain of the parties, its PYSON evaluated now"
        if not self.domain or not self.domain.strip():
            return []
        try:
            return PYSONDecoder().decode(self.domain)
        except ValueError:
            return ast.literal_eval(self.domain.strip())

    def _member_conditions(self, party):
        "Return the python-sql conditions on the party table of the members"
        pool = Pool()
        Date = pool.get('ir.date')
        Party = pool.get('party.party')
        conditions = [party.active == Literal(True)]
        if self.categories:
            conditions.append(party.id.in_(self._category_parties()))
        if self.regions:
            conditions.append(party.id.in_(self._region_parties()))
        if self.channel_kinds or self.channels:
            conditions.append(party.sales_channel.in_(self._channels()))
        if self.abc_classes:
            conditions.append(party.abc_class.in_(list(self.abc_classes)))
        for score in RFM_SCORES:
            column = Column(party, f'rfm_{score}')
            low = getattr(self, f'rfm_{score}_min')
            high = getattr(self, f'rfm_{score}_max')
            if low is not None:
                conditions.append(column >= low)
            if high is not None:
                conditions.append(column <= high)
        with Transaction().set_context(company=self.company.id):
            today = Date.today()
            if self.revenue_min is not None or self.revenue_max is not None:
                conditions.append(party.id.in_(self._revenue_parties(today)))
            if self.last_purchase_from or self.last_purchase_to:
                conditions.append(
                    party.id.in_(self._last_purchase_parties(today)))
            if domain := self.get_domain():
                conditions.append(party.id.in_(
                        Party.search(domain, order=[], query=True)))
        return conditions

    def _category_parties(self):
        pool = Pool()
        Category = pool.get('party.category')
        PartyCategory = pool.get('party.party-party.category')
        party_category = PartyCategory.__table__()
        categories = Category.search([
                ('parent', 'child_of', [c.id for c in self.categories]),
                ], order=[], query=True)
        return party_category.select(party_category.party,
            where=party_category.category.in_(categories))

    def _region_parties(self):
        pool = Pool()
        Address = pool.get('party.address')
        Subdivision = pool.get('country.subdivision')
        address = Address.__table__()
        subdivisions = Subdivision.search([
                ('parent', 'child_of', [s.id for s in self.regions]),
                ], order=[], query=True)
        return address.select(address.party,
            where=address.subdivision.in_(subdivisions)
            & (address.active == Literal(True)))

    def _channels(self):
        pool = Pool()
        SalesChannel = pool.get('crm.sales.channel')
        channel = SalesChannel.__table__()
        where = Literal(False)
        if self.channel_kinds:
            where |= channel.kind.in_(list(self.channel_kinds))
        if self.channels:
            where |= channel.id.in_([c.id for c in self.channels])
        return channel.select(channel.id, where=where)

    def _revenue_parties(self, today):
        "The parties whose revenue of the last 12 months is in the range"
        pool = Pool()
        Party = pool.get('party.party')
        invoices = Party._classification_invoices(self.company.id, today)
        revenues = invoices.select(
            invoices.party.as_('party'),
            Sum(invoices.amount).as_('revenue'),
            where=invoices.date >= Party._abc_start(today),
            group_by=invoices.party)
        party = Party.__table__()
        revenue = Coalesce(revenues.revenue, 0)
        where = Literal(True)
        if self.revenue_min is not None:
            where &= revenue >= sql_numeric(self.revenue_min)
        if self.revenue_max is not None:
            where &= revenue <= sql_numeric(self.revenue_max)
        return (party
            .join(revenues, 'LEFT', condition=party.id == revenues.party)
            .select(party.id, where=where))

    def _last_purchase_parties(self, today):
        "The customers whose last invoice is in the range of dates"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoice = Invoice.__table__()
        last_date = Max(invoice.invoice_date)
        having = Literal(True)
        if self.last_purchase_from:
            having &= last_date >= self.last_purchase_from
        if self.last_purchase_to:
            having &= last_date <= self.last_purchase_to
        # A sale has a positive amount in any currency: no rate is needed
        return invoice.select(invoice.party,
            where=(invoice.type == 'out')
            & Invoice.in_figures(invoice)
            & (invoice.company == self.company.id)
            & (invoice.invoice_date <= today)
            & (Cast(invoice.untaxed_amount_cache, 'NUMERIC') > 0),
            group_by=invoice.party,
            having=having)

    @classmethod
    @ModelView.button
    def refresh(cls, segments):
        "Replace the members of each segment by the parties matching it now"
        pool = Pool()
        Member = pool.get('crm.segment.member')
        Party = pool.get('party.party')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        member = Member.__table__()
        # Browsed together, their criteria are read in one go
        segments = cls.browse(segments)
        for sub_segments in grouped_slice(segments):
            cursor.execute(*member.delete(where=reduce_ids(
                        member.segment, [s.id for s in sub_segments])))
        for segment in segments:
            party = Party.__table__()
            where = Literal(True)
            for condition in segment._member_conditions(party):
                where &= condition
            cursor.execute(*member.insert(
                    [member.segment, member.party,
                        member.create_uid, member.create_date],
                    party.select(
                        Literal(segment.id), party.id,
                        Literal(transaction.user), CurrentTimestamp(),
                        where=where)))
            logger.info("segment %s refreshed", segment.id)
        # A stamp, not user data: no need of the validation of a write
        for sub_segments in grouped_slice(segments):
            cursor.execute(*table.update(
                    [table.refreshed_at], [CurrentTimestamp()],
                    where=reduce_ids(table.id, [s.id for s in sub_segments])))
        # The records of the transaction cache hold the former stamp
        transaction.counter += 1

    @classmethod
    def refresh_all(cls):
        """Refresh the active segments of the company of the context (of
        all companies without one), each in its own task so that they are
        committed one by one"""
        domain = []
        if company_id := Transaction().context.get('company'):
            domain.append(('company', '=', company_id))
        segments = cls.search(domain)
        logger.info("refreshing %s segments", len(segments))
        for segment in segments:
            cls.__queue__.refresh([segment])

    @classmethod
    def get_parties(cls, segments):
        "Return the parties which are members of any of the segments"
        pool = Pool()
        Party = pool.get('party.party')
        return Party.search([
                ('segments', 'in', [s.id for s in segments]),
                ])


# The targets of the criteria are restricted: deleting one would silently
# widen the segments using it


class SegmentCategory(ModelSQL):
    "Party category criterion of a segment"
    __name__ = 'crm.segment-party.category'
    __string__ = "Segment - Party Category"
    segment = fields.Many2One(
        'crm.segment', "Segment", required=True, ondelete='CASCADE')
    category = fields.Many2One(
        'party.category', "Category", required=True, ondelete='RESTRICT')


class SegmentRegion(ModelSQL):
    "Region criterion of a segment"
    __name__ = 'crm.segment-country.subdivision'
    __string__ = "Segment - Region"
    segment = fields.Many2One(
        'crm.segment', "Segment", required=True, ondelete='CASCADE')
    subdivision = fields.Many2One(
        'country.subdivision', "Region", required=True, ondelete='RESTRICT')


class SegmentChannel(ModelSQL):
    "Sales channel criterion of a segment"
    __name__ = 'crm.segment-crm.sales.channel'
    __string__ = "Segment - Sales Channel"
    segment = fields.Many2One(
        'crm.segment', "Segment", required=True, ondelete='CASCADE')
    channel = fields.Many2One(
        'crm.sales.channel', "Sales Channel", required=True,
        ondelete='RESTRICT')


class SegmentMember(ModelSQL, ModelView):
    "A party belonging to a segment at its last refresh"
    __name__ = 'crm.segment.member'
    __string__ = "Segment Member"

    segment = fields.Many2One(
        'crm.segment', "Segment", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('segment')
        t = cls.__table__()
        cls._sql_constraints = [
            ('segment_party_unique', Unique(t, t.segment, t.party),
                'crm_marketing.msg_segment_member_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.party, Index.Range())))
        cls._order.insert(0, ('party', 'ASC'))


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    segments = fields.Many2Many(
        'crm.segment.member', 'party', 'segment', "Segments", readonly=True,
        help="The segments the party belonged to at their last refresh.")


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('crm.segment|refresh_all', "Refresh Segments"))
