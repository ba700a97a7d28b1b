"""A service under its billing term: invoiced in advance or in arrears, and paused.

Seed 004's billing term schemes say, per product, whether a service is
invoiced before its period (pre-bill, prepaid: *in advance*) or after it
(post-bill, postpaid: *in arrears*), and whether deactivation runs leave it
alone. :func:`under_terms` makes a service as its scheme says;
:attr:`Service.billing_timing` then decides when its money is invoiced:

- **In advance** (the default): a period is invoiced at its start (or the
  timeline's ``invoice_days_before`` it); a change, a pause or a cancellation
  inside it repairs what was invoiced (:mod:`prodlife.billing`).
- **In arrears**: each period is invoiced on the day it ends, for what was
  used: each price over the days it was in force (the timeline keeps them); a
  cancellation's final invoice bills the used part only. A period is paid
  after its invoice: ``next_due`` is the first day not paid for, and payment
  (:func:`~prodlife.lifecycle.renewals.renew`) covers invoiced periods only.
- **Paused** (suspended :attr:`SuspensionKind.TEMPORARY`, seed 000's
  "billing suspended but account and data preserved"): nothing is billed for
  the paused days, add-ons included. In advance a period that falls due during
  the pause is settled at zero; in arrears a period paused throughout is owed
  nothing (Kill Bill's pause, a blocking state that blocks billing, does the
  same).

The day of a change or a pause is the first day at the new price (or paused);
the day a service ends counts as used, unless the scheduler ends it at the end
of its term (it ends as that day begins). Add-ons keep their own cycle.

>>> from datetime import date
>>> from prodlife import MONTHLY, Money, Service
>>> from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme, BillingTiming
>>> from prodlife.pricing.recurring import RecurringPrice
>>> scheme = BillingTermScheme(
...     "TV", "TV terms", prepaid=False,
...     terms=[BillingTerm("FREE-TV", exclude_from_deactivation=True),
...            BillingTerm("SPORT", timing=BillingTiming.IN_ARREARS)],
... )
>>> channel = Service(
...     id="S-1", customer_id="C-1", product_code="FREE-TV", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("0.00", "USD")), payment_method="none",
...     start=date(2025, 1, 1), next_due=date(2025, 2, 1),
... )
>>> under_terms(channel, scheme).override_auto_suspend
OverrideAutoSuspend(until=None)
>>> sport = under_terms(attrs.evolve(channel, product_code="SPORT"), scheme)
>>> print(sport.billing_timing, sport.next_due, running_period(sport))
BillingTiming.IN_ARREARS 2025-01-01 [2025-01-01, 2025-02-01)
"""

from __future__ import annotations

from datetime import date

import attrs

from prodlife.billing.changes import billing_period
from prodlife.billing.ledger import Ledger, next_billing_date
from prodlife.catalog.subscriptions import (
    BillingTermScheme,
    BillingTiming,
    excluded_from_deactivation,
    is_in_arrears,
)
from prodlife.lifecycle.service_parts import OverrideAutoSuspend
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ServiceStatus, Status, SuspensionKind
from prodlife.lifecycle.timelines import BASE, boundary_day
from prodlife.periods import Period

__all__ = [
    "in_arrears",
    "owed_since",
    "payment_due",
    "running_period",
    "term_end",
    "under_terms",
]


def under_terms(service: Service, scheme: BillingTermScheme) -> Service:
    """``service`` as the term of its product in ``scheme`` says it is billed.

    A term in arrears (post-bill, postpaid) bills the service at the end of
    each period: it has paid for nothing, so its next due date is its start
    and nothing is invoiced for it at the order. A term excluded from
    deactivation runs makes the service exempt from automatic suspension for
    good (:meth:`OverrideAutoSuspend.never`), so the scheduler never suspends
    it, nor terminates it, for non-payment.

    Raises:
        NotFound: the scheme has no term for the service's product.
    """
    if is_in_arrears(scheme, service.product_code) and service.next_due is not None:
        service = attrs.evolve(
            service,
            billing_timing=BillingTiming.IN_ARREARS,
            timeline=attrs.evolve(service.timeline, timing=BillingTiming.IN_ARREARS),
            ledger=Ledger(),
            next_due=service.start,
            paid_through=None,
        )
    if excluded_from_deactivation(scheme, service.product_code):
        service = attrs.evolve(service, override_auto_suspend=OverrideAutoSuspend.never())
    return service


def in_arrears(service: Service) -> bool:
    """Whether ``service`` is invoiced at the end of its periods."""
    return service.billing_timing is BillingTiming.IN_ARREARS


