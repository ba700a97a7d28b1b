"""Quotes: plan, quantity and option changes, first charges, co-terming, pauses,
cancellations, and how a quote shows itself and travels."""

from __future__ import annotations

import decimal
import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from prodlife import ANNUAL, MONTHLY, CurrencyMismatch, Money, Period
from prodlife.daycount import SECONDS, FixedDays
from prodlife.errors import InvalidAmount, InvalidBillingCycle, InvalidRounding
from prodlife.periods import Interval
from prodlife.proration import (
    Anchor,
    ChangeDay,
    ChangePolicy,
    Charge,
    ChargeMode,
    CotermItem,
    CreditMode,
    LineKind,
    ProrationError,
    Quote,
    UsedDay,
    quote_cancellation,
    quote_change,
    quote_coterm,
    quote_first_charge,
    quote_option_change,
    quote_pause,
    quote_quantity_change,
)
from prodlife.serialization import make_converter
from tests._support import P, d, usd

JANUARY = P("2025-01-01", "2025-02-01")
#: 31.00 for January: one dollar a day, so every share below is easy to check.
PAID_JANUARY = Charge(usd("31.00"), JANUARY, description="basic")


def amounts(quote: Quote) -> list[Money]:
    return [line.amount for line in quote.lines]


# -- plan changes ----------------------------------------------------------------


def test_a_plan_change_credits_the_unused_days_and_charges_the_new_price_for_them() -> None:
    # Jan 21-31 are 11 days: 11.00 back, 11/31 of 62.00 = 22.00 to pay.
    quote = quote_change(PAID_JANUARY, usd("62.00"), d("2025-01-21"))
    credit, charge = quote.lines
    assert credit.kind is LineKind.CREDIT
    assert credit.proration.portion == P("2025-01-21", "2025-02-01")
    assert credit.description == "unused basic"
    assert charge.kind is LineKind.CHARGE
    assert charge.description == "new plan"
    assert amounts(quote) == [usd("-11.00"), usd("22.00")]
    assert quote.net == usd("11.00")
    assert quote.next_due == d("2025-02-01")
    assert quote.operation == "plan change"


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        (CreditMode.PRORATED, [usd("-11.00")]),
        (CreditMode.FULL, [usd("-31.00")]),
        (CreditMode.NONE, []),
    ],
)
def test_the_credit_mode_decides_what_comes_back(credit: CreditMode, expected: list[Money]) -> None:
    policy = ChangePolicy(credit=credit)
    quote = quote_change(PAID_JANUARY, usd("62.00"), d("2025-01-21"), policy=policy)
    assert [line.amount for line in quote.credits] == expected
    assert [line.amount for line in quote.charges] == [usd("22.00")]


def test_a_full_credit_says_so() -> None:
    policy = ChangePolicy(credit=CreditMode.FULL)
    quote = quote_change(PAID_JANUARY, usd("62.00"), d("2025-01-21"), policy=policy)
    assert quote.credits[0].description == "full credit of basic"
    assert quote.credits[0].proration.portion == JANUARY


@pytest.mark.parametrize(
    ("charge", "expected", "in_force"),
    [
        (ChargeMode.PRORATED, [usd("22.00")], [(usd("22.00"), P("2025-01-21", "2025-02-01"))]),
        (ChargeMode.FULL, [usd("62.00")], [(usd("62.00"), JANUARY)]),
        (ChargeMode.NONE, [], []),
    ],
)
def test_the_charge_mode_decides_what_the_new_plan_costs_now(
    charge: ChargeMode, expected: list[Money], in_force: list[tuple[Money, Period]]
) -> None:
    policy = ChangePolicy(charge=charge)
    quote = quote_change(PAID_JANUARY, usd("62.00"), d("2025-01-21"), policy=policy)
    assert [line.amount for line in quote.credits] == [usd("-11.00")]
    assert [line.amount for line in quote.charges] == expected
    assert [(c.amount, c.span) for c in quote.in_force] == in_force
    assert all(c.billing_period == JANUARY for c in quote.in_force)


