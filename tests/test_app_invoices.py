"""Invoices and payments through :class:`~prodlife.app.Billing`, end to end (issue 15).

The figures are the test shop's (tests/test_lifecycle_orders.py): a VPS at 10.00 USD
a month with a 5.00 setup fee, ordered on 2025-02-01 (UTC); its first invoice is
15.00, due that day; its renewals 10.00 on the first of each month.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from prodlife import MONTHLY, FixedClock, SchedulerPolicy
from prodlife.app import Billing, PaymentResult
from prodlife.billing.invoices import InvoicePolicy, InvoiceStatus, NumberSeries
from prodlife.catalog.catalog import CatalogVersion
from prodlife.errors import PermissionDenied, RuleViolation
from prodlife.lifecycle import (
    ACTIVE,
    CancellationKind,
    Dunning,
    MassUpdate,
    ModuleResult,
    Service,
    ServiceAddOn,
    Status,
    SuspensionKind,
    activate,
    invoice_early,
    renew,
    request_cancellation,
    suspend,
    withdraw_cancellation,
)
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.orders import OrderLine, OrderOptions
from prodlife.ports import InvoiceQuery, Store, StoredEvent
from prodlife.pricing import OrderLineSpec
from prodlife.pricing.plans import PlanRate, PricePlan
from prodlife.pricing.rates import Rate
from prodlife.pricing.recurring import RecurringPrice
from prodlife.pricing.taxes import TaxRate
from prodlife.stores import open_store
from tests._lifecycle import (
    CATALOG,
    IMMEDIATE_CATALOG,
    OWNER,
    OWNER_ID,
    PRICES,
    STAFF,
    STRANGER,
    SYSTEM,
    FakeModule,
    shop,
    web,
)
from tests._support import usd
from tests.stores._postgresql import opened_store
from tests.test_lifecycle_orders import CONTEXT, order

ORDERED_AT = datetime(2025, 2, 1, 9, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store: memory, an SQLite file, and PostgreSQL in a schema of the test's own
    (skipped without a server, failing under CI)."""
    with opened_store(request.param, tmp_path) as opened:
        shop(opened, CONTEXT.plan)
        yield opened


def app(store: Store, **options: object) -> tuple[Billing, FixedClock]:
    clock = FixedClock(ORDERED_AT)
    return Billing(store, clock=clock, **options), clock  # type: ignore[arg-type]


def place(billing: Billing, services: int = 1, **boxes: bool) -> list[str]:
    placed = order(
        id="O-1",
        customer_id=OWNER_ID,
        lines=(OrderLine(OrderLineSpec("VPS"), services=services),),
        placed_at=ORDERED_AT,
        options=OrderOptions(**boxes),
    )
    _, made = billing.place_order(placed, CONTEXT, OWNER)
    return [service.id for service in made]


def only_invoice(billing: Billing) -> str:
    (invoice,) = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    return invoice.number


def test_an_order_issues_one_numbered_invoice_due_when_its_period_starts(store: Store) -> None:
    billing, _ = app(store)
    (service_id,) = place(billing)
    (invoice,) = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    assert invoice.number == "INV-2025-000001"
    assert invoice.due_on == date(2025, 2, 1) and invoice.payment_method == "card"
    assert invoice.total == usd("15.00") and invoice.subtotal == usd("15.00")
    assert invoice.status is InvoiceStatus.OPEN and invoice.balance == usd("15.00")
    assert invoice.service_ids == (service_id,)
    # The customer sees their own invoice; another customer does not.
    assert billing.invoice(invoice.number, OWNER) == invoice
    assert billing.invoices(InvoiceQuery(), STRANGER) == []


def test_paying_the_first_invoice_pays_the_first_period_and_activates_when_asked(
    store: Store,
) -> None:
    billing, _ = app(store)
    (service_id,) = place(billing, activate_on_payment=True)
    number = only_invoice(billing)
    result = billing.record_payment(
        OWNER_ID, usd("15.00"), SYSTEM, reference="ch_1", method="card", invoice=number
    )
    assert not result.duplicate
    assert [i.status for i in result.invoices] == [InvoiceStatus.PAID]
    service = billing.service(service_id, STAFF)
    assert service.status.status is Status.ACTIVE
    assert service.paid_through == date(2025, 2, 28) and service.next_due == date(2025, 3, 1)


