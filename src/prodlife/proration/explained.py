"""A :class:`Quote`: explained lines that a person can check by hand, in any medium.

A quote is plain data (attrs values that prodlife's converter serializes);
it prints as a text table, renders as HTML in a notebook, turns into rows for
a DataFrame, and formats its amounts and dates for a locale through babel.
"""

from __future__ import annotations

import decimal
import html
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
import babel

from prodlife._fast import builder
from prodlife.clock import as_utc
from prodlife.errors import InvalidInstant
from prodlife.l10n import format_date, format_instant, format_money, format_number
from prodlife.limits import MAX_AMOUNT_DIGITS, MAX_YEAR, MIN_AMOUNT_EXPONENT, MIN_YEAR
from prodlife.money import CONTEXT, Currency, Money, _new, _to_currency, checked
from prodlife.periods import _require_date
from prodlife.proration._share import Charge, Line, LineKind, ProrationError, Span, charges_of

__all__ = ["Quote"]

_ZERO = Decimal(0)
_CREDIT = LineKind.CREDIT
_CHARGE = LineKind.CHARGE
_add = CONTEXT.add
_subtract = CONTEXT.subtract
_MICRO = Decimal("0.000001")
_COLUMNS = ("kind", "description", "from", "through", "units", "fraction", "exact", "amount")


def _point_text(point: date, locale: str | babel.Locale | None) -> str:
    if locale is None:
        return point.isoformat()
    if isinstance(point, datetime):
        return format_instant(point, "UTC", locale)
    return format_date(point, locale)


def _last_text(span: Span, locale: str | babel.Locale | None) -> str:
    """The last date covered (inclusive) for dates; the end instant for instants."""
    if isinstance(span.end, datetime):
        return _point_text(span.end, locale)
    return _point_text(span.end.fromordinal(span.end.toordinal() - 1), locale)


def _exact_text(amount: Decimal, locale: str | babel.Locale | None) -> str:
    """The exact amount, cut to 6 decimal places with an ellipsis when longer."""
    cut = amount.quantize(_MICRO, rounding=decimal.ROUND_DOWN, context=CONTEXT)
    if cut == amount:
        return str(amount) if locale is None else format_number(amount, locale)
    return (str(cut) if locale is None else format_number(cut, locale)) + "…"