def test_the_change_day_belongs_to_the_new_plan_by_default() -> None:
    quote = quote_change(PAID_JANUARY, usd("62.00"), d("2025-01-21"))
    assert quote.lines[0].proration.portion.start == d("2025-01-21")


def test_the_old_plan_can_keep_the_change_day() -> None:
    # Jan 21 stays on the old plan: Jan 22-31 are 10 days.
    policy = ChangePolicy(change_day=ChangeDay.OLD_PLAN)
    quote = quote_change(PAID_JANUARY, usd("62.00"), d("2025-01-21"), policy=policy)
    assert quote.lines[0].proration.portion == P("2025-01-22", "2025-02-01")
    assert amounts(quote) == [usd("-10.00"), usd("20.00")]


def test_a_change_on_the_last_day_kept_by_the_old_plan_credits_and_charges_nothing() -> None:
    policy = ChangePolicy(change_day=ChangeDay.OLD_PLAN)
    quote = quote_change(PAID_JANUARY, usd("62.00"), d("2025-01-31"), policy=policy)
    assert quote.lines == ()
    assert quote.net == usd("0.00")


def test_the_policy_rounding_applies_to_every_line() -> None:
    # 1 day of a 4-day 0.10 charge is exactly 0.025 both ways.
    period = P("2025-01-01", "2025-01-05")
    policy = ChangePolicy(rounding=decimal.ROUND_HALF_EVEN)
    quote = quote_change(Charge(usd("0.10"), period), usd("0.10"), d("2025-01-04"), policy=policy)
    assert amounts(quote) == [usd("-0.02"), usd("0.02")]
    assert {line.proration.rounding for line in quote.lines} == {decimal.ROUND_HALF_EVEN}


def test_a_policy_with_an_unknown_rounding_mode_is_refused() -> None:
    with pytest.raises(InvalidRounding):
        ChangePolicy(rounding="ROUND_NEAREST")


MARCH = P("2025-03-01", "2025-04-01")


def test_a_cycle_change_keeping_the_anniversary_prorates_the_new_cycle_to_it() -> None:
    # Monthly 31.00 to annual 365.00 on Mar 16: Mar 16-31 are 16 days, worth
    # 16.00 of March and 16/365 of the year that ends on Apr 1: 16.00.
    quote = quote_change(
        Charge(usd("31.00"), MARCH), usd("365.00"), d("2025-03-16"), new_cycle=ANNUAL
    )
    credit, charge = quote.lines
    assert credit.amount == usd("-16.00")
    assert charge.proration.period == P("2024-04-01", "2025-04-01")
    assert charge.proration.portion == P("2025-03-16", "2025-04-01")
    assert (charge.proration.used, charge.proration.total) == (16, 365)
    assert charge.amount == usd("16.00")
    assert quote.next_due == d("2025-04-01")


def test_a_cycle_change_restarting_the_period_charges_a_whole_new_period() -> None:
    policy = ChangePolicy(anchor=Anchor.RESTART)
    quote = quote_change(
        Charge(usd("31.00"), MARCH), usd("365.00"), d("2025-03-16"), new_cycle=ANNUAL, policy=policy
    )
    credit, charge = quote.lines
    assert credit.amount == usd("-16.00")
    assert charge.proration.portion == charge.proration.period == P("2025-03-16", "2026-03-16")
    assert charge.amount == usd("365.00")
    assert quote.next_due == d("2026-03-16")
    assert quote.net == usd("349.00")


def test_restarting_the_period_needs_the_new_cycle() -> None:
    policy = ChangePolicy(anchor=Anchor.RESTART)
    with pytest.raises(ProrationError, match="new_cycle"):
        quote_change(PAID_JANUARY, usd("62.00"), d("2025-01-21"), policy=policy)


