"""Use cases over a store: all or nothing, events after commit, scheduler runs, queries.

Every test runs over each store in ``STORES``; a fault injected at each write
of a multi-service use case must leave the store exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from prodlife import (
    MONTHLY,
    FixedClock,
    Money,
    OrderLine,
    OrderLineSpec,
    OrderOptions,
    SuspensionKind,
    suspend,
    unsuspend,
)
from prodlife.app import Billing, PublishFailed
from prodlife.errors import (
    AlreadyExists,
    NotFound,
    PermissionDenied,
    StoreError,
    ValidationError,
)
from prodlife.lifecycle import MassUpdate, OverrideAutoSuspend, Status, reboot, renew
from prodlife.lifecycle.events import EventKind
from prodlife.limits import MIN_YEAR
from prodlife.ports import ServiceQuery, Store, StoredEvent, UnitOfWork
from prodlife.stores import open_store
from tests._lifecycle import OWNER, OWNER_ID, STAFF, STRANGER, offer_terms, shop, web
from tests._support import d, usd
from tests.stores._postgresql import isolated_schema, postgresql_url_from
from tests.test_lifecycle_orders import CONTEXT, order

NOW = datetime(2025, 4, 20, 12, tzinfo=UTC)


def due(service_id: str, on: str = "2025-04-20", **changes: Any) -> Any:
    """An active service paid up to the day before ``on``."""
    day = d(on)
    return web(id=service_id, next_due=day, paid_through=day - timedelta(days=1), **changes)


def _stores() -> list[str]:
    kinds = ["memory"]
    try:
        import prodlife.stores.sqlite  # noqa: F401
    except ImportError:  # pragma: no cover - until the SQLite store lands
        pass
    else:
        kinds.append("sqlite")
    return kinds


def _shop(store: Store) -> None:
    shop(store, CONTEXT.plan)


@pytest.fixture(params=_stores())
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Opens a new, empty store of one kind each time it is called."""
    opened: list[Store] = []

    def make() -> Store:
        name = f"billing-{len(opened)}.db"
        url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / name}"
        opened.append(open_store(url))
        _shop(opened[-1])
        return opened[-1]

    yield make
    for store in opened:
        store.close()


@pytest.fixture(params=[*_stores(), "postgresql"])
def make_every_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], Store]]:
    """As ``make_store``, on PostgreSQL too: each store in a schema of its own (skipped
    without a server, failing under CI)."""
    with contextlib.ExitStack() as stack:

        def make() -> Store:
            if request.param == "postgresql":
                from prodlife.stores.postgres import PostgresStore

                url = postgresql_url_from(os.environ)
                schema = stack.enter_context(isolated_schema(url))
                opened: Store = PostgresStore(url, schema=schema.name)
            else:
                name = f"billing-{uuid.uuid4().hex[:8]}.db"
                memory = request.param == "memory"
                opened = open_store("memory:" if memory else f"sqlite:///{tmp_path / name}")
            stack.callback(opened.close)
            _shop(opened)
            return opened

        yield make


@pytest.fixture
def store(make_store: Callable[[], Store]) -> Store:
    return make_store()


class Recorder:
    """A notifier that records what it got, and what the store held when it got it."""

    def __init__(self, store: Store | None = None, fail: bool = False) -> None:
        self.store = store
        self.fail = fail
        self.published: list[StoredEvent] = []
        self.versions_seen: list[int] = []

    def publish(self, events: Sequence[StoredEvent]) -> None:
        if self.fail:
            raise ConnectionError("mail server down")
        if self.store is not None:
            with self.store.transaction() as uow:
                for item in events:
                    service = uow.services.get(item.event.service_id)
                    self.versions_seen.append(service.version)
        self.published += events


def billing(store: Store, **options: Any) -> Billing:
    return Billing(store, clock=FixedClock(NOW), **options)


# --- one service -------------------------------------------------------------------------------


def test_an_operation_is_saved_and_its_events_published_only_after_commit(store: Store) -> None:
    notifier = Recorder(store)
    app = billing(store, notifier=notifier)
    app.add_services([web()])
    done = app.perform(
        suspend, web().id, STAFF, SuspensionKind.BY_ADMINISTRATOR, reason="abuse report"
    )
    stored = app.service(web().id, STAFF)
    assert stored == done.service.at_rest()
    assert stored.status.status is Status.SUSPENDED and stored.version == 1
    assert [item.event for item in notifier.published] == list(done.events)
    # When the notifier ran, the store already held the suspended service.
    assert notifier.versions_seen == [1] * len(done.events)
    with store.transaction() as uow:
        assert uow.events.unpublished() == []


