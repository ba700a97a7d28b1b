"""The use cases of :class:`~prodlife.app.Billing` that only read.

Services and their history as an actor may see them, lists of services and
products, the catalog in force, revenue by product and adoption.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import attrs
from dateutil.relativedelta import relativedelta

from prodlife._numbers import is_whole
from prodlife.app._base import BillingBase
from prodlife.catalog.catalog import CatalogVersion
from prodlife.catalog.products import Product
from prodlife.catalog.query import ProductQuery
from prodlife.errors import ValidationError
from prodlife.lifecycle.actors import Action, Actor, ActorKind, authorize_action, check_actor_type
from prodlife.lifecycle.adoption import AdoptionRow, adoption
from prodlife.lifecycle.history import History
from prodlife.lifecycle.product_operations import OperationDefinition
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.transitions import Operation
from prodlife.limits import MIN_YEAR
from prodlife.periods import Period, billing_date
from prodlife.ports import ProductRevenue, ServiceQuery, check_query


class Reading(BillingBase):
    """Billing's reading use cases: none changes the store."""

    def service(self, service_id: str, actor: Actor) -> Service:
        """The stored service, as ``actor`` may see it.

        Raises:
            NotFound: no such service (staff and system).
            PermissionDenied: a customer asking for a service that is not
                theirs, deleted or missing (the same refusal for all three).
        """
        if check_actor_type(actor).kind is not ActorKind.CUSTOMER:
            authorize_action(actor, Action.VIEW)
        with self.store.transaction(readonly=True) as uow:
            return self._load(uow, service_id, actor, None)

    def product_operations(self, service_id: str, actor: Actor) -> tuple[OperationDefinition, ...]:
        """The registered product-specific operations the service's product type offers.

        Seed 002's extra operations of a service (issue, reissue, registrar
        change, KVM access), from ``Billing(operations=...)``, for the product
        type the catalog in force today gives the service's product; run one
        with :meth:`~prodlife.app.Billing.perform`.

        Raises:
            NotFound, PermissionDenied: as :meth:`service`; no catalog version
                in force, or it does not define the product.
        """
        service = self.service(service_id, actor)
        with self.store.transaction(readonly=True) as uow:
            catalog = self._catalog(uow, billing_date(self._now(), service.time_zone))
        type_code = catalog.product(service.product_code).type_code
        return self.operations.for_product_type(type_code)

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
        check_query(query, ServiceQuery)
        if actor is not None and check_actor_type(actor).kind is not ActorKind.CUSTOMER:
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
        refunds count negative, taxes are left out, and an add-on's lines (with
        the discounts on it) count under the add-on's own product.
        """
        if not is_whole(months, 1):
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
