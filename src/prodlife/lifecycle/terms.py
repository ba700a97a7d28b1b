"""A service under its billing term: invoiced in advance or in arrears, and paused.

Seed 004's billing term schemes say, per product, whether a service is
invoiced before its period (pre-bill, prepaid: *in advance*) or after it
(post-bill, postpaid: *in arrears*), and whether deactivation runs leave it
alone. :func:`under_terms` makes a service as its scheme says;
:attr:`Service.billing_timing` then decides when its money is invoiced:

- **In advance** (the default): a period is invoiced at its start (or
  ``invoice_days_before`` it); a change, a pause or a cancellation inside it
  credits the unused part of what was charged.
- **In arrears**: the scheduler invoices each period on the day it ends, for
  what was used: each price over the days it was in force. A change or a
  pause closes a part of the period at the price then in force
  (:attr:`Service.charges` holds those parts); a cancellation's final invoice
  bills the used part only. Nothing is ever credited. A period is paid after
  its invoice: ``next_due`` is the first day not paid for, and payment
  (:func:`~prodlife.lifecycle.operations.renew`) covers invoiced periods only.
- **Paused** (suspended :attr:`SuspensionKind.TEMPORARY`, seed 000's
  "billing suspended but account and data preserved"): nothing is billed for
  the paused days. In advance the pause credits the rest of the paid period
  (and of an invoice issued ahead), a period that falls due during the pause
  is settled at zero, and the resume charges the rest of its period; in
  arrears the paused days are worth zero (Kill Bill's pause, a blocking state
  that blocks billing, does the same).

The day of a change or a pause is the first day at the new price (or paused);
the day a service ends counts as used, unless the scheduler ends it at the end
of its term (it ends as that day begins).
Add-ons keep their own cycle and are invoiced in advance.

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

from prodlife.catalog.subscriptions import (
    BillingTermScheme,
    BillingTiming,
    excluded_from_deactivation,
    is_in_arrears,
)
from prodlife.cycles import billing_day
from prodlife.lifecycle.invoicing import InvoiceLine, InvoiceLineKind, lines_from_quote
from prodlife.lifecycle.service_parts import OverrideAutoSuspend
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ServiceStatus, Status, SuspensionKind
from prodlife.money import Money
from prodlife.periods import Period
from prodlife.proration import Charge, prorate, quote_change

__all__ = [
    "in_arrears",
    "payment_due",
    "running_period",
    "term_end",
    "under_terms",
    "usage_lines",
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
            next_due=service.start,
            paid_through=None,
            invoiced_until=None,
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


def rate(service: Service) -> Money:
    """What one period of ``service`` is worth now: its price, or zero while it is paused."""
    amount = service.price.amount
    return Money(0, amount.currency) if paused(service.status) else amount


def package_label(product_code: str, edition: str | None) -> str:
    """How invoice lines name a package: the product, then the edition if any."""
    return product_code if edition is None else f"{product_code} {edition}"


def period_starting(service: Service, day: date) -> Period:
    """The billing period of ``service`` that starts on ``day`` (a date of its schedule).

    Month-based cycles keep the day the service started on
    (:func:`~prodlife.cycles.billing_day`).
    """
    return Period(day, service.cycle.shift(day, 1, billing_day(service.start, day)))


def running_period(service: Service) -> Period | None:
    """In arrears, the period in use and not invoiced yet; ``None`` when nothing recurs.

    It starts where invoicing stopped (:attr:`Service.billed_until`) and is
    invoiced on its last day's morrow, its end.
    """
    billed = service.billed_until
    return None if billed is None else period_starting(service, billed)


def term_end(service: Service) -> date | None:
    """The day the current term ends, where an end-of-period change or cancellation lands.

    In advance the next due date (the end of what is paid); in arrears the
    end of the period in use. ``None`` when nothing recurs.
    """
    if not in_arrears(service):
        return service.next_due
    period = running_period(service)
    return None if period is None else period.end


def payment_due(service: Service) -> date | None:
    """The day the oldest money not paid for falls due; overdue counts from it.

    In advance the next due date; in arrears the end of the period the next
    due date starts, which is the day that period is invoiced.
    """
    due = service.next_due
    if due is None or not in_arrears(service):
        return due
    end = period_starting(service, due).end
    billed = service.billed_until
    assert billed is not None
    # A period invoiced before a change of cycle ends no later than what is invoiced.
    return min(end, billed) if due < billed else end


def close_segment(service: Service, day: date) -> tuple[Charge, ...]:
    """In arrears, :attr:`Service.charges` with the use up to ``day`` priced and closed.

    The part of the period in use since the last closed part, up to ``day``
    (the first day at the new price), is worth its share of :func:`rate`.
    """
    period = running_period(service)
    if period is None:
        return service.charges
    start = service.charges[-1].span.end if service.charges else period.start
    day = min(max(day, start), period.end)
    if day <= start:
        return service.charges
    part = Period(start, day)
    label = package_label(service.product_code, service.edition)
    worth = prorate(rate(service), period, part).amount
    return (*service.charges, Charge(worth, part, period, label))


def usage_lines(service: Service, until: date) -> tuple[InvoiceLine, ...]:
    """In arrears, the lines for the use from :attr:`Service.billed_until` up to ``until``.

    Period by period: the parts a change or pause closed, then the rest at
    :func:`rate` (a whole period at the recurring price is one recurring
    line). Parts worth zero (paused) have no line.
    """
    return bill_use(service, until)[1]


def bill_use(service: Service, until: date) -> tuple[Service, tuple[InvoiceLine, ...]]:
    """In arrears, bill the use up to ``until``: the service billed that far, and the lines.

    Periods that end by ``until`` are invoiced whole (``invoiced_until`` moves
    past them); the use of a period ``until`` falls inside is billed up to it
    and kept as a part worth nothing, so the period's invoice bills the rest.
    """
    billed = service.billed_until
    if billed is None:
        return service, ()
    lines: list[InvoiceLine] = []
    while billed < until:
        period = period_starting(service, billed)
        for part in close_segment(service, until):
            if part.amount.amount:
                lines.append(_usage_line(service, part))
        if until < period.end:
            zero = Money(0, service.price.amount.currency)
            done = Charge(zero, Period(period.start, until), period, "billed")
            return service._evolved(charges=(done,)), tuple(lines)
        billed = period.end
        service = service._evolved(charges=(), invoiced_until=billed)
    return service, tuple(lines)


def _usage_line(service: Service, part: Charge) -> InvoiceLine:
    span = part.span
    assert isinstance(span, Period)
    whole = part.window in (None, span)
    kind = InvoiceLineKind.RECURRING if whole else InvoiceLineKind.PRORATED_CHARGE
    description = f"{part.description} for the period" if whole else f"{part.description} used"
    return InvoiceLine(service.id, service.customer_id, kind, description, part.amount, span)


def pause_billing(
    before: Service, after: Service, day: date
) -> tuple[Service, tuple[InvoiceLine, ...]]:
    """Bill a pause that began or ended on ``day`` (``before`` and ``after`` an operation).

    In arrears the part of the period before ``day`` is closed at the rate
    ``before`` had. In advance the rest of the current period is credited
    (pause) or charged (resume) by proration, and a period invoiced ahead is
    credited (pause) or charged again (resume), from ``day`` once it has begun. Returns ``after`` as
    billed, and the lines.
    """
    if paused(before.status) == paused(after.status) or after.next_due is None:
        return after, ()
    if in_arrears(before):
        return after._evolved(charges=close_segment(before, day)), ()
    lines: tuple[InvoiceLine, ...] = ()
    charges = after.charges
    charged = before.charged
    label = package_label(before.product_code, before.edition)
    if (
        before.paid_through is not None
        and charged
        and charged[0].span.start <= day < charged[-1].span.end
    ):
        named = tuple(c if c.description else attrs.evolve(c, description=label) for c in charged)
        quote = quote_change(named, rate(after), day, description=label)
        lines = tuple(
            line
            for line in lines_from_quote(quote, before.id, before.customer_id)
            if line.amount.amount
        )
        charges = quote.in_force
    ahead = before.invoiced_until
    if ahead is not None:
        # The period invoiced ahead is credited whole by a pause, charged again on resume.
        assert before.next_due is not None
        # What was invoiced ahead: the package an end-of-term change moves to on the due date.
        pending = before.pending_change
        invoiced = before.price.amount
        if pending is not None and pending.effective == before.next_due:
            invoiced = pending.price.amount
        period = Period(before.next_due, ahead)
        # Past its due date the period invoiced ahead is in use: only the rest of it moves.
        if period.start < day < period.end:
            invoiced = prorate(invoiced, period, Period(day, period.end)).amount
            period = Period(day, period.end)
        amount, kind, what = (
            (-invoiced, InvoiceLineKind.PRORATED_CREDIT, "paused")
            if paused(after.status)
            else (invoiced, InvoiceLineKind.PRORATED_CHARGE, "resumed")
        )
        lines += (
            InvoiceLine(
                before.id,
                before.customer_id,
                kind,
                f"{label} invoiced ahead, {what}",
                amount,
                period,
            ),
        )
    return after._evolved(charges=charges), lines
