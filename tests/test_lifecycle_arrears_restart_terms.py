"""In arrears, a change that restarts the billing period: the end of the term and the day
money falls due agree with the days the billing engine invoices.

A monthly WEB BASIC service (10.00 from 2025-04-01) invoiced in arrears changes to PRO on
2025-04-15 with :attr:`Anchor.RESTART` (Stripe's ``billing_cycle_anchor=now``): the new
price's periods run from Apr 15 ([Apr 15, May 15), ...). The engine invoices the old stub
[Apr 1, Apr 15) at the end of its old period, May 1, and the new period on May 15.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife import Money, RuleViolation
from prodlife.billing import next_billing_date
from prodlife.billing.changes import billing_period
from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme, BillingTiming
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY, BillingCycle
from prodlife.lifecycle import (
    CancellationKind,
    Outcome,
    SchedulerPolicy,
    Service,
    Status,
    billed,
    change_package,
    invoice_next_period,
    payment_due,
    renew,
    request_cancellation,
    run_service,
    running_period,
    term_end,
    under_terms,
)
from prodlife.lifecycle.timelines import BASE
from prodlife.periods import Period
from prodlife.proration import Anchor, ChangePolicy
from tests._lifecycle import CATALOG, OWNER, SYSTEM, at, web
from tests._support import d

RESTART = ChangePolicy(anchor=Anchor.RESTART)


def in_arrears(cycle: BillingCycle = MONTHLY) -> Service:
    """WEB BASIC from 2025-04-01 on ``cycle``, invoiced in arrears (nothing paid)."""
    start = d("2025-04-01")
    service = web(cycle=cycle, next_due=cycle.shift(start, 1), paid_through=None)
    scheme = BillingTermScheme(
        "T", "terms", prepaid=False, terms=[BillingTerm("WEB", timing=BillingTiming.IN_ARREARS)]
    )
    return under_terms(service, scheme)


def changed(
    service: Service,
    day: date,
    policy: ChangePolicy | None = RESTART,
    to_cycle: BillingCycle | None = None,
) -> Service:
    """``service`` upgraded to PRO (20.00 a period) on ``day``."""
    return change(service, day, policy, to_cycle).service


def change(
    service: Service, day: date, policy: ChangePolicy | None, to_cycle: BillingCycle | None
) -> Outcome:
    """The upgrade of ``service`` to PRO (20.00 a period) on ``day``, with what it billed."""
    return change_package(
        service,
        OWNER,
        at(day.isoformat()),
        catalog=CATALOG,
        to_edition="PRO",
        new_price=Money("20.00", "USD"),
        to_cycle=to_cycle,
        policy=policy,
    )


def bill_on(service: Service, day: date) -> tuple[Service, list[str]]:
    """``service`` billed as the engine bills it on ``day``, and the periods invoiced."""
    outcome = billed(Outcome(service), day)
    return outcome.service, [str(line.period) for line in outcome.lines]


def test_after_a_restart_the_term_ends_with_the_period_in_use() -> None:
    # After the restart on Apr 15 the customer is in [Apr 15, May 15): an end-of-period
    # cancellation or end-of-term change asked for on Apr 20 lands on May 15 (not May 1,
    # the end of the old period, which no longer runs).
    service = changed(in_arrears(), d("2025-04-15"))
    assert term_end(service) == d("2025-05-15")
    # The period in use and not invoiced yet: from where invoicing stopped (Apr 1) to there.
    assert running_period(service) == Period(d("2025-04-01"), d("2025-05-15"))
    # A change of cycle (in arrears at the end of the term) asked on Apr 20 waits for May 15.
    later = changed(service, d("2025-04-20"), policy=None, to_cycle=QUARTERLY)
    assert later.pending_change is not None
    assert later.pending_change.effective == d("2025-05-15")


def test_after_a_restart_money_falls_due_when_the_engine_invoices_it() -> None:
    service = changed(in_arrears(), d("2025-04-15"))
    assert next_billing_date(service.timeline, service.ledger) == d("2025-05-01")
    # Before anything is invoiced, the stub [Apr 1, Apr 15) falls due when it is invoiced,
    # at the end of its old period (May 1).
    assert payment_due(service) == d("2025-05-01")
    service, periods = bill_on(service, d("2025-05-01"))
    assert periods == ["[2025-04-01, 2025-04-15)"]
    # The stub is unpaid: it was invoiced on May 1, so it falls due on May 1, not on Apr 15
    # (a day before its invoice existed); overdue counts from there.
    assert payment_due(service) == d("2025-05-01")
    # The period in use is still [Apr 15, May 15), and the term ends with it.
    assert running_period(service) == Period(d("2025-04-15"), d("2025-05-15"))
    assert term_end(service) == d("2025-05-15")
    # Once the stub is paid, the next money is the new period's, invoiced on May 15.
    service = renew(service, SYSTEM, at("2025-05-02")).service
    assert service.next_due == d("2025-04-15")
    assert payment_due(service) == d("2025-05-15")
    service, periods = bill_on(service, d("2025-05-15"))
    assert periods == ["[2025-04-15, 2025-05-15)"]
    assert payment_due(service) == d("2025-05-15")


def test_invoicing_by_hand_after_a_restart_invoices_what_the_engine_does_that_day() -> None:
    # By hand, as the scheduler: the stub on May 1 (when its old period ends), not before;
    # then the new period on May 15, not before.
    service = changed(in_arrears(), d("2025-04-15"))
    with pytest.raises(RuleViolation, match="on 2025-05-01"):
        invoice_next_period(service, SYSTEM, at("2025-04-30"))
    outcome = invoice_next_period(service, SYSTEM, at("2025-05-01"))
    assert [str(line.period) for line in outcome.lines] == ["[2025-04-01, 2025-04-15)"]
    with pytest.raises(RuleViolation, match="on 2025-05-15"):
        invoice_next_period(outcome.service, SYSTEM, at("2025-05-14"))
    outcome = invoice_next_period(outcome.service, SYSTEM, at("2025-05-15"))
    assert [str(line.period) for line in outcome.lines] == ["[2025-04-15, 2025-05-15)"]


def test_a_period_invoiced_before_a_change_of_cycle_falls_due_when_invoiced() -> None:
    # The case payment_due's old min(end, billed) rule was written for: April is invoiced
    # on May 1 and unpaid; the change to a yearly cycle (in arrears at the end of the term,
    # May 1) bills the next periods on the new cycle. April still falls due on May 1, when
    # it was invoiced, whatever was invoiced after it.
    service = changed(in_arrears(), d("2025-04-15"), policy=None, to_cycle=ANNUAL)
    assert term_end(service) == d("2025-05-01")
    service, periods = bill_on(service, d("2025-05-01"))
    assert periods == ["[2025-04-01, 2025-05-01)"]
    assert payment_due(service) == d("2025-05-01")
    assert term_end(service) == d("2026-05-01")


def test_an_end_of_period_cancellation_after_a_restart_ends_the_period_in_use() -> None:
    # Asked on Apr 20, the cancellation lands at the end of the period the customer is in,
    # May 15. The stub [Apr 1, Apr 15) is still invoiced on May 1, when its old period ends
    # (as without a cancellation), and falls due then: dunning (3 days) counts from May 1,
    # for an invoice that exists. The cancellation's final invoice bills the rest.
    service = changed(in_arrears(), d("2025-04-15"))
    service = request_cancellation(
        service, OWNER, at("2025-04-20"), CancellationKind.END_OF_PERIOD, "moving"
    ).service
    policy = SchedulerPolicy(suspend_days_after=3)
    runs: list[tuple[str, Status, list[str]]] = []
    day = d("2025-04-21")
    while day < d("2025-06-01"):
        outcome = run_service(service, at(day.isoformat()), policy)
        if outcome is not None:
            service = outcome.service
            periods = [str(line.period) for line in outcome.lines]
            runs.append((day.isoformat(), service.status.status, periods))
        day += timedelta(days=1)
    assert runs == [
        ("2025-05-01", Status.ACTIVE, ["[2025-04-01, 2025-04-15)"]),
        ("2025-05-04", Status.SUSPENDED, []),
        ("2025-05-15", Status.CANCELLED, ["[2025-04-15, 2025-05-15)"]),
    ]


CYCLES = (MONTHLY, QUARTERLY, ANNUAL)


@settings(max_examples=80, deadline=None)
@given(
    cycle=st.sampled_from(CYCLES),
    to_cycle=st.sampled_from((None, *CYCLES)),
    offset=st.integers(min_value=1, max_value=400),
    restart=st.booleans(),
)
def test_in_arrears_term_end_and_payment_due_follow_the_engine(
    cycle: BillingCycle, to_cycle: BillingCycle | None, offset: int, restart: bool
) -> None:
    """In arrears, whatever the day of a change, its cycle and its anchor:

    - :func:`term_end` is the end of the period that holds the change day under the price
      in force after the change, so never before it (an end-of-period cancellation asked
      for that day must not cut the period the customer is in);
    - :func:`payment_due` is the day the engine invoiced the oldest period not paid
      (nothing is paid here: the first period invoiced), so never before it: money falls
      due when it is invoiced. Invoicing runs as the scheduler runs it, on each
      :func:`next_billing_date`.
    """
    service = in_arrears(cycle)
    day = service.start + timedelta(days=offset)
    first_invoiced: date | None = None

    def bill_until(service: Service, last: date) -> Service:
        nonlocal first_invoiced
        while True:
            on = next_billing_date(service.timeline, service.ledger)
            if on is None or on > last:
                return service
            service, periods = bill_on(service, on)
            if periods and first_invoiced is None:
                first_invoiced = on
            due = payment_due(service)
            assert first_invoiced is None or due == first_invoiced

    service = bill_until(service, day - timedelta(days=1))
    outcome = change(service, day, RESTART if restart else None, to_cycle)
    service = outcome.service
    if first_invoiced is None and outcome.lines:
        first_invoiced = day  # the change billed what was due on its day
    rate = service.timeline.track(BASE).rate_on(day)
    assert rate is not None
    end = term_end(service)
    assert end == billing_period(rate, day).end
    due = payment_due(service)
    assert due is not None and (due == first_invoiced if first_invoiced else due >= day)
    bill_until(service, day + timedelta(days=800))
