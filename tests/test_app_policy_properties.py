"""Random use-case calls by random actors: none changes money or state the policy forbids.

Each example replays a few calls of ``Billing`` (orders, package changes, add-ons, mass
updates, lifecycle operations through ``perform``, with prices given or not) by customers,
staff holding any set of permissions, and the system, on a memory store. After each call:

- a refused call left the store exactly as it was;
- a customer changed nothing of another customer's, and staff without any permission
  changed nothing at all;
- nobody but staff holding ``prices: set`` brought a recurring price onto any timeline that
  is neither the price plan's nor one the store held already;
- nobody but staff holding ``customer products: view`` read a service it does not own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlife import ANNUAL, MONTHLY, FixedClock, Money, OrderLineSpec
from prodlife.app import Billing
from prodlife.errors import ProdlifeError
from prodlife.lifecycle import (
    Actor,
    ActorKind,
    MassUpdate,
    Permission,
    Service,
    ServiceAddOn,
    SuspensionKind,
    add_addon,
    cancel,
    change_package,
    delete,
    reboot,
    suspend,
    unsuspend,
)
from prodlife.lifecycle.status import ORDERED
from prodlife.ports import ServiceQuery, Store
from prodlife.pricing.recurring import RecurringPrice
from prodlife.stores import open_store
from tests._lifecycle import OWNER_ID, STRANGER_ID, sell, web
from tests._support import d
from tests.test_app_policy import CATALOG, CONTEXT, PLAN, buy

NOW = datetime(2025, 4, 20, 12, tzinfo=UTC)
IDS = ("MINE", "THEIRS")
PLAN_PRICES = {row.charge(1).total for row in PLAN.rates}

actors = st.one_of(
    st.just(Actor.customer(OWNER_ID)),
    st.sampled_from([Actor.customer(STRANGER_ID), Actor.system()]),
    st.frozensets(st.sampled_from(list(Permission))).map(lambda held: Actor.staff("x", held)),
)
prices = st.decimals(0, 500, places=2).map(lambda amount: Money(amount, "USD"))
service_ids = st.sampled_from(IDS)
Call = Callable[[Billing, Actor], object]


def _calls() -> st.SearchStrategy[tuple[str, Call]]:
    addon = st.builds(
        lambda price: ServiceAddOn(
            "BACKUP", MONTHLY, d("2025-04-20"), d("2025-05-20"), ORDERED, price=price
        ),
        st.none() | prices.map(lambda m: RecurringPrice(m, False)),
    )
    editions = st.sampled_from(["BASIC", "PRO", "PREMIUM", "GOLD"])
    kinds = st.sampled_from(list(SuspensionKind))
    update = st.builds(
        MassUpdate,
        price=st.none() | prices,
        cycle=st.none() | st.sampled_from([MONTHLY, ANNUAL]),
        payment_method=st.none() | st.just("bank"),
        override_auto_suspend=st.none(),
    )
    return st.one_of(
        st.tuples(st.just("view"), service_ids.map(lambda k: lambda b, a: b.service(k, a))),
        st.tuples(st.just("list"), st.just(lambda b, a: b.services(ServiceQuery(), a))),
        st.tuples(
            st.just("change package from the plan"),
            st.tuples(service_ids, editions).map(
                lambda x: lambda b, a: b.change_package(x[0], a, price_plan="STD", to_edition=x[1])
            ),
        ),
        st.tuples(
            st.just("change package at a price"),
            st.tuples(service_ids, editions, prices).map(
                lambda x: (
                    lambda b, a: b.change_package(
                        x[0], a, new_price=x[2], to_edition=x[1], reason="by hand"
                    )
                )
            ),
        ),
        st.tuples(
            st.just("perform change_package"),
            st.tuples(service_ids, editions, prices).map(
                lambda x: (
                    lambda b, a: b.perform(
                        change_package,
                        x[0],
                        a,
                        catalog=CATALOG,
                        new_price=x[2],
                        to_edition=x[1],
                        reason="by hand",
                    )
                )
            ),
        ),
        st.tuples(
            st.just("add-on from the plan"),
            service_ids.map(lambda k: lambda b, a: b.add_addon(k, a, "BACKUP", price_plan="STD")),
        ),
        st.tuples(
            st.just("perform add_addon"),
            st.tuples(service_ids, addon).map(
                lambda x: lambda b, a: b.perform(add_addon, x[0], a, x[1], reason="by hand")
            ),
        ),
        st.tuples(
            st.just("mass update"),
            st.tuples(st.lists(service_ids, min_size=1, max_size=2, unique=True), update).map(
                lambda x: lambda b, a: b.mass_update(x[0], a, x[1], price_plan="STD")
            ),
        ),
        st.tuples(
            st.just("order"),
            st.tuples(editions, st.none() | prices, st.integers(1, 99)).map(
                lambda x: (
                    lambda b, a: b.place_order(
                        buy(
                            OrderLineSpec("WEB", edition=x[0], price_override=x[1]),
                            id=f"O-{x[2]}",
                            customer_id=a.customer_id or OWNER_ID,
                        ),
                        CONTEXT,
                        a,
                        reason="by hand",
                    )
                )
            ),
        ),
        st.tuples(
            st.just("operation"),
            st.tuples(
                service_ids,
                st.sampled_from([reboot, unsuspend, cancel, delete]),
            ).map(lambda x: lambda b, a: b.perform(x[1], x[0], a)),
        ),
        st.tuples(
            st.just("suspend"),
            st.tuples(service_ids, kinds).map(
                lambda x: lambda b, a: b.perform(suspend, x[0], a, x[1])
            ),
        ),
    )


def _state(store: Store) -> tuple[Any, ...]:
    with store.transaction(readonly=True) as uow:
        services = uow.services.find(ServiceQuery())
        return (
            {s.id: s for s in services},
            [uow.invoice_lines.for_customer(c) for c in (OWNER_ID, STRANGER_ID)],
            [uow.orders.for_customer(c) for c in (OWNER_ID, STRANGER_ID)],
        )


def _rate_amounts(services: dict[str, Any]) -> set[Money]:
    return {
        rate.amount
        for service in services.values()
        for track in service.timeline.tracks
        for rate in track.rates
    } | {service.price.amount for service in services.values()}


def _app() -> Billing:
    store = open_store("memory:")
    sell(store, CATALOG, PLAN)
    app = Billing(store, clock=FixedClock(NOW))
    app.add_services([web(id="MINE"), web(id="THEIRS", customer_id=STRANGER_ID)])
    app.place_order(
        buy(OrderLineSpec("WEB", edition="BASIC"), id="O-0"), CONTEXT, Actor.customer(OWNER_ID)
    )
    return app


def _may_set_prices(actor: Actor) -> bool:
    return actor.kind is ActorKind.STAFF and Permission.SET_PRICES in actor.permissions


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.tuples(actors, _calls()), min_size=1, max_size=8))
def test_no_call_by_any_actor_changes_what_the_policy_forbids(
    steps: list[tuple[Actor, tuple[str, Call]]],
) -> None:
    app = _app()
    for actor, (name, call) in steps:
        before = _state(app.store)
        try:
            answer = call(app, actor)
        except ProdlifeError:
            assert _state(app.store) == before, f"refused {name} by {actor} left changes"
            continue
        after = _state(app.store)
        changed = {k for k in after[0] if before[0].get(k) != after[0][k]}
        if actor.kind is ActorKind.CUSTOMER:
            assert all(after[0][k].customer_id == actor.customer_id for k in changed), name
            if name in ("view", "list"):
                seen = answer if isinstance(answer, list) else [answer]
                assert all(
                    isinstance(s, Service) and s.customer_id == actor.customer_id for s in seen
                ), name
        if actor.kind is ActorKind.STAFF and not actor.permissions:
            assert after == before, f"{name} by staff without permissions changed the store"
        if actor.kind is ActorKind.STAFF and name in ("view", "list"):
            assert Permission.VIEW_CUSTOMER_PRODUCTS in actor.permissions
        if not _may_set_prices(actor):
            new = _rate_amounts(after[0]) - _rate_amounts(before[0]) - PLAN_PRICES
            assert not new, f"{name} by {actor} brought prices {new} the plan does not have"
