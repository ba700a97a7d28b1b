"""JSON documents for what stores keep: one encoding shared by the SQL stores.

Every aggregate is kept as a JSON-safe document (amounts as text, dates as ISO
8601) next to the columns its queries need. :func:`decode` turns a document
back into its value, and a document that cannot be read (written by a newer
prodlife, or edited by hand) raises :class:`~prodlife.errors.StoreError`
naming what it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar, cast

from prodlife.billing.lines import InvoiceLine
from prodlife.catalog.catalog import CatalogVersion
from prodlife.catalog.data import catalog_from_data, catalog_to_data
from prodlife.errors import ProdlifeError, StoreError, ValidationError
from prodlife.lifecycle.data import (
    history_entry_from_data,
    history_entry_to_data,
    service_from_data,
    service_to_data,
)
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.history import HistoryEntry
from prodlife.lifecycle.services import Service
from prodlife.serialization import make_converter

__all__ = ["check_document", "decode", "dumps", "encode", "loads"]

T = TypeVar("T")

_CONVERTER = make_converter()


def _line(line: InvoiceLine) -> dict[str, Any]:
    """An invoice line's document, as the converter writes it (written by hand: it is hot)."""
    share, day = line.proration, line.day
    return {
        "service_id": line.service_id,
        "customer_id": line.customer_id,
        "type": line.type.value,
        "subject": line.subject,
        "code": line.code,
        "description": line.description,
        "amount": {"amount": str(line.amount.amount), "currency": line.amount.currency.code},
        "proration": None if share is None else _CONVERTER.unstructure(share),
        "day": None if day is None else day.isoformat(),
        "reverses": line.reverses,
    }


#: Lines inside other documents (an invoice's) are written the same way.
_CONVERTER.register_unstructure_hook(InvoiceLine, _line)


def _event(event: Event) -> dict[str, Any]:
    """An event's document, as the converter writes it (written by hand: it is hot)."""
    return {
        "kind": event.kind.value,
        "service_id": event.service_id,
        "customer_id": event.customer_id,
        "at": event.at.isoformat(),
        "details": [list(pair) for pair in event.details],
    }


def encode(value: object) -> dict[str, Any]:
    """The JSON-safe document for ``value`` (a service, catalog version, order, plan...)."""
    kind = type(value)
    if kind is InvoiceLine:
        return _line(value)  # type: ignore[arg-type]
    if kind is Event:
        return _event(value)  # type: ignore[arg-type]
    if kind is HistoryEntry:
        return history_entry_to_data(value)  # type: ignore[arg-type]
    if isinstance(value, Service):
        return service_to_data(value, compact=True)
    if isinstance(value, CatalogVersion):
        return {
            "name": value.name,
            "effective": value.effective.isoformat(),
            "catalog": catalog_to_data(value.catalog),
            "existing_move_on": (
                None if value.existing_move_on is None else value.existing_move_on.isoformat()
            ),
        }
    return cast(dict[str, Any], _CONVERTER.unstructure(value))


def decode(kind: type[T], data: Mapping[str, Any], key: object) -> T:
    """The value of type ``kind`` a document holds.

    Raises:
        StoreError: the document does not hold a valid ``kind``; the message
            names it by ``key``.
    """
    try:
        if kind is Service:
            return cast(T, service_from_data(data))
        if kind is HistoryEntry:
            return cast(T, history_entry_from_data(data))
        if kind is CatalogVersion:
            move_on = data["existing_move_on"]
            return cast(
                T,
                CatalogVersion(
                    data["name"],
                    date.fromisoformat(data["effective"]),
                    catalog_from_data(data["catalog"]),
                    None if move_on is None else date.fromisoformat(move_on),
                ),
            )
        return _CONVERTER.structure(data, kind)
    except (ProdlifeError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise StoreError(
            f"the stored {kind.__name__} {key!r} cannot be read ({error}); it was written by "
            "another program or version: restore it from a backup or fix the document"
        ) from error
    except Exception as error:  # cattrs groups its errors in ExceptionGroups
        raise StoreError(
            f"the stored {kind.__name__} {key!r} cannot be read ({error!r}); it was written "
            "by another program or version: restore it from a backup or fix the document"
        ) from error


# ASCII-only JSON: every character beyond ASCII is an escape, so NUL characters and lone
# surrogates (which no store keeps) are found among the escapes.
_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_UNICODE = json.JSONEncoder(ensure_ascii=False, check_circular=False)
#: A NUL character's escape (after an even number of backslashes: not a literal "\u0000").
_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _odd(text: str, data: object) -> str | None:
    """What the JSON ``text`` of ``data`` holds that no store keeps (``None``: nothing)."""
    if "\\" not in text:  # the usual document: no escape at all (one fast memchr)
        return None
    if "\\u0000" in text and _NUL.search(text):
        return "a NUL character"
    if "\\ud" in text:  # surrogates: a pair (a character beyond the BMP), or a lone one
        try:
            _UNICODE.encode(data).encode("utf-8")
        except UnicodeEncodeError:
            return "a lone surrogate"
    return None


def dumps(value: object) -> str:
    """``value``'s document as compact JSON text.

    Raises:
        ValidationError: some text of ``value`` holds a NUL character or a lone
            surrogate, which no store keeps (see :func:`prodlife.ports.check_text`).
    """
    data = encode(value)
    text = _JSON.encode(data)
    odd = _odd(text, data)
    if odd is not None:
        raise ValidationError(
            f"the {type(value).__name__} to store holds {odd} in its text (an id, a reason, a "
            "description...), which no store keeps; remove it"
        )
    return text


def check_document(value: object) -> None:
    """Refuse ``value`` when some of its text holds what no store keeps, as :func:`dumps` does
    (for a store that keeps values, not documents: the memory store).

    Raises:
        ValidationError: a NUL character or a lone surrogate in its text.
    """
    dumps(value)


def loads(kind: type[T], text: str | bytes, key: object) -> T:
    """The value of type ``kind`` in the JSON ``text``; see :func:`decode`."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # not JSON, or nested beyond reading
        raise StoreError(
            f"the stored {kind.__name__} {key!r} is not JSON ({error}); restore it from a backup"
        ) from error
    return decode(kind, data, key)
