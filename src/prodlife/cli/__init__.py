"""The ``prodlife`` command: the demo, quotes, catalog checks, the scheduler, invoices, imports.

Run ``prodlife --help`` (or ``python -m prodlife --help``) for the commands.
Each command prints what it did for a person to read; bad input gets one
error line on standard error and a non-zero exit status:

- 0: done;
- 1: done, and it found problems (a catalog with problems, a scheduler run
  where some services failed);
- 2: bad input (an unknown option, a malformed date or amount, a value
  prodlife refuses).

The command uses only prodlife's public API; :func:`main` is what the
console script calls, and what tests call with their own arguments. One module
per command group (``_demo``, ``_quotes``, ``_catalog``, ``_run_due``,
``_invoices``, ``_import``); the rules they apply are in the domain packages
(:mod:`prodlife.lifecycle`, :mod:`prodlife.billing`...) and the use cases in
:mod:`prodlife.app`.

>>> main(["prorate", "31.00", "USD", "--period", "2025-01-01", "2025-02-01",
...       "--from", "2025-01-22"])
proration (USD)
kind    description  from        through                 units  fraction  exact  amount
------  -----------  ----------  ----------  -----------------  --------  -----  ------
charge  part used    2025-01-22  2025-01-31  10/31 actual days     10/31  10.00   10.00
net: USD 10.00
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from prodlife._version import __version__
from prodlife.cli import _catalog, _demo, _import, _invoices, _quotes, _run_due
from prodlife.cli._args import USAGE
from prodlife.errors import ProdlifeError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose error is one line: what was wrong, and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="prodlife",
        description="Product lifecycle for billing applications: try it, quote, check.",
    )
    parser.add_argument("--version", action="version", version=f"prodlife {__version__}")
    commands = parser.add_subparsers(
        title="commands", dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )
    for module in (_demo, _quotes, _catalog, _run_due, _invoices, _import):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``prodlife`` command with ``argv`` (the process's arguments by default).

    Returns:
        The exit status: 0 done, 1 problems found, 2 bad input.
    """
    parser = _parser()
    try:
        arguments = parser.parse_args(argv)
        status: int = arguments.run(arguments)
    except SystemExit as leaving:  # --help, --version and argument errors
        code = leaving.code
        return code if isinstance(code, int) else (0 if code is None else USAGE)
    except ProdlifeError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"prodlife {arguments.command}: error: {first}", file=sys.stderr)
        return USAGE
    return status
