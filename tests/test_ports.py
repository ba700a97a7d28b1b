"""The values of the store protocols: service queries and the text every store keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife.errors import ValidationError
from prodlife.lifecycle.status import Status
from prodlife.ports import ServiceQuery, check_text

#: Any text, lone surrogates and NUL characters included.
ANY_TEXT = st.text(
    st.one_of(
        st.characters(exclude_categories=()),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    ),
    max_size=8,
)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"status": "active"}, TypeError),
        ({"status": 1}, TypeError),
        ({"customer_id": 123}, TypeError),
        ({"product_code": b"WEB"}, TypeError),
        ({"after_id": 1.5}, TypeError),
        ({"due_on_or_before": "2025-05-01"}, TypeError),
        ({"due_on_or_before": datetime(2025, 5, 1, tzinfo=UTC)}, TypeError),
        ({"limit": -1}, ValidationError),
        ({"limit": "3"}, ValidationError),
        ({"limit": True}, ValidationError),
        ({"customer_id": "C-\x00"}, ValidationError),
        ({"product_code": "W\ud800"}, ValidationError),
        ({"after_id": "\udfff"}, ValidationError),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else value.__name__,
)
def test_a_bad_service_query_is_refused_when_it_is_made(
    fields: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        ServiceQuery(**fields)  # type: ignore[arg-type]


def test_a_service_query_names_the_status_to_pass_instead_of_text() -> None:
    with pytest.raises(TypeError, match=r"Status\('active'\)"):
        ServiceQuery(status="active")  # type: ignore[arg-type]


def test_a_service_query_takes_text_of_every_plane_and_any_length() -> None:
    text = "C-é中\ue000\U0001f600\U00020000\U000e0001\U0010fffd" * 10_000
    query = ServiceQuery(text, text, Status.ACTIVE, date(2025, 5, 1), text, 0)
    assert query.customer_id == text


@given(ANY_TEXT)
def test_text_is_kept_unless_it_holds_a_nul_or_a_lone_surrogate(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        keepable = False
    else:
        keepable = "\x00" not in text
    if keepable:
        assert check_text(text, "id") == text
    else:
        with pytest.raises(ValidationError, match=r"NUL|surrogate"):
            check_text(text, "id")


def test_text_of_the_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"id must be a str, not int"):
        check_text(7, "id")
