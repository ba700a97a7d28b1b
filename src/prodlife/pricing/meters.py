"""Meter readings: meters count in their own unit; conversion policies turn them into usage.

Seed 004's meter reading types measure a device's consumption (electricity,
bandwidth). A :class:`ConversionPolicy` turns the difference between two
readings into a quantity of a usage service; :func:`convert_reading` picks
among the policies that apply: the smallest conversion rate wins.

====================  ==========================================================
rule                  condition
====================  ==========================================================
``meter.rollover``    a meter's rollover value is more than 0
``meter.reading``     a reading is at least 0, and below the rollover value if any
``meter.backwards``   without a rollover value, a reading never goes below the last one
``meter.rate``        a conversion rate is more than 0
====================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from prodlife.catalog._findings import check_code, raise_first
from prodlife.errors import NotFound, RuleViolation, ValidationError
from prodlife.money import CONTEXT, to_decimal
from prodlife.pricing.usage import UsageRecord, _text

__all__ = ["ConversionPolicy", "MeterReadingType", "UsageQuantity", "convert_reading"]


def _optional_decimal(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else to_decimal(value, "rollover")


@attrs.frozen(slots=True)
class MeterReadingType:
    """A kind of meter reading (seed 004): what a meter measures, and in which unit.

    Args:
        code: the type's code.
        name: its name, e.g. ``"Electricity"``.
        unit: the unit of measurement of its readings, e.g. ``"kWh"``.
        rollover: the value at which the meter wraps to zero (``100000`` for a five-digit
            counter), or ``None`` for a meter that never wraps.

    Raises:
        RuleViolation: the code, name or unit is empty, or ``rollover`` is not above 0.

    >>> counter = MeterReadingType("ELEC", "Electricity", "kWh", rollover=100000)
    >>> counter.delta(Decimal("99990"), Decimal("15"))
    Decimal('25')
    """

    code: str
    name: str
    unit: str
    rollover: Decimal | None = attrs.field(default=None, converter=_optional_decimal)

    def __attrs_post_init__(self) -> None:
        found = check_code(self.code, "meter reading type")
        found += _text(self.name, "meter reading type name", "usage.name")
        found += _text(self.unit, "unit", "usage.unit")
        if self.rollover is not None and self.rollover <= 0:
            found.append(("meter.rollover", f"rollover {self.rollover} must be more than 0"))
        raise_first(found, self.code)

    def delta(self, previous: Decimal, current: Decimal) -> Decimal:
        """How much the meter counted from ``previous`` to ``current``, in :attr:`unit`.

        A reading below the previous one is a wrap past :attr:`rollover` (at most one wrap
        between two readings); without a rollover value it is refused.

        Raises:
            RuleViolation: a reading is negative or not below the rollover value (rule
                ``meter.reading``), or the meter went backwards (rule ``meter.backwards``).
            InvalidAmount: a reading is a float or not a number.
        """
        before, after = to_decimal(previous, "previous reading"), to_decimal(current, "reading")
        for name, value in (("previous reading", before), ("reading", after)):
            if value < 0 or (self.rollover is not None and value >= self.rollover):
                top = f" and below the rollover value {self.rollover}" if self.rollover else ""
                raise RuleViolation(
                    "meter.reading",
                    f"{self.code} {name} {value} must be at least 0{top}; check the meter",
                    self.code,
                )
        if after >= before:
            return CONTEXT.subtract(after, before)
        if self.rollover is None:
            raise RuleViolation(
                "meter.backwards",
                f"{self.code} meter went backwards from {before} to {after} {self.unit}; "
                "correct the reading, or give the reading type a rollover value if it wraps",
                self.code,
            )
        return CONTEXT.add(CONTEXT.subtract(self.rollover, before), after)


def _type_code(value: MeterReadingType | str) -> str:
    return value.code if isinstance(value, MeterReadingType) else value


def _rate(value: Decimal | int | str) -> Decimal:
    return to_decimal(value, "conversion rate")


@attrs.frozen(slots=True)
class ConversionPolicy:
    """How a meter reading becomes usage (seed 004): usage quantity = reading delta x rate.

    Args:
        reading_type: the meter reading type (or its code) the policy converts.
        usage_product_code: the usage product the converted quantity is of.
        usage_catalog_code: the usage service catalog that product is rated from.
        rate: usage units per meter unit, more than 0 (not a float).
        termed_service_code: a condition: the policy applies only to subscriptions of this
            termed service; ``None`` for every subscription.

    Raises:
        RuleViolation: a code is empty or the rate is not above 0.
    """

    reading_type: str = attrs.field(converter=_type_code)
    usage_product_code: str
    usage_catalog_code: str
    rate: Decimal = attrs.field(converter=_rate)
    termed_service_code: str | None = None

    def __attrs_post_init__(self) -> None:
        found = check_code(self.reading_type, "meter reading type")
        found += check_code(self.usage_product_code, "usage product")
        found += check_code(self.usage_catalog_code, "usage catalog")
        if self.termed_service_code is not None:
            found += check_code(self.termed_service_code, "termed service")
        if self.rate <= 0:
            found.append(("meter.rate", f"conversion rate {self.rate} must be more than 0"))
        raise_first(found, self.reading_type)


@attrs.frozen(slots=True)
class UsageQuantity:
    """A meter reading delta converted into usage units by the winning policy."""

    policy: ConversionPolicy
    reading_unit: str
    delta: Decimal
    quantity: Decimal

    @property
    def product_code(self) -> str:
        """The usage product to charge."""
        return self.policy.usage_product_code

    @property
    def catalog_code(self) -> str:
        """The usage service catalog to rate it from."""
        return self.policy.usage_catalog_code

    def to_record(
        self, unit: str, at: datetime, customer_id: str, reference: str = ""
    ) -> UsageRecord:
        """A usage record of this quantity, in ``unit`` (the unit of the product's rate)."""
        return UsageRecord(self.product_code, self.quantity, unit, at, customer_id, reference)


def convert_reading(
    previous: Decimal,
    current: Decimal,
    reading_type: MeterReadingType,
    policies: Iterable[ConversionPolicy],
    *,
    catalog_code: str | None = None,
    termed_service_code: str | None = None,
) -> UsageQuantity:
    """Convert a meter's consumption between two readings into usage units.

    A policy applies when it is for ``reading_type`` (by code), is for ``catalog_code`` when
    one is given, and its termed-service condition, if any, equals ``termed_service_code``.
    Of the policies that apply, the smallest conversion rate wins (seed 004); equal rates
    are settled by the lowest catalog code, then the lowest usage product code.

    Args:
        previous: the last reading.
        current: the new reading.
        reading_type: the type of the meter.
        policies: every conversion policy on offer.
        catalog_code: only consider policies of this usage service catalog.
        termed_service_code: the subscription's termed service, to meet policies' conditions.

    Returns:
        The delta in meter units, the quantity in usage units and the policy that won.

    Raises:
        NotFound: no policy applies.
        RuleViolation: a bad reading (see :meth:`MeterReadingType.delta`).
        ValidationError: the reading type or a policy is not of its type.

    >>> elec = MeterReadingType("ELEC", "Electricity", "Wh")
    >>> policies = [ConversionPolicy(elec, "POWER", "USC-A", "0.001"),
    ...             ConversionPolicy(elec, "POWER-CHEAP", "USC-B", "0.0005")]
    >>> used = convert_reading(Decimal(1000), Decimal(5000), elec, policies)
    >>> used.product_code, used.quantity
    ('POWER-CHEAP', Decimal('2.0000'))
    """
    if not isinstance(reading_type, MeterReadingType):
        raise ValidationError(f"reading type {reading_type!r} must be a MeterReadingType")
    delta = reading_type.delta(previous, current)
    given: object = policies
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise ValidationError(f"policies {given!r} must be a list of ConversionPolicy")
    items: list[object] = list(given)
    for item in items:
        if not isinstance(item, ConversionPolicy):
            raise ValidationError(f"{item!r} is not a ConversionPolicy")
    policies = [item for item in items if isinstance(item, ConversionPolicy)]
    applying = [
        policy
        for policy in policies
        if policy.reading_type == reading_type.code
        and catalog_code in (None, policy.usage_catalog_code)
        and policy.termed_service_code in (None, termed_service_code)
    ]
    if not applying:
        where = f" in catalog {catalog_code!r}" if catalog_code is not None else ""
        raise NotFound(
            "conversion policy for meter reading type",
            reading_type.code,
            f"no policy{where} applies (termed service {termed_service_code!r}); add one "
            "that converts its readings into a usage product",
        )
    best = min(applying, key=lambda p: (p.rate, p.usage_catalog_code, p.usage_product_code))
    return UsageQuantity(best, reading_type.unit, delta, CONTEXT.multiply(delta, best.rate))
