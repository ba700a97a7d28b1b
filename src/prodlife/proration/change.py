# Over 400 lines: the change policies and the three quotes they govern (package, quantity,
# options), which share the windows and credits a policy computes.
"""Plan, edition, quantity and option changes in the middle of a paid period.

A change credits what the customer was actually charged for the time they
will no longer use, and charges the new price for the time left, under a
:class:`ChangePolicy` whose knobs reproduce the public billing systems.

>>> from datetime import date
>>> from prodlife import Money, Period
>>> paid = Charge(Money("30.00", "USD"), Period(date(2025, 11, 1), date(2025, 12, 1)))
>>> quote = quote_change(paid, Money("100.00", "USD"), date(2025, 11, 16))
>>> [str(line.amount) for line in quote.lines], str(quote.net)
(['USD -15.00', 'USD 50.00'], 'USD 35.00')
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from prodlife._numbers import is_whole
from prodlife.alignment import LongCycles, align_to_billing_day
from prodlife.cycles import BillingCycle, CycleUnit
from prodlife.daycount import ACTUAL_DAYS, DayCount
from prodlife.errors import CurrencyMismatch
from prodlife.limits import MAX_AMOUNT_DIGITS
from prodlife.money import CONTEXT, Money, _new
from prodlife.periods import Period, _period
from prodlife.proration._share import (
    Charge,
    Line,
    LineKind,
    Point,
    ProrationError,
    Span,
    _proration,
    check_rounding,
    credit_for,
    make_line,
    next_day,
    prorate,
    require_charges,
    require_kind,
    require_money,
    same_kind,
    span,
    whole,
)
from prodlife.proration.explained import Quote, build_quote, make_quote

__all__ = [
    "Anchor",
    "ChangeDay",
    "ChangePolicy",
    "ChargeMode",
    "CreditMode",
    "quote_change",
    "quote_option_change",
    "quote_quantity_change",
]


class CreditMode(enum.Enum):
    """What the customer gets back for the unused part of the old charge."""

    #: The share of what was charged for the time left.
    PRORATED = "prorated"
    #: Everything that was charged for the period, used or not.
    FULL = "full"
    #: Nothing.
    NONE = "none"


class ChargeMode(enum.Enum):
    """What the customer pays for the new plan in the current period."""

    #: The new price's share for the time left.
    PRORATED = "prorated"
    #: The new price for the whole period, however little is left.
    FULL = "full"
    #: Nothing now: the new price starts at the next renewal.
    NONE = "none"


class ChangeDay(enum.Enum):
    """Which plan pays for the day of the change (dates only; instants split exactly)."""

    #: The change day is the first day on the new plan (Stripe, Kill Bill, Zuora).
    NEW_PLAN = "new plan"
    #: The old plan keeps the change day; the new one starts the day after.
    OLD_PLAN = "old plan"


class Anchor(enum.Enum):
    """What a change does to the billing period."""

    #: Keep the period end (the anniversary): prorate the new price up to it.
    KEEP = "keep"
    #: Start a new period of the new cycle on the change date, at the full new price.
    RESTART = "restart"
    #: When the cycle changes, re-anchor the new cycle on the billing day of the change's
    #: month and step whole cycles from there (Kill Bill): the new price is prorated from the
    #: change to the first billing day on or after it, against the new cycle's period that
    #: holds the change. Monthly on the 1st to annual on May 12, 2012: May 12, 2012 to
    #: May 1, 2013, against May 1, 2012 to May 1, 2013. It acts when a new cycle is given
    #: (the lifecycle gives one only when the cycle changes); without one, as ``KEEP``.
    BILLING_DAY = "billing day"


def _kind(kind: type) -> Callable[[Any, Any, Any], None]:
    """An attrs validator refusing values that are not a ``kind``."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        require_kind(value, kind, attribute.name.replace("_", " "))

    return check


