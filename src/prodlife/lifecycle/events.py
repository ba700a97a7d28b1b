"""Domain events: what an operation tells the world once it is committed.

Every lifecycle operation returns, beside the new service, the events the
host should publish (send the welcome e-mail, tell the accountant an invoice
was cancelled...). Events are plain values: the domain never sends anything;
the host's notifier does, after its transaction commits.

>>> from datetime import UTC, datetime
>>> event = Event(EventKind.SUSPENDED, "S-1", "C-1", datetime(2025, 1, 1, tzinfo=UTC),
...               (("kind", "for non-payment"),))
>>> print(event)
2025-01-01T00:00:00+00:00 service S-1 (customer C-1): suspended kind=for non-payment
>>> event.detail("kind")
'for non-payment'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from prodlife._enums import Labelled
from prodlife.clock import as_utc
from prodlife.errors import NotFound

__all__ = ["Event", "EventKind"]


class EventKind(Labelled):
    """What happened to a service."""

    ACTIVATION_SCHEDULED = "activation scheduled"
    ACTIVATION_STARTED = "activation started"
    ACTIVATED = "activated"
    PROVISIONING_FAILED = "provisioning failed"
    NOT_AVAILABLE = "not available"
    SUSPENDED = "suspended"
    UNSUSPENDED = "unsuspended"
    RENEWED = "renewed"
    INVOICED = "invoiced"
    #: An invoice (or credit note) was issued; on the first service it bills, with its
    #: number, total, due date, the services it bills, and whether to e-mail it.
    INVOICE_ISSUED = "invoice issued"
    PACKAGE_CHANGED = "package changed"
    CHANGE_SCHEDULED = "change scheduled"
    OPTIONS_CHANGED = "options changed"
    ADDON_ADDED = "add-on added"
    ADDON_REMOVED = "add-on removed"
    #: A usage service was provided on request (a video on demand), with its product and quantity.
    USAGE_PROVIDED = "usage provided"
    PASSWORD_CHANGED = "password changed"
    REBOOTED = "rebooted"
    CANCELLATION_REQUESTED = "cancellation requested"
    CANCELLATION_WITHDRAWN = "cancellation withdrawn"
    INVOICES_CANCELLED = "unpaid invoices cancelled"
    INVOICES_RESTORED = "cancelled invoices restored"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"
    TRANSFERRED = "transferred"
    DELETED = "deleted"
    UPDATED = "updated"
    #: A grandfathered service moved to the price of a later catalog version at its
    #: renewal (``existing_move_on``), with the version, the old and new prices and the day.
    PRICE_MOVED = "moved to a new price"
    WELCOME_EMAIL_REQUESTED = "welcome e-mail requested"
    OPERATION_PERFORMED = "operation performed"
    """A product-specific operation a host declared was carried out (seed 002)."""


def _details(values: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(key), str(value)) for key, value in values)


@attrs.frozen(slots=True)
class Event:
    """One thing that happened to one service, for the host to publish.

    Args:
        kind: what happened.
        service_id: the service it happened to.
        customer_id: the customer who owns the service (after the event: a
            transfer names the new owner, and the old one in its details).
        at: when (UTC).
        details: ``(name, value)`` pairs, in a stable order.
    """

    kind: EventKind
    service_id: str
    customer_id: str
    at: datetime = attrs.field(converter=as_utc)
    details: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_details)

    def detail(self, name: str) -> str:
        """The value of detail ``name``.

        Raises:
            NotFound: the event has no such detail.
        """
        for key, value in self.details:
            if key == name:
                return value
        raise NotFound("event detail", name, f"{self.kind} carries {[k for k, _ in self.details]}")

    def __str__(self) -> str:
        extra = "".join(f" {key}={value}" for key, value in self.details)
        return (
            f"{self.at.isoformat()} service {self.service_id} (customer {self.customer_id}): "
            f"{self.kind}{extra}"
        )
