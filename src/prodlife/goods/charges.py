"""What goods attached to a service or job cost: one-time sales and recurring rentals.

Seed 004 sells or rents physical goods. An attachment (:class:`~prodlife.goods.Attachment`)
is priced from the price plan on its issue day:

* a **sale** is charged once: the plan's one-time row (:data:`~prodlife.cycles.ONE_TIME`)
  for the quantity issued;
* a **rental** is charged every cycle of the service, from the day it was issued to the
  day it came back (half-open: the return day is not rented): the plan's row for the
  service's cycle. A partial return ends the returned units' rental and leaves the rest
  running, at the unit price agreed on the issue day.

Each :class:`GoodCharge` carries what a billing engine needs (the good, the quantity,
the unit price, sale or rental, the cycle, the rental's start and end days) and exact
amounts; invoicing and rounding them is the engine's job. The unit price is the row's
charge for the quantity issued divided by it (the row's price for a per-unit rate).

====================  ===================================================================
rule                  condition
====================  ===================================================================
``goods.cycle``       a rental is priced on the service's recurring cycle
``goods.currency``    a unit price given by hand is in the plan's currency
====================  ===================================================================

>>> from datetime import date
>>> from prodlife import MONTHLY, ONE_TIME, Money
>>> from prodlife.goods import Attachment, Holder, Ownership, Returned
>>> from prodlife.pricing import PlanRate, PricePlan, Rate
>>> plan = PricePlan("STD", "Standard", "EUR", [
...     PlanRate("MODEM", ONE_TIME, Rate.per_unit(Money("120.00", "EUR"))),
...     PlanRate("MODEM", MONTHLY, Rate.per_unit(Money("5.00", "EUR")))])
>>> service = Holder.service("S-1", "C-1")
>>> rented = Attachment(service, "MODEM", Ownership.RENTAL, 3, date(2025, 3, 1), 2,
...     ("SN-1", "SN-2"), (Returned(date(2025, 5, 1), 1, ("SN-1",), 4),))
>>> for charge in price_attachment(rented, plan, MONTHLY):
...     print(charge.describe())
rental of 1 x MODEM [SN-1] at EUR 5.00 monthly = EUR 5.00, from 2025-03-01 to 2025-05-01
rental of 1 x MODEM [SN-2] at EUR 5.00 monthly = EUR 5.00, from 2025-03-01
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import attrs

from prodlife.cycles import ONE_TIME, BillingCycle
from prodlife.errors import RuleViolation
from prodlife.goods.attachments import Attachment
from prodlife.goods.movements import Holder, Ownership
from prodlife.goods.stock import Stock
from prodlife.money import Money
from prodlife.pricing.plans import PricePlan

__all__ = ["GoodCharge", "good_charges", "price_attachment"]


@attrs.frozen(slots=True)
class GoodCharge:
    """A charge for goods issued to a service or job, for a billing engine to invoice.

    Attributes:
        ownership: sale (charged once) or rental (charged every ``cycle``).
        holder: the service or job charged.
        product_code: the good.
        quantity: how many units.
        unit_price: the price of one unit, once (sale) or per cycle (rental); exact.
        amount: ``unit_price * quantity``, exact.
        cycle: :data:`~prodlife.cycles.ONE_TIME` for a sale, the service's cycle for a rental.
        start: the issue day.
        end: for a rental, the day the units came back (not rented that day), or ``None``
            while they are still rented; ``None`` for a sale.
        serials: the units' serial numbers, for a traceable good.
        sequence: the issue movement's sequence; with ``product_code`` it names the
            attachment, so an engine can tell a charge it has already invoiced.
        plan_code: the price plan it was priced from.
    """

    ownership: Ownership
    holder: Holder
    product_code: str
    quantity: int
    unit_price: Money
    amount: Money
    cycle: BillingCycle
    start: date
    end: date | None
    serials: tuple[str, ...]
    sequence: int
    plan_code: str

    @property
    def is_rental(self) -> bool:
        """Whether it is a recurring rental charge."""
        return self.ownership is Ownership.RENTAL

    def describe(self) -> str:
        """The charge in words, e.g. ``sale of 2 x HDMI at EUR 9.90 = EUR 19.80 on 2025-03-01``."""
        units = f" [{', '.join(self.serials)}]" if self.serials else ""
        text = f"{self.ownership.value} of {self.quantity} x {self.product_code}{units}"
        text += f" at {self.unit_price}"
        if not self.is_rental:
            return f"{text} = {self.amount} on {self.start}"
        text += f" {self.cycle} = {self.amount}, from {self.start}"
        return text if self.end is None else f"{text} to {self.end}"


def price_attachment(
    attachment: Attachment,
    plan: PricePlan,
    cycle: BillingCycle | None = None,
    *,
    unit_price: Money | None = None,
) -> tuple[GoodCharge, ...]:
    """The charges of one attachment: one for a sale; one per return, and the rest, for a rental.

    Args:
        attachment: the goods issued.
        plan: the price plan; the good's row on the issue day.
        cycle: the service's billing cycle (needed for a rental).
        unit_price: a unit price set by hand instead of the plan's.

    Raises:
        NotFound: the plan does not price the good on that cycle that day.
        RuleViolation: a rental without a recurring cycle (``goods.cycle``), a unit
            price in another currency (``goods.currency``).
    """
    a = attachment
    rental = a.ownership is Ownership.RENTAL
    if rental and (cycle is None or not cycle.is_recurring):
        message = (
            f"{a.product_code} is rented to {a.holder}: price it on the service's recurring "
            f"cycle, not {cycle}; pass the service's cycle"
        )
        raise RuleViolation("goods.cycle", message, a.product_code)
    on_cycle = cycle if rental and cycle is not None else ONE_TIME
    if unit_price is not None:
        if unit_price.currency != plan.currency:
            message = (
                f"unit price {unit_price} for {a.product_code} is not in {plan.currency}, the "
                f"currency of price plan {plan.code!r}; give it in {plan.currency}"
            )
            raise RuleViolation("goods.currency", message, a.product_code)
        price = unit_price
    else:
        price = plan.rate_for(a.product_code, on_cycle, a.start).charge(a.quantity).total
        price = price / a.quantity

    def charge(quantity: int, serials: tuple[str, ...], end: date | None) -> GoodCharge:
        return GoodCharge(
            a.ownership, a.holder, a.product_code, quantity, price, price * quantity,
            on_cycle, a.start, end, serials, a.sequence, plan.code,
        )  # fmt: skip

    if not rental:
        return (charge(a.quantity, a.serials, None),)
    found = [charge(r.quantity, r.serials, r.on) for r in a.returns]
    if a.remaining:
        found.append(charge(a.remaining, a.held_serials, None))
    return tuple(found)


def good_charges(
    stock: Stock,
    holder: Holder,
    plan: PricePlan,
    cycle: BillingCycle | None = None,
    *,
    unit_prices: Mapping[tuple[str, int], Money] | None = None,
) -> tuple[GoodCharge, ...]:
    """The charges of every good issued to ``holder``, by product then issue.

    Args:
        stock: the stock ledger.
        holder: the service or job.
        plan: the price plan.
        cycle: the service's billing cycle (needed when it rents goods).
        unit_prices: unit prices set by hand, by ``(product code, issue sequence)``.

    Raises:
        NotFound: the plan does not price a good on its cycle on its issue day.
        RuleViolation: see :func:`price_attachment`.
    """
    prices = unit_prices or {}
    return tuple(
        charge
        for a in stock.attachments(holder)
        for charge in price_attachment(
            a, plan, cycle, unit_price=prices.get((a.product_code, a.sequence))
        )
    )
