"""Lifecycle operations: activate, suspend, reboot, password, invoice, renew, end, transfer...

Each operation returns an :class:`Outcome`: the new service, its events and its
invoice lines. Plan, option and add-on changes are in ``test_lifecycle_changes.py``,
cancellations and refunds in ``test_lifecycle_cancellations.py``. The money is
worked by hand in the comments (see ``tests/_lifecycle.py`` for the fixtures).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money, Period
from prodlife.billing.lines import InvoiceLine, LineType, lines_total
from prodlife.cycles import ANNUAL, MONTHLY, ONE_TIME, QUARTERLY, BillingCycle
from prodlife.errors import (
    CurrencyMismatch,
    NotFound,
    PermissionDenied,
    RuleViolation,
    TransitionNotAllowed,
    ValidationError,
)
from prodlife.lifecycle import (
    ACTIVE,
    ORDERED,
    Actor,
    ModuleFailed,
    ModuleResult,
    Operation,
    Permission,
    Progress,
    Service,
    ServiceStatus,
    Status,
    SuspensionKind,
)
from prodlife.lifecycle.addon_changes import add_addon, remove_addon
from prodlife.lifecycle.cancellations import cancel, request_cancellation, withdraw_cancellation
from prodlife.lifecycle.endings import delete, end_service, terminate
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.operations import (
    activate,
    change_password,
    reboot,
    resend_welcome_email,
    suspend,
    today,
    transfer,
    unsuspend,
)
from prodlife.lifecycle.option_changes import OptionChange, change_options
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.renewals import invoice_early, invoice_next_period, renew
from prodlife.lifecycle.service_parts import CancellationKind
from prodlife.proration import CreditMode
from prodlife.testing import (
    CANCELLED,
    DELETED,
    NOT_AVAILABLE,
    SUSPENDED_BY_ADMINISTRATOR,
    SUSPENDED_BY_CUSTOMER,
    SUSPENDED_FOR_NON_PAYMENT,
    TERMINATED,
)
from prodlife.testing.strategies import billing_dates
from tests._lifecycle import (
    OWNER,
    OWNER_ID,
    SERVICE_ID,
    STAFF,
    STRANGER,
    SYSTEM,
    FakeModule,
    at,
    backup,
    change_edition,
    commands,
    last_entry,
    ordered,
    rows,
    web,
)
from tests._support import P, d, usd

Op = Operation


def in_progress(
    progress: Progress, previous: ServiceStatus, target: ServiceStatus
) -> ServiceStatus:
    return ServiceStatus(Status.IN_PROGRESS, progress, previous=previous, target=target)


def steps(service: Service) -> list[tuple[Operation, ServiceStatus, ServiceStatus]]:
    """The history as (operation, before, after)."""
    return [(e.operation, e.before, e.after) for e in service.history]


def recurring(period: tuple[str, str], amount: str = "10.00") -> tuple[str, str, str]:
    """A period of the WEB BASIC fixture's recurring price, as :func:`rows` shows it."""
    return ("recurring", str(P(*period)), amount)


# --- activate (seed 003 "Create": runs the create routine and sets the product active) ----


def test_activating_without_a_module_lands_active_at_once_with_its_history_and_event() -> None:
    done = activate(ordered(), SYSTEM, at("2025-04-01", 9), reason="payment received")
    assert done.service.status == ACTIVE
    entry = last_entry(done.service)
    assert (entry.operation, entry.actor, entry.reason) == (Op.ACTIVATE, SYSTEM, "payment received")
    assert (entry.before, entry.after) == (ORDERED, ACTIVE)
    assert done.kinds() == (EventKind.ACTIVATED,)
    (event,) = done.events
    assert (event.service_id, event.customer_id, event.at) == (
        SERVICE_ID,
        OWNER_ID,
        at("2025-04-01", 9),
    )
    assert done.lines == () and done.total is None


def test_activating_with_a_module_runs_create_and_records_both_steps() -> None:
    module = FakeModule(ModuleResult.success("vm 42"))
    done = activate(ordered(), SYSTEM, at("2025-04-01", 9), module=module)
    assert module.calls == [("create", SERVICE_ID, "")]
    moving = in_progress(Progress.ACTIVATION, ORDERED, ACTIVE)
    assert steps(done.service) == [
        (Op.ACTIVATE, ORDERED, moving),
        (Op.PROVISIONED, moving, ACTIVE),
    ]
    last = last_entry(done.service)
    assert (last.actor, last.reason) == (SYSTEM, "module create succeeded: vm 42")
    assert done.kinds() == (EventKind.ACTIVATED,)


def test_a_failed_activation_is_recorded_back_where_it_was_and_can_be_retried() -> None:
    # Seed 000: a failed activation; seed 003: the module command is simply run again.
    module = FakeModule(ModuleResult.failed("disk full"), ModuleResult.success("vm 42"))
    failed = activate(ordered(), SYSTEM, at("2025-04-01", 9), module=module)
    assert failed.service.status == ORDERED
    entry = last_entry(failed.service)
    assert entry.operation is Op.PROVISION_FAILED
    assert (entry.reason, entry.details) == (
        "module create failed: disk full",
        "retry to try again",
    )
    assert failed.kinds() == (EventKind.PROVISIONING_FAILED,)
    (event,) = failed.events
    assert event.detail("operation") == "activate"
    assert event.detail("reason") == "module create failed: disk full"

    retried = activate(failed.service, SYSTEM, at("2025-04-01", 10), module=module)
    assert retried.service.status == ACTIVE
    assert [op for op, _, _ in steps(retried.service)] == [
        Op.ACTIVATE,
        Op.PROVISION_FAILED,
        Op.ACTIVATE,
        Op.PROVISIONED,
    ]
    assert retried.service.version == 4
    assert commands(module) == ["create", "create"]


