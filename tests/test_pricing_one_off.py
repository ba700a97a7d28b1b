"""One-off sales: job and activity types, duration rounding, pricing jobs and activities."""

from __future__ import annotations

import decimal
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import ONE_TIME, Money
from prodlife.billing import InvoiceLine, LineType, price_activity, price_job
from prodlife.catalog import (
    Catalog,
    Classification,
    GoodKind,
    Product,
    ProductType,
    ServiceKind,
)
from prodlife.errors import InvalidRounding, NotFound, RuleViolation
from prodlife.pricing import (
    Activity,
    ActivityLine,
    ActivityType,
    DurationRounding,
    Job,
    JobLine,
    JobType,
    PlanRate,
    PricePlan,
    Rate,
    RoundingDirection,
    TaxRate,
    check_activity_type,
    check_job_type,
)
from tests._support import usd

ON = date(2025, 3, 1)
MIN = timedelta(minutes=1)
VAT = TaxRate("VAT20", "VAT 20 %", 20)


CATALOG = Catalog(
    [
        ProductType("FEE", "Expense", Classification.SERVICE, service_kind=ServiceKind.EXPENSE),
        ProductType("ONCE", "One-time", Classification.SERVICE, service_kind=ServiceKind.ONE_TIME),
        ProductType("TERM", "Termed", Classification.SERVICE, service_kind=ServiceKind.TERMED),
        ProductType(
            "LOOSE", "Non-traceable", Classification.PHYSICAL_GOOD, good_kind=GoodKind.NON_TRACEABLE
        ),
        ProductType(
            "TRACED", "Traceable", Classification.PHYSICAL_GOOD, good_kind=GoodKind.TRACEABLE
        ),
    ],
    [
        Product("INSTALL-FEE", "Installation fee", "FEE"),
        Product("ANTENNA", "Antenna", "LOOSE"),
        Product("ROKU", "Roku box", "TRACED"),
        Product("INSTALL", "Installation", "ONCE"),
        Product("REPAIR", "Repair", "ONCE"),
        Product("TV", "TV channel", "TERM"),
    ],
)
PLAN = PricePlan(
    "STD",
    "Standard",
    "USD",
    [
        PlanRate("INSTALL-FEE", ONE_TIME, Rate.flat(usd("50.00"))),
        PlanRate("ANTENNA", ONE_TIME, Rate.per_unit(usd("12.50"))),
        PlanRate("ROKU", ONE_TIME, Rate.per_unit(usd("99.99"))),
        PlanRate("INSTALL", ONE_TIME, Rate.per_unit(usd("60.00"))),
        PlanRate("REPAIR", ONE_TIME, Rate.flat(usd("40.00"))),
    ],
)
SETUP = JobType("SETUP", "Setup", {"INSTALL-FEE", "ANTENNA", "ROKU"})
VISIT = ActivityType("VISIT", "Home visit", {"INSTALL"})


def job(*lines: JobLine, job_type: str = "SETUP") -> Job:
    return Job("J-1", "C-1", job_type, lines, ON)


def activity(*lines: ActivityLine, activity_type: str = "VISIT") -> Activity:
    return Activity("A-1", "C-1", activity_type, lines, ON)


def amounts(lines: tuple[InvoiceLine, ...]) -> list[tuple[str, str]]:
    return [(line.type.value, str(line.amount.amount)) for line in lines]


# -- worked examples --------------------------------------------------------------------


def test_job_sells_an_expense_once_and_goods_by_quantity_then_tax() -> None:
    lines = price_job(
        job(JobLine("INSTALL-FEE"), JobLine("ANTENNA", 2)), SETUP, CATALOG, PLAN, [VAT]
    )
    # 50.00 + 2 x 12.50 = 75.00; VAT 20 % of 75.00 = 15.00
    assert amounts(lines) == [("one-time", "50.00"), ("one-time", "25.00"), ("tax", "15.00")]
    assert [line.service_id for line in lines] == ["J-1"] * 3
    assert [line.subject or line.code for line in lines] == ["INSTALL-FEE", "ANTENNA", "VAT20"]
    assert [line.description for line in lines] == ["Installation fee", "Antenna x 2", "tax VAT20"]
    assert all(line.customer_id == "C-1" for line in lines)


def test_job_without_taxes_has_no_tax_lines() -> None:
    lines = price_job(job(JobLine("ROKU")), SETUP, CATALOG, PLAN)
    assert amounts(lines) == [("one-time", "99.99")]
    assert lines[0].type is LineType.ONE_TIME


