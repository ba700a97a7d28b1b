"""The SQL stores' physical goods (:class:`prodlife.ports.GoodsRepository`).

Four tables (the second shared migration, :mod:`prodlife.stores.sql.schema`):
``goods_warehouses``; ``goods_movements``, keyed on ``(product_code, sequence)``
so that two writers recording a product's next movement cannot both succeed;
``goods_serials``, one row per unit a receipt brought, keyed on ``(product_code,
serial)``; and ``goods_readings``, keyed on the meter and the reading's number,
with a unique index on the meter and the reading time (a reading is never
stored twice). A refused write leaves nothing behind: the keys are looked up
first, and when a concurrent writer takes one in between (PostgreSQL), what the
call wrote is deleted again before it raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from prodlife.errors import AlreadyExists, ConcurrencyConflict, NotFound, ValidationError
from prodlife.goods.movements import Holder, Movement, Warehouse
from prodlife.goods.readings import DuplicateReading, MeterLog, MeterReading
from prodlife.pricing.usage import UsageRecord
from prodlife.stores._common import lookup_key, stored_key
from prodlife.stores._goods import movement_keys, new_serials, reading_keys
from prodlife.stores.sql.dialect import About
from prodlife.stores.sql.repositories import PerStore, chunks

if TYPE_CHECKING:
    from prodlife.stores.sql.dialect import Dialect
    from prodlife.stores.sql.unit_of_work import SQLUnitOfWork

__all__ = ["Goods", "GoodsStatements"]

_METER = "product_code = ? AND serial = ? AND reading_type = ?"


class GoodsStatements:
    """The goods' statements in one dialect (made once per store)."""

    def __init__(self, dialect: Dialect) -> None:
        r, ignore = dialect.render, dialect.ignore_duplicates
        self.dialect = dialect
        self.warehouse_add = r("INSERT INTO goods_warehouses (code, doc) VALUES (?, ?)" + ignore)
        self.warehouse_replace = r("UPDATE goods_warehouses SET doc = ? WHERE code = ?")
        self.warehouse_all = r("SELECT code, doc FROM goods_warehouses ORDER BY code")
        self.movement_add = r(
            "INSERT INTO goods_movements (product_code, sequence, on_day, holder_kind, "
            "holder_id, holder_customer, doc) VALUES (?, ?, ?, ?, ?, ?, ?)" + ignore
        )
        self.movement_drop = r(
            "DELETE FROM goods_movements WHERE product_code = ? AND sequence = ?"
        )
        self.held = r(
            "SELECT DISTINCT product_code FROM goods_movements WHERE holder_id = ? "
            "AND holder_kind = ? AND holder_customer = ? ORDER BY product_code"
        )
        self.serial_get = r("SELECT 1 FROM goods_serials WHERE product_code = ? AND serial = ?")
        self.serial_add = r(
            "INSERT INTO goods_serials (product_code, serial, movement_product, "
            "movement_sequence) VALUES (?, ?, ?, ?)" + ignore
        )
        self.serial_drop = r(
            "DELETE FROM goods_serials WHERE movement_product = ? AND movement_sequence = ?"
        )
        self.reading_add = r(
            "INSERT INTO goods_readings (product_code, serial, reading_type, reading_no, "
            "read_at, customer_id, doc, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)" + ignore
        )
        self.reading_at = r(f"SELECT 1 FROM goods_readings WHERE {_METER} AND read_at = ?")
        self.reading_no = r(f"SELECT 1 FROM goods_readings WHERE {_METER} AND reading_no = ?")
        self.reading_log = r(f"SELECT doc FROM goods_readings WHERE {_METER} ORDER BY reading_no")
        self.records = r(
            "SELECT record FROM goods_readings WHERE customer_id = ? AND record IS NOT NULL "
            "ORDER BY read_at, product_code, serial, reading_type"
        )

    def movements_of(self, count: int) -> str:
        """The movements of ``count`` products (one parameter list, :meth:`Dialect.in_values`)."""
        return "SELECT sequence, doc FROM goods_movements WHERE " + self.dialect.in_list(
            "product_code", "text", count
        )


#: The goods' statements of a unit of work's store, made on first use.
_statements = PerStore(GoodsStatements)


