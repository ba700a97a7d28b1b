"""A bundle's component services live and end with their bundle (issue 16, item 1), on every store.

An order's bundle line links each component's service to its bundle's; the lifecycle
operations carried out on the bundle are carried out on its components in the same
transaction, each billed or refunded by its own timeline; what the bundle's rules forbid a
component to do alone is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlife import FixedClock, OrderLine, OrderLineSpec
from prodlife.app import Billing
from prodlife.catalog import CancellationPolicy, CancellationTiming, CatalogVersion, Component
from prodlife.errors import ComponentRefused, ProdlifeError
from prodlife.lifecycle import (
    CancellationKind,
    MassUpdate,
    Operation,
    Outcome,
    SchedulerPolicy,
    Service,
    ServiceStatus,
    Status,
    SuspensionKind,
    activate,
    cancel,
    delete,
    request_cancellation,
    suspend,
    terminate,
    transfer,
    unsuspend,
    withdraw_cancellation,
)
from prodlife.ports import ServiceQuery, Store
from prodlife.proration import CreditMode
from prodlife.stores import open_store
from tests._lifecycle import OWNER, OWNER_ID, STAFF, SYSTEM, sell
from tests._support import d, usd
from tests.stores._postgresql import opened_store
from tests.test_app_catalog_use import NOW, TV_CATALOG, TV_CONTEXT, TV_PLAN
from tests.test_app_policy import buy

REFUND = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store; PostgreSQL in a schema of the test's own (skipped without a server)."""
    with opened_store(request.param, tmp_path) as opened:
        sell(opened, TV_CATALOG, TV_PLAN)
        yield opened


@pytest.fixture
def tv(store: Store) -> Billing:
    return Billing(store, clock=FixedClock(NOW))


def order_pack(tv: Billing, *picks: str, services: int = 1) -> tuple[Service, ...]:
    """A flexible TV pack of ``picks`` (or the fixed NEWS-TV pack without), activated."""
    if picks:
        line = OrderLine(OrderLineSpec("TV"), selection=[Component(p) for p in picks])
    else:
        line = OrderLine(OrderLineSpec("NEWS-TV"), services=services)
    _, placed = tv.place_order(buy(lines=[line]), TV_CONTEXT, OWNER)
    for service in placed:
        if service.bundle_id is None:
            tv.perform(activate, service.id, STAFF)
    return placed


def stored(tv: Billing) -> dict[str, Service]:
    held = tv.services(ServiceQuery(customer_id=OWNER_ID), STAFF)
    return {s.id: s for s in held}


def statuses(tv: Billing) -> dict[str, Status]:
    return {key: s.status.status for key, s in stored(tv).items()}


# --- the link --------------------------------------------------------------------------------


def test_each_component_service_names_its_bundle_and_a_bundle_none(tv: Billing) -> None:
    _, placed = tv.place_order(buy(OrderLineSpec("NEWS-TV")), TV_CONTEXT, OWNER)
    pack, cnn, espn = placed
    assert pack.bundle_id is None
    assert (cnn.bundle_id, espn.bundle_id) == (pack.id, pack.id)
    assert {s.id: s.bundle_id for s in stored(tv).values()} == {
        pack.id: None,
        cnn.id: pack.id,
        espn.id: pack.id,
    }


def test_a_line_of_two_bundles_gives_each_bundle_its_own_components(tv: Billing) -> None:
    unlimited = [attrs.evolve(p, max_per_customer=None) for p in TV_CATALOG.products]
    tv.add_catalog_version(
        CatalogVersion("2025-04", d("2025-04-01"), attrs.evolve(TV_CATALOG, products=unlimited))
    )
    _, placed = tv.place_order(
        buy(lines=[OrderLine(OrderLineSpec("NEWS-TV"), services=2)]), TV_CONTEXT, OWNER
    )
    packs = [s.id for s in placed if s.product_code == "NEWS-TV"]
    assert len(packs) == 2
    for pack in packs:
        assert sorted(s.product_code for s in placed if s.bundle_id == pack) == ["CNN", "ESPN"]


# --- components follow their bundle -----------------------------------------------------------