def _operation(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise ProrationError(f"quote operation {value!r} must be text, e.g. 'plan change'")


def _lines(values: Iterable[Line]) -> tuple[Line, ...]:
    given: object = values
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise ProrationError(f"quote lines {given!r} must be a sequence of Lines")
    items: tuple[object, ...] = tuple(given)
    for item in items:
        if not isinstance(item, Line):
            raise ProrationError(f"quote line {item!r} is not a Line")
    return tuple(item for item in items if isinstance(item, Line))


def _next_due(instance: Any, attribute: Any, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        moment = as_utc(value)
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise InvalidInstant(
                value,
                f"next due {moment.isoformat()} is outside the years {MIN_YEAR}-{MAX_YEAR} "
                "(prodlife.limits.MIN_YEAR, MAX_YEAR)",
            )
    elif isinstance(value, date):
        _require_date(value, "next due date")
    else:
        raise ProrationError(f"next due {value!r} must be a date, an instant or None")


@attrs.frozen(slots=True)
class Quote:
    """The explained result of a proration operation.

    Attributes:
        operation: what was quoted ("plan change", "co-term", ...).
        currency: the currency of every line.
        lines: credits and charges, each with its working.
        next_due: the date (or instant) the next regular charge falls due
            after the operation, when the operation decides it.

    Raises:
        ProrationError: a field is not of its type, or a line is in another currency.
        UnknownCurrency: the currency is unknown.
        InvalidAmount: the net is beyond :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.
        InvalidPeriod, InvalidInstant: ``next_due`` is outside the years of
            :mod:`prodlife.limits`, or a naive datetime.
    """

    def __attrs_post_init__(self) -> None:
        for line in self.lines:
            if line.proration.price.currency != self.currency:
                raise ProrationError(
                    f"line {line.description!r} is in {line.proration.price.currency}, not in "
                    f"the quote's {self.currency}; quote each currency apart"
                )
        _ = self.net  # within the bounds of prodlife.limits, so the quote prints

    operation: str = attrs.field(validator=_operation)
    currency: Currency = attrs.field(converter=_to_currency)
    lines: tuple[Line, ...] = attrs.field(default=(), converter=_lines)
    next_due: date | None = attrs.field(default=None, validator=_next_due)

    @property
    def in_force(self) -> tuple[Charge, ...]:
        """What this quote's charge lines charge for, over their own dates.

        Pass them (with any charge still running) as ``charged`` to the next
        quote in the same period, so it credits what was actually charged.
        """
        return charges_of(self.lines)

    @property
    def net(self) -> Money:
        """Charges minus credits: positive when the customer owes money."""
        amount = _ZERO
        for line in self.lines:
            if line.kind is _CREDIT:
                amount = _subtract(amount, line.proration.amount.amount)
            else:
                amount = _add(amount, line.proration.amount.amount)
        if MIN_AMOUNT_EXPONENT <= amount.adjusted() < MAX_AMOUNT_DIGITS:
            return _new(amount, self.currency)
        return checked(amount, self.currency, "net")

    @property
    def credits(self) -> tuple[Line, ...]:
        """The credit lines."""
        return tuple(line for line in self.lines if line.kind is _CREDIT)

    @property
    def charges(self) -> tuple[Line, ...]:
        """The charge lines."""
        return tuple(line for line in self.lines if line.kind is _CHARGE)

    def as_rows(self) -> list[dict[str, object]]:
        """One dict per line, ready for ``pandas.DataFrame(quote.as_rows())``.

        Dates stay dates and amounts stay Decimals; the end date is exclusive
        (``to`` is the first date not covered).
        """
        rows: list[dict[str, object]] = []
        for line in self.lines:
            share = line.proration
            rows.append(
                {
                    "kind": line.kind.value,
                    "subject": line.subject,
                    "description": line.description,
                    "from": share.portion.start,
                    "to": share.portion.end,
                    "period_from": share.period.start,
                    "period_to": share.period.end,
                    "price": share.price.amount,
                    "units_used": share.used,
                    "units_total": share.total,
                    "convention": share.convention,
                    "fraction": share.fraction,
                    "exact": share.exact.amount,
                    "amount": line.amount.amount,
                    "currency": self.currency.code,
                }
            )
        return rows

    def _cells(self, locale: str | babel.Locale | None) -> list[tuple[str, ...]]:
        cells: list[tuple[str, ...]] = []
        for line in self.lines:
            share = line.proration
            amount = line.amount
            text = format_money(amount, locale) if locale else str(amount.amount)
            described = f"{line.subject}: {line.description}" if line.subject else line.description
            cells.append(
                (
                    line.kind.value,
                    described,
                    _point_text(share.portion.start, locale),
                    _last_text(share.portion, locale),
                    f"{share.used}/{share.total} {share.convention}",
                    str(share.fraction),
                    _exact_text(share.exact.amount, locale),
                    text,
                )
            )
        return cells

    def _net_text(self, locale: str | babel.Locale | None) -> str:
        return format_money(self.net, locale) if locale else str(self.net)

    def format(self, locale: str | babel.Locale | None = None) -> str:
        """The quote as a text table; amounts and dates for ``locale`` when given.

        The "through" column shows the last date covered (inclusive), as people
        read periods; :meth:`as_rows` keeps the exclusive end.
        """
        head = [f"{self.operation} ({self.currency.code})"]
        cells = self._cells(locale)
        widths = [
            max(len(title), *(len(row[i]) for row in cells)) if cells else len(title)
            for i, title in enumerate(_COLUMNS)
        ]

        def render(row: tuple[str, ...]) -> str:
            parts = []
            for i, cell in enumerate(row):
                align = cell.rjust if i >= 4 else cell.ljust
                parts.append(align(widths[i]))
            return "  ".join(parts).rstrip()

        lines = [*head, render(_COLUMNS), render(tuple("-" * w for w in widths))]
        lines += [render(row) for row in cells]
        lines.append(f"net: {self._net_text(locale)}")
        if self.next_due is not None:
            lines.append(f"next due: {_point_text(self.next_due, locale)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter notebooks."""
        head = "".join(f"<th>{html.escape(title)}</th>" for title in _COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
            for row in self._cells(None)
        )
        caption = html.escape(f"{self.operation} ({self.currency.code})")
        due = f"<p>next due: {html.escape(str(self.next_due))}</p>" if self.next_due else ""
        return (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody><tfoot><tr><td colspan='7'>net</td>"
            f"<td>{html.escape(str(self.net))}</td></tr></tfoot></table>{due}"
        )


#: Build a Quote from valid values (operation, currency, lines, next_due) whose net is
#: known to be within the bounds (no checks).
build_quote = builder(Quote, "operation", "currency", "lines", "next_due")


def make_quote(
    operation: str, currency: Currency, lines: tuple[Line, ...], next_due: date | None
) -> Quote:
    """Build a Quote from valid values, refusing one whose net is beyond the bounds.

    Raises:
        InvalidAmount: the net is beyond :data:`~prodlife.limits.MAX_AMOUNT_DIGITS`.
    """
    quote = build_quote(operation, currency, lines, next_due)
    _ = quote.net
    return quote
