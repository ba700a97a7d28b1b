"""Invoices and payments in the SQL stores, where transactions meet: numbering with no gap,
one payment per reference, compare-and-set saves and credit balances.

What every store keeps and answers is the conformance suite's (``test_contract.py``); here,
what only a database shared by concurrent transactions can show, on a SQLite file and on
PostgreSQL (whose tests skip without a server), and how SQLite runs the queries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife import Money
from prodlife.billing import InvoiceLine, LineType
from prodlife.billing.invoices import Invoice, InvoiceKey, InvoiceStatus
from prodlife.billing.payments import Payment
from prodlife.errors import AlreadyExists, ConcurrencyConflict
from prodlife.ports import InvoiceQuery, ServiceQuery, Store, UnitOfWork
from prodlife.stores import sqlite as sqlite_module
from prodlife.stores.sql.invoices import invoice_statements
from prodlife.stores.sqlite import SQLiteStore, SQLiteUnitOfWork
from tests.stores.test_sqlite_store import child, expect_line

AT = datetime(2025, 4, 1, 9, tzinfo=UTC)
#: How long the first transaction holds its rows while the second waits on them.
HOLD = 0.3
#: How long a test waits for a thread.
JOIN_TIMEOUT = 60.0


def invoice(
    number: str,
    *,
    customer_id: str = "C-1",
    services: tuple[str, ...] = ("S-1",),
    due_on: date = date(2025, 5, 1),
    amount: str = "10.00",
) -> Invoice:
    """An invoice of one line per service, each of ``amount`` euros."""
    lines = [
        InvoiceLine(
            service,
            customer_id,
            LineType.ONE_TIME,
            "X",
            "",
            "setup",
            Money(amount, "EUR"),
            day=AT.date(),
        )
        for service in services
    ]
    return Invoice.issue(number, InvoiceKey(customer_id, "EUR", due_on, "card"), lines, AT)


def payment(reference: str = "PAY-1", amount: str = "10.00") -> Payment:
    """A card payment of ``amount`` euros from C-1."""
    return Payment(reference, "C-1", Money(amount, "EUR"), "card", AT)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh SQL store shared by threads: a SQLite file, or a PostgreSQL schema."""
    if request.param == "postgresql":
        yield request.getfixturevalue("postgres_store")
        return
    opened = SQLiteStore(tmp_path / "billing.db")
    try:
        yield opened
    finally:
        opened.close()


def committed(store: Store, write: Callable[[UnitOfWork], object]) -> Any:
    """What ``write`` returns, in a committed transaction."""
    with store.transaction() as uow:
        result = write(uow)
        uow.commit()
    return result


def behind(
    store: Store,
    first: Callable[[UnitOfWork], object],
    second: Callable[[UnitOfWork], object],
    *,
    keep: bool,
) -> tuple[object, object, bool]:
    """Run ``second`` in another transaction while ``first``'s is open, then end that one.

    The first transaction runs ``first``, lets the second start, holds its rows for
    :data:`HOLD` seconds, then commits (``keep``) or rolls back. Returns what ``first``
    returned, what ``second`` returned or raised (its transaction commits when it
    returns), and whether the second was still waiting when the first ended.
    """
    outcome: list[object] = []

    def run_second() -> None:
        try:
            outcome.append(committed(store, second))
        except Exception as error:  # reported to the test
            outcome.append(error)

    with store.transaction() as uow:
        result = first(uow)
        thread = threading.Thread(target=run_second)
        thread.start()
        time.sleep(HOLD)
        waited = thread.is_alive()
        if keep:
            uow.commit()
    thread.join(JOIN_TIMEOUT)
    assert not thread.is_alive() and len(outcome) == 1
    return result, outcome[0], waited


# --- numbering ------------------------------------------------------------------------------


def test_a_rolled_back_transaction_gives_its_numbers_back(store: Store) -> None:
    assert committed(store, lambda uow: uow.invoices.next_number("INV")) == 1
    with store.transaction() as uow:
        assert [uow.invoices.next_number("INV") for _ in range(3)] == [2, 3, 4]
        assert uow.invoices.next_number("CN") == 1  # each series counts on its own
        uow.rollback()
    taken = committed(store, lambda uow: [uow.invoices.next_number(s) for s in ("INV", "CN")])
    assert taken == [2, 1]


def test_numbering_without_returning_counts_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "_HAS_RETURNING", False)
    store = SQLiteStore(tmp_path / "old.db")
    try:
        assert committed(store, lambda uow: [uow.invoices.next_number("A") for _ in range(3)]) == [
            1,
            2,
            3,
        ]
        with store.transaction() as uow:
            assert uow.invoices.next_number("A") == 4
        assert committed(store, lambda uow: uow.invoices.next_number("A")) == 4
    finally:
        store.close()


