"""Change rules (first match wins, catch-all, shadowed rules, illegal changes) and
cancellation policies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import ANNUAL, MONTHLY, QUARTERLY
from prodlife.catalog import Direction, Product
from prodlife.catalog.cancellation_policies import (
    CancellationDefaults,
    CancellationPolicy,
    CancellationTiming,
    check_cancellation_defaults,
)
from prodlife.catalog.change_rules import (
    ChangeRequest,
    ChangeRule,
    ChangeRules,
    ChangeTiming,
    check_change_rules,
)
from prodlife.errors import RuleViolation
from prodlife.proration import CreditMode, UsedDay

IMMEDIATE, END, PAID, ILLEGAL = (
    ChangeTiming.IMMEDIATE,
    ChangeTiming.END_OF_TERM,
    ChangeTiming.AFTER_PAYMENT,
    ChangeTiming.ILLEGAL,
)
UP, DOWN, CROSS, SAME = Direction.UPGRADE, Direction.DOWNGRADE, Direction.CROSSGRADE, Direction.SAME

#: WP Basic monthly (categories web, cms) -> WP Pro annual: an upgrade.
WP_UP = ChangeRequest(
    "WP",
    "WP",
    UP,
    from_edition="BASIC",
    to_edition="PRO",
    from_categories={"web", "cms"},
    to_categories={"web", "cms"},
    from_cycle=MONTHLY,
    to_cycle=ANNUAL,
)


def table(*rules: ChangeRule) -> ChangeRules:
    """The rules, ended by a catch-all named 'default'."""
    return ChangeRules((*rules, ChangeRule(END, name="default")))


# --- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "hit", "miss"),
    [
        ("from_product", "WP", "DSL"),
        ("to_product", "WP", "DSL"),
        ("from_edition", "BASIC", "PRO"),
        ("to_edition", "PRO", "BASIC"),
        ("from_category", "cms", "shop"),
        ("to_category", "web", "shop"),
        ("from_cycle", MONTHLY, ANNUAL),
        ("to_cycle", ANNUAL, MONTHLY),
        ("direction", UP, DOWN),
    ],
)
def test_each_match_field_matches_its_value_and_nothing_else(
    field: str, hit: Any, miss: Any
) -> None:
    assert ChangeRule(IMMEDIATE, **{field: hit}).matches(WP_UP)
    assert not ChangeRule(IMMEDIATE, **{field: miss}).matches(WP_UP)


def test_a_rule_matches_only_when_every_field_it_sets_matches() -> None:
    assert ChangeRule(IMMEDIATE, from_product="WP", direction=UP).matches(WP_UP)
    assert not ChangeRule(IMMEDIATE, from_product="WP", direction=DOWN).matches(WP_UP)


def test_a_cycle_rule_does_not_match_a_request_without_cycles() -> None:
    bare = ChangeRequest("WP", "WP", UP, from_edition="BASIC", to_edition="PRO")
    assert not ChangeRule(IMMEDIATE, from_cycle=MONTHLY).matches(bare)
    assert ChangeRule(IMMEDIATE).matches(bare)


def test_first_matching_rule_wins() -> None:
    rules = table(
        ChangeRule(PAID, direction=UP, name="upgrades after payment"),
        ChangeRule(IMMEDIATE, from_product="WP", name="wordpress now"),
    )
    assert rules.decide(WP_UP).name == "upgrades after payment"
    down = ChangeRequest("WP", "WP", DOWN, from_edition="PRO", to_edition="BASIC")
    assert rules.decide(down).name == "wordpress now"


def test_a_change_no_rule_matches_falls_to_the_catch_all() -> None:
    rules = table(ChangeRule(ILLEGAL, direction=DOWN))
    assert rules.decide(WP_UP).name == "default"


@pytest.mark.parametrize(
    ("request_", "timing"),
    [
        (WP_UP, PAID),
        (ChangeRequest("WP", "WP", DOWN, from_edition="PRO", to_edition="BASIC"), END),
        (ChangeRequest("WP", "SHOP", CROSS, to_categories={"shop"}), IMMEDIATE),
        (ChangeRequest("WP", "WP", SAME, from_cycle=MONTHLY, to_cycle=ANNUAL), IMMEDIATE),
        (ChangeRequest("WP", "WP", SAME, from_cycle=ANNUAL, to_cycle=MONTHLY), END),
    ],
)
def test_a_realistic_table_decides_each_kind_of_change(
    request_: ChangeRequest, timing: ChangeTiming
) -> None:
    rules = table(
        ChangeRule(PAID, direction=UP, name="upgrades are paid first"),
        ChangeRule(IMMEDIATE, to_category="shop", name="moves into the shop now"),
        ChangeRule(IMMEDIATE, to_cycle=ANNUAL, direction=SAME, name="longer cycle now"),
    )
    assert rules.decide(request_).timing is timing


# --- the table's own rules ------------------------------------------------------------------


def test_a_table_without_a_catch_all_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        ChangeRules((ChangeRule(IMMEDIATE, direction=UP),))
    assert caught.value.rule == "change-rules.catch-all"
    assert "direction upgrade" in str(caught.value)
    assert "ChangeRule(ChangeTiming.END_OF_TERM)" in str(caught.value)


def test_an_empty_table_is_refused() -> None:
    with pytest.raises(RuleViolation, match="empty table") as caught:
        ChangeRules(())
    assert caught.value.rule == "change-rules.catch-all"


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        (ChangeRule(IMMEDIATE, direction=UP), ChangeRule(ILLEGAL, direction=UP)),
        (ChangeRule(IMMEDIATE, direction=UP), ChangeRule(PAID, from_product="WP", direction=UP)),
        (
            ChangeRule(IMMEDIATE, from_cycle=MONTHLY),
            ChangeRule(END, from_cycle=MONTHLY, to_cycle=ANNUAL),
        ),
        (ChangeRule(IMMEDIATE, name="early catch-all"), ChangeRule(ILLEGAL, to_category="x")),
    ],
)
def test_a_rule_an_earlier_rule_covers_is_reported_as_shadowed(
    earlier: ChangeRule, later: ChangeRule
) -> None:
    with pytest.raises(RuleViolation) as caught:
        table(earlier, later)
    assert caught.value.rule == "change-rules.shadowed"
    assert "change rule 2" in str(caught.value)
    assert "change rule 1" in str(caught.value)


def test_a_specific_rule_before_a_general_one_is_not_shadowed() -> None:
    rules = table(
        ChangeRule(ILLEGAL, from_edition="PREMIUM", direction=DOWN),
        ChangeRule(END, direction=DOWN),
        ChangeRule(END, from_category="cms"),
        ChangeRule(IMMEDIATE, from_category="web"),
    )
    assert len(rules.rules) == 5


def test_every_finding_of_a_table_is_listed() -> None:
    rules = table(ChangeRule(IMMEDIATE, direction=UP, name="up"))
    broken = ChangeRules.__new__(ChangeRules)
    object.__setattr__(
        broken, "rules", (rules.rules[0], rules.rules[0], ChangeRule(END, direction=DOWN))
    )
    assert [rule for rule, _ in check_change_rules(broken)] == [
        "change-rules.catch-all",
        "change-rules.shadowed",
    ]


def test_rules_naming_products_the_catalog_lacks_are_reported() -> None:
    rules = table(ChangeRule(ILLEGAL, from_product="WP", to_product="WPP", name="typo"))
    products = {"WP": Product("WP", "WordPress", "HOSTING")}
    found = check_change_rules(rules, products)
    assert [rule for rule, _ in found] == ["change-rules.unknown-product"]
    assert "'WPP'" in found[0][1]
    assert "'typo'" in found[0][1]
    assert check_change_rules(rules) == []


def test_a_rule_with_a_malformed_code_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        ChangeRule(IMMEDIATE, from_product=" WP")
    assert caught.value.rule == "code.format"


# --- requests and illegal changes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("WP", "WP", SAME), {"from_edition": "BASIC", "to_edition": "PRO"}),
        (("WP", "SHOP", SAME), {}),
        (("WP", "WP", UP), {"from_cycle": MONTHLY, "to_cycle": ANNUAL}),
        (("WP", "WP", CROSS), {"from_edition": "PRO", "to_edition": "PRO"}),
    ],
)
def test_a_request_whose_direction_contradicts_its_sides_is_refused(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(RuleViolation) as caught:
        ChangeRequest(*args, **kwargs)
    assert caught.value.rule == "change-request.direction"


def test_illegal_change_is_refused_naming_the_rule_and_its_reason() -> None:
    rules = table(
        ChangeRule(PAID, direction=UP),
        ChangeRule(
            ILLEGAL,
            from_edition="PREMIUM",
            direction=DOWN,
            name="WordPress Premium cannot go down",
            reason="premium sites use features lower editions lack",
        ),
    )
    down = ChangeRequest("WP", "WP", DOWN, from_edition="PREMIUM", to_edition="BASIC")
    with pytest.raises(RuleViolation) as caught:
        rules.check_change(down)
    error = caught.value
    assert error.rule == "change.illegal"
    assert error.subject == "WP"
    assert "change rule 2 'WordPress Premium cannot go down'" in str(error)
    assert "premium sites use features lower editions lack" in str(error)
    assert "WP edition PREMIUM -> WP edition BASIC (downgrade)" in str(error)


def test_a_legal_change_returns_the_rule_that_decides_it() -> None:
    rules = table(ChangeRule(ILLEGAL, direction=DOWN), ChangeRule(PAID, direction=UP))
    assert rules.check_change(WP_UP).timing is PAID


def test_an_illegal_catch_all_refuses_what_no_rule_allows() -> None:
    rules = ChangeRules(
        (ChangeRule(IMMEDIATE, direction=UP), ChangeRule(ILLEGAL, name="nothing else"))
    )
    cross = ChangeRequest("WP", "SHOP", CROSS)
    with pytest.raises(RuleViolation, match="change rule 2 'nothing else'"):
        rules.check_change(cross)


# --- hypothesis: decide is the first match of a linear scan ---------------------------------

PRODUCTS = ("A", "B")
EDITIONS = (None, "E1", "E2")
CATEGORIES = ("x", "y")
CYCLES = (MONTHLY, QUARTERLY, ANNUAL)


@st.composite
def change_requests(draw: st.DrawFn) -> ChangeRequest:
    old, new = draw(st.sampled_from(PRODUCTS)), draw(st.sampled_from(PRODUCTS))
    old_ed, new_ed = draw(st.sampled_from(EDITIONS)), draw(st.sampled_from(EDITIONS))
    moved = (old, old_ed) != (new, new_ed)
    direction = draw(st.sampled_from((UP, DOWN, CROSS))) if moved else SAME
    cats = st.frozensets(st.sampled_from(CATEGORIES))
    cycles = st.none() | st.sampled_from(CYCLES)
    return ChangeRequest(
        old, new, direction, old_ed, new_ed, draw(cats), draw(cats), draw(cycles), draw(cycles)
    )


def _maybe(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """Mostly None (any), so that random rules match random requests often enough."""
    present = [value for value in values if value is not None]
    return st.sampled_from([None] * 3 * len(present) + present)


change_rules = st.builds(
    ChangeRule,
    st.sampled_from(list(ChangeTiming)),
    from_product=_maybe(PRODUCTS),
    to_product=_maybe(PRODUCTS),
    from_edition=_maybe(EDITIONS),
    to_edition=_maybe(EDITIONS),
    from_category=_maybe(CATEGORIES),
    to_category=_maybe(CATEGORIES),
    from_cycle=_maybe(CYCLES),
    to_cycle=_maybe(CYCLES),
    direction=_maybe(tuple(Direction)),
)


def _fields(rule: ChangeRule) -> tuple[Any, ...]:
    return (
        rule.from_product,
        rule.to_product,
        rule.from_edition,
        rule.to_edition,
        rule.from_category,
        rule.to_category,
        rule.from_cycle,
        rule.to_cycle,
        rule.direction,
    )


def _generalises(a: ChangeRule, b: ChangeRule) -> bool:
    return all(x is None or x == y for x, y in zip(_fields(a), _fields(b), strict=True))


def _fits(rule: ChangeRule, req: ChangeRequest) -> bool:
    """Written apart from ChangeRule.matches, to check it."""
    plain = [
        (rule.from_product, req.from_product),
        (rule.to_product, req.to_product),
        (rule.from_edition, req.from_edition),
        (rule.to_edition, req.to_edition),
        (rule.from_cycle, req.from_cycle),
        (rule.to_cycle, req.to_cycle),
        (rule.direction, req.direction),
    ]
    if any(want is not None and want != have for want, have in plain):
        return False
    if rule.from_category is not None and rule.from_category not in req.from_categories:
        return False
    return rule.to_category is None or rule.to_category in req.to_categories


@st.composite
def rule_tables(draw: st.DrawFn) -> ChangeRules:
    kept: list[ChangeRule] = []
    for rule in draw(st.lists(change_rules, max_size=8)):
        if not rule.is_catch_all and not any(_generalises(k, rule) for k in kept):
            kept.append(rule)
    kept.append(ChangeRule(draw(st.sampled_from(list(ChangeTiming))), name="catch-all"))
    return ChangeRules(kept)


@given(rule_tables(), change_requests())
def test_decide_returns_the_first_rule_whose_fields_all_match(
    rules: ChangeRules, request: ChangeRequest
) -> None:
    expected = next(rule for rule in rules.rules if _fits(rule, request))
    decided = rules.decide(request)
    assert decided is expected
    assert decided in rules.rules


@given(rule_tables(), change_requests())
def test_check_change_refuses_exactly_the_illegal_decisions(
    rules: ChangeRules, request: ChangeRequest
) -> None:
    decided = rules.decide(request)
    if decided.timing is ILLEGAL:
        with pytest.raises(RuleViolation, match=r"change\.illegal"):
            rules.check_change(request)
    else:
        assert rules.check_change(request) is decided


@given(change_rules, change_rules)
def test_covers_agrees_with_the_independent_definition(a: ChangeRule, b: ChangeRule) -> None:
    assert a.covers(b) is _generalises(a, b)


# --- cancellation policies ------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        CancellationPolicy(),
        CancellationPolicy(CancellationTiming.IMMEDIATE),
        CancellationPolicy(CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED),
        CancellationPolicy(
            CancellationTiming.IMMEDIATE, refund=CreditMode.FULL, used_day=UsedDay.UNUSED
        ),
        CancellationPolicy(CancellationTiming.AFTER_RENEWALS, renewals=3),
    ],
)
def test_valid_cancellation_policies_are_accepted(policy: CancellationPolicy) -> None:
    assert policy.renewals is None or policy.renewals >= 1


def test_the_default_policy_ends_at_the_end_of_the_period_without_refund() -> None:
    policy = CancellationPolicy()
    assert policy.timing is CancellationTiming.END_OF_PERIOD
    assert policy.refund is CreditMode.NONE


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"timing": CancellationTiming.AFTER_RENEWALS}, "cancellation.renewals"),
        ({"timing": CancellationTiming.AFTER_RENEWALS, "renewals": 0}, "cancellation.renewals"),
        ({"timing": CancellationTiming.AFTER_RENEWALS, "renewals": True}, "cancellation.renewals"),
        ({"timing": CancellationTiming.AFTER_RENEWALS, "renewals": 1.5}, "cancellation.renewals"),
        ({"timing": CancellationTiming.IMMEDIATE, "renewals": 2}, "cancellation.renewals"),
        ({"timing": CancellationTiming.END_OF_PERIOD, "renewals": 2}, "cancellation.renewals"),
        (
            {"timing": CancellationTiming.END_OF_PERIOD, "refund": CreditMode.PRORATED},
            "cancellation.refund",
        ),
        (
            {
                "timing": CancellationTiming.AFTER_RENEWALS,
                "renewals": 1,
                "refund": CreditMode.FULL,
            },
            "cancellation.refund",
        ),
    ],
)
def test_invalid_cancellation_policies_are_refused(kwargs: dict[str, Any], rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        CancellationPolicy(**kwargs)
    assert caught.value.rule == rule


def test_products_without_their_own_policy_get_the_default() -> None:
    now = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED)
    later = CancellationPolicy(CancellationTiming.AFTER_RENEWALS, renewals=2)
    defaults = CancellationDefaults(later, {"DOMAIN": now})
    assert defaults.for_product("DOMAIN") == now
    assert defaults.for_product("VPS") == later


def test_defaults_from_a_mapping_or_pairs_in_any_order_are_equal() -> None:
    now = CancellationPolicy(CancellationTiming.IMMEDIATE)
    two = CancellationPolicy(CancellationTiming.AFTER_RENEWALS, renewals=2)
    assert CancellationDefaults(per_product={"B": now, "A": two}) == CancellationDefaults(
        per_product=[("A", two), ("B", now)]
    )


def test_a_product_given_two_default_policies_is_refused() -> None:
    now = CancellationPolicy(CancellationTiming.IMMEDIATE)
    with pytest.raises(RuleViolation, match="'VPS'") as caught:
        CancellationDefaults(per_product=[("VPS", now), ("VPS", CancellationPolicy())])
    assert caught.value.rule == "cancellation-defaults.duplicate"


def test_defaults_for_products_the_catalog_lacks_are_reported() -> None:
    defaults = CancellationDefaults(per_product={"VPS": CancellationPolicy()})
    found = check_cancellation_defaults(defaults, {"DSL": Product("DSL", "DSL", "NET")})
    assert [rule for rule, _ in found] == ["cancellation-defaults.unknown-product"]
    assert check_cancellation_defaults(defaults) == []
