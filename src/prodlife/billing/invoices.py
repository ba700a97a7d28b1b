# Over 400 lines: an invoice and what makes one (its numbering series, the policy, the
# grouping of lines and their due dates) are one subject a host reads together.
"""Invoices: the billing engine's lines grouped into numbered documents a customer pays.

The engine (:mod:`prodlife.billing.engine`) says what each service owes, line
by line. An :class:`Invoice` is what a customer is asked to pay: the lines of
one customer in one currency that fall due on the same day and are paid the
same way (seed 003), unless a service is invoiced on its own ("separate
invoices"). :func:`group_lines` makes those groups; :class:`NumberSeries`
numbers them.

Decisions:

- **Due date.** A line falls due when the span it bills begins (a renewal
  invoiced ahead is due when its period starts), and never before it is
  issued plus :attr:`InvoicePolicy.net_days` (an upgrade's charge, a repair's
  credit, a line billed in arrears are due when issued).
- **Invoices are issued final.** Lines go on an invoice in the transaction that
  issues them; the invoice is numbered there and then (:class:`NumberSeries`)
  and is never edited afterwards except to record what was paid, or to close
  it: :attr:`InvoiceStatus.VOID` (a mistake, or a cancelled service's unpaid
  invoice) or :attr:`InvoiceStatus.UNCOLLECTIBLE` (written off). Invoices are
  never deleted.
- **Credit notes.** An invoice whose lines add up to less than zero (repairs
  crediting more than the transaction charges) is a *credit note*: numbered in
  the credit-note series, settled as soon as issued, its amount added to the
  customer's credit balance (:mod:`prodlife.billing.payments`).

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.billing import InvoiceLine, LineType
>>> fee = InvoiceLine("S-1", "C-1", LineType.ONE_TIME, "SETUP", "", "setup",
...                   Money("5.00", "EUR"), day=date(2025, 1, 1))
>>> [(key.due_on, len(lines)) for key, lines in group_lines([fee], {"S-1": ("card", False)},
...                                                          date(2025, 1, 1))]
[(datetime.date(2025, 1, 1), 1)]
>>> invoice = Invoice.issue("INV-000001", InvoiceKey("C-1", "EUR", date(2025, 1, 1), "card"),
...                         [fee], datetime(2025, 1, 1, tzinfo=UTC))
>>> print(invoice.status, invoice.total, invoice.balance)
open EUR 5.00 EUR 5.00
>>> print(invoice.paid_with(Money("5.00", "EUR")).status)
paid
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

import attrs

from prodlife._enums import Labelled
from prodlife._numbers import is_whole
from prodlife._tables import Row, html_table
from prodlife.billing.lines import InvoiceLine, LineType, lines_as_rows
from prodlife.clock import as_utc
from prodlife.errors import RuleViolation
from prodlife.money import Money, total

__all__ = [
    "Invoice",
    "InvoiceKey",
    "InvoicePolicy",
    "InvoiceStatus",
    "NumberSeries",
    "group_lines",
    "line_due_on",
    "oldest_due",
]


class InvoiceStatus(Labelled):
    """Where an invoice stands.

    prodlife issues invoices final, in the transaction that issues their lines
    (``OPEN``, or ``PAID`` when nothing is left to pay): there is no draft to
    finish, so nothing between issuing and numbering can be lost.
    """

    OPEN = "open"
    PARTIALLY_PAID = "partially paid"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


#: The statuses of an invoice that still waits for money.
UNPAID = frozenset({InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID})
#: The statuses an invoice cannot leave.
CLOSED = frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE})

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_FIELDS = frozenset({"series", "year", "number"})
#: Counts a number format must tell apart: short and long, and where text
#: padding, float presentation or truncation would merge them.
_PROBES = (1, 2, 10, 11, 100, 10**6, 10**6 + 1, 2**53, 2**53 + 1)


@attrs.frozen(slots=True)
class NumberSeries:
    """How the invoices of one series are numbered: ``INV-2026-000123``.

    The store counts per series name (:meth:`prodlife.ports.InvoiceRepository.next_number`),
    inside the transaction that issues the invoice, so a rolled-back
    transaction takes no number; :attr:`format` turns the count into text.

    Args:
        name: the series (letters, digits, ``_.-``; at most 32).
        format: a :meth:`str.format` pattern over ``series``, ``year`` (of the
            issue date) and ``number``.

    Raises:
        RuleViolation: a bad name or format (rule ``invoice.series``).

    >>> NumberSeries("INV").number(123, date(2026, 3, 1))
    'INV-2026-000123'
    """

    name: str = "INV"
    format: str = "{series}-{year}-{number:06d}"

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise RuleViolation(
                "invoice.series",
                f"series name {self.name!r} must be 1-32 letters, digits, '_', '.' or '-', "
                "starting with a letter or digit",
            )
        if not isinstance(self.format, str) or "{number" not in self.format:
            raise RuleViolation(
                "invoice.series",
                f"number format {self.format!r} must be text holding {{number}}",
            )
        try:
            texts = {self.format.format(series=self.name, year=2026, number=n) for n in _PROBES}
        except (LookupError, ValueError, TypeError, AttributeError, ArithmeticError) as error:
            raise RuleViolation(
                "invoice.series",
                f"number format {self.format!r} cannot be filled ({error}); use the fields "
                f"{', '.join(sorted(_FIELDS))}",
            ) from None
        if len(texts) < len(_PROBES):
            raise RuleViolation(
                "invoice.series",
                f"number format {self.format!r} gives two invoices the same number; show "
                "{number} as a whole number, e.g. {number:06d}",
            )

    def number(self, count: int, issued_on: date) -> str:
        """The text of the ``count``-th invoice of the series, issued on ``issued_on``."""
        return self.format.format(series=self.name, year=issued_on.year, number=count)


@attrs.frozen(slots=True)
class InvoicePolicy:
    """How a provider issues invoices.

    Args:
        series: the invoices' numbering.
        credit_notes: the credit notes' numbering.
        net_days: days after the issue date before a line billed for a span
            that has begun falls due (0: on the day).
    """

    series: NumberSeries = NumberSeries()
    credit_notes: NumberSeries = NumberSeries("CN")
    net_days: int = 0

    def series_for(self, lines: Iterable[InvoiceLine]) -> NumberSeries:
        """The series of an invoice of ``lines``: credit notes' when they add up below zero."""
        below = sum(line.amount.amount for line in lines) < 0
        return self.credit_notes if below else self.series

    def __attrs_post_init__(self) -> None:
        days = self.net_days
        if not is_whole(days, 0, 3660):
            raise RuleViolation(
                "invoice.net-days", f"net days {days!r} must be a whole number from 0 to 3660"
            )


