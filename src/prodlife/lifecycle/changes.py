"""Changing what a service is: its package (product, edition, cycle), options and add-ons.

A package change is decided by the catalog: its edition ladder refuses
forbidden moves and tells an upgrade from a downgrade, and its change rules
(:class:`~prodlife.catalog.rules.ChangeRules`) say whether the change happens
now (prorated with :func:`~prodlife.proration.quote_change`), at the end of the
term (the scheduler applies it on the next due date) or once the invoice for
the difference is paid (:func:`confirm_change_payment`), or never. While a
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
S-1 prorated credit unused old plan [2025-04-16, 2025-05-01) USD -5.00
S-1 prorated charge new plan [2025-04-16, 2025-05-01) USD 20.00
>>> up.service.edition, str(up.total)
('l', 'USD 15.00')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import attrs

from prodlife.catalog.catalog import Catalog
from prodlife.catalog.editions import Direction
from prodlife.catalog.rules import ChangeRequest, ChangeRule, ChangeTiming
from prodlife.cycles import BillingCycle
from prodlife.errors import RuleViolation, ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.invoicing import InvoiceLine, InvoiceLineKind, lines_from_quote
from prodlife.lifecycle.operations import addon_refund_lines, check_actor, today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.provisioning import ModuleFailed, ProvisioningModule, call_module
from prodlife.lifecycle.service_parts import PendingChange, ServiceAddOn, ServiceOption
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ACTIVE, ServiceStatus, Status
from prodlife.lifecycle.terms import close_segment, in_arrears, paused, term_end
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money
from prodlife.periods import Period
from prodlife.pricing.recurring import RecurringPrice
from prodlife.proration import (
    ChangePolicy,
    Charge,
    CreditMode,
    Quote,
    UsedDay,
    quote_change,
    quote_option_change,
)

__all__ = [
    "OptionChange",
    "add_addon",
    "apply_pending_change",
    "change_options",
    "change_package",
    "change_request",
    "confirm_change_payment",
    "preview_change",
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


def preview_change(
    service: Service,
    new_price: Money,
    at: datetime,
    *,
    new_cycle: BillingCycle | None = None,
    policy: ChangePolicy | None = None,
) -> Quote | None:
    """The proration quote for changing ``service`` to ``new_price`` at ``at`` (nothing changes).

    ``None`` when the service has paid for nothing yet (nothing to credit or
    prorate: the new price applies from the start).
    """
    day = today(service, at)
    charged = service.charged
    if service.paid_through is None or not charged:
        return None
    if not charged[0].span.start <= day < charged[-1].span.end:
        return None
    cycle = None if new_cycle is None or new_cycle == service.cycle else new_cycle
    return quote_change(charged, new_price, day, new_cycle=cycle, policy=policy)


def _in_force(quote: Quote | None, service: Service, at: datetime) -> tuple[Charge, ...]:
    """What the rest of the period is charged after a change quoted by ``quote``.

    The quote's charges; a zero charge for the rest of the period when it
    charged nothing (``ChargeMode.NONE``), so a later change or cancellation
    credits nothing for it rather than the new list price.
    """
    if quote is None:
        return ()
    if quote.in_force:
        return quote.in_force
    end = quote.next_due or service.charged[-1].span.end
    return (Charge(Money(0, quote.currency), Period(today(service, at), end)),)


def _reinvoice_ahead(
    service: Service, name: str, price: Money, cycle: BillingCycle, next_due: date | None
) -> tuple[InvoiceLine, ...]:
    """Lines for a period invoiced ahead at the old price, when a change replaces the package.

    When the change keeps the dates (same cycle, same due date), the period
    invoiced early is charged (or credited) the difference to the new price;
    otherwise it is credited in full and the new schedule is invoiced as usual
    from its due date.
    """
    if service.invoiced_until is None:
        return ()
    assert service.next_due is not None
    ahead = Period(service.next_due, service.invoiced_until)
    if cycle != service.cycle or next_due not in (None, service.next_due):
        old = _package_name(service.product_code, service.edition)
        description = f"{old} invoiced ahead, replaced by a change"
        return (
            _line(
                service, InvoiceLineKind.PRORATED_CREDIT, description, -service.price.amount, ahead
            ),
        )
    difference = price - service.price.amount
    if not difference:
        return ()
    kind = (
        InvoiceLineKind.PRORATED_CHARGE
        if difference.amount > 0
        else InvoiceLineKind.PRORATED_CREDIT
    )
    return (_line(service, kind, f"{name} for the period invoiced ahead", difference, ahead),)


def _line(
    service: Service, kind: InvoiceLineKind, description: str, amount: Money, period: Period
) -> InvoiceLine:
    return InvoiceLine(service.id, service.customer_id, kind, description, amount, period)


def _package_name(product: str, edition: str | None) -> str:
    return product if edition is None else f"{product} edition {edition}"


def _switch(
    service: Service,
    product: str,
    edition: str | None,
    cycle: BillingCycle,
    price: RecurringPrice,
    charges: tuple[Charge, ...],
    next_due: date | None,
) -> Service:
    """``service`` on its new package; ``charges`` and ``next_due`` from the change's quote."""
    moved = next_due is not None and next_due != service.next_due
    # A period invoiced ahead on the old cycle was credited by the change (_reinvoice_ahead);
    # in arrears what is invoiced was used, and stays so.
    invoiced = service.invoiced_until
    if (moved or cycle != service.cycle) and not in_arrears(service):
        invoiced = None
    return service._evolved(
        product_code=product,
        edition=edition,
        cycle=cycle,
        price=price,
        pending_change=None,
        charges=charges or service.charges,
        next_due=next_due if moved else service.next_due,
        invoiced_until=invoiced,
    )


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

    Args:
        catalog: decides the direction (edition ladder) and the timing (change rules;
            without any, changes are immediate).
        new_price: the recurring price of the new package for one period of its cycle.
        to_product, to_edition, to_cycle: the target; omitted parts stay.
        policy: how an immediate change is credited and charged.
        module: its *change package* command runs for an immediate change;
            a failure raises :class:`ModuleFailed` and nothing changes.
        override: whether ``new_price`` is a price set by hand (staff with
            ``prices: set`` only).

    Returns:
        Immediate: the changed service with the quote's credit and charge
        lines. End of term: the service with a :class:`PendingChange` effective
        on its next due date, no money. After payment: the pending change and
        the lines of the invoice for the difference.

    Raises:
        RuleViolation: an illegal change per the rules (rule ``change.illegal``),
            a forbidden edition move, or no change at all.
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`.
        ModuleFailed: the module refused an immediate change.
    """
    check_actor(service, actor, Operation.CHANGE_PACKAGE, sets_price=override)
    request = change_request(
        catalog, service, to_product=to_product, to_edition=to_edition, to_cycle=to_cycle
    )
    rules = catalog.change_rules
    rule = _IMMEDIATE if rules is None else rules.check_change(request)
    if in_arrears(service):
        rule = _in_arrears(rule, request.to_cycle or service.cycle, service.cycle)
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
    # Paused, the new package is worth nothing either until the pause ends.
    worth = Money(0, new_price.currency) if paused(service.status) else new_price
    quote = (
        None
        if in_arrears(service)
        else preview_change(service, worth, at, new_cycle=cycle, policy=policy)
    )
    lines = () if quote is None else lines_from_quote(quote, service.id, service.customer_id)
    # Paused, a period invoiced ahead was credited whole; the resume charges it again.
    if rule.timing is not ChangeTiming.END_OF_TERM and not (
        in_arrears(service) or paused(service.status)
    ):
        next_due = None if quote is None else quote.next_due
        lines += _reinvoice_ahead(service, target, price.amount, cycle, next_due)
    what = (("to", target), ("cycle", str(cycle)), ("rule", rule.name or rule.conditions))
    if rule.timing is ChangeTiming.IMMEDIATE:
        if module is not None:
            result = call_module(
                "change_package", lambda: module.change_package(service, request.to_product)
            )
            if not result.ok:
                raise ModuleFailed("change_package", result)
        charges = (
            close_segment(service, today(service, at))
            if in_arrears(service)
            else _in_force(quote, service, at)
        )
        next_due = None if quote is None else quote.next_due
        changed = _switch(
            done, request.to_product, request.to_edition, cycle, price, charges, next_due
        )
        return Outcome(changed, (event(changed, EventKind.PACKAGE_CHANGED, at, what),), lines)
    # An end-of-term change starts with a fresh period: nothing of this one carries over.
    waits_for_term = rule.timing is ChangeTiming.END_OF_TERM
    pending = PendingChange(
        timing=rule.timing,
        product_code=request.to_product,
        edition=request.to_edition,
        cycle=cycle,
        price=price,
        requested_at=at,
        effective=term_end(service) if waits_for_term else None,
        rule=rule.name,
        charges=() if waits_for_term else _in_force(quote, service, at),
        next_due=None if quote is None or waits_for_term else quote.next_due,
    )
    if pending.timing is ChangeTiming.END_OF_TERM and pending.effective is None:
        raise RuleViolation(
            "change.end-of-term",
            f"service {service.id} has no next due date, so no end of term to change at",
        )
    scheduled = done._evolved(pending_change=pending)
    when = (("when", str(pending.effective or "after payment")),)
    kept = lines if rule.timing is ChangeTiming.AFTER_PAYMENT else ()
    return Outcome(
        scheduled, (event(scheduled, EventKind.CHANGE_SCHEDULED, at, what + when),), kept
    )


def _in_arrears(rule: ChangeRule, new_cycle: BillingCycle, cycle: BillingCycle) -> ChangeRule:
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
    charges = pending.charges
    if in_arrears(service) and pending.effective is not None:
        billed = service.billed_until
        if billed is None or billed < pending.effective:
            raise RuleViolation(
                "change.not-invoiced",
                f"service {service.id} is invoiced in arrears and its period ending "
                f"{pending.effective} is not invoiced yet; invoice it first "
                "(invoice_next_period), then carry out the change",
            )
        charges = close_segment(service, pending.effective)
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
        done,
        pending.product_code,
        pending.edition,
        pending.cycle,
        pending.price,
        charges,
        pending.next_due,
    )
    target = _package_name(pending.product_code, pending.edition)
    what = (("to", target), ("cycle", str(pending.cycle)))
    return Outcome(changed, (event(changed, EventKind.PACKAGE_CHANGED, at, what),))


def apply_pending_change(
    service: Service, at: datetime, *, module: ProvisioningModule | None = None
) -> Outcome:
    """Carry out an end-of-term change once its effective date has come (the scheduler's job).

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
    """A configurable option set to a new choice, with its price per period before and after.

    Args:
        code: the option.
        choice: the new choice.
        old_price: what the option cost per period before (zero if it was not held).
        new_price: what it costs per period now.
        quantity: how many of the new choice.
    """

    code: str
    choice: str
    old_price: Money
    new_price: Money
    quantity: int = 1


def change_options(
    service: Service,
    actor: Actor,
    at: datetime,
    changes: Sequence[OptionChange],
    *,
    policy: ChangePolicy | None = None,
    reason: str = "",
) -> Outcome:
    """Set options to new choices, billed on the price difference for the rest of the period.

    The recurring price moves by the sum of the differences (an override
    stays an override). Each option gets one prorated line, a charge when it
    gets dearer and a credit when it gets cheaper.

    Raises:
        ValidationError: no changes, or an option listed twice.
        RuleViolation: a bad option (rule ``service.option``).
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`.
    """
    check_actor(service, actor, Operation.CHANGE_OPTIONS)
    if not changes:
        raise ValidationError("no option changes given; pass at least one OptionChange")
    codes = [c.code for c in changes]
    if len(set(codes)) != len(codes):
        raise ValidationError(f"options {codes} list one option twice; give each once")
    picked = {c.code: ServiceOption(c.code, c.choice, c.quantity) for c in changes}
    options = tuple(picked.pop(o.code, o) for o in service.options) + tuple(picked.values())
    detail = ", ".join(f"{c.code}={c.choice}" for c in changes)
    done = service.perform(Operation.CHANGE_OPTIONS, actor, at, reason, details=detail)
    day = today(service, at)
    period = service.current_period
    lines: list[InvoiceLine] = []
    amount = service.price.amount
    # In arrears the use so far is closed at the old price; paused, nothing is billed.
    quoted = not in_arrears(service) and not paused(service.status)
    for change in changes:
        amount = amount + (change.new_price - change.old_price)
        if (
            quoted
            and period is not None
            and service.paid_through is not None
            and period.start <= day < period.end
        ):
            quote = quote_option_change(
                change.old_price, change.new_price, period, day, option=change.code, policy=policy
            )
            lines += lines_from_quote(quote, service.id, service.customer_id)
    if amount.amount < 0:
        raise RuleViolation(
            "service.option",
            f"the option prices take the recurring price below zero ({amount}); check them",
        )
    price = RecurringPrice(amount, override=service.price.override)
    changed = done._evolved(options=options, price=price)
    if in_arrears(service):
        changed = changed._evolved(charges=close_segment(service, day))
    return Outcome(
        changed, (event(changed, EventKind.OPTIONS_CHANGED, at, (("options", detail),)),), lines
    )


def add_addon(
    service: Service, actor: Actor, at: datetime, addon: ServiceAddOn, *, reason: str = ""
) -> Outcome:
    """Add an add-on to a live service; its first period is charged in full on its own cycle.

    The add-on starts active when the service is active, otherwise with the
    service's status.

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
    status = ACTIVE if service.status.status is Status.ACTIVE else service.status
    added = attrs.evolve(addon, status=status, termination_date=None)
    kept = tuple(a for a in service.addons if a.code != addon.code)
    changed = done._evolved(addons=(*kept, added))
    lines: tuple[InvoiceLine, ...] = ()
    if addon.price is not None:
        period = None if addon.next_due is None else Period(addon.start, addon.next_due)
        lines = (_addon_line(service, addon.code, addon.price.amount, period),)
    kind = EventKind.ADDON_ADDED
    return Outcome(changed, (event(changed, kind, at, (("addon", addon.code),)),), lines)


def _addon_line(service: Service, code: str, amount: Money, period: Period | None) -> InvoiceLine:
    """The line charging add-on ``code`` of ``service``: for ``period``, or once when ``None``."""
    kind, description = (
        (InvoiceLineKind.ONE_TIME, f"add-on {code}")
        if period is None
        else (InvoiceLineKind.RECURRING, f"add-on {code} for the period")
    )
    return InvoiceLine(service.id, service.customer_id, kind, description, amount, period, code)


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
    changed = done._evolved(
        addons=tuple(cancelled if a.code == code else a for a in service.addons)
    )
    lines = addon_refund_lines(service, addon, day, refund, used_day)
    kind = EventKind.ADDON_REMOVED
    return Outcome(changed, (event(changed, kind, at, (("addon", code),)),), lines)
