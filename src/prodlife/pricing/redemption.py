"""Redeeming a promo code: finding it, and every reason it can be refused.

A :class:`PromotionUse` says who enters a code, when, for which product and
cycle; :func:`check_promotion` refuses a code with a :class:`PromotionRefused`
naming its :class:`RefusalReason` and what to do, and :func:`refusals` lists
every reason at once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._findings import is_date as _is_date
from prodlife.catalog._findings import is_text as _is_text
from prodlife.catalog._findings import raise_first
from prodlife.cycles import BillingCycle
from prodlife.errors import RuleViolation, ValidationError
from prodlife.pricing.promotions import Promotion, check_promotion_codes

__all__ = [
    "PromotionRefused",
    "PromotionUse",
    "RefusalReason",
    "check_promotion",
    "find_promotion",
    "refusals",
]


class RefusalReason(enum.Enum):
    """Why a code is refused, in the order :func:`check_promotion` checks them.

    A code that does not exist comes first. Then the reasons no change to the
    order can fix (dates, use limits, who the customer is), and last the ones
    the customer fixes by changing the order (product, cycle), so nobody is
    sent to change their order only to be told the code is unusable anyway.
    """

    UNKNOWN_CODE = "unknown-code"
    NOT_STARTED = "not-started"
    EXPIRED = "expired"
    USES_EXHAUSTED = "uses-exhausted"
    CUSTOMER_USES_EXHAUSTED = "customer-uses-exhausted"
    NEW_CUSTOMERS_ONLY = "new-customers-only"
    PRODUCT_NOT_ELIGIBLE = "product-not-eligible"
    CYCLE_NOT_ELIGIBLE = "cycle-not-eligible"


class PromotionRefused(RuleViolation):
    """A promo code cannot be used for this order; the message says why and what to do.

    Attributes:
        reason: the :class:`RefusalReason`; ``rule`` is ``"promotion."`` + its value.
        subject: the code as the customer entered it (or the promotion's code).
    """

    def __init__(self, reason: RefusalReason, message: str, code: str) -> None:
        self.reason = reason
        super().__init__(f"promotion.{reason.value}", message, code)


def _promotion(value: object) -> Promotion:
    if not isinstance(value, Promotion):
        raise ValidationError(f"{value!r} is not a Promotion")
    return value


def find_promotion(promotions: Iterable[Promotion], code: str) -> Promotion:
    """Find the promotion a customer's code names, ignoring case and surrounding spaces.

    Raises:
        PromotionRefused: no promotion has that code (reason ``UNKNOWN_CODE``).
        RuleViolation: two promotions share the code (rule ``promotion.duplicate-code``).
        ValidationError: ``code`` is not text, or a promotion is not a Promotion.
    """
    if not isinstance(code, str):
        raise ValidationError(f"promo code {code!r} must be text, e.g. 'SPRING25'")
    wanted = code.strip().casefold()
    given: object = promotions
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise ValidationError(f"promotions {given!r} must be a list of Promotion")
    matches = [
        promotion for promotion in promotions if _promotion(promotion).code.casefold() == wanted
    ]
    raise_first(check_promotion_codes(matches), code)
    if not matches:
        raise PromotionRefused(
            RefusalReason.UNKNOWN_CODE,
            f"promo code {code.strip()!r} does not exist; check its spelling (case does not "
            "matter) or remove it from the order",
            code.strip(),
        )
    return matches[0]


@attrs.frozen(slots=True)
class PromotionUse:
    """What deciding on a code needs to know about the order it is entered on.

    Args:
        on: the day the code is entered (the order date).
        product_code: the product ordered.
        cycle: the billing cycle ordered.
        customer_id: who orders.
        uses_so_far: how many times the code has been used by everyone.
        customer_uses_so_far: how many times this customer has used it.
        customer_is_new: whether the customer has no services or orders yet.

    Raises:
        ValidationError: a value has the wrong type, or a count is negative.
    """

    on: date
    product_code: str
    cycle: BillingCycle
    customer_id: str
    uses_so_far: int = 0
    customer_uses_so_far: int = 0
    customer_is_new: bool = False

    def __attrs_post_init__(self) -> None:
        checks = (
            ("on", _is_date(self.on), "a datetime.date, the order date"),
            ("cycle", isinstance(self.cycle, BillingCycle), "a BillingCycle, e.g. MONTHLY"),
            ("product_code", _is_text(self.product_code), "non-empty text"),
            ("customer_id", _is_text(self.customer_id), "non-empty text"),
            ("uses_so_far", is_whole(self.uses_so_far, 0), "a whole number >= 0"),
            (
                "customer_uses_so_far",
                is_whole(self.customer_uses_so_far, 0),
                "a whole number >= 0",
            ),
            ("customer_is_new", isinstance(self.customer_is_new, bool), "True or False"),
        )
        for name, ok, expected in checks:
            if not ok:
                raise ValidationError(f"{name} {getattr(self, name)!r} must be {expected}")


def _by_length(cycles: frozenset[BillingCycle]) -> list[str]:
    return [str(cycle) for cycle in sorted(cycles, key=lambda cycle: cycle.nominal_days)]


def _refusal(p: Promotion, use: PromotionUse, reason: RefusalReason) -> PromotionRefused:
    code = f"promo code {p.code!r}"
    message = {
        RefusalReason.NOT_STARTED: f"{code} starts on {p.starts}; use it from that day on",
        RefusalReason.EXPIRED: f"{code} expired on {p.expires} and no longer works; remove it "
        "from the order or use a current code",
        RefusalReason.USES_EXHAUSTED: f"{code} has reached its limit of {p.max_uses} uses "
        "and no longer works; remove it from the order",
        RefusalReason.CUSTOMER_USES_EXHAUSTED: f"customer {use.customer_id!r} has used {code} "
        f"{use.customer_uses_so_far} times and it allows {p.max_uses_per_customer} per "
        "customer; remove it from the order",
        RefusalReason.NEW_CUSTOMERS_ONLY: f"{code} is for new customers only and customer "
        f"{use.customer_id!r} already has orders; remove it from the order",
        RefusalReason.PRODUCT_NOT_ELIGIBLE: f"{code} does not apply to product "
        f"{use.product_code!r}; order one of {sorted(p.products)} or remove the code",
        RefusalReason.CYCLE_NOT_ELIGIBLE: f"{code} does not apply to the {use.cycle} billing "
        f"cycle; choose one of {_by_length(p.billing_cycles)} or remove the code",
    }[reason]
    return PromotionRefused(reason, message, p.code)


def refusals(promotion: Promotion, use: PromotionUse) -> list[RefusalReason]:
    """Every reason ``promotion`` is refused for ``use``, in :class:`RefusalReason` order.

    An empty list means the code is accepted.

    Raises:
        ValidationError: the arguments are not a Promotion and a PromotionUse.
    """
    p, found = _promotion(promotion), []
    if not isinstance(use, PromotionUse):
        raise ValidationError(f"use {use!r} must be a PromotionUse")
    if p.starts is not None and use.on < p.starts:
        found.append(RefusalReason.NOT_STARTED)
    if p.expires is not None and use.on >= p.expires:
        found.append(RefusalReason.EXPIRED)
    if p.max_uses is not None and use.uses_so_far >= p.max_uses:
        found.append(RefusalReason.USES_EXHAUSTED)
    limit = p.max_uses_per_customer
    if limit is not None and use.customer_uses_so_far >= limit:
        found.append(RefusalReason.CUSTOMER_USES_EXHAUSTED)
    if p.new_customers_only and not use.customer_is_new:
        found.append(RefusalReason.NEW_CUSTOMERS_ONLY)
    if p.products and use.product_code not in p.products:
        found.append(RefusalReason.PRODUCT_NOT_ELIGIBLE)
    if p.billing_cycles and use.cycle not in p.billing_cycles:
        found.append(RefusalReason.CYCLE_NOT_ELIGIBLE)
    return found


def check_promotion(promotion: Promotion, use: PromotionUse) -> None:
    """Refuse ``promotion`` for ``use`` with the first reason :func:`refusals` finds.

    Raises:
        PromotionRefused: the code cannot be used; ``reason`` says why.
        ValidationError: the arguments are not a Promotion and a PromotionUse.
    """
    for reason in refusals(promotion, use):
        raise _refusal(promotion, use, reason)
