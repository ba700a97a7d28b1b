"""Provisioning modules: the host's code that does the work on the provider's server.

A :class:`ProvisioningModule` is implemented by the host application (seed 003's
module commands Create, Suspend, Unsuspend, Terminate, Change Package, Change
Password, and seed 002's reboot). Each command answers a :class:`ModuleResult`:
:attr:`ModuleOutcome.SUCCESS`, :attr:`ModuleOutcome.FAILED` or
:attr:`ModuleOutcome.NO_RESOURCES`, with a message.

:func:`run_module` finishes a service that is *in progress*: it calls the command
matching the progress, then records the provider's answer as the system:
``PROVISIONED`` (lands on the target), ``PROVISION_FAILED`` (back to the status it
came from, the module's message in the history's reason, so it can simply be
started again) or ``PROVIDER_UNAVAILABLE`` (an activation without resources:
*not available*).

Decisions:

- A module that raises is treated as :attr:`ModuleOutcome.FAILED` with the
  exception's type and text as message; so is a module that returns something
  other than a :class:`ModuleResult`. Nothing escapes half-done: the service
  either lands on its target or is back where it was, with a history entry.
- Deletion (cancel, terminate, delete) runs ``terminate``; activation runs
  ``create``; suspension ``suspend``; resume ``unsuspend``; reboot ``reboot``.
- Renewal and transfer have no module command (seed 003 has none): they
  complete with ``PROVISIONED`` without calling the module, noted in the reason.
- ``NO_RESOURCES`` is "not available" only for an activation (the only row of
  the table that allows it); for any other progress it is a failure.
- Package and password changes do not pass through *in progress*:
  :func:`change_package` and :func:`change_password` check the request first
  (permission, status) by computing the changed service, then call the module,
  and return the changed service only on success. On failure they raise
  :class:`ModuleFailed` and the service is unchanged. The password never goes
  into the history.

>>> from datetime import UTC, date, datetime
>>> from prodlife import MONTHLY, Money
>>> from prodlife.lifecycle import Actor, Operation, Service
>>> from prodlife.pricing import RecurringPrice
>>> class Host:
...     def create(self, service): return ModuleResult.success("vm 42")
...     def suspend(self, service): return ModuleResult.success()
...     def unsuspend(self, service): return ModuleResult.success()
...     def terminate(self, service): return ModuleResult.success()
...     def change_package(self, service, package_code): return ModuleResult.success()
...     def change_password(self, service, new_password): return ModuleResult.success()
...     def reboot(self, service): return ModuleResult.success()
>>> isinstance(Host(), ProvisioningModule)
True
>>> at = datetime(2025, 1, 1, 9, tzinfo=UTC)
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="VPS", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 1, 1),
... ).perform(Operation.ACTIVATE, Actor.system(), at, "paid")
>>> print(service.status)
in progress (activation)
>>> print(run_module(service, Host(), at).status)
active
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol, runtime_checkable

import attrs

from prodlife._enums import Labelled
from prodlife.errors import ProdlifeError, TransitionNotAllowed, ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.service_parts import ENDED
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Progress, Status
from prodlife.lifecycle.transitions import Operation

__all__ = [
    "ModuleFailed",
    "ModuleOutcome",
    "ModuleResult",
    "ProvisioningModule",
    "call_module",
    "change_package",
    "change_password",
    "run_module",
]


class ModuleOutcome(Labelled):
    """How a module command ended."""

    SUCCESS = "success"
    FAILED = "failed"
    NO_RESOURCES = "no resources"


@attrs.frozen(slots=True)
class ModuleResult:
    """A module command's answer: its outcome and a message (shown in the history).

    Raises:
        ValidationError: ``outcome`` is not a :class:`ModuleOutcome` or ``message``
            is not text.
    """

    outcome: ModuleOutcome
    message: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.outcome, ModuleOutcome):
            raise ValidationError(
                f"module outcome {self.outcome!r} is not a ModuleOutcome; "
                "pass e.g. ModuleOutcome.SUCCESS"
            )
        if not isinstance(self.message, str):
            raise ValidationError(f"module message {self.message!r} is not text; pass a str")

    @classmethod
    def success(cls, message: str = "") -> ModuleResult:
        """The command did its work."""
        return cls(ModuleOutcome.SUCCESS, message)

    @classmethod
    def failed(cls, message: str) -> ModuleResult:
        """The command failed; ``message`` says why."""
        return cls(ModuleOutcome.FAILED, message)

    @classmethod
    def no_resources(cls, message: str = "") -> ModuleResult:
        """The provider lacks the resources (seed 002's "not available")."""
        return cls(ModuleOutcome.NO_RESOURCES, message)

    @property
    def ok(self) -> bool:
        """Whether the command succeeded."""
        return self.outcome is ModuleOutcome.SUCCESS


@runtime_checkable
class ProvisioningModule(Protocol):
    """The commands a host's provisioning module carries out on the provider's server.

    Each gets the service as it is (in progress, for the commands
    :func:`run_module` calls) and answers a :class:`ModuleResult`; raising is
    allowed and counts as a failure.
    """

    def create(self, service: Service) -> ModuleResult:
        """Create the account or server (activation)."""
        ...

    def suspend(self, service: Service) -> ModuleResult:
        """Suspend it; the kind is the in-progress status's target."""
        ...

    def unsuspend(self, service: Service) -> ModuleResult:
        """Lift a suspension."""
        ...

    def terminate(self, service: Service) -> ModuleResult:
        """Remove it (cancel, terminate or delete)."""
        ...

    def change_package(self, service: Service, package_code: str) -> ModuleResult:
        """Move it to the package (product) ``package_code``."""
        ...

    def change_password(self, service: Service, new_password: str) -> ModuleResult:
        """Set its password."""
        ...

    def reboot(self, service: Service) -> ModuleResult:
        """Restart the server."""
        ...


class ModuleFailed(ProdlifeError):
    """A module command that does not pass through *in progress* failed.

    The service is unchanged. Attributes:
        command: the command's name, e.g. ``"change_password"``.
        result: the module's answer.
    """

    def __init__(self, command: str, result: ModuleResult) -> None:
        self.command = command
        self.result = result
        super().__init__(
            f"module command {command} answered {result.outcome}: {result.message or '-'}; "
            "the service is unchanged, try again once the provider has fixed it"
        )


def call_module(command: str, call: Callable[[], object]) -> ModuleResult:
    """Run one module command, turning an exception or a wrong answer into a failure."""
    try:
        result = call()
    except Exception as error:  # any module error is a recorded failure
        return ModuleResult.failed(f"{type(error).__name__}: {error}")
    if not isinstance(result, ModuleResult):
        return ModuleResult.failed(f"module command {command} returned {result!r}, not a result")
    return result


_COMMANDS: dict[Progress, str | None] = {
    Progress.ACTIVATION: "create",
    Progress.SUSPENSION: "suspend",
    Progress.RESUME: "unsuspend",
    Progress.DELETION: "terminate",
    Progress.REBOOT: "reboot",
    Progress.RENEWAL: None,
    Progress.TRANSFER: None,
}


def run_module(
    service: Service,
    module: ProvisioningModule,
    at: datetime,
    *,
    termination_date: date | None = None,
) -> Service:
    """Carry out an in-progress service's module command and record the answer.

    Args:
        service: a service *in progress*.
        module: the host's module.
        at: when the answer is recorded (an aware datetime).
        termination_date: when the operation ends the service (cancel,
            terminate, delete) and the module succeeds: the day it ended,
            instead of the UTC date of ``at``.

    Returns:
        The service after ``PROVISIONED``, ``PROVISION_FAILED`` or
        ``PROVIDER_UNAVAILABLE``, performed by :meth:`Actor.system`.

    Raises:
        TransitionNotAllowed: the service is not in progress (the module is not called).
    """
    current = service.status
    if current.status is not Status.IN_PROGRESS or not isinstance(current.substate, Progress):
        raise TransitionNotAllowed(
            current,
            Operation.PROVISIONED,
            "nothing is in progress; start the operation (e.g. activate) first",
        )
    progress = current.substate
    command = _COMMANDS[progress]
    ends = current.target is not None and current.target.status in ENDED
    day = termination_date if ends else None
    if command is None:
        reason = f"{progress}: no module command needed"
        return service.perform(
            Operation.PROVISIONED, Actor.system(), at, reason, termination_date=day
        )
    result = call_module(command, lambda: getattr(module, command)(service))
    message = result.message
    if result.ok:
        reason = f"module {command} succeeded" + (f": {message}" if message else "")
        return service.perform(
            Operation.PROVISIONED, Actor.system(), at, reason, termination_date=day
        )
    if result.outcome is ModuleOutcome.NO_RESOURCES and progress is Progress.ACTIVATION:
        reason = f"module {command} found no resources" + (f": {message}" if message else "")
        return service.perform(Operation.PROVIDER_UNAVAILABLE, Actor.system(), at, reason)
    reason = f"module {command} {result.outcome}: {message or 'no message'}"
    return service.perform(
        Operation.PROVISION_FAILED, Actor.system(), at, reason, details="retry to try again"
    )


def change_package(
    service: Service,
    module: ProvisioningModule,
    package_code: str,
    actor: Actor,
    at: datetime,
    reason: str = "",
) -> Service:
    """Move ``service`` to the package ``package_code`` through the module.

    The request is checked (permission, status) before the module is called.
    On success the service's ``product_code`` becomes ``package_code`` (its price
    is the caller's to change) and the history notes the move.

    Raises:
        PermissionDenied, TransitionNotAllowed: as for :attr:`Operation.CHANGE_PACKAGE`.
        ValidationError: ``package_code`` is empty.
        ModuleFailed: the module did not succeed; the service is unchanged.
    """
    if not isinstance(package_code, str) or not package_code.strip():
        raise ValidationError(f"package code {package_code!r} is empty; pass a product code")
    details = f"package {service.product_code} -> {package_code}"
    changed = service.perform(Operation.CHANGE_PACKAGE, actor, at, reason, details=details)
    result = call_module("change_package", lambda: module.change_package(service, package_code))
    if not result.ok:
        raise ModuleFailed("change_package", result)
    return attrs.evolve(changed, product_code=package_code)


def change_password(
    service: Service,
    module: ProvisioningModule,
    new_password: str,
    actor: Actor,
    at: datetime,
    reason: str = "",
) -> Service:
    """Set the service's password through the module; the password is never recorded.

    Raises:
        PermissionDenied, TransitionNotAllowed: as for :attr:`Operation.CHANGE_PASSWORD`.
        ValidationError: ``new_password`` is empty.
        ModuleFailed: the module did not succeed; the service is unchanged.
    """
    if not isinstance(new_password, str) or not new_password:
        raise ValidationError("the new password is empty; pass a non-empty password")
    changed = service.perform(Operation.CHANGE_PASSWORD, actor, at, reason)
    result = call_module("change_password", lambda: module.change_password(service, new_password))
    if not result.ok:
        raise ModuleFailed("change_password", result)
    return changed