def test_a_module_that_raises_is_a_recorded_failure_not_an_escaping_error() -> None:
    failed = activate(ordered(), SYSTEM, at("2025-04-01", 9), module=FakeModule(OSError("boom")))
    assert failed.service.status == ORDERED
    assert failed.events[0].detail("reason") == "module create failed: OSError: boom"


def test_no_resources_makes_the_service_not_available_until_activated_again() -> None:
    # Seed 002: "Not available — the remote control panel has insufficient resources".
    module = FakeModule(ModuleResult.no_resources("no IPs left"), ModuleResult.success())
    lacking = activate(ordered(), SYSTEM, at("2025-04-01", 9), module=module)
    assert lacking.service.status == NOT_AVAILABLE
    assert lacking.kinds() == (EventKind.NOT_AVAILABLE,)
    assert lacking.events[0].detail("reason") == "module create found no resources: no IPs left"
    later = activate(lacking.service, SYSTEM, at("2025-04-02", 9), module=module)
    assert later.service.status == ACTIVE
    assert later.kinds() == (EventKind.ACTIVATED,)


def test_customers_cannot_activate_and_an_active_service_is_not_activated_again() -> None:
    module = FakeModule()
    with pytest.raises(PermissionDenied, match="only the provider can do this"):
        activate(ordered(), OWNER, at("2025-04-01"), module=module)
    with pytest.raises(TransitionNotAllowed, match="cannot activate a service that is active"):
        activate(web(), SYSTEM, at("2025-04-01"), module=module)
    assert module.calls == []


# --- suspend, unsuspend, reboot, password (seed 003 module commands, seed 002 states) ------


def test_suspending_by_an_administrator_names_the_kind_in_the_event() -> None:
    done = suspend(web(), STAFF, at("2025-04-10"), SuspensionKind.BY_ADMINISTRATOR, reason="abuse")
    assert done.service.status == SUSPENDED_BY_ADMINISTRATOR
    assert steps(done.service) == [(Op.SUSPEND, ACTIVE, SUSPENDED_BY_ADMINISTRATOR)]
    assert done.kinds() == (EventKind.SUSPENDED,)
    assert done.events[0].detail("kind") == "by administrator"


def test_a_failed_suspension_leaves_the_service_active_with_the_failure_recorded() -> None:
    module = FakeModule(ModuleResult.failed("panel down"))
    done = suspend(web(), SYSTEM, at("2025-04-10"), SuspensionKind.FOR_NON_PAYMENT, module=module)
    assert done.service.status == ACTIVE
    assert commands(module) == ["suspend"]
    assert done.kinds() == (EventKind.PROVISIONING_FAILED,)
    assert done.events[0].detail("operation") == "suspend"


def test_suspension_kinds_are_checked_and_limited_by_actor() -> None:
    with pytest.raises(ValidationError, match="not a SuspensionKind"):
        suspend(web(), STAFF, at("2025-04-10"), "by administrator")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied, match="may suspend only"):
        suspend(web(), OWNER, at("2025-04-10"), SuspensionKind.BY_ADMINISTRATOR)
    mine = suspend(web(), OWNER, at("2025-04-10"), SuspensionKind.BY_CUSTOMER)
    assert mine.service.status == SUSPENDED_BY_CUSTOMER


def test_only_staff_lift_an_administrators_suspension_and_the_module_unsuspends() -> None:
    held = web(status=SUSPENDED_BY_ADMINISTRATOR)
    with pytest.raises(PermissionDenied, match="only staff can lift a suspension by administrator"):
        unsuspend(held, OWNER, at("2025-04-11"))
    module = FakeModule()
    done = unsuspend(held, STAFF, at("2025-04-11"), module=module, reason="cleared")
    assert done.service.status == ACTIVE
    assert commands(module) == ["unsuspend"]
    assert done.kinds() == (EventKind.UNSUSPENDED,)
    assert [e.reason for e in done.service.history] == ["cleared", "module unsuspend succeeded: ok"]


def test_rebooting_runs_the_module_and_passes_through_in_progress_reboot() -> None:
    module = FakeModule()
    done = reboot(web(), OWNER, at("2025-04-10"), module=module)
    rebooting = in_progress(Progress.REBOOT, ACTIVE, ACTIVE)
    assert steps(done.service) == [
        (Op.REBOOT, ACTIVE, rebooting),
        (Op.PROVISIONED, rebooting, ACTIVE),
    ]
    assert commands(module) == ["reboot"]
    assert done.kinds() == (EventKind.REBOOTED,)
    with pytest.raises(TransitionNotAllowed):
        reboot(web(status=SUSPENDED_BY_CUSTOMER), OWNER, at("2025-04-10"), module=module)
    with pytest.raises(PermissionDenied):
        reboot(web(), SYSTEM, at("2025-04-10"), module=module)
    assert commands(module) == ["reboot"]


