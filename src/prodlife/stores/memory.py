# Over 400 lines: the reference store: every repository over one in-memory unit of
# work (invoices and goods live in modules of their own).
"""The in-memory store: the reference implementation of :mod:`prodlife.ports`.

Everything lives in dictionaries of immutable domain values. One transaction
runs at a time (the others wait for it, as SQLite writers do); its writes go
straight to the dictionaries with an undo log, so a rollback, an exception or
a ``with`` block left without :meth:`commit` puts back exactly what was there.

>>> from prodlife.stores import open_store
>>> store = open_store("memory:")
>>> with store.transaction() as uow:
...     uow.services.count(ServiceQuery())
0
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import attrs

from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.catalog.catalog import CatalogVersion, CatalogVersions
from prodlife.catalog.data import check_new_version
from prodlife.catalog.resellers import ResellerOffering
from prodlife.catalog.sync_runs import SyncRun
from prodlife.clock import as_utc
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    StoreError,
    ValidationError,
)
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.history import History, HistoryEntry
from prodlife.lifecycle.orders import Order
from prodlife.lifecycle.services import Service
from prodlife.ports import (
    IssuedLine,
    ProductRevenue,
    ServiceQuery,
    StoredEvent,
    StoredSyncRun,
    UnitOfWork,
    check_limit,
    check_query,
)
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion
from prodlife.stores._common import (
    add_exactly,
    claim,
    event_keys,
    event_sequences,
    in_asked_order,
    line_keys,
    lookup_key,
    order_keys,
    plan_key,
    product_revenue,
    promotion_key,
    promotion_use_keys,
    service_keys,
    stored_key,
    sync_run,
    sync_run_id,
)
from prodlife.stores._documents import check_document
from prodlife.stores._history import check_held_history, held_history
from prodlife.stores.memory_goods import GoodsState, MemoryGoods
from prodlife.stores.memory_invoices import InvoicingState, MemoryInvoices, MemoryPayments
from prodlife.stores.memory_offerings import MemoryOfferings

__all__ = ["MemoryStore", "MemoryUnitOfWork"]

_READONLY = "this transaction is read-only; open store.transaction() without readonly=True to write"

K = TypeVar("K")
V = TypeVar("V")
_ZERO = Decimal(0)


@attrs.define(slots=True)
class _Row:
    service: Service
    due_on: date | None
    worker: str | None = None
    lease_until: datetime | None = None


@attrs.define(slots=True)
class _State:
    versions: dict[str, CatalogVersion] = attrs.Factory(dict)
    withdrawn: set[str] = attrs.Factory(set)
    plans: dict[str, PricePlan] = attrs.Factory(dict)
    offerings: dict[str, ResellerOffering] = attrs.Factory(dict)
    promotions: dict[str, Promotion] = attrs.Factory(dict)
    promotion_uses: dict[tuple[str, str], str] = attrs.Factory(dict)
    services: dict[str, _Row] = attrs.Factory(dict)
    histories: dict[str, tuple[HistoryEntry, ...]] = attrs.Factory(dict)
    orders: dict[str, Order] = attrs.Factory(dict)
    lines: list[IssuedLine] = attrs.Factory(list)
    invoicing: InvoicingState = attrs.Factory(InvoicingState)
    events: list[StoredEvent] = attrs.Factory(list)
    sync_runs: list[StoredSyncRun] = attrs.Factory(list)
    goods: GoodsState = attrs.Factory(GoodsState)


def _matches(row: _Row, query: ServiceQuery) -> bool:
    service = row.service
    return (
        (query.customer_id is None or service.customer_id == query.customer_id)
        and (query.product_code is None or service.product_code == query.product_code)
        and (query.status is None or service.status.status is query.status)
        and (
            query.due_on_or_before is None
            or (row.due_on is not None and row.due_on <= query.due_on_or_before)
        )
        and (query.after_id is None or service.id > query.after_id)
        and (
            query.cancellation_pending is None
            or service.cancellation_pending is query.cancellation_pending
        )
        and (query.bundle_id is None or service.bundle_id == query.bundle_id)
    )


class MemoryUnitOfWork:
    """One transaction over a :class:`MemoryStore`; see :class:`prodlife.ports.UnitOfWork`."""

    def __init__(self, state: _State, readonly: bool = False) -> None:
        self._state = state
        self._undo: list[Callable[[], None]] = []
        self._open = True
        self._readonly = readonly

    # --- the unit of work ------------------------------------------------------------------

    @property
    def catalog(self) -> MemoryUnitOfWork:
        """Catalog versions (this object)."""
        return self

    @property
    def price_plans(self) -> _PricePlans:
        """Price plans."""
        return _PricePlans(self)

    @property
    def promotions(self) -> _Promotions:
        """Promotions and their uses."""
        return _Promotions(self)

    @property
    def offerings(self) -> MemoryOfferings:
        """Resellers' offerings."""
        return MemoryOfferings(self)

    @property
    def services(self) -> _Services:
        """Services."""
        return _Services(self)

    @property
    def orders(self) -> _Orders:
        """Orders."""
        return _Orders(self)

    @property
    def invoice_lines(self) -> _Lines:
        """Invoice lines."""
        return _Lines(self)

    @property
    def invoices(self) -> MemoryInvoices:
        """Invoices, their numbering and credit balances."""
        return MemoryInvoices(self)

    @property
    def payments(self) -> MemoryPayments:
        """Payments and refunds."""
        return MemoryPayments(self)

    @property
    def events(self) -> _Events:
        """The event outbox."""
        return _Events(self)

    @property
    def scheduler(self) -> _Services:
        """Scheduler claims (kept on the services)."""
        return _Services(self)

    @property
    def sync_runs(self) -> _SyncRuns:
        """Product synchronization runs."""
        return _SyncRuns(self)

    @property
    def goods(self) -> MemoryGoods:
        """Physical goods: warehouses, movements, meter readings."""
        return MemoryGoods(self)

    def commit(self) -> None:
        """Keep what this transaction wrote and end it."""
        self.state()
        self._undo.clear()
        self._open = False

    def rollback(self) -> None:
        """Undo what this transaction wrote and end it."""
        if not self._open:
            return
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        self._open = False

    # --- shared by the repositories -------------------------------------------------------

    def state(self) -> _State:
        """The store's state, while the transaction is open."""
        if not self._open:
            raise StoreError(
                "this transaction has ended (committed or rolled back); open a new one with "
                "store.transaction()"
            )
        return self._state

    def writable(self) -> None:
        """Refuse a write in a read-only transaction."""
        self.state()
        if self._readonly:
            raise StoreError(_READONLY)

    def put(self, table: dict[K, V], key: K, value: V) -> None:
        """Set ``table[key]``, remembering how to undo it."""
        self.writable()
        if key in table:
            old = table[key]
            self._undo.append(lambda: table.__setitem__(key, old))
        else:
            self._undo.append(lambda: table.__delitem__(key))
        table[key] = value

    def replace(self, items: list[V], index: int, value: V) -> None:
        """Set ``items[index]``, remembering how to undo it."""
        self.writable()
        old = items[index]
        items[index] = value
        self._undo.append(lambda: items.__setitem__(index, old))

    def append(self, items: list[V], values: Sequence[V]) -> None:
        """Append ``values`` to ``items``, remembering how to undo it."""
        self.writable()
        size = len(items)
        items.extend(values)
        self._undo.append(lambda: items.__delitem__(slice(size, None)))

    # --- catalog ------------------------------------------------------------------------------

    def add_version(self, version: CatalogVersion) -> None:
        """Store a new catalog version, checked as :func:`~prodlife.catalog.data.check_new_version`
        does. Raises ``AlreadyExists``, ``InvalidCatalog``."""
        if not isinstance(version, CatalogVersion):
            raise ValidationError(f"{version!r} is not a CatalogVersion; pass one")
        stored_key(version.name, "catalog version name")
        versions = self.state().versions
        check_document(version)
        if version.name in versions or version.name in self.state().withdrawn:
            raise AlreadyExists("catalog version", version.name)
        check_new_version(versions.values(), version)
        self.put(versions, version.name, version)

    def withdraw_version(self, name: str) -> CatalogVersion:
        """Remove the version ``name``; its name is never used again. Raises ``NotFound``."""
        state = self.state()
        lookup_key(name, "catalog version name")
        if name not in state.versions:
            raise NotFound("catalog version", name)
        self.writable()
        version = state.versions.pop(name)
        state.withdrawn.add(name)
        self._undo.append(lambda: state.withdrawn.discard(name))
        self._undo.append(lambda: state.versions.__setitem__(name, version))
        return version

    def versions(self) -> CatalogVersions:
        """Every catalog version. Raises ``NotFound`` when there is none."""
        versions = self.state().versions
        if not versions:
            raise NotFound("catalog version", "any", "add one with uow.catalog.add_version()")
        return CatalogVersions(tuple(versions.values()))


