"""What every store shares beyond the documents (:mod:`prodlife.stores._documents`): the ids
and codes it keeps and looks up, and the order of what it returns."""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from prodlife._numbers import is_whole
from prodlife.billing.invoices import Invoice
from prodlife.billing.lines import InvoiceLine
from prodlife.billing.payments import Payment
from prodlife.catalog.resellers import ResellerOffering
from prodlife.catalog.sync_runs import SyncRun
from prodlife.clock import as_utc
from prodlife.errors import InvalidAmount, NotFound, ValidationError
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.orders import Order
from prodlife.lifecycle.services import Service
from prodlife.limits import MAX_INVOICE_NUMBERS_AT_ONCE
from prodlife.money import Money, checked
from prodlife.ports import ProductRevenue, check_limit, check_text
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion

__all__ = [
    "MAX_KEY_LENGTH",
    "add_exactly",
    "check_count",
    "check_credit",
    "check_invoice_save",
    "claim",
    "event_keys",
    "event_sequences",
    "in_asked_order",
    "invoice_keys",
    "line_keys",
    "lookup_key",
    "of_type",
    "offering_key",
    "order_keys",
    "payment_keys",
    "plan_key",
    "product_revenue",
    "promotion_key",
    "promotion_use_keys",
    "service_keys",
    "stored_key",
    "sync_run",
    "sync_run_id",
]

#: The longest id or code a store keeps. PostgreSQL's indexes hold two such keys in one
#: entry (up to 4 bytes a character in UTF-8) within its limit of 2,704 bytes an entry.
MAX_KEY_LENGTH = 255

V = TypeVar("V")
T = TypeVar("T")


def in_asked_order(found: Mapping[str, V], keys: Sequence[str], kind: str) -> list[V]:
    """What ``found`` holds for each of ``keys``, in their order (repeated keys repeated).

    Raises:
        NotFound: ``kind`` with the first of ``keys`` that ``found`` lacks.
    """
    for key in keys:
        if key not in found:
            raise NotFound(kind, key)
    return [found[key] for key in keys]


def lookup_key(value: object, what: str) -> str:
    """``value`` as an id or code to look up (see :func:`prodlife.ports.check_text`).

    Raises:
        TypeError: not a ``str``.
        ValidationError: it holds a NUL character or a lone surrogate.
    """
    if isinstance(value, str) and value.isascii() and "\x00" not in value:
        return value  # the usual id: checked at once
    return check_text(value, what)


def stored_key(value: object, what: str) -> str:
    """``value`` as an id or code to store: :func:`lookup_key`, at most :data:`MAX_KEY_LENGTH` long.

    Raises:
        TypeError: not a ``str``.
        ValidationError: it holds a NUL character or a lone surrogate, or is too long.
    """
    if (
        isinstance(value, str)
        and len(value) <= MAX_KEY_LENGTH
        and value.isascii()
        and "\x00" not in value
    ):
        return value  # the usual id: checked at once
    text = check_text(value, what)
    if len(text) > MAX_KEY_LENGTH:
        raise ValidationError(
            f"{what} {text[:20]!r}... is {len(text)} characters long; a store keeps ids and "
            f"codes of at most {MAX_KEY_LENGTH}: shorten it"
        )
    return text


# --- the keys of what a store keeps (one place, for every store) -----------------------------


