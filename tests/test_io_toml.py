"""The TOML reader: what ``tomllib`` reads, read the same; what it refuses, refused the same.

``prodlife.io.toml.loads`` reads the lines prodlife's writer produces through the JSON
decoder and hands anything else to ``tomllib``. The properties below compare it with
``tomllib.loads`` on documents made of lines close to that subset, on both sides of its edge.
"""

from __future__ import annotations

import contextlib
import json
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
    except tomllib.TOMLDecodeError:
        return "refused"


def _ours(text: str) -> object:
    try:
        return loads(text)
    except tomllib.TOMLDecodeError:
        return "refused"


_BARE = st.sampled_from(["a", "b", "code", "x-1", "A_2", "0"])
_KEY = _BARE | st.sampled_from(['"q"', "a.b", "a b", "", "é", " a"])
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
    st.sampled_from(["", "# note", "#\ttab", "#\x01", "  ", "a = 1 # note", ",1", "1"]),
)
_DOCUMENT = st.tuples(
    st.lists(_LINE, max_size=12), st.sampled_from(["\n", "\r\n"]), st.booleans()
).map(lambda parts: parts[1].join(parts[0]) + (parts[1] if parts[2] else ""))


@settings(max_examples=max(settings().max_examples * 5, 50))
@given(_DOCUMENT)
def test_any_document_reads_as_tomllib_reads_it(text: str) -> None:
    assert repr(_ours(text)) == repr(_tomllib(text))  # repr: nan is not nan


_GOOD_VALUE = st.one_of(
    st.text(max_size=4).map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.integers(-99, 99).map(str),
    st.sampled_from(["true", "false", "[]", '["a", 1]', '"a = b"']),
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
