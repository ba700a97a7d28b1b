"""Fixed terms (seed 003's "auto-terminate a number of days after sign-up").

A product with :attr:`~prodlife.catalog.Product.fixed_term_days` N ends its
services N days after they start: :func:`with_fixed_term` ends the service's
timeline on that day, so the billing engine bills it up to there and no
further (a period the end cuts is billed for its days only), and the scheduler
(:func:`~prodlife.lifecycle.scheduler.run_due`) terminates a live service whose
timeline ends on or before the run's billing date, once: a terminated service
has no more work. :meth:`Billing.place_order <prodlife.app.Billing.place_order>`
gives each ordered service its product's fixed term from the catalog in force.

>>> from datetime import date
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle import Service
>>> from prodlife.pricing.recurring import RecurringPrice
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="PASS", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("30.00", "USD")), payment_method="card",
...     start=date(2025, 1, 1), next_due=date(2025, 2, 1),
... )
>>> fixed_term_end(with_fixed_term(service, 45))
datetime.date(2025, 2, 15)
"""

from __future__ import annotations

from datetime import date, timedelta

from prodlife._numbers import is_whole
from prodlife.catalog.products import MAX_FIXED_TERM_DAYS
from prodlife.errors import RuleViolation
from prodlife.lifecycle.services import Service

__all__ = ["fixed_term_end", "with_fixed_term"]


def with_fixed_term(service: Service, days: int) -> Service:
    """``service`` ending ``days`` days after it starts (its timeline ends then).

    Raises:
        RuleViolation: ``days`` is not a whole number from 1 to 36,600, or the
            service has ended or already has an end (rule ``service.fixed-term``).
    """
    if not is_whole(days, 1, MAX_FIXED_TERM_DAYS):
        raise RuleViolation(
            "service.fixed-term",
            f"a fixed term of {days!r} days; give a whole number from 1 to {MAX_FIXED_TERM_DAYS:,}",
            service.id,
        )
    if service.ended or service.timeline.end is not None:
        raise RuleViolation(
            "service.fixed-term",
            f"service {service.id} already ends on {service.timeline.end}; a fixed term is "
            "given to a service when it is ordered",
            service.id,
        )
    end = service.start + timedelta(days=days)
    return service._evolved(timeline=service.timeline.ended(end))


def fixed_term_end(service: Service) -> date | None:
    """The day a live service's fixed term ends it, or ``None`` (no fixed term, or ended)."""
    return None if service.ended else service.timeline.end
