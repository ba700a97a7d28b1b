"""Subscription types and billing term schemes (seed 004)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import (
    MONTHLY,
    ONE_TIME,
    BillingCycle,
    Catalog,
    NotFound,
    Product,
    ProductType,
    RuleViolation,
    Service,
)
from prodlife.catalog import (
    BillingTerm,
    BillingTermScheme,
    BillingTiming,
    Classification,
    GoodKind,
    PaymentTiming,
    PrepaidTerm,
    ServiceKind,
    SubscriptionType,
    add_product,
    check_scheme_in_catalog,
    check_service,
    check_subscription_type,
    excluded_from_deactivation,
    is_in_arrears,
    validate_service,
)
from prodlife.errors import InvalidCatalog
from prodlife.pricing import RecurringPrice
from tests._support import d, usd

CHANNEL = ProductType(
    "CHANNEL", "TV channel", Classification.SERVICE, service_kind=ServiceKind.TERMED
)
VOD = ProductType("VOD", "Video on demand", Classification.SERVICE, service_kind=ServiceKind.USAGE)
FEE = ProductType("FEE", "Fee", Classification.SERVICE, service_kind=ServiceKind.EXPENSE)
VISIT = ProductType("VISIT", "Visit", Classification.SERVICE, service_kind=ServiceKind.ONE_TIME)
BOX = ProductType("BOX", "Box", Classification.PHYSICAL_GOOD, good_kind=GoodKind.TRACEABLE)
CATALOG = Catalog(
    types=(CHANNEL, VOD, FEE, VISIT, BOX),
    products=(
        Product("NEWS", "News", "CHANNEL"),
        Product("SPORT", "Sport", "CHANNEL"),
        Product("MOVIES", "Movies", "CHANNEL"),
        Product("FTA-1", "Free-to-air 1", "CHANNEL"),
        Product("FILM", "Pay-per-view film", "VOD"),
        Product("SWITCH", "Switch fee", "FEE"),
        Product("INSTALL", "Installation", "VISIT"),
        Product("ROKU", "Streaming device", "BOX"),
    ),
)
THREE_MONTHS = BillingCycle.months(3)


def tv_setup() -> tuple[SubscriptionType, dict[str, BillingTermScheme]]:
    """Seed 004's TV offering: news and a free-to-air channel, a normal and a prepaid scheme."""
    normal = BillingTermScheme(
        "STD",
        "Standard",
        terms=(BillingTerm("NEWS"), BillingTerm("FTA-1", exclude_from_deactivation=True)),
    )
    prepaid = BillingTermScheme(
        "PRE",
        "Prepaid",
        prepaid=True,
        terms=(
            PrepaidTerm("NEWS", paid_ahead=THREE_MONTHS),
            PrepaidTerm("FTA-1", PaymentTiming.POSTPAID),
        ),
    )
    tv = SubscriptionType(
        "TV",
        "Streaming TV",
        products={"NEWS", "FTA-1"},
        price_plans={"TV-2025"},
        schemes={"STD", "PRE"},
        providers={"ZX-STREAM"},
    )
    return tv, {"STD": normal, "PRE": prepaid}


def service(**changes: Any) -> Service:
    values: dict[str, Any] = {
        "id": "S-1",
        "customer_id": "C-1",
        "product_code": "NEWS",
        "edition": None,
        "cycle": MONTHLY,
        "price": RecurringPrice.at_order(usd("10.00")),
        "payment_method": "card",
        "start": d("2025-01-01"),
    }
    values.update(changes)
    return Service(**values)


def rules(found: list[tuple[str, str]]) -> list[str]:
    return [rule for rule, _ in found]


# The seed's scenario


def test_the_tv_type_is_consistent_with_its_catalog_schemes_and_plans() -> None:
    tv, schemes = tv_setup()
    assert check_subscription_type(tv, CATALOG, schemes, {"TV-2025"}) == []


