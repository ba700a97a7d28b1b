"""The catalog and the policy enforced at every use case of ``Billing`` (issue 16), on every store.

Each test is one way a new user got around the catalog or the policy: it must now be
refused with the rule's id (or ``PermissionDenied``), and the store must keep nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from prodlife import ANNUAL, MONTHLY, FixedClock, OrderLine, OrderLineSpec
from prodlife.app import Billing
from prodlife.catalog import Availability, CatalogVersion
from prodlife.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from prodlife.lifecycle import (
    Actor,
    MassUpdate,
    Operation,
    Permission,
    ServiceAddOn,
    Status,
    SuspensionKind,
    activate,
    add_addon,
    cancel,
    change_package,
    delete,
)
from prodlife.lifecycle.orders import DomainAction, DomainLine
from prodlife.lifecycle.status import ACTIVE, ORDERED
from prodlife.lifecycle.timelines import BASE
from prodlife.ports import Store
from prodlife.pricing import AddonPick, PlanRate, PricePlan, PricingContext, Rate
from prodlife.pricing.promotions import Promotion, PromotionKind
from prodlife.pricing.recurring import RecurringPrice
from prodlife.stores import open_store
from tests._lifecycle import (
    IMMEDIATE_CATALOG,
    OWNER,
    OWNER_ID,
    STAFF,
    FakeModule,
    commands,
    last_entry,
    offer_terms,
    sell,
    web,
)
from tests._support import d, usd
from tests.test_lifecycle_orders import order

NOW = datetime(2025, 4, 20, 12, tzinfo=UTC)
ROWS = [
    PlanRate("WEB", MONTHLY, Rate.flat(usd(price)), edition=edition)
    for edition, price in (("BASIC", "10.00"), ("PRO", "40.00"), ("PREMIUM", "70.00"))
] + [
    PlanRate("WEB", ANNUAL, Rate.flat(usd("100.00")), edition="BASIC"),
    PlanRate("WEB-LEGACY", MONTHLY, Rate.flat(usd("5.00"))),
    PlanRate("NEWS", MONTHLY, Rate.flat(usd("4.00"))),
    PlanRate("SETUP-FEE", MONTHLY, Rate.flat(usd("1.00"))),
    PlanRate("BACKUP", MONTHLY, Rate.flat(usd("3.00"))),
]
PLAN = PricePlan("STD", "Standard", "USD", ROWS)
#: The example catalog (every change immediate), with NEWS hidden from customers.
CATALOG = attrs.evolve(
    IMMEDIATE_CATALOG,
    products=[
        attrs.evolve(p, availability=Availability.HIDDEN) if p.code == "NEWS" else p
        for p in IMMEDIATE_CATALOG.products
    ],
)
CONTEXT = PricingContext(PLAN, d("2025-04-20"))
PRICER = Actor.staff("pat", set(Permission))
NO_PRICES = Actor.staff("sam", set(Permission) - {Permission.SET_PRICES})


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Billing]:
    url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'b.db'}"
    store = open_store(url)
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("2025", d("2025-01-01"), CATALOG))
        uow.price_plans.add(PLAN)
        uow.promotions.add(
            Promotion("NEWBIE", PromotionKind.PERCENTAGE, 10, new_customers_only=True)
        )
        uow.commit()
    module = FakeModule()
    yield Billing(store, clock=FixedClock(NOW), module=module)
    store.close()


def buy(*specs: OrderLineSpec, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "customer_id": OWNER_ID,
        "lines": [OrderLine(spec) for spec in specs],
        "placed_at": NOW,
    }
    fields.update(changes)
    return order(**fields)


def plain(key: str, product: str, **changes: Any) -> Any:
    """An active service of a product without editions, like :func:`web`'s."""
    return attrs.evolve(web(id=key, product_code=product, **changes), edition=None)


def nothing_stored(app: Billing) -> bool:
    with app.store.transaction(readonly=True) as uow:
        return not uow.orders.for_customer(OWNER_ID) and not uow.invoice_lines.for_customer(
            OWNER_ID
        )


# --- 1. nothing sold that the catalog does not offer ----------------------------------------


