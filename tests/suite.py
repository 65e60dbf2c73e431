# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Run the addons' tests and the cross-module tests on the database of
TRYTOND_DATABASE_URI and write the counts as JSON to the file given.
Started by tests/run.py, one process per worker of a backend.

Workers of one backend share the tests through a folder of claims: a worker
runs a unit (a test class, a scenario, or all the cross-module tests, which
share one demo server) only if it is the first to create the unit's claim.
One worker walks the units forwards and the other backwards, so each addon's
scenarios stay on one worker and activate their modules once."""
import argparse
import doctest
import json
import os
import sys
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# every addon of the repository: a new one cannot be left out by mistake
ADDONS = sorted(p.parent.name for p in (ROOT / 'addons').glob('*/tryton.cfg'))


def load(only):
    # by module name, not discover(): the addons live outside site-packages
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for addon in ADDONS:
        for path in sorted((ROOT / 'addons' / addon / 'tests').glob(
                    'test_*.py')):
            suite.addTests(loader.loadTestsFromName(
                    f'trytond.modules.{addon}.tests.{path.stem}'))
    here = Path(__file__).parent
    # the cross-module tests import each other and the demo package
    sys.path[:0] = [str(here), str(ROOT)]
    for path in sorted(here.glob('test_*.py')):
        suite.addTests(loader.loadTestsFromName(path.stem))
    if only:
        suite = unittest.TestSuite(
            t for t in iterate(suite) if any(p in t.id() for p in only))
    return suite


def iterate(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from iterate(test)
        else:
            yield test


class TimedResult(unittest.TextTestResult):
    "Keep how long each test took: the slowest are listed at the end"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timings = []

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self.timings.append((time.monotonic() - self._started, test.id()))


def unit_name(test):
    "The unit of a test: what one worker runs whole"
    if isinstance(test, doctest.DocTestCase):
        return test.id()  # a scenario: it activates its modules itself
    if not type(test).__module__.startswith('trytond.modules.'):
        return 'cross-module'
    return test.id().rsplit('.', 1)[0]  # the class: its setUpClass once


class ClaimedSuite(unittest.TestSuite):
    "The units this worker is the first to claim, each run on its own"

    def __init__(self, suite, claims, backwards):
        super().__init__()
        self.units = {}
        for test in iterate(suite):
            self.units.setdefault(unit_name(test), []).append(test)
        self.claims = Path(claims)
        self.backwards = backwards

    def claim(self, name):
        path = self.claims / name.replace('/', '_')
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def run(self, result):
        names = list(self.units)
        if self.backwards:
            names.reverse()
        for name in names:
            if result.shouldStop:
                break
            if self.claim(name):
                # a suite of its own: its class fixtures are torn down
                # before the next unit starts
                unittest.TestSuite(self.units[name]).run(result)
        return result

    def countTestCases(self):
        return sum(len(tests) for tests in self.units.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('result_path')
    parser.add_argument('only', nargs='*')
    parser.add_argument('--claims', help="the folder of the claims")
    parser.add_argument('--backwards', action='store_true',
        help="take the units from the last one")
    args = parser.parse_args()
    suite = load(args.only)
    if args.claims:
        suite = ClaimedSuite(suite, args.claims, args.backwards)
    result = unittest.TextTestRunner(
        verbosity=2, stream=sys.stdout, resultclass=TimedResult).run(suite)
    print("The slowest tests:")
    for seconds, name in sorted(result.timings, reverse=True)[:20]:
        print("%7.1f s  %s" % (seconds, name))
    failed = len(result.failures) + len(result.errors) + len(
        result.unexpectedSuccesses)
    skipped = len(result.skipped)
    Path(args.result_path).write_text(json.dumps({
                'passed': result.testsRun - failed - skipped,
                'failed': failed,
                'skipped': skipped,
                }))


if __name__ == '__main__':
    main()
