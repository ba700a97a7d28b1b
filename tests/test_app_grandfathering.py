"""Services record what they were sold under, and move to new prices as the catalog says
(issue 16, item 6), on every store.

A service keeps the price it was sold at (grandfathering) until a later catalog version's
``existing_move_on``; from then its next renewal is invoiced at the plan's price, with an
event. The prices below are this test's own price plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from prodlife import ANNUAL, MONTHLY, FixedClock, OrderLineSpec
from prodlife.app import Billing
from prodlife.catalog import CatalogVersion, Validity
from prodlife.lifecycle import EventKind, Service, SoldUnder
from prodlife.ports import ServiceQuery, Store
from prodlife.pricing import PlanRate, PricePlan, PricingContext, Rate
from prodlife.pricing.recurring import RecurringPrice
from tests._lifecycle import OWNER, STAFF, web
from tests._support import d, usd
from tests.stores._postgresql import opened_store
from tests.test_app_policy import CATALOG, buy

#: WEB BASIC costs 10.00 a month until June 2025, 12.00 from then on; 100.00 a year.
PLAN = PricePlan(
    "STD",
    "Standard",
    "USD",
    [
        PlanRate(
            "WEB",
            MONTHLY,
            Rate.flat(usd("10.00")),
            edition="BASIC",
            validity=Validity(end=d("2025-06-01")),
        ),
        PlanRate(
            "WEB",
            MONTHLY,
            Rate.flat(usd("12.00")),
            edition="BASIC",
            validity=Validity(start=d("2025-06-01")),
        ),
        PlanRate("WEB", ANNUAL, Rate.flat(usd("100.00")), edition="BASIC"),
    ],
)
FIRST = CatalogVersion("2025", d("2025-01-01"), CATALOG)
#: The June version: new customers pay its prices at once, existing ones from July 1.
JUNE = CatalogVersion("2025-06", d("2025-06-01"), CATALOG, existing_move_on=d("2025-07-01"))
SOLD = SoldUnder("2025", "STD", "WEB", "BASIC", MONTHLY)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store; PostgreSQL in a schema of the test's own (skipped without a server)."""
    with opened_store(request.param, tmp_path) as opened:
        with opened.transaction() as uow:
            uow.catalog.add_version(FIRST)
            uow.catalog.add_version(JUNE)
            uow.price_plans.add(PLAN)
            uow.commit()
        yield opened


def at(day: str) -> datetime:
    return datetime.combine(d(day), datetime.min.time(), UTC).replace(hour=12)


def sold(key: str, due: str, **changes: Any) -> Service:
    """An active WEB BASIC service sold at 10.00 under version 2025, paid until ``due``."""
    values: dict[str, Any] = {
        "id": key,
        "next_due": d(due),
        "paid_through": d(due) - timedelta(days=1),
        "sold_under": SOLD,
    }
    values.update(changes)
    return web(**values)


def lines_of(app: Billing, key: str) -> list[tuple[str, str]]:
    """The service's invoice lines: (period, amount)."""
    with app.store.transaction(readonly=True) as uow:
        issued = uow.invoice_lines.for_service(key)
    return [(str(i.line.proration.period), str(i.line.amount)) for i in issued]  # type: ignore[union-attr]


def kinds(app: Billing, key: str) -> list[EventKind]:
    with app.store.transaction(readonly=True) as uow:
        return [item.event.kind for item in uow.events.for_service(key)]


def test_an_ordered_service_records_the_catalog_version_and_plan_row_it_was_sold_under(
    store: Store,
) -> None:
    app = Billing(store, clock=FixedClock(at("2025-06-10")))
    context = PricingContext(PLAN, d("2025-06-10"))
    order = buy(OrderLineSpec("WEB", edition="BASIC"), placed_at=at("2025-06-10"))
    _, (service,) = app.place_order(order, context, OWNER)
    expected = SoldUnder("2025-06", "STD", "WEB", "BASIC", MONTHLY, d("2025-06-01"))
    assert service.sold_under == expected
    assert service.price.amount == usd("12.00")  # a new customer pays the June price at once
    (stored,) = app.services(ServiceQuery(), OWNER)
    assert stored.sold_under == expected


def test_a_service_keeps_its_price_until_the_version_moves_existing_customers(
    store: Store,
) -> None:
    app = Billing(store, clock=FixedClock(at("2025-06-01")))
    app.add_services([sold("S-JUNE", "2025-06-01")])
    app.run_due()
    # June's version is in force, but existing services move only from July 1.
    assert lines_of(app, "S-JUNE") == [("[2025-06-01, 2025-07-01)", "USD 10.00")]
    (service,) = app.services(ServiceQuery(), OWNER)
    assert service.sold_under == SOLD
    assert EventKind.PRICE_MOVED not in kinds(app, "S-JUNE")


