"""Stores: where prodlife keeps catalogs, services, orders, invoice lines and events.

Pick one by URL at the edge of the application with :func:`open_store`:

- ``"memory:"``: in this process's memory (tests, notebooks);
- ``"sqlite:///billing.db"``: an SQLite file, the embedded default
  (``"sqlite:///:memory:"`` for a private in-memory database);
- ``"postgresql://user@host/dbname"``: PostgreSQL (the ``postgres`` extra).

Each implements :class:`prodlife.ports.Store`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
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
        ValidationError: an option the store does not take (a typo in its name).
        StoreUnavailable: the store cannot be opened or reached.

    >>> store = open_store("memory:")
    >>> type(store).__name__
    'MemoryStore'
    >>> store.close()
    """
    if not isinstance(url, str):
        raise UnknownStore(url)
    if url == "memory:":
        kind: Callable[..., Store] = MemoryStore
        target: tuple[str, ...] = ()
    elif url.startswith("sqlite:///"):
        from prodlife.stores.sqlite import SQLiteStore

        kind, target = SQLiteStore, (url.removeprefix("sqlite:///"),)
    elif url.startswith(("postgresql://", "postgres://")):
        from prodlife.stores.postgres import PostgresStore

        kind, target = PostgresStore, (url,)
    else:
        raise UnknownStore(url)
    parameters = inspect.signature(kind).parameters
    unknown = sorted(name for name in options if name not in parameters)
    if unknown:
        known = sorted(name for name in parameters if name not in ("path", "url"))
        raise ValidationError(
            f"{kind.__name__} takes no option {', '.join(unknown)}; it takes {known or 'none'}"
        )
    return kind(*target, **options)
