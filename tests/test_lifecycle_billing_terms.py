"""One lifecycle scenario billed in advance and in arrears: the lines differ, the total does not.

The scenario (WEB, monthly, BASIC 10.00 then PRO 40.00 USD a month):

- 2025-04-01 ordered and activated; the scheduler runs every morning, and the
  customer pays each invoice the day it is issued;
- 2025-04-16 upgrade to PRO, at once (15 of April's 30 days left);
- 2025-05-11 the customer pauses the service (21 of May's 31 days left);
- 2025-06-11 the pause ends (20 of June's 30 days left);
- 2025-06-21 cancelled at once, the unused part refunded by proration, the
  day of cancellation used (9 of June's days unused).

What the service was worth: 15 days of BASIC and 15 of PRO in April (5.00 +
20.00), 10 days of PRO in May (40 x 10/31 = 12.90), 11 days of PRO in June
(40 x 11/30 = 14.67): 52.57.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money, RuleViolation
from prodlife.billing import InvoiceLine, lines_total
from prodlife.catalog.cancellation_policies import CancellationPolicy, CancellationTiming
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import MONTHLY, QUARTERLY
from prodlife.lifecycle import (
    CancellationKind,
    Outcome,
    SchedulerPolicy,
    Service,
    Status,
    SuspensionKind,
    activate,
    cancel,
    change_package,
    invoice_early,
    renew,
    request_cancellation,
    run_service,
    suspend,
    transfer,
    unsuspend,
)
from prodlife.proration import CreditMode
from tests._lifecycle import (
    CATALOG,
    IMMEDIATE_CATALOG,
    OWNER,
    PRICES,
    SERVICE_ID,
    STAFF,
    SYSTEM,
    at,
    change_edition,
    ordered,
)
from tests._support import d, usd

POLICY = SchedulerPolicy(invoice_days_before=0, suspend_days_after=5, terminate_days_after=30)
PRORATED = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED)


def timed(service: Service, timing: BillingTiming) -> Service:
    """``service`` billed with ``timing``."""
    timeline = attrs.evolve(service.timeline, timing=timing)
    return attrs.evolve(service, billing_timing=timing, timeline=timeline)


class Customer:
    """Runs the scenario: the scheduler each morning, every invoice paid the day it comes."""

    def __init__(self, timing: BillingTiming, start: date = date(2025, 4, 1)) -> None:
        self.service = timed(ordered(start=start, next_due=start), timing)
        self.lines: list[InvoiceLine] = []
        self.day = start

    def take(self, outcome: Outcome | None) -> None:
        if outcome is not None:
            self.service = outcome.service
            self.lines.extend(outcome.lines)

    def until(self, day: date) -> None:
        """Run the scheduler each morning up to ``day``, paying what it invoices."""
        while self.day <= day:
            outcome = run_service(self.service, at(self.day.isoformat(), 6), POLICY)
            self.take(outcome)
            if outcome is not None and outcome.lines and not self.service.ended:
                self.take(renew(self.service, SYSTEM, at(self.day.isoformat(), 7)))
            self.day += timedelta(days=1)

    def on(self, day: str, operation: Callable[[Service, datetime], Outcome]) -> None:
        self.until(d(day))
        self.take(operation(self.service, at(day, 12)))

    def printed(self) -> list[str]:
        return [
            f"{line.type}{' reversed' if line.reverses else ''}: {line.description} "
            f"{line.period} {line.amount}"
            for line in self
        ]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.lines)


def scenario(timing: BillingTiming) -> Customer:
    customer = Customer(timing)
    customer.on("2025-04-01", lambda s, when: activate(s, SYSTEM, when))
    customer.on(
        "2025-04-16",
        lambda s, when: change_edition(s, "PRO", when=when),
    )
    customer.on("2025-05-11", lambda s, when: suspend(s, OWNER, when, SuspensionKind.TEMPORARY))
    customer.on("2025-06-11", lambda s, when: unsuspend(s, OWNER, when))
    customer.on("2025-06-21", lambda s, when: cancel(s, OWNER, when, policy=PRORATED))
    customer.until(d("2025-08-01"))  # nothing more comes after the end
    return customer


def test_in_advance_each_period_is_invoiced_at_its_start_and_the_unused_part_credited() -> None:
    customer = scenario(BillingTiming.IN_ADVANCE)
    assert customer.printed() == [
        "recurring: WEB BASIC [2025-04-01, 2025-05-01) USD 10.00",
        "recurring reversed: WEB BASIC [2025-04-16, 2025-05-01) USD -5.00",
        "recurring: WEB PRO [2025-04-16, 2025-05-01) USD 20.00",
        "recurring: WEB PRO [2025-05-01, 2025-06-01) USD 40.00",
        "recurring reversed: WEB PRO [2025-05-11, 2025-06-01) USD -27.10",
        "recurring: WEB PRO [2025-06-11, 2025-07-01) USD 26.67",
        "recurring reversed: WEB PRO [2025-06-22, 2025-07-01) USD -12.00",
    ]
    assert lines_total(customer) == usd("52.57")
    assert customer.service.status.status is Status.CANCELLED


def test_in_arrears_each_period_is_invoiced_at_its_end_for_what_was_used() -> None:
    customer = scenario(BillingTiming.IN_ARREARS)
    assert customer.printed() == [
        "recurring: WEB BASIC [2025-04-01, 2025-04-16) USD 5.00",
        "recurring: WEB PRO [2025-04-16, 2025-05-01) USD 20.00",
        "recurring: WEB PRO [2025-05-01, 2025-05-11) USD 12.90",
        "recurring: WEB PRO [2025-06-11, 2025-06-22) USD 14.67",
    ]
    assert lines_total(customer) == usd("52.57")
    assert all(line.amount.amount > 0 for line in customer)  # nothing is ever credited
    assert customer.service.status.status is Status.CANCELLED


def test_in_arrears_a_period_untouched_is_one_recurring_line_on_the_day_it_ends() -> None:
    customer = Customer(BillingTiming.IN_ARREARS)
    customer.on("2025-04-01", lambda s, when: activate(s, SYSTEM, when))
    customer.until(d("2025-04-30"))
    assert customer.lines == []  # nothing is invoiced before the period ends
    customer.until(d("2025-05-01"))
    assert customer.printed() == ["recurring: WEB BASIC [2025-04-01, 2025-05-01) USD 10.00"]
    service = customer.service
    assert (service.next_due, service.paid_through, service.billed_until) == (
        d("2025-05-01"),
        d("2025-04-30"),
        d("2025-05-01"),
    )


def test_in_arrears_an_unpaid_period_is_overdue_from_its_invoice() -> None:
    service = timed(
        ordered(start=d("2025-04-01"), next_due=d("2025-04-01")), BillingTiming.IN_ARREARS
    )
    service = activate(service, SYSTEM, at("2025-04-01")).service
    invoiced = run_service(service, at("2025-05-01", 6), POLICY)
    assert invoiced is not None and invoiced.service.billed_until == d("2025-05-01")
    assert run_service(invoiced.service, at("2025-05-05"), POLICY) is None
    late = run_service(invoiced.service, at("2025-05-06"), POLICY)
    assert late is not None
    assert late.service.status.substate is SuspensionKind.FOR_NON_PAYMENT
    assert late.lines == ()  # the period is invoiced once


def test_in_arrears_payment_covers_invoiced_periods_and_nothing_is_invoiced_early() -> None:
    service = timed(
        ordered(start=d("2025-04-01"), next_due=d("2025-04-01")), BillingTiming.IN_ARREARS
    )
    service = activate(service, SYSTEM, at("2025-04-01")).service
    with pytest.raises(RuleViolation, match=r"rule renew\.not-invoiced"):
        renew(service, SYSTEM, at("2025-04-10"))
    with pytest.raises(RuleViolation, match=r"ends, on 2025-05-01.*rule invoice\.in-arrears"):
        invoice_early(service, STAFF, at("2025-04-10"))


def test_in_arrears_an_end_of_period_cancellation_bills_the_whole_period_once() -> None:
    customer = Customer(BillingTiming.IN_ARREARS)
    customer.on("2025-04-01", lambda s, when: activate(s, SYSTEM, when))
    customer.on(
        "2025-04-20",
        lambda s, when: request_cancellation(
            s, OWNER, when, CancellationKind.END_OF_PERIOD, "moving away"
        ),
    )
    customer.until(d("2025-06-01"))
    assert customer.printed() == ["recurring: WEB BASIC [2025-04-01, 2025-05-01) USD 10.00"]
    assert customer.service.status.status is Status.CANCELLED
    assert customer.service.termination_date == d("2025-05-01")


def test_a_paused_period_in_advance_is_settled_at_zero_so_it_never_falls_overdue() -> None:
    customer = Customer(BillingTiming.IN_ADVANCE)
    customer.on("2025-04-01", lambda s, when: activate(s, SYSTEM, when))
    customer.on("2025-04-11", lambda s, when: suspend(s, OWNER, when, SuspensionKind.TEMPORARY))
    customer.until(d("2025-07-15"))
    service = customer.service
    assert service.status.substate is SuspensionKind.TEMPORARY
    assert service.next_due == d("2025-08-01")
    assert lines_total(customer) == usd("3.33")  # ten days of April: 10.00 - 6.67
    customer.on("2025-07-16", lambda s, when: unsuspend(s, OWNER, when))
    assert customer.printed()[-1] == "recurring: WEB BASIC [2025-07-16, 2025-08-01) USD 5.16"


def test_a_pause_after_an_invoice_issued_ahead_credits_it_whole_and_the_resume_bills_on() -> None:
    service = attrs.evolve(
        ordered(start=d("2025-04-01"), next_due=d("2025-05-01"), paid_through=d("2025-04-30")),
        status=ordered().status,
    )
    service = activate(service, SYSTEM, at("2025-04-01")).service
    ahead = invoice_early(service, STAFF, at("2025-04-25")).service
    paused = suspend(ahead, OWNER, at("2025-04-26"), SuspensionKind.TEMPORARY)
    assert [str(line.amount) for line in paused.lines] == ["USD -1.67", "USD -10.00"]
    assert Money(0, "USD") not in [line.amount for line in paused.lines]
    resumed = unsuspend(paused.service, OWNER, at("2025-04-28"))
    # The rest of April, and May, invoiced before the pause, again.
    assert [str(line) for line in resumed.lines] == [
        f"{SERVICE_ID} recurring WEB BASIC [2025-04-28, 2025-05-01) 3/30 of USD 10.00 = USD 1.00",
        f"{SERVICE_ID} recurring WEB BASIC [2025-05-01, 2025-06-01) USD 10.00",
    ]
    may = run_service(resumed.service, at("2025-05-01"), POLICY)
    assert may is None or may.lines == ()  # May is invoiced once
    still = run_service(paused.service, at("2025-05-01"), POLICY)
    assert still is not None and still.lines == ()  # settled at zero on its due date
    assert still.service.next_due == d("2025-06-01")


# --- The property: what is invoiced is what the use was worth. ---------------------------

EDITIONS = ("BASIC", "PRO", "PREMIUM")
OPERATIONS = ("change", "pause", "resume")


def worth(start: date, last_used: date, edition_on: Callable[[date], str | None]) -> Fraction:
    """What the use of each day up to ``last_used`` is worth: its price over its period's days."""
    total = Fraction(0)
    period_start = start
    k = 0
    while period_start <= last_used:
        k += 1
        period_end = MONTHLY.shift(start, k)
        days = (period_end - period_start).days
        day = period_start
        while day < period_end and day <= last_used:
            edition = edition_on(day)
            if edition is not None:
                total += Fraction(PRICES[edition].amount) / days
            day += timedelta(days=1)
        period_start = period_end
    return total


