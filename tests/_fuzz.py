"""What the fuzz suites share: hostile values, and the check that a call fails only as promised.

Every public entry point raises only :class:`~prodlife.errors.ProdlifeError` subclasses for bad
values and ``TypeError`` for wrong Python types. :func:`attempt` calls one and lets any other
exception through, so hypothesis reports it with the input that raised it; a result must print
(``str`` and ``repr``).

The budget is hypothesis's profile: ``HYPOTHESIS_PROFILE=fuzz`` (``nox -s fuzz``) runs many more
examples than the default.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st

from prodlife.errors import ProdlifeError
from prodlife.limits import MAX_YEAR, MIN_YEAR

T = TypeVar("T")

#: Numbers at and around every bound, and far beyond them.
EXTREME_NUMBERS = (
    0,
    -1,
    1,
    10**12,
    10**17,
    10**18 - 1,
    10**18,
    10**30,
    10**32,
    -(10**32),
    2**63,
    10**400,
    Decimal("1e33"),
    Decimal("1e-40"),
    Decimal("1e-41"),
    Decimal("-1e999999999"),
    Decimal("1e999999999"),
    Decimal("1e-999999999"),
    Decimal("0E+999999999"),
    Decimal("0E-999999999"),
    Decimal("-0"),
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("999999999999999999.9999"),
    Decimal("0." + "3" * 60),
)

#: Text a careless host or an attacker may pass where a number, code, cycle or name is expected.
HOSTILE_TEXT = (
    "",
    " ",
    "1e999999999",
    "-1e-999999999",
    "1e33",
    "9" * 5000,
    "NaN",
    "sNaN",
    "-Infinity",
    "0x10",
    "1_000",
    "١٢٣",
    "P4087953467939256D",
    "P" + "9" * 5000 + "M",
    "every 99999999999999999999 days",
    "monthly",
    "USD",
    "usd",
    "XXX",
    "Europe/Paris",
    "../../etc/passwd",
    "en_US",
    "de-DE",
    "\x00",
    "\ud800",
    "a" * 10_000,
    "%s%n{0}",
    "half-up",
    "ROUND_HALF_UP",
)

#: Dates and instants at the edges of the calendar and of prodlife's year window.
EXTREME_MOMENTS = (
    date.min,
    date.max,
    date(1, 1, 2),
    date(9999, 12, 30),
    date(MIN_YEAR, 1, 1),
    date(MIN_YEAR - 1, 12, 31),
    date(MAX_YEAR, 12, 31),
    date(MAX_YEAR + 1, 1, 1),
    datetime.min,
    datetime.max,
    datetime.min.replace(tzinfo=UTC),
    datetime.max.replace(tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=12))),
    datetime(MAX_YEAR, 12, 31, 23, 59, tzinfo=UTC),
    datetime(MIN_YEAR, 1, 1, tzinfo=UTC),
    datetime(2025, 1, 31, 12),
    time(12),
    timedelta.max,
    timedelta.min,
    timedelta(0),
    timedelta(days=-1),
)


def _objects() -> st.SearchStrategy[object]:
    return st.sampled_from([object(), b"USD", bytearray(b"1"), 1j, Ellipsis, NotImplemented, len])


@cache
def junk() -> st.SearchStrategy[Any]:
    """Any value of a wrong type or a bad value: what the fuzz suites throw at entry points.

    One strategy, built once: hypothesis validates a strategy the first time it draws from it.
    """
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(-(10**40), 10**40),
        st.sampled_from(EXTREME_NUMBERS),
        st.floats(),
        st.decimals(),
        st.decimals(allow_nan=True, allow_infinity=True, places=None),
        st.fractions(),
        st.text(max_size=20),
        st.sampled_from(HOSTILE_TEXT),
        st.dates(),
        st.datetimes(),
        st.datetimes(timezones=st.timezones() | st.just(UTC)),
        st.timedeltas(),
        st.sampled_from(EXTREME_MOMENTS),
        _objects(),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.tuples(inner, inner),
            st.frozensets(st.integers(-3, 3) | st.text(max_size=3), max_size=3),
            st.dictionaries(st.text(max_size=4), inner, max_size=2),
        ),
        max_leaves=4,
    )


def budget(examples: int, **more: Any) -> settings:
    """``examples`` per test for a costly fuzz test, unless the profile asks for thousands
    (``HYPOTHESIS_PROFILE=fuzz`` or ``long``): then the profile's own number. ``more``: other
    settings."""
    if settings().max_examples >= 1000:
        return settings(**more)
    return settings(max_examples=examples, **more)


def either(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly valid values (so calls get past their first check), sometimes junk."""
    return st.one_of(valid, valid, junk())


def attempt(call: Callable[[], T]) -> T | None:
    """Call ``call``; return its result, or ``None`` when it raised an error it may raise.

    It may raise a :class:`ProdlifeError` or a ``TypeError`` (a wrong Python type); any
    other exception (AttributeError, OverflowError, RecursionError, a ``decimal`` signal, a
    plain ValueError) propagates and fails the test. A result must print.
    """
    try:
        result = call()
    except decimal.DecimalException:  # FloatOperation is also a TypeError: still a bug
        raise
    except (ProdlifeError, TypeError):
        return None
    str(result)
    repr(result)
    return result
