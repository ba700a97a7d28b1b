"""Change rules: when an upgrade, downgrade, cross-grade or change of cycle takes effect.

A :class:`ChangeRules` table decides when a change of product, edition or
billing cycle takes effect: immediately, at the end of the term, once it is
paid for, or never (illegal). Rules match on the products, editions,
categories and cycles of both sides and on the direction; the first match
wins, and a catch-all ends the table so every change gets an answer. What a
cancellation does is in :mod:`prodlife.catalog.cancellation_policies`; carrying
a change out is :mod:`prodlife.lifecycle`'s.

=========================================  =============================================
rule                                       condition
=========================================  =============================================
``change-request.direction``               ``SAME`` exactly when product and edition stay
``change-rules.catch-all``                 the last rule of a table matches every change
``change-rules.shadowed``                  no rule is covered by an earlier one
``change-rules.unknown-product``           rules name products the catalog has
``change.illegal``                         the matching rule does not make it illegal
=========================================  =============================================

>>> rules = ChangeRules((
...     ChangeRule(ChangeTiming.ILLEGAL, from_edition="PREMIUM", direction=Direction.DOWNGRADE,
...                name="keep premium", reason="premium data cannot be migrated down"),
...     ChangeRule(ChangeTiming.AFTER_PAYMENT, direction=Direction.UPGRADE, name="upgrades"),
...     ChangeRule(ChangeTiming.END_OF_TERM, name="everything else"),
... ))
>>> up = ChangeRequest("WP", "WP", Direction.UPGRADE, from_edition="BASIC", to_edition="PRO")
>>> rules.decide(up).name
'upgrades'
>>> down = ChangeRequest("WP", "WP", Direction.DOWNGRADE, from_edition="PREMIUM", to_edition="PRO")
>>> rules.check_change(down)
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: WP edition PREMIUM -> WP edition PRO (downgrade) is not allowed by
change rule 1 'keep premium': premium data cannot be migrated down; choose another product, ...
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

import attrs

from prodlife.catalog._findings import Finding, check_code, frozen_codes, raise_first
from prodlife.catalog.editions import Direction
from prodlife.catalog.products import Product
from prodlife.cycles import BillingCycle
from prodlife.errors import RuleViolation

__all__ = [
    "ChangeRequest",
    "ChangeRule",
    "ChangeRules",
    "ChangeTiming",
    "check_change_request",
    "check_change_rule",
    "check_change_rules",
    "package_name",
]


class ChangeTiming(enum.Enum):
    """When a change of product, edition or cycle takes effect."""

    #: At once; the difference is prorated for the rest of the period.
    IMMEDIATE = "immediate"
    #: At the end of the current term (the next renewal); the scheduler carries it out.
    END_OF_TERM = "end of term"
    #: Once the invoice for the difference is paid (seed 003's upgrade orders).
    AFTER_PAYMENT = "after payment"
    #: Never: the change is refused.
    ILLEGAL = "illegal"


#: The fields a rule matches on; a request has the same names (categories in the plural).
_MATCH_FIELDS = (
    "from_product",
    "to_product",
    "from_edition",
    "to_edition",
    "from_category",
    "to_category",
    "from_cycle",
    "to_cycle",
    "direction",
)


@attrs.frozen(slots=True)
class ChangeRequest:
    """One change to decide: from a product (edition, cycle) to another.

    Args:
        from_product: the code of the product the service has now.
        to_product: the code of the product it moves to (the same for an
            edition or cycle change).
        direction: upgrade, downgrade, cross-grade, or ``SAME`` when product and
            edition stay the same (a change of cycle only).
        from_edition: the edition it has now, if the product has editions.
        to_edition: the edition it moves to.
        from_categories: the categories of the product it has now.
        to_categories: the categories of the product it moves to.
        from_cycle: the billing cycle it has now.
        to_cycle: the billing cycle it moves to.

    Raises:
        RuleViolation: a code is malformed, or the direction contradicts the
            products and editions (rule ``change-request.direction``).
    """

    from_product: str
    to_product: str
    direction: Direction
    from_edition: str | None = None
    to_edition: str | None = None
    from_categories: frozenset[str] = attrs.field(factory=frozenset, converter=frozen_codes)
    to_categories: frozenset[str] = attrs.field(factory=frozenset, converter=frozen_codes)
    from_cycle: BillingCycle | None = None
    to_cycle: BillingCycle | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(check_change_request(self), self.from_product)

    def __str__(self) -> str:
        return f"{_route(self)} ({self.direction.value})"


def package_name(product: str, edition: str | None) -> str:
    """How rule messages, history and events name a package: ``WEB edition PRO``.

    Invoice lines name it shorter (``WEB PRO``,
    :func:`prodlife.lifecycle.timelines.package_label`).
    """
    return product if edition is None else f"{product} edition {edition}"


def _route(r: ChangeRequest) -> str:
    def side(product: str, edition: str | None, cycle: BillingCycle | None) -> str:
        text = package_name(product, edition)
        return text if cycle is None else f"{text} {cycle}"

    return f"{side(r.from_product, r.from_edition, r.from_cycle)} -> " + side(
        r.to_product, r.to_edition, r.to_cycle
    )


def check_change_request(request: ChangeRequest) -> list[Finding]:
    """Every rule ``request`` breaks."""
    r = request
    found = check_code(r.from_product, "product") + check_code(r.to_product, "product")
    for edition in (r.from_edition, r.to_edition):
        if edition is not None:
            found += check_code(edition, "edition")
    unchanged = (r.from_product, r.from_edition) == (r.to_product, r.to_edition)
    if unchanged != (r.direction is Direction.SAME):
        what = "neither product nor edition" if unchanged else "the product or edition"
        fix = "SAME" if unchanged else "UPGRADE, DOWNGRADE or CROSSGRADE"
        found.append(
            (
                "change-request.direction",
                f"{_route(r)} is marked {r.direction.value}, but {what} changes; "
                f"mark it Direction.{fix}",
            )
        )
    return [(rule, f"change request: {message}") for rule, message in found]


@attrs.frozen(slots=True)
class ChangeRule:
    """One row of a change rule table: which changes it matches, and when they happen.

    The match fields are ``from_product``/``to_product`` (product codes),
    ``from_edition``/``to_edition`` (edition codes), ``from_category``/
    ``to_category`` (a category the product on that side has),
    ``from_cycle``/``to_cycle`` (billing cycles) and ``direction``. Each is
    optional: ``None`` matches anything, and a rule that sets none is a
    catch-all.

    Args:
        timing: what a matching change does (immediate, end of term, after
            payment, illegal).
        name: a short name the error messages use.
        reason: why the rule exists; an illegal change's error quotes it.

    Raises:
        RuleViolation: a code or category is malformed.

    >>> rule = ChangeRule(ChangeTiming.IMMEDIATE, to_category="SSL", direction=Direction.UPGRADE)
    >>> rule.conditions
    'to category SSL, direction upgrade'
    >>> ChangeRule(ChangeTiming.END_OF_TERM).is_catch_all
    True
    """

    timing: ChangeTiming
    from_product: str | None = None
    to_product: str | None = None
    from_edition: str | None = None
    to_edition: str | None = None
    from_category: str | None = None
    to_category: str | None = None
    from_cycle: BillingCycle | None = None
    to_cycle: BillingCycle | None = None
    direction: Direction | None = None
    name: str = ""
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        raise_first(check_change_rule(self), self.name)

    @property
    def is_catch_all(self) -> bool:
        """Whether the rule sets no match field, so it matches every change."""
        return all(getattr(self, field) is None for field in _MATCH_FIELDS)

    @property
    def conditions(self) -> str:
        """The match fields it sets, as text (``"any change"`` for a catch-all)."""
        parts = []
        for field in _MATCH_FIELDS:
            value = getattr(self, field)
            if value is not None:
                shown = value.value if isinstance(value, Direction) else str(value)
                parts.append(f"{field.replace('_', ' ')} {shown}")
        return ", ".join(parts) or "any change"

    def matches(self, request: ChangeRequest) -> bool:
        """Whether every match field the rule sets agrees with ``request``."""
        for field in _MATCH_FIELDS:
            mine = getattr(self, field)
            if mine is None:
                continue
            if field.endswith("category"):
                if mine not in getattr(request, field.replace("category", "categories")):
                    return False
            elif mine != getattr(request, field):
                return False
        return True

    def covers(self, other: ChangeRule) -> bool:
        """Whether this rule matches every change ``other`` matches.

        True when each field this rule sets is set to the same value in
        ``other``: this rule is the same as ``other`` or more general.
        """
        return all(getattr(self, field) in (None, getattr(other, field)) for field in _MATCH_FIELDS)


def check_change_rule(rule: ChangeRule) -> list[Finding]:
    """Every rule a change rule breaks on its own (malformed codes or categories)."""
    found: list[Finding] = []
    for field in _MATCH_FIELDS[:6]:
        value = getattr(rule, field)
        if value is not None:
            found += check_code(value, field.split("_")[1])
    label = f"change rule {rule.name!r}" if rule.name else "change rule"
    return [(r, f"{label}: {message}") for r, message in found]


def _rules(rules: Iterable[ChangeRule]) -> tuple[ChangeRule, ...]:
    return tuple(rules)


def _label(rules: tuple[ChangeRule, ...], index: int) -> str:
    name = rules[index].name
    return f"change rule {index + 1}" + (f" {name!r}" if name else "")


def check_change_rules(
    table: ChangeRules, products: Mapping[str, Product] | None = None
) -> list[Finding]:
    """Every rule a change rule table breaks: a missing catch-all, rules that never match.

    With ``products`` (the catalog's, by code), also each rule naming a product
    the catalog lacks (``change-rules.unknown-product``): it never matches.
    """
    rules = table.rules
    found: list[Finding] = []
    if not rules or not rules[-1].is_catch_all:
        problem = f"the last rule ({rules[-1].conditions})" if rules else "an empty table"
        found.append(
            (
                "change-rules.catch-all",
                f"{problem} leaves some changes undecided; end the table with a catch-all "
                "rule that sets no match field, e.g. ChangeRule(ChangeTiming.END_OF_TERM)",
            )
        )
    for later in range(1, len(rules)):
        earlier = next((i for i in range(later) if rules[i].covers(rules[later])), None)
        if earlier is not None:
            found.append(
                (
                    "change-rules.shadowed",
                    f"{_label(rules, later)} ({rules[later].conditions}) never applies: "
                    f"{_label(rules, earlier)} ({rules[earlier].conditions}) comes first and "
                    "matches every change it matches; move it above that rule or delete it",
                )
            )
    for index, rule in enumerate(rules if products is not None else ()):
        for code in dict.fromkeys((rule.from_product, rule.to_product)):
            if code is not None and products is not None and code not in products:
                found.append(
                    (
                        "change-rules.unknown-product",
                        f"{_label(rules, index)} names product {code!r}, which the catalog "
                        "does not have; fix the code or add the product",
                    )
                )
    return found


@attrs.frozen(slots=True)
class ChangeRules:
    """An ordered change rule table: the first rule that matches a change decides it.

    Args:
        rules: the rules, most specific first; the last must be a catch-all.

    Raises:
        RuleViolation: the last rule is not a catch-all (rule
            ``change-rules.catch-all``), or a rule can never match because an
            earlier one covers it (rule ``change-rules.shadowed``).
    """

    rules: tuple[ChangeRule, ...] = attrs.field(converter=_rules)

    def __attrs_post_init__(self) -> None:
        raise_first(check_change_rules(self), "change rules")

    def _index(self, request: ChangeRequest) -> int:
        last = len(self.rules) - 1
        return next((i for i in range(last) if self.rules[i].matches(request)), last)

    def decide(self, request: ChangeRequest) -> ChangeRule:
        """The first rule that matches ``request`` (the catch-all when no other does)."""
        return self.rules[self._index(request)]

    def check_change(self, request: ChangeRequest) -> ChangeRule:
        """Decide ``request``, refusing it when the rule makes it illegal.

        Returns:
            The rule that decides the change; its timing says when it happens.

        Raises:
            RuleViolation: the matching rule is illegal (rule ``change.illegal``);
                the message names the rule and quotes its reason.
        """
        index = self._index(request)
        rule = self.rules[index]
        if rule.timing is ChangeTiming.ILLEGAL:
            reason = f": {rule.reason}" if rule.reason else ""
            raise RuleViolation(
                "change.illegal",
                f"{request} is not allowed by {_label(self.rules, index)}{reason}; choose "
                "another product, edition or cycle",
                request.from_product,
            )
        return rule
