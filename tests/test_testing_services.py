"""prodlife.testing's named statuses and plain service, as a host's tests use them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import prodlife.lifecycle
import prodlife.testing
from prodlife import Money
from prodlife.cycles import ANNUAL, MONTHLY
from prodlife.errors import RuleViolation
from prodlife.lifecycle import PendingReason, Service, ServiceStatus, Status, SuspensionKind
from prodlife.pricing.recurring import RecurringPrice
from prodlife.testing import (
    ACTIVE,
    CANCELLED,
    SETTLED_STATUSES,
    make_service,
)
from prodlife.testing import services as services_module

_SUBSTATES: dict[Status, tuple[object, ...]] = {
    Status.PENDING: tuple(PendingReason),
    Status.SUSPENDED: tuple(SuspensionKind),
}
_ENDED = {Status.CANCELLED, Status.TERMINATED, Status.DELETED}


def test_every_settled_status_is_named_once_and_in_progress_is_not() -> None:
    expected = {
        (status, substate)
        for status in Status
        if status is not Status.IN_PROGRESS
        for substate in _SUBSTATES.get(status, (None,))
    }
    named = [(s.status, s.substate) for s in SETTLED_STATUSES]
    assert len(named) == len(set(named))
    assert set(named) == expected


def test_each_status_has_its_own_name_and_prodlife_lifecycles_three_are_the_same_objects() -> None:
    statuses = {name: getattr(prodlife.testing, name) for name in services_module.__all__}
    named = [value for value in statuses.values() if isinstance(value, ServiceStatus)]
    assert sorted(map(id, named)) == sorted(map(id, SETTLED_STATUSES))
    for name in ("ORDERED", "CONFIGURATION_REQUIRED", "ACTIVE"):
        assert statuses[name] is getattr(prodlife.lifecycle, name)
    for name, status in statuses.items():
        if name.startswith("SUSPENDED_"):
            assert isinstance(status, ServiceStatus)
            assert status.status is Status.SUSPENDED
    assert set(services_module.__all__) <= set(prodlife.testing.__all__)


def test_the_plain_service_is_monthly_from_april_paid_until_its_next_due_date() -> None:
    service = make_service()
    assert (service.id, service.customer_id, service.product_code, service.edition) == (
        "S-1",
        "C-1",
        "WEB",
        "BASIC",
    )
    assert (service.cycle, service.price, service.payment_method) == (
        MONTHLY,
        RecurringPrice.at_order(Money("10.00", "USD")),
        "card",
    )
    assert (service.start, service.next_due, service.paid_through) == (
        date(2025, 4, 1),
        date(2025, 5, 1),
        date(2025, 4, 30),
    )
    assert (service.status, service.termination_date, len(service.history)) == (ACTIVE, None, 0)
    unpaid = make_service("S-2", next_due=None)
    assert (unpaid.id, unpaid.next_due, unpaid.paid_through) == ("S-2", None, None)


def test_fields_given_win_over_the_defaults() -> None:
    service = make_service(
        customer_id="C-9",
        status=CANCELLED,
        cycle=ANNUAL,
        next_due=date(2026, 4, 1),
        paid_through=date(2025, 12, 31),
        termination_date=date(2025, 6, 1),
        edition=None,
    )
    assert (service.customer_id, service.cycle, service.edition) == ("C-9", ANNUAL, None)
    assert (service.paid_through, service.termination_date) == (
        date(2025, 12, 31),
        date(2025, 6, 1),
    )
    with pytest.raises(RuleViolation):
        make_service(status=CANCELLED, termination_date=None)


@given(st.sampled_from(SETTLED_STATUSES), st.sampled_from([None, date(2025, 5, 1)]))
def test_every_settled_status_makes_a_valid_service_ended_exactly_when_it_is_over(
    status: ServiceStatus, next_due: date | None
) -> None:
    service = make_service("S-7", status=status, next_due=next_due)
    assert isinstance(service, Service)
    assert service.status is status
    assert (service.termination_date is not None) == (status.status in _ENDED)