def test_the_history_of_a_stored_service_is_read_whole_by_who_may_see_it(store: Store) -> None:
    app = billing(store)
    app.add_services([web()])
    first = app.perform(suspend, web().id, STAFF, SuspensionKind.BY_ADMINISTRATOR, reason="abuse")
    second = app.perform(unsuspend, web().id, STAFF, reason="cleared")
    third = app.perform(reboot, web().id, OWNER)
    history = app.history(web().id, OWNER)
    assert [entry.reason for entry in history] == ["abuse", "cleared", ""]
    assert history.entries == (
        *first.service.history,
        *second.service.history,
        *third.service.history,
    )
    stored = app.service(web().id, STAFF)
    assert (stored.version, stored.history.total, stored.history.entries) == (3, 3, ())
    with pytest.raises(PermissionDenied):
        app.history(web().id, STRANGER)
    with pytest.raises(NotFound):
        app.history("NO-SUCH", STAFF)


def test_a_refused_operation_saves_nothing(store: Store) -> None:
    app = billing(store)
    app.add_services([web()])
    app.perform(suspend, web().id, STAFF, SuspensionKind.BY_ADMINISTRATOR)
    with pytest.raises(PermissionDenied):  # a customer cannot lift an administrator's suspension
        app.perform(unsuspend, web().id, OWNER)
    assert app.service(web().id, STAFF).version == 1


def test_a_customer_learns_nothing_about_services_not_theirs(store: Store) -> None:
    app = billing(store)
    app.add_services([web()])
    with pytest.raises(PermissionDenied) as other:
        app.perform(reboot, web().id, STRANGER)
    with pytest.raises(PermissionDenied) as missing:
        app.perform(reboot, "NO-SUCH", STRANGER)
    assert str(other.value) == str(missing.value)
    with pytest.raises(NotFound):
        app.perform(reboot, "NO-SUCH", STAFF)
    assert app.perform(reboot, web().id, OWNER).service.version == 1


def test_the_events_of_a_change_wait_in_the_outbox_while_the_notifier_is_down(
    store: Store,
) -> None:
    down = Recorder(fail=True)
    app = billing(store, notifier=down)
    app.add_services([web()])
    with pytest.raises(PublishFailed, match="publish_pending"):
        app.perform(reboot, web().id, OWNER)
    assert app.service(web().id, STAFF).version == 1  # the change itself was kept
    up = Recorder()
    assert billing(store, notifier=up).publish_pending() == 1
    assert [item.event.kind for item in up.published] == [EventKind.REBOOTED]
    assert billing(store, notifier=up).publish_pending() == 0


# --- many services, all or nothing -------------------------------------------------------------


def _ten_services_order() -> Any:
    return order(
        id="O-10",
        customer_id=OWNER_ID,
        lines=(OrderLine(OrderLineSpec("VPS"), services=10),),
        options=OrderOptions(generate_invoice=True),
    )


def test_an_order_of_ten_stores_the_order_its_services_and_their_first_invoice(
    store: Store,
) -> None:
    app = billing(store)
    quote, services = app.place_order(_ten_services_order(), CONTEXT, OWNER)
    assert len(services) == 10
    found = app.services(ServiceQuery(customer_id=OWNER_ID))
    assert [s.id for s in found] == sorted(s.id for s in services)
    with store.transaction() as uow:
        assert uow.orders.get("O-10").customer_id == OWNER_ID
        lines = uow.invoice_lines.for_customer(OWNER_ID)
    # Each VPS: 10.00 for the first month and a 5.00 setup fee.
    assert sum((item.line.amount for item in lines), usd("0")) == quote.total
    assert {item.product_code for item in lines} == {"VPS"}


def test_a_customer_cannot_order_for_another(store: Store) -> None:
    with pytest.raises(PermissionDenied):
        billing(store).place_order(_ten_services_order(), CONTEXT, STRANGER)


class InjectedFault(StoreError):
    """The fault a test injects into a store write."""


_WRITES = frozenset(
    {"add", "save", "replace", "record_use", "add_version", "mark_published", "claim_due"}
)


