"""Abuse limits (seed 002): a per-product limit on a counted resource; reaching it suspends
the service for abuse, and only staff lift that suspension."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock
from prodlife.app import Billing
from prodlife.catalog import (
    AbuseLimit,
    Catalog,
    CatalogVersion,
    Classification,
    Product,
    ProductType,
    ServiceKind,
    catalog_from_data,
    catalog_to_data,
)
from prodlife.errors import InvalidCatalog, PermissionDenied, RuleViolation, ValidationError
from prodlife.lifecycle import (
    EventKind,
    Status,
    SuspensionKind,
    enforce_abuse_limits,
    unsuspend,
    usage_within,
)
from prodlife.lifecycle.actors import Actor
from prodlife.ports import Store
from prodlife.pricing import UsageRecord
from tests._lifecycle import OWNER, OWNER_ID, STAFF, web
from tests.test_app import make_every_store  # noqa: F401 (a fixture: each store in turn)

NOW = datetime(2025, 4, 20, 12, tzinfo=UTC)
SYSTEM = Actor.system()
MAIL = AbuseLimit("WEB", "SMTP-SENT", 1000, window_days=1)


def sent(quantity: int, hours_ago: float, customer: str = OWNER_ID) -> UsageRecord:
    return UsageRecord("SMTP-SENT", quantity, "message", NOW - timedelta(hours=hours_ago), customer)


def test_reaching_the_limit_suspends_the_service_for_abuse() -> None:
    outcome = enforce_abuse_limits(web(), SYSTEM, NOW, [MAIL], [sent(600, 2), sent(400, 1)])
    status = outcome.service.status
    assert (status.status, status.substate) == (Status.SUSPENDED, SuspensionKind.FOR_ABUSE)
    assert EventKind.SUSPENDED in [e.kind for e in outcome.events]
    assert "abuse limit reached: 1000 of SMTP-SENT" in outcome.service.history.entries[-1].reason


def test_usage_below_the_limit_changes_nothing() -> None:
    service = web()
    outcome = enforce_abuse_limits(service, SYSTEM, NOW, [MAIL], [sent(999, 1)])
    assert outcome.service == service and outcome.events == ()


def test_only_the_window_the_customer_and_the_resource_count() -> None:
    records = [
        sent(900, 25),  # before the one-day window
        sent(900, 1, customer="C-OTHER"),
        UsageRecord("DISK-GB", 5000, "GB", NOW, OWNER_ID),
        sent(100, 0),  # at the instant checked: counts
    ]
    assert usage_within(web(), MAIL, records, NOW) == Decimal(100)


def test_a_service_not_active_is_left_as_it_is() -> None:
    suspended = enforce_abuse_limits(web(), SYSTEM, NOW, [MAIL], [sent(5000, 1)]).service
    again = enforce_abuse_limits(suspended, SYSTEM, NOW, [MAIL], [sent(5000, 1)])
    assert again.service == suspended and again.events == ()


def test_only_staff_lift_an_abuse_suspension() -> None:
    suspended = enforce_abuse_limits(web(), SYSTEM, NOW, [MAIL], [sent(5000, 1)]).service
    with pytest.raises(PermissionDenied):
        unsuspend(suspended, OWNER, NOW + timedelta(hours=1))
    lifted = unsuspend(suspended, STAFF, NOW + timedelta(hours=1))
    assert lifted.service.status.status is Status.ACTIVE


def test_a_customer_cannot_run_the_abuse_check() -> None:
    with pytest.raises(PermissionDenied):
        enforce_abuse_limits(web(), OWNER, NOW, [MAIL], [sent(5000, 1)])


def test_a_limit_of_another_product_is_refused() -> None:
    with pytest.raises(ValidationError, match="abuse_limits_for"):
        enforce_abuse_limits(web(), SYSTEM, NOW, [AbuseLimit("VPS", "SMTP-SENT", 1)], [])


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"limit": 0}, "abuse.limit"),
        ({"limit": "-5"}, "abuse.limit"),
        ({"limit": 1.5}, "abuse.limit"),
        ({"limit": 10, "window_days": 0}, "abuse.window"),
        ({"limit": 10, "window_days": 367}, "abuse.window"),
    ],
)
def test_malformed_limits_are_refused(fields: dict[str, object], rule: str) -> None:
    with pytest.raises(RuleViolation) as raised:
        AbuseLimit("WEB", "SMTP-SENT", **fields)  # type: ignore[arg-type]
    assert raised.value.rule == rule


@given(
    st.integers(1, 500),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 72)), max_size=8),
)
def test_the_service_is_suspended_exactly_when_the_window_reaches_the_limit(
    limit: int, usage: list[tuple[int, int]]
) -> None:
    rule = AbuseLimit("WEB", "SMTP-SENT", limit, window_days=1)
    records = [sent(quantity, hours) for quantity, hours in usage]
    in_window = sum(quantity for quantity, hours in usage if hours < 24)
    outcome = enforce_abuse_limits(web(), SYSTEM, NOW, [rule], records)
    suspended = outcome.service.status.status is Status.SUSPENDED
    assert suspended == (in_window >= limit)


def test_abuse_limits_are_kept_in_catalog_files_and_checked_across_the_catalog() -> None:
    kind = ProductType(
        "HOSTING", "Hosting", Classification.SERVICE, service_kind=ServiceKind.TERMED
    )
    catalog = Catalog(
        types=(kind,), products=(Product("WEB", "Web", "HOSTING"),), abuse_limits=(MAIL,)
    )
    data = catalog_to_data(catalog)
    assert data["abuse_limits"] == [
        {"product_code": "WEB", "resource": "SMTP-SENT", "limit": "1000", "window_days": 1}
    ]
    assert catalog_from_data(data) == catalog
    assert catalog.abuse_limits_for("WEB") == (MAIL,)
    with pytest.raises(InvalidCatalog) as raised:
        catalog.add(MAIL, AbuseLimit("VPS", "SMTP-SENT", 5))
    assert sorted(p.rule for p in raised.value.problems) == [
        "catalog.duplicate",
        "catalog.unknown-product",
    ]


def test_billing_suspends_a_stored_service_by_the_catalogs_limits(
    make_every_store: Callable[[], Store],  # noqa: F811
) -> None:
    app = Billing(make_every_store(), clock=FixedClock(NOW))
    kind = ProductType(
        "HOSTING", "Hosting", Classification.SERVICE, service_kind=ServiceKind.TERMED
    )
    catalog = Catalog(
        types=(kind,), products=(Product("WEB", "Web", "HOSTING"),), abuse_limits=(MAIL,)
    )
    app.add_catalog_version(CatalogVersion("v1", date(2025, 1, 1), catalog))
    app.add_services([web()])
    assert app.enforce_abuse_limits(web().id, [sent(10, 1)]).events == ()
    assert app.service(web().id, STAFF).status.status is Status.ACTIVE
    done = app.enforce_abuse_limits(web().id, [sent(10, 1), sent(990, 3)])
    stored = app.service(web().id, STAFF)
    assert stored == done.service.at_rest()
    assert stored.status.substate is SuspensionKind.FOR_ABUSE