def test_setting_the_password_calls_the_module_and_never_records_the_password() -> None:
    module = FakeModule()
    done = change_password(web(), OWNER, at("2025-04-10"), "s3cret-Pa55", module, reason="forgot")
    assert module.calls == [("change_password", SERVICE_ID, "s3cret-Pa55")]
    assert steps(done.service) == [(Op.CHANGE_PASSWORD, ACTIVE, ACTIVE)]
    assert done.kinds() == (EventKind.PASSWORD_CHANGED,)
    kept = [(e.reason, e.details) for e in done.service.history] + [
        (str(ev), str(ev.details)) for ev in done.events
    ]
    assert all("s3cret" not in text for pair in kept for text in pair)


def test_a_failed_password_change_raises_and_returns_no_new_service() -> None:
    module = FakeModule(ModuleResult.failed("weak password"))
    with pytest.raises(ModuleFailed, match="change_password answered failed: weak password"):
        change_password(web(), OWNER, at("2025-04-10"), "x", module)
    with pytest.raises(ValidationError, match="password is empty"):
        change_password(web(), OWNER, at("2025-04-10"), "", module)
    with pytest.raises(PermissionDenied):
        change_password(web(), STRANGER, at("2025-04-10"), "x", module)
    assert len(module.calls) == 1  # only the first, permitted, non-empty request reached it


# --- invoicing and renewals (seed 003 "invoice early", renew) -----------------------------


def test_invoicing_early_bills_the_next_period_once_and_records_how_far_it_billed() -> None:
    done = invoice_early(web(), STAFF, at("2025-04-20"))
    # The period starting on the next due date, one monthly cycle long, at the 10.00 price.
    assert rows(done.lines) == [recurring(("2025-05-01", "2025-06-01"))]
    assert done.total == usd("10.00")
    assert done.service.billed_until == d("2025-06-01")
    assert done.service.next_due == d("2025-05-01")  # not paid yet
    entry = last_entry(done.service)
    assert (entry.operation, entry.actor, entry.reason) == (Op.INVOICE, STAFF, "invoiced early")
    assert entry.details == "period from 2025-05-01"
    assert done.kinds() == (EventKind.INVOICED,)
    assert done.events[0].details == (("due", "2025-05-01"), ("from", "2025-05-01"))


def test_invoicing_the_same_due_date_twice_is_refused() -> None:
    # Seed 003: "if an invoice was already generated for the next due date, you cannot
    # generate another".
    once = invoice_early(web(), STAFF, at("2025-04-20")).service
    with pytest.raises(RuleViolation) as refused:
        invoice_early(once, STAFF, at("2025-04-21"))
    assert refused.value.rule == "invoice.already-invoiced"
    with pytest.raises(RuleViolation, match=r"rule invoice\.already-invoiced"):
        invoice_next_period(once, SYSTEM, at("2025-04-24"))


@pytest.mark.parametrize("kind", [CancellationKind.END_OF_PERIOD, CancellationKind.IMMEDIATE])
def test_a_service_ending_on_its_due_date_is_not_invoiced_for_the_next_period(
    kind: CancellationKind,
) -> None:
    leaving = request_cancellation(web(), OWNER, at("2025-04-10"), kind, "moving away").service
    with pytest.raises(RuleViolation, match=r"rule invoice\.ending"):
        invoice_early(leaving, STAFF, at("2025-04-20"))
    with pytest.raises(RuleViolation, match=r"rule invoice\.ending"):
        invoice_early(web(auto_renew=False), STAFF, at("2025-04-20"))
    # After N renewals it still renews, so the next period is invoiced.
    counting = request_cancellation(
        web(), OWNER, at("2025-04-10"), CancellationKind.AFTER_RENEWALS, "later", renewals=2
    ).service
    assert invoice_early(counting, STAFF, at("2025-04-20")).lines


def test_the_scheduler_renewal_invoice_has_its_own_reason() -> None:
    done = invoice_next_period(web(), SYSTEM, at("2025-04-24"))
    assert done.service.history.last is not None
    assert done.service.history.last.reason == "renewal invoice"
    assert rows(done.lines) == [recurring(("2025-05-01", "2025-06-01"))]


@pytest.mark.parametrize(
    "status", [ORDERED, ACTIVE, SUSPENDED_BY_ADMINISTRATOR, SUSPENDED_FOR_NON_PAYMENT]
)
def test_pending_active_and_suspended_services_can_be_invoiced_early(status: ServiceStatus) -> None:
    # Seed 003: "the status must be Pending, Active or Suspended".
    done = invoice_early(web(status=status), STAFF, at("2025-04-20"))
    assert done.service.status == status
    assert done.service.billed_until == d("2025-06-01")


@pytest.mark.parametrize(
    "changes",
    [
        {"status": CANCELLED, "termination_date": d("2025-04-15")},
        {"status": TERMINATED, "termination_date": d("2025-04-15")},
        {"status": NOT_AVAILABLE},
    ],
)
def test_ended_or_unavailable_services_are_not_invoiced_early(changes: dict[str, Any]) -> None:
    with pytest.raises(TransitionNotAllowed, match="cannot invoice"):
        invoice_early(web(**changes), STAFF, at("2025-04-20"))


