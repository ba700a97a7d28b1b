"""The invoice lines of one-off sales: a job's expenses and goods, an activity's time.

Jobs and activities, their types and their rules are the pricing layer's
(:mod:`prodlife.pricing.one_off`, where the rules table is); this module turns
one into invoice lines, on the sale's date. Each line's amount is computed
exactly (with fractions, so a third of an hour stays a third) and rounded once;
taxes come after the lines, computed by :func:`~prodlife.pricing.taxes.tax_line`
on the net of all lines, so the lines add up to the total with no cent lost.

Invoice lines name the job or activity in ``service_id`` (what is billed), the
product in ``subject``; every line is ``ONE_TIME``, taxes are ``TAX`` lines.

>>> from datetime import date, timedelta
>>> from prodlife import ONE_TIME, Money
>>> from prodlife.catalog import Catalog, Classification, Product, ProductType, ServiceKind
>>> from prodlife.pricing import Activity, ActivityLine, ActivityType, PlanRate, PricePlan
>>> from prodlife.pricing import Rate, TaxRate
>>> catalog = Catalog(
...     [ProductType("ONCE", "One-time service", Classification.SERVICE,
...                  service_kind=ServiceKind.ONE_TIME)],
...     [Product("INSTALL", "Installation", "ONCE")],
... )
>>> plan = PricePlan("STD", "Standard", "USD", [
...     PlanRate("INSTALL", ONE_TIME, Rate.per_unit(Money("60.00", "USD"))),
... ])
>>> visits = ActivityType("VISIT", "Home visit", {"INSTALL"})
>>> activity = Activity("A-1", "C-1", "VISIT", [ActivityLine("INSTALL", timedelta(minutes=50))],
...                     date(2025, 3, 1))
>>> for line in price_activity(activity, visits, catalog, plan,
...                            taxes=[TaxRate("VAT", "VAT 20 %", 20)]):
...     print(line)
A-1 one-time Installation: 1:00 billed for 0:50 at USD 60.00 an hour on 2025-03-01 USD 60.00
A-1 tax tax VAT on 2025-03-01 USD 12.00
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction

from prodlife._text import with_article
from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.catalog.catalog import Catalog
from prodlife.cycles import ONE_TIME
from prodlife.errors import InvalidRounding, RuleViolation, ValidationError
from prodlife.money import ROUNDING_MODES, Currency, Money, total
from prodlife.pricing.one_off import (
    Activity,
    ActivityType,
    DurationRounding,
    Job,
    JobType,
    _microseconds,
    _sells_on_activities,
    _sells_on_jobs,
)
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.rates import RateModel
from prodlife.pricing.taxes import TaxRate, _round, tax_line

__all__ = ["price_activity", "price_job"]

_HOUR = Fraction(3_600_000_000)  # microseconds in an hour


def _line(
    sale_id: str,
    customer_id: str,
    tax: bool,
    description: str,
    amount: Money,
    subject: str,
    on: date,
) -> InvoiceLine:
    if tax:
        return InvoiceLine(
            sale_id, customer_id, LineType.TAX, "", subject, description, amount, day=on
        )
    return InvoiceLine(
        sale_id, customer_id, LineType.ONE_TIME, subject, "", description, amount, day=on
    )


def _in_plan(price: Money, currency: Currency, rule: str, code: str) -> Money:
    if price.currency != currency:
        raise RuleViolation(
            rule,
            f"price override {price} of {code!r} is not in the plan's currency {currency}; "
            f"give it in {currency}",
            code,
        )
    return price


def _check_sale(
    sale: object,
    sale_kind: type,
    sale_type: object,
    type_kind: type,
    catalog: object,
    plan: object,
    taxes: object,
    rounding: object,
) -> None:
    """Refuse arguments of the wrong kind before pricing anything."""
    for value, kind in (
        (sale, sale_kind),
        (sale_type, type_kind),
        (catalog, Catalog),
        (plan, PricePlan),
    ):
        if not isinstance(value, kind):
            raise ValidationError(f"{value!r} must be a {kind.__name__}")
    if isinstance(taxes, (str, bytes)) or not isinstance(taxes, Sequence):
        raise ValidationError(f"taxes {taxes!r} must be a sequence of TaxRate")
    for rate in taxes:
        if not isinstance(rate, TaxRate):
            raise ValidationError(f"tax {rate!r} must be a TaxRate")
    if not isinstance(rounding, str) or rounding not in ROUNDING_MODES:
        raise InvalidRounding(rounding)


#: What a job and an activity do with a product: the verb, the rule of a product
#: their type does not list, which products they may sell, and the message saying so.
_SELLS = {
    "job": ("sells", "product", _sells_on_jobs, "jobs sell only expenses and physical goods"),
    "activity": (
        "uses",
        "service",
        _sells_on_activities,
        "activities use only one-time services",
    ),
}


def _check_type(what: str, sale_id: str, named: str, type_code: str) -> None:
    """A sale is priced with the type it names (rules ``job.type``, ``activity.type``)."""
    if named != type_code:
        raise RuleViolation(
            f"{what}.type",
            f"{what} {sale_id!r} is of type {named!r}, not {type_code!r}; price it with "
            "its own type",
            sale_id,
        )


def _sold_name(
    what: str, sale_id: str, code: str, type_code: str, listed: frozenset[str], catalog: Catalog
) -> str:
    """The name of ``code``, which the sale's type lists and a sale of its kind may sell."""
    verb, rule, fits, only = _SELLS[what]
    if code not in listed:
        raise RuleViolation(
            f"{what}.{rule}",
            f"{what} {sale_id!r} {verb} {code!r}, which {what} type {type_code!r} does not "
            f"list; {verb.removesuffix('s')} one of {sorted(listed)} or add it to the type",
            code,
        )
    product_type = catalog.type_of(code)
    if not fits(product_type):
        raise RuleViolation(
            f"{what}.kind",
            f"{what} {sale_id!r} {verb} {code!r}, {with_article(product_type.describes)}; {only}",
            code,
        )
    return catalog.product(code).name