def test_activating_a_bundle_activates_its_components(tv: Billing) -> None:
    placed = order_pack(tv)
    assert set(statuses(tv).values()) == {Status.ACTIVE}
    assert len(placed) == 3


def test_suspending_and_unsuspending_a_bundle_takes_its_components_with_it(tv: Billing) -> None:
    pack, *_ = order_pack(tv)
    tv.perform(suspend, pack.id, STAFF, SuspensionKind.BY_ADMINISTRATOR, reason="abuse")
    assert set(statuses(tv).values()) == {Status.SUSPENDED}
    tv.perform(unsuspend, pack.id, STAFF)
    assert set(statuses(tv).values()) == {Status.ACTIVE}


@pytest.mark.parametrize(
    ("operation", "status"),
    [(terminate, Status.TERMINATED), (delete, Status.DELETED)],
)
def test_ending_a_bundle_ends_its_components_in_the_same_transaction(
    tv: Billing, operation: Callable[..., Outcome], status: Status
) -> None:
    pack, *_ = order_pack(tv)
    tv.perform(operation, pack.id, STAFF)
    after = stored(tv)
    assert {s.status.status for s in after.values()} == {status}
    assert {s.termination_date for s in after.values()} == {NOW.date()}


def test_a_cancelled_bundles_components_are_each_refunded_by_their_own_timeline(
    tv: Billing,
) -> None:
    pack, hbo, cnn = order_pack(tv, "HBO", "CNN")
    before = stored(tv)
    tv.perform(cancel, pack.id, STAFF, policy=REFUND)
    after = stored(tv)
    assert {s.status.status for s in after.values()} == {Status.CANCELLED}
    # HBO is priced on its own (8.00 a month): its refund is what cancelling it alone
    # computes from its own timeline; CNN, included in the pack's price, gets nothing.
    for component in (hbo, cnn):
        alone = cancel(before[component.id], STAFF, NOW, policy=REFUND)
        assert after[component.id].ledger == alone.service.ledger
        assert after[component.id].timeline == alone.service.timeline
    with tv.store.transaction(readonly=True) as uow:
        lines = [issued.line for issued in uow.invoice_lines.for_customer(OWNER_ID)]
    assert [x for x in lines if x.service_id == hbo.id and x.amount.amount < 0]
    assert not [x for x in lines if x.service_id == cnn.id and x.amount.amount != 0]


def test_a_cancellation_request_on_a_bundle_is_asked_of_its_components_and_carried_out(
    tv: Billing,
) -> None:
    pack, *_ = order_pack(tv)
    tv.perform(request_cancellation, pack.id, OWNER, CancellationKind.END_OF_PERIOD, "moving")
    assert all(s.cancellation_pending for s in stored(tv).values())
    tv.perform(withdraw_cancellation, pack.id, OWNER)
    assert not any(s.cancellation_pending for s in stored(tv).values())
    tv.perform(request_cancellation, pack.id, OWNER, CancellationKind.END_OF_PERIOD, "moving")
    clock = tv.clock
    assert isinstance(clock, FixedClock)
    clock.set(NOW + timedelta(days=40))
    tv.run_due()
    assert set(statuses(tv).values()) == {Status.CANCELLED}


def test_a_component_ended_on_its_own_earlier_is_left_as_it_is(tv: Billing) -> None:
    pack, cnn, espn, hbo = order_pack(tv, "CNN", "ESPN", "HBO")
    tv.perform(cancel, hbo.id, STAFF)  # the pack keeps two channels: allowed
    tv.perform(terminate, pack.id, STAFF)
    after = statuses(tv)
    assert after[hbo.id] is Status.CANCELLED
    assert {after[pack.id], after[cnn.id], after[espn.id]} == {Status.TERMINATED}


# --- what a bundle forbids a component alone ---------------------------------------------------


@pytest.mark.parametrize("operation", [cancel, terminate, delete])
def test_ending_one_component_of_a_fixed_bundle_alone_is_refused(
    tv: Billing, operation: Callable[..., Outcome]
) -> None:
    pack, cnn, _ = order_pack(tv)
    before = stored(tv)
    with pytest.raises(ComponentRefused, match=f"the bundle service {pack.id} instead") as raised:
        tv.perform(operation, cnn.id, STAFF)
    assert raised.value.rule == "bundle.component-alone"
    assert (raised.value.service_id, raised.value.bundle_id) == (cnn.id, pack.id)
    assert stored(tv) == before


