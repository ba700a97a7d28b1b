"""The state and plumbing every use case of :class:`~prodlife.goods_app.Goods` shares.

The constructor, the clock's now, the catalog in force, the stock a holder
holds, and a unit of work retried on a ``ConcurrencyConflict``; and what a stock
use case returns (:class:`~prodlife.goods_app.GoodsOutcome`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

import attrs

from prodlife._numbers import is_whole
from prodlife.billing.invoices import InvoicePolicy
from prodlife.catalog import Catalog
from prodlife.clock import Clock, as_utc
from prodlife.errors import ConcurrencyConflict, ValidationError
from prodlife.goods import Holder, Movement, Stock, kit_family
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.scheduler import SchedulerPolicy
from prodlife.ports import Store, UnitOfWork

R = TypeVar("R")
#: One stock operation of the domain: the stock, catalog and day in, the new stock out.
Step = Callable[[Stock, Catalog, date], Stock]


@attrs.frozen(slots=True)
class GoodsOutcome:
    """What a stock use case did.

    Attributes:
        movements: the movements it recorded, in order.
        billed: for goods of a service billed through a price plan, what billing
            it did (the service saved, its new invoice lines, its event); else ``None``.
    """

    movements: tuple[Movement, ...]
    billed: Outcome | None = None


class GoodsBase:
    """The state of :class:`~prodlife.goods_app.Goods` and the plumbing its use cases share."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        policy: SchedulerPolicy | None = None,
        invoicing: InvoicePolicy | None = None,
        attempts: int = 5,
    ) -> None:
        if not is_whole(attempts, 1):
            raise ValidationError(f"attempts {attempts!r} must be a whole number >= 1")
        self.store = store
        self.clock = clock
        self.policy = SchedulerPolicy() if policy is None else policy
        self.invoicing = InvoicePolicy() if invoicing is None else invoicing
        self.attempts = attempts

    def _now(self) -> datetime:
        return as_utc(self.clock.now())

    def _catalog(self, uow: UnitOfWork, day: date | None = None) -> Catalog:
        when = self._now().date() if day is None else day
        return uow.catalog.versions().in_force(when).catalog

    def _held_stock(self, uow: UnitOfWork, holder: Holder) -> Stock:
        catalog = self._catalog(uow)
        codes = kit_family(catalog, uow.goods.products_held(holder))
        return Stock(uow.goods.warehouses(), uow.goods.movements(codes))

    def _retried(self, work: Callable[[UnitOfWork], R]) -> R:
        """``work`` in a transaction, committed; run again on a ``ConcurrencyConflict``."""
        for attempt in range(self.attempts):
            try:
                with self.store.transaction() as uow:
                    result = work(uow)
                    uow.commit()
                return result
            except ConcurrencyConflict:
                if attempt == self.attempts - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover
