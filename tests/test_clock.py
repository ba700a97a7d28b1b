from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from prodlife import Clock, FixedClock, SystemClock, ValidationError
from prodlife.clock import as_utc
from prodlife.errors import InvalidInstant


def test_fixed_clock_stands_still_until_moved() -> None:
    clock = FixedClock(datetime(2025, 1, 31, 23, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2025, 1, 31, 23, tzinfo=UTC)
    clock.advance(timedelta(hours=2))
    assert clock.now() == datetime(2025, 2, 1, 1, tzinfo=UTC)
    clock.set(datetime(2024, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2024, 1, 1, tzinfo=UTC)


def test_fixed_clock_stores_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    clock = FixedClock(datetime(2025, 1, 1, 2, tzinfo=plus_two))
    assert clock.now() == datetime(2025, 1, 1, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_fixed_clock_refuses_naive_datetimes_and_backward_advance() -> None:
    with pytest.raises(InvalidInstant, match="aware datetime"):
        FixedClock(datetime(2025, 1, 1))
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidInstant):
        clock.set(datetime(2025, 1, 1))
    with pytest.raises(ValidationError, match="set"):
        clock.advance(timedelta(seconds=-1))


def test_system_clock_is_aware_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC)


def test_both_clocks_satisfy_the_protocol() -> None:
    assert isinstance(SystemClock(), Clock)
    assert isinstance(FixedClock(datetime(2025, 1, 1, tzinfo=UTC)), Clock)


def test_as_utc_refuses_non_datetimes() -> None:
    with pytest.raises(InvalidInstant):
        as_utc("2025-01-01")  # type: ignore[arg-type]
