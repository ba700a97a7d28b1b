"""Who may do what: the full actor x operation matrix, ownership, prices, suspensions."""

from __future__ import annotations

import pytest

from prodlife.errors import PermissionDenied, ValidationError
from prodlife.lifecycle import (
    ACTIVE,
    REQUIRED_PERMISSION,
    Actor,
    ActorKind,
    Operation,
    Permission,
    ServiceStatus,
    Status,
    SuspensionKind,
    authorize,
    not_yours,
)

Op, SK = Operation, SuspensionKind
OWNER = "C-1"


def suspended(kind: SuspensionKind) -> ServiceStatus:
    return ServiceStatus(Status.SUSPENDED, kind)


#: Written out by hand from the seeds; see the table in prodlife.lifecycle.actors. A
#: customer never renews (extends a service as paid): a payment recorded by staff or the
#: gateway does (issue 15).
CUSTOMER_MAY = {
    Op.CHECKOUT,
    Op.PAY,
    Op.CONFIGURE,
    Op.SUSPEND,
    Op.UNSUSPEND,
    Op.CHANGE_PACKAGE,
    Op.CHANGE_OPTIONS,
    Op.CHANGE_PASSWORD,
    Op.REBOOT,
    Op.EDIT,
    Op.SCHEDULE_CANCELLATION,
    Op.REACTIVATE,
    Op.CANCEL,
    Op.DELETE,
}
SYSTEM_MAY = {
    Op.CONFIRM_PAYMENT,
    Op.PAYMENT_FAILED,
    Op.ACTIVATE,
    Op.PROVISIONED,
    Op.PROVISION_FAILED,
    Op.PROVIDER_UNAVAILABLE,
    Op.SUSPEND,
    Op.UNSUSPEND,
    Op.RENEW,
    Op.INVOICE,
    Op.CHANGE_PACKAGE,
    Op.CHANGE_OPTIONS,
    Op.CANCEL,
    Op.TERMINATE,
}

ACTORS = {
    "owner": Actor.customer(OWNER),
    "other customer": Actor.customer("C-2"),
    "staff with every permission": Actor.staff("ann", set(Permission)),
    "staff without permissions": Actor.staff("bob"),
    "system": Actor.system(),
}
EXPECTED = {
    "owner": CUSTOMER_MAY,
    "other customer": set(),
    "staff with every permission": set(Operation),
    "staff without permissions": set(),
    "system": SYSTEM_MAY,
}
#: The suspension each actor imposes, and the one it lifts, in the matrix.
IMPOSES = {"owner": SK.BY_CUSTOMER, "system": SK.FOR_NON_PAYMENT}
LIFTS = {"owner": SK.BY_CUSTOMER, "system": SK.FOR_NON_PAYMENT}


def check(
    actor: Actor,
    operation: Operation,
    *,
    current: ServiceStatus = ACTIVE,
    owner: str | None = OWNER,
    may_delete: bool = True,
    sets_price: bool = False,
    kind: SuspensionKind | None = None,
) -> None:
    authorize(
        actor,
        operation,
        owner_customer_id=owner,
        current=current,
        customer_may_delete=may_delete,
        sets_price=sets_price,
        kind=kind,
    )


@pytest.mark.parametrize("operation", list(Operation), ids=str)
@pytest.mark.parametrize("who", list(ACTORS))
def test_actor_operation_matrix(who: str, operation: Operation) -> None:
    actor = ACTORS[who]
    current = (
        suspended(LIFTS.get(who, SK.BY_ADMINISTRATOR)) if operation is Op.UNSUSPEND else ACTIVE
    )
    kind = IMPOSES.get(who, SK.BY_ADMINISTRATOR)
    if operation in EXPECTED[who]:
        check(actor, operation, current=current, kind=kind)
        return
    with pytest.raises(PermissionDenied) as caught:
        check(actor, operation, current=current, kind=kind)
    assert caught.value.actor == actor
    assert caught.value.operation is operation


