"""The scheduler's use case of :class:`~prodlife.app.Billing`: everything due now.

Workers claim batches of due services, work them out of any transaction and
save them in one (:meth:`~prodlife.app.Billing.run_due`); what a run did is a
:class:`~prodlife.app.SchedulerReport`.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta

import attrs

from prodlife._numbers import is_whole
from prodlife.app._base import BillingBase, log
from prodlife.catalog.catalog import CatalogVersions
from prodlife.errors import NotFound, ProdlifeError, ValidationError
from prodlife.lifecycle.grandfathering import move_on
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.scheduler import run_service
from prodlife.lifecycle.services import Service
from prodlife.periods import billing_date
from prodlife.ports import UnitOfWork
from prodlife.pricing.plans import PricePlan

#: The time zone whose calendar runs furthest ahead (UTC+14): no service's
#: billing date is later than this zone's.
EARLIEST_ZONE = "Pacific/Kiritimati"


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


#: The longest lease a scheduler claim may take.
_MAX_LEASE = timedelta(days=1)


def _worker_name() -> str:
    """A name no other worker has: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _versions(uow: UnitOfWork) -> CatalogVersions | None:
    """The stored catalog versions, or ``None`` when there are none."""
    try:
        return uow.catalog.versions()
    except NotFound:
        return None


class Scheduling(BillingBase):
    """Billing's scheduler: the due work of every service, in claimed batches."""

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

        A service sold under a catalog version that a later one moves on (its
        ``existing_move_on`` reached by the service's next due date) is moved
        to the price of the plan row it was sold under, for the version then, as
        its renewal is invoiced
        (:func:`~prodlife.lifecycle.grandfathering.move_on`: an
        :attr:`~prodlife.lifecycle.EventKind.PRICE_MOVED` event); until then it
        keeps the price it was sold at.
        """
        if not is_whole(batch, 1):
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
                latest = billing_date(now, EARLIEST_ZONE)
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
            # The product types decide where the module runs, and the versions and plans
            # whether grandfathered prices move (read once a batch, if needed).
            versions, plans = self._reference(uow, loaded)
        outcomes: list[tuple[Service, Outcome]] = []
        for service in loaded:
            try:
                outcome = self._due_work(service, now, versions, plans)
            except Exception as error:  # one broken service never stops the run
                failed.append((service.id, _describe(error)))
                continue
            if outcome is None:
                idle.append(service.id)
            else:
                outcomes.append((service, outcome))
        try:
            with self.store.transaction() as uow:
                paid = self._keep_all(
                    uow, [(b.version, o) for b, o in outcomes], now, worker=worker
                ).paid
                uow.commit()
            handled += [before.id for before, _ in outcomes]
            self._settle(paid)
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

    def _reference(
        self, uow: UnitOfWork, services: Sequence[Service]
    ) -> tuple[CatalogVersions | None, dict[str, PricePlan]]:
        """The catalog versions (when the module or a grandfathered price needs them) and
        the price plans the ``services`` were sold under."""
        codes = {s.sold_under.price_plan for s in services if s.sold_under is not None}
        versions = None if not self._provisions and not codes else _versions(uow)
        plans: dict[str, PricePlan] = {}
        for code in sorted(codes):
            try:
                plans[code] = uow.price_plans.get(code)
            except NotFound:  # reported by the service that needs it (move_on)
                continue
        return versions, plans

    def _due_work(
        self,
        service: Service,
        now: datetime,
        versions: CatalogVersions | None,
        plans: Mapping[str, PricePlan],
    ) -> Outcome | None:
        """The service's due work: its grandfathered price moved at its renewal
        (:func:`~prodlife.lifecycle.grandfathering.move_on`), then everything else due."""
        day = billing_date(now, service.time_zone)
        module = self._provisioning(service, day, versions)
        moved = None
        if versions is not None and service.sold_under is not None:
            moved = move_on(service, versions, plans, now, day)
        work = run_service(
            service if moved is None else moved.service,
            now,
            self.policy,
            today=day,
            module=module,
        )
        if moved is None or work is None:
            return work if moved is None else moved
        return moved.then(work)

    def _provisioning(
        self, service: Service, day: date, versions: CatalogVersions | None
    ) -> ProvisioningModule | None:
        """The host's module for ``service``'s due work on ``day``: ``None`` when the
        catalog in force then says its product type is not provisionable."""
        if not self._provisions:
            return None
        try:
            catalog = None if versions is None else versions.in_force(day).catalog
        except NotFound:  # no version in force yet: the cautious defaults
            catalog = None
        return self._module_in(catalog, service.product_code)

    def _run_one(self, service_id: str, now: datetime, worker: str | None = None) -> bool:
        """Do one service's due work in its own transaction; whether there was any."""
        with self.store.transaction() as uow:
            service = uow.services.get(service_id)
            versions, plans = self._reference(uow, [service])
            outcome = self._due_work(service, now, versions, plans)
            if outcome is None:
                return False
            paid = self._keep_all(uow, [(service.version, outcome)], now, worker=worker).paid
            uow.commit()
        self._settle(paid)
        return True
