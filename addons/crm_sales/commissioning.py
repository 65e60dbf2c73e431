# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If

from .planned_workflow import PlannedWorkflow


class CommissioningStep(
        PlannedWorkflow, sequence_ordered(), ModelSQL, ModelView):
    "A step of the commissioning schedule of a sale (S11)"
    __name__ = 'crm.commissioning.step'
    __string__ = "Commissioning Step"

    _states = {
        'readonly': Eval('state') != 'planned',
        }

    sale = fields.Many2One(
        'sale.sale', "Sale", required=True, ondelete='CASCADE',
        states=_states)
    name = fields.Char("Name", required=True, states=_states)
    description = fields.Text("Description", states=_states)
    planned_date = fields.Date("Planned Date", required=True, states=_states)
    done_date = fields.Date(
        "Done Date", readonly=True,
        states={
            'invisible': Eval('state') != 'done',
            },
        help="The day the step was marked as done.")
    employee = fields.Many2One(
        'company.employee', "Responsible", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The employee in charge of the step.")
    late = fields.Function(
        fields.Boolean(
            "Late",
            help="Planned and past its date, or done after it."),
        'get_lateness', searcher='search_late')
    delay_days = fields.Function(
        fields.Integer(
            "Delay (days)",
            help="The number of days a late step is behind its plan."),
        'get_lateness')
    party = fields.Function(
        fields.Many2One(
            'party.party', "Customer",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'on_change_with_party', searcher='search_sale_field')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_sale_field')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The steps belong to the sale: its access rules apply
        cls.__access__.add('sale')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.sale, Index.Range())),
                Index(t,
                    (t.state, Index.Equality(cardinality='low')),
                    (t.planned_date, Index.Range()),
                    where=t.state == 'planned'),
                })
        cls._order = [
            ('sequence', 'ASC NULLS FIRST'),
            ('planned_date', 'ASC'),
            ('id', 'ASC'),
            ]

    @fields.depends('sale', '_parent_sale.party')
    def on_change_with_party(self, name=None):
        return self.sale.party if self.sale else None

    @fields.depends('sale', '_parent_sale.company')
    def on_change_with_company(self, name=None):
        return self.sale.company if self.sale else None

    @classmethod
    def search_sale_field(cls, name, clause):
        nested = clause[0][len(name):]
        return [('sale.' + name + nested, *clause[1:])]

    @classmethod
    def get_lateness(cls, steps, names):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        result = {name: {} for name in names}
        for step in steps:
            if step.state == 'planned':
                end = today
            elif step.state == 'done':
                end = step.done_date
            else:
                end = None
            delay = (end - step.planned_date).days if end else 0
            if 'late' in result:
                result['late'][step.id] = delay > 0
            if 'delay_days' in result:
                result['delay_days'][step.id] = delay if delay > 0 else None
        return result

    @classmethod
    def search_late(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        table = cls.__table__()
        _, operator, value = clause
        if operator not in {'=', '!='}:
            return []
        late = (((table.state == 'planned')
                & (table.planned_date < Date.today()))
            | ((table.state == 'done')
                & (table.done_date > table.planned_date)))
        query = table.select(table.id, where=late)
        positive = (operator == '=') == bool(value)
        return [('id', 'in' if positive else 'not in', query)]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('late', False), 'danger', '')),
            ]

    @classmethod
    def validate_fields(cls, steps, field_names):
        super().validate_fields(steps, field_names)
        cls.check_planned_date(steps, field_names)

    @classmethod
    def check_planned_date(cls, steps, field_names=None):
        if field_names and not (field_names & {'sale', 'planned_date'}):
            return
        for step in steps:
            sale_date = step.sale.sale_date
            if sale_date and step.planned_date < sale_date:
                raise ValidationError(gettext(
                        'crm_sales.msg_commissioning_planned_before_sale',
                        step=step.rec_name,
                        sale=step.sale.rec_name))

    @classmethod
    def check_modification(cls, mode, steps, values=None, external=False):
        super().check_modification(
            mode, steps, values=values, external=external)
        if mode == 'write':
            # Reopening (plan) and reordering stay possible on done steps
            locked = set(values) - {'state', 'done_date', 'sequence'}
            if locked:
                for step in steps:
                    if step.state == 'done':
                        raise AccessError(gettext(
                                'crm_sales.msg_commissioning_modify_done',
                                step=step.rec_name))
        elif mode == 'delete':
            for step in steps:
                if step.state == 'done':
                    raise AccessError(gettext(
                            'crm_sales.msg_commissioning_delete_done',
                            step=step.rec_name))

    @classmethod
    def copy(cls, steps, default=None):
        if default is None:
            default = {}
        else:
            default = default.copy()
        default.setdefault('done_date', None)
        return super().copy(steps, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, steps):
        pool = Pool()
        Date = pool.get('ir.date')
        cls.write(steps, {
                'done_date': Date.today(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, steps):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, steps):
        cls.write(steps, {
                'done_date': None,
                })


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'
    commissioning_steps = fields.One2Many(
        'crm.commissioning.step', 'sale', "Commissioning",
        help="The schedule of the installation and start-up work.")
