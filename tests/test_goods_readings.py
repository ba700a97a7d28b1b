"""Meter readings of installed traceable goods, converted and rated as usage."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from prodlife import Money
from prodlife.errors import NotFound, RuleViolation
from prodlife.goods import (
    DuplicateReading,
    MeterLog,
    MeterReading,
    MeterResult,
    Ownership,
    Stock,
    read_meter,
)
from prodlife.pricing import (
    ConversionPolicy,
    MeterReadingType,
    UsageCatalog,
    UsageRate,
    UsageRateRow,
    rate_usage,
)
from tests._goods import ALICE, BOB, CATALOG, JOB, STOCK
from tests._support import d

ELEC = MeterReadingType("ELEC", "Electricity", "kWh")
POLICIES = [
    ConversionPolicy(ELEC, "POWER", "USC-A", "1"),
    ConversionPolicy(ELEC, "POWER-GREEN", "USC-A", "0.5"),
    ConversionPolicy(ELEC, "POWER-BUSINESS", "USC-A", "0.25", termed_service_code="PRO"),
]
USC = UsageCatalog(
    "USC-A",
    "Energy",
    "EUR",
    [
        UsageRateRow("POWER", UsageRate(Money("0.30", "EUR")), "kWh"),
        UsageRateRow("POWER-GREEN", UsageRate(Money("0.20", "EUR")), "kWh"),
        UsageRateRow("POWER-BUSINESS", UsageRate(Money("0.10", "EUR")), "kWh"),
    ],
)


def at(day: str, hour: int = 12) -> datetime:
    """``hour`` o'clock UTC on the ISO date ``day``."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _installed() -> Stock:
    stock = STOCK.receive(CATALOG, "METER", "MAIN", d("2025-03-01"), serials=["E1", "E2"])
    return stock.issue(CATALOG, "METER", "MAIN", d("2025-03-01"), ALICE, RENTAL, serials=["E1"])


RENTAL = Ownership.RENTAL
LOG = MeterLog("METER", "E1", "ELEC")


def _read(stock: Stock, log: MeterLog, value: str, when: datetime, **more: str) -> MeterResult:
    return read_meter(stock, CATALOG, log, value, when, ELEC, POLICIES, [USC], **more)


def test_the_first_reading_at_a_service_is_its_baseline() -> None:
    first = _read(_installed(), LOG, "100", at("2025-03-01"))
    assert (first.usage, first.record) == (None, None)
    assert first.log.readings == (MeterReading(Decimal(100), at("2025-03-01"), "S-1"),)


def test_a_later_reading_becomes_usage_at_the_smallest_applicable_conversion_rate() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    second = _read(stock, log, "250", at("2025-04-01"))
    assert second.usage is not None and second.record is not None
    # 150 kWh at the smallest applicable rate, 0.5 (POWER-BUSINESS needs service PRO).
    assert (second.usage.delta, second.usage.product_code) == (Decimal(150), "POWER-GREEN")
    record = second.record
    assert (record.product_code, record.quantity, record.unit) == (
        "POWER-GREEN",
        Decimal(75),
        "kWh",
    )
    assert (record.customer_id, record.at) == ("C-1", at("2025-04-01"))
    assert record.reference == "METER/E1/ELEC/2025-04-01T12:00:00+00:00"
    (charge,) = rate_usage([record], USC)
    assert charge.amount == Money("15.00", "EUR")  # 75 kWh at EUR 0.20


def test_a_policy_condition_on_the_termed_service_is_met() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    second = _read(stock, log, "500", at("2025-04-01"), termed_service_code="PRO")
    assert second.record is not None
    assert (second.record.product_code, second.record.quantity) == ("POWER-BUSINESS", Decimal(100))


def test_a_duplicated_reading_is_refused_rather_than_charged_twice() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    second = _read(stock, log, "250", at("2025-04-01"))
    with pytest.raises(DuplicateReading, match="already has a reading at 2025-04-01") as refused:
        _read(stock, second.log, "250", at("2025-04-01"))
    assert refused.value.rule == "meter.duplicate"
    assert refused.value.meter == ("METER", "E1", "ELEC")
    records = [r.record for r in (second,) if r.record is not None]
    assert sum(c.quantity for c in rate_usage(records, USC)) == 75


def test_a_duplicated_reading_in_a_stored_log_is_refused() -> None:
    reading = MeterReading("100", at("2025-03-01"), "S-1")
    with pytest.raises(DuplicateReading):
        MeterLog("METER", "E1", "ELEC", [reading, reading])


def test_readings_are_recorded_in_time_order() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-05")).log
    with pytest.raises(RuleViolation, match="record readings in time order") as refused:
        _read(stock, log, "120", at("2025-03-04"))
    assert refused.value.rule == "meter.order"


def test_only_an_installed_unit_is_read() -> None:
    log = MeterLog("METER", "E2", "ELEC")
    with pytest.raises(
        RuleViolation, match="E2 in stock in MAIN: only a unit installed"
    ) as refused:
        _read(_installed(), log, "1", at("2025-03-02"))
    assert refused.value.rule == "goods.not-installed"
    sold_to_job = _installed().issue(
        CATALOG, "METER", "MAIN", d("2025-03-02"), JOB, Ownership.SALE, serials=["E2"]
    )
    with pytest.raises(RuleViolation, match="issued to job J-1") as at_job:
        _read(sold_to_job, log, "1", at("2025-03-02"))
    assert at_job.value.rule == "goods.not-installed"


def test_a_good_without_that_meter_reading_type_is_not_read() -> None:
    stock = STOCK.receive(CATALOG, "MODEM", "MAIN", d("2025-03-01"), serials=["M1"])
    with pytest.raises(RuleViolation, match="MODEM takes no meter readings") as refused:
        _read(stock, MeterLog("MODEM", "M1", "ELEC"), "1", at("2025-03-02"))
    assert refused.value.rule == "goods.meter-type"
    with pytest.raises(RuleViolation, match="not for reading type ELEC") as wrong_log:
        _read(_installed(), MeterLog("METER", "E1", "WATER"), "1", at("2025-03-02"))
    assert wrong_log.value.rule == "meter.log"


def test_a_unit_moved_to_another_service_starts_from_a_new_baseline() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    stock = stock.return_from(CATALOG, "METER", "MAIN", d("2025-04-01"), ALICE, serials=["E1"])
    stock = stock.issue(CATALOG, "METER", "MAIN", d("2025-04-02"), BOB, RENTAL, serials=["E1"])
    at_bob = _read(stock, log, "400", at("2025-04-02"))
    assert at_bob.record is None
    later = _read(stock, at_bob.log, "420", at("2025-05-02"))
    assert later.record is not None
    assert (later.record.customer_id, later.record.quantity) == ("C-2", Decimal(10))


def test_a_meter_going_backwards_is_refused() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    with pytest.raises(RuleViolation, match="went backwards"):
        _read(stock, log, "90", at("2025-04-01"))
    with pytest.raises(RuleViolation, match="at least 0"):
        _read(stock, LOG, "-1", at("2025-04-01"))


def test_usage_of_a_policy_whose_catalog_is_not_given_is_not_found() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    with pytest.raises(NotFound, match="usage catalog 'USC-A'"):
        read_meter(stock, CATALOG, log, "200", at("2025-04-01"), ELEC, POLICIES, [])
