"""Taxes: rates and tables, exclusive and inclusive lines, compounding, rounding, round trips."""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from prodlife import Money
from prodlife.catalog import Product
from prodlife.errors import InvalidRounding, NotFound, RuleViolation
from prodlife.pricing import (
    PriceBasis,
    TaxedAmount,
    TaxKind,
    TaxPart,
    TaxRate,
    TaxTable,
    check_tax_rate,
    tax_line,
)
from prodlife.testing.strategies import money
from tests._support import eur

EXCLUSIVE, INCLUSIVE = PriceBasis.EXCLUSIVE, PriceBasis.INCLUSIVE
HALF_WAY = (decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN, decimal.ROUND_HALF_DOWN)
DIRECTED = (
    decimal.ROUND_UP,
    decimal.ROUND_DOWN,
    decimal.ROUND_CEILING,
    decimal.ROUND_FLOOR,
    decimal.ROUND_05UP,
)

VAT20 = TaxRate("VAT20", "VAT 20 %", 20, kind=TaxKind.VAT)
GST = TaxRate("GST", "Goods and services tax", 5)
QST = TaxRate("QST", "Quebec sales tax", "9.975")
PST_ON_GST = TaxRate("PST", "Provincial tax on GST", 10, compound=True)


def amounts(line: TaxedAmount) -> list[str]:
    return [str(part.amount.amount) for part in line.parts]


def rate(percent: Any, code: str = "T", *, compound: bool = False) -> TaxRate:
    return TaxRate(code, code, percent, compound=compound)


# --- table tests ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rates", "basis", "net", "taxes", "gross"),
    [
        ("100.00", [VAT20], EXCLUSIVE, "100.00", ["20.00"], "120.00"),
        ("120.00", [VAT20], INCLUSIVE, "100.00", ["20.00"], "120.00"),
        ("100.00", [GST, PST_ON_GST], EXCLUSIVE, "100.00", ["5.00", "10.50"], "115.50"),
        ("115.50", [GST, PST_ON_GST], INCLUSIVE, "100.00", ["5.00", "10.50"], "115.50"),
        ("100.00", [GST, QST], EXCLUSIVE, "100.00", ["5.00", "9.98"], "114.98"),
        ("114.98", [GST, QST], INCLUSIVE, "100.00", ["5.00", "9.98"], "114.98"),
        ("10.00", [rate(7)], INCLUSIVE, "9.35", ["0.65"], "10.00"),
        ("0.00", [VAT20], EXCLUSIVE, "0.00", ["0.00"], "0.00"),
        ("-100.00", [VAT20], EXCLUSIVE, "-100.00", ["-20.00"], "-120.00"),
        ("-120.00", [VAT20], INCLUSIVE, "-100.00", ["-20.00"], "-120.00"),
        ("50.00", [rate(0)], EXCLUSIVE, "50.00", ["0.00"], "50.00"),
        ("50.00", [], INCLUSIVE, "50.00", [], "50.00"),
    ],
)
def test_lines_are_taxed_as_the_tables_say(
    amount: str,
    rates: list[TaxRate],
    basis: PriceBasis,
    net: str,
    taxes: list[str],
    gross: str,
) -> None:
    line = tax_line(eur(amount), rates, basis)
    assert line.net == eur(net)
    assert amounts(line) == taxes
    assert line.gross == eur(gross)
    assert line.basis is basis
    assert [part.code for part in line.parts] == [r.code for r in rates]


def test_quebec_gst_and_qst_both_apply_to_the_net() -> None:
    line = tax_line(eur("100.00"), [GST, QST])
    assert [part.base for part in line.parts] == [eur("100.00"), eur("100.00")]
    assert [part.percent for part in line.parts] == [Decimal(5), Decimal("9.975")]
    assert line.tax == eur("14.98")


def test_a_compound_rate_applies_to_the_net_plus_the_taxes_before_it() -> None:
    line = tax_line(eur("100.00"), [GST, PST_ON_GST])
    assert line.parts[1] == TaxPart("PST", eur("105.00"), eur("10.50"), Decimal(10))


