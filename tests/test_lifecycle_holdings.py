"""Customer products (seed 001): holdings, interests, auto add/remove, offers."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from prodlife.catalog import (
    AddOn,
    Availability,
    Catalog,
    Classification,
    Edition,
    EditionLadder,
    Product,
    ProductType,
    ServiceKind,
    Validity,
)
from prodlife.cycles import MONTHLY
from prodlife.errors import RuleViolation
from prodlife.lifecycle import (
    ACTIVE,
    ORDERED,
    Service,
    ServiceAddOn,
    ServiceStatus,
    Status,
    SuspensionKind,
)
from prodlife.lifecycle.holdings import (
    AddOnOffer,
    CustomerProducts,
    Holding,
    Offers,
    add_feature,
    add_number,
    holdings_from_services,
    offer_next,
)
from prodlife.money import Money
from prodlife.pricing.recurring import RecurringPrice
from tests._support import d

DAY = d("2025-03-01")
NUMBER = "+3212345678"


def product(code: str, **fields: Any) -> Product:
    return Product(code, code.title(), "VOICE", **fields)


def service(sid: str, code: str, edition: str | None = None, **fields: Any) -> Service:
    values: dict[str, Any] = {
        "id": sid,
        "customer_id": "C-1",
        "product_code": code,
        "edition": edition,
        "cycle": MONTHLY,
        "price": RecurringPrice.at_order(Money("10.00", "USD")),
        "payment_method": "card",
        "start": d("2025-01-01"),
        "status": ACTIVE,
    }
    values.update(fields)
    return Service(**values)


# --- values ---------------------------------------------------------------------


def test_holding_needs_one_place_at_most() -> None:
    with pytest.raises(RuleViolation, match="one or the other"):
        Holding("VM", DAY, number=NUMBER, feature="VOICE")
    with pytest.raises(RuleViolation):
        Holding("", DAY)
    with pytest.raises(RuleViolation):
        CustomerProducts(" ")


def test_customer_products_are_immutable_values() -> None:
    mine = CustomerProducts("C-1", [Holding("VM", DAY)], {"TV"})
    assert mine.holdings == (Holding("VM", DAY),)
    assert mine.interests == frozenset({"TV"})
    assert mine.holds("VM") and not mine.holds("TV")
    assert CustomerProducts("C-1", interests="TV").interests == frozenset({"TV"})


# --- auto add / auto remove -----------------------------------------------------


@pytest.mark.parametrize(
    ("auto_add", "auto_remove"), list(itertools.product([False, True], repeat=2))
)
def test_number_flags_each_combination(auto_add: bool, auto_remove: bool) -> None:
    vm = product(
        "VM",
        applicable_on_numbers=True,
        auto_add_to_customer=auto_add,
        auto_remove_from_interests=auto_remove,
    )
    mine = CustomerProducts("C-1", interests={"VM", "TV"})
    after = add_number(mine, NUMBER, [vm], DAY)
    assert after.holdings == ((Holding("VM", DAY, number=NUMBER),) if auto_add else ())
    assert after.interests == ({"TV"} if auto_remove else {"VM", "TV"})
    assert mine.holdings == () and mine.interests == {"VM", "TV"}  # unchanged


@pytest.mark.parametrize(
    ("auto_add", "auto_remove"), list(itertools.product([False, True], repeat=2))
)
def test_feature_flags_each_combination(auto_add: bool, auto_remove: bool) -> None:
    vm = product(
        "VM",
        applicable_on_features={"VOICE"},
        auto_add_to_customer=auto_add,
        auto_remove_from_interests=auto_remove,
    )
    after = add_feature(CustomerProducts("C-1", interests={"VM"}), "VOICE", [vm], DAY)
    assert after.holdings == ((Holding("VM", DAY, feature="VOICE"),) if auto_add else ())
    assert after.interests == (frozenset() if auto_remove else {"VM"})


@pytest.mark.parametrize("place", ["number", "feature"])
def test_historic_products_are_never_auto_added(place: str) -> None:
    old = product(
        "OLD",
        applicable_on_numbers=True,
        applicable_on_features={"VOICE"},
        auto_add_to_customer=True,
        auto_remove_from_interests=True,
        availability=Availability.HISTORIC,
    )
    mine = CustomerProducts("C-1", interests={"OLD"})
    if place == "number":
        after = add_number(mine, NUMBER, [old], DAY)
    else:
        after = add_feature(mine, "VOICE", [old], DAY)
    assert after.holdings == ()
    assert after.interests == frozenset()  # the interest is still satisfied


def test_hidden_products_are_auto_added() -> None:
    hidden = product(
        "H", applicable_on_numbers=True, auto_add_to_customer=True, availability=Availability.HIDDEN
    )
    assert add_number(CustomerProducts("C-1"), NUMBER, [hidden], DAY).held_codes == {"H"}


# --- numbers versus features ----------------------------------------------------


def test_a_number_carries_what_the_caller_says_and_only_products_for_numbers() -> None:
    on_numbers = product("VM", applicable_on_numbers=True, auto_add_to_customer=True)
    on_features = product("FX", applicable_on_features={"VOICE"}, auto_add_to_customer=True)
    mine = CustomerProducts("C-1")
    with pytest.raises(RuleViolation, match="not applicable on numbers") as caught:
        add_number(mine, NUMBER, [on_numbers, on_features], DAY)
    assert caught.value.rule == "holdings.not-on-numbers"
    assert add_number(mine, NUMBER, [], DAY) == mine
    with pytest.raises(RuleViolation):
        add_number(mine, "", [on_numbers], DAY)


def test_a_feature_carries_the_catalog_products_applicable_on_it() -> None:
    voice = product("VM", applicable_on_features={"VOICE"}, auto_add_to_customer=True)
    data = product("DATA", applicable_on_features={"DATA"}, auto_add_to_customer=True)
    numbers_only = product("NUM", applicable_on_numbers=True, auto_add_to_customer=True)
    after = add_feature(CustomerProducts("C-1"), "VOICE", [voice, data, numbers_only], DAY)
    assert after.holdings == (Holding("VM", DAY, feature="VOICE"),)


def test_same_place_twice_adds_once_and_two_places_add_twice() -> None:
    vm = product("VM", applicable_on_numbers=True, auto_add_to_customer=True)
    once = add_number(CustomerProducts("C-1"), NUMBER, [vm], DAY)
    assert add_number(once, NUMBER, [vm], d("2025-04-01")) == once
    twice = add_number(once, "+3298765432", [vm], d("2025-04-01"))
    assert [h.number for h in twice.holdings] == [NUMBER, "+3298765432"]


# --- holdings from services -----------------------------------------------------


def test_holdings_from_services_exclude_ended_ones() -> None:
    backup = ServiceAddOn("BACKUP", MONTHLY, d("2025-02-01"), None, ACTIVE)
    gone = ServiceAddOn(
        "IP", MONTHLY, d("2025-02-01"), None, ServiceStatus(Status.CANCELLED), d("2025-02-10")
    )
    services = [
        service("S-1", "VPS", addons=(backup, gone)),
        service(
            "S-2", "MAIL", status=ServiceStatus(Status.SUSPENDED, SuspensionKind.FOR_NON_PAYMENT)
        ),
        service("S-3", "DNS", status=ORDERED),
        service(
            "S-4",
            "TV",
            status=ServiceStatus(Status.TERMINATED),
            termination_date=d("2025-02-01"),
        ),
    ]
    mine = holdings_from_services("C-1", services, interests={"TV"})
    assert mine.held_codes == {"VPS", "BACKUP", "MAIL", "DNS"}
    assert Holding("BACKUP", d("2025-02-01")) in mine.holdings
    assert mine.interests == {"TV"}


def test_holdings_from_services_refuse_another_customers_service() -> None:
    with pytest.raises(RuleViolation, match="belongs to"):
        holdings_from_services("C-2", [service("S-1", "VPS")])


# --- offers ---------------------------------------------------------------------

VOICE = ProductType("VOICE", "Voice", Classification.SERVICE, service_kind=ServiceKind.TERMED)
OFFICE = product("OFFICE", family="office")
CATALOG = Catalog(
    types=(VOICE,),
    products=(
        OFFICE,
        product("CRM", family="office"),
        product("DRIVE", family="office", availability=Availability.HIDDEN),
        product("FAX", family="office", availability=Availability.HISTORIC),
        product("SHEETS", family="office", validity=Validity(d("2026-01-01"))),
        product("GAME", family="games"),
        product("BARE"),
    ),
    editions=(
        EditionLadder(
            "OFFICE",
            (Edition("BASIC", "Basic"), Edition("PRO", "Pro"), Edition("TOP", "Top")),
            forbidden={("BASIC", "TOP")},
        ),
    ),
    addons=(
        AddOn("BACKUP", "Backup", "OFFICE", MONTHLY),
        AddOn("SSO", "Single sign-on", "OFFICE", MONTHLY),
        AddOn("MINE", "Mine", "OFFICE", MONTHLY, custom_for="C-1", price=Money("1.00", "USD")),
        AddOn("THEIRS", "Theirs", "OFFICE", MONTHLY, custom_for="C-2", price=Money("1.00", "USD")),
        AddOn("SKINS", "Skins", "GAME", MONTHLY),
    ),
)


def offers_for(*services: Service, holdings: tuple[Holding, ...] = ()) -> Offers:
    mine = holdings_from_services("C-1", services)
    mine = CustomerProducts("C-1", mine.holdings + holdings)
    return offer_next(mine, services, CATALOG, DAY)


def test_offer_higher_editions_except_forbidden_moves() -> None:
    offers = offers_for(service("S-1", "OFFICE", "BASIC"))
    assert [(o.service_id, o.current, o.edition.code) for o in offers.editions] == [
        ("S-1", "BASIC", "PRO")
    ]
    pro = offers_for(service("S-1", "OFFICE", "PRO"))
    assert [o.edition.code for o in pro.editions] == ["TOP"]
    assert offers_for(service("S-1", "OFFICE", "TOP")).editions == ()
    assert offers_for(service("S-1", "CRM")).editions == ()  # no ladder


def test_no_editions_for_ended_services_or_retired_products() -> None:
    ended = service(
        "S-1",
        "OFFICE",
        "BASIC",
        status=ServiceStatus(Status.CANCELLED),
        termination_date=d("2025-02-01"),
    )
    assert offers_for(ended) == Offers()
    retired = Catalog(
        types=(VOICE,),
        products=(product("OFFICE", availability=Availability.HISTORIC),),
        editions=CATALOG.editions,
    )
    mine = holdings_from_services("C-1", [service("S-1", "OFFICE", "BASIC")])
    assert offer_next(mine, [service("S-1", "OFFICE", "BASIC")], retired, DAY).editions == ()


def test_offer_addons_of_held_bases_not_held_nor_others_custom() -> None:
    backup = ServiceAddOn("BACKUP", MONTHLY, d("2025-02-01"), None, ACTIVE)
    offers = offers_for(service("S-1", "OFFICE", "TOP", addons=(backup,)))
    assert [(o.base_code, o.addon.code) for o in offers.addons] == [
        ("OFFICE", "SSO"),
        ("OFFICE", "MINE"),
    ]
    assert all(isinstance(o, AddOnOffer) for o in offers.addons)


def test_offer_products_of_held_families() -> None:
    offers = offers_for(service("S-1", "OFFICE", "TOP"))
    # not held OFFICE, hidden DRIVE, historic FAX, not yet valid SHEETS, other family GAME
    assert [p.code for p in offers.products] == ["CRM"]
    both = offers_for(service("S-1", "OFFICE", "TOP"), holdings=(Holding("GAME", DAY),))
    assert [p.code for p in both.products] == ["CRM"]  # GAME held, nothing else in games
    assert [(o.base_code, o.addon.code) for o in both.addons] == [
        ("GAME", "SKINS"),
        ("OFFICE", "BACKUP"),
        ("OFFICE", "SSO"),
        ("OFFICE", "MINE"),
    ]
    assert offers_for(service("S-1", "BARE")).products == ()  # no family, nothing offered


def test_offers_from_holdings_not_in_the_catalog_are_empty() -> None:
    mine = CustomerProducts("C-1", [Holding("ELSEWHERE", DAY, number=NUMBER)])
    assert offer_next(mine, [], CATALOG, DAY) == Offers()


def test_offer_next_refuses_another_customers_services() -> None:
    other = service("S-9", "OFFICE", "BASIC", customer_id="C-2")
    with pytest.raises(RuleViolation, match="belongs to"):
        offer_next(CustomerProducts("C-1"), [other], CATALOG, DAY)
