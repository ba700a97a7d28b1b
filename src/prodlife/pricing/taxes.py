"""Taxes: tax and VAT rates by code, exclusive or inclusive prices, several rates on one line.

A :class:`TaxRate` is a percentage with a code; a :class:`TaxTable` finds
rates by code (seed 004: a product names its tax codes and its VAT code).
:func:`tax_line` taxes one line and returns a :class:`TaxedAmount`: the net,
one :class:`TaxPart` per rate, and the gross.

**Order and compounding.** Rates apply in the order given. A non-compound rate
applies to the net; a compound rate applies to the net plus every tax before
it in that order (compound or not), each as rounded. A compound rate listed
first is therefore the same as a non-compound one.

**Rounding, per line and per tax.** Each tax amount is rounded once, to the
currency's minor units (half up by default; any :mod:`decimal` mode may be
chosen), and nothing else is rounded: ``gross == net + sum of the tax parts``
holds exactly, always.

* ``EXCLUSIVE``: the amount given is the net; ``gross = net + taxes``.
* ``INCLUSIVE``: the amount given is the gross. The exact net is
  ``gross / factor`` (for a 20 % rate the factor is 1.2; for non-compound rates
  it is 1 + their sum; a compound rate multiplies it), computed exactly with
  fractions; each tax is rounded from that exact net, and then
  ``net = gross - taxes``: the rounding residual goes to the net, never to a tax.

**Round trip.** Taxing a rounded net ``x`` exclusive, then backing the net out
of the gross inclusive, gives ``x`` back always with one rate, in any rounding
mode (the exact net's tax ``p * gross / (1 + p)`` lies between ``p * x`` and its
rounded value ``T``, so it rounds to ``T`` too), and always with two non-compound
rates and a half-way mode (each tax moves to ``-e1 * (1 - p1 / F) + p1 * e2 / F``
from its rounded value, ``e`` being the rounding errors at ``x`` and ``F`` the
factor: still within half a minor unit). Otherwise the net can come back off:
1 % + 9 % + 25 % on EUR 0.26 tax to 0.00 + 0.02 + 0.07 = 0.35, whose exact net
0.2593 has a 25 % tax of 0.0648, rounded 0.06, so the net comes back as 0.27;
compound 10, 11, 12 and 13 % on EUR 57.56 come back two cents off. The error is
exactly ``D(x) / F - D(gross / F)``, ``D(n)`` being how much rounding changed the
taxes' total at net ``n``; so it is at most ``(1 + 1 / F) * h * sum(w)``, with
``h`` half a minor unit (a whole one for directed modes) and each rate's ``w``
the product of ``1 + p`` over the compound rates after it. With two rates under
100 % and a half-way mode it is at most one minor unit. Rounding away from zero
can even leave a negative net on a tiny gross: 1 % + 1 % on EUR 0.01 takes
0.01 each; with one rate and a rounded gross the net is never negative.

======================  ==========================================================
rule                    condition
======================  ==========================================================
``code.format``         a rate's code is text with no spaces at either end
``tax.name``            a rate has a name
``tax.percent``         a percent is a number (never a float), 0 <= percent < 1000
``tax.kind``            ``kind`` is a :class:`TaxKind`, ``compound`` a bool; a
                        product's VAT code names a VAT rate and its tax codes
                        name tax rates
``tax.duplicate-code``  a code appears once in a table, and once on a line
``tax.line``            :func:`tax_line` is given Money, rates and a basis
``tax.total``           a :class:`TaxedAmount`'s gross is its net plus its taxes
======================  ==========================================================

>>> from decimal import Decimal
>>> from prodlife import Money
>>> vat = TaxRate("VAT20", "VAT 20 %", Decimal(20), kind=TaxKind.VAT)
>>> line = tax_line(Money("100.00", "EUR"), [vat])
>>> line.net, line.tax, line.gross
(Money('100.00', 'EUR'), Money('20.00', 'EUR'), Money('120.00', 'EUR'))
>>> back = tax_line(line.gross, [vat], PriceBasis.INCLUSIVE)
>>> back.net, back.parts[0].amount
(Money('100.00', 'EUR'), Money('20.00', 'EUR'))
"""

