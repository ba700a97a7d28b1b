"""Service documents read with remembered values, against reading every value afresh.

The converter of prodlife.lifecycle.data remembers the small values documents repeat
(cycles, schedules, periods, statuses, actors, prices, operations, dates, amounts).
These tests hold it to never changing an answer: every document written is plain
JSON and reads back to the service; every document, valid or damaged, once the
remembered values are warm, gives what a converter that remembers nothing gives (an
equal service of values of the same types, or the same error and message).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money
from prodlife.billing import bill
from prodlife.catalog.change_rules import ChangeTiming
from prodlife.cycles import MONTHLY, ONE_TIME
from prodlife.errors import ValidationError
from prodlife.lifecycle import (
    Actor,
    Operation,
    Service,
    ServiceAddOn,
    ServiceOption,
)
from prodlife.lifecycle import data as codec
from prodlife.lifecycle._data_converter import _converter
from prodlife.lifecycle.service_parts import OverrideAutoSuspend, PendingChange
from prodlife.lifecycle.status import ACTIVE, ServiceStatus, Status
from prodlife.pricing.recurring import RecurringPrice
from prodlife.testing.strategies import services
from tests._lifecycle import lived
from tests._support import d, usd


def busy() -> Service:
    """Options, two add-ons (one ended), a cancellation, staff, an in-progress status."""
    service = Service(
        id="S-1",
        customer_id="C-1",
        product_code="VPS",
        edition="pro",
        cycle=MONTHLY,
        quantity=2,
        price=RecurringPrice.at_order(usd("10.00"), override=usd("8.50")),
        options=[ServiceOption("RAM", "4 GB", 2), ServiceOption("CPU", "2 cores")],
        addons=[
            ServiceAddOn("BACKUP", MONTHLY, d("2025-01-01"), d("2025-02-01"), ACTIVE),
            ServiceAddOn(
                "IP",
                MONTHLY,
                d("2025-01-05"),
                None,
                ServiceStatus(Status.CANCELLED),
                d("2025-01-20"),
                RecurringPrice.at_order(usd("3")),
            ),
        ],
        domain="example.com",
        payment_method="card",
        start=d("2025-01-01"),
        next_due=d("2025-02-01"),
        paid_through=d("2025-01-31"),
        time_zone="Asia/Tokyo",
    )
    return lived(service, "I-1")


def rare() -> Service:
    """The fields most services leave empty: override, pending change, a pause; one-time add-on."""
    service = Service(
        id="S-2",
        customer_id="C-2",
        product_code="VPS",
        edition=None,
        cycle=MONTHLY,
        price=RecurringPrice.at_order(jpy("1200")),
        addons=[ServiceAddOn("SETUP", ONE_TIME, d("2025-01-01"), None, ACTIVE)],
        payment_method="card",
        start=d("2025-01-01"),
        next_due=d("2025-02-01"),
        status=ACTIVE,
        auto_renew=False,
        override_auto_suspend=OverrideAutoSuspend(d("2025-03-01")),
        pending_change=PendingChange(
            timing=ChangeTiming.END_OF_TERM,
            product_code="VPS-XL",
            edition="max",
            cycle=MONTHLY,
            price=RecurringPrice.at_order(jpy("2400")),
            requested_at=datetime(2025, 1, 10, tzinfo=timezone(timedelta(hours=9))),
            effective=d("2025-02-01"),
            rule="upgrades",
        ),
    )
    paused = service.timeline.pause(d("2025-01-20"))
    ledger, _ = bill(paused, service.ledger, d("2025-01-20"))
    return attrs.evolve(service, timeline=paused, ledger=ledger)


def jpy(amount: str) -> Money:
    return Money(amount, "JPY")


def ended() -> Service:
    """Cancelled by its customer, its add-ons ended with it (one ended before)."""
    service = busy().perform(
        Operation.PROVISIONED, Actor.system(), datetime(2025, 1, 3, 13, tzinfo=UTC), "done"
    )
    return service.perform(
        Operation.CANCEL,
        Actor.customer("C-1"),
        datetime(2025, 1, 25, 8, tzinfo=UTC),
        "bye",
        provisioning=False,
        termination_date=d("2025-01-25"),
    )


EXAMPLES = {"busy": busy, "rare": rare, "ended": ended}


def json_round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value))


# --- comparing values exactly ------------------------------------------------------------


def same_data(a: object, b: object, path: str = "service") -> list[str]:
    """Where two documents differ: keys, key order, values or their exact types."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}"]
    if isinstance(a, dict):
        assert isinstance(b, dict)
        if list(a) != list(b):
            return [f"{path}: keys {list(a)} vs {list(b)}"]
        return [p for key in a for p in same_data(a[key], b[key], f"{path}.{key}")]
    if isinstance(a, list):
        assert isinstance(b, list)
        if len(a) != len(b):
            return [f"{path}: {len(a)} items vs {len(b)}"]
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in same_data(x, y)]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def same_value(a: object, b: object, path: str = "service") -> list[str]:
    """Where two values differ: equality, exact types, Decimal digits, time zones, identity of
    enum members; through attrs fields (those left out of ``eq`` too), tuples and sets."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}"]
    kind = type(a)
    if attrs.has(kind):
        return [
            p
            for field in attrs.fields(kind)
            for p in same_value(
                getattr(a, field.name), getattr(b, field.name), f"{path}.{field.name}"
            )
        ]
    if isinstance(a, tuple | list):
        assert isinstance(b, tuple | list)
        if len(a) != len(b):
            return [f"{path}: {len(a)} items vs {len(b)}"]
        return [
            p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in same_value(x, y, path)
        ]
    if isinstance(a, frozenset | set):
        assert isinstance(b, frozenset | set)
        if a != b or sorted(map(repr, a)) != sorted(map(repr, b)):
            return [f"{path}: {a!r} vs {b!r}"]
        return []
    if isinstance(a, Decimal):
        assert isinstance(b, Decimal)
        return [] if a.as_tuple() == b.as_tuple() else [f"{path}: {a!r} vs {b!r}"]
    if isinstance(a, datetime):
        assert isinstance(b, datetime)
        if (a, a.isoformat(), a.tzinfo, a.fold) != (b, b.isoformat(), b.tzinfo, b.fold):
            return [f"{path}: {a!r} vs {b!r}"]
        return []
    if isinstance(a, date):
        assert isinstance(b, date)
        return [] if (a, a.isoformat()) == (b, b.isoformat()) else [f"{path}: {a!r} vs {b!r}"]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def outcome(read: Any, document: Any) -> tuple[str, Any]:
    """What reading a copy of ``document`` gives: ("service", it) or ("error", type, message)."""
    try:
        return ("service", read(copy.deepcopy(document)))
    except Exception as error:  # any exception is an outcome to compare
        return ("error", (type(error), str(error)))


def afresh(document: Any) -> Service:
    """``document`` read by a converter that remembers nothing."""
    return codec._read(document, _converter(remember=False))


def disagreement(document: Any) -> str | None:
    """How :func:`service_from_data` differs from reading afresh on ``document``, if it does."""
    warm = outcome(codec.service_from_data, document)
    cold = outcome(afresh, document)
    if warm[0] != cold[0]:
        return f"remembering gives {warm}, afresh gives {cold}"
    if warm[0] == "error":
        return None if warm[1] == cold[1] else f"remembering raises {warm[1]}, afresh {cold[1]}"
    differences = same_value(warm[1], cold[1])
    if warm[1] != cold[1] or differences:
        return f"different services: {differences}"
    return None


# --- writing --------------------------------------------------------------------------------


def test_each_document_is_new_and_changing_one_changes_no_other() -> None:
    service = busy()
    before = json_round_trip(codec.service_to_data(service))
    first = codec.service_to_data(service)
    first["status"]["status"] = "deleted"
    first["history"][0]["actor"]["permissions"].append("x")
    first["addons"][0]["price"] = "gone"
    first["price"]["amount"]["amount"] = "0"
    assert same_data(codec.service_to_data(service), before) == []


def test_a_subclass_of_service_is_written_as_a_service() -> None:
    class Special(Service):
        pass

    values = {field.name: getattr(busy(), field.name) for field in attrs.fields(Service)}
    special = Special(**values)
    assert same_data(codec.service_to_data(special), codec.service_to_data(busy())) == []


# --- reading valid documents ------------------------------------------------------------------


@given(services())
def test_every_document_written_reads_back_as_read_afresh(service: Service) -> None:
    for document in (
        codec.service_to_data(service),
        json_round_trip(codec.service_to_data(service)),
        json_round_trip(codec.service_to_data(service, compact=True)),
    ):
        assert disagreement(document) is None
        assert codec.service_from_data(document) == service


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_field_reads_back_as_read_afresh(name: str) -> None:
    document = json_round_trip(codec.service_to_data(EXAMPLES[name]()))
    assert codec.service_from_data(copy.deepcopy(document)) == EXAMPLES[name]()
    assert disagreement(document) is None


@pytest.mark.parametrize("later", [(), ("time_zone",), ("pending_change", "billing_timing")])
@pytest.mark.parametrize("name", EXAMPLES)
def test_an_older_document_takes_the_defaults(name: str, later: tuple[str, ...]) -> None:
    document = json_round_trip(codec.service_to_data(EXAMPLES[name]()))
    for field in (*later, "quantity", "domain", "override_auto_suspend"):
        del document[field]
    assert disagreement(document) is None
    read = codec.service_from_data(document)
    assert (read.quantity, read.domain, read.override_auto_suspend) == (1, None, None)


def test_a_bare_document_takes_every_default() -> None:
    document = {
        "id": "S-9",
        "customer_id": "C-9",
        "product_code": "VPS",
        "edition": None,
        "cycle": "monthly",
        "price": {"amount": {"amount": "1.00", "currency": "EUR"}, "override": False},
        "payment_method": "card",
        "start": "2025-01-01",
    }
    # Without a timeline and a ledger the service makes its own.
    read = codec.service_from_data(copy.deepcopy(document))
    assert disagreement(document) is None
    assert read.timeline.service_id == "S-9" and read.ledger.settled is None


# --- reading damaged documents -------------------------------------------------------------------

#: Values put in place of any value: other JSON types, and look-alikes of valid ones.
ANY_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    2,
    -1,
    1.5,
    10.0,
    "",
    " ",
    "x",
    [],
    {},
    ["x"],
    {"x": 1},
]
#: Text put in place of any text: dates, instants, amounts, codes, names that are nearly right.
TEXTS = [
    "2025-01-01",
    "2025-02-30",
    "20250101",
    "2025-W01-1",
    "2025-01-01T00:00:00+00:00",
    "2025-01-01T09:00:00",
    "2025-01-01T09:00:00Z",
    "2025-01-01T18:00:00+09:00",
    "2025-01-01 09:00:00+00:00",
    "2026-01-01T00:00:00+00:00",
    "2024-01-01T00:00:00+00:00",
    "10.5",
    "-1",
    "1e3",
    "NaN",
    "Infinity",
    "usd",
    "XXX",
    "JPY",
    "monthly",
    "Monthly",
    "P1M",
    "yearly",
    "one-time",
    "active",
    "ACTIVE",
    "pending",
    "ordered",
    "suspended",
    "cancelled",
    "in progress",
    "for abuse",
    "system",
    "staff",
    "customer",
    "renew",
    "services: suspend",
    "UTC",
    "Europe/Paris",
    "Mars/Base",
    "BACKUP",
    "RAM",
]
STATUSES: list[Any] = [
    {"status": "active"},
    {"status": "active", "substate": None},
    {"status": "active", "substate": "ordered"},
    {"status": "pending", "substate": "ordered"},
    {"status": "cancelled"},
    {"status": "suspended", "substate": "for abuse"},
    {"status": "suspended", "substate": "for abuse", "previous": None, "target": None},
    {
        "status": "in progress",
        "substate": "suspension",
        "previous": {"status": "active"},
        "target": {"status": "suspended", "substate": "for abuse"},
    },
    {
        "status": "in progress",
        "substate": "suspension",
        "previous": {"status": "active"},
        "target": {"status": "in progress", "substate": "renewal"},
    },
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replacements(value: Any) -> Iterator[Any]:
    yield from ANY_VALUES
    yield from STATUSES
    if isinstance(value, str):
        yield from TEXTS
        yield value + "T"
        yield value.upper()
        yield f" {value}"
    if isinstance(value, bool):
        yield int(value)
    elif isinstance(value, int):
        yield from (True, float(value), str(value), value + 1, 0)
    if isinstance(value, list):
        yield tuple(value)
        yield value[::-1]
        yield value + value
        yield value[:1]
        yield value[1:]
    if isinstance(value, dict):
        yield list(value.items())
        yield {**value, "extra": 1}
        yield dict(list(value.items())[:-1])


def damaged(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Each document with one value deleted or replaced, and one key added."""
    for path in list(_paths(document))[1:]:
        parent: Any = document
        for part in path[:-1]:
            parent = parent[part]
        original = parent[path[-1]]
        if isinstance(parent, dict):
            copied = copy.deepcopy(document)
            _at(copied, path[:-1]).pop(path[-1])
            yield f"delete {path}", copied
        for value in _replacements(original):
            copied = copy.deepcopy(document)
            _at(copied, path[:-1])[path[-1]] = value
            yield f"{path} = {value!r}", copied
    extra = copy.deepcopy(document)
    extra["colour"] = "red"
    yield "extra key", extra


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_damaged_document_gets_the_answer_read_afresh(name: str) -> None:
    document = json_round_trip(codec.service_to_data(EXAMPLES[name]()))
    codec.service_from_data(copy.deepcopy(document))  # remember its values first
    problems = [
        f"{what}: {problem}"
        for what, broken in damaged(document)
        if (problem := disagreement(broken)) is not None
    ]
    assert problems == []


