"""The contract of the promotion repository: codes ignoring case, and uses."""

from __future__ import annotations

import attrs
import pytest

from prodlife.errors import AlreadyExists, NotFound
from prodlife.ports import Store, UnitOfWork
from prodlife.pricing.promotions import Promotion, PromotionKind
from prodlife.testing.contract._support import StoreFixture, check_unknown_keys, each, read, write
from prodlife.testing.contract._values import PROMOTIONS


class PromotionRepositoryContract(StoreFixture):
    """Promotions: codes ignoring case, ordering, values, and uses per customer and order."""

    def test_promotions_read_back_equal_whatever_the_case_of_the_code(self, store: Store) -> None:
        write(store, lambda uow: each(uow.promotions.add, PROMOTIONS))
        with store.transaction() as uow:
            for promotion in PROMOTIONS:
                assert uow.promotions.get(promotion.code) == promotion
                assert uow.promotions.get(promotion.code.lower()) == promotion
                assert uow.promotions.get(promotion.code.upper()) == promotion
            assert uow.promotions.get("summer25") == PROMOTIONS[0]
            assert uow.promotions.get("fIxEd5") == PROMOTIONS[1]

    def test_codes_compare_ignoring_case_beyond_ascii(self, store: Store) -> None:
        summer = Promotion("Été-2025", PromotionKind.FREE_SETUP, None)
        write(store, lambda uow: uow.promotions.add(summer))
        with store.transaction() as uow:
            assert uow.promotions.get("ÉTÉ-2025") == summer
            assert uow.promotions.get("été-2025") == summer
            uow.promotions.record_use("ÉTÉ-2025", "C-1", "O-1")
            assert uow.promotions.uses("été-2025") == 1
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.promotions.add(attrs.evolve(summer, code="ÉTÉ-2025")))

    def test_get_of_an_unknown_code_raises_not_found(self, store: Store) -> None:
        check_unknown_keys(
            store, lambda uow: uow.promotions, PROMOTIONS[0], "SUMMER25", ["SUMMER2"]
        )

    @pytest.mark.parametrize("code", ["SUMMER25", "summer25", "Summer25"])
    def test_add_of_a_code_taken_in_any_case_raises_already_exists(
        self, store: Store, code: str
    ) -> None:
        write(store, lambda uow: uow.promotions.add(PROMOTIONS[0]))
        other = Promotion(code, PromotionKind.FREE_SETUP, None)
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.promotions.add(other))
        with store.transaction() as uow:
            assert uow.promotions.all() == [PROMOTIONS[0]]

    def test_all_returns_every_promotion_ordered_by_code(self, store: Store) -> None:
        write(store, lambda uow: each(uow.promotions.add, reversed(PROMOTIONS)))
        got = read(store, lambda uow: uow.promotions.all())
        assert got == sorted(PROMOTIONS, key=lambda promotion: promotion.code)

    def test_record_use_of_an_unknown_code_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.promotions.record_use("NOPE", "C-1", "O-1")

    def test_uses_count_every_use_or_one_customers(self, store: Store) -> None:
        def use(uow: UnitOfWork) -> None:
            for promotion in PROMOTIONS:
                uow.promotions.add(promotion)
            uow.promotions.record_use("SUMMER25", "C-1", "O-1")
            uow.promotions.record_use("summer25", "C-1", "O-2")
            uow.promotions.record_use("Summer25", "C-2", "O-3")
            uow.promotions.record_use("FIXED5", "C-1", "O-1")

        write(store, use)
        with store.transaction() as uow:
            assert uow.promotions.uses("SUMMER25") == 3
            assert uow.promotions.uses("summer25", "C-1") == 2
            assert uow.promotions.uses("SUMMER25", "C-2") == 1
            assert uow.promotions.uses("SUMMER25", "C-3") == 0
            assert uow.promotions.uses("Fixed5") == 1
            assert uow.promotions.uses("OVERRIDE") == 0

    @pytest.mark.parametrize("code", ["SUMMER25", "summer25"])
    def test_a_second_use_on_one_order_raises_already_exists(self, store: Store, code: str) -> None:
        def first(uow: UnitOfWork) -> None:
            uow.promotions.add(PROMOTIONS[0])
            uow.promotions.record_use("SUMMER25", "C-1", "O-1")

        write(store, first)
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.promotions.record_use(code, "C-2", "O-1"))
        with store.transaction() as uow:
            assert uow.promotions.uses("SUMMER25") == 1
            assert uow.promotions.uses("SUMMER25", "C-2") == 0

    def test_uses_are_rolled_back_with_their_transaction(self, store: Store) -> None:
        write(store, lambda uow: uow.promotions.add(PROMOTIONS[0]))
        with store.transaction() as uow:
            uow.promotions.record_use("SUMMER25", "C-1", "O-1")
            assert uow.promotions.uses("SUMMER25") == 1
        assert read(store, lambda uow: uow.promotions.uses("SUMMER25")) == 0
        write(store, lambda uow: uow.promotions.record_use("SUMMER25", "C-1", "O-1"))
        assert read(store, lambda uow: uow.promotions.uses("SUMMER25", "C-1")) == 1
