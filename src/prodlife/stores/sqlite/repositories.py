"""The SQLite store's repositories but one: services live in their own module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from prodlife.billing.lines import InvoiceLine
from prodlife.catalog.catalog import CatalogVersion, CatalogVersions
from prodlife.errors import NotFound, ValidationError
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.orders import Order
from prodlife.money import CONTEXT, Money
from prodlife.ports import IssuedLine, ProductRevenue, StoredEvent, check_limit
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion
from prodlife.stores._documents import dumps, loads
from prodlife.stores.sqlite.sql import (
    _CATALOG_ADD,
    _CATALOG_ALL,
    _EVENT_ADD,
    _EVENT_FOR_SERVICE,
    _EVENT_PUBLISH,
    _EVENT_UNPUBLISHED,
    _LINE_ADD,
    _LINE_FOR_CUSTOMER,
    _LINE_FOR_SERVICE,
    _ORDER_ADD,
    _ORDER_FOR,
    _ORDER_GET,
    _ORDER_REPLACE,
    _PLAN_ADD,
    _PLAN_ALL,
    _PLAN_GET,
    _PLAN_REPLACE,
    _PROMOTION_ADD,
    _PROMOTION_ALL,
    _PROMOTION_CODE,
    _PROMOTION_GET,
    _REVENUE,
    _USE_ADD,
    _USES,
    _USES_BY,
    _instant,
    _sliced,
    _sql_limit,
)

if TYPE_CHECKING:
    from prodlife.stores.sqlite.unit_of_work import SQLiteUnitOfWork


class _Catalog:
    """Catalog versions, decoded once per store: a version is never changed once stored."""

    __slots__ = ("_cache", "_uow")

    def __init__(self, uow: SQLiteUnitOfWork, cache: dict[str, tuple[str, CatalogVersion]]) -> None:
        self._uow = uow
        self._cache = cache

    def add_version(self, version: CatalogVersion) -> None:
        if not isinstance(version, CatalogVersion):
            raise ValidationError(f"{version!r} is not a CatalogVersion; pass one")
        self._uow.connection()
        doc = dumps(version)
        self._uow.insert(
            _CATALOG_ADD,
            (version.name, version.effective.isoformat(), doc),
            "catalog version",
            version.name,
        )

    def versions(self) -> CatalogVersions:
        rows = self._uow.rows(_CATALOG_ALL, (), "reading the catalog versions")
        if not rows:
            raise NotFound("catalog version", "any", "add one with uow.catalog.add_version()")
        cache = self._cache
        found = []
        for name, doc in rows:
            cached = cache.get(name)
            if cached is None or cached[0] != doc:
                cached = (doc, loads(CatalogVersion, doc, name))
                cache[name] = cached
            found.append(cached[1])
        return CatalogVersions(tuple(found))


class _PricePlans:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, plan: PricePlan) -> None:
        self._uow.connection()
        self._uow.insert(_PLAN_ADD, (plan.code, dumps(plan)), "price plan", plan.code)

    def get(self, code: str) -> PricePlan:
        row = self._uow.one(_PLAN_GET, (code,), f"reading the price plan {code!r}")
        if row is None:
            raise NotFound("price plan", code)
        return loads(PricePlan, row[0], code)

    def replace(self, plan: PricePlan) -> None:
        self._uow.connection()
        where = f"replacing the price plan {plan.code!r}"
        if not self._uow.change(_PLAN_REPLACE, (dumps(plan), plan.code), where):
            raise NotFound("price plan", plan.code)

    def all(self) -> list[PricePlan]:
        rows = self._uow.rows(_PLAN_ALL, (), "reading the price plans")
        return [loads(PricePlan, doc, code) for code, doc in rows]


class _Promotions:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, promotion: Promotion) -> None:
        self._uow.connection()
        code = promotion.code
        self._uow.insert(_PROMOTION_ADD, (code.upper(), code, dumps(promotion)), "promotion", code)

    def get(self, code: str) -> Promotion:
        row = self._uow.one(_PROMOTION_GET, (code.upper(),), f"reading the promotion {code!r}")
        if row is None:
            raise NotFound("promotion", code)
        return loads(Promotion, row[0], code)

    def all(self) -> list[Promotion]:
        rows = self._uow.rows(_PROMOTION_ALL, (), "reading the promotions")
        return [loads(Promotion, doc, code) for code, doc in rows]

    def record_use(self, code: str, customer_id: str, order_id: str) -> None:
        key = code.upper()
        row = self._uow.one(_PROMOTION_CODE, (key,), f"reading the promotion {code!r}")
        if row is None:
            raise NotFound("promotion", code)
        self._uow.insert(
            _USE_ADD,
            (key, order_id, customer_id),
            "use of promotion on order",
            f"{row[0]} on {order_id}",
        )

    def uses(self, code: str, customer_id: str | None = None) -> int:
        where = f"counting the uses of the promotion {code!r}"
        if customer_id is None:
            row = self._uow.one(_USES, (code.upper(),), where)
        else:
            row = self._uow.one(_USES_BY, (code.upper(), customer_id), where)
        return int(row[0])


class _Orders:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, order: Order) -> None:
        self._uow.connection()
        self._uow.insert(
            _ORDER_ADD,
            (order.id, order.customer_id, _instant(order.placed_at), dumps(order)),
            "order",
            order.id,
        )

    def get(self, order_id: str) -> Order:
        row = self._uow.one(_ORDER_GET, (order_id,), f"reading the order {order_id!r}")
        if row is None:
            raise NotFound("order", order_id)
        return loads(Order, row[0], order_id)

    def replace(self, order: Order) -> None:
        self._uow.connection()
        changed = self._uow.change(
            _ORDER_REPLACE,
            (order.customer_id, _instant(order.placed_at), dumps(order), order.id),
            f"replacing the order {order.id!r}",
        )
        if not changed:
            raise NotFound("order", order.id)

    def for_customer(self, customer_id: str) -> list[Order]:
        rows = self._uow.rows(_ORDER_FOR, (customer_id,), "reading a customer's orders")
        return [loads(Order, doc, key) for key, doc in rows]


def _issued(rows: list[Any]) -> list[IssuedLine]:
    return [
        IssuedLine(loads(InvoiceLine, doc, sequence), product, datetime.fromisoformat(at), sequence)
        for sequence, product, at, doc in rows
    ]


class _Lines:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, lines: Sequence[InvoiceLine], *, product_code: str, issued_at: datetime) -> None:
        uow = self._uow
        uow.writable()
        at = _instant(issued_at)
        rows = [
            (
                line.service_id,
                line.customer_id,
                product_code,
                at,
                line.amount.currency.code,
                str(line.amount.amount),
                dumps(line),
            )
            for line in lines
        ]
        uow.defer(lambda: uow.changes(_LINE_ADD, rows, "storing invoice lines"))

    def for_service(self, service_id: str) -> list[IssuedLine]:
        return _issued(
            self._uow.rows(_LINE_FOR_SERVICE, (service_id,), "reading a service's invoice lines")
        )

    def for_customer(self, customer_id: str) -> list[IssuedLine]:
        return _issued(
            self._uow.rows(_LINE_FOR_CUSTOMER, (customer_id,), "reading a customer's invoice lines")
        )

    def revenue_by_product(self, start: datetime, end: datetime) -> list[ProductRevenue]:
        rows = self._uow.rows(
            _REVENUE, (_instant(start), _instant(end)), "adding up revenue by product"
        )
        sums: dict[tuple[str, str], list[Any]] = {}
        add = CONTEXT.add
        for product, currency, amount in rows:
            total = sums.get((product, currency))
            if total is None:
                sums[(product, currency)] = [add(Decimal(0), Decimal(amount)), 1]
            else:
                total[0] = add(total[0], Decimal(amount))
                total[1] += 1
        return [
            ProductRevenue(product, Money(total, currency), count)
            for (product, currency), (total, count) in sorted(sums.items())
        ]


class _Events:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, events: Sequence[Event]) -> None:
        uow = self._uow
        uow.writable()
        rows = [(event.service_id, dumps(event)) for event in events]
        uow.defer(lambda: uow.changes(_EVENT_ADD, rows, "storing events"))

    def for_service(self, service_id: str) -> list[StoredEvent]:
        rows = self._uow.rows(_EVENT_FOR_SERVICE, (service_id,), "reading a service's events")
        return [
            StoredEvent(sequence, loads(Event, doc, sequence), bool(published))
            for sequence, published, doc in rows
        ]

    def unpublished(self, limit: int | None = None) -> list[StoredEvent]:
        check_limit(limit)
        rows = self._uow.rows(
            _EVENT_UNPUBLISHED, (_sql_limit(limit),), "reading unpublished events"
        )
        found = [StoredEvent(sequence, loads(Event, doc, sequence)) for sequence, doc in rows]
        return _sliced(found, limit)

    def mark_published(self, sequences: Sequence[int]) -> None:
        self._uow.changes(
            _EVENT_PUBLISH, [(sequence,) for sequence in sequences], "marking events published"
        )
