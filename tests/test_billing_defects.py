"""The money defects of a service's life found before the billing engine, one test each.

Each was reproduced by a new user (issue "One billing engine"); each is now billed by the
engine from the service's timeline. Figures: VPS 10.00 a month with a 5.00 setup fee,
ordered 2025-02-01 (February has 28 days), unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from prodlife.billing import (
    Discount,
    DiscountKind,
    InvoiceLine,
    LineType,
    Rate,
    Timeline,
    Track,
    lines_due,
    lines_total,
)
from prodlife.catalog.cancellation_policies import CancellationPolicy, CancellationTiming
from prodlife.catalog.catalog import Catalog
from prodlife.cycles import ANNUAL, MONTHLY, BillingSchedule
from prodlife.lifecycle import (
    ACTIVE,
    Actor,
    DueWork,
    Dunning,
    OrderLine,
    OrderOptions,
    SchedulerPolicy,
    Service,
    ServiceAddOn,
    SuspensionKind,
    activate,
    agenda,
    billed,
    cancel,
    change_options,
    change_package,
    invoice_early,
    next_work_date,
    price_order,
    renew,
    run_due,
    services_for,
    suspend,
    unsuspend,
)
from prodlife.lifecycle.option_changes import OptionChange
from prodlife.lifecycle.orders import DomainAction, DomainLine
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.service_parts import ServiceOption
from prodlife.pricing import (
    AddonPick,
    OrderLineSpec,
    PricingContext,
    Promotion,
    PromotionDuration,
    PromotionKind,
)
from prodlife.pricing.recurring import RecurringPrice
from prodlife.pricing.taxes import TaxRate
from prodlife.proration import ChangePolicy, ChargeMode, CreditMode, UsedDay
from prodlife.testing.conservation import check_books
from tests._lifecycle import (
    CATALOG,
    IMMEDIATE_CATALOG,
    OWNER,
    OWNER_ID,
    SERVICE_ID,
    STAFF,
    SYSTEM,
    at,
    change_edition,
    ordered,
    rows,
    web,
)
from tests._support import d, usd
from tests.test_lifecycle_orders import CONTEXT
from tests.test_lifecycle_orders import order as make_order

PRORATED_NOW = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED)


def total(lines: Sequence[InvoiceLine]) -> Decimal:
    found = lines_total(lines)
    return Decimal(0) if found is None else found.amount


VPS = OrderLineSpec("VPS")


def place(
    spec: OrderLineSpec = VPS,
    context: PricingContext = CONTEXT,
    domains: tuple[DomainLine, ...] = (),
) -> tuple[Service, list[InvoiceLine]]:
    """An order of one service, its first invoice billed, and the service activated."""
    order = make_order(
        lines=(OrderLine(spec),), domains=domains, options=OrderOptions(generate_invoice=True)
    )
    (service,) = services_for(order, price_order(order, context), context=context)
    first = billed(Outcome(service), service.start)
    active = activate(first.service, SYSTEM, at("2025-02-01", 9)).service
    return active, list(first.lines)


#: The customer of the services ordered here.
BUYER = Actor.customer("C-1")


def owner() -> Actor:
    """The owner of the ``web()`` fixture's services."""
    return OWNER


def test_an_ordered_services_first_period_is_billed_so_a_day_16_upgrade_bills_the_rest() -> None:
    _, lines = place()
    assert rows(lines) == [
        ("recurring", "[2025-02-01, 2025-03-01)", "10.00"),
        ("one-time", "2025-02-01", "5.00"),
    ]
    # The same with the example catalog's WEB: ordered April 1, upgraded on the 16th.
    first = billed(Outcome(ordered()), d("2025-04-01"))
    active = activate(first.service, SYSTEM, at("2025-04-01", 9)).service
    up = change_edition(active, "PRO")
    assert up.total == usd("15.00")  # (40.00 - 10.00) * 15/30: it billed nothing before


def test_a_prorated_cancellation_on_day_2_refunds_the_unused_days() -> None:
    service, lines = place()
    done = cancel(service, BUYER, at("2025-02-02"), policy=PRORATED_NOW)
    # Feb 1 and 2 used: 10.00 * 2/28 = 0.71 billed in all for the month.
    month = [*lines, *done.lines]
    recurring = [line for line in month if line.type is LineType.RECURRING]
    assert total(recurring) == Decimal("0.71")


def ahead(service: Service, days: int = 7) -> Service:
    return attrs.evolve(service, timeline=attrs.evolve(service.timeline, invoice_days_before=days))


def paid_ahead() -> tuple[Service, list[InvoiceLine]]:
    """WEB BASIC paid for April, May invoiced seven days ahead and paid."""
    service = ahead(web())
    lines: list[InvoiceLine] = list(service.ledger.lines)
    run = run_due([service], at("2025-04-24", 6), SchedulerPolicy())
    lines += run.lines
    paid = renew(run.services[0], SYSTEM, at("2025-04-25"))
    lines += paid.lines
    return paid.service, lines


