"""Argument types shared by the commands: dates, amounts, cycles, day counts; the store option.

Each turns one command-line word into a prodlife value, or raises
:class:`argparse.ArgumentTypeError` with a message saying what to write instead.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from prodlife.cycles import BillingCycle
from prodlife.daycount import ACTUAL_DAYS, THIRTY_DAY_MONTHS, DayCount, FixedDays
from prodlife.errors import ProdlifeError

__all__ = [
    "DAY_COUNTS",
    "USAGE",
    "amount",
    "cycle",
    "day",
    "day_count",
    "missing_database",
    "store_option",
]

#: Exit status for bad input (argparse's own).
USAGE = 2

#: The day-count conventions by their command-line names (and ``fixed-N-days``).
DAY_COUNTS: dict[str, DayCount] = {
    "actual-days": ACTUAL_DAYS,
    "30-day-months": THIRTY_DAY_MONTHS,
}
_FIXED = re.compile(r"^fixed-(\d{1,4})-days$")


def day(text: str) -> date:
    """An ISO date such as ``2025-03-10``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-10"
        ) from None


def amount(text: str) -> Decimal:
    """A decimal amount such as ``29.99`` (never a float)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an amount; write digits with a decimal point, e.g. 29.99"
        )
    return value


def cycle(text: str) -> BillingCycle:
    """A billing cycle such as ``monthly``, ``annual`` or ``3 months``."""
    try:
        return BillingCycle.parse(text)
    except ProdlifeError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def day_count(text: str) -> DayCount:
    """``actual-days``, ``30-day-months`` or ``fixed-N-days`` (N from 1 to 9999)."""
    if text in DAY_COUNTS:
        return DAY_COUNTS[text]
    fixed = _FIXED.match(text)
    if fixed is not None and int(fixed.group(1)) >= 1:
        return FixedDays(int(fixed.group(1)))
    raise argparse.ArgumentTypeError(
        f"unknown day count {text!r}; use actual-days, 30-day-months or fixed-N-days "
        "(e.g. fixed-30-days)"
    )


def store_option(parser: argparse.ArgumentParser) -> None:
    """Give a command the ``--db URL`` option naming its store."""
    parser.add_argument(
        "--db",
        required=True,
        metavar="URL",
        help="the store, e.g. sqlite:///billing.db or postgresql://host/db",
    )


def missing_database(url: str, command: str) -> bool:
    """Whether ``url`` names an SQLite file that does not exist (opening it would create an
    empty store); if so, say so on standard error for ``command``."""
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return False
    path = Path(url.removeprefix("sqlite:///"))
    if path.is_file():
        return False
    print(
        f"prodlife {command}: error: no such database file {str(path)!r}; check the path",
        file=sys.stderr,
    )
    return True
