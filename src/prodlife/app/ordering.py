"""The use cases of :class:`~prodlife.app.Billing` that add to the store.

New catalog versions (their products stamped), services made elsewhere, and
orders placed, priced and turned into services (promo codes counted once).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from prodlife.app._base import BillingBase, log
from prodlife.app._issuing import issue, journal
from prodlife.app.scheduling import EARLIEST_ZONE
from prodlife.billing.lines import InvoiceLine
from prodlife.billing.prorata import Prorata
from prodlife.catalog._findings import raise_first
from prodlife.catalog.catalog import Catalog, CatalogVersion
from prodlife.catalog.records import stamp_products
from prodlife.errors import NotFound, ValidationError
from prodlife.lifecycle.actors import Action, Actor, authorize_action, may
from prodlife.lifecycle.domains import is_domain
from prodlife.lifecycle.fixed_terms import with_fixed_term
from prodlife.lifecycle.issuing import owing, plan
from prodlife.lifecycle.order_quotes import OrderQuote, price_order
from prodlife.lifecycle.ordered_services import first_invoice_day, services_for
from prodlife.lifecycle.orders import Order
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.overrides import overrides, require_reason, with_overrides
from prodlife.lifecycle.provisioning_providers import check_providers
from prodlife.lifecycle.reselling import check_reseller_order, check_reseller_plan
from prodlife.lifecycle.scheduler import next_work_date
from prodlife.lifecycle.selling import check_order, expand_bundles
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.terms import under_terms
from prodlife.lifecycle.timelines import billed
from prodlife.periods import billing_date
from prodlife.ports import ServiceQuery, UnitOfWork
from prodlife.pricing.plan_context import context_from_plan
from prodlife.pricing.quote import PricingContext
from prodlife.pricing.redemption import PromotionUse, check_promotion, find_promotion
from prodlife.pricing.tax_rules import Location


def _version_before(uow: UnitOfWork, day: date) -> Catalog:
    """The catalog of the last version stored that takes effect before ``day`` (or an empty one)."""
    try:
        versions = uow.catalog.versions().versions
    except NotFound:
        return Catalog()
    earlier = [v for v in versions if v.effective < day]
    return earlier[-1].catalog if earlier else Catalog()


def _with_fixed_terms(uow: UnitOfWork, services: tuple[Service, ...]) -> tuple[Service, ...]:
    """``services`` ending when their products' fixed terms say (none without a catalog)."""
    if not services:
        return services
    try:
        catalog = uow.catalog.versions().in_force(services[0].start).catalog
    except NotFound:
        return services
    found = []
    for service in services:
        try:
            days = catalog.product(service.product_code).fixed_term_days
        except NotFound:
            days = None
        found.append(service if days is None else with_fixed_term(service, days))
    return tuple(found)