@pytest.mark.parametrize("keep", [True, False])
def test_an_issuer_waits_for_the_one_holding_its_series_and_never_skips(
    store: Store, keep: bool
) -> None:
    committed(store, lambda uow: uow.invoices.next_number("INV"))

    def issue(uow: UnitOfWork) -> int:
        number = uow.invoices.next_number("INV")
        uow.invoices.add(invoice(f"INV-{number}"))
        return number

    first, second, waited = behind(store, issue, issue, keep=keep)

    assert waited
    assert (first, second) == ((2, 3) if keep else (2, 2))
    with store.transaction() as uow:
        stored = [item.number for item in uow.invoices.find(InvoiceQuery())]
    assert stored == (["INV-2", "INV-3"] if keep else ["INV-2"])


def test_concurrent_issuers_of_one_series_get_consecutive_numbers(store: Store) -> None:
    issuers = 4
    barrier = threading.Barrier(issuers)
    numbers: list[object] = []

    def issue() -> None:
        try:
            barrier.wait(JOIN_TIMEOUT)
            with store.transaction() as uow:
                number = uow.invoices.next_number("INV")
                uow.invoices.add(invoice(f"INV-{number:03d}"))
                uow.commit()
            numbers.append(number)
        except Exception as error:  # reported below
            numbers.append(error)

    threads = [threading.Thread(target=issue) for _ in range(issuers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)

    assert sorted(numbers, key=str) == [1, 2, 3, 4]
    with store.transaction() as uow:
        found = [item.number for item in uow.invoices.find(InvoiceQuery())]
    assert found == ["INV-001", "INV-002", "INV-003", "INV-004"]


_KILLED = """
    import sys, time
    from prodlife.stores.sqlite import SQLiteStore
    from tests._lifecycle import web
    from tests.stores.test_sql_invoices import invoice
    store = SQLiteStore(sys.argv[1])
    with store.transaction() as uow:
        uow.services.add(web(), due_on=None)
        number = uow.invoices.next_number("INV")
        uow.invoices.add(invoice(f"INV-{number}"))
        print("issued", number, flush=True)
        time.sleep(120)  # killed here: between issuing the invoice and committing
"""


def test_a_process_killed_after_issuing_an_invoice_leaves_neither_it_nor_its_number(
    tmp_path: Path,
) -> None:
    path = tmp_path / "killed.db"
    process = child(_KILLED, str(path))
    try:
        assert expect_line(process, "issued") == "issued 1"
    finally:
        process.kill()
        process.communicate(timeout=30)
    store = SQLiteStore(path)
    try:
        with store.transaction() as uow:
            assert uow.services.find(ServiceQuery()) == []
            assert uow.invoices.find(InvoiceQuery()) == []
            assert uow.invoices.next_number("INV") == 1
    finally:
        store.close()


# --- payments, saves and credit balances racing -----------------------------------------------


@pytest.mark.parametrize("keep", [True, False])
def test_one_reference_recorded_by_two_transactions_at_once_is_kept_once(
    store: Store, keep: bool
) -> None:
    def record(uow: UnitOfWork) -> None:
        uow.payments.add(payment())

    _, second, waited = behind(store, record, record, keep=keep)

    assert waited
    if keep:
        assert isinstance(second, AlreadyExists) and second.key == "PAY-1"
    else:
        assert second is None  # the first gave the reference up: the second records it
    with store.transaction() as uow:
        assert uow.payments.for_customer("C-1") == [payment()]


def test_two_workers_racing_to_record_one_payment_record_it_once(store: Store) -> None:
    barrier = threading.Barrier(2)
    results: list[object] = []

    def record() -> None:
        try:
            barrier.wait(JOIN_TIMEOUT)
            with store.transaction() as uow:
                uow.payments.add(payment())
                time.sleep(0.05)  # both inserts are in before either commits (PostgreSQL)
                uow.commit()
            results.append("recorded")
        except AlreadyExists:
            results.append("refused")
        except Exception as error:  # reported below
            results.append(error)

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)

    assert sorted(results, key=str) == ["recorded", "refused"]
    with store.transaction() as uow:
        assert uow.payments.for_customer("C-1") == [payment()]


def test_of_two_saves_of_one_invoice_version_the_second_conflicts(store: Store) -> None:
    # Both load version 1 before either saves: in PostgreSQL the second's save waits on the
    # first's row, in SQLite its transaction waits for the first's to end; either way it
    # finds version 2 and keeps nothing.
    loaded = invoice("INV-1")
    committed(store, lambda uow: uow.invoices.add(loaded))

    def pay(amount: str) -> Callable[[UnitOfWork], Invoice]:
        return lambda uow: uow.invoices.save(loaded.paid_with(Money(amount, "EUR")))

    saved, second, waited = behind(store, pay("4.00"), pay("6.00"), keep=True)

    assert waited
    assert isinstance(second, ConcurrencyConflict)
    assert (second.key, second.expected, second.found) == ("INV-1", 1, 2)
    with store.transaction() as uow:
        stored = uow.invoices.get("INV-1")
    assert stored == saved and stored.version == 2
    assert stored.status is InvoiceStatus.PARTIALLY_PAID
    assert [item.number for item in uow_find(store, InvoiceStatus.PARTIALLY_PAID)] == ["INV-1"]


