# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Service contracts: subscriptions with a service level and a kind,
renewed into the next contract or terminated with a reason"""
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

ONE_DAY = dt.timedelta(days=1)


class TerminationReason(DeactivableMixin, ModelSQL, ModelView):
    "Why a customer ended a service contract"
    __name__ = 'crm.service.termination_reason'
    __string__ = "Contract Termination Reason"

    name = fields.Char("Name", required=True, translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))


class Subscription(metaclass=PoolMeta):
    __name__ = 'sale.subscription'

    _service_states = {
        'readonly': Eval('state').in_(['closed', 'cancelled']),
        }

    contract_kind = fields.Selection([
            (None, ""),
            ('warranty', "Warranty"),
            ('post_warranty', "Post-Warranty Service"),
            ('maintenance', "Maintenance"),
            ('support', "Support"),
            ], "Contract Kind", states=_service_states,
        help="The kind of service the subscription is a contract for.\n"
        "Leave empty for a subscription that is not a service contract.")
    contract_kind_string = contract_kind.translated('contract_kind')
    service_level = fields.Many2One(
        'crm.service.level', "Service Level", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states=_service_states,
        help="The working hours and the response and resolution times "
        "promised to the customer.")
    renewal_of = fields.Many2One(
        'sale.subscription', "Renewal of", readonly=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('party', '=', Eval('party', -1)),
            ],
        help="The contract this one continues.")
    # a cancelled renewal does not count: the contract can be renewed again
    renewals = fields.One2Many(
        'sale.subscription', 'renewal_of', "Renewals", readonly=True,
        filter=[
            ('state', '!=', 'cancelled'),
            ])
    renewed_by = fields.Function(fields.Many2One(
            'sale.subscription', "Renewed by",
            help="The contract that continues this one."),
        'get_renewed_by', searcher='search_renewed_by')
    renewal_date = fields.Date(
        "Renewal Date", readonly=True,
        help="When the contract was renewed.")
    terminated_date = fields.Date(
        "Termination Date", readonly=True,
        help="When the customer ended the contract.")
    termination_reason = fields.Many2One(
        'crm.service.termination_reason', "Termination Reason",
        readonly=True, ondelete='RESTRICT')
    termination_note = fields.Text(
        "Termination Note",
        states={
            'invisible': ~Eval('terminated_date'),
            })

    del _service_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'renew': {
                    'invisible': (
                        ~Eval('state').in_(['running', 'closed'])
                        | Bool(Eval('renewed_by'))
                        | Bool(Eval('terminated_date'))),
                    'icon': 'tryton-refresh',
                    'depends': ['state', 'renewed_by', 'terminated_date'],
                    },
                'terminate': {
                    'invisible': (
                        (Eval('state') != 'running')
                        | Bool(Eval('terminated_date'))),
                    'icon': 'tryton-cancel',
                    'depends': ['state', 'terminated_date'],
                    },
                })

    def get_renewed_by(self, name):
        return self.renewals[0].id if self.renewals else None

    @classmethod
    def search_renewed_by(cls, name, clause):
        return [('renewals' + clause[0][len(name):], *clause[1:])]

    @classmethod
    def copy(cls, subscriptions, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'renewal_of', 'renewal_date', 'terminated_date',
                'termination_reason', 'termination_note']:
            default.setdefault(name, None)
        return super().copy(subscriptions, default=default)

    def get_renewal_shift(self):
        """Return how far the next contract moves the dates: in whole
        months when this contract lasts whole months (so a year stays a
        year whatever leap days), else in days"""
        start = self.end_date + ONE_DAY
        length = relativedelta(start, self.start_date)
        if not length.days:
            return relativedelta(months=length.years * 12 + length.months)
        return start - self.start_date

    def get_renewal_dates(self):
        "Return the start and end of the next contract"
        start = self.end_date + ONE_DAY
        return start, start + self.get_renewal_shift() - ONE_DAY

    def check_renewable(self):
        if self.state not in {'running', 'closed'}:
            raise UserError(gettext(
                    'crm_service.msg_contract_renew_state',
                    contract=self.rec_name))
        if self.terminated_date:
            raise UserError(gettext(
                    'crm_service.msg_contract_renew_terminated',
                    contract=self.rec_name))
        if self.renewed_by:
            raise UserError(gettext(
                    'crm_service.msg_contract_renew_already',
                    contract=self.rec_name,
                    renewal=self.renewed_by.rec_name))
        if not self.end_date:
            raise UserError(gettext(
                    'crm_service.msg_contract_renew_no_end_date',
                    contract=self.rec_name))

    @classmethod
    @ModelView.button_action('crm_service.act_contract_form')
    def renew(cls, subscriptions):
        renewals = cls.renew_contracts(subscriptions)
        return {
            'res_id': [r.id for r in renewals],
            }

    @classmethod
    def renew_contracts(cls, subscriptions, date=None):
        """Create the next contract of each subscription, as draft with its
        lines copied onto the new dates, and stamp the renewal date"""
        pool = Pool()
        Date = pool.get('ir.date')
        Line = pool.get('sale.subscription.line')
        for subscription in subscriptions:
            subscription.check_renewable()
        dates = {s.id: s.get_renewal_dates() for s in subscriptions}
        shifts = {s.id: s.get_renewal_shift() for s in subscriptions}
        renewals = cls.copy(subscriptions, default={
                'start_date': lambda d: dates[d['id']][0],
                'end_date': lambda d: dates[d['id']][1],
                'invoice_start_date': lambda d: (
                    d['invoice_start_date']
                    and d['invoice_start_date'] + shifts[d['id']]),
                'lines': None,
                'renewal_of': lambda d: d['id'],
                })

        lines, line_dates = [], {}
        for subscription, renewal in zip(subscriptions, renewals):
            end, shift = dates[subscription.id][1], shifts[subscription.id]
            for line in subscription.lines:
                line_start = min(line.start_date + shift, end)
                if line.end_date == subscription.end_date:
                    line_end = end
                else:
                    line_end = line.end_date and min(
                        line.end_date + shift, end)
                line_dates[line.id] = renewal.id, line_start, line_end
                lines.append(line)
        Line.copy(lines, default={
                'subscription': lambda d: line_dates[d['id']][0],
                'start_date': lambda d: line_dates[d['id']][1],
                'end_date': lambda d: line_dates[d['id']][2],
                })

        for subscription in subscriptions:
            with Transaction().set_context(company=subscription.company.id):
                subscription.renewal_date = date or Date.today()
        cls.save(subscriptions)
        return renewals

    @classmethod
    @ModelView.button_action('crm_service.wizard_contract_terminate')
    def terminate(cls, subscriptions):
        pass

    @classmethod
    def terminate_contracts(cls, subscriptions, date, reason, note=None):
        """End the running subscriptions on date for reason and close them:
        the end dates of the subscription and of its lines move back to it,
        but not before what the lines have consumed already"""
        pool = Pool()
        Date = pool.get('ir.date')
        Line = pool.get('sale.subscription.line')
        if not reason:
            raise UserError(gettext(
                    'crm_service.msg_contract_terminate_no_reason'))
        lines = []
        for subscription in subscriptions:
            if (subscription.state != 'running'
                    or subscription.terminated_date):
                raise UserError(gettext(
                        'crm_service.msg_contract_terminate_state',
                        contract=subscription.rec_name))
            with Transaction().set_context(company=subscription.company.id):
                today = Date.today()
            if date > today:
                raise UserError(gettext(
                        'crm_service.msg_contract_terminate_future',
                        contract=subscription.rec_name,
                        date=date, today=today))
            if date < subscription.start_date:
                raise UserError(gettext(
                        'crm_service.msg_contract_terminate_before_start',
                        contract=subscription.rec_name,
                        date=date, start=subscription.start_date))
            end_date = date
            for line in subscription.lines:
                line_end = max(
                    date, line.start_date, line.consumed_until or date)
                if not line.end_date or line.end_date > line_end:
                    line.end_date = line_end
                    lines.append(line)
                end_date = max(end_date, line.end_date)
            subscription.terminated_date = date
            subscription.termination_reason = reason
            subscription.termination_note = note
            if not subscription.end_date or subscription.end_date > end_date:
                subscription.end_date = end_date
        cls.save(subscriptions)
        Line.save(lines)
        cls.close(subscriptions)

    @classmethod
    def find_contract(cls, party, date, installed=None):
        """Return the running service contract of the party that covers
        date, the one of the installed product (or of its renewals) first,
        else the latest started; None when there is none"""
        if not party or not date:
            return None
        if isinstance(date, dt.datetime):
            date = date.date()
        contracts = cls.search([
                ('party', '=', party.id),
                ('contract_kind', '!=', None),
                ('state', '=', 'running'),
                ('start_date', '<=', date),
                ['OR',
                    ('end_date', '=', None),
                    ('end_date', '>=', date),
                    ],
                ], order=[('start_date', 'DESC'), ('id', 'DESC')])
        if installed and installed.contract:
            for contract in contracts:
                if installed.contract in contract.renewal_chain():
                    return contract
        return contracts[0] if contracts else None

    def renewal_chain(self):
        "Return this contract and those it renews, the latest first"
        chain, contract = [], self
        while contract and contract not in chain:
            chain.append(contract)
            contract = contract.renewal_of
        return chain


class TerminateStart(ModelView):
    "The date and reason of a contract termination"
    __name__ = 'crm.service.contract.terminate.start'
    __string__ = "Terminate Contract"

    date = fields.Date("Date", required=True)
    reason = fields.Many2One(
        'crm.service.termination_reason', "Reason", required=True)
    note = fields.Text("Note")

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class Terminate(Wizard):
    "End running service contracts with a reason"
    __name__ = 'crm.service.contract.terminate'

    start = StateView(
        'crm.service.contract.terminate.start',
        'crm_service.contract_terminate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Terminate", 'terminate', 'tryton-ok', default=True),
            ])
    terminate = StateTransition()

    def transition_terminate(self):
        self.model.terminate_contracts(
            self.records, self.start.date, self.start.reason,
            self.start.note)
        return 'end'
