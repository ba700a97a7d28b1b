"""The stock use cases of :class:`~prodlife.goods_app.Goods`: warehouses and movements.

Reading stock, balances, units, kits' capacity and what a holder holds; adding
and changing warehouses; receiving, reserving, releasing, issuing, taking back
and writing off goods (billed through a service when a price plan is named).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from prodlife.catalog import FixedBundle
from prodlife.goods import (
    Attachment,
    Balance,
    BundleCapacity,
    ComponentSerials,
    Holder,
    Movement,
    Ownership,
    Stock,
    Unit,
    Warehouse,
    bundle_capacity,
    kit_family,
    release_reservations,
    transfer_holdings,
)
from prodlife.goods_app._base import GoodsOutcome
from prodlife.goods_app.service_billing import ServiceBilling


class Movements(ServiceBilling):
    """Goods' warehouses, stock and movements."""

    def warehouses(self) -> list[Warehouse]:
        """Every warehouse, ordered by code."""
        with self.store.transaction(readonly=True) as uow:
            return uow.goods.warehouses()

    def stock(self, product_codes: Iterable[str]) -> Stock:
        """The warehouses and every movement of these products (their kits' and components'
        too), as one :class:`~prodlife.goods.Stock`."""
        with self.store.transaction(readonly=True) as uow:
            catalog = self._catalog(uow)
            codes = kit_family(catalog, product_codes)
            return Stock(uow.goods.warehouses(), uow.goods.movements(codes))

    def balance(self, product_code: str, warehouse: str | None = None) -> Balance:
        """The product's balance in ``warehouse``, or in all warehouses together."""
        return self.stock([product_code]).balance(product_code, warehouse)

    def unit(self, product_code: str, serial: str) -> Unit:
        """Where traceable unit ``serial`` is, with its whole history. Raises ``NotFound``."""
        return self.stock([product_code]).unit(product_code, serial)

    def bundle_capacity(
        self, product_code: str, warehouse: str | None = None
    ) -> tuple[BundleCapacity, ...]:
        """For each kit holding the product, how many its stock can make (seed 004)."""
        with self.store.transaction(readonly=True) as uow:
            catalog = self._catalog(uow)
            codes = {product_code}
            for bundle in catalog.bundles:
                if isinstance(bundle, FixedBundle) and product_code in bundle.quantities:
                    codes |= set(bundle.quantities)
            stock = Stock(uow.goods.warehouses(), uow.goods.movements(sorted(codes)))
        return bundle_capacity(stock, catalog, product_code, warehouse)

    def attachments(self, holder: Holder) -> tuple[Attachment, ...]:
        """The goods issued to ``holder``, sold or rented, with what came back."""
        with self.store.transaction(readonly=True) as uow:
            return self._held_stock(uow, holder).attachments(holder)

    # --- warehouses ---------------------------------------------------------------------

    def add_warehouse(self, warehouse: Warehouse) -> None:
        """Store a new warehouse. Raises ``AlreadyExists`` for a code taken."""
        with self.store.transaction() as uow:
            uow.goods.add_warehouse(warehouse)
            uow.commit()

    def replace_warehouse(self, warehouse: Warehouse) -> None:
        """Change a warehouse (its name, whether it may go negative). Raises ``NotFound``."""
        with self.store.transaction() as uow:
            uow.goods.replace_warehouse(warehouse)
            uow.commit()

    # --- stock movements ----------------------------------------------------------------

    def _one(
        self,
        method: Callable[..., Stock],
        product_code: str,
        warehouse: str,
        *args: object,
        serials: Iterable[str],
        on: date | None,
        holder: Holder | None = None,
        plan_code: str | None = None,
        **kw: object,
    ) -> GoodsOutcome:
        """Move one product with ``method`` of the stock (``Stock.issue``...) and these
        arguments; ``serials`` are read once, as the step may run again."""
        serials = tuple(serials)
        return self._move(
            [product_code],
            lambda stock, catalog, day: method(
                stock, catalog, product_code, warehouse, day, *args, serials=serials, **kw
            ),
            on,
            holder=holder,
            plan_code=plan_code,
        )

    def receive(
        self,
        product_code: str,
        warehouse: str,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        components: Iterable[ComponentSerials] = (),
        reference: str = "",
        on: date | None = None,
    ) -> Movement:
        """Goods arrive in ``warehouse`` (see :meth:`prodlife.goods.Stock.receive`).

        Raises:
            RuleViolation: the movement breaks a rule of :mod:`prodlife.goods.stock`
                (:class:`~prodlife.goods.SerialConflict` for a serial number received before).
            NotFound: the product, the warehouse or a catalog version is missing.
        """
        return self._one(
            Stock.receive, product_code, warehouse, quantity, serials=serials,
            components=tuple(components), reference=reference, on=on,
        ).movements[0]  # fmt: skip

    def reserve(
        self,
        product_code: str,
        warehouse: str,
        holder: Holder,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reference: str = "",
        on: date | None = None,
    ) -> Movement:
        """Set goods aside for ``holder`` (:class:`~prodlife.goods.InsufficientStock` when too
        few are available and the warehouse may not go negative)."""
        return self._one(
            Stock.reserve, product_code, warehouse, holder, quantity, serials=serials,
            reference=reference, on=on,
        ).movements[0]  # fmt: skip

    def release(
        self,
        product_code: str,
        warehouse: str,
        holder: Holder,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reference: str = "",
        on: date | None = None,
    ) -> Movement:
        """Give up goods reserved for ``holder``."""
        return self._one(
            Stock.release, product_code, warehouse, holder, quantity, serials=serials,
            reference=reference, on=on,
        ).movements[0]  # fmt: skip

    def issue(
        self,
        product_code: str,
        warehouse: str,
        holder: Holder,
        ownership: Ownership,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reference: str = "",
        on: date | None = None,
        plan_code: str | None = None,
    ) -> GoodsOutcome:
        """Sell or rent goods to ``holder``, billed through its service when ``plan_code`` names
        the price plan.

        Raises:
            InsufficientStock: too few available, and the warehouse may not go negative.
            SerialConflict: a unit is not in the warehouse, or reserved for another holder.
            RuleViolation, NotFound: as :meth:`receive`; the service or plan is missing,
                or the plan does not price the good.
        """
        return self._one(
            Stock.issue, product_code, warehouse, holder, ownership, quantity, serials=serials,
            reference=reference, on=on, holder=holder, plan_code=plan_code,
        )  # fmt: skip

    def return_from(
        self,
        product_code: str,
        warehouse: str,
        holder: Holder,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reference: str = "",
        on: date | None = None,
        plan_code: str | None = None,
    ) -> GoodsOutcome:
        """Take goods back from ``holder`` into ``warehouse``; a rental billed through its
        service (``plan_code``) stops being charged from that day."""
        return self._one(
            Stock.return_from, product_code, warehouse, holder, quantity, serials=serials,
            reference=reference, on=on, holder=holder, plan_code=plan_code,
        )  # fmt: skip

    def return_rentals(
        self,
        holder: Holder,
        warehouse: str | None = None,
        *,
        reference: str = "",
        on: date | None = None,
        plan_code: str | None = None,
    ) -> GoodsOutcome:
        """Take back everything rented to ``holder`` into ``warehouse`` (by default, each good
        into the warehouse it was issued from).

        A service's rentals come back by themselves when :class:`~prodlife.app.Billing`
        ends it; this is for taking them back earlier, or from a service the store
        does not keep.
        """
        with self.store.transaction(readonly=True) as uow:
            products = uow.goods.products_held(holder)
        return self._move(
            products,
            lambda stock, catalog, day: stock.return_rentals(
                catalog, holder, warehouse, day, reference
            ),
            on,
            holder=holder,
            plan_code=plan_code,
        )

    def release_reservations(
        self, holder: Holder, *, reference: str = "", on: date | None = None
    ) -> GoodsOutcome:
        """Release everything reserved for ``holder`` (see
        :func:`prodlife.goods.release_reservations`).

        A service's reservations are released by themselves when
        :class:`~prodlife.app.Billing` ends it; this is for releasing them earlier, or
        for a service the store does not keep.
        """
        with self.store.transaction(readonly=True) as uow:
            products = uow.goods.products_held(holder)
        return self._move(
            products,
            lambda stock, catalog, day: release_reservations(
                stock, catalog, holder, day, reference
            ),
            on,
        )

    def transfer_holdings(
        self, holder: Holder, to: Holder, *, reference: str = "", on: date | None = None
    ) -> GoodsOutcome:
        """Pass everything ``holder`` holds to ``to``, the same service or job under its new
        customer (see :func:`prodlife.goods.transfer_holdings`).

        A service's goods move by themselves when :class:`~prodlife.app.Billing`
        transfers it; this is for a service the store does not keep, or a job.

        Raises:
            RuleViolation: ``to`` is not the same service or job under another customer
                (rule ``goods.transfer``), or names another customer than the stored
                service's (rule ``goods.holder``).
        """
        with self.store.transaction(readonly=True) as uow:
            products = uow.goods.products_held(holder)
        return self._move(
            products,
            lambda stock, catalog, day: transfer_holdings(
                stock, catalog, holder, to, day, reference
            ),
            on,
        )

    def write_off(
        self,
        product_code: str,
        warehouse: str,
        quantity: int | None = None,
        *,
        serials: Iterable[str] = (),
        reason: str = "",
        reference: str = "",
        on: date | None = None,
    ) -> Movement:
        """Remove lost, broken or scrapped goods from ``warehouse``."""
        return self._one(
            Stock.write_off, product_code, warehouse, quantity, serials=serials,
            reason=reason, reference=reference, on=on,
        ).movements[0]  # fmt: skip
