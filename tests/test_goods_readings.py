"""Meter readings of installed traceable goods, converted and rated as usage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money
from prodlife.errors import NotFound, RuleViolation, ValidationError
from prodlife.goods import (
    DuplicateReading,
    Holder,
    MeterLog,
    MeterReading,
    MeterResult,
    OwnerChange,
    Ownership,
    Stock,
    TransferMismatch,
    read_meter,
    transfer_holdings,
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


def _read(
    stock: Stock,
    log: MeterLog,
    value: str,
    when: datetime,
    transfers: tuple[OwnerChange, ...] = (),
    **more: str,
) -> MeterResult:
    return read_meter(
        stock, CATALOG, log, value, when, ELEC, POLICIES, [USC], transfers=transfers, **more
    )


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


# --- a transfer between two readings (the service moves to customer C-2) ---------------------

#: S-1 once transferred to customer C-2; the transfer happens at noon on Mar 11.
CAROL = Holder.service("S-1", "C-2")
MOVED = OwnerChange(at("2025-03-11"), "C-1", "C-2")
GREEN = POLICIES[1].rate  # the rate that wins for S-1 (it is not a PRO service)


def _transferred(stock: Stock) -> Stock:
    return transfer_holdings(stock, CATALOG, ALICE, CAROL, d("2025-03-11"))


def _split(whole: Decimal, part: timedelta, span: timedelta) -> Decimal:
    """The share of ``whole`` in proportion to time, to the readings' whole units."""
    return (whole * Decimal(part.total_seconds()) / Decimal(span.total_seconds())).quantize(1)


def test_consumption_across_a_transfer_is_split_at_the_transfer_by_an_estimated_reading() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    after = _read(_transferred(stock), log, "400", at("2025-03-31"), (MOVED,))
    # 300 kWh over 30 days, 10 of them before the transfer: C-1's share is estimated by time
    old = _split(Decimal(300), MOVED.at - at("2025-03-01"), at("2025-03-31") - at("2025-03-01"))
    (estimate,) = after.estimates
    assert estimate.reading == MeterReading(
        100 + old, MOVED.at, "S-1", "estimated at the transfer of S-1 from C-1 to C-2"
    )
    assert (estimate.record.customer_id, estimate.record.at) == ("C-1", MOVED.at)
    assert estimate.record.quantity == old * GREEN
    assert estimate.record.reference == "METER/E1/ELEC/2025-03-11T12:00:00+00:00"
    assert after.record is not None
    assert (after.record.customer_id, after.record.quantity) == ("C-2", (300 - old) * GREEN)
    assert after.records == (estimate.record, after.record)
    assert after.log.readings == (*log.readings, estimate.reading, after.reading)
    # the estimated reading is a reading of the log like any other: the next one goes on from it
    later = _read(_transferred(stock), after.log, "450", at("2025-04-30"), (MOVED,))
    assert later.estimates == ()
    assert later.record is not None and later.record.customer_id == "C-2"


def test_a_final_reading_at_the_transfer_leaves_nothing_to_estimate() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    final = _read(stock, log, "180", MOVED.at)  # read just before the transfer
    assert final.record is not None and final.record.customer_id == "C-1"
    after = _read(_transferred(stock), final.log, "400", at("2025-03-31"), (MOVED,))
    assert after.estimates == ()
    assert after.record is not None
    assert (after.record.customer_id, after.record.quantity) == ("C-2", 220 * GREEN)


def test_a_reading_taken_before_the_transfer_is_the_old_customers_even_when_recorded_after() -> (
    None
):
    moved = _transferred(_installed())
    log = _read(moved, LOG, "100", at("2025-03-01"), (MOVED,)).log
    late = _read(moved, log, "150", at("2025-03-06"), (MOVED,))
    assert late.estimates == ()
    assert late.record is not None
    assert (late.record.customer_id, late.record.quantity) == ("C-1", 50 * GREEN)
    after = _read(moved, late.log, "400", at("2025-03-31"), (MOVED,))
    old = _split(Decimal(250), MOVED.at - at("2025-03-06"), at("2025-03-31") - at("2025-03-06"))
    assert [(r.customer_id, r.quantity) for r in after.records] == [
        ("C-1", old * GREEN),
        ("C-2", (250 - old) * GREEN),
    ]


