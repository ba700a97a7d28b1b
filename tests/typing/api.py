"""Checked by mypy --strict (not run by pytest): the public API's types as users see them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import assert_type

from prodlife import ACTUAL_DAYS, MONTHLY, BillingSchedule, Clock, FixedClock, Money, Period
from prodlife.app import Billing
from prodlife.catalog import Catalog
from prodlife.daycount import DayCount, FixedDays, Measure
from prodlife.goods import Balance, Holder, Ownership, Stock, Unit, Warehouse
from prodlife.lifecycle import (
    Actor,
    OperationDefinition,
    Outcome,
    Service,
    SuspensionKind,
    suspend,
)
from prodlife.testing import SUSPENDED_BY_CUSTOMER, make_service

price = Money("29.99", "USD")
assert_type(price + price, Money)
assert_type(price * 3, Money)
assert_type(price * Decimal("0.5"), Money)
assert_type(price / 3, Money)
assert_type(price / price, Decimal)
assert_type(price.round(), Money)
assert_type(price.allocate([1, 2]), list[Money])
assert_type(price < price, bool)
assert_type(sum([price, price], Money.zero("USD")), Money)

schedule = BillingSchedule(MONTHLY, date(2025, 1, 31))
assert_type(schedule.period(1), Period)
assert_type(schedule.boundary(1), date)

measure = ACTUAL_DAYS.measure(schedule.period(0), schedule.period(0))
assert_type(measure, Measure)
assert_type(measure.fraction, Fraction)

convention: DayCount = FixedDays(30)
clock: Clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
assert_type(clock.now(), datetime)


def _operations(app: Billing, actor: Actor) -> None:
    """Billing.perform: a lifecycle function with its own arguments, or a declared operation
    with its arguments and reason (perform supplies the product type and the module)."""

    assert_type(app.perform(suspend, "S-1", actor, SuspensionKind.BY_CUSTOMER), Outcome)
    kvm = OperationDefinition("kvm-access", "open the KVM console of", {"DEDICATED"})
    assert_type(app.perform(kvm, "S-1", actor, arguments={"port": "1"}, reason="x"), Outcome)
    assert_type(make_service("S-1", status=SUSPENDED_BY_CUSTOMER), Service)


def _goods() -> None:
    """Physical goods: the stock is an immutable value; operations return a new one."""

    stock = Stock([Warehouse("MAIN", "Main depot")])
    holder = Holder.service("S-1", "C-1")
    goods_catalog = Catalog()
    assert_type(stock.receive(goods_catalog, "CABLE", "MAIN", date(2025, 3, 1), 10), Stock)
    assert_type(
        stock.issue(goods_catalog, "CABLE", "MAIN", date(2025, 3, 1), holder, Ownership.SALE, 1),
        Stock,
    )
    assert_type(stock.balance("CABLE"), Balance)
    assert_type(stock.balance("CABLE").available, int)
    assert_type(stock.unit("MODEM", "M1"), Unit)
