"""Reseller offerings (seed 000): which marketplace products a reseller sells, at its prices.

The marketplace's catalog says what exists. A reseller picks what it sells
("click on the products that you would like to add to your product offerings,
then Start selling"): a :class:`ResellerOffering` names the products (and,
optionally, only some of their editions), the add-ons, its own price plan (a
stored :class:`~prodlife.pricing.PricePlan` of its own), and its limits: how many
live services of a product one of its customers may hold, and how many units one
service may have. An order placed through the reseller sees only those: any
other product, edition or add-on is refused, its limits hold on top of the
catalog's, and it is priced from the reseller's plan.

Offerings are stored apart from the catalog versions (``uow.offerings`` on every
store): a reseller changes what it sells whenever it likes, without a new
catalog version from the marketplace, and every order through it reads the
offering as stored at that moment.

=============================  ====================================================
rule                           condition
=============================  ====================================================
``code.format``                the reseller's code, its plan's code, and every
                               product, edition and add-on code are codes
``reseller.name``              an offering has a name
``reseller.duplicate``         a product is listed once
``reseller.limit``             a limit is a whole number, at least 1 (``None``: none)
``reseller.unknown-product``   the catalog defines each product and add-on offered,
                               and each edition is on its product's ladder
``reseller.product``           an order through the reseller holds only the products
                               it offers
``reseller.edition``           ... in the editions it offers
``reseller.addon``             ... and the add-ons it offers
``reseller.instance-limit``    a customer holds at most the reseller's
                               ``max_per_customer`` live services of a product
``reseller.quantity``          a service has at most the reseller's ``max_quantity``
                               units
``reseller.plan``              an order through the reseller is priced from its plan
=============================  ====================================================

>>> web = OfferedProduct("WEB", editions={"BASIC"}, max_per_customer=1)
>>> shop = ResellerOffering("ACME", "Acme hosting", "ACME-PRICES", products=(web,))
>>> shop.offered("WEB").max_per_customer
1
>>> check_line(shop, "WEB", "PRO", 1)
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: reseller 'ACME' sells WEB only in editions ['BASIC'], not 'PRO';
order one of those (rule reseller.edition)
>>> check_line(shop, "MAIL", None, 1)
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: reseller 'ACME' does not sell 'MAIL'; it sells ['WEB'] (rule
reseller.product)
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._findings import (
    Finding,
    check_code,
    duplicates,
    frozen_codes,
    raise_first,
)
from prodlife.catalog._findings import is_a as _is
from prodlife.catalog.catalog import Catalog
from prodlife.errors import NotFound, RuleViolation

__all__ = [
    "OfferedProduct",
    "ResellerOffering",
    "check_instances",
    "check_line",
    "check_offering",
    "check_offering_in_catalog",
]


def _limit(value: object, what: str) -> list[Finding]:
    if value is None or is_whole(value, 1):
        return []
    return [("reseller.limit", f"{what} {value!r} must be a whole number of at least 1, or None")]


@attrs.frozen(slots=True)
class OfferedProduct:
    """One marketplace product a reseller sells.

    Args:
        product_code: the product's code in the marketplace's catalog.
        editions: the editions it sells (empty: every edition on the ladder).
        max_per_customer: how many live services of it one customer may hold
            through the reseller (on top of the catalog's own limit); ``None``
            for no limit of the reseller's.
        max_quantity: how many units one service may have; ``None`` for no limit.

    Raises:
        RuleViolation: rules ``code.format`` and ``reseller.limit``.
    """

    product_code: str
    editions: frozenset[str] = attrs.field(factory=frozenset, converter=frozen_codes)
    max_per_customer: int | None = None
    max_quantity: int | None = None

    def __attrs_post_init__(self) -> None:
        found = check_code(self.product_code, "offered product")
        for edition in sorted(self.editions, key=str):
            found += check_code(edition, "edition")
        found += _limit(self.max_per_customer, "max_per_customer")
        found += _limit(self.max_quantity, "max_quantity")
        raise_first(found, str(self.product_code))


def _products(values: Iterable[OfferedProduct]) -> tuple[OfferedProduct, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class ResellerOffering:
    """What one reseller sells: marketplace products and add-ons, at its own prices.

    Args:
        reseller: the reseller's code (the offering's key).
        name: a display name.
        price_plan: the code of the stored price plan its orders are priced from.
        products: the products it sells, each with its editions and limits.
        addons: the codes of the add-ons it sells (none by default).

    Raises:
        RuleViolation: a rule of the module's table that an offering checks alone.
    """

    reseller: str
    name: str
    price_plan: str
    products: tuple[OfferedProduct, ...] = attrs.field(default=(), converter=_products)
    addons: frozenset[str] = attrs.field(factory=frozenset, converter=frozen_codes)

    def __attrs_post_init__(self) -> None:
        raise_first(check_offering(self), self.reseller)

    @property
    def product_codes(self) -> tuple[str, ...]:
        """The codes of the products it sells, sorted."""
        return tuple(sorted(p.product_code for p in self.products))

    def offered(self, product_code: str) -> OfferedProduct:
        """How it sells ``product_code``.

        Raises:
            RuleViolation: it does not sell it (rule ``reseller.product``).
        """
        for product in self.products:
            if product.product_code == product_code:
                return product
        raise RuleViolation(
            "reseller.product",
            f"reseller {self.reseller!r} does not sell {product_code!r}; it sells "
            f"{list(self.product_codes)}",
            product_code,
        )


def check_offering(offering: ResellerOffering) -> list[Finding]:
    """Every rule ``offering`` breaks on its own."""
    found = check_code(offering.reseller, "reseller")
    found += check_code(offering.price_plan, "price plan")
    if not isinstance(offering.name, str) or not offering.name.strip():
        found.append(("reseller.name", "an offering needs a name; give it one"))
    if not all(_is(product, OfferedProduct) for product in offering.products):
        found.append(("reseller.product", "every offered product must be an OfferedProduct"))
        return found
    for code in duplicates([product.product_code for product in offering.products]):
        found.append(("reseller.duplicate", f"product {code!r} is listed twice; keep one"))
    for code in sorted(offering.addons, key=str):
        found += check_code(code, "add-on")
    return [(rule, f"offering of {offering.reseller!r}: {message}") for rule, message in found]


def check_offering_in_catalog(offering: ResellerOffering, catalog: Catalog) -> None:
    """Refuse an offering of products, editions or add-ons ``catalog`` does not define.

    Raises:
        RuleViolation: rule ``reseller.unknown-product``.
    """
    defined_addons = {addon.code for addon in catalog.addons}
    for product in offering.products:
        try:
            catalog.product(product.product_code)
        except NotFound:
            raise RuleViolation(
                "reseller.unknown-product",
                f"the marketplace's catalog has no product {product.product_code!r}; offer "
                "one of its products",
                product.product_code,
            ) from None
        ladder = catalog.ladder(product.product_code)
        codes = set() if ladder is None else set(ladder.codes)
        unknown = sorted(product.editions - codes)
        if unknown:
            raise RuleViolation(
                "reseller.unknown-product",
                f"product {product.product_code!r} has no editions {unknown} in the "
                f"marketplace's catalog (it has {sorted(codes)}); offer those",
                product.product_code,
            )
    unknown_addons = sorted(offering.addons - defined_addons)
    if unknown_addons:
        raise RuleViolation(
            "reseller.unknown-product",
            f"the marketplace's catalog has no add-ons {unknown_addons}; offer its add-ons "
            f"{sorted(defined_addons)}",
        )


def check_line(
    offering: ResellerOffering, product_code: str, edition: str | None, quantity: int
) -> OfferedProduct:
    """How ``offering`` sells a service of ``product_code`` in ``edition`` with ``quantity`` units.

    Raises:
        RuleViolation: rules ``reseller.product``, ``reseller.edition``,
            ``reseller.quantity``.
    """
    offered = offering.offered(product_code)
    if offered.editions and edition not in offered.editions:
        raise RuleViolation(
            "reseller.edition",
            f"reseller {offering.reseller!r} sells {product_code} only in editions "
            f"{sorted(offered.editions)}, not {edition!r}; order one of those",
            product_code,
        )
    if offered.max_quantity is not None and quantity > offered.max_quantity:
        raise RuleViolation(
            "reseller.quantity",
            f"reseller {offering.reseller!r} sells {product_code} with at most "
            f"{offered.max_quantity} units a service, not {quantity}; order fewer",
            product_code,
        )
    return offered


def check_instances(offering: ResellerOffering, product_code: str, held: int, adding: int) -> None:
    """Refuse ``adding`` services of ``product_code`` to a customer holding ``held`` live ones.

    Raises:
        RuleViolation: rule ``reseller.instance-limit``.
    """
    limit = offering.offered(product_code).max_per_customer
    if limit is not None and held + adding > limit:
        raise RuleViolation(
            "reseller.instance-limit",
            f"through reseller {offering.reseller!r} a customer may hold at most {limit} live "
            f"{product_code} service(s) and holds {held}; {adding} more is too many: end one "
            "first, or order fewer",
            product_code,
        )
