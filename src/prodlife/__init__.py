"""prodlife: the product lifecycle domain for billing applications.

The public API is re-exported here; everything else lives in modules named
after the domain (:mod:`prodlife.money`, :mod:`prodlife.periods`, ...).

>>> from datetime import date
>>> import prodlife
>>> schedule = prodlife.BillingSchedule(prodlife.MONTHLY, date(2025, 1, 31))
>>> schedule.period(1)
Period(2025-02-28, 2025-03-31)
"""

from prodlife._version import __version__
from prodlife.clock import Clock, FixedClock, SystemClock, as_utc
from prodlife.cycles import (
    ANNUAL,
    BIENNIAL,
    MONTHLY,
    ONE_TIME,
    QUARTERLY,
    SEMI_ANNUAL,
    TRIENNIAL,
    Alignment,
    BillingCycle,
    BillingSchedule,
    CycleUnit,
    MonthEnd,
    align_to_billing_day,
    days_in_month,
)
from prodlife.daycount import (
    ACTUAL_DAYS,
    SECONDS,
    THIRTY_DAY_MONTHS,
    ActualDays,
    DayCount,
    FixedDays,
    Measure,
    Seconds,
    ThirtyDayMonths,
)
from prodlife.errors import (
    CurrencyMismatch,
    InvalidAmount,
    InvalidBillingCycle,
    InvalidInstant,
    InvalidPeriod,
    InvalidRounding,
    ProdlifeError,
    UnknownCurrency,
    ValidationError,
)
from prodlife.l10n import (
    UnknownLocale,
    format_date,
    format_instant,
    format_money,
    format_period,
    get_locale,
)
from prodlife.money import CONTEXT, ROUNDING_MODES, Currency, Money, to_decimal, total
from prodlife.periods import Interval, Period, UnknownTimeZone, billing_date, time_zone

__all__ = [
    "ACTUAL_DAYS",
    "ANNUAL",
    "BIENNIAL",
    "CONTEXT",
    "MONTHLY",
    "ONE_TIME",
    "QUARTERLY",
    "ROUNDING_MODES",
    "SECONDS",
    "SEMI_ANNUAL",
    "THIRTY_DAY_MONTHS",
    "TRIENNIAL",
    "ActualDays",
    "Alignment",
    "BillingCycle",
    "BillingSchedule",
    "Clock",
    "Currency",
    "CurrencyMismatch",
    "CycleUnit",
    "DayCount",
    "FixedClock",
    "FixedDays",
    "Interval",
    "InvalidAmount",
    "InvalidBillingCycle",
    "InvalidInstant",
    "InvalidPeriod",
    "InvalidRounding",
    "Measure",
    "Money",
    "MonthEnd",
    "Period",
    "ProdlifeError",
    "Seconds",
    "SystemClock",
    "ThirtyDayMonths",
    "UnknownCurrency",
    "UnknownLocale",
    "UnknownTimeZone",
    "ValidationError",
    "__version__",
    "align_to_billing_day",
    "as_utc",
    "billing_date",
    "days_in_month",
    "format_date",
    "format_instant",
    "format_money",
    "format_period",
    "get_locale",
    "time_zone",
    "to_decimal",
    "total",
]
