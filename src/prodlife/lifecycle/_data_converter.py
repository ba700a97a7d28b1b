"""The converter that reads and writes service documents.

:mod:`prodlife.lifecycle.data` reads and writes every document through it: its
hooks read dates, instants, amounts and statuses strictly, and remember the
small values documents repeat (:func:`_remembering`), so a billing run reads
each cycle, schedule, status, actor or price once per text, through the same
constructors and rules as any other value.
"""

from __future__ import annotations

import enum
import functools
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote

from prodlife._fast import kept
from prodlife.cycles import BillingCycle, BillingSchedule
from prodlife.errors import ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.history import History, HistoryEntry
from prodlife.lifecycle.status import _SUBSTATE_KIND, ServiceStatus, Status
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money, to_decimal
from prodlife.periods import Interval, Period
from prodlife.pricing.recurring import RecurringPrice
from prodlife.proration import Proration
from prodlife.serialization import make_converter

_STATUS_KEYS = frozenset({"status", "substate", "previous", "target"})
_ENTRIES = tuple[HistoryEntry, ...]


def _choices(kind: type[enum.Enum]) -> str:
    return ", ".join(repr(member.value) for member in kind)


def _member(kind: type[enum.Enum], value: object, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise ValidationError(
            f"{what} {value!r} is not a {kind.__name__}; use one of {_choices(kind)}"
        ) from None


#: Values read from exactly this text (or these two texts), remembered: documents repeat
#: few dates and amounts, and the values are immutable. A full cache starts again.
_DAYS: dict[str, date] = {}
_AMOUNTS: dict[tuple[str, str], Money] = {}


def _day(value: object, _: object = None) -> date:
    """A billing date from ``YYYY-MM-DD`` text, and nothing else."""
    if type(value) is str:
        known = _DAYS.get(value)
        if known is not None:
            return known
    if isinstance(value, str) and "T" not in value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if type(value) is str:
                kept(_DAYS, value, day)
            return day
    raise ValidationError(f"{value!r} is not a date; write it as ISO 8601 text, e.g. '2025-01-31'")


def _instant(value: object, _: object = None) -> datetime:
    """An instant from ISO 8601 text with its UTC offset: a naive one is ambiguous."""
    example = "e.g. '2025-01-31T12:00:00+00:00'"
    try:
        instant = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        instant = None
    if instant is None:
        raise ValidationError(f"{value!r} is not an instant; write ISO 8601 text, {example}")
    if instant.utcoffset() is None:
        raise ValidationError(f"instant {value!r} has no UTC offset; give one, {example}")
    return instant


def _unstructure_status(status: ServiceStatus) -> dict[str, Any]:
    data: dict[str, Any] = {"status": status.status.value}
    if status.substate is not None:
        data["substate"] = status.substate.value
    for name, end in (("previous", status.previous), ("target", status.target)):
        if end is not None:
            data[name] = _unstructure_status(end)
    return data


def _structure_status(data: object, _: object = None, *, nested: bool = False) -> ServiceStatus:
    """A status from its mapping; the substate is read by the status it belongs to."""
    if not isinstance(data, Mapping):
        raise ValidationError(f"a status is a mapping like {{'status': 'active'}}, not {data!r}")
    unknown = sorted(set(data) - _STATUS_KEYS, key=str)
    if unknown:
        raise ValidationError(
            f"unknown status keys {unknown}; a status has only {sorted(_STATUS_KEYS)}"
        )
    if "status" not in data:
        raise ValidationError("a status needs its 'status', e.g. {'status': 'active'}")
    status = _member(Status, data["status"], "status")
    substate = data.get("substate")
    kind = _SUBSTATE_KIND.get(status)
    if kind is not None and substate is not None:
        substate = _member(kind, substate, f"{status} substate")
    ends: dict[str, ServiceStatus | None] = {}
    for name in ("previous", "target"):
        end = data.get(name)
        if end is not None and nested:
            raise ValidationError(
                f"the {name} status of an in-progress status is settled: it has no {name}"
            )
        ends[name] = None if end is None else _structure_status(end, nested=True)
    return ServiceStatus(status, substate, previous=ends["previous"], target=ends["target"])


def _is_collection(kind: object) -> bool:
    """Whether ``kind`` is ``tuple[X, ...]``, ``list[X]``, ``set[X]`` or ``frozenset[X]``."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return origin in (list, set, frozenset) and len(args) == 1


def _collection_hook(kind: Any) -> Callable[[object, Any], Any]:
    """How to read ``kind`` (see :func:`_is_collection`): from a JSON array only, text never
    taken apart into characters; each item's problems keep its index, as cattrs' own
    collections do. The items' hook is looked up once."""
    item_kind = typing.get_args(kind)[0]
    make = typing.get_origin(kind)
    item_hook: list[Callable[[Any, Any], Any]] = []  # looked up at first use (recursion)

    def structure(data: object, _: Any) -> Any:
        if not isinstance(data, list | tuple):
            raise ValidationError(f"{data!r} is not a list; write a list, e.g. []")
        if not item_hook:
            item_hook.append(_converter().get_structure_hook(item_kind))
        read = item_hook[0]
        try:
            return make([read(raw, item_kind) for raw in data])
        except Exception:
            pass
        errors: list[Exception] = []
        for index, raw in enumerate(data):
            try:
                read(raw, item_kind)
            except Exception as error:
                error.add_note(IterableValidationNote(f"item @ index {index}", index, item_kind))
                errors.append(error)
        raise IterableValidationError(f"while reading {kind!r}", errors, kind)

    return structure


class _Unkeyed(Exception):
    """The data holds something other than JSON's own types: it is read, not remembered."""


def _key(data: object) -> object:
    """A key that is equal for two documents exactly when they are equal and of the same
    JSON types (``True`` is not ``1``, a list not a mapping). Raises ``_Unkeyed``."""
    kind = type(data)
    if kind is str:
        return data
    if kind is dict:
        return ("{", *[(name, _key(value)) for name, value in data.items()])  # type: ignore[attr-defined]
    if kind is list:
        return ("[", *[_key(value) for value in data])  # type: ignore[attr-defined]
    if data is None or kind is int or kind is bool:
        return (kind, data)
    raise _Unkeyed


def _remembering(hook: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``hook``, remembering what it read from each document it read without a problem.

    For small immutable values documents repeat (cycles, schedules, statuses, actors,
    prices): reading one again costs a lookup. A document is remembered only once ``hook``
    accepted it, and found again only when equal to it in value and JSON type, so the
    value and every problem are ``hook``'s own."""
    known: dict[object, Any] = {}

    def structure(data: object, kind: Any) -> Any:
        try:
            key = _key(data)
        except _Unkeyed:
            return hook(data, kind)
        value = known.get(key, known)
        return kept(known, key, hook(data, kind)) if value is known else value

    return structure


#: Values a service document repeats, read once per document shape (see ``_remembering``).
_REPEATED = (
    BillingCycle,
    BillingSchedule,
    Period,
    Interval,
    Proration,
    ServiceStatus,
    Actor,
    RecurringPrice,
    Operation,
)


@functools.cache
def _converter(*, remember: bool = True) -> cattrs.Converter:
    """The service documents' converter; ``remember=False`` reads every value afresh (the
    tests compare both)."""
    converter = make_converter()
    converter.forbid_extra_keys = True
    converter.register_structure_hook(date, _day)
    converter.register_structure_hook(datetime, _instant)
    converter.register_structure_hook_factory(_is_collection, _collection_hook)
    converter.register_unstructure_hook(ServiceStatus, _unstructure_status)
    converter.register_structure_hook(ServiceStatus, _structure_status)
    converter.register_structure_hook(Money, _structure_money)
    converter.register_unstructure_hook(History, _unstructure_history)
    converter.register_structure_hook(History, _structure_history)
    if remember:
        for kind in _REPEATED:
            hook = converter.get_structure_hook(kind)
            converter.register_structure_hook(kind, _remembering(hook))
    return converter


def _unstructure_history(history: History) -> Any:
    return history_data(history, lambda entry: _converter().unstructure(entry, HistoryEntry))


def history_data(history: History, entry_data: Callable[[HistoryEntry], Any]) -> Any:
    """A history's data: the list of its entries (each written by ``entry_data``), or, when
    it starts after earlier entries kept elsewhere, ``{"earlier", "last_at", "entries"}``."""
    entries = [entry_data(entry) for entry in history.entries]
    if not history.earlier:
        return entries
    last_at = history.earlier_last_at
    assert last_at is not None  # History's rule
    return {"earlier": history.earlier, "last_at": last_at.isoformat(), "entries": entries}


def _structure_history(data: object, _: object = None) -> History:
    converter = _converter()
    entries = converter.get_structure_hook(_ENTRIES)  # cattrs' errors, so paths are kept
    if isinstance(data, list):
        return History(entries(data, _ENTRIES))
    if not isinstance(data, dict) or set(data) != {"earlier", "last_at", "entries"}:
        raise ValidationError(
            "a history is a list of entries, oldest first, or "
            f'{{"earlier": n, "last_at": instant, "entries": [...]}}, not {data!r}'
        )
    return History(
        entries(data["entries"], _ENTRIES),
        converter.structure(data["earlier"], int),
        converter.structure(data["last_at"], datetime),
    )


def _structure_money(data: object, _: object = None) -> Money:
    """An amount from ``{"amount": "4.50", "currency": "EUR"}`` or ``"4.50 EUR"``."""
    if type(data) is str:
        amount, space, code = data.rpartition(" ")
        if not space:
            raise ValidationError(f"an amount is written '4.50 EUR', not {data!r}")
        return _amount(amount, code)
    if not isinstance(data, Mapping):
        raise ValidationError(f"an amount is a mapping of its amount and currency, not {data!r}")
    amount, code = data["amount"], data["currency"]
    if type(amount) is str and type(code) is str:
        return _amount(amount, code)
    return Money(to_decimal(amount), code)


def _amount(amount: str, code: str) -> Money:
    """``Money(amount, code)``, remembered (Money reads the text as to_decimal does)."""
    key = (amount, code)
    money: Money | None = _AMOUNTS.get(key)
    return kept(_AMOUNTS, key, Money(amount, code)) if money is None else money
