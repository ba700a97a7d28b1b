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

The order's values are here; its price (:func:`~prodlife.lifecycle.order_quotes.price_order`)
is in :mod:`prodlife.lifecycle.order_quotes`, the services it creates
(:func:`~prodlife.lifecycle.ordered_services.services_for`) in
:mod:`prodlife.lifecycle.ordered_services`.

Rules: ``order.code``, ``order.empty``, ``order.line``, ``order.services``,
``order.promo-code``, ``order.domain``, ``order.domain-years``,
``order.auth-code``, ``order.domain-price``, ``order.duplicate-domain``,
``order.options``, ``order.status``, ``order.quote``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import attrs

from prodlife._enums import Labelled
from prodlife._numbers import is_whole
from prodlife.catalog._findings import Finding, check_code, raise_first
from prodlife.catalog.bundles import Component
from prodlife.clock import as_utc
from prodlife.errors import RuleViolation
from prodlife.limits import MAX_SERVICES_PER_ORDER_LINE
from prodlife.money import Money
from prodlife.pricing.quote import (
    OrderLineSpec,
)

__all__ = [
    "DomainAction",
    "DomainLine",
    "Order",
    "OrderLine",
    "OrderOptions",
    "OrderStatus",
]


_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})$", re.IGNORECASE)


class OrderStatus(Labelled):
    """An order's status (seed 003's order statuses).

    ``PENDING`` (the usual choice: staff review it once paid), ``ACTIVE``,
    ``CANCELLED``, and ``FRAUD`` (marked as fraudulent).
    """

    PENDING = "pending"
    ACTIVE = "active"
    CANCELLED = "cancelled"
    FRAUD = "fraud"


class DomainAction(Labelled):
    """What a domain line asks for (seed 003; "none" is simply no domain line)."""

    REGISTER = "register"
    TRANSFER = "transfer"


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
        if not is_whole(self.years, 1, 10):
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
        if not is_whole(self.services, 1, MAX_SERVICES_PER_ORDER_LINE):
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