def test_second_change_credits_what_the_first_change_charged() -> None:
    # Jan 2 to a 10.00 plan: 30 of 31 days, 10 * 30/31 = 9.677... charged 9.68.
    first = quote_change(PAID_JANUARY, usd("10.00"), d("2025-01-02"))
    assert [line.amount for line in first.charges] == [usd("9.68")]
    # Jan 15 back to 31.00: the 17 unused days of the 30 paid at 9.68 are
    # worth 9.68 * 17/30 = 5.4853 -> 5.49, not the list price's
    # 10.00 * 17/31 = 5.4839 -> 5.48.
    second = quote_change(first.in_force, usd("31.00"), d("2025-01-15"))
    (credit,) = second.credits
    assert credit.proration.price == usd("9.68")
    assert credit.proration.period == P("2025-01-02", "2025-02-01")
    assert credit.proration.portion == P("2025-01-15", "2025-02-01")
    assert credit.amount == usd("-5.49")
    # The new plan is priced against the whole billing period again: 17.00.
    assert [line.amount for line in second.charges] == [usd("17.00")]
    assert second.charges[0].proration.period == JANUARY


def test_a_change_can_credit_several_charges_at_once() -> None:
    # The list price for Jan 1-9 and a stub for Jan 10-31 charged by a change.
    early = Charge(usd("9.00"), P("2025-01-01", "2025-01-10"), JANUARY, "basic")
    later = Charge(usd("44.00"), P("2025-01-10", "2025-02-01"), JANUARY, "plus")
    quote = quote_change([early, later], usd("93.00"), d("2025-01-21"))
    # Only the stub reaches past the change: 11 of its 22 days, 22.00 back.
    assert [line.amount for line in quote.credits] == [usd("-22.00")]
    assert [line.amount for line in quote.charges] == [usd("33.00")]


@pytest.mark.parametrize("at", ["2024-12-31", "2025-02-02", "2025-03-01"])
def test_a_change_outside_what_was_charged_is_refused(at: str) -> None:
    with pytest.raises(ProrationError, match="outside what was charged"):
        quote_change(PAID_JANUARY, usd("62.00"), d(at))


def test_a_change_at_an_instant_of_a_dated_charge_is_refused() -> None:
    with pytest.raises(ProrationError, match="pass a date"):
        quote_change(PAID_JANUARY, usd("62.00"), datetime(2025, 1, 21, tzinfo=UTC))


def test_a_change_to_a_price_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        quote_change(PAID_JANUARY, Money("62.00", "EUR"), d("2025-01-21"))


def test_charges_in_several_currencies_cannot_be_credited_together() -> None:
    euros = Charge(Money("31.00", "EUR"), JANUARY)
    with pytest.raises(CurrencyMismatch):
        quote_change([PAID_JANUARY, euros], usd("62.00"), d("2025-01-21"))


def test_a_change_with_nothing_charged_is_refused() -> None:
    with pytest.raises(ProrationError, match="nothing was charged"):
        quote_change([], usd("62.00"), d("2025-01-21"))


def test_a_charge_whose_window_does_not_hold_it_is_refused() -> None:
    with pytest.raises(ProrationError, match="does not hold"):
        Charge(usd("10.00"), P("2025-01-10", "2025-02-10"), JANUARY)


def test_a_change_at_an_instant_splits_the_period_exactly() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    paid = Charge(usd("31.00"), Interval(start, start + timedelta(days=31)))
    at = start + timedelta(days=20, hours=12)
    policy = ChangePolicy(day_count=SECONDS, change_day=ChangeDay.OLD_PLAN)
    quote = quote_change(paid, usd("62.00"), at, policy=policy)
    # 10.5 days of 31 are left whichever plan "owns" the instant.
    assert amounts(quote) == [usd("-10.50"), usd("21.00")]


# -- quantities and options ---------------------------------------------------------


NOVEMBER = P("2025-11-01", "2025-12-01")


