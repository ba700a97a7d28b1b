"""Prices set by hand: an order's price overrides, their reason, and their history entries.

A price comes from the stored price plan unless staff with ``prices: set``
give one by hand (seed 003's price override). Such an override must say why
(:func:`require_reason`, rule ``price.reason``), and each service it prices
records it in its history (:func:`with_overrides`): who set which price, when,
and why.

>>> from datetime import datetime, timezone
>>> from prodlife import Money
>>> from prodlife.lifecycle import Order, OrderLine
>>> from prodlife.pricing import OrderLineSpec
>>> order = Order(id="O-1", customer_id="C-1", payment_method="card", lines=
...     (OrderLine(OrderLineSpec("WEB", price_override=Money("5.00", "USD"))),),
...     placed_at=datetime(2026, 3, 1, tzinfo=timezone.utc))
>>> overrides(order)
['line 1 (WEB): USD 5.00']
>>> require_reason("  ", "a price set by hand on an order")
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: a price set by hand on an order needs a reason for the service's
history; pass reason="..." (rule price.reason)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from prodlife.errors import RuleViolation
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.history import HistoryEntry
from prodlife.lifecycle.orders import Order
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.transitions import Operation

__all__ = ["overrides", "require_reason", "with_overrides"]


def require_reason(reason: object, what: str) -> str:
    """``reason``, refused unless it is text that says something.

    Raises:
        RuleViolation: an empty or blank reason, or not text (rule ``price.reason``).
    """
    if not isinstance(reason, str) or not reason.strip():
        raise RuleViolation(
            "price.reason",
            f'{what} needs a reason for the service\'s history; pass reason="..."',
        )
    return reason


def overrides(order: Order) -> list[str]:
    """Each price ``order`` sets by hand, described: its lines' and its domains'."""
    found = [
        f"line {number} ({line.spec.product_code}): {line.spec.price_override}"
        for number, line in enumerate(order.lines, 1)
        if line.spec.price_override is not None
    ]
    found += [
        f"domain {domain.domain}: {domain.price_override}"
        for domain in order.domains
        if domain.price_override is not None
    ]
    return found


def _priced_by_hand(order: Order, services: Sequence[Service]) -> dict[str, list[str]]:
    """What each service of ``order`` has priced by hand, by service id."""
    found: dict[str, list[str]] = {}
    made = iter(services)
    for number, line in enumerate(order.lines, 1):
        for _ in range(line.services):
            service = next(made, None)
            if service is not None and line.spec.price_override is not None:
                found.setdefault(service.id, []).append(
                    f"line {number} ({line.spec.product_code}): {line.spec.price_override}"
                )
    for domain in order.domains:
        if domain.price_override is None or not services:
            continue
        holder = next((s for s in services if s.domain == domain.domain), services[0])
        found.setdefault(holder.id, []).append(f"domain {domain.domain}: {domain.price_override}")
    return found


def with_overrides(
    order: Order, services: Sequence[Service], actor: Actor, at: datetime, reason: str
) -> tuple[Service, ...]:
    """``services`` (as :func:`~prodlife.lifecycle.services_for` made them from
    ``order``), each priced by hand recording it in its history: an ``edit``
    entry by ``actor`` at ``at`` with ``reason``, its details naming the prices."""
    priced = _priced_by_hand(order, services)
    changed: list[Service] = []
    for service in services:
        what = priced.get(service.id)
        if what:
            entry = HistoryEntry(
                at,
                actor,
                Operation.EDIT,
                reason,
                service.status,
                service.status,
                f"price set by hand on order {order.id}: {'; '.join(what)}",
            )
            history = service.history.append(entry)
            service = attrs.evolve(service, history=history, version=history.total)
        changed.append(service)
    return tuple(changed)