def test_a_non_compound_rate_after_a_compound_one_still_applies_to_the_net() -> None:
    line = tax_line(eur("100.00"), [GST, PST_ON_GST, rate(2, "ECO")])
    assert amounts(line) == ["5.00", "10.50", "2.00"]
    assert line.parts[2].base == eur("100.00")


def test_a_compound_rate_listed_first_is_a_plain_rate() -> None:
    compound_first = tax_line(eur("100.00"), [rate(10, "A", compound=True), rate(5, "B")])
    assert amounts(compound_first) == ["10.00", "5.00"]


def test_the_order_of_the_rates_matters_only_for_compound_ones() -> None:
    gst_first = tax_line(eur("100.00"), [GST, PST_ON_GST])
    pst_first = tax_line(eur("100.00"), [PST_ON_GST, GST])
    assert gst_first.gross == eur("115.50")
    assert pst_first.gross == eur("115.00")
    assert tax_line(eur("100.00"), [QST, GST]).gross == tax_line(eur("100.00"), [GST, QST]).gross


def test_compound_rates_compound_on_every_tax_before_them() -> None:
    line = tax_line(
        eur("100.00"),
        [rate(10, "A"), rate(10, "B", compound=True), rate(10, "C", compound=True)],
    )
    assert amounts(line) == ["10.00", "11.00", "12.10"]
    assert [part.base.amount for part in line.parts] == [
        Decimal("100.00"),
        Decimal("110.00"),
        Decimal("121.00"),
    ]


@pytest.mark.parametrize(
    ("mode", "tax"),
    [
        (decimal.ROUND_HALF_UP, "0.53"),
        (decimal.ROUND_HALF_EVEN, "0.52"),
        (decimal.ROUND_DOWN, "0.52"),
        (decimal.ROUND_UP, "0.53"),
    ],
)
def test_each_tax_is_rounded_once_with_the_chosen_mode(mode: str, tax: str) -> None:
    line = tax_line(eur("10.50"), [GST], rounding=mode)
    assert line.parts[0].amount == eur(tax)
    assert line.gross == eur("10.50") + eur(tax)


def test_half_up_is_the_default_rounding() -> None:
    assert tax_line(eur("10.50"), [GST]).parts[0].amount == eur("0.53")


@pytest.mark.parametrize(
    ("amount", "basis", "net", "tax"),
    [
        (Money("999", "JPY"), EXCLUSIVE, Money("999", "JPY"), Money("80", "JPY")),
        (Money("1080", "JPY"), INCLUSIVE, Money("1000", "JPY"), Money("80", "JPY")),
        (Money("10.010", "BHD"), EXCLUSIVE, Money("10.010", "BHD"), Money("0.801", "BHD")),
    ],
)
def test_taxes_round_to_each_currencys_minor_units(
    amount: Money, basis: PriceBasis, net: Money, tax: Money
) -> None:
    line = tax_line(amount, [rate(8)], basis)
    assert (line.net, line.tax) == (net, tax)


def test_an_unrounded_net_is_kept_and_only_the_taxes_are_rounded() -> None:
    line = tax_line(eur("10.005"), [rate(10)])
    assert line.net == eur("10.005")
    assert line.tax == eur("1.00")
    assert line.gross == eur("11.005")


def test_inclusive_lines_back_out_the_net_and_give_it_the_rounding_residual() -> None:
    rates = [rate(1, "A"), rate(9, "B"), rate(25, "C")]
    line = tax_line(eur("0.35"), rates, INCLUSIVE)
    assert line.exact_net.round(decimal.ROUND_HALF_UP) == eur("0.26")
    assert amounts(line) == ["0.00", "0.02", "0.06"]
    assert line.net == eur("0.27")
    assert line.gross == eur("0.35")


def test_the_exact_net_is_the_gross_divided_by_the_factor() -> None:
    line = tax_line(eur("115.50"), [GST, PST_ON_GST], INCLUSIVE)
    assert line.exact_net == eur("100")
    assert tax_line(eur("100.00"), [GST]).exact_net == eur("100.00")
    seven = tax_line(eur("10.00"), [rate(7)], INCLUSIVE)
    assert seven.exact_net.amount == Decimal("9.345794392523364485981308411214953")


