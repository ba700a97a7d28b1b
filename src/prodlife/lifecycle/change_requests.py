"""What the catalog decides about a change of package: its direction, and when it happens.

:func:`change_request` reads the direction from the catalog's edition ladder
(forbidden moves refused; between products, a cross-grade);
:func:`change_rule` finds the change rule that times it (the catalog's
:class:`~prodlife.catalog.change_rules.ChangeRules`; without any, at once), as
it applies to a service invoiced in arrears. Carrying the change out is
:mod:`prodlife.lifecycle.package_changes`'s.
"""

from __future__ import annotations

import attrs

from prodlife.catalog.catalog import Catalog
from prodlife.catalog.change_rules import ChangeRequest, ChangeRule, ChangeTiming
from prodlife.catalog.editions import Direction
from prodlife.cycles import BillingCycle
from prodlife.errors import RuleViolation
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.terms import in_arrears

__all__ = ["change_request", "change_rule"]

_IMMEDIATE = ChangeRule(ChangeTiming.IMMEDIATE, name="immediate (no change rules)")


def change_request(
    catalog: Catalog,
    service: Service,
    *,
    to_product: str | None = None,
    to_edition: str | None = None,
    to_cycle: BillingCycle | None = None,
) -> ChangeRequest:
    """The change request the catalog's rules decide, for moving ``service``.

    Omitted targets stay as they are. Within one product's edition ladder the
    direction comes from the ladder (forbidden moves refused); between
    products it is a cross-grade.

    Raises:
        NotFound: an unknown product or edition.
        RuleViolation: a forbidden edition move (rule ``edition.forbidden-move``),
            or no change at all (rule ``change.nothing``).
    """
    product = service.product_code if to_product is None else to_product
    edition = (
        service.edition if to_edition is None and product == service.product_code else to_edition
    )
    cycle = service.cycle if to_cycle is None else to_cycle
    old, new = catalog.product(service.product_code), catalog.product(product)
    if product == service.product_code:
        ladder = catalog.ladder(product)
        if ladder is None or edition is None or service.edition is None:
            direction = Direction.SAME
        else:
            direction = ladder.check_move(service.edition, edition)
    else:
        direction = Direction.CROSSGRADE
    if direction is Direction.SAME and cycle == service.cycle and product == service.product_code:
        raise RuleViolation(
            "change.nothing",
            f"service {service.id} already is {product} edition {edition} {cycle}; "
            "name the product, edition or cycle it moves to",
        )
    return ChangeRequest(
        service.product_code,
        product,
        direction,
        service.edition,
        edition,
        old.categories,
        new.categories,
        service.cycle,
        cycle,
    )


def change_rule(catalog: Catalog, service: Service, request: ChangeRequest) -> ChangeRule:
    """The change rule that says when ``request`` happens for ``service``.

    The first of the catalog's change rules that matches (immediately when it
    has none); for a service invoiced in arrears, as that rule applies there.

    Raises:
        RuleViolation: the matching rule makes the change illegal (rule
            ``change.illegal``).
    """
    rules = catalog.change_rules
    rule = _IMMEDIATE if rules is None else rules.check_change(request)
    if in_arrears(service):
        rule = _retimed_for_arrears(rule, request.to_cycle or service.cycle, service.cycle)
    return rule


def _retimed_for_arrears(
    rule: ChangeRule, new_cycle: BillingCycle, cycle: BillingCycle
) -> ChangeRule:
    """The rule for a service invoiced in arrears, where no invoice precedes a change.

    A change waiting for payment happens at once (there is no invoice for the
    difference to pay: the period is invoiced for what was used). A change of
    cycle waits for the end of the period in use, which is invoiced whole.
    """
    if rule.timing is ChangeTiming.END_OF_TERM:
        return rule
    if new_cycle != cycle:
        return attrs.evolve(rule, timing=ChangeTiming.END_OF_TERM)
    if rule.timing is ChangeTiming.AFTER_PAYMENT:
        return attrs.evolve(rule, timing=ChangeTiming.IMMEDIATE)
    return rule
