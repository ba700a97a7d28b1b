"""Orders: what staff or a customer orders at once, its price, and the services it creates.

Seed 003's "add new order" form: a client, a payment method, a promo code, an
order status, three boxes (order confirmation e-mail, generate invoice, send
invoice e-mail), product lines (product, domain, billing cycle, quantity, price
override) and a domain registration section (none, register, or transfer with
the EPP code; years; price override). Seed 000: activating a product always
goes through a sales order, so every :class:`~prodlife.lifecycle.Service` is
born from an :class:`Order` by :func:`services_for`.

Decisions:

- **Quantity.** Seed 003's quantity field ("quantity 10 creates 10 services") is
  :attr:`OrderLine.services`. :attr:`OrderLineSpec.quantity` keeps its pricing
  meaning: units priced by the rate model (seats) *within each* service. A line
  is quoted once, for one service; the order total counts it ``services`` times.
- **Promo code.** The order's promo code applies to every product line that has
  none of its own; a line's own code wins. Pricing uses the order's customer.
- **Domains are priced from the TLD table.** A :class:`DomainLine` is priced from
  its ``price_override`` (the price of the whole registration or transfer term,
  untaxed) or, without one, from the TLD's regular price for its term in the
  catalog's TLD price table the pricing context carries
  (:class:`~prodlife.catalog.TldPrices`, seed 003); with neither
  :func:`price_order` refuses it (rule ``order.domain-price``).
  Each domain line becomes a service of its own, after the product lines'
  (:func:`~prodlife.lifecycle.domains.domain_service`): a product line's
  ``domain`` is the name its service serves.
- **Services** are always created pending (ordered); activation is a separate
  operation on each service. No services are created for an order that is
  cancelled or marked fraud (rule ``order.status``). Each service starts on the
  UTC billing date of :attr:`Order.placed_at` and is next due one cycle later
  (``None`` for a one-time cycle).

Rules: ``order.code``, ``order.empty``, ``order.line``, ``order.services``,
``order.promo-code``, ``order.domain``, ``order.domain-years``,
``order.auth-code``, ``order.domain-price``, ``order.duplicate-domain``,
``order.options``, ``order.status``, ``order.quote``.
"""

from __future__ import annotations

import decimal
import enum
import re
from collections.abc import Iterable
from datetime import date, datetime, tzinfo

import attrs

from prodlife._tables import Row, html_table
from prodlife.billing.lines import LineType
from prodlife.billing.offers import additive_discount, promotion_discount
from prodlife.billing.prorata import Prorata
from prodlife.billing.timeline import Discount, OneTimeCharge, Rate, Timeline, Track
from prodlife.catalog._rules import Finding, check_code, raise_first
from prodlife.catalog._rules import is_whole as _whole
from prodlife.catalog.bundles import Component
from prodlife.clock import as_utc
from prodlife.cycles import BillingCycle, BillingSchedule
from prodlife.errors import CurrencyMismatch, ProdlifeError, RuleViolation
from prodlife.lifecycle.domains import domain_service
from prodlife.lifecycle.sale import SoldUnder
from prodlife.lifecycle.service_parts import (
    Dunning,
    ServiceAddOn,
    ServiceInvoicing,
    ServiceOption,
)
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ORDERED
from prodlife.lifecycle.timelines import BASE, package_label, schedule_for
from prodlife.limits import MAX_SERVICES_PER_ORDER_LINE
from prodlife.money import Currency, Money, total
from prodlife.periods import billing_date
from prodlife.pricing.quote import (
    OrderLineSpec,
    PriceLineKind,
    PriceQuote,
    PricingContext,
    quote_order_line,
)
from prodlife.pricing.recurring import RecurringPrice
from prodlife.pricing.redemption import find_promotion
from prodlife.pricing.taxes import PriceBasis, TaxRate

__all__ = [
    "DomainAction",
    "DomainLine",
    "LineQuote",
    "Order",
    "OrderLine",
    "OrderOptions",
    "OrderQuote",
    "OrderStatus",
    "price_order",
    "services_for",
]

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})$", re.IGNORECASE)


