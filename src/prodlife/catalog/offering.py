"""What a catalog version offers for sale on a day: the checks every use case that sells runs.

A :class:`~prodlife.catalog.Catalog` says what exists; these functions say
whether one sale is allowed by it, and refuse with the rule's id and what to do
otherwise. They are the only place those rules live: ordering, changing a
package and adding an add-on all call them.

===========================  ==================================================================
rule                         condition
===========================  ==================================================================
``offer.unknown-product``    the catalog version in force defines the product
``offer.historic``           the product is not historic (retired)
``offer.hidden``             a hidden product is sold only where hidden ones may be
                             (staff orders, see :mod:`prodlife.lifecycle.actors`)
``offer.validity``           the day is inside the product's validity
``offer.edition``            a product with editions is sold in one of its ladder's editions;
                             a product without editions in none
``offer.instance-limit``     a customer holds at most ``max_per_customer`` live services
                             of the product
``offer.subscription``       an order placed for a subscription type (offering) holds
                             only the type's products
``offer.not-bundle``         a selection of components is given only for a bundle
``offer.component``          a bundle's component is sold through its bundle, never on a
                             line of its own marked as a component
``bundle.*``                 a bundle's selection keeps to its definition (a fixed bundle's
                             components, a flexible bundle's pools and restrictions; see
                             :func:`~prodlife.catalog.bundles.check_selection`), each
                             component sold on the day (hidden ones too)
``offer.unknown-addon``      the catalog defines the add-on (for this customer)
``addon.base``               the add-on is offered for the base product
``addon.limit``              a base carries at most ``max_per_base`` of the add-on
``addon.customer``           a custom add-on is sold only to its customer
===========================  ==================================================================

>>> from datetime import date
>>> from prodlife.catalog import Catalog, Classification, Product, ProductType, ServiceKind
>>> from prodlife.catalog.products import Availability
>>> hosting = ProductType("HOSTING", "Hosting", Classification.SERVICE,
...                       service_kind=ServiceKind.TERMED)
>>> catalog = Catalog(types=(hosting,), products=(
...     Product("WEB", "Web", "HOSTING"),
...     Product("OLD", "Old web", "HOSTING", availability=Availability.HISTORIC)))
>>> check_offered(catalog, "WEB", date(2026, 1, 1)).name
'Web'
>>> check_offered(catalog, "OLD", date(2026, 1, 1))
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: product 'OLD' is historic: it is no longer sold; offer another
product (rule offer.historic)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from prodlife.catalog.addons import AddOn, check_attach
from prodlife.catalog.bundles import Component, FixedBundle, validate_selection
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.products import Availability, Product
from prodlife.catalog.subscriptions import SubscriptionType
from prodlife.errors import NotFound, RuleViolation

__all__ = [
    "check_addon_offered",
    "check_bundle_offered",
    "check_edition",
    "check_instances",
    "check_offered",
    "check_package_offered",
    "check_subscription",
]


def check_offered(
    catalog: Catalog, product_code: str, day: date, *, hidden_ok: bool = False
) -> Product:
    """The product ``product_code``, refused unless ``catalog`` sells it on ``day``.

    Args:
        hidden_ok: whether a hidden product may be sold here (staff orders).

    Raises:
        RuleViolation: rules ``offer.unknown-product``, ``offer.historic``,
            ``offer.hidden``, ``offer.validity``.
    """
    try:
        product = catalog.product(product_code)
    except NotFound:
        raise RuleViolation(
            "offer.unknown-product",
            f"product {product_code!r} is not in the catalog version in force on {day}; "
            "order a product the catalog offers, or add it to a catalog version",
            product_code,
        ) from None
    if product.availability is Availability.HISTORIC:
        raise RuleViolation(
            "offer.historic",
            f"product {product_code!r} is historic: it is no longer sold; offer another product",
            product_code,
        )
    if product.availability is Availability.HIDDEN and not hidden_ok:
        raise RuleViolation(
            "offer.hidden",
            f"product {product_code!r} is not offered to customers; ask the provider to order "
            "it for you",
            product_code,
        )
    if not product.validity.covers(day):
        v = product.validity
        raise RuleViolation(
            "offer.validity",
            f"product {product_code!r} is sold from {v.start or 'always'} until "
            f"{v.end or 'ever'} (end excluded), not on {day}; order it within that window",
            product_code,
        )
    return product


def check_edition(catalog: Catalog, product_code: str, edition: str | None) -> None:
    """Refuse an edition that is not on ``product_code``'s ladder (or one it has none for).

    Raises:
        RuleViolation: rule ``offer.edition``.
    """
    ladder = catalog.ladder(product_code)
    if ladder is None:
        if edition is not None:
            raise RuleViolation(
                "offer.edition",
                f"product {product_code!r} has no editions, so not {edition!r}; leave the "
                "edition out",
                product_code,
            )
        return
    if edition not in ladder.codes:
        raise RuleViolation(
            "offer.edition",
            f"product {product_code!r} is sold in editions {list(ladder.codes)}, not "
            f"{edition!r}; pick one of them",
            product_code,
        )


def check_package_offered(
    catalog: Catalog, product_code: str, edition: str | None, day: date, *, hidden_ok: bool = False
) -> Product:
    """:func:`check_offered` and :func:`check_edition` together: one package sold on ``day``."""
    product = check_offered(catalog, product_code, day, hidden_ok=hidden_ok)
    check_edition(catalog, product_code, edition)
    return product


def check_addon_offered(
    catalog: Catalog, base_code: str, addon_code: str, held: int, customer: str
) -> AddOn:
    """The add-on ``addon_code``, refused unless a ``base_code`` service may carry one more.

    Args:
        held: how many of it the base carries already (counting this sale's others).
        customer: who holds the base.

    Raises:
        RuleViolation: rules ``offer.unknown-addon``, ``addon.base``,
            ``addon.limit``, ``addon.customer``.
    """
    addon = next((a for a in catalog.addons if a.code == addon_code), None)
    if addon is None:
        offered = sorted(a.code for a in catalog.addons_for(base_code, customer))
        raise RuleViolation(
            "offer.unknown-addon",
            f"add-on {addon_code!r} is not in the catalog; {base_code} offers {offered}",
            addon_code,
        )
    check_attach(addon, base_code, held, customer=customer)
    return addon


def check_instances(product: Product, held: int, adding: int) -> None:
    """Refuse ``adding`` more services of ``product`` to a customer who holds ``held`` live ones.

    Raises:
        RuleViolation: rule ``offer.instance-limit``.
    """
    limit = product.max_per_customer
    if limit is not None and held + adding > limit:
        raise RuleViolation(
            "offer.instance-limit",
            f"a customer may hold at most {limit} live {product.code} service(s) and holds "
            f"{held}; {adding} more is too many: end one first, or order fewer",
            product.code,
        )


def check_subscription(subscription: SubscriptionType, product_code: str) -> None:
    """Refuse a product that ``subscription`` (an offering) does not hold.

    Raises:
        RuleViolation: rule ``offer.subscription``.
    """
    if product_code not in subscription.products:
        raise RuleViolation(
            "offer.subscription",
            f"subscription type {subscription.code!r} does not offer {product_code!r}; it "
            f"offers {sorted(subscription.products)}: order one of those, or add the product "
            "to the type",
            product_code,
        )


def check_bundle_offered(
    catalog: Catalog, product_code: str, selection: Iterable[Component], day: date
) -> tuple[Component, ...]:
    """The components one ``product_code`` bundle sold on ``day`` holds, given ``selection``.

    A fixed bundle holds its components (``selection`` empty, or exactly
    them); a flexible bundle holds ``selection``, which must keep to its
    pools and restrictions. Each component must be sold on ``day``; a hidden
    one may be, through its bundle. A product that is not a bundle takes no
    selection and holds nothing.

    Raises:
        RuleViolation: rules ``offer.not-bundle``, ``offer.*`` for a component,
            ``bundle.selection``
            (:class:`~prodlife.catalog.bundles.SelectionInvalid`, listing every
            broken rule of the selection).
    """
    picked = tuple(selection)
    bundle = catalog.bundle(product_code)
    if bundle is None:
        if picked:
            raise RuleViolation(
                "offer.not-bundle",
                f"product {product_code!r} is not a bundle, so it takes no selection of "
                "components; leave the selection out, or order a bundle",
                product_code,
            )
        return ()
    if isinstance(bundle, FixedBundle) and not picked:
        picked = bundle.components
    chosen: dict[str, int] = {}
    for component in picked:
        chosen[component.product_code] = chosen.get(component.product_code, 0) + component.quantity
    products = {p.code: p for p in catalog.products}
    types = {t.code: t for t in catalog.types}
    validate_selection(bundle, chosen, products, types)
    for code in chosen:
        check_package_offered(catalog, code, None, day, hidden_ok=True)
    return tuple(Component(code, quantity) for code, quantity in chosen.items())
