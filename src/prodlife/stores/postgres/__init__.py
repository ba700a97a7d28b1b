"""The PostgreSQL store: prodlife's aggregates in a PostgreSQL database, through psycopg 3.

Open it with ``open_store("postgresql://user@host/dbname")`` or
``PostgresStore(url, schema="billing")``; psycopg comes with the ``postgres``
extra (``pip install 'prodlife[postgres]'``) and is imported only when a store
opens, so ``import prodlife`` works without it. It is the SQL layer
(:mod:`prodlife.stores.sql`) with PostgreSQL's dialect
(:mod:`prodlife.stores.postgres.dialect`): what follows is what PostgreSQL
does its own way.

Schema
    Every aggregate is a ``jsonb`` document (:mod:`prodlife.stores._documents`)
    next to the columns its queries need: ``catalog_versions(name, effective)``
    (one version per effective date) with ``catalog_forms(name, digest, form)``,
    ``price_plans(code)``, ``promotions(code_key, code)`` with
    ``promotion_uses(code_key, order_id, customer_id)``, ``services(id,
    customer_id, product_code, status, cancelling, bundle_id, version)`` (each service at
    rest, its
    history in ``service_history(service_id, number)``, one row an entry),
    ``schedule(service_id, due_on, worker, lease_until)`` (when each service is
    next due, and the scheduler's claim on it),
    ``orders(id, customer_id, placed_at)``, ``invoice_lines(sequence,
    service_id, customer_id, product_code, issued_at, currency, amount
    numeric)`` and ``events(sequence, service_id, published)``. Keys and codes
    use the ``"C"`` collation, so ids sort the way Python sorts them, whatever
    the database's locale. The store creates and migrates the tables when it
    opens: ``schema_version`` holds the version, and the forward migrations
    run in one transaction under ``pg_advisory_xact_lock``, so processes
    opening the store together wait for each other instead of racing. A
    database migrated by a newer prodlife is refused with
    :class:`~prodlife.errors.StoreError`. With ``schema=`` every table lives in
    that PostgreSQL schema (created when missing; each connection's
    ``search_path`` names it).

Isolation
    Each transaction runs on a connection of its own (idle connections are
    kept in a small pool), in an explicit transaction at READ COMMITTED:
    every statement sees what was committed before it started. Reads are
    plain ``SELECT`` s; writes are protected by versions: saving a service is
    ``UPDATE ... WHERE id = ... AND version = <expected>``. When two writers
    save the same service, the second waits for the first one's row lock,
    then finds the version changed and raises
    :class:`~prodlife.errors.ConcurrencyConflict`; no update is lost.

Locking
    Row locks taken by writes are held until commit or rollback. With
    ``lock_timeout`` set, a statement that waits longer for a lock raises
    :class:`~prodlife.errors.StoreBusy`; so do deadlocks and serialization
    failures (a deadlock while saving a service raises ``ConcurrencyConflict``).
    Any failed statement ends the transaction in PostgreSQL: afterwards the
    unit of work raises ``StoreError`` until its ``with`` block rolls it back.
    An ``add`` of a taken id run at once does not fail the transaction (it is
    an ``INSERT ... ON CONFLICT DO NOTHING``): it raises ``AlreadyExists`` and
    the transaction goes on, as in the other stores.

Deferred writes
    Until the transaction's first statement, ``services.add``,
    ``services.save``, ``invoice_lines.add`` and ``events.add`` only queue
    their statement and parameters (documents dumped at the call); the queue
    runs at that statement or in ``commit``, each run of consecutive writes of
    one statement as one pipelined ``executemany`` (one round trip for all of
    them). See :mod:`prodlife.stores.sql.unit_of_work` for what a refused
    write raises, and when.

Claims
    :meth:`~prodlife.ports.SchedulerRepository.claim_due` marks up to
    ``limit`` due, unclaimed services with the worker's name and a lease
    (``worker``, ``lease_until`` of their ``schedule`` rows, never the
    services' own rows) in one ``UPDATE`` whose rows are picked
    ``FOR UPDATE SKIP LOCKED``: workers claiming at the same time skip each
    other's rows instead of waiting, and never get the same service while a
    lease lives. Saving a service clears its claim; a dead worker's claims
    expire with their lease.

Sequences
    Invoice lines and events are numbered by ``bigserial`` columns: 1, 2, 3...
    in insertion order. A sequence number taken by a transaction that rolls
    back after its inserts ran is not reused, so a rollback can leave a gap
    (deferred inserts that never ran take none); and transactions committing
    out of order make numbers appear out of order (an outbox reader takes
    every unpublished event, not "everything after the last").

Errors
    psycopg's errors never escape: a taken key becomes
    :class:`~prodlife.errors.AlreadyExists`, lock timeouts, cancelled
    statements, deadlocks and serialization failures
    :class:`~prodlife.errors.StoreBusy`, a failed or lost connection
    :class:`~prodlife.errors.StoreUnavailable` (messages never show the
    password), anything else :class:`~prodlife.errors.StoreError`, each with
    the driver's error as its ``__cause__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Besides its public names, the package holds the private ones the tests reach for.
from prodlife.stores.postgres import schema
from prodlife.stores.postgres.errors import _About as _About
from prodlife.stores.postgres.errors import _translate as _translate
from prodlife.stores.postgres.store import PostgresStore, PostgresUnitOfWork

if TYPE_CHECKING:
    from prodlife.ports import Store, UnitOfWork

__all__ = ["SCHEMA_VERSION", "PostgresStore", "PostgresUnitOfWork"]

#: The schema version this prodlife creates and reads.
SCHEMA_VERSION = schema.SCHEMA_VERSION


if TYPE_CHECKING:

    def _conforms(store: PostgresStore, uow: PostgresUnitOfWork) -> tuple[Store, UnitOfWork]:
        return store, uow