from __future__ import annotations

import decimal
import enum
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from prodlife.catalog._findings import Finding, check_code, raise_first
from prodlife.errors import InvalidAmount, InvalidRounding, RuleViolation
from prodlife.money import CONTEXT, ROUNDING_MODES, Currency, Money, checked, to_decimal

__all__ = [
    "PriceBasis",
    "TaxKind",
    "TaxPart",
    "TaxRate",
    "TaxedAmount",
    "check_tax_rate",
    "tax_line",
]

#: Percentages must stay below this (1000 %).
MAX_PERCENT = Decimal(1000)


class TaxKind(enum.Enum):
    """Whether a rate is a (sales, excise...) tax or a VAT (seed 004 keeps them apart)."""

    TAX = "tax"
    VAT = "vat"


class PriceBasis(enum.Enum):
    """Whether an amount is before taxes (``EXCLUSIVE``) or already includes them."""

    #: The amount is the net; taxes are added to it.
    EXCLUSIVE = "exclusive"
    #: The amount is the gross; the net is backed out of it.
    INCLUSIVE = "inclusive"


def _usable_percent(value: Decimal | int | str, rule: str, what: str) -> Decimal:
    """``value`` as a percent; ``RuleViolation`` of ``rule`` naming ``what`` when it is not one."""
    try:
        return to_decimal(value, "percent")
    except InvalidAmount as error:
        raise RuleViolation(rule, f"{what} percent {value!r} is not usable: {error}") from None


def _percent(value: Decimal | int | str) -> Decimal:
    return _usable_percent(value, "tax.percent", "tax rate")


@attrs.frozen(slots=True)
class TaxRate:
    """A tax or VAT rate: a percentage with a code.

    Args:
        code: the code products and tables know it by, e.g. ``"VAT20"``.
        name: a display name, e.g. ``"VAT 20 %"``.
        percent: the rate in percent (``20`` for 20 %): a ``Decimal``, an int
            or a numeric string, never a float; 0 <= percent < 1000.
        compound: whether it applies to the net plus the taxes listed before
            it on a line (a tax on tax) rather than to the net alone.
        kind: tax or VAT.

    Raises:
        RuleViolation: a rule a rate checks alone is broken (see the module's table).

    >>> TaxRate("QST", "Quebec sales tax", "9.975").fraction
    Decimal('0.09975')
    """

    code: str
    name: str
    percent: Decimal = attrs.field(converter=_percent)
    compound: bool = False
    kind: TaxKind = TaxKind.TAX

    def __attrs_post_init__(self) -> None:
        raise_first(check_tax_rate(self), self.code)

    @property
    def fraction(self) -> Decimal:
        """The rate as a fraction of its base (``0.2`` for 20 %)."""
        return self.percent.scaleb(-2)


def check_tax_rate(rate: TaxRate) -> list[Finding]:
    """Every rule ``rate`` breaks on its own."""
    found = check_code(rate.code, "tax rate")
    if not isinstance(rate.name, str) or not rate.name.strip():
        found.append(("tax.name", "a tax rate needs a name, e.g. 'VAT 20 %'; give it one"))
    if not 0 <= rate.percent < MAX_PERCENT:
        found.append(
            (
                "tax.percent",
                f"percent {rate.percent} is outside 0 <= percent < {MAX_PERCENT}; give the "
                "rate in percent, e.g. 20 for 20 %",
            )
        )
    kind: object = rate.kind
    compound: object = rate.compound
    if not isinstance(kind, TaxKind):
        found.append(("tax.kind", f"kind {kind!r} must be TaxKind.TAX or TaxKind.VAT"))
    if not isinstance(compound, bool):
        found.append(("tax.kind", f"compound {compound!r} must be True or False"))
    return [(rule, f"tax rate {rate.code!r}: {message}") for rule, message in found]


def _rate_tuple(rates: Iterable[TaxRate]) -> tuple[TaxRate, ...]:
    return tuple(rates)


def _duplicates(rates: Sequence[TaxRate]) -> list[str]:
    codes = [rate.code for rate in rates]
    return sorted({code for code in codes if codes.count(code) > 1})


