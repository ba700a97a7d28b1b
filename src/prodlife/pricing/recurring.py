"""A service's recurring price: the list price, or a custom override, and recalculation.

Seed 003: an order line may override the price; after a change of product,
options, cycle or promotion, "auto recalculate on save" recomputes the
recurring price from the list price, while leaving it off keeps a custom price.
"""

from __future__ import annotations

import attrs

from prodlife.errors import RuleViolation
from prodlife.money import Money

__all__ = ["RecurringPrice"]


def _check_amount(amount: object, what: str) -> None:
    if not isinstance(amount, Money) or amount.amount < 0:
        raise RuleViolation(
            "recurring.amount",
            f"{what} {amount!r} must be a Money of zero or more; use a promotion or discount "
            "for reductions",
        )


@attrs.frozen(slots=True)
class RecurringPrice:
    """What a service is charged every cycle, and whether that is a custom price.

    Args:
        amount: the price per cycle (exact, before taxes).
        override: ``True`` when the amount was set by hand (seed 003's price
            override, or an edited amount) rather than taken from the list
            price (price plan rate plus options, less promotion).

    Raises:
        RuleViolation: the amount is not a Money of zero or more (rule
            ``recurring.amount``).

    >>> from prodlife import Money
    >>> price = RecurringPrice.at_order(Money("10.00", "USD"), override=Money("8.00", "USD"))
    >>> price.recalculate(Money("20.00", "USD"), auto_recalculate=False)
    RecurringPrice(amount=Money('8.00', 'USD'), override=True)
    >>> price.recalculate(Money("20.00", "USD"), auto_recalculate=True)
    RecurringPrice(amount=Money('20.00', 'USD'), override=False)
    """

    amount: Money
    override: bool

    def __attrs_post_init__(self) -> None:
        _check_amount(self.amount, "recurring price")

    @classmethod
    def at_order(cls, list_price: Money, override: Money | None = None) -> RecurringPrice:
        """The recurring price a new service starts with (seed 003's order form).

        Args:
            list_price: the price from the price plan (plus options, less
                promotion) for the ordered cycle.
            override: a price typed in to replace it ("price override"); ``None``
                to charge the list price.

        Raises:
            RuleViolation: a price is not a Money of zero or more, or the
                override is in another currency (rule ``recurring.amount``).
        """
        _check_amount(list_price, "list price")
        if override is None:
            return cls(list_price, override=False)
        _check_amount(override, "price override")
        _same_currency(list_price, override, "price override")
        return cls(override, override=True)

    def with_override(self, amount: Money) -> RecurringPrice:
        """This service's price set by hand to ``amount`` (a custom price).

        Raises:
            RuleViolation: the amount is negative or in another currency.
        """
        _check_amount(amount, "custom price")
        _same_currency(self.amount, amount, "custom price")
        return RecurringPrice(amount, override=True)

    def recalculate(self, new_list_price: Money, auto_recalculate: bool) -> RecurringPrice:
        """The recurring price after the service's product, options, cycle or promotion changed.

        This is seed 003's "auto recalculate on save" checkbox:

        - ``auto_recalculate=True`` (box ticked): the price becomes
          ``new_list_price`` and is no longer an override. A custom price is
          discarded: ticking the box is how staff ask for the list price again
          (seed 003's manual upgrade: change the product, tick the box, save).
        - ``auto_recalculate=False`` (the default on the form): the stored
          price is kept unchanged, custom or not, and so is its ``override``
          flag. Seed 003 leaves the box off by default precisely so that
          discounts and custom prices are not overwritten.

        Args:
            new_list_price: the list price for the service as changed: the
                rate of its (new) product, edition and cycle plus its options,
                less its promotion; computed by the caller.
            auto_recalculate: whether the box is ticked.

        Returns:
            The price to store; ``self`` when nothing changes.

        Raises:
            RuleViolation: ``new_list_price`` is negative or in another
                currency than the stored price (rule ``recurring.amount``);
                checked whether or not the box is ticked.
        """
        _check_amount(new_list_price, "new list price")
        _same_currency(self.amount, new_list_price, "new list price")
        if not auto_recalculate:
            return self
        return RecurringPrice(new_list_price, override=False)


def _same_currency(current: Money, new: Money, what: str) -> None:
    if new.currency != current.currency:
        raise RuleViolation(
            "recurring.amount",
            f"{what} {new} is not in {current.currency} like the price {current}; convert it "
            "to that currency first",
        )