@st.composite
def histories(draw: st.DrawFn) -> tuple[BillingTiming, date, list[tuple[date, str, str]], date]:
    """A billing timing, a start day, operations on distinct later days, and the cancel day."""
    timing = draw(st.sampled_from(BillingTiming))
    start = date(2025, 1, draw(st.integers(1, 31)))
    offsets = sorted(draw(st.sets(st.integers(1, 150), min_size=1, max_size=7)))
    steps = [
        (
            start + timedelta(days=offset),
            draw(st.sampled_from(OPERATIONS)),
            draw(st.sampled_from(EDITIONS)),
        )
        for offset in offsets[:-1]
    ]
    return timing, start, steps, start + timedelta(days=offsets[-1])


def changing_to(edition: str) -> Callable[[Service, datetime], Outcome]:
    """The owner's change to ``edition`` at its list price, under :data:`IMMEDIATE_CATALOG`."""
    return lambda service, when: change_package(
        service,
        OWNER,
        when,
        catalog=IMMEDIATE_CATALOG,
        to_edition=edition,
        new_price=PRICES[edition],
    )


@given(histories())
def test_the_total_invoiced_is_what_the_use_of_each_price_over_time_was_worth(
    history: tuple[BillingTiming, date, list[tuple[date, str, str]], date],
) -> None:
    """In arrears every line is a charge for use; in advance charges and credits net to it.

    Each line is rounded once to the cent, so the totals agree to a cent per line.
    """
    timing, start, steps, cancelled_on = history
    customer = Customer(timing, start)
    customer.on(start.isoformat(), lambda s, when: activate(s, SYSTEM, when))
    timeline: list[tuple[date, str | None]] = [(start, "BASIC")]
    for day, operation, edition in steps:
        service = customer.service
        is_paused = service.status.substate is SuspensionKind.TEMPORARY
        if operation == "change" and edition != service.edition:
            if service.edition == "PREMIUM" and edition == "BASIC":
                continue  # the example catalog forbids it
            customer.on(day.isoformat(), changing_to(edition))
            timeline.append((day, None if is_paused else edition))
        elif operation == "pause" and not is_paused:
            customer.on(
                day.isoformat(), lambda s, when: suspend(s, OWNER, when, SuspensionKind.TEMPORARY)
            )
            timeline.append((day, None))
        elif operation == "resume" and is_paused:
            customer.on(day.isoformat(), lambda s, when: unsuspend(s, OWNER, when))
            timeline.append((day, customer.service.edition))
    customer.on(cancelled_on.isoformat(), lambda s, when: cancel(s, OWNER, when, policy=PRORATED))
    customer.until(cancelled_on + timedelta(days=70))
    assert customer.service.status.status is Status.CANCELLED

    def edition_on(day: date) -> str | None:
        return [edition for since, edition in timeline if since <= day][-1]

    expected = worth(start, cancelled_on, edition_on)
    invoiced = lines_total(customer) or usd("0")
    assert abs(Fraction(invoiced.amount) - expected) <= Fraction(len(customer.lines), 100)
    if timing is BillingTiming.IN_ARREARS:
        assert all(line.amount.amount > 0 for line in customer)


