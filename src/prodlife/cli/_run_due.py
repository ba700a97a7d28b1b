"""``prodlife run-due``: the scheduler over a store, with progress on a terminal and a summary."""

from __future__ import annotations

import argparse
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time
from typing import Any, TextIO

from prodlife.app import Billing, SchedulerReport
from prodlife.cli._args import USAGE, day, missing_database, store_option
from prodlife.clock import Clock, FixedClock, SystemClock
from prodlife.stores import open_store

__all__ = ["register"]

#: Exit status when some services failed (they are retried by the next run).
FAILED = 1
#: The most worker threads a run may start.
MAX_WORKERS = 64


def register(commands: Any) -> None:
    """Add the ``run-due`` command to ``commands``."""
    run = commands.add_parser(
        "run-due",
        help="carry out everything due (renewal invoices, cancellations, dunning)",
        description=(
            "Run the scheduler over the store at --db: carry out everything due now (or by "
            "--until), print a summary, and exit with status 1 when a service failed (it "
            "is left as it was and retried by the next run)."
        ),
        epilog="example: prodlife run-due --db sqlite:///billing.db --until 2025-06-01",
    )
    store_option(run)
    run.add_argument(
        "--until",
        type=day,
        metavar="DATE",
        help="carry out what is due by DATE (noon UTC on that day) instead of now",
    )
    run.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help=f"how many workers claim batches at once (1 to {MAX_WORKERS})",
    )
    run.set_defaults(run=_run)


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"workers {text!r} must be a whole number from 1 to {MAX_WORKERS}"
        )
    return int(text)


class _Progress:
    """Adds up the workers' progress; redraws one line on a terminal."""

    def __init__(self, workers: int, out: TextIO) -> None:
        self._lock = threading.Lock()
        self._reports = [SchedulerReport()] * workers
        self._out = out
        self._shown = out.isatty()

    def update(self, worker: int, report: SchedulerReport) -> None:
        with self._lock:
            self._reports[worker] = report
            if self._shown:
                done = self.total()
                self._out.write(
                    f"\r  {len(done.handled):>9,} handled  {done.not_due:>7,} not due  "
                    f"{len(done.failed):>5,} failed"
                )
                self._out.flush()

    def total(self) -> SchedulerReport:
        return SchedulerReport(
            tuple(key for report in self._reports for key in report.handled),
            sum(report.not_due for report in self._reports),
            tuple(item for report in self._reports for item in report.failed),
        )

    def finish(self) -> None:
        if self._shown:
            self._out.write("\n")


def _run(arguments: argparse.Namespace) -> int:
    url: str = arguments.db
    if missing_database(url, "run-due"):
        return USAGE
    clock: Clock = SystemClock()
    if arguments.until is not None:
        clock = FixedClock(datetime.combine(arguments.until, time(12), UTC))
    progress = _Progress(arguments.workers, sys.stderr)

    def work(worker: int) -> None:
        billing = Billing(open_store(arguments.db), clock=clock)
        try:
            billing.run_due(progress=lambda report: progress.update(worker, report))
        finally:
            billing.store.close()

    with ThreadPoolExecutor(arguments.workers) as pool:
        for finished in [pool.submit(work, index) for index in range(arguments.workers)]:
            finished.result()
    progress.finish()
    report = progress.total()
    print(
        f"run at {clock.now():%Y-%m-%d %H:%M} UTC: {len(report.handled)} services handled, "
        f"{report.not_due} not due yet, {len(report.failed)} failed"
    )
    for service_id, error in report.failed:
        print(f"  failed {service_id}: {error}")
    return FAILED if report.failed else 0
