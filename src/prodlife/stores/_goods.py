"""What every store checks of the physical goods it keeps (one place, for every store)."""

from __future__ import annotations

from prodlife._numbers import is_whole
from prodlife.errors import ValidationError
from prodlife.goods.movements import Movement, MovementKind
from prodlife.goods.readings import MeterReading
from prodlife.pricing.usage import UsageRecord
from prodlife.stores._common import stored_key

__all__ = ["movement_keys", "new_serials", "reading_keys"]


def new_serials(movement: Movement) -> list[tuple[str, str]]:
    """The ``(product code, serial)`` of every unit a receipt brings (a kit's components too)."""
    if movement.kind is not MovementKind.RECEIVE:
        return []
    found = [(movement.product_code, serial) for serial in movement.serials]
    for part in movement.components:
        found += [(part.product_code, serial) for serial in part.serials]
    return found


def reading_keys(
    meter: tuple[str, str, str], position: object, reading: MeterReading, record: UsageRecord | None
) -> None:
    """Refuse a meter reading to add unless ``position`` is a reading number a store may hold
    (a whole number, 0 up) and every code it names is one a store keeps."""
    if not is_whole(position):
        raise TypeError(f"reading position must be an int, not {type(position).__name__}")
    if position < 0:
        raise ValidationError(f"reading position {position} must be 0 or more")
    for code in meter:
        stored_key(code, "meter key")
    stored_key(reading.service_id, "service id")
    if record is not None:
        stored_key(record.customer_id, "customer id")


def movement_keys(movement: Movement) -> Movement:
    """``movement``, when every code it holds is one a store keeps (else ``ValidationError``)."""
    if not isinstance(movement, Movement):
        raise ValidationError(f"{movement!r} is not a Movement; pass one")
    stored_key(movement.product_code, "product code")
    stored_key(movement.warehouse, "warehouse code")
    for holder in (movement.holder, movement.from_holder):
        if holder is not None:
            stored_key(holder.id, f"{holder.kind.value} id")
    for product, serial in new_serials(movement):
        stored_key(product, "product code")
        stored_key(serial, "serial number")
    return movement
