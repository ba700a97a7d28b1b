"""What a lifecycle operation returns: the new service, its events and its invoice lines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from prodlife._tables import Row, html_table
from prodlife.billing.lines import InvoiceLine, lines_as_rows, lines_total
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

    def summary(self) -> str:
        """One line: the service, its status, the events and the lines' count and total."""
        count = len(self.lines)
        money = "" if self.total is None else f", total {self.total}"
        kinds = ", ".join(str(kind) for kind in self.kinds()) or "no events"
        return (
            f"{self.service.id} {self.service.status}: {kinds}; "
            f"{count} line{'' if count == 1 else 's'}{money}"
        )

    def __str__(self) -> str:
        """The service and what happened, then each line with its working, one per line."""
        return "\n".join([self.summary(), *(f"  {line}" for line in self.lines)])

    def __repr__(self) -> str:
        return f"<Outcome {self.summary()}>"

    def as_rows(self) -> list[Row]:
        """Its invoice lines as rows (see :meth:`InvoiceLine.as_row
        <prodlife.billing.InvoiceLine.as_row>`), for ``pandas.DataFrame``."""
        return lines_as_rows(self.lines)

    def _repr_html_(self) -> str:
        return html_table(self.as_rows(), caption=self.summary())


def event(
    service: Service, kind: EventKind, at: datetime, details: Iterable[tuple[str, str]] = ()
) -> Event:
    """An event about ``service`` (its current owner) at ``at``."""
    return Event(kind, service.id, service.customer_id, at, tuple(details))
