"""The fuzz suite of the stores (``tests/test_fuzz_stores.py``) on PostgreSQL: every
repository method with absurd values answers as the memory store does (the same value, or an
error of the same class), and a refused call keeps nothing. Skips without a server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given

from prodlife.ports import Store
from prodlife.stores import open_store
from tests._fuzz import budget
from tests.stores._postgresql import isolated_schema
from tests.test_fuzz_stores import HOSTILE_CASES, Call, _outcome, _seeded, calls


@pytest.fixture(scope="module")
def stores(postgresql_url: str) -> Iterator[dict[str, Store]]:
    """The memory store and a PostgreSQL schema, each holding one value of each kind."""
    with isolated_schema(postgresql_url) as schema:
        opened = {
            "memory": _seeded(open_store("memory:")),
            "postgresql": _seeded(open_store(postgresql_url, schema=schema.name)),
        }
        try:
            yield opened
        finally:
            for store in opened.values():
                store.close()


@budget(30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls())
def test_any_repository_call_answers_on_postgresql_as_on_memory_keeping_nothing(
    stores: dict[str, Store], call: Call
) -> None:
    assert _outcome(stores["postgresql"], call) == _outcome(stores["memory"], call)


@pytest.mark.parametrize("call", list(HOSTILE_CASES.values()), ids=list(HOSTILE_CASES))
def test_postgresql_refuses_a_hostile_claim_or_query_as_memory_does(
    stores: dict[str, Store], call: Call
) -> None:
    assert _outcome(stores["postgresql"], call) == _outcome(stores["memory"], call)
