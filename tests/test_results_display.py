"""Results are for people: short reprs, readable text, HTML tables and rows for pandas.

The figures are the upgrade of tests/_lifecycle.py worked by hand: on April 16
a WEB service paid for April (30 days) at 10.00 moves to PRO at 40.00; 15 of
30 days of each are credited (-5.00) and charged (20.00).
"""

from __future__ import annotations

from decimal import Decimal

from prodlife import Money, OrderLine, OrderLineSpec
from prodlife.billing import InvoiceLine, LineType, lines_as_rows
from prodlife.lifecycle import Outcome
from prodlife.lifecycle.order_quotes import price_order
from prodlife.lifecycle.orders import Order
from tests._lifecycle import change_edition, web
from tests.test_lifecycle_orders import AT, CONTEXT


def upgrade() -> Outcome:
    return change_edition(web(), "PRO")


def test_a_service_prints_as_one_short_line() -> None:
    service = web()
    assert str(service) == (
        "SVC-7731 of CUST-OWNER-42: WEB BASIC, monthly at USD 10.00, active, next due 2025-05-01"
    )
    assert repr(service) == f"<Service {service}, version 0>"


def test_an_outcome_prints_its_lines_with_their_working() -> None:
    outcome = upgrade()
    text = str(outcome).splitlines()
    assert text[0] == "SVC-7731 active: package changed; 2 lines, total USD 15.00"
    assert text[1].endswith("15/30 of USD 10.00 = USD -5.00")
    assert text[2].endswith("15/30 of USD 40.00 = USD 20.00")
    assert repr(outcome) == f"<Outcome {text[0]}>"


def test_an_outcome_gives_rows_whose_amounts_add_up_to_its_total() -> None:
    outcome = upgrade()
    rows = outcome.as_rows()
    assert [row["amount"] for row in rows] == [Decimal("-5.00"), Decimal("20.00")]
    assert all(isinstance(row["amount"], Decimal) for row in rows)
    assert outcome.total is not None
    assert sum(row["amount"] for row in rows) == outcome.total.amount  # type: ignore[misc]
    assert [(row["used"], row["total"]) for row in rows] == [(15, 30), (15, 30)]
    assert rows == lines_as_rows(outcome.lines)
    assert len({tuple(row) for row in rows}) == 1  # one set of columns


def test_an_outcome_renders_as_an_html_table_with_a_row_per_line() -> None:
    html = upgrade()._repr_html_()
    assert html.startswith("<table><caption>SVC-7731 active")
    assert html.count("<tr>") == 3  # the header and two lines


def test_html_escapes_what_a_user_typed() -> None:
    line = InvoiceLine(
        "S-1",
        "C-1",
        LineType.ONE_TIME,
        "X",
        "",
        "<script>",
        Money("1.00", "USD"),
        day=AT.date(),
    )
    assert "<script>" not in line._repr_html_()
    assert "&lt;script&gt;" in line._repr_html_()
    assert line.as_rows()[0]["start"] == AT.date()
    assert repr(line) == f"<InvoiceLine {line}>"


def test_an_order_quote_prints_its_lines_and_total_in_short() -> None:
    order = Order(
        id="O-9",
        customer_id="C-1",
        payment_method="card",
        lines=[OrderLine(OrderLineSpec("VPS"), services=2)],
        placed_at=AT,
    )
    quote = price_order(order, CONTEXT)
    assert repr(quote) == f"<OrderQuote O-9: 1 product line, 0 domains, total {quote.total}>"
    text = str(quote)
    assert text.startswith("order O-9 (")
    assert "(x2 services)" in text
    assert text.endswith(f"order total: {quote.total}")
    rows = quote.as_rows()
    assert sum(row["amount"] for row in rows) * 2 == quote.total.amount  # type: ignore[misc]
    assert "<table>" in quote._repr_html_()


def test_reprs_stay_short() -> None:
    outcome = upgrade()
    for value in (outcome, outcome.service, *outcome.lines):
        assert len(repr(value)) < 200, repr(value)
