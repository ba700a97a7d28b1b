"""The catalog as a whole: rules spanning definitions (all reported at once, with paths),
lookups, adding definitions, and catalog versions with grandfathering."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings

from prodlife import MONTHLY
from prodlife.catalog import (
    AddOn,
    Availability,
    CancellationDefaults,
    CancellationPolicy,
    Catalog,
    CatalogVersion,
    CatalogVersions,
    ChangeRule,
    ChangeRules,
    ChangeTiming,
    Classification,
    Component,
    Composition,
    Edition,
    EditionLadder,
    FixedBundle,
    FlexibleBundle,
    GoodKind,
    Pool,
    PoolKind,
    Product,
    ProductType,
    ServiceKind,
    Validity,
    check_catalog,
    custom_addon,
)
from prodlife.errors import InvalidCatalog, NotFound, ValidationError
from prodlife.testing.catalogs import catalogs
from tests._support import d, usd

SERVICE, GOOD = Classification.SERVICE, Classification.PHYSICAL_GOOD
TERMED = {"classification": SERVICE, "service_kind": ServiceKind.TERMED}

CHANNEL = ProductType("CHANNEL", "TV channel", **TERMED)  # type: ignore[arg-type]
PACK = ProductType(
    "PACK",
    "TV package",
    composition=Composition.FLEXIBLE_BUNDLE,
    **TERMED,  # type: ignore[arg-type]
)
KIT = ProductType(
    "KIT", "Starter kit", GOOD, good_kind=GoodKind.TRACEABLE, composition=Composition.FIXED_BUNDLE
)
MODEM = ProductType("MODEM", "Modem", GOOD, good_kind=GoodKind.TRACEABLE)
CABLE = ProductType("CABLE", "Cable", GOOD, good_kind=GoodKind.NON_TRACEABLE)

HBO = Product("HBO", "HBO", "CHANNEL", family="MOVIES")
CNN = Product("CNN", "CNN", "CHANNEL", family="NEWS", validity=Validity(d("2025-01-01")))
OLD = Product("OLD", "Old channel", "CHANNEL", availability=Availability.HISTORIC)
SECRET = Product("SECRET", "Staff channel", "CHANNEL", availability=Availability.HIDDEN)
TV = Product("TV", "TV package", "PACK")
BOX = Product("BOX", "Starter kit", "KIT")
ROUTER = Product("ROUTER", "Router", "MODEM")
WIRE = Product("WIRE", "Wire", "CABLE")

HBO_EDITIONS = EditionLadder("HBO", (Edition("SD", "SD"), Edition("HD", "HD")))
TV_BUNDLE = FlexibleBundle("TV", (Pool(PoolKind.TYPE, "CHANNEL", 1, 2),))
BOX_BUNDLE = FixedBundle("BOX", (Component("ROUTER"), Component("WIRE", 3)))
MULTIROOM = AddOn("MULTIROOM", "Multiroom", {"TV"}, MONTHLY, max_per_base=2)
EXTRA = custom_addon("C-42", "EXTRA", "Extra box", usd("5.00"), MONTHLY, "TV")


def tv_shop(**changes: Any) -> Catalog:
    """A TV shop: channels, a package of channels, a starter kit, an add-on and rules."""
    fields: dict[str, Any] = {
        "types": (CHANNEL, PACK, KIT, MODEM, CABLE),
        "products": (HBO, CNN, OLD, SECRET, TV, BOX, ROUTER, WIRE),
        "editions": (HBO_EDITIONS,),
        "addons": (MULTIROOM, EXTRA),
        "bundles": (TV_BUNDLE, BOX_BUNDLE),
        "change_rules": ChangeRules(
            (
                ChangeRule(ChangeTiming.IMMEDIATE, to_product="HBO"),
                ChangeRule(ChangeTiming.END_OF_TERM),
            )
        ),
        "cancellation": CancellationDefaults(per_product={"HBO": CancellationPolicy()}),
    }
    fields.update(changes)
    return Catalog(**fields)


def problems(**changes: Any) -> set[tuple[str, str]]:
    """The (path, rule) of every problem of the TV shop with ``changes``."""
    with pytest.raises(InvalidCatalog) as raised:
        tv_shop(**changes)
    return {(problem.path, problem.rule) for problem in raised.value.problems}


def test_the_tv_shop_is_a_valid_catalog() -> None:
    assert check_catalog(tv_shop()) == []


def test_an_empty_catalog_is_valid() -> None:
    assert Catalog().products == ()


# --- rules spanning definitions --------------------------------------------------------------


def test_a_product_of_a_type_the_catalog_lacks_is_reported_at_the_product() -> None:
    stray = Product("ESPN", "ESPN", "SPORTS")
    found = problems(products=(*tv_shop().products, stray))
    assert found == {("products[ESPN]", "catalog.unknown-type")}


@pytest.mark.parametrize(
    ("section", "duplicate", "path"),
    [
        ("types", CHANNEL, "types[CHANNEL]"),
        ("products", HBO, "products[HBO]"),
        ("editions", HBO_EDITIONS, "editions[HBO]"),
        ("addons", MULTIROOM, "addons[MULTIROOM]"),
        ("bundles", TV_BUNDLE, "bundles[TV]"),
    ],
)
def test_a_code_is_defined_once_per_section(section: str, duplicate: Any, path: str) -> None:
    shop = tv_shop()
    twice = (*getattr(shop, section), duplicate)
    assert problems(**{section: twice}) == {(path, "catalog.duplicate")}


def test_a_code_may_be_reused_across_sections() -> None:
    # An add-on may be a product sold on top of a base (its code is the product's code).
    hbo_addon = AddOn("HBO", "HBO on top", {"TV"}, MONTHLY)
    assert tv_shop(addons=(hbo_addon,)).addons_for("TV") == (hbo_addon,)


def test_an_alternative_code_identifies_one_product() -> None:
    shop = tv_shop()
    products = (
        attrs.evolve(HBO, alternative_code="SKU-1"),
        attrs.evolve(CNN, alternative_code="SKU-1"),
        *shop.products[2:],
    )
    assert problems(products=products) == {("products", "catalog.duplicate-alternative-code")}


def test_a_bundle_product_needs_a_bundle_definition() -> None:
    assert problems(bundles=(BOX_BUNDLE,)) == {("products[TV]", "catalog.bundle-undefined")}


def test_editions_belong_to_a_product_of_the_catalog() -> None:
    ghost = EditionLadder("GHOST", (Edition("SD", "SD"),))
    assert problems(editions=(HBO_EDITIONS, ghost)) == {
        ("editions[GHOST]", "catalog.unknown-product")
    }


def test_an_add_on_attaches_to_products_of_the_catalog() -> None:
    stray = AddOn("REPLAY", "Replay", {"TV", "RADIO"}, MONTHLY)
    assert problems(addons=(stray,)) == {("addons[REPLAY]", "addon.unknown-base")}


@pytest.mark.parametrize(
    ("bundle", "rules"),
    [
        (FlexibleBundle("TV", (Pool(PoolKind.PRODUCT, "ESPN", 1),)), {"bundle.unknown-component"}),
        (FixedBundle("TV", (Component("HBO"),)), {"bundle.composition"}),
        (
            FlexibleBundle(
                "TV",
                (
                    Pool(PoolKind.PRODUCT, "HBO", 1, 1),
                    Pool(PoolKind.PRODUCT, "CNN", 1, 1),
                    Pool(PoolKind.TYPE, "CHANNEL", 0, 1),
                ),
            ),
            {"bundle.conflict"},
        ),
        (
            FlexibleBundle("TV", (Pool(PoolKind.PRODUCT, "ROUTER", 1),)),
            {"bundle.allowed-component"},
        ),
    ],
)
def test_bundle_problems_are_reported_at_the_bundle(
    bundle: FixedBundle | FlexibleBundle, rules: set[str]
) -> None:
    found = problems(bundles=(bundle, BOX_BUNDLE))
    assert {path for path, _ in found} == {"bundles[TV]"}
    assert rules <= {rule for _, rule in found}


def test_a_bundle_for_a_product_the_catalog_lacks_is_reported_at_the_bundle() -> None:
    radio = FixedBundle("RADIO", (Component("WIRE"),))
    assert ("bundles[RADIO]", "bundle.unknown-product") in problems(
        bundles=(TV_BUNDLE, BOX_BUNDLE, radio)
    )


def test_change_rules_name_products_of_the_catalog() -> None:
    rules = ChangeRules(
        (ChangeRule(ChangeTiming.IMMEDIATE, from_product="ESPN"), ChangeRule(ChangeTiming.ILLEGAL))
    )
    assert problems(change_rules=rules) == {("change_rules", "change-rules.unknown-product")}


def test_cancellation_defaults_name_products_of_the_catalog() -> None:
    defaults = CancellationDefaults(per_product={"ESPN": CancellationPolicy()})
    assert problems(cancellation=defaults) == {
        ("cancellation", "cancellation-defaults.unknown-product")
    }


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    shop = tv_shop()
    with pytest.raises(InvalidCatalog) as raised:
        Catalog(
            types=(*shop.types, CHANNEL),
            products=(
                attrs.evolve(HBO, alternative_code="SKU-1"),
                attrs.evolve(CNN, alternative_code="SKU-1"),
                HBO,
                Product("ESPN", "ESPN", "SPORTS"),
                TV,
                Product("TV2", "TV 2", "PACK"),
                BOX,
                ROUTER,
                WIRE,
            ),
            editions=(HBO_EDITIONS, HBO_EDITIONS, EditionLadder("GHOST", (Edition("SD", "SD"),))),
            addons=(MULTIROOM, MULTIROOM, AddOn("REPLAY", "Replay", {"RADIO"}, MONTHLY)),
            bundles=(
                FlexibleBundle("TV", (Pool(PoolKind.PRODUCT, "NEWS24", 1),)),
                BOX_BUNDLE,
                BOX_BUNDLE,
            ),
            change_rules=ChangeRules(
                (
                    ChangeRule(ChangeTiming.IMMEDIATE, from_product="RADIO"),
                    ChangeRule(ChangeTiming.END_OF_TERM),
                )
            ),
            cancellation=CancellationDefaults(per_product={"RADIO": CancellationPolicy()}),
        )
    found = {(problem.path, problem.rule) for problem in raised.value.problems}
    assert found == {
        ("types[CHANNEL]", "catalog.duplicate"),
        ("products[HBO]", "catalog.duplicate"),
        ("editions[HBO]", "catalog.duplicate"),
        ("addons[MULTIROOM]", "catalog.duplicate"),
        ("bundles[BOX]", "catalog.duplicate"),
        ("products", "catalog.duplicate-alternative-code"),
        ("products[ESPN]", "catalog.unknown-type"),
        ("products[TV2]", "catalog.bundle-undefined"),
        ("editions[GHOST]", "catalog.unknown-product"),
        ("addons[REPLAY]", "addon.unknown-base"),
        ("bundles[TV]", "bundle.unknown-component"),
        ("bundles[TV]", "bundle.empty-pool"),
        ("change_rules", "change-rules.unknown-product"),
        ("cancellation", "cancellation-defaults.unknown-product"),
    }
    message = str(raised.value)
    assert message.startswith(f"the catalog has {len(raised.value.problems)} problems; fix each:")
    assert all(f"  - {problem}" in message for problem in raised.value.problems)


def test_an_invalid_catalog_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Catalog(products=(Product("X", "X", "NOPE"),))


# --- adding definitions ----------------------------------------------------------------------


def test_adding_returns_a_new_catalog_and_leaves_the_old_one_unchanged() -> None:
    shop = tv_shop()
    before = tv_shop()
    espn = Product("ESPN", "ESPN", "SPORTS")
    sports = ProductType("SPORTS", "Sports", **TERMED)  # type: ignore[arg-type]
    ladder = EditionLadder("ESPN", (Edition("SD", "SD"),))
    replay = AddOn("REPLAY", "Replay", {"ESPN"}, MONTHLY)
    bigger = shop.add(espn, sports, ladder, replay)
    assert bigger is not shop
    assert shop == before
    assert bigger.product("ESPN") == espn
    assert bigger.type_of("ESPN") == sports
    assert bigger.ladder("ESPN") == ladder
    assert bigger.addons_for("ESPN") == (replay,)
    assert (bigger.change_rules, bigger.cancellation) == (shop.change_rules, shop.cancellation)
    with pytest.raises(NotFound):
        shop.product("ESPN")


def test_adding_a_bundle_and_its_product() -> None:
    duo = Product("DUO", "Duo", "PACK")
    duo_bundle = FlexibleBundle("DUO", (Pool(PoolKind.PRODUCT, "HBO", 1, 1),))
    assert tv_shop().add(duo, duo_bundle).bundle("DUO") == duo_bundle


def test_adding_what_breaks_a_rule_adds_nothing() -> None:
    shop = tv_shop()
    with pytest.raises(InvalidCatalog) as raised:
        shop.add(Product("ESPN", "ESPN", "SPORTS"))
    assert [problem.path for problem in raised.value.problems] == ["products[ESPN]"]
    assert shop == tv_shop()


def test_only_definitions_can_be_added() -> None:
    with pytest.raises(TypeError, match="not a catalog definition"):
        tv_shop().add("HBO")  # type: ignore[arg-type]


# --- lookups ---------------------------------------------------------------------------------


def test_products_and_types_are_looked_up_by_code() -> None:
    shop = tv_shop()
    assert shop.product("HBO") is HBO
    assert shop.product_type("PACK") is PACK
    assert shop.type_of("BOX") is KIT


@pytest.mark.parametrize(
    ("lookup", "kind"),
    [
        (lambda shop: shop.product("ESPN"), "product"),
        (lambda shop: shop.product_type("SPORTS"), "product type"),
        (lambda shop: shop.type_of("ESPN"), "product"),
    ],
)
def test_an_unknown_code_is_not_found(lookup: Any, kind: str) -> None:
    with pytest.raises(NotFound) as raised:
        lookup(tv_shop())
    assert raised.value.kind == kind


def test_a_product_has_editions_only_if_the_catalog_defines_them() -> None:
    shop = tv_shop()
    assert shop.ladder("HBO") is HBO_EDITIONS
    assert shop.ladder("CNN") is None


def test_a_bundle_definition_is_looked_up_by_its_product() -> None:
    shop = tv_shop()
    assert shop.bundle("TV") is TV_BUNDLE
    assert shop.bundle("BOX") is BOX_BUNDLE
    assert shop.bundle("HBO") is None


def test_predefined_add_ons_are_offered_to_everyone() -> None:
    shop = tv_shop()
    assert shop.addons_for("TV") == (MULTIROOM,)
    assert shop.addons_for("TV", customer="C-7") == (MULTIROOM,)


def test_custom_add_ons_are_offered_only_to_their_customer() -> None:
    assert tv_shop().addons_for("TV", customer="C-42") == (MULTIROOM, EXTRA)


def test_add_ons_are_offered_only_for_their_bases() -> None:
    assert tv_shop().addons_for("HBO", customer="C-42") == ()


def test_the_products_offered_on_a_day_are_the_valid_ones_that_are_not_historic() -> None:
    shop = tv_shop()
    before = {p.code for p in shop.offered_on(d("2024-12-31"))}
    after = {p.code for p in shop.offered_on(d("2025-01-01"))}
    assert before == {"HBO", "SECRET", "TV", "BOX", "ROUTER", "WIRE"}
    assert after == before | {"CNN"}


@settings(max_examples=max(settings().max_examples // 5, 5))
@given(catalogs())
def test_generated_catalogs_are_valid_and_answer_lookups(catalog: Catalog) -> None:
    assert check_catalog(catalog) == []
    for product in catalog.products:
        assert catalog.product(product.code) is product
        assert catalog.type_of(product.code).code == product.type_code
        assert (catalog.bundle(product.code) is not None) == catalog.type_of(product.code).is_bundle


# --- versions --------------------------------------------------------------------------------


def version(name: str, effective: str, move_on: str | None = None) -> CatalogVersion:
    return CatalogVersion(name, d(effective), Catalog(), None if move_on is None else d(move_on))


def test_the_version_in_force_is_the_latest_that_has_taken_effect() -> None:
    history = CatalogVersions((version("2026", "2026-01-01"), version("2025", "2025-01-01")))
    assert history.in_force(d("2025-01-01")).name == "2025"
    assert history.in_force(d("2025-12-31")).name == "2025"
    assert history.in_force(d("2026-01-01")).name == "2026"
    assert history.in_force(d("2099-01-01")).name == "2026"
    assert [v.name for v in history.versions] == ["2025", "2026"]


def test_no_version_is_in_force_before_the_first() -> None:
    history = CatalogVersions((version("2025", "2025-01-01"),))
    with pytest.raises(NotFound):
        history.in_force(d("2024-12-31"))


def test_a_version_is_looked_up_by_name() -> None:
    history = CatalogVersions((version("2025", "2025-01-01"),))
    assert history.version("2025").effective == d("2025-01-01")
    with pytest.raises(NotFound):
        history.version("2024")


def test_version_names_are_unique() -> None:
    with pytest.raises(InvalidCatalog) as raised:
        CatalogVersions((version("v1", "2025-01-01"), version("v1", "2026-01-01")))
    assert [(p.path, p.rule) for p in raised.value.problems] == [
        ("versions[v1]", "version.duplicate")
    ]


def test_two_versions_cannot_take_effect_on_the_same_day() -> None:
    with pytest.raises(InvalidCatalog) as raised:
        CatalogVersions((version("a", "2025-01-01"), version("b", "2025-01-01")))
    assert [(p.path, p.rule) for p in raised.value.problems] == [("versions", "version.same-day")]


def test_existing_services_cannot_move_before_the_version_takes_effect() -> None:
    with pytest.raises(InvalidCatalog) as raised:
        CatalogVersions((version("2026", "2026-01-01", "2025-12-31"),))
    assert [(p.path, p.rule) for p in raised.value.problems] == [
        ("versions[2026]", "version.move-before-effective")
    ]
    assert CatalogVersions((version("2026", "2026-01-01", "2026-01-01"),)).versions


def test_every_version_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidCatalog) as raised:
        CatalogVersions(
            (
                version("a", "2025-01-01"),
                version("a", "2025-01-01"),
                version("b", "2026-01-01", "2025-06-01"),
            )
        )
    assert {p.rule for p in raised.value.problems} == {
        "version.duplicate",
        "version.same-day",
        "version.move-before-effective",
    }


def grandfathering() -> CatalogVersions:
    """2025; 2026 moves existing services on 1 July 2026; 2027 on 1 March 2027."""
    return CatalogVersions(
        (
            version("2025", "2025-01-01"),
            version("2026", "2026-01-01", "2026-07-01"),
            version("2027", "2027-01-01", "2027-03-01"),
        )
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-06-01", "2025"),
        ("2026-01-01", "2025"),  # the new version is in force, but the service keeps its own
        ("2026-06-30", "2025"),
        ("2026-07-01", "2026"),  # the day existing services move
        ("2027-01-01", "2026"),  # 2027 is in force but does not move them yet
        ("2027-02-28", "2026"),
        ("2027-03-01", "2027"),
        ("2030-01-01", "2027"),
    ],
)
def test_a_service_keeps_its_version_until_a_later_version_moves_it(
    day: str, expected: str
) -> None:
    assert grandfathering().for_service("2025", d(day)).name == expected


def test_a_service_never_moves_back_to_an_earlier_version() -> None:
    history = grandfathering()
    assert history.for_service("2027", d("2030-01-01")).name == "2027"
    assert history.for_service("2026", d("2026-01-01")).name == "2026"
    assert history.for_service("2026", d("2027-03-01")).name == "2027"


def test_with_two_later_versions_the_latest_that_has_moved_wins() -> None:
    history = CatalogVersions(
        (
            version("2025", "2025-01-01"),
            version("2026", "2026-01-01", "2027-06-01"),  # moves late
            version("2027", "2027-01-01", "2027-02-01"),  # moves first
        )
    )
    assert history.for_service("2025", d("2027-01-31")).name == "2025"
    assert history.for_service("2025", d("2027-02-01")).name == "2027"
    assert history.for_service("2025", d("2027-06-01")).name == "2027"


def test_a_later_version_that_keeps_services_does_not_move_them() -> None:
    history = CatalogVersions(
        (
            version("2025", "2025-01-01"),
            version("2026", "2026-01-01", "2026-07-01"),
            version("2027", "2027-01-01"),  # grandfathers every existing service
        )
    )
    assert history.for_service("2025", d("2030-01-01")).name == "2026"
    assert history.for_service("2026", d("2030-01-01")).name == "2026"


def test_a_service_of_an_unknown_version_is_not_found() -> None:
    with pytest.raises(NotFound):
        grandfathering().for_service("1999", d("2030-01-01"))


def test_products_are_found_by_type_family_category_brand_availability_day_and_text() -> None:
    from datetime import date

    from prodlife import Catalog, Product, ProductQuery
    from prodlife.catalog import Availability
    from prodlife.catalog.products import Validity

    web = Product(
        "WEB", "Web hosting", "HOSTING", family="web", categories={"shared"}, brand="Acme"
    )
    vps = Product(
        "VPS",
        "Virtual server",
        "SERVER",
        alternative_code="vps-1",
        family="servers",
        validity=Validity(date(2025, 1, 1), date(2025, 6, 1)),
    )
    old = Product("OLD", "Old hosting", "HOSTING", availability=Availability.HISTORIC)
    types = [ProductType(code, code, **TERMED) for code in ("HOSTING", "SERVER")]  # type: ignore[arg-type]
    catalog = Catalog(types=types, products=[web, vps, old])

    def codes(**filters: object) -> list[str]:
        return [p.code for p in catalog.find_products(ProductQuery(**filters))]  # type: ignore[arg-type]

    assert codes() == ["OLD", "VPS", "WEB"]
    assert codes(type_code="HOSTING") == ["OLD", "WEB"]
    assert codes(family="servers") == ["VPS"]
    assert codes(category="shared") == codes(brand="Acme") == ["WEB"]
    assert codes(availability=Availability.HISTORIC) == ["OLD"]
    assert codes(offered_on=date(2025, 7, 1)) == ["WEB"]
    assert codes(text="HOSTING") == ["OLD", "WEB"]
    assert codes(text="VPS-1") == ["VPS"]
    assert codes(type_code="HOSTING", text="web") == ["WEB"]
