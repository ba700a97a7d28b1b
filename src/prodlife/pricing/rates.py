# Over 400 lines: the rate models (flat, per unit, graduated, volume, package, blocks)
# and their one rule table; each model is short, and they share their checks.
"""Rate models: how a quantity becomes an amount (seed 004's price plan rates).

A :class:`Rate` prices a quantity by one of five models (:class:`RateModel`):

- **flat**: one price, whatever the quantity;
- **per unit**: the price times the quantity;
- **graduated** (tiered): each tier's units at that tier's own unit price;
- **volume**: every unit at the unit price of the tier the quantity reaches;
- **package**: a price per block of ``package_size`` units, partial blocks rounded up,
  after ``free_units`` given free (Lago's package charge).

A tier may count its units in **blocks** (``block_size``): the tier's price is then the
price of one block, and the units it holds are rounded up to whole blocks. Graduated block
tiers are Kill Bill's ``ALL_TIERS`` policy, volume block tiers its ``TOP_TIER`` policy;
:meth:`Rate.tiered_blocks` builds either from Kill Bill's block size and maximum blocks per
tier.

Every model but flat may add a **base amount**, charged whatever the quantity
(seed 004: "the rate model, base and tiered amount"). A :class:`Tier` may also
carry a **flat fee**: charged once when any unit falls in the tier (graduated),
or when the quantity reaches the tier (volume). A graduated rate with
``first_flat_fee_at_zero`` charges its first tier's flat fee at zero units too
(Lago's graduated charge).

:meth:`Rate.charge` returns a :class:`RateCharge`: the exact, unrounded total
and the parts it is made of, which add up to it exactly. Rounding to the
currency's minor units is the quote's job, once per quote line.

Tiers are described by their inclusive upper bound ``up_to`` (an ``int`` or a
``Decimal``, kept as a ``Decimal``): tiers ``(10, 50, None)`` cover units 1-10,
11-50 and everything above 50. Quantities may be ``Decimal`` (usage, 10.5 GB):
a tier then holds the part of the quantity between the previous bound
(exclusive) and its own (inclusive), so 10.5 units put 10 in the first tier and
0.5 in the second. A quantity of zero uses no tier at all: graduated and volume
rates then charge only the base amount (per-unit and package rates show one
part of zero units), unless a graduated rate charges its first flat fee at zero.

=======================  ==============================================================
rule                     condition
=======================  ==============================================================
``rate.model``           the model is a :class:`RateModel`
``rate.fields``          the model's fields are given and no other: flat and per unit
                         need ``price``; graduated and volume need ``tiers``; package
                         needs ``price`` (per block) and ``package_size``; flat takes no
                         base amount; only graduated rates take
                         ``first_flat_fee_at_zero`` (a ``bool``)
``rate.price``           every price, fee and base amount is a :class:`~prodlife.Money`
                         of zero or more
``rate.currency``        every amount of a rate is in one currency
``rate.tier-bound``      a tier's ``up_to`` is a whole number or ``Decimal`` above zero,
                         or ``None``
``rate.tiers-order``     bounds rise strictly; the last tier is unbounded and no other is
``rate.package-size``    the package size is a whole number of at least 1, the free
                         units (package rates only) a whole number of zero or more
``rate.block-size``      a tier's block size, and a block tier's maximum number of blocks,
                         is a whole number of at least 1 (``None``: units, or unbounded)
``rate.quantity``        a quantity charged is an ``int`` or ``Decimal`` of zero or more,
                         at most :data:`~prodlife.limits.MAX_QUANTITY`
=======================  ==============================================================

>>> from prodlife import Money
>>> tiers = (
...     Tier(10, Money("5.00", "USD")),
...     Tier(50, Money("4.00", "USD")),
...     Tier(None, Money("3.00", "USD")),
... )
>>> Rate.graduated(tiers).charge(51).total
Money('213.00', 'USD')
>>> Rate.volume(tiers).charge(51).total
Money('153.00', 'USD')
>>> for part in Rate.graduated(tiers).charge(51).parts:
...     print(part)
tier 1 (up to 10): 10 x USD 5.00 = USD 50.00
tier 2 (up to 50): 40 x USD 4.00 = USD 160.00
tier 3 (over 50): 1 x USD 3.00 = USD 3.00
"""

