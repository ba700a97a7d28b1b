"""Invoices in the domain: totals, balance and status, paying and closing, grouping, numbering.

Properties hold for any lines (one-time charges and prorated period lines, charges,
discounts, taxes and their reversals, in currencies of 0, 2 and 3 minor units); examples
pin the edges and each refusal's rule and message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from prodlife import Money, Period
from prodlife.billing import InvoiceLine, LineType
from prodlife.billing.invoices import (
    Invoice,
    InvoiceKey,
    InvoicePolicy,
    InvoiceStatus,
    NumberSeries,
    group_lines,
    line_due_on,
)
from prodlife.errors import InvalidInstant, RuleViolation
from prodlife.proration import prorate
from tests._support import eur

CURRENCIES = ("EUR", "JPY", "BHD")
SERVICES = ("S-1", "S-2", "S-3", "S-4")
CUSTOMERS = ("C-1", "C-2")
METHODS = ("card", "bank transfer")
AT = datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
ISSUED = date(2025, 1, 15)
CLOSING = (InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE)
#: Properties that build many prorated lines run a share of the profile's examples.
FEWER = settings(max_examples=max(settings().max_examples // 2, 5))


# --- strategies -----------------------------------------------------------------------------


@st.composite
def lines(
    draw: st.DrawFn,
    customer: str | None = None,
    currency: str | None = None,
    *,
    charges: bool = False,
    credits: bool = False,
    service: str | None = None,
    within: tuple[date, date] = (date(2024, 1, 1), date(2026, 12, 31)),
) -> InvoiceLine:
    """A line of any type: a one-time charge (``day``) or a prorated period line.

    ``charges``: only lines above zero that are not discounts; ``credits``: only
    reversed charges below zero (the lines of a credit note).
    """
    customer = draw(st.sampled_from(CUSTOMERS)) if customer is None else customer
    code = draw(st.sampled_from(CURRENCIES)) if currency is None else currency
    kinds = [t for t in LineType if t is not LineType.DISCOUNT] if charges or credits else LineType
    kind = draw(st.sampled_from(list(kinds)))
    reverses = credits or (not charges and draw(st.booleans()))
    negative = (kind is LineType.DISCOUNT) != reverses
    units = draw(st.integers(1 if charges or credits else 0, 10**9))
    price = Money.from_minor_units(-units if negative else units, code)
    sid = draw(st.sampled_from(SERVICES)) if service is None else service
    if draw(st.booleans()):
        day = draw(st.dates(*within))
        return InvoiceLine(sid, customer, kind, "X", "", "x", price, day=day, reverses=reverses)
    start = draw(st.dates(*within))
    length = draw(st.integers(1, 400))
    # a charge or credit is whole-period, so it stays non-zero after rounding
    a = 0 if charges or credits else draw(st.integers(0, length - 1))
    b = length if charges or credits else draw(st.integers(a + 1, length))
    period = Period(start, start + timedelta(days=length))
    share = prorate(price, period, Period(start + timedelta(days=a), start + timedelta(days=b)))
    return InvoiceLine(sid, customer, kind, "X", "", "x", share.amount, share, reverses=reverses)


def invoice_of(
    items: Sequence[InvoiceLine],
    *,
    paid: Money | None = None,
    closed: InvoiceStatus | None = None,
    number: str = "INV-2025-000001",
) -> Invoice:
    """An invoice of ``items`` (one customer, one currency) issued on ``ISSUED``."""
    first = items[0]
    code = first.amount.currency.code
    return Invoice(
        number, first.customer_id, code, ISSUED, ISSUED, "card", items, AT, paid=paid, closed=closed
    )


@st.composite
def invoices(draw: st.DrawFn, *, charges: bool = False, credits: bool = False) -> Invoice:
    """An unpaid invoice of 1-6 lines of one customer in one currency."""
    code = draw(st.sampled_from(CURRENCIES))
    items = draw(
        st.lists(lines("C-1", code, charges=charges, credits=credits), min_size=1, max_size=6)
    )
    return invoice_of(items)


@st.composite
def payers(draw: st.DrawFn) -> dict[str, tuple[str, bool]]:
    """Every service's payment method and whether it is invoiced separately."""
    return {sid: (draw(st.sampled_from(METHODS)), draw(st.booleans())) for sid in SERVICES}


