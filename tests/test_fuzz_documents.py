"""Fuzzing the document readers: stored service documents, catalog data and catalog files.

Each reader gets a valid document with junk put in at random places (a value replaced, a key
removed or added, a value nested hundreds of levels deep), or junk of any shape; it must
return a value that prints, or raise a ProdlifeError: no cattrs error, ``AttributeError``,
``RecursionError``, plain ``ValueError``, nor even a ``TypeError`` escapes, since a document
is data (the scheduler skips a stored service it cannot read by catching ProdlifeError).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from prodlife.catalog import catalog_from_data, catalog_to_data
from prodlife.errors import ProdlifeError
from prodlife.io.catalog_files import load_catalog
from prodlife.io.toml import dumps
from prodlife.lifecycle.data import service_from_data, service_to_data
from prodlife.testing.catalogs import catalogs
from prodlife.testing.strategies import services
from tests._fuzz import HOSTILE_TEXT, junk

#: Values a JSON or TOML document can hold, wrong where they land.
_PLAIN_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(HOSTILE_TEXT),
)
_PLAIN = st.recursive(
    _PLAIN_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


def _deep(depth: int, inner: Any) -> Any:
    """``inner`` inside ``depth`` lists and tables, built without recursion."""
    value = inner
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


_DEEP = st.builds(_deep, st.integers(30, 900), _PLAIN_SCALARS)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``value`` (its own included) a value can be put."""
    found = [here]
    stack = [(value, here)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            children: Any = item.items()
        elif isinstance(item, list):
            children = enumerate(item)
        else:
            continue
        for key, child in children:
            found.append((*path, key))
            stack.append((child, (*path, key)))
    return found


@st.composite
def _spoilt(draw: st.DrawFn, document: Any, bad: st.SearchStrategy[Any]) -> Any:
    """``document`` (plain data) with one to three places spoilt by values from ``bad``."""
    document = json.loads(json.dumps(document))  # a copy to spoil, as a store reads it back
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        if not path:
            return draw(bad)
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if action == "replace":
            parent[key] = draw(bad)
        elif action == "remove":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(bad)
        else:
            parent.insert(key, draw(bad))
    return document


def attempt(call: Callable[[], object]) -> None:
    """Call a reader: it returns a value that prints, or raises a ProdlifeError."""
    try:
        result = call()
    except ProdlifeError:
        return
    str(result)
    repr(result)


_ANY_BAD = st.one_of(_PLAIN, junk(), _DEEP)
_FILE_BAD = st.one_of(_PLAIN, _DEEP)


@given(services(max_operations=3).flatmap(lambda s: _spoilt(service_to_data(s), _ANY_BAD)))
def test_a_spoilt_service_document_is_read_or_refused(document: Any) -> None:
    attempt(lambda: service_from_data(document))


@given(junk() | _PLAIN | _DEEP)
def test_junk_of_any_shape_is_refused_as_a_service_document(document: Any) -> None:
    attempt(lambda: service_from_data(document))


@given(catalogs(max_products=4).flatmap(lambda c: _spoilt(catalog_to_data(c), _ANY_BAD)))
def test_spoilt_catalog_data_is_read_or_refused(data: Any) -> None:
    attempt(lambda: catalog_from_data(data))


@given(junk() | _PLAIN | _DEEP)
def test_junk_of_any_shape_is_refused_as_catalog_data(data: Any) -> None:
    attempt(lambda: catalog_from_data(data))


@given(
    catalogs(max_products=3).flatmap(lambda c: _spoilt(catalog_to_data(c), _FILE_BAD)),
    st.sampled_from(["json", "toml"]),
)
def test_a_spoilt_catalog_file_is_read_or_refused(data: Any, kind: str) -> None:
    if kind == "json":
        text = json.dumps(data)
    else:
        try:
            text = dumps(data)
        except (TypeError, RecursionError):  # TOML has no null or float here; too deep to write
            text = json.dumps(data)
    _read_file(text, kind)


@given(
    st.text(max_size=200) | st.sampled_from(HOSTILE_TEXT) | st.binary(max_size=60).map(repr),
    st.sampled_from(["json", "toml"]),
)
def test_a_catalog_file_of_any_text_is_read_or_refused(text: str, kind: str) -> None:
    _read_file(text, kind)


def _read_file(text: str, kind: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"catalog.{kind}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        attempt(lambda: load_catalog(path))
