# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Bonus schemes (K2): who is covered, per which period, and how KPIs weigh"
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .bonus_rule import RATIO_DIGITS

# The months each period kind spans
PERIOD_MONTHS = {
    'month': 1,
    'quarter': 3,
    'year': 12,
    }


class Scheme(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'crm.bonus.scheme'
    __string__ = "Bonus Scheme"

    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True,
        help="The currency of the base amount and of the bonuses.")
    period_kind = fields.Selection([
            ('month', "Month"),
            ('quarter', "Quarter"),
            ('year', "Year"),
            ], "Period", required=True, sort=False,
        help="The calendar period a bonus run covers.")
    base_amount = Monetary(
        "Base Amount", currency='currency', digits='currency', required=True,
        help="The bonus paid for a score of 100 %.")
    employees = fields.Many2Many(
        'crm.bonus.scheme-company.employee', 'scheme', 'employee',
        "Employees",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The employees the scheme covers.")
    lines = fields.One2Many(
        'crm.bonus.scheme.line', 'scheme', "Lines",
        help="The KPIs that make the score; their weights total 100 %.")
    weight_total = fields.Function(
        fields.Numeric("Total Weight", digits=(16, RATIO_DIGITS)),
        'on_change_with_weight_total')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company_id = cls.default_company()
        if company_id is not None and company_id >= 0:
            return Company(company_id).currency.id

    @classmethod
    def default_period_kind(cls):
        return 'quarter'

    @fields.depends('company', 'currency')
    def on_change_company(self):
        if self.company and not self.currency:
            self.currency = self.company.currency

    @fields.depends('lines')
    def on_change_with_weight_total(self, name=None):
        return sum(
            (l.weight or Decimal(0) for l in self.lines or []), Decimal(0))

    def period_of(self, date):
        "Return the first and last days of the scheme's period holding date"
        months = PERIOD_MONTHS[self.period_kind]
        month = (date.month - 1) // months * months + 1
        start_date = dt.date(date.year, month, 1)
        end_date = start_date + relativedelta(months=months, days=-1)
        return start_date, end_date

    @classmethod
    def current_period_schemes(cls, date=None):
        """Return the active schemes of the companies of the context with
        the first and last days of their period holding date (today)"""
        pool = Pool()
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        return [(s, *s.period_of(date)) for s in cls.search([])]

    @classmethod
    def validate_fields(cls, schemes, field_names):
        super().validate_fields(schemes, field_names)
        if field_names & {'base_amount'}:
            for scheme in schemes:
                if scheme.base_amount < 0:
                    raise ValidationError(gettext(
                            'crm_kpi.msg_scheme_base_amount_negative',
                            scheme=scheme.rec_name))
        # the lines are edited with their scheme, which is validated once
        # they are all written
        if field_names & {'lines'}:
            cls.check_weights(schemes)

    @classmethod
    def check_weights(cls, schemes):
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        for scheme in schemes:
            total = scheme.on_change_with_weight_total()
            if total != 1:
                raise ValidationError(gettext(
                        'crm_kpi.msg_scheme_weights',
                        scheme=scheme.rec_name,
                        total=lang.format_number(total * 100, digits=2)))


class SchemeEmployee(ModelSQL):
    __name__ = 'crm.bonus.scheme-company.employee'
    __string__ = "Bonus Scheme - Employee"

    scheme = fields.Many2One(
        'crm.bonus.scheme', "Scheme", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('scheme')
        t = cls.__table__()
        cls._sql_constraints = [
            ('scheme_employee_unique', Unique(t, t.scheme, t.employee),
                'crm_kpi.msg_scheme_employee_unique'),
            ]


class SchemeLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'crm.bonus.scheme.line'
    __string__ = "Bonus Scheme Line"

    scheme = fields.Many2One(
        'crm.bonus.scheme', "Scheme", required=True, ondelete='CASCADE')
    kpi = fields.Many2One('crm.kpi', "KPI", required=True)
    direction = fields.Function(
        fields.Selection('get_directions', "Direction"),
        'on_change_with_direction')
    unit = fields.Function(
        fields.Char("Unit"), 'on_change_with_unit')
    weight = fields.Numeric(
        "Weight", digits=(16, RATIO_DIGITS), required=True,
        help="The share of the score the KPI makes; "
        "the weights of a scheme total 100 %.")
    target = fields.Numeric(
        "Target", digits=(16, 2), required=True,
        help="The value that achieves 100 % over the period, "
        "in the KPI's unit.")
    threshold = fields.Numeric(
        "Threshold", digits=(16, RATIO_DIGITS), required=True,
        help="An achievement below the threshold counts 0.")
    cap = fields.Numeric(
        "Cap", digits=(16, RATIO_DIGITS),
        help="An achievement above the cap counts the cap; "
        "leave empty for no cap.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('scheme')
        t = cls.__table__()
        cls._sql_constraints = [
            ('scheme_kpi_unique', Unique(t, t.scheme, t.kpi),
                'crm_kpi.msg_scheme_line_kpi_unique'),
            ]

    @classmethod
    def default_threshold(cls):
        return Decimal(0)

    @classmethod
    def get_directions(cls):
        pool = Pool()
        Kpi = pool.get('crm.kpi')
        return Kpi.fields_get(['direction'])['direction']['selection']

    @fields.depends('kpi')
    def on_change_with_direction(self, name=None):
        return self.kpi.direction if self.kpi else None

    @fields.depends('kpi')
    def on_change_with_unit(self, name=None):
        return self.kpi.unit if self.kpi else None

    def get_rec_name(self, name):
        return '%s / %s' % (self.scheme.rec_name, self.kpi.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('scheme.rec_name', operator, operand, *extra),
            ('kpi.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def validate_fields(cls, lines, field_names):
        pool = Pool()
        Lang = pool.get('ir.lang')
        super().validate_fields(lines, field_names)
        if field_names & {'target'}:
            for line in lines:
                if line.target <= 0:
                    raise ValidationError(gettext(
                            'crm_kpi.msg_scheme_line_target',
                            line=line.rec_name))
        if field_names & {'weight', 'threshold', 'cap'}:
            lang = Lang.get()
            for line in lines:
                for name in ['weight', 'threshold', 'cap']:
                    value = getattr(line, name)
                    if value is not None and value < 0:
                        raise ValidationError(gettext(
                                'crm_kpi.msg_scheme_line_negative',
                                line=line.rec_name,
                                field=cls.__names__(name)['field']))
                if line.cap is not None and line.threshold > line.cap:
                    raise ValidationError(gettext(
                            'crm_kpi.msg_scheme_line_threshold_cap',
                            line=line.rec_name,
                            threshold=lang.format_number(
                                line.threshold * 100, digits=2),
                            cap=lang.format_number(line.cap * 100, digits=2)))
