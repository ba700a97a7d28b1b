"""The pending services an order creates (:func:`services_for`), each with its timeline:
its recurring price, options, add-ons, setup fee, promotion, discounts and taxes, and a
domain service per domain line. See :mod:`prodlife.lifecycle.orders` for the order and its
decisions, :mod:`prodlife.lifecycle.order_quotes` for its price.
"""

from __future__ import annotations

import decimal
from datetime import date, tzinfo

from prodlife._numbers import is_whole
from prodlife.billing.lines import LineType
from prodlife.billing.offers import additive_discount, promotion_discount
from prodlife.billing.prorata import Prorata
from prodlife.billing.timeline import Discount, OneTimeCharge, Rate, Timeline, Track
from prodlife.cycles import BillingCycle, BillingSchedule
from prodlife.errors import ProdlifeError, RuleViolation
from prodlife.lifecycle.domains import domain_service
from prodlife.lifecycle.order_quotes import LineQuote, OrderQuote
from prodlife.lifecycle.orders import DomainLine, Order, OrderStatus
from prodlife.lifecycle.sale import SoldUnder
from prodlife.lifecycle.service_parts import (
    Dunning,
    ServiceAddOn,
    ServiceInvoicing,
    ServiceOption,
)
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ORDERED
from prodlife.lifecycle.timelines import BASE, package_label, schedule_for
from prodlife.money import Money
from prodlife.periods import billing_date
from prodlife.pricing.quote import (
    OrderLineSpec,
    PriceLineKind,
    PriceQuote,
    PricingContext,
)
from prodlife.pricing.recurring import RecurringPrice
from prodlife.pricing.redemption import find_promotion
from prodlife.pricing.taxes import PriceBasis, TaxRate

__all__ = ["first_invoice_day", "services_for"]


def _amount(quote: PriceQuote, kind: PriceLineKind, subject: str) -> Money:
    return next(
        line.amount for line in quote.lines if line.kind is kind and line.subject == subject
    )


def _timeline(
    service_id: str,
    customer_id: str,
    start: date,
    spec: OrderLineSpec,
    priced: LineQuote,
    context: PricingContext | None,
    invoice_days_before: int,
    prorata: Prorata | None,
) -> Timeline:
    """What one ordered service is entitled to: its order line's quote, on the timeline."""
    quote, cycle = priced.quote, priced.quote.cycle
    label = package_label(spec.product_code, spec.edition)
    tracks: list[Track] = []
    one_time: list[OneTimeCharge] = []
    recurring = _amount(quote, PriceLineKind.RECURRING, spec.product_code)
    listed = "quoted" if context is None else f"plan {context.plan.code}"
    source = "override" if spec.price_override is not None else listed
    schedule = _schedule(start, cycle, prorata) if cycle.is_recurring else None
    if schedule is None:
        one_time.append(OneTimeCharge(BASE, label, recurring, start))
    else:
        rates = _rates(start, cycle, prorata, recurring, label, source)
        tracks.append(Track.of(LineType.RECURRING, BASE, *rates))
    for line in quote.lines:
        if line.kind is PriceLineKind.SETUP:
            one_time.append(OneTimeCharge(BASE, f"{label} {line.description}", line.amount, start))
        elif line.kind is PriceLineKind.OPTION:
            if schedule is None:
                one_time.append(OneTimeCharge(line.subject, line.description, line.amount, start))
            else:
                rates = _rates(start, cycle, prorata, line.amount, line.description, listed)
                tracks.append(Track.of(LineType.OPTION, line.subject, *rates))
    for pick, addon_cycle in zip(spec.addons, priced.addon_cycles, strict=True):
        amount = _amount(quote, PriceLineKind.ADDON, pick.code)
        what = f"add-on {pick.code}" + (f" x {pick.quantity}" if pick.quantity != 1 else "")
        if addon_cycle.is_recurring:
            rates = _rates(start, addon_cycle, prorata, amount, what, listed)
            tracks.append(Track.of(LineType.ADDON, pick.code, *rates))
        else:
            one_time.append(OneTimeCharge(pick.code, what, amount, start))
    discounts: list[Discount] = []
    taxes: tuple[TaxRate, ...] = ()
    basis = PriceBasis.EXCLUSIVE
    if context is not None:
        if spec.promo_code is not None and schedule is not None:
            promotion = find_promotion(context.promotions, spec.promo_code)
            discounts.append(promotion_discount(promotion, start, schedule, {BASE}))
        for additive in context.discounts:
            valid = additive.validity.end is None or additive.validity.end > start
            if valid and (not additive.products or spec.product_code in additive.products):
                discounts.append(additive_discount(additive, start, {BASE}))
        taxes, basis = context.taxes, context.basis
    return Timeline(
        service_id,
        customer_id,
        start,
        tracks=tracks,
        discounts=discounts,
        one_time=one_time,
        taxes=taxes,
        tax_basis=basis,
        rounding=context.rounding if context is not None else decimal.ROUND_HALF_UP,
        invoice_days_before=invoice_days_before,
    )