class OrderStatus(enum.Enum):
    """An order's status (seed 003's order statuses).

    ``PENDING`` (the usual choice: staff review it once paid), ``ACTIVE``,
    ``CANCELLED``, and ``FRAUD`` (marked as fraudulent).
    """

    PENDING = "pending"
    ACTIVE = "active"
    CANCELLED = "cancelled"
    FRAUD = "fraud"

    def __str__(self) -> str:
        return self.value


class DomainAction(enum.Enum):
    """What a domain line asks for (seed 003; "none" is simply no domain line)."""

    REGISTER = "register"
    TRANSFER = "transfer"

    def __str__(self) -> str:
        return self.value


def _not(value: object, kind: type) -> bool:
    return not isinstance(value, kind)


def _codes(value: object, what: str, rule: str = "order.code") -> list[Finding]:
    return [(rule, message) for _, message in check_code(value, what)]


def _check_domain(name: object) -> None:
    if not isinstance(name, str) or len(name) > 253 or not _DOMAIN.match(name):
        raise RuleViolation(
            "order.domain",
            f"domain {name!r} is not a domain name; write it as yourdomain.com "
            "(letters, digits and hyphens; internationalized names in punycode, xn--)",
        )


@attrs.frozen(slots=True)
class DomainLine:
    """A domain registration or transfer on an order (seed 003).

    Args:
        domain: the name, e.g. ``example.com``.
        action: register or transfer.
        years: the registration term, 1 to 10 years.
        auth_code: the EPP (transfer authorization) code; required for a
            transfer, refused for a registration.
        price_override: the price of the term (also its renewal amount); without
            it the TLD's regular price (``PricingContext.tld_prices``) is used.

    Raises:
        RuleViolation: rules ``order.domain``, ``order.domain-years``,
            ``order.auth-code``, ``order.domain-price``.
    """

    domain: str
    action: DomainAction
    years: int = 1
    auth_code: str | None = None
    price_override: Money | None = None

    def __attrs_post_init__(self) -> None:
        _check_domain(self.domain)
        if _not(self.action, DomainAction):
            raise RuleViolation("order.domain", f"{self.action!r} is not a DomainAction")
        if not _whole(self.years, 1, 10):
            raise RuleViolation(
                "order.domain-years",
                f"domain {self.domain} for {self.years!r} years; give a whole number, 1 to 10",
            )
        code = self.auth_code
        if self.action is DomainAction.TRANSFER:
            if not isinstance(code, str) or not code.strip():
                raise RuleViolation(
                    "order.auth-code",
                    f"transferring {self.domain} needs the EPP (auth) code from its current "
                    "registrar; pass auth_code",
                )
        elif code is not None:
            raise RuleViolation(
                "order.auth-code",
                f"registering {self.domain} takes no EPP code, got {code!r}; leave auth_code "
                "out, or use DomainAction.TRANSFER",
            )
        price = self.price_override
        if price is not None and (not isinstance(price, Money) or price.amount < 0):
            raise RuleViolation(
                "order.domain-price",
                f"domain {self.domain} price {price!r} must be a Money of zero or more",
            )


