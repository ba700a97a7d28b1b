"""The public names of prodlife.goods: exported, documented, and the package kept in its layer."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import prodlife
import prodlife.goods

GOODS = Path(prodlife.goods.__file__).parent
#: goods sits between pricing and the lifecycle: it may use these, and nothing above.
ALLOWED = ("prodlife.catalog", "prodlife.pricing", "prodlife.goods", "prodlife.errors")
VALUES = ("money", "periods", "cycles", "daycount", "clock", "l10n", "_numbers", "_text")


def test_every_public_name_exists_once_and_has_a_docstring() -> None:
    names = prodlife.goods.__all__
    assert len(set(names)) == len(names)
    undocumented = []
    for name in names:
        value = getattr(prodlife.goods, name)
        if not inspect.getdoc(value):
            undocumented.append(name)
        for member_name, member in vars(value).items() if inspect.isclass(value) else []:
            if not member_name.startswith("_") and callable(member) and not inspect.getdoc(member):
                undocumented.append(f"{name}.{member_name}")
    assert not undocumented


@pytest.mark.parametrize("path", sorted(GOODS.glob("*.py")), ids=lambda p: p.name)
def test_goods_imports_only_values_catalog_pricing_and_itself(path: Path) -> None:
    allowed = (*ALLOWED, *(f"prodlife.{name}" for name in VALUES))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("prodlife"):
            assert node.module.startswith(allowed), f"{path.name} imports {node.module}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert not alias.name.startswith("prodlife"), f"{path.name} imports {alias.name}"
