"""Goods rented to a service come back when the service ends, on every store (issue 21, item 4).

The service is the contract suite's: monthly from 2025-04-01 at 10.00 USD, paid through
April. Modems rent at 6.20 USD a month, remotes at 1.00, cables sell at 9.90 (the test
plan); rentals are billed in advance like the service, from their issue day.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlife import MONTHLY, ONE_TIME, FixedClock, Money
from prodlife.app import Billing
from prodlife.catalog import CancellationPolicy, CancellationTiming, CatalogVersion
from prodlife.errors import ProdlifeError, RuleViolation, TransitionNotAllowed
from prodlife.goods import Holder, Movement, MovementKind, Ownership, UnitStatus, Warehouse
from prodlife.goods_app import Goods
from prodlife.lifecycle import MassUpdate, cancel, delete, request_cancellation, terminate
from prodlife.lifecycle.transitions import Operation
from prodlife.ports import Store
from prodlife.pricing import PlanRate, PricePlan, Rate
from prodlife.proration import CreditMode, UsedDay
from prodlife.stores import open_store
from prodlife.testing.contract import make_service
from tests._goods import ALICE, CATALOG
from tests._lifecycle import STAFF
from tests.stores._postgresql import isolated_schema, postgresql_url_from

ISSUED_AT = datetime(2025, 4, 1, 9, tzinfo=UTC)
CANCELLED_AT = datetime(2025, 4, 16, 9, tzinfo=UTC)
LATER = date(2025, 4, 20)
PLAN = PricePlan(
    "GOODS",
    "Goods",
    "USD",
    [
        PlanRate("MODEM", MONTHLY, Rate.per_unit(Money("6.20", "USD"))),
        PlanRate("REMOTE", MONTHLY, Rate.per_unit(Money("1.00", "USD"))),
        PlanRate("CABLE", ONE_TIME, Rate.per_unit(Money("9.90", "USD"))),
    ],
)
#: Cancelled now, the unused days (the day itself included) refunded.
PRORATED = CancellationPolicy(
    CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED, used_day=UsedDay.UNUSED
)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store: memory, an SQLite file, and PostgreSQL in a schema of the test's own
    (skipped without a server, failing under CI)."""
    with contextlib.ExitStack() as stack:
        if request.param == "postgresql":
            url = postgresql_url_from(os.environ)
            schema = stack.enter_context(isolated_schema(url))
            opened = open_store(url, schema=schema.name)
        else:
            path = tmp_path / "books.db"
            opened = open_store("memory:" if request.param == "memory" else f"sqlite:///{path}")
        stack.callback(opened.close)
        yield opened


def rented(store: Store) -> Goods:
    """S-1 rents modem M1 (from MAIN), modem M3 and a remote (from VAN), and bought 2 cables;
    modem M2 stays in MAIN. Everything is billed through the service on Apr 1."""
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("goods", date(2025, 1, 1), CATALOG))
        uow.price_plans.add(PLAN)
        uow.services.add(make_service(), due_on=date(2025, 5, 1))
        uow.commit()
    goods = Goods(store, clock=FixedClock(ISSUED_AT))
    goods.add_warehouse(Warehouse("MAIN", "Main depot"))
    goods.add_warehouse(Warehouse("VAN", "Van", allows_negative=True))
    goods.receive("MODEM", "MAIN", serials=["M1", "M2"])
    goods.receive("MODEM", "VAN", serials=["M3"])
    goods.receive("REMOTE", "VAN", 3)
    goods.receive("CABLE", "MAIN", 5)
    rent = Ownership.RENTAL
    goods.issue("MODEM", "MAIN", ALICE, rent, serials=["M1"], plan_code="GOODS")
    goods.issue("MODEM", "VAN", ALICE, rent, serials=["M3"], plan_code="GOODS")
    goods.issue("REMOTE", "VAN", ALICE, rent, 1, plan_code="GOODS")
    goods.issue("CABLE", "MAIN", ALICE, Ownership.SALE, 2, plan_code="GOODS")
    return goods


def billing(store: Store, at: datetime = CANCELLED_AT) -> Billing:
    return Billing(store, clock=FixedClock(at))


def returns(store: Store) -> list[Movement]:
    with store.transaction(readonly=True) as uow:
        moved = uow.goods.movements(["MODEM", "REMOTE", "CABLE"])
    return [m for m in moved if m.kind is MovementKind.RETURN]


def goods_lines(store: Store) -> list[tuple[str, str]]:
    with store.transaction(readonly=True) as uow:
        found = uow.invoice_lines.for_service("S-1")
    return [(i.line.subject, str(i.line.amount)) for i in found if i.line.subject.startswith("g")]


