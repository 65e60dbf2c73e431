# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The bonus run as an XLSX workbook for payroll, one sheet per run"
import io

import xlsxwriter
from babel.dates import format_date

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

# The KPI kinds counting things: their values are whole
COUNT_KINDS = {
    'new_customers', 'contracts_extended', 'contracts_terminated',
    'activities_done'}
# The columns of each KPI: the field of the KPI line and the kind of cell
KPI_COLUMNS = [
    ('value', 'value'),
    ('achievement', 'percent'),
    ('weighted_score', 'percent'),
    ]
# The columns after the KPIs: the field of the run line and the kind of cell
LINE_COLUMNS = [
    ('score', 'percent'),
    ('bonus_amount', 'money'),
    ('adjustment', 'money'),
    ('adjustment_reason', 'text'),
    ('final_amount', 'money'),
    ]
# The amounts the totals row adds up
TOTALS = {'bonus_amount', 'adjustment', 'final_amount'}


class BonusRunXlsx(Report):
    "Written with xlsxwriter: no office suite needed to convert"
    __name__ = 'crm.bonus.run.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Kpi = pool.get('crm.bonus.run.kpi')
        Lang = pool.get('ir.lang')
        Line = pool.get('crm.bonus.run.line')
        Run = pool.get('crm.bonus.run')
        lang = Lang.get()
        language = Transaction().language or 'en'
        run_labels = {n: f['string'] for n, f in Run.fields_get(
                ['state', 'approved_by', 'approved_at', 'company']).items()}
        line_labels = {n: f['string'] for n, f in Line.fields_get(
                ['employee'] + [c for c, _ in LINE_COLUMNS]).items()}
        kpi_labels = {n: f['string'] for n, f in Kpi.fields_get(
                [c for c, _ in KPI_COLUMNS]).items()}
        state_labels = dict(Run.fields_get(['state'])['state']['selection'])

        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {'in_memory': True})
        title = workbook.add_format({'bold': True, 'font_size': 14})
        heading = workbook.add_format({
                'bold': True, 'text_wrap': True, 'bottom': 1,
                'valign': 'top'})
        group_heading = workbook.add_format({
                'bold': True, 'align': 'center', 'text_wrap': True})
        bold = workbook.add_format({'bold': True, 'top': 1})
        # Excel renders the grouping and the decimal mark of the reader's
        # locale: "1 234 567,89" in Russian
        formats = {
            'count': workbook.add_format({'num_format': '#,##0'}),
            'decimal': workbook.add_format({'num_format': '#,##0.00'}),
            'percent': workbook.add_format({'num_format': '0.00%'}),
            'text': None,
            }
        sheet_names = set()
        for run in records:
            currency = run.currency
            digits = '0' * currency.digits
            money_format = '#,##0%s "%s"' % (
                '.' + digits if digits else '',
                currency.symbol or currency.code)
            formats['money'] = workbook.add_format(
                {'num_format': money_format})
            money_total = workbook.add_format(
                {'num_format': money_format, 'bold': True, 'top': 1})

            sheet = workbook.add_worksheet(
                cls._sheet_name(run.scheme.rec_name, sheet_names))
            sheet.write(0, 0, run.scheme.rec_name, title)
            sheet.write(1, 0, '%s – %s, %s' % (
                    format_date(run.start_date, 'long', locale=language),
                    format_date(run.end_date, 'long', locale=language),
                    state_labels[run.state]))
            sheet.write(2, 0, '%s: %s' % (
                    run_labels['company'], run.company.rec_name))
            if run.approved_by:
                sheet.write(3, 0, '%s: %s, %s: %s' % (
                        run_labels['approved_by'], run.approved_by.rec_name,
                        run_labels['approved_at'],
                        cls.format_datetime(
                            run.approved_at, lang=lang,
                            format=lang.date + ' %H:%M',
                            timezone=run.company.timezone)))

            # the KPIs in the scheme's order, as the first line holds them
            kpis = [k.kpi for k in run.lines[0].kpi_lines] if run.lines else []
            top = 5
            sheet.merge_range(
                top, 0, top + 1, 0, line_labels['employee'], heading)
            column = 1
            for kpi in kpis:
                name = kpi.rec_name
                if kpi.unit:
                    name = '%s, %s' % (name, kpi.unit)
                sheet.merge_range(
                    top, column, top, column + len(KPI_COLUMNS) - 1,
                    name, group_heading)
                for name, _ in KPI_COLUMNS:
                    sheet.write(top + 1, column, kpi_labels[name], heading)
                    column += 1
            for name, _ in LINE_COLUMNS:
                sheet.merge_range(
                    top, column, top + 1, column, line_labels[name], heading)
                column += 1
            last_column = column - 1

            row = top + 1
            totals = {n: 0 for n in TOTALS}
            for row, line in enumerate(run.lines, top + 2):
                sheet.write(row, 0, line.employee.rec_name)
                column = 1
                for kpi_line in line.kpi_lines:
                    for name, kind in KPI_COLUMNS:
                        value = getattr(kpi_line, name)
                        if kind == 'value':
                            kind = ('count' if kpi_line.kpi.kind in COUNT_KINDS
                                else 'decimal')
                        cls._write(sheet, row, column, value, formats[kind])
                        column += 1
                for name, kind in LINE_COLUMNS:
                    value = getattr(line, name)
                    cls._write(sheet, row, column, value, formats[kind])
                    if name in TOTALS:
                        totals[name] += value
                    column += 1
            total = row + 1
            sheet.write(total, 0, gettext('crm_kpi.msg_run_xlsx_total'), bold)
            for column in range(1, last_column + 1):
                sheet.write_blank(total, column, None, bold)
            column = 1 + len(kpis) * len(KPI_COLUMNS)
            for name, _ in LINE_COLUMNS:
                if name in TOTALS:
                    sheet.write_number(
                        total, column, float(totals[name]), money_total)
                column += 1

            sheet.set_column(0, 0, 28)
            sheet.set_column(1, last_column, 14)
            sheet.set_column(last_column - 1, last_column - 1, 28)
            sheet.freeze_panes(top + 2, 1)
        workbook.close()
        return 'xlsx', output.getvalue()

    @staticmethod
    def _write(sheet, row, column, value, format):
        if value is None:
            sheet.write_blank(row, column, None, format)
        elif format is None:
            sheet.write_string(row, column, value)
        else:
            sheet.write_number(row, column, float(value), format)

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
