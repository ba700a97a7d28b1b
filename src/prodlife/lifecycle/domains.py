"""Domains a customer holds (seed 003), each a service of the product :data:`DOMAIN_PRODUCT`.

A domain line of an order (:class:`~prodlife.lifecycle.DomainLine`) becomes a
service of its own: its ``domain`` is the name, its cycle the registration
term (1 to 10 years), its first term billed at the registration or transfer
price and every renewal at the renewal price (the TLD table's, or the line's
price override). So domains are stored, queried, billed, renewed and ended
like every service: a customer's domains are
``ServiceQuery(customer_id=..., product_code=DOMAIN_PRODUCT)``, and
:class:`DomainHolding` reads one as seed 003 lists it (TLD, registration and
expiry dates, auto-renew, status).

A domain renews while its :attr:`~prodlife.lifecycle.Service.auto_renew` is
on; :func:`set_auto_renew` turns it off (the scheduler then ends it on its
expiry date, ``DueWork.AUTO_TERMINATE``) or on again. Seed 003: when a
customer asks to cancel a service, they may turn off the auto-renew of the
matching domain they hold, the one :func:`renewing_domain` finds.

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.lifecycle import Actor, DomainAction, DomainLine
>>> line = DomainLine("example.co.uk", DomainAction.REGISTER, years=2)
>>> domain = domain_service(
...     line, Money("20.00", "USD"), Money("18.00", "USD"), service_id="D-1",
...     customer_id="C-1", start=date(2025, 4, 1), payment_method="card",
... )
>>> held = DomainHolding.of(domain)
>>> held.tld, held.registered_on, held.expires_on, held.auto_renew
('co.uk', datetime.date(2025, 4, 1), datetime.date(2027, 4, 1), True)
>>> [(str(rate.amount), rate.start) for rate in domain.timeline.track("").rates]
[('USD 20.00', datetime.date(2025, 4, 1)), ('USD 18.00', datetime.date(2027, 4, 1))]
>>> off = set_auto_renew(domain, Actor.customer("C-1"), datetime(2025, 5, 1, tzinfo=UTC), False)
>>> DomainHolding.of(off.service).auto_renew
False
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from prodlife.billing.lines import LineType
from prodlife.billing.timeline import Rate, Timeline, Track
from prodlife.cycles import BillingCycle
from prodlife.errors import ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.service_parts import Dunning, ServiceInvoicing
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ORDERED, ServiceStatus
from prodlife.lifecycle.timelines import BASE, schedule_for
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money
from prodlife.pricing.recurring import RecurringPrice
from prodlife.pricing.taxes import PriceBasis, TaxRate

if TYPE_CHECKING:
    from prodlife.lifecycle.orders import DomainLine

__all__ = [
    "DOMAIN_PRODUCT",
    "DomainHolding",
    "domain_service",
    "is_domain",
    "renewing_domain",
    "set_auto_renew",
]

#: The product code of the services that are domains.
DOMAIN_PRODUCT = "DOMAIN"


def is_domain(service: Service) -> bool:
    """Whether ``service`` is a domain (of :data:`DOMAIN_PRODUCT`, naming its domain)."""
    return service.product_code == DOMAIN_PRODUCT and service.domain is not None


@attrs.frozen(slots=True)
class DomainHolding:
    """A customer's domain as seed 003 lists it, read from its service.

    Args:
        service_id: the domain's service.
        customer_id: who holds it.
        name: the domain name (``example.co.uk``).
        tld: what follows its first label (``co.uk``).
        registered_on: the day it was registered or transferred in (the service's start).
        expires_on: the end of the term paid for (the next due date), or the
            day it ended; ``None`` for a service with no next due date.
        auto_renew: whether it renews by itself at the end of its term.
        status: the service's status.
    """

    service_id: str
    customer_id: str
    name: str
    tld: str
    registered_on: date
    expires_on: date | None
    auto_renew: bool
    status: ServiceStatus

    @classmethod
    def of(cls, service: Service) -> DomainHolding:
        """The domain ``service`` holds.

        Raises:
            ValidationError: ``service`` is not a domain (:func:`is_domain`).
        """
        name = service.domain
        if not is_domain(service) or name is None:
            raise ValidationError(
                f"service {service.id} of product {service.product_code!r} is not a domain; "
                f"domains are services of product {DOMAIN_PRODUCT!r} naming their domain"
            )
        return cls(
            service.id,
            service.customer_id,
            name,
            name.lower().split(".", 1)[1],
            service.start,
            service.termination_date if service.ended else service.next_due,
            service.auto_renew and not service.ended,
            service.status,
        )


def domain_service(
    line: DomainLine,
    price: Money,
    renewal: Money,
    *,
    service_id: str,
    customer_id: str,
    start: date,
    payment_method: str,
    taxes: Sequence[TaxRate] = (),
    tax_basis: PriceBasis = PriceBasis.EXCLUSIVE,
    rounding: str = decimal.ROUND_HALF_UP,
    invoice_days_before: int = 0,
    dunning: Dunning | None = None,
    invoicing: ServiceInvoicing | None = None,
) -> Service:
    """The pending service an ordered domain ``line`` becomes.

    Its cycle is the line's term (``years`` x 12 months); its first term is
    billed at ``price`` (the registration or transfer price), each renewal at
    ``renewal``, with ``taxes``. It renews automatically.

    Raises:
        RuleViolation: as :class:`~prodlife.lifecycle.Service` and
            :class:`~prodlife.billing.Timeline` (prices in two currencies...).
    """
    cycle = BillingCycle.months(12 * line.years)
    expiry = cycle.shift(start, 1)
    schedule = schedule_for(cycle, start)
    what = f"domain {line.domain} ({line.action}, {line.years} year(s))"
    rates = (
        Rate(start, expiry, price, schedule, what, "domain"),
        Rate(expiry, None, renewal, schedule, f"domain {line.domain} (renewal)", "domain"),
    )
    timeline = Timeline(
        service_id,
        customer_id,
        start,
        tracks=(Track.of(LineType.RECURRING, BASE, *rates),),
        taxes=tuple(taxes),
        tax_basis=tax_basis,
        rounding=rounding,
        invoice_days_before=invoice_days_before,
    )
    return Service(
        id=service_id,
        customer_id=customer_id,
        product_code=DOMAIN_PRODUCT,
        edition=None,
        cycle=cycle,
        price=RecurringPrice.at_order(renewal),
        domain=line.domain,
        payment_method=payment_method,
        start=start,
        next_due=expiry,
        status=ORDERED,
        timeline=timeline,
        dunning=dunning,
        invoicing=invoicing,
    )


def renewing_domain(service: Service, held: Iterable[Service]) -> Service | None:
    """The domain among ``held`` that cancelling ``service`` offers to stop renewing.

    That is the customer's live domain named like ``service``'s ``domain``
    (case aside) that still renews by itself (seed 003); ``None`` when there is
    none, or ``service`` is itself a domain or serves none.
    """
    name = service.domain
    if name is None or is_domain(service):
        return None
    return next(
        (
            other
            for other in held
            if is_domain(other)
            and other.customer_id == service.customer_id
            and (other.domain or "").lower() == name.lower()
            and other.auto_renew
            and not other.ended
        ),
        None,
    )


def set_auto_renew(
    service: Service, actor: Actor, at: datetime, enabled: bool, *, reason: str = ""
) -> Outcome:
    """Turn ``service``'s auto-renew on (``enabled``) or off (an edit, in its history).

    Off, the scheduler ends the service at the end of its term instead of
    invoicing the next one; on again, it renews.

    Raises:
        ValidationError: ``enabled`` is not a bool.
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform` (edit).
    """
    if not isinstance(enabled, bool):
        raise ValidationError(f"auto-renew {enabled!r} must be True or False")
    details = f"auto-renew {'on' if enabled else 'off'}"
    done = service.perform(
        Operation.EDIT, actor, at, reason, details=details, _also={"auto_renew": enabled}
    )
    return Outcome(done)
