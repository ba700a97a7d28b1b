"""Synchronization files: CSV, XML and XLSX read and written, templates, formula injection
neutralised, malformed and hostile files refused with clear errors, and round trips."""

from __future__ import annotations

import contextlib
import importlib
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlife.catalog import (
    Catalog,
    Classification,
    CustomField,
    FieldKind,
    Product,
    ProductType,
    ServiceKind,
    Validity,
)
from prodlife.clock import FixedClock
from prodlife.errors import ExportRefused, FileAccessError, ImportRefused, ProdlifeError
from prodlife.io.sync import (
    COLUMNS,
    FileFormat,
    ImportResult,
    RowOutcome,
    SyncDefinition,
    SyncLimits,
    SyncMode,
    export_products,
    import_products,
    template,
    write_products,
    write_template,
)
from prodlife.io.sync.columns import neutralized, restored
from prodlife.testing.catalogs import codes, texts

CLOCK = FixedClock(datetime(2025, 3, 1, tzinfo=UTC))
CHANNEL = ProductType("CH", "Channel", Classification.SERVICE, service_kind=ServiceKind.TERMED)
TYPES = Catalog(types=(CHANNEL,))


def load(
    data: bytes,
    file_format: FileFormat = FileFormat.CSV,
    catalog: Catalog = TYPES,
    limits: SyncLimits | None = None,
) -> ImportResult:
    definition = SyncDefinition("files", limits=limits or SyncLimits())
    return import_products(
        catalog,
        data,
        definition,
        clock=CLOCK,
        mode=SyncMode.ROW_BY_ROW,
        file_name=f"products.{file_format.value}",
    )


def refused(data: bytes, file_format: FileFormat = FileFormat.CSV, **kwargs: Any) -> ImportRefused:
    with pytest.raises(ImportRefused) as raised:
        load(data, file_format, **kwargs)
    return raised.value


def xlsx(*rows: list[Any]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def codes_of(result: ImportResult) -> list[str]:
    return [p.code for p in result.catalog.products]


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"code,name,type\nHBO,HBO,CH\n",
        b"code;name;type\r\nHBO;HBO;CH\r\n",
        b"\xef\xbb\xbfcode;name;type\nHBO;HBO;CH\n",
        b"Code, Name ,TYPE\nHBO,HBO,CH\n",
    ],
    ids=["comma", "semicolon-crlf", "bom", "header-case-and-spaces"],
)
def test_a_csv_file_is_read_whatever_its_separator_bom_and_header_case(data: bytes) -> None:
    assert codes_of(load(data)) == ["HBO"]


def test_a_semicolon_file_keeps_commas_inside_its_cells() -> None:
    result = load(b"code;name;type\nHBO;Films, series;CH\n")
    assert result.catalog.product("HBO").name == "Films, series"


def test_quoted_cells_keep_line_breaks_and_quotes() -> None:
    result = load(b'code,name,description,type\nHBO,HBO,"line one\r\nsaid ""hi""",CH\n')
    assert result.catalog.product("HBO").description == 'line one\r\nsaid "hi"'


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("code,name\nCAFÉ,x\n".encode("latin-1"), "file.encoding"),
        ("code,name\nHBO,x\n".encode("utf-16"), "file.encoding"),
        (b"", "file.empty"),
        (b"HBO,HBO,CH\n", "file.header"),
        (b"code,price\nHBO,9\n", "file.header"),
        (b"code,name,Code\nHBO,x,y\n", "file.header"),
        (b'code,name\nHBO,"unterminated\n', "csv.syntax"),
        (b'code,name\nHBO,"x"y\n', "csv.syntax"),
        (b"name,type\nHBO,CH\n", "file.header"),
    ],
    ids=[
        "latin-1",
        "utf-16",
        "empty",
        "no-header",
        "unknown-column",
        "duplicate-column",
        "unterminated-quote",
        "stray-quote",
        "no-code-column",
    ],
)
def test_a_malformed_csv_file_is_refused_as_a_whole(data: bytes, code: str) -> None:
    assert refused(data).code == code


