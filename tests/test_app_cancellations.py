"""Seed 003's cancellation requests and domains, through ``Billing``, on every store.

- Staff list the open cancellation requests with their reasons, oldest first; a
  withdrawn or carried-out request leaves the list (issue 22, item 7).
- A domain line of an order becomes a domain service: listed with its TLD,
  registration and expiry dates, auto-renew and status, billed at the TLD
  table's prices (registration, then renewal); requesting the cancellation of
  the service it serves may turn its auto-renew off in the same transaction,
  and the scheduler then ends it on its expiry date (issue 22, item 1).

The prices are the test's own TLD table (com: 12.00 to register, 14.00 to renew).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest

from prodlife.app import Billing
from prodlife.catalog import CatalogVersion, TldPrice
from prodlife.errors import NotFound, PermissionDenied
from prodlife.lifecycle import (
    ORDERED,
    Actor,
    CancellationKind,
    DomainAction,
    DomainHolding,
    DomainLine,
    OrderLine,
    activate,
    request_cancellation,
    withdraw_cancellation,
)
from prodlife.lifecycle.status import Status
from prodlife.ports import InvoiceQuery, ServiceQuery, Store
from prodlife.pricing import OrderLineSpec
from tests._lifecycle import OWNER, OWNER_ID, STAFF, STRANGER, STRANGER_ID, offer_terms, web
from tests._support import usd
from tests.test_app_invoices import ORDERED_AT, _web_shop, app, store  # noqa: F401 - fixture
from tests.test_lifecycle_orders import CONTEXT, order

COM = TldPrice("com", 1, usd("12.00"), renew=usd("14.00"))


def _with_tld_prices(billing: Billing) -> None:
    """A catalog version in force from mid-2024 whose TLD table prices .com."""
    stored = billing.catalog(ORDERED_AT.date()).catalog
    priced = attrs.evolve(stored, tld_prices=(COM,))
    billing.add_catalog_version(CatalogVersion("TLD", date(2024, 6, 1), priced))


def _order(billing: Billing, *lines: OrderLine) -> tuple[str, ...]:
    """Order the given product lines and a registration of example.com for the owner."""
    placed = order(
        id="O-1",
        customer_id=OWNER_ID,
        lines=lines,
        domains=(DomainLine("example.com", DomainAction.REGISTER),),
        placed_at=ORDERED_AT,
    )
    _, made = billing.place_order(placed, CONTEXT, OWNER)
    return tuple(service.id for service in made)


# --- the list of open cancellation requests (item 7) -----------------------------------------


def test_staff_list_open_cancellation_requests_with_reasons_oldest_first(
    store: Store,  # noqa: F811
) -> None:
    billing, clock = _web_shop(store)
    billing.add_services(
        [web(id=f"S-{n}") for n in (2, 3, 4)] + [web(id="S-9", customer_id=STRANGER_ID)]
    )
    asked = [
        ("S-3", OWNER, CancellationKind.END_OF_PERIOD, "too dear", 9),
        ("S-9", STRANGER, CancellationKind.END_OF_PERIOD, "moving away", 10),
        ("S-2", STAFF, CancellationKind.IMMEDIATE, "fraud", 11),
        ("S-4", OWNER, CancellationKind.END_OF_PERIOD, "changed my mind", 12),
    ]
    for service_id, actor, kind, reason, hour in asked:
        clock.set(datetime(2025, 4, 20, hour, tzinfo=UTC))
        billing.perform(request_cancellation, service_id, actor, kind, reason)
    billing.perform(withdraw_cancellation, "S-4", OWNER)  # withdrawn: no longer open
    listed = billing.cancellation_requests(STAFF)
    assert [(s.id, s.cancellation.reason) for s in listed if s.cancellation] == [
        ("S-3", "too dear"),
        ("S-9", "moving away"),
        ("S-2", "fraud"),
    ]
    mine = billing.cancellation_requests(OWNER, customer_id=OWNER_ID)
    assert [s.id for s in mine] == ["S-3", "S-2"]
    # The scheduler carries out the immediate one: it leaves the open requests.
    clock.set(datetime(2025, 4, 21, 6, tzinfo=UTC))
    billing.run_due()
    assert billing.service("S-2", STAFF).status.status is Status.CANCELLED
    assert [s.id for s in billing.cancellation_requests(STAFF)] == ["S-3", "S-9"]
    with store.transaction(readonly=True) as uow:
        assert uow.services.count(ServiceQuery(cancellation_pending=True)) == 2
        assert uow.services.count(ServiceQuery(cancellation_pending=False)) == 3


def test_only_staff_who_view_services_list_everyones_cancellation_requests(
    store: Store,  # noqa: F811
) -> None:
    billing, _ = _web_shop(store)
    with pytest.raises(PermissionDenied):
        billing.cancellation_requests(OWNER)  # a customer, for everyone
    with pytest.raises(PermissionDenied):
        billing.cancellation_requests(OWNER, customer_id=STRANGER_ID)
    with pytest.raises(PermissionDenied):
        billing.cancellation_requests(Actor.staff("bob"))
    assert billing.cancellation_requests(STAFF) == []


# --- domains (item 1) ------------------------------------------------------------------------


def test_an_ordered_domain_is_a_service_listed_with_its_tld_dates_and_auto_renew(
    store: Store,  # noqa: F811
) -> None:
    billing, _ = app(store)
    _with_tld_prices(billing)
    vps, domain = _order(billing, OrderLine(OrderLineSpec("VPS"), domain="example.com"))
    held = DomainHolding(
        domain, OWNER_ID, "example.com", "com", date(2025, 2, 1), date(2026, 2, 1), True, ORDERED
    )
    assert billing.domains(OWNER_ID, OWNER) == [held]
    assert billing.domains(OWNER_ID, STAFF) == [held]
    with pytest.raises(PermissionDenied):
        billing.domains(OWNER_ID, STRANGER)
    # Stored and queried like every service; billed with the order, on its own service.
    found = billing.services(ServiceQuery(customer_id=OWNER_ID, product_code="DOMAIN"), STAFF)
    assert [s.id for s in found] == [domain]
    (invoice,) = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    assert invoice.total == usd("27.00")  # the VPS's month (15.00) and the domain's year
    assert set(invoice.service_ids) == {vps, domain}
    assert billing.renewing_domain(vps, OWNER) == held


def test_a_domain_ordered_alone_renews_at_the_tld_renewal_price_on_its_expiry(
    store: Store,  # noqa: F811
) -> None:
    billing, clock = app(store)
    _with_tld_prices(billing)
    (domain,) = _order(billing)
    (first,) = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    assert first.total == usd("12.00") and first.service_ids == (domain,)
    billing.record_payment(OWNER_ID, usd("12.00"), STAFF, reference="reg", method="card")
    billing.perform(activate, domain, STAFF)
    clock.set(datetime(2026, 2, 1, 6, tzinfo=UTC))
    billing.run_due()
    renewal = billing.invoices(InvoiceQuery(customer_id=OWNER_ID, unpaid=True), STAFF)
    assert [(i.total, i.due_on) for i in renewal] == [(usd("14.00"), date(2026, 2, 1))]


def test_cancelling_a_service_turns_off_its_domains_auto_renew_in_the_same_transaction(
    store: Store,  # noqa: F811
) -> None:
    billing, clock = app(store)
    _with_tld_prices(billing)
    vps, domain = _order(billing, OrderLine(OrderLineSpec("VPS"), domain="example.com"))
    billing.record_payment(OWNER_ID, usd("27.00"), STAFF, reference="order", method="card")
    billing.perform(activate, vps, STAFF)
    billing.perform(activate, domain, STAFF)
    asked, stopped = billing.request_cancellation(
        vps, OWNER, CancellationKind.END_OF_PERIOD, "moving away", stop_domain_renewal=True
    )
    assert asked.service.cancellation is not None and not stopped.service.auto_renew
    (held,) = billing.domains(OWNER_ID, OWNER)
    assert not held.auto_renew and held.expires_on == date(2026, 2, 1)
    assert billing.renewing_domain(vps, OWNER) is None  # nothing left to offer
    assert [s.id for s in billing.cancellation_requests(STAFF)] == [vps]
    # On its expiry the scheduler ends the domain instead of invoicing another year.
    clock.set(datetime(2026, 2, 1, 6, tzinfo=UTC))
    billing.run_due()
    (ended,) = billing.domains(OWNER_ID, STAFF)
    assert ended.status.status is Status.TERMINATED and not ended.auto_renew
    (only,) = billing.invoices(InvoiceQuery(service_id=domain), STAFF)  # the order's
    assert only.total == usd("27.00") and only.due_on == date(2025, 2, 1)


def test_stopping_a_domain_that_is_not_there_saves_nothing(store: Store) -> None:  # noqa: F811
    billing, _ = app(store)
    _with_tld_prices(billing)
    (vps, _domain) = _order(billing, OrderLine(OrderLineSpec("VPS"), domain="other.com"))
    billing.perform(activate, vps, STAFF)
    with pytest.raises(NotFound, match=r"holds no live domain other\.com"):
        billing.request_cancellation(
            vps, OWNER, CancellationKind.END_OF_PERIOD, "bye", stop_domain_renewal=True
        )
    assert billing.service(vps, OWNER).cancellation is None
    assert billing.cancellation_requests(STAFF) == []
    # Without the option the request alone is made, and the domain keeps renewing.
    (asked,) = billing.request_cancellation(vps, OWNER, CancellationKind.END_OF_PERIOD, "bye")
    assert asked.service.cancellation is not None
    assert [d.auto_renew for d in billing.domains(OWNER_ID, OWNER)] == [True]


def test_a_customer_turns_a_domains_auto_renew_off_and_on(store: Store) -> None:  # noqa: F811
    from prodlife.lifecycle import set_auto_renew

    billing, _ = app(store)
    _with_tld_prices(billing)
    (domain,) = _order(billing)
    billing.perform(set_auto_renew, domain, OWNER, False)
    assert [d.auto_renew for d in billing.domains(OWNER_ID, OWNER)] == [False]
    billing.perform(set_auto_renew, domain, OWNER, True)
    assert [d.auto_renew for d in billing.domains(OWNER_ID, OWNER)] == [True]
    history = billing.history(domain, STAFF).entries
    assert [entry.details for entry in history[-2:]] == ["auto-renew off", "auto-renew on"]


def test_a_domain_ordered_under_a_billing_term_scheme_keeps_its_own_terms(
    store: Store,  # noqa: F811
) -> None:
    from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme, BillingTiming

    billing, _ = app(store)
    _with_tld_prices(billing)
    scheme = BillingTermScheme(
        "POST", "Post-bill", prepaid=False, terms=[BillingTerm("VPS", BillingTiming.IN_ARREARS)]
    )
    placed = order(
        id="O-1",
        customer_id=OWNER_ID,
        lines=(OrderLine(OrderLineSpec("VPS")),),
        domains=(DomainLine("example.com", DomainAction.REGISTER),),
        placed_at=ORDERED_AT,
    )
    offer_terms(store, schemes=[scheme])
    _, (vps, domain) = billing.place_order(placed, CONTEXT, OWNER, scheme="POST")
    assert vps.billing_timing is BillingTiming.IN_ARREARS
    assert domain.billing_timing is BillingTiming.IN_ADVANCE and domain.domain == "example.com"
