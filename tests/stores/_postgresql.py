"""Reaching the PostgreSQL server the store tests run against, and isolating each test.

The server is given by ``PRODLIFE_POSTGRESQL_URL`` (``.ci/run`` starts a throwaway one
with ``.ci/postgres.sh``). Without it the PostgreSQL tests skip, except under CI
(``CI`` set), where a skip would hide that they never ran: there they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from prodlife.ports import Store

URL_VARIABLE = "PRODLIFE_POSTGRESQL_URL"
SKIP_MESSAGE = (
    "PostgreSQL tests need PRODLIFE_POSTGRESQL_URL=postgresql://...; .ci/run starts a server"
)
#: A wrong URL or a hung server fails a test quickly instead of hanging the suite.
CONNECT_TIMEOUT = 10
#: Dropping a schema waits at most this long for a connection a test left open.
DROP_LOCK_TIMEOUT = "10s"


def under_ci(environ: Mapping[str, str]) -> bool:
    """Whether ``CI`` is set to anything but an empty or false value."""
    return environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def _unavailable(reason: str, environ: Mapping[str, str]) -> None:
    if under_ci(environ):
        pytest.fail(f"{reason} (CI is set: the PostgreSQL tests must run, not skip)")
    pytest.skip(reason)


def postgresql_url_from(environ: Mapping[str, str]) -> str:
    """The server's URL; skips the test without one, or fails it under CI."""
    url = environ.get(URL_VARIABLE, "").strip()
    if not url:
        _unavailable(SKIP_MESSAGE, environ)
    return url


def import_psycopg(environ: Mapping[str, str]) -> Any:
    """The psycopg module; a server was given, so its absence is an error, never a skip."""
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - the test extra installs it
        pytest.fail(
            f"{URL_VARIABLE} is set but psycopg cannot be imported ({error}); "
            "pip install -e '.[test]'"
        )
    return psycopg


@dataclass(frozen=True)
class IsolatedSchema:
    """A fresh, empty schema for one test.

    Attributes:
        name: the schema's name (unique per test).
        conninfo: connection string for the server with ``search_path`` set to this schema
            only, so unqualified tables are created and found there.
    """

    name: str
    conninfo: str


@contextmanager
def isolated_schema(url: str) -> Iterator[IsolatedSchema]:
    """Create a uniquely named schema, yield it, then drop it with everything in it."""
    psycopg = import_psycopg(os.environ)
    from psycopg import sql

    name = f"test_{uuid.uuid4().hex[:16]}"
    admin_info = psycopg.conninfo.make_conninfo(url, connect_timeout=CONNECT_TIMEOUT)
    schema_info = psycopg.conninfo.make_conninfo(admin_info, options=f"-c search_path={name}")
    with psycopg.connect(admin_info, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield IsolatedSchema(name, schema_info)
    finally:
        with psycopg.connect(admin_info, autocommit=True) as admin:
            admin.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(DROP_LOCK_TIMEOUT)))
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@contextmanager
def opened_store(kind: str, folder: Path) -> Iterator[Store]:
    """A fresh store of ``kind`` (``"memory"``, ``"sqlite"`` in ``folder``, or
    ``"postgresql"`` in a schema of its own, skipped without a server), closed after."""
    from prodlife.stores import open_store

    if kind == "postgresql":
        from prodlife.stores.postgres import PostgresStore

        url = postgresql_url_from(os.environ)
        with isolated_schema(url) as schema:
            postgres = PostgresStore(url, schema=schema.name)
            try:
                yield postgres
            finally:
                postgres.close()
        return
    store = open_store("memory:" if kind == "memory" else f"sqlite:///{folder / 'books.db'}")
    try:
        yield store
    finally:
        store.close()
