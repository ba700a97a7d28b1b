"""prodlife demo: periods, proration, a plan change and a priced order line.

Run it with ``python examples/demo.py``. It prints what a billing engineer checks first:
periods that never drift, a prorated charge under several day-count conventions, an amount
split across lines with no cent lost, a mid-period upgrade explained line by line, and an
order line priced from a price plan with a promo code and VAT.
"""

from __future__ import annotations

from datetime import date

from prodlife import (
    ACTUAL_DAYS,
    MONTHLY,
    THIRTY_DAY_MONTHS,
    BillingSchedule,
    Charge,
    FixedDays,
    Money,
    OrderLineSpec,
    Period,
    PlanRate,
    PricePlan,
    PricingContext,
    Promotion,
    PromotionKind,
    Rate,
    TaxRate,
    Tier,
    align_to_billing_day,
    format_money,
    format_period,
    quote_change,
    quote_order_line,
)


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
        "STD", "Standard", "USD", [PlanRate("CRM", MONTHLY, seats, setup_fee=Money("50", "USD"))]
    )
    welcome = Promotion("WELCOME", PromotionKind.FREE_SETUP, None)
    context = PricingContext(
        plan,
        date(2025, 11, 16),
        promotions=[welcome],
        taxes=[TaxRate("VAT", "VAT", 20)],
        customer_id="C-1",
    )
    order = quote_order_line(OrderLineSpec("CRM", quantity=12, promo_code="welcome"), context)
    print(f"\n12 CRM seats with promo code WELCOME:\n{order}")


if __name__ == "__main__":
    main()
