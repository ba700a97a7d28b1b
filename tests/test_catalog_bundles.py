"""Bundles: the allowed-component table, rules in conflict, and customers' selections."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife.catalog.bundles import (
    CONFLICT_RULES,
    Component,
    FixedBundle,
    FlexibleBundle,
    Pool,
    PoolKind,
    SelectionInvalid,
    check_bundle,
    check_selection,
    expand,
    find_selection,
    validate_selection,
)
from prodlife.catalog.products import Product
from prodlife.catalog.types import (
    Classification,
    Composition,
    GoodKind,
    ProductType,
    ServiceKind,
)
from prodlife.errors import RuleViolation

SERVICE, GOOD = Classification.SERVICE, Classification.PHYSICAL_GOOD
PRODUCT, TYPE, FAMILY = PoolKind.PRODUCT, PoolKind.TYPE, PoolKind.FAMILY

#: Every kind of product seed 004 knows, as the arguments of its product type.
KINDS: dict[str, dict[str, object]] = {
    "termed service": {"classification": SERVICE, "service_kind": ServiceKind.TERMED},
    "usage service": {"classification": SERVICE, "service_kind": ServiceKind.USAGE},
    "one-time service": {"classification": SERVICE, "service_kind": ServiceKind.ONE_TIME},
    "expense service": {"classification": SERVICE, "service_kind": ServiceKind.EXPENSE},
    "traceable good": {"classification": GOOD, "good_kind": GoodKind.TRACEABLE},
    "non-traceable good": {"classification": GOOD, "good_kind": GoodKind.NON_TRACEABLE},
}

#: The documented reading of seed 004's allowed-component table: (bundle, component) pairs.
ALLOWED = {
    ("termed service", "termed service"),
    ("traceable good", "traceable good"),
    ("traceable good", "non-traceable good"),
    ("non-traceable good", "non-traceable good"),
}

Catalog = tuple[dict[str, Product], dict[str, ProductType]]


def kind_type(code: str, kind: str, composition: Composition = Composition.FLAT) -> ProductType:
    """A product type of one of seed 004's kinds."""
    return ProductType(code, code.title(), composition=composition, **KINDS[kind])  # type: ignore[arg-type]


def catalog(types: list[ProductType], *products: tuple[str, str, str | None]) -> Catalog:
    """Products from ``(code, type code, family)`` triples, with their types, by code."""
    return (
        {
            code: Product(code, code.title(), type_code, family=fam)
            for code, type_code, fam in products
        },
        {t.code: t for t in types},
    )


def tv_catalog() -> Catalog:
    """A channel bouquet and channels of two families, and a usage service."""
    return catalog(
        [
            kind_type("BOUQUET", "termed service", Composition.FLEXIBLE_BUNDLE),
            kind_type("CHANNEL", "termed service"),
            kind_type("RADIO", "termed service"),
            kind_type("PPV", "usage service"),
        ],
        ("TV", "BOUQUET", None),
        ("HBO", "CHANNEL", "MOVIES"),
        ("CINEMAX", "CHANNEL", "MOVIES"),
        ("ESPN", "CHANNEL", "SPORTS"),
        ("JAZZ", "RADIO", "MUSIC"),
        ("FIGHT", "PPV", "SPORTS"),
    )


def rules(found: list[tuple[str, str]]) -> list[str]:
    return [rule for rule, _ in found]


# --- the allowed-component table ------------------------------------------------------------


@pytest.mark.parametrize("bundle_kind", ["termed service", "traceable good", "non-traceable good"])
@pytest.mark.parametrize("component_kind", list(KINDS))
def test_fixed_bundle_takes_the_components_the_table_allows(
    bundle_kind: str, component_kind: str
) -> None:
    products, types = catalog(
        [
            kind_type("KIT", bundle_kind, Composition.FIXED_BUNDLE),
            kind_type("PART", component_kind),
        ],
        ("BOX", "KIT", None),
        ("ITEM", "PART", None),
    )
    found = check_bundle(FixedBundle("BOX", (Component("ITEM", 2),)), products, types)
    expected = [] if (bundle_kind, component_kind) in ALLOWED else ["bundle.allowed-component"]
    assert rules(found) == expected


