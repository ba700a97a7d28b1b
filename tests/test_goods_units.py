"""Traceable goods: one serial number per unit, one holder at a time, the whole history; kits."""

from __future__ import annotations

import pytest

from prodlife.errors import NotFound, RuleViolation
from prodlife.goods import (
    Balance,
    ComponentSerials,
    MovementKind,
    Ownership,
    SerialConflict,
    Stock,
    UnitStatus,
)
from tests._goods import ALICE, BOB, CATALOG, STOCK
from tests._support import d

SALE, RENTAL = Ownership.SALE, Ownership.RENTAL
DAY = d("2025-03-01")


def _modems(*serials: str) -> Stock:
    return STOCK.receive(CATALOG, "MODEM", "MAIN", DAY, serials=serials or ("M1", "M2"))


def test_each_received_unit_is_in_stock_and_counted() -> None:
    stock = _modems("M1", "M2")
    assert stock.balance("MODEM") == Balance(2, 0)
    assert [u.serial for u in stock.units("MODEM", UnitStatus.IN_STOCK)] == ["M1", "M2"]
    assert stock.movements[0].quantity == 2


def test_a_traceable_good_without_serial_numbers_is_refused() -> None:
    with pytest.raises(RuleViolation, match="names each unit's serial number") as refused:
        STOCK.receive(CATALOG, "MODEM", "MAIN", DAY, 2)
    assert refused.value.rule == "goods.serial-missing"
    with pytest.raises(RuleViolation, match="serial-missing"):
        _modems().issue(CATALOG, "MODEM", "MAIN", DAY, ALICE, SALE, 1)


def test_a_serial_number_is_received_once() -> None:
    with pytest.raises(SerialConflict, match="received before and is in stock") as refused:
        _modems("M1").receive(CATALOG, "MODEM", "VAN", DAY, serials=["M1"])
    assert refused.value.rule == "goods.serial-exists"
    assert (refused.value.product_code, refused.value.serial) == ("MODEM", "M1")


def test_the_same_serial_number_may_belong_to_two_products() -> None:
    stock = _modems("X1").receive(CATALOG, "DECODER", "MAIN", DAY, serials=["X1"])
    assert stock.balance("DECODER") == Balance(1, 0)


def test_a_unit_is_issued_to_one_service_at_a_time() -> None:
    stock = _modems().issue(CATALOG, "MODEM", "MAIN", DAY, ALICE, RENTAL, serials=["M1"])
    assert stock.holder_of("MODEM", "M1") == ALICE
    with pytest.raises(SerialConflict, match="issued to service S-1; return it") as refused:
        stock.issue(CATALOG, "MODEM", "MAIN", DAY, BOB, SALE, serials=["M1"])
    assert refused.value.rule == "goods.serial-state"
    stock = stock.return_from(CATALOG, "MODEM", "MAIN", d("2025-04-01"), ALICE, serials=["M1"])
    stock = stock.issue(CATALOG, "MODEM", "MAIN", d("2025-04-02"), BOB, SALE, serials=["M1"])
    assert stock.holder_of("MODEM", "M1") == BOB


def test_a_unit_is_returned_only_by_its_holder() -> None:
    stock = _modems().issue(CATALOG, "MODEM", "MAIN", DAY, ALICE, RENTAL, serials=["M1"])
    with pytest.raises(SerialConflict, match="issued to service S-1"):
        stock.return_from(CATALOG, "MODEM", "MAIN", DAY, BOB, serials=["M1"])
    with pytest.raises(SerialConflict, match="in stock in 'MAIN'"):
        stock.return_from(CATALOG, "MODEM", "MAIN", DAY, ALICE, serials=["M2"])


def test_an_unknown_serial_number_is_refused() -> None:
    with pytest.raises(SerialConflict, match="no such unit was received") as refused:
        _modems().issue(CATALOG, "MODEM", "MAIN", DAY, ALICE, SALE, serials=["M9"])
    assert refused.value.rule == "goods.serial-unknown"
    with pytest.raises(NotFound):
        _modems().unit("MODEM", "M9")


def test_a_unit_moves_only_from_the_warehouse_it_is_in() -> None:
    with pytest.raises(SerialConflict, match="in stock in 'MAIN'"):
        _modems().issue(CATALOG, "MODEM", "VAN", DAY, ALICE, SALE, serials=["M1"])


def test_a_reserved_unit_goes_only_to_its_holder_and_is_not_written_off() -> None:
    stock = _modems().reserve(CATALOG, "MODEM", "MAIN", DAY, ALICE, serials=["M1"])
    assert stock.balance("MODEM", "MAIN") == Balance(2, 1)
    assert stock.unit("MODEM", "M1").describe() == "MODEM M1 reserved in MAIN for service S-1"
    with pytest.raises(SerialConflict, match="reserved in 'MAIN' for service S-1"):
        stock.issue(CATALOG, "MODEM", "MAIN", DAY, BOB, SALE, serials=["M1"])
    with pytest.raises(SerialConflict, match="release or return it first"):
        stock.write_off(CATALOG, "MODEM", "MAIN", DAY, serials=["M1"])
    issued = stock.issue(CATALOG, "MODEM", "MAIN", DAY, ALICE, SALE, serials=["M1"])
    assert issued.balance("MODEM", "MAIN") == Balance(1, 0)
    released = stock.release(CATALOG, "MODEM", "MAIN", DAY, ALICE, serials=["M1"])
    assert released.unit("MODEM", "M1").status is UnitStatus.IN_STOCK


