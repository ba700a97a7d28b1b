"""Cancellations: requests and their withdrawal, cancelling now with a refund, add-ons ending.

Seed 000 ("Cancel products"): cancel at the end of the current period, immediately, or
after a number of renewals; "the product remains active until the date shown in the
cancellation card. You can re-activate during this period." Seed 003 (cancellation
requests): the customer gives a reason and picks immediately or at the end of the
billing period; "any unpaid invoices of the product are cancelled"; withdrawing a
request stops the cancellation and "the cancelled invoices must be marked unpaid
again"; add-ons "are cancelled at the same time" as their product, their termination
date "set to the current date".

Money: WEB BASIC at 10.00 a month, April 2025 paid (30 days).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money, Period
from prodlife.catalog.cancellation_policies import CancellationPolicy, CancellationTiming
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY, BillingCycle
from prodlife.errors import RuleViolation, TransitionNotAllowed, ValidationError
from prodlife.lifecycle import (
    ACTIVE,
    CancellationKind,
    CancellationRequest,
    ModuleResult,
    Operation,
    Progress,
    ServiceAddOn,
    ServiceStatus,
    Status,
)
from prodlife.lifecycle.cancellations import cancel, request_cancellation, withdraw_cancellation
from prodlife.lifecycle.endings import terminate
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.package_changes import change_package
from prodlife.lifecycle.renewals import renew
from prodlife.pricing.recurring import RecurringPrice
from prodlife.proration import ChangePolicy, ChargeMode, CreditMode, UsedDay
from prodlife.testing import CANCELLED, SUSPENDED_BY_CUSTOMER, TERMINATED
from prodlife.testing.strategies import billing_dates, currencies, money
from tests._lifecycle import (
    CATALOG,
    IMMEDIATE_CATALOG,
    OWNER,
    STAFF,
    SYSTEM,
    FakeModule,
    amounts,
    at,
    backup,
    change_edition,
    commands,
    last_entry,
    ordered,
    rows,
    web,
)
from tests._support import P, d, usd

Op = Operation
NOW_PRORATED = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED)


def refund(amount: str, period: Period) -> tuple[str, str, str]:
    """A reversal of the recurring price, as :func:`rows` shows it."""
    return ("recurring reversed", str(period), amount)


def ip_cancelled_on(day: str) -> ServiceAddOn:
    """An IP add-on that was cancelled on its own before the base."""
    return ServiceAddOn(
        "IP", MONTHLY, d("2025-04-01"), d("2025-05-01"), CANCELLED, termination_date=d(day)
    )


# --- requests (seed 000 schedule deactivation, seed 003 cancellation requests) -------------


def moving_away() -> Outcome:
    """The owner's request of 2025-04-10 to cancel at the end of the period, "moving away",
    cancelling the unpaid invoices INV-7 and INV-9."""
    return request_cancellation(
        web(),
        OWNER,
        at("2025-04-10"),
        CancellationKind.END_OF_PERIOD,
        "moving away",
        unpaid_invoices=["INV-7", "INV-9"],
    )


def test_an_end_of_period_request_keeps_the_service_active_and_cancels_unpaid_invoices() -> None:
    done = moving_away()
    service = done.service
    assert service.status == ACTIVE and service.cancellation_pending
    assert service.cancellation == CancellationRequest(
        CancellationKind.END_OF_PERIOD, "moving away", at("2025-04-10"), None, ("INV-7", "INV-9")
    )
    entry = last_entry(service)
    assert (entry.operation, entry.actor, entry.reason, entry.details) == (
        Op.SCHEDULE_CANCELLATION,
        OWNER,
        "moving away",
        "end of period",
    )
    assert (entry.before, entry.after) == (ACTIVE, ACTIVE)
    assert done.kinds() == (EventKind.CANCELLATION_REQUESTED, EventKind.INVOICES_CANCELLED)
    assert done.events[0].details == (("kind", "end of period"), ("reason", "moving away"))
    assert done.events[1].detail("invoices") == "INV-7,INV-9"
    assert done.lines == ()


def test_a_request_without_unpaid_invoices_has_one_event() -> None:
    done = request_cancellation(
        web(), OWNER, at("2025-04-10"), CancellationTiming.IMMEDIATE, "not needed"
    )
    assert done.kinds() == (EventKind.CANCELLATION_REQUESTED,)
    assert done.service.cancellation is not None
    assert done.service.cancellation.kind is CancellationKind.IMMEDIATE


def test_a_request_after_renewals_counts_them() -> None:
    with pytest.raises(RuleViolation, match=r"rule service\.cancellation-request"):
        request_cancellation(web(), OWNER, at("2025-04-10"), CancellationKind.AFTER_RENEWALS, "x")
    with pytest.raises(RuleViolation, match=r"rule service\.cancellation-request"):
        request_cancellation(
            web(), OWNER, at("2025-04-10"), CancellationKind.END_OF_PERIOD, "x", renewals=2
        )
    asked = request_cancellation(
        web(), OWNER, at("2025-04-10"), CancellationTiming.AFTER_RENEWALS, "contract", renewals=2
    ).service
    once = renew(asked, SYSTEM, at("2025-04-28")).service
    assert once.cancellation is not None
    assert (once.cancellation.kind, once.cancellation.renewals_left) == (
        CancellationKind.AFTER_RENEWALS,
        1,
    )
    # After the last renewal it ends with the period that renewal paid for.
    twice = renew(once, SYSTEM, at("2025-05-28")).service
    assert twice.cancellation is not None
    assert (twice.cancellation.kind, twice.cancellation.renewals_left) == (
        CancellationKind.END_OF_PERIOD,
        None,
    )
    assert twice.cancellation.reason == "contract"
    assert twice.next_due == d("2025-07-01")


def test_one_request_at_a_time() -> None:
    asked = request_cancellation(
        web(), OWNER, at("2025-04-10"), CancellationKind.END_OF_PERIOD, "x"
    ).service
    with pytest.raises(TransitionNotAllowed, match="already scheduled"):
        request_cancellation(asked, OWNER, at("2025-04-11"), CancellationKind.IMMEDIATE, "y")


# --- withdrawing a request (seed 000 re-activate, seed 003 withdraw) -------------------------


def test_withdrawing_a_request_restores_the_invoices_it_cancelled() -> None:
    asked = moving_away().service
    done = withdraw_cancellation(asked, OWNER, at("2025-04-20"), reason="staying after all")
    assert done.service.cancellation is None
    assert not done.service.cancellation_pending
    assert done.service.status == ACTIVE
    entry = last_entry(done.service)
    assert (entry.operation, entry.actor, entry.reason) == (
        Op.REACTIVATE,
        OWNER,
        "staying after all",
    )
    assert done.kinds() == (EventKind.CANCELLATION_WITHDRAWN, EventKind.INVOICES_RESTORED)
    assert done.events[1].detail("invoices") == "INV-7,INV-9"


def test_reactivating_during_the_pending_period_lets_the_service_renew_as_before() -> None:
    # Seed 000: "The product remains active until the date shown in the cancellation card.
    # You can re-activate during this period."
    asked = request_cancellation(
        web(), OWNER, at("2025-04-10"), CancellationKind.END_OF_PERIOD, "x"
    ).service
    back = withdraw_cancellation(asked, OWNER, at("2025-04-20")).service
    assert back.cancellation is None
    assert withdraw_cancellation(asked, OWNER, at("2025-04-20")).kinds() == (
        EventKind.CANCELLATION_WITHDRAWN,
    )
    renewed = renew(back, SYSTEM, at("2025-04-28"))
    assert renewed.service.next_due == d("2025-06-01")
    again = request_cancellation(
        renewed.service, OWNER, at("2025-05-02"), CancellationKind.IMMEDIATE, "now"
    )
    assert again.service.cancellation_pending


def test_withdrawing_needs_a_pending_request_and_works_while_suspended() -> None:
    with pytest.raises(TransitionNotAllowed, match="no cancellation is scheduled"):
        withdraw_cancellation(web(), OWNER, at("2025-04-20"))
    paused = web(status=SUSPENDED_BY_CUSTOMER)
    asked = request_cancellation(
        paused, OWNER, at("2025-04-10"), CancellationKind.END_OF_PERIOD, "x"
    ).service
    done = withdraw_cancellation(asked, OWNER, at("2025-04-20"))
    assert (done.service.status, done.service.cancellation) == (SUSPENDED_BY_CUSTOMER, None)


# --- cancel now, with a refund per the policy -----------------------------------------------


@pytest.mark.parametrize(
    ("policy", "lines"),
    [
        # April 21 counts as used: [04-22, 05-01) is 9 of 30 days: 10.00 * 9/30 = 3.00.
        (NOW_PRORATED, [refund("-3.00", P("2025-04-22", "2025-05-01"))]),
        # April 21 refunded too: 10 days: 10.00 * 10/30 = 3.333... -> 3.33.
        (
            CancellationPolicy(
                CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED, used_day=UsedDay.UNUSED
            ),
            [refund("-3.33", P("2025-04-21", "2025-05-01"))],
        ),
        # Everything paid for April back.
        (
            CancellationPolicy(CancellationTiming.IMMEDIATE, refund=CreditMode.FULL),
            [refund("-10.00", P("2025-04-01", "2025-05-01"))],
        ),
        (CancellationPolicy(CancellationTiming.IMMEDIATE), []),
        # Not immediate: the customer used what was paid, nothing to refund.
        (CancellationPolicy(CancellationTiming.END_OF_PERIOD), []),
        (None, []),
    ],
)
def test_cancelling_now_refunds_per_the_policy(
    policy: CancellationPolicy | None, lines: list[tuple[str, str, str]]
) -> None:
    done = cancel(web(), OWNER, at("2025-04-21"), policy=policy, reason="closing the shop")
    assert rows(done.lines) == lines
    service = done.service
    assert (service.status, service.termination_date) == (CANCELLED, d("2025-04-21"))
    entry = last_entry(service)
    assert (entry.operation, entry.actor, entry.reason) == (Op.CANCEL, OWNER, "closing the shop")
    assert (entry.before, entry.after) == (ACTIVE, CANCELLED)
    assert done.kinds() == (EventKind.CANCELLED,)


def test_the_catalog_policy_of_web_refunds_the_unused_days() -> None:
    policy = CATALOG.cancellation.for_product("WEB") if CATALOG.cancellation else None
    assert policy == NOW_PRORATED
    done = cancel(web(), STAFF, at("2025-04-21"), policy=policy)
    assert done.total == usd("-3.00")  # 10.00 * 9/30, April 21 used


def test_cancelling_on_a_given_day_refunds_from_that_day() -> None:
    done = cancel(web(), STAFF, at("2025-04-21"), policy=NOW_PRORATED, on=d("2025-04-26"))
    assert done.service.termination_date == d("2025-04-26")
    # [04-27, 05-01) is 4 of 30 days: 10.00 * 4/30 = 1.333... -> 1.33.
    assert rows(done.lines) == [refund("-1.33", P("2025-04-27", "2025-05-01"))]


def test_after_the_paid_period_the_days_used_are_billed_and_an_unused_order_costs_nothing() -> None:
    overdue = cancel(web(), STAFF, at("2025-05-03"), policy=NOW_PRORATED)
    # May was not invoiced; May 1 to 3 were used: 10.00 * 3/31 = 0.97.
    assert rows(overdue.lines) == [("recurring", "[2025-05-01, 2025-05-04)", "0.97")]
    module = FakeModule()
    unpaid = cancel(ordered(), STAFF, at("2025-04-03"), policy=NOW_PRORATED, module=module)
    assert unpaid.service.status == CANCELLED
    assert unpaid.lines == ()
    assert module.calls == []  # nothing was provisioned for a pending order


def test_a_refund_after_a_change_credits_what_the_change_charged() -> None:
    upgraded = change_edition(web(), "PRO").service
    done = cancel(upgraded, OWNER, at("2025-04-21"), policy=NOW_PRORATED)
    # The change charged PRO's 40.00 a month from 04-16; [04-22, 05-01) is 9 of April's 30
    # days: 40.00 * 9/30 = 12.00.
    assert rows(done.lines) == [refund("-12.00", P("2025-04-22", "2025-05-01"))]
    assert done.lines[0].description == "WEB PRO"


def test_a_cancellation_through_the_module_refunds_only_once_it_succeeded() -> None:
    module = FakeModule(ModuleResult.failed("busy"), ModuleResult.success())
    failed = cancel(
        web(addons=(backup(),)), STAFF, at("2025-04-21"), policy=NOW_PRORATED, module=module
    )
    assert failed.service.status == ACTIVE
    assert failed.service.addons[0].status == ACTIVE
    assert failed.lines == ()
    assert failed.kinds() == (EventKind.PROVISIONING_FAILED,)
    done = cancel(failed.service, STAFF, at("2025-04-21", 13), policy=NOW_PRORATED, module=module)
    assert commands(module) == ["terminate", "terminate"]
    deleting = ServiceStatus(
        Status.IN_PROGRESS, Progress.DELETION, previous=ACTIVE, target=CANCELLED
    )
    assert [(e.operation, e.after) for e in done.service.history][-2:] == [
        (Op.CANCEL, deleting),
        (Op.PROVISIONED, CANCELLED),
    ]
    # The base 10.00 * 9/30 = 3.00 and its BACKUP add-on 3.00 * 9/30 = 0.90.
    assert [(line.subject, line.amount) for line in done.lines] == [
        ("", usd("-3.00")),
        ("BACKUP", usd("-0.90")),
    ]
    assert done.service.termination_date == d("2025-04-21")


def test_a_carried_out_request_stays_on_the_service_as_the_record_of_why() -> None:
    asked = request_cancellation(
        web(), OWNER, at("2025-04-10"), CancellationKind.IMMEDIATE, "too slow"
    ).service
    done = cancel(asked, SYSTEM, at("2025-04-11"), reason="cancellation requested: too slow")
    assert done.service.ended and not done.service.cancellation_pending
    assert done.service.cancellation is not None
    assert done.service.cancellation.reason == "too slow"


def test_cancel_takes_a_cancellation_policy() -> None:
    with pytest.raises(ValidationError, match="not a CancellationPolicy"):
        cancel(web(), OWNER, at("2025-04-21"), policy="immediate")  # type: ignore[arg-type]


# --- add-ons end with their base (seed 003) -------------------------------------------------


def test_addons_are_cancelled_with_their_base_on_the_same_day() -> None:
    service = web(addons=(backup(), ip_cancelled_on("2025-04-10")))
    done = cancel(service, STAFF, at("2025-04-21"))
    backup_after, ip_after = done.service.addons
    assert (backup_after.status, backup_after.termination_date) == (CANCELLED, d("2025-04-21"))
    # One that ended before keeps its own status and date.
    assert (ip_after.status, ip_after.termination_date) == (CANCELLED, d("2025-04-10"))


def test_addons_are_terminated_with_their_base_through_the_module_on_the_same_day() -> None:
    service = web(addons=(backup(), ip_cancelled_on("2025-04-10")))
    done = terminate(service, STAFF, at("2025-04-21"), module=FakeModule())
    assert done.service.termination_date == d("2025-04-21")
    assert [(a.code, a.status, a.termination_date) for a in done.service.addons] == [
        ("BACKUP", TERMINATED, d("2025-04-21")),
        ("IP", CANCELLED, d("2025-04-10")),
    ]


def test_an_addon_ends_on_the_day_its_base_is_cancelled_for() -> None:
    done = cancel(web(addons=(backup(),)), STAFF, at("2025-04-21"), on=d("2025-04-30"))
    assert done.service.addons[0].termination_date == d("2025-04-30")


# --- regressions -----------------------------------------------------------------------------


def test_a_refund_after_a_change_that_charged_nothing_refunds_nothing_of_it() -> None:
    changed = change_edition(web(), "PRO", policy=ChangePolicy(charge=ChargeMode.NONE))
    # April: 10.00 paid, 5.00 credited back by the change, nothing charged for PRO.
    assert amounts(changed) == [usd("-5.00")]
    done = cancel(changed.service, OWNER, at("2025-04-16"), policy=NOW_PRORATED)
    # The rest of April was charged zero, so nothing more is refunded (was 40.00 * 14/30).
    assert done.total in (None, usd("0.00"))


def test_a_refund_in_a_period_that_started_on_a_month_end() -> None:
    service = web(
        start=d("2025-01-31"),
        next_due=d("2025-02-28"),
        paid_through=d("2025-02-27"),
        price=RecurringPrice(usd("28.00"), override=False),
    )
    done = cancel(service, OWNER, at("2025-02-01"), policy=NOW_PRORATED)
    # Paid 28.00 for [01-31, 02-28), 28 days; [02-02, 02-28) unused is 26 days: 26.00.
    assert done.total == usd("-26.00")  # was 25.29 * 26/28 = 23.48 over [01-28, 02-28)


# --- property: a refund never exceeds what was charged -------------------------------------------

_CYCLES = st.sampled_from([MONTHLY, QUARTERLY, ANNUAL, BillingCycle.weeks(2), BillingCycle.days(9)])


@given(
    cycle=_CYCLES,
    start=billing_dates(date(2001, 1, 1), date(2090, 12, 31)),
    offsets=st.tuples(st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True)),
    change=st.one_of(
        st.none(),
        st.tuples(
            st.sampled_from(list(CreditMode)),
            st.sampled_from(list(ChargeMode)),
        ),
    ),
    refund_mode=st.sampled_from(list(CreditMode)),
    used_day=st.sampled_from(list(UsedDay)),
    data=st.data(),
)
def test_a_refund_never_exceeds_what_was_charged_for_the_period(
    cycle: BillingCycle,
    start: date,
    offsets: tuple[float, float],
    change: tuple[CreditMode, ChargeMode] | None,
    refund_mode: CreditMode,
    used_day: UsedDay,
    data: st.DataObject,
) -> None:
    end = cycle.shift(start, 1)
    days = (end - start).days
    first, second = sorted(int(offset * days) for offset in offsets)
    changed_on, cancelled_on = start + timedelta(days=first), start + timedelta(days=second)
    currency = data.draw(currencies())
    old, new = (data.draw(money(currency, min_minor_units=0, max_minor_units=10**9)) for _ in "ab")
    service = web(
        cycle=cycle,
        start=start,
        next_due=end,
        paid_through=end - timedelta(days=1),
        price=RecurringPrice(old, override=False),
    )
    charged: Money = old  # the whole period was paid
    if change is not None:
        credit, charge = change
        outcome = change_package(
            service,
            OWNER,
            datetime.combine(changed_on, time(9), UTC),
            catalog=IMMEDIATE_CATALOG,
            to_edition="PRO",
            new_price=new,
            policy=ChangePolicy(credit=credit, charge=charge),
        )
        charged = charged + (outcome.total or Money(0, currency))
        service = outcome.service
    policy = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=refund_mode, used_day=used_day)
    done = cancel(service, OWNER, datetime.combine(cancelled_on, time(18), UTC), policy=policy)
    assert all(ln.reverses for ln in done.lines)
    refunded = -(done.total or Money(0, currency))
    assert Money(0, currency) <= refunded <= charged
    if refund_mode is CreditMode.NONE:
        assert done.lines == ()
