# Over 400 lines: one contract class (the service repository) a host runs whole; its
# tests read best together.
"""The contract of the service repository: not found, uniqueness, versions, queries."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife.errors import AlreadyExists, ConcurrencyConflict, NotFound, ValidationError
from prodlife.lifecycle.service_parts import CancellationKind, CancellationRequest
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import (
    CONFIGURATION_REQUIRED,
    ORDERED,
    Status,
)
from prodlife.ports import ServiceQuery, Store, UnitOfWork
from prodlife.testing.contract._support import StoreFixture, add_services, read, write
from prodlife.testing.contract._values import HOUR, T0, TRICKY_IDS, changed, make_service
from prodlife.testing.services import (
    CANCELLED,
    SUSPENDED_BY_CUSTOMER,
    SUSPENDED_FOR_NON_PAYMENT,
    TERMINATED,
)
from prodlife.testing.strategies import billing_dates, services

_REQUEST = CancellationRequest(CancellationKind.END_OF_PERIOD, "too dear", T0)


def _in_bundle(service: Service, bundle_id: str) -> Service:
    """``service`` as a component of the bundle service ``bundle_id``."""
    return attrs.evolve(service, bundle_id=bundle_id)


def _requested(service: Service) -> Service:
    """``service`` with a cancellation request (open unless the service has ended)."""
    return attrs.evolve(service, cancellation=_REQUEST)


#: The services the query tests store: (service, due_on).
QUERY_ROWS: tuple[tuple[Service, date | None], ...] = (
    (make_service("B-10", customer_id="C-2", status=ORDERED), None),
    (make_service("A-2", product_code="VPS", status=SUSPENDED_BY_CUSTOMER), date(2025, 5, 10)),
    (make_service("b-1", status=CANCELLED, next_due=None), None),
    (make_service("A-1"), date(2025, 5, 1)),
    (make_service("é-1", customer_id="C-3"), date(2025, 6, 1)),
    (make_service("B-9", customer_id="C-3", product_code="VPS"), date(2025, 5, 1)),
    (
        make_service("B-1", customer_id="C-2", status=SUSPENDED_FOR_NON_PAYMENT),
        date(2025, 4, 20),
    ),
    (make_service("Z-1", product_code="DNS", status=CONFIGURATION_REQUIRED), date(2025, 4, 30)),
    (make_service("A-10", customer_id="C-2", product_code="VPS"), date(2025, 4, 20)),
    (_requested(make_service("C-1", customer_id="C-2")), date(2025, 5, 1)),
    (_requested(make_service("C-2", status=SUSPENDED_BY_CUSTOMER)), None),
    (_requested(make_service("C-3", status=TERMINATED, next_due=None)), None),
    (_in_bundle(make_service("D-1"), "A-1"), date(2025, 5, 1)),
    (_in_bundle(make_service("D-2", customer_id="C-2", product_code="VPS"), "A-1"), None),
    (_in_bundle(make_service("D-3", status=ORDERED), "B-9"), None),
)

QUERIES: tuple[ServiceQuery, ...] = (
    ServiceQuery(),
    ServiceQuery(customer_id="C-1"),
    ServiceQuery(customer_id="C-9"),
    ServiceQuery(product_code="WEB"),
    ServiceQuery(product_code="web"),
    ServiceQuery(status=Status.SUSPENDED),
    ServiceQuery(status=Status.ACTIVE),
    ServiceQuery(status=Status.PENDING),
    ServiceQuery(status=Status.CANCELLED),
    ServiceQuery(status=Status.TERMINATED),
    ServiceQuery(due_on_or_before=date(2025, 5, 1)),
    ServiceQuery(due_on_or_before=date(2025, 4, 19)),
    ServiceQuery(due_on_or_before=date(2025, 4, 20)),
    ServiceQuery(due_on_or_before=date(2099, 1, 1)),
    ServiceQuery(after_id="B-1"),
    ServiceQuery(after_id="B-0"),
    ServiceQuery(after_id=""),
    ServiceQuery(after_id="b"),
    ServiceQuery(after_id="\U0001f600"),
    ServiceQuery(limit=0),
    ServiceQuery(limit=1),
    ServiceQuery(limit=3),
    ServiceQuery(limit=100),
    ServiceQuery(customer_id="C-1", status=Status.ACTIVE),
    ServiceQuery(customer_id="C-2", product_code="VPS"),
    ServiceQuery(product_code="WEB", due_on_or_before=date(2025, 5, 1), after_id="A-1", limit=2),
    ServiceQuery(status=Status.SUSPENDED, due_on_or_before=date(2025, 5, 1)),
    ServiceQuery(
        customer_id="C-2",
        product_code="VPS",
        status=Status.ACTIVE,
        due_on_or_before=date(2025, 4, 20),
        after_id="A",
        limit=1,
    ),
    ServiceQuery(customer_id="C-3", after_id="B-9", limit=5),
    ServiceQuery(cancellation_pending=True),
    ServiceQuery(cancellation_pending=False),
    ServiceQuery(cancellation_pending=True, customer_id="C-1", status=Status.SUSPENDED),
    ServiceQuery(cancellation_pending=True, after_id="C-1", limit=1),
    ServiceQuery(cancellation_pending=False, status=Status.TERMINATED),
    ServiceQuery(bundle_id="A-1"),
    ServiceQuery(bundle_id="a-1"),
    ServiceQuery(bundle_id="Z-9"),
    ServiceQuery(bundle_id="A-1", customer_id="C-2"),
    ServiceQuery(bundle_id="A-1", due_on_or_before=date(2025, 5, 1), cancellation_pending=False),
    ServiceQuery(bundle_id="B-9", after_id="D-3"),
)


def expected_find(
    rows: Sequence[tuple[Service, date | None]], query: ServiceQuery
) -> list[Service]:
    """What :meth:`~prodlife.ports.ServiceRepository.find` returns, straight from its contract."""
    found = sorted(
        (
            service
            for service, due_on in rows
            if (query.customer_id is None or service.customer_id == query.customer_id)
            and (query.product_code is None or service.product_code == query.product_code)
            and (query.status is None or service.status.status is query.status)
            and (
                query.due_on_or_before is None
                or (due_on is not None and due_on <= query.due_on_or_before)
            )
            and (query.after_id is None or service.id > query.after_id)
            and (
                query.cancellation_pending is None
                or service.cancellation_pending is query.cancellation_pending
            )
            and (query.bundle_id is None or service.bundle_id == query.bundle_id)
        ),
        key=lambda service: service.id,
    )
    return found if query.limit is None else found[: query.limit]


def _query_id(query: ServiceQuery) -> str:
    fields = attrs.asdict(query, recurse=False)
    return ",".join(f"{key}={value}" for key, value in fields.items() if value is not None) or "all"


class ServiceRepositoryContract(StoreFixture):
    """Services: not found, uniqueness, versions, queries, ordering and values read back."""

    def test_get_of_an_unknown_id_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.services.get("S-1")
        add_services(store, [(make_service("S-1"), None)])
        with store.transaction() as uow:
            for unknown in ("S-2", "s-1", "S-1 ", ""):
                with pytest.raises(NotFound):
                    uow.services.get(unknown)

    def test_get_many_returns_services_in_the_order_asked(self, store: Store) -> None:
        ids = [f"S-{n}" for n in range(1, 8)]
        add_services(store, [(make_service(key), None) for key in ids])
        asked = ["S-7", "S-1", "S-3", "S-1"]
        got = read(store, lambda uow: uow.services.get_many(asked))
        assert [service.id for service in got] == asked
        assert got[0] == make_service("S-7")
        assert read(store, lambda uow: uow.services.get_many([])) == []
        with store.transaction() as uow, pytest.raises(NotFound, match="S-9"):
            uow.services.get_many(["S-2", "S-9", "S-8"])

    def test_get_many_reads_more_ids_than_one_statement_holds(self, store: Store) -> None:
        ids = [f"S-{n:04d}" for n in range(1200)]
        add_services(store, [(make_service(key), None) for key in ids])
        got = read(store, lambda uow: uow.services.get_many(ids[::-1]))
        assert [service.id for service in got] == ids[::-1]

    def test_a_transaction_reads_its_own_writes(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.services.add(make_service("S-1"), due_on=date(2025, 5, 1))
            assert uow.services.get("S-1") == make_service("S-1")
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 1))) == [
                make_service("S-1")
            ]
            assert uow.services.count(ServiceQuery()) == 1

    def test_a_stored_service_reads_back_equal(self, store: Store) -> None:
        service = changed(changed(make_service("S-1")), T0 + HOUR)
        add_services(store, [(service, date(2025, 5, 1))])
        got = read(store, lambda uow: uow.services.get("S-1"))
        assert got == service.at_rest()
        assert got.version == 2 and got.history.total == 2 and not got.history.entries
        assert read(store, lambda uow: uow.services.history("S-1")) == service.history

    def test_the_history_holds_every_entry_of_every_save_in_order(self, store: Store) -> None:
        first = changed(make_service("S-1"))
        add_services(store, [(first, None)])
        at = T0
        for _ in range(3):
            at += HOUR
            with store.transaction() as uow:
                loaded = uow.services.get("S-1")
                two = changed(changed(loaded, at), at)  # two operations, one save
                uow.services.save(two, expected_version=loaded.version, due_on=None)
                uow.commit()
        history = read(store, lambda uow: uow.services.history("S-1"))
        assert history.total == 7 == read(store, lambda uow: uow.services.get("S-1")).version
        assert history.entries[0] == first.history.entries[0]
        assert [entry.at for entry in history] == sorted(entry.at for entry in history)
        with pytest.raises(NotFound):
            read(store, lambda uow: uow.services.history("S-9"))

    def test_saving_a_service_that_still_holds_stored_entries_keeps_each_once(
        self, store: Store
    ) -> None:
        first = changed(make_service("S-1"))
        add_services(store, [(first, None)])
        second = changed(first, T0 + HOUR)  # holds entry 1 (stored) and entry 2 (new)
        write(store, lambda uow: uow.services.save(second, expected_version=1, due_on=None))
        assert read(store, lambda uow: uow.services.history("S-1")) == second.history

    def test_a_save_that_would_lose_history_entries_is_refused(self, store: Store) -> None:
        add_services(store, [(make_service("S-1"), None)])
        ahead = changed(changed(make_service("S-1")).at_rest(), T0 + HOUR)  # entry 1 missing
        with pytest.raises(ValidationError, match="would be lost"):
            write(store, lambda uow: uow.services.save(ahead, expected_version=0, due_on=None))
        assert read(store, lambda uow: uow.services.get("S-1")) == make_service("S-1")
        with pytest.raises(ValidationError, match="would be lost"):
            write(store, lambda uow: uow.services.add(ahead.renamed("S-2"), due_on=None))

    def test_a_save_that_would_rewrite_the_history_is_refused(self, store: Store) -> None:
        first = changed(make_service("S-1"))
        add_services(store, [(first, None)])
        other = changed(make_service("S-1"), T0 + HOUR)  # another entry 1, not loaded
        with pytest.raises(ValidationError, match="never rewritten"):
            write(store, lambda uow: uow.services.save(other, expected_version=1, due_on=None))
        back = make_service("S-1")  # version 0 over version 1
        with pytest.raises(ValidationError, match="never rewritten"):
            write(store, lambda uow: uow.services.save(back, expected_version=1, due_on=None))
        assert read(store, lambda uow: uow.services.get("S-1")) == first.at_rest()
        assert read(store, lambda uow: uow.services.history("S-1")) == first.history

    def test_ids_are_case_sensitive(self, store: Store) -> None:
        add_services(
            store, [(make_service("s-1"), None), (make_service("S-1", customer_id="X"), None)]
        )
        with store.transaction() as uow:
            assert uow.services.get("s-1").customer_id == "C-1"
            assert uow.services.get("S-1").customer_id == "X"

    def test_add_of_a_taken_id_raises_already_exists_and_keeps_the_stored_one(
        self, store: Store
    ) -> None:
        original = make_service("S-1")
        add_services(store, [(original, date(2025, 5, 1))])
        with pytest.raises(AlreadyExists):
            add_services(store, [(make_service("S-1", customer_id="C-2"), None)])
        with store.transaction() as uow:
            assert uow.services.get("S-1") == original
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 1))) == [original]

    def test_add_of_an_id_taken_in_the_same_transaction_raises_already_exists(
        self, store: Store
    ) -> None:
        with pytest.raises(AlreadyExists):
            add_services(store, [(make_service("S-1"), None), (make_service("S-1"), None)])
        assert read(store, lambda uow: uow.services.count(ServiceQuery())) == 0

    @pytest.mark.parametrize("due_on", [[], "2025-05-01", datetime(2025, 5, 1, tzinfo=UTC), 1])
    def test_a_due_date_that_is_not_a_billing_date_is_refused_keeping_nothing(
        self, store: Store, due_on: object
    ) -> None:
        with pytest.raises(ValidationError, match="not a billing date"):
            add_services(store, [(make_service("S-1"), due_on)])  # type: ignore[list-item]
        assert read(store, lambda uow: uow.services.count(ServiceQuery())) == 0
        add_services(store, [(make_service("S-1"), None)])

        def save(uow: UnitOfWork) -> None:
            service = uow.services.get("S-1")
            uow.services.save(service, expected_version=0, due_on=due_on)  # type: ignore[arg-type]

        with pytest.raises(ValidationError, match="not a billing date"):
            write(store, save)
        # Nothing saved: the service is not scheduled, as it was added.
        latest = ServiceQuery(due_on_or_before=date(9999, 12, 31))
        assert read(store, lambda uow: uow.services.find(latest)) == []

    def test_save_of_an_unknown_service_raises_not_found(self, store: Store) -> None:
        def save(uow: UnitOfWork) -> None:
            uow.services.save(make_service("S-1"), expected_version=0, due_on=None)

        with pytest.raises(NotFound):  # at the call, or at commit
            write(store, save)
        assert read(store, lambda uow: uow.services.count(ServiceQuery())) == 0

    def test_save_with_the_loaded_version_replaces_the_service_and_its_due_date(
        self, store: Store
    ) -> None:
        add_services(store, [(make_service("S-1"), date(2025, 5, 1))])
        with store.transaction() as uow:
            loaded = uow.services.get("S-1")
            new = changed(loaded)
            uow.services.save(new, expected_version=loaded.version, due_on=date(2025, 6, 1))
            assert uow.services.get("S-1") == new.at_rest()
            uow.commit()
        with store.transaction() as uow:
            assert uow.services.get("S-1") == new.at_rest()
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 31))) == []
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 6, 1))) == [
                new.at_rest()
            ]
            again = changed(uow.services.get("S-1"), T0 + HOUR)
            uow.services.save(again, expected_version=1, due_on=None)
            uow.commit()
        with store.transaction() as uow:
            assert uow.services.get("S-1") == again.at_rest()
            assert uow.services.history("S-1").entries == (*new.history, *again.history)
            assert uow.services.count(ServiceQuery(due_on_or_before=date(2099, 1, 1))) == 0

    @pytest.mark.parametrize("offset", [-1, 1, 5])
    def test_save_with_a_stale_version_raises_concurrency_conflict_and_writes_nothing(
        self, store: Store, offset: int
    ) -> None:
        first = changed(make_service("S-1"))
        add_services(store, [(first, date(2025, 5, 1))])
        stale = changed(first, T0 + HOUR)

        def save(uow: UnitOfWork) -> None:
            uow.services.save(stale, expected_version=first.version + offset, due_on=None)

        with pytest.raises(ConcurrencyConflict):
            write(store, save)
        with store.transaction() as uow:
            assert uow.services.get("S-1") == first.at_rest()
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 1))) == [
                first.at_rest()
            ]
            assert uow.services.history("S-1") == first.history

    def test_the_second_of_two_writers_who_loaded_one_version_conflicts(self, store: Store) -> None:
        add_services(store, [(make_service("S-1"), date(2025, 5, 1))])
        loaded = read(store, lambda uow: uow.services.get("S-1"))
        winner = changed(loaded, T0)
        loser = attrs.evolve(changed(loaded, T0 + HOUR), customer_id="C-LOSER")
        write(
            store,
            lambda uow: uow.services.save(winner, expected_version=loaded.version, due_on=None),
        )
        with pytest.raises(ConcurrencyConflict):
            write(
                store,
                lambda uow: uow.services.save(
                    loser, expected_version=loaded.version, due_on=date(2025, 4, 1)
                ),
            )
        with store.transaction() as uow:
            assert uow.services.get("S-1") == winner.at_rest()
            assert uow.services.history("S-1") == winner.history
            assert uow.services.count(ServiceQuery(due_on_or_before=date(2099, 1, 1))) == 0

    def test_two_saves_of_one_loaded_version_in_one_transaction_conflict(
        self, store: Store
    ) -> None:
        add_services(store, [(make_service("S-1"), None)])
        loaded = read(store, lambda uow: uow.services.get("S-1"))

        def twice(uow: UnitOfWork) -> None:
            uow.services.save(changed(loaded), expected_version=loaded.version, due_on=None)
            uow.services.save(changed(loaded), expected_version=loaded.version, due_on=None)

        with pytest.raises(ConcurrencyConflict):
            write(store, twice)
        assert read(store, lambda uow: uow.services.get("S-1")) == loaded

    def test_a_save_that_puts_a_service_in_a_bundle_or_out_is_found_by_it(
        self, store: Store
    ) -> None:
        add_services(store, [(make_service("S-1"), None), (make_service("S-2"), None)])
        in_bundle = ServiceQuery(bundle_id="S-2")

        def bundle(bundle_id: str | None) -> None:
            def save(uow: UnitOfWork) -> None:
                loaded = uow.services.get("S-1")
                moved = attrs.evolve(loaded, bundle_id=bundle_id)
                uow.services.save(moved, expected_version=loaded.version, due_on=None)

            write(store, save)

        bundle("S-2")
        assert [s.id for s in read(store, lambda uow: uow.services.find(in_bundle))] == ["S-1"]
        bundle(None)
        assert read(store, lambda uow: uow.services.find(in_bundle)) == []

    def test_find_returns_every_service_ordered_by_id(self, store: Store) -> None:
        ids = list(TRICKY_IDS)
        shuffled = ids[1::2] + ids[::2]
        add_services(store, [(make_service(i), None) for i in shuffled])
        found = read(store, lambda uow: uow.services.find(ServiceQuery()))
        assert [service.id for service in found] == sorted(ids)
        assert found == [make_service(i) for i in sorted(ids)]

    @pytest.mark.parametrize("query", QUERIES, ids=[_query_id(q) for q in QUERIES])
    def test_find_returns_the_services_matching_every_filter(
        self, store: Store, query: ServiceQuery
    ) -> None:
        add_services(store, QUERY_ROWS)
        with store.transaction() as uow:
            assert uow.services.find(query) == expected_find(QUERY_ROWS, query)

    @pytest.mark.parametrize("query", QUERIES, ids=[_query_id(q) for q in QUERIES])
    def test_count_counts_what_find_returns_ignoring_limit(
        self, store: Store, query: ServiceQuery
    ) -> None:
        add_services(store, QUERY_ROWS)
        unlimited = attrs.evolve(query, limit=None)
        with store.transaction() as uow:
            assert uow.services.count(query) == len(expected_find(QUERY_ROWS, unlimited))

    @pytest.mark.parametrize("size", [1, 2, 3, 4])
    def test_paging_by_after_id_and_limit_visits_each_service_once_in_order(
        self, store: Store, size: int
    ) -> None:
        add_services(store, [(make_service(i), None) for i in TRICKY_IDS])
        pages: list[list[str]] = []
        with store.transaction() as uow:
            after: str | None = None
            for _ in range(len(TRICKY_IDS) + 2):  # bounded: a store that repeats a page fails
                page = uow.services.find(ServiceQuery(after_id=after, limit=size))
                if not page:
                    break
                pages.append([service.id for service in page])
                after = page[-1].id
        assert all(len(page) == size for page in pages[:-1])
        assert [i for page in pages for i in page] == sorted(TRICKY_IDS)

    def test_services_read_back_equal_to_what_was_written(self, store: Store) -> None:
        counter = itertools.count()

        @self.hypothesis_settings()
        @given(
            service=services(max_operations=4),
            due_on=st.none() | billing_dates(date(2000, 1, 1), date(2099, 12, 31)),
        )
        def round_trip(service: Service, due_on: date | None) -> None:
            service = service.renamed(f"{next(counter):05d}{service.id}")
            if service.history.earlier:  # a new service must bring its whole history
                with pytest.raises(ValidationError, match="would be lost"):
                    write(store, lambda uow: uow.services.add(service, due_on=due_on))
                return
            with store.transaction() as uow:
                uow.services.add(service, due_on=due_on)
                assert uow.services.get(service.id) == service.at_rest()
                uow.commit()
            with store.transaction() as uow:
                assert uow.services.history(service.id) == service.history
                service = service.at_rest()
                assert uow.services.get(service.id) == service
                query = ServiceQuery(
                    customer_id=service.customer_id,
                    product_code=service.product_code,
                    status=service.status.status,
                    after_id=service.id[:5],
                    limit=1,
                    cancellation_pending=service.cancellation_pending,
                )
                assert uow.services.find(query) == [service]
                other = attrs.evolve(query, cancellation_pending=not service.cancellation_pending)
                assert uow.services.find(other) == []
                if due_on is not None:
                    on_time = ServiceQuery(due_on_or_before=due_on, after_id=service.id[:5])
                    early = attrs.evolve(on_time, due_on_or_before=due_on - timedelta(days=1))
                    assert uow.services.find(attrs.evolve(on_time, limit=1)) == [service]
                    assert service not in uow.services.find(attrs.evolve(early, limit=1))

        round_trip()
