"""The TOML reader: what ``tomllib`` reads, read the same; what it refuses, refused the same.

``prodlife.io.toml.loads`` reads the lines prodlife's writer produces through the JSON
decoder and hands anything else to ``tomllib``. The properties below compare it with
``tomllib.loads`` on documents made of lines close to that subset, on both sides of its edge.
"""

from __future__ import annotations

import contextlib
import json
import time
import tomllib
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from prodlife.io import toml
from prodlife.io.toml import dumps, loads


def _tomllib(text: str) -> object:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return ("refused", str(error))  # the same error: the same message, line and column


def _ours(text: str) -> object:
    try:
        return loads(text)
    except tomllib.TOMLDecodeError as error:
        return ("refused", str(error))


_BARE = st.sampled_from(["a", "b", "code", "x-1", "A_2", "0"])
# '"!"' and "!": the key the reader marks each table's end with ("!" is no bare key).
_KEY = _BARE | st.sampled_from(['"q"', "a.b", "a b", "", "é", " a", '"!"', "!"])
_INT = st.integers(-(10**20), 10**20).map(str) | st.sampled_from(
    ["+1", "01", "-0", "0x1F", "1_000", "1.5", "1e5", "-0.0", "inf", "nan", "1E400"]
)
_STRING = st.text(max_size=6).map(lambda t: json.dumps(t, ensure_ascii=False)) | st.sampled_from(
    [
        '"\\/"',
        '"\\ud800"',
        '"\\uDFFF"',
        '"\\U0001F600"',
        '"\\u00e9"',
        '"\\e"',
        '"a\tb"',
        '"a\x7fb"',
        '"a = b"',
        "'literal'",
        '"""multi"""',
        '"\\u0000"',
        # Text shaped like what the reader makes of lines: its table separator, a
        # header line, a key line; raw characters JSON and TOML read alike.
        '"!\\":0},{\\""',
        '"\\n[a]\\n"',
        '"\\":1,\\"b"',
        '"\ud800"',
        '"\u2028\x85"',
    ]
)
_SCALAR = _STRING | _INT | st.sampled_from(["true", "false", "null", "True", "2025-01-01"])
_ARRAY = st.lists(_SCALAR, max_size=3).flatmap(
    lambda items: st.sampled_from(
        ["[" + ", ".join(items) + "]", "[" + ",".join(items) + "]", "[" + ", ".join(items) + ",]"]
    )
)
_VALUE = _SCALAR | _ARRAY | st.sampled_from(["{a = 1}", '{"a": 1}', "[[1], [2]]", ""])
_PATH = st.lists(_BARE, min_size=1, max_size=3).map(".".join)
_LINE = st.one_of(
    st.tuples(_KEY, _VALUE).map(lambda pair: f"{pair[0]} = {pair[1]}"),
    st.tuples(_BARE, _VALUE).map(lambda pair: f"{pair[0]}={pair[1]}"),
    _PATH.map(lambda path: f"[{path}]"),
    _PATH.map(lambda path: f"[[{path}]]"),
    _PATH.map(lambda path: f"[ {path} ]"),
    _PATH.map(lambda path: f"[[{path}]"),
    _PATH.map(lambda path: f'[{path}."!"]'),
    _PATH.map(lambda path: f"[{path}] # note"),
    st.sampled_from(["", "# note", "#\ttab", "#\x01", "  ", "a = 1 # note", ",1", "1"]),
    st.sampled_from(["#[a]", "a = 1 ", "[a] ", '["a"]', "\r", "\ufeffa = 1"]),
)
_NEWLINE = st.sampled_from(["\n", "\r\n"])


@st.composite
def _documents(draw: st.DrawFn) -> str:
    """Lines of ``_LINE``, each ended as the others or each its own way, the last maybe not."""
    lines = draw(st.lists(_LINE, max_size=12))
    if draw(st.booleans()):
        ends = [draw(_NEWLINE)] * len(lines)
    else:
        ends = draw(st.lists(_NEWLINE, min_size=len(lines), max_size=len(lines)))
    if draw(st.booleans()) and lines:
        ends[-1] = ""
    return "".join(line + end for line, end in zip(lines, ends, strict=True))


