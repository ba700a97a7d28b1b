"""Change and cancellation policies as edits of a timeline: what the customer is entitled to.

A change policy (:class:`~prodlife.proration.ChangePolicy`) says how a
change inside a period is credited and charged; a refund policy how a
cancellation is refunded. Here each becomes a dated edit of the
:class:`~prodlife.billing.timeline.Timeline`, and the billing engine
(:func:`~prodlife.billing.engine.lines_due`) turns the edit into money, so the
lines are those the proration quotes give
(:func:`~prodlife.proration.quote_change`,
:func:`~prodlife.proration.quote_cancellation`), while whatever happens next
(another change, a pause, a cancellation) is still billed right.

==================  ===========================================================
policy              edit of the track, the change effective on ``e``
==================  ===========================================================
credit prorated     the old rate ends on ``e``
credit none         the old rate also runs to the period's end on a track of
                    its own (it stays charged: nothing comes back)
credit full         the old rate is worth nothing from the period's start
charge prorated     the new rate from ``e`` (on the old periods, or on the new
                    cycle's periods that end on the old anniversary)
charge full         the new rate for the rest of its first period at its whole
                    price (a window from ``e`` to that period's end), then as usual
charge none         nothing until the period's end, then the new rate
anchor restart      a new schedule of the new cycle from ``e``, its first
                    period charged whole (or nothing, with charge none)
anchor billing day  a new cycle (any ``cycle`` given) steps from the billing
                    day in ``e``'s month: prorated from ``e`` to the first
                    billing day on or after it (Kill Bill)
change day: old     ``e`` is the day after the change; new: the change day
==================  ===========================================================

>>> from datetime import date
>>> from prodlife import Money
>>> from prodlife.billing import LineType, Rate, Timeline, Track, lines_due
>>> from prodlife.cycles import MONTHLY, BillingSchedule
>>> monthly = BillingSchedule(MONTHLY, date(2025, 11, 1))
>>> web = Track.of(LineType.RECURRING, "WEB", Rate(date(2025, 11, 1), None,
...                Money("30.00", "USD"), monthly, "WEB"))
>>> timeline = Timeline("S-1", "C-1", date(2025, 11, 1), tracks=(web,))
>>> november = lines_due(timeline, (), date(2025, 11, 1))
>>> changed = change_rate(timeline, "WEB", date(2025, 11, 16), Money("100.00", "USD"),
...                       description="WEB PRO")
>>> [str(line.amount) for line in lines_due(changed, november, date(2025, 11, 16))]
['USD -15.00', 'USD 50.00']
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from prodlife.alignment import LongCycles, align_to_billing_day
from prodlife.billing.timeline import Rate, Timeline, Track
from prodlife.billing.tracks import period_of
from prodlife.cycles import BillingCycle, BillingSchedule, CycleUnit
from prodlife.errors import RuleViolation
from prodlife.money import Money
from prodlife.periods import Period
from prodlife.proration import Anchor, ChangeDay, ChangePolicy, ChargeMode, CreditMode, UsedDay

__all__ = ["billing_period", "change_rate", "end_billing", "end_track"]

_DEFAULT = ChangePolicy()


def billing_period(rate: Rate, day: date) -> Period:
    """The billing period of ``rate`` that holds ``day``: its window, or its schedule's period."""
    return rate.window if rate.window is not None else period_of(rate.schedule, day)


def _effective(at: date, change_day: ChangeDay) -> date:
    return at + timedelta(days=1) if change_day is ChangeDay.OLD_PLAN else at


def _schedule_ending(
    end: date, cycle: BillingCycle, period: Period, old: BillingCycle
) -> BillingSchedule:
    """Periods of ``cycle`` ending on ``end`` (the old anniversary).

    Month-based periods aim for the old periods' billing day when those were
    month-based too (a day-31 schedule whose period ends on Feb 28 stays on
    the 31st); otherwise for ``end``'s own day.
    """
    if cycle.unit is CycleUnit.MONTH and old.unit is CycleUnit.MONTH:
        day = max(period.start.day, period.end.day)
        return BillingSchedule(cycle, end, day if day != end.day else None)
    return BillingSchedule(cycle, end)


