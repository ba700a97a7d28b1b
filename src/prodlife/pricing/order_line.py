"""What an order line asks for, and what it is priced against: the inputs of a quote.

:class:`OrderLineSpec` is one line of an order (product, quantity, cycle, options, add-ons,
promo code, price override); :class:`PricingContext` is everything the line is priced
against (plan, date, options, promotions, discounts, taxes). Both check their fields when
made, so :func:`~prodlife.pricing.quote.quote_order_line` prices only well-formed input;
quantities are bounded by :data:`~prodlife.limits.MAX_SERVICE_QUANTITY` and
:data:`~prodlife.limits.MAX_QUANTITY`.

>>> OrderLineSpec("VPS", quantity=3, cycle="annually").cycle
ANNUAL
>>> OrderLineSpec("SEATS", 10**30)
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: quantity 1000000000000000000000000000000 is more than 1,000,000,
beyond prodlife.limits.MAX_SERVICE_QUANTITY; check where it comes from (rule quote.quantity)
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog.domains import TldPrices
from prodlife.cycles import BillingCycle
from prodlife.errors import InvalidRounding, RuleViolation, ValidationError
from prodlife.limits import MAX_QUANTITY, MAX_SERVICE_QUANTITY
from prodlife.money import ROUNDING_MODES, Money
from prodlife.periods import _require_date
from prodlife.pricing.discounts import AdditiveDiscount
from prodlife.pricing.options import ConfigurableOption
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion
from prodlife.pricing.taxes import PriceBasis, TaxRate
from prodlife.proration._share import require_money

_T = TypeVar("_T")

__all__ = ["AddonPick", "OptionPick", "OrderLineSpec", "PricingContext"]


def _is(kind: type | tuple[type, ...], what: str) -> Callable[[Any, Any, Any], None]:
    """An attrs validator refusing a value that is not a ``kind``."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise ValidationError(f"{what} {value!r} is not {_names(kind)}")

    return check


def _names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("None" if k is type(None) else f"a {k.__name__}" for k in kinds)