_DOCUMENT = _documents()


@settings(max_examples=max(settings().max_examples * 5, 50))
@given(_DOCUMENT)
def test_any_document_reads_as_tomllib_reads_it(text: str) -> None:
    assert repr(_ours(text)) == repr(_tomllib(text))  # repr: nan is not nan


_GOOD_VALUE = st.one_of(
    st.text(max_size=4).map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.integers(-99, 99).map(str),
    st.sampled_from(["true", "false", "[]", '["a", 1]', '"a = b"']),
    # Text shaped like the reader's own separators and lines.
    st.sampled_from(['"!\\":0},{\\""', '"\\n[b]\\n"', '"[a]"', '"#"', '["!", "\\n"]']),
)
_SUBSET_LINE = st.one_of(
    st.tuples(_BARE, _GOOD_VALUE).map(lambda pair: f"{pair[0]} = {pair[1]}"),
    _PATH.map(lambda path: f"[{path}]"),
    _PATH.map(lambda path: f"[[{path}]]"),
    st.sampled_from(["", "# note"]),
)


@settings(max_examples=max(settings().max_examples * 5, 50))
@given(st.lists(_SUBSET_LINE, max_size=12).map("\n".join))
def test_documents_of_the_lines_the_fast_reader_takes_read_as_tomllib_reads_them(
    text: str,
) -> None:
    """Tables and keys defined twice, over each other, in any order: tomllib's answer."""
    assert _ours(text) == _tomllib(text)


# What the writer produces, and the reader takes itself (integers of at most 18 digits).
_TEXT = st.text(st.characters(codec="utf-8"), max_size=8)
_LEAVES = st.one_of(_TEXT, st.booleans(), st.integers(-(10**18) + 1, 10**18 - 1))
_NAMES = st.sampled_from(["code", "name", "x-1", "a_b", "0"])


