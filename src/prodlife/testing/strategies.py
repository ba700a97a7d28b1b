"""Hypothesis strategies for prodlife's values, for property-based tests.

>>> from hypothesis import given
>>> @given(money())
... def test_rounding_is_idempotent(amount):
...     assert amount.round().round() == amount.round()
>>> test_rounding_is_idempotent()
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from prodlife.billing.ledger import bill
from prodlife.catalog.change_rules import ChangeTiming
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import ONE_TIME, BillingCycle, BillingSchedule, CycleUnit, MonthEnd
from prodlife.errors import PermissionDenied
from prodlife.lifecycle.actors import Actor, Permission
from prodlife.lifecycle.sale import SoldUnder
from prodlife.lifecycle.service_parts import (
    ENDED,
    CancellationKind,
    CancellationRequest,
    Dunning,
    OverrideAutoSuspend,
    PendingChange,
    ServiceAddOn,
    ServiceInvoicing,
    ServiceOption,
)
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import (
    ACTIVE,
    CONFIGURATION_REQUIRED,
    ORDERED,
    ServiceStatus,
    Status,
    SuspensionKind,
)
from prodlife.lifecycle.transitions import Operation, allowed_operations
from prodlife.money import Currency, Money
from prodlife.periods import Period
from prodlife.pricing.recurring import RecurringPrice

__all__ = [
    "billing_cycles",
    "billing_dates",
    "currencies",
    "money",
    "periods",
    "ratios",
    "schedules",
    "services",
]

#: Codes that cover every minor-unit count babel knows for active currencies.
CURRENCY_CODES = ("USD", "EUR", "JPY", "BHD", "KWD", "CLF", "GBP", "CHF", "KRW", "TND", "UYW")

_FIRST = date(1900, 1, 1)
_LAST = date(2199, 12, 31)


def currencies() -> st.SearchStrategy[Currency]:
    """Currencies with 0, 2, 3 and 4 minor units."""
    return st.sampled_from(CURRENCY_CODES).map(Currency)


@st.composite
def money(
    draw: st.DrawFn,
    currency: Currency | str | None = None,
    *,
    max_minor_units: int = 10**12,
    min_minor_units: int | None = None,
    rounded: bool = True,
) -> Money:
    """Amounts of one currency (drawn when not given).

    Args:
        currency: the currency, or ``None`` to draw one.
        max_minor_units: the largest amount, in minor units.
        min_minor_units: the smallest amount (``-max_minor_units`` by default).
        rounded: whether amounts are whole minor units (else up to 6 more digits).
    """
    cur = draw(currencies()) if currency is None else Currency(str(currency))
    low = -max_minor_units if min_minor_units is None else min_minor_units
    units = draw(st.integers(low, max_minor_units))
    amount = Decimal(units).scaleb(-cur.minor_units)
    if not rounded:
        extra = draw(st.integers(0, 999_999))
        amount += Decimal(extra).scaleb(-cur.minor_units - 6)
    return Money(amount, cur)


def billing_dates(first: date = _FIRST, last: date = _LAST) -> st.SearchStrategy[date]:
    """Calendar dates, biased by hypothesis towards month ends and leap days."""
    month_ends = st.builds(
        lambda year, month: (
            date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
        ),
        st.integers(max(first.year, 1901), min(last.year, 2198)),
        st.integers(1, 12),
    )
    leap_days = st.sampled_from([date(y, 2, 29) for y in (1904, 2000, 2024, 2028, 2096)])
    return st.one_of(st.dates(first, last), month_ends, leap_days).filter(
        lambda d: first <= d <= last
    )


@st.composite
def periods(draw: st.DrawFn, max_days: int = 1200) -> Period:
    """Non-empty periods of up to ``max_days`` days."""
    start = draw(billing_dates(_FIRST, _LAST - timedelta(days=max_days)))
    return Period(start, start + timedelta(days=draw(st.integers(1, max_days))))


def billing_cycles() -> st.SearchStrategy[BillingCycle]:
    """Recurring cycles of days, weeks and months (named ones most often)."""
    return st.one_of(
        st.sampled_from([BillingCycle.months(n) for n in (1, 3, 6, 12, 24, 36)]),
        st.builds(BillingCycle, st.just(CycleUnit.MONTH), st.integers(1, 48)),
        st.builds(BillingCycle, st.just(CycleUnit.WEEK), st.integers(1, 8)),
        st.builds(BillingCycle, st.just(CycleUnit.DAY), st.integers(1, 400)),
    )


@st.composite
def schedules(draw: st.DrawFn) -> BillingSchedule:
    """Schedules with any recurring cycle, anchor and month-end policy."""
    cycle = draw(billing_cycles())
    anchor = draw(billing_dates(date(1950, 1, 1), date(2100, 12, 31)))
    policy = draw(st.sampled_from(MonthEnd))
    return BillingSchedule(cycle, anchor, month_end=policy)


def ratios(max_size: int = 12) -> st.SearchStrategy[list[Decimal]]:
    """Lists of non-negative ratios with at least one positive."""
    ratio = st.one_of(
        st.integers(0, 1000).map(Decimal),
        st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False),
    )
    return st.lists(ratio, min_size=1, max_size=max_size).filter(lambda xs: sum(xs) > 0)


# --- services (prodlife.lifecycle) ----------------------------------------------------

#: Short text with any character a JSON document and PostgreSQL's jsonb can hold (not NUL).
_ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_TEXT = _ANY_TEXT.filter(str.strip)
_MAYBE_TEXT = st.none() | _TEXT
_CODES = st.lists(_TEXT, max_size=3, unique=True)
_ZONES = st.sampled_from(
    (UTC, timezone(timedelta(hours=9)), timezone(-timedelta(hours=5, minutes=30)))
)
_CYCLES = billing_cycles()
_SUSPENSIONS = st.sampled_from(SuspensionKind)
_ENDED = st.sampled_from((ServiceStatus(Status.CANCELLED), ServiceStatus(Status.TERMINATED)))
_INSTANTS = st.datetimes(datetime(2000, 1, 1), datetime(2090, 12, 31))
_STAFF = st.builds(Actor.staff, _TEXT, st.frozensets(st.sampled_from(Permission)))
_EVERYTHING = Actor.staff("admin", set(Permission))


def _aware(moment: datetime, zone: timezone) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(zone)


_AWARE = st.builds(_aware, _INSTANTS, _ZONES)


def _later(draw: st.DrawFn, day: date, max_days: int) -> date:
    return day + timedelta(days=draw(st.integers(0, max_days)))


def _amounts(draw: st.DrawFn, currency: Currency, max_minor_units: int) -> Money:
    return draw(money(currency, max_minor_units=max_minor_units, min_minor_units=0))


def _service_addon(
    draw: st.DrawFn, code: str, base_start: date, currency: Currency
) -> ServiceAddOn:
    start = _later(draw, base_start, 400)
    status = draw(
        st.sampled_from(
            (ACTIVE, ORDERED, ServiceStatus(Status.SUSPENDED, draw(_SUSPENSIONS)), draw(_ENDED))
        )
    )
    price = None
    if draw(st.booleans()):
        price = RecurringPrice(_amounts(draw, currency, 10**7), override=draw(st.booleans()))
    return ServiceAddOn(
        code,
        draw(_CYCLES),
        start,
        _later(draw, start, 400) if draw(st.booleans()) else None,
        status,
        _later(draw, start, 400) if status.status in ENDED else None,
        price,
    )


def _pending_change(draw: st.DrawFn, currency: Currency) -> PendingChange:
    timing = draw(st.sampled_from((ChangeTiming.END_OF_TERM, ChangeTiming.AFTER_PAYMENT)))
    return PendingChange(
        timing=timing,
        product_code=draw(_TEXT),
        edition=draw(_MAYBE_TEXT),
        cycle=draw(_CYCLES),
        price=RecurringPrice(_amounts(draw, currency, 10**9), override=draw(st.booleans())),
        requested_at=draw(_AWARE),
        effective=draw(billing_dates()) if timing is ChangeTiming.END_OF_TERM else None,
        rule=draw(_ANY_TEXT),
    )


def _dunning() -> st.SearchStrategy[Dunning]:
    suspend = st.none() | st.integers(0, 90)
    return suspend.flatmap(
        lambda days: st.builds(
            Dunning,
            st.just(days),
            st.none() | st.integers(0 if days is None else days, 365),
        )
    )


def _cancellation(draw: st.DrawFn, at: datetime) -> CancellationRequest:
    kind = draw(st.sampled_from(CancellationKind))
    renewals = draw(st.integers(1, 5)) if kind is CancellationKind.AFTER_RENEWALS else None
    invoices = draw(st.lists(_TEXT, max_size=2))
    return CancellationRequest(kind, draw(_ANY_TEXT), at, renewals, invoices)


@st.composite
def services(
    draw: st.DrawFn, currency: Currency | str | None = None, *, max_operations: int = 6
) -> Service:
    """Valid :class:`~prodlife.lifecycle.services.Service` values, history included.

    Every field is drawn, optional ones sometimes left out: options, add-ons
    (some ended), an auto-suspend override, a cancellation request, a pending
    change, charges over dates or instants, a customer time zone. The history
    comes from up to ``max_operations`` operations the status allows, carried
    out through :meth:`~prodlife.lifecycle.services.Service.perform` by the
    system, the owner or staff (staff holding every permission when the one
    drawn may not), at instants moving forward; sometimes the service is taken
    as a store keeps it (:meth:`~prodlife.lifecycle.services.Service.at_rest`)
    after some of them, so that only the later entries are held. Text is any Unicode but NUL,
    which PostgreSQL cannot store.

    Args:
        currency: the currency of every amount, or ``None`` to draw one.
        max_operations: the most operations in the history.

    >>> from hypothesis import given
    >>> @given(services(max_operations=3))
    ... def test_version_counts_the_history(service):
    ...     assert service.version == service.history.total <= 3
    >>> test_version_counts_the_history()
    """
    cur = draw(currencies()) if currency is None else Currency(str(currency))
    start = draw(billing_dates(date(2000, 1, 1), date(2090, 12, 31)))
    cycle = draw(_CYCLES) if draw(st.integers(0, 9)) else ONE_TIME
    next_due = None
    if cycle != ONE_TIME and draw(st.integers(0, 3)):
        next_due = _later(draw, start, 800)
    paid_through = None
    if next_due is None:
        paid_through = _later(draw, start, 800) if draw(st.booleans()) else None
    elif next_due > start and draw(st.booleans()):
        paid_through = _later(draw, start, (next_due - start).days - 1)
    at = _aware(
        datetime.combine(start, time())
        + draw(st.timedeltas(timedelta(0), timedelta(hours=23, minutes=59))),
        draw(_ZONES),
    )
    service_id = draw(_TEXT)
    service = Service(
        id=service_id,
        customer_id=draw(_TEXT),
        product_code=draw(_TEXT),
        edition=draw(_MAYBE_TEXT),
        cycle=cycle,
        quantity=draw(st.integers(1, 100)),
        price=RecurringPrice(_amounts(draw, cur, 10**9), override=draw(st.booleans())),
        options=[
            ServiceOption(code, draw(_TEXT), draw(st.integers(1, 8))) for code in draw(_CODES)
        ],
        addons=[_service_addon(draw, code, start, cur) for code in draw(_CODES)],
        domain=draw(_MAYBE_TEXT),
        payment_method=draw(_TEXT),
        start=start,
        next_due=next_due,
        paid_through=paid_through,
        status=draw(st.sampled_from((ORDERED, CONFIGURATION_REQUIRED, ACTIVE))),
        auto_renew=draw(st.booleans()),
        override_auto_suspend=draw(
            st.none() | st.builds(OverrideAutoSuspend, st.none() | billing_dates())
        ),
        cancellation=_cancellation(draw, at) if draw(st.integers(0, 3)) == 0 else None,
        time_zone=draw(st.sampled_from(("UTC", "Europe/Paris", "Asia/Tokyo", "America/St_Johns"))),
        pending_change=_pending_change(draw, cur) if draw(st.integers(0, 3)) == 0 else None,
        dunning=draw(st.none() | _dunning()),
        invoicing=draw(st.none() | st.builds(ServiceInvoicing, st.booleans(), st.booleans())),
        bundle_id=draw(st.none() | _TEXT.filter(lambda text: text != service_id)),
        sold_under=draw(
            st.none()
            | st.builds(
                SoldUnder,
                _TEXT,
                _TEXT,
                _TEXT,
                _MAYBE_TEXT,
                st.just(cycle),
                st.none() | billing_dates(),
            )
        ),
        billing_timing=(
            draw(st.sampled_from(BillingTiming))
            if cycle.unit is not CycleUnit.ONE_TIME
            else BillingTiming.IN_ADVANCE
        ),
    )
    if draw(st.booleans()):  # paused for a while, or billed up to a day
        timeline = service.timeline.pause(_later(draw, start, 60))
        service = attrs.evolve(service, timeline=timeline)
    if draw(st.booleans()):
        ledger, _ = bill(service.timeline, service.ledger, _later(draw, start, 400))
        service = attrs.evolve(service, ledger=ledger)
    service = _perform_some(draw, service, at, max_operations)
    if service.version and draw(st.integers(0, 2)) == 0:  # as read from a store, then changed
        service = service.at_rest()
        last_at = service.history.earlier_last_at
        assert last_at is not None
        service = _perform_some(draw, service, last_at, min(max_operations - service.version, 2))
    return service


def _perform_some(draw: st.DrawFn, service: Service, at: datetime, max_operations: int) -> Service:
    """``service`` after up to ``max_operations`` operations its status allows."""
    actors = (Actor.system(), Actor.customer(service.customer_id))
    for _ in range(draw(st.integers(0, max_operations))):
        operations = sorted(
            allowed_operations(
                service.status, cancellation_pending=service.cancellation is not None
            ),
            key=lambda op: op.name,
        )
        if not operations:
            break
        operation = operations[draw(st.integers(0, len(operations) - 1))]
        at += timedelta(minutes=draw(st.integers(0, 60 * 24 * 45)))
        choice = draw(st.integers(0, 2))
        actor = actors[choice] if choice < 2 else draw(_STAFF)
        details: dict[str, Any] = {
            "kind": draw(_SUSPENSIONS) if operation is Operation.SUSPEND else None,
            "provisioning": draw(st.booleans()),
            "customer_may_delete": draw(st.booleans()),
            "request": (
                _cancellation(draw, at) if operation is Operation.SCHEDULE_CANCELLATION else None
            ),
            "details": draw(_ANY_TEXT),
        }
        reason = draw(_ANY_TEXT)
        try:
            service = service.perform(operation, actor, at, reason, **details)
        except PermissionDenied:
            service = service.perform(operation, _EVERYTHING, at, reason, **details)
    return service
