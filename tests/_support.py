"""Shorthands the tests share: dates and periods from ISO text, dollars from strings."""

from __future__ import annotations

from datetime import date

from prodlife import Money, Period


def d(text: str) -> date:
    """The date written ``YYYY-MM-DD``."""
    return date.fromisoformat(text)


def P(start: str, end: str) -> Period:
    """The period ``[start, end)`` from two ISO dates."""
    return Period(d(start), d(end))


def usd(amount: str) -> Money:
    """An amount of US dollars."""
    return Money(amount, "USD")
