"""Shorthands the tests share: dates and periods from ISO text, dollars and euros from
strings, a value through JSON and back, the built-in day counts."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TypeVar

from prodlife import Money, Period
from prodlife.daycount import ACTUAL_DAYS, SECONDS, THIRTY_DAY_MONTHS, DayCount, FixedDays
from prodlife.serialization import make_converter

T = TypeVar("T")
_CONVERTER = make_converter()

#: Every built-in convention that measures billing dates.
CONVENTIONS: list[DayCount] = [
    ACTUAL_DAYS,
    THIRTY_DAY_MONTHS,
    FixedDays(30),
    FixedDays(365),
    SECONDS,
]


def d(text: str) -> date:
    """The date written ``YYYY-MM-DD``."""
    return date.fromisoformat(text)


def P(start: str, end: str) -> Period:
    """The period ``[start, end)`` from two ISO dates."""
    return Period(d(start), d(end))


def usd(amount: str | Decimal) -> Money:
    """An amount of US dollars."""
    return Money(amount, "USD")


def eur(amount: str | Decimal) -> Money:
    """An amount of euros."""
    return Money(amount, "EUR")


def through_json(value: T) -> T:
    """``value`` unstructured by :func:`prodlife.serialization.make_converter`'s converter,
    written as JSON text, read back and structured again as its own type."""
    data = _CONVERTER.unstructure(value)
    return _CONVERTER.structure(json.loads(json.dumps(data)), type(value))
