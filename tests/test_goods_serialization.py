"""Goods values through the shared converter: to JSON-safe data and back, losslessly."""

from __future__ import annotations

from datetime import UTC, datetime

from prodlife import MONTHLY, ONE_TIME, Money
from prodlife.goods import (
    ComponentSerials,
    GoodCharge,
    MeterLog,
    MeterReading,
    Ownership,
    Stock,
    good_charges,
)
from prodlife.pricing import PlanRate, PricePlan, Rate
from prodlife.serialization import make_converter
from tests._goods import ALICE, CATALOG, STOCK
from tests._support import d, through_json

CONVERTER = make_converter()


def _kit_rented() -> Stock:
    stock = STOCK.receive(
        CATALOG,
        "KIT",
        "MAIN",
        d("2025-03-01"),
        serials=["K1"],
        components=[ComponentSerials("MODEM", ["M1"]), ComponentSerials("DECODER", ["D1"])],
        reference="DN-1",
    )
    stock = stock.receive(CATALOG, "CABLE", "VAN", d("2025-03-01"), 4)
    stock = stock.issue(CATALOG, "CABLE", "VAN", d("2025-03-02"), ALICE, Ownership.SALE, 2)
    return stock.issue(
        CATALOG, "KIT", "MAIN", d("2025-03-02"), ALICE, Ownership.RENTAL, serials=["K1"]
    )


def test_a_stock_with_a_kit_is_written_as_plain_data_and_read_back() -> None:
    stock = _kit_rented()
    data = CONVERTER.unstructure(stock)
    assert set(data) == {"warehouses", "movements"}
    receipt = data["movements"][0]
    assert receipt["kind"] == "receive"
    assert receipt["on"] == "2025-03-01"
    assert receipt["components"][0] == {"product_code": "MODEM", "serials": ["M1"]}
    assert data["movements"][-1]["holder"] == {"kind": "service", "id": "S-1", "customer_id": "C-1"}
    again = through_json(stock)
    assert again == stock
    assert isinstance(again, Stock)
    assert again.holder_of("MODEM", "M1") == ALICE


def test_a_meter_log_round_trips() -> None:
    log = MeterLog(
        "METER",
        "E1",
        "ELEC",
        [
            MeterReading("100.5", datetime(2025, 3, 1, 12, tzinfo=UTC), "S-1", "R-1"),
            MeterReading("250", datetime(2025, 4, 1, 12, tzinfo=UTC), "S-1"),
        ],
    )
    assert CONVERTER.unstructure(log)["readings"][0]["value"] == "100.5"
    assert through_json(log) == log


def test_good_charges_round_trip() -> None:
    plan = PricePlan(
        "STD",
        "Standard",
        "EUR",
        [
            PlanRate("KIT", MONTHLY, Rate.per_unit(Money("12.00", "EUR"))),
            PlanRate("CABLE", ONE_TIME, Rate.per_unit(Money("9.90", "EUR"))),
        ],
    )
    charges = good_charges(_kit_rented(), ALICE, plan, MONTHLY)
    assert len(charges) == 2
    for charge in charges:
        assert isinstance(charge, GoodCharge)
        assert through_json(charge) == charge
    assert CONVERTER.unstructure(charges[1])["cycle"] == "monthly"
