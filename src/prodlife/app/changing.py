"""The use cases of :class:`~prodlife.app.Billing` that change stored services.

Any lifecycle operation (:meth:`~prodlife.app.Billing.perform`), package and
option changes and add-ons priced from the stored plans, changes waiting for
payment or for the end of a term, abuse limits, and mass updates.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Concatenate, ParamSpec

from prodlife.app._base import BillingBase, PublishFailed, log
from prodlife.cycles import BillingCycle
from prodlife.errors import ValidationError
from prodlife.lifecycle.abuse import enforce_abuse_limits
from prodlife.lifecycle.actors import Action, Actor, authorize_action
from prodlife.lifecycle.cancellations import cancel, request_cancellation
from prodlife.lifecycle.changes import (
    add_addon,
    apply_pending_change,
    change_options,
    change_package,
    confirm_change_payment,
)
from prodlife.lifecycle.mass_update import MassUpdate, mass_update
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.selling import addon_from_plan, holds_money, option_changes, package_price
from prodlife.lifecycle.service_parts import CancellationKind
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money
from prodlife.periods import billing_date
from prodlife.ports import InvoiceQuery, UnitOfWork
from prodlife.pricing.options import ConfigurableOption
from prodlife.pricing.order_line import OptionPick
from prodlife.pricing.usage import UsageRecord
from prodlife.proration import ChangePolicy

P = ParamSpec("P")


def _parameters(operation: Callable[..., Outcome]) -> frozenset[str]:
    try:
        return frozenset(inspect.signature(operation).parameters)
    except (TypeError, ValueError):  # a callable without a signature takes nothing more
        return frozenset()


def _unpaid_of_its_own(uow: UnitOfWork, service_id: str) -> list[str]:
    """The unpaid invoices billing ``service_id`` and no other service (seed 003's
    "cancel unpaid invoices" of an immediate cancellation request)."""
    unpaid = uow.invoices.find(InvoiceQuery(service_id=service_id, unpaid=True))
    return [invoice.number for invoice in unpaid if invoice.service_ids == (service_id,)]


class Changing(BillingBase):
    """Billing's use cases that change stored services."""

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
        product; an immediate :func:`request_cancellation` without
        ``unpaid_invoices`` cancels (voids) the unpaid invoices that bill the
        service alone, and withdrawing the request restores them (seed 003).
        An argument holding money (a price, a ServiceAddOn or OptionChange
        with a price) is a price set by hand: only staff with
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
            if (
                operation is request_cancellation
                and "unpaid_invoices" not in given
                and CancellationKind.IMMEDIATE in (*args[:1], given.get("kind"))
            ):
                given["unpaid_invoices"] = _unpaid_of_its_own(uow, service.id)
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
        the system acts, through the host's module when the product type is
        provisionable. Nothing changes when no
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
            module = self._module_for(uow, service, at)
            return enforce_abuse_limits(service, system, at, limits, given, module=module)

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
            modules = {s.id: self._module_for(uow, s, at) for s in loaded}
            outcomes = mass_update(loaded, actor, at, update, prices=prices, modules=modules)
            versions = [before.version for before in loaded]
            kept = self._keep_all(uow, list(zip(versions, outcomes, strict=True)), at)
            uow.commit()
        outcomes = kept.outcomes
        log.info("mass update of %d services by %s", len(loaded), actor)
        self._settle(kept.paid)
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
