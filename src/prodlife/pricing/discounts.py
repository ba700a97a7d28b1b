"""Additive discounts: taken off a line after the price plan's and usage catalog's discounts.

Seed 004: "additive discounts are used to apply discounts to products after
discounts provided through price plans or usage service catalogs". An
:class:`AdditiveDiscount` takes a percentage or a fixed amount off, for some
products (or all) and between dates; :func:`apply_discounts` applies them to a
line and explains each step in a :class:`DiscountResult`.

**Order of application.** First the plan discount (what the price plan or the
usage service catalog already takes off, as one amount), then the additive
discounts **in the order given**. Each one is computed on the amount remaining
after the ones before it: a percentage is a percentage of that running amount,
so two 10 % discounts take 19 %, not 20 %, and a fixed amount before a
percentage leaves less than after it (10 % then EUR 5 on EUR 100 leaves 85.00;
EUR 5 then 10 % leaves 85.50). Discounts that are only percentages give the
same result in any order, as do discounts that are only fixed amounts.

**Never below zero.** Each discount is capped at the running amount, so a line
never goes below zero; the cap is visible (``amount`` below ``exact``).

**Exact.** Discounts are not rounded (33.33 % of EUR 10.00 is EUR 3.333);
rounding is the quote's, once per line. The applied amounts
add up exactly to ``amount - final`` as long as the numbers fit prodlife's 34
significant digits, which they do for real amounts and percentages with a few
decimals.

============================  ======================================================
rule                          condition
============================  ======================================================
``code.format``               a discount's code, and each product code, is text with
                              no spaces at either end
``discount.name``             a discount has a name
``discount.value``            exactly one of ``percent`` (0 < p <= 100, never a
                              float) and ``amount`` (positive Money) is given
``discount.validity``         validity bounds are dates; the end is after the start
``discount.currency``         a fixed amount is in the line's currency
``discount.duplicate-code``   a discount is given once per line
``discount.line``             the line's amount is Money >= 0, the plan discount
                              Money >= 0, the date a ``date``, the product a code
============================  ======================================================

>>> from datetime import date
>>> from decimal import Decimal
>>> from prodlife import Money
>>> loyalty = AdditiveDiscount("LOYAL", "Loyalty 10 %", percent=Decimal(10))
>>> bundle = AdditiveDiscount("TV-PACK", "TV pack", amount=Money("5.00", "EUR"),
...                           products={"TV-BASIC"})
>>> result = apply_discounts(Money("60.00", "EUR"), Money("10.00", "EUR"), [loyalty, bundle],
...                          "TV-BASIC", date(2025, 3, 1))
>>> [(step.code, step.base.amount, step.amount.amount) for step in result.applied]
[('plan', Decimal('60.00'), Decimal('10.00')), ('LOYAL', Decimal('50.00'), Decimal('5.0000')),
 ('TV-PACK', Decimal('45.0000'), Decimal('5.00'))]
>>> result.final
Money('40.0000', 'EUR')
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs

from prodlife.catalog._findings import Finding, check_code, frozen_codes, raise_first
from prodlife.catalog._findings import is_date as _is_date
from prodlife.catalog.products import Validity
from prodlife.errors import RuleViolation
from prodlife.money import Money
from prodlife.pricing.taxes import _usable_percent

__all__ = [
    "PLAN_DISCOUNT",
    "AdditiveDiscount",
    "AppliedDiscount",
    "DiscountResult",
    "SkipReason",
    "SkippedDiscount",
    "apply_discounts",
    "check_additive_discount",
]

#: The code the plan discount (price plan or usage catalog) is listed under.
PLAN_DISCOUNT = "plan"

_HUNDRED = Decimal(100)


def _percent(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else _usable_percent(value, "discount.value", "discount")


class SkipReason(enum.Enum):
    """Why an additive discount did not apply to a line."""

    #: The discount is for other products.
    OTHER_PRODUCT = "other-product"
    #: The line's date is before the discount's validity starts.
    NOT_STARTED = "not-started"
    #: The line's date is on or after the discount's validity ends.
    ENDED = "ended"


@attrs.frozen(slots=True)
class AdditiveDiscount:
    """A discount taken off a line after the plan's discounts: a percentage or an amount.

    Args:
        code: its code.
        name: a display name.
        percent: the percentage of the running amount it takes off, 0 < p <= 100
            (a ``Decimal``, int or numeric string, never a float); or ``None``.
        amount: the fixed amount it takes off; or ``None``. Exactly one of
            ``percent`` and ``amount`` is given.
        products: the codes of the products it applies to (one code or
            several); empty for every product.
        validity: the dates it applies on (half-open, like a product's).

    Raises:
        RuleViolation: a rule the discount checks alone is broken (see the
            module's table).
    """

    code: str
    name: str
    percent: Decimal | None = attrs.field(default=None, converter=_percent)
    amount: Money | None = None
    products: frozenset[str] = attrs.field(factory=frozenset, converter=frozen_codes)
    validity: Validity = attrs.field(factory=Validity)

    def __attrs_post_init__(self) -> None:
        raise_first(check_additive_discount(self), self.code)

    def skip_reason(self, product_code: str, on: date) -> SkipReason | None:
        """Why it does not apply to ``product_code`` on ``on``, or ``None`` when it does.

        >>> from datetime import date
        >>> spring = AdditiveDiscount("SPRING", "Spring", percent=5,
        ...                           validity=Validity(date(2025, 3, 1), date(2025, 6, 1)))
        >>> spring.skip_reason("ANY", date(2025, 6, 1))
        <SkipReason.ENDED: 'ended'>
        """
        if self.products and product_code not in self.products:
            return SkipReason.OTHER_PRODUCT
        start, end = self.validity.start, self.validity.end
        if start is not None and on < start:
            return SkipReason.NOT_STARTED
        if end is not None and on >= end:
            return SkipReason.ENDED
        return None

    def applies_to(self, product_code: str, on: date) -> bool:
        """Whether it applies to a line of ``product_code`` on ``on``."""
        return self.skip_reason(product_code, on) is None


def check_additive_discount(discount: AdditiveDiscount) -> list[Finding]:
    """Every rule ``discount`` breaks on its own."""
    a = discount
    found = check_code(a.code, "discount")
    if not isinstance(a.name, str) or not a.name.strip():
        found.append(("discount.name", "a discount needs a name; give it one"))
    percent: object = a.percent
    amount: object = a.amount
    if (percent is None) == (amount is None):
        found.append(
            (
                "discount.value",
                "give exactly one of percent (e.g. percent=10) and amount (e.g. "
                "amount=Money('5.00', 'EUR'))",
            )
        )
    if isinstance(percent, Decimal) and not 0 < percent <= _HUNDRED:
        found.append(("discount.value", f"percent {percent} must be more than 0 and at most 100"))
    if amount is not None and (not isinstance(amount, Money) or amount.amount <= 0):
        found.append(
            ("discount.value", f"amount {amount!r} must be Money above zero, e.g. EUR 5.00")
        )
    for product in sorted(a.products, key=str):
        found += check_code(product, "product")
    start, end = a.validity.start, a.validity.end
    if any(bound is not None and not _is_date(bound) for bound in (start, end)):
        found.append(("discount.validity", f"validity bounds {start!r}, {end!r} must be dates"))
    elif start is not None and end is not None and end <= start:
        found.append(
            (
                "discount.validity",
                f"validity ends on {end}, not after it starts on {start}; the end date is the "
                "first day it no longer applies",
            )
        )
    return [(rule, f"discount {a.code!r}: {message}") for rule, message in found]


@attrs.frozen(slots=True)
class AppliedDiscount:
    """One discount taken off a line, with what it was taken from.

    Attributes:
        code: the discount's code (:data:`PLAN_DISCOUNT` for the plan discount).
        amount: what it took off: ``exact``, capped at ``base``; unrounded.
        exact: what the discount comes to before the cap: the percentage of
            ``base``, or the fixed amount; unrounded.
        base: the running amount it applied to, after the discounts before it.
    """

    code: str
    amount: Money
    exact: Money
    base: Money

    @property
    def capped(self) -> bool:
        """Whether the cap took less than the discount comes to (the line hit zero)."""
        return self.amount != self.exact


@attrs.frozen(slots=True)
class SkippedDiscount:
    """An additive discount that did not apply to the line, and why."""

    code: str
    reason: SkipReason


@attrs.frozen(slots=True)
class DiscountResult:
    """A discounted line: every discount applied, in order, and the final amount.

    Attributes:
        amount: the line's amount before any discount.
        applied: each discount taken off, in the order applied (the plan
            discount first, when one was given).
        skipped: each additive discount that did not apply, and why.
        final: what remains: ``amount`` minus every applied amount, never below zero.
    """

    amount: Money
    applied: tuple[AppliedDiscount, ...]
    skipped: tuple[SkippedDiscount, ...]
    final: Money

    @property
    def total(self) -> Money:
        """Everything taken off: the applied amounts' sum, which is ``amount - final``."""
        return self.amount - self.final


def _line_error(message: str) -> RuleViolation:
    return RuleViolation("discount.line", message)


def _check_line(
    amount: object,
    plan_discount: object,
    additive: object,
    product_code: object,
    on: object,
) -> None:
    if not isinstance(amount, Money) or amount.amount < 0:
        raise _line_error(
            f"line amount {amount!r} must be Money of zero or more; discounts apply to charges"
        )
    if plan_discount is not None:
        if not isinstance(plan_discount, Money) or plan_discount.amount < 0:
            raise _line_error(
                f"plan discount {plan_discount!r} must be Money of zero or more, or None"
            )
        if plan_discount.currency != amount.currency:
            raise RuleViolation(
                "discount.currency",
                f"plan discount {plan_discount} is not in the line's currency "
                f"{amount.currency}; give it in {amount.currency}",
            )
    if not isinstance(product_code, str):
        raise _line_error(f"product code {product_code!r} must be text, e.g. 'DSL-100'")
    if not _is_date(on):
        raise _line_error(f"date {on!r} must be a datetime.date (a billing date)")
    if not isinstance(additive, Sequence) or isinstance(additive, str):
        raise _line_error(f"additive discounts {additive!r} must be a sequence of them")
    codes: list[str] = []
    for discount in additive:
        if not isinstance(discount, AdditiveDiscount):
            raise _line_error(f"{discount!r} is not an AdditiveDiscount")
        if discount.code in codes:
            raise RuleViolation(
                "discount.duplicate-code",
                f"discount {discount.code!r} is given twice for one line; give it once",
                discount.code,
            )
        codes.append(discount.code)
        fixed = discount.amount
        if fixed is not None and fixed.currency != amount.currency:
            raise RuleViolation(
                "discount.currency",
                f"discount {discount.code!r} takes off {fixed}, but the line is in "
                f"{amount.currency}; define the discount in {amount.currency}",
                discount.code,
            )


def apply_discounts(
    amount: Money,
    plan_discount: Money | None,
    additive: Sequence[AdditiveDiscount],
    product_code: str,
    on: date,
) -> DiscountResult:
    """Take the plan discount, then each applicable additive discount, off a line.

    Args:
        amount: the line's amount (zero or more), usually unrounded.
        plan_discount: what the price plan or usage service catalog takes off,
            or ``None``; listed under :data:`PLAN_DISCOUNT`.
        additive: additive discounts, applied in this order to what remains;
            those not for ``product_code`` or not valid ``on`` are skipped.
        product_code: the line's product.
        on: the date the line is priced on.

    Returns:
        Every step, in order, and the final amount, never below zero; the
        applied amounts add up exactly to ``amount - final``.

    Raises:
        RuleViolation: an argument is unusable (rule ``discount.line``), an
            amount is in another currency (rule ``discount.currency``), or a
            discount is given twice (rule ``discount.duplicate-code``).

    >>> from datetime import date
    >>> from prodlife import Money
    >>> half = AdditiveDiscount("HALF", "Half off", percent=50)
    >>> big = AdditiveDiscount("BIG", "Big", amount=Money("30.00", "EUR"))
    >>> capped = apply_discounts(Money("40.00", "EUR"), None, [half, big], "X", date(2025, 1, 1))
    >>> capped.final, capped.applied[1].exact, capped.applied[1].amount, capped.applied[1].capped
    (Money('0.0000', 'EUR'), Money('30.00', 'EUR'), Money('20.0000', 'EUR'), True)
    """
    _check_line(amount, plan_discount, additive, product_code, on)
    running = amount
    applied: list[AppliedDiscount] = []
    skipped: list[SkippedDiscount] = []

    def take(code: str, exact: Money) -> None:
        nonlocal running
        taken = exact if exact <= running else running
        applied.append(AppliedDiscount(code, taken, exact, running))
        running = running - taken

    if plan_discount is not None:
        take(PLAN_DISCOUNT, plan_discount)
    for discount in additive:
        reason = discount.skip_reason(product_code, on)
        if reason is not None:
            skipped.append(SkippedDiscount(discount.code, reason))
        elif discount.percent is not None:
            take(discount.code, running * discount.percent.scaleb(-2))
        elif discount.amount is not None:
            take(discount.code, discount.amount)
    return DiscountResult(amount, tuple(applied), tuple(skipped), running)
