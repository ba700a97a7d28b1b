"""The SQL of every repository, written once and rendered for one dialect.

Statements are written with ``?`` placeholders and rendered by
:meth:`~prodlife.stores.sql.dialect.Dialect.render` when a store opens; the few
clauses a database says its own way come from its dialect. Every value is a
bound parameter; only placeholders and the dialect's fixed clauses are joined
into the text. The columns are those of the tables in the migrations
(:mod:`prodlife.stores.sqlite.schema`, :mod:`prodlife.stores.postgres.schema`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prodlife.stores.sql.dialect import Dialect, Query

__all__ = ["Statements"]

#: The filters of a :class:`~prodlife.ports.ServiceQuery`, in the order :meth:`Statements.find`
#: binds them: customer, product, status, due on or before, after id, bundle; then the two
#: that bind nothing: a cancellation pending (as the index ``services_cancelling`` says), none
#: pending.
_FILTERS = (
    "customer_id = ?",
    "product_code = ?",
    "status = ?",
    "id IN (SELECT service_id FROM schedule WHERE due_on IS NOT NULL AND due_on <= ?)",
    "id > ?",
    "bundle_id = ?",
    "cancelling",
    "NOT cancelling",
)

_SERVICE_COLUMNS = "id, customer_id, product_code, status, cancelling, bundle_id, version, doc"
_LINE_COLUMNS = "service_id, customer_id, product_code, issued_at, currency, amount, doc, line_type"


class Statements:
    """Every statement of the SQL stores, in one dialect's text (made once per store)."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._found: dict[tuple[tuple[bool, ...], bool], str] = {}
        r = dialect.render
        ignore, returning = dialect.ignore_duplicates, dialect.returning_id
        false, true = dialect.false, dialect.true

        self.catalog_add = r(
            "INSERT INTO catalog_versions (name, effective, doc) VALUES (?, ?, ?)" + ignore
        )
        self.catalog_names = r("SELECT name FROM catalog_versions ORDER BY effective, name")
        self.catalog_withdraw = r("DELETE FROM catalog_versions WHERE name = ?")
        self.catalog_withdrawn_add = r(
            "INSERT INTO catalog_withdrawn (name, effective) VALUES (?, ?)" + ignore
        )
        self.catalog_withdrawn = r("SELECT 1 FROM catalog_withdrawn WHERE name = ?")
        self.catalog_doc_bytes = r(
            f"SELECT {dialect.doc_bytes} FROM catalog_versions WHERE name = ?"
        )
        self.catalog_form_add = r("INSERT INTO catalog_forms (name, digest, form) VALUES (?, ?, ?)")
        self.catalog_form_drop = r("DELETE FROM catalog_forms WHERE name = ?")

        self.plan_add = r("INSERT INTO price_plans (code, doc) VALUES (?, ?)" + ignore)
        self.plan_get = r("SELECT doc FROM price_plans WHERE code = ?")
        self.plan_replace = r("UPDATE price_plans SET doc = ? WHERE code = ?")
        self.plan_all = r("SELECT code, doc FROM price_plans ORDER BY code")

        self.offering_add = r(
            "INSERT INTO reseller_offerings (reseller, doc) VALUES (?, ?)" + ignore
        )
        self.offering_get = r("SELECT doc FROM reseller_offerings WHERE reseller = ?")
        self.offering_replace = r("UPDATE reseller_offerings SET doc = ? WHERE reseller = ?")
        self.offering_all = r("SELECT reseller, doc FROM reseller_offerings ORDER BY reseller")

        self.promotion_add = r(
            "INSERT INTO promotions (code_key, code, doc) VALUES (?, ?, ?)" + ignore
        )
        self.promotion_get = r("SELECT doc FROM promotions WHERE code_key = ?")
        self.promotion_lock = r(
            "SELECT code FROM promotions WHERE code_key = ?" + dialect.lock_rows
        )
        self.promotion_all = r("SELECT code, doc FROM promotions ORDER BY code")
        self.use_add = r(
            "INSERT INTO promotion_uses (code_key, order_id, customer_id) VALUES (?, ?, ?)" + ignore
        )
        self.uses = r("SELECT count(*) FROM promotion_uses WHERE code_key = ?")
        self.uses_by = r(
            "SELECT count(*) FROM promotion_uses WHERE code_key = ? AND customer_id = ?"
        )

        #: Parameters: id, customer, product, status, cancellation pending, version, document.
        self.service_add: Query = (
            r(f"INSERT INTO services ({_SERVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            + ignore
            + returning,
        )
        self.service_get = r("SELECT doc FROM services WHERE id = ?")
        self.service_version = r("SELECT version FROM services WHERE id = ?")
        #: Parameters: customer, product, status, cancellation pending, version, document, id,
        #: expected version.
        self.service_save: Query = self._save(returning)

        # A service's history, one row an entry, numbered from 1; an entry already kept
        # (a save of a service that still held it) is not written again.
        self.history_add: Query = (
            r(
                "INSERT INTO service_history (service_id, number, doc) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING"
            ),
        )
        self.history_for = r(
            "SELECT number, doc FROM service_history WHERE service_id = ? ORDER BY number"
        )

        # The schedule: when each service is next due, and the scheduler's claim on it, in a
        # row of their own, so that claiming and releasing never rewrite the service's row.
        #: Parameters: id, due on.
        self.schedule_add: Query = (r("INSERT INTO schedule (service_id, due_on) VALUES (?, ?)"),)
        #: Parameters: due on, worker, worker, id. The claim is dropped only when the saving
        #: worker holds it (``worker = ?`` is never true for ``NULL``, a save naming none).
        self.schedule_save: Query = (
            r(
                "UPDATE schedule SET due_on = ?, "
                "worker = CASE WHEN worker = ? THEN NULL ELSE worker END, "
                "lease_until = CASE WHEN worker = ? THEN NULL ELSE lease_until END "
                "WHERE service_id = ?"
            ),
        )
        self.claim_free = r(
            "SELECT service_id FROM schedule WHERE due_on IS NOT NULL AND due_on <= ? "
            "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_on, service_id LIMIT ?"
            + dialect.skip_locked
        )
        self.claim = (
            r("UPDATE schedule SET worker = ?, lease_until = ? WHERE service_id IN (")
            + self.claim_free
            + ") RETURNING service_id, due_on"
        )
        self.claim_one = r("UPDATE schedule SET worker = ?, lease_until = ? WHERE service_id = ?")

        self.order_add = r(
            "INSERT INTO orders (id, customer_id, placed_at, doc) VALUES (?, ?, ?, ?)" + ignore
        )
        self.order_get = r("SELECT doc FROM orders WHERE id = ?")
        self.order_replace = r(
            "UPDATE orders SET customer_id = ?, placed_at = ?, doc = ? WHERE id = ?"
        )
        self.order_for = r(
            "SELECT id, doc FROM orders WHERE customer_id = ? ORDER BY placed_at, id"
        )

        self.line_add: Query = (
            r(f"INSERT INTO invoice_lines ({_LINE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        )
        self.line_for_service = r(
            "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
            "WHERE service_id = ? ORDER BY sequence"
        )
        self.line_for_customer = r(
            "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
            "WHERE customer_id = ? ORDER BY sequence"
        )
        self.revenue = r(
            f"SELECT product_code, currency, {dialect.exact_sum}(amount), count(*) "
            "FROM invoice_lines WHERE issued_at >= ? AND issued_at < ? AND line_type <> 'tax' "
            "GROUP BY product_code, currency ORDER BY product_code, currency"
        )

        self.event_add: Query = (r("INSERT INTO events (service_id, doc) VALUES (?, ?)"),)
        self.event_for_service = r(
            "SELECT sequence, published, doc FROM events WHERE service_id = ? ORDER BY sequence"
        )
        self.event_unpublished = r(
            f"SELECT sequence, doc FROM events WHERE published = {false} ORDER BY sequence LIMIT ?"
        )
        self._publish = f"UPDATE events SET published = {true} WHERE published = {false} AND "

        #: Parameters: started, file name, definition name, created, updated, failed, document.
        self.sync_run_add = r(
            "INSERT INTO sync_runs (started, file_name, definition, created, updated, failed, doc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        self.sync_run_get = r("SELECT doc FROM sync_runs WHERE id = ?")
        self.sync_run_recent = r(
            "SELECT id, doc FROM sync_runs ORDER BY started DESC, id DESC LIMIT ?"
        )

    def _save(self, returning: str) -> Query:
        """The statements of a save, tried in turn (see ``Dialect.save_same_first``)."""
        full = self._dialect.render(
            "UPDATE services SET customer_id = ?, product_code = ?, status = ?, "
            "cancelling = ?, bundle_id = ?, version = ?, doc = ? WHERE id = ? AND version = ?"
        )
        if not self._dialect.save_same_first:
            return (full + returning,)
        # The same parameters, numbered: a save that keeps the customer, product, status,
        # cancellation and bundle (a renewal, most saves) leaves their columns, and so their
        # indexes, alone.
        same = (
            "UPDATE services SET version = ?6, doc = ?7 WHERE id = ?8 AND version = ?9 "
            "AND customer_id = ?1 AND product_code = ?2 AND status = ?3 AND cancelling = ?4 "
            "AND bundle_id IS ?5"
        )
        return (same + returning, full + returning)

    def find(self, used: tuple[bool, ...], count: bool) -> str:
        """A service query with the filters ``used`` (see ``_FILTERS``), built once per shape.

        Its parameters are the used filters' values, then (unless ``count``) the limit.
        """
        key = (used, count)
        sql = self._found.get(key)
        if sql is None:
            where = " AND ".join(clause for clause, on in zip(_FILTERS, used, strict=True) if on)
            condition = f" WHERE {where}" if where else ""
            text = (
                f"SELECT count(*) FROM services{condition}"
                if count
                else f"SELECT id, doc FROM services{condition} ORDER BY id LIMIT ?"
            )
            sql = self._found[key] = self._dialect.render(text)
        return sql

    def catalog_docs(self, count: int) -> str:
        """The documents (as UTF-8 bytes) of the catalog versions whose name is one of
        ``count`` values, each with its compact form and the digest it was kept with (or
        nulls)."""
        return (
            f"SELECT name, {self._dialect.doc_bytes}, digest, form FROM catalog_versions "
            "LEFT JOIN catalog_forms USING (name) WHERE "
            + self._dialect.in_list("name", "text", count)
        )

    def services_in(self, count: int) -> str:
        """The services whose id is one of ``count`` values."""
        return "SELECT id, doc FROM services WHERE " + self._dialect.in_list("id", "text", count)

    def release(self, count: int) -> str:
        """Drop one worker's claims (parameters: the worker, then the ids)."""
        return self._dialect.render(
            "UPDATE schedule SET worker = NULL, lease_until = NULL WHERE worker = ? AND "
        ) + self._dialect.in_list("service_id", "text", count)

    def publish(self, count: int) -> str:
        """Mark ``count`` events published."""
        return self._publish + self._dialect.in_list("sequence", "bigint", count)
