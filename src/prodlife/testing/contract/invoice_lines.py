"""The contract of the invoice line repository: insertion order and revenue."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.errors import InvalidAmount
from prodlife.money import Money
from prodlife.periods import Period
from prodlife.ports import ProductRevenue, Store, UnitOfWork
from prodlife.proration import prorate
from prodlife.testing.contract._support import StoreFixture, issued, read, write
from prodlife.testing.contract._values import (
    _CODE,
    _INSTANTS,
    _TEXT,
    HOUR,
    ST_JOHNS,
    T0,
    TOKYO,
    make_line,
    usd,
)
from prodlife.testing.strategies import money, periods


@st.composite
def _lines(draw: st.DrawFn) -> InvoiceLine:
    """Invoice lines of every type: period lines and one-time lines, charges and reversals."""
    line_type = draw(st.sampled_from(LineType))
    reverses = draw(st.booleans())
    negative = (line_type is LineType.DISCOUNT) != reverses
    fields = (draw(_CODE), draw(_CODE), line_type, draw(_CODE), draw(_CODE), draw(_TEXT))
    period = draw(st.none() | periods(max_days=400))
    if period is None:
        amount = draw(money(max_minor_units=10**12, min_minor_units=0, rounded=draw(st.booleans())))
        day = draw(st.dates())
        return InvoiceLine(*fields, -amount if negative else amount, day=day, reverses=reverses)
    price = draw(money(max_minor_units=10**12, min_minor_units=0, rounded=True))
    used = draw(st.integers(1, period.days))
    share = prorate(price, period, Period(period.start, period.start + timedelta(days=used)))
    amount = -share.amount if negative else share.amount
    return InvoiceLine(*fields, amount, share, reverses=reverses)


def _revenue_lines() -> list[tuple[InvoiceLine, str, datetime]]:
    start = T0
    return [
        (make_line("W-1", amount="10.00"), "WEB", start),
        (make_line("W-1", amount="-3.33"), "WEB", start + HOUR),
        (make_line("W-2", amount="0.10"), "WEB", start + 2 * HOUR),
        (make_line("W-2", amount="0.10"), "WEB", start + 2 * HOUR),
        (make_line("W-2", amount="0.10"), "WEB", start + 2 * HOUR),
        (make_line("W-3", amount=Money("5.00", "EUR")), "WEB", start.astimezone(TOKYO)),
        (make_line("V-1", amount=Money("1000", "JPY")), "VPS", start + 5 * HOUR),
        (make_line("V-1", amount=Money("234", "JPY")), "VPS", start + 6 * HOUR),
        (make_line("V-2", amount=Money("0.001", "BHD")), "VPS", start),
        (make_line("V-2", amount=Money("0.002", "BHD")), "VPS", start),
        (make_line("B-1", amount=usd("123456789012345678.91")), "BIG", start),
        (make_line("B-1", amount=usd("0.01")), "BIG", start),
        (make_line("B-1", amount=usd("0.000001")), "BIG", start),
        (make_line("R-1", amount="10.00"), "REFUNDED", start),
        (make_line("R-1", amount="-10.00"), "REFUNDED", start),
        # Outside [T0, T0 + 24h): before, at the end, and a wall clock that looks inside.
        (make_line("X-1", amount="99.00"), "WEB", start - timedelta(microseconds=1)),
        (make_line("X-1", amount="99.00"), "WEB", start + 24 * HOUR),
        (make_line("X-1", amount="99.00"), "OUT", (start - HOUR).astimezone(TOKYO)),
        # Inside, just before the end, written in another zone.
        (make_line("W-4", amount="0.01"), "WEB", (start + 24 * HOUR - timedelta(microseconds=1))),
        (make_line("W-4", amount="0.02"), "WEB", (start + 20 * HOUR).astimezone(ST_JOHNS)),
    ]


#: Amounts of lines, up to the largest (10**18 less a minor unit), with up to 30 decimals.
_AMOUNTS = st.one_of(
    st.sampled_from(["999999999999999999.99", "-999999999999999999.99", "500000000000000000"]),
    st.builds(
        lambda units, places: str(Decimal(units).scaleb(-places)),
        st.integers(-(10**17), 10**17),
        st.integers(0, 30),
    ),
)


def _add_lines(store: Store, rows: Sequence[tuple[InvoiceLine, str, datetime]]) -> None:
    def add(uow: UnitOfWork) -> None:
        for line, product, at in rows:
            uow.invoice_lines.add([line], product_code=product, issued_at=at)

    write(store, add)


class InvoiceLineContract(StoreFixture):
    """Invoice lines: insertion order, by service and customer, revenue per product."""

    def test_lines_come_back_in_insertion_order_numbered_from_one(self, store: Store) -> None:
        first = [make_line("S-1", amount="10.00"), make_line("S-1", amount="-4.00")]
        second = [make_line("S-2", amount="1.00"), make_line("S-1", amount="2.00")]
        with store.transaction() as uow:
            uow.invoice_lines.add(first, product_code="WEB", issued_at=T0.astimezone(TOKYO))
            uow.invoice_lines.add([], product_code="WEB", issued_at=T0)
            uow.invoice_lines.add(second, product_code="VPS", issued_at=T0 + HOUR)
            uow.commit()
        with store.transaction() as uow:
            mine = uow.invoice_lines.for_customer("C-1")
        assert [item.sequence for item in mine] == [1, 2, 3, 4]
        assert [item.line for item in mine] == first + second
        assert [item.product_code for item in mine] == ["WEB", "WEB", "VPS", "VPS"]
        assert [item.issued_at for item in mine] == [T0, T0, T0 + HOUR, T0 + HOUR]
        assert all(item.issued_at.utcoffset() == timedelta(0) for item in mine)

    def test_sequences_keep_increasing_across_transactions(self, store: Store) -> None:
        _add_lines(store, [(make_line(amount="1.00"), "WEB", T0)])
        with store.transaction() as uow:
            uow.invoice_lines.add([make_line(amount="2.00")], product_code="WEB", issued_at=T0)
        _add_lines(store, [(make_line(amount="3.00"), "WEB", T0)] * 2)
        mine = read(store, lambda uow: uow.invoice_lines.for_service("S-1"))
        assert [item.line.amount for item in mine] == [usd("1.00"), usd("3.00"), usd("3.00")]
        sequences = [item.sequence for item in mine]
        assert sequences == sorted(set(sequences))
        assert sequences[0] == 1

    def test_for_service_and_for_customer_return_only_their_lines(self, store: Store) -> None:
        rows = [
            (make_line("S-1", "C-1", "1.00"), "WEB", T0),
            (make_line("S-2", "C-2", "2.00"), "WEB", T0),
            (make_line("S-1", "C-2", "3.00"), "WEB", T0 + HOUR),  # after a transfer
            (make_line("S-3", "C-1", "4.00"), "VPS", T0 + HOUR),
            (make_line("S-1", "C-1", "-1.00"), "WEB", T0 + 2 * HOUR),
        ]
        _add_lines(store, rows)
        with store.transaction() as uow:
            by_service = issued(uow.invoice_lines.for_service("S-1"))
            by_customer = issued(uow.invoice_lines.for_customer("C-2"))
            assert uow.invoice_lines.for_service("s-1") == []
            assert uow.invoice_lines.for_customer("C-404") == []
        assert by_service == [rows[0], rows[2], rows[4]]
        assert by_customer == [rows[1], rows[2]]

    def test_revenue_by_product_sums_each_product_and_currency_in_the_half_open_span(
        self, store: Store
    ) -> None:
        _add_lines(store, _revenue_lines())
        revenue = read(store, lambda uow: uow.invoice_lines.revenue_by_product(T0, T0 + 24 * HOUR))
        assert revenue == [
            ProductRevenue("BIG", usd("123456789012345678.920001"), 3),
            ProductRevenue("REFUNDED", usd("0.00"), 2),
            ProductRevenue("VPS", Money("0.003", "BHD"), 2),
            ProductRevenue("VPS", Money("1234", "JPY"), 2),
            ProductRevenue("WEB", Money("5.00", "EUR"), 1),
            ProductRevenue("WEB", usd("7.00"), 7),
        ]

    def test_revenue_leaves_tax_lines_out_and_keeps_them_as_lines(self, store: Store) -> None:
        charge = make_line("T-1", amount="10.00")
        tax = InvoiceLine(
            "T-1", "C-1", LineType.TAX, "WEB", "VAT", "VAT 20 %", usd("2.00"), day=T0.date()
        )
        refund = InvoiceLine(
            "T-1",
            "C-1",
            LineType.TAX,
            "WEB",
            "VAT",
            "VAT 20 %",
            usd("-1.00"),
            day=T0.date(),
            reverses=True,
        )
        _add_lines(store, [(charge, "WEB", T0), (tax, "WEB", T0), (refund, "WEB", T0)])
        revenue = read(store, lambda uow: uow.invoice_lines.revenue_by_product(T0, T0 + HOUR))
        assert revenue == [ProductRevenue("WEB", usd("10.00"), 1)]
        kept = read(store, lambda uow: uow.invoice_lines.for_service("T-1"))
        assert [item.line for item in kept] == [charge, tax, refund]

    def test_revenue_compares_instants_whatever_their_zone(self, store: Store) -> None:
        _add_lines(store, _revenue_lines())
        start, end = T0.astimezone(ST_JOHNS), (T0 + 24 * HOUR).astimezone(TOKYO)
        assert read(store, lambda uow: uow.invoice_lines.revenue_by_product(start, end)) == read(
            store, lambda uow: uow.invoice_lines.revenue_by_product(T0, T0 + 24 * HOUR)
        )

    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            (
                T0 - HOUR,
                T0,
                [ProductRevenue("OUT", usd("99.00"), 1), ProductRevenue("WEB", usd("99.00"), 1)],
            ),
            (T0 - 2 * HOUR, T0 - HOUR, []),
            (T0 + 24 * HOUR, T0 + 25 * HOUR, [ProductRevenue("WEB", usd("99.00"), 1)]),
            (T0 + 5 * HOUR, T0 + 6 * HOUR, [ProductRevenue("VPS", Money("1000", "JPY"), 1)]),
            (T0 + 100 * HOUR, T0 + 200 * HOUR, []),
        ],
        ids=["hour-before", "nothing-before", "at-the-end", "one-line", "nothing-after"],
    )
    def test_revenue_leaves_out_products_without_lines_in_the_span(
        self,
        store: Store,
        start: datetime,
        end: datetime,
        expected: list[ProductRevenue],
    ) -> None:
        _add_lines(store, _revenue_lines())
        with store.transaction() as uow:
            assert uow.invoice_lines.revenue_by_product(start, end) == expected

    def test_lines_are_rolled_back_with_their_transaction(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.invoice_lines.add([make_line()], product_code="WEB", issued_at=T0)
            assert len(uow.invoice_lines.for_service("S-1")) == 1
        with store.transaction() as uow:
            assert uow.invoice_lines.for_service("S-1") == []
            assert uow.invoice_lines.revenue_by_product(T0, T0 + HOUR) == []

    def test_lines_read_back_equal_to_what_was_written(self, store: Store) -> None:
        @self.hypothesis_settings()
        @given(
            lines=st.lists(_lines(), min_size=1, max_size=4),
            product=_CODE,
            at=_INSTANTS,
        )
        def round_trip(lines: list[InvoiceLine], product: str, at: datetime) -> None:
            with store.transaction() as uow:
                uow.invoice_lines.add(lines, product_code=product, issued_at=at)
                uow.commit()
            with store.transaction() as uow:
                for service_id in {line.service_id for line in lines}:
                    mine = issued(uow.invoice_lines.for_service(service_id))
                    tail = [(line, product, at) for line in lines if line.service_id == service_id]
                    assert mine[-len(tail) :] == tail
                span = uow.invoice_lines.revenue_by_product(at, at + timedelta(microseconds=1))
                assert {(r.product_code, r.amount.currency) for r in span} >= {
                    (product, line.amount.currency)
                    for line in lines
                    if line.type is not LineType.TAX
                }

        round_trip()

    # --- the stores agree on totals past the largest amount (prodlife.limits) ---------------

    def test_revenue_of_10_to_the_18_or_more_is_refused_naming_the_limit(
        self, store: Store
    ) -> None:
        big = "900000000000000000.00"
        _add_lines(store, [(make_line("H-1", amount=big), "HUGE", T0)] * 2)
        with store.transaction() as uow, pytest.raises(InvalidAmount, match="MAX_AMOUNT_DIGITS"):
            uow.invoice_lines.revenue_by_product(T0, T0 + HOUR)

    def test_revenue_whose_running_total_passes_the_limit_is_its_exact_total(
        self, store: Store
    ) -> None:
        big = "900000000000000000.00"
        lines = [make_line("H-1", amount=big), make_line("H-1", amount=big)]
        lines.append(make_line("H-1", amount="-" + big))
        _add_lines(store, [(line, "HUGE", T0) for line in lines])
        revenue = read(store, lambda uow: uow.invoice_lines.revenue_by_product(T0, T0 + HOUR))
        assert revenue == [ProductRevenue("HUGE", usd(big), 3)]

    def test_revenue_keeps_every_digit_of_its_lines(self, store: Store) -> None:
        tiny = "0.000000000000000000000000000001"
        amounts = ["999999999999999999.99", tiny]
        _add_lines(store, [(make_line("B-1", amount=amount), "BIG", T0) for amount in amounts])
        revenue = read(store, lambda uow: uow.invoice_lines.revenue_by_product(T0, T0 + HOUR))
        assert revenue == [
            ProductRevenue("BIG", usd("999999999999999999.990000000000000000000000000001"), 2)
        ]

    def test_revenue_is_the_exact_sum_of_the_lines_or_refused_past_the_limit(
        self, store: Store
    ) -> None:
        hours = itertools.count()

        @self.hypothesis_settings()
        @given(amounts=st.lists(_AMOUNTS, min_size=1, max_size=5))
        def exact(amounts: list[str]) -> None:
            at = T0 + next(hours) * HOUR  # each example in its own hour
            _add_lines(
                store, [(make_line("E-1", amount=amount), "EXACT", at) for amount in amounts]
            )
            exact_total = sum((Fraction(amount) for amount in amounts), Fraction(0))
            with store.transaction() as uow:
                if abs(exact_total) >= 10**18:
                    with pytest.raises(InvalidAmount):
                        uow.invoice_lines.revenue_by_product(at, at + HOUR)
                    return
                revenue = uow.invoice_lines.revenue_by_product(at, at + HOUR)
            assert [(row.product_code, row.lines) for row in revenue] == [("EXACT", len(amounts))]
            assert Fraction(revenue[0].amount.amount) == exact_total

        exact()