def test_the_module_documents_a_round_trip_that_is_off() -> None:
    rates = [rate(1, "A"), rate(9, "B"), rate(25, "C")]
    assert round_trip_error(eur("0.26"), rates, decimal.ROUND_HALF_UP) == 1
    compound = [rate(10 + i, code, compound=True) for i, code in enumerate("ABCD")]
    assert round_trip_error(eur("57.56"), compound, decimal.ROUND_HALF_UP) == -2


def test_the_module_documents_a_negative_net_for_rounding_up_tiny_amounts() -> None:
    line = tax_line(eur("0.01"), [rate(1, "A"), rate(1, "B")], INCLUSIVE, rounding="ROUND_UP")
    assert line.net == eur("-0.01")
    assert amounts(line) == ["0.01", "0.01"]


# --- rates, tables and the errors they raise ------------------------------------------------


def test_a_rate_knows_its_fraction_and_kind() -> None:
    assert QST.fraction == Decimal("0.09975")
    assert VAT20.kind is TaxKind.VAT
    assert GST.kind is TaxKind.TAX
    assert not GST.compound
    assert check_tax_rate(GST) == []


@pytest.mark.parametrize("percent", [0, "999.999", Decimal("0.001"), "20"])
def test_percents_from_zero_to_under_a_thousand_are_accepted(percent: Any) -> None:
    assert rate(percent).percent == Decimal(str(percent))


@pytest.mark.parametrize(
    ("kwargs", "rule", "text"),
    [
        ({"percent": -1}, "tax.percent", "-1"),
        ({"percent": 1000}, "tax.percent", "1000"),
        ({"percent": 0.2}, "tax.percent", "float"),
        ({"percent": "twenty"}, "tax.percent", "twenty"),
        ({"percent": "NaN"}, "tax.percent", "NaN"),
        ({"code": " VAT"}, "code.format", "' VAT'"),
        ({"code": ""}, "code.format", "''"),
        ({"name": " "}, "tax.name", "name"),
        ({"kind": "vat"}, "tax.kind", "'vat'"),
        ({"compound": 1}, "tax.kind", "compound"),
    ],
)
def test_a_rate_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str, text: str) -> None:
    values: dict[str, Any] = {"code": "VAT", "name": "VAT", "percent": 20, **kwargs}
    with pytest.raises(RuleViolation) as caught:
        TaxRate(**values)
    assert caught.value.rule == rule
    assert text in str(caught.value)


def test_a_table_finds_rates_by_code() -> None:
    table = TaxTable([GST, QST, VAT20])
    assert table.get("QST") is QST
    assert "GST" in table
    assert "HST" not in table
    assert table.codes == ("GST", "QST", "VAT20")
    assert table.rates_for(["QST", "GST"]) == (QST, GST)


def test_a_missing_code_is_not_found_and_the_known_codes_are_listed() -> None:
    table = TaxTable([GST, QST])
    with pytest.raises(NotFound) as caught:
        table.get("HST")
    assert caught.value.kind == "tax rate"
    assert caught.value.key == "HST"
    assert "['GST', 'QST']" in str(caught.value)
    with pytest.raises(NotFound):
        table.rates_for(["GST", "PST"])


def test_a_table_refuses_two_rates_with_one_code() -> None:
    with pytest.raises(RuleViolation, match="'GST'") as caught:
        TaxTable([GST, rate(7, "GST")])
    assert caught.value.rule == "tax.duplicate-code"


def test_a_table_refuses_entries_that_are_not_rates() -> None:
    bad: Any = [GST, "QST"]
    with pytest.raises(RuleViolation) as caught:
        TaxTable(bad)
    assert caught.value.rule == "tax.kind"


def test_a_product_is_taxed_by_its_tax_codes_then_its_vat() -> None:
    table = TaxTable([GST, PST_ON_GST, VAT20])
    product = Product("TV", "TV", "GOODS", tax_codes=("PST", "GST"), vat_code="VAT20")
    assert table.for_product(product) == (PST_ON_GST, GST, VAT20)
    assert table.for_product(Product("FREE", "Free", "GOODS")) == ()


