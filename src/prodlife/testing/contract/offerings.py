"""The contract of the reseller offering repository: by reseller, uniqueness, replace."""

from __future__ import annotations

import attrs
import pytest

from prodlife.catalog.resellers import OfferedProduct, ResellerOffering
from prodlife.errors import AlreadyExists, NotFound
from prodlife.ports import Store
from prodlife.testing.contract._support import StoreFixture, check_unknown_keys, each, read, write

#: An offering with every field set: editions, both limits, add-ons.
OFFERING = ResellerOffering(
    "ACME",
    "Acme hosting",
    "ACME-PRICES",
    products=(
        OfferedProduct("WEB", editions={"BASIC", "PRO"}, max_per_customer=1, max_quantity=10),
        OfferedProduct("MAIL"),
    ),
    addons={"BACKUP", "SSL"},
)


class OfferingRepositoryContract(StoreFixture):
    """Resellers' offerings: by reseller, not found, uniqueness, replace, ordering."""

    def test_an_offering_reads_back_equal(self, store: Store) -> None:
        write(store, lambda uow: uow.offerings.add(OFFERING))
        assert read(store, lambda uow: uow.offerings.get("ACME")) == OFFERING

    def test_get_of_an_unknown_reseller_raises_not_found(self, store: Store) -> None:
        check_unknown_keys(store, lambda uow: uow.offerings, OFFERING, "ACME", ["acme"])

    def test_add_for_a_reseller_with_one_raises_already_exists(self, store: Store) -> None:
        write(store, lambda uow: uow.offerings.add(OFFERING))
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.offerings.add(attrs.evolve(OFFERING, name="Other")))
        assert read(store, lambda uow: uow.offerings.all()) == [OFFERING]

    def test_replace_replaces_the_resellers_offering(self, store: Store) -> None:
        write(store, lambda uow: uow.offerings.add(OFFERING))
        new = attrs.evolve(OFFERING, products=OFFERING.products[1:], addons=frozenset())
        write(store, lambda uow: uow.offerings.replace(new))
        assert read(store, lambda uow: uow.offerings.all()) == [new]

    def test_replace_of_an_unknown_reseller_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            write(store, lambda uow: uow.offerings.replace(OFFERING))
        assert read(store, lambda uow: uow.offerings.all()) == []

    def test_all_returns_every_offering_ordered_by_reseller(self, store: Store) -> None:
        codes = ["ACME", "B", "a", "Z-2", "Z-10", "é"]
        write(
            store,
            lambda uow: each(
                uow.offerings.add, [attrs.evolve(OFFERING, reseller=c) for c in codes]
            ),
        )
        got = read(store, lambda uow: uow.offerings.all())
        assert [offering.reseller for offering in got] == sorted(codes)

    def test_what_is_not_an_offering_is_refused(self, store: Store) -> None:
        with pytest.raises(TypeError, match="must be a ResellerOffering"):
            write(store, lambda uow: uow.offerings.add("ACME"))  # type: ignore[arg-type]
        assert read(store, lambda uow: uow.offerings.all()) == []
