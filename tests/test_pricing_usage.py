"""Usage: usage catalogs, rating usage records into charges, meter readings and conversions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money
from prodlife.catalog.products import Validity
from prodlife.errors import InvalidAmount, InvalidInstant, NotFound, RuleViolation, ValidationError
from prodlife.money import total
from prodlife.pricing.meters import ConversionPolicy, MeterReadingType, convert_reading
from prodlife.pricing.usage import (
    UsageCatalog,
    UsageRate,
    UsageRateRow,
    UsageRecord,
    rate_usage,
)
from tests._support import d, eur


def at(day: str, hour: int = 12) -> datetime:
    """Noon (or ``hour``) UTC on the ISO date ``day``."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


RATE_CHANGE = d("2025-03-01")
USC = UsageCatalog(
    "USC-STD",
    "Standard usage",
    "EUR",
    [
        UsageRateRow("DATA", UsageRate(eur("0.10")), "GB", Validity(d("2025-01-01"), RATE_CHANGE)),
        UsageRateRow("DATA", UsageRate(eur("0.08")), "GB", Validity(RATE_CHANGE)),
        UsageRateRow("CALL", UsageRate(eur("0.02"), included=Decimal(100)), "min"),
    ],
)


def rec(
    product: str, quantity: str, day: str, ref: str = "", unit: str = "", customer: str = "C-1"
) -> UsageRecord:
    """A usage record at noon UTC on ``day``, in the product's catalog unit by default."""
    unit = unit or {"DATA": "GB", "CALL": "min"}.get(product, "unit")
    return UsageRecord(product, Decimal(quantity), unit, at(day), customer, ref)


# --- rating across a rate change ----------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        pytest.param(
            [rec("DATA", "12", "2025-02-10"), rec("DATA", "3", "2025-02-28")],
            [("DATA", "15", "0.10", "1.50")],
            id="all-before-the-change",
        ),
        pytest.param(
            [rec("DATA", "12", "2025-02-28"), rec("DATA", "5", "2025-03-01")],
            [("DATA", "12", "0.10", "1.20"), ("DATA", "5", "0.08", "0.40")],
            id="split-at-the-change-day",
        ),
        pytest.param(
            [rec("DATA", "5", "2025-03-20"), rec("DATA", "1.5", "2025-02-01")],
            [("DATA", "1.5", "0.10", "0.150"), ("DATA", "5", "0.08", "0.40")],
            id="charges-ordered-by-rate-validity-not-input",
        ),
        pytest.param(
            [rec("DATA", "0", "2025-03-02")],
            [("DATA", "0", "0.08", "0")],
            id="zero-usage-is-a-zero-charge",
        ),
        pytest.param(
            [rec("CALL", "90", "2025-02-01"), rec("CALL", "40", "2025-03-05")],
            [("CALL", "130", "0.02", "0.60")],
            id="allowance-once-per-charge",
        ),
    ],
)
def test_records_are_rated_by_the_rate_valid_on_their_billing_date(
    records: list[UsageRecord], expected: list[tuple[str, str, str, str]]
) -> None:
    charges = rate_usage(records, USC)
    got = [
        (c.product_code, str(c.quantity), str(c.row.rate.unit_price.amount), str(c.amount.amount))
        for c in charges
    ]
    assert [(p, Decimal(q), Decimal(r), Decimal(a)) for p, q, r, a in got] == [
        (p, Decimal(q), Decimal(r), Decimal(a)) for p, q, r, a in expected
    ]


def test_a_fixed_rating_date_rates_every_record_at_that_days_rate() -> None:
    records = [rec("DATA", "12", "2025-02-28"), rec("DATA", "5", "2025-03-01")]
    (charge,) = rate_usage(records, USC, on=d("2025-03-31"))
    assert charge.quantity == 17
    assert charge.amount == eur("1.36")
    assert (charge.first_day, charge.last_day) == (d("2025-03-31"), d("2025-03-31"))


