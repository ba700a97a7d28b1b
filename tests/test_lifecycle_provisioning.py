"""Provisioning modules: run_module's answers, failures recorded and retried, helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from prodlife.cycles import MONTHLY
from prodlife.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from prodlife.lifecycle import (
    ACTIVE,
    Actor,
    Operation,
    Permission,
    Progress,
    Service,
    ServiceStatus,
    Status,
    SuspensionKind,
)
from prodlife.lifecycle.provisioning import (
    ModuleFailed,
    ModuleOutcome,
    ModuleResult,
    ProvisioningModule,
    change_package,
    change_password,
    run_module,
)
from prodlife.pricing.recurring import RecurringPrice
from prodlife.testing import SUSPENDED_BY_ADMINISTRATOR
from tests._lifecycle import FakeModule, last_entry
from tests._support import d, usd

Op = Operation
SYSTEM = Actor.system()
OWNER = Actor.customer("C-1")
STAFF = Actor.staff("ann", set(Permission))
T0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)
T2 = T0 + timedelta(minutes=10)


def pending() -> Service:
    return Service(
        id="S-1",
        customer_id="C-1",
        product_code="VPS",
        edition=None,
        cycle=MONTHLY,
        price=RecurringPrice.at_order(usd("10.00")),
        payment_method="card",
        start=d("2025-01-01"),
    )


def active() -> Service:
    return pending().perform(Op.ACTIVATE, SYSTEM, T0, "paid", provisioning=False)


def suspended() -> Service:
    return active().perform(
        Op.SUSPEND, STAFF, T0, "abuse", kind=SuspensionKind.BY_ADMINISTRATOR, provisioning=False
    )


def started(operation: Operation) -> Service:
    """A service put in progress by ``operation``."""
    if operation is Op.ACTIVATE:
        return pending().perform(Op.ACTIVATE, SYSTEM, T0, "paid")
    if operation is Op.UNSUSPEND:
        return suspended().perform(Op.UNSUSPEND, STAFF, T0, "resolved")
    kind = SuspensionKind.BY_ADMINISTRATOR if operation is Op.SUSPEND else None
    return active().perform(operation, STAFF, T0, "asked", kind=kind)


CASES = [
    (Op.ACTIVATE, Progress.ACTIVATION, "create", ACTIVE),
    (Op.SUSPEND, Progress.SUSPENSION, "suspend", SUSPENDED_BY_ADMINISTRATOR),
    (Op.UNSUSPEND, Progress.RESUME, "unsuspend", ACTIVE),
    (Op.TERMINATE, Progress.DELETION, "terminate", ServiceStatus(Status.TERMINATED)),
    (Op.CANCEL, Progress.DELETION, "terminate", ServiceStatus(Status.CANCELLED)),
    (Op.DELETE, Progress.DELETION, "terminate", ServiceStatus(Status.DELETED)),
    (Op.REBOOT, Progress.REBOOT, "reboot", ACTIVE),
]


@pytest.mark.parametrize(("operation", "progress", "command", "target"), CASES)
def test_success_calls_the_matching_command_and_lands_on_the_target(
    operation: Operation, progress: Progress, command: str, target: ServiceStatus
) -> None:
    service = started(operation)
    assert service.status.substate is progress
    module = FakeModule(ModuleResult.success("done 42"))
    done = run_module(service, module, T1)
    assert module.calls == [(command, "S-1", "")]
    assert done.status == target
    last = last_entry(done)
    assert last.operation is Op.PROVISIONED
    assert last.actor == SYSTEM
    assert "done 42" in last.reason
    assert done.version == service.version + 1


@pytest.mark.parametrize("operation", [Op.RENEW, Op.TRANSFER])
def test_renewal_and_transfer_complete_without_a_module_call(operation: Operation) -> None:
    service = active().perform(operation, STAFF, T0, "asked")
    module = FakeModule()
    done = run_module(service, module, T1)
    assert module.calls == []
    assert done.status == ACTIVE
    last = last_entry(done)
    assert last.operation is Op.PROVISIONED


@pytest.mark.parametrize(("operation", "progress", "command", "target"), CASES)
def test_failure_goes_back_to_the_previous_status_with_the_message(
    operation: Operation, progress: Progress, command: str, target: ServiceStatus
) -> None:
    service = started(operation)
    done = run_module(service, FakeModule(ModuleResult.failed("disk full")), T1)
    assert done.status == service.status.previous
    assert done.termination_date is None
    last = last_entry(done)
    assert last.operation is Op.PROVISION_FAILED
    assert "disk full" in last.reason
    assert last.before == service.status


def test_an_exception_is_a_recorded_failure() -> None:
    service = started(Op.ACTIVATE)
    done = run_module(service, FakeModule(RuntimeError("connection refused")), T1)
    assert done.status == service.status.previous
    last = last_entry(done)
    assert last.operation is Op.PROVISION_FAILED
    assert "RuntimeError: connection refused" in last.reason


def test_a_wrong_answer_is_a_recorded_failure() -> None:
    class Sloppy(FakeModule):
        def reboot(self, service: Service) -> ModuleResult:
            return "fine"  # type: ignore[return-value]

    done = run_module(started(Op.REBOOT), Sloppy(), T1)
    last = done.history.last
    assert done.status == ACTIVE
    assert last is not None and last.operation is Op.PROVISION_FAILED
    assert "'fine'" in last.reason


def test_no_resources_on_activation_is_not_available() -> None:
    done = run_module(started(Op.ACTIVATE), FakeModule(ModuleResult.no_resources("no IPs")), T1)
    assert done.status == ServiceStatus(Status.NOT_AVAILABLE)
    last = last_entry(done)
    assert last.operation is Op.PROVIDER_UNAVAILABLE
    assert "no IPs" in last.reason
    again = done.perform(Op.ACTIVATE, SYSTEM, T2, "resources added")
    assert run_module(again, FakeModule(), T2).status == ACTIVE


def test_no_resources_elsewhere_is_a_failure() -> None:
    service = started(Op.SUSPEND)
    done = run_module(service, FakeModule(ModuleResult.no_resources("busy")), T1)
    assert done.status == ACTIVE
    last = last_entry(done)
    assert last.operation is Op.PROVISION_FAILED


def test_retry_after_a_failure_succeeds() -> None:
    module = FakeModule(ModuleResult.failed("timeout"), ModuleResult.success())
    failed = run_module(started(Op.TERMINATE), module, T1)
    assert failed.status == ACTIVE
    again = failed.perform(Op.TERMINATE, STAFF, T2, "retry")
    done = run_module(again, module, T2)
    assert done.status == ServiceStatus(Status.TERMINATED)
    assert [c[0] for c in module.calls] == ["terminate", "terminate"]
    assert [e.operation for e in done.history.entries][-4:] == [
        Op.TERMINATE,
        Op.PROVISION_FAILED,
        Op.TERMINATE,
        Op.PROVISIONED,
    ]


@pytest.mark.parametrize("service", [active(), pending(), suspended()])
def test_a_service_not_in_progress_is_refused_without_calling(service: Service) -> None:
    module = FakeModule()
    with pytest.raises(TransitionNotAllowed, match="nothing is in progress"):
        run_module(service, module, T1)
    assert module.calls == []


def test_the_protocol_recognises_a_host_class() -> None:
    assert isinstance(FakeModule(), ProvisioningModule)

    class Partial:
        def create(self, service: Service) -> ModuleResult:
            return ModuleResult.success()

    assert not isinstance(Partial(), ProvisioningModule)


def test_module_result_checks_its_values() -> None:
    assert ModuleResult.success().ok
    assert ModuleResult.no_resources().outcome is ModuleOutcome.NO_RESOURCES
    with pytest.raises(ValidationError):
        ModuleResult("success", "x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ModuleResult(ModuleOutcome.FAILED, 3)  # type: ignore[arg-type]


def test_change_password_calls_the_module_and_never_records_the_password() -> None:
    module = FakeModule()
    done = change_password(active(), module, "s3cret!", OWNER, T1, "forgot it")
    assert module.calls == [("change_password", "S-1", "s3cret!")]
    last = last_entry(done)
    assert last.operation is Op.CHANGE_PASSWORD
    assert "s3cret!" not in f"{last.reason} {last.details}"


def test_change_password_failure_leaves_the_service_unchanged() -> None:
    service = active()
    with pytest.raises(ModuleFailed, match="locked") as caught:
        change_password(service, FakeModule(ModuleResult.failed("locked")), "pw", OWNER, T1)
    assert caught.value.result.outcome is ModuleOutcome.FAILED
    with pytest.raises(ModuleFailed, match="OSError"):
        change_password(service, FakeModule(OSError("down")), "pw", OWNER, T1)


def test_change_password_checks_before_calling() -> None:
    module = FakeModule()
    with pytest.raises(PermissionDenied):
        change_password(active(), module, "pw", SYSTEM, T1)
    with pytest.raises(ValidationError):
        change_password(active(), module, "", OWNER, T1)
    assert module.calls == []


def test_change_package_moves_the_product_code() -> None:
    module = FakeModule()
    done = change_package(active(), module, "VPS-XL", OWNER, T1, "more memory")
    assert module.calls == [("change_package", "S-1", "VPS-XL")]
    assert done.product_code == "VPS-XL"
    last = last_entry(done)
    assert last.operation is Op.CHANGE_PACKAGE
    assert "VPS -> VPS-XL" in last.details


def test_change_package_refused_or_failed_changes_nothing() -> None:
    module = FakeModule()
    with pytest.raises(TransitionNotAllowed):
        change_package(suspended(), module, "VPS-XL", STAFF, T1)
    assert module.calls == []
    with pytest.raises(ValidationError):
        change_package(active(), module, " ", OWNER, T1)
    with pytest.raises(ModuleFailed):
        change_package(active(), FakeModule(ModuleResult.failed("no")), "VPS-XL", OWNER, T1)
