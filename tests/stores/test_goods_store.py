"""Goods kept under concurrency in the SQL stores: a product's next movement is kept once."""

from __future__ import annotations

from datetime import date

import pytest

from prodlife.errors import ConcurrencyConflict
from prodlife.goods import Movement, MovementKind
from prodlife.stores.postgres import PostgresStore


def test_two_transactions_recording_a_products_next_movement_cannot_both_keep_it(
    postgres_store: PostgresStore,
) -> None:
    def receipt(sequence: int) -> Movement:
        return Movement(sequence, MovementKind.RECEIVE, "CABLE", "MAIN", date(2025, 3, 1), 1)

    with postgres_store.transaction() as first, postgres_store.transaction() as second:
        assert first.goods.movements(["CABLE"]) == second.goods.movements(["CABLE"]) == []
        first.goods.record(receipt(0))
        first.commit()
        with pytest.raises(ConcurrencyConflict):  # it loaded the stock before the first kept 0
            second.goods.record(receipt(0))
        second.goods.record(receipt(1))  # nothing of the refused one was written
        second.commit()
    with postgres_store.transaction(readonly=True) as uow:
        assert [m.sequence for m in uow.goods.movements(["CABLE"])] == [0, 1]
