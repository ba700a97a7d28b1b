# Over 400 lines: the plumbing every use case builds on (the constructor, loading,
# keeping a batch of outcomes, settling, publishing) is one job; each use case's module
# stays small because it is here.
"""The plumbing every use case of :class:`~prodlife.app.Billing` shares.

The constructor, the clock's now, a service loaded as an actor may see it, the
catalog and product rules in force, outcomes saved over the version loaded, one
operation run over a stored service, and the outbox published
(:class:`~prodlife.app.PublishFailed` when the notifier refuses). The use cases
themselves live beside it: :mod:`~prodlife.app.reading`, :mod:`~prodlife.app.ordering`,
:mod:`~prodlife.app.changing` and :mod:`~prodlife.app.scheduling`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

import attrs

from prodlife.app._issuing import close_named, issue, journal, reckoned
from prodlife.app._rentals import follow_services
from prodlife.billing.invoices import Invoice, InvoicePolicy
from prodlife.catalog.catalog import Catalog
from prodlife.clock import Clock, as_utc
from prodlife.errors import ConcurrencyConflict, NotFound, ProdlifeError
from prodlife.lifecycle.actors import Actor, ActorKind, check_actor_type, not_yours
from prodlife.lifecycle.bundled import follow_status
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.issuing import owing, plan
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.product_operations import OperationRegistry
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.provisioning_providers import check_modules, module_for
from prodlife.lifecycle.scheduler import SchedulerPolicy, next_work_date
from prodlife.lifecycle.selling import ProductRules, product_rules
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.settlement import settle_service
from prodlife.lifecycle.transitions import Operation
from prodlife.periods import billing_date
from prodlife.ports import InvoiceQuery, Notifier, ServiceQuery, Store, UnitOfWork

#: Where the use cases log (``prodlife.app``); prodlife configures no handler: the host does.
log = logging.getLogger("prodlife.app")


R = TypeVar("R")

#: How many rounds of settlement a payment may set off (settling a service may issue
#: lines, paid at once by credit, which settle again); far more than any real case.
_MAX_SETTLEMENT_ROUNDS = 8
#: How many times a settlement is tried when another writer keeps changing its service.
_MAX_SETTLEMENT_ATTEMPTS = 5


class PublishFailed(ProdlifeError):
    """The change was committed, but the notifier refused its events.

    Nothing is lost: the events wait in the store's outbox; call
    :meth:`Billing.publish_pending` once the notifier works again.

    Attributes:
        outcome: what the use case returned (an :class:`~prodlife.lifecycle.Outcome`,
            or the :class:`SchedulerReport` of a run), all of it committed.
    """

    def __init__(self, outcome: object, error: BaseException) -> None:
        self.outcome = outcome
        super().__init__(
            f"the change was saved but its events could not be published ({error!r}); they "
            "wait in the store's outbox: call Billing.publish_pending() to send them again"
        )


@attrs.frozen(slots=True)
class Kept:
    """What :meth:`BillingBase._keep_all` saved: the invoices it paid on issue (their
    services to be settled once committed) and the outcomes with their services as saved."""

    paid: tuple[Invoice, ...]
    outcomes: tuple[Outcome, ...]


class BillingBase:
    """The state of :class:`~prodlife.app.Billing` and the plumbing its use cases share."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        notifier: Notifier | None = None,
        module: ProvisioningModule | None = None,
        policy: SchedulerPolicy | None = None,
        invoicing: InvoicePolicy | None = None,
        operations: OperationRegistry | None = None,
        modules: Mapping[str, ProvisioningModule] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.notifier = notifier
        self.module = module
        self.modules = check_modules(modules)
        self.policy = SchedulerPolicy() if policy is None else policy
        self.invoicing = InvoicePolicy() if invoicing is None else invoicing
        self.operations = OperationRegistry() if operations is None else operations

    def publish_pending(self, limit: int | None = None) -> int:
        """Hand the outbox's unpublished events to the notifier; return how many.

        Delivery is at least once: an event is marked published only after the
        notifier returned, so a crash in between publishes it again.

        Raises:
            Exception: whatever the notifier raises (the events stay unpublished).
        """
        if self.notifier is None:
            return 0
        with self.store.transaction(readonly=True) as uow:
            waiting = uow.events.unpublished(limit)
        if not waiting:
            return 0
        self.notifier.publish(waiting)
        with self.store.transaction() as uow:
            uow.events.mark_published([item.sequence for item in waiting])
            uow.commit()
        return len(waiting)

    def _now(self) -> datetime:
        return as_utc(self.clock.now())

    def _load(
        self, uow: UnitOfWork, service_id: str, actor: Actor, operation: Operation | None
    ) -> Service:
        """The stored service; a customer's refusal names ``operation`` (``None``: a read)."""
        check_actor_type(actor)
        try:
            service = uow.services.get(service_id)
        except NotFound:
            if actor.kind is ActorKind.CUSTOMER:
                raise not_yours(actor, operation) from None
            raise
        if actor.kind is ActorKind.CUSTOMER and (
            service.customer_id != actor.customer_id or not service.visible_to_customer
        ):
            raise not_yours(actor, operation)
        return service

    def _catalog(self, uow: UnitOfWork, day: date) -> Catalog:
        return uow.catalog.versions().in_force(day).catalog

    @property
    def _provisions(self) -> bool:
        """Whether the host gave any provisioning module."""
        return self.module is not None or bool(self.modules)

    def _module_in(self, catalog: Catalog | None, product_code: str) -> ProvisioningModule | None:
        """The module that provisions a service of ``product_code`` under ``catalog``: none
        for a type that is not provisionable, else the module of the provider that knows
        the product (:func:`~prodlife.lifecycle.provisioning_providers.module_for`), else
        the host's one module."""
        if not self._provisions or not product_rules(catalog, product_code).provisionable:
            return None
        try:
            product = None if catalog is None else catalog.product(product_code)
        except NotFound:
            product = None
        return module_for(product, self.modules, self.module)

    def _module_for(
        self, uow: UnitOfWork, service: Service, at: datetime
    ) -> ProvisioningModule | None:
        """The module for ``service`` under the catalog in force on its billing date."""
        try:
            catalog = self._catalog(uow, billing_date(at, service.time_zone))
        except NotFound:  # no catalog at all: the cautious defaults
            catalog = None
        return self._module_in(catalog, service.product_code)

    def _rules(self, uow: UnitOfWork, service: Service, at: datetime) -> ProductRules:
        """The product rules of ``service`` in the catalog in force on its billing date."""
        try:
            catalog = self._catalog(uow, billing_date(at, service.time_zone))
        except NotFound:  # no catalog at all: the cautious defaults
            return product_rules(None, service.product_code)
        return product_rules(catalog, service.product_code)

    def _keep(self, uow: UnitOfWork, version: int, outcome: Outcome, at: datetime) -> Kept:
        return self._keep_all(uow, [(version, outcome)], at)

    def _keep_all(
        self,
        uow: UnitOfWork,
        outcomes: Sequence[tuple[int, Outcome]],
        at: datetime,
        *,
        worker: str | None = None,
    ) -> Kept:
        """Issue the outcomes' lines on invoices, close the invoices a cancellation
        request names, save each outcome's service (owing its new unpaid invoices) over
        the version loaded, move the goods of a service transferred or ended, append the
        lines to the journal and add the events. A bundle whose status changed takes its
        components with it (:meth:`_with_components`)."""
        outcomes = self._with_components(uow, outcomes, at)
        events = [e for _, outcome in outcomes for e in outcome.events]
        billed = [(o.service, o.lines) for _, o in outcomes]
        planned = plan(billed, at, self.invoicing)
        closed = close_named(uow, events) if events else set()
        # The services first: until the first statement, their writes are deferred and
        # then run together (stores/sql/deferred.py).
        services: list[Service] = []
        for version, outcome in outcomes:
            service = outcome.service
            if service.id in closed:  # what it owes now, then what it is billed here
                service = reckoned(uow, service)
            service = owing(service, planned.owed.get(service.id))
            uow.services.save(
                service,
                expected_version=version,
                due_on=next_work_date(service, self.policy),
                worker=worker,
            )
            services.append(service)
        issued = issue(uow, planned, at)
        by_service: dict[str, list[Event]] = {}
        for item in issued.events(at):
            by_service.setdefault(item.service_id, []).append(item)
        saved: list[Outcome] = []
        for (_, outcome), service in zip(outcomes, services, strict=True):
            mine = tuple(by_service.pop(service.id, ()))
            if service is not outcome.service or mine:
                outcome = attrs.evolve(outcome, service=service, events=outcome.events + mine)
            saved.append(outcome)
        follow_services(uow, saved, at)  # goods follow a service transferred, come back at its end
        journal(uow, billed, at)
        events = [e for outcome in saved for e in outcome.events]
        if events:
            uow.events.add(events)
        return Kept(issued.paid, tuple(saved))

    def _with_components(
        self, uow: UnitOfWork, outcomes: Sequence[tuple[int, Outcome]], at: datetime
    ) -> list[tuple[int, Outcome]]:
        """``outcomes`` with the components of each bundle whose status they changed
        taken to where it went (:func:`~prodlife.lifecycle.bundled.follow_status`): a
        component among the outcomes follows from its outcome, another from the store.

        Only a changed status costs a look at the store: for the bundle's components.
        """
        result = list(outcomes)
        index = {o.service.id: i for i, (_, o) in enumerate(result)}
        for version, outcome in outcomes:
            after = outcome.service
            history = after.history
            new = history.entries[max(version - history.earlier, 0) :]
            if after.bundle_id is not None or not new or new[0].before == after.status:
                continue
            held = uow.services.find(ServiceQuery(bundle_id=after.id))
            for stored in held:
                at_index = index.get(stored.id)
                current = stored if at_index is None else result[at_index][1].service
                step = follow_status(
                    current,
                    new[0].before,
                    after,
                    at,
                    module=self._module_for(uow, current, at),
                )
                if step is None:
                    continue
                if at_index is None:
                    index[stored.id] = len(result)
                    result.append((stored.version, step))
                else:
                    kept_version, earlier = result[at_index]
                    result[at_index] = (kept_version, earlier.then(step))
        return result

    def _settle(self, paid: Sequence[Invoice]) -> list[Outcome]:
        """Settle the services of invoices just paid, each in its own transactions
        (:func:`~prodlife.lifecycle.settlement.settle_service`), until no more
        invoices are paid by it.

        Idempotent: a service already settled is left as it is, so running it
        again after a crash completes what was interrupted.
        """
        done: list[Outcome] = []
        waiting = list(paid)
        for _ in range(_MAX_SETTLEMENT_ROUNDS):
            if not waiting:
                break
            by_service: dict[str, list[Invoice]] = {}
            for invoice in waiting:
                for service_id in invoice.service_ids:
                    by_service.setdefault(service_id, []).append(invoice)
            waiting = []
            for service_id, invoices in sorted(by_service.items()):
                outcome, more = self._settle_one(service_id, invoices)
                if outcome is not None:
                    done.append(outcome)
                waiting += more
        return done

    def _settle_one(
        self, service_id: str, paid: Sequence[Invoice]
    ) -> tuple[Outcome | None, list[Invoice]]:
        """Settle one service; when another writer changes it meanwhile (the scheduler
        suspending it, staff editing it), settle what is stored then."""
        for _ in range(_MAX_SETTLEMENT_ATTEMPTS - 1):
            try:
                return self._settle_once(service_id, paid)
            except ConcurrencyConflict:
                log.info("settling %s: changed meanwhile, settling again", service_id)
        return self._settle_once(service_id, paid)

    def _settle_once(
        self, service_id: str, paid: Sequence[Invoice]
    ) -> tuple[Outcome | None, list[Invoice]]:
        at = self._now()
        with self.store.transaction(readonly=True) as uow:
            try:
                service = uow.services.get(service_id)
            except NotFound:  # a line of a service the host removed: nothing to settle
                return None, []
            unpaid = uow.invoices.find(InvoiceQuery(service_id=service_id, unpaid=True))
            module = self._module_for(uow, service, at)
        # The module runs out of any transaction; the save checks nobody changed the service.
        invoicing = service.invoicing
        outcome = settle_service(
            service,
            paid,
            unpaid,
            at,
            activate_on_payment=invoicing is not None and invoicing.activate_on_payment,
            module=module,
        )
        if outcome is None:
            return None, []
        with self.store.transaction() as uow:
            kept = self._keep(uow, service.version, outcome, at)
            uow.commit()
        log.info("settled %s: %s", service_id, outcome.summary())
        return kept.outcomes[0], list(kept.paid)

    def _on_service(
        self,
        service_id: str,
        actor: Actor,
        run: Callable[[Service, datetime, UnitOfWork], Outcome],
        name: str = "",
        more: Callable[[Service, Outcome, datetime, UnitOfWork], list[tuple[int, Outcome]]]
        | None = None,
    ) -> Outcome:
        """Run ``run`` on a stored service and save its outcome, with the outcomes of
        ``more`` (other services it changes with it: a bundle's components, each with the
        version it was loaded at) in the same transaction."""
        at = self._now()
        # The operation (and the host's module) runs in a read-only transaction, so other
        # writers never wait for it; the save checks that nobody changed the service meanwhile.
        with self.store.transaction(readonly=True) as uow:
            service = self._load(uow, service_id, actor, Operation.EDIT)
            outcome = run(service, at, uow)
            others = [] if more is None else more(service, outcome, at, uow)
        with self.store.transaction() as uow:
            kept = self._keep_all(uow, [(service.version, outcome), *others], at)
            uow.commit()
        log.info("%s of %s by %s: %s", name or "operation", service_id, actor, outcome.summary())
        self._settle(kept.paid)
        own = kept.outcomes[0]
        if len(kept.outcomes) == 1:
            return self._published_own(own)
        events = tuple(e for o in kept.outcomes for e in o.events)
        self._published_own(attrs.evolve(own, events=events))
        return own

    def _published(self, outcome: R) -> R:
        """Publish the outbox after a run; ``PublishFailed`` (with ``outcome``) if it fails."""
        try:
            self.publish_pending()
        except Exception as error:
            raise PublishFailed(outcome, error) from error
        return outcome

    def _published_own(self, outcome: Outcome) -> Outcome:
        """Publish the events ``outcome`` committed, and only those.

        The rest of the outbox (events a failed notifier left behind) is
        :meth:`publish_pending`'s: one event the notifier keeps refusing never
        blocks the events of later changes.
        """
        if self.notifier is None or not outcome.events:
            return outcome
        wanted = set(outcome.events)
        try:
            with self.store.transaction(readonly=True) as uow:
                mine = [
                    item
                    for service_id in dict.fromkeys(e.service_id for e in outcome.events)
                    for item in uow.events.for_service(service_id)
                    if not item.published and item.event in wanted
                ]
            if mine:
                self.notifier.publish(mine)
                with self.store.transaction() as uow:
                    uow.events.mark_published([item.sequence for item in mine])
                    uow.commit()
        except Exception as error:
            raise PublishFailed(outcome, error) from error
        return outcome