def test_adding_a_channel_adds_it_to_both_schemes_with_default_terms() -> None:
    tv, schemes = tv_setup()
    tv2, schemes2 = add_product(tv, schemes, "SPORT", catalog=CATALOG)
    assert tv2.products == {"NEWS", "FTA-1", "SPORT"}
    assert schemes2["STD"].term_for("SPORT") == BillingTerm("SPORT", BillingTiming.IN_ADVANCE)
    assert schemes2["PRE"].term_for("SPORT") == PrepaidTerm("SPORT", PaymentTiming.PREPAID, MONTHLY)
    assert check_subscription_type(tv2, CATALOG, schemes2, {"TV-2025"}) == []
    # the inputs are values: untouched
    assert "SPORT" not in tv.products and not schemes["STD"].has("SPORT")


def test_schemes_not_of_the_type_are_returned_unchanged() -> None:
    tv, schemes = tv_setup()
    other = BillingTermScheme("OTHER", "Other")
    _, updated = add_product(tv, {**schemes, "OTHER": other}, "SPORT")
    assert updated["OTHER"] is other


def test_a_free_to_air_channel_is_excluded_from_deactivation() -> None:
    _, schemes = tv_setup()
    assert excluded_from_deactivation(schemes["STD"], "FTA-1")
    assert not excluded_from_deactivation(schemes["STD"], "NEWS")
    assert not excluded_from_deactivation(schemes["PRE"], "FTA-1")


def test_a_prepaid_scheme_pays_three_months_ahead_and_postpaid_is_in_arrears() -> None:
    _, schemes = tv_setup()
    news = schemes["PRE"].term_for("NEWS")
    assert isinstance(news, PrepaidTerm) and news.paid_ahead == THREE_MONTHS
    assert not is_in_arrears(schemes["PRE"], "NEWS")
    assert is_in_arrears(schemes["PRE"], "FTA-1")


def test_post_bill_is_in_arrears_and_pre_bill_is_not() -> None:
    scheme = BillingTermScheme(
        "S", "S", terms=(BillingTerm("A", BillingTiming.IN_ARREARS), BillingTerm("B"))
    )
    assert is_in_arrears(scheme, "A") and not is_in_arrears(scheme, "B")
    assert BillingTiming.IN_ADVANCE.value == "pre-bill"
    assert BillingTiming.IN_ARREARS.value == "post-bill"


def test_expenses_and_goods_join_the_type_but_not_its_schemes() -> None:
    tv, schemes = tv_setup()
    for code in ("SWITCH", "ROKU"):
        tv, updated = add_product(tv, schemes, code, catalog=CATALOG)
        assert updated == schemes
        assert code in tv.products
    assert check_subscription_type(tv, CATALOG, schemes, {"TV-2025"}) == []


def test_a_service_created_under_the_type_is_accepted() -> None:
    tv, schemes = tv_setup()
    assert check_service(service(), tv, schemes["STD"], "TV-2025") == []
    validate_service(service(), tv, schemes["PRE"], "TV-2025")


def test_with_term_replaces_a_term_and_with_product_keeps_it() -> None:
    _, schemes = tv_setup()
    post = BillingTerm("NEWS", BillingTiming.IN_ARREARS)
    scheme = schemes["STD"].with_term(post)
    assert scheme.term_for("NEWS") == post
    assert scheme.with_product("NEWS") is scheme


# Refusals


def test_term_for_an_absent_product_is_not_found() -> None:
    _, schemes = tv_setup()
    with pytest.raises(NotFound, match="SPORT"):
        schemes["STD"].term_for("SPORT")
    with pytest.raises(NotFound):
        is_in_arrears(schemes["STD"], "SPORT")
    with pytest.raises(NotFound):
        excluded_from_deactivation(schemes["STD"], "SPORT")


