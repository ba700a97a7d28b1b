"""Changing what a service is: its package (product, edition, cycle), options and add-ons.

A package change is decided by the catalog: its edition ladder refuses
forbidden moves and tells an upgrade from a downgrade, and its change rules
(:class:`~prodlife.catalog.change_rules.ChangeRules`) say whether the change happens
now, at the end of the term (the scheduler switches the package on the next
due date) or once the invoice for the difference is paid
(:func:`confirm_change_payment`), or never. Each change is a dated edit of
the service's timeline (:func:`prodlife.billing.changes.change_rate`, under the
:class:`~prodlife.proration.ChangePolicy`); the billing engine bills it,
repairing whatever was already invoiced for the days it changes. While a
service is suspended by an administrator or for abuse, the transition table
refuses it (seed 002).

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

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import attrs

from prodlife.billing.changes import change_rate, end_track
from prodlife.billing.lines import LineType
from prodlife.billing.timeline import OneTimeCharge, Rate, Timeline, Track
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.change_rules import ChangeRequest, ChangeRule, ChangeTiming
from prodlife.catalog.editions import Direction
from prodlife.catalog.offering import check_package_offered
from prodlife.cycles import BillingCycle, BillingSchedule
from prodlife.errors import RuleViolation, ValidationError
from prodlife.lifecycle.actors import Action, Actor, may
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import check_actor, today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.provisioning import ModuleFailed, ProvisioningModule, call_module
from prodlife.lifecycle.service_parts import PendingChange, ServiceAddOn, ServiceOption
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ACTIVE, ServiceStatus, Status
from prodlife.lifecycle.terms import in_arrears, term_end
from prodlife.lifecycle.timelines import (
    BASE,
    billed,
    option_label,
    package_label,
    price_source,
    schedule_for,
)
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money
from prodlife.pricing.recurring import RecurringPrice
from prodlife.proration import Anchor, ChangePolicy, CreditMode, UsedDay

__all__ = [
    "OptionChange",
    "add_addon",
    "apply_pending_change",
    "change_options",
    "change_package",
    "change_request",
    "confirm_change_payment",
    "remove_addon",
]

_IMMEDIATE = ChangeRule(ChangeTiming.IMMEDIATE, name="immediate (no change rules)")


def change_request(
    catalog: Catalog,
    service: Service,
    *,
    to_product: str | None = None,
    to_edition: str | None = None,
    to_cycle: BillingCycle | None = None,
) -> ChangeRequest:
    """The change request the catalog's rules decide, for moving ``service``.

    Omitted targets stay as they are. Within one product's edition ladder the
    direction comes from the ladder (forbidden moves refused); between
    products it is a cross-grade.

    Raises:
        NotFound: an unknown product or edition.
        RuleViolation: a forbidden edition move (rule ``edition.forbidden-move``),
            or no change at all (rule ``change.nothing``).
    """
    product = service.product_code if to_product is None else to_product
    edition = (
        service.edition if to_edition is None and product == service.product_code else to_edition
    )
    cycle = service.cycle if to_cycle is None else to_cycle
    old, new = catalog.product(service.product_code), catalog.product(product)
    if product == service.product_code:
        ladder = catalog.ladder(product)
        if ladder is None or edition is None or service.edition is None:
            direction = Direction.SAME
        else:
            direction = ladder.check_move(service.edition, edition)
    else:
        direction = Direction.CROSSGRADE
    if direction is Direction.SAME and cycle == service.cycle and product == service.product_code:
        raise RuleViolation(
            "change.nothing",
            f"service {service.id} already is {product} edition {edition} {cycle}; "
            "name the product, edition or cycle it moves to",
        )
    return ChangeRequest(
        service.product_code,
        product,
        direction,
        service.edition,
        edition,
        old.categories,
        new.categories,
        service.cycle,
        cycle,
    )


def _package_name(product: str, edition: str | None) -> str:
    return product if edition is None else f"{product} edition {edition}"


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
    rules = catalog.change_rules
    rule = _IMMEDIATE if rules is None else rules.check_change(request)
    if in_arrears(service):
        rule = _retimed_for_arrears(rule, request.to_cycle or service.cycle, service.cycle)
    price = (
        RecurringPrice(new_price, override=True)
        if override
        else service.price.recalculate(new_price, auto_recalculate=True)
    )
    target = _package_name(request.to_product, request.to_edition)
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


def _retimed_for_arrears(
    rule: ChangeRule, new_cycle: BillingCycle, cycle: BillingCycle
) -> ChangeRule:
    """The rule for a service invoiced in arrears, where no invoice precedes a change.

    A change waiting for payment happens at once (there is no invoice for the
    difference to pay: the period is invoiced for what was used). A change of
    cycle waits for the end of the period in use, which is invoiced whole.
    """
    if rule.timing is ChangeTiming.END_OF_TERM:
        return rule
    if new_cycle != cycle:
        return attrs.evolve(rule, timing=ChangeTiming.END_OF_TERM)
    if rule.timing is ChangeTiming.AFTER_PAYMENT:
        return attrs.evolve(rule, timing=ChangeTiming.IMMEDIATE)
    return rule


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
    target = _package_name(pending.product_code, pending.edition)
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


@attrs.frozen(slots=True)
class OptionChange:
    """A configurable option set to a new choice, with its price per period after the change.

    What it cost before is on the service's timeline; an option not held
    before cost nothing.

    Args:
        code: the option.
        choice: the new choice.
        new_price: what it costs per period of the service's cycle now.
        quantity: how many of the new choice.
    """

    code: str
    choice: str
    new_price: Money
    quantity: int = 1


def _base_schedule(service: Service, day: datetime) -> BillingSchedule:
    """The schedule the recurring price is billed on at ``day`` (options follow it)."""
    on = today(service, day)
    track = service.timeline.track(BASE)
    rate = track.rate_on(on) or (track.rates[-1] if track.rates else None)
    if rate is None:
        return schedule_for(service.cycle, service.start, service.next_due)
    return rate.schedule


def change_options(
    service: Service,
    actor: Actor,
    at: datetime,
    changes: Sequence[OptionChange],
    *,
    policy: ChangePolicy | None = None,
    reason: str = "",
) -> Outcome:
    """Set options to new choices, each billed at its new price from today.

    Each option is a track of the timeline on the recurring price's periods;
    the change is billed under ``policy`` like a change of package (the old
    price's unused days reversed, the new one charged), and a later change of
    package leaves it be.

    Raises:
        ValidationError: no changes, or an option listed twice.
        RuleViolation: a bad option (rule ``service.option``), or a negative price.
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`.
    """
    check_actor(service, actor, Operation.CHANGE_OPTIONS)
    if not changes:
        raise ValidationError("no option changes given; pass at least one OptionChange")
    codes = [c.code for c in changes]
    if len(set(codes)) != len(codes):
        raise ValidationError(f"options {codes} list one option twice; give each once")
    for change in changes:
        if not isinstance(change.new_price, Money) or change.new_price.amount < 0:
            raise RuleViolation(
                "service.option",
                f"option {change.code!r} would cost {change.new_price!r}; give Money of zero "
                "or more",
            )
    picked = {c.code: ServiceOption(c.code, c.choice, c.quantity, c.new_price) for c in changes}
    options = tuple(picked.pop(o.code, o) for o in service.options) + tuple(picked.values())
    detail = ", ".join(f"{c.code}={c.choice}" for c in changes)
    done = service.perform(Operation.CHANGE_OPTIONS, actor, at, reason, details=detail)
    day = today(service, at)
    done.ledger.check_change(service.id, day)
    timeline = done.timeline
    for change in changes:
        label = option_label(change.code, change.choice, change.quantity)
        held = any(t.subject == change.code for t in timeline.tracks)
        if held and timeline.track(change.code).rate_on(day) is not None:
            timeline = change_rate(
                timeline, change.code, day, change.new_price, policy=policy, description=label
            )
        else:
            rate = Rate(day, None, change.new_price, _base_schedule(done, at), label)
            timeline = (
                timeline.schedule_rate(change.code, rate)
                if held
                else timeline.with_track(Track.of(LineType.OPTION, change.code, rate))
            )
    changed = done._evolved(options=options, timeline=timeline)
    events = (event(changed, EventKind.OPTIONS_CHANGED, at, (("options", detail),)),)
    return billed(Outcome(changed, events), day)


def add_addon(
    service: Service, actor: Actor, at: datetime, addon: ServiceAddOn, *, reason: str = ""
) -> Outcome:
    """Add an add-on to a live service, billed on its own cycle from its start.

    The add-on starts active when the service is active, otherwise with the
    service's status. Its first period is billed at once (in advance), whole
    or prorated to its schedule; one without a cycle or a next due date is
    charged once.

    Raises:
        RuleViolation: the service already holds it (rule ``service.addon``),
            it starts before the service, or it ended on or after the day it
            would start again, which was billed already (rule ``addon.re-add``).
        PermissionDenied, TransitionNotAllowed: as for a change of options.
    """
    check_actor(service, actor, Operation.CHANGE_OPTIONS)
    if not isinstance(addon, ServiceAddOn):
        raise ValidationError(f"add-on {addon!r} is not a ServiceAddOn; pass one")
    if any(a.code == addon.code and not a.ended for a in service.addons):
        raise RuleViolation(
            "service.addon", f"service {service.id} already holds add-on {addon.code!r}"
        )
    for held in service.addons:
        ended = held.termination_date
        if held.code == addon.code and ended is not None and addon.start <= ended:
            raise RuleViolation(
                "addon.re-add",
                f"add-on {addon.code!r} ended on {ended}, which was billed; add it again "
                f"from {ended + timedelta(days=1)} at the earliest",
            )
    done = service.perform(
        Operation.CHANGE_OPTIONS, actor, at, reason, details=f"add-on {addon.code} added"
    )
    done.ledger.check_change(service.id, addon.start)
    status = ACTIVE if service.status.status is Status.ACTIVE else service.status
    added = attrs.evolve(addon, status=status, termination_date=None)
    kept = tuple(a for a in service.addons if a.code != addon.code)
    timeline = done.timeline
    if addon.price is not None:
        what = f"add-on {addon.code}"
        if not addon.cycle.is_recurring or addon.next_due is None:
            charge = OneTimeCharge(addon.code, what, addon.price.amount, addon.start)
            timeline = timeline.charge_once(charge)
        else:
            rate = Rate(
                addon.start, None, addon.price.amount, schedule_for(addon.cycle, addon.start), what
            )
            if any(t.subject == addon.code for t in timeline.tracks):
                timeline = timeline.schedule_rate(addon.code, rate)
            else:
                timeline = timeline.with_track(Track.of(LineType.ADDON, addon.code, rate))
    changed = done._evolved(addons=(*kept, added), timeline=timeline)
    kind = EventKind.ADDON_ADDED
    outcome = Outcome(changed, (event(changed, kind, at, (("addon", addon.code),)),))
    return billed(outcome, today(service, at))


def remove_addon(
    service: Service,
    actor: Actor,
    at: datetime,
    code: str,
    *,
    refund: CreditMode = CreditMode.NONE,
    used_day: UsedDay = UsedDay.USED,
    reason: str = "",
) -> Outcome:
    """Cancel one add-on today, refunding its unused part per ``refund``.

    Raises:
        NotFound: the service holds no such add-on.
        RuleViolation: the add-on already ended (rule ``addon.ended``).
        PermissionDenied, TransitionNotAllowed: as for a change of options.
    """
    check_actor(service, actor, Operation.CHANGE_OPTIONS)
    addon = service.addon(code)
    if addon.ended:
        raise RuleViolation("addon.ended", f"add-on {code!r} is already {addon.status}")
    done = service.perform(
        Operation.CHANGE_OPTIONS, actor, at, reason, details=f"add-on {code} removed"
    )
    day = today(service, at)
    cancelled = attrs.evolve(
        addon, status=ServiceStatus(Status.CANCELLED), termination_date=max(day, addon.start)
    )
    timeline = done.timeline
    if any(t.subject == code for t in timeline.tracks):
        timeline = end_track(timeline, code, day, refund=refund, used_day=used_day)
    changed = done._evolved(
        addons=tuple(cancelled if a.code == code else a for a in service.addons),
        timeline=timeline,
    )
    kind = EventKind.ADDON_REMOVED
    return billed(Outcome(changed, (event(changed, kind, at, (("addon", code),)),)), day)
