"""The contract of transactions: commit keeps, anything else rolls back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest

from prodlife.catalog.catalog import CatalogVersions
from prodlife.errors import AlreadyExists, NotFound, StoreError
from prodlife.ports import ServiceQuery, Store, StoredEvent, UnitOfWork
from prodlife.testing.contract._support import (
    MISSING,
    StoreFixture,
    _Worker,
    add_services,
    change_one_of_each,
    fail_inside,
    read,
    snapshot,
    stored,
    write,
    write_one_of_each,
)
from prodlife.testing.contract._values import (
    HOUR,
    PLAN,
    PROMOTIONS,
    T0,
    make_event,
    make_line,
    make_service,
    make_version,
)

_WRITES: list[tuple[str, Callable[[UnitOfWork], object]]] = [
    ("services.add", lambda uow: uow.services.add(make_service("S-2"), due_on=None)),
    (
        "services.save",
        lambda uow: uow.services.save(make_service("S-1"), expected_version=0, due_on=None),
    ),
    ("price_plans.add", lambda uow: uow.price_plans.add(PLAN)),
    ("promotions.add", lambda uow: uow.promotions.add(PROMOTIONS[0])),
    (
        "scheduler.claim_due",
        lambda uow: uow.scheduler.claim_due(
            date(2025, 5, 1),
            worker="w",
            now=datetime(2025, 5, 1, tzinfo=UTC),
            lease=timedelta(minutes=5),
            limit=5,
        ),
    ),
    ("events.add", lambda uow: uow.events.add([make_event()])),
]


_AFTER_ENDED: list[tuple[str, Callable[[UnitOfWork], object]]] = [
    ("services.get", lambda uow: uow.services.get("S-1")),
    ("services.find", lambda uow: uow.services.find(ServiceQuery())),
    ("services.add", lambda uow: uow.services.add(make_service("S-2"), due_on=None)),
    ("catalog.versions", lambda uow: uow.catalog.versions()),
    ("price_plans.all", lambda uow: uow.price_plans.all()),
    ("promotions.get", lambda uow: uow.promotions.get(PROMOTIONS[0].code)),
    ("orders.for_customer", lambda uow: uow.orders.for_customer("C-1")),
    (
        "invoice_lines.add",
        lambda uow: uow.invoice_lines.add([make_line()], product_code="WEB", issued_at=T0),
    ),
    ("events.unpublished", lambda uow: uow.events.unpublished()),
    (
        "scheduler.claim_due",
        lambda uow: uow.scheduler.claim_due(
            date(2025, 5, 1), worker="w", now=T0, lease=HOUR, limit=5
        ),
    ),
    ("commit", lambda uow: uow.commit()),
]


class _Boom(Exception):
    """An exception of the host's, raised inside a transaction."""


