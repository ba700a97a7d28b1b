"""Derived lines in step: a discount or tax over a period rounds from its charge's lines.

A discount or tax on a recurring charge is reconciled as lines of its own
(:func:`~prodlife.billing.repair.reconcile`), each prorated and rounded on its own.
Left at that, the lines of a charge and of its 100 % discount over the same days could
round apart once part of a period is reversed (the charge's reversal and the discount's
each rounded on its own, over different days) and leave a minor unit owed, or owed
back, for days that cost nothing.

:func:`in_step` settles that. A discount or tax is *in step* with the charge it is on
over a billing period when, on every day of the period invoiced for either, its rate
is one multiple of the charge's (a percentage promotion over every day charged: minus
the percentage; a tax: its rate on the charge less its discounts). Over such a period
its lines add up to the sum, over the charge's lines, of each line's amount times that
multiple rounded once: each charge line (a period, a proration, a reversal) discounted
and taxed on its own amount, as a coupon or a tax on a proration item is; and to
nothing when the charge's lines add up to nothing (a period reversed whole). The
difference goes on its new lines over the period. So a 100 % discount's lines are
exactly minus its charge's. Elsewhere (a discount in force over part of the days
charged, a fixed amount off a changing price) each line keeps its own rounding. Used by
:func:`~prodlife.billing.engine.lines_due`.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

import attrs

from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.billing.repair import Invoiced, Key
from prodlife.billing.timeline import Timeline
from prodlife.money import CONTEXT, Currency, Money
from prodlife.periods import Period
from prodlife.proration import prorate

__all__ = ["in_step"]

#: A line as the check needs it: its span, signed rate and signed amount.
_Entry = tuple[Period, Decimal, Decimal]
#: The types of derived lines, in the order they are settled.
_DERIVED_ORDER = (LineType.DISCOUNT, LineType.TAX)


def in_step(
    lines: Sequence[InvoiceLine],
    invoiced: Mapping[Key, Sequence[Invoiced]],
    timeline: Timeline,
    currency: Currency,
    low: date,
    complete: bool,
) -> list[InvoiceLine]:
    """``lines`` (new, of one service) with each discount and tax in step over a period
    where it or its charge has new lines coming to its share of the charge's lines.

    The difference goes on its new lines over the period; when it has none (only what it
    is on changed), its latest line over the period is reversed and issued again with
    the difference (same rate and days, so the days stay invoiced as they were).

    Args:
        lines: the new lines, as reconciled.
        invoiced: the lines already invoiced, by key (see ``prodlife.billing.engine``).
        timeline: the service's timeline (its customer, day count and rounding).
        currency: the currency of its lines.
        low: the first day compared; with ``complete`` false, the lines of a period
            that starts before it may be missing, and it is left as it is.
        complete: whether every line invoiced is given (no ``since``).
    """
    out = list(lines)
    for kind in _DERIVED_ORDER:
        targets = _targets(kind, out, invoiced, low, complete)
        if not targets:
            continue
        entries = _entries(invoiced, out, {period for _, period in targets})
        for (key, period), indices in targets.items():
            subject = key[1]
            base = [
                entry
                for (k, p), found in entries.items()
                if p == period and k[1] == subject and _under(k[0])
                for entry in found
            ]
            mine = entries.get((key, period), [])
            ratio = _ratio(base, mine)
            if ratio is None:
                continue
            target = _share(base, ratio, currency, timeline.rounding)
            residual = target - sum((e[2] for e in mine), Decimal(0))
            for index in reversed(indices):
                if residual == 0:
                    break
                out[index], residual = _absorb(out[index], residual)
            if residual:
                items = invoiced.get(key, ())
                out.extend(_reissued(timeline, key, period, items, residual, currency))
    return out


def _share(
    base: Sequence[_Entry], ratio: tuple[Decimal, Decimal], currency: Currency, rounding: str
) -> Decimal:
    """What the charge lines ``base`` come to times ``ratio``: each line's share rounded
    once (each charge line discounted and taxed on its own amount), nothing when they come
    to nothing (a period reversed whole)."""
    if not sum((amount for *_, amount in base), Decimal(0)):
        return Decimal(0)
    num, den = ratio
    return sum(
        (
            Money(CONTEXT.divide(CONTEXT.multiply(amount, num), den), currency)
            .round(rounding)
            .amount
            for *_, amount in base
        ),
        Decimal(0),
    )


def _under(kind: LineType) -> bool:
    """Whether lines of type ``kind`` are what a discount or tax is on: the charge (a tax's
    share of it is its rate over the charge's, so net of the discounts)."""
    return kind not in _DERIVED_ORDER


def _targets(
    kind: LineType,
    lines: Sequence[InvoiceLine],
    invoiced: Mapping[Key, Sequence[Invoiced]],
    low: date,
    complete: bool,
) -> dict[tuple[Key, Period], list[int]]:
    """Each ``kind`` key and period to settle: with new lines (their indices), or with
    lines invoiced under which what it is on has new lines (none)."""
    out: dict[tuple[Key, Period], list[int]] = defaultdict(list)
    touched: set[tuple[str, Period]] = set()
    for index, line in enumerate(lines):
        share = line.proration
        if share is None or not isinstance(share.period, Period):
            continue
        if not complete and share.period.start < low:
            continue
        if line.type is kind:
            out[(line.key, share.period)].append(index)
        elif _under(line.type):
            touched.add((line.subject, share.period))
    for key, items in invoiced.items():
        if key[0] is kind:
            for period, *_ in items:
                if (key[1], period) in touched:
                    out.setdefault((key, period), [])
    return out


def _reissued(
    timeline: Timeline,
    key: Key,
    period: Period,
    items: Sequence[Invoiced],
    residual: Decimal,
    currency: Currency,
) -> list[InvoiceLine]:
    """The latest line of ``key`` over ``period`` in ``items`` reversed and issued again
    ``residual`` larger, or nothing when no line of the customer's can take it."""
    charge_sign = _SIGNS[key[0]][0]
    for item_period, span, rate, description, customer, amount in reversed(items):
        if item_period != period or rate * charge_sign <= 0 or customer != timeline.customer_id:
            continue
        wanted = amount + residual
        if wanted * charge_sign < 0:
            return []
        share = prorate(
            Money(rate, currency), period, span, timeline.day_count, rounding=timeline.rounding
        )
        back, again = Money(amount, currency), Money(wanted, currency)
        kind, subject, code = key
        return [
            InvoiceLine(
                timeline.service_id,
                customer,
                kind,
                subject,
                code,
                description,
                -size if reverses else size,
                attrs.evolve(share, amount=size),
                reverses=reverses,
            )
            for size, reverses in ((back, True), (again, False))
        ]
    return []


def _entries(
    invoiced: Mapping[Key, Sequence[Invoiced]], new: Iterable[InvoiceLine], periods: set[Period]
) -> dict[tuple[Key, Period], list[_Entry]]:
    """The lines invoiced and new over ``periods`` by key and period: span, signed rate,
    amount."""
    out: dict[tuple[Key, Period], list[_Entry]] = defaultdict(list)
    for key, items in invoiced.items():
        for period, span, rate, _, _, amount in items:
            if period in periods:
                out[(key, period)].append((span, rate, amount))
    for line in new:
        share = line.proration
        if share is not None and share.period in periods:
            assert isinstance(share.portion, Period)  # the engine bills dates
            rate = share.price.amount
            out[(line.key, share.period)].append(
                (share.portion, -rate if line.reverses else rate, line.amount.amount)
            )
    return out


def _ratio(base: Sequence[_Entry], mine: Sequence[_Entry]) -> tuple[Decimal, Decimal] | None:
    """The multiple (numerator, denominator) ``mine``'s rate is of ``base``'s over every
    day either invoices, or ``None`` when it is not one multiple (or ``mine`` bills a day
    ``base`` does not)."""
    cuts = sorted({day for span, *_ in (*base, *mine) for day in (span.start, span.end)})
    found: tuple[Decimal, Decimal] | None = None
    for start, end in itertools.pairwise(cuts):
        under = sum(
            (r for span, r, _ in base if span.start <= start and end <= span.end), Decimal(0)
        )
        over = sum(
            (r for span, r, _ in mine if span.start <= start and end <= span.end), Decimal(0)
        )
        if not under:
            if over:
                return None
            continue
        if found is None:
            found = (over, under)
        elif over * found[1] != found[0] * under:
            return None
    return found


#: The sign each derived line's amount keeps (charge, reversal).
_SIGNS = {LineType.DISCOUNT: (-1, 1), LineType.TAX: (1, -1)}


def _absorb(line: InvoiceLine, residual: Decimal) -> tuple[InvoiceLine, Decimal]:
    """``line`` taking as much of ``residual`` as keeps its sign, and what is left of it."""
    sign = _SIGNS[line.type][1 if line.reverses else 0]
    amount = line.amount.amount
    wanted = amount + residual
    kept = wanted if wanted * sign >= 0 else Decimal(0)
    share = line.proration
    assert share is not None
    size = Money(kept, line.amount.currency)
    resized = attrs.evolve(
        line,
        amount=size,
        proration=attrs.evolve(share, amount=-size if line.reverses else size),
    )
    return resized, residual - (kept - amount)
