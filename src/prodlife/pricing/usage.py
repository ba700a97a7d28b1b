# Over 400 lines: one pipeline: usage rates, records, the usage catalog that checks them and
# rate_usage(); meter readings are in pricing/meters.py.
"""Usage: usage service catalogs, and usage records rated into charges.

Seed 004's usage services are offered on request and charged on what was consumed. A
:class:`UsageCatalog` lists them with their rates (one :class:`UsageRateRow` per product and
validity window, all in the catalog's currency) and may give a catalog-level discount: one of
the usage-catalog discounts that additive discounts come after.

:func:`rate_usage` turns :class:`UsageRecord` values into one explained :class:`UsageCharge`
per customer, product and rate row. Each record is rated by the rate row valid on its billing
date: the date its instant ``at`` falls on in ``zone`` (UTC unless told), or ``on`` for every
record when a rating run fixes one date. The quantities of a group are added up and the rate is
applied once to the total, so a rate's included allowance is granted once per charge (call
:func:`rate_usage` once per billing period). Amounts are exact; rounding happens in the quote.

Meter readings become usage records through :mod:`prodlife.pricing.meters`.

=======================  ===============================================================
rule                     condition
=======================  ===============================================================
``usage.quantity``       a usage quantity or included allowance is a number of at least 0
                         and at most :data:`~prodlife.limits.MAX_QUANTITY`
``usage.rate``           a rate row holds a :class:`UsageRate` and a ``Validity``
``usage.unit``           a unit is non-empty text; a record is in its rate's unit
``usage.customer``       a usage record names its customer
``usage.price``          a unit price is Money of zero or more
``usage.currency``       every rate of a catalog is in the catalog's currency
``usage.validity``       a rate row's validity has date bounds and ends after it starts
``usage.overlap``        two rate rows of one product never cover the same day
``usage.discount``       a catalog discount is a percentage from 0 to 100
``usage.name``           a catalog or meter reading type has a name
=======================  ===============================================================

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.catalog.products import Validity
>>> usc = UsageCatalog("USC-STD", "Standard usage", "EUR", [
...     UsageRateRow("DATA", UsageRate(Money("0.10", "EUR")), "GB", Validity(end=date(2025, 3, 1))),
...     UsageRateRow("DATA", UsageRate(Money("0.08", "EUR")), "GB", Validity(date(2025, 3, 1))),
... ])
>>> feb, mar = datetime(2025, 2, 27, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)
>>> records = [UsageRecord("DATA", "12", "GB", feb, "C-1", "r1"),
...            UsageRecord("DATA", "5", "GB", mar, "C-1", "r2")]
>>> for charge in rate_usage(records, usc):
...     print(charge.description, charge.references)
DATA: 12 GB at EUR 0.10 per GB = EUR 1.20 ('r1',)
DATA: 5 GB at EUR 0.08 per GB = EUR 0.40 ('r2',)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from decimal import Decimal

import attrs

from prodlife.catalog._findings import Finding, check_code, raise_first
from prodlife.catalog._findings import is_a as _is
from prodlife.catalog.products import Validity
from prodlife.clock import as_utc
from prodlife.errors import NotFound, RuleViolation, ValidationError
from prodlife.limits import MAX_QUANTITY
from prodlife.money import CONTEXT, Currency, Money, to_decimal
from prodlife.periods import billing_date

__all__ = [
    "UsageCatalog",
    "UsageCharge",
    "UsageRate",
    "UsageRateCharge",
    "UsageRateRow",
    "UsageRecord",
    "check_usage_catalog",
    "rate_usage",
]

_ZERO = Decimal(0)


def _quantity(value: Decimal | int | str) -> Decimal:
    quantity = to_decimal(value, "usage quantity")
    if quantity > MAX_QUANTITY:
        raise RuleViolation(
            "usage.quantity",
            f"usage quantity {quantity} is more than {MAX_QUANTITY:,}, beyond "
            "prodlife.limits.MAX_QUANTITY; split it into several records, or check its unit",
        )
    return quantity


def _text(value: object, what: str, rule: str) -> list[Finding]:
    if isinstance(value, str) and value.strip():
        return []
    return [(rule, f"{what} {value!r} must be non-empty text, e.g. 'GB'")]


def _at_least_zero(value: Decimal, what: str, rule: str) -> list[Finding]:
    if value >= 0:
        return []
    return [(rule, f"{what} {value} is negative; give a number of at least 0")]


@attrs.frozen(slots=True)
class UsageRateCharge:
    """What a :class:`UsageRate` charges for a quantity: billable units and their exact total."""

    quantity: Decimal
    billable: Decimal
    total: Money


@attrs.frozen(slots=True)
class UsageRate:
    """A per-unit usage rate: units beyond the included allowance at the unit price.

    Args:
        unit_price: the price of one unit (zero or more).
        included: units free of charge per charge line (not a float; 0 by default).

    Raises:
        RuleViolation: the price or the allowance is negative.
        InvalidAmount: ``included`` is a float or not a number.

    >>> UsageRate(Money("0.10", "EUR"), included=100).charge(Decimal(150)).total
    Money('5.00', 'EUR')
    """

    unit_price: Money
    included: Decimal = attrs.field(default=_ZERO, converter=_quantity)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.unit_price, Money):
            raise RuleViolation(
                "usage.price", f"unit price {self.unit_price!r} must be Money of zero or more"
            )
        found = _at_least_zero(self.unit_price.amount, "unit price", "usage.price")
        raise_first(found + _at_least_zero(self.included, "included", "usage.quantity"))

    def charge(self, quantity: Decimal) -> UsageRateCharge:
        """The exact charge for ``quantity`` units (at least 0).

        Raises:
            InvalidAmount: ``quantity`` is not a number, or the charge is beyond
                :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.
            RuleViolation: ``quantity`` is negative or more than
                :data:`~prodlife.limits.MAX_QUANTITY` (rule ``usage.quantity``).
        """
        quantity = _quantity(quantity)
        raise_first(_at_least_zero(quantity, "usage quantity", "usage.quantity"))
        billable = max(_ZERO, CONTEXT.subtract(quantity, self.included))
        return UsageRateCharge(quantity, billable, self.unit_price * billable)

    def describe(self, unit: str) -> str:
        """The rate in words, e.g. ``EUR 0.10 per GB (first 100 GB included)``."""
        free = f" (first {self.included} {unit} included)" if self.included else ""
        return f"{self.unit_price} per {unit}{free}"


@attrs.frozen(slots=True)
class UsageRecord:
    """One usage detail record: a quantity of a usage product a customer consumed.

    Args:
        product_code: the usage product consumed.
        quantity: how much (a ``Decimal``, ``int`` or numeric string at least 0; never a float).
        unit: the unit of ``quantity``; must be the unit of the product's rate.
        at: when it was consumed, an aware datetime (stored in UTC).
        customer_id: who consumed it.
        reference: the record's id in the source system, listed on its charge.

    Raises:
        InvalidAmount: ``quantity`` is a float or not a number.
        InvalidInstant: ``at`` is naive.
        RuleViolation: the quantity is negative or more than
            :data:`~prodlife.limits.MAX_QUANTITY`, or a code, unit or customer is empty.
    """

    product_code: str
    quantity: Decimal = attrs.field(converter=_quantity)
    unit: str
    at: datetime = attrs.field(converter=as_utc)
    customer_id: str
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        found = check_code(self.product_code, "usage product")
        found += _at_least_zero(self.quantity, "usage quantity", "usage.quantity")
        found += _text(self.unit, "unit", "usage.unit")
        found += _text(self.customer_id, "customer_id", "usage.customer")
        raise_first(found, self.reference or self.product_code)


@attrs.frozen(slots=True)
class UsageRateRow:
    """The rate of one usage product in a catalog, for a unit and a validity window.

    Raises:
        RuleViolation: the rate is not a :class:`UsageRate` or the validity not a
            :class:`~prodlife.catalog.products.Validity` (rule ``usage.rate``); codes
            and units are checked with the catalog.
    """

    product_code: str
    rate: UsageRate
    unit: str
    validity: Validity = attrs.field(factory=Validity)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.rate, UsageRate) or not isinstance(self.validity, Validity):
            raise RuleViolation(
                "usage.rate",
                f"usage rate row of {self.product_code!r}: rate {self.rate!r} must be a "
                f"UsageRate and validity {self.validity!r} a Validity",
            )


def _currency(value: Currency | str) -> Currency:
    return value if isinstance(value, Currency) else Currency(value)


def _rows(values: Iterable[UsageRateRow]) -> tuple[UsageRateRow, ...]:
    return tuple(values)


def _percent(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else to_decimal(value, "discount percent")


def _dates(v: Validity) -> bool:
    return all(
        bound is None or (isinstance(bound, date) and not isinstance(bound, datetime))
        for bound in (v.start, v.end)
    )


def _overlap(a: Validity, b: Validity) -> bool:
    return (a.end is None or b.start is None or b.start < a.end) and (
        b.end is None or a.start is None or a.start < b.end
    )


@attrs.frozen(slots=True)
class UsageCatalog:
    """A usage service catalog (seed 004): usage products and their rates.

    Args:
        code: the catalog's code.
        name: its display name.
        currency: the currency of every rate in it.
        rates: one row per product and validity window; rows of one product never overlap.
        discount_percent: a discount on every charge rated from it, 0 to 100; ``None`` for none.

    Raises:
        RuleViolation: a rule of the module's table is broken; the first one found.
    """

    code: str
    name: str
    currency: Currency = attrs.field(converter=_currency)
    rates: tuple[UsageRateRow, ...] = attrs.field(converter=_rows)
    discount_percent: Decimal | None = attrs.field(default=None, converter=_percent)

    def __attrs_post_init__(self) -> None:
        raise_first(check_usage_catalog(self), self.code)

    def rate_on(self, product_code: str, day: date) -> UsageRateRow:
        """The rate row of ``product_code`` valid on ``day``.

        Raises:
            NotFound: no row of the product covers ``day``.
        """
        return self.rates[self._find(product_code, day)]

    def _find(self, product_code: str, day: date) -> int:
        for i, row in enumerate(self.rates):
            if row.product_code == product_code and row.validity.covers(day):
                return i
        windows = [
            f"[{r.validity.start}, {r.validity.end})"
            for r in self.rates
            if r.product_code == product_code
        ]
        known = f"its rates cover {', '.join(windows)}" if windows else "it has no rate at all"
        raise NotFound(
            "usage rate for product",
            product_code,
            f"catalog {self.code!r} has no rate valid on {day} ({known}); add a rate row "
            "covering that day or rate the record with another catalog",
        )


def check_usage_catalog(catalog: UsageCatalog) -> list[Finding]:
    """Every rule ``catalog`` breaks (see the module's table)."""
    c = catalog
    found = check_code(c.code, "usage catalog")
    found += _text(c.name, "catalog name", "usage.name")
    pct = c.discount_percent
    if pct is not None and not _ZERO <= pct <= 100:
        found.append(("usage.discount", f"discount {pct}% must be from 0 to 100"))
    for i, row in enumerate(c.rates):
        if not _is(row, UsageRateRow):
            found.append(("usage.rate", f"rate {row!r} must be a UsageRateRow"))
            continue
        where = f"rate of {row.product_code!r}"
        found += check_code(row.product_code, "usage product")
        found += _text(row.unit, f"{where}: unit", "usage.unit")
        price = row.rate.unit_price
        if price.currency != c.currency:
            found.append(
                (
                    "usage.currency",
                    f"{where} is priced in {price.currency}, not the catalog's {c.currency}; "
                    f"price it in {c.currency} or move it to a {price.currency} catalog",
                )
            )
        v = row.validity
        if not _dates(v):
            found.append(("usage.validity", f"{where}: validity bounds must be dates or None"))
        elif v.start is not None and v.end is not None and v.end <= v.start:
            found.append(
                ("usage.validity", f"{where}: validity ends on {v.end}, not after {v.start}")
            )
        for other in c.rates[i + 1 :]:
            same = other.product_code == row.product_code
            if same and _dates(v) and _dates(other.validity) and _overlap(v, other.validity):
                found.append(
                    (
                        "usage.overlap",
                        f"{where}: validities [{v.start}, {v.end}) and [{other.validity.start}, "
                        f"{other.validity.end}) overlap; end one where the other starts",
                    )
                )
    return [(rule, f"usage catalog {c.code!r}: {message}") for rule, message in found]


@attrs.frozen(slots=True)
class UsageCharge:
    """One explained usage charge: a customer's usage of one product under one rate row.

    Attributes:
        customer_id: whose usage it is.
        product_code: the usage product.
        catalog_code: the catalog it was rated from.
        unit: the unit of ``quantity``.
        quantity: the total of the records it covers.
        billable: the quantity charged, after the rate's included allowance.
        row: the rate row applied.
        gross: ``billable`` times the unit price, exact.
        discount_percent: the catalog's discount, if any.
        discount: the catalog discount on ``gross``, exact (zero when none).
        amount: ``gross - discount``, exact (never rounded here).
        first_day: the earliest billing date of its records.
        last_day: the latest billing date of its records.
        references: the non-empty references of its records, in time order.
    """

    customer_id: str
    product_code: str
    catalog_code: str
    unit: str
    quantity: Decimal
    billable: Decimal
    row: UsageRateRow
    gross: Money
    discount_percent: Decimal | None
    discount: Money
    amount: Money
    first_day: date
    last_day: date
    references: tuple[str, ...]

    @property
    def description(self) -> str:
        """The charge in words, e.g. ``DATA: 12 GB at EUR 0.10 per GB = EUR 1.20``."""
        text = f"{self.product_code}: {self.quantity} {self.unit} at "
        text += f"{self.row.rate.describe(self.unit)}"
        if self.billable != self.quantity:
            text += f", {self.billable} {self.unit} billable"
        text += f" = {self.gross}"
        if self.discount_percent is not None:
            text += f", less {self.discount_percent}% catalog discount {self.discount}"
            text += f" = {self.amount}"
        return text


def rate_usage(
    records: Iterable[UsageRecord],
    catalog: UsageCatalog,
    on: date | None = None,
    *,
    zone: str | tzinfo = "UTC",
) -> tuple[UsageCharge, ...]:
    """Rate usage records with a catalog: one charge per customer, product and rate row.

    A record is rated by the catalog row of its product valid on its billing date: the date
    its instant falls on in ``zone``, or ``on`` for every record when given. Records under the
    same row are added up and the rate is applied once to their total. With no included
    allowance, rating records in batches gives exactly the same total as rating them at once.

    Args:
        records: the usage records; any customers and products.
        catalog: the usage service catalog giving the rates.
        on: one billing date to rate every record at; ``None`` to use each record's own.
        zone: the customers' time zone, which turns instants into billing dates.

    Returns:
        The charges, ordered by customer, product and rate validity.

    Raises:
        NotFound: a record's product has no rate valid on its billing date; names both.
        RuleViolation: a record's unit is not its rate's unit (rule ``usage.unit``).
        ValidationError: ``on`` is not a date, the catalog not a :class:`UsageCatalog`,
            or a record is not a :class:`UsageRecord`.
        InvalidAmount: a charge is beyond :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.
        RuleViolation: the records of one charge add up to more than
            :data:`~prodlife.limits.MAX_QUANTITY` (rule ``usage.quantity``).
    """
    if on is not None and (isinstance(on, datetime) or not isinstance(on, date)):
        raise ValidationError(f"on {on!r} must be a billing date (datetime.date), or None")
    if not isinstance(catalog, UsageCatalog):
        raise ValidationError(f"catalog {catalog!r} must be a UsageCatalog")
    given: object = records
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise ValidationError(f"records {records!r} must be a list of UsageRecord")
    groups: dict[tuple[str, str, int], list[tuple[date, UsageRecord]]] = {}
    for record in records:
        if not isinstance(record, UsageRecord):
            raise ValidationError(f"{record!r} is not a UsageRecord; build one for each record")
        day = on if on is not None else billing_date(record.at, zone)
        at = catalog._find(record.product_code, day)
        row = catalog.rates[at]
        if record.unit != row.unit:
            raise RuleViolation(
                "usage.unit",
                f"usage record {record.reference!r} of {record.product_code!r} is in "
                f"{record.unit!r}, but catalog {catalog.code!r} rates it per {row.unit!r}; "
                f"convert the quantity to {row.unit!r} first",
                record.reference or record.product_code,
            )
        key = (record.customer_id, record.product_code, at)
        groups.setdefault(key, []).append((day, record))

    def order(key: tuple[str, str, int]) -> tuple[str, str, date]:
        start = catalog.rates[key[2]].validity.start
        return key[0], key[1], start or date.min

    return tuple(
        _charge(catalog, catalog.rates[key[2]], key[0], groups[key])
        for key in sorted(groups, key=order)
    )


def _charge(
    catalog: UsageCatalog, row: UsageRateRow, customer: str, items: list[tuple[date, UsageRecord]]
) -> UsageCharge:
    items.sort(key=lambda item: (item[1].at, item[1].reference))
    quantity = _ZERO
    for _, record in items:
        quantity = CONTEXT.add(quantity, record.quantity)
    rated = row.rate.charge(quantity)
    pct = catalog.discount_percent
    discount = Money.zero(catalog.currency)
    if pct is not None:
        discount = rated.total * pct.scaleb(-2, context=CONTEXT)
    days = [day for day, _ in items]
    return UsageCharge(
        customer_id=customer,
        product_code=row.product_code,
        catalog_code=catalog.code,
        unit=row.unit,
        quantity=quantity,
        billable=rated.billable,
        row=row,
        gross=rated.total,
        discount_percent=pct,
        discount=discount,
        amount=rated.total - discount,
        first_day=min(days),
        last_day=max(days),
        references=tuple(r.reference for _, r in items if r.reference),
    )
