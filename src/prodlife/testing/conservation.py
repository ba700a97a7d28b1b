# Over 400 lines: the conservation check and the state machine that drives it over a
# host's catalog (as zarr's testing/stateful.py), which reads the check's internals.
"""Conservation of money, checked: every day invoiced once, at what it is worth.

The billing engine (:mod:`prodlife.billing`) promises that, whatever a
service went through, each day invoiced for it is invoiced exactly once at what
its timeline says the day is worth now. This module checks that promise
independently, in exact fractions, so a host can run it over its own catalog
and its own operations:

- :func:`worth_of_day`: what one day of one thing billed (a line key: type,
  subject, code) is worth, priced on its own from the timeline;
- :func:`invoiced_on_day`: what the lines invoiced for it that day, reversals netted;
- :func:`check_books`: raises :class:`AssertionError` naming each day whose
  invoiced worth is neither nothing (not invoiced yet) nor its worth.

:class:`LifecycleMachine` is a hypothesis state machine (as zarr's
``testing/stateful.py``) driving random operations, payments and scheduler
runs on one service, checking the books after every step. A host subclasses
it, overriding :meth:`LifecycleMachine.catalog`, :meth:`LifecycleMachine.prices`
and :meth:`LifecycleMachine.first_service` for its own products::

    class MyBooks(LifecycleMachine):
        def catalog(self) -> Catalog: ...
        def prices(self) -> dict[str, Money]: ...

    TestMyBooks = MyBooks.TestCase

>>> from datetime import date
>>> from prodlife import Money
>>> from prodlife.billing import LineType, Rate, Timeline, Track, lines_due
>>> from prodlife.cycles import MONTHLY, BillingSchedule
>>> rate = Rate(date(2025, 1, 1), None, Money("31.00", "USD"),
...             BillingSchedule(MONTHLY, date(2025, 1, 1)), "WEB")
>>> timeline = Timeline("S-1", "C-1", date(2025, 1, 1),
...                     tracks=(Track.of(LineType.RECURRING, "", rate),))
>>> lines = lines_due(timeline, (), date(2025, 1, 1))
>>> key = (LineType.RECURRING, "", "")
>>> worth_of_day(timeline, key, date(2025, 1, 5)), invoiced_on_day(lines, key, date(2025, 1, 5))
(Fraction(1, 1), Fraction(1, 1))
>>> check_books(timeline, lines)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from prodlife.billing.changes import billing_period
from prodlife.billing.ledger import Ledger
from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.billing.offers import promotion_discount
from prodlife.billing.prorata import LongCycles, Prorata, StubWindow
from prodlife.billing.timeline import Timeline
from prodlife.catalog.cancellation_policies import CancellationPolicy, CancellationTiming
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY, BillingCycle
from prodlife.errors import ProdlifeError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.addon_changes import add_addon, remove_addon
from prodlife.lifecycle.cancellations import cancel, request_cancellation, withdraw_cancellation
from prodlife.lifecycle.mass_update import MassUpdate, mass_update
from prodlife.lifecycle.operations import suspend, transfer, unsuspend
from prodlife.lifecycle.option_changes import OptionChange, change_options
from prodlife.lifecycle.ordered_services import first_invoice_day
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.package_changes import change_package
from prodlife.lifecycle.renewals import invoice_early, renew
from prodlife.lifecycle.scheduler import SchedulerPolicy, run_due
from prodlife.lifecycle.service_parts import CancellationKind, ServiceAddOn
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ACTIVE, SuspensionKind
from prodlife.lifecycle.timelines import BASE, billed, opening_ledger
from prodlife.money import Money
from prodlife.periods import Period
from prodlife.pricing.promotions import Promotion, PromotionDuration, PromotionKind
from prodlife.pricing.recurring import RecurringPrice
from prodlife.proration import ChangePolicy, ChargeMode, CreditMode

__all__ = [
    "LifecycleMachine",
    "check_books",
    "invoiced_on_day",
    "worth_of_day",
]

#: What a line bills: its type, subject and code.
Key = tuple[LineType, str, str]


def _in(day: date, start: date, end: date | None) -> bool:
    return start <= day and (end is None or day < end)


def worth_of_day(timeline: Timeline, key: Key, day: date) -> Fraction:
    """What ``day`` of the thing ``key`` bills is worth, exactly, from ``timeline`` alone.

    The rate in force that day over the days of its billing period, less the
    discounts in force (in order, each on what remains), or the taxes on what
    remains; nothing outside the billed span or in a pause. Actual days only.
    """
    line_type, subject, code = key
    if not _in(day, timeline.start, timeline.end):
        return Fraction(0)
    if any(_in(day, pause.start, pause.end) for pause in timeline.pauses):
        return Fraction(0)
    track = next((t for t in timeline.tracks if t.subject == subject), None)
    rate = None if track is None else track.rate_on(day)
    if track is None or rate is None:
        return Fraction(0)
    days = billing_period(rate, day).days
    remaining = Fraction(rate.amount.amount)
    worth: dict[tuple[LineType, str], Fraction] = {(track.type, ""): remaining}
    for discount in timeline.discounts:
        if (
            discount.recurring
            and subject in discount.subjects
            and _in(day, discount.start, discount.end)
        ):
            value = discount.value
            if isinstance(value, Decimal):
                off = remaining * Fraction(value) / 100
            elif discount.kind.value == "amount":
                off = min(Fraction(value.amount), remaining)
            else:
                off = max(Fraction(0), remaining - Fraction(value.amount))
            remaining -= off
            worth[(LineType.DISCOUNT, discount.code)] = -off
    if track.taxable and timeline.tax_basis.value == "exclusive":
        so_far = Fraction(0)
        for tax in timeline.taxes:
            amount = (remaining + (so_far if tax.compound else 0)) * Fraction(tax.percent) / 100
            worth[(LineType.TAX, tax.code)] = amount
            so_far += amount
    return worth.get((line_type, code), Fraction(0)) / days


def invoiced_on_day(lines: Iterable[InvoiceLine], key: Key, day: date) -> Fraction:
    """What ``lines`` invoiced for ``day`` of the thing ``key`` bills: each line's rate over
    its period's days, reversals counted negative."""
    total = Fraction(0)
    for line in lines:
        share = line.proration
        if line.key != key or share is None or not isinstance(share.period, Period):
            continue
        portion = share.portion
        if isinstance(portion, Period) and portion.start <= day < portion.end:
            rate = Fraction(share.price.amount) / share.period.days
            total += -rate if line.reverses else rate
    return total


