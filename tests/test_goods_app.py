"""The goods use cases over every store (memory, SQLite, PostgreSQL): movements, rentals and
sales billed, meter readings (issue 21, items 1 to 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from prodlife import MONTHLY, ONE_TIME, FixedClock, Money
from prodlife.catalog import CatalogVersion
from prodlife.errors import RuleViolation
from prodlife.goods import ComponentSerials, DuplicateReading, Ownership, UnitStatus, Warehouse
from prodlife.goods_app import Goods
from prodlife.ports import Store
from prodlife.pricing import (
    ConversionPolicy,
    MeterReadingType,
    PlanRate,
    PricePlan,
    Rate,
    UsageCatalog,
    UsageRate,
    UsageRateRow,
)
from prodlife.testing.contract import make_service
from tests._goods import ALICE, CATALOG, JOB
from tests.test_goods_rentals_returned import store  # noqa: F401 (a fixture: each store in turn)

NOW = datetime(2025, 4, 1, 9, tzinfo=UTC)
PLAN = PricePlan(
    "GOODS",
    "Goods",
    "USD",
    [
        PlanRate("MODEM", MONTHLY, Rate.per_unit(Money("6.20", "USD"))),
        PlanRate("CABLE", ONE_TIME, Rate.per_unit(Money("9.90", "USD"))),
    ],
)
ELEC = MeterReadingType("ELEC", "Electricity", "kWh")
POLICIES = [ConversionPolicy(ELEC, "POWER", "USC-A", "1")]
USC = UsageCatalog(
    "USC-A", "Energy", "USD", [UsageRateRow("POWER", UsageRate(Money("0.30", "USD")), "kWh")]
)


def _goods(store: Store, now: datetime = NOW) -> Goods:  # noqa: F811
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("goods", date(2025, 1, 1), CATALOG))
        uow.price_plans.add(PLAN)
        uow.services.add(make_service(), due_on=None)  # monthly from Apr 1, paid to Apr 30
        uow.commit()
    goods = Goods(store, clock=FixedClock(now))
    goods.add_warehouse(Warehouse("MAIN", "Main depot"))
    goods.add_warehouse(Warehouse("VAN", "Van", allows_negative=True))
    return goods


def _amounts(store: Store) -> list[str]:  # noqa: F811
    with store.transaction(readonly=True) as uow:
        return [str(item.line.amount) for item in uow.invoice_lines.for_service("S-1")]


def test_stock_moves_per_warehouse_and_in_total(store: Store) -> None:  # noqa: F811
    goods = _goods(store)
    goods.receive("CABLE", "MAIN", 5)
    goods.reserve("CABLE", "MAIN", ALICE, 2)
    goods.issue("CABLE", "VAN", JOB, Ownership.SALE, 3)  # the van may go negative
    goods.write_off("CABLE", "MAIN", 1, reason="crushed")
    assert goods.balance("CABLE", "MAIN").on_hand == 4
    assert goods.balance("CABLE", "MAIN").available == 2
    assert goods.balance("CABLE", "VAN").on_hand == -3
    assert goods.balance("CABLE").on_hand == 1


def test_a_kit_is_received_with_its_components_and_counted_as_bundles(store: Store) -> None:  # noqa: F811
    goods = _goods(store)
    parts = [ComponentSerials("MODEM", ["M1"]), ComponentSerials("DECODER", ["D1"])]
    goods.receive("KIT", "MAIN", serials=["K1"], components=parts)
    goods.receive("MODEM", "MAIN", serials=["M2", "M3"])
    goods.receive("DECODER", "MAIN", serials=["D2"])
    goods.receive("CABLE", "MAIN", 6)
    assert goods.unit("MODEM", "M1").kit == ("KIT", "K1")
    # loose stock only: 2 modems, 1 decoder, 6 cables (2 a kit) make 1 kit
    assert [
        (c.bundle_code, c.from_component, c.bundles) for c in goods.bundle_capacity("CABLE")
    ] == [("KIT", 3, 1)]


def test_a_unit_issued_to_one_service_is_refused_to_another(store: Store) -> None:  # noqa: F811
    goods = _goods(store)
    goods.receive("MODEM", "MAIN", serials=["M1"])
    goods.issue("MODEM", "MAIN", ALICE, Ownership.RENTAL, serials=["M1"])
    with pytest.raises(RuleViolation, match="issued to service S-1"):
        goods.issue("MODEM", "MAIN", JOB, Ownership.SALE, serials=["M1"])
    unit = goods.unit("MODEM", "M1")
    assert (unit.status, unit.holder) == (UnitStatus.ISSUED, ALICE)
    assert [m.kind.value for m in unit.history] == ["receive", "issue"]


def test_a_rental_is_billed_on_the_services_cycle_and_credited_when_returned(
    store: Store,  # noqa: F811
) -> None:
    goods = _goods(store)
    goods.receive("MODEM", "MAIN", serials=["M1"])
    done = goods.issue("MODEM", "MAIN", ALICE, Ownership.RENTAL, serials=["M1"], plan_code="GOODS")
    assert done.billed is not None
    # Apr 1 to May 1 at 6.20 a month, billed in advance like the service
    assert _amounts(store) == ["USD 6.20"]
    later = Goods(store, clock=FixedClock(datetime(2025, 4, 16, 9, tzinfo=UTC)))
    later.return_rentals(ALICE, "MAIN", plan_code="GOODS")
    # returned on Apr 16: 15 of April's 30 days not rented, 6.20 x 15 / 30 = 3.10 back
    assert _amounts(store) == ["USD 6.20", "USD -3.10"]
    assert goods.unit("MODEM", "M1").status is UnitStatus.IN_STOCK


def test_a_sale_is_charged_once(store: Store) -> None:  # noqa: F811
    goods = _goods(store)
    goods.receive("CABLE", "MAIN", 5)
    goods.issue("CABLE", "MAIN", ALICE, Ownership.SALE, 2, plan_code="GOODS")
    assert goods.bill(ALICE, "GOODS") is None  # nothing new to bill
    assert _amounts(store) == ["USD 19.80"]  # 2 x 9.90


def test_goods_of_a_job_are_not_billed_through_a_service(store: Store) -> None:  # noqa: F811
    goods = _goods(store)
    goods.receive("CABLE", "MAIN", 5)
    with pytest.raises(RuleViolation, match="billed by the job"):
        goods.issue("CABLE", "MAIN", JOB, Ownership.SALE, 1, plan_code="GOODS")
    assert goods.balance("CABLE").on_hand == 5  # nothing was kept


def test_meter_readings_are_stored_and_a_duplicated_one_is_refused(store: Store) -> None:  # noqa: F811
    goods = _goods(store)
    goods.receive("METER", "MAIN", serials=["E1"])
    goods.issue("METER", "MAIN", ALICE, Ownership.RENTAL, serials=["E1"])
    first, second = datetime(2025, 4, 1, 12, tzinfo=UTC), datetime(2025, 4, 2, 12, tzinfo=UTC)
    base = goods.read_meter("METER", "E1", "100", first, ELEC, POLICIES, [USC])
    assert base.record is None
    used = goods.read_meter("METER", "E1", "112.5", second, ELEC, POLICIES, [USC])
    assert used.record is not None
    assert used.record.quantity == Decimal("12.5")
    with pytest.raises(DuplicateReading):
        goods.read_meter("METER", "E1", "130", second, ELEC, POLICIES, [USC])
    assert [r.value for r in goods.meter_log("METER", "E1", "ELEC").readings] == [
        Decimal("100"),
        Decimal("112.5"),
    ]
    assert goods.usage_records("C-1") == [used.record]
