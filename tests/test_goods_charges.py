"""Goods sold or rented to a service: attachments, returns, and the charges they price into."""

from __future__ import annotations

import pytest

from prodlife import MONTHLY, ONE_TIME, QUARTERLY, Money
from prodlife.errors import NotFound, RuleViolation
from prodlife.goods import (
    Balance,
    Ownership,
    Returned,
    Stock,
    UnitStatus,
    good_charges,
    price_attachment,
)
from prodlife.pricing import PlanRate, PricePlan, Rate, Tier
from tests._goods import ALICE, BOB, CATALOG, JOB, STOCK
from tests._support import d, eur

SALE, RENTAL = Ownership.SALE, Ownership.RENTAL


PLAN = PricePlan(
    "STD",
    "Standard",
    "EUR",
    [
        PlanRate("MODEM", ONE_TIME, Rate.per_unit(eur("120.00"))),
        PlanRate("MODEM", MONTHLY, Rate.per_unit(eur("5.00"))),
        PlanRate("CABLE", ONE_TIME, Rate.per_unit(eur("9.90"))),
        PlanRate("CABLE", MONTHLY, Rate.per_unit(eur("0.50"))),
        PlanRate(
            "REMOTE",
            ONE_TIME,
            Rate.volume([Tier(2, eur("10.00")), Tier(None, eur("8.00"))]),
        ),
    ],
)


def _stocked() -> Stock:
    day = d("2025-03-01")
    stock = STOCK.receive(CATALOG, "MODEM", "MAIN", day, serials=["M1", "M2", "M3"])
    stock = stock.receive(CATALOG, "CABLE", "MAIN", day, 20)
    return stock.receive(CATALOG, "REMOTE", "MAIN", day, 10)


def test_a_sale_is_one_charge_priced_from_the_plans_one_time_row() -> None:
    stock = _stocked().issue(CATALOG, "CABLE", "MAIN", d("2025-03-05"), ALICE, SALE, 3)
    (charge,) = good_charges(stock, ALICE, PLAN, MONTHLY)
    assert (charge.ownership, charge.product_code, charge.quantity) == (SALE, "CABLE", 3)
    assert (charge.unit_price, charge.amount) == (eur("9.90"), eur("29.70"))
    assert (charge.cycle, charge.start, charge.end) == (ONE_TIME, d("2025-03-05"), None)
    assert charge.describe() == "sale of 3 x CABLE at EUR 9.90 = EUR 29.70 on 2025-03-05"
    assert not charge.is_rental


def test_a_rental_is_charged_every_cycle_from_its_issue_day() -> None:
    stock = _stocked().issue(
        CATALOG, "MODEM", "MAIN", d("2025-03-05"), ALICE, RENTAL, serials=["M1"]
    )
    (charge,) = good_charges(stock, ALICE, PLAN, MONTHLY)
    assert charge.is_rental
    assert (charge.unit_price, charge.amount, charge.cycle) == (eur("5.00"), eur("5.00"), MONTHLY)
    assert (charge.start, charge.end, charge.serials) == (d("2025-03-05"), None, ("M1",))
    assert (charge.holder, charge.plan_code, charge.sequence) == (ALICE, "STD", 1)


def test_a_returned_rental_ends_on_its_return_day() -> None:
    stock = _stocked().issue(
        CATALOG, "MODEM", "MAIN", d("2025-03-05"), ALICE, RENTAL, serials=["M1", "M2"]
    )
    stock = stock.return_from(CATALOG, "MODEM", "MAIN", d("2025-06-10"), ALICE, serials=["M2"])
    first, second = good_charges(stock, ALICE, PLAN, MONTHLY)
    assert (first.serials, first.start, first.end) == (("M2",), d("2025-03-05"), d("2025-06-10"))
    assert (second.serials, second.start, second.end) == (("M1",), d("2025-03-05"), None)
    (attachment,) = stock.attachments(ALICE)
    assert attachment.remaining == 1
    assert attachment.returns == (Returned(d("2025-06-10"), 1, ("M2",), 2),)


def test_a_partial_return_of_counted_goods_closes_rentals_before_sales() -> None:
    stock = _stocked().issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, SALE, 2)
    stock = stock.issue(CATALOG, "CABLE", "MAIN", d("2025-03-03"), ALICE, RENTAL, 3)
    stock = stock.return_from(CATALOG, "CABLE", "MAIN", d("2025-04-01"), ALICE, 4)
    sale, rental = stock.attachments(ALICE)
    assert (rental.remaining, rental.end) == (0, d("2025-04-01"))
    assert (sale.remaining, sale.end) == (1, None)
    charges = good_charges(stock, ALICE, PLAN, MONTHLY)
    assert [(c.ownership, c.quantity, c.end) for c in charges] == [
        (SALE, 2, None),
        (RENTAL, 3, d("2025-04-01")),
    ]


def test_the_unit_price_of_a_volume_rate_is_the_charge_for_the_quantity_divided_by_it() -> None:
    stock = _stocked().issue(CATALOG, "REMOTE", "MAIN", d("2025-03-02"), ALICE, SALE, 3)
    (charge,) = good_charges(stock, ALICE, PLAN)
    # Volume: 3 units reach the second tier, every unit at EUR 8.00.
    assert (charge.unit_price, charge.amount) == (eur("8.00"), eur("24.00"))


