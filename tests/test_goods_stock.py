"""Stock of non-traceable goods: movements, balances per warehouse and in total, the rules."""

from __future__ import annotations

import pytest

from prodlife.errors import NotFound, RuleViolation
from prodlife.goods import (
    Balance,
    InsufficientStock,
    Movement,
    MovementKind,
    Ownership,
    Stock,
    Warehouse,
    bundle_capacity,
    bundles_from_stock,
)
from tests._goods import ALICE, BOB, CATALOG, JOB, KIT, STOCK
from tests._support import d

SALE, RENTAL = Ownership.SALE, Ownership.RENTAL


def _cables(quantity: int = 10, warehouse: str = "MAIN") -> Stock:
    return STOCK.receive(CATALOG, "CABLE", warehouse, d("2025-03-01"), quantity)


def test_a_receipt_puts_goods_on_hand_and_available() -> None:
    stock = _cables(10)
    assert stock.balance("CABLE", "MAIN") == Balance(on_hand=10, reserved=0)
    assert stock.balance("CABLE", "MAIN").available == 10
    assert stock.movements[0].describe() == "receive 10 x CABLE into MAIN on 2025-03-01"


def test_a_reservation_lowers_available_but_not_on_hand() -> None:
    stock = _cables(10).reserve(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, 4)
    assert stock.balance("CABLE", "MAIN") == Balance(10, 4)
    assert stock.balance("CABLE", "MAIN").available == 6
    assert stock.reserved_for(ALICE, "CABLE", "MAIN") == 4


def test_issuing_to_the_holder_consumes_its_reservation_first() -> None:
    stock = _cables(10).reserve(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, 4)
    stock = stock.issue(CATALOG, "CABLE", "MAIN", d("2025-03-03"), ALICE, SALE, 6)
    # 4 reserved were taken, 2 more came from the available stock.
    assert stock.balance("CABLE", "MAIN") == Balance(4, 0)
    assert stock.reserved_for(ALICE, "CABLE", "MAIN") == 0


def test_issuing_to_another_holder_cannot_take_a_reservation() -> None:
    stock = _cables(10).reserve(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, 8)
    with pytest.raises(InsufficientStock, match="2 available") as refused:
        stock.issue(CATALOG, "CABLE", "MAIN", d("2025-03-03"), BOB, SALE, 3)
    assert refused.value.rule == "goods.negative"
    assert refused.value.balance == Balance(10, 8)
    assert refused.value.wanted == 3


def test_release_gives_a_reservation_back_but_no_more_than_reserved() -> None:
    stock = _cables(10).reserve(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, 4)
    stock = stock.release(CATALOG, "CABLE", "MAIN", d("2025-03-03"), ALICE, 3)
    assert stock.balance("CABLE", "MAIN") == Balance(10, 1)
    with pytest.raises(RuleViolation, match="1 reserved") as refused:
        stock.release(CATALOG, "CABLE", "MAIN", d("2025-03-03"), ALICE, 2)
    assert refused.value.rule == "goods.release"


def test_returned_goods_come_back_on_hand_in_the_warehouse_they_enter() -> None:
    stock = _cables(10).issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, RENTAL, 5)
    stock = stock.return_from(CATALOG, "CABLE", "VAN", d("2025-03-05"), ALICE, 2)
    assert stock.balances("CABLE") == {"MAIN": Balance(5, 0), "VAN": Balance(2, 0)}
    assert stock.balance("CABLE") == Balance(7, 0)


def test_a_holder_cannot_return_more_than_it_holds() -> None:
    stock = _cables(10).issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, SALE, 2)
    with pytest.raises(RuleViolation, match="it holds 2") as refused:
        stock.return_from(CATALOG, "CABLE", "MAIN", d("2025-03-05"), ALICE, 3)
    assert refused.value.rule == "goods.return"
    with pytest.raises(RuleViolation, match="it holds 0"):
        stock.return_from(CATALOG, "CABLE", "MAIN", d("2025-03-05"), BOB, 1)


def test_a_write_off_cannot_take_reserved_goods() -> None:
    stock = _cables(10).reserve(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, 4)
    with pytest.raises(InsufficientStock):
        stock.write_off(CATALOG, "CABLE", "MAIN", d("2025-03-03"), 7)
    stock = stock.write_off(CATALOG, "CABLE", "MAIN", d("2025-03-03"), 6, reason="flooded")
    assert stock.balance("CABLE", "MAIN") == Balance(4, 4)
    assert stock.movements[-1].reason == "flooded"


