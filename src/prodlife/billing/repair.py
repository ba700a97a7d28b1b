"""Repairs: what was invoiced for each thing billed, against what it is worth now.

For one thing billed (a line key), :func:`reconcile` compares, day by day, the
rate each day was invoiced at (the lines already issued, reversals netted)
with the rate the timeline proposes, and turns each difference into a
reversal of what was invoiced (prorated against its own period and price) and
a charge of the new rate, merging consecutive days into one line each.
:func:`reconcile_points` does the same for one-time charges, day by day.
Used by :func:`~prodlife.billing.engine.lines_due`.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs

from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.billing.timeline import Timeline
from prodlife.money import Currency, Money
from prodlife.periods import Period
from prodlife.proration import prorate

__all__ = ["Key", "Piece", "Point", "reconcile", "reconcile_points"]

#: (type, subject, code): what a line bills.
Key = tuple[LineType, str, str]


@attrs.frozen(slots=True)
class Piece:
    """A proposed rate over ``span``, a part of billing period ``period``."""

    period: Period
    span: Period
    rate: Decimal
    description: str
    #: Whether it is due; a piece that is not (past what is due, but invoiced already)
    #: keeps what was invoiced when it is worth the same, and is credited otherwise.
    due: bool = True


@attrs.frozen(slots=True)
class Point:
    """A proposed one-time amount."""

    day: date
    amount: Decimal
    description: str


#: An invoiced period line: its period, span, signed rate, description, customer, signed
#: amount.
Invoiced = tuple[Period, Period, Decimal, str, str, Decimal]
#: An invoiced one-time line: its day, signed amount, description, customer.
InvoicedPoint = tuple[date, Decimal, str, str]


def reconcile(
    timeline: Timeline,
    key: Key,
    invoiced: Sequence[Invoiced],
    proposed: Sequence[Piece],
    low: date,
    currency: Currency,
    beneath: Sequence[Invoiced] = (),
) -> list[InvoiceLine]:
    """The lines that make what was ``invoiced`` for ``key`` what the ``proposed`` pieces
    say it is worth.

    ``beneath``: for a discount or tax, the invoiced lines of the charge it is on; a
    piece not due yet over a span they invoice (ahead) is billed now, with its charge.
    """
    if beneath:
        proposed = [
            attrs.evolve(piece, due=True)
            if not piece.due and _charged_over(beneath, piece.period, piece.span)
            else piece
            for piece in proposed
        ]
    if _same(invoiced, proposed):
        return []
    # The common case: what was invoiced is proposed again as it is, and new pieces follow.
    invoiced_as_is = {(period, span, rate) for period, span, rate, *_ in invoiced}
    if len(invoiced_as_is) == len(invoiced):
        proposed_as = {(p.period, p.span, p.rate) for p in proposed}
        if invoiced_as_is <= proposed_as:
            rest = [p for p in proposed if (p.period, p.span, p.rate) not in invoiced_as_is]
            if not _overlapping(invoiced, rest):
                return _charge_all(timeline, key, rest, currency)
    cuts: set[date] = set()
    for _, span, *_ in invoiced:
        cuts.update((max(span.start, low), span.end))
    for piece in proposed:
        cuts.update((piece.span.start, piece.span.end))
    bounds = sorted(day for day in cuts if day >= low)
    # Per elementary span: what it was invoiced at (rate per billing period, reversals
    # netted) against what it is worth; every difference is a reversal of the first and
    # a charge of the second, merged with the same reversal or charge of the span before.
    credits: list[_Run] = []
    charges: list[_Run] = []
    kept: set[Period] = set()  # periods some day of which stays invoiced as it was
    for start, end in itertools.pairwise(bounds):
        had: dict[Period, Decimal] = {}
        for period, span, rate, *_ in invoiced:
            if span.start <= start and end <= span.end:
                had[period] = had.get(period, Decimal(0)) + rate
        had = {period: rate for period, rate in had.items() if rate}
        covering = [p for p in proposed if p.span.start <= start and end <= p.span.end]
        wants = {piece.period: piece.rate for piece in covering}
        kept.update(period for period, rate in had.items() if wants.get(period) == rate)
        if had == wants:
            continue
        if not all(piece.due for piece in covering):
            # Not due yet: a period invoiced as it is proposed is repaired in place; what no
            # longer holds otherwise (a new schedule) is reversed, its new periods billed when due.
            invoiced_periods = {
                period for period, span, *_ in invoiced if span.start <= start and end <= span.end
            }
            wants = {p: rate for p, rate in wants.items() if p in invoiced_periods}
            kept.update(period for period, rate in had.items() if wants.get(period) == rate)
            if had == wants:
                continue
        for period in had.keys() | wants.keys():
            old, new = had.get(period, Decimal(0)), wants.get(period, Decimal(0))
            if old == new:
                continue
            if old:
                _extend(credits, period, old, start, end)
            if new:
                _extend(charges, period, new, start, end)
    out: list[InvoiceLine] = []
    for run in credits:
        span = Period(run.start, run.end)
        description, customer = _described(invoiced, run.period, span, timeline.customer_id)
        out.append(_line(timeline, key, run, description, currency, customer, reverses=True))
    cleared = {run.period for run in credits} - kept - {run.period for run in charges}
    out = _within_invoiced(out, invoiced, cleared, -1 if key[0] is LineType.DISCOUNT else 1)
    for run in charges:
        description = next(
            p.description
            for p in proposed
            if p.period == run.period and p.span.start <= run.start < p.span.end
        )
        out.append(_line(timeline, key, run, description, currency))
    return out


def _within_invoiced(
    credits: list[InvoiceLine], invoiced: Sequence[Invoiced], cleared: set[Period], sign: int
) -> list[InvoiceLine]:
    """``credits`` giving back, per period, no more than was invoiced for it, and exactly
    that when none of it stays invoiced (``cleared``); ``sign`` is -1 for a discount's
    lines (invoiced below zero, reversed above), 1 for the others.

    Each reversal is prorated and rounded on its own, so the parts of one invoiced line
    reversed at different times could otherwise add up to a minor unit more (or less)
    than the line: the last reversal of a period takes what is left.
    """
    net: dict[Period, Decimal] = {}
    for period, _, _, _, _, amount in invoiced:
        net[period] = net.get(period, Decimal(0)) + amount * sign
    given: dict[Period, Decimal] = {}
    for line in credits:
        period = _period_of(line)
        given[period] = given.get(period, Decimal(0)) - line.amount.amount * sign
    out = list(credits)
    for period, total in given.items():
        left = max(net.get(period, Decimal(0)), Decimal(0))
        target = left if period in cleared else min(total, left)
        excess = total - target
        for index in range(len(out) - 1, -1, -1):
            if excess == 0:
                break
            line = out[index]
            if _period_of(line) != period:
                continue
            size = -line.amount.amount * sign
            change = min(excess, size) if excess > 0 else excess
            out[index] = _resized(line, (size - change) * sign)
            excess -= change
    return out  # a reversal of zero stays: it records which days no longer hold the rate


def _period_of(line: InvoiceLine) -> Period:
    share = line.proration
    assert share is not None and isinstance(share.period, Period)  # a period line
    return share.period


def _resized(line: InvoiceLine, size: Decimal) -> InvoiceLine:
    """A reversal ``line`` reversing ``size`` (signed as the lines it reverses) instead."""
    share = line.proration
    assert share is not None
    amount = Money(size, line.amount.currency)
    return attrs.evolve(line, amount=-amount, proration=attrs.evolve(share, amount=amount))


def _charged_over(beneath: Sequence[Invoiced], period: Period, span: Period) -> bool:
    """Whether the charge lines ``beneath`` leave ``span`` of ``period`` invoiced (their
    rates over it, reversals netted, are not zero)."""
    net = Decimal(0)
    for invoiced_period, invoiced, rate, *_ in beneath:
        if invoiced_period == period and invoiced.start <= span.start and span.end <= invoiced.end:
            net += rate
    return net != 0


def _charge_all(
    timeline: Timeline, key: Key, proposed: Sequence[Piece], currency: Currency
) -> list[InvoiceLine]:
    """Nothing was invoiced for ``key``: each due piece is charged (the common case)."""
    runs: list[_Run] = []
    descriptions: dict[tuple[Period, Decimal, date], str] = {}
    for piece in sorted(proposed, key=lambda p: p.span.start):
        if piece.due and piece.rate:
            _extend(runs, piece.period, piece.rate, piece.span.start, piece.span.end)
            descriptions.setdefault((piece.period, piece.rate, piece.span.start), piece.description)
    return [
        _line(timeline, key, run, descriptions[(run.period, run.rate, run.start)], currency)
        for run in runs
    ]


def _line(
    timeline: Timeline,
    key: Key,
    run: _Run,
    description: str,
    currency: Currency,
    customer: str | None = None,
    *,
    reverses: bool = False,
) -> InvoiceLine:
    """The line that charges ``run`` (or reverses it, for ``customer`` who was invoiced it)."""
    share = prorate(
        Money(run.rate, currency),
        run.period,
        Period(run.start, run.end),
        timeline.day_count,
        rounding=timeline.rounding,
    )
    type_, subject, code = key
    return InvoiceLine(
        timeline.service_id,
        timeline.customer_id if customer is None else customer,
        type_,
        subject,
        code,
        description,
        -share.amount if reverses else share.amount,
        share,
        reverses=reverses,
    )


@attrs.define(slots=True)
class _Run:
    """A span to reverse or charge at one rate of one billing period."""

    period: Period
    rate: Decimal
    start: date
    end: date


def _extend(runs: list[_Run], period: Period, rate: Decimal, start: date, end: date) -> None:
    """Add ``[start, end)`` at ``rate`` of ``period`` to ``runs``, joining the run it continues."""
    for run in reversed(runs):
        if run.period == period and run.rate == rate and run.end == start:
            run.end = end
            return
    runs.append(_Run(period, rate, start, end))


def _overlapping(invoiced: Sequence[Invoiced], proposed: Sequence[Piece]) -> bool:
    """Whether a proposed piece shares a day with something invoiced."""
    return any(
        piece.span.start < span.end and span.start < piece.span.end
        for _, span, *_ in invoiced
        for piece in proposed
    )


def _same(invoiced: Sequence[Invoiced], proposed: Sequence[Piece]) -> bool:
    """The common case, quickly: each proposed piece invoiced once, as it is, and nothing else."""
    if len(invoiced) != len(proposed):
        return False
    wanted = {(p.period, p.span, p.rate) for p in proposed}
    return all((period, span, rate) in wanted for period, span, rate, *_ in invoiced) and len(
        wanted
    ) == len(proposed)


def _described(
    invoiced: Sequence[Invoiced], period: Period, span: Period, fallback: str
) -> tuple[str, str]:
    """The description and payer of the latest invoiced line over ``span`` of ``period``."""
    for item_period, item_span, rate, description, customer, _ in reversed(invoiced):
        if item_period == period and item_span.start <= span.start < item_span.end and rate:
            return description, customer
    for item_period, item_span, _, description, customer, _ in reversed(invoiced):
        if item_period == period and item_span.start <= span.start < item_span.end:
            return description, customer
    return "", fallback


def reconcile_points(
    timeline: Timeline,
    key: Key,
    invoiced: Sequence[InvoicedPoint],
    proposed: Sequence[Point],
    currency: Currency,
) -> list[InvoiceLine]:
    had: dict[date, Decimal] = defaultdict(Decimal)
    for when, invoiced_amount, *_ in invoiced:
        had[when] += invoiced_amount
    exact: dict[date, Decimal] = defaultdict(Decimal)
    for point in proposed:
        exact[point.day] += point.amount
    # One-time amounts are rounded once, before comparing with what was invoiced.
    wants = {
        when: Money(value, currency).round(timeline.rounding).amount
        for when, value in exact.items()
    }
    out: list[InvoiceLine] = []
    type_, subject, code = key
    for day in sorted(had.keys() | wants.keys()):
        old, new = had.get(day, Decimal(0)), wants.get(day, Decimal(0))
        if old == new:
            continue
        if old:
            description, customer = next(
                (d, c) for when, _, d, c in reversed(invoiced) if when == day
            )
            out.append(
                InvoiceLine(
                    timeline.service_id,
                    customer,
                    type_,
                    subject,
                    code,
                    description,
                    Money(-old, currency),
                    day=day,
                    reverses=True,
                )
            )
        if new:
            description = next(p.description for p in proposed if p.day == day)
            out.append(
                InvoiceLine(
                    timeline.service_id,
                    timeline.customer_id,
                    type_,
                    subject,
                    code,
                    description,
                    Money(new, currency),
                    day=day,
                )
            )
    return out