def test_a_one_time_service_has_nothing_to_invoice_or_renew() -> None:
    once = web(cycle=ONE_TIME, next_due=None, paid_through=None)
    with pytest.raises(RuleViolation, match=r"rule invoice\.nothing-due"):
        invoice_early(once, STAFF, at("2025-04-20"))
    with pytest.raises(RuleViolation, match=r"rule renew\.nothing-due"):
        renew(once, STAFF, at("2025-04-20"))


def test_customers_cannot_invoice_early_and_staff_need_the_invoice_permission() -> None:
    with pytest.raises(PermissionDenied, match="only the provider"):
        invoice_early(web(), OWNER, at("2025-04-20"))
    with pytest.raises(PermissionDenied, match="'invoices: create'"):
        invoice_early(web(), Actor.staff("bob", {Permission.RENEW}), at("2025-04-20"))


def test_renewing_invoices_the_period_and_moves_the_due_and_paid_through_dates() -> None:
    done = renew(web(), SYSTEM, at("2025-04-28"), reason="paid by card")
    assert rows(done.lines) == [recurring(("2025-05-01", "2025-06-01"))]
    assert (done.service.next_due, done.service.paid_through) == (d("2025-06-01"), d("2025-05-31"))
    assert done.service.billed_until == d("2025-06-01")
    assert steps(done.service) == [(Op.RENEW, ACTIVE, ACTIVE)]
    assert done.service.history.last is not None
    assert done.service.history.last.details == "1 period(s)"
    assert done.kinds() == (EventKind.RENEWED,)
    assert done.events[0].details == (("periods", "1"), ("next_due", "2025-06-01"))


def test_renewing_after_an_early_invoice_issues_no_second_line() -> None:
    early = invoice_early(web(), STAFF, at("2025-04-20"))
    done = renew(early.service, SYSTEM, at("2025-04-28"))
    assert done.lines == ()
    assert (done.service.next_due, done.service.billed_until) == (d("2025-06-01"), d("2025-06-01"))


def test_renewing_several_periods_after_an_early_invoice_bills_only_the_new_ones() -> None:
    early = invoice_early(web(), STAFF, at("2025-04-20")).service  # May is invoiced
    done = renew(early, SYSTEM, at("2025-04-28"), periods=3)  # May, June, July paid
    assert rows(done.lines) == [
        recurring(("2025-06-01", "2025-07-01")),
        recurring(("2025-07-01", "2025-08-01")),
    ]
    assert done.total == usd("20.00")  # two periods at 10.00
    assert (done.service.next_due, done.service.paid_through) == (d("2025-08-01"), d("2025-07-31"))


def test_a_renewal_keeps_a_suspended_service_suspended() -> None:
    done = renew(web(status=SUSPENDED_FOR_NON_PAYMENT), SYSTEM, at("2025-05-03"))
    assert done.service.status == SUSPENDED_FOR_NON_PAYMENT
    assert done.service.next_due == d("2025-06-01")


@pytest.mark.parametrize("periods", [0, -1, True])
def test_a_renewal_is_for_one_period_or_more(periods: Any) -> None:
    with pytest.raises(RuleViolation, match=r"rule renew\.periods"):
        renew(web(), SYSTEM, at("2025-04-28"), periods=periods)


def test_a_renewal_after_a_change_in_the_old_period_bills_the_new_price() -> None:
    changed = change_edition(web(), "PRO").service
    done = renew(changed, SYSTEM, at("2025-04-28"))
    # The new period is billed at the new recurring price.
    assert [(line.amount, line.period) for line in done.lines] == [
        (usd("40.00"), P("2025-05-01", "2025-06-01"))
    ]


def test_renewing_two_months_from_a_month_end_bills_exactly_two_periods() -> None:
    service = web(start=d("2025-01-31"), next_due=d("2025-01-31"), paid_through=None)
    done = renew(service, SYSTEM, at("2025-01-30"), periods=2)
    # MONTHLY.shift(2025-01-31, 1) = 02-28 and shift(2025-01-31, 2) = 03-31: two periods.
    assert done.service.next_due == d("2025-03-31")
    assert [line.period for line in done.lines] == [
        P("2025-01-31", "2025-02-28"),
        P("2025-02-28", "2025-03-31"),
    ]


_CYCLES = [MONTHLY, QUARTERLY, ANNUAL, BillingCycle.weeks(2), BillingCycle.days(10)]
# A renew of n periods, or 0 for an invoice_early.
_ACTIONS = st.lists(st.integers(0, 3), max_size=8)