def test_an_order_not_marked_activate_on_payment_stays_pending_once_paid(store: Store) -> None:
    billing, _ = app(store)
    (service_id,) = place(billing)
    billing.record_payment(OWNER_ID, usd("15.00"), SYSTEM, reference="ch_1", method="card")
    service = billing.service(service_id, STAFF)
    assert service.status.status is Status.PENDING
    assert service.paid_through == date(2025, 2, 28)


def test_the_same_payment_reference_twice_records_it_once(store: Store) -> None:
    billing, _ = app(store)
    place(billing)
    first = billing.record_payment(OWNER_ID, usd("20.00"), STAFF, reference="wire-9", method="bank")
    again = billing.record_payment(OWNER_ID, usd("20.00"), STAFF, reference="wire-9", method="bank")
    assert again.duplicate and again.payment == first.payment
    statement = billing.statement(OWNER_ID, STAFF)
    assert len(statement.payments) == 1
    assert statement.credit == (usd("5.00"),)  # 20.00 paid on a 15.00 invoice, once
    with pytest.raises(RuleViolation) as caught:
        billing.record_payment(OWNER_ID, usd("21.00"), STAFF, reference="wire-9", method="bank")
    assert caught.value.rule == "payment.duplicate"


def test_a_customer_never_records_a_payment_nor_renews(store: Store) -> None:
    billing, _ = app(store)
    (service_id,) = place(billing)
    with pytest.raises(PermissionDenied):
        billing.record_payment(OWNER_ID, usd("15.00"), OWNER, reference="me", method="card")
    with pytest.raises(PermissionDenied):
        billing.perform(renew, service_id, OWNER)


def test_a_partial_payment_leaves_the_invoice_partly_paid_and_the_service_unpaid(
    store: Store,
) -> None:
    billing, _ = app(store)
    (service_id,) = place(billing)
    result = billing.record_payment(OWNER_ID, usd("6.00"), STAFF, reference="p1", method="cash")
    (invoice,) = result.invoices
    assert invoice.status is InvoiceStatus.PARTIALLY_PAID and invoice.balance == usd("9.00")
    assert billing.service(service_id, STAFF).paid_through is None
    billing.record_payment(OWNER_ID, usd("9.00"), STAFF, reference="p2", method="cash")
    assert billing.invoice(invoice.number, STAFF).status is InvoiceStatus.PAID
    assert billing.service(service_id, STAFF).paid_through == date(2025, 2, 28)


def test_credit_from_an_overpayment_pays_the_next_renewal_when_it_is_issued(
    store: Store,
) -> None:
    billing, clock = app(store)
    (service_id,) = place(billing, activate_on_payment=True)
    billing.record_payment(OWNER_ID, usd("25.00"), SYSTEM, reference="ch_1", method="card")
    clock.set(datetime(2025, 3, 1, 6, tzinfo=UTC))
    billing.run_due()
    renewal = billing.invoices(InvoiceQuery(customer_id=OWNER_ID, status=None), STAFF)[-1]
    assert renewal.due_on == date(2025, 3, 1) and renewal.total == usd("10.00")
    assert renewal.status is InvoiceStatus.PAID
    service = billing.service(service_id, STAFF)
    assert service.next_due == date(2025, 4, 1) and service.paid_through == date(2025, 3, 31)
    assert billing.statement(OWNER_ID, STAFF).credit == ()


def test_an_unpaid_renewal_suspends_and_its_payment_lifts_the_suspension(store: Store) -> None:
    billing, clock = app(store, policy=SchedulerPolicy(suspend_days_after=5))
    (service_id,) = place(billing, activate_on_payment=True)
    billing.record_payment(OWNER_ID, usd("15.00"), SYSTEM, reference="ch_1", method="card")
    clock.set(datetime(2025, 3, 1, 6, tzinfo=UTC))
    billing.run_due()
    clock.set(datetime(2025, 3, 7, 6, tzinfo=UTC))
    billing.run_due()
    suspended = billing.service(service_id, STAFF).status
    assert suspended.substate is SuspensionKind.FOR_NON_PAYMENT
    overdue = billing.invoices(InvoiceQuery(unpaid=True, due_before=date(2025, 3, 7)), STAFF)
    assert [i.total for i in overdue] == [usd("10.00")]
    result = billing.record_payment(OWNER_ID, usd("10.00"), SYSTEM, reference="ch_2", method="card")
    service = billing.service(service_id, STAFF)
    assert service.status.status is Status.ACTIVE
    assert service.next_due == date(2025, 4, 1)
    assert [o.service.id for o in result.outcomes] == [service_id]


