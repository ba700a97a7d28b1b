"""Seed 004's provisioning providers used by ``Billing``'s use cases, on every store.

The host gives one module per provider (``Billing(modules=...)``): a channel the Nagra
provider knows is created by the Nagra module, one Irdeto knows by Irdeto's, a product no
such provider knows by the host's one module; an order placed for a subscription type is
refused when none of the type's providers knows one of its provisionable products; a
product two providers with modules know is refused rather than provisioned by a guess.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest

from prodlife import MONTHLY, FixedClock, OrderLine, OrderLineSpec
from prodlife.app import Billing
from prodlife.catalog import (
    CatalogVersion,
    Classification,
    Product,
    ProductType,
    ProviderId,
    ServiceKind,
    SubscriptionType,
)
from prodlife.errors import RuleViolation, ValidationError
from prodlife.lifecycle import (
    EventKind,
    ModuleFailed,
    ModuleResult,
    Service,
    Status,
    activate,
    suspend,
)
from prodlife.lifecycle.status import SuspensionKind
from prodlife.ports import InvoiceQuery, Store
from prodlife.pricing import PlanRate, PricePlan, Rate
from prodlife.pricing.usage import UsageCatalog, UsageRate, UsageRateRow, UsageRecord
from tests._lifecycle import CATALOG, OWNER, OWNER_ID, STAFF, FakeModule
from tests._support import usd
from tests.test_app_invoices import ORDERED_AT, store  # noqa: F401 - the fixture
from tests.test_lifecycle_orders import CONTEXT, order

#: Which provider knows each channel (by its own id).
KNOWN = {
    "NEWS": (ProviderId("NAGRA", "ch-101"),),
    "SPORT": (ProviderId("IRDETO", "sp-7"),),
    "WORLD": (ProviderId("NAGRA", "ch-102"), ProviderId("IRDETO", "w-1")),
}
TV = SubscriptionType("TV", "Satellite TV", products={"NEWS", "SPORT"}, providers={"NAGRA"})


class UsageModule(FakeModule):
    """A provider's module that also provides usage services (a VOD server)."""

    def provide(self, service: Service, product: Product, record: UsageRecord) -> ModuleResult:
        return self._do("provide", service, product.provider_id("NAGRA") or "")


#: Video on demand: a provisionable usage service, FILM, which Nagra knows.
VOD_TYPE = ProductType(
    "VOD", "Video on demand", Classification.SERVICE, service_kind=ServiceKind.USAGE
)
FILM = Product("FILM", "A film", "VOD", provider_ids=(ProviderId("NAGRA", "vod-42"),))
VOD = UsageCatalog("VOD", "Films", "USD", [UsageRateRow("FILM", UsageRate(usd("3.99")), "view")])
EVENING = datetime(2025, 2, 3, 21, tzinfo=UTC)


def _billing(books: Store) -> tuple[Billing, dict[str, FakeModule]]:
    """The example catalog with the channels known to providers, each sold at 4.00 a month,
    and films on demand."""
    modules = {"NAGRA": UsageModule(), "IRDETO": FakeModule(), "host": FakeModule()}
    billing = Billing(
        books,
        clock=FixedClock(ORDERED_AT),
        module=modules["host"],
        modules={"NAGRA": modules["NAGRA"], "IRDETO": modules["IRDETO"]},
    )
    products = [
        attrs.evolve(p, provider_ids=KNOWN[p.code]) if p.code in KNOWN else p
        for p in CATALOG.products
    ]
    known = attrs.evolve(
        CATALOG,
        types=(*CATALOG.types, attrs.evolve(VOD_TYPE, provisionable=True)),
        products=(*products, FILM),
        subscription_types=(TV,),
    )
    billing.add_catalog_version(CatalogVersion("TV", date(2024, 6, 1), known))
    rows = [
        PlanRate(code, MONTHLY, Rate.flat(usd("4.00"))) for code in (*KNOWN, "MOVIES", "SETUP-FEE")
    ]
    with books.transaction() as uow:
        uow.price_plans.replace(PricePlan("STD", "Standard", "USD", [*CONTEXT.plan.rates, *rows]))
        uow.commit()
    return billing, modules


def _order(billing: Billing, *codes: str, subscription: str | None = None) -> list[str]:
    placed = order(
        id="O-1",
        customer_id=OWNER_ID,
        lines=tuple(OrderLine(OrderLineSpec(code)) for code in codes),
        placed_at=ORDERED_AT,
    )
    context = attrs.evolve(CONTEXT, options=())  # the stored plan's terms price the order
    _, made = billing.place_order(placed, context, OWNER, subscription=subscription)
    return [service.id for service in made]


def test_each_service_is_provisioned_by_the_module_of_the_provider_that_knows_its_product(
    store: Store,  # noqa: F811
) -> None:
    billing, modules = _billing(store)
    news, sport, fee = _order(billing, "NEWS", "SPORT", "SETUP-FEE")
    for service_id in (news, sport, fee):
        billing.perform(activate, service_id, STAFF)
    billing.perform(suspend, sport, STAFF, SuspensionKind.BY_ADMINISTRATOR)
    assert modules["NAGRA"].calls == [("create", news, "")]
    assert modules["IRDETO"].calls == [("create", sport, ""), ("suspend", sport, "")]
    assert modules["host"].calls == []  # SETUP-FEE's type is not provisionable
    assert billing.service(news, STAFF).status.status is Status.ACTIVE


