# Over 400 lines: prorate() and the values every quote is built from (Proration, Line) and
# their argument checks, which every module of proration/ shares.
"""The share of a period: :func:`prorate`, and the values every quote is built from."""

from __future__ import annotations

import decimal
import enum
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import attrs

from prodlife._fast import builder
from prodlife.clock import as_utc
from prodlife.daycount import ACTUAL_DAYS, DayCount, Span
from prodlife.errors import InvalidAmount, InvalidPeriod, InvalidRounding, ValidationError
from prodlife.limits import MAX_AMOUNT_DIGITS
from prodlife.money import CONTEXT, ROUNDING_MODES, Money, _new, checked, quantize
from prodlife.periods import Interval, Period, _period

__all__ = [
    "Charge",
    "Line",
    "LineKind",
    "Proration",
    "ProrationError",
    "Span",
    "prorate",
]

#: A point in time: a billing date, or an aware instant.
Point = date | datetime


class ProrationError(ValidationError):
    """A proration input is inconsistent: a change outside what was charged,
    a charge whose window does not hold it, a quantity below zero..."""


def span(start: Point, end: Point) -> Span:
    """A Period between two dates, or an Interval between two instants (start < end)."""
    if isinstance(start, datetime):
        return Interval(start, end)  # type: ignore[arg-type]
    if start < end and type(start) is date and type(end) is date:
        return _period(start, end)
    return Period(start, end)


def same_kind(point: Point, reference: Span, what: str) -> Point:
    """Check that ``point`` is a date for a Period and an instant for an Interval."""
    if isinstance(reference, Interval):
        if not isinstance(point, datetime):
            raise ProrationError(
                f"{what} {point!r} is a date but the charge covers instants {reference}; "
                "pass an aware datetime"
            )
        return as_utc(point)
    if isinstance(point, datetime):
        raise ProrationError(
            f"{what} {point!r} is an instant but the charge covers billing dates {reference}; "
            "pass a date (billing_date() converts an instant in the customer's zone)"
        )
    return point


def next_day(point: Point) -> Point:
    """The day after a date; an instant is returned as it is (it owns no day)."""
    if isinstance(point, datetime):
        return point
    return point + timedelta(days=1)


def require_kind(value: object, kind: type, what: str) -> None:
    """Refuse ``value`` unless it is a ``kind`` (an enum member, a convention...)."""
    if not isinstance(value, kind):
        members: list[enum.Enum] = list(kind) if issubclass(kind, enum.Enum) else []
        names = ", ".join(f"{kind.__name__}.{member.name}" for member in members)
        choices = f"; use one of {names}" if names else f"; pass a {kind.__name__}"
        raise ProrationError(f"{what} {value!r} is not a {kind.__name__}{choices}")


def require_charges(charged: object) -> tuple[Charge, ...]:
    """One Charge or a sequence of them, as a tuple; anything else is refused."""
    if isinstance(charged, Charge):
        return (charged,)
    if isinstance(charged, (str, bytes)) or not isinstance(charged, Sequence):
        raise ProrationError(
            f"charged {charged!r} must be a Charge or a list of them, e.g. "
            "Charge(Money('30.00', 'USD'), Period(start, end))"
        )
    for charge in charged:
        if not isinstance(charge, Charge):
            raise ProrationError(f"{charge!r} is not a Charge; pass what was charged as Charges")
    return tuple(charged)


def check_rounding(rounding: str) -> str:
    if not isinstance(rounding, str) or rounding not in ROUNDING_MODES:
        raise InvalidRounding(rounding)
    return rounding


def _text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ProrationError(f"{attribute.name} {value!r} must be text")


