"""A bundle's component services: they live and end with their bundle (seed 004).

An order's bundle line creates the bundle's service and its components'
services, each naming its bundle (:attr:`Service.bundle_id
<prodlife.lifecycle.Service.bundle_id>`). The operations in
:data:`FOLLOWED` carried out on the bundle are carried out on each of its
live components in the same transaction (:meth:`Billing.perform
<prodlife.app.Billing.perform>`), each component's money billed or refunded by
its own timeline; a bundle's status changed any other way (the scheduler, a
payment's settlement, a mass update) takes its components along too
(:func:`follow_status`). A component acting alone is held to its bundle's rules
(:func:`check_component_alone`).

Rules: ``bundle.component-alone`` (ending one component alone would leave a
selection its bundle does not allow, never alone in a fixed bundle; or
transferring or deleting it alone),
``bundle.component-cancelling`` (a component's cancellation request withdrawn
while its bundle's stands), ``bundle.component-suspended`` (a component resumed
while its bundle is suspended).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from prodlife.catalog.bundles import FixedBundle, check_selection
from prodlife.catalog.catalog import Catalog
from prodlife.errors import ComponentRefused, PermissionDenied, TransitionNotAllowed
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.cancellations import cancel, request_cancellation, withdraw_cancellation
from prodlife.lifecycle.endings import delete, end_service, terminate
from prodlife.lifecycle.operations import activate, suspend, transfer, unsuspend
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ServiceStatus, Status, SuspensionKind
from prodlife.lifecycle.transitions import Operation

__all__ = [
    "FOLLOWED",
    "check_component_alone",
    "components_of",
    "follow_status",
    "follows",
    "to_follow",
]

#: The operations a bundle's components follow: carried out on the bundle, they are
#: carried out on each live component too (with the same arguments).
FOLLOWED: frozenset[Callable[..., Any]] = frozenset(
    {
        activate,
        suspend,
        unsuspend,
        request_cancellation,
        withdraw_cancellation,
        cancel,
        terminate,
        delete,
        transfer,
    }
)


def follows(operation: Callable[..., Any]) -> bool:
    """Whether a bundle's components follow ``operation`` carried out on the bundle."""
    try:
        return operation in FOLLOWED
    except TypeError:  # an unhashable callable is none of them
        return False


def components_of(bundle: Service, services: Iterable[Service]) -> tuple[Service, ...]:
    """The components of ``bundle`` among ``services`` that are not deleted, by id."""
    found = (
        s for s in services if s.bundle_id == bundle.id and s.status.status is not Status.DELETED
    )
    return tuple(sorted(found, key=lambda s: s.id))


def to_follow(
    operation: Callable[..., Any], before: Service, after: Service, component: Service
) -> bool:
    """Whether ``component`` is to follow ``operation``, which took its bundle from
    ``before`` to ``after``.

    A component that has ended follows only a deletion (an ended bundle deleted
    takes its ended components out of its customer's sight); a cancellation request is asked
    for each component that has none and withdrawn from each that has one; an
    operation that changed the bundle's status takes each component not
    already there to it (nothing follows when the bundle's status did not
    change, e.g. its module failed).
    """
    if not follows(operation):
        return False
    if component.ended:
        deleted = after.status.status is Status.DELETED
        return operation is delete and deleted and component.status.status is not Status.DELETED
    if operation is request_cancellation:
        return after.cancellation_pending and not component.cancellation_pending
    if operation is transfer:
        return component.customer_id != after.customer_id
    if operation is withdraw_cancellation:
        return after.cancellation is None and component.cancellation is not None
    return after.status != before.status and component.status != after.status


_ENDING = {
    Status.CANCELLED: Operation.CANCEL,
    Status.TERMINATED: Operation.TERMINATE,
    Status.DELETED: Operation.DELETE,
}


def follow_status(
    component: Service,
    before: ServiceStatus,
    after: Service,
    at: datetime,
    *,
    module: ProvisioningModule | None = None,
) -> Outcome | None:
    """``component`` taken where an operation took its bundle (from status ``before`` to
    the bundle ``after``).

    For the changes of status made elsewhere than :meth:`Billing.perform
    <prodlife.app.Billing.perform>` (the scheduler's dunning, a settlement, a
    mass update, an abuse limit): the actor of the bundle's last history entry
    suspends the component as the bundle was suspended, unsuspends or
    activates it with the bundle, and ends it as the bundle ended, on the
    bundle's termination date (billed as :func:`~prodlife.lifecycle.terminate`
    bills by default). ``None`` when nothing follows: the bundle's status did
    not change, the component has ended or is already there, or its own state
    does not allow it (a component suspended by staff stays suspended when the
    system lifts a non-payment suspension of its bundle).
    """
    target = after.status.status
    if component.ended or after.status == before or component.status == after.status:
        return None
    last = after.history.last
    actor = Actor.system() if last is None else last.actor
    reason = f"follows its bundle {after.id}"
    current = component.status.status
    try:
        if target in _ENDING:
            return end_service(
                component,
                _ENDING[target],
                actor,
                at,
                on=after.termination_date,
                module=module,
                reason=reason,
            )
        kind = after.status.substate
        suspends = target is Status.SUSPENDED and current is not Status.SUSPENDED
        if suspends and isinstance(kind, SuspensionKind):
            return suspend(component, actor, at, kind, module=module, reason=reason)
        if target is Status.ACTIVE and current is Status.SUSPENDED:
            return unsuspend(component, actor, at, module=module, reason=reason)
        if target is Status.ACTIVE and current is Status.PENDING is before.status:
            return activate(component, actor, at, module=module, reason=reason)
    except (PermissionDenied, TransitionNotAllowed):
        return None
    return None