@given(
    start=billing_dates(date(2000, 1, 1), date(2090, 12, 31)),
    cycle=st.sampled_from(_CYCLES),
    actions=_ACTIONS,
)
def test_renewals_and_early_invoices_bill_each_period_exactly_once(
    start: date, cycle: BillingCycle, actions: list[int]
) -> None:
    service = web(start=start, next_due=start, paid_through=None, cycle=cycle)

    # The periods of the service, anchored on its start (on the 29th-31st, clamped and back).
    def period(k: int) -> Period:
        return Period(cycle.shift(start, k), cycle.shift(start, k + 1))

    renewed = 0
    lines: list[InvoiceLine] = []
    when = at(start.isoformat())  # the day it starts: nothing is due yet
    for step, action in enumerate(actions):
        when = when + timedelta(minutes=step)
        invoiced = len(lines)
        if action == 0:
            if invoiced > renewed:  # the period from the next due date is invoiced already
                with pytest.raises(RuleViolation, match=r"invoice\.already-invoiced"):
                    invoice_early(service, STAFF, when)
                continue
            outcome = invoice_early(service, STAFF, when)
            assert [line.period for line in outcome.lines] == [period(invoiced)]
        else:
            outcome = renew(service, SYSTEM, when, periods=action)
            renewed += action
            assert outcome.service.next_due == cycle.shift(start, renewed)
            expected = [period(k) for k in range(invoiced, renewed)]
            assert [line.period for line in outcome.lines] == expected
        lines += outcome.lines
        service = outcome.service
    # Every line is one whole period at the price, the periods follow each other from the
    # start without gap or overlap, and they reach exactly as far as billed.
    assert all(line.type is LineType.RECURRING and line.amount == usd("10.00") for line in lines)
    assert [line.period for line in lines] == [period(k) for k in range(len(lines))]
    assert service.billed_until == (cycle.shift(start, len(lines)) if lines else None)
    assert service.next_due == cycle.shift(start, renewed)


# --- ending: terminate, delete, end_service (seed 003 Terminate, seed 002 Delete) ----------


def test_end_service_only_cancels_terminates_or_deletes() -> None:
    with pytest.raises(ValidationError, match="does not end a service"):
        end_service(web(), Op.SUSPEND, STAFF, at("2025-04-20"))


def test_terminating_through_the_module_ends_the_service_and_its_addons_today() -> None:
    module = FakeModule()
    service = web(addons=(backup(),))
    done = terminate(service, STAFF, at("2025-04-20"), module=module, reason="abuse")
    assert done.service.status == TERMINATED
    assert done.service.termination_date == d("2025-04-20")
    (addon,) = done.service.addons
    assert (addon.status, addon.termination_date) == (TERMINATED, d("2025-04-20"))
    assert commands(module) == ["terminate"]
    deleting = in_progress(Progress.DELETION, ACTIVE, TERMINATED)
    assert steps(done.service) == [
        (Op.TERMINATE, ACTIVE, deleting),
        (Op.PROVISIONED, deleting, TERMINATED),
    ]
    assert done.kinds() == (EventKind.TERMINATED,)
    assert done.lines == ()  # no refund unless asked


def test_a_failed_termination_refunds_nothing_and_leaves_the_service_running() -> None:
    module = FakeModule(ModuleResult.failed("server unreachable"))
    done = terminate(web(), STAFF, at("2025-04-20"), refund=CreditMode.FULL, module=module)
    assert done.service.status == ACTIVE
    assert done.service.termination_date is None
    assert done.lines == ()
    assert done.kinds() == (EventKind.PROVISIONING_FAILED,)


def test_terminating_with_a_full_refund_gives_back_the_whole_period() -> None:
    done = terminate(web(), STAFF, at("2025-04-20"), refund=CreditMode.FULL)
    assert rows(done.lines) == [("recurring reversed", "[2025-04-01, 2025-05-01)", "-10.00")]
    assert {line.customer_id for line in done.lines} == {OWNER_ID}


def test_the_end_date_is_the_billing_date_in_the_customers_time_zone() -> None:
    # 2025-04-20 22:00 UTC is 2025-04-21 07:00 in Tokyo.
    done = terminate(web(time_zone="Asia/Tokyo"), STAFF, at("2025-04-20", 22))
    assert done.service.termination_date == d("2025-04-21")


def test_customers_delete_only_where_the_product_type_allows_it() -> None:
    # Seed 002: "To allow customers to delete their services enable Service deletion rules".
    with pytest.raises(PermissionDenied, match="deletion rules do not let customers delete"):
        delete(web(), OWNER, at("2025-04-20"))
    done = delete(web(), OWNER, at("2025-04-20"), customer_may_delete=True)
    assert done.service.status == DELETED
    assert done.service.termination_date == d("2025-04-20")
    assert not done.service.visible_to_customer
    assert steps(done.service) == [(Op.DELETE, ACTIVE, DELETED)]  # history kept
    assert done.kinds() == (EventKind.DELETED,)
    # Deleted is final and hidden: the customer no longer finds it.
    with pytest.raises(PermissionDenied, match="no such service"):
        resend_welcome_email(done.service, OWNER, at("2025-04-21"))


def test_deleting_an_ended_service_keeps_its_termination_date_and_history() -> None:
    cancelled = cancel(web(addons=(backup(),)), STAFF, at("2025-04-20")).service
    done = delete(cancelled, STAFF, at("2025-06-01"))
    assert done.service.status == DELETED
    assert done.service.termination_date == d("2025-04-20")
    assert done.service.addons == cancelled.addons
    assert [op for op, _, _ in steps(done.service)] == [Op.CANCEL, Op.DELETE]
    assert done.lines == ()
    with pytest.raises(TransitionNotAllowed, match="deleted service is final"):
        delete(done.service, STAFF, at("2025-06-02"))


# --- transfer (seed 003: invoices stay with the previous owner) ----------------------------


