"""A service's timeline and ledger: how the lifecycle reaches the billing engine.

Operations change a service's :class:`~prodlife.billing.Timeline` (what its
customer is entitled to, from which day, at which price) and its status;
:func:`billed` then asks the engine (:func:`prodlife.billing.bill`) for what is
due, repairs included, and records it in the service's
:class:`~prodlife.billing.Ledger`. No operation computes money itself.

A service built by hand, without a timeline, gets :func:`opening_timeline`:
its recurring price on its cycle from its start (the billing day kept from its
next due date), and its add-ons on their own cycles. One paid through a day
gets :func:`opening_ledger`: the period before its next due date invoiced at
its price, so a service taken over from another system bills on from there.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs

from prodlife.billing.engine import lines_due
from prodlife.billing.ledger import Ledger, bill
from prodlife.billing.lines import LineType
from prodlife.billing.timeline import OneTimeCharge, Rate, Timeline, Track
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import BillingCycle, BillingSchedule, CycleUnit, billing_day

if TYPE_CHECKING:
    from prodlife.lifecycle.outcome import Outcome
    from prodlife.lifecycle.services import Service
    from prodlife.pricing.recurring import RecurringPrice

__all__ = [
    "BASE",
    "billed",
    "boundary_day",
    "opening_ledger",
    "opening_timeline",
    "option_label",
    "package_label",
    "schedule_for",
]

#: The subject of a service's own recurring price on its timeline and lines.
BASE = ""


def package_label(product_code: str, edition: str | None) -> str:
    """How invoice lines name a package: the product, then the edition if any."""
    return product_code if edition is None else f"{product_code} {edition}"


def option_label(code: str, choice: str, quantity: int) -> str:
    """How invoice lines name an option: its code and choice, and how many."""
    return f"{code}: {choice}" + (f" x {quantity}" if quantity != 1 else "")


def schedule_for(cycle: BillingCycle, start: date, boundary: date | None = None) -> BillingSchedule:
    """The periods of ``cycle`` through ``boundary`` (``start`` by default), on ``start``'s day.

    A schedule begun on the 31st falls on the last day of shorter months and
    returns to the 31st (:func:`~prodlife.cycles.billing_day`).
    """
    anchor = start if boundary is None else boundary
    if cycle.unit is CycleUnit.MONTH:
        day = billing_day(start, anchor)
        return BillingSchedule(cycle, anchor, None if day == anchor.day else day)
    return BillingSchedule(cycle, anchor)


def boundary_day(service: Service, boundary: date) -> int:
    """The day of the month ``service``'s monthly period boundaries aim for, around ``boundary``.

    The service's timeline keeps it (the schedule of its recurring price): a
    service aligned to billing day 31 whose first stub ended on Feb 28 is due
    on Mar 31 again. A service without a monthly recurring price keeps the day
    of ``boundary`` (or its start's, when ``boundary`` is that day clamped to a
    shorter month: :func:`~prodlife.cycles.billing_day`).
    """
    for track in service.timeline.tracks:
        if track.type is LineType.RECURRING and track.subject == BASE and track.rates:
            rate = (
                track.rate_on(boundary)
                or track.rate_on(boundary - timedelta(days=1))
                or track.rates[-1]
            )
            schedule = rate.schedule
            if schedule.cycle.unit is CycleUnit.MONTH:
                return schedule.anchor.day if schedule.anchor_day is None else schedule.anchor_day
    return billing_day(service.start, boundary)


def _day_after(day: date | None) -> date | None:
    return None if day is None else day + timedelta(days=1)


def price_source(price: RecurringPrice) -> str:
    """Where a recurring price came from, for its rate's record: set by hand (an override),
    or the price list's."""
    return "override" if price.override else "price list"


def opening_timeline(service: Service) -> Timeline:
    """The timeline of a service built without one, from its fields."""
    tracks: list[Track] = []
    one_time: list[OneTimeCharge] = []
    label = package_label(service.product_code, service.edition)
    if service.cycle.is_recurring:
        schedule = schedule_for(service.cycle, service.start, service.next_due)
        amount, source = service.price.amount, price_source(service.price)
        rate = Rate(service.start, None, amount, schedule, label, source)
        tracks.append(Track.of(LineType.RECURRING, BASE, rate))
        for option in service.options:
            if option.price is not None:
                what = option_label(option.code, option.choice, option.quantity)
                rate = Rate(service.start, None, option.price, schedule, what)
                tracks.append(Track.of(LineType.OPTION, option.code, rate))
    else:
        one_time.append(OneTimeCharge(BASE, label, service.price.amount, service.start))
    for addon in service.addons:
        if addon.price is None:
            continue
        end = _day_after(addon.termination_date)
        what = f"add-on {addon.code}"
        if not addon.cycle.is_recurring or addon.next_due is None:
            one_time.append(OneTimeCharge(addon.code, what, addon.price.amount, addon.start))
        elif end is None or end > addon.start:
            schedule = schedule_for(addon.cycle, addon.start)
            rate = Rate(addon.start, end, addon.price.amount, schedule, what)
            tracks.append(Track.of(LineType.ADDON, addon.code, rate))
    return Timeline(
        service.id,
        service.customer_id,
        service.start,
        _day_after(service.termination_date),
        service.billing_timing,
        tracks,
        one_time=one_time,
    )


def opening_ledger(service: Service) -> Ledger:
    """The ledger of a service built without one: what its paid-through date says was invoiced."""
    due = service.next_due
    if service.paid_through is None or due is None:
        return Ledger()
    if service.billing_timing is BillingTiming.IN_ARREARS:
        return Ledger(due)
    since = max(service.due_date(-1), service.start)
    timeline = attrs.evolve(service.timeline, invoice_days_before=0)
    return Ledger(since, lines_due(timeline, (), since, since=since))


def billed(
    outcome: Outcome, day: date, *, through: date | None = None, interim: bool = False
) -> Outcome:
    """``outcome`` with its service billed on ``day``: the engine's new lines added to it.

    Args:
        outcome: what an operation did.
        day: the billing date (the service's customer's).
        through: in advance, also bill every period that starts by this day
            (an invoice issued early, periods paid ahead).
        interim: in arrears, also bill the days used so far (a transfer).
    """
    service = outcome.service
    ledger, lines = bill(service.timeline, service.ledger, day, through=through, interim=interim)
    if not lines and ledger == service.ledger:
        return outcome
    return attrs.evolve(
        outcome, service=service._evolved(ledger=ledger), lines=outcome.lines + lines
    )