@attrs.frozen(slots=True, order=True)
class InvoiceKey:
    """What puts lines on the same invoice (seed 003's grouping).

    Args:
        customer_id: who pays.
        currency: the lines' currency code.
        due_on: the day they fall due.
        payment_method: how the customer pays them.
        separate: the service's id when it is invoiced on its own, else empty.
    """

    customer_id: str
    currency: str
    due_on: date
    payment_method: str
    separate: str = ""


def line_due_on(line: InvoiceLine, issued_on: date, net_days: int = 0) -> date:
    """The day ``line`` falls due: when the span it bills begins, at the earliest
    ``net_days`` after ``issued_on``."""
    period = line.period
    start = line.day if period is None else period.start
    if start is None:
        raise RuleViolation(
            "invoice.lines",
            f"line {line.description!r} bills a span of instants; invoice lines bill "
            "periods of billing dates or one day",
        )
    return max(start, issued_on + timedelta(days=net_days))


def oldest_due(invoices: Iterable[Invoice]) -> date | None:
    """The earliest due date of ``invoices`` (a service's unpaid ones: where dunning counts
    from), or ``None`` for none."""
    return min((invoice.due_on for invoice in invoices), default=None)


def group_lines(
    lines: Iterable[InvoiceLine],
    payers: Mapping[str, tuple[str, bool]],
    issued_on: date,
    net_days: int = 0,
) -> list[tuple[InvoiceKey, tuple[InvoiceLine, ...]]]:
    """``lines`` grouped into invoices, by key, keys in order.

    Args:
        payers: for each service id, its payment method and whether it is
            invoiced separately.
        issued_on: the billing date the lines are issued on.

    Raises:
        KeyError: a line's service is not in ``payers``.
    """
    groups: dict[InvoiceKey, list[InvoiceLine]] = {}
    for line in lines:
        method, separate = payers[line.service_id]
        key = InvoiceKey(
            line.customer_id,
            line.amount.currency.code,
            line_due_on(line, issued_on, net_days),
            method,
            line.service_id if separate else "",
        )
        groups.setdefault(key, []).append(line)
    return [(key, tuple(groups[key])) for key in sorted(groups)]


