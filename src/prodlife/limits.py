"""The bounds prodlife puts on values: each a named constant, with its reason.

Values beyond these bounds are mistakes (a price typed with a misplaced
exponent, a date from a null column, a quantity read from the wrong field)
or attacks, and they would break promises prodlife makes everywhere else:
that no operation silently drops a minor unit, that every value prints, and
that date arithmetic never overflows. So every constructor, parser and
operation refuses them with a :class:`~prodlife.errors.ValidationError`
subclass whose message names the limit, e.g. ``prodlife.limits.MAX_YEAR``.

:data:`LIMITS` lists them all with what they bound, why, and the error
raised; ``docs/errors.md`` shows it as a table (a test keeps the two equal).

>>> from decimal import Decimal
>>> from prodlife import Money
>>> Money(Decimal(10) ** MAX_AMOUNT_DIGITS - 1, "USD").round()
Money('999999999999999999.00', 'USD')
>>> Money("1e18", "USD")
Traceback (most recent call last):
...
prodlife.errors.InvalidAmount: amount 1E+18 has more than 18 digits before the decimal
point, beyond prodlife.limits.MAX_AMOUNT_DIGITS; amounts stay below 10**18 so that no
operation loses a minor unit
"""

from __future__ import annotations

from typing import Final

import attrs

__all__ = [
    "AMOUNT_PRECISION",
    "LIMITS",
    "MAX_AMOUNT_DIGITS",
    "MAX_CLOCK_SKEW_SECONDS",
    "MAX_CYCLE_DAYS",
    "MAX_CYCLE_MONTHS",
    "MAX_CYCLE_WEEKS",
    "MAX_INVOICE_NUMBERS_AT_ONCE",
    "MAX_QUANTITY",
    "MAX_RENEWAL_PERIODS",
    "MAX_SERVICES_PER_ORDER_LINE",
    "MAX_SERVICE_QUANTITY",
    "MAX_YEAR",
    "MIN_AMOUNT_EXPONENT",
    "MIN_YEAR",
    "Limit",
]

#: Significant digits prodlife's arithmetic keeps (IEEE decimal128's precision); the
#: precision of :data:`prodlife.money.CONTEXT`.
AMOUNT_PRECISION: Final = 34
#: Digits an amount (and a number combined with one) may have before its decimal point:
#: every amount is below ``10**18`` in size.
MAX_AMOUNT_DIGITS: Final = 18
#: The exponent of the smallest non-zero amount: ``10**-40``. Smaller results of
#: arithmetic become zero; smaller amounts given to :class:`~prodlife.money.Money` are
#: refused.
MIN_AMOUNT_EXPONENT: Final = -40
#: The largest quantity a rate prices (units, seats, usage), and the largest multiplier
#: of an option or add-on.
MAX_QUANTITY: Final = 10**12
#: The first year a billing date (or an instant in a span) may fall in.
MIN_YEAR: Final = 1900
#: The last year a billing date (or an instant in a span) may fall in.
MAX_YEAR: Final = 2999
#: The longest month-based billing cycle, in months (ten years).
MAX_CYCLE_MONTHS: Final = 120
#: The longest week-based billing cycle, in weeks (ten years).
MAX_CYCLE_WEEKS: Final = 520
#: The longest day-based billing cycle (and fixed day count), in days (ten years).
MAX_CYCLE_DAYS: Final = 3650
#: The most periods one renewal may pay for at once (applied by the service lifecycle).
MAX_RENEWAL_PERIODS: Final = 120
#: The most services one order line may create (applied by the service lifecycle).
MAX_SERVICES_PER_ORDER_LINE: Final = 1000
#: The largest quantity (seats, users) of one service (applied by the service lifecycle).
MAX_SERVICE_QUANTITY: Final = 1_000_000
#: How far, in seconds, an operation's instant may fall before the last entry of the
#: service's history: the clocks of two workers (or machines) may disagree by that much.
#: Such an entry is recorded at the last entry's instant, so a history stays in time order.
MAX_CLOCK_SKEW_SECONDS: Final = 300
#: The most invoice numbers a store takes at once (one billing batch's invoices of a series).
MAX_INVOICE_NUMBERS_AT_ONCE: Final = 1_000_000


@attrs.frozen(slots=True)
class Limit:
    """One bound, as ``docs/errors.md`` lists it.

    Attributes:
        name: the constant's name in :mod:`prodlife.limits`.
        value: the constant's value.
        bounds: what it bounds.
        reason: why the bound is there.
        errors: the names of the errors raised beyond it (none for a precision,
            which rounds).
    """

    name: str
    value: int
    bounds: str
    reason: str
    errors: tuple[str, ...]

    def row(self) -> str:
        """The limit as a row of the Markdown table in ``docs/errors.md``.

        >>> print(LIMITS[0].row())  # doctest: +ELLIPSIS
        | `MAX_AMOUNT_DIGITS` | 18 | digits before the decimal point of an amount, ...
        """
        value = f"{self.value:,}" if abs(self.value) >= 10_000 else str(self.value)
        errors = ", ".join(f"`{name}`" for name in self.errors) or "none: results are rounded"
        return f"| `{self.name}` | {value} | {self.bounds} | {self.reason} | {errors} |"