def _reanchored(e: date, cycle: BillingCycle, period: Period) -> BillingSchedule:
    """Periods of ``cycle`` stepping whole cycles from the billing day in ``e``'s month.

    Kill Bill's re-anchoring of a cycle change. The billing day is the old period's (the
    later of its start's and end's days, so a day-31 period ending on Feb 28 keeps the 31st);
    a cycle of weeks or days starts on ``e``, as Kill Bill's day-based plans do.
    """
    if cycle.unit is not CycleUnit.MONTH:
        return BillingSchedule(cycle, e)
    day = max(period.start.day, period.end.day)
    return align_to_billing_day(e, day, cycle, cycles=LongCycles.WHOLE_CYCLES).schedule


def change_rate(
    timeline: Timeline,
    subject: str,
    at: date,
    amount: Money,
    *,
    cycle: BillingCycle | None = None,
    policy: ChangePolicy | None = None,
    description: str,
    source: str = "",
) -> Timeline:
    """``subject`` at ``amount`` per period from ``at`` on, as ``policy`` bills the change.

    Args:
        timeline: the service's timeline.
        subject: the track that changes (the product, an option, an add-on).
        at: the day of the change.
        amount: the new price of one period of ``cycle``.
        cycle: the new billing cycle; ``None`` keeps the track's.
        policy: how the change is credited and charged (the default credits
            and charges prorated by actual days, the change day on the new
            price, the period kept).
        description: what the new price bills, for its lines.
        source: where the new price comes from.

    Returns:
        The changed timeline; rates the track had after the period of the
        change (an end-of-term change waiting) are replaced.

    Raises:
        NotFound: no track prices ``subject``.
        RuleViolation: the track holds nothing on ``at`` (rule ``timeline.track``).
    """
    policy = _DEFAULT if policy is None else policy
    track = timeline.track(subject)
    old = track.rate_on(at)
    if old is None:
        raise RuleViolation(
            "timeline.track",
            f"track {subject!r} holds nothing on {at}; add a rate for it instead of changing it",
        )
    e = _effective(at, policy.change_day)
    period = billing_period(old, at)
    new_cycle = old.schedule.cycle if cycle is None else cycle
    rates: list[Rate] = list(track.until(e).rates)
    kept: Track | None = None
    if policy.credit is CreditMode.FULL:
        begin = max(period.start, old.start)
        rates = list(track.until(begin).rates)
        if begin < e:
            rates.append(attrs.evolve(old, start=begin, end=e, amount=amount * 0))
    elif policy.credit is CreditMode.NONE and e < period.end:
        kept = Track.of(
            track.type,
            f"{subject} until {period.end}",
            attrs.evolve(old, start=e, end=period.end, description=f"{old.description}, kept"),
            taxable=track.taxable,
        )
    new = Rate(e, None, amount, old.schedule, description, source)
    if policy.anchor is Anchor.RESTART:
        schedule = BillingSchedule(new_cycle, e)
        first = schedule.period(0)
        if policy.charge is ChargeMode.NONE:
            rates.append(attrs.evolve(new, end=first.end, amount=amount * 0, schedule=schedule))
            rates.append(attrs.evolve(new, start=first.end, schedule=schedule))
        else:
            rates.append(attrs.evolve(new, schedule=schedule))
    else:
        end = period.end
        if cycle is not None and policy.anchor is Anchor.BILLING_DAY:
            schedule = _reanchored(e, cycle, period)
            end = schedule.period_containing(e).end
        elif cycle is None or cycle == old.schedule.cycle:
            schedule = old.schedule
        else:
            schedule = _schedule_ending(period.end, new_cycle, period, old.schedule.cycle)
        if e >= end:
            rates.append(attrs.evolve(new, schedule=schedule))
        elif policy.charge is ChargeMode.NONE:
            rates.append(attrs.evolve(new, end=end, amount=amount * 0, schedule=schedule))
            rates.append(attrs.evolve(new, start=end, schedule=schedule))
        elif policy.charge is ChargeMode.FULL:
            first = schedule.period_containing(e)
            window = Period(e, first.end)
            rates.append(attrs.evolve(new, end=first.end, schedule=schedule, window=window))
            rates.append(attrs.evolve(new, start=first.end, schedule=schedule))
        else:
            rates.append(attrs.evolve(new, schedule=schedule))
    changed = timeline.with_track(attrs.evolve(track, rates=tuple(rates)))
    return changed if kept is None else changed.with_track(kept)


