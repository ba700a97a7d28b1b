"""The meter use cases of :class:`~prodlife.goods_app.Goods`: readings and the usage they give."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import Decimal

from prodlife.goods import MeterLog, MeterResult, Stock, kit_family, read_meter
from prodlife.goods_app._base import GoodsBase
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
    ) -> MeterResult:
        """Record a reading of an installed unit's meter and store the usage record it gives.

        See :func:`prodlife.goods.read_meter` for the arguments.

        Raises:
            DuplicateReading: the meter already has a reading at ``at`` (also when a
                concurrent writer stored it first): it is neither stored nor charged twice.
            RuleViolation, NotFound: as :func:`prodlife.goods.read_meter`.
        """
        policies, usage_catalogs = tuple(policies), tuple(usage_catalogs)

        def work(uow: UnitOfWork) -> MeterResult:
            catalog = self._catalog(uow)
            codes = kit_family(catalog, [product_code])
            stock = Stock(uow.goods.warehouses(), uow.goods.movements(codes))
            log = uow.goods.meter_log(product_code, serial, reading_type.code)
            result = read_meter(
                stock, catalog, log, value, at, reading_type, policies, usage_catalogs,
                termed_service_code=termed_service_code, catalog_code=catalog_code,
                reference=reference, zone=zone,
            )  # fmt: skip
            uow.goods.add_reading(log.meter, len(log.readings), result.reading, result.record)
            return result

        return self._retried(work)
