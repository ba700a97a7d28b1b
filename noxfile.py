"""Developer tasks: ``nox -s tests``, ``typing``, ``lint``, ``examples``, ``docs``, ``fuzz``."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests", "typing", "lint", "examples", "docs"]
nox.options.reuse_existing_virtualenvs = True
# The tests run on every Python the classifiers claim that this machine has; the rest are skipped.
nox.options.error_on_missing_interpreters = False

ROOT = Path(__file__).parent
#: The Python versions pyproject.toml's classifiers claim (a test keeps the two in step).
PYTHONS = ["3.11", "3.12", "3.13"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run pytest: unit and property tests, doctests in modules, docs and README."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def long(session: nox.Session) -> None:
    """The long run: the billing engine's conservation properties and the lifecycle state
    machines with 10,000 examples each (the ``long`` hypothesis profile)."""
    session.install("-e", ".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/test_billing_engine.py",
        "tests/test_billing_changes.py",
        "tests/test_lifecycle_machine.py",
        "tests/test_lifecycle_billing_terms.py",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": "long"},
    )


@nox.session
def fuzz(session: nox.Session) -> None:
    """Run the fuzz suites (tests/test_fuzz_*.py) with a long budget: thousands of calls each.

    Not a default session; run it before a release or after touching an entry point.
    """
    session.install("-e", ".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        *(session.posargs or sorted(str(path) for path in (ROOT / "tests").glob("test_fuzz_*.py"))),
        env={"HYPOTHESIS_PROFILE": "fuzz"},
    )


@nox.session
def typing(session: nox.Session) -> None:
    """Run mypy --strict over src/, the tests (the public-API typing checks in tests/typing/
    among them), the benchmarks and examples/."""
    session.install("-e", ".[test]")
    session.run(
        "python", "-m", "mypy", "--strict", "src/prodlife", "tests", "benchmarks", "examples"
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Run ruff's linter and formatter check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def examples(session: nox.Session) -> None:
    """Run every script in examples/; each must exit 0."""
    session.install(".")
    for script in sorted((ROOT / "examples").glob("*.py")):
        session.run("python", str(script))


@nox.session
def docs(session: nox.Session) -> None:
    """Build the Sphinx documentation, treating warnings as errors."""
    session.install("-e", ".[docs]")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")
