"""A sale's pricing context is read from its stored plan; the plan checks what it holds."""

from __future__ import annotations

import decimal
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import MONTHLY
from prodlife.catalog import Product
from prodlife.errors import RuleViolation
from prodlife.pricing import (
    AdditiveDiscount,
    ConfigurableOption,
    Location,
    OptionChoice,
    PlanRate,
    PriceBasis,
    PricePlan,
    PricingContext,
    Rate,
    TaxKind,
    TaxRate,
    TaxRule,
    TaxRules,
    TaxTable,
    context_from_plan,
)
from tests._support import usd

DAY = date(2026, 3, 1)
DISK = ConfigurableOption(
    "DISK", "Disk", (OptionChoice("50GB", "50 GB", {MONTHLY: usd("2.00")}),), applies_to={"WEB"}
)
TEN = AdditiveDiscount("TEN", "Ten", percent=10)
VAT = TaxRate("VAT", "VAT", 20)
PLAN = PricePlan(
    "STD",
    "Standard",
    "USD",
    [PlanRate("WEB", MONTHLY, Rate.flat(usd("10.00")))],
    options=[DISK],
    discounts=[TEN],
    taxes=[VAT],
)

#: Each term a context may bring, with values a caller might try.
TERMS: dict[str, st.SearchStrategy[Any]] = {
    "options": st.sampled_from([(), (DISK,), (attrs.evolve(DISK, name="Cheap disk"),)]),
    "discounts": st.sampled_from([(), (TEN,), (AdditiveDiscount("ALL", "All", percent=100),)]),
    "taxes": st.sampled_from([(), (VAT,), (TaxRate("ZERO", "None", 0),)]),
    "basis": st.sampled_from(list(PriceBasis)),
    "rounding": st.sampled_from([decimal.ROUND_HALF_UP, decimal.ROUND_DOWN]),
}
DEFAULTS = attrs.asdict(PricingContext(PLAN, DAY), recurse=False)


@given(st.fixed_dictionaries({}, optional=TERMS))
def test_a_context_is_priced_with_the_plans_terms_or_refused_when_it_brings_its_own(
    brought: dict[str, Any],
) -> None:
    given_context = attrs.evolve(PricingContext(PLAN, date(2020, 1, 1)), **brought)
    own = {
        name
        for name, value in brought.items()
        if value != DEFAULTS[name] and value != getattr(PLAN, name)
    }
    if own:
        with pytest.raises(RuleViolation) as raised:
            context_from_plan(PLAN, DAY, given=given_context)
        assert raised.value.rule == "pricing.stored-terms"
        assert all(name in str(raised.value) for name in own)
    else:
        made = context_from_plan(PLAN, DAY, given=given_context)
        assert made.on == DAY
        for name in TERMS:
            assert getattr(made, name) == getattr(PLAN, name)


TABLE = TaxTable([TaxRate("VAT-FR", "TVA", 20, kind=TaxKind.VAT), TaxRate("ECO", "Eco", 1)])
BY_PLACE = attrs.evolve(PLAN, taxes=(), tax_rules=TaxRules(TABLE, [TaxRule("VAT", "FR", "VAT-FR")]))
WEB = Product("WEB", "Web", "HOSTING", vat_code="VAT")


def test_a_plan_taxing_by_location_resolves_the_products_rates_there() -> None:
    made = context_from_plan(BY_PLACE, DAY, location=Location("FR"), products=[WEB])
    assert [rate.code for rate in made.taxes] == ["VAT-FR"]
    with pytest.raises(RuleViolation) as raised:
        context_from_plan(BY_PLACE, DAY, products=[WEB])
    assert raised.value.rule == "pricing.location"
    eco = Product("ECO-BOX", "Box", "HOSTING", tax_codes=("ECO",), vat_code="VAT")
    with pytest.raises(RuleViolation, match="order them separately") as raised:
        context_from_plan(BY_PLACE, DAY, location=Location("FR"), products=[WEB, eco])
    assert raised.value.rule == "pricing.mixed-taxes"


@pytest.mark.parametrize(
    ("changes", "rule", "words"),
    [
        ({"options": [DISK, DISK]}, "plan.option", "'DISK' is given twice"),
        ({"taxes": [VAT, VAT]}, "plan.tax", "'VAT' is given twice"),
        ({"discounts": [TEN, TEN]}, "plan.discount", "'TEN' is given twice"),
        ({"currency": "EUR", "rates": ()}, "plan.currency", "option 'DISK' is priced in USD"),
        (
            {
                "discounts": [AdditiveDiscount("FIVE", "Five", amount=usd("5.00"))],
                "currency": "EUR",
                "rates": (),
                "options": (),
            },
            "plan.currency",
            "discount 'FIVE' takes off USD 5.00",
        ),
        ({"tax_rules": BY_PLACE.tax_rules}, "plan.tax", "not both"),
        ({"options": ["DISK"]}, "plan.option", "must be a ConfigurableOption"),
        ({"basis": "inclusive"}, "plan.basis", "PriceBasis"),
        ({"rounding": "ROUND_SOMETIMES"}, "plan.rounding", "rounding mode"),
    ],
)
def test_a_plan_refuses_terms_it_cannot_price_with(
    changes: dict[str, Any], rule: str, words: str
) -> None:
    fields = {**attrs.asdict(PLAN, recurse=False), **changes}
    with pytest.raises(RuleViolation, match=words) as raised:
        PricePlan(**fields)
    assert raised.value.rule == rule
