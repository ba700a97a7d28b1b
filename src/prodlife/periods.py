"""Spans of time: :class:`Period` of billing dates and :class:`Interval` of instants.

Both are half-open: a period ``[start, end)`` includes its start and excludes
its end, so consecutive periods share a boundary and never overlap, and a
period's length is simply ``end - start``.

>>> from datetime import date
>>> january = Period(date(2025, 1, 1), date(2025, 2, 1))
>>> january.days
31
>>> date(2025, 2, 1) in january
False
>>> january.split(date(2025, 1, 11))
(Period(2025-01-01, 2025-01-11), Period(2025-01-11, 2025-02-01))

Billing dates are calendar dates in the customer's time zone;
:func:`billing_date` turns an instant into one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from prodlife._fast import builder
from prodlife.clock import as_utc
from prodlife.errors import InvalidInstant, InvalidPeriod, ValidationError
from prodlife.limits import MAX_YEAR, MIN_YEAR

__all__ = ["Interval", "Period", "UnknownTimeZone", "billing_date", "time_zone"]


class UnknownTimeZone(ValidationError):
    """A time zone name is not in the IANA time zone database."""

    def __init__(self, name: object) -> None:
        self.name = name
        super().__init__(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Paris' or 'UTC'"
        )


def time_zone(zone: str | tzinfo) -> tzinfo:
    """Return ``zone`` as a ``tzinfo``, looking names up in the IANA database.

    Raises:
        UnknownTimeZone: the name is not a known zone.
    """
    if isinstance(zone, tzinfo):
        return zone
    if not isinstance(zone, str):
        raise UnknownTimeZone(zone)
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise UnknownTimeZone(zone) from None


def billing_date(instant: datetime, zone: str | tzinfo) -> date:
    """Return the calendar date ``instant`` falls on in the customer's time zone.

    Args:
        instant: an aware datetime.
        zone: the customer's zone, as an IANA name or a ``tzinfo``.

    Raises:
        InvalidInstant: ``instant`` is naive, or its date is outside the years
            :data:`~prodlife.limits.MIN_YEAR` to :data:`~prodlife.limits.MAX_YEAR`.
        UnknownTimeZone: ``zone`` is not a known zone.

    >>> from datetime import timezone
    >>> late = datetime(2025, 1, 31, 23, 30, tzinfo=timezone.utc)
    >>> billing_date(late, "Asia/Tokyo")
    datetime.date(2025, 2, 1)
    >>> billing_date(datetime(9999, 12, 31, 23, 0, tzinfo=timezone.utc), "Asia/Tokyo")
    Traceback (most recent call last):
    ...
    prodlife.errors.InvalidInstant: instant 9999-12-31T23:00:00+00:00 is outside the years
    1900-2999 that billing dates may fall in (prodlife.limits.MIN_YEAR, MAX_YEAR); check where
    it comes from
    """
    moment = as_utc(instant)
    where = time_zone(zone)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise InvalidInstant(instant, _outside_years(f"instant {moment.isoformat()}"))
    day = moment.astimezone(where).date()
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidInstant(instant, _outside_years(f"instant {moment.isoformat()}"))
    return day


def _outside_years(what: str) -> str:
    return (
        f"{what} is outside the years {MIN_YEAR}-{MAX_YEAR} that billing dates may fall in "
        "(prodlife.limits.MIN_YEAR, MAX_YEAR); check where it comes from"
    )


def _require_date(value: object, name: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidPeriod(
            f"period {name} {value!r} must be a datetime.date (a billing date), "
            "not a datetime or other type; use billing_date() to turn an instant into a date"
        )
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidPeriod(_outside_years(f"{name} {value}"))


def _require_period(value: object) -> None:
    if not isinstance(value, Period):
        raise InvalidPeriod(f"{value!r} is not a Period; build one with Period(start, end)")


@attrs.frozen(slots=True, repr=False)
class Period:
    """A half-open span of billing dates ``[start, end)``.

    Args:
        start: the first date in the period.
        end: the first date after the period; must be later than ``start``.

    Raises:
        InvalidPeriod: the bounds are not dates, or ``end`` is not after ``start``,
            or a bound is outside the years :data:`~prodlife.limits.MIN_YEAR` to
            :data:`~prodlife.limits.MAX_YEAR`.
    """

    start: date
    end: date

    def __attrs_post_init__(self) -> None:
        _require_date(self.start, "start")
        _require_date(self.end, "end")
        if self.end <= self.start:
            raise InvalidPeriod(
                f"period [{self.start}, {self.end}) is empty or reversed; its end must be "
                "after its start (the end date is excluded: a one-day period on Jan 1 "
                "is [Jan 1, Jan 2))"
            )

    @property
    def days(self) -> int:
        """The number of dates in the period."""
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The last date inside the period (the day before ``end``)."""
        return self.end - timedelta(days=1)

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime) or not isinstance(day, date):
            return False
        return self.start <= day < self.end

    def contains(self, other: date | Period) -> bool:
        """Whether a date, or a whole other period, lies inside this period."""
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        return other in self

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share at least one date.

        Raises:
            InvalidPeriod: ``other`` is not a Period.
        """
        _require_period(other)
        return self.start < other.end and other.start < self.end

    def intersection(self, other: Period) -> Period | None:
        """The dates both periods share, or ``None`` when they share none.

        >>> a = Period(date(2025, 1, 1), date(2025, 1, 20))
        >>> a.intersection(Period(date(2025, 1, 10), date(2025, 3, 1)))
        Period(2025-01-10, 2025-01-20)
        """
        _require_period(other)
        start = max(self.start, other.start)
        end = min(self.end, other.end)
        return Period(start, end) if start < end else None

    def split(self, at: date) -> tuple[Period, Period]:
        """Cut the period in two at ``at``: ``[start, at)`` and ``[at, end)``.

        Raises:
            InvalidPeriod: ``at`` is not strictly inside the period, so one
                side would be empty.
        """
        _require_date(at, "split date")
        if not self.start < at < self.end:
            raise InvalidPeriod(
                f"cannot split {self} at {at}: the date must be after the start and before "
                "the end, or one side would be empty"
            )
        return Period(self.start, at), Period(at, self.end)

    def __str__(self) -> str:
        return f"[{self.start}, {self.end})"

    def __repr__(self) -> str:
        return f"Period({self.start}, {self.end})"


#: Build a Period from bounds already known to be dates in order (no checks).
_period: Callable[[date, date], Period] = builder(Period, "start", "end")


@attrs.frozen(slots=True, repr=False)
class Interval:
    """A half-open span of instants ``[start, end)``, kept in UTC.

    Use it where a change happens at a moment rather than on a date, with the
    :data:`~prodlife.daycount.SECONDS` convention.

    Args:
        start: an aware datetime (converted to UTC).
        end: an aware datetime after ``start``.

    Raises:
        InvalidInstant: a bound is naive.
        InvalidPeriod: ``end`` is not after ``start``, or a bound is outside the
            years :data:`~prodlife.limits.MIN_YEAR` to :data:`~prodlife.limits.MAX_YEAR`.
    """

    start: datetime = attrs.field(converter=as_utc)
    end: datetime = attrs.field(converter=as_utc)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidPeriod(
                f"interval [{self.start.isoformat()}, {self.end.isoformat()}) is empty or "
                "reversed; its end must be after its start"
            )
        for point in (self.start, self.end):
            if not MIN_YEAR <= point.year <= MAX_YEAR:
                raise InvalidPeriod(_outside_years(f"interval bound {point.isoformat()}"))

    @property
    def duration(self) -> timedelta:
        """How long the interval lasts."""
        return self.end - self.start

    def __contains__(self, instant: object) -> bool:
        if not isinstance(instant, datetime) or instant.utcoffset() is None:
            return False
        return self.start <= instant < self.end

    def contains(self, other: datetime | Interval) -> bool:
        """Whether an instant, or a whole other interval, lies inside this one."""
        if isinstance(other, Interval):
            return self.start <= other.start and other.end <= self.end
        return other in self

    def split(self, at: datetime) -> tuple[Interval, Interval]:
        """Cut the interval in two at the instant ``at``.

        Raises:
            InvalidPeriod: ``at`` is not strictly inside the interval.
        """
        point = as_utc(at)
        if not self.start < point < self.end:
            raise InvalidPeriod(
                f"cannot split {self} at {point.isoformat()}: the instant must be strictly "
                "inside the interval"
            )
        return Interval(self.start, point), Interval(point, self.end)

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"

    def __repr__(self) -> str:
        return f"Interval({self.start.isoformat()}, {self.end.isoformat()})"
