"""The contract of the order repository: by id, uniqueness, replace, by customer."""

from __future__ import annotations

import pytest

from prodlife.errors import AlreadyExists, NotFound
from prodlife.lifecycle.orders import OrderStatus
from prodlife.ports import Store
from prodlife.testing.contract._support import StoreFixture, check_unknown_keys, each, read, write
from prodlife.testing.contract._values import HOUR, NEW_YORK, ST_JOHNS, T0, TOKYO, make_order


class OrderRepositoryContract(StoreFixture):
    """Orders: by id, not found, uniqueness, replace, a customer's orders in order."""

    def test_an_order_reads_back_equal(self, store: Store) -> None:
        order = make_order(placed_at=T0.astimezone(NEW_YORK))
        write(store, lambda uow: uow.orders.add(order))
        assert read(store, lambda uow: uow.orders.get("O-1")) == order

    def test_get_of_an_unknown_id_raises_not_found(self, store: Store) -> None:
        check_unknown_keys(store, lambda uow: uow.orders, make_order(), "O-1", ["o-1"])

    def test_add_of_a_taken_id_raises_already_exists(self, store: Store) -> None:
        write(store, lambda uow: uow.orders.add(make_order()))
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.orders.add(make_order(customer_id="C-2")))
        assert read(store, lambda uow: uow.orders.get("O-1")) == make_order()

    def test_replace_replaces_the_order_with_the_same_id(self, store: Store) -> None:
        write(store, lambda uow: uow.orders.add(make_order()))
        new = make_order(status=OrderStatus.FRAUD)
        write(store, lambda uow: uow.orders.replace(new))
        assert read(store, lambda uow: uow.orders.get("O-1")) == new

    def test_replace_of_an_unknown_id_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            write(store, lambda uow: uow.orders.replace(make_order()))
        assert read(store, lambda uow: uow.orders.for_customer("C-1")) == []

    def test_for_customer_orders_by_placed_at_then_id(self, store: Store) -> None:
        orders = [
            make_order("O-3", placed_at=T0 + HOUR),
            make_order("O-10", placed_at=(T0 + HOUR).astimezone(TOKYO)),
            make_order("O-2", placed_at=(T0 + 2 * HOUR).astimezone(NEW_YORK)),
            make_order("O-1", placed_at=T0 + 3 * HOUR),
            make_order("O-0", placed_at=T0.astimezone(ST_JOHNS)),
            make_order("O-9", customer_id="C-2", placed_at=T0),
        ]
        write(store, lambda uow: each(uow.orders.add, orders))
        with store.transaction() as uow:
            mine = uow.orders.for_customer("C-1")
            assert [order.id for order in mine] == ["O-0", "O-10", "O-3", "O-2", "O-1"]
            assert uow.orders.for_customer("C-2") == [orders[5]]
            assert uow.orders.for_customer("C-404") == []
        assert sorted(mine, key=lambda o: o.id) == sorted(orders[:5], key=lambda o: o.id)
