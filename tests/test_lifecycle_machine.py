"""A hypothesis state machine driving random operations, payments and scheduler runs.

Invariants checked after every step, over everything the operations returned:

- every day invoiced is invoiced once, at what the service's timeline says it is worth now
  (a change, a pause or an ending repairs what was invoiced before it);
- money credited or refunded never exceeds money charged for the service (the first
  period, paid at order, counts as charged);
- add-ons are never live under an ended base;
- the history is complete: one entry per version, each starting where the last ended.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from prodlife import Money
from prodlife.billing import InvoiceLine
from prodlife.catalog import (
    CancellationPolicy,
    CancellationTiming,
    Catalog,
    Classification,
    Edition,
    EditionLadder,
    Product,
    ProductType,
    ServiceKind,
)
from prodlife.cycles import MONTHLY
from prodlife.errors import ProdlifeError
from prodlife.lifecycle import (
    ACTIVE,
    CancellationKind,
    Outcome,
    SchedulerPolicy,
    Service,
    ServiceAddOn,
    Status,
    SuspensionKind,
    add_addon,
    cancel,
    change_package,
    invoice_early,
    remove_addon,
    renew,
    request_cancellation,
    run_due,
    suspend,
    unsuspend,
    withdraw_cancellation,
)
from prodlife.lifecycle.actors import Actor
from prodlife.pricing.recurring import RecurringPrice
from prodlife.proration import CreditMode
from tests.test_billing_engine import density, invoiced_density

OWNER = Actor.customer("C-1")
STAFF = Actor.staff(
    "ann", ["invoices: create", "services: suspend", "services: cancel", "services: renew"]
)
SYSTEM = Actor.system()
EDITIONS = {"S": Money("10.00", "USD"), "M": Money("25.00", "USD"), "L": Money("40.00", "USD")}
CATALOG = Catalog(
    types=[
        ProductType("HOSTING", "Hosting", Classification.SERVICE, service_kind=ServiceKind.TERMED)
    ],
    products=[Product("WEB", "Web hosting", "HOSTING")],
    editions=[EditionLadder("WEB", tuple(Edition(code, code) for code in EDITIONS))],
)
POLICY = SchedulerPolicy(suspend_days_after=10, terminate_days_after=40)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        start = date(2025, 1, 1)
        self.service = Service(
            id="S-1",
            customer_id="C-1",
            product_code="WEB",
            edition="S",
            cycle=MONTHLY,
            price=RecurringPrice.at_order(EDITIONS["S"]),
            payment_method="card",
            start=start,
            next_due=date(2025, 2, 1),
            paid_through=date(2025, 1, 31),
            status=ACTIVE,
        )
        # Invoiced five days before each period starts.
        self.service = attrs.evolve(
            self.service, timeline=attrs.evolve(self.service.timeline, invoice_days_before=5)
        )
        self.now = datetime(2025, 1, 1, 9, tzinfo=UTC)
        # The first month was invoiced and paid with the order.
        self.lines: list[InvoiceLine] = list(self.service.ledger.lines)

    def _take(self, outcome: Outcome) -> None:
        self.service = outcome.service
        self.lines += outcome.lines

    def _try(self, make: object) -> None:
        assert callable(make)
        try:
            outcome = make()
        except ProdlifeError:
            return  # refused: nothing changed, which the invariants check
        self._take(outcome)

    @rule(hours=st.integers(min_value=1, max_value=24 * 20))
    def time_passes_and_the_scheduler_runs(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        run = run_due([self.service], self.now, POLICY)
        for outcome in run.outcomes:
            self._take(outcome)
        assert run_due([self.service], self.now, POLICY).outcomes == ()

    @rule()
    def invoice_early(self) -> None:
        self._try(lambda: invoice_early(self.service, STAFF, self.now))

    @rule()
    def payment_arrives(self) -> None:
        self._try(lambda: renew(self.service, SYSTEM, self.now))

    @rule(edition=st.sampled_from(sorted(EDITIONS)))
    def change_edition(self, edition: str) -> None:
        self._try(
            lambda: change_package(
                self.service,
                OWNER,
                self.now,
                catalog=CATALOG,
                to_edition=edition,
                new_price=EDITIONS[edition],
            )
        )

    @rule(kind=st.sampled_from([SuspensionKind.BY_CUSTOMER, SuspensionKind.TEMPORARY]))
    def customer_pauses(self, kind: SuspensionKind) -> None:
        self._try(lambda: suspend(self.service, OWNER, self.now, kind))

    @rule()
    def customer_resumes(self) -> None:
        self._try(lambda: unsuspend(self.service, OWNER, self.now))

    @rule()
    def add_backup(self) -> None:
        day = self.now.date()
        addon = ServiceAddOn(
            "BACKUP",
            MONTHLY,
            max(day, self.service.start),
            MONTHLY.shift(max(day, self.service.start), 1),
            ACTIVE,
            price=RecurringPrice.at_order(Money("3.00", "USD")),
        )
        self._try(lambda: add_addon(self.service, OWNER, self.now, addon))

    @rule(refund=st.sampled_from(list(CreditMode)))
    def remove_backup(self, refund: CreditMode) -> None:
        self._try(lambda: remove_addon(self.service, OWNER, self.now, "BACKUP", refund=refund))

    @rule(kind=st.sampled_from(list(CancellationKind)))
    def request_cancellation(self, kind: CancellationKind) -> None:
        renewals = 1 if kind is CancellationKind.AFTER_RENEWALS else None
        self._try(
            lambda: request_cancellation(
                self.service, OWNER, self.now, kind, "leaving", renewals=renewals
            )
        )

    @rule()
    def withdraw(self) -> None:
        self._try(lambda: withdraw_cancellation(self.service, OWNER, self.now))

    @precondition(lambda self: not self.service.ended)
    @rule(refund=st.sampled_from(list(CreditMode)))
    def cancel_now(self, refund: CreditMode) -> None:
        policy = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=refund)
        self._try(lambda: cancel(self.service, OWNER, self.now, policy=policy))

    @invariant()
    def every_day_invoiced_is_invoiced_once_at_its_current_worth(self) -> None:
        timeline = self.service.timeline
        keys = {line.key for line in self.lines if line.proration is not None}
        last = max((line.period.end for line in self.lines if line.period), default=None)
        if last is None:
            return
        day = timeline.start
        while day < last:
            for key in keys:
                invoiced = invoiced_density(self.lines, key, day)
                assert invoiced in (0, density(timeline, key, day)), (key, day, invoiced)
            day += timedelta(days=1)

    @invariant()
    def credits_never_exceed_charges(self) -> None:
        charged = sum((line.amount.amount for line in self.lines if line.amount.amount > 0), 0)
        credited = -sum((line.amount.amount for line in self.lines if line.amount.amount < 0), 0)
        assert credited <= charged, (credited, charged)

    @invariant()
    def add_ons_never_outlive_their_base(self) -> None:
        if self.service.ended:
            assert all(addon.ended for addon in self.service.addons)
            for addon in self.service.addons:
                assert addon.termination_date is not None
                assert self.service.termination_date is not None
                assert addon.termination_date <= self.service.termination_date

    @invariant()
    def history_is_complete(self) -> None:
        entries = self.service.history.entries
        assert len(entries) == self.service.version
        for before, after in itertools.pairwise(entries):
            assert after.before == before.after
            assert after.at >= before.at
        if entries:
            assert entries[-1].after == self.service.status

    @invariant()
    def only_live_services_are_invoiced_after_they_end(self) -> None:
        if self.service.status.status in (Status.CANCELLED, Status.TERMINATED):
            assert self.service.termination_date is not None


Lifecycle.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestLifecycle = Lifecycle.TestCase