@pytest.mark.parametrize("operation", list(Operation), ids=str)
def test_staff_need_exactly_the_operations_permission(operation: Operation) -> None:
    needed = REQUIRED_PERMISSION[operation]
    check(Actor.staff("cy", {needed}), operation, kind=SK.BY_ADMINISTRATOR)
    others = Actor.staff("dee", set(Permission) - {needed})
    with pytest.raises(PermissionDenied, match=f"needs the permission '{needed}'"):
        check(others, operation, kind=SK.BY_ADMINISTRATOR)


def test_every_operation_names_a_permission_and_seed_001s_is_there() -> None:
    assert set(REQUIRED_PERMISSION) == set(Operation)
    assert REQUIRED_PERMISSION[Op.EDIT] is Permission.EDIT_CUSTOMER_PRODUCTS
    assert str(Permission.VIEW_CUSTOMER_PRODUCTS) == "customer products: view"


@pytest.mark.parametrize("operation", list(Operation), ids=str)
def test_another_customers_service_reveals_nothing(operation: Operation) -> None:
    stranger = Actor.customer("C-2")
    expected = str(not_yours(stranger, operation))
    messages = set()
    for status in (ACTIVE, suspended(SK.FOR_ABUSE), ServiceStatus(Status.DELETED)):
        for owner in (OWNER, None):
            with pytest.raises(PermissionDenied) as caught:
                check(stranger, operation, current=status, owner=owner, sets_price=True)
            messages.add(str(caught.value))
    assert messages == {expected}
    assert "abuse" not in expected
    assert "deleted" not in expected


@pytest.mark.parametrize("operation", sorted(CUSTOMER_MAY, key=str), ids=str)
def test_a_customers_own_deleted_service_looks_like_no_service(operation: Operation) -> None:
    owner = ACTORS["owner"]
    with pytest.raises(PermissionDenied) as caught:
        check(owner, operation, current=ServiceStatus(Status.DELETED))
    assert str(caught.value) == str(not_yours(owner, operation))


@pytest.mark.parametrize("operation", sorted(CUSTOMER_MAY, key=str), ids=str)
def test_customers_never_set_prices(operation: Operation) -> None:
    with pytest.raises(PermissionDenied, match="customers cannot set prices"):
        check(ACTORS["owner"], operation, sets_price=True, kind=SK.BY_CUSTOMER)


def test_setting_a_price_needs_the_price_permission_and_the_system_never_does() -> None:
    editor = Actor.staff("eve", {Permission.EDIT_CUSTOMER_PRODUCTS})
    check(editor, Op.EDIT)
    with pytest.raises(PermissionDenied, match="'prices: set'"):
        check(editor, Op.EDIT, sets_price=True)
    check(Actor.staff("fay", {Permission.EDIT_CUSTOMER_PRODUCTS, "prices: set"}), Op.EDIT,
          sets_price=True)  # fmt: skip
    with pytest.raises(PermissionDenied, match="prices are set by staff"):
        check(Actor.system(), Op.RENEW, sets_price=True)


def test_a_customer_deletes_only_where_the_product_type_allows() -> None:
    check(ACTORS["owner"], Op.DELETE, may_delete=True)
    with pytest.raises(PermissionDenied, match="deletion rules"):
        check(ACTORS["owner"], Op.DELETE, may_delete=False)
    check(Actor.staff("gus", {Permission.DELETE}), Op.DELETE, may_delete=False)


@pytest.mark.parametrize("kind", list(SuspensionKind), ids=str)
def test_which_suspensions_a_customer_may_impose_and_lift(kind: SuspensionKind) -> None:
    owner = ACTORS["owner"]
    theirs = kind in (SK.BY_CUSTOMER, SK.TEMPORARY)
    for operation, current in ((Op.SUSPEND, ACTIVE), (Op.UNSUSPEND, suspended(kind))):
        if theirs:
            check(owner, operation, current=current, kind=kind)
        else:
            with pytest.raises(PermissionDenied):
                check(owner, operation, current=current, kind=kind)