LOOK_ALIKES: list[tuple[str, tuple[Any, ...], Any]] = [
    ("busy", ("quantity",), True),
    ("busy", ("version",), True),
    ("busy", ("auto_renew",), 1),
    ("busy", ("price", "override"), 0),
    ("busy", ("price", "override"), 1),
    ("busy", ("price", "amount", "amount"), 10.0),
    ("busy", ("price", "amount", "amount"), 850),
    ("busy", ("price", "amount", "currency"), "usd"),
    ("busy", ("history", 0, "at"), "2025-01-01T09:00:00"),
    ("busy", ("history", 0, "at"), "2025-01-01T18:00:00+09:00"),
    ("busy", ("history", 0, "operation"), "activate "),
    ("busy", ("status", "previous", "status"), "sleeping"),
    ("busy", ("addons", 1, "price"), {"amount": {"amount": "3", "currency": "USD"}, "override": 0}),
    ("busy", ("history", 2, "actor", "permissions"), ["services: suspend", True]),
    ("busy", ("history", 2, "actor", "name"), " "),
]


@pytest.mark.parametrize(("name", "path", "value"), LOOK_ALIKES)
def test_look_alikes_of_remembered_values_are_not_taken_for_them(
    name: str, path: tuple[Any, ...], value: Any
) -> None:
    """True is 1 and 1.0 to a dict: remembered values must not be handed back for them."""
    document = json_round_trip(codec.service_to_data(EXAMPLES[name]()))
    codec.service_from_data(copy.deepcopy(document))
    _at(document, path[:-1])[path[-1]] = value
    assert disagreement(document) is None


