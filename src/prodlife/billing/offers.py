"""Promotions and additive discounts as timeline discounts: in force for the periods they cover.

A promo code "20 % off for 3 payments" is a :class:`~prodlife.billing.timeline.Discount`
from the day it is redeemed to the end of the third billing period of the
service's schedule (the first, possibly a stub, counts as one), so every one of
those periods' lines carries it and no other does; "forever" never ends.
An additive discount applies over its validity. Both apply to the subjects
named (the recurring price, options, add-ons), in the timeline's order.

>>> from datetime import date
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY, BillingSchedule
>>> from prodlife.pricing.promotions import Promotion, PromotionDuration, PromotionKind
>>> spring = Promotion("SPRING", PromotionKind.PERCENTAGE, 20, PromotionDuration.CYCLES, cycles=3)
>>> discount = promotion_discount(spring, date(2025, 1, 10),
...                               BillingSchedule(MONTHLY, date(2025, 1, 1)), {"WEB"})
>>> discount.start, discount.end, discount.value
(datetime.date(2025, 1, 10), datetime.date(2025, 4, 1), Decimal('20'))
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from prodlife.billing.timeline import Discount, DiscountKind
from prodlife.cycles import BillingSchedule
from prodlife.errors import RuleViolation
from prodlife.pricing.discounts import AdditiveDiscount
from prodlife.pricing.promotions import Promotion, PromotionDuration, PromotionKind

__all__ = ["additive_discount", "promotion_discount"]

_KINDS = {
    PromotionKind.PERCENTAGE: DiscountKind.PERCENT,
    PromotionKind.FIXED_AMOUNT: DiscountKind.AMOUNT,
    PromotionKind.PRICE_OVERRIDE: DiscountKind.PRICE,
}


def promotion_discount(
    promotion: Promotion, start: date, schedule: BillingSchedule, subjects: Iterable[str]
) -> Discount:
    """The discount ``promotion`` gives a service from ``start``, on its billing ``schedule``.

    Args:
        promotion: the accepted promo code (its limits checked already).
        start: the day it starts to apply (the order's start).
        schedule: the billing periods its payments count in.
        subjects: what it applies to (usually the product's code).

    Returns:
        A discount ending after the promotion's last payment (``None`` for
        ever). A free setup (or a percentage or amount that also applies to
        setup fees) applies to the subjects' one-time charges on ``start``'s
        payment.
    """
    duration = promotion.duration
    if duration is PromotionDuration.FOREVER:
        end = None
    else:
        payments = 1 if duration is PromotionDuration.FIRST_PAYMENT else promotion.cycles or 1
        end = schedule.boundary(schedule.index_of(start) + payments)
    description = f"promo {promotion.code}: {promotion.describe()}"
    if promotion.kind is PromotionKind.FREE_SETUP:
        return Discount(
            promotion.code,
            description,
            DiscountKind.PERCENT,
            Decimal(100),
            start,
            end,
            subjects,
            one_time=True,
            recurring=False,
        )
    value = promotion.value
    if value is None:  # pragma: no cover - a promotion checks its value
        raise RuleViolation("promotion.value", f"promo code {promotion.code!r} has no value")
    return Discount(
        promotion.code,
        description,
        _KINDS[promotion.kind],
        value,
        start,
        end,
        subjects,
        one_time=promotion.applies_to_setup,
    )


def additive_discount(discount: AdditiveDiscount, start: date, subjects: Iterable[str]) -> Discount:
    """The timeline discount of an additive discount, over its validity from ``start`` on.

    Args:
        discount: the additive discount.
        start: the earliest day it applies to this service (its start).
        subjects: what it applies to: the subjects among its products (or all).

    Raises:
        RuleViolation: its validity ends on or before ``start`` (rule
            ``timeline.discount``): it does not apply to this service.
    """
    begins = start if discount.validity.start is None else max(start, discount.validity.start)
    description = f"discount {discount.code}: {discount.name}"
    if discount.percent is not None:
        return Discount(
            discount.code,
            description,
            DiscountKind.PERCENT,
            discount.percent,
            begins,
            discount.validity.end,
            subjects,
        )
    assert discount.amount is not None  # an additive discount has one or the other
    return Discount(
        discount.code,
        description,
        DiscountKind.AMOUNT,
        discount.amount,
        begins,
        discount.validity.end,
        subjects,
    )