def test_a_quantity_change_credits_the_old_quantity_and_charges_the_new_one() -> None:
    seats = Charge(usd("30.00"), NOVEMBER, description="2 seats")
    quote = quote_quantity_change(seats, usd("15.00"), 5, d("2025-11-16"))
    # 15 of 30 days left: half of 30.00 back, half of 5 x 15.00 to pay.
    assert amounts(quote) == [usd("-15.00"), usd("37.50")]
    assert quote.charges[0].description == "5 × USD 15.00"
    assert quote.net == usd("22.50")


def test_a_quantity_of_zero_charges_nothing() -> None:
    seats = Charge(usd("30.00"), NOVEMBER)
    quote = quote_quantity_change(seats, usd("15.00"), 0, d("2025-11-16"))
    assert sum(line.amount for line in quote.charges) == usd("0.00")
    assert quote.net == usd("-15.00")


@pytest.mark.parametrize("quantity", [-1, 2.5, True, "3"])
def test_a_quantity_that_is_not_a_whole_number_of_at_least_zero_is_refused(
    quantity: object,
) -> None:
    with pytest.raises(ProrationError, match="at least 0"):
        quote_quantity_change(
            PAID_JANUARY,
            usd("10.00"),
            quantity,  # type: ignore[arg-type]
            d("2025-01-21"),
        )


JUNE = P("2025-06-01", "2025-07-01")


def test_a_dearer_option_charges_the_difference_for_the_rest_of_the_period() -> None:
    quote = quote_option_change(usd("5.00"), usd("8.00"), JUNE, d("2025-06-16"), option="disk")
    (line,) = quote.lines
    # 3.00 more a month, for 15 of 30 days.
    assert line.kind is LineKind.CHARGE
    assert line.subject == "disk"
    assert line.proration.price == usd("3.00")
    assert line.amount == usd("1.50")
    assert quote.next_due == d("2025-07-01")


def test_a_cheaper_option_credits_the_difference() -> None:
    quote = quote_option_change(usd("8.00"), usd("5.00"), JUNE, d("2025-06-16"), option="disk")
    (line,) = quote.lines
    assert line.kind is LineKind.CREDIT
    assert line.amount == usd("-1.50")


def test_an_option_at_the_same_price_changes_nothing() -> None:
    quote = quote_option_change(usd("5.00"), usd("5.00"), JUNE, d("2025-06-16"))
    assert quote.lines == ()
    assert quote.net == usd("0.00")


def test_option_changes_follow_the_policy_modes() -> None:
    full = ChangePolicy(charge=ChargeMode.FULL)
    none = ChangePolicy(credit=CreditMode.NONE)
    dearer = quote_option_change(usd("5.00"), usd("8.00"), JUNE, d("2025-06-16"), policy=full)
    cheaper = quote_option_change(usd("8.00"), usd("5.00"), JUNE, d("2025-06-16"), policy=none)
    assert dearer.net == usd("3.00")
    assert cheaper.lines == ()


def test_an_option_priced_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        quote_option_change(usd("5.00"), Money("8.00", "EUR"), JUNE, d("2025-06-16"))


# -- first charges -----------------------------------------------------------------------


def test_a_first_charge_without_a_billing_day_is_a_whole_period_from_the_start() -> None:
    quote = quote_first_charge(usd("30.00"), MONTHLY, d("2025-03-10"))
    (line,) = quote.lines
    assert line.proration.portion == P("2025-03-10", "2025-04-10")
    assert line.amount == usd("30.00")
    assert quote.next_due == d("2025-04-10")
    assert [(c.amount, c.span) for c in quote.in_force] == [(usd("30.00"), line.proration.portion)]


def test_a_first_charge_aligned_to_a_billing_day_is_a_prorated_stub() -> None:
    # Mar 10-31 are 22 of March's 31 days: 30 * 22/31 = 21.29.
    quote = quote_first_charge(usd("30.00"), MONTHLY, d("2025-03-10"), billing_day=1)
    (line,) = quote.lines
    assert line.description == "prorated first period"
    assert line.proration.portion == P("2025-03-10", "2025-04-01")
    assert line.proration.period == P("2025-03-01", "2025-04-01")
    assert line.amount == usd("21.29")
    assert quote.next_due == d("2025-04-01")