def test_a_warehouse_that_allows_it_goes_negative() -> None:
    stock = STOCK.issue(CATALOG, "CABLE", "VAN", d("2025-03-02"), JOB, SALE, 3)
    stock = stock.reserve(CATALOG, "CABLE", "VAN", d("2025-03-02"), ALICE, 2)
    assert stock.balance("CABLE", "VAN") == Balance(-3, 2)
    assert stock.balance("CABLE", "VAN").available == -5
    # The receipt recorded late brings it back.
    stock = stock.receive(CATALOG, "CABLE", "VAN", d("2025-03-04"), 5)
    assert stock.balance("CABLE", "VAN").available == 0


def test_a_warehouse_that_does_not_allow_it_never_goes_negative() -> None:
    with pytest.raises(InsufficientStock, match="0 on hand"):
        STOCK.issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), JOB, SALE, 1)
    with pytest.raises(InsufficientStock):
        STOCK.reserve(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, 1)
    with pytest.raises(InsufficientStock):
        STOCK.write_off(CATALOG, "CABLE", "MAIN", d("2025-03-02"), 1)


def test_a_refused_movement_leaves_the_stock_as_it_was() -> None:
    stock = _cables(2)
    before = stock.movements
    with pytest.raises(InsufficientStock):
        stock.issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, SALE, 3)
    assert stock.movements == before
    assert stock.balance("CABLE", "MAIN") == Balance(2, 0)
    assert stock.next_sequence("CABLE") == 1


def test_movements_are_numbered_per_product_and_kept_in_order() -> None:
    stock = _cables(5).receive(CATALOG, "REMOTE", "MAIN", d("2025-03-01"), 3)
    stock = stock.issue(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, SALE, 1)
    assert [(m.product_code, m.sequence) for m in stock.movements] == [
        ("CABLE", 0),
        ("REMOTE", 0),
        ("CABLE", 1),
    ]
    assert [m.kind for m in stock.movements_of("CABLE")] == [
        MovementKind.RECEIVE,
        MovementKind.ISSUE,
    ]


def test_a_movement_dated_before_the_products_last_is_refused() -> None:
    with pytest.raises(RuleViolation, match="dated before") as refused:
        _cables(5).issue(CATALOG, "CABLE", "MAIN", d("2025-02-28"), ALICE, SALE, 1)
    assert refused.value.rule == "goods.date-order"


def test_a_movement_out_of_sequence_is_refused() -> None:
    late = Movement(3, MovementKind.RECEIVE, "CABLE", "MAIN", d("2025-03-01"), 1)
    with pytest.raises(RuleViolation, match="number it 0") as refused:
        STOCK.record(CATALOG, late)
    assert refused.value.rule == "goods.sequence"


def test_an_unknown_warehouse_or_product_is_not_found() -> None:
    with pytest.raises(NotFound, match="warehouse 'ATTIC'"):
        STOCK.receive(CATALOG, "CABLE", "ATTIC", d("2025-03-01"), 1)
    with pytest.raises(NotFound, match="product 'SOFA'"):
        STOCK.receive(CATALOG, "SOFA", "MAIN", d("2025-03-01"), 1)
    with pytest.raises(NotFound, match="warehouse 'ATTIC'"):
        STOCK.warehouse("ATTIC")


def test_a_service_product_is_not_stocked() -> None:
    with pytest.raises(RuleViolation, match="termed service, not a physical good") as refused:
        STOCK.receive(CATALOG, "DSL", "MAIN", d("2025-03-01"), 1)
    assert refused.value.rule == "goods.not-a-good"


def test_a_serial_number_for_a_non_traceable_good_is_refused() -> None:
    with pytest.raises(RuleViolation, match="counted, not numbered") as refused:
        STOCK.receive(CATALOG, "CABLE", "MAIN", d("2025-03-01"), serials=["C1"])
    assert refused.value.rule == "goods.serial-refused"


