"""Catalog records (seeds 001, 004): registered brands, families and categories, attachments,
and created / last-modified stamps from the host's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock
from prodlife.app import Billing
from prodlife.catalog import (
    Attachment,
    AttachmentKind,
    Brand,
    Catalog,
    CatalogVersion,
    Category,
    Classification,
    Composition,
    Family,
    FlexibleBundle,
    Pool,
    PoolKind,
    Product,
    ProductQuery,
    ProductType,
    ServiceKind,
    catalog_from_data,
    catalog_to_data,
    stamp_products,
)
from prodlife.errors import InvalidCatalog, InvalidInstant, RuleViolation
from prodlife.ports import Store
from tests.test_app import make_every_store  # noqa: F401 (a fixture: each store in turn)

T1 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 2, 9, 16, 30, tzinfo=UTC)
TV = ProductType("TV", "TV", Classification.SERVICE, service_kind=ServiceKind.TERMED)


def tv(code: str, **fields: object) -> Product:
    return Product(code, code.title(), "TV", **fields)  # type: ignore[arg-type]


REGISTERED = Catalog(
    types=(TV,),
    brands=(Brand("SAMSUNG", "Samsung"),),
    families=(Family("DECODERS", "Decoders"),),
    categories=(Category("home", "Home"), Category("b2b", "Business")),
)


# --- registered brands, families and categories ------------------------------------------------


def test_brands_families_and_categories_are_created_with_add_and_listed() -> None:
    catalog = Catalog(types=(TV,)).add(Brand("APPLE", "Apple"), Family("MODEMS", "Modems"))
    catalog = catalog.add(Category("home", "Home"), tv("BOX", brand="APPLE", family="MODEMS"))
    assert [b.code for b in catalog.brands] == ["APPLE"]
    assert [f.name for f in catalog.families] == ["Modems"]
    assert [c.code for c in catalog.categories] == ["home"]
    assert catalog.find_products(ProductQuery(brand="APPLE")) == (catalog.product("BOX"),)


@pytest.mark.parametrize(
    ("fields", "rule", "named"),
    [
        ({"brand": "SONY"}, "catalog.unknown-brand", "SONY"),
        ({"family": "MODEMS"}, "catalog.unknown-family", "MODEMS"),
        ({"categories": {"home", "promo"}}, "catalog.unknown-category", "promo"),
    ],
)
def test_a_product_naming_an_unregistered_classifier_is_refused(
    fields: dict[str, object], rule: str, named: str
) -> None:
    with pytest.raises(InvalidCatalog, match=named) as raised:
        REGISTERED.add(tv("BOX", **fields))
    assert [(p.path, p.rule) for p in raised.value.problems] == [("products[BOX]", rule)]


def test_a_product_naming_registered_classifiers_is_accepted() -> None:
    catalog = REGISTERED.add(tv("BOX", brand="SAMSUNG", family="DECODERS", categories={"b2b"}))
    assert catalog.product("BOX").brand == "SAMSUNG"


def test_a_catalog_registering_none_of_a_kind_accepts_any_name_there() -> None:
    catalog = Catalog(types=(TV,), brands=(Brand("SAMSUNG", "Samsung"),))
    assert catalog.add(tv("BOX", family="ANYTHING", categories={"x"})).product("BOX")


def test_a_family_pool_names_a_registered_family() -> None:
    pack = ProductType(
        "PACK",
        "Pack",
        Classification.SERVICE,
        service_kind=ServiceKind.TERMED,
        composition=Composition.FLEXIBLE_BUNDLE,
    )
    with pytest.raises(InvalidCatalog) as raised:
        REGISTERED.add(
            pack,
            Product("KIT", "Kit", "PACK"),
            tv("BOX", family="DECODERS"),
            FlexibleBundle("KIT", (Pool(PoolKind.FAMILY, "MODEMS"),)),
        )
    assert ("bundles[KIT]", "catalog.unknown-family") in [
        (p.path, p.rule) for p in raised.value.problems
    ]


def test_a_classifier_registered_twice_is_refused() -> None:
    with pytest.raises(InvalidCatalog, match="more than once"):
        REGISTERED.add(Brand("SAMSUNG", "Samsung again"))


@pytest.mark.parametrize("kind", [Brand, Family, Category])
def test_a_classifier_needs_a_code_and_a_name(kind: type[Brand]) -> None:
    with pytest.raises(RuleViolation, match="name"):
        kind("CODE", " ")
    with pytest.raises(RuleViolation, match="code"):
        kind(" CODE", "Name")


# --- attachments -------------------------------------------------------------------------------


def test_a_product_carries_files_and_urls_besides_its_images() -> None:
    box = tv(
        "BOX",
        attachments=[
            Attachment("Manual", "docs/box-manual.pdf"),
            Attachment("Datasheet", "https://example.com/box.pdf", AttachmentKind.URL),
        ],
    )
    assert [a.kind for a in box.attachments] == [AttachmentKind.FILE, AttachmentKind.URL]


@pytest.mark.parametrize(
    ("attachments", "message"),
    [
        ([Attachment("Site", "example.com", AttachmentKind.URL)], "not an http"),
        ([Attachment("A", "a.pdf"), Attachment("A", "b.pdf")], "named twice"),
        ([Attachment("", "a.pdf")], "needs a name and a location"),
        ([Attachment("A", " ")], "needs a name and a location"),
        (["a.pdf"], "not an Attachment"),
    ],
)
def test_malformed_attachments_are_refused(attachments: list[object], message: str) -> None:
    with pytest.raises(RuleViolation, match=message) as raised:
        tv("BOX", attachments=attachments)
    assert raised.value.rule == "product.attachments"


# --- stamps ------------------------------------------------------------------------------------


def test_stamps_are_kept_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    box = tv("BOX", created_at=datetime(2026, 1, 5, 10, 0, tzinfo=paris))
    assert box.created_at == T1 and box.created_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("created", "modified"),
    [(datetime(2026, 1, 5), None), (T2, T1), (date(2026, 1, 5), None)],
)
def test_naive_or_backwards_stamps_are_refused(created: object, modified: object) -> None:
    with pytest.raises(RuleViolation) as raised:
        tv("BOX", created_at=created, modified_at=modified)
    assert raised.value.rule == "product.stamps"


def test_stamping_creates_new_products_modifies_changed_ones_and_keeps_the_rest() -> None:
    first = stamp_products(Catalog(types=(TV,), products=(tv("A"), tv("B"))), Catalog(), T1)
    second = Catalog(types=(TV,), products=(*first.products, tv("C")))
    second = attrs.evolve(second, products=(first.products[0], tv("B", description="new"), tv("C")))
    again = stamp_products(second, first, T2)
    assert [(p.code, p.created_at, p.modified_at) for p in again.products] == [
        ("A", T1, T1),
        ("B", T1, T2),
        ("C", T2, T2),
    ]


def test_stamping_refuses_a_naive_now() -> None:
    with pytest.raises(InvalidInstant):
        stamp_products(Catalog(), Catalog(), datetime(2026, 1, 5))


_EDITS = st.lists(st.tuples(st.sampled_from("ABCDE"), st.sampled_from(["", "x", "y"])), max_size=5)


@given(_EDITS, _EDITS, st.timedeltas(timedelta(0), timedelta(days=900)))
def test_stamps_never_go_back_and_change_only_with_the_product(
    before: list[tuple[str, str]], after: list[tuple[str, str]], gap: timedelta
) -> None:
    def catalog(edits: list[tuple[str, str]]) -> Catalog:
        chosen = dict(edits)
        return Catalog(types=(TV,), products=[tv(c, description=t) for c, t in chosen.items()])

    first = stamp_products(catalog(before), Catalog(), T1)
    second = stamp_products(catalog(after), first, T1 + gap)
    old = {p.code: p for p in first.products}
    for product in second.products:
        assert product.created_at is not None and product.modified_at is not None
        assert product.created_at <= product.modified_at <= T1 + gap
        was = old.get(product.code)
        if was is None:
            assert product.created_at == product.modified_at == T1 + gap
        else:
            assert product.created_at == was.created_at
            same = was.description == product.description
            assert (
                (product.modified_at == was.modified_at)
                if same
                else (product.modified_at == T1 + gap)
            )


# --- files and stores --------------------------------------------------------------------------


def test_registries_attachments_and_stamps_are_kept_in_catalog_files() -> None:
    box = tv(
        "BOX",
        brand="SAMSUNG",
        created_at=T1,
        modified_at=T2,
        attachments=[Attachment("Datasheet", "https://example.com/b.pdf", AttachmentKind.URL)],
    )
    catalog = REGISTERED.add(box)
    data = catalog_to_data(catalog)
    assert data["brands"] == [{"code": "SAMSUNG", "name": "Samsung", "description": ""}]
    assert data["products"][0]["created_at"] == "2026-01-05T09:00:00+00:00"
    assert catalog_from_data(data) == catalog


def test_an_unregistered_brand_in_a_file_is_reported_with_its_path() -> None:
    data = catalog_to_data(REGISTERED.add(tv("BOX", brand="SAMSUNG")))
    data["products"][0]["brand"] = "SONY"
    with pytest.raises(InvalidCatalog) as raised:
        catalog_from_data(data)
    assert [(p.path, p.rule) for p in raised.value.problems] == [
        ("products[BOX]", "catalog.unknown-brand")
    ]


def test_adding_a_catalog_version_stamps_its_products_with_the_clock(
    make_every_store: Callable[[], Store],  # noqa: F811
) -> None:
    clock = FixedClock(T1)
    app = Billing(make_every_store(), clock=clock)
    first = REGISTERED.add(tv("A", brand="SAMSUNG"), tv("B"))
    app.add_catalog_version(CatalogVersion("2026-01", date(2026, 1, 1), first))
    clock.set(T2)
    changed = REGISTERED.add(tv("A", brand="SAMSUNG"), tv("B", description="HD"), tv("C"))
    app.add_catalog_version(CatalogVersion("2026-02", date(2026, 2, 1), changed))
    stored = app.catalog(date(2026, 2, 15)).catalog
    assert [(p.code, p.created_at, p.modified_at) for p in stored.products] == [
        ("A", T1, T1),
        ("B", T1, T2),
        ("C", T2, T2),
    ]
    assert [b.code for b in stored.brands] == ["SAMSUNG"]
    assert app.catalog(date(2026, 1, 15)).catalog.product("B").modified_at == T1