def toml_values(
    keys: st.SearchStrategy[str], leaves: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Values a TOML document holds under a key: ``leaves``, arrays of them, tables with
    ``keys``, and arrays of tables, nested."""
    return st.recursive(
        leaves | st.lists(leaves, max_size=3),
        lambda inner: (
            st.lists(st.dictionaries(keys, inner, max_size=3), min_size=1, max_size=2)
            | st.dictionaries(keys, inner, max_size=3)
        ),
        max_leaves=12,
    )


_DATA = toml_values(_NAMES, _LEAVES)


@given(st.dictionaries(_NAMES, _DATA, max_size=4))
def test_what_the_writer_writes_is_read_back_exactly_without_tomllib(data: dict[str, Any]) -> None:
    text = dumps(data)
    assert toml.loads(text) == data
    # Text holding " = " itself goes to tomllib (the reader splits key lines on it).
    assume(" = " not in json.dumps(data, ensure_ascii=False))
    assert toml._subset(text) == data


def test_a_catalog_document_with_comments_and_blank_lines_is_read_without_tomllib() -> None:
    text = '# catalog\n\n\ncode = "X"\n\n[[products]]\n# the first\ncode = "A"\n\n[products.v]\n'
    assert (
        toml._subset(text)
        == tomllib.loads(text)
        == {
            "code": "X",
            "products": [{"code": "A", "v": {}}],
        }
    )


@pytest.mark.parametrize(
    "text",
    [
        "a = 1\na = 2\n",  # a key twice
        "[t]\n[t]\n",  # a table twice
        "a = 1\n[a]\n",  # a table over a value
        "a = [1]\n[[a]]\n",  # an array of tables over an array
        "[a]\n[[a]]\n",
        "[[a]]\n[a]\n",
        "[a.b]\nc = 1\n[a]\nb = 2\n",
        "a = 1\n[a.b]\n",
        'a = "x = y"\n',
    ],
)
def test_documents_the_fast_reader_leaves_to_tomllib_read_as_tomllib_reads_them(text: str) -> None:
    with pytest.raises(toml._Other):
        toml._subset(text)
    assert _ours(text) == _tomllib(text)


def test_a_refused_document_raises_tomllibs_own_error() -> None:
    with pytest.raises(tomllib.TOMLDecodeError, match="line 2"):
        loads('a = 1\nb = "\\/"\n')


# Headers over two names, three deep: arrays of tables that get new tables while tables
# under their last one are named again (the reader remembers each path's table until then).
_NEAR_PATH = st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=3).map(".".join)
_NEAR_LINE = st.one_of(
    st.sampled_from(["[[a]]", "[[a.b]]", "[[b]]"]),  # new tables in arrays, often
    _NEAR_PATH.map(lambda path: f"[{path}]"),
    _NEAR_PATH.map(lambda path: f"[[{path}]]"),
    st.sampled_from(["x = 1", ""]),
)


@settings(max_examples=max(settings().max_examples * 10, 50))
@given(st.lists(_NEAR_LINE, max_size=16).map("\n".join), st.sampled_from(["", "\n", "\n\n"]))
@example("[[a]]\n[a.b.a]\n[[a]]\n[a.b.b]", "\n")  # a.b named again under the new a
def test_headers_naming_the_same_paths_again_read_as_tomllib_reads_them(
    text: str, end: str
) -> None:
    document = text + end
    expected = _tomllib(document)
    assert _ours(document) == expected
    with contextlib.suppress(toml._Other):  # or left to tomllib
        assert toml._subset(document) == expected


@given(st.dictionaries(_NAMES, _DATA, max_size=4), st.sampled_from(["", "\n", "\n\n\n"]))
def test_what_the_writer_writes_with_blank_lines_added_at_its_end_is_read_without_tomllib(
    data: dict[str, Any], end: str
) -> None:
    text = dumps(data)
    assert toml._subset(text.rstrip("\n") + end) == toml._subset(text) == data


def _edited(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with its lines edited: each edit ``(kind, where, line)`` deletes, inserts,
    repeats, swaps, or ends with spaces or a carriage return, the line at ``where``."""
    lines = text.split("\n")
    for kind, where, line in edits:
        at = where % len(lines)
        if kind == 0:
            del lines[at]
            lines = lines or [""]
        elif kind == 1:
            lines.insert(at, line)
        elif kind == 2:
            lines.insert(at, lines[(at * 7 + 3) % len(lines)])
        elif kind == 3:
            other = (at * 5 + 1) % len(lines)
            lines[at], lines[other] = lines[other], lines[at]
        else:
            lines[at] += line if kind == 4 else "\r"
    return "\n".join(lines)


_EDIT = st.tuples(
    st.integers(0, 5),
    st.integers(0, 1000),
    st.sampled_from(["", "", "# note", "[a]", "[[a]]", "[a.b]", "[[a.b]]", "code = 1", " "]),
)


@settings(max_examples=max(settings().max_examples * 5, 50))
@given(st.dictionaries(_NAMES, _DATA, max_size=4), st.lists(_EDIT, max_size=4))
def test_what_the_writer_writes_edited_a_little_reads_as_tomllib_reads_it(
    data: dict[str, Any], edits: list[tuple[int, int, str]]
) -> None:
    """The writer's nested tables and arrays of tables, with lines dropped, added, repeated
    or moved: tables defined twice or out of order, keys in other tables, stray blanks."""
    text = _edited(dumps(data), edits)
    assert repr(_ours(text)) == repr(_tomllib(text))


# Documents at the edges of the reader's subset and of its splitting into tables, each
# read by the fast reader (True) or left to tomllib (False), and always read alike.
_EDGES = [
    ("", True),  # empty
    ("\n\n\n", True),
    ("# only\n# comments", True),
    ("#", True),
    ("[a]", True),  # a header at the very end, no newline
    ("x = 1\n[a]", True),
    ("[a]\n[b]", True),  # headers right after headers
    ("[a]\n[b]\n[c]\n[d]\n", True),
    ("[[a]]\n[[a]]\n[[a]]", True),
    ("[a]\n# note\n[b]\n#\nx = 1", True),  # comments after headers
    ("\n\n[a]\n\n\nx = 1\n\n\n[b]\n\n", True),  # blank lines anywhere
    ("x = 1\n\n\n", True),
    ('x = "[a]"\n', True),  # a header inside a string
    ('x = "\\n[a]\\n"\n[a]\n', True),
    ('x = "!\\":0},{\\""\n[a]\ny = "!"\n', True),  # the reader's separator, as text
    ("[[a]]\n[[a.b]]\n[[a]]\n[[a.b]]\n[a.b.c]", True),  # arrays of tables in arrays
    ("[[a]]\n[a.b]\n[[a]]\n[a.b]", True),
    ("[[a]]\n[[a.b]]\n[a.b.c]\n[[a]]\n[a.b.c]", True),
    ("[[0]]\n[0.0]\n[[0]]\n[0.0]", True),
    ("[a.b.c]\n[a.d]", True),
    ("[ab]\n[a]\n[b]", True),
    ('x = "\ud800"\n# \ud800\u2028\x85', True),  # raw characters JSON and TOML take
    ("[a.b]\n[a]", False),  # a table defined after its sub-table
    ("[a.b]\nx = 1\n[a]\ny = 2", False),
    ("[a.b.c]\n[a.b]\n[a]", False),
    ("[[a.b]]\n[a]\nx = 1", False),
    ("[a]\n[a]", False),  # defined twice
    ("[[a]]\n[a]", False),
    ("[a]\n[[a]]", False),
    ("[[a.b]]\n[[a]]", False),
    ("a = []\n[[a]]", False),
    ("a = [1]\n[a.b]", False),
    ("[a]\nb = 1\n[a.b]", False),
    ("[[a]]\nx = []\n[[a.x]]", False),
    ("[a]\nx = 1\nx = 1", False),
    ('"!" = 1', False),  # the mark's name, quoted
    ('[a."!"]\nx = 1', False),
    ("! = 1", False),
    ("[a] # note", False),  # a comment after a header on its line
    ("a = 1\r\n[b]\r\n", False),  # CRLF
    ("a = 1\n[b]\r\nc = 2", False),
    ("a = 1 \n", False),  # trailing whitespace
    ("[a] \n", False),
    ("a = 1\n ", False),
    ("\ufeffa = 1", False),
    ("a = 1\r", False),
    ("x = 1\u2028", False),
]


@pytest.mark.parametrize(("text", "fast"), _EDGES)
def test_documents_at_the_edges_read_as_tomllib_reads_them(text: str, fast: bool) -> None:
    expected = _tomllib(text)
    assert repr(_ours(text)) == repr(expected)
    if fast:
        assert toml._subset(text) == expected
    else:
        with pytest.raises(toml._Other):
            toml._subset(text)


@pytest.mark.parametrize(
    "table",
    [
        "\n[a.k{}]\nx = 1\n",  # many sub-tables of one table
        "\n[[a]]\n\n[a.k{}]\nx = 1\n",  # each table of an array with a sub-table of its own
    ],
)
def test_many_distinct_headers_are_read_in_time_near_tomllibs(table: str) -> None:
    """The fast reader remembers the tables headers named; with 20,000 distinct headers,
    forgetting them takes no longer than reading them (once took 40 times tomllib's time)."""
    text = "".join(table.format(number) for number in range(20_000))
    start = time.perf_counter()
    expected = tomllib.loads(text)
    theirs = time.perf_counter() - start
    start = time.perf_counter()
    assert toml._subset(text) == expected
    assert time.perf_counter() - start < 5 * theirs + 0.05


def test_headers_hundreds_of_names_deep_read_as_tomllib_reads_them() -> None:
    deep = ".".join(["a"] * 300)  # equality of deeper tables recurses too deep
    text = f"[[{deep}]]\nx = 1\n\n[{deep}.b]\n\n[[{deep}]]\n\n[{deep}.b]\ny = 2\n"
    assert toml._subset(text) == tomllib.loads(text)