def of_type(value: object, kind: type[T], what: str) -> T:
    """``value``, when it is a ``kind``: what a store is given to keep must be one.

    Raises:
        TypeError: it is not (``None``, a dict of its fields, another value...).
    """
    if not isinstance(value, kind):
        raise TypeError(f"{what} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def service_keys(service: Service, due_on: date | None) -> None:
    """Refuse what is not a service (``ValidationError``), a service whose id, customer or
    product a store cannot keep (:func:`stored_key`), and a ``due_on`` that is not a billing
    date or ``None``."""
    if not isinstance(service, Service):
        raise ValidationError(f"{service!r} is not a Service; pass one")
    if due_on is not None and (isinstance(due_on, datetime) or not isinstance(due_on, date)):
        raise ValidationError(
            f"due_on {due_on!r} is not a billing date; pass a datetime.date (not a datetime) "
            "or None"
        )
    keys = service.id + service.customer_id + service.product_code  # the usual: all plain
    if len(keys) > MAX_KEY_LENGTH or not keys.isascii() or "\x00" in keys:
        stored_key(service.id, "service id")
        stored_key(service.customer_id, "customer id")
        stored_key(service.product_code, "product code")


def order_keys(order: Order) -> None:
    """Refuse an order whose id or customer a store cannot keep."""
    of_type(order, Order, "the order to store")
    stored_key(order.id, "order id")
    stored_key(order.customer_id, "customer id")


def line_keys(line: InvoiceLine) -> None:
    """Refuse an invoice line whose service or customer a store cannot keep."""
    of_type(line, InvoiceLine, "an invoice line to store")
    stored_key(line.service_id, "service id")
    stored_key(line.customer_id, "customer id")


def invoice_keys(invoice: Invoice) -> None:
    """Refuse an invoice whose number, customer or services a store cannot keep."""
    of_type(invoice, Invoice, "the invoice to store")
    stored_key(invoice.number, "invoice number")
    stored_key(invoice.customer_id, "customer id")
    for service_id in invoice.service_ids:
        stored_key(service_id, "service id")


def payment_keys(payment: Payment) -> None:
    """Refuse a payment whose reference, customer or invoices a store cannot keep."""
    of_type(payment, Payment, "the payment to store")
    stored_key(payment.reference, "payment reference")
    stored_key(payment.customer_id, "customer id")
    for allocation in payment.allocations:
        stored_key(allocation.invoice, "invoice number")


#: What a saved invoice may not change: what it bills, to whom, when.
_FIXED = ("customer_id", "currency", "issued_on", "due_on", "lines", "issued_at", "separate")


def check_invoice_save(stored: Invoice, invoice: Invoice) -> None:
    """Refuse a save that changes what ``stored`` bills (every store alike).

    Raises:
        ValidationError: a field of :data:`_FIXED` differs.
    """
    for name in _FIXED:
        if getattr(stored, name) != getattr(invoice, name):
            raise ValidationError(
                f"invoice {invoice.number}'s {name.replace('_', ' ')} cannot change once "
                "issued; void it and issue another"
            )


def check_count(count: object) -> int:
    """``count`` as how many invoice numbers to take at once.

    Raises:
        ValidationError: not a whole number from 1 to
            :data:`prodlife.limits.MAX_INVOICE_NUMBERS_AT_ONCE`.
    """
    if not is_whole(count):
        raise ValidationError(f"count {count!r} must be a whole number")
    if not 1 <= count <= MAX_INVOICE_NUMBERS_AT_ONCE:
        raise ValidationError(
            f"count {count} must be from 1 to {MAX_INVOICE_NUMBERS_AT_ONCE:,} "
            "(prodlife.limits.MAX_INVOICE_NUMBERS_AT_ONCE)"
        )
    return count


def check_credit(customer_id: str, amount: Money, expected: Money) -> None:
    """Refuse a credit balance below zero, or one whose currency differs from ``expected``'s."""
    stored_key(customer_id, "customer id")
    of_type(amount, Money, "the credit balance")
    of_type(expected, Money, "the credit balance expected")
    if amount.currency != expected.currency:
        raise ValidationError(
            f"credit balance of {customer_id} set to {amount} but expected in "
            f"{expected.currency}; set each currency's balance on its own"
        )
    if amount.amount < 0:
        raise ValidationError(
            f"credit balance of {customer_id} cannot go below zero ({amount}); refund no "
            "more than the customer holds"
        )


def event_keys(event: Event) -> None:
    """Refuse an event whose service or customer a store cannot keep."""
    of_type(event, Event, "an event to store")
    stored_key(event.service_id, "service id")
    stored_key(event.customer_id, "customer id")


#: Run ids are 64-bit in every store; a larger one names no run.
_MAX_RUN_ID = 2**63 - 1


def plan_key(plan: PricePlan) -> str:
    """The code of ``plan``, when it is a price plan with a code a store can keep."""
    return stored_key(of_type(plan, PricePlan, "the price plan to store").code, "price plan code")


def offering_key(offering: ResellerOffering) -> str:
    """The reseller of ``offering``, when it is an offering with a code a store can keep."""
    what = "the reseller offering to store"
    return stored_key(of_type(offering, ResellerOffering, what).reseller, "reseller code")


def promotion_key(promotion: Promotion) -> str:
    """The code of ``promotion``, when it is a promotion with a code a store can keep."""
    what = "the promotion to store"
    return stored_key(of_type(promotion, Promotion, what).code, "promotion code")


def promotion_use_keys(code: str, customer_id: str, order_id: str) -> str:
    """``code``, when a use of it by ``customer_id`` on ``order_id`` names what a store can look
    up and keep (checked in that order)."""
    lookup_key(code, "promotion code")
    stored_key(customer_id, "customer id")
    stored_key(order_id, "order id")
    return code


#: Event sequences are 64-bit in every store; a larger one names no event.
_MAX_SEQUENCE = 2**63 - 1


def event_sequences(sequences: object) -> list[int]:
    """The event sequences among ``sequences`` any store may hold (others name no event).

    Raises:
        TypeError: it is not a list of ``int``.
    """
    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Iterable):
        raise TypeError(f"sequences must be a list of int, not {type(sequences).__name__}")
    numbers = list(sequences)
    for number in numbers:
        if not is_whole(number):
            raise TypeError(f"an event sequence must be an int, not {type(number).__name__}")
    return [number for number in numbers if 1 <= number <= _MAX_SEQUENCE]


