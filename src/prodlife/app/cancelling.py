"""The use cases of :class:`~prodlife.app.Billing` about cancellation requests and domains.

Seed 003's cancellation flow: a customer (or staff) requests the cancellation of
a service with a reason, at once (the scheduler's next run) or at the end of the
period; when the customer holds the matching domain and it renews by itself,
the request may turn its auto-renew off too, in the same transaction
(:meth:`Cancelling.request_cancellation`; :meth:`Cancelling.renewing_domain`
says what it offers). Staff list the open requests with their reasons, oldest
first (:meth:`Cancelling.cancellation_requests`, "Clients > Cancellation
Requests"), from the stores' index of open requests, never by reading every
service. A customer's domains are services of their own
(:mod:`prodlife.lifecycle.domains`), listed as :class:`~prodlife.lifecycle.domains.DomainHolding`
(:meth:`Cancelling.domains`).
"""

from __future__ import annotations

from prodlife.app._base import BillingBase, log
from prodlife.app._performing import unpaid_of_its_own
from prodlife.errors import NotFound, ValidationError
from prodlife.lifecycle.actors import Action, Actor, ActorKind, authorize_action
from prodlife.lifecycle.cancellations import request_cancellation
from prodlife.lifecycle.domains import (
    DOMAIN_PRODUCT,
    DomainHolding,
    is_domain,
    renewing_domain,
    set_auto_renew,
)
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.service_parts import CancellationKind
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.transitions import Operation
from prodlife.ports import ServiceQuery, UnitOfWork

__all__ = ["Cancelling"]


def _renewing(uow: UnitOfWork, service: Service) -> Service | None:
    """The stored domain that cancelling ``service`` may stop renewing."""
    held = uow.services.find(
        ServiceQuery(customer_id=service.customer_id, product_code=DOMAIN_PRODUCT)
    )
    return renewing_domain(service, held)


class Cancelling(BillingBase):
    """Billing's use cases about cancellation requests and the domains customers hold."""

    def request_cancellation(
        self,
        service_id: str,
        actor: Actor,
        kind: CancellationKind,
        reason: str,
        *,
        renewals: int | None = None,
        stop_domain_renewal: bool = False,
    ) -> tuple[Outcome, ...]:
        """Request the cancellation of a stored service and, if asked, stop its domain renewing.

        As ``perform(request_cancellation, ...)``: an immediate request cancels
        (voids) the unpaid invoices that bill the service alone. With
        ``stop_domain_renewal``, the auto-renew of the domain
        :meth:`renewing_domain` finds is turned off in the same transaction
        (:func:`~prodlife.lifecycle.domains.set_auto_renew`): the scheduler
        ends it at the end of its term.

        Returns:
            The service's outcome, then the domain's when its renewal was stopped.

        Raises:
            ValidationError: ``stop_domain_renewal`` is not a bool.
            NotFound: no such service; with ``stop_domain_renewal``, no domain
                to stop (the customer holds none named like the service's, or it
                no longer renews).
            PermissionDenied, TransitionNotAllowed, RuleViolation: as
                :func:`~prodlife.lifecycle.request_cancellation` (one request at
                a time) and :func:`~prodlife.lifecycle.domains.set_auto_renew`;
                nothing is saved.
            ConcurrencyConflict: another writer changed one of them meanwhile.
        """
        if not isinstance(stop_domain_renewal, bool):
            raise ValidationError(f"stop_domain_renewal {stop_domain_renewal!r} must be a bool")
        at = self._now()
        with self.store.transaction() as uow:
            service = self._load(uow, service_id, actor, Operation.SCHEDULE_CANCELLATION)
            immediate = kind is CancellationKind.IMMEDIATE
            unpaid = unpaid_of_its_own(uow, service.id) if immediate else []
            asked = request_cancellation(
                service, actor, at, kind, reason, renewals=renewals, unpaid_invoices=unpaid
            )
            outcomes = [(service.version, asked)]
            if stop_domain_renewal:
                domain = _renewing(uow, service)
                if domain is None:
                    raise NotFound(
                        "renewing domain of service",
                        service_id,
                        f"customer {service.customer_id} holds no live domain "
                        f"{service.domain or '(the service names none)'} that renews by itself; "
                        "leave stop_domain_renewal out",
                    )
                why = f"with the cancellation of {service.id}"
                stopped = set_auto_renew(domain, actor, at, False, reason=why)
                outcomes.append((domain.version, stopped))
            kept = self._keep_all(uow, outcomes, at)
            uow.commit()
        log.info("cancellation of %s requested by %s (%s)", service_id, actor, kind)
        self._settle(kept.paid)
        return tuple(self._published_own(outcome) for outcome in kept.outcomes)

    def renewing_domain(self, service_id: str, actor: Actor) -> DomainHolding | None:
        """The domain that requesting the cancellation of a service offers to stop renewing.

        The customer's live domain named like the service's ``domain`` whose
        auto-renew is on (seed 003), or ``None``.

        Raises:
            NotFound, PermissionDenied: as :meth:`service`.
        """
        with self.store.transaction(readonly=True) as uow:
            service = self._load(uow, service_id, actor, None)
            domain = _renewing(uow, service)
        return None if domain is None else DomainHolding.of(domain)

    def domains(self, customer_id: str, actor: Actor) -> list[DomainHolding]:
        """The domains ``customer_id`` holds (seed 003), by name: TLD, registration and
        expiry dates, auto-renew and status (a customer does not see deleted ones).

        Raises:
            PermissionDenied: staff without ``customer products: view``, or a
                customer asking for another customer's.
        """
        authorize_action(actor, Action.VIEW, owner_customer_id=customer_id)
        query = ServiceQuery(customer_id=customer_id, product_code=DOMAIN_PRODUCT)
        with self.store.transaction(readonly=True) as uow:
            held = uow.services.find(query)
        customer = actor.kind is ActorKind.CUSTOMER
        shown = [s for s in held if is_domain(s) and (s.visible_to_customer or not customer)]
        return sorted((DomainHolding.of(s) for s in shown), key=lambda d: (d.name, d.service_id))

    def cancellation_requests(
        self, actor: Actor, *, customer_id: str | None = None
    ) -> list[Service]:
        """The open cancellation requests (seed 003's "Clients > Cancellation Requests"):
        the services whose cancellation is requested and not yet carried out, oldest
        request first (then by id), each with its request (kind, reason, when).

        Read from the stores' index of open requests
        (``ServiceQuery(cancellation_pending=True)``): the list costs what it
        holds, whatever the number of services.

        Args:
            customer_id: only this customer's requests.

        Raises:
            PermissionDenied: staff without ``customer products: view``, or a
                customer asking for anyone's but their own (``customer_id``).
        """
        authorize_action(actor, Action.VIEW, owner_customer_id=customer_id)
        query = ServiceQuery(customer_id=customer_id, cancellation_pending=True)
        with self.store.transaction(readonly=True) as uow:
            found = uow.services.find(query)
        requested = [(s.cancellation.requested_at, s.id, s) for s in found if s.cancellation]
        return [service for _, _, service in sorted(requested, key=lambda row: row[:2])]
