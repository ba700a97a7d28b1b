"""Which of the sqlite3 driver's errors is which failure (the SQL layer says it to the caller)."""

from __future__ import annotations

import sqlite3

from prodlife.errors import StoreError
from prodlife.stores.sql.dialect import Failure

# SQLite's primary result codes (``sqlite_errorcode & 0xFF``) and the extended
# ones for a duplicate key.
_BUSY, _LOCKED, _READONLY, _CANTOPEN, _NOTADB, _PERM = 5, 6, 8, 14, 26, 3
_DUPLICATE_KEY = frozenset({1555, 2067})  # SQLITE_CONSTRAINT_PRIMARYKEY, _UNIQUE


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def _is_duplicate(error: sqlite3.Error) -> bool:
    """Whether ``error`` is a taken primary or unique key."""
    code = _code(error)
    if code is not None:
        return code in _DUPLICATE_KEY
    message = str(error)
    return "UNIQUE constraint failed" in message or "PRIMARY KEY" in message


def _classify(error: sqlite3.Error) -> Failure:
    """Which failure ``error`` is."""
    code = _code(error)
    if isinstance(error, sqlite3.IntegrityError) and _is_duplicate(error):
        return Failure.DUPLICATE
    if code is None:  # a driver without error codes: go by the message
        lowered = str(error).lower()
        busy = "database is locked" in lowered or "database is busy" in lowered
        unavailable = "unable to open" in lowered or "not a database" in lowered
    else:
        busy = code & 0xFF in (_BUSY, _LOCKED)
        unavailable = code & 0xFF in (_CANTOPEN, _NOTADB, _PERM, _READONLY)
    if busy:
        return Failure.LOCKED
    if unavailable:
        return Failure.UNAVAILABLE
    return Failure.OTHER


def _translate(error: sqlite3.Error, where: str) -> StoreError:
    """The prodlife error for a driver ``error`` raised while doing ``where``."""
    from prodlife.stores.sqlite.dialect import DIALECT

    translated = DIALECT.translate(error, None, where)
    if not isinstance(translated, StoreError):  # a taken key, outside any statement of ours
        return StoreError(str(translated))
    return translated