def test_the_billing_date_is_taken_in_the_customers_time_zone() -> None:
    late = UsageRecord("DATA", Decimal(10), "GB", at("2025-02-28", hour=23), "C-1")
    assert rate_usage([late], USC)[0].row.rate.unit_price == eur("0.10")
    (paris,) = rate_usage([late], USC, zone="Europe/Paris")
    assert paris.row.rate.unit_price == eur("0.08")
    assert paris.first_day == d("2025-03-01")


def test_a_charge_explains_itself_and_lists_its_references_in_time_order() -> None:
    records = [
        rec("CALL", "80", "2025-02-03", ref="cdr-2"),
        rec("CALL", "50", "2025-02-01", ref="cdr-1"),
        rec("CALL", "1", "2025-02-04"),
    ]
    (charge,) = rate_usage(records, USC)
    assert charge.references == ("cdr-1", "cdr-2")
    assert (charge.first_day, charge.last_day) == (d("2025-02-01"), d("2025-02-04"))
    assert (charge.quantity, charge.billable) == (Decimal(131), Decimal(31))
    assert charge.description == (
        "CALL: 131 min at EUR 0.02 per min (first 100 min included), 31 min billable = EUR 0.62"
    )


def test_usage_within_the_allowance_is_free() -> None:
    (charge,) = rate_usage([rec("CALL", "99.5", "2025-02-01")], USC)
    assert charge.billable == 0
    assert charge.amount == eur("0")


def test_each_customer_gets_their_own_charge() -> None:
    records = [
        rec("CALL", "150", "2025-02-01", customer="C-2"),
        rec("CALL", "150", "2025-02-01", customer="C-1"),
    ]
    charges = rate_usage(records, USC)
    assert [c.customer_id for c in charges] == ["C-1", "C-2"]
    assert [c.amount for c in charges] == [eur("1.00"), eur("1.00")]


def test_charges_are_exact_and_left_unrounded() -> None:
    catalog = UsageCatalog(
        "USC-X", "Fine", "EUR", [UsageRateRow("SMS", UsageRate(eur("0.0333")), "sms")]
    )
    (charge,) = rate_usage([rec("SMS", "7", "2025-02-01", unit="sms")], catalog)
    assert charge.amount == eur("0.2331")
    assert not charge.amount.is_rounded


def test_a_catalog_discount_is_taken_off_every_charge_and_shown() -> None:
    discounted = UsageCatalog("USC-PRO", "Pro usage", "EUR", USC.rates, discount_percent=10)
    (charge,) = rate_usage([rec("DATA", "12", "2025-02-10")], discounted)
    assert (charge.gross, charge.discount, charge.amount) == (eur("1.20"), eur("0.12"), eur("1.08"))
    assert charge.description.endswith(
        "= EUR 1.20, less 10% catalog discount EUR 0.1200 = EUR 1.0800"
    )


def test_no_records_give_no_charges() -> None:
    assert rate_usage([], USC) == ()


# --- refusals when rating -------------------------------------------------------------------


def test_a_record_without_a_rate_on_its_date_names_the_product_and_date() -> None:
    with pytest.raises(NotFound) as caught:
        rate_usage([rec("DATA", "1", "2024-12-31")], USC)
    message = str(caught.value)
    assert "'DATA'" in message
    assert "2024-12-31" in message
    assert "[2025-01-01, 2025-03-01)" in message
    assert caught.value.key == "DATA"


def test_a_product_missing_from_the_catalog_is_not_found() -> None:
    with pytest.raises(NotFound, match=r"'SMS'.*no rate at all"):
        rate_usage([rec("SMS", "1", "2025-02-01")], USC)


def test_a_record_in_another_unit_than_its_rate_is_refused() -> None:
    with pytest.raises(RuleViolation, match=r"'MB'.*per 'GB'") as caught:
        rate_usage([rec("DATA", "500", "2025-02-01", ref="r9", unit="MB")], USC)
    assert caught.value.rule == "usage.unit"
    assert caught.value.subject == "r9"


def test_a_rating_date_must_be_a_date() -> None:
    with pytest.raises(ValidationError, match="billing date"):
        rate_usage([], USC, on=at("2025-02-01"))