def test_a_transfer_changes_the_owner_and_names_both_in_the_event() -> None:
    done = transfer(web(), STAFF, at("2025-04-20"), "CUST-NEW-7", reason="company sold")
    assert done.service.customer_id == "CUST-NEW-7"
    assert steps(done.service) == [(Op.TRANSFER, ACTIVE, ACTIVE)]
    entry = last_entry(done.service)
    assert (entry.reason, entry.details) == ("company sold", f"customer {OWNER_ID} -> CUST-NEW-7")
    (event,) = done.events
    assert event.kind is EventKind.TRANSFERRED
    assert event.customer_id == "CUST-NEW-7"
    assert event.details == (("from", OWNER_ID), ("to", "CUST-NEW-7"))
    assert done.lines == ()


def test_lines_issued_before_a_transfer_stay_with_the_old_owner_later_ones_go_to_the_new() -> None:
    early = invoice_early(web(), STAFF, at("2025-04-20"))  # May, to the old owner
    moved = transfer(early.service, STAFF, at("2025-04-21"), "CUST-NEW-7")
    later = renew(moved.service, SYSTEM, at("2025-04-28"), periods=2)  # May (billed) and June
    assert [line.customer_id for line in early.lines] == [OWNER_ID]
    assert rows(later.lines) == [recurring(("2025-06-01", "2025-07-01"))]
    assert [line.customer_id for line in later.lines] == ["CUST-NEW-7"]
    # The new owner now acts on it, the old one cannot.
    rebooted = reboot(later.service, Actor.customer("CUST-NEW-7"), at("2025-04-29"))
    assert rebooted.kinds() == (EventKind.REBOOTED,)
    with pytest.raises(PermissionDenied):
        reboot(later.service, OWNER, at("2025-04-29"))


@pytest.mark.parametrize("to", [OWNER_ID, "", "  "])
def test_a_transfer_names_another_customer(to: str) -> None:
    with pytest.raises(RuleViolation, match=r"rule transfer\.customer"):
        transfer(web(), STAFF, at("2025-04-20"), to)


@pytest.mark.parametrize("actor", [OWNER, SYSTEM, Actor.staff("bob", {Permission.CANCEL})])
def test_only_staff_with_the_transfer_permission_transfer(actor: Actor) -> None:
    with pytest.raises(PermissionDenied):
        transfer(web(), actor, at("2025-04-20"), "CUST-NEW-7")


# --- resend the welcome e-mail (seed 003) ---------------------------------------------------


def test_resending_the_welcome_email_is_only_an_event() -> None:
    service = web()
    done = resend_welcome_email(service, STAFF, at("2025-04-20"))
    assert done.service is service
    assert done.lines == ()
    (event,) = done.events
    assert (event.kind, event.service_id, event.customer_id) == (
        EventKind.WELCOME_EMAIL_REQUESTED,
        SERVICE_ID,
        OWNER_ID,
    )
    assert resend_welcome_email(service, OWNER, at("2025-04-20")).service is service


@pytest.mark.parametrize(
    "service",
    [ordered(), web(status=CANCELLED, termination_date=d("2025-04-15"))],
    ids=["pending", "cancelled"],
)
def test_the_welcome_email_is_for_active_or_suspended_services(service: Service) -> None:
    with pytest.raises(RuleViolation, match=r"rule welcome-email\.status"):
        resend_welcome_email(service, STAFF, at("2025-04-20"))


def test_the_system_does_not_resend_the_welcome_email() -> None:
    with pytest.raises(PermissionDenied):
        resend_welcome_email(web(), SYSTEM, at("2025-04-20"))


# --- policy: who may act on which service ----------------------------------------------------

Call = Callable[[Service, Actor], Outcome]
_AT = at("2025-04-20")
_OPERATIONS: dict[str, Call] = {
    "activate": lambda s, a: activate(s, a, _AT),
    "suspend": lambda s, a: suspend(s, a, _AT, SuspensionKind.BY_CUSTOMER),
    "unsuspend": lambda s, a: unsuspend(s, a, _AT),
    "reboot": lambda s, a: reboot(s, a, _AT),
    "change_password": lambda s, a: change_password(s, a, _AT, "pw", FakeModule()),
    "invoice_early": lambda s, a: invoice_early(s, a, _AT),
    "renew": lambda s, a: renew(s, a, _AT),
    "terminate": lambda s, a: terminate(s, a, _AT),
    "delete": lambda s, a: delete(s, a, _AT, customer_may_delete=True),
    "cancel": lambda s, a: cancel(s, a, _AT),
    "transfer": lambda s, a: transfer(s, a, _AT, "CUST-NEW-7"),
    "resend_welcome_email": lambda s, a: resend_welcome_email(s, a, _AT),
    "request_cancellation": lambda s, a: request_cancellation(
        s, a, _AT, CancellationKind.END_OF_PERIOD, "too dear"
    ),
    "withdraw_cancellation": lambda s, a: withdraw_cancellation(
        request_cancellation(s, OWNER, _AT, CancellationKind.END_OF_PERIOD, "x").service, a, _AT
    ),
    "change_package": lambda s, a: change_edition(s, "PRO", when=_AT, actor=a),
    "change_options": lambda s, a: change_options(
        s, a, _AT, [OptionChange("RAM", "4GB", usd("2.00"))]
    ),
    "add_addon": lambda s, a: add_addon(s, a, _AT, backup()),
    "remove_addon": lambda s, a: remove_addon(
        attrs.evolve(s, addons=(backup(),)), a, _AT, "BACKUP"
    ),
}


