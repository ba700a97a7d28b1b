"""The SQL stores' smaller repositories (the catalog, services, invoices, goods and sync runs
live in modules of their own).

Each reads and writes through its unit of work (:mod:`prodlife.stores.sql.unit_of_work`),
with the statements of :mod:`prodlife.stores.sql.statements` and the values its dialect
turns into columns; nothing here depends on which database runs it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from prodlife.billing.lines import InvoiceLine
from prodlife.errors import NotFound
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.orders import Order
from prodlife.ports import IssuedLine, ProductRevenue, StoredEvent, check_limit
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion
from prodlife.stores._common import (
    event_keys,
    event_sequences,
    line_keys,
    lookup_key,
    order_keys,
    plan_key,
    product_revenue,
    promotion_key,
    promotion_use_keys,
    stored_key,
)
from prodlife.stores.sql.dialect import About, Write

if TYPE_CHECKING:
    from prodlife.stores.sql.dialect import Dialect
    from prodlife.stores.sql.statements import Statements
    from prodlife.stores.sql.unit_of_work import SQLUnitOfWork

__all__ = ["Events", "Lines", "Orders", "PerStore", "PricePlans", "Promotions", "chunks"]

V = TypeVar("V")
S = TypeVar("S")


def chunks(values: Sequence[V], size: int) -> Iterator[Sequence[V]]:
    """``values`` in slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class PerStore(Generic[S]):
    """A module's own statements for a unit of work's store: made from its dialect on first
    use, then kept as long as the store's :class:`~prodlife.stores.sql.statements.Statements`."""

    def __init__(self, make: Callable[[Dialect], S]) -> None:
        self._make = make
        self._made: weakref.WeakKeyDictionary[Statements, S] = weakref.WeakKeyDictionary()

    def __call__(self, uow: SQLUnitOfWork) -> S:
        """The statements of ``uow``'s store."""
        made = self._made.get(uow.sql)
        if made is None:
            made = self._made[uow.sql] = self._make(uow.dialect)
        return made


