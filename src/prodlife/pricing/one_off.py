# Over 400 lines: jobs and activities share their sale rules, their catalog checks and one
# rules table (the docstring); their invoice lines are in billing/sales.py.
"""One-off sales: jobs that sell expenses and goods, activities that sell time.

Seed 004 sells some products outside subscriptions:

* a **job** is a small project for a customer. It sells *expenses* (services
  billed once for a fixed amount, e.g. an installation fee) and *physical
  goods* (traceable or not, e.g. a Roku box, an antenna), each with a quantity.
  A :class:`JobType` lists the products jobs of the type may sell.
* an **activity** is a small task. It sells *one-time services*, billed by how
  long they took, e.g. an installation billed by the hour. An
  :class:`ActivityType` lists the one-time services its activities may use.

**Prices.** Both are priced from a price plan's one-time rows
(:data:`~prodlife.cycles.ONE_TIME`), on the job's or activity's date:

* a job line's amount is the row's rate charged for the quantity (a per-unit
  rate multiplies its price by it; a flat rate, the usual one for an expense,
  charges its price whatever the quantity), or the line's ``price_override``
  (a unit price) times the quantity;
* an activity line's amount is the rate per hour times the billed hours: the
  row's rate must be per unit, its price being the rate per hour (its base, if
  any, is charged once per line, e.g. a call-out fee), or the line's
  ``price_override`` is the rate per hour.

**Billed duration.** :class:`DurationRounding` turns the time an activity took
into the time billed: rounded to the increment (up by default, or to the
nearest, halves up, or down), then at least the minimum. A zero increment bills
the exact duration.

**Rounding money once.** Each line's amount is computed exactly (with fractions,
so a third of an hour stays a third) and rounded once, to the currency's minor
units; nothing else is rounded. Taxes come after the lines, computed by
:func:`~prodlife.pricing.taxes.tax_line` on the net of all lines, exactly as
:func:`~prodlife.pricing.quote.quote_order_line` taxes an order line; prices
exclude taxes. So the lines always add up to the total with no cent lost or
gained.

Worked example: an installation of 50 minutes at USD 60.00 an hour, billed in
quarter hours, rounds up to 1 h, so USD 60.00; with 20 % VAT, a tax line of
USD 12.00. A 7-minute visit with a 30-minute minimum bills 0.5 h: USD 30.00.

Their invoice lines are the billing layer's: :func:`prodlife.billing.sales.price_job`
and :func:`~prodlife.billing.sales.price_activity` price a job or an activity.

==========================  =======================================================
rule                        condition
==========================  =======================================================
``code.format``             codes are text with no spaces at either end
``job-type.name``           a job type has a name (``activity-type.name`` likewise)
``job-type.product``        a job type lists products of the catalog
                            (``activity-type.service`` likewise)
``job-type.kind``           a job type lists only expenses and physical goods;
                            an activity type only one-time services
                            (``activity-type.kind``)
``job.customer``            a job or activity names its customer
                            (``activity.customer``)
``job.date``                its date is a ``date`` (``activity.date``)
``job.lines``               it has at least one line, each a :class:`JobLine`
                            (``activity.lines``: each an :class:`ActivityLine`)
``job.type``                it is priced with the type it names (``activity.type``)
``job.product``             a job line sells a product its type lists
                            (``activity.service``)
``job.kind``                the product is an expense or a physical good; an
                            activity's, a one-time service (``activity.kind``)
``job.quantity``            a quantity is a whole number from 1 to
                            :data:`~prodlife.limits.MAX_QUANTITY`
``activity.duration``       a duration is a ``timedelta`` of more than zero
``job.price``               a price override is Money of zero or more
                            (``activity.price``)
``job.currency``            a price override is in the plan's currency
                            (``activity.currency``)
``activity.rate``           a one-time service's plan row is a per-unit rate (per hour)
``duration.rounding``       an increment and a minimum are ``timedelta`` values of
                            zero or more; the mode a :class:`RoundingDirection`
==========================  =======================================================

"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import date, timedelta

import attrs

from prodlife._numbers import is_whole
from prodlife._text import with_article
from prodlife.catalog._findings import (
    Finding,
    check_code,
    frozen_codes,
    is_a,
    is_date,
    is_text,
    raise_first,
)
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.types import Classification, ProductType, ServiceKind
from prodlife.errors import NotFound, RuleViolation
from prodlife.limits import MAX_QUANTITY
from prodlife.money import Money

__all__ = [
    "Activity",
    "ActivityLine",
    "ActivityType",
    "DurationRounding",
    "Job",
    "JobLine",
    "JobType",
    "RoundingDirection",
    "check_activity",
    "check_activity_type",
    "check_job",
    "check_job_type",
]


def _microseconds(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def _is_timedelta(value: object) -> bool:
    return isinstance(value, timedelta)


def _is_money(value: object) -> bool:
    return isinstance(value, Money)


# -- types ------------------------------------------------------------------------


def _sells_on_jobs(product_type: ProductType) -> bool:
    if product_type.classification is Classification.PHYSICAL_GOOD:
        return True
    return product_type.service_kind is ServiceKind.EXPENSE


def _sells_on_activities(product_type: ProductType) -> bool:
    return (
        product_type.classification is Classification.SERVICE
        and product_type.service_kind is ServiceKind.ONE_TIME
    )


def _catalog_findings(
    codes: Iterable[str],
    catalog: Catalog,
    owner: str,
    rule: str,
    fits: Callable[[ProductType], bool],
    wanted: str,
) -> list[Finding]:
    found: list[Finding] = []
    for code in sorted(codes):
        try:
            product_type = catalog.type_of(code)
        except NotFound:
            missing = f"{rule}.{'product' if rule == 'job-type' else 'service'}"
            found.append(
                (
                    missing,
                    f"{owner} lists {code!r}, which the catalog does not define; "
                    "add the product to the catalog or drop it",
                )
            )
            continue
        if not fits(product_type):
            found.append(
                (
                    f"{rule}.kind",
                    f"{owner} lists {code!r}, {with_article(product_type.describes)}; "
                    f"it may list only {wanted}",
                )
            )
    return found


def _type_findings(code: object, name: object, codes: object, what: str) -> list[Finding]:
    found = check_code(code, what)
    if not is_text(name):
        found.append((f"{what.replace(' ', '-')}.name", f"a {what} needs a name; give it one"))
    if isinstance(codes, frozenset):
        for each in sorted(codes, key=repr):
            found += check_code(each, "product")
    return found


@attrs.frozen(slots=True)
class JobType:
    """What jobs of a type may sell: expenses and physical goods.

    Args:
        code: a unique code, e.g. ``"INSTALL-JOB"``.
        name: a display name.
        products: the codes of the products jobs of the type may sell.

    Raises:
        RuleViolation: a code or the name is malformed (the catalog is checked
            by :func:`check_job_type`).
    """

    code: str
    name: str
    products: frozenset[str] = attrs.field(default=frozenset(), converter=frozen_codes)

    def __attrs_post_init__(self) -> None:
        raise_first(check_job_type(self), self.code)


def check_job_type(job_type: JobType, catalog: Catalog | None = None) -> list[Finding]:
    """Every rule ``job_type`` breaks; with a catalog, also the products it lists.

    >>> from prodlife.catalog import Catalog, Classification, Product, ProductType, ServiceKind
    >>> catalog = Catalog(
    ...     [ProductType("TERM", "Termed", Classification.SERVICE,
    ...                  service_kind=ServiceKind.TERMED)],
    ...     [Product("TV", "TV channel", "TERM")],
    ... )
    >>> [rule for rule, _ in check_job_type(JobType("J", "Job", {"TV", "X"}), catalog)]
    ['job-type.kind', 'job-type.product']
    """
    found = _type_findings(job_type.code, job_type.name, job_type.products, "job type")
    if catalog is not None:
        found += _catalog_findings(
            job_type.products,
            catalog,
            f"job type {job_type.code!r}",
            "job-type",
            _sells_on_jobs,
            "expenses and physical goods",
        )
    return found


@attrs.frozen(slots=True)
class ActivityType:
    """What activities of a type may use: one-time services.

    Args:
        code: a unique code, e.g. ``"VISIT"``.
        name: a display name.
        services: the codes of the one-time services activities of the type may use.

    Raises:
        RuleViolation: a code or the name is malformed (the catalog is checked
            by :func:`check_activity_type`).
    """

    code: str
    name: str
    services: frozenset[str] = attrs.field(default=frozenset(), converter=frozen_codes)

    def __attrs_post_init__(self) -> None:
        raise_first(check_activity_type(self), self.code)


def check_activity_type(
    activity_type: ActivityType, catalog: Catalog | None = None
) -> list[Finding]:
    """Every rule ``activity_type`` breaks; with a catalog, also the services it lists."""
    found = _type_findings(
        activity_type.code, activity_type.name, activity_type.services, "activity type"
    )
    if catalog is not None:
        found += _catalog_findings(
            activity_type.services,
            catalog,
            f"activity type {activity_type.code!r}",
            "activity-type",
            _sells_on_activities,
            "one-time services",
        )
    return found


# -- duration rounding ------------------------------------------------------------


class RoundingDirection(enum.Enum):
    """Which way a duration is rounded to its increment."""

    #: Up to the next increment: 50 minutes in quarter hours bill 1 hour.
    UP = "up"
    #: To the nearest increment, halves up: 7.5 minutes in quarter hours bill 15.
    NEAREST = "nearest"
    #: Down to the increment before: 50 minutes in quarter hours bill 45.
    DOWN = "down"


def _check_rounding(instance: DurationRounding) -> list[Finding]:
    found: list[Finding] = []
    for what, value in (("increment", instance.increment), ("minimum", instance.minimum)):
        if not _is_timedelta(value) or value < timedelta(0):
            found.append(
                (
                    "duration.rounding",
                    f"the {what} {value!r} must be a timedelta of zero or more, "
                    "e.g. timedelta(minutes=15)",
                )
            )
    if not is_a(instance.mode, RoundingDirection):
        found.append(("duration.rounding", f"mode {instance.mode!r} must be a RoundingDirection"))
    return found


@attrs.frozen(slots=True)
class DurationRounding:
    """How the time an activity took becomes the time billed.

    The duration is rounded to a whole number of ``increment`` (in ``mode``'s
    direction), then raised to ``minimum`` if it is less. A zero increment
    keeps the duration as it is.

    Args:
        increment: the unit billed, a quarter hour by default.
        minimum: the least billed, however short the work; none by default.
        mode: up (the default), to the nearest (halves up) or down.

    Raises:
        RuleViolation: an increment or minimum is negative or not a
            ``timedelta`` (rule ``duration.rounding``).

    >>> rounding = DurationRounding(minimum=timedelta(minutes=30))
    >>> rounding.bill(timedelta(minutes=50)), rounding.bill(timedelta(minutes=7))
    (datetime.timedelta(seconds=3600), datetime.timedelta(seconds=1800))
    """

    increment: timedelta = timedelta(minutes=15)
    minimum: timedelta = timedelta(0)
    mode: RoundingDirection = RoundingDirection.UP

    def __attrs_post_init__(self) -> None:
        raise_first(_check_rounding(self))

    def bill(self, actual: timedelta) -> timedelta:
        """The duration billed for ``actual``: rounded to the increment, at least the minimum.

        Raises:
            RuleViolation: ``actual`` is not a timedelta of zero or more, or rounds
                past the longest ``timedelta`` (rule ``duration.rounding``).
        """
        if not _is_timedelta(actual) or actual < timedelta(0):
            raise RuleViolation(
                "duration.rounding", f"duration {actual!r} must be a timedelta of zero or more"
            )
        step = _microseconds(self.increment)
        spent = _microseconds(actual)
        if step:
            whole, rest = divmod(spent, step)
            if rest and (
                self.mode is RoundingDirection.UP
                or (self.mode is RoundingDirection.NEAREST and 2 * rest >= step)
            ):
                whole += 1
            spent = whole * step
        try:
            billed = timedelta(microseconds=spent)
        except OverflowError:
            raise RuleViolation(
                "duration.rounding",
                f"duration {actual} rounds past the longest duration Python holds; bill "
                "shorter activities",
            ) from None
        return max(billed, self.minimum)


# -- jobs and activities ----------------------------------------------------------


def _optional_price(value: object, rule: str) -> list[Finding]:
    if value is None:
        return []
    if not _is_money(value) or value.amount < 0:  # type: ignore[attr-defined]
        return [(rule, f"price override {value!r} must be Money of zero or more")]
    return []


def _job_line_findings(line: JobLine) -> list[Finding]:
    found = check_code(line.product_code, "product")
    quantity: object = line.quantity
    if not is_whole(quantity, 1, MAX_QUANTITY):
        found.append(
            (
                "job.quantity",
                f"quantity {quantity!r} of {line.product_code!r} must be a whole number from 1 "
                f"to {MAX_QUANTITY:,} (prodlife.limits.MAX_QUANTITY)",
            )
        )
    return found + _optional_price(line.price_override, "job.price")


@attrs.frozen(slots=True)
class JobLine:
    """A product a job sells.

    Args:
        product_code: an expense or a physical good of the job's type.
        quantity: how many, a whole number of at least 1.
        price_override: a unit price replacing the plan's (times the quantity).

    Raises:
        RuleViolation: rules ``job.quantity``, ``job.price`` or ``code.format``.
    """

    product_code: str
    quantity: int = 1
    price_override: Money | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(_job_line_findings(self), self.product_code)


def _activity_line_findings(line: ActivityLine) -> list[Finding]:
    found = check_code(line.service_code, "service")
    duration: object = line.duration
    if not _is_timedelta(duration) or duration <= timedelta(0):  # type: ignore[operator]
        found.append(
            (
                "activity.duration",
                f"duration {duration!r} of {line.service_code!r} must be a timedelta of more "
                "than zero, e.g. timedelta(minutes=50)",
            )
        )
    return found + _optional_price(line.price_override, "activity.price")


@attrs.frozen(slots=True)
class ActivityLine:
    """A one-time service an activity uses, and how long it took.

    Args:
        service_code: a one-time service of the activity's type.
        duration: how long it took (the billed duration follows
            :class:`DurationRounding`).
        price_override: a rate per hour replacing the plan's.

    Raises:
        RuleViolation: rules ``activity.duration``, ``activity.price`` or ``code.format``.
    """

    service_code: str
    duration: timedelta
    price_override: Money | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(_activity_line_findings(self), self.service_code)


def _job_lines(values: Iterable[JobLine]) -> tuple[JobLine, ...]:
    return tuple(values)


def _activity_lines(values: Iterable[ActivityLine]) -> tuple[ActivityLine, ...]:
    return tuple(values)


def _sale_findings(
    what: str, ident: object, customer: object, type_code: object, lines: object, on: object
) -> list[Finding]:
    found = check_code(ident, what)
    found += check_code(type_code, f"{what} type")
    if not is_text(customer):
        found.append((f"{what}.customer", f"{what} {ident!r} must name its customer"))
    if not is_date(on):
        found.append((f"{what}.date", f"{what} {ident!r}: date {on!r} must be a date"))
    if not lines:
        found.append((f"{what}.lines", f"{what} {ident!r} has no lines; give it at least one"))
    kind = JobLine if what == "job" else ActivityLine
    if isinstance(lines, tuple) and not all(isinstance(line, kind) for line in lines):
        found.append((f"{what}.lines", f"{what} {ident!r}: every line must be a {kind.__name__}"))
    return found


@attrs.frozen(slots=True)
class Job:
    """A small project for a customer, selling expenses and physical goods.

    Args:
        id: the job's id; its invoice lines carry it as their ``service_id``.
        customer_id: who pays.
        job_type: the code of its :class:`JobType`.
        lines: what it sells, in order.
        on: the date it is priced on.

    Raises:
        RuleViolation: a rule of the module's table is broken.
    """

    id: str
    customer_id: str
    job_type: str
    lines: tuple[JobLine, ...] = attrs.field(converter=_job_lines)
    on: date

    def __attrs_post_init__(self) -> None:
        raise_first(check_job(self), self.id)


def check_job(job: Job) -> list[Finding]:
    """Every rule ``job`` breaks on its own (its lines check themselves)."""
    return _sale_findings("job", job.id, job.customer_id, job.job_type, job.lines, job.on)


@attrs.frozen(slots=True)
class Activity:
    """A small task for a customer, billing one-time services by duration.

    Args:
        id: the activity's id; its invoice lines carry it as their ``service_id``.
        customer_id: who pays.
        activity_type: the code of its :class:`ActivityType`.
        lines: the services used, in order.
        on: the date it is priced on.

    Raises:
        RuleViolation: a rule of the module's table is broken.
    """

    id: str
    customer_id: str
    activity_type: str
    lines: tuple[ActivityLine, ...] = attrs.field(converter=_activity_lines)
    on: date

    def __attrs_post_init__(self) -> None:
        raise_first(check_activity(self), self.id)


def check_activity(activity: Activity) -> list[Finding]:
    """Every rule ``activity`` breaks on its own (its lines check themselves)."""
    return _sale_findings(
        "activity",
        activity.id,
        activity.customer_id,
        activity.activity_type,
        activity.lines,
        activity.on,
    )
