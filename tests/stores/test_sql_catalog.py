"""Catalog versions in the SQL stores, where transactions meet: one version per effective date.

The repositories check a new version against the stored ones, but two transactions that
read the versions before either commits both see the date free. The database keeps the
rule too (a unique index on ``catalog_versions.effective``), on a SQLite file and on
PostgreSQL (whose tests skip without a server).
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife.catalog import Catalog, CatalogVersion, CatalogVersions
from prodlife.errors import InvalidCatalog
from prodlife.ports import Store
from prodlife.stores._catalog_form import dump_form, load_form
from prodlife.stores._documents import dumps
from prodlife.stores.postgres import PostgresStore
from prodlife.stores.sql import catalog as sql_catalog
from prodlife.stores.sqlite import SQLiteStore
from prodlife.testing.catalogs import catalogs
from tests._lifecycle import CATALOG
from tests.stores import _workers

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


def open_again(database: tuple[str, str, str]) -> Store:
    """A new store on ``database``: it has decoded no catalog version yet."""
    kind, where, schema = database
    return SQLiteStore(where) if kind == "sqlite" else PostgresStore(where, schema=schema)


@pytest.fixture
def store(database: tuple[str, str, str]) -> Iterator[Store]:
    """The store ``database`` names, opened by this process."""
    opened = open_again(database)
    try:
        yield opened
    finally:
        opened.close()


def stored_versions(store: Store) -> list[CatalogVersion]:
    """The stored versions, as ``store`` reads them; the store is closed after."""
    try:
        with store.transaction(readonly=True) as uow:
            return list(uow.catalog.versions().versions)
    finally:
        store.close()


def stored_names(store: Store) -> list[str]:
    """The names of the stored versions."""
    with store.transaction(readonly=True) as uow:
        return [item.name for item in uow.catalog.versions().versions]


def test_processes_racing_to_add_versions_of_one_date_store_one_and_refuse_the_rest(
    database: tuple[str, str, str], store: Store
) -> None:
    calls = [(*database, f"V{number}", NEW_YEAR) for number in range(RACERS)]

    results = _workers.spawn(_workers.race_catalog_version, calls, barrier=True)

    outcomes = sorted(result["result"] for result in results)
    assert outcomes == ["stored"] + ["version.same-day"] * (RACERS - 1)
    (winner,) = [result["name"] for result in results if result["result"] == "stored"]
    assert stored_names(store) == [winner]


def test_the_database_refuses_a_second_version_of_a_date_the_check_let_through(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a transaction that read the versions before another committed would do.
    monkeypatch.setattr(sql_catalog, "check_new_version", lambda existing, version: None)
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


# --- the compact form a process reads instead of the document -------------------------------


def test_a_store_opened_later_reads_a_version_from_its_form_not_its_document(
    store: Store, database: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    added = CatalogVersion("2026", NEW_YEAR, CATALOG)
    with store.transaction() as uow:
        uow.catalog.add_version(added)
        uow.commit()

    def unread(*args: object) -> None:
        raise AssertionError("the document was decoded")

    monkeypatch.setattr(sql_catalog, "loads", unread)
    later = open_again(database)  # as another process would: nothing decoded yet
    try:
        with later.transaction(readonly=True) as uow:
            (read,) = uow.catalog.versions().versions
    finally:
        later.close()
    assert read == added
    assert read.catalog.product("WEB") == added.catalog.product("WEB")  # its index rebuilt


def test_a_version_whose_document_changed_is_read_from_the_document(tmp_path: Path) -> None:
    path = tmp_path / "billing.db"
    store = SQLiteStore(path)
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("2026", NEW_YEAR, CATALOG))
        uow.commit()
    store.close()
    edited = CatalogVersion("2026", NEW_YEAR, Catalog())
    with closing(
        sqlite3.connect(path, isolation_level=None)
    ) as connection:  # mended by hand, as a backup restores it
        connection.execute("UPDATE catalog_versions SET doc = ?", (dumps(edited),))

    assert stored_versions(SQLiteStore(path)) == [edited]


def test_a_damaged_form_is_passed_over_for_the_document(tmp_path: Path) -> None:
    path = tmp_path / "billing.db"
    store = SQLiteStore(path)
    added = CatalogVersion("2026", NEW_YEAR, CATALOG)
    with store.transaction() as uow:
        uow.catalog.add_version(added)
        uow.commit()
    store.close()
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        (form,) = connection.execute("SELECT form FROM catalog_forms").fetchone()
        connection.execute("UPDATE catalog_forms SET form = ?", (form[: len(form) // 2],))

    assert stored_versions(SQLiteStore(path)) == [added]


def forms(database: tuple[str, str, str], request: pytest.FixtureRequest) -> int:
    """How many compact forms ``database`` keeps."""
    sql = "SELECT count(*) FROM catalog_forms"
    if database[0] == "sqlite":
        with closing(sqlite3.connect(database[1], isolation_level=None)) as connection:
            (count,) = connection.execute(sql).fetchone()
    else:
        (count,) = request.getfixturevalue("postgresql").execute(sql).fetchone()
    return int(count)


def test_withdrawing_a_version_drops_its_form(
    store: Store, database: tuple[str, str, str], request: pytest.FixtureRequest
) -> None:
    with store.transaction() as uow:
        uow.catalog.add_version(version("2026"))
        uow.commit()
    assert forms(database, request) == 1

    with store.transaction() as uow:
        uow.catalog.withdraw_version("2026")
        uow.commit()

    assert forms(database, request) == 0


class _Planted:
    """What a forged form might hold: a call of anything on loading."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.getenv, ("HOME",)


@pytest.mark.parametrize(
    "forged",
    [
        pickle.dumps((1, _Planted())),
        pickle.dumps((1, sqlite3.connect)),
        pickle.dumps((1, CatalogVersions((version("2026"),)))),  # not a version
        pickle.dumps((2, "a layout this prodlife does not know")),
        b"not a pickle at all",
    ],
)
def test_a_form_holding_anything_but_a_catalog_version_is_refused_without_running_it(
    forged: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    called: list[object] = []
    monkeypatch.setattr(os, "getenv", lambda *args: called.append(args))

    assert load_form(forged, "2026") is None
    assert called == []


def test_a_form_never_makes_a_module_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "prodlife.__main__", raising=False)
    calls_main = b"\x80\x02cprodlife.__main__\nmain\n)R."  # prodlife.__main__.main()

    assert load_form(calls_main, "2026") is None
    assert "prodlife.__main__" not in sys.modules


def test_a_form_written_when_a_class_had_other_fields_is_not_read() -> None:
    form = dump_form(CatalogVersion("2026", NEW_YEAR, CATALOG))
    assert form is not None and b"code,name,type_code," in form

    older = form.replace(b"code,name,type_code,", b"code,name,kind_code,")  # as long

    assert load_form(older, "2026") is None


def test_a_form_is_read_only_under_its_own_name() -> None:
    form = dump_form(CatalogVersion("2026", NEW_YEAR, CATALOG))

    assert form is not None
    assert load_form(form, "2027") is None


@given(catalog=catalogs(), effective=st.dates(), moves=st.none() | st.just(date(9999, 12, 31)))
@settings(max_examples=50)
def test_every_catalog_version_reads_back_equal_from_its_form(
    catalog: Catalog, effective: date, moves: date | None
) -> None:
    added = CatalogVersion("v", effective, catalog, moves)

    form = dump_form(added)

    assert form is not None
    assert load_form(form, "v") == added