def check_books(timeline: Timeline, lines: Sequence[InvoiceLine]) -> None:
    """Check that every day invoiced is invoiced once, at what ``timeline`` says it is worth.

    A day not invoiced yet (nothing invoiced for it) passes. Only lines with a
    period are checked (one-time charges are checked by their own tests).

    Raises:
        AssertionError: naming the thing billed, the day, what was invoiced and
            what the day is worth, for the first few days that disagree.
    """
    keys = {line.key for line in lines if line.proration is not None}
    ends = [line.period.end for line in lines if line.period is not None]
    if not ends:
        return
    wrong: list[str] = []
    day, last = timeline.start, max(ends)
    while day < last:
        for key in sorted(keys, key=str):
            invoiced = invoiced_on_day(lines, key, day)
            worth = worth_of_day(timeline, key, day)
            if invoiced not in (0, worth):
                wrong.append(f"{key} on {day}: invoiced {invoiced}, worth {worth}")
        day += timedelta(days=1)
    if wrong:
        shown = "; ".join(wrong[:5])
        raise AssertionError(f"{len(wrong)} day(s) invoiced at another worth: {shown}")


def _aligned(service: Service, prorata: Prorata) -> Service:
    """``service`` billed on ``prorata``'s day: a stub first, invoiced as an order invoices it."""
    first = prorata.first_periods(service.start, service.cycle)
    track = service.timeline.track(BASE)
    rate = track.rates[0]
    rates = first.rates(rate.start, rate.amount, rate.description)
    timeline = service.timeline.with_track(attrs.evolve(track, rates=rates))
    if service.billing_timing is BillingTiming.IN_ARREARS:
        return attrs.evolve(service, timeline=timeline)
    unbilled = attrs.evolve(
        service,
        timeline=timeline,
        ledger=Ledger(),
        next_due=first.first_due,
        paid_through=first.first_due - timedelta(days=1),
    )
    return billed(Outcome(unbilled), first_invoice_day(unbilled)).service


