"""Fixed terms (seed 003): a product ends its services N days after sign-up; the scheduler
carries it out exactly once, and nothing is billed after the end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock, Money
from prodlife.app import Billing
from prodlife.catalog import (
    Catalog,
    CatalogVersion,
    Classification,
    Product,
    ProductType,
    ServiceKind,
    catalog_from_data,
    catalog_to_data,
)
from prodlife.errors import RuleViolation
from prodlife.lifecycle import (
    DueWork,
    EventKind,
    SchedulerPolicy,
    Status,
    activate,
    agenda,
    fixed_term_end,
    run_due,
    with_fixed_term,
)
from prodlife.ports import Store
from tests._lifecycle import OWNER, OWNER_ID, STAFF
from tests.test_app import NOW, make_every_store  # noqa: F401 (a fixture: each store in turn)
from tests.test_lifecycle_orders import CONTEXT, order
from tests.test_lifecycle_scheduler import at, paid

POLICY = SchedulerPolicy()
USD = "USD"


def test_a_fixed_term_ends_the_service_n_days_after_it_starts() -> None:
    service = with_fixed_term(paid(), 45)
    assert fixed_term_end(service) == date(2025, 2, 15)
    assert (DueWork.FIXED_TERM, date(2025, 2, 15), "") in agenda(service, POLICY)


@pytest.mark.parametrize("days", [0, -1, 36_601, 1.5, True, "30"])
def test_a_fixed_term_is_a_whole_number_of_days(days: object) -> None:
    with pytest.raises(RuleViolation) as raised:
        with_fixed_term(paid(), days)  # type: ignore[arg-type]
    assert raised.value.rule == "service.fixed-term"


def test_a_service_gets_one_fixed_term() -> None:
    with pytest.raises(RuleViolation, match="already ends"):
        with_fixed_term(with_fixed_term(paid(), 30), 60)


def test_the_scheduler_terminates_on_the_last_day_and_only_then() -> None:
    service = with_fixed_term(paid(), 45)
    before = run_due([service], at(date(2025, 2, 14)), POLICY)
    assert all(o.service.status.status is Status.ACTIVE for o in before.outcomes)
    service = before.services[0] if before.outcomes else service
    run = run_due([service], at(date(2025, 2, 15)), POLICY)
    (ended,) = run.services
    assert ended.status.status is Status.TERMINATED
    assert ended.termination_date == date(2025, 2, 15)
    assert [e.kind for e in run.events].count(EventKind.TERMINATED) == 1
    assert fixed_term_end(ended) is None
    assert run_due([ended], at(date(2025, 3, 20)), POLICY).outcomes == ()


def test_the_period_the_end_cuts_is_billed_for_its_days_only() -> None:
    # Paid for January (10.00); February is billed up to the 15th: 14 of its 28 days.
    service = with_fixed_term(paid(), 45)
    run = run_due([service], at(date(2025, 2, 1)), POLICY)
    assert sum((line.amount for line in run.lines), Money.zero(USD)) == Money("5.00", USD)


@given(st.integers(1, 120), st.lists(st.integers(0, 200), min_size=1, max_size=6))
def test_whatever_the_runs_the_service_is_terminated_once_on_its_end(
    days: int, offsets: list[int]
) -> None:
    service = with_fixed_term(paid(), days)
    end = date(2025, 1, 1) + timedelta(days=days)
    terminations = 0
    for offset in sorted(offsets):
        run = run_due([service], at(date(2025, 1, 1) + timedelta(days=offset)), POLICY)
        for outcome in run.outcomes:
            service = outcome.service
        terminations += [e.kind for e in run.events].count(EventKind.TERMINATED)
        for line in run.lines:
            if line.proration is not None and not line.reverses:
                assert line.proration.portion.end <= end  # nothing billed past the end
    assert terminations == (1 if max(offsets) >= days else 0)
    if terminations:
        assert service.termination_date == end


def test_the_fixed_term_is_kept_in_catalog_files() -> None:
    kind = ProductType("PASS", "Pass", Classification.SERVICE, service_kind=ServiceKind.TERMED)
    catalog = Catalog(types=(kind,), products=(Product("VPS", "VPS", "PASS", fixed_term_days=45),))
    data = catalog_to_data(catalog)
    assert data["products"][0]["fixed_term_days"] == 45
    assert catalog_from_data(data) == catalog


@pytest.mark.parametrize("days", [0, 36_601])
def test_a_product_fixed_term_out_of_range_is_refused(days: int) -> None:
    with pytest.raises(RuleViolation) as raised:
        Product("VPS", "VPS", "PASS", fixed_term_days=days)
    assert raised.value.rule == "product.fixed-term"


def test_an_ordered_service_of_a_fixed_term_product_ends_through_the_scheduler_once(
    make_every_store: Callable[[], Store],  # noqa: F811
) -> None:
    clock = FixedClock(NOW)
    app = Billing(make_every_store(), clock=clock)
    kind = ProductType(
        "HOSTING", "Hosting", Classification.SERVICE, service_kind=ServiceKind.TERMED
    )
    catalog = Catalog(
        types=(kind,), products=(Product("VPS", "VPS", "HOSTING", fixed_term_days=10),)
    )
    # In force after the shop's catalog the store holds (tests._lifecycle.shop).
    app.add_catalog_version(CatalogVersion("v1", date(2025, 1, 1), catalog))
    _, (service,) = app.place_order(order(customer_id=OWNER_ID, placed_at=NOW), CONTEXT, OWNER)
    assert fixed_term_end(service) == NOW.date() + timedelta(days=10)
    app.perform(activate, service.id, STAFF)
    clock.advance(timedelta(days=9))
    app.run_due()
    assert app.service(service.id, STAFF).status.status is Status.ACTIVE
    clock.advance(timedelta(days=1))
    assert app.run_due().handled == (service.id,)
    ended = app.service(service.id, STAFF)
    assert ended.status.status is Status.TERMINATED
    assert ended.termination_date == NOW.date() + timedelta(days=10)
    clock.advance(timedelta(days=30))
    assert app.run_due().handled == ()
    assert app.service(service.id, STAFF).version == ended.version
