"""A service under the billing term of its scheme (seed 004's billing term schemes).

What the lifecycle carries out today is the exclusion from deactivation runs:
a service whose term excludes it (a free-to-air channel) is never suspended,
and so never terminated, for non-payment. Billing in arrears (post-bill,
postpaid) is refused until the lifecycle bills it, rather than billed in advance
by mistake.

>>> from datetime import date
>>> from prodlife import MONTHLY, Money, Service
>>> from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme
>>> from prodlife.pricing.recurring import RecurringPrice
>>> scheme = BillingTermScheme(
...     "TV", "TV terms", prepaid=False,
...     terms=[BillingTerm("FREE-TV", exclude_from_deactivation=True)],
... )
>>> channel = Service(
...     id="S-1", customer_id="C-1", product_code="FREE-TV", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("0.00", "USD")), payment_method="none",
...     start=date(2025, 1, 1), next_due=date(2025, 2, 1),
... )
>>> under_terms(channel, scheme).override_auto_suspend
OverrideAutoSuspend(until=None)
"""

from __future__ import annotations

import attrs

from prodlife.catalog.subscriptions import (
    BillingTermScheme,
    excluded_from_deactivation,
    is_in_arrears,
)
from prodlife.errors import RuleViolation
from prodlife.lifecycle.service_parts import OverrideAutoSuspend
from prodlife.lifecycle.services import Service

__all__ = ["under_terms"]


def under_terms(service: Service, scheme: BillingTermScheme) -> Service:
    """``service`` as the term of its product in ``scheme`` says it is billed.

    A term excluded from deactivation runs makes the service exempt from
    automatic suspension for good (:meth:`OverrideAutoSuspend.never`), so the
    scheduler never suspends it, nor terminates it, for non-payment.

    Raises:
        NotFound: the scheme has no term for the service's product.
        RuleViolation: the term bills in arrears, which the lifecycle does not
            bill yet (rule ``terms.in-arrears``).
    """
    if is_in_arrears(scheme, service.product_code):
        raise RuleViolation(
            "terms.in-arrears",
            f"scheme {scheme.code!r} bills {service.product_code!r} in arrears, which the "
            "lifecycle does not bill yet; put the product on a pre-bill (or prepaid) term",
        )
    if excluded_from_deactivation(scheme, service.product_code):
        return attrs.evolve(service, override_auto_suspend=OverrideAutoSuspend.never())
    return service
