"""The meter use cases of :class:`~prodlife.goods_app.Goods`: readings and the usage they give.

A reading is told the service's transfers from its stored history
(:func:`~prodlife.lifecycle.transfers_of`), so the consumption up to a transfer
is charged to the old customer (an estimated reading at the transfer, stored in
the meter's log with the old customer's usage record).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import Decimal

from prodlife.errors import NotFound
from prodlife.goods import (
    HolderKind,
    MeterLog,
    MeterResult,
    OwnerChange,
    Stock,
    kit_family,
    read_meter,
)
from prodlife.goods_app._base import GoodsBase
from prodlife.lifecycle import transfers_of
from prodlife.ports import UnitOfWork
from prodlife.pricing.meters import ConversionPolicy, MeterReadingType
from prodlife.pricing.usage import UsageCatalog, UsageRecord


class Metering(GoodsBase):
    """Goods' meter readings and the usage records they gave."""

    def meter_log(self, product_code: str, serial: str, reading_type: str) -> MeterLog:
        """The readings of a unit's meter, in time order."""
        with self.store.transaction(readonly=True) as uow:
            return uow.goods.meter_log(product_code, serial, reading_type)

    def usage_records(self, customer_id: str) -> list[UsageRecord]:
        """The usage records the customer's meter readings gave, by reading time."""
        with self.store.transaction(readonly=True) as uow:
            return uow.goods.usage_records(customer_id)

    def read_meter(
        self,
        product_code: str,
        serial: str,
        value: Decimal | int | str,
        at: datetime,
        reading_type: MeterReadingType,
        policies: Iterable[ConversionPolicy],
        usage_catalogs: Iterable[UsageCatalog],
        *,
        termed_service_code: str | None = None,
        catalog_code: str | None = None,
        reference: str = "",
        zone: str | tzinfo = "UTC",
        transfers: Iterable[OwnerChange] | None = None,
    ) -> MeterResult:
        """Record a reading of an installed unit's meter and store the usage records it gives.

        See :func:`prodlife.goods.read_meter` for the arguments. ``transfers`` are
        the stored service's own (from its history) unless given; for a service the
        store does not keep, none unless given. The readings estimated at the
        transfers are stored in the meter's log before the reading, each with the
        old customer's usage record.

        Raises:
            DuplicateReading: the meter already has a reading at ``at`` (also when a
                concurrent writer stored it first): it is neither stored nor charged twice.
            TransferMismatch, RuleViolation, NotFound: as :func:`prodlife.goods.read_meter`.
        """
        policies, usage_catalogs = tuple(policies), tuple(usage_catalogs)
        given = None if transfers is None else tuple(transfers)

        def work(uow: UnitOfWork) -> MeterResult:
            catalog = self._catalog(uow)
            codes = kit_family(catalog, [product_code])
            stock = Stock(uow.goods.warehouses(), uow.goods.movements(codes))
            log = uow.goods.meter_log(product_code, serial, reading_type.code)
            result = read_meter(
                stock, catalog, log, value, at, reading_type, policies, usage_catalogs,
                termed_service_code=termed_service_code, catalog_code=catalog_code,
                reference=reference, zone=zone,
                transfers=_transfers(uow, stock, product_code, serial) if given is None else given,
            )  # fmt: skip
            position = len(log.readings)
            for n, estimate in enumerate(result.estimates):
                uow.goods.add_reading(log.meter, position + n, estimate.reading, estimate.record)
            position += len(result.estimates)
            uow.goods.add_reading(log.meter, position, result.reading, result.record)
            return result

        return self._retried(work)


def _transfers(
    uow: UnitOfWork, stock: Stock, product_code: str, serial: str
) -> tuple[OwnerChange, ...]:
    """The transfers of the stored service the unit is installed at (none for another)."""
    holder = stock.unit(product_code, serial).holder
    if holder is None or holder.kind is not HolderKind.SERVICE:
        return ()  # read_meter refuses to read it
    try:
        return transfers_of(uow.services.history(holder.id))
    except NotFound:  # a service the store does not keep: no history to tell
        return ()
