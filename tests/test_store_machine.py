"""The store state machine: a module-level class a host completes by overriding its hooks."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from prodlife.ports import Store, UnitOfWork
from prodlife.stores import open_store
from prodlife.stores.memory import MemoryStore
from prodlife.testing import StoreMachine as ExportedStoreMachine
from prodlife.testing.store_machine import MACHINE_SETTINGS, StoreMachine, store_machine

QUICK = settings(MACHINE_SETTINGS, max_examples=3, stateful_step_count=5)


class MemoryMachine(StoreMachine):
    """A host's machine: the store under test is a second memory store."""

    def make_store(self) -> Store:
        return open_store("memory:")


def test_a_subclass_overriding_make_store_runs_against_the_model() -> None:
    run_state_machine_as_test(MemoryMachine, settings=QUICK)


def test_the_machine_without_a_store_says_which_hook_to_override() -> None:
    with pytest.raises(NotImplementedError, match="override make_store"):
        StoreMachine()


def test_the_view_hook_decides_what_is_compared() -> None:
    calls = itertools.count()

    class Disagreeing(MemoryMachine):
        def view(self, uow: UnitOfWork) -> dict[str, object]:
            # The model is viewed first, then the store: a view telling them apart fails.
            return {**super().view(uow), "call": next(calls) % 2}

    with pytest.raises(AssertionError, match="call: the model holds 0, the store 1"):
        run_state_machine_as_test(Disagreeing, settings=QUICK)


def test_store_machine_makes_the_subclass_for_a_factory() -> None:
    made: list[Store] = []

    def make() -> Store:
        made.append(MemoryStore())
        return made[-1]

    machine = store_machine(make)
    assert issubclass(machine, StoreMachine)
    assert machine.TestCase.settings == MACHINE_SETTINGS
    run_state_machine_as_test(machine, settings=QUICK)
    assert made, "the factory was never called"


def test_the_machine_is_exported_from_prodlife_testing() -> None:
    assert ExportedStoreMachine is StoreMachine