@pytest.mark.parametrize(
    ("build", "rule"),
    [
        (lambda: PrepaidTerm("NEWS"), "term.paid-ahead"),
        (lambda: PrepaidTerm("NEWS", paid_ahead=ONE_TIME), "term.paid-ahead"),
        (lambda: PrepaidTerm("NEWS", PaymentTiming.POSTPAID, MONTHLY), "term.paid-ahead"),
        (lambda: PrepaidTerm(" NEWS", paid_ahead=MONTHLY), "code.format"),
        (lambda: BillingTerm(""), "code.format"),
        (lambda: BillingTermScheme("S", " "), "scheme.name"),
        (lambda: BillingTermScheme("", "S"), "code.format"),
        (
            lambda: BillingTermScheme("S", "S", terms=(PrepaidTerm("A", paid_ahead=MONTHLY),)),
            "scheme.term-kind",
        ),
        (
            lambda: BillingTermScheme("S", "S", prepaid=True, terms=(BillingTerm("A"),)),
            "scheme.term-kind",
        ),
        (
            lambda: BillingTermScheme("S", "S", terms=(BillingTerm("A"), BillingTerm("A"))),
            "scheme.duplicate",
        ),
        (lambda: SubscriptionType("TV", ""), "subscription.name"),
        (lambda: SubscriptionType("TV ", "TV"), "code.format"),
        (lambda: SubscriptionType("TV", "TV", products={"NEWS", ""}), "code.format"),
        (lambda: SubscriptionType("TV", "TV", providers={" ZX"}), "code.format"),
    ],
)
def test_definitions_breaking_a_rule_are_refused(build: Any, rule: str) -> None:
    with pytest.raises(RuleViolation) as excinfo:
        build()
    assert excinfo.value.rule == rule


def test_a_scheme_holds_only_termed_services_of_the_catalog() -> None:
    scheme = BillingTermScheme(
        "S", "S", terms=(BillingTerm("NEWS"), BillingTerm("ROKU"), BillingTerm("NOPE"))
    )
    found = check_scheme_in_catalog(scheme, CATALOG)
    assert rules(found) == ["scheme.termed-only", "scheme.unknown-product"]
    assert "ROKU" in found[0][1] and "NOPE" in found[1][1]


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"products": {"NEWS", "FTA-1", "GHOST"}}, "subscription.unknown-product"),
        ({"products": {"NEWS", "FTA-1", "FILM"}}, "subscription.product-kind"),
        ({"products": {"NEWS", "FTA-1", "INSTALL"}}, "subscription.product-kind"),
        ({"price_plans": {"TV-2025", "TV-1999"}}, "subscription.unknown-plan"),
        ({"schemes": {"STD", "PRE", "LOST"}}, "subscription.unknown-scheme"),
        ({"products": {"NEWS", "FTA-1", "SPORT"}}, "subscription.uncovered"),
    ],
)
def test_a_type_inconsistent_with_its_surroundings_is_reported(
    change: dict[str, Any], rule: str
) -> None:
    tv, schemes = tv_setup()
    found = check_subscription_type(
        SubscriptionType(**{**_fields(tv), **change}), CATALOG, schemes, {"TV-2025"}
    )
    assert rule in rules(found)
    assert all(message.startswith("subscription type 'TV': ") for _, message in found)


def test_uncovered_is_reported_per_scheme_and_a_schemes_catalog_rules_too() -> None:
    tv, schemes = tv_setup()
    schemes["STD"] = schemes["STD"].with_term(BillingTerm("ROKU"))
    tv = SubscriptionType(**{**_fields(tv), "products": tv.products | {"SPORT"}})
    found = check_subscription_type(tv, CATALOG, schemes, {"TV-2025": object()})
    assert sorted(rules(found)) == [
        "scheme.termed-only",
        "subscription.uncovered",
        "subscription.uncovered",
    ]


def _fields(tv: SubscriptionType) -> dict[str, Any]:
    return {
        "code": tv.code,
        "name": tv.name,
        "products": tv.products,
        "price_plans": tv.price_plans,
        "schemes": tv.schemes,
        "providers": tv.providers,
    }