@attrs.frozen(slots=True)
class ChangePolicy:
    """How a mid-period change is credited and charged.

    Raises:
        ProrationError: a field is not of its type (a mode, a convention).
        InvalidRounding: ``rounding`` is not a decimal rounding mode.

    Attributes:
        credit: what comes back for the unused old charge.
        charge: what is paid for the new plan now.
        change_day: which plan pays for the day of the change.
        anchor: keep the current period end, or restart the period.
        day_count: how portions of a period are measured.
        rounding: the rounding mode for every line (each line rounds once).
    """

    credit: CreditMode = attrs.field(default=CreditMode.PRORATED, validator=_kind(CreditMode))
    charge: ChargeMode = attrs.field(default=ChargeMode.PRORATED, validator=_kind(ChargeMode))
    change_day: ChangeDay = attrs.field(default=ChangeDay.NEW_PLAN, validator=_kind(ChangeDay))
    anchor: Anchor = attrs.field(default=Anchor.KEEP, validator=_kind(Anchor))
    day_count: DayCount = attrs.field(default=ACTUAL_DAYS, validator=_kind(DayCount))
    rounding: str = attrs.field(
        default=decimal.ROUND_HALF_UP, validator=lambda i, a, v: check_rounding(v)
    )


_DEFAULT = ChangePolicy()
_HALF_UP = decimal.ROUND_HALF_UP
_CREDIT = LineKind.CREDIT
_CHARGE = LineKind.CHARGE
_DIGITS = MAX_AMOUNT_DIGITS
_multiply = CONTEXT.multiply
_divide = CONTEXT.divide


def _charges(charged: Charge | Sequence[Charge]) -> tuple[Charge, ...]:
    if isinstance(charged, Charge):
        return (charged,)
    charges = require_charges(charged)
    if not charges:
        raise ProrationError("nothing was charged; pass at least one Charge to credit")
    kinds = {type(charge.span) for charge in charges}
    currencies = {charge.amount.currency for charge in charges}
    if len(kinds) > 1:
        raise ProrationError("charges mix billing dates and instants; pass one kind")
    if len(currencies) > 1:
        first, *rest = charges
        other = next(c for c in rest if c.amount.currency != first.amount.currency)
        raise CurrencyMismatch(first.amount, other.amount, "credit together")
    return charges


def _effective(
    charges: tuple[Charge, ...], at: Point, change_day: ChangeDay
) -> tuple[Point, Point]:
    """The point the new terms start, and the end of what was charged.

    The change takes effect on ``at``, or the day after when the old plan keeps
    the change day; that effective day must lie within what was charged (a
    change dated the day before a charge starts, with the old plan keeping the
    day, credits the whole charge).
    """
    reference = charges[0].span
    at = same_kind(at, reference, "change")
    if len(charges) == 1:
        start, end = reference.start, reference.end
    else:
        start = min(charge.span.start for charge in charges)
        end = max(charge.span.end for charge in charges)
    effective = next_day(at) if change_day is ChangeDay.OLD_PLAN else at
    if not (start <= effective and at <= end):
        raise ProrationError(
            f"the change on {at} is outside what was charged [{start}, {end}); pass the charges "
            "that cover the change"
        )
    return min(effective, end), end


def credit_lines(
    charges: tuple[Charge, ...],
    start: Point,
    mode: CreditMode,
    day_count: DayCount,
    rounding: str,
    label: str,
) -> list[Line]:
    """Credit every charge for its part from ``start`` on, under ``mode``."""
    lines: list[Line] = []
    if mode is CreditMode.NONE:
        return lines
    full = mode is CreditMode.FULL
    prefix = "full credit of " if full else "unused "
    for charge in charges:
        covered = charge.span
        if covered.end <= start:
            continue
        if full:
            share = credit_for(charge, covered, day_count, rounding)
        else:
            unused = covered if covered.start >= start else span(start, covered.end)
            share = credit_for(charge, unused, day_count, rounding)
        lines.append(make_line(LineKind.CREDIT, prefix + (charge.description or label), share, ""))
    return lines


