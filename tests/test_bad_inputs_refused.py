"""Bad inputs are refused with prodlife's own errors, never a bare TypeError or AttributeError."""

from __future__ import annotations

from datetime import date

import pytest

from prodlife import MONTHLY, Money, Period, ValidationError, prorate
from prodlife.errors import InvalidAmount, InvalidBillingCycle, InvalidPeriod
from prodlife.money import total
from prodlife.proration import Charge, ProrationError, quote_first_charge, quote_pause

JANUARY = Period(date(2025, 1, 1), date(2025, 2, 1))
LATE = Period(date(2025, 1, 20), date(2025, 2, 1))
PRICE = Money("31.00", "USD")


def test_periods_refuse_what_is_not_a_period() -> None:
    with pytest.raises(InvalidPeriod, match="not a Period"):
        JANUARY.overlaps(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidPeriod, match="not a Period"):
        JANUARY.intersection(date(2025, 1, 5))  # type: ignore[arg-type]


def test_money_refuses_what_is_not_money() -> None:
    with pytest.raises(InvalidAmount):
        PRICE.ratio(5)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        total([None], "USD")  # type: ignore[list-item]
    with pytest.raises(InvalidAmount, match="list of numbers"):
        PRICE.allocate(None)  # type: ignore[arg-type]


def test_a_pause_must_be_a_span() -> None:
    with pytest.raises(ProrationError, match="Period"):
        quote_pause(Charge(PRICE, JANUARY), (date(2025, 1, 5), date(2025, 1, 9)))  # type: ignore[arg-type]


def test_a_threshold_day_is_not_a_boolean() -> None:
    with pytest.raises(InvalidBillingCycle):
        quote_first_charge(PRICE, MONTHLY, date(2025, 1, 27), billing_day=1, charge_next_after=True)


def test_prorate_names_what_is_wrong() -> None:
    with pytest.raises(ValidationError, match="convention"):
        prorate(PRICE, JANUARY, LATE, None)  # type: ignore[arg-type]
    with pytest.raises(InvalidPeriod, match="not None"):
        prorate(PRICE, JANUARY, None)  # type: ignore[arg-type]
    stub = Period(date(2025, 1, 10), date(2025, 2, 1))
    with pytest.raises(InvalidPeriod, match="window"):
        prorate(PRICE, stub, LATE, window=Period(date(2025, 1, 15), date(2025, 2, 1)))


@pytest.mark.parametrize(
    "option",
    [
        {"lock_timeout": "5"},
        {"lock_timeout": -1},
        {"lock_timeout": float("nan")},
        {"lock_timeout": True},
        {"connect_timeout": "10"},
        {"connect_timeout": 0},
        {"pool_size": -1},
        {"pool_size": 2.5},
        {"prepare": "yes"},
    ],
)
def test_a_postgresql_store_refuses_bad_options_before_connecting(
    option: dict[str, object],
) -> None:
    pytest.importorskip("psycopg")
    from prodlife.stores.postgres import PostgresStore

    with pytest.raises(ValidationError, match=next(iter(option))):
        PostgresStore("postgresql://nobody@127.0.0.1:1/none", **option)  # type: ignore[arg-type]