def test_a_customer_cannot_lift_an_administrators_or_abuse_suspension() -> None:
    owner = ACTORS["owner"]
    for kind in (SK.BY_ADMINISTRATOR, SK.FOR_ABUSE):
        with pytest.raises(PermissionDenied, match=f"only staff can lift a suspension {kind}$"):
            check(owner, Op.UNSUSPEND, current=suspended(kind))
    with pytest.raises(PermissionDenied, match="pay the overdue invoices"):
        check(owner, Op.UNSUSPEND, current=suspended(SK.FOR_NON_PAYMENT))


@pytest.mark.parametrize("kind", list(SuspensionKind), ids=str)
def test_which_suspensions_the_system_may_impose_and_lift(kind: SuspensionKind) -> None:
    system = Actor.system()
    if kind in (SK.FOR_ABUSE, SK.FOR_NON_PAYMENT):
        check(system, Op.SUSPEND, kind=kind)
    else:
        with pytest.raises(PermissionDenied, match="may suspend only"):
            check(system, Op.SUSPEND, kind=kind)
    if kind in (SK.FOR_NON_PAYMENT, SK.TEMPORARY):
        check(system, Op.UNSUSPEND, current=suspended(kind))
    else:
        with pytest.raises(PermissionDenied, match="only staff can lift"):
            check(system, Op.UNSUSPEND, current=suspended(kind))


def test_staff_lift_any_suspension_with_the_permission() -> None:
    staff = Actor.staff("hal", {Permission.SUSPEND})
    for kind in SuspensionKind:
        check(staff, Op.UNSUSPEND, current=suspended(kind))
        check(staff, Op.SUSPEND, kind=kind)


