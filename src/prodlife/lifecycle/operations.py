"""The lifecycle operations: each takes a service and returns an :class:`Outcome`.

Every operation checks who asks and what the status allows through
:meth:`Service.perform` *before* anything else happens, so a refusal changes
nothing. Operations a provisioning module carries out (activate, suspend,
unsuspend, reboot, cancel, terminate, delete) take an optional ``module``:
with one, the service passes through *in progress* and the module's answer is
recorded (a failure puts it back where it was, ready to retry; no resources on
activation makes it *not available*); without one, the operation completes at
once (:func:`through_module`). Operations change the service's status and its
timeline (what the customer is entitled to, and when); its invoice lines come
from the billing engine (:func:`~prodlife.lifecycle.timelines.billed`).

Here: what every operation shares (:func:`check_actor`, :func:`today`,
:func:`through_module`), the changes of status (activate, suspend, unsuspend,
reboot), the password, a transfer to another customer (and the changes of
customer a history records, :func:`transfers_of`) and the welcome e-mail.
Elsewhere: the next period's invoice and its payment in
:mod:`prodlife.lifecycle.renewals`, ending a service in
:mod:`prodlife.lifecycle.endings`, cancellation requests in
:mod:`prodlife.lifecycle.cancellations`, changes of package in
:mod:`prodlife.lifecycle.package_changes` (decided by
:mod:`prodlife.lifecycle.change_requests`), of options in
:mod:`prodlife.lifecycle.option_changes` and of add-ons in
:mod:`prodlife.lifecycle.addon_changes`.

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle.actors import Actor
>>> from prodlife.pricing.recurring import RecurringPrice
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="VPS", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 1, 1), next_due=date(2025, 2, 1),
... )
>>> active = activate(service, Actor.system(), datetime(2025, 1, 1, 9, tzinfo=UTC))
>>> str(active.service.status), [e.kind.name for e in active.events]
('active', ['ACTIVATED'])
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from prodlife.clock import as_utc
from prodlife.errors import RuleViolation, ValidationError
from prodlife.goods import OwnerChange
from prodlife.lifecycle.activation import ActivationNotice, schedule_activation, with_notice
from prodlife.lifecycle.actors import Actor, authorize
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.history import History
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.provisioning import ProvisioningModule, run_module
from prodlife.lifecycle.provisioning import change_password as _module_change_password
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status, SuspensionKind
from prodlife.lifecycle.terms import in_arrears, paused
from prodlife.lifecycle.timelines import billed
from prodlife.lifecycle.transitions import Operation, find_transition
from prodlife.periods import billing_date

__all__ = [
    "activate",
    "change_password",
    "check_actor",
    "reboot",
    "resend_welcome_email",
    "suspend",
    "through_module",
    "today",
    "transfer",
    "unsuspend",
]


def check_actor(
    service: Service,
    actor: Actor,
    operation: Operation,
    *,
    sets_price: bool = False,
    customer_may_change_package: bool = True,
) -> None:
    """Authorize ``actor`` before any check that could tell them about ``service``.

    A customer asking about a service that is not theirs gets the same
    :class:`~prodlife.errors.PermissionDenied` whatever else is wrong with the request.
    """
    authorize(
        actor,
        operation,
        owner_customer_id=service.customer_id,
        current=service.status,
        customer_may_delete=True,
        sets_price=sets_price,
        customer_may_change_package=customer_may_change_package,
    )


def today(service: Service, at: datetime) -> date:
    """The billing date of instant ``at`` in the service's customer's time zone."""
    return billing_date(as_utc(at), service.time_zone)


def through_module(
    service: Service,
    operation: Operation,
    actor: Actor,
    at: datetime,
    reason: str,
    module: ProvisioningModule | None,
    success: EventKind,
    *,
    kind: SuspensionKind | None = None,
    customer_may_delete: bool = False,
    termination_date: date | None = None,
    details: tuple[tuple[str, str], ...] = (),
) -> Outcome:
    """Perform ``operation``, run the module if the service went *in progress*, and report.

    The outcome has the ``success`` event when the operation completed, a
    :attr:`EventKind.PROVISIONING_FAILED` event when the module failed (the
    service is back where it was), or :attr:`EventKind.NOT_AVAILABLE`.
    """
    row = find_transition(service.status, operation)
    staged = module is not None and row is not None and row.via is not None
    started = service.perform(
        operation,
        actor,
        at,
        reason,
        kind=kind,
        provisioning=module is not None,
        customer_may_delete=customer_may_delete,
        termination_date=None if staged else termination_date,
    )
    if module is None or started.status.status is not Status.IN_PROGRESS:
        return Outcome(started, (event(started, success, at, details),))
    done = run_module(started, module, at, termination_date=termination_date)
    answer = done.history.last
    assert answer is not None  # run_module always records an entry
    if answer.operation is Operation.PROVISIONED:
        return Outcome(done, (event(done, success, at, details),))
    failure = (
        EventKind.NOT_AVAILABLE
        if answer.operation is Operation.PROVIDER_UNAVAILABLE
        else EventKind.PROVISIONING_FAILED
    )
    return Outcome(
        done,
        (event(done, failure, at, (("operation", str(operation)), ("reason", answer.reason))),),
    )


def activate(
    service: Service,
    actor: Actor,
    at: datetime,
    *,
    module: ProvisioningModule | None = None,
    reason: str = "",
    when: datetime | None = None,
    notice: ActivationNotice | None = None,
) -> Outcome:
    """Activate a pending (or not available) service: the module's *create* (seed 003).

    Call it again to retry after a failure. With ``when`` after ``at``, the
    activation is scheduled instead: nothing changes but an
    ``ACTIVATION_SCHEDULED`` event (seed 000's business hours). ``notice`` says
    who is told, on every activation event
    (:mod:`~prodlife.lifecycle.activation`). Raises as :meth:`Service.perform`,
    and as :func:`~prodlife.lifecycle.activation.schedule_activation`.
    """
    chosen = ActivationNotice() if notice is None else notice
    if when is not None and as_utc(when) > as_utc(at):
        return schedule_activation(service, actor, at, when, chosen)
    outcome = through_module(
        service, Operation.ACTIVATE, actor, at, reason, module, EventKind.ACTIVATED
    )
    return outcome if notice is None else with_notice(outcome, chosen)


def suspend(
    service: Service,
    actor: Actor,
    at: datetime,
    kind: SuspensionKind,
    *,
    module: ProvisioningModule | None = None,
    reason: str = "",
) -> Outcome:
    """Suspend an active service for ``kind`` (by customer, administrator, abuse...).

    A temporary suspension is a pause: nothing is billed for the paused days
    (:mod:`prodlife.lifecycle.terms`); in advance what was invoiced for them is
    credited.
    """
    if not isinstance(kind, SuspensionKind):
        raise ValidationError(f"suspension kind {kind!r} is not a SuspensionKind; pass one")
    outcome = through_module(
        service,
        Operation.SUSPEND,
        actor,
        at,
        reason,
        module,
        EventKind.SUSPENDED,
        kind=kind,
        details=(("kind", str(kind)),),
    )
    return _billed_pause(service, outcome, at)


def _billed_pause(before: Service, outcome: Outcome, at: datetime) -> Outcome:
    """``outcome`` with the pause it began or ended on the timeline, billed."""
    was, now = paused(before.status), paused(outcome.service.status)
    if was == now:
        return outcome
    day = today(before, at)
    service = outcome.service
    timeline = service.timeline.pause(day) if now else service.timeline.resume(day)
    return billed(attrs.evolve(outcome, service=service._evolved(timeline=timeline)), day)


def unsuspend(
    service: Service,
    actor: Actor,
    at: datetime,
    *,
    module: ProvisioningModule | None = None,
    reason: str = "",
) -> Outcome:
    """Lift a suspension (only staff lift an administrator's or abuse suspension).

    Lifting a pause bills the rest of the period again (:mod:`prodlife.lifecycle.terms`).
    """
    outcome = through_module(
        service, Operation.UNSUSPEND, actor, at, reason, module, EventKind.UNSUSPENDED
    )
    return _billed_pause(service, outcome, at)


def reboot(
    service: Service,
    actor: Actor,
    at: datetime,
    *,
    module: ProvisioningModule | None = None,
    reason: str = "",
) -> Outcome:
    """Reboot an active service through the module (seed 002)."""
    return through_module(service, Operation.REBOOT, actor, at, reason, module, EventKind.REBOOTED)


def change_password(
    service: Service,
    actor: Actor,
    at: datetime,
    new_password: str,
    module: ProvisioningModule,
    *,
    reason: str = "",
) -> Outcome:
    """Change the service's password through the module; the password is never kept.

    Raises:
        ModuleFailed: the module did not succeed; nothing changed.
    """
    changed = _module_change_password(service, module, new_password, actor, at, reason)
    return Outcome(changed, (event(changed, EventKind.PASSWORD_CHANGED, at),))


def transfer(
    service: Service, actor: Actor, at: datetime, to_customer: str, *, reason: str = ""
) -> Outcome:
    """Move the service to another customer (seed 003).

    Invoice lines already issued stay with the previous owner; lines issued
    from now on name the new one. The event names both. In arrears the
    previous owner is invoiced for their use of the period in progress now,
    up to the day of the transfer.

    Raises:
        RuleViolation: ``to_customer`` is empty or already the owner (rule
            ``transfer.customer``).
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`.
    """
    check_actor(service, actor, Operation.TRANSFER)
    if not isinstance(to_customer, str) or not to_customer.strip():
        raise RuleViolation("transfer.customer", f"customer {to_customer!r} must be an id")
    if to_customer == service.customer_id:
        raise RuleViolation(
            "transfer.customer",
            f"service {service.id} already belongs to {to_customer}; name another customer",
        )
    done = service.perform(
        Operation.TRANSFER,
        actor,
        at,
        reason,
        provisioning=False,
        details=_TRANSFER_DETAILS.format(old=service.customer_id, new=to_customer),
    )
    day = today(service, at)
    # The previous owner is billed what is due (in arrears, their use so far).
    before = billed(Outcome(done), day, interim=in_arrears(service) and not service.ended)
    done = before.service
    moved = done._evolved(customer_id=to_customer, timeline=done.timeline.transferred(to_customer))
    details = (("from", service.customer_id), ("to", to_customer))
    return Outcome(moved, (event(moved, EventKind.TRANSFERRED, at, details),), before.lines)


#: A transfer's history details: ``customer C-1 -> C-2``.
_TRANSFER_DETAILS = "customer {old} -> {new}"


def transfers_of(history: History) -> tuple[OwnerChange, ...]:
    """The service's changes of customer its history records, oldest first.

    Each :func:`transfer` entry gives one, at its instant: what
    :func:`~prodlife.goods.read_meter` needs to charge a meter's consumption up to
    a transfer to the old customer. An entry whose details are not a transfer's
    (``customer C-1 -> C-2``) gives none.
    """
    found = []
    for entry in history.entries:
        old, arrow, new = entry.details.removeprefix("customer ").partition(" -> ")
        if (
            entry.operation is Operation.TRANSFER
            and entry.details.startswith("customer ")
            and arrow
        ):
            found.append(OwnerChange(entry.at, old, new))
    return tuple(found)


def resend_welcome_email(service: Service, actor: Actor, at: datetime) -> Outcome:
    """Ask the host to send the welcome e-mail again: an event, nothing else changes.

    Raises:
        PermissionDenied: the actor may not edit the service.
        RuleViolation: the service has not been activated yet or has ended
            (rule ``welcome-email.status``).
    """
    authorize(
        actor,
        Operation.EDIT,
        owner_customer_id=service.customer_id,
        current=service.status,
        customer_may_delete=False,
    )
    if service.status.status not in (Status.ACTIVE, Status.SUSPENDED):
        raise RuleViolation(
            "welcome-email.status",
            f"service {service.id} is {service.status}; the welcome e-mail is sent for "
            "active or suspended services",
        )
    return Outcome(service, (event(service, EventKind.WELCOME_EMAIL_REQUESTED, at),))
