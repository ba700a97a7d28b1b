"""Prorata billing at order (seeds 002/003): a stub to the billing day, "charge next month".

The rule (WHMCS's documented product settings "Prorata Date" and "Charge Next Month",
https://docs.whmcs.com/Prorata_Billing): every month-based service is billed on one day of
the month; a service ordered on another day first pays the stub to that day, priced against
the whole period that ends there; one ordered after the "charge next month" day also pays the
following whole period on its first invoice. Add-ons are billed on their parent's day. The
amounts below follow from that rule and the actual-days count (no public figures exist for
them): a stub of 22 days of a 31-day January at 10.00 a month is 10.00 x 22 / 31 = 7.10.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife.app import Billing
from prodlife.billing import InvoiceLine, LineType, Prorata
from prodlife.clock import FixedClock
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY, BillingCycle, CycleUnit
from prodlife.errors import RuleViolation
from prodlife.lifecycle import (
    Actor,
    OrderLine,
    OrderOptions,
    Service,
    activate,
    billed,
    first_invoice_day,
    price_order,
    renew,
    services_for,
)
from prodlife.lifecycle.outcome import Outcome
from prodlife.pricing import AddonPick, OrderLineSpec, PlanRate
from prodlife.pricing import Rate as PriceRate
from prodlife.stores import open_store
from prodlife.testing.conservation import invoiced_on_day, worth_of_day
from tests._lifecycle import SYSTEM, rows, shop
from tests._support import d, usd
from tests.test_lifecycle_orders import CONTEXT, order

BUYER = Actor.customer("C-1")
WEEKLY = BillingCycle(CycleUnit.WEEK, 1)
VPS = OrderLineSpec("VPS")
WEEKLY_VPS = PlanRate("VPS", WEEKLY, PriceRate.flat(usd("3.00")))


def ordered(
    day: date,
    prorata: Prorata | None,
    spec: OrderLineSpec = VPS,
) -> tuple[Service, list[InvoiceLine]]:
    """A service ordered on ``day`` (UTC) and its first invoice, as the order bills it."""
    placed = order(
        lines=(OrderLine(spec),), placed_at=datetime.combine(day, datetime.min.time(), UTC)
    )
    (service,) = services_for(
        placed, price_order(placed, CONTEXT), context=CONTEXT, prorata=prorata
    )
    first = billed(Outcome(service), first_invoice_day(service))
    return first.service, list(first.lines)


def recurring(lines: list[InvoiceLine]) -> list[tuple[str, str, str]]:
    return [
        row
        for row, line in zip(rows(lines), lines, strict=True)
        if line.type is not LineType.ONE_TIME
    ]


# --- the value ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{"day": 0}, {"day": 32}, {"day": True}, {"day": "1"}, {"day": 1, "charge_next_after": 0}],
)
def test_a_prorata_day_is_a_day_of_the_month(fields: dict[str, object]) -> None:
    with pytest.raises(RuleViolation) as caught:
        Prorata(**fields)  # type: ignore[arg-type]
    assert caught.value.rule == "prorata.day"


def test_prorata_aligns_month_based_cycles_only() -> None:
    assert Prorata(1).applies_to(QUARTERLY)
    assert not Prorata(1).applies_to(WEEKLY)
    with pytest.raises(RuleViolation) as caught:
        Prorata(1).first_periods(d("2025-01-10"), WEEKLY)
    assert caught.value.rule == "prorata.cycle"


# --- the first invoice -------------------------------------------------------------------


def test_an_order_on_the_10th_pays_the_stub_to_the_1st() -> None:
    service, lines = ordered(d("2025-01-10"), Prorata(1, charge_next_after=20))
    # 22 of January's 31 days at 10.00 a month.
    assert recurring(lines) == [("recurring", "[2025-01-10, 2025-02-01)", "7.10")]
    assert lines[0].proration is not None
    assert str(lines[0].proration.period) == "[2025-01-01, 2025-02-01)"
    assert service.next_due == d("2025-02-01")


def test_an_order_after_the_charge_next_month_day_also_pays_the_next_month() -> None:
    service, lines = ordered(d("2025-01-25"), Prorata(1, charge_next_after=20))
    # 7 of 31 days, then February whole: one invoice, due again on Mar 1.
    assert recurring(lines) == [
        ("recurring", "[2025-01-25, 2025-02-01)", "2.26"),
        ("recurring", "[2025-02-01, 2025-03-01)", "10.00"),
    ]
    assert service.next_due == d("2025-03-01")


def test_an_order_on_the_charge_next_month_day_itself_pays_the_stub_only() -> None:
    service, lines = ordered(d("2025-01-20"), Prorata(1, charge_next_after=20))
    assert [row[1] for row in recurring(lines)] == ["[2025-01-20, 2025-02-01)"]
    assert service.next_due == d("2025-02-01")


def test_an_order_on_the_billing_day_pays_a_whole_period() -> None:
    service, lines = ordered(d("2025-01-01"), Prorata(1, charge_next_after=20))
    assert recurring(lines) == [("recurring", "[2025-01-01, 2025-02-01)", "10.00")]
    assert service.next_due == d("2025-02-01")


def test_billing_day_31_stub_ends_on_february_28_and_renews_on_march_31() -> None:
    service, lines = ordered(d("2025-02-10"), Prorata(31))
    # 18 of the 28 days from Jan 31 to Feb 28.
    assert recurring(lines) == [("recurring", "[2025-02-10, 2025-02-28)", "6.43")]
    assert service.next_due == d("2025-02-28")
    active = activate(service, SYSTEM, datetime(2025, 2, 10, 12, tzinfo=UTC)).service
    renewed = renew(active, SYSTEM, datetime(2025, 2, 26, 12, tzinfo=UTC))
    assert [row[1] for row in rows(renewed.lines)] == ["[2025-02-28, 2025-03-31)"]
    assert renewed.service.next_due == d("2025-03-31")


def test_an_addon_is_billed_on_its_parents_day() -> None:
    spec = OrderLineSpec("VPS", addons=(AddonPick("BACKUP", MONTHLY),))
    service, lines = ordered(d("2025-01-10"), Prorata(1), spec)
    addon = [
        row for row, line in zip(rows(lines), lines, strict=True) if line.type is LineType.ADDON
    ]
    # 22 of 31 days at 3.00 a month.
    assert addon == [("add-on", "[2025-01-10, 2025-02-01)", "2.13")]
    assert service.addon("BACKUP").next_due == d("2025-02-01")


def test_an_addon_ordered_late_is_due_after_the_next_month_too() -> None:
    spec = OrderLineSpec("VPS", addons=(AddonPick("BACKUP", MONTHLY),))
    service, lines = ordered(d("2025-01-25"), Prorata(1, charge_next_after=20), spec)
    addon = [
        row for row, line in zip(rows(lines), lines, strict=True) if line.type is LineType.ADDON
    ]
    # 7 of 31 days at 3.00, then February whole: the first invoice pays it to Mar 1.
    assert addon == [
        ("add-on", "[2025-01-25, 2025-02-01)", "0.68"),
        ("add-on", "[2025-02-01, 2025-03-01)", "3.00"),
    ]
    assert service.addon("BACKUP").next_due == d("2025-03-01")


def test_a_weekly_service_and_its_addons_keep_their_start() -> None:
    weekly = BillingCycle(CycleUnit.WEEK, 1)
    spec = OrderLineSpec("VPS", cycle=weekly, addons=(AddonPick("BACKUP", MONTHLY),))
    placed = order(lines=(OrderLine(spec),), placed_at=datetime(2025, 1, 10, tzinfo=UTC))
    context = attrs.evolve(
        CONTEXT, plan=attrs.evolve(CONTEXT.plan, rates=(*CONTEXT.plan.rates, WEEKLY_VPS))
    )
    (service,) = services_for(
        placed, price_order(placed, context), context=context, prorata=Prorata(1)
    )
    assert service.next_due == d("2025-01-17")
    assert service.addon("BACKUP").next_due == d("2025-02-10")


def test_an_annual_service_is_aligned_to_the_day_too() -> None:
    service, lines = ordered(d("2025-01-10"), Prorata(1), OrderLineSpec("VPS", cycle=ANNUAL))
    # The stub to Feb 1 against the year ending there: 22 of 366 days (2024-02-01 to 2025-02-01).
    assert recurring(lines) == [("recurring", "[2025-01-10, 2025-02-01)", "6.01")]
    assert service.next_due == d("2025-02-01")


def test_without_prorata_a_service_is_billed_from_its_start() -> None:
    service, lines = ordered(d("2025-01-10"), None)
    assert recurring(lines) == [("recurring", "[2025-01-10, 2025-02-10)", "10.00")]
    assert service.next_due == d("2025-02-10")


def _on_billing_day(day: date, billing_day: int) -> bool:
    """Whether ``day`` is a billing day: the day itself, or a shorter month's last day."""
    return day.day == billing_day or (day.day < billing_day and (day + timedelta(days=1)).day == 1)