def claim(
    on: object, worker: object, now: object, lease: object, limit: object
) -> tuple[str, datetime, datetime]:
    """The worker, ``now`` in UTC and the lease's end of a scheduler claim, every argument
    checked (see :meth:`prodlife.ports.SchedulerRepository.claim_due`)."""
    key = stored_key(worker, "worker")
    if not isinstance(on, date) or isinstance(on, datetime):
        raise TypeError(f"on must be a date, not {type(on).__name__}")
    if not isinstance(lease, timedelta):
        raise TypeError(f"lease must be a timedelta, not {type(lease).__name__}")
    if not is_whole(limit):
        raise TypeError(f"limit must be an int, not {type(limit).__name__}")
    if limit > 0:
        check_limit(limit)
    start = as_utc(now)  # type: ignore[arg-type]
    try:
        return key, start, start + lease
    except OverflowError:
        raise ValidationError(
            f"a lease of {lease} from {start} ends past the calendar; give a shorter lease"
        ) from None


def sync_run(run: object) -> SyncRun:
    """``run``, when it is a sync run (else ``ValidationError``)."""
    if not isinstance(run, SyncRun):
        raise ValidationError(f"{run!r} is not a SyncRun; pass the run an import returned")
    return run


def sync_run_id(value: object) -> int:
    """``value``, when it is a run id a store may hold.

    Raises:
        TypeError: it is not an ``int``.
        NotFound: it is out of the range of ids any store gives (below 1, past 64 bits).
    """
    if not is_whole(value):
        raise TypeError(f"sync run id must be an int, not {type(value).__name__}")
    if not 1 <= value <= _MAX_RUN_ID:
        raise NotFound("sync run", value)
    return value


# --- aggregates (one answer, whatever the store) ----------------------------------------------

#: Adds decimals exactly: no rounding, whatever their digits (PostgreSQL's ``numeric`` sums so).
_EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation],
)


def add_exactly(total: Decimal, amount: Decimal) -> Decimal:
    """``total + amount``, exactly (a running total may pass any bound on the way)."""
    return _EXACT.add(total, amount)


def product_revenue(product: str, currency: str, total: Decimal, count: int) -> ProductRevenue:
    """One row of ``revenue_by_product`` from the exact total of its lines, as every store answers.

    A total smaller than ``10**-40`` becomes zero, as in arithmetic on money.

    Raises:
        InvalidAmount: the total is ``10**18`` or more in size
            (:data:`prodlife.limits.MAX_AMOUNT_DIGITS`).
    """
    try:
        amount = checked(total, Money.zero(currency).currency, "revenue")
    except InvalidAmount:
        raise InvalidAmount(
            total,
            f"the revenue of product {product!r} in {currency} adds up to {total:.6E}, 10**18 "
            "or more, beyond prodlife.limits.MAX_AMOUNT_DIGITS; ask for shorter spans",
        ) from None
    return ProductRevenue(product, amount, count)