def test_an_order_after_the_threshold_also_pays_the_next_whole_period() -> None:
    # Mar 16 is after the 15th: Mar 16-31 (16/31 of 30.00 = 15.48) and April.
    quote = quote_first_charge(
        usd("30.00"), MONTHLY, d("2025-03-16"), billing_day=1, charge_next_after=15
    )
    stub, following = quote.lines
    assert stub.amount == usd("15.48")
    assert following.proration.portion == P("2025-04-01", "2025-05-01")
    assert following.amount == usd("30.00")
    assert quote.next_due == d("2025-05-01")
    assert len(quote.in_force) == 2


@pytest.mark.parametrize("start", ["2025-03-15", "2025-03-02"])
def test_an_order_on_or_before_the_threshold_pays_only_the_stub(start: str) -> None:
    quote = quote_first_charge(usd("30.00"), MONTHLY, d(start), billing_day=1, charge_next_after=15)
    (stub,) = quote.lines
    assert stub.proration.portion == Period(d(start), d("2025-04-01"))
    assert quote.next_due == d("2025-04-01")


def test_an_order_on_the_billing_day_pays_one_whole_period() -> None:
    quote = quote_first_charge(
        usd("30.00"), MONTHLY, d("2025-04-01"), billing_day=1, charge_next_after=15
    )
    (line,) = quote.lines
    assert line.description == "first period"
    assert line.proration.portion == P("2025-04-01", "2025-05-01")
    assert line.amount == usd("30.00")


def test_a_threshold_needs_a_billing_day() -> None:
    with pytest.raises(ProrationError, match="billing_day"):
        quote_first_charge(usd("30.00"), MONTHLY, d("2025-03-10"), charge_next_after=15)


@pytest.mark.parametrize("threshold", [0, 32])
def test_a_threshold_outside_the_month_is_refused(threshold: int) -> None:
    with pytest.raises(InvalidBillingCycle):
        quote_first_charge(
            usd("30.00"), MONTHLY, d("2025-03-10"), billing_day=1, charge_next_after=threshold
        )


# -- co-terming ------------------------------------------------------------------------


def test_coterming_later_charges_until_the_new_due_date() -> None:
    # Due Jan 10 at 31.00 a month (Jan 10 - Feb 10 is 31 days): 10 days more.
    item = CotermItem("vps", usd("31.00"), MONTHLY, d("2025-01-10"))
    quote = quote_coterm([item], d("2025-01-20"))
    (line,) = quote.lines
    assert line.kind is LineKind.CHARGE
    assert line.subject == "vps"
    assert line.proration.period == P("2025-01-10", "2025-02-10")
    assert line.amount == usd("10.00")
    assert quote.next_due == d("2025-01-20")


def test_coterming_earlier_credits_back_from_the_new_due_date() -> None:
    # Paid through Feb 9 (due Feb 10); moving to Jan 31 gives back Jan 31 -
    # Feb 9: 10 days of the month that starts on the new due date, Jan 31 -
    # Feb 28 (28 days), the same month a move from Jan 31 to Feb 10 would charge.
    item = CotermItem("vps", usd("31.00"), MONTHLY, d("2025-02-10"))
    quote = quote_coterm([item], d("2025-01-31"))
    (line,) = quote.lines
    assert line.kind is LineKind.CREDIT
    assert line.description == "back from the new due date"
    assert line.proration.period == P("2025-01-31", "2025-02-28")
    assert line.proration.portion == P("2025-01-31", "2025-02-10")
    assert line.amount == usd("-11.07")  # 31.00 x 10 / 28 = 11.0714...


def test_coterming_over_several_periods_gives_a_line_per_period() -> None:
    item = CotermItem("vps", usd("30.00"), MONTHLY, d("2025-01-10"))
    quote = quote_coterm([item], d("2025-03-20"))
    assert [line.proration.portion for line in quote.lines] == [
        P("2025-01-10", "2025-02-10"),
        P("2025-02-10", "2025-03-10"),
        P("2025-03-10", "2025-03-20"),
    ]
    # Two whole months, then 10 of the 31 days from Mar 10.
    assert amounts(quote) == [usd("30.00"), usd("30.00"), usd("9.68")]


