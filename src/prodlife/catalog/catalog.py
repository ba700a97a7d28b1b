# Over 400 lines: the Catalog, the checks that span its definitions, and its dated versions;
# every definition's own rules are in its module.
"""The :class:`Catalog`: every definition together, checked as a whole.

Each definition checks its own rules when it is built; a catalog checks the
rules that span definitions (a product's type exists, codes are unique, a
bundle's pools can be satisfied...) and reports every problem at once, each
with the path of the definition at fault.

>>> from prodlife.catalog import Classification, Product, ProductType, ServiceKind
>>> internet = ProductType("INTERNET", "Internet", Classification.SERVICE,
...                        service_kind=ServiceKind.TERMED)
>>> catalog = Catalog(types=(internet,), products=(Product("DSL-100", "DSL 100", "INTERNET"),))
>>> catalog.product("DSL-100").name
'DSL 100'
>>> Catalog(products=(Product("DSL-100", "DSL 100", "FIBRE"),))
Traceback (most recent call last):
...
prodlife.errors.InvalidCatalog: the catalog has 1 problem; fix each:
  - products[DSL-100]: product 'DSL-100' has type 'FIBRE', which the catalog does not
    define; add the type or fix the code (rule catalog.unknown-type)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TypeVar

import attrs

from prodlife.catalog._findings import Finding, duplicates
from prodlife.catalog._index import ProductIndex
from prodlife.catalog.abuse import AbuseLimit
from prodlife.catalog.addons import AddOn, check_addon_in_catalog
from prodlife.catalog.billing_terms import BillingTermScheme, SubscriptionType
from prodlife.catalog.bundles import FixedBundle, FlexibleBundle, check_bundle
from prodlife.catalog.cancellation_policies import CancellationDefaults, check_cancellation_defaults
from prodlife.catalog.change_rules import ChangeRules, check_change_rules
from prodlife.catalog.domains import TldPrice, TldPrices
from prodlife.catalog.editions import EditionLadder
from prodlife.catalog.products import Product
from prodlife.catalog.query import ProductQuery
from prodlife.catalog.records import (
    Brand,
    Category,
    Family,
    _duplicated,
    _unknown_products,
    check_records,
)
from prodlife.catalog.types import ProductType
from prodlife.errors import CatalogProblem, InvalidCatalog, NotFound, RuleViolation, ValidationError

__all__ = [
    "Bundle",
    "Catalog",
    "CatalogDefinition",
    "CatalogVersion",
    "CatalogVersions",
    "check_catalog",
]

#: A fixed or a flexible bundle definition.
Bundle = FixedBundle | FlexibleBundle
#: Anything :meth:`Catalog.add` takes.
CatalogDefinition = (
    ProductType
    | Product
    | EditionLadder
    | AddOn
    | Bundle
    | Brand
    | Family
    | Category
    | TldPrice
    | AbuseLimit
)

T = TypeVar("T")


def _index(items: Iterable[T], key: Callable[[T], str]) -> dict[str, T]:
    return {key(item): item for item in items}


# Typed converters, so callers may pass any iterable and mypy still checks items.


def _types(values: Iterable[ProductType]) -> tuple[ProductType, ...]:
    return tuple(values)


def _products(values: Iterable[Product]) -> tuple[Product, ...]:
    return tuple(values)


def _ladders(values: Iterable[EditionLadder]) -> tuple[EditionLadder, ...]:
    return tuple(values)


def _addons(values: Iterable[AddOn]) -> tuple[AddOn, ...]:
    return tuple(values)


def _bundles(values: Iterable[Bundle]) -> tuple[Bundle, ...]:
    return tuple(values)


def _brands(values: Iterable[Brand]) -> tuple[Brand, ...]:
    return tuple(values)


def _families(values: Iterable[Family]) -> tuple[Family, ...]:
    return tuple(values)


def _categories(values: Iterable[Category]) -> tuple[Category, ...]:
    return tuple(values)


def _tld_prices(values: Iterable[TldPrice]) -> tuple[TldPrice, ...]:
    return tuple(values)


def _abuse_limits(values: Iterable[AbuseLimit]) -> tuple[AbuseLimit, ...]:
    return tuple(values)


def _term_schemes(values: Iterable[BillingTermScheme]) -> tuple[BillingTermScheme, ...]:
    return tuple(values)


def _subscription_types(values: Iterable[SubscriptionType]) -> tuple[SubscriptionType, ...]:
    return tuple(values)


def _versions(values: Iterable[CatalogVersion]) -> tuple[CatalogVersion, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class Catalog:
    """Everything a provider sells, and the rules that govern it.

    Args:
        types: product types.
        products: products; each names one of ``types``.
        editions: edition ladders, at most one per product.
        addons: add-ons and the base products they attach to.
        bundles: fixed and flexible bundle definitions, one per bundle product.
        change_rules: what upgrades, downgrades and cross-grades do.
        cancellation: cancellation policy defaults per product.
        brands: the registered brands; once there is one, products name only
            registered brands.
        families: the registered families (likewise for products and family pools).
        categories: the registered categories (likewise for products' categories).
        tld_prices: the TLD price table: register / transfer / renew prices of
            domains per TLD, term and currency (seed 003).
        abuse_limits: per product and counted resource, the usage that
            suspends a service for abuse (seed 002).
        term_schemes: the billing term schemes orders may be placed under
            (seed 004), each named by its code.
        subscription_types: the subscription offerings orders may be placed
            for (seed 004), each named by its code.

    Raises:
        InvalidCatalog: a rule spanning definitions is broken; every problem
            is listed with its path.
    """

    types: tuple[ProductType, ...] = attrs.field(default=(), converter=_types)
    products: tuple[Product, ...] = attrs.field(default=(), converter=_products)
    editions: tuple[EditionLadder, ...] = attrs.field(default=(), converter=_ladders)
    addons: tuple[AddOn, ...] = attrs.field(default=(), converter=_addons)
    bundles: tuple[Bundle, ...] = attrs.field(default=(), converter=_bundles)
    change_rules: ChangeRules | None = None
    cancellation: CancellationDefaults | None = None
    brands: tuple[Brand, ...] = attrs.field(default=(), converter=_brands)
    families: tuple[Family, ...] = attrs.field(default=(), converter=_families)
    categories: tuple[Category, ...] = attrs.field(default=(), converter=_categories)
    tld_prices: tuple[TldPrice, ...] = attrs.field(default=(), converter=_tld_prices)
    abuse_limits: tuple[AbuseLimit, ...] = attrs.field(default=(), converter=_abuse_limits)
    term_schemes: tuple[BillingTermScheme, ...] = attrs.field(default=(), converter=_term_schemes)
    subscription_types: tuple[SubscriptionType, ...] = attrs.field(
        default=(), converter=_subscription_types
    )
    _types: dict[str, ProductType] = attrs.field(init=False, eq=False, repr=False)
    _products: dict[str, Product] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_types", _index(self.types, lambda t: t.code))
        object.__setattr__(self, "_products", {product.code: product for product in self.products})
        problems = check_catalog(self)
        if problems:
            raise InvalidCatalog(problems)

    def product_type(self, code: str) -> ProductType:
        """The product type ``code``.

        Raises:
            NotFound: the catalog defines no such type.
        """
        try:
            return self._types[code]
        except KeyError:
            raise NotFound("product type", code) from None

    def product(self, code: str) -> Product:
        """The product ``code``.

        Raises:
            NotFound: the catalog defines no such product.
        """
        try:
            return self._products[code]
        except KeyError:
            raise NotFound("product", code) from None

    def type_of(self, product_code: str) -> ProductType:
        """The type of product ``product_code``."""
        return self.product_type(self.product(product_code).type_code)

    def ladder(self, product_code: str) -> EditionLadder | None:
        """The editions of product ``product_code``, if it has any."""
        return next((e for e in self.editions if e.product_code == product_code), None)

    def bundle(self, product_code: str) -> Bundle | None:
        """The bundle definition of product ``product_code``, if it is a bundle."""
        return next((b for b in self.bundles if b.product_code == product_code), None)

    def addons_for(self, base_code: str, customer: str | None = None) -> tuple[AddOn, ...]:
        """The add-ons a base product may carry: predefined ones, and ``customer``'s own."""
        return tuple(
            addon
            for addon in self.addons
            if base_code in addon.bases and addon.custom_for in (None, customer)
        )

    @property
    def tld_table(self) -> TldPrices:
        """The TLD price table, to price domain lines (``PricingContext(tld_prices=...)``)."""
        return TldPrices(self.tld_prices)

    def term_scheme(self, code: str) -> BillingTermScheme:
        """The billing term scheme ``code``.

        Raises:
            NotFound: the catalog defines no such scheme.
        """
        found = next((scheme for scheme in self.term_schemes if scheme.code == code), None)
        if found is None:
            raise NotFound("billing term scheme", code, "add it to the catalog's term_schemes")
        return found

    def subscription_type(self, code: str) -> SubscriptionType:
        """The subscription type ``code``.

        Raises:
            NotFound: the catalog defines no such subscription type.
        """
        found = next((kind for kind in self.subscription_types if kind.code == code), None)
        if found is None:
            raise NotFound("subscription type", code, "add it to the catalog's subscription_types")
        return found

    def abuse_limits_for(self, product_code: str) -> tuple[AbuseLimit, ...]:
        """The abuse limits of product ``product_code``'s services."""
        return tuple(limit for limit in self.abuse_limits if limit.product_code == product_code)

    def offered_on(self, day: date) -> tuple[Product, ...]:
        """The products that can be sold in new business on ``day``."""
        return tuple(product for product in self.products if product.is_offered_on(day))

    def find_products(self, query: ProductQuery) -> tuple[Product, ...]:
        """The products matching every filter of ``query``, ordered by code (seed 003's list).

        Raises:
            ValidationError: ``query`` is not a :class:`ProductQuery`.
        """
        if not isinstance(query, ProductQuery):
            raise ValidationError(f"query {query!r} must be a ProductQuery")
        return tuple(
            product
            for product in sorted(self.products, key=lambda item: item.code)
            if query.matches(product)
        )

    def add(self, *definitions: CatalogDefinition) -> Catalog:
        """A new catalog with ``definitions`` added, checked as a whole.

        Raises:
            InvalidCatalog: the result breaks a rule; nothing is added.
        """
        new = [d for d in definitions if not isinstance(d, _KINDS)]
        if new:
            raise TypeError(f"{new[0]!r} is not a catalog definition")
        return Catalog(
            (*self.types, *(d for d in definitions if isinstance(d, ProductType))),
            (*self.products, *(d for d in definitions if isinstance(d, Product))),
            (*self.editions, *(d for d in definitions if isinstance(d, EditionLadder))),
            (*self.addons, *(d for d in definitions if isinstance(d, AddOn))),
            (
                *self.bundles,
                *(d for d in definitions if isinstance(d, FixedBundle | FlexibleBundle)),
            ),
            self.change_rules,
            self.cancellation,
            (*self.brands, *(d for d in definitions if isinstance(d, Brand))),
            (*self.families, *(d for d in definitions if isinstance(d, Family))),
            (*self.categories, *(d for d in definitions if isinstance(d, Category))),
            (*self.tld_prices, *(d for d in definitions if isinstance(d, TldPrice))),
            (*self.abuse_limits, *(d for d in definitions if isinstance(d, AbuseLimit))),
        )


_BUNDLES = (FixedBundle, FlexibleBundle)
_KINDS = (
    ProductType,
    Product,
    EditionLadder,
    AddOn,
    *_BUNDLES,
    Brand,
    Family,
    Category,
    TldPrice,
    AbuseLimit,
)


def _problems(path: str, findings: Iterable[Finding]) -> list[CatalogProblem]:
    return [CatalogProblem(path, rule, message) for rule, message in findings]


def check_catalog(catalog: Catalog) -> list[CatalogProblem]:
    """Every rule spanning definitions that ``catalog`` breaks, with paths."""
    found = _duplicated(
        (
            ("types", [t.code for t in catalog.types]),
            ("products", [p.code for p in catalog.products]),
            ("editions", [e.product_code for e in catalog.editions]),
            ("addons", [a.code for a in catalog.addons]),
            ("bundles", [b.product_code for b in catalog.bundles]),
            ("brands", [b.code for b in catalog.brands]),
            ("families", [f.code for f in catalog.families]),
            ("categories", [c.code for c in catalog.categories]),
        ),
        "keep one definition",
    )
    alternatives = [p.alternative_code for p in catalog.products if p.alternative_code]
    for code in duplicates(alternatives):
        found.append(
            CatalogProblem(
                "products",
                "catalog.duplicate-alternative-code",
                f"alternative code {code!r} is used by several products; make it unique",
            )
        )
    types = _index(catalog.types, lambda t: t.code)
    products = ProductIndex(catalog._products)  # a copy of the catalog's, not built again
    bundled = {b.product_code for b in catalog.bundles}
    for product in catalog.products:
        product_type = types.get(product.type_code)
        if product_type is None:
            found.append(
                CatalogProblem(
                    f"products[{product.code}]",
                    "catalog.unknown-type",
                    f"product {product.code!r} has type {product.type_code!r}, which the "
                    "catalog does not define; add the type or fix the code",
                )
            )
        elif product_type.is_bundle and product.code not in bundled:
            found.append(
                CatalogProblem(
                    f"products[{product.code}]",
                    "catalog.bundle-undefined",
                    f"product {product.code!r} is a {product_type.composition.value} but has "
                    "no bundle definition; define its components",
                )
            )
    found += _unknown_products(
        products,
        "editions are defined for",
        ((f"editions[{e.product_code}]", e.product_code) for e in catalog.editions),
    )
    for addon in catalog.addons:
        found += _problems(f"addons[{addon.code}]", check_addon_in_catalog(addon, products))
    for bundle in catalog.bundles:
        found += _problems(f"bundles[{bundle.product_code}]", check_bundle(bundle, products, types))
    if catalog.change_rules is not None:
        found += _problems("change_rules", check_change_rules(catalog.change_rules, products))
    if catalog.cancellation is not None:
        found += _problems(
            "cancellation", check_cancellation_defaults(catalog.cancellation, products)
        )
    found += check_records(catalog, products)
    return found


@attrs.frozen(slots=True)
class CatalogVersion:
    """A catalog as it stands from a date on.

    Args:
        name: the version's name, which services record.
        effective: the first day this version answers lookups.
        catalog: the definitions of this version.
        existing_move_on: when services created under earlier versions move
            to this version's prices; ``None`` keeps them on their own
            version's prices until they change (grandfathering).

    Raises:
        TypeError: a field of the wrong type (the name not text, a day not a ``date``).
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    effective: date = attrs.field(validator=lambda _, __, day: _day(day, "effective"))
    catalog: Catalog = attrs.field(validator=attrs.validators.instance_of(Catalog))
    existing_move_on: date | None = attrs.field(
        default=None,
        validator=lambda _, __, day: None if day is None else _day(day, "existing_move_on"),
    )


def _day(value: object, what: str) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{what} must be a date, not {type(value).__name__}")


@attrs.frozen(slots=True)
class CatalogVersions:
    """The versions of a catalog over time.

    >>> first = CatalogVersion("2025", date(2025, 1, 1), Catalog())
    >>> second = CatalogVersion("2026", date(2026, 1, 1), Catalog(), date(2026, 7, 1))
    >>> history = CatalogVersions((first, second))
    >>> history.in_force(date(2025, 12, 31)).name, history.in_force(date(2026, 1, 1)).name
    ('2025', '2026')
    >>> history.for_service("2025", date(2026, 3, 1)).name  # grandfathered
    '2025'
    >>> history.for_service("2025", date(2026, 7, 1)).name  # moved on
    '2026'

    Raises:
        InvalidCatalog: two versions share a name or an effective date, or a
            version moves existing services before it takes effect.
    """

    versions: tuple[CatalogVersion, ...] = attrs.field(converter=_versions)

    def __attrs_post_init__(self) -> None:
        ordered = tuple(sorted(self.versions, key=lambda v: v.effective))
        object.__setattr__(self, "versions", ordered)
        found = []
        for code in duplicates([v.name for v in ordered]):
            found.append(
                CatalogProblem(f"versions[{code}]", "version.duplicate", "the name is used twice")
            )
        days = [v.effective.isoformat() for v in ordered]
        for day in duplicates(days):
            found.append(
                CatalogProblem(
                    "versions",
                    "version.same-day",
                    f"two versions take effect on {day}; give each its own date",
                )
            )
        for version in ordered:
            if version.existing_move_on and version.existing_move_on < version.effective:
                found.append(
                    CatalogProblem(
                        f"versions[{version.name}]",
                        "version.move-before-effective",
                        f"existing services move on {version.existing_move_on}, before the "
                        f"version takes effect on {version.effective}",
                    )
                )
        if found:
            raise InvalidCatalog(found)

    def in_force(self, day: date) -> CatalogVersion:
        """The version that answers lookups on ``day``.

        Raises:
            NotFound: ``day`` is before the first version.
        """
        current = None
        for version in self.versions:
            if version.effective > day:
                break
            current = version
        if current is None:
            raise NotFound("catalog version in force on", day, "add a version effective earlier")
        return current

    def version(self, name: str) -> CatalogVersion:
        """The version called ``name``.

        Raises:
            NotFound: no version has that name.
        """
        found = next((v for v in self.versions if v.name == name), None)
        if found is None:
            raise NotFound("catalog version", name)
        return found

    def withdrawable(self, name: str, today: date) -> CatalogVersion:
        """The version ``name``, refused unless it takes effect after ``today``.

        A version in force (or past) answered lookups: services and orders were
        sold under it, so it stays; a later version replaces it instead.

        >>> soon = CatalogVersions((CatalogVersion("2026", date(2026, 1, 1), Catalog()),))
        >>> soon.withdrawable("2026", date(2025, 12, 31)).name
        '2026'

        Raises:
            NotFound: no version has that name.
            RuleViolation: it takes effect on or before ``today`` (rule
                ``version.in-force``).
        """
        version = self.version(name)
        if version.effective <= today:
            raise RuleViolation(
                "version.in-force",
                f"catalog version {name!r} took effect on {version.effective}, on or before "
                f"{today}: what was sold under it keeps it; add a later version instead",
                name,
            )
        return version

    def for_service(self, name: str, day: date) -> CatalogVersion:
        """The version whose prices a service created under version ``name`` uses on ``day``.

        A service keeps its version (grandfathering) until a later version
        in force says existing services move, from its ``existing_move_on``.
        """
        current = self.version(name)
        for version in self.versions:
            if (
                version.effective > current.effective
                and version.existing_move_on is not None
                and version.existing_move_on <= day
            ):
                current = version
        return current
