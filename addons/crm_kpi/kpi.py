# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .kpi_measure import KpiMeasureMixin

KINDS = [
    ('revenue_invoiced', "Invoiced Revenue"),
    ('revenue_paid', "Paid Revenue"),
    ('gross_margin', "Gross Margin"),
    ('new_customers', "New Customers"),
    ('contracts_extended', "Contracts Extended"),
    ('contracts_terminated', "Contracts Terminated"),
    ('feedback_rating', "Customer Feedback"),
    ('activities_done', "Activities Done"),
    ('contact_compliance', "Contact Compliance"),
    ('win_rate', "Win Rate"),
    ]


# The kinds that are a ratio: without basis they have no value, not zero
RATIO_KINDS = {'feedback_rating', 'contact_compliance', 'win_rate'}


class Kpi(KpiMeasureMixin, DeactivableMixin, ModelSQL, ModelView):
    "A measure of a salesperson's work over a period (K1)"
    __name__ = 'crm.kpi'
    __string__ = "KPI"

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    kind = fields.Selection(
        KINDS, "Kind", required=True, sort=False,
        help="What is measured; each kind is computed for all the "
        "employees of a period by one query.")
    direction = fields.Selection([
            ('higher', "Higher is Better"),
            ('lower', "Lower is Better"),
            ], "Direction", required=True,
        help="Whether reaching above the target is good (revenue) "
        "or bad (terminated contracts).")
    unit = fields.Char(
        "Unit", translate=True,
        help="How the value reads: ₽, customers, %, points…")
    description = fields.Text("Description", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code), 'crm_kpi.msg_kpi_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    @classmethod
    def default_direction(cls):
        return 'higher'

    @classmethod
    def measure(cls, kpis, employees, start_date, end_date):
        """Return {kpi id: {employee id: value}} of the kpis for every
        employee over the period from start_date to end_date included

        Money is in the company's currency, counts are whole, the feedback
        is the average rating and compliance and win rate are percents, all
        Decimal rounded to 0.01. A count or amount without data is 0, a ratio
        without basis None. Each kind runs one query per company of the
        employees, whoever asks: callers decide who sees the values."""
        if start_date > end_date:
            raise ValidationError(gettext(
                    'crm_kpi.msg_kpi_measure_dates',
                    start_date=start_date, end_date=end_date))
        kinds = {k.kind for k in kpis}
        values = {kind: {} for kind in kinds}
        companies = defaultdict(list)
        with without_check_access():
            for employee in employees:
                companies[employee.company.id].append(employee.id)
            for company_id, employee_ids in companies.items():
                with Transaction().set_context(company=company_id):
                    for kind in kinds:
                        measure = getattr(cls, '_measure_%s' % kind)
                        for sub_ids in grouped_slice(
                                employee_ids, backend.MAX_QUERY_PARAMS):
                            values[kind].update(measure(
                                    list(sub_ids), start_date, end_date))

        def value(kind, employee):
            if kind in RATIO_KINDS:
                return values[kind].get(employee.id)
            return values[kind].get(employee.id, Decimal(0))
        return {k.id: {e.id: value(k.kind, e) for e in employees}
            for k in kpis}
