"""Product-specific operations (seed 002): declared by the host, run like the built-in ones.

Seed 002's services have operations of their own kind: an SSL certificate is
*issued* and *reissued*, a domain's *registrar changed*, a dedicated server
gives *access to KVM*; each shows its own in-progress state while the provider
works. A host declares each such operation once, for the product types that
offer it, without editing prodlife: an :class:`OperationDefinition` names its
code, the verb its history shows, its in-progress substate, the method of the
host's provisioning module that does the work, and who may ask for it (the
permission table's row: customers or not, the staff permission, the system or
not). An :class:`OperationRegistry` holds the host's definitions; ``Billing``
takes it (``Billing(..., operations=registry)``) and
:meth:`Billing.perform <prodlife.app.Billing.perform>` runs a registered
definition like any operation: one transaction, the same permission checks
(:func:`~prodlife.lifecycle.actors.authorize_declared`), the same history and
events, the module only for a provisionable product type.

Carried out, an operation with a module command moves the service to *in
progress* with its substate (an entry by the actor), calls the module's
method ``command(service, arguments)``, and records the answer as the system
(:attr:`~prodlife.lifecycle.Operation.PROVISIONED`: back to where it was, with
an :attr:`~prodlife.lifecycle.events.EventKind.OPERATION_PERFORMED` event
carrying the module's message; :attr:`~prodlife.lifecycle.Operation.PROVISION_FAILED`:
back too, with a ``provisioning failed`` event). Without a module (or a
command) the operation is recorded at once. The arguments (a CSR, the new
registrar) go to the module only, never into the history.

==============================  ==================================================
rule                            condition
==============================  ==================================================
``code.format``                 an operation's code, and each product type and
                                argument name, are codes
``operation.label``             its verb and its in-progress label are text
``operation.progress``          an operation with a module command has an
                                in-progress label
``operation.from``              it starts from settled statuses (not in progress)
``operation.duplicate``         a registry holds one definition per code and per verb
``operation.unknown``           ``Billing`` runs only registered definitions
``operation.product-type``      the service's product type offers the operation
``operation.arguments``         the call gives exactly the arguments it names
==============================  ==================================================

>>> from datetime import UTC, date, datetime
>>> from prodlife import MONTHLY, Money
>>> from prodlife.lifecycle import ACTIVE, Actor, ModuleResult, Permission, Service
>>> from prodlife.pricing import RecurringPrice
>>> reissue = OperationDefinition(
...     "ssl-reissue", "reissue the certificate of", {"SSL"}, progress="reissue",
...     command="reissue_certificate", parameters={"csr"},
... )
>>> class CertificateAuthority:
...     def reissue_certificate(self, service, arguments):
...         return ModuleResult.success(f"order 77 for {arguments['csr'][:9]}")
>>> certificate = Service(
...     id="S-1", customer_id="C-1", product_code="SSL-DV", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("5.00", "USD")), payment_method="card",
...     start=date(2025, 1, 1), status=ACTIVE)
>>> done = reissue(certificate, Actor.customer("C-1"), datetime(2025, 2, 1, tzinfo=UTC),
...                product_type="SSL", module=CertificateAuthority(),
...                arguments={"csr": "-----BEGIN CSR-----"}, reason="key lost")
>>> for entry in done.service.history:
...     print(f"{entry.actor}: {entry.operation}: {entry.before} -> {entry.after}")
customer 'C-1': reissue the certificate of: active -> in progress (reissue)
the system: complete provisioning of: in progress (reissue) -> active
>>> done.events[0].kind, dict(done.events[0].details)["message"]
(<EventKind.OPERATION_PERFORMED: 'operation performed'>, 'order 77 for -----BEGI')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from prodlife.catalog._findings import Finding, check_code, duplicates, frozen_codes, raise_first
from prodlife.catalog._findings import is_a as _is
from prodlife.errors import NotFound, RuleViolation, TransitionNotAllowed
from prodlife.lifecycle.actors import Actor, Permission, authorize_declared
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.history import HistoryEntry
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.provisioning import ProvisioningModule, call_module
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Progress, ServiceStatus, Status, declared_member
from prodlife.lifecycle.transitions import Operation

__all__ = ["OperationDefinition", "OperationRegistry", "check_operation_definition"]


def _statuses(values: Iterable[Status]) -> frozenset[Status]:
    return frozenset(values)


@attrs.frozen(slots=True)
class OperationDefinition:
    """A product-specific operation the host declares (seed 002), run by ``Billing.perform``.

    Args:
        code: its code, e.g. ``"ssl-reissue"``.
        verb: what it does, as a verb taking "a service" (the history's and
            the refusals' wording), e.g. ``"reissue the certificate of"``.
        product_types: the codes of the product types that offer it.
        progress: the in-progress substate shown while the provider works,
            e.g. ``"reissue"``; required with a ``command``.
        command: the name of the host module's method that does the work,
            called as ``module.<command>(service, arguments)`` and answering a
            :class:`~prodlife.lifecycle.ModuleResult`; ``None`` to record the
            operation without the module.
        permission: the staff permission it needs.
        customers: whether customers may ask for it (on their own services).
        system: whether the system (the host's automation) may ask for it.
        from_statuses: the statuses it may start from (active by default).
        parameters: the names of the arguments it takes, each required.

    Raises:
        RuleViolation: a rule of the module's table that a definition checks alone.
    """

    code: str
    verb: str
    product_types: frozenset[str] = attrs.field(converter=frozen_codes)
    progress: str | None = None
    command: str | None = None
    permission: Permission = Permission.EDIT_CUSTOMER_PRODUCTS
    customers: bool = True
    system: bool = False
    from_statuses: frozenset[Status] = attrs.field(
        default=frozenset({Status.ACTIVE}), converter=_statuses
    )
    parameters: frozenset[str] = attrs.field(factory=frozenset, converter=frozen_codes)

    def __attrs_post_init__(self) -> None:
        raise_first(check_operation_definition(self), str(self.code))

    @property
    def operation(self) -> Operation:
        """The operation its history entries and refusals name (declared on first use)."""
        return declared_member(Operation, self.verb)

    @property
    def in_progress(self) -> Progress | None:
        """Its in-progress substate, or ``None`` when it does not pass through one."""
        return None if self.progress is None else declared_member(Progress, self.progress)

    def __call__(
        self,
        service: Service,
        actor: Actor,
        at: datetime,
        *,
        product_type: str,
        module: ProvisioningModule | None = None,
        arguments: Mapping[str, str] | None = None,
        reason: str = "",
    ) -> Outcome:
        """Carry the operation out on ``service`` for ``actor`` at ``at``.

        Args:
            product_type: the code of the service's product type (it must offer
                the operation).
            module: the host's module (``None`` for a product type that is not
                provisionable: the operation is recorded at once).
            arguments: the values of :attr:`parameters`, for the module only.
            reason: why, for the history.

        Raises:
            RuleViolation: rules ``operation.product-type``, ``operation.arguments``.
            PermissionDenied: as :func:`~prodlife.lifecycle.actors.authorize_declared`.
            TransitionNotAllowed: the service is not in one of :attr:`from_statuses`.
        """
        operation = self.operation
        current = service.status
        authorize_declared(
            actor,
            operation,
            owner_customer_id=service.customer_id,
            current=current,
            permission=self.permission,
            customers=self.customers,
            system=self.system,
        )
        if product_type not in self.product_types:
            raise RuleViolation(
                "operation.product-type",
                f"product type {product_type!r} does not offer {self.code!r}; it is offered for "
                f"{sorted(self.product_types)}",
                service.id,
            )
        given = dict(arguments or {})
        if set(given) != self.parameters or not all(isinstance(v, str) for v in given.values()):
            raise RuleViolation(
                "operation.arguments",
                f"{self.code} takes the text arguments {sorted(self.parameters)}, got "
                f"{sorted(map(str, given))}; give exactly those",
                service.id,
            )
        if current.status not in self.from_statuses:
            names = ", ".join(sorted(str(s) for s in self.from_statuses))
            raise TransitionNotAllowed(
                current, operation, f"it is done on services that are {names}"
            )
        progress = self.in_progress
        if module is None or self.command is None or progress is None:
            done = _recorded(service, actor, at, operation, reason, current)
            return Outcome(done, (event(done, EventKind.OPERATION_PERFORMED, at, self._details()),))
        started_status = ServiceStatus(
            Status.IN_PROGRESS, progress, previous=current, target=current
        )
        started = _recorded(service, actor, at, operation, reason, started_status)
        command = self.command
        result = call_module(command, lambda: getattr(module, command)(started, dict(given)))
        message = result.message
        if result.ok:
            note = f"module {command} succeeded" + (f": {message}" if message else "")
            done = started.perform(Operation.PROVISIONED, Actor.system(), at, note)
            details = (*self._details(), ("message", message))
            return Outcome(done, (event(done, EventKind.OPERATION_PERFORMED, at, details),))
        note = f"module {command} {result.outcome}: {message or 'no message'}"
        failed = started.perform(
            Operation.PROVISION_FAILED, Actor.system(), at, note, details="retry to try again"
        )
        details = (*self._details(), ("message", message))
        return Outcome(failed, (event(failed, EventKind.PROVISIONING_FAILED, at, details),))

    def _details(self) -> tuple[tuple[str, str], ...]:
        return (("operation", self.code),)


def _recorded(
    service: Service,
    actor: Actor,
    at: datetime,
    operation: Operation,
    reason: str,
    after: ServiceStatus,
) -> Service:
    """``service`` with ``operation`` in its history, moved to ``after``."""
    entry = HistoryEntry(at, actor, operation, reason, service.status, after)
    history = service.history.append(entry)
    return attrs.evolve(service, status=after, history=history, version=history.total)


def check_operation_definition(definition: OperationDefinition) -> list[Finding]:
    """Every rule ``definition`` breaks on its own."""
    d = definition
    found = check_code(d.code, "operation")
    for code in sorted(d.product_types, key=str):
        found += check_code(code, "product type")
    for name in sorted(d.parameters, key=str):
        found += check_code(name, "argument")
    for label, what in ((d.verb, "verb"), (d.progress, "in-progress label")):
        if label is not None and (not isinstance(label, str) or not label.strip()):
            found.append(("operation.label", f"its {what} {label!r} must be text"))
    if d.command is not None and (not isinstance(d.command, str) or not d.command.isidentifier()):
        found.append(("operation.progress", f"its command {d.command!r} must name a module method"))
    if d.command is not None and d.progress is None:
        found.append(
            (
                "operation.progress",
                "an operation the module carries out shows an in-progress state; give "
                "progress=, e.g. 'reissue'",
            )
        )
    if not d.product_types:
        found.append(("operation.product-type", "name the product types that offer it"))
    if not _is(d.permission, Permission):
        found.append(("operation.label", f"permission {d.permission!r} must be a Permission"))
    if not d.from_statuses or not all(
        isinstance(s, Status) and s is not Status.IN_PROGRESS for s in d.from_statuses
    ):
        found.append(("operation.from", "it starts from settled statuses, e.g. {Status.ACTIVE}"))
    return [(rule, f"operation {d.code!r}: {message}") for rule, message in found]


def _definitions(values: Iterable[OperationDefinition]) -> tuple[OperationDefinition, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class OperationRegistry:
    """The product-specific operations a host declares, by code.

    Raises:
        RuleViolation: two definitions with one code or one verb (rule
            ``operation.duplicate``), or something that is not a definition.
    """

    definitions: tuple[OperationDefinition, ...] = attrs.field(default=(), converter=_definitions)

    def __attrs_post_init__(self) -> None:
        found: list[Finding] = []
        if not all(isinstance(d, OperationDefinition) for d in self.definitions):
            found.append(("operation.duplicate", "a registry holds OperationDefinitions only"))
        else:
            for what, values in (
                ("code", [d.code for d in self.definitions]),
                ("verb", [d.verb for d in self.definitions]),
            ):
                found += [
                    ("operation.duplicate", f"two operations have the {what} {v!r}; keep one")
                    for v in duplicates(values)
                ]
        raise_first(found)

    def get(self, code: str) -> OperationDefinition:
        """The definition ``code``.

        Raises:
            NotFound: none has that code.
        """
        for definition in self.definitions:
            if definition.code == code:
                return definition
        raise NotFound("operation", code, f"operations are {sorted(self.codes)}")

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of its definitions, sorted."""
        return tuple(sorted(d.code for d in self.definitions))

    def for_product_type(self, type_code: str) -> tuple[OperationDefinition, ...]:
        """The definitions a product type offers, by code."""
        found = [d for d in self.definitions if type_code in d.product_types]
        return tuple(sorted(found, key=lambda d: d.code))

    def require(self, definition: object) -> OperationDefinition:
        """``definition``, refused unless it is one of the registry's.

        Raises:
            RuleViolation: rule ``operation.unknown``.
        """
        if isinstance(definition, OperationDefinition) and definition in self.definitions:
            return definition
        code: Any = getattr(definition, "code", definition)
        raise RuleViolation(
            "operation.unknown",
            f"operation {code!r} is not registered; pass it in Billing(operations="
            "OperationRegistry([...]))",
        )
