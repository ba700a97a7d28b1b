"""The billing engine: lines due from a timeline, and repairs of what was invoiced.

The central property: whatever a timeline goes through (changes of price and
cycle, backdated or scheduled ahead, pauses, add-ons, discounts, taxes, an
end), and whenever the engine runs, once everything is due every day is
invoiced exactly once at the rate the final timeline gives it. Checked against
an oracle that prices each day on its own, in exact fractions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money
from prodlife.billing import (
    Discount,
    DiscountKind,
    InvoiceLine,
    LineType,
    OneTimeCharge,
    Pause,
    Rate,
    Timeline,
    Track,
    lines_due,
)
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY, BillingCycle, BillingSchedule
from prodlife.errors import RuleViolation, ValidationError
from prodlife.periods import Period
from prodlife.pricing.taxes import TaxRate
from prodlife.testing.conservation import invoiced_on_day, worth_of_day
from tests._support import usd

JAN_1 = date(2025, 1, 1)
MONTH = BillingSchedule(MONTHLY, JAN_1)


def web(amount: str = "10.00", schedule: BillingSchedule = MONTH, start: date = JAN_1) -> Track:
    return Track.of(
        LineType.RECURRING, "WEB", Rate(start, None, usd(amount), schedule, "WEB monthly")
    )


def timeline(*tracks: Track, start: date = JAN_1, **fields: object) -> Timeline:
    return Timeline("S-1", "C-1", start, tracks=tracks or (web(),), **fields)  # type: ignore[arg-type]


def run(tl: Timeline, on: date, invoiced: list[InvoiceLine]) -> list[InvoiceLine]:
    new = list(lines_due(tl, invoiced, on))
    invoiced.extend(new)
    return new


def amounts(lines: list[InvoiceLine]) -> list[str]:
    return [str(line.amount.amount) for line in lines]


# -- worked examples ---------------------------------------------------------------------


def test_in_advance_a_period_is_invoiced_when_it_starts_and_only_once() -> None:
    tl, invoiced = timeline(), list[InvoiceLine]()
    assert amounts(run(tl, JAN_1, invoiced)) == ["10.00"]
    assert run(tl, date(2025, 1, 20), invoiced) == []
    assert amounts(run(tl, date(2025, 2, 1), invoiced)) == ["10.00"]
    assert invoiced[1].period == Period(date(2025, 2, 1), date(2025, 3, 1))


def test_invoice_ahead_bills_the_next_period_days_before_it_starts() -> None:
    invoiced: list[InvoiceLine] = []
    ahead = timeline(invoice_days_before=7)
    run(ahead, JAN_1, invoiced)
    assert run(ahead, date(2025, 1, 24), invoiced) == []
    assert amounts(run(ahead, date(2025, 1, 25), invoiced)) == ["10.00"]


def test_first_month_upgrade_credits_the_unused_days_and_charges_the_new_price() -> None:
    invoiced: list[InvoiceLine] = []
    run(timeline(), JAN_1, invoiced)
    upgraded = timeline().change_rate("WEB", date(2025, 1, 16), amount=usd("40.00"))
    repair = run(upgraded, date(2025, 1, 16), invoiced)
    # 16 of January's 31 days: 10.00 x 16 / 31 = 5.16; 40.00 x 16 / 31 = 20.65.
    assert amounts(repair) == ["-5.16", "20.65"]
    assert [line.reverses for line in repair] == [True, False]
    assert amounts(run(upgraded, date(2025, 2, 1), invoiced)) == ["40.00"]


def test_a_change_after_the_next_period_was_invoiced_ahead_repairs_both_periods() -> None:
    invoiced: list[InvoiceLine] = []
    ahead = timeline(invoice_days_before=7)
    run(ahead, JAN_1, invoiced)
    run(ahead, date(2025, 1, 25), invoiced)
    upgraded = ahead.change_rate("WEB", date(2025, 1, 26), amount=usd("40.00"))
    repair = run(upgraded, date(2025, 1, 26), invoiced)
    # January: 6 of 31 days reversed at 10.00 and charged at 40.00; February whole.
    assert amounts(repair) == ["-1.94", "7.74", "-10.00", "40.00"]


def test_a_cancellation_after_paying_ahead_credits_every_unused_day() -> None:
    invoiced: list[InvoiceLine] = []
    ahead = timeline(invoice_days_before=7)
    run(ahead, JAN_1, invoiced)
    run(ahead, date(2025, 1, 25), invoiced)
    cancelled = ahead.ended(date(2025, 1, 26))
    assert amounts(run(cancelled, date(2025, 1, 26), invoiced)) == ["-1.94", "-10.00"]
    total = sum(line.amount.amount for line in invoiced)
    assert total == Decimal("8.06")  # 25 days of January at 10.00 / 31 = 8.0645...


def test_a_pause_credits_the_paused_days_and_the_resume_charges_them_again() -> None:
    invoiced: list[InvoiceLine] = []
    run(timeline(), JAN_1, invoiced)
    paused = timeline().pause(date(2025, 1, 11))
    assert amounts(run(paused, date(2025, 1, 11), invoiced)) == ["-6.77"]  # 21/31
    assert run(paused, date(2025, 2, 1), invoiced) == []  # a paused period is not billed
    resumed = paused.resume(date(2025, 2, 15))
    assert amounts(run(resumed, date(2025, 2, 15), invoiced)) == ["5.00"]  # 14/28


def test_an_addon_on_its_own_annual_cycle_is_billed_its_year_not_the_base_month() -> None:
    year = BillingSchedule(ANNUAL, date(2025, 1, 10))
    ssl = Track.of(LineType.ADDON, "SSL", Rate(date(2025, 1, 10), None, usd("60.00"), year, "SSL"))
    tl = timeline(web(), ssl)
    invoiced: list[InvoiceLine] = []
    run(tl, JAN_1, invoiced)
    lines = run(tl, date(2025, 1, 10), invoiced)
    assert amounts(lines) == ["60.00"]
    assert lines[0].period == Period(date(2025, 1, 10), date(2026, 1, 10))


def test_a_pause_over_an_addon_credits_the_addon_too() -> None:
    year = BillingSchedule(ANNUAL, JAN_1)
    ssl = Track.of(LineType.ADDON, "SSL", Rate(JAN_1, None, usd("365.00"), year, "SSL"))
    invoiced: list[InvoiceLine] = []
    run(timeline(web("31.00"), ssl), JAN_1, invoiced)
    paused = timeline(web("31.00"), ssl).pause(date(2025, 1, 22)).resume(date(2025, 2, 1))
    credits = [line for line in run(paused, date(2025, 2, 1), invoiced) if line.reverses]
    assert amounts(credits) == ["-10.00", "-10.00"]  # 10 days of each
    assert {line.subject for line in credits} == {"WEB", "SSL"}


def test_a_billing_day_of_31_is_kept_after_february() -> None:
    schedule = BillingSchedule(MONTHLY, date(2025, 1, 31))
    tl = timeline(web(schedule=schedule, start=date(2025, 1, 31)), start=date(2025, 1, 31))
    invoiced: list[InvoiceLine] = []
    for day in (date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)):
        run(tl, day, invoiced)
    assert [str(line.period) for line in invoiced] == [
        "[2025-01-31, 2025-02-28)",
        "[2025-02-28, 2025-03-31)",
        "[2025-03-31, 2025-04-30)",
    ]


def test_a_stub_to_the_billing_day_is_prorated_against_its_whole_period() -> None:
    tl = timeline(web("31.00"), start=date(2025, 1, 22))
    lines = run(tl, date(2025, 1, 22), [])
    assert amounts(lines) == ["10.00"]
    assert lines[0].proration is not None and lines[0].proration.period == Period(
        JAN_1, date(2025, 2, 1)
    )


def test_in_arrears_a_period_is_invoiced_when_it_ends_for_what_was_used() -> None:
    tl = timeline(timing=BillingTiming.IN_ARREARS)
    invoiced: list[InvoiceLine] = []
    assert run(tl, JAN_1, invoiced) == []
    changed = tl.change_rate("WEB", date(2025, 1, 16), amount=usd("40.00"))
    assert run(changed, date(2025, 1, 31), invoiced) == []
    assert amounts(run(changed, date(2025, 2, 1), invoiced)) == ["4.84", "20.65"]
    ended = changed.ended(date(2025, 2, 11))
    assert amounts(run(ended, date(2025, 2, 11), invoiced)) == ["14.29"]  # 10/28 of 40


def test_a_promotion_for_three_cycles_discounts_three_periods_with_tax_on_the_net() -> None:
    promo = Discount(
        "SPRING",
        "promo SPRING 20% off",
        DiscountKind.PERCENT,
        Decimal(20),
        JAN_1,
        date(2025, 4, 1),
        {"WEB"},
    )
    vat = TaxRate("VAT20", "VAT 20 %", Decimal(20))
    tl = timeline(discounts=(promo,), taxes=(vat,))
    invoiced: list[InvoiceLine] = []
    for month in range(1, 6):
        run(tl, date(2025, month, 1), invoiced)
    by_month = defaultdict(list)
    for line in invoiced:
        assert line.period is not None
        by_month[line.period.start.month].append(str(line.amount.amount))
    assert by_month[1] == ["10.00", "-2.00", "1.60"]
    assert by_month[3] == ["10.00", "-2.00", "1.60"]
    assert by_month[4] == ["10.00", "2.00"]


def test_a_setup_fee_is_billed_once_and_a_free_setup_takes_it_off() -> None:
    setup = OneTimeCharge("WEB", "setup fee", usd("5.00"), JAN_1)
    free = Discount(
        "FREESETUP",
        "free setup",
        DiscountKind.PERCENT,
        Decimal(100),
        JAN_1,
        None,
        {"WEB"},
        one_time=True,
        recurring=False,
    )
    tl = timeline(one_time=(setup,), discounts=(free,))
    invoiced: list[InvoiceLine] = []
    assert sorted(amounts(run(tl, JAN_1, invoiced))) == ["-5.00", "10.00", "5.00"]
    assert run(tl, JAN_1, invoiced) == []


def test_lines_of_another_service_are_refused() -> None:
    line = lines_due(timeline(), [], JAN_1)[0]
    other = Timeline("S-2", "C-1", JAN_1, tracks=(web(),))
    with pytest.raises(ValidationError, match="S-1"):
        lines_due(other, [line], JAN_1)


def test_days_ahead_is_bounded() -> None:
    with pytest.raises(RuleViolation, match="0 to 366"):
        timeline(invoice_days_before=400)


def test_overlapping_rates_are_refused() -> None:
    first = Rate(JAN_1, None, usd("1.00"), MONTH, "a")
    with pytest.raises(RuleViolation, match="overlaps"):
        Track.of(
            LineType.RECURRING, "WEB", first, Rate(date(2025, 2, 1), None, usd("2"), MONTH, "b")
        )


# -- the conservation property -------------------------------------------------------------

CYCLES = (MONTHLY, QUARTERLY, ANNUAL, BillingCycle.days(10), BillingCycle.weeks(2))
PRICES = st.sampled_from(["0.00", "1.00", "9.99", "10.00", "29.95", "120.00", "1000.01"])


def schedule_for(cycle: BillingCycle, anchor: date, day: int) -> BillingSchedule:
    if cycle.unit.name == "MONTH":
        last = (anchor.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return BillingSchedule(cycle, anchor.replace(day=min(day, last.day)), day)
    return BillingSchedule(cycle, anchor)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Timeline, list[tuple[date, Timeline]]]:
    """A starting timeline and the timelines it becomes, each with the day it changed."""
    start = draw(st.dates(date(2024, 1, 1), date(2026, 12, 31)))
    day = draw(st.integers(1, 31))
    cycle = draw(st.sampled_from(CYCLES))
    schedule = schedule_for(cycle, start, day)
    timing = draw(st.sampled_from(list(BillingTiming)))
    taxes = draw(st.sampled_from([(), (TaxRate("VAT", "VAT 21 %", Decimal(21)),)]))
    base = Track.of(
        LineType.RECURRING, "BASE", Rate(start, None, usd(draw(PRICES)), schedule, "base")
    )
    days_ahead = draw(st.sampled_from([0, 7])) if timing is BillingTiming.IN_ADVANCE else 0
    tl = Timeline(
        "S-1",
        "C-1",
        start,
        timing=timing,
        tracks=(base,),
        taxes=taxes,
        invoice_days_before=days_ahead,
    )
    first = tl
    steps: list[tuple[date, Timeline]] = []
    now = start
    for _ in range(draw(st.integers(0, 8))):
        now += timedelta(days=draw(st.integers(0, 75)))
        op = draw(
            st.sampled_from(
                [
                    "price",
                    "backdated",
                    "scheduled",
                    "cycle",
                    "pause",
                    "resume",
                    "addon",
                    "drop-addon",
                    "discount",
                    "end",
                    "unend",
                    "setup",
                ]
            )
        )
        if op in ("price", "backdated", "scheduled"):
            shift = {
                "price": 0,
                "backdated": -draw(st.integers(1, 40)),
                "scheduled": draw(st.integers(1, 60)),
            }[op]
            when = max(start, now + timedelta(days=shift))
            tl = tl.change_rate("BASE", when, amount=usd(draw(PRICES)))
        elif op == "cycle":
            new_cycle = draw(st.sampled_from(CYCLES))
            tl = tl.change_rate("BASE", now, schedule=schedule_for(new_cycle, now, now.day))
        elif op == "pause" and not tl.paused and (not tl.pauses or _ended_by(tl.pauses[-1], now)):
            tl = tl.pause(max(now, start))
        elif op == "resume" and tl.paused:
            tl = tl.resume(now)
        elif op == "addon":
            subject = f"ADDON{len(tl.tracks)}"
            addon_cycle = draw(st.sampled_from(CYCLES))
            rate = Rate(
                now, None, usd(draw(PRICES)), schedule_for(addon_cycle, now, now.day), subject
            )
            tl = tl.with_track(Track.of(LineType.ADDON, subject, rate))
        elif op == "drop-addon" and len(tl.tracks) > 1:
            track = tl.tracks[-1]
            if track.rates and (track.rates[-1].end is None) and track.rates[-1].start < now:
                tl = tl.stop(track.subject, now)
        elif op == "discount":
            kind = draw(st.sampled_from(list(DiscountKind)))
            value: Decimal | Money = (
                Decimal(draw(st.sampled_from([10, 25, 100])))
                if kind is DiscountKind.PERCENT
                else usd(draw(st.sampled_from(["1.00", "5.00", "50.00"])))
            )
            length = draw(st.one_of(st.none(), st.integers(1, 120)))
            end = None if length is None else now + timedelta(days=length)
            code = f"D{len(tl.discounts)}"
            subjects = {t.subject for t in tl.tracks}
            tl = tl.with_discount(Discount(code, code, kind, value, now, end, subjects))
        elif op == "end":
            tl = tl.ended(max(now, start + timedelta(days=1)))
        elif op == "unend":
            tl = tl.ended(None)
        elif op == "setup":
            tl = tl.charge_once(OneTimeCharge(f"FEE{len(tl.one_time)}", "fee", usd("5.00"), now))
        steps.append((now, tl))
    return first, steps


def _ended_by(pause: Pause, day: date) -> bool:
    return pause.end is not None and pause.end <= day


density = worth_of_day
invoiced_density = invoiced_on_day


@given(histories(), st.lists(st.integers(0, 90), max_size=12))
def test_every_day_is_invoiced_once_at_what_the_final_timeline_says_it_is_worth(
    history: tuple[Timeline, list[tuple[date, Timeline]]], runs: list[int]
) -> None:
    first, steps = history
    invoiced: list[InvoiceLine] = []
    tl = first
    run(tl, tl.start, invoiced)
    moments = sorted(
        [(when, index, step) for index, (when, step) in enumerate(steps)]
        + [(first.start + timedelta(days=offset), -1, None) for offset in runs],
        key=lambda item: (item[0], item[1]),
    )
    for when, _, step in moments:
        if step is not None:
            tl = step
        run(tl, when, invoiced)
    last_day = max([when for when, *_ in moments] + [tl.start]) + timedelta(days=60)
    final = tl.ended(tl.end or last_day)
    settle = (final.end or last_day) + timedelta(days=800)
    run(final, settle, invoiced)
    assert lines_due(final, invoiced, settle) == ()

    keys = {line.key for line in invoiced if line.proration is not None}
    for key in keys:
        day = final.start
        while day < settle:
            assert invoiced_density(invoiced, key, day) == density(final, key, day), (key, day)
            day += timedelta(days=1)
    # Money: the lines add up to the exact worth, within half a cent per prorated line.
    exact = sum(
        (density(final, key, d) for key in keys for d in _days(final.start, settle)), Fraction(0)
    )
    period_total = sum(
        (Fraction(line.amount.amount) for line in invoiced if line.proration is not None),
        Fraction(0),
    )
    prorated = sum(1 for line in invoiced if line.proration is not None)
    assert abs(period_total - exact) <= Fraction(1, 200) * prorated


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=k) for k in range((end - start).days)]


@given(histories())
def test_billing_once_at_the_end_or_at_every_step_comes_to_the_same_days(
    history: tuple[Timeline, list[tuple[date, Timeline]]],
) -> None:
    first, steps = history
    final = steps[-1][1] if steps else first
    end = final.end or (final.start + timedelta(days=400))
    final = final.ended(end)
    settle = end + timedelta(days=800)
    stepped: list[InvoiceLine] = []
    tl = first
    for when, step in [(first.start, first), *steps]:
        tl = step
        run(tl, when, stepped)
    run(final, settle, stepped)
    once = run(final, settle, [])
    keys = {line.key for line in stepped + once if line.proration is not None}
    for key in keys:
        for day in _days(final.start, end):
            assert invoiced_density(stepped, key, day) == invoiced_density(once, key, day)


# -- promotions and additive discounts on the timeline ---------------------------------------


def test_a_promotion_for_every_payment_discounts_every_renewal() -> None:
    from prodlife.billing import promotion_discount
    from prodlife.pricing.promotions import Promotion, PromotionDuration, PromotionKind

    forever = Promotion("LOYAL", PromotionKind.FIXED_AMOUNT, usd("3.00"), PromotionDuration.FOREVER)
    tl = timeline(discounts=(promotion_discount(forever, JAN_1, MONTH, {"WEB"}),))
    invoiced: list[InvoiceLine] = []
    for month in (1, 2, 3, 12):
        run(tl, date(2025, month, 1), invoiced)
    assert [str(line.amount.amount) for line in invoiced if line.type is LineType.DISCOUNT] == [
        "-3.00"
    ] * 12


def test_a_first_payment_promotion_on_a_stub_ends_with_the_stub() -> None:
    from prodlife.billing import promotion_discount
    from prodlife.pricing.promotions import Promotion, PromotionKind

    once = Promotion("HELLO", PromotionKind.PERCENTAGE, 50)
    start = date(2025, 1, 22)
    tl = timeline(
        web("31.00"), start=start, discounts=(promotion_discount(once, start, MONTH, {"WEB"}),)
    )
    invoiced: list[InvoiceLine] = []
    run(tl, start, invoiced)
    run(tl, date(2025, 2, 1), invoiced)
    assert amounts(invoiced) == ["10.00", "-5.00", "31.00"]


def test_an_additive_discount_applies_over_its_validity_only() -> None:
    from prodlife.billing import additive_discount
    from prodlife.catalog.products import Validity
    from prodlife.pricing.discounts import AdditiveDiscount

    summer = AdditiveDiscount(
        "SUMMER", "Summer", percent=10, validity=Validity(date(2025, 2, 1), date(2025, 3, 1))
    )
    tl = timeline(discounts=(additive_discount(summer, JAN_1, {"WEB"}),))
    invoiced: list[InvoiceLine] = []
    for month in (1, 2, 3):
        run(tl, date(2025, month, 1), invoiced)
    assert amounts(invoiced) == ["10.00", "10.00", "-1.00", "10.00"]


def test_a_rate_with_a_window_charges_its_whole_amount_over_the_window() -> None:
    rest = Period(date(2025, 1, 16), date(2025, 2, 1))
    full = Rate(rest.start, rest.end, usd("40.00"), MONTH, "WEB PRO, full price", window=rest)
    tl = timeline().schedule_rate("WEB", full)
    invoiced: list[InvoiceLine] = []
    run(timeline(), JAN_1, invoiced)
    assert amounts(run(tl, date(2025, 1, 16), invoiced)) == ["-5.16", "40.00"]


def test_a_window_must_hold_its_rate() -> None:
    with pytest.raises(RuleViolation, match="window"):
        Rate(JAN_1, None, usd("1"), MONTH, "x", window=Period(JAN_1, date(2025, 2, 1)))


# -- the ledger and the scheduler's next billing date ----------------------------------------


@given(histories(), st.lists(st.integers(0, 90), max_size=12))
def test_billing_through_the_ledger_on_its_next_dates_misses_nothing(
    history: tuple[Timeline, list[tuple[date, Timeline]]], runs: list[int]
) -> None:
    """Billed only when a change happens and on each next billing date (as the scheduler
    does), with the ledger keeping only the open lines, every day ends up invoiced once."""
    from prodlife.billing.ledger import Ledger, bill, next_billing_date

    first, steps = history
    issued: list[InvoiceLine] = []
    ledger, new = bill(first, Ledger(), first.start)
    issued.extend(new)
    tl = first
    changes = dict(steps)
    day, last = first.start, max([first.start, *changes]) + timedelta(days=120)
    while day <= last:
        step = changes.get(day)
        if (
            step is not None
            and ledger.settled is not None
            and _reaches_before(tl, step, ledger.settled)
        ):
            step = None  # the lifecycle refuses changes dated before the settled days
        if step is not None:
            tl = step
        due = next_billing_date(tl, ledger)
        if step is not None or (due is not None and due <= day):
            ledger, new = bill(tl, ledger, day)
            issued.extend(new)
            after = next_billing_date(tl, ledger)
            assert after is None or after > day, "billing must move the next billing date on"
        day += timedelta(days=1)
    final = tl.ended(tl.end or last)
    settle = (final.end or last) + timedelta(days=800)
    for when in (settle,):
        ledger, new = bill(final, ledger, when)
        issued.extend(new)
    keys = {line.key for line in issued if line.proration is not None}
    for key in keys:
        for d in _days(final.start, settle):
            assert invoiced_density(issued, key, d) == density(final, key, d), (key, d)


@given(histories(), st.integers(0, 120), st.data())
def test_the_next_billing_date_is_the_first_day_anything_new_is_billed(
    history: tuple[Timeline, list[tuple[date, Timeline]]], offset: int, data: st.DataObject
) -> None:
    """The scheduler bills on :func:`next_billing_date` only: before it ``bill`` finds
    nothing new, and on it something (in advance and in arrears, after any changes)."""
    from prodlife.billing.ledger import Ledger, bill, next_billing_date

    first, steps = history
    tl = steps[-1][1] if steps else first
    billed_on = tl.start + timedelta(days=offset)
    ledger, _ = bill(tl, Ledger(), billed_on)
    due = next_billing_date(tl, ledger)
    if due is None:
        assert not bill(tl, ledger, billed_on + timedelta(days=3000))[1]
        return
    assert due > billed_on
    before = data.draw(st.integers(1, (due - billed_on).days), label="days on") - 1
    if before:
        assert not bill(tl, ledger, billed_on + timedelta(days=before))[1]
    assert bill(tl, ledger, due)[1]


@given(histories(), st.integers(-40, 400), st.data())
def test_the_next_billing_date_of_a_ledger_behind_is_the_first_day_the_engine_bills(
    history: tuple[Timeline, list[tuple[date, Timeline]]], offset: int, data: st.DataObject
) -> None:
    """Not yet billed (a service ordered ahead), or nothing invoiced from ``settled`` on (as
    :func:`~prodlife.lifecycle.terms.invoiced_on` asks): the same agreement with ``bill``.
    In arrears an ended service is billed to its end on any day (its final invoice)."""
    from prodlife.billing.ledger import Ledger, bill, next_billing_date

    first, steps = history
    tl = steps[-1][1] if steps else first
    settled = tl.start + timedelta(days=offset)
    ledger = Ledger() if offset < 0 else Ledger(settled=settled)
    due = next_billing_date(tl, ledger)
    if due is None:
        assert not bill(tl, ledger, tl.start + timedelta(days=4000))[1]
        return
    assert bill(tl, ledger, due)[1]
    if tl.timing is BillingTiming.IN_ARREARS and tl.end is not None:
        return
    earlier = due - timedelta(days=data.draw(st.integers(1, 400), label="days before"))
    assert not bill(tl, ledger, earlier)[1]
    assert not bill(tl, ledger, due - timedelta(days=1))[1]


@given(histories(), st.integers(-40, 800), st.data())
def test_due_after_is_the_first_billing_date_the_engine_bills_a_rate_past_a_day(
    history: tuple[Timeline, list[tuple[date, Timeline]]], offset: int, data: st.DataObject
) -> None:
    """:func:`~prodlife.billing.engine.due_after` inverts the engine's own rule of what is
    due of a rate on a billing date (``_due_end``): past the day on it, not the day before
    (nor any earlier day: what is due only grows). In arrears an ended service is due to its
    end on any day, and ``due_after`` gives the day its periods would have billed it."""
    from prodlife.billing.engine import _due_end, due_after

    first, steps = history
    tl = steps[-1][1] if steps else first
    day = tl.start + timedelta(days=offset)
    ahead = timedelta(days=tl.invoice_days_before)

    def reach(on: date) -> date | None:
        return _due_end(tl, rate, on, on + ahead, False)

    def past(on: date) -> bool:
        end = reach(on)
        return end is not None and end > day

    ended_in_arrears = tl.timing is BillingTiming.IN_ARREARS and tl.end is not None
    for track in tl.tracks:
        for rate in track.rates:
            due = due_after(tl, rate, day)
            if due is None:
                assert not past(day + timedelta(days=4000)), (rate, day)
                continue
            assert past(due), (rate, day, due)
            if not ended_in_arrears:
                assert not past(due - timedelta(days=1)), (rate, day, due)
                back = data.draw(st.integers(1, 400), label="days before")
                assert not past(due - timedelta(days=back)), (rate, day, due)


def test_in_arrears_a_shorter_cycle_mid_period_bills_the_stub_on_its_first_period_end() -> None:
    """Monthly from April 1, then 7-day periods from April 15 (anchored on May 1, the old
    anniversary). In arrears the engine bills a track up to the start of the period holding
    the billing day, under any of its rates: the 7-day periods run [Apr 10, Apr 17),
    [Apr 17, Apr 24), ... (May 1 less whole weeks), so on April 17 the period in use starts
    on April 17, past the change: the monthly rate's Apr 1-15 and the stub Apr 15-17
    are billed then, not on May 1 (the end of the old monthly period)."""
    from prodlife.billing.changes import change_rate
    from prodlife.billing.ledger import Ledger, bill, next_billing_date
    from prodlife.cycles import CycleUnit

    april = date(2025, 4, 1)
    monthly = Rate(april, None, usd("10.00"), BillingSchedule(MONTHLY, april), "WEB")
    tl = Timeline(
        "S-1",
        "C-1",
        april,
        timing=BillingTiming.IN_ARREARS,
        tracks=(Track.of(LineType.RECURRING, "WEB", monthly),),
    )
    weekly = BillingCycle(CycleUnit.DAY, 7)
    tl = change_rate(tl, "WEB", date(2025, 4, 15), usd("5.00"), cycle=weekly, description="7d")
    assert tl.track("WEB").rates[-1].schedule.anchor == date(2025, 5, 1)
    stub_end = date(2025, 5, 1) - timedelta(days=2 * 7)
    assert next_billing_date(tl, Ledger()) == stub_end == date(2025, 4, 17)
    assert not bill(tl, Ledger(), stub_end - timedelta(days=1))[1]
    assert [line.period for line in bill(tl, Ledger(), stub_end)[1]] == [
        Period(april, date(2025, 4, 15)),
        Period(date(2025, 4, 15), stub_end),
    ]


def test_in_advance_a_service_starting_inside_a_period_is_first_due_on_its_start() -> None:
    """Started on the 12th, billed on the 2nd, invoiced 7 days ahead: the engine bills a
    period once it starts (less the days ahead), but nothing before the service starts
    (less the days ahead): its first invoice is due on the 5th, not on the 26th before."""
    from prodlife.billing.ledger import Ledger, bill, next_billing_date

    start = date(2025, 11, 12)
    schedule = BillingSchedule(MONTHLY, date(2025, 11, 2))
    tl = timeline(web(schedule=schedule, start=start), start=start, invoice_days_before=7)
    due = start - timedelta(days=7)
    assert next_billing_date(tl, Ledger()) == due == date(2025, 11, 5)
    assert not bill(tl, Ledger(), due - timedelta(days=1))[1]
    assert bill(tl, Ledger(), due)[1]


def _reaches_before(old: Timeline, new: Timeline, settled: date) -> bool:
    """Whether ``new`` differs from ``old`` on a day before ``settled``."""
    day = old.start
    keys = {(t.type, t.subject, "") for t in (*old.tracks, *new.tracks)}
    codes = {
        (LineType.DISCOUNT, s, d.code) for d in (*old.discounts, *new.discounts) for s in d.subjects
    }
    while day < settled:
        for key in keys | codes:
            if density(old, key, day) != density(new, key, day):
                return True
        day += timedelta(days=1)
    return old.one_time != new.one_time and any(c.day < settled for c in new.one_time)
