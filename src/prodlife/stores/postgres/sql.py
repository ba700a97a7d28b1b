"""The PostgreSQL store's statements (constant, so each is prepared once per connection)."""

from __future__ import annotations

from typing import Any, LiteralString, NamedTuple

from prodlife.ports import ServiceQuery
from prodlife.stores.postgres.errors import _About

_ADD_VERSION: LiteralString = (
    "INSERT INTO catalog_versions (name, effective, doc) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
)
_VERSIONS: LiteralString = "SELECT name, doc FROM catalog_versions ORDER BY effective, name"

_ADD_PLAN: LiteralString = (
    "INSERT INTO price_plans (code, doc) VALUES (%s, %s) ON CONFLICT DO NOTHING"
)
_GET_PLAN: LiteralString = "SELECT doc FROM price_plans WHERE code = %s"
_REPLACE_PLAN: LiteralString = "UPDATE price_plans SET doc = %s WHERE code = %s"
_ALL_PLANS: LiteralString = "SELECT code, doc FROM price_plans ORDER BY code"

_ADD_PROMOTION: LiteralString = (
    "INSERT INTO promotions (code_key, code, doc) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
)
_GET_PROMOTION: LiteralString = "SELECT doc FROM promotions WHERE code_key = %s"
_ALL_PROMOTIONS: LiteralString = "SELECT code, doc FROM promotions ORDER BY code"
_ADD_USE: LiteralString = (
    "INSERT INTO promotion_uses (code_key, order_id, customer_id) VALUES (%s, %s, %s) "
    "ON CONFLICT DO NOTHING"
)
_USES: LiteralString = "SELECT count(*) FROM promotion_uses WHERE code_key = %s"
_CUSTOMER_USES: LiteralString = (
    "SELECT count(*) FROM promotion_uses WHERE code_key = %s AND customer_id = %s"
)

_ADD_SERVICE: LiteralString = (
    "INSERT INTO services (id, customer_id, product_code, status, due_on, version, doc) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id"
)
_GET_SERVICE: LiteralString = "SELECT doc FROM services WHERE id = %s"
_GET_SERVICES: LiteralString = "SELECT id, doc FROM services WHERE id = ANY(%s)"
_SAVE_SERVICE: LiteralString = (
    "UPDATE services SET customer_id = %s, product_code = %s, status = %s, due_on = %s, "
    "version = %s, worker = NULL, lease_until = NULL, doc = %s WHERE id = %s AND version = %s "
    "RETURNING id"
)
_SERVICE_VERSION: LiteralString = "SELECT version FROM services WHERE id = %s"
_CLAIM_DUE: LiteralString = (
    "UPDATE services SET worker = %s, lease_until = %s WHERE id IN ("
    "SELECT id FROM services WHERE due_on <= %s AND (lease_until IS NULL OR lease_until <= %s) "
    "ORDER BY due_on, id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id, due_on"
)
_RELEASE: LiteralString = (
    "UPDATE services SET worker = NULL, lease_until = NULL "
    "WHERE id = ANY(%s::text[]) AND worker = %s"
)

_ADD_ORDER: LiteralString = (
    "INSERT INTO orders (id, customer_id, placed_at, doc) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT DO NOTHING"
)
_GET_ORDER: LiteralString = "SELECT doc FROM orders WHERE id = %s"
_REPLACE_ORDER: LiteralString = (
    "UPDATE orders SET customer_id = %s, placed_at = %s, doc = %s WHERE id = %s"
)
_CUSTOMER_ORDERS: LiteralString = (
    "SELECT id, doc FROM orders WHERE customer_id = %s ORDER BY placed_at, id"
)

_ADD_LINE: LiteralString = (
    "INSERT INTO invoice_lines "
    "(service_id, customer_id, product_code, issued_at, currency, amount, doc) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
_SERVICE_LINES: LiteralString = (
    "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
    "WHERE service_id = %s ORDER BY sequence"
)
_CUSTOMER_LINES: LiteralString = (
    "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
    "WHERE customer_id = %s ORDER BY sequence"
)
_REVENUE: LiteralString = (
    "SELECT product_code, currency, sum(amount), count(*) FROM invoice_lines "
    "WHERE issued_at >= %s AND issued_at < %s "
    "GROUP BY product_code, currency ORDER BY product_code, currency"
)

_ADD_EVENT: LiteralString = "INSERT INTO events (service_id, doc) VALUES (%s, %s)"
_SERVICE_EVENTS: LiteralString = (
    "SELECT sequence, published, doc FROM events WHERE service_id = %s ORDER BY sequence"
)
_UNPUBLISHED: LiteralString = (
    "SELECT sequence, published, doc FROM events WHERE NOT published ORDER BY sequence"
)
_UNPUBLISHED_LIMIT: LiteralString = (
    "SELECT sequence, published, doc FROM events WHERE NOT published ORDER BY sequence LIMIT %s"
)
_MARK_PUBLISHED: LiteralString = (
    "UPDATE events SET published = true WHERE sequence = ANY(%s::bigint[]) AND NOT published"
)


class _Write(NamedTuple):
    """A write deferred until the transaction's first read or its commit (parameters ready).

    ``about`` names the service of a checked write: an ``add`` (``expected`` is ``None``)
    fails when its id is taken, a ``save`` when the stored version is not ``expected``;
    ``version`` is the service's version once the write is done. Invoice lines and events
    have no check (``about`` is ``None``).
    """

    query: LiteralString
    params: tuple[Any, ...]
    about: _About | None = None
    version: int = 0


def _where(query: ServiceQuery) -> tuple[LiteralString, list[Any]]:
    clauses: list[LiteralString] = []
    params: list[Any] = []
    if query.customer_id is not None:
        clauses.append("customer_id = %s")
        params.append(query.customer_id)
    if query.product_code is not None:
        clauses.append("product_code = %s")
        params.append(query.product_code)
    if query.status is not None:
        clauses.append("status = %s")
        params.append(query.status.value)
    if query.due_on_or_before is not None:
        clauses.append("due_on <= %s")
        params.append(query.due_on_or_before)
    if query.after_id is not None:
        clauses.append("id > %s")
        params.append(query.after_id)
    if not clauses:
        return "", params
    return " WHERE " + " AND ".join(clauses), params
