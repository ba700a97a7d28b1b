"""What the worker processes of the SQL store tests run (imported by spawned children).

:func:`spawn` starts them, one process per call, and collects what they put on ``results``.

Each worker opens its own store (a :class:`~prodlife.stores.postgres.PostgresStore`, a
:class:`~prodlife.stores.sqlite.SQLiteStore` where it says so, or any store
:func:`~prodlife.stores.open_store` opens), does its part, closes it, and puts one ``dict``
on ``results``: what it did, or ``"error"`` with the traceback, so the test never waits on
a child that failed.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from prodlife.app import Billing
from prodlife.catalog import Catalog, CatalogVersion
from prodlife.clock import FixedClock
from prodlife.errors import ConcurrencyConflict, InvalidCatalog
from prodlife.lifecycle import Actor, reboot
from prodlife.lifecycle.scheduler import SchedulerPolicy, next_work_date, run_service
from prodlife.ports import Store
from prodlife.pricing import PromotionRefused
from prodlife.stores import open_store
from prodlife.stores.postgres import PostgresStore
from prodlife.stores.sqlite import SQLiteStore
from tests._lifecycle import STAFF

#: How long a test waits for its worker processes.
PROCESS_TIMEOUT = 120.0
#: How long a child waits for its siblings at a barrier before giving up.
BARRIER_TIMEOUT = 60.0
#: How long a racer keeps its transaction open after its write, so the others write meanwhile.
HOLD = 0.3


def spawn(target: Callable[..., None], calls: list[tuple[Any, ...]], *, barrier: bool) -> list[Any]:
    """Run ``target(*call, [barrier,] results)`` in a spawned process per call; their results."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    extra = (context.Barrier(len(calls)),) if barrier else ()
    processes = [context.Process(target=target, args=(*call, *extra, results)) for call in calls]
    for process in processes:
        process.start()
    try:
        collected = [results.get(timeout=PROCESS_TIMEOUT) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=PROCESS_TIMEOUT)
            if process.is_alive():  # pragma: no cover - only when a child hangs
                process.terminate()
                process.join()
    failures = [result["error"] for result in collected if "error" in result]
    assert not failures, "\n".join(failures)
    assert [process.exitcode for process in processes] == [0] * len(processes)
    return collected


def race_reboot(
    url: str, schema: str, service_id: str, reason: str, at: datetime, barrier: Any, results: Any
) -> None:
    """Load the service, wait for the other racer, reboot it and save it with the loaded version.

    Puts ``{"reason": reason, "result": "won" | "conflict", "loaded": version}``.
    """
    with _or_error(results, reason=reason):
        store = PostgresStore(url, schema=schema)
        try:
            with store.transaction() as uow:
                service = uow.services.get(service_id)
                barrier.wait(BARRIER_TIMEOUT)
                outcome = reboot(service, STAFF, at, reason=reason)
                try:
                    uow.services.save(
                        outcome.service, expected_version=service.version, due_on=None
                    )
                except ConcurrencyConflict:
                    result = "conflict"
                else:
                    uow.events.add(outcome.events)
                    uow.commit()
                    result = "won"
        finally:
            store.close()
        results.put({"reason": reason, "result": result, "loaded": service.version})


@contextmanager
def _or_error(results: Any, **who: str) -> Iterator[None]:
    """What the block raises, put on ``results`` as ``who`` with ``"error"``, the traceback,
    so that the test never waits on a child that failed."""
    try:
        yield
    except BaseException:
        results.put({**who, "error": traceback.format_exc()})


def _claim(
    store: Store, worker: str, today: date, now: datetime, limit: int, lease: timedelta
) -> list[str]:
    """Claim up to ``limit`` services due by ``today`` for ``worker``, and commit the claim."""
    with store.transaction() as uow:
        claimed = uow.scheduler.claim_due(today, worker=worker, now=now, lease=lease, limit=limit)
        uow.commit()
    return claimed


