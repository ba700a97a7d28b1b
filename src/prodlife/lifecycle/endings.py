"""Ending a service now: cancelled, terminated or deleted, its billing ended under a refund.

:func:`end_service` is the one way a service ends (its add-ons with it):
:func:`terminate` and :func:`delete` here, the cancellation carried out by
:func:`~prodlife.lifecycle.cancellations.cancel`, the scheduler's endings.
The day it ends (by default the billing date of the instant asked, in the
customer's time zone) its timeline ends (:func:`~prodlife.billing.changes.end_billing`)
under the refund asked for; in arrears the days used are billed, and an order
never activated is billed nothing. Asking to cancel later, and withdrawing the
request, is :mod:`prodlife.lifecycle.cancellations`'s.
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from prodlife.billing.changes import end_billing
from prodlife.errors import ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import through_module, today
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status
from prodlife.lifecycle.terms import in_arrears
from prodlife.lifecycle.timelines import billed
from prodlife.lifecycle.transitions import Operation
from prodlife.proration import CreditMode, UsedDay

__all__ = ["delete", "end_service", "terminate"]


def _in_use(service: Service) -> bool:
    """Whether ``service`` is being used: active or suspended (an order never activated is not)."""
    status = service.status
    if status.status is Status.IN_PROGRESS and status.previous is not None:
        status = status.previous
    return status.status in (Status.ACTIVE, Status.SUSPENDED)


def end_service(
    service: Service,
    operation: Operation,
    actor: Actor,
    at: datetime,
    *,
    on: date | None = None,
    refund: CreditMode = CreditMode.NONE,
    used_day: UsedDay = UsedDay.USED,
    module: ProvisioningModule | None = None,
    customer_may_delete: bool = False,
    reason: str = "",
) -> Outcome:
    """Cancel, terminate or delete ``service`` (its add-ons end with it).

    Its timeline ends (:func:`~prodlife.billing.changes.end_billing`): with a
    prorated refund the unused days are credited, with a full refund every
    current period, with none the service stays billed to the end of its
    periods; the add-ons likewise, each on its own period. In arrears the
    days used are billed. An order never activated is billed nothing.

    Args:
        operation: :attr:`Operation.CANCEL`, :attr:`Operation.TERMINATE` or
            :attr:`Operation.DELETE`.
        on: the day it ends; by default the billing date of ``at``.
        refund: none, prorated (the unused part of what was charged) or full.
        used_day: whether the last day counts as used.
        module: runs *terminate* when the status passes through *in progress*.
        customer_may_delete: the product type's deletion rule.

    Refunds are issued only when the module (if any) succeeded.
    """
    if operation not in (Operation.CANCEL, Operation.TERMINATE, Operation.DELETE):
        raise ValidationError(f"{operation} does not end a service; cancel, terminate or delete")
    day = today(service, at) if on is None else on
    success = {
        Operation.CANCEL: EventKind.CANCELLED,
        Operation.TERMINATE: EventKind.TERMINATED,
        Operation.DELETE: EventKind.DELETED,
    }[operation]
    outcome = through_module(
        service,
        operation,
        actor,
        at,
        reason,
        module,
        success,
        customer_may_delete=customer_may_delete,
        termination_date=None if service.ended else day,
    )
    if not outcome.service.ended or service.ended:
        return outcome
    if in_arrears(service):
        refund = CreditMode.PRORATED  # in arrears only what was used is billed
    if not _in_use(service):
        # An order never activated was not used: nothing of it is billed.
        refund, used_day = CreditMode.FULL, UsedDay.UNUSED
    timeline = end_billing(outcome.service.timeline, day, refund=refund, used_day=used_day)
    ended = attrs.evolve(outcome, service=outcome.service._evolved(timeline=timeline))
    return billed(ended, day)


def terminate(
    service: Service,
    actor: Actor,
    at: datetime,
    *,
    refund: CreditMode = CreditMode.NONE,
    used_day: UsedDay = UsedDay.USED,
    module: ProvisioningModule | None = None,
    reason: str = "",
) -> Outcome:
    """Terminate the service now (seed 003's Terminate), refunding per ``refund``."""
    return end_service(
        service,
        Operation.TERMINATE,
        actor,
        at,
        refund=refund,
        used_day=used_day,
        module=module,
        reason=reason,
    )


def delete(
    service: Service,
    actor: Actor,
    at: datetime,
    *,
    customer_may_delete: bool = False,
    module: ProvisioningModule | None = None,
    reason: str = "",
) -> Outcome:
    """Delete the service: hidden from its customer, history kept (seed 002).

    Customers may delete only where the product type allows it
    (``customer_may_delete``); a service that already ended is simply
    marked deleted.
    """
    return end_service(
        service,
        Operation.DELETE,
        actor,
        at,
        module=module,
        customer_may_delete=customer_may_delete,
        reason=reason,
    )
