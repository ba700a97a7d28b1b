"""Promo code limits under concurrency, on a SQLite file and on PostgreSQL (which skips
without a server): orders placed at once by separate processes never take more uses of a code
than its limits allow.

On PostgreSQL each transaction reads what others committed before each statement (READ
COMMITTED); counting a code's uses locks the promotion's row, so a second order counts only
once the first has committed its use. SQLite's writers take the database's write lock up front.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from prodlife.pricing import Promotion, PromotionKind
from prodlife.stores import open_store
from tests._lifecycle import shop
from tests._support import usd
from tests.stores import _workers
from tests.test_lifecycle_orders import CONTEXT

#: Orders placed at once.
RACERS = 6
NOW = datetime(2025, 2, 1, 12, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """Where a fresh store is: a SQLite file's URL, or PostgreSQL's URL and a schema of the
    test's own. The store is made and stocked with the shop; the test's processes open it."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgresql_url")
        schema: str | None = request.getfixturevalue("postgresql_new_schema")
        store = open_store(url, schema=schema)
    else:
        url, schema = f"sqlite:///{tmp_path / 'billing.db'}", None
        store = open_store(url)
    try:
        shop(store, CONTEXT.plan)
    finally:
        store.close()
    return url, schema


def _race(url: str, schema: str | None, promotion: Promotion, customers: list[str]) -> list[str]:
    """Store ``promotion``; one process per customer places an order with its code at once.
    Returns each order's result, ``placed`` or ``refused``, in the order of ``customers``."""
    store = open_store(url) if schema is None else open_store(url, schema=schema)
    try:
        with store.transaction() as uow:
            uow.promotions.add(promotion)
            uow.commit()
    finally:
        store.close()
    calls = [
        (url, schema, f"O-{n}", customer, promotion.code, NOW)
        for n, customer in enumerate(customers)
    ]
    collected = _workers.spawn(_workers.order_with_code, calls, barrier=True)
    by_order = {result["order"]: result["result"] for result in collected}
    return [by_order[f"O-{n}"] for n in range(len(customers))]


def _stored(url: str, schema: str | None, code: str, customers: list[str]) -> dict[str, Any]:
    store = open_store(url) if schema is None else open_store(url, schema=schema)
    try:
        with store.transaction(readonly=True) as uow:
            return {
                "uses": uow.promotions.uses(code),
                "orders": sum(len(uow.orders.for_customer(c)) for c in sorted(set(customers))),
            }
    finally:
        store.close()


def test_of_six_orders_at_once_only_one_takes_a_code_with_one_use(
    location: tuple[str, str | None],
) -> None:
    url, schema = location
    once = Promotion("ONCE", PromotionKind.FIXED_AMOUNT, usd("3.00"), max_uses=1)
    customers = [f"C-{n}" for n in range(RACERS)]

    results = _race(url, schema, once, customers)

    assert sorted(results) == ["placed"] + ["refused"] * (RACERS - 1)
    assert _stored(url, schema, "ONCE", customers) == {"uses": 1, "orders": 1}


def test_of_six_orders_at_once_by_one_customer_only_one_takes_a_code_once_per_customer(
    location: tuple[str, str | None],
) -> None:
    url, schema = location
    each = Promotion(
        "EACH", PromotionKind.FIXED_AMOUNT, usd("3.00"), max_uses=100, max_uses_per_customer=1
    )
    customers = ["C-1"] * RACERS

    results = _race(url, schema, each, customers)

    assert sorted(results) == ["placed"] + ["refused"] * (RACERS - 1)
    assert _stored(url, schema, "EACH", customers) == {"uses": 1, "orders": 1}
