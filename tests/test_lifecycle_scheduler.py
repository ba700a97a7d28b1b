"""The scheduler: each kind of due work, idempotence and determinism."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife import Money, Period
from prodlife.billing import LineType, Rate
from prodlife.catalog.change_rules import ChangeTiming
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY
from prodlife.errors import RuleViolation
from prodlife.lifecycle import (
    ACTIVE,
    CancellationKind,
    DueWork,
    EventKind,
    OverrideAutoSuspend,
    PendingChange,
    SchedulerPolicy,
    Service,
    ServiceAddOn,
    ServiceStatus,
    Status,
    SuspensionKind,
    agenda,
    next_work_date,
    renew,
    request_cancellation,
    run_due,
)
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.timelines import schedule_for
from prodlife.pricing.recurring import RecurringPrice

SYSTEM = Actor.system()
OWNER = Actor.customer("C-1")


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def paid(
    id: str = "S-1", due: date = date(2025, 2, 1), *, ahead: int = 0, **changes: Any
) -> Service:
    """A VPS service paid up to ``due``, invoiced ``ahead`` days before each period."""
    values: dict[str, Any] = {
        "id": id,
        "customer_id": "C-1",
        "product_code": "VPS",
        "edition": None,
        "cycle": MONTHLY,
        "price": RecurringPrice.at_order(Money("10.00", "USD")),
        "payment_method": "card",
        "start": date(2025, 1, 1),
        "next_due": due,
        "paid_through": due - timedelta(days=1),
        "status": ACTIVE,
    }
    service = Service(**{**values, **changes})
    timeline = attrs.evolve(service.timeline, invoice_days_before=ahead)
    return attrs.evolve(service, timeline=timeline)


def test_renewal_invoice_is_issued_days_before_and_only_once() -> None:
    policy = SchedulerPolicy()
    service = paid(ahead=7)
    assert next_work_date(service, policy) == date(2025, 1, 25)
    assert run_due([service], at(date(2025, 1, 24)), policy).outcomes == ()
    run = run_due([service], at(date(2025, 1, 25)), policy)
    (line,) = run.lines
    assert line.type is LineType.RECURRING and not line.reverses
    assert line.amount == Money("10.00", "USD")
    assert line.period is not None
    assert (line.period.start, line.period.end) == (date(2025, 2, 1), date(2025, 3, 1))
    assert run.services[0].billed_until == date(2025, 3, 1)
    # Every later run before the payment does nothing more for that due date.
    for day in (date(2025, 1, 25), date(2025, 1, 31), date(2025, 2, 1)):
        assert run_due(run.services, at(day), policy).outcomes == ()


def test_after_payment_the_next_invoice_comes_a_cycle_later() -> None:
    policy = SchedulerPolicy()
    first = run_due([paid()], at(date(2025, 2, 1)), policy).services[0]
    renewed = renew(first, SYSTEM, at(date(2025, 2, 1), 7))
    assert renewed.lines == ()  # the period was invoiced by the scheduler already
    assert renewed.service.next_due == date(2025, 3, 1)
    assert renewed.service.billed_until == date(2025, 3, 1)
    assert run_due([renewed.service], at(date(2025, 2, 28)), policy).outcomes == ()
    second = run_due([renewed.service], at(date(2025, 3, 1)), policy)
    assert [line.period for line in second.lines] == [Period(date(2025, 3, 1), date(2025, 4, 1))]


def test_end_of_period_cancellation_ends_on_the_due_date_with_its_add_ons() -> None:
    backup = ServiceAddOn("BACKUP", MONTHLY, date(2025, 1, 1), date(2025, 2, 1), ACTIVE)
    service = paid(addons=(backup,), ahead=7)
    asked = request_cancellation(
        service, OWNER, at(date(2025, 1, 10)), CancellationKind.END_OF_PERIOD, "too expensive"
    ).service
    policy = SchedulerPolicy()
    # No renewal invoice for a service that ends at its due date.
    assert {work for work, _, _ in agenda(asked, policy)} >= {DueWork.CANCEL}
    assert DueWork.INVOICE not in {work for work, _, _ in agenda(asked, policy)}
    assert run_due([asked], at(date(2025, 1, 31)), policy).outcomes == ()
    run = run_due([asked], at(date(2025, 2, 3)), policy)
    ended = run.services[0]
    assert ended.status == ServiceStatus(Status.CANCELLED)
    assert ended.termination_date == date(2025, 2, 1)
    assert ended.addons[0].termination_date == date(2025, 2, 1)
    assert ended.addons[0].status == ServiceStatus(Status.CANCELLED)
    assert run.events[0].kind is EventKind.CANCELLED
    assert run_due([ended], at(date(2025, 3, 3)), policy).outcomes == ()


def test_immediate_request_is_carried_out_at_the_next_run() -> None:
    asked = request_cancellation(
        paid(), OWNER, at(date(2025, 1, 10)), CancellationKind.IMMEDIATE, "closing"
    ).service
    run = run_due([asked], at(date(2025, 1, 10), 23), SchedulerPolicy())
    assert run.services[0].termination_date == date(2025, 1, 10)


def test_cancellation_after_renewals_counts_the_renewals() -> None:
    asked = request_cancellation(
        paid(),
        OWNER,
        at(date(2025, 1, 10)),
        CancellationKind.AFTER_RENEWALS,
        "one more month",
        renewals=1,
    ).service
    policy = SchedulerPolicy()
    invoiced = run_due([asked], at(date(2025, 2, 1)), policy).services[0]
    renewed = renew(invoiced, SYSTEM, at(date(2025, 2, 1), 8)).service
    assert renewed.cancellation is not None
    assert renewed.cancellation.kind is CancellationKind.END_OF_PERIOD
    assert run_due([renewed], at(date(2025, 2, 27)), policy).outcomes == ()
    ended = run_due([renewed], at(date(2025, 3, 1)), policy).services[0]
    assert (ended.status.status, ended.termination_date) == (Status.CANCELLED, date(2025, 3, 1))


def test_a_service_that_does_not_renew_is_terminated_at_the_end_of_its_cycle() -> None:
    run = run_due([paid(auto_renew=False)], at(date(2025, 2, 2)), SchedulerPolicy())
    ended = run.services[0]
    assert (ended.status.status, ended.termination_date) == (Status.TERMINATED, date(2025, 2, 1))
    assert run.lines == ()


#: A move to VPS-S, quarterly at 25.00, at the end of January's term.
TO_VPS_S = PendingChange(
    timing=ChangeTiming.END_OF_TERM,
    product_code="VPS-S",
    edition=None,
    cycle=QUARTERLY,
    price=RecurringPrice.at_order(Money("25.00", "USD")),
    requested_at=at(date(2025, 1, 15)),
    effective=date(2025, 2, 1),
)


def changing() -> Service:
    """A paid service waiting for :data:`TO_VPS_S`, its new price on the timeline from its date
    (as change_package puts it; here by hand)."""
    service = paid(pending_change=TO_VPS_S)
    new = Rate(
        date(2025, 2, 1),
        None,
        Money("25.00", "USD"),
        schedule_for(QUARTERLY, date(2025, 2, 1)),
        "VPS-S",
    )
    return attrs.evolve(service, timeline=service.timeline.schedule_rate("", new))


def test_an_end_of_term_change_priced_from_a_plan_is_recorded_as_sold_under_it_when_done() -> None:
    from prodlife.lifecycle import Outcome, SoldUnder
    from prodlife.lifecycle.grandfathering import resold

    before = changing()
    sale = SoldUnder("2025", "STD", "VPS-S", None, QUARTERLY)
    waiting = resold(Outcome(before), sale).service
    assert waiting.sold_under == before.sold_under  # not yet: the change waits
    assert waiting.pending_change == attrs.evolve(TO_VPS_S, sold_under=sale)
    other = SoldUnder("2025", "STD", "VPS-L", None, QUARTERLY)  # another product's row
    assert resold(Outcome(before), other).service == before
    run = run_due([waiting], at(date(2025, 2, 1)), SchedulerPolicy())
    changed = run.services[0]
    assert (changed.product_code, changed.pending_change, changed.sold_under) == (
        "VPS-S",
        None,
        sale,
    )


def test_end_of_term_change_applies_before_the_renewal_is_invoiced() -> None:
    service = changing()
    run = run_due([service], at(date(2025, 2, 1)), SchedulerPolicy())
    changed = run.services[0]
    assert (changed.product_code, changed.cycle, changed.pending_change) == (
        "VPS-S",
        QUARTERLY,
        None,
    )
    (line,) = run.lines
    assert line.amount == Money("25.00", "USD")
    assert line.period is not None
    assert (line.period.start, line.period.end) == (date(2025, 2, 1), date(2025, 5, 1))
    assert [e.kind for e in run.events] == [EventKind.PACKAGE_CHANGED, EventKind.INVOICED]


def test_overdue_services_are_suspended_then_terminated() -> None:
    policy = SchedulerPolicy(suspend_days_after=3, terminate_days_after=10)
    invoiced = run_due([paid()], at(date(2025, 2, 1)), policy).services[0]
    assert run_due([invoiced], at(date(2025, 2, 3)), policy).outcomes == ()
    suspended = run_due([invoiced], at(date(2025, 2, 4)), policy).services[0]
    assert suspended.status.substate is SuspensionKind.FOR_NON_PAYMENT
    assert run_due([suspended], at(date(2025, 2, 10)), policy).outcomes == ()
    ended = run_due([suspended], at(date(2025, 2, 11)), policy).services[0]
    assert ended.status.status is Status.TERMINATED


def test_override_auto_suspend_holds_off_suspension_until_its_date() -> None:
    policy = SchedulerPolicy(suspend_days_after=3)
    override = OverrideAutoSuspend(date(2025, 2, 10))
    invoiced = run_due([paid(override_auto_suspend=override)], at(date(2025, 2, 1)), policy)
    service = invoiced.services[0]
    assert run_due([service], at(date(2025, 2, 10)), policy).outcomes == ()
    later = run_due([service], at(date(2025, 2, 11)), policy).services[0]
    assert later.status.substate is SuspensionKind.FOR_NON_PAYMENT
    never = attrs.evolve(service, override_auto_suspend=OverrideAutoSuspend.never())
    assert run_due([never], at(date(2026, 1, 1)), policy).outcomes == ()


def test_add_ons_are_invoiced_on_their_own_cycle_up_to_the_next_due_date() -> None:
    yearly = ANNUAL
    addon = ServiceAddOn(
        "IP",
        yearly,
        date(2025, 1, 1),
        date(2026, 1, 1),
        ACTIVE,
        price=RecurringPrice.at_order(Money("12.00", "USD")),
    )
    service = paid(due=date(2026, 1, 1), addons=(addon,))
    run = run_due([service], at(date(2026, 1, 1)), SchedulerPolicy())
    subjects = sorted((line.subject, line.amount.amount) for line in run.lines)
    assert [s for s, _ in subjects] == ["", "IP"]
    # Unpaid, the service is not invoiced for the periods after its next due date.
    assert run_due(run.services, at(date(2026, 6, 1)), SchedulerPolicy()).lines == ()


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(RuleViolation, match="whole number"):
        SchedulerPolicy(invoice_days_before=-1)
    with pytest.raises(RuleViolation, match="before suspension"):
        SchedulerPolicy(suspend_days_after=10, terminate_days_after=5)


def test_services_in_other_time_zones_fall_due_on_their_own_billing_date() -> None:
    tokyo = paid(time_zone="Asia/Tokyo")
    honolulu = paid("S-2", time_zone="Pacific/Honolulu")
    # 2025-01-31 20:00 UTC is already Feb 1 in Tokyo, still Jan 31 in Honolulu.
    run = run_due([tokyo, honolulu], datetime(2025, 1, 31, 20, tzinfo=UTC), SchedulerPolicy())
    assert [s.id for s in run.services] == ["S-1"]


_days = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8)


@settings(max_examples=60)
@given(
    steps=_days,
    pays=st.lists(st.booleans(), min_size=8, max_size=8),
    seed=st.integers(0, 1000),
)
def test_any_schedule_of_runs_invoices_each_due_date_once_and_is_deterministic(
    steps: list[int], pays: list[bool], seed: int
) -> None:
    policy = SchedulerPolicy(suspend_days_after=7, terminate_days_after=30)
    services = [paid(f"S-{i}", date(2025, 2, 1 + i), ahead=5) for i in range(4)]
    moment = at(date(2025, 1, 20))
    invoiced: list[tuple[str, date]] = []
    for step, pay in zip(steps, pays, strict=False):
        moment += timedelta(days=step)
        shuffled = services[:]
        random.Random(seed).shuffle(shuffled)
        run = run_due(shuffled, moment, policy)
        # Deterministic: the order given does not matter.
        assert run == run_due(services, moment, policy)
        # Idempotent: a second run at the same instant does nothing.
        assert run_due(_merge(services, run.services), moment, policy).outcomes == ()
        invoiced += [
            (line.service_id, line.period.start)
            for line in run.lines
            if line.period and not line.reverses
        ]
        services = _merge(services, run.services)
        if pay:
            services = [
                renew(s, SYSTEM, moment).service
                if s.status.status is Status.ACTIVE
                and s.billed_until is not None
                and s.next_due is not None
                and s.billed_until > s.next_due
                else s
                for s in services
            ]
    assert len(invoiced) == len(set(invoiced)), "a due date was invoiced twice"


def _merge(services: list[Service], changed: tuple[Service, ...]) -> list[Service]:
    by_id = {s.id: s for s in changed}
    return [by_id.get(s.id, s) for s in services]
