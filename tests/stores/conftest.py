"""Fixtures for the store tests that need a PostgreSQL server.

- ``postgresql_url``: the server (``PRODLIFE_POSTGRESQL_URL``). Without it the test
  skips, saying how to get one; under CI (``CI=true``) it fails instead, so CI can
  never pass with the PostgreSQL tests silently skipped.
- ``postgresql_schema``: a fresh, empty schema for the test, dropped afterwards; its
  ``conninfo`` connects with that schema as the only ``search_path``.
- ``postgresql``: an open psycopg connection into that schema, closed afterwards.
- ``postgresql_new_schema``: the name of a schema not created yet, dropped afterwards.
- ``postgres_store``: a ``PostgresStore`` in the test's own schema, closed afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.stores._postgresql import (
    IsolatedSchema,
    import_psycopg,
    isolated_schema,
    postgresql_url_from,
)


@pytest.fixture(scope="session")
def postgresql_url() -> str:
    """The URL of the PostgreSQL server the tests may use (skip locally, fail under CI)."""
    return postgresql_url_from(os.environ)


@pytest.fixture
def postgresql_schema(postgresql_url: str) -> Iterator[IsolatedSchema]:
    """A schema of the test's own, empty at the start and dropped at the end."""
    with isolated_schema(postgresql_url) as schema:
        yield schema


@pytest.fixture
def postgresql(postgresql_schema: IsolatedSchema) -> Iterator[Any]:
    """A psycopg connection whose ``search_path`` is the test's own schema."""
    psycopg = import_psycopg(os.environ)
    with psycopg.connect(postgresql_schema.conninfo) as connection:
        yield connection


@pytest.fixture
def postgresql_new_schema(postgresql_url: str) -> Iterator[str]:
    """The name of a schema that does not exist yet (for a store to create); dropped afterwards."""
    import uuid

    psycopg = import_psycopg(os.environ)
    from psycopg import sql

    name = f"test_new_{uuid.uuid4().hex[:16]}"
    yield name
    with psycopg.connect(postgresql_url, autocommit=True, connect_timeout=10) as admin:
        admin.execute("SET lock_timeout = '10s'")
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def postgres_store(postgresql_url: str, postgresql_schema: IsolatedSchema) -> Iterator[Any]:
    """A :class:`~prodlife.stores.postgres.PostgresStore` in the test's own schema, closed after."""
    from prodlife.stores.postgres import PostgresStore

    store = PostgresStore(postgresql_url, schema=postgresql_schema.name)
    try:
        yield store
    finally:
        store.close()
