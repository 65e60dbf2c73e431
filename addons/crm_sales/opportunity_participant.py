# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Participant(ModelSQL, ModelView):
    "Who takes part in a deal: the customer's, our and the partners' people"
    __name__ = 'crm.opportunity.participant'
    __string__ = "Opportunity Participant"
    _history = True

    opportunity = fields.Many2One(
        'sale.opportunity', "Opportunity", required=True, ondelete='CASCADE')
    side = fields.Selection([
            ('customer', "Customer"),
            ('company', "Company"),
            ('partner', "Partner"),
            ], "Side", required=True, sort=False)
    party = fields.Many2One(
        'party.party', "Party",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'required': Eval('side').in_(['customer', 'partner']),
            'invisible': Eval('side') == 'company',
            },
        help="The person or organisation of the customer or of the partner.")
    employee = fields.Many2One(
        'company.employee', "Employee",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'required': Eval('side') == 'company',
            'invisible': Eval('side') != 'company',
            })
    role = fields.Char(
        "Role", help="For example: decision maker, engineer, installer.")
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('opportunity')

    @classmethod
    def default_side(cls):
        return 'customer'

    @fields.depends('opportunity', '_parent_opportunity.company')
    def on_change_with_company(self, name=None):
        return self.opportunity.company if self.opportunity else None

    @fields.depends('side')
    def on_change_side(self):
        # Keep only the person of the chosen side
        if self.side == 'company':
            self.party = None
        else:
            self.employee = None

    def get_rec_name(self, name):
        person = self.employee if self.side == 'company' else self.party
        name = person.rec_name if person else ''
        if self.role:
            name = '%s (%s)' % (name, self.role)
        return name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('party.rec_name', operator, value),
            ('employee.rec_name', operator, value),
            ('role', operator, value),
            ]


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'
    participants = fields.One2Many(
        'crm.opportunity.participant', 'opportunity', "Participants",
        states={
            'readonly': Eval('state').in_(['won', 'lost', 'cancelled']),
            })


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('crm.opportunity.participant', 'party'),
            ]
