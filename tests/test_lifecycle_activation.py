"""Scheduled activation and notification choices at activation (seed 000)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock
from prodlife.app import Billing
from prodlife.errors import InvalidInstant, PermissionDenied, RuleViolation, TransitionNotAllowed
from prodlife.lifecycle import ActivationNotice, EventKind, Status, activate
from prodlife.ports import Store
from tests._lifecycle import OWNER, STAFF, STRANGER, ordered, web
from tests.test_app import NOW, make_every_store  # noqa: F401 (a fixture: each store in turn)

AT = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)
BUSINESS_HOURS = datetime(2025, 4, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))  # 08:00 UTC


def test_an_activation_at_a_later_instant_is_scheduled_and_changes_nothing() -> None:
    service = ordered()
    later = AT + timedelta(hours=3)
    outcome = activate(service, STAFF, AT, when=later)
    assert outcome.service == service
    (scheduled,) = outcome.events
    assert scheduled.kind is EventKind.ACTIVATION_SCHEDULED
    assert scheduled.detail("scheduled_for") == "2025-04-01T11:00:00+00:00"
    assert scheduled.detail("email_all_users") == "yes"


def test_an_activation_scheduled_for_now_or_before_activates_at_once() -> None:
    outcome = activate(ordered(), STAFF, AT, when=BUSINESS_HOURS)
    assert outcome.service.status.status is Status.ACTIVE
    assert EventKind.ACTIVATED in [e.kind for e in outcome.events]


def test_the_notice_flags_are_carried_by_the_activation_events() -> None:
    notice = ActivationNotice(send_confirmation=True, email_all_users=False)
    outcome = activate(ordered(), STAFF, AT, notice=notice)
    (activated,) = [e for e in outcome.events if e.kind is EventKind.ACTIVATED]
    assert activated.detail("email_all_users") == "no"
    assert activated.detail("send_confirmation") == "yes"


def test_without_a_notice_the_activated_event_is_as_before() -> None:
    outcome = activate(ordered(), STAFF, AT)
    (activated,) = [e for e in outcome.events if e.kind is EventKind.ACTIVATED]
    assert "email_all_users" not in dict(activated.details)


@given(st.booleans(), st.booleans(), st.integers(-5000, 5000))
def test_every_activation_event_says_who_is_told_and_only_a_later_instant_schedules(
    confirmation: bool, everyone: bool, minutes: int
) -> None:
    notice = ActivationNotice(confirmation, everyone)
    when = AT + timedelta(minutes=minutes)
    outcome = activate(ordered(), STAFF, AT, when=when, notice=notice)
    kinds = {EventKind.ACTIVATION_SCHEDULED, EventKind.ACTIVATION_STARTED, EventKind.ACTIVATED}
    flagged = [e for e in outcome.events if e.kind in kinds]
    assert flagged
    for item in flagged:
        assert item.detail("send_confirmation") == ("yes" if confirmation else "no")
        assert item.detail("email_all_users") == ("yes" if everyone else "no")
    scheduled = minutes > 0
    assert (outcome.service.status.status is Status.ACTIVE) is not scheduled
    assert ([e.kind for e in outcome.events] == [EventKind.ACTIVATION_SCHEDULED]) is scheduled


def test_a_service_that_cannot_be_activated_cannot_be_scheduled() -> None:
    with pytest.raises(TransitionNotAllowed):
        activate(web(), STAFF, AT, when=AT + timedelta(days=1))


def test_a_stranger_cannot_schedule_an_activation() -> None:
    with pytest.raises(PermissionDenied):
        activate(ordered(), STRANGER, AT, when=AT + timedelta(days=1))


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(InvalidInstant):
        activate(ordered(), STAFF, AT, when=datetime(2025, 4, 2, 9))


@pytest.mark.parametrize("flag", [1, "no", None])
def test_a_notice_flag_is_a_bool(flag: object) -> None:
    with pytest.raises(RuleViolation) as raised:
        ActivationNotice(email_all_users=flag)  # type: ignore[arg-type]
    assert raised.value.rule == "activation.notice"


def test_a_notice_that_is_not_an_activation_notice_is_refused() -> None:
    with pytest.raises(RuleViolation) as raised:
        activate(ordered(), STAFF, AT, notice={"email_all_users": False})  # type: ignore[arg-type]
    assert raised.value.rule == "activation.notice"


def test_a_scheduled_activation_is_published_through_billing_and_done_later(
    make_every_store: Callable[[], Store],  # noqa: F811
) -> None:
    clock = FixedClock(NOW)
    app = Billing(make_every_store(), clock=clock)
    app.add_services([ordered()])
    later = NOW + timedelta(hours=20)
    notice = ActivationNotice(email_all_users=False)
    done = app.perform(activate, ordered().id, STAFF, when=later, notice=notice)
    assert app.service(ordered().id, STAFF).status.status is Status.PENDING
    with app.store.transaction() as uow:
        (stored,) = [item.event for item in uow.events.unpublished()]
    assert stored == done.events[0]
    assert stored.detail("scheduled_for") == later.isoformat()
    clock.set(later)
    app.perform(activate, ordered().id, STAFF, notice=notice)
    assert app.service(ordered().id, OWNER).status.status is Status.ACTIVE
