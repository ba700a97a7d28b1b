"""A rental or reservation made while its service ends, on both SQL stores (issue 21, item 4).

Two workers: one rents (or reserves) modem M2 to service S-5 without a price plan, the
other cancels S-5. Whatever the order their transactions commit in, M2 ends in stock:
either the rental is refused (the service ended) or it is kept and the cancellation gives
it back. On PostgreSQL (READ COMMITTED, many writers) each worker stops at a barrier once
it has read what it decides on (the rental: the service still live; the cancellation: the
service saved and no goods to give back), so both decide on what the other has not
committed yet; SQLite serializes its writers, so there they only start
together.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from prodlife.app import Billing
from prodlife.clock import FixedClock
from prodlife.errors import ConcurrencyConflict, RuleViolation
from prodlife.goods import Holder, MovementKind, Ownership, UnitStatus
from prodlife.goods_app import Goods
from prodlife.lifecycle import cancel
from prodlife.ports import Store
from prodlife.stores import open_store
from prodlife.testing.contract import make_service
from tests._lifecycle import STAFF
from tests.stores._postgresql import isolated_schema, postgresql_url_from
from tests.test_goods_rentals_returned import CANCELLED_AT, PRORATED, rented

#: How long a worker waits for the other at the barrier.
WAIT = 30.0
LATE = Holder.service("S-5", "C-5")


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database: an SQLite file, or PostgreSQL in a schema of the test's
    own (skipped without a server, failing under CI)."""
    with contextlib.ExitStack() as stack:
        if request.param == "postgresql":
            url = postgresql_url_from(os.environ)
            schema = stack.enter_context(isolated_schema(url))
            opened = [open_store(url, schema=schema.name) for _ in range(2)]
        else:
            opened = [open_store(f"sqlite:///{tmp_path / 'race.db'}") for _ in range(2)]
        for store in opened:
            stack.callback(store.close)
        yield opened[0], opened[1]


def _waits_once_done(
    monkeypatch: pytest.MonkeyPatch, target: str, barrier: threading.Barrier
) -> None:
    """Make the function at ``target`` wait at ``barrier`` once its first call is done."""
    module, name = target.rsplit(".", 1)
    original: Callable[..., Any] = getattr(__import__(module, fromlist=[name]), name)
    waited = threading.Event()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not waited.is_set():
            waited.set()
            barrier.wait(WAIT)
        return result

    monkeypatch.setattr(target, waiting)


@pytest.mark.parametrize("movement", ["rent", "reserve"])
def test_a_rental_made_while_its_service_ends_never_stays_with_the_ended_service(
    stores: tuple[Store, Store], movement: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = stores
    rented(first)
    with first.transaction() as uow:
        uow.services.add(make_service("S-5", customer_id="C-5"), due_on=date(2025, 5, 1))
        uow.commit()
    barrier = threading.Barrier(2)
    inside = "postgres" in type(first).__name__.lower()
    if inside:  # each decides on what the other has not committed yet
        _waits_once_done(monkeypatch, "prodlife.goods_app.service_billing._service_for", barrier)
        _waits_once_done(monkeypatch, "prodlife.app._base.follow_services", barrier)
    goods = Goods(first, clock=FixedClock(CANCELLED_AT))
    app = Billing(second, clock=FixedClock(CANCELLED_AT))
    results: dict[str, object] = {}

    def rent() -> None:
        if not inside:
            barrier.wait(WAIT)
        try:
            if movement == "rent":
                goods.issue("MODEM", "MAIN", LATE, Ownership.RENTAL, serials=["M2"])
            else:
                goods.reserve("MODEM", "MAIN", LATE, serials=["M2"])
            results["goods"] = "kept"
        except RuleViolation as error:
            results["goods"] = error.rule
        except BaseException as error:  # reported below
            barrier.abort()
            results["goods"] = error

    def end() -> None:
        if not inside:
            barrier.wait(WAIT)
        try:
            for _ in range(3):  # a host runs a conflicting use case again
                with contextlib.suppress(ConcurrencyConflict):
                    app.perform(cancel, "S-5", STAFF, policy=PRORATED)
                    break
            results["billing"] = "ended"
        except BaseException as error:  # reported below
            barrier.abort()
            results["billing"] = error

    workers = [threading.Thread(target=rent), threading.Thread(target=end)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results["billing"] == "ended", results
    assert results["goods"] in ("kept", "goods.ended"), results
    assert app.service("S-5", STAFF).ended
    unit = goods.unit("MODEM", "M2")
    assert (unit.status, unit.holder) == (UnitStatus.IN_STOCK, None), unit.describe()
    back = [m for m in unit.history if m.kind in (MovementKind.RETURN, MovementKind.RELEASE)]
    if results["goods"] == "kept":  # kept first, then given back by the cancellation
        assert [m.reference for m in back] == ["service S-5 ended"]
    else:
        assert back == []