def part_of(data: st.DataObject, amount: Money, low: int = 0) -> Money:
    """An amount of minor units from ``low`` to ``amount``."""
    top = amount.to_minor_units()
    return Money.from_minor_units(data.draw(st.integers(min(low, top), top)), amount.currency)


def one_time(
    amount: str, customer: str = "C-1", currency: str = "EUR", day: date = ISSUED
) -> InvoiceLine:
    """A one-time charge."""
    return InvoiceLine(
        "S-1", customer, LineType.ONE_TIME, "SETUP", "", "setup", Money(amount, currency), day=day
    )


def refused(error: pytest.ExceptionInfo[RuleViolation], rule: str, *words: str) -> None:
    """``error`` broke ``rule`` and its message says ``words``."""
    assert error.value.rule == rule
    message = str(error.value)
    assert message.endswith(f"(rule {rule})")
    for word in words:
        assert word in message


# --- totals, balance, status -----------------------------------------------------------------


@FEWER
@given(invoices())
def test_total_is_subtotal_plus_discounts_plus_taxes_exactly(invoice: Invoice) -> None:
    amounts = [line.amount.amount for line in invoice.lines]
    assert invoice.total.amount == sum(amounts, Decimal(0))
    assert invoice.total == invoice.subtotal + invoice.discounts + invoice.taxes
    taxes = [x.amount.amount for x in invoice.lines if x.type is LineType.TAX]
    discounts = [x.amount.amount for x in invoice.lines if x.type is LineType.DISCOUNT]
    assert invoice.taxes.amount == sum(taxes, Decimal(0))
    assert invoice.discounts.amount == sum(discounts, Decimal(0))
    assert all(m.currency.code == invoice.currency for m in (invoice.subtotal, invoice.total))


@FEWER
@given(invoices(charges=True), st.data())
def test_status_and_balance_follow_what_was_paid(invoice: Invoice, data: st.DataObject) -> None:
    paid = part_of(data, invoice.total)
    on = attrs.evolve(invoice, paid=paid)
    if paid.is_zero:
        assert on.status is InvoiceStatus.OPEN
    elif paid < invoice.total:
        assert on.status is InvoiceStatus.PARTIALLY_PAID
    else:
        assert on.status is InvoiceStatus.PAID
    assert on.amount_paid == paid
    assert on.balance == invoice.total - paid
    assert on.balance.is_zero == (on.status is InvoiceStatus.PAID)
    assert not on.is_credit_note


@FEWER
@given(invoices(credits=True))
def test_credit_note_is_paid_at_once_and_owes_nothing(note: Invoice) -> None:
    assert note.total.amount < 0
    assert note.is_credit_note
    assert note.status is InvoiceStatus.PAID
    assert note.balance == Money.zero(note.currency)
    assert note.amount_paid.is_zero
    with pytest.raises(RuleViolation) as error:
        note.paid_with(Money.from_minor_units(1, note.currency))
    refused(error, "invoice.closed", note.number, "is paid", "cannot be paid")
    with pytest.raises(RuleViolation) as error:
        note.closed_as(InvoiceStatus.VOID, "")
    refused(error, "invoice.closed", "cannot be marked void")


@given(st.sampled_from(CURRENCIES), st.sampled_from(list(LineType)))
def test_zero_total_invoice_is_paid_and_owes_nothing(code: str, kind: LineType) -> None:
    line = InvoiceLine("S-1", "C-1", kind, "X", "", "x", Money.zero(code), day=ISSUED)
    invoice = invoice_of([line])
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.balance.is_zero
    assert not invoice.is_credit_note


@FEWER
@given(invoices(charges=True), st.lists(st.integers(-5, 10**10), max_size=8))
def test_paid_with_never_lets_paid_exceed_total(invoice: Invoice, attempts: list[int]) -> None:
    for units in attempts:
        amount = Money.from_minor_units(units, invoice.currency)
        before = invoice
        if before.status is InvoiceStatus.PAID:
            with pytest.raises(RuleViolation) as error:
                before.paid_with(amount)
            refused(error, "invoice.closed", "is paid", "Record the money on another invoice")
        elif units <= 0 or amount > before.balance:
            with pytest.raises(RuleViolation) as error:
                before.paid_with(amount)
            refused(error, "invoice.paid", f"owes {before.balance}", f"{amount} cannot be settled")
        else:
            invoice = before.paid_with(amount)
            assert invoice.amount_paid == before.amount_paid + amount
            assert invoice.balance == before.balance - amount
            assert invoice.total == before.total
        assert Money.zero(invoice.currency) <= invoice.amount_paid <= invoice.total
        assert invoice.balance == invoice.total - invoice.amount_paid


