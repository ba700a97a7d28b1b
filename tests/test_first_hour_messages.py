"""What a new user meets in their first hour: errors in plain English, one enumeration for
cancellation timing, real currencies, logging through `logging`, progress of a run (issue 19)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from prodlife import Actor, CancellationKind, FixedClock, Money, request_cancellation
from prodlife.app import Billing
from prodlife.catalog import CancellationTiming
from prodlife.errors import AlreadyExists, PermissionDenied, TransitionNotAllowed, UnknownCurrency
from prodlife.stores import open_store
from tests._lifecycle import OWNER, STAFF, at, web


def test_already_exists_uses_the_right_article() -> None:
    assert str(AlreadyExists("order", "O-1")).startswith("an order 'O-1' is already stored")
    assert str(AlreadyExists("service", "S-1")).startswith("a service 'S-1' is already stored")


def test_a_refused_cancellation_request_reads_as_english() -> None:
    asked = request_cancellation(
        web(), STAFF, at("2025-04-10"), CancellationTiming.END_OF_PERIOD, "moving"
    ).service
    with pytest.raises(TransitionNotAllowed, match="cannot schedule the cancellation of a service"):
        request_cancellation(asked, STAFF, at("2025-04-11"), CancellationTiming.IMMEDIATE, "now")


def test_a_customer_reading_an_unknown_service_is_told_they_may_not_see_it() -> None:
    billing = Billing(open_store("memory:"), clock=FixedClock(datetime(2025, 4, 1, tzinfo=UTC)))
    with pytest.raises(PermissionDenied) as refused:
        billing.service("NO-SUCH", OWNER)
    assert "may not see this service" in str(refused.value)
    assert "edit" not in str(refused.value)


def test_cancellation_kind_and_timing_are_one_enumeration() -> None:
    assert CancellationKind is CancellationTiming
    assert str(CancellationTiming.END_OF_PERIOD) == "end of period"


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "xag", "XPT", "XPD", "XDR", "XUA"])
def test_codes_that_are_not_money_customers_pay_in_are_refused(code: str) -> None:
    with pytest.raises(UnknownCurrency, match=code):
        Money("1", code)


def test_a_customer_actor_is_still_accepted_for_own_reads() -> None:
    billing = Billing(open_store("memory:"), clock=FixedClock(datetime(2025, 4, 1, tzinfo=UTC)))
    billing.add_services([web()])
    assert billing.service(web().id, OWNER).id == web().id
    assert billing.service(web().id, Actor.system()).id == web().id


def test_use_cases_log_through_logging_and_the_library_adds_no_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from prodlife.lifecycle import reboot

    billing = Billing(open_store("memory:"), clock=FixedClock(datetime(2025, 4, 20, tzinfo=UTC)))
    billing.add_services([web()])
    with caplog.at_level(logging.INFO, logger="prodlife"):
        billing.perform(reboot, web().id, OWNER)
        billing.run_due()
    messages = [record.getMessage() for record in caplog.records]
    assert any(message.startswith(f"reboot of {web().id} by customer") for message in messages)
    assert any(message.startswith("scheduler run by") for message in messages)
    assert all(record.name.startswith("prodlife.") for record in caplog.records)
    assert logging.getLogger("prodlife").handlers == []
    assert logging.getLogger("prodlife.app").handlers == []


def test_run_due_reports_progress_after_each_batch() -> None:
    billing = Billing(open_store("memory:"), clock=FixedClock(datetime(2025, 5, 2, tzinfo=UTC)))
    billing.add_services([web(id=f"S-{n}") for n in range(5)])
    seen: list[int] = []
    report = billing.run_due(batch=2, progress=lambda so_far: seen.append(len(so_far.handled)))
    assert len(report.handled) == 5
    assert seen == sorted(seen)
    assert seen[-1] == 5
    assert len(seen) >= 3  # five services in batches of two
