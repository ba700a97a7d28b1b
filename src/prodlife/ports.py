# Over 400 lines: every protocol a host implements, in the one module a host reads as
# prodlife's contract with its storage and outside world.
"""The protocols a host implements to give prodlife its storage and its outside world.

Nothing here is a base class: any object with these methods fits
(:class:`typing.Protocol`). prodlife ships three stores that do
(:func:`prodlife.stores.open_store`), and :mod:`prodlife.testing.contract`
holds the test suite that proves a store keeps every contract written below.

A :class:`Store` opens transactions. A transaction is a :class:`UnitOfWork`:
its repositories read and write inside it, and nothing it wrote is visible to
anyone else, or kept, until :meth:`UnitOfWork.commit`. Leaving the ``with``
block without committing (or on an exception) rolls everything back.

Contracts every repository keeps:

- **Not found**: ``get`` of an unknown id or code raises
  :class:`~prodlife.errors.NotFound`.
- **Uniqueness**: ``add`` of an id or code already stored raises
  :class:`~prodlife.errors.AlreadyExists` (checked when it is called, or at
  the latest at commit).
- **Versions**: ``save`` names the version the caller loaded; when the stored
  one differs, it raises :class:`~prodlife.errors.ConcurrencyConflict` (at the
  call, or at the latest at commit) and overwrites nothing.
- **Ordering**: every list is returned in the order its docstring names,
  so results are the same in every store.
- **Values**: what is read back equals (``==``) what was written.
- **Errors**: driver errors never escape; they become
  :class:`~prodlife.errors.StoreError` (or a subclass, or one of the above).
  After ``NotFound``, ``AlreadyExists`` or ``ConcurrencyConflict`` the unit of
  work stays usable (nothing was written by the failed call); after any other
  ``StoreError`` (a lock timeout, a lost connection) it may refuse further use,
  and only a rollback is safe. A connection lost during ``commit`` leaves the
  outcome unknown: read the data again before retrying.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar, runtime_checkable

import attrs

from prodlife._numbers import is_whole
from prodlife.billing.invoices import Invoice, InvoiceStatus
from prodlife.billing.lines import InvoiceLine
from prodlife.billing.payments import Payment
from prodlife.catalog.catalog import CatalogVersion, CatalogVersions
from prodlife.catalog.resellers import ResellerOffering
from prodlife.catalog.sync_runs import SyncRun
from prodlife.errors import ValidationError
from prodlife.goods.movements import Holder, Movement, Warehouse
from prodlife.goods.readings import MeterLog, MeterReading
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.history import History
from prodlife.lifecycle.orders import Order
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status
from prodlife.money import Money
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion
from prodlife.pricing.usage import UsageRecord

__all__ = [
    "MAX_LIMIT",
    "CatalogRepository",
    "EventRepository",
    "GoodsRepository",
    "InvoiceLineRepository",
    "InvoiceQuery",
    "InvoiceRepository",
    "IssuedLine",
    "Notifier",
    "OfferingRepository",
    "OrderRepository",
    "PaymentRepository",
    "PricePlanRepository",
    "ProductRevenue",
    "PromotionRepository",
    "SchedulerRepository",
    "ServiceQuery",
    "ServiceRepository",
    "Store",
    "StoredEvent",
    "StoredSyncRun",
    "SyncRunRepository",
    "UnitOfWork",
    "check_limit",
    "check_query",
    "check_text",
]


#: The largest ``limit`` a query takes (every store counts rows in 64 bits).
MAX_LIMIT = 2**63 - 1


def check_limit(limit: int | None) -> None:
    """Refuse a ``limit`` that is neither ``None`` nor a whole number from 0 to
    :data:`MAX_LIMIT` (``ValidationError``)."""
    if limit is not None and not is_whole(limit, 0, MAX_LIMIT):
        raise ValidationError(
            f"limit {limit!r} must be None or a whole number from 0 to {MAX_LIMIT:,} "
            "(prodlife.ports.MAX_LIMIT); give None for all"
        )


Q = TypeVar("Q", "ServiceQuery", "InvoiceQuery")


def check_query(query: object, kind: type[Q]) -> Q:
    """``query``, when it is a ``kind`` (a :class:`ServiceQuery` or an :class:`InvoiceQuery`).

    Raises:
        TypeError: it is something else (``None``, a dict of filters, a customer id...).

    >>> check_query({"customer_id": "C-1"}, ServiceQuery)
    Traceback (most recent call last):
    ...
    TypeError: query must be a ServiceQuery, not dict; e.g. ServiceQuery(customer_id='C-1')
    """
    if not isinstance(query, kind):
        raise TypeError(
            f"query must be a {kind.__name__}, not {type(query).__name__}; "
            f"e.g. {kind.__name__}(customer_id='C-1')"
        )
    return query


def check_text(value: object, what: str) -> str:
    r"""``value``, when it is text a store can keep or look up.

    Every store refuses the same text: a NUL character (PostgreSQL's text holds
    none) and a lone surrogate (not valid Unicode, so no database encodes it).
    Any other character of any Unicode plane, and text of any length, is fine.

    Raises:
        TypeError: ``value`` is not a ``str``.
        ValidationError: it holds a NUL character or a lone surrogate.

    >>> check_text("S-\U0001f600", "service id")
    'S-😀'
    >>> try:
    ...     check_text("S-\x00", "service id")
    ... except ValidationError as error:
    ...     print(error)
    service id 'S-\x00' holds a NUL character, which no store keeps; remove it
    """
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if "\x00" in value:
        raise ValidationError(
            f"{what} {_shown(value)} holds a NUL character, which no store keeps; remove it"
        )
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                f"{what} {_shown(value)} holds a lone surrogate (it is not valid Unicode), "
                "which no store keeps; fix the text"
            ) from None
    return value


def _shown(text: str) -> str:
    """``text`` for a message: its repr, cut after 40 characters."""
    return repr(text) if len(text) <= 40 else f"{text[:40]!r}... ({len(text)} characters)"


def _optional_text(value: object, what: str) -> None:
    if value is not None:
        check_text(value, what)


@attrs.frozen(slots=True)
class ServiceQuery:
    """Which services :meth:`ServiceRepository.find` returns: those matching every filter given.

    Args:
        customer_id: held by this customer.
        product_code: of this product.
        status: in this status (any substate).
        due_on_or_before: with scheduler work due on or before this billing
            date (the ``due_on`` the service was saved with).
        cancellation_pending: ``True``: only services with an open cancellation
            request (:attr:`Service.cancellation_pending
            <prodlife.lifecycle.Service.cancellation_pending>`: requested and
            not ended; seed 003's open requests); ``False``: only the others.
            The SQL stores keep an index of the open requests alone.
        after_id: only ids greater than this one (for paging).
        limit: at most this many (``None`` for all); a whole number >= 0.
        bundle_id: only the components of this bundle service (those whose
            :attr:`Service.bundle_id <prodlife.lifecycle.Service.bundle_id>` it
            is). The SQL stores index the components alone.

    Raises:
        TypeError: a filter of the wrong type (``status`` not a :class:`Status`,
            ``due_on_or_before`` not a ``date``, an id or code not a ``str``).
        ValidationError: a negative or non-integer ``limit``; an id or code
            holding text no store keeps (see :func:`check_text`).

    >>> ServiceQuery(status="active")
    Traceback (most recent call last):
    ...
    TypeError: status must be a Status or None, not str, e.g. Status('active')
    """

    customer_id: str | None = None
    product_code: str | None = None
    status: Status | None = None
    due_on_or_before: date | None = None
    after_id: str | None = None
    limit: int | None = None
    cancellation_pending: bool | None = None
    bundle_id: str | None = None

    def __attrs_post_init__(self) -> None:
        _optional_text(self.customer_id, "customer_id")
        _optional_text(self.product_code, "product_code")
        _optional_text(self.after_id, "after_id")
        _optional_text(self.bundle_id, "bundle_id")
        status: object = self.status
        if status is not None and not isinstance(status, Status):
            hint = f", e.g. Status({status!r})" if isinstance(status, str) else ""
            raise TypeError(f"status must be a Status or None, not {type(status).__name__}{hint}")
        day: object = self.due_on_or_before
        if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
            raise TypeError(f"due_on_or_before must be a date or None, not {type(day).__name__}")
        pending: object = self.cancellation_pending
        if pending is not None and not isinstance(pending, bool):
            raise TypeError(
                f"cancellation_pending must be a bool or None, not {type(pending).__name__}"
            )
        check_limit(self.limit)


@attrs.frozen(slots=True)
class InvoiceQuery:
    """Which invoices :meth:`InvoiceRepository.find` returns: those matching every filter given.

    Args:
        customer_id: of this customer.
        service_id: with a line of this service.
        status: in this status (as :attr:`prodlife.billing.Invoice.status` says).
        unpaid: ``True``: only open and partially paid ones; ``False``: only the others.
        due_before: due before this day (with ``unpaid=True``: overdue on it).
        limit: at most this many (``None`` for all); a whole number >= 0.

    Raises:
        TypeError: a filter of the wrong type.
        ValidationError: a bad ``limit`` or id (see :func:`check_text`).
    """

    customer_id: str | None = None
    service_id: str | None = None
    status: InvoiceStatus | None = None
    unpaid: bool | None = None
    due_before: date | None = None
    limit: int | None = None

    def __attrs_post_init__(self) -> None:
        _optional_text(self.customer_id, "customer_id")
        _optional_text(self.service_id, "service_id")
        status: object = self.status
        if status is not None and not isinstance(status, InvoiceStatus):
            raise TypeError(f"status must be an InvoiceStatus or None, not {type(status).__name__}")
        if self.unpaid is not None and not isinstance(self.unpaid, bool):
            raise TypeError(f"unpaid must be a bool or None, not {type(self.unpaid).__name__}")
        day: object = self.due_before
        if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
            raise TypeError(f"due_before must be a date or None, not {type(day).__name__}")
        check_limit(self.limit)

    def matches(self, invoice: Invoice) -> bool:
        """Whether ``invoice`` passes every filter but ``limit`` (what a store must return)."""
        status = invoice.status
        return (
            (self.customer_id is None or invoice.customer_id == self.customer_id)
            and (self.service_id is None or self.service_id in invoice.service_ids)
            and (self.status is None or status is self.status)
            and (
                self.unpaid is None
                or (status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)) == self.unpaid
            )
            and (self.due_before is None or invoice.due_on < self.due_before)
        )


@attrs.frozen(slots=True)
class IssuedLine:
    """An invoice line as stored: the line, its product and when it was issued.

    Attributes:
        line: the line itself.
        product_code: the product of the service when the line was issued.
        issued_at: the instant it was issued (aware, UTC).
        sequence: increasing in insertion order, assigned by the store; a
            rolled-back transaction may leave gaps, and concurrent transactions
            may commit out of sequence order.
    """

    line: InvoiceLine
    product_code: str
    issued_at: datetime
    sequence: int


@attrs.frozen(slots=True)
class ProductRevenue:
    """What the lines of one product add up to in one currency (seed 004's product performance)."""

    product_code: str
    amount: Money
    lines: int


@attrs.frozen(slots=True)
class StoredEvent:
    """A domain event in the store's outbox.

    Attributes:
        sequence: increasing in insertion order, assigned by the store; gaps
            are possible (see :class:`IssuedLine`), so an outbox reader takes
            every unpublished event rather than those after the last it saw.
        event: the event.
        published: whether the notifier has had it.
    """

    sequence: int
    event: Event
    published: bool = False


@attrs.frozen(slots=True)
class StoredSyncRun:
    """A product synchronization run as stored, with the id the store gave it.

    Attributes:
        id: increasing in insertion order, assigned by the store (gaps are
            possible, as for :class:`IssuedLine`).
        run: the run.
    """

    id: int
    run: SyncRun


class CatalogRepository(Protocol):
    """The catalog's versions: each a whole catalog (types, products, editions,
    add-ons, bundles, rules) in force from a date on."""

    def add_version(self, version: CatalogVersion) -> None:
        """Store a new version, checked against the stored ones
        (:func:`~prodlife.catalog.data.check_new_version`: values a catalog file could hold,
        one version per effective date). Raises ``AlreadyExists`` when its name is taken,
        ``InvalidCatalog`` for a version the check refuses."""
        ...

    def withdraw_version(self, name: str) -> CatalogVersion:
        """Remove the version ``name`` and return it; its name is never used again
        (``add_version`` refuses it with ``AlreadyExists``), so a name always means one
        version. Whether it may be withdrawn (not in force yet) is the use case's
        (:meth:`Billing.withdraw_catalog_version
        <prodlife.app.Billing.withdraw_catalog_version>`). Raises ``NotFound``."""
        ...

    def versions(self) -> CatalogVersions:
        """Every version, by effective date. Raises ``NotFound`` when there is none."""
        ...


class SyncRunRepository(Protocol):
    """Product synchronization runs (seed 004's "process runs"), append only."""

    def add(self, run: SyncRun) -> int:
        """Store ``run``; returns the id the store gave it."""
        ...

    def get(self, run_id: int) -> SyncRun:
        """The run ``run_id``. Raises ``NotFound``."""
        ...

    def recent(self, limit: int | None = None) -> list[StoredSyncRun]:
        """The runs, newest first (latest ``started``, then highest id); at most
        ``limit``. Raises ``ValidationError`` for a negative or non-integer limit."""
        ...


class PricePlanRepository(Protocol):
    """Price plans, by code."""

    def add(self, plan: PricePlan) -> None:
        """Store a new plan. Raises ``AlreadyExists`` when its code is taken."""
        ...

    def get(self, code: str) -> PricePlan:
        """The plan ``code``. Raises ``NotFound``."""
        ...

    def replace(self, plan: PricePlan) -> None:
        """Replace the stored plan with the same code. Raises ``NotFound``."""
        ...

    def all(self) -> list[PricePlan]:
        """Every plan, ordered by code."""
        ...


class OfferingRepository(Protocol):
    """Resellers' offerings (:class:`~prodlife.catalog.ResellerOffering`), by reseller code."""

    def add(self, offering: ResellerOffering) -> None:
        """Store a new offering. Raises ``AlreadyExists`` when its reseller has one."""
        ...

    def get(self, reseller: str) -> ResellerOffering:
        """The offering of ``reseller``. Raises ``NotFound``."""
        ...

    def replace(self, offering: ResellerOffering) -> None:
        """Replace the stored offering of the same reseller. Raises ``NotFound``."""
        ...

    def all(self) -> list[ResellerOffering]:
        """Every offering, ordered by reseller code."""
        ...


class PromotionRepository(Protocol):
    """Promo codes and how often they were used (for their limits)."""

    def add(self, promotion: Promotion) -> None:
        """Store a new promotion. Raises ``AlreadyExists`` when its code is taken
        (codes compare ignoring case)."""
        ...

    def get(self, code: str) -> Promotion:
        """The promotion ``code`` (ignoring case). Raises ``NotFound``."""
        ...

    def all(self) -> list[Promotion]:
        """Every promotion, ordered by code."""
        ...

    def record_use(self, code: str, customer_id: str, order_id: str) -> None:
        """Count one use of ``code`` by ``customer_id`` on ``order_id``. Raises
        ``NotFound`` for an unknown code, ``AlreadyExists`` when that order
        already used it."""
        ...

    def uses(self, code: str, customer_id: str | None = None) -> int:
        """How many times ``code`` was used, by everyone or by one customer."""
        ...


class ServiceRepository(Protocol):
    """Customers' services: whole :class:`~prodlife.lifecycle.Service` aggregates,
    with the billing date their next scheduler work is due (``due_on``), and
    their histories.

    A service is kept :meth:`~prodlife.lifecycle.Service.at_rest`: the
    entries of its history go to an append-only history (read back with
    :meth:`history`), and the service read back holds none of them, only their
    count, so that loading and saving a service costs the same however long its
    life.
    """

    def add(self, service: Service, *, due_on: date | None) -> None:
        """Store a new service and the history entries it holds. Raises
        ``AlreadyExists`` when its id is taken."""
        ...

    def get(self, service_id: str) -> Service:
        """The stored service, at rest (no history entry held). Raises ``NotFound``."""
        ...

    def history(self, service_id: str) -> History:
        """The service's whole history, oldest first (``earlier`` is 0). Raises
        ``NotFound`` for a service never stored."""
        ...

    def get_many(self, service_ids: Sequence[str]) -> list[Service]:
        """The stored services with these ids, in the order given (a repeated id
        repeats). Raises ``NotFound`` naming the first id not stored."""
        ...

    def save(
        self,
        service: Service,
        *,
        expected_version: int,
        due_on: date | None,
        worker: str | None = None,
    ) -> None:
        """Replace the stored service, which must still be at ``expected_version``,
        and append the history entries it holds (an entry already stored, by its
        number in the history, is not written twice).

        Releases ``worker``'s scheduler claim on it; a claim another worker
        holds (any claim, when no ``worker`` is named) stays until that worker
        saves or releases it, or its lease ends. Raises ``NotFound`` when it was
        never stored, ``ConcurrencyConflict`` when the stored version is not
        ``expected_version``: at the call, or at the latest at commit (a store
        may defer the write to keep its lock short); nothing is kept then.
        """
        ...

    def find(self, query: ServiceQuery) -> list[Service]:
        """The services matching every filter of ``query``, ordered by id."""
        ...

    def count(self, query: ServiceQuery) -> int:
        """How many services :meth:`find` would return, ignoring ``limit``."""
        ...


class OrderRepository(Protocol):
    """Sales orders, by id."""

    def add(self, order: Order) -> None:
        """Store a new order. Raises ``AlreadyExists`` when its id is taken."""
        ...

    def get(self, order_id: str) -> Order:
        """The stored order. Raises ``NotFound``."""
        ...

    def replace(self, order: Order) -> None:
        """Replace the stored order with the same id (a new status). Raises ``NotFound``."""
        ...

    def for_customer(self, customer_id: str) -> list[Order]:
        """The customer's orders, ordered by when they were placed, then id."""
        ...


class InvoiceLineRepository(Protocol):
    """Every invoice line operations issued, append only."""

    def add(self, lines: Sequence[InvoiceLine], *, product_code: str, issued_at: datetime) -> None:
        """Append ``lines`` (in order), all for a service of ``product_code``."""
        ...

    def for_service(self, service_id: str) -> list[IssuedLine]:
        """The service's lines, in insertion order."""
        ...

    def for_customer(self, customer_id: str) -> list[IssuedLine]:
        """The customer's lines, in insertion order."""
        ...

    def revenue_by_product(self, start: datetime, end: datetime) -> list[ProductRevenue]:
        """What lines issued in ``[start, end)`` add up to, per product and
        currency, ordered by product code then currency code, tax lines left
        out (revenue, not what is owed to the tax office). Credits count
        negative. Products with no line in the span are left out."""
        ...


class InvoiceRepository(Protocol):
    """Invoices and credit notes (never deleted), their numbering, and credit balances."""

    def next_number(self, series: str, count: int = 1) -> int:
        """Take the next ``count`` counts of ``series`` inside this transaction; return the
        first (1 for a new series), the others following it.

        Committed transactions take consecutive counts; a rolled-back transaction
        gives its counts back, so committed numbers have no gaps. Transactions
        taking numbers of one series wait for each other.

        Raises:
            ValidationError: ``count`` is not a whole number from 1 to
                :data:`prodlife.limits.MAX_INVOICE_NUMBERS_AT_ONCE`.
        """
        ...

    def add(self, invoice: Invoice) -> None:
        """Store a new invoice (its ``version`` as given). Raises ``AlreadyExists`` (number)."""
        ...

    def add_all(self, invoices: Sequence[Invoice]) -> None:
        """Store new invoices together, as :meth:`add` does each (a SQL store writes each
        table once: a billing run's invoices cost two statements, not two each).

        Raises:
            AlreadyExists: a number is taken, or given twice; none of them is stored then
                (a SQL store ends the transaction: roll it back).
        """
        ...

    def get(self, number: str) -> Invoice:
        """The stored invoice. Raises ``NotFound``."""
        ...

    def save(self, invoice: Invoice) -> Invoice:
        """Store ``invoice`` over the stored one of its number and version; return it
        with its version one more.

        Raises:
            NotFound: no such invoice.
            ConcurrencyConflict: the stored version is not ``invoice.version``.
            ValidationError: what the invoice bills differs from the stored one:
                its lines, customer, currency, issue date, due date, issue
                instant or separate service (an invoice's lines never change).
        """
        ...

    def find(self, query: InvoiceQuery) -> list[Invoice]:
        """The invoices matching ``query``, by due date, then number."""
        ...

    def credit(self, customer_id: str, currency: str) -> Money:
        """The customer's credit balance in ``currency`` (zero when none was kept)."""
        ...

    def credits(self, customer_ids: Sequence[str]) -> dict[tuple[str, str], Money]:
        """The credit balances above zero of these customers, by (customer, currency code)."""
        ...

    def set_credit(self, customer_id: str, amount: Money, *, expected: Money) -> None:
        """Set the customer's credit balance in ``amount``'s currency to ``amount``.

        Raises:
            ConcurrencyConflict: the stored balance is not ``expected``.
            ValidationError: ``amount`` below zero, or currencies that differ.
        """
        ...


class PaymentRepository(Protocol):
    """Payments and refunds, recorded once per reference, never changed."""

    def add(self, payment: Payment) -> None:
        """Store a new payment. Raises ``AlreadyExists`` when its reference is taken."""
        ...

    def get(self, reference: str) -> Payment:
        """The payment of ``reference``. Raises ``NotFound``."""
        ...

    def for_customer(self, customer_id: str) -> list[Payment]:
        """The customer's payments and refunds, by when received, then reference."""
        ...


class EventRepository(Protocol):
    """The outbox: events stored with the change that raised them, published after commit."""

    def add(self, events: Sequence[Event]) -> None:
        """Append ``events`` (in order), unpublished."""
        ...

    def for_service(self, service_id: str) -> list[StoredEvent]:
        """The service's events, in insertion order."""
        ...

    def unpublished(self, limit: int | None = None) -> list[StoredEvent]:
        """Events not yet marked published, in insertion order; at most ``limit``.
        Raises ``ValidationError`` for a negative or non-integer limit."""
        ...

    def mark_published(self, sequences: Sequence[int]) -> None:
        """Mark these events published (unknown sequences are ignored)."""
        ...


class SchedulerRepository(Protocol):
    """Claims that let several workers run the scheduler over one store.

    A claim holds a service for one worker until its lease expires, or until
    that worker releases it or saves the service naming itself
    (``services.save(..., worker=...)``); no other worker's save or release
    drops it. A worker that dies leaves its claims to expire, and another
    worker claims them then. Version checks on save make sure a
    service claimed twice (a lease expired under a slow worker) is still
    changed only once.
    """

    def claim_due(
        self, on: date, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[str]:
        """Claim up to ``limit`` services due on or before ``on`` that no live
        claim holds (none, or one whose lease ended at or before ``now``) for
        ``worker`` until ``now + lease``. Returns their ids, ordered by
        ``due_on`` then id. Two workers never get the same id while a lease
        lives. A ``limit`` below 1 claims nothing.

        Raises:
            TypeError: ``on`` not a ``date``, ``lease`` not a ``timedelta``,
                ``limit`` not an ``int``, ``worker`` not a ``str``.
            ValidationError: a lease ending past the calendar, a ``limit`` beyond
                :data:`MAX_LIMIT`, a ``worker`` no store keeps.
            InvalidInstant: ``now`` is not an aware instant.
        """
        ...

    def release(self, service_ids: Sequence[str], *, worker: str) -> None:
        """Drop ``worker``'s claims on these services (other workers' claims stay)."""
        ...


class GoodsRepository(Protocol):
    """Physical goods: warehouses, each product's stock movements, meters' readings.

    Movements and readings are append only. A product's movements are numbered
    0, 1, 2... (:attr:`~prodlife.goods.Movement.sequence`) and a meter's
    readings likewise: a number is taken once, so of two writers who loaded the
    same stock and record its next movement, the second gets
    ``ConcurrencyConflict`` and redoes its check on what is stored now (this
    keeps balances from going negative and a unit from being issued twice).
    """

    def add_warehouse(self, warehouse: Warehouse) -> None:
        """Store a new warehouse. Raises ``AlreadyExists`` when its code is taken."""
        ...

    def replace_warehouse(self, warehouse: Warehouse) -> None:
        """Replace the stored warehouse with the same code. Raises ``NotFound``."""
        ...

    def warehouses(self) -> list[Warehouse]:
        """Every warehouse, ordered by code."""
        ...

    def record(self, movement: Movement) -> None:
        """Append ``movement``, checked against nothing but its keys.

        Raises ``ConcurrencyConflict`` and writes nothing when its product
        already has a movement numbered ``movement.sequence``, or when it is a
        receipt naming a serial number already received for its product (or,
        for a kit's component, for that component's product).
        """
        ...

    def movements(self, product_codes: Sequence[str]) -> list[Movement]:
        """Every movement of these products, ordered by date, product code, then sequence."""
        ...

    def products_held(self, holder: Holder) -> list[str]:
        """The codes of the products whose movements name ``holder``, ordered by code."""
        ...

    def add_reading(
        self,
        meter: tuple[str, str, str],
        position: int,
        reading: MeterReading,
        record: UsageRecord | None,
    ) -> None:
        """Append ``reading`` as reading number ``position`` (0, 1, 2...) of ``meter``
        (``(product code, serial, reading type)``, :attr:`~prodlife.goods.MeterLog.meter`),
        with the usage record it gave (``None`` for a baseline).

        Raises ``DuplicateReading`` when the meter already has a reading at
        ``reading.at``, ``ConcurrencyConflict`` when ``position`` is taken;
        nothing is written then.
        """
        ...

    def meter_log(self, product_code: str, serial: str, reading_type: str) -> MeterLog:
        """The meter's readings in time order (an empty log for a meter never read)."""
        ...

    def usage_records(self, customer_id: str) -> list[UsageRecord]:
        """The usage records the customer's readings gave, by reading time, then meter."""
        ...


class UnitOfWork(Protocol):
    """One transaction: its repositories, and the decision to keep what it wrote."""

    @property
    def catalog(self) -> CatalogRepository: ...

    @property
    def price_plans(self) -> PricePlanRepository: ...

    @property
    def promotions(self) -> PromotionRepository: ...

    @property
    def offerings(self) -> OfferingRepository: ...

    @property
    def services(self) -> ServiceRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def invoice_lines(self) -> InvoiceLineRepository: ...

    @property
    def invoices(self) -> InvoiceRepository: ...

    @property
    def payments(self) -> PaymentRepository: ...

    @property
    def events(self) -> EventRepository: ...

    @property
    def scheduler(self) -> SchedulerRepository: ...

    @property
    def sync_runs(self) -> SyncRunRepository: ...

    @property
    def goods(self) -> GoodsRepository: ...

    def commit(self) -> None:
        """Keep everything written in this transaction, all of it or none of it.

        Ends the transaction: using the unit of work afterwards raises
        ``StoreError``. Raises ``ConcurrencyConflict`` or ``AlreadyExists``
        when a check deferred to commit fails (then nothing is kept).
        """
        ...

    def rollback(self) -> None:
        """Drop everything written in this transaction and end it."""
        ...


@runtime_checkable
class Store(Protocol):
    """Where prodlife's aggregates live."""

    def transaction(self, *, readonly: bool = False) -> AbstractContextManager[UnitOfWork]:
        """Open a transaction; the ``with`` block rolls it back unless committed.

        A ``readonly`` transaction only reads: any write in it raises
        ``StoreError``, and a store may run it alongside a writer (SQLite and
        PostgreSQL do; the memory store runs one transaction at a time).
        """
        ...

    def close(self) -> None:
        """Release the store's connections; it cannot be used afterwards."""
        ...


class Notifier(Protocol):
    """Where domain events go once their change is committed (e-mails, webhooks, tickets)."""

    def publish(self, events: Sequence[StoredEvent]) -> None:
        """Deliver ``events``; raising leaves them unpublished, to be retried."""
        ...
