"""The values the conformance suite stores, and the builders that make them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from prodlife.billing.invoices import Invoice, InvoiceKey, InvoiceStatus
from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.billing.payments import Allocation, Payment, PaymentKind
from prodlife.catalog.catalog import Catalog, CatalogVersion
from prodlife.catalog.products import Validity
from prodlife.catalog.sync_definition import MatchOn, SyncDefaults, SyncDefinition, SyncMode
from prodlife.catalog.sync_runs import FileFormat, RowError, RowOutcome, RowResult, SyncRun
from prodlife.cycles import ANNUAL, MONTHLY
from prodlife.lifecycle.actors import Actor, Permission
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.operations import suspend, unsuspend
from prodlife.lifecycle.orders import (
    DomainAction,
    DomainLine,
    Order,
    OrderLine,
    OrderOptions,
    OrderStatus,
)
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status, SuspensionKind
from prodlife.money import Money
from prodlife.periods import Period
from prodlife.pricing.plans import PlanRate, PricePlan
from prodlife.pricing.promotions import Promotion, PromotionDuration, PromotionKind
from prodlife.pricing.quote import AddonPick, OptionPick, OrderLineSpec
from prodlife.pricing.rates import Rate, Tier
from prodlife.proration import prorate
from prodlife.testing.services import make_service as make_service
from prodlife.testing.strategies import currencies, money, periods

# --- values the tests store -------------------------------------------------------------

#: Every instant in the suite is built from this one (no wall clock).
T0 = datetime(2025, 4, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)
TOKYO = timezone(timedelta(hours=9))
ST_JOHNS = timezone(-timedelta(hours=3, minutes=30))
NEW_YORK = timezone(-timedelta(hours=5))
STAFF = Actor.staff("contract", set(Permission))

#: Ids whose order differs between code points and other collations: case, digits,
#: punctuation, accents, CJK, a character above U+FFFF and one that UTF-16 puts after it.
TRICKY_IDS = (
    "S-10",
    "S-9",
    "S-1",
    "s-1",
    "S-1a",
    "S_1",
    "S 1",
    "Z",
    "a",
    "10",
    "9",
    "-1",
    "~",
    "é-1",
    "e-1",
    "ß",
    "Ω",
    "中-1",
    "\U0001f600",
    "\uff5e",
)


def usd(amount: str) -> Money:
    """US dollars."""
    return Money(amount, "USD")


def changed(service: Service, at: datetime = T0) -> Service:
    """``service`` one version later (suspended by staff, or unsuspended)."""
    if service.status.status is Status.SUSPENDED:
        return unsuspend(service, STAFF, at).service
    return suspend(service, STAFF, at, SuspensionKind.BY_ADMINISTRATOR).service


def make_line(
    service_id: str = "S-1",
    customer_id: str = "C-1",
    amount: Money | str = "10.00",
    description: str = "WEB BASIC for the period",
) -> InvoiceLine:
    """An invoice line for May 2025: a recurring charge, or a reversal when ``amount`` < 0."""
    value = amount if isinstance(amount, Money) else usd(amount)
    may = Period(date(2025, 5, 1), date(2025, 6, 1))
    share = prorate(abs(value), may, may)
    if share.amount != abs(value):  # below the minor unit: a one-time line keeps it whole
        return InvoiceLine(
            service_id,
            customer_id,
            LineType.ONE_TIME,
            "FEE",
            "",
            description,
            value,
            day=may.start,
            reverses=value.amount < 0,
        )
    return InvoiceLine(
        service_id,
        customer_id,
        LineType.RECURRING,
        "",
        "",
        description,
        value,
        share,
        reverses=value.amount < 0,
    )


def make_event(
    service_id: str = "S-1",
    kind: EventKind = EventKind.SUSPENDED,
    at: datetime = T0,
    customer_id: str = "C-1",
) -> Event:
    """An event with details."""
    return Event(kind, service_id, customer_id, at, (("kind", "by administrator"), ("n", "1")))


def make_invoice(
    number: str = "INV-1",
    customer_id: str = "C-1",
    *,
    due_on: date = date(2025, 5, 1),
    service_ids: tuple[str, ...] = ("S-1",),
    amount: Money | str = "10.00",
    paid: str | None = None,
) -> Invoice:
    """An open invoice of one :func:`make_line` per service, issued at :data:`T0`
    (``paid`` of it settled)."""
    lines = [make_line(service_id, customer_id, amount) for service_id in service_ids]
    currency = lines[0].amount.currency.code
    invoice = Invoice.issue(number, InvoiceKey(customer_id, currency, due_on, "card"), lines, T0)
    return invoice if paid is None else invoice.paid_with(Money(paid, currency))


def make_payment(
    reference: str = "PAY-1",
    customer_id: str = "C-1",
    received_at: datetime = T0,
    *,
    settled: tuple[tuple[str, str], ...] = (("INV-1", "10.00"),),
    to_credit: str | None = "2.50",
    kind: PaymentKind = PaymentKind.PAYMENT,
) -> Payment:
    """A card payment in US dollars: ``settled`` (invoice, amount) and ``to_credit``."""
    allocations = [Allocation(invoice, usd(amount)) for invoice, amount in settled]
    credit = None if to_credit is None else usd(to_credit)
    parts = [allocation.amount for allocation in allocations] + ([] if credit is None else [credit])
    return Payment(
        reference,
        customer_id,
        sum(parts[1:], parts[0]),
        "card",
        received_at,
        kind,
        allocations,
        credit,
        "contract",
    )


PLAN = PricePlan(
    "STD",
    "Standard",
    "USD",
    (
        PlanRate("VPS", MONTHLY, Rate.flat(usd("10.00")), setup_fee=usd("5.00")),
        PlanRate("VPS", ANNUAL, Rate.graduated((Tier(5, usd("8.00")), Tier(None, usd("6.50"))))),
        PlanRate(
            "WEB",
            MONTHLY,
            Rate.per_unit(usd("4.125")),
            edition="PRO",
            validity=Validity(date(2025, 1, 1), date(2026, 1, 1)),
            applies_to_components=False,
        ),
    ),
    Validity(start=date(2025, 1, 1)),
)

PROMOTIONS = (
    Promotion(
        "SUMMER25",
        PromotionKind.PERCENTAGE,
        Decimal("12.5"),
        PromotionDuration.CYCLES,
        cycles=3,
        products=frozenset({"WEB", "VPS"}),
        billing_cycles=frozenset({MONTHLY, ANNUAL}),
        starts=date(2025, 6, 1),
        expires=date(2025, 9, 1),
        max_uses=100,
        max_uses_per_customer=2,
        new_customers_only=True,
        applies_to_setup=True,
    ),
    Promotion(
        "Fixed5", PromotionKind.FIXED_AMOUNT, Money("5.00", "EUR"), PromotionDuration.FOREVER
    ),
    Promotion("OVERRIDE", PromotionKind.PRICE_OVERRIDE, Money("1.999", "BHD")),
    Promotion("FREESETUP", PromotionKind.FREE_SETUP, None),
)


def make_order(
    order_id: str = "O-1",
    customer_id: str = "C-1",
    placed_at: datetime = T0,
    status: OrderStatus = OrderStatus.PENDING,
) -> Order:
    """An order with a rich product line, a domain transfer, a promo code and options."""
    spec = OrderLineSpec(
        "VPS",
        quantity=2,
        cycle=ANNUAL,
        edition="PRO",
        options=(OptionPick("RAM", "4GB", 2),),
        addons=(AddonPick("BACKUP", MONTHLY, 1),),
        promo_code="SUMMER25",
        price_override=usd("9.99"),
    )
    fields: dict[str, Any] = {  # mypy cannot type Order's tuple converters
        "id": order_id,
        "customer_id": customer_id,
        "payment_method": "card",
        "lines": (
            OrderLine(spec, domain="example.com", services=2),
            OrderLine(OrderLineSpec("WEB")),
        ),
        "domains": (
            DomainLine(
                "example.org",
                DomainAction.TRANSFER,
                years=2,
                auth_code="EPP-1",
                price_override=usd("12.00"),
            ),
        ),
        "promo_code": "FREESETUP",
        "status": status,
        "options": OrderOptions(send_confirmation=False, generate_invoice=True),
        "placed_at": placed_at,
    }
    return Order(**fields)


def make_version(name: str = "2025", effective: date = date(2025, 1, 1)) -> CatalogVersion:
    """A catalog version over an empty catalog."""
    return CatalogVersion(name, effective, Catalog())


# --- what the hypothesis round-trips draw ---------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_CODE = _TEXT.filter(lambda text: bool(text.strip()) and text == text.strip())
_ZONES = st.sampled_from((UTC, TOKYO, ST_JOHNS, NEW_YORK))
_INSTANTS = st.builds(
    lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone),
    st.datetimes(datetime(2000, 1, 1), datetime(2090, 12, 31)),
    _ZONES,
)


_DAYS = st.dates(date(1900, 1, 1), date(2199, 12, 31))


@st.composite
def _invoice_lines(draw: st.DrawFn, customer_id: str, currency: str) -> InvoiceLine:
    """Lines of one customer and currency: every type, periods and one-time days."""
    line_type = draw(st.sampled_from(LineType))
    reverses = draw(st.booleans())
    negative = (line_type is LineType.DISCOUNT) != reverses
    fields = (draw(_CODE), customer_id, line_type, draw(_CODE), draw(_CODE), draw(_TEXT))
    rounded = draw(st.booleans())
    price = draw(money(currency, max_minor_units=10**12, min_minor_units=0, rounded=rounded))
    period = draw(st.none() | periods(max_days=400))
    if period is None:
        amount = -price if negative else price
        return InvoiceLine(*fields, amount, day=draw(_DAYS), reverses=reverses)
    used = draw(st.integers(1, period.days))
    share = prorate(price, period, Period(period.start, period.start + timedelta(days=used)))
    amount = -share.amount if negative else share.amount
    return InvoiceLine(*fields, amount, share, reverses=reverses)


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    """Invoices and credit notes, open, partly or wholly paid, void or uncollectible."""
    customer, currency = draw(_CODE), draw(currencies()).code
    lines = draw(st.lists(_invoice_lines(customer, currency), min_size=1, max_size=4))
    invoice = Invoice(
        draw(_CODE),
        customer,
        currency,
        draw(_DAYS),
        draw(_DAYS),
        draw(_TEXT),
        lines,
        draw(_INSTANTS),
        draw(st.just("") | _CODE),
        version=draw(st.integers(1, 2**31 - 1)),
    )
    if invoice.total.amount > 0:  # a credit note is settled when issued: nothing paid on it
        share = draw(st.sampled_from([None, "0", "0.5", "0.999", "1"]))
        if share is not None:
            paid = Money(invoice.total.amount * Decimal(share), currency)
            invoice = attrs.evolve(invoice, paid=paid)
    closed = draw(st.sampled_from([None, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE]))
    return attrs.evolve(invoice, closed=closed, note=draw(_TEXT))


def make_run(
    file_name: str = "products.csv",
    started: datetime = T0,
    *,
    definition: str = "provider A",
    catalog_version: str | None = "2025-04",
) -> SyncRun:
    """A run of three rows (created, updated, failed), started at ``started``."""
    return SyncRun(
        SyncDefinition(
            definition,
            match_on=MatchOn.ALTERNATIVE_CODE,
            defaults=SyncDefaults(type_code="CH", family="TV"),
            families={"TV", "SPORTS"},
        ),
        file_name,
        FileFormat.CSV,
        SyncMode.ROW_BY_ROW,
        started,
        started + HOUR,
        [
            RowResult(2, RowOutcome.CREATED, "HBO"),
            RowResult(3, RowOutcome.UPDATED, "ESPN"),
            RowResult(
                4,
                RowOutcome.FAILED,
                None,
                [RowError("value.date", "'31/04/2025' is not a date that exists", "valid_from")],
            ),
        ],
        catalog_version,
    )
