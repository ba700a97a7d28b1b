"""The pricing context of a sale, read from its stored price plan.

Every money term of a sale comes from the stored
:class:`~prodlife.pricing.PricePlan`: its rows, options, additive discounts,
tax rates, price basis and rounding. :func:`context_from_plan` builds the
:class:`~prodlife.pricing.PricingContext` a use case prices an order with, and
refuses a caller's context that tries to bring terms of its own (a customer's
request must never choose its taxes or discounts). A plan taxing by location
(:attr:`~prodlife.pricing.PricePlan.tax_rules`) takes the customer's
:class:`~prodlife.pricing.tax_rules.Location` instead, and resolves the rates of
the products sold there.

>>> from datetime import date
>>> from prodlife import MONTHLY, Money
>>> from prodlife.pricing import PlanRate, PricePlan, Rate, TaxRate
>>> plan = PricePlan("STD", "Standard", "EUR",
...                  (PlanRate("WEB", MONTHLY, Rate.flat(Money("10.00", "EUR"))),),
...                  taxes=(TaxRate("VAT", "VAT", 20),))
>>> context_from_plan(plan, date(2026, 3, 1)).taxes
(TaxRate(code='VAT', name='VAT', percent=Decimal('20'), compound=False, kind=<TaxKind.TAX: 'tax'>),)
>>> context_from_plan(plan, date(2026, 3, 1), given=PricingContext(plan, date(2026, 3, 1)))
... # doctest: +ELLIPSIS
PricingContext(plan=PricePlan(code='STD', ...), ...)
>>> context_from_plan(plan, date(2026, 3, 1),
...                   given=PricingContext(plan, date(2026, 3, 1), taxes=()))  # doctest: +ELLIPSIS
PricingContext(...)
>>> context_from_plan(plan, date(2026, 3, 1),
...     given=PricingContext(plan, date(2026, 3, 1), taxes=(TaxRate("VAT5", "VAT", 5),)))
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: the pricing context brings its own taxes, but a sale is priced with
the taxes stored on price plan 'STD'; store them on the plan (PricePlan(taxes=...)) and leave
them out of the context (rule pricing.stored-terms)
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from datetime import date

import attrs

from prodlife.catalog.products import Product
from prodlife.errors import RuleViolation
from prodlife.pricing.order_line import PricingContext
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.tax_rules import Location
from prodlife.pricing.taxes import PriceBasis, TaxRate

__all__ = ["context_from_plan", "terms_given"]

#: The terms a price plan holds, with the value a context has when its caller leaves them out.
_TERMS: tuple[tuple[str, object], ...] = (
    ("options", ()),
    ("discounts", ()),
    ("taxes", ()),
    ("basis", PriceBasis.EXCLUSIVE),
    ("rounding", decimal.ROUND_HALF_UP),
)


def terms_given(given: PricingContext, plan: PricePlan) -> list[str]:
    """The names of the terms ``given`` sets to something other than ``plan``'s.

    A term left at its default (no options, discounts or taxes; exclusive
    prices; half-up rounding) is not given.
    """
    return [
        name
        for name, unset in _TERMS
        if getattr(given, name) != unset and getattr(given, name) != getattr(plan, name)
    ]


def _taxes(
    plan: PricePlan, products: Sequence[Product], location: Location | None
) -> tuple[TaxRate, ...]:
    """The tax rates of a sale of ``products`` at ``location`` under ``plan``."""
    if plan.tax_rules is None:
        return plan.taxes
    if location is None:
        raise RuleViolation(
            "pricing.location",
            f"price plan {plan.code!r} taxes by the customer's location; give the order's "
            "location, e.g. location=Location('FR')",
        )
    found = {product.code: plan.tax_rules.for_product(product, location) for product in products}
    if len(set(found.values())) > 1:
        raise RuleViolation(
            "pricing.mixed-taxes",
            f"in {location}, the products {sorted(found)} are taxed at different rates; "
            "order them separately (an order is taxed at one set of rates)",
        )
    return next(iter(found.values()), ())


def context_from_plan(
    plan: PricePlan,
    on: date,
    *,
    given: PricingContext | None = None,
    location: Location | None = None,
    products: Sequence[Product] = (),
) -> PricingContext:
    """The context to price a sale of ``on`` with: every term from the stored ``plan``.

    Args:
        plan: the stored price plan.
        on: the sale's billing date (plan rows and promotions are looked up on it).
        given: the caller's context, if any: its promotions, customer and
            counts are kept (the use case replaces them from the store); its
            options, discounts, taxes, basis and rounding must be left out
            or equal the plan's.
        location: where the customer is, for a plan with
            :attr:`~prodlife.pricing.PricePlan.tax_rules`.
        products: the products sold, whose tax codes the rules resolve.

    Raises:
        RuleViolation: ``given`` brings terms of its own (rule
            ``pricing.stored-terms``); a plan taxing by location without
            ``location`` (rule ``pricing.location``), or products taxed at
            different rates there (rule ``pricing.mixed-taxes``).
        NotFound: the plan's tax rules have no rate for a product's code at
            ``location``.
    """
    if given is None:
        given = PricingContext(plan, on)
    taxes = _taxes(plan, products, location)
    extra = [name for name in terms_given(given, plan) if name != "taxes" or given.taxes != taxes]
    if extra:
        names = ", ".join(extra)
        raise RuleViolation(
            "pricing.stored-terms",
            f"the pricing context brings its own {names}, but a sale is priced with the "
            f"{names} stored on price plan {plan.code!r}; store them on the plan "
            f"(PricePlan({extra[0]}=...)) and leave them out of the context",
        )
    return attrs.evolve(
        given,
        plan=plan,
        on=on,
        options=plan.options,
        discounts=plan.discounts,
        taxes=taxes,
        basis=plan.basis,
        rounding=plan.rounding,
    )
