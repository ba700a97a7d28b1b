# Over 400 lines: Money and Currency: one value whose arithmetic, rounding, allocation and
# comparison must agree with each other; formatting for a locale is in l10n.py.
"""Exact money: :class:`Currency`, :class:`Money`, rounding and allocation.

Amounts are :class:`decimal.Decimal`, never floats. A :class:`Money` keeps its
amount exactly as computed (``USD 3.333...`` after a division); rounding to
the currency's minor units happens once, where the caller decides, through
:meth:`Money.round`. :meth:`Money.allocate` splits a rounded amount into parts
that always add up to it exactly.

>>> price = Money("10.00", "USD")
>>> price * 3
Money('30.00', 'USD')
>>> (price / 3).round()
Money('3.33', 'USD')
>>> price.allocate([1, 1, 1])
[Money('3.34', 'USD'), Money('3.33', 'USD'), Money('3.33', 'USD')]

Arithmetic runs in prodlife's own decimal context (34 significant digits,
the precision of IEEE decimal128), never in the caller's thread-local one, so
results do not depend on what other code set. Sums, differences and products
of amounts under 34 digits are exact; a quotient that has no finite decimal
expansion (10 / 3) is correct to 34 significant digits.

Amounts are bounded (:mod:`prodlife.limits`): every amount is below
``10**18`` in size (:data:`~prodlife.limits.MAX_AMOUNT_DIGITS`), so sums keep
every minor unit and every amount prints; a result beyond it is refused, not
rounded. A non-zero amount is at least ``10**-40``
(:data:`~prodlife.limits.MIN_AMOUNT_EXPONENT`); smaller results of arithmetic
become zero.

>>> Money("999999999999999999", "USD") + Money("1", "USD")
Traceback (most recent call last):
...
prodlife.errors.InvalidAmount: the sum USD 1000000000000000000 has more than 18 digits before
the decimal point, beyond prodlife.limits.MAX_AMOUNT_DIGITS; amounts stay below 10**18 so that
no operation loses a minor unit
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from typing import cast, overload

import attrs
import babel.numbers

from prodlife._fast import builder
from prodlife._numbers import is_whole
from prodlife.errors import CurrencyMismatch, InvalidAmount, InvalidRounding, UnknownCurrency
from prodlife.limits import AMOUNT_PRECISION, MAX_AMOUNT_DIGITS, MIN_AMOUNT_EXPONENT

__all__ = ["CONTEXT", "ROUNDING_MODES", "Currency", "Money", "to_decimal", "total"]

#: The decimal context all prodlife arithmetic runs in. It keeps 34 significant
#: digits and traps every error (invalid operation, division by zero, overflow).
CONTEXT = decimal.Context(
    prec=AMOUNT_PRECISION,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

#: The rounding modes :meth:`Money.round` accepts, the :mod:`decimal` constants.
ROUNDING_MODES = frozenset(
    {
        decimal.ROUND_UP,
        decimal.ROUND_DOWN,
        decimal.ROUND_CEILING,
        decimal.ROUND_FLOOR,
        decimal.ROUND_HALF_UP,
        decimal.ROUND_HALF_DOWN,
        decimal.ROUND_HALF_EVEN,
        decimal.ROUND_05UP,
    }
)


def _beyond(value: Decimal, what: str) -> InvalidAmount:
    """The refusal of ``value``, which is outside the bounds of :mod:`prodlife.limits`."""
    if value.adjusted() >= MAX_AMOUNT_DIGITS:
        return InvalidAmount(
            value,
            f"{what} has more than {MAX_AMOUNT_DIGITS} digits before the decimal point, beyond "
            "prodlife.limits.MAX_AMOUNT_DIGITS; amounts stay below 10**18 so that no operation "
            "loses a minor unit",
        )
    return InvalidAmount(
        value,
        f"{what} is smaller than 10**{MIN_AMOUNT_EXPONENT} but not zero, beyond "
        "prodlife.limits.MIN_AMOUNT_EXPONENT; round it, or give zero",
    )


def to_decimal(value: object, what: str = "amount") -> Decimal:
    """Return ``value`` as a finite :class:`~decimal.Decimal` within prodlife's bounds.

    Accepts ``Decimal``, ``int`` and numeric strings. Refuses floats (they
    cannot hold most decimal fractions exactly), booleans, NaN and infinities,
    and numbers of ``10**18`` or more in size or non-zero ones below
    ``10**-40`` (:data:`~prodlife.limits.MAX_AMOUNT_DIGITS`,
    :data:`~prodlife.limits.MIN_AMOUNT_EXPONENT`).

    Args:
        value: the value to convert.
        what: how the value is called in the error message.

    Raises:
        InvalidAmount: the value is not an exact finite number within the bounds.

    >>> to_decimal("19.99")
    Decimal('19.99')
    >>> to_decimal("1e-999999999")
    Traceback (most recent call last):
    ...
    prodlife.errors.InvalidAmount: amount 1E-999999999 is smaller than 10**-40 but not zero,
    beyond prodlife.limits.MIN_AMOUNT_EXPONENT; round it, or give zero
    """
    if type(value) is Decimal:
        result = value
    elif isinstance(value, bool):
        raise InvalidAmount(value, f"{what} {value!r} is a boolean, not a number; pass a number")
    elif isinstance(value, (Decimal, int)):
        result = Decimal(value)
    elif isinstance(value, float):
        raise InvalidAmount(
            value,
            f"{what} {value!r} is a float, which cannot hold money exactly; "
            f"pass a string instead, e.g. '{value!r}' or Decimal('{value!r}')",
        )
    elif isinstance(value, str):
        try:
            result = Decimal(value)
        except decimal.InvalidOperation:
            raise InvalidAmount(
                value, f"{what} {value!r} is not a number; pass digits such as '19.99'"
            ) from None
    else:
        raise InvalidAmount(
            value,
            f"{what} {value!r} has type {type(value).__name__}; pass a Decimal, an int or a "
            "numeric string",
        )
    if not result.is_finite():
        raise InvalidAmount(value, f"{what} {value!r} is not a finite number; pass a finite one")
    if not _LOWEST <= result.adjusted() < MAX_AMOUNT_DIGITS:
        if result:
            raise _beyond(result, f"{what} {_short(result)}")
        result = _ZERO  # 0E-99999 and 0E+99999 are zero, and print as one
    return result


def _short(value: Decimal) -> str:
    """``value`` as text for a message: in full, or to 7 digits when it is long."""
    text = str(value)
    return text if len(text) <= 40 else f"{value:.6E}"


_LOWEST = MIN_AMOUNT_EXPONENT
_ZERO = Decimal(0)


@cache
def _minor_units(code: str) -> int:
    return babel.numbers.get_currency_precision(code)


@cache
def _known(code: str) -> bool:
    return babel.numbers.is_currency(code)


#: ISO 4217 codes that are not money a customer pays in: no currency (XXX),
#: testing (XTS), precious metals (XAU, XAG, XPT, XPD) and the units of
#: account of the IMF, the bond markets and the ALBA and ADB (XDR, XBA-XBD,
#: XSU, XUA).
NOT_TENDER = frozenset(
    {"XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA"}
)


def _code(code: str) -> str:
    if not isinstance(code, str) or code.upper() in NOT_TENDER or not _known(code.upper()):
        raise UnknownCurrency(code)
    return code.upper()


@attrs.frozen(slots=True, repr=False)
class Currency:
    """An ISO 4217 currency, with its minor units taken from babel (CLDR).

    Args:
        code: the three-letter code; lower case is accepted and upper-cased.

    Raises:
        UnknownCurrency: the code is not a currency babel knows.

    >>> Currency("JPY").minor_units, Currency("USD").minor_units, Currency("BHD").minor_units
    (0, 2, 3)
    """

    code: str = attrs.field(converter=_code)
    #: Digits after the decimal point in an amount of this currency (2 for USD).
    minor_units: int = attrs.field(init=False, eq=False)
    #: The smallest amount of this currency (``Decimal('0.01')`` for USD).
    quantum: Decimal = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        units = _minor_units(self.code)
        object.__setattr__(self, "minor_units", units)
        object.__setattr__(self, "quantum", Decimal(1).scaleb(-units))

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"Currency({self.code!r})"


@lru_cache(maxsize=512)
def _currency(code: str) -> Currency:
    return Currency(code)


def _to_currency(value: Currency | str) -> Currency:
    if isinstance(value, Currency):
        return value
    if isinstance(value, str):
        return _currency(value)
    raise UnknownCurrency(value)


def _to_amount(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise InvalidAmount(
            value,
            f"amount {value!r} is a float, which cannot hold money exactly; "
            f"pass a string instead, e.g. Money('{value!r}', 'USD')",
        )
    return to_decimal(value)


def _check_rounding(mode: str) -> None:
    if not isinstance(mode, str) or mode not in ROUNDING_MODES:
        raise InvalidRounding(mode)


def quantize(amount: Decimal, currency: Currency, rounding: str) -> Decimal:
    """``amount`` rounded to ``currency``'s minor units.

    Raises:
        InvalidAmount: the amount has more than 34 significant digits once
            rounded, more than prodlife's decimal context holds.
    """
    try:
        return amount.quantize(currency.quantum, rounding=rounding, context=CONTEXT)
    except decimal.InvalidOperation:
        raise InvalidAmount(
            amount,
            f"{currency.code} {amount} is too large to round to minor units within "
            f"{CONTEXT.prec} significant digits",
        ) from None


@attrs.frozen(slots=True, repr=False, order=False)
class Money:
    """An exact amount of one currency.

    Args:
        amount: a ``Decimal``, ``int`` or numeric string (never a float).
        currency: a :class:`Currency` or its ISO 4217 code.

    Raises:
        InvalidAmount: the amount is a float, not a number, or not finite.
        UnknownCurrency: the currency code is unknown.

    Amounts add and subtract only within one currency; they multiply and
    divide by plain numbers (``int`` or ``Decimal``); dividing two amounts of
    one currency gives their ratio as a ``Decimal``.

    >>> Money("10.00", "EUR") + Money("0.50", "EUR")
    Money('10.50', 'EUR')
    >>> Money("10.00", "EUR") / Money("2.50", "EUR")
    Decimal('4')
    >>> sum([Money("1.10", "EUR"), Money("2.20", "EUR")])
    Money('3.30', 'EUR')
    """

    amount: Decimal = attrs.field(converter=_to_amount)
    currency: Currency = attrs.field(converter=_to_currency)

    @classmethod
    def zero(cls, currency: Currency | str) -> Money:
        """Return zero in ``currency``.

        >>> Money.zero("JPY")
        Money('0', 'JPY')
        """
        return _new(Decimal(0), _to_currency(currency))

    @classmethod
    def from_minor_units(cls, units: int, currency: Currency | str) -> Money:
        """Return the amount that is ``units`` of the currency's minor unit.

        >>> Money.from_minor_units(1999, "USD")
        Money('19.99', 'USD')

        Raises:
            InvalidAmount: ``units`` is not an int, or is ``10**18`` or more of the
                currency's major unit (:data:`~prodlife.limits.MAX_AMOUNT_DIGITS`).
        """
        if not is_whole(units):
            raise InvalidAmount(units, f"minor units {units!r} must be an int, e.g. 1999")
        cur = _to_currency(currency)
        sign, digits, exponent = Decimal(units).as_tuple()
        amount = Decimal((sign, digits, cast(int, exponent) - cur.minor_units))
        if amount.adjusted() >= MAX_AMOUNT_DIGITS:
            raise _beyond(amount, f"{_short(Decimal(units))} minor units of {cur.code}")
        return _new(amount, cur)

    @property
    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return not self.amount

    @property
    def is_rounded(self) -> bool:
        """Whether the amount is a whole number of the currency's minor units."""
        return self.amount == quantize(self.amount, self.currency, decimal.ROUND_HALF_EVEN)

    def round(self, rounding: str = decimal.ROUND_HALF_UP) -> Money:
        """Return the amount rounded to the currency's minor units.

        Args:
            rounding: one of :mod:`decimal`'s rounding modes; half up (away
                from zero on a tie) by default.

        Raises:
            InvalidRounding: ``rounding`` is not a decimal rounding mode.
            InvalidAmount: the rounded amount reaches ``10**18``
                (:data:`~prodlife.limits.MAX_AMOUNT_DIGITS`).

        >>> Money("2.675", "USD").round()
        Money('2.68', 'USD')
        >>> Money("2.675", "USD").round(decimal.ROUND_HALF_EVEN)
        Money('2.68', 'USD')
        >>> Money("2.665", "USD").round(decimal.ROUND_HALF_EVEN)
        Money('2.66', 'USD')
        >>> Money("1234.5", "JPY").round()
        Money('1235', 'JPY')
        """
        if rounding is not decimal.ROUND_HALF_UP:
            _check_rounding(rounding)
        rounded = quantize(self.amount, self.currency, rounding)
        if rounded.adjusted() >= MAX_AMOUNT_DIGITS:  # 999...999.995 rounds up past the bound
            raise _beyond(rounded, f"{self} rounded to {self.currency.code} {rounded}")
        return _new(rounded, self.currency)

    def to_minor_units(self) -> int:
        """Return the amount as a whole number of minor units (cents for USD).

        Raises:
            InvalidAmount: the amount has more digits than the currency's
                minor units; round it first.
        """
        scaled = self.amount.scaleb(self.currency.minor_units, context=CONTEXT)
        if scaled != scaled.to_integral_value():
            raise InvalidAmount(
                self,
                f"{self} is not a whole number of {self.currency} minor units; call .round() first",
            )
        return int(scaled)

    def allocate(self, ratios: Sequence[Decimal | int | str]) -> list[Money]:
        """Split the amount into parts proportional to ``ratios``, losing nothing.

        The parts always add up exactly to the amount. Each part is its ideal
        share rounded down to minor units, and the minor units left over go
        one each to the parts with the largest remainders (ties go to the
        earlier part): the largest remainder method. No part is a whole minor
        unit away from its ideal share, and a zero ratio always gets zero.

        Args:
            ratios: non-negative numbers (not floats), at least one positive.

        Returns:
            One amount per ratio, in the order of ``ratios``.

        Raises:
            InvalidAmount: the amount is not a whole number of minor units
                (round it first), or a ratio is negative, a float, or all
                ratios are zero.

        >>> Money("100.00", "EUR").allocate([70, 20, 10])
        [Money('70.00', 'EUR'), Money('20.00', 'EUR'), Money('10.00', 'EUR')]
        >>> Money("-0.05", "EUR").allocate([1, 1])
        [Money('-0.03', 'EUR'), Money('-0.02', 'EUR')]
        """
        units = self.to_minor_units()
        if isinstance(ratios, str) or not isinstance(ratios, Sequence):
            raise InvalidAmount(ratios, f"ratios {ratios!r} must be a list of numbers, e.g. [1, 2]")
        weights = [Fraction(to_decimal(ratio, "ratio")) for ratio in ratios]
        if not weights:
            raise InvalidAmount(ratios, "cannot allocate over no ratios; pass at least one")
        if any(weight < 0 for weight in weights):
            raise InvalidAmount(ratios, f"ratios {list(ratios)!r} include a negative one")
        total_weight = sum(weights)
        if total_weight == 0:
            raise InvalidAmount(ratios, f"ratios {list(ratios)!r} are all zero; give one weight")
        whole = abs(units)
        parts: list[int] = []
        remainders: list[Fraction] = []
        for weight in weights:
            share = whole * weight / total_weight
            floor = share.numerator // share.denominator
            parts.append(floor)
            remainders.append(share - floor)
        left = whole - sum(parts)
        by_remainder = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
        for index in by_remainder[:left]:
            parts[index] += 1
        sign = -1 if units < 0 else 1
        return [Money.from_minor_units(sign * part, self.currency) for part in parts]

    # -- arithmetic ---------------------------------------------------------

    def _same(self, other: Money, operation: str) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(self, other, operation)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency is not self.currency:
            self._same(other, "add")
        result = CONTEXT.add(self.amount, other.amount)
        if _LOWEST <= result.adjusted() < MAX_AMOUNT_DIGITS:
            return _new(result, self.currency)
        return _bounded(result, self.currency, "sum")

    def __radd__(self, other: int) -> Money:
        # Lets the builtin sum() start from its default 0.
        if is_whole(other, 0, 0):
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency is not self.currency:
            self._same(other, "subtract")
        result = CONTEXT.subtract(self.amount, other.amount)
        if _LOWEST <= result.adjusted() < MAX_AMOUNT_DIGITS:
            return _new(result, self.currency)
        return _bounded(result, self.currency, "difference")

    def __neg__(self) -> Money:
        return _new(CONTEXT.minus(self.amount), self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return _new(CONTEXT.abs(self.amount), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if type(factor) is int and -_INT_BOUND < factor < _INT_BOUND:
            value = Decimal(factor)
        else:
            value = to_decimal(factor, "multiplier")
        result = CONTEXT.multiply(self.amount, value)
        if _LOWEST <= result.adjusted() < MAX_AMOUNT_DIGITS:
            return _new(result, self.currency)
        return _bounded(result, self.currency, "product")

    __rmul__ = __mul__

    @overload
    def __truediv__(self, divisor: Money) -> Decimal: ...
    @overload
    def __truediv__(self, divisor: Decimal | int) -> Money: ...
    def __truediv__(self, divisor: Money | Decimal | int) -> Money | Decimal:
        if isinstance(divisor, Money):
            return self.ratio(divisor)
        if type(divisor) is int and 0 < divisor < _INT_BOUND:
            value = Decimal(divisor)
        else:
            value = to_decimal(divisor, "divisor")
            if not value:
                raise InvalidAmount(divisor, f"cannot divide {self} by zero")
        result = CONTEXT.divide(self.amount, value)
        if _LOWEST <= result.adjusted() < MAX_AMOUNT_DIGITS:
            return _new(result, self.currency)
        return _bounded(result, self.currency, "quotient")

    def ratio(self, other: Money) -> Decimal:
        """Return ``self / other`` as a ``Decimal``; both in one currency.

        Raises:
            CurrencyMismatch: the currencies differ.
            InvalidAmount: ``other`` is zero.
        """
        if not isinstance(other, Money):
            raise InvalidAmount(other, f"cannot take the ratio of {self} to {other!r}; pass Money")
        self._same(other, "divide")
        if not other.amount:
            raise InvalidAmount(other, f"cannot divide {self} by {other}, which is zero")
        return CONTEXT.divide(self.amount, other.amount)

    # -- comparison ----------------------------------------------------------

    def _compare(self, other: object) -> Decimal | None:
        if not isinstance(other, Money):
            return None
        self._same(other, "compare")
        return other.amount

    def __lt__(self, other: Money) -> bool:
        value = self._compare(other)
        return NotImplemented if value is None else self.amount < value

    def __le__(self, other: Money) -> bool:
        value = self._compare(other)
        return NotImplemented if value is None else self.amount <= value

    def __gt__(self, other: Money) -> bool:
        value = self._compare(other)
        return NotImplemented if value is None else self.amount > value

    def __ge__(self, other: Money) -> bool:
        value = self._compare(other)
        return NotImplemented if value is None else self.amount >= value

    # -- display --------------------------------------------------------------

    def _padded(self) -> Decimal:
        amount = self.amount if self.amount else abs(self.amount)  # never print "-0.00"
        if cast(int, amount.as_tuple().exponent) > -self.currency.minor_units:
            return amount.quantize(self.currency.quantum, context=CONTEXT)
        return amount

    def __str__(self) -> str:
        return f"{self.currency.code} {self._padded()}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency.code}')"

    def __format__(self, spec: str) -> str:
        """Format the amount with ``spec`` (``f"{price:,.2f}"``), after the currency code.

        An empty spec gives ``str(money)``.

        Raises:
            InvalidAmount: ``spec`` is not a format spec for a decimal number, or
                asks for a width or precision of more than 2 digits.
        """
        if not spec:
            return str(self)
        if not isinstance(spec, str) or not _FORMAT_SPEC.fullmatch(spec):
            raise InvalidAmount(
                spec,
                f"format spec {spec!r} is not one for an amount; use one such as ',.2f' or "
                "'>12' (at most 2 digits of width and precision)",
            )
        return f"{self.currency.code} {format(self.amount, spec)}"


#: A format spec for a Decimal, with a width and a precision of at most 2 digits each.
_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?0?\d{0,2},?(?:\.\d{1,2})?[eEfFgGn%]?")

#: Build a Money from values already known to be valid (no conversion).
_new: Callable[[Decimal, Currency], Money] = builder(Money, "amount", "currency")

#: Ints strictly inside this bound are within MAX_AMOUNT_DIGITS (fast path of * and /).
_INT_BOUND = 10**MAX_AMOUNT_DIGITS


def _bounded(amount: Decimal, currency: Currency, what: str) -> Money:
    """``amount`` as Money when it is within the bounds, zero when it is below them.

    Raises:
        InvalidAmount: the amount is ``10**18`` or more in size.
    """
    if amount.adjusted() >= MAX_AMOUNT_DIGITS and amount:
        raise _beyond(amount, f"the {what} {currency.code} {_short(amount)}")
    if amount.adjusted() < _LOWEST:
        amount = _ZERO
    return _new(amount, currency)


def checked(amount: Decimal, currency: Currency, what: str = "amount") -> Money:
    """Money from a result of arithmetic on valid amounts: refused beyond the bounds.

    For prodlife's own modules: ``amount`` must be a finite Decimal. Amounts
    below :data:`~prodlife.limits.MIN_AMOUNT_EXPONENT` become zero.

    Raises:
        InvalidAmount: the amount is ``10**18`` or more in size.
    """
    if _LOWEST <= amount.adjusted() < MAX_AMOUNT_DIGITS:
        return _new(amount, currency)
    return _bounded(amount, currency, what)


def total(amounts: Iterable[Money], currency: Currency | str) -> Money:
    """Return the sum of ``amounts``, which is zero in ``currency`` when empty.

    Raises:
        CurrencyMismatch: an amount is in another currency.
    """
    result = Money.zero(currency)
    for amount in amounts:
        if not isinstance(amount, Money):
            raise InvalidAmount(amount, f"cannot add {amount!r} to an amount; pass Money")
        result = result + amount
    return result
