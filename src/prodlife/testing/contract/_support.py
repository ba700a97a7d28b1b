"""What every contract class shares: the ``store`` fixture and the suite's helpers."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, TypeVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlife.billing.lines import InvoiceLine
from prodlife.errors import NotFound
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.orders import OrderStatus
from prodlife.lifecycle.services import Service
from prodlife.ports import IssuedLine, ServiceQuery, Store, StoredEvent, UnitOfWork
from prodlife.testing.contract._values import (
    PLAN,
    PROMOTIONS,
    T0,
    changed,
    make_event,
    make_line,
    make_order,
    make_run,
    make_service,
    make_version,
)

T = TypeVar("T")


class _ByKey(Protocol[T]):
    """A repository of values by a unique key: ``get`` and ``add``."""

    def get(self, key: str, /) -> T: ...

    def add(self, value: T, /) -> object: ...


# --- helpers ------------------------------------------------------------------------------


def write(store: Store, work: Callable[[UnitOfWork], object]) -> None:
    """Run ``work`` in a transaction and commit it."""
    with store.transaction() as uow:
        work(uow)
        uow.commit()


def read(store: Store, work: Callable[[UnitOfWork], T]) -> T:
    """What ``work`` returns in a read-only transaction of its own."""
    with store.transaction(readonly=True) as uow:
        return work(uow)


def each(action: Callable[[T], object], items: Iterable[T]) -> None:
    """Call ``action`` on every item."""
    for item in items:
        action(item)


def fail_inside(store: Store, work: Callable[[UnitOfWork], object], error: Exception) -> None:
    """Run ``work`` in a transaction, then raise ``error`` inside the ``with`` block."""
    with store.transaction() as uow:
        work(uow)
        raise error


def add_services(store: Store, rows: Sequence[tuple[Service, date | None]]) -> None:
    """Store ``rows`` (service, due_on) and commit."""

    def add(uow: UnitOfWork) -> None:
        for service, due_on in rows:
            uow.services.add(service, due_on=due_on)

    write(store, add)


def check_unknown_keys(
    store: Store,
    repository: Callable[[UnitOfWork], _ByKey[T]],
    value: T,
    key: str,
    unknown: Iterable[str],
) -> None:
    """``get`` raises ``NotFound`` for ``key`` in an empty store; once ``value`` is added
    under ``key``, it finds it there and still raises for each ``unknown`` key."""
    with store.transaction() as uow, pytest.raises(NotFound):
        repository(uow).get(key)
    write(store, lambda uow: repository(uow).add(value))
    with store.transaction() as uow:
        for other in unknown:
            with pytest.raises(NotFound):
                repository(uow).get(other)
        assert repository(uow).get(key) == value


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()


def _or_missing(work: Callable[[], T]) -> T | _Missing:
    try:
        return work()
    except NotFound:
        return MISSING


def issued(items: Sequence[IssuedLine]) -> list[tuple[InvoiceLine, str, datetime]]:
    """Stored lines without their sequences (which a store may number with gaps)."""
    return [(item.line, item.product_code, item.issued_at) for item in items]


def stored(items: Sequence[StoredEvent]) -> list[tuple[Event, bool]]:
    """Stored events without their sequences."""
    return [(item.event, item.published) for item in items]


def snapshot(uow: UnitOfWork) -> dict[str, object]:
    """Everything the suite's fixture values can be read back as, through ``uow``."""
    promotions = uow.promotions.all()
    return {
        "versions": _or_missing(uow.catalog.versions),
        "plans": uow.price_plans.all(),
        "plan": _or_missing(lambda: uow.price_plans.get(PLAN.code)),
        "promotions": promotions,
        "uses": [uow.promotions.uses(p.code) for p in promotions],
        "services": uow.services.find(ServiceQuery()),
        "history": _or_missing(lambda: uow.services.history("S-1")),
        "count": uow.services.count(ServiceQuery()),
        "due": uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 1))),
        "orders": uow.orders.for_customer("C-1"),
        "order": _or_missing(lambda: uow.orders.get("O-1")),
        "lines": issued(uow.invoice_lines.for_customer("C-1")),
        "events": stored(uow.events.for_service("S-1")),
        "unpublished": stored(uow.events.unpublished()),
        "sync runs": [item.run for item in uow.sync_runs.recent()],
    }


