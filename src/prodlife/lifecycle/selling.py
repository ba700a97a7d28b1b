"""What the catalog and the price plan decide for a use case: what is sold, at which price.

The use cases of :class:`~prodlife.app.Billing` hold no rules: they read the
catalog version in force and the stored price plan, and ask this module. It
applies the catalog's offer checks (:mod:`prodlife.catalog.offering`) to an
order, prices a package or an add-on from the plan, and reads a product type's
rules (customer deletion, provisioning, cancellation defaults).

>>> from datetime import date, datetime
>>> from prodlife import MONTHLY, Money
>>> from prodlife.pricing import PlanRate, PricePlan, Rate
>>> plan = PricePlan("STD", "Standard", "USD", [
...     PlanRate("WEB", MONTHLY, Rate.flat(Money("10.00", "USD")), edition="BASIC")])
>>> package_price(plan, "WEB", "BASIC", MONTHLY, 1, date(2026, 1, 1))
Money('10.00', 'USD')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import attrs

from prodlife.catalog.cancellation_policies import CancellationPolicy
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.offering import (
    check_addon_offered,
    check_bundle_offered,
    check_instances,
    check_package_offered,
    check_subscription,
)
from prodlife.catalog.subscriptions import SubscriptionType
from prodlife.cycles import BillingCycle
from prodlife.errors import NotFound, RuleViolation
from prodlife.lifecycle.option_changes import OptionChange
from prodlife.lifecycle.orders import Order, OrderLine
from prodlife.lifecycle.service_parts import ServiceAddOn
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ORDERED
from prodlife.money import Money
from prodlife.pricing.options import ConfigurableOption, check_option_for, option_price
from prodlife.pricing.order_line import OptionPick, OrderLineSpec
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.recurring import RecurringPrice

__all__ = [
    "ProductRules",
    "addon_from_plan",
    "check_holding",
    "check_order",
    "expand_bundles",
    "holds_money",
    "option_changes",
    "package_price",
    "product_rules",
]


@attrs.frozen(slots=True)
class ProductRules:
    """What a service's product (and its type) decides for the operations on it.

    Attributes:
        customer_may_delete: the type's deletion rule.
        provisionable: whether the provisioning module runs for it.
        cancellation: the catalog's default cancellation policy for the
            product, used when the caller names none (``None``: no defaults).
    """

    customer_may_delete: bool = False
    provisionable: bool = True
    cancellation: CancellationPolicy | None = None


def product_rules(catalog: Catalog | None, product_code: str) -> ProductRules:
    """The rules of ``product_code`` in ``catalog``.

    A product the catalog does not define (or no catalog at all) gets the
    cautious defaults: customers may not delete it, the module runs, no
    cancellation defaults.
    """
    if catalog is None:
        return ProductRules()
    try:
        kind = catalog.type_of(product_code)
    except NotFound:
        return ProductRules()
    defaults = catalog.cancellation
    return ProductRules(
        customer_may_delete=kind.customer_may_delete,
        provisionable=kind.provisionable,
        cancellation=None if defaults is None else defaults.for_product(product_code),
    )


def check_order(
    catalog: Catalog,
    order: Order,
    day: date,
    *,
    hidden_ok: bool,
    held: Iterable[Service] = (),
    subscription: SubscriptionType | None = None,
) -> None:
    """Refuse an order whose lines the catalog does not offer on ``day``.

    Each line's product must be offered (and its edition on its ladder), be
    one of ``subscription``'s products when the order is placed for one, and
    stay within its ``max_per_customer`` counting the customer's live
    services (``held``) and the order's (a bundle's components included);
    a bundle's selection must keep to the bundle's definition
    (:func:`~prodlife.catalog.offering.check_bundle_offered`), and no line may
    be marked as a component (components come with their bundle); each
    add-on must be offered for the line's product within its
    ``max_per_base`` (counting the quantities of the line's picks of it).

    Raises:
        RuleViolation: rules of :mod:`prodlife.catalog.offering`.
    """
    live = _live(held)
    ordered = Counter[str]()
    for line in order.lines:
        spec = line.spec
        if spec.as_component:
            raise RuleViolation(
                "offer.component",
                f"line {spec.product_code} is marked as a bundle component; order the bundle "
                "(its components come with it) or order the product on its own",
                spec.product_code,
            )
        product = check_package_offered(
            catalog, spec.product_code, spec.edition, day, hidden_ok=hidden_ok
        )
        if subscription is not None:
            check_subscription(subscription, spec.product_code)
        ordered[product.code] += line.services
        for component in check_bundle_offered(catalog, product.code, line.selection, day):
            ordered[component.product_code] += component.quantity * line.services
        counts: Counter[str] = Counter()
        for pick in spec.addons:
            counts[pick.code] += pick.quantity
        for code, count in counts.items():
            check_addon_offered(catalog, spec.product_code, code, count - 1, order.customer_id)
    for code, count in ordered.items():
        check_instances(catalog.product(code), live[code], count)


def _live(held: Iterable[Service]) -> Counter[str]:
    """How many live services of each product ``held`` holds."""
    return Counter(s.product_code for s in held if not s.ended)


def check_holding(catalog: Catalog, product_code: str, held: Iterable[Service]) -> None:
    """Refuse one more service of ``product_code`` to a customer holding ``held``.

    For a service that becomes a product it was not (a package changed to
    another product): the product's ``max_per_customer`` counts the customer's
    live services, as an order does (seed 000: "one free plan per account").

    Raises:
        RuleViolation: rule ``offer.instance-limit``.
    """
    try:
        product = catalog.product(product_code)
    except NotFound:  # not sold at all: the offer's own check refuses it
        return
    check_instances(product, _live(held)[product_code], 1)


def expand_bundles(catalog: Catalog, plan: PricePlan, order: Order, day: date) -> Order:
    """``order`` with each bundle line followed by a line per component (seed 004).

    A component line orders ``quantity`` services of the component for each
    service of its bundle line, on the bundle line's cycle (the plan's
    default for the bundle when the line names none) and for its domain;
    it is priced as a component (:attr:`OrderLineSpec.as_component
    <prodlife.pricing.OrderLineSpec.as_component>`: a plan row that does not
    apply to components charges it nothing, its bundle's price covering it).
    Check the order first (:func:`check_order`).

    Raises:
        NotFound: the plan has no row for a bundle ordered without a cycle.
    """
    lines: list[OrderLine] = []
    for line in order.lines:
        lines.append(line)
        spec = line.spec
        components = check_bundle_offered(catalog, spec.product_code, line.selection, day)
        if not components:
            continue
        cycle = spec.cycle or plan.default_rate(spec.product_code, day, spec.edition).cycle
        lines += [
            OrderLine(
                OrderLineSpec(c.product_code, cycle=cycle, as_component=True),
                domain=line.domain,
                services=c.quantity * line.services,
            )
            for c in components
        ]
    return order if len(lines) == len(order.lines) else attrs.evolve(order, lines=lines)


def package_price(
    plan: PricePlan,
    product_code: str,
    edition: str | None,
    cycle: BillingCycle,
    quantity: int,
    day: date,
) -> Money:
    """The recurring price of one period of a package, for ``quantity`` units, from ``plan``.

    Raises:
        NotFound: the plan has no row for the package and cycle on ``day``.
    """
    return plan.rate_for(product_code, cycle, day, edition).charge(quantity).total


def addon_from_plan(
    catalog: Catalog,
    plan: PricePlan,
    service: Service,
    code: str,
    day: date,
    *,
    cycle: BillingCycle | None = None,
) -> ServiceAddOn:
    """Add-on ``code`` for ``service`` from ``day``, offered by ``catalog``, priced by ``plan``.

    Its cycle is ``cycle``, or the plan's shortest for it; its first period
    starts on ``day``.

    Raises:
        RuleViolation: the catalog does not offer it for the service's product,
            or the service holds ``max_per_base`` of it already.
        NotFound: the plan has no row for it.
    """
    held = sum(1 for a in service.addons if a.code == code and not a.ended)
    check_addon_offered(catalog, service.product_code, code, held, service.customer_id)
    row = plan.default_rate(code, day) if cycle is None else plan.rate_for(code, cycle, day)
    price = RecurringPrice.at_order(row.charge(1).total)
    next_due = row.cycle.shift(day, 1) if row.cycle.is_recurring else None
    return ServiceAddOn(code, row.cycle, day, next_due, ORDERED, price=price)


def holds_money(value: object, depth: int = 0) -> bool:
    """Whether ``value`` is, or holds, an amount of money: a request that sets a price.

    Looks into tuples, lists, sets, dicts and attrs objects (a ``ServiceAddOn``
    with a price, an ``OptionChange``), a few levels deep.

    >>> holds_money(("PRO", {"new_price": Money("0.01", "USD")}))
    True
    """
    if isinstance(value, Money):
        return True
    if depth > 8 or isinstance(value, (str, bytes, int, float, date, datetime)):
        return False
    if isinstance(value, dict):
        return any(holds_money(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(holds_money(v, depth + 1) for v in value)
    if attrs.has(type(value)):
        names = [field.name for field in attrs.fields(type(value))]  # type: ignore[arg-type]
        return any(holds_money(getattr(value, name), depth + 1) for name in names)
    return False


def option_changes(
    service: Service, picks: Sequence[OptionPick], options: Iterable[ConfigurableOption]
) -> tuple[OptionChange, ...]:
    """Each pick as an :class:`~prodlife.lifecycle.OptionChange` priced from its definition.

    The price is the chosen choice's on the service's cycle times the pick's
    quantity, rounded to the currency's minor units.

    Raises:
        NotFound: an option ``options`` does not define, or a choice it lacks
            or does not price on the service's cycle.
        RuleViolation: the option does not configure the service's product
            (rule ``option.product``).
    """
    defined = {option.code: option for option in options}
    changes = []
    for pick in picks:
        option = defined.get(pick.option)
        if option is None:
            raise NotFound("configurable option", pick.option, f"options are {sorted(defined)}")
        check_option_for(option, service.product_code)
        price = option_price(option, pick.choice, service.cycle, pick.quantity).round()
        changes.append(OptionChange(pick.option, pick.choice, price, pick.quantity))
    return tuple(changes)