def test_a_service_moves_to_the_new_price_at_its_renewal_with_an_event(store: Store) -> None:
    app = Billing(store, clock=FixedClock(at("2025-07-01")))
    app.add_services([sold("S-JULY", "2025-07-01")])
    app.run_due()
    assert lines_of(app, "S-JULY") == [("[2025-07-01, 2025-08-01)", "USD 12.00")]
    (service,) = app.services(ServiceQuery(), OWNER)
    assert service.price == RecurringPrice(usd("12.00"), override=False)
    assert service.sold_under == SoldUnder(
        "2025-06", "STD", "WEB", "BASIC", MONTHLY, d("2025-06-01")
    )
    assert EventKind.PRICE_MOVED in kinds(app, "S-JULY")
    app.run_due()  # again: moved once
    assert kinds(app, "S-JULY").count(EventKind.PRICE_MOVED) == 1
    assert len(lines_of(app, "S-JULY")) == 1


def test_a_renewal_by_hand_moves_the_price_as_the_schedulers_does(store: Store) -> None:
    from prodlife.lifecycle import renew

    app = Billing(store, clock=FixedClock(at("2025-06-20")))
    app.add_services([sold("S-HAND", "2025-07-01"), sold("S-EARLY", "2025-06-15")])
    app.perform(renew, "S-HAND", STAFF, periods=2)  # July and August, after the move
    assert lines_of(app, "S-HAND") == [
        ("[2025-07-01, 2025-08-01)", "USD 12.00"),
        ("[2025-08-01, 2025-09-01)", "USD 12.00"),
    ]
    moved = app.service("S-HAND", STAFF)
    assert moved.price == RecurringPrice(usd("12.00"), override=False)
    assert moved.sold_under is not None and moved.sold_under.catalog_version == "2025-06"
    assert EventKind.PRICE_MOVED in kinds(app, "S-HAND")
    app.perform(renew, "S-EARLY", STAFF)  # renews on June 15, before existing customers move
    assert lines_of(app, "S-EARLY") == [("[2025-06-15, 2025-07-15)", "USD 10.00")]
    assert EventKind.PRICE_MOVED not in kinds(app, "S-EARLY")


def test_a_price_set_by_hand_is_kept_when_the_version_moves(store: Store) -> None:
    app = Billing(store, clock=FixedClock(at("2025-07-01")))
    special = RecurringPrice.at_order(usd("10.00"), override=usd("7.00"))
    app.add_services([sold("S-SPECIAL", "2025-07-01", price=special)])
    app.run_due()
    assert lines_of(app, "S-SPECIAL") == [("[2025-07-01, 2025-08-01)", "USD 7.00")]
    (service,) = app.services(ServiceQuery(), OWNER)
    assert service.price == special
    assert service.sold_under is not None and service.sold_under.catalog_version == "2025-06"


def test_a_service_sold_under_nothing_keeps_its_price(store: Store) -> None:
    app = Billing(store, clock=FixedClock(at("2025-07-01")))
    app.add_services([sold("S-OLD", "2025-07-01", sold_under=None)])
    app.run_due()
    assert lines_of(app, "S-OLD") == [("[2025-07-01, 2025-08-01)", "USD 10.00")]


def test_a_service_ending_at_its_renewal_does_not_move(store: Store) -> None:
    app = Billing(store, clock=FixedClock(at("2025-07-01")))
    app.add_services([attrs.evolve(sold("S-END", "2025-07-01"), auto_renew=False)])
    app.run_due()
    (service,) = app.services(ServiceQuery(), OWNER)
    assert service.sold_under == SOLD
    assert EventKind.PRICE_MOVED not in kinds(app, "S-END")


def test_a_package_changed_from_the_plan_is_recorded_as_sold_under_the_version_in_force(
    store: Store,
) -> None:
    app = Billing(store, clock=FixedClock(at("2025-06-10")))
    app.add_services([sold("S-UP", "2025-07-01")])
    changed = app.change_package("S-UP", STAFF, price_plan="STD", to_cycle=ANNUAL)
    assert changed.service.sold_under == SoldUnder("2025-06", "STD", "WEB", "BASIC", ANNUAL)
    assert changed.service.price.amount == usd("100.00")