def test_job_price_override_is_a_unit_price() -> None:
    lines = price_job(
        job(JobLine("ANTENNA", 3, price_override=usd("10.005"))), SETUP, CATALOG, PLAN
    )
    assert amounts(lines) == [("one-time", "30.02")]  # 30.015 rounded once, half up


def test_fifty_minutes_at_sixty_an_hour_in_quarter_hours_bills_one_hour() -> None:
    lines = price_activity(
        activity(ActivityLine("INSTALL", 50 * MIN)), VISIT, CATALOG, PLAN, taxes=[VAT]
    )
    assert amounts(lines) == [("one-time", "60.00"), ("tax", "12.00")]
    assert lines[0].description == "Installation: 1:00 billed for 0:50 at USD 60.00 an hour"
    assert lines[0].service_id == "A-1"
    assert lines[0].subject == "INSTALL"


def test_seven_minutes_with_a_half_hour_minimum_bills_half_an_hour() -> None:
    rounding = DurationRounding(minimum=30 * MIN)
    lines = price_activity(
        activity(ActivityLine("INSTALL", 7 * MIN)), VISIT, CATALOG, PLAN, rounding
    )
    assert amounts(lines) == [("one-time", "30.00")]


def test_a_third_of_an_hour_is_exact() -> None:
    rounding = DurationRounding(increment=20 * MIN)
    line = ActivityLine("INSTALL", 5 * MIN, price_override=usd("0.03"))
    # 0.03 / 3 = 0.01 exactly; a decimal third would give 0.00999..., rounded down 0.00
    lines = price_activity(
        activity(line), VISIT, CATALOG, PLAN, rounding, money_rounding=decimal.ROUND_DOWN
    )
    assert amounts(lines) == [("one-time", "0.01")]


def test_a_base_amount_is_charged_once_per_activity_line() -> None:
    plan = PricePlan(
        "CALL",
        "Call-out",
        "USD",
        [PlanRate("INSTALL", ONE_TIME, Rate.per_unit(usd("60.00"), base=usd("15.00")))],
    )
    lines = price_activity(activity(ActivityLine("INSTALL", 90 * MIN)), VISIT, CATALOG, plan)
    assert amounts(lines) == [("one-time", "105.00")]
    assert lines[0].description.endswith("plus USD 15.00")


def test_activity_price_override_is_a_rate_per_hour() -> None:
    line = ActivityLine("INSTALL", 45 * MIN, price_override=usd("80.00"))
    assert amounts(price_activity(activity(line), VISIT, CATALOG, PLAN)) == [("one-time", "60.00")]


@pytest.mark.parametrize(
    ("mode", "actual", "billed"),
    [
        (RoundingDirection.UP, 50, 60),
        (RoundingDirection.UP, 45, 45),
        (RoundingDirection.NEAREST, 52, 45),
        (RoundingDirection.NEAREST, 53, 60),  # 7.5 minutes past is half: up
        (RoundingDirection.DOWN, 59, 45),
    ],
)
def test_duration_rounding_modes(mode: RoundingDirection, actual: int, billed: int) -> None:
    rounding = DurationRounding(timedelta(minutes=15), mode=mode)
    assert rounding.bill(actual * MIN) == billed * MIN


def test_nearest_rounds_halves_up() -> None:
    rounding = DurationRounding(mode=RoundingDirection.NEAREST)
    assert rounding.bill(timedelta(minutes=7, seconds=30)) == 15 * MIN
    assert rounding.bill(timedelta(minutes=7, seconds=29)) == timedelta(0)


def test_zero_increment_bills_the_exact_duration() -> None:
    rounding = DurationRounding(increment=timedelta(0))
    assert rounding.bill(timedelta(seconds=61)) == timedelta(seconds=61)


# -- types --------------------------------------------------------------------------------


def test_job_type_may_list_only_expenses_and_goods() -> None:
    assert check_job_type(SETUP, CATALOG) == []
    findings = check_job_type(JobType("BAD", "Bad", {"TV", "INSTALL", "GHOST"}), CATALOG)
    assert [rule for rule, _ in findings] == ["job-type.product", "job-type.kind", "job-type.kind"]