@pytest.mark.parametrize(("tax_codes", "vat_code"), [(("VAT20",), None), (("GST",), "GST")])
def test_a_product_naming_a_rate_of_the_wrong_kind_is_refused(
    tax_codes: tuple[str, ...], vat_code: str | None
) -> None:
    table = TaxTable([GST, VAT20])
    product = Product("TV", "TV", "GOODS", tax_codes=tax_codes, vat_code=vat_code)
    with pytest.raises(RuleViolation) as caught:
        table.for_product(product)
    assert caught.value.rule == "tax.kind"
    assert caught.value.subject == "TV"


def test_a_line_with_the_same_rate_twice_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        tax_line(eur("1.00"), [GST, QST, GST])
    assert caught.value.rule == "tax.duplicate-code"
    assert "['GST']" in str(caught.value)


@pytest.mark.parametrize(
    ("amount", "rates", "basis"),
    [
        (Decimal("1.00"), [GST], EXCLUSIVE),
        (eur("1.00"), [GST], "inclusive"),
        (eur("1.00"), "GST", EXCLUSIVE),
        (eur("1.00"), [GST, "QST"], EXCLUSIVE),
    ],
)
def test_a_line_given_the_wrong_things_is_refused(amount: Any, rates: Any, basis: Any) -> None:
    with pytest.raises(RuleViolation) as caught:
        tax_line(amount, rates, basis)
    assert caught.value.rule == "tax.line"


def test_a_single_rate_may_be_given_alone() -> None:
    assert tax_line(eur("100.00"), VAT20) == tax_line(eur("100.00"), [VAT20])


def test_an_unknown_rounding_mode_is_refused() -> None:
    with pytest.raises(InvalidRounding):
        tax_line(eur("1.00"), [GST], rounding="ROUND_NEAREST")


def test_a_taxed_amount_whose_gross_is_not_net_plus_taxes_is_refused() -> None:
    part = TaxPart("VAT20", eur("100.00"), eur("20.00"), Decimal(20))
    assert TaxedAmount(eur("100.00"), [part], eur("120.00")).exact_net == eur("100.00")
    with pytest.raises(RuleViolation) as caught:
        TaxedAmount(eur("100.00"), [part], eur("120.01"))
    assert caught.value.rule == "tax.total"


# --- properties -----------------------------------------------------------------------------

percents = st.decimals(min_value=0, max_value=Decimal("999.999"), places=3)
realistic_percents = st.decimals(min_value=0, max_value=Decimal("99.999"), places=3)
modes = st.sampled_from(HALF_WAY + DIRECTED)


@st.composite
def rate_lists(
    draw: st.DrawFn, pcts: st.SearchStrategy[Decimal] = percents, most: int = 4
) -> list[TaxRate]:
    count = draw(st.integers(0, most))
    return [
        TaxRate(f"R{i}", f"rate {i}", draw(pcts), compound=draw(st.booleans()))
        for i in range(count)
    ]


def round_trip_error(x: Money, rates: list[TaxRate], mode: str) -> int:
    """How many minor units the net comes back off after exclusive then inclusive."""
    gross = tax_line(x, rates, EXCLUSIVE, rounding=mode).gross
    back = tax_line(gross, rates, INCLUSIVE, rounding=mode)
    return (back.net - x).to_minor_units()


def error_bound(rates: list[TaxRate], mode: str) -> Fraction:
    """The module's bound, in minor units: (1 + 1/F) * h * sum of the compound weights."""
    half = Fraction(1, 2) if mode in HALF_WAY else Fraction(1)
    weights = []
    for index in range(len(rates)):
        weight = Fraction(1)
        for later in rates[index + 1 :]:
            if later.compound:
                weight *= 1 + Fraction(later.fraction)
        weights.append(weight)
    return (1 + 1 / exact_factor(rates)) * half * sum(weights, Fraction(0))


def exact_factor(rates: list[TaxRate]) -> Fraction:
    """Gross over net without rounding: plain rates add to it, compound ones multiply it."""
    factor = Fraction(1)
    for r in rates:
        share = Fraction(r.fraction)
        factor = factor * (1 + share) if r.compound else factor + share
    return factor


