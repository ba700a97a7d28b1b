"""Billing in arrears and pauses: regressions, one test per case found.

Each test states the expected behaviour in its docstring (the last was a known limit
until the billing engine billed timelines: a pause now re-bills a change waiting for
payment like anything else).
Money is the example catalog's: WEB BASIC 10.00, PRO 40.00 USD a month, April 2025 has 30
days, May 31.
"""

from __future__ import annotations

from fractions import Fraction

import attrs
import pytest

from prodlife import RuleViolation
from prodlife.billing import InvoiceLine
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import ONE_TIME
from prodlife.lifecycle import (
    ACTIVE,
    SchedulerPolicy,
    Service,
    Status,
    SuspensionKind,
    activate,
    cancel,
    confirm_change_payment,
    renew,
    run_service,
    suspend,
    unsuspend,
)
from prodlife.lifecycle.mass_update import MassUpdate, mass_update
from prodlife.lifecycle.scheduler import next_work_date
from prodlife.periods import Period
from prodlife.pricing.recurring import RecurringPrice
from tests._lifecycle import CATALOG, OWNER, STAFF, SYSTEM, at, change_edition, ordered, web
from tests._support import d, usd


def arrears(**changes: object) -> Service:
    """A WEB BASIC service ordered 2025-04-01, invoiced in arrears (nothing paid yet)."""
    service = ordered(start=d("2025-04-01"), next_due=d("2025-04-01"), **changes)
    timeline = attrs.evolve(service.timeline, timing=BillingTiming.IN_ARREARS)
    return attrs.evolve(service, billing_timing=BillingTiming.IN_ARREARS, timeline=timeline)


def active_arrears(**changes: object) -> Service:
    return activate(arrears(**changes), SYSTEM, at("2025-04-01")).service


def total(lines: list[InvoiceLine] | tuple[InvoiceLine, ...]) -> Fraction:
    return sum((Fraction(line.amount.amount) for line in lines), Fraction(0))


def overlapping(lines: list[InvoiceLine], period: Period) -> list[InvoiceLine]:
    return [
        line
        for line in lines
        if line.period is not None
        and line.period.start < period.end
        and period.start < line.period.end
    ]


# 1 ---------------------------------------------------------------------------------------


def test_a_pause_credits_the_invoice_issued_ahead_at_what_it_invoiced() -> None:
    """A pause credits an invoice issued ahead for exactly what that invoice charged.

    PRO (40.00) paid for April; a downgrade to BASIC at the end of the term (May 1) is
    pending, so the renewal invoice issued ahead on Apr 24 charges BASIC 10.00 for May.
    Pausing on Apr 26 must credit those 10.00, not the old PRO price 40.00 (which left
    May at -30.00: a credit three times the charge). The resume charges it again at 10.00.
    """
    service = web("PRO", price=RecurringPrice.at_order(usd("40.00")))
    service = change_edition(service, "BASIC", when=at("2025-04-20"), catalog=CATALOG).service
    assert service.pending_change is not None
    service = attrs.evolve(service, timeline=attrs.evolve(service.timeline, invoice_days_before=7))
    invoiced = run_service(service, at("2025-04-24", 6), SchedulerPolicy())
    assert invoiced is not None
    assert [str(line.amount) for line in invoiced.lines] == ["USD 10.00"]
    paused = suspend(invoiced.service, OWNER, at("2025-04-26"), SuspensionKind.TEMPORARY)
    may = Period(d("2025-05-01"), d("2025-06-01"))
    lines = list(invoiced.lines) + list(paused.lines)
    assert total(overlapping(lines, may)) == 0  # May is paused throughout so far
    resumed = unsuspend(paused.service, OWNER, at("2025-04-28"))
    assert total(overlapping(lines + list(resumed.lines), may)) == 10


# 2 ---------------------------------------------------------------------------------------


def test_in_arrears_cancelling_an_order_never_activated_bills_nothing() -> None:
    """A pending (ordered, never activated) service in arrears was never used: its
    cancellation (e.g. an unpaid or fraudulent order) must invoice nothing. In advance
    nothing is invoiced either. Today it bills 10 days of "use" (3.33).
    """
    cancelled = cancel(arrears(), OWNER, at("2025-04-10"))
    assert cancelled.service.status.status is Status.CANCELLED
    assert cancelled.lines == ()


