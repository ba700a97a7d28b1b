"""Use cases: the lifecycle's operations carried out over a store, all or nothing.

:class:`Billing` ties a :class:`~prodlife.ports.Store` to the host's clock,
provisioning module and notifier. Each use case runs in one transaction: it
loads what it needs, calls the pure domain, saves the changed services with a
version check, appends the invoice lines and the events, and commits. Either
all of it is kept or none of it is. Events go to the notifier only after the
commit; they wait in the store's outbox until then, so none is lost when the
notifier is down (call :meth:`Billing.publish_pending` to retry).

>>> from datetime import UTC, date, datetime
>>> from prodlife import FixedClock, Money, MONTHLY, Service, ACTIVE, Actor, reboot
>>> from prodlife.pricing.recurring import RecurringPrice
>>> from prodlife.stores import open_store
>>> billing = Billing(open_store("memory:"), clock=FixedClock(datetime(2025, 4, 20, tzinfo=UTC)))
>>> billing.add_services([Service(
...     id="S-1", customer_id="C-1", product_code="WEB", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 4, 1), next_due=date(2025, 5, 1), paid_through=date(2025, 4, 30),
...     status=ACTIVE)])
>>> done = billing.perform(reboot, "S-1", Actor.customer("C-1"))
>>> billing.service("S-1", Actor.customer("C-1")).version
1
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Concatenate, ParamSpec

import attrs
from dateutil.relativedelta import relativedelta

from prodlife.catalog.catalog import Catalog, CatalogVersion, ProductQuery
from prodlife.catalog.products import Product
from prodlife.clock import Clock
from prodlife.cycles import BillingCycle
from prodlife.errors import NotFound, ProdlifeError, ValidationError
from prodlife.lifecycle.actors import Actor, ActorKind, not_yours
from prodlife.lifecycle.changes import apply_pending_change, change_package, confirm_change_payment
from prodlife.lifecycle.invoicing import first_invoice_lines
from prodlife.lifecycle.mass_update import MassUpdate, mass_update
from prodlife.lifecycle.orders import Order, OrderQuote, price_order, services_for
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.scheduler import SchedulerPolicy, next_work_date, run_service
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money
from prodlife.periods import billing_date
from prodlife.ports import Notifier, ProductRevenue, ServiceQuery, Store, UnitOfWork
from prodlife.pricing.quote import PricingContext
from prodlife.proration import ChangePolicy

__all__ = ["Billing", "PublishFailed", "SchedulerReport"]

P = ParamSpec("P")

#: The time zone whose calendar runs furthest ahead (UTC+14): no service's
#: billing date is later than this zone's.
_EARLIEST_ZONE = "Pacific/Kiritimati"


class PublishFailed(ProdlifeError):
    """The change was committed, but the notifier refused its events.

    Nothing is lost: the events wait in the store's outbox; call
    :meth:`Billing.publish_pending` once the notifier works again.

    Attributes:
        outcome: what the use case did (committed).
    """

    def __init__(self, outcome: object, error: BaseException) -> None:
        self.outcome = outcome
        super().__init__(
            f"the change was saved but its events could not be published ({error!r}); they "
            "wait in the store's outbox: call Billing.publish_pending() to send them again"
        )


@attrs.frozen(slots=True)
class SchedulerReport:
    """What :meth:`Billing.run_due` did.

    Attributes:
        handled: the ids of the services whose due work was carried out, in order.
        not_due: how many claimed services had nothing due yet in their own time zone.
        failed: ``(service id, error)`` for each service whose work raised; it
            is left as it was and retried by the next run.
    """

    handled: tuple[str, ...] = ()
    not_due: int = 0
    failed: tuple[tuple[str, str], ...] = ()


@functools.cache
def _takes_module(operation: Callable[..., Outcome]) -> bool:
    return "module" in inspect.signature(operation).parameters


class Billing:
    """The use cases of prodlife over one store.

    Args:
        store: where everything is kept (see :func:`prodlife.stores.open_store`).
        clock: where "now" comes from (:class:`~prodlife.FixedClock` in tests).
        notifier: receives the events of each committed change; ``None`` keeps
            them in the outbox.
        module: the host's provisioning module, passed to every operation that
            takes one.
        policy: the scheduler's automation settings.
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        notifier: Notifier | None = None,
        module: ProvisioningModule | None = None,
        policy: SchedulerPolicy | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.notifier = notifier
        self.module = module
        self.policy = SchedulerPolicy() if policy is None else policy

    # --- reading ------------------------------------------------------------------------------

    def service(self, service_id: str, actor: Actor) -> Service:
        """The stored service, as ``actor`` may see it.

        Raises:
            NotFound: no such service (staff and system).
            PermissionDenied: a customer asking for a service that is not
                theirs, deleted or missing (the same refusal for all three).
        """
        with self.store.transaction(readonly=True) as uow:
            return self._load(uow, service_id, actor, Operation.EDIT)

    def services(self, query: ServiceQuery) -> list[Service]:
        """The services matching ``query`` (seed 003's list of services), ordered by id."""
        with self.store.transaction(readonly=True) as uow:
            return uow.services.find(query)

    def revenue_by_product(self, months: int = 12) -> list[ProductRevenue]:
        """What each product brought in over the last ``months`` months (seed 004).

        Sums the invoice lines issued over the ``months`` months up to today
        (UTC days: from the start of the same day ``months`` months ago to the
        end of today), per product and currency; credits and refunds count
        negative.
        """
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise ValidationError(f"months {months!r} must be a whole number >= 1")
        end = datetime.combine(self.clock.now().date() + timedelta(days=1), time(), UTC)
        start = end - timedelta(days=1) - relativedelta(months=months)
        with self.store.transaction(readonly=True) as uow:
            return uow.invoice_lines.revenue_by_product(start, end)

    def products(self, query: ProductQuery, day: date | None = None) -> tuple[Product, ...]:
        """The products of the catalog in force on ``day`` matching ``query`` (seed 003's list).

        Raises:
            NotFound: as :meth:`catalog`.
        """
        return self.catalog(day).catalog.find_products(query)

    def catalog(self, day: date | None = None) -> CatalogVersion:
        """The catalog version in force on ``day`` (today in UTC by default).

        Raises:
            NotFound: no catalog version is stored, or none is in force yet.
        """
        when = self.clock.now().date() if day is None else day
        with self.store.transaction(readonly=True) as uow:
            return uow.catalog.versions().in_force(when)

    # --- writing ------------------------------------------------------------------------------

    def add_catalog_version(self, version: CatalogVersion) -> None:
        """Store a new catalog version. Raises ``AlreadyExists`` for a name taken."""
        with self.store.transaction() as uow:
            uow.catalog.add_version(version)
            uow.commit()

    def add_services(self, services: Iterable[Service]) -> None:
        """Store services made elsewhere (an import, a migration), all or none.

        Raises:
            AlreadyExists: an id is taken (nothing is stored).
        """
        with self.store.transaction() as uow:
            for service in services:
                uow.services.add(service, due_on=next_work_date(service, self.policy))
            uow.commit()

    def perform(
        self,
        operation: Callable[Concatenate[Service, Actor, datetime, P], Outcome],
        service_id: str,
        actor: Actor,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Outcome:
        """Carry out a lifecycle ``operation`` on a stored service, all or nothing.

        ``operation`` is any function of :mod:`prodlife.lifecycle` taking the
        service, the actor and the instant first (``suspend``, ``renew``,
        ``cancel``, ``request_cancellation``, ``transfer``...); ``args`` and
        ``kwargs`` are its other arguments. The instant is the clock's now, and
        the host's module is passed to operations that take one (unless given).

        Returns:
            The operation's outcome, saved and committed.

        Raises:
            NotFound, PermissionDenied: as :meth:`service`.
            ConcurrencyConflict: another writer changed the service meanwhile
                (nothing is saved; run it again).
            PublishFailed: saved, but the notifier failed.
            ProdlifeError: whatever the operation raises (nothing is saved).
        """
        if self.module is not None and "module" not in kwargs and _takes_module(operation):
            kwargs["module"] = self.module

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            return operation(service, actor, at, *args, **kwargs)

        return self._on_service(service_id, actor, run)

    def change_package(
        self,
        service_id: str,
        actor: Actor,
        *,
        new_price: Money,
        to_product: str | None = None,
        to_edition: str | None = None,
        to_cycle: BillingCycle | None = None,
        policy: ChangePolicy | None = None,
        override: bool = False,
        reason: str = "",
    ) -> Outcome:
        """:func:`~prodlife.lifecycle.change_package` with the catalog version in force today.

        Raises:
            NotFound: no catalog version is in force on the service's billing
                date; otherwise as :func:`~prodlife.lifecycle.change_package`
                and :meth:`perform`.
        """

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            catalog = self._catalog(uow, billing_date(at, service.time_zone))
            return change_package(
                service,
                actor,
                at,
                catalog=catalog,
                new_price=new_price,
                to_product=to_product,
                to_edition=to_edition,
                to_cycle=to_cycle,
                policy=policy,
                module=self.module,
                override=override,
                reason=reason,
            )

        return self._on_service(service_id, actor, run)

    def confirm_change_payment(self, service_id: str) -> Outcome:
        """The invoice of a change waiting for payment was paid: carry the change out."""
        return self._on_service(
            service_id,
            Actor.system(),
            lambda service, at, uow: confirm_change_payment(service, at, module=self.module),
        )

    def apply_pending_change(self, service_id: str) -> Outcome:
        """Carry out a due end-of-term change now (the scheduler does it on its own)."""
        return self._on_service(
            service_id,
            Actor.system(),
            lambda service, at, uow: apply_pending_change(service, at, module=self.module),
        )

    def mass_update(self, service_ids: Sequence[str], actor: Actor, update: MassUpdate) -> Outcome:
        """Apply ``update`` to several services: all of them, or none (seed 003).

        Returns:
            One outcome: no service (``service`` is the last one changed), the
            events and prorata lines of all of them.
        """
        at = self.clock.now()
        with self.store.transaction() as uow:
            loaded = [self._load(uow, key, actor, Operation.EDIT) for key in service_ids]
            outcomes = mass_update(loaded, actor, at, update)
            for before, outcome in zip(loaded, outcomes, strict=True):
                self._keep(uow, before.version, outcome, at)
            uow.commit()
        merged = Outcome(
            outcomes[-1].service,
            tuple(e for o in outcomes for e in o.events),
            tuple(line for o in outcomes for line in o.lines),
        )
        return self._published(merged)

    def place_order(
        self,
        order: Order,
        context: PricingContext,
        actor: Actor,
        *,
        first_id: int = 1,
        id_prefix: str = "S-",
        zone: str = "UTC",
    ) -> tuple[OrderQuote, tuple[Service, ...]]:
        """Price and store ``order`` and the pending services it creates, all or nothing.

        A line of quantity N creates N services. When the order's options ask
        for an invoice, each service's first-period lines are issued. Promo
        codes used are counted for their limits.

        Raises:
            PermissionDenied: a customer ordering for another customer.
            AlreadyExists: the order id or a service id is taken (nothing is
                stored); otherwise whatever :func:`~prodlife.lifecycle.price_order`
                or :func:`~prodlife.lifecycle.services_for` refuses.
        """
        if actor.kind is ActorKind.CUSTOMER and actor.customer_id != order.customer_id:
            raise not_yours(actor, Operation.CHECKOUT)
        quote = price_order(order, context)
        services = services_for(order, quote, first_id=first_id, id_prefix=id_prefix, zone=zone)
        at = self.clock.now()
        with self.store.transaction() as uow:
            uow.orders.add(order)
            codes = {order.spec_for(line).promo_code for line in order.lines} - {None}
            for code in sorted(c for c in codes if c is not None):
                uow.promotions.record_use(code, order.customer_id, order.id)
            made = iter(services)
            for line, priced in zip(order.lines, quote.lines, strict=True):
                for _ in range(line.services):
                    service = next(made)
                    uow.services.add(service, due_on=next_work_date(service, self.policy))
                    lines = first_invoice_lines(service, priced.quote)
                    if order.options.generate_invoice and lines:
                        uow.invoice_lines.add(
                            lines, product_code=service.product_code, issued_at=at
                        )
            uow.commit()
        return quote, services

    def run_due(
        self,
        *,
        worker: str = "scheduler",
        batch: int = 500,
        lease: timedelta = timedelta(minutes=10),
    ) -> SchedulerReport:
        """Carry out everything due now, in batches claimed for ``worker``.

        Several workers (threads, processes or machines) may run this at once
        on one store: each claims its own batches, so no service is handled
        twice, and a worker that dies leaves its claims to expire after
        ``lease`` for another to pick up. A batch is read, worked out of any
        transaction, and saved in one transaction (with version checks); when
        that fails, its services are redone one per transaction, so a failure
        never holds back the others.
        """
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValidationError(f"batch {batch!r} must be a whole number >= 1")
        now = self.clock.now()
        latest = billing_date(now, _EARLIEST_ZONE)
        handled: list[str] = []
        failed: list[tuple[str, str]] = []
        idle: list[str] = []
        while True:
            with self.store.transaction() as uow:
                ids = uow.scheduler.claim_due(
                    latest, worker=worker, now=now, lease=lease, limit=batch
                )
                uow.commit()
            if not ids:
                break
            # Read, then work outside any transaction, then write in one short transaction:
            # workers sharing a store only wait for each other's writes.
            with self.store.transaction(readonly=True) as uow:
                loaded = uow.services.get_many(ids)
            outcomes: list[tuple[Service, Outcome]] = []
            for service in loaded:
                try:
                    outcome = self._due_work(service, now)
                except ProdlifeError as error:
                    failed.append((service.id, str(error)))
                    continue
                if outcome is None:
                    idle.append(service.id)
                else:
                    outcomes.append((service, outcome))
            try:
                with self.store.transaction() as uow:
                    for before, outcome in outcomes:
                        self._keep(uow, before.version, outcome, now)
                    uow.commit()
                handled += [before.id for before, _ in outcomes]
            except ProdlifeError:
                # Someone changed one of them meanwhile, or a write failed: one at a time.
                for before, _ in outcomes:
                    try:
                        if self._run_one(before.id, now):
                            handled.append(before.id)
                        else:
                            idle.append(before.id)
                    except ProdlifeError as error:
                        failed.append((before.id, str(error)))
        if idle or failed:
            with self.store.transaction() as uow:
                uow.scheduler.release(idle + [key for key, _ in failed], worker=worker)
                uow.commit()
        self.publish_pending()
        return SchedulerReport(tuple(handled), len(idle), tuple(failed))

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

    # --- plumbing -----------------------------------------------------------------------------

    def _load(
        self, uow: UnitOfWork, service_id: str, actor: Actor, operation: Operation
    ) -> Service:
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

    def _keep(self, uow: UnitOfWork, version: int, outcome: Outcome, at: datetime) -> None:
        service = outcome.service
        uow.services.save(
            service, expected_version=version, due_on=next_work_date(service, self.policy)
        )
        if outcome.lines:
            uow.invoice_lines.add(outcome.lines, product_code=service.product_code, issued_at=at)
        if outcome.events:
            uow.events.add(outcome.events)

    def _on_service(
        self,
        service_id: str,
        actor: Actor,
        run: Callable[[Service, datetime, UnitOfWork], Outcome],
    ) -> Outcome:
        at = self.clock.now()
        with self.store.transaction() as uow:
            service = self._load(uow, service_id, actor, Operation.EDIT)
            outcome = run(service, at, uow)
            self._keep(uow, service.version, outcome, at)
            uow.commit()
        return self._published(outcome)

    def _due_work(self, service: Service, now: datetime) -> Outcome | None:
        day = billing_date(now, service.time_zone)
        return run_service(service, now, self.policy, today=day)

    def _run_one(self, service_id: str, now: datetime) -> bool:
        """Do one service's due work in its own transaction; whether there was any."""
        with self.store.transaction() as uow:
            service = uow.services.get(service_id)
            outcome = self._due_work(service, now)
            if outcome is None:
                return False
            self._keep(uow, service.version, outcome, now)
            uow.commit()
        return True

    def _published(self, outcome: Outcome) -> Outcome:
        try:
            self.publish_pending()
        except Exception as error:
            raise PublishFailed(outcome, error) from error
        return outcome