@FEWER
@given(invoices(charges=True), st.data())
def test_a_refund_gives_back_part_of_what_was_paid(invoice: Invoice, data: st.DataObject) -> None:
    paid = invoice.paid_with(part_of(data, invoice.total, low=1))
    back = part_of(data, paid.amount_paid, low=1)
    refunded = paid.refunded(back)
    assert refunded.amount_paid == paid.amount_paid - back
    assert refunded.balance == paid.balance + back
    assert refunded.status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
    too_much = paid.amount_paid + Money.from_minor_units(1, invoice.currency)
    for wrong in (too_much, Money.zero(invoice.currency), -back):
        with pytest.raises(RuleViolation) as error:
            paid.refunded(wrong)
        refused(error, "invoice.refund", f"was paid {paid.amount_paid}", "cannot be refunded")


@FEWER
@given(invoices(charges=True), st.data(), st.sampled_from(CLOSING))
def test_an_unpaid_invoice_closes_and_then_takes_no_money(
    invoice: Invoice, data: st.DataObject, status: InvoiceStatus
) -> None:
    paid = part_of(data, invoice.total)
    assume(paid < invoice.total)
    unpaid = attrs.evolve(invoice, paid=paid)
    closed = unpaid.closed_as(status, "customer left")
    assert closed.status is status
    assert closed.note == "customer left"
    assert closed.balance.is_zero
    assert closed.amount_paid == paid  # what was paid stays paid
    assert not closed.is_overdue(date(2099, 1, 1))
    with pytest.raises(RuleViolation) as error:
        closed.paid_with(Money.from_minor_units(1, invoice.currency))
    refused(error, "invoice.closed", f"is {status}", "cannot be paid")
    for again in CLOSING:
        with pytest.raises(RuleViolation) as error:
            closed.closed_as(again, "")
        refused(error, "invoice.closed", f"cannot be marked {again}")
    if status is InvoiceStatus.VOID:
        reopened = closed.restored("withdrawn")
        assert reopened.status is unpaid.status
        assert reopened.balance == unpaid.balance
        assert reopened.note == "withdrawn"
    else:
        with pytest.raises(RuleViolation) as error:
            closed.restored("")
        refused(error, "invoice.closed", "is uncollectible", "only a void one reopens")


@FEWER
@given(invoices(), st.sampled_from(CLOSING))
def test_a_paid_invoice_cannot_be_closed(invoice: Invoice, status: InvoiceStatus) -> None:
    if invoice.balance.amount > 0:
        invoice = invoice.paid_with(invoice.balance)
    assert invoice.status is InvoiceStatus.PAID
    with pytest.raises(RuleViolation) as error:
        invoice.closed_as(status, "")
    refused(error, "invoice.closed", "is paid", f"cannot be marked {status}")


@pytest.mark.parametrize(
    "status",
    [InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID],
)
def test_an_invoice_closes_only_as_void_or_uncollectible(status: InvoiceStatus) -> None:
    invoice = invoice_of([one_time("10.00")])
    with pytest.raises(RuleViolation) as error:
        invoice.closed_as(status, "")
    refused(error, "invoice.status", f"void or uncollectible, not {status}")


@pytest.mark.parametrize("paid", [None, "4.00", "10.00"])
def test_only_a_void_invoice_is_restored(paid: str | None) -> None:
    invoice = invoice_of([one_time("10.00")], paid=None if paid is None else eur(paid))
    with pytest.raises(RuleViolation) as error:
        invoice.restored("")
    refused(error, "invoice.closed", f"is {invoice.status}", "only a void one reopens")


# --- examples ------------------------------------------------------------------------------


