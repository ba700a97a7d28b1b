"""kill -9 on PostgreSQL: a billing run and an order killed inside their transaction.

A child process places an order, or runs the scheduler, over a PostgreSQL store whose
commits hang at the chosen one (its writes sent to the server, uncommitted) until the test
kills it with SIGKILL. Then what is stored is compared, line by line and invoice by invoice,
with a run of the same work in another schema that nobody interrupted: nothing partial,
duplicated or missing is left, and no invoice number is lost or taken twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from prodlife import Money
from prodlife.app import Billing
from prodlife.clock import FixedClock
from prodlife.lifecycle import Actor
from prodlife.lifecycle.orders import OrderLine, OrderOptions
from prodlife.ports import InvoiceQuery, ServiceQuery, Store
from prodlife.pricing import OrderLineSpec
from tests._lifecycle import SYSTEM, shop
from tests.stores._postgresql import IsolatedSchema, isolated_schema
from tests.stores.test_sqlite_store import child, expect_line
from tests.test_lifecycle_orders import CONTEXT, order

ORDERED_AT = datetime(2025, 2, 1, 9, tzinfo=UTC)
#: The renewal run: after the lease of a killed run's claims (10 minutes) has ended.
RUN_AT = datetime(2025, 3, 1, 6, 30, tzinfo=UTC)
CUSTOMERS = [f"C-{index}" for index in range(6)]

#: A child that places the order of ``sys.argv[3]`` or runs the scheduler (batches of 2),
#: its ``sys.argv[4]``-th commit hanging after its writes reached the server.
_CHILD = """
    import sys, time
    from prodlife.app import Billing
    from prodlife.clock import FixedClock
    from prodlife.ports import ServiceQuery
    from prodlife.stores.postgres import PostgresStore
    from prodlife.stores.sql.unit_of_work import SQLUnitOfWork
    from tests.stores.test_postgres_crash import CONTEXT, ORDERED_AT, RUN_AT, placed
    url, schema, work, hang_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    commits = 0
    real_commit = SQLUnitOfWork.commit

    def commit(self):
        global commits
        commits += 1
        if commits == hang_at:
            self.services.count(ServiceQuery())  # a read: every deferred write runs now
            print("hanging", flush=True)
            time.sleep(600)  # killed here, inside the transaction
        real_commit(self)

    SQLUnitOfWork.commit = commit
    store = PostgresStore(url, schema=schema)
    if work == "run":
        Billing(store, clock=FixedClock(RUN_AT)).run_due(batch=2, worker="doomed")
    else:
        made, actor = placed(work)
        Billing(store, clock=FixedClock(ORDERED_AT)).place_order(made, CONTEXT, actor)
    print("finished", flush=True)
"""


def placed(customer: str) -> tuple[Any, Actor]:
    """The order of ``customer``: one VPS, invoiced at once (15.00 USD), paid on payment."""
    made = order(
        id=f"O-{customer}",
        customer_id=customer,
        lines=(OrderLine(OrderLineSpec("VPS")),),
        placed_at=ORDERED_AT,
        options=OrderOptions(activate_on_payment=True),
    )
    return made, Actor.customer(customer)


def booked(store: Store, customers: list[str]) -> None:
    """The shop, and each customer's order placed and paid (so its renewal is due March 1)."""
    shop(store, CONTEXT.plan)
    billing = Billing(store, clock=FixedClock(ORDERED_AT))
    for customer in customers:
        made, actor = placed(customer)
        billing.place_order(made, CONTEXT, actor)
        billing.record_payment(
            customer, Money("15.00", "USD"), SYSTEM, reference=f"pay-{customer}", method="card"
        )


