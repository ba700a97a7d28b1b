"""A hypothesis state machine that runs random work on a store beside the memory store.

:class:`StoreMachine`, a :class:`~hypothesis.stateful.RuleBasedStateMachine`,
drives the store under test and a :class:`~prodlife.stores.memory.MemoryStore`
(the model) through the same steps: open a transaction, add services, load
one and carry out a lifecycle operation on it (suspend, unsuspend, reboot,
renew, invoice the next period, run the scheduler), save it with the version
it was loaded at or a stale one, with the operation's invoice lines and
events; claim due services and release them; mark events published; commit,
roll back, leave the block without committing, or raise inside it. After
every step both stores must hold the same services (with their due dates),
invoice lines, revenue and events, and every step must have returned the same
values or raised the same error.

A store may check uniqueness and versions at commit instead of at the call
(see :mod:`prodlife.ports`): when the model refuses a write the store accepted,
the store's commit must refuse it too, and nothing of the transaction is kept.
Sequences are compared by order, not value: a store may leave gaps.

Instants start from a fixed base and move only when a step says so, so a
failing run replays exactly. A host subclasses the machine and overrides its
hooks, :meth:`StoreMachine.make_store` (required) and :meth:`StoreMachine.view`
(to compare more), then runs it as a test::

    from prodlife.stores import open_store
    from prodlife.testing.store_machine import MACHINE_SETTINGS, StoreMachine

    class MyStoreMachine(StoreMachine):
        def make_store(self):
            return open_store("sqlite:///:memory:")

    TestMyStoreMachine = MyStoreMachine.TestCase
    TestMyStoreMachine.settings = MACHINE_SETTINGS

or, with no hook but the store, ``store_machine(lambda: open_store(...)).TestCase``.
``make_store`` is called once per example and must return a fresh, empty
store; the machine closes it at the end of the example. Needs hypothesis (the
``test`` extra).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from prodlife.errors import AlreadyExists, ConcurrencyConflict, NotFound, ProdlifeError
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.scheduler import next_work_date
from prodlife.ports import ServiceQuery, Store, UnitOfWork
from prodlife.stores.memory import MemoryStore
from prodlife.testing._machine_world import (
    BASE,
    CUSTOMERS,
    OPERATIONS,
    POLICY,
    PRODUCTS,
    SERVICE_IDS,
    STATUSES,
    WORKERS,
    Boom,
    Side,
    attempt,
    compared,
    events_of,
    machine_lines,
    machine_service,
)

__all__ = ["MACHINE_SETTINGS", "StoreMachine", "store_machine"]

#: The machine's default settings: quick, and enough steps for claims to expire.
MACHINE_SETTINGS = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class StoreMachine(RuleBasedStateMachine):
    """Random work on the store under test and on the memory store, compared at each step.

    A host subclasses it and overrides :meth:`make_store` (required) and
    :meth:`view` (to compare more of what its store holds); or calls
    :func:`store_machine`, which does the first for it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.model = Side(MemoryStore())
        self.real = Side(self.make_store())
        self.now = BASE

    # --- hooks a host overrides ------------------------------------------------------

    def make_store(self) -> Store:
        """A fresh, empty store under test; called once per example, closed at its end."""
        raise NotImplementedError("override make_store() to return a fresh, empty store")

    def view(self, uow: UnitOfWork) -> dict[str, object]:
        """Everything compared between the two stores after each step, by name.

        Override it to compare more, starting from ``super().view(uow)``.
        """
        return compared(uow, self.now)

    # --- transactions ------------------------------------------------------------

    @property
    def open(self) -> bool:
        return self.model.uow is not None

    def ensure_open(self) -> None:
        if not self.open:
            self.model.begin()
            self.real.begin()

    def end(self) -> None:
        """Leave both blocks without committing (both roll back)."""
        self.model.leave()
        self.real.leave()

    @initialize(
        rows=st.lists(
            st.tuples(
                st.sampled_from(SERVICE_IDS),
                st.sampled_from(CUSTOMERS),
                st.sampled_from(sorted(PRODUCTS)),
                st.sampled_from(sorted(STATUSES)),
            ),
            min_size=2,
            max_size=len(SERVICE_IDS),
            unique_by=lambda row: row[0],
        )
    )
    def stock(self, rows: list[tuple[str, str, str, str]]) -> None:
        """Start from some committed services."""
        self.ensure_open()
        for row in rows:
            self.add_service(*row)
        self.commit()

    @precondition(lambda self: not self.open)
    @rule()
    def begin(self) -> None:
        self.ensure_open()

    @precondition(lambda self: self.open)
    @rule()
    def commit(self) -> None:
        model = attempt(lambda uow: uow.commit(), self.model.unit())
        real = attempt(lambda uow: uow.commit(), self.real.unit())
        assert real[0] == model[0], f"commit: the model gave {model}, the store {real}"
        self.end()

    @precondition(lambda self: self.open)
    @rule(how=st.sampled_from(("rollback", "leave", "raise")))
    def abandon(self, how: str) -> None:
        """Roll back: explicitly, by leaving the block, or by raising inside it."""
        if how == "raise":
            for side in (self.model, self.real):
                boom = Boom("the host failed")
                assert not side.leave(boom), "the transaction swallowed the host's exception"
            return
        if how == "rollback":
            self.model.unit().rollback()
            self.real.unit().rollback()
        self.end()

    # --- work ------------------------------------------------------------------------

    def both(
        self,
        work: Callable[[UnitOfWork], Any],
        real_work: Callable[[UnitOfWork], Any] | None = None,
    ) -> tuple[str, Any]:
        """Run ``work`` in both transactions; the same result or error, else fail.

        A refused write (anything but ``NotFound``) ends both transactions. A
        store that accepted a write the model refused as taken, stale or
        missing must refuse it at commit (a check deferred to commit).
        """
        self.ensure_open()
        model = attempt(work, self.model.unit())
        real = attempt(real_work or work, self.real.unit())
        deferred = (AlreadyExists.__name__, ConcurrencyConflict.__name__, NotFound.__name__)
        if model[0] == real[0]:
            if model[0] == "ok":
                assert real[1] == model[1], f"the model returned {model[1]}, the store {real[1]}"
            elif model[0] != NotFound.__name__:
                self.end()
            return model
        if real[0] == "ok" and model[0] in deferred:
            at_commit = attempt(lambda uow: uow.commit(), self.real.unit())
            assert at_commit[0] == model[0], (
                f"the model raised {model[0]}; the store accepted the write and its "
                f"commit gave {at_commit}"
            )
            self.end()
            return model
        raise AssertionError(f"the model gave {model}, the store {real}")

    @rule(
        service_id=st.sampled_from(SERVICE_IDS),
        customer_id=st.sampled_from(CUSTOMERS),
        product_code=st.sampled_from(sorted(PRODUCTS)),
        status=st.sampled_from(sorted(STATUSES)),
    )
    def add_service(
        self, service_id: str, customer_id: str, product_code: str, status: str
    ) -> None:
        service = machine_service(service_id, customer_id, product_code, status)
        due_on = next_work_date(service, POLICY)
        self.both(lambda uow: uow.services.add(service, due_on=due_on))

    @rule(
        steps=st.lists(
            st.tuples(
                st.integers(0, len(SERVICE_IDS) - 1),
                st.sampled_from(sorted(OPERATIONS)),
                st.sampled_from((0, 0, 0, 0, -1, 1)),
            ),
            min_size=1,
            max_size=3,
        )
    )
    def operate(self, steps: list[tuple[int, str, int]]) -> None:
        """Load stored services, carry out operations, save them with their lines and events.

        Each step saves with the version it loaded (``stale`` 0) or a stale one.
        """
        for pick, operation, stale in steps:
            self.ensure_open()
            stored = [s.id for s in self.model.unit().services.find(ServiceQuery())]
            self.operate_on(stored[pick % len(stored)] if stored else "S-1", operation, stale)

    def operate_on(self, service_id: str, operation: str, stale: int) -> None:
        kind, loaded = self.both(lambda uow: uow.services.get(service_id))
        if kind != "ok":
            return
        try:
            outcome = OPERATIONS[operation](loaded, self.now)
        except ProdlifeError:  # the domain refuses: nothing to save
            return
        if outcome is None:
            return
        due_on = next_work_date(outcome.service, POLICY)
        now = self.now

        def save(uow: UnitOfWork) -> None:
            version = loaded.version + stale
            uow.services.save(outcome.service, expected_version=version, due_on=due_on)
            if outcome.lines:
                product = loaded.product_code
                uow.invoice_lines.add(outcome.lines, product_code=product, issued_at=now)
            if outcome.events:
                uow.events.add(outcome.events)

        self.both(save)

    @rule(
        service_id=st.sampled_from(SERVICE_IDS),
        customer_id=st.sampled_from(CUSTOMERS),
        product_code=st.sampled_from((*PRODUCTS, "DNS")),
        amounts=st.lists(st.tuples(st.integers(-(10**15), 10**15), st.integers(0, 6)), max_size=3),
        kinds=st.lists(st.sampled_from(EventKind), max_size=3),
    )
    def issue(
        self,
        service_id: str,
        customer_id: str,
        product_code: str,
        amounts: list[tuple[int, int]],
        kinds: list[EventKind],
    ) -> None:
        """Append invoice lines (charges and credits, some below a cent) and events."""
        lines = machine_lines(service_id, customer_id, amounts, self.now.date())
        events = [Event(kind, service_id, customer_id, self.now) for kind in kinds]
        now = self.now

        def append(uow: UnitOfWork) -> None:
            uow.invoice_lines.add(lines, product_code=product_code, issued_at=now)
            uow.events.add(events)

        self.both(append)

    @rule(
        how=st.sampled_from(("get", "save")),
        service_id=st.sampled_from((*SERVICE_IDS, "S-404", "S-1 ")),
        version=st.integers(0, 2),
        worker=st.sampled_from((None, *WORKERS)),
    )
    def misuse(self, how: str, service_id: str, version: int, worker: str | None) -> None:
        """Get an id that may not be stored, or save over whatever is without loading it
        (as a worker, whose claim the save drops, or as none)."""
        if how == "get":
            self.both(lambda uow: uow.services.get(service_id))
            return
        service = machine_service(service_id, "C-1", "WEB", "active")
        self.both(
            lambda uow: uow.services.save(
                service, expected_version=version, due_on=None, worker=worker
            )
        )

    @rule(
        worker=st.sampled_from(WORKERS),
        days=st.integers(0, 45),
        limit=st.integers(1, 4),
        lease_hours=st.sampled_from((1, 24, 24 * 7)),
    )
    def claim(self, worker: str, days: int, limit: int, lease_hours: int) -> None:
        on, now, lease = (
            self.now.date() + timedelta(days=days),
            self.now,
            timedelta(hours=lease_hours),
        )
        self.both(
            lambda uow: uow.scheduler.claim_due(
                on, worker=worker, now=now, lease=lease, limit=limit
            )
        )

    @rule(
        worker=st.sampled_from(WORKERS),
        service_ids=st.lists(st.sampled_from((*SERVICE_IDS, "S-404")), max_size=3),
    )
    def release(self, worker: str, service_ids: list[str]) -> None:
        self.both(lambda uow: uow.scheduler.release(service_ids, worker=worker))

    @rule(picks=st.lists(st.integers(0, 6), max_size=3))
    def mark_published(self, picks: list[int]) -> None:
        self.ensure_open()
        model = self.model.unit().events.unpublished()
        real = self.real.unit().events.unpublished()
        assert events_of(real) == events_of(model)
        chosen = sorted({pick for pick in picks if pick < len(model)})
        self.both(
            lambda uow: uow.events.mark_published([model[i].sequence for i in chosen]),
            lambda uow: uow.events.mark_published([real[i].sequence for i in chosen]),
        )

    @rule(hours=st.sampled_from((1, 6, 24, 24 * 5, 24 * 12)))
    def tick(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    # --- the check ----------------------------------------------------------------

    @invariant()
    def both_hold_the_same_data(self) -> None:
        if self.open:
            model, real = self.view(self.model.unit()), self.view(self.real.unit())
        else:
            with self.model.store.transaction() as uow:
                model = self.view(uow)
            with self.real.store.transaction() as uow:
                real = self.view(uow)
        for key, value in model.items():
            assert real[key] == value, f"{key}: the model holds {value}, the store {real[key]}"

    def teardown(self) -> None:
        try:
            for side in (self.model, self.real):
                if side.manager is not None:
                    side.leave()
        finally:
            self.model.store.close()
            self.real.store.close()


def store_machine(make_store: Callable[[], Store]) -> type[StoreMachine]:
    """A :class:`StoreMachine` comparing the stores ``make_store`` returns with the memory store.

    Args:
        make_store: returns a fresh, empty store; called once per example.

    Returns:
        The machine class; run it with its ``TestCase`` (a unittest case pytest
        collects) or :func:`hypothesis.stateful.run_state_machine_as_test`.
        ``TestCase.settings`` is :data:`MACHINE_SETTINGS`.
    """

    class HostStoreMachine(StoreMachine):
        def make_store(self) -> Store:
            """The store ``make_store`` returns."""
            return make_store()

    HostStoreMachine.TestCase.settings = MACHINE_SETTINGS
    return HostStoreMachine
