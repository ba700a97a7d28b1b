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

from prodlife import FixedClock
from prodlife.app import Billing
from prodlife.catalog import AbuseLimit, CatalogVersion
from prodlife.lifecycle import CancellationKind, Status, request_cancellation
from prodlife.pricing.usage import UsageRecord
from prodlife.stores import open_store
from tests._lifecycle import OWNER_ID, STAFF, FakeModule, web
from tests._support import d
from tests.test_app_policy import CATALOG, PLAN, plain

NOW = datetime(2025, 4, 20, 12, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'b.db'}"


@pytest.fixture
def app(store_url: str) -> Iterator[Billing]:
    store = open_store(store_url)
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("2025", d("2025-01-01"), CATALOG))
        uow.price_plans.add(PLAN)
        uow.commit()
    yield Billing(store, clock=FixedClock(NOW), module=FakeModule())
    store.close()


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
