# Over 400 lines: the day-count conventions, each a short class over one protocol and one
# base; apart they would scatter a single definition of "how much of a period".
"""Day-count conventions: how much of a period a portion of it is.

A convention measures a *portion* (a span inside a billing period) against
the whole *period* and returns a :class:`Measure`: units used, units in the
period, and their exact ratio as a :class:`~fractions.Fraction`. No rounding
happens here; proration multiplies a price by that exact fraction and rounds
once, at the end.

Every built-in convention gives each point of a period a *position* (its
count of units since the period's start) and measures a portion as the
difference of positions at its ends. That makes every convention:

- additive: the pieces of a split period measure exactly the whole;
- monotone: a longer portion never measures less;
- whole: the period itself always measures 1, so all conventions agree on
  whole periods.

>>> from datetime import date
>>> from prodlife.periods import Period
>>> february = Period(date(2025, 2, 1), date(2025, 3, 1))
>>> first_half = Period(date(2025, 2, 1), date(2025, 2, 15))
>>> ACTUAL_DAYS.measure(first_half, february)
Measure(used=14, total=28, convention='actual days')
>>> THIRTY_DAY_MONTHS.measure(first_half, february).fraction
Fraction(7, 15)
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from typing import Protocol, runtime_checkable

import attrs

from prodlife._numbers import is_whole
from prodlife.cycles import days_in_month
from prodlife.errors import InvalidPeriod, ValidationError
from prodlife.limits import MAX_CYCLE_DAYS
from prodlife.periods import Interval, Period

#: What a convention measures: a Period of billing dates or an Interval of instants.
Span = Period | Interval

__all__ = [
    "ACTUAL_DAYS",
    "CALENDAR_30_DAYS",
    "SECONDS",
    "THIRTY_DAY_MONTHS",
    "ActualDays",
    "CalendarMonthDays",
    "DayCount",
    "FixedDays",
    "Measure",
    "Seconds",
    "Span",
    "ThirtyDayMonths",
]


@attrs.frozen(slots=True)
class Measure:
    """How much of a period a portion is, in a convention's units.

    Attributes:
        used: units in the portion.
        total: units in the whole period (always positive).
        convention: the name of the convention that measured them.
    """

    used: int
    total: int
    convention: str

    @property
    def fraction(self) -> Fraction:
        """``used / total`` exactly."""
        return Fraction(self.used, self.total)


@runtime_checkable
class DayCount(Protocol):
    """A day-count convention: anything that can measure a portion of a period.

    Implement :meth:`measure` to add a convention of your own; keep it
    additive (pieces of a period measure the whole) and make the whole period
    measure exactly 1.
    """

    @property
    def name(self) -> str:
        """A short, human-readable name shown in proration breakdowns."""
        ...

    def measure(self, portion: Span, period: Span) -> Measure:
        """Measure ``portion`` (a span inside ``period``) against ``period``.

        Raises:
            InvalidPeriod: ``portion`` is not inside ``period``.
        """
        ...


def _inside(portion: Span, period: Span) -> None:
    if type(portion) is not type(period) or not isinstance(period, (Period, Interval)):
        raise InvalidPeriod(
            f"cannot measure {portion!r} against {period!r}: both must be Periods of dates "
            "or both Intervals of instants"
        )
    if not (period.start <= portion.start and portion.end <= period.end):
        raise InvalidPeriod(
            f"portion {portion} is not inside the period {period}; pass a portion within it "
            "(use Period.intersection to cut one)"
        )


def _dates_only(name: str, portion: Span, period: Span) -> tuple[Period, Period]:
    if not (isinstance(portion, Period) and isinstance(period, Period)):
        wrong = period if isinstance(portion, Period) else portion
        raise InvalidPeriod(
            f"the {name} convention measures Periods of billing dates, not {wrong!r}; turn "
            "instants into dates with billing_date(), or measure instants with SECONDS"
        )
    return portion, period


class _Convention:
    """What the built-in conventions share: ``measure`` from a private ``_units``."""

    __slots__ = ()

    @property
    def name(self) -> str:  # pragma: no cover - every convention overrides it
        raise NotImplementedError

    def _units(self, portion: Span, period: Span) -> tuple[int, int]:  # pragma: no cover
        raise NotImplementedError

    def measure(self, portion: Span, period: Span) -> Measure:
        """Measure ``portion`` against ``period`` (see the class docstring).

        Raises:
            InvalidPeriod: ``portion`` is not inside ``period``, or the spans are of a
                kind the convention does not measure.
        """
        used, total = self._units(portion, period)
        return Measure(used, total, self.name)


@attrs.frozen(slots=True)
class ActualDays(_Convention):
    """Count calendar days: a portion of 10 days in a 31-day month is 10/31."""

    @property
    def name(self) -> str:
        """The convention's name, as shown in proration breakdowns."""
        return "actual days"

    def _units(self, portion: Span, period: Span) -> tuple[int, int]:
        if (
            type(portion) is Period
            and type(period) is Period
            and period.start <= portion.start
            and portion.end <= period.end
        ):
            return (portion.end - portion.start).days, (period.end - period.start).days
        portion, period = _dates_only(self.name, portion, period)
        _inside(portion, period)
        return portion.days, period.days  # pragma: no cover - _inside raised


