"""Benchmark product synchronization: a CSV file of 100,000 products imported into SQLite.

Run: ``PYTHONPATH=src python benchmarks/bench_sync.py [rows]`` (default 100,000).

Prints the time of each step of ``synchronize`` (reading the file into rows, applying them
to the catalog with every check, storing the new catalog version in an SQLite file) and the
whole import, next to plain ``csv`` parsing of the same file measured in the same run, with
the ratio. Target: the whole import under 10 s on this machine. A second import of the same
file into the stored catalog (every row matches and updates) is measured too.
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from prodlife._bulk import bulk
from prodlife.catalog import Catalog, CatalogVersion, Classification, ProductType, ServiceKind
from prodlife.clock import FixedClock
from prodlife.io.sync import FileFormat, SyncDefinition, SyncMode, synchronize
from prodlife.io.sync.apply import apply_rows
from prodlife.io.sync.source import read_source
from prodlife.stores import open_store

TYPES = (ProductType("CH", "Channel", Classification.SERVICE, service_kind=ServiceKind.TERMED),)


def make_file(rows: int, edition: int = 1) -> bytes:
    """A CSV file of ``rows`` products, every column of the template filled for most."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "code",
            "alternative_code",
            "name",
            "description",
            "type",
            "brand",
            "family",
            "category",
            "valid_from",
            "valid_to",
            "vat_rate",
            "tax_rate",
            "udf_string_1",
            "udf_float_1",
            "udf_date_1",
        ]
    )
    for n in range(rows):
        writer.writerow(
            [
                f"P{n:07d}",
                f"EXT-{n:07d}",
                f"Product {n}, edition {edition}",
                f"Description of product {n}, with a comma",
                "CH",
                ("Acme", "Globex", "Initech")[n % 3],
                ("MOVIES", "NEWS", "SPORTS", "KIDS")[n % 4],
                "tv|premium" if n % 2 else "tv",
                "01/01/2025 00:00",
                "" if n % 5 else "31/12/2026 23:59",
                "VAT",
                "CITY|STATE",
                f"note {n}",
                f"{n % 1000}.50",
                "15/03/2025",
            ]
        )
    return out.getvalue().encode("utf-8")


def plain_csv(data: bytes) -> float:
    """The baseline: decode and parse the same file with the standard library alone."""
    start = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    elapsed = time.perf_counter() - start
    assert len(rows) > 1
    return elapsed


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = make_file(rows)
    definition = SyncDefinition("benchmark")
    clock = FixedClock(datetime(2025, 3, 1, tzinfo=UTC))
    baseline = plain_csv(data)
    print(f"file: {rows:,} rows, {len(data) / 1e6:.1f} MB")
    print(f"plain csv parsing:           {baseline:7.3f} s")

    with bulk():  # as synchronize does
        start = time.perf_counter()
        table = read_source(data, definition.limits, file_name="products.csv")
        read = time.perf_counter() - start
        start = time.perf_counter()
        applied = apply_rows(Catalog(types=TYPES), table, definition, SyncMode.ALL_OR_NOTHING)
        apply = time.perf_counter() - start
    assert len(applied.catalog.products) == rows
    print(f"reading into rows:           {read:7.3f} s  ({read / baseline:5.1f}x plain csv)")
    print(f"applying with every check:   {apply:7.3f} s")

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'billing.db'}")
        with store.transaction() as uow:
            uow.catalog.add_version(CatalogVersion("base", date(2025, 1, 1), Catalog(types=TYPES)))
            uow.commit()
        for label, content, version, effective in (
            ("import into SQLite (create)", data, "v1", date(2025, 3, 1)),
            ("again (update every row)   ", make_file(rows, 2), "v2", date(2025, 4, 1)),
        ):
            start = time.perf_counter()
            stored = synchronize(
                store,
                content,
                definition,
                version=version,
                effective=effective,
                clock=clock,
                mode=SyncMode.ALL_OR_NOTHING,
                file_name="products.csv",
                file_format=FileFormat.CSV,
            )
            whole = time.perf_counter() - start
            run = stored.run
            assert run.failed == 0, run.failures()[:3]
            print(
                f"{label}: {whole:7.3f} s  ({whole / baseline:5.1f}x plain csv; "
                f"target under 10 s: {'met' if whole < 10 else 'MISSED'}; "
                f"created {run.created:,}, updated {run.updated:,})"
            )
        store.close()


if __name__ == "__main__":
    main()
