"""Store documents: aggregates to JSON and back; the hand-written encoders match the converter."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import EventKind, InvoiceLine, Money, Service, StoreError, ValidationError
from prodlife.billing import LineType
from prodlife.lifecycle import Event
from prodlife.proration import prorate
from prodlife.serialization import make_converter
from prodlife.stores._documents import decode, dumps, encode, loads
from prodlife.testing.strategies import money, periods, services

#: Text a store keeps: anything but NUL and lone surrogates.
_CHARACTERS = st.characters(exclude_characters="\x00", exclude_categories=["Cs"])
_TEXT = st.text(_CHARACTERS, min_size=1, max_size=12)


@st.composite
def invoice_lines(draw: st.DrawFn) -> InvoiceLine:
    """Period lines (with their proration) and one-time lines, charges and reversals."""
    kind = draw(st.sampled_from(list(LineType)))
    reverses = draw(st.booleans())
    negative = (kind is LineType.DISCOUNT) != reverses
    amount = abs(draw(money()))
    fields = (
        draw(_TEXT),
        draw(_TEXT),
        kind,
        draw(st.text(_CHARACTERS, max_size=5)),
        draw(st.text(_CHARACTERS, max_size=5)),
    )
    description = draw(st.text(_CHARACTERS, max_size=20))
    period = draw(st.none() | periods())
    if period is None:
        value = -amount if negative else amount
        return InvoiceLine(*fields, description, value, day=draw(st.dates()), reverses=reverses)
    share = prorate(amount, period, period)
    value = -share.amount if negative else share.amount
    return InvoiceLine(*fields, description, value, share, reverses=reverses)


def _fee(description: str) -> InvoiceLine:
    """A one-time line described by ``description``."""
    return InvoiceLine(
        "S-1", "C-1", LineType.ONE_TIME, "FEE", "", description, Money("1.00", "USD"), day=T0
    )


T0 = datetime(2025, 4, 1).date()

events = st.builds(
    Event,
    st.sampled_from(list(EventKind)),
    _TEXT,
    _TEXT,
    st.datetimes(timezones=st.just(UTC)).filter(lambda moment: moment.year > 1),
    st.lists(st.tuples(_TEXT, st.text(_CHARACTERS, max_size=8)), max_size=3),
)


@given(st.one_of(invoice_lines(), events))
def test_hot_encoders_write_what_the_converter_writes(value: InvoiceLine | Event) -> None:
    assert json.loads(dumps(value)) == json.loads(json.dumps(make_converter().unstructure(value)))
    assert loads(type(value), dumps(value), "key") == value


@given(services())
def test_services_round_trip(service: Service) -> None:
    assert loads(Service, dumps(service), service.id) == service


@pytest.mark.parametrize(
    ("text", "odd"),
    [
        ("a\x00b", "a NUL character"),
        ("\\\x00", "a NUL character"),
        ("x\ud800", "a lone surrogate"),
        ("\udc00y", "a lone surrogate"),
        ("\ud83d\ude00", "a lone surrogate"),  # two surrogates, not the character they encode
    ],
)
def test_a_document_holding_text_no_store_keeps_is_refused(text: str, odd: str) -> None:
    line = _fee(text)
    with pytest.raises(ValidationError, match=f"InvoiceLine to store holds {odd}"):
        dumps(line)


@pytest.mark.parametrize("text", ["\\u0000", "\\ud800", "\U0001f600", "\U0010fffd\ud7ff"])
def test_a_document_holding_escapes_as_text_or_any_plane_is_kept(text: str) -> None:
    line = _fee(text)
    assert loads(InvoiceLine, dumps(line), "L-1") == line


@pytest.mark.parametrize(
    ("text", "match"),
    [("not json", "is not JSON"), ('{"id": 3}', "stored Service 'S-1' cannot be read")],
)
def test_a_document_that_cannot_be_read_is_a_store_error(text: str, match: str) -> None:
    with pytest.raises(StoreError, match=match):
        loads(Service, text, "S-1")


def test_decode_names_the_kind_and_key() -> None:
    with pytest.raises(StoreError, match="stored Event 'E-9'"):
        decode(Event, {"kind": "nonsense"}, "E-9")
    assert encode(Event(EventKind.INVOICED, "S", "C", datetime(2025, 1, 1, tzinfo=UTC)))["at"] == (
        "2025-01-01T00:00:00+00:00"
    )


def test_open_store_refuses_unknown_urls_and_options() -> None:
    from prodlife import ValidationError
    from prodlife.stores import UnknownStore, open_store

    with pytest.raises(UnknownStore, match="sqlite:///path"):
        open_store("mysql://db")
    with pytest.raises(ValidationError, match="takes no option timout"):
        open_store("sqlite:///:memory:", timout=1)
