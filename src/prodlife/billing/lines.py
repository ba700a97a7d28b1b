"""Billing lines: what the billing engine says a service owes, one explained line each.

A :class:`InvoiceLine` is one amount for one priced thing of a service (its
recurring price, an option, an add-on, a discount on one of those, a tax, a
one-time charge) over one span of one billing period. A line that pays for
part of a period carries the :class:`~prodlife.proration.Proration` that made
it (price of the whole period, the period, the part, units used / total,
exact and rounded amounts), so a person can check it by hand, and so the
engine can tell later what a span was invoiced at (:mod:`prodlife.billing.engine`).

A line that reverses part of an earlier line (a *repair*: the timeline
changed over a span already invoiced) has ``reverses=True`` and the opposite
sign of what it reverses. Lines of a service add up to what it owes.

>>> from datetime import date
>>> from prodlife import Money, Period
>>> from prodlife.proration import prorate
>>> january = Period(date(2025, 1, 1), date(2025, 2, 1))
>>> share = prorate(Money("31.00", "USD"), january, Period(date(2025, 1, 22), date(2025, 2, 1)))
>>> line = InvoiceLine("S-1", "C-1", LineType.RECURRING, "VPS", "", "VPS pro monthly",
...                    share.amount, share)
>>> print(line)
S-1 recurring VPS pro monthly [2025-01-22, 2025-02-01) 10/31 of USD 31.00 = USD 10.00
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from prodlife._enums import Labelled
from prodlife._tables import Row, html_table
from prodlife.errors import RuleViolation
from prodlife.money import Money, total
from prodlife.periods import Period
from prodlife.proration import Proration

__all__ = ["InvoiceLine", "LineType", "lines_as_rows", "lines_total"]


class LineType(Labelled):
    """What a billing line prices."""

    #: The service's recurring price (product, edition, cycle, quantity).
    RECURRING = "recurring"
    #: A configurable option's recurring price.
    OPTION = "option"
    #: An add-on's recurring price (on the add-on's own cycle).
    ADDON = "add-on"
    #: A promotion or additive discount taken off a recurring or one-time price.
    DISCOUNT = "discount"
    #: A tax added on top of a price (prices exclusive of tax).
    TAX = "tax"
    #: A one-time charge: a setup fee, a domain registration, a one-off sale.
    ONE_TIME = "one-time"


#: Line types whose amounts are taken off (never above zero unless reversed).
_NEGATIVE = frozenset({LineType.DISCOUNT})


@attrs.frozen(slots=True)
class InvoiceLine:
    """One explained amount a service owes (or is owed back).

    Args:
        service_id: the service billed.
        customer_id: who pays (the owner when the line was issued).
        type: what the line prices.
        subject: which priced thing of the service: the product code for its
            recurring price, the option's or add-on's code, or a one-time
            charge's code. A discount or tax line names the thing it is on.
        code: the discount's or tax's code; empty for other lines.
        description: what it is, in words.
        amount: what it costs; negative for a discount or a credit.
        proration: the working of a line for part (or all) of a billing period;
            ``None`` for a one-time charge.
        day: the day a one-time charge falls due; ``None`` for period lines.
        reverses: whether it reverses (credits back) part of earlier lines:
            a repair, issued because what a span is worth changed after it
            was invoiced.

    Raises:
        RuleViolation: the amount's sign does not fit the line (rule
            ``invoice-line.sign``), or a line has both or neither of
            ``proration`` and ``day`` (rule ``invoice-line.when``).
    """

    service_id: str
    customer_id: str
    type: LineType
    subject: str
    code: str
    description: str
    amount: Money
    proration: Proration | None = None
    day: date | None = None
    reverses: bool = False

    def __attrs_post_init__(self) -> None:
        if (self.proration is None) == (self.day is None):
            raise RuleViolation(
                "invoice-line.when",
                f"billing line {self.description!r} needs exactly one of a proration (a "
                "period line) and a day (a one-time charge)",
            )
        negative = (self.type in _NEGATIVE) != self.reverses
        sign = self.amount.amount
        if (negative and sign > 0) or (not negative and sign < 0):
            raise RuleViolation(
                "invoice-line.sign",
                f"a {'reversed ' if self.reverses else ''}{self.type} line of {self.amount}: "
                "charges are zero or more, discounts zero or less, and a reversal has the "
                "opposite sign",
            )

    @property
    def period(self) -> Period | None:
        """The dates the line pays for (the prorated part), or ``None`` for a one-time charge."""
        if self.proration is None:
            return None
        portion = self.proration.portion
        return portion if isinstance(portion, Period) else None

    @property
    def key(self) -> tuple[LineType, str, str]:
        """What the line is for: its type, subject and code (repairs match on it)."""
        return (self.type, self.subject, self.code)

    def __str__(self) -> str:
        share = self.proration
        back = " reversed" if self.reverses else ""
        text = f"{self.service_id} {self.type}{back} {self.description}"
        if share is None:
            return f"{text} on {self.day} {self.amount}"
        if share.used == share.total:
            return f"{text} {share.portion} {self.amount}"
        return f"{text} {share.portion} {share.used}/{share.total} of {share.price} = {self.amount}"

    def __repr__(self) -> str:
        return f"<InvoiceLine {self}>"

    def as_row(self) -> Row:
        """The line as one row for a table (amounts as ``Decimal``; see :meth:`as_rows`).

        Columns: service, customer, type, description, start, end (excluded),
        used, total, convention, price, amount, currency, reverses. A one-time
        charge has its day as ``start`` and no units.
        """
        share = self.proration
        period = self.period
        return {
            "service": self.service_id,
            "customer": self.customer_id,
            "type": self.type.value,
            "description": self.description,
            "start": self.day if period is None else period.start,
            "end": None if period is None else period.end,
            "used": None if share is None else share.used,
            "total": None if share is None else share.total,
            "convention": None if share is None else share.convention,
            "price": None if share is None else share.price.amount,
            "amount": self.amount.amount,
            "currency": self.amount.currency.code,
            "reverses": self.reverses,
        }

    def as_rows(self) -> list[Row]:
        """The line as a list of one row, for ``pandas.DataFrame(line.as_rows())``.

        >>> from prodlife import Money, Period
        >>> from prodlife.proration import prorate
        >>> share = prorate(Money("31.00", "USD"), Period(date(2025, 1, 1), date(2025, 2, 1)),
        ...                 Period(date(2025, 1, 22), date(2025, 2, 1)))
        >>> line = InvoiceLine("S-1", "C-1", LineType.RECURRING, "VPS", "", "VPS", share.amount,
        ...                    share)
        >>> row = line.as_rows()[0]
        >>> row["used"], row["total"], row["amount"]
        (10, 31, Decimal('10.00'))
        """
        return [self.as_row()]

    def _repr_html_(self) -> str:
        return html_table(self.as_rows())


def lines_as_rows(lines: Iterable[InvoiceLine]) -> list[Row]:
    """One row per line (see :meth:`InvoiceLine.as_row`), for ``pandas.DataFrame``."""
    return [line.as_row() for line in lines]


def lines_total(lines: Iterable[InvoiceLine]) -> Money | None:
    """What ``lines`` add up to, or ``None`` for no lines.

    Raises:
        CurrencyMismatch: the lines are in several currencies.
    """
    amounts = [line.amount for line in lines]
    return total(amounts, amounts[0].currency) if amounts else None
