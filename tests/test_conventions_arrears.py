"""Billing in arrears aligned to a billing day, against Kill Bill's own figures.

A service billed in arrears on a billing day (Kill Bill's ``BillingMode.IN_ARREAR`` with a
BCD; prodlife's ``Prorata(day)`` under a post-bill term) is invoiced at each billing day for
what ended by it: first the stub from its start to the billing day, then whole cycles.
Every expected figure here comes from Kill Bill (github.com/killbill/killbill), never from
prodlife:

- ``invoice/src/test/java/org/killbill/billing/invoice/model/TestRecurringInArrear.java``:
  the periods billed by a target date for a start and a BCD;
- ``invoice/src/test/java/org/killbill/billing/invoice/generator/
  TestInArrearBillingIntervalDetail.java``: whether anything is billed by a target date;
- ``beatrix/src/test/java/org/killbill/billing/beatrix/integration/
  TestWithInvoiceOptimization.java``, ``testRecurringInArrear3``: an account with BCD 1, a
  plan of 100.00 a month in arrears created on 2020-02-18, invoiced 41.38 for
  2020-02-18 to 2020-03-01 on 2020-03-01, then 100.00 a month.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest

from prodlife.app import Billing
from prodlife.billing import Prorata
from prodlife.catalog.catalog import CatalogVersion
from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme, BillingTiming
from prodlife.clock import FixedClock
from prodlife.cycles import MONTHLY
from prodlife.lifecycle import Actor, OrderOptions, activate
from prodlife.money import Money
from prodlife.ports import InvoiceQuery
from prodlife.pricing.plans import PlanRate, PricePlan
from prodlife.pricing.rates import Rate
from prodlife.stores import open_store
from tests._lifecycle import SHOP, STAFF, SYSTEM
from tests._support import d
from tests.test_conventions_reference import bill
from tests.test_lifecycle_orders import CONTEXT, order

IN_ARREARS = BillingTiming.IN_ARREARS
PRICE = Money("100.00", "USD")


def _periods(start: str, bcd: int, target: str) -> list[str]:
    """The periods billed in arrears by ``target`` for a monthly service aligned to ``bcd``."""
    lines = bill(Prorata(bcd), d(start), MONTHLY, PRICE, d(target), timing=IN_ARREARS)
    return [str(line.period) for line in lines if line.period is not None]


@pytest.mark.parametrize(
    ("bcd", "expected"),
    [
        # TestRecurringInArrear.testCalculateSimpleInvoiceItemWith...WithTargetDateIn3Months:
        # from 2012-07-16, target 2012-10-16.
        (15, ["[2012-07-16, 2012-08-15)", "[2012-08-15, 2012-09-15)", "[2012-09-15, 2012-10-15)"]),
        (16, ["[2012-07-16, 2012-08-16)", "[2012-08-16, 2012-09-16)", "[2012-09-16, 2012-10-16)"]),
        (17, ["[2012-07-16, 2012-07-17)", "[2012-07-17, 2012-08-17)", "[2012-08-17, 2012-09-17)"]),
    ],
)
def test_kill_bill_in_arrears_bills_a_stub_to_the_bcd_then_whole_months(
    bcd: int, expected: list[str]
) -> None:
    assert _periods("2012-07-16", bcd, "2012-10-16") == expected


def test_kill_bill_in_arrears_bills_nothing_before_the_first_bcd() -> None:
    # TestInArrearBillingIntervalDetail.testScenarioBCDBeforeStart1/2 and BCDAfterStart1/3:
    # from 2012-01-16, BCD 13 bills nothing on 01-16 and the stub to 02-13 on 02-13; BCD 25
    # bills nothing on 01-19 and the stub to 01-25 on 01-25.
    assert _periods("2012-01-16", 13, "2012-01-16") == []
    assert _periods("2012-01-16", 13, "2012-02-13") == ["[2012-01-16, 2012-02-13)"]
    assert _periods("2012-01-16", 25, "2012-01-19") == []
    assert _periods("2012-01-16", 25, "2012-01-25") == ["[2012-01-16, 2012-01-25)"]


def test_kill_bill_in_arrears_on_bcd_31_bills_the_month_ending_on_a_clamped_day() -> None:
    # TestRecurringInArrear.testWithBCDEndOfMonthPriorTargetDate (killbill issue 2133): from
    # 2025-03-31 with BCD 31, target 2025-05-30: only [2025-03-31, 2025-04-30).
    assert _periods("2025-03-31", 31, "2025-05-30") == ["[2025-03-31, 2025-04-30)"]


def test_kill_bill_in_arrears_with_a_bcd_through_the_order_and_the_scheduler() -> None:
    # TestWithInvoiceOptimization.testRecurringInArrear3: BCD 1, 100.00 a month in arrears,
    # created 2020-02-18: 41.38 for [2020-02-18, 2020-03-01) (12 of February 2020's 29 days)
    # invoiced on 2020-03-01, then 100.00 for March on 2020-04-01 and for April on 2020-05-01.
    store = open_store("memory:")
    plan = PricePlan("KB", "In arrears", "USD", [PlanRate("VPS", MONTHLY, Rate.flat(PRICE))])
    scheme = BillingTermScheme(
        "POST", "post-billed", prepaid=False, terms=[BillingTerm("VPS", IN_ARREARS)]
    )
    shop = attrs.evolve(SHOP, term_schemes=(scheme,))
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("SHOP", date(2020, 1, 1), shop))
        uow.price_plans.add(plan)
        uow.commit()
    created = datetime(2020, 2, 18, 3, 56, 2, tzinfo=UTC)
    clock = FixedClock(created)
    app = Billing(store, clock=clock)
    placed = order(placed_at=created, options=OrderOptions(generate_invoice=True))
    context = attrs.evolve(CONTEXT, plan=plan, on=created.date(), options=())
    _, (service,) = app.place_order(
        placed, context, Actor.customer("C-1"), scheme="POST", prorata=Prorata(1)
    )
    app.perform(activate, service.id, SYSTEM)

    def invoiced_on(day: date) -> list[tuple[str, str]]:
        clock.set(datetime.combine(day, datetime.min.time(), UTC))
        app.run_due()
        invoices = app.invoices(InvoiceQuery(customer_id="C-1"), STAFF)
        return [
            (str(line.period), str(line.amount))
            for invoice in invoices
            if invoice.issued_on == day
            for line in invoice.lines
        ]

    assert invoiced_on(d("2020-02-29")) == []
    assert invoiced_on(d("2020-03-01")) == [("[2020-02-18, 2020-03-01)", "USD 41.38")]
    assert invoiced_on(d("2020-04-01")) == [("[2020-03-01, 2020-04-01)", "USD 100.00")]
    assert invoiced_on(d("2020-05-01")) == [("[2020-04-01, 2020-05-01)", "USD 100.00")]
    assert app.service(service.id, STAFF).billing_timing is IN_ARREARS