def test_a_unit_price_set_by_hand_replaces_the_plans() -> None:
    stock = _stocked().issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, SALE, 2)
    (charge,) = good_charges(stock, ALICE, PLAN, unit_prices={("CABLE", 1): eur("7.00")})
    assert charge.amount == eur("14.00")
    with pytest.raises(RuleViolation, match="not in EUR") as refused:
        good_charges(stock, ALICE, PLAN, unit_prices={("CABLE", 1): Money("7.00", "USD")})
    assert refused.value.rule == "goods.currency"


def test_a_rental_needs_the_services_recurring_cycle() -> None:
    stock = _stocked().issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, RENTAL, 1)
    for cycle in (None, ONE_TIME):
        with pytest.raises(RuleViolation, match="recurring cycle") as refused:
            good_charges(stock, ALICE, PLAN, cycle)
        assert refused.value.rule == "goods.cycle"


def test_a_good_the_plan_does_not_price_on_the_cycle_is_not_found() -> None:
    stock = _stocked().issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, RENTAL, 1)
    with pytest.raises(NotFound, match="only for monthly"):
        good_charges(stock, ALICE, PLAN, QUARTERLY)


def test_charges_are_per_holder() -> None:
    stock = _stocked().issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), JOB, SALE, 1)
    stock = stock.issue(CATALOG, "MODEM", "MAIN", d("2025-03-02"), BOB, SALE, serials=["M3"])
    assert good_charges(stock, ALICE, PLAN, MONTHLY) == ()
    assert [c.product_code for c in good_charges(stock, JOB, PLAN)] == ["CABLE"]
    assert [c.amount for c in good_charges(stock, BOB, PLAN)] == [eur("120.00")]


def test_cancelling_returns_every_rental_and_leaves_what_was_sold() -> None:
    day = d("2025-03-02")
    stock = _stocked().issue(CATALOG, "MODEM", "MAIN", day, ALICE, RENTAL, serials=["M1", "M2"])
    stock = stock.issue(CATALOG, "MODEM", "MAIN", day, ALICE, SALE, serials=["M3"])
    stock = stock.issue(CATALOG, "CABLE", "MAIN", day, ALICE, RENTAL, 2)
    stock = stock.issue(CATALOG, "CABLE", "MAIN", day, ALICE, SALE, 1)
    back = stock.return_rentals(CATALOG, ALICE, "VAN", d("2025-09-30"))
    assert back.balances("MODEM")["VAN"] == Balance(2, 0)
    assert back.balances("CABLE")["VAN"] == Balance(2, 0)
    assert back.unit("MODEM", "M3").status is UnitStatus.ISSUED
    assert [(a.product_code, a.ownership, a.remaining) for a in back.attachments(ALICE)] == [
        ("CABLE", RENTAL, 0),
        ("CABLE", SALE, 1),
        ("MODEM", RENTAL, 0),
        ("MODEM", SALE, 1),
    ]
    ends = [c.end for c in good_charges(back, ALICE, PLAN, MONTHLY) if c.is_rental]
    assert ends == [d("2025-09-30")] * 2
    assert back.return_rentals(CATALOG, ALICE, "VAN", d("2025-09-30")) == back


def test_rentals_come_back_to_the_warehouses_they_were_issued_from_by_default() -> None:
    day = d("2025-03-02")
    stock = _stocked().issue(CATALOG, "MODEM", "MAIN", day, ALICE, RENTAL, serials=["M1"])
    stock = stock.issue(CATALOG, "CABLE", "MAIN", day, ALICE, RENTAL, 2)
    stock = stock.issue(CATALOG, "CABLE", "VAN", day, ALICE, RENTAL, 3)  # the van goes negative
    stock = stock.issue(CATALOG, "CABLE", "VAN", day, ALICE, SALE, 1)
    back = stock.return_rentals(CATALOG, ALICE, None, d("2025-09-30"))
    returned = back.movements[len(stock.movements) :]
    assert sorted((m.product_code, m.warehouse, m.quantity) for m in returned) == [
        ("CABLE", "MAIN", 2),
        ("CABLE", "VAN", 3),
        ("MODEM", "MAIN", 1),
    ]
    assert back.balance("CABLE", "VAN") == stock.balance("CABLE", "VAN") + Balance(3, 0)
    assert back.unit("MODEM", "M1").warehouse == "MAIN"
    assert [a.remaining for a in back.attachments(ALICE, "CABLE")] == [0, 0, 1]
    assert back.return_rentals(CATALOG, ALICE, None, d("2025-09-30")) == back


def test_price_attachment_of_a_sale_ignores_the_cycle() -> None:
    stock = _stocked().issue(CATALOG, "MODEM", "MAIN", d("2025-03-02"), ALICE, SALE, serials="M1")
    (attachment,) = stock.attachments(ALICE, "MODEM")
    (charge,) = price_attachment(attachment, PLAN, QUARTERLY)
    assert (charge.cycle, charge.amount) == (ONE_TIME, eur("120.00"))
