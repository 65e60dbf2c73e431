# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The sales plan as an XLSX workbook, one sheet per plan"
import io

import xlsxwriter
from babel.dates import format_date

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

# The columns of a sheet: the line's field and the kind of cell
COLUMNS = [
    ('employee', 'text'),
    ('sales_channel', 'text'),
    ('customer_category', 'text'),
    ('product_category', 'text'),
    ('target_amount', 'money'),
    ('actual_amount', 'money'),
    ('achievement', 'percent'),
    ]


class SalesPlanXlsx(Report):
    "Written with xlsxwriter: no office suite needed to convert"
    __name__ = 'crm.sales.plan.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Line = pool.get('crm.sales.plan.line')
        Plan = pool.get('crm.sales.plan')
        language = Transaction().language or 'en'
        labels = {n: f['string'] for n, f in Line.fields_get(
                    [c for c, _ in COLUMNS]).items()}
        state_labels = dict(
            Plan.fields_get(['state'])['state']['selection'])

        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {'in_memory': True})
        bold = workbook.add_format({'bold': True})
        title = workbook.add_format({'bold': True, 'font_size': 14})
        heading = workbook.add_format({
                'bold': True, 'text_wrap': True, 'bottom': 1})
        percent = workbook.add_format({'num_format': '0.0%'})
        sheet_names = set()
        for plan in records:
            currency = plan.company.currency
            # Excel renders the grouping and the decimal mark of the reader's
            # locale: "1 234 567,89 ₽" in Russian
            digits = '0' * currency.digits
            money_format = '#,##0%s "%s"' % (
                '.' + digits if digits else '', currency.symbol)
            money = workbook.add_format({'num_format': money_format})
            money_bold = workbook.add_format(
                {'num_format': money_format, 'bold': True, 'top': 1})
            percent_bold = workbook.add_format(
                {'num_format': '0.0%', 'bold': True, 'top': 1})

            sheet = workbook.add_worksheet(
                cls._sheet_name(plan.name, sheet_names))
            sheet.write(0, 0, plan.name, title)
            sheet.write(1, 0, '%s – %s, %s' % (
                    format_date(plan.start_date, 'long', locale=language),
                    format_date(plan.end_date, 'long', locale=language),
                    state_labels[plan.state]))
            sheet.write(2, 0, plan.company.rec_name)
            top = 4
            for column, (name, _) in enumerate(COLUMNS):
                sheet.write(top, column, labels[name], heading)
            row = top
            for row, line in enumerate(plan.lines, top + 1):
                for column, (name, kind) in enumerate(COLUMNS):
                    value = getattr(line, name)
                    if kind == 'text':
                        sheet.write(row, column, value.rec_name if value
                            else '')
                    elif kind == 'money':
                        sheet.write_number(
                            row, column, float(value or 0), money)
                    elif value is not None:
                        sheet.write_number(row, column, value, percent)
            total = row + 1
            sheet.write(
                total, 0, gettext('crm_sales.msg_sales_plan_total'), bold)
            sheet.write_number(total, 4, float(plan.target_amount), money_bold)
            sheet.write_number(total, 5, float(plan.actual_amount), money_bold)
            if plan.achievement is not None:
                sheet.write_number(total, 6, plan.achievement, percent_bold)
            sheet.set_column(0, 3, 28)
            sheet.set_column(4, 5, 18)
            sheet.set_column(6, 6, 12)
            sheet.freeze_panes(top + 1, 1)
            sheet.autofilter(top, 0, max(row, top), len(COLUMNS) - 1)
        workbook.close()
        return 'xlsx', output.getvalue()

    @staticmethod
    def _sheet_name(name, used):
        "Return a unique sheet name Excel accepts"
        for char in '[]:*?/\\':
            name = name.replace(char, ' ')
        name = base = name[:31] or '-'
        index = 1
        while name.lower() in used:
            index += 1
            suffix = ' (%d)' % index
            name = base[:31 - len(suffix)] + suffix
        used.add(name.lower())
        return name
