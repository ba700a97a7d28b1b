"""The SQLite store: prodlife's embedded default (``open_store("sqlite:///billing.db")``).

It is the SQL layer (:mod:`prodlife.stores.sql`) with SQLite's dialect
(:mod:`prodlife.stores.sqlite.dialect`): what follows is what SQLite does its own way.
It keeps every aggregate as a JSON document (:mod:`prodlife.stores._documents`)
next to the columns its queries need, with the standard library's
:mod:`sqlite3` and nothing else. It behaves exactly as the in-memory reference
store (:mod:`prodlife.stores.memory`): the same results, in the same order,
with the same errors.

Durability and concurrency
--------------------------
- **WAL** (``journal_mode=WAL``): readers never block the writer and the
  writer never blocks readers; a commit appends to the ``-wal`` file, which
  SQLite folds back into the database file (checkpoints) as it grows. A
  process killed mid-transaction leaves only uncommitted frames behind, which
  the next opener ignores: the file holds exactly what was committed.
- **synchronous=NORMAL**: in WAL mode this never corrupts the database and
  never loses a commit when the *process* dies; a power cut or an operating
  system crash may lose the last transactions committed before it (they are
  in the WAL but not yet synced). This is SQLite's recommended setting for
  WAL and makes commits several times faster than ``FULL``. A host that must
  keep every acknowledged commit through a power cut passes
  ``synchronous="FULL"``.
- **Writers serialize**: a transaction starts with ``BEGIN IMMEDIATE`` on its
  first statement, taking the write lock then, so two writing transactions
  (threads or processes) never interleave their reads and writes. One that
  cannot get the lock within ``timeout`` seconds (the busy timeout) raises
  :class:`~prodlife.errors.StoreBusy`. Adding and saving services and adding
  invoice lines and events before the first statement are deferred to that
  statement or the commit, with their documents already encoded, so a
  scheduler batch holds the lock only while its statements run (a taken id,
  a stale version or a missing service is then reported there; see
  :mod:`prodlife.stores.sql.unit_of_work`). A ``readonly`` transaction starts
  with a plain ``BEGIN`` and reads a snapshot alongside the writer.
- **Connections**: a small pool; a transaction takes a connection of its own
  and gives it back at its end, so threads never share one. ``":memory:"``
  is one private database on a single connection: its transactions take
  turns, as the in-memory store's do. Foreign keys are on, and each
  connection keeps up to 64 MiB of pages in its cache.

Schema and migrations
---------------------
The store creates and upgrades its own schema when it is opened. The table
``schema_version`` holds one row, the number of migrations applied;
``_MIGRATIONS`` is the ordered list of forward migrations (each a list of SQL
statements) and :data:`SCHEMA_VERSION` their count. Opening a file applies the
missing ones, all in one transaction (all or none); opening a file written by
a newer prodlife (a higher version) raises :class:`~prodlife.errors.StoreError`
and touches nothing. The tables:

- ``catalog_versions(name PK, effective UNIQUE, doc)`` and ``catalog_forms(name
  PK, digest, form)``, each version's compact form (read instead of its document
  while the document's digest is unchanged);
- ``price_plans(code PK, doc)``;
- ``promotions(code_key PK, code, doc)`` (``code_key`` is the upper-case
  code: codes compare ignoring case) and ``promotion_uses(code_key, order_id,
  customer_id, PK(code_key, order_id))``;
- ``services(id PK, customer_id, product_code, status, cancelling, bundle_id, version,
  doc)``, indexed by customer, product and status, the open cancellation requests and a
  bundle's components alone, each service kept at rest (its
  history entries counted, not held);
- ``service_history(service_id, number, doc, PK(service_id, number))``, one
  row an entry of a service's history, append only;
- ``schedule(service_id PK, due_on, worker, lease_until)``, when each service
  is next due and the scheduler's claim on it, indexed ``(due_on,
  service_id)``, so that claiming never rewrites a service's row;
- ``orders(id PK, customer_id, placed_at, doc)``;
- ``invoice_lines(sequence PK AUTOINCREMENT, service_id, customer_id,
  product_code, issued_at, currency, amount, doc)``, indexed by service,
  customer and ``issued_at``;
- ``events(sequence PK AUTOINCREMENT, service_id, published, doc)``, with a
  partial index of the unpublished ones.

Dates are ISO text (``2025-04-20``) and instants fixed-width UTC ISO text
(``2025-04-20T12:00:00.000000+00:00``), so text order is time order. Amounts
are exact decimal text, summed in Python with :class:`~decimal.Decimal`, never
as floating point. Every value reaches SQL as a bound parameter.

Errors
------
Driver errors never escape: a duplicate key becomes
:class:`~prodlife.errors.AlreadyExists`, a lock held too long
:class:`~prodlife.errors.StoreBusy`, a file that cannot be opened or is not a
database :class:`~prodlife.errors.StoreUnavailable`, and anything else
:class:`~prodlife.errors.StoreError`, with the driver's error as ``__cause__``.

>>> from prodlife.ports import ServiceQuery
>>> store = SQLiteStore(":memory:")
>>> with store.transaction() as uow:
...     uow.services.count(ServiceQuery())
0
>>> store.close()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

# Besides its public names, the package holds the private ones the tests reach for. They
# patch _MIGRATIONS, SCHEMA_VERSION and _HAS_RETURNING here, so the store reads those three
# from this package (not from its modules) when it uses them.
from prodlife.stores.sqlite import dialect as _dialect
from prodlife.stores.sqlite import schema
from prodlife.stores.sqlite.errors import _translate as _translate
from prodlife.stores.sqlite.schema import _MIGRATIONS as _MIGRATIONS
from prodlife.stores.sqlite.store import SQLiteStore, SQLiteUnitOfWork

if TYPE_CHECKING:
    from prodlife.ports import Store, UnitOfWork

__all__ = ["SCHEMA_VERSION", "SQLiteStore", "SQLiteUnitOfWork"]

#: The schema version this code writes: how many migrations it knows.
SCHEMA_VERSION: Final[int] = schema.SCHEMA_VERSION

_HAS_RETURNING: bool = _dialect.HAS_RETURNING
_find_sql = _dialect.STATEMENTS.find
_CLAIM_FREE = _dialect.STATEMENTS.claim_free
_EVENT_UNPUBLISHED = _dialect.STATEMENTS.event_unpublished


if TYPE_CHECKING:

    def _fits(store: SQLiteStore, uow: SQLiteUnitOfWork) -> tuple[Store, UnitOfWork]:
        return store, uow
