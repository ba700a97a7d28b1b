"""The PostgreSQL driver, imported when a store opens, and which of its errors is which failure."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

from prodlife.errors import ProdlifeError, StoreUnavailable
from prodlife.stores.sql.dialect import About, Failure

if TYPE_CHECKING:
    import psycopg

#: What a statement is about (the name the tests know it by).
_About = About

_INSTALL = "pip install 'prodlife[postgres]'"


def _require_psycopg() -> None:
    try:
        import psycopg.types.json  # noqa: F401
    except ImportError as error:
        raise StoreUnavailable(
            f"the PostgreSQL store needs psycopg 3, which cannot be imported ({error}); "
            f"install it with: {_INSTALL}"
        ) from error


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _classify(error: psycopg.Error, broken: bool) -> tuple[Failure, str]:
    """Which failure ``error`` is (``broken``: whether its connection broke), and its detail."""
    from psycopg import errors

    detail = _first_line(error)
    if isinstance(error, errors.UniqueViolation):
        return Failure.DUPLICATE, error.diag.message_detail or detail
    if isinstance(error, errors.SerializationFailure | errors.DeadlockDetected):
        return Failure.COLLISION, detail
    if isinstance(error, errors.LockNotAvailable):
        return Failure.LOCKED, detail
    if isinstance(error, errors.QueryCanceled):
        return Failure.CANCELLED, detail
    state = error.sqlstate or ""
    if broken or (
        isinstance(error, errors.OperationalError)
        and (not state or state.startswith(("08", "57P")))
    ):
        return Failure.UNAVAILABLE, detail
    return Failure.OTHER, f"{type(error).__name__}: {detail}"


def _translate(
    error: psycopg.Error,
    *,
    about: About | None = None,
    broken: bool = False,
    committing: bool = False,
    where: str = "running a statement",
) -> ProdlifeError:
    """The prodlife error for a psycopg error (the caller raises it ``from error``), as the
    dialect translates it on a connection that is ``broken`` or not."""
    from prodlife.stores.postgres.dialect import dialect

    connection = SimpleNamespace(broken=broken)
    return dialect()[0].translate(error, connection, where, about, committing=committing)
