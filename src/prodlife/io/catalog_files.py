"""Catalog files: read and write a catalog as JSON or TOML, checked as a whole.

>>> import tempfile, pathlib
>>> from prodlife.catalog import Catalog
>>> path = pathlib.Path(tempfile.mkdtemp()) / "catalog.toml"
>>> save_catalog(Catalog(), path)
>>> load_catalog(path) == Catalog()
True
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prodlife._bulk import bulk
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.data import catalog_from_data, catalog_to_data
from prodlife.errors import CatalogProblem, FileAccessError, InvalidCatalog
from prodlife.io.toml import dumps
from prodlife.io.toml import loads as toml_loads

__all__ = ["load_catalog", "save_catalog"]


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise InvalidCatalog(
            [
                CatalogProblem(
                    str(path), "file.format", "name the file .json or .toml to say its format"
                )
            ]
        )
    return suffix[1:]


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def save_catalog(catalog: Catalog, path: str | Path, *, defaults: bool = False) -> None:
    """Write ``catalog`` to ``path`` as JSON or TOML, by the file's suffix.

    The file holds what each definition sets: a value equal to its default is left
    out (``defaults=True`` writes those too). :func:`load_catalog` reads either back to
    the same catalog.

    Raises:
        InvalidCatalog: the file is named neither ``.json`` nor ``.toml``.
        FileAccessError: the file cannot be written (no such folder, not
            permitted, the disk full).
    """
    target = Path(path)
    data = catalog_to_data(catalog, defaults=defaults)
    if _format(target) == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = dumps(data)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise FileAccessError(target, "write", _reason(error)) from error


def load_catalog(path: str | Path) -> Catalog:
    """Read a catalog from a JSON or TOML file and check it as a whole.

    Raises:
        InvalidCatalog: the file is missing (rule ``file.missing``) or cannot
            be read (``file.unreadable``), cannot be parsed (``file.syntax``),
            or the catalog has problems; every problem is listed with its path.
    """
    source = Path(path)
    kind = _format(source)
    try:
        # Line ends as written: a lone carriage return is not a TOML line end (read_text's
        # universal newlines would make it one); a Windows line end is, and reads as "\n".
        text = source.read_bytes().decode("utf-8").replace("\r\n", "\n")
    except FileNotFoundError:
        raise InvalidCatalog(
            [CatalogProblem(str(source), "file.missing", "there is no such file; check the path")]
        ) from None
    except OSError as error:
        message = f"cannot read the file: {_reason(error)}; check the path and its permissions"
        raise InvalidCatalog([CatalogProblem(str(source), "file.unreadable", message)]) from None
    except UnicodeDecodeError as error:
        raise InvalidCatalog(
            [CatalogProblem(str(source), "file.syntax", f"cannot parse the file: {error}")]
        ) from None
    with bulk():  # one pause for parsing and reading: a million values, no cycles
        return catalog_from_data(_parse(text, kind, source))


def _parse(text: str, kind: str, source: Path) -> Any:
    try:
        return json.loads(text) if kind == "json" else toml_loads(text)
    except RecursionError:
        message = "cannot parse the file: its tables or lists are nested too deeply"
        raise InvalidCatalog([CatalogProblem(str(source), "file.syntax", message)]) from None
    except ValueError as error:  # the decoders' errors, and numbers too long to convert
        raise InvalidCatalog(
            [CatalogProblem(str(source), "file.syntax", f"cannot parse the file: {error}")]
        ) from None
