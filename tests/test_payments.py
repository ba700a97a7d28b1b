"""Payments in the domain: settling an amount on invoices, and what a payment must say.

``settle`` is checked against a plain model: money is conserved exactly, the named
invoice is paid first and the others by due date then number, and only unpaid invoices of
the payment's currency are touched.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife import Money
from prodlife.billing import InvoiceLine, LineType
from prodlife.billing.invoices import UNPAID, Invoice, InvoiceStatus
from prodlife.billing.payments import Allocation, Payment, PaymentKind, check_reference, settle
from prodlife.errors import InvalidInstant, RuleViolation
from tests._support import eur

AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
FIRST_DUE = date(2025, 1, 1)
CLOSING = (InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE)
#: Properties that build many invoices run a share of the profile's examples.
FEWER = settings(max_examples=max(settings().max_examples // 2, 5))


def invoice(
    number: str,
    units: int,
    due: date = FIRST_DUE,
    *,
    currency: str = "EUR",
    paid: int = 0,
    closed: InvoiceStatus | None = None,
) -> Invoice:
    """An invoice of one line of ``units`` minor units (below zero: a credit note)."""
    amount = Money.from_minor_units(units, currency)
    line = InvoiceLine(
        "S-1", "C-1", LineType.ONE_TIME, "X", "", "x", amount, day=due, reverses=units < 0
    )
    return Invoice(
        number,
        "C-1",
        currency,
        FIRST_DUE,
        due,
        "card",
        [line],
        AT,
        paid=Money.from_minor_units(paid, currency) if paid else None,
        closed=closed,
    )


@st.composite
def ledgers(draw: st.DrawFn) -> list[Invoice]:
    """A customer's invoices in any state: open, partly paid, paid, void, uncollectible,
    credit notes, zero totals, and some in another currency; numbers unique, due dates
    often equal."""
    numbers = draw(st.lists(st.integers(1, 999), unique=True, max_size=8))
    found = []
    for n in numbers:
        units = draw(st.integers(-500, 10**6))
        paid = draw(st.integers(0, units)) if units > 0 else 0
        closed = draw(st.sampled_from([None, None, None, *CLOSING])) if paid < units else None
        found.append(
            invoice(
                f"A-{n:03d}",
                units,
                FIRST_DUE + timedelta(days=draw(st.integers(0, 5))),
                currency=draw(st.sampled_from(["EUR", "EUR", "EUR", "USD"])),
                paid=paid,
                closed=closed,
            )
        )
    return found


def payable(invoices: list[Invoice], currency: str = "EUR") -> list[Invoice]:
    """The invoices ``settle`` may pay: unpaid, in ``currency``."""
    return [i for i in invoices if i.status in UNPAID and i.currency == currency]


@st.composite
def settlements(draw: st.DrawFn) -> tuple[list[Invoice], Money, str | None]:
    """Invoices, an amount above zero (below, around or above what they owe) and maybe the
    number of one of them to pay first (or of none)."""
    invoices = draw(ledgers())
    owed = sum(i.balance.to_minor_units() for i in payable(invoices))
    units = draw(st.one_of(st.integers(1, owed + 1000), st.integers(max(owed, 1), owed + 5)))
    numbers = [i.number for i in invoices]
    first = draw(st.one_of(st.none(), st.just("A-000"), *map(st.just, numbers)))
    return invoices, Money.from_minor_units(units, "EUR"), first


# --- settle --------------------------------------------------------------------------------


@FEWER
@given(settlements())
def test_settle_conserves_money_and_never_pays_an_invoice_beyond_its_total(
    case: tuple[list[Invoice], Money, str | None],
) -> None:
    invoices, amount, first = case
    changed, left = settle(amount, invoices, first=first)
    before = {i.number: i for i in invoices}
    numbers = [i.number for i in changed]
    assert len(set(numbers)) == len(numbers)
    settled = Money.zero("EUR")
    for after in changed:
        was = before[after.number]
        assert was in payable(invoices)
        assert after.amount_paid > was.amount_paid
        assert after.amount_paid <= after.total
        assert attrs.evolve(after, paid=was.paid) == was  # nothing else changed
        settled += after.amount_paid - was.amount_paid
    assert settled + left == amount
    assert left.amount >= 0
    owed = sum((i.balance for i in payable(invoices)), Money.zero("EUR"))
    if owed >= amount:
        assert left.is_zero
    else:
        assert left == amount - owed
        assert sorted(numbers) == sorted(i.number for i in payable(invoices))
        assert all(i.status is InvoiceStatus.PAID for i in changed)


@FEWER
@given(settlements())
def test_settle_pays_the_named_invoice_first_then_by_due_date_then_number(
    case: tuple[list[Invoice], Money, str | None],
) -> None:
    invoices, amount, first = case
    changed, left = settle(amount, invoices, first=first)
    rest = sorted(payable(invoices), key=lambda i: (i.due_on, i.number))
    named = [i for i in rest if i.number == first]
    order = [i.number for i in named + [i for i in rest if i.number != first]]
    assert [i.number for i in changed] == order[: len(changed)]
    # each invoice is paid in full before the next is touched
    assert all(i.status is InvoiceStatus.PAID for i in changed[:-1])
    if changed and changed[-1].status is not InvoiceStatus.PAID:
        assert left.is_zero  # the money ran out on it


def test_settle_passes_over_closed_paid_credit_and_other_currency_invoices() -> None:
    invoices = [
        invoice("A-1", 1000, paid=1000),
        invoice("A-2", 1000, closed=InvoiceStatus.VOID),
        invoice("A-3", 1000, closed=InvoiceStatus.UNCOLLECTIBLE),
        invoice("A-4", -300),
        invoice("A-5", 0),
        invoice("A-6", 1000, currency="USD"),
    ]
    assert settle(eur("5.00"), invoices) == ((), eur("5.00"))
    assert settle(eur("5.00"), invoices, first="A-2") == ((), eur("5.00"))


def test_settle_the_named_invoice_first_even_when_due_later() -> None:
    early = invoice("A-2", 400, date(2025, 1, 1))
    early_too = invoice("A-1", 400, date(2025, 1, 1))
    late = invoice("A-3", 1000, date(2025, 2, 1), paid=200)
    changed, left = settle(eur("10.00"), [early, late, early_too], first="A-3")
    assert [(i.number, str(i.status), i.amount_paid) for i in changed] == [
        ("A-3", "paid", eur("10.00")),
        ("A-1", "partially paid", eur("2.00")),
    ]
    assert left == eur("0.00")
    changed, left = settle(eur("20.00"), [early, late, early_too])
    assert [i.number for i in changed] == ["A-1", "A-2", "A-3"]
    assert left == eur("4.00")


def test_settle_on_no_invoices_leaves_the_whole_amount() -> None:
    assert settle(eur("3.00"), []) == ((), eur("3.00"))


# --- Payment -------------------------------------------------------------------------------


def payment(
    amount: Money,
    allocations: tuple[Allocation, ...] = (),
    to_credit: Money | None = None,
    reference: str = "ch_3PXq",
    at: datetime = AT,
) -> Payment:
    """A card payment of customer C-1."""
    return Payment(
        reference, "C-1", amount, "card", at, allocations=allocations, to_credit=to_credit
    )


def refused(error: pytest.ExceptionInfo[RuleViolation], rule: str, *words: str) -> None:
    """``error`` broke ``rule`` and its message says ``words``."""
    assert error.value.rule == rule
    assert str(error.value).endswith(f"(rule {rule})")
    for word in words:
        assert word in str(error.value)


@given(st.integers(-(10**6), 0))
def test_a_payment_of_nothing_or_less_is_refused(units: int) -> None:
    amount = Money.from_minor_units(units, "EUR")
    with pytest.raises(RuleViolation) as error:
        payment(amount)
    refused(error, "payment.amount", f"payment ch_3PXq: {amount} must be above zero")


@given(
    st.integers(1, 10**8),
    st.lists(st.integers(1, 10**7), max_size=4),
    st.one_of(st.none(), st.integers(0, 10**7)),
)
def test_a_payment_is_exactly_what_it_settles_plus_what_it_credits(
    units: int, parts: list[int], credit: int | None
) -> None:
    amount = Money.from_minor_units(units, "EUR")
    allocations = tuple(
        Allocation(f"A-{i}", Money.from_minor_units(n, "EUR")) for i, n in enumerate(parts)
    )
    to_credit = None if credit is None else Money.from_minor_units(credit, "EUR")
    accounted = sum(parts) + (credit or 0)
    if (parts or credit is not None) and accounted != units:
        with pytest.raises(RuleViolation) as error:
            payment(amount, allocations, to_credit)
        refused(error, "payment.amount", f"of {amount} must be exactly what it settles")
    else:
        done = payment(amount, allocations, to_credit)
        assert done.credited == Money.from_minor_units(credit or 0, "EUR")
        assert done.kind is PaymentKind.PAYMENT


@FEWER
@given(settlements())
def test_a_settled_amount_makes_a_payment_that_adds_up(
    case: tuple[list[Invoice], Money, str | None],
) -> None:
    invoices, amount, first = case
    before = {i.number: i for i in invoices}
    changed, left = settle(amount, invoices, first=first)
    allocations = [
        Allocation(i.number, i.amount_paid - before[i.number].amount_paid) for i in changed
    ]
    done = payment(amount, tuple(allocations), left)
    assert done.credited == left


def test_a_payment_records_its_instant_in_utc_and_refuses_a_naive_one() -> None:
    paris = datetime(2025, 3, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert payment(eur("1.00"), at=paris).received_at == AT
    with pytest.raises(InvalidInstant):
        payment(eur("1.00"), at=datetime(2025, 3, 1, 12, 0))


def test_a_payment_reads_as_what_it_settled_and_credited() -> None:
    done = Payment(
        "ch_1",
        "C-1",
        eur("20.00"),
        "card",
        AT,
        allocations=[Allocation("A-1", eur("4.00")), Allocation("A-2", eur("10.00"))],
        to_credit=eur("6.00"),
    )
    assert str(done) == (
        "payment ch_1 of C-1: EUR 20.00 by card (A-1 EUR 4.00, A-2 EUR 10.00; credit EUR 6.00)"
    )
    refund = Payment("re_1", "C-1", eur("2.00"), "card", AT, PaymentKind.REFUND)
    assert str(refund) == "refund re_1 of C-1: EUR 2.00 by card (no invoice; credit EUR 0.00)"


# --- references ----------------------------------------------------------------------------


def _good_reference(text: str) -> bool:
    return (
        1 <= len(text) <= 200
        and not text[0].isspace()
        and not text[-1].isspace()
        and "\x00" not in text
        and "\n" not in text
    )


@given(
    st.one_of(
        st.text(max_size=210),
        st.text(st.characters(codec="ascii"), min_size=195, max_size=205),
        st.builds(lambda a, b: a + b, st.text(max_size=5), st.sampled_from(" \t\n\r\x00\xa0")),
    )
)
def test_a_reference_is_1_to_200_characters_without_surrounding_spaces(text: str) -> None:
    if _good_reference(text):
        assert check_reference(text) == text
    else:
        with pytest.raises(RuleViolation) as error:
            check_reference(text)
        refused(error, "payment.reference", f"payment reference {text!r}", "1-200 characters")


@pytest.mark.parametrize(
    "reference",
    ["", " ", " ch_1", "ch_1 ", "ch_1\n", "\tch_1", "ch\x001", "x" * 201, "ch\n1", None, 7],
)
def test_a_bad_reference_is_refused(reference: object) -> None:
    with pytest.raises(RuleViolation) as error:
        check_reference(reference)
    refused(error, "payment.reference", f"payment reference {reference!r}", "not starting")
    if isinstance(reference, str):
        with pytest.raises(RuleViolation) as error:
            payment(eur("1.00"), reference=reference)
        refused(error, "payment.reference")


@pytest.mark.parametrize("reference", ["x", "x" * 200, "pi_3 PXq 2", "ch_1\tb", "é-ü"])
def test_a_good_reference_is_kept_as_it_is(reference: str) -> None:
    assert check_reference(reference) == reference
    assert payment(eur("1.00"), reference=reference).reference == reference
