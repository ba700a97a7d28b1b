"""Writes deferred until a transaction's first statement, on both SQL stores.

The unit of work of :mod:`prodlife.stores.sql` queues ``services.add``,
``services.save``, ``invoice_lines.add`` and ``events.add`` until the first
statement or the commit; these tests hold it to what its calls would have done
at once, on SQLite and on PostgreSQL (which needs ``PRODLIFE_POSTGRESQL_URL``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from prodlife.billing import InvoiceLine
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    ProdlifeError,
    StoreError,
)
from prodlife.lifecycle import reboot
from prodlife.lifecycle.events import Event, EventKind
from prodlife.ports import ServiceQuery, Store
from prodlife.stores import open_store
from prodlife.testing.contract._values import make_line
from tests._lifecycle import SERVICE_ID, STAFF, at, web
from tests._support import usd
from tests.stores._postgresql import IsolatedSchema

TODAY = date(2025, 5, 1)
NOW = at("2025-05-01")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh SQL store of each kind."""
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path}/billing.db")
    else:
        url: str = request.getfixturevalue("postgresql_url")
        schema: IsolatedSchema = request.getfixturevalue("postgresql_schema")
        opened = open_store(url, schema=schema.name)
    yield opened
    opened.close()


def _add(store: Store, *services: Any, due_on: date | None = TODAY) -> None:
    with store.transaction() as uow:
        for service in services:
            uow.services.add(service, due_on=due_on)
        uow.commit()


def _rebooted(service: Any, day: str = "2025-04-10") -> Any:
    """``service`` one version on (a reboot)."""
    return reboot(service, STAFF, at(day)).service


def _loaded_at(service: Any, version: int) -> Any:
    """``service`` rebooted up to ``version``, as a store gives it back: at rest. Saved with
    ``expected_version=version`` it is queued without any read, whatever is stored."""
    while service.version < version:
        service = _rebooted(service)
    return service.at_rest()


def _event(day: str, service_id: str = SERVICE_ID) -> Event:
    return Event(EventKind.REBOOTED, service_id, "C-1", at(day))


def _line(description: str) -> InvoiceLine:
    return make_line(SERVICE_ID, "C-1", usd("1.00"), description)


def _at_once(store: Store, write: Callable[[Any], None]) -> ProdlifeError:
    """The error ``write`` raises at its call when a read came first (nothing deferred)."""
    with store.transaction() as uow:
        uow.services.count(ServiceQuery())
        with pytest.raises(ProdlifeError) as raised:
            write(uow)
    return raised.value


def _stored(store: Store) -> tuple[list[tuple[str, int]], int, int]:
    """The services (id, version), and how many invoice lines and events are stored."""
    with store.transaction(readonly=True) as uow:
        services = [(s.id, s.version) for s in uow.services.find(ServiceQuery())]
        lines = len(uow.invoice_lines.for_customer("C-1"))
        events = len(uow.events.unpublished())
    return services, lines, events


_REFUSED: dict[str, Callable[[Any], None]] = {
    "a taken id": lambda uow: uow.services.add(web(edition="PRO"), due_on=None),
    "a stale version": lambda uow: uow.services.save(  # as if loaded at version 1
        _rebooted(_rebooted(web()).at_rest()), expected_version=1, due_on=None
    ),
    "a missing service": lambda uow: uow.services.save(
        _rebooted(web(id="SVC-9")), expected_version=0, due_on=None
    ),
}


@pytest.fixture(params=sorted(_REFUSED))
def refused(
    request: pytest.FixtureRequest, store: Store
) -> tuple[Callable[[Any], None], ProdlifeError]:
    """One of :data:`_REFUSED`, with :func:`~tests._lifecycle.web` stored first, and the
    error it raises at its call when nothing is deferred."""
    _add(store, web(), due_on=None)
    write = _REFUSED[request.param]
    return write, _at_once(store, write)


def test_a_deferred_write_refused_at_commit_raises_what_its_call_would_and_keeps_nothing(
    store: Store, refused: tuple[Callable[[Any], None], ProdlifeError]
) -> None:
    write, expected = refused

    with store.transaction() as uow:
        uow.services.add(web(id="SVC-2"), due_on=None)
        uow.events.add([_event("2025-04-02")])
        write(uow)  # deferred: accepted for now
        uow.invoice_lines.add([_line("a")], product_code="WEB", issued_at=NOW)
        with pytest.raises(type(expected)) as raised:
            uow.commit()
        assert str(raised.value) == str(expected)
        assert isinstance(raised.value, AlreadyExists | ConcurrencyConflict | NotFound)
        with pytest.raises(StoreError, match="has ended"):
            uow.services.get(SERVICE_ID)

    assert _stored(store) == ([(SERVICE_ID, 0)], 0, 0)


def test_a_deferred_write_refused_at_the_first_read_fails_the_transaction(
    store: Store, refused: tuple[Callable[[Any], None], ProdlifeError]
) -> None:
    write, expected = refused

    with store.transaction() as uow:
        uow.services.add(web(id="SVC-2"), due_on=None)
        write(uow)
        with pytest.raises(type(expected)) as raised:
            uow.services.count(ServiceQuery())
        assert str(raised.value) == str(expected)
        with pytest.raises(StoreError, match="earlier statement of this transaction failed"):
            uow.services.get(SERVICE_ID)
        with pytest.raises(StoreError, match="earlier statement"):
            uow.events.add([_event("2025-04-02")])
        with pytest.raises(StoreError, match="earlier statement"):
            uow.commit()

    assert _stored(store) == ([(SERVICE_ID, 0)], 0, 0)


