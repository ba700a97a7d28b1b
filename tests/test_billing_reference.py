"""The billing engine against Kill Bill's own invoice tests (its "repair" logic).

Every expected amount below is asserted in a test of the public repository
killbill/killbill (snapshot cb60779c171391be558cd7aebb1eafea60ad2b82); each
test names the file and method. Kill Bill prorates with actual days and rounds
half up, as prodlife does by default. Where Kill Bill's *lines* differ from
prodlife's while the money agrees, the test says so (in arrears, Kill Bill
invoices the days used before a pause when it starts; prodlife when the period
ends). Like Kill Bill, prodlife keeps the part of an invoiced line still
covered, reverses the rest against the line's own period and rate, and charges
only what is due.
Kill Bill rounds the fraction to 9 decimals before the amount (a cent apart
from prodlife on exact half-cent ties whose fraction does not terminate:
``testWithWrongInitialItem``'s 0.66 for one day of 19.95 over 30, 0.67 here).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from prodlife.billing import InvoiceLine, LineType, Rate, Timeline, Track, lines_due
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY, BillingCycle, BillingSchedule
from tests._support import usd


def plan(start: date, amount: str, schedule: BillingSchedule, **fields: object) -> Timeline:
    rate = Rate(start, None, usd(amount), schedule, "plan")
    return Timeline("S", "C", start, tracks=(Track.of(LineType.RECURRING, "P", rate),), **fields)  # type: ignore[arg-type]


def bill(timeline: Timeline, on: date, invoiced: list[InvoiceLine]) -> list[tuple[str, str, str]]:
    new = lines_due(timeline, invoiced, on)
    invoiced.extend(new)
    return [
        (str(line.period), "REPAIR" if line.reverses else "RECURRING", str(line.amount.amount))
        for line in new
    ]


def started(
    start: date, amount: str, cycle: BillingCycle | BillingSchedule, invoiced: list[InvoiceLine]
) -> Timeline:
    """The plan from ``start`` (billed on that day of the period, unless ``cycle`` is a whole
    schedule) with its first invoice, billed on ``start``, in ``invoiced``."""
    schedule = cycle if isinstance(cycle, BillingSchedule) else BillingSchedule(cycle, start)
    timeline = plan(start, amount, schedule)
    bill(timeline, start, invoiced)
    return timeline


def test_annual_upgrade_repairs_the_old_year_and_prorates_the_new_one() -> None:
    """TestSubscription.testChangeOfPlan: shotgun-annual 2399.95 -> assault-rifle 5999.95."""
    year = BillingSchedule(ANNUAL, date(2012, 5, 1))
    invoiced: list[InvoiceLine] = []
    shotgun = started(date(2012, 5, 1), "2399.95", year, invoiced)
    rifle = shotgun.change_rate("P", date(2012, 5, 11), amount=usd("5999.95"))
    assert bill(rifle, date(2012, 5, 11), invoiced) == [
        ("[2012-05-11, 2013-05-01)", "REPAIR", "-2334.20"),
        ("[2012-05-11, 2013-05-01)", "RECURRING", "5835.57"),
    ]


def test_annual_change_reanchored_on_a_leap_year_period() -> None:
    """TestIntegrationWithDifferentBillingPeriods.testChangeAnnualToAnnual (BCD 1)."""
    invoiced: list[InvoiceLine] = []
    shotgun = started(date(2015, 1, 1), "2399.95", ANNUAL, invoiced)
    march = BillingSchedule(ANNUAL, date(2015, 3, 1))
    rifle = shotgun.change_rate("P", date(2015, 3, 15), amount=usd("5999.95"), schedule=march)
    lines = bill(rifle, date(2015, 3, 15), invoiced)
    assert lines == [
        ("[2015-03-15, 2016-01-01)", "REPAIR", "-1919.96"),
        ("[2015-03-15, 2016-03-01)", "RECURRING", "5770.44"),
    ]


def test_annual_cancellation_a_month_in_repairs_the_rest_of_the_year() -> None:
    """TestIntegrationInvoiceWithRepairLogic.testRepairWithFullRemainingItemAdjustment."""
    invoiced: list[InvoiceLine] = []
    shotgun = started(date(2013, 8, 18), "2399.95", ANNUAL, invoiced)
    cancelled = shotgun.ended(date(2013, 9, 17))
    assert bill(cancelled, date(2013, 9, 17), invoiced) == [
        ("[2013-09-17, 2014-08-18)", "REPAIR", "-2202.69"),
    ]


def test_monthly_cancellation_on_the_25th_repairs_seven_days() -> None:
    """TestSubscriptionItemTree.testMergeCancellationWithFinalRepair: 12.00, cut on 2014-01-25."""
    invoiced: list[InvoiceLine] = []
    monthly = started(date(2014, 1, 1), "12.00", MONTHLY, invoiced)
    assert bill(monthly.ended(date(2014, 1, 25)), date(2014, 1, 25), invoiced) == [
        ("[2014-01-25, 2014-02-01)", "REPAIR", "-2.71"),
    ]


def test_pause_and_resume_repair_the_paused_days_and_bill_from_the_resume() -> None:
    """TestIntegration.testWithPauseResume: shotgun monthly 249.95, BCD 2."""
    invoiced: list[InvoiceLine] = []
    shotgun = started(date(2012, 3, 2), "249.95", MONTHLY, invoiced)
    paused = shotgun.pause(date(2012, 3, 4))
    assert bill(paused, date(2012, 3, 4), invoiced) == [
        ("[2012-03-04, 2012-04-02)", "REPAIR", "-233.82"),
    ]
    assert bill(paused, date(2012, 4, 2), invoiced) == []  # still blocked: nothing billed
    resumed = paused.resume(date(2012, 4, 5))
    assert bill(resumed, date(2012, 4, 5), invoiced) == [
        ("[2012-04-05, 2012-05-02)", "RECURRING", "224.96"),  # 27/30 of 249.95: 224.955
    ]


def test_two_blocks_inside_one_month_repair_each_span() -> None:
    """TestSubscriptionItemTree.testMergeCancellationWithTwoMiddleRepair: 12.00 for January."""
    invoiced: list[InvoiceLine] = []
    monthly = started(date(2014, 1, 1), "12.00", MONTHLY, invoiced)
    blocked = (
        monthly.pause(date(2014, 1, 7))
        .resume(date(2014, 1, 13))
        .pause(date(2014, 1, 17))
        .resume(date(2014, 1, 25))
    )
    assert bill(blocked, date(2014, 1, 25), invoiced) == [
        ("[2014-01-07, 2014-01-13)", "REPAIR", "-2.32"),
        ("[2014-01-17, 2014-01-25)", "REPAIR", "-3.10"),
    ]


def test_monthly_to_annual_repairs_the_month_and_prorates_the_year() -> None:
    """TestIntegrationWithDifferentBillingPeriods.testChangeMonthlyToAnnual (BCD 1)."""
    invoiced: list[InvoiceLine] = []
    monthly = started(date(2012, 5, 1), "249.95", MONTHLY, invoiced)
    annual = monthly.change_rate(
        "P",
        date(2012, 5, 12),
        amount=usd("2399.95"),
        schedule=BillingSchedule(ANNUAL, date(2012, 5, 1)),
    )
    assert bill(annual, date(2012, 5, 12), invoiced) == [
        ("[2012-05-12, 2012-06-01)", "REPAIR", "-161.26"),
        ("[2012-05-12, 2013-05-01)", "RECURRING", "2327.62"),
    ]


def test_monthly_to_quarterly_then_the_next_whole_quarter() -> None:
    """TestIntegrationWithDifferentBillingPeriods.testChangeMonthlyToQuarterly: 29.95 -> 69.95."""
    invoiced: list[InvoiceLine] = []
    monthly = started(date(2012, 5, 1), "29.95", MONTHLY, invoiced)
    quarterly = monthly.change_rate(
        "P",
        date(2012, 5, 12),
        amount=usd("69.95"),
        schedule=BillingSchedule(QUARTERLY, date(2012, 5, 1)),
    )
    assert bill(quarterly, date(2012, 5, 12), invoiced) == [
        ("[2012-05-12, 2012-06-01)", "REPAIR", "-19.32"),
        ("[2012-05-12, 2012-08-01)", "RECURRING", "61.59"),
    ]
    assert bill(quarterly, date(2012, 8, 1), invoiced) == [
        ("[2012-08-01, 2012-11-01)", "RECURRING", "69.95"),
    ]


def test_a_stub_rounds_half_up_and_a_change_of_billing_day_repairs_the_tail() -> None:
    """TestIntegrationWithDifferentBillingPeriods.testChangeMonthlyToAnnualWithDifferentBCD."""
    invoiced: list[InvoiceLine] = []
    monthly = plan(date(2016, 7, 1), "249.95", BillingSchedule(MONTHLY, date(2016, 6, 10)))
    assert bill(monthly, date(2016, 7, 1), invoiced) == [
        ("[2016-07-01, 2016-07-10)", "RECURRING", "74.99"),  # 9/30 of 249.95: 74.985
    ]
    bill(monthly, date(2016, 7, 10), invoiced)
    annual = monthly.change_rate(
        "P",
        date(2016, 8, 1),
        amount=usd("2399.95"),
        schedule=BillingSchedule(ANNUAL, date(2016, 8, 1)),
    )
    assert bill(annual, date(2016, 8, 1), invoiced) == [
        ("[2016-08-01, 2016-08-10)", "REPAIR", "-72.57"),
        ("[2016-08-01, 2017-08-01)", "RECURRING", "2399.95"),
    ]


def test_billing_day_31_stub_in_march_then_full_months_of_any_length() -> None:
    """TestIntegration.testBasePlanCompleteWithBillingDayInPast: BCD 31, 599.95 then 29.95."""
    invoiced: list[InvoiceLine] = []
    bcd31 = BillingSchedule(MONTHLY, date(2012, 1, 31))
    rifle = plan(date(2012, 3, 2), "599.95", bcd31)
    assert bill(rifle, date(2012, 3, 2), invoiced) == [
        ("[2012-03-02, 2012-03-31)", "RECURRING", "561.24"),  # 29/31: [02-29, 03-31)
    ]
    pistol = rifle.schedule_rate("P", Rate(date(2012, 3, 31), None, usd("29.95"), bcd31, "pistol"))
    assert [bill(pistol, day, invoiced) for day in (date(2012, 3, 31), date(2012, 4, 30))] == [
        [("[2012-03-31, 2012-04-30)", "RECURRING", "29.95")],
        [("[2012-04-30, 2012-05-31)", "RECURRING", "29.95")],
    ]


def test_two_changes_on_consecutive_days_repair_the_repair() -> None:
    """TestIntegrationInvoiceWithRepairLogic.testMultiplePartialRepairs: 599.95 -> 9.95 -> 29.95."""
    invoiced: list[InvoiceLine] = []
    rifle = started(date(2012, 5, 1), "599.95", MONTHLY, invoiced)
    blowdart = rifle.change_rate("P", date(2012, 5, 7), amount=usd("9.95"))
    assert bill(blowdart, date(2012, 5, 7), invoiced) == [
        ("[2012-05-07, 2012-06-01)", "REPAIR", "-483.83"),
        ("[2012-05-07, 2012-06-01)", "RECURRING", "8.02"),
    ]
    pistol = blowdart.change_rate("P", date(2012, 5, 8), amount=usd("29.95"))
    assert bill(pistol, date(2012, 5, 8), invoiced) == [
        ("[2012-05-08, 2012-06-01)", "REPAIR", "-7.70"),
        ("[2012-05-08, 2012-06-01)", "RECURRING", "23.19"),
    ]
    assert bill(pistol, date(2012, 6, 1), invoiced) == [
        ("[2012-06-01, 2012-07-01)", "RECURRING", "29.95"),
    ]


def test_annual_to_monthly_and_back_the_same_day_issues_kill_bills_lines() -> None:
    """TestSubscription.testForcePolicy: 169.32 / -2334.20, then 2334.20 / -169.32."""
    invoiced: list[InvoiceLine] = []
    year = BillingSchedule(ANNUAL, date(2012, 5, 1))
    annual = started(date(2012, 5, 1), "2399.95", year, invoiced)
    monthly = annual.change_rate(
        "P",
        date(2012, 5, 11),
        amount=usd("249.95"),
        schedule=BillingSchedule(MONTHLY, date(2012, 5, 1)),
    )
    assert bill(monthly, date(2012, 5, 11), invoiced) == [
        ("[2012-05-11, 2013-05-01)", "REPAIR", "-2334.20"),
        ("[2012-05-11, 2012-06-01)", "RECURRING", "169.32"),
    ]
    back = monthly.change_rate("P", date(2012, 5, 11), amount=usd("2399.95"), schedule=year)
    assert bill(back, date(2012, 5, 11), invoiced) == [
        ("[2012-05-11, 2012-06-01)", "REPAIR", "-169.32"),
        ("[2012-05-11, 2013-05-01)", "RECURRING", "2334.20"),
    ]
    assert sum(line.amount.amount for line in invoiced) == Decimal("2399.95")


def test_in_arrears_a_pause_bills_the_days_used_either_side() -> None:
    """TestWithInArrearSubscriptions.testWithPauseResume: basic-support 100.00 in arrears.

    Kill Bill invoices the days before the pause when it starts (45.16) and the
    rest at the period's end (38.71); prodlife invoices both at the period's end.
    """
    invoiced: list[InvoiceLine] = []
    support = plan(
        date(2020, 1, 1),
        "100.00",
        BillingSchedule(MONTHLY, date(2020, 1, 1)),
        timing=BillingTiming.IN_ARREARS,
    )
    paused = support.pause(date(2020, 1, 15)).resume(date(2020, 1, 20))
    assert bill(paused, date(2020, 1, 15), invoiced) == []
    assert bill(paused, date(2020, 2, 1), invoiced) == [
        ("[2020-01-01, 2020-01-15)", "RECURRING", "45.16"),
        ("[2020-01-20, 2020-02-01)", "RECURRING", "38.71"),
    ]


def test_in_arrears_a_cancellation_bills_the_days_used_up_to_it() -> None:
    """TestWithInvoiceOptimization.testRecurringInArrear5: 100.00 monthly, cancelled 2020-02-15."""
    invoiced: list[InvoiceLine] = []
    monthly = plan(
        date(2020, 2, 1),
        "100.00",
        BillingSchedule(MONTHLY, date(2020, 2, 1)),
        timing=BillingTiming.IN_ARREARS,
    )
    assert bill(monthly.ended(date(2020, 2, 15)), date(2020, 2, 15), invoiced) == [
        ("[2020-02-01, 2020-02-15)", "RECURRING", "48.28"),  # 14/29
    ]
