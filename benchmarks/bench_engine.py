"""The billing engine's speed and size, as ratios against baselines measured in the same run.

Run: ``PYTHONPATH=src python benchmarks/bench_engine.py [services]``

- one period priced with its explanation (:func:`prodlife.proration.prorate`) against
  bare ``Decimal`` arithmetic (target: within 3x);
- a renewal billed through a service's ledger (:func:`prodlife.billing.bill`) for books
  aged 12 and 36 months against fresh ones (in their first month), with varied prices and
  billing days (target: the cost per service does not grow with age, within 1.2x);
- the size of a service's timeline and ledger as stored, fresh and aged (the ledger keeps
  only the lines of days not yet settled, so it must not grow with age).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from prodlife import Money, Period
from prodlife.billing import Ledger, LineType, Rate, Timeline, Track, bill
from prodlife.cycles import MONTHLY, BillingSchedule
from prodlife.proration import prorate
from prodlife.serialization import make_converter

PRICES = ["9.90", "19.95", "29.00", "49.99", "120.00", "7.25", "99.00"]


def best(repeat: int, work: Callable[[], object]) -> float:
    """The best of ``repeat`` timings of ``work``, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def book(count: int, months: int) -> list[tuple[Timeline, Ledger]]:
    """``count`` services begun ``months`` months before 2027-01 and billed every month."""
    books = []
    for index in range(count):
        day = 1 + index % 28
        start = date(2027 - (months + 11) // 12, (12 - months % 12) % 12 + 1, day)
        schedule = BillingSchedule(MONTHLY, start)
        price = Money(PRICES[index % len(PRICES)], "EUR")
        rate = Rate(start, None, price, schedule, "VPS")
        timeline = Timeline(
            f"S-{index}", "C-1", start, tracks=(Track.of(LineType.RECURRING, "", rate),)
        )
        ledger = Ledger()
        for month in range(months):
            ledger, _ = bill(timeline, ledger, MONTHLY.shift(start, month))
        books.append((timeline, ledger))
    return books


def renew_all(books: list[tuple[Timeline, Ledger]]) -> None:
    for timeline, ledger in books:
        due = ledger.invoiced_until("") or timeline.start
        bill(timeline, ledger, due)


def main(count: int) -> None:
    january = Period(date(2026, 1, 1), date(2026, 2, 1))
    part = Period(date(2026, 1, 17), date(2026, 2, 1))
    price = Money("29.99", "USD")
    amount = Decimal("29.99")
    quantum = Decimal("0.01")
    loops = 20_000
    explained = best(5, lambda: [prorate(price, january, part) for _ in range(loops)])
    bare = best(5, lambda: [(amount * 15 / 31).quantize(quantum) for _ in range(loops)])
    print("one period priced")
    print(f"  prorate, explained : {explained / loops * 1e6:8.2f} µs")
    print(f"  bare Decimal       : {bare / loops * 1e6:8.2f} µs")
    ratio = explained / bare
    print(f"  ratio              : {ratio:8.1f}x (target < 3x: {'met' if ratio < 3 else 'MISSED'})")

    converter = make_converter()
    fresh = book(count, 1)  # billed once: a service in its first month
    print(f"a renewal billed through the ledger, {count:,} services")
    base = best(3, lambda: renew_all(fresh))
    print(f"  fresh books        : {base / count * 1e6:8.1f} µs each")
    for months in (12, 36):
        aged = book(count, months)
        took = best(3, lambda aged=aged: renew_all(aged))  # type: ignore[misc]
        ratio = took / base
        verdict = "met" if ratio < 1.2 else "MISSED"
        print(
            f"  aged {months:2d} months     : {took / count * 1e6:8.1f} µs each "
            f"({ratio:.2f}x fresh; target < 1.2x: {verdict})"
        )
        sizes = [
            len(json.dumps(converter.unstructure(ledger)))
            + len(json.dumps(converter.unstructure(timeline)))
            for timeline, ledger in aged[:100]
        ]
        print(f"    timeline and ledger as stored: {sum(sizes) / len(sizes):,.0f} bytes")
    sizes = [
        len(json.dumps(converter.unstructure(ledger)))
        + len(json.dumps(converter.unstructure(timeline)))
        for timeline, ledger in fresh[:100]
    ]
    print(f"  fresh timeline and ledger as stored: {sum(sizes) / len(sizes):,.0f} bytes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
