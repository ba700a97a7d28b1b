# Over 400 lines: the engine's one job, the lines now due: proposing the pieces of every
# track, discount, tax and one-time charge, and reconciling them, read best together.
"""The billing engine: from a timeline and what was invoiced, the lines now due.

:func:`lines_due` is the only place a service's money is computed. It is pure:

1. **Propose.** From the :class:`~prodlife.billing.timeline.Timeline`, every
   track is cut into *pieces*: the part of one billing period of its schedule
   during which one rate was in force, inside the billed span and outside
   pauses. Each discount in force on a piece makes a discount piece (taken, in
   order, off what remains of the period's price); each exclusive tax makes a
   tax piece on what remains after discounts. Pieces are proposed for every
   period that is due (in advance: the period holding ``on`` plus the
   invoice-ahead days; in arrears: every period ended by ``on``, and
   everything up to its end once the service has one: the final invoice) and
   for every span already invoiced.
2. **Compare.** For each thing billed (type, subject, code), the lines
   already invoiced say, for every day, at which rate of which period it was
   invoiced (a line's :class:`~prodlife.proration.Proration` keeps its price,
   period and part; a reversal counts negative). Where the invoiced rates of a
   span differ from the proposed one, the span is *repaired*: what was
   invoiced for it is reversed, prorated against each original period and
   rate, and the proposed rate charged.
3. **Round once.** Each line is one :func:`~prodlife.proration.prorate`:
   ``rate x used / total`` rounded once to the currency's minor units; a
   discount or tax in force over every day of a period charged rounds from
   the charge's lines instead (:mod:`prodlife.billing.derived`): its lines
   over the period come to its share of each of theirs, rounded once each.

So, whatever the order of events, after the engine runs every day billed is
invoiced exactly once at the rate the timeline gives it: by construction the
lines of a service add up to the value of what it was entitled to, within half
a minor unit per prorated line (the rounding of each; a discount's or tax's
lines also carry their share of the rounding of the charge's).

>>> from datetime import date
>>> from prodlife import Money
>>> from prodlife.billing.timeline import Rate, Timeline, Track
>>> from prodlife.cycles import MONTHLY, BillingSchedule
>>> monthly = BillingSchedule(MONTHLY, date(2025, 1, 1))
>>> web = Track.of(LineType.RECURRING, "WEB", Rate(date(2025, 1, 1), None,
...                Money("10.00", "USD"), monthly, "WEB monthly"))
>>> timeline = Timeline("S-1", "C-1", date(2025, 1, 1), tracks=(web,))
>>> january = lines_due(timeline, (), date(2025, 1, 1))
>>> for line in january: print(line)
S-1 recurring WEB monthly [2025-01-01, 2025-02-01) USD 10.00
>>> upgraded = timeline.change_rate("WEB", date(2025, 1, 16), amount=Money("40.00", "USD"),
...                                 description="WEB PRO monthly")
>>> for line in lines_due(upgraded, january, date(2025, 1, 16)): print(line)
S-1 recurring reversed WEB monthly [2025-01-16, 2025-02-01) 16/31 of USD 10.00 = USD -5.16
S-1 recurring WEB PRO monthly [2025-01-16, 2025-02-01) 16/31 of USD 40.00 = USD 20.65
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from prodlife.billing.derived import in_step
from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.billing.repair import (
    Invoiced,
    InvoicedPoint,
    Key,
    Piece,
    Point,
    reconcile,
    reconcile_points,
)
from prodlife.billing.timeline import Rate, Timeline, Track
from prodlife.billing.tracks import period_of
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.errors import ValidationError
from prodlife.money import CONTEXT, Currency
from prodlife.periods import Period
from prodlife.pricing.taxes import PriceBasis

__all__ = ["due_after", "lines_due"]


def lines_due(
    timeline: Timeline,
    invoiced: Iterable[InvoiceLine],
    on: date,
    *,
    since: date | None = None,
    through: date | None = None,
    interim: bool = False,
) -> tuple[InvoiceLine, ...]:
    """The lines due for ``timeline`` on ``on``, given the lines already ``invoiced``.

    Args:
        timeline: what the customer is entitled to.
        invoiced: every line already issued for the service (or, with
            ``since``, every one whose span ends after ``since``).
        on: the billing date the lines are due on. In advance, the periods
            that start by ``on`` plus the timeline's ``invoice_days_before``
            are due.
        since: the first day whose billing may have changed since the
            service was last billed; earlier days are taken as settled, so
            lines before it need not be given. ``None`` compares everything.
        through: in advance, also bill every period that starts by this day
            (an invoice issued early, periods paid ahead).
        interim: in arrears, also bill the period in use up to ``on`` (the
            days used so far), as for a transfer to another customer.

    Returns:
        The new lines, credits (reversals) before charges for each span,
        oldest spans first; empty when nothing is due.

    Raises:
        ValidationError: ``on`` or ``since`` is not a date, or a line already
            invoiced is for another service.
    """
    for value in (since, through):
        if type(on) is not date or (value is not None and type(value) is not date):
            raise ValidationError(f"on={on!r}, since={since!r}, through={through!r}: pass dates")
    low = timeline.start if since is None else max(since, timeline.start)
    periods, points = _invoiced(timeline, invoiced, low)
    currency = _currency(timeline, invoiced)
    if currency is None:
        return ()
    due_on = on + timedelta(days=timeline.invoice_days_before)
    if through is not None and through > due_on:
        due_on = through
    proposed = _proposed_pieces(timeline, periods, on, due_on, low, interim)
    charged = _charged(periods)
    out: list[InvoiceLine] = []
    for key in sorted(proposed.keys() | periods.keys(), key=_key_order):
        # A discount or tax goes with the charge it is on: where that charge is invoiced
        # already (ahead), so is it, due or not.
        beneath = charged.get(key[1], ()) if key[0] in _DERIVED else ()
        out.extend(
            reconcile(
                timeline, key, periods.get(key, []), proposed.get(key, []), low, currency, beneath
            )
        )
    # A discount or tax over a period rounds from the lines of what it is on, not on its own.
    if timeline.discounts or timeline.taxes or any(k[0] in _DERIVED for k in periods):
        out = in_step(out, periods, timeline, currency, low, since is None)
    proposed_points = _proposed_points(timeline, points, due_on, low)
    for key in sorted(proposed_points.keys() | points.keys(), key=_key_order):
        out.extend(
            reconcile_points(
                timeline, key, points.get(key, []), proposed_points.get(key, []), currency
            )
        )
    out.sort(key=_line_order)
    return tuple(out)


# -- what was invoiced -------------------------------------------------------------------


def _invoiced(
    timeline: Timeline, lines: Iterable[InvoiceLine], low: date
) -> tuple[dict[Key, list[Invoiced]], dict[Key, list[InvoicedPoint]]]:
    periods: dict[Key, list[Invoiced]] = defaultdict(list)
    points: dict[Key, list[InvoicedPoint]] = defaultdict(list)
    for line in lines:
        if not isinstance(line, InvoiceLine):
            raise ValidationError(f"invoiced line {line!r} is not a InvoiceLine")
        if line.service_id != timeline.service_id:
            raise ValidationError(
                f"line {line} is for service {line.service_id!r}, not {timeline.service_id!r}; "
                "pass the lines of this service only"
            )
        share = line.proration
        if share is None:
            assert line.day is not None  # a InvoiceLine has one or the other
            if line.day >= low:
                points[line.key].append(
                    (line.day, line.amount.amount, line.description, line.customer_id)
                )
            continue
        portion, period = share.portion, share.period
        if not isinstance(portion, Period) or not isinstance(period, Period):
            raise ValidationError(f"line {line} prorates instants; the engine bills dates")
        if portion.end <= low:
            continue
        rate = share.price.amount
        periods[line.key].append(
            (
                period,
                portion,
                -rate if line.reverses else rate,
                line.description,
                line.customer_id,
                line.amount.amount,
            )
        )
    return periods, points


#: Line types that go with a charge: what they are on is billed, so are they.
_DERIVED = frozenset({LineType.DISCOUNT, LineType.TAX})


def _charged(periods: dict[Key, list[Invoiced]]) -> dict[str, list[Invoiced]]:
    """The lines of each subject's charges (not its discounts or taxes) already invoiced."""
    out: dict[str, list[Invoiced]] = defaultdict(list)
    for (kind, subject, _), items in periods.items():
        if kind not in _DERIVED:
            out[subject].extend(items)
    return out