def _taxed(
    lines: list[InvoiceLine],
    sale_id: str,
    customer_id: str,
    currency: Currency,
    taxes: Sequence[TaxRate],
    rounding: str,
    on: date,
) -> tuple[InvoiceLine, ...]:
    if taxes:
        net = total((line.amount for line in lines), currency)
        for part in tax_line(net, tuple(taxes), rounding=rounding).parts:
            lines.append(
                _line(sale_id, customer_id, True, f"tax {part.code}", part.amount, part.code, on)
            )
    return tuple(lines)


def price_job(
    job: Job,
    job_type: JobType,
    catalog: Catalog,
    plan: PricePlan,
    taxes: Sequence[TaxRate] = (),
    *,
    rounding: str = decimal.ROUND_HALF_UP,
) -> tuple[InvoiceLine, ...]:
    """The invoice lines of ``job``: one per line, in order, then one per tax.

    Args:
        job: the job.
        job_type: its type (the one ``job.job_type`` names).
        catalog: where its products are defined.
        plan: the price plan; each product's one-time row on ``job.on``.
        taxes: tax rates on the net of all lines, in order (prices exclude them).
        rounding: the :mod:`decimal` mode each amount is rounded with, once.

    Raises:
        RuleViolation: the type is not the job's (``job.type``), a product is
            not in it (``job.product``) or is not an expense or physical good
            (``job.kind``), a price override is in another currency
            (``job.currency``).
        NotFound: a product is not in the catalog, or the plan has no one-time
            price for it on the job's date.
        ValidationError: an argument is not of its type.
        InvalidRounding: ``rounding`` is not a decimal rounding mode.
        InvalidAmount: an amount is beyond :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.
    """
    _check_sale(job, Job, job_type, JobType, catalog, plan, taxes, rounding)
    _check_type("job", job.id, job.job_type, job_type.code)
    currency = plan.currency
    lines: list[InvoiceLine] = []
    for line in job.lines:
        code = line.product_code
        name = _sold_name("job", job.id, code, job_type.code, job_type.products, catalog)
        if line.price_override is not None:
            unit = _in_plan(line.price_override, currency, "job.currency", code)
            exact = unit * line.quantity
        else:
            exact = plan.rate_for(code, ONE_TIME, job.on).charge(line.quantity).total
        label = name if line.quantity == 1 else f"{name} x {line.quantity}"
        lines.append(
            _line(job.id, job.customer_id, False, label, exact.round(rounding), code, job.on)
        )
    return _taxed(lines, job.id, job.customer_id, currency, taxes, rounding, job.on)


