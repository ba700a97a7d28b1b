"""The billing conventions of public systems, reproduced against their own figures.

Every expected figure here comes from the named system's test suite, never from prodlife:

- Kill Bill (github.com/killbill/killbill), ``invoice/src/test/java/org/killbill/billing/
  invoice/``: ``generator/TestInAdvanceBillingIntervalDetail.java`` (first billing dates),
  ``proRations/inAdvance/quarterly/TestLeadingProRation.java`` and
  ``proRations/inAdvance/monthly/TestProRation.java`` (numbers of billing periods),
  ``generator/TestInvoiceDateUtilsWithFixedProration.java`` (fixed 30-day proration),
  ``usage/TestContiguousIntervalConsumableInArrear.java`` (tiered blocks, ``ALL_TIERS`` and
  ``TOP_TIER``); ``beatrix/.../integration/TestIntegrationWithDifferentBillingPeriods.java``
  (a cycle change re-anchored on the billing day) and ``TestIntegration.java`` (a THIRTY_DAYS
  plan).
- Lago (github.com/getlago/lago-api): ``spec/services/fees/subscription_service_spec.rb``
  (calendar billing fees of a plan of 100 cents),
  ``spec/services/subscriptions/dates/quarterly_service_spec.rb`` and
  ``semiannual_service_spec.rb`` (calendar quarters and half-years),
  ``spec/services/charge_models/package_service_spec.rb`` (free units) and
  ``spec/services/charge_models/graduated_service_spec.rb`` (the first range's flat fee at
  zero units).
- Zuora (docs.zuora.com): "When prorating a month, assume 30 days in a month or use actual
  days?" (the "Assume 30 days - Actual / 360" ratios) and "Calculate total amount with partial
  period proration" (a $100 monthly charge with bill cycle day 15).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from prodlife import THIRTY_DAY_MONTHS, Period
from prodlife.alignment import LongCycles, StubWindow
from prodlife.billing import InvoiceLine, LineType, Prorata, Timeline, Track, lines_due
from prodlife.billing import Rate as TimelineRate
from prodlife.billing.changes import change_rate
from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme, BillingTiming
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY, SEMI_ANNUAL, BillingCycle, BillingSchedule
from prodlife.daycount import (
    ACTUAL_DAYS,
    CALENDAR_30_DAYS,
    CalendarMonthDays,
    DayCount,
    FixedDays,
)
from prodlife.errors import RuleViolation
from prodlife.lifecycle import (
    ACTIVE,
    OrderLine,
    Service,
    billed,
    first_invoice_day,
    price_order,
    renew,
    services_for,
)
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.terms import under_terms
from prodlife.money import Money
from prodlife.pricing import OrderLineSpec
from prodlife.pricing.rates import Rate as PriceRate
from prodlife.pricing.rates import RateModel, Tier
from prodlife.proration import Anchor, ChangePolicy, Charge, quote_change
from tests._lifecycle import SYSTEM, at
from tests._support import d
from tests.test_billing_prorata import WEEKLY_VPS
from tests.test_lifecycle_orders import CONTEXT, order

KILL_BILL = LongCycles.WHOLE_CYCLES
WEEKLY = BillingCycle.weeks(1)
IN_ADVANCE, IN_ARREARS = BillingTiming.IN_ADVANCE, BillingTiming.IN_ARREARS


def bill(
    prorata: Prorata,
    start: date,
    cycle: BillingCycle,
    price: Money,
    on: date,
    *,
    timing: BillingTiming = IN_ADVANCE,
    end: date | None = None,
    day_count: DayCount = ACTUAL_DAYS,
) -> tuple[InvoiceLine, ...]:
    """What the engine bills on ``on`` for a service aligned by ``prorata``."""
    first = prorata.first_periods(start, cycle)
    track = Track.of(LineType.RECURRING, "", *first.rates(start, price, "plan"))
    timeline = Timeline("S-1", "C-1", start, end, timing, (track,), day_count=day_count)
    return lines_due(timeline, (), on)


def total(lines: tuple[InvoiceLine, ...]) -> Decimal:
    return sum((line.amount.amount for line in lines), Decimal(0))


# -- Kill Bill: the first billing date of a long cycle ------------------------------------


@pytest.mark.parametrize(
    ("start", "bcd", "annual", "monthly"),
    [
        # TestInAdvanceBillingIntervalDetail.testCalculateFirstBillingCycleDate1..4
        ("2012-01-16", 17, "2012-01-17", "2012-01-17"),
        ("2012-02-16", 30, "2012-02-29", "2012-02-29"),
        ("2012-01-31", 30, "2013-01-30", "2012-02-29"),
        ("2012-02-16", 14, "2013-02-14", "2012-03-14"),
    ],
)
def test_kill_bill_puts_the_first_billing_date_whole_cycles_after_the_start_month(
    start: str, bcd: int, annual: str, monthly: str
) -> None:
    prorata = Prorata(bcd, cycles=KILL_BILL)
    assert prorata.first_periods(d(start), ANNUAL).first_due == d(annual)
    assert prorata.first_periods(d(start), MONTHLY).first_due == d(monthly)


def test_kill_bill_thirty_day_plans_start_on_the_start_date() -> None:
    # Same tests: a THIRTY_DAYS plan ignores the BCD; its first billing date is its start.
    prorata = Prorata(17, cycles=KILL_BILL)
    thirty_days = BillingCycle.days(30)
    assert not prorata.applies_to(thirty_days)
    for start in ("2012-01-16", "2012-02-16", "2012-01-31"):
        assert BillingSchedule(thirty_days, d(start)).period(0).start == d(start)


def test_kill_bill_thirty_day_plans_step_thirty_days_whatever_the_bcd() -> None:
    # beatrix TestIntegration.testThirtyDaysPlanWithFixedTermMonthlyAddOn: account BCD 1,
    # "Pistol" THIRTY_DAYS at 29.95 from 2015-05-01: [2015-05-01, 2015-05-31) first, and
    # [2016-03-26, 2016-04-25) eleven periods later, 29.95 each.
    start = d("2015-05-01")
    schedule = BillingSchedule(BillingCycle.days(30), start)
    rate = TimelineRate(start, None, Money("29.95", "USD"), schedule, "Pistol")
    timeline = Timeline("S-1", "C-1", start, tracks=(Track.of(LineType.RECURRING, "", rate),))
    lines = lines_due(timeline, (), d("2016-03-26"))
    assert (str(lines[0].period), str(lines[0].amount)) == ("[2015-05-01, 2015-05-31)", "USD 29.95")
    assert (str(lines[-1].period), str(lines[-1].amount)) == (
        "[2016-03-26, 2016-04-25)",
        "USD 29.95",
    )
    assert len(lines) == 12 and {line.amount for line in lines} == {Money("29.95", "USD")}


@pytest.mark.parametrize(
    ("target", "periods"),
    [
        # quarterly/TestLeadingProRation: start 2011-02-01, BCD 13, 12/92 then whole quarters.
        ("2011-02-01", Fraction(12, 92)),
        ("2011-02-04", Fraction(12, 92)),
        ("2011-02-13", Fraction(12, 92) + 1),
        ("2011-06-13", Fraction(12, 92) + 2),
    ],
)
def test_kill_bill_quarterly_leading_proration(target: str, periods: Fraction) -> None:
    lines = bill(
        Prorata(13, cycles=KILL_BILL), d("2011-02-01"), QUARTERLY, Money("920.00", "USD"), d(target)
    )
    assert total(lines) == Decimal("920.00") * periods.numerator / periods.denominator


def test_kill_bill_measures_a_stub_ending_on_a_clamped_day_one_month_back() -> None:
    # monthly/TestProRation.testSinglePlan_ChangeBCDTo31: from 2011-02-14 with BCD 31,
    # billed on 2011-03-01: 1 + 14/31 periods (the stub to Feb 28 against Jan 28-Feb 28).
    kill_bill = Prorata(31, cycles=KILL_BILL, stub=StubWindow.CYCLE_BEFORE_END)
    lines = bill(kill_bill, d("2011-02-14"), MONTHLY, Money("310.00", "USD"), d("2011-03-01"))
    assert total(lines) == Decimal("310.00") + Decimal("140.00")
    # prodlife's default measures that stub against Jan 31-Feb 28 (14/28) instead.
    default = bill(Prorata(31), d("2011-02-14"), MONTHLY, Money("310.00", "USD"), d("2011-03-01"))
    assert total(default) != total(lines)


# -- Kill Bill: fixed 30-day proration ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days", "expected"),
    [
        # TestInvoiceDateUtilsWithFixedProration.testDaysBetweenWithFixedDaysInMonth*
        ("2023-05-15", "2023-05-23", 30, 8),
        ("2024-02-15", "2024-02-23", 30, 8),
        ("2023-05-23", "2023-06-15", 30, 22),
        ("2023-06-23", "2023-07-15", 30, 22),
        ("2023-02-23", "2023-03-15", 30, 22),
        ("2024-02-23", "2024-03-15", 30, 22),
        ("2023-05-23", "2023-06-15", 28, 20),
        ("2023-02-23", "2023-03-15", 28, 20),
        ("2024-02-23", "2024-03-15", 28, 20),
    ],
)
def test_kill_bill_fixed_days_count_calendar_months(
    start: str, end: str, days: int, expected: int
) -> None:
    window = Period(d(start), MONTHLY.shift(d(start), 1))
    assert CalendarMonthDays(days).measure(Period(d(start), d(end)), window).used == expected


@pytest.mark.parametrize(
    ("start", "next_bcd", "expected"),
    [
        # testProRationBeforeFirstBillingPeriod1 and 2 (leading stubs).
        ("2023-05-23", "2023-06-15", "0.733333333"),
        ("2023-06-23", "2023-07-15", "0.733333333"),
        ("2023-02-23", "2023-03-15", "0.733333333"),
        ("2024-02-23", "2024-03-15", "0.733333333"),
        ("2023-05-15", "2023-05-23", "0.266666667"),
        ("2023-06-15", "2023-06-23", "0.266666667"),
    ],
)
def test_kill_bill_fixed_30_leading_proration(start: str, next_bcd: str, expected: str) -> None:
    window = Period(MONTHLY.shift(d(next_bcd), -1), d(next_bcd))
    fraction = CALENDAR_30_DAYS.measure(Period(d(start), d(next_bcd)), window).fraction
    assert round(Decimal(fraction.numerator) / fraction.denominator, 9) == Decimal(expected)


@pytest.mark.parametrize(
    ("bill_through", "end"),
    [
        # testProRationAfterLastBillingCycleDate (trailing stubs): 0.733333333 each.
        ("2023-05-23", "2023-06-15"),
        ("2023-06-23", "2023-07-15"),
        ("2023-02-23", "2023-03-15"),
        ("2024-02-23", "2024-03-15"),
    ],
)
def test_kill_bill_fixed_30_trailing_proration(bill_through: str, end: str) -> None:
    period = Period(d(bill_through), MONTHLY.shift(d(bill_through), 1))
    portion = Period(d(bill_through), d(end))
    assert CALENDAR_30_DAYS.measure(portion, period).fraction == Fraction(22, 30)


def test_thirty_day_months_is_not_kill_bills_fixed_30_on_a_trailing_stub() -> None:
    # THIRTY_DAY_MONTHS counts months from the period's start: May 23 to Jun 15 of the period
    # from May 23 is 23 units, not Kill Bill's 22 (testProRationAfterLastBillingCycleDate).
    period, portion = (
        Period(d("2023-05-23"), d("2023-06-23")),
        Period(d("2023-05-23"), d("2023-06-15")),
    )
    assert THIRTY_DAY_MONTHS.measure(portion, period).fraction != Fraction(22, 30)


def test_kill_bill_fixed_30_through_the_engine() -> None:
    # The leading stub of testProRationBeforeFirstBillingPeriod1: 2023-05-23 to the BCD 15.
    lines = bill(
        Prorata(15),
        d("2023-05-23"),
        MONTHLY,
        Money("30.00", "USD"),
        d("2023-05-23"),
        day_count=CALENDAR_30_DAYS,
    )
    assert [str(line.amount) for line in lines] == ["USD 22.00"]  # 0.733333333 x 30.00


# -- Lago: calendar billing -------------------------------------------------------------------

CENT_PLAN = Money("1.00", "EUR")  # Lago's specs: a plan of 100 cents


@pytest.mark.parametrize("timing", list(BillingTiming))
@pytest.mark.parametrize(
    ("cycle", "arrears_on", "expected"),
    [
        # "when plan is monthly / when subscription start is on any other day": started
        # 2022-03-15, 55 cents (54.838...) in arrears and in advance.
        pytest.param(MONTHLY, "2022-04-01", ("[2022-03-15, 2022-04-01)", "EUR 0.55"), id="monthly"),
        # "when plan is yearly / when subscription start is on any other day": started
        # 2022-03-15, 80 cents (292 of 365 days) to the end of the year, in arrears and in
        # advance.
        pytest.param(ANNUAL, "2023-01-01", ("[2022-03-15, 2023-01-01)", "EUR 0.80"), id="yearly"),
    ],
)
def test_lago_calendar_first_period_is_prorated(
    timing: BillingTiming, cycle: BillingCycle, arrears_on: str, expected: tuple[str, str]
) -> None:
    on = d("2022-03-15") if timing is IN_ADVANCE else d(arrears_on)
    lines = bill(Prorata.calendar(), d("2022-03-15"), cycle, CENT_PLAN, on, timing=timing)
    assert [(str(line.period), str(line.amount)) for line in lines] == [expected]


@pytest.mark.parametrize("timing", list(BillingTiming))
def test_lago_calendar_weekly_periods_start_on_monday(timing: BillingTiming) -> None:
    # "when plan is weekly": started Monday 2022-06-20, 100 cents; Wednesday 2022-06-22,
    # 71 cents (71.428...), in arrears and in advance.
    for start, expected in (("2022-06-20", "EUR 1.00"), ("2022-06-22", "EUR 0.71")):
        on = d(start) if timing is IN_ADVANCE else d("2022-06-27")
        lines = bill(Prorata.calendar(), d(start), WEEKLY, CENT_PLAN, on, timing=timing)
        assert [(str(line.period.end), str(line.amount)) for line in lines if line.period] == [
            ("2022-06-27", expected)
        ]


def test_lago_calendar_last_period_is_prorated_on_termination() -> None:
    # "when billing a newly terminated subscription": monthly, billed from Mar 1 to the end
    # of Mar 20 (65 cents, 64.516...); weekly, from Monday Mar 14 to the end of Mar 16
    # (43 cents, 42.857...). In arrears.
    monthly = bill(
        Prorata.calendar(),
        d("2022-02-01"),
        MONTHLY,
        CENT_PLAN,
        d("2022-03-21"),
        timing=IN_ARREARS,
        end=d("2022-03-21"),
    )
    assert [
        str(line.amount)
        for line in monthly
        if line.period == Period(d("2022-03-01"), d("2022-03-21"))
    ] == ["EUR 0.65"]
    weekly = bill(
        Prorata.calendar(),
        d("2022-03-07"),
        WEEKLY,
        CENT_PLAN,
        d("2022-03-17"),
        timing=IN_ARREARS,
        end=d("2022-03-17"),
    )
    assert [str(line.amount) for line in weekly][-1] == "EUR 0.43"


def test_lago_calendar_quarters_start_in_january_april_july_and_october() -> None:
    # quarterly_service_spec "when billing_time is calendar": billed on 2022-07-01, the
    # period began on 2022-04-01 (subscription of 2021-02-02).
    schedule = Prorata.calendar().first_periods(d("2021-02-02"), QUARTERLY).schedule
    assert schedule.period_containing(d("2022-06-30")) == Period(d("2022-04-01"), d("2022-07-01"))


def test_lago_calendar_half_years_start_in_january_and_july() -> None:
    # semiannual_service_spec "when billing_time is calendar": billed on 2022-07-01, the
    # period began on 2022-01-01 (subscription of 2021-02-02); a subscription started on
    # 2022-04-07 is billed from its start.
    prorata = Prorata.calendar()
    schedule = prorata.first_periods(d("2021-02-02"), SEMI_ANNUAL).schedule
    assert schedule.period_containing(d("2022-06-30")) == Period(d("2022-01-01"), d("2022-07-01"))
    first = prorata.first_periods(d("2022-04-07"), SEMI_ANNUAL)
    assert first.first_due == d("2022-07-01")


# -- through the order flow -----------------------------------------------------------------


def _ordered(day: date, prorata: Prorata, spec: OrderLineSpec, *, arrears: bool = False) -> Service:
    """A service ordered on ``day`` with ``prorata`` (unbilled), in arrears if asked."""
    placed = order(
        lines=(OrderLine(spec),), placed_at=datetime.combine(day, datetime.min.time(), UTC)
    )
    context = CONTEXT
    if spec.cycle == WEEKLY:
        rates = (*CONTEXT.plan.rates, WEEKLY_VPS)
        context = attrs.evolve(CONTEXT, plan=attrs.evolve(CONTEXT.plan, rates=rates))
    (service,) = services_for(
        placed, price_order(placed, context), context=context, prorata=prorata
    )
    if arrears:
        scheme = BillingTermScheme(
            "POST", "post-billed", prepaid=False, terms=[BillingTerm("VPS", IN_ARREARS)]
        )
        service = under_terms(service, scheme)
    return service


def _first_invoice(service: Service) -> tuple[Service, list[InvoiceLine]]:
    outcome = billed(Outcome(service), first_invoice_day(service))
    return outcome.service, list(outcome.lines)


def test_kill_bill_clamped_stub_ordered_then_renewed_on_the_31st() -> None:
    # monthly/TestProRation.testSinglePlan_ChangeBCDTo31: from 2011-02-14 with BCD 31 the stub
    # is 14/31 of a period (VPS 10.00 a month: 4.52), then whole months from Feb 28.
    kill_bill = Prorata(31, cycles=KILL_BILL, stub=StubWindow.CYCLE_BEFORE_END)
    service, lines = _first_invoice(_ordered(d("2011-02-14"), kill_bill, OrderLineSpec("VPS")))
    assert [(str(line.period), str(line.amount)) for line in lines if line.period] == [
        ("[2011-02-14, 2011-02-28)", "USD 4.52")
    ]
    assert service.next_due == d("2011-02-28")
    renewed = renew(attrs.evolve(service, status=ACTIVE), SYSTEM, at("2011-02-27"))
    assert [str(line.period) for line in renewed.lines] == ["[2011-02-28, 2011-03-31)"]
    assert renewed.service.next_due == d("2011-03-31")


def test_lago_calendar_billing_through_an_order() -> None:
    # Lago's fractions (subscription_service_spec): 17/31 of a month from 2022-03-15
    # (54.838...%), 5/7 of a week from Wednesday 2022-06-22 (71.428...%); VPS is 10.00 a month
    # and 3.00 a week here.
    monthly, lines = _first_invoice(
        _ordered(d("2022-03-15"), Prorata.calendar(), OrderLineSpec("VPS"))
    )
    assert [str(line.amount) for line in lines if line.period] == ["USD 5.48"]
    assert monthly.next_due == d("2022-04-01")
    weekly, lines = _first_invoice(
        _ordered(d("2022-06-22"), Prorata.calendar(), OrderLineSpec("VPS", cycle=WEEKLY))
    )
    assert [str(line.amount) for line in lines if line.period] == ["USD 2.14"]
    assert weekly.next_due == d("2022-06-27")


def test_lago_calendar_billing_in_arrears_bills_the_prorated_first_month_when_it_ends() -> None:
    # Lago, pay in arrears, started 2022-03-15: 17/31 of the month, billed at its end.
    service = _ordered(d("2022-03-15"), Prorata.calendar(), OrderLineSpec("VPS"), arrears=True)
    assert [line for line in billed(Outcome(service), d("2022-03-31")).lines if line.period] == []
    lines = billed(Outcome(service), d("2022-04-01")).lines
    assert [(str(line.period), str(line.amount)) for line in lines if line.period] == [
        ("[2022-03-15, 2022-04-01)", "USD 5.48")
    ]


# -- Lago: a package rate with free units ---------------------------------------------------


@pytest.mark.parametrize(
    ("free_units", "expected"),
    # spec/services/charge_models/package_service_spec.rb: 121 units, packages of 10 at 100.
    [(0, "1300"), (10, "1200"), (200, "0")],
)
def test_lago_package_charge_with_free_units(free_units: int, expected: str) -> None:
    rate = PriceRate.package(Money("100", "EUR"), 10, free_units=free_units)
    assert rate.charge(121).total == Money(expected, "EUR")


def test_free_units_are_for_package_rates_only() -> None:
    with pytest.raises(RuleViolation, match="free units"):
        PriceRate(RateModel.PER_UNIT, price=Money("1", "EUR"), free_units=5)
    with pytest.raises(RuleViolation, match="free units"):
        PriceRate.package(Money("1", "EUR"), 10, free_units=-1)


# -- Lago: a graduated rate's first flat fee at zero units ------------------------------------
#
# spec/services/charge_models/graduated_service_spec.rb: ranges 0-10 at 10 a unit + 2 flat,
# 11-20 at 5 + 3 flat, 21 and more at 5 + 3 flat.

LAGO_RANGES = (
    Tier(10, Money("10", "EUR"), flat_fee=Money("2", "EUR")),
    Tier(20, Money("5", "EUR"), flat_fee=Money("3", "EUR")),
    Tier(None, Money("5", "EUR"), flat_fee=Money("3", "EUR")),
)


@pytest.mark.parametrize(
    ("units", "expected"),
    # "when aggregation is 0": 2 (the first tier's flat amount); 1: 12; 10: 102; 11: 110;
    # 12: 115; 21: 163.
    [(0, "2"), (1, "12"), (10, "102"), (11, "110"), (12, "115"), (21, "163")],
)
def test_lago_graduated_charges_the_first_flat_fee_even_at_zero_units(
    units: int, expected: str
) -> None:
    rate = PriceRate.graduated(LAGO_RANGES, first_flat_fee_at_zero=True)
    assert rate.charge(units).total == Money(expected, "EUR")


def test_lago_graduated_at_zero_units_with_a_free_first_range_charges_nothing() -> None:
    # "when first tier flat amount is zero": ranges 0-0.01 at 0 + 0 flat, then 0.01-10 at
    # 10 + 2 flat, then 11 and more at 5 + 3 flat: zero units cost 0.
    ranges = (
        Tier(Decimal("0.01"), Money("0", "EUR"), flat_fee=Money("0", "EUR")),
        Tier(10, Money("10", "EUR"), flat_fee=Money("2", "EUR")),
        Tier(None, Money("5", "EUR"), flat_fee=Money("3", "EUR")),
    )
    rate = PriceRate.graduated(ranges, first_flat_fee_at_zero=True)
    assert rate.charge(0).total == Money("0", "EUR")


def test_a_graduated_rate_charges_no_flat_fee_at_zero_units_by_default() -> None:
    assert PriceRate.graduated(LAGO_RANGES).charge(0).total == Money("0", "EUR")
    assert PriceRate.graduated(LAGO_RANGES).charge(21).total == Money("163", "EUR")


def test_the_first_flat_fee_at_zero_is_an_option_of_graduated_rates_only() -> None:
    with pytest.raises(RuleViolation, match="first_flat_fee_at_zero"):
        PriceRate(RateModel.VOLUME, tiers=LAGO_RANGES, first_flat_fee_at_zero=True)
    with pytest.raises(RuleViolation, match="first_flat_fee_at_zero"):
        PriceRate.graduated(LAGO_RANGES, first_flat_fee_at_zero=1)  # type: ignore[arg-type]


# -- Kill Bill: tiered blocks (ALL_TIERS and TOP_TIER) ------------------------------------------
#
# invoice/src/test/java/org/killbill/billing/invoice/usage/
# TestContiguousIntervalConsumableInArrear.java; each block tier is (size, max, price), the
# last max None where Kill Bill's is -1 (unlimited) or is passed by the quantity.


def _kill_bill_blocks(*blocks: tuple[int, int | None, str]) -> list[tuple[int, int | None, Money]]:
    return [(size, most, Money(price, "USD")) for size, most, price in blocks]


@pytest.mark.parametrize(
    ("blocks", "units", "amounts"),
    [
        # testComputeBilledUsageSizeOneWith_ALL_TIERS: 111 = 10 + 100 + 1 -> 15.0, 100.0, 0.5
        (((1, 10, "1.5"), (1, 100, "1.0"), (1, None, "0.5")), 111, ["15.0", "100.0", "0.5"]),
        # testComputeBilledUsageWith_ALL_TIERS (and ...WithUnlimitedMax...): 5325 units,
        # 10 blocks of 100 then blocks of 1000 -> 10 and 5
        (((100, 10, "1"), (1000, None, "1")), 5325, ["10", "5"]),
        # testComputeMissingItemsAggregateModeAllTier_AGGREGATE, unit BAR: 99 -> 198;
        # 101 -> 200 (tier 1) and 20 (tier 2)
        (((1, 100, "2"), (1, 500, "20"), (1, None, "200")), 99, ["198"]),
        (((1, 100, "2"), (1, 500, "20"), (1, None, "200")), 101, ["200", "20"]),
    ],
)
def test_kill_bill_all_tiers_charges_each_tier_in_its_own_blocks(
    blocks: tuple[tuple[int, int | None, str], ...], units: int, amounts: list[str]
) -> None:
    charge = PriceRate.tiered_blocks(_kill_bill_blocks(*blocks)).charge(units)
    assert [part.amount for part in charge.parts] == [Money(a, "USD") for a in amounts]


@pytest.mark.parametrize(
    ("blocks", "units", "amount"),
    [
        # testComputeBilledUsageWith_TOP_TIER: 1000 -> 10; 101000 -> 101; 101001 -> 51.0;
        # 300000 (past the last tier's max, priced at the last tier) -> 150.0
        (((100, 10, "1"), (1000, 100, "1"), (1000, None, "0.5")), 1000, "10"),
        (((100, 10, "1"), (1000, 100, "1"), (1000, None, "0.5")), 101000, "101"),
        (((100, 10, "1"), (1000, 100, "1"), (1000, None, "0.5")), 101001, "51.0"),
        (((100, 10, "1"), (1000, 100, "1"), (1000, None, "0.5")), 300000, "150.0"),
        # testComputeBilledUsageWithUnlimitedMaxWith_TOP_TIER: 2000 units -> tier 2, 20
        (((100, 10, "10"), (100, None, "1")), 2000, "20"),
        # testComputeBilledUsageSizeOneWith_TOP_TIER: 111 x 0.5 = 55.5
        (((1, 10, "1.5"), (1, 100, "1.0"), (1, None, "0.5")), 111, "55.5"),
        # testComputeMissingItemsAggregateModeTopTier_AGGREGATE: BAR 101 -> 2020, FOO 76 -> 7600
        (((1, 100, "2"), (1, 500, "20"), (1, None, "200")), 101, "2020"),
        (((1, 10, "1"), (1, 50, "10"), (1, None, "100")), 76, "7600"),
    ],
)
def test_kill_bill_top_tier_charges_every_unit_at_the_reached_tier(
    blocks: tuple[tuple[int, int | None, str], ...], units: int, amount: str
) -> None:
    rate = PriceRate.tiered_blocks(_kill_bill_blocks(*blocks), top_tier=True)
    assert rate.charge(units).total == Money(amount, "USD")


def test_block_tiers_are_an_option_of_the_tier_and_units_are_the_default() -> None:
    # Without a block size, the same bounds charge unit by unit (prodlife's graduated rate).
    units = PriceRate.graduated(
        (
            Tier(1000, Money("1", "USD")),
            Tier(None, Money("1", "USD")),
        )
    )
    assert units.charge(5325).total == Money("5325", "USD")
    blocks = PriceRate.tiered_blocks(_kill_bill_blocks((100, 10, "1"), (1000, None, "1")))
    assert blocks.tiers == (
        Tier(1000, Money("1", "USD"), block_size=100),
        Tier(None, Money("1", "USD"), block_size=1000),
    )


# -- Zuora: "Assume 30 days - Actual / 360" ------------------------------------------------------
#
# docs.zuora.com, "When prorating a month, assume 30 days in a month or use actual days?" (the
# ratio table) and "Calculate total amount with partial period proration" (the $100 example).

ZUORA_ACTUAL_360 = FixedDays(30, pad_short_periods=False)


@pytest.mark.parametrize(
    ("service", "month", "ratio"),
    [
        # Inclusive service dates Jan 27-31 2021, Feb 27-28 2021, all of Feb 2020, Apr 21-29 2021.
        (("2021-01-27", "2021-02-01"), ("2021-01-01", "2021-02-01"), Fraction(5, 30)),
        (("2021-02-27", "2021-03-01"), ("2021-02-01", "2021-03-01"), Fraction(2, 30)),
        (("2020-02-01", "2020-03-01"), ("2020-02-01", "2020-03-01"), Fraction(29, 30)),
        (("2021-04-21", "2021-04-30"), ("2021-04-01", "2021-05-01"), Fraction(9, 30)),
    ],
)
def test_zuora_actual_count_over_30(
    service: tuple[str, str], month: tuple[str, str], ratio: Fraction
) -> None:
    portion, period = Period(d(service[0]), d(service[1])), Period(d(month[0]), d(month[1]))
    assert ZUORA_ACTUAL_360.measure(portion, period).fraction == ratio


def test_zuora_actual_count_over_30_through_the_engine() -> None:
    # $100 a month from 2018-01-01, bill cycle day 15, billed through 2018-02-14:
    # 100 * (1 + 14/30) = 146.67 under the 30-day setting.
    lines = bill(
        Prorata(15),
        d("2018-01-01"),
        MONTHLY,
        Money("100.00", "USD"),
        d("2018-01-15"),
        day_count=ZUORA_ACTUAL_360,
    )
    assert [str(line.amount) for line in lines] == ["USD 46.67", "USD 100.00"]
    assert total(lines) == Decimal("146.67")


# -- Kill Bill: a cycle change re-anchored on the billing day of the change month ---------------
#
# beatrix/src/test/java/org/killbill/billing/beatrix/integration/
# TestIntegrationWithDifferentBillingPeriods.java: an account with BCD 1, monthly from
# 2012-05-01 (after April's trial), changed on 2012-05-12 (IMMEDIATE).

KILL_BILL_CHANGE = ChangePolicy(anchor=Anchor.BILLING_DAY)


@pytest.mark.parametrize(
    ("cycle", "monthly", "new_price", "expected", "next_due"),
    [
        # testChangeMonthlyToAnnual: Shotgun 249.95 a month -> 2399.95 a year.
        (
            ANNUAL,
            "249.95",
            "2399.95",
            [("[2012-05-12, 2012-06-01)", "-161.26"), ("[2012-05-12, 2013-05-01)", "2327.62")],
            "2013-05-01",
        ),
        # testChangeMonthlyToQuarterly: 29.95 a month -> 69.95 a quarter.
        (
            QUARTERLY,
            "29.95",
            "69.95",
            [("[2012-05-12, 2012-06-01)", "-19.32"), ("[2012-05-12, 2012-08-01)", "61.59")],
            "2012-08-01",
        ),
    ],
)
def test_kill_bill_reanchors_a_cycle_change_on_the_billing_day_of_the_change_month(
    cycle: BillingCycle,
    monthly: str,
    new_price: str,
    expected: list[tuple[str, str]],
    next_due: str,
) -> None:
    start, change = d("2012-05-01"), d("2012-05-12")
    rate = TimelineRate(start, None, Money(monthly, "USD"), BillingSchedule(MONTHLY, start), "plan")
    timeline = Timeline("S-1", "C-1", start, tracks=(Track.of(LineType.RECURRING, "", rate),))
    invoiced = list(lines_due(timeline, (), start))
    changed = change_rate(
        timeline,
        "",
        change,
        Money(new_price, "USD"),
        cycle=cycle,
        policy=KILL_BILL_CHANGE,
        description="new plan",
    )
    lines = lines_due(changed, invoiced, change)
    assert [(str(line.period), str(line.amount.amount)) for line in lines] == expected
    quote = quote_change(
        Charge(Money(monthly, "USD"), Period(start, d("2012-06-01"))),
        Money(new_price, "USD"),
        change,
        new_cycle=cycle,
        policy=KILL_BILL_CHANGE,
    )
    assert [str(line.amount.amount) for line in quote.lines] == [a for _, a in expected]
    assert quote.next_due == d(next_due)
    if cycle is QUARTERLY:
        # Then whole quarters from the billing day: 2012-08-01 to 2012-11-01 at 69.95.
        later = lines_due(changed, [*invoiced, *lines], d("2012-08-01"))
        assert [(str(line.period), str(line.amount)) for line in later] == [
            ("[2012-08-01, 2012-11-01)", "USD 69.95")
        ]


def test_prodlife_keeps_the_anniversary_on_a_cycle_change_by_default() -> None:
    # The default (Anchor.KEEP) prices the year ending on the old anniversary, 2012-06-01.
    quote = quote_change(
        Charge(Money("249.95", "USD"), Period(d("2012-05-01"), d("2012-06-01"))),
        Money("2399.95", "USD"),
        d("2012-05-12"),
        new_cycle=ANNUAL,
    )
    assert quote.next_due == d("2012-06-01")
    assert [str(line.amount.amount) for line in quote.lines][1] != "2327.62"
