"""Service statuses: the full status x operation matrix, the history, and a state machine."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from prodlife.clock import FixedClock
from prodlife.errors import InvalidInstant, RuleViolation, TransitionNotAllowed, ValidationError
from prodlife.lifecycle import (
    ACTIVE,
    CONFIGURATION_REQUIRED,
    ORDERED,
    TRANSITIONS,
    Actor,
    History,
    HistoryEntry,
    Operation,
    PendingReason,
    Progress,
    ServiceStatus,
    Status,
    SuspensionKind,
    Target,
    allowed,
    allowed_operations,
    format_entry,
    next_status,
    transition_table_markdown,
    visible_to_customer,
)
from prodlife.limits import MAX_CLOCK_SKEW_SECONDS
from prodlife.testing import CANCELLED, DELETED, NOT_AVAILABLE, TERMINATED

Op, S = Operation, Status
SK = SuspensionKind


def pending(reason: PendingReason) -> ServiceStatus:
    return ServiceStatus(S.PENDING, reason)


def suspended(kind: SuspensionKind) -> ServiceStatus:
    return ServiceStatus(S.SUSPENDED, kind)


def in_progress(progress: Progress) -> ServiceStatus:
    previous = ORDERED if progress is Progress.ACTIVATION else ACTIVE
    target = suspended(SK.BY_CUSTOMER) if progress is Progress.SUSPENSION else ACTIVE
    return ServiceStatus(S.IN_PROGRESS, progress, previous=previous, target=target)


#: One sample of every status and substate.
SAMPLES: list[ServiceStatus] = [
    *(pending(r) for r in PendingReason),
    CONFIGURATION_REQUIRED,
    *(in_progress(p) for p in Progress),
    ACTIVE,
    *(suspended(k) for k in SK),
    NOT_AVAILABLE,
    CANCELLED,
    TERMINATED,
    DELETED,
]

SAME = "="


def via(progress: str, target: str) -> str:
    return f"in progress ({progress}) -> {target}"


def _suspended_row(kind: SuspensionKind) -> dict[Operation, str]:
    me = str(suspended(kind))
    row = {
        Op.UNSUSPEND: via("resume", "active"),
        Op.RENEW: via("renewal", me),
        Op.INVOICE: SAME,
        Op.TRANSFER: via("transfer", me),
        Op.EDIT: SAME,
        Op.SCHEDULE_CANCELLATION: SAME,
        Op.CANCEL: via("deletion", "cancelled"),
        Op.TERMINATE: via("deletion", "terminated"),
        Op.DELETE: via("deletion", "deleted"),
    }
    if kind not in (SK.BY_ADMINISTRATOR, SK.FOR_ABUSE):
        row |= {Op.CHANGE_PACKAGE: SAME, Op.CHANGE_OPTIONS: SAME}
    return row


def _in_progress_row(progress: Progress) -> dict[Operation, str]:
    sample = in_progress(progress)
    row = {
        Op.PROVISIONED: str(sample.target),
        Op.PROVISION_FAILED: str(sample.previous),
        Op.EDIT: SAME,
    }
    if progress is Progress.ACTIVATION:
        row[Op.PROVIDER_UNAVAILABLE] = "not available"
    return row


_PENDING_COMMON = {
    Op.CONFIRM_PAYMENT: via("activation", "active"),
    Op.ACTIVATE: via("activation", "active"),
    Op.INVOICE: SAME,
    Op.EDIT: SAME,
    Op.CANCEL: "cancelled",
    Op.DELETE: "deleted",
}

#: The expected matrix, written out by hand: every allowed cell and where it lands
#: (SUSPEND with kind=for abuse, no cancellation scheduled). Every other cell is refused.
EXPECTED: dict[str, dict[Operation, str]] = {
    "pending (ordered)": {
        Op.CHECKOUT: "pending (awaiting payment)",
        Op.PAY: "pending (payment in progress)",
        **_PENDING_COMMON,
    },
    "pending (awaiting payment)": {Op.PAY: "pending (payment in progress)", **_PENDING_COMMON},
    "pending (payment in progress)": {
        Op.PAYMENT_FAILED: "pending (awaiting payment)",
        **_PENDING_COMMON,
    },
    "configuration required": {
        Op.CONFIGURE: "pending (ordered)",
        Op.EDIT: SAME,
        Op.CANCEL: "cancelled",
        Op.DELETE: "deleted",
    },
    **{str(in_progress(p)): _in_progress_row(p) for p in Progress},
    "active": {
        Op.SUSPEND: via("suspension", "suspended (for abuse)"),
        Op.RENEW: via("renewal", "active"),
        Op.INVOICE: SAME,
        Op.REBOOT: via("reboot", "active"),
        Op.TRANSFER: via("transfer", "active"),
        Op.CHANGE_PACKAGE: SAME,
        Op.CHANGE_OPTIONS: SAME,
        Op.CHANGE_PASSWORD: SAME,
        Op.EDIT: SAME,
        Op.SCHEDULE_CANCELLATION: SAME,
        Op.CANCEL: via("deletion", "cancelled"),
        Op.TERMINATE: via("deletion", "terminated"),
        Op.DELETE: via("deletion", "deleted"),
    },
    **{str(suspended(k)): _suspended_row(k) for k in SK},
    "not available": {
        Op.ACTIVATE: via("activation", "active"),
        Op.EDIT: SAME,
        Op.CANCEL: "cancelled",
        Op.DELETE: "deleted",
    },
    "cancelled": {Op.EDIT: SAME, Op.DELETE: "deleted"},
    "terminated": {Op.EDIT: SAME, Op.DELETE: "deleted"},
    "deleted": {},
}

CELLS = [(current, op) for current in SAMPLES for op in Operation]


def show(result: ServiceStatus, current: ServiceStatus) -> str:
    if result == current:
        return SAME
    if result.status is S.IN_PROGRESS and current.status is not S.IN_PROGRESS:
        assert result.previous == current
        return via(str(result.substate), str(result.target))
    return str(result)


def test_the_samples_cover_every_status_and_substate() -> None:
    assert {s.status for s in SAMPLES} == set(S)
    assert {s.substate for s in SAMPLES} - {None} == {*PendingReason, *Progress, *SK}
    assert set(EXPECTED) == {str(s) for s in SAMPLES}


@pytest.mark.parametrize(("current", "operation"), CELLS, ids=lambda v: str(v))
def test_status_operation_matrix(current: ServiceStatus, operation: Operation) -> None:
    expected = EXPECTED[str(current)].get(operation)
    assert allowed(current, operation) is (expected is not None)
    if expected is None:
        with pytest.raises(TransitionNotAllowed) as caught:
            next_status(current, operation, kind=SK.FOR_ABUSE)
        assert caught.value.status == current
        assert caught.value.operation is operation
        assert f"cannot {operation.verb} a service that is {current}" in str(caught.value)
        return
    assert show(next_status(current, operation, kind=SK.FOR_ABUSE), current) == expected


@pytest.mark.parametrize(("current", "operation"), CELLS, ids=lambda v: str(v))
def test_without_a_provisioning_module_the_target_is_reached_at_once(
    current: ServiceStatus, operation: Operation
) -> None:
    if not allowed(current, operation):
        return
    through = next_status(current, operation, kind=SK.FOR_ABUSE)
    direct = next_status(current, operation, kind=SK.FOR_ABUSE, provisioning=False)
    if through.status is S.IN_PROGRESS and current.status is not S.IN_PROGRESS:
        assert direct == through.target
    else:
        assert direct == through
    assert direct.status is not S.IN_PROGRESS or direct == current


def test_at_most_one_row_matches_any_status_and_operation() -> None:
    for current, operation in CELLS:
        matching = [row for row in TRANSITIONS if row.operation is operation]
        assert sum(row.matches(current) for row in matching) <= 1, (current, operation)


def test_every_row_names_a_known_guard_and_fitting_target() -> None:
    for row in TRANSITIONS:
        assert row.guard in {"always", "no cancellation pending", "cancellation pending"}
        if row.target in (Target.IN_PROGRESS_TARGET, Target.IN_PROGRESS_PREVIOUS):
            assert row.source is S.IN_PROGRESS
            assert row.via is None


def test_provisioned_lands_on_the_target_and_failure_returns_to_where_it_started() -> None:
    running = next_status(ACTIVE, Op.SUSPEND, kind=SK.BY_ADMINISTRATOR)
    assert running == ServiceStatus(
        S.IN_PROGRESS, Progress.SUSPENSION, previous=ACTIVE, target=suspended(SK.BY_ADMINISTRATOR)
    )
    assert next_status(running, Op.PROVISIONED) == suspended(SK.BY_ADMINISTRATOR)
    assert next_status(running, Op.PROVISION_FAILED) == ACTIVE


def test_an_activation_without_provider_resources_is_not_available_and_can_be_retried() -> None:
    running = next_status(ORDERED, Op.CONFIRM_PAYMENT)
    unavailable = next_status(running, Op.PROVIDER_UNAVAILABLE)
    assert unavailable == NOT_AVAILABLE
    assert next_status(next_status(unavailable, Op.ACTIVATE), Op.PROVISIONED) == ACTIVE


def test_a_quick_order_is_configured_then_paid() -> None:
    ordered = next_status(CONFIGURATION_REQUIRED, Op.CONFIGURE)
    assert ordered == ORDERED
    paying = next_status(next_status(ordered, Op.CHECKOUT), Op.PAY)
    assert paying == pending(PendingReason.PAYMENT_IN_PROGRESS)
    assert next_status(paying, Op.PAYMENT_FAILED) == pending(PendingReason.AWAITING_PAYMENT)


def test_change_package_is_refused_while_suspended_by_an_administrator() -> None:
    with pytest.raises(TransitionNotAllowed, match=r"seed 002.*unsuspend it first"):
        next_status(suspended(SK.BY_ADMINISTRATOR), Op.CHANGE_PACKAGE)
    assert allowed(suspended(SK.BY_CUSTOMER), Op.CHANGE_PACKAGE)


def test_scheduling_and_withdrawing_a_cancellation_keep_the_status() -> None:
    for live in (ACTIVE, suspended(SK.TEMPORARY)):
        assert next_status(live, Op.SCHEDULE_CANCELLATION) == live
        assert next_status(live, Op.REACTIVATE, cancellation_pending=True) == live
        assert not allowed(live, Op.REACTIVATE)
        assert not allowed(live, Op.SCHEDULE_CANCELLATION, cancellation_pending=True)
    with pytest.raises(TransitionNotAllowed, match="already scheduled"):
        next_status(ACTIVE, Op.SCHEDULE_CANCELLATION, cancellation_pending=True)
    with pytest.raises(TransitionNotAllowed, match="no cancellation is scheduled"):
        next_status(ACTIVE, Op.REACTIVATE)


def test_reactivate_is_allowed_only_on_a_live_service_with_a_cancellation_pending() -> None:
    live = {str(ACTIVE), *(str(suspended(k)) for k in SK)}
    for current in SAMPLES:
        assert allowed(current, Op.REACTIVATE, cancellation_pending=True) is (str(current) in live)


def test_suspending_needs_a_kind() -> None:
    with pytest.raises(ValidationError, match="kind=SuspensionKind"):
        next_status(ACTIVE, Op.SUSPEND)


def test_deleted_is_final_and_hidden_from_the_customer() -> None:
    assert allowed_operations(DELETED, cancellation_pending=True) == frozenset()
    with pytest.raises(TransitionNotAllowed, match="cannot be restored"):
        next_status(DELETED, Op.EDIT)
    assert [s for s in SAMPLES if not visible_to_customer(s)] == [DELETED]


@pytest.mark.parametrize(
    ("current", "operation", "hint"),
    [
        (in_progress(Progress.REBOOT), Op.REBOOT, "wait until the running reboot"),
        (CANCELLED, Op.ACTIVATE, "place a new order"),
        (CONFIGURATION_REQUIRED, Op.PAY, "configure it first"),
        (suspended(SK.BY_CUSTOMER), Op.REBOOT, "unsuspend it first"),
        (suspended(SK.BY_CUSTOMER), Op.SUSPEND, "already suspended"),
        (ACTIVE, Op.UNSUSPEND, "not suspended"),
        (ACTIVE, Op.PROVISIONED, "nothing is in progress"),
        (ORDERED, Op.REBOOT, "activate it first"),
        (NOT_AVAILABLE, Op.REBOOT, "once the provider has resources"),
    ],
)
def test_refusals_say_what_would_make_the_operation_possible(
    current: ServiceStatus, operation: Operation, hint: str
) -> None:
    with pytest.raises(TransitionNotAllowed) as caught:
        next_status(current, operation)
    assert hint in caught.value.hint


def test_status_text_names_the_substate() -> None:
    assert str(suspended(SK.BY_ADMINISTRATOR)) == "suspended (by administrator)"
    assert str(in_progress(Progress.DELETION)) == "in progress (deletion)"
    assert str(ACTIVE) == "active"


@pytest.mark.parametrize(
    ("status", "substate", "ends", "message"),
    [
        (S.PENDING, None, False, "needs a PendingReason"),
        (S.SUSPENDED, Progress.RESUME, False, "needs a SuspensionKind"),
        (S.ACTIVE, SK.TEMPORARY, False, "has no substate"),
        (S.IN_PROGRESS, Progress.REBOOT, False, "settled statuses"),
        (S.ACTIVE, None, True, "only an in-progress status"),
        ("active", None, False, "not a Status"),
    ],
)
def test_a_substate_must_fit_its_status(
    status: object, substate: object, ends: bool, message: str
) -> None:
    extra = {"previous": ACTIVE, "target": ACTIVE} if ends else {}
    with pytest.raises(ValidationError, match=message):
        ServiceStatus(status, substate, **extra)  # type: ignore[arg-type]


def test_an_in_progress_status_cannot_nest_another() -> None:
    running = in_progress(Progress.REBOOT)
    with pytest.raises(ValidationError, match="settled statuses"):
        ServiceStatus(S.IN_PROGRESS, Progress.RESUME, previous=running, target=ACTIVE)


def test_the_table_prints_one_line_per_row() -> None:
    lines = transition_table_markdown().splitlines()
    assert len(lines) == len(TRANSITIONS) + 2
    assert "| suspended | by customer, for non-payment, temporarily | CHANGE_PACKAGE |" in (
        "\n".join(lines)
    )


# History ---------------------------------------------------------------------------------------

T0 = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
ANN = Actor.staff("ann")
SKEW = timedelta(seconds=MAX_CLOCK_SKEW_SECONDS)


def entry(at: datetime, op: Operation, before: ServiceStatus, after: ServiceStatus) -> HistoryEntry:
    return HistoryEntry(at, ANN, op, "test", before, after)


def test_history_appends_in_time_order_and_returns_a_new_history() -> None:
    first = History().append(entry(T0, Op.ACTIVATE, ORDERED, ACTIVE))
    second = first.append(entry(T0, Op.REBOOT, ACTIVE, ACTIVE))
    assert len(first) == 1
    assert [e.operation for e in second] == [Op.ACTIVATE, Op.REBOOT]
    assert second.last == second.entries[-1]
    assert History().last is None


def test_an_entry_earlier_than_the_last_is_refused() -> None:
    history = History().append(entry(T0, Op.ACTIVATE, ORDERED, ACTIVE))
    with pytest.raises(RuleViolation, match=r"moves forward.*\(rule history\.order\)"):
        history.append(entry(T0 - SKEW - timedelta(seconds=1), Op.REBOOT, ACTIVE, ACTIVE))
    with pytest.raises(RuleViolation, match=r"history\.order"):
        History(
            [
                entry(T0, Op.ACTIVATE, ORDERED, ACTIVE),
                entry(T0 - timedelta(days=1), Op.EDIT, ACTIVE, ACTIVE),
            ]
        )


@given(lag=st.timedeltas(min_value=timedelta(0), max_value=SKEW))
def test_an_entry_a_clock_skew_behind_the_last_is_recorded_at_the_last_instant(
    lag: timedelta,
) -> None:
    history = History().append(entry(T0, Op.ACTIVATE, ORDERED, ACTIVE))
    late = history.append(entry(T0 - lag, Op.REBOOT, ACTIVE, ACTIVE))
    assert [e.at for e in late] == [T0, T0]
    rest = history.at_rest().append(entry(T0 - lag, Op.REBOOT, ACTIVE, ACTIVE))
    assert [e.at for e in rest] == [T0]


def test_an_entry_must_start_where_the_last_ended() -> None:
    history = History().append(entry(T0, Op.ACTIVATE, ORDERED, ACTIVE))
    with pytest.raises(RuleViolation, match=r"history\.continuity"):
        history.append(entry(T0, Op.EDIT, CANCELLED, CANCELLED))


def test_a_history_at_rest_counts_its_entries_and_still_refuses_going_back_in_time() -> None:
    history = History().append(entry(T0, Op.ACTIVATE, ORDERED, ACTIVE))
    history = history.append(entry(T0 + timedelta(hours=1), Op.REBOOT, ACTIVE, ACTIVE))
    rest = history.at_rest()
    assert (rest.total, len(rest), rest.earlier_last_at) == (2, 0, T0 + timedelta(hours=1))
    assert rest.at_rest() is rest
    later = rest.append(entry(T0 + timedelta(hours=2), Op.EDIT, ACTIVE, ACTIVE))
    assert (later.total, later.earlier, [e.operation for e in later]) == (3, 2, [Op.EDIT])
    with pytest.raises(RuleViolation, match=r"history\.order"):
        rest.append(entry(T0, Op.EDIT, ACTIVE, ACTIVE))
    with pytest.raises(RuleViolation, match=r"history\.order"):
        History((entry(T0, Op.EDIT, ACTIVE, ACTIVE),), 2, T0 + timedelta(hours=1))


@pytest.mark.parametrize("earlier", [-1, True, 1.5, "2"])
def test_a_history_refuses_a_bad_count_of_earlier_entries(earlier: object) -> None:
    with pytest.raises(ValidationError, match="earlier history entries"):
        History((), earlier, T0)


def test_earlier_entries_need_the_instant_of_the_last_of_them() -> None:
    with pytest.raises(ValidationError, match="earlier_last_at"):
        History((), 3)


def test_entries_keep_utc_and_refuse_naive_times() -> None:
    from zoneinfo import ZoneInfo

    paris = datetime(2025, 2, 1, 0, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert entry(paris, Op.EDIT, ACTIVE, ACTIVE).at == T0
    assert entry(paris, Op.EDIT, ACTIVE, ACTIVE).at.tzinfo is UTC
    with pytest.raises(InvalidInstant):
        entry(datetime(2025, 1, 1), Op.EDIT, ACTIVE, ACTIVE)
    with pytest.raises(ValidationError, match="reason"):
        HistoryEntry(T0, ANN, Op.EDIT, None, ACTIVE, ACTIVE)  # type: ignore[arg-type]


def test_entries_show_in_the_viewers_time_zone() -> None:
    e = HistoryEntry(T0, ANN, Op.SUSPEND, "abuse report", ACTIVE, suspended(SK.FOR_ABUSE), "T-7")
    assert format_entry(e, "Asia/Tokyo", "en_GB") == (
        "1 Feb 2025, 08:30:00 — staff member 'ann': suspend, "
        "active → suspended (for abuse): abuse report (T-7)"
    )
    assert format_entry(e, "America/New_York", "en_GB").startswith("31 Jan 2025, 18:30:00")
    kept = HistoryEntry(T0, Actor.system(), Op.RENEW, "", ACTIVE, ACTIVE)
    assert format_entry(kept, "UTC", "en_GB") == "31 Jan 2025, 23:30:00 — the system: renew, active"


# A state machine over random operations -------------------------------------------------------

ENDED = {S.CANCELLED, S.TERMINATED, S.DELETED}


class ServiceLifecycle(RuleBasedStateMachine):
    """Random operations on one service; only the table's transitions may happen."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(T0)
        self.current = ORDERED
        self.history = History()
        self.cancellation_pending = False
        self.successes = 0
        self.deleted = False

    @rule(
        operation=st.sampled_from(Operation),
        kind=st.sampled_from(SuspensionKind),
        provisioning=st.booleans(),
        seconds=st.integers(0, 90 * 86400),
    )
    def apply(
        self, operation: Operation, kind: SuspensionKind, provisioning: bool, seconds: int
    ) -> None:
        self.clock.advance(timedelta(seconds=seconds))
        before = self.current
        may = allowed(before, operation, cancellation_pending=self.cancellation_pending)
        refused: TransitionNotAllowed | None = None
        try:
            after = next_status(
                before,
                operation,
                kind=kind,
                cancellation_pending=self.cancellation_pending,
                provisioning=provisioning,
            )
        except TransitionNotAllowed as error:
            refused = error
        if refused is not None:
            assert not may
            assert (refused.status, refused.operation) == (before, operation)
            return
        assert may
        self._check_in_table(before, operation, after, kind, provisioning)
        self.history = self.history.append(
            HistoryEntry(self.clock.now(), Actor.system(), operation, "random", before, after)
        )
        self.successes += 1
        self.current = after
        if operation is Op.SCHEDULE_CANCELLATION:
            self.cancellation_pending = True
        elif operation is Op.REACTIVATE or after.status in ENDED:
            self.cancellation_pending = False
        self.deleted = self.deleted or after.status is S.DELETED

    @precondition(lambda self: self.current.status is S.DELETED)
    @rule()
    def deleted_refuses_everything(self) -> None:
        assert allowed_operations(self.current, cancellation_pending=True) == frozenset()

    def _check_in_table(
        self,
        before: ServiceStatus,
        operation: Operation,
        after: ServiceStatus,
        kind: SuspensionKind,
        provisioning: bool,
    ) -> None:
        rows = [r for r in TRANSITIONS if r.operation is operation and r.matches(before)]
        assert len(rows) == 1
        row = rows[0]
        if row.via is not None and provisioning:
            assert (after.status, after.substate, after.previous) == (
                S.IN_PROGRESS,
                row.via,
                before,
            )
            landed = after.target
        else:
            landed = after
        if isinstance(row.target, ServiceStatus):
            assert landed == row.target
        elif row.target is Target.SAME:
            assert landed == before
        elif row.target is Target.SUSPENDED_AS_GIVEN:
            assert landed == suspended(kind)
        elif row.target is Target.IN_PROGRESS_TARGET:
            assert landed == before.target
        else:
            assert landed == before.previous

    @invariant()
    def deleted_is_terminal(self) -> None:
        assert self.deleted is (self.current.status is S.DELETED)

    @invariant()
    def one_entry_per_successful_transition(self) -> None:
        assert len(self.history) == self.successes
        if self.history.last is not None:
            assert self.history.last.after == self.current

    @invariant()
    def history_is_an_unbroken_chain_in_time_order(self) -> None:
        entries = self.history.entries
        for last, entry_ in itertools.pairwise(entries):
            assert last.at <= entry_.at
            assert last.after == entry_.before
        if entries:
            assert entries[0].before == ORDERED


TestServiceLifecycle = ServiceLifecycle.TestCase
