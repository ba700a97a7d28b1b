"""A service as plain data (a JSON document) and back, with every problem's path.

:func:`service_to_data` turns a :class:`~prodlife.lifecycle.services.Service`
into dicts, lists, strings, ints, booleans and ``None`` only, ready for
``json.dumps``; :func:`service_from_data` rebuilds an equal service and checks
it as the constructors do. Stores keep a service this way.

The document follows the service's fields, by name, through prodlife's
converter (:func:`prodlife.serialization.make_converter`): amounts are
decimal strings, billing dates ``YYYY-MM-DD``, instants ISO 8601 in UTC with
their offset (``2025-01-01T09:00:00+00:00``), cycles and enums by name or
value, sets as sorted lists, ``None`` as ``null``. Two shapes are its own:

- a status is ``{"status": ..., "substate": ...}``, the substate only when the
  status has one, with ``"previous"`` and ``"target"`` statuses for ``in
  progress`` only;
- the history is the list of its entries, oldest first.

Reading is strict: a date is ``YYYY-MM-DD`` text, an instant must carry its
offset, a list must be a list (text is never taken apart into characters),
and a key the service does not know is a problem, not silently dropped.
Fields added to :class:`~prodlife.lifecycle.services.Service` later flow
through unchanged; one missing from an older document takes its default.

>>> import json
>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle import Actor, Operation, Service
>>> from prodlife.pricing.recurring import RecurringPrice
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="VPS", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 1, 1), next_due=date(2025, 2, 1),
... ).perform(Operation.ACTIVATE, Actor.system(), datetime(2025, 1, 1, 9, tzinfo=UTC), "paid",
...           provisioning=False)
>>> data = service_to_data(service)
>>> data["price"]
{'amount': {'amount': '10.00', 'currency': 'USD'}, 'override': False}
>>> data["status"], data["history"][0]["at"], data["history"][0]["operation"]
({'status': 'active'}, '2025-01-01T09:00:00+00:00', 'activate')
>>> service_from_data(json.loads(json.dumps(data))) == service
True
"""

from __future__ import annotations

import enum
import functools
import typing
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError, IterableValidationError, IterableValidationNote
from cattrs.v import format_exception

from prodlife.errors import ProdlifeError, ValidationError
from prodlife.lifecycle.history import History, HistoryEntry
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import _SUBSTATE_KIND, ServiceStatus, Status
from prodlife.serialization import make_converter

__all__ = ["service_from_data", "service_to_data"]

#: What reading a document can raise; each becomes a problem with its path.
_READ_ERRORS = (ProdlifeError, cattrs.BaseValidationError, KeyError, TypeError, ValueError)
_STATUS_KEYS = frozenset({"status", "substate", "previous", "target"})


def _choices(kind: type[enum.Enum]) -> str:
    return ", ".join(repr(member.value) for member in kind)


