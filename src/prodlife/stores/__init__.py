"""Stores: where prodlife keeps catalogs, services, orders, invoice lines and events.

Pick one by URL at the edge of the application with :func:`open_store`:

- ``"memory:"``: in this process's memory (tests, notebooks);
- ``"sqlite:///billing.db"``: an SQLite file, the embedded default
  (``"sqlite:///:memory:"`` for a private in-memory database);
- ``"postgresql://user@host/dbname"``: PostgreSQL (the ``postgres`` extra).

Each implements :class:`prodlife.ports.Store`.
"""

from __future__ import annotations

from typing import Any

from prodlife.errors import ValidationError
from prodlife.ports import Store
from prodlife.stores.memory import MemoryStore

__all__ = ["MemoryStore", "UnknownStore", "open_store"]


class UnknownStore(ValidationError):
    """A store URL names no store prodlife has."""

    def __init__(self, url: object) -> None:
        self.url = url
        super().__init__(
            f"no store for {url!r}; use 'memory:', 'sqlite:///path/to/billing.db' or "
            "'postgresql://user@host/dbname'"
        )


def open_store(url: str, **options: Any) -> Store:
    """Open the store ``url`` names; ``options`` go to its constructor.

    Raises:
        UnknownStore: the URL names no known store.
        StoreUnavailable: the store cannot be opened or reached.

    >>> store = open_store("memory:")
    >>> type(store).__name__
    'MemoryStore'
    >>> store.close()
    """
    if not isinstance(url, str):
        raise UnknownStore(url)
    if url == "memory:":
        return MemoryStore(**options)
    if url.startswith("sqlite:///"):
        from prodlife.stores.sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"), **options)
    if url.startswith(("postgresql://", "postgres://")):
        from prodlife.stores.postgres import PostgresStore

        return PostgresStore(url, **options)
    raise UnknownStore(url)