def test_an_invoice_of_a_charge_a_discount_and_a_tax_adds_them_up() -> None:
    january = Period(date(2025, 1, 1), date(2025, 2, 1))
    share = prorate(eur("31.00"), january, Period(date(2025, 1, 22), date(2025, 2, 1)))
    charge = InvoiceLine("S-1", "C-1", LineType.RECURRING, "VPS", "", "VPS", share.amount, share)
    off = prorate(eur("-3.10"), january, Period(date(2025, 1, 22), date(2025, 2, 1)))
    discount = InvoiceLine("S-1", "C-1", LineType.DISCOUNT, "VPS", "P10", "10%", off.amount, off)
    tax = InvoiceLine("S-1", "C-1", LineType.TAX, "VPS", "VAT", "VAT 20%", eur("1.80"), day=ISSUED)
    invoice = invoice_of([charge, discount, tax, one_time("5.00")])
    # 10/31 of 31.00 = 10.00; 10/31 of -3.10 = -1.00
    assert (invoice.subtotal, invoice.discounts, invoice.taxes) == (
        eur("15.00"),
        eur("-1.00"),
        eur("1.80"),
    )
    assert invoice.total == eur("15.80")
    assert invoice.status is InvoiceStatus.OPEN
    partly = invoice.paid_with(eur("5.80"))
    assert (partly.status, partly.balance) == (InvoiceStatus.PARTIALLY_PAID, eur("10.00"))
    assert partly.paid_with(eur("10.00")).status is InvoiceStatus.PAID
    assert invoice.service_ids == ("S-1",)