@given(
    start=st.dates(date(2024, 1, 1), date(2026, 12, 31)),
    day=st.integers(1, 31),
    after=st.one_of(st.none(), st.integers(1, 31)),
)
def test_the_first_invoice_covers_each_day_to_the_first_due_date_once(
    start: date, day: int, after: int | None
) -> None:
    service, lines = ordered(start, Prorata(day, charge_next_after=after))
    due = service.next_due
    assert due is not None and due > start and _on_billing_day(due, day)
    # The first due date is the next billing day, or the one after when the order came
    # after the cut-off day on a day that is not a billing day.
    between = [
        start + timedelta(days=n)
        for n in range(1, (due - start).days)
        if _on_billing_day(start + timedelta(days=n), day)
    ]
    late = after is not None and start.day > after and not _on_billing_day(start, day)
    assert len(between) == (1 if late else 0)
    # Every day from the start to it invoiced once at the day's worth, none after.
    base = [line for line in lines if line.type is LineType.RECURRING]
    key = (LineType.RECURRING, base[0].subject, base[0].code)
    for n in range((due - start).days):
        covered = start + timedelta(days=n)
        worth = worth_of_day(service.timeline, key, covered)
        assert worth > 0 and invoiced_on_day(base, key, covered) == worth
    assert invoiced_on_day(base, key, due) == 0


def test_billing_places_the_order_with_prorata_and_bills_the_next_month_now(
    tmp_path: object,
) -> None:
    store = open_store("memory:")
    shop(store, CONTEXT.plan)
    app = Billing(store, clock=FixedClock(datetime(2025, 1, 25, 12, tzinfo=UTC)))
    placed = order(
        placed_at=datetime(2025, 1, 25, 12, tzinfo=UTC),
        options=OrderOptions(generate_invoice=True),
    )
    _, (service,) = app.place_order(
        placed, CONTEXT, BUYER, prorata=Prorata(1, charge_next_after=20)
    )
    assert service.next_due == d("2025-03-01")
    with store.transaction() as uow:
        stored = [item.line for item in uow.invoice_lines.for_customer("C-1")]
    assert recurring(stored) == [
        ("recurring", "[2025-01-25, 2025-02-01)", "2.26"),
        ("recurring", "[2025-02-01, 2025-03-01)", "10.00"),
    ]
