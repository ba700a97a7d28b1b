"""The public API: exported, documented, typed, and the domain kept pure."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import prodlife

SRC = Path(prodlife.__file__).parent
PUBLIC_MODULES = [
    "prodlife.catalog",
    "prodlife.clock",
    "prodlife.cycles",
    "prodlife.daycount",
    "prodlife.errors",
    "prodlife.l10n",
    "prodlife.lifecycle",
    "prodlife.limits",
    "prodlife.app",
    "prodlife.money",
    "prodlife.periods",
    "prodlife.ports",
    "prodlife.pricing",
    "prodlife.proration",
    "prodlife.serialization",
]
#: Modules that may touch storage, files or test tooling; the rest is the pure domain.
EDGE = ("stores", "io", "testing", "cli", "__main__.py")
FORBIDDEN_IMPORTS = ("sqlite3", "psycopg", "prodlife.stores", "prodlife.io", "prodlife.testing")


def test_all_names_exist_and_are_unique() -> None:
    assert len(set(prodlife.__all__)) == len(prodlife.__all__)
    for name in prodlife.__all__:
        assert hasattr(prodlife, name), name


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_module_name_is_exported_from_the_package(module_name: str) -> None:
    module = importlib.import_module(module_name)
    missing = [name for name in module.__all__ if getattr(prodlife, name, None) is None]
    assert not missing, f"{module_name} names not exported from prodlife: {missing}"


def test_every_public_class_and_function_has_a_docstring() -> None:
    undocumented = []
    for name in prodlife.__all__:
        value = getattr(prodlife, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            if not inspect.getdoc(value):
                undocumented.append(name)
            for member_name, member in _own_members(value) if inspect.isclass(value) else []:
                if member_name.startswith("_") or not callable(member):
                    continue
                if not inspect.getdoc(member):
                    undocumented.append(f"{name}.{member_name}")
    assert not undocumented


def _own_members(kind: type) -> list[tuple[str, object]]:
    """The members ``kind`` and its prodlife bases define (``Billing`` is made of mixins)."""
    return [
        item
        for base in kind.__mro__
        if base.__module__.startswith("prodlife.")
        for item in vars(base).items()
    ]


def test_package_ships_py_typed() -> None:
    assert (SRC / "py.typed").exists()


def test_version_has_one_source() -> None:
    from prodlife._version import __version__

    assert prodlife.__version__ == __version__
    pyproject = (SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject


def _domain_files() -> list[Path]:
    return [
        path
        for path in SRC.rglob("*.py")
        if not any(part in EDGE for part in path.relative_to(SRC).parts)
    ]


@pytest.mark.parametrize("path", _domain_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_modules_do_not_import_storage_or_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert not name.startswith(FORBIDDEN_IMPORTS), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _domain_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_modules_never_read_the_system_time(path: Path) -> None:
    if path.name == "clock.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"now", "today", "utcnow", "time"}:
            base = node.value
            base_name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
            assert base_name not in {"datetime", "date", "time"}, (
                f"{path.name}:{node.lineno} reads the system time; take a Clock instead"
            )


def test_every_error_class_is_in_the_hierarchy_docs_errors_md_draws() -> None:
    import importlib
    import pkgutil
    import re
    from pathlib import Path

    for module in pkgutil.walk_packages(prodlife.__path__, "prodlife."):
        if module.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional extra not installed
            continue
    errors: set[type] = set()
    waiting: list[type] = [prodlife.ProdlifeError]
    while waiting:
        for sub in waiting.pop().__subclasses__():
            if sub.__module__.startswith("prodlife") and not sub.__name__.startswith("_"):
                errors.add(sub)
                waiting.append(sub)
    text = Path(__file__).parent.parent.joinpath("docs", "errors.md").read_text(encoding="utf-8")
    tree = text[text.index("```text") : text.index("```", text.index("```text") + 3)]
    drawn = set(re.findall(r"[─│ ]+ ([A-Z][A-Za-z]+) ", tree))
    missing = sorted(error.__name__ for error in errors if error.__name__ not in drawn)
    assert missing == [], f"docs/errors.md's hierarchy lacks {missing}"
