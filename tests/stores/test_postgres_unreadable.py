"""Issue 18 item 4 on PostgreSQL: a stored service document the reader cannot take, of any
shape PostgreSQL keeps (not a service, nested thousands of levels deep), is reported by the
billing run and skipped; the rest of the batch is billed. Skips without a server."""

from __future__ import annotations

from typing import Any

import pytest

from prodlife.app import Billing
from prodlife.clock import FixedClock
from prodlife.errors import StoreError
from tests.test_app import NOW, due


@pytest.mark.parametrize(
    "document",
    ['{"id": 2}', '"text"', "[" * 5_000 + "]" * 5_000],
    ids=["not-a-service", "not-a-mapping", "deep"],
)
def test_an_unreadable_stored_service_is_reported_and_the_others_are_billed_on_postgresql(
    postgres_store: Any, postgresql: Any, document: str
) -> None:
    billing = Billing(postgres_store, clock=FixedClock(NOW))
    billing.add_services([due(f"D-{n}") for n in (1, 2, 3)])
    with postgresql.transaction():
        postgresql.execute("UPDATE services SET doc = %s::jsonb WHERE id = %s", (document, "D-2"))

    report = billing.run_due()

    assert sorted(report.handled) == ["D-1", "D-3"]
    assert [key for key, _ in report.failed] == ["D-2"]
    assert "StoreError" in report.failed[0][1]


def test_reading_a_document_nested_beyond_decoding_is_a_store_error_and_the_transaction_goes_on(
    postgres_store: Any, postgresql: Any
) -> None:
    Billing(postgres_store, clock=FixedClock(NOW)).add_services([due("D-1"), due("D-2")])
    deep = "[" * 5_000 + "]" * 5_000
    with postgresql.transaction():
        postgresql.execute("UPDATE services SET doc = %s::jsonb WHERE id = %s", (deep, "D-2"))

    with postgres_store.transaction(readonly=True) as uow:
        with pytest.raises(StoreError, match="'D-2': a stored document nests too deeply"):
            uow.services.get("D-2")
        assert uow.services.get("D-1") == due("D-1")
