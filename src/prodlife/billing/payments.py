"""Payments: money received from a customer, settled on invoices, the rest kept as credit.

A :class:`Payment` is recorded once per :attr:`Payment.reference` (the
gateway's or bank's id: the same webhook twice records it once). Its amount
goes on invoices by :func:`settle`: the invoice it names first, then the
customer's unpaid invoices by due date, the rest onto the customer's **credit
balance**; credit is spent the same way on the invoices issued next. A
:attr:`PaymentKind.REFUND` gives money back, from the credit balance or from
what an invoice was paid.

Money is conserved: a payment's amount equals what it settled plus what it
added to the credit balance (:attr:`Payment.to_credit`), exactly.

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.billing import InvoiceLine, LineType
>>> from prodlife.billing.invoices import Invoice, InvoiceKey
>>> def invoice(number, amount, due):
...     line = InvoiceLine("S-1", "C-1", LineType.ONE_TIME, "X", "", "x",
...                        Money(amount, "EUR"), day=due)
...     return Invoice.issue(number, InvoiceKey("C-1", "EUR", due, "card"), [line],
...                          datetime(2025, 1, 1, tzinfo=UTC))
>>> older = invoice("A-2", "10.00", date(2025, 2, 1))
>>> newer = invoice("A-1", "4.00", date(2025, 1, 1))
>>> settled, credit = settle(Money("20.00", "EUR"), [older, newer])
>>> [(i.number, str(i.status)) for i in settled], str(credit)
([('A-1', 'paid'), ('A-2', 'paid')], 'EUR 6.00')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

import attrs

from prodlife._enums import Labelled
from prodlife.billing.invoices import UNPAID, Invoice
from prodlife.clock import as_utc
from prodlife.errors import RuleViolation
from prodlife.money import Money, total

__all__ = ["Allocation", "Payment", "PaymentKind", "credit_from_notes", "settle"]

_REFERENCE = re.compile(r"^\S(.{0,198}\S)?$")


class PaymentKind(Labelled):
    """Money received, or money given back."""

    PAYMENT = "payment"
    REFUND = "refund"


@attrs.frozen(slots=True)
class Allocation:
    """Part of a payment settled on (or, for a refund, taken back from) one invoice."""

    invoice: str
    amount: Money


def _allocations(values: Iterable[Allocation]) -> tuple[Allocation, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class Payment:
    """Money received from a customer (or refunded to them), recorded once.

    Args:
        reference: the payment's id at the gateway or bank; unique in the store.
        customer_id: who paid (or is refunded).
        amount: how much, above zero.
        method: how (card, bank transfer...).
        received_at: when (aware UTC).
        kind: a payment or a refund.
        allocations: what it settled on (or took back from) each invoice.
        to_credit: what it added to the customer's credit balance (for a
            refund: took from it, as a positive amount).
        recorded_by: who recorded it (an actor's description).

    Raises:
        RuleViolation: a blank or overlong reference (rule ``payment.reference``),
            an amount not above zero or other than the allocations and the
            credit together (rule ``payment.amount``).
        InvalidInstant: ``received_at`` is naive.
    """

    reference: str
    customer_id: str
    amount: Money
    method: str
    received_at: datetime = attrs.field(converter=as_utc)
    kind: PaymentKind = PaymentKind.PAYMENT
    allocations: tuple[Allocation, ...] = attrs.field(default=(), converter=_allocations)
    to_credit: Money | None = None
    recorded_by: str = ""

    def __attrs_post_init__(self) -> None:
        check_reference(self.reference)
        if self.amount.amount <= 0:
            raise RuleViolation(
                "payment.amount", f"payment {self.reference}: {self.amount} must be above zero"
            )
        parts = [a.amount for a in self.allocations]
        credit = self.to_credit
        if any(part.amount <= 0 for part in parts) or (credit is not None and credit.amount < 0):
            raise RuleViolation(
                "payment.amount",
                f"payment {self.reference} of {self.amount}: what it settles on each invoice "
                "must be above zero, and what it adds to the credit balance zero or more",
            )
        if credit is not None:
            parts.append(credit)
        if any(part.currency != self.amount.currency for part in parts):
            raise RuleViolation(
                "payment.amount",
                f"payment {self.reference} of {self.amount}: what it settles and credits "
                "must be in its currency",
            )
        if parts and total(parts, self.amount.currency) != self.amount:
            raise RuleViolation(
                "payment.amount",
                f"payment {self.reference} of {self.amount} must be exactly what it settles "
                "on invoices plus what it adds to the credit balance",
            )

    @property
    def credited(self) -> Money:
        """What it added to (refund: took from) the credit balance."""
        return Money.zero(self.amount.currency) if self.to_credit is None else self.to_credit

    def __str__(self) -> str:
        on = ", ".join(f"{a.invoice} {a.amount}" for a in self.allocations) or "no invoice"
        return (
            f"{self.kind} {self.reference} of {self.customer_id}: {self.amount} by "
            f"{self.method} ({on}; credit {self.credited})"
        )


def check_reference(reference: object) -> str:
    """``reference`` as a payment reference.

    Raises:
        RuleViolation: not text of 1-200 characters without surrounding
            spaces (rule ``payment.reference``).
    """
    if not isinstance(reference, str) or not _REFERENCE.fullmatch(reference) or "\x00" in reference:
        raise RuleViolation(
            "payment.reference",
            f"payment reference {reference!r} must be 1-200 characters of text, not starting "
            "or ending with a space: the gateway's or bank's id of the payment",
        )
    return reference


def settle(
    amount: Money, invoices: Sequence[Invoice], *, first: str | None = None
) -> tuple[tuple[Invoice, ...], Money]:
    """Settle ``amount`` on the unpaid ``invoices``: the changed invoices and what is left.

    ``first`` (an invoice number) is settled first; then the others by due
    date, then number. Closed or paid invoices and those of another currency
    are passed over. What is left is above or equal to zero.

    Raises:
        RuleViolation: ``amount`` is not above zero (rule ``payment.amount``).
    """
    if amount.amount <= 0:
        raise RuleViolation("payment.amount", f"{amount} to settle must be above zero")
    left = amount
    changed: list[Invoice] = []
    order = sorted(
        (i for i in invoices if i.status in UNPAID and i.currency == amount.currency.code),
        key=lambda i: (i.number != first, i.due_on, i.number),
    )
    for invoice in order:
        if left.amount <= 0:
            break
        part = min(left, invoice.balance)
        if part.amount <= 0:
            continue
        changed.append(invoice.paid_with(part))
        left = left - part
    return tuple(changed), left


def credit_from_notes(invoices: Iterable[Invoice]) -> dict[tuple[str, str], Money]:
    """What the credit notes among ``invoices`` add to their customers' credit balances,
    by (customer id, currency): each note's total, turned positive.

    >>> from prodlife.billing import InvoiceLine, LineType
    >>> from prodlife.billing.invoices import InvoiceKey
    >>> from datetime import UTC, date, datetime
    >>> back = InvoiceLine("S-1", "C-1", LineType.RECURRING, "", "", "refund",
    ...                    Money("-4.50", "EUR"), day=date(2025, 3, 1), reverses=True)
    >>> note = Invoice.issue("CN-1", InvoiceKey("C-1", "EUR", date(2025, 3, 1), "card"),
    ...                      [back], datetime(2025, 3, 1, tzinfo=UTC))
    >>> {payer: str(amount) for payer, amount in credit_from_notes([note]).items()}
    {('C-1', 'EUR'): 'EUR 4.50'}
    """
    more: dict[tuple[str, str], Money] = {}
    for invoice in invoices:
        if invoice.is_credit_note:
            payer = (invoice.customer_id, invoice.currency)
            more[payer] = more.get(payer, Money.zero(invoice.currency)) - invoice.total
    return more
