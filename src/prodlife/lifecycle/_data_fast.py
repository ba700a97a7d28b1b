# Over 400 lines: the hand-written fast path of service documents (see the
# docstring); issue 17 asks for it to be generated from the attrs fields, which removes most of it.
"""The fast path of :mod:`prodlife.lifecycle.data`: service documents read and written by hand.

About 670 lines, over the ~400 a module is kept under: it is one job (the hand-written
copy of the document's shape and of the constructors' rules, see below), kept in one
module so it is reviewed as one against :func:`_rules_fingerprint`; issue 17 asks for it
to be generated from the attrs fields instead, which removes most of it.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import attrs

from prodlife import _fast
from prodlife.billing.ledger import Ledger
from prodlife.billing.timeline import Timeline
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.clock import as_utc
from prodlife.cycles import BillingCycle, CycleUnit
from prodlife.lifecycle import history as _history_module
from prodlife.lifecycle import service_parts as _parts_module
from prodlife.lifecycle._data_converter import (
    _converter,
    _plain,
    _structure_status,
    _unstructure_status,
    history_data,
)
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.history import History, HistoryEntry
from prodlife.lifecycle.service_parts import ENDED, ServiceAddOn, ServiceOption
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ServiceStatus
from prodlife.lifecycle.transitions import Operation
from prodlife.limits import MAX_QUANTITY, MAX_SERVICE_QUANTITY, MAX_YEAR, MIN_YEAR
from prodlife.money import Money
from prodlife.periods import time_zone
from prodlife.pricing.recurring import RecurringPrice

# --- the fast path ------------------------------------------------------------------------
#
# cattrs with detailed validation costs several times what ``json`` does, and a billing
# run reads and writes every service. The code below writes the document by hand, and
# reads the documents it writes: every key present, JSON's own types (``dict``, ``list``,
# ``str``, ``int``, ``bool``, ``None``, never a subclass). It accepts a subset of what the
# strict path accepts and builds an equal service; on any surprise (a key missing or
# extra, another type, a value a hook, a constructor or a rule refuses) it raises, and
# :func:`service_from_data` hands the document to the strict path, so every problem and
# its message come from there.
#
# Values read from a few words of text (cycles, prices, statuses, actors, operations,
# dates, instants) are built by the strict path's own hooks and remembered under a key
# that is exactly that text (exact types: ``True`` is never ``1``), so they are the
# strict path's values. Options, add-ons, history entries, the history and the service
# are built with the trusted builders of :mod:`prodlife._fast`, skipping their
# constructors, and checked here with the same rules (a document is outside data):
# their type checks hold by construction, what is left is written out below.
# :func:`_rules_fingerprint` digests the rules copied; tests/test_lifecycle_data_fast.py
# compares both paths, and fails when one of those rules changes until this is reviewed.
# A class with fields this code does not know turns the fast path off (``_FAST``).

T = TypeVar("T")


class _Slow(Exception):
    """The fast path does not take this document; the strict path reads it."""


#: Remembered values per kind; a full cache starts again (documents repeat few values).
_CACHE_LIMIT = 4096
_DAYS: dict[str, date] = {}
_INSTANTS: dict[str, datetime] = {}
_CYCLES: dict[str, BillingCycle] = {}
_OPERATIONS: dict[str, Operation] = {}
_PRICES: dict[tuple[str, str, bool], RecurringPrice] = {}
_STATUSES: dict[object, ServiceStatus] = {}
_ACTORS: dict[tuple[str | None, ...], Actor] = {}
_ZONES: dict[str, bool] = {}
#: Written text of dates, and of instants in UTC (two equal ones are written alike).
_DAY_TEXTS: dict[date, str] = {}
_INSTANT_TEXTS: dict[datetime, str] = {}


def _remember(cache: dict[Any, T], key: Any, value: T) -> T:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _strict(raw: object, kind: Any) -> Any:
    """``raw`` read as ``kind`` by the strict path's hook, as the converter reads a field."""
    return _hook(kind)(raw, kind)