def test_a_customers_services_ordered_together_share_one_invoice_unless_separate(
    store: Store,
) -> None:
    billing, _ = app(store)
    place(billing, services=3)
    (together,) = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    assert together.total == usd("45.00") and len(together.service_ids) == 3


def test_a_service_invoiced_separately_gets_its_own_invoice(store: Store) -> None:
    billing, _ = app(store)
    ids = place(billing, services=3, separate_invoices=True)
    invoices = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    assert sorted(i.service_ids for i in invoices) == sorted((i,) for i in ids)
    assert [i.number for i in invoices] == [f"INV-2025-00000{n}" for n in (1, 2, 3)]


def test_the_series_and_its_format_are_the_hosts(store: Store) -> None:
    policy = InvoicePolicy(series=NumberSeries("BILL", "{series}/{number}"))
    billing, _ = app(store, invoicing=policy)
    place(billing)
    assert only_invoice(billing) == "BILL/1"


def test_an_immediate_cancellation_request_voids_the_unpaid_invoices_and_withdrawing_restores(
    store: Store,
) -> None:
    billing, _ = app(store)
    (service_id,) = place(billing)
    number = only_invoice(billing)
    billing.perform(activate, service_id, STAFF)
    billing.perform(
        request_cancellation, service_id, STAFF, CancellationKind.IMMEDIATE, "changed my mind"
    )
    assert billing.invoice(number, STAFF).status is InvoiceStatus.VOID
    billing.perform(withdraw_cancellation, service_id, STAFF)
    assert billing.invoice(number, STAFF).status is InvoiceStatus.OPEN


def test_voiding_a_partly_paid_invoice_keeps_what_was_paid_as_credit(store: Store) -> None:
    billing, _ = app(store)
    place(billing)
    number = only_invoice(billing)
    billing.record_payment(OWNER_ID, usd("4.00"), STAFF, reference="p1", method="cash")
    voided = billing.close_invoice(number, STAFF, status=InvoiceStatus.VOID, reason="typo")
    assert voided.status is InvoiceStatus.VOID and voided.balance == usd("0.00")
    assert billing.statement(OWNER_ID, STAFF).credit == (usd("4.00"),)
    refund = billing.refund(OWNER_ID, usd("4.00"), STAFF, reference="r1", method="cash")
    assert not refund.duplicate
    assert billing.statement(OWNER_ID, STAFF).credit == ()
    with pytest.raises(RuleViolation) as caught:
        billing.refund(OWNER_ID, usd("0.01"), STAFF, reference="r2", method="cash")
    assert caught.value.rule == "payment.refund"


def test_every_line_is_on_exactly_one_invoice_and_payments_are_conserved(store: Store) -> None:
    billing, clock = app(store, policy=SchedulerPolicy(suspend_days_after=3))
    place(billing, services=2, activate_on_payment=True)
    billing.record_payment(OWNER_ID, usd("37.50"), SYSTEM, reference="a", method="card")
    for month in (3, 4, 5):
        clock.set(datetime(2025, month, 1, 6, tzinfo=UTC))
        billing.run_due()
        billing.record_payment(OWNER_ID, usd("12.25"), SYSTEM, reference=f"m{month}", method="card")
        clock.advance(timedelta(days=5))
        billing.run_due()
    statement = billing.statement(OWNER_ID, STAFF)
    with store.transaction(readonly=True) as uow:
        issued = [item.line for item in uow.invoice_lines.for_customer(OWNER_ID)]
    on_invoices = [line for invoice in statement.invoices for line in invoice.lines]
    assert sorted(map(repr, on_invoices)) == sorted(map(repr, issued))
    received = sum((p.amount for p in statement.payments), usd("0"))
    settled = sum((i.amount_paid for i in statement.invoices), usd("0"))
    credit = sum(statement.credit, usd("0"))
    assert received == settled + credit
    owed = sum(statement.owed, usd("0"))
    billed = sum((i.total for i in statement.invoices), usd("0"))
    assert billed == settled + owed


