"""Benchmark the stores: saving and loading services, and a billing run over a stored book.

Run: ``PYTHONPATH=src python benchmarks/bench_store.py [services] [run-services] [workers]``
(defaults 10,000, 100,000 and 2). With ``PRODLIFE_POSTGRESQL_URL`` set, PostgreSQL is
measured too.

Prints, for each store (memory, SQLite file, PostgreSQL when given):

- services saved per second (``add`` of every service in one transaction) and loaded per
  second (``get`` of each, then ``get_many`` in batches of 500, each in one read-only
  transaction), next to raw ``sqlite3`` inserting and
  reading the same JSON documents (``json.dumps`` of each service's document into a
  ``(id, doc)`` table, ``json.loads`` back) in the same run, and the ratio (target: at most
  5x);
- the billing run: ``Billing.run_due`` over ``run-services`` services stored in an SQLite
  file, every one of them due (their renewal invoice line, event and history entry are
  written back), run by ``workers`` processes at once, and the time that gives for
  1,000,000 services (target: under 60 s on 2 cores). A book where everything is due on the
  same day is the worst day of the month for a host that bills everyone on the 1st.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from prodlife import MONTHLY, Billing, FixedClock, Money, Service, ServiceQuery
from prodlife.lifecycle import ACTIVE
from prodlife.lifecycle.data import service_to_data
from prodlife.ports import Store
from prodlife.pricing.recurring import RecurringPrice
from prodlife.stores import open_store

DUE = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 6, tzinfo=UTC)


def make_services(count: int, prefix: str = "S-") -> list[Service]:
    price = RecurringPrice.at_order(Money("19.90", "EUR"))
    return [
        Service(
            id=f"{prefix}{i:07d}",
            customer_id=f"C-{i // 3:07d}",
            product_code=("VPS", "WEB", "MAIL")[i % 3],
            edition="pro",
            cycle=MONTHLY,
            price=price,
            payment_method="card",
            start=date(2026, 2, 1),
            next_due=DUE,
            paid_through=DUE - timedelta(days=1),
            status=ACTIVE,
        )
        for i in range(count)
    ]


def raw_sqlite(services: list[Service], path: Path) -> tuple[float, float]:
    """Seconds to insert, then read, the services' JSON documents with bare sqlite3."""
    documents = [(s.id, service_to_data(s)) for s in services]
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE services (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    for key, document in documents:
        connection.execute("INSERT INTO services VALUES (?, ?)", (key, json.dumps(document)))
    connection.execute("COMMIT")
    saved = time.perf_counter() - started
    started = time.perf_counter()
    connection.execute("BEGIN")
    for key, _ in documents:
        (text,) = connection.execute("SELECT doc FROM services WHERE id = ?", (key,)).fetchone()
        json.loads(text)
    connection.execute("COMMIT")
    loaded = time.perf_counter() - started
    connection.close()
    return saved, loaded


def through_store(store: Store, services: list[Service]) -> tuple[float, float, float]:
    """Seconds to add, then get one by one, then get in batches of 500, through a store."""
    started = time.perf_counter()
    with store.transaction() as uow:
        for service in services:
            uow.services.add(service, due_on=DUE)
        uow.commit()
    saved = time.perf_counter() - started
    started = time.perf_counter()
    with store.transaction(readonly=True) as uow:
        for service in services:
            uow.services.get(service.id)
    loaded = time.perf_counter() - started
    ids = [service.id for service in services]
    started = time.perf_counter()
    with store.transaction(readonly=True) as uow:
        for start in range(0, len(ids), 500):
            uow.services.get_many(ids[start : start + 500])
    batched = time.perf_counter() - started
    return saved, loaded, batched


def _worker(url: str, name: str) -> int:
    store = open_store(url)
    report = Billing(store, clock=FixedClock(NOW)).run_due(worker=name, batch=500)
    store.close()
    if report.failed:
        raise SystemExit(f"{name}: {len(report.failed)} services failed: {report.failed[:3]}")
    return len(report.handled)


def billing_run(count: int, workers: int, folder: Path) -> float:
    """Seconds for ``workers`` processes to run the scheduler over ``count`` stored services."""
    url = f"sqlite:///{folder / 'run.db'}"
    store = open_store(url)
    services = make_services(count)
    with store.transaction() as uow:
        for service in services:
            uow.services.add(service, due_on=DUE)
        uow.commit()
    store.close()
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with context.Pool(workers) as pool:
        handled = pool.starmap(_worker, [(url, f"worker-{n}") for n in range(workers)])
    elapsed = time.perf_counter() - started
    if sum(handled) != count:
        raise SystemExit(f"the run handled {sum(handled)} services, not {count}")
    store = open_store(url)
    with store.transaction() as uow:
        left = uow.services.count(ServiceQuery(due_on_or_before=DUE))
    store.close()
    if left:
        raise SystemExit(f"{left} services are still due after the run")
    print(f"  handled per worker: {handled}")
    return elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    run_count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    services = make_services(count)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        raw_save, raw_load = raw_sqlite(services, folder / "raw.db")
        print(
            f"{count:,} services; raw sqlite3 + json: save {count / raw_save:,.0f}/s, "
            f"load {count / raw_load:,.0f}/s"
        )
        urls = {"memory": "memory:", "sqlite": f"sqlite:///{folder / 'store.db'}"}
        if os.environ.get("PRODLIFE_POSTGRESQL_URL"):
            urls["postgresql"] = os.environ["PRODLIFE_POSTGRESQL_URL"]
        for kind, url in urls.items():
            options = {"schema": "bench_store"} if kind == "postgresql" else {}
            store = open_store(url, **options)
            saved, loaded, batched = through_store(store, services)
            store.close()
            print(
                f"{kind:>10}: save {count / saved:>9,.0f}/s ({saved / raw_save:.1f}x raw), "
                f"load {count / loaded:>9,.0f}/s ({loaded / raw_load:.1f}x raw), "
                f"load in batches {count / batched:>9,.0f}/s ({batched / raw_load:.1f}x raw)"
                "  [target <= 5x]"
            )
        elapsed = billing_run(run_count, workers, folder)
        per = elapsed / run_count
        print(
            f"billing run, SQLite, {workers} worker processes, {run_count:,} due services: "
            f"{elapsed:.1f} s ({per * 1e6:.0f} us/service) -> 1,000,000 in "
            f"{per * 1_000_000:.0f} s  [target < 60 s]"
        )


if __name__ == "__main__":
    main()