def test_cancelling_returns_each_rental_to_its_warehouse_and_the_sale_stays(store: Store) -> None:
    goods = rented(store)
    billing(store).perform(cancel, "S-1", STAFF, policy=PRORATED)
    for serial, warehouse in (("M1", "MAIN"), ("M3", "VAN")):
        unit = goods.unit("MODEM", serial)
        assert (unit.status, unit.warehouse, unit.holder) == (UnitStatus.IN_STOCK, warehouse, None)
    assert goods.unit("MODEM", "M2").history[-1].kind is MovementKind.RECEIVE  # never rented
    assert goods.balance("REMOTE", "VAN").on_hand == 3
    assert goods.balance("CABLE", "MAIN").on_hand == 3  # the 2 cables bought stay sold
    [cables] = [a for a in goods.attachments(ALICE) if a.product_code == "CABLE"]
    assert (cables.ownership, cables.remaining) == (Ownership.SALE, 2)
    assert all(a.remaining == 0 for a in goods.attachments(ALICE) if a.product_code != "CABLE")
    assert sorted((m.product_code, m.warehouse, m.on, m.reference) for m in returns(store)) == [
        ("MODEM", "MAIN", date(2025, 4, 16), "service S-1 ended"),
        ("MODEM", "VAN", date(2025, 4, 16), "service S-1 ended"),
        ("REMOTE", "VAN", date(2025, 4, 16), "service S-1 ended"),
    ]


def test_the_engine_credits_the_rental_billed_beyond_the_end(store: Store) -> None:
    rented(store)
    assert sorted(goods_lines(store)) == [
        ("goods CABLE#1", "USD 19.80"),  # 2 x 9.90, once
        ("goods MODEM#2", "USD 6.20"),  # April, in advance
        ("goods MODEM#3", "USD 6.20"),
        ("goods REMOTE#1", "USD 1.00"),
    ]
    billing(store).perform(cancel, "S-1", STAFF, policy=PRORATED)
    # Ended on Apr 16, that day unused: 15 of April's 30 days come back,
    # 6.20 x 15 / 30 = 3.10 a modem, 1.00 x 15 / 30 = 0.50 for the remote; the sale stays.
    assert sorted(goods_lines(store)) == [
        ("goods CABLE#1", "USD 19.80"),
        ("goods MODEM#2", "USD -3.10"),
        ("goods MODEM#2", "USD 6.20"),
        ("goods MODEM#3", "USD -3.10"),
        ("goods MODEM#3", "USD 6.20"),
        ("goods REMOTE#1", "USD -0.50"),
        ("goods REMOTE#1", "USD 1.00"),
    ]
    later = billing(store, datetime(2025, 6, 2, 9, tzinfo=UTC))
    later.run_due()
    assert len(goods_lines(store)) == 7  # nothing more is billed for them


def test_a_later_save_of_the_ended_service_returns_nothing_twice(store: Store) -> None:
    rented(store)
    app = billing(store)
    app.perform(cancel, "S-1", STAFF, policy=PRORATED)
    first = returns(store)
    with pytest.raises(TransitionNotAllowed):
        app.perform(cancel, "S-1", STAFF)
    app.perform(delete, "S-1", STAFF)  # saved again, ended still
    billing(store, datetime(2025, 6, 2, 9, tzinfo=UTC)).run_due()
    assert returns(store) == first
    assert len(first) == 3


def test_the_scheduler_carrying_out_a_cancellation_returns_the_rentals_once(store: Store) -> None:
    goods = rented(store)
    end_of_period = CancellationTiming.END_OF_PERIOD
    billing(store).perform(request_cancellation, "S-1", STAFF, end_of_period, "moving")
    assert returns(store) == []  # requested, not ended: the goods stay
    assert goods.unit("MODEM", "M1").status is UnitStatus.ISSUED
    run = billing(store, datetime(2025, 5, 1, 9, tzinfo=UTC))
    run.run_due()
    service = run.service("S-1", STAFF)
    assert service.ended
    assert goods.unit("MODEM", "M1").status is UnitStatus.IN_STOCK
    assert {m.on for m in returns(store)} == {service.termination_date}
    run.run_due()
    assert len(returns(store)) == 3


def test_a_mass_termination_returns_the_rentals(store: Store) -> None:
    goods = rented(store)
    billing(store).mass_update(["S-1"], STAFF, MassUpdate(status=Operation.TERMINATE))
    assert goods.unit("MODEM", "M3").status is UnitStatus.IN_STOCK
    assert goods.balance("REMOTE", "VAN").on_hand == 3