from __future__ import annotations

import decimal
import enum
import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import cast

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._findings import Finding, raise_first
from prodlife.catalog._findings import is_a as _is
from prodlife.errors import RuleViolation
from prodlife.limits import MAX_QUANTITY
from prodlife.money import CONTEXT, Currency, Money, total

__all__ = [
    "ChargePart",
    "Rate",
    "RateCharge",
    "RateModel",
    "Tier",
    "check_rate",
    "check_tier",
]


class RateModel(enum.Enum):
    """How a rate turns a quantity into an amount."""

    #: One price whatever the quantity.
    FLAT = "flat"
    #: The price times the quantity.
    PER_UNIT = "per-unit"
    #: Tiered: each tier's units at that tier's unit price.
    GRADUATED = "graduated"
    #: Every unit at the unit price of the tier the quantity reaches.
    VOLUME = "volume"
    #: A price per block of ``package_size`` units, partial blocks rounded up.
    PACKAGE = "package"


def _price_findings(value: object, what: str) -> list[Finding]:
    if value is None:
        return []
    if not isinstance(value, Money):
        return [("rate.price", f"{what} {value!r} must be a Money, e.g. Money('5.00', 'USD')")]
    if value.amount < 0:
        return [
            (
                "rate.price",
                f"{what} {value} is negative; give zero or more and use a discount for reductions",
            )
        ]
    return []


def _bound(value: int | Decimal | None) -> Decimal | None:
    # Whole numbers become Decimals (Tier(10, p) == Tier(Decimal(10), p)); anything else is
    # left as given for check_tier to report.
    if is_whole(value):
        return Decimal(value)
    return cast(Decimal | None, value)


@attrs.frozen(slots=True)
class Tier:
    """One tier of a graduated or volume rate.

    Args:
        up_to: the tier's inclusive upper bound, in units: an ``int`` or a
            ``Decimal`` (kept as a ``Decimal``); ``None`` for the last,
            unbounded tier.
        unit_price: the price of one unit in this tier.
        flat_fee: charged once when the tier is used (graduated) or reached
            (volume), on top of its units; ``None`` for none.
        block_size: ``None`` (the default) to charge the tier's units one by one;
            a whole number to charge them in blocks of that many units, partial
            blocks rounded up, ``unit_price`` being the price of one block (Kill
            Bill's tiered blocks).

    Raises:
        RuleViolation: the bound, a price or the block size breaks a rule
            (``rate.tier-bound``, ``rate.price``, ``rate.currency``,
            ``rate.block-size``).

    >>> from prodlife import Money
    >>> dollar = Money("1", "USD")
    >>> tiers = (Tier(1000, dollar, block_size=100), Tier(None, dollar, block_size=1000))
    >>> for part in Rate.graduated(tiers).charge(4990).parts:
    ...     print(part)
    tier 1 (up to 1000): 10 blocks of 100 units for 1000 units: 10 x USD 1.00 = USD 10.00
    tier 2 (over 1000): 4 blocks of 1000 units for 3990 units (partial blocks rounded up): ...
    """

    up_to: Decimal | None = attrs.field(converter=_bound)
    unit_price: Money
    flat_fee: Money | None = None
    block_size: int | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(check_tier(self))

    def describe(self, index: int, lower: Decimal) -> str:
        """Name the tier for an explanation: ``tier 2 (up to 50)`` or ``tier 3 (over 50)``.

        Args:
            index: the tier's position, from 1.
            lower: the previous tier's bound (0 for the first tier).
        """
        if self.up_to is None:
            return f"tier {index} (over {lower})"
        return f"tier {index} (up to {self.up_to})"


