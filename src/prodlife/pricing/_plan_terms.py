"""The checks of what a price plan holds besides its rows: options, discounts, taxes.

A :class:`~prodlife.pricing.PricePlan` is where every money term of a sale is
stored: its rows' rates and setup fees, and the configurable options, the
additive discounts, the tax rates, the price basis and the rounding that its
orders and option changes are priced with. The use cases read them from the
stored plan, never from the caller. This module holds the rules those parts
break (the rows' own rules are in :mod:`prodlife.pricing.plans`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prodlife.catalog._findings import Finding, duplicates
from prodlife.catalog._findings import is_a as _is
from prodlife.money import ROUNDING_MODES, Currency
from prodlife.pricing.discounts import AdditiveDiscount
from prodlife.pricing.options import ConfigurableOption
from prodlife.pricing.tax_rules import TaxRules
from prodlife.pricing.taxes import PriceBasis, TaxRate

if TYPE_CHECKING:
    from prodlife.pricing.plans import PricePlan

__all__ = ["check_plan_terms", "discount_tuple", "option_tuple", "tax_tuple"]


def option_tuple(values: Iterable[ConfigurableOption]) -> tuple[ConfigurableOption, ...]:
    """The plan's options as a tuple (a converter, so any iterable is accepted)."""
    return tuple(values)


def discount_tuple(values: Iterable[AdditiveDiscount]) -> tuple[AdditiveDiscount, ...]:
    """The plan's discounts as a tuple."""
    return tuple(values)


def tax_tuple(values: Iterable[TaxRate]) -> tuple[TaxRate, ...]:
    """The plan's tax rates as a tuple."""
    return tuple(values)


def _typed(values: tuple[object, ...], kind: type, what: str, rule: str) -> list[Finding]:
    if all(_is(value, kind) for value in values):
        return []
    return [(rule, f"every {what} of a price plan must be a {kind.__name__}")]


def _currency(plan: PricePlan) -> list[Finding]:
    """Option prices and discount amounts in the plan's currency."""
    found: list[Finding] = []
    currency: Currency = plan.currency
    for option in plan.options:
        if not _is(option, ConfigurableOption):
            continue
        other = {price.currency for choice in option.choices for _, price in choice.prices}
        if other - {currency}:
            found.append(
                (
                    "plan.currency",
                    f"option {option.code!r} is priced in {sorted(map(str, other))[0]}, not in "
                    f"the plan's {currency}; put it in a plan of that currency",
                )
            )
    for discount in plan.discounts:
        amount = discount.amount if _is(discount, AdditiveDiscount) else None
        if amount is not None and amount.currency != currency:
            found.append(
                (
                    "plan.currency",
                    f"discount {discount.code!r} takes off {amount}, not an amount in the "
                    f"plan's {currency}; give it in {currency} or as a percent",
                )
            )
    return found


def check_plan_terms(plan: PricePlan) -> list[Finding]:
    """Every rule the options, discounts, taxes, basis and rounding of ``plan`` break.

    ``plan.option``, ``plan.discount``, ``plan.tax``: each is of its kind and
    its code is used once in the plan, its tax rules are
    :class:`~prodlife.pricing.TaxRules` and it has not both taxes and tax
    rules; ``plan.currency``: option prices and
    discount amounts are in the plan's currency; ``plan.basis``: a
    :class:`~prodlife.pricing.PriceBasis`; ``plan.rounding``: a decimal
    rounding mode.
    """
    found = _typed(plan.options, ConfigurableOption, "option", "plan.option")
    found += _typed(plan.discounts, AdditiveDiscount, "discount", "plan.discount")
    found += _typed(plan.taxes, TaxRate, "tax rate", "plan.tax")
    if found:
        return found
    for rule, what, codes in (
        ("plan.option", "option", [option.code for option in plan.options]),
        ("plan.discount", "discount", [discount.code for discount in plan.discounts]),
        ("plan.tax", "tax rate", [rate.code for rate in plan.taxes]),
    ):
        for code in duplicates(codes):
            found.append((rule, f"{what} {code!r} is given twice; keep one"))
    rules: object = plan.tax_rules
    if rules is not None and not isinstance(rules, TaxRules):
        found.append(("plan.tax", f"tax rules {rules!r} must be TaxRules or None"))
    elif rules is not None and plan.taxes:
        found.append(
            (
                "plan.tax",
                "a plan has either taxes (the same everywhere) or tax_rules (by the "
                "customer's location), not both; keep one",
            )
        )
    basis: object = plan.basis
    if not isinstance(basis, PriceBasis):
        found.append(("plan.basis", f"basis {basis!r} must be PriceBasis.EXCLUSIVE or INCLUSIVE"))
    rounding: object = plan.rounding
    if not isinstance(rounding, str) or rounding not in ROUNDING_MODES:
        found.append(
            (
                "plan.rounding",
                f"rounding {rounding!r} must be a decimal rounding mode, e.g. 'ROUND_HALF_UP'",
            )
        )
    return found + _currency(plan)