def books(store: Store) -> dict[str, object]:
    """Everything billed, as comparable values: services, their lines, invoices, events."""
    with store.transaction(readonly=True) as uow:
        services = uow.services.find(ServiceQuery())
        invoices = uow.invoices.find(InvoiceQuery())
        return {
            "services": [(s.id, s.status, s.next_due, s.paid_through, s.version) for s in services],
            "lines": sorted(
                (item.line.service_id, str(item.line.type), str(item.line.period), item.line.amount)
                for customer in CUSTOMERS
                for item in uow.invoice_lines.for_customer(customer)
            ),
            "invoices": [
                (i.number, i.customer_id, i.due_on, i.total, i.status, i.service_ids)
                for i in invoices
            ],
            "numbers": [i.number for i in sorted(invoices, key=lambda i: i.number)],
            "events": sorted(
                (item.event.service_id, str(item.event.kind))
                for s in services
                for item in uow.events.for_service(s.id)
            ),
            "orders": sorted(o.id for c in CUSTOMERS for o in uow.orders.for_customer(c)),
        }


@pytest.fixture
def schemas(postgresql_url: str) -> Iterator[tuple[str, IsolatedSchema, IsolatedSchema]]:
    """The server and two fresh schemas: the one killed, and the one of the reference run."""
    with isolated_schema(postgresql_url) as killed, isolated_schema(postgresql_url) as reference:
        yield postgresql_url, killed, reference


def _opened(url: str, schema: IsolatedSchema) -> Store:
    from prodlife.stores.postgres import PostgresStore

    return PostgresStore(url, schema=schema.name)


def _kill_at(url: str, schema: IsolatedSchema, work: str, hang_at: int) -> None:
    process = child(_CHILD, url, schema.name, work, str(hang_at))
    try:
        expect_line(process, "hanging")
    finally:
        process.kill()  # SIGKILL, inside the transaction
        process.communicate(timeout=60)
    assert process.returncode == -9


# Commits of a run in batches of 2 over 6 due services: claim, save, claim, save...; the
# settlements of invoices paid at once by credit come after each save. Hang at the first
# batch's save (nothing billed yet) and at the second's (one batch billed before the kill).
@pytest.mark.parametrize("hang_at", [2, 4])
def test_a_billing_run_killed_in_its_transaction_leaves_what_a_run_not_killed_leaves(
    schemas: tuple[str, IsolatedSchema, IsolatedSchema], hang_at: int
) -> None:
    url, killed, reference = schemas
    for schema in (killed, reference):
        store = _opened(url, schema)
        booked(store, CUSTOMERS)
        store.close()
    _kill_at(url, killed, "run", hang_at)
    stores = {"killed": _opened(url, killed), "reference": _opened(url, reference)}
    try:
        before = books(stores["killed"])
        assert len(before["invoices"]) == len(CUSTOMERS) + (hang_at // 2 - 1) * 2  # type: ignore[arg-type]
        # The claims of the killed worker expire; another run bills what it left.
        later = FixedClock(RUN_AT.replace(minute=45))
        for store in stores.values():
            report = Billing(store, clock=later).run_due(batch=2)
            assert report.failed == ()
        after = {name: books(store) for name, store in stores.items()}
    finally:
        for store in stores.values():
            store.close()
    assert after["killed"] == after["reference"]
    numbers = after["killed"]["numbers"]
    assert isinstance(numbers, list)
    assert len(numbers) == 2 * len(CUSTOMERS)
    assert numbers == sorted(set(numbers))


def test_an_order_killed_in_its_transaction_leaves_nothing_and_takes_no_number(
    schemas: tuple[str, IsolatedSchema, IsolatedSchema],
) -> None:
    url, killed, reference = schemas
    for schema in (killed, reference):
        store = _opened(url, schema)
        booked(store, CUSTOMERS[:2])
        store.close()
    _kill_at(url, killed, CUSTOMERS[2], 1)
    stores = {"killed": _opened(url, killed), "reference": _opened(url, reference)}
    try:
        assert books(stores["killed"]) == books(stores["reference"])  # nothing of it is kept
        for store in stores.values():
            booked_one(store, CUSTOMERS[2])
        after = {name: books(store) for name, store in stores.items()}
    finally:
        for store in stores.values():
            store.close()
    assert after["killed"] == after["reference"]
    assert after["killed"]["orders"] == ["O-C-0", "O-C-1", "O-C-2"]
    assert len(after["killed"]["numbers"]) == 3  # type: ignore[arg-type]


def booked_one(store: Store, customer: str) -> None:
    made, actor = placed(customer)
    Billing(store, clock=FixedClock(ORDERED_AT)).place_order(made, CONTEXT, actor)