@pytest.mark.parametrize(
    ("spec", "rule"),
    [
        (OrderLineSpec("WEB-LEGACY"), "offer.historic"),
        (OrderLineSpec("NOPE"), "offer.unknown-product"),
        (OrderLineSpec("NEWS"), "offer.hidden"),
        (OrderLineSpec("WEB", edition="GOLD"), "offer.edition"),
        (OrderLineSpec("WEB"), "offer.edition"),
        (OrderLineSpec("SETUP-FEE", edition="PRO"), "offer.edition"),
        (OrderLineSpec("WEB", edition="BASIC", addons=["NOPE"]), "offer.unknown-addon"),
        (OrderLineSpec("SETUP-FEE", addons=["BACKUP"]), "addon.base"),
        (OrderLineSpec("WEB", edition="BASIC", addons=["BACKUP", "BACKUP"]), "addon.limit"),
        (
            OrderLineSpec("WEB", edition="BASIC", addons=[AddonPick("BACKUP", quantity=2)]),
            "addon.limit",
        ),
    ],
)
def test_an_order_the_catalog_does_not_offer_is_refused_with_the_rule(
    app: Billing, spec: OrderLineSpec, rule: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        app.place_order(buy(spec), CONTEXT, OWNER)
    assert caught.value.rule == rule
    assert nothing_stored(app)


def test_a_product_outside_its_validity_is_not_sold(tmp_path: Path) -> None:
    store = open_store("memory:")
    with store.transaction() as uow:  # WEB is sold from 2025-01-01 in the example file
        from prodlife.io.catalog_files import load_catalog

        example = load_catalog(Path(__file__).parents[1] / "examples" / "catalog.toml")
        uow.catalog.add_version(CatalogVersion("2024", d("2024-06-01"), example))
        uow.price_plans.add(PLAN)
        uow.commit()
    late_2024 = Billing(store, clock=FixedClock(datetime(2024, 12, 1, tzinfo=UTC)))
    placed = buy(OrderLineSpec("WEB", edition="BASIC"), placed_at=datetime(2024, 12, 1, tzinfo=UTC))
    with pytest.raises(RuleViolation, match=r"not on 2024-12-01.*offer\.validity"):
        late_2024.place_order(placed, CONTEXT, OWNER)


def test_staff_may_order_a_hidden_product(app: Billing) -> None:
    _, (service,) = app.place_order(buy(OrderLineSpec("NEWS")), CONTEXT, PRICER)
    assert service.product_code == "NEWS"


def test_an_order_without_a_catalog_in_force_is_refused(tmp_path: Path) -> None:
    from prodlife.errors import NotFound

    bare = Billing(open_store("memory:"), clock=FixedClock(NOW))
    with pytest.raises(NotFound, match="catalog version"):
        bare.place_order(buy(OrderLineSpec("WEB", edition="BASIC")), CONTEXT, OWNER)


def test_a_cross_grade_to_an_edition_off_the_ladder_is_refused(app: Billing) -> None:
    app.add_services([web()])
    with pytest.raises(RuleViolation) as caught:
        app.change_package(
            web().id, OWNER, price_plan="STD", to_product="SETUP-FEE", to_edition="PRO"
        )
    assert caught.value.rule == "offer.edition"
    with pytest.raises(RuleViolation, match=r"offer\.historic"):
        app.change_package(web().id, OWNER, price_plan="STD", to_product="WEB-LEGACY")
    assert app.service(web().id, OWNER).product_code == "WEB"


def test_an_addon_is_added_only_as_the_catalog_offers_it_and_at_the_plans_price(
    app: Billing,
) -> None:
    app.add_services([web(), plain("LEG", "NEWS")])
    done = app.add_addon(web().id, OWNER, "BACKUP", price_plan="STD")
    added = done.service.addon("BACKUP")
    assert added.price == RecurringPrice.at_order(usd("3.00"))
    with pytest.raises(RuleViolation, match=r"addon\.limit"):
        app.add_addon(web().id, OWNER, "BACKUP", price_plan="STD")
    with pytest.raises(RuleViolation, match=r"addon\.base"):
        app.add_addon("LEG", OWNER, "BACKUP", price_plan="STD")
    with pytest.raises(RuleViolation, match=r"offer\.unknown-addon"):
        app.add_addon(web().id, OWNER, "IPV4", price_plan="STD")


def test_order_codes_ignore_case_and_spaces_and_a_new_customer_is_new(app: Billing) -> None:
    quote, _ = app.place_order(
        buy(OrderLineSpec("WEB", edition="BASIC", promo_code=" newbie ")), CONTEXT, OWNER
    )
    assert quote.total == usd("9.00")  # 10% off the first month: the customer had nothing
    with app.store.transaction(readonly=True) as uow:
        assert uow.promotions.uses("NEWBIE") == 1


# --- 2. prices come from the catalog ---------------------------------------------------------


def test_a_customer_cannot_set_any_price(app: Billing) -> None:
    app.add_services([web()])
    cheap = usd("0.01")
    attempts: list[Callable[[], object]] = [
        lambda: app.place_order(
            buy(OrderLineSpec("WEB", edition="BASIC", price_override=cheap)), CONTEXT, OWNER
        ),
        lambda: app.place_order(
            buy(
                OrderLineSpec("WEB", edition="BASIC"),
                domains=[DomainLine("x.com", DomainAction.REGISTER, price_override=usd("0"))],
            ),
            CONTEXT,
            OWNER,
        ),
        lambda: app.perform(
            change_package, web().id, OWNER, catalog=CATALOG, new_price=cheap, to_edition="PRO"
        ),
        lambda: app.perform(
            add_addon,
            web().id,
            OWNER,
            ServiceAddOn(
                "BACKUP",
                MONTHLY,
                d("2025-04-20"),
                None,
                ORDERED,
                price=RecurringPrice(cheap, False),
            ),
        ),
        lambda: app.change_package(web().id, OWNER, new_price=cheap, to_edition="PRO"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="customers cannot set prices"):
            attempt()
    assert app.service(web().id, OWNER) == web()
    assert nothing_stored(app)


def test_staff_set_prices_only_with_the_prices_permission_and_it_is_an_override(
    app: Billing,
) -> None:
    app.add_services([web()])
    with pytest.raises(PermissionDenied, match="'prices: set'"):
        app.change_package(web().id, NO_PRICES, new_price=usd("1.00"), to_edition="PRO")
    with pytest.raises(PermissionDenied, match="'prices: set'"):
        app.place_order(
            buy(OrderLineSpec("WEB", edition="BASIC", price_override=usd("1.00"))),
            CONTEXT,
            NO_PRICES,
        )
    done = app.change_package(
        web().id, PRICER, new_price=usd("25.00"), to_edition="PRO", reason="loyal customer"
    )
    assert done.service.price == RecurringPrice(usd("25.00"), override=True)
    entry = last_entry(done.service)
    assert entry.reason == "loyal customer"


# --- 3. permissions: viewing -----------------------------------------------------------------


def test_staff_without_the_view_permission_read_no_service(app: Billing) -> None:
    from prodlife.ports import ServiceQuery

    app.add_services([web()])
    blind = Actor.staff("bob", set(Permission) - {Permission.VIEW_CUSTOMER_PRODUCTS})
    with pytest.raises(PermissionDenied, match="customer products: view"):
        app.service(web().id, blind)
    with pytest.raises(PermissionDenied, match="customer products: view"):
        app.services(ServiceQuery(), blind)
    assert app.service(web().id, Actor.staff("vi", ["customer products: view"])) == web()


# --- 4. product-type rules --------------------------------------------------------------------


def test_deletion_follows_the_product_type_not_a_flag_the_caller_passes(app: Billing) -> None:
    cancelled = web().status.__class__(Status.CANCELLED)
    app.add_services(
        [
            web(status=cancelled, termination_date=d("2025-04-20")),
            plain("N", "NEWS", status=cancelled, termination_date=d("2025-04-20")),
        ]
    )
    with pytest.raises(ValidationError, match="customer_may_delete comes from the catalog"):
        app.perform(delete, "N", OWNER, customer_may_delete=True)
    with pytest.raises(PermissionDenied, match="deletion rules do not let customers delete"):
        app.perform(delete, "N", OWNER)
    done = app.perform(delete, web().id, OWNER)  # HOSTING lets customers delete
    assert done.service.status.status is Status.DELETED


def test_the_module_runs_only_for_provisionable_products(app: Billing) -> None:
    module = app.module
    assert isinstance(module, FakeModule)
    app.add_services(
        [
            web(status=ORDERED, paid_through=None),
            plain("FEE", "SETUP-FEE", status=ORDERED, paid_through=None),
        ]
    )
    system = Actor.system()
    app.perform(activate, web().id, system)
    app.perform(activate, "FEE", system)
    assert module.calls == [("create", web().id, "")]
    assert app.service("FEE", STAFF).status == ACTIVE


def test_a_cancellation_without_a_policy_takes_the_products_default(app: Billing) -> None:
    app.add_services([web()])
    done = app.perform(cancel, web().id, OWNER)
    # WEB's default (examples/catalog.toml): immediate, the unused Apr 21-30 refunded.
    assert [str(line.amount) for line in done.lines] == ["USD -3.33"]


# --- 5. mass update --------------------------------------------------------------------------


def test_a_customer_cannot_mass_update_even_their_own_service(app: Billing) -> None:
    app.add_services([web()])
    with pytest.raises(PermissionDenied, match="only the provider can do this"):
        app.mass_update([web().id], OWNER, MassUpdate(cycle=ANNUAL), price_plan="STD")
    with pytest.raises(PermissionDenied):
        app.mass_update([web().id], OWNER, MassUpdate(override_auto_suspend=None))
    assert app.service(web().id, OWNER) == web()


def test_each_mass_updated_field_needs_its_permission(app: Billing) -> None:
    app.add_services([web()])
    with pytest.raises(PermissionDenied, match="'prices: set'"):
        app.mass_update([web().id], NO_PRICES, MassUpdate(price=usd("1.00")))
    editor = Actor.staff("ed", ["customer products: edit"])
    with pytest.raises(PermissionDenied, match="'services: change package'"):
        app.mass_update([web().id], editor, MassUpdate(cycle=ANNUAL), price_plan="STD")


def test_a_mass_cycle_change_is_priced_from_the_plan(app: Billing) -> None:
    _, (service,) = app.place_order(buy(OrderLineSpec("WEB", edition="BASIC")), CONTEXT, OWNER)
    with pytest.raises(RuleViolation, match=r"mass-update\.price"):
        app.mass_update([service.id], NO_PRICES, MassUpdate(cycle=ANNUAL))
    app.mass_update([service.id], NO_PRICES, MassUpdate(cycle=ANNUAL), price_plan="STD")
    moved = app.service(service.id, STAFF)
    assert moved.cycle == ANNUAL and moved.price == RecurringPrice(usd("100.00"), False)
    rate = moved.timeline.track(BASE).rates[-1]
    assert (rate.start, rate.amount, rate.schedule.cycle) == (
        service.next_due,
        usd("100.00"),
        ANNUAL,
    )


def test_a_mass_suspension_runs_the_module_for_each_provisionable_service(app: Billing) -> None:
    module = app.module
    assert isinstance(module, FakeModule)
    app.add_services([web(id="A"), web(id="B"), plain("F", "SETUP-FEE")])
    update = MassUpdate(status=Operation.SUSPEND, suspension=SuspensionKind.BY_ADMINISTRATOR)
    app.mass_update(["A", "B", "F"], STAFF, update)
    assert [(c, key) for c, key, _ in module.calls] == [("suspend", "A"), ("suspend", "B")]
    assert commands(module) == ["suspend", "suspend"]
    for key in ("A", "B", "F"):
        assert app.service(key, STAFF).status.status is Status.SUSPENDED


def selling_web(tmp_path: Path, **changes: Any) -> tuple[Billing, Store]:
    """An app over a new SQLite store selling :data:`PLAN` from the example catalog, its WEB
    product changed by ``changes``; and the store, for the test to close."""
    catalog = attrs.evolve(
        CATALOG,
        products=[attrs.evolve(p, **changes) if p.code == "WEB" else p for p in CATALOG.products],
    )
    store = open_store(f"sqlite:///{tmp_path / 'web.db'}")
    sell(store, catalog, PLAN)
    return Billing(store, clock=FixedClock(NOW)), store


def test_a_product_may_keep_package_changes_to_the_provider(tmp_path: Path) -> None:
    app, store = selling_web(tmp_path, customer_may_change_package=False)
    app.add_services([web()])
    with pytest.raises(PermissionDenied, match="changed by the provider only"):
        app.change_package(web().id, OWNER, price_plan="STD", to_edition="PRO")
    done = app.change_package(web().id, STAFF, price_plan="STD", to_edition="PRO")
    assert done.service.edition == "PRO"
    store.close()


def test_a_customer_holds_at_most_max_per_customer_live_services_of_a_product(
    tmp_path: Path,
) -> None:
    app, store = selling_web(tmp_path, max_per_customer=1)
    two = buy(OrderLineSpec("WEB", edition="BASIC"), OrderLineSpec("WEB", edition="PRO"))
    with pytest.raises(RuleViolation, match=r"holds 0; 2 more.*offer\.instance-limit"):
        app.place_order(two, CONTEXT, OWNER)
    app.place_order(buy(OrderLineSpec("WEB", edition="BASIC"), id="O-1"), CONTEXT, OWNER)
    with pytest.raises(RuleViolation, match=r"offer\.instance-limit"):
        app.place_order(buy(OrderLineSpec("WEB", edition="PRO"), id="O-2"), CONTEXT, OWNER)
    # Another customer's services do not count.
    app.place_order(
        buy(OrderLineSpec("WEB", edition="PRO"), id="O-3", customer_id="C-9"),
        CONTEXT,
        Actor.customer("C-9"),
    )
    store.close()


def test_an_order_for_a_subscription_type_holds_only_its_products(app: Billing) -> None:
    from prodlife.catalog import SubscriptionType

    tv = SubscriptionType("TV", "Television", products={"NEWS", "SPORT"})
    with pytest.raises(NotFound, match="subscription type"):  # not in the catalog yet
        app.place_order(
            buy(OrderLineSpec("WEB", edition="BASIC")), CONTEXT, OWNER, subscription="TV"
        )
    offer_terms(app.store, subscriptions=[tv])
    with pytest.raises(RuleViolation, match=r"does not offer 'WEB'.*offer\.subscription"):
        app.place_order(
            buy(OrderLineSpec("WEB", edition="BASIC")), CONTEXT, OWNER, subscription="TV"
        )
    assert nothing_stored(app)


# --- 6. catalog versions are checked when stored ---------------------------------------------


def test_a_catalog_version_is_checked_as_a_file_and_against_the_stored_ones(
    app: Billing,
) -> None:
    from decimal import Decimal

    from prodlife.catalog.products import CustomField, FieldKind
    from prodlife.errors import InvalidCatalog

    web_product = CATALOG.product("WEB")
    nan = attrs.evolve(
        CATALOG,
        products=[
            attrs.evolve(
                p, custom_fields=[CustomField("disk_gb", FieldKind.NUMBER, Decimal("NaN"))]
            )
            if p is web_product
            else p
            for p in CATALOG.products
        ],
    )
    flag = attrs.evolve(
        CATALOG,
        products=[
            attrs.evolve(p, priority=True) if p is web_product else p for p in CATALOG.products
        ],
    )
    with pytest.raises(InvalidCatalog, match="'NaN' is not a finite number"):
        app.add_catalog_version(CatalogVersion("2026", d("2026-01-01"), nan))
    with pytest.raises(InvalidCatalog, match="True is not a whole number"):
        app.add_catalog_version(CatalogVersion("2026", d("2026-01-01"), flag))
    with pytest.raises(InvalidCatalog, match=r"version\.same-day"):
        app.add_catalog_version(CatalogVersion("2025-bis", d("2025-01-01"), CATALOG))
    app.add_catalog_version(CatalogVersion("2026", d("2026-01-01"), CATALOG))
    assert app.catalog(d("2026-02-01")).name == "2026"  # the store still reads every day
    assert app.catalog(d("2025-02-01")).name == "2025"


def test_options_are_changed_at_the_prices_the_stored_plan_defines(app: Billing) -> None:
    from decimal import Decimal

    from prodlife.errors import NotFound
    from prodlife.pricing import ConfigurableOption, OptionChoice, OptionPick, PricePlan

    disk = ConfigurableOption(
        "DISK",
        "Disk",
        (OptionChoice("50GB", "50 GB", {MONTHLY: usd("2.50")}),),
        applies_to={"WEB"},
    )
    with app.store.transaction() as uow:
        uow.price_plans.add(PricePlan("OPTIONS", "Options", "USD", options=(disk,)))
        uow.commit()
    app.add_services([web()])
    done = app.change_options(web().id, OWNER, [OptionPick("DISK", "50GB")], price_plan="OPTIONS")
    assert [(o.code, o.price) for o in done.service.options] == [("DISK", usd("2.50"))]
    # Apr 20: the 11 days left of April at 2.50 a month.
    assert [line.amount.amount for line in done.lines] == [Decimal("0.92")]
    with pytest.raises(NotFound, match="RAM"):
        app.change_options(web().id, OWNER, [OptionPick("RAM", "4GB")], price_plan="OPTIONS")
    with pytest.raises(NotFound, match="CHEAP"):
        app.change_options(web().id, OWNER, [OptionPick("DISK", "50GB")], price_plan="CHEAP")


def test_a_mass_update_reports_each_services_outcome_with_a_module_refusal(
    app: Billing,
) -> None:
    from prodlife.lifecycle import ModuleResult
    from prodlife.lifecycle.events import EventKind

    refusing = Billing(
        app.store,
        clock=FixedClock(NOW),
        module=FakeModule(ModuleResult.success("ok"), ModuleResult.failed("disk busy")),
    )
    app.add_services([web(id="A"), web(id="B")])
    update = MassUpdate(status=Operation.SUSPEND, suspension=SuspensionKind.BY_ADMINISTRATOR)
    first, second = refusing.mass_update(["A", "B"], STAFF, update)
    assert (first.service.id, first.service.status.status) == ("A", Status.SUSPENDED)
    assert second.service.id == "B" and second.service.status == ACTIVE
    assert [e.kind for e in second.events] == [EventKind.PROVISIONING_FAILED]
    assert app.service("B", STAFF).status == ACTIVE