class PricePlans:
    """Price plans; see :class:`prodlife.ports.PricePlanRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def add(self, plan: PricePlan) -> None:
        """Store a new plan. Raises ``AlreadyExists``."""
        plan_key(plan)
        uow = self._uow
        uow.writable()
        params = (plan.code, uow.dialect.doc(plan))
        uow.insert(uow.sql.plan_add, params, About("price plan", plan.code))

    def get(self, code: str) -> PricePlan:
        """The plan ``code``. Raises ``NotFound``."""
        lookup_key(code, "price plan code")
        uow = self._uow
        row = uow.one(uow.sql.plan_get, (code,), "reading the price plan", code)
        if row is None:
            raise NotFound("price plan", code)
        return uow.dialect.load(PricePlan, row[0], code)

    def replace(self, plan: PricePlan) -> None:
        """Replace the stored plan with the same code. Raises ``NotFound``."""
        plan_key(plan)
        uow = self._uow
        uow.writable()
        params = (uow.dialect.doc(plan), plan.code)
        if not uow.change(uow.sql.plan_replace, params, "replacing the price plan", plan.code):
            raise NotFound("price plan", plan.code)

    def all(self) -> list[PricePlan]:
        """Every plan, ordered by code."""
        uow = self._uow
        load = uow.dialect.load
        rows = uow.all(uow.sql.plan_all, (), "reading the price plans")
        return [load(PricePlan, doc, code) for code, doc in rows]


class Promotions:
    """Promotions and their uses; see :class:`prodlife.ports.PromotionRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def add(self, promotion: Promotion) -> None:
        """Store a new promotion. Raises ``AlreadyExists`` (codes compare ignoring case)."""
        promotion_key(promotion)
        uow = self._uow
        uow.writable()
        code = promotion.code
        params = (code.upper(), code, uow.dialect.doc(promotion))
        uow.insert(uow.sql.promotion_add, params, About("promotion", code))

    def get(self, code: str) -> Promotion:
        """The promotion ``code`` (ignoring case). Raises ``NotFound``."""
        lookup_key(code, "promotion code")
        uow = self._uow
        row = uow.one(uow.sql.promotion_get, (code.upper(),), "reading the promotion", code)
        if row is None:
            raise NotFound("promotion", code)
        return uow.dialect.load(Promotion, row[0], code)

    def all(self) -> list[Promotion]:
        """Every promotion, ordered by code."""
        uow = self._uow
        load = uow.dialect.load
        rows = uow.all(uow.sql.promotion_all, (), "reading the promotions")
        return [load(Promotion, doc, code) for code, doc in rows]

    def record_use(self, code: str, customer_id: str, order_id: str) -> None:
        """Count one use of ``code``. Raises ``NotFound``, or ``AlreadyExists`` when the
        order already used it."""
        promotion_use_keys(code, customer_id, order_id)
        uow = self._uow
        uow.writable()
        key = code.upper()
        row = uow.one(uow.sql.promotion_lock, (key,), "reading the promotion", code)
        if row is None:
            raise NotFound("promotion", code)
        about = About("use of promotion on order", f"{row[0]} on {order_id}")
        uow.insert(uow.sql.use_add, (key, order_id, customer_id), about)

    def uses(self, code: str, customer_id: str | None = None) -> int:
        """How many times ``code`` was used, by everyone or by one customer.

        In a transaction that may write, counting locks the promotion (where the database
        locks rows: PostgreSQL) until the transaction ends: another transaction counting its
        uses waits, then counts the use this one records, so two never both take the last.
        """
        lookup_key(code, "promotion code")
        if customer_id is not None:
            lookup_key(customer_id, "customer id")
        uow = self._uow
        key = code.upper()
        if uow.dialect.lock_rows and not uow.readonly:
            uow.one(uow.sql.promotion_lock, (key,), "locking the promotion", code)
        where = "counting the uses of the promotion"
        if customer_id is None:
            row = uow.one(uow.sql.uses, (key,), where, code)
        else:
            row = uow.one(uow.sql.uses_by, (key, customer_id), where, code)
        return int(row[0])


class Orders:
    """Orders; see :class:`prodlife.ports.OrderRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def add(self, order: Order) -> None:
        """Store a new order. Raises ``AlreadyExists``."""
        order_keys(order)
        uow = self._uow
        uow.writable()
        dialect = uow.dialect
        params = (order.id, order.customer_id, dialect.instant(order.placed_at), dialect.doc(order))
        uow.insert(uow.sql.order_add, params, About("order", order.id))

    def get(self, order_id: str) -> Order:
        """The stored order. Raises ``NotFound``."""
        lookup_key(order_id, "order id")
        uow = self._uow
        row = uow.one(uow.sql.order_get, (order_id,), "reading the order", order_id)
        if row is None:
            raise NotFound("order", order_id)
        return uow.dialect.load(Order, row[0], order_id)

    def replace(self, order: Order) -> None:
        """Replace the stored order with the same id. Raises ``NotFound``."""
        order_keys(order)
        uow = self._uow
        uow.writable()
        dialect = uow.dialect
        params = (order.customer_id, dialect.instant(order.placed_at), dialect.doc(order), order.id)
        if not uow.change(uow.sql.order_replace, params, "replacing the order", order.id):
            raise NotFound("order", order.id)

    def for_customer(self, customer_id: str) -> list[Order]:
        """The customer's orders, by when they were placed, then id."""
        lookup_key(customer_id, "customer id")
        uow = self._uow
        load = uow.dialect.load
        rows = uow.all(uow.sql.order_for, (customer_id,), "reading a customer's orders")
        return [load(Order, doc, key) for key, doc in rows]


