"""Adding an add-on to a live service, and removing one: each billed on its own cycle.

An added add-on's first period is billed at once (in advance), whole or
prorated to its schedule, or charged once without a cycle
(:func:`add_addon`); a removed one is refunded per the refund asked for
(:func:`remove_addon`). Add-ons end with their service
(:mod:`prodlife.lifecycle.endings`); changes of options are in
:mod:`prodlife.lifecycle.option_changes`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from prodlife.billing.changes import end_track
from prodlife.billing.lines import LineType
from prodlife.billing.timeline import OneTimeCharge, Rate, Track
from prodlife.errors import RuleViolation, ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import check_actor, today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.service_parts import ServiceAddOn
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ACTIVE, ServiceStatus, Status
from prodlife.lifecycle.timelines import billed, schedule_for
from prodlife.lifecycle.transitions import Operation
from prodlife.proration import CreditMode, UsedDay

__all__ = ["add_addon", "remove_addon"]


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