class TransactionContract(StoreFixture):
    """Transactions: commit keeps, anything else rolls back, an ended unit of work refuses."""

    def test_the_store_is_a_store(self, store: Store) -> None:
        assert isinstance(store, Store)

    def test_a_fresh_store_is_empty(self, store: Store) -> None:
        with store.transaction() as uow:
            assert uow.services.find(ServiceQuery()) == []
            assert uow.services.count(ServiceQuery()) == 0
            assert uow.price_plans.all() == []
            assert uow.promotions.all() == []
            assert uow.invoice_lines.for_customer("C-1") == []
            assert uow.invoice_lines.revenue_by_product(T0 - 1000 * HOUR, T0 + 1000 * HOUR) == []
            assert uow.events.unpublished() == []
            assert uow.orders.for_customer("C-1") == []
            with pytest.raises(NotFound):
                uow.catalog.versions()

    def test_commit_keeps_what_the_transaction_wrote(self, store: Store) -> None:
        with store.transaction() as uow:
            write_one_of_each(uow)
            written = snapshot(uow)
            uow.commit()
        assert read(store, snapshot) == written
        assert written["services"] == [make_service()]
        assert written["plan"] == PLAN
        assert written["uses"] == [1]
        assert written["versions"] == CatalogVersions((make_version(),))

    def test_leaving_the_block_without_commit_rolls_back(self, store: Store) -> None:
        empty = read(store, snapshot)
        with store.transaction() as uow:
            write_one_of_each(uow)
        assert read(store, snapshot) == empty

    def test_rollback_drops_what_the_transaction_wrote(self, store: Store) -> None:
        empty = read(store, snapshot)
        with store.transaction() as uow:
            write_one_of_each(uow)
            uow.rollback()
        assert read(store, snapshot) == empty

    def test_an_exception_rolls_back_and_propagates(self, store: Store) -> None:
        empty = read(store, snapshot)
        boom = _Boom("the host failed")
        with pytest.raises(_Boom) as raised:
            fail_inside(store, write_one_of_each, boom)
        assert raised.value is boom
        assert read(store, snapshot) == empty

    def test_a_rollback_puts_back_what_was_changed(self, store: Store) -> None:
        write(store, write_one_of_each)
        before = read(store, snapshot)
        with store.transaction() as uow:
            change_one_of_each(uow)
            assert snapshot(uow) != before
        assert read(store, snapshot) == before
        with pytest.raises(_Boom):
            fail_inside(store, change_one_of_each, _Boom("the host failed"))
        assert read(store, snapshot) == before

    def test_commit_keeps_changes_to_stored_values(self, store: Store) -> None:
        write(store, write_one_of_each)
        with store.transaction() as uow:
            change_one_of_each(uow)
            changed_view = snapshot(uow)
            uow.commit()
        assert read(store, snapshot) == changed_view
        assert changed_view["plan"] == attrs.evolve(PLAN, name="Renamed")
        assert changed_view["uses"] == [2]
        assert changed_view["due"] == []
        assert [published for _, published in stored(read(store, _events_of_s1))] == [True, False]

    @pytest.mark.parametrize(("name", "use"), _AFTER_ENDED, ids=[n for n, _ in _AFTER_ENDED])
    def test_a_unit_of_work_used_after_commit_raises_store_error(
        self, store: Store, name: str, use: Callable[[UnitOfWork], object]
    ) -> None:
        with store.transaction() as uow:
            uow.commit()
            with pytest.raises(StoreError):
                use(uow)

    @pytest.mark.parametrize(("name", "use"), _AFTER_ENDED, ids=[n for n, _ in _AFTER_ENDED])
    def test_a_unit_of_work_used_after_rollback_raises_store_error(
        self, store: Store, name: str, use: Callable[[UnitOfWork], object]
    ) -> None:
        with store.transaction() as uow:
            uow.rollback()
            with pytest.raises(StoreError):
                use(uow)

    def test_a_unit_of_work_used_after_its_block_raises_store_error(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.services.add(make_service(), due_on=None)
        with pytest.raises(StoreError):
            uow.services.find(ServiceQuery())
        with pytest.raises(StoreError):
            uow.commit()
        assert read(store, lambda u: u.services.count(ServiceQuery())) == 0

    def test_a_write_after_commit_is_not_kept(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.services.add(make_service("S-1"), due_on=None)
            uow.commit()
            with pytest.raises(StoreError):
                uow.services.add(make_service("S-2"), due_on=None)
        assert read(store, lambda u: u.services.find(ServiceQuery())) == [make_service("S-1")]

    def test_a_failed_check_keeps_nothing_of_the_transaction(self, store: Store) -> None:
        add_services(store, [(make_service("S-1"), None)])

        def duplicate(uow: UnitOfWork) -> None:
            uow.services.add(make_service("S-2"), due_on=None)
            uow.invoice_lines.add([make_line("S-2")], product_code="WEB", issued_at=T0)
            uow.events.add([make_event("S-2")])
            uow.services.add(make_service("S-1", customer_id="C-2"), due_on=None)

        before = read(store, snapshot)
        with pytest.raises(AlreadyExists):
            write(store, duplicate)
        assert read(store, snapshot) == before

    def test_a_transaction_goes_on_after_not_found(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.services.add(make_service("S-1"), due_on=None)
            with pytest.raises(NotFound):
                uow.services.get("S-404")
            with pytest.raises(NotFound):
                uow.orders.get("O-404")
            uow.services.add(make_service("S-2"), due_on=None)
            uow.commit()
        found = read(store, lambda u: u.services.find(ServiceQuery()))
        assert [s.id for s in found] == ["S-1", "S-2"]

    def test_writes_are_invisible_to_other_transactions_until_committed(self, store: Store) -> None:
        if not self.concurrent_readers:
            pytest.skip("the store runs one transaction at a time (concurrent_readers = False)")
        write(store, lambda uow: uow.services.add(make_service("S-0"), due_on=None))
        outside: list[_Worker] = []
        with store.transaction() as uow:
            write_one_of_each(uow)
            outside.append(_Worker(lambda: read(store, snapshot)))
            if not outside[0].wait(self.wait_seconds):
                pytest.fail(
                    f"a second transaction could not read within {self.wait_seconds} s while "
                    "one was open; if the store runs one transaction at a time, set "
                    "concurrent_readers = False"
                )
            seen = outside[0].value()
            uow.commit()
        assert seen["services"] == [make_service("S-0")]
        assert seen["lines"] == seen["events"] == seen["unpublished"] == []
        assert seen["plans"] == seen["promotions"] == seen["orders"] == []
        assert seen["versions"] is MISSING
        after = read(store, snapshot)
        assert [s.id for s in after["services"]] == ["S-0", "S-1"]  # type: ignore[attr-defined]
        assert after["plan"] == PLAN

    @pytest.mark.parametrize(("name", "attempt"), _WRITES)
    def test_a_read_only_transaction_refuses_every_write(
        self, store: Store, name: str, attempt: Callable[[UnitOfWork], object]
    ) -> None:
        write(store, lambda uow: uow.services.add(make_service("S-1"), due_on=date(2025, 5, 1)))
        before = read(store, snapshot)
        with store.transaction(readonly=True) as uow, pytest.raises(StoreError):
            attempt(uow)
        assert read(store, snapshot) == before, name

    def test_a_closed_store_refuses_new_transactions(self, store: Store) -> None:
        store.close()
        with pytest.raises(StoreError), store.transaction():
            pass


def _events_of_s1(uow: UnitOfWork) -> list[StoredEvent]:
    return uow.events.for_service("S-1")
