"""Customer products (seed 001): what a customer holds, what interests them, what to offer next.

A :class:`CustomerProducts` records a customer's :class:`Holding` values (a
product held since a day, optionally on one of their numbers or features) and
their interests (codes of products they might want). Everything is an
immutable value: each function returns a new one.

Decisions:

- A number carries the products the caller says it does (``carrying``): the
  number plan, not the catalog, knows that. Each must be applicable on
  numbers, or :func:`add_number` refuses (rule ``holdings.not-on-numbers``).
- A feature carries the catalog products whose ``applicable_on_features``
  contains it; :func:`add_feature` picks them from ``catalog_products``.
- Auto-add and auto-remove are independent flags, as seed 001 lists them:
  auto-add puts the product in the holdings (on that number or feature);
  auto-remove drops it from the interests, whether or not it is auto-added.
- Historic products (retired, seed 001) are never auto-added; a historic
  product is still dropped from the interests if it auto-removes.
- A holding is told apart by (product, number, feature): adding the same
  number or feature twice adds nothing; one product on two numbers is two.
- :func:`holdings_from_services`: a service counts as held until it has
  ended (cancelled, terminated, deleted): pending (in every phase), active,
  suspended and not-available services are held, with their add-ons that have
  not ended.
- :func:`offer_next` offers: higher editions (not forbidden moves) of held
  services whose product is still offered; predefined add-ons and the
  customer's own custom add-ons of held base products, except those held; and
  products offered on the day in the families of held products, except held,
  historic and hidden ones (hidden products are not shown to customers).

>>> from datetime import date
>>> from prodlife.catalog import Product
>>> voicemail = Product("VOICEMAIL", "Voicemail", "VOICE", applicable_on_numbers=True,
...                     auto_add_to_customer=True, auto_remove_from_interests=True)
>>> mine = CustomerProducts("C-1", interests={"VOICEMAIL"})
>>> after = add_number(mine, "+3212345678", [voicemail], date(2025, 3, 1))
>>> after.held_codes, after.interests
(frozenset({'VOICEMAIL'}), frozenset())
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import attrs

from prodlife.catalog._findings import frozen_codes
from prodlife.catalog.addons import AddOn
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.editions import Edition
from prodlife.catalog.products import Availability, Product
from prodlife.errors import RuleViolation
from prodlife.lifecycle.service_parts import _day, _text
from prodlife.lifecycle.services import Service

__all__ = [
    "AddOnOffer",
    "CustomerProducts",
    "EditionOffer",
    "Holding",
    "Offers",
    "add_feature",
    "add_number",
    "holdings_from_services",
    "offer_next",
]


@attrs.frozen(slots=True)
class Holding:
    """A product a customer holds since a day, on one number or one feature, or on neither.

    Raises:
        RuleViolation: an empty code, number or feature, ``since`` not a date,
            or both a number and a feature (rule ``holdings.holding``).
    """

    product_code: str
    since: date
    number: str | None = None
    feature: str | None = None

    def __attrs_post_init__(self) -> None:
        rule = "holdings.holding"
        _text(self.product_code, rule, "product code")
        _day(self.since, rule, f"holding of {self.product_code!r} since")
        for value, what in ((self.number, "number"), (self.feature, "feature")):
            if value is not None:
                _text(value, rule, what)
        if self.number is not None and self.feature is not None:
            raise RuleViolation(
                rule,
                f"holding of {self.product_code!r} is on number {self.number!r} and on feature "
                f"{self.feature!r}; give one or the other",
            )

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        """What tells holdings apart: the product, the number and the feature."""
        return (self.product_code, self.number, self.feature)


def _holdings(values: Iterable[Holding]) -> tuple[Holding, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class CustomerProducts:
    """What one customer holds and which products interest them (seed 001).

    Raises:
        RuleViolation: an empty customer id, or a holding that is not a
            :class:`Holding` (rule ``holdings.customer``).
    """

    customer_id: str
    holdings: tuple[Holding, ...] = attrs.field(default=(), converter=_holdings)
    interests: frozenset[str] = attrs.field(factory=frozenset, converter=frozen_codes)

    def __attrs_post_init__(self) -> None:
        _text(self.customer_id, "holdings.customer", "customer id")
        for holding in self.holdings:
            if not isinstance(holding, Holding):
                raise RuleViolation(
                    "holdings.customer", f"{holding!r} is not a Holding; build one with Holding()"
                )

    @property
    def held_codes(self) -> frozenset[str]:
        """The codes of every product held."""
        return frozenset(holding.product_code for holding in self.holdings)

    def holds(self, product_code: str) -> bool:
        """Whether the customer holds ``product_code`` (on anything)."""
        return product_code in self.held_codes


def _carry(
    customer: CustomerProducts,
    products: Iterable[Product],
    on: date,
    number: str | None,
    feature: str | None,
) -> CustomerProducts:
    holdings = list(customer.holdings)
    keys = {holding.key for holding in holdings}
    interests = set(customer.interests)
    for product in products:
        new = Holding(product.code, on, number, feature)
        historic = product.availability is Availability.HISTORIC
        if product.auto_add_to_customer and not historic and new.key not in keys:
            holdings.append(new)
            keys.add(new.key)
        if product.auto_remove_from_interests:
            interests.discard(product.code)
    return attrs.evolve(customer, holdings=tuple(holdings), interests=frozenset(interests))


def add_number(
    customer_products: CustomerProducts, number: str, carrying: Sequence[Product], on: date
) -> CustomerProducts:
    """The customer after number ``number``, carrying ``carrying``, is added on ``on``.

    Raises:
        RuleViolation: a carried product is not applicable on numbers (rule
            ``holdings.not-on-numbers``), or an empty number.
    """
    _text(number, "holdings.holding", "number")
    for product in carrying:
        if not product.applicable_on_numbers:
            raise RuleViolation(
                "holdings.not-on-numbers",
                f"number {number!r} cannot carry {product.code!r}: the product is not "
                "applicable on numbers; set applicable_on_numbers or drop it",
                product.code,
            )
    return _carry(customer_products, carrying, on, number, None)


def add_feature(
    customer_products: CustomerProducts,
    feature: str,
    catalog_products: Sequence[Product],
    on: date,
) -> CustomerProducts:
    """The customer after feature ``feature`` is added on ``on``.

    The feature carries the products of ``catalog_products`` applicable on it;
    the others are left alone.
    """
    _text(feature, "holdings.holding", "feature")
    carried = [p for p in catalog_products if feature in p.applicable_on_features]
    return _carry(customer_products, carried, on, None, feature)


def _own(customer_id: str, services: Iterable[Service]) -> list[Service]:
    services = list(services)
    for service in services:
        if service.customer_id != customer_id:
            raise RuleViolation(
                "holdings.customer",
                f"service {service.id!r} belongs to {service.customer_id!r}, not "
                f"{customer_id!r}; pass only the customer's own services",
                service.id,
            )
    return [service for service in services if not service.ended]


def holdings_from_services(
    customer_id: str, services: Iterable[Service], interests: Iterable[str] = ()
) -> CustomerProducts:
    """What ``customer_id`` holds through services that have not ended, and their add-ons.

    Raises:
        RuleViolation: a service belongs to another customer (rule ``holdings.customer``).
    """
    holdings: list[Holding] = []
    for service in _own(customer_id, services):
        holdings.append(Holding(service.product_code, service.start))
        holdings += [Holding(a.code, a.start) for a in service.addons if not a.ended]
    return CustomerProducts(customer_id, tuple(holdings), frozenset(interests))


@attrs.frozen(slots=True)
class EditionOffer:
    """A higher edition of a product a service holds at a lower one."""

    service_id: str
    product_code: str
    current: str
    edition: Edition


@attrs.frozen(slots=True)
class AddOnOffer:
    """An add-on a held base product may carry."""

    base_code: str
    addon: AddOn


@attrs.frozen(slots=True)
class Offers:
    """What to offer a customer next: higher editions, add-ons, products of held families."""

    editions: tuple[EditionOffer, ...] = ()
    addons: tuple[AddOnOffer, ...] = ()
    products: tuple[Product, ...] = ()


def _product(catalog: Catalog, code: str) -> Product | None:
    return next((p for p in catalog.products if p.code == code), None)


def offer_next(
    customer_products: CustomerProducts,
    services: Iterable[Service],
    catalog: Catalog,
    on: date,
) -> Offers:
    """What ``customer_products``'s customer could take next on ``on`` (see the module).

    Raises:
        RuleViolation: a service belongs to another customer (rule ``holdings.customer``).
        NotFound: a service's edition is not on its product's ladder.
    """
    customer = customer_products.customer_id
    held = customer_products.held_codes
    editions: list[EditionOffer] = []
    for service in _own(customer, services):
        ladder = catalog.ladder(service.product_code)
        product = _product(catalog, service.product_code)
        if ladder is None or service.edition is None or product is None:
            continue
        if not product.is_offered_on(on):
            continue
        editions += [
            EditionOffer(service.id, service.product_code, service.edition, edition)
            for edition in ladder.higher_than(service.edition)
            if (service.edition, edition.code) not in ladder.forbidden
        ]
    addons: list[AddOnOffer] = []
    for base in sorted(held):
        addons += [
            AddOnOffer(base, addon)
            for addon in catalog.addons_for(base, customer)
            if addon.code not in held
        ]
    held_products = [p for p in (_product(catalog, code) for code in held) if p is not None]
    families = {p.family for p in held_products if p.family is not None}
    products = tuple(
        p
        for p in catalog.offered_on(on)
        if p.family in families and p.code not in held and p.availability is Availability.ACTIVE
    )
    return Offers(tuple(editions), tuple(addons), products)
