"""How the SQLite store turns the driver's errors into prodlife's."""

from __future__ import annotations

import sqlite3

from prodlife.errors import StoreBusy, StoreError, StoreUnavailable, ValidationError

# SQLite's primary result codes (``sqlite_errorcode & 0xFF``) and the extended
# ones for a duplicate key.
_BUSY, _LOCKED, _READONLY, _CANTOPEN, _NOTADB, _PERM = 5, 6, 8, 14, 26, 3
_DUPLICATE_KEY = frozenset({1555, 2067})  # SQLITE_CONSTRAINT_PRIMARYKEY, _UNIQUE


# --- driver errors -------------------------------------------------------------------------------


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def _is_duplicate(error: sqlite3.Error) -> bool:
    code = _code(error)
    if code is not None:
        return code in _DUPLICATE_KEY
    message = str(error)
    return "UNIQUE constraint failed" in message or "PRIMARY KEY" in message


def _translate(error: sqlite3.Error, where: str) -> StoreError:
    """The prodlife error for a driver ``error`` raised while doing ``where``."""
    code = _code(error)
    message = str(error)
    if code is None:  # a driver without error codes: go by the message
        lowered = message.lower()
        busy = "database is locked" in lowered or "database is busy" in lowered
        unavailable = "unable to open" in lowered or "not a database" in lowered
    else:
        busy = code & 0xFF in (_BUSY, _LOCKED)
        unavailable = code & 0xFF in (_CANTOPEN, _NOTADB, _PERM, _READONLY)
    if busy:
        return StoreBusy(
            f"the SQLite database stayed locked by another writer while {where} ({message}); "
            "retry later, or open the store with a longer timeout"
        )
    if unavailable:
        return StoreUnavailable(
            f"the SQLite database cannot be used while {where} ({message}); check that the "
            "path names a prodlife SQLite file in a directory that exists and is writable"
        )
    return StoreError(f"the SQLite store failed while {where} ({message})")


def _not_unicode(error: UnicodeEncodeError) -> ValidationError:
    return ValidationError(
        f"text {error.object[error.start : error.end]!r} is not valid Unicode (a lone "
        "surrogate) and cannot be stored; fix the id or code that holds it"
    )
