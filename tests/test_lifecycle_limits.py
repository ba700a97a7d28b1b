"""The lifecycle holds the bounds of :mod:`prodlife.limits`: counts, quantities and dates.

Each limit is refused one past it, with the rule of the field, and accepted at it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife.errors import RuleViolation
from prodlife.lifecycle import OrderLine, ServiceOption, renew
from prodlife.limits import (
    MAX_QUANTITY,
    MAX_RENEWAL_PERIODS,
    MAX_SERVICE_QUANTITY,
    MAX_SERVICES_PER_ORDER_LINE,
    MAX_YEAR,
    MIN_YEAR,
)
from prodlife.pricing.order_line import OrderLineSpec
from tests._lifecycle import SYSTEM, at, web


def test_a_service_quantity_is_bounded() -> None:
    assert web(quantity=MAX_SERVICE_QUANTITY).quantity == MAX_SERVICE_QUANTITY
    with pytest.raises(RuleViolation, match="limit") as caught:
        web(quantity=MAX_SERVICE_QUANTITY + 1)
    assert caught.value.rule == "service.quantity"


def test_an_option_quantity_is_bounded() -> None:
    assert ServiceOption("ram", "gb", MAX_QUANTITY).quantity == MAX_QUANTITY
    with pytest.raises(RuleViolation) as caught:
        ServiceOption("ram", "gb", MAX_QUANTITY + 1)
    assert caught.value.rule == "service.option"


def test_an_order_line_creates_a_bounded_number_of_services() -> None:
    spec = OrderLineSpec("VPS")
    assert OrderLine(spec, services=MAX_SERVICES_PER_ORDER_LINE).services == (
        MAX_SERVICES_PER_ORDER_LINE
    )
    with pytest.raises(RuleViolation, match="MAX_SERVICES_PER_ORDER_LINE") as caught:
        OrderLine(spec, services=MAX_SERVICES_PER_ORDER_LINE + 1)
    assert caught.value.rule == "order.services"


def test_a_renewal_pays_a_bounded_number_of_periods() -> None:
    paid = renew(web(), SYSTEM, at("2025-04-28"), periods=MAX_RENEWAL_PERIODS)
    assert paid.service.next_due == date(2035, 5, 1)
    with pytest.raises(RuleViolation, match="MAX_RENEWAL_PERIODS") as caught:
        renew(web(), SYSTEM, at("2025-04-28"), periods=MAX_RENEWAL_PERIODS + 1)
    assert caught.value.rule == "renew.periods"


_DATES: list[tuple[str, Callable[[date], dict[str, Any]], str]] = [
    ("start", lambda day: {"start": day, "next_due": None, "paid_through": None}, "service.dates"),
    ("next due", lambda day: {"next_due": day, "paid_through": None}, "service.next-due"),
    ("termination", lambda day: {"termination_date": day}, "service.termination-date"),
]


@pytest.mark.parametrize(("what", "fields", "rule"), _DATES, ids=[d[0] for d in _DATES])
@given(year=st.one_of(st.integers(1, MIN_YEAR - 1), st.integers(MAX_YEAR + 1, 9999)))
def test_service_dates_outside_the_year_window_are_refused(
    what: str, fields: Callable[[date], dict[str, Any]], rule: str, year: int
) -> None:
    with pytest.raises(RuleViolation, match=f"{MIN_YEAR}-{MAX_YEAR}") as caught:
        attrs.evolve(web(), **fields(date(year, 6, 1)))
    assert caught.value.rule == rule