def _member(kind: type[enum.Enum], value: object, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise ValidationError(
            f"{what} {value!r} is not a {kind.__name__}; use one of {_choices(kind)}"
        ) from None


def _day(value: object, _: object = None) -> date:
    """A billing date from ``YYYY-MM-DD`` text, and nothing else."""
    if isinstance(value, str) and "T" not in value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
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


def _structure_collection(data: object, kind: Any) -> Any:
    """A collection from a JSON array only: text is never taken apart into characters.

    Each item's problems keep its index, as cattrs' own collections do.
    """
    if not isinstance(data, list | tuple):
        raise ValidationError(f"{data!r} is not a list; write a list, e.g. []")
    item_kind = typing.get_args(kind)[0]
    items: list[Any] = []
    errors: list[Exception] = []
    for index, raw in enumerate(data):
        try:
            items.append(_converter().structure(raw, item_kind))
        except Exception as error:
            error.add_note(IterableValidationNote(f"item @ index {index}", index, item_kind))
            errors.append(error)
    if errors:
        raise IterableValidationError(f"while reading {kind!r}", errors, kind)
    return typing.get_origin(kind)(items)


@functools.cache
def _converter() -> cattrs.Converter:
    converter = make_converter()
    converter.forbid_extra_keys = True
    converter.register_structure_hook(date, _day)
    converter.register_structure_hook(datetime, _instant)
    converter.register_structure_hook_func(_is_collection, _structure_collection)
    converter.register_unstructure_hook(ServiceStatus, _unstructure_status)
    converter.register_structure_hook(ServiceStatus, _structure_status)
    converter.register_unstructure_hook(
        History,
        lambda history: [converter.unstructure(entry, HistoryEntry) for entry in history],
    )
    converter.register_structure_hook(History, _structure_history)
    return converter


def _structure_history(data: object, _: object = None) -> History:
    if not isinstance(data, list):
        raise ValidationError(f"a history is a list of entries, oldest first, not {data!r}")
    return History(_converter().structure(data, tuple[HistoryEntry, ...]))


def _plain(value: Any) -> Any:
    """Tuples become lists, recursively, so the data is exactly what JSON gives back."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def service_to_data(service: Service) -> dict[str, Any]:
    """The service as a JSON-safe document: dicts, lists, str, int, bool and ``None`` only.

    Raises:
        ValidationError: ``service`` is not a :class:`~prodlife.lifecycle.services.Service`.

    >>> from datetime import date
    >>> from prodlife import Money
    >>> from prodlife.cycles import ONE_TIME
    >>> from prodlife.pricing.recurring import RecurringPrice
    >>> data = service_to_data(Service(
    ...     id="S-2", customer_id="C-1", product_code="SETUP", edition=None, cycle=ONE_TIME,
    ...     price=RecurringPrice.at_order(Money("99", "EUR")), payment_method="card",
    ...     start=date(2025, 3, 31),
    ... ))
    >>> data["cycle"], data["start"], data["status"], data["history"]
    ('one-time', '2025-03-31', {'status': 'pending', 'substate': 'ordered'}, [])
    """
    if not isinstance(service, Service):
        raise ValidationError(f"{service!r} is not a Service; pass one")
    data: dict[str, Any] = _plain(_converter().unstructure(service, Service))
    return data


def service_from_data(data: Mapping[str, Any]) -> Service:
    """Rebuild the service :func:`service_to_data` made (or a document read back from JSON).

    Raises:
        ValidationError: the document is not a service; the message lists each
            problem with its path (``service.history[2].at: ...``), and a
            broken domain rule with its name (``(rule service.next-due)``).

    >>> service_from_data({"id": "S-1", "quantity": "2"})
    Traceback (most recent call last):
    ...
    prodlife.errors.ValidationError: the service document has ... problems; fix each:
      - service.customer_id: required field missing
      ...
      - service.quantity: '2' is not a whole number; write a whole number
      ...
    """
    if not isinstance(data, Mapping):
        raise ValidationError(
            f"service: a service document is a mapping of its fields, not {type(data).__name__}"
        )
    try:
        return _converter().structure(data, Service)
    except _READ_ERRORS as error:
        problems = _problems(error)
    if len(problems) == 1:
        raise ValidationError(problems[0])
    listing = "\n".join(f"  - {problem}" for problem in problems)
    raise ValidationError(
        f"the service document has {len(problems)} problems; fix each:\n{listing}"
    )


def _problems(error: BaseException) -> list[str]:
    """Each problem as ``path: message``, in the order cattrs found them."""
    if not isinstance(error, cattrs.BaseValidationError):
        # Raised by Service itself, once every field was read: about the whole service.
        return [f"service: {_describe(error, None)}"]
    found = []
    for text in cattrs.transform_error(error, path="service", format_exception=_describe):
        message, _, where = text.rpartition(" @ ")
        found.append(f"{where}: {message}")
    return found


def _describe(error: BaseException, kind: type | None) -> str:
    """prodlife's own message for its errors; the choices for an enum; cattrs' wording else."""
    if isinstance(error, ProdlifeError):
        return str(error)
    if isinstance(error, KeyError):
        return "required field missing"
    if isinstance(error, ForbiddenExtraKeysError):
        extra = ", ".join(sorted(repr(key) for key in error.extra_fields))
        return f"unknown fields {extra}; remove them"
    if isinstance(kind, type) and issubclass(kind, enum.Enum) and isinstance(error, ValueError):
        return f"{error}; use one of {_choices(kind)}"
    if isinstance(kind, type) and attrs.has(kind) and isinstance(error, AttributeError | TypeError):
        return f"a {kind.__name__} is written as a mapping of its fields ({error})"
    return format_exception(error, kind)
