"""The PostgreSQL driver, imported when a store opens, and how its errors become prodlife's."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    ProdlifeError,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)

if TYPE_CHECKING:
    import psycopg


_INSTALL = "pip install 'prodlife[postgres]'"


def _require_psycopg() -> None:
    try:
        import psycopg.types.json  # noqa: F401
    except ImportError as error:
        raise StoreUnavailable(
            f"the PostgreSQL store needs psycopg 3, which cannot be imported ({error}); "
            f"install it with: {_INSTALL}"
        ) from error


class _About(NamedTuple):
    """What a statement is about, to name it in the error it may raise."""

    kind: str
    key: object
    expected: int | None = None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _translate(
    error: psycopg.Error,
    *,
    about: _About | None = None,
    broken: bool = False,
    committing: bool = False,
) -> ProdlifeError:
    """The prodlife error for a psycopg error (the caller raises it ``from error``)."""
    from psycopg import errors

    detail = _first_line(error)
    if isinstance(error, errors.UniqueViolation):
        if about is not None:
            return AlreadyExists(about.kind, about.key)
        table = error.diag.table_name or "row"
        return AlreadyExists(table, error.diag.message_detail or detail)
    if isinstance(error, errors.SerializationFailure | errors.DeadlockDetected):
        if about is not None and about.expected is not None:
            return ConcurrencyConflict(about.kind, about.key, about.expected)
        return StoreBusy(
            f"the transaction collided with a concurrent one ({detail}); roll it back and run "
            "it again"
        )
    if isinstance(error, errors.LockNotAvailable):
        return StoreBusy(
            f"another transaction held a lock longer than lock_timeout ({detail}); roll back "
            "and retry later"
        )
    if isinstance(error, errors.QueryCanceled):
        return StoreBusy(
            f"the statement was cancelled ({detail}), by statement_timeout or an administrator; "
            "roll back and retry later"
        )
    state = error.sqlstate or ""
    if broken or (
        isinstance(error, errors.OperationalError)
        and (not state or state.startswith(("08", "57P")))
    ):
        maybe = (
            "; the commit may or may not have been kept: check before doing it again"
            if committing
            else "; nothing of the transaction was kept: retry once the server is back"
        )
        return StoreUnavailable(f"the connection to PostgreSQL failed ({detail}){maybe}")
    return StoreError(f"PostgreSQL refused the request ({type(error).__name__}: {detail})")
