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

import inspect
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

import attrs
from dateutil.relativedelta import relativedelta

from prodlife.billing.lines import InvoiceLine
from prodlife.billing.prorata import Prorata
from prodlife.catalog.catalog import Catalog, CatalogVersion
from prodlife.catalog.data import check_new_version
from prodlife.catalog.products import Product
from prodlife.catalog.query import ProductQuery
from prodlife.catalog.records import stamp_products
from prodlife.catalog.subscriptions import BillingTermScheme, SubscriptionType
from prodlife.clock import Clock, as_utc
from prodlife.cycles import BillingCycle
from prodlife.errors import NotFound, ProdlifeError, ValidationError
from prodlife.lifecycle.abuse import enforce_abuse_limits
from prodlife.lifecycle.actors import (
    Action,
    Actor,
    ActorKind,
    authorize_action,
    may,
    not_yours,
)
from prodlife.lifecycle.adoption import AdoptionRow, adoption
from prodlife.lifecycle.cancellations import cancel
from prodlife.lifecycle.changes import (
    add_addon,
    apply_pending_change,
    change_options,
    change_package,
    confirm_change_payment,
)
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.fixed_terms import with_fixed_term
from prodlife.lifecycle.history import History
from prodlife.lifecycle.mass_update import MassUpdate, mass_update
from prodlife.lifecycle.orders import (
    Order,
    OrderQuote,
    first_invoice_day,
    price_order,
    services_for,
)
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.scheduler import SchedulerPolicy, next_work_date, run_service
from prodlife.lifecycle.selling import (
    ProductRules,
    addon_from_plan,
    check_order,
    holds_money,
    option_changes,
    package_price,
    product_rules,
)
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.terms import under_terms
from prodlife.lifecycle.timelines import billed
from prodlife.lifecycle.transitions import Operation
from prodlife.limits import MIN_YEAR
from prodlife.money import Money
from prodlife.periods import Period, billing_date
from prodlife.ports import Notifier, ProductRevenue, ServiceQuery, Store, UnitOfWork
from prodlife.pricing.options import ConfigurableOption
from prodlife.pricing.order_line import OptionPick
from prodlife.pricing.quote import PricingContext
from prodlife.pricing.redemption import PromotionUse, check_promotion, find_promotion
from prodlife.pricing.usage import UsageRecord
from prodlife.proration import ChangePolicy

__all__ = ["Billing", "PublishFailed", "SchedulerReport"]

#: Where the use cases log (``prodlife.app``); prodlife configures no handler: the host does.
log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

#: The time zone whose calendar runs furthest ahead (UTC+14): no service's
#: billing date is later than this zone's.
_EARLIEST_ZONE = "Pacific/Kiritimati"


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


def _parameters(operation: Callable[..., Outcome]) -> frozenset[str]:
    try:
        return frozenset(inspect.signature(operation).parameters)
    except (TypeError, ValueError):  # a callable without a signature takes nothing more
        return frozenset()


#: The longest lease a scheduler claim may take.
_MAX_LEASE = timedelta(days=1)


