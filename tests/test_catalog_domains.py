"""The TLD price table in the catalog (seed 003): register / transfer / renew per term; a domain
line without a price override is priced at its TLD's regular price."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock, Money
from prodlife.app import Billing
from prodlife.catalog import (
    Catalog,
    CatalogVersion,
    TldPrice,
    TldPrices,
    catalog_from_data,
    catalog_to_data,
)
from prodlife.errors import InvalidCatalog, NotFound, RuleViolation, ValidationError
from prodlife.lifecycle import DomainAction, DomainLine, price_order
from prodlife.lifecycle.domains import DOMAIN_PRODUCT
from prodlife.ports import Store
from tests._lifecycle import OWNER, OWNER_ID
from tests._support import usd
from tests.test_app import NOW, make_every_store  # noqa: F401 (a fixture: each store in turn)
from tests.test_lifecycle_orders import CONTEXT, order

COM_1 = TldPrice("com", 1, usd("12.00"), transfer=usd("10.00"), renew=usd("14.00"))
COM_2 = TldPrice("com", 2, usd("22.00"))
UK = TldPrice("uk", 1, usd("8.00"), transfer=usd("0.00"))
CO_UK = TldPrice("co.uk", 1, usd("6.00"))
TABLE = TldPrices([COM_1, COM_2, UK, CO_UK])


@pytest.mark.parametrize(
    ("domain", "years", "action", "price"),
    [
        ("example.com", 1, "register", "12.00"),
        ("example.com", 1, "transfer", "10.00"),
        ("example.com", 1, "renew", "14.00"),
        ("example.com", 2, "renew", "22.00"),  # no renewal price: the registration's
        ("shop.example.co.uk", 1, "register", "6.00"),  # the longest TLD the table has
        ("example.org.uk", 1, "transfer", "0.00"),
        ("EXAMPLE.COM", 1, "register", "12.00"),
    ],
)
def test_a_domain_is_priced_by_its_tld_term_and_action(
    domain: str, years: int, action: str, price: str
) -> None:
    assert TABLE.price(domain, years, action, "USD") == usd(price)


@pytest.mark.parametrize(
    ("domain", "years", "action", "currency"),
    [
        ("example.com", 2, "transfer", "USD"),  # transfers for 2 years are not offered
        ("example.com", 3, "register", "USD"),
        ("example.net", 1, "register", "USD"),
        ("example.com", 1, "register", "EUR"),
    ],
)
def test_a_price_the_table_lacks_is_not_found(
    domain: str, years: int, action: str, currency: str
) -> None:
    with pytest.raises(NotFound, match="price override"):
        TABLE.price(domain, years, action, currency)


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(ValidationError, match="delete"):
        TABLE.price("example.com", 1, "delete", "USD")


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (lambda: TldPrice(".com", 1, usd("1.00")), "tld.name"),
        (lambda: TldPrice("COM", 1, usd("1.00")), "tld.name"),
        (lambda: TldPrice("com", 0, usd("1.00")), "tld.years"),
        (lambda: TldPrice("com", 11, usd("1.00")), "tld.years"),
        (lambda: TldPrice("com", 1, usd("-1.00")), "tld.price"),
        (lambda: TldPrice("com", 1, usd("1.00"), renew=Money("1.00", "EUR")), "tld.price"),
        (lambda: TldPrice("com", 1, "12.00"), "tld.price"),  # type: ignore[arg-type]
    ],
)
def test_malformed_tld_prices_are_refused(make: Callable[[], object], rule: str) -> None:
    with pytest.raises(RuleViolation) as raised:
        make()
    assert raised.value.rule == rule


def test_a_tld_priced_twice_for_one_term_and_currency_is_refused_by_the_catalog() -> None:
    with pytest.raises(InvalidCatalog) as raised:
        Catalog(tld_prices=(COM_1, attrs.evolve(COM_1, register=usd("9.00"))))
    assert [(p.path, p.rule) for p in raised.value.problems] == [
        ("tld_prices[com/1/USD]", "catalog.duplicate")
    ]


def test_the_tld_price_table_is_kept_in_catalog_files() -> None:
    catalog = Catalog().add(COM_1, COM_2)
    data = catalog_to_data(catalog)
    assert data["tld_prices"][1] == {
        "tld": "com",
        "years": 2,
        "register": {"amount": "22.00", "currency": "USD"},
    }
    assert catalog_from_data(data) == catalog
    assert catalog.tld_table.price("a.com", 2, "register", "USD") == usd("22.00")


_TLDS = st.sampled_from(["com", "uk", "co.uk", "org"])
_TABLES = st.lists(
    st.builds(
        TldPrice,
        _TLDS,
        st.integers(1, 3),
        st.integers(0, 5000).map(lambda cents: Money.from_minor_units(cents, "USD")),
    ),
    unique_by=lambda price: (price.tld, price.years),
)


@given(
    _TABLES, st.sampled_from(["a.com", "a.co.uk", "b.a.uk", "a.org", "a.net"]), st.integers(1, 3)
)
def test_a_domain_is_priced_by_the_longest_tld_the_table_has_for_the_term(
    prices: list[TldPrice], domain: str, years: int
) -> None:
    table = TldPrices(prices)
    suffixes = [".".join(domain.split(".")[i:]) for i in range(1, domain.count(".") + 1)]
    known = {p.tld for p in prices}
    tld = next((s for s in suffixes if s in known), None)
    expected = next((p for p in prices if p.tld == tld and p.years == years), None)
    if expected is None:
        with pytest.raises(NotFound):
            table.price(domain, years, "register", "USD")
    else:
        assert table.price(domain, years, "register", "USD") == expected.register
        assert table.price(domain, years, "renew", "USD") == expected.register


# --- ordering ----------------------------------------------------------------------------------

WITH_TABLE = attrs.evolve(CONTEXT, tld_prices=TABLE)


def test_a_domain_line_without_an_override_is_priced_from_the_tld_table() -> None:
    placed = order(
        domains=(
            DomainLine("example.com", DomainAction.TRANSFER, auth_code="EPP-1"),
            DomainLine("example.co.uk", DomainAction.REGISTER),
        )
    )
    assert price_order(placed, WITH_TABLE).domain_prices == (usd("10.00"), usd("6.00"))


def test_a_price_override_wins_over_the_tld_table() -> None:
    line = DomainLine("example.com", DomainAction.REGISTER, price_override=usd("1.00"))
    assert price_order(order(domains=(line,)), WITH_TABLE).domain_prices == (usd("1.00"),)


def test_a_domain_line_whose_term_the_table_lacks_is_not_found() -> None:
    line = DomainLine("example.com", DomainAction.REGISTER, years=5)
    with pytest.raises(NotFound, match="5 year"):
        price_order(order(domains=(line,)), WITH_TABLE)


def test_without_a_table_or_an_override_a_domain_line_is_refused() -> None:
    line = DomainLine("example.com", DomainAction.REGISTER)
    with pytest.raises(RuleViolation, match="tld_prices") as raised:
        price_order(order(domains=(line,)), CONTEXT)
    assert raised.value.rule == "order.domain-price"


def test_an_ordered_domain_is_invoiced_at_its_tld_price(
    make_every_store: Callable[[], Store],  # noqa: F811
) -> None:
    app = Billing(make_every_store(), clock=FixedClock(NOW))
    stored = app.catalog(NOW.date())
    priced = attrs.evolve(stored.catalog, tld_prices=TABLE.prices)
    app.add_catalog_version(CatalogVersion("TLD", date(2024, 6, 1), priced))
    line = DomainLine("example.com", DomainAction.REGISTER, years=2)
    # The stored catalog's table prices it, whatever table the caller's context holds.
    quote, placed = app.place_order(
        order(customer_id=OWNER_ID, placed_at=NOW, domains=(line,)), CONTEXT, OWNER
    )
    (domain,) = [service for service in placed if service.product_code == DOMAIN_PRODUCT]
    with app.store.transaction(readonly=True) as uow:
        lines = [item.line for item in uow.invoice_lines.for_service(domain.id)]
    assert [x.amount for x in lines] == [usd("22.00")]
    assert quote.domain_prices == (usd("22.00"),)
    # Its renewals are at the table's renewal price (none for 2 years: the registration's).
    assert domain.price.amount == usd("22.00") and domain.domain == "example.com"
