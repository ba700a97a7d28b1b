"""A service's history as every store appends it: the entries a service holds, numbered in
its whole history, and the rule that a stored history is never rewritten."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from prodlife.errors import ValidationError
from prodlife.lifecycle.history import HistoryEntry
from prodlife.lifecycle.services import Service

__all__ = ["check_held_history", "held_history"]


def held_history(service: Service, expected_version: int | None) -> list[tuple[int, HistoryEntry]]:
    """The history entries ``service`` holds, numbered in its whole history (from 1), for a
    store to append when it adds the service (``expected_version`` ``None``) or saves it.

    Raises:
        ValidationError: entries between the stored ones and those held are missing: a
            new service must hold its whole history, a saved one every entry after the
            stored version; or the service is at a version below the stored one.
    """
    history = service.history
    stored = 0 if expected_version is None else expected_version
    if service.version < stored:
        raise ValidationError(
            f"service {service.id!r} at version {service.version} cannot replace version "
            f"{stored}: its history would go back, and a history is never rewritten; load "
            "the service, change it, and save that"
        )
    if history.earlier > stored:
        what = "a new service" if expected_version is None else f"version {stored}"
        raise ValidationError(
            f"service {service.id!r} holds history entries from number {history.earlier + 1}, "
            f"but {what} has {stored} stored; entries {stored + 1} to {history.earlier} would "
            "be lost: store the service with the entries it was given"
        )
    return list(enumerate(history.entries, start=history.earlier + 1))


def check_held_history(
    service_id: str,
    stored: Mapping[int, HistoryEntry],
    entries: Sequence[tuple[int, HistoryEntry]],
) -> None:
    """Refuse a save whose held entries differ from the stored entries of the same numbers.

    A history is append only: a service saved without being loaded (or loaded from
    another store) may not rewrite what its stored history says.

    Raises:
        ValidationError: an entry held differs from the stored one of its number.
    """
    for number, entry in entries:
        kept = stored.get(number)
        if kept is not None and kept != entry:
            raise ValidationError(
                f"service {service_id!r} holds history entry {number} ({entry.operation} at "
                f"{entry.at.isoformat()}), but the stored entry {number} is {kept.operation} at "
                f"{kept.at.isoformat()}; a history is never rewritten: load the service, "
                "change it, and save that"
            )
