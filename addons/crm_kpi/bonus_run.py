# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Bonus runs (K3): each employee's KPIs, achievement, score and bonus for a
scheme and a period, approved by HR and then frozen for payroll

The rule (see bonus_rule.py): achievement = value ÷ target when higher is
better, 1 + (target − value) ÷ target (not below 0) when lower is better;
below the threshold it counts 0, above the cap it counts the cap;
score = Σ weight × counted achievement; bonus amount = base amount × score;
final amount = bonus amount + adjustment, and an adjustment needs a reason.
"""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import bonus_rule
from .bonus_rule import RATIO_DIGITS

RULE_HELP = (
    "Achievement = value ÷ target when higher is better, "
    "1 + (target − value) ÷ target (not below 0) when lower is better.\n"
    "Below the threshold the achievement counts 0, "
    "above the cap it counts the cap.\n"
    "Score = Σ weight × counted achievement.\n"
    "Bonus = base amount × score; final amount = bonus + adjustment, "
    "an adjustment needs a reason.")

# The fields that choose what a run measures: changed only in draft
HEADER_FIELDS = {'company', 'scheme', 'start_date', 'end_date'}


class Run(Workflow, ModelSQL, ModelView):
    __name__ = 'crm.bonus.run'
    __string__ = "Bonus Run"
    _history = True
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    scheme = fields.Many2One(
        'crm.bonus.scheme', "Scheme", required=True, states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    start_date = fields.Date("Start Date", required=True, states=_states)
    end_date = fields.Date("End Date", required=True, states=_states)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    base_amount = Monetary(
        "Base Amount", currency='currency', digits='currency', readonly=True,
        help="The scheme's base amount when the run was computed.")
    lines = fields.One2Many(
        'crm.bonus.run.line', 'run', "Lines", help=RULE_HELP,
        states={
            'readonly': Eval('state') != 'computed',
            })
    bonus_amount = fields.Function(Monetary(
            "Bonus Amount", currency='currency', digits='currency'),
        'get_amounts')
    adjustment = fields.Function(Monetary(
            "Adjustment", currency='currency', digits='currency'),
        'get_amounts')
    final_amount = fields.Function(Monetary(
            "Final Amount", currency='currency', digits='currency'),
        'get_amounts')
    state = fields.Selection([
            ('draft', "Draft"),
            ('computed', "Computed"),
            ('approved', "Approved"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    approved_by = fields.Many2One('res.user', "Approved By", readonly=True)
    approved_at = fields.DateTime("Approved At", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('start_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'computed'),
            ('computed', 'computed'),
            ('computed', 'approved'),
            ('computed', 'draft'),
            ('draft', 'cancelled'),
            ('computed', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': ~Eval('state').in_(['draft', 'computed']),
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'computed']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(['computed', 'cancelled']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('scheme', 'start_date', 'end_date')
    def on_change_scheme(self):
        pool = Pool()
        Date = pool.get('ir.date')
        if self.scheme and not (self.start_date or self.end_date):
            # the last closed period: a run pays what was achieved
            start_date, _ = self.scheme.period_of(Date.today())
            self.start_date, self.end_date = self.scheme.period_of(
                start_date - dt.timedelta(days=1))

    @fields.depends('scheme', '_parent_scheme.currency')
    def on_change_with_currency(self, name=None):
        return self.scheme.currency if self.scheme else None

    @classmethod
    def get_amounts(cls, runs, names):
        result = {n: {} for n in names}
        for run in runs:
            for name in names:
                result[name][run.id] = sum(
                    (getattr(l, name) for l in run.lines), Decimal(0))
        return result

    def get_rec_name(self, name):
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        return '%s (%s – %s)' % (
            self.scheme.rec_name,
            lang.strftime(self.start_date), lang.strftime(self.end_date))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('scheme.rec_name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, runs, field_names):
        super().validate_fields(runs, field_names)
        if field_names & {'scheme', 'start_date', 'end_date', 'state'}:
            cls.check_period(runs)

    @classmethod
    def check_period(cls, runs):
        for run in runs:
            if run.start_date > run.end_date:
                raise ValidationError(gettext(
                        'crm_kpi.msg_run_dates', run=run.rec_name))
            if run.state == 'cancelled':
                continue
            others = cls.search([
                    ('id', '!=', run.id),
                    ('scheme', '=', run.scheme.id),
                    ('state', '!=', 'cancelled'),
                    ('start_date', '<=', run.end_date),
                    ('end_date', '>=', run.start_date),
                    ], limit=1)
            if others:
                other, = others
                raise ValidationError(gettext(
                        'crm_kpi.msg_run_overlap',
                        run=run.rec_name, other=other.rec_name))

    @classmethod
    def check_modification(cls, mode, runs, values=None, external=False):
        super().check_modification(
            mode, runs, values=values, external=external)
        if mode == 'write':
            for run in runs:
                if run.state == 'approved':
                    raise AccessError(gettext(
                            'crm_kpi.msg_run_approved', run=run.rec_name))
                if run.state != 'draft' and values.keys() & HEADER_FIELDS:
                    raise AccessError(gettext(
                            'crm_kpi.msg_run_modify_draft',
                            run=run.rec_name))
        elif mode == 'delete':
            for run in runs:
                if run.state not in {'draft', 'cancelled'}:
                    raise AccessError(gettext(
                            'crm_kpi.msg_run_delete', run=run.rec_name))

    @classmethod
    def copy(cls, runs, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lines', None)
        default.setdefault('base_amount', None)
        default.setdefault('approved_by', None)
        default.setdefault('approved_at', None)
        return super().copy(runs, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('computed')
    def compute(cls, runs):
        "Measure the scheme's KPIs for its employees and work out the bonuses"
        pool = Pool()
        Kpi = pool.get('crm.kpi')
        Line = pool.get('crm.bonus.run.line')
        # adjustments are HR's decisions, not figures: they survive
        adjustments = {
            (l.run.id, l.employee.id): (l.adjustment, l.adjustment_reason)
            for r in runs for l in r.lines}
        vlist, to_write = [], []
        for run in runs:
            scheme = run.scheme
            if not scheme.employees:
                raise ValidationError(gettext(
                        'crm_kpi.msg_run_no_employee',
                        run=run.rec_name, scheme=scheme.rec_name))
            measures = Kpi.measure(
                [l.kpi for l in scheme.lines], scheme.employees,
                run.start_date, run.end_date)
            for employee in scheme.employees:
                adjustment, reason = adjustments.get(
                    (run.id, employee.id), (Decimal(0), None))
                values = Line.computed_values(scheme, employee, measures)
                values.update({
                        'run': run.id,
                        'adjustment': adjustment,
                        'adjustment_reason': reason,
                        })
                vlist.append(values)
            to_write.extend(([run], {'base_amount': scheme.base_amount}))
        # the lines are the run's figures: the right to compute the run is
        # the right to replace them
        with without_check_access():
            Line.delete([l for r in runs for l in r.lines])
            Line.create(vlist)
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, runs):
        if runs:
            cls.write(runs, {
                    'approved_by': Transaction().user,
                    'approved_at': dt.datetime.now().replace(microsecond=0),
                    })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, runs):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, runs):
        pass


class RunLine(ModelSQL, ModelView):
    __name__ = 'crm.bonus.run.line'
    __string__ = "Bonus Run Line"
    _history = True
    _states = {
        'readonly': Eval('run_state') != 'computed',
        }

    run = fields.Many2One(
        'crm.bonus.run', "Run", required=True, ondelete='CASCADE',
        readonly=True)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, readonly=True)
    score = fields.Numeric(
        "Score", digits=(16, RATIO_DIGITS), readonly=True,
        help="Σ weight × counted achievement of the KPIs.")
    bonus_amount = Monetary(
        "Bonus Amount", currency='currency', digits='currency',
        readonly=True, help="Base amount × score.")
    adjustment = Monetary(
        "Adjustment", currency='currency', digits='currency', required=True,
        states=_states,
        help="Added to the bonus (or subtracted when negative); "
        "it needs a reason.")
    adjustment_reason = fields.Char(
        "Adjustment Reason", states=_states)
    final_amount = fields.Function(Monetary(
            "Final Amount", currency='currency', digits='currency',
            help="Bonus amount + adjustment: what payroll pays."),
        'on_change_with_final_amount')
    kpi_lines = fields.One2Many(
        'crm.bonus.run.kpi', 'line', "KPIs", readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    run_state = fields.Function(
        fields.Selection('get_run_states', "Run State"),
        'on_change_with_run_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('run')
        cls._order = [
            ('run', 'DESC'),
            ('employee', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def default_adjustment(cls):
        return Decimal(0)

    @fields.depends('bonus_amount', 'adjustment')
    def on_change_with_final_amount(self, name=None):
        return (self.bonus_amount or Decimal(0)) + (
            self.adjustment or Decimal(0))

    @fields.depends('run', '_parent_run.scheme')
    def on_change_with_currency(self, name=None):
        return self.run.currency if self.run else None

    @classmethod
    def get_run_states(cls):
        pool = Pool()
        Run = pool.get('crm.bonus.run')
        return Run.fields_get(['state'])['state']['selection']

    @fields.depends('run', '_parent_run.state')
    def on_change_with_run_state(self, name=None):
        return self.run.state if self.run else None

    def get_rec_name(self, name):
        return '%s / %s' % (self.run.rec_name, self.employee.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('run.rec_name', operator, operand, *extra),
            ('employee.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def computed_values(cls, scheme, employee, measures):
        """Return the values of the employee's line of the scheme with its
        KPI lines, from measures {kpi id: {employee id: value}}"""
        kpi_lines, weighted_scores = [], []
        for scheme_line in scheme.lines:
            kpi = scheme_line.kpi
            value = measures[kpi.id][employee.id]
            achievement = bonus_rule.achievement(
                value, scheme_line.target, kpi.direction)
            counted = bonus_rule.counted(
                achievement, scheme_line.threshold, scheme_line.cap)
            weighted_score = bonus_rule.weighted_score(
                scheme_line.weight, counted)
            weighted_scores.append(weighted_score)
            # the scheme may change later: the run keeps its own terms
            kpi_lines.append({
                    'kpi': kpi.id,
                    'direction': kpi.direction,
                    'value': value,
                    'target': scheme_line.target,
                    'weight': scheme_line.weight,
                    'threshold': scheme_line.threshold,
                    'cap': scheme_line.cap,
                    'achievement': achievement,
                    'counted': counted,
                    'weighted_score': weighted_score,
                    })
        score = bonus_rule.score(weighted_scores)
        return {
            'employee': employee.id,
            'score': score,
            'bonus_amount': bonus_rule.bonus_amount(
                scheme.base_amount, score, scheme.currency),
            'kpi_lines': [('create', kpi_lines)],
            }

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names & {'adjustment', 'adjustment_reason'}:
            for line in lines:
                if line.adjustment and not (
                        line.adjustment_reason
                        and line.adjustment_reason.strip()):
                    raise ValidationError(gettext(
                            'crm_kpi.msg_run_adjustment_reason',
                            line=line.rec_name))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        for line in lines:
            if line.run.state == 'approved':
                raise AccessError(gettext(
                        'crm_kpi.msg_run_line_approved',
                        run=line.run.rec_name))
            # the figures come from compute only, the user adjusts them
            if (mode == 'write' and external
                    and values.keys() - {'adjustment', 'adjustment_reason'}):
                raise AccessError(gettext(
                        'crm_kpi.msg_run_line_computed',
                        line=line.rec_name))


class RunKpi(ModelSQL, ModelView):
    __name__ = 'crm.bonus.run.kpi'
    __string__ = "Bonus Run KPI"
    _history = True

    line = fields.Many2One(
        'crm.bonus.run.line', "Line", required=True, ondelete='CASCADE',
        readonly=True)
    employee = fields.Function(
        fields.Many2One('company.employee', "Employee"),
        'on_change_with_employee')
    kpi = fields.Many2One('crm.kpi', "KPI", required=True, readonly=True)
    direction = fields.Selection(
        'get_directions', "Direction", required=True, readonly=True)
    unit = fields.Function(fields.Char("Unit"), 'on_change_with_unit')
    value = fields.Numeric(
        "Value", digits=(16, 2), readonly=True,
        help="The KPI measured over the run's period; "
        "empty when there is nothing to measure it on.")
    target = fields.Numeric("Target", digits=(16, 2), readonly=True)
    weight = fields.Numeric(
        "Weight", digits=(16, RATIO_DIGITS), readonly=True)
    threshold = fields.Numeric(
        "Threshold", digits=(16, RATIO_DIGITS), readonly=True)
    cap = fields.Numeric("Cap", digits=(16, RATIO_DIGITS), readonly=True)
    achievement = fields.Numeric(
        "Achievement", digits=(16, RATIO_DIGITS), readonly=True,
        help="Value ÷ target when higher is better, "
        "1 + (target − value) ÷ target (not below 0) when lower is better.")
    counted = fields.Numeric(
        "Counted Achievement", digits=(16, RATIO_DIGITS), readonly=True,
        help="0 below the threshold, the cap above the cap, "
        "else the achievement.")
    weighted_score = fields.Numeric(
        "Weighted Score", digits=(16, RATIO_DIGITS), readonly=True,
        help="Weight × counted achievement.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('line')
        cls._order = [
            ('line', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def get_directions(cls):
        pool = Pool()
        Kpi = pool.get('crm.kpi')
        return Kpi.fields_get(['direction'])['direction']['selection']

    @fields.depends('line', '_parent_line.employee')
    def on_change_with_employee(self, name=None):
        return self.line.employee if self.line else None

    @fields.depends('kpi')
    def on_change_with_unit(self, name=None):
        return self.kpi.unit if self.kpi else None

    def get_rec_name(self, name):
        return '%s / %s' % (self.line.rec_name, self.kpi.rec_name)

    @classmethod
    def check_modification(cls, mode, kpi_lines, values=None, external=False):
        super().check_modification(
            mode, kpi_lines, values=values, external=external)
        for kpi_line in kpi_lines:
            if kpi_line.line.run.state == 'approved':
                raise AccessError(gettext(
                        'crm_kpi.msg_run_line_approved',
                        run=kpi_line.line.run.rec_name))