#: Promotions a service may start with: for its first payment, for some, for ever.
_PROMOTIONS = st.builds(
    lambda value, duration: Promotion(
        "PROMO",
        PromotionKind.PERCENTAGE,
        value,
        duration,
        cycles=3 if duration is PromotionDuration.CYCLES else None,
    ),
    st.sampled_from([Decimal(10), Decimal(25), Decimal(100)]),
    st.sampled_from(list(PromotionDuration)),
)


def _promoted(service: Service, promotion: Promotion) -> Service:
    """``service`` with ``promotion`` from its start, its first period invoiced with it."""
    rate = service.timeline.tracks[0].rates[0]
    discount = promotion_discount(promotion, service.start, rate.schedule, {BASE})
    promoted = attrs.evolve(service, timeline=service.timeline.with_discount(discount))
    return attrs.evolve(promoted, ledger=opening_ledger(promoted))


class LifecycleMachine(RuleBasedStateMachine):
    """Random operations on one service, the books checked after every step.

    Override the hooks for your own catalog: :meth:`catalog` (its editions
    and change rules decide what a change does), :meth:`prices` (each
    edition's price per period), :meth:`first_service` (the service, paid for
    its first period), and :attr:`policy` (the scheduler's settings).
    """

    #: The scheduler's settings.
    policy = SchedulerPolicy(suspend_days_after=10, terminate_days_after=40)
    #: The customer acting, and staff with what the operations need.
    owner = Actor.customer("C-1")
    staff = Actor.staff(
        "ann", ["invoices: create", "services: suspend", "services: cancel", "services: renew"]
    )

    def catalog(self) -> Catalog:
        """The catalog of the product the service is; override it."""
        raise NotImplementedError("override catalog() with your catalog")

    def prices(self) -> dict[str, Money]:
        """Each edition's recurring price per period; override it."""
        raise NotImplementedError("override prices() with each edition's price")

    def first_service(self, start: date, timing: BillingTiming) -> Service:
        """The service at the start: active from ``start`` (its billing day) and, in
        advance, its first period paid (and so invoiced); in arrears nothing paid yet."""
        editions = self.prices()
        first = next(iter(editions))
        product = self.catalog().products[0].code
        service = Service(
            id="S-1",
            customer_id=self.owner.customer_id or "C-1",
            product_code=product,
            edition=first,
            cycle=MONTHLY,
            price=RecurringPrice.at_order(editions[first]),
            payment_method="card",
            start=start,
            next_due=MONTHLY.shift(start, 1),
            paid_through=MONTHLY.shift(start, 1) - timedelta(days=1),
            status=ACTIVE,
        )
        if timing is BillingTiming.IN_ARREARS:
            timeline = attrs.evolve(service.timeline, timing=timing)
            service = attrs.evolve(
                service,
                billing_timing=timing,
                timeline=timeline,
                ledger=Ledger(),
                next_due=start,
                paid_through=None,
            )
        return service

    def __init__(self) -> None:
        super().__init__()
        self.owner = type(self).owner
        self._start(date(2025, 1, 1), BillingTiming.IN_ADVANCE)

    def _start(
        self,
        start: date,
        timing: BillingTiming,
        prorata: Prorata | None = None,
        promotion: Promotion | None = None,
    ) -> None:
        self.service = self.first_service(start, timing)
        if promotion is not None:
            self.service = _promoted(self.service, promotion)
        if prorata is not None:
            self.service = _aligned(self.service, prorata)
        self.now = datetime.combine(self.service.start, datetime.min.time(), UTC)
        self.now += timedelta(hours=9)
        self.lines: list[InvoiceLine] = list(self.service.ledger.lines)

    @initialize(
        day=st.integers(min_value=1, max_value=31),
        timing=st.sampled_from(BillingTiming),
        prorata=st.one_of(
            st.none(),
            st.builds(
                Prorata,
                st.integers(min_value=1, max_value=31),
                st.one_of(st.none(), st.integers(min_value=1, max_value=31)),
                cycles=st.sampled_from(LongCycles),
                stub=st.sampled_from(StubWindow),
            ),
        ),
        promotion=st.one_of(st.none(), _PROMOTIONS),
    )
    def a_service_begun_on_any_day_in_either_timing(
        self,
        day: int,
        timing: BillingTiming,
        prorata: Prorata | None,
        promotion: Promotion | None,
    ) -> None:
        """Begun on any day, billed from it or aligned to a billing day (prorata), with or
        without a promotion (for some payments, or for ever)."""
        self._start(date(2025, 1, day), timing, prorata, promotion)

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

    @rule(days=st.integers(min_value=0, max_value=7))
    def invoice_ahead_days(self, days: int) -> None:
        """Set how many days ahead the service is invoiced."""
        timeline = attrs.evolve(self.service.timeline, invoice_days_before=days)
        self.service = attrs.evolve(self.service, timeline=timeline)

    @rule(hours=st.integers(min_value=1, max_value=24 * 20))
    def time_passes_and_the_scheduler_runs(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        run = run_due([self.service], self.now, self.policy)
        for outcome in run.outcomes:
            self._take(outcome)
        assert run_due([self.service], self.now, self.policy).outcomes == ()

    @rule()
    def invoice_early(self) -> None:
        self._try(lambda: invoice_early(self.service, self.staff, self.now))

    @rule()
    def payment_arrives(self) -> None:
        self._try(lambda: renew(self.service, Actor.system(), self.now))

    @rule(
        index=st.integers(min_value=0, max_value=10),
        credit=st.sampled_from(list(CreditMode)),
        charge=st.sampled_from(list(ChargeMode)),
    )
    def change_edition(self, index: int, credit: CreditMode, charge: ChargeMode) -> None:
        editions = sorted(self.prices())
        edition = editions[index % len(editions)]
        self._try(
            lambda: change_package(
                self.service,
                self.owner,
                self.now,
                catalog=self.catalog(),
                to_edition=edition,
                new_price=self.prices()[edition],
                policy=ChangePolicy(credit=credit, charge=charge),
            )
        )

    @rule(kind=st.sampled_from([SuspensionKind.BY_CUSTOMER, SuspensionKind.TEMPORARY]))
    def customer_pauses(self, kind: SuspensionKind) -> None:
        self._try(lambda: suspend(self.service, self.owner, self.now, kind))

    @rule()
    def customer_resumes(self) -> None:
        self._try(lambda: unsuspend(self.service, self.owner, self.now))

    @rule()
    def add_backup(self) -> None:
        day = max(self.now.date(), self.service.start)
        currency = self.service.price.amount.currency
        addon = ServiceAddOn(
            "BACKUP",
            MONTHLY,
            day,
            MONTHLY.shift(day, 1),
            ACTIVE,
            price=RecurringPrice.at_order(Money("3.00", currency)),
        )
        self._try(lambda: add_addon(self.service, self.owner, self.now, addon))

    @rule(refund=st.sampled_from(list(CreditMode)))
    def remove_backup(self, refund: CreditMode) -> None:
        self._try(lambda: remove_addon(self.service, self.owner, self.now, "BACKUP", refund=refund))

    @rule(kind=st.sampled_from(list(CancellationKind)))
    def request_cancellation(self, kind: CancellationKind) -> None:
        renewals = 1 if kind is CancellationKind.AFTER_RENEWALS else None
        self._try(
            lambda: request_cancellation(
                self.service, self.owner, self.now, kind, "leaving", renewals=renewals
            )
        )

    @rule()
    def withdraw(self) -> None:
        self._try(lambda: withdraw_cancellation(self.service, self.owner, self.now))

    @precondition(lambda self: not self.service.ended)
    @rule(refund=st.sampled_from(list(CreditMode)))
    def cancel_now(self, refund: CreditMode) -> None:
        policy = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=refund)
        self._try(lambda: cancel(self.service, self.owner, self.now, policy=policy))

    @rule(to=st.sampled_from(["C-2", "C-3"]))
    def transfer_to_another_customer(self, to: str) -> None:
        staff = Actor.staff("bo", ["services: transfer"])

        def moved() -> Outcome:
            outcome = transfer(self.service, staff, self.now, to)
            self.owner = Actor.customer(to)
            return outcome

        self._try(moved)

    @rule(price=st.sampled_from(["0.00", "2.00", "7.50"]))
    def change_the_ram_option(self, price: str) -> None:
        currency = self.service.price.amount.currency
        change = OptionChange("RAM", f"RAM {price}", Money(price, currency))
        self._try(lambda: change_options(self.service, self.owner, self.now, [change]))

    @rule(price=st.sampled_from(["5.00", "12.34", "60.00"]))
    def staff_set_the_price(self, price: str) -> None:
        currency = self.service.price.amount.currency
        staff = Actor.staff("cy", ["customer products: edit", "prices: set"])
        update = MassUpdate(price=Money(price, currency))
        self._try(lambda: mass_update([self.service], staff, self.now, update)[0])

    @rule(days=st.integers(min_value=-20, max_value=45))
    def staff_move_the_next_due_date(self, days: int) -> None:
        """Co-terming: staff move the day the service is next due (seed 003's mass update)."""
        due = self.service.next_due
        if due is None:
            return
        staff = Actor.staff("di", ["customer products: edit"])
        update = MassUpdate(next_due=due + timedelta(days=days))
        self._try(lambda: mass_update([self.service], staff, self.now, update)[0])

    @rule(
        cycle=st.sampled_from([MONTHLY, QUARTERLY, ANNUAL]),
        price=st.sampled_from(["9.99", "27.00", "100.00"]),
    )
    def staff_change_the_cycle(self, cycle: BillingCycle, price: str) -> None:
        """Staff move the service to another billing cycle at a price for it."""
        currency = self.service.price.amount.currency
        staff = Actor.staff("ed", ["customer products: edit", "prices: set"])
        update = MassUpdate(cycle=cycle, price=Money(price, currency))
        self._try(lambda: mass_update([self.service], staff, self.now, update)[0])

    @invariant()
    def every_day_invoiced_is_invoiced_once_at_its_current_worth(self) -> None:
        check_books(self.service.timeline, self.lines)

    @invariant()
    def credits_never_exceed_charges(self) -> None:
        """What is given back never exceeds what was charged, to the minor unit: a
        discount or tax over a period rounds from the lines of the charge it is on
        (:mod:`prodlife.billing.derived`), so a charge and its 100 % discount, however
        much of them a pause or a change reverses, come to exactly nothing."""
        charged = sum((line.amount.amount for line in self.lines if line.amount.amount > 0), 0)
        credited = -sum((line.amount.amount for line in self.lines if line.amount.amount < 0), 0)
        assert credited <= charged, (credited, charged)

    @invariant()
    def add_ons_never_outlive_their_base(self) -> None:
        if self.service.ended:
            base_end = self.service.termination_date
            assert base_end is not None
            for addon in self.service.addons:
                assert addon.ended and addon.termination_date is not None
                assert addon.termination_date <= base_end

    @invariant()
    def history_is_complete(self) -> None:
        entries = self.service.history.entries
        assert len(entries) == self.service.version
        for before, after in itertools.pairwise(entries):
            assert after.before == before.after
            assert after.at >= before.at
        if entries:
            assert entries[-1].after == self.service.status
