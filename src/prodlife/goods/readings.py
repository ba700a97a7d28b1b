"""Meter readings of installed traceable goods, turned into usage records.

A traceable good whose type has a meter reading type (seed 004: an electricity
meter, a bandwidth counter) takes readings while it is installed: issued to a
customer's service. Each meter (a unit and a reading type) keeps its readings
in a :class:`MeterLog`, in time order. :func:`read_meter` records a reading and,
when the meter's previous reading was taken at the same service, converts the
difference through the reading type's conversion policies (the smallest
applicable conversion rate wins, :func:`~prodlife.pricing.convert_reading`)
into a :class:`~prodlife.pricing.UsageRecord` that
:func:`~prodlife.pricing.rate_usage` rates like any other usage. The first
reading at a service is its baseline and charges nothing.

Each usage record is charged to the customer the service belonged to over the
consumption it counts: told the service's transfers (:class:`OwnerChange`),
:func:`read_meter` splits a span that holds one by an estimated reading at the
transfer, so the old customer is charged up to it and the new one from it
(:mod:`prodlife.goods.meter_splits`).

A reading taken twice (same meter, same reading time) is refused
(:class:`DuplicateReading`) rather than charged twice; each usage record's
reference names its meter and reading time, so a record stored twice is seen too.

=======================  ==============================================================
rule                     condition
=======================  ==============================================================
``meter.duplicate``      a meter has at most one reading per reading time
``meter.order``          a meter's readings are recorded in time order
``meter.log``            a reading is recorded in its own meter's log
``goods.meter-type``     the good's type takes readings of that meter reading type
``goods.not-installed``  the unit is issued to a service when it is read
``meter.transfer``       read_meter is told the unit's transfers since its last reading
=======================  ==============================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import Decimal

import attrs

from prodlife.catalog import Catalog
from prodlife.catalog._findings import check_code, raise_first
from prodlife.clock import as_utc
from prodlife.errors import NotFound, RuleViolation, ValidationError
from prodlife.goods.meter_splits import (
    OwnerChange,
    check_transfers,
    estimated_values,
    owner_until,
)
from prodlife.goods.movements import Holder, HolderKind
from prodlife.goods.stock import Stock
from prodlife.goods.units import UnitStatus
from prodlife.money import to_decimal
from prodlife.periods import billing_date
from prodlife.pricing.meters import ConversionPolicy, MeterReadingType, UsageQuantity
from prodlife.pricing.meters import convert_reading as _convert
from prodlife.pricing.usage import UsageCatalog, UsageRecord

__all__ = [
    "DuplicateReading",
    "EstimatedReading",
    "MeterLog",
    "MeterReading",
    "MeterResult",
    "read_meter",
]


def _value(value: Decimal | int | str) -> Decimal:
    return to_decimal(value, "meter reading")


@attrs.frozen(slots=True)
class MeterReading:
    """One reading of a meter.

    Args:
        value: what the meter showed, in its reading type's unit (not a float).
        at: when it was read, an aware datetime (kept in UTC).
        service_id: the service the unit was installed at when read.
        reference: the reading's id in the source system.

    Raises:
        InvalidAmount: ``value`` is a float or not a number.
        InvalidInstant: ``at`` is naive.
        RuleViolation: the service id is malformed.
    """

    value: Decimal = attrs.field(converter=_value)
    at: datetime = attrs.field(converter=as_utc)
    service_id: str
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        raise_first(check_code(self.service_id, "service"), str(self.service_id))


class DuplicateReading(RuleViolation):
    """A meter was given a second reading for a reading time it has (rule ``meter.duplicate``).

    Attributes:
        meter: the meter's ``(product code, serial, reading type)``.
        at: the reading time.
    """

    def __init__(self, meter: tuple[str, str, str], at: datetime) -> None:
        self.meter = meter
        self.at = at
        message = (
            f"meter {' '.join(meter)} already has a reading at {at.isoformat()}; it is not "
            "recorded nor charged twice (correct a reading with a later one)"
        )
        super().__init__("meter.duplicate", message, " ".join(meter))


def _readings(values: Iterable[MeterReading]) -> tuple[MeterReading, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class MeterLog:
    """The readings of one meter: a traceable unit's meter of one reading type.

    Args:
        product_code: the good.
        serial: the unit's serial number.
        reading_type: the meter reading type's code.
        readings: its readings, in time order, one per reading time.

    Raises:
        DuplicateReading: two readings have one reading time.
        RuleViolation: readings out of time order (``meter.order``), a malformed code.
    """

    product_code: str
    serial: str
    reading_type: str
    readings: tuple[MeterReading, ...] = attrs.field(default=(), converter=_readings)

    def __attrs_post_init__(self) -> None:
        found = check_code(self.product_code, "product")
        found += check_code(self.serial, "serial")
        found += check_code(self.reading_type, "meter reading type")
        raise_first(found, str(self.serial))
        for before, after in zip(self.readings, self.readings[1:], strict=False):
            self._check_after(before, after)

    @property
    def meter(self) -> tuple[str, str, str]:
        """The meter's key: ``(product code, serial, reading type)``."""
        return self.product_code, self.serial, self.reading_type

    @property
    def last(self) -> MeterReading | None:
        """The latest reading, if any."""
        return self.readings[-1] if self.readings else None

    def _check_after(self, before: MeterReading, reading: MeterReading) -> None:
        if reading.at == before.at:
            raise DuplicateReading(self.meter, reading.at)
        if reading.at < before.at:
            message = (
                f"meter {' '.join(self.meter)} was read at {before.at.isoformat()}, after "
                f"{reading.at.isoformat()}; record readings in time order"
            )
            raise RuleViolation("meter.order", message, self.serial)

    def add(self, reading: MeterReading) -> MeterLog:
        """A new log with ``reading`` appended.

        Raises:
            DuplicateReading: the meter already has a reading at that time.
            RuleViolation: the reading is older than the latest (``meter.order``).
        """
        if any(r.at == reading.at for r in self.readings):
            raise DuplicateReading(self.meter, reading.at)
        if self.last is not None:
            self._check_after(self.last, reading)
        return attrs.evolve(self, readings=(*self.readings, reading))


