# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The data past the demo's own size (issue 9).

Up to tools.BULK_FROM the phases create everything through Tryton. Above
it, they create the demo at BULK_FROM and these phases add the rest: the
salespeople through Tryton (a few hundred), the customers and the posted
invoices in SQL, batch by batch, by copying rows Tryton wrote. A copy keeps
every column of its template row and replaces what differs (ids, party,
dates, numbers, salesperson), so the records are those Tryton would have
written: each posted move is a copy of a balanced one, and the invoice,
move and party numbers are taken from their sequences (get_many), which
move past them."""
import datetime as dt
import re
from collections import defaultdict

from sql import Table
from sql.aggregate import Max
from tqdm import tqdm

from trytond.modules.crm_sales.party_duplicate import duplicate_key
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

from . import names
from . import party as demo_party

# Per unit of scale, as the customers (party.CUSTOMERS)
SALESPEOPLE = 10
INVOICE_LINES = 20_000
# The days of invoices back from today
INVOICE_DAYS = 730
# Rows per batch: one transaction, one progress step
BATCH = 2_000


def _alnum_digit(code):
    "The sortable forms Tryton keeps of a code or number (party, invoice)"
    digits = re.sub(r'\D', '', code)[-18:]
    return re.sub(r'[\W_]', '', code), int(digits) if digits else None


class Writer:
    "Reads template rows and inserts their copies, within one transaction"

    def __init__(self):
        transaction = Transaction()
        self.database = transaction.database
        self.connection = transaction.connection
        self.cursor = transaction.connection.cursor()
        self.now = dt.datetime.now()
        self.user = transaction.user

    def rows(self, table, column, values):
        "Return the rows of table whose column is in values, as dicts"
        sql_table = Table(table)
        rows = []
        values = list(values)
        for i in range(0, len(values), 1000):
            self.cursor.execute(*sql_table.select(
                    where=getattr(sql_table, column).in_(
                        values[i:i + 1000])))
            names = [d[0] for d in self.cursor.description]
            rows.extend(dict(zip(names, r)) for r in self.cursor)
        return rows

    def grouped(self, table, column, values):
        "Return the rows of table whose column is in values, by that value"
        groups = defaultdict(list)
        for row in self.rows(table, column, values):
            groups[row[column]].append(row)
        return groups

    def ids(self, table, count):
        """Reserve count new ids of table (on SQLite, the next ids: insert
        into table before asking for more)"""
        if self.database.has_sequence():
            ids = self.database.nextid(self.connection, table, count)
            return [ids] if count == 1 else list(ids)
        sql_table = Table(table)
        self.cursor.execute(*sql_table.select(Max(sql_table.id)))
        start = (self.cursor.fetchone()[0] or 0) + 1
        return list(range(start, start + count))

    def insert(self, table, rows):
        "Insert the rows, dicts with the same keys, stamped as created now"
        if not rows:
            return
        sql_table = Table(table)
        names = list(rows[0])
        if 'create_date' in names:
            for row in rows:
                row.update(create_date=self.now, create_uid=self.user,
                    write_date=None, write_uid=None)
        # one statement for all the rows: converted once by the driver
        query, _ = tuple(sql_table.insert(
                [getattr(sql_table, n) for n in names], [[None] * len(names)]))
        self.cursor.executemany(query, [[r[n] for n in names] for r in rows])


def _copy(template, **values):
    row = dict(template)
    row.update(values)
    return row


def _batches(total, description):
    sizes = [min(BATCH, total - i) for i in range(0, total, BATCH)]
    return tqdm(sizes, desc=description, unit="batch", leave=False)


def _bulk(demo):
    "Whether the scale asked is above what the phases created in Tryton"
    return demo.target_scale > demo.scale


def _in_transaction(demo, function, *args, _extras={}):
    """Run function in a transaction of its own and commit, restarted with
    the locks it asked for as Tryton's dispatcher does (the sequences lock
    their records); the next transactions take these locks from the start"""
    extras = _extras
    while True:
        with Transaction().start(
                demo.config.database_name, demo.config.user,
                context=demo.config.context, **extras) as transaction:
            try:
                result = function(*args)
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            return result


def add_salespeople(demo):
    "Employees up to SALESPEOPLE per unit of scale, through Tryton"
    if not _bulk(demo):
        return
    count = round(SALESPEOPLE * demo.target_scale) - len(demo.salespeople)
    rng = demo.random
    parties = []
    for _ in range(count):
        surname, first_name, patronymic = names.person(rng)
        parties.append({
                'name': " ".join([surname, first_name, patronymic]),
                'lang': demo.russian.id,
                })
    party_ids = demo.create('party.party', parties)
    start = demo.date(-1500)
    demo.bulk_salespeople = [e.id for e in demo.salespeople] + demo.create(
        'company.employee', [{
                'party': p, 'company': demo.company.id, 'start_date': start,
                } for p in party_ids])


def add_customers(demo):
    """Customers up to party.CUSTOMERS per unit of scale, copies of one the
    demo created with the names, contacts and INN of a new one"""
    if not _bulk(demo):
        return
    total = round(demo_party.CUSTOMERS * demo.target_scale) - len(
        demo.customers)
    unique, inns, domains = demo_party._UniqueNames(), set(), set()
    for size in _batches(total, "customers"):
        customers = []
        for _ in range(size):
            values, customer = demo_party._customer(
                demo, unique, inns, domains)
            values['account_manager'] = demo.random.choice(
                demo.bulk_salespeople)
            customers.append((values, customer['payment_term'].id))
        demo.bulk_customers.extend(
            _in_transaction(demo, _copy_customers, demo, customers))


def _copy_customers(demo, customers):
    "Insert the customers, (party values, payment term), and their ids"
    pool = Pool()
    mechanism = pool.get('party.contact_mechanism')()
    Configuration = pool.get('party.configuration')
    writer = Writer()
    template_id = demo.customers[0]['id']
    party_template, = writer.rows('party_party', 'id', [template_id])
    templates = {t: writer.rows(t, 'party', [template_id]) for t in [
            'party_address', 'party_identifier', 'party_party_lang',
            'party_party_payment_term', 'party_party-party_category']}
    # a row of each type of contact (the template has not all)
    mechanism_templates = {}
    for row in writer.rows('party_contact_mechanism', 'party',
            [c['id'] for c in demo.customers[:50]]):
        mechanism_templates.setdefault(row['type'], row)
    sequence = Configuration(1).get_multivalue('party_sequence')
    codes = (list(sequence.get_many(len(customers))) if sequence
        else [None] * len(customers))
    party_ids = writer.ids('party_party', len(customers))

    rows = defaultdict(list)
    for party_id, code, (values, term) in zip(party_ids, codes, customers):
        alnum, digit = _alnum_digit(code) if code else (None, None)
        rows['party_party'].append(_copy(party_template,
                id=party_id, name=values['name'], code=code,
                code_alnum=alnum, code_digit=digit,
                account_manager=values['account_manager'],
                sales_channel=values['sales_channel'],
                customer_since=values['customer_since'],
                abc_class=None, classified_at=None, rfm_recency=None,
                rfm_frequency=None, rfm_monetary=None, birthday=None,
                last_birthday_greeting=None, lost_date=None, lost_note=None,
                lost_reason=None, replaced_by=None))
        address, = values['addresses'][0][1]
        for template in templates['party_address']:
            rows['party_address'].append(
                _copy(template, party=party_id, **address))
        for contact in values['contact_mechanisms'][0][1]:
            value, type_ = contact['value'], contact['type']
            rows['party_contact_mechanism'].append(_copy(
                    mechanism_templates[type_], party=party_id, address=None,
                    name=contact.get('name'),
                    value=mechanism.format_value(value, type_),
                    value_compact=mechanism.format_value_compact(
                        value, type_),
                    duplicate_key=duplicate_key(type_, value)))
        identifier, = values['identifiers'][0][1]
        for template in templates['party_identifier']:
            rows['party_identifier'].append(_copy(template,
                    party=party_id, address=None, code=identifier['code'],
                    code_compact=identifier['code']))
        for template in templates['party_party_lang']:
            rows['party_party_lang'].append(_copy(template, party=party_id))
        for template in templates['party_party_payment_term']:
            rows['party_party_payment_term'].append(_copy(template,
                    party=party_id, customer_payment_term=term))
        category, = values['categories'][0][1]
        for template in templates['party_party-party_category']:
            rows['party_party-party_category'].append(
                _copy(template, party=party_id, category=category))
    for table, table_rows in rows.items():
        if table != 'party_party':
            for row, row_id in zip(
                    table_rows, writer.ids(table, len(table_rows))):
                row['id'] = row_id
        writer.insert(table, table_rows)
    return party_ids


def add_invoices(demo):
    """Posted customer invoices up to INVOICE_LINES lines per unit of scale,
    dated over the last INVOICE_DAYS, each a copy of a posted invoice of the
    demo (lines, taxes, move, move lines, tax lines) for a customer and its
    account manager"""
    if not _bulk(demo):
        return
    invoices = demo.search('account.invoice', [
            ('type', '=', 'out'),
            ('state', 'in', ['posted', 'paid']),
            ('move', '!=', None),
            ], order=[('id', 'ASC')])
    if not invoices:
        return
    lines = len(demo.search('account.invoice.line', [
                ('invoice', 'in', invoices)]))
    total = round(
        (INVOICE_LINES * demo.target_scale - lines) * len(invoices) / lines)
    customers = [c['id'] for c in demo.customers] + demo.bulk_customers
    rng = demo.random
    for size in _batches(total, "invoices"):
        chosen = [rng.choice(invoices) for _ in range(size)]
        dates = sorted(demo.date(-rng.randint(0, INVOICE_DAYS))
            for _ in range(size))
        parties = [rng.choice(customers) for _ in range(size)]
        _in_transaction(demo, _copy_invoices, demo, chosen, dates, parties)


def _copy_invoices(demo, chosen, dates, parties):
    """Insert the copies of the invoices chosen, dated and for the parties
    (the dates sorted: the numbers follow them)"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Period = pool.get('account.period')
    writer = Writer()
    company = demo.company.id
    size = len(chosen)
    invoice_rows = {r['id']: r
        for r in writer.rows('account_invoice', 'id', set(chosen))}
    move_rows = {r['id']: r for r in writer.rows('account_move', 'id',
            {r['move'] for r in invoice_rows.values()})}
    line_rows = writer.grouped('account_invoice_line', 'invoice', set(chosen))
    line_taxes = writer.grouped('account_invoice_line-account_tax', 'line',
        [r['id'] for rows in line_rows.values() for r in rows])
    tax_rows = writer.grouped('account_invoice_tax', 'invoice', set(chosen))
    move_line_rows = writer.grouped(
        'account_move_line', 'move', set(move_rows))
    tax_line_rows = writer.grouped('account_tax_line', 'move_line',
        [r['id'] for rows in move_line_rows.values() for r in rows])
    addresses, managers = {}, {}
    for row in writer.rows('party_address', 'party', set(parties)):
        addresses.setdefault(row['party'], row['id'])
    for row in writer.rows('party_party', 'id', set(parties)):
        managers[row['id']] = row['account_manager']

    # the numbers of each sequence, taken in the order of the dates
    periods, invoice_sequences = {}, {}
    for date in set(dates):
        # a period is a month, and the sequences are those of its year
        first = date.replace(day=1)
        if first not in periods:
            periods[first] = Period.find(company, date=date)
            invoice_sequences[first], _ = Invoice(
                company=company, type='out', invoice_date=date,
                accounting_date=None,
                sequence_type_cache='invoice')._number_sequence()
        periods[date] = periods[first]
        invoice_sequences[date] = invoice_sequences[first]
    invoice_numbers = _numbers(company, dates, invoice_sequences)
    move_numbers = _numbers(company, dates,
        {d: p.move_sequence_used for d, p in periods.items()})

    def reserve(table, rows_of):
        return iter(writer.ids(table, sum(len(rows_of[t]) for t in chosen)))
    invoice_ids = iter(writer.ids('account_invoice', size))
    move_ids = iter(writer.ids('account_move', size))
    line_ids = reserve('account_invoice_line', line_rows)
    tax_ids = reserve('account_invoice_tax', tax_rows)
    move_line_ids = iter(writer.ids('account_move_line', sum(
                len(move_line_rows[invoice_rows[t]['move']])
                for t in chosen)))
    rows = defaultdict(list)
    for template_id, date, party, number, move_number in zip(
            chosen, dates, parties, invoice_numbers, move_numbers):
        invoice_id, move_id = next(invoice_ids), next(move_ids)
        template = invoice_rows[template_id]
        shift = date - template['invoice_date']
        sequence = invoice_sequences[date].id
        alnum, digit = _alnum_digit(number)
        rows['account_invoice'].append(_copy(template,
                id=invoice_id, number=number, number_alnum=alnum,
                number_digit=digit, sequence=sequence, party=party,
                invoice_address=addresses[party], party_tax_identifier=None,
                invoice_date=date, accounting_date=None,
                payment_term_date=None, move=move_id, state='posted',
                reference=None, description=None, agent=None,
                invoice_report_cache=None, invoice_report_cache_id=None,
                invoice_report_format=None))
        move = move_rows[template['move']]
        rows['account_move'].append(_copy(move,
                id=move_id, number=move_number, date=date,
                post_date=date, period=periods[date].id,
                origin=f'account.invoice,{invoice_id}'))
        line_map = {}
        for line in line_rows[template_id]:
            line_id = next(line_ids)
            line_map[line['id']] = line_id
            rows['account_invoice_line'].append(_copy(line,
                    id=line_id, invoice=invoice_id, party=party,
                    salesperson=managers[party], origin=None,
                    taxes_date=None, marketing_budget_line=None,
                    marketing_campaign=None))
            for tax in line_taxes[line['id']]:
                rows['account_invoice_line-account_tax'].append(
                    _copy(tax, line=line_id))
        tax_map = {}
        for tax in tax_rows[template_id]:
            tax_id = next(tax_ids)
            tax_map[tax['id']] = tax_id
            rows['account_invoice_tax'].append(
                _copy(tax, id=tax_id, invoice=invoice_id))
        for move_line in move_line_rows[move['id']]:
            move_line_id = next(move_line_ids)
            origin = move_line['origin']
            if origin:
                model, origin_id = origin.split(',')
                mapped = {'account.invoice.line': line_map,
                    'account.invoice.tax': tax_map}.get(model, {})
                origin = (f'{model},{mapped[int(origin_id)]}'
                    if int(origin_id) in mapped else None)
            maturity = move_line['maturity_date']
            rows['account_move_line'].append(_copy(move_line,
                    id=move_line_id, move=move_id, origin=origin,
                    party=party if move_line['party'] else None,
                    maturity_date=maturity + shift if maturity else None,
                    reconciliation=None, state='valid'))
            for tax_line in tax_line_rows[move_line['id']]:
                rows['account_tax_line'].append(
                    _copy(tax_line, move_line=move_line_id))
    for table in ['account_invoice_line-account_tax', 'account_tax_line']:
        for row, row_id in zip(rows[table],
                writer.ids(table, len(rows[table]))):
            row['id'] = row_id
    for table in ['account_move', 'account_move_line', 'account_invoice',
            'account_invoice_line', 'account_invoice_line-account_tax',
            'account_invoice_tax', 'account_tax_line']:
        writer.insert(table, rows.get(table, []))


def _numbers(company, dates, sequences):
    """Return the numbers of the dates (sorted), each from the sequence of
    its date, taken in the context of the date (its prefix may have the
    year)"""
    per_sequence = defaultdict(list)
    for date in dates:
        per_sequence[sequences[date], date.year].append(date)
    taken = {}
    for (sequence, year), sequence_dates in per_sequence.items():
        with Transaction().set_context(
                date=sequence_dates[0], company=company):
            taken[sequence, year] = iter(
                list(sequence.get_many(len(sequence_dates))))
    return [next(taken[sequences[date], date.year]) for date in dates]
