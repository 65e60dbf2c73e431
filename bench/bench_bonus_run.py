# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""KPI bonus run (K1, K3): 500 salespeople over the last quarter of the data,
the run computed as HR computes it (values, achievements, scores, bonuses
and their records), against one hand-written query giving the same KPI
values.

The demo has a handful of salespeople: the setup (untimed, rolled back)
adds employees up to 500 and spreads the invoice lines, the customers, the
activities and the opportunities over them by id."""
import datetime as dt
from decimal import Decimal

from sql import Column, Null

from trytond.pool import Pool
from trytond.transaction import Transaction

from .harness import Benchmark

SALESPEOPLE = 500
# The kinds the baseline computes; paid revenue and contact compliance
# have their own benchmarks with the payment and contact-rule data
KINDS = [
    'revenue_invoiced', 'gross_margin', 'new_customers',
    'contracts_extended', 'contracts_terminated', 'feedback_rating',
    'activities_done', 'win_rate']

BASELINE = '''
WITH revenue AS (
    SELECT il.salesperson AS employee,
        SUM(ROUND(CAST(il.quantity AS NUMERIC) * il.unit_price, 2)) AS amount,
        SUM(ROUND(CAST(il.quantity AS NUMERIC) * il.unit_price, 2)
            - CAST(il.quantity AS NUMERIC) * COALESCE(cp.cost_price, 0))
            AS margin
    FROM account_invoice_line AS il
    JOIN account_invoice AS i ON i.id = il.invoice
    LEFT JOIN product_cost_price AS cp
        ON cp.product = il.product AND cp.company = i.company
    WHERE i.type = 'out' AND i.state IN ('posted', 'paid')
        AND il.type = 'line' AND i.company = {company}
        AND i.invoice_date BETWEEN '{start}' AND '{end}'
    GROUP BY il.salesperson),
firsts AS (
    SELECT i.party, MIN(i.invoice_date) AS date
    FROM account_invoice AS i
    WHERE i.type = 'out' AND i.state IN ('posted', 'paid')
        AND i.company = {company}
    GROUP BY i.party),
new_customers AS (
    SELECT il.salesperson AS employee, COUNT(DISTINCT f.party) AS number
    FROM firsts AS f
    JOIN account_invoice AS i ON i.party = f.party AND i.invoice_date = f.date
    JOIN account_invoice_line AS il ON il.invoice = i.id
    WHERE f.date BETWEEN '{start}' AND '{end}'
        AND i.type = 'out' AND i.state IN ('posted', 'paid')
        AND il.type = 'line'
    GROUP BY il.salesperson),
contracts AS (
    SELECT p.account_manager AS employee,
        SUM(CASE WHEN s.renewal_date BETWEEN '{start}' AND '{end}'
            AND EXISTS (SELECT 1 FROM sale_subscription AS r
                WHERE r.renewal_of = s.id AND r.state != 'cancelled')
            THEN 1 ELSE 0 END) AS extended,
        SUM(CASE WHEN s.terminated_date BETWEEN '{start}' AND '{end}'
            THEN 1 ELSE 0 END) AS terminated
    FROM sale_subscription AS s
    JOIN party_party AS p ON p.id = s.party
    WHERE s.company = {company}
    GROUP BY p.account_manager),
feedback AS (
    SELECT p.account_manager AS employee, AVG(r.rating) AS rating
    FROM crm_service_request AS r
    JOIN party_party AS p ON p.id = r.party
    WHERE r.company = {company} AND r.rating IS NOT NULL
        AND r.resolved_at >= '{start}' AND r.resolved_at < '{after}'
    GROUP BY p.account_manager),
activities AS (
    SELECT a.employee, COUNT(a.id) AS number
    FROM crm_activity AS a
    WHERE a.company = {company} AND a.state = 'done'
        AND a.done_date >= '{start}' AND a.done_date < '{after}'
    GROUP BY a.employee),
wins AS (
    SELECT o.employee,
        100.0 * SUM(CASE WHEN o.state = 'won' THEN 1 ELSE 0 END)
            / COUNT(o.id) AS rate
    FROM sale_opportunity AS o
    WHERE o.company = {company} AND o.state IN ('won', 'lost')
        AND o.end_date BETWEEN '{start}' AND '{end}'
    GROUP BY o.employee)
SELECT e.id, revenue.amount, revenue.margin, new_customers.number,
    contracts.extended, contracts.terminated, feedback.rating,
    activities.number, wins.rate
FROM company_employee AS e
LEFT JOIN revenue ON revenue.employee = e.id
LEFT JOIN new_customers ON new_customers.employee = e.id
LEFT JOIN contracts ON contracts.employee = e.id
LEFT JOIN feedback ON feedback.employee = e.id
LEFT JOIN activities ON activities.employee = e.id
LEFT JOIN wins ON wins.employee = e.id
WHERE e.id IN ({employees})
'''


def last_quarter():
    "Return the first and last day of the last quarter closed"
    today = Pool().get('ir.date').today()
    start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = start - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end


def spread(employee_ids):
    "Give the documents of the data to the employees, round robin by id"
    cursor = Transaction().connection.cursor()
    first, number = employee_ids[0], len(employee_ids)
    # the employees are created in one batch: their ids follow each other
    if employee_ids != list(range(first, first + number)):
        raise RuntimeError("the employees' ids are not consecutive")
    for name, column in [
            ('account.invoice.line', 'salesperson'),
            ('party.party', 'account_manager'),
            ('crm.activity', 'employee'),
            ('sale.opportunity', 'employee'),
            ]:
        table = Pool().get(name).__table__()
        cursor.execute(*table.update(
                [Column(table, column)], [(table.id % number) + first],
                where=Column(table, column) != Null))


def create_run():
    """Create the salespeople, the scheme of the KPIs and its draft run of the
    last quarter, return (run id, employee ids, period)"""
    pool = Pool()
    Employee = pool.get('company.employee')
    Kpi = pool.get('crm.kpi')
    Party = pool.get('party.party')
    Run = pool.get('crm.bonus.run')
    Scheme = pool.get('crm.bonus.scheme')
    company_id = Transaction().context['company']

    parties = Party.create([
            {'name': "Benchmark %03d" % i} for i in range(SALESPEOPLE)])
    employees = Employee.create([
            {'party': p.id, 'company': company_id} for p in parties])
    employee_ids = [e.id for e in employees]
    spread(employee_ids)
    kpis = {k.kind: k for k in Kpi.search([('kind', 'in', KINDS)])}
    weight = Decimal(1) / len(KINDS)
    scheme, = Scheme.create([{
                'name': "Benchmark",
                'period_kind': 'quarter',
                'base_amount': Decimal(50000),
                'employees': [('add', employee_ids)],
                'lines': [('create', [{
                                'kpi': kpis[kind].id,
                                'weight': weight,
                                'target': Decimal(10),
                                'threshold': Decimal(0),
                                'cap': Decimal('1.5'),
                                } for kind in KINDS])],
                }])
    start, end = last_quarter()
    run, = Run.create([{
                'scheme': scheme.id,
                'start_date': start,
                'end_date': end,
                }])
    return run.id, employee_ids, (start, end)


def compute_run(state):
    run_id, _, _ = state
    Run = Pool().get('crm.bonus.run')
    Run.compute([Run(run_id)])


def measure_kpis(state):
    "Only the KPI values of the run: the queries, without the records"
    run_id, _, (start, end) = state
    pool = Pool()
    Kpi = pool.get('crm.kpi')
    Run = pool.get('crm.bonus.run')
    scheme = Run(run_id).scheme
    Kpi.measure([l.kpi for l in scheme.lines], scheme.employees, start, end)


def baseline(state):
    _, employee_ids, (start, end) = state
    cursor = Transaction().connection.cursor()
    cursor.execute(BASELINE.format(
            employees=','.join(map(str, employee_ids)),
            company=int(Transaction().context['company']),
            start=start.isoformat(), end=end.isoformat(),
            after=(end + dt.timedelta(days=1)).isoformat()))
    return cursor.fetchall()


def benchmarks():
    return [
        Benchmark(
            name="KPI bonus run",
            size=f"{SALESPEOPLE} salespeople × {len(KINDS)} KPIs, a quarter",
            setup=create_run,
            ours=compute_run,
            baseline=baseline,
            limit=2.0),
        Benchmark(
            name="KPI bonus run: the KPI values",
            size=f"{SALESPEOPLE} salespeople × {len(KINDS)} KPIs, a quarter",
            setup=create_run,
            ours=measure_kpis,
            baseline=baseline,
            limit=2.0),
        ]