def test_a_crash_before_the_commit_keeps_neither_the_end_nor_the_return(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    goods = rented(store)

    def crash(*args: object) -> None:
        raise RuntimeError("the process died here")

    monkeypatch.setattr("prodlife.app._base.journal", crash)  # after the goods, before commit
    with pytest.raises(RuntimeError):
        billing(store).perform(cancel, "S-1", STAFF, policy=PRORATED)
    monkeypatch.undo()
    assert not billing(store).service("S-1", STAFF).ended
    assert goods.unit("MODEM", "M1").status is UnitStatus.ISSUED
    assert returns(store) == []
    billing(store).perform(cancel, "S-1", STAFF, policy=PRORATED)  # the retry does it all
    assert len(returns(store)) == 3


def test_goods_are_not_rented_to_a_service_that_ended(store: Store) -> None:
    goods = rented(store)
    billing(store).perform(cancel, "S-1", STAFF, policy=PRORATED)
    with pytest.raises(RuleViolation, match="ended on 2025-04-16"):
        goods.issue("MODEM", "MAIN", ALICE, Ownership.RENTAL, serials=["M2"], on=LATER)
    assert goods.unit("MODEM", "M2").status is UnitStatus.IN_STOCK
    goods.issue("CABLE", "MAIN", ALICE, Ownership.SALE, 1, on=LATER)  # selling stays possible


def test_a_movement_of_the_good_after_the_end_dates_the_return_after_it(store: Store) -> None:
    goods = rented(store)
    end_of_period = CancellationTiming.END_OF_PERIOD
    billing(store).perform(request_cancellation, "S-1", STAFF, end_of_period, "moving")
    # the scheduler is late: a modem arrives on May 2, the cancellation runs on May 3
    goods.receive("MODEM", "MAIN", serials=["M4"], on=date(2025, 5, 2))
    billing(store, datetime(2025, 5, 3, 9, tzinfo=UTC)).run_due()
    ended = billing(store).service("S-1", STAFF).termination_date
    assert ended is not None and ended < date(2025, 5, 2)
    assert {m.on for m in returns(store)} == {date(2025, 5, 2)}  # movements stay in date order
    assert goods.unit("MODEM", "M1").status is UnitStatus.IN_STOCK


def _act(
    goods: Goods, app: Billing, action: str, holders: list[Holder], which: int, serial: str
) -> None:
    """Carry out one step of the property below."""
    holder = holders[which]
    calls: dict[str, Callable[[], object]] = {
        "rent": lambda: goods.issue("MODEM", "MAIN", holder, Ownership.RENTAL, serials=[serial]),
        "sell": lambda: goods.issue("MODEM", "MAIN", holder, Ownership.SALE, serials=[serial]),
        "return": lambda: goods.return_from("MODEM", "MAIN", holder, serials=[serial]),
        "cancel": lambda: app.perform(cancel, holder.id, STAFF),
        "terminate": lambda: app.perform(terminate, holder.id, STAFF),
        "delete": lambda: app.perform(delete, holder.id, STAFF),
        "mass": lambda: app.mass_update(
            [h.id for h in holders], STAFF, MassUpdate(status=Operation.TERMINATE)
        ),
    }
    calls[action]()


_STEPS = st.lists(
    st.tuples(
        st.sampled_from(("rent", "sell", "return", "cancel", "terminate", "delete", "mass")),
        st.integers(0, 2),  # which service
        st.integers(0, 3),  # which modem
    ),
    max_size=12,
)


def test_no_modem_is_ever_rented_to_a_service_that_ended(store: Store) -> None:
    """Whatever is rented, sold, returned and ended, and in whatever order, no unit is
    left rented to an ended service, and what was sold to it stays with it."""
    rented(store)
    examples = itertools.count()
    at = CANCELLED_AT
    goods, app = Goods(store, clock=FixedClock(at)), billing(store, at)

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=_STEPS)
    def never_rented_to_an_ended_service(steps: list[tuple[str, int, int]]) -> None:
        n = next(examples)
        services = [make_service(f"S-{n}-{k}", customer_id=f"C-{n}-{k}") for k in range(3)]
        with store.transaction() as uow:
            for service in services:
                uow.services.add(service, due_on=date(2025, 5, 1))
            uow.commit()
        holders = [Holder.service(s.id, s.customer_id) for s in services]
        serials = [f"X{n}-{k}" for k in range(4)]
        goods.receive("MODEM", "MAIN", serials=serials)
        for action, which, unit in steps:
            serial = serials[unit]
            with contextlib.suppress(ProdlifeError):
                _act(goods, app, action, holders, which, serial)
            ended = {h.id for h in holders if app.service(h.id, STAFF).ended}
            for code in serials:
                found = goods.unit("MODEM", code)
                if found.holder is not None and found.holder.id in ended:
                    assert found.status is UnitStatus.ISSUED
                    assert found.ownership is Ownership.SALE, found.describe()

    never_rented_to_an_ended_service()


def test_a_service_no_goods_can_be_issued_to_still_ends(store: Store) -> None:
    rented(store)
    odd = make_service("S-9 ", customer_id="C-9")  # goods name no holder with a trailing space
    with store.transaction() as uow:
        uow.services.add(odd, due_on=date(2025, 5, 1))
        uow.commit()
    assert billing(store).perform(cancel, "S-9 ", STAFF).service.ended