class Goods:
    """Physical goods; see :class:`prodlife.ports.GoodsRepository`."""

    __slots__ = ("_sql", "_uow")

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow
        self._sql = _statements(uow)

    # --- warehouses ------------------------------------------------------------------------

    def add_warehouse(self, warehouse: Warehouse) -> None:
        """Store a new warehouse. Raises ``AlreadyExists``."""
        if not isinstance(warehouse, Warehouse):
            raise ValidationError(f"{warehouse!r} is not a Warehouse; pass one")
        stored_key(warehouse.code, "warehouse code")
        uow = self._uow
        uow.writable()
        params = (warehouse.code, uow.dialect.doc(warehouse))
        uow.insert(self._sql.warehouse_add, params, About("warehouse", warehouse.code))

    def replace_warehouse(self, warehouse: Warehouse) -> None:
        """Replace the stored warehouse with the same code. Raises ``NotFound``."""
        stored_key(warehouse.code, "warehouse code")
        uow = self._uow
        uow.writable()
        params = (uow.dialect.doc(warehouse), warehouse.code)
        if not uow.change(self._sql.warehouse_replace, params, "replacing the warehouse"):
            raise NotFound("warehouse", warehouse.code)

    def warehouses(self) -> list[Warehouse]:
        """Every warehouse, ordered by code."""
        uow = self._uow
        load = uow.dialect.load
        rows = uow.all(self._sql.warehouse_all, (), "reading the warehouses")
        return [load(Warehouse, doc, code) for code, doc in rows]

    # --- movements -------------------------------------------------------------------------

    def record(self, movement: Movement) -> None:
        """Append ``movement``. Raises ``ConcurrencyConflict`` (nothing written) when a key
        is taken."""
        m = movement_keys(movement)
        uow, sql = self._uow, self._sql
        uow.writable()
        key = (m.product_code, m.sequence)
        units = new_serials(m)
        for unit in units:
            taken = units.count(unit) > 1
            if taken or uow.one(sql.serial_get, unit, "reading a serial number") is not None:
                raise ConcurrencyConflict("serial number", " ".join(unit), m.sequence)
        holder = m.holder
        params = (
            m.product_code,
            m.sequence,
            uow.dialect.day(m.on),
            None if holder is None else holder.kind.value,
            None if holder is None else holder.id,
            None if holder is None else holder.customer_id,
            uow.dialect.doc(m),
        )
        try:
            uow.insert(sql.movement_add, params, About("movement", key))
        except AlreadyExists:
            raise ConcurrencyConflict("stock of product", m.product_code, m.sequence) from None
        for unit in units:
            try:
                uow.insert(sql.serial_add, (*unit, *key), About("serial number", unit))
            except AlreadyExists:
                where = "undoing a refused movement"
                uow.change(sql.serial_drop, key, where)
                uow.change(sql.movement_drop, key, where)
                raise ConcurrencyConflict("serial number", " ".join(unit), m.sequence) from None

    def movements(self, product_codes: Sequence[str]) -> list[Movement]:
        """Every movement of these products, by date, product code, then sequence."""
        wanted = sorted({lookup_key(code, "product code") for code in product_codes})
        uow = self._uow
        dialect = uow.dialect
        found: list[Movement] = []
        for chunk in chunks(wanted, dialect.in_list_limit):
            sql, params = self._sql.movements_of(len(chunk)), dialect.in_values(chunk)
            rows = uow.all(sql, params, "reading stock movements")
            found += [dialect.load(Movement, doc, sequence) for sequence, doc in rows]
        return sorted(found, key=lambda m: (m.on, m.product_code, m.sequence))

    def products_held(self, holder: Holder) -> list[str]:
        """The codes of the products whose movements name ``holder``, by code."""
        lookup_key(holder.id, "holder id")
        uow = self._uow
        params = (holder.id, holder.kind.value, holder.customer_id)
        return [row[0] for row in uow.all(self._sql.held, params, "reading a holder's goods")]

    # --- meter readings ----------------------------------------------------------------

    def add_reading(
        self,
        meter: tuple[str, str, str],
        position: int,
        reading: MeterReading,
        record: UsageRecord | None,
    ) -> None:
        """Append reading number ``position`` of ``meter``. Raises ``DuplicateReading`` or
        ``ConcurrencyConflict``."""
        reading_keys(meter, position, reading, record)
        uow, sql = self._uow, self._sql
        uow.writable()
        dialect = uow.dialect
        at = dialect.instant(reading.at)
        where = "reading a meter's readings"
        if uow.one(sql.reading_at, (*meter, at), where) is not None:
            raise DuplicateReading(meter, reading.at)
        if uow.one(sql.reading_no, (*meter, position), where) is not None:
            raise ConcurrencyConflict("meter", " ".join(meter), position)
        params = (
            *meter,
            position,
            at,
            None if record is None else record.customer_id,
            dialect.doc(reading),
            None if record is None else dialect.doc(record),
        )
        try:
            uow.insert(sql.reading_add, params, About("meter reading", meter))
        except AlreadyExists:  # a concurrent writer took the time or the number meanwhile
            if uow.one(sql.reading_at, (*meter, at), where) is not None:
                raise DuplicateReading(meter, reading.at) from None
            raise ConcurrencyConflict("meter", " ".join(meter), position) from None

    def meter_log(self, product_code: str, serial: str, reading_type: str) -> MeterLog:
        """The meter's readings in time order."""
        meter = (product_code, serial, reading_type)
        for code in meter:
            lookup_key(code, "meter key")
        uow = self._uow
        load = uow.dialect.load
        rows = uow.all(self._sql.reading_log, meter, "reading a meter's readings")
        return MeterLog(*meter, [load(MeterReading, row[0], meter) for row in rows])

    def usage_records(self, customer_id: str) -> list[UsageRecord]:
        """The usage records the customer's readings gave, by reading time, then meter."""
        lookup_key(customer_id, "customer id")
        uow = self._uow
        load = uow.dialect.load
        rows = uow.all(self._sql.records, (customer_id,), "reading usage records")
        return [load(UsageRecord, row[0], customer_id) for row in rows]
