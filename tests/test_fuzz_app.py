"""Fuzzing the use cases of :class:`prodlife.app.Billing` over the memory store.

Each example books one order (a VPS service and its open invoice, 15.00 USD) on a fresh
store, then calls one use case with mostly valid arguments and sometimes junk (see
``tests/_fuzz.py``): wrong types, absurd amounts, odd text, dates at the ends of the
calendar, operations their actor may not run. The call returns a value that prints, or
raises a ProdlifeError (a bad value) or a TypeError (a wrong Python type), never anything
else; and a refused call keeps nothing: the store's whole state is the same after it.

Each test runs a few examples by default (a booked store costs about 10 ms) and the fuzz
profile's thousands under ``nox -s fuzz``.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock, Money
from prodlife.app import Billing
from prodlife.billing.invoices import InvoiceStatus
from prodlife.catalog.products import Availability
from prodlife.catalog.query import ProductQuery
from prodlife.catalog.resellers import OfferedProduct, ResellerOffering
from prodlife.cycles import ANNUAL, MONTHLY, BillingCycle
from prodlife.lifecycle import (
    Actor,
    CancellationKind,
    MassUpdate,
    Operation,
    Outcome,
    Status,
    SuspensionKind,
    activate,
    add_addon,
    cancel,
    change_options,
    change_password,
    delete,
    enforce_abuse_limits,
    invoice_early,
    invoice_next_period,
    reboot,
    remove_addon,
    remove_options,
    renew,
    request_cancellation,
    resend_welcome_email,
    schedule_activation,
    set_auto_renew,
    suspend,
    terminate,
    transfer,
    unsuspend,
    withdraw_cancellation,
)
from prodlife.lifecycle.activation import ActivationNotice
from prodlife.lifecycle.orders import OrderLine
from prodlife.ports import InvoiceQuery, ServiceQuery
from prodlife.pricing import OrderLineSpec
from prodlife.pricing.usage import UsageCatalog, UsageRate, UsageRateRow, UsageRecord
from prodlife.proration import CreditMode, UsedDay
from prodlife.stores import open_store
from prodlife.stores.memory import MemoryStore
from tests._fuzz import EXTREME_MOMENTS, HOSTILE_TEXT, attempt, budget, either, junk
from tests._lifecycle import OWNER, OWNER_ID, STAFF, STRANGER, SYSTEM, FakeModule, backup, shop
from tests.test_lifecycle_orders import CONTEXT, order

ORDERED_AT = datetime(2025, 2, 1, 9, tzinfo=UTC)
FILMS = UsageCatalog(
    "VOD", "Films", "USD", [UsageRateRow("FILM", UsageRate(Money("3.99", "USD")), "view")]
)
SERVICE = "O-1-1"
INVOICE = "INV-2025-000001"

ACTORS = st.one_of(
    st.sampled_from([OWNER, STRANGER, STAFF, SYSTEM, Actor.staff("bob", set())]), junk()
)
TEXT = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE_TEXT))
IDS = either(st.sampled_from([SERVICE, "O-1-2", "S-NONE", ""]) | TEXT)
CUSTOMERS = either(st.sampled_from([OWNER_ID, "CUST-OTHER-9"]) | TEXT)
NUMBERS = either(st.sampled_from([INVOICE, "INV-2025-000002"]) | TEXT)
AMOUNTS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-100, max_value=100),
    st.sampled_from([Decimal("15.00"), Decimal("0.001"), Decimal("1e17"), Decimal("-0")]),
)
MONEY = either(
    st.builds(Money, AMOUNTS, st.sampled_from(["USD", "EUR", "JPY"]))
    | st.sampled_from([Money("15.00", "USD"), Money("999999999999999999.99", "USD")])
)
INSTANTS = either(
    st.datetimes(datetime(2024, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))
    | st.sampled_from([m for m in EXTREME_MOMENTS if isinstance(m, datetime)])
)
DATES = either(st.dates(date(2024, 1, 1), date(2030, 1, 1)) | st.sampled_from(EXTREME_MOMENTS))
CYCLES = either(st.sampled_from([MONTHLY, ANNUAL, BillingCycle.days(7), None]))
COUNTS = either(st.integers(-2, 5) | st.sampled_from([10**6, 2**63, 10**30]))


class AnyClock:
    """A host's clock that says whatever it was given (a careless host's: naive, far off)."""

    def __init__(self, now: Any) -> None:
        self.at = now

    def now(self) -> Any:
        return self.at


def booked(clock: AnyClock | None = None) -> Billing:
    """A memory store with the test shop and one order placed and invoiced (15.00 USD)."""
    store = open_store("memory:")
    shop(store, CONTEXT.plan)
    billing = Billing(store, clock=FixedClock(ORDERED_AT))
    placed = order(
        id="O-1",
        customer_id=OWNER_ID,
        lines=(OrderLine(OrderLineSpec("VPS"), services=2),),
        placed_at=ORDERED_AT,
    )
    billing.place_order(placed, CONTEXT, OWNER)
    if clock is not None:
        billing.clock = clock
    return billing


def state(billing: Billing) -> object:
    """Everything the memory store holds (its values are immutable: a copy of the tables)."""
    assert isinstance(billing.store, MemoryStore)
    return copy.deepcopy(billing.store._state)


def refused_or_done(billing: Billing, call: Callable[[], object]) -> object | None:
    """Call a use case: it answers (the result prints) or is refused and keeps nothing."""
    before = state(billing)
    result = attempt(call)
    if result is None:
        assert state(billing) == before, "a refused call changed the store"
    return result


# --- the operations through perform -------------------------------------------------------

#: For each argument name an operation takes, the valid values to draw from.
_VALID: dict[str, st.SearchStrategy[Any]] = {
    "module": st.sampled_from([None]) | st.builds(FakeModule),
    "reason": TEXT,
    "when": INSTANTS,
    "notice": st.builds(ActivationNotice),
    "policy": st.none(),
    "on": DATES,
    "changes": st.just([]),
    "new_password": TEXT,
    "limits": st.just([]),
    "records": st.just([]),
    "code": st.sampled_from(["BACKUP", "RAM"]) | TEXT,
    "codes": st.lists(st.sampled_from(["RAM", "4GB"]) | TEXT, max_size=2),
    "refund": st.sampled_from(CreditMode),
    "used_day": st.sampled_from(UsedDay),
    "periods": COUNTS,
    "kind": st.sampled_from([*SuspensionKind, *CancellationKind]),
    "renewals": st.none() | COUNTS,
    "unpaid_invoices": st.lists(NUMBERS, max_size=2),
    "to_customer": CUSTOMERS,
    "addon": st.builds(backup),
    "customer_may_delete": st.booleans(),
    "enabled": st.booleans(),
}
OPERATIONS: list[Callable[..., Outcome]] = [
    activate,
    add_addon,
    cancel,
    change_options,
    change_password,
    delete,
    enforce_abuse_limits,
    invoice_early,
    invoice_next_period,
    reboot,
    remove_addon,
    remove_options,
    renew,
    request_cancellation,
    resend_welcome_email,
    schedule_activation,
    set_auto_renew,
    suspend,
    terminate,
    transfer,
    unsuspend,
    withdraw_cancellation,
]


@st.composite
def _calls(draw: st.DrawFn) -> tuple[Callable[..., Any], list[Any], dict[str, Any]]:
    """An operation and its arguments beyond (service, actor, at): each valid or junk."""
    operation = draw(st.sampled_from(OPERATIONS))
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, parameter in list(inspect.signature(operation).parameters.items())[3:]:
        has_default = parameter.default is not inspect.Parameter.empty
        if has_default and draw(st.booleans()):
            continue
        value = draw(either(_VALID[name]))
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    return operation, args, kwargs


@budget(8)
@given(_calls(), IDS, ACTORS, st.sampled_from([None, *EXTREME_MOMENTS[8:14]]))
def test_an_operation_with_any_arguments_is_done_or_refused_keeping_nothing(
    call: tuple[Callable[..., Any], list[Any], dict[str, Any]],
    service_id: Any,
    actor: Any,
    now: Any,
) -> None:
    billing = booked(None if now is None else AnyClock(now))
    operation, args, kwargs = call
    refused_or_done(billing, lambda: billing.perform(operation, service_id, actor, *args, **kwargs))


@budget(8)
@given(
    IDS,
    either(
        st.builds(
            UsageRecord,
            st.sampled_from(["FILM", "VPS"]),
            st.integers(0, 5),
            st.sampled_from(["view", "GB"]),
            st.datetimes(datetime(2024, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
            st.sampled_from([OWNER_ID, "CUST-OTHER-9"]),
        )
    ),
    either(st.just(FILMS)),
    ACTORS,
)
def test_a_usage_service_of_any_kind_is_provided_or_refused_keeping_nothing(
    service_id: Any, record: Any, catalog: Any, actor: Any
) -> None:
    billing = booked()
    refused_or_done(billing, lambda: billing.provide_usage(service_id, record, catalog, actor))


@budget(8)
@given(
    IDS,
    ACTORS,
    either(st.sampled_from([*CancellationKind])),
    TEXT,
    either(st.none() | COUNTS),
    either(st.booleans()),
    either(st.none() | CUSTOMERS),
)
def test_a_cancellation_request_of_any_kind_is_made_or_refused_keeping_nothing(
    service_id: Any,
    actor: Any,
    kind: Any,
    reason: Any,
    renewals: Any,
    stop: Any,
    customer: Any,
) -> None:
    billing = booked()
    refused_or_done(
        billing,
        lambda: billing.request_cancellation(
            service_id, actor, kind, reason, renewals=renewals, stop_domain_renewal=stop
        ),
    )
    refused_or_done(billing, lambda: billing.cancellation_requests(actor, customer_id=customer))


@budget(8)
@given(
    IDS,
    ACTORS,
    either(st.sampled_from(["STD", None, "NONE"])),
    either(st.none() | MONEY),
    either(st.sampled_from(["VPS", None, "WEB"])),
    either(st.none() | TEXT),
    CYCLES,
    TEXT,
)
def test_a_package_change_with_any_arguments_is_done_or_refused_keeping_nothing(
    service_id: Any,
    actor: Any,
    plan: Any,
    price: Any,
    product: Any,
    edition: Any,
    cycle: Any,
    reason: Any,
) -> None:
    billing = booked()
    refused_or_done(
        billing,
        lambda: billing.change_package(
            service_id,
            actor,
            price_plan=plan,
            new_price=price,
            to_product=product,
            to_edition=edition,
            to_cycle=cycle,
            reason=reason,
        ),
    )


# --- payments and invoices ----------------------------------------------------------------


@budget(8)
@given(
    CUSTOMERS,
    MONEY,
    ACTORS,
    either(TEXT | st.just("PAY-1")),
    either(TEXT),
    either(st.none() | NUMBERS),
    either(st.none() | INSTANTS),
)
def test_a_payment_of_any_kind_is_recorded_or_refused_keeping_nothing(
    customer: Any, amount: Any, actor: Any, reference: Any, method: Any, number: Any, at: Any
) -> None:
    billing = booked()
    refused_or_done(
        billing,
        lambda: billing.record_payment(
            customer,
            amount,
            actor,
            reference=reference,
            method=method,
            invoice=number,
            received_at=at,
        ),
    )


@budget(8)
@given(CUSTOMERS, MONEY, ACTORS, either(TEXT), either(TEXT), either(st.none() | INSTANTS))
def test_a_refund_of_any_kind_is_made_or_refused_keeping_nothing(
    customer: Any, amount: Any, actor: Any, reference: Any, method: Any, at: Any
) -> None:
    billing = booked()
    billing.record_payment(
        OWNER_ID, Money("40.00", "USD"), STAFF, reference="PAY-0", method="card"
    )  # 25.00 of credit
    refused_or_done(
        billing,
        lambda: billing.refund(
            customer, amount, actor, reference=reference, method=method, refunded_at=at
        ),
    )


@budget(8)
@given(NUMBERS, ACTORS, either(st.sampled_from(InvoiceStatus)), either(TEXT))
def test_closing_any_invoice_is_done_or_refused_keeping_nothing(
    number: Any, actor: Any, status: Any, reason: Any
) -> None:
    billing = booked()
    refused_or_done(
        billing, lambda: billing.close_invoice(number, actor, status=status, reason=reason)
    )


@budget(8)
@given(
    either(st.none() | CUSTOMERS),
    either(st.none() | IDS),
    either(st.none() | st.sampled_from(InvoiceStatus)),
    either(st.none() | st.booleans()),
    either(st.none() | DATES),
    either(st.none() | COUNTS),
    ACTORS,
    junk(),
)
def test_an_invoice_query_of_any_kind_answers_or_is_refused(
    customer: Any,
    service: Any,
    status: Any,
    unpaid: Any,
    due: Any,
    limit: Any,
    actor: Any,
    junk_query: Any,
) -> None:
    billing = booked()
    refused_or_done(
        billing,
        lambda: billing.invoices(
            InvoiceQuery(customer, service, status, unpaid, due, limit), actor
        ),
    )
    refused_or_done(billing, lambda: billing.invoices(junk_query, actor))


@budget(8)
@given(
    either(st.none() | CUSTOMERS),
    either(st.none() | st.sampled_from(["VPS", "WEB"])),
    either(st.none() | st.sampled_from(Status)),
    either(st.none() | DATES),
    either(st.none() | IDS),
    either(st.none() | COUNTS),
    either(st.none() | st.booleans()),
    either(st.none() | ACTORS),
    junk(),
)
def test_a_service_query_of_any_kind_answers_or_is_refused(
    customer: Any,
    product: Any,
    status: Any,
    due: Any,
    after: Any,
    limit: Any,
    pending: Any,
    actor: Any,
    junk_query: Any,
) -> None:
    billing = booked()

    def query() -> ServiceQuery:
        return ServiceQuery(customer, product, status, due, after, limit, pending)

    refused_or_done(billing, lambda: billing.services(query(), actor))
    refused_or_done(billing, lambda: billing.services(junk_query, actor))


@budget(8)
@given(
    st.sampled_from(["service", "history", "invoice", "statement", "renewing_domain", "domains"]),
    IDS | NUMBERS | CUSTOMERS,
    ACTORS,
)
def test_a_lookup_of_anything_by_anyone_answers_or_is_refused(
    name: str, key: Any, actor: Any
) -> None:
    billing = booked()
    refused_or_done(billing, lambda: getattr(billing, name)(key, actor))


@budget(8)
@given(
    either(st.none() | st.sampled_from([*Availability])),
    either(st.none() | TEXT),
    either(st.none() | DATES),
    either(COUNTS),
    either(DATES),
    either(DATES),
)
def test_the_catalog_reads_answer_or_are_refused(
    availability: Any, text: Any, day: Any, months: Any, start: Any, end: Any
) -> None:
    billing = booked()
    refused_or_done(
        billing, lambda: billing.products(ProductQuery(availability=availability, text=text), day)
    )
    refused_or_done(billing, lambda: billing.catalog(day))
    refused_or_done(billing, lambda: billing.revenue_by_product(months))
    refused_or_done(billing, lambda: billing.adoption(lambda customer: "all", start, end))


@budget(8)
@given(
    either(st.sampled_from(["VPS", "WEB"]) | TEXT),
    either(st.none() | COUNTS),
    either(st.sampled_from(["STD", "NONE"])),
    IDS,
    ACTORS,
    either(st.none() | TEXT),
)
def test_an_offering_of_any_kind_is_stored_or_refused_keeping_nothing(
    product: Any, limit: Any, plan: Any, reseller: Any, actor: Any, text: Any
) -> None:
    billing = booked()

    def save() -> None:
        sold = (OfferedProduct(product, max_per_customer=limit),)
        billing.save_offering(ResellerOffering(reseller, "Reseller", plan, sold), actor)

    refused_or_done(billing, save)
    refused_or_done(billing, lambda: billing.offering(reseller))
    refused_or_done(billing, lambda: billing.offered_products(reseller, ProductQuery(text=text)))


# --- mass updates and the scheduler -------------------------------------------------------


@budget(8)
@given(
    st.lists(IDS, max_size=3) | junk(),
    ACTORS,
    either(st.none() | MONEY),
    CYCLES,
    either(st.none() | DATES),
    either(st.sampled_from([None, Operation.SUSPEND, Operation.TERMINATE, Operation.REBOOT])),
    either(st.none() | st.sampled_from(SuspensionKind)),
    either(st.none() | TEXT),
    either(st.sampled_from(["STD", None, "NONE"])),
)
def test_a_mass_update_of_any_kind_is_done_or_refused_keeping_nothing(
    ids: Any,
    actor: Any,
    price: Any,
    cycle: Any,
    next_due: Any,
    status: Any,
    suspension: Any,
    method: Any,
    plan: Any,
) -> None:
    billing = booked()

    def update() -> object:
        fields = MassUpdate(
            price=price,
            cycle=cycle,
            next_due=next_due,
            status=status,
            suspension=suspension,
            payment_method=method,
        )
        return billing.mass_update(ids, actor, fields, price_plan=plan)

    refused_or_done(billing, update)


@budget(8)
@given(
    either(st.none() | TEXT),
    either(COUNTS),
    either(st.sampled_from([timedelta(minutes=10), timedelta(0), timedelta.max])),
    st.sampled_from([m for m in EXTREME_MOMENTS if isinstance(m, datetime)])
    | st.datetimes(datetime(2025, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
)
def test_a_scheduler_run_at_any_moment_is_done_or_refused(
    worker: Any, batch: Any, lease: Any, now: Any
) -> None:
    billing = booked(AnyClock(now))
    refused_or_done(billing, lambda: billing.run_due(worker=worker, batch=batch, lease=lease))


def test_the_booked_store_holds_the_order_its_services_and_its_invoice() -> None:
    billing = booked()
    (invoice,) = billing.invoices(InvoiceQuery(), STAFF)
    assert (invoice.number, invoice.total) == (INVOICE, Money("30.00", "USD"))
    assert [s.id for s in billing.services(ServiceQuery(), STAFF)] == [SERVICE, "O-1-2"]


def test_a_refused_call_is_seen_to_keep_nothing() -> None:
    # The check itself: a state differs once anything is written.
    billing = booked()
    before = state(billing)
    billing.perform(activate, SERVICE, STAFF)
    assert state(billing) != before
