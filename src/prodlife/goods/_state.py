"""The state a stock ledger's movements add up to, kept up to date one movement at a time.

Private: :class:`~prodlife.goods.Stock` folds its movements into a
:class:`_Ledger` when it is built and applies each new movement to a copy, so a
refused movement changes nothing. Folding stored movements checks what can
never change (sequences, dates in order, serial numbers where each movement
needs them); the balance rule (never negative unless allowed) is checked only
for a new movement, against the warehouses as they are now.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from prodlife.errors import NotFound, RuleViolation
from prodlife.goods.attachments import Attachment, Returned
from prodlife.goods.balances import Balance, InsufficientStock
from prodlife.goods.movements import (
    ComponentSerials,
    Holder,
    Movement,
    MovementKind,
    Ownership,
    Warehouse,
)
from prodlife.goods.units import SerialConflict, UnitStatus

K = MovementKind
_AT_WAREHOUSE = frozenset({UnitStatus.IN_STOCK, UnitStatus.RESERVED})


@attrs.frozen(slots=True)
class _Unit:
    status: UnitStatus
    warehouse: str | None
    holder: Holder | None = None
    ownership: Ownership | None = None
    kit: tuple[str, str] | None = None
    components: tuple[ComponentSerials, ...] = ()
    moves: tuple[int, ...] = ()


def _holder(m: Movement) -> Holder:
    """The movement's holder; :class:`Movement` already refused one without it."""
    if m.holder is None:
        raise RuleViolation("goods.holder", f"{m.describe()} names no service or job")
    return m.holder


def _where(unit: _Unit) -> str:
    if unit.status is UnitStatus.ISSUED:
        return f"issued to {unit.holder}"
    if unit.status is UnitStatus.RESERVED:
        return f"reserved in {unit.warehouse!r} for {unit.holder}"
    if unit.status is UnitStatus.IN_STOCK:
        return f"in stock in {unit.warehouse!r}"
    if unit.status is UnitStatus.IN_KIT and unit.kit is not None:
        return f"inside kit {unit.kit[0]} {unit.kit[1]}"
    return str(unit.status.value)


