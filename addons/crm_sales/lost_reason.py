# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class LostReason(
        sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    "Why an opportunity was lost: the list the analyses group losses by"
    __name__ = 'crm.opportunity.lost_reason'
    __string__ = "Opportunity Loss Reason"
    name = fields.Char("Name", required=True, translate=True)


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'
    # Upstream lost_reason is a free text, kept for the details
    loss_reason = fields.Many2One(
        'crm.opportunity.lost_reason', "Loss Reason", ondelete='RESTRICT',
        states={
            'invisible': Eval('state').in_(['won', 'cancelled']),
            'readonly': Eval('state').in_(['won', 'cancelled']),
            },
        help="Required to mark the opportunity as lost.")
    lost_competitor = fields.Char(
        "Competitor",
        states={
            'invisible': Eval('state').in_(['won', 'cancelled']),
            'readonly': Eval('state').in_(['won', 'cancelled']),
            },
        help="The competitor who won the deal, if known.")

    @classmethod
    def copy(cls, opportunities, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('loss_reason')
        default.setdefault('lost_competitor')
        return super().copy(opportunities, default=default)

    @classmethod
    def lost(cls, opportunities):
        # Only the salesperson's decision needs a reason: an opportunity
        # lost because all its quotations were cancelled comes from process
        for opportunity in opportunities:
            if (opportunity.state in {'lead', 'opportunity'}
                    and not opportunity.loss_reason):
                raise UserError(gettext(
                        'crm_sales.msg_opportunity_lost_reason_required',
                        opportunity=opportunity.rec_name))
        super().lost(opportunities)