# 3 ---------------------------------------------------------------------------------------


def test_in_arrears_moving_the_next_due_date_does_not_invoice_an_invoiced_period_again() -> None:
    """In arrears ``next_due`` is the first day not paid for, behind what is invoiced.

    April was invoiced on May 1 (10.00, unpaid). A mass update moving the next due date
    to May 15 must not charge April again: today its coterm line charges [Apr 1, May 1)
    a second time (and [May 1, May 15) in advance, as for a service billed in advance).
    """
    service = active_arrears()
    april = run_service(service, at("2025-05-01", 6), SchedulerPolicy())
    assert april is not None and total(april.lines) == 10
    with pytest.raises(RuleViolation, match=r"rule mass-update\.in-arrears"):
        mass_update([april.service], STAFF, at("2025-05-10"), MassUpdate(next_due=d("2025-05-15")))


# 4 ---------------------------------------------------------------------------------------


def test_in_arrears_a_price_set_by_mass_update_applies_from_that_day_not_to_the_whole_period() -> (
    None
):
    """In arrears each price is billed over the days it was in force (terms docstring).

    Staff set the price to 40.00 on Apr 16 by mass update: April's invoice is 15 days at
    10.00 and 15 at 40.00 = 25.00, as for a change of options. Today the whole of April is
    billed at 40.00 (the new price applied retroactively).
    """
    service = active_arrears()
    (updated,) = mass_update([service], STAFF, at("2025-04-16"), MassUpdate(price=usd("40.00")))
    april = run_service(updated.service, at("2025-05-01", 6), SchedulerPolicy())
    assert april is not None
    assert total(list(updated.lines) + list(april.lines)) == 25


# 5 ---------------------------------------------------------------------------------------


def test_in_arrears_a_period_worth_nothing_is_not_a_debt_once_the_one_before_is_paid() -> None:
    """A paused period invoices nothing, so nothing of it can fall overdue.

    April (10.00) is invoiced on May 1 and paid late, on Jun 5 (within the 40 days the
    policy allows). May is paused throughout: its invoice on Jun 1 is empty. Once April is
    paid nothing is owed until June's invoice of Jul 1, so the service must not be
    suspended for non-payment on Jul 11. Today the empty May invoice stays "unpaid"
    (``next_due`` stops at May 1, there is no invoice to pay) and the service is
    suspended on Jul 11, as overdue since Jun 1.
    """
    policy = SchedulerPolicy(suspend_days_after=40)
    service = active_arrears()
    april = run_service(service, at("2025-05-01", 6), policy)
    assert april is not None and total(april.lines) == 10
    paused = suspend(april.service, OWNER, at("2025-05-01", 12), SuspensionKind.TEMPORARY)
    may = run_service(paused.service, at("2025-06-01", 6), policy)
    assert may is None or may.lines == ()
    after_may = paused.service if may is None else may.service
    resumed = unsuspend(after_may, OWNER, at("2025-06-01", 12)).service
    paid = renew(resumed, SYSTEM, at("2025-06-05")).service  # April's invoice is paid
    june = run_service(paid, at("2025-07-01", 6), policy)
    assert june is not None and total(june.lines) == 10
    later = run_service(june.service, at("2025-07-11", 6), policy)
    status = (later.service if later is not None else june.service).status
    assert status.substate is not SuspensionKind.FOR_NON_PAYMENT


# 6 ---------------------------------------------------------------------------------------