# --- a change waiting for payment, and a settlement racing another writer ---------------------

APRIL = datetime(2025, 4, 20, 12, tzinfo=UTC)


def _web_shop(store: Store, module: object = None) -> tuple[Billing, FixedClock]:
    """The example catalog (upgrades once paid), WEB at 10.00 / 40.00, one WEB service."""
    clock = FixedClock(APRIL)
    billing = Billing(store, clock=clock, module=module)  # type: ignore[arg-type]
    billing.add_catalog_version(CatalogVersion("2025", date(2025, 1, 1), CATALOG))
    rates = [
        PlanRate("WEB", MONTHLY, Rate.flat(PRICES[edition]), edition=edition)
        for edition in ("BASIC", "PRO")
    ]
    with store.transaction() as uow:
        uow.price_plans.replace(PricePlan("STD", "Standard", "USD", rates))
        uow.commit()
    billing.add_services([web()])
    return billing, clock


def test_an_upgrade_waiting_for_payment_happens_when_its_invoice_is_paid(store: Store) -> None:
    billing, _ = _web_shop(store)
    scheduled = billing.change_package(web().id, OWNER, price_plan="STD", to_edition="PRO")
    assert scheduled.service.pending_change is not None
    (invoice,) = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), OWNER)
    # April 20: 11 days of BASIC (10.00) back, 11 days of PRO (40.00) charged.
    assert invoice.total == usd("11.00") and invoice.due_on == date(2025, 4, 20)
    assert billing.service(web().id, OWNER).edition == "BASIC"
    billing.record_payment(OWNER_ID, usd("11.00"), SYSTEM, reference="up", method="card")
    upgraded = billing.service(web().id, OWNER)
    assert upgraded.edition == "PRO" and upgraded.pending_change is None


class Meddling(FakeModule):
    """A provisioning module during whose unsuspend staff edit the service once."""

    def __init__(self) -> None:
        super().__init__()
        self.billing: Billing | None = None
        self.meddled = False

    def unsuspend(self, service: Service) -> ModuleResult:
        if not self.meddled and self.billing is not None:
            self.meddled = True
            update = MassUpdate(payment_method="bank", reason="customer asked")
            self.billing.mass_update([service.id], STAFF, update)
        return super().unsuspend(service)


def test_a_settlement_racing_another_writer_still_lifts_the_non_payment_suspension(
    store: Store,
) -> None:
    module = Meddling()
    billing, clock = _web_shop(store, module)
    module.billing = billing
    clock.set(datetime(2025, 5, 1, 6, tzinfo=UTC))
    billing.run_due()  # May's renewal, 10.00, unpaid
    billing.perform(suspend, web().id, SYSTEM, SuspensionKind.FOR_NON_PAYMENT, reason="overdue")
    billing.record_payment(OWNER_ID, usd("10.00"), SYSTEM, reference="late", method="card")
    assert module.meddled
    service = billing.service(web().id, STAFF)
    assert service.status.status is Status.ACTIVE and service.next_due == date(2025, 6, 1)
    assert service.payment_method == "bank"  # the other writer's change is kept


def test_revenue_counts_an_add_on_under_its_own_product_and_leaves_tax_out(
    store: Store,
) -> None:
    may, june = date(2025, 5, 1), date(2025, 6, 1)
    price = RecurringPrice.at_order(usd("3.00"))
    backup = ServiceAddOn("BACKUP", MONTHLY, may, june, ACTIVE, price=price)
    service = web(
        id="TAXED",
        customer_id="C-TAX",
        start=may,
        next_due=june,
        paid_through=None,
        addons=[backup],
    )  # nothing invoiced yet: May is billed on May 1, taxes on top
    taxed = attrs.evolve(
        service,
        timeline=attrs.evolve(service.timeline, taxes=(TaxRate("VAT", "VAT", 20),)),
    )
    billing, clock = _web_shop(store)
    billing.add_services([taxed])
    clock.set(datetime(2025, 5, 1, 6, tzinfo=UTC))
    billing.run_due()
    revenue = {r.product_code: r.amount for r in billing.revenue_by_product()}
    assert revenue == {"WEB": usd("20.00"), "BACKUP": usd("3.00")}
    (plain,) = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    (other,) = billing.invoices(InvoiceQuery(customer_id="C-TAX"), STAFF)
    assert plain.total == usd("10.00") and plain.taxes == usd("0.00")
    assert other.subtotal == usd("13.00") and other.taxes == usd("2.60")
    assert other.total == usd("15.60")