def shift(point: Point, cycle: BillingCycle, periods: int, anchor_day: int) -> Point:
    """``point`` moved by whole cycles; an instant keeps its time of day."""
    if isinstance(point, datetime):
        moved = cycle.shift(point.date(), periods, anchor_day)
        return datetime.combine(moved, point.timetz())
    return cycle.shift(point, periods, anchor_day)


def windows_ending(end: Point, cycle: BillingCycle, start: Point, day: int) -> list[Span]:
    """The periods of ``cycle`` that end on ``end`` and cover back to ``start``, in order.

    ``day`` is the day of the month the periods aim for (31 for a month-end anchor
    whose period ends on Feb 28).
    """
    found: list[Span] = []
    index = 0
    while True:
        low = shift(end, cycle, index - 1, day)
        found.append(span(low, shift(end, cycle, index, day)))
        if low <= start:
            return found[::-1]
        index -= 1


def _reanchored(start: Point, cycle: BillingCycle, day: int) -> Span:
    """The period of ``cycle`` holding ``start``, re-anchored on ``day`` of ``start``'s month.

    Periods step whole cycles from that day (Kill Bill's re-anchoring of a cycle change); a
    cycle of weeks or days starts on ``start`` itself, as Kill Bill's day-based plans do.
    """
    if isinstance(start, datetime):
        raise ProrationError(
            f"re-anchoring on the billing day counts in dates, not the instant {start}; pass "
            "the change date, or use Anchor.KEEP or Anchor.RESTART with instants"
        )
    if cycle.unit is not CycleUnit.MONTH:
        return span(start, cycle.shift(start, 1))
    return align_to_billing_day(start, day, cycle, cycles=LongCycles.WHOLE_CYCLES).window


def _new_terms(
    price: Money,
    windows: list[Span],
    start: Point,
    mode: ChargeMode,
    policy: ChangePolicy,
    label: str,
) -> list[Line]:
    lines: list[Line] = []
    if mode is ChargeMode.NONE:
        return lines
    for window in windows:
        if window.end <= start:
            continue
        if mode is ChargeMode.FULL or window.start >= start:
            share = whole(price, window, policy.day_count, policy.rounding)
        else:
            portion = span(start, window.end)
            share = prorate(price, window, portion, policy.day_count, rounding=policy.rounding)
        lines.append(make_line(LineKind.CHARGE, label, share, ""))
    return lines


def _plain_change(charged: object, new_price: object, at: object, description: str) -> Quote | None:
    """The quote of the most common change, in one pass; ``None`` for any other.

    That change: one :class:`Charge` of Money for a Period, without a window; a
    new price in its currency; a change date strictly inside the period; the
    default policy and no new cycle. Its credit and its charge share the portion
    and its day counts, so each is one multiplication, one division and one
    rounding, as :func:`prorate` computes them. The quote built is equal, value
    for value and type for type, to the one the general path builds; anything
    else (including every input error) is left to the general path.
    """
    if type(charged) is not Charge or type(at) is not date or type(new_price) is not Money:
        return None
    covered = charged.span
    price = charged.amount
    if type(covered) is not Period or charged.window is not None or type(price) is not Money:
        return None
    currency = price.currency
    charge_currency = new_price.currency
    low = covered.start
    end = covered.end
    if not (charge_currency is currency or charge_currency == currency) or not low <= at < end:
        return None
    total = (end - low).days
    try:
        if at == low:  # the whole period: nothing to divide
            portion = covered
            used = total
            credited = price.amount.quantize(currency.quantum, _HALF_UP, CONTEXT)
            charged_new = new_price.amount.quantize(charge_currency.quantum, _HALF_UP, CONTEXT)
        else:
            portion = _period(at, end)
            used = (end - at).days
            credited = _divide(_multiply(price.amount, used), total).quantize(
                currency.quantum, _HALF_UP, CONTEXT
            )
            charged_new = _divide(_multiply(new_price.amount, used), total).quantize(
                charge_currency.quantum, _HALF_UP, CONTEXT
            )
    except decimal.DecimalException:
        return None  # the general path raises the same error, or prodlife's own
    if credited < 0 or charged_new < 0 or max(credited, charged_new).adjusted() >= _DIGITS:
        return None  # beyond the bounds, or a net that may be: the general path checks
    credit = _proration(
        price, covered, portion, used, total, "actual days", _new(credited, currency), _HALF_UP
    )
    charge = _proration(
        new_price,
        covered,
        portion,
        used,
        total,
        "actual days",
        _new(charged_new, charge_currency),
        _HALF_UP,
    )
    return build_quote(
        "plan change",
        currency,
        (
            make_line(
                _CREDIT,
                "unused " + charged.description if charged.description else "unused old plan",
                credit,
                "",
            ),
            make_line(_CHARGE, description, charge, ""),
        ),
        end,
    )


