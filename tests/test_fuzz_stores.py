"""Fuzzing the stores through :mod:`prodlife.ports`: every repository method with absurd values.

Each example calls one repository method, on the memory store and on an SQLite file holding
one value of each kind (:func:`~prodlife.testing.contract._support.write_one_of_each`), with
mostly valid arguments and sometimes junk (see ``tests/_fuzz.py``): ids of odd text, wrong
types, dates at the ends of the calendar, absurd counts and amounts, values of the wrong
class. The call answers (the answer prints) or raises a ProdlifeError or a TypeError, never
a driver's error nor anything else; the two stores answer alike (the same value, or errors
of the same class); the transaction goes on after a refusal, and committing it keeps
nothing of the refused call.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from prodlife.billing.invoices import InvoiceStatus
from prodlife.errors import ProdlifeError, StoreError
from prodlife.lifecycle.status import Status
from prodlife.money import Money
from prodlife.ports import InvoiceQuery, ServiceQuery, Store, UnitOfWork
from prodlife.stores import open_store
from prodlife.testing.contract._support import read, snapshot, write, write_one_of_each
from prodlife.testing.contract._values import (
    PLAN,
    PROMOTIONS,
    T0,
    make_event,
    make_invoice,
    make_line,
    make_order,
    make_payment,
    make_run,
    make_service,
    make_version,
)
from prodlife.testing.contract.offerings import OFFERING
from tests._fuzz import EXTREME_MOMENTS, HOSTILE_TEXT, budget, either, junk

TEXT = st.one_of(st.text(max_size=12), st.sampled_from(HOSTILE_TEXT))
IDS = either(st.sampled_from(["S-1", "S-2", "C-1", "O-1", "INV-1", "PAY-1", "STD"]) | TEXT)
IDLISTS = either(st.lists(IDS, max_size=3))
DAYS = either(st.dates(date(1900, 1, 1), date(2999, 12, 31)) | st.sampled_from(EXTREME_MOMENTS))
INSTANTS = either(
    st.datetimes(datetime(1900, 1, 2), datetime(2999, 12, 30), timezones=st.just(UTC))
    | st.sampled_from(EXTREME_MOMENTS)
)
COUNTS = either(st.integers(-3, 5) | st.sampled_from([0, 10**6, 10**6 + 1, 2**63, 10**30]))
LIMITS = either(st.none() | COUNTS)
CURRENCIES = either(st.sampled_from(["USD", "EUR", "usd", "XXX"]) | TEXT)
MONEY = either(
    st.sampled_from(
        [Money("1.00", "USD"), Money("0", "USD"), Money("-5", "USD"), Money("1e17", "EUR")]
    )
)
LEASES = either(st.sampled_from([timedelta(minutes=1), timedelta(0), timedelta.max, -timedelta(1)]))


SOME_DAY = either(st.none() | DAYS)


@st.composite
def made(
    draw: st.DrawFn, /, factory: Callable[..., Any], *args: st.SearchStrategy[Any], **fields: Any
) -> Any:
    """What ``factory`` makes of drawn arguments; ``None`` (junk too) when it refuses them."""
    values = [draw(arg) for arg in args]
    named = {name: draw(field) for name, field in fields.items()}
    try:
        return factory(*values, **named)
    except (ProdlifeError, TypeError):
        return None


_SERVICE_QUERIES = made(
    ServiceQuery,
    customer_id=IDS,
    product_code=IDS,
    status=either(st.sampled_from(Status)),
    due_on_or_before=DAYS,
    after_id=IDS,
    limit=LIMITS,
).map(lambda query: ServiceQuery() if query is None else query)
INVOICE_QUERIES = either(
    made(
        InvoiceQuery,
        customer_id=IDS,
        service_id=IDS,
        status=either(st.sampled_from(InvoiceStatus)),
        unpaid=either(st.booleans()),
        due_before=DAYS,
        limit=LIMITS,
    )
)
SERVICES = either(made(make_service, IDS, customer_id=IDS, product_code=IDS))
INVOICES = either(made(make_invoice, IDS, IDS))
ORDERS = either(made(make_order, IDS, customer_id=IDS))

#: Each repository method, with what its arguments are drawn from: positional, then named.
_CALLS: dict[str, tuple[tuple[st.SearchStrategy[Any], ...], dict[str, st.SearchStrategy[Any]]]] = {
    "services.get": ((IDS,), {}),
    "services.history": ((IDS,), {}),
    "services.get_many": ((IDLISTS,), {}),
    # Queries of the right class only: the SQL stores' services.find and count read a query
    # of another class as if it were one (see the SQLite test below).
    "services.find": ((_SERVICE_QUERIES,), {}),
    "services.count": ((_SERVICE_QUERIES,), {}),
    "services.add": ((SERVICES,), {"due_on": SOME_DAY}),
    "services.save": (
        (SERVICES,),
        {"expected_version": COUNTS, "due_on": SOME_DAY, "worker": either(st.none() | IDS)},
    ),
    "orders.get": ((IDS,), {}),
    "orders.for_customer": ((IDS,), {}),
    "orders.add": ((ORDERS,), {}),
    "orders.replace": ((ORDERS,), {}),
    "invoice_lines.add": (
        (either(st.lists(made(make_line, IDS, IDS), max_size=2)),),
        {"product_code": IDS, "issued_at": INSTANTS},
    ),
    "invoice_lines.for_service": ((IDS,), {}),
    "invoice_lines.for_customer": ((IDS,), {}),
    "invoice_lines.revenue_by_product": ((INSTANTS, INSTANTS), {}),
    "invoices.next_number": ((IDS, COUNTS), {}),
    "invoices.add": ((INVOICES,), {}),
    "invoices.get": ((IDS,), {}),
    "invoices.save": ((INVOICES,), {}),
    "invoices.find": ((INVOICE_QUERIES,), {}),
    "invoices.credit": ((IDS, CURRENCIES), {}),
    "invoices.credits": ((IDLISTS,), {}),
    "invoices.set_credit": ((IDS, MONEY), {"expected": MONEY}),
    "payments.add": ((either(made(make_payment, IDS, IDS, INSTANTS)),), {}),
    "payments.get": ((IDS,), {}),
    "payments.for_customer": ((IDS,), {}),
    "events.add": ((either(st.lists(made(make_event, IDS, at=INSTANTS), max_size=2)),), {}),
    "events.for_service": ((IDS,), {}),
    "events.unpublished": ((LIMITS,), {}),
    "events.mark_published": ((either(st.lists(COUNTS, max_size=3)),), {}),
    # Sane days, leases and limits only: see the memory-only test and the SQLite one below.
    "scheduler.claim_due": (
        (st.dates(date(1900, 1, 1), date(2999, 12, 31)),),
        {
            "worker": IDS,
            "now": st.datetimes(
                datetime(1900, 1, 2), datetime(2999, 12, 30), timezones=st.just(UTC)
            ),
            "lease": st.sampled_from([timedelta(minutes=1), timedelta(days=40)]),
            "limit": st.integers(-3, 5),
        },
    ),
    "scheduler.release": ((IDLISTS,), {"worker": IDS}),
    "catalog.add_version": ((either(made(make_version, IDS, DAYS)),), {}),
    "price_plans.get": ((IDS,), {}),
    "price_plans.add": ((either(st.just(PLAN)),), {}),
    "price_plans.replace": ((either(st.just(PLAN)),), {}),
    "offerings.get": ((IDS,), {}),
    "offerings.add": ((either(st.just(OFFERING)),), {}),
    "offerings.replace": ((either(st.just(OFFERING)),), {}),
    "promotions.get": ((IDS,), {}),
    "promotions.add": ((either(st.sampled_from(PROMOTIONS)),), {}),
    "promotions.record_use": ((IDS, IDS, IDS), {}),
    "promotions.uses": ((IDS, either(st.none() | IDS)), {}),
    "sync_runs.add": ((either(made(make_run)),), {}),
    "sync_runs.get": ((COUNTS,), {}),
    "sync_runs.recent": ((LIMITS,), {}),
}


@attrs.frozen
class Call:
    """One repository method called with drawn arguments (its repr is what hypothesis shows)."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def __call__(self, uow: UnitOfWork) -> object:
        repository, method = self.name.split(".")
        return getattr(getattr(uow, repository), method)(*self.args, **self.kwargs)