@functools.cache
def _hook(kind: Any) -> Callable[[Any, Any], Any]:
    return _converter().get_structure_hook(kind)


@functools.cache
def _unstructure_hook(kind: Any) -> Callable[[Any], Any]:
    return _converter().get_unstructure_hook(kind)


def _new_day(raw: object) -> date:
    if type(raw) is not str or "T" in raw:  # _day's test, for exact text only
        raise _Slow
    day = date.fromisoformat(raw)
    if not MIN_YEAR <= day.year <= MAX_YEAR:  # _day's year window
        raise _Slow
    return _remember(_DAYS, raw, day)


def _new_instant(raw: object) -> datetime:
    if type(raw) is not str:
        raise _Slow
    instant = datetime.fromisoformat(raw)  # _instant's reading...
    if instant.utcoffset() is None:
        raise _Slow
    return _remember(_INSTANTS, raw, as_utc(instant))  # ...and HistoryEntry's converter


def _new_cycle(raw: object) -> BillingCycle:
    if type(raw) is not str:
        raise _Slow
    cycle: BillingCycle = _strict(raw, BillingCycle)
    return _remember(_CYCLES, raw, cycle)


def _new_operation(raw: object) -> Operation:
    if type(raw) is not str:
        raise _Slow
    operation: Operation = _strict(raw, Operation)
    return _remember(_OPERATIONS, raw, operation)


def _price(raw: object) -> RecurringPrice:
    if type(raw) is not dict or len(raw) != 2:
        raise _Slow
    money, override = raw["amount"], raw["override"]
    if type(money) is not dict or len(money) != 2 or type(override) is not bool:
        raise _Slow
    amount, currency = money["amount"], money["currency"]
    if type(amount) is not str or type(currency) is not str:
        raise _Slow
    key = (amount, currency, override)
    price = _PRICES.get(key)
    if price is None:
        price = _remember(_PRICES, key, _strict(raw, RecurringPrice))
    return price


def _status_key(raw: object) -> object:
    """A key for a status mapping of 1, 2 or 4 text values (keys of different shapes differ)."""
    if type(raw) is not dict:
        raise _Slow
    size, status = len(raw), raw["status"]
    if type(status) is not str:
        raise _Slow
    if size == 1:
        return status
    substate = raw["substate"]
    if type(substate) is not str:
        raise _Slow
    if size == 2:
        return (status, substate)
    if size == 4:
        return (status, substate, _status_key(raw["previous"]), _status_key(raw["target"]))
    raise _Slow


def _status(raw: object) -> ServiceStatus:
    key = _status_key(raw)
    status = _STATUSES.get(key)
    if status is None:
        status = _remember(_STATUSES, key, _structure_status(raw))
    return status


def _actor(raw: object) -> Actor:
    if type(raw) is not dict or len(raw) != 4:
        raise _Slow
    kind, customer_id, name = raw["kind"], raw["customer_id"], raw["name"]
    permissions = raw["permissions"]
    if (
        type(kind) is not str
        or (customer_id is not None and type(customer_id) is not str)
        or (name is not None and type(name) is not str)
        or type(permissions) is not list
    ):
        raise _Slow
    for permission in permissions:
        if type(permission) is not str:
            raise _Slow
    key = (kind, customer_id, name, *permissions)
    actor = _ACTORS.get(key)
    if actor is None:
        actor = _remember(_ACTORS, key, _strict(raw, Actor))
    return actor


def _text(raw: object) -> str:
    """Text that is not blank: what the constructors' ``_text`` rule asks."""
    if type(raw) is not str or not raw.strip():
        raise _Slow
    return raw


def _count(raw: object, most: int) -> int:
    """A whole number from 1 to ``most``: the constructors' ``_count`` rule."""
    if type(raw) is not int or not 1 <= raw <= most:
        raise _Slow
    return raw


