"""An order's price: :func:`price_order` quotes each line for one service, its domains
and the order's total (:class:`OrderQuote`); the order itself is in
:mod:`prodlife.lifecycle.orders`, the services it creates in
:mod:`prodlife.lifecycle.ordered_services`.
"""

from __future__ import annotations

import attrs

from prodlife._tables import Row, html_table
from prodlife.cycles import BillingCycle
from prodlife.errors import CurrencyMismatch, RuleViolation
from prodlife.lifecycle.orders import Order
from prodlife.money import Currency, Money, total
from prodlife.pricing.quote import (
    PriceQuote,
    PricingContext,
    quote_order_line,
)

__all__ = ["LineQuote", "OrderQuote", "price_order"]


@attrs.frozen(slots=True)
class LineQuote:
    """One product line priced: the quote of one service, how many, add-on cycles."""

    quote: PriceQuote
    services: int
    addon_cycles: tuple[BillingCycle, ...]

    @property
    def total(self) -> Money:
        """The line's quote total times its number of services."""
        return self.quote.total * self.services


@attrs.frozen(slots=True)
class OrderQuote:
    """A priced order: one :class:`LineQuote` per product line, one price per domain line.

    Attributes:
        order_id: the order priced.
        currency: the currency of every amount.
        lines: the product lines, in the order's order.
        domain_prices: each domain line's price, in the order's order.
    """

    order_id: str
    currency: Currency
    lines: tuple[LineQuote, ...]
    domain_prices: tuple[Money, ...]

    @property
    def quotes(self) -> tuple[PriceQuote, ...]:
        """The quote of one service of each product line."""
        return tuple(line.quote for line in self.lines)

    @property
    def total(self) -> Money:
        """Exactly the sum of every line's total and every domain price."""
        amounts = [line.total for line in self.lines] + list(self.domain_prices)
        return total(amounts, self.currency)

    def __str__(self) -> str:
        """Each product line's quote (with its working), the domains, then the total."""
        parts = [f"order {self.order_id} ({self.currency.code})"]
        for line in self.lines:
            times = "" if line.services == 1 else f" (x{line.services} services)"
            parts.append(f"{line.quote}{times}")
        parts += [f"domain {index}: {price}" for index, price in enumerate(self.domain_prices, 1)]
        parts.append(f"order total: {self.total}")
        return "\n".join(parts)

    def __repr__(self) -> str:
        count = len(self.lines)
        return (
            f"<OrderQuote {self.order_id}: {count} product line{'' if count == 1 else 's'}, "
            f"{len(self.domain_prices)} domains, total {self.total}>"
        )

    def as_rows(self) -> list[Row]:
        """One row per price line of each product line, then one per domain, for
        ``pandas.DataFrame`` (amounts as ``Decimal``, for one service of the line)."""
        rows: list[Row] = [
            {
                "product": line.quote.product_code,
                "services": line.services,
                "kind": price.kind.value,
                "description": price.description,
                "amount": price.amount.amount,
                "currency": self.currency.code,
            }
            for line in self.lines
            for price in line.quote.lines
        ]
        rows += [
            {
                "product": "domain",
                "services": 1,
                "kind": "domain",
                "description": f"domain {index}",
                "amount": price.amount,
                "currency": self.currency.code,
            }
            for index, price in enumerate(self.domain_prices, 1)
        ]
        return rows

    def _repr_html_(self) -> str:
        return html_table(self.as_rows(), caption=f"order {self.order_id}: total {self.total}")


def price_order(order: Order, context: PricingContext) -> OrderQuote:
    """Price every line of ``order`` against ``context``, for ``order.customer_id``.

    Raises:
        RuleViolation: a domain line without a price override when the context
            carries no TLD price table (rule ``order.domain-price``), or anything
            :func:`~prodlife.pricing.quote_order_line` refuses.
        NotFound: the TLD price table has no price for a domain line's TLD,
            term and action in the plan's currency.
        CurrencyMismatch: amounts in more than one currency.
        NotFound, PromotionRefused: as :func:`~prodlife.pricing.quote_order_line`.
    """
    context = attrs.evolve(context, customer_id=order.customer_id)
    lines: list[LineQuote] = []
    for line in order.lines:
        spec = order.spec_for(line)
        quote = quote_order_line(spec, context)
        cycles = tuple(
            pick.cycle
            if pick.cycle is not None
            else context.plan.default_rate(pick.code, context.on).cycle
            for pick in spec.addons
        )
        lines.append(LineQuote(quote, line.services, cycles))
    prices: list[Money] = []
    for domain in order.domains:
        price = domain.price_override
        if price is None and context.tld_prices is not None:
            action = domain.action.value
            price = context.tld_prices.price(
                domain.domain, domain.years, action, context.plan.currency
            )
        if price is None:
            raise RuleViolation(
                "order.domain-price",
                f"domain {domain.domain} ({domain.action}) has no price: give price_override, "
                "or price domains from the catalog's TLD table "
                "(PricingContext(tld_prices=catalog.tld_table))",
            )
        prices.append(price)
    currency = lines[0].quote.currency if lines else prices[0].currency
    for amount in [q.quote.total for q in lines] + prices:
        if amount.currency != currency:
            raise CurrencyMismatch(Money.zero(currency), amount, "price on one order")
    return OrderQuote(order.id, currency, tuple(lines), tuple(prices))