def run_scheduler(
    url: str,
    schema: str,
    worker: str,
    today: date,
    now: datetime,
    limit: int,
    lease: timedelta,
    barrier: Any,
    results: Any,
) -> None:
    """Claim due services in batches and run each in its own transaction, until none is left.

    Puts ``{"worker", "processed": [ids], "unchanged": [ids], "conflicts": [ids],
    "batches": n}``.
    """
    with _or_error(results, worker=worker):
        policy = SchedulerPolicy()
        processed: list[str] = []
        unchanged: list[str] = []
        conflicts: list[str] = []
        batches = 0
        store = PostgresStore(url, schema=schema)
        try:
            if barrier is not None:
                barrier.wait(BARRIER_TIMEOUT)
            while True:
                claimed = _claim(store, worker, today, now, limit, lease)
                if not claimed:
                    break
                batches += 1
                for service_id in claimed:
                    with store.transaction() as uow:
                        service = uow.services.get(service_id)
                        outcome = run_service(service, now, policy)
                        changed = service if outcome is None else outcome.service
                        try:
                            uow.services.save(
                                changed,
                                expected_version=service.version,
                                due_on=next_work_date(changed, policy),
                                worker=worker,
                            )
                        except ConcurrencyConflict:
                            conflicts.append(service_id)
                            continue
                        if outcome is None:
                            unchanged.append(service_id)
                        else:
                            uow.invoice_lines.add(
                                outcome.lines, product_code=service.product_code, issued_at=now
                            )
                            uow.events.add(outcome.events)
                            processed.append(service_id)
                        uow.commit()
        finally:
            store.close()
        results.put(
            {
                "worker": worker,
                "processed": processed,
                "unchanged": unchanged,
                "conflicts": conflicts,
                "batches": batches,
            }
        )


def claim_and_die(
    url: str,
    schema: str,
    worker: str,
    today: date,
    now: datetime,
    limit: int,
    lease: timedelta,
    results: Any,
) -> None:
    """Claim one batch, commit the claim, and exit without running any of it.

    Puts ``{"worker", "claimed": [ids]}``.
    """
    with _or_error(results, worker=worker):
        store = PostgresStore(url, schema=schema)
        try:
            claimed = _claim(store, worker, today, now, limit, lease)
        finally:
            store.close()
        results.put({"worker": worker, "claimed": claimed})


def run_billing(
    url: str, schema: str, worker: str, now: datetime, batch: int, barrier: Any, results: Any
) -> None:
    """Run :meth:`prodlife.app.Billing.run_due` as ``worker`` once every sibling is ready.

    Puts ``{"worker", "handled": [ids], "failed": [(id, error)], "not_due": n}``.
    """
    with _or_error(results, worker=worker):
        store = PostgresStore(url, schema=schema)
        try:
            barrier.wait(BARRIER_TIMEOUT)
            report = Billing(store, clock=FixedClock(now)).run_due(worker=worker, batch=batch)
        finally:
            store.close()
        results.put(
            {
                "worker": worker,
                "handled": list(report.handled),
                "failed": list(report.failed),
                "not_due": report.not_due,
            }
        )


def order_with_code(
    url: str,
    schema: str | None,
    order_id: str,
    customer_id: str,
    code: str,
    now: datetime,
    barrier: Any,
    results: Any,
) -> None:
    """Place an order of one VPS with the promo ``code`` once every sibling is ready.

    Puts ``{"order": order_id, "result": "placed" | "refused"}``.
    """
    from tests.test_lifecycle_orders import CONTEXT, order

    with _or_error(results, order=order_id):
        store = open_store(url) if schema is None else open_store(url, schema=schema)
        try:
            with store.transaction(readonly=True) as uow:
                context = attrs.evolve(CONTEXT, promotions=(uow.promotions.get(code),))
            placed = order(id=order_id, customer_id=customer_id, promo_code=code)
            app = Billing(store, clock=FixedClock(now))
            barrier.wait(BARRIER_TIMEOUT)
            try:
                app.place_order(placed, context, Actor.customer(customer_id))
            except PromotionRefused:
                result = "refused"
            else:
                result = "placed"
        finally:
            store.close()
        results.put({"order": order_id, "result": result})


def race_catalog_version(
    database: str, where: str, schema: str, name: str, effective: date, barrier: Any, results: Any
) -> None:
    """Add the catalog version ``name`` taking effect on ``effective`` once every racer is ready.

    ``database`` is ``"sqlite"`` (``where`` the file) or ``"postgresql"`` (``where`` the
    server's URL, in ``schema``). The version is added, then its transaction stays open
    :data:`HOLD` seconds before it commits, so the racers' writes overlap. Puts
    ``{"name": name, "result": "stored"}``, or the refusal's rules (``"version.same-day"``).
    """
    with _or_error(results, name=name):
        store: Store = (
            SQLiteStore(where) if database == "sqlite" else PostgresStore(where, schema=schema)
        )
        try:
            barrier.wait(BARRIER_TIMEOUT)
            with store.transaction() as uow:
                uow.catalog.add_version(CatalogVersion(name, effective, Catalog()))
                time.sleep(HOLD)
                uow.commit()
            result = "stored"
        except InvalidCatalog as refused:
            result = " ".join(problem.rule for problem in refused.problems)
        finally:
            store.close()
        results.put({"name": name, "result": result})