@attrs.frozen(slots=True)
class Proration:
    """The share of a price for a portion of the period it is for, with its working.

    Attributes:
        price: the price of the whole ``period``.
        period: the span the price is for.
        portion: the part of ``period`` being priced.
        used: units of the portion, in the convention's units.
        total: units of the whole period.
        convention: the day-count convention's name.
        amount: :attr:`exact` rounded once to the currency's minor units.
        rounding: the rounding mode that made ``amount``.

    Raises:
        ProrationError: a field is not of its type, or the units do not fit
            (build prorations with :func:`prorate`).
        InvalidAmount: the price or amount is not Money.
    """

    price: Money = attrs.field(validator=lambda i, a, v: require_money(v, "price"))
    period: Span = attrs.field(validator=lambda i, a, v: _require_span(v, "period"))
    portion: Span = attrs.field(validator=lambda i, a, v: _require_span(v, "portion"))
    used: int = attrs.field(validator=lambda i, a, v: _require_units(v, "used"))
    total: int = attrs.field(validator=lambda i, a, v: _require_units(v, "total"))
    convention: str = attrs.field(validator=_text)
    amount: Money = attrs.field(validator=lambda i, a, v: require_money(v, "amount"))
    rounding: str = attrs.field(
        default=decimal.ROUND_HALF_UP, validator=lambda i, a, v: check_rounding(v)
    )

    def __attrs_post_init__(self) -> None:
        if self.amount.currency != self.price.currency:
            raise ProrationError(
                f"amount {self.amount} is not in the currency of the price {self.price}"
            )
        if type(self.period) is not type(self.portion) or self.used > self.total:
            raise ProrationError(
                f"portion {self.portion} measuring {self.used} of {self.total} units cannot be "
                f"part of {self.period}; build prorations with prorate()"
            )

    @property
    def exact(self) -> Money:
        """``price * used / total``, unrounded (34 significant digits)."""
        return checked(
            _exact(self.price.amount, self.used, self.total, self.portion, self.period),
            self.price.currency,
        )

    @property
    def fraction(self) -> Fraction:
        """``used / total`` exactly (a period of zero units counts whole or nothing)."""
        if self.total == 0:
            return Fraction(1 if self.portion == self.period else 0)
        return Fraction(self.used, self.total)


def _require_span(value: object, what: str) -> None:
    if not isinstance(value, (Period, Interval)):
        raise ProrationError(f"{what} {value!r} must be a Period or an Interval")


def _require_units(value: object, what: str) -> None:
    if type(value) is not int or value < 0:
        raise ProrationError(f"{what} units {value!r} must be a whole number of at least 0")


_proration = builder(
    Proration,
    "price",
    "period",
    "portion",
    "used",
    "total",
    "convention",
    "amount",
    "rounding",
)


