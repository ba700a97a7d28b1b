"""Scheduled activation and who is told of it (seed 000).

Seed 000 schedules an activation "during appropriate business hours" and lets
staff turn off the e-mail to all the account's users. :func:`activate
<prodlife.lifecycle.activate>` takes both:

- ``when``: an instant after now schedules the activation instead of doing it.
  The service stays as it is (pending); the outcome carries one
  :attr:`~prodlife.lifecycle.EventKind.ACTIVATION_SCHEDULED` event whose
  ``scheduled_for`` detail is the instant, for the host's job queue to call
  ``activate`` again then (the event is in the outbox, committed with the
  request). An instant not after now activates at once.
- ``notice``: an :class:`ActivationNotice`, whose flags every event of the
  activation carries as details (``send_confirmation``, ``email_all_users``:
  ``yes`` or ``no``), for the host's notifier to follow.

>>> from datetime import UTC, datetime
>>> notice = ActivationNotice(email_all_users=False)
>>> notice.details
(('send_confirmation', 'yes'), ('email_all_users', 'no'))
"""

from __future__ import annotations

from datetime import datetime

import attrs

from prodlife.clock import as_utc
from prodlife.errors import RuleViolation
from prodlife.lifecycle.actors import Actor, authorize
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.transitions import Operation, next_status

__all__ = ["ActivationNotice", "schedule_activation", "with_notice"]

#: The events of an activation that carry its notice.
_ACTIVATION_EVENTS = (
    EventKind.ACTIVATION_SCHEDULED,
    EventKind.ACTIVATION_STARTED,
    EventKind.ACTIVATED,
)


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise RuleViolation(
            "activation.notice", f"{attribute.name} {value!r} must be True or False"
        )


@attrs.frozen(slots=True)
class ActivationNotice:
    """Who is told of an activation (seed 000's activation e-mails).

    Args:
        send_confirmation: send the activation confirmation (with the order's
            details and next steps) to the customer's contact.
        email_all_users: e-mail every user of the customer's account (seed
            000: may be turned off during activation).

    Raises:
        RuleViolation: a flag is not a bool (rule ``activation.notice``).
    """

    send_confirmation: bool = attrs.field(default=True, validator=_flag)
    email_all_users: bool = attrs.field(default=True, validator=_flag)

    @property
    def details(self) -> tuple[tuple[str, str], ...]:
        """The flags as event details."""
        return (
            ("send_confirmation", "yes" if self.send_confirmation else "no"),
            ("email_all_users", "yes" if self.email_all_users else "no"),
        )


def schedule_activation(
    service: Service, actor: Actor, at: datetime, when: datetime, notice: ActivationNotice
) -> Outcome:
    """The outcome of asking at ``at`` to activate ``service`` at ``when`` (later than ``at``).

    Raises:
        PermissionDenied: ``actor`` may not activate the service.
        TransitionNotAllowed: the service cannot be activated from its status.
        InvalidInstant: ``when`` is naive.
        RuleViolation: ``when`` is not after ``at`` (rule ``activation.schedule``),
            or ``notice`` is not an :class:`ActivationNotice` (rule ``activation.notice``).
    """
    instant = as_utc(when)
    if instant <= as_utc(at):
        raise RuleViolation(
            "activation.schedule",
            f"activation of {service.id} scheduled for {instant.isoformat()}, not after now "
            f"({as_utc(at).isoformat()}); schedule a later instant, or activate now",
            service.id,
        )
    authorize(
        actor,
        Operation.ACTIVATE,
        owner_customer_id=service.customer_id,
        current=service.status,
        customer_may_delete=False,
    )
    next_status(service.status, Operation.ACTIVATE)
    details = (("scheduled_for", instant.isoformat()), *_notice(notice).details)
    return Outcome(service, (event(service, EventKind.ACTIVATION_SCHEDULED, at, details),))


def with_notice(outcome: Outcome, notice: ActivationNotice) -> Outcome:
    """``outcome`` with ``notice``'s flags on each of its activation events.

    Raises:
        RuleViolation: ``notice`` is not an :class:`ActivationNotice` (rule
            ``activation.notice``).
    """
    extra = _notice(notice).details
    events = tuple(
        attrs.evolve(e, details=(*e.details, *extra)) if e.kind in _ACTIVATION_EVENTS else e
        for e in outcome.events
    )
    return attrs.evolve(outcome, events=events)


def _notice(notice: object) -> ActivationNotice:
    if not isinstance(notice, ActivationNotice):
        raise RuleViolation(
            "activation.notice", f"{notice!r} is not an ActivationNotice; pass one or None"
        )
    return notice
