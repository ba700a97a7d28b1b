"""Charges that move dates: the first charge of a service, and co-terming.

>>> from datetime import date
>>> from prodlife import MONTHLY, Money
>>> first = quote_first_charge(Money("30.00", "USD"), MONTHLY, date(2025, 3, 10), billing_day=1)
>>> [str(line.amount) for line in first.lines], first.next_due
(['USD 21.29'], datetime.date(2025, 4, 1))
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from prodlife._numbers import is_whole
from prodlife.alignment import align_to_billing_day
from prodlife.cycles import BillingCycle, BillingSchedule, MonthEnd
from prodlife.daycount import ACTUAL_DAYS, DayCount
from prodlife.errors import InvalidBillingCycle
from prodlife.money import Money
from prodlife.periods import Period, _require_date
from prodlife.proration._share import (
    Line,
    LineKind,
    ProrationError,
    check_rounding,
    prorate,
    require_money,
    whole,
)
from prodlife.proration.explained import Quote

__all__ = ["CotermItem", "quote_coterm", "quote_first_charge"]


def quote_first_charge(
    price: Money,
    cycle: BillingCycle,
    start: date,
    *,
    billing_day: int | None = None,
    charge_next_after: int | None = None,
    month_end: MonthEnd = MonthEnd.CLAMP,
    day_count: DayCount = ACTUAL_DAYS,
    rounding: str = decimal.ROUND_HALF_UP,
) -> Quote:
    """Quote what a new service pays up front, optionally aligned to a billing day.

    Without ``billing_day`` the first period is a whole cycle from ``start``.
    With it, the first charge is a prorated stub up to the next billing day
    (prorata billing), priced against the whole cycle that ends there; with
    ``charge_next_after`` as well, an order placed on a later day of the
    month also pays the following whole period, so its first invoice is not
    followed by another a few days later.

    Args:
        price: the recurring price of one period.
        cycle: the recurring cycle (month-based when aligned to a billing day).
        start: the date service starts.
        billing_day: the day of the month every service is billed on (1-31).
        charge_next_after: orders on a day of the month after this one also
            pay the next whole period (1-31; needs ``billing_day``).
        month_end: month-end policy for the periods after the stub.
        day_count: how the stub is measured.
        rounding: the rounding mode of each line.

    Raises:
        InvalidBillingCycle: the cycle is one-time, or a day is not 1-31.
        ProrationError: ``charge_next_after`` without ``billing_day``.
    """
    _require_date(start, "start")
    check_rounding(rounding)
    if billing_day is None:
        if charge_next_after is not None:
            raise ProrationError(
                "charge_next_after needs a billing_day: it decides when an aligned stub also "
                "pays the next period"
            )
        period = BillingSchedule(cycle, start).period(0)
        line = Line(LineKind.CHARGE, "first period", whole(price, period, day_count, rounding))
        return Quote("first charge", price.currency, (line,), period.end)
    if charge_next_after is not None and not is_whole(charge_next_after, 1, 31):
        raise InvalidBillingCycle(
            f"charge_next_after {charge_next_after!r} must be a day of the month from 1 to 31"
        )
    aligned = align_to_billing_day(start, billing_day, cycle, month_end=month_end)
    share = prorate(price, aligned.window, aligned.first, day_count, rounding=rounding)
    text = "prorated first period" if aligned.is_stub else "first period"
    lines = [Line(LineKind.CHARGE, text, share)]
    next_due = aligned.first.end
    if aligned.is_stub and charge_next_after is not None and start.day > charge_next_after:
        following = aligned.schedule.period(0)
        lines.append(
            Line(
                LineKind.CHARGE,
                "next period, charged now",
                whole(price, following, day_count, rounding),
            )
        )
        next_due = following.end
    return Quote("first charge", price.currency, tuple(lines), next_due)


def _subject(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise ProrationError(f"co-term subject {value!r} must be text, e.g. 'S-1'")


def _recurring(cycle: object) -> None:
    if not isinstance(cycle, BillingCycle) or not cycle.is_recurring:
        raise InvalidBillingCycle(f"co-term cycle {cycle!r} must be a recurring BillingCycle")


@attrs.frozen(slots=True)
class CotermItem:
    """One service (or add-on, or domain) whose next due date moves.

    Attributes:
        subject: how the service is called in the quote.
        price: its recurring price per period.
        cycle: its billing cycle.
        next_due: its current next due date (paid up to, exclusive).
        anchor_day: the day its monthly periods aim for, when ``next_due``
            is clamped (31 while due on Feb 28).

    Raises:
        ProrationError: the subject is not text.
        InvalidAmount: the price is not Money.
        InvalidBillingCycle: the cycle is not a recurring cycle, or the anchor
            day does not fall on ``next_due``.
        InvalidPeriod: ``next_due`` is not a date within the year window.
    """

    subject: str = attrs.field(validator=_subject)
    price: Money = attrs.field(validator=lambda i, a, v: require_money(v, "co-term price"))
    cycle: BillingCycle = attrs.field(validator=lambda i, a, v: _recurring(v))
    next_due: date = attrs.field(validator=lambda i, a, v: _require_date(v, "next due date"))
    anchor_day: int | None = None

    def __attrs_post_init__(self) -> None:
        BillingSchedule(self.cycle, self.next_due, self.anchor_day)  # the day fits the date


def quote_coterm(
    items: Sequence[CotermItem],
    new_due: date,
    *,
    day_count: DayCount = ACTUAL_DAYS,
    rounding: str = decimal.ROUND_HALF_UP,
    new_anchor_day: int | None = None,
) -> Quote:
    """Quote moving the next due date of several services to one date (a prorata invoice).

    Each service gets one line per billing period the gap touches: a charge
    for the days from its current due date up to ``new_due``, or a credit
    when ``new_due`` is earlier; a service already due on ``new_due`` gets
    none. Each gap is priced against the billing periods of the service's cycle
    that start on the earlier of the two dates, in both directions, so moving a
    due date and moving it back nets to exactly zero (give ``new_anchor_day``
    when the new due date is a clamped month end, as ``anchor_day`` does for
    the current one).

    Args:
        items: the services to move.
        new_due: the next due date they all move to.
        day_count: how each gap is measured.
        rounding: the rounding mode of each line.
        new_anchor_day: the day of the month ``new_due`` stands for, when it
            is clamped (31 for a new due date of Feb 28 anchored to month ends).

    Raises:
        ProrationError: no items, an item that is not a :class:`CotermItem`, or
            items in several currencies.
    """
    _require_date(new_due, "new due date")
    check_rounding(rounding)
    given: object = items
    if isinstance(given, (str, bytes)) or not isinstance(given, Sequence):
        raise ProrationError(f"co-term items {given!r} must be a list of CotermItem")
    if not items:
        raise ProrationError("no services to co-term; pass at least one CotermItem")
    for item in items:
        if not isinstance(item, CotermItem):
            raise ProrationError(f"{item!r} is not a CotermItem")
    currency = items[0].price.currency
    lines: list[Line] = []
    for item in items:
        if item.price.currency != currency:
            raise ProrationError(
                f"{item.subject} is priced in {item.price.currency}, not {currency}; "
                "co-term services of one currency per invoice"
            )
        due = item.next_due
        if due == new_due:
            continue
        # Both directions price the gap against the periods that start on the earlier
        # date, so moving a due date later and back again nets to exactly zero.
        if new_due > due:
            schedule = BillingSchedule(item.cycle, due, item.anchor_day)
        else:
            schedule = BillingSchedule(item.cycle, new_due, new_anchor_day)
        gap = Period(min(due, new_due), max(due, new_due))
        kind = LineKind.CHARGE if new_due > due else LineKind.CREDIT
        for window in schedule.periods_between(gap):
            portion = window.intersection(gap)
            if portion is None:  # pragma: no cover - periods_between overlaps gap
                continue
            share = prorate(item.price, window, portion, day_count, rounding=rounding)
            text = (
                "until the new due date"
                if kind is LineKind.CHARGE
                else "back from the new due date"
            )
            lines.append(Line(kind, text, share, item.subject))
    return Quote("co-term", currency, tuple(lines), new_due)
