"""Stock balances: on hand, reserved and available, per warehouse or in total.

For every product and warehouse, a :class:`Balance` counts what the movements
left there: **on hand** is receipts minus issues plus returns minus write-offs;
**reserved** is what reservations set aside for services and jobs and issues
have not yet taken; **available** is on hand minus reserved, what can still be
promised. A warehouse that does not allow negative balances refuses a movement
that would leave less than nothing on hand or available
(:class:`InsufficientStock`).

>>> Balance(on_hand=10, reserved=3)
Balance(on_hand=10, reserved=3)
>>> Balance(10, 3).available, Balance(10, 3) + Balance(2, 0)
(7, Balance(on_hand=12, reserved=3))
"""

from __future__ import annotations

import attrs

from prodlife.errors import RuleViolation

__all__ = ["Balance", "InsufficientStock"]


@attrs.frozen(slots=True)
class Balance:
    """What a warehouse (or all of them) holds of one product.

    Attributes:
        on_hand: units physically there, reserved or not (negative only where
            the warehouse allows it).
        reserved: units set aside for services and jobs, not yet issued.
    """

    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        """Units that can still be reserved or issued: on hand minus reserved."""
        return self.on_hand - self.reserved

    def __add__(self, other: Balance) -> Balance:
        return Balance(self.on_hand + other.on_hand, self.reserved + other.reserved)


class InsufficientStock(RuleViolation):
    """A movement would leave a warehouse with less than nothing (rule ``goods.negative``).

    Attributes:
        product_code: the product.
        warehouse: the warehouse's code.
        balance: its balance before the movement.
        wanted: how many units the movement takes.
    """

    def __init__(
        self, product_code: str, warehouse: str, balance: Balance, wanted: int, what: str
    ) -> None:
        self.product_code = product_code
        self.warehouse = warehouse
        self.balance = balance
        self.wanted = wanted
        message = (
            f"cannot {what} {wanted} x {product_code} in warehouse {warehouse!r}: it has "
            f"{balance.on_hand} on hand, {balance.reserved} reserved, {balance.available} "
            "available; receive more first, use another warehouse, or let this one go negative"
        )
        super().__init__("goods.negative", message, product_code)
