"""``prodlife import``: a product file into a store, as a new catalog version, run printed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from prodlife.catalog import CatalogVersion
from prodlife.cli import main
from prodlife.stores import open_store
from tests.test_io_sync import BASE


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    store = open_store(url)
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("2025", date(2025, 1, 1), BASE))
        uow.commit()
    store.close()
    return url


def _file(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "products.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _import_june(capsys: pytest.CaptureFixture[str], products: str, db: str) -> tuple[int, str]:
    """``prodlife import`` of ``products`` into ``db`` as version 2025-06, in force from
    2025-06-01: its exit status and what it printed."""
    status = main(
        ["import", products, "--db", db, "--version", "2025-06", "--effective", "2025-06-01"]
    )
    return status, capsys.readouterr().out


def test_a_file_becomes_a_new_catalog_version_and_the_run_is_printed(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    products = _file(tmp_path, "code,name,type", "ESPN,ESPN,CH", "HBO,HBO Max,CH")
    status, out = _import_june(capsys, products, db)
    assert status == 0
    assert "1 created, 1 updated, 0 unchanged, 0 failed" in out
    assert "catalog version 2025-06 stored" in out
    store = open_store(db)
    with store.transaction(readonly=True) as uow:
        june = uow.catalog.versions().in_force(date(2025, 6, 1)).catalog
        assert june.product("ESPN").name == "ESPN" and june.product("HBO").name == "HBO Max"
        assert len(uow.sync_runs.recent()) == 1
    store.close()


def test_a_failed_row_is_shown_with_its_place_and_nothing_is_stored(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    products = _file(tmp_path, "code,name,type", "ESPN,ESPN,CH", "BAD,Bad,NO-SUCH-TYPE")
    status, out = _import_june(capsys, products, db)
    assert status == 1
    assert "1 failed, 1 not applied" in out and "row 3" in out
    assert "no catalog version stored" in out


def test_a_missing_file_or_bad_date_is_one_error_line(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "none.csv")
    assert main(["import", missing, "--db", db, "--version", "v", "--effective", "2025-06-01"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    products = _file(tmp_path, "code,name,type", "ESPN,ESPN,CH")
    assert main(["import", products, "--db", db, "--version", "v", "--effective", "June"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_a_database_file_that_does_not_exist_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    products = _file(tmp_path, "code,name,type", "ESPN,ESPN,CH")
    typo = tmp_path / "bokks.db"
    argv = ["import", products, "--db", f"sqlite:///{typo}", "--version", "v"]
    assert main([*argv, "--effective", "2025-06-01"]) == 2
    assert "no such database file" in capsys.readouterr().err and not typo.exists()
