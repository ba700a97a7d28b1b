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
from datetime import datetime, tzinfo

import attrs

from prodlife.clock import as_utc
from prodlife.errors import RuleViolation, ValidationError
from prodlife.l10n import format_instant
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.status import ServiceStatus
from prodlife.lifecycle.transitions import Operation

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


def _check_next(last: HistoryEntry, entry: HistoryEntry) -> None:
    if entry.at < last.at:
        raise RuleViolation(
            "history.order",
            f"cannot add {entry.operation} at {entry.at.isoformat()} after an entry at "
            f"{last.at.isoformat()}; history only moves forward, so record it at or after "
            "the last entry",
        )
    if entry.before != last.after:
        raise RuleViolation(
            "history.continuity",
            f"cannot add {entry.operation} from {entry.before}: the service was {last.after} "
            "after the last entry; record each transition from the status it left",
        )


@attrs.frozen(slots=True)
class History:
    """A service's entries in time order; :meth:`append` returns a new history.

    Args:
        entries: the entries, oldest first.

    Raises:
        RuleViolation: an entry is earlier than the one before it (rule
            ``history.order``), or does not start where it ended (rule
            ``history.continuity``).
    """

    entries: tuple[HistoryEntry, ...] = attrs.field(default=(), converter=_entries)

    def __attrs_post_init__(self) -> None:
        for last, entry in zip(self.entries, self.entries[1:], strict=False):
            _check_next(last, entry)

    def append(self, entry: HistoryEntry) -> History:
        """A new history with ``entry`` added at the end.

        Raises:
            RuleViolation: ``entry`` is earlier than the last entry, or its
                ``before`` is not the last entry's ``after``.
        """
        if not isinstance(entry, HistoryEntry):
            raise ValidationError(f"{entry!r} is not a HistoryEntry; build one first")
        if self.entries:
            _check_next(self.entries[-1], entry)
        return History((*self.entries, entry))

    @property
    def last(self) -> HistoryEntry | None:
        """The newest entry, or ``None`` for an empty history."""
        return self.entries[-1] if self.entries else None

    def __len__(self) -> int:
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