def arrears_customer() -> Customer:
    customer = Customer(BillingTiming.IN_ARREARS)
    customer.on("2025-04-01", lambda s, when: activate(s, SYSTEM, when))
    return customer


def test_in_arrears_an_upgrade_waiting_for_payment_happens_at_once_with_nothing_to_pay() -> None:
    customer = arrears_customer()
    customer.on(
        "2025-04-16",
        lambda s, when: change_edition(s, "PRO", when=when, catalog=CATALOG),
    )
    assert customer.service.edition == "PRO" and customer.service.pending_change is None
    assert customer.lines == []


def test_in_arrears_a_change_at_the_end_of_term_lands_after_the_period_is_invoiced() -> None:
    customer = arrears_customer()
    customer.on(
        "2025-04-16",
        lambda s, when: change_package(
            s,
            OWNER,
            when,
            catalog=IMMEDIATE_CATALOG,
            to_edition="PRO",
            new_price=usd("40.00"),
            to_cycle=QUARTERLY,
        ),
    )
    pending = customer.service.pending_change
    assert pending is not None and pending.effective == d("2025-05-01")  # a cycle waits
    assert customer.service.edition == "BASIC"
    customer.until(d("2025-08-01"))
    assert customer.printed() == [
        "recurring: WEB BASIC [2025-04-01, 2025-05-01) USD 10.00",
        "recurring: WEB PRO [2025-05-01, 2025-08-01) USD 40.00",
    ]
    service = customer.service
    assert (service.cycle, service.next_due) == (QUARTERLY, d("2025-08-01"))


def test_in_arrears_a_transfer_bills_the_previous_owner_for_their_use_and_the_new_one_after() -> (
    None
):
    customer = arrears_customer()
    customer.on("2025-04-11", lambda s, when: transfer(s, STAFF, when, "NEW-OWNER"))
    customer.until(d("2025-05-01"))
    assert [(line.customer_id, str(line.period), str(line.amount)) for line in customer] == [
        (OWNER.customer_id, "[2025-04-01, 2025-04-11)", "USD 3.33"),
        ("NEW-OWNER", "[2025-04-11, 2025-05-01)", "USD 6.67"),
    ]
    assert customer.service.next_due == d("2025-05-01")  # both paid