@st.composite
def calls(draw: st.DrawFn) -> Call:
    """A repository method and its arguments."""
    name = draw(st.sampled_from(sorted(_CALLS)))
    positional, named = _CALLS[name]
    args = tuple(draw(strategy) for strategy in positional)
    return Call(name, args, {key: draw(strategy) for key, strategy in named.items()})


def _seeded(store: Store) -> Store:
    write(store, write_one_of_each)
    write(store, lambda uow: uow.invoices.add(make_invoice()))
    write(store, lambda uow: uow.payments.add(make_payment()))
    return store


@pytest.fixture(scope="module")
def stores() -> Iterator[dict[str, Store]]:
    """The memory store and an SQLite file, each holding one value of each kind."""
    with tempfile.TemporaryDirectory() as folder:
        opened = {
            "memory": _seeded(open_store("memory:")),
            "sqlite": _seeded(open_store(f"sqlite:///{os.path.join(folder, 'fuzz.db')}")),
        }
        yield opened
        for store in opened.values():
            store.close()


def _full(uow: UnitOfWork) -> dict[str, object]:
    """:func:`snapshot` and what it leaves out: invoices, payments, credit, claims."""
    return {
        **snapshot(uow),
        "invoices": uow.invoices.find(InvoiceQuery()),
        "payments": uow.payments.for_customer("C-1"),
        "credit": uow.invoices.credits(["C-1"]),
        "claimable": uow.services.find(ServiceQuery(due_on_or_before=date(2999, 12, 31))),
    }


