"""The PostgreSQL store's repositories but one: services live in their own module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prodlife.billing.lines import InvoiceLine
from prodlife.catalog.catalog import CatalogVersion, CatalogVersions
from prodlife.clock import as_utc
from prodlife.errors import AlreadyExists, NotFound, ValidationError
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.orders import Order
from prodlife.money import Money
from prodlife.ports import IssuedLine, ProductRevenue, StoredEvent, check_limit
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion
from prodlife.stores._documents import decode
from prodlife.stores.postgres.sql import (
    _ADD_EVENT,
    _ADD_LINE,
    _ADD_ORDER,
    _ADD_PLAN,
    _ADD_PROMOTION,
    _ADD_USE,
    _ADD_VERSION,
    _ALL_PLANS,
    _ALL_PROMOTIONS,
    _CUSTOMER_LINES,
    _CUSTOMER_ORDERS,
    _CUSTOMER_USES,
    _GET_ORDER,
    _GET_PLAN,
    _GET_PROMOTION,
    _MARK_PUBLISHED,
    _REPLACE_ORDER,
    _REPLACE_PLAN,
    _REVENUE,
    _SERVICE_EVENTS,
    _SERVICE_LINES,
    _UNPUBLISHED,
    _UNPUBLISHED_LIMIT,
    _USES,
    _VERSIONS,
    _Write,
)

if TYPE_CHECKING:
    from prodlife.stores.postgres.unit_of_work import PostgresUnitOfWork


class _Catalog:
    """Catalog versions; see :class:`prodlife.ports.CatalogRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add_version(self, version: CatalogVersion) -> None:
        if not isinstance(version, CatalogVersion):
            raise ValidationError(f"{version!r} is not a CatalogVersion; pass one")
        uow = self._uow
        params = (version.name, version.effective, uow._doc(version))
        if uow._execute(_ADD_VERSION, params).rowcount == 0:
            raise AlreadyExists("catalog version", version.name)

    def versions(self) -> CatalogVersions:
        rows = self._uow._all(_VERSIONS)
        if not rows:
            raise NotFound("catalog version", "any", "add one with uow.catalog.add_version()")
        return CatalogVersions(tuple(decode(CatalogVersion, doc, name) for name, doc in rows))


class _PricePlans:
    """Price plans; see :class:`prodlife.ports.PricePlanRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, plan: PricePlan) -> None:
        uow = self._uow
        if uow._execute(_ADD_PLAN, (plan.code, uow._doc(plan))).rowcount == 0:
            raise AlreadyExists("price plan", plan.code)

    def get(self, code: str) -> PricePlan:
        row = self._uow._one(_GET_PLAN, (code,))
        if row is None:
            raise NotFound("price plan", code)
        return decode(PricePlan, row[0], code)

    def replace(self, plan: PricePlan) -> None:
        uow = self._uow
        if uow._execute(_REPLACE_PLAN, (uow._doc(plan), plan.code)).rowcount == 0:
            raise NotFound("price plan", plan.code)

    def all(self) -> list[PricePlan]:
        return [decode(PricePlan, doc, code) for code, doc in self._uow._all(_ALL_PLANS)]


