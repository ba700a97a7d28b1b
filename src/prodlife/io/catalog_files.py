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
import tomllib
from pathlib import Path

from prodlife.catalog.catalog import Catalog
from prodlife.catalog.data import catalog_from_data, catalog_to_data
from prodlife.errors import CatalogProblem, InvalidCatalog
from prodlife.io.toml import dumps

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


def save_catalog(catalog: Catalog, path: str | Path) -> None:
    """Write ``catalog`` to ``path`` as JSON or TOML, by the file's suffix."""
    target = Path(path)
    data = catalog_to_data(catalog)
    if _format(target) == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = dumps(data)
    target.write_text(text, encoding="utf-8")


def load_catalog(path: str | Path) -> Catalog:
    """Read a catalog from a JSON or TOML file and check it as a whole.

    Raises:
        InvalidCatalog: the file cannot be parsed, or the catalog has
            problems; every problem is listed with its path.
    """
    source = Path(path)
    kind = _format(source)
    try:
        text = source.read_text(encoding="utf-8")
        data = json.loads(text) if kind == "json" else tomllib.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise InvalidCatalog(
            [CatalogProblem(str(source), "file.syntax", f"cannot parse the file: {error}")]
        ) from None
    return catalog_from_data(data)
