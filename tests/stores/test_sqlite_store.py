"""The SQLite store: what only SQLite has (files, WAL, locks, processes, driver errors).

The behaviour every store shares is proved by :mod:`prodlife.testing.contract`;
here a smoke test and a parity check against the in-memory reference store
stand in for it, and the rest is SQLite's own: the schema and its migrations,
write-ahead logging and ``BEGIN IMMEDIATE``, the mapping of driver errors,
a process killed mid-transaction, and writers racing on one service from
threads and from processes.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from prodlife import Money
from prodlife.billing import InvoiceLine, LineType
from prodlife.catalog.catalog import CatalogVersion
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    StoreBusy,
    StoreError,
    StoreUnavailable,
    ValidationError,
)
from prodlife.lifecycle import SuspensionKind, reboot, suspend
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.orders import Order, OrderLine
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status
from prodlife.lifecycle.transitions import Operation
from prodlife.ports import InvoiceQuery, ServiceQuery, Store, UnitOfWork
from prodlife.pricing import OrderLineSpec, PricePlan, Promotion, PromotionKind
from prodlife.stores import open_store
from prodlife.stores import sqlite as sqlite_module
from prodlife.stores._documents import dumps
from prodlife.stores.memory import MemoryStore
from prodlife.stores.sqlite import SCHEMA_VERSION, SQLiteStore, SQLiteUnitOfWork
from prodlife.testing.contract._values import make_line
from tests._lifecycle import CATALOG, OWNER_ID, SERVICE_ID, STAFF, at, web
from tests._support import usd

ROOT = Path(__file__).resolve().parents[2]
NOW = at("2025-04-20")
LEASE = timedelta(minutes=5)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the test's database file goes."""
    return tmp_path / "billing.db"


@pytest.fixture
def store(path: Path) -> Iterator[SQLiteStore]:
    """A fresh SQLite store in its own file, closed afterwards."""
    opened = SQLiteStore(path)
    yield opened
    opened.close()


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection to ``path``, managing its own transactions."""
    return sqlite3.connect(path, isolation_level=None)


def add(store: Store, *services: Service, due_on: date | None = None) -> None:
    """Store ``services`` in one committed transaction."""
    with store.transaction() as uow:
        for service in services:
            uow.services.add(service, due_on=due_on)
        uow.commit()


def line(amount: str, *, service_id: str = SERVICE_ID, currency: str = "USD") -> InvoiceLine:
    """A charge (or, when negative, a reversal) of ``amount``."""
    return make_line(service_id, OWNER_ID, Money(amount, currency), "April")


def order(order_id: str, placed_at: datetime, customer_id: str = OWNER_ID) -> Order:
    """A one-line order."""
    return Order(
        id=order_id,
        customer_id=customer_id,
        payment_method="card",
        lines=(OrderLine(OrderLineSpec("VPS")),),
        placed_at=placed_at,
    )


def child(script: str, *args: str) -> subprocess.Popen[str]:
    """A Python process running ``script`` with prodlife and the tests importable."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def expect_line(process: subprocess.Popen[str], prefix: str) -> str:
    """The next line ``process`` prints, which must start with ``prefix``."""
    assert process.stdout is not None
    text = process.stdout.readline()
    if not text.startswith(prefix):
        process.kill()
        _, errors = process.communicate(timeout=30)
        pytest.fail(f"expected {prefix!r} from the child, got {text!r}; stderr:\n{errors}")
    return text.strip()


# --- a smoke test of every repository ------------------------------------------------------------