class _Counting:
    """A repository whose write methods count, and fail at write number ``fail_at``."""

    def __init__(self, inner: object, counter: list[int], fail_at: int | None) -> None:
        self._inner, self._counter, self._fail_at = inner, counter, fail_at

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in _WRITES:
            return attribute

        def write(*args: Any, **kwargs: Any) -> Any:
            self._counter[0] += 1
            if self._counter[0] == self._fail_at:
                raise InjectedFault(f"fault injected at write {self._fail_at} ({name})")
            return attribute(*args, **kwargs)

        return write


class FaultyStore:
    """Wraps a store; its repositories fail at the ``fail_at``-th write (counting from 1)."""

    def __init__(self, inner: Store, fail_at: int | None = None) -> None:
        self.inner, self.fail_at, self.counter = inner, fail_at, [0]

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[UnitOfWork]:
        with self.inner.transaction(readonly=readonly) as uow:
            yield _FaultyUnitOfWork(uow, self.counter, self.fail_at)

    def close(self) -> None:
        self.inner.close()


class _FaultyUnitOfWork:
    def __init__(self, inner: UnitOfWork, counter: list[int], fail_at: int | None) -> None:
        self._inner, self._counter, self._fail_at = inner, counter, fail_at

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name in ("commit", "rollback"):
            return attribute
        return _Counting(attribute, self._counter, self._fail_at)


def _snapshot(store: Store, customers: Sequence[str]) -> tuple[object, ...]:
    with store.transaction() as uow:
        return (
            uow.services.find(ServiceQuery()),
            [uow.invoice_lines.for_customer(c) for c in customers],
            [uow.orders.for_customer(c) for c in customers],
            uow.events.unpublished(),
            uow.promotions.uses("HALF"),
        )


def _use_cases(store: Store) -> dict[str, Callable[[Billing], object]]:
    half = attrs.evolve(_ten_services_order(), promo_code="HALF")
    return {
        "order of 10": lambda app: app.place_order(half, CONTEXT, OWNER),
        "mass update of 3": lambda app: app.mass_update(
            ["M-1", "M-2", "M-3"], STAFF, MassUpdate(next_due=d("2025-05-15"))
        ),
    }


def _seed(store: Store) -> None:
    from prodlife.pricing.promotions import Promotion, PromotionKind

    app = billing(store)
    app.add_services([web(id=f"M-{n}") for n in (1, 2, 3)] + [due(f"D-{n}") for n in (1, 2, 3)])
    with store.transaction() as uow:
        uow.promotions.add(Promotion("HALF", PromotionKind.PERCENTAGE, 50))
        uow.commit()


@pytest.mark.parametrize("case", ["order of 10", "mass update of 3"])
def test_a_fault_at_any_write_of_a_use_case_leaves_the_store_as_it_was(
    make_store: Callable[[], Store], case: str
) -> None:
    store = make_store()
    _seed(store)
    before = _snapshot(store, [OWNER_ID])
    counting = FaultyStore(store)
    _use_cases(store)[case](billing(counting))
    writes = counting.counter[0]
    after = _snapshot(store, [OWNER_ID])
    assert after != before and writes >= 2
    # Start again from the seed for each write to fail at.
    for fail_at in range(1, writes + 1):
        target = make_store()
        _seed(target)
        seeded = _snapshot(target, [OWNER_ID])
        faulty = FaultyStore(target, fail_at)
        with pytest.raises(InjectedFault):
            _use_cases(target)[case](billing(faulty))
        assert _snapshot(target, [OWNER_ID]) == seeded, f"write {fail_at} left changes"


def test_a_scheduler_run_cut_at_any_write_is_finished_by_the_next_run_once(
    make_store: Callable[[], Store],
) -> None:
    """Each batch commits on its own: a fault keeps whole services, and the next run does
    the rest, never twice."""
    counting = FaultyStore(make_store())
    _seed(counting.inner)
    billing(counting).run_due(batch=2)
    for fail_at in range(1, counting.counter[0] + 1):
        store = make_store()
        _seed(store)
        with contextlib.suppress(InjectedFault):
            billing(FaultyStore(store, fail_at)).run_due(batch=2)
        later = Billing(store, clock=FixedClock(NOW + timedelta(minutes=11)))  # leases expired
        later.run_due(batch=2)
        with store.transaction() as uow:
            for key in ("D-1", "D-2", "D-3"):
                assert len(uow.invoice_lines.for_service(key)) == 1, (fail_at, key)
                assert uow.services.get(key).version == 1