#: Every limit, in the order of ``docs/errors.md``'s table.
LIMITS: Final = (
    Limit(
        "MAX_AMOUNT_DIGITS",
        MAX_AMOUNT_DIGITS,
        "digits before the decimal point of an amount, and of a multiplier, divisor or "
        "allocation ratio combined with one, and of a store's revenue total",
        "sums stay exact to the minor unit within the 34 significant digits arithmetic "
        "keeps, and every amount prints",
        ("InvalidAmount",),
    ),
    Limit(
        "MIN_AMOUNT_EXPONENT",
        MIN_AMOUNT_EXPONENT,
        "the smallest non-zero amount, 10 to this power; smaller results of arithmetic become zero",
        "an amount written 1e-999999999 would print as a billion digits",
        ("InvalidAmount",),
    ),
    Limit(
        "AMOUNT_PRECISION",
        AMOUNT_PRECISION,
        "significant digits arithmetic keeps; below MAX_AMOUNT_DIGITS that is at least 16 "
        "decimal places",
        "the precision of IEEE decimal128, whatever the caller's decimal context",
        (),
    ),
    Limit(
        "MAX_QUANTITY",
        MAX_QUANTITY,
        "a quantity a rate prices (units, seats, usage), a usage record's quantity, an "
        "option's quantity, a job line's quantity",
        "a quantity times a price must stay below MAX_AMOUNT_DIGITS; larger ones are "
        "typing mistakes",
        ("RuleViolation",),
    ),
    Limit(
        "MIN_YEAR",
        MIN_YEAR,
        "the first year of a billing date, a period, a schedule's boundary, an interval's "
        "instant, and of the months Billing.revenue_by_product reaches back",
        "dates such as 0001-01-01 or 1899-12-30 are the empty values of other systems",
        ("InvalidPeriod", "InvalidInstant", "ValidationError"),
    ),
    Limit(
        "MAX_YEAR",
        MAX_YEAR,
        "the last year of a billing date, a period, a schedule's boundary, an interval's instant",
        "dates such as 9999-12-31 mean 'never' elsewhere; date arithmetic keeps room "
        "below the calendar's end",
        ("InvalidPeriod", "InvalidInstant"),
    ),
    Limit(
        "MAX_CYCLE_MONTHS",
        MAX_CYCLE_MONTHS,
        "months in one billing cycle",
        "ten years, longer than any term sold",
        ("InvalidBillingCycle",),
    ),
    Limit(
        "MAX_CYCLE_WEEKS",
        MAX_CYCLE_WEEKS,
        "weeks in one billing cycle",
        "ten years, longer than any term sold",
        ("InvalidBillingCycle",),
    ),
    Limit(
        "MAX_CYCLE_DAYS",
        MAX_CYCLE_DAYS,
        "days in one billing cycle, and the days of a fixed day count",
        "ten years, longer than any term sold",
        ("InvalidBillingCycle", "ValidationError"),
    ),
    Limit(
        "MAX_RENEWAL_PERIODS",
        MAX_RENEWAL_PERIODS,
        "periods one renewal pays for at once",
        "a renewal is invoiced now; 120 periods is ten years of a monthly service",
        ("RuleViolation",),
    ),
    Limit(
        "MAX_SERVICES_PER_ORDER_LINE",
        MAX_SERVICES_PER_ORDER_LINE,
        "services one order line creates",
        "every service is stored and provisioned one by one, in one unit of work",
        ("RuleViolation",),
    ),
    Limit(
        "MAX_SERVICE_QUANTITY",
        MAX_SERVICE_QUANTITY,
        "the quantity (seats, users) of one service: an order line's, an add-on's",
        "a seat count beyond it is a typing mistake; usage is rated, not held",
        ("RuleViolation",),
    ),
    Limit(
        "MAX_CLOCK_SKEW_SECONDS",
        MAX_CLOCK_SKEW_SECONDS,
        "seconds an operation's instant may fall before the service's last history entry; "
        "within them it is recorded at that entry's instant",
        "workers on other machines read clocks that disagree by a little, never by more",
        ("RuleViolation",),
    ),
    Limit(
        "MAX_INVOICE_NUMBERS_AT_ONCE",
        MAX_INVOICE_NUMBERS_AT_ONCE,
        "invoice numbers a store takes at once from one series",
        "a billing batch numbers its invoices in one block; a larger count is a mistake "
        "that would burn a series' numbers",
        ("ValidationError",),
    ),
)
