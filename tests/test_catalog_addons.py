"""Add-ons: bases, attach limits, custom add-ons, and never outliving the base."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import ANNUAL, MONTHLY, Money
from prodlife.catalog import Product
from prodlife.catalog.addons import (
    AddOn,
    check_addon,
    check_addon_in_catalog,
    check_attach,
    custom_addon,
)
from prodlife.errors import RuleViolation, ValidationError
from tests._support import d, usd

BACKUP = AddOn("BACKUP", "Daily backup", {"VPS-S", "VPS-M"}, MONTHLY, max_per_base=2)
PRODUCTS = {code: Product(code, code, "VPS") for code in ("VPS-S", "VPS-M", "BACKUP")}


def test_an_addon_has_its_own_cycle_independent_of_its_base() -> None:
    ssl = AddOn("SSL", "SSL certificate", "VPS-S", ANNUAL)
    assert ssl.cycle == ANNUAL
    assert ssl.bases == frozenset({"VPS-S"})
    assert not ssl.is_custom
    assert ssl.price is None


# --- attaching ------------------------------------------------------------------------------


@pytest.mark.parametrize("already", [0, 1])
def test_attaching_within_the_limit_is_allowed(already: int) -> None:
    check_attach(BACKUP, "VPS-S", already)


@pytest.mark.parametrize("already", [2, 3])
def test_attaching_past_the_limit_is_refused(already: int) -> None:
    with pytest.raises(RuleViolation, match="at most 2") as caught:
        check_attach(BACKUP, "VPS-M", already)
    assert caught.value.rule == "addon.limit"
    assert caught.value.subject == "BACKUP"


def test_an_addon_without_a_limit_attaches_any_number_of_times() -> None:
    unlimited = AddOn("IP", "Extra IP", "VPS-S", MONTHLY)
    check_attach(unlimited, "VPS-S", 1000)


def test_attaching_to_a_product_that_is_not_a_base_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        check_attach(BACKUP, "DSL-100", 0)
    error = caught.value
    assert error.rule == "addon.base"
    assert "'DSL-100'" in str(error)
    assert "['VPS-M', 'VPS-S']" in str(error)


def test_the_base_is_checked_before_the_limit() -> None:
    with pytest.raises(RuleViolation) as caught:
        check_attach(BACKUP, "DSL-100", 5)
    assert caught.value.rule == "addon.base"


@pytest.mark.parametrize("already", [-1, True, 1.0, "1"])
def test_a_nonsense_attached_count_is_refused(already: Any) -> None:
    with pytest.raises(ValidationError, match="already_attached"):
        check_attach(BACKUP, "VPS-S", already)


def test_a_custom_addon_attaches_only_for_its_customer() -> None:
    mine = custom_addon("C-1", "IP", "Extra IP", usd("3.00"), MONTHLY, "VPS-S")
    check_attach(mine, "VPS-S", 0, customer="C-1")
    check_attach(mine, "VPS-S", 0)
    with pytest.raises(RuleViolation) as caught:
        check_attach(mine, "VPS-S", 0, customer="C-2")
    assert caught.value.rule == "addon.customer"
    check_attach(BACKUP, "VPS-S", 0, customer="C-2")


# --- custom add-ons -------------------------------------------------------------------------


def test_custom_addon_is_made_for_one_customer_with_its_own_price_and_cycle() -> None:
    addon = custom_addon(
        "C-42", "MAIL-PLUS", "More mailboxes", usd("4.50"), ANNUAL, "VPS-S", max_per_base=1
    )
    assert addon.is_custom
    assert addon.custom_for == "C-42"
    assert addon.price == usd("4.50")
    assert addon.cycle == ANNUAL
    assert addon.bases == frozenset({"VPS-S"})
    assert addon.max_per_base == 1


def test_a_custom_addon_without_a_price_is_refused() -> None:
    with pytest.raises(RuleViolation, match="no price") as caught:
        AddOn("IP", "Extra IP", "VPS-S", MONTHLY, custom_for="C-1")
    assert caught.value.rule == "addon.price"


def test_a_predefined_addon_may_carry_a_price_or_none() -> None:
    assert AddOn("IP", "Extra IP", "VPS-S", MONTHLY, price=usd("2.00")).price == usd("2.00")


# --- value rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"code": " IP"}, "code.format"),
        ({"name": "  "}, "addon.name"),
        ({"bases": ()}, "addon.bases"),
        ({"bases": {"IP"}}, "addon.bases"),
        ({"bases": {"VPS-S", ""}}, "code.format"),
        ({"max_per_base": 0}, "addon.limit"),
        ({"max_per_base": True}, "addon.limit"),
        ({"custom_for": " ", "price": Money("1.00", "USD")}, "addon.customer"),
        ({"price": Money("-1.00", "USD")}, "addon.price"),
    ],
)
def test_an_addon_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str) -> None:
    values: dict[str, Any] = {
        "code": "IP",
        "name": "Extra IP",
        "bases": {"VPS-S"},
        "cycle": MONTHLY,
        **kwargs,
    }
    with pytest.raises(RuleViolation) as caught:
        AddOn(**values)
    assert caught.value.rule == rule
    assert "add-on" in str(caught.value)


def test_check_addon_lists_nothing_for_a_sound_addon() -> None:
    assert check_addon(BACKUP) == []


# --- against the catalog --------------------------------------------------------------------


def test_bases_the_catalog_lacks_are_reported() -> None:
    addon = AddOn("SSL", "SSL", {"VPS-S", "VPS-XL", "WEB"}, ANNUAL)
    found = check_addon_in_catalog(addon, PRODUCTS)
    assert [rule for rule, _ in found] == ["addon.unknown-base", "addon.unknown-base"]
    assert "'VPS-XL'" in found[0][1]
    assert "'WEB'" in found[1][1]


def test_an_addon_whose_code_is_also_a_product_code_is_fine() -> None:
    assert "BACKUP" in PRODUCTS
    assert check_addon_in_catalog(BACKUP, PRODUCTS) == []


# --- ending with the base -------------------------------------------------------------------


def test_an_addon_always_ends_with_its_base() -> None:
    assert BACKUP.ends_with_base is True


@pytest.mark.parametrize(
    ("addon_end", "base_end", "expected"),
    [
        (None, None, None),
        (None, "2025-12-01", "2025-12-01"),
        ("2025-06-01", None, "2025-06-01"),
        ("2025-06-01", "2025-12-01", "2025-06-01"),
        ("2026-06-01", "2025-12-01", "2025-12-01"),
        ("2025-12-01", "2025-12-01", "2025-12-01"),
    ],
)
def test_end_date_is_the_earlier_of_the_addon_and_base_ends(
    addon_end: str | None, base_end: str | None, expected: str | None
) -> None:
    def day(text: str | None) -> date | None:
        return None if text is None else d(text)

    assert AddOn.end_date(day(addon_end), day(base_end)) == day(expected)
    assert BACKUP.end_date(day(addon_end), day(base_end)) == day(expected)


maybe_dates = st.none() | st.dates()


@given(maybe_dates, maybe_dates)
def test_an_addon_never_ends_after_its_base(addon_end: date | None, base_end: date | None) -> None:
    end = AddOn.end_date(addon_end, base_end)
    if base_end is not None:
        assert end is not None
        assert end <= base_end
    if addon_end is not None:
        assert end is not None
        assert end <= addon_end
    assert end in (addon_end, base_end)
    assert (end is None) == (addon_end is None and base_end is None)