@attrs.frozen(slots=True)
class _PricePlans:
    uow: MemoryUnitOfWork

    def add(self, plan: PricePlan) -> None:
        plan_key(plan)
        plans = self.uow.state().plans
        check_document(plan)
        if plan.code in plans:
            raise AlreadyExists("price plan", plan.code)
        self.uow.put(plans, plan.code, plan)

    def get(self, code: str) -> PricePlan:
        lookup_key(code, "price plan code")
        try:
            return self.uow.state().plans[code]
        except KeyError:
            raise NotFound("price plan", code) from None

    def replace(self, plan: PricePlan) -> None:
        self.get(plan_key(plan))
        check_document(plan)
        self.uow.put(self.uow.state().plans, plan.code, plan)

    def all(self) -> list[PricePlan]:
        plans = self.uow.state().plans
        return [plans[code] for code in sorted(plans)]


@attrs.frozen(slots=True)
class _Promotions:
    uow: MemoryUnitOfWork

    def add(self, promotion: Promotion) -> None:
        promotion_key(promotion)
        promotions = self.uow.state().promotions
        check_document(promotion)
        key = promotion.code.upper()
        if key in promotions:
            raise AlreadyExists("promotion", promotion.code)
        self.uow.put(promotions, key, promotion)

    def get(self, code: str) -> Promotion:
        lookup_key(code, "promotion code")
        try:
            return self.uow.state().promotions[code.upper()]
        except KeyError:
            raise NotFound("promotion", code) from None

    def all(self) -> list[Promotion]:
        promotions = self.uow.state().promotions.values()
        return sorted(promotions, key=lambda promotion: promotion.code)

    def record_use(self, code: str, customer_id: str, order_id: str) -> None:
        promotion = self.get(promotion_use_keys(code, customer_id, order_id))
        uses = self.uow.state().promotion_uses
        key = (promotion.code.upper(), order_id)
        if key in uses:
            raise AlreadyExists("use of promotion on order", f"{promotion.code} on {order_id}")
        self.uow.put(uses, key, customer_id)

    def uses(self, code: str, customer_id: str | None = None) -> int:
        wanted = lookup_key(code, "promotion code").upper()
        if customer_id is not None:
            lookup_key(customer_id, "customer id")
        return sum(
            1
            for (used, _), customer in self.uow.state().promotion_uses.items()
            if used == wanted and (customer_id is None or customer == customer_id)
        )