def test_an_unknown_column_names_the_column_probably_meant() -> None:
    error = refused(b"code,nmae\nHBO,x\n")
    assert "did you mean 'name'?" in str(error)
    assert error.file_name == "products.csv"


def test_a_cell_under_no_column_fails_its_row() -> None:
    result = load(b"code,type\nHBO,CH,surplus\nCNN,CH\n")
    assert [(r.row, r.outcome) for r in result.run.rows] == [
        (2, RowOutcome.FAILED),
        (3, RowOutcome.CREATED),
    ]
    assert result.run.rows[0].errors[0].code == "row.extra-cells"


@pytest.mark.parametrize(
    ("lines", "column", "code"),
    [
        ("code,type,valid_from\nHBO,CH,2025-13-01", "valid_from", "value.date"),
        ("code,type,valid_from\nHBO,CH,31/02/2025 00:00", "valid_from", "value.date"),
        ("code,type,valid_to\nHBO,CH,01/01/2025 25:00", "valid_to", "value.date"),
        ("code,type,valid_from\nHBO,CH,tomorrow", "valid_from", "value.date"),
        ("code,type,udf_date_1\nHBO,CH,01/01/2025 10:30", "udf_date_1", "value.date"),
        ("code;type;udf_float_1\nHBO;CH;1,5", "udf_float_1", "value.number"),
        ("code,type,udf_float_1\nHBO,CH,NaN", "udf_float_1", "value.number"),
        ("code,type\nHBO,NOPE", "type", "value.unknown-type"),
    ],
)
def test_a_bad_value_fails_its_row_naming_the_column(lines: str, column: str, code: str) -> None:
    [row] = load(lines.encode()).run.rows
    assert (row.outcome, [(e.column, e.code) for e in row.errors]) == (
        RowOutcome.FAILED,
        [(column, code)],
    )


def test_dates_read_in_the_template_format_and_iso() -> None:
    result = load(
        b"code,type,valid_from,valid_to,udf_date_1\n"
        b"A,CH,1/2/2025,2025-12-31,2025-03-04\n"
        b"B,CH,01/02/2025 08:00,31/12/2025 00:00,04/03/2025 00:00\n"
    )
    a, b = result.catalog.product("A"), result.catalog.product("B")
    assert a.validity == Validity(date(2025, 2, 1), date(2025, 12, 31))
    assert b.validity == Validity(date(2025, 2, 1), date(2025, 12, 31))
    assert a.field("udf_date_1") == b.field("udf_date_1") == date(2025, 3, 4)


# --- XML -------------------------------------------------------------------------------------

XML_PRODUCT = b"""<?xml version="1.0" encoding="UTF-8"?>
<products>
  <product>
    <code>HBO</code>
    <name>HBO &amp; friends</name>
    <type>CH</type>
    <valid_from>01/01/2025 00:00</valid_from>
    <valid_to></valid_to>
    <error_message/>
  </product>
</products>
"""


