"""Every money term of a sale comes from the stored price plan (issue 16, item 2), on every store.

The caller names a plan; its rows, options, discounts, taxes, price basis and rounding are
read from the store. A price set by hand is staff's, with ``prices: set`` and a reason,
recorded in the history of the services it prices.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest

from prodlife import MONTHLY, OrderLineSpec
from prodlife.app import Billing
from prodlife.errors import RuleViolation
from prodlife.lifecycle import Operation, change_package
from prodlife.lifecycle.orders import DomainAction, DomainLine
from prodlife.pricing import (
    AdditiveDiscount,
    ConfigurableOption,
    OptionChoice,
    OptionPick,
    PriceBasis,
    PricePlan,
    TaxRate,
)
from tests._lifecycle import OWNER, last_entry, web
from tests._support import usd
from tests.test_app_policy import (  # noqa: F401 (app is a fixture: each store in turn)
    CATALOG,
    CONTEXT,
    PLAN,
    PRICER,
    app,
    buy,
    nothing_stored,
)

DISK = ConfigurableOption(
    "DISK", "Disk", (OptionChoice("50GB", "50 GB", {MONTHLY: usd("2.00")}),), applies_to={"WEB"}
)
TEN_OFF = AdditiveDiscount("TEN", "Ten percent", percent=10)
VAT = TaxRate("VAT", "VAT", 20)


def store_plan(billing: Billing, plan: PricePlan) -> None:
    with billing.store.transaction() as uow:
        uow.price_plans.replace(plan)
        uow.commit()


def test_an_order_is_priced_with_the_stored_plans_options_discounts_and_taxes(
    app: Billing,  # noqa: F811
) -> None:
    store_plan(app, attrs.evolve(PLAN, options=[DISK], discounts=[TEN_OFF], taxes=[VAT]))
    line = OrderLineSpec("WEB", edition="BASIC", options=(OptionPick("DISK", "50GB"),))
    # The caller's context names the plan only (the plan it holds is the one before the terms).
    quote, (service,) = app.place_order(buy(line), CONTEXT, OWNER)
    # 10.00 + 2.00 for the disk; 10 % off the recurring price: -1.00; 20 % VAT on 11.00: 2.20.
    assert quote.total == usd("13.20")
    assert service.timeline.taxes == (VAT,)


@pytest.mark.parametrize(
    ("term", "value"),
    [
        ("options", (DISK,)),
        ("discounts", (AdditiveDiscount("ALL", "All of it", percent=100),)),
        ("taxes", (TaxRate("ZERO", "No tax", 0),)),
        ("basis", PriceBasis.INCLUSIVE),
        ("rounding", decimal.ROUND_DOWN),
    ],
)
def test_a_context_bringing_its_own_terms_is_refused_and_keeps_nothing(
    app: Billing,  # noqa: F811
    term: str,
    value: Any,
) -> None:
    store_plan(app, attrs.evolve(PLAN, taxes=[VAT]))
    own: Any = attrs.evolve(CONTEXT, **{term: value})
    with pytest.raises(RuleViolation, match=f"its own {term}") as raised:
        app.place_order(buy(OrderLineSpec("WEB", edition="BASIC")), own, PRICER)
    assert raised.value.rule == "pricing.stored-terms"
    assert nothing_stored(app)


def test_a_context_repeating_the_stored_terms_is_priced_as_without_them(
    app: Billing,  # noqa: F811
) -> None:
    stored = attrs.evolve(PLAN, taxes=[VAT])
    store_plan(app, stored)
    same = attrs.evolve(CONTEXT, plan=stored, taxes=(VAT,))
    quote, _ = app.place_order(buy(OrderLineSpec("WEB", edition="BASIC")), same, OWNER)
    assert quote.total == usd("12.00")


def test_a_price_set_by_hand_on_an_order_needs_a_reason_and_is_in_each_services_history(
    app: Billing,  # noqa: F811
) -> None:
    line = OrderLineSpec("WEB", edition="BASIC", price_override=usd("1.00"))
    domain = DomainLine("x.com", DomainAction.REGISTER, price_override=usd("0.00"))
    with pytest.raises(RuleViolation, match="needs a reason") as raised:
        app.place_order(buy(line, domains=[domain]), CONTEXT, PRICER)
    assert raised.value.rule == "price.reason"
    assert nothing_stored(app)
    _, (service, domain_service) = app.place_order(
        buy(line, domains=[domain]), CONTEXT, PRICER, reason="agreed with sales, ticket 42"
    )
    assert domain_service.domain == "x.com"  # a domain is a service of its own
    entry = app.history(service.id, PRICER).last
    assert entry is not None
    assert (entry.actor, entry.operation, entry.reason) == (
        PRICER,
        Operation.EDIT,
        "agreed with sales, ticket 42",
    )
    assert "line 1 (WEB): USD 1.00" in entry.details
    domain_entry = app.history(domain_service.id, PRICER).last
    assert domain_entry is not None and domain_entry.reason == "agreed with sales, ticket 42"
    assert "domain x.com: USD 0.00" in domain_entry.details


def test_an_order_at_the_plans_prices_records_no_override(
    app: Billing,  # noqa: F811
) -> None:
    _, (service,) = app.place_order(buy(OrderLineSpec("WEB", edition="BASIC")), CONTEXT, OWNER)
    assert len(app.history(service.id, PRICER)) == 0


def test_a_package_price_set_by_hand_needs_a_reason(
    app: Billing,  # noqa: F811
) -> None:
    app.add_services([web()])
    attempts: list[Callable[[], object]] = [
        lambda: app.change_package(web().id, PRICER, new_price=usd("5.00"), to_edition="PRO"),
        lambda: app.perform(
            change_package,
            web().id,
            PRICER,
            catalog=CATALOG,
            new_price=usd("5.00"),
            to_edition="PRO",
        ),
        lambda: app.perform(
            change_package,
            web().id,
            PRICER,
            catalog=CATALOG,
            new_price=usd("5.00"),
            to_edition="PRO",
            reason="  ",
        ),
    ]
    for attempt in attempts:
        with pytest.raises(RuleViolation, match="needs a reason") as raised:
            attempt()
        assert raised.value.rule == "price.reason"
    assert app.service(web().id, PRICER) == web()
    done = app.perform(
        change_package,
        web().id,
        PRICER,
        catalog=CATALOG,
        new_price=usd("5.00"),
        to_edition="PRO",
        reason="retention offer",
    )
    entry = last_entry(done.service)
    assert entry.reason == "retention offer"
    assert done.service.price.override and done.service.price.amount == usd("5.00")


def test_option_changes_read_the_options_of_the_stored_plan(
    app: Billing,  # noqa: F811
) -> None:
    store_plan(app, attrs.evolve(PLAN, options=[DISK]))
    app.add_services([web()])
    done = app.change_options(web().id, OWNER, [OptionPick("DISK", "50GB")], price_plan="STD")
    assert [(o.code, o.price) for o in done.service.options] == [("DISK", usd("2.00"))]
    # Apr 20 to May 1 is 11 of April's 30 days: 2.00 x 11 / 30 = 0.7333... -> 0.73.
    assert [line.amount.amount for line in done.lines] == [Decimal("0.73")]
