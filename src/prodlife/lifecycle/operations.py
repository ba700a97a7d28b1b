"""The lifecycle operations: each takes a service and returns an :class:`Outcome`.

Every operation checks who asks and what the status allows through
:meth:`Service.perform` *before* anything else happens, so a refusal changes
nothing. Operations a provisioning module carries out (activate, suspend,
unsuspend, reboot, cancel, terminate, delete) take an optional ``module``:
with one, the service passes through *in progress* and the module's answer is
recorded (a failure puts it back where it was, ready to retry; no resources on
activation makes it *not available*); without one, the operation completes at
once. Operations change the service's status and its timeline (what the
customer is entitled to, and when); its invoice lines come from the billing
engine (:func:`~prodlife.lifecycle.timelines.billed`). The day an operation
ends a service is its billing date in the customer's time zone.

The plan, option and add-on changes are in :mod:`prodlife.lifecycle.changes`,
cancellation requests in :mod:`prodlife.lifecycle.cancellations`.

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
>>> active = activate(service, Actor.system(), datetime(2025, 1, 1, 9, tzinfo=UTC)).service
>>> early = invoice_early(active, Actor.staff("ann", ["invoices: create"]),
...                       datetime(2025, 1, 20, tzinfo=UTC))
>>> for line in early.lines: print(line)
S-1 recurring VPS [2025-01-01, 2025-02-01) USD 10.00
S-1 recurring VPS [2025-02-01, 2025-03-01) USD 10.00
>>> renewed = renew(early.service, Actor.system(), datetime(2025, 1, 30, tzinfo=UTC))
>>> renewed.service.next_due, renewed.lines
(datetime.date(2025, 3, 1), ())
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import attrs

from prodlife.billing.changes import end_billing
from prodlife.clock import as_utc
from prodlife.errors import RuleViolation, ValidationError
from prodlife.lifecycle.activation import ActivationNotice, schedule_activation, with_notice
from prodlife.lifecycle.actors import Actor, authorize
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.provisioning import ProvisioningModule, run_module
from prodlife.lifecycle.provisioning import change_password as _module_change_password
from prodlife.lifecycle.service_parts import CancellationKind, CancellationRequest
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status, SuspensionKind
from prodlife.lifecycle.terms import in_arrears, paused, period_starting, running_period
from prodlife.lifecycle.timelines import billed, boundary_day
from prodlife.lifecycle.transitions import Operation, find_transition
from prodlife.limits import MAX_RENEWAL_PERIODS
from prodlife.periods import Period, billing_date
from prodlife.proration import CreditMode, UsedDay

__all__ = [
    "activate",
    "change_password",
    "check_actor",
    "delete",
    "end_service",
    "invoice_early",
    "invoice_next_period",
    "reboot",
    "renew",
    "resend_welcome_email",
    "suspend",
    "terminate",
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


def invoice_next_period(
    service: Service, actor: Actor, at: datetime, *, reason: str = "renewal invoice"
) -> Outcome:
    """Issue the invoice for the next period: in advance, before it; in arrears, after it.

    In advance, invoices the period starting where invoicing stopped (the
    period from the next due date, or one not invoiced before it) now, and
    records an :attr:`Operation.INVOICE`; a period is never invoiced twice.
    When an end-of-term change takes effect then, the period is the new
    package's (its price and cycle are on the timeline from that day).

    In arrears, invoices the period in use once it has ended, for what was
    used.

    Raises:
        RuleViolation: nothing is due (a one-time service), the period from
            the next due date is already invoiced (rule
            ``invoice.already-invoiced``), the service ends on its next due
            date: a cancellation takes effect then or sooner, or it does not
            renew automatically (rule ``invoice.ending``), a paused service
            (rule ``invoice.paused``), or in arrears a period that has not
            ended (rule ``invoice.in-arrears``).
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`
            (only pending, active or suspended services are invoiced).
    """
    check_actor(service, actor, Operation.INVOICE)
    if service.next_due is None:
        raise RuleViolation(
            "invoice.nothing-due",
            f"service {service.id} is one-time or has no next due date; nothing to invoice",
        )
    day = today(service, at)
    if in_arrears(service):
        return _invoice_used_period(service, actor, at, reason, day)
    request = service.cancellation
    if not service.auto_renew or (
        request is not None and request.kind is not CancellationKind.AFTER_RENEWALS
    ):
        raise RuleViolation(
            "invoice.ending",
            f"service {service.id} ends on its next due date {service.next_due} (a "
            "cancellation is pending or it does not renew automatically), so there is no next "
            "period to invoice; withdraw the cancellation or turn auto-renew on first",
        )
    if paused(service.status):
        raise RuleViolation(
            "invoice.paused",
            f"service {service.id} is paused: its periods are not invoiced until it resumes",
        )
    billed_until = service.billed_until
    if billed_until is not None and billed_until > service.next_due:
        raise RuleViolation(
            "invoice.already-invoiced",
            f"the period from {service.next_due} of service {service.id} is already "
            f"invoiced (until {billed_until}); it is invoiced once, record its payment with "
            "renew",
        )
    start = service.next_due if billed_until is None else min(billed_until, service.next_due)
    done = service.perform(Operation.INVOICE, actor, at, reason, details=f"period from {start}")
    details = (("due", service.next_due.isoformat()), ("from", start.isoformat()))
    outcome = Outcome(done, (event(done, EventKind.INVOICED, at, details),))
    return billed(outcome, day, through=service.next_due)


def _invoice_used_period(
    service: Service, actor: Actor, at: datetime, reason: str, day: date
) -> Outcome:
    """In arrears: invoice the period in use, which must have ended."""
    period = running_period(service)
    if period is None or day < period.end:
        raise RuleViolation(
            "invoice.in-arrears",
            f"service {service.id} is invoiced in arrears: its period {period} is invoiced "
            f"when it ends, {'on ' + str(period.end) if period else 'once it has one'}, not "
            "before",
        )
    done = service.perform(Operation.INVOICE, actor, at, reason, details=f"period {period} used")
    details = (("due", period.end.isoformat()), ("period", str(period)))
    outcome = billed(Outcome(done, (event(done, EventKind.INVOICED, at, details),)), period.end)
    return attrs.evolve(outcome, service=paid_free_periods(outcome.service))


def settle_paused_period(service: Service, at: datetime, reason: str = "paused") -> Outcome:
    """A paused service's next due date comes: the period is worth nothing, so it is paid.

    Nothing is invoiced for paused days, so nothing falls overdue: the next
    due date moves one period on (the scheduler does this on the due date).

    Raises:
        RuleViolation: the service is not paused, or the due date has not come
            (rule ``invoice.paused``).
    """
    start = service.next_due
    if start is None or not paused(service.status) or today(service, at) < start:
        raise RuleViolation(
            "invoice.paused",
            f"service {service.id} is not paused on its due date {start}; nothing to settle",
        )
    period = Period(start, service.due_date(1))
    done = service.perform(
        Operation.INVOICE,
        Actor.system(),
        at,
        reason,
        details=f"period {period} paused, settled at zero",
        _also=_paid_up_to(period.end),
    )
    details = (("due", start.isoformat()), ("period", str(period)), ("paused", "true"))
    return Outcome(done, (event(done, EventKind.INVOICED, at, details),))


def invoice_early(service: Service, actor: Actor, at: datetime, *, reason: str = "") -> Outcome:
    """Seed 003's "invoice early": invoice the next period now, once per due date.

    Only pending, active or suspended services can be invoiced early.
    Raises as :func:`invoice_next_period`.
    """
    return invoice_next_period(service, actor, at, reason=reason or "invoiced early")


def renew(
    service: Service,
    actor: Actor,
    at: datetime,
    *,
    periods: int = 1,
    reason: str = "",
) -> Outcome:
    """Record that ``periods`` billing periods were paid: the next due date moves on.

    The next due date moves ``periods`` cycles on and the paid-through date
    with it. In advance, periods paid for and not invoiced yet are invoiced
    now; a period invoiced already (by the scheduler or :func:`invoice_early`)
    is not invoiced again. A cancellation after N renewals counts this
    renewal; after the last one it takes effect at the end of the new period.
    In arrears, payment covers invoiced periods only.

    Raises:
        RuleViolation: a one-time service, or ``periods`` below 1 (rule
            ``renew.periods``), or in arrears periods not invoiced yet (rule
            ``renew.not-invoiced``).
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`.
    """
    if (
        isinstance(periods, bool)
        or not isinstance(periods, int)
        or not 1 <= periods <= MAX_RENEWAL_PERIODS
    ):
        raise RuleViolation(
            "renew.periods",
            f"periods {periods!r} must be a whole number from 1 to {MAX_RENEWAL_PERIODS} "
            "(prodlife.limits.MAX_RENEWAL_PERIODS)",
        )
    if service.next_due is None:
        raise RuleViolation(
            "renew.nothing-due",
            f"service {service.id} is one-time; there is no period to renew",
        )
    if in_arrears(service):
        return _pay_arrears(service, actor, at, periods, reason)
    done = service.perform(
        Operation.RENEW, actor, at, reason, provisioning=False, details=f"{periods} period(s)"
    )
    new_due = service.due_date(periods)
    # An end-of-term change taking effect on the due date renews on the new package's cycle.
    pending = service.pending_change
    if pending is not None and pending.effective == service.next_due:
        due = service.next_due
        new_due = pending.cycle.shift(due, periods, boundary_day(service, due))
    done = done._evolved(
        **_paid_up_to(new_due), cancellation=_count_renewal(done.cancellation, periods)
    )
    details = (("periods", str(periods)), ("next_due", new_due.isoformat()))
    outcome = Outcome(done, (event(done, EventKind.RENEWED, at, details),))
    return billed(outcome, today(service, at), through=new_due - timedelta(days=1))


def _pay_arrears(
    service: Service, actor: Actor, at: datetime, periods: int, reason: str
) -> Outcome:
    """In arrears: the invoices of ``periods`` ended periods are paid; nothing is invoiced."""
    done = service.perform(
        Operation.RENEW, actor, at, reason, provisioning=False, details=f"{periods} period(s)"
    )
    billed_until = service.billed_until
    assert service.next_due is not None
    # Periods worth nothing (paused throughout) are paid with nothing.
    due = _past_free(service, service.next_due, billed_until)
    day = boundary_day(service, due)
    if billed_until is None or service.cycle.shift(due, periods - 1, day) >= billed_until:
        raise RuleViolation(
            "renew.not-invoiced",
            f"service {service.id} is invoiced in arrears and invoiced until {billed_until}; "
            f"{periods} period(s) from {due} go beyond it. Pay invoiced periods only: a "
            "period is invoiced when it ends",
        )
    new_due = min(service.cycle.shift(due, periods, day), billed_until)
    # Periods worth nothing (paused throughout) right after are paid with it.
    new_due = _past_free(service, new_due, billed_until)
    done = done._evolved(
        **_paid_up_to(new_due), cancellation=_count_renewal(done.cancellation, periods)
    )
    details = (("periods", str(periods)), ("next_due", new_due.isoformat()))
    return Outcome(done, (event(done, EventKind.RENEWED, at, details),))


def paid_free_periods(service: Service) -> Service:
    """In arrears, ``service`` with its invoiced periods worth nothing (paused throughout) paid.

    Nothing is owed for them, so they never fall overdue: the next due date
    moves past those that follow it.
    """
    due, billed_until = service.next_due, service.billed_until
    if not in_arrears(service) or due is None or billed_until is None:
        return service
    moved = _past_free(service, due, billed_until)
    return service if moved == due else service._evolved(**_paid_up_to(moved))


def _past_free(service: Service, day: date, limit: date | None) -> date:
    """``day`` moved past the periods worth nothing that start there, up to ``limit``."""
    while limit is not None and day < limit:
        period = period_starting(service, day)
        if _worth_anything(service, period):
            break
        day = period.end
    return day


def _worth_anything(service: Service, period: Period) -> bool:
    """Whether any day of ``period`` of ``service`` was billed (not paused throughout)."""
    return service.timeline.first_billed_day(period.start, period.end) is not None


def _paid_up_to(due: date) -> dict[str, date]:
    """The dates of a service paid up to ``due``: due then, paid through the day before."""
    return {"next_due": due, "paid_through": date.fromordinal(due.toordinal() - 1)}


def _count_renewal(request: CancellationRequest | None, periods: int) -> CancellationRequest | None:
    if request is None or request.kind is not CancellationKind.AFTER_RENEWALS:
        return request
    assert request.renewals_left is not None
    left = request.renewals_left - periods
    if left >= 1:
        return attrs.evolve(request, renewals_left=left)
    return attrs.evolve(request, kind=CancellationKind.END_OF_PERIOD, renewals_left=None)


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
        details=f"customer {service.customer_id} -> {to_customer}",
    )
    day = today(service, at)
    # The previous owner is billed what is due (in arrears, their use so far).
    before = billed(Outcome(done), day, interim=in_arrears(service) and not service.ended)
    done = before.service
    moved = done._evolved(customer_id=to_customer, timeline=done.timeline.transferred(to_customer))
    details = (("from", service.customer_id), ("to", to_customer))
    return Outcome(moved, (event(moved, EventKind.TRANSFERRED, at, details),), before.lines)


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
