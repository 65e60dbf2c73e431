# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The budget execution of campaigns as an XLSX workbook: one sheet per
campaign with its planned and actual amounts per budget category and line"""
import io
from collections import defaultdict

import xlsxwriter
from babel.dates import format_date

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

# The columns of the tables: planned, actual, consumption and remaining
FIRST_AMOUNT = 2


class BudgetExecutionXlsx(Report):
    "Written with xlsxwriter: no office suite needed to convert"
    __name__ = 'crm.campaign.budget.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {'in_memory': True})
        sheet_names = set()
        writer = _Writer(workbook)
        if len(records) > 1:
            writer.summary(
                workbook.add_worksheet(_sheet_name(
                        gettext('crm_marketing.msg_campaign_report_summary'),
                        sheet_names)),
                records)
        for campaign in records:
            writer.campaign(
                workbook.add_worksheet(
                    _sheet_name(campaign.rec_name, sheet_names)),
                campaign)
        workbook.close()
        return 'xlsx', output.getvalue()


class _Writer:
    "Write the sheets of a workbook with its formats and translated labels"

    def __init__(self, workbook):
        pool = Pool()
        BudgetLine = pool.get('crm.campaign.budget.line')
        Campaign = pool.get('marketing.campaign')
        self.language = Transaction().language or 'en'
        self.labels = {n: f['string'] for n, f in Campaign.fields_get([
                    'name', 'start_date', 'end_date', 'medium', 'responsible',
                    'state', 'planned_budget', 'actual_cost',
                    'remaining_budget', 'budget_consumption', 'lead_count',
                    'opportunity_count', 'won_count', 'won_revenue', 'roi',
                    ]).items()}
        self.line_labels = {n: f['string'] for n, f in BudgetLine.fields_get(
                ['category', 'description', 'planned_amount',
                    'actual_amount']).items()}
        self.categories = dict(
            BudgetLine.fields_get(['category'])['category']['selection'])
        self.states = dict(
            Campaign.fields_get(['state'])['state']['selection'])
        self.workbook = workbook
        self.bold = workbook.add_format({'bold': True})
        self.title = workbook.add_format({'bold': True, 'font_size': 14})
        self.heading = workbook.add_format({
                'bold': True, 'text_wrap': True, 'bottom': 1})
        self.percent = workbook.add_format({'num_format': '0.0%'})
        self.percent_bold = workbook.add_format(
            {'num_format': '0.0%', 'bold': True, 'top': 1})
        self.total_label = workbook.add_format({'bold': True, 'top': 1})
        self._money = {}

    def money(self, currency, bold=False):
        "Return the format of the amounts in currency"
        key = (currency.id if currency else None, bold)
        if key not in self._money:
            # Excel renders the grouping and the decimal mark of the reader's
            # locale: "1 234 567,89 ₽" in Russian
            digits = '0' * (currency.digits if currency else 2)
            symbol = ' "%s"' % currency.symbol if currency else ''
            properties = {'num_format': '#,##0%s%s' % (
                    '.' + digits if digits else '', symbol)}
            if bold:
                properties.update({'bold': True, 'top': 1})
            self._money[key] = self.workbook.add_format(properties)
        return self._money[key]

    def amounts(self, sheet, row, currency, planned, actual, bold=False):
        "Write planned, actual, their ratio and difference from FIRST_AMOUNT"
        money = self.money(currency, bold=bold)
        sheet.write_number(row, FIRST_AMOUNT, float(planned), money)
        sheet.write_number(row, FIRST_AMOUNT + 1, float(actual), money)
        if planned:
            sheet.write_number(row, FIRST_AMOUNT + 2,
                round(float(actual / planned), 4),
                self.percent_bold if bold else self.percent)
        elif bold:
            sheet.write_blank(row, FIRST_AMOUNT + 2, None, self.percent_bold)
        sheet.write_number(
            row, FIRST_AMOUNT + 3, float(planned - actual), money)

    def headings(self, sheet, row, first, second):
        for column, label in enumerate([
                    first, second,
                    self.line_labels['planned_amount'],
                    self.line_labels['actual_amount'],
                    self.labels['budget_consumption'],
                    self.labels['remaining_budget']]):
            sheet.write(row, column, label, self.heading)

    def campaign(self, sheet, campaign):
        "Write the budget execution of campaign"
        currency = campaign.currency
        sheet.write(0, 0, campaign.rec_name, self.title)
        period = ' – '.join(
            format_date(d, 'long', locale=self.language)
            for d in [campaign.start_date, campaign.end_date] if d)
        sheet.write(1, 0, ', '.join(filter(None, [
                        period, self.states[campaign.state]])))
        for row, name in [(2, 'medium'), (3, 'responsible')]:
            sheet.write(row, 0, self.labels[name], self.bold)
            value = getattr(campaign, name)
            sheet.write(row, 1, value.rec_name if value else '')
        if campaign.company:
            sheet.write(4, 0, campaign.company.rec_name)

        # per category
        row = 6
        sheet.write(row, 0, gettext(
                'crm_marketing.msg_campaign_report_by_category'), self.title)
        row += 1
        self.headings(sheet, row, self.line_labels['category'], '')
        planned = defaultdict(int)
        actual = defaultdict(int)
        for line in campaign.budget_lines:
            planned[line.category] += line.planned_amount
            actual[line.category] += line.actual_amount
        for category, label in self.categories.items():
            if category not in planned:
                continue
            row += 1
            sheet.write(row, 0, label)
            self.amounts(sheet, row, currency,
                planned[category], actual[category])
        unallocated = campaign.actual_cost - sum(actual.values())
        if unallocated:
            row += 1
            sheet.write(row, 0, gettext(
                    'crm_marketing.msg_campaign_report_unallocated'))
            self.amounts(sheet, row, currency, 0, unallocated)
        row += 1
        sheet.write(row, 0, gettext('crm_marketing.msg_campaign_report_total'),
            self.total_label)
        sheet.write_blank(row, 1, None, self.total_label)
        self.amounts(sheet, row, currency,
            campaign.planned_budget, campaign.actual_cost, bold=True)

        # per line
        row += 2
        sheet.write(row, 0, gettext(
                'crm_marketing.msg_campaign_report_lines'), self.title)
        row += 1
        self.headings(sheet, row, self.line_labels['category'],
            self.line_labels['description'])
        for line in campaign.budget_lines:
            row += 1
            sheet.write(row, 0, self.categories[line.category])
            sheet.write(row, 1, line.description or '')
            self.amounts(sheet, row, currency,
                line.planned_amount, line.actual_amount)

        # results
        row += 2
        sheet.write(row, 0, gettext(
                'crm_marketing.msg_campaign_report_results'), self.title)
        for name in ['lead_count', 'opportunity_count', 'won_count',
                'won_revenue', 'roi']:
            row += 1
            sheet.write(row, 0, self.labels[name], self.bold)
            value = getattr(campaign, name)
            if value is None:
                continue
            if name == 'won_revenue':
                sheet.write_number(row, 1, float(value), self.money(currency))
            elif name == 'roi':
                sheet.write_number(row, 1, value, self.percent)
            else:
                sheet.write_number(row, 1, value)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 36)
        sheet.set_column(FIRST_AMOUNT, FIRST_AMOUNT + 3, 18)

    def summary(self, sheet, campaigns):
        "Write the totals of each campaign"
        self.headings(sheet, 0, self.labels['name'], self.labels['medium'])
        row = 0
        for row, campaign in enumerate(campaigns, 1):
            sheet.write(row, 0, campaign.rec_name)
            sheet.write(row, 1,
                campaign.medium.rec_name if campaign.medium else '')
            self.amounts(sheet, row, campaign.currency,
                campaign.planned_budget, campaign.actual_cost)
        sheet.set_column(0, 1, 30)
        sheet.set_column(FIRST_AMOUNT, FIRST_AMOUNT + 3, 18)
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, row, FIRST_AMOUNT + 3)


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
