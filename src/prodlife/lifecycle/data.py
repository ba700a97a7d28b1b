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

Both directions are hot in a billing run: the converter remembers the small values
documents repeat (cycles, schedules, statuses, actors, prices, dates, amounts), read
once per text, so a document is read by one path, which alone holds the rules (the
constructors' own) and reports every problem.

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
from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.v import format_exception

from prodlife.errors import ProdlifeError, ValidationError
from prodlife.lifecycle._data_compact import compacted, expanded, without_timeline
from prodlife.lifecycle._data_converter import _choices, _converter
from prodlife.lifecycle.history import HistoryEntry
from prodlife.lifecycle.services import Service
from prodlife.serialization import InvalidData

__all__ = [
    "history_entry_from_data",
    "history_entry_to_data",
    "service_from_data",
    "service_to_data",
]

#: What reading a document can raise; each becomes a problem with its path.
_READ_ERRORS = (ProdlifeError, cattrs.BaseValidationError, KeyError, TypeError, ValueError)


def service_to_data(service: Service, *, compact: bool = False) -> dict[str, Any]:
    """The service as a JSON-safe document: dicts, lists, str, int, bool and ``None`` only.

    Args:
        compact: leave out what the reader can fill in: every value at its
            default, the ids its timeline and ledger repeat, a ledger line's
            description and amount when they are its rate's, and a few more
            (how a store keeps a service: about a third of the size; the rules
            are listed in ``prodlife.lifecycle._data_compact``).
            :func:`service_from_data` reads both shapes.

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
    >>> short = service_to_data(service_from_data(data), compact=True)
    >>> sorted(set(data) - set(short))[:3], service_from_data(short) == service_from_data(data)
    (['addons', 'auto_renew', 'billing_timing'], True)
    """
    if not isinstance(service, Service):
        raise ValidationError(f"{service!r} is not a Service; pass one")
    if not compact:
        data: dict[str, Any] = _converter().unstructure(service, Service)
        return data
    return compacted(service, without_timeline().unstructure(service, Service))


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
    return _read(data, _converter())


def _read(data: Mapping[str, Any], converter: cattrs.Converter) -> Service:
    """:func:`service_from_data` through ``converter``."""
    if not isinstance(data, Mapping):
        raise ValidationError(
            f"service: a service document is a mapping of its fields, not {type(data).__name__}"
        )
    try:
        return converter.structure(expanded(data), Service)
    except _READ_ERRORS as error:
        problems = _problems(error.detail if isinstance(error, InvalidData) else error)
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


def history_entry_to_data(entry: HistoryEntry) -> dict[str, Any]:
    """A history entry as JSON-safe data (a store keeps each entry of a service's history
    on its own); :func:`history_entry_from_data` reads it back."""
    data: dict[str, Any] = _converter().unstructure(entry, HistoryEntry)
    return data


def history_entry_from_data(data: object) -> HistoryEntry:
    """The history entry :func:`history_entry_to_data` wrote.

    Raises:
        ValidationError: ``data`` is not such an entry.
    """
    try:
        return _converter().structure(data, HistoryEntry)
    except _READ_ERRORS as error:
        raise ValidationError(f"not a history entry ({error}): {data!r}") from error
