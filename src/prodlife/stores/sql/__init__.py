"""The SQL layer: one implementation of the stores for every SQL database.

Everything the SQL stores do the same way is written once here, and each
database is a small dialect beside it (:mod:`prodlife.stores.sqlite`,
:mod:`prodlife.stores.postgres`):

- :mod:`~prodlife.stores.sql.repositories` and :mod:`~prodlife.stores.sql.services`:
  the repositories of :mod:`prodlife.ports`, the scheduler's claims among them
  (physical goods in :mod:`~prodlife.stores.sql.goods`, invoices, their numbering,
  credit balances and payments in :mod:`~prodlife.stores.sql.invoices`, sync runs in
  :mod:`~prodlife.stores.sql.sync_runs`);
- :mod:`~prodlife.stores.sql.statements`: their SQL, written once with ``?``
  placeholders;
- :mod:`~prodlife.stores.sql.unit_of_work`: a transaction, its deferred writes and
  what a refused one raises;
- :mod:`~prodlife.stores.sql.schema`: schema versions and forward migrations;
- :mod:`~prodlife.stores.sql.errors`: which prodlife error each kind of driver
  failure becomes;
- :mod:`~prodlife.stores.sql.pool` and :mod:`~prodlife.stores.sql.store`: the
  connections, and the store's transactions over them;
- :mod:`~prodlife.stores.sql.dialect`: the one interface a dialect implements
  (placeholders, the clauses databases say differently, how values become
  columns, the driver's transactions and errors).

Documents are encoded by :mod:`prodlife.stores._documents`, and the in-memory
reference store is :mod:`prodlife.stores.memory`. A change to a repository is
written here once (plus the memory store), and a new table once in
:data:`prodlife.stores.sql.schema.MIGRATIONS`.
"""
