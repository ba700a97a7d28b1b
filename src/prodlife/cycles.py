# Over 400 lines: BillingCycle and BillingSchedule: a schedule is a cycle anchored on a date
# and both rest on the same month arithmetic (month ends, anchors kept).
"""Billing cycles and the schedules of periods they make from an anchor date.

A :class:`BillingCycle` says how long one period is (one month, a quarter, 14
days); a :class:`BillingSchedule` lays those periods out from an anchor date.
Every boundary is computed from the anchor, never from the previous boundary,
so nothing drifts: an anchor on the 31st falls on the last day of shorter
months and comes back to the 31st afterwards.

>>> from datetime import date
>>> schedule = BillingSchedule(MONTHLY, date(2025, 1, 31))
>>> [str(schedule.period(k)) for k in range(3)]
['[2025-01-31, 2025-02-28)', '[2025-02-28, 2025-03-31)', '[2025-03-31, 2025-04-30)']
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from datetime import date, timedelta
from fractions import Fraction

import attrs

from prodlife._numbers import is_whole
from prodlife.errors import InvalidBillingCycle, InvalidPeriod, ValidationError
from prodlife.limits import MAX_CYCLE_DAYS, MAX_CYCLE_MONTHS, MAX_CYCLE_WEEKS, MAX_YEAR, MIN_YEAR
from prodlife.periods import Period, _require_date

__all__ = [
    "ANNUAL",
    "BIENNIAL",
    "MONTHLY",
    "ONE_TIME",
    "QUARTERLY",
    "SEMI_ANNUAL",
    "TRIENNIAL",
    "BillingCycle",
    "BillingSchedule",
    "CycleUnit",
    "MonthEnd",
    "billing_day",
    "days_in_month",
]

_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """Return how many days ``month`` of ``year`` has (Gregorian calendar).

    >>> days_in_month(2024, 2), days_in_month(2025, 2), days_in_month(2100, 2)
    (29, 28, 28)
    """
    if not is_whole(year):
        raise ValidationError(f"year {year!r} must be a whole number such as 2025")
    if not is_whole(month, 1, 12):
        raise ValidationError(f"month {month!r} does not exist; give a month from 1 to 12")
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month]


def _is_month_end(day: date) -> bool:
    return day.day == days_in_month(day.year, day.month)


def billing_day(start: date, boundary: date) -> int:
    """The day of the month the boundaries of a schedule begun on ``start`` aim for.

    ``boundary`` is one of the schedule's boundaries (a next due date). It
    keeps ``start``'s day when it is that day clamped to a shorter month (a
    service begun on the 31st is due on Feb 28 and again on Mar 31);
    otherwise the schedule was moved to ``boundary``'s own day.

    Raises:
        InvalidPeriod: a date is not a date within the year window.

    >>> billing_day(date(2025, 1, 31), date(2025, 2, 28))
    31
    >>> billing_day(date(2025, 1, 15), date(2025, 3, 1))
    1
    """
    _require_date(start, "start")
    _require_date(boundary, "boundary")
    if boundary.day < start.day and _is_month_end(boundary):
        return start.day
    return boundary.day


def _month_date(year: int, month0: int, day: int) -> date:
    """The ``day`` of the month ``month0`` months after January of ``year``, clamped."""
    extra_years, month_index = divmod(month0, 12)
    year += extra_years
    month = month_index + 1
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod(
            f"a billing date in {year:04d}-{month:02d} is outside the years {MIN_YEAR}-{MAX_YEAR} "
            "that billing dates may fall in (prodlife.limits.MIN_YEAR, MAX_YEAR); use a nearer "
            "anchor or fewer periods"
        )
    return date(year, month, min(day, days_in_month(year, month)))


class CycleUnit(enum.Enum):
    """The unit a billing cycle counts in."""

    ONE_TIME = "one-time"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


_NAMES = {
    (CycleUnit.ONE_TIME, 1): "one-time",
    (CycleUnit.DAY, 1): "daily",
    (CycleUnit.WEEK, 1): "weekly",
    (CycleUnit.MONTH, 1): "monthly",
    (CycleUnit.MONTH, 3): "quarterly",
    (CycleUnit.MONTH, 6): "semi-annual",
    (CycleUnit.MONTH, 12): "annual",
    (CycleUnit.MONTH, 24): "biennial",
    (CycleUnit.MONTH, 36): "triennial",
}

_SYNONYMS = {
    "one-time": (CycleUnit.ONE_TIME, 1),
    "onetime": (CycleUnit.ONE_TIME, 1),
    "once": (CycleUnit.ONE_TIME, 1),
    "free": (CycleUnit.ONE_TIME, 1),
    "daily": (CycleUnit.DAY, 1),
    "weekly": (CycleUnit.WEEK, 1),
    "monthly": (CycleUnit.MONTH, 1),
    "quarterly": (CycleUnit.MONTH, 3),
    "semi-annual": (CycleUnit.MONTH, 6),
    "semiannual": (CycleUnit.MONTH, 6),
    "semi-annually": (CycleUnit.MONTH, 6),
    "semiannually": (CycleUnit.MONTH, 6),
    "annual": (CycleUnit.MONTH, 12),
    "annually": (CycleUnit.MONTH, 12),
    "yearly": (CycleUnit.MONTH, 12),
    "biennial": (CycleUnit.MONTH, 24),
    "biennially": (CycleUnit.MONTH, 24),
    "triennial": (CycleUnit.MONTH, 36),
    "triennially": (CycleUnit.MONTH, 36),
}

_COUNTED = re.compile(r"^(?:every\s+)?(\d+)\s*(day|week|month|year)s?$")
_ISO = re.compile(r"^p(\d+)([dwmy])$")
_ISO_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}

#: Digits of a count that parse() reads; longer ones are beyond every cycle limit.
_COUNT_DIGITS = 8

#: A month's average length in the Gregorian calendar (365.2425 / 12 days).
_MONTH_LENGTH = Fraction(146097, 4800)


def _unit(value: CycleUnit | str) -> CycleUnit:
    try:
        return CycleUnit(value)
    except ValueError:
        units = ", ".join(repr(u.value) for u in CycleUnit)
        raise InvalidBillingCycle(
            f"unknown billing cycle unit {value!r}; use a CycleUnit or one of {units}"
        ) from None


#: The longest cycle of each unit, and the name of its limit.
_LONGEST = {
    CycleUnit.ONE_TIME: (1, ""),
    CycleUnit.DAY: (MAX_CYCLE_DAYS, "MAX_CYCLE_DAYS"),
    CycleUnit.WEEK: (MAX_CYCLE_WEEKS, "MAX_CYCLE_WEEKS"),
    CycleUnit.MONTH: (MAX_CYCLE_MONTHS, "MAX_CYCLE_MONTHS"),
}


def _check_count(instance: BillingCycle, attribute: attrs.Attribute[int], count: int) -> None:
    if not is_whole(count, 1):
        raise InvalidBillingCycle(
            f"a billing cycle counts {count!r} {instance.unit.value}s; the count must be a "
            "whole number of at least 1"
        )
    longest, limit = _LONGEST[instance.unit]
    if count > longest and limit:
        raise InvalidBillingCycle(
            f"a billing cycle of {count} {instance.unit.value}s is longer than ten years, "
            f"beyond prodlife.limits.{limit} ({longest}); give at most {longest}"
        )
    if instance.unit is CycleUnit.ONE_TIME and count != 1:
        raise InvalidBillingCycle(
            f"a one-time cycle cannot repeat {count} times; use BillingCycle.one_time()"
        )


@attrs.frozen(slots=True, repr=False)
class BillingCycle:
    """How often a recurring price is charged: once, or every N days, weeks or months.

    Use the named cycles (:data:`MONTHLY`, :data:`QUARTERLY`, :data:`ANNUAL`...)
    or the constructors :meth:`days`, :meth:`weeks`, :meth:`months`, or
    :meth:`parse` a name.

    Args:
        unit: what the cycle counts.
        count: how many units one period lasts (1 for a one-time cycle).

    Raises:
        InvalidBillingCycle: the count is not a whole number of at least 1, or
            the cycle is longer than ten years (:data:`~prodlife.limits.MAX_CYCLE_DAYS`,
            :data:`~prodlife.limits.MAX_CYCLE_WEEKS`, :data:`~prodlife.limits.MAX_CYCLE_MONTHS`).

    >>> BillingCycle.months(3) == QUARTERLY
    True
    >>> str(BillingCycle.parse("every 2 weeks"))
    'every 2 weeks'
    """

    unit: CycleUnit = attrs.field(converter=_unit)
    count: int = attrs.field(default=1, validator=_check_count)

    @classmethod
    def one_time(cls) -> BillingCycle:
        """A price charged once, with no recurring periods."""
        return cls(CycleUnit.ONE_TIME, 1)

    @classmethod
    def days(cls, count: int) -> BillingCycle:
        """A cycle of ``count`` days."""
        return cls(CycleUnit.DAY, count)

    @classmethod
    def weeks(cls, count: int) -> BillingCycle:
        """A cycle of ``count`` weeks."""
        return cls(CycleUnit.WEEK, count)

    @classmethod
    def months(cls, count: int) -> BillingCycle:
        """A cycle of ``count`` calendar months (12 for annual)."""
        return cls(CycleUnit.MONTH, count)

    @classmethod
    def parse(cls, text: str) -> BillingCycle:
        """Read a cycle from a name, a count or an ISO 8601 duration.

        Accepts names and their usual spellings (``monthly``, ``quarterly``,
        ``semiannually``, ``annually``, ``yearly``, ``biennially``,
        ``triennially``, ``one-time``), counts (``"10 days"``,
        ``"every 2 weeks"``, ``"18 months"``, ``"2 years"``) and durations of
        one unit (``"P1M"``, ``"P2W"``, ``"P1Y"``).

        Raises:
            InvalidBillingCycle: the text names no cycle.
        """
        if not isinstance(text, str):
            raise InvalidBillingCycle(f"billing cycle {text!r} must be text such as 'monthly'")
        key = " ".join(text.strip().lower().replace("_", "-").split())
        if key in _SYNONYMS:
            return cls(*_SYNONYMS[key])
        match = _COUNTED.match(key) or _ISO.match(key.replace(" ", ""))
        if match:
            digits, unit = match.group(1), _ISO_UNITS.get(match.group(2), match.group(2))
            if len(digits) > _COUNT_DIGITS:  # int() of thousands of digits is slow, or refused
                raise InvalidBillingCycle(
                    f"billing cycle {text[:40]!r} counts {len(digits)} digits of {unit}s, "
                    "longer than ten years (prodlife.limits.MAX_CYCLE_DAYS, MAX_CYCLE_WEEKS, "
                    "MAX_CYCLE_MONTHS); give a shorter cycle"
                )
            count = int(digits)
            if unit == "year":
                unit, count = "month", count * 12
            return cls(CycleUnit(unit), count)
        raise InvalidBillingCycle(
            f"unknown billing cycle {text!r}; use a name such as 'monthly', 'quarterly' or "
            "'annually', a count such as '2 weeks', or an ISO duration such as 'P3M'"
        )

    @property
    def is_recurring(self) -> bool:
        """Whether the cycle repeats (every cycle but one-time)."""
        return self.unit is not CycleUnit.ONE_TIME

    @property
    def nominal_days(self) -> Fraction:
        """The cycle's average length in days, for ordering cycles by length.

        Months count 365.2425 / 12 days; a one-time cycle counts 0.

        >>> sorted([ANNUAL, MONTHLY, BillingCycle.weeks(2)], key=lambda c: c.nominal_days)
        [BillingCycle.weeks(2), MONTHLY, ANNUAL]
        """
        if self.unit is CycleUnit.MONTH:
            return self.count * _MONTH_LENGTH
        if self.unit is CycleUnit.WEEK:
            return Fraction(7 * self.count)
        if self.unit is CycleUnit.DAY:
            return Fraction(self.count)
        return Fraction(0)

    def _require_recurring(self) -> None:
        if not self.is_recurring:
            raise InvalidBillingCycle(
                "a one-time cycle has no recurring periods; use a recurring cycle such as "
                "MONTHLY to lay out periods"
            )

    def shift(self, anchor: date, periods: int, anchor_day: int | None = None) -> date:
        """Return the date ``periods`` cycles after (or before) ``anchor``.

        Month-based cycles aim for ``anchor_day`` (``anchor.day`` unless given)
        and fall on the last day of months too short for it.

        Raises:
            InvalidBillingCycle: the cycle is one-time.
            InvalidPeriod: the date would fall outside the years
                :data:`~prodlife.limits.MIN_YEAR` to :data:`~prodlife.limits.MAX_YEAR`.

        >>> MONTHLY.shift(date(2024, 1, 31), 1), MONTHLY.shift(date(2024, 1, 31), 2)
        (datetime.date(2024, 2, 29), datetime.date(2024, 3, 31))
        """
        self._require_recurring()
        _require_date(anchor, "anchor")
        if not is_whole(periods):
            raise InvalidBillingCycle(f"periods {periods!r} must be a whole number")
        if anchor_day is not None:
            _valid_day(anchor_day)
        if self.unit is CycleUnit.MONTH:
            day = anchor.day if anchor_day is None else anchor_day
            return _month_date(anchor.year, anchor.month - 1 + periods * self.count, day)
        step = self.count * (7 if self.unit is CycleUnit.WEEK else 1)
        try:
            moved = anchor + timedelta(days=periods * step)
        except OverflowError:
            moved = None
        if moved is None or not MIN_YEAR <= moved.year <= MAX_YEAR:
            raise InvalidPeriod(
                f"{periods} periods of {self} from {anchor} fall outside the years "
                f"{MIN_YEAR}-{MAX_YEAR} that billing dates may fall in (prodlife.limits.MIN_YEAR, "
                "MAX_YEAR); use a nearer anchor or fewer periods"
            )
        return moved

    def __str__(self) -> str:
        name = _NAMES.get((self.unit, self.count))
        if name is not None:
            return name
        return f"every {self.count} {self.unit.value}s"

    def __repr__(self) -> str:
        for constant, value in _CONSTANTS.items():
            if value == self:
                return constant
        return f"BillingCycle.{self.unit.value}s({self.count})"


#: Charged once, with no recurring periods.
ONE_TIME = BillingCycle(CycleUnit.ONE_TIME)
#: Every month.
MONTHLY = BillingCycle(CycleUnit.MONTH, 1)
#: Every 3 months.
QUARTERLY = BillingCycle(CycleUnit.MONTH, 3)
#: Every 6 months.
SEMI_ANNUAL = BillingCycle(CycleUnit.MONTH, 6)
#: Every 12 months.
ANNUAL = BillingCycle(CycleUnit.MONTH, 12)
#: Every 24 months.
BIENNIAL = BillingCycle(CycleUnit.MONTH, 24)
#: Every 36 months.
TRIENNIAL = BillingCycle(CycleUnit.MONTH, 36)

_CONSTANTS = {
    "ONE_TIME": ONE_TIME,
    "MONTHLY": MONTHLY,
    "QUARTERLY": QUARTERLY,
    "SEMI_ANNUAL": SEMI_ANNUAL,
    "ANNUAL": ANNUAL,
    "BIENNIAL": BIENNIAL,
    "TRIENNIAL": TRIENNIAL,
}


class MonthEnd(enum.Enum):
    """What a month-based schedule does with an anchor on a month's last day.

    ``CLAMP`` (the default) keeps the anchor's day number: an anchor on Apr 30
    gives May 30. ``STICKY`` keeps month ends on month ends: Apr 30 gives
    May 31, then Jun 30.
    """

    CLAMP = "clamp"
    STICKY = "sticky"


def _valid_day(day: object) -> None:
    if not is_whole(day, 1, 31):
        raise InvalidBillingCycle(f"day of month {day!r} must be a whole number from 1 to 31")


def _check_day(instance: object, attribute: attrs.Attribute[int | None], day: int | None) -> None:
    if day is not None:
        _valid_day(day)


def _month_end(value: MonthEnd | str) -> MonthEnd:
    try:
        return MonthEnd(value)
    except ValueError:
        raise InvalidBillingCycle(
            f"unknown month-end policy {value!r}; use MonthEnd.CLAMP or MonthEnd.STICKY"
        ) from None


@attrs.frozen(slots=True)
class BillingSchedule:
    """The periods of a recurring cycle, laid out from an anchor date.

    Period ``k`` is ``[boundary(k), boundary(k + 1))``; period 0 starts on the
    anchor, and negative ``k`` counts backwards from it.

    Args:
        cycle: a recurring billing cycle.
        anchor: the first boundary (period 0 starts here).
        anchor_day: for month-based cycles, the day of the month boundaries
            aim for, when it differs from ``anchor.day`` because the anchor is
            already clamped (an anchor day of 31 starting on Feb 28). The
            anchor must be that day clamped to the anchor's month.
        month_end: what an anchor on a month's last day does (see
            :class:`MonthEnd`).

    Raises:
        InvalidBillingCycle: the cycle is one-time, or ``anchor_day`` does not
            clamp to the anchor.

    >>> leap = BillingSchedule(ANNUAL, date(2024, 2, 29))
    >>> [leap.boundary(k) for k in range(1, 5)][::3]
    [datetime.date(2025, 2, 28), datetime.date(2028, 2, 29)]
    >>> sticky = BillingSchedule(MONTHLY, date(2025, 4, 30), month_end=MonthEnd.STICKY)
    >>> sticky.boundary(1)
    datetime.date(2025, 5, 31)
    """

    cycle: BillingCycle
    anchor: date
    anchor_day: int | None = attrs.field(default=None, validator=_check_day)
    month_end: MonthEnd = attrs.field(default=MonthEnd.CLAMP, converter=_month_end)
    _day: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.cycle, BillingCycle):
            raise InvalidBillingCycle(
                f"cycle {self.cycle!r} must be a BillingCycle; BillingCycle.parse() reads a name"
            )
        self.cycle._require_recurring()
        _require_date(self.anchor, "anchor")
        day = self.anchor.day if self.anchor_day is None else self.anchor_day
        if min(day, days_in_month(self.anchor.year, self.anchor.month)) != self.anchor.day:
            raise InvalidBillingCycle(
                f"anchor day {day} does not fall on the anchor {self.anchor}; pass the anchor "
                f"as day {day} of its month (or that month's last day when it is shorter)"
            )
        if self.month_end is MonthEnd.STICKY and _is_month_end(self.anchor):
            day = 31
        object.__setattr__(self, "_day", day)

    def boundary(self, index: int) -> date:
        """The first date of period ``index``."""
        return self.cycle.shift(self.anchor, index, self._day)

    def period(self, index: int) -> Period:
        """Period ``index``: ``[boundary(index), boundary(index + 1))``."""
        return Period(self.boundary(index), self.boundary(index + 1))

    def index_of(self, day: date) -> int:
        """The index of the period that contains ``day`` (negative before the anchor)."""
        _require_date(day, "date")
        cycle = self.cycle
        if cycle.unit is CycleUnit.MONTH:
            months = (day.year - self.anchor.year) * 12 + day.month - self.anchor.month
            index = months // cycle.count
        else:
            step = cycle.count * (7 if cycle.unit is CycleUnit.WEEK else 1)
            return (day - self.anchor).days // step
        while self.boundary(index) > day:
            index -= 1
        while self.boundary(index + 1) <= day:
            index += 1
        return index

    def period_containing(self, day: date) -> Period:
        """The period that contains ``day``.

        >>> BillingSchedule(MONTHLY, date(2025, 1, 31)).period_containing(date(2025, 3, 15))
        Period(2025-02-28, 2025-03-31)
        """
        return self.period(self.index_of(day))

    def next_boundary(self, day: date) -> date:
        """The first boundary strictly after ``day``."""
        return self.boundary(self.index_of(day) + 1)

    def periods(self, start: int = 0) -> Iterator[Period]:
        """Yield the periods from index ``start`` onwards, without end."""
        index = start
        low = self.boundary(index)
        while True:
            high = self.boundary(index + 1)
            yield Period(low, high)
            low, index = high, index + 1

    def periods_between(self, span: Period) -> list[Period]:
        """The periods that overlap ``span``, in order, uncut."""
        first = self.index_of(span.start)
        last = self.index_of(span.last_day)
        return [self.period(index) for index in range(first, last + 1)]
