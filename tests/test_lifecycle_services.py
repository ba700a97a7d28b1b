"""The Service aggregate: construction rules, operations with history, add-ons ending with base."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from prodlife.cycles import MONTHLY, ONE_TIME
from prodlife.errors import (
    InvalidInstant,
    NotFound,
    PermissionDenied,
    RuleViolation,
    TransitionNotAllowed,
    ValidationError,
)
from prodlife.lifecycle import (
    ACTIVE,
    ENDED,
    Actor,
    CancellationKind,
    CancellationRequest,
    Operation,
    OverrideAutoSuspend,
    Permission,
    Service,
    ServiceAddOn,
    ServiceOption,
    ServiceStatus,
    Status,
    SuspensionKind,
)
from prodlife.limits import MAX_CLOCK_SKEW_SECONDS
from prodlife.pricing.recurring import RecurringPrice
from prodlife.testing import CANCELLED, TERMINATED
from tests._support import d, usd

Op = Operation
OWNER = Actor.customer("C-1")
STRANGER = Actor.customer("C-2")
STAFF = Actor.staff("ann", set(Permission))
SYSTEM = Actor.system()
T0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def addon(code: str = "BACKUP", **changes: Any) -> ServiceAddOn:
    values: dict[str, Any] = {
        "code": code,
        "cycle": MONTHLY,
        "start": d("2025-01-01"),
        "next_due": d("2025-02-01"),
        "status": ACTIVE,
    }
    values.update(changes)
    return ServiceAddOn(**values)


def service(**changes: Any) -> Service:
    values: dict[str, Any] = {
        "id": "S-1",
        "customer_id": "C-1",
        "product_code": "VPS",
        "edition": "pro",
        "cycle": MONTHLY,
        "price": RecurringPrice.at_order(usd("10.00")),
        "payment_method": "card",
        "start": d("2025-01-01"),
        "next_due": d("2025-02-01"),
        "paid_through": d("2025-01-31"),
    }
    values.update(changes)
    return Service(**values)


def active(**changes: Any) -> Service:
    """An active service with two add-ons, activated by the system at T0."""
    base = service(addons=(addon("BACKUP"), addon("IP")), **changes)
    return base.perform(Op.ACTIVATE, SYSTEM, T0, "paid", provisioning=False)


def request(kind: CancellationKind = CancellationKind.END_OF_PERIOD) -> CancellationRequest:
    renewals = 2 if kind is CancellationKind.AFTER_RENEWALS else None
    return CancellationRequest(kind, "too expensive", T0, renewals)


def rule_of(excinfo: pytest.ExceptionInfo[RuleViolation]) -> str:
    return excinfo.value.rule


# --- construction ---------------------------------------------------------------------


def test_a_new_service_is_ordered_at_version_zero_with_an_empty_history() -> None:
    new = service()
    assert new.status.status is Status.PENDING
    assert (new.version, len(new.history)) == (0, 0)
    assert new.visible_to_customer and not new.ended and not new.cancellation_pending


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"quantity": 0}, "service.quantity"),
        ({"quantity": True}, "service.quantity"),
        ({"id": " "}, "service.field"),
        ({"customer_id": ""}, "service.field"),
        ({"edition": ""}, "service.field"),
        ({"domain": ""}, "service.field"),
        ({"price": usd("10.00")}, "service.field"),
        ({"start": datetime(2025, 1, 1, tzinfo=UTC)}, "service.dates"),
        ({"next_due": "2025-02-01"}, "service.next-due"),
        ({"next_due": d("2024-12-31"), "paid_through": None}, "service.next-due"),
        ({"cycle": ONE_TIME}, "service.next-due"),
        ({"paid_through": d("2025-02-01")}, "service.paid-through"),
        ({"paid_through": d("2024-12-31")}, "service.paid-through"),
        ({"termination_date": d("2025-03-01")}, "service.termination-date"),
        ({"status": CANCELLED}, "service.termination-date"),
        ({"version": 1}, "service.version"),
        ({"options": (ServiceOption("RAM", "4GB"), ServiceOption("RAM", "8GB"))}, "service.option"),
        ({"addons": (addon("IP"), addon("IP"))}, "service.addon"),
        ({"addons": (addon(start=d("2024-12-01")),)}, "service.addon"),
        (
            {"status": CANCELLED, "termination_date": d("2025-03-01"), "addons": (addon(),)},
            "addon.ends-with-base",
        ),
        (
            {
                "status": CANCELLED,
                "termination_date": d("2025-03-01"),
                "addons": (addon(status=CANCELLED, termination_date=d("2025-04-01")),),
            },
            "addon.ends-with-base",
        ),
    ],
)
def test_construction_rules(changes: dict[str, Any], rule: str) -> None:
    with pytest.raises(RuleViolation) as excinfo:
        service(**changes)
    assert rule_of(excinfo) == rule


def test_a_one_time_service_without_due_date_and_an_ended_one_with_its_date_are_fine() -> None:
    assert service(cycle=ONE_TIME, next_due=None).next_due is None
    ended = service(
        status=TERMINATED,
        termination_date=d("2025-03-01"),
        addons=(addon(status=CANCELLED, termination_date=d("2025-02-15")),),
    )
    assert ended.ended and ended.visible_to_customer


def test_a_history_that_does_not_end_at_the_status_is_refused() -> None:
    history = active().history
    with pytest.raises(RuleViolation) as excinfo:
        service(version=1, history=history)  # still pending, history says active
    assert rule_of(excinfo) == "service.history"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"next_due": d("2024-12-01")}, "addon.dates"),
        ({"start": "2025-01-01"}, "addon.dates"),
        ({"code": ""}, "addon.dates"),
        ({"termination_date": d("2025-03-01")}, "addon.termination-date"),
        ({"status": CANCELLED}, "addon.termination-date"),
    ],
)
def test_addon_construction_rules(changes: dict[str, Any], rule: str) -> None:
    with pytest.raises(RuleViolation) as excinfo:
        addon(**changes)
    assert rule_of(excinfo) == rule


def test_option_quantity_and_choice_are_checked() -> None:
    assert ServiceOption("RAM", "4GB").quantity == 1
    for bad in (("RAM", "4GB", 0), ("RAM", "", 1), ("", "4GB", 1)):
        with pytest.raises(RuleViolation, match=r"service\.option"):
            ServiceOption(*bad)


def test_cancellation_request_counts_renewals_only_after_renewals() -> None:
    assert request(CancellationKind.AFTER_RENEWALS).renewals_left == 2
    with pytest.raises(RuleViolation, match=r"service\.cancellation-request"):
        CancellationRequest(CancellationKind.AFTER_RENEWALS, "x", T0, None)
    with pytest.raises(RuleViolation, match=r"service\.cancellation-request"):
        CancellationRequest(CancellationKind.IMMEDIATE, "x", T0, 1)
    with pytest.raises(InvalidInstant):
        CancellationRequest(CancellationKind.IMMEDIATE, "x", datetime(2025, 1, 1))


def test_override_auto_suspend_until_a_day_or_never() -> None:
    assert OverrideAutoSuspend.never().applies_on(d("2099-12-31"))
    until = OverrideAutoSuspend(d("2025-01-31"))
    assert until.applies_on(d("2025-01-31")) and not until.applies_on(d("2025-02-01"))
    assert service(override_auto_suspend=until).override_auto_suspend == until
    with pytest.raises(RuleViolation):
        OverrideAutoSuspend(datetime(2025, 1, 31, tzinfo=UTC))


# --- perform --------------------------------------------------------------------------


def test_perform_returns_a_new_service_with_one_history_entry() -> None:
    original = service()
    later = T0 + timedelta(hours=1)
    done = original.perform(Op.ACTIVATE, STAFF, later, "paid by wire")
    entry = done.history.entries[-1]
    assert original.version == 0 and original.status.status is Status.PENDING
    assert done.version == 1 and len(done.history) == 1
    assert done.status.status is Status.IN_PROGRESS and done.status.target == ACTIVE
    assert (entry.before, entry.after) == (original.status, done.status)
    assert (entry.actor, entry.reason, entry.at, entry.operation) == (
        STAFF,
        "paid by wire",
        later,
        Op.ACTIVATE,
    )
    landed = done.perform(Op.PROVISIONED, SYSTEM, later)
    assert landed.status == ACTIVE and landed.version == 2


def test_perform_records_the_instant_in_utc() -> None:
    from zoneinfo import ZoneInfo

    at = datetime(2025, 1, 2, 1, 0, tzinfo=ZoneInfo("Europe/Paris"))
    done = service().perform(Op.ACTIVATE, SYSTEM, at, provisioning=False)
    assert done.history.entries[0].at == datetime(2025, 1, 2, 0, 0, tzinfo=UTC)
    with pytest.raises(InvalidInstant):
        service().perform(Op.ACTIVATE, SYSTEM, datetime(2025, 1, 2))


def test_each_operation_adds_exactly_one_version() -> None:
    current = active()
    for number, op in enumerate([Op.REBOOT, Op.PROVISIONED, Op.EDIT, Op.CHANGE_OPTIONS], 2):
        current = current.perform(op, STAFF, T0 + timedelta(minutes=number))
        assert current.version == number == len(current.history)


def test_a_transition_the_table_refuses_propagates_and_changes_nothing() -> None:
    original = active()
    with pytest.raises(TransitionNotAllowed):
        original.perform(Op.UNSUSPEND, STAFF, T0)
    assert original == active() and original.version == 1


def test_a_stranger_is_refused_as_if_the_service_did_not_exist() -> None:
    with pytest.raises(PermissionDenied, match="no such service"):
        active().perform(Op.REBOOT, STRANGER, T0)


def test_the_customer_cannot_terminate_nor_delete_unless_the_type_allows() -> None:
    with pytest.raises(PermissionDenied):
        active().perform(Op.TERMINATE, OWNER, T0)
    with pytest.raises(PermissionDenied):
        active().perform(Op.DELETE, OWNER, T0, provisioning=False)
    deleted = active().perform(Op.DELETE, OWNER, T0, provisioning=False, customer_may_delete=True)
    assert deleted.status.status is Status.DELETED


def test_suspend_needs_a_kind_the_actor_may_impose() -> None:
    with pytest.raises(ValidationError):
        active().perform(Op.SUSPEND, STAFF, T0)
    with pytest.raises(PermissionDenied):
        active().perform(Op.SUSPEND, OWNER, T0, kind=SuspensionKind.FOR_ABUSE)
    paused = active().perform(
        Op.SUSPEND, OWNER, T0, kind=SuspensionKind.TEMPORARY, provisioning=False
    )
    assert paused.status == ServiceStatus(Status.SUSPENDED, SuspensionKind.TEMPORARY)


def test_history_cannot_go_back_in_time_beyond_the_clock_skew() -> None:
    skew = timedelta(seconds=MAX_CLOCK_SKEW_SECONDS)
    with pytest.raises(RuleViolation, match=r"history\.order"):
        active().perform(Op.EDIT, STAFF, T0 - skew - timedelta(seconds=1))
    late = active().perform(Op.EDIT, STAFF, T0 - skew)  # another worker's clock, a bit behind
    assert late.history.entries[-1].at == T0 and late.version == active().version + 1


# --- cancellation request -------------------------------------------------------------


def test_scheduling_a_cancellation_keeps_the_status_and_sets_the_request() -> None:
    scheduled = active().perform(Op.SCHEDULE_CANCELLATION, OWNER, T0, "moving", request=request())
    assert scheduled.status == ACTIVE
    assert scheduled.cancellation == request() and scheduled.cancellation_pending


def test_scheduling_needs_a_request_and_other_operations_refuse_one() -> None:
    with pytest.raises(RuleViolation, match=r"service\.cancellation-request"):
        active().perform(Op.SCHEDULE_CANCELLATION, OWNER, T0)
    with pytest.raises(RuleViolation, match=r"service\.cancellation-request"):
        active().perform(Op.EDIT, OWNER, T0, request=request())


def test_a_second_schedule_is_refused_and_reactivate_withdraws_it() -> None:
    scheduled = active().perform(Op.SCHEDULE_CANCELLATION, OWNER, T0, request=request())
    with pytest.raises(TransitionNotAllowed):
        scheduled.perform(Op.SCHEDULE_CANCELLATION, OWNER, T0, request=request())
    withdrawn = scheduled.perform(Op.REACTIVATE, OWNER, T0, "changed my mind")
    assert withdrawn.cancellation is None and withdrawn.version == 3
    with pytest.raises(TransitionNotAllowed):
        withdrawn.perform(Op.REACTIVATE, OWNER, T0)


def test_the_request_is_kept_once_the_service_is_cancelled() -> None:
    scheduled = active().perform(Op.SCHEDULE_CANCELLATION, OWNER, T0, request=request())
    cancelled = scheduled.perform(Op.CANCEL, SYSTEM, T0, provisioning=False)
    assert cancelled.cancellation == request() and not cancelled.cancellation_pending


# --- ending, and add-ons ending with their base ---------------------------------------


@pytest.mark.parametrize(
    ("op", "status"), [(Op.CANCEL, Status.CANCELLED), (Op.TERMINATE, Status.TERMINATED)]
)
def test_ending_the_base_ends_its_addons_with_the_same_date_and_status(
    op: Operation, status: Status
) -> None:
    at = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
    ended = active().perform(op, SYSTEM, at, provisioning=False)
    assert ended.status.status is status and ended.termination_date == d("2025-03-01")
    for held in ended.addons:
        assert held.status == ended.status and held.termination_date == d("2025-03-01")


def test_addons_end_when_the_provider_confirms_not_before() -> None:
    working = active().perform(Op.TERMINATE, STAFF, T0)
    assert working.status.status is Status.IN_PROGRESS and working.termination_date is None
    assert all(held.status == ACTIVE for held in working.addons)
    done = working.perform(Op.PROVISIONED, SYSTEM, T0, termination_date=d("2024-12-31"))
    assert done.termination_date == d("2024-12-31")
    assert {held.termination_date for held in done.addons} == {d("2024-12-31")}
    failed = working.perform(Op.PROVISION_FAILED, SYSTEM, T0)
    assert failed.status == ACTIVE and failed.termination_date is None


def test_an_addon_that_ended_first_keeps_its_status_and_is_not_moved_past_the_base() -> None:
    early = addon("IP", status=CANCELLED, termination_date=d("2025-02-10"))
    late = addon("DNS", status=CANCELLED, termination_date=d("2025-06-30"))
    base = service(addons=(early, late)).perform(Op.ACTIVATE, SYSTEM, T0, provisioning=False)
    ended = base.perform(
        Op.TERMINATE, SYSTEM, T0, termination_date=d("2025-03-01"), provisioning=False
    )
    assert ended.addon("IP") == early
    assert ended.addon("DNS").termination_date == d("2025-03-01")
    assert ended.addon("DNS").status == CANCELLED


def test_termination_date_is_only_for_an_operation_that_ends_the_service() -> None:
    with pytest.raises(RuleViolation, match=r"service\.termination-date"):
        active().perform(Op.EDIT, STAFF, T0, termination_date=d("2025-03-01"))


def test_delete_keeps_history_hides_the_service_and_is_final() -> None:
    cancelled = active().perform(Op.CANCEL, OWNER, T0, provisioning=False)
    deleted = cancelled.perform(Op.DELETE, STAFF, T0 + timedelta(days=1), "cleanup")
    assert deleted.history.entries[:2] == cancelled.history.entries
    assert deleted.termination_date == cancelled.termination_date
    assert not deleted.visible_to_customer and deleted.version == 3
    for op in (Op.EDIT, Op.DELETE):
        with pytest.raises(TransitionNotAllowed):
            deleted.perform(op, STAFF, T0 + timedelta(days=2))


def test_deleting_a_live_service_ends_its_addons_too() -> None:
    deleted = active().perform(Op.DELETE, STAFF, T0, provisioning=False)
    assert deleted.termination_date == T0.date()
    assert all(held.ended and held.termination_date == T0.date() for held in deleted.addons)


# --- add-on termination dates ---------------------------------------------------------


def test_an_addon_termination_date_is_editable_only_once_it_ended() -> None:
    with pytest.raises(RuleViolation) as excinfo:
        active().set_addon_termination_date("IP", d("2025-03-01"), actor=STAFF, at=T0)
    assert rule_of(excinfo) == "addon.termination-date"


def test_editing_an_ended_addon_date_is_an_edit_one_version_later() -> None:
    ended = active().perform(
        Op.CANCEL, SYSTEM, T0, termination_date=d("2025-03-01"), provisioning=False
    )
    edited = ended.set_addon_termination_date(
        "IP", d("2025-02-20"), actor=STAFF, at=T0, reason="ended early"
    )
    assert edited.addon("IP").termination_date == d("2025-02-20")
    assert edited.addon("BACKUP") == ended.addon("BACKUP")
    assert edited.version == ended.version + 1
    assert edited.history.entries[-1].operation is Op.EDIT
    assert ended.addon("IP").termination_date == d("2025-03-01")


def test_an_addon_cannot_end_after_its_base() -> None:
    ended = active().perform(
        Op.CANCEL, SYSTEM, T0, termination_date=d("2025-03-01"), provisioning=False
    )
    with pytest.raises(RuleViolation) as excinfo:
        ended.set_addon_termination_date("IP", d("2025-03-02"), actor=STAFF, at=T0)
    assert rule_of(excinfo) == "addon.ends-with-base"


def test_unknown_addon_and_unauthorized_editor_are_refused() -> None:
    ended = active().perform(Op.CANCEL, SYSTEM, T0, provisioning=False)
    with pytest.raises(NotFound):
        ended.set_addon_termination_date("NOPE", d("2025-01-01"), actor=STAFF, at=T0)
    with pytest.raises(PermissionDenied):
        ended.set_addon_termination_date("IP", d("2025-01-01"), actor=STRANGER, at=T0)
    deleted = ended.perform(Op.DELETE, STAFF, T0)
    with pytest.raises(TransitionNotAllowed):
        deleted.set_addon_termination_date("IP", d("2025-01-01"), actor=STAFF, at=T0)


# --- stateful: random operations by random actors -------------------------------------

ACTORS = st.sampled_from([OWNER, STRANGER, STAFF, SYSTEM])
REFUSALS: tuple[type[Exception], ...] = (TransitionNotAllowed, PermissionDenied)


class ServiceMachine(RuleBasedStateMachine):
    """Any sequence of operations keeps the aggregate's invariants."""

    def __init__(self) -> None:
        super().__init__()
        self.service = service(addons=(addon("BACKUP"), addon("IP", start=d("2025-01-15"))))
        self.now = T0
        self.deleted_seen = False

    def _try(self, action: Any, refusals: tuple[type[Exception], ...] = REFUSALS) -> None:
        before = self.service
        snapshot = attrs.asdict(before, recurse=True)
        try:
            after = action()
        except refusals:
            assert self.service is before
            assert attrs.asdict(before, recurse=True) == snapshot
            return
        assert after is not before
        assert after.version == before.version + 1
        assert after.history.entries[:-1] == before.history.entries
        self.service = after

    @rule(
        op=st.sampled_from(list(Operation)),
        actor=ACTORS,
        kind=st.none() | st.sampled_from(list(SuspensionKind)),
        provisioning=st.booleans(),
        may_delete=st.booleans(),
        minutes=st.integers(0, 60 * 24 * 40),
        cancel_kind=st.sampled_from(list(CancellationKind)),
    )
    def perform(
        self,
        op: Operation,
        actor: Actor,
        kind: SuspensionKind | None,
        provisioning: bool,
        may_delete: bool,
        minutes: int,
        cancel_kind: CancellationKind,
    ) -> None:
        self.now += timedelta(minutes=minutes)
        extra: dict[str, Any] = {}
        if op is Op.SCHEDULE_CANCELLATION:
            extra["request"] = CancellationRequest(
                cancel_kind,
                "random",
                self.now,
                1 if cancel_kind is CancellationKind.AFTER_RENEWALS else None,
            )
        refusals = REFUSALS
        if op is Op.SUSPEND and kind is None:
            refusals = (*REFUSALS, ValidationError)  # suspending needs to know why
        self._try(
            lambda: self.service.perform(
                op,
                actor,
                self.now,
                "random",
                kind=kind,
                provisioning=provisioning,
                customer_may_delete=may_delete,
                **extra,
            ),
            refusals,
        )

    @rule(code=st.sampled_from(["BACKUP", "IP"]), actor=ACTORS, days=st.integers(-60, 60))
    def edit_addon_end(self, code: str, actor: Actor, days: int) -> None:
        day = T0.date() + timedelta(days=days)
        held = self.service.addon(code)
        base_end = self.service.termination_date
        if held.status.status not in (Status.CANCELLED, Status.TERMINATED):
            with pytest.raises(RuleViolation, match=r"addon\.termination-date"):
                self.service.set_addon_termination_date(code, day, actor=actor, at=self.now)
            return
        if base_end is not None and day > base_end:
            with pytest.raises(RuleViolation, match=r"addon\.ends-with-base"):
                self.service.set_addon_termination_date(code, day, actor=actor, at=self.now)
            return
        self._try(
            lambda: self.service.set_addon_termination_date(code, day, actor=actor, at=self.now)
        )

    @invariant()
    def history_counts_the_versions_and_is_a_chain(self) -> None:
        entries = self.service.history.entries
        assert len(entries) == self.service.version
        for last, entry in itertools.pairwise(entries):
            assert entry.before == last.after and entry.at >= last.at
        if entries:
            assert entries[-1].after == self.service.status

    @invariant()
    def addons_never_outlive_an_ended_base(self) -> None:
        if self.service.status.status in ENDED:
            assert self.service.termination_date is not None
            for held in self.service.addons:
                assert held.status.status in ENDED
                assert held.termination_date is not None
                assert held.termination_date <= self.service.termination_date

    @invariant()
    def deleted_is_terminal(self) -> None:
        if self.deleted_seen:
            assert self.service.status.status is Status.DELETED
            assert not self.service.visible_to_customer
        self.deleted_seen = self.service.status.status is Status.DELETED


TestServiceMachine = ServiceMachine.TestCase
