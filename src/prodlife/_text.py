"""Wording shared by error messages: a user's value quoted briefly, and an unknown key."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Collection

__all__ = ["shown", "unknown_key_message"]

_SHOWN = reprlib.Repr()  # keyword arguments only from Python 3.12
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother = 3, 60, 60
_SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxdict = _SHOWN.maxset = _SHOWN.maxfrozenset = 6


def shown(value: object) -> str:
    """``repr(value)`` cut short for an error message: long text and deep nesting elided.

    A message quoting a user's value stays readable, and quoting a value nested
    thousands of levels deep cannot exhaust the stack.

    >>> shown("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
    >>> shown([[[[1]]]])
    '[[[...]]]'
    """
    return _SHOWN.repr(value)


def unknown_key_message(
    key: object, known: Collection[str], what: str, noun: str = "key"
) -> tuple[str, str | None]:
    """The message for a key ``what`` does not have, and the key it probably meant.

    Args:
        key: the key as written.
        known: the keys ``what`` has.
        what: what holds the keys, for the message ("a product", "the catalog").
        noun: what a key is called there ("key", "section", "column").

    Returns:
        The message (naming the closest known key, or listing them all when
        none is close) and that closest key, or ``None``.

    >>> unknown_key_message("max_per_bse", ["code", "max_per_base"], "an add-on")
    ("unknown key 'max_per_bse' in an add-on; did you mean 'max_per_base'?", 'max_per_base')
    """
    close = (
        difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
        if isinstance(key, str)
        else []
    )
    if close:
        return f"unknown {noun} {shown(key)} in {what}; did you mean {close[0]!r}?", close[0]
    listing = ", ".join(repr(name) for name in sorted(known))
    return f"unknown {noun} {shown(key)} in {what}; the {noun}s it takes are {listing}", None
