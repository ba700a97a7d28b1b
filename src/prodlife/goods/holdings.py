"""Everything a service or job holds, moved at once: its reservations released, its goods
passed to its new customer.

When a service ends, what is reserved for it goes back to being available
(:func:`release_reservations`; its rentals come back with
:meth:`Stock.return_rentals <prodlife.goods.Stock.return_rentals>`). When a
service moves to another customer, its goods move with it
(:func:`transfer_holdings`): one transfer movement per product and warehouse
passes what it holds there, reserved or issued, sold or rented, to the same
service under its new customer. Each unit's history records the transfer;
balances, issue days and charges stay as they were (an attachment keeps its
issue sequence, so the service's goods charges do not change).

>>> from datetime import date
>>> from prodlife.catalog import Catalog, Classification, GoodKind, Product, ProductType
>>> from prodlife.goods import Holder, Ownership, Stock, Warehouse
>>> good = ProductType("DEVICE", "Device", Classification.PHYSICAL_GOOD,
...                    good_kind=GoodKind.TRACEABLE)
>>> catalog = Catalog([good], [Product("MODEM", "Modem", "DEVICE")])
>>> old, new = Holder.service("S-1", "C-1"), Holder.service("S-1", "C-2")
>>> stock = Stock([Warehouse("MAIN", "Main depot")])
>>> stock = stock.receive(catalog, "MODEM", "MAIN", date(2025, 3, 1), serials=["M1", "M2"])
>>> stock = stock.issue(catalog, "MODEM", "MAIN", date(2025, 3, 1), old, Ownership.RENTAL,
...                     serials=["M1"])
>>> stock = stock.reserve(catalog, "MODEM", "MAIN", date(2025, 3, 2), old, serials=["M2"])
>>> stock = transfer_holdings(stock, catalog, old, new, date(2025, 3, 5))
>>> stock.movements[-1].describe()
'transfer 2 x MODEM [M1, M2] in MAIN from service S-1 of C-1 to service S-1 of C-2 on 2025-03-05'
>>> stock.unit("MODEM", "M1").describe()
'MODEM M1 issued to service S-1 (rental)'
>>> stock.unit("MODEM", "M1").holder.customer_id
'C-2'
>>> stock = release_reservations(stock, catalog, new, date(2025, 3, 9))
>>> stock.unit("MODEM", "M2").describe()
'MODEM M2 in stock in MAIN'
"""

from __future__ import annotations

from datetime import date

from prodlife.catalog import Catalog
from prodlife.goods.movements import Holder, Movement, MovementKind
from prodlife.goods.stock import Stock
from prodlife.goods.units import UnitStatus

__all__ = ["release_reservations", "transfer_holdings"]


def _places(stock: Stock, holder: Holder) -> list[tuple[str, str]]:
    """Each ``(product, warehouse)`` where ``holder`` holds something, in order."""
    ledger = stock._ledger
    places = {(p, w) for (p, w, h), count in ledger.reserved.items() if h == holder and count}
    for a in stock.attachments(holder):
        if a.remaining:
            places.add((a.product_code, stock.movements_of(a.product_code)[a.sequence].warehouse))
    return sorted(places)


def release_reservations(
    stock: Stock, catalog: Catalog, holder: Holder, on: date, reference: str = ""
) -> Stock:
    """Release everything reserved for ``holder``: one release per product and warehouse.

    With nothing reserved for it, ``stock`` is returned unchanged.

    Raises:
        RuleViolation: see :meth:`Stock.record <prodlife.goods.Stock.record>`; nothing
            is released then.
    """
    for product, warehouse in _places(stock, holder):
        count = stock.reserved_for(holder, product, warehouse)
        if not count:
            continue
        serials = tuple(
            u.serial
            for u in stock.units(product, UnitStatus.RESERVED)
            if (u.warehouse, u.holder) == (warehouse, holder)
        )
        stock = stock.release(
            catalog, product, warehouse, on, holder, count, serials=serials, reference=reference
        )
    return stock


def transfer_holdings(
    stock: Stock, catalog: Catalog, holder: Holder, to: Holder, on: date, reference: str = ""
) -> Stock:
    """Pass everything ``holder`` holds to ``to``, the same service or job under its new
    customer: one transfer per product and warehouse.

    With nothing held, ``stock`` is returned unchanged.

    Raises:
        RuleViolation: ``to`` is not the same service or job (rule ``goods.transfer``),
            or see :meth:`Stock.record <prodlife.goods.Stock.record>`; nothing is
            moved then.
    """
    for product, warehouse in _places(stock, holder):
        count, serials = stock._ledger.holding(product, warehouse, holder)
        movement = Movement(
            stock.next_sequence(product), MovementKind.TRANSFER, product, warehouse, on, count,
            tuple(sorted(serials)), to, reference=reference, from_holder=holder,
        )  # fmt: skip
        stock = stock.record(catalog, movement)
    return stock