def check_tier(tier: Tier) -> list[Finding]:
    """Every rule ``tier`` breaks on its own (its bound and prices)."""
    found: list[Finding] = []
    bound = tier.up_to
    if bound is not None and (not _is(bound, Decimal) or not bound.is_finite() or bound <= 0):
        found.append(
            (
                "rate.tier-bound",
                f"tier bound up_to={bound!r} must be a whole number or Decimal above zero "
                "(the tier's last unit), or None for the last, unbounded tier",
            )
        )
    found += _price_findings(tier.unit_price, "tier unit price")
    found += _price_findings(tier.flat_fee, "tier flat fee")
    found += _whole_findings(tier.block_size, "tier block size", "units per block")
    fee = tier.flat_fee
    price = tier.unit_price
    if _is(price, Money) and fee is not None and _is(fee, Money) and fee.currency != price.currency:
        found.append(
            (
                "rate.currency",
                f"tier flat fee {fee} is not in {price.currency} like its unit price {price}; "
                "give both in one currency",
            )
        )
    return found


def _whole_findings(value: object, what: str, meaning: str) -> list[Finding]:
    if value is None or is_whole(value, 1, MAX_QUANTITY):
        return []
    return [
        (
            "rate.block-size",
            f"{what} {value!r} must be a whole number from 1 to prodlife.limits.MAX_QUANTITY "
            f"({MAX_QUANTITY:,}) ({meaning}), or None",
        )
    ]


