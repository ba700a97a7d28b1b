"""Location-based taxes (seed 004): a tax code resolves to a rate by the customer's country and
region, and the order's services are taxed with the location's rates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock, OrderLineSpec
from prodlife.app import Billing
from prodlife.billing import LineType
from prodlife.catalog import CatalogVersion, Product
from prodlife.errors import NotFound, RuleViolation, ValidationError
from prodlife.ports import Store
from prodlife.pricing import (
    Location,
    PriceBasis,
    PriceLineKind,
    PricingContext,
    TaxKind,
    TaxRate,
    TaxRule,
    TaxRules,
    TaxTable,
    quote_order_line,
)
from tests._lifecycle import OWNER, OWNER_ID
from tests._support import usd
from tests.test_app import (  # noqa: F401 (fixtures: a store, each store in turn)
    NOW,
    make_every_store,
    make_store,
)
from tests.test_lifecycle_orders import CONTEXT, order

# Rates as their tax authorities publish them: France 20 % (Code général des impôts, art. 278),
# Spain 21 % (Ley 37/1992, art. 90), the Canary Islands' IGIC 7 % (Ley 4/2012), and in
# Canada GST 5 % with Quebec's QST 9.975 % (Revenu Québec).
TABLE = TaxTable(
    [
        TaxRate("VAT-FR", "TVA", 20, kind=TaxKind.VAT),
        TaxRate("VAT-ES", "IVA", 21, kind=TaxKind.VAT),
        TaxRate("IGIC", "IGIC", 7, kind=TaxKind.VAT),
        TaxRate("GST", "GST", 5),
        TaxRate("QST", "QST", "9.975"),
        TaxRate("ECO", "Eco fee", 1),
    ]
)
RULES = TaxRules(
    TABLE,
    [
        TaxRule("VAT", "FR", "VAT-FR"),
        TaxRule("VAT", "ES", "VAT-ES"),
        TaxRule("VAT", "ES", "IGIC", region="CN"),
        TaxRule("SALES", "CA", "GST"),
        TaxRule("SALES", "CA", "QST", region="QC"),
    ],
)
VPS = Product("VPS", "VPS", "HOSTING", vat_code="VAT")


@pytest.mark.parametrize(
    ("location", "rate"),
    [
        (Location("FR"), "VAT-FR"),
        (Location("ES"), "VAT-ES"),
        (Location("ES", "CN"), "IGIC"),  # the region's rule wins over the country's
        (Location("ES", "MD"), "VAT-ES"),  # a region without a rule takes the country's
    ],
)
def test_a_code_resolves_to_the_most_specific_rule(location: Location, rate: str) -> None:
    assert RULES.resolve("VAT", location).code == rate


def test_a_code_without_rules_is_the_rate_of_that_code_everywhere() -> None:
    assert RULES.resolve("ECO", Location("JP")).code == "ECO"


def test_a_code_with_no_rule_for_the_country_and_no_rate_of_its_own_is_not_found() -> None:
    with pytest.raises(NotFound, match="add a TaxRule for code 'VAT' and country IT"):
        RULES.for_product(VPS, Location("IT"))


def test_a_product_gets_its_tax_codes_in_order_then_its_vat() -> None:
    product = Product("X", "X", "T", tax_codes=("SALES", "ECO"))
    rates = RULES.for_product(product, Location("CA", "QC"))
    assert [rate.code for rate in rates] == ["QST", "ECO"]


def test_a_vat_code_resolving_to_a_plain_tax_is_refused() -> None:
    product = Product("X", "X", "T", vat_code="SALES")
    with pytest.raises(RuleViolation) as raised:
        RULES.for_product(product, Location("CA"))
    assert raised.value.rule == "tax.kind"


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: Location("fr"), ValidationError),
        (lambda: Location("FRA"), ValidationError),
        (lambda: Location("US", "ca-x"), ValidationError),
        (lambda: TaxRule("", "FR", "VAT-FR"), ValidationError),
        (lambda: TaxRule("VAT", "France", "VAT-FR"), ValidationError),
    ],
)
def test_locations_are_written_as_iso_3166(make: Callable[[], object], error: type) -> None:
    with pytest.raises(error):
        make()


def test_a_rule_naming_a_rate_the_table_lacks_is_refused() -> None:
    with pytest.raises(RuleViolation, match="VAT-IT") as raised:
        TaxRules(TABLE, [TaxRule("VAT", "IT", "VAT-IT")])
    assert raised.value.rule == "tax.unknown-rate"


def test_two_rules_for_one_code_and_place_are_refused() -> None:
    with pytest.raises(RuleViolation) as raised:
        TaxRules(TABLE, [TaxRule("VAT", "FR", "VAT-FR"), TaxRule("VAT", "FR", "VAT-ES")])
    assert raised.value.rule == "tax.duplicate-rule"


_COUNTRIES = st.sampled_from(["FR", "ES", "CA"])
_REGIONS = st.sampled_from([None, "CN", "QC", "MD"])
_RULES = st.lists(
    st.builds(
        TaxRule,
        st.sampled_from(["VAT", "SALES"]),
        _COUNTRIES,
        st.sampled_from(TABLE.codes),
        _REGIONS,
    ),
    unique_by=lambda rule: rule.place,
    max_size=8,
)


@given(_RULES, _COUNTRIES, _REGIONS, st.sampled_from(["VAT", "SALES", "ECO"]))
def test_resolution_takes_region_then_country_then_the_code_itself(
    rules: list[TaxRule], country: str, region: str | None, code: str
) -> None:
    chosen = TaxRules(TABLE, rules)
    here = Location(country, region)
    exact = [r for r in rules if r.code == code and r.country == country and r.region == region]
    whole = [r for r in rules if r.code == code and r.country == country and r.region is None]
    expected = next(iter(exact or whole), None)
    if expected is not None:
        assert chosen.resolve(code, here).code == expected.rate_code
    elif code in TABLE:
        assert chosen.resolve(code, here).code == code
    else:
        with pytest.raises(NotFound):
            chosen.resolve(code, here)


# --- used where taxes are applied: the quote and the billing engine -----------------------------
# The VPS line is 10.00 a month and a 5.00 setup fee: 15.00 taxed on the first invoice.


@pytest.mark.parametrize(
    ("location", "tax"),
    [(Location("FR"), "3.00"), (Location("ES"), "3.15"), (Location("ES", "CN"), "1.05")],
)
def test_an_order_is_quoted_with_the_customers_location_taxes(location: Location, tax: str) -> None:
    quote = quote_order_line(OrderLineSpec("VPS"), RULES.context_for(CONTEXT, VPS, location))
    assert [line.amount for line in quote.lines if line.kind is PriceLineKind.TAX] == [usd(tax)]


def test_prices_inclusive_of_tax_are_split_with_the_locations_rate() -> None:
    inclusive = attrs.evolve(CONTEXT, basis=PriceBasis.INCLUSIVE)
    quote = quote_order_line(
        OrderLineSpec("VPS"), RULES.context_for(inclusive, VPS, Location("FR"))
    )
    # 15.00 including 20 % VAT: 15.00 / 1.2 = 12.50 net, 2.50 VAT; no tax line on top.
    assert [line.kind for line in quote.lines if line.kind is PriceLineKind.TAX] == []
    assert [(part.code, part.amount) for part in quote.included_taxes] == [("VAT-FR", usd("2.50"))]
    assert quote.total == usd("15.00")


def _taxing_by_location(app: Billing) -> PricingContext:
    """The shop's VPS with a VAT code, and plan ``TAXED``: the shop's rows, taxed by RULES."""
    stored = app.catalog(NOW.date())
    products = [
        attrs.evolve(p, vat_code="VAT") if p.code == "VPS" else p for p in stored.catalog.products
    ]
    app.add_catalog_version(
        CatalogVersion("VAT", date(2024, 6, 1), attrs.evolve(stored.catalog, products=products))
    )
    taxed = attrs.evolve(CONTEXT.plan, code="TAXED", tax_rules=RULES)
    with app.store.transaction() as uow:
        uow.price_plans.add(taxed)
        uow.commit()
    return PricingContext(taxed, CONTEXT.on)


def test_the_billing_engine_taxes_an_ordered_service_at_its_location(
    make_every_store: Callable[[], Store],  # noqa: F811
) -> None:
    app = Billing(make_every_store(), clock=FixedClock(NOW))
    context = _taxing_by_location(app)
    app.place_order(
        order(customer_id=OWNER_ID, placed_at=NOW), context, OWNER, location=Location("ES", "CN")
    )
    with app.store.transaction(readonly=True) as uow:
        lines = [item.line for item in uow.invoice_lines.for_customer(OWNER_ID)]
    taxes = [line for line in lines if line.type is LineType.TAX]
    # IGIC 7 % on the first month (10.00) and on the setup fee (5.00), each its own line.
    assert sorted(line.amount.amount for line in taxes) == [Decimal("0.35"), Decimal("0.70")]
    assert {line.code for line in taxes} == {"IGIC"}


def test_an_order_takes_its_taxes_from_the_stored_plan_never_from_the_caller(
    make_store: Callable[[], Store],  # noqa: F811
) -> None:
    app = Billing(make_store(), clock=FixedClock(NOW))
    context = _taxing_by_location(app)
    untaxed = attrs.evolve(context, taxes=(TaxRate("NONE", "No tax", 0),))
    with pytest.raises(RuleViolation, match="stored on price plan 'TAXED'") as raised:
        app.place_order(
            order(customer_id=OWNER_ID, placed_at=NOW), untaxed, OWNER, location=Location("FR")
        )
    assert raised.value.rule == "pricing.stored-terms"
    with pytest.raises(RuleViolation, match="location") as raised:
        app.place_order(order(customer_id=OWNER_ID, placed_at=NOW), context, OWNER)
    assert raised.value.rule == "pricing.location"
    with app.store.transaction(readonly=True) as uow:
        assert uow.orders.for_customer(OWNER_ID) == []
