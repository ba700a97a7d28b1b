"""A service's history: every transition, who made it, why and when.

Every successful operation on a service adds one :class:`HistoryEntry` (seed
002's History: "operations performed with a service: activation, suspension,
etc."). A :class:`History` is an immutable, time-ordered, unbroken chain:
each entry starts where the previous one ended, and none is earlier than the
one before. :func:`format_entry` shows an entry in the viewer's time zone and
locale (seed 000: "the timezone displayed reflects the local time of the
current user").

>>> from datetime import datetime, timezone
>>> from prodlife.lifecycle.actors import Actor
>>> from prodlife.lifecycle.status import ACTIVE, ORDERED
>>> from prodlife.lifecycle.transitions import Operation, next_status
>>> at = datetime(2025, 1, 31, 23, 30, tzinfo=timezone.utc)
>>> after = next_status(ORDERED, Operation.ACTIVATE, provisioning=False)
>>> history = History().append(
...     HistoryEntry(at, Actor.staff("ann"), Operation.ACTIVATE, "order accepted", ORDERED, after)
... )
>>> print(format_entry(history.entries[0], "Asia/Tokyo", "en_GB"))
1 Feb 2025, 08:30:00 — staff member 'ann': activate, pending (ordered) → active: order accepted
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo

import attrs

from prodlife._numbers import is_whole
from prodlife.clock import as_utc
from prodlife.errors import RuleViolation, ValidationError
from prodlife.l10n import format_instant
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.status import ServiceStatus
from prodlife.lifecycle.transitions import Operation
from prodlife.limits import MAX_CLOCK_SKEW_SECONDS

__all__ = ["History", "HistoryEntry", "format_entry"]


@attrs.frozen(slots=True)
class HistoryEntry:
    """One transition of a service.

    Args:
        at: when it happened; any aware datetime, kept in UTC.
        actor: who made it.
        operation: what was done.
        reason: why (shown to people; may be empty for routine system work).
        before: the status before.
        after: the status after (equal to ``before`` for operations that keep it).
        details: anything else worth keeping (a module's message, a ticket id).

    Raises:
        InvalidInstant: ``at`` is naive.
        ValidationError: a field has the wrong type.
    """

    at: datetime = attrs.field(converter=as_utc)
    actor: Actor
    operation: Operation
    reason: str
    before: ServiceStatus
    after: ServiceStatus
    details: str = ""

    def __attrs_post_init__(self) -> None:
        for value, kind, name in (
            (self.actor, Actor, "actor"),
            (self.operation, Operation, "operation"),
            (self.reason, str, "reason"),
            (self.before, ServiceStatus, "before"),
            (self.after, ServiceStatus, "after"),
            (self.details, str, "details"),
        ):
            if not isinstance(value, kind):
                raise ValidationError(
                    f"history entry {name} {value!r} is not a {kind.__name__}; pass one"
                )


def _entries(value: object) -> tuple[HistoryEntry, ...]:
    entries = tuple(value) if isinstance(value, (tuple, list)) else value
    if not isinstance(entries, tuple) or not all(isinstance(e, HistoryEntry) for e in entries):
        raise ValidationError(f"history entries must be HistoryEntry values, got {value!r}")
    return entries


#: How far an entry may fall before the last one and still be recorded (at the last one's time).
_SKEW = timedelta(seconds=MAX_CLOCK_SKEW_SECONDS)


def _check_time(last_at: datetime, entry: HistoryEntry) -> None:
    if entry.at < last_at:
        raise RuleViolation(
            "history.order",
            f"cannot add {entry.operation} at {entry.at.isoformat()} after an entry at "
            f"{last_at.isoformat()}; history only moves forward, so record it at or after "
            "the last entry",
        )


def _check_next(last: HistoryEntry, entry: HistoryEntry) -> None:
    _check_time(last.at, entry)
    if entry.before != last.after:
        raise RuleViolation(
            "history.continuity",
            f"cannot add {entry.operation} from {entry.before}: the service was {last.after} "
            "after the last entry; record each transition from the status it left",
        )


def _earlier(value: object) -> int:
    if not is_whole(value, 0):
        raise ValidationError(
            f"the number of earlier history entries must be a whole number >= 0, got {value!r}"
        )
    return value


def _optional_instant(value: object) -> datetime | None:
    return None if value is None else as_utc(value)  # type: ignore[arg-type]


@attrs.frozen(slots=True)
class History:
    """A service's entries in time order; :meth:`append` returns a new history.

    A service read from a store holds only the entries recorded since (the
    store keeps the older ones: ``uow.services.history(service_id)`` reads them
    all), so that a service costs the same to load and save however long its
    life: :attr:`earlier` counts the entries not held, :attr:`earlier_last_at`
    says when the last of them happened (a new entry may not be earlier).

    Args:
        entries: the entries held, oldest first.
        earlier: how many entries came before them (kept elsewhere).
        earlier_last_at: when the last of those happened; required when
            ``earlier`` is not 0.

    Raises:
        RuleViolation: an entry is earlier than the one before it (rule
            ``history.order``), or does not start where it ended (rule
            ``history.continuity``).
        ValidationError: ``earlier`` is not a whole number >= 0, or comes
            without ``earlier_last_at``.

    >>> from datetime import UTC, datetime
    >>> from prodlife.lifecycle.actors import Actor
    >>> from prodlife.lifecycle.status import ACTIVE
    >>> from prodlife.lifecycle.transitions import Operation
    >>> at = datetime(2025, 3, 1, tzinfo=UTC)
    >>> entry = HistoryEntry(at, Actor.system(), Operation.INVOICE, "renewal", ACTIVE, ACTIVE)
    >>> history = History((entry,), earlier=4, earlier_last_at=datetime(2025, 2, 1, tzinfo=UTC))
    >>> history.total, len(history), history.at_rest().total, len(history.at_rest())
    (5, 1, 5, 0)
    """

    entries: tuple[HistoryEntry, ...] = attrs.field(default=(), converter=_entries)
    earlier: int = attrs.field(default=0, converter=_earlier)
    earlier_last_at: datetime | None = attrs.field(default=None, converter=_optional_instant)

    def __attrs_post_init__(self) -> None:
        if self.earlier and self.earlier_last_at is None:
            raise ValidationError(
                f"a history that starts after {self.earlier} earlier entries needs "
                "earlier_last_at, the instant of the last of them"
            )
        if self.entries and self.earlier_last_at is not None:
            _check_time(self.earlier_last_at, self.entries[0])
        for last, entry in zip(self.entries, self.entries[1:], strict=False):
            _check_next(last, entry)

    def append(self, entry: HistoryEntry) -> History:
        """A new history with ``entry`` added at the end.

        An entry at most :data:`~prodlife.limits.MAX_CLOCK_SKEW_SECONDS` before
        the last one (workers whose clocks disagree) is recorded at the last
        one's instant, so that the history stays in time order.

        Raises:
            RuleViolation: ``entry`` is earlier than the last entry by more than
                that, or its ``before`` is not the last entry's ``after``.
        """
        if not isinstance(entry, HistoryEntry):
            raise ValidationError(f"{entry!r} is not a HistoryEntry; build one first")
        last = self.entries[-1].at if self.entries else self.earlier_last_at
        if last is not None and last - _SKEW <= entry.at < last:
            entry = attrs.evolve(entry, at=last)
        if self.entries:
            _check_next(self.entries[-1], entry)
        elif self.earlier_last_at is not None:
            _check_time(self.earlier_last_at, entry)
        return History((*self.entries, entry), self.earlier, self.earlier_last_at)

    @property
    def last(self) -> HistoryEntry | None:
        """The newest entry held, or ``None`` when none is."""
        return self.entries[-1] if self.entries else None

    @property
    def total(self) -> int:
        """How many entries the service has in all: the earlier ones and those held."""
        return self.earlier + len(self.entries)

    def at_rest(self) -> History:
        """The history as a service keeps it at rest: no entry held, all counted."""
        if not self.entries:
            return self
        return History((), self.total, self.entries[-1].at)

    def __len__(self) -> int:
        """How many entries are held (:attr:`total` counts the earlier ones too)."""
        return len(self.entries)

    def __iter__(self) -> Iterator[HistoryEntry]:
        return iter(self.entries)


def format_entry(
    entry: HistoryEntry, zone: str | tzinfo, locale_name: str = "en_US", style: str = "medium"
) -> str:
    """One line for a person: when (in their zone and locale), who, what, from, to, why.

    Raises:
        UnknownTimeZone: ``zone`` is unknown.
        UnknownLocale: the locale is unknown.
    """
    when = format_instant(entry.at, zone, locale_name, style)
    change = str(entry.after) if entry.before == entry.after else f"{entry.before} → {entry.after}"
    line = f"{when} — {entry.actor}: {entry.operation}, {change}"
    if entry.reason:
        line += f": {entry.reason}"
    if entry.details:
        line += f" ({entry.details})"
    return line