def _whole_month_day(period: Period) -> tuple[int, int] | None:
    """The month count and anchor day that make ``period`` whole months, if any."""
    start, end = period.start, period.end
    months = (end.year - start.year) * 12 + end.month - start.month
    if months < 1:
        return None
    end_length = days_in_month(end.year, end.month)
    start_length = days_in_month(start.year, start.month)
    for day in (start.day, end.day, 31):
        if min(day, start_length) == start.day and min(day, end_length) == end.day:
            return months, day
    return None


def _months_after(start: date, months: int, day: int) -> date:
    total = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(total, 12)
    return date(year, month0 + 1, min(day, days_in_month(year, month0 + 1)))


@attrs.frozen(slots=True)
class ThirtyDayMonths(_Convention):
    """Count every month of the period as 30 days (a 30/360-style convention).

    The period is cut into months from its start (an anchor on the 29th-31st
    falls on shorter months' last days). Day *i* of each month counts as unit
    *i*, up to 30: the 31st day of a long month counts nothing, and in a month
    shorter than 30 days the last day carries the missing units (the last day
    of February counts 3 units in common years). A period of *n* whole months
    measures ``30 n`` units. A period that is not whole months (a 10-day
    stub) counts its trailing days one unit each, up to 30.
    """

    @property
    def name(self) -> str:
        """The convention's name, as shown in proration breakdowns."""
        return "30-day months"

    def _position(self, day: date, period: Period, shape: tuple[int, int] | None) -> int:
        if shape is not None and day == period.end:
            return 30 * shape[0]
        anchor_day = period.start.day if shape is None else shape[1]
        months = (day.year - period.start.year) * 12 + day.month - period.start.month
        if _months_after(period.start, months, anchor_day) > day:
            months -= 1
        month_start = _months_after(period.start, months, anchor_day)
        return 30 * months + min(30, (day - month_start).days)

    def _units(self, portion: Span, period: Span) -> tuple[int, int]:
        portion, period = _dates_only(self.name, portion, period)
        _inside(portion, period)
        shape = _whole_month_day(period)
        start = self._position(portion.start, period, shape)
        end = self._position(portion.end, period, shape)
        return end - start, self._position(period.end, period, shape)


@attrs.frozen(slots=True)
class FixedDays(_Convention):
    """Divide every period into the same fixed number of days (e.g. 30 or 365).

    The price of one day is the period's price divided by ``days``, whatever
    the period's real length, and the days *left* in a period count at face
    value: ``n`` days remaining are worth ``n / days`` of the price (capped at
    the whole), which is what "daily rate times days remaining" billing
    systems compute for credits, upgrades and first-period stubs.

    To keep a portion plus the rest of its period always equal to the whole,
    the start of the period takes up the difference: in a period longer than
    ``days`` its first days count nothing, and in a shorter one (February
    against 30) its first day carries the missing units, so a whole February
    is worth the whole price.

    With ``pad_short_periods=False`` a shorter period's first day is not
    padded: every day counts one unit, so a whole February is worth 28/30 of
    the price (29/30 in a leap year). That is Zuora's "Assume 30 days -
    Actual / 360" ratio, the actual days over 30 whatever the month. Its
    pieces still add up to its whole, but a whole period shorter than
    ``days`` measures less than 1.

    Args:
        days: the fixed denominator, a whole number of at least 1.
        pad_short_periods: ``True`` (the default) to make a whole period
            shorter than ``days`` measure 1; ``False`` for Zuora's actual
            count over ``days``.

    Raises:
        ValidationError: ``days`` is not a whole number from 1 to
            :data:`~prodlife.limits.MAX_CYCLE_DAYS`, or ``pad_short_periods``
            is not a bool.

    >>> from datetime import date
    >>> from prodlife.periods import Period
    >>> february = Period(date(2020, 2, 1), date(2020, 3, 1))
    >>> FixedDays(30).measure(february, february).fraction
    Fraction(1, 1)
    >>> FixedDays(30, pad_short_periods=False).measure(february, february)
    Measure(used=29, total=30, convention='actual days over 30')
    """

    days: int = attrs.field()
    pad_short_periods: bool = attrs.field(default=True, kw_only=True)

    @days.validator
    def _check(self, attribute: attrs.Attribute[int], value: int) -> None:
        if not is_whole(value, 1):
            raise ValidationError(
                f"a fixed day count of {value!r} days is not possible; use a whole number "
                "of at least 1, such as 30 or 365"
            )
        if value > MAX_CYCLE_DAYS:
            raise ValidationError(
                f"a fixed day count of {value} days is longer than ten years, beyond "
                f"prodlife.limits.MAX_CYCLE_DAYS ({MAX_CYCLE_DAYS}); use one such as 30 or 365"
            )

    @pad_short_periods.validator
    def _check_pad(self, attribute: attrs.Attribute[bool], value: bool) -> None:
        if not isinstance(value, bool):
            raise ValidationError(
                f"pad_short_periods={value!r} must be True (a whole short period measures 1) "
                "or False (its actual days over the fixed days, Zuora's actual/360)"
            )

    @property
    def name(self) -> str:
        """The convention's name, as shown in proration breakdowns."""
        if self.pad_short_periods:
            return f"fixed {self.days} days"
        return f"actual days over {self.days}"

    def _position(self, day: date, period: Period) -> int:
        if day == period.start and self.pad_short_periods:
            return 0
        return self.days - min(self.days, (period.end - day).days)

    def _units(self, portion: Span, period: Span) -> tuple[int, int]:
        portion, period = _dates_only(self.name, portion, period)
        _inside(portion, period)
        used = self._position(portion.end, period) - self._position(portion.start, period)
        return used, self.days


