"""What the stores share beyond their documents (:mod:`prodlife.stores._documents`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from prodlife.errors import NotFound

__all__ = ["in_asked_order"]

V = TypeVar("V")


def in_asked_order(found: Mapping[str, V], keys: Sequence[str], kind: str) -> list[V]:
    """What ``found`` holds for each of ``keys``, in their order (repeated keys repeated).

    Raises:
        NotFound: ``kind`` with the first of ``keys`` that ``found`` lacks.
    """
    for key in keys:
        if key not in found:
            raise NotFound(kind, key)
    return [found[key] for key in keys]