def test_a_cancellation_request_for_one_component_of_a_fixed_bundle_is_refused(
    tv: Billing,
) -> None:
    _, cnn, _ = order_pack(tv)
    with pytest.raises(ComponentRefused) as raised:
        tv.perform(request_cancellation, cnn.id, OWNER, CancellationKind.END_OF_PERIOD, "no")
    assert raised.value.rule == "bundle.component-alone"
    assert not stored(tv)[cnn.id].cancellation_pending


def test_a_flexible_bundle_loses_a_component_only_while_its_pools_stay_filled(
    tv: Billing,
) -> None:
    _, cnn, _, hbo = order_pack(tv, "CNN", "ESPN", "HBO")
    tv.perform(cancel, hbo.id, STAFF)  # two channels left: the pool takes two or three
    with pytest.raises(ComponentRefused, match="pick more from it") as raised:
        tv.perform(cancel, cnn.id, STAFF)  # one channel left: too few
    assert raised.value.rule == "bundle.component-alone"
    assert stored(tv)[cnn.id].status.status is Status.ACTIVE


def test_a_component_is_not_resumed_while_its_bundle_is_suspended(tv: Billing) -> None:
    pack, cnn, _ = order_pack(tv)
    tv.perform(suspend, pack.id, STAFF, SuspensionKind.BY_ADMINISTRATOR)
    with pytest.raises(ComponentRefused, match=f"unsuspend the bundle service {pack.id}") as e:
        tv.perform(unsuspend, cnn.id, STAFF)
    assert e.value.rule == "bundle.component-suspended"
    assert stored(tv)[cnn.id].status.status is Status.SUSPENDED


def test_a_component_may_be_suspended_alone(tv: Billing) -> None:
    _, cnn, espn = order_pack(tv)
    tv.perform(suspend, cnn.id, STAFF, SuspensionKind.BY_ADMINISTRATOR)
    tv.perform(unsuspend, cnn.id, STAFF)
    assert stored(tv)[cnn.id].status.status is Status.ACTIVE
    assert stored(tv)[espn.id].status.status is Status.ACTIVE


def test_a_mass_termination_of_a_component_without_its_bundle_is_refused(tv: Billing) -> None:
    pack, cnn, espn = order_pack(tv)
    before = stored(tv)
    with pytest.raises(ComponentRefused) as raised:
        tv.mass_update([cnn.id], STAFF, MassUpdate(status=Operation.TERMINATE))
    assert raised.value.rule == "bundle.component-alone"
    assert stored(tv) == before
    # With its bundle, the whole pack ends together.
    tv.mass_update([pack.id, cnn.id, espn.id], STAFF, MassUpdate(status=Operation.TERMINATE))
    assert set(statuses(tv).values()) == {Status.TERMINATED}


# --- components follow what the scheduler, a payment and a mass update do to their bundle ------


def test_dunning_suspends_and_a_payment_resumes_a_bundle_with_its_components(
    store: Store,
) -> None:
    clock = FixedClock(NOW)
    policy = SchedulerPolicy(suspend_days_after=3, terminate_days_after=None)
    tv = Billing(store, clock=clock, policy=policy)
    pack, cnn, espn = order_pack(tv)
    clock.set(NOW + timedelta(days=5))  # the first invoice, due on the order's day, unpaid
    tv.run_due()
    after = stored(tv)
    assert after[pack.id].status == ServiceStatus(Status.SUSPENDED, SuspensionKind.FOR_NON_PAYMENT)
    assert after[cnn.id].status == after[espn.id].status == after[pack.id].status
    last = tv.history(cnn.id, STAFF).last
    assert last is not None and last.reason == f"follows its bundle {pack.id}"
    tv.record_payment(OWNER_ID, usd("15.00"), SYSTEM, reference="pay-1", method="card")
    assert set(statuses(tv).values()) == {Status.ACTIVE}


