"""The one test for a whole number: an ``int`` (not a ``bool``), within bounds if given.

Counts, days, limits and positions are checked this way in every layer; each
caller keeps its own error, rule and message, only the test is shared.
"""

from __future__ import annotations

from typing import TypeGuard

__all__ = ["is_whole"]


def is_whole(value: object, low: int | None = None, high: int | None = None) -> TypeGuard[int]:
    """Whether ``value`` is an int (not a bool) from ``low`` to ``high``; ``None``: no bound.

    >>> is_whole(3, 1), is_whole(-3), is_whole(0, 1), is_whole(7, 0, 6)
    (True, True, False, False)
    >>> is_whole(True, 0), is_whole(3.0), is_whole("3")
    (False, False, False)
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return (low is None or low <= value) and (high is None or value <= high)