@attrs.frozen(slots=True)
class TaxPart:
    """One rate's tax on a line.

    Attributes:
        code: the rate's code.
        base: what the rate applied to, from the line's net: the net for a
            non-compound rate, the net plus the taxes before it for a compound one.
        amount: the tax, rounded to the currency's minor units.
        percent: the rate in percent.

    For an exclusive price ``amount`` is ``base * percent / 100`` rounded. For
    an inclusive one it is computed the same way from the exact net
    (:attr:`TaxedAmount.exact_net`) rather than the net, which took the rounding
    residual; so with several rates it may differ from ``base * percent / 100``
    rounded.
    """

    code: str
    base: Money
    amount: Money
    percent: Decimal


def _part_amounts(parts: Iterable[TaxPart]) -> tuple[TaxPart, ...]:
    return tuple(parts)


@attrs.frozen(slots=True)
class TaxedAmount:
    """A taxed line: its net, a part per rate, and its gross.

    Attributes:
        net: the amount before taxes.
        parts: one :class:`TaxPart` per rate, in the order the rates applied.
        gross: the amount with taxes: exactly ``net`` plus every part.
        basis: which of ``net`` and ``gross`` was given.
        exact_net: the unrounded net the taxes were computed from: ``net`` for
            an exclusive price, ``gross / factor`` (to 34 significant digits) for
            an inclusive one.

    Raises:
        RuleViolation: ``gross`` is not ``net`` plus the parts (rule ``tax.total``).
    """

    net: Money
    parts: tuple[TaxPart, ...] = attrs.field(converter=_part_amounts)
    gross: Money
    basis: PriceBasis = PriceBasis.EXCLUSIVE
    exact_net: Money = attrs.field(default=attrs.Factory(lambda self: self.net, takes_self=True))

    def __attrs_post_init__(self) -> None:
        if self.net + self.tax != self.gross:
            raise RuleViolation(
                "tax.total",
                f"gross {self.gross} is not the net {self.net} plus the taxes {self.tax}; "
                "make the gross their sum",
            )

    @property
    def tax(self) -> Money:
        """The sum of the tax parts (zero for a line without rates)."""
        total = Money.zero(self.net.currency)
        for part in self.parts:
            total = total + part.amount
        return total


def _round(value: Fraction, currency: Currency, rounding: str) -> Decimal:
    """``value`` rounded to ``currency``'s minor units with ``rounding``, exactly.

    The fraction of a minor unit beyond the whole units is replaced by a decimal
    with the same rounding behaviour (0, below a half, a half, above a half).
    """
    units = value * 10**currency.minor_units
    whole = math.floor(units)
    rest = units - whole
    if rest == 0:
        tail = Decimal(0)
    elif rest < Fraction(1, 2):
        tail = Decimal("0.25")
    elif rest == Fraction(1, 2):
        tail = Decimal("0.5")
    else:
        tail = Decimal("0.75")
    stand_in = CONTEXT.add(Decimal(whole), tail)
    rounded = int(stand_in.quantize(Decimal(1), rounding=rounding, context=CONTEXT))
    return Decimal(rounded).scaleb(-currency.minor_units)


def _factor(rates: Sequence[TaxRate]) -> Fraction:
    """Gross divided by net when nothing is rounded."""
    taxes = Fraction(0)
    for rate in rates:
        base = 1 + taxes if rate.compound else Fraction(1)
        taxes += base * Fraction(rate.fraction)
    return 1 + taxes


def _taxes(
    net: Fraction, rates: Sequence[TaxRate], currency: Currency, rounding: str
) -> list[Decimal]:
    """Each rate's rounded tax on ``net``, in order; compound ones on net + taxes so far."""
    amounts: list[Decimal] = []
    so_far = Fraction(0)
    for rate in rates:
        base = net + so_far if rate.compound else net
        amount = _round(base * Fraction(rate.fraction), currency, rounding)
        amounts.append(amount)
        so_far += Fraction(amount)
    return amounts


