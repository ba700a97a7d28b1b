"""The layers import only downward: no module imports one of a layer above its own.

Every module of ``src/prodlife`` belongs to one layer (``LAYERS``, lowest
first, as docs/architecture.md draws them). Every import counts: at the top of
a module, inside a function (a lazy import) and under ``TYPE_CHECKING``. A
module may import its own layer and the layers below it; an import of a layer
above is a back-edge and fails, unless ``ALLOWED`` lists it with the reason it
is still there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import prodlife

SRC = Path(prodlife.__file__).parent

#: The layers, lowest first: each entry names the modules and packages it holds
#: (a package holds its submodules). The most specific prefix wins.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "values",
        (
            "prodlife._bulk",
            "prodlife._enums",
            "prodlife._fast",
            "prodlife._numbers",
            "prodlife._tables",
            "prodlife._text",
            "prodlife._version",
            "prodlife.alignment",
            "prodlife.clock",
            "prodlife.cycles",
            "prodlife.daycount",
            "prodlife.errors",
            "prodlife.l10n",
            "prodlife.limits",
            "prodlife.money",
            "prodlife.periods",
            "prodlife.serialization",
        ),
    ),
    ("proration", ("prodlife.proration",)),
    ("catalog", ("prodlife.catalog",)),
    ("pricing", ("prodlife.pricing",)),
    ("goods", ("prodlife.goods",)),
    ("billing", ("prodlife.billing",)),
    ("lifecycle", ("prodlife.lifecycle",)),
    ("ports", ("prodlife.ports",)),
    ("app", ("prodlife.app", "prodlife.goods_app")),
    ("stores", ("prodlife.stores",)),
    ("edge", ("prodlife.io", "prodlife.testing", "prodlife.cli", "prodlife.__main__")),
    ("root", ("prodlife",)),
)

#: Back-edges still there, each with the reason (importer, imported) -> why.
ALLOWED: dict[tuple[str, str], str] = {
    ("prodlife.serialization", "prodlife.catalog.products"): (
        "the converter's hooks for a product's CustomField live in serialization.py; "
        "they belong in the catalog (registered on the converter by catalog.data), "
        "a change to serialization.py left to the helper who owns it"
    ),
}


def module_name(path: Path) -> str:
    """The dotted name of the module at ``path`` under ``src/``."""
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(SRC.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The index in ``LAYERS`` of the layer ``module`` belongs to (-1: none)."""
    best, found = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    return found


def imported_modules(module: str, source: str, is_package: bool = False) -> set[str]:
    """Every prodlife module ``source`` (the text of ``module``) imports, wherever it does.

    ``from package import name`` imports the module ``package.name`` when there
    is one, else ``package`` itself.
    """
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in MODULES else base)
    return {name for name in found if name == "prodlife" or name.startswith("prodlife.")}


def back_edges(module: str, source: str, is_package: bool = False) -> list[str]:
    """The imports of ``module`` that run up to a higher layer, as "a -> b (layer)"."""
    own = layer_of(module)
    return [
        f"{module} ({LAYERS[own][0]}) -> {name} ({LAYERS[layer_of(name)][0]})"
        for name in sorted(imported_modules(module, source, is_package))
        if layer_of(name) > own and (module, name) not in ALLOWED
    ]


def _source(module: str) -> str:
    return MODULES[module].read_text(encoding="utf-8")


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def test_every_module_belongs_to_a_layer() -> None:
    assert [name for name in MODULES if layer_of(name) < 0] == []


def test_every_layer_holds_a_module() -> None:
    used = {layer_of(name) for name in MODULES}
    assert [LAYERS[i][0] for i in range(len(LAYERS)) if i not in used] == []


def test_no_import_runs_up_the_layers() -> None:
    found = [
        edge for name in MODULES for edge in back_edges(name, _source(name), _is_package(name))
    ]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("pair", sorted(ALLOWED), ids=" -> ".join)
def test_every_allowed_back_edge_is_still_there(pair: tuple[str, str]) -> None:
    importer, imported = pair
    assert layer_of(imported) > layer_of(importer), "not a back-edge: remove it from ALLOWED"
    assert imported in imported_modules(importer, _source(importer), _is_package(importer))


@pytest.mark.parametrize(
    ("source", "edge"),
    [
        ("from prodlife.lifecycle.services import Service\n", "prodlife.lifecycle.services"),
        ("import prodlife.billing.lines\n", "prodlife.billing.lines"),
        ("def f():\n    from prodlife.app import Billing\n", "prodlife.app"),
        (
            "import typing\nif typing.TYPE_CHECKING:\n    from prodlife import lifecycle\n",
            "prodlife.lifecycle",
        ),
        ("from prodlife import Money\n", "prodlife"),
        ("from ..billing import lines\n", "prodlife.billing.lines"),
    ],
)
def test_an_import_of_a_higher_layer_is_found_wherever_it_is(source: str, edge: str) -> None:
    """Top-level, lazy, type-only, root and relative imports all count."""
    assert back_edges("prodlife.pricing.plans", source) == [
        f"prodlife.pricing.plans (pricing) -> {edge} ({LAYERS[layer_of(edge)][0]})"
    ]


def test_an_import_of_the_same_or_a_lower_layer_is_allowed() -> None:
    source = (
        "from prodlife.money import Money\nfrom prodlife.catalog import Catalog\nimport attrs\n"
    )
    assert back_edges("prodlife.pricing.plans", source) == []


def test_the_architecture_page_draws_these_layers_in_this_order() -> None:
    page = SRC.parents[1] / "docs" / "architecture.md"
    rows = [
        line.split("|")[1].strip()
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| layer")
    ]
    assert rows == [name for name, _ in LAYERS]
