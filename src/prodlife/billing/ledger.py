"""What a service was invoiced, as far as billing it again needs, and billing it.

A service's :class:`Ledger` keeps the lines issued for it that touch days not
yet *settled*: the days of the current billing periods and later. Days before
:attr:`Ledger.settled` are invoiced as the timeline says and no operation can
change them any more (operations change a service from the day they happen,
at most back to the start of its current periods), so their lines need not be
kept with the service: the host's books have them. The ledger stays small
however old the service is.

:func:`bill` runs the engine over a timeline and its ledger and moves the
ledger on; :func:`next_billing_date` tells the scheduler when the regular
course of the timeline next bills something.

>>> from datetime import date
>>> from prodlife import Money
>>> from prodlife.billing import LineType, Rate, Timeline, Track
>>> from prodlife.cycles import MONTHLY, BillingSchedule
>>> monthly = BillingSchedule(MONTHLY, date(2025, 1, 1))
>>> web = Track.of(LineType.RECURRING, "WEB", Rate(date(2025, 1, 1), None,
...                Money("10.00", "USD"), monthly, "WEB monthly"))
>>> timeline = Timeline("S-1", "C-1", date(2025, 1, 1), tracks=(web,))
>>> ledger, lines = bill(timeline, Ledger(), date(2025, 1, 1))
>>> [str(line.amount) for line in lines], next_billing_date(timeline, ledger)
(['USD 10.00'], datetime.date(2025, 2, 1))
>>> ledger, lines = bill(timeline, ledger, date(2025, 3, 1))
>>> [str(line.period) for line in lines], ledger.settled, len(ledger.lines)
(['[2025-02-01, 2025-03-01)', '[2025-03-01, 2025-04-01)'], datetime.date(2025, 3, 1), 1)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import attrs

from prodlife.billing.changes import billing_period
from prodlife.billing.engine import due_after, lines_due
from prodlife.billing.lines import InvoiceLine
from prodlife.billing.timeline import Rate, Timeline
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.errors import RuleViolation

__all__ = ["Ledger", "bill", "next_billing_date"]


def _lines(values: Iterable[InvoiceLine]) -> tuple[InvoiceLine, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class Ledger:
    """The lines of a service's days not yet settled.

    Args:
        settled: every day before it is invoiced for good; ``None`` before
            the service is first billed.
        lines: the lines issued for days on or after ``settled`` (a period
            line whose span ends after it, a one-time line on or after it),
            in the order issued.
    """

    settled: date | None = None
    lines: tuple[InvoiceLine, ...] = attrs.field(default=(), converter=_lines)

    def invoiced_until(self, subject: str | None = None) -> date | None:
        """The end of the latest span invoiced (for ``subject``, or any), or ``None``."""
        ends = [
            line.period.end
            for line in self.lines
            if line.period is not None
            and not line.reverses
            and (subject is None or line.subject == subject)
        ]
        return max(ends) if ends else None

    def check_change(self, service_id: str, day: date) -> None:
        """Refuse a change dated before the settled days.

        Raises:
            RuleViolation: ``day`` is before :attr:`settled` (rule ``billing.settled``).
        """
        if self.settled is not None and day < self.settled:
            raise RuleViolation(
                "billing.settled",
                f"service {service_id!r} is billed for good up to {self.settled}; a change "
                f"dated {day} cannot reach back that far. Date it on or after {self.settled}",
            )


def settle_point(timeline: Timeline, on: date) -> date:
    """The earliest day still open once everything due on ``on`` is billed.

    That is the start of every billing period not over by ``on`` of every
    rate in force by then (an operation may still change those periods from
    their start, and in arrears they are not invoiced yet), or ``on``.
    """
    point = on
    for track in timeline.tracks:
        for rate in track.rates:
            if rate.start > on:
                continue
            last = on if rate.end is None or rate.end > on else rate.end - timedelta(days=1)
            period = billing_period(rate, last)
            if period.end > on and period.start < point:
                point = period.start
    return max(point, timeline.start)


def bill(
    timeline: Timeline,
    ledger: Ledger,
    on: date,
    *,
    through: date | None = None,
    interim: bool = False,
) -> tuple[Ledger, tuple[InvoiceLine, ...]]:
    """Bill ``timeline`` on ``on``: the lines now due, and the ledger that records them.

    Args:
        timeline: the service's timeline.
        ledger: its ledger.
        on: the billing date.
        through: in advance, also bill every period starting by this day
            (an invoice issued early).
        interim: in arrears, also bill the days used so far of the period in
            use (see :func:`~prodlife.billing.engine.lines_due`).

    Returns:
        The new ledger (settled up to the start of the current periods, its
        older lines let go) and the new lines, which the host issues.
    """
    new = lines_due(
        timeline, ledger.lines, on, since=ledger.settled, through=through, interim=interim
    )
    point = settle_point(timeline, min(on, timeline.end or on))
    if ledger.settled is not None and point < ledger.settled:
        point = ledger.settled
    kept = tuple(line for line in (*ledger.lines, *new) if _open(line, point))
    return Ledger(point, kept), new


def _open(line: InvoiceLine, settled: date) -> bool:
    period = line.period
    if period is not None:
        return period.end > settled
    return line.day is not None and line.day >= settled


#: The last answers of :func:`next_billing_date`, by the identity of what they were for: the
#: scheduler asks for one service's date several times (its agenda before and after each
#: step, then the date the store indexes, after the batch), about the same immutable timeline
#: and ledger. Each entry keeps its timeline and ledger, so an identity is never reused.
_ANSWERS: dict[tuple[int, int], tuple[Timeline, Ledger, date | None]] = {}
_ANSWERS_LIMIT = 4096


def next_billing_date(timeline: Timeline, ledger: Ledger) -> date | None:
    """The first billing date on which the timeline, left as it is, bills something new.

    The engine's own rule (:func:`~prodlife.billing.engine.due_after`), so
    that :func:`bill` issues nothing new before it and something on it: for
    each track, the first day not yet invoiced that a rate bills money for
    (free rates and paused days bill nothing) is due once any rate of the
    track reaches past it. In advance, once its period starts (not before the
    service does), less the timeline's ``invoice_days_before``; in arrears,
    once a period of any of the track's rates ends after it (a shorter cycle
    from a change bills the stub at its first period's end), or at the end of
    the service. A one-time charge not yet invoiced counts on its day, less
    the days ahead. ``None`` when nothing more will be billed (ended and
    invoiced, or paused without end).
    """
    key = (id(timeline), id(ledger))
    known = _ANSWERS.get(key)
    if known is not None and known[0] is timeline and known[1] is ledger:
        return known[2]
    found = _next_billing_date(timeline, ledger)
    if len(_ANSWERS) >= _ANSWERS_LIMIT:
        _ANSWERS.clear()
    _ANSWERS[key] = (timeline, ledger, found)
    return found


def _next_billing_date(timeline: Timeline, ledger: Ledger) -> date | None:
    # The engine's own rule, inverted (:func:`~prodlife.billing.engine.due_after`): a track
    # bills something new once its due reach, the furthest of any of its rates (a free one
    # too: its periods carry the others'), passes the first day not yet invoiced that a rate
    # bills money for.
    ahead = timedelta(days=timeline.invoice_days_before)
    arrears = timeline.timing is BillingTiming.IN_ARREARS
    floor = timeline.start if ledger.settled is None else max(ledger.settled, timeline.start)
    found: list[date] = []
    for track in timeline.tracks:
        frontier = ledger.invoiced_until(track.subject)
        low = floor if frontier is None else max(floor, frontier)
        unbilled = _first_unbilled(timeline, track.rates, low)
        if unbilled is None:
            continue
        index, first = unbilled
        soonest: date | None = None
        for rate in track.rates[index:] if index else track.rates:  # the earlier end by ``first``
            if arrears and soonest is not None and soonest <= rate.start:
                break  # in arrears a rate is due after its start, later ones later
            due = due_after(timeline, rate, first)
            if due is not None and (soonest is None or due < soonest):
                soonest = due
        if soonest is not None:
            found.append(soonest)
    invoiced_days = {(line.subject, line.day) for line in ledger.lines if line.day is not None}
    for charge in timeline.one_time:
        if charge.amount.is_zero:
            continue  # bills nothing
        pending = charge.day >= floor and (charge.subject, charge.day) not in invoiced_days
        if pending and (timeline.end is None or charge.day < timeline.end):
            found.append(charge.day - ahead)
    return min(found) if found else None


def _first_unbilled(
    timeline: Timeline, rates: tuple[Rate, ...], low: date
) -> tuple[int, date] | None:
    """The first day from ``low`` on that a rate bills money for, and that rate's index."""
    for index, rate in enumerate(rates):
        if rate.amount.is_zero:
            continue  # a free rate bills nothing (its discounts and taxes neither)
        first = timeline.first_billed_day(max(low, rate.start), rate.end)
        if first is not None:
            return index, first
    return None
