"""Attachments: goods issued to a service or job, sold or rented, and what came back.

Every issue of goods to a holder is an :class:`Attachment`: which product, how
many (and which serial numbers), sold or rented, from which day. Returns close
it, whole or in part (:class:`Returned`). A return of a non-traceable good
closes the holder's rentals of the product first, oldest first, then its sales;
a traceable unit's return closes the attachment that issued it.

A rental runs from its issue to its return: its charge is recurring, on the
service's cycle, and it is returned when the service is cancelled. A sale
passes ownership; it is charged once (see :mod:`prodlife.goods.charges`).
"""

from __future__ import annotations

from datetime import date

import attrs

from prodlife.goods.movements import Holder, Ownership

__all__ = ["Attachment", "Returned"]


@attrs.frozen(slots=True)
class Returned:
    """Part of an attachment that came back.

    Attributes:
        on: the day it came back.
        quantity: how many units.
        serials: which units, for a traceable good.
        sequence: the return movement's sequence.
    """

    on: date
    quantity: int
    serials: tuple[str, ...]
    sequence: int


@attrs.frozen(slots=True)
class Attachment:
    """Goods issued to a service or job by one issue movement.

    Attributes:
        holder: the service or job.
        product_code: the good.
        ownership: sold or rented.
        sequence: the issue movement's sequence (with ``product_code``, the
            attachment's key).
        start: the day it was issued.
        quantity: how many units were issued.
        serials: which units, for a traceable good.
        returns: what came back, oldest first.
    """

    holder: Holder
    product_code: str
    ownership: Ownership
    sequence: int
    start: date
    quantity: int
    serials: tuple[str, ...]
    returns: tuple[Returned, ...] = ()

    @property
    def remaining(self) -> int:
        """How many units the holder still has."""
        return self.quantity - sum(r.quantity for r in self.returns)

    @property
    def held_serials(self) -> tuple[str, ...]:
        """The serial numbers the holder still has."""
        back = {s for r in self.returns for s in r.serials}
        return tuple(s for s in self.serials if s not in back)

    @property
    def end(self) -> date | None:
        """The day the last unit came back, or ``None`` while the holder has some."""
        return self.returns[-1].on if self.returns and not self.remaining else None
