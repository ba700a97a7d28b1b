"""Goods rented to a service come back when the service ends (issue 21, item 4).

:meth:`BillingBase._keep_all <prodlife.app._base.BillingBase._keep_all>`, the one
place every use case saves its services, calls :func:`return_rentals` with the
services it saves, in the same transaction: whichever use case ended a service
(cancelled, terminated or deleted, through ``Billing.perform``, a mass update or
the scheduler's run), every good still rented to it goes back to stock with it,
or, if the transaction is not committed, neither does.

It is idempotent: it returns what the service *still* holds as a rental, so a
second save of an ended service (a retry, a later run, a deletion after a
cancellation) finds nothing and records nothing. Goods the service bought stay
with the customer.

Each good goes back into the warehouse it was issued from, on the day the service
ended (its termination date, or today's UTC date when that date is still to come),
or on the day of the good's latest movement when that is later (a product's
movements are dated in order). Its rental charge needs no change: the service's timeline
ended with it, and the billing engine bills no track beyond that end; it credits
what was invoiced beyond it as the service's cancellation policy says.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from prodlife.errors import RuleViolation
from prodlife.goods import Holder, Ownership, Stock, kit_family
from prodlife.lifecycle.services import Service
from prodlife.ports import UnitOfWork

__all__ = ["RETURN_REFERENCE", "return_rentals"]

#: The reference of the return movements: ``service S-1 ended``.
RETURN_REFERENCE = "service {service_id} ended"


def return_rentals(uow: UnitOfWork, services: Iterable[Service], at: datetime) -> None:
    """Return to stock every good still rented to one of ``services`` that has ended.

    Raises:
        ConcurrencyConflict: another writer moved one of the goods meanwhile
            (nothing is kept; run the use case again).
        RuleViolation, NotFound: a good can no longer be stocked as the catalog in
            force says (the whole transaction is refused).
    """
    for service in services:
        if service.ended:
            _return(uow, service, at)


def _return(uow: UnitOfWork, service: Service, at: datetime) -> None:
    try:
        holder = Holder.service(service.id, service.customer_id)
    except RuleViolation:  # an id no goods can be issued to (spaces at an end): none held
        return
    products = uow.goods.products_held(holder)
    if not products:
        return
    ended = min(service.termination_date or at.date(), at.date())
    catalog = uow.catalog.versions().in_force(ended).catalog
    stock = Stock(uow.goods.warehouses(), uow.goods.movements(kit_family(catalog, products)))
    rented = {
        a.product_code
        for a in stock.attachments(holder)
        if a.ownership is Ownership.RENTAL and a.remaining
    }
    if not rented:
        return
    day = max([ended, *(m.on for m in stock.movements if m.product_code in rented)])
    reference = RETURN_REFERENCE.format(service_id=service.id)
    returned = stock.return_rentals(catalog, holder, None, day, reference)
    for movement in returned.movements[len(stock.movements) :]:
        uow.goods.record(movement)
