"""The PostgreSQL store against a real server: its schema, its errors, and its concurrency.

Every test that needs the server takes the ``postgresql_url`` fixture (directly or through
``postgres_store`` / ``postgresql_schema``): without ``PRODLIFE_POSTGRESQL_URL`` it skips,
and under CI it fails. Worker processes are spawned (not forked) and run the functions of
:mod:`tests.stores._workers`.
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from prodlife import MONTHLY, Money
from prodlife.billing import LineType
from prodlife.catalog.catalog import CatalogVersion
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    ProdlifeError,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)
from prodlife.lifecycle import reboot
from prodlife.lifecycle.actors import ActorKind
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.orders import Order, OrderLine, OrderStatus
from prodlife.lifecycle.scheduler import SchedulerPolicy, next_work_date, run_service
from prodlife.lifecycle.status import Status
from prodlife.ports import ServiceQuery, Store
from prodlife.pricing import OrderLineSpec, PlanRate, PricePlan, Promotion, PromotionKind, Rate
from prodlife.stores import open_store
from prodlife.stores.memory import MemoryStore
from prodlife.stores.postgres import SCHEMA_VERSION, PostgresStore, _About, _translate
from prodlife.testing.contract._values import make_line
from tests._lifecycle import CATALOG, SERVICE_ID, STAFF, at, ordered, web
from tests._support import usd
from tests.stores import _workers
from tests.stores._postgresql import IsolatedSchema
from tests.stores.test_sql_deferred import _stored

TABLES = {
    "catalog_versions",
    "events",
    "invoice_lines",
    "orders",
    "price_plans",
    "promotion_uses",
    "promotions",
    "schedule",
    "schema_version",
    "service_history",
    "services",
    "sync_runs",
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
}
INDEXES = {
    "catalog_versions_effective",
    "events_by_service",
    "events_unpublished",
    "invoice_lines_by_customer",
    "invoice_lines_by_issued_at",
    "invoice_lines_by_service",
    "orders_by_customer",
    "promotion_uses_by_customer",
    "schedule_due",
    "services_by_customer",
    "services_by_product",
    "services_by_status",
    "sync_runs_newest",
    "goods_movements_holder",
    "goods_readings_at",
    "goods_readings_customer",
    "invoices_customer",
    "invoices_status",
    "payments_customer",
}
#: The scheduler runs on the day WEB services fall due (tests._lifecycle.web: May 1st).
TODAY = date(2025, 5, 1)
NOW = at("2025-05-01")
POLICY = SchedulerPolicy()


def _psycopg() -> Any:
    import psycopg

    return psycopg


def _tables(url: str, schema: str) -> tuple[set[str], set[str]]:
    with _psycopg().connect(url) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchall()
        indexes = connection.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema,)
        ).fetchall()
    return {name for (name,) in tables}, {name for (name,) in indexes}


def _schema_versions(url: str, schema: str) -> list[int]:
    from psycopg import sql

    with _psycopg().connect(url) as connection:
        query = sql.SQL("SELECT version FROM {}").format(sql.Identifier(schema, "schema_version"))
        return [version for (version,) in connection.execute(query).fetchall()]


def _add(store: Store, *services: Any, due_on: date | None = TODAY) -> None:
    with store.transaction() as uow:
        for service in services:
            uow.services.add(service, due_on=due_on)
        uow.commit()


# --- the schema -------------------------------------------------------------------------------


def test_opening_creates_every_table_in_a_schema_of_its_own(
    postgresql_url: str, postgresql_new_schema: str
) -> None:
    store = PostgresStore(postgresql_url, schema=postgresql_new_schema)
    try:
        with store.transaction() as uow:
            assert uow.services.count(ServiceQuery()) == 0
    finally:
        store.close()

    tables, indexes = _tables(postgresql_url, postgresql_new_schema)
    assert tables == TABLES
    assert indexes >= INDEXES
    assert _schema_versions(postgresql_url, postgresql_new_schema) == [SCHEMA_VERSION]
    assert _tables(postgresql_url, "public") == (set(), set())


def test_open_store_passes_the_schema_to_the_postgresql_store(
    postgresql_url: str, postgresql_new_schema: str
) -> None:
    store = open_store(postgresql_url, schema=postgresql_new_schema)
    try:
        assert isinstance(store, PostgresStore) and isinstance(store, Store)
        assert store.schema == postgresql_new_schema
    finally:
        store.close()


def test_without_a_schema_the_tables_go_where_the_search_path_says(
    postgresql_schema: IsolatedSchema, postgresql_url: str
) -> None:
    store = PostgresStore(postgresql_schema.conninfo)
    try:
        _add(store, web())
    finally:
        store.close()

    assert _tables(postgresql_url, postgresql_schema.name)[0] == TABLES


def test_reopening_keeps_the_data_and_migrates_nothing(
    postgresql_url: str, postgresql_new_schema: str
) -> None:
    first = PostgresStore(postgresql_url, schema=postgresql_new_schema)
    try:
        _add(first, web())
    finally:
        first.close()

    again = PostgresStore(postgresql_url, schema=postgresql_new_schema)
    try:
        with again.transaction() as uow:
            assert uow.services.get(SERVICE_ID) == web()
    finally:
        again.close()
    assert _schema_versions(postgresql_url, postgresql_new_schema) == [SCHEMA_VERSION]


def test_a_database_migrated_by_a_newer_prodlife_is_refused(
    postgresql_url: str, postgres_store: PostgresStore, postgresql: Any
) -> None:
    postgresql.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION + 1,))
    postgresql.commit()

    with pytest.raises(StoreError, match=rf"schema version {SCHEMA_VERSION + 1}, newer") as raised:
        PostgresStore(postgresql_url, schema=postgres_store.schema)
    assert "upgrade prodlife" in str(raised.value)


def test_migration_4_reads_the_type_of_the_lines_written_before_it(
    postgresql_url: str, postgres_store: PostgresStore, postgresql: Any
) -> None:
    """Lines written before migration 4 get their type from their documents, so revenue
    leaves their taxes out."""
    from prodlife.billing import InvoiceLine
    from prodlife.stores._documents import dumps

    postgres_store.close()
    for table in (
        "invoices",
        "invoice_services",
        "invoice_series",
        "credit_balances",
        "payments",
        "catalog_withdrawn",  # migration 5's
        "reseller_offerings",  # migration 6's
        "catalog_forms",  # migration 8's
    ):
        postgresql.execute(f"DROP TABLE {table}")
    postgresql.execute("ALTER TABLE invoice_lines DROP COLUMN line_type")
    postgresql.execute("ALTER TABLE services DROP COLUMN cancelling")  # migration 7's
    postgresql.execute("DROP INDEX catalog_versions_effective")  # migration 8's
    postgresql.execute("ALTER TABLE services DROP COLUMN bundle_id")  # migration 9's (and index)
    later = 5  # migrations 5 to 9, undone too
    charge = make_line("S-1", amount="10.00")
    tax = InvoiceLine("S-1", "C-1", LineType.TAX, "WEB", "VAT", "VAT", usd("2.00"), day=TODAY)
    for line in (charge, tax):
        postgresql.execute(
            "INSERT INTO invoice_lines (service_id, customer_id, product_code, issued_at, "
            "currency, amount, doc) VALUES ('S-1', 'C-1', 'WEB', %s, 'USD', %s, %s::jsonb)",
            (NOW, line.amount.amount, dumps(line)),
        )
    postgresql.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION - 1 - later,))
    postgresql.commit()
    store = PostgresStore(postgresql_url, schema=postgres_store.schema)
    try:
        with store.transaction(readonly=True) as uow:
            (revenue,) = uow.invoice_lines.revenue_by_product(NOW, NOW + timedelta(seconds=1))
    finally:
        store.close()
    assert revenue.amount == usd("10.00") and revenue.lines == 1


def test_stores_opening_together_create_the_schema_once(
    postgresql_url: str, postgresql_new_schema: str
) -> None:
    openers = 6
    barrier = threading.Barrier(openers)
    opened: list[PostgresStore] = []
    failed: list[BaseException] = []

    def open_one() -> None:
        try:
            barrier.wait(30)
            opened.append(PostgresStore(postgresql_url, schema=postgresql_new_schema))
        except BaseException as error:
            failed.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in opened:
        store.close()

    assert failed == []
    assert len(opened) == openers
    assert _schema_versions(postgresql_url, postgresql_new_schema) == [SCHEMA_VERSION]


# --- the driver, and the errors it raises -------------------------------------------------------


def test_without_psycopg_the_store_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)

    with pytest.raises(StoreUnavailable, match=r"pip install 'prodlife\[postgres\]'") as raised:
        open_store("postgresql://prodlife@127.0.0.1/prodlife")
    assert isinstance(raised.value.__cause__, ImportError)


def test_importing_prodlife_and_its_postgresql_store_needs_no_psycopg() -> None:
    code = (
        "import sys\n"
        "sys.modules['psycopg'] = None\n"
        "import prodlife, prodlife.stores.postgres\n"
        "from prodlife.errors import StoreUnavailable\n"
        "try:\n"
        "    prodlife.stores.open_store('postgresql://prodlife@127.0.0.1/prodlife')\n"
        "except StoreUnavailable as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install 'prodlife[postgres]'" in done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_is_unavailable_and_the_message_hides_the_password() -> None:
    url = f"postgresql://prodlife:s3cr3t-pa55@127.0.0.1:{_free_port()}/prodlife"

    with pytest.raises(StoreUnavailable, match="cannot connect to PostgreSQL") as raised:
        PostgresStore(url, connect_timeout=5)
    message = str(raised.value)
    assert "s3cr3t-pa55" not in message
    assert "prodlife@127.0.0.1" in message
    assert isinstance(raised.value.__cause__, _psycopg().OperationalError)


def test_a_malformed_url_is_unavailable_and_the_message_hides_the_password() -> None:
    with pytest.raises(StoreUnavailable, match="cannot connect") as raised:
        PostgresStore("postgresql://prodlife:s3cr3t-pa55@127.0.0.1:not-a-port/prodlife")
    assert "s3cr3t-pa55" not in str(raised.value)
    assert isinstance(raised.value.__cause__, _psycopg().Error)


def _driver_error(name: str, message: str = "boom") -> Any:
    return getattr(_psycopg().errors, name)(message)


@pytest.mark.parametrize(
    ("error", "about", "expected"),
    [
        ("UniqueViolation", _About("service", "S-1"), AlreadyExists),
        ("UniqueViolation", None, AlreadyExists),
        ("SerializationFailure", _About("service", "S-1", 3), ConcurrencyConflict),
        ("DeadlockDetected", _About("service", "S-1", 3), ConcurrencyConflict),
        ("SerializationFailure", None, StoreBusy),
        ("DeadlockDetected", _About("order", "O-1"), StoreBusy),
        ("LockNotAvailable", None, StoreBusy),
        ("QueryCanceled", None, StoreBusy),
        ("AdminShutdown", None, StoreUnavailable),
        ("OperationalError", None, StoreUnavailable),
        ("DiskFull", None, StoreError),
        ("UndefinedTable", None, StoreError),
        ("DataError", None, StoreError),
    ],
)
def test_driver_errors_become_prodlife_errors(
    error: str, about: _About | None, expected: type[ProdlifeError]
) -> None:
    translated = _translate(_driver_error(error), about=about)

    assert type(translated) is expected
    if isinstance(translated, AlreadyExists | ConcurrencyConflict) and about is not None:
        assert (translated.kind, translated.key) == (about.kind, about.key)


def test_a_connection_lost_while_committing_says_the_commit_is_unknown() -> None:
    translated = _translate(_driver_error("OperationalError"), broken=True, committing=True)

    assert isinstance(translated, StoreUnavailable)
    assert "may or may not have been kept" in str(translated)


def test_adding_a_taken_key_raises_already_exists_and_the_transaction_goes_on(
    postgres_store: PostgresStore,
) -> None:
    with postgres_store.transaction() as uow:
        uow.services.add(web(), due_on=None)
        # Deferred, but an id added earlier in the queue is refused at once.
        with pytest.raises(AlreadyExists, match=SERVICE_ID):
            uow.services.add(web(edition="PRO"), due_on=None)
        uow.services.add(web(id="SVC-2"), due_on=None)
        uow.commit()

    with postgres_store.transaction() as uow:
        assert uow.services.count(ServiceQuery()) == 2  # a read: writes now run at once
        with pytest.raises(AlreadyExists):
            uow.services.add(web(), due_on=None)
        assert uow.services.get(SERVICE_ID) == web()
        assert uow.services.count(ServiceQuery()) == 2


def test_adding_a_key_another_transaction_is_adding_raises_already_exists_once_it_commits(
    postgres_store: PostgresStore,
) -> None:
    raised: list[BaseException] = []

    def second() -> None:
        with postgres_store.transaction() as uow:
            try:
                uow.services.count(ServiceQuery())  # a read: the add runs (and waits) at once
                uow.services.add(web(edition="PRO"), due_on=None)
            except BaseException as error:
                raised.append(error)

    with postgres_store.transaction() as uow:
        uow.services.count(ServiceQuery())
        uow.services.add(web(), due_on=None)
        waiting = threading.Thread(target=second)
        waiting.start()
        time.sleep(0.2)  # the second insert now waits on this one's key
        uow.commit()
    waiting.join()

    assert [type(error) for error in raised] == [AlreadyExists]


def test_a_row_locked_elsewhere_longer_than_lock_timeout_raises_store_busy(
    postgresql_url: str, postgresql_schema: IsolatedSchema, postgresql: Any
) -> None:
    store = PostgresStore(postgresql_url, schema=postgresql_schema.name, lock_timeout=0.2)
    try:
        _add(store, web())
        postgresql.execute("SELECT id FROM services WHERE id = %s FOR UPDATE", (SERVICE_ID,))

        with store.transaction() as uow:
            service = uow.services.get(SERVICE_ID)  # reading does not wait for the lock
            outcome = reboot(service, STAFF, at("2025-04-10"))
            started = time.monotonic()
            with pytest.raises(StoreBusy, match="lock_timeout") as raised:
                uow.services.save(outcome.service, expected_version=0, due_on=None)
            assert time.monotonic() - started < 5
            assert isinstance(raised.value.__cause__, _psycopg().errors.LockNotAvailable)
            with pytest.raises(StoreError, match="earlier statement of this transaction failed"):
                uow.services.get(SERVICE_ID)
            with pytest.raises(StoreError, match="earlier statement"):
                uow.commit()

        postgresql.rollback()
        with store.transaction() as uow:
            uow.services.save(outcome.service, expected_version=0, due_on=None)
            uow.commit()
        with store.transaction() as uow:
            assert uow.services.get(SERVICE_ID).version == 1
    finally:
        store.close()


def test_a_unit_of_work_used_after_it_ended_raises_store_error(
    postgres_store: PostgresStore,
) -> None:
    with postgres_store.transaction() as uow:
        uow.services.add(web(), due_on=None)
        uow.commit()
        with pytest.raises(StoreError, match="has ended"):
            uow.services.get(SERVICE_ID)
        with pytest.raises(StoreError, match="has ended"):
            uow.commit()
        uow.rollback()  # ending an ended transaction does nothing
    with pytest.raises(StoreError, match="has ended"):
        uow.events.add([])
    with pytest.raises(StoreError, match="has ended"):
        uow.scheduler.claim_due(TODAY, worker="w", now=NOW, lease=timedelta(minutes=5), limit=0)


def _add_then_fail(store: PostgresStore) -> None:
    with store.transaction() as uow:
        uow.services.add(web(id="SVC-2"), due_on=None)
        raise RuntimeError("abandon")


def test_leaving_the_block_without_committing_keeps_nothing(
    postgres_store: PostgresStore,
) -> None:
    with postgres_store.transaction() as uow:
        uow.services.add(web(), due_on=None)
    with pytest.raises(RuntimeError, match="abandon"):
        _add_then_fail(postgres_store)
    with postgres_store.transaction() as uow:
        uow.services.add(web(id="SVC-3"), due_on=None)
        uow.rollback()

    with postgres_store.transaction() as uow:
        assert uow.services.count(ServiceQuery()) == 0


def test_a_closed_store_refuses_new_transactions(postgres_store: PostgresStore) -> None:
    postgres_store.close()

    with pytest.raises(StoreError, match="closed"), postgres_store.transaction():
        pass


# --- what it keeps: the same as the memory store ------------------------------------------------

PLAN = PricePlan("STD", "Standard", "USD", [PlanRate("WEB", MONTHLY, Rate.flat(usd("10.00")))])


def _order(order_id: str, customer_id: str, day: str) -> Order:
    return Order(
        id=order_id,
        customer_id=customer_id,
        payment_method="card",
        lines=(OrderLine(OrderLineSpec("WEB")),),
        placed_at=at(day),
    )


def _attempt(call: Callable[[], object]) -> object:
    try:
        return call()
    except ProdlifeError as error:
        return type(error).__name__


def _script(store: Store) -> list[object]:
    """The same operations on any store, and everything they return or raise."""
    seen: list[object] = []
    services = [
        web(id="b-2", customer_id="C-2"),
        web(id="B-1", customer_id="C-1", edition="PRO"),
        ordered(id="é-3", customer_id="C-1"),
        web(id="S-1'); DROP TABLE services; --", customer_id="C-3"),
        web(id="a-4", customer_id="C-2", product_code="MAIL"),
    ]
    dues = [date(2025, 5, 1), date(2025, 4, 20), None, date.min, date(2025, 6, 1)]
    with store.transaction() as uow:
        seen.append(_attempt(uow.catalog.versions))
        for service, due_on in zip(services, dues, strict=True):
            uow.services.add(service, due_on=due_on)
        seen.append(_attempt(lambda: uow.services.add(web(id="B-1"), due_on=None)))
        uow.catalog.add_version(CatalogVersion("2025", date(2025, 1, 1), CATALOG))
        seen.append(
            _attempt(
                lambda: uow.catalog.add_version(CatalogVersion("2025", date(2026, 1, 1), CATALOG))
            )
        )
        uow.catalog.add_version(CatalogVersion("2024", date(2024, 1, 1), CATALOG))
        uow.price_plans.add(PLAN)
        seen.append(_attempt(lambda: uow.price_plans.add(PLAN)))
        uow.promotions.add(Promotion("HALF", PromotionKind.PERCENTAGE, Decimal(50)))
        uow.promotions.add(Promotion("Ten", PromotionKind.PERCENTAGE, Decimal(10)))
        seen.append(
            _attempt(
                lambda: uow.promotions.add(Promotion("half", PromotionKind.PERCENTAGE, Decimal(5)))
            )
        )
        for order in [
            _order("O-2", "C-1", "2025-04-02"),
            _order("O-1", "C-1", "2025-04-02"),
            _order("O-0", "C-1", "2025-04-03"),
        ]:
            uow.orders.add(order)
        seen.append(_attempt(lambda: uow.orders.add(_order("O-1", "C-9", "2025-04-02"))))
        uow.commit()

    with store.transaction() as uow:
        seen.append([version.name for version in uow.catalog.versions().versions])
        seen.append(uow.catalog.versions())
        for query in [
            ServiceQuery(),
            ServiceQuery(customer_id="C-1"),
            ServiceQuery(product_code="MAIL"),
            ServiceQuery(status=Status.PENDING),
            ServiceQuery(status=Status.ACTIVE, limit=2),
            ServiceQuery(due_on_or_before=date(2025, 5, 1)),
            ServiceQuery(after_id="B-1", limit=2),
            ServiceQuery(customer_id="C-2", due_on_or_before=date(2025, 5, 1)),
        ]:
            seen.append([service.id for service in uow.services.find(query)])
            seen.append(uow.services.find(query))
            seen.append(uow.services.count(query))
        seen.append(_attempt(lambda: uow.services.get("nobody")))
        first = uow.services.get("B-1")
        rebooted = reboot(first, STAFF, at("2025-04-10")).service
        seen.append(_attempt(lambda: uow.services.save(rebooted, expected_version=5, due_on=None)))
        seen.append(
            _attempt(
                lambda: uow.services.save(
                    attrs.evolve(rebooted, id="nobody"), expected_version=0, due_on=None
                )
            )
        )
        uow.services.save(rebooted, expected_version=0, due_on=date(2025, 4, 1))
        seen.append(uow.services.get("B-1"))
        seen.append(_attempt(lambda: uow.services.save(rebooted, expected_version=0, due_on=None)))

        seen.append(uow.price_plans.get("STD"))
        seen.append(_attempt(lambda: uow.price_plans.get("std")))
        uow.price_plans.replace(attrs.evolve(PLAN, name="Standard 2"))
        seen.append(uow.price_plans.all())
        seen.append(_attempt(lambda: uow.price_plans.replace(attrs.evolve(PLAN, code="X"))))

        seen.append(uow.promotions.get("half"))
        seen.append(uow.promotions.all())
        uow.promotions.record_use("half", "C-1", "O-1")
        uow.promotions.record_use("HALF", "C-1", "O-2")
        uow.promotions.record_use("ten", "C-2", "O-1")
        seen.append(_attempt(lambda: uow.promotions.record_use("Half", "C-2", "O-1")))
        seen.append(_attempt(lambda: uow.promotions.record_use("NONE", "C-2", "O-1")))
        seen.append(
            [
                uow.promotions.uses("half"),
                uow.promotions.uses("HALF", "C-1"),
                uow.promotions.uses("half", "C-2"),
                uow.promotions.uses("none"),
            ]
        )

        seen.append(uow.orders.get("O-1"))
        seen.append(_attempt(lambda: uow.orders.get("O-9")))
        uow.orders.replace(attrs.evolve(uow.orders.get("O-1"), status=OrderStatus.ACTIVE))
        seen.append(_attempt(lambda: uow.orders.replace(_order("O-9", "C-1", "2025-04-02"))))
        seen.append(uow.orders.for_customer("C-1"))
        seen.append(uow.orders.for_customer("C-9"))
        uow.commit()

    with store.transaction() as uow:
        seen.append(
            uow.scheduler.claim_due(
                date(2025, 5, 1), worker="w1", now=NOW, lease=timedelta(minutes=5), limit=2
            )
        )
        seen.append(
            uow.scheduler.claim_due(
                date(2025, 5, 1), worker="w2", now=NOW, lease=timedelta(minutes=5), limit=5
            )
        )
        uow.scheduler.release(["b-2", "B-1", "nobody"], worker="w2")
        seen.append(
            uow.scheduler.claim_due(
                date(2025, 5, 1), worker="w3", now=NOW, lease=timedelta(minutes=5), limit=5
            )
        )
        seen.append(
            uow.scheduler.claim_due(
                date(2025, 5, 1),
                worker="w4",
                now=NOW + timedelta(minutes=5),
                lease=timedelta(minutes=5),
                limit=5,
            )
        )
        uow.commit()

    with store.transaction() as uow:
        outcome = run_service(uow.services.get("b-2"), NOW, POLICY)
        assert outcome is not None
        credit = make_line("B-1", "C-1", Money("-2.50", "USD"), "refund")
        euros = make_line("B-1", "C-1", Money("7", "EUR"), "setup")
        uow.invoice_lines.add(outcome.lines, product_code="WEB", issued_at=NOW)
        uow.invoice_lines.add([], product_code="WEB", issued_at=NOW)
        uow.invoice_lines.add(
            [credit, euros, credit], product_code="WEB", issued_at=at("2025-05-02")
        )
        uow.invoice_lines.add(outcome.lines, product_code="MAIL", issued_at=at("2025-06-01"))
        seen.append(uow.invoice_lines.for_service("b-2"))
        seen.append(uow.invoice_lines.for_customer("C-1"))
        seen.append(uow.invoice_lines.revenue_by_product(NOW, at("2025-06-01")))
        seen.append(uow.invoice_lines.revenue_by_product(NOW, at("2025-06-02")))
        seen.append(uow.invoice_lines.revenue_by_product(at("2025-07-01"), at("2025-08-01")))

        events = [
            Event(EventKind.REBOOTED, "B-1", "C-1", at("2025-04-10")),
            *outcome.events,
            Event(EventKind.REBOOTED, "B-1", "C-1", at("2025-04-11"), (("why", "ü"),)),
        ]
        uow.events.add(events)
        uow.events.add([])
        seen.append(uow.events.for_service("B-1"))
        seen.append(uow.events.unpublished(limit=2))
        uow.events.mark_published([1, 3, 99])
        seen.append(uow.events.unpublished())
        uow.events.mark_published([])
        uow.commit()
    return seen


def test_it_keeps_and_returns_the_same_as_the_memory_store(
    postgres_store: PostgresStore,
) -> None:
    expected = _script(MemoryStore())

    assert _script(postgres_store) == expected


def test_revenue_is_summed_in_numeric_and_comes_back_as_money(
    postgres_store: PostgresStore,
) -> None:
    lines = [
        make_line("S-1", "C-1", Money("0.10", "USD"), "a"),
        make_line("S-1", "C-1", Money("0.20", "USD"), "b"),
        make_line("S-1", "C-1", Money("100", "JPY"), "c"),
    ]
    with postgres_store.transaction() as uow:
        uow.invoice_lines.add(lines * 10, product_code="WEB", issued_at=NOW)
        revenue = uow.invoice_lines.revenue_by_product(NOW, NOW + timedelta(seconds=1))

    assert [(r.product_code, r.amount, r.lines) for r in revenue] == [
        ("WEB", Money("1000", "JPY"), 10),
        ("WEB", Money("3.00", "USD"), 20),
    ]
    assert revenue[1].amount.amount == Decimal("3.00")


def test_sequences_count_from_one_in_insertion_order_and_a_rollback_leaves_a_gap(
    postgres_store: PostgresStore,
) -> None:
    def event(day: str) -> Event:
        return Event(EventKind.REBOOTED, SERVICE_ID, "C-1", at(day))

    with postgres_store.transaction() as uow:
        uow.events.add([event("2025-04-01"), event("2025-04-02")])
        uow.commit()
    with postgres_store.transaction() as uow:
        uow.events.unpublished()  # a read: the add runs at once (else nothing ran at all)
        uow.events.add([event("2025-04-03")])  # rolled back: its number is not reused
    with postgres_store.transaction() as uow:
        uow.events.add([event("2025-04-04")])
        uow.commit()
    with postgres_store.transaction() as uow:
        stored = uow.events.for_service(SERVICE_ID)

    assert [(item.sequence, item.event.at.day) for item in stored] == [(1, 1), (2, 2), (4, 4)]


# --- writes deferred until the first statement: see test_sql_deferred.py --------------------


def test_a_statement_failing_while_the_queue_runs_fails_the_transaction(
    postgres_store: PostgresStore, postgresql: Any
) -> None:
    postgresql.execute(
        "ALTER TABLE services ADD CONSTRAINT no_broken CHECK (customer_id <> 'C-BROKEN')"
    )
    postgresql.commit()
    broken = web(id="SVC-2", customer_id="C-BROKEN")  # the server refuses it

    with postgres_store.transaction() as uow:
        uow.services.add(web(), due_on=None)
        uow.services.add(broken, due_on=None)
        with pytest.raises(StoreError) as raised:
            uow.commit()
        assert not isinstance(raised.value, AlreadyExists | ConcurrencyConflict | NotFound)

    with postgres_store.transaction() as uow:
        uow.services.add(web(), due_on=None)
        uow.services.add(broken, due_on=None)
        with pytest.raises(StoreError):
            uow.services.get(SERVICE_ID)
        with pytest.raises(StoreError, match="earlier statement"):
            uow.commit()

    assert _stored(postgres_store) == ([], 0, 0)


# --- concurrency --------------------------------------------------------------------------------


def test_two_threads_racing_to_save_one_service_one_wins_and_no_update_is_lost(
    postgres_store: PostgresStore,
) -> None:
    _add(postgres_store, web(), due_on=None)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def racer(reason: str) -> None:
        try:
            with postgres_store.transaction() as uow:
                service = uow.services.get(SERVICE_ID)
                barrier.wait(30)
                outcome = reboot(service, STAFF, at("2025-04-10"), reason=reason)
                try:
                    uow.services.save(
                        outcome.service, expected_version=service.version, due_on=None
                    )
                except ConcurrencyConflict as conflict:
                    results[reason] = conflict
                    return
                uow.commit()
                results[reason] = "won"
        except BaseException as error:  # pragma: no cover - reported below
            results[reason] = error

    threads = [threading.Thread(target=racer, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [reason for reason, result in results.items() if result == "won"]
    losers = [r for r, result in results.items() if isinstance(result, ConcurrencyConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    conflict = results[losers[0]]
    assert isinstance(conflict, ConcurrencyConflict)
    assert (conflict.key, conflict.expected, conflict.found) == (SERVICE_ID, 0, 1)

    # The loser does what the conflict says: load again, redo, save.
    with postgres_store.transaction() as uow:
        service = uow.services.get(SERVICE_ID)
        outcome = reboot(service, STAFF, at("2025-04-10", 13), reason=losers[0])
        uow.services.save(outcome.service, expected_version=service.version, due_on=None)
        uow.commit()
    with postgres_store.transaction() as uow:
        stored = uow.services.get(SERVICE_ID)
        history = uow.services.history(SERVICE_ID)
    assert stored.version == 2
    assert [entry.reason for entry in history] == [winners[0], losers[0]]


def test_two_processes_racing_to_save_one_service_one_wins_and_no_update_is_lost(
    postgresql_url: str, postgres_store: PostgresStore
) -> None:
    _add(postgres_store, web(), due_on=None)
    schema = postgres_store.schema
    calls = [
        (postgresql_url, schema, SERVICE_ID, reason, at("2025-04-10"))
        for reason in ("process one", "process two")
    ]

    results = _workers.spawn(_workers.race_reboot, calls, barrier=True)

    assert sorted(result["result"] for result in results) == ["conflict", "won"]
    assert [result["loaded"] for result in results] == [0, 0]
    (winner,) = [result["reason"] for result in results if result["result"] == "won"]
    with postgres_store.transaction() as uow:
        stored = uow.services.get(SERVICE_ID)
        history = uow.services.history(SERVICE_ID)
        events = uow.events.for_service(SERVICE_ID)
    assert stored.version == 1
    assert [entry.reason for entry in history] == [winner]
    assert [item.event.kind for item in events] == [EventKind.REBOOTED]


def test_claimers_skip_rows_another_claim_holds_instead_of_waiting(
    postgres_store: PostgresStore, postgresql: Any
) -> None:
    _add(postgres_store, *[web(id=f"SVC-{n}") for n in range(6)])
    postgresql.execute("SELECT service_id FROM schedule WHERE service_id = 'SVC-0' FOR UPDATE")
    lease = timedelta(minutes=5)

    with postgres_store.transaction() as first, postgres_store.transaction() as second:
        started = time.monotonic()
        mine = first.scheduler.claim_due(TODAY, worker="one", now=NOW, lease=lease, limit=2)
        theirs = second.scheduler.claim_due(TODAY, worker="two", now=NOW, lease=lease, limit=9)
        assert time.monotonic() - started < 5
        first.commit()
        second.commit()
    postgresql.rollback()

    assert mine == ["SVC-1", "SVC-2"]
    assert theirs == ["SVC-3", "SVC-4", "SVC-5"]
    with postgres_store.transaction() as uow:
        assert uow.scheduler.claim_due(TODAY, worker="three", now=NOW, lease=lease, limit=9) == [
            "SVC-0"
        ]


@pytest.fixture
def due_services(postgres_store: PostgresStore) -> list[str]:
    """400 WEB services due today, plus one due later and one never due."""
    services = [web(id=f"SVC-{n:04d}", customer_id=f"CUST-{n % 37}") for n in range(400)]
    with postgres_store.transaction() as uow:
        for service in services:
            uow.services.add(service, due_on=next_work_date(service, POLICY))
        uow.services.add(web(id="LATER"), due_on=date(2025, 6, 1))
        uow.services.add(web(id="NEVER"), due_on=None)
        uow.commit()
    return [service.id for service in services]


def _check_each_ran_once(store: PostgresStore, ids: list[str]) -> None:
    with store.transaction() as uow:
        for service_id in ids:
            lines = uow.invoice_lines.for_service(service_id)
            assert [item.line.type for item in lines] == [LineType.RECURRING], service_id
            service = uow.services.get(service_id)
            runs = [
                entry
                for entry in uow.services.history(service_id)
                if entry.actor.kind is ActorKind.SYSTEM and entry.reason == "renewal invoice"
            ]
            assert service.version == 1 and len(runs) == 1, service_id
        assert uow.services.count(ServiceQuery(due_on_or_before=TODAY)) == 0
        for untouched in ("LATER", "NEVER"):
            assert uow.services.get(untouched).version == 0
            assert uow.invoice_lines.for_service(untouched) == []
        sequences = [
            item.sequence
            for service_id in ids
            for item in uow.invoice_lines.for_service(service_id)
        ]
        assert sorted(sequences) == list(range(1, len(ids) + 1))


def test_four_worker_processes_run_every_due_service_exactly_once(
    postgresql_url: str, postgres_store: PostgresStore, due_services: list[str], postgresql: Any
) -> None:
    calls = [
        (postgresql_url, postgres_store.schema, f"worker-{n}", TODAY, NOW, 25, timedelta(minutes=5))
        for n in range(4)
    ]

    results = _workers.spawn(_workers.run_scheduler, calls, barrier=True)

    handled = Counter(service_id for result in results for service_id in result["processed"])
    assert sorted(handled) == sorted(due_services)
    assert set(handled.values()) == {1}
    assert [result["conflicts"] for result in results] == [[]] * 4
    assert [result["unchanged"] for result in results] == [[]] * 4
    assert sum(1 for result in results if result["processed"]) >= 2  # they really shared it
    _check_each_ran_once(postgres_store, due_services)
    claimed = postgresql.execute("SELECT count(*) FROM schedule WHERE worker IS NOT NULL")
    assert claimed.fetchone() == (0,)  # saving released every claim


def test_four_billing_processes_share_one_run_and_handle_each_due_service_once(
    postgresql_url: str, postgres_store: PostgresStore, due_services: list[str]
) -> None:
    calls = [(postgresql_url, postgres_store.schema, f"billing-{n}", NOW, 20) for n in range(4)]

    results = _workers.spawn(_workers.run_billing, calls, barrier=True)

    handled = Counter(service_id for result in results for service_id in result["handled"])
    assert sorted(handled) == sorted(due_services)
    assert set(handled.values()) == {1}
    assert [result["failed"] for result in results] == [[]] * 4
    assert sum(1 for result in results if result["handled"]) >= 2  # they really shared it
    _check_each_ran_once(postgres_store, due_services)


def test_a_dead_workers_claims_are_taken_over_once_their_lease_expires(
    postgresql_url: str, postgres_store: PostgresStore, due_services: list[str]
) -> None:
    schema = postgres_store.schema
    lease = timedelta(minutes=1)
    (dead,) = _workers.spawn(
        _workers.claim_and_die,
        [(postgresql_url, schema, "dead", TODAY, NOW, 40, lease)],
        barrier=False,
    )
    assert dead["claimed"] == due_services[:40]

    def run(worker: str, now_later: timedelta) -> dict[str, Any]:
        results: queue.Queue[dict[str, Any]] = queue.Queue()
        _workers.run_scheduler(
            postgresql_url, schema or "", worker, TODAY, NOW + now_later, 100, lease, None, results
        )
        result = results.get_nowait()
        assert "error" not in result, result.get("error")
        return result

    before_expiry = run("early", timedelta(seconds=30))
    assert before_expiry["processed"] == due_services[40:]
    with postgres_store.transaction() as uow:
        assert [uow.services.get(key).version for key in due_services[:40]] == [0] * 40

    after_expiry = run("late", lease)
    assert after_expiry["processed"] == due_services[:40]
    assert after_expiry["conflicts"] == after_expiry["unchanged"] == []
    _check_each_ran_once(postgres_store, due_services)