def _components(values: Iterable[Component]) -> tuple[Component, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class OrderLine:
    """One product line of an order.

    Args:
        spec: what is priced for one service (product, cycle, seats, options,
            add-ons, promo code, price override).
        domain: the domain the services serve, if any.
        services: how many identical services the line creates (seed 003's
            quantity), each priced as ``spec``.
        selection: for a flexible bundle, the components picked (product and
            how many services of it each bundle holds); a fixed bundle's are
            its definition's, so leave it empty (seed 004).

    Raises:
        RuleViolation: rules ``order.line``, ``order.domain``, ``order.services``.
    """

    spec: OrderLineSpec
    domain: str | None = None
    services: int = 1
    selection: tuple[Component, ...] = attrs.field(default=(), converter=_components)

    def __attrs_post_init__(self) -> None:
        if _not(self.spec, OrderLineSpec):
            raise RuleViolation("order.line", f"{self.spec!r} is not an OrderLineSpec")
        for component in self.selection:
            if _not(component, Component):
                raise RuleViolation(
                    "order.line",
                    f"bundle selection item {component!r} is not a Component; give "
                    "Component(product_code, quantity)",
                )
        raise_first(_codes(self.spec.product_code, "product"))
        if self.domain is not None:
            _check_domain(self.domain)
        if not _whole(self.services, 1, MAX_SERVICES_PER_ORDER_LINE):
            raise RuleViolation(
                "order.services",
                f"line {self.spec.product_code} creates {self.services!r} services; give 1 to "
                f"{MAX_SERVICES_PER_ORDER_LINE:,} (prodlife.limits.MAX_SERVICES_PER_ORDER_LINE)",
            )


@attrs.frozen(slots=True)
class OrderOptions:
    """Seed 003's three boxes: confirmation e-mail, generate invoice, send invoice e-mail;
    and how the services' invoices go (:class:`~prodlife.lifecycle.ServiceInvoicing`).

    Args:
        activate_on_payment: each service is activated (through the module)
            once its invoices are paid.
        separate_invoices: each service is invoiced on its own.

    Raises:
        RuleViolation: a box is not a bool, or the invoice e-mail is asked for
            without generating the invoice (rule ``order.options``).
    """

    send_confirmation: bool = True
    generate_invoice: bool = True
    send_invoice_email: bool = True
    activate_on_payment: bool = False
    separate_invoices: bool = False

    def __attrs_post_init__(self) -> None:
        for box in (
            self.send_confirmation,
            self.generate_invoice,
            self.send_invoice_email,
            self.activate_on_payment,
            self.separate_invoices,
        ):
            if _not(box, bool):
                raise RuleViolation("order.options", f"order option {box!r} is not a bool")
        if self.send_invoice_email and not self.generate_invoice:
            raise RuleViolation(
                "order.options",
                "the invoice e-mail needs an invoice; tick generate_invoice or untick "
                "send_invoice_email",
            )


def _order_lines(values: Iterable[OrderLine]) -> tuple[OrderLine, ...]:
    return tuple(values)


def _domain_lines(values: Iterable[DomainLine]) -> tuple[DomainLine, ...]:
    return tuple(values)


def _order_findings(order: Order) -> list[Finding]:
    found: list[Finding] = []
    for value, what in (
        (order.id, "order"),
        (order.customer_id, "customer"),
        (order.payment_method, "payment method"),
    ):
        found += _codes(value, what)
    if order.promo_code is not None:
        found += _codes(order.promo_code, "promo", "order.promo-code")
    if not order.lines and not order.domains:
        found.append(("order.empty", "an order needs at least one product line or domain line"))
    for items, kind, rule in (
        (order.lines, OrderLine, "order.line"),
        (order.domains, DomainLine, "order.domain"),
        ((order.status,), OrderStatus, "order.status"),
        ((order.options,), OrderOptions, "order.options"),
    ):
        found += [(rule, f"{x!r} is not a {kind.__name__}") for x in items if _not(x, kind)]
    names = [d.domain.lower() for d in order.domains if not _not(d, DomainLine)]
    for name in sorted({n for n in names if names.count(n) > 1}):
        found.append(("order.duplicate-domain", f"domain {name} is on the order twice"))
    return found


@attrs.frozen(slots=True, kw_only=True)
class Order:
    """A sales order: product lines and domain lines for one customer (seed 003).

    Args:
        id: the order's id.
        customer_id: who orders.
        payment_method: how the order and its invoice are paid.
        lines: the product lines.
        domains: the domain registrations and transfers.
        promo_code: applies to every product line without its own code.
        status: the order's status; pending by default.
        options: the confirmation / invoice boxes.
        placed_at: when it was placed; any aware datetime, kept in UTC.

    Raises:
        RuleViolation: a rule ``order.*`` is broken.
        InvalidInstant: ``placed_at`` is naive.
    """

    id: str
    customer_id: str
    payment_method: str
    lines: tuple[OrderLine, ...] = attrs.field(default=(), converter=_order_lines)
    domains: tuple[DomainLine, ...] = attrs.field(default=(), converter=_domain_lines)
    promo_code: str | None = None
    status: OrderStatus = OrderStatus.PENDING
    options: OrderOptions = OrderOptions()
    placed_at: datetime = attrs.field(converter=as_utc)

    def __attrs_post_init__(self) -> None:
        raise_first(_order_findings(self), str(self.id))

    def spec_for(self, line: OrderLine) -> OrderLineSpec:
        """The line's spec with the order's promo code when the line has none (and is not a
        bundle's component: the code applies to the bundle)."""
        spec = line.spec
        if spec.promo_code is None and self.promo_code is not None and not spec.as_component:
            return attrs.evolve(line.spec, promo_code=self.promo_code)
        return line.spec


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


def _amount(quote: PriceQuote, kind: PriceLineKind, subject: str) -> Money:
    return next(
        line.amount for line in quote.lines if line.kind is kind and line.subject == subject
    )


def _timeline(
    service_id: str,
    customer_id: str,
    start: date,
    spec: OrderLineSpec,
    priced: LineQuote,
    context: PricingContext | None,
    invoice_days_before: int,
    prorata: Prorata | None,
) -> Timeline:
    """What one ordered service is entitled to: its order line's quote, on the timeline."""
    quote, cycle = priced.quote, priced.quote.cycle
    label = package_label(spec.product_code, spec.edition)
    tracks: list[Track] = []
    one_time: list[OneTimeCharge] = []
    recurring = _amount(quote, PriceLineKind.RECURRING, spec.product_code)
    listed = "quoted" if context is None else f"plan {context.plan.code}"
    source = "override" if spec.price_override is not None else listed
    schedule = _schedule(start, cycle, prorata) if cycle.is_recurring else None
    if schedule is None:
        one_time.append(OneTimeCharge(BASE, label, recurring, start))
    else:
        rates = _rates(start, cycle, prorata, recurring, label, source)
        tracks.append(Track.of(LineType.RECURRING, BASE, *rates))
    for line in quote.lines:
        if line.kind is PriceLineKind.SETUP:
            one_time.append(OneTimeCharge(BASE, f"{label} {line.description}", line.amount, start))
        elif line.kind is PriceLineKind.OPTION:
            if schedule is None:
                one_time.append(OneTimeCharge(line.subject, line.description, line.amount, start))
            else:
                rates = _rates(start, cycle, prorata, line.amount, line.description, listed)
                tracks.append(Track.of(LineType.OPTION, line.subject, *rates))
    for pick, addon_cycle in zip(spec.addons, priced.addon_cycles, strict=True):
        amount = _amount(quote, PriceLineKind.ADDON, pick.code)
        what = f"add-on {pick.code}" + (f" x {pick.quantity}" if pick.quantity != 1 else "")
        if addon_cycle.is_recurring:
            rates = _rates(start, addon_cycle, prorata, amount, what, listed)
            tracks.append(Track.of(LineType.ADDON, pick.code, *rates))
        else:
            one_time.append(OneTimeCharge(pick.code, what, amount, start))
    discounts: list[Discount] = []
    taxes: tuple[TaxRate, ...] = ()
    basis = PriceBasis.EXCLUSIVE
    if context is not None:
        if spec.promo_code is not None and schedule is not None:
            promotion = find_promotion(context.promotions, spec.promo_code)
            discounts.append(promotion_discount(promotion, start, schedule, {BASE}))
        for additive in context.discounts:
            valid = additive.validity.end is None or additive.validity.end > start
            if valid and (not additive.products or spec.product_code in additive.products):
                discounts.append(additive_discount(additive, start, {BASE}))
        taxes, basis = context.taxes, context.basis
    return Timeline(
        service_id,
        customer_id,
        start,
        tracks=tracks,
        discounts=discounts,
        one_time=one_time,
        taxes=taxes,
        tax_basis=basis,
        rounding=context.rounding if context is not None else decimal.ROUND_HALF_UP,
        invoice_days_before=invoice_days_before,
    )


def _first_due(start: date, cycle: BillingCycle, prorata: Prorata | None) -> date | None:
    """The end of what the first invoice of a service on ``cycle`` covers."""
    if prorata is not None and prorata.applies_to(cycle):
        return prorata.first_periods(start, cycle).first_due
    return cycle.shift(start, 1) if cycle.is_recurring else None


def _schedule(start: date, cycle: BillingCycle, prorata: Prorata | None) -> BillingSchedule:
    """The periods of a service (or add-on) on recurring ``cycle``, aligned by ``prorata``."""
    if prorata is not None and prorata.applies_to(cycle):
        return prorata.first_periods(start, cycle).schedule
    return schedule_for(cycle, start)


def _rates(
    start: date,
    cycle: BillingCycle,
    prorata: Prorata | None,
    amount: Money,
    what: str,
    source: str,
) -> tuple[Rate, ...]:
    """A recurring price of ``amount`` on ``cycle`` from ``start``, aligned by ``prorata``."""
    if prorata is not None and prorata.applies_to(cycle):
        return prorata.first_periods(start, cycle).rates(start, amount, what, source)
    return (Rate(start, None, amount, schedule_for(cycle, start), what, source),)


def first_invoice_day(service: Service) -> date:
    """The day an ordered service's first invoice is billed on: it covers up to its next due date.

    That is its start, or, when its first invoice also pays the next whole
    period (prorata billing's "charge next month"), the start of that period.
    """
    if service.next_due is None:
        return service.start
    return max(service.start, service.due_date(-1))


def services_for(
    order: Order,
    quote: OrderQuote,
    *,
    first_id: int = 1,
    id_prefix: str = "S-",
    zone: str | tzinfo = "UTC",
    context: PricingContext | None = None,
    invoice_days_before: int = 0,
    dunning: Dunning | None = None,
    prorata: Prorata | None = None,
    catalog_version: str | None = None,
) -> tuple[Service, ...]:
    """The pending (ordered) services ``order`` creates: ``line.services`` per product line.

    Ids are ``id_prefix`` followed by ``first_id``, ``first_id + 1``... in line
    order. Services start on the billing date the order was placed on in the
    customer's time ``zone`` (UTC unless given). Each service carries its line's
    quote on its timeline: the recurring price on its cycle, options, add-ons
    on their own cycles, the setup fee; with the pricing ``context`` the order
    was priced in, the promo code for the payments it covers, the additive
    discounts over their validity and the taxes. Each domain line becomes a
    domain service after them (:func:`~prodlife.lifecycle.domains.domain_service`),
    its first term at the line's price, its renewals at the TLD table's renewal
    price (the price override when the line has one), with the taxes.
    Nothing is invoiced yet: bill the services
    (:func:`~prodlife.lifecycle.timelines.billed`) for the order's invoice.

    Args:
        invoice_days_before: how many days before a period starts each
            service's invoice is issued (kept on its timeline).
        dunning: each service's grace periods before suspension and
            termination for non-payment (kept on it).
        prorata: bill month-based services (and their options) on one day of
            the month: the first period is a stub to that day, priced against
            the whole period ending there, and a service ordered after its
            ``charge_next_after`` day is due only after the following whole
            period (:class:`~prodlife.billing.prorata.Prorata`). The
            month-based add-ons of an aligned service are billed on the same
            day, their first invoice covering as much; other cycles keep their
            start, and so do the add-ons of a service that is not aligned.
        catalog_version: the name of the catalog version the order was checked
            against; with ``context``, each service records it and the plan row
            that priced it (:attr:`Service.sold_under
            <prodlife.lifecycle.Service.sold_under>`).

    The services of a bundle's component lines (each following its bundle's
    line, :func:`~prodlife.lifecycle.selling.expand_bundles`) name their
    bundle's service (:attr:`Service.bundle_id
    <prodlife.lifecycle.Service.bundle_id>`): the ``k``-th bundle service of the
    line holds the ``k``-th share of each component line's services.

    Raises:
        RuleViolation: ``quote`` is not this order's (rule ``order.quote``), the
            order is cancelled or fraud (rule ``order.status``), or a bad
            ``first_id`` (rule ``order.services``).
    """
    if (
        quote.order_id != order.id
        or len(quote.lines) != len(order.lines)
        or any(
            q.quote.product_code != line.spec.product_code or q.services != line.services
            for q, line in zip(quote.lines, order.lines, strict=True)
        )
    ):
        raise RuleViolation(
            "order.quote", f"the quote is not order {order.id}'s; price it with price_order"
        )
    if order.status in (OrderStatus.CANCELLED, OrderStatus.FRAUD):
        raise RuleViolation("order.status", f"order {order.id} is {order.status}: no services")
    if not _whole(first_id, 0):
        raise RuleViolation("order.services", f"first id {first_id!r} must be a whole number >= 0")
    start = billing_date(order.placed_at, zone)
    boxes = order.options
    invoicing = (
        ServiceInvoicing(boxes.separate_invoices, boxes.activate_on_payment)
        if boxes.separate_invoices or boxes.activate_on_payment
        else None
    )
    made: list[Service] = []
    bundles: list[str] = []  # the services of the last line that is not a component
    for line, priced in zip(order.lines, quote.lines, strict=True):
        spec, cycle = line.spec, priced.quote.cycle
        first_of_line = len(made)
        sold = (
            None if context is None else _sold_under(catalog_version, context, spec, cycle, start)
        )
        # Add-ons follow their service: aligned when it is, on their own cycles.
        aligned = prorata if prorata is not None and prorata.applies_to(cycle) else None
        recurring = _amount(priced.quote, PriceLineKind.RECURRING, spec.product_code)
        price = RecurringPrice.at_order(recurring, spec.price_override)
        addons = tuple(
            ServiceAddOn(
                pick.code,
                addon_cycle,
                start,
                _first_due(start, addon_cycle, aligned),
                ORDERED,
                price=RecurringPrice.at_order(
                    _amount(priced.quote, PriceLineKind.ADDON, pick.code)
                ),
            )
            for pick, addon_cycle in zip(spec.addons, priced.addon_cycles, strict=True)
        )
        options = tuple(
            ServiceOption(
                p.option,
                p.choice,
                p.quantity,
                _amount(priced.quote, PriceLineKind.OPTION, p.option),
            )
            for p in spec.options
        )
        share = line.services // len(bundles) if spec.as_component and bundles else 0
        for index in range(line.services):
            service_id = f"{id_prefix}{first_id + len(made)}"
            bundle_id = bundles[min(index // share, len(bundles) - 1)] if share else None
            timeline = _timeline(
                service_id,
                order.customer_id,
                start,
                spec,
                priced,
                context,
                invoice_days_before,
                aligned,
            )
            made.append(
                Service(
                    id=service_id,
                    customer_id=order.customer_id,
                    product_code=spec.product_code,
                    edition=spec.edition,
                    cycle=cycle,
                    quantity=spec.quantity,
                    price=price,
                    options=options,
                    addons=addons,
                    domain=line.domain,
                    payment_method=order.payment_method,
                    start=start,
                    next_due=_first_due(start, cycle, aligned),
                    status=ORDERED,
                    timeline=timeline,
                    dunning=dunning,
                    invoicing=invoicing,
                    bundle_id=bundle_id,
                    sold_under=sold,
                )
            )
        if not spec.as_component:
            bundles = [service.id for service in made[first_of_line:]]
    for domain, paid in zip(order.domains, quote.domain_prices, strict=True):
        made.append(
            domain_service(
                domain,
                paid,
                _renewal(domain, paid, context),
                service_id=f"{id_prefix}{first_id + len(made)}",
                customer_id=order.customer_id,
                start=start,
                payment_method=order.payment_method,
                taxes=() if context is None else context.taxes,
                tax_basis=PriceBasis.EXCLUSIVE if context is None else context.basis,
                rounding=decimal.ROUND_HALF_UP if context is None else context.rounding,
                invoice_days_before=invoice_days_before,
                dunning=dunning,
                invoicing=invoicing,
            )
        )
    return tuple(made)


def _renewal(domain: DomainLine, price: Money, context: PricingContext | None) -> Money:
    """What renewing ``domain`` costs: its override, else the TLD table's renewal price."""
    table = None if context is None else context.tld_prices
    if domain.price_override is not None or table is None:
        return price
    return table.price(domain.domain, domain.years, "renew", price.currency)


def _sold_under(
    catalog_version: str | None,
    context: PricingContext,
    spec: OrderLineSpec,
    cycle: BillingCycle,
    day: date,
) -> SoldUnder | None:
    """The catalog version and plan row a line's services are sold under, if priced by a row."""
    if catalog_version is None:
        return None
    try:
        row = context.plan.rate_for(spec.product_code, cycle, day, spec.edition)
    except ProdlifeError:  # priced otherwise (a one-off price): nothing to grandfather
        return None
    return SoldUnder.of(catalog_version, context.plan.code, row)
