"""Physical goods' use cases: stock movements, rentals and sales billed, meter readings.

:class:`Goods` ties a :class:`~prodlife.ports.Store` to the host's clock. Each
use case runs in one transaction: it loads the stock of the product moved (with
the kits it is a component of, or a kit's components) and the catalog in force,
records the movement the pure domain (:class:`~prodlife.goods.Stock`) accepted,
and commits. Two workers moving one product at once both load the same stock
and number their movement alike; the store keeps the first and refuses the
second (``ConcurrencyConflict``), which is then redone on what is stored now:
so of two workers issuing the last unit one wins, and the other's issue is
refused with :class:`~prodlife.goods.InsufficientStock`. After ``attempts``
conflicts in a row, ``ConcurrencyConflict`` reaches the caller.

Goods issued to a service, sold or rented, are billed through the service when
a price plan is named (``plan_code=``): the use case puts the service's goods
charges on its timeline (:func:`~prodlife.billing.goods.goods_on_timeline`), bills it,
and saves it with its invoice lines and an ``updated`` event, in the same
transaction as the movement. The events wait in the outbox
(:meth:`prodlife.app.Billing.publish_pending` sends them).

>>> from datetime import UTC, date, datetime
>>> from prodlife import FixedClock
>>> from prodlife.catalog import (Catalog, CatalogVersion, Classification, GoodKind,
...     Product, ProductType)
>>> from prodlife.goods import Holder, Ownership, Warehouse
>>> from prodlife.stores import open_store
>>> good = ProductType("CABLE", "Cable", Classification.PHYSICAL_GOOD,
...                    good_kind=GoodKind.NON_TRACEABLE)
>>> catalog = Catalog([good], [Product("HDMI", "HDMI cable", "CABLE")])
>>> store = open_store("memory:")
>>> goods = Goods(store, clock=FixedClock(datetime(2025, 3, 1, 9, tzinfo=UTC)))
>>> with store.transaction() as uow:
...     uow.catalog.add_version(CatalogVersion("2025", date(2025, 1, 1), catalog))
...     uow.commit()
>>> goods.add_warehouse(Warehouse("MAIN", "Main depot"))
>>> goods.receive("HDMI", "MAIN", 3).describe()
'receive 3 x HDMI into MAIN on 2025-03-01'
>>> _ = goods.issue("HDMI", "MAIN", Holder.job("J-1", "C-1"), Ownership.SALE, 2)
>>> goods.balance("HDMI")
Balance(on_hand=1, reserved=0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import TypeVar

import attrs

from prodlife.billing.goods import goods_on_timeline
from prodlife.catalog import Catalog, FixedBundle
from prodlife.clock import Clock, as_utc
from prodlife.cycles import BillingSchedule
from prodlife.errors import ConcurrencyConflict, RuleViolation, ValidationError
from prodlife.goods import (
    Attachment,
    Balance,
    BundleCapacity,
    ComponentSerials,
    Holder,
    HolderKind,
    MeterLog,
    MeterResult,
    Movement,
    Ownership,
    Stock,
    Unit,
    Warehouse,
    bundle_capacity,
    good_charges,
    read_meter,
)
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.scheduler import SchedulerPolicy, next_work_date
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.timelines import BASE, billed, schedule_for
from prodlife.lifecycle.transitions import Operation
from prodlife.ports import Store, UnitOfWork
from prodlife.pricing.meters import ConversionPolicy, MeterReadingType
from prodlife.pricing.usage import UsageCatalog, UsageRecord

__all__ = ["Goods", "GoodsOutcome"]

R = TypeVar("R")
#: One stock operation of the domain: the stock, catalog and day in, the new stock out.
Step = Callable[[Stock, Catalog, date], Stock]


@attrs.frozen(slots=True)
class GoodsOutcome:
    """What a stock use case did.

    Attributes:
        movements: the movements it recorded, in order.
        billed: for goods of a service billed through a price plan, what billing
            it did (the service saved, its new invoice lines, its event); else ``None``.
    """

    movements: tuple[Movement, ...]
    billed: Outcome | None = None


def _on(
    method: Callable[..., Stock], product_code: str, warehouse: str, *args: object, **kw: object
) -> Step:
    """The step calling ``method`` of the stock (``Stock.issue``...) with these arguments."""
    return lambda stock, catalog, day: method(
        stock, catalog, product_code, warehouse, day, *args, **kw
    )


def _family(catalog: Catalog, product_code: str) -> set[str]:
    """The product, the fixed bundles (kits) holding it and, for a kit, its components."""
    codes = {product_code}
    for bundle in catalog.bundles:
        if not isinstance(bundle, FixedBundle):
            continue
        if bundle.product_code == product_code:
            codes |= set(bundle.quantities)
        elif product_code in bundle.quantities:
            codes.add(bundle.product_code)
    return codes


def _schedule(service: Service, at: datetime) -> BillingSchedule:
    """The schedule the service's recurring price is billed on (rentals follow it)."""
    day = today(service, at)
    for track in service.timeline.tracks:
        if track.subject == BASE and track.rates:
            rate = track.rate_on(day) or track.rates[-1]
            return rate.schedule
    return schedule_for(service.cycle, service.start, service.next_due)