def _options(raw: object) -> tuple[ServiceOption, ...]:
    if type(raw) is not list:
        raise _Slow
    options = []
    for item in raw:
        if type(item) is not dict or len(item) != 4:
            raise _Slow
        # ServiceOption's rules: code and choice not blank, quantity 1 to MAX_QUANTITY,
        # price >= 0.
        price = item["price"]
        if price is not None:
            price = _strict(price, Money)
            if price.amount < 0:
                raise _Slow
        options.append(
            _build_option(
                _text(item["code"]),
                _text(item["choice"]),
                _count(item["quantity"], MAX_QUANTITY),
                price,
            )
        )
    return tuple(options)


def _addons(raw: object) -> tuple[ServiceAddOn, ...]:
    if type(raw) is not list:
        raise _Slow
    addons = []
    for item in raw:
        if type(item) is not dict or len(item) != 7:
            raise _Slow
        code, start = _text(item["code"]), item["start"]
        cycle = item["cycle"]
        cycle = _CYCLES.get(cycle) or _new_cycle(cycle)
        start = _DAYS.get(start) or _new_day(start)
        next_due, end = item["next_due"], item["termination_date"]
        if next_due is not None:
            next_due = _DAYS.get(next_due) or _new_day(next_due)
        if end is not None:
            end = _DAYS.get(end) or _new_day(end)
        status = _status(item["status"])
        price = item["price"]
        if price is not None:
            price = _price(price)
        # ServiceAddOn's rules (types hold by construction): not due before it started,
        # a termination date exactly when it has ended.
        if next_due is not None and next_due < start:
            raise _Slow
        if (status.status in ENDED) != (end is not None):
            raise _Slow
        addons.append(_build_addon(code, cycle, start, next_due, status, end, price))
    return tuple(addons)


def _history(raw: object) -> History:
    earlier, last_at = 0, None
    if type(raw) is dict:
        if len(raw) != 3:
            raise _Slow
        earlier, last_at, raw = raw["earlier"], raw["last_at"], raw["entries"]
        if type(earlier) is not int or earlier <= 0:
            raise _Slow
        last_at = _INSTANTS.get(last_at) or _new_instant(last_at)
    if type(raw) is not list:
        raise _Slow
    entries: list[HistoryEntry] = []
    last: HistoryEntry | None = None
    for item in raw:
        if type(item) is not dict or len(item) != 7:
            raise _Slow
        at, operation = item["at"], item["operation"]
        at = _INSTANTS.get(at) or _new_instant(at)
        operation = _OPERATIONS.get(operation) or _new_operation(operation)
        reason, details = item["reason"], item["details"]
        if type(reason) is not str or type(details) is not str:
            raise _Slow
        before, after = _status(item["before"]), _status(item["after"])
        # History's rules (HistoryEntry's hold by construction): in time order, each
        # entry starting where the one before ended.
        if last is not None and (at < last.at or before != last.after):
            raise _Slow
        if last is None and last_at is not None and at < last_at:
            raise _Slow
        last = _build_entry(at, _actor(item["actor"]), operation, reason, before, after, details)
        entries.append(last)
    return _build_history(tuple(entries), earlier, last_at)


def _optional_day(raw: object) -> date | None:
    if raw is None:
        return None
    return _DAYS.get(raw) or _new_day(raw)  # type: ignore[call-overload]


