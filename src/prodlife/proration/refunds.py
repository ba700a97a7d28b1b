"""Refunds on cancellation or termination, and credits for a pause.

>>> from datetime import date
>>> from prodlife import Money, Period
>>> paid = Charge(Money("31.00", "EUR"), Period(date(2025, 1, 1), date(2025, 2, 1)))
>>> str(quote_cancellation(paid, date(2025, 1, 21)).net)
'EUR -10.00'
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Sequence
from datetime import date, datetime

from prodlife.daycount import ACTUAL_DAYS, DayCount
from prodlife.periods import Interval, Period
from prodlife.proration._share import (
    Charge,
    Line,
    LineKind,
    ProrationError,
    Span,
    check_rounding,
    credit_for,
    require_kind,
    same_kind,
    span,
)
from prodlife.proration.change import ChangeDay, CreditMode, _charges, _effective, credit_lines
from prodlife.proration.explained import Quote

__all__ = ["UsedDay", "quote_cancellation", "quote_pause"]


class UsedDay(enum.Enum):
    """Whether the day a service ends counts as used (dates only)."""

    #: The customer had the service on the day of cancellation: not refunded.
    USED = "used"
    #: Service stops at the start of the day: the day is refunded.
    UNUSED = "unused"


def quote_cancellation(
    charged: Charge | Sequence[Charge],
    at: date | datetime,
    *,
    refund: CreditMode = CreditMode.PRORATED,
    used_day: UsedDay = UsedDay.USED,
    day_count: DayCount = ACTUAL_DAYS,
    rounding: str = decimal.ROUND_HALF_UP,
) -> Quote:
    """Quote the refund when a service is cancelled or terminated at ``at``.

    Args:
        charged: what was charged for the current period (one charge or several).
        at: the cancellation date or instant.
        refund: none, prorated (the unused part) or full.
        used_day: whether the cancellation day itself was used (not refunded).
        day_count: how the unused part is measured.
        rounding: the rounding mode of each line.

    Raises:
        ProrationError: ``at`` is outside what was charged, or an argument is
            not of its type.
    """
    check_rounding(rounding)
    require_kind(refund, CreditMode, "refund")
    require_kind(used_day, UsedDay, "used day")
    charges = _charges(charged)
    owner = ChangeDay.OLD_PLAN if used_day is UsedDay.USED else ChangeDay.NEW_PLAN
    start, _ = _effective(charges, at, owner)
    lines = credit_lines(charges, start, refund, day_count, rounding, "service")
    return Quote("cancellation", charges[0].amount.currency, tuple(lines))


def quote_pause(
    charged: Charge | Sequence[Charge],
    pause: Span,
    *,
    credit: CreditMode = CreditMode.PRORATED,
    day_count: DayCount = ACTUAL_DAYS,
    rounding: str = decimal.ROUND_HALF_UP,
) -> Quote:
    """Quote the credit for pausing (suspending) a paid service during ``pause``.

    Each charge is credited for the part of ``pause`` inside its span
    (prorated), or in full when the pause touches it (full), or not at all.

    Raises:
        ProrationError: the pause does not overlap anything charged, or an
            argument is not of its type.
    """
    check_rounding(rounding)
    require_kind(credit, CreditMode, "credit")
    charges = _charges(charged)
    if not isinstance(pause, Period | Interval):
        raise ProrationError(
            f"pause {pause!r} must be a Period of dates or an Interval of instants"
        )
    same_kind(pause.start, charges[0].span, "pause start")
    lines: list[Line] = []
    touched = False
    for charge in charges:
        start = max(pause.start, charge.span.start)
        end = min(pause.end, charge.span.end)
        if not start < end:
            continue
        touched = True
        if credit is CreditMode.NONE:
            continue
        portion = charge.span if credit is CreditMode.FULL else span(start, end)
        share = credit_for(charge, portion, day_count, rounding)
        lines.append(Line(LineKind.CREDIT, f"paused {charge.description or 'service'}", share))
    if not touched:
        raise ProrationError(f"the pause {pause} does not overlap anything charged")
    return Quote("pause", charges[0].amount.currency, tuple(lines))
