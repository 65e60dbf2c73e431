# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The loyalty programme (M5): levels, cards and their points ledger"
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal

from sql import Literal
from sql.aggregate import Sum
from sql.operators import Equal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Exclude, Index, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.product import round_price
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access


class Program(DeactivableMixin, ModelSQL, ModelView):
    "A loyalty programme: customers earn points on what they pay"
    __name__ = 'crm.loyalty.program'
    __string__ = "Loyalty Program"

    name = fields.Char("Name", required=True, translate=True)
    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': Eval('id', 0) > 0,
            })
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True,
        help="The currency the paid amounts are converted to "
        "before earning points.")
    points_rate = fields.Numeric(
        "Points per Currency Unit", digits=(16, 4), required=True,
        help="The points earned for each unit of currency paid:\n"
        "0.01 gives 1 point per 100.")
    card_sequence = fields.Many2One(
        'ir.sequence', "Card Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('crm_marketing', 'sequence_type_loyalty_card')),
            ('company', 'in', [Eval('company', -1), None]),
            ],
        help="Numbers the new cards.")
    levels = fields.One2Many(
        'crm.loyalty.level', 'program', "Levels",
        help="A card reaches the highest level whose threshold "
        "its points attain.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('company')
    def on_change_company(self):
        if self.company:
            self.currency = self.company.currency

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = cls.default_company()
        if company is not None and company >= 0:
            return Company(company).currency.id

    @classmethod
    def default_points_rate(cls):
        return Decimal('0.01')

    @classmethod
    def default_card_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('crm_marketing', 'sequence_loyalty_card')
        except KeyError:
            return None

    @classmethod
    def validate_fields(cls, programs, field_names):
        super().validate_fields(programs, field_names)
        if field_names and 'points_rate' not in field_names:
            return
        for program in programs:
            if program.points_rate <= 0:
                raise ValidationError(gettext(
                        'crm_marketing.msg_loyalty_program_points_rate',
                        program=program.rec_name))

    def compute_points(self, amount, currency, date):
        """Return the points earned by paying amount in currency on date:
        truncated towards zero so a credit note takes back what its invoice
        gave"""
        pool = Pool()
        Currency = pool.get('currency.currency')
        with Transaction().set_context(date=date):
            amount = Currency.compute(currency, amount, self.currency)
        points = (abs(amount) * self.points_rate).quantize(
            Decimal(1), rounding=ROUND_FLOOR)
        return int(points.copy_sign(amount))

    def level_for(self, points):
        "Return the highest level reached with points"
        reached = [l for l in self.levels if l.threshold <= points]
        if reached:
            return max(reached, key=lambda l: l.threshold)


class Level(ModelSQL, ModelView):
    "A rung of a loyalty programme giving its discount from a threshold"
    __name__ = 'crm.loyalty.level'
    __string__ = "Loyalty Level"

    program = fields.Many2One(
        'crm.loyalty.program', "Program", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True, translate=True)
    threshold = fields.Integer(
        "Threshold", required=True,
        help="The points from which a card reaches the level.")
    discount = fields.Numeric(
        "Discount", digits=(16, 2), required=True,
        help="The percentage taken off the list price of the products "
        "the card holder buys.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('program')
        cls._order.insert(0, ('threshold', 'ASC'))
        t = cls.__table__()
        cls._sql_constraints += [
            ('program_threshold_unique', Unique(t, t.program, t.threshold),
                'crm_marketing.msg_loyalty_level_threshold_unique'),
            ]

    @classmethod
    def default_threshold(cls):
        return 0

    @classmethod
    def default_discount(cls):
        return Decimal(0)

    def get_rec_name(self, name):
        return '%s (%s)' % (self.name, self.program.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name', *clause[1:]),
            ('program.name', *clause[1:]),
            ]

    @classmethod
    def validate_fields(cls, levels, field_names):
        super().validate_fields(levels, field_names)
        for level in levels:
            if level.threshold < 0:
                raise ValidationError(gettext(
                        'crm_marketing.msg_loyalty_level_threshold_negative',
                        level=level.rec_name))
            if not (0 <= level.discount <= 100):
                raise ValidationError(gettext(
                        'crm_marketing.msg_loyalty_level_discount_range',
                        level=level.rec_name))

    @classmethod
    def on_modification(cls, mode, levels, field_names=None):
        super().on_modification(mode, levels, field_names=field_names)
        if mode == 'create' or (
                mode == 'write' and {'threshold', 'program'} & field_names):
            cls._update_program_cards({l.program.id for l in levels})

    @classmethod
    def on_delete(cls, levels):
        programs = {l.program.id for l in levels}
        return super().on_delete(levels) + [
            lambda: cls._update_program_cards(programs)]

    @classmethod
    def _update_program_cards(cls, program_ids):
        "Move the cards of the programmes to the levels they reach now"
        pool = Pool()
        Card = pool.get('crm.loyalty.card')
        with without_check_access():
            Card.update_levels(Card.search([
                        ('program', 'in', list(program_ids)),
                        ]))


class Card(DeactivableMixin, ModelSQL, ModelView):
    "The membership of a customer in a loyalty programme"
    __name__ = 'crm.loyalty.card'
    __string__ = "Loyalty Card"
    _rec_name = 'number'

    program = fields.Many2One(
        'crm.loyalty.program', "Program", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('id', 0) > 0,
            })
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    party = fields.Many2One(
        'party.party', "Holder", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('id', 0) > 0,
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    number = fields.Char(
        "Number", readonly=True,
        help="Given by the sequence of the programme.")
    issue_date = fields.Date(
        "Issue Date", required=True,
        help="The card earns the points of the invoices dated from then.")
    level = fields.Many2One(
        'crm.loyalty.level', "Level", readonly=True, ondelete='SET NULL',
        help="The highest level of the programme the points reach.")
    points = fields.Function(fields.Integer("Points"), 'get_points')
    discount = fields.Function(
        fields.Numeric("Discount", digits=(16, 2)), 'get_discount')
    transactions = fields.One2Many(
        'crm.loyalty.transaction', 'card', "Transactions", readonly=True)
    level_changes = fields.One2Many(
        'crm.loyalty.level.change', 'card', "Level Changes", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('issue_date', 'DESC'))
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.party, Index.Equality())))
        cls._sql_constraints += [
            ('program_number_unique', Unique(t, t.program, t.number),
                'crm_marketing.msg_loyalty_card_number_unique'),
            ('program_party_active_exclude',
                Exclude(t, (t.program, Equal), (t.party, Equal),
                    where=t.active == Literal(True)),
                'crm_marketing.msg_loyalty_card_active_unique'),
            ]
        cls._buttons.update({
                'collect_points': {
                    'invisible': ~Eval('active', True),
                    'depends': ['active'],
                    },
                })

    @classmethod
    def default_issue_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('program', '_parent_program.company')
    def on_change_with_company(self, name=None):
        return self.program.company if self.program else None

    @classmethod
    def search_company(cls, name, clause):
        return [('program.' + clause[0], *clause[1:])]

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', *clause[1:]),
            ('party', *clause[1:]),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Program = pool.get('crm.loyalty.program')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not values.get('number')
                and values.get('program') is not None):
            program = Program(values['program'])
            values['number'] = program.card_sequence.get()
        return values

    @classmethod
    def copy(cls, cards, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number')
        default.setdefault('level')
        default.setdefault('transactions')
        default.setdefault('level_changes')
        return super().copy(cards, default=default)

    @classmethod
    def on_modification(cls, mode, cards, field_names=None):
        super().on_modification(mode, cards, field_names=field_names)
        if mode == 'create':
            # Every card starts at the level of zero points
            cls.update_levels(cards)

    @classmethod
    def get_points(cls, cards, name=None):
        "Return the points of each card: the sum of its ledger"
        pool = Pool()
        PointsTransaction = pool.get('crm.loyalty.transaction')
        transaction = PointsTransaction.__table__()
        cursor = Transaction().connection.cursor()
        points = dict.fromkeys((c.id for c in cards), 0)
        for sub_ids in grouped_slice(
                [c.id for c in cards], backend.MAX_QUERY_PARAMS):
            cursor.execute(*transaction.select(
                    transaction.card, Sum(transaction.points),
                    where=reduce_ids(transaction.card, sub_ids),
                    group_by=transaction.card))
            points.update((c, int(p or 0)) for c, p in cursor)
        return points

    def get_discount(self, name):
        return self.level.discount if self.level else Decimal(0)

    @classmethod
    def update_levels(cls, cards):
        "Move the cards to the level their points reach and record the change"
        pool = Pool()
        Date = pool.get('ir.date')
        LevelChange = pool.get('crm.loyalty.level.change')
        cards = cls.browse([int(c) for c in cards])
        points = cls.get_points(cards)
        today = Date.today()
        programs = {}
        by_level = defaultdict(list)
        changes = []
        for card in cards:
            program = programs.setdefault(card.program.id, card.program)
            level = program.level_for(points[card.id])
            if level != card.level:
                by_level[level].append(card)
                changes.append(LevelChange(
                        card=card, date=today, points=points[card.id],
                        old_level=card.level, new_level=level))
        args = []
        for level, level_cards in by_level.items():
            args.extend([level_cards, {'level': level.id if level else None}])
        with without_check_access():
            if args:
                cls.write(*args)
            LevelChange.save(changes)

    @classmethod
    def holder_cards(cls, party, company):
        "Return the active cards of party in the programmes of company"
        if not party or not company:
            return []
        return cls.search([
                ('party', '=', party.id),
                ('program.company', '=', company.id),
                ('program.active', '=', True),
                ])

    @classmethod
    @ModelView.button
    def collect_points(cls, cards):
        """Earn the points of the paid invoices of the holders not earned yet,
        such as those paid before the card was issued"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        PointsTransaction = pool.get('crm.loyalty.transaction')
        for sub_cards in grouped_slice(cards):
            sub_cards = list(sub_cards)
            invoices = Invoice.search([
                    ('type', '=', 'out'),
                    ('state', '=', 'paid'),
                    ('party', 'in', [c.party.id for c in sub_cards]),
                    ])
            PointsTransaction.earn_from_invoices(invoices, sub_cards)


class PointsTransaction(ModelSQL, ModelView):
    "A line of the points ledger of a card: the points are never edited"
    __name__ = 'crm.loyalty.transaction'
    __string__ = "Loyalty Transaction"

    card = fields.Many2One(
        'crm.loyalty.card', "Card", required=True, ondelete='RESTRICT')
    date = fields.Date("Date", required=True)
    points = fields.Integer(
        "Points", required=True,
        help="Negative when the points are taken back.")
    invoice = fields.Many2One(
        'account.invoice', "Invoice", ondelete='RESTRICT',
        domain=[
            ('type', '=', 'out'),
            ],
        help="The paid invoice or credit note the points come from.")
    description = fields.Char("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('card')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.invoice, Index.Equality())))
        cls._sql_constraints += [
            # An invoice earns its points once, whatever re-processes it
            ('card_invoice_unique', Unique(t, t.card, t.invoice),
                'crm_marketing.msg_loyalty_transaction_invoice_unique'),
            ]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def check_modification(
            cls, mode, transactions, values=None, external=False):
        super().check_modification(
            mode, transactions, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise AccessError(gettext(
                    'crm_marketing.msg_loyalty_transaction_modify'))

    @classmethod
    def on_modification(cls, mode, transactions, field_names=None):
        pool = Pool()
        Card = pool.get('crm.loyalty.card')
        super().on_modification(mode, transactions, field_names=field_names)
        if mode == 'create':
            Card.update_levels(list({t.card for t in transactions}))

    @classmethod
    def earn_from_invoices(cls, invoices, cards=None):
        """Credit the cards of the holders of the paid customer invoices with
        their points (debit for credit notes), once per card and invoice

        cards restricts the cards credited, by default the active cards of
        the parties in the programmes of the invoice's company."""
        pool = Pool()
        Card = pool.get('crm.loyalty.card')
        invoices = [i for i in invoices
            if i.type == 'out' and i.state == 'paid']
        if not invoices:
            return []
        if cards is None:
            # Whoever records the payment earns the points for the holder
            with without_check_access():
                cards = Card.search([
                        ('party', 'in', list({i.party.id for i in invoices})),
                        ('program.active', '=', True),
                        ])
        holder_cards = defaultdict(list)
        for card in cards:
            if card.active and card.program.active:
                holder_cards[card.party, card.program.company].append(card)
        earned = cls._earned(invoices)
        transactions = []
        for invoice in invoices:
            for card in holder_cards[invoice.party, invoice.company]:
                if ((card.id, invoice.id) in earned
                        or invoice.invoice_date < card.issue_date):
                    continue
                points = card.program.compute_points(
                    invoice.total_amount, invoice.currency,
                    invoice.currency_date)
                if points:
                    transactions.append(cls(
                            card=card, invoice=invoice, points=points,
                            date=invoice.reconciled or invoice.invoice_date,
                            description=invoice.rec_name))
        with without_check_access():
            cls.save(transactions)
        return transactions

    @classmethod
    def _earned(cls, invoices):
        "Return the pairs of card and invoice ids already in the ledger"
        transaction = cls.__table__()
        cursor = Transaction().connection.cursor()
        earned = set()
        for sub_ids in grouped_slice(
                [i.id for i in invoices], backend.MAX_QUERY_PARAMS):
            cursor.execute(*transaction.select(
                    transaction.card, transaction.invoice,
                    where=reduce_ids(transaction.invoice, sub_ids)))
            earned.update(cursor)
        return earned


class LevelChange(ModelSQL, ModelView):
    "The move of a card from a level to another"
    __name__ = 'crm.loyalty.level.change'
    __string__ = "Loyalty Level Change"

    card = fields.Many2One(
        'crm.loyalty.card', "Card", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    points = fields.Integer("Points", required=True)
    old_level = fields.Many2One(
        'crm.loyalty.level', "Old Level", ondelete='SET NULL')
    new_level = fields.Many2One(
        'crm.loyalty.level', "New Level", ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('card')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def paid(cls, invoices):
        pool = Pool()
        PointsTransaction = pool.get('crm.loyalty.transaction')
        super().paid(invoices)
        PointsTransaction.earn_from_invoices(invoices)


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    loyalty_card = fields.Function(fields.Many2One(
            'crm.loyalty.card', "Loyalty Card",
            states={
                'invisible': ~Eval('loyalty_card'),
                },
            help="The card of the customer whose level gives "
            "the discount on the new lines."),
        'on_change_with_loyalty_card')

    @fields.depends('party', 'company')
    def on_change_with_loyalty_card(self, name=None):
        pool = Pool()
        Card = pool.get('crm.loyalty.card')
        cards = Card.holder_cards(self.party, self.company)
        if cards:
            return max(cards, key=lambda c: c.discount)


class SaleLine(metaclass=PoolMeta):
    __name__ = 'sale.line'

    @fields.depends(
        'sale', '_parent_sale.party', '_parent_sale.company',
        '_parent_sale.state',
        methods=['compute_base_price'])
    def compute_unit_price(self):
        # The discount of the level applies to the list price, unless the
        # price list already gives more
        unit_price = super().compute_unit_price()
        if (unit_price is None or not self.product or not self.sale
                or self.sale.state not in {'draft', 'quotation'}):
            return unit_price
        card = self.sale.on_change_with_loyalty_card()
        if card and card.discount:
            base_price = self.compute_base_price()
            if base_price is None:
                base_price = unit_price
            loyalty_price = round_price(
                base_price * (1 - card.discount / 100))
            unit_price = min(unit_price, loyalty_price)
        return unit_price


class Segment(metaclass=PoolMeta):
    __name__ = 'crm.segment'

    loyalty_levels = fields.Many2Many(
        'crm.segment-crm.loyalty.level', 'segment', 'level',
        "Loyalty Levels",
        domain=[
            ('program.company', '=', Eval('company', -1)),
            ],
        help="Keep the parties holding an active card at one of these "
        "levels.")

    def _member_conditions(self, party):
        pool = Pool()
        Card = pool.get('crm.loyalty.card')
        conditions = super()._member_conditions(party)
        if self.loyalty_levels:
            card = Card.__table__()
            conditions.append(party.id.in_(card.select(
                        card.party,
                        where=(card.active == Literal(True))
                        & card.level.in_(
                            [l.id for l in self.loyalty_levels]))))
        return conditions


class SegmentLoyaltyLevel(ModelSQL):
    "The loyalty levels a segment keeps"
    __name__ = 'crm.segment-crm.loyalty.level'
    __string__ = "Segment - Loyalty Level"

    segment = fields.Many2One(
        'crm.segment', "Segment", required=True, ondelete='CASCADE')
    level = fields.Many2One(
        'crm.loyalty.level', "Level", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('segment')


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('crm.loyalty.card', 'party'),
            ]