def test_a_product_no_provider_knows_is_provisioned_by_the_hosts_module(
    store: Store,  # noqa: F811
) -> None:
    billing, modules = _billing(store)
    (movies,) = _order(billing, "MOVIES")  # a channel without provider ids
    billing.perform(activate, movies, STAFF)
    assert modules["host"].calls == [("create", movies, "")]
    assert modules["NAGRA"].calls == modules["IRDETO"].calls == []


def test_an_order_for_a_subscription_type_needs_one_of_its_providers_for_each_product(
    store: Store,  # noqa: F811
) -> None:
    billing, _ = _billing(store)
    with pytest.raises(RuleViolation, match="IRDETO") as raised:
        _order(billing, "NEWS", "SPORT", subscription="TV")  # only Irdeto knows SPORT
    assert raised.value.rule == "subscription.provider"
    with store.transaction(readonly=True) as uow:
        assert uow.orders.for_customer(OWNER_ID) == []
    assert len(_order(billing, "NEWS", subscription="TV")) == 1


def test_a_product_two_providers_with_modules_know_is_refused_not_guessed(
    store: Store,  # noqa: F811
) -> None:
    billing, modules = _billing(store)
    (world,) = _order(billing, "WORLD")
    with pytest.raises(RuleViolation) as raised:
        billing.perform(activate, world, STAFF)
    assert raised.value.rule == "provisioning.provider"
    assert billing.service(world, STAFF).status.status is Status.PENDING
    assert modules["NAGRA"].calls == modules["IRDETO"].calls == []


@pytest.mark.parametrize("modules", [["NAGRA"], {"NAGRA": "a module"}, {1: FakeModule()}])
def test_modules_map_provider_codes_to_provisioning_modules(
    store: Store,  # noqa: F811
    modules: object,
) -> None:
    with pytest.raises(ValidationError, match="provider"):
        Billing(store, clock=FixedClock(ORDERED_AT), modules=modules)  # type: ignore[arg-type]


# --- usage services provided on request ------------------------------------------------------


def _watching(billing: Billing) -> str:
    """The owner's NEWS subscription, activated (its first month invoiced at the order)."""
    (news,) = _order(billing, "NEWS")
    billing.perform(activate, news, STAFF)
    assert isinstance(billing.clock, FixedClock)
    billing.clock.set(EVENING + timedelta(minutes=5))  # asked for while the film starts
    return news


def _film(reference: str = "film-1", customer: str = OWNER_ID) -> UsageRecord:
    return UsageRecord("FILM", 1, "view", EVENING, customer, reference=reference)


def test_a_film_on_demand_is_provided_by_its_provider_and_billed_on_the_subscription(
    store: Store,  # noqa: F811
) -> None:
    billing, modules = _billing(store)
    news = _watching(billing)
    done = billing.provide_usage(news, _film(), VOD, OWNER)
    assert modules["NAGRA"].calls[-1] == ("provide", news, "vod-42")
    assert [(line.subject, line.amount) for line in done.lines] == [("FILM/film-1", usd("3.99"))]
    assert EventKind.USAGE_PROVIDED in done.kinds()
    totals = [i.total for i in billing.invoices(InvoiceQuery(service_id=news), STAFF)]
    assert totals == [usd("4.00"), usd("3.99")]  # the month ordered, then the film


def test_a_film_the_provider_refuses_is_neither_provided_nor_billed(
    store: Store,  # noqa: F811
) -> None:
    billing, modules = _billing(store)
    news = _watching(billing)
    before = billing.service(news, STAFF)
    modules["NAGRA"].answers = [ModuleResult.failed("no such title")]
    with pytest.raises(ModuleFailed, match="no such title"):
        billing.provide_usage(news, _film(), VOD, OWNER)
    assert billing.service(news, STAFF) == before
    assert len(billing.invoices(InvoiceQuery(service_id=news), STAFF)) == 1


@pytest.mark.parametrize(
    ("record", "rule"),
    [
        (UsageRecord("NEWS", 1, "view", EVENING, OWNER_ID), "usage.product"),
        (UsageRecord("FILM", 1, "view", EVENING, "CUST-OTHER-9"), "usage.customer"),
    ],
)
def test_only_a_usage_service_of_the_subscriptions_customer_is_provided(
    store: Store,  # noqa: F811
    record: UsageRecord,
    rule: str,
) -> None:
    billing, modules = _billing(store)
    news = _watching(billing)
    with pytest.raises(RuleViolation) as raised:
        billing.provide_usage(news, record, VOD, STAFF)
    assert raised.value.rule == rule
    assert [call[0] for call in modules["NAGRA"].calls] == ["create"]


def test_a_usage_record_is_provided_once(store: Store) -> None:  # noqa: F811
    billing, _ = _billing(store)
    news = _watching(billing)
    billing.provide_usage(news, _film("film-1"), VOD, OWNER)
    with pytest.raises(RuleViolation) as raised:
        billing.provide_usage(news, _film("film-1"), VOD, OWNER)
    assert raised.value.rule == "usage.provided"
    billing.provide_usage(news, _film("film-2"), VOD, OWNER)  # another view, another record
    assert len(billing.invoices(InvoiceQuery(service_id=news), STAFF)) == 3
