# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Run the benchmarks of bench/bench_*.py on a database (the demo's data,
at the scale it was generated with) and write bench/RESULTS.md"""
import argparse
import datetime as dt
import importlib
import os
import platform
import sys
from pathlib import Path

from tqdm import tqdm

from trytond import config as trytond_config

from .harness import run

HERE = Path(__file__).resolve().parent
RESULTS = HERE / 'RESULTS.md'


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog='python -m bench', description=__doc__)
    parser.add_argument('-c', '--config',
        default=os.environ.get('TRYTOND_CONFIG'),
        help="the trytond configuration file")
    parser.add_argument('-d', '--database', required=True,
        help="the database filled by the demo generator")
    parser.add_argument('--runs', type=int, default=5,
        help="the timings whose median is taken (default: %(default)s)")
    parser.add_argument('--only', action='append', default=[],
        metavar='PATTERN', help="run only the benchmarks named so")
    parser.add_argument('--no-write', action='store_true',
        help="print the table without writing %s" % RESULTS.name)
    options = parser.parse_args(argv)
    if options.runs < 1:
        parser.error("at least one run")
    return options


def collect(only):
    "Return the benchmarks of every bench_*.py module"
    benchmarks = []
    for path in sorted(HERE.glob('bench_*.py')):
        module = importlib.import_module(f'bench.{path.stem}')
        benchmarks.extend(module.benchmarks())
    if only:
        benchmarks = [b for b in benchmarks
            if any(p in b.name for p in only)]
    return benchmarks


def table(results, database, runs):
    from trytond import backend
    lines = [
        "# Benchmark results", "",
        f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.node()}: "
        f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
        f"{' -O' if sys.flags.optimize else ' (assertions on: run with -O)'}, "
        f"database `{database}` ({backend.name}); median of {runs} runs, "
        "ours and the baseline timed alternately in the same run.",
        "",
        "| benchmark | size | ours (s) | bare SQL (s) | ratio | limit | |",
        "|---|---|---:|---:|---:|---:|---|",
        ]
    for result in results:
        b = result.benchmark
        lines.append(
            f"| {b.name} | {b.size} | {result.ours:.4f} "
            f"| {result.baseline:.4f} | {result.ratio:.2f} "
            f"| ≤ {b.limit:g} | {'ok' if result.passed else 'SLOW'} |")
    return '\n'.join(lines) + '\n'


def main(argv=None):
    options = parse_arguments(argv)
    trytond_config.update_etc(options.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool.start()
    pool = Pool(options.database)
    pool.init()
    with Transaction().start(options.database, 0, readonly=False):
        Company = pool.get('company.company')
        # the demo company, the only one
        company, = Company.search([], limit=1)
        Transaction().set_context(company=company.id)
        benchmarks = collect(options.only)
        results = []
        for benchmark in tqdm(benchmarks, desc="bench", unit="benchmark"):
            results.append(run(benchmark, options.runs))
        text = table(results, options.database, options.runs)
    print(text)
    if not options.no_write:
        RESULTS.write_text(text)
    return 0 if all(r.passed for r in results) else 1


if __name__ == '__main__':
    sys.exit(main())
