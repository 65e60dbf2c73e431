# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Sales plan actuals (S6): 500 plan lines over every salesperson, channel,
customer and product category, read as the plan's list shows them, against
one hand-written query summing the same invoice lines"""
import datetime as dt
import itertools
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from .harness import Benchmark

LINES = 500

BASELINE = '''
WITH RECURSIVE customer_tree (ancestor, category) AS (
    SELECT id, id FROM party_category
    UNION SELECT t.ancestor, c.id FROM party_category AS c
        JOIN customer_tree AS t ON c.parent = t.category),
product_tree (ancestor, category) AS (
    SELECT id, id FROM product_category
    UNION SELECT t.ancestor, c.id FROM product_category AS c
        JOIN product_tree AS t ON c.parent = t.category)
SELECT pl.id, SUM(CAST(il.quantity AS NUMERIC) * il.unit_price)
FROM crm_sales_plan_line AS pl
JOIN crm_sales_plan AS p ON p.id = pl.plan
JOIN account_invoice_line AS il ON il.salesperson = pl.employee
JOIN account_invoice AS i ON i.id = il.invoice
JOIN party_party AS party ON party.id = i.party
WHERE pl.plan = {plan}
    AND il.type = 'line' AND i.type = 'out'
    AND i.state IN ('posted', 'paid') AND i.company = p.company
    AND i.invoice_date BETWEEN p.start_date AND p.end_date
    AND (pl.sales_channel IS NULL OR party.sales_channel = pl.sales_channel)
    AND (pl.customer_category IS NULL OR EXISTS (
        SELECT 1 FROM "party_party-party_category" AS r
        JOIN customer_tree AS t ON t.category = r.category
        WHERE r.party = party.id AND t.ancestor = pl.customer_category))
    AND (pl.product_category IS NULL OR EXISTS (
        SELECT 1 FROM product_product AS pp
        JOIN "product_template-product_category" AS r
            ON r.template = pp.template
        JOIN product_tree AS t ON t.category = r.category
        WHERE pp.id = il.product AND t.ancestor = pl.product_category))
GROUP BY pl.id, i.currency
'''


def create_plan():
    "Create the plan of the last 12 months with its lines, return its id"
    pool = Pool()
    Employee = pool.get('company.employee')
    Channel = pool.get('crm.sales.channel')
    PartyCategory = pool.get('party.category')
    ProductCategory = pool.get('product.category')
    Plan = pool.get('crm.sales.plan')
    Line = pool.get('crm.sales.plan.line')
    Date = pool.get('ir.date')

    today = Date.today()
    dimensions = itertools.product(
        Employee.search([]),
        [None] + Channel.search([]),
        [None] + PartyCategory.search([]),
        [None] + ProductCategory.search([('accounting', '=', False)]))
    plan, = Plan.create([{
                'name': "Benchmark",
                'start_date': today - dt.timedelta(days=365),
                'end_date': today,
                }])
    Line.create([{
                'plan': plan.id,
                'employee': employee.id,
                'sales_channel': channel.id if channel else None,
                'customer_category': customer.id if customer else None,
                'product_category': product.id if product else None,
                'target_amount': Decimal(1000000),
                } for employee, channel, customer, product in
            itertools.islice(itertools.cycle(list(dimensions)), LINES)])
    return plan.id


def read_actuals(plan_id):
    "Read the figures as the list of the plan's lines does"
    pool = Pool()
    Line = pool.get('crm.sales.plan.line')
    lines = Line.search([('plan', '=', plan_id)])
    return Line.read([l.id for l in lines],
        ['employee', 'target_amount', 'actual_amount', 'achievement'])


def baseline(plan_id):
    cursor = Transaction().connection.cursor()
    cursor.execute(BASELINE.format(plan=int(plan_id)))
    return cursor.fetchall()


def benchmarks():
    return [
        Benchmark(
            name="sales plan actuals",
            size=f"{LINES} plan lines, 12 months",
            setup=create_plan,
            ours=read_actuals,
            baseline=baseline,
            limit=2.0),
        ]
