"""Cancelling a service: at once with a refund, or by a request the scheduler carries out.

A cancellation *request* (seed 003's cancellation request, seed 000's three
choices) is kept on the service; :func:`withdraw_cancellation` takes it back
(seed 000's "reactivate" while the cancellation is pending), restoring the
unpaid invoices the request cancelled (seed 003). The scheduler
(:func:`prodlife.lifecycle.scheduler.run_due`) carries a request out when it
falls due: an immediate one at its next run, an end-of-period one on the next
due date, one after N renewals at the end of the period after the last renewal.

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle.actors import Actor
>>> from prodlife.lifecycle.status import ACTIVE
>>> from prodlife.pricing.recurring import RecurringPrice
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="VPS", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("30.00", "USD")), payment_method="card",
...     start=date(2025, 4, 1), next_due=date(2025, 5, 1), paid_through=date(2025, 4, 30),
...     status=ACTIVE,
... )
>>> asked = request_cancellation(
...     service, Actor.customer("C-1"), datetime(2025, 4, 10, tzinfo=UTC),
...     CancellationKind.END_OF_PERIOD, "moving away", unpaid_invoices=["INV-7"],
... )
>>> [str(kind) for kind in asked.kinds()]
['cancellation requested', 'unpaid invoices cancelled']
>>> back = withdraw_cancellation(asked.service, Actor.customer("C-1"),
...                              datetime(2025, 4, 11, tzinfo=UTC))
>>> back.events[-1].detail("invoices")
'INV-7'
>>> now = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED)
>>> gone = cancel(service, Actor.customer("C-1"), datetime(2025, 4, 21, tzinfo=UTC), policy=now)
>>> gone.service.termination_date, str(gone.total)
(datetime.date(2025, 4, 21), 'USD -9.00')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from prodlife.catalog.cancellation_policies import CancellationPolicy, CancellationTiming
from prodlife.errors import ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.endings import end_service
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.service_parts import CancellationKind, CancellationRequest
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.transitions import Operation
from prodlife.proration import CreditMode

__all__ = ["cancel", "request_cancellation", "withdraw_cancellation"]


def request_cancellation(
    service: Service,
    actor: Actor,
    at: datetime,
    kind: CancellationKind | CancellationTiming,
    reason: str,
    *,
    renewals: int | None = None,
    unpaid_invoices: Iterable[str] = (),
) -> Outcome:
    """Ask for ``service`` to be cancelled; the scheduler carries it out when it falls due.

    Args:
        kind: immediately (at the scheduler's next run), at the end of the
            period, or after ``renewals`` more renewals.
        reason: why (shown to staff).
        renewals: for a cancellation after renewals, how many (at least 1).
        unpaid_invoices: the ids of the service's unpaid invoices, which the
            request cancels (seed 003); the host cancels them on the event.

    Raises:
        RuleViolation: a bad kind, count or invoice id (rule
            ``service.cancellation-request``).
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`
            (one request at a time).
    """
    request = CancellationRequest(kind, reason, at, renewals, tuple(unpaid_invoices))
    done = service.perform(
        Operation.SCHEDULE_CANCELLATION, actor, at, reason, request=request, details=str(kind)
    )
    events: list[Event] = [
        event(done, EventKind.CANCELLATION_REQUESTED, at, (("kind", str(kind)), ("reason", reason)))
    ]
    if request.cancelled_invoices:
        invoices = ",".join(request.cancelled_invoices)
        events.append(event(done, EventKind.INVOICES_CANCELLED, at, (("invoices", invoices),)))
    return Outcome(done, events)


def withdraw_cancellation(
    service: Service, actor: Actor, at: datetime, *, reason: str = ""
) -> Outcome:
    """Take back a pending cancellation request (seed 000's reactivate, seed 003's withdraw).

    The unpaid invoices the request cancelled are restored: the event
    :attr:`EventKind.INVOICES_RESTORED` names them.

    Raises:
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`
            (refused when no cancellation is pending).
    """
    request = service.cancellation
    done = service.perform(Operation.REACTIVATE, actor, at, reason)
    events: list[Event] = [event(done, EventKind.CANCELLATION_WITHDRAWN, at)]
    if request is not None and request.cancelled_invoices:
        invoices = ",".join(request.cancelled_invoices)
        events.append(event(done, EventKind.INVOICES_RESTORED, at, (("invoices", invoices),)))
    return Outcome(done, events)


def cancel(
    service: Service,
    actor: Actor,
    at: datetime,
    *,
    policy: CancellationPolicy | None = None,
    on: date | None = None,
    module: ProvisioningModule | None = None,
    reason: str = "",
) -> Outcome:
    """Cancel ``service`` now, refunding what ``policy`` says (none by default).

    Use the catalog's
    :meth:`~prodlife.catalog.cancellation_policies.CancellationDefaults.for_product` for the
    product's policy. An immediate policy refunds its ``refund`` (none,
    prorated unused part, or full) with its used-day rule; a policy that is not
    immediate refunds nothing (the customer used what was paid).

    Raises:
        ValidationError: ``policy`` is not a :class:`CancellationPolicy`.
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`.
    """
    policy = CancellationPolicy(CancellationTiming.IMMEDIATE) if policy is None else policy
    if not isinstance(policy, CancellationPolicy):
        raise ValidationError(f"policy {policy!r} is not a CancellationPolicy; pass one")
    refund = policy.refund if policy.timing is CancellationTiming.IMMEDIATE else CreditMode.NONE
    return end_service(
        service,
        Operation.CANCEL,
        actor,
        at,
        on=on,
        refund=refund,
        used_day=policy.used_day,
        module=module,
        reason=reason,
    )
