"""Money in invoices and payments is conserved, whatever happens and in whatever order.

A state machine places orders (some activated on payment, some invoiced separately),
records payments of any amount (the same reference again, at times), advances the clock
and runs the scheduler (renewals, dunning), activates services before payment, voids and
writes off invoices, cancels services at once and withdraws requests, and refunds credit,
through :class:`~prodlife.app.Billing` on a memory store. After every step:

- every line the engine issued is on exactly one invoice, and every invoice line was issued;
- per customer, what came in (payments less refunds, plus credit notes) equals what was
  settled on invoices plus the credit balance, to the cent;
- no invoice is paid beyond its total, and an unpaid invoice's balance is above zero;
- a live service's ``unpaid_since`` is the due date of its oldest unpaid invoice;
- a service suspended for non-payment owes something overdue (or had an invoice closed:
  closing forgives, it lifts nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from prodlife import FixedClock, Money, SchedulerPolicy
from prodlife.app import Billing
from prodlife.billing.invoices import UNPAID, InvoiceStatus
from prodlife.billing.payments import PaymentKind
from prodlife.lifecycle import (
    CancellationKind,
    Status,
    SuspensionKind,
    activate,
    request_cancellation,
    withdraw_cancellation,
)
from prodlife.lifecycle.orders import OrderLine, OrderOptions
from prodlife.lifecycle.terms import owed_since
from prodlife.ports import InvoiceQuery, ServiceQuery
from prodlife.pricing import OrderLineSpec
from prodlife.stores import open_store
from tests._lifecycle import STAFF, SYSTEM, shop
from tests.test_lifecycle_orders import CONTEXT, order

CUSTOMERS = ("C-A", "C-B")
START = datetime(2025, 2, 1, 9, tzinfo=UTC)
LIVE = (Status.PENDING, Status.ACTIVE, Status.SUSPENDED)


def _usd(cents: int) -> Money:
    return Money.from_minor_units(cents, "USD")


class Books(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = open_store("memory:")
        shop(self.store, CONTEXT.plan)
        self.clock = FixedClock(START)
        policy = SchedulerPolicy(suspend_days_after=3, terminate_days_after=20)
        self.billing = Billing(self.store, clock=self.clock, policy=policy)
        self.orders = 0
        self.references: list[tuple[str, Money, str]] = []

    # --- what happens ------------------------------------------------------------------------

    @rule(
        customer=st.sampled_from(CUSTOMERS),
        services=st.integers(1, 3),
        on_payment=st.booleans(),
        separate=st.booleans(),
    )
    def place(self, customer: str, services: int, on_payment: bool, separate: bool) -> None:
        self.orders += 1
        placed = order(
            id=f"O-{self.orders}",
            customer_id=customer,
            lines=(OrderLine(OrderLineSpec("VPS"), services=services),),
            placed_at=self.clock.now(),
            options=OrderOptions(activate_on_payment=on_payment, separate_invoices=separate),
        )
        self.billing.place_order(placed, CONTEXT, STAFF)

    @rule(
        customer=st.sampled_from(CUSTOMERS),
        cents=st.integers(1, 6000),
        again=st.booleans(),
        on_oldest=st.booleans(),
    )
    def pay(self, customer: str, cents: int, again: bool, on_oldest: bool) -> None:
        if again and self.references:
            customer, amount, reference = self.references[-1]
            result = self.billing.record_payment(
                customer, amount, SYSTEM, reference=reference, method="card"
            )
            assert result.duplicate
            return
        amount, reference = _usd(cents), f"ch_{len(self.references)}"
        unpaid = self.billing.invoices(InvoiceQuery(customer_id=customer, unpaid=True), STAFF)
        named = unpaid[0].number if on_oldest and unpaid else None
        result = self.billing.record_payment(
            customer, amount, SYSTEM, reference=reference, method="card", invoice=named
        )
        assert not result.duplicate
        self.references.append((customer, amount, reference))

    @rule(days=st.integers(1, 40))
    def time_passes(self, days: int) -> None:
        self.clock.advance(timedelta(days=days))
        report = self.billing.run_due()
        assert report.failed == ()

    @rule(data=st.data())
    def activate_unpaid(self, data: st.DataObject) -> None:
        pending = self.billing.services(ServiceQuery(status=Status.PENDING))
        if pending:
            service = data.draw(st.sampled_from(pending))
            self.billing.perform(activate, service.id, STAFF)

    @rule(data=st.data(), status=st.sampled_from([InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE]))
    def close(self, data: st.DataObject, status: InvoiceStatus) -> None:
        unpaid = self.billing.invoices(InvoiceQuery(unpaid=True), STAFF)
        if unpaid:
            invoice = data.draw(st.sampled_from(unpaid))
            self.billing.close_invoice(invoice.number, STAFF, status=status, reason="test")

    @rule(data=st.data(), withdraw=st.booleans())
    def cancel_at_once(self, data: st.DataObject, withdraw: bool) -> None:
        live = [
            s
            for s in self.billing.services(ServiceQuery(status=Status.ACTIVE))
            if s.cancellation is None
        ]
        if not live:
            return
        service = data.draw(st.sampled_from(live))
        self.billing.perform(
            request_cancellation, service.id, STAFF, CancellationKind.IMMEDIATE, "test"
        )
        if withdraw:
            self.billing.perform(withdraw_cancellation, service.id, STAFF)

    @rule(customer=st.sampled_from(CUSTOMERS), cents=st.integers(1, 3000))
    def refund(self, customer: str, cents: int) -> None:
        held = self.billing.statement(customer, STAFF).credit
        if held:
            amount = min(held[0], _usd(cents))
            reference = f"rf_{len(self.references)}"
            self.billing.refund(customer, amount, STAFF, reference=reference, method="card")
            self.references.append((customer, amount, reference))

    # --- what always holds ------------------------------------------------------------------

    @invariant()
    def every_line_is_on_exactly_one_invoice(self) -> None:
        with self.store.transaction(readonly=True) as uow:
            for customer in CUSTOMERS:
                issued = sorted(repr(i.line) for i in uow.invoice_lines.for_customer(customer))
                invoices = uow.invoices.find(InvoiceQuery(customer_id=customer))
                on_invoices = sorted(repr(line) for i in invoices for line in i.lines)
                assert on_invoices == issued

    @invariant()
    def money_in_is_money_settled_plus_credit(self) -> None:
        for customer in CUSTOMERS:
            statement = self.billing.statement(customer, STAFF)
            came_in = _usd(0)
            for payment in statement.payments:
                sign = 1 if payment.kind is PaymentKind.PAYMENT else -1
                came_in += payment.amount * sign
            settled = _usd(0)
            for invoice in statement.invoices:
                if invoice.is_credit_note:
                    came_in -= invoice.total
                else:
                    settled += invoice.amount_paid
                    assert invoice.amount_paid <= invoice.total
                if invoice.status in UNPAID:
                    assert invoice.balance.amount > 0
            assert came_in == settled + sum(statement.credit, _usd(0))

    @invariant()
    def dunning_counts_from_the_oldest_unpaid_invoice(self) -> None:
        today = self.clock.now().date()
        for service in self.billing.services(ServiceQuery()):
            if service.status.status not in LIVE:
                continue
            unpaid = self.billing.invoices(InvoiceQuery(service_id=service.id, unpaid=True), STAFF)
            since = service.invoicing.unpaid_since if service.invoicing else None
            assert since == min((i.due_on for i in unpaid), default=None)
            if service.status.substate is SuspensionKind.FOR_NON_PAYMENT:
                owed = owed_since(service)
                # Closing an invoice forgives it but lifts nothing: staff decide.
                closed = self.billing.invoices(InvoiceQuery(service_id=service.id), STAFF)
                assert (owed is not None and owed <= today) or any(
                    i.status in (InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE) for i in closed
                )

    def teardown(self) -> None:
        self.store.close()


Books.TestCase.settings = settings(
    max_examples=settings().max_examples // 4,
    stateful_step_count=15,
    deadline=None,
)
TestBooks = Books.TestCase