# --- records and catalogs refuse bad values -------------------------------------------------


@pytest.mark.parametrize("quantity", [1.5, float("nan"), "lots", True])
def test_a_usage_quantity_must_be_an_exact_number(quantity: Any) -> None:
    with pytest.raises(InvalidAmount):
        UsageRecord("DATA", quantity, "GB", at("2025-02-01"), "C-1")


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"quantity": Decimal("-1")}, "usage.quantity"),
        ({"unit": " "}, "usage.unit"),
        ({"customer_id": ""}, "usage.customer"),
        ({"product_code": " DATA"}, "code.format"),
    ],
)
def test_a_bad_usage_record_is_refused(change: dict[str, Any], rule: str) -> None:
    values: dict[str, Any] = {
        "product_code": "DATA",
        "quantity": Decimal(1),
        "unit": "GB",
        "at": at("2025-02-01"),
        "customer_id": "C-1",
    }
    with pytest.raises(RuleViolation) as caught:
        UsageRecord(**(values | change))
    assert caught.value.rule == rule


def test_a_usage_record_needs_an_aware_instant_and_keeps_it_in_utc() -> None:
    with pytest.raises(InvalidInstant):
        UsageRecord("DATA", Decimal(1), "GB", datetime(2025, 2, 1), "C-1")
    plus_two = datetime(2025, 2, 1, 3, 0, tzinfo=timezone(timedelta(hours=2)))
    record = UsageRecord("DATA", Decimal(1), "GB", plus_two, "C-1")
    assert record.at == datetime(2025, 2, 1, 1, 0, tzinfo=UTC)
    assert record.at.tzinfo is UTC


def test_a_rate_refuses_a_float_allowance_and_negative_values() -> None:
    with pytest.raises(InvalidAmount, match="float"):
        UsageRate(eur("0.10"), included=1.5)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match=r"usage\.price"):
        UsageRate(eur("-0.10"))
    with pytest.raises(RuleViolation, match=r"usage\.quantity"):
        UsageRate(eur("0.10"), included=Decimal(-1))


def _row(product: str, start: str | None, end: str | None, price: Money) -> UsageRateRow:
    validity = Validity(d(start) if start else None, d(end) if end else None)
    return UsageRateRow(product, UsageRate(price), "GB", validity)


