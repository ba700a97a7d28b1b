"""How catalog definitions report broken rules: as (rule, message) findings.

Each definition has a ``check_*`` function returning every finding; building a
definition raises :class:`~prodlife.errors.RuleViolation` for the first, and
checking a whole catalog collects them all with their paths.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from prodlife.errors import RuleViolation

#: A broken rule: its identifier and a message saying what is wrong and how to fix it.
Finding = tuple[str, str]


def raise_first(findings: Iterable[Finding], subject: str = "") -> None:
    """Raise :class:`RuleViolation` for the first finding, if there is one."""
    for rule, message in findings:
        raise RuleViolation(rule, message, subject)


def duplicates(values: Iterable[str]) -> list[str]:
    """The values given more than once, sorted; in linear time (no ``list.count``)."""
    given = values if isinstance(values, list | tuple) else list(values)
    if len(given) < 2 or len(set(given)) == len(given):
        return []
    return sorted(value for value, times in Counter(given).items() if times > 1)


def check_code(code: object, what: str) -> list[Finding]:
    """A code is non-empty text without spaces at either end."""
    if type(code) is str and code and not code[0].isspace() and not code[-1].isspace():
        return []
    if not isinstance(code, str) or not code.strip() or code != code.strip():
        return [
            (
                "code.format",
                f"{what} code {code!r} must be non-empty text with no spaces at either end, "
                "e.g. 'DSL-100'",
            )
        ]
    return []


def frozen_codes(values: Iterable[str] | str) -> frozenset[str]:
    """Codes as a frozenset; a single string is one code, not its characters."""
    return frozenset([values] if isinstance(values, str) else values)


def is_date(value: object) -> bool:
    """Whether ``value`` is a calendar date (a datetime is not)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def is_text(value: object) -> bool:
    """Whether ``value`` is text with something in it besides spaces."""
    return isinstance(value, str) and bool(value.strip())


def is_a(value: object, kind: type) -> bool:
    """``isinstance`` for values whose declared type a caller may not have respected.

    A plain ``isinstance`` on a typed field lets mypy call the other branch
    unreachable; going through this function keeps the check.
    """
    return isinstance(value, kind)
