"""A service as a JSON document and back: equal, JSON-safe, stable, and bad documents explained."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife.cycles import MONTHLY
from prodlife.errors import ValidationError
from prodlife.lifecycle import (
    Operation,
    Permission,
    Service,
    ServiceAddOn,
    ServiceOption,
)
from prodlife.lifecycle.data import service_from_data, service_to_data
from prodlife.lifecycle.status import ACTIVE
from prodlife.pricing.recurring import RecurringPrice
from prodlife.testing.strategies import services
from tests._lifecycle import ANN, lived, web
from tests._support import d, usd


def example() -> Service:
    """Active, then suspended by ann, with a cancellation scheduled by its customer."""
    service = Service(
        id="S-1",
        customer_id="C-1",
        product_code="VPS",
        edition="pro",
        cycle=MONTHLY,
        price=RecurringPrice.at_order(usd("10.00")),
        options=[ServiceOption("RAM", "4 GB", 2)],
        addons=[
            ServiceAddOn("BACKUP", MONTHLY, d("2025-01-01"), d("2025-02-01"), ACTIVE),
        ],
        payment_method="card",
        start=d("2025-01-01"),
        next_due=d("2025-02-01"),
        paid_through=d("2025-01-31"),
    )
    return lived(service)


def json_round_trip(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))


def plain_json_only(value: object, path: str = "service") -> list[str]:
    """Where ``value`` holds anything but dict (text keys), list, str, int, bool or None."""
    if isinstance(value, dict):
        return [
            problem
            for key, item in value.items()
            for problem in ([f"{path}: key {key!r}"] if type(key) is not str else [])
            + plain_json_only(item, f"{path}.{key}")
        ]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in plain_json_only(item, f"{path}[{i}]")]
    if value is None or type(value) in (str, int, bool):
        return []
    return [f"{path}: {type(value).__name__} {value!r}"]


# --- round trip -------------------------------------------------------------------------


@given(services())
def test_any_service_comes_back_equal_through_json(service: Service) -> None:
    data = service_to_data(service)
    assert plain_json_only(data) == []
    assert json_round_trip(data) == data
    again = service_from_data(json_round_trip(data))
    assert again == service
    assert service_to_data(again) == data


@given(services())
def test_any_service_comes_back_equal_through_its_compact_document(service: Service) -> None:
    full, data = service_to_data(service), service_to_data(service, compact=True)
    assert plain_json_only(data) == []
    again = service_from_data(json_round_trip(data))
    assert again == service
    assert service_to_data(again, compact=True) == data
    assert len(json.dumps(data)) < len(json.dumps(full))
    assert "service_id" not in data["timeline"]
    assert all("service_id" not in line for line in data["ledger"].get("lines", []))


def test_a_compact_ledger_line_says_only_what_its_track_does_not() -> None:
    service = web()  # one whole month of its only rate invoiced
    line = service.ledger.lines[0]
    credit = attrs.evolve(line, amount=-line.amount, description="credit", reverses=True)
    cheaper = attrs.evolve(line, amount=line.amount - usd("1.00"))  # not the rate's amount
    ledger = attrs.evolve(service.ledger, lines=(line, credit, cheaper))
    changed = attrs.evolve(service, ledger=ledger)
    data = service_to_data(changed, compact=True)
    period = "2025-04-01/2025-05-01"
    assert data["ledger"]["lines"] == [
        {"type": "recurring", "proration": period},  # the rate's description and amount
        {"type": "recurring", "description": "credit", "amount": "-10.00 USD",
         "proration": {"period": {"start": "2025-04-01", "end": "2025-05-01"},
                       "price": "10.00 USD", "used": 30, "total": 30,
                       "convention": "actual days", "amount": "10.00 USD"},
         "reverses": True},
        {"type": "recurring", "amount": "9.00 USD",
         "proration": {"period": {"start": "2025-04-01", "end": "2025-05-01"},
                       "price": "10.00 USD", "used": 30, "total": 30,
                       "convention": "actual days", "amount": "10.00 USD"}},
    ]  # fmt: skip
    assert data["price"] == "10.00 USD" and data["status"] == "active"
    assert "start" not in data["timeline"]
    assert service_from_data(json_round_trip(data)) == changed


def test_a_compact_document_keeps_the_ids_that_differ_from_the_services() -> None:
    service = web()  # paid through a day: its ledger holds the period invoiced
    moved = attrs.evolve(service, customer_id="C-NEW")  # its timeline and lines another's
    data = service_to_data(moved, compact=True)
    assert [line["customer_id"] for line in data["ledger"]["lines"]] == [service.customer_id]
    assert data["timeline"]["customer_id"] == service.customer_id
    assert service_from_data(json_round_trip(data)) == moved


@given(services(max_operations=8))
def test_enum_members_come_back_as_members_not_their_text(service: Service) -> None:
    again = service_from_data(json_round_trip(service_to_data(service)))
    for entry in again.history:
        assert all(type(p) is Permission for p in entry.actor.permissions)
        assert type(entry.operation) is Operation
    assert [type(a.status.status) for a in again.addons] == [
        type(a.status.status) for a in service.addons
    ]


@given(services(currency="JPY", max_operations=0))
def test_amounts_keep_their_exact_digits_as_text(service: Service) -> None:
    data = service_to_data(service)
    assert data["price"]["amount"] == {
        "amount": str(service.price.amount.amount),
        "currency": "JPY",
    }
    assert service_from_data(data).price.amount.amount.as_tuple() == (
        service.price.amount.amount.as_tuple()
    )


def test_the_document_has_a_stable_readable_shape() -> None:
    data = service_to_data(example())

    assert data["price"] == {"amount": {"amount": "10.00", "currency": "USD"}, "override": False}
    assert data["options"] == [{"code": "RAM", "choice": "4 GB", "quantity": 2, "price": None}]
    assert data["addons"] == [
        {
            "code": "BACKUP",
            "cycle": "monthly",
            "start": "2025-01-01",
            "next_due": "2025-02-01",
            "status": {"status": "active"},
            "termination_date": None,
            "price": None,
        }
    ]
    assert (data["start"], data["next_due"], data["paid_through"]) == (
        "2025-01-01",
        "2025-02-01",
        "2025-01-31",
    )
    assert data["status"] == {
        "status": "in progress",
        "substate": "suspension",
        "previous": {"status": "active"},
        "target": {"status": "suspended", "substate": "for abuse"},
    }
    assert data["cancellation"] == {
        "kind": "end of period",
        "reason": "moving",
        "requested_at": "2025-01-02T00:00:00+00:00",
        "renewals_left": None,
        "cancelled_invoices": [],
    }
    assert data["timeline"]["tracks"] == [
        {
            "type": "recurring",
            "subject": "",
            "rates": [
                {
                    "start": "2025-01-01",
                    "end": None,
                    "amount": {"amount": "10.00", "currency": "USD"},
                    "schedule": {
                        "cycle": "monthly",
                        "anchor": "2025-02-01",
                        "anchor_day": None,
                        "month_end": "clamp",
                    },
                    "description": "VPS pro",
                    "source": "price list",
                    "window": None,
                }
            ],
            "taxable": True,
        }
    ]
    assert data["ledger"]["settled"] == "2025-01-01"
    assert [line["amount"]["amount"] for line in data["ledger"]["lines"]] == ["10.00"]
    assert data["version"] == 3
    assert data["history"][2] == {
        "at": "2025-01-03T12:30:00+00:00",
        "actor": {
            "kind": "staff",
            "customer_id": None,
            "name": "ann",
            "permissions": ["services: provision", "services: suspend"],
        },
        "operation": "suspend",
        "reason": "abuse report",
        "before": {"status": "active"},
        "after": {
            "status": "in progress",
            "substate": "suspension",
            "previous": {"status": "active"},
            "target": {"status": "suspended", "substate": "for abuse"},
        },
        "details": "ticket 7",
    }
    assert service_from_data(data) == example()


def test_instants_are_written_in_utc_whatever_zone_they_were_given_in() -> None:
    from zoneinfo import ZoneInfo

    tokyo = datetime(2025, 1, 2, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    service = example().perform(Operation.PROVISIONED, ANN, tokyo.replace(day=4), "done")
    data = service_to_data(service)
    assert data["history"][-1]["at"] == "2025-01-03T23:00:00+00:00"
    assert service_from_data(data).history.entries[-1].at == tokyo.replace(day=4)


def test_a_document_without_the_fields_added_later_takes_their_defaults() -> None:
    data = service_to_data(example())
    for later in ("time_zone", "pending_change", "timeline", "ledger"):
        del data[later]
    service = service_from_data(data)
    assert (service.time_zone, service.pending_change) == ("UTC", None)
    assert service.timeline == example().timeline  # made from its fields, as at construction
    assert service == example()


def test_only_services_are_turned_into_data() -> None:
    with pytest.raises(ValidationError, match="is not a Service"):
        service_to_data({"id": "S-1"})  # type: ignore[arg-type]


# --- bad documents ----------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], object]


def _set(path: str, value: object) -> Edit:
    """An edit putting ``value`` at ``path`` (``history.0.at``), or deleting it for ``...``."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) else last
        if value is ...:
            del target[key]
        else:
            target[key] = value

    return edit