def test_add_product_refuses_usage_and_one_time_services_and_unknown_products() -> None:
    tv, schemes = tv_setup()
    for code in ("FILM", "INSTALL"):
        with pytest.raises(RuleViolation) as excinfo:
            add_product(tv, schemes, code, catalog=CATALOG)
        assert excinfo.value.rule == "subscription.product-kind"
    with pytest.raises(NotFound):
        add_product(tv, schemes, "GHOST", catalog=CATALOG)
    with pytest.raises(RuleViolation) as excinfo:
        add_product(tv, schemes, " ")
    assert excinfo.value.rule == "code.format"


def test_add_product_needs_every_scheme_of_the_type() -> None:
    tv, schemes = tv_setup()
    del schemes["PRE"]
    with pytest.raises(NotFound, match="billing term scheme 'PRE'"):
        add_product(tv, schemes, "SPORT")


@pytest.mark.parametrize(
    ("changes", "plan", "scheme", "rule"),
    [
        ({"product_code": "SPORT"}, "TV-2025", "STD", "subscription.product"),
        ({}, "TV-1999", "STD", "subscription.plan"),
        ({}, "TV-2025", "OTHER", "subscription.scheme"),
        ({}, "TV-2025", "EMPTY", "subscription.no-term"),
    ],
)
def test_a_service_outside_its_type_is_refused(
    changes: dict[str, Any], plan: str, scheme: str, rule: str
) -> None:
    tv, schemes = tv_setup()
    empty = BillingTermScheme("EMPTY", "Empty")
    tv = SubscriptionType(**{**_fields(tv), "schemes": tv.schemes | {"EMPTY"}})
    schemes |= {"OTHER": BillingTermScheme("OTHER", "Other", terms=(BillingTerm("NEWS"),))}
    schemes["EMPTY"] = empty
    assert rule in rules(check_service(service(**changes), tv, schemes[scheme], plan))
    with pytest.raises(RuleViolation) as excinfo:
        validate_service(service(**changes), tv, schemes[scheme], plan)
    assert excinfo.value.rule == rule


def test_a_one_time_service_needs_no_term() -> None:
    tv, schemes = add_product(*tv_setup(), "SWITCH", catalog=CATALOG)
    one_time = service(product_code="SWITCH", cycle=ONE_TIME)
    assert not schemes["STD"].has("SWITCH")
    assert check_service(one_time, tv, schemes["STD"], "TV-2025") == []


# Properties

CODES = st.sampled_from(["NEWS", "SPORT", "MOVIES", "FTA-1", "A", "B", "C"])
TIMINGS = st.sampled_from(list(BillingTiming))
NORMAL_TERMS = st.builds(BillingTerm, CODES, TIMINGS, st.booleans())
PREPAID_TERMS = st.one_of(
    st.builds(
        PrepaidTerm, CODES, st.just(PaymentTiming.PREPAID), st.sampled_from([MONTHLY, THREE_MONTHS])
    ),
    st.builds(PrepaidTerm, CODES, st.just(PaymentTiming.POSTPAID), st.none()),
)


def _unique(terms: list[Any]) -> tuple[Any, ...]:
    return tuple({term.product_code: term for term in terms}.values())


SCHEMES = st.one_of(
    st.builds(
        lambda code, terms: BillingTermScheme(code, code, False, _unique(terms)),
        st.sampled_from(["S1", "S2"]),
        st.lists(NORMAL_TERMS, max_size=4),
    ),
    st.builds(
        lambda code, terms: BillingTermScheme(code, code, True, _unique(terms)),
        st.sampled_from(["P1", "P2"]),
        st.lists(PREPAID_TERMS, max_size=4),
    ),
)