def test_refusals_name_the_actor_and_how_to_proceed() -> None:
    with pytest.raises(PermissionDenied) as caught:
        check(ACTORS["owner"], Op.TRANSFER)
    assert str(caught.value) == (
        "customer 'C-1' may not transfer: only the provider can do this; open a ticket"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": ActorKind.CUSTOMER}, "needs a customer id"),
        ({"kind": ActorKind.CUSTOMER, "customer_id": " "}, "needs a customer id"),
        ({"kind": ActorKind.STAFF}, "needs a name"),
        ({"kind": ActorKind.SYSTEM, "name": "cron"}, "has no name"),
        ({"kind": ActorKind.STAFF, "name": "x", "customer_id": "C-1"}, "has no customer id"),
        ({"kind": ActorKind.SYSTEM, "permissions": {Permission.DELETE}}, "only staff hold"),
        ({"kind": ActorKind.STAFF, "name": "x", "permissions": {"fly"}}, "Permission names"),
        ({"kind": "customer", "customer_id": "C-1"}, "not an ActorKind"),
    ],
)
def test_actors_are_checked_when_built(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Actor(**kwargs)  # type: ignore[arg-type]


def test_actors_read_naturally() -> None:
    assert str(Actor.customer("C-9")) == "customer 'C-9'"
    assert str(Actor.staff("ann")) == "staff member 'ann'"
    assert str(Actor.system()) == "the system"
    assert Actor.staff("ann", ["services: delete"]).permissions == {Permission.DELETE}


# --- actions and mass-updated fields: the rest of the matrix -----------------------------------

from prodlife.lifecycle.actors import (  # noqa: E402
    ACTION_PERMISSIONS,
    FIELD_PERMISSIONS,
    Action,
    authorize_action,
    authorize_fields,
    policy_rows,
)

#: Written out by hand from the seeds and issue 16.
ACTIONS_EXPECTED = {
    "owner": {Action.VIEW, Action.ORDER, Action.VIEW_INVOICES},
    "other customer": set(),  # acting for OWNER
    "staff with every permission": set(Action),
    "staff without permissions": set(),
    "system": {Action.VIEW, Action.VIEW_INVOICES, Action.RECORD_PAYMENT, Action.CLOSE_INVOICE},
}
STAFF_NEEDS = {
    Action.VIEW: {Permission.VIEW_CUSTOMER_PRODUCTS},
    Action.ORDER: {Permission.RECORD_PAYMENTS},
    Action.ORDER_HIDDEN: {Permission.RECORD_PAYMENTS},
    Action.SET_PRICES: {Permission.SET_PRICES},
    Action.MASS_UPDATE: {Permission.EDIT_CUSTOMER_PRODUCTS},
    Action.VIEW_INVOICES: {Permission.VIEW_CUSTOMER_PRODUCTS},
    Action.RECORD_PAYMENT: {Permission.RECORD_PAYMENTS},
    Action.CLOSE_INVOICE: {Permission.INVOICE},
    Action.EDIT_OFFERINGS: {Permission.SET_PRICES},
}
FIELDS_NEED = {
    "price": Permission.SET_PRICES,
    "cycle": Permission.CHANGE_PACKAGE,
    "next_due": Permission.INVOICE,
    "payment_method": Permission.RECORD_PAYMENTS,
    "override_auto_suspend": Permission.SUSPEND,
}


@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("who", list(ACTORS))
def test_actor_action_matrix(who: str, action: Action) -> None:
    actor = ACTORS[who]
    if action in ACTIONS_EXPECTED[who]:
        authorize_action(actor, action, owner_customer_id=OWNER)
        return
    with pytest.raises(PermissionDenied) as caught:
        authorize_action(actor, action, owner_customer_id=OWNER)
    assert caught.value.actor == actor and caught.value.operation is action


def test_the_tables_say_what_the_seeds_say() -> None:
    assert {a: set(p) for a, p in ACTION_PERMISSIONS.items()} == STAFF_NEEDS
    assert dict(FIELD_PERMISSIONS) == FIELDS_NEED


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_staff_need_exactly_the_actions_permissions(action: Action) -> None:
    needed = STAFF_NEEDS[action]
    authorize_action(Actor.staff("cy", needed), action)
    for left_out in needed:
        with pytest.raises(PermissionDenied, match=f"'{left_out}'"):
            authorize_action(Actor.staff("dee", set(Permission) - {left_out}), action)


def test_a_customer_never_sets_a_price_and_says_where_prices_come_from() -> None:
    with pytest.raises(PermissionDenied, match="prices come from the catalog's price plan"):
        authorize_action(Actor.customer(OWNER), Action.SET_PRICES, owner_customer_id=OWNER)


@pytest.mark.parametrize("field", list(FIELDS_NEED))
@pytest.mark.parametrize("who", list(ACTORS))
def test_each_mass_updated_field_needs_its_permission_and_staff(who: str, field: str) -> None:
    actor = ACTORS[who]
    if who == "staff with every permission":
        authorize_fields(actor, [field])
        return
    with pytest.raises(PermissionDenied):
        authorize_fields(actor, [field])
    minimal = Actor.staff("cy", {Permission.EDIT_CUSTOMER_PRODUCTS, FIELDS_NEED[field]})
    authorize_fields(minimal, [field])
    for missing in (Permission.EDIT_CUSTOMER_PRODUCTS, FIELDS_NEED[field]):
        with pytest.raises(PermissionDenied, match=f"'{missing}'"):
            authorize_fields(Actor.staff("dee", set(Permission) - {missing}), [field])


def test_a_field_no_mass_update_sets_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="'status'"):
        authorize_fields(Actor.staff("ann", set(Permission)), ["status"])


def test_the_policy_section_of_the_lifecycle_docs_is_the_table() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "lifecycle.md").read_text()
    for subject, customer, staff, system in policy_rows():
        assert f"| {subject} | {customer} | {staff} | {system} |" in text, subject
    assert len(policy_rows()) == len(Operation) + len(Action) + len(FIELDS_NEED)