def test_every_aggregate_round_trips(store: SQLiteStore) -> None:
    service = web()
    plan = PricePlan("STD", "Standard", "USD", [])
    promotion = Promotion("Half", PromotionKind.PERCENTAGE, Decimal(50))
    version = CatalogVersion("2025", date(2025, 1, 1), CATALOG)
    first = order("O-1", NOW)
    outcome = reboot(service, STAFF, NOW)
    with store.transaction() as uow:
        assert isinstance(uow, SQLiteUnitOfWork)
        uow.services.add(service, due_on=date(2025, 5, 1))
        uow.price_plans.add(plan)
        uow.promotions.add(promotion)
        uow.promotions.record_use("HALF", OWNER_ID, "O-1")
        uow.catalog.add_version(version)
        uow.orders.add(first)
        uow.invoice_lines.add([line("10.00"), line("-2.50")], product_code="WEB", issued_at=NOW)
        uow.events.add(outcome.events)
        uow.commit()
    with store.transaction() as uow:
        assert uow.services.get(SERVICE_ID) == service
        assert uow.price_plans.all() == [plan]
        assert uow.promotions.get("half") == promotion
        assert uow.promotions.uses("half", OWNER_ID) == 1
        assert uow.catalog.versions().versions == (version,)
        assert uow.catalog.versions().versions == (version,)  # decoded once, then cached
        assert uow.orders.for_customer(OWNER_ID) == [first]
        lines = uow.invoice_lines.for_service(SERVICE_ID)
        assert [(item.sequence, item.line.amount) for item in lines] == [
            (1, Money("10.00", "USD")),
            (2, Money("-2.50", "USD")),
        ]
        assert lines[0].issued_at == NOW
        assert lines[0].issued_at.tzinfo is UTC
        assert [item.event for item in uow.events.unpublished()] == list(outcome.events)
        assert uow.scheduler.claim_due(
            date(2025, 5, 1), worker="w", now=NOW, lease=LEASE, limit=10
        ) == [SERVICE_ID]
        uow.services.save(outcome.service, expected_version=0, due_on=None)
        assert uow.services.get(SERVICE_ID) == outcome.service.at_rest()
    with store.transaction() as uow:  # left without commit: rolled back
        assert uow.services.get(SERVICE_ID) == service


def test_open_store_url_opens_sqlite(path: Path) -> None:
    store = open_store(f"sqlite:///{path}", timeout=1.0)
    assert isinstance(store, SQLiteStore)
    assert isinstance(store, Store)
    add(store, web())
    store.close()
    assert path.exists()


