"""The contract of the scheduler: claims on due services, leases and releases."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from prodlife.lifecycle.services import Service
from prodlife.ports import ServiceQuery, Store, UnitOfWork
from prodlife.testing.contract._support import StoreFixture, _Worker, add_services, write
from prodlife.testing.contract._values import (
    HOUR,
    NEW_YORK,
    ST_JOHNS,
    T0,
    TOKYO,
    changed,
    make_service,
)


def _due_rows() -> list[tuple[Service, date | None]]:
    return [
        (make_service("S-3"), date(2025, 5, 1)),
        (make_service("S-1"), date(2025, 5, 2)),
        (make_service("S-2"), date(2025, 5, 1)),
        (make_service("S-4"), date(2025, 4, 1)),
        (make_service("S-5"), date(2025, 5, 3)),
        (make_service("S-6"), None),
        (make_service("S-0"), date(2025, 5, 20)),
    ]


def claim(
    uow: UnitOfWork,
    worker: str,
    now: datetime = T0,
    *,
    on: date = date(2025, 5, 3),
    lease: timedelta = HOUR,
    limit: int = 100,
) -> list[str]:
    """``uow.scheduler.claim_due`` with the suite's defaults."""
    return uow.scheduler.claim_due(on, worker=worker, now=now, lease=lease, limit=limit)


def claim_committed(store: Store, worker: str, now: datetime = T0, **options: Any) -> list[str]:
    """Claim in a transaction of its own and commit."""
    with store.transaction() as uow:
        claimed = claim(uow, worker, now, **options)
        uow.commit()
    return claimed


ALL_DUE = ["S-4", "S-2", "S-3", "S-1", "S-5"]


def _save_s2(store: Store, worker: str | None) -> Service:
    """Save service S-2 changed, due on 2025-05-01, as ``worker``; the service saved."""
    with store.transaction() as uow:
        loaded = uow.services.get("S-2")
        saved = changed(loaded)
        uow.services.save(
            saved, expected_version=loaded.version, due_on=date(2025, 5, 1), worker=worker
        )
        uow.commit()
    return saved


