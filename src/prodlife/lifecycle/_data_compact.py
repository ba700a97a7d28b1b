"""The compact shape of a service document: how a store keeps a service (issue 14, item 7).

:func:`compacted` leaves out of a full document what a reader can put back, and
:func:`expanded` puts it back before the converter reads it; so the converter knows
one shape, and a rule of the compact shape is written here once, both ways. What is left
out or written short:

- every field at its default; the service's and customer's ids repeated in its timeline
  and ledger; the timeline's start when it is the service's;
- an amount as text (``"4.50 EUR"``), a price set from the price list
  (``{"amount": ..., "override": false}``) as its amount's text, a status without a
  substate as its name (``"active"``), an option's quantity 1 and missing price, an
  add-on's missing termination date, the history's empty list of recent entries;
- a timeline rate's billing schedule when it is the first rate's (options and add-ons
  mostly step with the service);
- a ledger line's proration when it says only that the line is a whole period in actual
  days at the line's amount (written ``"2026-03-01/2026-04-01"``), and its description
  when it is the description of its track's rate in force when its period starts.

Each rule leaves a value out only when the value the reader puts back is exactly it
(tested both ways, tests/test_lifecycle_data.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import Any

import attrs
import cattrs

from prodlife.billing.ledger import Ledger
from prodlife.billing.timeline import Timeline
from prodlife.lifecycle._data_converter import _converter
from prodlife.lifecycle.service_parts import ServiceAddOn, ServiceInvoicing, ServiceOption
from prodlife.lifecycle.services import Service
from prodlife.money import Money

__all__ = ["compacted", "expanded", "without_timeline"]

#: The day count a compact ledger line of a whole period leaves out.
_DAYS = "actual days"


def compacted(service: Service, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (the full document of ``service``) without its defaults and repeats."""
    defaults = _defaults(Service)
    short = {
        key: value
        for key, value in data.items()
        if key not in defaults or type(value) is not type(defaults[key]) or value != defaults[key]
    }
    _shorten_fields(short)
    converter = _compact_converter()
    timeline: dict[str, Any] = converter.unstructure(service.timeline, Timeline)
    del timeline["service_id"]
    if timeline["customer_id"] == service.customer_id:
        del timeline["customer_id"]
    if timeline["start"] == data["start"]:
        del timeline["start"]
    tracks = timeline.get("tracks", ())
    first = _first_schedule(tracks)
    for track in tracks:
        if track.get("subject") == "":
            del track["subject"]
        for index, rate in enumerate(track.get("rates", ())):
            if rate.get("end", 0) is None:
                del rate["end"]
            if rate["schedule"] == first and (track is not tracks[0] or index):
                del rate["schedule"]
    ledger: dict[str, Any] = converter.unstructure(service.ledger, Ledger)
    for line in ledger.get("lines", ()):
        del line["service_id"]
        if line["customer_id"] == service.customer_id:
            del line["customer_id"]
        for blank in ("subject", "code"):
            if line.get(blank) == "":
                del line[blank]
        share = line.get("proration")
        if share is not None:  # what the line itself says, said once
            if share["portion"] == share["period"]:
                del share["portion"]
            if share["amount"] == line["amount"]:
                del share["amount"]
            if _whole_days(share, line):  # a whole period in days: its period says it all
                for said in ("price", "used", "total", "convention"):
                    del share[said]
            if set(share) == {"period"}:
                line["proration"] = f"{share['period']['start']}/{share['period']['end']}"
        rate = _track_rate(tracks, line)
        for said in _FROM_RATE:
            if said in rate and rate[said] == line[said]:
                del line[said]
    short["timeline"], short["ledger"] = timeline, ledger
    return short