def _leaves(before: Service, after: Service) -> bool:
    """Whether the operation ends the service, or asks for it to end."""
    return (after.ended and not before.ended) or (
        after.cancellation_pending and not before.cancellation_pending
    )


def check_component_alone(
    before: Service,
    after: Service,
    bundle: Service,
    siblings: Iterable[Service],
    catalog: Catalog | None,
) -> None:
    """Refuse what a component ``before`` -> ``after`` does alone that its ``bundle`` forbids.

    Ending a component alone (cancelling, terminating, deleting it, or asking
    for its cancellation) while its bundle lives must leave the bundle's
    other live components (``siblings``, among which ``before`` may be) a
    selection the bundle's definition in ``catalog`` allows: never in a fixed
    bundle, whose components are fixed; in a flexible bundle, within its pools
    and restrictions (:func:`~prodlife.catalog.bundles.check_selection`). A
    component is not resumed while its bundle is suspended, and its
    cancellation request stands while its bundle's does; it is not transferred
    to another customer alone, nor deleted alone. Whatever the
    bundle itself does is not checked here: its components follow it.

    Raises:
        ComponentRefused: rules ``bundle.component-alone``,
            ``bundle.component-cancelling`` and ``bundle.component-suspended``.
    """
    if (
        after.status.status is Status.DELETED
        and before.status.status is not Status.DELETED
        and bundle.status.status is not Status.DELETED
    ):
        raise ComponentRefused(
            "bundle.component-alone",
            f"service {after.id} is a component of bundle {bundle.id}, which is "
            f"{bundle.status}; a component is deleted with its bundle: delete the bundle "
            f"service {bundle.id} instead",
            after.id,
            bundle.id,
        )
    if bundle.ended:
        return
    if after.customer_id != bundle.customer_id:
        raise ComponentRefused(
            "bundle.component-alone",
            f"service {after.id} is a component of bundle {bundle.id}, owned by "
            f"{bundle.customer_id}; transfer the bundle service {bundle.id} instead (its "
            "components go with it)",
            after.id,
            bundle.id,
        )
    if _leaves(before, after):
        definition = None if catalog is None else catalog.bundle(bundle.product_code)
        if catalog is None or definition is None or isinstance(definition, FixedBundle):
            raise ComponentRefused(
                "bundle.component-alone",
                f"service {after.id} ({after.product_code}) is a component of the fixed bundle "
                f"{bundle.id} ({bundle.product_code}), which cannot lose a component; end the "
                f"bundle service {bundle.id} instead (its components end with it)",
                after.id,
                bundle.id,
            )
        left = Counter(
            s.product_code
            for s in siblings
            if s.bundle_id == bundle.id
            and s.id != after.id
            and not s.ended
            and not s.cancellation_pending
        )
        products = {p.code: p for p in catalog.products}
        types = {t.code: t for t in catalog.types}
        found = check_selection(definition, left, products, types)
        if found:
            broken = "; ".join(message for _, message in found)
            raise ComponentRefused(
                "bundle.component-alone",
                f"ending service {after.id} ({after.product_code}) alone would leave bundle "
                f"{bundle.id} ({bundle.product_code}) with a selection it does not allow: "
                f"{broken}; end the bundle service {bundle.id} instead, or change the selection",
                after.id,
                bundle.id,
            )
    if (
        bundle.cancellation_pending
        and before.cancellation_pending
        and not after.cancellation_pending
        and not after.ended
    ):
        raise ComponentRefused(
            "bundle.component-cancelling",
            f"service {after.id} is a component of bundle {bundle.id}, whose cancellation is "
            f"requested; withdraw the bundle's request on {bundle.id} (its components follow it)",
            after.id,
            bundle.id,
        )
    if (
        bundle.status.status is Status.SUSPENDED
        and before.status.status is Status.SUSPENDED
        and after.status.status is not Status.SUSPENDED
        and not after.ended
    ):
        raise ComponentRefused(
            "bundle.component-suspended",
            f"service {after.id} is a component of bundle {bundle.id}, which is "
            f"{bundle.status}; unsuspend the bundle service {bundle.id} (its components "
            "follow it)",
            after.id,
            bundle.id,
        )
