"""The use cases of :class:`~prodlife.app.Billing` that change stored services in bulk or
on the system's behalf: abuse limits and mass updates (seed 003)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from prodlife.app._base import PublishFailed, log
from prodlife.app.changing import Changing
from prodlife.lifecycle.abuse import enforce_abuse_limits
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.mass_update import MassUpdate, mass_update
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.selling import package_price
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money
from prodlife.periods import billing_date
from prodlife.ports import UnitOfWork
from prodlife.pricing.usage import UsageRecord


class Updating(Changing):
    """Billing's use cases for abuse limits and mass updates (on top of :class:`Changing`,
    whose checks of a bundle's components they share)."""

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
            ComponentRefused: a bundle's component, updated without its bundle,
                does what its bundle forbids it alone (as in :meth:`perform`);
                a bundle's components do not follow a mass update: update
                them with it.
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
            updated = {s.id for s in loaded}
            for before, outcome in zip(loaded, outcomes, strict=True):
                if before.bundle_id is not None and before.bundle_id not in updated:
                    self._check_alone(uow, before.bundle_id, before, outcome.service, at)
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
