"""Abuse limits (seed 002): how much of a counted resource a product's service may use.

An :class:`AbuseLimit` says that a service of product ``product_code`` may
consume at most ``limit`` units of the usage product ``resource`` (its usage
records) within any ``window_days`` days; reaching it suspends the service for
abuse (:func:`~prodlife.lifecycle.enforce_abuse_limits`), and only staff lift
that suspension. A catalog keeps its limits in ``Catalog.abuse_limits``, at
most one per product and resource.

>>> limit = AbuseLimit("MAIL", "SMTP-SENT", 10_000, window_days=1)
>>> limit.reached(9_999), limit.reached(10_000)
(False, True)
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._findings import Finding, check_code, raise_first
from prodlife.errors import ProdlifeError
from prodlife.limits import MAX_QUANTITY
from prodlife.money import to_decimal

__all__ = ["AbuseLimit", "check_abuse_limit"]


def _amount(value: Decimal | int | str) -> Decimal | object:
    try:
        return to_decimal(value)
    except ProdlifeError:
        return value  # check_abuse_limit reports it


@attrs.frozen(slots=True)
class AbuseLimit:
    """At most ``limit`` units of ``resource`` per ``window_days`` days for a service of a product.

    Args:
        product_code: the product whose services are limited.
        resource: the usage product counted (its usage records' ``product_code``).
        limit: the quantity that, once reached within the window, suspends the
            service for abuse; more than zero (a ``Decimal``, ``int`` or
            numeric string, never a float).
        window_days: the length of the rolling window, 1 to 366 days, ending
            at the instant checked.

    Raises:
        RuleViolation: rules ``code.format``, ``abuse.limit``, ``abuse.window``.
    """

    product_code: str
    resource: str
    limit: Decimal = attrs.field(converter=_amount)
    window_days: int = 30

    def __attrs_post_init__(self) -> None:
        raise_first(check_abuse_limit(self), str(self.product_code))

    def reached(self, used: Decimal | int) -> bool:
        """Whether ``used`` units within the window reach the limit."""
        return used >= self.limit


def check_abuse_limit(limit: AbuseLimit) -> list[Finding]:
    """Every rule an abuse limit breaks on its own."""
    found = check_code(limit.product_code, "product")
    found += check_code(limit.resource, "usage product")
    amount: object = limit.limit
    if not isinstance(amount, Decimal) or not 0 < amount <= MAX_QUANTITY:
        found.append(
            (
                "abuse.limit",
                f"abuse limit {amount!r} must be a number above zero and at most "
                f"{MAX_QUANTITY:,} (prodlife.limits.MAX_QUANTITY); never a float",
            )
        )
    if not is_whole(limit.window_days, 1, 366):
        found.append(
            ("abuse.window", f"an abuse window of {limit.window_days!r} days; give 1 to 366")
        )
    return found
