"""``prodlife catalog check FILE``: every problem of a catalog file, each with its path."""

from __future__ import annotations

import argparse
from typing import Any

from prodlife.errors import InvalidCatalog
from prodlife.io.catalog_files import load_catalog

__all__ = ["register"]

#: Exit status for a catalog with problems.
PROBLEMS = 1


def register(commands: Any) -> None:
    """Add the ``catalog`` command (and its ``check`` subcommand) to ``commands``."""
    catalog = commands.add_parser(
        "catalog", help="work with catalog files", description="Work with catalog files."
    )
    actions = catalog.add_subparsers(
        title="actions",
        dest="action",
        required=True,
        metavar="ACTION",
        parser_class=type(catalog),
    )
    check = actions.add_parser(
        "check",
        help="check a catalog file (JSON or TOML) and list every problem",
        description=(
            "Read a catalog file (.json or .toml) and check it as a whole: print every "
            "problem with where it is, and exit with status 1 when there is any."
        ),
    )
    check.add_argument("file", help="the catalog file, e.g. catalog.toml")
    check.set_defaults(run=_check)


def _check(arguments: argparse.Namespace) -> int:
    try:
        catalog = load_catalog(arguments.file)
    except InvalidCatalog as invalid:
        count = len(invalid.problems)
        print(f"{arguments.file}: {count} problem{'s' if count != 1 else ''}")
        for problem in invalid.problems:
            print(f"  {problem}")
        return PROBLEMS
    print(
        f"{arguments.file}: no problems ({len(catalog.products)} products, "
        f"{len(catalog.types)} product types, {len(catalog.editions)} edition ladders, "
        f"{len(catalog.addons)} add-ons, {len(catalog.bundles)} bundles)"
    )
    return 0
