"""prodlife demo: periods, proration, a plan change and a priced order line.

Run it with ``python examples/demo.py``. It prints what a billing engineer checks first:
periods that never drift, a prorated charge under several day-count conventions, an amount
split across lines with no cent lost, a mid-period upgrade explained line by line, and an
order line priced from a price plan with a promo code and VAT, and a month of billing kept in
an SQLite file: an order of two services, its invoice paid (which activates them) and the
scheduler's renewal run.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from prodlife import (
    ACTUAL_DAYS,
    MONTHLY,
    THIRTY_DAY_MONTHS,
    Actor,
    Billing,
    BillingSchedule,
    FixedClock,
    InvoiceQuery,
    Money,
    Order,
    OrderLine,
    OrderLineSpec,
    OrderOptions,
    Period,
    PlanRate,
    PricePlan,
    PricingContext,
    Promotion,
    Rate,
    ServiceQuery,
    TaxRate,
    quote_change,
)
from prodlife.alignment import align_to_billing_day
from prodlife.catalog import (
    Catalog,
    CatalogVersion,
    Classification,
    Product,
    ProductType,
    ServiceKind,
)
from prodlife.daycount import FixedDays
from prodlife.l10n import format_money, format_period
from prodlife.pricing import PromotionKind, Tier, quote_order_line
from prodlife.proration import Charge
from prodlife.stores import open_store


def main() -> None:
    price = Money("29.99", "EUR")
    schedule = BillingSchedule(MONTHLY, date(2025, 1, 31))
    print("A monthly service anchored on Jan 31 (no drift after February):")
    for index in range(4):
        print(f"  period {index}: {schedule.period(index)}")

    february = schedule.period(1)
    change = date(2025, 3, 10)
    used = Period(february.start, change)
    print(f"\nUsed {used} of {february} at {format_money(price, 'en_IE')} a month:")
    for convention in (ACTUAL_DAYS, THIRTY_DAY_MONTHS, FixedDays(30)):
        measure = convention.measure(used, february)
        exact = price * measure.used / measure.total
        print(
            f"  {convention.name:<14} {measure.used:>2}/{measure.total:<2} "
            f"exact {exact.amount:.6f}  charged {format_money(exact.round(), 'de_DE')}"
        )

    aligned = align_to_billing_day(date(2025, 3, 10), 1)
    print(
        f"\nOrdered on Mar 10, billed on the 1st: first charge covers "
        f"{format_period(aligned.first)} of the window {format_period(aligned.window)}"
    )

    parts = Money("100.00", "EUR").allocate([1, 1, 1])
    print(f"\nEUR 100.00 split three ways: {', '.join(str(p) for p in parts)}")
    print(f"  and back together: {sum(parts)}")

    paid = Charge(Money("30.00", "USD"), Period(date(2025, 11, 1), date(2025, 12, 1)))
    upgrade = quote_change(paid, Money("100.00", "USD"), date(2025, 11, 16))
    print(f"\nUpgrade from USD 30 to USD 100 a month on Nov 16:\n{upgrade}")

    seats = Rate.graduated([Tier(10, Money("5.00", "USD")), Tier(None, Money("4.00", "USD"))])
    plan = PricePlan(
        "STD",
        "Standard",
        "USD",
        [PlanRate("CRM", MONTHLY, seats, setup_fee=Money("50", "USD"))],
        taxes=[TaxRate("VAT", "VAT", 20)],
    )
    welcome = Promotion("WELCOME", PromotionKind.FREE_SETUP, None)
    context = PricingContext(
        plan,
        date(2025, 11, 16),
        promotions=[welcome],
        taxes=plan.taxes,
        customer_id="C-1",
    )
    order = quote_order_line(OrderLineSpec("CRM", quantity=12, promo_code="welcome"), context)
    print(f"\n12 CRM seats with promo code WELCOME:\n{order}")

    with tempfile.TemporaryDirectory() as folder:
        a_month_of_billing(f"sqlite:///{Path(folder) / 'billing.db'}", context, welcome)


def a_month_of_billing(url: str, context: PricingContext, welcome: Promotion) -> None:
    """Order two services kept in an SQLite file (the embedded default), pay their invoice
    (which activates them), and let the scheduler invoice the next month."""
    print(f"\nA month of billing in {url.rsplit('/', 1)[-1]} (SQLite, the default store):")
    store = open_store(url)
    crm = ProductType("CRM", "CRM seats", Classification.SERVICE, service_kind=ServiceKind.TERMED)
    catalog = Catalog(types=[crm], products=[Product("CRM", "CRM", "CRM")])
    with store.transaction() as uow:  # what is sold, and at which prices
        uow.catalog.add_version(CatalogVersion("2025", date(2025, 1, 1), catalog))
        uow.price_plans.add(context.plan)
        uow.promotions.add(welcome)
        uow.commit()
    clock = FixedClock(datetime(2025, 11, 16, 9, tzinfo=UTC))
    billing = Billing(store, clock=clock)
    line = OrderLine(OrderLineSpec("CRM", quantity=12, promo_code="WELCOME"), services=2)
    order = Order(
        id="O-1",
        customer_id="C-1",
        payment_method="card",
        lines=[line],
        options=OrderOptions(activate_on_payment=True),
        placed_at=clock.now(),
    )
    quote, services = billing.place_order(order, context, Actor.customer("C-1"))
    print(f"  order O-1: {len(services)} services, {quote.total} invoiced")
    staff = Actor.staff("ann", ["customer products: view"])
    (invoice,) = billing.invoices(InvoiceQuery(customer_id="C-1", unpaid=True), staff)
    print(f"  {invoice}")
    # The payment gateway's webhook records the card payment, once per reference.
    paid = billing.record_payment(
        "C-1", invoice.balance, Actor.system(), reference="ch_1", method="card"
    )
    print(f"  {paid.payment}")
    clock.set(datetime(2025, 12, 16, 6, tzinfo=UTC))
    report = billing.run_due()
    print(f"  Dec 16 scheduler run invoiced {', '.join(report.handled)}")
    store.close()
    reopened = Billing(open_store(url), clock=clock)  # everything was kept in the file
    for service in reopened.services(ServiceQuery(customer_id="C-1")):
        print(
            f"  {service.id}: {service.status}, paid through {service.paid_through}, "
            f"invoiced until {service.billed_until}"
        )
    for open_invoice in reopened.invoices(InvoiceQuery(unpaid=True), staff):
        print(f"  {open_invoice}")
    for revenue in reopened.revenue_by_product():
        # The store adds every line issued but taxes (owed to the tax office, not revenue).
        print(f"  revenue over 12 months, tax excluded, {revenue.product_code}: {revenue.amount}")
    reopened.store.close()


if __name__ == "__main__":
    main()