def uow_find(store: Store, status: InvoiceStatus) -> list[Invoice]:
    """The invoices in ``status``."""
    with store.transaction() as uow:
        return uow.invoices.find(InvoiceQuery(status=status))


@pytest.mark.parametrize("start", [None, "5.00"])
def test_of_two_credit_updates_from_one_balance_the_second_conflicts(
    store: Store, start: str | None
) -> None:
    # Both read the balance before either sets it (no row yet, or a row of 5.00).
    before = Money.zero("EUR") if start is None else Money(start, "EUR")
    if start is not None:
        committed(
            store, lambda uow: uow.invoices.set_credit("C-1", before, expected=Money.zero("EUR"))
        )

    def set_to(amount: str) -> Callable[[UnitOfWork], None]:
        return lambda uow: uow.invoices.set_credit("C-1", Money(amount, "EUR"), expected=before)

    _, second, waited = behind(store, set_to("7.00"), set_to("9.00"), keep=True)

    assert waited
    assert isinstance(second, ConcurrencyConflict)
    assert (second.expected, second.found) == (str(before), "EUR 7.00")
    with store.transaction() as uow:
        assert uow.invoices.credit("C-1", "EUR") == Money("7.00", "EUR")


# --- queries ----------------------------------------------------------------------------------

_CUSTOMERS = st.sampled_from(["C-1", "C-2"])
_SERVICES = st.lists(st.sampled_from(["S-1", "S-2", "S-3"]), min_size=1, max_size=2, unique=True)
_DAYS = st.dates(min_value=date(2025, 4, 1), max_value=date(2025, 4, 10))
_STATES = st.sampled_from(["open", "partly", "paid", "void"])


@st.composite
def _invoices(draw: st.DrawFn) -> list[Invoice]:
    made = []
    for index in range(draw(st.integers(0, 8))):
        made_one = invoice(
            f"N-{draw(st.integers(0, 99)):02d}-{index}",
            customer_id=draw(_CUSTOMERS),
            services=tuple(draw(_SERVICES)),
            due_on=draw(_DAYS),
        )
        state = draw(_STATES)
        if state == "partly":
            made_one = made_one.paid_with(Money("1.00", "EUR"))
        elif state == "paid":
            made_one = made_one.paid_with(made_one.total)
        elif state == "void":
            made_one = made_one.closed_as(InvoiceStatus.VOID, "mistake")
        made.append(made_one)
    return made


_QUERIES = st.builds(
    InvoiceQuery,
    customer_id=st.none() | _CUSTOMERS,
    service_id=st.none() | st.sampled_from(["S-1", "S-2", "S-3"]),
    status=st.none() | st.sampled_from(list(InvoiceStatus)),
    unpaid=st.none() | st.booleans(),
    due_before=st.none() | _DAYS,
    limit=st.none() | st.integers(0, 4),
)


@pytest.fixture(scope="module")
def shared_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    """One SQLite file for every example (each example's transaction is rolled back)."""
    opened = SQLiteStore(tmp_path_factory.mktemp("find") / "find.db")
    yield opened
    opened.close()


@settings(max_examples=60, deadline=None)
@given(stored=_invoices(), query=_QUERIES)
def test_find_returns_the_matching_invoices_by_due_date_then_number(
    shared_sqlite: SQLiteStore, stored: list[Invoice], query: InvoiceQuery
) -> None:
    with shared_sqlite.transaction() as uow:
        for item in stored:
            uow.invoices.add(item)
        found = uow.invoices.find(query)
    expected = sorted((i for i in stored if query.matches(i)), key=lambda i: (i.due_on, i.number))
    assert found == expected[: query.limit]


def test_sqlite_finds_a_customers_invoices_in_order_through_an_index(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "plan.db")
    try:
        with store.transaction() as uow:
            assert isinstance(uow, SQLiteUnitOfWork)
            sql = invoice_statements(uow)

            def plan(used: tuple[bool, ...], *params: object) -> str:
                text = f"EXPLAIN QUERY PLAN {sql.find(used)}"
                rows = uow.connection().execute(text, params).fetchall()
                return " | ".join(row[-1] for row in rows)

            by_customer = plan((True,) + (False,) * 5, "C-1", -1)
            by_service = plan((False, True) + (False,) * 4, "S-1", -1)
            by_status = plan((False, False, True, False, False, True), "open", "2025-05-01", -1)
            payments = " | ".join(
                row[-1]
                for row in uow.connection().execute(f"EXPLAIN QUERY PLAN {sql.payment_for}", ("C",))
            )
    finally:
        store.close()
    assert "invoices_customer" in by_customer and "TEMP B-TREE" not in by_customer
    assert "invoice_services" in by_service
    assert "invoices_status" in by_status and "TEMP B-TREE" not in by_status
    assert "payments_customer" in payments and "TEMP B-TREE" not in payments