#: Damage that takes two edits to reach a rule (one edit breaks another rule first).
TWO_EDITS: list[tuple[str, dict[tuple[Any, ...], Any]]] = [
    (
        "ended",
        {("addons", 0, "status"): {"status": "active"}, ("addons", 0, "termination_date"): None},
    ),
    ("ended", {("addons", 1, "termination_date"): "2025-01-26", ("addons", 0, "code"): "B"}),
    ("ended", {("status",): {"status": "active"}, ("termination_date",): None}),
    ("ended", {("termination_date",): "2025-01-19", ("addons", 0, "termination_date"): None}),
    ("busy", {("next_due",): None, ("paid_through",): None}),
    ("busy", {("next_due",): None, ("cycle",): "one-time", ("paid_through",): None}),
    ("busy", {("timeline", "service_id"): "S-9", ("timeline", "timing"): "post-bill"}),
    (
        "busy",
        {
            ("history", 1, "at"): "2025-01-01T09:00:00+00:00",
            ("history", 2, "at"): "2025-01-01T09:00:00+00:00",
        },
    ),
    ("busy", {("history", 0, "at"): "2025-01-02T00:00:01+00:00"}),
    ("busy", {("version",): 2, ("history",): []}),
    ("busy", {("version",): 0, ("history",): [], ("status",): {"status": "active"}}),
    ("busy", {("addons", 1, "code"): "BACKUP"}),
    ("busy", {("options", 1, "code"): "RAM"}),
    ("busy", {("start",): "2025-01-02"}),
    ("busy", {("start",): "2025-01-06", ("addons", 0, "start"): "2025-01-06"}),
    ("rare", {("pending_change", "effective"): None}),
    ("rare", {("ledger", "lines"): []}),
    ("rare", {("ledger",): {"settled": None, "lines": []}, ("pending_change",): None}),
]