def _ended_track(track: Track, day: date, end: date, refund: CreditMode) -> tuple[Track, date]:
    """``track`` ended on ``end`` (on ``day``) under ``refund``, and the last day it bills.

    Without a refund the period holding ``day`` stays billed whole, as
    :func:`~prodlife.proration.quote_cancellation` keeps it; an ending at a
    period's start that should keep nothing of it is prorated (nothing to
    refund either way).
    """
    rate = track.rate_on(day)
    if rate is None or refund is CreditMode.PRORATED:
        return track.until(end), end
    period = billing_period(rate, day)
    if refund is CreditMode.NONE:
        last = max(end, period.end)
        return track.until(last), last
    begin = max(period.start, rate.start)
    cut = track.until(begin)
    if begin < end:
        nothing = attrs.evolve(rate, start=begin, end=end, amount=rate.amount * 0)
        cut = attrs.evolve(cut, rates=(*cut.rates, nothing))
    return cut, end


def _end_day(day: date, used_day: UsedDay) -> date:
    return day + timedelta(days=1) if used_day is UsedDay.USED else day


def end_track(
    timeline: Timeline,
    subject: str,
    day: date,
    *,
    refund: CreditMode = CreditMode.PRORATED,
    used_day: UsedDay = UsedDay.USED,
) -> Timeline:
    """``subject`` no longer billed from ``day`` (an add-on or option removed), as ``refund`` says.

    Args:
        timeline: the service's timeline.
        subject: the track that ends.
        day: the day it ends.
        refund: prorated (its unused days come back), full (its current
            period comes back whole) or none (it stays billed to the end of
            its current period).
        used_day: whether ``day`` itself is billed.

    Raises:
        NotFound: no track prices ``subject``.
    """
    track = timeline.track(subject)
    end = max(_end_day(day, used_day), track.rates[0].start if track.rates else day)
    ended, _ = _ended_track(track, day, end, refund)
    return timeline.with_track(ended)


def end_billing(
    timeline: Timeline,
    day: date,
    *,
    refund: CreditMode = CreditMode.PRORATED,
    used_day: UsedDay = UsedDay.USED,
) -> Timeline:
    """The timeline of a service that ends on ``day``, refunded as ``refund`` says.

    Args:
        timeline: the service's timeline.
        day: the day it ends.
        refund: prorated (the unused part comes back), full (every track's
            current period comes back whole) or none (every track stays
            billed to the end of its current period).
        used_day: whether ``day`` itself is billed.

    Returns:
        The timeline billed up to the end: ``day`` (or the day after, when
        the day counts as used), or with no refund the end of the last
        current period.
    """
    end = max(_end_day(day, used_day), timeline.start)
    if refund is CreditMode.PRORATED:
        return timeline.ended(end)
    tracks: list[Track] = []
    last = end
    for track in timeline.tracks:
        ended, until = _ended_track(track, day, end, refund)
        tracks.append(ended)
        last = max(last, until)
    return attrs.evolve(timeline, tracks=tuple(tracks), end=last)