@attrs.frozen(slots=True)
class EstimatedReading:
    """A reading estimated at a transfer, and the old customer's usage up to it.

    Attributes:
        reading: the meter's value at the transfer, interpolated; its reference
            says it is estimated.
        usage: the consumption since the reading before it, converted.
        record: that usage, charged to the customer the service belonged to.
    """

    reading: MeterReading
    usage: UsageQuantity
    record: UsageRecord


@attrs.frozen(slots=True)
class MeterResult:
    """What recording a reading gave.

    Attributes:
        log: the meter's log with the estimated readings and the reading appended.
        reading: the reading.
        usage: the converted consumption since the previous reading at the same
            service (or the last estimated one), or ``None`` for a baseline reading.
        record: the usage record to rate, or ``None`` for a baseline reading.
        estimates: the readings estimated at the transfers since the previous
            reading, each with the usage it charges to the customer before it.
    """

    log: MeterLog
    reading: MeterReading
    usage: UsageQuantity | None
    record: UsageRecord | None
    estimates: tuple[EstimatedReading, ...] = ()

    @property
    def records(self) -> tuple[UsageRecord, ...]:
        """Every usage record to rate, the estimated readings' first, in time order."""
        last = () if self.record is None else (self.record,)
        return (*(e.record for e in self.estimates), *last)


