"""The SQLite store's statements, and how values become their columns.

The SQL is constant text, so sqlite3's statement cache prepares each statement once.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from functools import cache
from typing import Any, Final

from prodlife.clock import as_utc

#: ``UPDATE ... RETURNING`` arrived in SQLite 3.35.0; older libraries claim in two steps.
_HAS_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)

# --- SQL (constant strings, so sqlite3's statement cache prepares each once) ---------------------

_CATALOG_ADD = "INSERT INTO catalog_versions (name, effective, doc) VALUES (?, ?, ?)"
_CATALOG_ALL = "SELECT name, doc FROM catalog_versions ORDER BY rowid"

_PLAN_ADD = "INSERT INTO price_plans (code, doc) VALUES (?, ?)"
_PLAN_GET = "SELECT doc FROM price_plans WHERE code = ?"
_PLAN_REPLACE = "UPDATE price_plans SET doc = ? WHERE code = ?"
_PLAN_ALL = "SELECT code, doc FROM price_plans ORDER BY code"

_PROMOTION_ADD = "INSERT INTO promotions (code_key, code, doc) VALUES (?, ?, ?)"
_PROMOTION_GET = "SELECT doc FROM promotions WHERE code_key = ?"
_PROMOTION_CODE = "SELECT code FROM promotions WHERE code_key = ?"
_PROMOTION_ALL = "SELECT code, doc FROM promotions ORDER BY code"
_USE_ADD = "INSERT INTO promotion_uses (code_key, order_id, customer_id) VALUES (?, ?, ?)"
_USES = "SELECT count(*) FROM promotion_uses WHERE code_key = ?"
_USES_BY = "SELECT count(*) FROM promotion_uses WHERE code_key = ? AND customer_id = ?"

_SERVICE_ADD = (
    "INSERT INTO services (id, customer_id, product_code, status, due_on, version, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SERVICE_GET = "SELECT doc FROM services WHERE id = ?"
_SERVICE_MANY_PREFIX = "SELECT id, doc FROM services WHERE id IN ("
#: Ids read per statement by ``get_many`` (under SQLite's oldest limit of 999 parameters).
_MANY = 500
_SERVICE_SAVE = (
    "UPDATE services SET customer_id = ?, product_code = ?, status = ?, due_on = ?, "
    "version = ?, worker = NULL, lease_until = NULL, doc = ? WHERE id = ? AND version = ?"
)
#: A save that keeps the customer, product and status (a renewal invoice, most saves) leaves
#: their indexes alone; SQLite rewrites an index whenever its column is SET, even unchanged.
_SERVICE_SAVE_SAME = (
    "UPDATE services SET due_on = ?, version = ?, worker = NULL, lease_until = NULL, doc = ? "
    "WHERE id = ? AND version = ? AND customer_id = ? AND product_code = ? AND status = ?"
)
_SERVICE_VERSION = "SELECT version FROM services WHERE id = ?"
_CLAIM_FREE = (
    "SELECT id FROM services WHERE due_on IS NOT NULL AND due_on <= ? "
    "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_on, id LIMIT ?"
)
_CLAIM = (
    "UPDATE services SET worker = ?, lease_until = ? WHERE id IN (" + _CLAIM_FREE + ") "
    "RETURNING id, due_on"
)
_CLAIM_ONE = "UPDATE services SET worker = ?, lease_until = ? WHERE id = ?"
_RELEASE = "UPDATE services SET worker = NULL, lease_until = NULL WHERE id = ? AND worker = ?"

_ORDER_ADD = "INSERT INTO orders (id, customer_id, placed_at, doc) VALUES (?, ?, ?, ?)"
_ORDER_GET = "SELECT doc FROM orders WHERE id = ?"
_ORDER_REPLACE = "UPDATE orders SET customer_id = ?, placed_at = ?, doc = ? WHERE id = ?"
_ORDER_FOR = "SELECT id, doc FROM orders WHERE customer_id = ? ORDER BY placed_at, id"

_LINE_ADD = (
    "INSERT INTO invoice_lines "
    "(service_id, customer_id, product_code, issued_at, currency, amount, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_LINE_FOR_SERVICE = (
    "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
    "WHERE service_id = ? ORDER BY sequence"
)
_LINE_FOR_CUSTOMER = (
    "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
    "WHERE customer_id = ? ORDER BY sequence"
)
_REVENUE = (
    "SELECT product_code, currency, amount FROM invoice_lines "
    "WHERE issued_at >= ? AND issued_at < ?"
)

_EVENT_ADD = "INSERT INTO events (service_id, doc) VALUES (?, ?)"
_EVENT_FOR_SERVICE = (
    "SELECT sequence, published, doc FROM events WHERE service_id = ? ORDER BY sequence"
)
_EVENT_UNPUBLISHED = (
    "SELECT sequence, doc FROM events WHERE published = 0 ORDER BY sequence LIMIT ?"
)
_EVENT_PUBLISH = "UPDATE events SET published = 1 WHERE sequence = ? AND published = 0"

#: The filters of a :class:`ServiceQuery`, in the order :func:`_find_sql` adds them.
_FILTERS: Final = (
    "customer_id = ?",
    "product_code = ?",
    "status = ?",
    "due_on IS NOT NULL AND due_on <= ?",
    "id > ?",
)


@cache
def _find_sql(used: tuple[bool, ...], count: bool) -> str:
    """The (constant) SQL of a service query with these filters, built once per shape."""
    where = " AND ".join(clause for clause, on in zip(_FILTERS, used, strict=True) if on)
    condition = f" WHERE {where}" if where else ""
    if count:
        return f"SELECT count(*) FROM services{condition}"
    return f"SELECT id, doc FROM services{condition} ORDER BY id LIMIT ?"


# --- values <-> columns --------------------------------------------------------------------------


def _instant(value: datetime) -> str:
    """``value`` as fixed-width UTC ISO text, so text order is time order."""
    return as_utc(value).isoformat(timespec="microseconds")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sql_limit(limit: int | None) -> int:
    """The ``LIMIT`` for ``limit``: -1 (none) for ``None`` and negatives (sliced afterwards)."""
    return -1 if limit is None or limit < 0 else limit


def _sliced(found: list[Any], limit: int | None) -> list[Any]:
    """What the reference store's ``items[:limit]`` keeps of everything found, for negatives."""
    return found[:limit] if limit is not None and limit < 0 else found
