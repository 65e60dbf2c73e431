# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The demo database past the demo's own size (issue 9): the customers and
posted invoices copied in SQL are what Tryton would have written, and Tryton
goes on from them (numbers, payments, KPIs)."""
import sqlite3
import unittest
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from demo_server import DATABASE, DEMO_OPTIONS, demo_server

from demo.bulk import INVOICE_LINES
from demo.party import CUSTOMERS

SCALE = float(DEMO_OPTIONS[DEMO_OPTIONS.index('--scale') + 1])
BULK_FROM = float(DEMO_OPTIONS[DEMO_OPTIONS.index('--bulk-from') + 1])


class DemoScaleTestCase(unittest.TestCase):
    "The demo of the tests, generated above the size it creates in Tryton"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo = demo_server()

    def query(self, sql):
        "The rows of sql on the demo database, read directly"
        demo = self.demo
        if demo.backend == 'sqlite':
            connection = sqlite3.connect(
                Path(demo.db_path, f'{DATABASE}.sqlite'))
        else:
            connection = psycopg.connect(urlunsplit(
                    urlsplit(demo.uri)._replace(path='/' + DATABASE)))
        with closing(connection):
            cursor = connection.cursor()
            cursor.execute(sql)
            return cursor.fetchall()

    def call(self, model, method, *args):
        return self.demo.call(model, method, *args)

    def test_sizes(self):
        "Customers and invoice lines at the scale asked, not the created one"
        self.assertLess(BULK_FROM, SCALE)
        self.assertEqual(
            self.call('party.party', 'search_count',
                [('customer_since', '!=', None)]),
            round(CUSTOMERS * SCALE))
        lines = self.call('account.invoice.line', 'search_count', [
                ('invoice.type', '=', 'out'),
                ('invoice.state', 'in', ['posted', 'paid']),
                ])
        # whole invoices of random templates are copied: about the number
        self.assertAlmostEqual(
            lines, INVOICE_LINES * SCALE, delta=INVOICE_LINES * SCALE * .15)

    def test_moves_balanced(self):
        "Every posted move is balanced and every invoice has its own move"
        self.assertEqual(self.query(
                "SELECT move FROM account_move_line GROUP BY move "
                # SQLite sums the amounts as floats
                "HAVING ABS(SUM(debit) - SUM(credit)) > 0.001"), [])
        self.assertEqual(self.query(
                "SELECT move FROM account_invoice WHERE move IS NOT NULL "
                "GROUP BY move HAVING COUNT(*) > 1"), [])
        # the receivable of each posted invoice is its total
        self.assertEqual(self.query(
                "SELECT i.id FROM account_invoice AS i "
                "JOIN account_move_line AS l ON l.move = i.move "
                "JOIN account_account AS a ON a.id = l.account "
                "JOIN account_account_type AS t ON t.id = a.type "
                "WHERE i.type = 'out' AND i.state IN ('posted', 'paid') "
                "AND t.receivable "
                "GROUP BY i.id, i.total_amount_cache "
                "HAVING ABS(SUM(l.debit - l.credit) "
                "- COALESCE(i.total_amount_cache, -1)) > 0.001"), [])

    def test_numbers_unique(self):
        "Invoice and party numbers are unique, move numbers in their year"
        for table, column in [
                ('account_invoice', 'number'), ('party_party', 'code')]:
            with self.subTest(table=table):
                self.assertEqual(self.query(
                        f"SELECT {column} FROM {table} "
                        f"WHERE {column} IS NOT NULL "
                        f"GROUP BY {column} HAVING COUNT(*) > 1"), [])
        self.assertEqual(self.query(
                "SELECT p.fiscalyear, m.number FROM account_move AS m "
                "JOIN account_period AS p ON p.id = m.period "
                "WHERE m.number IS NOT NULL "
                "GROUP BY p.fiscalyear, m.number HAVING COUNT(*) > 1"), [])

    def test_copies_read_by_tryton(self):
        "Tryton reads a copied invoice as it reads those it posted"
        # a copy: its lines come from no sale
        last_id, = self.call('account.invoice', 'search', [
                ('type', '=', 'out'), ('state', '=', 'posted'),
                ('lines.origin', '=', None),
                ], 0, 1, [('id', 'DESC')])
        invoice, = self.call('account.invoice', 'read', [last_id], [
                'number', 'total_amount', 'amount_to_pay', 'lines_to_pay',
                'party.account_manager', 'lines.salesperson'])
        self.assertTrue(invoice['number'])
        self.assertEqual(invoice['amount_to_pay'], invoice['total_amount'])
        self.assertEqual(len(invoice['lines_to_pay']), 1)
        self.assertEqual(
            {line['salesperson'] for line in invoice['lines.']},
            {invoice['party.']['account_manager']})

    def test_sequences_past_numbers(self):
        "The next number of each invoice and move sequence is past its last"
        sequences = {id_: (prefix or '', next_)
            for id_, prefix, next_ in self.query(
                "SELECT id, prefix, number_next_internal "
                "FROM ir_sequence_strict")}
        used = self.query(
            "SELECT sequence, number FROM account_invoice "
            "WHERE number IS NOT NULL AND sequence IS NOT NULL "
            "UNION ALL "
            "SELECT COALESCE(p.move_sequence, f.move_sequence), m.number "
            "FROM account_move AS m "
            "JOIN account_period AS p ON p.id = m.period "
            "JOIN account_fiscalyear AS f ON f.id = p.fiscalyear "
            "WHERE m.number IS NOT NULL")
        self.assertGreater(len(used), INVOICE_LINES * SCALE / 10)
        for sequence, number in used:
            prefix, next_ = sequences[sequence]
            self.assertTrue(number.startswith(prefix), (sequence, number))
            self.assertLess(int(number[len(prefix):]), next_,
                (sequence, number))

    def test_party_sequence_goes_on(self):
        "A new customer takes the code after the copies"
        party_id, = self.call('party.party', 'create', [{
                    'name': "ООО «Новый клиент»"}])
        party, = self.call('party.party', 'read', [party_id], ['code'])
        codes = [c for c, in self.query(
                "SELECT code FROM party_party WHERE code IS NOT NULL")]
        self.assertEqual(party['code'],
            max(codes, key=lambda c: (len(c), c)))
