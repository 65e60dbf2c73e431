# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The Russian coverage check (scripts/l10n_coverage.py) on the demo
database, and the rules by which it counts a string as translated."""
import subprocess
import sys
import unittest
from pathlib import Path

from demo_server import DATABASE, ROOT, demo_server

sys.path.insert(0, str(ROOT / 'scripts'))
import l10n_coverage  # noqa: E402

SCRIPT = ROOT / 'scripts' / 'l10n_coverage.py'


class CoverageRulesTestCase(unittest.TestCase):
    "What counts as translated"

    allowed = {'IBAN'}

    def reason(self, source, value, fuzzy=False):
        return l10n_coverage.missing_reason(
            source, value, fuzzy, self.allowed)

    def test_translated(self):
        self.assertIsNone(self.reason("Invoice", "Счёт"))
        self.assertIsNone(
            self.reason("Total: %(amount)s", "Итого: %(amount)s"))

    def test_not_translated(self):
        self.assertEqual(self.reason("Invoice", ""), 'untranslated')
        self.assertEqual(self.reason("Invoice", None), 'untranslated')
        self.assertEqual(self.reason("Invoice", "Счёт", True), 'fuzzy')
        self.assertEqual(self.reason("Invoice", "Invoice"), 'English')
        self.assertEqual(
            self.reason("Total: %(amount)s", "Итого: %(total)s"),
            'placeholders differ')

    def test_nothing_to_translate(self):
        "Symbols, numbers and allowed names need no translation"
        self.assertIsNone(self.reason("%", ""))
        self.assertIsNone(self.reason("1/2", ""))
        self.assertIsNone(self.reason("IBAN", "IBAN"))
        self.assertIsNone(self.reason("", ""))


class DemoCoverageTestCase(unittest.TestCase):
    "The demo database, the web client and our catalogues in Russian"

    def test_coverage(self):
        "Every string a user reads has a Russian translation"
        demo = demo_server()
        result = subprocess.run(
            [sys.executable, SCRIPT, '-d', DATABASE, '--all'],
            cwd=ROOT, env=demo.environ(), capture_output=True, text=True)
        report = Path(demo.output, 'l10n_coverage.txt')
        report.write_text(result.stdout + result.stderr)
        self.assertEqual(result.returncode, 0,
            f"{result.stdout[-6000:]}{result.stderr[-3000:]}\n"
            f"(the whole report is in {report})")
