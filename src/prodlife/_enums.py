"""The enums whose text is their value: ``str(member)`` and ``format(member)`` give the label.

A plain :class:`enum.Enum` with one ``__str__``, not :class:`enum.StrEnum`:
a member stays unequal to its label (``Status.ACTIVE != "active"``), hashes
and pickles as an enum, and is not a ``str`` to ``json`` or the converter.
"""

from __future__ import annotations

import enum

__all__ = ["Labelled"]


class Labelled(enum.Enum):
    """An enum whose members print as their value.

    >>> class Colour(Labelled):
    ...     DARK_RED = "dark red"
    >>> str(Colour.DARK_RED), f"{Colour.DARK_RED:>9}", Colour.DARK_RED == "dark red"
    ('dark red', ' dark red', False)
    """

    def __str__(self) -> str:
        return str(self.value)
