# Over 400 lines: fixed and flexible bundles share their components, pools and the checks
# of a customer's selection; the search for a selection is in catalog/_bundle_search.py.
"""Bundles: fixed components, or pools a customer picks from (seed 004).

A :class:`FixedBundle` lists components and quantities a customer cannot change.
A :class:`FlexibleBundle` offers :class:`Pool` s (one product, the products of a
type, or of a family), each with a minimum and an optional maximum quantity,
and may limit a selection to products from N families or N types.

Seed 004's allowed-component table has empty cells in our copy; prodlife reads
it so (rule ``bundle.allowed-component``), and never nests bundles:

===========================  ==================================================
bundle product type          allowed components
===========================  ==================================================
termed service               flat termed services
traceable physical good      flat physical goods, traceable or non-traceable
non-traceable physical good  flat non-traceable physical goods
===========================  ==================================================

A selection (product code to quantity) is valid when it holds at least one
product, each an allowed component some pool offers; each pool's total is
within its bounds (a product counts against every pool offering it: its
product pool, its type's and its family's); and it uses no more families
(types) than allowed, products without a family counting as one family.

:func:`check_bundle` decides exactly whether a valid selection exists. A
product has one type and one family, so the pools form a network (source, type
pools, products, family pools, sink; a product pool bounds its product's arc)
whose feasible flows are the valid selections, found by max-flow. The limits
are met by branch and bound, including or excluding a family or type the flow
uses: for limits *a*, *b* over *F* families and *T* types, at most about
F**a * T**b flows. When there is none, a deletion filter finds a minimal set of
rules in conflict to name. Seed 004's warning example, two channels each
required while their type allows one:

>>> from prodlife.catalog.types import Classification, ServiceKind
>>> termed = {"classification": Classification.SERVICE, "service_kind": ServiceKind.TERMED}
>>> types = {"CHANNEL": ProductType("CHANNEL", "Channel", **termed),
...          "PACK": ProductType("PACK", "Pack", composition=Composition.FLEXIBLE_BUNDLE, **termed)}
>>> products = {p.code: p for p in (Product("TV", "TV", "PACK"),
...     Product("HBO", "HBO", "CHANNEL"), Product("CNN", "CNN", "CHANNEL"))}
>>> tv = FlexibleBundle("TV", (Pool(PoolKind.PRODUCT, "HBO", 1, 1),
...     Pool(PoolKind.PRODUCT, "CNN", 1, 1), Pool(PoolKind.TYPE, "CHANNEL", 1, 1)))
>>> for rule, message in check_bundle(tv, products, types):
...     print(rule, "-", message)
bundle.conflict - bundle 'TV': no selection meets pool product 'HBO' (min 1, max 1),
pool product 'CNN' (min 1, max 1) and pool type 'CHANNEL' (min 1, max 1) together
(a product counts against every pool offering it); relax one of them
>>> find_selection(attrs.evolve(tv, pools=tv.pools[1:]), products, types)
{'CNN': 1}
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._bundle_offer import classes_of, offered, traits
from prodlife.catalog._bundle_offer import refusal as _refusal
from prodlife.catalog._bundle_offer import type_of as _type_of
from prodlife.catalog._bundle_search import _LIMITS, _explain, _solve
from prodlife.catalog._findings import Finding, check_code, duplicates, raise_first
from prodlife.catalog.products import Product
from prodlife.catalog.types import Composition, ProductType
from prodlife.errors import NotFound, RuleViolation

__all__ = [
    "CONFLICT_RULES",
    "Component",
    "FixedBundle",
    "FlexibleBundle",
    "Pool",
    "PoolKind",
    "SelectionInvalid",
    "check_bundle",
    "check_component",
    "check_fixed_bundle",
    "check_flexible_bundle",
    "check_pool",
    "check_selection",
    "expand",
    "find_selection",
    "validate_selection",
]

#: The rules :func:`check_bundle` reports exactly when no valid selection exists.
CONFLICT_RULES = frozenset({"bundle.conflict", "bundle.empty-pool", "bundle.restriction"})

Products = Mapping[str, Product]
Types = Mapping[str, ProductType]


def _about(subject: str, found: list[Finding]) -> list[Finding]:
    return [(rule, f"{subject}: {message}") for rule, message in found]


@attrs.frozen(slots=True)
class Component:
    """A product in a fixed bundle and how many of it the bundle holds (1 or more)."""

    product_code: str
    quantity: int = 1

    def __attrs_post_init__(self) -> None:
        raise_first(check_component(self), self.product_code)


def check_component(component: Component) -> list[Finding]:
    """Every rule a fixed bundle's component breaks on its own."""
    found = check_code(component.product_code, "component product")
    if not is_whole(component.quantity, 1):
        message = f"quantity {component.quantity!r} must be a whole number, 1 or more"
        found.append(("bundle.quantity", message))
    return _about(f"component {component.product_code!r}", found)


