"""A small TOML writer for prodlife's plain data (the standard library only reads TOML).

It writes what :func:`prodlife.catalog.catalog_to_data` produces: tables, arrays
of tables, strings, integers, booleans and arrays of those. ``tomllib.loads``
reads its output back to the same data.

>>> print(dumps({"products": [{"code": "DSL-100", "categories": ["internet"]}]}))
[[products]]
code = "DSL-100"
categories = ["internet"]
<BLANKLINE>
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["dumps"]

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes, plus DEL, which TOML forbids raw."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else _string(key)


def _is_table_array(value: Any) -> bool:
    return (
        isinstance(value, list) and bool(value) and all(isinstance(item, Mapping) for item in value)
    )


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items())
        return "{" + inner + "}"
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) as TOML")


def _body(lines: list[str], path: list[str], table: Mapping[str, Any]) -> None:
    nested = []
    for key, value in table.items():
        if isinstance(value, Mapping) or _is_table_array(value):
            nested.append((key, value))
        elif value is not None:
            lines.append(f"{_key(key)} = {_scalar(value)}")
    for key, value in nested:
        here = [*path, _key(key)]
        if isinstance(value, Mapping):
            lines.append("")
            lines.append(f"[{'.'.join(here)}]")
            _body(lines, here, value)
        else:
            for item in value:
                lines.append("")
                lines.append(f"[[{'.'.join(here)}]]")
                _body(lines, here, item)


def dumps(data: Mapping[str, Any]) -> str:
    """Write ``data`` as a TOML document.

    Raises:
        TypeError: a value is not a string, integer, boolean, list or mapping.
    """
    lines: list[str] = []
    _body(lines, [], data)
    return "\n".join(lines).lstrip("\n") + "\n"
