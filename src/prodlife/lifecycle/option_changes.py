"""Setting a live service's options to new choices, each billed at its new price from today.

An option is a track of the service's timeline on the recurring price's
periods (:func:`change_options`); a change is billed under the change policy
like a change of package (the old price's unused days reversed, the new one
charged), and a later change of package leaves it be. Removing options is in
:mod:`prodlife.lifecycle.option_removal`, changes of add-ons in
:mod:`prodlife.lifecycle.addon_changes`, of the package in
:mod:`prodlife.lifecycle.package_changes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from prodlife.billing.changes import change_rate
from prodlife.billing.lines import LineType
from prodlife.billing.timeline import Rate, Track
from prodlife.cycles import BillingSchedule
from prodlife.errors import RuleViolation, ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import check_actor, today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.service_parts import ServiceOption
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.timelines import BASE, billed, option_label, schedule_for
from prodlife.lifecycle.transitions import Operation
from prodlife.money import Money
from prodlife.proration import ChangePolicy

__all__ = ["OptionChange", "change_options"]


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