def _first_due(start: date, cycle: BillingCycle, prorata: Prorata | None) -> date | None:
    """The end of what the first invoice of a service on ``cycle`` covers."""
    if prorata is not None and prorata.applies_to(cycle):
        return prorata.first_periods(start, cycle).first_due
    return cycle.shift(start, 1) if cycle.is_recurring else None


def _schedule(start: date, cycle: BillingCycle, prorata: Prorata | None) -> BillingSchedule:
    """The periods of a service (or add-on) on recurring ``cycle``, aligned by ``prorata``."""
    if prorata is not None and prorata.applies_to(cycle):
        return prorata.first_periods(start, cycle).schedule
    return schedule_for(cycle, start)


def _rates(
    start: date,
    cycle: BillingCycle,
    prorata: Prorata | None,
    amount: Money,
    what: str,
    source: str,
) -> tuple[Rate, ...]:
    """A recurring price of ``amount`` on ``cycle`` from ``start``, aligned by ``prorata``."""
    if prorata is not None and prorata.applies_to(cycle):
        return prorata.first_periods(start, cycle).rates(start, amount, what, source)
    return (Rate(start, None, amount, schedule_for(cycle, start), what, source),)


def first_invoice_day(service: Service) -> date:
    """The day an ordered service's first invoice is billed on: it covers up to its next due date.

    That is its start, or, when its first invoice also pays the next whole
    period (prorata billing's "charge next month"), the start of that period.
    """
    if service.next_due is None:
        return service.start
    return max(service.start, service.due_date(-1))


