"""Mass update: staff change several services at once (seed 003's "mass update").

One :class:`MassUpdate` names what changes — recurring price (from today),
billing cycle (from the next due date), next due date (the schedule moves to
it; the gap is billed prorated, seed 003's "prorata invoice"), status
(suspend, unsuspend or terminate), payment method, override of
auto-suspension — and :func:`mass_update` applies it to each service,
returning one :class:`Outcome` each. Every service is checked before
any is changed: if one refuses (permission, status, a bad date), the whole
update raises and nothing is returned.

A mass update is staff's: each field needs its own permission
(:data:`~prodlife.lifecycle.actors.FIELD_PERMISSIONS`). A new cycle is billed
at the price plan's price for it (``prices``, one per service, which
:meth:`prodlife.app.Billing.mass_update` reads from the stored plan), and the
status changes run the provisioning module for each service.

>>> from datetime import UTC, date, datetime, timedelta
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle.actors import Action, Actor, authorize_action, authorize_fields
>>> from prodlife.lifecycle.status import ACTIVE
>>> from prodlife.pricing.recurring import RecurringPrice
>>> def service(id, due):
...     return Service(
...         id=id, customer_id="C-1", product_code="VPS", edition=None, cycle=MONTHLY,
...         price=RecurringPrice.at_order(Money("30.00", "USD")), payment_method="card",
...         start=date(2025, 1, 1), next_due=due, paid_through=due - timedelta(days=1),
...         status=ACTIVE,
...     )
>>> staff = Actor.staff("ann", ["customer products: edit", "invoices: create"])
>>> done = mass_update(
...     [service("S-1", date(2025, 6, 1)), service("S-2", date(2025, 6, 11))],
...     staff, datetime(2025, 5, 20, tzinfo=UTC), MassUpdate(next_due=date(2025, 6, 21)),
... )
>>> for line in (line for outcome in done for line in outcome.lines):
...     print(line)
S-1 recurring VPS [2025-06-01, 2025-06-21) 20/31 of USD 30.00 = USD 19.35
S-2 recurring VPS [2025-06-11, 2025-06-21) 10/31 of USD 30.00 = USD 9.68
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from prodlife.cycles import BillingCycle
from prodlife.errors import RuleViolation, ValidationError
from prodlife.lifecycle.actors import Action, Actor, authorize_action, authorize_fields
from prodlife.lifecycle.endings import end_service
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import suspend, today, unsuspend
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.service_parts import OverrideAutoSuspend
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import SuspensionKind
from prodlife.lifecycle.terms import in_arrears
from prodlife.lifecycle.timelines import BASE, billed, schedule_for
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money

__all__ = ["KEEP", "MassUpdate", "mass_update"]


class _Keep(enum.Enum):
    """The marker for "leave this field as it is"."""

    KEEP = "keep"

    def __repr__(self) -> str:
        return "KEEP"


#: Leave a field of a :class:`MassUpdate` unchanged (``None`` is a value for some fields).
KEEP = _Keep.KEEP

_STATUS_OPERATIONS = (Operation.SUSPEND, Operation.UNSUSPEND, Operation.TERMINATE)


@attrs.frozen(slots=True, kw_only=True)
class MassUpdate:
    """What a mass update changes; every field left out stays as it is.

    Args:
        price: a new recurring price per cycle, set by hand (needs ``prices: set``).
        cycle: a new billing cycle.
        next_due: a new next due date; each service gets a prorated line for
            the gap (a charge when later, a credit when earlier).
        status: :attr:`Operation.SUSPEND` (with ``suspension``),
            :attr:`Operation.UNSUSPEND` or :attr:`Operation.TERMINATE`.
        suspension: the kind of suspension for ``status=SUSPEND``.
        payment_method: a new payment method.
        override_auto_suspend: an :class:`OverrideAutoSuspend`, or ``None`` to
            lift one; :data:`KEEP` leaves it.
        reason: why, for each service's history.

    Raises:
        RuleViolation: nothing to change, a status that is not one of the
            three, or a suspension without a kind (rule ``mass-update.fields``).
    """

    price: Money | None = None
    cycle: BillingCycle | None = None
    next_due: date | None = None
    status: Operation | None = None
    suspension: SuspensionKind | None = None
    payment_method: str | None = None
    override_auto_suspend: OverrideAutoSuspend | _Keep | None = KEEP
    reason: str = "mass update"

    def __attrs_post_init__(self) -> None:
        rule = "mass-update.fields"
        edits = self.edits()
        if not edits and self.status is None:
            raise RuleViolation(rule, "a mass update that changes nothing; name a field to set")
        if self.status is not None and self.status not in _STATUS_OPERATIONS:
            raise RuleViolation(
                rule, f"status {self.status!r} must be SUSPEND, UNSUSPEND or TERMINATE"
            )
        if (self.status is Operation.SUSPEND) != (self.suspension is not None):
            raise RuleViolation(
                rule, "give a suspension kind exactly when the status change is SUSPEND"
            )
        if self.price is not None and not isinstance(self.price, Money):
            raise RuleViolation(rule, f"price {self.price!r} is not a Money")
        if self.cycle is not None and not isinstance(self.cycle, BillingCycle):
            raise RuleViolation(rule, f"cycle {self.cycle!r} is not a BillingCycle")
        if self.next_due is not None and (
            isinstance(self.next_due, datetime) or not isinstance(self.next_due, date)
        ):
            raise RuleViolation(rule, f"next due {self.next_due!r} is not a billing date")

    def edits(self) -> dict[str, Any]:
        """The plain field changes (not the status), by service field name."""
        edits: dict[str, Any] = {}
        if self.cycle is not None:
            edits["cycle"] = self.cycle
        if self.next_due is not None:
            edits["next_due"] = self.next_due
        if self.payment_method is not None:
            edits["payment_method"] = self.payment_method
        if not isinstance(self.override_auto_suspend, _Keep):
            edits["override_auto_suspend"] = self.override_auto_suspend
        if self.price is not None:
            edits["price"] = self.price
        return edits


def _edit(
    service: Service, actor: Actor, at: datetime, update: MassUpdate, price: Money | None
) -> Outcome:
    edits = update.edits()
    if "price" in edits:
        edits["price"] = service.price.with_override(edits["price"])
    elif price is not None and "cycle" in edits and edits["cycle"] != service.cycle:
        edits["price"] = service.price.recalculate(price, auto_recalculate=True)
    if in_arrears(service):
        _check_arrears(service, edits)
    day = today(service, at)
    timeline = service.timeline
    track = timeline.track(BASE) if any(t.subject == BASE for t in timeline.tracks) else None
    if track is not None and "price" in edits:  # from today: the use so far keeps the old price
        service.ledger.check_change(service.id, day)
        timeline = timeline.change_rate(BASE, day, amount=edits["price"].amount)
    new_due = edits.get("next_due")
    due = service.next_due
    if new_due is not None and due is not None and new_due != due:
        if new_due <= service.start:
            raise RuleViolation(
                "mass-update.next-due",
                f"service {service.id} started {service.start}; its next due date must be later "
                f"than that, not {new_due}",
            )
        if track is not None:
            # The periods move to the new date; the gap is billed on the new schedule.
            moved = min(due, new_due)
            service.ledger.check_change(service.id, moved)
            cycle = edits.get("cycle", service.cycle)
            timeline = timeline.change_rate(BASE, moved, schedule=schedule_for(cycle, new_due))
        if service.paid_through is not None and service.paid_through >= new_due:
            edits["paid_through"] = date.fromordinal(new_due.toordinal() - 1)
    elif track is not None and "cycle" in edits and edits["cycle"] != service.cycle and due:
        # A new cycle (at its own price) from the next due date: what is paid stays as it is.
        schedule = schedule_for(edits["cycle"], due)
        if price is None or update.price is not None:
            timeline = timeline.change_rate(BASE, due, schedule=schedule)
        else:
            service.ledger.check_change(service.id, due)
            timeline = timeline.change_rate(BASE, due, schedule=schedule, amount=price)
    if timeline is not service.timeline:
        edits["timeline"] = timeline
    changed = ", ".join(
        f"{name}={value}" for name, value in sorted(edits.items()) if name != "timeline"
    )
    done = service.perform(
        Operation.EDIT,
        actor,
        at,
        update.reason,
        sets_price=update.price is not None,
        details=changed,
        _also=edits,
    )
    outcome = Outcome(done, (event(done, EventKind.UPDATED, at, (("changed", changed),)),))
    return billed(outcome, day, through=None if new_due is None else new_due - timedelta(days=1))


def _check_arrears(service: Service, edits: dict[str, Any]) -> None:
    """Refuse the edits that would bill a service in arrears twice or out of step."""
    moved = [
        name
        for name in ("next_due", "cycle")
        if name in edits and edits[name] != getattr(service, name)
    ]
    if moved:
        raise RuleViolation(
            "mass-update.in-arrears",
            f"service {service.id} is invoiced in arrears: its {' and '.join(moved)} follow "
            "the periods invoiced when they end, so a mass update does not move them; change "
            "the cycle with change_package (it lands at the end of the period in use)",
        )


def _status(
    service: Service,
    actor: Actor,
    at: datetime,
    update: MassUpdate,
    module: ProvisioningModule | None,
) -> Outcome:
    reason = update.reason
    if update.status is Operation.SUSPEND:
        assert update.suspension is not None
        return suspend(service, actor, at, update.suspension, module=module, reason=reason)
    if update.status is Operation.UNSUSPEND:
        return unsuspend(service, actor, at, module=module, reason=reason)
    return end_service(service, Operation.TERMINATE, actor, at, module=module, reason=reason)


def mass_update(
    services: Sequence[Service],
    actor: Actor,
    at: datetime,
    update: MassUpdate,
    *,
    prices: Mapping[str, Money] | None = None,
    modules: Mapping[str, ProvisioningModule | None] | None = None,
) -> tuple[Outcome, ...]:
    """Apply ``update`` to every service; all or nothing.

    Only staff mass update, each field with its permission
    (:func:`~prodlife.lifecycle.actors.authorize_fields`); the field edits are
    one :attr:`Operation.EDIT` per service, and the status change follows as
    its own operation, through the service's provisioning module.

    Args:
        prices: for a new ``cycle`` without a ``price``: each service's
            recurring price on the new cycle (from the price plan), by id.
        modules: the provisioning module of each service, by id (``None`` or
            missing: none runs, e.g. for a product that is not provisioned).

    Returns:
        One outcome per service, in the order given; a module's refusal is
        that service's outcome (its event says so), not an error.

    Raises:
        ValidationError: no services, or one listed twice.
        RuleViolation: a new cycle without a price for a service (rule
            ``mass-update.price``).
        PermissionDenied, TransitionNotAllowed, RuleViolation: for the first
            service that refuses; no outcome is returned, so nothing is saved.
    """
    authorize_action(actor, Action.MASS_UPDATE)
    authorize_fields(actor, update.edits())
    if not services:
        raise ValidationError("no services to update; pass at least one")
    ids = [s.id for s in services]
    if len(set(ids)) != len(ids):
        raise ValidationError(f"services {ids} list one service twice; give each once")
    prices = {} if prices is None else prices
    outcomes = []
    for service in services:
        price = prices.get(service.id)
        moved = update.cycle is not None and update.cycle != service.cycle
        if moved and update.price is None and price is None:
            raise RuleViolation(
                "mass-update.price",
                f"service {service.id} moves to {update.cycle}, which is priced by the price "
                "plan; pass its price (Billing.mass_update(..., price_plan=...)) or set price",
            )
        edited = _edit(service, actor, at, update, price) if update.edits() else Outcome(service)
        if update.status is not None:
            module = None if modules is None else modules.get(service.id)
            edited = edited.then(_status(edited.service, actor, at, update, module))
        outcomes.append(edited)
    return tuple(outcomes)
