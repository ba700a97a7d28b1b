"""The use cases of :class:`~prodlife.app.Billing` for resellers' offerings (seed 000).

A reseller picks which marketplace products it sells, at its own prices and
within its own limits (:class:`~prodlife.catalog.ResellerOffering`); staff with
``prices: set`` store its choice, and orders placed through it
(:meth:`Billing.place_order(..., reseller=...) <prodlife.app.Billing.place_order>`)
see only those. The rules are in :mod:`prodlife.catalog.resellers` and
:mod:`prodlife.lifecycle.reselling`.
"""

from __future__ import annotations

from datetime import date

from prodlife.app._base import BillingBase, log
from prodlife.catalog.products import Product
from prodlife.catalog.query import ProductQuery
from prodlife.catalog.resellers import ResellerOffering, check_offering_in_catalog
from prodlife.errors import NotFound, ValidationError
from prodlife.lifecycle.actors import Action, Actor, authorize_action

__all__ = ["Reselling"]


class Reselling(BillingBase):
    """Billing's use cases that store and read resellers' offerings."""

    def save_offering(self, offering: ResellerOffering, actor: Actor) -> None:
        """Store what a reseller sells (its first offering, or one replacing the stored one).

        The products, editions and add-ons must be the marketplace's: the
        catalog version in force today (UTC) must define them, and the
        reseller's price plan must be stored.

        Raises:
            PermissionDenied: anyone but staff with ``prices: set``.
            RuleViolation: a product, edition or add-on the catalog does not
                define (rule ``reseller.unknown-product``).
            NotFound: no catalog version in force today, or no such price plan.
            ValidationError: ``offering`` is not a ResellerOffering.
        """
        authorize_action(actor, Action.EDIT_OFFERINGS)
        if not isinstance(offering, ResellerOffering):
            raise ValidationError(
                f"a {type(offering).__name__} is not a ResellerOffering; pass one"
            )
        with self.store.transaction() as uow:
            check_offering_in_catalog(offering, self._catalog(uow, self._now().date()))
            uow.price_plans.get(offering.price_plan)
            try:
                uow.offerings.get(offering.reseller)
            except NotFound:
                uow.offerings.add(offering)
            else:
                uow.offerings.replace(offering)
            uow.commit()
        log.info("offering of %s stored by %s", offering.reseller, actor)

    def offering(self, reseller: str) -> ResellerOffering:
        """The stored offering of ``reseller``.

        Raises:
            NotFound: the reseller has none.
        """
        with self.store.transaction(readonly=True) as uow:
            return uow.offerings.get(reseller)

    def offered_products(
        self, reseller: str, query: ProductQuery | None = None, day: date | None = None
    ) -> tuple[Product, ...]:
        """The products of the catalog in force on ``day`` that ``reseller`` sells.

        What its customers see: :meth:`~prodlife.app.Billing.products` narrowed
        to the reseller's offering (``query`` further narrows it).

        Raises:
            NotFound: the reseller has no offering, or no catalog version is in force.
        """
        when = self._now().date() if day is None else day
        with self.store.transaction(readonly=True) as uow:
            offering = uow.offerings.get(reseller)
            catalog = self._catalog(uow, when)
        sold = set(offering.product_codes)
        found = catalog.find_products(query or ProductQuery())
        return tuple(product for product in found if product.code in sold)
