# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Competitors (M6): the companies we lose deals to, their products, prices
and terms, and the opportunities lost to them"""
from sql import Window
from sql.functions import RowNumber

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction


class Competitor(DeactivableMixin, ModelSQL, ModelView):
    "A company competing with us for the customers' deals"
    __name__ = 'crm.competitor'
    __string__ = "Competitor"

    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        help="The competing company: its name, addresses and contacts.")
    website = fields.Function(
        fields.Char("Website"), 'get_website')
    strengths = fields.Text("Strengths")
    weaknesses = fields.Text("Weaknesses")
    notes = fields.Text("Notes")
    prices = fields.One2Many(
        'crm.competitor.price', 'competitor', "Prices")
    lost_opportunities = fields.One2Many(
        'sale.opportunity', 'competitor', "Lost Opportunities",
        filter=[
            ('state', '=', 'lost'),
            ],
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('party_unique', Unique(t, t.party),
                'crm_marketing.msg_competitor_party_unique'),
            ]
        cls._order.insert(0, ('party', 'ASC'))

    def get_website(self, name):
        return self.party.website

    def get_rec_name(self, name):
        return self.party.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        return [('party.rec_name', operator, operand, *extra)]


class Price(ModelSQL, ModelView):
    "A price of a competitor, for one of our products or one of theirs"
    __name__ = 'crm.competitor.price'
    __string__ = "Competitor Price"

    competitor = fields.Many2One(
        'crm.competitor', "Competitor", required=True, ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", ondelete='CASCADE',
        help="Our product the competitor's offer competes with.")
    competitor_product = fields.Char(
        "Competitor's Product",
        help="The name of the product under which the competitor sells it.")
    price = Monetary(
        "Price", currency='currency', digits='currency', required=True)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True)
    date = fields.Date(
        "Date", required=True,
        help="When the price was seen or quoted.")
    terms = fields.Text(
        "Terms", help="Payment, delivery and warranty terms of the offer.")
    latest = fields.Function(
        fields.Boolean(
            "Latest",
            help="The last price known for this product of the competitor."),
        'get_latest', searcher='search_latest')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('date', 'DESC'),
            ('id', 'DESC'),
            ]

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        if company_id := Transaction().context.get('company'):
            return Company(company_id).currency.id

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def _ranked(cls):
        "Return the query of the prices ranked from the latest per product"
        price = cls.__table__()
        window = Window(
            [price.competitor, price.product, price.competitor_product],
            order_by=[price.date.desc, price.id.desc])
        return price.select(
            price.id.as_('id'),
            RowNumber(window=window).as_('rank'))

    @classmethod
    def get_latest(cls, prices, name):
        cursor = Transaction().connection.cursor()
        ranked = cls._ranked()
        latest = {p.id: False for p in prices}
        for sub_ids in grouped_slice(latest):
            cursor.execute(*ranked.select(ranked.id,
                    where=reduce_ids(ranked.id, sub_ids)
                    & (ranked.rank == 1)))
            latest.update((i, True) for i, in cursor)
        return latest

    @classmethod
    def search_latest(cls, name, clause):
        _, operator, value = clause
        ranked = cls._ranked()
        query = ranked.select(ranked.id, where=ranked.rank == 1)
        if (operator == '=') != bool(value):
            return [('id', 'not in', query)]
        return [('id', 'in', query)]

    @classmethod
    def validate_fields(cls, prices, field_names):
        super().validate_fields(prices, field_names)
        cls.check_price(prices, field_names)
        cls.check_product(prices, field_names)

    @classmethod
    def check_price(cls, prices, field_names=None):
        # Not an SQL check: SQLite stores the numerics as bytes
        if field_names and 'price' not in field_names:
            return
        for price in prices:
            if price.price is not None and price.price < 0:
                raise ValidationError(gettext(
                        'crm_marketing.msg_competitor_price_positive',
                        competitor=price.competitor.rec_name,
                        price=price.price))

    @classmethod
    def check_product(cls, prices, field_names=None):
        "A price compares nothing without the product it is for"
        if field_names and not (
                field_names & {'product', 'competitor_product'}):
            return
        for price in prices:
            if not price.product and not price.competitor_product:
                raise ValidationError(gettext(
                        'crm_marketing.msg_competitor_price_product_required',
                        competitor=price.competitor.rec_name))

    def get_rec_name(self, name):
        name = self.competitor.rec_name
        if self.competitor_product:
            name += ': %s' % self.competitor_product
        elif self.product:
            name += ': %s' % self.product.rec_name
        return name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('competitor.rec_name', operator, operand, *extra),
            ('competitor_product', operator, operand, *extra),
            ('product.rec_name', operator, operand, *extra),
            ]


class LostReason(metaclass=PoolMeta):
    __name__ = 'crm.opportunity.lost_reason'

    competition = fields.Boolean(
        "Competition",
        help="An opportunity lost for this reason went to a competitor, "
        "who must be named.")

    @classmethod
    def default_competition(cls):
        return False


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    competitor = fields.Many2One(
        'crm.competitor', "Competitor", ondelete='RESTRICT',
        states={
            'invisible': Eval('state').in_(['won', 'cancelled']),
            'readonly': Eval('state').in_(['won', 'cancelled']),
            },
        help="The competitor who won the deal: the analysis of losses "
        "groups the opportunities by it.")

    @classmethod
    def copy(cls, opportunities, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('competitor')
        return super().copy(opportunities, default=default)

    @classmethod
    def lost(cls, opportunities):
        # As crm_sales asks the reason, only the salesperson's decision needs
        # the competitor, not the losses that come from cancelled quotations
        for opportunity in opportunities:
            if (opportunity.state in {'lead', 'opportunity'}
                    and opportunity.loss_reason
                    and opportunity.loss_reason.competition
                    and not opportunity.competitor):
                raise UserError(gettext(
                        'crm_marketing'
                        '.msg_competitor_opportunity_competitor_required',
                        opportunity=opportunity.rec_name,
                        reason=opportunity.loss_reason.rec_name))
        super().lost(opportunities)
