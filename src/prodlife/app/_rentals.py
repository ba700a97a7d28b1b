"""A service's goods follow it: to its new customer, and back to stock when it ends (issue 21).

:meth:`BillingBase._keep_all <prodlife.app._base.BillingBase._keep_all>`, the one
place every use case saves its services, calls :func:`follow_services` with the
outcomes it saves, in the same transaction:

* a service **transferred** to another customer (its outcome holds a
  ``transferred`` event) takes its goods with it: what it holds, reserved or
  issued, sold or rented, passes to the same service under its new customer
  (:func:`~prodlife.goods.transfer_holdings`), recorded in each unit's history;
  its goods charges do not change (the timeline moved with the service);
* a service that **ended** (cancelled, terminated or deleted, through
  ``Billing.perform``, a mass update or the scheduler's run) gives back every
  good still rented to it, and what is reserved for it is released; goods it
  bought stay with the customer.

If the transaction is not committed, none of it is kept. It is idempotent: it moves
what the service *still* holds, so a second save of an ended service (a retry, a
later run, a deletion after a cancellation) finds nothing and records nothing.

Each good goes back into the warehouse it was issued from, on the day the service
ended (its termination date, or today's UTC date when that date is still to come),
or on the day of the good's latest movement when that is later (a product's
movements are dated in order); a transfer is dated today (UTC) likewise. A
rental's charge needs no change: the service's timeline ended with it, and the
billing engine bills no track beyond that end; it credits what was invoiced
beyond it as the service's cancellation policy says.

The goods use cases (:class:`~prodlife.goods_app.Goods`) save the service
whenever they rent or reserve to it, and refuse it once ended: of a rental and the
service's end committed at once, one conflicts and, redone, sees the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from prodlife.errors import RuleViolation
from prodlife.goods import (
    Holder,
    Ownership,
    Stock,
    kit_family,
    release_reservations,
    transfer_holdings,
)
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.services import Service
from prodlife.ports import UnitOfWork

__all__ = ["RETURN_REFERENCE", "TRANSFER_REFERENCE", "follow_services"]

#: The reference of the return and release movements: ``service S-1 ended``.
RETURN_REFERENCE = "service {service_id} ended"
#: The reference of the transfer movements: ``service S-1 transferred to customer C-2``.
TRANSFER_REFERENCE = "service {service_id} transferred to customer {customer_id}"


def follow_services(uow: UnitOfWork, outcomes: Iterable[Outcome], at: datetime) -> None:
    """Move the goods of the services ``outcomes`` transferred or ended (see the module).

    Raises:
        ConcurrencyConflict: another writer moved one of the goods meanwhile
            (nothing is kept; run the use case again).
        RuleViolation, NotFound: a good can no longer be stocked as the catalog in
            force says (the whole transaction is refused).
    """
    for outcome in outcomes:
        service = outcome.service
        for item in outcome.events:
            if item.kind is EventKind.TRANSFERRED:
                _transfer(uow, service, item.detail("from"), at)
        if service.ended:
            _return(uow, service, at)


def _holder(service_id: str, customer_id: str) -> Holder | None:
    try:
        return Holder.service(service_id, customer_id)
    except RuleViolation:  # an id no goods can be issued to (spaces at an end): none held
        return None


def _loaded(uow: UnitOfWork, holder: Holder, day: date) -> tuple[Stock, list[str]] | None:
    """The stock of the goods ``holder`` ever held, and their codes; ``None`` when none."""
    products = uow.goods.products_held(holder)
    if not products:
        return None
    catalog = uow.catalog.versions().in_force(day).catalog
    return Stock(
        uow.goods.warehouses(), uow.goods.movements(kit_family(catalog, products))
    ), products


def _record(uow: UnitOfWork, before: Stock, after: Stock) -> None:
    for movement in after.movements[len(before.movements) :]:
        uow.goods.record(movement)


def _after(day: date, stock: Stock, products: Iterable[str]) -> date:
    """``day``, or the latest movement's day of ``products`` when that is later."""
    codes = set(products)
    return max([day, *(m.on for m in stock.movements if m.product_code in codes)])


def _transfer(uow: UnitOfWork, service: Service, previous: str, at: datetime) -> None:
    old, new = _holder(service.id, previous), _holder(service.id, service.customer_id)
    loaded = None if old is None or new is None else _loaded(uow, old, at.date())
    if old is None or new is None or loaded is None:
        return
    stock, products = loaded
    held = [p for p in products if any(a.remaining for a in stock.attachments(old, p))]
    held += [p for p in products for w in stock.warehouses if stock.reserved_for(old, p, w.code)]
    if not held:
        return
    day = _after(at.date(), stock, held)
    catalog = uow.catalog.versions().in_force(day).catalog
    reference = TRANSFER_REFERENCE.format(service_id=service.id, customer_id=service.customer_id)
    _record(uow, stock, transfer_holdings(stock, catalog, old, new, day, reference))


def _return(uow: UnitOfWork, service: Service, at: datetime) -> None:
    holder = _holder(service.id, service.customer_id)
    ended = min(service.termination_date or at.date(), at.date())
    loaded = None if holder is None else _loaded(uow, holder, ended)
    if holder is None or loaded is None:
        return
    stock, products = loaded
    moving = {
        a.product_code
        for a in stock.attachments(holder)
        if a.ownership is Ownership.RENTAL and a.remaining
    }
    moving |= {
        p for p in products for w in stock.warehouses if stock.reserved_for(holder, p, w.code)
    }
    if not moving:
        return
    day = _after(ended, stock, moving)
    catalog = uow.catalog.versions().in_force(ended).catalog
    reference = RETURN_REFERENCE.format(service_id=service.id)
    returned = stock.return_rentals(catalog, holder, None, day, reference)
    _record(uow, stock, release_reservations(returned, catalog, holder, day, reference))