def test_the_first_refused_write_in_call_order_is_the_one_reported(
    store: Store,
) -> None:
    _add(store, web(), web(id="SVC-2"), due_on=None)

    with store.transaction() as uow:
        uow.services.save(_rebooted(web()), expected_version=0, due_on=None)
        stale = _rebooted(_loaded_at(web(id="SVC-2"), 7))
        uow.services.save(stale, expected_version=7, due_on=None)
        uow.services.add(web(), due_on=None)  # taken too, but after the stale save
        with pytest.raises(ConcurrencyConflict) as raised:
            uow.commit()
    assert (raised.value.key, raised.value.expected, raised.value.found) == ("SVC-2", 7, 0)
    assert sorted(_stored(store)[0]) == sorted([(SERVICE_ID, 0), ("SVC-2", 0)])


def test_a_refused_save_reports_the_version_it_met_even_when_a_later_write_changed_it(
    store: Store,
) -> None:
    _add(store, web(), due_on=None)
    once = _rebooted(web())

    # A stale save, then a good one of the same service: it met version 0, as at once.
    with store.transaction() as uow:
        uow.services.save(_rebooted(_loaded_at(web(), 1)), expected_version=1, due_on=None)
        uow.services.save(once, expected_version=0, due_on=None)
        with pytest.raises(ConcurrencyConflict) as raised:
            uow.commit()
    assert (raised.value.expected, raised.value.found) == (1, 0)

    # A save of a service not stored yet, then its add: it met no service.
    with store.transaction() as uow:
        uow.services.save(_rebooted(web(id="SVC-2")), expected_version=0, due_on=None)
        uow.services.add(web(id="SVC-2"), due_on=None)
        with pytest.raises(NotFound, match="SVC-2"):
            uow.commit()

    # A stale save of a service added earlier in the queue: it met the added version.
    with store.transaction() as uow:
        uow.services.add(web(id="SVC-3"), due_on=None)
        stale = _rebooted(_loaded_at(web(id="SVC-3"), 4))
        uow.services.save(stale, expected_version=4, due_on=None)
        with pytest.raises(ConcurrencyConflict) as raised:
            uow.commit()
    assert (raised.value.key, raised.value.expected, raised.value.found) == ("SVC-3", 4, 0)

    assert _stored(store)[0] == [(SERVICE_ID, 0)]


def test_saves_after_an_add_of_the_same_service_in_one_queue_run_in_order(
    store: Store,
) -> None:
    first = web()
    second = _rebooted(first)
    third = _rebooted(second, "2025-04-11")

    with store.transaction() as uow:
        uow.services.add(first, due_on=None)
        uow.services.save(second, expected_version=0, due_on=None)
        uow.services.save(third, expected_version=1, due_on=TODAY)
        assert (
            uow.services.get(SERVICE_ID) == third.at_rest()
        )  # the first read runs the queue first
        fourth = _rebooted(third, "2025-04-12")
        uow.services.save(fourth, expected_version=2, due_on=TODAY)  # runs at once
        uow.commit()

    with store.transaction() as uow:
        stored = uow.services.get(SERVICE_ID)
        due = uow.services.find(ServiceQuery(due_on_or_before=TODAY))
    assert stored.version == 3
    assert [service.id for service in due] == [SERVICE_ID]


def test_deferred_lines_and_events_keep_their_call_order(store: Store) -> None:
    with store.transaction() as uow:
        uow.events.add([_event("2025-04-01")])
        uow.invoice_lines.add([_line("a"), _line("b")], product_code="WEB", issued_at=NOW)
        uow.events.add([_event("2025-04-02"), _event("2025-04-03")])
        uow.services.add(web(), due_on=None)
        uow.invoice_lines.add([_line("c")], product_code="WEB", issued_at=NOW)
        uow.events.add([])
        uow.invoice_lines.add([], product_code="WEB", issued_at=NOW)
        uow.events.add([_event("2025-04-04")])
        uow.commit()

    with store.transaction() as uow:
        events = uow.events.for_service(SERVICE_ID)
        lines = uow.invoice_lines.for_service(SERVICE_ID)
    assert [item.event.at.day for item in events] == [1, 2, 3, 4]
    assert [item.sequence for item in events] == sorted(item.sequence for item in events)
    assert [item.line.description for item in lines] == ["a", "b", "c"]
    assert [item.sequence for item in lines] == sorted(item.sequence for item in lines)


def test_a_read_only_transaction_refuses_a_write_at_its_call(
    store: Store,
) -> None:
    with store.transaction(readonly=True) as uow, pytest.raises(StoreError):
        uow.services.add(web(), due_on=None)


def test_a_queue_of_many_writes_is_kept_whole(store: Store) -> None:
    services = [web(id=f"SVC-{n:04d}") for n in range(1000)]
    with store.transaction() as uow:
        for service in services:
            uow.services.add(service, due_on=TODAY)
            uow.events.add([_event("2025-04-01", service.id)])
        for service in services[::2]:
            uow.services.save(_rebooted(service), expected_version=0, due_on=None)
        uow.commit()

    with store.transaction(readonly=True) as uow:
        stored = uow.services.get_many([service.id for service in services])
        assert len(uow.events.unpublished()) == 1000
    assert [service.version for service in stored] == [1, 0] * 500
