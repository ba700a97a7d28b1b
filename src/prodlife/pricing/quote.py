"""Price one order line: setup, recurring, options, add-ons, promotion, discounts, tax.

:func:`quote_order_line` answers "what does this customer pay, and why" for one
line of an order, line by line. Every line is computed exactly and rounded
once, to the currency's minor units; the total is the sum of the rounded lines,
so the lines always add up to it exactly.

The order of the steps, and what each applies to:

1. the price plan's row for the product, edition and cycle (the shortest
   configured cycle when none is given, seed 003), or the line's price
   override; its rate model prices the quantity;
2. the row's one-time setup fee;
3. configurable options and add-ons, each priced on its own;
4. the promo code, on the product's recurring price (and its setup fee, when
   the promotion says so), for the first payment;
5. additive discounts (seed 004: after price-plan discounts and promotions),
   on what remains of the product's recurring price, never below zero;
6. taxes on the net of all lines: added as tax lines for exclusive prices;
   for inclusive prices the lines already hold the tax, which
   :attr:`PriceQuote.included_taxes` reports.

>>> from datetime import date
>>> from prodlife import MONTHLY, Money
>>> from prodlife.pricing import PlanRate, PricePlan, Rate, TaxRate
>>> plan = PricePlan("STD", "Standard", "USD", [
...     PlanRate("VPS", MONTHLY, Rate.flat(Money("10.00", "USD")), setup_fee=Money("5.00", "USD")),
... ])
>>> context = PricingContext(plan, date(2025, 1, 10), taxes=(TaxRate("VAT", "VAT", 20),))
>>> quote = quote_order_line(OrderLineSpec("VPS"), context)
>>> [(line.kind.value, str(line.amount)) for line in quote.lines]
[('recurring', 'USD 10.00'), ('setup', 'USD 5.00'), ('tax', 'USD 3.00')]
>>> quote.total
Money('18.00', 'USD')
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from prodlife.cycles import BillingCycle
from prodlife.errors import (
    CurrencyMismatch,
    InvalidRounding,
    NotFound,
    RuleViolation,
    ValidationError,
)
from prodlife.limits import MAX_QUANTITY, MAX_SERVICE_QUANTITY
from prodlife.money import ROUNDING_MODES, Currency, Money, total
from prodlife.periods import _require_date
from prodlife.pricing.discounts import AdditiveDiscount, apply_discounts
from prodlife.pricing.options import ConfigurableOption, check_option_for, option_price
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion, apply_promotion
from prodlife.pricing.redemption import PromotionUse, check_promotion, find_promotion
from prodlife.pricing.taxes import PriceBasis, TaxPart, TaxRate, tax_line
from prodlife.proration._share import require_money

_T = TypeVar("_T")

__all__ = [
    "AddonPick",
    "OptionPick",
    "OrderLineSpec",
    "PriceLine",
    "PriceLineKind",
    "PriceQuote",
    "PricingContext",
    "quote_order_line",
]


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
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
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


class PriceLineKind(enum.Enum):
    """What a price line is for."""

    RECURRING = "recurring"
    SETUP = "setup"
    OPTION = "option"
    ADDON = "add-on"
    DISCOUNT = "discount"
    TAX = "tax"


@attrs.frozen(slots=True)
class PriceLine:
    """One explained line: what it is, the exact amount, and the amount rounded once.

    Discounts are negative.
    """

    kind: PriceLineKind
    description: str
    exact: Money
    amount: Money
    subject: str = ""


@attrs.frozen(slots=True)
class PriceQuote:
    """The priced order line.

    Attributes:
        product_code: the product.
        cycle: the billing cycle priced.
        currency: the currency of every line.
        lines: the explained lines; they add up exactly to :attr:`total`.
        included_taxes: for tax-inclusive prices, the tax each rate holds
            (already inside the lines); empty otherwise.
    """

    product_code: str
    cycle: BillingCycle
    currency: Currency
    lines: tuple[PriceLine, ...]
    included_taxes: tuple[TaxPart, ...] = ()

    @property
    def total(self) -> Money:
        """What the customer pays for this line now: the sum of the rounded lines."""
        return total((line.amount for line in self.lines), self.currency).round()

    def as_rows(self) -> list[dict[str, object]]:
        """One dict per line, ready for a DataFrame."""
        return [
            {
                "kind": line.kind.value,
                "subject": line.subject,
                "description": line.description,
                "exact": line.exact.amount,
                "amount": line.amount.amount,
                "currency": self.currency.code,
            }
            for line in self.lines
        ]

    def __str__(self) -> str:
        width = max((len(line.description) for line in self.lines), default=0)
        rows = [f"{self.product_code} ({self.cycle}, {self.currency.code})"]
        rows += [
            f"{line.kind.value:<9} {line.description:<{width}} {line.amount.amount:>12}"
            for line in self.lines
        ]
        rows.append(f"{'total':<9} {'':<{width}} {self.total.amount:>12}")
        return "\n".join(rows)


def _line(
    kind: PriceLineKind, description: str, exact: Money, rounding: str, subject: str = ""
) -> PriceLine:
    return PriceLine(kind, description, exact, exact.round(rounding), subject)


def _option(context: PricingContext, code: str) -> ConfigurableOption:
    found = next((o for o in context.options if o.code == code), None)
    if found is None:
        known = [o.code for o in context.options]
        raise NotFound("configurable option", code, f"the options are {known}")
    return found


def _in_plan(amount: Money, currency: Currency, what: str) -> Money:
    """``amount``, refused unless it is in the plan's currency."""
    if amount.currency != currency:
        raise CurrencyMismatch(Money.zero(currency), amount, f"price {what} in the plan with")
    return amount