def _worker_name() -> str:
    """A name no other worker has: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _version_before(uow: UnitOfWork, day: date) -> Catalog:
    """The catalog of the last version stored that takes effect before ``day`` (or an empty one)."""
    try:
        versions = uow.catalog.versions().versions
    except NotFound:
        return Catalog()
    earlier = [v for v in versions if v.effective < day]
    return earlier[-1].catalog if earlier else Catalog()


def _with_fixed_terms(uow: UnitOfWork, services: tuple[Service, ...]) -> tuple[Service, ...]:
    """``services`` ending when their products' fixed terms say (none without a catalog)."""
    if not services:
        return services
    try:
        catalog = uow.catalog.versions().in_force(services[0].start).catalog
    except NotFound:
        return services
    found = []
    for service in services:
        try:
            days = catalog.product(service.product_code).fixed_term_days
        except NotFound:
            days = None
        found.append(service if days is None else with_fixed_term(service, days))
    return tuple(found)


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
        if actor.kind is not ActorKind.CUSTOMER:
            authorize_action(actor, Action.VIEW)
        with self.store.transaction(readonly=True) as uow:
            return self._load(uow, service_id, actor, None)

    def history(self, service_id: str, actor: Actor) -> History:
        """The service's whole history, oldest first (seed 002's History), as ``actor``
        may see it: who may see the service may see its history.

        A service read from the store holds none of its history entries (the
        store keeps them apart, so that a long life costs nothing to bill);
        this reads them all.

        Raises:
            NotFound, PermissionDenied: as :meth:`service`.
        """
        with self.store.transaction(readonly=True) as uow:
            self._load(uow, service_id, actor, Operation.EDIT)
            return uow.services.history(service_id)

    def services(self, query: ServiceQuery, actor: Actor | None = None) -> list[Service]:
        """The services matching ``query`` (seed 003's list of services), ordered by id.

        With a customer ``actor``, only their own services they may see (not
        deleted ones); a query for another customer's finds nothing. Staff
        need ``customer products: view``; without an actor, the host itself
        reads.

        Raises:
            PermissionDenied: staff without the permission to view.
        """
        if actor is not None and actor.kind is not ActorKind.CUSTOMER:
            authorize_action(actor, Action.VIEW)
        customer = None if actor is None or actor.kind is not ActorKind.CUSTOMER else actor
        if customer is not None:
            if query.customer_id not in (None, customer.customer_id):
                return []
            query = attrs.evolve(query, customer_id=customer.customer_id)
        with self.store.transaction(readonly=True) as uow:
            found = uow.services.find(query)
        return found if customer is None else [s for s in found if s.visible_to_customer]

    def revenue_by_product(self, months: int = 12) -> list[ProductRevenue]:
        """What each product brought in over the last ``months`` months (seed 004).

        Sums the invoice lines issued over the ``months`` months that end with
        today (UTC days: from the start of the day after the same day ``months``
        months ago to the end of today), per product and currency; credits and
        refunds count negative.
        """
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise ValidationError(f"months {months!r} must be a whole number >= 1")
        end = datetime.combine(self._now().date() + timedelta(days=1), time(), UTC)
        most = (end.year - MIN_YEAR) * 12 + end.month - 1  # back to January of MIN_YEAR
        if months > most:
            raise ValidationError(
                f"months {months} reaches back before {MIN_YEAR}, beyond "
                f"prodlife.limits.MIN_YEAR; ask for at most {most} months"
            )
        start = end - relativedelta(months=months)
        with self.store.transaction(readonly=True) as uow:
            return uow.invoice_lines.revenue_by_product(start, end)

    def adoption(
        self, segment_of: Callable[[str], str], start: date, end: date
    ) -> tuple[AdoptionRow, ...]:
        """Services and revenue by product, edition and the host's customer segment (seed 000).

        Counts every stored service and the lines issued for it on the billing
        dates ``[start, end)`` (:func:`~prodlife.lifecycle.adoption.adoption`).
        It reads each service's lines: an analytics query, not for a billing run.

        Raises:
            InvalidPeriod: ``end`` is not after ``start``.
            ValidationError: ``segment_of`` returns something other than text.
        """
        window = Period(start, end)
        with self.store.transaction(readonly=True) as uow:
            held = uow.services.find(ServiceQuery())
            issued = [
                (item.line, item.issued_at)
                for service in held
                for item in uow.invoice_lines.for_service(service.id)
            ]
        return adoption(held, issued, segment_of, window)

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
        when = self._now().date() if day is None else day
        with self.store.transaction(readonly=True) as uow:
            return uow.catalog.versions().in_force(when)

    # --- writing ------------------------------------------------------------------------------

    def add_catalog_version(self, version: CatalogVersion) -> None:
        """Store a new catalog version, checked as a catalog file and against the stored ones,
        its products stamped with the clock's now.

        Each product gets its created / last-modified instants against the
        version before this one (:func:`~prodlife.catalog.stamp_products`): new
        products are created now, changed ones modified now, unchanged ones
        keep their stamps.

        Raises:
            InvalidCatalog: a value a catalog file could not hold (a NaN, a bool
                for a number...), or a version with the name or effective date
                of a stored one (rules ``version.duplicate``, ``version.same-day``).
            AlreadyExists: the name is taken.
        """
        with self.store.transaction() as uow:
            try:
                existing = uow.catalog.versions().versions
            except NotFound:  # none stored yet
                existing = ()
            check_new_version(existing, version)
            previous = _version_before(uow, version.effective)
            stamped = stamp_products(version.catalog, previous, self._now())
            uow.catalog.add_version(attrs.evolve(version, catalog=stamped))
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
        ``kwargs`` are its other arguments. The instant is the clock's now.

        The catalog version in force on the service's billing date decides
        what the caller does not: the host's module is passed to operations
        that take one only when the product type is provisionable; the type's
        deletion rule is passed as ``customer_may_delete``; :func:`cancel`
        without a policy uses the catalog's cancellation default for the
        product. An argument holding money (a price, a ServiceAddOn or
        OptionChange with a price) is a price set by hand: only staff with
        ``prices: set`` give one, and a package change given a price is
        recorded as an override. Use :meth:`change_package` and
        :meth:`add_addon` to price from the plan.

        Returns:
            The operation's outcome, saved and committed.

        Raises:
            NotFound, PermissionDenied: as :meth:`service`; a price given by
                anyone but staff with ``prices: set``.
            ValidationError: ``customer_may_delete`` given (the product type
                decides it).
            ConcurrencyConflict: another writer changed the service meanwhile
                (nothing is saved; run it again).
            PublishFailed: saved, but the notifier failed.
            ProdlifeError: whatever the operation raises (nothing is saved).
        """
        params = _parameters(operation)
        if "customer_may_delete" in kwargs:
            raise ValidationError(
                "customer_may_delete comes from the catalog's product type; leave it out"
            )
        priced = holds_money(args) or holds_money(kwargs)
        if priced:
            authorize_action(actor, Action.SET_PRICES)
            if "override" in params:
                kwargs["override"] = True

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            rules = self._rules(uow, service, at)
            given: dict[str, Any] = dict(kwargs)
            if "module" in params and "module" not in given:
                given["module"] = self._module_for(uow, service, at)
            if "customer_may_delete" in params:
                given["customer_may_delete"] = rules.customer_may_delete
            if operation is cancel and given.get("policy") is None:
                given["policy"] = rules.cancellation
            return operation(service, actor, at, *args, **given)

        name = getattr(operation, "__name__", repr(operation))
        return self._on_service(service_id, actor, run, name)

    def change_package(
        self,
        service_id: str,
        actor: Actor,
        *,
        price_plan: str | None = None,
        new_price: Money | None = None,
        to_product: str | None = None,
        to_edition: str | None = None,
        to_cycle: BillingCycle | None = None,
        policy: ChangePolicy | None = None,
        reason: str = "",
    ) -> Outcome:
        """:func:`~prodlife.lifecycle.change_package` with the catalog version in force today.

        The new package must be offered by that catalog version on the
        service's billing date (an edition on its product's ladder). The new
        recurring price comes from the stored ``price_plan`` (the row for the
        new product, edition and cycle, for the service's quantity). Staff
        with ``prices: set`` may give ``new_price`` instead: an override,
        recorded in the history with ``reason``.

        Raises:
            PermissionDenied: ``new_price`` from anyone but staff with ``prices: set``.
            ValidationError: neither or both of ``price_plan`` and ``new_price``.
            NotFound: no catalog version is in force on the service's billing
                date, or the plan has no row for the new package; otherwise as
                :func:`~prodlife.lifecycle.change_package` and :meth:`perform`.
        """
        if (price_plan is None) == (new_price is None):
            raise ValidationError(
                "give the new price either as price_plan (the stored plan to price it from) "
                "or as new_price (staff only), not both or neither"
            )
        if new_price is not None:
            authorize_action(actor, Action.SET_PRICES)

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            day = billing_date(at, service.time_zone)
            catalog = self._catalog(uow, day)
            price = new_price
            if price is None:
                assert price_plan is not None
                product = to_product or service.product_code
                edition = to_edition
                if edition is None and product == service.product_code:
                    edition = service.edition
                price = package_price(
                    uow.price_plans.get(price_plan),
                    product,
                    edition,
                    to_cycle or service.cycle,
                    service.quantity,
                    day,
                )
            return change_package(
                service,
                actor,
                at,
                catalog=catalog,
                new_price=price,
                to_product=to_product,
                to_edition=to_edition,
                to_cycle=to_cycle,
                policy=policy,
                module=self._module_for(uow, service, at),
                override=new_price is not None,
                reason=reason,
            )

        return self._on_service(service_id, actor, run, "change_package")

    def add_addon(
        self,
        service_id: str,
        actor: Actor,
        code: str,
        *,
        price_plan: str,
        cycle: BillingCycle | None = None,
        reason: str = "",
    ) -> Outcome:
        """:func:`~prodlife.lifecycle.add_addon` as the catalog offers it, priced by the plan.

        The add-on must be one the catalog version in force offers for the
        service's product, within its ``max_per_base``; its price is the stored
        ``price_plan``'s row for it (on ``cycle``, or the plan's shortest one).

        Raises:
            RuleViolation: rules ``offer.unknown-addon``, ``addon.base``,
                ``addon.limit``, ``addon.customer``.
            NotFound: no catalog version in force, or no plan row for the add-on;
                otherwise as :func:`~prodlife.lifecycle.add_addon` and :meth:`perform`.
        """

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            day = billing_date(at, service.time_zone)
            plan = uow.price_plans.get(price_plan)
            addon = addon_from_plan(self._catalog(uow, day), plan, service, code, day, cycle=cycle)
            return add_addon(service, actor, at, addon, reason=reason)

        return self._on_service(service_id, actor, run)

    def confirm_change_payment(self, service_id: str) -> Outcome:
        """The invoice of a change waiting for payment was paid: carry the change out."""
        return self._on_service(
            service_id,
            Actor.system(),
            lambda service, at, uow: confirm_change_payment(
                service, at, module=self._module_for(uow, service, at)
            ),
        )

    def enforce_abuse_limits(self, service_id: str, records: Iterable[UsageRecord]) -> Outcome:
        """Suspend a stored service for abuse if its ``records`` reach a limit of its product.

        The limits are the catalog's in force on the service's billing date
        (:meth:`Catalog.abuse_limits_for <prodlife.catalog.Catalog.abuse_limits_for>`);
        the system acts, through the host's module. Nothing changes when no
        limit is reached or the service is not active
        (:func:`~prodlife.lifecycle.abuse.enforce_abuse_limits`).

        Raises:
            NotFound: no such service, or no catalog version in force.
            ConcurrencyConflict, PublishFailed: as :meth:`perform`.
        """
        given = tuple(records)
        system = Actor.system()

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            catalog = self._catalog(uow, billing_date(at, service.time_zone))
            limits = catalog.abuse_limits_for(service.product_code)
            return enforce_abuse_limits(service, system, at, limits, given, module=self.module)

        return self._on_service(service_id, system, run)

    def apply_pending_change(self, service_id: str) -> Outcome:
        """Carry out a due end-of-term change now (the scheduler does it on its own)."""
        return self._on_service(
            service_id,
            Actor.system(),
            lambda service, at, uow: apply_pending_change(
                service, at, module=self._module_for(uow, service, at)
            ),
        )

    def change_options(
        self,
        service_id: str,
        actor: Actor,
        picks: Sequence[OptionPick],
        *,
        options: Sequence[ConfigurableOption],
        policy: ChangePolicy | None = None,
        reason: str = "",
    ) -> Outcome:
        """:func:`~prodlife.lifecycle.change_options`, each choice priced from its definition.

        ``options`` are the provider's option definitions (the same the orders
        are priced with); the caller names choices, never prices.

        Raises:
            NotFound: an option or choice not defined, or not priced on the
                service's cycle.
            RuleViolation: an option that does not configure the product
                (rule ``option.product``); otherwise as
                :func:`~prodlife.lifecycle.change_options` and :meth:`perform`.
        """

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            changes = option_changes(service, picks, options)
            return change_options(service, actor, at, changes, policy=policy, reason=reason)

        return self._on_service(service_id, actor, run)

    def mass_update(
        self,
        service_ids: Sequence[str],
        actor: Actor,
        update: MassUpdate,
        *,
        price_plan: str | None = None,
    ) -> tuple[Outcome, ...]:
        """Apply ``update`` to several services: all of them, or none (seed 003).

        Staff only, each field with its permission
        (:data:`~prodlife.lifecycle.actors.FIELD_PERMISSIONS`). A new cycle
        is priced for each service from the stored ``price_plan`` (unless the
        update sets a price); a status change runs the host's module for each
        service whose product type is provisionable.

        Returns:
            Each service's outcome, in the order given: the service as saved,
            its events (a module's refusal is its event, not an error) and its
            prorata lines.

        Raises:
            PermissionDenied: a customer, the system, or staff missing a
                field's permission.
            RuleViolation: a new cycle without ``price_plan`` (rule
                ``mass-update.price``); otherwise as
                :func:`~prodlife.lifecycle.mass_update`.
        """
        at = self._now()
        with self.store.transaction() as uow:
            loaded = [self._load(uow, key, actor, Operation.EDIT) for key in service_ids]
            prices: dict[str, Money] = {}
            if update.cycle is not None and update.price is None and price_plan is not None:
                plan = uow.price_plans.get(price_plan)
                for s in loaded:
                    day = s.next_due or billing_date(at, s.time_zone)
                    prices[s.id] = package_price(
                        plan, s.product_code, s.edition, update.cycle, s.quantity, day
                    )
            modules = {
                s.id: self.module if self._rules(uow, s, at).provisionable else None for s in loaded
            }
            outcomes = mass_update(loaded, actor, at, update, prices=prices, modules=modules)
            versions = [before.version for before in loaded]
            self._keep_all(uow, list(zip(versions, outcomes, strict=True)), at)
            uow.commit()
        log.info("mass update of %d services by %s", len(loaded), actor)
        merged = Outcome(
            outcomes[-1].service,
            tuple(e for o in outcomes for e in o.events),
            tuple(line for o in outcomes for line in o.lines),
        )
        try:
            self._published_own(merged)
        except PublishFailed as failed:
            raise PublishFailed(outcomes, failed) from failed
        return outcomes

    def place_order(
        self,
        order: Order,
        context: PricingContext,
        actor: Actor,
        *,
        first_id: int = 1,
        id_prefix: str | None = None,
        zone: str = "UTC",
        scheme: BillingTermScheme | None = None,
        prorata: Prorata | None = None,
        subscription: SubscriptionType | None = None,
    ) -> tuple[OrderQuote, tuple[Service, ...]]:
        """Price and store ``order`` and the pending services it creates, all or nothing.

        A line of quantity N creates N services, with ids ``id_prefix`` (the
        order id and a dash by default) followed by ``first_id``, ``first_id + 1``...
        When the order's options ask for an invoice, each service is billed at
        once by the engine (its first period, setup fee, add-ons, domains, with
        the promotion, discounts and taxes of ``context``); otherwise the
        scheduler bills it when it runs. Each service keeps the policy's
        ``invoice_days_before`` on its timeline. Each promo code is checked against its limits with
        the uses stored (inside the transaction, so two orders cannot both take
        the last use) and counted once for the order. With a billing term
        ``scheme``, each service is made as its product's term says
        (:func:`~prodlife.lifecycle.terms.under_terms`). A service of a product
        with a fixed term in the catalog in force on its start ends that many
        days after it (:func:`~prodlife.lifecycle.fixed_terms.with_fixed_term`).
        With ``prorata``,
        month-based services are billed on its day of the month, their first
        invoice a stub to it (and the next whole period for an order after its
        ``charge_next_after`` day).

        The catalog version in force on the order's billing date must offer
        every line (:func:`~prodlife.lifecycle.selling.check_order`: product,
        edition, add-ons and their limits, the product's ``max_per_customer``
        against the customer's live services, the products of ``subscription``
        when the order is placed for that offering; hidden products only for
        staff), and
        the order is priced from the stored price plan of ``context.plan``'s
        code, whatever plan ``context`` holds. Price overrides (on a line or a
        domain) are staff's, with ``prices: set``. Whether the customer is new
        (for new-customers-only codes) is read from the store.

        Raises:
            PermissionDenied: a customer ordering for another customer, staff
                without the permission to take orders, or a price override by
                anyone but staff with ``prices: set``.
            RuleViolation: the catalog does not offer a line (rules ``offer.*``
                and ``addon.*``).
            NotFound: no catalog version in force, or no such stored price plan.
            PromotionRefused: a promo code's limits are reached.
            AlreadyExists: the order id or a service id is taken (nothing is
                stored); otherwise whatever :func:`~prodlife.lifecycle.price_order`
                or :func:`~prodlife.lifecycle.services_for` refuses.
        """
        authorize_action(actor, Action.ORDER, owner_customer_id=order.customer_id)
        overrides = [line.spec.price_override for line in order.lines]
        overrides += [domain.price_override for domain in order.domains]
        if any(price is not None for price in overrides):
            authorize_action(actor, Action.SET_PRICES)
        hidden_ok = may(actor, Action.ORDER_HIDDEN)
        prefix = f"{order.id}-" if id_prefix is None else id_prefix
        at = self._now()
        placed: list[Service] = []
        with self.store.transaction() as uow:
            day = billing_date(order.placed_at, zone)
            check_order(
                self._catalog(uow, day),
                order,
                day,
                hidden_ok=hidden_ok,
                held=uow.services.find(ServiceQuery(customer_id=order.customer_id)),
                subscription=subscription,
            )
            context = attrs.evolve(
                context,
                plan=uow.price_plans.get(context.plan.code),
                promotions=uow.promotions.all(),
                customer_is_new=self._is_new(uow, order.customer_id),
            )
            quote = price_order(order, context)
            services = services_for(
                order,
                quote,
                first_id=first_id,
                id_prefix=prefix,
                zone=zone,
                context=context,
                invoice_days_before=self.policy.invoice_days_before,
                dunning=self.policy.dunning,
                prorata=prorata,
            )
            if scheme is not None:
                services = tuple(under_terms(service, scheme) for service in services)
            self._use_promotions(uow, order, quote, billing_date(at, zone), context)
            services = _with_fixed_terms(uow, services)
            uow.orders.add(order)
            for service in services:
                lines: tuple[InvoiceLine, ...] = ()
                if order.options.generate_invoice:
                    first = billed(Outcome(service), first_invoice_day(service))
                    service, lines = first.service, first.lines
                uow.services.add(service, due_on=next_work_date(service, self.policy))
                if lines:
                    uow.invoice_lines.add(lines, product_code=service.product_code, issued_at=at)
                placed.append(service)
            uow.commit()
        log.info("order %s by %s: %d services, %s", order.id, actor, len(placed), quote.total)
        return quote, tuple(placed)

    @staticmethod
    def _is_new(uow: UnitOfWork, customer_id: str) -> bool:
        """Whether the customer has no services and no orders yet."""
        none_held = uow.services.count(ServiceQuery(customer_id=customer_id)) == 0
        return none_held and not uow.orders.for_customer(customer_id)

    def _use_promotions(
        self,
        uow: UnitOfWork,
        order: Order,
        quote: OrderQuote,
        day: date,
        context: PricingContext,
    ) -> None:
        """Check each promo code of ``order`` against the stored uses, then count it once."""
        codes: set[str] = set()
        for line, priced in zip(order.lines, quote.lines, strict=True):
            code = order.spec_for(line).promo_code
            if code is None:
                continue
            promotion = find_promotion(uow.promotions.all(), code)
            use = PromotionUse(
                on=day,
                product_code=line.spec.product_code,
                cycle=priced.quote.cycle,
                customer_id=order.customer_id,
                uses_so_far=uow.promotions.uses(promotion.code),
                customer_uses_so_far=uow.promotions.uses(promotion.code, order.customer_id),
                customer_is_new=context.customer_is_new,
            )
            check_promotion(promotion, use)
            codes.add(promotion.code)
        for code in sorted(codes):
            uow.promotions.record_use(code, order.customer_id, order.id)

    def run_due(
        self,
        *,
        worker: str | None = None,
        batch: int = 500,
        lease: timedelta = timedelta(minutes=10),
        progress: Callable[[SchedulerReport], object] | None = None,
    ) -> SchedulerReport:
        """Carry out everything due now, in batches claimed for ``worker``.

        Several workers (threads, processes or machines) may run this at once
        on one store: each claims its own batches, so no service is handled
        twice, and a worker that dies leaves its claims to expire after
        ``lease`` for another to pick up. A batch is read, worked out of any
        transaction, and saved in one transaction (with version checks); when
        that fails, its services are redone one per transaction, so a failure
        never holds back the others.

        ``progress``, when given, is called after each batch with what the run
        has done so far (a :class:`SchedulerReport`), e.g. to draw a progress
        bar. The run logs its summary on the ``prodlife.app`` logger (INFO) and
        each service that failed (WARNING).
        """
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValidationError(f"batch {batch!r} must be a whole number >= 1")
        if not isinstance(lease, timedelta) or not timedelta(0) < lease <= _MAX_LEASE:
            raise ValidationError(
                f"lease {lease!r} must be a timedelta above zero and at most {_MAX_LEASE}"
            )
        worker = _worker_name() if worker is None else worker
        handled: list[str] = []
        failed: list[tuple[str, str]] = []
        idle: list[str] = []
        try:
            while True:
                now = self._now()  # each claim's lease starts when it is made
                latest = billing_date(now, _EARLIEST_ZONE)
                with self.store.transaction() as uow:
                    ids = uow.scheduler.claim_due(
                        latest, worker=worker, now=now, lease=lease, limit=batch
                    )
                    uow.commit()
                if not ids:
                    break
                done, quiet, broken = self._run_claimed(ids, now, worker)
                handled += done
                idle += quiet
                failed += broken
                for key, error in broken:
                    log.warning("scheduler: service %s failed: %s", key, error)
                if progress is not None:
                    progress(SchedulerReport(tuple(handled), len(set(idle)), tuple(failed)))
        finally:
            if idle or failed:
                with self.store.transaction() as uow:
                    uow.scheduler.release(idle + [key for key, _ in failed], worker=worker)
                    uow.commit()
        # A service handled here may be claimed again in the run, with nothing more due.
        report = SchedulerReport(tuple(handled), len(set(idle) - set(handled)), tuple(failed))
        log.info(
            "scheduler run by %s: %d handled, %d not due, %d failed",
            worker,
            len(report.handled),
            report.not_due,
            len(report.failed),
        )
        self._published(report)
        return report

    def _run_claimed(
        self, ids: Sequence[str], now: datetime, worker: str
    ) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        """Carry out the due work of claimed services: (handled, not due, failed)."""
        handled: list[str] = []
        idle: list[str] = []
        failed: list[tuple[str, str]] = []
        # Read, then work outside any transaction, then write in one short transaction:
        # workers sharing a store only wait for each other's writes.
        with self.store.transaction(readonly=True) as uow:
            try:
                loaded = uow.services.get_many(ids)
            except Exception:  # one unreadable service: read the others one by one
                loaded = []
                for key in ids:
                    try:
                        loaded.append(uow.services.get(key))
                    except Exception as error:  # of any shape: reported, never stopping the run
                        failed.append((key, _describe(error)))
        outcomes: list[tuple[Service, Outcome]] = []
        for service in loaded:
            try:
                outcome = self._due_work(service, now)
            except Exception as error:  # one broken service never stops the run
                failed.append((service.id, _describe(error)))
                continue
            if outcome is None:
                idle.append(service.id)
            else:
                outcomes.append((service, outcome))
        try:
            with self.store.transaction() as uow:
                self._keep_all(uow, [(b.version, o) for b, o in outcomes], now, worker=worker)
                uow.commit()
            handled += [before.id for before, _ in outcomes]
        except ProdlifeError:
            # Someone changed one of them meanwhile, or a write failed: one at a time.
            for before, _ in outcomes:
                try:
                    if self._run_one(before.id, now, worker):
                        handled.append(before.id)
                    else:
                        idle.append(before.id)
                except Exception as error:
                    failed.append((before.id, _describe(error)))
        return handled, idle, failed

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

    def _now(self) -> datetime:
        return as_utc(self.clock.now())

    def _load(
        self, uow: UnitOfWork, service_id: str, actor: Actor, operation: Operation | None
    ) -> Service:
        """The stored service; a customer's refusal names ``operation`` (``None``: a read)."""
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

    def _module_for(
        self, uow: UnitOfWork, service: Service, at: datetime
    ) -> ProvisioningModule | None:
        """The host's module, for a service whose product type is provisionable only."""
        return self.module if self._rules(uow, service, at).provisionable else None

    def _rules(self, uow: UnitOfWork, service: Service, at: datetime) -> ProductRules:
        """The product rules of ``service`` in the catalog in force on its billing date."""
        try:
            catalog = self._catalog(uow, billing_date(at, service.time_zone))
        except NotFound:  # no catalog at all: the cautious defaults
            return product_rules(None, service.product_code)
        return product_rules(catalog, service.product_code)

    def _keep(self, uow: UnitOfWork, version: int, outcome: Outcome, at: datetime) -> None:
        self._keep_all(uow, [(version, outcome)], at)

    def _keep_all(
        self,
        uow: UnitOfWork,
        outcomes: Sequence[tuple[int, Outcome]],
        at: datetime,
        *,
        worker: str | None = None,
    ) -> None:
        """Save each outcome's service over the version loaded, then append the lines
        (one call per product) and the events (one call)."""
        lines: dict[str, list[InvoiceLine]] = {}
        events: list[Event] = []
        for version, outcome in outcomes:
            service = outcome.service
            uow.services.save(
                service,
                expected_version=version,
                due_on=next_work_date(service, self.policy),
                worker=worker,
            )
            lines.setdefault(service.product_code, []).extend(outcome.lines)
            events.extend(outcome.events)
        for product_code, issued in lines.items():
            if issued:
                uow.invoice_lines.add(issued, product_code=product_code, issued_at=at)
        if events:
            uow.events.add(events)

    def _on_service(
        self,
        service_id: str,
        actor: Actor,
        run: Callable[[Service, datetime, UnitOfWork], Outcome],
        name: str = "",
    ) -> Outcome:
        at = self._now()
        # The operation (and the host's module) runs in a read-only transaction, so other
        # writers never wait for it; the save checks that nobody changed the service meanwhile.
        with self.store.transaction(readonly=True) as uow:
            service = self._load(uow, service_id, actor, Operation.EDIT)
            outcome = run(service, at, uow)
        with self.store.transaction() as uow:
            self._keep(uow, service.version, outcome, at)
            uow.commit()
        log.info("%s of %s by %s: %s", name or "operation", service_id, actor, outcome.summary())
        return self._published_own(outcome)

    def _due_work(self, service: Service, now: datetime) -> Outcome | None:
        day = billing_date(now, service.time_zone)
        return run_service(service, now, self.policy, today=day, module=self.module)

    def _run_one(self, service_id: str, now: datetime, worker: str | None = None) -> bool:
        """Do one service's due work in its own transaction; whether there was any."""
        with self.store.transaction() as uow:
            service = uow.services.get(service_id)
            outcome = self._due_work(service, now)
            if outcome is None:
                return False
            self._keep_all(uow, [(service.version, outcome)], now, worker=worker)
            uow.commit()
        return True

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
