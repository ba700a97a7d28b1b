"""A service's goods follow it to its new customer, and its reservations are released when it
ends, on every store (issue 21, items 2 and 4).

The setting is :mod:`tests.test_goods_rentals_returned`'s: S-1 of customer C-1 rents modems
M1 (from MAIN) and M3 and a remote (from VAN), and bought 2 cables, all billed through it on
Apr 1; modem M2 stays in MAIN.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from prodlife import Money
from prodlife.clock import FixedClock
from prodlife.errors import RuleViolation
from prodlife.goods import Holder, MeterReading, MovementKind, OwnerChange, Ownership, UnitStatus
from prodlife.goods_app import Goods
from prodlife.lifecycle import cancel, transfer, transfers_of
from prodlife.ports import Store
from prodlife.pricing import (
    ConversionPolicy,
    MeterReadingType,
    UsageCatalog,
    UsageRate,
    UsageRateRow,
)
from prodlife.testing.contract import make_service
from tests._goods import ALICE
from tests._lifecycle import STAFF
from tests.test_goods_rentals_returned import (  # noqa: F401 (store: a fixture, each store in turn)
    LATER,
    PRORATED,
    billing,
    goods_lines,
    rented,
    returns,
    store,
)

#: S-1 once transferred to customer C-2.
CAROL = Holder.service("S-1", "C-2")
TRANSFERRED_AT = datetime(2025, 4, 10, 9, tzinfo=UTC)


def transferred(store: Store) -> Goods:  # noqa: F811
    """S-1 rents and bought as in the setting, then is transferred to C-2 on Apr 10."""
    goods = rented(store)
    billing(store, TRANSFERRED_AT).perform(transfer, "S-1", STAFF, "C-2")
    return goods


def test_a_transfer_moves_the_rented_and_sold_goods_to_the_new_customer(
    store: Store,  # noqa: F811
) -> None:
    goods = rented(store)
    before = goods_lines(store)
    billing(store, TRANSFERRED_AT).perform(transfer, "S-1", STAFF, "C-2")
    modem = goods.unit("MODEM", "M1")
    assert (modem.status, modem.holder, modem.ownership) == (
        UnitStatus.ISSUED,
        CAROL,
        Ownership.RENTAL,
    )
    moved = modem.history[-1]
    assert (moved.kind, moved.on, moved.from_holder, moved.holder) == (
        MovementKind.TRANSFER,
        date(2025, 4, 10),
        ALICE,
        CAROL,
    )
    assert moved.reference == "service S-1 transferred to customer C-2"
    assert goods.attachments(ALICE) == ()  # nothing is left with the previous customer
    held = {(a.product_code, a.ownership, a.start, a.remaining) for a in goods.attachments(CAROL)}
    assert held == {
        ("MODEM", Ownership.RENTAL, date(2025, 4, 1), 1),
        ("MODEM", Ownership.RENTAL, date(2025, 4, 1), 1),
        ("REMOTE", Ownership.RENTAL, date(2025, 4, 1), 1),
        ("CABLE", Ownership.SALE, date(2025, 4, 1), 2),
    }
    assert goods.balance("MODEM", "MAIN").on_hand == 1  # only M2: a transfer moves no stock
    assert goods_lines(store) == before  # the rentals' charges moved with the timeline


def test_goods_transferred_with_their_service_come_back_when_it_ends(
    store: Store,  # noqa: F811
) -> None:
    goods = transferred(store)
    billing(store).perform(cancel, "S-1", STAFF, policy=PRORATED)
    assert goods.unit("MODEM", "M1").status is UnitStatus.IN_STOCK
    assert goods.unit("MODEM", "M3").warehouse == "VAN"
    assert goods.balance("REMOTE", "VAN").on_hand == 3
    assert {(m.holder, m.reference) for m in returns(store)} == {(CAROL, "service S-1 ended")}
    [cables] = [a for a in goods.attachments(CAROL) if a.product_code == "CABLE"]
    assert cables.remaining == 2  # sold: they stay with the customer who has the service


def test_after_a_transfer_goods_are_rented_to_the_new_customer_only(
    store: Store,  # noqa: F811
) -> None:
    goods = transferred(store)
    with pytest.raises(RuleViolation, match="held by customer C-2") as refused:
        goods.issue("MODEM", "MAIN", ALICE, Ownership.RENTAL, serials=["M2"], on=LATER)
    assert refused.value.rule == "goods.holder"
    before = goods_lines(store)
    later = Goods(store, clock=FixedClock(datetime(2025, 4, 20, 9, tzinfo=UTC)))
    rent = Ownership.RENTAL
    outcome = later.issue("MODEM", "MAIN", CAROL, rent, serials=["M2"], plan_code="GOODS")
    assert goods.unit("MODEM", "M2").holder == CAROL
    assert outcome.billed is not None and outcome.billed.service.customer_id == "C-2"
    # billed for M2 alone: the goods that moved with the service keep their charges
    [(subject, _)] = [line for line in goods_lines(store) if line not in before]
    assert subject == f"goods MODEM#{outcome.movements[0].sequence}"


def test_a_transfer_moves_the_reservations_and_the_end_releases_them(
    store: Store,  # noqa: F811
) -> None:
    goods = rented(store)
    goods.reserve("MODEM", "MAIN", ALICE, serials=["M2"])
    goods.reserve("CABLE", "MAIN", ALICE, 2)
    billing(store, TRANSFERRED_AT).perform(transfer, "S-1", STAFF, "C-2")
    assert goods.unit("MODEM", "M2").describe() == "MODEM M2 reserved in MAIN for service S-1"
    assert goods.unit("MODEM", "M2").holder == CAROL
    assert goods.stock(["CABLE"]).reserved_for(CAROL, "CABLE", "MAIN") == 2
    billing(store).perform(cancel, "S-1", STAFF, policy=PRORATED)
    assert goods.unit("MODEM", "M2").status is UnitStatus.IN_STOCK
    assert goods.balance("CABLE", "MAIN").reserved == 0
    assert goods.balance("CABLE", "MAIN").available == 3  # 5 received, 2 sold


def test_ending_a_service_releases_its_reservations_once(store: Store) -> None:  # noqa: F811
    goods = rented(store)
    goods.reserve("MODEM", "MAIN", ALICE, serials=["M2"])
    goods.reserve("REMOTE", "VAN", ALICE, 2)
    app = billing(store)
    app.perform(cancel, "S-1", STAFF, policy=PRORATED)
    with store.transaction(readonly=True) as uow:
        moved = uow.goods.movements(["MODEM", "REMOTE"])
    released = [(m.product_code, m.quantity) for m in moved if m.kind is MovementKind.RELEASE]
    assert sorted(released) == [("MODEM", 1), ("REMOTE", 2)]
    assert {m.reference for m in moved if m.kind is MovementKind.RELEASE} == {"service S-1 ended"}
    assert goods.unit("MODEM", "M2").status is UnitStatus.IN_STOCK
    assert goods.balance("REMOTE", "VAN").reserved == 0
    billing(store, datetime(2025, 6, 2, 9, tzinfo=UTC)).run_due()  # saved again: nothing more
    with store.transaction(readonly=True) as uow:
        assert uow.goods.movements(["MODEM", "REMOTE"]) == moved


def test_a_cancelled_order_releases_what_was_reserved_for_its_service(
    store: Store,  # noqa: F811
) -> None:
    goods = rented(store)
    pending = make_service("S-7", customer_id="C-7", next_due=None)
    with store.transaction() as uow:
        uow.services.add(pending, due_on=None)
        uow.commit()
    waiting = Holder.service("S-7", "C-7")
    goods.reserve("MODEM", "MAIN", waiting, serials=["M2"])  # the installer's modem
    billing(store).perform(cancel, "S-7", STAFF)
    assert goods.unit("MODEM", "M2").status is UnitStatus.IN_STOCK


def test_nothing_is_reserved_for_a_service_that_ended(store: Store) -> None:  # noqa: F811
    goods = rented(store)
    billing(store).perform(cancel, "S-1", STAFF, policy=PRORATED)
    with pytest.raises(RuleViolation, match="cannot reserve MODEM to service S-1: it ended"):
        goods.reserve("MODEM", "MAIN", ALICE, serials=["M2"], on=LATER)
    assert goods.balance("MODEM", "MAIN").reserved == 0


def test_goods_use_cases_transfer_and_release_for_a_holder_the_store_does_not_keep(
    store: Store,  # noqa: F811
) -> None:
    goods = rented(store)
    job, moved = Holder.job("J-1", "C-1"), Holder.job("J-1", "C-3")
    goods.reserve("CABLE", "MAIN", job, 1)
    goods.issue("CABLE", "MAIN", job, Ownership.SALE, 1)
    goods.reserve("CABLE", "MAIN", job, 1)
    outcome = goods.transfer_holdings(job, moved)
    assert [(m.kind, m.quantity) for m in outcome.movements] == [(MovementKind.TRANSFER, 2)]
    assert sum(a.remaining for a in goods.attachments(moved)) == 1
    assert [m.kind for m in goods.release_reservations(moved).movements] == [MovementKind.RELEASE]
    assert goods.balance("CABLE", "MAIN").reserved == 0
    assert goods.transfer_holdings(job, moved).movements == ()  # nothing left to move


def test_goods_pass_only_to_the_same_service_under_another_customer(
    store: Store,  # noqa: F811
) -> None:
    goods = rented(store)
    with pytest.raises(RuleViolation, match="return them and issue them instead"):
        goods.transfer_holdings(ALICE, Holder.service("S-2", "C-2"))
    with pytest.raises(RuleViolation, match="held by customer C-1") as refused:
        goods.transfer_holdings(ALICE, Holder.service("S-1", "C-9"))  # S-1 is still C-1's
    assert refused.value.rule == "goods.holder"
    assert goods.unit("MODEM", "M1").holder == ALICE


ELEC = MeterReadingType("ELEC", "Electricity", "kWh")
POWER = [ConversionPolicy(ELEC, "POWER", "USC-A", "1")]
USC = UsageCatalog(
    "USC-A", "Energy", "USD", [UsageRateRow("POWER", UsageRate(Money("0.30", "USD")), "kWh")]
)


def test_a_meters_consumption_up_to_a_transfer_is_charged_to_the_old_customer(
    store: Store,  # noqa: F811
) -> None:
    goods = rented(store)
    goods.receive("METER", "MAIN", serials=["E1"])
    goods.issue("METER", "MAIN", ALICE, Ownership.RENTAL, serials=["E1"])
    first = datetime(2025, 4, 1, 12, tzinfo=UTC)
    goods.read_meter("METER", "E1", "1000", first, ELEC, POWER, [USC])
    billing(store, TRANSFERRED_AT).perform(transfer, "S-1", STAFF, "C-2")
    last = TRANSFERRED_AT + (TRANSFERRED_AT - first)  # as long after the transfer as before
    after = goods.read_meter("METER", "E1", "1300", last, ELEC, POWER, [USC])
    # the 300 kWh are split at the transfer: half the time was C-1's, half C-2's
    note = "estimated at the transfer of S-1 from C-1 to C-2"
    estimated = MeterReading("1150", TRANSFERRED_AT, "S-1", note)
    assert [e.reading for e in after.estimates] == [estimated]
    assert [r.value for r in goods.meter_log("METER", "E1", "ELEC").readings] == [
        Decimal(1000),
        Decimal(1150),
        Decimal(1300),
    ]
    assert [(r.quantity, r.at) for r in goods.usage_records("C-1")] == [
        (Decimal(150), TRANSFERRED_AT)
    ]
    assert [(r.quantity, r.at) for r in goods.usage_records("C-2")] == [(Decimal(150), last)]


def test_the_transfers_a_meter_reading_is_told_are_the_services_history(
    store: Store,  # noqa: F811
) -> None:
    transferred(store)
    with store.transaction(readonly=True) as uow:
        history = uow.services.history("S-1")
    assert transfers_of(history) == (OwnerChange(TRANSFERRED_AT, "C-1", "C-2"),)
