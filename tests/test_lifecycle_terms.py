"""Services under their billing terms: free-to-air channels are never deactivated."""

from __future__ import annotations

from datetime import timedelta

import pytest

from prodlife import NotFound
from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme, BillingTiming
from prodlife.lifecycle import SchedulerPolicy, Status, SuspensionKind, run_service, under_terms
from tests._lifecycle import at, web
from tests._support import d

SCHEME = BillingTermScheme(
    "TV",
    "TV terms",
    prepaid=False,
    terms=[
        BillingTerm("FREE-TV", exclude_from_deactivation=True),
        BillingTerm("WEB"),
        BillingTerm("PPV", timing=BillingTiming.IN_ARREARS),
    ],
)
POLICY = SchedulerPolicy(suspend_days_after=3, terminate_days_after=30)


def overdue(product_code: str) -> object:
    """A service of ``product_code`` unpaid since April 1st."""
    return web(
        product_code=product_code,
        start=d("2025-03-01"),
        next_due=d("2025-04-01"),
        paid_through=d("2025-03-31"),
    )


@pytest.mark.parametrize("days", [4, 40, 400])
def test_a_service_excluded_from_deactivation_runs_is_never_suspended_for_non_payment(
    days: int,
) -> None:
    free = under_terms(overdue("FREE-TV"), SCHEME)  # type: ignore[arg-type]
    when = at("2025-04-01") + timedelta(days=days)
    outcome = run_service(free, when, POLICY)
    after = free if outcome is None else outcome.service
    assert after.status.status is Status.ACTIVE


def test_a_service_on_an_ordinary_term_is_suspended_then_terminated() -> None:
    paying = under_terms(overdue("WEB"), SCHEME)  # type: ignore[arg-type]
    assert paying == overdue("WEB")  # nothing to change
    suspended = run_service(paying, at("2025-04-05"), POLICY)
    assert suspended is not None
    assert suspended.service.status.substate is SuspensionKind.FOR_NON_PAYMENT
    ended = run_service(suspended.service, at("2025-05-02"), POLICY)
    assert ended is not None and ended.service.status.status is Status.TERMINATED


def test_a_term_in_arrears_bills_after_use_so_nothing_is_paid_at_the_order() -> None:
    service = under_terms(overdue("PPV"), SCHEME)  # type: ignore[arg-type]
    assert service.billing_timing is BillingTiming.IN_ARREARS
    assert (service.next_due, service.paid_through, service.billed_until) == (
        service.start,
        None,
        None,
    )


def test_products_without_a_term_are_refused() -> None:
    with pytest.raises(NotFound):
        under_terms(overdue("RADIO"), SCHEME)  # type: ignore[arg-type]