def test_an_order_whose_seventh_service_is_taken_leaves_nothing_behind(store: Store) -> None:
    app = billing(store)
    app.add_services([web(id="O-10-7")])
    before = _snapshot(store, [OWNER_ID])
    with pytest.raises(AlreadyExists, match="O-10-7"):
        app.place_order(_ten_services_order(), CONTEXT, OWNER)
    assert _snapshot(store, [OWNER_ID]) == before


# --- the scheduler -----------------------------------------------------------------------------


def test_a_scheduler_run_handles_each_due_service_once(store: Store) -> None:
    app = billing(store)
    due_now = [due(f"D-{n}") for n in range(7)]
    later = [due(f"L-{n}", "2025-06-01") for n in range(3)]
    app.add_services(due_now + later)
    report = app.run_due(batch=3)
    assert sorted(report.handled) == sorted(s.id for s in due_now)
    assert report.failed == ()
    with store.transaction() as uow:
        for service in due_now:
            (line,) = uow.invoice_lines.for_service(service.id)
            assert line.line.period is not None and line.line.period.start == d("2025-04-20")
    assert billing(store).run_due().handled == ()  # nothing twice


def test_a_service_failing_in_the_scheduler_does_not_hold_back_the_others(store: Store) -> None:
    app = billing(store)
    app.add_services([due(f"D-{n}") for n in (0, 1, 2)])

    class SaveFails:
        def __init__(self, inner: Store) -> None:
            self.inner = inner

        @contextmanager
        def transaction(self, *, readonly: bool = False) -> Iterator[Any]:
            with self.inner.transaction(readonly=readonly) as uow:
                yield _SaveRefuses(uow)

        def close(self) -> None:
            self.inner.close()

    class _SaveRefuses:
        def __init__(self, inner: UnitOfWork) -> None:
            self._inner = inner

        def __getattr__(self, name: str) -> Any:
            if name != "services":
                return getattr(self._inner, name)
            services = self._inner.services

            class Services:
                def __getattr__(self, attr: str) -> Any:
                    if attr != "save":
                        return getattr(services, attr)

                    def save(service: Any, **kwargs: Any) -> None:
                        if service.id == "D-0":
                            raise InjectedFault("D-0 cannot be saved")
                        services.save(service, **kwargs)

                    return save

            return Services()

    report = billing(SaveFails(store)).run_due(batch=10)
    assert sorted(report.handled) == ["D-1", "D-2"]
    assert [key for key, _ in report.failed] == ["D-0"]
    # Released: the next run retries it.
    assert billing(store).run_due().handled == ("D-0",)


# --- queries -----------------------------------------------------------------------------------


def test_revenue_per_product_over_the_last_twelve_months(store: Store) -> None:
    app = billing(store)
    app.add_services([web(), web(id="VPS-1", product_code="VPS")])
    old = Billing(store, clock=FixedClock(NOW - timedelta(days=400)))
    old.perform(renew, "VPS-1", STAFF)  # issued more than 12 months ago: left out
    app.perform(renew, web().id, STAFF)
    app.perform(renew, "VPS-1", STAFF)
    revenue = {(r.product_code, r.amount.currency.code): r.amount for r in app.revenue_by_product()}
    assert revenue == {("WEB", "USD"): usd("10.00"), ("VPS", "USD"): usd("10.00")}
    assert app.revenue_by_product(months=24)[0].amount == Money("20.00", "USD")


@pytest.mark.parametrize("months", [0, -1, True, 1.5, "12", None])
def test_revenue_over_months_that_are_not_a_whole_number_of_one_or_more_is_refused(
    store: Store, months: Any
) -> None:
    with pytest.raises(ValidationError, match="whole number >= 1"):
        billing(store).revenue_by_product(months)


@pytest.mark.parametrize("months", [30_000, 10**9, 10**30])
def test_revenue_reaching_back_before_the_first_year_is_refused_naming_the_limit(
    store: Store, months: int
) -> None:
    with pytest.raises(ValidationError, match="MIN_YEAR"):
        billing(store).revenue_by_product(months)


def test_revenue_reaches_back_to_january_of_the_first_year(store: Store) -> None:
    most = (NOW.year - MIN_YEAR) * 12 + NOW.month - 1  # NOW is not on the last day of a month
    assert billing(store).revenue_by_product(most) == []
    with pytest.raises(ValidationError, match=f"at most {most} months"):
        billing(store).revenue_by_product(most + 1)