@pytest.mark.parametrize(
    "catalog", [IMMEDIATE_CATALOG, CATALOG], ids=["immediate", "after payment"]
)
def test_with_renewals_invoiced_ahead_an_upgrade_bills_the_days_left_and_may(
    catalog: Catalog,
) -> None:
    # Immediate or invoiced for the change once paid, it never owes the customer.
    service, lines = paid_ahead()
    up = change_edition(service, "PRO", when=at("2025-04-26"), catalog=catalog, actor=owner())
    # April 26-30 (5 of 30 days): +5.00; May at 40.00 instead of 10.00: +30.00.
    assert up.total == usd("35.00")
    check_books(up.service.timeline, [*lines, *up.lines])


def test_with_renewals_invoiced_ahead_a_pause_and_a_cancellation_credit_what_was_paid() -> None:
    service, _ = paid_ahead()
    paused = suspend(service, owner(), at("2025-04-26"), SuspensionKind.TEMPORARY)
    assert paused.total == usd("-11.67")  # 5 days of April (1.67) and all of May (10.00)
    service, _ = paid_ahead()
    gone = cancel(service, owner(), at("2025-04-26"), policy=PRORATED_NOW)
    assert gone.total == usd("-11.33")  # April 27-30 (1.33) and May (10.00)


def renewed(service: Service, *days: str) -> tuple[Service, list[InvoiceLine]]:
    """``service`` renewed by the system at noon on each of ``days``, and the lines billed."""
    lines: list[InvoiceLine] = []
    for day in days:
        outcome = renew(service, SYSTEM, at(day))
        service, lines = outcome.service, lines + list(outcome.lines)
    return service, lines


def test_a_promotion_for_three_payments_and_taxes_apply_to_every_period() -> None:
    spring = Promotion("SPRING", PromotionKind.PERCENTAGE, 20, PromotionDuration.CYCLES, cycles=3)
    vat = TaxRate("VAT20", "VAT 20 %", 20)
    context = attrs.evolve(CONTEXT, promotions=(spring,), taxes=(vat,), customer_id="C-1")
    service, lines = place(OrderLineSpec("VPS", promo_code="SPRING"), context)
    service, renewals = renewed(service, "2025-02-27", "2025-03-27", "2025-04-27")
    lines += renewals
    by_type = {
        kind: [line for line in lines if line.type is kind and line.period is not None]
        for kind in (LineType.RECURRING, LineType.DISCOUNT, LineType.TAX)
    }
    assert len(by_type[LineType.RECURRING]) == 4  # February to May
    assert [str(line.amount.amount) for line in by_type[LineType.DISCOUNT]] == ["-2.00"] * 3
    assert [str(line.amount.amount) for line in by_type[LineType.TAX]] == [
        "1.60",
        "1.60",
        "1.60",
        "2.00",
    ]


def test_an_annual_addon_on_a_monthly_base_is_billed_its_own_year() -> None:
    service, _ = place(OrderLineSpec("VPS", addons=(AddonPick("BACKUP", ANNUAL),)))
    addon = [line for line in service.ledger.lines if line.subject == "BACKUP"]
    # BACKUP on its annual rate: 30.00 for the year from Feb 1, not for February alone.
    assert rows(addon) == [("add-on", "[2025-02-01, 2026-02-01)", "30.00")]


def test_a_service_on_billing_day_31_renews_on_the_31st_after_february() -> None:
    service = web(start=d("2025-01-31"), next_due=d("2025-02-28"), paid_through=d("2025-02-27"))
    service, lines = renewed(service, "2025-02-26", "2025-03-29")
    assert [str(line.period) for line in lines] == [
        "[2025-02-28, 2025-03-31)",
        "[2025-03-31, 2025-04-30)",
    ]


def test_a_service_aligned_to_day_31_keeps_it_after_a_stub_ending_in_february() -> None:
    # Started Feb 10, aligned to billing day 31: its stub ends on Feb 28, the day the
    # service has no trace of but on its timeline. It renews on Mar 31, not Mar 28.
    schedule = BillingSchedule(MONTHLY, d("2025-02-28"), 31)
    rate = Rate(d("2025-02-10"), None, usd("10.00"), schedule, "WEB BASIC")
    track = Track.of(LineType.RECURRING, "", rate)
    timeline = Timeline(SERVICE_ID, OWNER_ID, d("2025-02-10"), tracks=(track,))
    service = web(
        start=d("2025-02-10"),
        next_due=d("2025-02-28"),
        paid_through=d("2025-02-27"),
        timeline=timeline,
    )
    assert service.due_date(1) == d("2025-03-31")
    service, lines = renewed(service, "2025-02-26", "2025-03-29")
    assert [str(line.period) for line in lines] == [
        "[2025-02-28, 2025-03-31)",
        "[2025-03-31, 2025-04-30)",
    ]
    assert service.next_due == d("2025-04-30")


