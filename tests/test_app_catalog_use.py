"""The catalog in force decides at every use case of ``Billing`` (issue 16), on every store.

Continues :mod:`tests.test_app_policy`: the scheduler runs the provisioning module only for
provisionable products, stores refuse catalog versions that would not read back, versions
can be withdrawn before they take effect, domains are priced from the stored catalog, and
bundles are ordered with their components.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from prodlife import MONTHLY, FixedClock, OrderLine, OrderLineSpec
from prodlife.app import Billing
from prodlife.catalog import (
    AbuseLimit,
    Availability,
    CatalogVersion,
    Classification,
    Component,
    Composition,
    FixedBundle,
    FlexibleBundle,
    Pool,
    PoolKind,
    Product,
    ProductType,
    ServiceKind,
    TldPrice,
    TldPrices,
)
from prodlife.errors import AlreadyExists, NotFound, RuleViolation
from prodlife.lifecycle import CancellationKind, Status, request_cancellation, transfer
from prodlife.lifecycle.orders import DomainAction, DomainLine, Order
from prodlife.ports import InvoiceQuery, ServiceQuery
from prodlife.pricing import PlanRate, PricePlan, PricingContext, Rate
from prodlife.pricing.promotions import Promotion, PromotionKind
from prodlife.pricing.usage import UsageRecord
from prodlife.stores import open_store
from tests._lifecycle import OWNER, OWNER_ID, STAFF, FakeModule, sell, web
from tests._support import d, usd
from tests.test_app_policy import CATALOG, CONTEXT, PLAN, buy, nothing_stored, plain

NOW = datetime(2025, 4, 20, 12, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'b.db'}"


@pytest.fixture
def app(store_url: str) -> Iterator[Billing]:
    store = open_store(store_url)
    sell(store, CATALOG, PLAN)
    yield Billing(store, clock=FixedClock(NOW), module=FakeModule())
    store.close()


def register(name: str) -> DomainLine:
    return DomainLine(name, DomainAction.REGISTER)


def tv_order(app: Billing) -> Order:
    with app.store.transaction(readonly=True) as uow:
        (placed,) = uow.orders.for_customer(OWNER_ID)
    return placed


# --- the scheduler runs the module for provisionable products only --------------------------


def test_the_scheduler_runs_the_module_only_for_provisionable_products(app: Billing) -> None:
    module = app.module
    assert isinstance(module, FakeModule)
    app.add_services([web(), plain("FEE", "SETUP-FEE")])
    for key in (web().id, "FEE"):
        app.perform(request_cancellation, key, STAFF, CancellationKind.IMMEDIATE, "moving")
    report = app.run_due()
    assert set(report.handled) == {web().id, "FEE"}
    # SETUP-FEE's type is not provisionable: its cancellation never reaches the module.
    assert [(command, key) for command, key, _ in module.calls] == [("terminate", web().id)]
    for key in (web().id, "FEE"):
        assert app.service(key, STAFF).status.status is Status.CANCELLED


def test_an_abuse_suspension_runs_the_module_only_for_provisionable_products(
    app: Billing,
) -> None:
    module = app.module
    assert isinstance(module, FakeModule)
    limits = [AbuseLimit(code, "SMTP", 10, window_days=1) for code in ("WEB", "SETUP-FEE")]
    app.add_catalog_version(
        CatalogVersion("2025-04", d("2025-04-01"), attrs.evolve(CATALOG, abuse_limits=limits))
    )
    app.add_services([web(), plain("FEE", "SETUP-FEE")])
    sent = [UsageRecord("SMTP", 10, "mail", NOW, OWNER_ID)]
    for key in (web().id, "FEE"):
        done = app.enforce_abuse_limits(key, sent)
        assert done.service.status.status is Status.SUSPENDED
    assert [(command, key) for command, key, _ in module.calls] == [("suspend", web().id)]


# --- domains are priced from the stored catalog --------------------------------------------


def test_a_domain_is_priced_from_the_stored_tld_table_not_the_callers(app: Billing) -> None:
    stored = [TldPrice("com", 1, usd("12.00"))]
    app.add_catalog_version(
        CatalogVersion("2025-04", d("2025-04-01"), attrs.evolve(CATALOG, tld_prices=stored))
    )
    cheap = attrs.evolve(CONTEXT, tld_prices=TldPrices([TldPrice("com", 1, usd("0.00"))]))
    quote, _ = app.place_order(
        buy(OrderLineSpec("WEB", edition="BASIC"), domains=[register("x.com")]), cheap, OWNER
    )
    assert quote.domain_prices == (usd("12.00"),)
    (invoice,) = app.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    assert invoice.total == usd("22.00")  # WEB BASIC's 10.00 and the domain's 12.00


def test_a_domain_the_stored_catalog_does_not_price_is_refused(app: Billing) -> None:
    cheap = attrs.evolve(CONTEXT, tld_prices=TldPrices([TldPrice("com", 1, usd("0.00"))]))
    with pytest.raises(NotFound, match="com"):
        app.place_order(
            buy(OrderLineSpec("WEB", edition="BASIC"), domains=[register("x.com")]),
            cheap,
            OWNER,
        )
    assert nothing_stored(app)


# --- bundles in orders (seed 004) ----------------------------------------------------------

CHANNEL = ProductType(
    "TV-CHANNEL", "Channel", Classification.SERVICE, service_kind=ServiceKind.TERMED
)
PACK = ProductType(
    "PACK",
    "Channel pack",
    Classification.SERVICE,
    service_kind=ServiceKind.TERMED,
    composition=Composition.FLEXIBLE_BUNDLE,
)
FIXED_PACK = attrs.evolve(PACK, code="FIXED-PACK", composition=Composition.FIXED_BUNDLE)
TV_CATALOG = CATALOG.add(
    CHANNEL,
    PACK,
    FIXED_PACK,
    Product("CNN", "CNN", "TV-CHANNEL", max_per_customer=1),
    Product("ESPN", "ESPN", "TV-CHANNEL"),
    Product("HBO", "HBO", "TV-CHANNEL", availability=Availability.HIDDEN),
    Product("TV", "Pick your channels", "PACK"),
    Product("NEWS-TV", "News pack", "FIXED-PACK"),
    # Two or three channels, at most one of them premium (HBO).
    FlexibleBundle(
        "TV",
        (
            Pool(PoolKind.TYPE, "TV-CHANNEL", 2, 3),
            Pool(PoolKind.PRODUCT, "HBO", 0, 1),
        ),
    ),
    FixedBundle("NEWS-TV", (Component("CNN"), Component("ESPN"))),
)
TV_PLAN = PricePlan(
    "TV",
    "Television",
    "USD",
    [
        PlanRate("TV", MONTHLY, Rate.flat(usd("20.00"))),
        PlanRate("NEWS-TV", MONTHLY, Rate.flat(usd("15.00"))),
        # Included in a bundle's price, unless the row says it applies to components.
        PlanRate("CNN", MONTHLY, Rate.flat(usd("5.00")), applies_to_components=False),
        PlanRate("ESPN", MONTHLY, Rate.flat(usd("6.00")), applies_to_components=False),
        PlanRate("HBO", MONTHLY, Rate.flat(usd("8.00"))),
    ],
)
TV_CONTEXT = PricingContext(TV_PLAN, d("2025-04-20"))


@pytest.fixture
def tv(store_url: str) -> Iterator[Billing]:
    store = open_store(store_url)
    sell(store, TV_CATALOG, TV_PLAN)
    yield Billing(store, clock=FixedClock(NOW))
    store.close()


def held(app: Billing) -> list[str]:
    """The product of each service the owner holds, by product."""
    return sorted(s.product_code for s in app.services(ServiceQuery(customer_id=OWNER_ID), STAFF))


def test_a_fixed_bundle_creates_its_components_services_billed_with_it(tv: Billing) -> None:
    quote, services = tv.place_order(buy(OrderLineSpec("NEWS-TV")), TV_CONTEXT, OWNER)
    assert [(s.product_code, str(s.price.amount)) for s in services] == [
        ("NEWS-TV", "USD 15.00"),
        ("CNN", "USD 0.00"),
        ("ESPN", "USD 0.00"),
    ]
    assert [line.spec.as_component for line in tv_order(tv).lines] == [False, True, True]
    assert quote.total == usd("15.00")
    (invoice,) = tv.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    assert invoice.total == usd("15.00")
    assert set(invoice.service_ids) <= {s.id for s in services}


def test_a_flexible_bundle_creates_the_selected_components_each_priced_by_its_row(
    tv: Billing,
) -> None:
    line = OrderLine(OrderLineSpec("TV"), selection=[Component("HBO"), Component("CNN")])
    quote, services = tv.place_order(buy(lines=[line]), TV_CONTEXT, OWNER)
    assert [(s.product_code, str(s.price.amount)) for s in services] == [
        ("TV", "USD 20.00"),
        ("HBO", "USD 8.00"),  # its row applies to components; HBO is hidden, sold in the pack
        ("CNN", "USD 0.00"),
    ]
    assert quote.total == usd("28.00")
    (invoice,) = tv.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    assert invoice.total == usd("28.00")


def test_a_bundle_line_for_several_services_multiplies_its_components(tv: Billing) -> None:
    line = OrderLine(OrderLineSpec("NEWS-TV"), services=2)
    fixed = attrs.evolve(
        TV_CATALOG, products=[attrs.evolve(p, max_per_customer=None) for p in TV_CATALOG.products]
    )
    tv.add_catalog_version(CatalogVersion("2025-04", d("2025-04-01"), fixed))
    _, services = tv.place_order(buy(lines=[line]), TV_CONTEXT, OWNER)
    assert (
        sorted(s.product_code for s in services) == ["CNN", "CNN", "ESPN", "ESPN"] + ["NEWS-TV"] * 2
    )


@pytest.mark.parametrize(
    ("line", "rule", "message"),
    [
        # Four channels: the channel pool takes two or three.
        (
            OrderLine(
                OrderLineSpec("TV"),
                selection=[Component("CNN"), Component("ESPN"), Component("HBO", 2)],
            ),
            "bundle.selection",
            r"pool type 'TV-CHANNEL' \(min 2, max 3\) has 4; pick fewer",
        ),
        (OrderLine(OrderLineSpec("TV")), "bundle.selection", "nothing is selected"),
        (
            OrderLine(OrderLineSpec("TV"), selection=[Component("CNN"), Component("WEB")]),
            "bundle.selection",
            "'WEB' is not offered by the bundle",
        ),
        (
            OrderLine(OrderLineSpec("NEWS-TV"), selection=[Component("CNN")]),
            "bundle.selection",
            "a fixed bundle cannot change",
        ),
        (
            OrderLine(OrderLineSpec("ESPN"), selection=[Component("CNN")]),
            "offer.not-bundle",
            "is not a bundle",
        ),
        (
            OrderLine(OrderLineSpec("HBO", as_component=True)),
            "offer.component",
            "order the bundle",
        ),
    ],
)
def test_a_bundle_selection_its_rules_forbid_is_refused(
    tv: Billing, line: OrderLine, rule: str, message: str
) -> None:
    with pytest.raises(RuleViolation, match=message) as raised:
        tv.place_order(buy(lines=[line]), TV_CONTEXT, OWNER)
    assert raised.value.rule == rule
    assert nothing_stored(tv) and held(tv) == []


def test_a_bundles_components_count_against_their_instance_limits(tv: Billing) -> None:
    tv.place_order(buy(OrderLineSpec("ESPN"), id="O-0"), TV_CONTEXT, OWNER)
    tv.place_order(buy(lines=[OrderLine(OrderLineSpec("CNN"))], id="O-1"), TV_CONTEXT, OWNER)
    with pytest.raises(RuleViolation) as raised:  # CNN: one per customer
        tv.place_order(buy(OrderLineSpec("NEWS-TV"), id="O-2"), TV_CONTEXT, OWNER)
    assert raised.value.rule == "offer.instance-limit"
    assert held(tv) == ["CNN", "ESPN"]


def test_an_orders_promo_code_applies_to_the_bundle_not_its_components(tv: Billing) -> None:
    with tv.store.transaction() as uow:
        uow.promotions.add(Promotion("TEN", PromotionKind.PERCENTAGE, 10, products={"TV"}))
        uow.commit()
    line = OrderLine(OrderLineSpec("TV"), selection=[Component("HBO"), Component("CNN")])
    quote, _ = tv.place_order(buy(lines=[line], promo_code="TEN"), TV_CONTEXT, OWNER)
    # 10% off the pack's 20.00; HBO's 8.00 and CNN's 0.00 are not the code's products.
    assert quote.total == usd("26.00")


# --- withdrawing a catalog version before it takes effect ------------------------------------


def test_a_version_not_in_force_yet_can_be_withdrawn(app: Billing) -> None:
    later = CatalogVersion("2025-05", d("2025-05-01"), attrs.evolve(CATALOG, abuse_limits=[]))
    app.add_catalog_version(later)
    assert app.withdraw_catalog_version("2025-05").effective == d("2025-05-01")
    assert app.catalog(d("2025-06-01")).name == "2025"
    with pytest.raises(AlreadyExists):  # the name stays taken: it meant that version
        app.add_catalog_version(later)
    app.add_catalog_version(attrs.evolve(later, name="2025-05b"))
    assert app.catalog(d("2025-06-01")).name == "2025-05b"


@pytest.mark.parametrize("effective", ["2025-01-01", "2025-04-20", "2025-04-21"])
def test_a_version_in_force_somewhere_cannot_be_withdrawn(app: Billing, effective: str) -> None:
    # Now is 2025-04-20 12:00 UTC, already 2025-04-21 in UTC+14 (Kiritimati).
    if effective != "2025-01-01":
        app.add_catalog_version(CatalogVersion("soon", d(effective), CATALOG))
    name = "2025" if effective == "2025-01-01" else "soon"
    with pytest.raises(RuleViolation) as raised:
        app.withdraw_catalog_version(name)
    assert raised.value.rule == "version.in-force"
    assert app.catalog(d(effective)).name == name


def test_withdrawing_a_version_never_stored_is_not_found(app: Billing) -> None:
    with pytest.raises(NotFound):
        app.withdraw_catalog_version("2030")


def test_a_package_changed_to_a_product_the_customer_holds_its_limit_of_is_refused(
    tv: Billing,
) -> None:
    # Seed 000's "one free plan per account": CNN is one per customer.
    tv.place_order(buy(OrderLineSpec("CNN"), id="O-1"), TV_CONTEXT, OWNER)
    _, (espn,) = tv.place_order(buy(OrderLineSpec("ESPN"), id="O-2"), TV_CONTEXT, OWNER)
    with pytest.raises(RuleViolation) as raised:
        tv.change_package(espn.id, STAFF, price_plan="TV", to_product="CNN")
    assert raised.value.rule == "offer.instance-limit"
    assert held(tv) == ["CNN", "ESPN"]


def test_a_service_transferred_to_a_customer_holding_its_limit_is_refused(tv: Billing) -> None:
    tv.place_order(buy(OrderLineSpec("CNN"), id="O-1"), TV_CONTEXT, OWNER)
    other = buy(OrderLineSpec("CNN"), id="O-2", customer_id="CUST-OTHER")
    _, (theirs,) = tv.place_order(other, TV_CONTEXT, STAFF)
    with pytest.raises(RuleViolation) as raised:
        tv.perform(transfer, theirs.id, STAFF, OWNER_ID)
    assert raised.value.rule == "offer.instance-limit"
    assert tv.service(theirs.id, STAFF).customer_id == "CUST-OTHER"
