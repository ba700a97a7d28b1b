# Over 400 lines: the one table of transitions between statuses and the operations
# that use it; a table split in two is two tables.
"""The one table of transitions between service statuses, and the operations that use it.

A service is in one :class:`Status`; three of them carry a substate (seed 002's
list): ``pending`` says where the payment is (:class:`PendingReason`), ``in
progress`` says what the provider is doing (:class:`Progress`), ``suspended``
says who or what suspended it (:class:`SuspensionKind`). A
:class:`ServiceStatus` is the pair, checked when built.

Every change of status goes through :data:`TRANSITIONS`, one row per (status,
substates, operation): :func:`next_status` finds the row, runs its guard and
returns the new status, or raises :class:`~prodlife.errors.TransitionNotAllowed`
naming the status and the operation, with a hint saying what would make it
possible. Who may ask for an operation is decided elsewhere
(:mod:`prodlife.lifecycle.actors`).

Decisions:

- Operations that touch the provider's server (activation, suspension,
  resume, reboot, renewal, transfer, deletion) pass through ``in progress``:
  the in-progress status keeps the status it came from (``previous``) and the
  one it is heading for (``target``). :attr:`Operation.PROVISIONED` lands on
  the target; :attr:`Operation.PROVISION_FAILED` goes back to the previous
  status, so a failed module command leaves a recorded, settled status. A
  service with no provisioning module passes ``provisioning=False`` and lands
  on the target at once (seed 003: without a module, staff set the status by
  hand).
- A scheduled cancellation (seed 000: "cancel at the end of the period";
  seed 003: cancellation requests) is a flag kept on the service, outside the
  status: the service stays active until the scheduler cancels it.
  :attr:`Operation.SCHEDULE_CANCELLATION` and :attr:`Operation.REACTIVATE`
  (withdraw it, seed 000 "you can re-activate during this period") keep the
  status and are guarded by that flag, passed as ``cancellation_pending``.
- Seed 002: the tariff cannot change while "suspended by administrator". We
  also refuse it while suspended for abuse (an administrator's lock applied
  automatically); both package and options changes are refused.
- Deleted is final (seed 002: "cannot be restored") and hidden from the
  customer (:func:`visible_to_customer`): no operation leaves it, not even edit.
- Seed 003's "Fraud" is not a status of its own: cancel the order with the
  reason "fraud".

>>> current = next_status(ACTIVE, Operation.SUSPEND, kind=SuspensionKind.BY_ADMINISTRATOR)
>>> print(current)
in progress (suspension)
>>> print(next_status(current, Operation.PROVISIONED))
suspended (by administrator)
>>> next_status(next_status(current, Operation.PROVISIONED), Operation.CHANGE_PACKAGE)
Traceback (most recent call last):
...
prodlife.errors.TransitionNotAllowed: cannot change the package of a service that is suspended
(by administrator); an administrator's or abuse suspension blocks package and option changes
(seed 002); unsuspend it first
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TypeAlias

import attrs

from prodlife._enums import Labelled
from prodlife.errors import TransitionNotAllowed, ValidationError
from prodlife.lifecycle.status import (
    ACTIVE,
    ORDERED,
    PendingReason,
    Progress,
    ServiceStatus,
    Status,
    Substate,
    SuspensionKind,
)

__all__ = [
    "GUARDS",
    "TRANSITIONS",
    "Operation",
    "Target",
    "Transition",
    "allowed",
    "allowed_operations",
    "find_transition",
    "next_status",
    "transition_table_markdown",
    "visible_to_customer",
]


class Operation(Labelled):
    """What can be done to a service that changes, or depends on, its status.

    Each operation comes from a seed: ``CHECKOUT``, ``PAY``,
    ``CONFIRM_PAYMENT`` and ``PAYMENT_FAILED`` move a pending service through
    seed 002's "in cart" and "payment in progress"; ``CONFIGURE`` completes a
    quick order (seed 002); ``ACTIVATE`` is seed 003's *Create* module command
    and seed 000's activation; ``PROVISIONED``, ``PROVISION_FAILED`` and
    ``PROVIDER_UNAVAILABLE`` are the provider's answers (seed 002's "not
    available", seed 000's failed activation); ``SUSPEND``, ``UNSUSPEND``,
    ``TERMINATE``, ``CHANGE_PACKAGE`` and ``CHANGE_PASSWORD`` are seed 003's
    module commands (seed 002's Disable, Enable, Change tariff); ``RENEW``,
    ``CHANGE_OPTIONS``, ``EDIT`` and ``DELETE`` are seed 002's Renew, Options,
    Edit and Delete; ``REBOOT`` and ``TRANSFER`` are seed 002's in-progress
    states (seed 003 moves a service to another client); ``CANCEL``,
    ``SCHEDULE_CANCELLATION`` and ``REACTIVATE`` are seed 000's and seed 003's
    cancellations. ``INVOICE`` issues the invoice for the next period ahead of its
    payment: seed 003's renewal invoices and its "invoice early". There is no
    restore: seed 002's deleted cannot be restored.
    """

    CHECKOUT = "check out"
    PAY = "pay for"
    PAYMENT_FAILED = "fail payment for"
    CONFIRM_PAYMENT = "confirm payment for"
    CONFIGURE = "configure"
    ACTIVATE = "activate"
    PROVISIONED = "complete provisioning of"
    PROVISION_FAILED = "fail provisioning of"
    PROVIDER_UNAVAILABLE = "find no provider resources for"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    RENEW = "renew"
    INVOICE = "invoice"
    CHANGE_PACKAGE = "change package"
    CHANGE_OPTIONS = "change options"
    CHANGE_PASSWORD = "change password"
    REBOOT = "reboot"
    EDIT = "edit"
    SCHEDULE_CANCELLATION = "schedule cancellation"
    REACTIVATE = "reactivate"
    CANCEL = "cancel"
    TERMINATE = "terminate"
    TRANSFER = "transfer"
    DELETE = "delete"

    @property
    def verb(self) -> str:
        """The operation as a verb taking "a service": ``cannot {verb} a service``."""
        return _VERBS.get(self, self.value)


#: Operations whose label is a noun phrase, as verbs taking an object.
_VERBS = {
    Operation.SCHEDULE_CANCELLATION: "schedule the cancellation of",
    Operation.CHANGE_PACKAGE: "change the package of",
    Operation.CHANGE_OPTIONS: "change the options of",
    Operation.CHANGE_PASSWORD: "change the password of",
}


class Target(Labelled):
    """A transition's destination that depends on the service's current status."""

    SAME = "same"
    """The status it had."""
    IN_PROGRESS_TARGET = "its target"
    """The in-progress status's target."""
    IN_PROGRESS_PREVIOUS = "its previous status"
    """The status the in-progress operation started from."""
    SUSPENDED_AS_GIVEN = "suspended (kind given)"
    """Suspended, with the :class:`SuspensionKind` passed as ``kind``."""


#: A guard: given ``cancellation_pending``, return ``""`` to pass or a hint to refuse.
Guard: TypeAlias = Callable[[bool], str]


def _always(cancellation_pending: bool) -> str:
    return ""


def _no_cancellation_pending(cancellation_pending: bool) -> str:
    return (
        "a cancellation is already scheduled; reactivate it first to withdraw that one"
        if cancellation_pending
        else ""
    )


def _cancellation_pending(cancellation_pending: bool) -> str:
    return "" if cancellation_pending else "no cancellation is scheduled, so nothing to withdraw"


#: The guards by name; a row of :data:`TRANSITIONS` names one.
GUARDS: Mapping[str, Guard] = MappingProxyType(
    {
        "always": _always,
        "no cancellation pending": _no_cancellation_pending,
        "cancellation pending": _cancellation_pending,
    }
)


@attrs.frozen(slots=True)
class Transition:
    """One row of the transition table.

    Args:
        source: the status the row applies to.
        substates: the substates it applies to; empty for every substate.
        operation: the operation.
        target: where it lands: a status, or a :class:`Target` resolved from
            the current status.
        via: the provider's work it passes through first (``in progress``),
            if any.
        guard: the name of a guard in :data:`GUARDS`.
    """

    source: Status
    substates: frozenset[Substate]
    operation: Operation
    target: ServiceStatus | Target
    via: Progress | None = None
    guard: str = "always"

    def matches(self, current: ServiceStatus) -> bool:
        """Whether this row applies to ``current``."""
        return current.status is self.source and (
            not self.substates or current.substate in self.substates
        )


def _rows(
    source: Status,
    operations: Iterable[Operation],
    target: ServiceStatus | Target,
    *,
    substates: Iterable[Substate] = (),
    via: Progress | None = None,
    guard: str = "always",
) -> list[Transition]:
    subs = frozenset(substates)
    return [Transition(source, subs, op, target, via, guard) for op in operations]


def _build() -> tuple[Transition, ...]:
    op, st, same = Operation, Status, Target.SAME
    pending = ServiceStatus
    cancelled, terminated, deleted = (
        ServiceStatus(s) for s in (st.CANCELLED, st.TERMINATED, st.DELETED)
    )
    settled_ops = (op.EDIT,)
    rows = [
        *_rows(st.CONFIGURATION_REQUIRED, [op.CONFIGURE], ORDERED),
        *_rows(st.CONFIGURATION_REQUIRED, settled_ops, same),
        *_rows(st.CONFIGURATION_REQUIRED, [op.CANCEL], cancelled),
        *_rows(st.CONFIGURATION_REQUIRED, [op.DELETE], deleted),
        *_rows(
            st.PENDING,
            [op.CHECKOUT],
            pending(st.PENDING, PendingReason.AWAITING_PAYMENT),
            substates=[PendingReason.ORDERED],
        ),
        *_rows(
            st.PENDING,
            [op.PAY],
            pending(st.PENDING, PendingReason.PAYMENT_IN_PROGRESS),
            substates=[PendingReason.ORDERED, PendingReason.AWAITING_PAYMENT],
        ),
        *_rows(
            st.PENDING,
            [op.PAYMENT_FAILED],
            pending(st.PENDING, PendingReason.AWAITING_PAYMENT),
            substates=[PendingReason.PAYMENT_IN_PROGRESS],
        ),
        *_rows(st.PENDING, [op.CONFIRM_PAYMENT, op.ACTIVATE], ACTIVE, via=Progress.ACTIVATION),
        *_rows(st.PENDING, settled_ops, same),
        *_rows(st.PENDING, [op.INVOICE], same),
        *_rows(st.PENDING, [op.CANCEL], cancelled),
        *_rows(st.PENDING, [op.DELETE], deleted),
        *_rows(st.IN_PROGRESS, [op.PROVISIONED], Target.IN_PROGRESS_TARGET),
        *_rows(st.IN_PROGRESS, [op.PROVISION_FAILED], Target.IN_PROGRESS_PREVIOUS),
        *_rows(
            st.IN_PROGRESS,
            [op.PROVIDER_UNAVAILABLE],
            ServiceStatus(st.NOT_AVAILABLE),
            substates=[Progress.ACTIVATION],
        ),
        *_rows(st.IN_PROGRESS, settled_ops, same),
        *_rows(st.ACTIVE, [op.SUSPEND], Target.SUSPENDED_AS_GIVEN, via=Progress.SUSPENSION),
        *_rows(st.ACTIVE, [op.RENEW], same, via=Progress.RENEWAL),
        *_rows(st.ACTIVE, [op.REBOOT], same, via=Progress.REBOOT),
        *_rows(st.ACTIVE, [op.TRANSFER], same, via=Progress.TRANSFER),
        *_rows(st.ACTIVE, [op.CHANGE_PACKAGE, op.CHANGE_OPTIONS, op.CHANGE_PASSWORD], same),
        *_rows(st.SUSPENDED, [op.UNSUSPEND], ACTIVE, via=Progress.RESUME),
        *_rows(st.SUSPENDED, [op.RENEW], same, via=Progress.RENEWAL),
        *_rows(st.SUSPENDED, [op.TRANSFER], same, via=Progress.TRANSFER),
        *_rows(
            st.SUSPENDED,
            [op.CHANGE_PACKAGE, op.CHANGE_OPTIONS],
            same,
            substates=[
                SuspensionKind.BY_CUSTOMER,
                SuspensionKind.FOR_NON_PAYMENT,
                SuspensionKind.TEMPORARY,
            ],
        ),
    ]
    for live in (st.ACTIVE, st.SUSPENDED):
        rows += [
            *_rows(live, settled_ops, same),
            *_rows(live, [op.INVOICE], same),
            *_rows(live, [op.SCHEDULE_CANCELLATION], same, guard="no cancellation pending"),
            *_rows(live, [op.REACTIVATE], same, guard="cancellation pending"),
            *_rows(live, [op.CANCEL], cancelled, via=Progress.DELETION),
            *_rows(live, [op.TERMINATE], terminated, via=Progress.DELETION),
            *_rows(live, [op.DELETE], deleted, via=Progress.DELETION),
        ]
    rows += [
        *_rows(st.NOT_AVAILABLE, [op.ACTIVATE], ACTIVE, via=Progress.ACTIVATION),
        *_rows(st.NOT_AVAILABLE, settled_ops, same),
        *_rows(st.NOT_AVAILABLE, [op.CANCEL], cancelled),
        *_rows(st.NOT_AVAILABLE, [op.DELETE], deleted),
    ]
    for ended in (st.CANCELLED, st.TERMINATED):
        rows += [*_rows(ended, settled_ops, same), *_rows(ended, [op.DELETE], deleted)]
    statuses, operations = list(Status), list(Operation)
    return tuple(
        sorted(rows, key=lambda r: (statuses.index(r.source), operations.index(r.operation)))
    )


#: Every allowed transition; anything not here is refused. At most one row
#: matches a (status, operation) pair.
TRANSITIONS: tuple[Transition, ...] = _build()


def find_transition(current: ServiceStatus, operation: Operation) -> Transition | None:
    """The row of :data:`TRANSITIONS` for ``operation`` on ``current``, or ``None``."""
    for row in _BY_OPERATION.get(operation, ()):
        if row.matches(current):
            return row
    return None


def _index() -> Mapping[Operation, tuple[Transition, ...]]:
    index: dict[Operation, list[Transition]] = {}
    for row in TRANSITIONS:
        index.setdefault(row.operation, []).append(row)
    return MappingProxyType({op: tuple(rows) for op, rows in index.items()})


_BY_OPERATION = _index()

_SUSPENDED_HINT = "unsuspend it first"
_ADMIN_LOCK_HINT = (
    "an administrator's or abuse suspension blocks package and option changes (seed 002); "
    "unsuspend it first"
)


def _refusal_hint(current: ServiceStatus, operation: Operation) -> str:
    status = current.status
    if status is Status.DELETED:
        return "a deleted service is final and cannot be restored (seed 002)"
    if status is Status.IN_PROGRESS:
        return f"wait until the running {current.substate} completes or fails"
    if status in (Status.CANCELLED, Status.TERMINATED):
        return "it has ended; place a new order instead"
    if status is Status.CONFIGURATION_REQUIRED:
        return "configure it first"
    if status is Status.SUSPENDED:
        if operation in (Operation.CHANGE_PACKAGE, Operation.CHANGE_OPTIONS):
            return _ADMIN_LOCK_HINT
        if operation is Operation.SUSPEND:
            return f"it is already suspended; {_SUSPENDED_HINT} to suspend it differently"
        return _SUSPENDED_HINT
    if operation in (Operation.PROVISIONED, Operation.PROVISION_FAILED):
        return "nothing is in progress"
    if status is Status.PENDING:
        return "activate it first" if operation is not Operation.CONFIGURE else ""
    if status is Status.NOT_AVAILABLE:
        return "activate it again once the provider has resources"
    if operation is Operation.UNSUSPEND:
        return "it is not suspended"
    return ""


def _resolve(
    target: ServiceStatus | Target, current: ServiceStatus, kind: SuspensionKind | None
) -> ServiceStatus:
    if isinstance(target, ServiceStatus):
        return target
    if target is Target.SAME:
        return current
    if target is Target.SUSPENDED_AS_GIVEN:
        if not isinstance(kind, SuspensionKind):
            raise ValidationError(
                f"suspending needs to know who or why, got kind={kind!r}; "
                "pass e.g. kind=SuspensionKind.BY_ADMINISTRATOR"
            )
        return ServiceStatus(Status.SUSPENDED, kind)
    end = current.target if target is Target.IN_PROGRESS_TARGET else current.previous
    if end is None:  # pragma: no cover - ServiceStatus guarantees both for in progress
        raise ValidationError(f"{current} has no {target}")
    return end


def allowed(
    current: ServiceStatus, operation: Operation, *, cancellation_pending: bool = False
) -> bool:
    """Whether the table allows ``operation`` on ``current`` (guards included).

    >>> allowed(ACTIVE, Operation.REBOOT), allowed(ACTIVE, Operation.UNSUSPEND)
    (True, False)
    """
    row = find_transition(current, operation)
    return row is not None and not GUARDS[row.guard](cancellation_pending)


def allowed_operations(
    current: ServiceStatus, *, cancellation_pending: bool = False
) -> frozenset[Operation]:
    """Every operation the table allows on ``current``, e.g. to build a menu."""
    return frozenset(
        op for op in Operation if allowed(current, op, cancellation_pending=cancellation_pending)
    )


def next_status(
    current: ServiceStatus,
    operation: Operation,
    *,
    kind: SuspensionKind | None = None,
    cancellation_pending: bool = False,
    provisioning: bool = True,
) -> ServiceStatus:
    """The status ``operation`` moves ``current`` to, by :data:`TRANSITIONS`.

    Args:
        current: the service's status now.
        operation: what is being done.
        kind: for :attr:`Operation.SUSPEND`: who or why (required there).
        cancellation_pending: whether a cancellation is scheduled (the flag
            kept outside the status).
        provisioning: whether the service has a provisioning module; without
            one, operations land on their target without passing through
            ``in progress``.

    Returns:
        The new status (equal to ``current`` for operations that keep it).

    Raises:
        TransitionNotAllowed: no row allows it, or the row's guard refuses;
            the error names the status, the operation, and a hint.
        ValidationError: suspending without a ``kind``.

    >>> print(next_status(ACTIVE, Operation.TERMINATE, provisioning=False))
    terminated
    """
    row = find_transition(current, operation)
    if row is None:
        raise TransitionNotAllowed(current, operation, _refusal_hint(current, operation))
    refusal = GUARDS[row.guard](cancellation_pending)
    if refusal:
        raise TransitionNotAllowed(current, operation, refusal)
    target = _resolve(row.target, current, kind)
    if row.via is None or not provisioning:
        return target
    return ServiceStatus(Status.IN_PROGRESS, row.via, previous=current, target=target)


def visible_to_customer(current: ServiceStatus) -> bool:
    """Whether the customer sees the service: every status but deleted (seed 002).

    >>> visible_to_customer(ServiceStatus(Status.DELETED)), visible_to_customer(ACTIVE)
    (False, True)
    """
    return current.status is not Status.DELETED


def transition_table_markdown() -> str:
    """:data:`TRANSITIONS` as a markdown table, for the documentation."""
    lines = [
        "| from | substates | operation | via | to | guard |",
        "|---|---|---|---|---|---|",
    ]
    for row in TRANSITIONS:
        subs = ", ".join(sorted(str(s) for s in row.substates)) or "any"
        via = f"in progress ({row.via})" if row.via else "—"
        lines.append(
            f"| {row.source} | {subs} | {row.operation.name} | {via} | {row.target} | {row.guard} |"
        )
    return "\n".join(lines)


def _landing(row: Transition) -> str:
    target = row.target
    if isinstance(target, ServiceStatus):
        return target.status.name.lower()
    if target is Target.SUSPENDED_AS_GIVEN:
        return Status.SUSPENDED.name.lower()
    return row.source.name.lower()


def state_diagram_mermaid() -> str:
    """The status machine as a Mermaid ``stateDiagram-v2``, drawn from :data:`TRANSITIONS`.

    One arrow per status pair, labelled with the operations that take it;
    operations that keep the status (edits, invoices...) and the *in progress*
    hops are left out (the table has them). Paste it where Mermaid renders
    (GitHub, most wikis).

    >>> print(state_diagram_mermaid().splitlines()[0])
    stateDiagram-v2
    """
    arrows: dict[tuple[str, str], list[str]] = {}
    for row in TRANSITIONS:
        if row.source is Status.IN_PROGRESS:
            continue
        source, landing = row.source.name.lower(), _landing(row)
        if landing == source:
            continue
        names = arrows.setdefault((source, landing), [])
        if row.operation.name not in names:
            names.append(row.operation.name)
    # An activation that finds no resources lands on "not available" through in progress.
    for row in TRANSITIONS:
        if row.via is Progress.ACTIVATION and any(
            r.operation is Operation.PROVIDER_UNAVAILABLE for r in TRANSITIONS
        ):
            source = row.source.name.lower()
            if source != "not_available":
                key = (source, Status.NOT_AVAILABLE.name.lower())
                label = f"{row.operation.name} (no resources)"
                names = arrows.setdefault(key, [])
                if label not in names:
                    names.append(label)
    lines = ["stateDiagram-v2", "    [*] --> pending"]
    lines += [
        f"    {source} --> {landing}: {', '.join(names)}"
        for (source, landing), names in arrows.items()
    ]
    lines.append("    deleted --> [*]")
    return "\n".join(lines)