def write_one_of_each(uow: UnitOfWork) -> None:
    """Write one value to every repository (ids S-1, O-1, C-1, code STD...)."""
    uow.catalog.add_version(make_version())
    uow.price_plans.add(PLAN)
    uow.promotions.add(PROMOTIONS[0])
    uow.promotions.record_use(PROMOTIONS[0].code, "C-1", "O-1")
    uow.services.add(make_service(), due_on=date(2025, 5, 1))
    uow.orders.add(make_order())
    uow.invoice_lines.add([make_line()], product_code="WEB", issued_at=T0)
    uow.events.add([make_event()])
    uow.sync_runs.add(make_run())


def change_one_of_each(uow: UnitOfWork) -> None:
    """Change what :func:`write_one_of_each` wrote, in every repository that can change."""
    service = uow.services.get("S-1")
    uow.services.save(changed(service), expected_version=service.version, due_on=None)
    uow.price_plans.replace(attrs.evolve(PLAN, name="Renamed"))
    uow.orders.replace(attrs.evolve(make_order(), status=OrderStatus.ACTIVE))
    uow.promotions.record_use(PROMOTIONS[0].code, "C-2", "O-2")
    uow.catalog.add_version(make_version("2026", date(2026, 1, 1)))
    uow.invoice_lines.add([make_line(amount="-2.00")], product_code="WEB", issued_at=T0)
    uow.events.mark_published([item.sequence for item in uow.events.unpublished()])
    uow.events.add([make_event(kind=EventKind.UNSUSPENDED)])
    uow.sync_runs.add(make_run("again.csv"))


class _Worker:
    """Runs ``work`` in a thread of its own and keeps what it returned or raised."""

    def __init__(self, work: Callable[[], T]) -> None:
        self.result: list[Any] = []
        self.error: list[BaseException] = []

        def run() -> None:
            try:
                self.result.append(work())
            except BaseException as error:  # handed to the test's thread
                self.error.append(error)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait(self, timeout: float) -> bool:
        """Whether it finished within ``timeout`` seconds."""
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def value(self) -> Any:
        """What ``work`` returned (re-raising what it raised)."""
        if self.error:
            raise self.error[0]
        return self.result[0]


# --- the fixture ----------------------------------------------------------------------


class StoreFixture:
    """The ``store`` fixture every contract class uses; override it in your subclass.

    Attributes:
        concurrent_readers: whether a transaction can read while another one is open
            (``False`` for a store that runs one transaction at a time).
        examples: how many examples each hypothesis round-trip draws.
        wait_seconds: how long a test waits for a second transaction (another thread).
    """

    concurrent_readers: ClassVar[bool] = True
    examples: ClassVar[int] = 20
    wait_seconds: ClassVar[float] = 10.0

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh, empty store, closed afterwards: override this fixture."""
        pytest.fail(
            f"{type(self).__name__} needs a store: override the fixture in your subclass, "
            "@pytest.fixture def store(self): yield a fresh, empty store, then close it"
        )

    def check_round_trips(
        self,
        store: Store,
        values: st.SearchStrategy[T],
        key: str,
        add: Callable[[UnitOfWork, T], object],
        check: Callable[[UnitOfWork, T], None],
    ) -> None:
        """Each value ``values`` draws, its ``key`` attribute made unique by a number in front,
        is added in a transaction of its own and passes ``check`` in the next."""
        counter = itertools.count()

        @self.hypothesis_settings()
        @given(value=values)
        def round_trip(value: T) -> None:
            value = attrs.evolve(value, **{key: f"{next(counter):05d}{getattr(value, key)}"})  # type: ignore[misc]
            write(store, lambda uow: add(uow, value))
            with store.transaction() as uow:
                check(uow, value)

        round_trip()

    def hypothesis_settings(self) -> settings:
        """The settings of the suite's hypothesis round-trips."""
        return settings(
            max_examples=self.examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
