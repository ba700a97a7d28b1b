"""A discount or tax line never rounds apart from the charge it is on.

A discount (a percentage promotion) or a tax on a recurring charge is billed as lines of
its own over the spans of the charge's billing periods it is in force. Each line rounds to
minor units, so the engine rounds them *from the charge's rounded lines*, not on their
own: otherwise, once a pause, a change or a cancellation reverses part of a period, the
charge's reversal and its 100 % discount's reversal round apart and the customer owes (or
is owed) a cent for days that cost nothing.

The rule checked, per billing period, over every line issued for it (charges and
reversals, whatever happened in between), wherever the discount is in force on every day
of the period still charged: each charge line is discounted and taxed on its own amount,
as a coupon or a tax on proration items is (Stripe), so

- a ``p`` % discount's lines add up to minus the sum over the charge's lines of each
  line times ``p``, rounded once each; a 100 % discount's to exactly minus the charge's;
- a tax's lines to the sum over the charge's lines of each line times the tax rate on
  what the discounts leave of it (``rate x (1 - p)``), rounded once each;
- a period whose charge lines add up to nothing (reversed whole) has discount and tax
  lines adding up to nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from prodlife.billing import (
    Discount,
    DiscountKind,
    InvoiceLine,
    LineType,
    Rate,
    Timeline,
    Track,
    lines_due,
)
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import MONTHLY, QUARTERLY, BillingSchedule
from prodlife.periods import Period
from prodlife.pricing.taxes import TaxRate
from prodlife.testing.conservation import invoiced_on_day
from tests._support import usd

CENT = Decimal("0.01")
ZERO = Decimal(0)
#: Prices whose prorated shares rarely come out even.
PRICES = st.sampled_from(["10.00", "9.99", "27.00", "33.33", "100.00", "0.97"])
PERCENTS = st.sampled_from([Decimal(100), Decimal(33), Decimal("12.5")])
#: No promotion, or one of those percentages.
ANY_PERCENT = st.one_of(st.none(), PERCENTS)
TAXES = st.sampled_from([(), (TaxRate("VAT", "VAT 21 %", Decimal(21)),)])


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@st.composite
def lives(
    draw: st.DrawFn, percents: st.SearchStrategy[Decimal | None] = ANY_PERCENT
) -> tuple[list[tuple[date, Timeline]], Timeline, Decimal | None]:
    """A service with a percentage promotion from its start (or none) and maybe a tax, the
    timelines it goes through (paused, resumed, repriced, cancelled, each on the day it
    happens) with the days it is billed, and the percentage."""
    start = draw(st.dates(date(2025, 1, 1), date(2025, 12, 31)))
    cycle = draw(st.sampled_from([MONTHLY, QUARTERLY]))
    timing = draw(st.sampled_from(list(BillingTiming)))
    ahead = draw(st.sampled_from([0, 3, 7])) if timing is BillingTiming.IN_ADVANCE else 0
    track = Track.of(
        LineType.RECURRING,
        "WEB",
        Rate(start, None, usd(draw(PRICES)), BillingSchedule(cycle, start), "WEB"),
    )
    percent = draw(percents)
    begins = start + timedelta(days=draw(st.sampled_from([0, 0, 9])))
    length = draw(st.one_of(st.none(), st.integers(1, 80)))
    ends = None if length is None else begins + timedelta(days=length)
    discounts = (
        ()
        if percent is None
        else (Discount("PROMO", "promotion", DiscountKind.PERCENT, percent, begins, ends, {"WEB"}),)
    )
    taxes = draw(TAXES)
    tl = Timeline(
        "S-1",
        "C-1",
        start,
        timing=timing,
        tracks=(track,),
        discounts=discounts,
        taxes=taxes,
        invoice_days_before=ahead,
    )
    steps = [(start, tl)]
    now = start
    for _ in range(draw(st.integers(1, 7))):
        now += timedelta(days=draw(st.integers(0, 40)))
        op = draw(st.sampled_from(["run", "pause", "resume", "price", "cycle", "end", "unend"]))
        if (
            op == "pause"
            and not tl.paused
            and all(p.end is None or p.end <= now for p in tl.pauses)
        ):
            tl = tl.pause(now)
        elif op == "resume" and tl.paused:
            tl = tl.resume(now)
        elif op == "price" and (tl.end is None or now < tl.end):
            tl = tl.change_rate("WEB", now, amount=usd(draw(PRICES)))
        elif op == "cycle" and (tl.end is None or now < tl.end):
            new = draw(st.sampled_from([MONTHLY, QUARTERLY]))
            tl = tl.change_rate("WEB", now, schedule=BillingSchedule(new, now))
        elif op == "end":
            tl = tl.ended(max(now, start + timedelta(days=1)))
        elif op == "unend":
            tl = tl.ended(None)
        steps.append((now, tl))
    return steps, tl, percent


def _bill(steps: list[tuple[date, Timeline]], final: Timeline) -> list[InvoiceLine]:
    invoiced: list[InvoiceLine] = []
    for when, tl in steps:
        invoiced.extend(lines_due(tl, invoiced, when))
    settle = (final.end or steps[-1][0]) + timedelta(days=200)
    closed = final.ended(final.end or steps[-1][0] + timedelta(days=100))
    invoiced.extend(lines_due(closed, invoiced, settle))
    assert lines_due(closed, invoiced, settle) == ()
    return invoiced


def _by_period(lines: list[InvoiceLine]) -> dict[Period, dict[LineType, list[InvoiceLine]]]:
    out: dict[Period, dict[LineType, list[InvoiceLine]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        share = line.proration
        if share is not None and isinstance(share.period, Period):
            out[share.period][line.type].append(line)
    return out


def _sum(lines: list[InvoiceLine]) -> Decimal:
    return sum((line.amount.amount for line in lines), Decimal(0))


def _covered(lines: list[InvoiceLine], period: Period, discount: Discount | None) -> bool:
    """Whether ``discount`` (every one, for ``None``) is in force on every day of
    ``period`` the charge lines still invoice (the charge's rate over it, reversals
    netted, is not zero)."""
    if discount is None:
        return True
    key = (LineType.RECURRING, "WEB", "")
    day = period.start
    while day < period.end:
        inside = discount.start <= day and (discount.end is None or day < discount.end)
        if not inside and invoiced_on_day(lines, key, day) != 0:
            return False
        day += timedelta(days=1)
    return True


@given(lives(st.just(Decimal(100))))
def test_a_free_charge_costs_nothing_whatever_reverses_part_of_it(
    life: tuple[list[tuple[date, Timeline]], Timeline, Decimal | None],
) -> None:
    """Under a 100 % promotion, a period whose charged days are all free has discount
    lines of exactly minus its charge lines (and no tax)."""
    steps, final, _ = life
    lines = _bill(steps, final)
    for period, kinds in _by_period(lines).items():
        if not _covered(lines, period, final.discounts[0]):
            continue
        charged, discounted = _sum(kinds[LineType.RECURRING]), _sum(kinds[LineType.DISCOUNT])
        assert discounted == -charged, (period, [str(x) for ts in kinds.values() for x in ts])
        assert _sum(kinds[LineType.TAX]) == 0


@given(lives())
def test_a_discount_or_tax_adds_up_from_the_charge_lines_it_is_on(
    life: tuple[list[tuple[date, Timeline]], Timeline, Decimal | None],
) -> None:
    """Over a period the discount covers, its lines (and a tax's) come to each charge
    line's share, rounded once each."""
    steps, final, percent = life
    lines = _bill(steps, final)
    rate = percent / 100 if percent is not None else Decimal(0)
    vat = final.taxes[0].percent / 100 if final.taxes else None
    promo = final.discounts[0] if final.discounts else None
    for period, kinds in _by_period(lines).items():
        charges = kinds[LineType.RECURRING]
        charged, discounted, taxed = (
            _sum(charges),
            _sum(kinds[LineType.DISCOUNT]),
            _sum(kinds[LineType.TAX]),
        )
        where = (period, "; ".join(str(line) for ts in kinds.values() for line in ts))
        if charged == 0:
            assert (discounted, taxed) == (ZERO, ZERO), where
            continue
        if _covered(lines, period, promo):
            off = sum((_round(line.amount.amount * rate) for line in charges), ZERO)
            assert discounted == -off, where
            if vat is not None:
                share = vat * (1 - rate)
                tax = sum((_round(line.amount.amount * share) for line in charges), ZERO)
                assert taxed == tax, where


def _free_until(start: date, end: date, price: str) -> Timeline:
    """A USD ``price`` a month from ``start``, with a 100 % promotion over ``[start, end)``."""
    promo = Discount("P", "promotion", DiscountKind.PERCENT, Decimal(100), start, end, {"WEB"})
    web = Track.of(
        LineType.RECURRING,
        "WEB",
        Rate(start, None, usd(price), BillingSchedule(MONTHLY, start), "WEB"),
    )
    return Timeline("S-1", "C-1", start, tracks=(web,), discounts=(promo,))


def test_the_free_day_a_pause_leaves_of_a_promotion_costs_nothing() -> None:
    """A 100 % promotion on 1 and 2 January, paused on the 2nd: January 1 is charged
    10.00 - 9.68 (30/31 reversed) = 0.32; its discount must give exactly that back, not
    2/31 of 10.00 less 1/31 of it (0.65 - 0.32 = 0.33)."""
    start = date(2025, 1, 1)
    tl = _free_until(start, date(2025, 1, 3), "10.00")
    lines = list(lines_due(tl, (), start))
    paused = tl.pause(date(2025, 1, 2))
    lines += lines_due(paused, lines, date(2025, 1, 2))
    assert sum((line.amount.amount for line in lines), Decimal(0)) == 0, [str(x) for x in lines]


def test_a_discount_only_its_charge_changed_under_is_issued_again_in_step() -> None:
    """0.97 a month, free for February 1st to 14th (14/28 of 0.97 = 0.485 off, 0.49). Paused
    from the 15th: 14/28 reversed, 0.49, leaves 0.48 charged for the 14 free days, so the
    discount's 0.49 would leave the customer owed a cent. Its line is reversed and issued
    again at 0.48 (same rate and days, so the days stay invoiced as they were)."""
    start = date(2025, 2, 1)
    tl = _free_until(start, date(2025, 2, 15), "0.97")
    lines = list(lines_due(tl, (), start))
    assert [str(line.amount.amount) for line in lines] == ["0.97", "-0.49"]
    paused = tl.pause(date(2025, 2, 15))
    repair = lines_due(paused, lines, date(2025, 2, 15))
    assert [(line.type, line.reverses, str(line.amount.amount)) for line in repair] == [
        (LineType.DISCOUNT, True, "0.49"),
        (LineType.DISCOUNT, False, "-0.48"),
        (LineType.RECURRING, True, "-0.49"),
    ]
    lines += repair
    assert sum((line.amount.amount for line in lines), ZERO) == 0
    assert lines_due(paused, lines, date(2025, 3, 1)) == ()
    key = (LineType.DISCOUNT, "WEB", "P")
    assert invoiced_on_day(lines, key, start) == Fraction(-97, 100 * 28)