def quote_change(
    charged: Charge | Sequence[Charge],
    new_price: Money,
    at: date | datetime,
    *,
    new_cycle: BillingCycle | None = None,
    policy: ChangePolicy | None = None,
    description: str = "new plan",
) -> Quote:
    """Quote a change of plan or edition (or price) at ``at``.

    Args:
        charged: what the customer was charged for the current period: one
            :class:`Charge`, or several (a list price and an earlier change's
            stub); each is credited over its own dates.
        new_price: the new plan's recurring price for one period of its cycle.
        at: the change date, or instant (with spans of instants).
        new_cycle: the new plan's cycle, when the cycle changes (monthly to
            annual). With :attr:`Anchor.KEEP` the new price is prorated over
            the new cycle's periods that end on the old anniversary; with
            :attr:`Anchor.RESTART` a new period of this cycle starts at ``at``;
            with :attr:`Anchor.BILLING_DAY` the new cycle's periods step from
            the billing day of ``at``'s month (Kill Bill).
            Omitted, the new price is for the same billing period as the old.
        policy: the change policy; the defaults credit and charge prorated
            by actual days, the change day on the new plan, period kept.
        description: how the new plan is called in the quote.

    Returns:
        A :class:`Quote` with the credit lines, the charge lines, their net,
        the next due date and the charges now in force (pass them as
        ``charged`` to quote a second change in the same period).

    Raises:
        ProrationError: the change is outside what was charged, a restart
            has no cycle, or an argument is not of its type.
        CurrencyMismatch: the new price is in another currency.
    """
    if not isinstance(description, str):
        raise ProrationError(f"description {description!r} must be text, e.g. 'new plan'")
    if policy is None and new_cycle is None:
        quote = _plain_change(charged, new_price, at, description)
        if quote is not None:
            return quote
    policy = _DEFAULT if policy is None else policy
    require_kind(policy, ChangePolicy, "policy")
    if new_cycle is not None:
        require_kind(new_cycle, BillingCycle, "new cycle")
        new_cycle._require_recurring()
    require_money(new_price, "new price")
    charges = _charges(charged)
    currency = charges[0].amount.currency
    if new_price.currency is not currency and new_price.currency != currency:
        raise CurrencyMismatch(charges[0].amount, new_price, "change between")
    start, end = _effective(charges, at, policy.change_day)
    lines = credit_lines(
        charges, start, policy.credit, policy.day_count, policy.rounding, "old plan"
    )
    if policy.anchor is Anchor.RESTART:
        if new_cycle is None:
            raise ProrationError(
                "restarting the period needs the new plan's cycle; pass new_cycle (for the "
                "same cycle, pass the current one)"
            )
        windows = [span(start, shift(start, new_cycle, 1, start.day))]
        mode = ChargeMode.NONE if policy.charge is ChargeMode.NONE else ChargeMode.FULL
    elif new_cycle is None:
        windows = (
            [charges[0].billing_period]
            if len(charges) == 1
            else list(dict.fromkeys(charge.billing_period for charge in charges))
        )
        mode = policy.charge
    else:
        current = charges[-1].billing_period
        anchor_day = max(current.start.day, current.end.day)
        if policy.anchor is Anchor.BILLING_DAY:
            windows = [_reanchored(start, new_cycle, anchor_day)]
        else:
            windows = windows_ending(end, new_cycle, start, anchor_day)
        mode = policy.charge
    charge_lines = _new_terms(new_price, windows, start, mode, policy, description)
    moves = policy.anchor is Anchor.RESTART or (
        policy.anchor is Anchor.BILLING_DAY and new_cycle is not None
    )
    next_due = windows[-1].end if moves else end
    return make_quote("plan change", currency, (*lines, *charge_lines), next_due)


