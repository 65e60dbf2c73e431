# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Several quotations per opportunity: alternatives of which one is ordered"
from trytond.exceptions import UserWarning
from trytond.i18n import gettext
from trytond.model import ModelView
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'new_quotation': {
                    'invisible': Eval('state') != 'converted',
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button_action('sale.act_sale_form')
    def new_quotation(cls, opportunities):
        "Create one more quotation from the lines of each opportunity"
        pool = Pool()
        Sale = pool.get('sale.sale')
        opportunities = [o for o in opportunities if o.state == 'converted']
        sales = [o.create_sale() for o in opportunities]
        Sale.save(sales)
        for sale in sales:
            sale.origin.copy_resources_to(sale)
        return {
            'res_id': [s.id for s in sales],
            }

    @property
    def sale_amount(self):
        # The quotations are alternatives: the ordered ones count, else the
        # largest open one, not their sum
        pool = Pool()
        Currency = pool.get('currency.currency')
        if not self.sales:
            return
        won_states = self._sale_won_states()
        lost_states = self._sale_lost_states()

        def amount(sale):
            return Currency.compute(
                sale.currency, sale.untaxed_amount, self.currency)
        won = [amount(s) for s in self.sales if s.state in won_states]
        if won:
            return sum(won)
        return max((amount(s) for s in self.sales
                if s.state not in lost_states), default=0)


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    def confirm(cls, sales):
        cls._cancel_other_quotations(sales)
        super().confirm(sales)

    @classmethod
    def _cancel_other_quotations(cls, sales):
        "Cancel the open quotations of the opportunities of sales, once warned"
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        Warning = pool.get('res.user.warning')
        sales = [s for s in sales
            if s.state == 'quotation' and isinstance(s.origin, Opportunity)]
        if not sales:
            return
        others = cls.search([
                ('origin', 'in', list({str(s.origin) for s in sales})),
                ('state', 'in', ['draft', 'quotation']),
                ('id', 'not in', [s.id for s in sales]),
                ], order=[('id', 'ASC')])
        if not others:
            return
        for sale in sales:
            sale_others = [o for o in others if o.origin == sale.origin]
            if not sale_others:
                continue
            key = Warning.format('crm_sales_cancel_other_quotations', [sale])
            if Warning.check(key):
                raise UserWarning(key, gettext(
                        'crm_sales.msg_opportunity_cancel_other_quotations',
                        sale=sale.rec_name,
                        opportunity=sale.origin.rec_name,
                        others=', '.join(o.rec_name for o in sale_others)))
        # Confirming a sale of the opportunity allows to cancel its rivals
        with without_check_access():
            cls.cancel(others)
