"""The contract of the price plan repository: by code, uniqueness, replace."""

from __future__ import annotations

import attrs
import pytest

from prodlife.catalog.products import Validity
from prodlife.errors import AlreadyExists, NotFound
from prodlife.ports import Store
from prodlife.testing.contract._support import StoreFixture, check_unknown_keys, each, read, write
from prodlife.testing.contract._values import PLAN


class PricePlanRepositoryContract(StoreFixture):
    """Price plans: by code, not found, uniqueness, replace, ordering, values."""

    def test_a_plan_reads_back_equal(self, store: Store) -> None:
        write(store, lambda uow: uow.price_plans.add(PLAN))
        assert read(store, lambda uow: uow.price_plans.get("STD")) == PLAN

    def test_get_of_an_unknown_code_raises_not_found(self, store: Store) -> None:
        check_unknown_keys(store, lambda uow: uow.price_plans, PLAN, "STD", ["ST"])

    def test_add_of_a_taken_code_raises_already_exists(self, store: Store) -> None:
        write(store, lambda uow: uow.price_plans.add(PLAN))
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.price_plans.add(attrs.evolve(PLAN, name="Other")))
        assert read(store, lambda uow: uow.price_plans.all()) == [PLAN]

    def test_replace_replaces_the_plan_with_the_same_code(self, store: Store) -> None:
        write(store, lambda uow: uow.price_plans.add(PLAN))
        new = attrs.evolve(PLAN, name="Renamed", rates=PLAN.rates[:1], validity=Validity())
        write(store, lambda uow: uow.price_plans.replace(new))
        assert read(store, lambda uow: uow.price_plans.all()) == [new]

    def test_replace_of_an_unknown_code_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            write(store, lambda uow: uow.price_plans.replace(PLAN))
        assert read(store, lambda uow: uow.price_plans.all()) == []

    def test_all_returns_every_plan_ordered_by_code(self, store: Store) -> None:
        codes = ["STD", "B", "a", "Z-2", "Z-10", "é"]
        write(
            store,
            lambda uow: each(uow.price_plans.add, [attrs.evolve(PLAN, code=c) for c in codes]),
        )
        got = read(store, lambda uow: uow.price_plans.all())
        assert [plan.code for plan in got] == sorted(codes)
