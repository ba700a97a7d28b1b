"""The next period: invoicing it, and recording that it was paid (a renewal).

In advance a period is invoiced before it starts (:func:`invoice_next_period`,
on the scheduler's invoice day, or :func:`invoice_early` when staff ask), never
twice; :func:`renew` records that periods were paid, moving the next due and
paid-through dates on (and counting down a cancellation after N renewals). In
arrears a period is invoiced once it has ended, for what was used, and a
payment covers invoiced periods only. A paused service's periods are worth
nothing: on their due date they are settled at zero
(:func:`settle_paused_period`), and in arrears they are paid with nothing
(:func:`paid_free_periods`). What a service gains when its invoices are paid is
in :mod:`prodlife.lifecycle.settlement`; the day each of these is due, in
:mod:`prodlife.lifecycle.scheduler`.

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle.actors import Actor
>>> from prodlife.lifecycle.operations import activate
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

from prodlife._numbers import is_whole
from prodlife.errors import RuleViolation
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import check_actor, today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.service_parts import CancellationKind, CancellationRequest
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.terms import (
    in_arrears,
    invoiced_on,
    paused,
    period_starting,
    running_period,
)
from prodlife.lifecycle.timelines import billed, boundary_day
from prodlife.lifecycle.transitions import Operation
from prodlife.limits import MAX_RENEWAL_PERIODS
from prodlife.periods import Period

__all__ = [
    "invoice_early",
    "invoice_next_period",
    "paid_free_periods",
    "renew",
    "settle_paused_period",
]


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
    if period is not None:  # the stub a restart of the cycle leaves is invoiced on its own
        on = invoiced_on(service, period.start)
        period = period if on is None or on >= period.end else Period(period.start, on)
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
    if not is_whole(periods, 1, MAX_RENEWAL_PERIODS):
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
