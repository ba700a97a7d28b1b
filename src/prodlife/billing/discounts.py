"""Discounts on a timeline: promotions and additive discounts over a span, for some tracks.

See :mod:`prodlife.billing.timeline` and :mod:`prodlife.billing.offers`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import attrs

from prodlife.billing.tracks import check_span
from prodlife.errors import RuleViolation
from prodlife.money import Money

__all__ = ["Discount", "DiscountKind"]


def _subjects(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


class DiscountKind(enum.Enum):
    """What a discount takes off a period's price (what remains of it, in order)."""

    #: ``value`` percent (0 < value <= 100) of what remains.
    PERCENT = "percent"
    #: ``value`` (Money per period) off, at most what remains.
    AMOUNT = "amount"
    #: What remains above ``value`` (Money per period): the price is at most ``value``.
    PRICE = "price"


@attrs.frozen(slots=True)
class Discount:
    """A promotion or additive discount over ``[start, end)``, for some tracks.

    Args:
        code: the promotion's or discount's code (its lines' code).
        description: in words, for its lines.
        kind: what it takes off.
        value: a percentage (Decimal) for :attr:`DiscountKind.PERCENT`, Money
            per period otherwise.
        start: the first day it applies.
        end: the first day it no longer does (a promotion for N cycles ends N
            periods after it started), or ``None`` for ever.
        subjects: the tracks (and one-time charges) it applies to, by subject.
        one_time: whether it also applies to those subjects' one-time charges
            (a free setup); it then applies to them alone when ``recurring``
            is false.
        recurring: whether it applies to the tracks' periods.

    Raises:
        RuleViolation: a value of the wrong kind, a percentage outside
            (0, 100], a negative amount, or an empty span (rule ``timeline.discount``).
    """

    code: str
    description: str
    kind: DiscountKind
    value: Decimal | Money
    start: date
    end: date | None
    subjects: frozenset[str] = attrs.field(converter=_subjects)
    one_time: bool = False
    recurring: bool = True

    def __attrs_post_init__(self) -> None:
        check_span(self.start, self.end, "timeline.discount", f"discount {self.code!r}")
        value = self.value
        if self.kind is DiscountKind.PERCENT:
            ok = isinstance(value, Decimal) and value.is_finite() and 0 < value <= 100
        else:
            ok = isinstance(value, Money) and value.amount >= 0
        if not ok:
            raise RuleViolation(
                "timeline.discount",
                f"discount {self.code!r} of kind {self.kind.value} has value {value!r}; give a "
                "Decimal percentage in (0, 100] for a percent, Money of zero or more otherwise",
            )

    def off(self, remaining: Decimal) -> Decimal:
        """What it takes off ``remaining`` (an amount in its currency), exactly."""
        value = self.value
        if isinstance(value, Decimal):
            return remaining * value / 100
        if self.kind is DiscountKind.AMOUNT:
            return min(value.amount, remaining)
        return max(Decimal(0), remaining - value.amount)