def test_issue_numbers_an_invoice_at_an_instant_in_utc() -> None:
    key = InvoiceKey("C-1", "EUR", date(2025, 2, 1), "card", "S-1")
    late = datetime(2025, 1, 31, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    invoice = Invoice.issue("INV-1", key, [one_time("5.00")], late)
    assert invoice.issued_at == datetime(2025, 2, 1, 1, 30, tzinfo=UTC)
    assert invoice.issued_on == date(2025, 2, 1)
    assert (invoice.due_on, invoice.payment_method, invoice.separate) == (
        date(2025, 2, 1),
        "card",
        "S-1",
    )
    assert invoice.version == 1
    assert Invoice.issue("INV-1", key, [one_time("5.00")], late, ISSUED).issued_on == ISSUED
    with pytest.raises(InvalidInstant):
        Invoice.issue("INV-1", key, [one_time("5.00")], datetime(2025, 1, 1))


def test_an_invoice_is_overdue_only_after_its_due_date_while_unpaid() -> None:
    invoice = invoice_of([one_time("5.00")])
    assert not invoice.is_overdue(ISSUED)
    assert invoice.is_overdue(ISSUED + timedelta(days=1))
    assert not invoice.paid_with(eur("5.00")).is_overdue(ISSUED + timedelta(days=1))


def test_an_invoice_needs_lines() -> None:
    with pytest.raises(RuleViolation) as error:
        Invoice("INV-9", "C-1", "EUR", ISSUED, ISSUED, "card", [], AT)
    refused(error, "invoice.lines", "invoice INV-9 has no lines")


@pytest.mark.parametrize(
    "line",
    [one_time("1.00", customer="C-2"), one_time("1.00", currency="USD")],
    ids=["another customer", "another currency"],
)
def test_an_invoice_refuses_a_line_of_another_customer_or_currency(line: InvoiceLine) -> None:
    with pytest.raises(RuleViolation) as error:
        Invoice("INV-9", "C-1", "EUR", ISSUED, ISSUED, "card", [one_time("2.00"), line], AT)
    refused(error, "invoice.lines", "C-1's in EUR", f"of {line.customer_id}", "cannot go on it")


@pytest.mark.parametrize(
    "paid",
    [eur("10.01"), eur("-0.01"), Money("0.00", "USD"), Money("1.00", "USD")],
    ids=["beyond the total", "below zero", "zero of another currency", "another currency"],
)
def test_an_invoice_refuses_a_paid_amount_it_cannot_have(paid: Money) -> None:
    with pytest.raises(RuleViolation) as error:
        invoice_of([one_time("10.00")], paid=paid)
    refused(error, "invoice.paid", "totals EUR 10.00", f"{paid} cannot have been paid")


def test_a_credit_note_cannot_have_been_paid() -> None:
    credit = InvoiceLine(
        "S-1", "C-1", LineType.RECURRING, "X", "", "x", eur("-3.00"), day=ISSUED, reverses=True
    )
    with pytest.raises(RuleViolation) as error:
        invoice_of([credit], paid=eur("1.00"))
    refused(error, "invoice.paid")
    assert invoice_of([credit], paid=eur("0.00")).status is InvoiceStatus.PAID


@pytest.mark.parametrize("status", [InvoiceStatus.PAID, InvoiceStatus.OPEN])
def test_an_invoice_is_closed_only_as_void_or_uncollectible(status: InvoiceStatus) -> None:
    with pytest.raises(RuleViolation) as error:
        invoice_of([one_time("1.00")], closed=status)
    refused(error, "invoice.status", f"not {status}")


def test_paying_with_nothing_or_too_much_is_refused() -> None:
    invoice = invoice_of([one_time("10.00")], paid=eur("4.00"))
    for amount in (eur("0.00"), eur("-1.00"), eur("6.01")):
        with pytest.raises(RuleViolation) as error:
            invoice.paid_with(amount)
        refused(error, "invoice.paid", "owes EUR 6.00", f"{amount} cannot be settled on it")
    assert invoice.paid_with(eur("6.00")).status is InvoiceStatus.PAID


# --- grouping and due dates ----------------------------------------------------------------


@st.composite
def grouping(
    draw: st.DrawFn,
) -> tuple[list[InvoiceLine], dict[str, tuple[str, bool]], date, int]:
    """Lines of several customers, currencies and services, how each service is paid, the
    issue day and net days."""
    # lines of a few weeks around the issue day, so that many share a due date
    issued = draw(st.dates(date(2024, 6, 1), date(2026, 6, 1)))
    within = (issued - timedelta(days=20), issued + timedelta(days=20))
    items = draw(st.lists(lines(within=within), max_size=25))
    return items, draw(payers()), issued, draw(st.integers(0, 60))


@FEWER
@given(grouping())
def test_grouping_puts_every_line_on_exactly_one_invoice_in_order(
    case: tuple[list[InvoiceLine], dict[str, tuple[str, bool]], date, int],
) -> None:
    items, pay, issued, net = case
    groups = group_lines(items, pay, issued, net)
    placed = [id(line) for _, group in groups for line in group]
    assert sorted(placed) == sorted(id(line) for line in items)
    where = {id(line): i for i, line in enumerate(items)}
    for _, group in groups:
        assert group
        positions = [where[id(line)] for line in group]
        assert positions == sorted(positions)


@FEWER
@given(grouping())
def test_lines_of_one_invoice_share_customer_currency_due_date_and_method(
    case: tuple[list[InvoiceLine], dict[str, tuple[str, bool]], date, int],
) -> None:
    items, pay, issued, net = case
    groups = group_lines(items, pay, issued, net)
    keys = [key for key, _ in groups]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    for key, group in groups:
        for line in group:
            assert line.customer_id == key.customer_id
            assert line.amount.currency.code == key.currency
            assert line_due_on(line, issued, net) == key.due_on
            assert pay[line.service_id][0] == key.payment_method
            assert key.separate == (line.service_id if pay[line.service_id][1] else "")
    # lines that could share an invoice do: one invoice per distinct (customer, currency,
    # due date, method, separate service)
    wanted = {
        (
            line.customer_id,
            line.amount.currency.code,
            line_due_on(line, issued, net),
            pay[line.service_id][0],
            line.service_id if pay[line.service_id][1] else "",
        )
        for line in items
    }
    assert len(groups) == len(wanted)


@FEWER
@given(grouping())
def test_a_service_invoiced_separately_never_shares_an_invoice(
    case: tuple[list[InvoiceLine], dict[str, tuple[str, bool]], date, int],
) -> None:
    items, pay, issued, net = case
    for _, group in group_lines(items, pay, issued, net):
        services = {line.service_id for line in group}
        if any(pay[sid][1] for sid in services):
            assert len(services) == 1


def test_grouping_a_line_of_an_unknown_service_raises_key_error() -> None:
    with pytest.raises(KeyError):
        group_lines([one_time("1.00")], {"S-2": ("card", False)}, ISSUED)


def test_grouping_two_services_of_one_customer_due_together_makes_one_invoice() -> None:
    a = one_time("1.00")
    b = InvoiceLine("S-2", "C-1", LineType.ONE_TIME, "FEE", "", "fee", eur("2.00"), day=ISSUED)
    together = group_lines([a, b], {"S-1": ("card", False), "S-2": ("card", False)}, ISSUED)
    assert together == [(InvoiceKey("C-1", "EUR", ISSUED, "card"), (a, b))]
    apart = group_lines([a, b], {"S-1": ("card", True), "S-2": ("card", False)}, ISSUED)
    assert [key.separate for key, _ in apart] == ["", "S-1"]
    by_method = group_lines([a, b], {"S-1": ("card", False), "S-2": ("bank", False)}, ISSUED)
    assert [key.payment_method for key, _ in by_method] == ["bank", "card"]


@FEWER
@given(lines(), st.dates(date(2024, 1, 1), date(2026, 12, 31)), st.integers(0, 90))
def test_a_line_falls_due_when_its_span_begins_and_never_before_net_days(
    line: InvoiceLine, issued: date, net: int
) -> None:
    begins = line.day if line.period is None else line.period.start
    assert begins is not None
    due = line_due_on(line, issued, net)
    earliest = issued + timedelta(days=net)
    if begins >= earliest:  # invoiced ahead: due when the span starts
        assert due == begins
    else:  # a span begun (or a charge of the past): due net days after issue
        assert due == earliest


def test_a_renewal_invoiced_ahead_is_due_when_its_period_starts() -> None:
    february = Period(date(2025, 2, 1), date(2025, 3, 1))
    share = prorate(eur("28.00"), february, february)
    renewal = InvoiceLine("S-1", "C-1", LineType.RECURRING, "VPS", "", "VPS", share.amount, share)
    assert line_due_on(renewal, date(2025, 1, 22)) == date(2025, 2, 1)
    assert line_due_on(renewal, date(2025, 1, 22), net_days=14) == date(2025, 2, 5)
    # an upgrade mid-period, issued on 2025-02-10, is due on the day, or 14 days later
    assert line_due_on(renewal, date(2025, 2, 10)) == date(2025, 2, 10)
    assert line_due_on(renewal, date(2025, 2, 10), net_days=14) == date(2025, 2, 24)


# --- numbering -------------------------------------------------------------------------------

NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}", fullmatch=True)