def test_a_service_already_due_on_the_new_date_gets_no_line() -> None:
    items = [
        CotermItem("a", usd("31.00"), MONTHLY, d("2025-01-20")),
        CotermItem("b", usd("31.00"), MONTHLY, d("2025-01-10")),
    ]
    quote = quote_coterm(items, d("2025-01-20"))
    assert [line.subject for line in quote.lines] == ["b"]


def test_a_service_clamped_to_a_short_month_keeps_aiming_for_its_anchor_day() -> None:
    # Due Feb 28 but billed on the 31st: its period runs to Mar 31 (31 days),
    # so Feb 28 - Mar 9 is 10/31 of 28.00 = 9.03; anchored on the 28th it
    # would be 10 of the 28 days to Mar 28, 10.00.
    aimed = CotermItem("vps", usd("28.00"), MONTHLY, d("2025-02-28"), anchor_day=31)
    plain = CotermItem("vps", usd("28.00"), MONTHLY, d("2025-02-28"))
    (line,) = quote_coterm([aimed], d("2025-03-10")).lines
    assert line.proration.period == P("2025-02-28", "2025-03-31")
    assert line.amount == usd("9.03")
    assert quote_coterm([plain], d("2025-03-10")).net == usd("10.00")


def test_coterming_nothing_is_refused() -> None:
    with pytest.raises(ProrationError, match="no services"):
        quote_coterm([], d("2025-01-20"))


def test_coterming_services_in_several_currencies_is_refused() -> None:
    items = [
        CotermItem("a", usd("31.00"), MONTHLY, d("2025-01-10")),
        CotermItem("b", Money("31.00", "EUR"), MONTHLY, d("2025-01-10")),
    ]
    with pytest.raises(ProrationError, match="EUR"):
        quote_coterm(items, d("2025-01-20"))


# -- pauses and cancellations ------------------------------------------------------------


def test_a_pause_credits_only_the_days_it_overlaps() -> None:
    quote = quote_pause(PAID_JANUARY, P("2025-01-22", "2025-02-15"))
    (line,) = quote.lines
    assert line.proration.portion == P("2025-01-22", "2025-02-01")
    assert line.amount == usd("-10.00")
    assert line.description == "paused basic"


def test_a_pause_over_two_charges_credits_each_for_its_part() -> None:
    february = Charge(usd("28.00"), P("2025-02-01", "2025-03-01"))
    quote = quote_pause([PAID_JANUARY, february], P("2025-01-22", "2025-02-08"))
    assert amounts(quote) == [usd("-10.00"), usd("-7.00")]


def test_a_pause_can_credit_in_full_or_not_at_all() -> None:
    pause = P("2025-01-22", "2025-02-15")
    assert quote_pause(PAID_JANUARY, pause, credit=CreditMode.FULL).net == usd("-31.00")
    assert quote_pause(PAID_JANUARY, pause, credit=CreditMode.NONE).lines == ()


def test_a_pause_outside_what_was_charged_is_refused() -> None:
    with pytest.raises(ProrationError, match="does not overlap"):
        quote_pause(PAID_JANUARY, P("2025-02-01", "2025-02-10"))


@pytest.mark.parametrize(
    ("used_day", "portion", "refund"),
    [
        (UsedDay.USED, P("2025-01-22", "2025-02-01"), usd("-10.00")),
        (UsedDay.UNUSED, P("2025-01-21", "2025-02-01"), usd("-11.00")),
    ],
)
def test_a_cancellation_refunds_the_unused_days(
    used_day: UsedDay, portion: Period, refund: Money
) -> None:
    quote = quote_cancellation(PAID_JANUARY, d("2025-01-21"), used_day=used_day)
    (line,) = quote.lines
    assert line.proration.portion == portion
    assert line.amount == refund
    assert quote.next_due is None
    assert quote.operation == "cancellation"


