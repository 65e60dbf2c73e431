# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Run the addons' tests and the cross-module tests on the database of
TRYTOND_DATABASE_URI and write the counts as JSON to the file given.
Started by tests/run.py, one process per backend."""
import json
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


def main(result_path, *only):
    result = unittest.TextTestRunner(
        verbosity=2, stream=sys.stdout, resultclass=TimedResult).run(
        load(only))
    print("The slowest tests:")
    for seconds, name in sorted(result.timings, reverse=True)[:20]:
        print("%7.1f s  %s" % (seconds, name))
    failed = len(result.failures) + len(result.errors) + len(
        result.unexpectedSuccesses)
    skipped = len(result.skipped)
    Path(result_path).write_text(json.dumps({
                'passed': result.testsRun - failed - skipped,
                'failed': failed,
                'skipped': skipped,
                }))


if __name__ == '__main__':
    main(*sys.argv[1:])
