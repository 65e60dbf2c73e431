# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Special offers (M5): sale promotions run by marketing campaigns"
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Promotion(metaclass=PoolMeta):
    __name__ = 'sale.promotion'

    marketing_campaign = fields.Many2One(
        'marketing.campaign', "Campaign", ondelete='RESTRICT',
        help="The campaign credited with the sales the promotion applies to.")

    @fields.depends(
        'marketing_campaign', '_parent_marketing_campaign.start_date',
        '_parent_marketing_campaign.end_date', 'start_date', 'end_date')
    def on_change_marketing_campaign(self):
        # The offer runs as long as its campaign unless dated otherwise
        if self.marketing_campaign:
            if not self.start_date:
                self.start_date = self.marketing_campaign.start_date
            if not self.end_date:
                self.end_date = self.marketing_campaign.end_date


class Campaign(metaclass=PoolMeta):
    __name__ = 'marketing.campaign'

    promotions = fields.One2Many(
        'sale.promotion', 'marketing_campaign', "Promotions")


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # marketing_automation's party is read in the sale's company, as its
        # company-dependent values (language) are
        cls.marketing_party.context = {'company': Eval('company', -1)}
        cls.marketing_party.depends.add('company')

    def apply_promotion(self):
        # A sale that gets the offer of a campaign is credited to it, unless
        # it came from another campaign already
        super().apply_promotion()
        if not self.marketing_campaign:
            self.marketing_campaign = next((
                    l.promotion.marketing_campaign for l in self.lines
                    if l.type == 'line' and l.promotion
                    and l.promotion.marketing_campaign), None)