def _tiers(values: Iterable[Tier]) -> tuple[Tier, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class ChargePart:
    """One line of a charge's explanation: units at a unit price.

    Attributes:
        description: what the part is (``tier 2 (up to 50)``, ``base amount``...).
        units: how many units it charges (1 for a flat price, fee or base amount;
            blocks for a package rate).
        unit_price: the price of one of those units.
        amount: ``units * unit_price``, exact.
    """

    description: str
    units: Decimal
    unit_price: Money
    amount: Money

    def __str__(self) -> str:
        return f"{self.description}: {self.units} x {self.unit_price} = {self.amount}"


@attrs.frozen(slots=True)
class RateCharge:
    """What a rate charges for a quantity, explained.

    Attributes:
        model: the rate model that priced it.
        quantity: the quantity charged.
        total: the exact total (unrounded); the sum of the parts' amounts.
        parts: the parts, in order: the base amount first (if any), then the
            price, tiers or blocks.
    """

    model: RateModel
    quantity: Decimal
    total: Money
    parts: tuple[ChargePart, ...]

    @property
    def currency(self) -> Currency:
        """The currency of the charge."""
        return self.total.currency


def _part(description: str, units: Decimal, unit_price: Money) -> ChargePart:
    return ChargePart(description, units, unit_price, unit_price * units)


_ONE = Decimal(1)
_ZERO = Decimal(0)


@attrs.frozen(slots=True)
class Rate:
    """A rate: a model and the prices it needs.

    Prefer the constructors :meth:`flat`, :meth:`per_unit`, :meth:`graduated`,
    :meth:`volume` and :meth:`package`, which name the fields each model uses.

    Args:
        model: the :class:`RateModel`.
        price: the price for flat and per-unit rates; the price of one block
            for package rates; ``None`` for graduated and volume rates.
        tiers: the tiers of graduated and volume rates, bounds rising, the
            last unbounded; empty for the other models.
        package_size: units in one block of a package rate; ``None`` otherwise.
        free_units: units of a package rate given free before its blocks are
            counted (0 by default; package rates only).
        base: an amount charged whatever the quantity, on top of the rest;
            not for flat rates (put it in the price).
        first_flat_fee_at_zero: charge the first tier's flat fee even when the
            quantity is zero (graduated rates only; Lago's graduated charge).
            By default a tier's flat fee is charged only when a unit falls in it.

    Raises:
        RuleViolation: a rule of the module's table is broken.

    >>> from prodlife import Money
    >>> Rate.package(Money("10.00", "EUR"), 25).charge(26).total
    Money('20.00', 'EUR')
    >>> Rate.per_unit(Money("0.10", "EUR"), base=Money("5.00", "EUR")).charge(30).total
    Money('8.00', 'EUR')
    """

    model: RateModel
    price: Money | None = None
    tiers: tuple[Tier, ...] = attrs.field(default=(), converter=_tiers)
    package_size: int | None = None
    base: Money | None = None
    free_units: int = 0
    first_flat_fee_at_zero: bool = False

    def __attrs_post_init__(self) -> None:
        raise_first(check_rate(self))

    # -- constructors -----------------------------------------------------------

    @classmethod
    def flat(cls, price: Money) -> Rate:
        """One price whatever the quantity."""
        return cls(RateModel.FLAT, price=price)

    @classmethod
    def per_unit(cls, price: Money, *, base: Money | None = None) -> Rate:
        """``price`` per unit, plus ``base`` if given."""
        return cls(RateModel.PER_UNIT, price=price, base=base)

    @classmethod
    def graduated(
        cls,
        tiers: Iterable[Tier],
        *,
        base: Money | None = None,
        first_flat_fee_at_zero: bool = False,
    ) -> Rate:
        """Each tier's units at that tier's unit price, plus ``base`` if given.

        With ``first_flat_fee_at_zero``, the first tier's flat fee is charged
        even for zero units (Lago's graduated charge); otherwise zero units
        use no tier.

        >>> from prodlife import Money
        >>> first = Tier(10, Money("10", "EUR"), flat_fee=Money("2", "EUR"))
        >>> tiers = (first, Tier(None, Money("5", "EUR")))
        >>> Rate.graduated(tiers).charge(0).total
        Money('0', 'EUR')
        >>> Rate.graduated(tiers, first_flat_fee_at_zero=True).charge(0).total
        Money('2', 'EUR')
        """
        return cls(
            RateModel.GRADUATED,
            tiers=tuple(tiers),
            base=base,
            first_flat_fee_at_zero=first_flat_fee_at_zero,
        )

    @classmethod
    def volume(cls, tiers: Iterable[Tier], *, base: Money | None = None) -> Rate:
        """Every unit at the reached tier's unit price, plus ``base`` if given."""
        return cls(RateModel.VOLUME, tiers=tuple(tiers), base=base)

    @classmethod
    def package(
        cls, price: Money, size: int, *, base: Money | None = None, free_units: int = 0
    ) -> Rate:
        """``price`` per block of ``size`` units (partial blocks rounded up), plus ``base``.

        The first ``free_units`` units cost nothing: the blocks count the rest.

        >>> from prodlife import Money
        >>> Rate.package(Money("100", "EUR"), 10, free_units=10).charge(121).total
        Money('1200', 'EUR')
        """
        return cls(
            RateModel.PACKAGE, price=price, package_size=size, base=base, free_units=free_units
        )

    @classmethod
    def tiered_blocks(
        cls,
        blocks: Iterable[tuple[int, int | None, Money]],
        *,
        top_tier: bool = False,
        base: Money | None = None,
    ) -> Rate:
        """Kill Bill's tiered blocks, each tier given as ``(size, max, price)``.

        A tier holds at most ``max`` blocks of ``size`` units at ``price`` a
        block; the last tier's ``max`` is ``None`` (unbounded). The result is
        a graduated or volume rate of tiers with a ``block_size``:

        - ``top_tier=False`` (Kill Bill's ``ALL_TIERS``, the default): each
          tier's units are charged in that tier's blocks, partial blocks
          rounded up (a graduated rate);
        - ``top_tier=True`` (``TOP_TIER``): every unit is charged in blocks of
          the first tier that, with the tiers before it, holds the quantity (a
          volume rate).

        Raises:
            RuleViolation: a size or maximum is not a whole number of at least
                1 (``rate.block-size``), or a rule of the module's table is
                broken (the last tier bounded: ``rate.tiers-order``).

        >>> from prodlife import Money
        >>> blocks = [(100, 10, Money("1", "USD")), (1000, None, Money("1", "USD"))]
        >>> Rate.tiered_blocks(blocks).charge(5325).total
        Money('15', 'USD')
        >>> Rate.tiered_blocks(blocks, top_tier=True).charge(5325).total
        Money('6', 'USD')
        """
        tiers: list[Tier] = []
        bound = 0
        for block in blocks:
            if not isinstance(block, tuple) or len(block) != 3:
                raise RuleViolation(
                    "rate.fields",
                    f"block tier {block!r} must be a tuple (size, max, price), e.g. "
                    "(100, 10, Money('1.00', 'USD')), with max None for the last tier",
                )
            size, most, price = block
            raise_first(_whole_findings(size, "tier block size", "units per block"))
            raise_first(_whole_findings(most, "tier maximum", "blocks in the tier"))
            bound += size * (most or 0)
            tiers.append(Tier(None if most is None else bound, price, block_size=size))
        model = RateModel.VOLUME if top_tier else RateModel.GRADUATED
        return cls(model, tiers=tiers, base=base)

    # -- use ----------------------------------------------------------------------

    @property
    def currency(self) -> Currency:
        """The currency every amount of the rate is in."""
        return _amounts(self)[0].currency

    def charge(self, quantity: int | Decimal) -> RateCharge:
        """Price ``quantity`` units by the rate, with the parts that make the total.

        Args:
            quantity: how many units; an ``int`` or a ``Decimal`` (usage
                quantities may be fractional) of zero or more. Flat rates
                ignore it.

        Returns:
            The exact total (unrounded) and its parts, which add up to it.

        Raises:
            RuleViolation: the quantity is negative, a float, not a number, or
                more than :data:`~prodlife.limits.MAX_QUANTITY` (rule ``rate.quantity``).
            InvalidAmount: the charge is beyond :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.

        >>> from prodlife import Money
        >>> charge = Rate.package(Money("10.00", "USD"), 25).charge(26)
        >>> charge.parts[0].description
        '2 blocks of 25 units for 26 units (partial blocks rounded up)'
        """
        units = _quantity(quantity)
        parts: list[ChargePart] = []
        if self.base is not None:
            parts.append(_part("base amount", _ONE, self.base))
        model = self.model
        if model is RateModel.FLAT:
            parts.append(_part("flat price", _ONE, cast(Money, self.price)))
        elif model is RateModel.PER_UNIT:
            parts.append(_part("per unit", units, cast(Money, self.price)))
        elif model is RateModel.GRADUATED:
            parts += _graduated(self.tiers, units, at_zero=self.first_flat_fee_at_zero)
        elif model is RateModel.VOLUME:
            parts += _volume(self.tiers, units)
        else:
            parts.append(
                _package(
                    cast(Money, self.price), cast(int, self.package_size), units, self.free_units
                )
            )
        amount = total((part.amount for part in parts), self.currency)
        return RateCharge(model, units, amount, tuple(parts))


def _quantity(quantity: object) -> Decimal:
    if isinstance(quantity, bool) or not isinstance(quantity, (int, Decimal)):
        hint = f"Decimal('{quantity!r}')" if isinstance(quantity, float) else "Decimal('10.5')"
        raise RuleViolation(
            "rate.quantity",
            f"quantity {quantity!r} must be an int or a Decimal, e.g. 3 or {hint}",
        )
    value = Decimal(quantity)
    if not value.is_finite() or value < 0:
        raise RuleViolation(
            "rate.quantity", f"quantity {quantity!r} must be a finite number of zero or more"
        )
    if value > MAX_QUANTITY:
        raise RuleViolation(
            "rate.quantity",
            f"quantity {value} is more than {MAX_QUANTITY:,} units, beyond "
            "prodlife.limits.MAX_QUANTITY; check where it comes from",
        )
    return value


def _graduated(tiers: tuple[Tier, ...], quantity: Decimal, *, at_zero: bool) -> list[ChargePart]:
    parts: list[ChargePart] = []
    lower = _ZERO
    for index, tier in enumerate(tiers, 1):
        if quantity <= lower and not (at_zero and index == 1):
            break
        upper = quantity if tier.up_to is None else CONTEXT.min(quantity, tier.up_to)
        name = tier.describe(index, lower)
        parts.append(_tier_part(name, tier, CONTEXT.subtract(upper, lower)))
        if tier.flat_fee is not None:
            parts.append(_part(f"{name} flat fee", _ONE, tier.flat_fee))
        if tier.up_to is None:
            break
        lower = tier.up_to
    return parts


def _volume(tiers: tuple[Tier, ...], quantity: Decimal) -> list[ChargePart]:
    if not quantity:
        return []
    # The last tier is unbounded, so some tier is always reached.
    reached = next(i for i, t in enumerate(tiers) if t.up_to is None or quantity <= t.up_to)
    tier = tiers[reached]
    name = tier.describe(reached + 1, (tiers[reached - 1].up_to or _ZERO) if reached else _ZERO)
    parts = [_tier_part(f"{name} reached, all units", tier, quantity)]
    if tier.flat_fee is not None:
        parts.append(_part(f"{name} flat fee", _ONE, tier.flat_fee))
    return parts


def _count(number: int | Decimal, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _blocks(size: int, units: Decimal) -> tuple[Decimal, str]:
    """Whole blocks of ``size`` covering ``units``, and a note when the last is partial."""
    blocks = CONTEXT.divide(units, Decimal(size)).to_integral_value(
        rounding=decimal.ROUND_CEILING, context=CONTEXT
    )
    partial = CONTEXT.multiply(blocks, Decimal(size)) != units
    return blocks, " (partial blocks rounded up)" if partial else ""


def _tier_part(name: str, tier: Tier, units: Decimal) -> ChargePart:
    if tier.block_size is None:
        return _part(name, units, tier.unit_price)
    blocks, note = _blocks(tier.block_size, units)
    what = f"{_count(blocks, 'block')} of {_count(tier.block_size, 'unit')}"
    return _part(f"{name}: {what} for {_count(units, 'unit')}{note}", blocks, tier.unit_price)


def _package(price: Money, size: int, quantity: Decimal, free: int) -> ChargePart:
    paid = max(quantity - free, Decimal(0))
    blocks, note = _blocks(size, paid)
    what = _count(quantity, "unit")
    if free:
        what = f"{_count(paid, 'unit')} of {what} ({_count(free, 'unit')} free)"
    description = f"{_count(blocks, 'block')} of {_count(size, 'unit')} for {what}{note}"
    return _part(description, blocks, price)


def _amounts(rate: Rate) -> list[Money]:
    found = [rate.base, rate.price]
    for tier in rate.tiers:
        found += [tier.unit_price, tier.flat_fee]
    return [amount for amount in found if isinstance(amount, Money)]


_NEEDS: dict[RateModel, tuple[bool, bool, bool]] = {
    # model: (price, tiers, package_size)
    RateModel.FLAT: (True, False, False),
    RateModel.PER_UNIT: (True, False, False),
    RateModel.GRADUATED: (False, True, False),
    RateModel.VOLUME: (False, True, False),
    RateModel.PACKAGE: (True, False, True),
}


def _field_findings(rate: Rate) -> list[Finding]:
    name = rate.model.value
    found: list[Finding] = []
    needs_price, needs_tiers, needs_size = _NEEDS[rate.model]
    given = {
        "price": rate.price is not None,
        "tiers": bool(rate.tiers),
        "package_size": rate.package_size is not None,
    }
    for field, needed in zip(given, (needs_price, needs_tiers, needs_size), strict=True):
        if needed and not given[field]:
            found.append(("rate.fields", f"a {name} rate needs {field}; give it"))
        elif not needed and given[field]:
            found.append(
                ("rate.fields", f"a {name} rate takes no {field}; remove it or change the model")
            )
    if rate.model is RateModel.FLAT and rate.base is not None:
        found.append(
            (
                "rate.fields",
                f"a flat rate takes no base amount (base {rate.base}); add it to the price",
            )
        )
    return found


def _tier_order_findings(tiers: tuple[Tier, ...]) -> list[Finding]:
    found: list[Finding] = []
    bounds = [tier.up_to for tier in tiers]
    shown = ", ".join(str(bound) for bound in bounds)
    if bounds and bounds[-1] is not None:
        found.append(
            (
                "rate.tiers-order",
                f"the last tier ends at {bounds[-1]}; make it unbounded (up_to=None) so every "
                "quantity falls in a tier",
            )
        )
    inner = bounds[:-1]
    if any(bound is None for bound in inner):
        found.append(
            (
                "rate.tiers-order",
                f"tier bounds ({shown}) have an unbounded tier before the last; only the last "
                "tier may be unbounded",
            )
        )
    elif any(low >= high for low, high in itertools.pairwise(inner)):  # type: ignore[operator]
        found.append(
            (
                "rate.tiers-order",
                f"tier bounds ({shown}) do not rise strictly; order the tiers by up_to, each "
                "above the one before",
            )
        )
    return found


def _at_zero_findings(rate: Rate) -> list[Finding]:
    at_zero: object = rate.first_flat_fee_at_zero
    if not isinstance(at_zero, bool):
        return [("rate.fields", f"first_flat_fee_at_zero {at_zero!r} must be True or False")]
    if at_zero and rate.model is not RateModel.GRADUATED:
        return [
            (
                "rate.fields",
                f"a {rate.model.value} rate takes no first_flat_fee_at_zero; it is an option of "
                "graduated rates (their first tier's flat fee charged at zero units)",
            )
        ]
    return []


def check_rate(rate: Rate) -> list[Finding]:
    """Every rule ``rate`` breaks (the module's table lists them)."""
    if not _is(rate.model, RateModel):
        return [
            (
                "rate.model",
                f"rate model {rate.model!r} is not a RateModel; use one of "
                f"{[model.name for model in RateModel]}",
            )
        ]
    found = _field_findings(rate)
    found += _price_findings(rate.price, "price")
    found += _price_findings(rate.base, "base amount")
    for tier in rate.tiers:
        if not _is(tier, Tier):
            found.append(("rate.fields", f"tier {tier!r} must be a Tier"))
            return found
    found += _tier_order_findings(rate.tiers)
    size = rate.package_size
    if size is not None and not is_whole(size, 1):
        found.append(
            (
                "rate.package-size",
                f"package size {size!r} must be a whole number of at least 1 (units per block)",
            )
        )
    free = rate.free_units
    if not is_whole(free, 0, MAX_QUANTITY):
        found.append(
            (
                "rate.package-size",
                f"free units {free!r} must be a whole number from zero to "
                f"prodlife.limits.MAX_QUANTITY ({MAX_QUANTITY:,})",
            )
        )
    elif free and rate.model is not RateModel.PACKAGE:
        found.append(
            (
                "rate.fields",
                f"a {rate.model.value} rate takes no free units ({free}); give free units to a "
                "package rate, or a first tier at price zero",
            )
        )
    found += _at_zero_findings(rate)
    currencies = sorted({amount.currency.code for amount in _amounts(rate)})
    if len(currencies) > 1:
        found.append(
            (
                "rate.currency",
                f"the rate mixes currencies {currencies}; give every price, fee and base "
                "amount in one currency",
            )
        )
    return found