@pytest.mark.parametrize("bundle_kind", ["termed service", "non-traceable good"])
@pytest.mark.parametrize("component_kind", list(KINDS))
@pytest.mark.parametrize("kind", [PRODUCT, TYPE])
def test_flexible_bundle_pools_take_the_components_the_table_allows(
    bundle_kind: str, component_kind: str, kind: PoolKind
) -> None:
    products, types = catalog(
        [
            kind_type("PACK", bundle_kind, Composition.FLEXIBLE_BUNDLE),
            kind_type("PART", component_kind),
        ],
        ("BOX", "PACK", None),
        ("ITEM", "PART", None),
    )
    bundle = FlexibleBundle("BOX", (Pool(kind, "ITEM" if kind is PRODUCT else "PART", 1, 1),))
    if (bundle_kind, component_kind) in ALLOWED:
        assert check_bundle(bundle, products, types) == []
        assert find_selection(bundle, products, types) == {"ITEM": 1}
    else:
        assert rules(check_bundle(bundle, products, types)) == [
            "bundle.allowed-component",
            "bundle.empty-pool",
        ]


@pytest.mark.parametrize("bundle_kind", ["termed service", "traceable good", "non-traceable good"])
def test_bundles_are_never_nested(bundle_kind: str) -> None:
    products, types = catalog(
        [
            kind_type("KIT", bundle_kind, Composition.FIXED_BUNDLE),
            kind_type("INNER", bundle_kind, Composition.FIXED_BUNDLE),
        ],
        ("BOX", "KIT", None),
        ("SMALL", "INNER", None),
    )
    [(rule, message)] = check_bundle(FixedBundle("BOX", (Component("SMALL"),)), products, types)
    assert rule == "bundle.allowed-component"
    assert "cannot be nested" in message


def test_a_bundle_cannot_hold_itself() -> None:
    products, types = tv_catalog()
    found = check_bundle(FlexibleBundle("TV", (Pool(PRODUCT, "TV", 0, 1),)), products, types)
    assert rules(found) == ["bundle.allowed-component", "bundle.conflict"]


# --- the bundle and its components exist ------------------------------------------------------


def test_unknown_bundle_product_and_components_are_reported() -> None:
    products, types = tv_catalog()
    found = check_bundle(FixedBundle("RADIO-KIT", (Component("NOPE"),)), products, types)
    assert rules(found) == ["bundle.unknown-product", "bundle.unknown-component"]
    assert "no product 'NOPE'" in found[1][1]


def test_unknown_pool_type_is_reported() -> None:
    products, types = tv_catalog()
    bundle = FlexibleBundle("TV", (Pool(TYPE, "GHOST", 0, 1), Pool(TYPE, "CHANNEL", 1)))
    assert rules(check_bundle(bundle, products, types)) == ["bundle.unknown-component"]


def test_a_bundle_matches_its_type_composition() -> None:
    products, types = tv_catalog()
    [(rule, message)] = check_bundle(FixedBundle("TV", (Component("HBO"),)), products, types)
    assert rule == "bundle.composition"
    assert "defined as a fixed bundle, but its product's type 'BOUQUET' is flexible" in message


# --- definitions that check themselves --------------------------------------------------------


def test_min_above_max_is_rejected_when_the_pool_is_defined() -> None:
    with pytest.raises(RuleViolation) as caught:
        Pool(PRODUCT, "HBO", 2, 1)
    assert caught.value.rule == "bundle.min-above-max"
    assert "lower the minimum or raise the maximum" in str(caught.value)


