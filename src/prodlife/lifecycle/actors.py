# Over 400 lines: the one permission table (issue 16: permissions decided in one
# place) with the actors and the checks that read it.
"""Who acts on a service, and what each may do.

Every operation is asked for by an :class:`Actor`: a customer (acting on their
own services), a staff member (with named permissions), or the system (the
scheduler and the provider's answers). :func:`authorize` decides, and raises
:class:`~prodlife.errors.PermissionDenied` when the actor may not. Whether the
service's status allows the operation is a separate question
(:func:`prodlife.lifecycle.status.next_status`).

Customers act only on their own services, and only those they can see (a
deleted service is hidden, seed 002); anything else is refused with
:func:`not_yours`, whose message is the same whether the service exists or
not. No customer sets a price (``sets_price``). Staff need the permission
:data:`REQUIRED_PERMISSION` names for the operation (seed 001's "customer
products" permission for editing), and :attr:`Permission.SET_PRICES` to set a
price. The system does what the scheduler and the provisioning module do.

=========================  ==================================  ==================================
operation                  customer (own service)              system
=========================  ==================================  ==================================
check out, pay             yes                                 no
confirm payment,           no                                  yes
payment failed
configure                  yes (seed 002 quick order)          no
activate                   no                                  yes
provisioned, provision     no                                  yes
failed, provider
unavailable
suspend                    only by customer or temporarily     only for abuse or for non-payment
unsuspend                  only by customer or temporarily     only for non-payment (paid) or
                                                               temporarily (pause over)
renew                      yes                                 yes
change package             yes                                 yes (paid upgrade, end of term)
change options             yes                                 yes (paid option change)
change password, reboot    yes                                 no
edit                       yes, but no price                   no
schedule cancellation,     yes                                 no
reactivate
cancel                     yes                                 yes (scheduled cancellation)
terminate                  no                                  yes (auto-terminate)
transfer                   no                                  no
delete                     only if the product type allows     no
=========================  ==================================  ==================================

Staff may do every operation, given its permission.

Besides the operations on one service, :func:`authorize_action` decides the
:class:`Action` values (viewing services, placing orders, ordering hidden
products, setting prices, mass updates: :data:`ACTION_PERMISSIONS`) and
:func:`authorize_fields` the fields a mass update sets
(:data:`FIELD_PERMISSIONS`). :func:`policy_rows` is the whole matrix as one
table, which ``docs/lifecycle.md`` shows.

>>> from prodlife.lifecycle.status import ACTIVE
>>> ann = Actor.staff("ann", {Permission.SUSPEND})
>>> authorize(ann, Operation.SUSPEND, owner_customer_id="C-1", current=ACTIVE,
...           customer_may_delete=False, kind=SuspensionKind.FOR_ABUSE)
>>> authorize(Actor.customer("C-2"), Operation.REBOOT, owner_customer_id="C-1", current=ACTIVE,
...           customer_may_delete=False)
Traceback (most recent call last):
...
prodlife.errors.PermissionDenied: customer 'C-2' may not reboot: no such service among this
customer's services
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Protocol

import attrs

from prodlife._enums import Labelled
from prodlife.errors import PermissionDenied, ValidationError
from prodlife.lifecycle.status import ServiceStatus, Status, SuspensionKind
from prodlife.lifecycle.transitions import Operation, visible_to_customer

__all__ = [
    "ACTION_PERMISSIONS",
    "CUSTOMER_ACTIONS",
    "CUSTOMER_OPERATIONS",
    "CUSTOMER_SUSPENSIONS",
    "FIELD_PERMISSIONS",
    "REQUIRED_PERMISSION",
    "SYSTEM_ACTIONS",
    "SYSTEM_OPERATIONS",
    "SYSTEM_SUSPENSIONS",
    "SYSTEM_UNSUSPENSIONS",
    "Action",
    "Actor",
    "ActorKind",
    "DeclaredRow",
    "Permission",
    "authorize",
    "authorize_action",
    "authorize_declared",
    "authorize_fields",
    "may",
    "not_yours",
    "policy_rows",
]


class ActorKind(enum.Enum):
    """The three kinds of actor."""

    CUSTOMER = "customer"
    STAFF = "staff"
    SYSTEM = "system"


class Permission(enum.StrEnum):
    """A named staff permission; staff hold a set of them."""

    VIEW_CUSTOMER_PRODUCTS = "customer products: view"
    """Seed 001: view the products a customer holds."""
    EDIT_CUSTOMER_PRODUCTS = "customer products: edit"
    """Seed 001: edit them (configuration, options, password)."""
    RECORD_PAYMENTS = "payments: record"
    PROVISION = "services: provision"
    SUSPEND = "services: suspend"
    RENEW = "services: renew"
    INVOICE = "invoices: create"
    """Issue an invoice ahead of its time (seed 003's "invoice early")."""
    CHANGE_PACKAGE = "services: change package"
    CANCEL = "services: cancel"
    TERMINATE = "services: terminate"
    TRANSFER = "services: transfer"
    DELETE = "services: delete"
    SET_PRICES = "prices: set"
    """Needed on top of the operation's own permission to set a price."""


_P, _O = Permission, Operation

#: The permission a staff member needs for each operation.
REQUIRED_PERMISSION: Mapping[Operation, Permission] = MappingProxyType(
    {
        _O.CHECKOUT: _P.RECORD_PAYMENTS,
        _O.PAY: _P.RECORD_PAYMENTS,
        _O.PAYMENT_FAILED: _P.RECORD_PAYMENTS,
        _O.CONFIRM_PAYMENT: _P.RECORD_PAYMENTS,
        _O.CONFIGURE: _P.EDIT_CUSTOMER_PRODUCTS,
        _O.ACTIVATE: _P.PROVISION,
        _O.PROVISIONED: _P.PROVISION,
        _O.PROVISION_FAILED: _P.PROVISION,
        _O.PROVIDER_UNAVAILABLE: _P.PROVISION,
        _O.SUSPEND: _P.SUSPEND,
        _O.UNSUSPEND: _P.SUSPEND,
        _O.RENEW: _P.RENEW,
        _O.INVOICE: _P.INVOICE,
        _O.CHANGE_PACKAGE: _P.CHANGE_PACKAGE,
        _O.CHANGE_OPTIONS: _P.EDIT_CUSTOMER_PRODUCTS,
        _O.CHANGE_PASSWORD: _P.EDIT_CUSTOMER_PRODUCTS,
        _O.REBOOT: _P.PROVISION,
        _O.EDIT: _P.EDIT_CUSTOMER_PRODUCTS,
        _O.SCHEDULE_CANCELLATION: _P.CANCEL,
        _O.REACTIVATE: _P.CANCEL,
        _O.CANCEL: _P.CANCEL,
        _O.TERMINATE: _P.TERMINATE,
        _O.TRANSFER: _P.TRANSFER,
        _O.DELETE: _P.DELETE,
    }
)

#: What a customer may ask for on their own service (further limited below).
CUSTOMER_OPERATIONS: frozenset[Operation] = frozenset(
    {
        _O.CHECKOUT,
        _O.PAY,
        _O.CONFIGURE,
        _O.SUSPEND,
        _O.UNSUSPEND,
        _O.CHANGE_PACKAGE,
        _O.CHANGE_OPTIONS,
        _O.CHANGE_PASSWORD,
        _O.REBOOT,
        _O.EDIT,
        _O.SCHEDULE_CANCELLATION,
        _O.REACTIVATE,
        _O.CANCEL,
        _O.DELETE,
    }
)
#: The suspensions a customer may impose and lift: their own, and a temporary pause
#: (seed 000). An administrator's, abuse or non-payment suspension is not theirs to lift.
CUSTOMER_SUSPENSIONS: frozenset[SuspensionKind] = frozenset(
    {SuspensionKind.BY_CUSTOMER, SuspensionKind.TEMPORARY}
)

#: What the system (scheduler, payment gateway, provisioning module) may do.
SYSTEM_OPERATIONS: frozenset[Operation] = frozenset(
    {
        _O.CONFIRM_PAYMENT,
        _O.PAYMENT_FAILED,
        _O.ACTIVATE,
        _O.PROVISIONED,
        _O.PROVISION_FAILED,
        _O.PROVIDER_UNAVAILABLE,
        _O.SUSPEND,
        _O.UNSUSPEND,
        _O.RENEW,
        _O.INVOICE,
        _O.CHANGE_PACKAGE,
        _O.CHANGE_OPTIONS,
        _O.CANCEL,
        _O.TERMINATE,
    }
)
#: The suspensions the system imposes: the abuse limit (seed 002), overdue invoices.
SYSTEM_SUSPENSIONS: frozenset[SuspensionKind] = frozenset(
    {SuspensionKind.FOR_ABUSE, SuspensionKind.FOR_NON_PAYMENT}
)
#: The suspensions the system lifts: non-payment once paid (seed 003), a pause that ended.
SYSTEM_UNSUSPENSIONS: frozenset[SuspensionKind] = frozenset(
    {SuspensionKind.FOR_NON_PAYMENT, SuspensionKind.TEMPORARY}
)


def _permissions(values: Iterable[Permission | str]) -> frozenset[Permission]:
    try:
        return frozenset(Permission(value) for value in values)
    except ValueError as error:
        raise ValidationError(
            f"{error}; use the Permission names, e.g. Permission.SUSPEND"
        ) from None


@attrs.frozen(slots=True)
class Actor:
    """Who asks for an operation. Build one with :meth:`customer`, :meth:`staff` or :meth:`system`.

    Args:
        kind: customer, staff or system.
        customer_id: the customer's id (customers only).
        name: the staff member's name (staff only).
        permissions: the staff member's permissions (staff only).

    Raises:
        ValidationError: a customer without an id, staff without a name, or
            an id, name or permissions on the wrong kind of actor.
    """

    kind: ActorKind
    customer_id: str | None = None
    name: str | None = None
    permissions: frozenset[Permission] = attrs.field(default=frozenset(), converter=_permissions)

    def __attrs_post_init__(self) -> None:
        wants = {
            ActorKind.CUSTOMER: (True, False),
            ActorKind.STAFF: (False, True),
            ActorKind.SYSTEM: (False, False),
        }
        if not isinstance(self.kind, ActorKind):
            raise ValidationError(f"actor kind {self.kind!r} is not an ActorKind")
        needs_id, needs_name = wants[self.kind]
        for needed, value, what in (
            (needs_id, self.customer_id, "customer id"),
            (needs_name, self.name, "name"),
        ):
            if needed and (not isinstance(value, str) or not value.strip()):
                raise ValidationError(f"a {self.kind.value} actor needs a {what}; give one")
            if not needed and value is not None:
                raise ValidationError(f"a {self.kind.value} actor has no {what}; leave it out")
        if self.permissions and self.kind is not ActorKind.STAFF:
            raise ValidationError(f"only staff hold permissions, not a {self.kind.value}")

    @classmethod
    def customer(cls, customer_id: str) -> Actor:
        """A customer acting on their own services."""
        return cls(ActorKind.CUSTOMER, customer_id=customer_id)

    @classmethod
    def staff(cls, name: str, permissions: Iterable[Permission | str] = ()) -> Actor:
        """A staff member holding ``permissions``."""
        return cls(ActorKind.STAFF, name=name, permissions=frozenset(permissions))

    @classmethod
    def system(cls) -> Actor:
        """The system: scheduler, payment gateway and provisioning module."""
        return cls(ActorKind.SYSTEM)

    def __str__(self) -> str:
        if self.kind is ActorKind.CUSTOMER:
            return f"customer {self.customer_id!r}"
        if self.kind is ActorKind.STAFF:
            return f"staff member {self.name!r}"
        return "the system"


def not_yours(actor: Actor, operation: Operation | None) -> PermissionDenied:
    """The refusal for a service the customer does not own or cannot see.

    The same for a service of another customer, a deleted one, and one that
    does not exist, so the refusal reveals nothing about the service.
    ``operation`` is ``None`` for a read: the refusal says the customer may
    not see it.
    """
    what = "see this service" if operation is None else operation
    return PermissionDenied(actor, what, "no such service among this customer's services")


def _deny(actor: Actor, operation: Operation, reason: str) -> PermissionDenied:
    return PermissionDenied(actor, operation, reason)


def _suspension_rule(
    operation: Operation,
    current: ServiceStatus,
    kind: SuspensionKind | None,
    may_impose: frozenset[SuspensionKind],
    may_lift: frozenset[SuspensionKind],
) -> str:
    if operation is Operation.SUSPEND and kind is not None and kind not in may_impose:
        names = " or ".join(sorted(str(k) for k in may_impose))
        return f"it may suspend only {names}, not {kind}"
    if (
        operation is Operation.UNSUSPEND
        and current.status is Status.SUSPENDED
        and current.substate not in may_lift
    ):
        fix = (
            "; pay the overdue invoices and it is lifted"
            if current.substate is SuspensionKind.FOR_NON_PAYMENT
            else ""
        )
        return f"only staff can lift a suspension {current.substate}{fix}"
    return ""


def check_actor_type(actor: object) -> Actor:
    """``actor``, when it is an :class:`Actor`.

    Raises:
        TypeError: it is not (a ``None``, a customer id given as text...).
    """
    if not isinstance(actor, Actor):
        raise TypeError(f"actor {actor!r} must be an Actor: Actor.customer(id), Actor.staff(...)")
    return actor


def authorize(
    actor: Actor,
    operation: Operation,
    *,
    owner_customer_id: str | None,
    current: ServiceStatus,
    customer_may_delete: bool,
    sets_price: bool = False,
    kind: SuspensionKind | None = None,
    customer_may_change_package: bool = True,
) -> None:
    """Check that ``actor`` may ask for ``operation`` on a service.

    Args:
        actor: who asks.
        operation: what they ask for.
        owner_customer_id: the customer who owns the service.
        current: the service's status (suspensions and visibility depend on it).
        customer_may_delete: the product type's deletion rule
            (:attr:`prodlife.catalog.types.ProductType.customer_may_delete`).
        sets_price: whether the request sets a price (a price override, a
            renewal price).
        kind: for :attr:`Operation.SUSPEND`, the suspension being imposed.
        customer_may_change_package: the product's rule
            (:attr:`prodlife.catalog.Product.customer_may_change_package`).

    Raises:
        PermissionDenied: the actor may not; for a customer's request on a
            service that is not theirs, always :func:`not_yours`.
        TypeError: ``actor`` is not an :class:`Actor`.
    """
    check_actor_type(actor)
    if actor.kind is ActorKind.CUSTOMER:
        if actor.customer_id != owner_customer_id or not visible_to_customer(current):
            raise not_yours(actor, operation)
        if sets_price:
            raise _deny(actor, operation, "customers cannot set prices; ask the provider")
        if operation not in CUSTOMER_OPERATIONS:
            raise _deny(actor, operation, "only the provider can do this; open a ticket")
        if operation is Operation.DELETE and not customer_may_delete:
            raise _deny(
                actor,
                operation,
                "this product type's deletion rules do not let customers delete; "
                "ask the provider or cancel instead",
            )
        if operation is Operation.CHANGE_PACKAGE and not customer_may_change_package:
            raise _deny(
                actor,
                operation,
                "this product's package is changed by the provider only; open a ticket",
            )
        reason = _suspension_rule(
            operation, current, kind, CUSTOMER_SUSPENSIONS, CUSTOMER_SUSPENSIONS
        )
        if reason:
            raise _deny(actor, operation, reason)
        return
    if actor.kind is ActorKind.SYSTEM:
        if sets_price:
            raise _deny(actor, operation, "prices are set by staff holding 'prices: set'")
        if operation not in SYSTEM_OPERATIONS:
            raise _deny(actor, operation, "it is not a scheduled or provider operation")
        reason = _suspension_rule(
            operation, current, kind, SYSTEM_SUSPENSIONS, SYSTEM_UNSUSPENSIONS
        )
        if reason:
            raise _deny(actor, operation, reason)
        return
    needed = {REQUIRED_PERMISSION[operation]}
    if sets_price:
        needed.add(Permission.SET_PRICES)
    missing = sorted(needed - actor.permissions)
    if missing:
        listed = ", ".join(f"'{p}'" for p in missing)
        raise _deny(actor, operation, f"it needs the permission {listed}; ask an administrator")


def authorize_declared(
    actor: Actor,
    operation: Operation,
    *,
    owner_customer_id: str | None,
    current: ServiceStatus,
    permission: Permission,
    customers: bool,
    system: bool,
) -> None:
    """Check that ``actor`` may ask for a host-declared ``operation`` on a service.

    The same rules as :func:`authorize`, with the row the operation's
    definition gives (:class:`~prodlife.lifecycle.product_operations.OperationDefinition`):
    a customer only on their own, visible services and only when ``customers``;
    staff with ``permission``; the system only when ``system``.

    Raises:
        PermissionDenied: the actor may not (a customer's request on a service
            that is not theirs: always :func:`not_yours`).
        TypeError: ``actor`` is not an :class:`Actor`.
    """
    check_actor_type(actor)
    if actor.kind is ActorKind.CUSTOMER:
        if actor.customer_id != owner_customer_id or not visible_to_customer(current):
            raise not_yours(actor, operation)
        if not customers:
            raise _deny(actor, operation, "only the provider can do this; open a ticket")
        return
    if actor.kind is ActorKind.SYSTEM:
        if not system:
            raise _deny(actor, operation, "it is not a scheduled or provider operation")
        return
    if permission not in actor.permissions:
        raise _deny(
            actor, operation, f"it needs the permission '{permission}'; ask an administrator"
        )


class Action(Labelled):
    """What an actor asks for besides a lifecycle :class:`Operation` on one service."""

    VIEW = "view services"
    ORDER = "place orders"
    ORDER_HIDDEN = "order hidden products"
    SET_PRICES = "set prices"
    MASS_UPDATE = "mass update"
    VIEW_INVOICES = "view invoices and payments"
    RECORD_PAYMENT = "record payments and refunds"
    CLOSE_INVOICE = "void or write off invoices"
    EDIT_OFFERINGS = "edit reseller offerings"


#: The staff permissions each :class:`Action` needs.
ACTION_PERMISSIONS: Mapping[Action, frozenset[Permission]] = MappingProxyType(
    {
        Action.VIEW: frozenset({_P.VIEW_CUSTOMER_PRODUCTS}),
        Action.ORDER: frozenset({REQUIRED_PERMISSION[_O.CHECKOUT]}),
        Action.ORDER_HIDDEN: frozenset({REQUIRED_PERMISSION[_O.CHECKOUT]}),
        Action.SET_PRICES: frozenset({_P.SET_PRICES}),
        Action.MASS_UPDATE: frozenset({_P.EDIT_CUSTOMER_PRODUCTS}),
        Action.VIEW_INVOICES: frozenset({_P.VIEW_CUSTOMER_PRODUCTS}),
        Action.RECORD_PAYMENT: frozenset({_P.RECORD_PAYMENTS}),
        Action.CLOSE_INVOICE: frozenset({_P.INVOICE}),
        Action.EDIT_OFFERINGS: frozenset({_P.SET_PRICES}),
    }
)
#: What a customer may do of the actions (on their own services, orders and invoices
#: only). A customer never records a payment: the gateway (the system) or staff do.
CUSTOMER_ACTIONS: frozenset[Action] = frozenset({Action.VIEW, Action.ORDER, Action.VIEW_INVOICES})
#: What the system may do of the actions (the payment gateway records payments).
SYSTEM_ACTIONS: frozenset[Action] = frozenset(
    {Action.VIEW, Action.VIEW_INVOICES, Action.RECORD_PAYMENT, Action.CLOSE_INVOICE}
)

#: The service fields a mass update may set, and the permission each needs on top of
#: :attr:`Action.MASS_UPDATE`'s. Customers and the system set none of them.
FIELD_PERMISSIONS: Mapping[str, Permission] = MappingProxyType(
    {
        "price": _P.SET_PRICES,
        "cycle": _P.CHANGE_PACKAGE,
        "next_due": _P.INVOICE,
        "payment_method": _P.RECORD_PAYMENTS,
        "override_auto_suspend": _P.SUSPEND,
    }
)


def _missing(actor: Actor, needed: Iterable[Permission]) -> str:
    missing = sorted(set(needed) - actor.permissions)
    if not missing:
        return ""
    listed = ", ".join(f"'{p}'" for p in missing)
    return f"it needs the permission {listed}; ask an administrator"


def may(actor: Actor, action: Action, *, owner_customer_id: str | None = None) -> bool:
    """Whether ``actor`` may do ``action`` (for a customer: on ``owner_customer_id``'s behalf)."""
    try:
        authorize_action(actor, action, owner_customer_id=owner_customer_id)
    except PermissionDenied:
        return False
    return True


def authorize_action(actor: Actor, action: Action, *, owner_customer_id: str | None = None) -> None:
    """Check that ``actor`` may do ``action``.

    Args:
        owner_customer_id: the customer the action is for (the services'
            owner, the order's customer); a customer acts for themselves only.

    Raises:
        PermissionDenied: the actor may not.
        TypeError: ``actor`` is not an :class:`Actor`.

    >>> authorize_action(Actor.staff("bob"), Action.VIEW)
    Traceback (most recent call last):
    ...
    prodlife.errors.PermissionDenied: staff member 'bob' may not view services: it needs the
    permission 'customer products: view'; ask an administrator
    """
    check_actor_type(actor)
    if actor.kind is ActorKind.CUSTOMER:
        if action not in CUSTOMER_ACTIONS:
            reason = (
                "customers cannot set prices; prices come from the catalog's price plan"
                if action is Action.SET_PRICES
                else "only the provider can do this; open a ticket"
            )
            raise PermissionDenied(actor, action, reason)
        if owner_customer_id != actor.customer_id:
            raise PermissionDenied(actor, action, "a customer acts for themselves only")
        return
    if actor.kind is ActorKind.SYSTEM:
        if action not in SYSTEM_ACTIONS:
            raise PermissionDenied(actor, action, "only staff or customers do this")
        return
    reason = _missing(actor, ACTION_PERMISSIONS[action])
    if reason:
        raise PermissionDenied(actor, action, reason)


def authorize_fields(actor: Actor, fields: Iterable[str]) -> None:
    """Check that ``actor`` may set ``fields`` of services by a mass update.

    Raises:
        PermissionDenied: a customer or the system, or staff missing
            :attr:`Action.MASS_UPDATE`'s permission or a field's.
        ValidationError: a field no mass update sets.
    """
    wanted = list(fields)
    unknown = sorted(set(wanted) - set(FIELD_PERMISSIONS))
    if unknown:
        raise ValidationError(
            f"fields {unknown} cannot be mass updated; set {sorted(FIELD_PERMISSIONS)}"
        )
    authorize_action(actor, Action.MASS_UPDATE)
    reason = _missing(actor, (FIELD_PERMISSIONS[name] for name in wanted))
    if reason:
        names = ", ".join(sorted(wanted))
        raise PermissionDenied(actor, Action.MASS_UPDATE, f"to set {names} {reason}")


def _who(kind: ActorKind, allowed: bool, needs: Iterable[Permission] = ()) -> str:
    if kind is ActorKind.STAFF:
        return ", ".join(f"`{p}`" for p in sorted(set(needs))) or "yes"
    return "yes" if allowed else "no"


class DeclaredRow(Protocol):
    """What the policy table shows of a host-declared operation
    (:class:`~prodlife.lifecycle.product_operations.OperationDefinition`)."""

    @property
    def verb(self) -> str: ...

    @property
    def customers(self) -> bool: ...

    @property
    def system(self) -> bool: ...

    @property
    def permission(self) -> Permission: ...


def policy_rows(declared: Iterable[DeclaredRow] = ()) -> tuple[tuple[str, str, str, str], ...]:
    """The policy as a table: (subject, customer, staff needs, system), one row each.

    Rows cover every :class:`Operation` (customers: on their own services,
    further limited by suspension kind and the product type's deletion rule),
    every :class:`Action` and every mass-updated field; ``docs/lifecycle.md``
    shows this table, and a test keeps it in step. The product-specific
    operations a host declares (``declared``, e.g. its registry's
    ``definitions``) follow, one row each, as
    :func:`authorize_declared` decides them.
    """
    rows = [
        (
            f"operation: {op}",
            _who(ActorKind.CUSTOMER, op in CUSTOMER_OPERATIONS),
            _who(ActorKind.STAFF, True, {REQUIRED_PERMISSION[op]}),
            _who(ActorKind.SYSTEM, op in SYSTEM_OPERATIONS),
        )
        for op in Operation
    ]
    rows += [
        (
            f"action: {action}",
            _who(ActorKind.CUSTOMER, action in CUSTOMER_ACTIONS),
            _who(ActorKind.STAFF, True, ACTION_PERMISSIONS[action]),
            _who(ActorKind.SYSTEM, action in SYSTEM_ACTIONS),
        )
        for action in Action
    ]
    rows += [
        (
            f"mass update field: {name}",
            "no",
            _who(ActorKind.STAFF, True, {*ACTION_PERMISSIONS[Action.MASS_UPDATE], permission}),
            "no",
        )
        for name, permission in FIELD_PERMISSIONS.items()
    ]
    rows += [
        (
            f"operation: {row.verb}",
            _who(ActorKind.CUSTOMER, row.customers),
            _who(ActorKind.STAFF, True, {row.permission}),
            _who(ActorKind.SYSTEM, row.system),
        )
        for row in declared
    ]
    return tuple(rows)