@pytest.mark.parametrize(
    ("rows", "discount", "rule"),
    [
        ([_row("DATA", None, None, Money("0.10", "USD"))], None, "usage.currency"),
        (
            [
                _row("DATA", "2025-01-01", None, eur("1")),
                _row("DATA", "2025-06-01", None, eur("2")),
            ],
            None,
            "usage.overlap",
        ),
        (
            [
                _row("DATA", None, "2025-03-02", eur("1")),
                _row("DATA", "2025-03-01", None, eur("2")),
            ],
            None,
            "usage.overlap",
        ),
        ([_row("DATA", "2025-03-01", "2025-03-01", eur("1"))], None, "usage.validity"),
        (
            [UsageRateRow("DATA", UsageRate(eur("1")), "GB", Validity(d("2025-01-01"), "2026"))],  # type: ignore[arg-type]
            None,
            "usage.validity",
        ),
        ([_row("DATA", None, None, eur("1"))], Decimal("100.5"), "usage.discount"),
        ([_row("DATA", None, None, eur("1"))], Decimal(-1), "usage.discount"),
    ],
)
def test_a_broken_usage_catalog_is_refused(
    rows: list[UsageRateRow], discount: Decimal | None, rule: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        UsageCatalog("USC-BAD", "Bad", "EUR", rows, discount_percent=discount)
    assert caught.value.rule == rule
    assert caught.value.subject == "USC-BAD"


def test_back_to_back_rates_and_other_products_may_share_dates() -> None:
    catalog = UsageCatalog(
        "USC-OK",
        "Fine",
        "EUR",
        [
            _row("DATA", None, "2025-03-01", eur("1")),
            _row("DATA", "2025-03-01", None, eur("2")),
            _row("VOICE", None, None, eur("3")),
        ],
    )
    assert catalog.rate_on("DATA", d("2025-03-01")).rate.unit_price == eur("2")
    assert catalog.rate_on("DATA", d("2025-02-28")).rate.unit_price == eur("1")


# --- meter readings and conversion policies -------------------------------------------------

ELEC = MeterReadingType("ELEC", "Electricity", "Wh")
WATER = MeterReadingType("WATER", "Water", "l", rollover=Decimal(100000))
POLICIES = [
    ConversionPolicy(ELEC, "POWER", "USC-A", Decimal("0.001")),
    ConversionPolicy(ELEC, "POWER-NIGHT", "USC-B", Decimal("0.0008")),
    ConversionPolicy(ELEC, "POWER-BIZ", "USC-A", Decimal("0.0005"), termed_service_code="BIZ"),
    ConversionPolicy(WATER, "WATER-M3", "USC-A", Decimal("0.0001")),
]


@pytest.mark.parametrize(
    ("catalog", "termed", "product", "quantity"),
    [
        (None, None, "POWER-NIGHT", "3.2"),
        (None, "BIZ", "POWER-BIZ", "2"),
        (None, "HOME", "POWER-NIGHT", "3.2"),
        ("USC-A", None, "POWER", "4"),
        ("USC-A", "BIZ", "POWER-BIZ", "2"),
        ("USC-B", "BIZ", "POWER-NIGHT", "3.2"),
    ],
)
def test_when_several_policies_apply_the_smallest_conversion_rate_wins(
    catalog: str | None, termed: str | None, product: str, quantity: str
) -> None:
    used = convert_reading(
        Decimal(1000),
        Decimal(5000),
        ELEC,
        POLICIES,
        catalog_code=catalog,
        termed_service_code=termed,
    )
    assert used.product_code == product
    assert used.quantity == Decimal(quantity)
    assert (used.delta, used.reading_unit) == (Decimal(4000), "Wh")


def test_equal_conversion_rates_are_settled_by_catalog_then_product_code() -> None:
    tied = [
        ConversionPolicy(ELEC, "P-2", "USC-B", Decimal("0.001")),
        ConversionPolicy(ELEC, "P-9", "USC-A", Decimal("0.001")),
        ConversionPolicy(ELEC, "P-1", "USC-B", Decimal("0.001")),
    ]
    used = convert_reading(Decimal(0), Decimal(10), ELEC, tied)
    assert (used.catalog_code, used.product_code) == ("USC-A", "P-9")
    assert convert_reading(Decimal(0), Decimal(10), ELEC, reversed(tied)).policy == used.policy


def test_a_reading_type_without_a_policy_is_not_found() -> None:
    gas = MeterReadingType("GAS", "Gas", "m3")
    with pytest.raises(NotFound, match="'GAS'"):
        convert_reading(Decimal(0), Decimal(1), gas, POLICIES)
    with pytest.raises(NotFound, match="'USC-Z'"):
        convert_reading(Decimal(0), Decimal(1), ELEC, POLICIES, catalog_code="USC-Z")


def test_a_meter_going_backwards_is_refused() -> None:
    with pytest.raises(RuleViolation, match="backwards from 5000 to 4000 Wh") as caught:
        convert_reading(Decimal(5000), Decimal(4000), ELEC, POLICIES)
    assert caught.value.rule == "meter.backwards"


def test_a_meter_with_a_rollover_value_wraps_to_zero() -> None:
    used = convert_reading(Decimal(99000), Decimal(1000), WATER, POLICIES)
    assert used.delta == 2000
    assert used.quantity == Decimal("0.2")


@pytest.mark.parametrize(("previous", "current"), [("-1", "5"), ("5", "100000"), ("0", "1e6")])
def test_a_reading_outside_the_meters_range_is_refused(previous: str, current: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        WATER.delta(Decimal(previous), Decimal(current))
    assert caught.value.rule == "meter.reading"


def test_readings_and_conversion_rates_refuse_floats() -> None:
    with pytest.raises(InvalidAmount, match="float"):
        convert_reading(1.0, Decimal(2), ELEC, POLICIES)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount, match="float"):
        ConversionPolicy(ELEC, "POWER", "USC-A", 0.001)  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", [Decimal(0), Decimal("-0.5")])
def test_a_conversion_rate_must_be_positive(rate: Decimal) -> None:
    with pytest.raises(RuleViolation, match=r"meter\.rate"):
        ConversionPolicy(ELEC, "POWER", "USC-A", rate)


def test_a_reading_type_needs_a_unit_and_a_positive_rollover() -> None:
    with pytest.raises(RuleViolation, match=r"usage\.unit"):
        MeterReadingType("GAS", "Gas", "")
    with pytest.raises(RuleViolation, match=r"meter\.rollover"):
        MeterReadingType("GAS", "Gas", "m3", rollover=0)


def test_a_converted_reading_is_rated_like_any_usage_record() -> None:
    catalog = UsageCatalog(
        "USC-A", "Energy", "EUR", [UsageRateRow("POWER", UsageRate(eur("0.25")), "kWh")]
    )
    used = convert_reading(Decimal(1000), Decimal(5000), ELEC, POLICIES, catalog_code="USC-A")
    record = used.to_record("kWh", at("2025-02-01"), "C-1", reference="meter-7")
    (charge,) = rate_usage([record], catalog)
    assert charge.amount == eur("1.00")
    assert charge.references == ("meter-7",)


# --- properties -----------------------------------------------------------------------------

quantities = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 6, 30))
records = st.lists(
    st.builds(
        lambda product, quantity, day, customer: UsageRecord(
            product, quantity, "GB", at(day.isoformat()), customer
        ),
        st.sampled_from(["DATA", "VOICE"]),
        quantities,
        days,
        st.sampled_from(["C-1", "C-2"]),
    ),
    max_size=12,
)
prices = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False)