def test_two_workers_recording_one_payment_at_once_record_it_once(tmp_path: Path) -> None:
    """A gateway's webhook delivered twice to two workers at the same moment."""
    url = f"sqlite:///{tmp_path / 'race.db'}"
    first = open_store(url)
    shop(first, CONTEXT.plan)
    billing, _ = app(first)
    (service_id,) = place(billing, activate_on_payment=True)
    stores = [first, open_store(url)]
    barrier = threading.Barrier(2)
    results: list[PaymentResult | Exception] = []

    def record(store: Store) -> None:
        worker = Billing(store, clock=FixedClock(ORDERED_AT))
        barrier.wait()
        try:
            results.append(
                worker.record_payment(
                    OWNER_ID, usd("15.00"), SYSTEM, reference="evt_1", method="card"
                )
            )
        except Exception as error:  # reported below
            results.append(error)

    threads = [threading.Thread(target=record, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert [r for r in results if isinstance(r, Exception)] == []
        assert sorted(r.duplicate for r in results if isinstance(r, PaymentResult)) == [False, True]
        statement = billing.statement(OWNER_ID, STAFF)
        assert len(statement.payments) == 1 and statement.credit == ()
        assert [i.status for i in statement.invoices] == [InvoiceStatus.PAID]
        assert billing.service(service_id, STAFF).status.status is Status.ACTIVE
    finally:
        for store in stores:
            store.close()


def test_an_unpaid_first_invoice_suspends_a_service_activated_before_payment(
    store: Store,
) -> None:
    """Dunning counts from the oldest unpaid invoice, not only from the next due date."""
    billing, clock = app(store, policy=SchedulerPolicy(suspend_days_after=5))
    (service_id,) = place(billing)
    billing.perform(activate, service_id, STAFF)  # staff trust the customer: activated unpaid
    service = billing.service(service_id, STAFF)
    assert service.next_due == date(2025, 3, 1)
    assert service.invoicing is not None and service.invoicing.unpaid_since == date(2025, 2, 1)
    clock.set(datetime(2025, 2, 5, 6, tzinfo=UTC))
    billing.run_due()
    assert billing.service(service_id, STAFF).status.status is Status.ACTIVE
    clock.set(datetime(2025, 2, 6, 6, tzinfo=UTC))
    billing.run_due()
    suspended = billing.service(service_id, STAFF)
    assert suspended.status.substate is SuspensionKind.FOR_NON_PAYMENT
    billing.record_payment(OWNER_ID, usd("15.00"), SYSTEM, reference="late", method="card")
    paid = billing.service(service_id, STAFF)
    assert paid.status.status is Status.ACTIVE and paid.invoicing is None
    assert paid.paid_through == date(2025, 2, 28)


def test_an_unpaid_upgrade_is_dunned_and_voiding_it_forgives_it(store: Store) -> None:
    billing, clock = _web_shop(store)
    billing.add_catalog_version(CatalogVersion("2025-B", date(2025, 4, 2), IMMEDIATE_CATALOG))
    with store.transaction() as uow:
        uow.services.save(
            attrs.evolve(uow.services.get(web().id), dunning=Dunning(3)),
            expected_version=0,
            due_on=date(2025, 5, 1),
        )
        uow.commit()
    billing.change_package(web().id, OWNER, price_plan="STD", to_edition="PRO")
    (upgrade,) = billing.invoices(InvoiceQuery(unpaid=True), STAFF)
    assert upgrade.total == usd("11.00") and upgrade.due_on == date(2025, 4, 20)
    clock.set(datetime(2025, 4, 23, 6, tzinfo=UTC))
    billing.run_due()
    late = billing.service(web().id, STAFF)
    assert late.edition == "PRO" and late.status.substate is SuspensionKind.FOR_NON_PAYMENT
    billing.close_invoice(upgrade.number, STAFF, status=InvoiceStatus.VOID, reason="goodwill")
    forgiven = billing.service(web().id, STAFF)
    assert forgiven.invoicing is None
    assert forgiven.status.substate is SuspensionKind.FOR_NON_PAYMENT  # staff lift it


class PayingWhileSuspending(FakeModule):
    """A module during whose suspend (the scheduler's dunning) the gateway's payment lands."""

    def __init__(self) -> None:
        super().__init__()
        self.billing: Billing | None = None
        self.paid = False

    def suspend(self, service: Service) -> ModuleResult:
        if not self.paid and self.billing is not None:
            self.paid = True
            self.billing.record_payment(
                OWNER_ID, usd("10.00"), SYSTEM, reference="just-in-time", method="card"
            )
        return super().suspend(service)


def test_a_payment_landing_during_the_dunning_run_leaves_the_service_active(
    store: Store,
) -> None:
    module = PayingWhileSuspending()
    billing, clock = _web_shop(store, module)
    module.billing = billing
    billing.policy = SchedulerPolicy(suspend_days_after=3)
    clock.set(datetime(2025, 5, 1, 6, tzinfo=UTC))
    billing.run_due()  # May's renewal, 10.00, unpaid
    clock.set(datetime(2025, 5, 4, 6, tzinfo=UTC))
    report = billing.run_due()  # the dunning run: the payment lands while it suspends
    assert module.paid and report.failed == ()
    service = billing.service(web().id, STAFF)
    assert service.status.status is Status.ACTIVE
    assert service.next_due == date(2025, 6, 1) and service.invoicing is None


class Letters:
    """A notifier keeping what it was given."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, events: Sequence[StoredEvent]) -> None:
        self.events += [item.event for item in events]


def test_each_invoice_issued_is_announced_for_the_hosts_e_mail(store: Store) -> None:
    letters = Letters()
    billing, clock = app(store, notifier=letters)
    place(billing, services=2, send_invoice_email=False, send_confirmation=False)
    (issued,) = [e for e in letters.events if e.kind is EventKind.INVOICE_ISSUED]
    assert issued.detail("invoice") == "INV-2025-000001"
    assert issued.detail("total") == "USD 30.00" and issued.detail("due") == "2025-02-01"
    assert issued.detail("services") == "O-1-1,O-1-2" and issued.detail("send_email") == "no"
    billing.perform(activate, "O-1-1", STAFF)
    clock.set(datetime(2025, 3, 1, 6, tzinfo=UTC))
    billing.run_due()
    renewal = [e for e in letters.events if e.kind is EventKind.INVOICE_ISSUED][-1]
    assert renewal.detail("invoice") == "INV-2025-000002"
    assert renewal.detail("send_email") == "yes"


def test_a_downgrade_crediting_more_than_it_charges_is_a_credit_note_spent_on_the_next_invoice(
    store: Store,
) -> None:
    billing, clock = _web_shop(store)
    billing.add_catalog_version(CatalogVersion("2025-B", date(2025, 4, 2), IMMEDIATE_CATALOG))
    with store.transaction() as uow:
        pro = web("PRO")
        uow.services.save(pro, expected_version=0, due_on=date(2025, 5, 1))
        uow.commit()
    billing.change_package(web().id, OWNER, price_plan="STD", to_edition="BASIC")
    (note,) = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    # April 20: 11 days of PRO (40.00) back, 11 days of BASIC (10.00) charged.
    assert note.number == "CN-2025-000001" and note.total == usd("-11.00")
    assert note.is_credit_note and note.status is InvoiceStatus.PAID
    assert billing.statement(OWNER_ID, STAFF).credit == (usd("11.00"),)
    clock.set(datetime(2025, 5, 1, 6, tzinfo=UTC))
    billing.run_due()
    renewal = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)[-1]
    assert renewal.number == "INV-2025-000001" and renewal.status is InvoiceStatus.PAID
    assert billing.statement(OWNER_ID, STAFF).credit == (usd("1.00"),)
    assert billing.service(web().id, STAFF).next_due == date(2025, 6, 1)


def test_invoicing_early_issues_the_next_period_once(store: Store) -> None:
    billing, _ = _web_shop(store)
    billing.perform(invoice_early, web().id, STAFF)
    with pytest.raises(RuleViolation) as again:
        billing.perform(invoice_early, web().id, STAFF)
    assert again.value.rule == "invoice.already-invoiced"
    (early,) = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)
    assert early.due_on == date(2025, 5, 1) and early.total == usd("10.00")