def _fast_from_data(data: dict[str, Any]) -> Service:
    """The service of a document in the shape :func:`service_to_data` writes; raises else."""
    if len(data) != _SERVICE_SIZE:
        # Fields an older document lacks take their defaults; an unknown key or a
        # missing required one leaves a size or a lookup wrong.
        data = {**_RAW_DEFAULTS, **data}
        if len(data) != _SERVICE_SIZE:
            raise _Slow
    edition, domain = data["edition"], data["domain"]
    if edition is not None:
        edition = _text(edition)
    if domain is not None:
        domain = _text(domain)
    cycle, start = data["cycle"], data["start"]
    cycle = _CYCLES.get(cycle) or _new_cycle(cycle)
    start = _DAYS.get(start) or _new_day(start)
    next_due, paid_through = _optional_day(data["next_due"]), _optional_day(data["paid_through"])
    ended = _optional_day(data["termination_date"])
    status = _status(data["status"])
    options, addons = _options(data["options"]), _addons(data["addons"])
    history = _history(data["history"])
    auto_renew, zone, version = data["auto_renew"], data["time_zone"], data["version"]
    if type(auto_renew) is not bool or type(version) is not int or type(zone) is not str:
        raise _Slow
    override, cancellation = data["override_auto_suspend"], data["cancellation"]
    if override is not None:
        override = _strict(override, _FIELD_TYPES["override_auto_suspend"])
    if cancellation is not None:
        cancellation = _strict(cancellation, _FIELD_TYPES["cancellation"])
    pending_change = data["pending_change"]
    if pending_change is not None:
        pending_change = _strict(pending_change, _FIELD_TYPES["pending_change"])
    timeline = _strict(data["timeline"], Timeline)
    ledger = _strict(data["ledger"], Ledger)
    dunning = data["dunning"]
    if dunning is not None:
        dunning = _strict(dunning, _FIELD_TYPES["dunning"])
    invoicing = data["invoicing"]
    if invoicing is not None:
        invoicing = _strict(invoicing, _FIELD_TYPES["invoicing"])
    bundle_id, sold_under = data["bundle_id"], data["sold_under"]
    if bundle_id is not None and (_text(bundle_id) == data["id"]):
        raise _Slow
    if sold_under is not None:
        sold_under = _strict(sold_under, _FIELD_TYPES["sold_under"])
    timing = _TIMINGS.get(data["billing_timing"]) if type(data["billing_timing"]) is str else None
    if timing is None:
        raise _Slow
    # Service's rules; the type checks hold by construction. Values:
    if zone != "UTC" and zone not in _ZONES:
        time_zone(_text(zone))
        _remember(_ZONES, zone, True)
    if len({option.code for option in options}) != len(options):
        raise _Slow
    # Dates:
    if timeline.service_id != data["id"] or timeline.timing is not timing:
        raise _Slow
    if timing is BillingTiming.IN_ARREARS and cycle.unit is CycleUnit.ONE_TIME:
        raise _Slow
    if next_due is not None and (cycle.unit is CycleUnit.ONE_TIME or next_due < start):
        raise _Slow
    if paid_through is not None and (
        paid_through < start or (next_due is not None and paid_through >= next_due)
    ):
        raise _Slow
    if (status.status in ENDED) != (ended is not None):
        raise _Slow
    # Add-ons:
    if len({addon.code for addon in addons}) != len(addons):
        raise _Slow
    for addon in addons:
        if addon.start < start:
            raise _Slow
        if ended is not None and (
            addon.status.status not in ENDED
            or (addon.termination_date is not None and addon.termination_date > ended)
        ):
            raise _Slow
    # History:
    if version != history.earlier + len(history.entries):
        raise _Slow
    last = history.entries[-1] if history.entries else None
    if last is not None and last.after != status:
        raise _Slow
    return _build_service(
        _text(data["id"]),
        _text(data["customer_id"]),
        _text(data["product_code"]),
        edition,
        cycle,
        _count(data["quantity"], MAX_SERVICE_QUANTITY),
        _price(data["price"]),
        options,
        addons,
        domain,
        _text(data["payment_method"]),
        start,
        next_due,
        paid_through,
        status,
        auto_renew,
        override,
        cancellation,
        ended,
        zone,
        pending_change,
        timing,
        timeline,
        ledger,
        dunning,
        invoicing,
        bundle_id,
        sold_under,
        version,
        history,
    )


def _money_data(amount: Money) -> dict[str, Any]:
    return {"amount": str(amount.amount), "currency": amount.currency.code}


def _price_data(price: RecurringPrice) -> dict[str, Any]:
    amount = price.amount
    return {
        "amount": {"amount": str(amount.amount), "currency": amount.currency.code},
        "override": price.override,
    }


def _status_data(status: ServiceStatus) -> dict[str, Any]:
    if status.substate is None:
        return {"status": status.status.value}
    if status.previous is None and status.target is None:
        return {"status": status.status.value, "substate": status.substate.value}
    return _unstructure_status(status)


