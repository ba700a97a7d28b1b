"""``prodlife demo``: three months of a small hosting business, kept in SQLite.

The demo runs the main job of prodlife on the embedded SQLite store with a
fixed clock, and prints it as a timeline: a catalog file and a price plan;
orders for two customers, one co-termed to the 1st of the month, each service
activated when its first invoice is paid; a mid-period upgrade; a suspension
and its lifting; a cancellation at the end of the period; the scheduler on the
1st of April, May and June. Every use case that bills issues numbered
invoices, and after each the payment gateway pays what is open (a webhook
delivered twice records its payment once). Then it prints each customer's
invoices, each line with its working (days used of the period, the price, the
amount), and payments, and the revenue per product without tax.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from prodlife.app import Billing
from prodlife.billing.payments import Payment
from prodlife.billing.prorata import Prorata
from prodlife.catalog import CatalogVersion, catalog_from_data
from prodlife.catalog.cancellation_policies import CancellationTiming
from prodlife.cli._args import USAGE
from prodlife.clock import FixedClock
from prodlife.cycles import MONTHLY
from prodlife.lifecycle import (
    Actor,
    Outcome,
    Permission,
    SuspensionKind,
    request_cancellation,
    suspend,
    unsuspend,
)
from prodlife.lifecycle.orders import Order, OrderLine, OrderOptions
from prodlife.money import Money
from prodlife.ports import InvoiceQuery, ServiceQuery
from prodlife.pricing import OrderLineSpec, PlanRate, PricePlan, PricingContext, Rate, TaxRate
from prodlife.stores import open_store

__all__ = ["register", "run_demo"]

#: The catalog, as a host would keep it in a file (``prodlife catalog check`` reads such files).
CATALOG_TOML = """
[[types]]
code = "HOSTING"
name = "Web hosting"
classification = "service"
service_kind = "termed"
composition = "flat"
provisionable = false
customer_may_delete = true

[[products]]
code = "WEB"
name = "Web hosting"
type_code = "HOSTING"
tax_codes = ["VAT"]

[products.validity]
start = "2025-01-01"

[[editions]]
product_code = "WEB"

[[editions.editions]]
code = "BASIC"
name = "Basic"

[[editions.editions]]
code = "PRO"
name = "Pro"

[change_rules]

[[change_rules.rules]]
timing = "immediate"
name = "changes at once"
"""

PRICES = {"BASIC": Decimal("10.00"), "PRO": Decimal("40.00")}
STAFF = Actor.staff("ann", [Permission.SUSPEND, Permission.VIEW_CUSTOMER_PRODUCTS])
#: The payment gateway's webhook records payments as the system.
GATEWAY = Actor.system()


def register(commands: Any) -> None:
    """Add the ``demo`` command to ``commands``."""
    demo = commands.add_parser(
        "demo",
        help="three months of a small hosting business on SQLite, explained",
        description=(
            "Run three months of a small hosting business on the embedded SQLite store with "
            "a fixed clock: orders, co-terming, an upgrade, a suspension, a cancellation, "
            "invoices paid through a payment gateway and the scheduler; print the timeline, "
            "then each customer's invoices (lines with their proration explained) and "
            "payments."
        ),
    )
    demo.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="keep the SQLite database in this new file (default: a temporary file)",
    )
    demo.set_defaults(run=_run)


def _run(arguments: argparse.Namespace) -> int:
    path: Path | None = arguments.db
    if path is None:
        with tempfile.TemporaryDirectory() as folder:
            run_demo(Path(folder) / "demo.db", print)
        return 0
    if path.exists():
        print(
            f"prodlife demo: error: {str(path)!r} exists; give --db a new file "
            "(the demo starts from an empty store)",
            file=sys.stderr,
        )
        return USAGE
    run_demo(path, print)
    print(f"\nEverything is kept in {path}: open it with open_store('sqlite:///{path}').")
    return 0


class _Story:
    """The demo's clock, store and printer, and the timeline's wording."""

    def __init__(self, billing: Billing, clock: FixedClock, say: Callable[[str], object]):
        self.billing = billing
        self.clock = clock
        self.say = say
        self.shown: set[str] = set()
        self.charges = 0

    def on(self, day: date, hour: int = 9) -> None:
        self.clock.set(datetime.combine(day, time(hour), UTC))

    def step(self, what: str, outcome: Outcome | None = None) -> None:
        self.say(f"{self.clock.now():%Y-%m-%d}  {what}")
        for line in () if outcome is None else outcome.lines:
            self.say(f"              {line}")
        self.new_invoices()

    def new_invoices(self) -> None:
        """Show the invoices issued since the last step."""
        for invoice in self.billing.invoices(InvoiceQuery(), STAFF):
            if invoice.number not in self.shown:
                self.shown.add(invoice.number)
                self.say(f"              issued {invoice}")

    def gateway_pays(self) -> list[Payment]:
        """The payment gateway charges each open invoice's balance to the customer's card,
        and its webhook records the payment, with the gateway's id as the reference."""
        payments = []
        for invoice in self.billing.invoices(InvoiceQuery(unpaid=True), STAFF):
            self.charges += 1
            result = self.billing.record_payment(
                invoice.customer_id,
                invoice.balance,
                GATEWAY,
                reference=f"ch_{self.charges:04d}",
                method="card",
                invoice=invoice.number,
            )
            self.say(f"{self.clock.now():%Y-%m-%d}  gateway: {result.payment}")
            for outcome in result.outcomes:
                for item in outcome.events:
                    self.say(f"              {item.service_id} {item.kind}")
            payments.append(result.payment)
        return payments

    def webhook_again(self, payment: Payment) -> None:
        """The gateway delivers a payment's webhook a second time, as gateways do."""
        again = self.billing.record_payment(
            payment.customer_id,
            payment.amount,
            GATEWAY,
            reference=payment.reference,
            method=payment.method,
            invoice=payment.allocations[0].invoice,
        )
        kept = "already recorded, nothing changed" if again.duplicate else "RECORDED TWICE"
        self.step(f"gateway: webhook {payment.reference} delivered again: {kept}")


