"""Worked examples from public billing systems, reproduced to the cent.

Each test cites where its numbers come from and the day-count convention
that reproduces them. Inclusive service dates in the sources are written
here as half-open periods: the end is the day after the last day served.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from prodlife import (
    ACTUAL_DAYS,
    ANNUAL,
    MONTHLY,
    THIRTY_DAY_MONTHS,
    BillingCycle,
    BillingSchedule,
    Period,
)
from prodlife.alignment import align_to_billing_day
from prodlife.daycount import SECONDS, DayCount, FixedDays
from prodlife.periods import Interval
from prodlife.proration import (
    ChangeDay,
    ChangePolicy,
    Charge,
    CotermItem,
    prorate,
    quote_change,
    quote_coterm,
    quote_first_charge,
    quote_quantity_change,
)
from tests._support import P, d, eur, usd

# -- Zuora ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day_count", "stub", "total"),
    [(FixedDays(30), "46.67", "146.67"), (ACTUAL_DAYS, "45.16", "145.16")],
    ids=["30-day setting", "actual days"],
)
def test_zuora_monthly_partial_period(day_count: DayCount, stub: str, total: str) -> None:
    """Zuora Knowledge Center, "Calculating Total Amount with Partial Period Proration"
    (knowledgecenter.zuora.com/.../G_Proration/Calculating_Total_Amount_with_Partial_Period_Proration).

    $100/month, term from 2018-01-01, bill cycle day 15, billed through
    2018-02-14: a stub Jan 1-14 (14 days) and one whole month. With the
    30-day setting 100 * (1 + 14/30) = 146.67 (prodlife FixedDays(30)); with
    actual days the stub is priced against the 31-day period it belongs to,
    [2017-12-15, 2018-01-15): 100 * (1 + 14/31) = 145.16 (ACTUAL_DAYS).
    """
    quote = quote_first_charge(
        usd("100"), MONTHLY, d("2018-01-01"), billing_day=15, day_count=day_count
    )
    (line,) = quote.lines
    share = line.proration
    assert share.portion == P("2018-01-01", "2018-01-15")
    assert share.period == P("2017-12-15", "2018-01-15")
    assert share.used == 14
    assert line.amount == usd(stub)
    assert quote.next_due == d("2018-01-15")
    following = prorate(usd("100"), P("2018-01-15", "2018-02-15"), P("2018-01-15", "2018-02-15"))
    assert line.amount + following.amount == usd(total)


# Inclusive service dates within their calendar month, from the Zuora article.
ZUORA_30_DAY_CASES = [
    # (service period, month, actual days, 30 days strict, 30 days actual count)
    (P("2021-01-27", "2021-02-01"), P("2021-01-01", "2021-02-01"), (5, 31), (4, 30), (5, 30)),
    (P("2021-02-27", "2021-03-01"), P("2021-02-01", "2021-03-01"), (2, 28), (4, 30), (2, 30)),
    (P("2020-02-01", "2020-03-01"), P("2020-02-01", "2020-03-01"), (29, 29), (30, 30), (29, 30)),
    (P("2021-04-21", "2021-04-30"), P("2021-04-01", "2021-05-01"), (9, 30), (9, 30), (9, 30)),
]


@pytest.mark.parametrize(("service", "month", "actual", "strict", "count"), ZUORA_30_DAY_CASES)
def test_zuora_thirty_day_month_settings(
    service: Period,
    month: Period,
    actual: tuple[int, int],
    strict: tuple[int, int],
    count: tuple[int, int],
) -> None:
    """Zuora docs, "When prorating a month, assume 30 days in a month or use actual days?".

    Service Jan 27-31 2021, Feb 27-28 2021, all of Feb 2020, Apr 21-29 2021.
    "Actual days" gives 5/31, 2/28, 29/29, 9/30 (prodlife ACTUAL_DAYS).
    "30 days strict" gives 4/30, 4/30, 30/30, 9/30 (prodlife THIRTY_DAY_MONTHS:
    the 31st counts nothing, the last day of February carries the missing
    days). "30 days actual count" ("Assume 30 days - Actual / 360") gives 5/30,
    2/30, 29/30, 9/30: prodlife FixedDays(30, pad_short_periods=False); the
    default FixedDays(30) matches it on the partial months (see the next test).
    """
    for convention, (used, total) in (
        (ACTUAL_DAYS, actual),
        (THIRTY_DAY_MONTHS, strict),
        (FixedDays(30, pad_short_periods=False), count),
    ):
        share = prorate(usd("30"), month, service, convention)
        assert (share.used, share.total) == (used, total), convention.name
    if service != month:
        share = prorate(usd("30"), month, service, FixedDays(30))
        assert (share.used, share.total) == count


def test_zuora_thirty_day_actual_count_of_a_whole_february() -> None:
    """Zuora docs, "When prorating a month, assume 30 days in a month or use actual days?".

    Under "30 days actual count" Zuora counts the whole of February 2020 as
    29/30 of a month: FixedDays(30, pad_short_periods=False). prodlife's
    default FixedDays(30) pads a short period's first day so that a whole
    period is the full price: 30/30.
    """
    february = P("2020-02-01", "2020-03-01")
    zuora = prorate(usd("30.00"), february, february, FixedDays(30, pad_short_periods=False))
    assert zuora.fraction == Fraction(29, 30)
    assert zuora.amount == usd("29.00")
    assert zuora.convention == "actual days over 30"
    default = prorate(usd("30.00"), february, february, FixedDays(30))
    assert default.fraction == 1
    assert default.amount == usd("30.00")


def test_zuora_weekly_partial_period() -> None:
    """Zuora docs, "Calculate total amount with partial period proration" (docs.zuora.com).

    $100/week, service from Monday 2018-01-01, weekly bill cycle day
    Wednesday, billed through 2018-01-31: 100 * (5 + 2/7) = 528.57. The stub
    Jan 1-2 is 2 days of the week [2017-12-27, 2018-01-03) (actual days).
    """
    schedule = BillingSchedule(BillingCycle.weeks(1), d("2018-01-03"))
    window = schedule.period(-1)
    assert window == P("2017-12-27", "2018-01-03")
    stub = prorate(usd("100"), window, P("2018-01-01", "2018-01-03"))
    assert stub.amount == usd("28.57")
    weeks = [prorate(usd("100"), p, p).amount for p in map(schedule.period, range(5))]
    assert sum(weeks, stub.amount) == usd("528.57")


@pytest.mark.parametrize(("day_count", "share"), [(ACTUAL_DAYS, "15.81"), (FixedDays(30), "16.33")])
def test_zuora_order_metrics_added_units(day_count: DayCount, share: str) -> None:
    """Zuora order metrics example: 7 more units at $5 ($35/month) from 2018-08-18.

    The August share is 14/31 * 35 = 15.81 with actual days (ACTUAL_DAYS),
    14/30 * 35 = 16.33 with a 30-day month (FixedDays(30)).
    """
    august = P("2018-08-01", "2018-09-01")
    result = prorate(usd("5") * 7, august, P("2018-08-18", "2018-09-01"), day_count)
    assert result.used == 14
    assert result.amount == usd(share)


def test_zuora_community_annual_charge_aligned_to_the_first() -> None:
    """Zuora community, Zuora CPQ thread (community.zuora.com/t5/Zuora-CPQ/.../m-p/28734).

    $7380/year, bill cycle day 1, charge from 2019-07-05: a first stub to
    2019-08-01 of 27/365 (its year [2018-08-01, 2019-08-01)) = 545.92, then a
    final stub 2019-08-01..2020-07-04 of 339/366 (leap year
    [2019-08-01, 2020-08-01)) = 6835.57; 7381.49 in all (actual days).
    """
    first = quote_first_charge(usd("7380"), ANNUAL, d("2019-07-05"), billing_day=1)
    (line,) = first.lines
    assert line.proration.period == P("2018-08-01", "2019-08-01")
    assert (line.proration.used, line.proration.total) == (27, 365)
    assert line.amount == usd("545.92")
    last = prorate(usd("7380"), P("2019-08-01", "2020-08-01"), P("2019-08-01", "2020-07-05"))
    assert (last.used, last.total) == (339, 366)
    assert last.amount == usd("6835.57")
    assert line.amount + last.amount == usd("7381.49")


# -- Kill Bill -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "window", "actual", "thirty"),
    [
        ("2023-05-23", P("2023-05-15", "2023-06-15"), (23, 31), (22, 30)),
        ("2023-06-23", P("2023-06-15", "2023-07-15"), (22, 30), (22, 30)),
        ("2023-02-23", P("2023-02-15", "2023-03-15"), (20, 28), (22, 30)),
        ("2024-02-23", P("2024-02-15", "2024-03-15"), (21, 29), (22, 30)),
    ],
)
def test_kill_bill_leading_stub_ratios(
    start: str, window: Period, actual: tuple[int, int], thirty: tuple[int, int]
) -> None:
    """Kill Bill, github killbill/killbill
    invoice/src/test/java/org/killbill/billing/invoice/tests/TestInvoiceDateUtils*.java
    and InvoiceDateUtils.java (leading pro-ration).

    A monthly subscription started after bill cycle day 15 pays a leading
    stub up to the next 15th, priced against the month ending there. Actual
    days: 23/31, 22/30, 20/28, 21/29. Kill Bill's fixed 30-day mode gives
    0.733333333 = 22/30 each time, which is prodlife's THIRTY_DAY_MONTHS.
    """
    aligned = align_to_billing_day(d(start), 15)
    assert aligned.window == window
    for convention, (used, total) in ((ACTUAL_DAYS, actual), (THIRTY_DAY_MONTHS, thirty)):
        quote = quote_first_charge(
            usd("30"), MONTHLY, d(start), billing_day=15, day_count=convention
        )
        share = quote.lines[0].proration
        assert share.period == window
        assert (share.used, share.total) == (used, total), convention.name
    # Kill Bill's 0.733333333 is 22/30 to its 9 decimal places.
    assert round(Fraction(*thirty), 9) == Fraction("0.733333333")


def test_kill_bill_plan_change_before_billing_day() -> None:
    """Kill Bill, github killbill/killbill
    invoice/src/test/java/org/killbill/billing/invoice/tests/inAdvance/monthly/TestProRation.java,
    testPlanChange_BeforeBillingDay.

    Start 2011-02-07, bill cycle day 7, plan change 2011-02-15: the old plan
    is billed 8/28 of a month (EIGHT / TWENTY_EIGHT); the change day is the
    new plan's (ChangeDay.NEW_PLAN), so the credit is the other 20/28
    (actual days).
    """
    paid = Charge(usd("28.00"), P("2011-02-07", "2011-03-07"))
    quote = quote_change(paid, usd("56.00"), d("2011-02-15"))
    (credit,) = quote.credits
    assert credit.proration.fraction == Fraction(20, 28)
    assert credit.amount == usd("-20.00")
    used = paid.amount + credit.amount
    assert used == usd("8.00")  # 8/28 of 28.00
    assert quote.charges[0].proration.portion == P("2011-02-15", "2011-03-07")


# -- Lago ------------------------------------------------------------------------


def test_lago_upgrade_mid_month() -> None:
    """Lago, getlago.com/docs/guide/subscriptions/upgrades-downgrades.

    Plan A, EUR 100/month, calendar billing from Jan 1, upgraded on Jan 15:
    Plan A is billed for Jan 1-14, 14/31 of the month = EUR 45.16 (actual
    days; the upgrade day is the new plan's). The credit for the rest is
    EUR 100 - 45.16 = 54.84 (17/31).
    """
    january = P("2023-01-01", "2023-02-01")
    used = prorate(eur("100"), january, P("2023-01-01", "2023-01-15"))
    assert (used.used, used.total) == (14, 31)
    assert used.amount == eur("45.16")
    quote = quote_change(Charge(eur("100"), january), eur("200"), d("2023-01-15"))
    (credit,) = quote.credits
    assert credit.amount == eur("-54.84")
    assert eur("100") + credit.amount == used.amount


def test_lago_trial_then_calendar_billing() -> None:
    """Lago, plan model documentation (getlago.com/docs, plans: trial period).

    $50/month billed on calendar months, 5-day trial from Apr 1: the first
    charge covers Apr 6-30, 25/30 * 50 = 41.67 (actual days).
    """
    quote = quote_first_charge(usd("50"), MONTHLY, d("2024-04-06"), billing_day=1)
    (line,) = quote.lines
    assert line.proration.period == P("2024-04-01", "2024-05-01")
    assert (line.proration.used, line.proration.total) == (25, 30)
    assert line.amount == usd("41.67")
    assert quote.next_due == d("2024-05-01")


# -- Chargebee -------------------------------------------------------------------


def test_chargebee_downgrade_example_1() -> None:
    """Chargebee, chargebee.com/docs/proration-old.html, Example 1.

    $60/month, period 2012-04-01 to 2012-05-01, downgraded to $30 on
    2012-04-21: 10 days unused, credit 20.00, charge 10.00, net -10.00
    (actual days; the change day is the new plan's, ChangeDay.NEW_PLAN).
    """
    quote = quote_change(
        Charge(usd("60"), P("2012-04-01", "2012-05-01")), usd("30"), d("2012-04-21")
    )
    assert [line.amount for line in quote.lines] == [usd("-20.00"), usd("10.00")]
    assert quote.net == usd("-10.00")


def test_chargebee_quantity_reduction_example_2() -> None:
    """Chargebee, chargebee.com/docs/proration-old.html, Example 2.

    3 x $30/month, period 2013-04-01 to 2013-05-01, reduced to 2 on
    2013-04-10 after "10 days" of use: the change day is the old plan's
    (ChangeDay.OLD_PLAN), 20 days remain: credit 60.00, charge 40.00, net
    -20.00 (actual days).
    """
    seats = Charge(usd("90"), P("2013-04-01", "2013-05-01"), description="3 seats")
    policy = ChangePolicy(change_day=ChangeDay.OLD_PLAN)
    quote = quote_quantity_change(seats, usd("30"), 2, d("2013-04-10"), policy=policy)
    assert [line.amount for line in quote.lines] == [usd("-60.00"), usd("40.00")]
    assert quote.net == usd("-20.00")
    assert quote.lines[0].proration.portion == P("2013-04-11", "2013-05-01")


def test_chargebee_upgrade_support_article() -> None:
    """Chargebee support article 15293: upgrade from $30 to $100 on Nov 15.

    $30/month from Nov 1; the customer keeps the old plan through Nov 15
    (ChangeDay.OLD_PLAN), 15 of 30 days remain: credit 15, charge 50, net 35
    (actual days).
    """
    paid = Charge(usd("30"), P("2024-11-01", "2024-12-01"))
    policy = ChangePolicy(change_day=ChangeDay.OLD_PLAN)
    quote = quote_change(paid, usd("100"), d("2024-11-15"), policy=policy)
    assert [line.amount for line in quote.lines] == [usd("-15.00"), usd("50.00")]
    assert quote.net == usd("35.00")


def test_chargebee_downgrade_discussion() -> None:
    """Chargebee community discussion 40893: $30 to $15 on Apr 5, cycle Apr 1 - May 1.

    26 of 30 days remain from the change day (ChangeDay.NEW_PLAN): credit 26,
    charge 13, net -13 (actual days).
    """
    quote = quote_change(
        Charge(usd("30"), P("2024-04-01", "2024-05-01")), usd("15"), d("2024-04-05")
    )
    assert quote.lines[0].proration.used == 26
    assert [line.amount for line in quote.lines] == [usd("-26.00"), usd("13.00")]
    assert quote.net == usd("-13.00")


# -- Stripe ----------------------------------------------------------------------


def test_stripe_upgrade_halfway_by_the_second() -> None:
    """Stripe, docs.stripe.com/billing/subscriptions/prorations.

    $10/month to $20/month exactly halfway through the period: a -5 credit
    for the unused time on the old price, +10 for the remaining time on the
    new one, net +5. Stripe prorates to the second: Interval spans of aware
    UTC instants with SECONDS.
    """
    start = datetime(2025, 4, 1, tzinfo=UTC)
    period = Interval(start, start + timedelta(days=30))
    halfway = start + timedelta(days=15)
    policy = ChangePolicy(day_count=SECONDS)
    quote = quote_change(Charge(usd("10"), period), usd("20"), halfway, policy=policy)
    assert [line.amount for line in quote.lines] == [usd("-5.00"), usd("10.00")]
    assert quote.net == usd("5.00")
    assert quote.lines[0].proration.fraction == Fraction(1, 2)
    assert quote.next_due == period.end


def test_stripe_upgrade_halfway_by_the_day() -> None:
    """Stripe, docs.stripe.com/billing/subscriptions/prorations (same example, by dates).

    In a 30-day month, halfway is the 16th (15 days used, 15 left): -5, +10,
    net +5 (actual days, the change day on the new plan).
    """
    quote = quote_change(
        Charge(usd("10"), P("2025-11-01", "2025-12-01")), usd("20"), d("2025-11-16")
    )
    assert quote.net == usd("5.00")


# -- seed 003: prorata invoice on a new next due date ------------------------------


@pytest.mark.parametrize(
    ("day_count", "a", "b"),
    [
        (ACTUAL_DAYS, ((9, 31), "8.71"), ((5, 31), "9.68")),
        (THIRTY_DAY_MONTHS, ((9, 30), "9.00"), ((5, 30), "10.00")),
        (FixedDays(30), ((8, 30), "8.00"), ((4, 30), "8.00")),
    ],
)
def test_seed_003_prorata_invoice_on_a_new_due_date(
    day_count: DayCount, a: tuple[tuple[int, int], str], b: tuple[tuple[int, int], str]
) -> None:
    """Seed 003 (the hosting billing manual, ../shared/seeds/003_*.txt, "创建按比例发票").

    Product A due 2012-01-01 at $30/month and product B due 2012-01-05 at
    $60/month are moved to the new due date 2012-01-10. The manual's invoice
    says A $8.00, B $10.00, total $18.00, which no single convention gives:
    actual days give A 9/31 = 8.71, B 5/31 = 9.68; 30-day months give A 9/30
    = 9.00, B 5/30 = 10.00 (B as in the manual); fixed 30 days give A 8/30
    = 8.00 (A as in the manual: the first day of a 31-day window counts
    nothing), B 4/30 = 8.00.
    """
    items = [
        CotermItem("A", usd("30"), MONTHLY, d("2012-01-01")),
        CotermItem("B", usd("60"), MONTHLY, d("2012-01-05")),
    ]
    quote = quote_coterm(items, d("2012-01-10"), day_count=day_count)
    line_a, line_b = quote.lines
    assert (line_a.subject, line_b.subject) == ("A", "B")
    assert line_a.proration.portion == P("2012-01-01", "2012-01-10")
    assert line_b.proration.portion == P("2012-01-05", "2012-01-10")
    for line, ((used, total), amount) in ((line_a, a), (line_b, b)):
        assert (line.proration.used, line.proration.total) == (used, total)
        assert line.amount == usd(amount)
    assert quote.net == usd(a[1]) + usd(b[1])
    assert quote.net != usd("18.00")