def test_domain_lines_are_invoiced_with_the_order_as_services_of_their_own() -> None:
    domain = DomainLine("example.com", DomainAction.REGISTER, price_override=usd("12.00"))
    _, lines = place()
    order = make_order(
        lines=(OrderLine(VPS),), domains=(domain,), options=OrderOptions(generate_invoice=True)
    )
    vps, registered = services_for(order, price_order(order, CONTEXT), context=CONTEXT)
    assert rows(billed(Outcome(vps), vps.start).lines) == rows(lines)  # the VPS's alone
    first = billed(Outcome(registered), registered.start)
    assert rows(first.lines) == [("recurring", "[2025-02-01, 2026-02-01)", "12.00")]


def test_cancelling_after_paying_a_renewal_ahead_refunds_it() -> None:
    service, _ = paid_ahead()
    done = cancel(service, owner(), at("2025-04-30"), policy=PRORATED_NOW)
    assert done.total == usd("-10.00")  # May, paid and unused


def test_an_option_change_repairs_a_period_invoiced_ahead() -> None:
    service = ahead(web(options=(ServiceOption("RAM", "2GB", price=usd("5.00")),)))
    invoiced = invoice_early(service, STAFF, at("2025-04-20"))
    lines = [*service.ledger.lines, *invoiced.lines]
    more = change_options(
        invoiced.service, owner(), at("2025-04-21"), [OptionChange("RAM", "4GB", usd("8.00"))]
    )
    # April 21-30: +3.00 * 10/30 = 1.00; May: +3.00.
    assert more.total == usd("4.00")
    check_books(more.service.timeline, [*lines, *more.lines])


def test_an_immediate_change_while_a_renewal_is_unpaid_bills_only_the_days_from_the_change() -> (
    None
):
    service = web()
    invoiced = invoice_early(service, STAFF, at("2025-04-28")).service  # May invoiced, unpaid
    up = change_edition(invoiced, "PRO", when=at("2025-05-05"), actor=owner())
    # May 5-31, 27 of 31 days: (40.00 - 10.00) * 27/31 = 26.13; May 1-4 stay at 10.00.
    assert up.total == usd("26.13")


def test_an_end_of_term_change_after_the_renewal_was_invoiced_repairs_it() -> None:
    invoiced = invoice_early(web("PRO"), STAFF, at("2025-04-20")).service  # May at 40.00
    down = change_edition(invoiced, "BASIC", when=at("2025-04-22"), catalog=CATALOG, actor=owner())
    assert down.service.pending_change is not None
    assert down.total == usd("-30.00")  # May is BASIC's 10.00, not PRO's 40.00


def test_an_option_change_while_a_package_change_is_pending_survives_it() -> None:
    service = web("PRO", options=(ServiceOption("RAM", "2GB", price=usd("5.00")),))
    down = change_edition(
        service, "BASIC", when=at("2025-04-10"), catalog=CATALOG, actor=owner()
    ).service
    more = change_options(
        down, owner(), at("2025-04-16"), [OptionChange("RAM", "4GB", usd("8.00"))]
    )
    may = renew(more.service, SYSTEM, at("2025-04-28"))
    assert sorted(str(line.amount.amount) for line in may.lines) == ["10.00", "8.00"]


def test_a_pause_rebills_a_change_waiting_for_payment_at_nothing() -> None:
    waiting = change_edition(web(), "PRO", when=at("2025-04-10"), catalog=CATALOG, actor=owner())
    paused = suspend(waiting.service, owner(), at("2025-04-16"), SuspensionKind.TEMPORARY)
    # The 15 paused days of PRO (40.00 * 15/30 = 20.00) are reversed.
    assert paused.total == usd("-20.00")


def test_add_ons_pause_with_their_base() -> None:
    service = web(
        addons=(
            ServiceAddOn(
                "IP",
                MONTHLY,
                d("2025-04-01"),
                d("2025-05-01"),
                ACTIVE,
                price=RecurringPrice.at_order(usd("3.00")),
            ),
        )
    )
    paused = suspend(service, owner(), at("2025-04-16"), SuspensionKind.TEMPORARY)
    assert sorted(line.subject for line in paused.lines) == ["", "IP"]
    resumed = unsuspend(paused.service, owner(), at("2025-04-21"))
    assert sorted(line.subject for line in resumed.lines) == ["", "IP"]


