# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The in-period progress of the salespeople towards the targets of their
bonus schemes (K4): stored rows refreshed by a daily cron or on request, so
that reading them never runs the KPI queries"""
import datetime as dt

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import StateTransition, Wizard

from .bonus_rule import achievement
from .kpi import RATIO_KINDS


class Progress(ModelSQL, ModelView):
    "Where a salesperson stands against a target of the current period"
    __name__ = 'crm.kpi.progress'
    __string__ = "KPI Progress"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    scheme = fields.Many2One(
        'crm.bonus.scheme', "Bonus Scheme", required=True, readonly=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, readonly=True,
        ondelete='CASCADE')
    kpi = fields.Many2One(
        'crm.kpi', "KPI", required=True, readonly=True, ondelete='CASCADE')
    start_date = fields.Date("Start Date", required=True, readonly=True)
    end_date = fields.Date("End Date", required=True, readonly=True)
    value = fields.Numeric(
        "Value", digits=(16, 2), readonly=True,
        help="The KPI from the start of the period to the refresh.\n"
        "Empty when there is nothing to measure yet "
        "(no rating, no closed opportunity…).")
    target = fields.Numeric("Target", digits=(16, 2), readonly=True)
    unit = fields.Function(fields.Char("Unit"), 'on_change_with_unit')
    achievement = fields.Float(
        "Achievement", digits=(16, 4), readonly=True,
        help="Value ÷ target when higher is better, "
        "1 + (target − value) ÷ target (not below 0) when lower is better: "
        "the rule of the bonus runs.")
    elapsed = fields.Float(
        "Period Elapsed", digits=(16, 4), readonly=True,
        help="The share of the days of the period passed at the refresh.")
    expected = fields.Float(
        "Expected", digits=(16, 4), readonly=True,
        help="The achievement needed by now to meet the target "
        "at the same pace: the elapsed share for totals, "
        "2 − the elapsed share for totals where lower is better "
        "and 100 % for averages and shares.")
    status = fields.Selection([
            ('on_track', "On Track"),
            ('lagging', "Lagging"),
            ('no_data', "No Data"),
            ], "Status", readonly=True, sort=False,
        help="On track when the achievement reaches the expected one.")
    refreshed_at = fields.DateTime("Refreshed At", readonly=True)
    kpi_count = fields.Function(
        fields.Integer("KPIs", help="1 on each row: graphs count with it."),
        'get_kpi_count')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                # the salesperson's rule reads by employee
                Index(t, (t.employee, Index.Range())),
                # the refresh replaces the rows of schemes
                Index(t, (t.scheme, Index.Range())),
                })
        cls._order = [
            ('employee', 'ASC'),
            ('kpi', 'ASC'),
            ('id', 'ASC'),
            ]

    def get_rec_name(self, name):
        return self.kpi.rec_name

    @classmethod
    def get_kpi_count(cls, records, name):
        return {r.id: 1 for r in records}

    @fields.depends('kpi')
    def on_change_with_unit(self, name=None):
        if self.kpi:
            return self.kpi.unit

    @classmethod
    def view_attributes(cls):
        status_colour = If(Eval('status') == 'on_track', 'success',
            If(Eval('status') == 'lagging', 'danger', ''))
        return super().view_attributes() + [
            ('/tree/field[@name="status"]', 'visual', status_colour),
            ('/tree/field[@name="achievement"]', 'visual', status_colour),
            ('//graph//field[@key="on_track"]', 'domain',
                Eval('status') == 'on_track'),
            ('//graph//field[@key="lagging"]', 'domain',
                Eval('status') == 'lagging'),
            ]

    @classmethod
    @without_check_access
    def refresh(cls, schemes=None, date=None):
        """Replace the progress rows of schemes by those of their period
        holding date (today by default)

        The schemes are by default the active ones of the context company,
        or of every company without one (the cron of no company). It runs
        without access checks: the salespeople and their managers may not
        read the schemes, the rows carry the targets they may see."""
        pool = Pool()
        Scheme = pool.get('crm.bonus.scheme')
        if schemes is None:
            company_id = Transaction().context.get('company')
            domain = []
            if company_id is not None:
                domain.append(('company', '=', company_id))
            schemes = Scheme.search(domain)
            # also drops the rows of the schemes deactivated since
            old = cls.search(domain)
        else:
            old = cls.search([('scheme', 'in', [s.id for s in schemes])])
        refreshed_at = dt.datetime.now().replace(microsecond=0)
        rows = []
        for scheme in schemes:
            rows.extend(cls._scheme_progress(scheme, date, refreshed_at))
        cls.delete(old)
        cls.save(rows)
        return rows

    @classmethod
    def _scheme_progress(cls, scheme, date, refreshed_at):
        "Yield the unsaved rows of scheme for its period containing date"
        pool = Pool()
        Date = pool.get('ir.date')
        Kpi = pool.get('crm.kpi')
        with Transaction().set_context(company=scheme.company.id):
            if date is None:
                date = Date.today()
            start_date, end_date = scheme.period_of(date)
            lines = [l for l in scheme.lines if l.kpi]
            employees = list(scheme.employees)
            if not lines or not employees:
                return
            values = Kpi.measure(
                list({l.kpi for l in lines}), employees,
                start_date, min(date, end_date))
        elapsed = (
            ((min(date, end_date) - start_date).days + 1)
            / ((end_date - start_date).days + 1))
        for employee in employees:
            for line in lines:
                value = values[line.kpi.id][employee.id]
                yield cls._progress(
                    scheme, employee, line, start_date, end_date, value,
                    elapsed, refreshed_at)

    @classmethod
    def _progress(
            cls, scheme, employee, line, start_date, end_date, value,
            elapsed, refreshed_at):
        kpi = line.kpi
        expected = round(cls._expected(kpi, elapsed), 4)
        achieved = achievement(value, line.target, kpi.direction)
        if achieved is None:
            status = 'no_data'
        else:
            achieved = float(achieved)
            status = 'on_track' if achieved >= expected else 'lagging'
        return cls(
            company=scheme.company, scheme=scheme, employee=employee,
            kpi=kpi, start_date=start_date, end_date=end_date,
            value=value, target=line.target, achievement=achieved,
            elapsed=round(elapsed, 4), expected=expected,
            status=status, refreshed_at=refreshed_at)

    @classmethod
    def _expected(cls, kpi, elapsed):
        """Return the achievement at which the KPI, kept at its pace until
        the end of the period, meets its target"""
        if kpi.kind in RATIO_KINDS:
            # an average or a share is no total growing through the period
            return 1
        elif kpi.direction == 'lower':
            # value ≤ target × elapsed, by the rule of lower is better
            return 2 - elapsed
        else:
            return elapsed


class Refresh(Wizard):
    "Recompute the KPI progress of the current periods now"
    __name__ = 'crm.kpi.progress.refresh'
    start = StateTransition()

    def transition_start(self):
        pool = Pool()
        Progress = pool.get('crm.kpi.progress')
        Progress.refresh()
        return 'end'

    def end(self):
        return 'reload'


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_context(cls, model_name):
        pool = Pool()
        User = pool.get('res.user')
        context = super()._get_context(model_name)
        if model_name == 'crm.kpi.progress':
            context['employees'] = User.get_employees()
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        pool = Pool()
        User = pool.get('res.user')
        key = super()._get_cache_key(model_names)
        if 'crm.kpi.progress' in model_names:
            key = (*key, User.get_employees())
        return key


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('crm.kpi.progress|refresh', "Refresh KPI Progress"))
