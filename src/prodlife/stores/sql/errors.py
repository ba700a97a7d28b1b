"""How a driver's error becomes prodlife's: one table for every SQL database.

The dialect says which :class:`~prodlife.stores.sql.dialect.Failure` an error is
(:meth:`~prodlife.stores.sql.dialect.Dialect.classify`); this module says what the
caller sees, so every SQL store raises the same error, with the same advice, for the
same failure:

=============== ============================================================
failure         raised
=============== ============================================================
``DUPLICATE``   :class:`~prodlife.errors.AlreadyExists` (the key the statement was about)
``COLLISION``   :class:`~prodlife.errors.ConcurrencyConflict` for a save,
                :class:`~prodlife.errors.StoreBusy` otherwise
``LOCKED``      :class:`~prodlife.errors.StoreBusy`: retry, or wait longer
``CANCELLED``   :class:`~prodlife.errors.StoreBusy`: retry later
``UNAVAILABLE`` :class:`~prodlife.errors.StoreUnavailable`: check the database; after a
                failed commit, whether it was kept is unknown
``OTHER``       :class:`~prodlife.errors.StoreError`
=============== ============================================================

A lone surrogate in a value (text that is not valid Unicode) becomes a
:class:`~prodlife.errors.ValidationError` before any driver sees it.
"""

from __future__ import annotations

from prodlife._text import shown
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    ProdlifeError,
    StoreBusy,
    StoreError,
    StoreUnavailable,
    ValidationError,
)
from prodlife.stores.sql.dialect import About, Failure

__all__ = ["error_for", "not_unicode", "too_deep"]


def error_for(
    failure: Failure,
    detail: str,
    *,
    title: str,
    hints: tuple[str, str],
    where: str,
    about: About | None = None,
    committing: bool = False,
) -> ProdlifeError:
    """The prodlife error for a driver error of kind ``failure`` raised while doing ``where``.

    ``hints`` are the database's advice when a lock was held too long (how to wait
    longer) and when it cannot be used (what to check).
    """
    if failure is Failure.DUPLICATE:
        if about is not None:
            return AlreadyExists(about.kind, about.key)
        return AlreadyExists("row", detail)
    if failure is Failure.COLLISION:
        if about is not None and about.expected is not None:
            return ConcurrencyConflict(about.kind, about.key, about.expected)
        return StoreBusy(
            f"the transaction collided with a concurrent one while {where} ({detail}); roll "
            "it back and run it again"
        )
    if failure is Failure.LOCKED:
        return StoreBusy(
            f"the {title} database stayed locked by another transaction while {where} "
            f"({detail}); roll back and retry later, or {hints[0]}"
        )
    if failure is Failure.CANCELLED:
        return StoreBusy(
            f"the statement was cancelled while {where} ({detail}), by a timeout or an "
            "administrator; roll back and retry later"
        )
    if failure is Failure.UNAVAILABLE:
        outcome = (
            "the commit may or may not have been kept: check before doing it again"
            if committing
            else hints[1]
        )
        return StoreUnavailable(
            f"the {title} database cannot be used while {where} ({detail}); {outcome}"
        )
    return StoreError(f"the {title} store failed while {where} ({detail})")


def not_unicode(error: UnicodeEncodeError) -> ValidationError:
    """The error for text a driver cannot encode (a lone surrogate)."""
    return ValidationError(
        f"text {error.object[error.start : error.end]!r} is not valid Unicode (a lone "
        "surrogate) and cannot be stored; fix the id or code that holds it"
    )


def too_deep(error: RecursionError, where: str, key: object = None) -> StoreError:
    """The error for a stored document nested beyond decoding (psycopg decodes ``jsonb``
    while it fetches the row, before any reader of prodlife sees it)."""
    about = "" if key is None else f" {shown(key)}"
    return StoreError(
        f"{where}{about}: a stored document nests too deeply to decode ({error}); it was "
        "written by another program: restore it from a backup or fix the document"
    )