class Lines:
    """Invoice lines, append only; see :class:`prodlife.ports.InvoiceLineRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def add(self, lines: Sequence[InvoiceLine], *, product_code: str, issued_at: datetime) -> None:
        """Append ``lines`` (deferred before the transaction's first statement)."""
        stored_key(product_code, "product code")
        for line in lines:
            line_keys(line)
        uow = self._uow
        deferred = uow.defers()
        dialect = uow.dialect
        at, amount, doc = dialect.instant(issued_at), dialect.amount, dialect.doc
        rows = [
            (
                line.service_id,
                line.customer_id,
                product_code,
                at,
                line.amount.currency.code,
                amount(line.amount.amount),
                doc(line),
                line.type.value,
            )
            for line in lines
        ]
        query = uow.sql.line_add
        if deferred:
            uow.defer_all([Write(query, row) for row in rows])
        elif rows:
            uow.change_many(query[0], rows, "storing invoice lines")

    def _issued(self, rows: list[Any]) -> list[IssuedLine]:
        dialect = self._uow.dialect
        load, instant = dialect.load, dialect.read_instant
        return [
            IssuedLine(load(InvoiceLine, doc, sequence), product, instant(at), sequence)
            for sequence, product, at, doc in rows
        ]

    def for_service(self, service_id: str) -> list[IssuedLine]:
        """The service's lines, in insertion order."""
        lookup_key(service_id, "service id")
        uow = self._uow
        where = "reading a service's invoice lines"
        return self._issued(uow.all(uow.sql.line_for_service, (service_id,), where))

    def for_customer(self, customer_id: str) -> list[IssuedLine]:
        """The customer's lines, in insertion order."""
        lookup_key(customer_id, "customer id")
        uow = self._uow
        where = "reading a customer's invoice lines"
        return self._issued(uow.all(uow.sql.line_for_customer, (customer_id,), where))

    def revenue_by_product(self, start: datetime, end: datetime) -> list[ProductRevenue]:
        """What lines issued in ``[start, end)`` add up to, per product and currency."""
        uow = self._uow
        instant = uow.dialect.instant
        params = (instant(start), instant(end))
        rows = uow.all(uow.sql.revenue, params, "adding up revenue by product")
        return [
            product_revenue(product, currency, Decimal(total), count)
            for product, currency, total, count in rows
        ]


class Events:
    """The event outbox; see :class:`prodlife.ports.EventRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def add(self, events: Sequence[Event]) -> None:
        """Append ``events``, unpublished (deferred before the transaction's first statement)."""
        for event in events:
            event_keys(event)
        uow = self._uow
        deferred = uow.defers()
        doc = uow.dialect.doc
        rows = [(event.service_id, doc(event)) for event in events]
        query = uow.sql.event_add
        if deferred:
            uow.defer_all([Write(query, row) for row in rows])
        elif rows:
            uow.change_many(query[0], rows, "storing events")

    def for_service(self, service_id: str) -> list[StoredEvent]:
        """The service's events, in insertion order."""
        lookup_key(service_id, "service id")
        uow = self._uow
        load = uow.dialect.load
        rows = uow.all(uow.sql.event_for_service, (service_id,), "reading a service's events")
        return [
            StoredEvent(sequence, load(Event, doc, sequence), bool(published))
            for sequence, published, doc in rows
        ]

    def unpublished(self, limit: int | None = None) -> list[StoredEvent]:
        """Events not yet published, in insertion order; at most ``limit``."""
        check_limit(limit)
        uow = self._uow
        dialect = uow.dialect
        wanted = dialect.no_limit if limit is None else limit
        rows = uow.all(uow.sql.event_unpublished, (wanted,), "reading unpublished events")
        return [StoredEvent(sequence, dialect.load(Event, doc, sequence)) for sequence, doc in rows]

    def mark_published(self, sequences: Sequence[int]) -> None:
        """Mark these events published (unknown sequences are ignored)."""
        uow = self._uow
        uow.writable()
        dialect = uow.dialect
        for chunk in chunks(event_sequences(sequences), dialect.in_list_limit):
            sql = uow.sql.publish(len(chunk))
            uow.change(sql, dialect.in_values(chunk), "marking events published")
