"""Grandfathering: a service keeps the price it was sold at until its catalog says it moves.

A service records the catalog version and the price-plan row it was sold under
(:attr:`Service.sold_under <prodlife.lifecycle.Service.sold_under>`). A later
catalog version leaves it on that price, unless the version sets
``existing_move_on``: from that day, the service's next renewal moves it to
the plan's price then (:meth:`CatalogVersions.for_service
<prodlife.catalog.CatalogVersions.for_service>` says which version it follows).
:func:`move_on` carries the move out on the period that starts at the next due
date, as that period's invoice falls due: the timeline's recurring rate changes
from that day (the billing engine bills the new price from then on, and
repairs a period already invoiced), the service records the new version and
row, and an :attr:`~prodlife.lifecycle.events.EventKind.PRICE_MOVED` event
tells the customer. A price set by hand (an override) is kept: only the record
moves. The scheduler calls it (:meth:`Billing.run_due <prodlife.app.Billing.run_due>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import attrs

from prodlife.catalog.catalog import CatalogVersions
from prodlife.errors import NotFound
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.sale import SoldUnder
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status
from prodlife.lifecycle.timelines import BASE, price_source
from prodlife.lifecycle.transitions import Operation
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.recurring import RecurringPrice

__all__ = ["move_on", "renewal_due", "resold"]

_LIVE = (Status.ACTIVE, Status.SUSPENDED)


def renewal_due(service: Service, day: date) -> date | None:
    """The day ``service`` renews on, when its renewal is invoiced by ``day``; else ``None``.

    A service renews on its next due date, unless it ends then (a cancellation
    pending, auto-renew off), a change of package waits (it brings its own
    price), or it is not live; its renewal is invoiced its timeline's
    ``invoice_days_before`` days ahead.
    """
    renewal = service.next_due
    if (
        renewal is None
        or service.status.status not in _LIVE
        or service.cancellation_pending
        or service.pending_change is not None
        or not service.auto_renew
    ):
        return None
    end = service.timeline.end
    if end is not None and end <= renewal:
        return None
    ahead = timedelta(days=service.timeline.invoice_days_before)
    return renewal if day >= renewal - ahead else None


def resold(outcome: Outcome, sale: SoldUnder | None) -> Outcome:
    """``outcome`` with its service recorded as sold under ``sale`` from now on.

    For a package changed at once at a price from the plan: the new package's
    version and row. A change waiting (for the end of the term or a payment)
    keeps them on the pending change, recorded when it is carried out
    (:func:`~prodlife.lifecycle.package_changes.apply_pending_change`,
    :func:`~prodlife.lifecycle.package_changes.confirm_change_payment`). A price set by
    hand, and a change its module did not carry out (the service is not on the
    row's product and cycle) leave the record as it was.
    """
    service = outcome.service
    pending = service.pending_change
    if sale is None:
        return outcome
    if pending is not None:  # recorded when the change is carried out
        if pending.price.override or (pending.product_code, pending.cycle) != (
            sale.product_code,
            sale.cycle,
        ):
            return outcome
        waiting = attrs.evolve(pending, sold_under=sale)
        return Outcome(service._evolved(pending_change=waiting), outcome.events, outcome.lines)
    if (service.product_code, service.cycle) != (sale.product_code, sale.cycle):
        return outcome
    if service.price.override:
        return outcome
    return Outcome(service._evolved(sold_under=sale), outcome.events, outcome.lines)


def move_on(
    service: Service,
    versions: CatalogVersions,
    plans: Mapping[str, PricePlan],
    at: datetime,
    day: date,
) -> Outcome | None:
    """Move a grandfathered ``service`` to its new catalog version's price at its renewal.

    Nothing happens (``None``) for a service that records no sale, whose
    renewal is not invoiced by ``day`` (:func:`renewal_due`), or whose
    version still holds on the renewal day (no later version's
    ``existing_move_on`` reached, :meth:`CatalogVersions.for_service
    <prodlife.catalog.CatalogVersions.for_service>`). Otherwise the price from
    the renewal day on is the row of the recorded plan for the service's
    product, edition and cycle on that day, for its quantity (an override
    is kept), recorded as a renewal by the system with a
    :attr:`~prodlife.lifecycle.events.EventKind.PRICE_MOVED` event.

    Args:
        plans: the stored price plans by code (at least the recorded one).

    Raises:
        NotFound: the recorded plan is not in ``plans``, or it has no row for
            the service on the renewal day (add one: the move waits for it).
    """
    sold = service.sold_under
    renewal = None if sold is None else renewal_due(service, day)
    if sold is None or renewal is None:
        return None
    try:
        target = versions.for_service(sold.catalog_version, renewal)
    except NotFound:  # a version no longer stored: nothing says it moves
        return None
    if target.name == sold.catalog_version:
        return None
    plan = plans.get(sold.price_plan)
    if plan is None:
        raise NotFound("price plan", sold.price_plan, f"service {service.id} was sold under it")
    row = plan.rate_for(service.product_code, service.cycle, renewal, service.edition)
    price = service.price
    if not price.override:
        price = RecurringPrice(row.charge(service.quantity).total, override=False)
    details = (
        ("catalog version", target.name),
        ("from", renewal.isoformat()),
        ("old price", str(service.price.amount)),
        ("new price", str(price.amount)),
    )
    done = service.perform(
        Operation.RENEW,
        Actor.system(),
        at,
        f"catalog version {target.name}: existing services move to its prices",
        provisioning=False,
        details=f"price {service.price.amount} -> {price.amount} from {renewal}",
        _also={
            "price": price,
            "sold_under": SoldUnder.of(target.name, plan.code, row),
            "timeline": service.timeline.change_rate(
                BASE, renewal, amount=price.amount, source=price_source(price)
            ),
        },
    )
    return Outcome(done, (event(done, EventKind.PRICE_MOVED, at, details),))