def _count(most: int, limit: str) -> Callable[[Any, Any, Any], None]:
    """An attrs validator for a quantity: an int or Decimal from 0 to ``most``."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, Decimal))
            or not (value.is_finite() if isinstance(value, Decimal) else True)
            or value < 0
        ):
            raise RuleViolation(
                "quote.quantity", f"quantity {value!r} must be a whole number of zero or more"
            )
        if value > most:
            raise RuleViolation(
                "quote.quantity",
                f"quantity {value} is more than {most:,}, beyond prodlife.limits.{limit}; check "
                "where it comes from",
            )

    return check


@attrs.frozen(slots=True)
class OptionPick:
    """A configurable option chosen on an order line: option code, choice code, quantity.

    Raises:
        ValidationError: a code is not text.
        RuleViolation: the quantity is not a number from 0 to
            :data:`~prodlife.limits.MAX_QUANTITY` (rule ``quote.quantity``).
    """

    option: str = attrs.field(validator=_is(str, "option code"))
    choice: str = attrs.field(validator=_is(str, "choice code"))
    quantity: int = attrs.field(default=1, validator=_count(MAX_QUANTITY, "MAX_QUANTITY"))


def _picks(values: Iterable[OptionPick]) -> tuple[OptionPick, ...]:
    return _every(values, OptionPick, "options")


def _items(values: object, what: str) -> list[object]:
    if isinstance(values, (bytes, Mapping)) or not isinstance(values, Iterable):
        raise ValidationError(f"{what} {values!r} must be a sequence")
    return list(values)


def _every(values: object, kind: type[_T], what: str) -> tuple[_T, ...]:
    """``values`` as a tuple of ``kind`` (``None`` is none); anything else is refused."""
    items = [] if values is None else _items(values, what)
    for item in items:
        if not isinstance(item, kind):
            raise ValidationError(f"{what} include {item!r}, which is not a {kind.__name__}")
    return tuple(item for item in items if isinstance(item, kind))


@attrs.frozen(slots=True)
class AddonPick:
    """An add-on ordered on a line: its code, its own cycle (the shortest configured
    one when omitted) and how many.

    Raises:
        ValidationError: the code is not text or the cycle not a BillingCycle.
        RuleViolation: the quantity is not a number from 0 to
            :data:`~prodlife.limits.MAX_SERVICE_QUANTITY` (rule ``quote.quantity``).
    """

    code: str = attrs.field(validator=_is(str, "add-on code"))
    cycle: BillingCycle | None = attrs.field(
        default=None, validator=_is((BillingCycle, type(None)), "add-on cycle")
    )
    quantity: int = attrs.field(
        default=1, validator=_count(MAX_SERVICE_QUANTITY, "MAX_SERVICE_QUANTITY")
    )


def _addons(values: Iterable[AddonPick | str] | str) -> tuple[AddonPick, ...]:
    items = [values] if isinstance(values, str) else _items(values, "add-ons")
    picks = [AddonPick(item) if isinstance(item, str) else item for item in items]
    return _every(picks, AddonPick, "add-ons (AddonPick or codes)")


def _cycle(value: BillingCycle | str | None) -> BillingCycle | None:
    """A cycle, or its name read with :meth:`BillingCycle.parse`."""
    if isinstance(value, str):
        return BillingCycle.parse(value)
    if value is not None and not isinstance(value, BillingCycle):
        raise ValidationError(f"cycle {value!r} is not a BillingCycle, a cycle name or None")
    return value


def _optional_money(instance: object, attribute: object, value: Money | None) -> None:
    if value is not None:
        require_money(value, "price override")


@attrs.frozen(slots=True)
class OrderLineSpec:
    """What a customer orders on one line.

    Args:
        product_code: the product.
        quantity: units priced by the rate model (seats, users); 1 by default.
        cycle: the billing cycle; the shortest configured one when omitted.
        edition: the edition, for products with editions.
        options: configurable options chosen.
        addons: add-ons ordered with it (codes, or :class:`AddonPick` with a
            cycle and quantity), each priced on its own cycle.
        promo_code: a promo code entered for the line.
        price_override: a hard-coded recurring price replacing the plan's
            (seed 003's price override); promotions and discounts still apply.
        as_component: the line prices a component of a bundle; a plan row
            that does not apply to components charges it nothing.

    Raises:
        ValidationError: a field is not of its type.
        InvalidBillingCycle: the cycle's name is unknown.
        RuleViolation: the quantity is not a number from 0 to
            :data:`~prodlife.limits.MAX_SERVICE_QUANTITY` (rule ``quote.quantity``).
    """

    product_code: str = attrs.field(validator=_is(str, "product code"))
    quantity: int = attrs.field(
        default=1, validator=_count(MAX_SERVICE_QUANTITY, "MAX_SERVICE_QUANTITY")
    )
    cycle: BillingCycle | None = attrs.field(default=None, converter=_cycle)
    edition: str | None = attrs.field(default=None, validator=_is((str, type(None)), "edition"))
    options: tuple[OptionPick, ...] = attrs.field(default=(), converter=_picks)
    addons: tuple[AddonPick, ...] = attrs.field(default=(), converter=_addons)
    promo_code: str | None = attrs.field(
        default=None, validator=_is((str, type(None)), "promo code")
    )
    price_override: Money | None = attrs.field(default=None, validator=_optional_money)
    as_component: bool = attrs.field(default=False, validator=_is(bool, "as_component"))


def _options(values: Iterable[ConfigurableOption] | None) -> tuple[ConfigurableOption, ...]:
    return _every(values, ConfigurableOption, "options")


def _promotions(values: Iterable[Promotion] | None) -> tuple[Promotion, ...]:
    return _every(values, Promotion, "promotions")


def _discounts(values: Iterable[AdditiveDiscount] | None) -> tuple[AdditiveDiscount, ...]:
    return _every(values, AdditiveDiscount, "discounts")


def _taxes(values: Iterable[TaxRate] | None) -> tuple[TaxRate, ...]:
    return _every(values, TaxRate, "taxes")


def _uses(instance: Any, attribute: Any, value: Any) -> None:
    if not is_whole(value, 0):
        raise ValidationError(f"{attribute.name} {value!r} must be a whole number of 0 or more")


def _rounding(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or value not in ROUNDING_MODES:
        raise InvalidRounding(value)


@attrs.frozen(slots=True)
class PricingContext:
    """Everything a line is priced against, besides the line itself.

    Args:
        plan: the price plan.
        on: the date the line is priced on.
        options: the configurable options that exist.
        promotions: the promotions that exist.
        discounts: additive discounts, applied in this order.
        taxes: the tax rates that apply to the line, in order (compound rates
            compound on the ones before them).
        basis: whether prices exclude or include tax.
        rounding: the rounding mode of every line.
        customer_id: who orders (promotion limits are per customer).
        customer_is_new: whether the customer is new (some codes require it).
        promo_uses: how often the entered code was used so far, by anyone.
        customer_promo_uses: how often this customer used it so far.
        tld_prices: the TLD price table (``catalog.tld_table``) a domain line
            without a price override is priced from, in the plan's currency.

    Raises:
        ValidationError: a field is not of its type, or a count is negative.
        InvalidPeriod: ``on`` is not a date within the year window.
        InvalidRounding: ``rounding`` is not a decimal rounding mode.
    """

    plan: PricePlan = attrs.field(validator=_is(PricePlan, "price plan"))
    on: date = attrs.field(validator=lambda i, a, v: _require_date(v, "pricing date"))
    options: tuple[ConfigurableOption, ...] = attrs.field(default=(), converter=_options)
    promotions: tuple[Promotion, ...] = attrs.field(default=(), converter=_promotions)
    discounts: tuple[AdditiveDiscount, ...] = attrs.field(default=(), converter=_discounts)
    taxes: tuple[TaxRate, ...] = attrs.field(default=(), converter=_taxes)
    basis: PriceBasis = attrs.field(
        default=PriceBasis.EXCLUSIVE, validator=_is(PriceBasis, "basis")
    )
    rounding: str = attrs.field(default=decimal.ROUND_HALF_UP, validator=_rounding)
    customer_id: str = attrs.field(default="", validator=_is(str, "customer id"))
    customer_is_new: bool = attrs.field(default=False, validator=_is(bool, "customer_is_new"))
    promo_uses: int = attrs.field(default=0, validator=_uses)
    customer_promo_uses: int = attrs.field(default=0, validator=_uses)
    tld_prices: TldPrices | None = attrs.field(
        default=None, validator=_is((TldPrices, type(None)), "tld_prices")
    )