@pytest.mark.parametrize("name", sorted(_OPERATIONS))
def test_a_customer_acting_on_another_customers_service_learns_nothing(name: str) -> None:
    service = web(status=SUSPENDED_BY_CUSTOMER) if name == "unsuspend" else web()
    with pytest.raises(PermissionDenied) as refused:
        _OPERATIONS[name](service, STRANGER)
    message = str(refused.value)
    assert "no such service among this customer's services" in message
    assert SERVICE_ID not in message and OWNER_ID not in message


# A deleted service holds no live add-on and no request to withdraw.
@pytest.mark.parametrize(
    "name", sorted(set(_OPERATIONS) - {"withdraw_cancellation", "remove_addon"})
)
def test_the_same_refusal_for_a_deleted_service_of_ones_own(name: str) -> None:
    gone = web(status=DELETED, termination_date=d("2025-04-15"))
    with pytest.raises(PermissionDenied, match="no such service among this customer's services"):
        _OPERATIONS[name](gone, OWNER)


_LEAKS: dict[str, Call] = {
    "change_package to the same edition": lambda s, a: change_edition(
        s, "BASIC", when=_AT, actor=a
    ),
    "change_package by a forbidden move": lambda s, a: change_edition(
        attrs.evolve(s, edition="PREMIUM"), "BASIC", when=_AT, actor=a
    ),
    "remove_addon it does not hold": lambda s, a: remove_addon(s, a, _AT, "BACKUP"),
    "add_addon it already holds": lambda s, a: add_addon(
        attrs.evolve(s, addons=(backup(),)), a, _AT, backup()
    ),
    "transfer to its owner": lambda s, a: transfer(s, a, _AT, OWNER_ID),
    "invoice_early twice": lambda s, a: invoice_early(invoice_early(s, STAFF, _AT).service, a, _AT),
}


@pytest.mark.parametrize("name", sorted(_LEAKS))
def test_a_stranger_is_refused_before_the_request_is_checked_against_the_service(
    name: str,
) -> None:
    with pytest.raises(PermissionDenied) as refused:
        _LEAKS[name](web(), STRANGER)
    assert SERVICE_ID not in str(refused.value) and OWNER_ID not in str(refused.value)


_NEEDS: list[tuple[str, Permission]] = [
    ("suspend", Permission.SUSPEND),
    ("reboot", Permission.PROVISION),
    ("change_password", Permission.EDIT_CUSTOMER_PRODUCTS),
    ("invoice_early", Permission.INVOICE),
    ("renew", Permission.RENEW),
    ("terminate", Permission.TERMINATE),
    ("delete", Permission.DELETE),
    ("cancel", Permission.CANCEL),
    ("transfer", Permission.TRANSFER),
    ("resend_welcome_email", Permission.EDIT_CUSTOMER_PRODUCTS),
    ("request_cancellation", Permission.CANCEL),
    ("change_package", Permission.CHANGE_PACKAGE),
    ("change_options", Permission.EDIT_CUSTOMER_PRODUCTS),
    ("add_addon", Permission.EDIT_CUSTOMER_PRODUCTS),
    ("remove_addon", Permission.EDIT_CUSTOMER_PRODUCTS),
]


@pytest.mark.parametrize(("name", "permission"), _NEEDS)
def test_staff_need_the_named_permission(name: str, permission: Permission) -> None:
    lacking = Actor.staff("bob", set(Permission) - {permission})
    with pytest.raises(PermissionDenied) as refused:
        _OPERATIONS[name](web(), lacking)
    assert f"'{permission}'" in str(refused.value)
    holder = Actor.staff("cy", {permission})
    done = _OPERATIONS[name](web(), holder)
    assert done.events
    if name == "resend_welcome_email":  # an event only: nothing recorded on the service
        assert done.service.version == 0
    else:
        assert [entry.actor for entry in done.service.history] == [holder]


# --- a whole life (seed 003 and seed 000 procedures end to end) -------------------------------


