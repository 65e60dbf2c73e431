# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The quarterly sales plans (S6): the last quarter closed, the current one
confirmed and the next one in draft, with targets near what each
salesperson sells"""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

# (quarter offset from the current one, state)
PLANS = [
    (-1, 'closed'),
    (0, 'confirmed'),
    (1, 'draft'),
    ]


def quarter_start(date):
    return dt.date(date.year, 3 * ((date.month - 1) // 3) + 1, 1)


def plan_name(start):
    return "План продаж, %d квартал %d" % ((start.month - 1) // 3 + 1,
        start.year)


def create_sales_plans(demo):
    rng = demo.random
    product_categories = dict(zip(
            ["Кондиционеры", "Вентиляция"],
            demo.search('product.category', [
                    ('name', 'in', ["Кондиционеры", "Вентиляция"]),
                    ], order=[('name', 'DESC')])))
    current = quarter_start(demo.today)
    previous_actual = {}
    for offset, state in PLANS:
        start = current + relativedelta(months=3 * offset)
        end = start + relativedelta(months=3, days=-1)
        lines = []
        for index, employee in enumerate(demo.salespeople):
            lines.append({'employee': employee.id})
            # a few salespeople get targets on a channel or a range as well
            if index % 4 == 1:
                lines.append({'employee': employee.id,
                        'sales_channel': demo.channels['dealer']})
            if index % 4 == 2:
                lines.append({'employee': employee.id,
                        'customer_category': demo.categories["VIP"]})
            if index % 4 == 3:
                lines.append({'employee': employee.id,
                        'product_category': rng.choice(
                            list(product_categories.values()))})
        for sequence, line in enumerate(lines, 1):
            line['sequence'] = sequence
            line['target_amount'] = Decimal(0)
        plan_id, = demo.create('crm.sales.plan', [{
                    'name': plan_name(start),
                    'company': demo.company.id,
                    'start_date': start,
                    'end_date': end,
                    'lines': [('create', lines)],
                    }])
        line_ids = demo.search(
            'crm.sales.plan.line', [('plan', '=', plan_id)],
            order=[('sequence', 'ASC')])
        actuals = demo.read(
            'crm.sales.plan.line', line_ids, ['actual_amount', 'employee',
                'sales_channel', 'customer_category', 'product_category'])
        targets = {}
        for line in actuals:
            key = (line['employee'], line['sales_channel'],
                line['customer_category'], line['product_category'])
            if offset < 0:
                # the closed quarter: targets around what was sold
                basis = line['actual_amount'] * Decimal(
                    rng.uniform(0.8, 1.25))
            else:
                # growth on the closed quarter
                basis = previous_actual.get(key, line['actual_amount']) * (
                    Decimal('1.1') + Decimal(offset) / 20)
                previous_actual[key] = line['actual_amount'] or basis
            # in round tens of thousands, as planners write them
            target = (max(basis, Decimal(100000)) / 10000).quantize(
                Decimal(1)) * 10000
            targets[line['id']] = {'target_amount': target}
        demo.write('crm.sales.plan.line', targets)
        if state in {'confirmed', 'closed'}:
            demo.click('crm.sales.plan', [plan_id], 'confirm')
        if state == 'closed':
            demo.click('crm.sales.plan', [plan_id], 'close')