def prorate(
    price: Money,
    period: Span,
    portion: Span,
    day_count: DayCount = ACTUAL_DAYS,
    *,
    rounding: str = decimal.ROUND_HALF_UP,
    window: Span | None = None,
) -> Proration:
    """Price ``portion`` of ``period`` when ``price`` pays for the whole period.

    The amount is ``price * used / total`` with ``used`` and ``total`` measured
    by ``day_count``, computed exactly and rounded once to the currency's minor
    units with ``rounding``.

    Args:
        price: what the whole ``period`` costs.
        period: the span ``price`` pays for.
        portion: the part of ``period`` to price.
        day_count: the convention that measures them (actual days by default).
        rounding: a :mod:`decimal` rounding mode, half up by default.
        window: when ``period`` is itself part of a longer billing period (a
            stub that was prorated against a whole month), that billing period:
            units are then measured against it, so the portion's share of
            ``price`` is consistent with how ``price`` was computed.

    Raises:
        InvalidPeriod: ``portion`` is not inside ``period`` (or ``period`` not
            inside ``window``).
        InvalidRounding: ``rounding`` is not a decimal rounding mode.
        InvalidAmount: ``price`` is not Money.

    >>> from datetime import date
    >>> from prodlife import Money, Period
    >>> january = Period(date(2025, 1, 1), date(2025, 2, 1))
    >>> share = prorate(Money("31.00", "USD"), january, Period(date(2025, 1, 22), date(2025, 2, 1)))
    >>> share.used, share.total, share.amount
    (10, 31, Money('10.00', 'USD'))
    """
    if type(price) is not Money:
        raise InvalidAmount(price, f"price {price!r} must be Money, e.g. Money('10.00', 'USD')")
    try:
        known = rounding in ROUNDING_MODES
    except TypeError:  # an unhashable value
        known = False
    if not known:
        raise InvalidRounding(rounding)
    if window is not None:
        _require_day_count(day_count)
        used, total = _within(portion, period, window, day_count)
        name = day_count.name
    elif day_count is ACTUAL_DAYS and type(portion) is Period and type(period) is Period:
        low, high = period.start, period.end
        if portion.start < low or portion.end > high:
            raise InvalidPeriod(f"portion {portion} is not inside the period {period}")
        used, total = (portion.end - portion.start).days, (high - low).days
        name = "actual days"
    else:
        _require_day_count(day_count)
        used, total = _units(day_count, portion, period)
        name = day_count.name
    amount = price.amount
    if used != total:
        exact = CONTEXT.divide(CONTEXT.multiply(amount, used), total)
    else:
        exact = amount if total or portion == period else amount * 0
    currency = price.currency
    try:
        rounded = exact.quantize(currency.quantum, rounding, CONTEXT)
    except decimal.InvalidOperation:
        rounded = quantize(exact, currency, rounding)  # raises prodlife's error
    if rounded.adjusted() >= MAX_AMOUNT_DIGITS:  # rounded up past the bound, or a custom count
        checked(rounded, currency, "prorated amount")  # raises InvalidAmount
    return _proration(
        price,
        period,
        portion,
        used,
        total,
        name,
        _new(rounded, currency),
        rounding,
    )


def _require_day_count(day_count: object) -> None:
    if not isinstance(day_count, DayCount):
        raise ValidationError(
            f"day count {day_count!r} is not a convention; pass one such as ACTUAL_DAYS"
        )


def _exact(amount: Decimal, used: int, total: int, portion: Span, period: Span) -> Decimal:
    """``amount * used / total`` in prodlife's context; a zero-unit period is all or nothing."""
    if used == total:
        return amount if total or portion == period else amount * 0
    return CONTEXT.divide(CONTEXT.multiply(amount, used), total)


def _units(day_count: DayCount, portion: Span, period: Span) -> tuple[int, int]:
    units = getattr(day_count, "_units", None)
    if units is not None:
        used, total = units(portion, period)
        return used, total
    measure = day_count.measure(portion, period)
    used, total = getattr(measure, "used", None), getattr(measure, "total", None)
    if (
        type(used) is not int
        or type(total) is not int
        or not (0 <= used <= total and (total > 0 or portion == period))
    ):
        raise ValidationError(
            f"day count {day_count!r} measured {portion} of {period} as {measure!r}; a "
            "convention must return a Measure of whole units with 0 <= used <= total and "
            "total > 0"
        )
    return used, total


def _within(portion: Span, period: Span, window: Span, day_count: DayCount) -> tuple[int, int]:
    """Units of ``portion`` and of ``period``, both measured against ``window``."""
    if not type(portion) is type(period) is type(window) or not isinstance(
        window, (Period, Interval)
    ):
        raise InvalidPeriod(
            f"cannot measure {portion!r} of {period!r} in {window!r}: pass Periods of dates "
            "or Intervals of instants, not both"
        )
    if not (period.start <= portion.start and portion.end <= period.end):
        raise InvalidPeriod(f"portion {portion} is not inside the period {period}")
    if not (window.start <= period.start and period.end <= window.end):
        raise InvalidPeriod(f"period {period} is not inside its window {window}")
    return _units(day_count, portion, window)[0], _units(day_count, period, window)[0]


def whole(price: Money, period: Span, day_count: DayCount, rounding: str) -> Proration:
    """The whole price of a whole period, as a proration of fraction 1."""
    return prorate(price, period, period, day_count, rounding=rounding)


