"""The memory store's physical goods (:class:`prodlife.ports.GoodsRepository`).

Warehouses, movements keyed on ``(product code, sequence)``, the serial numbers
receipts gave (the key that keeps them unique), and each meter's readings with
the usage records they gave; written through the unit of work's undo log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from prodlife.errors import AlreadyExists, ConcurrencyConflict, NotFound, ValidationError
from prodlife.goods.movements import Holder, Movement, Warehouse
from prodlife.goods.readings import DuplicateReading, MeterLog, MeterReading
from prodlife.pricing.usage import UsageRecord
from prodlife.stores._common import lookup_key, stored_key
from prodlife.stores._documents import check_document
from prodlife.stores._goods import movement_keys, new_serials, reading_keys

if TYPE_CHECKING:
    from prodlife.stores.memory import MemoryUnitOfWork

__all__ = ["GoodsState", "MemoryGoods"]

Meter = tuple[str, str, str]


@attrs.define(slots=True)
class GoodsState:
    """What the memory store keeps of physical goods."""

    warehouses: dict[str, Warehouse] = attrs.Factory(dict)
    movements: dict[tuple[str, int], Movement] = attrs.Factory(dict)
    serials: dict[tuple[str, str], tuple[str, int]] = attrs.Factory(dict)
    readings: dict[tuple[Meter, int], tuple[MeterReading, UsageRecord | None]] = attrs.Factory(dict)


@attrs.frozen(slots=True)
class MemoryGoods:
    """Physical goods in the memory store; see :class:`prodlife.ports.GoodsRepository`."""

    uow: MemoryUnitOfWork

    def _state(self) -> GoodsState:
        return self.uow.state().goods

    def add_warehouse(self, warehouse: Warehouse) -> None:
        """Store a new warehouse. Raises ``AlreadyExists``."""
        if not isinstance(warehouse, Warehouse):
            raise ValidationError(f"{warehouse!r} is not a Warehouse; pass one")
        stored_key(warehouse.code, "warehouse code")
        check_document(warehouse)
        table = self._state().warehouses
        if warehouse.code in table:
            raise AlreadyExists("warehouse", warehouse.code)
        self.uow.put(table, warehouse.code, warehouse)

    def replace_warehouse(self, warehouse: Warehouse) -> None:
        """Replace the stored warehouse with the same code. Raises ``NotFound``."""
        stored_key(warehouse.code, "warehouse code")
        check_document(warehouse)
        table = self._state().warehouses
        if warehouse.code not in table:
            raise NotFound("warehouse", warehouse.code)
        self.uow.put(table, warehouse.code, warehouse)

    def warehouses(self) -> list[Warehouse]:
        """Every warehouse, ordered by code."""
        table = self._state().warehouses
        return [table[code] for code in sorted(table)]

    def record(self, movement: Movement) -> None:
        """Append ``movement``. Raises ``ConcurrencyConflict`` when a key is taken."""
        movement_keys(movement)
        check_document(movement)
        state = self._state()
        key = (movement.product_code, movement.sequence)
        if key in state.movements:
            raise ConcurrencyConflict("stock of product", movement.product_code, movement.sequence)
        units = new_serials(movement)
        for unit in units:
            if unit in state.serials or units.count(unit) > 1:
                raise ConcurrencyConflict("serial number", " ".join(unit), movement.sequence)
        self.uow.writable()
        self.uow.put(state.movements, key, movement)
        for unit in units:
            self.uow.put(state.serials, unit, key)

    def movements(self, product_codes: Sequence[str]) -> list[Movement]:
        """Every movement of these products, by date, product code, then sequence."""
        wanted = {lookup_key(code, "product code") for code in product_codes}
        found = [m for (p, _), m in self._state().movements.items() if p in wanted]
        return sorted(found, key=lambda m: (m.on, m.product_code, m.sequence))

    def products_held(self, holder: Holder) -> list[str]:
        """The codes of the products whose movements name ``holder``, by code."""
        lookup_key(holder.id, "holder id")
        codes = {m.product_code for m in self._state().movements.values() if m.holder == holder}
        return sorted(codes)

    def add_reading(
        self, meter: Meter, position: int, reading: MeterReading, record: UsageRecord | None
    ) -> None:
        """Append reading number ``position`` of ``meter``. Raises ``DuplicateReading`` or
        ``ConcurrencyConflict``."""
        reading_keys(meter, position, reading, record)
        check_document(reading)
        if record is not None:
            check_document(record)
        readings = self._state().readings
        if any(m == meter and r.at == reading.at for (m, _), (r, _) in readings.items()):
            raise DuplicateReading(meter, reading.at)
        if (meter, position) in readings:
            raise ConcurrencyConflict("meter", " ".join(meter), position)
        self.uow.put(readings, (meter, position), (reading, record))

    def meter_log(self, product_code: str, serial: str, reading_type: str) -> MeterLog:
        """The meter's readings in time order."""
        meter = (product_code, serial, reading_type)
        for code in meter:
            lookup_key(code, "meter key")
        found = sorted((p, r) for (m, p), (r, _) in self._state().readings.items() if m == meter)
        return MeterLog(product_code, serial, reading_type, [r for _, r in found])

    def usage_records(self, customer_id: str) -> list[UsageRecord]:
        """The usage records the customer's readings gave, by reading time, then meter."""
        lookup_key(customer_id, "customer id")
        found = [
            (reading.at, meter, record)
            for (meter, _), (reading, record) in self._state().readings.items()
            if record is not None and record.customer_id == customer_id
        ]
        return [record for _, _, record in sorted(found, key=lambda item: item[:2])]