def paused(status: ServiceStatus) -> bool:
    """Whether a service in ``status`` is paused: suspended temporarily, billing suspended."""
    return status.status is Status.SUSPENDED and status.substate is SuspensionKind.TEMPORARY


def period_starting(service: Service, day: date) -> Period:
    """The billing period of ``service``'s recurring price that holds ``day``.

    From the rate in force on ``day`` (its schedule keeps the billing day),
    or the service's own cycle when none is.
    """
    rate = service.timeline.track(BASE).rate_on(day) if _has_base(service) else None
    if rate is None:
        return Period(day, service.cycle.shift(day, 1, boundary_day(service, day)))
    period = billing_period(rate, day)
    return Period(max(period.start, day), period.end) if period.start < day else period


def _has_base(service: Service) -> bool:
    return any(track.subject == BASE for track in service.timeline.tracks)


def running_period(service: Service) -> Period | None:
    """In arrears, the period in use and not invoiced yet; ``None`` when nothing recurs.

    It starts where invoicing of the recurring price stopped (or at the
    service's start) and ends where the period in use ends: a change that
    cuts a period short and restarts the billing cycle (Stripe's
    ``billing_cycle_anchor=now``) leaves a stub behind, and the period in use
    is then the new price's, so the running period runs on to its end.
    """
    if service.next_due is None:
        return None
    billed = service.billed_until
    start = max(service.start, service.ledger.settled or service.start)
    return _in_use(service, start if billed is None else max(billed, start))


def _in_use(service: Service, start: date) -> Period:
    """From ``start`` to the end of the period in use: past every rate cut short by a change."""
    period = period_starting(service, start)
    if not _has_base(service):
        return period
    track, day = service.timeline.track(BASE), start
    while True:  # each turn moves ``day`` on to a later rate's start: the track has few
        rate = track.rate_on(day)
        if rate is None or rate.end is None or rate.end >= period.end:
            return period
        if track.rate_on(rate.end) is None:
            return period  # the price stops there: nothing runs on
        day = rate.end
        period = Period(start, period_starting(service, day).end)


def term_end(service: Service) -> date | None:
    """The day the current term ends, where an end-of-period change or cancellation lands.

    In advance the next due date (the end of what is paid); in arrears the
    end of the period in use (:func:`running_period`). ``None`` when nothing recurs.
    """
    if not in_arrears(service):
        return service.next_due
    period = running_period(service)
    return None if period is None else period.end


def payment_due(service: Service) -> date | None:
    """The day the oldest money not paid for falls due; overdue counts from it.

    In advance the next due date. In arrears the day the billing engine
    invoices the oldest period not paid for (the one the next due date
    starts; periods paused throughout, or at a free price, owe nothing and are
    skipped): money falls due when it is invoiced. The engine says which day
    that is (:func:`invoiced_on`): the end of that period under the rate in
    force, so the stub a restart of the billing cycle leaves falls due at the
    end of its old period, when it is invoiced, not on the restart day.
    ``None`` when nothing more is owed (paused or ended from there on).
    """
    due = service.next_due
    if due is None or not in_arrears(service):
        return due
    return invoiced_on(service, due)


def invoiced_on(service: Service, start: date) -> date | None:
    """In arrears, the day the billing engine invoices the recurring price from ``start`` on.

    The engine's own answer (:func:`~prodlife.billing.next_billing_date` of the
    recurring price as if nothing from ``start`` on were invoiced): the end of
    the first period with a day billed at a price, under the rate in force
    then. ``None`` when nothing from ``start`` on is billed.
    """
    if not _has_base(service):
        return period_starting(service, start).end
    timeline = service.timeline
    if len(timeline.tracks) > 1 or timeline.one_time:  # the recurring price alone
        timeline = attrs.evolve(timeline, tracks=(timeline.track(BASE),), one_time=())
    return next_billing_date(timeline, Ledger(settled=start))


def owed_since(service: Service) -> date | None:
    """The day dunning counts from: the earlier of :func:`payment_due` and the due date of
    the oldest unpaid invoice billing the service (:attr:`ServiceInvoicing.unpaid_since
    <prodlife.lifecycle.ServiceInvoicing.unpaid_since>`); ``None`` when nothing is owed."""
    due = payment_due(service)
    invoicing = service.invoicing
    unpaid = None if invoicing is None else invoicing.unpaid_since
    if due is None or unpaid is None:
        return unpaid if due is None else due
    return min(due, unpaid)
