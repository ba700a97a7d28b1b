"""Physical goods' use cases: stock movements, rentals and sales billed, meter readings.

:class:`Goods` ties a :class:`~prodlife.ports.Store` to the host's clock. Each
use case runs in one transaction: it loads the stock of the product moved (with
the kits it is a component of, or a kit's components) and the catalog in force,
records the movement the pure domain (:class:`~prodlife.goods.Stock`) accepted,
and commits. Two workers moving one product at once both load the same stock
and number their movement alike; the store keeps the first and refuses the
second (``ConcurrencyConflict``), which is then redone on what is stored now:
so of two workers issuing the last unit one wins, and the other's issue is
refused with :class:`~prodlife.goods.InsufficientStock`. After ``attempts``
conflicts in a row, ``ConcurrencyConflict`` reaches the caller.

Goods issued to a service, sold or rented, are billed through the service when
a price plan is named (``plan_code=``): the use case puts the service's goods
charges on its timeline (:func:`~prodlife.billing.goods.goods_on_timeline`), bills it,
and saves it with its invoice lines and an ``updated`` event, in the same
transaction as the movement. The events wait in the outbox
(:meth:`prodlife.app.Billing.publish_pending` sends them).

:class:`Goods` is made of its use cases, one module per subject: ``movements``
(warehouses, stock and its movements), ``service_billing`` (goods billed through
their service), ``metering`` (meter readings and the usage they give) and ``_base``
(the constructor and the plumbing they share). The rules live in :mod:`prodlife.goods`.

>>> from datetime import UTC, date, datetime
>>> from prodlife import FixedClock
>>> from prodlife.catalog import (Catalog, CatalogVersion, Classification, GoodKind,
...     Product, ProductType)
>>> from prodlife.goods import Holder, Ownership, Warehouse
>>> from prodlife.stores import open_store
>>> good = ProductType("CABLE", "Cable", Classification.PHYSICAL_GOOD,
...                    good_kind=GoodKind.NON_TRACEABLE)
>>> catalog = Catalog([good], [Product("HDMI", "HDMI cable", "CABLE")])
>>> store = open_store("memory:")
>>> goods = Goods(store, clock=FixedClock(datetime(2025, 3, 1, 9, tzinfo=UTC)))
>>> with store.transaction() as uow:
...     uow.catalog.add_version(CatalogVersion("2025", date(2025, 1, 1), catalog))
...     uow.commit()
>>> goods.add_warehouse(Warehouse("MAIN", "Main depot"))
>>> goods.receive("HDMI", "MAIN", 3).describe()
'receive 3 x HDMI into MAIN on 2025-03-01'
>>> _ = goods.issue("HDMI", "MAIN", Holder.job("J-1", "C-1"), Ownership.SALE, 2)
>>> goods.balance("HDMI")
Balance(on_hand=1, reserved=0)
"""

from __future__ import annotations

from prodlife.goods_app._base import GoodsOutcome
from prodlife.goods_app.metering import Metering
from prodlife.goods_app.movements import Movements

__all__ = ["Goods", "GoodsOutcome"]


class Goods(Movements, Metering):
    """The physical goods' use cases over one store (see the module).

    Args:
        store: where everything is kept (see :func:`prodlife.stores.open_store`).
        clock: where "now" comes from; a movement's day is today's UTC date
            unless given (``on=``), and billing happens now.
        policy: the scheduler's settings (the due date a billed service is saved with).
        attempts: how many times a use case is tried when a concurrent writer
            moved the same goods first (1 or more).
    """
