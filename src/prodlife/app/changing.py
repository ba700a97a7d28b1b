# Over 400 lines: perform, the one entry point for every lifecycle operation, is typed twice
# (a declared operation takes only its arguments and reason) and documents every rule the
# use case adds; the package and option changes beside it are its priced variants.
"""The use cases of :class:`~prodlife.app.Billing` that change stored services.

Any lifecycle operation (:meth:`~prodlife.app.Billing.perform`), package and
option changes and add-ons priced from the stored plans, changes waiting for
payment or for the end of a term. Abuse limits and mass updates are in
:mod:`prodlife.app.updating`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, overload

from prodlife.app._base import BillingBase
from prodlife.app._performing import parameters_of, reason_given, unpaid_of_its_own
from prodlife.catalog.catalog import Catalog
from prodlife.cycles import BillingCycle
from prodlife.errors import NotFound, ValidationError
from prodlife.lifecycle.actors import Action, Actor, authorize_action
from prodlife.lifecycle.addon_changes import add_addon
from prodlife.lifecycle.bundled import check_component_alone, components_of, follows, to_follow
from prodlife.lifecycle.cancellations import cancel, request_cancellation
from prodlife.lifecycle.grandfathering import move_on, resold
from prodlife.lifecycle.operations import transfer
from prodlife.lifecycle.option_changes import change_options
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.overrides import require_reason
from prodlife.lifecycle.package_changes import (
    apply_pending_change,
    change_package,
    confirm_change_payment,
)
from prodlife.lifecycle.product_operations import OperationDefinition
from prodlife.lifecycle.renewals import renew
from prodlife.lifecycle.sale import SoldUnder
from prodlife.lifecycle.selling import (
    addon_from_plan,
    check_holding,
    holds_money,
    option_changes,
    package_price,
)
from prodlife.lifecycle.service_parts import CancellationKind
from prodlife.lifecycle.services import Service
from prodlife.money import Money
from prodlife.periods import billing_date
from prodlife.ports import ServiceQuery, UnitOfWork
from prodlife.pricing.order_line import OptionPick
from prodlife.proration import ChangePolicy

P = ParamSpec("P")


class Changing(BillingBase):
    """Billing's use cases that change stored services."""

    # A declared operation is given its arguments and reason only: perform passes the
    # product type and the module itself.
    @overload
    def perform(
        self,
        operation: OperationDefinition,
        service_id: str,
        actor: Actor,
        /,
        *,
        arguments: Mapping[str, str] | None = None,
        reason: str = "",
    ) -> Outcome: ...

    @overload
    def perform(
        self,
        operation: Callable[Concatenate[Service, Actor, datetime, P], Outcome],
        service_id: str,
        actor: Actor,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Outcome: ...

    def perform(
        self,
        operation: Callable[..., Outcome],
        service_id: str,
        actor: Actor,
        /,
        *args: Any,
        **kwargs: Any,
    ) -> Outcome:
        """Carry out a lifecycle ``operation`` on a stored service, all or nothing.

        ``operation`` is any function of :mod:`prodlife.lifecycle` taking the
        service, the actor and the instant first (``suspend``, ``renew``,
        ``cancel``, ``request_cancellation``, ``transfer``...); ``args`` and
        ``kwargs`` are its other arguments. The instant is the clock's now.
        ``operation`` may also be a product-specific operation the host
        registered (an
        :class:`~prodlife.lifecycle.product_operations.OperationDefinition` of
        ``Billing(operations=...)``), given its ``arguments=`` and ``reason=``:
        it is run for a product whose type in the catalog in force offers it.

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
        recorded as an override, with the ``reason`` the operation is given
        (required). Use :meth:`change_package` and
        :meth:`add_addon` to price from the plan.

        A bundle's components follow it (seed 004): an operation of
        :data:`~prodlife.lifecycle.bundled.FOLLOWED` (activate, suspend,
        unsuspend, request or withdraw a cancellation, cancel, terminate,
        delete, transfer) carried out on a bundle's service is carried out, with the same
        arguments, on each of its live components not already there
        (:func:`~prodlife.lifecycle.bundled.to_follow`), in the same
        transaction: each component's money is billed or refunded by its own
        timeline, its module run as its own product type says, and the bundle's
        product type decides ``customer_may_delete`` for all of them. The
        outcome returned is the bundle's; the components' are saved and their
        events published with it. An operation on one component alone is
        refused when its bundle forbids it
        (:func:`~prodlife.lifecycle.bundled.check_component_alone`).

        Returns:
            The operation's outcome, saved and committed.

        Raises:
            NotFound, PermissionDenied: as :meth:`service`; a price given by
                anyone but staff with ``prices: set``.
            RuleViolation: a price given without a ``reason`` to an operation
                that takes one (rule ``price.reason``).
            ValidationError: ``customer_may_delete`` given (the product type
                decides it).
            RuleViolation: a product-specific operation that is not registered
                (rule ``operation.unknown``) or not offered for the product's type
                (rule ``operation.product-type``).
            RuleViolation: a :func:`~prodlife.lifecycle.transfer` to a customer
                who holds the product's ``max_per_customer`` live services already
                (rule ``offer.instance-limit``).
            ComponentRefused: the operation on one component of a bundle is
                one its bundle forbids (rules ``bundle.component-alone``,
                ``bundle.component-suspended``).
            ConcurrencyConflict: another writer changed the service meanwhile
                (nothing is saved; run it again).
            PublishFailed: saved, but the notifier failed.
            ProdlifeError: whatever the operation raises (nothing is saved).
        """
        declared = isinstance(operation, OperationDefinition)
        if declared:
            self.operations.require(operation)
        params = parameters_of(operation)
        if "customer_may_delete" in kwargs:
            raise ValidationError(
                "customer_may_delete comes from the catalog's product type; leave it out"
            )
        priced = holds_money(args) or holds_money(kwargs)
        if priced:
            authorize_action(actor, Action.SET_PRICES)
            if "reason" in params:
                require_reason(reason_given(operation, args, kwargs), "a price set by hand")
            if "override" in params:
                kwargs["override"] = True

        def carry_out(
            service: Service, at: datetime, uow: UnitOfWork, may_delete: bool | None = None
        ) -> Outcome:
            rules = self._rules(uow, service, at)
            given: dict[str, Any] = dict(kwargs)
            if "module" in params and "module" not in given:
                given["module"] = self._module_for(uow, service, at)
            if "customer_may_delete" in params:
                given["customer_may_delete"] = (
                    rules.customer_may_delete if may_delete is None else may_delete
                )
            if declared:
                day = billing_date(at, service.time_zone)
                given["product_type"] = (
                    self._catalog(uow, day).product(service.product_code).type_code
                )
            if operation is cancel and given.get("policy") is None:
                given["policy"] = rules.cancellation
            if (
                operation is request_cancellation
                and "unpaid_invoices" not in given
                and CancellationKind.IMMEDIATE in (*args[:1], given.get("kind"))
            ):
                given["unpaid_invoices"] = unpaid_of_its_own(uow, service.id)
            if operation is transfer:
                self._check_new_owner(uow, service, (*args, given.get("to_customer"))[0], at)
            if operation is renew and (moved := self._moved_on(uow, service, at)) is not None:
                return moved.then(operation(moved.service, actor, at, *args, **given))
            return operation(service, actor, at, *args, **given)

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            outcome = carry_out(service, at, uow)
            if service.bundle_id is not None:
                self._check_alone(uow, service.bundle_id, service, outcome.service, at)
            return outcome

        def components(
            bundle: Service, outcome: Outcome, at: datetime, uow: UnitOfWork
        ) -> list[tuple[int, Outcome]]:
            if not follows(operation):
                return []
            held = uow.services.find(ServiceQuery(bundle_id=bundle.id))
            # The bundle's product type decides for its components what it decided for it.
            may_delete = self._rules(uow, bundle, at).customer_may_delete
            return [
                (component.version, carry_out(component, at, uow, may_delete))
                for component in components_of(bundle, held)
                if to_follow(operation, bundle, outcome.service, component)
            ]

        name = getattr(operation, "__name__", repr(operation))
        return self._on_service(service_id, actor, run, name, components)

    def _moved_on(self, uow: UnitOfWork, service: Service, at: datetime) -> Outcome | None:
        """A renewal by hand moves a grandfathered price as the scheduler's does (from the next
        due date, :func:`~prodlife.lifecycle.grandfathering.move_on`); ``None``: no move."""
        sold, due = service.sold_under, service.next_due
        if sold is None or due is None:
            return None
        plans = {sold.price_plan: uow.price_plans.get(sold.price_plan)}
        return move_on(service, uow.catalog.versions(), plans, at, due)

    def _check_new_owner(
        self, uow: UnitOfWork, service: Service, to_customer: object, at: datetime
    ) -> None:
        """Refuse a transfer that takes the new owner past the product's ``max_per_customer``."""
        if not isinstance(to_customer, str) or to_customer == service.customer_id:
            return  # the transfer itself refuses these
        try:
            catalog = self._catalog(uow, billing_date(at, service.time_zone))
        except NotFound:  # no catalog: no limits
            return
        held = uow.services.find(ServiceQuery(customer_id=to_customer))
        check_holding(catalog, service.product_code, held)

    def _check_alone(
        self, uow: UnitOfWork, bundle_id: str, before: Service, after: Service, at: datetime
    ) -> None:
        """Refuse what a bundle's component does alone that its bundle forbids."""
        try:
            bundle = uow.services.get(bundle_id)
        except NotFound:  # the host removed the bundle: the component is on its own
            return
        try:
            catalog: Catalog | None = self._catalog(uow, billing_date(at, bundle.time_zone))
        except NotFound:
            catalog = None
        siblings = uow.services.find(ServiceQuery(customer_id=bundle.customer_id))
        check_component_alone(before, after, bundle, siblings, catalog)

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
        service's billing date (an edition on its product's ladder), and a new
        product must stay within its ``max_per_customer`` counting the
        customer's live services (rule ``offer.instance-limit``). The new
        recurring price comes from the stored ``price_plan`` (the row for the
        new product, edition and cycle, for the service's quantity). Staff
        with ``prices: set`` may give ``new_price`` instead: an override,
        recorded in the history with ``reason``. A package priced from the plan
        and changed at once is recorded as sold under that version and row
        (:attr:`Service.sold_under <prodlife.lifecycle.Service.sold_under>`).

        Raises:
            PermissionDenied: ``new_price`` from anyone but staff with ``prices: set``.
            RuleViolation: ``new_price`` without a ``reason`` (rule ``price.reason``).
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
            require_reason(reason, "a package price set by hand")

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            day = billing_date(at, service.time_zone)
            version = uow.catalog.versions().in_force(day)
            catalog = version.catalog
            if to_product is not None and to_product != service.product_code:
                held = uow.services.find(ServiceQuery(customer_id=service.customer_id))
                check_holding(catalog, to_product, held)
            price, sale = new_price, None
            if price is None:
                assert price_plan is not None
                product = to_product or service.product_code
                edition = to_edition
                if edition is None and product == service.product_code:
                    edition = service.edition
                plan = uow.price_plans.get(price_plan)
                cycle = to_cycle or service.cycle
                price = package_price(plan, product, edition, cycle, service.quantity, day)
                row = plan.rate_for(product, cycle, day, edition)
                sale = SoldUnder.of(version.name, plan.code, row)
            changed = change_package(
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
            return resold(changed, sale)

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
        price_plan: str,
        policy: ChangePolicy | None = None,
        reason: str = "",
    ) -> Outcome:
        """:func:`~prodlife.lifecycle.change_options`, each choice priced from the stored plan.

        The option definitions are those of the stored ``price_plan``
        (:attr:`PricePlan.options <prodlife.pricing.PricePlan.options>`, the
        same its orders are priced with); the caller names choices, never
        definitions or prices.

        Raises:
            NotFound: no such stored plan, or an option or choice the plan
                does not define, or does not price on the service's cycle.
            RuleViolation: an option that does not configure the product
                (rule ``option.product``); otherwise as
                :func:`~prodlife.lifecycle.change_options` and :meth:`perform`.
        """

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            options = uow.price_plans.get(price_plan).options
            changes = option_changes(service, picks, options)
            return change_options(service, actor, at, changes, policy=policy, reason=reason)

        return self._on_service(service_id, actor, run)