BAD = [
    ("missing id", _set("id", ...), "service.id: required field missing"),
    ("text quantity", _set("quantity", "2"), "service.quantity: '2' is not a whole number"),
    ("float amount", _set("price.amount.amount", 10.5), "service.price.amount: amount 10.5 is a"),
    ("unknown currency", _set("price.amount.currency", "XXY"), "service.price.amount: unknown"),
    ("price not a mapping", _set("price", None), "service.price: a RecurringPrice is written"),
    ("unknown key", _set("colour", "red"), "service: unknown fields 'colour'; remove them"),
    ("unknown cycle", _set("cycle", "fortnightly"), "service.cycle: unknown billing cycle"),
    ("date as number", _set("start", 20250101), "service.start: 20250101 is not a date"),
    (
        "date as instant",
        _set("next_due", "2025-02-01T00:00:00+00:00"),
        "service.next_due: '2025-02-01T00:00:00+00:00' is not a date",
    ),
    (
        "naive instant",
        _set("history.0.at", "2025-01-01T09:00:00"),
        "service.history[0].at: instant '2025-01-01T09:00:00' has no UTC offset",
    ),
    ("instant as date", _set("history.0.at", "2025-01-01"), "service.history[0].at: instant '"),
    ("instant as number", _set("history.0.at", 1), "service.history[0].at: 1 is not an instant"),
    ("next due too early", _set("next_due", "2024-12-01"), "(rule service.next-due)"),
    ("unknown actor", _set("history.1.actor.kind", "robot"), "service.history[1].actor.kind: "),
    (
        "unknown permission",
        _set("history.2.actor.permissions", ["fly"]),
        "service.history[2].actor.permissions[0]: 'fly' is not a valid Permission",
    ),
    (
        "permissions as text",
        _set("history.2.actor.permissions", "services: suspend"),
        "service.history[2].actor.permissions: 'services: suspend' is not a list",
    ),
    (
        "invoice ids as text",
        _set("cancellation.cancelled_invoices", "INV-1"),
        "service.cancellation.cancelled_invoices: 'INV-1' is not a list",
    ),
    ("options not a list", _set("options", 5), "service.options: 5 is not a list"),
    ("add-on without fields", _set("addons.0", {"code": "X"}), "service.addons[0].cycle: required"),
    ("status as text", _set("status", "suspended"), "service.status: a status is a mapping"),
    ("unknown status", _set("status.status", "sleeping"), "service.status: status 'sleeping' is"),
    (
        "unknown substate",
        _set("status.substate", "for fun"),
        "service.status: in progress substate 'for fun' is not a Progress; use one of",
    ),
    ("substate left out", _set("status.substate", ...), "service.status: a service that is in"),
    ("unknown status key", _set("status.colour", 1), "service.status: unknown status keys"),
    (
        "nested in progress",
        _set(
            "history.2.after.previous",
            {"status": "in progress", "previous": {"status": "active"}},
        ),
        "service.history[2].after: the previous status of an in-progress status is settled",
    ),
    ("history not a list", _set("history", {}), "service.history: a history is a list"),
    (
        "history out of order",
        _set("history.2.at", "2024-12-31T00:00:00+00:00"),
        "service.history: cannot add suspend at 2024-12-31",
    ),
    ("version off", _set("version", 2), "service: version 2 but 3 history entries"),
    ("no termination date", _set("status", {"status": "cancelled"}), "service: a service that is"),
    ("bad time zone", _set("time_zone", "Mars/Base"), "service: unknown time zone 'Mars/Base'"),
    (
        "ledger line without amount",
        _set("ledger", {"settled": None, "lines": [{"service_id": "S-1"}]}),
        "service.ledger.lines[0].customer_id: required field missing",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_document_raises_a_validation_error_naming_the_path(
    edit: Edit, expected: str
) -> None:
    data = json_round_trip(service_to_data(example()))
    edit(data)
    with pytest.raises(ValidationError) as excinfo:
        service_from_data(data)
    assert excinfo.type is ValidationError
    assert expected in str(excinfo.value)


def test_every_problem_is_listed_with_its_own_path() -> None:
    with pytest.raises(ValidationError) as excinfo:
        service_from_data({"id": "S-1", "quantity": True, "start": "yesterday"})
    message = str(excinfo.value)
    assert message.startswith("the service document has 8 problems; fix each:")
    for line in (
        "  - service.customer_id: required field missing",
        "  - service.quantity: True is not a whole number",
        "  - service.start: 'yesterday' is not a date; write it as ISO 8601 text",
    ):
        assert line in message


@pytest.mark.parametrize("document", [None, [], "S-1", 7])
def test_a_document_that_is_not_a_mapping_is_refused(document: Any) -> None:
    with pytest.raises(ValidationError, match=r"^service: a service document is a mapping"):
        service_from_data(document)


def test_keys_that_are_not_text_are_unknown_fields() -> None:
    data: dict[Any, Any] = service_to_data(example())
    data[3] = "three"
    with pytest.raises(ValidationError, match="unknown fields 3"):
        service_from_data(data)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@given(services(max_operations=4), st.data())
def test_any_damage_to_a_document_gives_a_service_or_a_validation_error(
    service: Service, data: st.DataObject
) -> None:
    document = json_round_trip(service_to_data(service))
    path = data.draw(st.sampled_from(_paths(document)[1:]))
    damaged = copy.deepcopy(document)
    target = damaged
    for part in path[:-1]:
        target = target[part]
    if data.draw(st.booleans()) and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = data.draw(_JSON)
    try:
        service_from_data(damaged)
    except ValidationError as error:
        problem: ValidationError | None = error
    else:
        problem = None
    if problem is not None:
        assert type(problem) is ValidationError
        assert str(problem).startswith(("service", "the service document has"))


def test_dates_come_back_as_dates_and_instants_as_aware_utc_datetimes() -> None:
    service = service_from_data(service_to_data(example()))
    assert type(service.start) is date
    assert all(entry.at.tzinfo is UTC for entry in service.history)
