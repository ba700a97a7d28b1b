"""Configurable options: extra disk, more users... priced per billing cycle.

A :class:`ConfigurableOption` is a choice a customer makes when ordering a
product (seed 003): its :class:`OptionChoice` s each have their own price per
billing cycle. Unlike add-ons, options follow the billing cycle of the service
they configure, and their prices are added to the service's recurring price
(the quote step sums them). A quantity-based option (extra GB of disk, extra
users) charges its choice's price per unit.

=====================  ================================================================
rule                   condition
=====================  ================================================================
``option.name``        an option and each of its choices has a name
``option.choices``     an option has at least one choice, with codes unique within it
``option.prices``      a choice has a price for at least one cycle, at most one per
                       cycle, each a Money of zero or more
``option.currency``    every price of an option is in one currency
``option.applies-to``  an option names at least one product it applies to
``option.product``     an option is used only on a product it applies to
``option.quantity``    a quantity is a whole number of zero or more (at most
                       :data:`~prodlife.limits.MAX_QUANTITY`) for a
                       quantity-based option, and 1 for any other
=====================  ================================================================

>>> from prodlife import ANNUAL, MONTHLY, Money
>>> gigabyte = OptionChoice(
...     "GB", "1 GB", {MONTHLY: Money("0.50", "USD"), ANNUAL: Money("5.00", "USD")}
... )
>>> disk = ConfigurableOption(
...     "DISK", "Extra disk", (gigabyte,), applies_to={"VPS-S", "VPS-M"}, quantity_based=True
... )
>>> option_price(disk, "GB", MONTHLY, quantity=20)
Money('10.00', 'USD')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._findings import Finding, check_code, frozen_codes, raise_first
from prodlife.catalog._findings import is_a as _is
from prodlife.cycles import BillingCycle
from prodlife.errors import NotFound, RuleViolation, ValidationError
from prodlife.limits import MAX_QUANTITY
from prodlife.money import Money
from prodlife.pricing._cycle_order import cycle_order

__all__ = [
    "ConfigurableOption",
    "OptionChoice",
    "check_configurable_option",
    "check_option_choice",
    "check_option_for",
    "option_price",
]

CyclePrices = tuple[tuple[BillingCycle, Money], ...]


def _prices(
    values: Mapping[BillingCycle, Money] | Iterable[tuple[BillingCycle, Money]],
) -> CyclePrices:
    pairs: list[Any] = (
        list(values.items()) if isinstance(values, Mapping) else [tuple(p) for p in values]
    )
    if any(len(pair) != 2 for pair in pairs):
        raise RuleViolation(
            "option.prices",
            f"prices {values!r} must map billing cycles to prices, e.g. "
            "{MONTHLY: Money('1.00', 'USD')}, or be (cycle, price) pairs",
        )
    if all(_is(cycle, BillingCycle) for cycle, _ in pairs):
        pairs.sort(key=lambda pair: cycle_order(pair[0]))
    return tuple(pairs)


@attrs.frozen(slots=True)
class OptionChoice:
    """One choice of a configurable option, with its price per billing cycle.

    Args:
        code: the choice's code, unique within its option.
        name: its display name.
        prices: its price for each cycle it can be ordered on: a mapping
            ``{cycle: price}`` or ``(cycle, price)`` pairs; kept as pairs
            sorted by :func:`~prodlife.pricing.plans.cycle_order`. A free
            choice has prices of zero.

    Raises:
        RuleViolation: a rule of the module's table is broken.
    """

    code: str
    name: str
    prices: CyclePrices = attrs.field(converter=_prices)

    def __attrs_post_init__(self) -> None:
        raise_first(check_option_choice(self), self.code)

    def price_for(self, cycle: BillingCycle) -> Money | None:
        """Its price on ``cycle``, or ``None`` when it has none."""
        return next((price for each, price in self.prices if each == cycle), None)

    @property
    def cycles(self) -> tuple[BillingCycle, ...]:
        """The cycles it has a price for, recurring shortest first."""
        return tuple(cycle for cycle, _ in self.prices)


def check_option_choice(choice: OptionChoice) -> list[Finding]:
    """Every rule ``choice`` breaks on its own."""
    found = check_code(choice.code, "option choice")
    if not isinstance(choice.name, str) or not choice.name.strip():
        found.append(("option.name", "an option choice needs a name; give it one"))
    if not choice.prices:
        found.append(
            (
                "option.prices",
                "it has no price; give one per billing cycle it can be ordered on, e.g. "
                "{MONTHLY: Money('1.00', 'USD')} (zero for a free choice)",
            )
        )
    cycles = [cycle for cycle, _ in choice.prices]
    for cycle, price in choice.prices:
        if not _is(cycle, BillingCycle):
            found.append(("option.prices", f"cycle {cycle!r} must be a BillingCycle"))
        if not isinstance(price, Money) or price.amount < 0:
            found.append(
                ("option.prices", f"price {price!r} for {cycle} must be a Money of zero or more")
            )
    duplicates = sorted({str(cycle) for cycle in cycles if cycles.count(cycle) > 1})
    if duplicates:
        found.append(("option.prices", f"cycles {duplicates} are priced twice; keep one price"))
    currencies = sorted({p.currency.code for _, p in choice.prices if isinstance(p, Money)})
    if len(currencies) > 1:
        found.append(
            ("option.currency", f"its prices mix currencies {currencies}; use one currency")
        )
    return [(rule, f"option choice {choice.code!r}: {message}") for rule, message in found]


def _choices(values: Iterable[OptionChoice]) -> tuple[OptionChoice, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class ConfigurableOption:
    """An option a customer configures on a product, with priced choices.

    Args:
        code: the option's code.
        name: its display name.
        choices: the choices, in display order.
        applies_to: the codes of the products it can configure (one code or several).
        quantity_based: whether the customer orders a quantity of the chosen
            choice (extra GB, users), charged per unit.

    Raises:
        RuleViolation: a rule of the module's table is broken.
    """

    code: str
    name: str
    choices: tuple[OptionChoice, ...] = attrs.field(converter=_choices)
    applies_to: frozenset[str] = attrs.field(converter=frozen_codes)
    quantity_based: bool = False

    def __attrs_post_init__(self) -> None:
        raise_first(check_configurable_option(self), self.code)

    def choice(self, code: str) -> OptionChoice:
        """The choice ``code``.

        Raises:
            NotFound: the option has no such choice; the message lists them.
        """
        for choice in self.choices:
            if choice.code == code:
                return choice
        codes = [choice.code for choice in self.choices]
        raise NotFound(
            "option choice", code, f"option {self.code!r} has choices {codes}; pick one of those"
        )


def check_configurable_option(option: ConfigurableOption) -> list[Finding]:
    """Every rule ``option`` breaks on its own (its choices check themselves)."""
    found = check_code(option.code, "option")
    if not isinstance(option.name, str) or not option.name.strip():
        found.append(("option.name", "an option needs a name; give it one"))
    if not option.choices:
        found.append(("option.choices", "it has no choice; give it at least one"))
    if not all(_is(choice, OptionChoice) for choice in option.choices):
        found.append(("option.choices", "every choice must be an OptionChoice"))
        return [(rule, f"option {option.code!r}: {message}") for rule, message in found]
    codes = [choice.code for choice in option.choices]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        found.append(("option.choices", f"choices {duplicates} are defined twice"))
    if not option.applies_to:
        found.append(
            (
                "option.applies-to",
                "it applies to no product; list the products it configures, "
                "e.g. applies_to={'VPS-S'}",
            )
        )
    for product in sorted(option.applies_to, key=str):
        found += check_code(product, "product")
    currencies = sorted(
        {price.currency.code for choice in option.choices for _, price in choice.prices}
    )
    if len(currencies) > 1:
        found.append(
            (
                "option.currency",
                f"its choices are priced in {currencies}; price every choice in one currency "
                "(one option per currency)",
            )
        )
    return [(rule, f"option {option.code!r}: {message}") for rule, message in found]


def check_option_for(option: ConfigurableOption, product_code: str) -> None:
    """Refuse ``option`` on a product it does not apply to.

    Raises:
        RuleViolation: ``product_code`` is not one of ``option.applies_to``
            (rule ``option.product``).
        ValidationError: ``option`` is not a ConfigurableOption.
    """
    if not isinstance(option, ConfigurableOption):
        raise ValidationError(f"option {option!r} must be a ConfigurableOption")
    if product_code not in option.applies_to:
        raise RuleViolation(
            "option.product",
            f"option {option.code!r} does not configure {product_code!r}; it applies to "
            f"{sorted(option.applies_to)}, so pick one of those or add {product_code!r} to them",
            option.code,
        )


def option_price(
    option: ConfigurableOption, choice_code: str, cycle: BillingCycle, quantity: int = 1
) -> Money:
    """The price per ``cycle`` of ``quantity`` of choice ``choice_code`` (exact, unrounded).

    Args:
        option: the option.
        choice_code: the chosen choice.
        cycle: the billing cycle of the service it configures.
        quantity: how many units, for a quantity-based option (zero or more);
            always 1 for any other.

    Returns:
        The choice's price on ``cycle`` times ``quantity``, to be added to
        the service's recurring price.

    Raises:
        NotFound: the option has no such choice, or the choice has no price
            on ``cycle`` (the message lists the cycles it is priced on).
        RuleViolation: the quantity breaks rule ``option.quantity`` (a whole
            number from 0 to :data:`~prodlife.limits.MAX_QUANTITY`).
        ValidationError: ``option`` is not a ConfigurableOption.
        InvalidAmount: the price is beyond :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.

    >>> from prodlife import MONTHLY, QUARTERLY, Money
    >>> ips = ConfigurableOption(
    ...     "IPS", "IP addresses", (OptionChoice("1", "1 IP", {MONTHLY: Money("2", "EUR")}),), "VPS"
    ... )
    >>> option_price(ips, "1", QUARTERLY)
    Traceback (most recent call last):
    ...
    prodlife.errors.NotFound: no option price 'IPS/1, quarterly'; choice '1' of option 'IPS' is
    priced only on monthly; order it on one of those cycles or add a price for quarterly
    """
    if not isinstance(option, ConfigurableOption):
        raise ValidationError(f"option {option!r} must be a ConfigurableOption")
    if not is_whole(quantity, 0):
        raise RuleViolation(
            "option.quantity",
            f"quantity {quantity!r} of option {option.code!r} must be a whole number of zero "
            "or more",
            option.code,
        )
    if quantity > MAX_QUANTITY:
        raise RuleViolation(
            "option.quantity",
            f"quantity {quantity} of option {option.code!r} is more than {MAX_QUANTITY:,}, "
            "beyond prodlife.limits.MAX_QUANTITY; check where it comes from",
            option.code,
        )
    if not option.quantity_based and quantity != 1:
        raise RuleViolation(
            "option.quantity",
            f"option {option.code!r} is not quantity-based, so its quantity is 1, not "
            f"{quantity}; make it quantity-based to order several",
            option.code,
        )
    choice = option.choice(choice_code)
    price = choice.price_for(cycle)
    if price is None:
        priced = ", ".join(str(each) for each in choice.cycles)
        raise NotFound(
            "option price",
            f"{option.code}/{choice.code}, {cycle}",
            f"choice {choice.code!r} of option {option.code!r} is priced only on {priced}; "
            f"order it on one of those cycles or add a price for {cycle}",
        )
    return price * quantity
