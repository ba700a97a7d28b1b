"""The shared cattrs converter: every value to JSON-safe data and back, sets included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import MONTHLY, QUARTERLY, Money, Promotion, ValidationError
from prodlife.cycles import BillingCycle
from prodlife.daycount import (
    ACTUAL_DAYS,
    CALENDAR_30_DAYS,
    SECONDS,
    THIRTY_DAY_MONTHS,
    CalendarMonthDays,
    DayCount,
    FixedDays,
)
from prodlife.pricing import PromotionKind
from prodlife.serialization import day_count_named, make_converter
from prodlife.testing.strategies import billing_cycles, money
from tests._support import through_json

CONVERTER = make_converter()


def test_a_set_of_cycles_is_written_as_sorted_names_and_read_back() -> None:
    promotion = Promotion(
        "SPRING",
        PromotionKind.FIXED_AMOUNT,
        Money("5.00", "USD"),
        products=frozenset({"WEB", "VPS"}),
        billing_cycles=frozenset({QUARTERLY, MONTHLY}),
    )
    data = CONVERTER.unstructure(promotion)
    assert data["billing_cycles"] == ["monthly", "quarterly"]
    assert data["products"] == ["VPS", "WEB"]
    assert through_json(promotion) == promotion


@given(st.frozensets(billing_cycles(), max_size=4), money())
def test_promotions_round_trip_through_json(cycles: frozenset[BillingCycle], amount: Money) -> None:
    for value in (amount, Decimal("12.5"), None):
        kind = {
            Money: PromotionKind.FIXED_AMOUNT,
            Decimal: PromotionKind.PERCENTAGE,
            type(None): PromotionKind.FREE_SETUP,
        }[type(value)]
        if kind is PromotionKind.FIXED_AMOUNT and not amount.amount > 0:
            continue
        promotion = Promotion("CODE", kind, value, billing_cycles=cycles)
        assert through_json(promotion) == promotion


@pytest.mark.parametrize("text", ["web", "monthly"])
def test_text_where_a_set_is_expected_is_refused_not_split_into_letters(text: str) -> None:
    with pytest.raises(ValidationError, match="expected a list of values for a set"):
        CONVERTER.structure(text, frozenset[str])


@pytest.mark.parametrize(
    "convention",
    [
        ACTUAL_DAYS,
        THIRTY_DAY_MONTHS,
        SECONDS,
        FixedDays(30),
        FixedDays(30, pad_short_periods=False),
        CALENDAR_30_DAYS,
        CalendarMonthDays(28),
    ],
)
def test_every_built_in_day_count_is_written_by_name_and_read_back(convention: DayCount) -> None:
    data = CONVERTER.unstructure(convention, DayCount)
    assert data == convention.name
    # the converter's hook for the abstract base reads any built-in convention by its name
    assert CONVERTER.structure(data, DayCount) == convention  # type: ignore[type-abstract]
    assert day_count_named(convention.name) == convention


@pytest.mark.parametrize(
    "name", ["actual days over 0", "0 days per calendar month", "32 days per calendar month"]
)
def test_a_day_count_name_out_of_range_is_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        day_count_named(name)
