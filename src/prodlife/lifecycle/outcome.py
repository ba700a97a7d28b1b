"""What a lifecycle operation returns: the new service, its events and its invoice lines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from prodlife.billing.lines import InvoiceLine, lines_total
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.services import Service
from prodlife.money import Money

__all__ = ["Outcome", "event"]


def _events(values: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(values)


def _lines(values: Iterable[InvoiceLine]) -> tuple[InvoiceLine, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class Outcome:
    """The result of one operation on one service.

    Args:
        service: the service after the operation (the input is unchanged).
        events: what the host should publish once it has saved the service.
        lines: the invoice lines the operation issues (credits negative).
    """

    service: Service
    events: tuple[Event, ...] = attrs.field(default=(), converter=_events)
    lines: tuple[InvoiceLine, ...] = attrs.field(default=(), converter=_lines)

    @property
    def total(self) -> Money | None:
        """What the lines add up to (``None`` when no money moves)."""
        return lines_total(self.lines)

    def then(self, other: Outcome) -> Outcome:
        """This outcome followed by ``other`` (an operation on :attr:`service`)."""
        return Outcome(other.service, self.events + other.events, self.lines + other.lines)

    def kinds(self) -> tuple[EventKind, ...]:
        """The kinds of its events, in order."""
        return tuple(e.kind for e in self.events)


def event(
    service: Service, kind: EventKind, at: datetime, details: Iterable[tuple[str, str]] = ()
) -> Event:
    """An event about ``service`` (its current owner) at ``at``."""
    return Event(kind, service.id, service.customer_id, at, tuple(details))