def _day_text(day: date) -> str:
    """``day.isoformat()``, remembered (equal plain dates are written alike)."""
    return _remember(_DAY_TEXTS, day, day.isoformat())


def _instant_text(instant: datetime) -> str:
    """``instant.isoformat()``, remembered in UTC (equal instants in UTC are written alike)."""
    text = instant.isoformat()
    if type(instant) is datetime and instant.tzinfo is UTC:
        _remember(_INSTANT_TEXTS, instant, text)
    return text


def _day_data(day: date | None) -> str | None:
    if day is None:
        return None
    if type(day) is date:  # a subclass may write itself otherwise
        return _DAY_TEXTS.get(day) or _day_text(day)
    return day.isoformat()


def _addon_data(addon: ServiceAddOn) -> dict[str, Any]:
    price = addon.price
    return {
        "code": addon.code,
        "cycle": str(addon.cycle),
        "start": _day_data(addon.start),
        "next_due": _day_data(addon.next_due),
        "status": _status_data(addon.status),
        "termination_date": _day_data(addon.termination_date),
        "price": None if price is None else _price_data(price),
    }


def _entry_data(entry: HistoryEntry) -> dict[str, Any]:
    actor, at = entry.actor, entry.at
    permissions = actor.permissions
    return {
        "at": (_INSTANT_TEXTS.get(at) if type(at) is datetime and at.tzinfo is UTC else None)
        or _instant_text(at),
        "actor": {
            "kind": actor.kind.value,
            "customer_id": actor.customer_id,
            "name": actor.name,
            "permissions": sorted(p.value for p in permissions) if permissions else [],
        },
        "operation": entry.operation.value,
        "reason": entry.reason,
        "before": _status_data(entry.before),
        "after": _status_data(entry.after),
        "details": entry.details,
    }


def _rare(value: object, name: str) -> Any:
    """A field most services leave empty, written by the converter as the strict path does."""
    kind = _FIELD_TYPES[name]
    return _plain(_unstructure_hook(kind)(value))


def _fast_to_data(service: Service, *, compact: bool = False) -> dict[str, Any]:
    """The converter's document for ``service``, field by field, written by hand (without
    its timeline and ledger when ``compact``: ``_data_compact.compacted`` writes them)."""
    override, cancellation = service.override_auto_suspend, service.cancellation
    pending_change = service.pending_change
    return {
        "id": service.id,
        "customer_id": service.customer_id,
        "product_code": service.product_code,
        "edition": service.edition,
        "cycle": str(service.cycle),
        "quantity": service.quantity,
        "price": _price_data(service.price),
        "options": [
            {
                "code": option.code,
                "choice": option.choice,
                "quantity": option.quantity,
                "price": None if option.price is None else _money_data(option.price),
            }
            for option in service.options
        ],
        "addons": [_addon_data(addon) for addon in service.addons],
        "domain": service.domain,
        "payment_method": service.payment_method,
        "start": _day_data(service.start),
        "next_due": _day_data(service.next_due),
        "paid_through": _day_data(service.paid_through),
        "status": _status_data(service.status),
        "auto_renew": service.auto_renew,
        "override_auto_suspend": (
            None if override is None else _rare(override, "override_auto_suspend")
        ),
        "cancellation": None if cancellation is None else _rare(cancellation, "cancellation"),
        "termination_date": _day_data(service.termination_date),
        "time_zone": service.time_zone,
        "pending_change": (
            None if pending_change is None else _rare(pending_change, "pending_change")
        ),
        "billing_timing": service.billing_timing.value,
        "timeline": None if compact else _rare(service.timeline, "timeline"),
        "ledger": None if compact else _rare(service.ledger, "ledger"),
        "dunning": None if service.dunning is None else _rare(service.dunning, "dunning"),
        "invoicing": None if service.invoicing is None else _rare(service.invoicing, "invoicing"),
        "bundle_id": service.bundle_id,
        "sold_under": (
            None if service.sold_under is None else _rare(service.sold_under, "sold_under")
        ),
        "version": service.version,
        "history": history_data(service.history, _entry_data),
    }


def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in attrs.fields(kind))