@pytest.mark.parametrize(("name", "edits"), TWO_EDITS)
def test_damage_in_two_edits_gets_the_answer_read_afresh(
    name: str, edits: dict[tuple[Any, ...], Any]
) -> None:
    document = json_round_trip(codec.service_to_data(EXAMPLES[name]()))
    codec.service_from_data(copy.deepcopy(document))
    for path, value in edits.items():
        _at(document, path[:-1])[path[-1]] = value
    assert disagreement(document) is None


@given(services(max_operations=4), st.data())
def test_any_damage_gets_the_answer_read_afresh(service: Service, data: st.DataObject) -> None:
    document = json_round_trip(codec.service_to_data(service))
    codec.service_from_data(copy.deepcopy(document))
    path = data.draw(st.sampled_from(list(_paths(document))[1:]))
    parent = _at(document, path[:-1])
    if isinstance(parent, dict) and data.draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(st.sampled_from(list(_replacements(parent[path[-1]]))))
    assert disagreement(document) is None


@pytest.mark.parametrize(
    "document",
    [None, [], "S-1", 7, {}, {"id": "S-1"}, {"id": "S-1", "quantity": True, "start": "x"}],
)
def test_what_is_not_a_service_document_gets_the_answer_read_afresh(document: Any) -> None:
    assert disagreement(document) is None


def test_a_mapping_that_is_not_a_dict_is_read() -> None:
    from types import MappingProxyType

    document = json_round_trip(codec.service_to_data(busy()))
    assert codec.service_from_data(MappingProxyType(document)) == busy()


def test_a_remembered_field_nested_absurdly_deep_is_a_validation_error() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    document = json_round_trip(codec.service_to_data(busy()))
    document["cycle"] = deep
    with pytest.raises(ValidationError, match=r"service\.cycle"):
        codec.service_from_data(document)
    document["cycle"] = "monthly"
    document["price"] = deep  # the hook refuses it at once: read afresh, the same answer
    assert disagreement(document) is None