def test_paying_a_month_ahead_then_upgrading_and_cancelling_refunds_no_more_than_was_paid() -> None:
    # WEB 10.00 a month, paid for January and February; upgraded to 40.00 on Jan 1; cancelled
    # with a prorated refund on Feb 1: the customer used January at 40.00 and owes it.
    service = web(start=d("2025-01-01"), next_due=d("2025-01-01"), paid_through=None)
    paid = renew(service, SYSTEM, at("2025-01-01", 8), periods=2)
    lines = list(paid.lines)
    up = change_edition(paid.service, "PRO", when=at("2025-01-01", 10), actor=owner())
    lines += up.lines
    gone = cancel(up.service, owner(), at("2025-02-01"), policy=PRORATED_NOW)
    lines += gone.lines
    # January at 40.00 and February 1 (1/28 of 40.00 = 1.43): 41.43 in all, never below zero.
    assert total(lines) == Decimal("41.43")


def test_two_billing_objects_agree_on_when_a_service_is_due() -> None:
    service = ahead(web(), 7)
    # Whatever the policy of the process that saves it, the service is due 7 days ahead.
    assert {
        next_work_date(service, SchedulerPolicy(invoice_days_before=days)) for days in (0, 3, 10)
    } == {date(2025, 4, 24)}
    # And suspended for non-payment on its own grace period, whatever the process's.
    unpaid = attrs.evolve(
        web(next_due=d("2025-04-10"), paid_through=d("2025-04-09")),
        dunning=Dunning(suspend_days_after=5),
    )
    policies = [SchedulerPolicy(suspend_days_after=days) for days in (None, 1, 30)]
    suspensions = {
        day
        for policy in policies
        for work, day, _ in agenda(unpaid, policy)
        if work is DueWork.SUSPEND_OVERDUE
    }
    assert suspensions == {date(2025, 4, 15)}


def test_a_discount_over_a_period_invoiced_ahead_is_credited_when_it_is_added() -> None:
    """Found in session 7 (a promo code on a running service): a discount or tax whose
    charge was invoiced ahead was billed only when its period fell due, so the books
    disagreed with the timeline in between. 10.00 a month, May invoiced on April 20,
    then 20 % off from May 1: May's 2.00 comes back at once."""
    monthly = BillingSchedule(MONTHLY, date(2025, 4, 1))
    web = Track.of(
        LineType.RECURRING, "WEB", Rate(date(2025, 4, 1), None, usd("10.00"), monthly, "WEB")
    )
    timeline = Timeline("S-1", "C-1", date(2025, 4, 1), tracks=(web,))
    invoiced = lines_due(timeline, (), date(2025, 4, 20), through=date(2025, 5, 1))
    assert [str(line.amount) for line in invoiced] == ["USD 10.00", "USD 10.00"]
    off = Discount(
        "LOYAL", "20 % off", DiscountKind.PERCENT, Decimal(20), date(2025, 5, 1), None, {"WEB"}
    )
    discounted = attrs.evolve(timeline, discounts=(off,))
    (credit,) = lines_due(discounted, invoiced, date(2025, 4, 20))
    assert credit.type is LineType.DISCOUNT and credit.amount == usd("-2.00")
    assert str(credit.period) == "[2025-05-01, 2025-06-01)"
    # Billed once: the next billing adds nothing more for May.
    assert lines_due(discounted, (*invoiced, credit), date(2025, 4, 25)) == ()


def test_the_parts_of_one_line_reversed_at_different_times_never_give_back_more_than_it() -> None:
    """Found in session 7 by the refund property: 0.01 USD for February 2001 (28 days),
    fully credited for its first 14 days by a change on the 15th (0.005, rounded to 0.01),
    then cancelled that day with the rest refunded (0.005 again, 0.01 again): 0.02 given
    back for a line of 0.01. The last reversal of a period now takes what is left."""
    start, end = date(2001, 2, 1), date(2001, 3, 1)
    service = web(
        cycle=MONTHLY,
        start=start,
        next_due=end,
        paid_through=end - timedelta(days=1),
        price=RecurringPrice(usd("0.01"), override=False),
    )
    changed = change_package(
        service,
        OWNER,
        datetime(2001, 2, 15, 9, tzinfo=UTC),
        catalog=IMMEDIATE_CATALOG,
        to_edition="PRO",
        new_price=usd("0.01"),
        policy=ChangePolicy(credit=CreditMode.FULL, charge=ChargeMode.PRORATED),
    )
    policy = CancellationPolicy(
        CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED, used_day=UsedDay.UNUSED
    )
    done = cancel(changed.service, OWNER, datetime(2001, 2, 15, 18, tzinfo=UTC), policy=policy)
    invoiced = [*service.ledger.lines, *changed.lines, *done.lines]
    assert lines_total(invoiced) == usd("0.00")  # nothing kept, nothing given back twice
    assert all(line.reverses for line in done.lines)