def test_activity_type_may_list_only_one_time_services() -> None:
    assert check_activity_type(VISIT, CATALOG) == []
    findings = check_activity_type(
        ActivityType("BAD", "Bad", {"INSTALL-FEE", "ANTENNA", "GHOST"}), CATALOG
    )
    assert sorted(rule for rule, _ in findings) == [
        "activity-type.kind",
        "activity-type.kind",
        "activity-type.service",
    ]


@pytest.mark.parametrize(
    ("build", "rule"),
    [
        (lambda: JobType(" J", "Job"), "code.format"),
        (lambda: JobType("J", " "), "job-type.name"),
        (lambda: JobType("J", "Job", {"bad code "}), "code.format"),
        (lambda: ActivityType("A", ""), "activity-type.name"),
        (lambda: JobLine("ANTENNA", 0), "job.quantity"),
        (lambda: JobLine("ANTENNA", -1), "job.quantity"),
        (lambda: JobLine("ANTENNA", True), "job.quantity"),
        (lambda: JobLine("ANTENNA", 1, usd("-1")), "job.price"),
        (lambda: ActivityLine("INSTALL", timedelta(0)), "activity.duration"),
        (lambda: ActivityLine("INSTALL", -MIN), "activity.duration"),
        (lambda: ActivityLine("INSTALL", 30), "activity.duration"),  # type: ignore[arg-type]
        (lambda: ActivityLine("INSTALL", MIN, usd("-0.01")), "activity.price"),
        (lambda: Job("J-1", "", "SETUP", [JobLine("ROKU")], ON), "job.customer"),
        (lambda: Job("J-1", "C-1", "SETUP", [], ON), "job.lines"),
        (lambda: Job("J-1", "C-1", "SETUP", [JobLine("ROKU")], "2025-03-01"), "job.date"),  # type: ignore[arg-type]
        (lambda: Activity("A-1", "C-1", "VISIT", [], ON), "activity.lines"),
        (
            lambda: Activity("A-1", " ", "VISIT", [ActivityLine("INSTALL", MIN)], ON),
            "activity.customer",
        ),
        (lambda: DurationRounding(-MIN), "duration.rounding"),
        (lambda: DurationRounding(minimum=-MIN), "duration.rounding"),
        (lambda: DurationRounding(mode="up"), "duration.rounding"),  # type: ignore[arg-type]
    ],
)
def test_definitions_refuse_broken_rules(build: object, rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        build()  # type: ignore[operator]
    assert caught.value.rule == rule


# -- refusals when pricing -------------------------------------------------------------------


def test_job_refusals() -> None:
    everything = JobType("ALL", "All", {"ANTENNA", "TV", "INSTALL"})
    cases = [
        (job(JobLine("ANTENNA"), job_type="OTHER"), SETUP, "job.type"),
        (job(JobLine("INSTALL")), SETUP, "job.product"),
        (job(JobLine("TV"), job_type="ALL"), everything, "job.kind"),
        (job(JobLine("INSTALL"), job_type="ALL"), everything, "job.kind"),
        (job(JobLine("ANTENNA", price_override=Money("1", "EUR"))), SETUP, "job.currency"),
    ]
    for sale, job_type, rule in cases:
        with pytest.raises(RuleViolation) as caught:
            price_job(sale, job_type, CATALOG, PLAN)
        assert caught.value.rule == rule


def test_activity_refusals() -> None:
    everything = ActivityType("ALL", "All", {"INSTALL", "REPAIR", "ANTENNA", "INSTALL-FEE"})
    cases = [
        (activity(ActivityLine("INSTALL", MIN), activity_type="X"), VISIT, "activity.type"),
        (activity(ActivityLine("REPAIR", MIN)), VISIT, "activity.service"),
        (activity(ActivityLine("ANTENNA", MIN), activity_type="ALL"), everything, "activity.kind"),
        (
            activity(ActivityLine("INSTALL-FEE", MIN), activity_type="ALL"),
            everything,
            "activity.kind",
        ),
        (activity(ActivityLine("REPAIR", MIN), activity_type="ALL"), everything, "activity.rate"),
        (
            activity(ActivityLine("INSTALL", MIN, Money("1", "EUR"))),
            VISIT,
            "activity.currency",
        ),
    ]
    for sale, activity_type, rule in cases:
        with pytest.raises(RuleViolation) as caught:
            price_activity(sale, activity_type, CATALOG, PLAN)
        assert caught.value.rule == rule


def test_missing_products_and_prices_are_not_found() -> None:
    ghost = JobType("G", "Ghost", {"GHOST", "ANTENNA"})
    with pytest.raises(NotFound):
        price_job(job(JobLine("GHOST"), job_type="G"), ghost, CATALOG, PLAN)
    empty = PricePlan("EMPTY", "Empty", "USD")
    with pytest.raises(NotFound):
        price_job(job(JobLine("ANTENNA")), SETUP, CATALOG, empty)
    with pytest.raises(NotFound):
        price_activity(activity(ActivityLine("INSTALL", MIN)), VISIT, CATALOG, empty)


def test_a_bad_money_rounding_mode_is_refused() -> None:
    with pytest.raises(InvalidRounding):
        price_activity(
            activity(ActivityLine("INSTALL", MIN)), VISIT, CATALOG, PLAN, money_rounding="up"
        )


# -- properties ----------------------------------------------------------------------------

durations = st.integers(min_value=1, max_value=10 * 24 * 3600 * 10**6).map(
    lambda us: timedelta(microseconds=us)
)
steps = st.integers(min_value=1, max_value=4 * 3600).map(lambda s: timedelta(seconds=s))
minimums = st.integers(min_value=0, max_value=4 * 3600).map(lambda s: timedelta(seconds=s))


@given(durations, steps, minimums)
def test_billed_duration_rounds_up_less_than_one_increment_and_respects_the_minimum(
    actual: timedelta, step: timedelta, minimum: timedelta
) -> None:
    billed = DurationRounding(step, minimum).bill(actual)
    assert billed >= minimum
    assert billed >= actual
    assert billed < max(actual + step, minimum + step)
    if billed > minimum:
        assert billed < actual + step
        assert billed % step == timedelta(0)


@given(durations, steps, st.sampled_from(list(RoundingDirection)))
def test_every_mode_stays_within_one_increment(
    actual: timedelta, step: timedelta, mode: RoundingDirection
) -> None:
    billed = DurationRounding(step, mode=mode).bill(actual)
    assert abs(billed - actual) < step
    assert billed % step == timedelta(0)


cents = st.integers(min_value=0, max_value=10**6).map(lambda c: Decimal(c).scaleb(-3))


@given(
    st.lists(st.tuples(durations, cents), min_size=1, max_size=5),
    steps,
    st.sampled_from([decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN, decimal.ROUND_DOWN]),
)
def test_activity_lines_are_each_exact_amount_rounded_once(
    lines: list[tuple[timedelta, Decimal]], step: timedelta, mode: str
) -> None:
    rounding = DurationRounding(step)
    sale = activity(*(ActivityLine("INSTALL", d, usd(str(rate))) for d, rate in lines))
    priced = price_activity(sale, VISIT, CATALOG, PLAN, rounding, [VAT], money_rounding=mode)
    expected = []
    for actual, rate in lines:
        hours = Fraction(rounding.bill(actual) // timedelta(microseconds=1), 3_600_000_000)
        exact = Fraction(rate) * hours
        expected.append(_round_fraction(exact, mode))
    assert [line.amount.amount for line in priced[:-1]] == expected
    net = sum(expected, Decimal(0))
    assert priced[-1].amount.amount == (net * Decimal("0.2")).quantize(
        Decimal("0.01"), rounding=mode
    )


@given(st.lists(st.tuples(st.integers(1, 1000), cents), min_size=1, max_size=5))
def test_job_lines_are_each_exact_amount_rounded_once(lines: list[tuple[int, Decimal]]) -> None:
    sale = job(*(JobLine("ANTENNA", q, usd(str(price))) for q, price in lines))
    priced = price_job(sale, SETUP, CATALOG, PLAN)
    expected = [
        (price * q).quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP) for q, price in lines
    ]
    assert [line.amount.amount for line in priced] == expected


def _round_fraction(value: Fraction, mode: str) -> Decimal:
    """``value`` rounded to cents: exact, by comparing the remainder with a half."""
    units = value * 100
    whole, rest = divmod(units.numerator, units.denominator)
    half = Fraction(rest, units.denominator) - Fraction(1, 2)
    up = {
        decimal.ROUND_DOWN: False,
        decimal.ROUND_HALF_UP: half >= 0,
        decimal.ROUND_HALF_EVEN: half > 0 or (half == 0 and whole % 2 == 1),
    }[mode]
    if rest and up:
        whole += 1
    return Decimal(whole).scaleb(-2)