@attrs.frozen(slots=True)
class _Services:
    uow: MemoryUnitOfWork

    def add(self, service: Service, *, due_on: date | None) -> None:
        service_keys(service, due_on)
        entries = held_history(service, None)
        rows = self.uow.state().services
        check_document(service)
        if service.id in rows:
            raise AlreadyExists("service", service.id)
        self.uow.put(rows, service.id, _Row(service.at_rest(), due_on))
        self._append(service.id, entries)

    def _append(self, service_id: str, entries: list[tuple[int, HistoryEntry]]) -> None:
        histories = self.uow.state().histories
        kept = histories.get(service_id, ())
        new = tuple(entry for number, entry in entries if number > len(kept))
        if new:
            self.uow.put(histories, service_id, kept + new)

    def history(self, service_id: str) -> History:
        self._row(lookup_key(service_id, "service id"))
        return History(self.uow.state().histories.get(service_id, ()))

    def get(self, service_id: str) -> Service:
        return self._row(lookup_key(service_id, "service id")).service

    def get_many(self, service_ids: Sequence[str]) -> list[Service]:
        keys = [lookup_key(service_id, "service id") for service_id in service_ids]
        if not keys:  # reads nothing, as the SQL stores: not even an ended transaction's state
            return []
        return [row.service for row in in_asked_order(self.uow.state().services, keys, "service")]

    def _row(self, service_id: str) -> _Row:
        try:
            return self.uow.state().services[service_id]
        except KeyError:
            raise NotFound("service", service_id) from None

    def save(
        self,
        service: Service,
        *,
        expected_version: int,
        due_on: date | None,
        worker: str | None = None,
    ) -> None:
        service_keys(service, due_on)
        if worker is not None:
            lookup_key(worker, "worker")
        row = self._row(service.id)
        check_document(service)
        if row.service.version != expected_version:
            raise ConcurrencyConflict("service", service.id, expected_version, row.service.version)
        entries = held_history(service, expected_version)
        stored = self.uow.state().histories.get(service.id, ())
        check_held_history(service.id, dict(enumerate(stored, start=1)), entries)
        kept = service.at_rest()
        saved = _Row(kept, due_on)
        if row.worker is not None and row.worker != worker:  # another worker's claim stays
            saved = _Row(kept, due_on, row.worker, row.lease_until)
        self.uow.put(self.uow.state().services, service.id, saved)
        self._append(service.id, entries)

    def find(self, query: ServiceQuery) -> list[Service]:
        check_query(query, ServiceQuery)
        rows = self.uow.state().services
        found = [rows[key].service for key in sorted(rows) if _matches(rows[key], query)]
        return found if query.limit is None else found[: query.limit]

    def count(self, query: ServiceQuery) -> int:
        check_query(query, ServiceQuery)
        return sum(1 for row in self.uow.state().services.values() if _matches(row, query))

    # --- scheduler claims --------------------------------------------------------------------

    def claim_due(
        self, on: date, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[str]:
        worker, now, until = claim(on, worker, now, lease, limit)
        rows = self.uow.state().services
        free = [
            row
            for row in rows.values()
            if row.due_on is not None
            and row.due_on <= on
            and (row.lease_until is None or row.lease_until <= now)
        ]
        free.sort(key=lambda row: (row.due_on, row.service.id))
        claimed = []
        for row in free[: max(limit, 0)]:
            self.uow.put(rows, row.service.id, attrs.evolve(row, worker=worker, lease_until=until))
            claimed.append(row.service.id)
        return claimed

    def release(self, service_ids: Sequence[str], *, worker: str) -> None:
        lookup_key(worker, "worker")
        service_ids = [lookup_key(service_id, "service id") for service_id in service_ids]
        rows = self.uow.state().services
        for service_id in service_ids:
            row = rows.get(service_id)
            if row is not None and row.worker == worker:
                self.uow.put(rows, service_id, attrs.evolve(row, worker=None, lease_until=None))


@attrs.frozen(slots=True)
class _Orders:
    uow: MemoryUnitOfWork

    def add(self, order: Order) -> None:
        order_keys(order)
        orders = self.uow.state().orders
        check_document(order)
        if order.id in orders:
            raise AlreadyExists("order", order.id)
        self.uow.put(orders, order.id, order)

    def get(self, order_id: str) -> Order:
        lookup_key(order_id, "order id")
        try:
            return self.uow.state().orders[order_id]
        except KeyError:
            raise NotFound("order", order_id) from None

    def replace(self, order: Order) -> None:
        order_keys(order)
        self.get(order.id)
        check_document(order)
        self.uow.put(self.uow.state().orders, order.id, order)

    def for_customer(self, customer_id: str) -> list[Order]:
        lookup_key(customer_id, "customer id")
        mine = [o for o in self.uow.state().orders.values() if o.customer_id == customer_id]
        return sorted(mine, key=lambda order: (order.placed_at, order.id))


@attrs.frozen(slots=True)
class _Lines:
    uow: MemoryUnitOfWork

    def add(self, lines: Sequence[InvoiceLine], *, product_code: str, issued_at: datetime) -> None:
        stored_key(product_code, "product code")
        for line in lines:
            line_keys(line)
        stored = self.uow.state().lines
        for line in lines:
            check_document(line)
        issued_at = as_utc(issued_at)
        start = len(stored) + 1
        new = [
            IssuedLine(line, product_code, issued_at, start + index)
            for index, line in enumerate(lines)
        ]
        self.uow.append(stored, new)

    def for_service(self, service_id: str) -> list[IssuedLine]:
        lookup_key(service_id, "service id")
        return [item for item in self.uow.state().lines if item.line.service_id == service_id]

    def for_customer(self, customer_id: str) -> list[IssuedLine]:
        lookup_key(customer_id, "customer id")
        return [item for item in self.uow.state().lines if item.line.customer_id == customer_id]

    def revenue_by_product(self, start: datetime, end: datetime) -> list[ProductRevenue]:
        start, end = as_utc(start), as_utc(end)
        sums: dict[tuple[str, str], tuple[Decimal, int]] = {}
        for item in self.uow.state().lines:
            if start <= item.issued_at < end and item.line.type is not LineType.TAX:
                group = (item.product_code, item.line.amount.currency.code)
                total, count = sums.get(group, (_ZERO, 0))
                sums[group] = (add_exactly(total, item.line.amount.amount), count + 1)
        return [
            product_revenue(product, currency, *sums[(product, currency)])
            for product, currency in sorted(sums)
        ]


@attrs.frozen(slots=True)
class _Events:
    uow: MemoryUnitOfWork

    def add(self, events: Sequence[Event]) -> None:
        for event in events:
            event_keys(event)
        stored = self.uow.state().events
        for event in events:
            check_document(event)
        start = len(stored) + 1
        new = [StoredEvent(start + index, event) for index, event in enumerate(events)]
        self.uow.append(stored, new)

    def for_service(self, service_id: str) -> list[StoredEvent]:
        lookup_key(service_id, "service id")
        return [item for item in self.uow.state().events if item.event.service_id == service_id]

    def unpublished(self, limit: int | None = None) -> list[StoredEvent]:
        check_limit(limit)
        waiting = [item for item in self.uow.state().events if not item.published]
        return waiting if limit is None else waiting[:limit]

    def mark_published(self, sequences: Sequence[int]) -> None:
        stored = self.uow.state().events
        for sequence in event_sequences(sequences):
            if 1 <= sequence <= len(stored) and not stored[sequence - 1].published:
                self.uow.replace(
                    stored, sequence - 1, attrs.evolve(stored[sequence - 1], published=True)
                )


@attrs.frozen(slots=True)
class _SyncRuns:
    uow: MemoryUnitOfWork

    def add(self, run: SyncRun) -> int:
        check_document(sync_run(run))
        stored = self.uow.state().sync_runs
        new = StoredSyncRun(len(stored) + 1, run)
        self.uow.append(stored, [new])
        return new.id

    def get(self, run_id: int) -> SyncRun:
        wanted = sync_run_id(run_id)
        stored = self.uow.state().sync_runs
        if wanted > len(stored):
            raise NotFound("sync run", wanted)
        return stored[wanted - 1].run

    def recent(self, limit: int | None = None) -> list[StoredSyncRun]:
        check_limit(limit)
        runs = sorted(
            self.uow.state().sync_runs, key=lambda item: (item.run.started, item.id), reverse=True
        )
        return runs if limit is None else runs[:limit]


class MemoryStore:
    """A transactional store in this process's memory (``open_store("memory:")``).

    Transactions run one at a time across threads; a second one waits for the
    first to end.
    """

    def __init__(self) -> None:
        self._state = _State()
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._closed = False

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[UnitOfWork]:
        """Open a transaction; it is rolled back unless committed inside the block.

        ``readonly`` refuses writes; it still runs one transaction at a time.
        """
        if self._closed:
            raise StoreError("this store is closed; open a new one with open_store()")
        thread = threading.get_ident()
        if self._owner == thread:
            raise StoreError(
                "this thread already has a transaction open on this store, and a second one "
                "would wait for the first forever; finish the first one before opening another"
            )
        with self._lock:
            self._owner = thread
            uow = MemoryUnitOfWork(self._state, readonly)
            try:
                yield uow
            finally:
                self._owner = None
                uow.rollback()

    def close(self) -> None:
        """Close the store; its data is gone with it."""
        self._closed = True