def test_an_xml_file_in_seed_004s_shape_is_read() -> None:
    result = load(XML_PRODUCT, FileFormat.XML)
    hbo = result.catalog.product("HBO")
    assert (hbo.name, hbo.validity) == ("HBO & friends", Validity(date(2025, 1, 1)))
    assert [(r.row, r.outcome) for r in result.run.rows] == [(1, RowOutcome.CREATED)]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE products [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<products><product><code>&lol3;</code></product></products>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE products [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<products><product><code>&secret;</code></product></products>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE products SYSTEM "http://example.com/products.dtd">
<products/>
"""


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (BOMB, "xml.entities", "entity bomb"),
        (EXTERNAL, "xml.external", "file:///etc/passwd"),
        (EXTERNAL_DTD, "xml.dtd", "document type"),
        (b"<products><product><code>HBO</code></products>", "xml.syntax", "malformed"),
        (b"<products>\x00</products>", "xml.syntax", "malformed"),
        (b"<catalog/>", "xml.root", "<products>"),
        (b"<products>text<product/></products>", "xml.root", "text"),
        (
            b'<?xml version="1.0" encoding="utf-8"?><products><p>\xe9</p></products>',
            "xml.syntax",
            "",
        ),
    ],
    ids=["bomb", "external-entity", "external-dtd", "unclosed", "nul", "root", "text", "encoding"],
)
def test_a_hostile_or_malformed_xml_file_is_refused_with_a_clear_error(
    data: bytes, code: str, words: str
) -> None:
    error = refused(data, FileFormat.XML)
    assert error.code == code
    assert words in str(error)


@pytest.mark.parametrize(
    ("product", "code"),
    [
        ("<code>HBO</code><type>CH</type><colour>red</colour>", "row.unknown-column"),
        ("<code>HBO</code><type>CH</type><type>CH</type>", "row.duplicate-column"),
        ("<code>HBO</code><type><b>CH</b></type>", "row.element"),
    ],
    ids=["unknown", "twice", "nested"],
)
def test_a_malformed_xml_product_fails_its_row(product: str, code: str) -> None:
    cnn = "<product><code>CNN</code><type>CH</type></product>"
    data = f"<products><product>{product}</product>{cnn}</products>"
    result = load(data.encode(), FileFormat.XML)
    assert [row.outcome for row in result.run.rows] == [RowOutcome.FAILED, RowOutcome.CREATED]
    assert result.run.rows[0].errors[0].code == code


def test_an_element_that_is_not_a_product_fails_its_row() -> None:
    result = load(b"<products><item><code>HBO</code></item></products>", FileFormat.XML)
    assert result.run.rows[0].errors[0].code == "row.element"


# --- XLSX ------------------------------------------------------------------------------------


def test_a_spreadsheet_is_read_with_its_typed_cells() -> None:
    data = xlsx(
        ["code", "name", "type", "valid_from", "udf_float_1", "udf_date_1"],
        [1234, "Number coded", "CH", datetime(2025, 1, 1), 12.5, datetime(2025, 2, 3)],
    )
    result = load(data, FileFormat.XLSX)
    product = result.catalog.product("1234")
    assert product.validity == Validity(date(2025, 1, 1))
    assert product.field("udf_float_1") == Decimal("12.5")
    assert product.field("udf_date_1") == date(2025, 2, 3)


def test_a_formula_in_a_spreadsheet_fails_its_row_and_never_runs() -> None:
    data = xlsx(["code", "name", "type"], ["HBO", "=1+1", "CH"], ["CNN", "CNN", "CH"])
    result = load(data, FileFormat.XLSX)
    assert [row.outcome for row in result.run.rows] == [RowOutcome.FAILED, RowOutcome.CREATED]
    assert [(e.column, e.code) for e in result.run.rows[0].errors] == [("name", "value.formula")]


def test_a_true_or_false_cell_where_text_is_expected_fails_its_row() -> None:
    result = load(xlsx(["code", "name", "type"], ["HBO", True, "CH"]), FileFormat.XLSX)
    assert result.run.rows[0].errors[0].code == "value.type"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"PK\x03\x04 not really a zip", "xlsx.syntax"),
        (b"code,name\n", "xlsx.syntax"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(data: bytes, code: str) -> None:
    assert refused(data, FileFormat.XLSX).code == code


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_opened() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/huge.xml", b"\0" * 2_000_000)
    error = refused(
        out.getvalue(), FileFormat.XLSX, limits=SyncLimits(max_unpacked_bytes=1_000_000)
    )
    assert error.code == "xlsx.too-large"


def test_without_openpyxl_spreadsheets_fail_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.import_module

    def missing(name: str, *args: Any) -> Any:
        if name.startswith("openpyxl"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", missing)
    error = refused(xlsx(["code"], ["HBO"]), FileFormat.XLSX)
    assert error.code == "xlsx.unavailable"
    assert "prodlife[xlsx]" in str(error)
    with pytest.raises(ExportRefused, match=r"prodlife\[xlsx\]"):
        template(FileFormat.XLSX)


# --- limits and sources ----------------------------------------------------------------------


def test_a_file_larger_than_the_limit_is_refused() -> None:
    error = refused(b"code,type\n" + b"HBO,CH\n" * 100, limits=SyncLimits(max_bytes=100))
    assert error.code == "file.too-large"


def test_a_file_with_more_rows_than_the_limit_is_refused() -> None:
    data = b"code,type\n" + b"".join(f"P{n},CH\n".encode() for n in range(11))
    assert refused(data, limits=SyncLimits(max_rows=10)).code == "file.rows"


def test_a_cell_longer_than_the_limit_fails_its_row() -> None:
    result = load(
        b"code,type,name\nHBO,CH," + b"x" * 101 + b"\n", limits=SyncLimits(max_cell_chars=100)
    )
    assert [(e.column, e.code) for e in result.run.rows[0].errors] == [("name", "value.too-long")]


def test_a_file_read_from_a_path_records_its_name(tmp_path: Path) -> None:
    path = tmp_path / "provider.CSV"
    path.write_bytes(b"code,type\nHBO,CH\n")
    result = import_products(TYPES, path, SyncDefinition("d"), clock=CLOCK)
    assert (result.run.file_name, result.run.file_format) == ("provider.CSV", FileFormat.CSV)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("missing.csv", "file.missing"),
        ("folder.csv", "file.unreadable"),
        ("data.json", "file.format"),
    ],
)
def test_a_path_that_cannot_be_imported_is_refused(tmp_path: Path, name: str, code: str) -> None:
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(ImportRefused) as raised:
        import_products(TYPES, tmp_path / name, SyncDefinition("d"), clock=CLOCK)
    assert raised.value.code == code


# --- export and templates --------------------------------------------------------------------


@pytest.mark.parametrize("file_format", list(FileFormat))
def test_a_template_holds_every_column_and_no_product(file_format: FileFormat) -> None:
    data = template(file_format)
    result = load(data, file_format)
    assert result.catalog == TYPES
    assert all(row.outcome is RowOutcome.SKIPPED for row in result.run.rows)
    if file_format is FileFormat.CSV:
        assert data.decode("utf-8-sig").strip() == ",".join(COLUMNS)


@pytest.mark.parametrize("file_format", list(FileFormat))
def test_templates_and_exports_are_written_to_paths_by_suffix(
    tmp_path: Path, file_format: FileFormat
) -> None:
    path = tmp_path / f"products.{file_format.value}"
    write_template(path)
    assert (
        load(path.read_bytes(), file_format).run.rows
        == load(template(file_format), file_format).run.rows
    )
    catalog = TYPES.add(Product("HBO", "HBO", "CH"))
    write_products(catalog, path)
    # A workbook records when it was written, so compare what the files hold.
    assert load(path.read_bytes(), file_format).catalog == catalog
    if file_format is not FileFormat.XLSX:
        assert path.read_bytes() == export_products(catalog, file_format)


def test_writing_where_no_file_can_be_is_a_file_access_error(tmp_path: Path) -> None:
    with pytest.raises(FileAccessError):
        write_template(tmp_path / "missing" / "t.csv")
    with pytest.raises(ExportRefused):
        write_template(tmp_path / "t.txt")


DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "'=1", "''", "'x", "=", "-"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_neutralizing_is_undone_exactly_by_reading(text: str) -> None:
    assert restored(neutralized(text)) == text
    assert neutralized(text)[0] not in "=+-@\t\r"


@given(st.text(max_size=8))
def test_neutralized_text_never_starts_a_formula_and_reads_back(text: str) -> None:
    written = neutralized(text)
    assert not written or written[0] not in "=+-@\t\r"
    assert restored(written) == text


def test_an_export_opened_in_a_spreadsheet_runs_no_formula() -> None:
    product = Product(
        "HBO", '=HYPERLINK("http://evil","x")', "CH", description="@cmd", brand="-2+3"
    )
    data = export_products(TYPES.add(product), FileFormat.XLSX)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    values = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not any(value.startswith(("=", "+", "-", "@")) for value in values)
    text = export_products(TYPES.add(product), FileFormat.CSV).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "'@cmd" in text


@pytest.mark.parametrize(
    ("product", "file_format", "code"),
    [
        (Product("HBO", "bell\x07", "CH"), FileFormat.XML, "value.character"),
        (Product("HBO", "line\rfeed", "CH"), FileFormat.XLSX, "value.character"),
        (Product("HBO", "lone \ud800", "CH"), FileFormat.CSV, "value.character"),
        (Product("HBO", "HBO", "CH", categories={"a|b"}), FileFormat.CSV, "value.separator"),
        (
            Product(
                "HBO",
                "HBO",
                "CH",
                custom_fields=(CustomField("udf_string_1", FieldKind.NUMBER, 1),),
            ),
            FileFormat.CSV,
            "value.field-kind",
        ),
    ],
    ids=["xml-control", "xlsx-cr", "surrogate", "separator", "field-kind"],
)
def test_a_value_a_format_cannot_carry_is_refused_before_writing(
    product: Product, file_format: FileFormat, code: str
) -> None:
    with pytest.raises(ExportRefused) as raised:
        export_products(TYPES.add(product), file_format)
    assert raised.value.code == code


def test_bundles_are_left_out_of_an_export() -> None:
    from tests.test_io_sync import BASE

    result = load(export_products(BASE, FileFormat.CSV), catalog=BASE)
    assert [row.product_code for row in result.run.rows] == ["HBO", "CNN"]
    assert all(row.outcome is RowOutcome.UNCHANGED for row in result.run.rows)


# --- round trips -----------------------------------------------------------------------------

_XML_SAFE = st.characters(
    codec="utf-8", exclude_characters="\r" + "".join(map(chr, range(32))) + "\ufffe\uffff"
) | st.sampled_from("\t\n")
_CSV_SAFE = st.characters(codec="utf-8")
_UDF_KINDS = (
    [(f"udf_string_{n}", FieldKind.STRING) for n in range(1, 17)]
    + [(f"udf_float_{n}", FieldKind.NUMBER) for n in range(1, 5)]
    + [(f"udf_date_{n}", FieldKind.DATE) for n in range(1, 5)]
)
_DATES = st.dates(date(1, 1, 1), date(9999, 12, 30))


@st.composite
def expressible_products(draw: st.DrawFn, chars: st.SearchStrategy[str]) -> Product:
    """Products holding only what the synchronization columns carry."""
    text = st.text(chars, max_size=10)
    nonblank = st.text(chars, min_size=1, max_size=10).filter(lambda value: bool(value.strip()))
    start = draw(st.none() | _DATES)
    end = draw(st.none() | _DATES.filter(lambda day: start is None or day > start))
    fields = []
    for name, kind in draw(st.lists(st.sampled_from(_UDF_KINDS), unique=True, max_size=4)):
        value: Any
        if kind is FieldKind.STRING:
            value = draw(st.text(chars, min_size=1, max_size=10))
        elif kind is FieldKind.NUMBER:
            value = draw(st.decimals(-(10**9), 10**9, places=draw(st.integers(0, 4))))
        else:
            value = draw(_DATES)
        fields.append(CustomField(name, kind, value))
    order = {name: index for index, (name, _) in enumerate(_UDF_KINDS)}
    return Product(
        draw(codes()),
        draw(nonblank),
        "CH",
        alternative_code=draw(st.none() | codes()),
        description=draw(text),
        brand=draw(st.none() | nonblank),
        family=draw(st.none() | nonblank),
        categories=draw(st.frozensets(codes(), max_size=3)),
        validity=Validity(start, end),
        vat_code=draw(st.none() | codes()),
        tax_codes=tuple(draw(st.lists(codes(), max_size=3))),
        custom_fields=sorted(fields, key=lambda field: order[field.name]),
    )


def catalogs_of(chars: st.SearchStrategy[str]) -> st.SearchStrategy[Catalog]:
    return st.lists(
        expressible_products(chars),
        max_size=6,
        unique_by=(lambda p: p.code, lambda p: p.alternative_code or object()),
    ).map(lambda products: TYPES.add(*products))


_ROUND_TRIP = settings(
    max_examples=max(settings().max_examples // 4, 5),
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize("file_format", list(FileFormat))
@_ROUND_TRIP
@given(data=st.data())
def test_export_then_import_gives_back_the_identical_catalog(
    file_format: FileFormat, data: st.DataObject
) -> None:
    catalog = data.draw(catalogs_of(_CSV_SAFE if file_format is FileFormat.CSV else _XML_SAFE))
    exported = export_products(catalog, file_format)
    into_empty = load(exported, file_format, catalog=TYPES)
    assert into_empty.catalog == catalog
    assert into_empty.run.failed == 0
    into_same = load(exported, file_format, catalog=catalog)
    assert into_same.catalog == catalog
    assert {row.outcome for row in into_same.run.rows} <= {RowOutcome.UNCHANGED}


@_ROUND_TRIP
@given(data=st.data())
def test_reimporting_an_export_changes_nothing_of_any_catalog(data: st.DataObject) -> None:
    from prodlife.testing.catalogs import catalogs

    catalog = data.draw(catalogs())
    exported = export_products(catalog, FileFormat.CSV)
    result = load(exported, catalog=catalog)
    assert result.catalog == catalog
    assert {row.outcome for row in result.run.rows} <= {RowOutcome.UNCHANGED}


# --- fuzzing: nothing but prodlife's errors --------------------------------------------------

_CELLS = st.one_of(
    texts(),
    st.sampled_from(["HBO", "CH", "01/01/2025 00:00", "31/02/2025", "1.5", "=1", "a|b", ""]),
)
_HEADERS = st.lists(
    st.sampled_from([*COLUMNS[:14], "error_message"]), min_size=1, max_size=6, unique=True
)


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(_HEADERS, st.lists(st.lists(_CELLS, max_size=7), max_size=5), st.sampled_from([",", ";"]))
def test_any_csv_gives_a_run_or_a_prodlife_error(
    header: list[str], rows: list[list[str]], delimiter: str
) -> None:
    import csv as stdlib_csv

    out = io.StringIO()
    writer = stdlib_csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    try:
        result = load(out.getvalue().encode("utf-8", "surrogatepass"))
    except ProdlifeError:
        return
    numbers = [row.row for row in result.run.rows]
    assert numbers == sorted(set(numbers))


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(st.binary(max_size=300), st.sampled_from(list(FileFormat)))
def test_any_bytes_give_a_run_or_a_prodlife_error(data: bytes, file_format: FileFormat) -> None:
    with contextlib.suppress(ProdlifeError):
        load(data, file_format)


_SHEET_CELLS = (
    _CELLS
    | st.integers(-(10**15), 10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.none()
)


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(st.lists(st.lists(_SHEET_CELLS, max_size=5), min_size=1, max_size=4))
def test_any_spreadsheet_gives_a_run_or_a_prodlife_error(rows: list[list[Any]]) -> None:
    clean = [
        [cell if not isinstance(cell, str) else _xml_clean(cell) for cell in row] for row in rows
    ]
    with contextlib.suppress(ProdlifeError):
        load(xlsx(list(COLUMNS[:5]), *clean), FileFormat.XLSX)


def _xml_clean(text: str) -> str:
    from prodlife.io.sync._xml import INVALID

    return INVALID.sub("", text)
