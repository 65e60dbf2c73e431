# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""What the benchmarks share: a benchmark is our code path and the bare SQL
that computes the same figures (the database's own limit), both timed in the
same run so that the ratio does not depend on the machine."""
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Optional

from trytond.transaction import Transaction


@dataclass
class Benchmark:
    """Our code path against its baseline, at most limit times slower.
    setup runs untimed in each transaction, before the timed callable, and
    its result is passed to ours and baseline (None without setup)"""
    name: str
    ours: Callable[[object], object]
    baseline: Callable[[object], object]
    limit: float = 2.0
    # what the figures are about, e.g. "500 plan lines"
    size: str = ''
    setup: Optional[Callable[[], object]] = None


@dataclass
class Result:
    benchmark: Benchmark
    ours: float
    baseline: float

    @property
    def ratio(self):
        return self.ours / self.baseline if self.baseline else float('inf')

    @property
    def passed(self):
        return self.ratio <= self.benchmark.limit


def median_time(function, runs, setup=None):
    """Return the median of runs timings of function, after one warm-up run,
    each in a transaction that is rolled back"""
    timings = []
    for index in range(runs + 1):
        with Transaction().new_transaction() as transaction:
            state = setup() if setup else None
            started = time.perf_counter()
            function(state)
            elapsed = time.perf_counter() - started
            transaction.rollback()
        if index:
            timings.append(elapsed)
    return statistics.median(timings)


def run(benchmark, runs):
    """Return the result of benchmark, our path and the baseline timed
    alternately so that a change of load weighs on both"""
    ours, baseline = [], []
    for _ in range(runs):
        ours.append(median_time(benchmark.ours, 1, benchmark.setup))
        baseline.append(
            median_time(benchmark.baseline, 1, benchmark.setup))
    return Result(
        benchmark, statistics.median(ours), statistics.median(baseline))


def bare_sql(query, params=()):
    """Return a callable running the SQL query (text or python-sql) and
    fetching its rows; a callable query receives the setup's result"""
    def execute(state):
        sql = query(state) if callable(query) else query
        cursor = Transaction().connection.cursor()
        if isinstance(sql, str):
            cursor.execute(sql, params)
        else:
            cursor.execute(*sql)
        return cursor.fetchall()
    return execute