class LineKind(enum.Enum):
    """Whether a quote line charges the customer or credits them."""

    CHARGE = "charge"
    CREDIT = "credit"


def _line_kind(instance: object, attribute: attrs.Attribute[LineKind], value: object) -> None:
    require_kind(value, LineKind, "line kind")


def _share(instance: object, attribute: attrs.Attribute[Proration], value: object) -> None:
    require_kind(value, Proration, "line proration")


@attrs.frozen(slots=True)
class Line:
    """One explained line of a quote.

    Attributes:
        kind: charge or credit.
        description: what the line is for, in words.
        proration: the working: price, period, portion, units, exact and rounded amounts.
        subject: which service, option or add-on the line is about (may be empty).

    Raises:
        ProrationError: a field is not of its type.
    """

    kind: LineKind = attrs.field(validator=_line_kind)
    description: str = attrs.field(validator=_text)
    proration: Proration = attrs.field(validator=_share)
    subject: str = attrs.field(default="", validator=_text)

    @property
    def amount(self) -> Money:
        """The rounded amount, negative for a credit."""
        rounded = self.proration.amount
        return -rounded if self.kind is _CREDIT else rounded


#: Build a Line from valid values (kind, description, proration, subject).
make_line = builder(Line, "kind", "description", "proration", "subject")
_CREDIT = LineKind.CREDIT


def require_money(value: object, what: str) -> None:
    """Refuse anything but Money, saying what it should have been."""
    if not isinstance(value, Money):
        raise InvalidAmount(value, f"{what} {value!r} must be Money, e.g. Money('10.00', 'USD')")


def _check_amount(instance: Charge, attribute: attrs.Attribute[Money], value: Money) -> None:
    if type(value) is not Money:
        require_money(value, "charge amount")


def _check_span(instance: Charge, attribute: attrs.Attribute[Span], value: Span) -> None:
    if type(value) is not Period and not isinstance(value, (Period, Interval)):
        raise ProrationError(
            f"charge span {value!r} must be a Period of dates or an Interval of instants"
        )


def _check_window(
    instance: Charge, attribute: attrs.Attribute[Span | None], value: Span | None
) -> None:
    if value is None:
        return
    covered = instance.span
    if type(value) is not type(covered) or not (
        value.start <= covered.start and covered.end <= value.end
    ):
        raise ProrationError(
            f"charge window {value} does not hold the charged span {covered}; pass the whole "
            "billing period the charge was prorated against"
        )


@attrs.frozen(slots=True)
class Charge:
    """What a customer was actually charged, and for which span.

    Quotes credit charges, never list prices: a second change in one period
    credits what the first change charged, over that charge's own dates.

    Args:
        amount: what was charged.
        span: the dates (or instants) the amount pays for.
        window: the whole billing period the amount was prorated against,
            when ``span`` is a stub of it; ``span`` itself when omitted.
        description: what was charged, in words.

    Raises:
        ProrationError: ``window`` does not contain ``span``.
    """

    amount: Money = attrs.field(validator=_check_amount)
    span: Span = attrs.field(validator=_check_span)
    window: Span | None = attrs.field(default=None, validator=_check_window)
    description: str = ""

    @property
    def billing_period(self) -> Span:
        """The window if given, else the span."""
        return self.span if self.window is None else self.window


def charges_of(lines: Sequence[Line]) -> tuple[Charge, ...]:
    """The charges a quote's charge lines put in force, for the next quote to credit."""
    return tuple(
        Charge(share.amount, share.portion, share.period, line.description)
        for line in lines
        if line.kind is LineKind.CHARGE
        for share in (line.proration,)
    )


def credit_for(charge: Charge, portion: Span, day_count: DayCount, rounding: str) -> Proration:
    """The share of what ``charge`` cost that ``portion`` of its span is worth."""
    window = charge.window
    if window is None or window == charge.span:
        return prorate(charge.amount, charge.span, portion, day_count, rounding=rounding)
    return prorate(charge.amount, charge.span, portion, day_count, rounding=rounding, window=window)
