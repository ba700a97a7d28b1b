"""Wording shared by error messages: a user's value quoted briefly, an unknown key, "a" or "an"."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Collection

__all__ = ["shown", "unknown_key_message", "with_article"]

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


#: Beginnings spelt with a vowel but sounded with a consonant ("a usage service", "a one-time").
_SOUNDED_AS_CONSONANT = ("one", "once", "uni", "usa", "use", "usu", "eu")


def with_article(words: str) -> str:
    """``words`` after "a" or "an", as the first word's sound wants.

    >>> with_article("expense service"), with_article("usage service")
    ('an expense service', 'a usage service')
    >>> with_article("one-time service"), with_article("untyped service"), with_article("issue")
    ('a one-time service', 'an untyped service', 'an issue')
    """
    start = words.lower()
    vowel = start[:1] in ("a", "e", "i", "o", "u") and not start.startswith(_SOUNDED_AS_CONSONANT)
    return f"{'an' if vowel else 'a'} {words}"


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