def test_a_mass_suspension_of_a_bundle_takes_its_components(tv: Billing) -> None:
    pack, *_ = order_pack(tv)
    update = MassUpdate(status=Operation.SUSPEND, suspension=SuspensionKind.BY_ADMINISTRATOR)
    tv.mass_update([pack.id], STAFF, update)
    assert set(statuses(tv).values()) == {Status.SUSPENDED}
    tv.mass_update([pack.id], STAFF, MassUpdate(status=Operation.UNSUSPEND))
    assert set(statuses(tv).values()) == {Status.ACTIVE}
    tv.mass_update([pack.id], STAFF, MassUpdate(status=Operation.TERMINATE))
    assert set(statuses(tv).values()) == {Status.TERMINATED}


# --- a property: whatever is done to a bundle, its components stay with it -----------------------

_STEPS = st.sampled_from(
    [
        ("suspend", (SuspensionKind.BY_ADMINISTRATOR,), {}),
        ("suspend", (SuspensionKind.BY_CUSTOMER,), {}),
        ("unsuspend", (), {}),
        ("request", (CancellationKind.END_OF_PERIOD, "moving"), {}),
        ("withdraw", (), {}),
        ("cancel", (), {"policy": REFUND}),
        ("terminate", (), {}),
        ("delete", (), {}),
    ]
)
_OPERATIONS: dict[str, Callable[..., Outcome]] = {
    "suspend": suspend,
    "unsuspend": unsuspend,
    "request": request_cancellation,
    "withdraw": withdraw_cancellation,
    "cancel": cancel,
    "terminate": terminate,
    "delete": delete,
}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(_STEPS, st.booleans()), min_size=1, max_size=6))
def test_whatever_is_done_to_a_fixed_bundle_its_components_share_its_state(
    steps: list[tuple[tuple[str, tuple[object, ...], dict[str, object]], bool]],
) -> None:
    """Each step is done to the bundle or to one component (``True``); a refused step changes
    nothing, and after every step the components hold the bundle's status and cancellation."""
    store = open_store("memory:")
    sell(store, TV_CATALOG, TV_PLAN)
    tv = Billing(store, clock=FixedClock(NOW))
    pack, cnn, _ = order_pack(tv)
    for (name, args, kwargs), on_component in steps:
        before = stored(tv)
        try:
            tv.perform(
                _OPERATIONS[name], cnn.id if on_component else pack.id, STAFF, *args, **kwargs
            )
        except ProdlifeError:
            assert stored(tv) == before
        now = stored(tv)
        bundle = now[pack.id]
        for key, service in now.items():
            if key == pack.id:
                continue
            suspended_alone = (
                on_component
                and service.status.status is Status.SUSPENDED
                and bundle.status.status is Status.ACTIVE
            )
            if service.status != bundle.status:  # only a component suspended on its own
                assert service.status.status is Status.SUSPENDED
                assert bundle.status.status is Status.ACTIVE or suspended_alone
            assert service.cancellation_pending == bundle.cancellation_pending
            assert service.ended == bundle.ended


def test_a_bundle_transferred_takes_its_components_and_a_component_alone_is_refused(
    tv: Billing,
) -> None:
    pack, cnn, espn = order_pack(tv)
    with pytest.raises(ComponentRefused, match=f"transfer the bundle service {pack.id}"):
        tv.perform(transfer, cnn.id, STAFF, "CUST-NEW")
    tv.perform(transfer, pack.id, STAFF, "CUST-NEW")
    moved = tv.services(ServiceQuery(customer_id="CUST-NEW"), STAFF)
    assert sorted(s.id for s in moved) == sorted([pack.id, cnn.id, espn.id])
    assert stored(tv) == {}


def test_a_component_is_deleted_only_with_its_bundle(tv: Billing) -> None:
    pack, cnn, _ = order_pack(tv)
    tv.perform(cancel, pack.id, STAFF)  # the pack and its channels end together
    with pytest.raises(ComponentRefused, match=f"delete the bundle service {pack.id}"):
        tv.perform(delete, cnn.id, STAFF)
    tv.perform(delete, pack.id, STAFF)
    assert set(statuses(tv).values()) == {Status.DELETED}
