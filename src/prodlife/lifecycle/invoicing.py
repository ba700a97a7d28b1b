"""Invoice lines: the money a lifecycle operation moves, one line per reason.

prodlife does not keep invoices (the host's billing does); each operation that
moves money returns :class:`InvoiceLine` values: a renewal's recurring charge,
a plan change's credit and charge, a refund, a co-terming stub. A credit is a
negative amount, so the lines of one operation add up to what it costs.

>>> from datetime import date
>>> from prodlife import Money, Period
>>> line = InvoiceLine(
...     "S-1", "C-1", InvoiceLineKind.RECURRING, "VPS monthly", Money("10.00", "USD"),
...     Period(date(2025, 2, 1), date(2025, 3, 1)),
... )
>>> print(line)
S-1 recurring VPS monthly [2025-02-01, 2025-03-01) USD 10.00
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from prodlife.catalog.subscriptions import BillingTiming
from prodlife.errors import RuleViolation
from prodlife.money import Money, total
from prodlife.periods import Period
from prodlife.pricing.quote import PriceLineKind, PriceQuote
from prodlife.proration import LineKind as QuoteLineKind
from prodlife.proration import Quote

if TYPE_CHECKING:
    from prodlife.lifecycle.services import Service

__all__ = [
    "InvoiceLine",
    "InvoiceLineKind",
    "first_invoice_lines",
    "lines_from_quote",
    "lines_total",
]


class InvoiceLineKind(enum.Enum):
    """Why an invoice line exists."""

    #: A whole period of the recurring price (renewal, invoice early).
    RECURRING = "recurring"
    #: A prorated charge: the new plan's share of a period, a co-terming stub.
    PRORATED_CHARGE = "prorated charge"
    #: A prorated credit: the unused share of what was charged.
    PRORATED_CREDIT = "prorated credit"
    #: Money back on cancellation or termination.
    REFUND = "refund"
    #: Charged once: an add-on's or a domain's first period, a setup fee.
    ONE_TIME = "one-time"
    #: A promotion's discount on an order (negative).
    DISCOUNT = "discount"
    #: Tax added on top of a price.
    TAX = "tax"

    def __str__(self) -> str:
        return self.value


_CREDITS = frozenset(
    {InvoiceLineKind.PRORATED_CREDIT, InvoiceLineKind.REFUND, InvoiceLineKind.DISCOUNT}
)


@attrs.frozen(slots=True)
class InvoiceLine:
    """One line of an invoice, for one service.

    Args:
        service_id: what is billed: the service, or for a one-off sale the
            job's or activity's id (:mod:`prodlife.pricing.one_off`).
        customer_id: who pays (the owner at the time; a transfer does not move
            lines already issued).
        kind: why it is billed.
        description: what it is, in words.
        amount: what it costs; negative for a credit or refund.
        period: the dates it pays for, if any.
        subject: what part of the service it is for (an add-on's code, an
            option's code), empty for the service itself.

    Raises:
        RuleViolation: a credit or refund that is positive, or a charge that
            is negative (rule ``invoice-line.sign``).
    """

    service_id: str
    customer_id: str
    kind: InvoiceLineKind
    description: str
    amount: Money
    period: Period | None = None
    subject: str = ""

    def __attrs_post_init__(self) -> None:
        credit = self.kind in _CREDITS
        if (credit and self.amount.amount > 0) or (not credit and self.amount.amount < 0):
            raise RuleViolation(
                "invoice-line.sign",
                f"a {self.kind} line of {self.amount}: credits and refunds are negative, "
                "charges are zero or more",
            )

    def __str__(self) -> str:
        period = "" if self.period is None else f" {self.period}"
        subject = f" [{self.subject}]" if self.subject else ""
        return f"{self.service_id} {self.kind} {self.description}{subject}{period} {self.amount}"


def lines_from_quote(
    quote: Quote, service_id: str, customer_id: str, *, refund: bool = False
) -> tuple[InvoiceLine, ...]:
    """The invoice lines of a proration quote: its credits negative, its charges positive.

    Args:
        quote: a quote from :mod:`prodlife.proration`.
        service_id: the service billed.
        customer_id: who pays.
        refund: whether the credits are refunds (cancellation, termination).
    """
    credit_kind = InvoiceLineKind.REFUND if refund else InvoiceLineKind.PRORATED_CREDIT
    made = []
    for line in quote.lines:
        portion = line.proration.portion
        period = portion if isinstance(portion, Period) else None
        kind = credit_kind if line.kind is QuoteLineKind.CREDIT else InvoiceLineKind.PRORATED_CHARGE
        made.append(
            InvoiceLine(
                service_id, customer_id, kind, line.description, line.amount, period, line.subject
            )
        )
    return tuple(made)


_FIRST_KINDS = {
    PriceLineKind.RECURRING: InvoiceLineKind.RECURRING,
    PriceLineKind.OPTION: InvoiceLineKind.RECURRING,
    PriceLineKind.ADDON: InvoiceLineKind.RECURRING,
    PriceLineKind.SETUP: InvoiceLineKind.ONE_TIME,
    PriceLineKind.DISCOUNT: InvoiceLineKind.DISCOUNT,
    PriceLineKind.TAX: InvoiceLineKind.TAX,
}


def first_invoice_lines(service: Service, quote: PriceQuote) -> tuple[InvoiceLine, ...]:
    """The invoice lines of a newly ordered ``service``, from its order line's ``quote``.

    Recurring, option and add-on lines pay for the first period (from the
    start to the next due date); setup fees are one-time; discounts are
    negative; taxes are their own lines. Zero lines are left out.

    A service invoiced in arrears pays for its periods when they end, so its
    first invoice holds only the setup fees and the add-ons (which are
    invoiced in advance); the quote's discounts and taxes are not carried
    over to it.
    """
    lines, first_end = quote.lines, service.next_due
    if service.billing_timing is BillingTiming.IN_ARREARS:
        lines = tuple(line for line in lines if line.kind in _ORDERED_IN_ARREARS)
        first_end = None if first_end is None else service.due_date(1)
    period = None if first_end is None else Period(service.start, first_end)
    return tuple(
        InvoiceLine(
            service.id,
            service.customer_id,
            _FIRST_KINDS[line.kind],
            line.description,
            line.amount,
            period if _FIRST_KINDS[line.kind] is InvoiceLineKind.RECURRING else None,
            line.subject if line.subject != service.product_code else "",
        )
        for line in lines
        if line.amount.amount
    )


#: What the order of a service in arrears invoices: its setup fees and add-ons.
_ORDERED_IN_ARREARS = frozenset({PriceLineKind.SETUP, PriceLineKind.ADDON})


def lines_total(lines: Iterable[InvoiceLine]) -> Money | None:
    """What ``lines`` add up to, or ``None`` for no lines.

    Raises:
        CurrencyMismatch: the lines are in several currencies.
    """
    amounts = [line.amount for line in lines]
    return total(amounts, amounts[0].currency) if amounts else None
