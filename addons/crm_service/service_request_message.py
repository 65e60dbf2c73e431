# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction


class ServiceRequestMessage(ModelSQL, ModelView):
    "A message of the conversation about a service request"
    __name__ = 'crm.service.request.message'
    __string__ = "Service Request Message"

    _states = {
        'readonly': Eval('id', -1) >= 0,
        }

    request = fields.Many2One(
        'crm.service.request', "Request", required=True, ondelete='CASCADE',
        states=_states)
    author_employee = fields.Many2One(
        'company.employee', "Employee", states=_states,
        help="The employee who wrote the message.")
    author_web_user = fields.Many2One(
        'web.user', "Web User", readonly=True,
        help="The customer who wrote the message on the portal.")
    author = fields.Function(fields.Char("Author"), 'get_author')
    body = fields.Text("Message", required=True, states=_states)
    internal = fields.Boolean(
        "Internal", states=_states,
        help="A note for the service: the customer never sees it.")

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('request')
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.request, Index.Range()), (t.id, Index.Range())))
        cls._order = [('request', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_author_employee(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_internal(cls):
        return False

    def get_author(self, name):
        if self.author_web_user:
            return self.author_web_user.party.rec_name if (
                self.author_web_user.party) else self.author_web_user.email
        if self.author_employee:
            return self.author_employee.rec_name

    def get_rec_name(self, name):
        return f'{self.request.rec_name} ({self.id})'

    @property
    def answers_customer(self):
        "Whether the message is the service answering the customer"
        return (
            not self.internal and self.author_employee
            and not self.author_web_user)

    @classmethod
    def on_modification(cls, mode, messages, field_names=None):
        pool = Pool()
        Request = pool.get('crm.service.request')
        super().on_modification(mode, messages, field_names=field_names)
        if mode == 'create':
            Request.set_first_response(
                {m.request for m in messages if m.answers_customer})
