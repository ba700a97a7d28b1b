"""Adoption analytics (seed 000): services and revenue by product, edition and a host-supplied
customer segment, over a window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import FixedClock, Money
from prodlife.app import Billing
from prodlife.billing import LineType
from prodlife.billing.lines import InvoiceLine
from prodlife.errors import InvalidPeriod, ValidationError
from prodlife.lifecycle import ORDERED, AdoptionRow, Status, activate, adoption
from prodlife.lifecycle.status import ServiceStatus
from prodlife.periods import Period
from prodlife.ports import Store
from tests._lifecycle import OWNER, OWNER_ID, STAFF, web
from tests._support import usd
from tests.test_app import make_every_store  # noqa: F401 (a fixture: each store in turn)
from tests.test_lifecycle_orders import CONTEXT, order

APRIL = Period(date(2025, 4, 1), date(2025, 5, 1))
SEGMENTS = {"C-1": "SMB", "C-2": "SMB", "C-3": "enterprise", OWNER_ID: "SMB"}


def charge(service_id: str, customer: str, amount: str) -> InvoiceLine:
    kind = LineType.DISCOUNT if amount.startswith("-") else LineType.ONE_TIME
    return InvoiceLine(
        service_id, customer, kind, "WEB", "", "fee", usd(amount), day=date(2025, 4, 1)
    )


def issued(day: int, month: int = 4) -> datetime:
    return datetime(2025, month, day, 9, tzinfo=UTC)


def test_services_are_counted_by_product_edition_and_segment() -> None:
    services = [
        web(id="S-1", customer_id="C-1"),
        web("PRO", id="S-2", customer_id="C-2", start=date(2025, 4, 10), paid_through=None),
        web("PRO", id="S-3", customer_id="C-3"),
        web(
            "PRO",
            id="S-4",
            customer_id="C-2",
            start=date(2025, 5, 1),
            next_due=date(2025, 6, 1),
            paid_through=None,
        ),
        web(id="S-5", customer_id="C-1", status=ORDERED, paid_through=None),  # never activated
    ]
    rows = adoption(services, [], SEGMENTS.__getitem__, APRIL)
    assert rows == (
        AdoptionRow("WEB", "BASIC", "SMB", services=1, new=1),
        AdoptionRow("WEB", "PRO", "SMB", services=1, new=1),
        AdoptionRow("WEB", "PRO", "enterprise", services=1, new=1),
    )


def test_a_service_ended_in_the_window_counts_as_held_and_ended() -> None:
    ended = web(
        id="S-1",
        status=ServiceStatus(Status.TERMINATED),
        termination_date=date(2025, 4, 20),
    )
    before = web(
        id="S-2",
        start=date(2025, 3, 1),
        status=ServiceStatus(Status.TERMINATED),
        termination_date=date(2025, 3, 20),
    )
    rows = adoption([ended, before], [], lambda customer: "all", APRIL)
    assert rows == (AdoptionRow("WEB", "BASIC", "all", services=1, new=1, ended=1),)


def test_revenue_counts_lines_issued_in_the_window_per_currency() -> None:
    services = [web(id="S-1", customer_id="C-1")]
    lines = [
        (charge("S-1", "C-1", "10.00"), issued(5)),
        (charge("S-1", "C-1", "-2.50"), issued(30)),
        (charge("S-1", "C-1", "99.00"), issued(1, month=5)),  # after the window
        (charge("S-9", "C-1", "50.00"), issued(5)),  # a service not counted
    ]
    (row,) = adoption(services, lines, SEGMENTS.__getitem__, APRIL)
    assert row.revenue == (usd("7.50"),)


def test_a_segment_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="segment"):
        adoption([web()], [], lambda customer: 42, APRIL)  # type: ignore[arg-type,return-value]


_CUSTOMERS = st.sampled_from(sorted(SEGMENTS))


@given(
    st.lists(
        st.tuples(_CUSTOMERS, st.sampled_from(["BASIC", "PRO"]), st.integers(0, 90)),
        max_size=12,
    ),
    st.lists(
        st.tuples(st.integers(0, 11), st.integers(-500, 5000), st.integers(1, 28)), max_size=12
    ),
)
def test_rows_add_up_to_the_services_held_and_the_revenue_in_the_window(
    held: list[tuple[str, str, int]], billed: list[tuple[int, int, int]]
) -> None:
    services = []
    for i, (customer, edition, offset) in enumerate(held):
        start = date(2025, 3, 1) + timedelta(days=offset)
        services.append(
            web(
                edition,
                id=f"S-{i}",
                customer_id=customer,
                start=start,
                next_due=start + timedelta(days=31),
                paid_through=None,
            )
        )
    lines = [
        (charge(f"S-{index}", services[index].customer_id, f"{cents / 100:.2f}"), issued(day))
        for index, cents, day in billed
        if index < len(services)
    ]
    rows = adoption(services, lines, SEGMENTS.__getitem__, APRIL)
    in_window = [s for s in services if s.start < APRIL.end]
    assert sum(row.services for row in rows) == len(in_window)
    assert sum(row.new for row in rows) == len([s for s in in_window if s.start >= APRIL.start])
    revenue = sum((m for row in rows for m in row.revenue), Money.zero("USD"))
    assert revenue == sum((line.amount for line, _ in lines), Money.zero("USD"))
    assert len({(r.product_code, r.edition, r.segment) for r in rows}) == len(rows)


def test_billing_reports_adoption_of_the_stored_services(
    make_every_store: Callable[[], Store],  # noqa: F811
) -> None:
    now = datetime(2025, 4, 20, 12, tzinfo=UTC)
    app = Billing(make_every_store(), clock=FixedClock(now))
    quote, (vps,) = app.place_order(order(customer_id=OWNER_ID, placed_at=now), CONTEXT, OWNER)
    app.add_services([web(id="S-OLD", customer_id="C-3")])
    rows = app.adoption(SEGMENTS.__getitem__, APRIL.start, APRIL.end)
    # The VPS order is invoiced but not activated yet: revenue, no service held.
    assert rows == (
        AdoptionRow("VPS", None, "SMB", revenue=(quote.total,)),
        AdoptionRow("WEB", "BASIC", "enterprise", services=1, new=1),
    )
    app.perform(activate, vps.id, STAFF)
    (first, _) = app.adoption(SEGMENTS.__getitem__, APRIL.start, APRIL.end)
    assert (first.services, first.new) == (1, 1)
    with pytest.raises(InvalidPeriod):
        app.adoption(SEGMENTS.__getitem__, APRIL.end, APRIL.start)
