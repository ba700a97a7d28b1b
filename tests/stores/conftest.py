"""Fixtures for the store tests that need a PostgreSQL server.

- ``postgresql_url``: the server (``PRODLIFE_POSTGRESQL_URL``). Without it the test
  skips, saying how to get one; under CI (``CI=true``) it fails instead, so CI can
  never pass with the PostgreSQL tests silently skipped.
- ``postgresql_schema``: a fresh, empty schema for the test, dropped afterwards; its
  ``conninfo`` connects with that schema as the only ``search_path``.
- ``postgresql``: an open psycopg connection into that schema, closed afterwards.
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