def test_services_are_found_by_customer_product_status_and_due_date(store: Store) -> None:
    app = billing(store)
    app.add_services(
        [
            web(id="A"),
            web(id="B", product_code="VPS", customer_id="C-2"),
            due("C", "2025-04-22", cycle=MONTHLY),
        ]
    )
    app.perform(suspend, "A", STAFF, SuspensionKind.BY_ADMINISTRATOR)
    assert [s.id for s in app.services(ServiceQuery(customer_id="C-2"))] == ["B"]
    assert [s.id for s in app.services(ServiceQuery(product_code="WEB"))] == ["A", "C"]
    assert [s.id for s in app.services(ServiceQuery(status=Status.SUSPENDED))] == ["A"]
    soon = app.services(ServiceQuery(due_on_or_before=d("2025-04-22")))
    assert [s.id for s in soon] == ["C"]  # the others are due on May 1st


# --- review fixes ------------------------------------------------------------------------------


def _with_catalog(store: Store) -> Billing:
    from prodlife import CatalogVersion, PlanRate, PricePlan, Rate
    from tests._lifecycle import IMMEDIATE_CATALOG

    app = billing(store)
    app.add_catalog_version(CatalogVersion("2025", d("2025-01-01"), IMMEDIATE_CATALOG))
    rates = [
        PlanRate("WEB", MONTHLY, Rate.flat(usd(price)), edition=edition)
        for edition, price in (("BASIC", "10.00"), ("PRO", "40.00"))
    ]
    with store.transaction() as uow:
        uow.price_plans.replace(PricePlan("STD", "Standard", "USD", rates))
        uow.commit()
    app.add_services([web()])
    return app


def test_a_package_change_is_priced_from_the_stored_plan(store: Store) -> None:
    app = _with_catalog(store)
    done = app.change_package(web().id, OWNER, price_plan="STD", to_edition="PRO")
    # April 20: 11 days of BASIC (10.00) back, 11 days of PRO (40.00) charged.
    assert [line.amount for line in done.lines] == [usd("-3.67"), usd("14.67")]
    assert app.service(web().id, OWNER).edition == "PRO"


def test_a_customer_cannot_name_the_price_of_a_package_change(store: Store) -> None:
    app = _with_catalog(store)
    with pytest.raises(PermissionDenied, match="customers cannot set prices"):
        app.change_package(web().id, OWNER, new_price=usd("0.01"), to_edition="PRO")
    with pytest.raises(ValidationError, match="either as price_plan"):
        app.change_package(web().id, STAFF, to_edition="PRO")
    assert app.service(web().id, STAFF).edition == "BASIC"


def test_a_scheduler_run_refuses_a_lease_that_ends_at_once_or_never(store: Store) -> None:
    for lease in (timedelta(0), timedelta(seconds=-1), timedelta(days=400)):
        with pytest.raises(ValidationError, match="lease"):
            billing(store).run_due(lease=lease)


def test_a_service_handled_and_claimed_again_in_one_run_is_not_counted_as_not_due(
    store: Store,
) -> None:
    from prodlife import SchedulerPolicy

    app = Billing(store, clock=FixedClock(NOW), policy=SchedulerPolicy(suspend_days_after=1))
    app.add_services([due(f"D-{n}") for n in (1, 2, 3)])
    report = app.run_due()
    assert sorted(report.handled) == ["D-1", "D-2", "D-3"]
    assert report.not_due == 0


def test_a_notifier_failing_after_a_scheduler_run_keeps_the_report_and_releases_claims(
    store: Store,
) -> None:
    app = billing(store, notifier=Recorder(fail=True))
    app.add_services([due("D-1"), due("L-1", "2025-04-21")])
    with pytest.raises(PublishFailed) as failed:
        app.run_due()
    assert failed.value.outcome.handled == ("D-1",)  # type: ignore[attr-defined]
    # L-1 (claimed, not due in its zone yet) was released: another worker can claim it.
    with store.transaction() as uow:
        claimed = uow.scheduler.claim_due(
            d("2025-04-21"), worker="other", now=NOW, lease=timedelta(minutes=5), limit=5
        )
    assert claimed == ["L-1"]


def test_staff_without_the_order_permission_cannot_place_orders(store: Store) -> None:
    from prodlife import Actor

    with pytest.raises(PermissionDenied, match="payments: record"):
        billing(store).place_order(_ten_services_order(), CONTEXT, Actor.staff("intern"))


