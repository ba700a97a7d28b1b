"""Removing an option (seed 002: "add or delete additional resources"), billed by the engine
like any change: what was invoiced for the days after the removal comes back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock, Money
from prodlife.app import Billing
from prodlife.billing import InvoiceLine, LineType
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.errors import NotFound, PermissionDenied, ValidationError
from prodlife.lifecycle import (
    EventKind,
    OptionChange,
    Outcome,
    SchedulerPolicy,
    Service,
    change_options,
    remove_options,
    run_due,
)
from prodlife.ports import Store
from prodlife.proration import ChangeDay, ChangePolicy, CreditMode
from prodlife.testing.conservation import check_books
from tests._lifecycle import OWNER, STAFF, STRANGER, web
from tests._support import usd
from tests.test_app import make_every_store  # noqa: F401 (a fixture: each store in turn)

RAM = OptionChange("RAM", "8GB", usd("6.00"))
IP = OptionChange("IP", "1", usd("3.00"))


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def with_options(*changes: OptionChange, **service: Any) -> Outcome:
    return change_options(web(**service), STAFF, at(date(2025, 4, 1)), list(changes))


def holding() -> Service:
    return with_options(RAM, IP).service


def test_the_unused_days_of_a_removed_option_are_credited() -> None:
    removed = remove_options(holding(), STAFF, at(date(2025, 4, 16)), ["RAM"])
    (line,) = removed.lines
    assert line.type is LineType.OPTION and line.reverses
    assert line.amount == usd("-3.00")  # 15 of April's 30 days of 6.00
    assert [o.code for o in removed.service.options] == ["IP"]
    (changed,) = removed.events
    assert changed.kind is EventKind.OPTIONS_CHANGED and changed.detail("removed") == "RAM"


@pytest.mark.parametrize(
    ("policy", "credited"),
    [
        (ChangePolicy(credit=CreditMode.NONE), None),
        (ChangePolicy(credit=CreditMode.FULL), "-6.00"),
        (ChangePolicy(change_day=ChangeDay.OLD_PLAN), "-2.80"),  # 14 of 30 days
    ],
)
def test_the_change_policy_says_what_comes_back(policy: ChangePolicy, credited: str | None) -> None:
    removed = remove_options(holding(), STAFF, at(date(2025, 4, 16)), ["RAM"], policy=policy)
    assert [line.amount for line in removed.lines] == ([] if credited is None else [usd(credited)])


def test_a_removed_option_is_not_invoiced_at_the_next_renewal() -> None:
    removed = remove_options(holding(), STAFF, at(date(2025, 4, 16)), ["RAM", "IP"])
    run = run_due([removed.service], at(date(2025, 5, 1)), SchedulerPolicy())
    assert {line.type for line in run.lines} == {LineType.RECURRING}


def test_in_arrears_the_days_used_are_billed_when_the_period_ends() -> None:
    service = with_options(RAM, billing_timing=BillingTiming.IN_ARREARS, paid_through=None).service
    removed = remove_options(service, STAFF, at(date(2025, 4, 11)), ["RAM"])
    assert removed.lines == ()
    run = run_due([removed.service], at(date(2025, 5, 1)), SchedulerPolicy())
    ram = [line.amount for line in run.lines if line.subject == "RAM"]
    assert ram == [usd("2.00")]  # 10 of 30 days of 6.00


@pytest.mark.parametrize(
    ("codes", "error"),
    [
        ([], ValidationError),
        (["RAM", "RAM"], ValidationError),
        (["DISK"], NotFound),
        ("RAM", ValidationError),
    ],
)
def test_removing_what_is_not_held_or_not_a_list_is_refused(codes: object, error: type) -> None:
    with pytest.raises(error):
        remove_options(holding(), STAFF, at(date(2025, 4, 16)), codes)  # type: ignore[arg-type]


def test_a_stranger_cannot_remove_an_option() -> None:
    with pytest.raises(PermissionDenied):
        remove_options(holding(), STRANGER, at(date(2025, 4, 16)), ["RAM"])


@given(
    st.integers(0, 29),
    st.integers(0, 75),
    st.sampled_from(list(BillingTiming)),
)
def test_every_day_is_invoiced_at_what_it_is_worth_after_a_removal(
    added: int, held: int, timing: BillingTiming
) -> None:
    paid = None if timing is BillingTiming.IN_ARREARS else date(2025, 4, 30)
    service = web(billing_timing=timing, paid_through=paid)
    lines: list[InvoiceLine] = []
    add_day = date(2025, 4, 1) + timedelta(days=added)
    outcome = change_options(service, STAFF, at(add_day), [RAM])
    lines += outcome.lines
    service = outcome.service
    remove_day = add_day + timedelta(days=held)
    for month in (5, 6):
        first = date(2025, month, 1)
        if first <= remove_day:
            run = run_due([service], at(first), SchedulerPolicy())
            lines += run.lines
            service = run.services[0] if run.outcomes else service
    removed = remove_options(service, STAFF, at(remove_day), ["RAM"])
    lines += removed.lines
    run = run_due([removed.service], at(date(2025, 7, 1)), SchedulerPolicy())
    lines += run.lines
    final = run.services[0] if run.outcomes else removed.service
    check_books(final.timeline, lines)
    ram = sum((line.amount for line in lines if line.subject == "RAM"), Money.zero("USD"))
    kept = (remove_day - add_day).days
    assert ram.amount >= 0 and (kept > 0 or ram.amount == 0)


def test_an_option_is_removed_through_billing_on_every_store(
    make_every_store: Callable[[], Store],  # noqa: F811
) -> None:
    app = Billing(make_every_store(), clock=FixedClock(at(date(2025, 4, 16))))
    app.add_services([holding()])
    done = app.perform(remove_options, web().id, OWNER, ["IP"])
    assert [line.amount for line in done.lines] == [usd("-1.50")]
    stored = app.service(web().id, OWNER)
    assert [o.code for o in stored.options] == ["RAM"]
    with app.store.transaction(readonly=True) as uow:
        kept = [item.line.amount for item in uow.invoice_lines.for_customer(stored.customer_id)]
    assert kept == [usd("-1.50")]