class _Promotions:
    """Promotions and their uses; see :class:`prodlife.ports.PromotionRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, promotion: Promotion) -> None:
        uow = self._uow
        params = (promotion.code.upper(), promotion.code, uow._doc(promotion))
        if uow._execute(_ADD_PROMOTION, params).rowcount == 0:
            raise AlreadyExists("promotion", promotion.code)

    def get(self, code: str) -> Promotion:
        row = self._uow._one(_GET_PROMOTION, (code.upper(),))
        if row is None:
            raise NotFound("promotion", code)
        return decode(Promotion, row[0], code)

    def all(self) -> list[Promotion]:
        return [decode(Promotion, doc, code) for code, doc in self._uow._all(_ALL_PROMOTIONS)]

    def record_use(self, code: str, customer_id: str, order_id: str) -> None:
        promotion = self.get(code)
        params = (promotion.code.upper(), order_id, customer_id)
        if self._uow._execute(_ADD_USE, params).rowcount == 0:
            raise AlreadyExists("use of promotion on order", f"{promotion.code} on {order_id}")

    def uses(self, code: str, customer_id: str | None = None) -> int:
        if customer_id is None:
            return self._uow._count(_USES, (code.upper(),))
        return self._uow._count(_CUSTOMER_USES, (code.upper(), customer_id))


class _Orders:
    """Orders; see :class:`prodlife.ports.OrderRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, order: Order) -> None:
        uow = self._uow
        params = (order.id, order.customer_id, order.placed_at, uow._doc(order))
        if uow._execute(_ADD_ORDER, params).rowcount == 0:
            raise AlreadyExists("order", order.id)

    def get(self, order_id: str) -> Order:
        row = self._uow._one(_GET_ORDER, (order_id,))
        if row is None:
            raise NotFound("order", order_id)
        return decode(Order, row[0], order_id)

    def replace(self, order: Order) -> None:
        uow = self._uow
        params = (order.customer_id, order.placed_at, uow._doc(order), order.id)
        if uow._execute(_REPLACE_ORDER, params).rowcount == 0:
            raise NotFound("order", order.id)

    def for_customer(self, customer_id: str) -> list[Order]:
        rows = self._uow._all(_CUSTOMER_ORDERS, (customer_id,))
        return [decode(Order, doc, key) for key, doc in rows]


def _issued(row: tuple[Any, ...]) -> IssuedLine:
    sequence, product_code, issued_at, doc = row
    line = decode(InvoiceLine, doc, f"invoice line {sequence}")
    return IssuedLine(line, product_code, as_utc(issued_at), sequence)


class _Lines:
    """Invoice lines; see :class:`prodlife.ports.InvoiceLineRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, lines: Sequence[InvoiceLine], *, product_code: str, issued_at: datetime) -> None:
        uow = self._uow
        issued_at = as_utc(issued_at)
        rows = [
            (
                line.service_id,
                line.customer_id,
                product_code,
                issued_at,
                line.amount.currency.code,
                line.amount.amount,
                uow._doc(line),
            )
            for line in lines
        ]
        if uow._defers():
            uow._queue.extend(_Write(_ADD_LINE, row) for row in rows)
        elif rows:
            uow._executemany(_ADD_LINE, rows)

    def for_service(self, service_id: str) -> list[IssuedLine]:
        return [_issued(row) for row in self._uow._all(_SERVICE_LINES, (service_id,))]

    def for_customer(self, customer_id: str) -> list[IssuedLine]:
        return [_issued(row) for row in self._uow._all(_CUSTOMER_LINES, (customer_id,))]

    def revenue_by_product(self, start: datetime, end: datetime) -> list[ProductRevenue]:
        rows = self._uow._all(_REVENUE, (as_utc(start), as_utc(end)))
        return [
            ProductRevenue(product, Money(total, currency), count)
            for product, currency, total, count in rows
        ]


def _stored(row: tuple[Any, ...]) -> StoredEvent:
    sequence, published, doc = row
    return StoredEvent(sequence, decode(Event, doc, f"event {sequence}"), published)


class _Events:
    """The event outbox; see :class:`prodlife.ports.EventRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, events: Sequence[Event]) -> None:
        uow = self._uow
        rows = [(event.service_id, uow._doc(event)) for event in events]
        if uow._defers():
            uow._queue.extend(_Write(_ADD_EVENT, row) for row in rows)
        elif rows:
            uow._executemany(_ADD_EVENT, rows)

    def for_service(self, service_id: str) -> list[StoredEvent]:
        return [_stored(row) for row in self._uow._all(_SERVICE_EVENTS, (service_id,))]

    def unpublished(self, limit: int | None = None) -> list[StoredEvent]:
        check_limit(limit)
        if limit is None:
            rows = self._uow._all(_UNPUBLISHED)
        else:
            rows = self._uow._all(_UNPUBLISHED_LIMIT, (max(limit, 0),))
        return [_stored(row) for row in rows]

    def mark_published(self, sequences: Sequence[int]) -> None:
        self._uow._execute(_MARK_PUBLISHED, (list(sequences),))