def test_a_transfer_the_stock_recorded_but_read_meter_was_not_told_of_is_refused() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    with pytest.raises(TransferMismatch, match="passed from customer C-1 to C-2") as refused:
        _read(_transferred(stock), log, "400", at("2025-03-31"))
    assert refused.value.rule == "meter.transfer"
    assert "transfers=" in str(refused.value)
    wrong = OwnerChange(MOVED.at, "C-1", "C-9")
    with pytest.raises(TransferMismatch, match="passed from customer C-1 to C-2"):
        _read(_transferred(stock), log, "400", at("2025-03-31"), (wrong,))


def test_transfers_that_do_not_end_with_the_units_customer_are_refused() -> None:
    stock = _installed()
    log = _read(stock, LOG, "100", at("2025-03-01")).log
    with pytest.raises(TransferMismatch, match="S-1 belongs to C-1") as refused:
        _read(stock, log, "400", at("2025-03-31"), (MOVED,))
    assert refused.value.rule == "meter.transfer"
    with pytest.raises(ValidationError, match="transfers must be OwnerChange values"):
        _read(stock, log, "400", at("2025-03-31"), ("C-2",))  # type: ignore[arg-type]


def test_an_estimate_at_a_transfer_wraps_past_the_rollover_value_like_the_meter() -> None:
    counter = MeterReadingType("ELEC", "Electricity", "kWh", rollover=100000)
    stock = _installed()
    first = read_meter(stock, CATALOG, LOG, "99990", at("2025-03-01"), counter, POLICIES, [USC])
    midway = OwnerChange(at("2025-03-16"), "C-1", "C-2")  # half of the 25 kWh, rounded up
    after = read_meter(
        _transferred(stock), CATALOG, first.log, "15", at("2025-03-31"), counter, POLICIES,
        [USC], transfers=[midway],
    )  # fmt: skip
    assert [e.reading.value for e in after.estimates] == [Decimal(3)]  # 99990 + 13, wrapped
    assert [(r.customer_id, r.quantity) for r in after.records] == [
        ("C-1", 13 * GREEN),
        ("C-2", 12 * GREEN),
    ]


@given(
    start=st.integers(0, 10**6),
    advance=st.integers(0, 10**6),
    hours=st.integers(2, 24 * 90),
    cuts=st.lists(st.floats(0.01, 0.99), min_size=1, max_size=3, unique=True),
)
def test_the_consumption_split_across_transfers_adds_up_to_the_meters_advance(
    start: int, advance: int, hours: int, cuts: list[float]
) -> None:
    first, last = at("2025-03-01", 0), at("2025-03-01", 0) + timedelta(hours=hours)
    instants = sorted(
        {first + timedelta(hours=max(1, min(hours - 1, round(c * hours)))) for c in cuts}
    )
    stock, log = _installed(), _read(_installed(), LOG, str(start), first).log
    owners = [f"C-{n}" for n in range(1, len(instants) + 2)]
    changes = tuple(OwnerChange(when, owners[n], owners[n + 1]) for n, when in enumerate(instants))
    for change in changes:
        old, new = (
            Holder.service("S-1", change.from_customer),
            Holder.service("S-1", change.to_customer),
        )
        stock = transfer_holdings(stock, CATALOG, old, new, change.at.date())
    result = _read(stock, log, str(start + advance), last, changes)
    # the parts add up to the whole advance, whatever the transfer times...
    assert sum(r.quantity for r in result.records) == advance * GREEN
    assert [r.at for r in result.records] == sorted({r.at for r in result.records})
    assert all(first < r.at <= last for r in result.records)
    # ...and each customer is charged for the advance while the service was theirs: its share
    # of the time, to within the rounding of the estimates at both ends (half a kWh each)
    bounds = [first, *instants, last]
    for n, owner in enumerate(owners):
        held = Decimal((bounds[n + 1] - bounds[n]) // timedelta(seconds=1))
        fair = advance * held / Decimal((last - first) // timedelta(seconds=1))
        charged = sum(r.quantity for r in result.records if r.customer_id == owner) / GREEN
        assert abs(charged - fair) <= 1