def expanded(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A compact document with what it left out put back (others as they are)."""
    timeline = data.get("timeline")
    if type(timeline) is not dict or "service_id" in timeline:
        return data
    service_id, customer_id = data.get("id"), data.get("customer_id")
    full = _lengthen_fields(data)
    full["timeline"] = {
        "service_id": service_id,
        "customer_id": customer_id,
        "start": data.get("start"),
        **timeline,
    }
    tracks = timeline.get("tracks")
    if type(tracks) is list:
        first = _first_schedule(tracks)
        tracks = [
            {
                "subject": "",
                **track,
                "rates": [_expanded_rate(rate, first) for rate in track["rates"]],
            }
            if type(track) is dict and type(track.get("rates")) is list
            else track
            for track in tracks
        ]
        full["timeline"]["tracks"] = tracks
    ledger = data.get("ledger")
    if type(ledger) is dict and type(ledger.get("lines")) is list:
        ids = {"service_id": service_id, "customer_id": customer_id}
        known = tracks if type(tracks) is list else []
        full["ledger"] = {
            **ledger,
            "lines": [
                _expanded_line(ids, line, known) if type(line) is dict else line
                for line in ledger["lines"]
            ],
        }
    return full


# --- the service's own fields ------------------------------------------------------------


def _shorten_fields(short: dict[str, Any]) -> None:
    short.update(_price_and_status(short, _short_price, _short_status))
    if "options" in short:
        short["options"] = [_short_option(option) for option in short["options"]]
    if "addons" in short:
        short["addons"] = [_short_addon(addon) for addon in short["addons"]]
    if "invoicing" in short:
        short["invoicing"] = _without_defaults(short["invoicing"], _defaults(ServiceInvoicing))
    history = short.get("history")
    if type(history) is dict and history.get("entries") == []:
        short["history"] = {key: value for key, value in history.items() if key != "entries"}


def _lengthen_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    full: dict[str, Any] = _price_and_status(dict(data), _long_price, _long_status)
    options = full.get("options")
    if type(options) is list:
        full["options"] = [_with_defaults(option, _defaults(ServiceOption)) for option in options]
    addons = full.get("addons")
    if type(addons) is list:
        full["addons"] = [_long_addon(addon) for addon in addons]
    if "invoicing" in full:
        full["invoicing"] = _with_defaults(full["invoicing"], _defaults(ServiceInvoicing))
    history = full.get("history")
    if type(history) is dict and "entries" not in history:
        full["history"] = {**history, "entries": []}
    return full


@functools.cache
def _defaults(kind: type) -> dict[str, Any]:
    """The document's value of each field of ``kind`` with a default (a factory's, made),
    but the timeline and ledger, which are written always."""
    found = {}
    for field in attrs.fields(kind):
        default = field.default
        if default is attrs.NOTHING or field.name in ("timeline", "ledger"):
            continue
        if isinstance(default, _FACTORY):
            if default.takes_self:
                continue
            default = default.factory()
        found[field.name] = _converter().unstructure(default)
    return found


_FACTORY: type[Any] = type(attrs.Factory(list))


@functools.cache
def without_timeline() -> cattrs.Converter:
    """The document converter, writing a service's timeline and ledger as ``None``:
    :func:`compacted` writes them in its own shape."""
    converter = _converter().copy()
    for kind in (Timeline, Ledger):
        converter.register_unstructure_hook(kind, lambda _: None)
    return converter


def _without_defaults(item: Any, defaults: Mapping[str, Any]) -> Any:
    """``item`` without the keys at their defaults (the same value of the same type: a
    ``True`` is not the default 1), never emptied (an empty mapping would read as
    all defaults, which ``None`` is not)."""
    if type(item) is not dict:
        return item
    short = {
        key: value
        for key, value in item.items()
        if key not in defaults or type(value) is not type(defaults[key]) or value != defaults[key]
    }
    return short or item


def _with_defaults(item: Any, defaults: Mapping[str, Any]) -> Any:
    return {**defaults, **item} if type(item) is dict else item


def _short_price(price: Any) -> Any:
    """A price from the price list as its amount's text."""
    if type(price) is dict and price.get("override") is False:
        money = price.get("amount")
        if type(money) is dict and set(money) == {"amount", "currency"}:
            return f"{money['amount']} {money['currency']}"
    return price


def _long_price(price: Any) -> Any:
    if type(price) is not str:
        return price
    amount, _, currency = price.rpartition(" ")
    return {"amount": {"amount": amount, "currency": currency}, "override": False}


def _short_status(status: Any) -> Any:
    if type(status) is dict and len(status) == 1 and type(status.get("status")) is str:
        return status["status"]
    return status


def _long_status(status: Any) -> Any:
    return {"status": status} if type(status) is str else status


def _short_option(option: Any) -> Any:
    short = _without_defaults(option, _defaults(ServiceOption))
    money = short.get("price") if type(short) is dict else None
    if type(money) is dict and set(money) == {"amount", "currency"}:
        short = {**short, "price": f"{money['amount']} {money['currency']}"}
    return short


def _short_addon(addon: Any) -> Any:
    return _price_and_status(
        _without_defaults(addon, _defaults(ServiceAddOn)), _short_price, _short_status
    )


def _long_addon(addon: Any) -> Any:
    return _price_and_status(
        _with_defaults(addon, _defaults(ServiceAddOn)), _long_price, _long_status
    )


