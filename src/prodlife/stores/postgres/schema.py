"""The PostgreSQL store's schema: its forward migrations, and how a database is migrated."""

from __future__ import annotations

from typing import TYPE_CHECKING, LiteralString

from prodlife.errors import StoreError
from prodlife.stores.postgres.errors import _translate

if TYPE_CHECKING:
    from prodlife.stores.postgres.unit_of_work import _Connection


#: The forward migrations, in order: applying ``_MIGRATIONS[n - 1]`` takes the
#: schema from version ``n - 1`` to ``n``. Append new ones; never edit old ones.
_MIGRATIONS: tuple[tuple[LiteralString, ...], ...] = (
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

#: The schema version this prodlife creates and reads.
SCHEMA_VERSION = len(_MIGRATIONS)


def migrate(connection: _Connection, given: str | None, prepare: bool) -> None:
    """Create or migrate the tables to :data:`SCHEMA_VERSION`, in one transaction.

    ``given`` is the store's ``schema`` option (created when missing; ``None``: the
    connection's current schema); ``prepare`` is the store's option, whose prepare
    threshold the connection gets back afterwards.
    """
    import psycopg
    from psycopg import sql

    cursor = connection.cursor()
    connection.prepare_threshold = None  # run once: not worth keeping prepared
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
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"prodlife:{schema}",))
        if given is not None:
            found = cursor.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
            ).fetchone()
            if found is None:
                cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        found = cursor.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'schema_version'",
            (schema,),
        ).fetchone()
        if found is None:
            cursor.execute("CREATE TABLE schema_version (version integer NOT NULL)")
        row = cursor.execute("SELECT max(version) FROM schema_version").fetchone()
        current = 0 if row is None or row[0] is None else int(row[0])
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the database schema {schema!r} is at version {current}, newer than this "
                f"prodlife knows (version {SCHEMA_VERSION}): a newer prodlife migrated it; "
                "upgrade prodlife to use it"
            )
        for migration in _MIGRATIONS[current:]:
            for statement in migration:
                cursor.execute(statement)
        if current < SCHEMA_VERSION:
            cursor.execute("DELETE FROM schema_version")
            cursor.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION,))
        connection.commit()
    except psycopg.Error as error:
        raise _translate(error, broken=connection.broken) from error
    finally:
        cursor.close()
        connection.prepare_threshold = 0 if prepare else None
