# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The customer's answer to a quotation on the portal: accepted with a typed
signature, declined or sent back for changes (S12, seed 002: the customer
agrees the final delivery set)"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .exceptions import PortalAnswerError


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    _answer_states = {
        'readonly': True,
        'invisible': ~Eval('customer_answer'),
        }
    customer_answer = fields.Selection([
            (None, ""),
            ('accepted', "Accepted"),
            ('declined', "Declined"),
            ('changes', "Changes Requested"),
            ], "Customer Answer", readonly=True,
        help="What the customer answered on the portal.")
    customer_answered_by = fields.Many2One(
        'web.user', "Answered By", ondelete='RESTRICT',
        states=_answer_states)
    customer_answered_at = fields.Timestamp(
        "Answered At", states=_answer_states)
    customer_answer_ip = fields.Char(
        "Answer IP Address", states=_answer_states,
        help="The address the answer came from.")
    customer_signature = fields.Char(
        "Signature", states=_answer_states,
        help="The full name the customer typed to accept the quotation.")
    customer_comment = fields.Text("Customer Comment", states=_answer_states)
    del _answer_states

    @classmethod
    def copy(cls, sales, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'customer_answer', 'customer_answered_by',
                'customer_answered_at', 'customer_answer_ip',
                'customer_signature', 'customer_comment']:
            default.setdefault(name)
        return super().copy(sales, default=default)

    @classmethod
    def quote(cls, sales):
        super().quote(sales)
        # a quotation sent again waits for a new answer
        cls.write([s for s in sales if s.customer_answer], {
                'customer_answer': None,
                'customer_signature': None,
                'customer_comment': None,
                })

    def check_portal_answer(self):
        if self.state != 'quotation' or self.customer_answer:
            raise AccessError(gettext(
                    'crm_sales.msg_portal_quotation_closed',
                    sale=self.rec_name))

    @classmethod
    def portal_accept(cls, sales, web_user, signature, ip_address):
        """Accept the quotations for web_user signing with the full name
        typed, and confirm them"""
        signature = ' '.join((signature or '').split())
        if len(signature) < 3:
            raise PortalAnswerError(gettext(
                    'crm_sales.msg_portal_signature_required'))
        for sale in sales:
            sale.check_portal_answer()
        cls.write(sales, {
                'customer_answer': 'accepted',
                'customer_answered_by': web_user.id,
                'customer_answered_at': dt.datetime.now(),
                'customer_answer_ip': ip_address,
                'customer_signature': signature,
                })
        cls.confirm(sales)

    @classmethod
    def portal_answer(cls, sales, answer, web_user, comment, ip_address):
        """Record that the customer declined the quotations or asks for
        changes, and give the salesperson an activity to follow it up"""
        pool = Pool()
        Activity = pool.get('crm.activity')
        assert answer in {'declined', 'changes'}
        comment = (comment or '').strip()
        if not comment:
            raise PortalAnswerError(gettext(
                    'crm_sales.msg_portal_comment_required'))
        for sale in sales:
            sale.check_portal_answer()
        now = dt.datetime.now()
        cls.write(sales, {
                'customer_answer': answer,
                'customer_answered_by': web_user.id,
                'customer_answered_at': now,
                'customer_answer_ip': ip_address,
                'customer_comment': comment,
                })
        subject = {
            'declined': 'crm_sales.msg_portal_activity_declined',
            'changes': 'crm_sales.msg_portal_activity_changes',
            }[answer]
        Activity.save([Activity(
                    company=s.company,
                    party=s.party,
                    employee=s.salesperson,
                    type='task',
                    direction='incoming',
                    subject=gettext(subject, sale=s.rec_name),
                    description=comment,
                    planned_date=now,
                    origin=s,
                    ) for s in sales])
