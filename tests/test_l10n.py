from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from prodlife import Money, Period
from prodlife.l10n import UnknownLocale, format_date, format_instant, format_money, format_period


@pytest.mark.parametrize(
    ("amount", "code", "locale", "expected"),
    [
        ("1234.5", "USD", "en_US", "$1,234.50"),
        ("1234.5", "EUR", "de_DE", "1.234,50\xa0€"),
        ("1234.5", "EUR", "fr_FR", "1\u202f234,50\xa0€"),
        ("1234", "JPY", "ja_JP", "￥1,234"),
        ("1234.5", "CNY", "zh_Hans_CN", "¥1,234.50"),
        ("-3.5", "USD", "en-US", "-$3.50"),
    ],
)
def test_format_money_for_a_locale(amount: str, code: str, locale: str, expected: str) -> None:
    assert format_money(Money(amount, code), locale) == expected


def test_format_money_shows_the_currencys_minor_units() -> None:
    text = format_money(Money("1.5", "BHD"), "en_US")
    assert "BHD" in text and text.endswith("1.500")
    assert format_money(Money("7", "CLF"), "en_US").endswith("7.0000")


def test_format_money_never_rounds_an_exact_amount_away() -> None:
    assert format_money(Money("0.125", "USD"), "en_US") == "$0.125"


def test_unknown_locale_is_a_clear_error() -> None:
    with pytest.raises(UnknownLocale, match="en_US"):
        format_money(Money("1", "USD"), "xx_NOWHERE")


def test_format_instant_in_the_viewers_zone() -> None:
    moment = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
    assert format_instant(moment, "Asia/Tokyo", "en_GB") == "1 Feb 2025, 08:30:00"
    assert format_instant(moment, "UTC", "en_GB") == "31 Jan 2025, 23:30:00"


def test_format_date_and_period() -> None:
    assert format_date(date(2025, 1, 31), "de_DE", "long") == "31. Januar 2025"
    period = Period(date(2025, 1, 15), date(2025, 2, 15))
    assert format_period(period, "en_US") == "Jan 15\u2009–\u2009Feb 14, 2025"
