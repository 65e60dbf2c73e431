# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Run every test suite (the addons' and the cross-module ones) on each
database backend, the backends side by side, and print one summary.

Usage: python tests/run.py --backend sqlite=sqlite:// \\
    --backend postgresql=postgresql://user@127.0.0.1:5432/

A backend given several times is run by as many workers sharing its tests
(tests/suite.py): each PostgreSQL worker needs a server of its own.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / 'test-output'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--backend', action='append', required=True, metavar='NAME=URI',
        help="a backend to test, e.g. sqlite=sqlite://")
    parser.add_argument(
        '--only', action='append', default=[], metavar='PATTERN',
        help="run only the tests whose id contains PATTERN")
    args = parser.parse_args()

    OUTPUT.mkdir(exist_ok=True)
    uris = {}
    for spec in args.backend:
        name, uri = spec.split('=', 1)
        uris.setdefault(name, []).append(uri)
    runs = []
    for name, backend_uris in uris.items():
        claims = tempfile.mkdtemp(prefix=f'crm-test-claims-{name}-')
        for worker, uri in enumerate(backend_uris, 1):
            if len(backend_uris) > 1:
                runs.append(start_suite(
                        f'{name}-{worker}', name, uri, args.only,
                        ['--claims', claims] + (
                            ['--backwards'] if worker % 2 == 0 else [])))
            else:
                runs.append(start_suite(name, name, uri, args.only, []))
    totals = {'passed': 0, 'failed': 0, 'skipped': 0}
    lines = []
    for worker, process, log_path, result_path, started in runs:
        process.wait()
        elapsed = time.monotonic() - started
        print(f"\n===== {worker}: {log_path.relative_to(ROOT)} =====")
        print(log_path.read_text(), end='')
        try:
            result = json.loads(result_path.read_text())
        except (OSError, ValueError):
            result = {'passed': 0, 'failed': 1, 'skipped': 0}
            print(f"{worker}: the suite did not finish "
                f"(exit code {process.returncode})")
        for key in totals:
            totals[key] += result[key]
        lines.append(f"{worker}: {result['passed']} passed, "
            f"{result['failed']} failed, {result['skipped']} skipped "
            f"in {elapsed:.0f} s")
    print("\n===== summary =====")
    print('\n'.join(lines))
    print(f"{totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['skipped']} skipped")
    return 1 if totals['failed'] or not totals['passed'] else 0


def start_suite(worker, name, uri, only, options):
    "Start a worker of backend name in its own process, logging to a file"
    log_path = OUTPUT / f'{worker}.log'
    result_path = OUTPUT / f'{worker}.json'
    result_path.unlink(missing_ok=True)
    env = dict(os.environ)
    # the tests configure trytond through the environment alone
    env.pop('TRYTOND_CONFIG', None)
    env['TRYTOND_DATABASE_URI'] = env['TRYTOND_DATABASE__URI'] = uri
    env['CRM_TEST_BACKEND'] = name
    env['PYTHONWARNINGS'] = 'ignore::DeprecationWarning'
    if uri.startswith('sqlite'):
        env['DB_NAME'] = ':memory:'
        # a fresh cache per run: cached databases never outlive a code change
        env['DB_CACHE'] = tempfile.mkdtemp(prefix='crm-db-cache-')
    else:
        env['DB_NAME'] = 'test_crm'
        env['DB_CACHE'] = 'postgresql://'
    command = [sys.executable, __file__.replace('run.py', 'suite.py'),
        *options, str(result_path), *only]
    log = log_path.open('w')
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    print(f"{worker}: running the tests on {uri} (log: {log_path})")
    return worker, process, log_path, result_path, time.monotonic()


if __name__ == '__main__':
    sys.exit(main())
