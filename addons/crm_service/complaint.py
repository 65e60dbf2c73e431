# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""A service request can open a customer complaint of sale_complaint, whose
actions give the customer a credit note or take the product back (V3)"""
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If

# The states of the documents a complaint may be about
SALE_STATES = {'confirmed', 'processing', 'done'}
INVOICE_STATES = {'posted', 'paid'}


class ComplaintError(UserError):
    "A complaint that cannot be opened from a service request"


class Configuration(metaclass=PoolMeta):
    __name__ = 'crm.service.configuration'

    complaint_type = fields.Many2One(
        'sale.complaint.type', "Complaint Type",
        help="The type of the complaints opened from service requests: "
        "its origin tells what the complaint is about, "
        "the sale or invoice of the installed product.")

    @classmethod
    def default_complaint_type(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('crm_service', 'complaint_type_service')
        except KeyError:
            return None


class Complaint(metaclass=PoolMeta):
    __name__ = 'sale.complaint'

    service_request = fields.Many2One(
        'crm.service.request', "Service Request", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('customer'),
                ('party', '=', Eval('customer', -1)),
                ()),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The service request the complaint comes from.")


class ServiceRequest(metaclass=PoolMeta):
    __name__ = 'crm.service.request'

    complaints = fields.One2Many(
        'sale.complaint', 'service_request', "Complaints", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'open_complaint': {
                    'invisible': Eval('state') == 'cancelled',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def copy(cls, requests, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('complaints', None)
        return super().copy(requests, default=default)

    @classmethod
    @ModelView.button_action('crm_service.act_request_complaints')
    def open_complaint(cls, requests):
        "Open a draft complaint of the customer for each request"
        pool = Pool()
        Complaint = pool.get('sale.complaint')
        Configuration = pool.get('crm.service.configuration')
        complaint_type = Configuration(1).complaint_type
        if not complaint_type:
            raise ComplaintError(gettext('crm_service.msg_complaint_no_type'))
        complaints = [r._complaint(complaint_type) for r in requests]
        Complaint.save(complaints)
        return {
            'res_id': [c.id for c in complaints],
            }

    def _complaint(self, complaint_type):
        pool = Pool()
        Complaint = pool.get('sale.complaint')
        description = self.subject
        if self.description:
            description += '\n\n' + self.description
        return Complaint(
            company=self.company,
            customer=self.party,
            type=complaint_type,
            origin=self._complaint_origin(complaint_type.origin.name),
            reference=self.number,
            description=description,
            service_request=self)

    def _complaint_origin(self, model):
        """Return the document of model the complaint is about: the sale,
        the sale line, the invoice or the invoice line of the installed
        product, or None"""
        sale_line = (self.installed_product.sale_line
            if self.installed_product else None)
        if (not sale_line
                or sale_line.sale.party != self.party
                or sale_line.sale.company != self.company
                or sale_line.sale.state not in SALE_STATES):
            return
        if model == 'sale.line':
            return sale_line
        elif model == 'sale.sale':
            return sale_line.sale
        invoice_lines = [l for l in sale_line.invoice_lines
            if l.invoice
            and l.invoice.type == 'out'
            and l.invoice.party == self.party
            and l.invoice.state in INVOICE_STATES]
        if not invoice_lines:
            return
        invoice_line = max(invoice_lines, key=lambda l: l.id)
        if model == 'account.invoice.line':
            return invoice_line
        elif model == 'account.invoice':
            return invoice_line.invoice
