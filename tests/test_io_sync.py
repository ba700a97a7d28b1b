"""Product synchronization (seed 004): definitions, matching, defaults, bundles, atomicity and
the recorded run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from prodlife.catalog import (
    Catalog,
    CatalogVersion,
    Classification,
    Composition,
    CustomField,
    FieldKind,
    FlexibleBundle,
    Pool,
    PoolKind,
    Product,
    ProductType,
    ServiceKind,
    Validity,
)
from prodlife.clock import FixedClock
from prodlife.errors import ImportRefused, InvalidCatalog, ValidationError
from prodlife.io.sync import (
    FileFormat,
    ImportResult,
    MatchOn,
    RowError,
    RowOutcome,
    RowResult,
    SyncDefaults,
    SyncDefinition,
    SyncLimits,
    SyncMode,
    SyncRun,
    import_products,
    run_from_data,
    run_to_data,
    synchronize,
)
from prodlife.ports import Store
from prodlife.stores import open_store
from tests._lifecycle import sell
from tests._support import d

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TERMED = {"classification": Classification.SERVICE, "service_kind": ServiceKind.TERMED}
CHANNEL = ProductType("CH", "Channel", **TERMED)  # type: ignore[arg-type]
RADIO = ProductType("RADIO", "Radio", **TERMED)  # type: ignore[arg-type]
PACK = ProductType("PACK", "Pack", composition=Composition.FLEXIBLE_BUNDLE, **TERMED)  # type: ignore[arg-type]
HBO = Product("HBO", "HBO", "CH", alternative_code="EXT-HBO", family="MOVIES", brand="Warner")
CNN = Product("CNN", "CNN", "CH", alternative_code="EXT-CNN", family="NEWS")
TV = Product("TV", "TV pack", "PACK")
BASE = Catalog(
    types=(CHANNEL, RADIO, PACK),
    products=(HBO, CNN, TV),
    bundles=(FlexibleBundle("TV", (Pool(PoolKind.FAMILY, "MOVIES", 1, 1),)),),
)


class TickingClock(FixedClock):
    """A clock that moves a second each time it is read, so start and finish differ."""

    def now(self) -> datetime:
        instant = super().now()
        self.advance(timedelta(seconds=1))
        return instant


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def run(
    data: bytes,
    definition: SyncDefinition | None = None,
    mode: SyncMode = SyncMode.ROW_BY_ROW,
    catalog: Catalog = BASE,
) -> ImportResult:
    return import_products(
        catalog,
        data,
        definition or SyncDefinition("test"),
        clock=TickingClock(START),
        mode=mode,
        file_name="products.csv",
    )


def outcomes(result: ImportResult) -> list[tuple[int, RowOutcome]]:
    return [(row.row, row.outcome) for row in result.run.rows]


def errors(result: ImportResult) -> dict[int, list[tuple[str | None, str]]]:
    return {
        row.row: [(error.column, error.code) for error in row.errors]
        for row in result.run.rows
        if row.errors
    }


# --- creating and updating -------------------------------------------------------------------


def test_a_row_with_a_new_code_creates_a_product_with_every_column() -> None:
    result = run(
        csv(
            "code,alternative_code,name,description,type,brand,family,category,valid_from,"
            "valid_to,vat_rate,tax_rate,udf_string_1,udf_float_2,udf_date_1",
            "ESPN,EXT-ESPN,ESPN HD,Sports all day,CH,Disney,SPORTS,tv|sports,01/02/2025 00:00,"
            "31/12/2025 23:59,VAT,CITY|STATE,gold,12.50,15/03/2025",
        )
    )
    assert outcomes(result) == [(2, RowOutcome.CREATED)]
    assert result.catalog.product("ESPN") == Product(
        "ESPN",
        "ESPN HD",
        "CH",
        alternative_code="EXT-ESPN",
        description="Sports all day",
        brand="Disney",
        family="SPORTS",
        categories={"tv", "sports"},
        validity=Validity(d("2025-02-01"), d("2026-01-01")),
        vat_code="VAT",
        tax_codes=("CITY", "STATE"),
        custom_fields=(
            CustomField("udf_string_1", FieldKind.STRING, "gold"),
            CustomField("udf_float_2", FieldKind.NUMBER, Decimal("12.50")),
            CustomField("udf_date_1", FieldKind.DATE, d("2025-03-15")),
        ),
    )


def test_a_new_product_without_a_name_is_named_by_its_code() -> None:
    result = run(csv("code,type", "ESPN,CH"))
    assert result.catalog.product("ESPN").name == "ESPN"


def test_a_matching_row_updates_only_the_columns_it_fills() -> None:
    result = run(csv("code,name,brand,family", "HBO,HBO Max,,"))
    assert outcomes(result) == [(2, RowOutcome.UPDATED)]
    updated = result.catalog.product("HBO")
    assert (updated.name, updated.brand, updated.family) == ("HBO Max", "Warner", "MOVIES")


def test_a_matching_row_that_changes_nothing_is_unchanged() -> None:
    result = run(csv("code,name,type", "HBO,HBO,CH"))
    assert outcomes(result) == [(2, RowOutcome.UNCHANGED)]
    assert result.catalog == BASE


def test_a_validity_bound_given_alone_keeps_the_other() -> None:
    catalog = BASE.add(Product("OLD", "Old", "CH", validity=Validity(d("2024-01-01"))))
    result = run(csv("code,valid_to", "OLD,01/01/2026 00:00"), catalog=catalog)
    assert result.catalog.product("OLD").validity == Validity(d("2024-01-01"), d("2026-01-01"))


def test_an_updated_custom_field_keeps_its_place_and_new_ones_follow() -> None:
    fields = (
        CustomField("colour", FieldKind.STRING, "red"),
        CustomField("udf_string_2", FieldKind.STRING, "old"),
    )
    catalog = BASE.add(Product("BOX", "Box", "CH", custom_fields=fields))
    result = run(csv("code,udf_string_2,udf_string_1", "BOX,new,first"), catalog=catalog)
    assert [(f.name, f.value) for f in result.catalog.product("BOX").custom_fields] == [
        ("colour", "red"),
        ("udf_string_2", "new"),
        ("udf_string_1", "first"),
    ]


# --- matching --------------------------------------------------------------------------------


def test_matching_on_the_alternative_code_finds_the_product_the_other_system_names() -> None:
    definition = SyncDefinition("ext", match_on=MatchOn.ALTERNATIVE_CODE)
    result = run(csv("alternative_code,name", "EXT-HBO,HBO from the provider"), definition)
    assert outcomes(result) == [(2, RowOutcome.UPDATED)]
    assert result.catalog.product("HBO").name == "HBO from the provider"


def test_matching_on_the_alternative_code_never_changes_a_code() -> None:
    definition = SyncDefinition("ext", match_on=MatchOn.ALTERNATIVE_CODE)
    result = run(csv("alternative_code,code", "EXT-HBO,HBO2"), definition)
    assert errors(result) == {2: [("code", "row.code-change")]}


def test_a_new_product_matched_on_alternative_code_cannot_take_an_existing_code() -> None:
    definition = SyncDefinition("ext", match_on=MatchOn.ALTERNATIVE_CODE)
    result = run(csv("alternative_code,code,type", "EXT-NEW,HBO,CH"), definition)
    assert errors(result) == {2: [("code", "row.code-taken")]}


def test_without_update_matching_a_matching_row_is_an_error_and_the_product_is_kept() -> None:
    definition = SyncDefinition("create only", update_matching=False)
    result = run(csv("code,name,type", "HBO,Changed,CH", "ESPN,ESPN,CH"), definition)
    assert errors(result) == {2: [(None, "row.exists")]}
    assert result.catalog.product("HBO") == HBO
    assert result.catalog.product("ESPN").name == "ESPN"


def test_a_code_on_two_rows_fails_both_rows() -> None:
    result = run(csv("code,type", "ESPN,CH", "FOX,CH", "ESPN,RADIO"))
    assert errors(result) == {2: [("code", "row.duplicate")], 4: [("code", "row.duplicate")]}
    assert "rows 2, 4" in result.run.rows[0].errors[0].description
    assert [p.code for p in result.catalog.products] == ["HBO", "CNN", "TV", "FOX"]


def test_a_row_without_the_matching_code_fails() -> None:
    result = run(csv("code,name,type", ",Nameless,CH"))
    assert errors(result) == {2: [("code", "row.missing-code")]}


def test_a_file_without_the_matching_column_is_refused() -> None:
    definition = SyncDefinition("ext", match_on=MatchOn.ALTERNATIVE_CODE)
    with pytest.raises(ImportRefused) as raised:
        run(csv("code,name", "HBO,x"), definition)
    assert raised.value.code == "file.header"


# --- defaults --------------------------------------------------------------------------------

DEFAULTS = SyncDefaults(
    type_code="CH",
    family="GENERAL",
    brand="House",
    category="tv",
    vat_code="VAT",
    tax_code="CITY",
    validity=Validity(d("2025-01-01")),
)


def test_defaults_fill_what_a_new_row_leaves_empty() -> None:
    result = run(csv("code", "ESPN"), SyncDefinition("d", defaults=DEFAULTS))
    espn = result.catalog.product("ESPN")
    assert (espn.type_code, espn.family, espn.brand, espn.vat_code) == (
        "CH",
        "GENERAL",
        "House",
        "VAT",
    )
    assert (espn.categories, espn.tax_codes) == (frozenset({"tv"}), ("CITY",))
    assert espn.validity == Validity(d("2025-01-01"))


def test_defaults_replace_values_that_do_not_exist() -> None:
    definition = SyncDefinition(
        "d",
        defaults=DEFAULTS,
        families={"GENERAL", "SPORTS"},
        categories={"tv", "radio"},
        tax_codes={"CITY", "STATE"},
    )
    result = run(
        csv("code,type,family,category,tax_rate", "ESPN,FIBRE,GOLF,tv|golf,STATE|MOON"), definition
    )
    espn = result.catalog.product("ESPN")
    assert (espn.type_code, espn.family) == ("CH", "GENERAL")
    assert espn.categories == frozenset({"tv"})
    assert espn.tax_codes == ("STATE", "CITY")


def test_without_a_default_a_value_that_does_not_exist_is_an_error_of_its_column() -> None:
    definition = SyncDefinition("d", families={"NEWS"}, brands={"Warner"})
    result = run(csv("code,type,family,brand", "ESPN,FIBRE,GOLF,Acme"), definition)
    assert errors(result) == {
        2: [
            ("type", "value.unknown-type"),
            ("brand", "value.unknown-brand"),
            ("family", "value.unknown-family"),
        ]
    }


def test_defaults_do_not_touch_an_updated_product() -> None:
    result = run(csv("code,name", "HBO,HBO"), SyncDefinition("d", defaults=DEFAULTS))
    assert result.catalog.product("HBO") == HBO


def test_a_new_product_without_a_type_or_default_fails() -> None:
    assert errors(run(csv("code,name", "ESPN,ESPN"))) == {2: [("type", "value.missing")]}


def test_a_default_outside_the_values_that_exist_is_refused() -> None:
    with pytest.raises(ValidationError, match="default family 'X'"):
        SyncDefinition("d", defaults=SyncDefaults(family="X"), families={"NEWS"})


@pytest.mark.parametrize("name", ["", "  ", 5])
def test_a_definition_needs_a_name(name: Any) -> None:
    with pytest.raises(ValidationError):
        SyncDefinition(name)


@pytest.mark.parametrize("value", [0, -1, True, 1.5])
def test_limits_are_whole_numbers_of_at_least_one(value: Any) -> None:
    with pytest.raises(ValidationError, match="max_rows"):
        SyncLimits(max_rows=value)


# --- bundles and catalog rules ----------------------------------------------------------------


def test_a_row_of_a_bundle_type_is_refused_with_its_own_error() -> None:
    result = run(csv("code,type", "KIDS,PACK"))
    assert errors(result) == {2: [("type", "row.bundle")]}


def test_a_row_matching_a_bundle_product_is_refused_with_its_own_error() -> None:
    result = run(csv("code,name", "TV,New name"))
    assert errors(result) == {2: [(None, "row.bundle")]}
    assert result.catalog.product("TV") == TV


def test_a_row_breaking_a_product_rule_fails_with_that_rule() -> None:
    result = run(csv("code,type,valid_from,valid_to", "ESPN,CH,01/02/2025,01/01/2025"))
    [(column, code)] = errors(result)[2]
    assert (column, code) == ("valid_to", "product.validity")


def test_a_row_taking_another_products_alternative_code_fails() -> None:
    result = run(csv("code,alternative_code,type", "ESPN,EXT-HBO,CH"))
    assert errors(result) == {2: [("alternative_code", "catalog.duplicate-alternative-code")]}


def test_two_rows_swapping_alternative_codes_both_apply() -> None:
    result = run(csv("code,alternative_code", "HBO,EXT-CNN", "CNN,EXT-HBO"))
    assert outcomes(result) == [(2, RowOutcome.UPDATED), (3, RowOutcome.UPDATED)]
    assert result.catalog.product("HBO").alternative_code == "EXT-CNN"


def test_a_row_that_would_empty_a_bundles_pool_fails_with_the_bundle_rule() -> None:
    result = run(csv("code,family", "CNN,SPORTS", "HBO,NEWS"))
    failures = errors(result)
    assert list(failures) == [3]
    assert failures[3][0][1].startswith("bundle.")
    assert "bundles[TV]" in result.run.rows[1].errors[0].description
    assert result.catalog.product("HBO").family == "MOVIES"
    assert result.catalog.product("CNN").family == "SPORTS"


# --- atomicity -------------------------------------------------------------------------------

MIXED = csv("code,type,valid_from", "ESPN,CH,", "FOX,CH,31/02/2025", "HBO,RADIO,")


def test_all_or_nothing_applies_nothing_when_one_row_fails() -> None:
    result = run(MIXED, mode=SyncMode.ALL_OR_NOTHING)
    assert result.catalog is BASE
    assert outcomes(result) == [
        (2, RowOutcome.NOT_APPLIED),
        (3, RowOutcome.FAILED),
        (4, RowOutcome.NOT_APPLIED),
    ]
    assert not result.run.applied
    assert (result.run.created, result.run.updated, result.run.failed) == (0, 0, 1)


def test_row_by_row_applies_every_valid_row_and_nothing_of_a_failed_one() -> None:
    result = run(MIXED, mode=SyncMode.ROW_BY_ROW)
    assert outcomes(result) == [
        (2, RowOutcome.CREATED),
        (3, RowOutcome.FAILED),
        (4, RowOutcome.UPDATED),
    ]
    assert "FOX" not in {p.code for p in result.catalog.products}
    assert result.catalog.product("HBO").type_code == "RADIO"
    assert (result.run.created, result.run.updated, result.run.failed) == (1, 1, 1)


def test_all_or_nothing_applies_everything_when_every_row_is_valid() -> None:
    result = run(csv("code,type", "ESPN,CH", "FOX,CH"), mode=SyncMode.ALL_OR_NOTHING)
    assert outcomes(result) == [(2, RowOutcome.CREATED), (3, RowOutcome.CREATED)]
    assert result.run.applied


def test_an_empty_row_is_skipped() -> None:
    result = run(csv("code,type", ",", "ESPN,CH"))
    assert outcomes(result) == [(2, RowOutcome.SKIPPED), (3, RowOutcome.CREATED)]


# --- the run ---------------------------------------------------------------------------------


def test_a_run_records_the_definition_file_times_and_one_entry_per_row() -> None:
    definition = SyncDefinition("provider A")
    result = run(MIXED, definition)
    recorded = result.run
    assert recorded.definition == definition
    assert (recorded.file_name, recorded.file_format) == ("products.csv", FileFormat.CSV)
    assert (recorded.started, recorded.finished) == (START, START + timedelta(seconds=1))
    assert [row.row for row in recorded.rows] == [2, 3, 4]
    [failure] = recorded.failures()
    assert failure.errors == (
        RowError(
            "value.date",
            "'31/02/2025' is not a date that exists; check the day and month",
            "valid_from",
        ),
    )


def test_a_run_becomes_plain_data_and_comes_back_equal() -> None:
    recorded = run(MIXED, SyncDefinition("d", defaults=DEFAULTS, families={"GENERAL"})).run
    data = run_to_data(recorded)
    assert data["counts"] == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "failed": 1,
        "not applied": 0,
        "skipped": 0,
    }
    assert run_from_data(data) == recorded


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.update(counts={"created": 5}),
        lambda data: data.update(colour="red"),
        lambda data: data.pop("rows"),
        lambda data: data["rows"][0].update(outcome="exploded"),
    ],
    ids=["counts", "unknown key", "missing rows", "bad outcome"],
)
def test_bad_run_data_is_refused(change: Any) -> None:
    data = run_to_data(run(MIXED).run)
    change(data)
    with pytest.raises(ValidationError):
        run_from_data(data)


def test_a_run_is_a_value() -> None:
    one = SyncRun(
        SyncDefinition("d"),
        "f.csv",
        FileFormat.CSV,
        SyncMode.ROW_BY_ROW,
        START,
        START,
        [RowResult(2, RowOutcome.CREATED, "X")],
    )
    assert one.rows == (RowResult(2, RowOutcome.CREATED, "X"),)
    assert hash(one) == hash(SyncRun(**vars_of(one)))


def vars_of(value: Any) -> dict[str, Any]:
    import attrs

    return attrs.asdict(value, recurse=False)


# --- into a store ----------------------------------------------------------------------------


def stored_base(url: str = "memory:") -> Store:
    """A store at ``url`` holding :data:`BASE` as catalog version "2025", from 2025-01-01."""
    store = open_store(url)
    sell(store, BASE)
    return store


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_synchronize_stores_the_result_as_a_new_catalog_version(tmp_path: Path, kind: str) -> None:
    url = "memory:" if kind == "memory" else f"sqlite:///{tmp_path / 'billing.db'}"
    store = stored_base(url)
    recorded = synchronize(
        store,
        MIXED,
        SyncDefinition("provider A"),
        version="2025-03 sync",
        effective=d("2025-03-01"),
        clock=TickingClock(START),
        mode=SyncMode.ROW_BY_ROW,
        file_name="products.csv",
    )
    assert recorded.run.catalog_version == "2025-03 sync"
    with store.transaction(readonly=True) as uow:
        versions = uow.catalog.versions()
        assert uow.sync_runs.get(recorded.id) == recorded.run
        assert uow.sync_runs.recent() == [recorded]
    assert versions.in_force(d("2025-02-28")).catalog == BASE
    new = versions.in_force(d("2025-03-01")).catalog
    assert new.product("ESPN").type_code == "CH"
    assert new.product("HBO").type_code == "RADIO"
    store.close()


def test_synchronize_stores_nothing_when_all_or_nothing_fails() -> None:
    store = stored_base()
    recorded = synchronize(
        store,
        MIXED,
        SyncDefinition("d"),
        version="v",
        effective=d("2025-03-01"),
        clock=TickingClock(START),
        file_name="p.csv",
    )
    assert (recorded.run.catalog_version, recorded.run.failed) == (None, 1)
    assert not recorded.run.applied
    with store.transaction(readonly=True) as uow:
        assert [v.name for v in uow.catalog.versions().versions] == ["2025"]
        assert uow.sync_runs.recent() == [recorded]  # the refused run is recorded all the same


def test_synchronize_into_a_store_without_a_catalog_starts_from_an_empty_one() -> None:
    store = open_store("memory:")
    recorded = synchronize(
        store,
        csv("code,type", "ESPN,CH"),
        SyncDefinition("d"),
        version="v",
        effective=d("2025-03-01"),
        clock=TickingClock(START),
        file_name="p.csv",
    )
    assert recorded.run.catalog_version is None
    assert recorded.run.rows[0].errors[0].code == "value.unknown-type"


class _CrashingClock:
    """A clock whose second reading fails: the run crashes after its rows were applied."""

    def __init__(self) -> None:
        self.readings = 0

    def now(self) -> datetime:
        self.readings += 1
        if self.readings > 1:
            raise RuntimeError("the process died")
        return START


def test_a_run_that_crashes_before_its_commit_records_neither_run_nor_version() -> None:
    store = stored_base()
    with pytest.raises(RuntimeError, match="died"):
        synchronize(
            store,
            csv("code,type", "ESPN,CH"),
            SyncDefinition("d"),
            version="v",
            effective=d("2025-03-01"),
            clock=_CrashingClock(),
            file_name="p.csv",
        )
    with store.transaction(readonly=True) as uow:
        assert [v.name for v in uow.catalog.versions().versions] == ["2025"]
        assert uow.sync_runs.recent() == []


def test_synchronize_refuses_a_second_version_on_the_same_day() -> None:
    store = open_store("memory:")
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("2025", d("2025-03-01"), BASE))
        uow.commit()
    with pytest.raises(InvalidCatalog, match=r"version\.same-day"):
        synchronize(
            store,
            csv("code,type", "ESPN,CH"),
            SyncDefinition("d"),
            version="again",
            effective=d("2025-03-01"),
            clock=TickingClock(START),
            file_name="p.csv",
        )
    with store.transaction(readonly=True) as uow:
        assert [v.name for v in uow.catalog.versions().versions] == ["2025"]


def test_a_long_import_reports_its_progress_every_thousand_rows() -> None:
    rows = [f"P{n},Product {n},CH" for n in range(2500)]
    seen: list[tuple[int, int]] = []
    result = import_products(
        BASE,
        csv("code,name,type", *rows),
        SyncDefinition("test"),
        clock=TickingClock(START),
        mode=SyncMode.ROW_BY_ROW,
        file_name="products.csv",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]
    assert len(result.run.rows) == 2500
