"""The errors prodlife raises.

Every error a caller can cause is a subclass of :class:`ProdlifeError`, so a
host application can catch them all in one place, and each message says what
was wrong and how to fix it. Errors about a bad argument value are also
:class:`ValueError` (through :class:`ValidationError`), so code written
against the standard library keeps working.

>>> from prodlife import Money
>>> try:
...     Money(0.1, "USD")
... except ProdlifeError as error:
...     print(type(error).__name__, "-", error)  # doctest: +NORMALIZE_WHITESPACE
InvalidAmount - amount 0.1 is a float, which cannot hold money exactly;
pass a string instead, e.g. Money('0.1', 'USD')
"""

from __future__ import annotations

__all__ = [
    "CurrencyMismatch",
    "InvalidAmount",
    "InvalidBillingCycle",
    "InvalidInstant",
    "InvalidPeriod",
    "InvalidRounding",
    "ProdlifeError",
    "UnknownCurrency",
    "ValidationError",
]


class ProdlifeError(Exception):
    """Root of every error prodlife raises on purpose.

    Catch this to handle any mistake a caller can make with prodlife; a bare
    ``Exception`` escaping prodlife that is not one of these is a bug.
    """


class ValidationError(ProdlifeError, ValueError):
    """A value given to prodlife is not acceptable.

    The message names the value and says what an acceptable one looks like.
    """


class UnknownCurrency(ValidationError):
    """A currency code is not an ISO 4217 code that babel knows.

    Attributes:
        code: the code as given.
    """

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(
            f"unknown currency code {code!r}; use an ISO 4217 code such as 'USD', 'EUR' or 'JPY'"
        )


class InvalidAmount(ValidationError):
    """A money amount (or a factor, ratio or divisor) cannot be used.

    Raised for floats (which cannot hold decimal money exactly), text that is
    not a number, NaN and infinities, booleans, and division by zero.

    Attributes:
        value: the offending value.
    """

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        super().__init__(reason)


class CurrencyMismatch(ValidationError):
    """Two amounts in different currencies were combined.

    Attributes:
        left: the amount on the left of the operation.
        right: the amount on the right of the operation.
        operation: what was attempted ("add", "subtract", "compare", "divide"...).
    """

    def __init__(self, left: object, right: object, operation: str) -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(
            f"cannot {operation} {left} and {right}: they are in different currencies; "
            "convert one side to the other's currency first"
        )


class InvalidRounding(ValidationError):
    """A rounding mode is not one of the :mod:`decimal` module's modes.

    Attributes:
        mode: the mode as given.
    """

    def __init__(self, mode: object) -> None:
        self.mode = mode
        super().__init__(
            f"unknown rounding mode {mode!r}; use one of decimal's constants, "
            "e.g. decimal.ROUND_HALF_UP or decimal.ROUND_HALF_EVEN"
        )


class InvalidPeriod(ValidationError):
    """A period or interval is empty, reversed, or built from the wrong types."""


class InvalidBillingCycle(ValidationError):
    """A billing cycle is malformed, or used where it cannot apply.

    For example a cycle of zero months, an unknown cycle name, or asking a
    one-time cycle for its recurring periods.
    """


class InvalidInstant(ValidationError):
    """An instant is not a timezone-aware datetime.

    prodlife keeps instants as aware UTC datetimes; a naive datetime is
    ambiguous (which zone?), so it is refused rather than guessed.

    Attributes:
        value: the offending value.
    """

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(
            f"instant {value!r} has no time zone; pass an aware datetime, "
            "e.g. datetime(2025, 1, 31, 12, 0, tzinfo=timezone.utc)"
        )
