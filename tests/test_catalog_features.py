"""Editions' features, compared side by side for a customer choosing (seed 000)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock
from prodlife.app import Billing
from prodlife.catalog import (
    Catalog,
    CatalogVersion,
    Classification,
    Edition,
    EditionLadder,
    Feature,
    Product,
    ProductType,
    ServiceKind,
    catalog_from_data,
    catalog_to_data,
)
from prodlife.errors import InvalidCatalog, NotFound, RuleViolation
from prodlife.ports import Store
from tests.test_app import NOW, make_every_store  # noqa: F401 (a fixture: each store in turn)

OFFICE = EditionLadder(
    "OFFICE",
    (
        Edition(
            "BASIC", "Basic", (Feature("Storage", "50 GB"), Feature("Reports", included=False))
        ),
        Edition("PRO", "Pro", (Feature("Storage", "1 TB"), Feature("Reports"))),
        Edition(
            "PREMIUM", "Premium", (Feature("Storage", "1 TB"), Feature("Reports"), Feature("API"))
        ),
    ),
)


def test_comparison_has_a_column_per_edition_lowest_first() -> None:
    assert OFFICE.compare().codes == ("BASIC", "PRO", "PREMIUM")


def test_a_feature_an_edition_does_not_name_is_an_empty_cell() -> None:
    api = OFFICE.compare().rows[-1]
    assert api.name == "API"
    assert api.cells == (None, None, Feature("API"))


def test_a_feature_listed_as_not_included_shows_no() -> None:
    reports = next(row for row in OFFICE.compare().rows if row.name == "Reports")
    assert [cell.shown if cell else None for cell in reports.cells] == ["no", "yes", "yes"]


def test_differences_between_two_chosen_editions_leave_out_what_they_share() -> None:
    table = OFFICE.compare("PRO", "PREMIUM")
    assert table.codes == ("PRO", "PREMIUM")
    assert [row.name for row in table.differences()] == ["API"]


def test_comparing_an_unknown_edition_is_not_found() -> None:
    with pytest.raises(NotFound, match="ULTRA"):
        OFFICE.compare("BASIC", "ULTRA")


def test_an_edition_naming_a_feature_twice_is_refused() -> None:
    with pytest.raises(RuleViolation, match="twice") as raised:
        EditionLadder("X", (Edition("A", "A", (Feature("Storage"), Feature("Storage", "2"))),))
    assert raised.value.rule == "edition.feature-duplicate"


@pytest.mark.parametrize(
    "feature",
    [Feature(""), Feature("  "), Feature("Storage", 5), Feature("Storage", "", "yes"), "Storage"],  # type: ignore[arg-type]
)
def test_a_malformed_feature_is_refused(feature: object) -> None:
    with pytest.raises(RuleViolation) as raised:
        EditionLadder("X", (Edition("A", "A", (feature,)),))  # type: ignore[arg-type]
    assert raised.value.rule == "edition.feature"


_NAMES = st.sampled_from(["Storage", "Users", "API", "Support", "Backups"])
_FEATURES = st.lists(
    st.builds(Feature, _NAMES, st.sampled_from(["", "5", "1 TB"]), st.booleans()),
    max_size=5,
    unique_by=lambda feature: feature.name,
).map(tuple)


@given(st.lists(_FEATURES, min_size=1, max_size=4))
def test_every_edition_feature_is_in_its_column_and_nothing_else(
    features: list[tuple[Feature, ...]],
) -> None:
    ladder = EditionLadder("P", tuple(Edition(f"E{i}", f"E{i}", f) for i, f in enumerate(features)))
    table = ladder.compare()
    assert len({row.name for row in table.rows}) == len(table.rows)
    for column, own in enumerate(features):
        shown = {row.name: row.cells[column] for row in table.rows if row.cells[column]}
        assert shown == {feature.name: feature for feature in own}
    for row in table.rows:
        assert len(row.cells) == len(features)
        assert row.differs == (len({c.shown if c else "no" for c in row.cells}) > 1)


def test_features_are_kept_in_catalog_files() -> None:
    kind = ProductType("SAAS", "SaaS", Classification.SERVICE, service_kind=ServiceKind.TERMED)
    catalog = Catalog(
        types=(kind,), products=(Product("OFFICE", "Office", "SAAS"),), editions=(OFFICE,)
    )
    data = catalog_to_data(catalog)
    assert data["editions"][0]["editions"][0]["features"][1] == {
        "name": "Reports",
        "value": "",
        "included": False,
    }
    assert catalog_from_data(data) == catalog


def test_a_misspelt_feature_key_in_a_file_is_reported_with_its_path() -> None:
    data = {
        "types": [
            {"code": "SAAS", "name": "SaaS", "classification": "service", "service_kind": "termed"}
        ],
        "products": [{"code": "OFFICE", "name": "Office", "type_code": "SAAS"}],
        "editions": [
            {
                "product_code": "OFFICE",
                "editions": [
                    {"code": "A", "name": "A", "features": [{"name": "X", "include": True}]}
                ],
            }
        ],
    }
    with pytest.raises(InvalidCatalog, match="include") as raised:
        catalog_from_data(data)
    assert raised.value.problems[0].path.startswith("editions[OFFICE]")


def test_a_customer_compares_the_editions_of_the_catalog_stored_on_every_store(
    make_every_store: Callable[[], Store],  # noqa: F811
) -> None:
    kind = ProductType("SAAS", "SaaS", Classification.SERVICE, service_kind=ServiceKind.TERMED)
    catalog = Catalog(
        types=(kind,), products=(Product("OFFICE", "Office", "SAAS"),), editions=(OFFICE,)
    )
    app = Billing(make_every_store(), clock=FixedClock(NOW))
    app.add_catalog_version(CatalogVersion("OFFICE", date(2025, 3, 1), catalog))
    ladder = app.catalog(NOW.date()).catalog.ladder("OFFICE")
    assert ladder is not None
    table = ladder.compare("BASIC", "PREMIUM")
    assert [(row.name, [c.shown if c else "-" for c in row.cells]) for row in table.rows] == [
        ("Storage", ["50 GB", "1 TB"]),
        ("Reports", ["no", "yes"]),
        ("API", ["-", "yes"]),
    ]