def test_promotion_limits_are_checked_against_the_stored_uses(store: Store) -> None:
    from prodlife import Promotion
    from prodlife.pricing import PromotionKind, PromotionRefused

    once = Promotion("ONCE", PromotionKind.PERCENTAGE, 50, max_uses=1)
    with store.transaction() as uow:
        uow.promotions.add(once)
        uow.commit()
    context = attrs.evolve(CONTEXT, promotions=(once,))
    app = billing(store)
    first = attrs.evolve(_ten_services_order(), id="O-1", promo_code="ONCE")
    _, services = app.place_order(first, context, OWNER)
    assert services[0].id == "O-1-1"  # ids come from the order: no collisions between orders
    second = attrs.evolve(first, id="O-2")
    with pytest.raises(PromotionRefused):
        app.place_order(second, context, OWNER)
    with store.transaction() as uow:
        assert uow.promotions.uses("ONCE") == 1
        assert uow.orders.for_customer(OWNER_ID) == [first]


def test_a_customer_lists_only_their_own_services(store: Store) -> None:
    app = billing(store)
    app.add_services([web(id="MINE"), web(id="THEIRS", customer_id="C-OTHER")])
    assert [s.id for s in app.services(ServiceQuery(), OWNER)] == ["MINE"]
    assert app.services(ServiceQuery(customer_id="C-OTHER"), OWNER) == []
    assert [s.id for s in app.services(ServiceQuery(), STAFF)] == ["MINE", "THEIRS"]


def test_text_that_is_not_unicode_is_refused_with_a_validation_error(store: Store) -> None:
    app = billing(store)
    app.add_services([web()])
    # Every store refuses it the same way (never a UnicodeError), and keeps nothing.
    with pytest.raises(ValidationError, match="lone surrogate"):
        app.perform(reboot, web().id, OWNER, reason="odd \ud800 text")
    assert app.service(web().id, STAFF) == web()
    with pytest.raises(ValidationError, match="lone surrogate"):
        app.add_services([web(id="S-\ud800")])


def test_revenue_over_twelve_months_counts_an_annual_invoice_once(store: Store) -> None:
    from prodlife import ANNUAL

    year_ago = Billing(store, clock=FixedClock(NOW - timedelta(days=365)))
    year_ago.add_services(
        [
            web(
                id="Y",
                cycle=ANNUAL,
                next_due=d("2024-05-01"),
                start=d("2024-04-01"),
                paid_through=d("2024-04-30"),
            )
        ]
    )
    year_ago.perform(renew, "Y", STAFF)  # issued 2024-04-21, exactly 12 months before
    billing(store).perform(renew, "Y", STAFF)
    assert [r.amount for r in billing(store).revenue_by_product()] == [usd("10.00")]


def test_a_second_transaction_in_one_thread_is_refused_not_waited_for(store: Store) -> None:
    refused = pytest.raises(StoreError, match="already has a transaction")
    with store.transaction(), refused, store.transaction():
        pass


def test_the_hosts_module_runs_for_operations_and_for_the_schedulers_automatic_work(
    store: Store,
) -> None:
    from prodlife import SchedulerPolicy
    from prodlife.lifecycle import Actor, invoice_early
    from tests._lifecycle import FakeModule, at, commands

    module = FakeModule()
    policy = SchedulerPolicy(suspend_days_after=3)
    app = Billing(store, clock=FixedClock(NOW), module=module, policy=policy)
    late = due("LATE", "2025-04-16")
    late = invoice_early(late, Actor.staff("ann", ["invoices: create"]), at("2025-04-10")).service
    app.add_services([web(), late])
    app.perform(reboot, web().id, OWNER)
    report = app.run_due()
    assert report.handled == ("LATE",)  # unpaid since Apr 16: suspended on Apr 19
    assert commands(module) == ["reboot", "suspend"]
    assert app.service("LATE", STAFF).status.substate is SuspensionKind.FOR_NON_PAYMENT


class Picky(Recorder):
    """A notifier that refuses every reboot event, and takes the others."""

    def publish(self, events: Sequence[StoredEvent]) -> None:
        if any(item.event.kind is EventKind.REBOOTED for item in events):
            raise ValueError("reboot events are not wanted here")
        super().publish(events)