@given(NAMES, st.integers(1, 10**9), st.dates(date(1900, 1, 1), date(2199, 12, 31)))
def test_a_series_fills_its_name_year_and_number(name: str, count: int, day: date) -> None:
    assert NumberSeries(name).number(count, day) == f"{name}-{day.year}-{count:06d}"
    custom = NumberSeries(name, "{year}/{series}/{number}")
    assert custom.number(count, day) == f"{day.year}/{name}/{count}"


@given(st.text(max_size=40))
def test_a_series_name_is_one_to_32_letters_digits_or_dots_dashes_underscores(name: str) -> None:
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}", name, flags=re.ASCII):
        assert NumberSeries(name).name == name
    else:
        with pytest.raises(RuleViolation) as error:
            NumberSeries(name)
        refused(error, "invoice.series", f"series name {name!r}", "1-32 letters")


FRAGMENTS = st.sampled_from(
    [
        "{number}",
        "{number:06d}",
        "{number:x}",
        "{number:,}",
        "{number",
        "}",
        "{",
        "{{",
        "}}",
        "{series}",
        "{year}",
        "{other}",
        "{}",
        "{0}",
        ":",
        "g",
        "e",
        "f",
        "s",
        "0<6",
        "!s",
        "!r",
        ".1",
        "[0]",
        ".imag",
        "-",
        "/",
        "INV",
    ]
)