class PoolKind(enum.Enum):
    """What a pool offers: one product, the products of a type, or of a family."""

    PRODUCT = "product"
    TYPE = "type"
    FAMILY = "family"


@attrs.frozen(slots=True)
class Pool:
    """Products a customer may pick for a flexible bundle, and how many in all.

    Args:
        kind: whether ``key`` is a product code, a product type code or a family.
        key: the product code, type code or family name.
        min_quantity: the least total quantity to pick from the pool (0 or more).
        max_quantity: the most, or ``None`` for no maximum.

    Raises:
        RuleViolation: a bad key or quantity, or the minimum is above the
            maximum (rule ``bundle.min-above-max``).
    """

    kind: PoolKind
    key: str
    min_quantity: int = 0
    max_quantity: int | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(check_pool(self), self.key)

    @property
    def label(self) -> str:
        """How messages name the pool, e.g. ``"pool type 'CHANNEL' (min 1, no max)"``."""
        most = "no max" if self.max_quantity is None else f"max {self.max_quantity}"
        return f"pool {self.kind.value} {self.key!r} (min {self.min_quantity}, {most})"

    def offers(self, product: Product) -> bool:
        """Whether ``product`` counts against this pool."""
        if self.kind is PoolKind.PRODUCT:
            return product.code == self.key
        return (product.type_code if self.kind is PoolKind.TYPE else product.family) == self.key


def check_pool(pool: Pool) -> list[Finding]:
    """Every rule a pool breaks on its own."""
    kind = getattr(pool.kind, "value", pool.kind)
    found = check_code(pool.key, f"pool {kind}")
    low, high = pool.min_quantity, pool.max_quantity
    if not is_whole(low, 0):
        found.append(("bundle.quantity", f"minimum {low!r} must be a whole number, 0 or more"))
    if high is not None and not is_whole(high, 0):
        found.append(("bundle.quantity", f"maximum {high!r} must be a whole number or None"))
    elif high is not None and is_whole(low, 0) and low > high:
        message = f"minimum {low} is above maximum {high}, so no selection can meet the pool"
        found.append(("bundle.min-above-max", f"{message}; lower the minimum or raise the maximum"))
    return _about(f"pool {kind} {pool.key!r}", found)


def _components(values: Iterable[Component]) -> tuple[Component, ...]:
    return tuple(values)