class _Ledger:
    """Balances, reservations, units and attachments of a sequence of movements."""

    def __init__(self) -> None:
        self.on_hand: dict[tuple[str, str], int] = {}
        self.reserved: dict[tuple[str, str, Holder], int] = {}
        self.reserved_total: dict[tuple[str, str], int] = {}
        self.units: dict[tuple[str, str], _Unit] = {}
        self.attached: dict[tuple[str, Holder], tuple[Attachment, ...]] = {}
        self.count: dict[str, int] = {}
        self.last_day: dict[str, date] = {}
        self.issued_from: dict[tuple[str, int], str] = {}

    def copy(self) -> _Ledger:
        new = _Ledger()
        for name in vars(self):
            setattr(new, name, dict(getattr(self, name)))
        return new

    def balance(self, product: str, warehouse: str) -> Balance:
        key = (product, warehouse)
        return Balance(self.on_hand.get(key, 0), self.reserved_total.get(key, 0))

    def holding(self, product: str, warehouse: str, holder: Holder) -> tuple[int, set[str]]:
        """How many units of the product ``holder`` holds in ``warehouse`` (reserved there
        or issued from there), and which serial numbers."""
        count = self.reserved.get((product, warehouse, holder), 0)
        serials = {
            serial
            for (p, serial), unit in self.units.items()
            if p == product
            and unit.status is UnitStatus.RESERVED
            and (unit.warehouse, unit.holder) == (warehouse, holder)
        }
        for a in self._issued_from(product, warehouse, holder):
            count += a.remaining
            serials.update(a.held_serials)
        return count, serials

    def _issued_from(self, product: str, warehouse: str, holder: Holder) -> list[Attachment]:
        """The holder's open attachments of the product issued from ``warehouse``."""
        return [
            a
            for a in self.attached.get((product, holder), ())
            if a.remaining and self.issued_from.get((product, a.sequence)) == warehouse
        ]

    # -- checks ---------------------------------------------------------------------

    def _check_transfer(self, m: Movement) -> None:
        """Refuse a transfer that does not move all the old holder holds in the warehouse."""
        old = m.from_holder
        if old is None:
            raise RuleViolation("goods.transfer", f"{m.describe()} names no holder it passes from")
        count, serials = self.holding(m.product_code, m.warehouse, old)
        if m.quantity != count or (m.serials and set(m.serials) != serials):
            units = f" {sorted(serials)}" if serials else ""
            message = (
                f"cannot {m.describe()}: {old} holds {count} x {m.product_code}{units} in "
                f"{m.warehouse!r}; a transfer moves all of it"
            )
            raise RuleViolation("goods.transfer", message, m.product_code)

    def _unit(self, m: Movement, serial: str, wanted: frozenset[UnitStatus]) -> _Unit:
        unit = self.units.get((m.product_code, serial))
        what = f"cannot {m.kind.value} {m.product_code} {serial}"
        if unit is None:
            message = f"{what}: no such unit was received; check the serial number"
            raise SerialConflict("goods.serial-unknown", m.product_code, serial, message)
        if unit.status is UnitStatus.IN_KIT:
            message = f"{what}: it is {_where(unit)}; move the kit"
            raise SerialConflict("goods.in-kit", m.product_code, serial, message)
        place_ok = unit.status not in _AT_WAREHOUSE or unit.warehouse == m.warehouse
        reserved_ok = unit.status is not UnitStatus.RESERVED or (
            m.kind in (K.ISSUE, K.RELEASE) and unit.holder == m.holder
        )
        holder_ok = unit.status is not UnitStatus.ISSUED or unit.holder == m.holder
        if unit.status not in wanted or not (place_ok and reserved_ok and holder_ok):
            place = _where(unit)
            fix = {
                K.ISSUE: "return it or pick another unit",
                K.WRITE_OFF: "release or return it first",
                K.RESERVE: "release or return it first, or pick another unit",
            }.get(m.kind, "check the serial number, warehouse and holder")
            message = f"{what}: it is {place}; {fix}"
            raise SerialConflict("goods.serial-state", m.product_code, serial, message)
        return unit

    def _new_serial(self, product: str, serial: str, m: Movement) -> None:
        unit = self.units.get((product, serial))
        if unit is not None:
            message = (
                f"cannot receive {product} {serial}: a unit with that serial number was "
                f"received before and is {_where(unit)}; serial numbers are "
                "unique; return it instead, or check the number"
            )
            raise SerialConflict("goods.serial-exists", product, serial, message)

    def _enough(
        self, m: Movement, on_hand: int, available: int, warehouses: Mapping[str, Warehouse] | None
    ) -> None:
        """Refuse a movement leaving less than nothing, unless the warehouse allows it."""
        if warehouses is None or m.serials or warehouses[m.warehouse].allows_negative:
            return
        balance = self.balance(m.product_code, m.warehouse)
        if balance.on_hand - on_hand < 0 or balance.available - available < 0:
            raise InsufficientStock(m.product_code, m.warehouse, balance, m.quantity, m.kind.value)

    def check(self, m: Movement, warehouses: Mapping[str, Warehouse] | None) -> int:
        """Refuse ``m`` if it does not fit; return how much of a reservation it consumes."""
        p, w = m.product_code, m.warehouse
        expected = self.count.get(p, 0)
        if m.sequence != expected:
            message = f"movement {m.sequence} of {p} comes after {expected} movements of it"
            raise RuleViolation("goods.sequence", f"{message}; number it {expected}", p)
        last = self.last_day.get(p)
        if last is not None and m.on < last:
            message = f"{m.describe()} is dated before the last movement of {p}, on {last}"
            raise RuleViolation("goods.date-order", f"{message}; record movements in order", p)
        if warehouses is not None and w not in warehouses:
            raise NotFound("warehouse", w, f"define warehouse {w!r} in the stock first")
        held = self.reserved.get((p, w, m.holder), 0) if m.holder is not None else 0
        if m.kind is K.TRANSFER:
            self._check_transfer(m)
            return 0
        if m.kind is K.RECEIVE:
            for serial in m.serials:
                self._new_serial(p, serial, m)
            for part in m.components:
                for serial in part.serials:
                    self._new_serial(part.product_code, serial, m)
            return 0
        if m.serials:
            wanted = {
                K.RESERVE: {UnitStatus.IN_STOCK},
                K.RELEASE: {UnitStatus.RESERVED},
                K.ISSUE: {UnitStatus.IN_STOCK, UnitStatus.RESERVED},
                K.RETURN: {UnitStatus.ISSUED},
                K.WRITE_OFF: {UnitStatus.IN_STOCK},
            }[m.kind]
            units = [self._unit(m, s, frozenset(wanted)) for s in m.serials]
            return sum(u.status is UnitStatus.RESERVED for u in units)
        if m.kind is K.RESERVE:
            self._enough(m, 0, m.quantity, warehouses)
        elif m.kind is K.RELEASE and held < m.quantity:
            message = f"cannot release {m.quantity} x {p} in {w!r} for {m.holder}: {held} reserved"
            raise RuleViolation("goods.release", f"{message}; release at most that", p)
        elif m.kind is K.ISSUE:
            consumed = min(held, m.quantity)
            self._enough(m, m.quantity, m.quantity - consumed, warehouses)
            return consumed
        elif m.kind is K.RETURN:
            has = sum(a.remaining for a in self.attached.get((p, _holder(m)), ()))
            if has < m.quantity:
                message = f"cannot return {m.quantity} x {p} from {m.holder}: it holds {has}"
                raise RuleViolation("goods.return", f"{message}; return at most that", p)
        elif m.kind is K.WRITE_OFF:
            self._enough(m, m.quantity, m.quantity, warehouses)
        return 0

    # -- changes --------------------------------------------------------------------

    def _add(self, table: dict[Any, int], key: Any, delta: int) -> None:
        table[key] = table.get(key, 0) + delta

    def apply(
        self, m: Movement, position: int, warehouses: Mapping[str, Warehouse] | None = None
    ) -> None:
        """Check ``m`` and record it (``position`` is its index in the stock's movements)."""
        consumed = self.check(m, warehouses)
        p, w, q = m.product_code, m.warehouse, m.quantity
        self.count[p] = m.sequence + 1
        self.last_day[p] = m.on
        if m.kind is K.TRANSFER:
            self._transfer(m, position)
            return
        sign = {K.RECEIVE: 1, K.RETURN: 1, K.ISSUE: -1, K.WRITE_OFF: -1}.get(m.kind, 0)
        self._add(self.on_hand, (p, w), sign * q)
        reserved = {K.RESERVE: q, K.RELEASE: -q, K.ISSUE: -consumed}.get(m.kind, 0)
        if reserved:
            self._add(self.reserved, (p, w, _holder(m)), reserved)
            self._add(self.reserved_total, (p, w), reserved)
        status = {
            K.RESERVE: UnitStatus.RESERVED,
            K.ISSUE: UnitStatus.ISSUED,
            K.WRITE_OFF: UnitStatus.WRITTEN_OFF,
        }.get(m.kind, UnitStatus.IN_STOCK)
        holder = m.holder if status in (UnitStatus.RESERVED, UnitStatus.ISSUED) else None
        for serial in m.serials:
            key = (p, serial)
            unit = self.units.get(key) or _Unit(UnitStatus.IN_STOCK, w, components=m.components)
            self.units[key] = attrs.evolve(
                unit,
                status=status,
                warehouse=w,
                holder=holder,
                ownership=m.ownership,
                moves=(*unit.moves, position),
            )
            for part in m.components:
                for inner in part.serials:
                    self.units[(part.product_code, inner)] = _Unit(
                        UnitStatus.IN_KIT, w, kit=key, moves=(position,)
                    )
        if m.kind is K.ISSUE and m.ownership is not None:
            self.issued_from[(p, m.sequence)] = w
            new = Attachment(_holder(m), p, m.ownership, m.sequence, m.on, q, m.serials)
            self.attached[(p, new.holder)] = (*self.attached.get((p, new.holder), ()), new)
        elif m.kind is K.RETURN:
            self._close(m)

    def _transfer(self, m: Movement, position: int) -> None:
        """Pass what the old holder holds in the warehouse to the new one, as it is."""
        p, w, old, new = m.product_code, m.warehouse, m.from_holder, _holder(m)
        if old is None:  # refused by check
            return
        reserved = self.reserved.pop((p, w, old), 0)
        if reserved:
            self._add(self.reserved, (p, w, new), reserved)
        for serial in m.serials:
            unit = self.units[(p, serial)]
            self.units[(p, serial)] = attrs.evolve(unit, holder=new, moves=(*unit.moves, position))
        moving = self._issued_from(p, w, old)
        if moving:
            kept = tuple(a for a in self.attached[(p, old)] if a not in moving)
            self.attached[(p, old)] = kept
            moved = [attrs.evolve(a, holder=new) for a in moving]
            joined = sorted((*self.attached.get((p, new), ()), *moved), key=lambda a: a.sequence)
            self.attached[(p, new)] = tuple(joined)

    def _close(self, m: Movement) -> None:
        """Close the holder's attachments a return brings back."""
        key = (m.product_code, _holder(m))
        attached = list(self.attached.get(key, ()))
        order = sorted(
            range(len(attached)),
            key=lambda i: (attached[i].ownership is not Ownership.RENTAL, attached[i].sequence),
        )
        left, serials = m.quantity, set(m.serials)
        for i in order:
            a = attached[i]
            if m.serials:
                back = tuple(s for s in a.held_serials if s in serials)
                taken = len(back)
            else:
                back, taken = (), min(left, a.remaining)
            if taken:
                part = Returned(m.on, taken, back, m.sequence)
                attached[i] = attrs.evolve(a, returns=(*a.returns, part))
                left -= taken
        self.attached[key] = tuple(attached)
