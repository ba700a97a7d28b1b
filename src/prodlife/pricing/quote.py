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

import enum

import attrs

from prodlife.cycles import BillingCycle
from prodlife.errors import (
    CurrencyMismatch,
    NotFound,
    RuleViolation,
    ValidationError,
)
from prodlife.money import Currency, Money, total
from prodlife.pricing.discounts import apply_discounts
from prodlife.pricing.options import ConfigurableOption, check_option_for, option_price
from prodlife.pricing.order_line import AddonPick as AddonPick
from prodlife.pricing.order_line import OptionPick as OptionPick
from prodlife.pricing.order_line import OrderLineSpec, PricingContext
from prodlife.pricing.promotions import apply_promotion
from prodlife.pricing.redemption import PromotionUse, check_promotion, find_promotion
from prodlife.pricing.taxes import PriceBasis, TaxPart, tax_line

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