def _pools(values: Iterable[Pool]) -> tuple[Pool, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class FixedBundle:
    """A bundle whose components and quantities are predefined.

    Raises:
        RuleViolation: no components, or one listed twice.
    """

    product_code: str
    components: tuple[Component, ...] = attrs.field(converter=_components)

    def __attrs_post_init__(self) -> None:
        raise_first(check_fixed_bundle(self), self.product_code)

    @property
    def quantities(self) -> dict[str, int]:
        """Each component's product code and quantity."""
        return {c.product_code: c.quantity for c in self.components}


def _shape(code: str, what: str, keys: list[str]) -> list[Finding]:
    found = check_code(code, "bundle product")
    if not keys:
        found.append(("bundle.no-components", f"the bundle needs at least one {what}"))
    twice = duplicates(keys)
    if twice:
        found.append(("bundle.duplicate", f"{what}s {twice} are listed twice; list each once"))
    return found


def check_fixed_bundle(bundle: FixedBundle) -> list[Finding]:
    """Every rule a fixed bundle breaks on its own (without the catalog)."""
    found = _shape(bundle.product_code, "component", [c.product_code for c in bundle.components])
    return _about(f"bundle {bundle.product_code!r}", found)


@attrs.frozen(slots=True)
class FlexibleBundle:
    """A bundle whose components the customer picks from pools, within limits.

    Args:
        product_code: the bundle's product.
        pools: what may be picked, and how many from each pool.
        max_families: "use products from only N product families", or ``None``.
        max_types: "use products from only N product types", or ``None``.

    Raises:
        RuleViolation: no pools, a pool listed twice, or a limit below 1.
    """

    product_code: str
    pools: tuple[Pool, ...] = attrs.field(converter=_pools)
    max_families: int | None = None
    max_types: int | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(check_flexible_bundle(self), self.product_code)

    @property
    def limits(self) -> tuple[int | None, int | None]:
        """``(max_families, max_types)``."""
        return self.max_families, self.max_types


def check_flexible_bundle(bundle: FlexibleBundle) -> list[Finding]:
    """Every rule a flexible bundle breaks on its own (without the catalog)."""
    keys = [f"{pool.kind.value} {pool.key}" for pool in bundle.pools]
    found = _shape(bundle.product_code, "pool", keys)
    for what, value in zip(_LIMITS, bundle.limits, strict=True):
        if value is not None and not is_whole(value, 1):
            message = f"'only from {value!r} product {what}' allows no product; use 1 or more"
            found.append(("bundle.restriction-limit", f"{message}, or None for no limit"))
    return _about(f"bundle {bundle.product_code!r}", found)


def _pool_findings(
    bundle: FlexibleBundle, bundle_type: ProductType | None, products: Products, types: Types
) -> list[Finding]:
    found: list[Finding] = []
    for pool in bundle.pools:
        if pool.kind is PoolKind.PRODUCT:
            known, part = pool.key in products, _type_of(pool.key, products, types)
        elif pool.kind is PoolKind.TYPE:
            known, part = pool.key in types, types.get(pool.key)
        else:
            continue
        if not known:
            kind = "product" if pool.kind is PoolKind.PRODUCT else "product type"
            found.append(("bundle.unknown-component", f"{pool.label}: {NotFound(kind, pool.key)}"))
        elif part is not None and (why := _refusal(bundle_type, part)) is not None:
            found.append(("bundle.allowed-component", f"{pool.label}: {why}; remove the pool"))
    classes = classes_of(bundle, products, types)
    if _solve(bundle.pools, classes, frozenset(), bundle.limits) is not None:
        return found
    hit = {i for c in classes for i in c.pools if i is not None}
    empty = set()
    for i, pool in enumerate(bundle.pools):
        if pool.min_quantity and i not in hit:
            empty.add(i)
            message = f"{pool.label} offers no product that may be a component"
            found.append(("bundle.empty-pool", f"{message}; add products to it or make its min 0"))
    return found + _explain(bundle, classes, empty)


def check_bundle(
    bundle: FixedBundle | FlexibleBundle, products: Products, types: Types
) -> list[Finding]:
    """Every rule ``bundle`` breaks within a catalog, its rules in conflict included.

    Args:
        bundle: the definition to check.
        products: the catalog's products by code.
        types: the catalog's product types by code.

    Returns:
        Findings about the bundle's product and its type's composition, unknown
        and refused components and, for a flexible bundle, one of
        :data:`CONFLICT_RULES` or more exactly when no valid selection exists.
        A product whose type is unknown is left to the catalog check.
    """
    found: list[Finding] = []
    bundle_type = _type_of(bundle.product_code, products, types)
    want = (
        Composition.FIXED_BUNDLE if isinstance(bundle, FixedBundle) else Composition.FLEXIBLE_BUNDLE
    )
    if bundle.product_code not in products:
        found.append(("bundle.unknown-product", str(NotFound("product", bundle.product_code))))
    elif bundle_type is not None and bundle_type.composition is not want:
        message = f"it is defined as a {want.value}, but its product's type {bundle_type.code!r}"
        message += f" is {bundle_type.composition.value}; give the product a {want.value} type"
        found.append(("bundle.composition", f"{message} or define the bundle as its type says"))
    if isinstance(bundle, FlexibleBundle):
        found += _pool_findings(bundle, bundle_type, products, types)
    for code in [] if isinstance(bundle, FlexibleBundle) else bundle.quantities:
        part = _type_of(code, products, types)
        if code not in products:
            found.append(("bundle.unknown-component", str(NotFound("product", code))))
        elif part is not None and (why := _refusal(bundle_type, part)) is not None:
            found.append(("bundle.allowed-component", f"component {code!r}: {why}; remove it"))
    return _about(f"bundle {bundle.product_code!r}", found)


def find_selection(
    bundle: FixedBundle | FlexibleBundle, products: Products, types: Types
) -> dict[str, int] | None:
    """One valid selection for ``bundle``, or ``None`` when there is none.

    For a flexible bundle it is small: at most the sum of the pools' minimums
    plus one, in all.
    """
    if isinstance(bundle, FixedBundle):
        chosen = bundle.quantities
        return None if check_selection(bundle, chosen, products, types) else chosen
    classes = classes_of(bundle, products, types)
    flows = _solve(bundle.pools, classes, frozenset(), bundle.limits)
    return None if flows is None else {c.code: f for c, f in zip(classes, flows, strict=True) if f}


class SelectionInvalid(RuleViolation):
    """A customer's selection for a bundle breaks rules (rule ``bundle.selection``).

    Attributes:
        violations: every broken rule, as ``(rule, message)`` findings.
    """

    def __init__(self, bundle_code: str, violations: list[Finding]) -> None:
        self.violations = tuple(violations)
        listing = "".join(f"\n  - {message} (rule {rule})" for rule, message in violations)
        rules = f"{len(violations)} rule{'s' if len(violations) != 1 else ''}"
        message = f"the selection for bundle {bundle_code!r} breaks {rules}; fix each:{listing}\n"
        super().__init__("bundle.selection", message, bundle_code)


def check_selection(
    bundle: FixedBundle | FlexibleBundle,
    selection: Mapping[str, int],
    products: Products,
    types: Types,
) -> list[Finding]:
    """Every rule a customer's selection (product code to quantity) breaks.

    A fixed bundle's selection must be its components; quantities of 0 are ignored.
    """
    found: list[Finding] = []
    chosen: dict[str, int] = {}
    if isinstance(bundle, FlexibleBundle):
        offered_codes = {p.code for p in offered(bundle, products, types)}
    else:
        offered_codes = set(bundle.quantities)
    for code, quantity in sorted(selection.items()):
        if not is_whole(quantity, 0):
            message = f"{code!r}: quantity {quantity!r} must be a whole number, 0 or more"
            found.append(("bundle.selection-quantity", message))
        elif quantity and code not in products:
            found.append(("bundle.selection-unknown", str(NotFound("product", code))))
        elif quantity and code not in offered_codes:
            message = f"{code!r} is not offered by the bundle; pick products its pools offer"
            found.append(("bundle.selection-outside", message))
        elif quantity:
            chosen[code] = quantity
    if isinstance(bundle, FixedBundle):
        for code, quantity in sorted(bundle.quantities.items()):
            if chosen.get(code, 0) != quantity:
                message = (
                    f"the bundle holds {quantity} x {code!r}, the selection {chosen.get(code, 0)}"
                )
                found.append(("bundle.fixed-selection", f"{message}; a fixed bundle cannot change"))
        return _about(f"bundle {bundle.product_code!r}", found)
    if not chosen:
        found.append(("bundle.selection-empty", "nothing is selected; pick at least one product"))
    for pool in bundle.pools:
        total = sum(q for code, q in chosen.items() if pool.offers(products[code]))
        if total < pool.min_quantity:
            found.append(("bundle.pool-min", f"{pool.label} has {total}; pick more from it"))
        if pool.max_quantity is not None and total > pool.max_quantity:
            found.append(("bundle.pool-max", f"{pool.label} has {total}; pick fewer from it"))
    for what, n in zip(_LIMITS, bundle.limits, strict=True):
        used = sorted({str(traits(products[code])[_LIMITS.index(what)]) for code in chosen})
        if n is not None and len(used) > n:
            message = f"the selection uses {len(used)} product {what} {used}, more than {n}"
            found.append((f"bundle.{what}-limit", f"{message}; keep to {n}"))
    return _about(f"bundle {bundle.product_code!r}", found)


def validate_selection(
    bundle: FixedBundle | FlexibleBundle,
    selection: Mapping[str, int],
    products: Products,
    types: Types,
) -> None:
    """Accept a customer's selection for ``bundle``, or refuse it naming every broken rule.

    Raises:
        SelectionInvalid: the selection breaks rules; ``violations`` lists each.
    """
    found = check_selection(bundle, selection, products, types)
    if found:
        raise SelectionInvalid(bundle.product_code, found)


def expand(bundle: FixedBundle, count: int = 1) -> tuple[Component, ...]:
    """The components ``count`` fixed bundles hold together.

    >>> expand(FixedBundle("KIT", (Component("MODEM"), Component("CABLE", 2))), 3)
    (Component(product_code='MODEM', quantity=3), Component(product_code='CABLE', quantity=6))

    Raises:
        RuleViolation: ``count`` is not a whole number of at least 1 (rule ``bundle.quantity``).
    """
    if not is_whole(count, 1):
        message = f"bundle count {count!r} must be a whole number, 1 or more"
        raise RuleViolation("bundle.quantity", message, bundle.product_code)
    return tuple(Component(c.product_code, c.quantity * count) for c in bundle.components)