@pytest.mark.parametrize(
    ("build", "rule"),
    [
        (lambda: Component("HBO", 0), "bundle.quantity"),
        (lambda: Component(" HBO"), "code.format"),
        (lambda: Pool(TYPE, "CHANNEL", -1), "bundle.quantity"),
        (lambda: FixedBundle("KIT", ()), "bundle.no-components"),
        (lambda: FixedBundle("KIT", (Component("A"), Component("A", 2))), "bundle.duplicate"),
        (lambda: FlexibleBundle("TV", ()), "bundle.no-components"),
        (lambda: FlexibleBundle("TV", (Pool(TYPE, "C"), Pool(TYPE, "C", 1))), "bundle.duplicate"),
        (lambda: FlexibleBundle("TV", (Pool(TYPE, "C"),), max_types=0), "bundle.restriction-limit"),
    ],
)
def test_definitions_check_their_own_rules(build: Callable[[], object], rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        build()
    assert caught.value.rule == rule


def test_expand_multiplies_a_fixed_bundle() -> None:
    kit = FixedBundle("KIT", (Component("MODEM"), Component("CABLE", 2)))
    assert expand(kit, 2) == (Component("MODEM", 2), Component("CABLE", 4))
    assert kit.quantities == {"MODEM": 1, "CABLE": 2}
    with pytest.raises(RuleViolation):
        expand(kit, 0)


# --- rules in conflict, reported when the bundle is defined ------------------------------------


def test_seed_004_warning_example_is_reported_naming_the_pools_in_conflict() -> None:
    # Both channels are required once (product pools), but their type allows one in all.
    products, types = tv_catalog()
    pools = (Pool(PRODUCT, "HBO", 1, 1), Pool(PRODUCT, "ESPN", 1, 1), Pool(TYPE, "CHANNEL", 1, 1))
    [(rule, message)] = check_bundle(FlexibleBundle("TV", pools), products, types)
    assert rule == "bundle.conflict"
    for pool in pools:
        assert pool.label in message
    assert find_selection(FlexibleBundle("TV", pools), products, types) is None


def test_seed_004_warning_example_with_a_family_pool() -> None:
    # HBO is required, a sports channel is required, and the channel type allows one in all.
    products, types = tv_catalog()
    pools = (Pool(PRODUCT, "HBO", 1, 1), Pool(FAMILY, "SPORTS", 1, 1), Pool(TYPE, "CHANNEL", 0, 1))
    [(rule, message)] = check_bundle(FlexibleBundle("TV", pools), products, types)
    assert rule == "bundle.conflict"
    assert all(pool.label in message for pool in pools)


def test_a_product_pool_and_its_type_pool_are_both_met_by_the_one_product() -> None:
    # A product counts against every pool that offers it, so HBO alone meets both pools.
    products, types = tv_catalog()
    bundle = FlexibleBundle("TV", (Pool(PRODUCT, "HBO", 1, 1), Pool(TYPE, "CHANNEL", 1, 1)))
    assert check_bundle(bundle, products, types) == []
    assert find_selection(bundle, products, types) == {"HBO": 1}


def test_only_the_pools_in_conflict_are_named() -> None:
    products, types = tv_catalog()
    bystander = Pool(TYPE, "CHANNEL", 0, 3)
    pools = (Pool(FAMILY, "MUSIC", 2), Pool(PRODUCT, "JAZZ", 0, 0), bystander)
    [(rule, message)] = check_bundle(FlexibleBundle("TV", pools), products, types)
    assert rule == "bundle.conflict"
    assert pools[0].label in message
    assert pools[1].label in message
    assert bystander.label not in message


def test_a_pool_offering_nothing_cannot_meet_its_minimum() -> None:
    products, types = tv_catalog()
    bundle = FlexibleBundle("TV", (Pool(FAMILY, "NEWS", 1), Pool(TYPE, "CHANNEL", 0, 2)))
    [(rule, message)] = check_bundle(bundle, products, types)
    assert rule == "bundle.empty-pool"
    assert "pool family 'NEWS'" in message


def test_a_pool_offering_nothing_with_minimum_0_is_harmless() -> None:
    products, types = tv_catalog()
    bundle = FlexibleBundle("TV", (Pool(FAMILY, "NEWS"), Pool(TYPE, "CHANNEL", 1, 2)))
    assert check_bundle(bundle, products, types) == []


def test_pools_offering_only_usage_services_leave_a_termed_bundle_empty() -> None:
    products, types = tv_catalog()
    bundle = FlexibleBundle("TV", (Pool(PRODUCT, "FIGHT", 0, 1),))
    assert rules(check_bundle(bundle, products, types)) == [
        "bundle.allowed-component",
        "bundle.conflict",
    ]


def test_a_selection_holds_at_least_one_product() -> None:
    products, types = tv_catalog()
    bundle = FlexibleBundle("TV", (Pool(TYPE, "CHANNEL", 0, 0), Pool(TYPE, "RADIO", 0, 0)))
    [(rule, message)] = check_bundle(bundle, products, types)
    assert rule == "bundle.conflict"
    assert "at least one product" in message


def test_a_family_limit_no_selection_can_meet_is_reported() -> None:
    products, types = tv_catalog()
    pools = (Pool(FAMILY, "MOVIES", 1), Pool(FAMILY, "SPORTS", 1), Pool(TYPE, "RADIO", 1))
    [(rule, message)] = check_bundle(FlexibleBundle("TV", pools, max_families=2), products, types)
    assert rule == "bundle.restriction"
    assert "'only from 2 product families'" in message
    assert "uses at least 3 families; raise the limit to 3" in message
    assert all(pool.label in message for pool in pools)
    assert check_bundle(FlexibleBundle("TV", pools, max_families=3), products, types) == []


def test_a_type_limit_no_selection_can_meet_is_reported() -> None:
    products, types = tv_catalog()
    pools = (Pool(PRODUCT, "HBO", 1), Pool(PRODUCT, "JAZZ", 1), Pool(TYPE, "CHANNEL"))
    [(rule, message)] = check_bundle(FlexibleBundle("TV", pools, max_types=1), products, types)
    assert rule == "bundle.restriction"
    assert pools[0].label in message
    assert pools[1].label in message
    assert pools[2].label not in message


def test_a_limit_is_met_by_choosing_products_from_few_families() -> None:
    products, types = tv_catalog()
    bundle = FlexibleBundle("TV", (Pool(TYPE, "CHANNEL", 2), Pool(FAMILY, "MOVIES", 1)), 1)
    assert check_bundle(bundle, products, types) == []
    selection = find_selection(bundle, products, types)
    assert selection is not None
    assert {products[code].family for code in selection} == {"MOVIES"}


def test_realistic_bundles_are_checked() -> None:
    # 30 channels in 6 families and 5 types; 10 pools; families and types limited.
    types = [kind_type("PACK", "termed service", Composition.FLEXIBLE_BUNDLE)]
    types += [kind_type(f"T{t}", "termed service") for t in range(5)]
    channels = [(f"C{i}", f"T{i % 5}", f"F{i % 6}") for i in range(30)]
    products, by_code = catalog(types, ("PACK", "PACK", None), *channels)
    pools = [Pool(FAMILY, f"F{f}", 1, 3) for f in range(3)]
    pools += [Pool(TYPE, f"T{t}", 0, 2) for t in range(5)]
    pools += [Pool(PRODUCT, "C7", 1, 1), Pool(PRODUCT, "C29", 0, 0)]
    for families, kinds in [(3, 2), (3, 3), (4, 5), (2, 5), (6, 1)]:
        bundle = FlexibleBundle("PACK", tuple(pools), max_families=families, max_types=kinds)
        found = check_bundle(bundle, products, by_code)
        selection = find_selection(bundle, products, by_code)
        assert (selection is None) == any(rule in CONFLICT_RULES for rule, _ in found)
        if selection is not None:
            validate_selection(bundle, selection, products, by_code)


# --- customers' selections --------------------------------------------------------------------


def test_a_selection_error_lists_every_violated_rule() -> None:
    products, types = tv_catalog()
    bundle = FlexibleBundle(
        "TV",
        (Pool(PRODUCT, "HBO", 1), Pool(FAMILY, "SPORTS", 0, 1), Pool(TYPE, "RADIO", 1)),
        max_families=1,
        max_types=1,
    )
    selection = {"ESPN": 2, "JAZZ": 1, "CINEMAX": 1, "GHOST": 1, "FIGHT": 1, "HBO": -1}
    with pytest.raises(SelectionInvalid) as caught:
        validate_selection(bundle, selection, products, types)
    expected = [
        "bundle.selection-outside",
        "bundle.selection-outside",
        "bundle.selection-unknown",
        "bundle.selection-quantity",
        "bundle.pool-min",
        "bundle.pool-max",
        "bundle.families-limit",
        "bundle.types-limit",
    ]
    assert sorted(rule for rule, _ in caught.value.violations) == sorted(expected)
    assert caught.value.rule == "bundle.selection"
    assert "breaks 8 rules" in str(caught.value)
    for _, message in caught.value.violations:
        assert message in str(caught.value)


def test_a_valid_selection_is_accepted() -> None:
    products, types = tv_catalog()
    bundle = FlexibleBundle("TV", (Pool(TYPE, "CHANNEL", 1, 3), Pool(FAMILY, "MUSIC")), 2, 2)
    validate_selection(bundle, {"HBO": 2, "JAZZ": 1, "ESPN": 0}, products, types)
    assert rules(check_selection(bundle, {}, products, types)) == [
        "bundle.selection-empty",
        "bundle.pool-min",
    ]


def test_a_fixed_bundle_selection_is_its_components() -> None:
    products, types = catalog(
        [
            kind_type("KIT", "traceable good", Composition.FIXED_BUNDLE),
            kind_type("DEVICE", "traceable good"),
        ],
        ("BOX", "KIT", None),
        ("MODEM", "DEVICE", None),
        ("ROKU", "DEVICE", None),
    )
    kit = FixedBundle("BOX", (Component("MODEM"), Component("ROKU", 2)))
    assert find_selection(kit, products, types) == {"MODEM": 1, "ROKU": 2}
    validate_selection(kit, {"MODEM": 1, "ROKU": 2}, products, types)
    with pytest.raises(SelectionInvalid) as caught:
        validate_selection(kit, {"MODEM": 1, "ROKU": 1}, products, types)
    assert [rule for rule, _ in caught.value.violations] == ["bundle.fixed-selection"]


# --- properties: the static check agrees with brute force ---------------------------------------

GENERATED_TYPES = {
    t.code: t
    for t in (
        kind_type("BOUQUET", "termed service", Composition.FLEXIBLE_BUNDLE),
        kind_type("T1", "termed service"),
        kind_type("T2", "termed service"),
        kind_type("USAGE", "usage service"),
    )
}
Instance = tuple[FlexibleBundle, dict[str, Product]]


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    """A small catalog of channels and a flexible bundle over it."""
    count = draw(st.integers(1, 4))
    products = {"B": Product("B", "Bundle", "BOUQUET")}
    for i in range(count):
        type_code = draw(st.sampled_from(["T1", "T2", "T1", "T2", "USAGE"]))
        family = draw(st.sampled_from([None, "F1", "F2", "F3"]))
        products[f"P{i}"] = Product(f"P{i}", f"Channel {i}", type_code, family=family)
    channels = [p for p in products.values() if p.code != "B"]
    pool_keys = {  # mostly keys that offer something, sometimes keys that cannot
        PRODUCT: [p.code for p in channels] * 3 + ["B", "GHOST"],
        TYPE: sorted({p.type_code for p in channels}) * 3 + ["USAGE", "GHOST"],
        FAMILY: sorted({p.family or "F1" for p in channels}) * 3 + ["F3", "GHOST"],
    }
    keys = st.sampled_from(list(PoolKind)).flatmap(
        lambda kind: st.tuples(st.just(kind), st.sampled_from(pool_keys[kind]))
    )
    pools = []
    for kind, key in draw(st.lists(keys, min_size=1, max_size=4, unique=True)):
        low = draw(st.sampled_from([0, 0, 1, 1, 2]))
        extra = draw(st.none() | st.integers(0, 2))
        pools.append(Pool(kind, key, low, None if extra is None else low + extra))
    limits = st.sampled_from([None, 1, 1, 2])
    return FlexibleBundle("B", tuple(pools), draw(limits), draw(limits)), products


def offers(pool: Pool, product: Product) -> bool:
    key = {PRODUCT: product.code, TYPE: product.type_code, FAMILY: product.family}[pool.kind]
    return key == pool.key


def brute_force(bundle: FlexibleBundle, products: Mapping[str, Product]) -> dict[str, int] | None:
    """A valid selection found by trying every quantity up to the sum of the minimums plus one.

    That bound suffices: in a valid selection with the fewest units, every product
    held twice or more counts against a pool at its minimum (else drop one unit),
    and at most one product held once counts against none (else drop one of them).
    """
    offered = [
        p
        for p in products.values()
        if p.type_code in ("T1", "T2") and any(offers(pool, p) for pool in bundle.pools)
    ]
    most = 1 + sum(pool.min_quantity for pool in bundle.pools)
    for quantities in itertools.product(range(most + 1), repeat=len(offered)):
        chosen = [(p, q) for p, q in zip(offered, quantities, strict=True) if q]
        if not chosen:
            continue
        totals = [sum(q for p, q in chosen if offers(pool, p)) for pool in bundle.pools]
        if any(t < pool.min_quantity for t, pool in zip(totals, bundle.pools, strict=True)):
            continue
        if any(
            pool.max_quantity is not None and t > pool.max_quantity
            for t, pool in zip(totals, bundle.pools, strict=True)
        ):
            continue
        families, kinds = {p.family for p, _ in chosen}, {p.type_code for p, _ in chosen}
        if bundle.max_families is not None and len(families) > bundle.max_families:
            continue
        if bundle.max_types is not None and len(kinds) > bundle.max_types:
            continue
        return {p.code: q for p, q in chosen}
    return None


def conflicts(bundle: FlexibleBundle, products: Mapping[str, Product]) -> list[str]:
    return [r for r, _ in check_bundle(bundle, products, GENERATED_TYPES) if r in CONFLICT_RULES]


@given(instances())
def test_bundles_without_conflict_have_a_selection_that_validates(instance: Instance) -> None:
    bundle, products = instance
    selection = find_selection(bundle, products, GENERATED_TYPES)
    assert (selection is None) == bool(conflicts(bundle, products))
    if selection is not None:
        validate_selection(bundle, selection, products, GENERATED_TYPES)


@given(instances())
def test_the_static_check_agrees_with_brute_force(instance: Instance) -> None:
    bundle, products = instance
    assert (brute_force(bundle, products) is None) == bool(conflicts(bundle, products))