def read_meter(
    stock: Stock,
    catalog: Catalog,
    log: MeterLog,
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
    transfers: Iterable[OwnerChange] = (),
) -> MeterResult:
    """Record a reading of an installed unit's meter and convert the consumption into usage.

    The consumption since the previous reading is charged to the customer the
    service belonged to while the meter counted it: a transfer in between gets an
    estimated reading (interpolated in proportion to time, to the readings'
    resolution), charging the old customer up to it (see
    :mod:`prodlife.goods.meter_splits`); a reading taken before a transfer is the
    old customer's.

    Args:
        stock: the stock ledger (where the unit is).
        catalog: where the good's type is defined.
        log: the meter's log (``MeterLog(product, serial, type code)`` for a new meter).
        value: what the meter shows.
        at: when it was read.
        reading_type: the meter reading type (its code is the log's).
        policies: the conversion policies on offer.
        usage_catalogs: the usage service catalogs; the winning policy's names the
            unit of the usage record (the unit of its rate on the reading's billing date).
        termed_service_code: the service's product, to meet policies' conditions.
        catalog_code: only consider policies of this usage catalog.
        reference: the reading's id; the usage record's reference is
            ``product/serial/type/reading time``.
        zone: the customer's time zone, turning the reading time into a billing date.
        transfers: the service's changes of customer (from its history); every
            transfer of the unit since the meter's previous reading must be among them.

    Raises:
        DuplicateReading: the meter already has a reading at that time.
        TransferMismatch: the unit changed customer since the previous reading
            and ``transfers`` does not say when, or they do not end with its
            customer.
        RuleViolation: a rule of the module's table, or a bad reading
            (:meth:`~prodlife.pricing.MeterReadingType.delta`).
        ValidationError: ``transfers`` holds something other than an :class:`OwnerChange`.
        NotFound: the unit, a conversion policy, the usage catalog or its rate is missing.
    """
    p, serial = log.product_code, log.serial
    kind = catalog.type_of(p).meter_reading_type
    if log.reading_type != reading_type.code:
        message = f"log of meter {' '.join(log.meter)} is not for reading type {reading_type.code}"
        raise RuleViolation("meter.log", f"{message}; use that meter's log", serial)
    if kind != reading_type.code:
        message = f"{p} takes {kind or 'no'} meter readings, not {reading_type.code}"
        raise RuleViolation("goods.meter-type", f"{message}; check the good and the type", p)
    unit = stock.unit(p, serial)
    holder = unit.holder
    installed = holder is not None and holder.kind is HolderKind.SERVICE
    if unit.status is not UnitStatus.ISSUED or holder is None or not installed:
        message = f"{unit.describe()}: only a unit installed at a service is read; issue it first"
        raise RuleViolation("goods.not-installed", message, serial)
    reading = MeterReading(value, at, holder.id, reference)
    previous = log.last
    log.add(reading)  # refuses a duplicate or an out-of-order reading first
    if previous is None or previous.service_id != holder.id:
        reading_type.delta(reading.value, reading.value)  # a bad baseline is refused too
        return MeterResult(log.add(reading), reading, None, None)
    changes = tuple(sorted(_owner_changes(transfers), key=lambda c: c.at))
    check_transfers(stock, log.meter, holder, previous.at, changes)
    inside = [c for c in changes if previous.at < c.at < reading.at]
    cuts = estimated_values(
        (previous.at, previous.value),
        (reading.at, reading.value),
        reading_type,
        [c.at for c in inside],
    )
    convert = _Converter(
        log, reading_type, tuple(policies), tuple(usage_catalogs), termed_service_code,
        catalog_code, zone, holder, changes,
    )  # fmt: skip
    new_log, estimates, last = log, [], previous
    by_instant = {c.at: c for c in inside}
    for when, estimate in cuts:
        change = by_instant[when]
        note = f"estimated at the transfer of {holder.id} from {change.from_customer} to "
        estimated = MeterReading(estimate, when, holder.id, note + change.to_customer)
        usage, record = convert(last, estimated)
        estimates.append(EstimatedReading(estimated, usage, record))
        new_log, last = new_log.add(estimated), estimated
    usage, record = convert(last, reading)
    return MeterResult(new_log.add(reading), reading, usage, record, tuple(estimates))


def _owner_changes(transfers: Iterable[object]) -> list[OwnerChange]:
    found = list(transfers)
    wrong = next((c for c in found if not isinstance(c, OwnerChange)), None)
    if wrong is not None:
        raise ValidationError(f"transfers must be OwnerChange values, got {wrong!r}; pass them")
    return [c for c in found if isinstance(c, OwnerChange)]


@attrs.frozen(slots=True)
class _Converter:
    """Converts the consumption between two readings of one meter into a usage record."""

    log: MeterLog
    reading_type: MeterReadingType
    policies: tuple[ConversionPolicy, ...]
    usage_catalogs: tuple[UsageCatalog, ...]
    termed_service_code: str | None
    catalog_code: str | None
    zone: str | tzinfo
    holder: Holder
    transfers: tuple[OwnerChange, ...]

    def __call__(
        self, previous: MeterReading, reading: MeterReading
    ) -> tuple[UsageQuantity, UsageRecord]:
        usage = _convert(
            previous.value,
            reading.value,
            self.reading_type,
            self.policies,
            catalog_code=self.catalog_code,
            termed_service_code=self.termed_service_code,
        )
        usage_catalog = next((c for c in self.usage_catalogs if c.code == usage.catalog_code), None)
        if usage_catalog is None:
            raise NotFound("usage catalog", usage.catalog_code, "pass it in usage_catalogs")
        day = billing_date(reading.at, self.zone)
        unit_of_rate = usage_catalog.rate_on(usage.product_code, day).unit
        p, serial, kind = self.log.meter
        ref = f"{p}/{serial}/{kind}/{reading.at.isoformat()}"
        customer = owner_until(self.transfers, reading.at, self.holder)
        return usage, usage.to_record(unit_of_rate, reading.at, customer, ref)