def run_demo(path: Path, say: Callable[[str], object]) -> None:
    """Run the demo on a new SQLite database at ``path``, printing with ``say``."""
    clock = FixedClock(datetime(2025, 3, 1, 9, tzinfo=UTC))
    store = open_store(f"sqlite:///{path}")
    story = _Story(Billing(store, clock=clock), clock, say)
    try:
        say("Timeline (SQLite store, fixed clock, amounts in USD, VAT 20 % on top)")
        context = _set_up(story)
        _march(story, context)
        for month in (4, 5, 6):
            _first_of(story, date(2025, month, 1))
        say("")
        _invoices(story)
    finally:
        store.close()


def _set_up(story: _Story) -> PricingContext:
    catalog = catalog_from_data(tomllib.loads(CATALOG_TOML))
    story.billing.add_catalog_version(CatalogVersion("2025", date(2025, 1, 1), catalog))
    rates = [
        PlanRate("WEB", MONTHLY, Rate.flat(Money(price, "USD")), edition=edition)
        for edition, price in PRICES.items()
    ]
    plan = PricePlan("STD", "Standard", "USD", rates, taxes=[TaxRate("VAT", "VAT", 20)])
    with story.billing.store.transaction() as uow:
        uow.price_plans.add(plan)
        uow.commit()
    story.step("catalog 2025 stored (WEB: Basic 10.00, Pro 40.00 a month); price plan STD")
    return PricingContext(plan, date(2025, 3, 1))


def _order(
    story: _Story,
    order_id: str,
    customer: str,
    count: int,
    context: PricingContext,
    prorata: Prorata | None = None,
) -> tuple[str, ...]:
    spec = OrderLineSpec("WEB", edition="BASIC")
    order = Order(
        id=order_id,
        customer_id=customer,
        payment_method="card",
        lines=(OrderLine(spec, services=count),),
        options=OrderOptions(activate_on_payment=True),
        placed_at=story.clock.now(),
    )
    quote, services = story.billing.place_order(
        order, context, Actor.customer(customer), prorata=prorata
    )
    ids = tuple(service.id for service in services)
    aligned = " co-termed to the 1st," if prorata is not None else ""
    story.step(
        f"{customer} ordered {order_id}: {count} x WEB Basic,{aligned} quoted {quote.total} "
        "a month, activated on payment"
    )
    return ids


def _march(story: _Story, context: PricingContext) -> None:
    (web,) = _order(story, "O-1", "C-1", 1, context)
    (paid,) = story.gateway_pays()
    story.webhook_again(paid)
    story.on(date(2025, 3, 10))
    first, second = _order(story, "O-2", "C-2", 2, context, prorata=Prorata(1))
    story.gateway_pays()
    story.on(date(2025, 3, 16))
    upgrade = story.billing.change_package(
        web, Actor.customer("C-1"), price_plan="STD", to_edition="PRO"
    )
    story.step(f"C-1 upgraded {web} from Basic to Pro (the rest of March re-priced)", upgrade)
    story.gateway_pays()
    story.on(date(2025, 3, 20))
    story.billing.perform(suspend, first, STAFF, SuspensionKind.BY_ADMINISTRATOR, reason="abuse")
    story.step(f"{first} suspended by staff (abuse report)")
    story.on(date(2025, 3, 25))
    story.billing.perform(unsuspend, first, STAFF, reason="resolved")
    story.step(f"{first} suspension lifted")
    story.billing.perform(
        request_cancellation,
        second,
        Actor.customer("C-2"),
        CancellationTiming.END_OF_PERIOD,
        "moving to another provider",
    )
    story.step(f"C-2 asked to cancel {second} at the end of the period")


def _first_of(story: _Story, day: date) -> None:
    story.on(day, 6)
    report = story.billing.run_due()
    handled = ", ".join(report.handled) or "nothing"
    story.step(f"scheduler run: {handled} due")
    story.on(day, 12)
    story.gateway_pays()
    for service in story.billing.services(ServiceQuery()):
        if service.ended and service.termination_date == day:
            story.step(f"{service.id} ended: {service.status}")


def _invoices(story: _Story) -> None:
    say = story.say
    say("Invoices and payments, by customer (prorated lines show days used/days)")
    for customer in ("C-1", "C-2"):
        statement = story.billing.statement(customer, STAFF)
        say(f"  {customer}")
        for invoice in statement.invoices:
            say(
                f"    {invoice.number}  issued {invoice.issued_on}  due {invoice.due_on}  "
                f"{invoice.status}  total {invoice.total}"
            )
            for line in invoice.lines:
                say(f"        {line}")
        for payment in statement.payments:
            say(f"    {payment.received_at:%Y-%m-%d} {payment}")
        owed = ", ".join(str(m) for m in statement.owed) or "nothing"
        credit = ", ".join(str(m) for m in statement.credit) or "none"
        say(f"    owed: {owed}; credit: {credit}")
    tax = Money("0", "USD")
    for customer in ("C-1", "C-2"):
        for invoice in story.billing.statement(customer, STAFF).invoices:
            tax += invoice.taxes
    say("")
    for revenue in story.billing.revenue_by_product():
        say(f"Revenue from {revenue.product_code}, March to June, tax excluded: {revenue.amount}")
    say(f"VAT collected for the tax office: {tax}")