def _outcome(store: Store, call: Callable[[UnitOfWork], object]) -> object:
    """What ``call`` answers on ``store`` (rolled back), or the class of its error (committed:
    a refused call keeps nothing, and the transaction goes on after it)."""
    before = read(store, _full)
    with store.transaction() as uow:
        try:
            answer = call(uow)
            uow.services.count(ServiceQuery())  # a read: the SQL stores' deferred writes run
        except (ProdlifeError, TypeError) as error:
            refused: type[Exception] = type(error)
        else:
            str(answer)
            repr(answer)
            return answer  # not committed: the store stays as it was for the next example
        try:
            uow.services.count(ServiceQuery())  # the transaction goes on...
            uow.commit()
        except StoreError:  # ...unless a deferred write's refusal ended it (SQL stores)
            pass
    assert read(store, _full) == before, "a refused call kept something"
    return refused


@budget(60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls())
def test_any_repository_call_answers_alike_or_is_refused_alike_keeping_nothing(
    stores: dict[str, Store], call: Call
) -> None:
    answers = {kind: _outcome(store, call) for kind, store in stores.items()}
    assert answers["memory"] == answers["sqlite"]


def test_a_refused_write_is_seen_to_keep_nothing() -> None:
    # The check itself: an accepted write, committed, changes what _full reads.
    store = _seeded(open_store("memory:"))
    before = read(store, _full)
    one, none = Money("1", "USD"), Money("0", "USD")
    write(store, lambda uow: uow.invoices.set_credit("C-1", one, expected=none))
    assert read(store, _full) != before


#: Claims with absurd arguments: a day or an instant at the ends of the calendar, leases of
#: no time or of 2.7 million years, limits past 64 bits.
HOSTILE_CLAIMS = st.builds(
    Call,
    st.just("scheduler.claim_due"),
    st.tuples(DAYS),
    st.fixed_dictionaries({"worker": IDS, "now": INSTANTS, "lease": LEASES, "limit": COUNTS}),
)


@budget(30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    HOSTILE_CLAIMS
    | st.builds(
        Call, st.sampled_from(["services.find", "services.count"]), st.tuples(junk()), st.just({})
    )
)
def test_a_hostile_claim_or_query_is_refused_by_the_memory_store_keeping_nothing(
    stores: dict[str, Store], call: Call
) -> None:
    _outcome(stores["memory"], call)


#: Claims and queries the SQL stores check as the memory store does: a claim's arguments
#: (prodlife.stores._common.claim) and a query's type (prodlife.ports.check_query).
HOSTILE_CASES = {
    "find-none": Call("services.find", (None,), {}),
    "count-dict": Call("services.count", ({"customer_id": "C-1"},), {}),
    "claim-lease": Call(
        "scheduler.claim_due",
        (date(9999, 12, 31),),
        {"worker": "W", "now": T0, "lease": timedelta.max, "limit": 1},
    ),
    "claim-limit": Call(
        "scheduler.claim_due",
        (date(2025, 5, 1),),
        {"worker": "W", "now": T0, "lease": timedelta(minutes=1), "limit": 2**63},
    ),
}


@pytest.mark.parametrize("call", list(HOSTILE_CASES.values()), ids=list(HOSTILE_CASES))
def test_the_sqlite_store_refuses_a_hostile_claim_or_query(
    stores: dict[str, Store], call: Call
) -> None:
    assert _outcome(stores["sqlite"], call) == _outcome(stores["memory"], call)
