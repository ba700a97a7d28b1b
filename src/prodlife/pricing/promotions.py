# Over 400 lines: one value and its rules: a promotion, what it may be and what it does to
# a price; why a code is refused is in pricing/redemption.py.
"""Promotions: promo codes that discount a price, and every reason a code is refused.

A :class:`Promotion` takes a percentage or a fixed amount off the recurring
price, overrides it with its own price, or waives the setup fee (seed 003's
promo codes). It lasts for the first payment only, for ``cycles`` payments, or
for ever, and may be limited to some products and billing cycles, to dates
(``starts`` included, ``expires`` the first day it no longer works), to a
number of uses in all and per customer, and to new customers.

Two steps, on purpose apart:

* when a customer enters a code, :func:`find_promotion` finds it (codes ignore
  case and the spaces around them) and :func:`check_promotion` refuses it with
  a :class:`PromotionRefused` naming the first :class:`RefusalReason`;
  :func:`refusals` lists them all;
* for each payment after that, :func:`apply_promotion` computes the discount.
  Dates and limits are not checked again: a code accepted before it expired
  keeps its discount for its whole duration.

Discounts are exact (a quarter of USD 9.99 stays ``2.4975``); rounding is the
quote's. A discount is never negative and never more than the amount it comes
off, so no line goes below zero. A promotion never raises a price: a price
override above the list price gives no discount.

==============================  ===================================================
rule                            condition
==============================  ===================================================
``promotion.kind``              kind and duration are members of their enums
``promotion.value``             a percentage is 0 < p <= 100; a fixed amount is
                                positive Money; an override is Money >= 0; free
                                setup has no value
``promotion.cycles``            ``cycles`` is a whole number >= 1 for ``CYCLES``,
                                and ``None`` for the other durations
``promotion.billing-cycles``    every eligible cycle is a ``BillingCycle``
``promotion.dates``             dates are ``date`` values; ``expires`` after ``starts``
``promotion.limits``            use limits are whole numbers >= 1, or ``None``
``promotion.setup``             a price override does not apply to the setup fee
``promotion.currency``          an amount promotion discounts prices of its currency
``promotion.duplicate-code``    no two promotions share a code, ignoring case
``promotion.<reason>``          a refusal, e.g. ``promotion.expired`` (see
                                :class:`RefusalReason` for the order they are checked)
==============================  ===================================================

>>> from datetime import date
>>> from prodlife import ANNUAL, MONTHLY, Money
>>> from prodlife.pricing.redemption import PromotionUse, check_promotion, find_promotion
>>> spring = Promotion("SPRING", PromotionKind.PERCENTAGE, Decimal(20),
...                    PromotionDuration.CYCLES, cycles=3, expires=date(2025, 6, 1))
>>> use = PromotionUse(date(2025, 5, 31), "VPS-S", MONTHLY, "C-7")
>>> check_promotion(find_promotion([spring], " spring"), use)
>>> effect = apply_promotion(spring, Money("9.99", "USD"), None, cycle_number=3)
>>> effect.applies, effect.recurring_discount
(True, Money('1.998', 'USD'))
>>> apply_promotion(spring, Money("9.99", "USD"), None, cycle_number=4).recurring_discount
Money('0', 'USD')
>>> check_promotion(spring, attrs.evolve(use, on=date(2025, 6, 1)))
Traceback (most recent call last):
...
prodlife.pricing.redemption.PromotionRefused: promo code 'SPRING' expired on 2025-06-01 and no
longer works; remove it from the order or use a current code (rule promotion.expired)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._findings import Finding, check_code, frozen_codes, raise_first
from prodlife.catalog._findings import is_date as _is_date
from prodlife.cycles import BillingCycle
from prodlife.errors import InvalidAmount, RuleViolation, ValidationError
from prodlife.money import CONTEXT, Money, checked, to_decimal

__all__ = [
    "Promotion",
    "PromotionDuration",
    "PromotionEffect",
    "PromotionKind",
    "apply_promotion",
    "check_promotion_codes",
    "check_promotion_definition",
]


class PromotionKind(enum.Enum):
    """What a promotion does to the price."""

    #: Takes ``value`` percent (a Decimal, 0 < value <= 100) off the recurring price.
    PERCENTAGE = "percentage"
    #: Takes ``value`` (Money) off the recurring price, down to zero at most.
    FIXED_AMOUNT = "fixed-amount"
    #: Charges ``value`` (Money) instead of the recurring price, when that is lower.
    PRICE_OVERRIDE = "price-override"
    #: Waives the whole setup fee; has no value.
    FREE_SETUP = "free-setup"


class PromotionDuration(enum.Enum):
    """For which payments a promotion applies; payment 1 is the first."""

    #: The first payment only.
    FIRST_PAYMENT = "first-payment"
    #: Payments 1 to ``cycles``.
    CYCLES = "cycles"
    #: Every payment.
    FOREVER = "forever"


def _decimal_or_keep(value: object) -> object:
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            return to_decimal(value, "percentage")
        except InvalidAmount:
            return value
    return value


def _cycle_set(values: Iterable[BillingCycle] | BillingCycle) -> frozenset[BillingCycle]:
    return frozenset([values] if isinstance(values, BillingCycle) else values)


@attrs.frozen(slots=True)
class Promotion:
    """A promo code: what it takes off, for how long, and who may use it when.

    Args:
        code: the code customers enter; matched ignoring case (see :func:`find_promotion`).
        kind: what it does (see :class:`PromotionKind`).
        value: a percentage as a Decimal (ints and numeric strings are converted)
            for ``PERCENTAGE``; Money for ``FIXED_AMOUNT`` and ``PRICE_OVERRIDE``;
            ``None`` for ``FREE_SETUP``.
        duration: for which payments it applies (see :class:`PromotionDuration`).
        cycles: how many payments, for ``CYCLES`` only.
        products: the product codes it applies to; empty for every product.
        billing_cycles: the billing cycles it applies to; empty for every cycle.
        starts: the first day it can be entered; ``None`` for no start.
        expires: the first day it can no longer be entered; ``None`` for never.
        max_uses: how many times it can be used in all; ``None`` for no limit.
        max_uses_per_customer: how many times one customer can use it.
        new_customers_only: whether only customers with nothing yet may use it.
        applies_to_setup: whether a percentage or fixed amount also comes off
            the setup fee (the same percentage, or the same amount again).
            ``FREE_SETUP`` always does; ``PRICE_OVERRIDE`` never can.

    Raises:
        RuleViolation: a rule in the module's table is broken.
    """

    code: str
    kind: PromotionKind
    value: Decimal | Money | None = attrs.field(converter=_decimal_or_keep)
    duration: PromotionDuration = PromotionDuration.FIRST_PAYMENT
    cycles: int | None = None
    products: frozenset[str] = attrs.field(default=frozenset(), converter=frozen_codes)
    billing_cycles: frozenset[BillingCycle] = attrs.field(default=frozenset(), converter=_cycle_set)
    starts: date | None = None
    expires: date | None = None
    max_uses: int | None = None
    max_uses_per_customer: int | None = None
    new_customers_only: bool = False
    applies_to_setup: bool = False

    def __attrs_post_init__(self) -> None:
        raise_first(check_promotion_definition(self), self.code)

    def applies_in_cycle(self, cycle_number: int) -> bool:
        """Whether it still applies to payment ``cycle_number`` (1 is the first).

        >>> Promotion("X", PromotionKind.FREE_SETUP, None).applies_in_cycle(2)
        False
        """
        if self.duration is PromotionDuration.FOREVER:
            return True
        if self.duration is PromotionDuration.CYCLES:
            return cycle_number <= (self.cycles or 0)
        return cycle_number == 1

    def describe(self) -> str:
        """A short description for a quote line.

        >>> Promotion("X", PromotionKind.PERCENTAGE, 15, PromotionDuration.CYCLES,
        ...           cycles=3).describe()
        '15% off, for the first 3 payments'
        """
        what = {
            PromotionKind.PERCENTAGE: f"{self.value}% off",
            PromotionKind.FIXED_AMOUNT: f"{self.value} off",
            PromotionKind.PRICE_OVERRIDE: f"price {self.value}",
            PromotionKind.FREE_SETUP: "free setup",
        }[self.kind]
        if self.kind is not PromotionKind.FREE_SETUP and self.applies_to_setup:
            what += " (setup fee too)"
        when = {
            PromotionDuration.FIRST_PAYMENT: "for the first payment",
            PromotionDuration.CYCLES: f"for the first {self.cycles} payments",
            PromotionDuration.FOREVER: "for every payment",
        }[self.duration]
        return f"{what}, {when}"


def _value_problem(p: Promotion) -> str | None:
    value, kind = p.value, p.kind
    if kind is PromotionKind.PERCENTAGE:
        if isinstance(value, Decimal) and value.is_finite() and 0 < value <= 100:
            return None
        return f"percentage {value!r} must be a Decimal above 0 and at most 100, e.g. 12.5"
    if kind is PromotionKind.FREE_SETUP:
        return None if value is None else f"free setup takes no value, not {value!r}; pass None"
    fixed = kind is PromotionKind.FIXED_AMOUNT
    if isinstance(value, Money) and (value.amount > 0 if fixed else value.amount >= 0):
        return None
    what = "fixed amount" if fixed else "override price"
    least = "above zero" if fixed else "of zero or more"
    return f"{what} {value!r} must be Money {least}, e.g. Money('5.00', 'USD')"


def check_promotion_definition(promotion: Promotion) -> list[Finding]:
    """Every rule ``promotion`` breaks as a definition (see the module's table)."""
    p = promotion
    found: list[Finding] = []
    enums: tuple[object, object] = (p.kind, p.duration)
    if not isinstance(enums[0], PromotionKind) or not isinstance(enums[1], PromotionDuration):
        found.append(
            (
                "promotion.kind",
                f"kind {p.kind!r} and duration {p.duration!r} must be a PromotionKind and a "
                "PromotionDuration, e.g. PromotionKind.PERCENTAGE, PromotionDuration.FOREVER",
            )
        )
        return _named(p, found)
    value_problem = _value_problem(p)
    if value_problem is not None:
        found.append(("promotion.value", value_problem))
    lasts_cycles = p.duration is PromotionDuration.CYCLES
    if lasts_cycles != is_whole(p.cycles, 1):
        fix = "a whole number of at least 1" if lasts_cycles else "None unless duration is CYCLES"
        found.append(("promotion.cycles", f"cycles {p.cycles!r} must be {fix}"))
    for product in sorted(p.products, key=str):
        found += check_code(product, "product")
    if any(not isinstance(cycle, BillingCycle) for cycle in p.billing_cycles):
        cycles = sorted(map(repr, p.billing_cycles))
        found.append(
            (
                "promotion.billing-cycles",
                f"billing cycles {cycles} must all be BillingCycle values, e.g. MONTHLY",
            )
        )
    starts, expires = p.starts, p.expires
    for name, day in (("starts", starts), ("expires", expires)):
        if day is not None and not _is_date(day):
            found.append(("promotion.dates", f"{name} {day!r} must be a datetime.date or None"))
    if starts and expires and _is_date(starts) and _is_date(expires) and expires <= starts:
        found.append(
            (
                "promotion.dates",
                f"expires {expires} must be after starts {starts} (expires is the first day "
                "the code no longer works)",
            )
        )
    for name, limit in (
        ("max_uses", p.max_uses),
        ("max_uses_per_customer", p.max_uses_per_customer),
    ):
        if limit is not None and not is_whole(limit, 1):
            found.append(
                ("promotion.limits", f"{name} {limit!r} must be a whole number >= 1, or None")
            )
    if p.kind is PromotionKind.PRICE_OVERRIDE and p.applies_to_setup:
        found.append(
            (
                "promotion.setup",
                "a price override sets the recurring price only; set applies_to_setup=False "
                "and add a FREE_SETUP promotion for the setup fee",
            )
        )
    return _named(p, found)


def _named(p: Promotion, found: list[Finding]) -> list[Finding]:
    named = [(rule, f"promo code {p.code!r}: {message}") for rule, message in found]
    return check_code(p.code, "promo") + named


def check_promotion_codes(promotions: Iterable[Promotion]) -> list[Finding]:
    """Codes that clash ignoring case (rule ``promotion.duplicate-code``), one finding each.

    Raises:
        ValidationError: an item is not a :class:`Promotion`.
    """
    seen: dict[str, str] = {}
    found: list[Finding] = []
    for promotion in promotions:
        if not isinstance(promotion, Promotion):
            raise ValidationError(f"{promotion!r} is not a Promotion")
        key = promotion.code.casefold()
        if key in seen:
            found.append(
                (
                    "promotion.duplicate-code",
                    f"promo codes {seen[key]!r} and {promotion.code!r} are the same code "
                    "(codes ignore case); rename one",
                )
            )
        else:
            seen[key] = promotion.code
    return found


@attrs.frozen(slots=True)
class PromotionEffect:
    """What a promotion takes off one payment: amounts to subtract, exact and unrounded.

    Attributes:
        code: the promotion's code.
        cycle_number: the payment (1 is the first).
        applies: whether the promotion still applies to this payment.
        recurring_discount: what comes off the recurring price (zero or more,
            at most the price).
        setup_discount: what comes off the setup fee (zero when there is none).
    """

    code: str
    cycle_number: int
    applies: bool
    recurring_discount: Money
    setup_discount: Money

    @property
    def total(self) -> Money:
        """Both discounts together."""
        return self.recurring_discount + self.setup_discount


def _off(promotion: Promotion, amount: Money, *, setup: bool) -> Money:
    zero = Money.zero(amount.currency)
    value, kind = promotion.value, promotion.kind
    if kind is PromotionKind.FREE_SETUP:
        return amount if setup else zero
    if setup and not promotion.applies_to_setup:
        return zero
    if isinstance(value, Decimal):
        share = CONTEXT.divide(CONTEXT.multiply(amount.amount, value), 100)
        return min(checked(share, amount.currency), amount)
    if not isinstance(value, Money) or value.currency != amount.currency:
        raise RuleViolation(
            "promotion.currency",
            f"promo code {promotion.code!r} is worth {value} but the price is {amount}; define "
            f"the promotion in {amount.currency} for prices in {amount.currency}",
            promotion.code,
        )
    if kind is PromotionKind.FIXED_AMOUNT:
        return min(value, amount)
    return max(zero, amount - value)


def apply_promotion(
    promotion: Promotion, recurring: Money, setup: Money | None = None, cycle_number: int = 1
) -> PromotionEffect:
    """The discount ``promotion`` gives on payment ``cycle_number`` (1 is the first).

    It does not check dates or limits again (see :func:`check_promotion`).

    Args:
        promotion: the accepted promotion.
        recurring: the recurring price of that payment, zero or more.
        setup: the setup fee charged with it, if any, in the same currency.
        cycle_number: which payment, 1 for the first.

    Returns:
        The discounts; both zero when the promotion no longer applies.

    Raises:
        ValidationError: ``promotion`` is not a Promotion, a price is not Money
            of zero or more or is in another currency than the recurring
            price, or ``cycle_number`` is not a whole number >= 1.
        RuleViolation: a fixed amount or override is in another currency
            (rule ``promotion.currency``).

    >>> from prodlife import Money
    >>> cap = Promotion("CAP", PromotionKind.PRICE_OVERRIDE, Money("12.00", "USD"),
    ...                 PromotionDuration.FOREVER)
    >>> apply_promotion(cap, Money("10.00", "USD"), None, 7).recurring_discount
    Money('0', 'USD')
    """
    if not isinstance(promotion, Promotion):
        raise ValidationError(f"promotion {promotion!r} must be a Promotion")
    if not isinstance(recurring, Money):
        raise ValidationError(f"recurring price {recurring!r} must be Money of zero or more")
    if not is_whole(cycle_number, 1):
        raise ValidationError(
            f"cycle_number {cycle_number!r} must be a whole number of at least 1 (1 is the "
            "first payment)"
        )
    for name, price in (("recurring", recurring), ("setup", setup)):
        if price is not None and (not isinstance(price, Money) or price.amount < 0):
            raise ValidationError(f"{name} price {price!r} must be Money of zero or more")
    if setup is not None and setup.currency != recurring.currency:
        raise ValidationError(
            f"setup fee {setup} and recurring price {recurring} must share a currency"
        )
    zero = Money.zero(recurring.currency)
    if not promotion.applies_in_cycle(cycle_number):
        return PromotionEffect(promotion.code, cycle_number, False, zero, zero)
    recurring_off = _off(promotion, recurring, setup=False)
    setup_off = zero if setup is None else _off(promotion, setup, setup=True)
    return PromotionEffect(promotion.code, cycle_number, True, recurring_off, setup_off)