def _months_between(period: Period) -> int:
    """Whole calendar months from ``period``'s start to its end, at least 1."""
    start, end = period.start, period.end
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day and end.day != days_in_month(end.year, end.month):
        months -= 1
    return max(1, months)


@attrs.frozen(slots=True)
class CalendarMonthDays(_Convention):
    """Count every *calendar* month as ``days`` units (Kill Bill's fixed-days proration).

    Kill Bill's ``org.killbill.invoice.proration.fixed.days`` (30): a span
    within one calendar month counts its days; a span across a month's end
    counts its days less the difference between that month's length and
    ``days`` (Jan 23 to Feb 15 counts 23 - 1 = 22, Feb 23 to Mar 15 counts
    20 + 2 = 22). Each day is at position ``days x month + day - 1`` of its
    calendar month, so the 31st counts nothing and the last day of February
    carries the missing units.

    It differs from :data:`THIRTY_DAY_MONTHS`, which counts months from the
    *period's* start: the two agree on a stub that ends a period (a first
    stub), not on one that starts it (a last one). Of the period May 23 to
    Jun 23, May 23 to Jun 15 is 22 units here (Kill Bill's figure) and 23
    there.

    A period counts ``days`` per month of it (``days`` for a monthly period,
    Kill Bill's denominator whatever the cycle), and a whole period always
    measures exactly 1, as Kill Bill bills whole periods unprorated. Portions
    of a period whose end is a clamped billing day (Jan 31 to Feb 28) do not
    add up to that whole: Kill Bill's own arithmetic (see docs/proration.md).

    Args:
        days: the units of every calendar month (30 in Kill Bill's tests).

    Raises:
        ValidationError: ``days`` is not a whole number from 1 to 31.
    """

    days: int = attrs.field(default=30)

    @days.validator
    def _check(self, attribute: attrs.Attribute[int], value: int) -> None:
        if not is_whole(value, 1, 31):
            raise ValidationError(
                f"a calendar month of {value!r} days is not possible; use a whole number from "
                "1 to 31, such as 30"
            )

    @property
    def name(self) -> str:
        """The convention's name, as shown in proration breakdowns."""
        return f"{self.days} days per calendar month"

    def _position(self, day: date) -> int:
        return self.days * (day.year * 12 + day.month - 1) + day.day - 1

    def _units(self, portion: Span, period: Span) -> tuple[int, int]:
        portion, period = _dates_only(self.name, portion, period)
        _inside(portion, period)
        total = self.days * _months_between(period)
        if portion == period:
            return total, total
        used = self._position(portion.end) - self._position(portion.start)
        return min(max(used, 0), total), total


@attrs.frozen(slots=True)
class Seconds(_Convention):
    """Count elapsed seconds between instants (spans of type :class:`~prodlife.periods.Interval`).

    Instants are counted in whole seconds since the Unix epoch (a fraction of
    a second is dropped from each end before counting, consistently, so the
    pieces of an interval still add up). Periods of billing dates count
    86,400 seconds a day: calendar days, so a change of daylight saving time
    never changes a day's weight.
    """

    @property
    def name(self) -> str:
        """The convention's name, as shown in proration breakdowns."""
        return "seconds"

    def _units(self, portion: Span, period: Span) -> tuple[int, int]:
        """Both Intervals or both Periods; an interval under a second is refused."""
        _inside(portion, period)
        if isinstance(portion, Interval) and isinstance(period, Interval):
            total = _epoch_seconds(period.end) - _epoch_seconds(period.start)
            if total == 0:
                raise InvalidPeriod(f"interval {period} is shorter than one second")
            return _epoch_seconds(portion.end) - _epoch_seconds(portion.start), total
        return portion.days * 86400, period.days * 86400  # type: ignore[union-attr]


_EPOCH = datetime(1970, 1, 1).toordinal()


def _epoch_seconds(instant: datetime) -> int:
    days = instant.toordinal() - _EPOCH
    return days * 86400 + instant.hour * 3600 + instant.minute * 60 + instant.second


#: Calendar days (the most common convention).
ACTUAL_DAYS = ActualDays()
#: Every month counts 30 days.
THIRTY_DAY_MONTHS = ThirtyDayMonths()
#: Every calendar month counts 30 days (Kill Bill's ``proration.fixed.days=30``).
CALENDAR_30_DAYS = CalendarMonthDays(30)
#: Elapsed seconds between instants.
SECONDS = Seconds()