#: The fields the fast path reads and writes, class by class. A class with other fields
#: (one added later) turns the fast path off, so such fields flow through the strict path.
_KNOWN_FIELDS: dict[type, tuple[str, ...]] = {
    Service: (
        "id",
        "customer_id",
        "product_code",
        "edition",
        "cycle",
        "quantity",
        "price",
        "options",
        "addons",
        "domain",
        "payment_method",
        "start",
        "next_due",
        "paid_through",
        "status",
        "auto_renew",
        "override_auto_suspend",
        "cancellation",
        "termination_date",
        "time_zone",
        "pending_change",
        "billing_timing",
        "timeline",
        "ledger",
        "dunning",
        "invoicing",
        "bundle_id",
        "sold_under",
        "version",
        "history",
    ),
    ServiceOption: ("code", "choice", "quantity", "price"),
    ServiceAddOn: ("code", "cycle", "start", "next_due", "status", "termination_date", "price"),
    HistoryEntry: ("at", "actor", "operation", "reason", "before", "after", "details"),
    History: ("entries", "earlier", "earlier_last_at"),
    Actor: ("kind", "customer_id", "name", "permissions"),
    RecurringPrice: ("amount", "override"),
    Money: ("amount", "currency"),
    ServiceStatus: ("status", "substate", "previous", "target"),
}
_FAST = all(_field_names(kind) == names for kind, names in _KNOWN_FIELDS.items())
_SERVICE_SIZE = len(_KNOWN_FIELDS[Service])
_FIELD_TYPES: dict[str, Any] = typing.get_type_hints(Service)
#: The document's value for each field with a default, read as that default.
_RAW_DEFAULTS: dict[str, Any] = {
    "quantity": 1,
    "options": [],
    "addons": [],
    "domain": None,
    "next_due": None,
    "paid_through": None,
    "status": {"status": "pending", "substate": "ordered"},
    "auto_renew": True,
    "override_auto_suspend": None,
    "cancellation": None,
    "termination_date": None,
    "time_zone": "UTC",
    "pending_change": None,
    "dunning": None,
    "invoicing": None,
    "bundle_id": None,
    "sold_under": None,
    "billing_timing": BillingTiming.IN_ADVANCE.value,
    "version": 0,
    "history": [],
}
_TIMINGS = {timing.value: timing for timing in BillingTiming}
_build_service = _fast.builder(Service, *_KNOWN_FIELDS[Service])
_build_option = _fast.builder(ServiceOption, *_KNOWN_FIELDS[ServiceOption])
_build_addon = _fast.builder(ServiceAddOn, *_KNOWN_FIELDS[ServiceAddOn])
_build_entry = _fast.builder(HistoryEntry, *_KNOWN_FIELDS[HistoryEntry])
_build_history = _fast.builder(History, *_KNOWN_FIELDS[History])


def _rules_fingerprint() -> str:
    """A digest of the constructors' rules the fast path copies, and of the fields' setup."""
    rules: list[Any] = [
        Service.__attrs_post_init__,
        Service._check_values,
        Service._check_dates,
        Service._check_timeline,
        Service._check_addons,
        Service._check_history,
        ServiceOption.__attrs_post_init__,
        ServiceAddOn.__attrs_post_init__,
        HistoryEntry.__attrs_post_init__,
        History.__attrs_post_init__,
        _history_module._check_next,
        _history_module._check_time,
        _history_module._entries,
        _parts_module._text,
        _parts_module._count,
        _parts_module._day,
        _parts_module._kind,
        _parts_module._ended,
    ]
    digest = hashlib.sha256()
    for rule in rules:
        digest.update(inspect.getsource(rule).encode())
    for kind in (Service, ServiceOption, ServiceAddOn, HistoryEntry, History):
        hints = typing.get_type_hints(kind)  # field.type is text until cattrs resolves it
        for field in attrs.fields(kind):
            converter = getattr(field.converter, "__name__", repr(field.converter))
            digest.update(f"{kind.__name__}.{field.name}:{hints[field.name]}:{converter};".encode())
    return digest.hexdigest()