def test_a_hosting_account_from_order_to_termination() -> None:
    module = FakeModule(ModuleResult.failed("timeout"), ModuleResult.success("vm 42"))
    story = activate(ordered(), SYSTEM, at("2025-04-01", 9), module=module)  # Create fails
    story = story.then(activate(story.service, STAFF, at("2025-04-01", 10), module=module))
    story = story.then(
        add_addon(story.service, OWNER, at("2025-04-02"), backup("2025-04-02", "2025-05-02"))
    )
    story = story.then(
        request_cancellation(
            story.service,
            OWNER,
            at("2025-04-10"),
            CancellationKind.END_OF_PERIOD,
            "too dear",
            unpaid_invoices=["INV-3"],
        )
    )
    story = story.then(withdraw_cancellation(story.service, OWNER, at("2025-04-12")))
    story = story.then(invoice_early(story.service, STAFF, at("2025-04-20")))
    story = story.then(renew(story.service, SYSTEM, at("2025-04-28")))
    story = story.then(terminate(story.service, STAFF, at("2025-05-10"), module=module))
    assert story.kinds() == (
        EventKind.PROVISIONING_FAILED,
        EventKind.ACTIVATED,
        EventKind.ADDON_ADDED,
        EventKind.CANCELLATION_REQUESTED,
        EventKind.INVOICES_CANCELLED,
        EventKind.CANCELLATION_WITHDRAWN,
        EventKind.INVOICES_RESTORED,
        EventKind.INVOICED,
        EventKind.RENEWED,
        EventKind.TERMINATED,
    )
    # Money: the order was not invoiced, so the first change bills April (10.00) with the
    # add-on's first month (3.00); May once (10.00); the renewal paid through May bills the
    # add-on's month that begins in it; the termination refunds nothing.
    assert [(line.subject, line.amount, line.period) for line in story.lines] == [
        ("", usd("10.00"), P("2025-04-01", "2025-05-01")),
        ("BACKUP", usd("3.00"), P("2025-04-02", "2025-05-02")),
        ("", usd("10.00"), P("2025-05-01", "2025-06-01")),
        ("BACKUP", usd("3.00"), P("2025-05-02", "2025-06-02")),
    ]
    service = story.service
    assert (service.status, service.termination_date) == (TERMINATED, d("2025-05-10"))
    assert [(a.code, a.status, a.termination_date) for a in service.addons] == [
        ("BACKUP", TERMINATED, d("2025-05-10"))
    ]
    assert [entry.operation for entry in service.history] == [
        Op.ACTIVATE,
        Op.PROVISION_FAILED,
        Op.ACTIVATE,
        Op.PROVISIONED,
        Op.CHANGE_OPTIONS,
        Op.SCHEDULE_CANCELLATION,
        Op.REACTIVATE,
        Op.INVOICE,
        Op.RENEW,
        Op.TERMINATE,
        Op.PROVISIONED,
    ]
    assert service.version == 11
    assert commands(module) == ["create", "create", "terminate"]


# --- the values operations return: events, invoice lines, outcomes ----------------------------


def test_an_event_is_kept_in_utc_and_finds_its_details() -> None:
    tokyo = at("2025-04-01", 9).astimezone(ZoneInfo("Asia/Tokyo"))
    event = Event(EventKind.SUSPENDED, SERVICE_ID, OWNER_ID, tokyo, [("kind", "by customer")])
    assert event.at == at("2025-04-01", 9) and event.at.tzinfo is UTC
    assert event.detail("kind") == "by customer"
    with pytest.raises(NotFound, match="event detail"):
        event.detail("reason")
    assert str(event) == (
        f"2025-04-01T09:00:00+00:00 service {SERVICE_ID} (customer {OWNER_ID}): suspended "
        "kind=by customer"
    )


def _one_time(kind: LineType, amount: str, *, reverses: bool = False) -> InvoiceLine:
    return InvoiceLine(
        SERVICE_ID,
        OWNER_ID,
        kind,
        "FEE",
        "",
        "x",
        usd(amount),
        day=d("2025-04-01"),
        reverses=reverses,
    )


@pytest.mark.parametrize(
    ("kind", "amount", "reverses"),
    [
        (LineType.RECURRING, "-0.01", False),
        (LineType.ONE_TIME, "-1", False),
        (LineType.DISCOUNT, "1.00", False),
        (LineType.RECURRING, "1.00", True),
        (LineType.DISCOUNT, "-1.00", True),
    ],
)
def test_charges_are_not_negative_discounts_not_positive_and_reversals_the_opposite(
    kind: LineType, amount: str, reverses: bool
) -> None:
    with pytest.raises(RuleViolation, match=r"rule invoice-line\.sign"):
        _one_time(kind, amount, reverses=reverses)


def test_a_line_is_for_a_period_or_for_a_day() -> None:
    with pytest.raises(RuleViolation, match=r"rule invoice-line\.when"):
        InvoiceLine(SERVICE_ID, OWNER_ID, LineType.ONE_TIME, "FEE", "", "x", usd("1"))


def test_lines_add_up_in_one_currency() -> None:
    charge = _one_time(LineType.RECURRING, "10.00")
    credit = _one_time(LineType.RECURRING, "-2.50", reverses=True)
    free = _one_time(LineType.ONE_TIME, "0.00")
    assert lines_total([charge, credit, free]) == usd("7.50")
    assert lines_total([]) is None
    euro = attrs.evolve(charge, amount=Money("1", "EUR"))
    with pytest.raises(CurrencyMismatch):
        lines_total([charge, euro])


def test_outcomes_chain_their_events_and_lines_and_keep_the_last_service() -> None:
    first = invoice_early(web(), STAFF, at("2025-04-20"))
    second = renew(first.service, SYSTEM, at("2025-04-28"), periods=2)
    both = first.then(second)
    assert both.service is second.service
    assert both.events == first.events + second.events
    assert both.lines == first.lines + second.lines
    assert both.total == usd("20.00")  # May (early) and June, 10.00 each
    assert Outcome(web()).total is None and Outcome(web()).kinds() == ()


def test_today_is_the_billing_date_in_the_customers_zone() -> None:
    assert today(web(time_zone="America/New_York"), at("2025-04-21", 2)) == d("2025-04-20")
    assert today(web(), at("2025-04-21", 2)) == d("2025-04-21")