class Goods:
    """The physical goods' use cases over one store (see the module).

    Args:
        store: where everything is kept (see :func:`prodlife.stores.open_store`).
        clock: where "now" comes from; a movement's day is today's UTC date
            unless given (``on=``), and billing happens now.
        policy: the scheduler's settings (the due date a billed service is saved with).
        attempts: how many times a use case is tried when a concurrent writer
            moved the same goods first (1 or more).
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        policy: SchedulerPolicy | None = None,
        attempts: int = 5,
    ) -> None:
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValidationError(f"attempts {attempts!r} must be a whole number >= 1")
        self.store = store
        self.clock = clock
        self.policy = SchedulerPolicy() if policy is None else policy
        self.attempts = attempts

    # --- reading ------------------------------------------------------------------------

    def warehouses(self) -> list[Warehouse]:
        """Every warehouse, ordered by code."""
        with self.store.transaction(readonly=True) as uow:
            return uow.goods.warehouses()

    def stock(self, product_codes: Iterable[str]) -> Stock:
        """The warehouses and every movement of these products (their kits' and components'
        too), as one :class:`~prodlife.goods.Stock`."""
        with self.store.transaction(readonly=True) as uow:
            catalog = self._catalog(uow)
            codes = {c for p in product_codes for c in _family(catalog, p)}
            return Stock(uow.goods.warehouses(), uow.goods.movements(sorted(codes)))

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

    def meter_log(self, product_code: str, serial: str, reading_type: str) -> MeterLog:
        """The readings of a unit's meter, in time order."""
        with self.store.transaction(readonly=True) as uow:
            return uow.goods.meter_log(product_code, serial, reading_type)

    def usage_records(self, customer_id: str) -> list[UsageRecord]:
        """The usage records the customer's meter readings gave, by reading time."""
        with self.store.transaction(readonly=True) as uow:
            return uow.goods.usage_records(customer_id)

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
        serials, parts = tuple(serials), tuple(components)
        outcome = self._move(
            [product_code],
            _on(
                Stock.receive,
                product_code,
                warehouse,
                quantity,
                serials=serials,
                components=parts,
                reference=reference,
            ),
            on,
        )
        return outcome.movements[0]

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
        serials = tuple(serials)
        outcome = self._move(
            [product_code],
            _on(
                Stock.reserve,
                product_code,
                warehouse,
                holder,
                quantity,
                serials=serials,
                reference=reference,
            ),
            on,
        )
        return outcome.movements[0]

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
        serials = tuple(serials)
        outcome = self._move(
            [product_code],
            _on(
                Stock.release,
                product_code,
                warehouse,
                holder,
                quantity,
                serials=serials,
                reference=reference,
            ),
            on,
        )
        return outcome.movements[0]

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
        serials = tuple(serials)
        return self._move(
            [product_code],
            _on(
                Stock.issue,
                product_code,
                warehouse,
                holder,
                ownership,
                quantity,
                serials=serials,
                reference=reference,
            ),
            on,
            holder=holder,
            plan_code=plan_code,
        )

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
        serials = tuple(serials)
        return self._move(
            [product_code],
            _on(
                Stock.return_from,
                product_code,
                warehouse,
                holder,
                quantity,
                serials=serials,
                reference=reference,
            ),
            on,
            holder=holder,
            plan_code=plan_code,
        )

    def return_rentals(
        self,
        holder: Holder,
        warehouse: str,
        *,
        reference: str = "",
        on: date | None = None,
        plan_code: str | None = None,
    ) -> GoodsOutcome:
        """Take back everything rented to ``holder`` (call it when its service is cancelled)."""
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
        serials = tuple(serials)
        outcome = self._move(
            [product_code],
            _on(
                Stock.write_off,
                product_code,
                warehouse,
                quantity,
                serials=serials,
                reason=reason,
                reference=reference,
            ),
            on,
        )
        return outcome.movements[0]

    def bill(self, holder: Holder, plan_code: str) -> Outcome | None:
        """Bring the goods charges of ``holder``'s service up to date and bill it (e.g. after
        movements recorded without ``plan_code``); ``None`` when nothing changed."""
        with self.store.transaction(readonly=True) as uow:
            products = uow.goods.products_held(holder)
        return self._move(
            products, lambda stock, catalog, day: stock, None, holder, plan_code
        ).billed

    # --- meter readings -------------------------------------------------------------------

    def read_meter(
        self,
        product_code: str,
        serial: str,
        value: Decimal | int | str,
        at: datetime,
        reading_type: MeterReadingType,
        policies: Iterable[ConversionPolicy],
        usage_catalogs: Iterable[UsageCatalog],
        *,
        termed_service_code: str | None = None,
        catalog_code: str | None = None,
        reference: str = "",
        zone: str | tzinfo = "UTC",
    ) -> MeterResult:
        """Record a reading of an installed unit's meter and store the usage record it gives.

        See :func:`prodlife.goods.read_meter` for the arguments.

        Raises:
            DuplicateReading: the meter already has a reading at ``at`` (also when a
                concurrent writer stored it first): it is neither stored nor charged twice.
            RuleViolation, NotFound: as :func:`prodlife.goods.read_meter`.
        """
        policies, usage_catalogs = tuple(policies), tuple(usage_catalogs)

        def work(uow: UnitOfWork) -> MeterResult:
            catalog = self._catalog(uow)
            codes = sorted(_family(catalog, product_code))
            stock = Stock(uow.goods.warehouses(), uow.goods.movements(codes))
            log = uow.goods.meter_log(product_code, serial, reading_type.code)
            result = read_meter(
                stock, catalog, log, value, at, reading_type, policies, usage_catalogs,
                termed_service_code=termed_service_code, catalog_code=catalog_code,
                reference=reference, zone=zone,
            )  # fmt: skip
            uow.goods.add_reading(log.meter, len(log.readings), result.reading, result.record)
            return result

        return self._retried(work)

    # --- plumbing -----------------------------------------------------------------------

    def _now(self) -> datetime:
        return as_utc(self.clock.now())

    def _catalog(self, uow: UnitOfWork, day: date | None = None) -> Catalog:
        when = self._now().date() if day is None else day
        return uow.catalog.versions().in_force(when).catalog

    def _held_stock(self, uow: UnitOfWork, holder: Holder) -> Stock:
        catalog = self._catalog(uow)
        codes = {c for p in uow.goods.products_held(holder) for c in _family(catalog, p)}
        return Stock(uow.goods.warehouses(), uow.goods.movements(sorted(codes)))

    def _retried(self, work: Callable[[UnitOfWork], R]) -> R:
        """``work`` in a transaction, committed; run again on a ``ConcurrencyConflict``."""
        for attempt in range(self.attempts):
            try:
                with self.store.transaction() as uow:
                    result = work(uow)
                    uow.commit()
                return result
            except ConcurrencyConflict:
                if attempt == self.attempts - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

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
            codes = {c for p in product_codes for c in _family(catalog, p)}
            stock = Stock(uow.goods.warehouses(), uow.goods.movements(sorted(codes)))
            new = step(stock, catalog, day)
            added = new.movements[len(stock.movements) :]
            for movement in added:
                uow.goods.record(movement)
            billed_outcome = None
            if plan_code is not None and holder is not None:
                billed_outcome = self._bill(uow, new, holder, plan_code, at)
            return GoodsOutcome(tuple(added), billed_outcome)

        return self._retried(work)

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
        plan = uow.price_plans.get(plan_code)
        charges = good_charges(stock, holder, plan, service.cycle)
        schedule = _schedule(service, at)
        timeline = goods_on_timeline(service.timeline, charges, schedule)
        if timeline == service.timeline:
            return None
        done = service.perform(Operation.INVOICE, Actor.system(), at, details="goods charges")
        changed = attrs.evolve(done, timeline=timeline)
        updated = event(changed, EventKind.UPDATED, at, (("goods", plan_code),))
        outcome = billed(Outcome(changed, (updated,)), today(service, at))
        saved = outcome.service
        due_on = next_work_date(saved, self.policy)
        uow.services.save(saved, expected_version=service.version, due_on=due_on)
        if outcome.lines:
            uow.invoice_lines.add(outcome.lines, product_code=saved.product_code, issued_at=at)
        uow.events.add(outcome.events)
        return outcome
