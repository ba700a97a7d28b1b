# Over 400 lines: the scheduler's agenda and the steps it takes are one job, and the
# order of its work is read in one place.
"""The scheduler: everything that falls due on its own, done exactly once.

:func:`run_due` takes services and an instant and carries out, for each
service, every piece of work due on its customer's billing date, in this
order:

1. a pending cancellation request: an immediate one at once, an end-of-period
   one on the next due date (the termination date);
2. auto-termination at the end of the cycle for a service that does not renew
   (seed 003's "auto terminate end of cycle"), on the next due date; and the
   termination of a service whose fixed term ends
   (:mod:`~prodlife.lifecycle.fixed_terms`), on the day it ends;
3. an end-of-term change of package (:class:`PendingChange`) on its date;
4. invoicing what the billing engine says is due (seed 003's invoice
   generation): in advance each period the service's own
   ``invoice_days_before`` days ahead of its start, up to the period that
   starts on the next due date (later ones follow its payment), in arrears
   each period on the day it ends; add-ons on their own cycles; once each
   (:func:`~prodlife.billing.next_billing_date`);
5. a paused service's period settled at zero on its due date (nothing is
   invoiced for paused days, so nothing falls overdue);
6. the automatic suspension of an overdue service ``suspend_days_after`` days
   after its unpaid due date (its next due date not paid, or its oldest unpaid
   invoice's due date, whichever is earlier: :func:`~prodlife.lifecycle.terms.owed_since`),
   unless staff override it (:class:`OverrideAutoSuspend`);
7. the automatic termination of a service still suspended for non-payment
   ``terminate_days_after`` days after its unpaid due date.

A service that ends at the end of its term (a cancellation or auto-renew
off) is not invoiced for the term after it; a cancellation or termination
bills what is due in its own outcome. Overdue days of a service in arrears
count from the invoice of its period.

Each step changes the service so that it is no longer due (a request is
carried out, a due date invoiced, a status changed), which makes the run
**idempotent**: calling it again with the same or an earlier instant does
nothing more. It reads no clock (pass ``clock.now()``), so it is
deterministic: services are handled in id order. :func:`next_work_date` tells
a store which date to index a service under, so a billing run loads only the
services with work due.

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle.status import ACTIVE
>>> from prodlife.pricing.recurring import RecurringPrice
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="VPS", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 1, 1), next_due=date(2025, 2, 1), paid_through=date(2025, 1, 31),
...     status=ACTIVE,
... )
>>> service = attrs.evolve(service, timeline=attrs.evolve(service.timeline,
...                                                       invoice_days_before=7))
>>> policy = SchedulerPolicy(suspend_days_after=5)
>>> next_work_date(service, policy)
datetime.date(2025, 1, 25)
>>> run = run_due([service], datetime(2025, 1, 26, tzinfo=UTC), policy)
>>> [str(line) for line in run.lines]
['S-1 recurring VPS [2025-02-01, 2025-03-01) USD 10.00']
>>> again = run_due(run.services, datetime(2025, 1, 26, tzinfo=UTC), policy)
>>> again.outcomes
()
>>> late = run_due(run.services, datetime(2025, 2, 6, tzinfo=UTC), policy)
>>> print(late.services[0].status)
suspended (for non-payment)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import attrs

from prodlife._enums import Labelled
from prodlife._numbers import is_whole
from prodlife.billing.ledger import next_billing_date
from prodlife.billing.lines import InvoiceLine
from prodlife.clock import as_utc
from prodlife.errors import RuleViolation
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.endings import end_service
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.operations import suspend
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.package_changes import apply_pending_change
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.renewals import paid_free_periods, settle_paused_period
from prodlife.lifecycle.service_parts import CancellationKind, Dunning
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status, SuspensionKind
from prodlife.lifecycle.terms import in_arrears, owed_since, paused, term_end
from prodlife.lifecycle.timelines import billed
from prodlife.lifecycle.transitions import Operation
from prodlife.periods import billing_date
from prodlife.proration import CreditMode, UsedDay

__all__ = ["DueRun", "DueWork", "SchedulerPolicy", "next_work_date", "run_due", "run_service"]

_SYSTEM = Actor.system()
#: A service ending at the end of its term ends as that day begins: in arrears it is not billed.
_ENDS = UsedDay.UNUSED
_LIVE = (Status.ACTIVE, Status.SUSPENDED)


def _days(value: object, what: str, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not is_whole(value, 0):
        raise RuleViolation("scheduler.policy", f"{what} {value!r} must be a whole number >= 0")


@attrs.frozen(slots=True)
class SchedulerPolicy:
    """The provider's automation settings (seed 003's automation page).

    Args:
        invoice_days_before: how many days before a period starts its
            invoice is issued (0: on the day), for the services ordered under
            this policy: each service keeps it on its timeline
            (:attr:`prodlife.billing.Timeline.invoice_days_before`), so every
            process bills it alike.
        suspend_days_after: how many days after an unpaid due date the
            service is suspended for non-payment; ``None`` never. For the
            services without their own :class:`Dunning` (services ordered
            under this policy keep it as theirs).
        terminate_days_after: how many days after an unpaid due date a
            service suspended for non-payment is terminated; ``None`` never.

    Raises:
        RuleViolation: a negative or non-whole number of days, or termination
            before suspension (rule ``scheduler.policy``).
    """

    invoice_days_before: int = 0
    suspend_days_after: int | None = None
    terminate_days_after: int | None = None

    @property
    def dunning(self) -> Dunning:
        """Its grace periods, as a service keeps them."""
        return Dunning(self.suspend_days_after, self.terminate_days_after)

    def __attrs_post_init__(self) -> None:
        _days(self.invoice_days_before, "invoice days before", optional=False)
        _days(self.suspend_days_after, "suspend days after", optional=True)
        _days(self.terminate_days_after, "terminate days after", optional=True)
        if (
            self.terminate_days_after is not None
            and self.suspend_days_after is not None
            and self.terminate_days_after < self.suspend_days_after
        ):
            raise RuleViolation(
                "scheduler.policy",
                f"termination after {self.terminate_days_after} days comes before suspension "
                f"after {self.suspend_days_after}; terminate on or after the suspension",
            )


class DueWork(Labelled):
    """A kind of work the scheduler does, in the order it is done."""

    CANCEL = "cancel as requested"
    AUTO_TERMINATE = "terminate at the end of the cycle"
    FIXED_TERM = "terminate at the end of the fixed term"
    CHANGE = "apply an end-of-term change"
    INVOICE = "invoice what is due"
    SETTLE_PAUSED = "settle a paused period at zero"
    SUSPEND_OVERDUE = "suspend for non-payment"
    TERMINATE_OVERDUE = "terminate for non-payment"


_ORDER = {work: index for index, work in enumerate(DueWork)}


def _plus(day: date, days: int) -> date:
    return day + timedelta(days=days)


def agenda(service: Service, policy: SchedulerPolicy) -> list[tuple[DueWork, date, str]]:
    """Every piece of work ``service`` has coming, with the billing date it falls due.

    The third item is empty (kept for work about one part of a service).
    """
    status = service.status.status
    if status not in _LIVE and status is not Status.PENDING:
        return []
    work: list[tuple[DueWork, date, str]] = []
    end = term_end(service)
    request = service.cancellation
    ending = False
    if request is not None:
        if request.kind is CancellationKind.IMMEDIATE:
            work.append((DueWork.CANCEL, date.min, ""))
            ending = True
        elif request.kind is CancellationKind.END_OF_PERIOD:
            work.append((DueWork.CANCEL, date.min if end is None else end, ""))
            ending = True
    if status is Status.PENDING:
        return work
    if end is not None and not service.auto_renew:
        work.append((DueWork.AUTO_TERMINATE, end, ""))
        ending = True
    fixed = service.timeline.end  # a live service's timeline ends only with a fixed term
    if fixed is not None:
        work.append((DueWork.FIXED_TERM, fixed, ""))
    pending = service.pending_change
    if pending is not None and pending.effective is not None:
        work.append((DueWork.CHANGE, pending.effective, ""))
    due = service.next_due
    # In arrears a period ended before the service ends is invoiced on its day (the stub a
    # restart leaves): its money falls due then. The ending itself bills the rest first.
    if not ending or in_arrears(service):
        billing = _billing_date(service)
        if billing is not None:
            work.append((DueWork.INVOICE, billing, ""))
    if due is not None and not ending and paused(service.status) and not in_arrears(service):
        work.append((DueWork.SETTLE_PAUSED, due, ""))
    due = owed_since(service)
    dunning = service.dunning or policy.dunning
    if due is not None and status is Status.ACTIVE and dunning.suspend_days_after is not None:
        work.append((DueWork.SUSPEND_OVERDUE, _plus(due, dunning.suspend_days_after), ""))
    if (
        due is not None
        and service.status.substate is SuspensionKind.FOR_NON_PAYMENT
        and dunning.terminate_days_after is not None
    ):
        work.append((DueWork.TERMINATE_OVERDUE, _plus(due, dunning.terminate_days_after), ""))
    return work


def next_work_date(service: Service, policy: SchedulerPolicy) -> date | None:
    """The first billing date on which the scheduler has work for ``service``, or ``None``.

    A store indexes services by it: a billing run on day D loads only the
    services whose date is on or before D. Work held off by an override of
    auto-suspension still counts (the run then does nothing for it).
    """
    dates = [day for _, day, _ in agenda(service, policy)]
    return min(dates) if dates else None


def _overridden(service: Service, day: date) -> bool:
    override = service.override_auto_suspend
    return override is not None and override.applies_on(day)


def _step(
    service: Service,
    work: DueWork,
    addon: str,
    day: date,
    at: datetime,
    module: ProvisioningModule | None,
) -> Outcome | None:
    if work is DueWork.CANCEL:
        request = service.cancellation
        assert request is not None
        on = day if request.kind is CancellationKind.IMMEDIATE else (term_end(service) or day)
        reason = f"cancellation requested: {request.reason}" if request.reason else "cancellation"
        return end_service(
            service,
            Operation.CANCEL,
            _SYSTEM,
            at,
            on=min(on, day),
            used_day=UsedDay.USED if request.kind is CancellationKind.IMMEDIATE else _ENDS,
            # At the end of its term nothing is left to refund, nor to bill after it.
            refund=CreditMode.NONE
            if request.kind is CancellationKind.IMMEDIATE
            else CreditMode.PRORATED,
            module=module,
            reason=reason,
        )
    if work is DueWork.AUTO_TERMINATE or work is DueWork.FIXED_TERM:
        if work is DueWork.AUTO_TERMINATE:
            on = term_end(service) or day
            reason = "auto-terminated at the end of the cycle"
        else:
            on = service.timeline.end or day
            reason = f"fixed term ended on {on}"
        return end_service(
            service,
            Operation.TERMINATE,
            _SYSTEM,
            at,
            on=on,
            used_day=_ENDS,
            refund=CreditMode.PRORATED,
            module=module,
            reason=reason,
        )
    if work is DueWork.CHANGE:
        return apply_pending_change(service, at, module=module)
    if work is DueWork.INVOICE:
        return _invoice(service, day, at)
    if work is DueWork.SETTLE_PAUSED:
        return settle_paused_period(service, at)
    if work is DueWork.SUSPEND_OVERDUE:
        if _overridden(service, day):
            return None
        reason = f"overdue since {owed_since(service)}"
        kind = SuspensionKind.FOR_NON_PAYMENT
        return suspend(service, _SYSTEM, at, kind, module=module, reason=reason)
    if work is DueWork.TERMINATE_OVERDUE:
        reason = f"unpaid since {owed_since(service)}"
        return end_service(service, Operation.TERMINATE, _SYSTEM, at, module=module, reason=reason)
    raise AssertionError(f"unknown scheduler work {work}")  # pragma: no cover


def _cap(service: Service) -> date | None:
    """In advance, the last billing date whose periods may be invoiced before a payment.

    Periods are invoiced up to the one starting on the next due date (seed 003: the next
    invoice follows the payment of the last); later ones wait until it is paid.
    """
    if in_arrears(service) or service.next_due is None:
        return None
    return service.next_due - timedelta(days=service.timeline.invoice_days_before)


def _billing_date(service: Service) -> date | None:
    billing = next_billing_date(service.timeline, service.ledger)
    cap = _cap(service)
    if billing is None or (cap is not None and billing > cap):
        return None
    return billing


def _invoice(service: Service, day: date, at: datetime) -> Outcome | None:
    """Invoice what is due on ``day``, recorded as an :attr:`Operation.INVOICE`."""
    done = service.perform(Operation.INVOICE, _SYSTEM, at, "renewal invoice", details=f"due {day}")
    cap = _cap(service)
    outcome = billed(Outcome(done), day if cap is None else min(day, cap))
    outcome = attrs.evolve(outcome, service=paid_free_periods(outcome.service))
    if outcome.service.ledger == service.ledger:
        return None  # nothing was due after all
    if not outcome.lines:
        return outcome
    details = (("due", day.isoformat()),)
    return attrs.evolve(outcome, events=(event(outcome.service, EventKind.INVOICED, at, details),))


def run_service(
    service: Service,
    now: datetime,
    policy: SchedulerPolicy,
    *,
    today: date | None = None,
    module: ProvisioningModule | None = None,
) -> Outcome | None:
    """Do everything due for one service at ``now``; ``None`` when nothing is.

    Args:
        today: the billing date of ``now`` in the service's time zone, when
            the caller has it (it is computed otherwise).
        module: the host's provisioning module, for the automatic suspensions,
            terminations, cancellations and end-of-term changes.
    """
    day = billing_date(now, service.time_zone) if today is None else today
    outcome: Outcome | None = None
    skipped: set[tuple[DueWork, str]] = set()
    order = _ORDER
    while True:
        due = sorted(
            (order[work], code, work)
            for work, when, code in agenda(service, policy)
            if when <= day and (work, code) not in skipped
        )
        if not due:
            return outcome
        _, code, work = due[0]
        step = _step(service, work, code, day, now, module)
        if step is None:
            skipped.add((work, code))
            continue
        service = step.service
        outcome = step if outcome is None else outcome.then(step)


@attrs.frozen(slots=True)
class DueRun:
    """What one scheduler run did: one outcome per service that had work."""

    outcomes: tuple[Outcome, ...]

    @property
    def services(self) -> tuple[Service, ...]:
        """The changed services, in id order."""
        return tuple(o.service for o in self.outcomes)

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event of the run, service by service."""
        return tuple(e for o in self.outcomes for e in o.events)

    @property
    def lines(self) -> tuple[InvoiceLine, ...]:
        """Every invoice line of the run, service by service."""
        return tuple(line for o in self.outcomes for line in o.lines)


def run_due(
    services: Iterable[Service],
    now: datetime,
    policy: SchedulerPolicy,
    *,
    module: ProvisioningModule | None = None,
) -> DueRun:
    """Carry out everything due at ``now`` for ``services``; idempotent and deterministic.

    Args:
        services: the services to look at (any order; the store's due index
            keeps this small).
        now: the instant of the run, from the host's clock.
        policy: the automation settings.

    Returns:
        A :class:`DueRun` with an outcome for each service that had work, in
        service id order; the host saves the services, issues the lines and
        publishes the events.
    """
    now = as_utc(now)
    days: dict[str, date] = {}
    outcomes = []
    for service in sorted(services, key=lambda s: s.id):
        zone = service.time_zone
        day = days.get(zone)
        if day is None:
            day = days[zone] = billing_date(now, zone)
        outcome = run_service(service, now, policy, today=day, module=module)
        if outcome is not None:
            outcomes.append(outcome)
    return DueRun(tuple(outcomes))
