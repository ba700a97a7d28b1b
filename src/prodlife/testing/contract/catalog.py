"""The contract of the catalog repository: versions by name and effective date, each
checked when stored (values a catalog file could hold, one version a day)."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife.catalog.catalog import Catalog, CatalogVersion, CatalogVersions
from prodlife.catalog.data import catalog_to_data
from prodlife.catalog.products import CustomField, FieldKind, Product
from prodlife.catalog.types import Classification, ProductType, ServiceKind
from prodlife.errors import AlreadyExists, InvalidCatalog, NotFound
from prodlife.ports import Store
from prodlife.testing.catalogs import catalogs
from prodlife.testing.contract._support import StoreFixture, each, read, write
from prodlife.testing.contract._values import make_version


class CatalogRepositoryContract(StoreFixture):
    """Catalog versions: none is not found, names are unique, versions read back equal."""

    def test_versions_of_an_empty_store_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.catalog.versions()

    def test_versions_returns_every_version_by_effective_date(self, store: Store) -> None:
        later = CatalogVersion("2026", date(2026, 1, 1), Catalog(), date(2026, 7, 1))
        first = make_version("2025", date(2025, 1, 1))
        middle = make_version("2025b", date(2025, 7, 1))
        write(store, lambda uow: each(uow.catalog.add_version, (later, first, middle)))
        with store.transaction() as uow:
            versions = uow.catalog.versions()
        assert isinstance(versions, CatalogVersions)
        assert versions == CatalogVersions((first, middle, later))
        assert [v.name for v in versions.versions] == ["2025", "2025b", "2026"]

    def test_add_version_of_a_taken_name_raises_already_exists(self, store: Store) -> None:
        write(store, lambda uow: uow.catalog.add_version(make_version("2025")))
        with pytest.raises(AlreadyExists):
            write(
                store, lambda uow: uow.catalog.add_version(make_version("2025", date(2030, 1, 1)))
            )
        assert read(store, lambda uow: uow.catalog.versions()) == CatalogVersions((make_version(),))

    def test_add_version_refuses_a_second_version_on_the_same_day(self, store: Store) -> None:
        write(store, lambda uow: uow.catalog.add_version(make_version("2025")))
        with pytest.raises(InvalidCatalog, match=r"version\.same-day"):
            write(store, lambda uow: uow.catalog.add_version(make_version("2025-bis")))
        assert read(store, lambda uow: uow.catalog.versions()) == CatalogVersions((make_version(),))

    def test_add_version_refuses_values_a_catalog_file_could_not_hold(self, store: Store) -> None:
        termed = ProductType("T", "Termed", Classification.SERVICE, service_kind=ServiceKind.TERMED)
        web = Product("WEB", "Web", "T")
        # Right Python types, nonsense values: each read back would fail on every day.
        for bad, message in (
            (attrs.evolve(web, priority=True), "True is not a whole number"),
            (
                attrs.evolve(
                    web, custom_fields=[CustomField("gb", FieldKind.NUMBER, Decimal("NaN"))]
                ),
                "'NaN' is not a finite number",
            ),
        ):
            version = CatalogVersion("bad", date(2025, 1, 1), Catalog([termed], [bad]))
            with pytest.raises(InvalidCatalog, match=message), store.transaction() as uow:
                uow.catalog.add_version(version)
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.catalog.versions()

    def test_a_withdrawn_version_is_gone_and_its_name_never_used_again(self, store: Store) -> None:
        first, second = make_version("2025"), make_version("2026", date(2026, 1, 1))
        write(store, lambda uow: each(uow.catalog.add_version, (first, second)))
        with store.transaction() as uow:
            assert uow.catalog.withdraw_version("2026") == second
            uow.commit()
        assert read(store, lambda uow: uow.catalog.versions()) == CatalogVersions((first,))
        again = make_version("2026", date(2027, 1, 1))
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.catalog.add_version(again))
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.catalog.withdraw_version("2026")
        # Its day is free again, under another name.
        write(store, lambda uow: uow.catalog.add_version(make_version("2026b", date(2026, 1, 1))))
        names = [v.name for v in read(store, lambda uow: uow.catalog.versions()).versions]
        assert names == ["2025", "2026b"]

    def test_a_withdrawal_is_rolled_back_with_its_transaction(self, store: Store) -> None:
        write(store, lambda uow: uow.catalog.add_version(make_version()))
        with store.transaction() as uow:
            uow.catalog.withdraw_version("2025")
            with pytest.raises(NotFound):
                uow.catalog.versions()
        assert read(store, lambda uow: uow.catalog.versions()) == CatalogVersions((make_version(),))
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.catalog.withdraw_version("nope")

    def test_versions_are_rolled_back_with_their_transaction(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.catalog.add_version(make_version())
            assert uow.catalog.versions() == CatalogVersions((make_version(),))
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.catalog.versions()

    def test_a_name_rolled_back_then_added_again_reads_back_as_added_again(
        self, store: Store
    ) -> None:
        with store.transaction() as uow:
            uow.catalog.add_version(make_version("2025", date(2025, 1, 1)))
            assert [v.effective for v in uow.catalog.versions().versions] == [date(2025, 1, 1)]
        again = make_version("2025", date(2025, 6, 1))
        write(store, lambda uow: uow.catalog.add_version(again))
        assert read(store, lambda uow: uow.catalog.versions()) == CatalogVersions((again,))

    def test_a_version_read_in_its_own_transaction_reads_back_after_commit(
        self, store: Store
    ) -> None:
        first, second = make_version("2025"), make_version("2026", date(2026, 1, 1))
        write(store, lambda uow: uow.catalog.add_version(first))
        assert read(store, lambda uow: uow.catalog.versions()) == CatalogVersions((first,))
        with store.transaction() as uow:
            uow.catalog.add_version(second)
            assert uow.catalog.versions() == CatalogVersions((first, second))
            uow.commit()
        assert read(store, lambda uow: uow.catalog.versions()) == CatalogVersions((first, second))

    def test_catalog_versions_read_back_equal_to_what_was_written(self, store: Store) -> None:
        counter = itertools.count()

        # Text is any Unicode but NUL, as in services(): PostgreSQL cannot store NUL.
        storable = catalogs(max_types=3, max_products=5).filter(
            lambda catalog: "\\u0000" not in json.dumps(catalog_to_data(catalog), default=str)
        )

        @settings(self.hypothesis_settings(), max_examples=max(1, self.examples // 4))
        @given(catalog=storable, moves=st.booleans())
        def round_trip(catalog: Catalog, moves: bool) -> None:
            n = next(counter)
            effective = date(2000, 1, 1) + timedelta(days=n)
            version = CatalogVersion(
                f"v{n}", effective, catalog, effective + timedelta(days=30) if moves else None
            )
            write(store, lambda uow: uow.catalog.add_version(version))
            with store.transaction() as uow:
                by_name = {v.name: v for v in uow.catalog.versions().versions}
            assert by_name[version.name] == version

        round_trip()
