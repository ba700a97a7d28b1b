"""Lean catalog files (values equal to their defaults left out) read back to the same catalog
as full ones, for every kind of definition: values at their defaults, and values that are
``False``, ``0``, empty or near a default without being it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from prodlife import MONTHLY
from prodlife.catalog import (
    AbuseLimit,
    AddOn,
    Availability,
    BillingTerm,
    BillingTermScheme,
    BillingTiming,
    Brand,
    CancellationDefaults,
    CancellationPolicy,
    CancellationTiming,
    Catalog,
    Category,
    ChangeRule,
    ChangeRules,
    ChangeTiming,
    Classification,
    Edition,
    EditionLadder,
    Family,
    PaymentTiming,
    PrepaidTerm,
    Product,
    ProductType,
    ServiceKind,
    SubscriptionType,
    TldPrice,
    Validity,
    catalog_from_data,
    catalog_to_data,
)
from prodlife.catalog._fast_products import Slow, product_from_plain, product_to_plain
from prodlife.catalog.data import _LISTS, _SINGLE, _plain_defaults, _set
from prodlife.cycles import BillingCycle
from prodlife.io.catalog_files import load_catalog, save_catalog
from prodlife.io.toml import dumps, loads
from prodlife.serialization import InvalidData, make_converter
from tests._support import d, usd

TERMED = ServiceKind.TERMED
STRICT = make_converter(strict=True)


def every_kind() -> Catalog:
    """A catalog with each kind of definition, some at their defaults, some not."""
    return Catalog(
        types=(
            ProductType("CH", "Channel", Classification.SERVICE, service_kind=TERMED),
            ProductType(
                "CH2",
                "Channel",
                Classification.SERVICE,
                service_kind=TERMED,
                provisionable=True,
                customer_may_delete=True,
            ),
        ),
        products=(
            Product("A", "A", "CH", brand="BR", family="FA", categories={"CAT"}),
            Product(  # False where True is the default; 0 where None is
                "B",
                "B",
                "CH2",
                customer_may_change_package=False,
                priority=0,
                display_position=0,
                max_per_customer=1,
                fixed_term_days=1,
                validity=Validity(d("2025-01-01")),
            ),
            Product("C", "C", "CH", availability=Availability.ACTIVE, validity=Validity()),
        ),
        editions=(EditionLadder("A", (Edition("SD", "SD"), Edition("HD", "HD"))),),
        addons=(AddOn("X", "X", {"A"}, MONTHLY, max_per_base=1, description=""),),
        change_rules=ChangeRules((ChangeRule(ChangeTiming.END_OF_TERM),)),
        cancellation=CancellationDefaults(),  # every value its default: an empty table
        brands=(Brand("BR", "Brand"), Brand("BR2", "Brand 2", "text")),
        families=(Family("FA", "Family", ""),),
        categories=(Category("CAT", "Category"),),
        tld_prices=(
            TldPrice("com", 1, usd("0.00"), transfer=usd("0"), renew=usd("0.00")),
            TldPrice("net", 2, usd("10.50")),
        ),
        abuse_limits=(
            AbuseLimit("A", "SMTP", Decimal("1"), window_days=1),
            AbuseLimit("B", "SMTP", Decimal("10.0"), window_days=30),  # 30, the default
            AbuseLimit("C", "SMTP", 5),
        ),
        term_schemes=(
            BillingTermScheme(
                "S1",
                "Post-bill",
                prepaid=False,
                terms=[BillingTerm("A"), BillingTerm("B", BillingTiming.IN_ARREARS, True)],
            ),
            BillingTermScheme(
                "S2",
                "Prepaid",
                prepaid=True,
                terms=[
                    PrepaidTerm("A", paid_ahead=BillingCycle.months(3)),
                    PrepaidTerm("B", PaymentTiming.POSTPAID),
                ],
            ),
            BillingTermScheme("S3", "Empty"),
        ),
        subscription_types=(
            SubscriptionType("T1", "Plain"),
            SubscriptionType(
                "T2", "Full", products={"A"}, price_plans={"P"}, schemes={"S1"}, providers={"N"}
            ),
        ),
    )


def test_every_kind_reads_back_equal_from_lean_and_full_data() -> None:
    catalog = every_kind()
    lean = catalog_to_data(catalog, defaults=False)
    full = catalog_to_data(catalog)
    for data in (lean, full):
        for again in (data, json.loads(json.dumps(data)), loads(dumps(data))):
            read = catalog_from_data(again)
            assert read == catalog
            assert repr(read) == repr(catalog)  # decimals with their exponents, and so on


def test_lean_data_leaves_out_exactly_the_values_equal_to_their_defaults() -> None:
    catalog = every_kind()
    lean, full = catalog_to_data(catalog, defaults=False), catalog_to_data(catalog)
    kinds = dict(_LISTS + _SINGLE)
    assert set(lean) == set(full) == set(kinds) - {"bundles"}
    for section, items in full.items():
        defaults = _plain_defaults(kinds[section])
        pairs = zip(
            *([items, lean[section]] if section in dict(_LISTS) else [[items], [lean[section]]]),
            strict=True,
        )
        for whole, kept in pairs:
            assert kept == {
                key: value
                for key, value in whole.items()
                if key not in defaults
                or type(value) is not type(defaults[key])
                or value != defaults[key]
            }
    assert lean["cancellation"] == {}
    b = lean["products"][1]
    assert b["customer_may_change_package"] is False  # its default is True
    assert b["priority"] == 0 and b["display_position"] == 0  # theirs None
    assert lean["abuse_limits"][0]["window_days"] == 1
    assert "window_days" not in lean["abuse_limits"][1]
    assert "prepaid" not in lean["term_schemes"][0] and lean["term_schemes"][1]["prepaid"] is True
    assert lean["term_schemes"][0]["terms"][0] == {  # nested values are written whole
        "product_code": "A",
        "timing": "pre-bill",
        "exclude_from_deactivation": False,
    }
    assert lean["subscription_types"][0] == {"code": "T1", "name": "Plain"}
    assert lean["addons"][0] == {
        "code": "X",
        "name": "X",
        "bases": ["A"],
        "cycle": "monthly",
        "max_per_base": 1,
    }


@pytest.mark.parametrize("name", ["catalog.json", "catalog.toml"])
@pytest.mark.parametrize("defaults", [False, True])
def test_every_kind_comes_back_equal_from_a_file(tmp_path: Path, name: str, defaults: bool) -> None:
    catalog = every_kind()
    path = tmp_path / name
    save_catalog(catalog, path, defaults=defaults)
    read = load_catalog(path)
    assert read == catalog
    assert repr(read) == repr(catalog)


def test_a_nested_value_is_left_out_only_when_all_of_it_is_its_default() -> None:
    """A policy is one value: written whole unless it equals the default policy, and a
    product's own policy equal to the default one still written."""
    immediate = CancellationPolicy(CancellationTiming.IMMEDIATE)
    catalog = attrs.evolve(
        every_kind(),
        cancellation=CancellationDefaults(immediate, {"A": CancellationPolicy()}),
    )
    lean = catalog_to_data(catalog, defaults=False)["cancellation"]
    assert lean == catalog_to_data(catalog)["cancellation"]
    assert lean["default"]["timing"] == "immediate"
    assert lean["per_product"][0][1] == {
        "timing": "end of period",
        "refund": "none",
        "used_day": "used",
    }
    assert catalog_from_data(catalog_to_data(catalog, defaults=False)) == catalog


def test_lean_products_are_read_by_the_fast_path_as_the_strict_path_reads_them() -> None:
    for product in every_kind().products:
        lean = _set(product_to_plain(product), _plain_defaults(Product))
        assert product_from_plain(lean) == STRICT.structure(lean, Product) == product


@pytest.mark.parametrize("key", sorted(_plain_defaults(Product)))
def test_a_null_is_not_an_absent_key(key: str) -> None:
    """Absent, a key reads as its default; null, as the strict path reads it: ``None`` where
    that is the default, else refused by both paths."""
    raw = {"code": "A", "name": "A", "type_code": "CH", key: None}
    if _plain_defaults(Product)[key] is None:
        assert product_from_plain(raw) == STRICT.structure(raw, Product) == Product("A", "A", "CH")
        return
    with pytest.raises(Slow):
        product_from_plain(raw)
    with pytest.raises(InvalidData):
        STRICT.structure(raw, Product)