def _currency(timeline: Timeline, lines: Iterable[InvoiceLine]) -> Currency | None:
    for track in timeline.tracks:
        if track.rates:
            return track.rates[0].amount.currency
    for charge in timeline.one_time:
        return charge.amount.currency
    for line in lines:
        return line.amount.currency
    return None


# -- what the timeline says --------------------------------------------------------------


def _due_end(timeline: Timeline, rate: Rate, on: date, due_on: date, interim: bool) -> date | None:
    """The end of what is due of ``rate`` on ``on``, or ``None`` when nothing is."""
    schedule, window = rate.schedule, rate.window
    if timeline.timing is BillingTiming.IN_ADVANCE:
        if timeline.start > due_on:
            return None
        # A period is due once it starts, with every rate in force during it.
        period = window or period_of(schedule, max(due_on, rate.start))
        if period.start > due_on:
            return None
        reach = period.end
    elif timeline.end is not None:
        reach = timeline.end  # in arrears an ended service is billed to its end at once
    elif interim:
        reach = on
    elif window is not None:
        reach = window.end if window.end <= on else window.start
    else:
        reach = period_of(schedule, on).start
    for end in (rate.end, timeline.end):
        if end is not None and end < reach:
            reach = end
    return reach if reach > max(rate.start, timeline.start) else None