@pytest.mark.parametrize(
    ("arguments", "rule"),
    [
        ({"kind": MovementKind.ISSUE, "holder": ALICE}, "goods.ownership"),
        ({"kind": MovementKind.RECEIVE, "holder": ALICE}, "goods.holder"),
        ({"kind": MovementKind.RESERVE}, "goods.holder"),
        ({"kind": MovementKind.RETURN, "holder": ALICE, "ownership": SALE}, "goods.ownership"),
        ({"kind": MovementKind.ISSUE, "holder": JOB, "ownership": RENTAL}, "goods.ownership"),
        ({"kind": MovementKind.RECEIVE, "quantity": 0}, "goods.quantity"),
        ({"kind": MovementKind.RECEIVE, "quantity": True}, "goods.quantity"),
        ({"kind": MovementKind.RECEIVE, "quantity": 2, "serials": ("A",)}, "goods.serial-count"),
        (
            {"kind": MovementKind.RECEIVE, "quantity": 2, "serials": ("A", "A")},
            "goods.serial-count",
        ),
        ({"kind": MovementKind.RECEIVE, "on": "2025-03-01"}, "goods.date"),
        ({"kind": MovementKind.RECEIVE, "warehouse": " MAIN"}, "code.format"),
    ],
)
def test_a_malformed_movement_is_refused_naming_its_rule(
    arguments: dict[str, object], rule: str
) -> None:
    values: dict[str, object] = {
        "sequence": 0,
        "product_code": "CABLE",
        "warehouse": "MAIN",
        "on": d("2025-03-01"),
        "quantity": 1,
    }
    values.update(arguments)
    with pytest.raises(RuleViolation) as refused:
        Movement(**values)  # type: ignore[arg-type]
    assert refused.value.rule == rule


def test_a_warehouse_listed_twice_is_refused() -> None:
    with pytest.raises(RuleViolation, match="given twice"):
        Stock([Warehouse("MAIN", "Main"), Warehouse("MAIN", "Other")])
    with pytest.raises(RuleViolation, match="needs a name"):
        Warehouse("MAIN", " ")


def test_stored_movements_are_read_back_into_the_same_balances() -> None:
    stock = _cables(10).reserve(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, 4)
    again = Stock(stock.warehouses, stock.movements)
    assert again == stock
    assert again.balance("CABLE") == Balance(10, 4)


def test_a_stored_balance_that_went_negative_is_read_back_after_the_warehouse_changed() -> None:
    stock = STOCK.issue(CATALOG, "CABLE", "VAN", d("2025-03-02"), JOB, SALE, 3)
    strict = Stock([Warehouse("MAIN", "Main"), Warehouse("VAN", "Van 1")], stock.movements)
    assert strict.balance("CABLE", "VAN") == Balance(-3, 0)
    # A receipt is never refused; a further issue is.
    strict = strict.receive(CATALOG, "CABLE", "VAN", d("2025-03-03"), 1)
    with pytest.raises(InsufficientStock):
        strict.issue(CATALOG, "CABLE", "VAN", d("2025-03-03"), JOB, SALE, 1)


def test_bundle_capacity_counts_how_many_bundles_a_components_stock_makes() -> None:
    stock = _cables(7).receive(CATALOG, "CABLE", "VAN", d("2025-03-01"), 2)
    stock = stock.reserve(CATALOG, "CABLE", "MAIN", d("2025-03-02"), ALICE, 2)
    (capacity,) = bundle_capacity(stock, CATALOG, "CABLE")
    assert (capacity.bundle_code, capacity.per_bundle, capacity.available) == ("KIT", 2, 7)
    assert capacity.from_component == 3  # 7 available cables, 2 per kit
    assert capacity.bundles == 0  # no modem nor decoder in stock
    assert bundle_capacity(stock, CATALOG, "CABLE", "VAN")[0].from_component == 1
    assert bundle_capacity(stock, CATALOG, "REMOTE") == ()


def test_bundles_from_stock_is_limited_by_the_scarcest_component() -> None:
    day = d("2025-03-01")
    stock = _cables(9).receive(CATALOG, "MODEM", "MAIN", day, serials=["M1", "M2", "M3"])
    stock = stock.receive(CATALOG, "DECODER", "MAIN", day, serials=["D1", "D2"])
    assert bundles_from_stock(stock, KIT) == 2
    stock = stock.reserve(CATALOG, "DECODER", "MAIN", day, ALICE, serials=["D1"])
    assert bundles_from_stock(stock, KIT) == 1
    assert bundle_capacity(stock, CATALOG, "MODEM")[0].bundles == 1


def test_negative_available_stock_makes_no_bundle() -> None:
    stock = STOCK.issue(CATALOG, "CABLE", "VAN", d("2025-03-02"), JOB, SALE, 3)
    assert bundle_capacity(stock, CATALOG, "CABLE")[0].from_component == 0