def test_a_written_off_unit_never_moves_again() -> None:
    stock = _modems().write_off(CATALOG, "MODEM", "MAIN", DAY, serials=["M2"], reason="broken")
    assert stock.balance("MODEM") == Balance(1, 0)
    with pytest.raises(SerialConflict, match="written off"):
        stock.issue(CATALOG, "MODEM", "MAIN", DAY, ALICE, SALE, serials=["M2"])
    with pytest.raises(SerialConflict, match="written off"):
        stock.receive(CATALOG, "MODEM", "MAIN", DAY, serials=["M2"])


def test_a_unit_keeps_its_whole_history() -> None:
    stock = _modems("M1", "M2").issue(CATALOG, "MODEM", "MAIN", DAY, ALICE, RENTAL, serials=["M1"])
    stock = stock.issue(CATALOG, "MODEM", "MAIN", DAY, BOB, SALE, serials=["M2"])
    stock = stock.return_from(CATALOG, "MODEM", "VAN", d("2025-05-01"), ALICE, serials=["M1"])
    unit = stock.unit("MODEM", "M1")
    assert [m.kind for m in unit.history] == [
        MovementKind.RECEIVE,
        MovementKind.ISSUE,
        MovementKind.RETURN,
    ]
    assert unit.history[1].holder == ALICE
    assert (unit.status, unit.warehouse, unit.holder) == (UnitStatus.IN_STOCK, "VAN", None)
    assert stock.unit("MODEM", "M2").describe() == "MODEM M2 issued to service S-2 (sale)"


def _kit(stock: Stock = STOCK, serial: str = "K1", modem: str = "M9") -> Stock:
    return stock.receive(
        CATALOG,
        "KIT",
        "MAIN",
        DAY,
        serials=[serial],
        components=[ComponentSerials("MODEM", [modem]), ComponentSerials("DECODER", ["D9"])],
    )


def test_a_kit_is_tracked_by_its_own_serial_and_knows_its_components() -> None:
    stock = _kit()
    kit = stock.unit("KIT", "K1")
    assert kit.components == (
        ComponentSerials("MODEM", ("M9",)),
        ComponentSerials("DECODER", ("D9",)),
    )
    modem = stock.unit("MODEM", "M9")
    assert (modem.status, modem.kit) == (UnitStatus.IN_KIT, ("KIT", "K1"))
    # The components inside kits are not loose stock.
    assert stock.balance("KIT") == Balance(1, 0)
    assert stock.balance("MODEM") == Balance(0, 0)


def test_a_kits_component_goes_where_the_kit_goes_and_never_alone() -> None:
    stock = _kit().issue(CATALOG, "KIT", "MAIN", d("2025-03-02"), ALICE, RENTAL, serials=["K1"])
    assert stock.holder_of("MODEM", "M9") == ALICE
    assert stock.unit("MODEM", "M9").history == stock.unit("KIT", "K1").history
    with pytest.raises(SerialConflict, match="inside kit KIT K1; move the kit") as refused:
        stock.return_from(CATALOG, "MODEM", "MAIN", d("2025-03-03"), ALICE, serials=["M9"])
    assert refused.value.rule == "goods.in-kit"


def test_a_kits_component_serial_is_unique_with_loose_units() -> None:
    with pytest.raises(SerialConflict, match="MODEM M1: a unit with that serial number"):
        _kit(_modems("M1"), modem="M1")
    with pytest.raises(SerialConflict, match="inside kit KIT K1"):
        _kit().receive(CATALOG, "MODEM", "MAIN", DAY, serials=["M9"])
    with pytest.raises(SerialConflict, match="inside kit KIT K1"):
        _kit(_kit(), serial="K2")


@pytest.mark.parametrize(
    ("components", "why"),
    [
        ([ComponentSerials("MODEM", ["M9"])], "holds 1 traceable DECODER, the receipt names 0"),
        (
            [ComponentSerials("MODEM", ["M8", "M9"]), ComponentSerials("DECODER", ["D9"])],
            "holds 1 traceable MODEM, the receipt names 2",
        ),
        (
            [
                ComponentSerials("MODEM", ["M9"]),
                ComponentSerials("DECODER", ["D9"]),
                ComponentSerials("CABLE", ["C9"]),
            ],
            "holds 0 traceable CABLE",
        ),
    ],
)
def test_a_kit_is_received_with_exactly_its_traceable_components(
    components: list[ComponentSerials], why: str
) -> None:
    with pytest.raises(RuleViolation, match=why) as refused:
        STOCK.receive(CATALOG, "KIT", "MAIN", DAY, serials=["K1"], components=components)
    assert refused.value.rule == "goods.components"


def test_kits_are_received_one_at_a_time() -> None:
    with pytest.raises(RuleViolation, match="one at a time"):
        STOCK.receive(
            CATALOG,
            "KIT",
            "MAIN",
            DAY,
            serials=["K1", "K2"],
            components=[ComponentSerials("MODEM", ["M9"]), ComponentSerials("DECODER", ["D9"])],
        )


def test_only_a_kit_receipt_names_components() -> None:
    with pytest.raises(RuleViolation, match="components") as refused:
        STOCK.receive(
            CATALOG, "MODEM", "MAIN", DAY, serials=["M1"], components=[ComponentSerials("X", "1")]
        )
    assert refused.value.rule == "goods.components"
