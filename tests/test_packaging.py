"""What pyproject.toml promises: the command, the extras, the links, the Python versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_prodlife_command_is_installed_as_a_console_script() -> None:
    assert PROJECT["scripts"] == {"prodlife": "prodlife.cli:main"}


def test_the_testing_extra_brings_only_what_the_conformance_suites_import() -> None:
    names = {re.split(r"[<>=\[;]", item)[0] for item in PROJECT["optional-dependencies"]["testing"]}
    assert names == {"pytest", "hypothesis"}


def test_the_project_links_its_source_and_issues() -> None:
    assert {"Source", "Issues", "Documentation", "Changelog"} <= set(PROJECT["urls"])


def test_nox_tests_every_python_the_classifiers_claim() -> None:
    claimed = sorted(
        item.rsplit(":: ", 1)[1]
        for item in PROJECT["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", item)
    )
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    listed = re.search(r"^PYTHONS = \[(.*)\]$", noxfile, re.MULTILINE)
    assert listed is not None
    assert sorted(re.findall(r'"([\d.]+)"', listed.group(1))) == claimed


def test_the_docs_index_links_every_page() -> None:
    docs = ROOT / "docs"
    index = (docs / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\{doc\}`([^`]+)`", index))
    pages = {page.stem for page in docs.glob("*.md")} - {"index"}
    assert pages - linked == set()
