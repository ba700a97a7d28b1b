"""Formatting for people, through babel: money, dates, instants and periods.

All locale-dependent display lives here, so the domain never formats text
itself. Amounts are shown exactly: an unrounded amount keeps its extra
digits rather than being silently rounded for display.

>>> from decimal import Decimal
>>> from prodlife.money import CONTEXT, Money
>>> format_money(Money("1234.5", "EUR"), "de_DE")
'1.234,50\xa0€'
>>> format_money(Money("1234.5", "USD"), "en_US")
'$1,234.50'
>>> format_money(Money("1234", "JPY"), "ja_JP")
'￥1,234'
"""

from __future__ import annotations

import decimal
from datetime import date, datetime, tzinfo
from decimal import Decimal

import babel
import babel.dates
import babel.numbers

from prodlife.clock import as_utc
from prodlife.errors import InvalidAmount, InvalidInstant, InvalidPeriod, ValidationError
from prodlife.limits import MAX_YEAR, MIN_YEAR
from prodlife.money import CONTEXT, Money, to_decimal
from prodlife.periods import Period, time_zone

__all__ = [
    "UnknownLocale",
    "format_date",
    "format_instant",
    "format_money",
    "format_number",
    "format_period",
    "get_locale",
]


class UnknownLocale(ValidationError):
    """A locale identifier is not one babel (CLDR) knows."""

    def __init__(self, name: object) -> None:
        self.name = name
        super().__init__(
            f"unknown locale {name!r}; use a CLDR locale identifier such as 'en_US', "
            "'de_DE' or 'zh_Hans_CN'"
        )


def get_locale(name: str | babel.Locale) -> babel.Locale:
    """Return the babel ``Locale`` for ``name`` (``'en_US'`` or ``'en-US'``).

    Raises:
        UnknownLocale: babel does not know the locale.
    """
    if isinstance(name, babel.Locale):
        return name
    if not isinstance(name, str):
        raise UnknownLocale(name)
    try:
        return babel.Locale.parse(name, sep="-" if isinstance(name, str) and "-" in name else "_")
    except (babel.UnknownLocaleError, ValueError, TypeError):
        raise UnknownLocale(name) from None


#: The styles of babel's date and time formats.
_STYLES = ("short", "medium", "long", "full")


def _style(style: object) -> str:
    if not isinstance(style, str) or style not in _STYLES:
        raise ValidationError(f"unknown style {style!r}; use one of {', '.join(_STYLES)}")
    return style


def format_money(money: Money, locale_name: str | babel.Locale = "en_US") -> str:
    """Format ``money`` for a locale, with at least the currency's minor units.

    Digits beyond the minor units (an unrounded amount) are kept, never
    rounded away for display.

    Raises:
        UnknownLocale: the locale is unknown.
        InvalidAmount: ``money`` is not Money.
    """
    if not isinstance(money, Money):
        raise InvalidAmount(money, f"cannot format {money!r} as money; pass a Money")
    with decimal.localcontext(CONTEXT):
        return babel.numbers.format_currency(
            money.amount,
            money.currency.code,
            locale=get_locale(locale_name),
            currency_digits=True,
            decimal_quantization=False,
        )


def format_number(number: Decimal, locale_name: str | babel.Locale = "en_US") -> str:
    """Format an exact number for a locale, keeping every digit it has.

    >>> format_number(Decimal("1234.567891"), "de_DE")
    '1.234,567891'

    Raises:
        InvalidAmount: ``number`` is not an exact number within the bounds of
            :mod:`prodlife.limits` (see :func:`~prodlife.money.to_decimal`).
        UnknownLocale: the locale is unknown.
    """
    value = to_decimal(number, "number")
    with decimal.localcontext(CONTEXT):
        return babel.numbers.format_decimal(
            value, locale=get_locale(locale_name), decimal_quantization=False
        )


def format_date(day: date, locale_name: str | babel.Locale = "en_US", style: str = "medium") -> str:
    """Format a billing date for a locale (``style``: short, medium, long or full).

    >>> format_date(date(2025, 1, 31), "fr_FR", "long")
    '31 janvier 2025'

    Raises:
        ValidationError: ``day`` is not a date, or ``style`` is not one of the four.
        UnknownLocale: the locale is unknown.
    """
    if not isinstance(day, date):
        raise ValidationError(f"cannot format {day!r} as a date; pass a datetime.date")
    return babel.dates.format_date(day, format=_style(style), locale=get_locale(locale_name))


def format_instant(
    instant: datetime,
    zone: str | tzinfo,
    locale_name: str | babel.Locale = "en_US",
    style: str = "medium",
) -> str:
    """Format an instant as the viewer sees it: in their time zone and locale.

    Raises:
        InvalidInstant: ``instant`` is naive, or outside the years prodlife keeps.
        UnknownTimeZone: ``zone`` is unknown.
        UnknownLocale: the locale is unknown.
        ValidationError: ``style`` is not short, medium, long or full.

    >>> from datetime import timezone
    >>> moment = datetime(2025, 1, 31, 23, 30, tzinfo=timezone.utc)
    >>> format_instant(moment, "Asia/Tokyo", "en_GB")
    '1 Feb 2025, 08:30:00'
    """
    moment = as_utc(instant)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # a zone could move it past the calendar's end
        raise InvalidInstant(
            instant,
            f"instant {moment.isoformat()} is outside the years {MIN_YEAR}-{MAX_YEAR} prodlife "
            "formats (prodlife.limits.MIN_YEAR, MAX_YEAR)",
        )
    return babel.dates.format_datetime(
        moment, format=_style(style), tzinfo=time_zone(zone), locale=get_locale(locale_name)
    )


def format_period(period: Period, locale_name: str | babel.Locale = "en_US") -> str:
    """Format a period as the dates a person reads: first day to last day, inclusive.

    The stored end date is excluded, so the text shows the day before it.

    >>> format_period(Period(date(2025, 1, 1), date(2025, 2, 1)))
    'Jan 1\u2009–\u200931, 2025'

    Raises:
        InvalidPeriod: ``period`` is not a Period.
        UnknownLocale: the locale is unknown.
    """
    if not isinstance(period, Period):
        raise InvalidPeriod(f"cannot format {period!r} as a period; pass a Period")
    return babel.dates.format_interval(
        period.start, period.last_day, skeleton="yMMMd", locale=get_locale(locale_name)
    )