@given(
    money(rounded=False, max_minor_units=10**10), rate_lists(), st.sampled_from(PriceBasis), modes
)
def test_gross_is_always_exactly_net_plus_the_taxes(
    amount: Money, rates: list[TaxRate], basis: PriceBasis, mode: str
) -> None:
    line = tax_line(amount, rates, basis, rounding=mode)
    assert line.gross == line.net + line.tax
    assert line.gross.amount == line.net.amount + sum(p.amount.amount for p in line.parts)
    assert all(part.amount.is_rounded for part in line.parts)
    given_side = line.net if basis is EXCLUSIVE else line.gross
    assert given_side == amount


@given(
    money(min_minor_units=0, max_minor_units=10**10),
    rate_lists(),
    st.sampled_from(PriceBasis),
    modes,
)
def test_taxes_are_never_negative_on_a_non_negative_amount(
    amount: Money, rates: list[TaxRate], basis: PriceBasis, mode: str
) -> None:
    line = tax_line(amount, rates, basis, rounding=mode)
    assert all(part.amount.amount >= 0 for part in line.parts)
    assert line.gross >= line.net


@given(money(max_minor_units=10**10), percents, modes)
def test_with_one_rate_the_round_trip_is_exact_in_every_mode(
    x: Money, percent: Decimal, mode: str
) -> None:
    assert round_trip_error(x, [rate(percent)], mode) == 0
    assert round_trip_error(x, [rate(percent, compound=True)], mode) == 0


@given(money(min_minor_units=0, max_minor_units=10**10), percents)
def test_with_one_rate_an_inclusive_net_is_never_negative(gross: Money, percent: Decimal) -> None:
    assert tax_line(gross, [rate(percent)], INCLUSIVE).net.amount >= 0


@given(
    money(max_minor_units=10**10),
    percents,
    percents,
    st.sampled_from(HALF_WAY),
)
@example(Money("0.26", "EUR"), Decimal(5), Decimal("9.975"), decimal.ROUND_HALF_UP)
def test_with_two_plain_rates_and_half_way_rounding_the_round_trip_is_exact(
    x: Money, first: Decimal, second: Decimal, mode: str
) -> None:
    assert round_trip_error(x, [rate(first, "A"), rate(second, "B")], mode) == 0


@given(
    money(max_minor_units=10**10),
    rate_lists(realistic_percents, most=2),
    st.sampled_from(HALF_WAY),
)
def test_with_two_rates_under_100_percent_the_round_trip_is_at_most_a_minor_unit_off(
    x: Money, rates: list[TaxRate], mode: str
) -> None:
    assert abs(round_trip_error(x, rates, mode)) <= 1


@given(money(max_minor_units=10**10), rate_lists(), modes)
@example(
    Money("57.56", "EUR"),
    [rate(10 + i, c, compound=True) for i, c in enumerate("ABCD")],
    decimal.ROUND_HALF_UP,
)
def test_the_round_trip_error_stays_within_the_documented_bound(
    x: Money, rates: list[TaxRate], mode: str
) -> None:
    assert abs(round_trip_error(x, rates, mode)) <= error_bound(rates, mode)


@given(money(max_minor_units=10**10), rate_lists(), modes)
def test_the_net_comes_back_off_by_exactly_the_documented_formula(
    x: Money, rates: list[TaxRate], mode: str
) -> None:
    # error = D(x) / F - D(gross / F), with D(n) = the rounded taxes at n - (F - 1) * n.
    factor = exact_factor(rates)
    line = tax_line(x, rates, EXCLUSIVE, rounding=mode)
    back = tax_line(line.gross, rates, INCLUSIVE, rounding=mode)
    exact_net = Fraction(line.gross.amount) / factor

    def drift(taxed: TaxedAmount, net: Fraction) -> Fraction:
        return Fraction(taxed.tax.amount) - (factor - 1) * net

    expected = drift(line, Fraction(x.amount)) / factor - drift(back, exact_net)
    assert Fraction((back.net - x).amount) == expected


@given(money(rounded=False))
def test_a_line_without_rates_is_untaxed(amount: Money) -> None:
    for basis in PriceBasis:
        line = tax_line(amount, [], basis)
        assert line.net == line.gross == amount
        assert line.parts == ()