def quote_quantity_change(
    charged: Charge | Sequence[Charge],
    unit_price: Money,
    quantity: int,
    at: date | datetime,
    *,
    policy: ChangePolicy | None = None,
) -> Quote:
    """Quote a change of seats (or any quantity) to ``quantity`` at ``unit_price`` each.

    The old charge is credited and the new quantity charged, as for a plan
    change; a quantity of zero charges nothing.

    Raises:
        ProrationError: ``quantity`` is not a whole number of at least 0.

    >>> from datetime import date
    >>> from prodlife import Money, Period
    >>> april = Period(date(2012, 4, 1), date(2012, 5, 1))
    >>> seats = Charge(Money("90.00", "USD"), april, description="3 seats")
    >>> str(quote_quantity_change(seats, Money("30.00", "USD"), 2, date(2012, 4, 11)).net)
    'USD -20.00'
    """
    require_money(unit_price, "unit price")
    if not is_whole(quantity, 0):
        raise ProrationError(f"quantity {quantity!r} must be a whole number of at least 0")
    return quote_change(
        charged,
        unit_price * quantity,
        at,
        policy=policy,
        description=f"{quantity} × {unit_price}",
    )


def quote_option_change(
    old_price: Money,
    new_price: Money,
    period: Span,
    at: date | datetime,
    *,
    option: str = "option",
    policy: ChangePolicy | None = None,
) -> Quote:
    """Quote a configurable option change billed on the price difference.

    One line prices ``new_price - old_price`` for the rest of ``period``: a
    charge when the option gets dearer, a credit when it gets cheaper. The
    policy's ``credit`` and ``charge`` modes apply to that line.

    >>> from datetime import date
    >>> from prodlife import Money, Period
    >>> month = Period(date(2025, 6, 1), date(2025, 7, 1))
    >>> disk = quote_option_change(Money("5", "USD"), Money("8", "USD"), month, date(2025, 6, 16))
    >>> str(disk.net)
    'USD 1.50'
    """
    policy = _DEFAULT if policy is None else policy
    require_kind(policy, ChangePolicy, "policy")
    if not isinstance(option, str):
        raise ProrationError(f"option {option!r} must be text, e.g. 'disk'")
    start, end = _effective((Charge(old_price, period),), at, policy.change_day)
    require_money(new_price, "new option price")
    difference = new_price - old_price
    kind = LineKind.CHARGE if difference.amount > 0 else LineKind.CREDIT
    mode = (policy.charge if kind is LineKind.CHARGE else policy.credit).value
    lines: list[Line] = []
    if start < end and not difference.is_zero and mode != "none":
        portion = period if mode == "full" else span(start, end)
        share = prorate(
            abs(difference), period, portion, policy.day_count, rounding=policy.rounding
        )
        lines.append(Line(kind, f"{option} {old_price} → {new_price}", share, option))
    return Quote("option change", new_price.currency, tuple(lines), end)