def _clock(value: timedelta) -> str:
    """``1:05`` for 65 minutes; seconds and microseconds only when there are some."""
    seconds, micros = divmod(_microseconds(value), 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours}:{minutes:02d}"
    if seconds or micros:
        text += f":{seconds:02d}"
    if micros:
        text += f".{micros:06d}"
    return text


def price_activity(
    activity: Activity,
    activity_type: ActivityType,
    catalog: Catalog,
    plan: PricePlan,
    rounding: DurationRounding = DurationRounding(),  # noqa: B008 (a frozen value)
    taxes: Sequence[TaxRate] = (),
    *,
    money_rounding: str = decimal.ROUND_HALF_UP,
) -> tuple[InvoiceLine, ...]:
    """The invoice lines of ``activity``: one per line, in order, then one per tax.

    Each line bills the rate per hour times the billed hours
    (:meth:`DurationRounding.bill`), plus the rate's base if it has one,
    computed exactly and rounded once.

    Args:
        activity: the activity.
        activity_type: its type (the one ``activity.activity_type`` names).
        catalog: where its services are defined.
        plan: the price plan; each service's one-time row on ``activity.on``,
            a per-unit rate whose price is the rate per hour.
        rounding: how durations are billed; quarter hours, up, by default.
        taxes: tax rates on the net of all lines, in order (prices exclude them).
        money_rounding: the :mod:`decimal` mode each amount is rounded with, once.

    Raises:
        RuleViolation: the type is not the activity's (``activity.type``), a
            service is not in it (``activity.service``) or is not a one-time
            service (``activity.kind``), its plan row is not per unit
            (``activity.rate``), a price override is in another currency
            (``activity.currency``).
        NotFound: a service is not in the catalog, or the plan has no one-time
            price for it on the activity's date.
        ValidationError: an argument is not of its type.
        InvalidRounding: ``money_rounding`` is not a decimal rounding mode.
        InvalidAmount: an amount is beyond :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.
    """
    _check_sale(
        activity, Activity, activity_type, ActivityType, catalog, plan, taxes, money_rounding
    )
    if not isinstance(rounding, DurationRounding):
        raise ValidationError(f"rounding {rounding!r} must be a DurationRounding")
    _check_type("activity", activity.id, activity.activity_type, activity_type.code)
    currency = plan.currency
    lines: list[InvoiceLine] = []
    for line in activity.lines:
        code = line.service_code
        name = _sold_name(
            "activity", activity.id, code, activity_type.code, activity_type.services, catalog
        )
        base: Money | None = None
        if line.price_override is not None:
            hourly = _in_plan(line.price_override, currency, "activity.currency", code)
        else:
            rate = plan.rate_for(code, ONE_TIME, activity.on).rate
            if rate.model is not RateModel.PER_UNIT or rate.price is None:
                raise RuleViolation(
                    "activity.rate",
                    f"the one-time row of {code!r} in plan {plan.code!r} is a {rate.model.value} "
                    "rate; a one-time service is billed by the hour: give it Rate.per_unit("
                    "<rate per hour>)",
                    code,
                )
            hourly, base = rate.price, rate.base
        billed = rounding.bill(line.duration)
        exact = Fraction(hourly.amount) * Fraction(_microseconds(billed)) / _HOUR
        label = f"{name}: {_clock(billed)} billed for {_clock(line.duration)} at {hourly} an hour"
        if base is not None:
            exact += Fraction(base.amount)
            label += f", plus {base}"
        amount = Money(_round(exact, currency, money_rounding), currency)
        lines.append(
            _line(activity.id, activity.customer_id, False, label, amount, code, activity.on)
        )
    return _taxed(
        lines, activity.id, activity.customer_id, currency, taxes, money_rounding, activity.on
    )