def test_a_cancellation_can_refund_everything_or_nothing() -> None:
    full = quote_cancellation(PAID_JANUARY, d("2025-01-21"), refund=CreditMode.FULL)
    none = quote_cancellation(PAID_JANUARY, d("2025-01-21"), refund=CreditMode.NONE)
    assert full.net == usd("-31.00")
    assert none.lines == ()
    assert none.net == usd("0.00")


def test_a_cancellation_follows_its_day_count() -> None:
    # Under fixed 30 days the 10 days left are 10/30 of 31.00.
    quote = quote_cancellation(PAID_JANUARY, d("2025-01-21"), day_count=FixedDays(30))
    assert quote.net == usd("-10.33")


def test_a_cancellation_at_an_instant_refunds_the_time_left_exactly() -> None:
    # An instant owns no day: whether the day counts as used does not matter.
    start = datetime(2025, 1, 1, tzinfo=UTC)
    paid = Charge(usd("31.00"), Interval(start, start + timedelta(days=31)))
    at = start + timedelta(days=21)
    for used_day in UsedDay:
        quote = quote_cancellation(paid, at, used_day=used_day, day_count=SECONDS)
        assert quote.net == usd("-10.00")


def test_a_cancellation_outside_what_was_charged_is_refused() -> None:
    with pytest.raises(ProrationError):
        quote_cancellation(PAID_JANUARY, d("2025-02-05"))


# -- how a quote shows itself ------------------------------------------------------------


@pytest.fixture
def upgrade() -> Quote:
    # 15 of 31 days left: 15.00 back, 2480 * 15/31 = 1200.00 to pay.
    return quote_change(PAID_JANUARY, usd("2480.00"), d("2025-01-17"))


def test_quote_rows_hold_the_working_of_each_line(upgrade: Quote) -> None:
    credit, charge = upgrade.as_rows()
    assert set(credit) == {
        "kind",
        "subject",
        "description",
        "from",
        "to",
        "period_from",
        "period_to",
        "price",
        "units_used",
        "units_total",
        "convention",
        "fraction",
        "exact",
        "amount",
        "currency",
    }
    assert credit["kind"] == "credit"
    assert credit["description"] == "unused basic"
    assert (credit["from"], credit["to"]) == (d("2025-01-17"), d("2025-02-01"))
    assert (credit["period_from"], credit["period_to"]) == (JANUARY.start, JANUARY.end)
    assert credit["price"] == usd("31.00").amount
    assert (credit["units_used"], credit["units_total"]) == (15, 31)
    assert credit["convention"] == "actual days"
    assert credit["fraction"] == Fraction(15, 31)
    assert credit["exact"] == usd("15").amount
    assert credit["amount"] == usd("-15.00").amount
    assert credit["currency"] == "USD"
    assert charge["kind"] == "charge"
    assert charge["amount"] == usd("1200.00").amount


def test_a_quote_prints_its_lines_and_net(upgrade: Quote) -> None:
    text = str(upgrade)
    assert text.startswith("plan change (USD)")
    assert "unused basic" in text
    assert "-15.00" in text
    assert "1200.00" in text
    assert "15/31 actual days" in text
    assert "2025-01-31" in text  # the last day covered, inclusive
    assert "net: USD 1185.00" in text
    assert "next due: 2025-02-01" in text


def test_a_quote_formats_for_a_german_reader(upgrade: Quote) -> None:
    text = upgrade.format("de_DE")
    assert "1.200,00" in text
    assert "-15,00" in text
    assert "net: 1.185,00" in text
    assert "17.01.2025" in text
    assert "01.02.2025" in text


def test_the_exact_column_is_formatted_for_the_locale_too() -> None:
    # Half of 2.45 is exactly 1.225, rounded to 1.23.
    two_days = P("2025-01-01", "2025-01-03")
    quote = quote_change(Charge(usd("2.45"), two_days), usd("2.45"), d("2025-01-02"))
    text = quote.format("de_DE")
    assert "-1,23" in text
    assert "1,225" in text
    assert "1.225" not in text


