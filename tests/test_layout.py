"""The layout explains itself: small modules or a reason, packages that say what they hold."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import prodlife

SRC = Path(prodlife.__file__).parent
#: A module past this many lines says why at its top (STYLE.md: "asking to be split").
LIMIT = 400
REASON = "# Over 400 lines: "
#: Modules over the limit in code being changed elsewhere now: each is split or given its
#: reason by whoever owns it next. An entry that no longer applies fails the test below.
WAITING: set[str] = set()
#: Packages whose docstring does not yet say where to look for what they do not hold.
UNSIGNED: set[str] = set()


def _modules() -> dict[str, list[str]]:
    return {
        path.relative_to(SRC).as_posix(): path.read_text(encoding="utf-8").splitlines()
        for path in sorted(SRC.rglob("*.py"))
    }


def _packages() -> dict[str, str | None]:
    return {
        path.parent.relative_to(SRC).as_posix(): ast.get_docstring(
            ast.parse(path.read_text(encoding="utf-8"))
        )
        for path in sorted(SRC.rglob("__init__.py"))
        if path.parent != SRC
    }


def gives_reason(lines: list[str]) -> bool:
    """Whether a module's first line says why it is longer than the limit."""
    return bool(lines) and lines[0].startswith(REASON) and len(lines[0]) > len(REASON) + 20


def points_elsewhere(package: str, docstring: str | None) -> bool:
    """Whether a package's docstring names another prodlife package (where the rest is)."""
    own = "prodlife." + package.replace("/", ".")
    named = re.findall(r"prodlife\.[a-z_]+(?:\.[a-z_]+)*", docstring or "")
    return any(not (name == own or name.startswith(own + ".")) for name in named)


@pytest.mark.parametrize(
    "module",
    [m for m, lines in _modules().items() if len(lines) > LIMIT and m not in WAITING],
)
def test_every_long_module_says_why_at_its_top(module: str) -> None:
    assert gives_reason(_modules()[module]), f"{module}: split it, or start it with {REASON!r}"


@pytest.mark.parametrize("module", sorted(WAITING))
def test_every_waiting_module_is_still_long_and_unexplained(module: str) -> None:
    lines = _modules()[module]
    assert len(lines) > LIMIT and not gives_reason(lines), f"{module}: remove it from WAITING"


@pytest.mark.parametrize("package", sorted(_packages()))
def test_every_package_says_what_lives_there(package: str) -> None:
    docstring = _packages()[package]
    assert docstring and len(docstring.splitlines()[0]) > 20
    if package not in UNSIGNED:
        assert points_elsewhere(package, docstring), f"{package}: name where the rest lives"


@pytest.mark.parametrize("package", sorted(UNSIGNED))
def test_every_unsigned_package_still_points_nowhere(package: str) -> None:
    assert not points_elsewhere(package, _packages()[package]), f"remove {package} from UNSIGNED"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([REASON + "one value whose arithmetic must agree", '"""Doc."""'], True),
        (['"""Doc."""', REASON + "one value whose arithmetic must agree"], False),
        ([REASON + "long", '"""Doc."""'], False),
        ([], False),
    ],
)
def test_a_reason_is_a_sentence_on_the_first_line(lines: list[str], expected: bool) -> None:
    assert gives_reason(lines) is expected


def test_a_package_pointing_only_at_itself_points_nowhere() -> None:
    assert not points_elsewhere("billing", "See :mod:`prodlife.billing.engine`.")
    assert points_elsewhere("billing", "Operations (:mod:`prodlife.lifecycle`) change timelines.")
