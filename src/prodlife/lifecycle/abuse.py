"""Suspension for abuse when a service's usage reaches its product's abuse limit (seed 002).

:func:`enforce_abuse_limits` counts a service's usage records of each limited
resource within the limit's rolling window ending at the instant checked; an
active service whose usage reaches a limit is suspended for abuse by the system
(seed 002: "suspended due to abuse automatically after the abuse limit had been
reached"). Only staff lift that suspension (the policy of
:mod:`~prodlife.lifecycle.actors`). A service already suspended, or not active,
is left as it is, so checking again does nothing more.
:meth:`Billing.enforce_abuse_limits <prodlife.app.Billing.enforce_abuse_limits>`
checks a stored service against the limits of the catalog in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from prodlife.catalog.abuse import AbuseLimit
from prodlife.clock import as_utc
from prodlife.errors import ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.operations import suspend
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status, SuspensionKind
from prodlife.pricing.usage import UsageRecord

__all__ = ["enforce_abuse_limits", "usage_within"]


def usage_within(
    service: Service, limit: AbuseLimit, records: Iterable[UsageRecord], at: datetime
) -> Decimal:
    """How much of ``limit.resource`` ``service``'s customer used in the window ending at ``at``.

    The window is ``(at - window_days, at]``: records at the instant checked count.
    """
    end = as_utc(at)
    start = end - timedelta(days=limit.window_days)
    return sum(
        (
            record.quantity
            for record in records
            if record.product_code == limit.resource
            and record.customer_id == service.customer_id
            and start < record.at <= end
        ),
        Decimal(0),
    )


def enforce_abuse_limits(
    service: Service,
    actor: Actor,
    at: datetime,
    limits: Sequence[AbuseLimit],
    records: Iterable[UsageRecord],
    *,
    module: ProvisioningModule | None = None,
) -> Outcome:
    """Suspend ``service`` for abuse if its usage reaches one of ``limits``; else change nothing.

    Args:
        actor: who checks (the system, normally).
        limits: the abuse limits of the service's product (``catalog.abuse_limits_for``).
        records: the service's usage records (others' are not counted).
        module: the host's provisioning module, whose *suspend* runs.

    Returns:
        The suspension's outcome, its reason naming the limit reached; or the
        service unchanged, with no events, when no limit is reached or it is
        not active.

    Raises:
        ValidationError: a limit is not an :class:`~prodlife.catalog.AbuseLimit`
            or is another product's.
        PermissionDenied: as :func:`~prodlife.lifecycle.suspend` (a customer
            cannot suspend for abuse).
    """
    given = list(records)
    for limit in limits:
        if not isinstance(limit, AbuseLimit) or limit.product_code != service.product_code:
            raise ValidationError(
                f"{limit!r} is not an abuse limit of {service.product_code}; pass "
                "catalog.abuse_limits_for(service.product_code)"
            )
    if service.status.status is not Status.ACTIVE:
        return Outcome(service)
    for limit in limits:
        used = usage_within(service, limit, given, at)
        if limit.reached(used):
            reason = (
                f"abuse limit reached: {used} of {limit.resource} within {limit.window_days} "
                f"day(s), limit {limit.limit}"
            )
            return suspend(
                service, actor, at, SuspensionKind.FOR_ABUSE, module=module, reason=reason
            )
    return Outcome(service)