def _check_line(amount: object, rates: object, basis: object, rounding: object) -> None:
    if not isinstance(amount, Money):
        raise RuleViolation("tax.line", f"amount {amount!r} must be Money, e.g. Money('10', 'EUR')")
    if not isinstance(basis, PriceBasis):
        raise RuleViolation(
            "tax.line", f"basis {basis!r} must be PriceBasis.EXCLUSIVE or PriceBasis.INCLUSIVE"
        )
    if not isinstance(rates, Sequence) or isinstance(rates, str):
        raise RuleViolation("tax.line", f"rates {rates!r} must be a sequence of TaxRate")
    for rate in rates:
        if not isinstance(rate, TaxRate):
            raise RuleViolation("tax.line", f"rates include {rate!r}, which is not a TaxRate")
    duplicates = _duplicates(rates)
    if duplicates:
        raise RuleViolation(
            "tax.duplicate-code",
            f"the rates {duplicates} are given more than once for one line; give each rate once",
            duplicates[0],
        )
    if rounding not in ROUNDING_MODES:
        raise InvalidRounding(rounding)


def tax_line(
    amount: Money,
    rates: Sequence[TaxRate] | TaxRate,
    basis: PriceBasis = PriceBasis.EXCLUSIVE,
    *,
    rounding: str = decimal.ROUND_HALF_UP,
) -> TaxedAmount:
    """Tax one line: its net, each rate's tax rounded once, and its gross.

    Args:
        amount: the net (``EXCLUSIVE``) or the gross (``INCLUSIVE``), usually
            rounded to minor units already; an unrounded amount is kept as it
            is, and only the taxes are rounded.
        rates: the rates, in the order they apply (a single rate is accepted).
        basis: whether ``amount`` excludes or includes the taxes.
        rounding: the :mod:`decimal` mode each tax is rounded with.

    Returns:
        The net, one part per rate and the gross, with ``gross == net + taxes``
        exactly. See the module's notes on compounding and the round trip.

    Raises:
        RuleViolation: the arguments are not Money, rates and a basis (rule
            ``tax.line``), or a rate is given twice (rule ``tax.duplicate-code``).
        InvalidRounding: ``rounding`` is not a :mod:`decimal` mode.
        InvalidAmount: the gross is beyond :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.

    >>> from prodlife import Money
    >>> gst = TaxRate("GST", "GST", 5)
    >>> pst = TaxRate("PST", "PST (on GST)", 10, compound=True)
    >>> [part.amount for part in tax_line(Money("100.00", "CAD"), [gst, pst]).parts]
    [Money('5.00', 'CAD'), Money('10.50', 'CAD')]
    >>> line = tax_line(Money("10.00", "EUR"), TaxRate("V7", "VAT 7 %", 7), PriceBasis.INCLUSIVE)
    >>> line.net, line.tax, line.exact_net.round()
    (Money('9.35', 'EUR'), Money('0.65', 'EUR'), Money('9.35', 'EUR'))
    """
    if isinstance(rates, TaxRate):
        rates = (rates,)
    _check_line(amount, rates, basis, rounding)
    currency = amount.currency
    net = amount.amount
    if basis is PriceBasis.EXCLUSIVE:
        taxes = _taxes(Fraction(net), rates, currency, rounding)
        exact = net
    else:
        exact_net = Fraction(net) / _factor(rates)
        taxes = _taxes(exact_net, rates, currency, rounding)
        for tax in taxes:
            net = CONTEXT.subtract(net, tax)
        exact = CONTEXT.divide(Decimal(exact_net.numerator), Decimal(exact_net.denominator))
    parts: list[TaxPart] = []
    so_far = Decimal(0)
    for rate, tax in zip(rates, taxes, strict=True):
        base = CONTEXT.add(net, so_far) if rate.compound else net
        parts.append(
            TaxPart(rate.code, checked(base, currency), checked(tax, currency), rate.percent)
        )
        so_far = CONTEXT.add(so_far, tax)
    return TaxedAmount(
        checked(net, currency, "net"),
        parts,
        checked(CONTEXT.add(net, so_far), currency, "gross"),
        basis,
        checked(exact, currency, "exact net"),
    )
