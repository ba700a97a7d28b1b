"""The PostgreSQL store's schema: its own (frozen) migrations, then the ones every database
shares, applied under an advisory lock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from prodlife.errors import StoreError
from prodlife.stores.sql.schema import (
    MIGRATIONS,
    check_not_foreign,
    current_version,
    migrate,
    render,
)

if TYPE_CHECKING:
    from prodlife.stores.postgres.dialect import PostgresDialect


#: PostgreSQL's own migrations, as released versions wrote them: frozen. New ones go in
#: :data:`prodlife.stores.sql.schema.MIGRATIONS`, written once for every database.
_OWN: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE catalog_versions (
            name text COLLATE "C" PRIMARY KEY,
            effective date NOT NULL,
            doc jsonb NOT NULL)""",
        """CREATE TABLE price_plans (
            code text COLLATE "C" PRIMARY KEY,
            doc jsonb NOT NULL)""",
        """CREATE TABLE promotions (
            code_key text COLLATE "C" PRIMARY KEY,
            code text COLLATE "C" NOT NULL,
            doc jsonb NOT NULL)""",
        """CREATE TABLE promotion_uses (
            code_key text COLLATE "C" NOT NULL,
            order_id text COLLATE "C" NOT NULL,
            customer_id text COLLATE "C" NOT NULL,
            PRIMARY KEY (code_key, order_id))""",
        "CREATE INDEX promotion_uses_by_customer ON promotion_uses (code_key, customer_id)",
        """CREATE TABLE services (
            id text COLLATE "C" PRIMARY KEY,
            customer_id text COLLATE "C" NOT NULL,
            product_code text COLLATE "C" NOT NULL,
            status text NOT NULL,
            due_on date,
            version integer NOT NULL,
            worker text,
            lease_until timestamptz,
            doc jsonb NOT NULL)""",
        "CREATE INDEX services_by_customer ON services (customer_id, id)",
        "CREATE INDEX services_by_product ON services (product_code, id)",
        "CREATE INDEX services_by_status ON services (status, id)",
        "CREATE INDEX services_by_due_on ON services (due_on, id) WHERE due_on IS NOT NULL",
        """CREATE TABLE orders (
            id text COLLATE "C" PRIMARY KEY,
            customer_id text COLLATE "C" NOT NULL,
            placed_at timestamptz NOT NULL,
            doc jsonb NOT NULL)""",
        "CREATE INDEX orders_by_customer ON orders (customer_id, placed_at, id)",
        """CREATE TABLE invoice_lines (
            sequence bigserial PRIMARY KEY,
            service_id text COLLATE "C" NOT NULL,
            customer_id text COLLATE "C" NOT NULL,
            product_code text COLLATE "C" NOT NULL,
            issued_at timestamptz NOT NULL,
            currency text COLLATE "C" NOT NULL,
            amount numeric NOT NULL,
            doc jsonb NOT NULL)""",
        "CREATE INDEX invoice_lines_by_service ON invoice_lines (service_id, sequence)",
        "CREATE INDEX invoice_lines_by_customer ON invoice_lines (customer_id, sequence)",
        "CREATE INDEX invoice_lines_by_issued_at ON invoice_lines (issued_at)",
        """CREATE TABLE events (
            sequence bigserial PRIMARY KEY,
            service_id text COLLATE "C" NOT NULL,
            published boolean NOT NULL DEFAULT false,
            doc jsonb NOT NULL)""",
        "CREATE INDEX events_by_service ON events (service_id, sequence)",
        "CREATE INDEX events_unpublished ON events (sequence) WHERE NOT published",
    ),
)

#: How PostgreSQL writes the column types of the shared migrations.
TYPES: Final = {
    "key": 'text COLLATE "C"',
    "text": "text",
    "integer": "integer",
    "flag": "boolean",
    "date": "date",
    "instant": "timestamptz",
    "amount": "numeric",
    "doc": "jsonb",
    "bytes": "bytea",
    "sequence": "bigserial PRIMARY KEY",
    "false": "false",
    "true": "true",
    "compact": "",
    "doc_line_type": "doc->>'type'",
    "doc_cancellation": "doc->>'cancellation'",
    "doc_bundle_id": "doc->>'bundle_id'",
}

#: The forward migrations, in order: applying ``_MIGRATIONS[n - 1]`` takes the
#: schema from version ``n - 1`` to ``n``.
_MIGRATIONS: tuple[tuple[str, ...], ...] = _OWN + render(MIGRATIONS, TYPES)

#: The schema version this prodlife creates and reads.
SCHEMA_VERSION: Final = len(_MIGRATIONS)

VERSION_TABLE: Final = "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"

_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = %s"


def tables(cursor: Any, schema: str) -> set[str]:
    """The names of the tables in ``schema``."""
    return {name for (name,) in cursor.execute(_TABLES, (schema,)).fetchall()}


def prepare(
    dialect: PostgresDialect,
    connection: Any,
    given: str | None,
    prepare: bool,
    allow_foreign_tables: bool = False,
) -> None:
    """Create or migrate the tables to :data:`SCHEMA_VERSION`, in one transaction.

    ``given`` is the store's ``schema`` option (created when missing; ``None``: the
    connection's current schema); ``prepare`` is the store's option, whose prepare
    threshold the connection gets back afterwards. Stores opening together wait for
    each other on an advisory lock named after the schema. A schema holding other
    tables and no ``schema_version`` is refused unless ``allow_foreign_tables``.
    """
    from psycopg import sql

    cursor = connection.cursor()
    connection.prepare_threshold = None  # run once: not worth keeping prepared
    where = "opening the store"
    try:
        schema = given
        if schema is None:
            row = cursor.execute("SELECT current_schema()").fetchone()
            schema = None if row is None else row[0]
            if schema is None:
                raise StoreError(
                    "no schema to create prodlife's tables in: the connection's search_path "
                    "names none that exists; pass schema='...' or create one"
                )
        where = f"opening the PostgreSQL schema {schema!r}"
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"prodlife:{schema}",))
        if given is not None:
            found = cursor.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
            ).fetchone()
            if found is None:
                cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        names = tables(cursor, schema)
        place = f"the PostgreSQL schema {schema!r}"
        fix = "open the store in a schema of its own (schema='billing')"
        check_not_foreign(names, allow_foreign_tables, place, fix)
        known = SCHEMA_VERSION
        version = current_version(cursor, "schema_version" in names, known, place)
        migrate(cursor, dialect.render, VERSION_TABLE, version, _MIGRATIONS, known)
        connection.commit()
    except dialect.error as error:
        raise dialect.translate(error, connection, where) from error
    finally:
        cursor.close()
        connection.prepare_threshold = 0 if prepare else None
