"""The store conformance suite over prodlife's three stores: memory, SQLite and PostgreSQL.

Each store runs every test of :class:`prodlife.testing.contract.StoreContract` and the
state machine of :mod:`prodlife.testing.store_machine` against the memory store. The
PostgreSQL runs need ``PRODLIFE_POSTGRESQL_URL`` (they skip without it, and fail under
CI); each test gets a schema of its own, each machine example a fresh one too.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis.stateful import run_state_machine_as_test

from prodlife.ports import Store
from prodlife.stores import open_store
from prodlife.testing.contract import StoreContract
from prodlife.testing.store_machine import MACHINE_SETTINGS, store_machine
from tests.stores._postgresql import IsolatedSchema, isolated_schema


class TestMemoryStore(StoreContract):
    concurrent_readers = False  # one transaction at a time; the others wait

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        store = open_store("memory:")
        yield store
        store.close()


class TestSQLiteStore(StoreContract):
    concurrent_readers = True  # read-only transactions read a WAL snapshot alongside a writer

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = open_store(f"sqlite:///{tmp_path}/billing.db")
        yield store
        store.close()


class TestPostgreSQLStore(StoreContract):
    concurrent_readers = True

    @pytest.fixture
    def store(self, postgresql_url: str, postgresql_schema: IsolatedSchema) -> Iterator[Store]:
        store = open_store(postgresql_url, schema=postgresql_schema.name)
        yield store
        store.close()


@pytest.fixture
def memory_stores() -> Callable[[], Store]:
    return lambda: open_store("memory:")


@pytest.fixture
def sqlite_stores(tmp_path: Path) -> Callable[[], Store]:
    numbers = itertools.count()
    return lambda: open_store(f"sqlite:///{tmp_path}/machine-{next(numbers)}.db")


@pytest.fixture
def postgresql_stores(postgresql_url: str) -> Iterator[Callable[[], Store]]:
    with ExitStack() as schemas:

        def make() -> Store:
            schema = schemas.enter_context(isolated_schema(postgresql_url))
            return open_store(postgresql_url, schema=schema.name)

        yield make


@pytest.mark.parametrize(
    "stores",
    ["memory_stores", "sqlite_stores", "postgresql_stores"],
    ids=["memory", "sqlite", "postgresql"],
)
def test_the_store_agrees_with_the_model_store(stores: str, request: pytest.FixtureRequest) -> None:
    make_store: Callable[[], Store] = request.getfixturevalue(stores)
    run_state_machine_as_test(store_machine(make_store), settings=MACHINE_SETTINGS)