@given(st.lists(FRAGMENTS, max_size=6).map("".join), st.integers(1, 10**12), st.data())
def test_a_number_format_is_refused_or_numbers_every_count_apart(
    pattern: str, count: int, data: st.DataObject
) -> None:
    """A format built of right and wrong pieces either is refused or gives two counts two
    numbers. (Not covered: a digit as the fill of an aligned number, e.g. ``{number:2<3}``,
    which the probes of ``NumberSeries`` do not catch; see the report.)"""
    refusal: RuleViolation | None = None
    try:
        series = NumberSeries("INV", pattern)
    except RuleViolation as error:
        refusal = error
    if refusal is not None:
        assert refusal.rule == "invoice.series"
        assert repr(pattern) in str(refusal)
        return
    other = data.draw(st.integers(1, 10**12).filter(lambda n: n != count))
    assert series.number(count, ISSUED) != series.number(other, ISSUED)


@pytest.mark.parametrize(
    ("name", "pattern", "words"),
    [
        ("", "{number}", ["series name ''", "1-32 letters"]),
        ("A" * 33, "{number}", ["1-32 letters"]),
        ("_INV", "{number}", ["starting with a letter or digit"]),
        ("IN V", "{number}", ["series name 'IN V'"]),
        ("INV\n", "{number}", ["series name 'INV\\n'"]),
        ("INV", "{series}-{year}", ["must be text holding {number}"]),
        ("INV", "{number}-{month}", ["cannot be filled", "use the fields number, series, year"]),
        ("INV", "{0}{number}", ["cannot be filled"]),
        ("INV", "{number:s}", ["cannot be filled"]),
        ("INV", "{number[0]}", ["cannot be filled"]),
        ("INV", "{year.x}{number}", ["cannot be filled"]),
        ("INV", "{number:c}", ["cannot be filled"]),
        ("INV", "{number", ["cannot be filled"]),
        ("INV", "INV-{{number}}", ["gives two invoices the same number", "{number:06d}"]),
        ("INV", "{number:g}", ["gives two invoices the same number"]),
        ("INV", "{number:0<6}", ["gives two invoices the same number"]),
        ("INV", "{number!s:.1}", ["gives two invoices the same number"]),
        ("INV", "{number.imag}", ["gives two invoices the same number"]),
    ],
)
def test_a_bad_series_name_or_number_format_is_refused(
    name: str, pattern: str, words: list[str]
) -> None:
    with pytest.raises(RuleViolation) as error:
        NumberSeries(name, pattern)
    refused(error, "invoice.series", *words)


@pytest.mark.parametrize("value", [None, 7, b"INV"])
def test_a_series_name_or_format_that_is_not_text_is_refused(value: object) -> None:
    with pytest.raises(RuleViolation) as error:
        NumberSeries(value)  # type: ignore[arg-type]
    refused(error, "invoice.series", "series name")
    with pytest.raises(RuleViolation) as error:
        NumberSeries("INV", value)  # type: ignore[arg-type]
    refused(error, "invoice.series", "must be text holding {number}")


def test_the_default_policy_numbers_invoices_and_credit_notes_apart() -> None:
    policy = InvoicePolicy()
    assert policy.series.number(123, date(2026, 3, 1)) == "INV-2026-000123"
    assert policy.credit_notes.number(7, date(2026, 3, 1)) == "CN-2026-000007"
    assert policy.net_days == 0


@given(st.integers(-10_000, 10_000))
def test_net_days_are_a_whole_number_from_0_to_3660(days: int) -> None:
    if 0 <= days <= 3660:
        assert InvoicePolicy(net_days=days).net_days == days
    else:
        with pytest.raises(RuleViolation) as error:
            InvoicePolicy(net_days=days)
        refused(error, "invoice.net-days", f"net days {days}", "from 0 to 3660")


@pytest.mark.parametrize("days", [True, 1.0, "1", Decimal(1), None])
def test_net_days_that_are_not_an_int_are_refused(days: object) -> None:
    with pytest.raises(RuleViolation) as error:
        InvoicePolicy(net_days=days)  # type: ignore[arg-type]
    refused(error, "invoice.net-days", f"net days {days!r}")


def test_an_invoice_reads_as_rows_of_its_lines_and_as_a_table() -> None:
    invoice = invoice_of([one_time("10.00"), one_time("2.50")])
    rows = invoice.as_rows()
    assert [row["invoice"] for row in rows] == [invoice.number] * 2
    assert [row["amount"] for row in rows] == [Decimal("10.00"), Decimal("2.50")]
    assert str(invoice) in repr(invoice)
    table = invoice._repr_html_()
    assert table.count("<tr>") == 3 and invoice.number in table
