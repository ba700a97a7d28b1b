"""Removing options from a live service (seed 002: "add or delete additional resources").

:func:`remove_options` drops configurable options a service holds. Like any
change it only edits the timeline: each option's track ends on the day of the
removal, and the billing engine bills the result under the change ``policy``
(the default credits the unused days prorated, the day of the change on the
new plan; in arrears the days used are billed when the period ends).

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle import ACTIVE, Actor, OptionChange, Service, change_options
>>> from prodlife.pricing.recurring import RecurringPrice
>>> vps = Service(
...     id="S-1", customer_id="C-1", product_code="VPS", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 4, 1), next_due=date(2025, 5, 1), paid_through=date(2025, 4, 30),
...     status=ACTIVE,
... )
>>> staff = Actor.system()
>>> ram = OptionChange("RAM", "8GB", Money("6.00", "USD"))
>>> added = change_options(vps, staff, datetime(2025, 4, 1, 9, tzinfo=UTC), [ram])
>>> mid_april = datetime(2025, 4, 16, 9, tzinfo=UTC)
>>> removed = remove_options(added.service, staff, mid_april, ["RAM"])
>>> [str(line) for line in removed.lines]
['S-1 option reversed RAM: 8GB [2025-04-16, 2025-05-01) 15/30 of USD 6.00 = USD -3.00']
>>> removed.service.options
()
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prodlife.billing.changes import end_track
from prodlife.errors import NotFound, ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import check_actor, today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.timelines import billed
from prodlife.lifecycle.transitions import Operation
from prodlife.proration import ChangeDay, ChangePolicy, UsedDay

__all__ = ["remove_options"]


def remove_options(
    service: Service,
    actor: Actor,
    at: datetime,
    codes: Sequence[str],
    *,
    policy: ChangePolicy | None = None,
    reason: str = "",
) -> Outcome:
    """Remove the options ``codes`` from ``service`` today, billed like any change.

    Args:
        codes: the options to remove; each held by the service, each once.
        policy: how the unused part is credited (``policy.credit``) and who
            pays the day of the change (``policy.change_day``: on the new plan,
            the default, the removed option does not bill it).
        reason: why, for the history.

    Returns:
        The service without the options, an ``OPTIONS_CHANGED`` event whose
        ``removed`` detail lists them, and the lines the engine bills for it.

    Raises:
        ValidationError: no codes, or one listed twice.
        NotFound: the service holds no such option (the message lists its options).
        RuleViolation: the day is before what is billed for good (rule ``billing.settled``).
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`.
    """
    check_actor(service, actor, Operation.CHANGE_OPTIONS)
    if isinstance(codes, str) or not codes:
        raise ValidationError(
            f"options to remove {codes!r}: give a list of option codes, e.g. ['RAM']"
        )
    if len(set(codes)) != len(codes):
        raise ValidationError(f"options {list(codes)} list one option twice; give each once")
    held = [option.code for option in service.options]
    for code in codes:
        if code not in held:
            raise NotFound("option", code, f"service {service.id} holds the options {held}")
    chosen = ChangePolicy() if policy is None else policy
    if not isinstance(chosen, ChangePolicy):
        raise ValidationError(f"policy {policy!r} is not a ChangePolicy; pass one or None")
    used = UsedDay.USED if chosen.change_day is ChangeDay.OLD_PLAN else UsedDay.UNUSED
    removed = ", ".join(codes)
    done = service.perform(
        Operation.CHANGE_OPTIONS, actor, at, reason, details=f"options removed: {removed}"
    )
    day = today(service, at)
    done.ledger.check_change(service.id, day)
    timeline = done.timeline
    for code in codes:
        if any(track.subject == code for track in timeline.tracks):
            timeline = end_track(timeline, code, day, refund=chosen.credit, used_day=used)
    changed = done._evolved(
        options=tuple(o for o in service.options if o.code not in codes), timeline=timeline
    )
    events = (event(changed, EventKind.OPTIONS_CHANGED, at, (("removed", removed),)),)
    return billed(Outcome(changed, events), day)
