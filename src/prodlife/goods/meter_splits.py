"""A meter's consumption split where its service changed customer.

A service transferred to another customer keeps its id, and its installed goods
pass to it under the new customer (:func:`~prodlife.goods.transfer_holdings`),
so a meter goes on at the same service. What it counted up to the transfer is
the old customer's; invoices are not transferred between customers (seed 003),
so the old customer's part must be a usage record of its own.
:func:`~prodlife.goods.read_meter` is told the service's changes of customer
(:class:`OwnerChange`, from its history) and, for a reading whose span since the
meter's previous reading contains a transfer, records an *estimated reading*
at the transfer: the meter's value then, interpolated in proportion to time
between the two real readings and rounded to their resolution. The old
customer is charged up to it, the new customer from it, and the parts add up
to the meter's whole advance. A reading taken at the transfer (a final
reading, recorded before the transfer) leaves nothing to estimate; a reading
taken before the transfer is the old customer's even when it is recorded
after it.

==================  ================================================================
rule                condition
==================  ================================================================
``meter.transfer``  read_meter is told every transfer the unit's stock history holds
                    since the meter's previous reading, and the changes it is told
                    end with the customer the unit is issued to
==================  ================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import attrs

from prodlife.catalog._findings import check_code, raise_first
from prodlife.clock import as_utc
from prodlife.errors import RuleViolation
from prodlife.goods.movements import Holder, MovementKind
from prodlife.goods.stock import Stock
from prodlife.money import CONTEXT
from prodlife.pricing.meters import MeterReadingType

__all__ = ["OwnerChange", "TransferMismatch"]

_MICROSECOND = timedelta(microseconds=1)


@attrs.frozen(slots=True)
class OwnerChange:
    """A service passed from one customer to another (a transfer, seed 003).

    Args:
        at: when, an aware datetime (kept in UTC): the transfer's instant in the
            service's history.
        from_customer: the customer it belonged to until then.
        to_customer: the customer it belongs to from then on.

    Raises:
        InvalidInstant: ``at`` is naive.
        RuleViolation: a malformed customer id, or both are the same
            (``meter.transfer``).
    """

    at: datetime = attrs.field(converter=as_utc)
    from_customer: str
    to_customer: str

    def __attrs_post_init__(self) -> None:
        found = check_code(self.from_customer, "customer")
        found += check_code(self.to_customer, "customer")
        raise_first(found, str(self.to_customer))
        if self.from_customer == self.to_customer:
            message = f"a transfer passes a service to another customer, not {self.to_customer}"
            raise RuleViolation("meter.transfer", f"{message} again", self.to_customer)


class TransferMismatch(RuleViolation):
    """The changes of customer given to read_meter do not match the unit's (``meter.transfer``).

    Attributes:
        meter: the meter's ``(product code, serial, reading type)``.
    """

    def __init__(self, meter: tuple[str, str, str], message: str) -> None:
        self.meter = meter
        super().__init__("meter.transfer", message, meter[1])


def check_transfers(
    stock: Stock,
    meter: tuple[str, str, str],
    holder: Holder,
    since: datetime,
    transfers: Sequence[OwnerChange],
) -> None:
    """Refuse ``transfers`` unless they account for the unit's changes of customer.

    Every transfer movement of the unit dated on or after ``since``'s UTC day must be
    among ``transfers`` (the same customers), and ``transfers``, in time order, must
    chain from one customer to the next and end with ``holder``'s.

    Raises:
        TransferMismatch: they do not.
    """
    product, serial, _ = meter
    told = {(c.from_customer, c.to_customer) for c in transfers}
    for m in stock.unit(product, serial).history:
        if m.kind is not MovementKind.TRANSFER or m.on < since.date() or m.holder is None:
            continue
        old = "?" if m.from_holder is None else m.from_holder.customer_id
        if (old, m.holder.customer_id) not in told:
            raise TransferMismatch(
                meter,
                f"meter {' '.join(meter)} passed from customer {old} to "
                f"{m.holder.customer_id} with service {m.holder.id} on {m.on.isoformat()}, "
                f"after its reading at {since.isoformat()}; give read_meter that transfer "
                "(transfers=[OwnerChange(at, old, new)], its instant from the service's "
                "history) so the consumption is split at it",
            )
    for before, after in pairwise(transfers):
        if before.to_customer != after.from_customer:
            raise TransferMismatch(
                meter,
                f"the transfers given pass service {holder.id} to {before.to_customer}, "
                f"then from {after.from_customer}; give them all, in time order",
            )
    if transfers and transfers[-1].to_customer != holder.customer_id:
        raise TransferMismatch(
            meter,
            f"the transfers given end with customer {transfers[-1].to_customer}, but service "
            f"{holder.id} belongs to {holder.customer_id}; give the service's own transfers",
        )


def owner_until(transfers: Sequence[OwnerChange], at: datetime, holder: Holder) -> str:
    """The customer the service belonged to just before ``at``."""
    return next((c.from_customer for c in transfers if c.at >= at), holder.customer_id)


def _quantum(*values: Decimal) -> Decimal:
    """The finest resolution of ``values``: ``1`` for whole readings, ``0.1`` for tenths."""
    exponents = [e for v in values if isinstance(e := v.as_tuple().exponent, int)]
    return Decimal(1).scaleb(min([0, *exponents]))


def estimated_values(
    previous: tuple[datetime, Decimal],
    reading: tuple[datetime, Decimal],
    reading_type: MeterReadingType,
    cuts: Iterable[datetime],
) -> list[tuple[datetime, Decimal]]:
    """The meter's value at each instant of ``cuts`` (between the two ``(at, value)``
    readings, in order),
    interpolated in proportion to time, rounded half up to the readings' resolution;
    an instant where the estimate has not moved since the one before is left out.

    Raises:
        RuleViolation: a bad reading (:meth:`MeterReadingType.delta`).
    """
    (start, before), (end, after) = previous, reading
    delta = reading_type.delta(before, after)
    span = (end - start) // _MICROSECOND
    quantum, done = _quantum(before, after), Decimal(0)
    found: list[tuple[datetime, Decimal]] = []
    for at in cuts:
        elapsed = Decimal((at - start) // _MICROSECOND)
        share = CONTEXT.divide(CONTEXT.multiply(delta, elapsed), Decimal(span))
        share = share.quantize(quantum, rounding=ROUND_HALF_UP, context=CONTEXT)
        if share == done:
            continue
        value = CONTEXT.add(before, share)
        if reading_type.rollover is not None and value >= reading_type.rollover:
            value = CONTEXT.subtract(value, reading_type.rollover)
        found.append((at, value))
        done = share
    return found