def services_for(
    order: Order,
    quote: OrderQuote,
    *,
    first_id: int = 1,
    id_prefix: str = "S-",
    zone: str | tzinfo = "UTC",
    context: PricingContext | None = None,
    invoice_days_before: int = 0,
    dunning: Dunning | None = None,
    prorata: Prorata | None = None,
    catalog_version: str | None = None,
) -> tuple[Service, ...]:
    """The pending (ordered) services ``order`` creates: ``line.services`` per product line.

    Ids are ``id_prefix`` followed by ``first_id``, ``first_id + 1``... in line
    order. Services start on the billing date the order was placed on in the
    customer's time ``zone`` (UTC unless given). Each service carries its line's
    quote on its timeline: the recurring price on its cycle, options, add-ons
    on their own cycles, the setup fee; with the pricing ``context`` the order
    was priced in, the promo code for the payments it covers, the additive
    discounts over their validity and the taxes. Each domain line becomes a
    domain service after them (:func:`~prodlife.lifecycle.domains.domain_service`),
    its first term at the line's price, its renewals at the TLD table's renewal
    price (the price override when the line has one), with the taxes.
    Nothing is invoiced yet: bill the services
    (:func:`~prodlife.lifecycle.timelines.billed`) for the order's invoice.

    Args:
        invoice_days_before: how many days before a period starts each
            service's invoice is issued (kept on its timeline).
        dunning: each service's grace periods before suspension and
            termination for non-payment (kept on it).
        prorata: bill month-based services (and their options) on one day of
            the month: the first period is a stub to that day, priced against
            the whole period ending there, and a service ordered after its
            ``charge_next_after`` day is due only after the following whole
            period (:class:`~prodlife.billing.prorata.Prorata`). The
            month-based add-ons of an aligned service are billed on the same
            day, their first invoice covering as much; other cycles keep their
            start, and so do the add-ons of a service that is not aligned.
        catalog_version: the name of the catalog version the order was checked
            against; with ``context``, each service records it and the plan row
            that priced it (:attr:`Service.sold_under
            <prodlife.lifecycle.Service.sold_under>`).

    The services of a bundle's component lines (each following its bundle's
    line, :func:`~prodlife.lifecycle.selling.expand_bundles`) name their
    bundle's service (:attr:`Service.bundle_id
    <prodlife.lifecycle.Service.bundle_id>`): the ``k``-th bundle service of the
    line holds the ``k``-th share of each component line's services.

    Raises:
        RuleViolation: ``quote`` is not this order's (rule ``order.quote``), the
            order is cancelled or fraud (rule ``order.status``), or a bad
            ``first_id`` (rule ``order.services``).
    """
    if (
        quote.order_id != order.id
        or len(quote.lines) != len(order.lines)
        or any(
            q.quote.product_code != line.spec.product_code or q.services != line.services
            for q, line in zip(quote.lines, order.lines, strict=True)
        )
    ):
        raise RuleViolation(
            "order.quote", f"the quote is not order {order.id}'s; price it with price_order"
        )
    if order.status in (OrderStatus.CANCELLED, OrderStatus.FRAUD):
        raise RuleViolation("order.status", f"order {order.id} is {order.status}: no services")
    if not is_whole(first_id, 0):
        raise RuleViolation("order.services", f"first id {first_id!r} must be a whole number >= 0")
    start = billing_date(order.placed_at, zone)
    boxes = order.options
    invoicing = (
        ServiceInvoicing(boxes.separate_invoices, boxes.activate_on_payment)
        if boxes.separate_invoices or boxes.activate_on_payment
        else None
    )
    made: list[Service] = []
    bundles: list[str] = []  # the services of the last line that is not a component
    for line, priced in zip(order.lines, quote.lines, strict=True):
        spec, cycle = line.spec, priced.quote.cycle
        first_of_line = len(made)
        sold = (
            None if context is None else _sold_under(catalog_version, context, spec, cycle, start)
        )
        # Add-ons follow their service: aligned when it is, on their own cycles.
        aligned = prorata if prorata is not None and prorata.applies_to(cycle) else None
        recurring = _amount(priced.quote, PriceLineKind.RECURRING, spec.product_code)
        price = RecurringPrice.at_order(recurring, spec.price_override)
        addons = tuple(
            ServiceAddOn(
                pick.code,
                addon_cycle,
                start,
                _first_due(start, addon_cycle, aligned),
                ORDERED,
                price=RecurringPrice.at_order(
                    _amount(priced.quote, PriceLineKind.ADDON, pick.code)
                ),
            )
            for pick, addon_cycle in zip(spec.addons, priced.addon_cycles, strict=True)
        )
        options = tuple(
            ServiceOption(
                p.option,
                p.choice,
                p.quantity,
                _amount(priced.quote, PriceLineKind.OPTION, p.option),
            )
            for p in spec.options
        )
        share = line.services // len(bundles) if spec.as_component and bundles else 0
        for index in range(line.services):
            service_id = f"{id_prefix}{first_id + len(made)}"
            bundle_id = bundles[min(index // share, len(bundles) - 1)] if share else None
            timeline = _timeline(
                service_id,
                order.customer_id,
                start,
                spec,
                priced,
                context,
                invoice_days_before,
                aligned,
            )
            made.append(
                Service(
                    id=service_id,
                    customer_id=order.customer_id,
                    product_code=spec.product_code,
                    edition=spec.edition,
                    cycle=cycle,
                    quantity=spec.quantity,
                    price=price,
                    options=options,
                    addons=addons,
                    domain=line.domain,
                    payment_method=order.payment_method,
                    start=start,
                    next_due=_first_due(start, cycle, aligned),
                    status=ORDERED,
                    timeline=timeline,
                    dunning=dunning,
                    invoicing=invoicing,
                    bundle_id=bundle_id,
                    sold_under=sold,
                )
            )
        if not spec.as_component:
            bundles = [service.id for service in made[first_of_line:]]
    for domain, paid in zip(order.domains, quote.domain_prices, strict=True):
        made.append(
            domain_service(
                domain,
                paid,
                _renewal(domain, paid, context),
                service_id=f"{id_prefix}{first_id + len(made)}",
                customer_id=order.customer_id,
                start=start,
                payment_method=order.payment_method,
                taxes=() if context is None else context.taxes,
                tax_basis=PriceBasis.EXCLUSIVE if context is None else context.basis,
                rounding=decimal.ROUND_HALF_UP if context is None else context.rounding,
                invoice_days_before=invoice_days_before,
                dunning=dunning,
                invoicing=invoicing,
            )
        )
    return tuple(made)


def _renewal(domain: DomainLine, price: Money, context: PricingContext | None) -> Money:
    """What renewing ``domain`` costs: its override, else the TLD table's renewal price."""
    table = None if context is None else context.tld_prices
    if domain.price_override is not None or table is None:
        return price
    return table.price(domain.domain, domain.years, "renew", price.currency)


def _sold_under(
    catalog_version: str | None,
    context: PricingContext,
    spec: OrderLineSpec,
    cycle: BillingCycle,
    day: date,
) -> SoldUnder | None:
    """The catalog version and plan row a line's services are sold under, if priced by a row."""
    if catalog_version is None:
        return None
    try:
        row = context.plan.rate_for(spec.product_code, cycle, day, spec.edition)
    except ProdlifeError:  # priced otherwise (a one-off price): nothing to grandfather
        return None
    return SoldUnder.of(catalog_version, context.plan.code, row)