def _price_and_status(item: Any, price: Callable[[Any], Any], status: Callable[[Any], Any]) -> Any:
    """``item`` (a service's or an add-on's fields) with its price and status rewritten."""
    if type(item) is not dict:
        return item
    out = dict(item)
    if "price" in out:
        out["price"] = price(out["price"])
    if "status" in out:
        out["status"] = status(out["status"])
    return out


# --- the timeline and the ledger ------------------------------------------------------------


def _first_schedule(tracks: Any) -> Any:
    """The billing schedule of the timeline's first rate, which others leave out."""
    if type(tracks) is list and tracks and type(tracks[0]) is dict:
        rates = tracks[0].get("rates")
        if type(rates) is list and rates and type(rates[0]) is dict:
            return rates[0].get("schedule")
    return None


def _expanded_rate(rate: object, first: Any) -> object:
    """A compact timeline rate with its open end and its schedule put back."""
    if type(rate) is not dict:
        return rate
    full = {"end": None, **rate}
    if "schedule" not in rate and first is not None:
        full["schedule"] = first
    return full


def _track_rate(tracks: Any, line: Mapping[str, Any]) -> Mapping[str, Any]:
    """The rate in force when ``line``'s period starts, on the track of the line's type and
    subject (its description and amount are the line's unless written); empty when none."""
    share = line.get("proration")
    if type(share) is str:
        start = share.partition("/")[0]
    elif type(share) is dict and type(share.get("period")) is dict:
        start = share["period"].get("start")
    else:
        return {}
    kind, subject = line.get("type"), line.get("subject", "")
    if type(start) is not str or type(tracks) is not list:
        return {}
    found: Mapping[str, Any] = {}
    for track in tracks:
        if type(track) is not dict or track.get("type") != kind:
            continue
        if track.get("subject", "") != subject or type(track.get("rates")) is not list:
            continue
        for rate in track["rates"]:
            if type(rate) is dict and type(rate.get("start")) is str and rate["start"] <= start:
                end = rate.get("end")
                if end is None or (type(end) is str and end > start):
                    found = rate
    return found


#: What a ledger line may take from its track's rate.
_FROM_RATE = ("description", "amount")


def _expanded_line(ids: dict[str, Any], line: dict[str, Any], tracks: Any) -> dict[str, Any]:
    """A compact ledger line with its ids, blanks, description and its proration's
    repeats put back."""
    rate = _track_rate(tracks, line)
    full = {**ids, "subject": "", "code": "", **{k: rate[k] for k in _FROM_RATE if k in rate}}
    full.update(line)
    line = full
    share = line.get("proration")
    if type(share) is str:
        start, _, end = share.partition("/")
        share = {"period": {"start": start, "end": end}}
        full["proration"] = share
    if type(share) is dict and ("portion" not in share or "amount" not in share):
        full["proration"] = {
            "portion": share.get("period"),
            "amount": line.get("amount"),
            **_whole_period(share, line),
            **share,
        }
    return full


def _whole_days(share: dict[str, Any], line: dict[str, Any]) -> bool:
    """Whether a compact line's proration is a whole period counted in actual days at the
    line's own amount, so that its period and amount say the rest."""
    period = share.get("period")
    if share.get("convention") != _DAYS or share.get("price") != line.get("amount"):
        return False
    if "portion" in share or type(period) is not dict or share["used"] != share["total"]:
        return False
    days = date.fromisoformat(period["end"]) - date.fromisoformat(period["start"])
    return bool(share["total"] == days.days)


def _whole_period(share: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    """What :func:`_whole_days` let a compact line leave out, from its period and amount."""
    period = share.get("period")
    if "used" in share or type(period) is not dict:
        return {}
    try:
        days = (date.fromisoformat(period["end"]) - date.fromisoformat(period["start"])).days
    except (KeyError, TypeError, ValueError):
        return {}  # not a document this module wrote: the reader explains what is wrong
    return {"price": line.get("amount"), "used": days, "total": days, "convention": _DAYS}


@functools.cache
def _compact_converter() -> cattrs.Converter:
    """The document converter, leaving out fields at their defaults, writing lists and
    amounts as text (``"4.50 EUR"``)."""
    converter = _converter().copy(
        omit_if_default=True,
        unstruct_collection_overrides={Sequence: list, AbstractSet: list},
    )
    converter.register_unstructure_hook(Money, _money_text)
    return converter


def _money_text(money: Money) -> str:
    return f"{money.amount} {money.currency.code}"
