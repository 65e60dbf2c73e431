# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields

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


class Kpi(DeactivableMixin, ModelSQL, ModelView):
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
