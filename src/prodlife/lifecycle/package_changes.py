"""Changing a service's package (product, edition, cycle): now, at its term's end, or once paid.

A package change is decided by the catalog
(:mod:`prodlife.lifecycle.change_requests`): its edition ladder refuses
forbidden moves and tells an upgrade from a downgrade, and its change rules
(:class:`~prodlife.catalog.change_rules.ChangeRules`) say whether the change happens
now, at the end of the term (the scheduler switches the package on the next
due date, :func:`apply_pending_change`) or once the invoice for the difference is paid
(:func:`confirm_change_payment`), or never. Each change is a dated edit of
the service's timeline (:func:`prodlife.billing.changes.change_rate`, under the
:class:`~prodlife.proration.ChangePolicy`); the billing engine bills it,
repairing whatever was already invoiced for the days it changes. While a
service is suspended by an administrator or for abuse, the transition table
refuses it (seed 002). Changes of options are in
:mod:`prodlife.lifecycle.option_changes`, of add-ons in
:mod:`prodlife.lifecycle.addon_changes`.

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.catalog import *
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle.actors import Actor
>>> from prodlife.lifecycle.status import ACTIVE
>>> from prodlife.pricing.recurring import RecurringPrice
>>> catalog = Catalog(
...     types=[ProductType("HOSTING", "Hosting", Classification.SERVICE,
...                        service_kind=ServiceKind.TERMED)],
...     products=[Product("WEB", "Web hosting", "HOSTING")],
...     editions=[EditionLadder("WEB", (Edition("s", "Small"), Edition("l", "Large")))],
... )
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="WEB", edition="s", cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 4, 1), next_due=date(2025, 5, 1), paid_through=date(2025, 4, 30),
...     status=ACTIVE,
... )
>>> up = change_package(
...     service, Actor.customer("C-1"), datetime(2025, 4, 16, tzinfo=UTC), catalog=catalog,
...     to_edition="l", new_price=Money("40.00", "USD"),
... )
>>> for line in up.lines:
...     print(line)
S-1 recurring reversed WEB s [2025-04-16, 2025-05-01) 15/30 of USD 10.00 = USD -5.00
S-1 recurring WEB l [2025-04-16, 2025-05-01) 15/30 of USD 40.00 = USD 20.00
>>> up.service.edition, str(up.total)
('l', 'USD 15.00')
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from prodlife.billing.changes import change_rate
from prodlife.billing.timeline import Rate, Timeline
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.change_rules import ChangeTiming, package_name
from prodlife.catalog.offering import check_package_offered
from prodlife.cycles import BillingCycle
from prodlife.errors import RuleViolation
from prodlife.lifecycle.actors import Action, Actor, may
from prodlife.lifecycle.change_requests import change_request, change_rule
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import check_actor, today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.provisioning import ModuleFailed, ProvisioningModule, call_module
from prodlife.lifecycle.service_parts import PendingChange
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.terms import in_arrears, term_end
from prodlife.lifecycle.timelines import BASE, billed, package_label, price_source, schedule_for
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money
from prodlife.pricing.recurring import RecurringPrice
from prodlife.proration import Anchor, ChangePolicy

__all__ = ["apply_pending_change", "change_package", "confirm_change_payment"]


def _repriced(
    service: Service,
    day: datetime,
    price: RecurringPrice,
    cycle: BillingCycle,
    policy: ChangePolicy | None,
    label: str,
) -> tuple[Timeline, date | None]:
    """The timeline with the recurring price changed on ``day``, and the next due date it sets.

    The next due date moves only when the change restarts the period (the
    anchor restarts) or re-anchors a new cycle on the billing day; otherwise the
    anniversary is kept. In arrears it never moves: it is the first day not
    paid for, and a change pays for nothing.
    """
    on = today(service, day)
    service.ledger.check_change(service.id, on)
    new_cycle = None if cycle == service.cycle else cycle
    timeline = change_rate(
        service.timeline,
        BASE,
        on,
        price.amount,
        cycle=new_cycle,
        policy=policy,
        description=label,
        source=price_source(price),
    )
    if policy is None or service.next_due is None or in_arrears(service):
        return timeline, None
    schedule = timeline.track(BASE).rates[-1].schedule
    if policy.anchor is Anchor.RESTART:
        # The restarted period is the new schedule's first, charged or (ChargeMode.NONE) free.
        return timeline, schedule.period(0).end
    if policy.anchor is Anchor.BILLING_DAY and new_cycle is not None:
        # Kill Bill re-anchors the new cycle: the next invoice is on its first billing day.
        return timeline, schedule.period_containing(on).end
    return timeline, None


def _switch(
    service: Service,
    product: str,
    edition: str | None,
    cycle: BillingCycle,
    price: RecurringPrice,
    next_due: date | None,
) -> Service:
    """``service`` described as its new package (its timeline already bills it)."""
    changes: dict[str, object] = {
        "product_code": product,
        "edition": edition,
        "cycle": cycle,
        "price": price,
        "pending_change": None,
    }
    if next_due is not None:
        changes["next_due"] = next_due
        paid = service.paid_through
        if paid is not None and paid >= next_due:
            changes["paid_through"] = next_due - timedelta(days=1)
    return service._evolved(**changes)


def change_package(
    service: Service,
    actor: Actor,
    at: datetime,
    *,
    catalog: Catalog,
    new_price: Money,
    to_product: str | None = None,
    to_edition: str | None = None,
    to_cycle: BillingCycle | None = None,
    policy: ChangePolicy | None = None,
    module: ProvisioningModule | None = None,
    override: bool = False,
    reason: str = "",
) -> Outcome:
    """Upgrade, downgrade or cross-grade ``service`` as the catalog's change rules say.

    The outcome is also the preview: the operation is pure, so a host shows
    its lines before saving anything.

    Args:
        catalog: decides the direction (edition ladder) and the timing (change rules;
            without any, changes are immediate).
        new_price: the recurring price of the new package for one period of its cycle.
        to_product, to_edition, to_cycle: the target; omitted parts stay.
        policy: how an immediate (or after-payment) change is credited and charged.
        module: its *change package* command runs for an immediate change;
            a failure raises :class:`ModuleFailed` and nothing changes.
        override: whether ``new_price`` is a price set by hand (staff with
            ``prices: set`` only).

    Returns:
        Immediate: the changed service, and the lines the engine bills for it
        (the old price's unused days reversed, the new price charged).
        End of term: the service with a :class:`PendingChange` effective on
        its next due date and the new price on its timeline from then (a
        period already invoiced ahead is repaired). After payment: the
        pending change and the lines of the difference, billed now.

    Raises:
        RuleViolation: an illegal change per the rules (rule ``change.illegal``),
            a forbidden edition move, no change at all, or a new package the
            catalog does not offer on the service's billing date (rules of
            :mod:`prodlife.catalog.offering`: ``offer.edition`` for an edition
            off the ladder, ``offer.historic``...).
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`.
        ModuleFailed: the module refused an immediate change.
    """
    held = next((p for p in catalog.products if p.code == service.product_code), None)
    check_actor(
        service,
        actor,
        Operation.CHANGE_PACKAGE,
        sets_price=override,
        customer_may_change_package=held is None or held.customer_may_change_package,
    )
    request = change_request(
        catalog, service, to_product=to_product, to_edition=to_edition, to_cycle=to_cycle
    )
    if (request.to_product, request.to_edition) != (service.product_code, service.edition):
        check_package_offered(
            catalog,
            request.to_product,
            request.to_edition,
            today(service, at),
            hidden_ok=may(actor, Action.ORDER_HIDDEN),
        )
    rule = change_rule(catalog, service, request)
    price = (
        RecurringPrice(new_price, override=True)
        if override
        else service.price.recalculate(new_price, auto_recalculate=True)
    )
    target = package_name(request.to_product, request.to_edition)
    details = f"{service.product_code} -> {target} ({request.direction.value}, {rule.timing.value})"
    done = service.perform(
        Operation.CHANGE_PACKAGE, actor, at, reason, details=details, sets_price=override
    )
    cycle = request.to_cycle or service.cycle
    label = package_label(request.to_product, request.to_edition)
    day = today(service, at)
    what = (("to", target), ("cycle", str(cycle)), ("rule", rule.name or rule.conditions))
    if rule.timing is ChangeTiming.IMMEDIATE:
        if module is not None:
            result = call_module(
                "change_package", lambda: module.change_package(service, request.to_product)
            )
            if not result.ok:
                raise ModuleFailed("change_package", result)
        timeline, next_due = _repriced(done, at, price, cycle, policy, label)
        changed = _switch(
            done._evolved(timeline=timeline),
            request.to_product,
            request.to_edition,
            cycle,
            price,
            next_due,
        )
        outcome = Outcome(changed, (event(changed, EventKind.PACKAGE_CHANGED, at, what),))
        return billed(outcome, day)
    if rule.timing is ChangeTiming.END_OF_TERM:
        effective = term_end(service)
        if effective is None:
            raise RuleViolation(
                "change.end-of-term",
                f"service {service.id} has no next due date, so no end of term to change at",
            )
        done.ledger.check_change(service.id, effective)
        schedule = schedule_for(cycle, effective)
        rate = Rate(effective, None, price.amount, schedule, label, price_source(price))
        timeline = done.timeline.schedule_rate(BASE, rate)
        next_due = None
    else:
        timeline, next_due = _repriced(done, at, price, cycle, policy, label)
        effective = None
    pending = PendingChange(
        timing=rule.timing,
        product_code=request.to_product,
        edition=request.to_edition,
        cycle=cycle,
        price=price,
        requested_at=at,
        effective=effective,
        rule=rule.name,
        next_due=next_due,
    )
    scheduled = done._evolved(pending_change=pending, timeline=timeline)
    when = (("when", str(pending.effective or "after payment")),)
    outcome = Outcome(scheduled, (event(scheduled, EventKind.CHANGE_SCHEDULED, at, what + when),))
    return billed(outcome, day)


def _carry_out(
    service: Service, at: datetime, reason: str, module: ProvisioningModule | None
) -> Outcome:
    pending = service.pending_change
    assert pending is not None
    done = service.perform(
        Operation.CHANGE_PACKAGE,
        Actor.system(),
        at,
        reason,
        details=f"{service.product_code} -> {pending.product_code} ({pending.timing.value})",
    )
    if module is not None:
        result = call_module(
            "change_package", lambda: module.change_package(service, pending.product_code)
        )
        if not result.ok:
            raise ModuleFailed("change_package", result)
    changed = _switch(
        done, pending.product_code, pending.edition, pending.cycle, pending.price, pending.next_due
    )
    if pending.sold_under is not None:  # the package's plan row, recorded when requested
        changed = changed._evolved(sold_under=pending.sold_under)
    target = package_name(pending.product_code, pending.edition)
    what = (("to", target), ("cycle", str(pending.cycle)))
    return Outcome(changed, (event(changed, EventKind.PACKAGE_CHANGED, at, what),))


def apply_pending_change(
    service: Service, at: datetime, *, module: ProvisioningModule | None = None
) -> Outcome:
    """Switch to an end-of-term change's package once its date has come (the scheduler's job).

    Its price is on the timeline from that date already; this changes what
    the service is (product, edition, cycle) and runs the module.

    Raises:
        RuleViolation: no end-of-term change is pending, or it is not due yet
            (rule ``change.not-due``).
        ModuleFailed: the module refused; nothing changed.
    """
    pending = service.pending_change
    if pending is None or pending.effective is None:
        raise RuleViolation("change.not-due", f"service {service.id} has no end-of-term change")
    if today(service, at) < pending.effective:
        raise RuleViolation(
            "change.not-due",
            f"service {service.id}'s change takes effect on {pending.effective}, not before",
        )
    return _carry_out(service, at, "end of term", module)


def confirm_change_payment(
    service: Service, at: datetime, *, module: ProvisioningModule | None = None
) -> Outcome:
    """The invoice for a change waiting for payment was paid: carry the change out (seed 003).

    Raises:
        RuleViolation: no change waits for a payment (rule ``change.not-pending``).
        ModuleFailed: the module refused; nothing changed.
    """
    pending = service.pending_change
    if pending is None or pending.timing is not ChangeTiming.AFTER_PAYMENT:
        raise RuleViolation(
            "change.not-pending", f"service {service.id} has no change waiting for a payment"
        )
    return _carry_out(service, at, "the invoice for the change was paid", module)
