"""Where "now" comes from.

Domain code never reads the system time: it receives instants, or a
:class:`Clock` that a host injects. Production code passes a
:class:`SystemClock`; tests and simulations pass a :class:`FixedClock` and move
it by hand.

>>> from datetime import datetime, timedelta, timezone
>>> clock = FixedClock(datetime(2025, 1, 31, 23, 0, tzinfo=timezone.utc))
>>> clock.advance(timedelta(hours=2))
>>> clock.now()
datetime.datetime(2025, 2, 1, 1, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from prodlife.errors import InvalidInstant, ValidationError
from prodlife.limits import MAX_YEAR, MIN_YEAR

__all__ = ["Clock", "FixedClock", "SystemClock", "as_utc"]


def as_utc(instant: datetime) -> datetime:
    """Return ``instant`` converted to UTC, refusing naive datetimes.

    Args:
        instant: a timezone-aware datetime in any zone.

    Returns:
        The same instant with ``tzinfo=UTC``.

    Raises:
        InvalidInstant: ``instant`` is not a datetime, is naive, or cannot be
            expressed in UTC (a time zone ahead of UTC on 0001-01-01, behind it
            on 9999-12-31).

    >>> from zoneinfo import ZoneInfo
    >>> as_utc(datetime(2025, 3, 30, 3, 0, tzinfo=ZoneInfo("Europe/Paris")))
    datetime.datetime(2025, 3, 30, 1, 0, tzinfo=datetime.timezone.utc)
    """
    if not isinstance(instant, datetime) or instant.utcoffset() is None:
        raise InvalidInstant(instant)
    if instant.tzinfo is UTC:
        return instant
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        raise InvalidInstant(
            instant,
            f"instant {instant.isoformat()} falls outside the years 1-9999 in UTC; billing "
            f"dates lie in the years {MIN_YEAR}-{MAX_YEAR} (prodlife.limits.MIN_YEAR, MAX_YEAR)",
        ) from None


@runtime_checkable
class Clock(Protocol):
    """Anything that can tell the current instant.

    Implementations return a timezone-aware datetime in UTC. A host may pass
    its own (for example one driven by a message queue's timestamps).
    """

    def now(self) -> datetime:
        """Return the current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock: the only place prodlife reads the system time."""

    __slots__ = ()

    def now(self) -> datetime:
        """Return the system's current time in UTC."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until told to move; for tests and simulations.

    Args:
        start: the instant the clock shows; any aware datetime (stored in UTC).

    Raises:
        InvalidInstant: ``start`` is naive.
    """

    __slots__ = ("_now",)

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        """Return the instant the clock was set to."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Move the clock to ``instant`` (forwards or backwards).

        Raises:
            InvalidInstant: ``instant`` is naive.
        """
        self._now = as_utc(instant)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``.

        Raises:
            ValidationError: ``delta`` is not a non-negative timedelta
                (a clock moved backwards must be ``set``, on purpose), or it
                would move the clock past :data:`~prodlife.limits.MAX_YEAR`.
        """
        if not isinstance(delta, timedelta) or delta < timedelta(0):
            raise ValidationError(
                f"cannot advance a clock by {delta!r}; pass a non-negative timedelta, "
                "or call set() to move the clock backwards on purpose"
            )
        try:
            moved = self._now + delta
        except OverflowError:
            moved = None
        if moved is None or moved.year > MAX_YEAR:
            raise ValidationError(
                f"cannot advance a clock at {self._now.isoformat()} by {delta}: it would pass "
                f"the year {MAX_YEAR} (prodlife.limits.MAX_YEAR); advance it by less"
            )
        self._now = moved

    def __repr__(self) -> str:
        return f"FixedClock({self._now!r})"
