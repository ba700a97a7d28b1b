"""A promo code added to a live service (seed 003: "add a promo code to an existing service").

Staff apply a code to a service from its **next billing period**: the code
becomes a discount on the service's timeline from the day that period starts,
for the payments the code says (the first, N cycles, or for ever), on the
service's recurring price. The billing engine prices it like any other
discount; if that period is already invoiced (invoiced ahead), the engine
bills its discount at once: the customer is credited the difference. The code's limits
(validity, uses, products, cycles) are checked by the caller against the
stored uses (:meth:`prodlife.app.Billing.add_promo_code`).

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle.actors import Actor, Permission
>>> from prodlife.lifecycle.status import ACTIVE
>>> from prodlife.pricing.promotions import Promotion, PromotionDuration, PromotionKind
>>> from prodlife.pricing.recurring import RecurringPrice
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="WEB", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 4, 1), next_due=date(2025, 5, 1), paid_through=date(2025, 4, 30),
...     status=ACTIVE,
... )
>>> loyal = Promotion("LOYAL", PromotionKind.PERCENTAGE, 20, PromotionDuration.CYCLES, cycles=2)
>>> staff = Actor.staff("ann", [Permission.EDIT_CUSTOMER_PRODUCTS, Permission.SET_PRICES])
>>> done = add_promo_code(service, staff, datetime(2025, 4, 20, tzinfo=UTC), loyal)
>>> (discount,) = done.service.timeline.discounts
>>> discount.start, discount.end
(datetime.date(2025, 5, 1), datetime.date(2025, 7, 1))
"""

from __future__ import annotations

from datetime import datetime

from prodlife.billing.offers import promotion_discount
from prodlife.errors import NotFound, RuleViolation
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.terms import period_starting
from prodlife.lifecycle.timelines import BASE, billed
from prodlife.lifecycle.transitions import Operation
from prodlife.pricing.promotions import Promotion

__all__ = ["add_promo_code"]


def add_promo_code(
    service: Service, actor: Actor, at: datetime, promotion: Promotion, *, reason: str = ""
) -> Outcome:
    """Give ``service`` the discount of ``promotion`` from its next billing period.

    Only staff holding ``customer products: edit`` and ``prices: set`` (a promo
    code changes what the customer pays).

    Raises:
        RuleViolation: a one-time or ended service (rule ``promotion.service``), or
            one that holds this code already (rule ``promotion.applied``).
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`.
    """
    if service.next_due is None or service.ended:
        raise RuleViolation(
            "promotion.service",
            f"service {service.id} has no billing period to come; a promo code applies to "
            "a live recurring service",
        )
    if any(discount.code == promotion.code for discount in service.timeline.discounts):
        raise RuleViolation(
            "promotion.applied",
            f"service {service.id} holds promo code {promotion.code!r} already",
        )
    done = service.perform(
        Operation.EDIT,
        actor,
        at,
        reason or f"promo code {promotion.code}",
        sets_price=True,
        details=f"promo code {promotion.code}",
    )
    day = today(service, at)
    start = period_starting(service, day).end
    try:
        track = service.timeline.track(BASE)
    except NotFound:
        track = None
    rate = None if track is None else track.rate_on(start) or track.rate_on(day)
    if rate is None:
        raise RuleViolation(
            "promotion.service", f"service {service.id} has no recurring price to discount"
        )
    discount = promotion_discount(promotion, start, rate.schedule, {BASE})
    changed = done._evolved(timeline=done.timeline.with_discount(discount))
    details = (("promotion", promotion.code), ("from", start.isoformat()))
    outcome = Outcome(changed, (event(changed, EventKind.UPDATED, at, details),))
    return billed(outcome, day)
