"""Reseller offerings (seed 000, issue 16 item 8) through ``Billing``, on every store.

"Click on the products that you would like to add to your product offerings, then Start
selling": a reseller picks marketplace products, at its own prices and within its own limits,
and an order placed through it sees only those.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife import MONTHLY, FixedClock, OrderLine, OrderLineSpec
from prodlife.app import Billing
from prodlife.catalog import OfferedProduct, ProductQuery, ResellerOffering
from prodlife.errors import NotFound, PermissionDenied, RuleViolation
from prodlife.lifecycle import Actor, Order, Permission
from prodlife.pricing import AddonPick, PlanRate, PricePlan, PricingContext, Rate
from prodlife.stores import open_store
from tests._lifecycle import OWNER, OWNER_ID, STAFF, sell
from tests._support import d, usd
from tests.stores._postgresql import opened_store
from tests.test_app_policy import CATALOG, PLAN
from tests.test_lifecycle_orders import order

NOW = datetime(2025, 4, 20, 12, tzinfo=UTC)
#: Acme's own prices: WEB Basic at 12.00 a month (the marketplace's plan says 10.00).
ACME_PLAN = PricePlan(
    "ACME-PRICES",
    "Acme's prices",
    "USD",
    [
        PlanRate("WEB", MONTHLY, Rate.flat(usd("12.00")), edition="BASIC"),
        PlanRate("WEB", MONTHLY, Rate.flat(usd("45.00")), edition="PRO"),
        PlanRate("BACKUP", MONTHLY, Rate.flat(usd("4.00"))),
        PlanRate("NEWS", MONTHLY, Rate.flat(usd("5.00"))),
    ],
)
#: Acme sells WEB in Basic and Pro, at most one per customer, with the backup add-on.
ACME = ResellerOffering(
    "ACME",
    "Acme hosting",
    "ACME-PRICES",
    products=(OfferedProduct("WEB", editions={"BASIC", "PRO"}, max_per_customer=1),),
    addons={"BACKUP"},
)
ACME_CONTEXT = PricingContext(ACME_PLAN, d("2025-04-20"))
PRICER = Actor.staff("pat", {Permission.SET_PRICES})


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Billing]:
    """``Billing`` over each store, with the example catalog, the marketplace's plan and
    Acme's (PostgreSQL in a schema of the test's own, skipped without a server)."""
    with opened_store(request.param, tmp_path) as store:
        sell(store, CATALOG, PLAN, ACME_PLAN)
        yield Billing(store, clock=FixedClock(NOW))


def buy(*specs: OrderLineSpec, key: str = "O-1", services: int = 1) -> Order:
    lines = [OrderLine(spec, services=services) for spec in specs]
    return order(id=key, customer_id=OWNER_ID, lines=lines, placed_at=NOW)


def test_a_reseller_sells_its_chosen_products_at_its_own_prices(app: Billing) -> None:
    app.save_offering(ACME, PRICER)
    assert app.offering("ACME") == ACME
    quote, (service,) = app.place_order(
        buy(OrderLineSpec("WEB", edition="BASIC", addons=(AddonPick("BACKUP"),))),
        ACME_CONTEXT,
        OWNER,
        reseller="ACME",
    )
    assert service.price.amount == usd("12.00")  # Acme's price, not the marketplace's 10.00
    assert quote.total == usd("16.00")  # and its backup at 4.00


@pytest.mark.parametrize(
    ("spec", "rule"),
    [
        (OrderLineSpec("WEB-LEGACY"), "reseller.product"),  # a marketplace product Acme skips
        (OrderLineSpec("WEB", edition="PREMIUM"), "reseller.edition"),
        (
            OrderLineSpec("WEB", edition="BASIC", addons=(AddonPick("SETUP-FEE"),)),
            "reseller.addon",
        ),
    ],
)
def test_an_order_through_a_reseller_sees_only_what_it_sells(
    app: Billing, spec: OrderLineSpec, rule: str
) -> None:
    app.save_offering(ACME, PRICER)
    with pytest.raises(RuleViolation) as raised:
        app.place_order(buy(spec), ACME_CONTEXT, OWNER, reseller="ACME")
    assert raised.value.rule == rule
    with app.store.transaction(readonly=True) as uow:
        assert uow.orders.for_customer(OWNER_ID) == []


def test_a_resellers_limits_hold_on_top_of_the_catalogs(app: Billing) -> None:
    app.save_offering(ACME, PRICER)
    basic = OrderLineSpec("WEB", edition="BASIC")
    with pytest.raises(RuleViolation) as raised:
        app.place_order(buy(basic, services=2), ACME_CONTEXT, OWNER, reseller="ACME")
    assert raised.value.rule == "reseller.instance-limit"
    # What the marketplace sold the customer is not Acme's to count.
    app.place_order(buy(basic, key="O-0"), PricingContext(PLAN, NOW.date()), OWNER)
    app.place_order(buy(basic), ACME_CONTEXT, OWNER, reseller="ACME")
    with pytest.raises(RuleViolation) as raised:
        app.place_order(buy(basic, key="O-2"), ACME_CONTEXT, OWNER, reseller="ACME")
    assert raised.value.rule == "reseller.instance-limit"
    # The marketplace itself has no such limit.
    app.place_order(buy(basic, key="O-3"), PricingContext(PLAN, NOW.date()), OWNER)
    seats = attrs.evolve(ACME, products=(OfferedProduct("WEB", max_quantity=2),))
    app.save_offering(seats, PRICER)
    with pytest.raises(RuleViolation) as raised:
        app.place_order(
            buy(OrderLineSpec("WEB", edition="BASIC", quantity=3), key="O-4"),
            ACME_CONTEXT,
            OWNER,
            reseller="ACME",
        )
    assert raised.value.rule == "reseller.quantity"


def test_an_order_through_a_reseller_is_priced_from_its_plan_only(app: Billing) -> None:
    app.save_offering(ACME, PRICER)
    with pytest.raises(RuleViolation) as raised:
        app.place_order(
            buy(OrderLineSpec("WEB", edition="BASIC")),
            PricingContext(PLAN, NOW.date()),
            OWNER,
            reseller="ACME",
        )
    assert raised.value.rule == "reseller.plan"
    with pytest.raises(NotFound, match="NOBODY"):
        app.place_order(
            buy(OrderLineSpec("WEB", edition="BASIC")), ACME_CONTEXT, OWNER, reseller="NOBODY"
        )


def test_a_resellers_customers_see_only_its_products(app: Billing) -> None:
    app.save_offering(ACME, PRICER)
    assert [p.code for p in app.offered_products("ACME")] == ["WEB"]
    assert len(app.products(ProductQuery())) > 1
    assert app.offered_products("ACME", ProductQuery(text="legacy")) == ()


def test_an_offering_is_stored_by_staff_with_the_prices_permission_from_the_marketplace(
    app: Billing,
) -> None:
    for who in (OWNER, Actor.staff("sam", set(Permission) - {Permission.SET_PRICES})):
        with pytest.raises(PermissionDenied):
            app.save_offering(ACME, who)
    unknown = attrs.evolve(ACME, products=(OfferedProduct("GOLD"),))
    off_ladder = attrs.evolve(ACME, products=(OfferedProduct("WEB", editions={"ULTRA"}),))
    no_addon = attrs.evolve(ACME, addons={"JETPACK"})
    for offering in (unknown, off_ladder, no_addon):
        with pytest.raises(RuleViolation) as raised:
            app.save_offering(offering, STAFF)
        assert raised.value.rule == "reseller.unknown-product"
    with pytest.raises(NotFound, match="NO-PLAN"):
        app.save_offering(attrs.evolve(ACME, price_plan="NO-PLAN"), STAFF)
    with pytest.raises(NotFound):
        app.offering("ACME")
    app.save_offering(ACME, STAFF)
    narrower = attrs.evolve(ACME, addons=frozenset())
    app.save_offering(narrower, STAFF)  # the reseller changes its mind: replaced
    assert app.offering("ACME") == narrower
    with app.store.transaction(readonly=True) as uow:
        assert uow.offerings.all() == [narrower]


_LIMIT = st.none() | st.integers(1, 5)


@settings(max_examples=30)
@given(
    products=st.lists(
        st.builds(
            OfferedProduct,
            st.sampled_from(["WEB", "WEB-LEGACY", "NEWS", "BACKUP"]),
            st.sets(st.sampled_from(["BASIC", "PRO"]), max_size=2),
            _LIMIT,
            _LIMIT,
        ),
        unique_by=lambda p: p.product_code,
        max_size=4,
    ),
    addons=st.sets(st.sampled_from(["BACKUP"])),
)
def test_an_offering_reads_back_as_stored_from_memory_and_sqlite(
    products: list[OfferedProduct], addons: set[str]
) -> None:
    offering = ResellerOffering("R-1", "Reseller", "ACME-PRICES", products, addons)
    with tempfile.TemporaryDirectory() as folder:
        for url in ("memory:", f"sqlite:///{folder}/offerings.db"):
            store = open_store(url)
            with store.transaction() as uow:
                uow.offerings.add(offering)
                uow.commit()
            with store.transaction(readonly=True) as uow:
                assert uow.offerings.get("R-1") == offering
            store.close()