def due_after(timeline: Timeline, rate: Rate, day: date) -> date | None:
    """The first billing date on which what is due of ``rate`` reaches past ``day``.

    The inverse of the rule :func:`lines_due` bills by (``_due_end``, without
    ``interim``): the least ``on`` whose due end of ``rate`` is after ``day``,
    so that a day of the track on ``day`` is billed on it. ``None`` when no
    billing date does (the rate, or the service, ends by ``day``). In arrears,
    once the service has an end everything up to it is due on any day (the
    final invoice); the date given is then the end of the period holding
    ``day``, at the latest the end of the service, as the periods would bill it.
    """
    low, end = max(day, rate.start, timeline.start), timeline.end
    if (end is not None and end <= low) or (rate.end is not None and rate.end <= low):
        return None
    period = rate.window if rate.window is not None else period_of(rate.schedule, low)
    if timeline.timing is BillingTiming.IN_ADVANCE:
        # Due once the period holding ``low`` starts, less the days ahead, not before the start.
        start = period.start if period.start > timeline.start else timeline.start
        ahead = timeline.invoice_days_before
        return start - timedelta(days=ahead) if ahead else start
    # In arrears due from the end of that period (of the window: once it is over).
    return end if end is not None and end < period.end else period.end


def _proposed_pieces(
    timeline: Timeline,
    invoiced: dict[Key, list[Invoiced]],
    on: date,
    due_on: date,
    low: date,
    interim: bool,
) -> dict[Key, list[Piece]]:
    reach_invoiced: dict[str, date] = {}
    for (_, subject, _), items in invoiced.items():
        end = max(item[1].end for item in items)
        if subject not in reach_invoiced or end > reach_invoiced[subject]:
            reach_invoiced[subject] = end
    out: dict[Key, list[Piece]] = defaultdict(list)
    for track in timeline.tracks:
        due: date | None = None
        for rate in track.rates:
            due_end = _due_end(timeline, rate, on, due_on, interim)
            if due_end is not None and (due is None or due_end > due):
                due = due_end
        invoiced_end = reach_invoiced.get(track.subject)
        for rate in track.rates:
            if due is not None:
                for span in timeline.billed_spans(max(rate.start, low), _min(rate.end, due)):
                    _add_pieces(timeline, track, rate, span, out, True)
            if invoiced_end is not None and (due is None or invoiced_end > due):
                begin = max(rate.start, low) if due is None else max(rate.start, low, due)
                for span in timeline.billed_spans(begin, _min(rate.end, invoiced_end)):
                    _add_pieces(timeline, track, rate, span, out, False)
    return out


def _min(a: date | None, b: date) -> date:
    return b if a is None else min(a, b)


def _add_pieces(
    timeline: Timeline,
    track: Track,
    rate: Rate,
    span: Period,
    out: dict[Key, list[Piece]],
    due: bool,
) -> None:
    """Cut ``span`` of ``rate`` by its billing periods and add its pieces (and derived ones)."""
    if rate.window is not None:
        _add_piece(timeline, track, rate, rate.window, span, out, due)
        return
    schedule = rate.schedule
    low = span.start
    while low < span.end:
        period = period_of(schedule, low)
        high = min(period.end, span.end)
        _add_piece(timeline, track, rate, period, Period(low, high), out, due)
        low = high