class Ordering(BillingBase):
    """Billing's use cases that add catalog versions, services and orders."""

    def add_catalog_version(self, version: CatalogVersion) -> None:
        """Store a new catalog version, its products stamped with the clock's now; the
        store checks it as a catalog file and against the stored versions
        (:func:`~prodlife.catalog.data.check_new_version`).

        Each product gets its created / last-modified instants against the
        version before this one (:func:`~prodlife.catalog.stamp_products`): new
        products are created now, changed ones modified now, unchanged ones
        keep their stamps.

        Raises:
            InvalidCatalog: a value a catalog file could not hold (a NaN, a bool
                for a number...), or a version with the effective date of a
                stored one (rule ``version.same-day``).
            AlreadyExists: the name is taken.
            ValidationError: ``version`` is not a :class:`~prodlife.catalog.CatalogVersion`.
        """
        if not isinstance(version, CatalogVersion) or not isinstance(version.catalog, Catalog):
            raise ValidationError(
                f"a {type(version).__name__} is not a CatalogVersion of a Catalog; pass one"
            )
        with self.store.transaction() as uow:
            previous = _version_before(uow, version.effective)
            stamped = stamp_products(version.catalog, previous, self._now())
            uow.catalog.add_version(attrs.evolve(version, catalog=stamped))
            uow.commit()

    def withdraw_catalog_version(self, name: str) -> CatalogVersion:
        """Withdraw the stored catalog version ``name`` before it takes effect; return it.

        It may be withdrawn while no customer anywhere has reached its
        effective date (the clock's today in the earliest time zone, UTC+14):
        nothing was sold under it. Its name is never used again.

        Raises:
            NotFound: no stored version has that name.
            RuleViolation: it is in force already, or was (rule ``version.in-force``).
        """
        today = billing_date(self._now(), EARLIEST_ZONE)
        with self.store.transaction() as uow:
            uow.catalog.versions().withdrawable(name, today)
            withdrawn = uow.catalog.withdraw_version(name)
            uow.commit()
        log.info("catalog version %s withdrawn", name)
        return withdrawn

    def add_services(self, services: Iterable[Service]) -> None:
        """Store services made elsewhere (an import, a migration), all or none.

        A host's administrative call, not a request's: it takes no actor and keeps
        the services as given, prices included (what the other system billed); a
        host offers it to its own operators only.

        Raises:
            AlreadyExists: an id is taken (nothing is stored).
        """
        with self.store.transaction() as uow:
            for service in services:
                uow.services.add(service, due_on=next_work_date(service, self.policy))
            uow.commit()

    def place_order(
        self,
        order: Order,
        context: PricingContext,
        actor: Actor,
        *,
        first_id: int = 1,
        id_prefix: str | None = None,
        zone: str = "UTC",
        scheme: str | None = None,
        prorata: Prorata | None = None,
        subscription: str | None = None,
        location: Location | None = None,
        reseller: str | None = None,
        reason: str = "",
    ) -> tuple[OrderQuote, tuple[Service, ...]]:
        """Price and store ``order`` and the pending services it creates, all or nothing.

        A line of quantity N creates N services, with ids ``id_prefix`` (the
        order id and a dash by default) followed by ``first_id``, ``first_id + 1``...
        When the order's options ask for an invoice, each service is billed at
        once by the engine (its first period, setup fee, add-ons, domains, with
        the promotion, discounts and taxes of ``context``), its lines on the
        customer's numbered invoices, each announced by an ``invoice issued``
        event; otherwise the
        scheduler bills it when it runs. Each service keeps the policy's
        ``invoice_days_before`` on its timeline. Each promo code is checked against its limits with
        the uses stored (inside the transaction, so two orders cannot both take
        the last use) and counted once for the order. With the code of a billing
        term ``scheme`` of that catalog version, each service is made as its
        product's term says
        (:func:`~prodlife.lifecycle.terms.under_terms`). A service of a product
        with a fixed term in the catalog in force on its start ends that many
        days after it (:func:`~prodlife.lifecycle.fixed_terms.with_fixed_term`).
        With ``prorata``,
        month-based services are billed on its day of the month, their first
        invoice a stub to it (and the next whole period for an order after its
        ``charge_next_after`` day).

        The catalog version in force on the order's billing date must offer
        every line (:func:`~prodlife.lifecycle.selling.check_order`: product,
        edition, add-ons and their limits, the product's ``max_per_customer``
        against the customer's live services, the products of the
        ``subscription`` type (a code of that catalog version) when the order
        is placed for that offering, each provisionable one
        known to one of its providers; hidden products only for staff), and
        the order is priced on its billing date from the stored price plan of
        ``context.plan``'s code, whatever plan and date ``context`` holds:
        its rows, options, discounts, taxes, price basis and rounding
        (:func:`~prodlife.pricing.context_from_plan`; a context bringing
        terms of its own is refused; a plan taxing by location takes the
        customer's ``location``), its promotions from the store and its
        domains from the TLD price table of that catalog version, whatever
        table ``context`` holds. Price overrides (on a line or a domain) are
        staff's, with ``prices: set`` and a ``reason``, recorded in the
        history of each service they price. Whether the customer is new (for
        new-customers-only codes) is read from the store.

        An order placed through a ``reseller`` (seed 000) holds only what its
        stored offering sells, within its limits, and is priced from its plan
        (:func:`~prodlife.lifecycle.reselling.check_reseller_order`; rules
        ``reseller.*``).

        A bundle line (seed 004) creates the bundle's services and, after
        them, its components' (:func:`~prodlife.lifecycle.selling.expand_bundles`):
        a fixed bundle's components, or the flexible bundle's
        :attr:`~prodlife.lifecycle.OrderLine.selection`, checked against its
        pools and restrictions. Each component's services are priced from the
        plan as components and billed like any ordered service; the order is
        stored and quoted with its component lines. Each component's service
        names its bundle's (:attr:`Service.bundle_id
        <prodlife.lifecycle.Service.bundle_id>`), and follows it: see
        :meth:`perform`.

        Each service records the catalog version and the plan row it was sold
        under (:attr:`Service.sold_under <prodlife.lifecycle.Service.sold_under>`):
        it keeps that price until a later version's ``existing_move_on``, when
        its renewal moves it to the plan's price then (:meth:`run_due`).

        Raises:
            PermissionDenied: a customer ordering for another customer, staff
                without the permission to take orders, or a price override by
                anyone but staff with ``prices: set``.
            RuleViolation: the catalog does not offer a line (rules ``offer.*``,
                ``addon.*``, and ``bundle.selection`` for a bundle's selection),
                ``context`` brings options, discounts, taxes, a basis or a
                rounding other than the stored plan's (rule
                ``pricing.stored-terms``), or a price override without a
                ``reason`` (rule ``price.reason``), the reseller does not sell
                a line (rules ``reseller.*``), or none of ``subscription``'s
                providers knows a provisionable product (rule
                ``subscription.provider``).
            NotFound: no catalog version in force, no such stored price plan,
                no offering of ``reseller``, no such ``subscription`` type or
                billing term ``scheme`` in the catalog version in force, or no TLD
                price for a domain without a price override.
            PromotionRefused: a promo code's limits are reached.
            AlreadyExists: the order id or a service id is taken (nothing is
                stored); otherwise whatever :func:`~prodlife.lifecycle.price_order`
                or :func:`~prodlife.lifecycle.services_for` refuses.
            PublishFailed: the order was saved, but the notifier refused the events
                of its invoices (:attr:`EventKind.INVOICE_ISSUED
                <prodlife.lifecycle.events.EventKind.INVOICE_ISSUED>`, marked for e-mail
                as ``options.send_invoice_email`` says); they wait in the outbox.
        """
        authorize_action(actor, Action.ORDER, owner_customer_id=order.customer_id)
        overridden = overrides(order)
        if overridden:
            authorize_action(actor, Action.SET_PRICES)
            require_reason(reason, "a price set by hand on an order")
        hidden_ok = may(actor, Action.ORDER_HIDDEN)
        prefix = f"{order.id}-" if id_prefix is None else id_prefix
        at = self._now()
        placed: list[Service] = []
        with self.store.transaction() as uow:
            day = billing_date(order.placed_at, zone)
            version = uow.catalog.versions().in_force(day)
            catalog = version.catalog
            offer = None if subscription is None else catalog.subscription_type(subscription)
            terms = None if scheme is None else catalog.term_scheme(scheme)
            held = uow.services.find(ServiceQuery(customer_id=order.customer_id))
            if reseller is not None:
                offering = uow.offerings.get(reseller)
                check_reseller_plan(offering, context.plan.code)
                check_reseller_order(offering, order, held=held)
            check_order(
                catalog,
                order,
                day,
                hidden_ok=hidden_ok,
                held=held,
                subscription=offer,
            )
            stored = uow.price_plans.get(context.plan.code)
            order = expand_bundles(catalog, stored, order, day)
            sold = [catalog.product(line.spec.product_code) for line in order.lines]
            context = attrs.evolve(
                context_from_plan(stored, day, given=context, location=location, products=sold),
                promotions=uow.promotions.all(),
                customer_is_new=self._is_new(uow, order.customer_id),
                tld_prices=catalog.tld_table,
            )
            if offer is not None:
                codes = [line.spec.product_code for line in order.lines]
                raise_first(check_providers(catalog, offer, codes), offer.code)
            quote = price_order(order, context)
            services = services_for(
                order,
                quote,
                first_id=first_id,
                id_prefix=prefix,
                zone=zone,
                context=context,
                invoice_days_before=self.policy.invoice_days_before,
                dunning=self.policy.dunning,
                prorata=prorata,
                catalog_version=version.name,
            )
            if terms is not None:  # a scheme bills the subscription's products, not domains
                services = tuple(
                    service if is_domain(service) else under_terms(service, terms)
                    for service in services
                )
            self._use_promotions(uow, order, quote, billing_date(at, zone), context)
            services = _with_fixed_terms(uow, services)
            if overridden:
                services = with_overrides(order, services, actor, at, reason)
            uow.orders.add(order)
            issued: list[tuple[Service, tuple[InvoiceLine, ...]]] = []
            for service in services:
                lines: tuple[InvoiceLine, ...] = ()
                if order.options.generate_invoice:
                    first = billed(Outcome(service), first_invoice_day(service))
                    service, lines = first.service, first.lines
                issued.append((service, lines))
            planned = plan(issued, at, self.invoicing)
            for service, _ in issued:
                service = owing(service, planned.owed.get(service.id))
                uow.services.add(service, due_on=next_work_date(service, self.policy))
                placed.append(service)
            invoiced = issue(uow, planned, at)
            journal(uow, issued, at)
            events = invoiced.events(at, send_email=order.options.send_invoice_email)
            if events:
                uow.events.add(events)
            uow.commit()
        self._settle(invoiced.paid)
        log.info("order %s by %s: %d services, %s", order.id, actor, len(placed), quote.total)
        return self._published((quote, tuple(placed)))

    @staticmethod
    def _is_new(uow: UnitOfWork, customer_id: str) -> bool:
        """Whether the customer has no services and no orders yet."""
        none_held = uow.services.count(ServiceQuery(customer_id=customer_id)) == 0
        return none_held and not uow.orders.for_customer(customer_id)

    def _use_promotions(
        self,
        uow: UnitOfWork,
        order: Order,
        quote: OrderQuote,
        day: date,
        context: PricingContext,
    ) -> None:
        """Check each promo code of ``order`` against the stored uses, then count it once.

        The codes' uses are first counted in code order: on PostgreSQL counting locks a
        code's row until commit, so two orders naming the same codes in another order wait
        for each other instead of deadlocking."""
        stored = uow.promotions.all()
        wanted = [
            (line, priced, find_promotion(stored, code))
            for line, priced in zip(order.lines, quote.lines, strict=True)
            if (code := order.spec_for(line).promo_code) is not None
        ]
        for code in sorted({promotion.code for _, _, promotion in wanted}):
            uow.promotions.uses(code)
        codes: set[str] = set()
        for line, priced, promotion in wanted:
            use = PromotionUse(
                on=day,
                product_code=line.spec.product_code,
                cycle=priced.quote.cycle,
                customer_id=order.customer_id,
                uses_so_far=uow.promotions.uses(promotion.code),
                customer_uses_so_far=uow.promotions.uses(promotion.code, order.customer_id),
                customer_is_new=context.customer_is_new,
            )
            check_promotion(promotion, use)
            codes.add(promotion.code)
        for code in sorted(codes):
            uow.promotions.record_use(code, order.customer_id, order.id)
