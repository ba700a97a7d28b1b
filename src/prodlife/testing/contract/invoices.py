# Over 400 lines: one contract class for one repository, as every module of the
# conformance suite; its tests are short and independent.
"""The contract of the invoice repository: numbering, not found, uniqueness, versions, queries."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, timedelta

import attrs
import pytest

from prodlife.billing.invoices import Invoice, InvoiceStatus
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    StoreError,
    ValidationError,
)
from prodlife.limits import MAX_INVOICE_NUMBERS_AT_ONCE
from prodlife.money import Money
from prodlife.ports import InvoiceQuery, Store, UnitOfWork
from prodlife.testing.contract._support import (
    StoreFixture,
    _Worker,
    check_unknown_keys,
    each,
    fail_inside,
    read,
    write,
)
from prodlife.testing.contract._values import (
    TRICKY_IDS,
    invoices,
    make_invoice,
    make_line,
    usd,
)
from prodlife.testing.contract.text import EVERY_PLANE, LONGEST_KEY, ODD, _kept, _refused

#: The invoices the query tests store: customers, services, due dates and every status.
INVOICE_ROWS: tuple[Invoice, ...] = (
    make_invoice("INV-1"),
    make_invoice("INV-2", due_on=date(2025, 4, 20), service_ids=("S-2", "S-1"), paid="4.00"),
    make_invoice("INV-10", service_ids=("S-2",), paid="10.00"),
    make_invoice("inv-3", "C-2", due_on=date(2025, 4, 1), service_ids=("S-3",)),
    make_invoice("INV-4", "C-2", due_on=date(2025, 6, 1)).closed_as(InvoiceStatus.VOID, "moved"),
    make_invoice("CN-1", due_on=date(2025, 4, 20), amount="-2.00"),
    make_invoice("INV-5", "C-3", service_ids=("S-4",), amount=Money("7.000", "BHD")).closed_as(
        InvoiceStatus.UNCOLLECTIBLE, "written off"
    ),
    make_invoice("INV-9", "C-3", service_ids=("S-4",), amount=Money("7.000", "BHD")),
    make_invoice("é-1", "C-3", service_ids=("S-5",), paid="0.01"),
)

INVOICE_QUERIES: tuple[InvoiceQuery, ...] = (
    InvoiceQuery(),
    InvoiceQuery(customer_id="C-1"),
    InvoiceQuery(customer_id="C-9"),
    InvoiceQuery(customer_id="c-1"),
    InvoiceQuery(service_id="S-1"),
    InvoiceQuery(service_id="S-2"),
    InvoiceQuery(service_id="s-1"),
    *(InvoiceQuery(status=status) for status in InvoiceStatus),
    InvoiceQuery(unpaid=True),
    InvoiceQuery(unpaid=False),
    InvoiceQuery(due_before=date(2025, 5, 1)),
    InvoiceQuery(due_before=date(2025, 4, 20)),
    InvoiceQuery(due_before=date(2025, 4, 21)),
    InvoiceQuery(limit=0),
    InvoiceQuery(limit=1),
    InvoiceQuery(limit=3),
    InvoiceQuery(customer_id="C-1", unpaid=True),
    InvoiceQuery(customer_id="C-2", service_id="S-1"),
    InvoiceQuery(unpaid=True, due_before=date(2025, 5, 1)),
    InvoiceQuery(customer_id="C-3", status=InvoiceStatus.OPEN, limit=1),
    InvoiceQuery(service_id="S-1", unpaid=False, due_before=date(2025, 6, 2), limit=5),
    InvoiceQuery(
        customer_id="C-1",
        service_id="S-2",
        status=InvoiceStatus.PARTIALLY_PAID,
        unpaid=True,
        due_before=date(2025, 4, 21),
        limit=1,
    ),
)


def expected_invoices(rows: tuple[Invoice, ...], query: InvoiceQuery) -> list[Invoice]:
    """What :meth:`~prodlife.ports.InvoiceRepository.find` returns, straight from its contract."""
    found = sorted((i for i in rows if query.matches(i)), key=lambda i: (i.due_on, i.number))
    return found if query.limit is None else found[: query.limit]


def _query_id(query: InvoiceQuery) -> str:
    fields = attrs.asdict(query, recurse=False)
    return ",".join(f"{key}={value}" for key, value in fields.items() if value is not None) or "all"


def _stale_version(store: Store, offset: int) -> None:
    def save(uow: UnitOfWork) -> None:
        stored = uow.invoices.get("INV-1")
        stale = attrs.evolve(stored.paid_with(usd("1.00")), version=stored.version + offset)
        with pytest.raises(ConcurrencyConflict):
            uow.invoices.save(stale)
        assert uow.invoices.get("INV-1") == stored  # nothing written; the transaction goes on
        uow.invoices.save(stored.paid_with(usd("2.00")))

    write(store, save)


def _writes(text: str) -> dict[str, Callable[[UnitOfWork], object]]:
    """Every way to write ``text`` through the invoice repository (``INV-1`` stored)."""
    stored = make_invoice("INV-1")
    return {
        "number": lambda uow: uow.invoices.add(make_invoice(text)),
        "numbers": lambda uow: uow.invoices.add_all([make_invoice("INV-3"), make_invoice(text)]),
        "customer": lambda uow: uow.invoices.add(make_invoice("INV-2", text)),
        "service": lambda uow: uow.invoices.add(make_invoice("INV-2", service_ids=(text,))),
        "description": lambda uow: uow.invoices.add(
            attrs.evolve(make_invoice("INV-2"), lines=[make_line(description=text)])
        ),
        "note": lambda uow: uow.invoices.add(attrs.evolve(make_invoice("INV-2"), note=text)),
        "payment method": lambda uow: uow.invoices.add(
            attrs.evolve(make_invoice("INV-2"), payment_method=text)
        ),
        "save": lambda uow: uow.invoices.save(attrs.evolve(stored, note=text)),
        "series": lambda uow: uow.invoices.next_number(text),
    }


def _add_all(invoices: list[Invoice], uow: UnitOfWork) -> None:
    uow.invoices.add_all(invoices)


def _read_only(attempt: Callable[[UnitOfWork], object], uow: UnitOfWork) -> bool:
    """Whether ``attempt`` raises ``StoreError`` (a write in a read-only transaction)."""
    try:
        attempt(uow)
    except StoreError:
        return True
    return False


class InvoiceRepositoryContract(StoreFixture):
    """Invoices: numbering, not found, uniqueness, versions, queries, credit balances."""

    # --- numbering ------------------------------------------------------------------------

    def test_numbers_of_a_series_start_at_one_and_increase_by_one(self, store: Store) -> None:
        with store.transaction() as uow:
            assert [uow.invoices.next_number("INV") for _ in range(3)] == [1, 2, 3]
            uow.commit()
        with store.transaction() as uow:
            assert uow.invoices.next_number("INV") == 4
            uow.commit()

    def test_a_block_of_numbers_is_taken_at_once_and_the_next_follows_it(
        self, store: Store
    ) -> None:
        with store.transaction() as uow:
            assert uow.invoices.next_number("INV", 5) == 1
            assert uow.invoices.next_number("INV") == 6
            assert uow.invoices.next_number("INV", 1000) == 7
            uow.commit()
        with store.transaction() as uow:
            assert uow.invoices.next_number("INV", 3) == 1007
            uow.rollback()
        with store.transaction() as uow:
            assert uow.invoices.next_number("INV", 2) == 1007
            for count in (0, -1, True, 1.5, MAX_INVOICE_NUMBERS_AT_ONCE + 1):
                with pytest.raises(ValidationError):
                    uow.invoices.next_number("INV", count)  # type: ignore[arg-type]
            assert uow.invoices.next_number("INV") == 1009  # the transaction goes on

    def test_each_series_is_counted_on_its_own(self, store: Store) -> None:
        with store.transaction() as uow:
            taken = [uow.invoices.next_number(s) for s in ("INV", "CN", "INV", "inv", "CN", "INV")]
            uow.commit()
        assert taken == [1, 1, 2, 1, 2, 3]
        with store.transaction() as uow:
            assert uow.invoices.next_number("2026.Q1") == 1

    def test_a_rolled_back_transaction_gives_its_numbers_back(self, store: Store) -> None:
        write(store, lambda uow: uow.invoices.next_number("INV"))
        with store.transaction() as uow:
            assert [uow.invoices.next_number("INV") for _ in range(2)] == [2, 3]
            uow.invoices.next_number("CN")
        with store.transaction() as uow:
            uow.invoices.next_number("INV")
            uow.rollback()
        with pytest.raises(LookupError):
            fail_inside(store, lambda uow: uow.invoices.next_number("INV"), LookupError("boom"))
        with store.transaction() as uow:
            assert uow.invoices.next_number("INV") == 2
            assert uow.invoices.next_number("CN") == 1
            uow.commit()

    @pytest.mark.parametrize("first_commits", [True, False], ids=["commit", "rollback"])
    def test_a_transaction_taking_a_number_waits_for_another_that_took_one(
        self, store: Store, first_commits: bool
    ) -> None:
        def take() -> int:
            with store.transaction() as other:
                number = other.invoices.next_number("INV")
                other.commit()
                return number

        with store.transaction() as uow:
            assert uow.invoices.next_number("INV") == 1
            second = _Worker(take)
            if first_commits:
                uow.commit()
        if not second.wait(self.wait_seconds):
            pytest.fail(f"a second transaction took no number within {self.wait_seconds} s")
        assert second.value() == (2 if first_commits else 1)

    # --- add and get ----------------------------------------------------------------------

    def test_an_invoice_reads_back_equal(self, store: Store) -> None:
        invoice = attrs.evolve(INVOICE_ROWS[4], note="moved to INV-5 ✓ 中 \U0001f600", version=7)
        with store.transaction() as uow:
            uow.invoices.add(invoice)
            assert uow.invoices.get("INV-4") == invoice
            uow.commit()
        got = read(store, lambda uow: uow.invoices.get("INV-4"))
        assert got == invoice
        assert (got.status, got.version, got.total) == (InvoiceStatus.VOID, 7, usd("10.00"))

    def test_invoices_read_back_equal_to_what_was_written(self, store: Store) -> None:
        def check(uow: UnitOfWork, invoice: Invoice) -> None:
            assert uow.invoices.get(invoice.number) == invoice
            query = InvoiceQuery(
                customer_id=invoice.customer_id,
                service_id=invoice.lines[-1].service_id,
                status=invoice.status,
                due_before=invoice.due_on + timedelta(days=1),
            )
            assert invoice in uow.invoices.find(query)

        self.check_round_trips(
            store, invoices(), "number", lambda uow, invoice: uow.invoices.add(invoice), check
        )

    def test_get_of_an_unknown_number_raises_not_found(self, store: Store) -> None:
        unknown = ("INV-2", "inv-1", "INV-1 ", "")
        check_unknown_keys(store, lambda uow: uow.invoices, make_invoice("INV-1"), "INV-1", unknown)

    def test_add_of_a_taken_number_raises_already_exists_and_keeps_the_stored_one(
        self, store: Store
    ) -> None:
        write(store, lambda uow: uow.invoices.add(make_invoice("INV-1")))
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.invoices.add(make_invoice("INV-1", "C-2")))
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: each(uow.invoices.add, [make_invoice("INV-2")] * 2))
        assert read(store, lambda uow: uow.invoices.find(InvoiceQuery())) == [make_invoice()]

    def test_add_all_stores_each_invoice_as_add_does(self, store: Store) -> None:
        invoices = [
            make_invoice("INV-1"),
            make_invoice("INV-2", "C-2", service_ids=("S-2", "S-3")),
            attrs.evolve(make_invoice("INV-3"), note="three", version=4),
        ]
        write(store, lambda uow: uow.invoices.add_all(invoices))
        write(store, lambda uow: uow.invoices.add_all([]))
        assert read(store, lambda uow: uow.invoices.find(InvoiceQuery())) == invoices
        by_service = read(store, lambda uow: uow.invoices.find(InvoiceQuery(service_id="S-3")))
        assert by_service == [invoices[1]]

    def test_add_all_with_a_taken_or_repeated_number_raises_already_exists_and_stores_none(
        self, store: Store
    ) -> None:
        write(store, lambda uow: uow.invoices.add(make_invoice("INV-1")))
        for numbers in (["INV-2", "INV-3", "INV-1"], ["INV-2", "INV-2"], ["INV-1"]):
            add = functools.partial(_add_all, [make_invoice(number) for number in numbers])
            with pytest.raises(AlreadyExists):
                write(store, add)
        assert read(store, lambda uow: uow.invoices.find(InvoiceQuery())) == [make_invoice()]
        write(store, lambda uow: uow.invoices.add_all([make_invoice("INV-2")]))
        assert len(read(store, lambda uow: uow.invoices.find(InvoiceQuery()))) == 2

    # --- save -----------------------------------------------------------------------------

    def test_save_stores_the_invoice_one_version_later_and_returns_it(self, store: Store) -> None:
        write(store, lambda uow: uow.invoices.add(make_invoice("INV-1")))
        with store.transaction() as uow:
            paid = make_invoice("INV-1").paid_with(usd("4.00"))
            saved = uow.invoices.save(paid)
            assert saved == attrs.evolve(paid, version=2) == uow.invoices.get("INV-1")
            uow.commit()
        assert read(store, lambda uow: uow.invoices.get("INV-1")) == saved
        closed = attrs.evolve(saved.closed_as(InvoiceStatus.VOID, "cancelled"), payment_method="b")
        reopened = write_saved(store, closed).restored("withdrawn ✓")
        assert write_saved(store, reopened) == attrs.evolve(reopened, version=4)
        got = read(store, lambda uow: uow.invoices.get("INV-1"))
        assert (got.status, got.note, got.version) == (
            InvoiceStatus.PARTIALLY_PAID,
            reopened.note,
            4,
        )

    @pytest.mark.parametrize("offset", [-1, 1, 5])
    def test_save_of_a_stale_version_raises_concurrency_conflict_and_writes_nothing(
        self, store: Store, offset: int
    ) -> None:
        write(store, lambda uow: uow.invoices.add(make_invoice("INV-1", paid="1.00")))
        _stale_version(store, offset)
        got = read(store, lambda uow: uow.invoices.get("INV-1"))
        assert (got.amount_paid, got.version) == (usd("3.00"), 2)

    def test_the_second_of_two_writers_who_loaded_one_version_conflicts(self, store: Store) -> None:
        write(store, lambda uow: uow.invoices.add(make_invoice("INV-1")))
        loaded = read(store, lambda uow: uow.invoices.get("INV-1"))
        winner = write_saved(store, loaded.paid_with(usd("10.00")))
        with pytest.raises(ConcurrencyConflict):
            write_saved(store, loaded.closed_as(InvoiceStatus.VOID, "too late"))
        assert read(store, lambda uow: uow.invoices.get("INV-1")) == winner

    def test_save_of_an_unknown_number_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):  # at the call, or at commit
            write_saved(store, make_invoice("INV-1"))
        assert read(store, lambda uow: uow.invoices.find(InvoiceQuery())) == []

    @pytest.mark.parametrize(
        "other",
        [
            make_invoice("INV-1", service_ids=("S-1",)),
            make_invoice("INV-1", service_ids=("S-2", "S-1")),
            make_invoice("INV-1", service_ids=("S-1", "S-2"), amount="10.01"),
            make_invoice("INV-1", "C-2", service_ids=("S-1", "S-2")),
            make_invoice("INV-1", service_ids=("S-1", "S-2"), amount=Money("10.00", "EUR")),
            make_invoice("INV-1", service_ids=("S-1", "S-2"), due_on=date(2025, 5, 2)),
            attrs.evolve(
                make_invoice("INV-1", service_ids=("S-1", "S-2")), issued_on=date(2025, 4, 2)
            ),
        ],
        ids=["a-line-fewer", "lines-reordered", "amount", "customer", "currency", "due", "issued"],
    )
    def test_save_that_changes_what_the_invoice_bills_is_refused(
        self, store: Store, other: Invoice
    ) -> None:
        stored = make_invoice("INV-1", service_ids=("S-1", "S-2"))
        write(store, lambda uow: uow.invoices.add(stored))
        with pytest.raises(ValidationError):
            write_saved(store, other)
        assert read(store, lambda uow: uow.invoices.get("INV-1")) == stored

    def test_an_invoice_added_or_saved_is_rolled_back_with_its_transaction(
        self, store: Store
    ) -> None:
        write(store, lambda uow: uow.invoices.add(make_invoice("INV-1")))
        with store.transaction() as uow:
            uow.invoices.add(make_invoice("INV-2"))
            uow.invoices.save(make_invoice("INV-1").paid_with(usd("10.00")))
            assert len(uow.invoices.find(InvoiceQuery(unpaid=False))) == 1
        with store.transaction() as uow:
            assert uow.invoices.find(InvoiceQuery()) == [make_invoice("INV-1")]
            assert uow.invoices.find(InvoiceQuery(unpaid=False)) == []
            uow.invoices.add(make_invoice("INV-2"))  # the number is free again
            uow.commit()

    # --- find -----------------------------------------------------------------------------

    @pytest.mark.parametrize("query", INVOICE_QUERIES, ids=[_query_id(q) for q in INVOICE_QUERIES])
    def test_find_returns_the_invoices_matching_every_filter_by_due_date_then_number(
        self, store: Store, query: InvoiceQuery
    ) -> None:
        write(store, lambda uow: each(uow.invoices.add, INVOICE_ROWS))
        with store.transaction() as uow:
            found = uow.invoices.find(query)
            everything = uow.invoices.find(InvoiceQuery())
        assert found == expected_invoices(INVOICE_ROWS, query)
        assert found == [i for i in everything if query.matches(i)][: query.limit]

    def test_find_orders_numbers_of_one_due_date_by_code_point(self, store: Store) -> None:
        numbers = list(TRICKY_IDS)
        rows = [make_invoice(n, due_on=date(2025, 5, 2 + len(n) % 2)) for n in reversed(numbers)]
        write(store, lambda uow: each(uow.invoices.add, rows))
        found = read(store, lambda uow: uow.invoices.find(InvoiceQuery()))
        assert [i.number for i in found] == [
            *sorted(n for n in numbers if len(n) % 2 == 0),
            *sorted(n for n in numbers if len(n) % 2),
        ]

    def test_find_follows_what_a_save_changed(self, store: Store) -> None:
        write(store, lambda uow: each(uow.invoices.add, INVOICE_ROWS))
        paid = write_saved(store, INVOICE_ROWS[3].paid_with(usd("10.00")))
        void = write_saved(store, INVOICE_ROWS[1].closed_as(InvoiceStatus.VOID, "cancelled"))
        rows = (*INVOICE_ROWS[:1], void, *INVOICE_ROWS[2:3], paid, *INVOICE_ROWS[4:])
        with store.transaction() as uow:
            for query in INVOICE_QUERIES:
                assert uow.invoices.find(query) == expected_invoices(rows, query), query

    # --- what a store keeps -------------------------------------------------------------

    def test_a_read_only_transaction_refuses_every_invoice_write(self, store: Store) -> None:
        write(store, lambda uow: uow.invoices.add(make_invoice("INV-1")))
        writes = _writes("INV-2")
        with store.transaction(readonly=True) as uow:
            refused = [name for name, attempt in writes.items() if _read_only(attempt, uow)]
        assert refused == list(writes)
        with store.transaction() as uow:
            assert uow.invoices.find(InvoiceQuery()) == [make_invoice("INV-1")]
            assert uow.invoices.next_number("INV") == 1

    @pytest.mark.parametrize("text", ODD.values(), ids=ODD.keys())
    def test_text_no_store_keeps_is_refused_and_nothing_is_kept(
        self, store: Store, text: str
    ) -> None:
        write(store, lambda uow: uow.invoices.add(make_invoice("INV-1")))
        kept = _kept(store, _writes(text))
        with store.transaction() as uow:
            assert _refused(lambda u: u.invoices.get(text), uow)
            assert uow.invoices.find(InvoiceQuery()) == [make_invoice("INV-1")]
            assert uow.invoices.next_number("INV") == 1
        assert kept == []

    def test_keys_are_kept_up_to_the_longest_and_refused_beyond(self, store: Store) -> None:
        longest = "\U0001f600" * LONGEST_KEY
        invoice = make_invoice(longest, longest, service_ids=(longest, "S-" + "".join(EVERY_PLANE)))
        with store.transaction() as uow:
            uow.invoices.add(invoice)
            assert uow.invoices.next_number(longest) == 1
            uow.commit()
        # text inside a document may be of any length
        assert (
            _kept(
                store,
                _writes("x" * (LONGEST_KEY + 1)),
                "characters long",
                skip={"note", "payment method", "description", "save"},
            )
            == []
        )
        with store.transaction() as uow:
            assert uow.invoices.get(longest) == invoice
            assert uow.invoices.find(InvoiceQuery(service_id=invoice.service_ids[1])) == [invoice]
            assert uow.invoices.find(InvoiceQuery(customer_id=longest + "x")) == []
            with pytest.raises(NotFound):
                uow.invoices.get(longest + "x")


def write_saved(store: Store, invoice: Invoice) -> Invoice:
    """Save ``invoice`` in a transaction, commit it, and return what the save returned."""
    saved: list[Invoice] = []
    write(store, lambda uow: saved.append(uow.invoices.save(invoice)))
    return saved[0]
