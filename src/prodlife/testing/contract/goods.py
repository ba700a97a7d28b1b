"""The contract of the goods repository, and the stock's invariants kept through a store.

Warehouses (uniqueness, not found, order); movements (read back equal, in order,
a taken number or serial number refused with nothing written, rollback,
read-only); the products a holder has goods of; meter readings (a duplicated
reading refused, a taken number refused, usage records by customer). Then,
through the use cases of :class:`prodlife.goods_app.Goods` over the store: for
any sequence of movements the balance is receipts minus issues plus returns
minus write-offs, a serial number is never held by two services at once, and
of several workers issuing the last unit at once exactly one wins.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife.catalog import (
    Catalog,
    CatalogVersion,
    Classification,
    Component,
    Composition,
    FixedBundle,
    GoodKind,
    Product,
    ProductType,
)
from prodlife.clock import FixedClock
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    ProdlifeError,
    RuleViolation,
    StoreError,
)
from prodlife.goods import (
    ComponentSerials,
    DuplicateReading,
    Holder,
    MeterReading,
    Movement,
    MovementKind,
    Ownership,
    UnitStatus,
    Warehouse,
)
from prodlife.goods_app import Goods
from prodlife.ports import Store
from prodlife.pricing.usage import UsageRecord
from prodlife.testing.contract._support import StoreFixture, each, fail_inside, read, write

__all__ = ["GOODS_CATALOG", "GoodsRepositoryContract"]

K = MovementKind
_GOOD = Classification.PHYSICAL_GOOD
#: Modems (traceable), cables (counted) and a kit of one modem and two cables.
GOODS_CATALOG = Catalog(
    [
        ProductType("TRACED", "Traceable", _GOOD, good_kind=GoodKind.TRACEABLE),
        ProductType("COUNTED", "Counted", _GOOD, good_kind=GoodKind.NON_TRACEABLE),
        ProductType(
            "KIT", "Kit", _GOOD, good_kind=GoodKind.TRACEABLE, composition=Composition.FIXED_BUNDLE
        ),
    ],
    [
        Product("MODEM", "Modem", "TRACED"),
        Product("CABLE", "Cable", "COUNTED"),
        Product("KIT", "Kit", "KIT"),
    ],
    bundles=[FixedBundle("KIT", [Component("MODEM"), Component("CABLE", 2)])],
)
_DAY = date(2025, 3, 1)
_NOW = datetime(2025, 3, 1, 9, tzinfo=UTC)
_ALICE = Holder.service("S-1", "C-1")
_BOB = Holder.service("S-2", "C-2")
_JOB = Holder.job("J-1", "C-1")
#: Alice's service S-1 once transferred to customer C-9.
_MOVED = Holder.service("S-1", "C-9")


def _transfer(holder: Holder) -> tuple[Holder, Holder]:
    """Who a transfer drawn for ``holder`` moves goods from and to: S-1 between customers."""
    return (_MOVED, _ALICE) if holder == _MOVED else (_ALICE, _MOVED)


_METER = ("METER", "E1", "ELEC")


def _receive(sequence: int, product: str, serials: tuple[str, ...] = (), **kw: object) -> Movement:
    quantity = len(serials) or 3
    return Movement(sequence, K.RECEIVE, product, "MAIN", _DAY, quantity, serials, **kw)  # type: ignore[arg-type]


def _issue(sequence: int, product: str, holder: Holder, day: date = _DAY) -> Movement:
    return Movement(
        sequence, K.ISSUE, product, "MAIN", day, 1, holder=holder, ownership=Ownership.SALE
    )


def _reading(hour: int, value: str = "10") -> MeterReading:
    return MeterReading(Decimal(value), _NOW + timedelta(hours=hour), "S-1")


def _record(hour: int, customer: str = "C-1") -> UsageRecord:
    return UsageRecord("POWER", Decimal("1.5"), "kWh", _NOW + timedelta(hours=hour), customer)


def _goods(store: Store) -> Goods:
    """The goods use cases over ``store``, its catalog and warehouses stored."""
    write(store, lambda uow: uow.catalog.add_version(CatalogVersion("g", _DAY, GOODS_CATALOG)))
    goods = Goods(store, clock=FixedClock(_NOW), attempts=50)
    goods.add_warehouse(Warehouse("MAIN", "Main depot"))
    goods.add_warehouse(Warehouse("VAN", "Van", allows_negative=True))
    return goods


class GoodsRepositoryContract(StoreFixture):
    """Warehouses, movements and meter readings; the stock's invariants through the store."""

    # --- warehouses ------------------------------------------------------------------------

    def test_warehouses_read_back_equal_by_code(self, store: Store) -> None:
        van, main = Warehouse("VAN", "Van", allows_negative=True), Warehouse("MAIN", "Main")
        write(store, lambda uow: each(uow.goods.add_warehouse, [van, main]))
        assert read(store, lambda uow: uow.goods.warehouses()) == [main, van]

    def test_a_warehouse_code_is_taken_once_and_replaced_only_when_stored(
        self, store: Store
    ) -> None:
        write(store, lambda uow: uow.goods.add_warehouse(Warehouse("MAIN", "Main")))
        with store.transaction() as uow, pytest.raises(AlreadyExists):
            uow.goods.add_warehouse(Warehouse("MAIN", "Other"))
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.goods.replace_warehouse(Warehouse("VAN", "Van"))
        renamed = Warehouse("MAIN", "Renamed", allows_negative=True)
        write(store, lambda uow: uow.goods.replace_warehouse(renamed))
        assert read(store, lambda uow: uow.goods.warehouses()) == [renamed]

    # --- movements -------------------------------------------------------------------------

    def test_movements_read_back_equal_by_date_product_then_sequence(self, store: Store) -> None:
        kit = _receive(
            0,
            "KIT",
            ("K1",),
            components=(ComponentSerials("MODEM", ("M9",)),),
            reference="DN-1",
        )
        moves = [
            _receive(0, "MODEM", ("M1", "M2")),
            _receive(0, "CABLE"),
            _issue(1, "CABLE", _ALICE, date(2025, 3, 2)),
            kit,
            _issue(2, "CABLE", _JOB),
        ]
        write(store, lambda uow: each(uow.goods.record, moves))
        found = read(store, lambda uow: uow.goods.movements(["MODEM", "CABLE", "KIT", "NONE"]))
        assert found == [moves[1], moves[4], moves[3], moves[0], moves[2]]
        assert read(store, lambda uow: uow.goods.movements(["KIT"])) == [kit]
        assert read(store, lambda uow: uow.goods.movements([])) == []

    def test_a_taken_movement_number_is_a_conflict_and_writes_nothing(self, store: Store) -> None:
        write(store, lambda uow: uow.goods.record(_receive(0, "CABLE")))
        with store.transaction() as uow:
            with pytest.raises(ConcurrencyConflict):
                uow.goods.record(_issue(0, "CABLE", _ALICE))
            assert uow.goods.products_held(_ALICE) == []
            uow.goods.record(_issue(1, "CABLE", _ALICE))  # the unit of work is still usable
            uow.commit()
        assert len(read(store, lambda uow: uow.goods.movements(["CABLE"]))) == 2

    def test_a_serial_number_received_twice_is_a_conflict_and_writes_nothing(
        self, store: Store
    ) -> None:
        write(store, lambda uow: uow.goods.record(_receive(0, "MODEM", ("M1",))))
        inside_kit = _receive(0, "KIT", ("K1",), components=(ComponentSerials("MODEM", ("M1",)),))
        for refused in (_receive(1, "MODEM", ("M2", "M1")), inside_kit):
            with store.transaction() as uow:
                with pytest.raises(ConcurrencyConflict):
                    uow.goods.record(refused)
                assert len(uow.goods.movements(["MODEM", "KIT"])) == 1
                uow.goods.record(_receive(1, "MODEM", ("M2",)))  # M2 was not kept
        assert len(read(store, lambda uow: uow.goods.movements(["MODEM", "KIT"]))) == 1

    def test_products_held_are_those_whose_movements_name_the_holder(self, store: Store) -> None:
        moves = [_receive(0, "CABLE"), _issue(1, "CABLE", _ALICE), _receive(0, "KIT", ("K1",))]
        moves.append(_issue(1, "KIT", _ALICE))
        write(store, lambda uow: each(uow.goods.record, moves))
        assert read(store, lambda uow: uow.goods.products_held(_ALICE)) == ["CABLE", "KIT"]
        assert read(store, lambda uow: uow.goods.products_held(_BOB)) == []
        other = Holder.service("S-1", "C-9")
        assert read(store, lambda uow: uow.goods.products_held(other)) == []

    def test_a_rolled_back_movement_is_not_kept(self, store: Store) -> None:
        with pytest.raises(RuntimeError):
            fail_inside(store, lambda uow: uow.goods.record(_receive(0, "CABLE")), RuntimeError())
        assert read(store, lambda uow: uow.goods.movements(["CABLE"])) == []
        write(store, lambda uow: uow.goods.record(_receive(0, "CABLE")))

    def test_a_read_only_transaction_refuses_goods_writes(self, store: Store) -> None:
        with store.transaction(readonly=True) as uow, pytest.raises(StoreError):
            uow.goods.record(_receive(0, "CABLE"))
        with store.transaction(readonly=True) as uow, pytest.raises(StoreError):
            uow.goods.add_warehouse(Warehouse("MAIN", "Main"))
        with store.transaction(readonly=True) as uow, pytest.raises(StoreError):
            uow.goods.add_reading(_METER, 0, _reading(0), None)

    # --- meter readings ----------------------------------------------------------------

    def test_readings_read_back_in_order_with_their_usage_records(self, store: Store) -> None:
        def add(uow: object) -> None:
            goods = uow.goods  # type: ignore[attr-defined]
            goods.add_reading(_METER, 0, _reading(0, "10"), None)
            goods.add_reading(_METER, 1, _reading(2, "25.5"), _record(2))
            goods.add_reading(("METER", "E2", "ELEC"), 0, _reading(1), _record(1, "C-2"))
            goods.add_reading(("METER", "E3", "ELEC"), 0, _reading(1), _record(1))

        write(store, add)
        log = read(store, lambda uow: uow.goods.meter_log(*_METER))
        assert log.meter == _METER
        assert log.readings == (_reading(0, "10"), _reading(2, "25.5"))
        assert read(store, lambda uow: uow.goods.usage_records("C-1")) == [_record(1), _record(2)]
        assert read(store, lambda uow: uow.goods.usage_records("C-2")) == [_record(1, "C-2")]
        assert read(store, lambda uow: uow.goods.meter_log("METER", "E9", "ELEC")).readings == ()

    def test_a_duplicated_reading_is_refused_and_a_taken_number_is_a_conflict(
        self, store: Store
    ) -> None:
        write(store, lambda uow: uow.goods.add_reading(_METER, 0, _reading(0), _record(0)))
        with store.transaction() as uow:
            with pytest.raises(DuplicateReading):
                uow.goods.add_reading(_METER, 1, _reading(0, "99"), _record(0))
            with pytest.raises(ConcurrencyConflict):
                uow.goods.add_reading(_METER, 0, _reading(1), _record(1))
            uow.goods.add_reading(_METER, 1, _reading(1), None)  # still usable
            uow.commit()
        assert len(read(store, lambda uow: uow.goods.meter_log(*_METER)).readings) == 2
        assert read(store, lambda uow: uow.goods.usage_records("C-1")) == [_record(0)]

    def test_a_transfer_reads_back_with_both_holders_and_is_held_by_each(
        self, store: Store
    ) -> None:
        moved = Movement(2, K.TRANSFER, "CABLE", "MAIN", _DAY, 1, holder=_MOVED, from_holder=_ALICE)
        moves = [_receive(0, "CABLE"), _issue(1, "CABLE", _ALICE), moved]
        write(store, lambda uow: each(uow.goods.record, moves))
        assert read(store, lambda uow: uow.goods.movements(["CABLE"])) == moves
        with store.transaction(readonly=True) as uow:
            assert uow.goods.products_held(_ALICE) == uow.goods.products_held(_MOVED) == ["CABLE"]

    # --- the stock's invariants, through the store -------------------------------------

    def test_any_sequence_of_movements_adds_up_and_no_unit_is_held_twice(
        self, store: Store
    ) -> None:
        goods = _goods(store)
        holders = (_ALICE, _BOB, _JOB, _MOVED)
        steps = st.lists(
            st.tuples(
                st.sampled_from(list(K)),
                st.sampled_from(("MAIN", "VAN")),
                st.sampled_from(holders),
                st.integers(1, 4),
                st.sampled_from(("M1", "M2", "M3")),
            ),
            max_size=12,
        )

        @self.hypothesis_settings()
        @given(steps=steps)
        def adds_up(steps: list[tuple[MovementKind, str, Holder, int, str]]) -> None:
            before = goods.balance("CABLE").on_hand
            moved: Counter[MovementKind] = Counter()
            for kind, warehouse, holder, quantity, unit in steps:
                moved[kind] += self._try(goods, kind, warehouse, holder, quantity)
                self._try_unit(goods, kind, warehouse, holder, unit)
            receipts, returns = moved[K.RECEIVE], moved[K.RETURN]
            issues, write_offs = moved[K.ISSUE], moved[K.WRITE_OFF]
            after = goods.balance("CABLE")
            assert after.on_hand == before + receipts - issues + returns - write_offs
            assert goods.balance("CABLE", "MAIN").on_hand >= 0
            assert goods.balance("CABLE", "MAIN").available >= 0
            held = [serial for h in holders for serial in self._held(goods, h)]
            assert len(held) == len(set(held))
            issued = goods.stock(["MODEM"]).units("MODEM", UnitStatus.ISSUED)
            assert sorted(unit.serial for unit in issued) == sorted(held)

        adds_up()

    @staticmethod
    def _held(goods: Goods, holder: Holder) -> set[str]:
        return {s for a in goods.attachments(holder) for s in a.held_serials}

    @staticmethod
    def _try(goods: Goods, kind: MovementKind, where: str, holder: Holder, count: int) -> int:
        """Move ``count`` cables; how many moved (0 when refused)."""
        sale = Ownership.SALE if holder.kind.value == "job" else Ownership.RENTAL
        calls: dict[MovementKind, Callable[[], object]] = {
            K.RECEIVE: lambda: goods.receive("CABLE", where, count),
            K.RESERVE: lambda: goods.reserve("CABLE", where, holder, count),
            K.RELEASE: lambda: goods.release("CABLE", where, holder, count),
            K.ISSUE: lambda: goods.issue("CABLE", where, holder, sale, count),
            K.RETURN: lambda: goods.return_from("CABLE", where, holder, count),
            K.WRITE_OFF: lambda: goods.write_off("CABLE", where, count),
            K.TRANSFER: lambda: goods.transfer_holdings(*_transfer(holder)),
        }
        try:
            calls[kind]()
        except ProdlifeError:
            return 0
        return count

    @staticmethod
    def _try_unit(
        goods: Goods, kind: MovementKind, where: str, holder: Holder, serial: str
    ) -> None:
        """Move modem ``serial`` as ``kind`` says, when the stock allows it."""
        sale = Ownership.SALE if holder.kind.value == "job" else Ownership.RENTAL
        calls: dict[MovementKind, Callable[[], object]] = {
            K.RECEIVE: lambda: goods.receive("MODEM", where, serials=[serial]),
            K.RESERVE: lambda: goods.reserve("MODEM", where, holder, serials=[serial]),
            K.RELEASE: lambda: goods.release("MODEM", where, holder, serials=[serial]),
            K.ISSUE: lambda: goods.issue("MODEM", where, holder, sale, serials=[serial]),
            K.RETURN: lambda: goods.return_from("MODEM", where, holder, serials=[serial]),
            K.WRITE_OFF: lambda: goods.write_off("MODEM", where, serials=[serial]),
            K.TRANSFER: lambda: goods.transfer_holdings(*_transfer(holder)),
        }
        with contextlib.suppress(ProdlifeError):
            calls[kind]()

    def test_of_workers_issuing_the_last_unit_at_once_exactly_one_wins(self, store: Store) -> None:
        goods = _goods(store)
        goods.receive("CABLE", "MAIN", 1)
        goods.receive("MODEM", "MAIN", serials=["M1"])
        for product, serials, rule in (("CABLE", (), "goods.negative"), ("MODEM", ("M1",), "")):
            won, refused = self._race(goods, product, serials)
            assert len(won) == 1, refused
            assert len(refused) == 3
            assert all(error.rule in (rule or "goods.serial-state") for error in refused)
            assert goods.balance(product, "MAIN").on_hand == 0

    def _race(
        self, goods: Goods, product: str, serials: tuple[str, ...]
    ) -> tuple[list[str], list[RuleViolation]]:
        """Four workers issue ``product`` at once: who got it, and why the others did not."""
        start = threading.Barrier(4)
        won: list[str] = []
        refused: list[RuleViolation] = []

        def work(customer: str) -> None:
            holder = Holder.service(f"S-{customer}", customer)
            start.wait(self.wait_seconds)
            try:
                goods.issue(product, "MAIN", holder, Ownership.RENTAL, serials=serials)
                won.append(customer)
            except RuleViolation as error:
                refused.append(error)

        threads = [threading.Thread(target=work, args=(f"C-{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(self.wait_seconds * 3)
        return won, refused