@st.composite
def setups(draw: st.DrawFn) -> tuple[SubscriptionType, dict[str, BillingTermScheme]]:
    schemes = {s.code: s for s in draw(st.lists(SCHEMES, max_size=4))}
    products = draw(st.frozensets(CODES, max_size=4))
    return SubscriptionType("T", "T", products=products, schemes=set(schemes)), schemes


@given(setups(), CODES)
def test_add_product_is_idempotent(
    setup: tuple[SubscriptionType, dict[str, BillingTermScheme]], code: str
) -> None:
    once = add_product(*setup, code)
    assert add_product(*once, code) == once


@given(setups(), st.lists(CODES, max_size=5))
def test_every_product_of_the_type_ends_up_in_every_scheme_of_the_type(
    setup: tuple[SubscriptionType, dict[str, BillingTermScheme]], codes: list[str]
) -> None:
    tv, schemes = setup
    for code in sorted(tv.products) + codes:
        tv, schemes = add_product(tv, schemes, code)
    assert tv.products == setup[0].products | set(codes)
    for scheme_code in tv.schemes:
        assert all(schemes[scheme_code].has(product) for product in tv.products)


@given(setups(), CODES)
def test_existing_terms_are_never_changed(
    setup: tuple[SubscriptionType, dict[str, BillingTermScheme]], code: str
) -> None:
    tv, schemes = setup
    _, updated = add_product(tv, schemes, code)
    assert set(updated) == set(schemes)
    for scheme_code, scheme in schemes.items():
        after = updated[scheme_code]
        assert after.terms[: len(scheme.terms)] == scheme.terms
        assert len(after.terms) - len(scheme.terms) == (not scheme.has(code))


# --- term schemes and subscription types as catalog records ---------------------------------


def _with_terms() -> Catalog:
    hosting = ProductType(
        "HOST", "Hosting", Classification.SERVICE, service_kind=ServiceKind.TERMED
    )
    post = BillingTermScheme(
        "POST", "Post-bill", terms=[BillingTerm("VPS", BillingTiming.IN_ARREARS)]
    )
    pre = BillingTermScheme(
        "PRE", "Prepaid", prepaid=True, terms=[PrepaidTerm("VPS", PaymentTiming.POSTPAID)]
    )
    tv = SubscriptionType("TV", "Television", products={"VPS"}, schemes={"POST", "PRE"})
    return Catalog(
        types=[hosting],
        products=[Product("VPS", "VPS", "HOST")],
        term_schemes=[post, pre],
        subscription_types=[tv],
    )


@pytest.mark.parametrize("suffix", ["json", "toml"])
def test_term_schemes_and_subscription_types_round_trip_through_a_catalog_file(
    tmp_path: Any, suffix: str
) -> None:
    from prodlife.io.catalog_files import load_catalog, save_catalog

    catalog = _with_terms()
    path = tmp_path / f"catalog.{suffix}"
    save_catalog(catalog, path)
    again = load_catalog(path)
    assert again == catalog
    assert isinstance(again.term_scheme("PRE").terms[0], PrepaidTerm)
    assert isinstance(again.term_scheme("POST").terms[0], BillingTerm)
    assert again.subscription_type("TV").schemes == frozenset({"POST", "PRE"})


def test_a_code_the_catalog_does_not_define_is_not_found() -> None:
    catalog = _with_terms()
    with pytest.raises(NotFound, match="billing term scheme 'LATE'"):
        catalog.term_scheme("LATE")
    with pytest.raises(NotFound, match="subscription type 'RADIO'"):
        catalog.subscription_type("RADIO")


def test_a_scheme_or_subscription_type_defined_twice_is_refused() -> None:
    from prodlife.catalog.data import catalog_from_data, catalog_to_data

    data = catalog_to_data(_with_terms())
    for section in ("term_schemes", "subscription_types"):
        twice = {**data, section: [*data[section], data[section][0]]}
        with pytest.raises(InvalidCatalog) as refused:
            catalog_from_data(twice)
        assert [problem.rule for problem in refused.value.problems] == ["catalog.duplicate"]