def _lines(values: Iterable[InvoiceLine]) -> tuple[InvoiceLine, ...]:
    return tuple(values)


def _sum(lines: Iterable[InvoiceLine], currency: str) -> Money:
    return total((line.amount for line in lines), currency)


@attrs.frozen(slots=True)
class Invoice:
    """One numbered invoice (or credit note): a customer's lines due together.

    Args:
        number: unique in the store, from its :class:`NumberSeries`.
        customer_id: who pays.
        currency: the currency code of every amount on it.
        issued_on: the billing date it was issued on.
        due_on: when it falls due.
        payment_method: how the customer pays it.
        lines: the engine's lines, each with its service, period and explanation.
        issued_at: the instant it was issued (aware UTC).
        separate: the service invoiced on its own, or empty.
        paid: what payments and credit have settled of it so far.
        closed: ``VOID`` or ``UNCOLLECTIBLE`` once closed so, else ``None``.
        note: why it was closed, or any remark.
        version: 1 when issued, one more at each save.

    Raises:
        RuleViolation: lines of another customer or currency, no lines, or
            ``paid`` beyond the total (rule ``invoice.lines``, ``invoice.paid``).
    """

    number: str
    customer_id: str
    currency: str
    issued_on: date
    due_on: date
    payment_method: str
    lines: tuple[InvoiceLine, ...] = attrs.field(converter=_lines)
    issued_at: datetime
    separate: str = ""
    paid: Money | None = None
    closed: InvoiceStatus | None = None
    note: str = ""
    version: int = 1
    #: :attr:`total`, added up once (the lines never change).
    _total: Money = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise RuleViolation("invoice.lines", f"invoice {self.number} has no lines")
        for line in self.lines:
            if line.customer_id != self.customer_id or line.amount.currency.code != self.currency:
                raise RuleViolation(
                    "invoice.lines",
                    f"invoice {self.number} is {self.customer_id}'s in {self.currency}; a line "
                    f"of {line.customer_id} in {line.amount.currency} cannot go on it",
                )
        object.__setattr__(self, "_total", _sum(self.lines, self.currency))
        if self.closed not in (None, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE):
            raise RuleViolation(
                "invoice.status",
                f"an invoice is closed as void or uncollectible, not {self.closed}",
            )
        paid = self.amount_paid
        wrong = paid.currency.code != self.currency
        if wrong or paid.amount < 0 or (paid.amount > 0 and paid > self.total):
            raise RuleViolation(
                "invoice.paid",
                f"invoice {self.number} totals {self.total}; {paid} cannot have been paid on it",
            )

    @classmethod
    def issue(
        cls,
        number: str,
        key: InvoiceKey,
        lines: Sequence[InvoiceLine],
        at: datetime,
        issued_on: date | None = None,
    ) -> Invoice:
        """A new invoice of ``lines`` under ``key``; a credit note (total below zero) is
        settled at once (its amount goes to the customer's credit balance)."""
        at = as_utc(at)
        return cls(
            number,
            key.customer_id,
            key.currency,
            at.date() if issued_on is None else issued_on,
            key.due_on,
            key.payment_method,
            lines,
            at,
            key.separate,
        )

    # --- amounts ------------------------------------------------------------------------------

    @property
    def subtotal(self) -> Money:
        """The charges and their repairs: every line but discounts and taxes."""
        return _sum(
            (x for x in self.lines if x.type not in (LineType.DISCOUNT, LineType.TAX)),
            self.currency,
        )

    @property
    def discounts(self) -> Money:
        """The discount lines (zero or less)."""
        return _sum((x for x in self.lines if x.type is LineType.DISCOUNT), self.currency)

    @property
    def taxes(self) -> Money:
        """The tax lines."""
        return _sum((x for x in self.lines if x.type is LineType.TAX), self.currency)

    @property
    def total(self) -> Money:
        """What the invoice asks for: subtotal + discounts + taxes (below zero: a credit note)."""
        return self._total

    @property
    def amount_paid(self) -> Money:
        """What has been settled of it (zero for a credit note)."""
        return Money.zero(self.currency) if self.paid is None else self.paid

    @property
    def balance(self) -> Money:
        """What is still owed on it: zero once paid, closed, or for a credit note."""
        if self.closed is not None or self.is_credit_note:
            return Money.zero(self.currency)
        return self.total - self.amount_paid

    @property
    def is_credit_note(self) -> bool:
        """Whether its lines add up to less than zero."""
        return self.total.amount < 0

    @property
    def status(self) -> InvoiceStatus:
        """Open, partially paid, paid (or a settled credit note), void or uncollectible."""
        if self.closed is not None:
            return self.closed
        if self.is_credit_note or self.amount_paid >= self.total:
            return InvoiceStatus.PAID
        return InvoiceStatus.PARTIALLY_PAID if self.amount_paid.amount > 0 else InvoiceStatus.OPEN

    @property
    def service_ids(self) -> tuple[str, ...]:
        """The services it bills, in line order, once each."""
        return tuple(dict.fromkeys(line.service_id for line in self.lines))

    def is_overdue(self, day: date) -> bool:
        """Whether money is still owed on it after its due date, on ``day``."""
        return self.status in UNPAID and day > self.due_on

    # --- changes ------------------------------------------------------------------------------

    def _open(self, what: str) -> None:
        if self.status in CLOSED:
            raise RuleViolation(
                "invoice.closed",
                f"invoice {self.number} is {self.status}; it cannot be {what}. Record the "
                "money on another invoice or as the customer's credit",
            )

    def paid_with(self, amount: Money) -> Invoice:
        """This invoice with ``amount`` more settled on it.

        Raises:
            RuleViolation: it is closed (rule ``invoice.closed``), or ``amount``
                is not above zero or beyond the balance (rule ``invoice.paid``).
        """
        self._open("paid")
        if amount.amount <= 0 or amount > self.balance:
            raise RuleViolation(
                "invoice.paid",
                f"invoice {self.number} owes {self.balance}; {amount} cannot be settled on it",
            )
        return attrs.evolve(self, paid=self.amount_paid + amount)

    def refunded(self, amount: Money) -> Invoice:
        """This invoice with ``amount`` of what was paid on it given back.

        Raises:
            RuleViolation: ``amount`` is not above zero or more than was paid
                (rule ``invoice.refund``).
        """
        if amount.amount <= 0 or amount > self.amount_paid:
            raise RuleViolation(
                "invoice.refund",
                f"invoice {self.number} was paid {self.amount_paid}; {amount} cannot be "
                "refunded on it",
            )
        return attrs.evolve(self, paid=self.amount_paid - amount)

    def closed_as(self, status: InvoiceStatus, note: str) -> Invoice:
        """This invoice voided or written off, with why.

        What was paid on it stays paid (refund it, or move it to the
        customer's credit, before closing).

        Raises:
            RuleViolation: it is paid or closed already (rule ``invoice.closed``),
                or ``status`` is not void or uncollectible (rule ``invoice.status``).
        """
        self._open(f"marked {status}")
        return attrs.evolve(self, closed=status, note=note)

    def restored(self, note: str) -> Invoice:
        """A voided invoice open again (a cancellation withdrawn, seed 003).

        Raises:
            RuleViolation: it is not void (rule ``invoice.closed``).
        """
        if self.closed is not InvoiceStatus.VOID:
            raise RuleViolation(
                "invoice.closed", f"invoice {self.number} is {self.status}; only a void one reopens"
            )
        return attrs.evolve(self, closed=None, note=note)

    def __str__(self) -> str:
        return (
            f"invoice {self.number} of {self.customer_id} due {self.due_on}: {self.total} "
            f"({self.status}, {self.balance} owed)"
        )

    def __repr__(self) -> str:
        return f"<Invoice {self}>"

    def as_rows(self) -> list[Row]:
        """Its lines as rows (see :meth:`InvoiceLine.as_row
        <prodlife.billing.InvoiceLine.as_row>`), each with the invoice's number, for
        ``pandas.DataFrame(invoice.as_rows())``."""
        return [{"invoice": self.number, **row} for row in lines_as_rows(self.lines)]

    def _repr_html_(self) -> str:
        return html_table(self.as_rows(), caption=str(self))
