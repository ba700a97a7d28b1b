"""Catalog versions in the SQL stores, where transactions meet: one version per effective date.

The repositories check a new version against the stored ones, but two transactions that
read the versions before either commits both see the date free. The database keeps the
rule too (a unique index on ``catalog_versions.effective``), on a SQLite file and on
PostgreSQL (whose tests skip without a server).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from prodlife.catalog import Catalog, CatalogVersion
from prodlife.errors import InvalidCatalog
from prodlife.ports import Store
from prodlife.stores.postgres import PostgresStore
from prodlife.stores.sql import repositories
from prodlife.stores.sqlite import SQLiteStore
from tests.stores import _workers
from tests.stores.test_postgres_store import _spawn

NEW_YEAR = date(2026, 1, 1)
#: How many processes race to add a version taking effect on NEW_YEAR.
RACERS = 3


def version(name: str, effective: date = NEW_YEAR) -> CatalogVersion:
    """An empty catalog version."""
    return CatalogVersion(name, effective, Catalog())


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, str]:
    """``(database, where, schema)`` of a fresh store whose tables exist already."""
    if request.param == "postgresql":
        store = request.getfixturevalue("postgres_store")
        return "postgresql", request.getfixturevalue("postgresql_url"), store.schema
    path = tmp_path / "billing.db"
    SQLiteStore(path).close()
    return "sqlite", str(path), ""


@pytest.fixture
def store(database: tuple[str, str, str]) -> Iterator[Store]:
    """The store ``database`` names, opened by this process."""
    kind, where, schema = database
    opened: Store = SQLiteStore(where) if kind == "sqlite" else PostgresStore(where, schema=schema)
    try:
        yield opened
    finally:
        opened.close()


def stored_names(store: Store) -> list[str]:
    """The names of the stored versions."""
    with store.transaction(readonly=True) as uow:
        return [item.name for item in uow.catalog.versions().versions]


def test_processes_racing_to_add_versions_of_one_date_store_one_and_refuse_the_rest(
    database: tuple[str, str, str], store: Store
) -> None:
    calls = [(*database, f"V{number}", NEW_YEAR) for number in range(RACERS)]

    results = _spawn(_workers.race_catalog_version, calls, barrier=True)

    outcomes = sorted(result["result"] for result in results)
    assert outcomes == ["stored"] + ["version.same-day"] * (RACERS - 1)
    (winner,) = [result["name"] for result in results if result["result"] == "stored"]
    assert stored_names(store) == [winner]


def test_the_database_refuses_a_second_version_of_a_date_the_check_let_through(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a transaction that read the versions before another committed would do.
    monkeypatch.setattr(repositories, "check_new_version", lambda existing, version: None)
    with store.transaction() as uow:
        uow.catalog.add_version(version("2026"))
        uow.commit()

    with store.transaction() as uow, pytest.raises(InvalidCatalog) as refused:
        uow.catalog.add_version(version("2026-bis"))

    assert [problem.rule for problem in refused.value.problems] == ["version.same-day"]
    assert "give each its own date" in str(refused.value)
    assert stored_names(store) == ["2026"]


def test_a_date_freed_by_a_withdrawn_version_can_be_used_again(store: Store) -> None:
    with store.transaction() as uow:
        uow.catalog.add_version(version("2026"))
        uow.commit()
    with store.transaction() as uow:
        uow.catalog.withdraw_version("2026")
        uow.commit()

    with store.transaction() as uow:
        uow.catalog.add_version(version("2026-fixed"))
        uow.commit()

    assert stored_names(store) == ["2026-fixed"]
