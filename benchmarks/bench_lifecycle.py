"""Benchmark the scheduler's billing run and the memory a service takes at rest.

Run: ``PYTHONPATH=src python benchmarks/bench_lifecycle.py [services]`` (default 100,000).

Prints, for a billing run in which every service is due (each gets its renewal
invoice line, an event and a history entry):

- services per second through :func:`prodlife.lifecycle.scheduler.run_due`,
  next to a plain-dict loop doing the same bookkeeping (advance the invoiced
  date, build a line, an event and a history record as dicts) in the same run,
  and the ratio;
- the time a run over 1,000,000 services would take at that speed (target:
  under 60 s on 2 cores; the run is one process, so one core);
- the memory one service takes at rest, history excluded, measured with
  tracemalloc over all services (shared values such as the product code,
  cycle, status and price are shared the way a store's loader shares them),
  next to the same data as a plain dict (target: under 1 KB).
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from prodlife import Money
from prodlife.cycles import MONTHLY
from prodlife.lifecycle.scheduler import SchedulerPolicy, run_due
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ACTIVE
from prodlife.pricing.recurring import RecurringPrice

DUE = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 6, tzinfo=UTC)


def make_services(count: int) -> list[Service]:
    price = RecurringPrice.at_order(Money("19.90", "EUR"))
    start = date(2026, 2, 1)
    return [
        Service(
            id=f"S-{i:07d}",
            customer_id=f"C-{i // 3:07d}",
            product_code="VPS",
            edition="pro",
            cycle=MONTHLY,
            price=price,
            payment_method="card",
            start=start,
            next_due=DUE,
            paid_through=DUE - timedelta(days=1),
            status=ACTIVE,
        )
        for i in range(count)
    ]


def make_dicts(count: int) -> list[dict[str, Any]]:
    amount = Decimal("19.90")
    start = date(2026, 2, 1)
    return [
        {
            "id": f"S-{i:07d}",
            "customer_id": f"C-{i // 3:07d}",
            "product_code": "VPS",
            "edition": "pro",
            "cycle": "monthly",
            "price": amount,
            "currency": "EUR",
            "override": False,
            "payment_method": "card",
            "start": start,
            "next_due": DUE,
            "paid_through": DUE - timedelta(days=1),
            "invoiced_until": None,
            "status": "active",
            "auto_renew": True,
            "version": 0,
            "history": [],
        }
        for i in range(count)
    ]


def plain_run(
    rows: list[dict[str, Any]],
) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """The same run as plain dicts: invoice each due service's next month."""
    lines = []
    for row in sorted(rows, key=lambda r: r["id"]):
        due = row["next_due"]
        if row["status"] != "active" or row["invoiced_until"] is not None or due > NOW.date():
            continue
        end = date(due.year + due.month // 12, due.month % 12 + 1, 1)
        changed = dict(row)
        changed["invoiced_until"] = end
        changed["version"] = row["version"] + 1
        changed["history"] = [*row["history"], {"at": NOW, "operation": "invoice"}]
        event = {"kind": "invoiced", "service": row["id"], "at": NOW}
        line = {"service": row["id"], "amount": row["price"], "start": due, "end": end}
        lines.append((changed, event, line))
    return lines


def best(runs: int, work: Any) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def at_rest(build: Any, count: int) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    made = build(count)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del made
    return (after - before) / count


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    policy = SchedulerPolicy(invoice_days_before=0)
    services, rows = make_services(count), make_dicts(count)
    run = run_due(services, NOW, policy)
    assert len(run.lines) == count, "every service must be invoiced exactly once"
    assert not run_due(run.services, NOW, policy).outcomes, "a second run must do nothing"
    ours = best(3, lambda: run_due(services, NOW, policy))
    plain = best(3, lambda: plain_run(rows))
    per_service = ours / count
    print(f"billing run over {count:,} services, every one due")
    print(
        f"  prodlife run_due : {count / ours:12,.0f} services/s  ({per_service * 1e6:.1f} µs each)"
    )
    print(f"  plain dicts      : {count / plain:12,.0f} services/s")
    print(f"  ratio            : {ours / plain:12.1f}x the plain-dict loop")
    million = per_service * 1_000_000
    verdict = "met" if million < 60 else "MISSED"
    print(f"  1,000,000 services at this speed: {million:.1f} s (target < 60 s: {verdict})")
    ours_bytes = at_rest(make_services, min(count, 50_000))
    plain_bytes = at_rest(make_dicts, min(count, 50_000))
    verdict = "met" if ours_bytes < 1024 else "MISSED"
    print("memory per service at rest (history excluded)")
    print(f"  prodlife Service : {ours_bytes:8.0f} bytes")
    print(f"  plain dict       : {plain_bytes:8.0f} bytes")
    print(f"  ratio            : {ours_bytes / plain_bytes:8.2f}x (target < 1 KB: {verdict})")


if __name__ == "__main__":
    main()