class SchedulerContract(StoreFixture):
    """Scheduler claims: what is due, in which order, leases, release, and a worker's save
    releasing its own claim only."""

    def test_claim_due_returns_services_due_on_or_before_the_day_by_due_date_then_id(
        self, store: Store
    ) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A") == ALL_DUE
        assert claim_committed(store, "B", on=date(2099, 1, 1)) == ["S-0"]

    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            (date(2025, 3, 31), []),
            (date(2025, 4, 1), ["S-4"]),
            (date(2025, 5, 1), ["S-4", "S-2", "S-3"]),
            (date(2025, 5, 2), ["S-4", "S-2", "S-3", "S-1"]),
        ],
    )
    def test_claim_due_leaves_services_due_later_or_never(
        self, store: Store, on: date, expected: list[str]
    ) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", on=on) == expected

    def test_claim_due_claims_at_most_limit_and_the_next_claim_gets_the_rest(
        self, store: Store
    ) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", limit=2) == ["S-4", "S-2"]
        assert claim_committed(store, "B", limit=2) == ["S-3", "S-1"]
        assert claim_committed(store, "A", limit=2) == ["S-5"]
        assert claim_committed(store, "C", limit=2) == []

    def test_a_live_claim_is_not_claimed_again_by_anyone(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", lease=HOUR) == ALL_DUE
        just_before = (T0 + HOUR - timedelta(microseconds=1)).astimezone(TOKYO)
        assert claim_committed(store, "B", just_before) == []
        assert claim_committed(store, "A", just_before) == []
        with store.transaction() as uow:
            assert claim(uow, "B", T0) == []

    @pytest.mark.parametrize(
        "now",
        [T0 + HOUR, (T0 + HOUR).astimezone(ST_JOHNS), T0 + 30 * HOUR],
        ids=["at-lease-end", "at-lease-end-elsewhere", "later"],
    )
    def test_an_expired_claim_can_be_claimed_again(self, store: Store, now: datetime) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", lease=HOUR) == ALL_DUE
        assert claim_committed(store, "B", now) == ALL_DUE
        assert claim_committed(store, "A", now) == []

    def test_a_claim_in_another_zone_holds_until_the_same_instant(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", T0.astimezone(TOKYO), lease=2 * HOUR) == ALL_DUE
        assert claim_committed(store, "B", (T0 + HOUR).astimezone(NEW_YORK)) == []
        assert claim_committed(store, "B", T0 + 2 * HOUR) == ALL_DUE

    def test_release_drops_only_the_workers_own_claims(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", limit=2) == ["S-4", "S-2"]
        assert claim_committed(store, "B", limit=2) == ["S-3", "S-1"]
        with store.transaction() as uow:
            uow.scheduler.release(["S-4", "S-2", "S-3", "S-404"], worker="B")
            uow.commit()
        assert claim_committed(store, "C") == ["S-3", "S-5"]
        with store.transaction() as uow:
            uow.scheduler.release(["S-4", "S-1"], worker="A")
            uow.commit()
        assert claim_committed(store, "D") == ["S-4"]

    def test_release_leaves_a_claim_another_worker_took_over(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", lease=HOUR, limit=1) == ["S-4"]
        assert claim_committed(store, "B", T0 + 2 * HOUR, lease=HOUR, limit=1) == ["S-4"]
        write(store, lambda uow: uow.scheduler.release(["S-4"], worker="A"))
        assert claim_committed(store, "C", T0 + 2 * HOUR, limit=1) == ["S-2"]

    def test_saving_a_service_as_its_worker_releases_the_claim(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", lease=1000 * HOUR) == ALL_DUE
        _save_s2(store, worker="A")
        assert claim_committed(store, "B") == ["S-2"]

    @pytest.mark.parametrize("saver", [None, "B"], ids=["no-worker", "another-worker"])
    def test_saving_a_service_leaves_another_workers_claim(
        self, store: Store, saver: str | None
    ) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", lease=HOUR) == ALL_DUE
        saved = _save_s2(store, worker=saver)
        assert claim_committed(store, "B") == []  # A's claim holds, whoever saved
        assert claim_committed(store, "B", T0 + HOUR, limit=2) == ["S-4", "S-2"]  # until it ends
        with store.transaction() as uow:
            assert uow.services.get("S-2") == saved.at_rest()

    def test_claims_are_kept_by_commit_and_dropped_by_rollback(self, store: Store) -> None:
        add_services(store, _due_rows())
        with store.transaction() as uow:
            assert claim(uow, "A") == ALL_DUE
            assert claim(uow, "B") == []
        assert claim_committed(store, "B", limit=1) == ["S-4"]
        with store.transaction() as uow:
            uow.scheduler.release(["S-4"], worker="B")
        assert claim_committed(store, "C") == ["S-2", "S-3", "S-1", "S-5"]

    def test_claimed_services_stay_readable_and_unchanged(self, store: Store) -> None:
        add_services(store, _due_rows())
        claim_committed(store, "A")
        with store.transaction() as uow:
            assert uow.services.get("S-4") == make_service("S-4")
            due = uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 3)))
            assert [s.id for s in due] == sorted(ALL_DUE)

    def test_two_workers_in_concurrent_transactions_never_get_one_service(
        self, store: Store
    ) -> None:
        add_services(store, _due_rows())
        with store.transaction() as uow:
            first = claim(uow, "A", limit=3)
            other = _Worker(lambda: claim_committed(store, "B", limit=3))
            other.wait(0.3)  # it runs now, waits on the first, or skips what it holds
            uow.commit()
        assert other.wait(self.wait_seconds), "the second worker never finished"
        second = other.value()
        assert first == ["S-4", "S-2", "S-3"]
        assert not set(first) & set(second)
        assert set(second) <= {"S-1", "S-5"}