def test_memory_database_is_private_and_shared_between_threads() -> None:
    first, second = SQLiteStore(":memory:"), open_store("sqlite:///:memory:")
    add(first, web())

    def count() -> int:
        with first.transaction() as uow:
            return uow.services.count(ServiceQuery())

    counts: list[int] = []
    workers = [threading.Thread(target=lambda: counts.append(count())) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert counts == [1, 1, 1, 1]
    with second.transaction() as uow:
        assert uow.services.count(ServiceQuery()) == 0
    first.close()
    second.close()


def _script(uow: UnitOfWork) -> list[object]:
    """Operations whose answers must be the same in every store."""
    services = [web(id=f"S-{index:02d}", customer_id=f"C-{index % 3}") for index in range(12)]
    for index, service in enumerate(services):
        uow.services.add(service, due_on=date(2025, 5, 1 + index % 4) if index % 5 else None)
    answers: list[object] = []
    for limit in (None, 0, 3):
        for query in (
            ServiceQuery(limit=limit),
            ServiceQuery(customer_id="C-1", limit=limit),
            ServiceQuery(status=Status.ACTIVE, after_id="S-04", limit=limit),
            ServiceQuery(due_on_or_before=date(2025, 5, 2), product_code="WEB", limit=limit),
        ):
            answers.append([service.id for service in uow.services.find(query)])
            answers.append(uow.services.count(query))
    answers.append(
        uow.scheduler.claim_due(date(2025, 5, 3), worker="a", now=NOW, lease=LEASE, limit=-2)
    )
    answers.append(
        uow.scheduler.claim_due(date(2025, 5, 9), worker="b", now=NOW, lease=LEASE, limit=3)
    )
    uow.scheduler.release(["S-01", "S-02", "S-03"], worker="a")
    answers.append(
        uow.scheduler.claim_due(date(2025, 5, 9), worker="c", now=NOW, lease=LEASE, limit=9)
    )
    answers.append(
        uow.scheduler.claim_due(date(2025, 5, 9), worker="d", now=NOW + LEASE, lease=LEASE, limit=9)
    )
    uow.events.add([Event(EventKind.REBOOTED, f"S-{n:02d}", "C-1", NOW) for n in range(5)])
    uow.events.mark_published([2, 4, 99])
    answers.append([(item.sequence, item.published) for item in uow.events.for_service("S-01")])
    for limit in (None, 0, 2):
        answers.append([item.sequence for item in uow.events.unpublished(limit)])
    return answers


def test_answers_match_the_reference_store(store: SQLiteStore) -> None:
    reference = MemoryStore()
    with reference.transaction() as expected_uow, store.transaction() as uow:
        assert _script(uow) == _script(expected_uow)


# --- schema and migrations -----------------------------------------------------------------------


def test_schema_is_created_on_open(store: SQLiteStore, path: Path) -> None:
    with raw(path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        version = connection.execute("SELECT version FROM schema_version").fetchall()
    assert version == [(SCHEMA_VERSION,)]
    assert {
        "catalog_versions",
        "price_plans",
        "promotions",
        "promotion_uses",
        "services",
        "orders",
        "invoice_lines",
        "events",
        "services_customer",
        "services_product",
        "services_status",
        "schedule",
        "schedule_due",
        "service_history",
        "invoice_lines_service",
        "invoice_lines_customer",
        "invoice_lines_issued",
        "events_unpublished",
        "sync_runs",
        "sync_runs_newest",
        "goods_movements",
        "goods_readings_at",
        "invoices",
        "invoices_customer",
        "invoices_status",
        "invoice_services",
        "invoice_series",
        "credit_balances",
        "payments",
        "payments_customer",
        "catalog_versions_effective",
        "catalog_forms",
    } <= names


def test_reopening_a_file_keeps_its_data(path: Path) -> None:
    first = SQLiteStore(path)
    add(first, web(), due_on=date(2025, 5, 1))
    first.close()
    again = SQLiteStore(path)
    with again.transaction() as uow:
        assert uow.services.get(SERVICE_ID) == web()
        assert uow.services.count(ServiceQuery(due_on_or_before=date(2025, 5, 1))) == 1
    again.close()


def test_a_file_at_schema_version_1_is_migrated_forward_keeping_its_data(path: Path) -> None:
    store = SQLiteStore(path)
    store.close()
    rebooted = _reboot(web()).service
    with raw(path) as connection:  # put the file back as version 1 wrote it
        connection.execute("DROP TABLE schedule")
        connection.execute("DROP TABLE service_history")
        connection.execute("DROP TABLE sync_runs")
        for table in (
            "goods_warehouses",
            "goods_movements",
            "goods_serials",
            "goods_readings",
            "invoices",
            "invoice_services",
            "invoice_series",
            "credit_balances",
            "payments",
            "catalog_withdrawn",
            "reseller_offerings",
            "catalog_forms",
        ):
            connection.execute(f"DROP TABLE {table}")
        connection.execute("DROP INDEX catalog_versions_effective")
        connection.execute("ALTER TABLE invoice_lines DROP COLUMN line_type")
        # Lines of those days: a charge and the tax on it, told apart by their documents only.
        charge = InvoiceLine(
            SERVICE_ID,
            OWNER_ID,
            LineType.ONE_TIME,
            "WEB",
            "",
            "setup",
            usd("10.00"),
            day=date(2025, 4, 1),
        )
        tax = InvoiceLine(
            SERVICE_ID,
            OWNER_ID,
            LineType.TAX,
            "WEB",
            "VAT",
            "VAT",
            usd("2.00"),
            day=date(2025, 4, 1),
        )
        for line in (charge, tax):
            connection.execute(
                "INSERT INTO invoice_lines (service_id, customer_id, product_code, issued_at, "
                "currency, amount, doc) VALUES (?, ?, 'WEB', ?, 'USD', ?, ?)",
                (
                    SERVICE_ID,
                    OWNER_ID,
                    "2025-04-01T00:00:00.000000+00:00",
                    str(line.amount.amount),
                    dumps(line),
                ),
            )
        connection.execute("DROP TABLE services")
        connection.execute(
            "CREATE TABLE services (id TEXT PRIMARY KEY NOT NULL, customer_id TEXT NOT NULL, "
            "product_code TEXT NOT NULL, status TEXT NOT NULL, due_on TEXT, "
            "version INTEGER NOT NULL, worker TEXT, lease_until TEXT, doc TEXT NOT NULL)"
        )
        connection.execute(
            "CREATE INDEX services_due ON services (due_on, id, lease_until) "
            "WHERE due_on IS NOT NULL"
        )
        # A service of those days held its whole history in its document.
        connection.execute(
            "INSERT INTO services VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
            (SERVICE_ID, OWNER_ID, "WEB", "active", "2025-05-01", 1, dumps(rebooted)),
        )
        connection.execute("UPDATE schema_version SET version = 1")
    store = SQLiteStore(path)
    with store.transaction() as uow:
        assert uow.services.get(SERVICE_ID) == rebooted
        assert uow.services.history(SERVICE_ID) == rebooted.history
        assert uow.services.count(ServiceQuery(due_on_or_before=date(2025, 5, 1))) == 1
        assert uow.sync_runs.recent() == []
        assert uow.invoices.find(InvoiceQuery()) == []
        assert uow.invoices.next_number("INV") == 1
        assert uow.payments.for_customer(OWNER_ID) == []
        april = datetime(2025, 4, 1, tzinfo=UTC)
        (revenue,) = uow.invoice_lines.revenue_by_product(april, april + timedelta(days=1))
        assert revenue.amount == usd("10.00") and revenue.lines == 1  # the tax left out
        later = _suspend(rebooted).service
        uow.services.save(later, expected_version=1, due_on=None)  # now kept at rest
        uow.commit()
    with store.transaction() as uow:
        assert uow.services.get(SERVICE_ID) == later.at_rest()
        assert uow.services.history(SERVICE_ID) == later.history
    store.close()
    with raw(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(services)")]
        (version,) = connection.execute("SELECT version FROM schema_version").fetchone()
    assert "due_on" not in columns and "worker" not in columns and version == SCHEMA_VERSION


def test_a_file_from_a_newer_prodlife_is_refused(path: Path) -> None:
    SQLiteStore(path).close()
    with raw(path) as connection:
        connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    newer = rf"schema version {SCHEMA_VERSION + 1}, newer than the {SCHEMA_VERSION}"
    with pytest.raises(StoreError, match=newer):
        SQLiteStore(path)


def test_missing_migrations_are_applied_in_order(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(SQLiteStore(path), web())
    later = (
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",
        "INSERT INTO notes (text) SELECT id FROM services",
    )
    monkeypatch.setattr(sqlite_module, "_MIGRATIONS", (*sqlite_module._MIGRATIONS, later))
    monkeypatch.setattr(sqlite_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    store = SQLiteStore(path)
    with raw(path) as connection:
        assert connection.execute("SELECT text FROM notes").fetchall() == [(SERVICE_ID,)]
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [
            (SCHEMA_VERSION + 1,)
        ]
    with store.transaction() as uow:
        assert uow.services.get(SERVICE_ID) == web()
    store.close()


def test_a_failing_migration_changes_nothing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    SQLiteStore(path).close()
    broken = ("CREATE TABLE notes (id INTEGER PRIMARY KEY)", "INSERT INTO nowhere VALUES (1)")
    monkeypatch.setattr(sqlite_module, "_MIGRATIONS", (*sqlite_module._MIGRATIONS, broken))
    monkeypatch.setattr(sqlite_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="no such table: nowhere") as raised:
        SQLiteStore(path)
    assert isinstance(raised.value.__cause__, sqlite3.Error)
    with raw(path) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [
            (SCHEMA_VERSION,)
        ]
        assert (
            connection.execute("SELECT name FROM sqlite_master WHERE name = 'notes'").fetchall()
            == []
        )


# --- durability settings and locking -------------------------------------------------------------


def _pragma(uow: SQLiteUnitOfWork, name: str) -> Any:
    return uow.connection().execute(f"PRAGMA {name}").fetchone()[0]


def test_wal_synchronous_normal_and_foreign_keys(store: SQLiteStore) -> None:
    with store.transaction() as uow:
        assert isinstance(uow, SQLiteUnitOfWork)
        assert _pragma(uow, "journal_mode") == "wal"
        assert _pragma(uow, "synchronous") == 1  # NORMAL
        assert _pragma(uow, "foreign_keys") == 1
        assert _pragma(uow, "busy_timeout") == 30_000
        assert _pragma(uow, "cache_size") == -65536


def test_synchronous_and_timeout_options(path: Path) -> None:
    store = SQLiteStore(path, synchronous="FULL", timeout=0.25)
    with store.transaction() as uow:
        assert isinstance(uow, SQLiteUnitOfWork)
        assert _pragma(uow, "synchronous") == 2  # FULL
        assert _pragma(uow, "busy_timeout") == 250
    store.close()
    with pytest.raises(ValidationError, match="synchronous"):
        SQLiteStore(path, synchronous="OFF")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="timeout"):
        SQLiteStore(path, timeout=-1)


def test_a_second_writer_times_out_with_store_busy(path: Path) -> None:
    store = SQLiteStore(path, timeout=0.2)
    holder = raw(path)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()

    def add_and_commit() -> None:
        with store.transaction() as uow:
            uow.services.add(web(), due_on=None)  # deferred until the first statement
            uow.commit()  # the first statement: it takes the lock

    with pytest.raises(StoreBusy, match="locked") as raised:
        add_and_commit()
    assert time.monotonic() - started >= 0.15
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
    holder.execute("ROLLBACK")
    with store.transaction() as uow:  # free again
        assert uow.services.count(ServiceQuery()) == 0
    holder.close()
    store.close()


def test_a_second_writer_waits_for_the_first(path: Path) -> None:
    first, second = SQLiteStore(path), SQLiteStore(path, timeout=10)
    holding, seen = threading.Event(), []

    def write_slowly() -> None:
        with first.transaction() as uow:
            uow.services.count(ServiceQuery())  # the first statement takes the write lock
            uow.services.add(web(), due_on=None)
            holding.set()
            time.sleep(0.3)
            uow.commit()

    writer = threading.Thread(target=write_slowly)
    writer.start()
    holding.wait()
    started = time.monotonic()
    with second.transaction() as uow:  # BEGIN IMMEDIATE waits for the first commit
        seen.append(uow.services.count(ServiceQuery()))
    writer.join()
    assert time.monotonic() - started >= 0.2
    assert seen == [1]
    first.close()
    second.close()


def test_threads_writing_at_once_all_land(store: SQLiteStore) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for index in range(20):
                add(store, web(id=f"S-{worker}-{index:02d}"))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.transaction() as uow:
        assert uow.services.count(ServiceQuery()) == 120


# --- driver errors -------------------------------------------------------------------------------


def test_a_path_in_a_missing_directory_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="unable to open") as raised:
        SQLiteStore(tmp_path / "missing" / "billing.db")
    assert isinstance(raised.value.__cause__, sqlite3.Error)


def test_a_file_that_is_not_a_database_is_unavailable(path: Path) -> None:
    path.write_bytes(b"this is not an SQLite database\n" * 200)
    with pytest.raises(StoreUnavailable, match="not a database") as raised:
        SQLiteStore(path)
    assert isinstance(raised.value, StoreError)
    assert isinstance(raised.value.__cause__, sqlite3.DatabaseError)


def test_no_path_is_unavailable() -> None:
    with pytest.raises(StoreUnavailable, match="names no SQLite file"):
        SQLiteStore("")


def test_a_duplicate_key_is_already_exists_and_the_transaction_goes_on(
    store: SQLiteStore,
) -> None:
    with store.transaction() as uow:
        uow.services.count(ServiceQuery())  # a read: writes now run at once (none deferred)
        uow.services.add(web(), due_on=None)
        with pytest.raises(AlreadyExists) as raised:
            uow.services.add(web(edition="PRO"), due_on=None)
        assert (raised.value.kind, raised.value.key) == ("service", SERVICE_ID)
        assert isinstance(raised.value.__cause__, sqlite3.IntegrityError)
        uow.promotions.add(Promotion("HALF", PromotionKind.PERCENTAGE, Decimal(50)))
        with pytest.raises(AlreadyExists):
            uow.promotions.add(Promotion("half", PromotionKind.PERCENTAGE, Decimal(10)))
        uow.promotions.record_use("half", OWNER_ID, "O-1")
        with pytest.raises(AlreadyExists, match="HALF on O-1"):
            uow.promotions.record_use("Half", "someone else", "O-1")
        uow.commit()
    with store.transaction() as uow:
        assert uow.services.get(SERVICE_ID) == web()
        assert uow.promotions.uses("HALF") == 1


def test_other_driver_errors_are_store_errors(store: SQLiteStore, path: Path) -> None:
    add(store, web())
    with raw(path) as connection:
        connection.execute("UPDATE services SET doc = '{\"id\": 1}'")
        connection.execute("DROP TABLE orders")
    with store.transaction() as uow:
        with pytest.raises(StoreError, match="no such table: orders") as raised:
            uow.orders.get("O-1")
        assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
        with pytest.raises(StoreError, match="cannot be read"):
            uow.services.get(SERVICE_ID)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (sqlite3.OperationalError("database is locked"), StoreBusy),
        (sqlite3.OperationalError("unable to open database file"), StoreUnavailable),
        (sqlite3.DatabaseError("file is not a database"), StoreUnavailable),
        (sqlite3.OperationalError("no such table: busy_workers"), StoreError),
        (sqlite3.DataError("string or blob too big"), StoreError),
    ],
)
def test_driver_errors_without_codes_are_mapped_by_message(
    error: sqlite3.Error, expected: type[StoreError]
) -> None:
    translated = sqlite_module._translate(error, "testing")
    assert type(translated) is expected
    assert str(error) in str(translated)


def test_ended_transactions_and_closed_stores_refuse_work(store: SQLiteStore) -> None:
    with store.transaction() as uow:
        uow.commit()
        with pytest.raises(StoreError, match="has ended"):
            uow.services.get(SERVICE_ID)
        with pytest.raises(StoreError, match="has ended"):
            uow.commit()
        uow.rollback()  # nothing to do
    with pytest.raises(StoreError, match="has ended"):
        uow.services.add(web(), due_on=None)

    def fail_midway() -> None:
        with store.transaction() as uow:
            uow.services.add(web(), due_on=None)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_midway()
    with store.transaction() as uow:
        with pytest.raises(NotFound):
            uow.services.get(SERVICE_ID)
        store.close()  # the connection in use closes when this transaction ends
        uow.services.add(web(), due_on=None)
    with pytest.raises(StoreError, match="closed"), store.transaction():
        pass
    store.close()  # twice is fine


@pytest.mark.parametrize("where", ["file", ":memory:"])
def test_a_transaction_inside_another_in_one_thread_is_refused(path: Path, where: str) -> None:
    store = SQLiteStore(path if where == "file" else where, timeout=5)
    with store.transaction() as outer:
        with pytest.raises(StoreError, match="already has a transaction open"), store.transaction():
            pass
        outer.services.add(web(), due_on=None)
        outer.commit()
    with store.transaction() as uow:  # the refused one left nothing behind
        assert uow.services.count(ServiceQuery()) == 1
    store.close()


# --- money, instants and claims ------------------------------------------------------------------


def test_revenue_is_summed_exactly(store: SQLiteStore) -> None:
    with store.transaction() as uow:
        issue = uow.invoice_lines.add
        issue([line("0.10")] * 3, product_code="WEB", issued_at=at("2025-04-01", 0))
        issue([line("-0.20")], product_code="WEB", issued_at=at("2025-04-30", 23, 59))
        issue([line("0.10", currency="EUR")], product_code="WEB", issued_at=NOW)
        issue([line("7.00")], product_code="VPS", issued_at=NOW)
        issue([line("1.00")], product_code="DNS", issued_at=at("2025-05-01", 0))  # after the end
        issue([line("1.00")], product_code="DNS", issued_at=at("2025-03-31", 23, 59))  # before
        revenue = uow.invoice_lines.revenue_by_product(at("2025-04-01", 0), at("2025-05-01", 0))
    assert [(item.product_code, item.amount, item.lines) for item in revenue] == [
        ("VPS", Money("7.00", "USD"), 1),
        ("WEB", Money("0.10", "EUR"), 1),
        ("WEB", Money("0.10", "USD"), 4),
    ]
    assert str(revenue[2].amount.amount) == "0.10"


def test_instants_from_any_zone_sort_by_time(store: SQLiteStore) -> None:
    paris = timezone(timedelta(hours=2))
    orders = [
        order("O-3", datetime(2025, 4, 20, 14, 0, 0, 1, tzinfo=paris)),  # 12:00:00.000001 UTC
        order("O-1", datetime(2025, 4, 20, 12, 0, tzinfo=UTC)),
        order("O-2", datetime(2025, 4, 20, 13, 0, tzinfo=paris)),  # 11:00 UTC
    ]
    with store.transaction() as uow:
        for item in orders:
            uow.orders.add(item)
        assert [item.id for item in uow.orders.for_customer(OWNER_ID)] == ["O-2", "O-1", "O-3"]


def test_claims_without_returning_match(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(store, *(web(id=f"S-{index}") for index in range(5)), due_on=date(2025, 5, 1))
    monkeypatch.setattr(sqlite_module, "_HAS_RETURNING", False)
    with store.transaction() as uow:
        claim = uow.scheduler.claim_due
        assert claim(date(2025, 5, 1), worker="a", now=NOW, lease=LEASE, limit=2) == ["S-0", "S-1"]
        assert claim(date(2025, 5, 1), worker="b", now=NOW, lease=LEASE, limit=9) == [
            "S-2",
            "S-3",
            "S-4",
        ]
        assert claim(date(2025, 5, 1), worker="c", now=NOW + LEASE, lease=LEASE, limit=1) == ["S-0"]


def test_queries_use_their_indexes(store: SQLiteStore) -> None:
    def plan(uow: SQLiteUnitOfWork, sql: str, parameters: tuple[object, ...]) -> str:
        rows = uow.connection().execute(f"EXPLAIN QUERY PLAN {sql}", parameters).fetchall()
        return " | ".join(row[-1] for row in rows)

    with store.transaction() as uow:
        assert isinstance(uow, SQLiteUnitOfWork)
        by_customer = plan(uow, sqlite_module._find_sql((True,) + (False,) * 7, False), ("C", -1))
        assert "services_customer" in by_customer
        pending = plan(uow, sqlite_module._find_sql((False,) * 6 + (True, False), False), (-1,))
        assert "services_cancelling" in pending
        in_bundle = (False,) * 5 + (True, False, False)
        components = plan(uow, sqlite_module._find_sql(in_bundle, False), ("S-B", -1))
        assert "services_bundle" in components
        claim = plan(uow, sqlite_module._CLAIM_FREE, ("2025-05-01", "x", 10))
        assert "schedule_due" in claim
        assert "TEMP B-TREE" not in claim
        unpublished = plan(uow, sqlite_module._EVENT_UNPUBLISHED, (10,))
        assert "events_unpublished" in unpublished


# --- processes -----------------------------------------------------------------------------------

_KILLED = """
    import sys, time
    from prodlife.stores.sqlite import SQLiteStore
    from tests._lifecycle import web
    store = SQLiteStore(sys.argv[1])
    with store.transaction() as uow:
        uow.services.add(web(id="S-KEPT"), due_on=None)
        uow.commit()
    print("committed", flush=True)
    with store.transaction() as uow:
        uow.connection().execute("PRAGMA cache_size = 2")  # spill pages into the WAL early
        uow.events.unpublished()  # a read: the adds now run at once (none deferred)
        for index in range(300):
            uow.services.add(web(id=f"S-LOST-{index:03d}"), due_on=None)
        print("writing", flush=True)
        time.sleep(120)
"""


def test_a_process_killed_mid_transaction_leaves_the_file_consistent(path: Path) -> None:
    process = child(_KILLED, str(path))
    try:
        expect_line(process, "committed")
        committed_wal = Path(f"{path}-wal").stat().st_size
        expect_line(process, "writing")
        assert Path(f"{path}-wal").stat().st_size > committed_wal  # uncommitted frames on disk
    finally:
        process.kill()  # SIGKILL
        process.communicate(timeout=30)
    assert process.returncode == -9
    store = SQLiteStore(path)
    with store.transaction() as uow:
        assert [service.id for service in uow.services.find(ServiceQuery())] == ["S-KEPT"]
    add(store, web(id="S-AFTER"))
    store.close()
    with raw(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("SELECT id FROM services ORDER BY id").fetchall() == [
            ("S-AFTER",),
            ("S-KEPT",),
        ]


def _suspend(service: Service) -> Outcome:
    return suspend(service, STAFF, NOW, SuspensionKind.BY_ADMINISTRATOR, reason="abuse")


def _reboot(service: Service) -> Outcome:
    return reboot(service, STAFF, NOW)


def test_threads_racing_on_one_service_lose_no_update(store: SQLiteStore) -> None:
    add(store, web(), due_on=date(2025, 5, 1))
    barrier = threading.Barrier(2)
    results: dict[str, Outcome | ConcurrencyConflict] = {}

    def race(name: str, operation: Callable[[Service], Outcome]) -> None:
        with store.transaction() as uow:
            loaded = uow.services.get(SERVICE_ID)
        done = operation(loaded)
        barrier.wait()
        try:
            with store.transaction() as uow:
                uow.services.save(done.service, expected_version=loaded.version, due_on=None)
                uow.events.add(done.events)
                uow.commit()
            results[name] = done
        except ConcurrencyConflict as conflict:
            results[name] = conflict

    racers = [
        threading.Thread(target=race, args=("suspend", _suspend)),
        threading.Thread(target=race, args=("reboot", _reboot)),
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    winners = {name: done for name, done in results.items() if isinstance(done, Outcome)}
    losers = [lost for lost in results.values() if isinstance(lost, ConcurrencyConflict)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert (losers[0].expected, losers[0].found) == (0, 1)
    (winner,) = winners.values()
    with store.transaction() as uow:
        stored = uow.services.get(SERVICE_ID)
        assert stored == winner.service.at_rest()
        assert uow.services.history(SERVICE_ID) == winner.service.history
        assert stored.version == 1
        assert [item.event for item in uow.events.for_service(SERVICE_ID)] == list(winner.events)


_RACER = """
    import sys
    from prodlife.errors import ConcurrencyConflict
    from prodlife.lifecycle import SuspensionKind, reboot, suspend
    from prodlife.stores.sqlite import SQLiteStore
    from tests._lifecycle import SERVICE_ID, STAFF, at
    store = SQLiteStore(sys.argv[1])
    with store.transaction() as uow:
        loaded = uow.services.get(SERVICE_ID)
    if sys.argv[2] == "suspend":
        kind = SuspensionKind.BY_ADMINISTRATOR
        done = suspend(loaded, STAFF, at("2025-04-20"), kind, reason="abuse")
    else:
        done = reboot(loaded, STAFF, at("2025-04-20"))
    print("loaded", loaded.version, flush=True)
    sys.stdin.readline()
    try:
        with store.transaction() as uow:
            uow.services.save(done.service, expected_version=loaded.version, due_on=None)
            uow.events.add(done.events)
            uow.commit()
        print("won", flush=True)
    except ConcurrencyConflict as conflict:
        print("conflict", conflict.expected, conflict.found, flush=True)
    store.close()
"""


def test_processes_racing_on_one_service_lose_no_update(store: SQLiteStore, path: Path) -> None:
    add(store, web(), due_on=date(2025, 5, 1))
    racers = {name: child(_RACER, str(path), name) for name in ("suspend", "reboot")}
    try:
        for process in racers.values():
            assert expect_line(process, "loaded") == "loaded 0"
        for process in racers.values():
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        said = {name: process.communicate(timeout=60) for name, process in racers.items()}
    finally:
        for process in racers.values():
            if process.poll() is None:  # pragma: no cover - only when the test failed
                process.kill()
                process.communicate(timeout=30)
    answers = {name: out.strip() for name, (out, _) in said.items()}
    assert sorted(answers.values()) == ["conflict 0 1", "won"], said
    (winner,) = (name for name, answer in answers.items() if answer == "won")
    expected = (_suspend if winner == "suspend" else _reboot)(web())
    with store.transaction() as uow:
        stored = uow.services.get(SERVICE_ID)
        assert stored == expected.service.at_rest()
        last = uow.services.history(SERVICE_ID).last
        assert last is not None
        assert last.operation is (Operation.SUSPEND if winner == "suspend" else Operation.REBOOT)
        assert [item.event for item in uow.events.for_service(SERVICE_ID)] == list(expected.events)
