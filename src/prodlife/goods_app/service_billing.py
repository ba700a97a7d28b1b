"""Goods billed through a service: the movements recorded, then the holder's service billed.

A stock use case given a price plan (``plan_code=``) puts the service's goods
charges on its timeline, bills it and saves it, in the movement's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import attrs

from prodlife.app._issuing import issue, journal
from prodlife.billing.goods import goods_on_timeline
from prodlife.cycles import BillingSchedule
from prodlife.errors import NotFound, RuleViolation
from prodlife.goods import (
    Holder,
    HolderKind,
    Movement,
    MovementKind,
    Ownership,
    Stock,
    good_charges,
    kit_family,
)
from prodlife.goods_app._base import GoodsBase, GoodsOutcome, Step
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.issuing import owing, plan
from prodlife.lifecycle.operations import today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.scheduler import next_work_date
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.timelines import BASE, billed, schedule_for
from prodlife.lifecycle.transitions import Operation
from prodlife.ports import UnitOfWork


def _schedule(service: Service, at: datetime) -> BillingSchedule:
    """The schedule the service's recurring price is billed on (rentals follow it)."""
    day = today(service, at)
    for track in service.timeline.tracks:
        if track.subject == BASE and track.rates:
            rate = track.rate_on(day) or track.rates[-1]
            return rate.schedule
    return schedule_for(service.cycle, service.start, service.next_due)


def _service_for(uow: UnitOfWork, movement: Movement) -> Service | None:
    """The stored service goods are rented, reserved or transferred to, refused when the
    holder names another customer, or (a rental or reservation) once ended; ``None`` for
    other movements, and for a service the store does not keep (the host's to check).

    Its rentals and reservations came back when it ended, and its goods moved with it
    to a new customer (:mod:`prodlife.app._rentals`); the use case saves the service
    it returns, so that a rental and the service's end committed at once conflict.
    """
    holder = movement.holder
    rents = movement.kind is MovementKind.ISSUE and movement.ownership is Ownership.RENTAL
    what = {MovementKind.RESERVE: "reserve", MovementKind.TRANSFER: "transfer"}.get(
        movement.kind, "rent" if rents else ""
    )
    if not what or holder is None or holder.kind is not HolderKind.SERVICE:
        return None
    try:
        service = uow.services.get(holder.id)
    except NotFound:
        return None
    if service.ended and what != "transfer":
        message = (
            f"cannot {what} {movement.product_code} to service {holder.id}: it ended on "
            f"{service.termination_date}; {what} to a live service"
        )
        raise RuleViolation("goods.ended", message, holder.id)
    if service.customer_id != holder.customer_id:
        message = (
            f"cannot {what} {movement.product_code} to service {holder.id} of customer "
            f"{holder.customer_id}: it is held by customer {service.customer_id}; name its "
            "customer in the holder"
        )
        raise RuleViolation("goods.holder", message, holder.id)
    return service


class ServiceBilling(GoodsBase):
    """Goods' movements recorded and their service billed, in one transaction."""

    def bill(self, holder: Holder, plan_code: str) -> Outcome | None:
        """Bring the goods charges of ``holder``'s service up to date and bill it (e.g. after
        movements recorded without ``plan_code``); ``None`` when nothing changed."""
        with self.store.transaction(readonly=True) as uow:
            products = uow.goods.products_held(holder)
        return self._move(
            products, lambda stock, catalog, day: stock, None, holder, plan_code
        ).billed

    def _move(
        self,
        product_codes: Sequence[str],
        step: Step,
        on: date | None,
        holder: Holder | None = None,
        plan_code: str | None = None,
    ) -> GoodsOutcome:
        """Load the stock of ``product_codes``, record what ``step`` adds on day ``on`` (today
        in UTC by default), bill the holder."""
        at = self._now()
        day = at.date() if on is None else on

        def work(uow: UnitOfWork) -> GoodsOutcome:
            catalog = self._catalog(uow, day)
            codes = kit_family(catalog, product_codes)
            stock = Stock(uow.goods.warehouses(), uow.goods.movements(codes))
            new = step(stock, catalog, day)
            added = new.movements[len(stock.movements) :]
            served: dict[str, Service] = {}
            for movement in added:
                service = _service_for(uow, movement)
                if service is not None:
                    served.setdefault(service.id, service)
                uow.goods.record(movement)
            billed_outcome = None
            if plan_code is not None and holder is not None:
                billed_outcome = self._bill(uow, new, holder, plan_code, at)
            if billed_outcome is None:  # saved by billing otherwise
                for service in served.values():
                    self._touch(uow, service)
            return GoodsOutcome(tuple(added), billed_outcome)

        return self._retried(work)

    def _touch(self, uow: UnitOfWork, service: Service) -> None:
        """Save ``service`` as it was loaded: a transaction ending it at the same time
        then either waits for this one and sees the goods rented or reserved to it
        (and gives them back), or has ended it first, and this save conflicts (the
        use case is redone, and refused)."""
        due_on = next_work_date(service, self.policy)
        uow.services.save(service, expected_version=service.version, due_on=due_on)

    def _bill(
        self, uow: UnitOfWork, stock: Stock, holder: Holder, plan_code: str, at: datetime
    ) -> Outcome | None:
        """Put the holder's goods charges on its service's timeline, bill it and save it."""
        if holder.kind is not HolderKind.SERVICE:
            message = f"goods issued to {holder} are billed by the job, not through a service"
            raise RuleViolation("goods.billing", f"{message}; drop plan_code=", holder.id)
        service = uow.services.get(holder.id)
        if service.customer_id != holder.customer_id:
            message = (
                f"service {service.id} is held by customer {service.customer_id}, not "
                f"{holder.customer_id}; name its customer in the holder"
            )
            raise RuleViolation("goods.holder", message, holder.id)
        if service.ended:
            return None  # its timeline ends with it: nothing more is billed
        price_plan = uow.price_plans.get(plan_code)
        charges = good_charges(stock, holder, price_plan, service.cycle)
        schedule = _schedule(service, at)
        timeline = goods_on_timeline(service.timeline, charges, schedule)
        if timeline == service.timeline:
            return None
        done = service.perform(Operation.INVOICE, Actor.system(), at, details="goods charges")
        changed = attrs.evolve(done, timeline=timeline)
        updated = event(changed, EventKind.UPDATED, at, (("goods", plan_code),))
        outcome = billed(Outcome(changed, (updated,)), today(service, at))
        saved = outcome.service
        if outcome.lines:
            # Goods charges are one-time lines: paid by credit on issue, they move no dates.
            planned = plan([(saved, outcome.lines)], at, self.invoicing)
            issued = issue(uow, planned, at)
            journal(uow, [(saved, outcome.lines)], at)
            saved = owing(saved, planned.owed.get(saved.id))
            events = outcome.events + tuple(issued.events(at))
            outcome = attrs.evolve(outcome, service=saved, events=events)
        due_on = next_work_date(saved, self.policy)
        uow.services.save(saved, expected_version=service.version, due_on=due_on)
        uow.events.add(outcome.events)
        return outcome