def quote_order_line(spec: OrderLineSpec, context: PricingContext) -> PriceQuote:
    """Price one order line into explained lines that add up exactly to the total.

    Raises:
        NotFound: the plan has no price for the product, edition or cycle, or
            an option or add-on does not exist.
        PromotionRefused: the promo code cannot be used; its reason says why.
        RuleViolation: an option does not apply to the product, a quantity or
            price is not acceptable, or a promo code comes without a customer
            (rule ``quote.customer``).
        ValidationError: the arguments are not an OrderLineSpec and a PricingContext.
        InvalidAmount: an amount is beyond :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.
    """
    if not isinstance(spec, OrderLineSpec) or not isinstance(context, PricingContext):
        raise ValidationError(
            f"quote_order_line takes an OrderLineSpec and a PricingContext, not {spec!r} "
            f"and {context!r}"
        )
    plan, on, rounding = context.plan, context.on, context.rounding
    if spec.cycle is None:
        row = plan.default_rate(spec.product_code, on, spec.edition)
    else:
        row = plan.rate_for(spec.product_code, spec.cycle, on, spec.edition)
    cycle = row.cycle
    currency = row.currency
    if spec.as_component and not row.applies(as_component=True):
        recurring = Money.zero(currency)
        what = f"{row.describe()}: bundle component, not charged under this rate"
    elif spec.price_override is not None:
        recurring = _in_plan(spec.price_override, currency, "price override")
        if recurring.amount < 0:
            raise RuleViolation(
                "quote.override",
                f"price override {recurring} is negative; give zero or more, or a discount",
            )
        what = f"{row.describe()}: price override"
    else:
        charge = row.charge(spec.quantity)
        recurring = charge.total
        parts = "; ".join(
            f"{part.description} {part.units.normalize():f} x {part.unit_price.amount}"
            for part in charge.parts
        )
        what = f"{row.describe()}: {parts}" if parts else row.describe()
    lines = [_line(PriceLineKind.RECURRING, what, recurring, rounding, spec.product_code)]
    setup = None if spec.as_component and not row.applies(as_component=True) else row.setup_fee
    if setup is not None and not setup.is_zero:
        lines.append(_line(PriceLineKind.SETUP, "setup fee", setup, rounding, spec.product_code))
    for pick in spec.options:
        option = _option(context, pick.option)
        check_option_for(option, spec.product_code)
        price = _in_plan(
            option_price(option, pick.choice, cycle, pick.quantity), currency, option.code
        )
        label = f"{option.name}: {option.choice(pick.choice).name}"
        if pick.quantity != 1:
            label += f" x {pick.quantity}"
        lines.append(_line(PriceLineKind.OPTION, label, price, rounding, option.code))
    for addon in spec.addons:
        if addon.cycle is None:
            addon_row = plan.default_rate(addon.code, on)
        else:
            addon_row = plan.rate_for(addon.code, addon.cycle, on)
        label = addon_row.describe() + (f" x {addon.quantity}" if addon.quantity != 1 else "")
        price = addon_row.charge(addon.quantity).total
        lines.append(_line(PriceLineKind.ADDON, label, price, rounding, addon.code))
    remaining = recurring
    if spec.promo_code is not None:
        if not context.customer_id:
            raise RuleViolation(
                "quote.customer",
                f"promo code {spec.promo_code!r} needs the customer who enters it (codes have "
                "per-customer limits); set PricingContext.customer_id",
            )
        promotion = find_promotion(context.promotions, spec.promo_code)
        use = PromotionUse(
            on,
            spec.product_code,
            cycle,
            context.customer_id,
            context.promo_uses,
            context.customer_promo_uses,
            context.customer_is_new,
        )
        check_promotion(promotion, use)
        effect = apply_promotion(promotion, recurring, setup, cycle_number=1)
        for off, label in (
            (effect.recurring_discount, f"promo {promotion.code}: {promotion.describe()}"),
            (effect.setup_discount, f"promo {promotion.code} on the setup fee"),
        ):
            if not off.is_zero:
                lines.append(_line(PriceLineKind.DISCOUNT, label, -off, rounding, promotion.code))
        remaining = recurring - effect.recurring_discount
    if context.discounts:
        result = apply_discounts(remaining, None, context.discounts, spec.product_code, on)
        for applied in result.applied:
            if applied.amount.is_zero:
                continue
            label = f"discount {applied.code}"
            lines.append(
                _line(PriceLineKind.DISCOUNT, label, -applied.amount, rounding, applied.code)
            )
    included: tuple[TaxPart, ...] = ()
    if context.taxes:
        net = total((line.amount for line in lines), recurring.currency)
        taxed = tax_line(net, context.taxes, context.basis, rounding=rounding)
        if context.basis is PriceBasis.EXCLUSIVE:
            for part in taxed.parts:
                lines.append(
                    PriceLine(PriceLineKind.TAX, f"tax {part.code}", part.amount, part.amount)
                )
        else:
            included = taxed.parts
    return PriceQuote(spec.product_code, cycle, recurring.currency, tuple(lines), included)