def test_an_event_the_notifier_keeps_refusing_never_blocks_later_changes(store: Store) -> None:
    picky = Picky()
    app = billing(store, notifier=picky)
    app.add_services([web()])
    with pytest.raises(PublishFailed):
        app.perform(reboot, web().id, OWNER)
    done = app.perform(suspend, web().id, STAFF, SuspensionKind.BY_ADMINISTRATOR)
    assert [item.event for item in picky.published] == list(done.events)
    with pytest.raises(ValueError, match="reboot events"):
        app.publish_pending()  # the refused one waits for the host to deal with it
    with store.transaction() as uow:
        assert [item.event.kind for item in uow.events.unpublished()] == [EventKind.REBOOTED]


def test_a_change_saved_while_an_operation_ran_wins_and_the_operation_conflicts(
    tmp_path: Path,
) -> None:
    import threading

    from prodlife import ConcurrencyConflict
    from tests._lifecycle import FakeModule

    store = open_store(f"sqlite:///{tmp_path / 'race.db'}")
    billing(store).add_services([web()])

    class Meddling(FakeModule):
        def reboot(self, service: Any) -> Any:
            other = threading.Thread(
                target=lambda: billing(store).perform(
                    suspend, web().id, STAFF, SuspensionKind.BY_ADMINISTRATOR
                )
            )
            other.start()
            other.join()  # SQLite lets the other writer in while this operation runs
            return super().reboot(service)

    with pytest.raises(ConcurrencyConflict):
        billing(store, module=Meddling()).perform(reboot, web().id, OWNER)
    stored = billing(store).service(web().id, STAFF)
    assert stored.status.substate is SuspensionKind.BY_ADMINISTRATOR and stored.version == 1
    store.close()


def test_an_order_under_a_billing_term_scheme_makes_its_services_by_their_terms(
    store: Store,
) -> None:
    from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme

    scheme = BillingTermScheme(
        "TV", "TV", prepaid=False, terms=[BillingTerm("VPS", exclude_from_deactivation=True)]
    )
    offer_terms(store, schemes=[scheme])
    _, services = billing(store).place_order(_ten_services_order(), CONTEXT, OWNER, scheme="TV")
    stored = billing(store).services(ServiceQuery(customer_id=OWNER_ID))
    assert stored == sorted(services, key=lambda service: service.id)
    assert {s.override_auto_suspend for s in stored} == {OverrideAutoSuspend.never()}


@pytest.mark.parametrize(
    "document", ['{"id": 2}', "[" * 100_000 + "]" * 100_000], ids=["not-a-service", "deep"]
)
def test_an_unreadable_stored_service_is_reported_and_the_others_are_billed(
    tmp_path: Path, document: str
) -> None:
    import sqlite3

    path = tmp_path / "broken.db"
    store = open_store(f"sqlite:///{path}")
    billing(store).add_services([due(f"D-{n}") for n in (1, 2, 3)])
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE services SET doc = ? WHERE id = ?", (document, "D-2"))
    raw.close()
    report = billing(store).run_due()
    assert sorted(report.handled) == ["D-1", "D-3"]
    assert [key for key, _ in report.failed] == ["D-2"]
    assert "StoreError" in report.failed[0][1]
    store.close()


def test_an_order_in_arrears_invoices_the_setup_fee_now_and_the_first_month_when_it_ends(
    store: Store,
) -> None:
    from prodlife import Period
    from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme, BillingTiming
    from prodlife.lifecycle import Actor, activate, invoice_next_period

    scheme = BillingTermScheme(
        "POST", "Post-bill", prepaid=False, terms=[BillingTerm("VPS", BillingTiming.IN_ARREARS)]
    )
    offer_terms(store, schemes=[scheme])
    app = billing(store)
    _, services = app.place_order(_ten_services_order(), CONTEXT, OWNER, scheme="POST")
    with store.transaction() as uow:
        lines = uow.invoice_lines.for_customer(OWNER_ID)
    # Each VPS: only its 5.00 setup fee at the order; the month is billed after use.
    assert [str(item.line.amount) for item in lines] == ["USD 5.00"] * 10
    first = services[0]
    assert first.billing_timing is BillingTiming.IN_ARREARS and first.next_due == first.start
    app.perform(activate, first.id, Actor.system())
    assert first.due_date(1) <= NOW.date()  # the first month has ended
    month = app.perform(invoice_next_period, first.id, Actor.system())
    assert [str(line) for line in month.lines] == [
        f"{first.id} recurring VPS {Period(first.start, first.due_date(1))} USD 10.00"
    ]