def _add_piece(
    timeline: Timeline,
    track: Track,
    rate: Rate,
    period: Period,
    span: Period,
    out: dict[Key, list[Piece]],
    due: bool,
) -> None:
    subject = track.subject
    amount = rate.amount.amount
    if amount:
        out[(track.type, subject, "")].append(Piece(period, span, amount, rate.description, due))
    discounts = [
        d
        for d in timeline.discounts
        if d.recurring
        and subject in d.subjects
        and d.start < span.end
        and (d.end is None or d.end > span.start)
    ]
    if not discounts and not _taxed(timeline, track.taxable):
        return
    cuts = sorted(
        {span.start, span.end}
        | {d.start for d in discounts if span.start < d.start < span.end}
        | {d.end for d in discounts if d.end is not None and span.start < d.end < span.end}
    )
    for start, end in itertools.pairwise(cuts):
        part = Period(start, end)
        remaining = amount
        for discount in discounts:
            if discount.start <= start and (discount.end is None or discount.end >= end):
                off = discount.off(remaining)
                remaining -= off
                if off:
                    key = (LineType.DISCOUNT, subject, discount.code)
                    out[key].append(Piece(period, part, -off, discount.description, due))
        if _taxed(timeline, track.taxable):
            for code, name, tax in _taxes(timeline, remaining):
                if tax:
                    out[(LineType.TAX, subject, code)].append(Piece(period, part, tax, name, due))


def _taxed(timeline: Timeline, taxable: bool) -> bool:
    return taxable and bool(timeline.taxes) and timeline.tax_basis is PriceBasis.EXCLUSIVE


def _taxes(timeline: Timeline, net: Decimal) -> list[tuple[str, str, Decimal]]:
    """Each tax on ``net`` (exact): compound taxes on the net plus the taxes before them."""
    out: list[tuple[str, str, Decimal]] = []
    so_far = Decimal(0)
    for rate in timeline.taxes:
        base = net + so_far if rate.compound else net
        tax = CONTEXT.divide(CONTEXT.multiply(base, rate.percent), 100)
        out.append((rate.code, rate.name, tax))
        so_far += tax
    return out


def _proposed_points(
    timeline: Timeline, invoiced: dict[Key, list[InvoicedPoint]], due_on: date, low: date
) -> dict[Key, list[Point]]:
    seen_days = {day for items in invoiced.values() for day, *_ in items}
    out: dict[Key, list[Point]] = defaultdict(list)
    for charge in timeline.one_time:
        if charge.day < low or (charge.day > due_on and charge.day not in seen_days):
            continue
        if timeline.end is not None and charge.day >= timeline.end:
            continue
        subject, remaining = charge.subject, charge.amount.amount
        if remaining:
            out[(LineType.ONE_TIME, subject, "")].append(
                Point(charge.day, remaining, charge.description)
            )
        for discount in timeline.discounts:
            if (
                discount.one_time
                and subject in discount.subjects
                and discount.start <= charge.day
                and (discount.end is None or charge.day < discount.end)
            ):
                off = discount.off(remaining)
                remaining -= off
                if off:
                    key = (LineType.DISCOUNT, subject, discount.code)
                    out[key].append(Point(charge.day, -off, discount.description))
        if _taxed(timeline, charge.taxable):
            for code, name, tax in _taxes(timeline, remaining):
                if tax:
                    out[(LineType.TAX, subject, code)].append(Point(charge.day, tax, name))
    return out


# -- comparing and repairing ---------------------------------------------------------------


_TYPE_ORDER = {
    LineType.RECURRING: 0,
    LineType.OPTION: 1,
    LineType.ADDON: 2,
    LineType.ONE_TIME: 3,
    LineType.DISCOUNT: 4,
    LineType.TAX: 5,
}


def _key_order(key: Key) -> tuple[int, str, str]:
    return (_TYPE_ORDER[key[0]], key[1], key[2])


def _line_order(line: InvoiceLine) -> tuple[date, int, str, str, bool]:
    period, day = line.period, line.day
    start = period.start if period is not None else day
    assert start is not None  # a line has a period or a day
    return (start, _TYPE_ORDER[line.type], line.subject, line.code, not line.reverses)