def _catalog(first: Decimal, second: Decimal, discount: Decimal | None) -> UsageCatalog:
    return UsageCatalog(
        "USC-P",
        "Property",
        "EUR",
        [
            _row("DATA", None, "2025-03-15", Money(first, "EUR")),
            _row("DATA", "2025-03-15", None, Money(second, "EUR")),
            _row("VOICE", None, None, Money(first + second, "EUR")),
        ],
        discount_percent=discount,
    )


@given(
    records,
    st.lists(st.booleans(), min_size=12, max_size=12),
    prices,
    prices,
    st.none() | st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
)
def test_rating_is_additive_over_batches(
    usage: list[UsageRecord], split: list[bool], first: Decimal, second: Decimal, pct: Any
) -> None:
    catalog = _catalog(first, second, pct)
    left = [r for r, side in zip(usage, split, strict=False) if side]
    right = [r for r, side in zip(usage, split, strict=False) if not side]
    together = rate_usage(usage, catalog)
    apart = rate_usage(left, catalog) + rate_usage(right, catalog)
    assert total((c.amount for c in apart), "EUR") == total((c.amount for c in together), "EUR")
    assert total((c.gross for c in apart), "EUR") == total((c.gross for c in together), "EUR")
    assert sum(c.quantity for c in together) == sum(r.quantity for r in usage)


@given(records, prices, prices, st.integers(0, 100), st.integers(0, 1000))
def test_charges_are_never_negative(
    usage: list[UsageRecord], first: Decimal, second: Decimal, pct: int, included: int
) -> None:
    base = _catalog(first, second, Decimal(pct))
    rows = [
        UsageRateRow(r.product_code, UsageRate(r.rate.unit_price, included), r.unit, r.validity)
        for r in base.rates
    ]
    catalog = UsageCatalog("USC-P", "Property", "EUR", rows, discount_percent=pct)
    for charge in rate_usage(usage, catalog):
        assert charge.amount.amount >= 0
        assert charge.discount <= charge.gross
        assert 0 <= charge.billable <= charge.quantity
