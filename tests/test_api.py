"""The public API: exported, documented, typed, and the domain kept pure."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

import prodlife

SRC = Path(prodlife.__file__).parent
PUBLIC_MODULES = [
    "prodlife.alignment",
    "prodlife.app",
    "prodlife.billing",
    "prodlife.catalog",
    "prodlife.clock",
    "prodlife.cycles",
    "prodlife.daycount",
    "prodlife.errors",
    "prodlife.goods",
    "prodlife.goods_app",
    "prodlife.io.catalog_files",
    "prodlife.l10n",
    "prodlife.lifecycle",
    "prodlife.limits",
    "prodlife.money",
    "prodlife.periods",
    "prodlife.ports",
    "prodlife.pricing",
    "prodlife.proration",
    "prodlife.serialization",
    "prodlife.stores",
]
#: What a host uses in its first hour (issue 19): the root namespace holds exactly these.
ROOT = {
    "money, time and cycles": [
        "Money",
        "Period",
        "billing_date",
        "BillingCycle",
        "BillingSchedule",
        "ONE_TIME",
        "MONTHLY",
        "QUARTERLY",
        "SEMI_ANNUAL",
        "ANNUAL",
        "ACTUAL_DAYS",
        "THIRTY_DAY_MONTHS",
        "Clock",
        "SystemClock",
        "FixedClock",
        "prorate",
        "quote_change",
    ],
    "catalog and pricing": [
        "Catalog",
        "CatalogVersion",
        "load_catalog",
        "ProductType",
        "Product",
        "Edition",
        "AddOn",
        "ProductQuery",
        "PricePlan",
        "PlanRate",
        "Rate",
        "TaxRate",
        "Promotion",
        "PricingContext",
        "OrderLineSpec",
    ],
    "orders, services and operations": [
        "Actor",
        "Permission",
        "Order",
        "OrderLine",
        "OrderOptions",
        "OrderQuote",
        "Service",
        "ServiceStatus",
        "Outcome",
        "EventKind",
        "SuspensionKind",
        "CancellationKind",
        "SchedulerPolicy",
        "activate",
        "suspend",
        "unsuspend",
        "request_cancellation",
        "withdraw_cancellation",
        "cancel",
        "terminate",
    ],
    "billing, invoices and stores": [
        "Billing",
        "open_store",
        "Store",
        "Notifier",
        "ServiceQuery",
        "InvoiceQuery",
        "Invoice",
        "InvoiceLine",
        "InvoiceStatus",
        "Payment",
        "Prorata",
        "PaymentResult",
        "SchedulerReport",
        "Statement",
    ],
    "errors a host catches": [
        "ProdlifeError",
        "ValidationError",
        "RuleViolation",
        "TransitionNotAllowed",
        "PermissionDenied",
        "NotFound",
        "AlreadyExists",
        "ConcurrencyConflict",
        "CurrencyMismatch",
        "InvalidCatalog",
        "StoreError",
        "PublishFailed",
    ],
}
ROOT_NAMES = [name for names in ROOT.values() for name in names]
API_PAGE = SRC.parents[1] / "docs" / "api.md"
#: Modules that may touch storage, files or test tooling; the rest is the pure domain.
EDGE = ("stores", "io", "testing", "cli", "__main__.py")
FORBIDDEN_IMPORTS = ("sqlite3", "psycopg", "prodlife.stores", "prodlife.io", "prodlife.testing")


def test_all_names_exist_and_are_unique() -> None:
    assert len(set(prodlife.__all__)) == len(prodlife.__all__)
    for name in prodlife.__all__:
        assert hasattr(prodlife, name), name


def test_the_root_holds_exactly_the_curated_first_hour_names() -> None:
    assert len(ROOT_NAMES) == len(set(ROOT_NAMES))
    assert sorted(prodlife.__all__) == sorted([*ROOT_NAMES, "__version__"])
    assert 60 <= len(ROOT_NAMES) <= 80


def test_every_root_name_is_listed_in_the_api_page_root_section() -> None:
    text = API_PAGE.read_text(encoding="utf-8")
    section = text[
        text.index("## prodlife: the root") : text.index(
            "\n## ", text.index("## prodlife: the root") + 1
        )
    ]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    listed = [name for row in rows for name in re.findall(r"`([A-Za-z_]+)`", row.split("|")[1])]
    assert sorted(listed) == sorted(ROOT_NAMES)


@pytest.mark.parametrize("name", ROOT_NAMES)
def test_every_root_name_is_public_in_the_module_the_api_page_names(name: str) -> None:
    text = API_PAGE.read_text(encoding="utf-8")
    (row,) = [
        line
        for line in text.splitlines()
        if line.startswith("| `") and f"`{name}`" in line.split("|")[1]
    ]
    home = importlib.import_module(row.split("|")[2].strip().strip("`"))
    assert name in home.__all__
    assert getattr(home, name) is getattr(prodlife, name)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_module_name_exists_and_is_documented(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert len(set(module.__all__)) == len(module.__all__)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, f"{module_name} lacks {missing}"
    assert not _undocumented(module)


def test_every_public_class_and_function_of_the_root_has_a_docstring() -> None:
    assert not _undocumented(prodlife)


def _undocumented(module: object) -> list[str]:
    undocumented = []
    for name in module.__all__:  # type: ignore[attr-defined]
        value = getattr(module, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            if not inspect.getdoc(value):
                undocumented.append(name)
            for member_name, member in _own_members(value) if inspect.isclass(value) else []:
                if member_name.startswith("_") or not callable(member):
                    continue
                if not inspect.getdoc(member):
                    undocumented.append(f"{name}.{member_name}")
    return undocumented


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
    """The pure domain's modules: all but the edge and the root's re-exports (``open_store``)."""
    return [
        path
        for path in SRC.rglob("*.py")
        if not any(part in EDGE for part in path.relative_to(SRC).parts)
        and path != SRC / "__init__.py"
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
    errors: set[type[prodlife.ProdlifeError]] = set()
    waiting: list[type[prodlife.ProdlifeError]] = [prodlife.ProdlifeError]
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
