# Over 400 lines: the stock ledger and the checks every movement passes (balances,
# serials, kits) are one job; splitting the checks from the ledger would split the rules.
"""The stock ledger: warehouses and the append-only list of movements of physical goods.

A :class:`Stock` is an immutable value: each operation (:meth:`~Stock.receive`,
:meth:`~Stock.reserve`, :meth:`~Stock.release`, :meth:`~Stock.issue`,
:meth:`~Stock.return_from`, :meth:`~Stock.write_off`) checks one new
:class:`~prodlife.goods.Movement` against the catalog and the stock, and returns
a new stock with it appended; a refused movement raises and leaves the stock as
it was. Balances, units and attachments are what the movements add up to.

Against the catalog, a movement is checked so:

=========================  ============================================================
rule                       condition
=========================  ============================================================
``goods.not-a-good``       the product is a physical good
``goods.serial-missing``   a traceable good's movement names its units' serial numbers
``goods.serial-refused``   a non-traceable good's movement names none
``goods.components``       a kit (a fixed traceable bundle) is received one at a time
                           with its traceable components' serial numbers, as many as
                           the bundle holds, and nothing else
=========================  ============================================================

and against the stock: the warehouse exists (``NotFound``); movements of a
product are dated in order (``goods.date-order``); balances never fall below
zero on hand or available unless the warehouse allows it (``goods.negative``,
:class:`~prodlife.goods.InsufficientStock`); a release takes at most what the
holder has reserved (``goods.release``), a return at most what it holds
(``goods.return``), a transfer all that its old holder holds in the warehouse
(``goods.transfer``, :func:`~prodlife.goods.transfer_holdings`); serial numbers
follow :mod:`prodlife.goods.units` (:class:`~prodlife.goods.SerialConflict`).

>>> from datetime import date
>>> from prodlife.catalog import Catalog, Classification, GoodKind, Product, ProductType
>>> good = ProductType("CABLE", "Cable", Classification.PHYSICAL_GOOD,
...                    good_kind=GoodKind.NON_TRACEABLE)
>>> catalog = Catalog([good], [Product("HDMI", "HDMI cable", "CABLE")])
>>> stock = Stock([Warehouse("MAIN", "Main depot")])
>>> stock = stock.receive(catalog, "HDMI", "MAIN", date(2025, 3, 1), 10)
>>> stock = stock.reserve(catalog, "HDMI", "MAIN", date(2025, 3, 2),
...                       Holder.service("S-1", "C-1"), 4)
>>> stock.balance("HDMI")
Balance(on_hand=10, reserved=4)
>>> stock.write_off(catalog, "HDMI", "MAIN", date(2025, 3, 3), 7, reason="water damage")
Traceback (most recent call last):
...
prodlife.goods.balances.InsufficientStock: cannot write off 7 x HDMI in warehouse 'MAIN': it
has 10 on hand, 4 reserved, 6 available; receive more first, use another warehouse, or let
this one go negative (rule goods.negative)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from prodlife.catalog import Catalog
from prodlife.errors import NotFound, RuleViolation
from prodlife.goods._checks import check_good
from prodlife.goods._state import _Ledger
from prodlife.goods.attachments import Attachment
from prodlife.goods.balances import Balance
from prodlife.goods.movements import (
    ComponentSerials,
    Holder,
    Movement,
    MovementKind,
    Ownership,
    Warehouse,
)
from prodlife.goods.units import Unit, UnitStatus

__all__ = ["Stock"]

K = MovementKind


def _warehouses(values: Iterable[Warehouse]) -> tuple[Warehouse, ...]:
    return tuple(values)


def _movements(values: Iterable[Movement]) -> tuple[Movement, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class Stock:
    """Warehouses and every stock movement of the physical goods kept in them.

    Args:
        warehouses: the warehouses, each code once.
        movements: the movements, oldest first; each product's numbered 0, 1, 2...
            (a stock may hold only some products' movements, each product's all).

    Raises:
        RuleViolation: a warehouse code is given twice, or the movements do not
            add up (a sequence gap, a date out of order, a serial number where
            no movement put it).
    """

    warehouses: tuple[Warehouse, ...] = attrs.field(converter=_warehouses)
    movements: tuple[Movement, ...] = attrs.field(default=(), converter=_movements)
    _ledger: _Ledger = attrs.field(init=False, eq=False, repr=False)
    _by_code: dict[str, Warehouse] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        codes = [w.code for w in self.warehouses]
        twice = sorted({code for code in codes if codes.count(code) > 1})
        if twice:
            message = f"warehouses {twice} are given twice; give each code once"
            raise RuleViolation("goods.warehouse", message, twice[0])
        object.__setattr__(self, "_by_code", {w.code: w for w in self.warehouses})
        ledger = _Ledger()
        for position, movement in enumerate(self.movements):
            ledger.apply(movement, position)
        object.__setattr__(self, "_ledger", ledger)

    # -- reading ----------------------------------------------------------------------

    def warehouse(self, code: str) -> Warehouse:
        """The warehouse ``code``.

        Raises:
            NotFound: the stock has no such warehouse.
        """
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFound("warehouse", code, f"define warehouse {code!r} first") from None

    def balance(self, product_code: str, warehouse: str | None = None) -> Balance:
        """The product's balance in ``warehouse``, or in all warehouses together."""
        if warehouse is not None:
            return self._ledger.balance(product_code, warehouse)
        return sum(self.balances(product_code).values(), Balance())

    def balances(self, product_code: str) -> dict[str, Balance]:
        """The product's balance in each warehouse that ever held it, by warehouse code."""
        codes = sorted({w for p, w in self._ledger.on_hand if p == product_code})
        return {code: self._ledger.balance(product_code, code) for code in codes}

    def reserved_for(self, holder: Holder, product_code: str, warehouse: str) -> int:
        """How many units of the product are reserved for ``holder`` in ``warehouse``."""
        return self._ledger.reserved.get((product_code, warehouse, holder), 0)

    def movements_of(self, product_code: str) -> tuple[Movement, ...]:
        """The product's movements, oldest first."""
        return tuple(m for m in self.movements if m.product_code == product_code)

    def next_sequence(self, product_code: str) -> int:
        """The sequence the product's next movement gets (how many it has)."""
        return self._ledger.count.get(product_code, 0)

    def unit(self, product_code: str, serial: str) -> Unit:
        """The traceable unit ``serial`` of the product: where it is, and its history.

        A component inside a kit is where its kit is, with its kit's history.

        Raises:
            NotFound: no unit of the product has that serial number.
        """
        found = self._ledger.units.get((product_code, serial))
        if found is None:
            raise NotFound(f"unit of {product_code}", serial, "check the serial number")
        where = self._ledger.units[found.kit] if found.kit is not None else found
        return Unit(
            product_code,
            serial,
            found.status,
            where.warehouse,
            where.holder,
            where.ownership,
            found.kit,
            found.components,
            tuple(self.movements[i] for i in where.moves),
        )

    def units(self, product_code: str, status: UnitStatus | None = None) -> tuple[Unit, ...]:
        """The product's traceable units, by serial number; only those in ``status`` if given."""
        serials = sorted(s for p, s in self._ledger.units if p == product_code)
        found = (self.unit(product_code, s) for s in serials)
        return tuple(u for u in found if status is None or u.status is status)

    def holder_of(self, product_code: str, serial: str) -> Holder | None:
        """The service or job unit ``serial`` is issued to (a component: its kit's), or ``None``."""
        unit = self.unit(product_code, serial)
        return unit.holder if unit.status in (UnitStatus.ISSUED, UnitStatus.IN_KIT) else None

    def attachments(
        self, holder: Holder, product_code: str | None = None
    ) -> tuple[Attachment, ...]:
        """The goods issued to ``holder`` (of one product if given), by product then issue."""
        return tuple(
            attachment
            for (p, h), attached in sorted(
                self._ledger.attached.items(), key=lambda item: item[0][0]
            )
            if h == holder and product_code in (None, p)
            for attachment in attached
        )

    # -- recording --------------------------------------------------------------------

    def record(self, catalog: Catalog, movement: Movement) -> Stock:
        """A new stock with ``movement`` appended, once it is checked.

        Its ``sequence`` must be :meth:`next_sequence` of its product; the
        operations below number movements themselves.

        Raises:
            RuleViolation: a rule of the module's table or of
                :mod:`prodlife.goods.movements` is broken; a subclass says which
                (:class:`~prodlife.goods.InsufficientStock`,
                :class:`~prodlife.goods.SerialConflict`).
            NotFound: the product or the warehouse does not exist.
        """
        check_good(catalog, movement)
        ledger = self._ledger.copy()
        ledger.apply(movement, len(self.movements), self._by_code)
        new = object.__new__(Stock)
        object.__setattr__(new, "warehouses", self.warehouses)
        object.__setattr__(new, "movements", (*self.movements, movement))
        object.__setattr__(new, "_ledger", ledger)
        object.__setattr__(new, "_by_code", self._by_code)
        return new

    def _moved(
        self,
        catalog: Catalog,
        kind: MovementKind,
        product_code: str,
        warehouse: str,
        on: date,
        quantity: int | None,
        serials: Iterable[str],
        *,
        holder: Holder | None = None,
        ownership: Ownership | None = None,
        components: Iterable[ComponentSerials] = (),
        reference: str = "",
        reason: str = "",
    ) -> Stock:
        codes = (serials,) if isinstance(serials, str) else tuple(serials)
        count = quantity if quantity is not None else (len(codes) or 1)
        sequence = self.next_sequence(product_code)
        movement = Movement(
            sequence, kind, product_code, warehouse, on, count, codes,
            holder, ownership, tuple(components), reference, reason,
        )  # fmt: skip
        return self.record(catalog, movement)

    def receive(
        self,
        catalog: Catalog,
        product_code: str,
        warehouse: str,
        on: date,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        components: Iterable[ComponentSerials] = (),
        reference: str = "",
    ) -> Stock:
        """Goods arrive in ``warehouse``.

        Args:
            catalog: where the product is defined.
            product_code: the good.
            warehouse: where it arrives.
            on: the day.
            quantity: how many; by default one per serial number, or 1.
            serials: the units' serial numbers (traceable goods only).
            components: a kit's traceable components' serial numbers.
            reference: the delivery note or other document.

        Raises:
            RuleViolation: see :meth:`record`.
        """
        return self._moved(
            catalog,
            K.RECEIVE,
            product_code,
            warehouse,
            on,
            quantity,
            serials,
            components=tuple(components),
            reference=reference,
        )

    def reserve(
        self,
        catalog: Catalog,
        product_code: str,
        warehouse: str,
        on: date,
        holder: Holder,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reference: str = "",
    ) -> Stock:
        """Set goods on hand aside for ``holder``'s service or job (see :meth:`receive`)."""
        return self._moved(
            catalog, K.RESERVE, product_code, warehouse, on, quantity, serials,
            holder=holder, reference=reference,
        )  # fmt: skip

    def release(
        self,
        catalog: Catalog,
        product_code: str,
        warehouse: str,
        on: date,
        holder: Holder,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reference: str = "",
    ) -> Stock:
        """Give up goods reserved for ``holder`` (see :meth:`receive`)."""
        return self._moved(
            catalog, K.RELEASE, product_code, warehouse, on, quantity, serials,
            holder=holder, reference=reference,
        )  # fmt: skip

    def issue(
        self,
        catalog: Catalog,
        product_code: str,
        warehouse: str,
        on: date,
        holder: Holder,
        ownership: Ownership,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reference: str = "",
    ) -> Stock:
        """Sell or rent goods to ``holder``, consuming its reservation first (see :meth:`receive`).

        A reserved unit or quantity can be issued only to the holder it is reserved for.
        """
        return self._moved(
            catalog, K.ISSUE, product_code, warehouse, on, quantity, serials,
            holder=holder, ownership=ownership, reference=reference,
        )  # fmt: skip

    def return_from(
        self,
        catalog: Catalog,
        product_code: str,
        warehouse: str,
        on: date,
        holder: Holder,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reference: str = "",
    ) -> Stock:
        """Take goods back from ``holder`` into ``warehouse`` (see :meth:`receive`).

        A non-traceable good closes the holder's rentals of it first, oldest first.
        """
        return self._moved(
            catalog, K.RETURN, product_code, warehouse, on, quantity, serials,
            holder=holder, reference=reference,
        )  # fmt: skip

    def write_off(
        self,
        catalog: Catalog,
        product_code: str,
        warehouse: str,
        on: date,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reason: str = "",
        reference: str = "",
    ) -> Stock:
        """Remove lost, broken or scrapped goods from ``warehouse`` (see :meth:`receive`)."""
        return self._moved(
            catalog, K.WRITE_OFF, product_code, warehouse, on, quantity, serials,
            reason=reason, reference=reference,
        )  # fmt: skip

    def return_rentals(
        self,
        catalog: Catalog,
        holder: Holder,
        warehouse: str | None,
        on: date,
        reference: str = "",
    ) -> Stock:
        """Take back everything rented to ``holder``, e.g. when its service is cancelled.

        One return per product still rented to it and warehouse: into ``warehouse``,
        or, when ``None``, each into the warehouse it was issued from. Goods it
        bought stay with it; with nothing rented, the stock is returned unchanged.

        Raises:
            RuleViolation: see :meth:`record`; nothing is returned then.
        """
        rented: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}
        for a in self.attachments(holder):
            if a.ownership is Ownership.RENTAL and a.remaining:
                issued = self.movements_of(a.product_code)[a.sequence]
                key = (a.product_code, issued.warehouse if warehouse is None else warehouse)
                count, serials = rented.get(key, (0, ()))
                rented[key] = (count + a.remaining, serials + a.held_serials)
        stock = self
        for (code, into), (count, serials) in rented.items():
            stock = stock._moved(
                catalog, K.RETURN, code, into, on, count, serials,
                holder=holder, reference=reference,
            )  # fmt: skip
        return stock