def test_a_quote_renders_as_html_with_descriptions_escaped() -> None:
    paid = Charge(usd("31.00"), JANUARY, description="<b>x</b>")
    html = quote_change(paid, usd("62.00"), d("2025-01-21"))._repr_html_()
    assert html.startswith("<table>")
    assert "unused &lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    assert "USD 11.00" in html


def test_a_quote_prints_whatever_decimal_context_the_caller_set() -> None:
    # 11/31 of 100.00 is 35.4838709...: cut to 6 places it needs 8 digits.
    quote = quote_change(Charge(usd("100.00"), JANUARY), usd("200.00"), d("2025-01-21"))
    expected = str(quote)
    with decimal.localcontext() as context:
        context.prec = 6
        assert str(quote) == expected
        assert quote._repr_html_()


# -- serialization ---------------------------------------------------------------------


def _quotes() -> list[Quote]:
    start = datetime(2025, 4, 1, tzinfo=UTC)
    by_the_second = Charge(usd("10"), Interval(start, start + timedelta(days=30)))
    return [
        quote_change(PAID_JANUARY, usd("2480.00"), d("2025-01-17")),
        quote_change(
            by_the_second,
            usd("20"),
            start + timedelta(days=15, seconds=7),
            policy=ChangePolicy(day_count=SECONDS),
        ),
        quote_first_charge(
            usd("30.00"), MONTHLY, d("2025-03-16"), billing_day=1, charge_next_after=15
        ),
        quote_coterm(
            [CotermItem("vps", usd("30.00"), MONTHLY, d("2025-01-10"))],
            d("2025-03-20"),
            day_count=FixedDays(30),
        ),
        quote_cancellation(PAID_JANUARY, d("2025-01-21")),
        quote_option_change(usd("5.00"), usd("8.00"), JUNE, d("2025-06-16"), option="disk"),
    ]


@pytest.mark.parametrize("quote", _quotes(), ids=lambda q: q.operation)
def test_a_quote_survives_a_round_trip_through_json(quote: Quote) -> None:
    converter = make_converter()
    data = json.loads(json.dumps(converter.unstructure(quote)))
    assert converter.structure(data, Quote) == quote


def test_a_cycle_change_keeps_a_month_end_anchor() -> None:
    # Anchored on the 31st, the period Jan 31 - Feb 28 is one whole month: naming the same
    # cycle explicitly changes nothing.
    paid = Charge(usd("28.00"), P("2025-01-31", "2025-02-28"))
    implicit = quote_change(paid, usd("56.00"), d("2025-02-14"))
    explicit = quote_change(paid, usd("56.00"), d("2025-02-14"), new_cycle=MONTHLY)
    assert [line.amount for line in explicit.lines] == [line.amount for line in implicit.lines]
    assert explicit.charges[0].proration.period == P("2025-01-31", "2025-02-28")


def test_coterming_a_month_end_anchor_and_back_nets_to_zero() -> None:
    there = quote_coterm(
        [CotermItem("a", usd("31.00"), MONTHLY, d("2025-02-28"), 31)], d("2025-04-15")
    )
    back = quote_coterm(
        [CotermItem("a", usd("31.00"), MONTHLY, d("2025-04-15"))],
        d("2025-02-28"),
        new_anchor_day=31,
    )
    assert there.net + back.net == usd("0.00")


def test_a_price_that_is_not_money_is_refused() -> None:
    with pytest.raises(InvalidAmount, match="Money"):
        quote_change(PAID_JANUARY, 5.0, d("2025-01-10"))  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        Charge(5.0, JANUARY)  # type: ignore[arg-type]
    with pytest.raises(ProrationError, match="Period"):
        Charge(usd("1.00"), (d("2025-01-01"), d("2025-02-01")))  # type: ignore[arg-type]