def test_a_pause_bills_nothing_for_paused_days_when_an_upgrade_waits_for_payment() -> None:
    """In advance, BASIC paid for April; an upgrade to PRO on Apr 10 waits for payment
    (its invoice: -7.00 + 28.00). The customer pauses on Apr 16, pays the upgrade on
    Apr 20, and resumes on May 16.

    Use: BASIC Apr 1-9 (3.00), PRO Apr 10-15 (8.00), paused to May 15, PRO May 16-31
    (40 x 16/31 = 20.65): 31.65, of which 10.00 was paid at the order. Today the pause
    credits the rest of April at BASIC, but the confirmed upgrade keeps PRO's charge for
    the paused days: 15.00 too much.
    """
    service = web("BASIC")
    upgrade = change_edition(service, "PRO", when=at("2025-04-10"), catalog=CATALOG)
    pending = upgrade.service.pending_change
    assert pending is not None and str(pending.timing) != "immediate"
    paused = suspend(upgrade.service, OWNER, at("2025-04-16"), SuspensionKind.TEMPORARY)
    confirmed = confirm_change_payment(paused.service, at("2025-04-20"))
    settled = run_service(confirmed.service, at("2025-05-01", 6), SchedulerPolicy())
    assert settled is not None
    resumed = unsuspend(settled.service, OWNER, at("2025-05-16"))
    outcomes = (upgrade, paused, confirmed, settled, resumed)
    lines = [line for outcome in outcomes for line in outcome.lines]
    assert abs(total(lines) - Fraction("21.65")) <= Fraction(len(lines), 100)


# 7 ---------------------------------------------------------------------------------------


def test_in_arrears_a_late_scheduler_run_bills_the_period_after_an_end_of_term_change_on_the_new_package() -> (  # noqa: E501
    None
):
    """An end-of-term downgrade PRO -> BASIC takes effect on May 1. When the scheduler
    catches up late (first run on Jun 2), April is PRO (40.00) and May, used on BASIC,
    is 10.00. Today both are billed at PRO: the change applies only after every ended
    period has been invoiced (RENEWAL_INVOICE sorts before CHANGE on every pass).
    """
    service = active_arrears(edition="PRO", price=RecurringPrice.at_order(usd("40.00")))
    down = change_edition(service, "BASIC", when=at("2025-04-20"), catalog=CATALOG)
    pending = down.service.pending_change
    assert pending is not None and pending.effective == d("2025-05-01")
    caught_up = run_service(down.service, at("2025-06-02", 6), SchedulerPolicy())
    assert caught_up is not None
    by_period = {line.period: line.amount for line in caught_up.lines}
    assert by_period == {
        Period(d("2025-04-01"), d("2025-05-01")): usd("40.00"),
        Period(d("2025-05-01"), d("2025-06-01")): usd("10.00"),
    }


# 8 ---------------------------------------------------------------------------------------


def test_a_one_time_service_in_arrears_is_refused_or_has_no_scheduler_work() -> None:
    """``billing_timing`` is a plain field: a one-time service can carry IN_ARREARS
    (built directly or read from a stored document). The scheduler's agenda then hits
    ``assert end is not None``. Either the service is refused when built (a
    RuleViolation), or nothing recurs and there is no work: never an AssertionError.
    """
    from prodlife.errors import RuleViolation

    try:
        service = Service(
            id="S-1",
            customer_id="C-1",
            product_code="SETUP",
            edition=None,
            cycle=ONE_TIME,
            price=RecurringPrice.at_order(usd("5.00")),
            payment_method="card",
            start=d("2025-04-01"),
            status=ACTIVE,
            billing_timing=BillingTiming.IN_ARREARS,
        )
    except RuleViolation:
        return
    assert next_work_date(service, SchedulerPolicy()) is None


# 9 ---------------------------------------------------------------------------------------


def test_a_pause_inside_an_unpaid_invoiced_period_bills_the_days_used_before_it() -> None:
    """In advance, May is invoiced on May 1 (10.00) and not paid yet; the customer pauses
    on May 3. May 1 and 2 were used: May nets to 10 x 2/31 = 0.65, the credit covering
    May 3 to 31 only.
    """
    service = web("BASIC")
    invoiced = run_service(service, at("2025-05-01", 6), SchedulerPolicy())
    assert invoiced is not None and total(invoiced.lines) == 10
    paused = suspend(invoiced.service, OWNER, at("2025-05-03"), SuspensionKind.TEMPORARY)
    may = Period(d("2025-05-01"), d("2025-06-01"))
    lines = list(invoiced.lines) + list(paused.lines)
    assert total(overlapping(lines, may)) == Fraction("0.65")
