"""Traceable units: one serial number, one place at a time, and the whole history.

A traceable good (seed 004: "traced through a unique identifier, usually a
serial number") is stocked unit by unit. Each unit of a product has a serial
number no other unit of that product has, and is in exactly one state
(:class:`UnitStatus`): in a warehouse's stock (reserved for a holder or not),
issued to one service or job, written off, or inside a kit. So a unit is never
issued to two services at once: issuing it again is refused until it comes
back. A kit (a fixed traceable bundle, seed 004's installation kit) is a unit
of the bundle product with its own serial number; it knows its traceable
components' serial numbers, and those component units move only with it.

:class:`Unit` is what :meth:`~prodlife.goods.Stock.unit` tells about one unit,
with every movement that moved it.
"""

from __future__ import annotations

import enum

import attrs

from prodlife.errors import RuleViolation
from prodlife.goods.movements import ComponentSerials, Holder, Movement, Ownership

__all__ = ["SerialConflict", "Unit", "UnitStatus"]


class UnitStatus(enum.Enum):
    """Where a traceable unit is."""

    #: In a warehouse, free to reserve, issue or write off.
    IN_STOCK = "in stock"
    #: In a warehouse, set aside for one holder: only that holder can be issued it.
    RESERVED = "reserved"
    #: At a customer's service or job (sold or rented).
    ISSUED = "issued"
    #: Lost, broken or scrapped; it never moves again.
    WRITTEN_OFF = "written off"
    #: A component of a kit; it moves with the kit, never alone.
    IN_KIT = "in kit"


@attrs.frozen(slots=True)
class Unit:
    """One traceable unit: where it is now, and every movement that moved it.

    Attributes:
        product_code: its product.
        serial: its serial number.
        status: where it is.
        warehouse: the warehouse it is in (in stock or reserved), or was last in.
        holder: the service or job it is reserved for or issued to; ``None`` otherwise.
        ownership: sold or rented, while issued.
        kit: for a component inside a kit, the kit's ``(product code, serial)``.
        components: for a kit, its traceable components' serial numbers.
        history: the movements that moved it (for a component, its kit's), oldest first.
    """

    product_code: str
    serial: str
    status: UnitStatus
    warehouse: str | None
    holder: Holder | None
    ownership: Ownership | None
    kit: tuple[str, str] | None
    components: tuple[ComponentSerials, ...]
    history: tuple[Movement, ...]

    def describe(self) -> str:
        """Where the unit is, in words, e.g. ``MODEM SN-1 issued to service S-1 (rental)``."""
        text = f"{self.product_code} {self.serial} {self.status.value}"
        if self.status is UnitStatus.ISSUED and self.ownership is not None:
            return f"{text} to {self.holder} ({self.ownership.value})"
        if self.status is UnitStatus.RESERVED:
            return f"{text} in {self.warehouse} for {self.holder}"
        if self.status is UnitStatus.IN_STOCK:
            return f"{text} in {self.warehouse}"
        if self.status is UnitStatus.IN_KIT and self.kit is not None:
            return f"{text} {self.kit[0]} {self.kit[1]}"
        return text


class SerialConflict(RuleViolation):
    """A movement names a unit that is not where the movement needs it.

    Raised for a serial number received twice (rule ``goods.serial-exists``), one
    never received (``goods.serial-unknown``), a unit in another state, warehouse
    or holder than the movement needs (``goods.serial-state``), and a kit's
    component moved alone (``goods.in-kit``).

    Attributes:
        product_code: the unit's product.
        serial: its serial number.
    """

    def __init__(self, rule: str, product_code: str, serial: str, message: str) -> None:
        self.product_code = product_code
        self.serial = serial
        super().__init__(rule, message, f"{product_code} {serial}")
