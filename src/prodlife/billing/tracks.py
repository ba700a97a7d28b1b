"""A track of a timeline: one priced thing of a service, as dated rates on their schedules.

See :mod:`prodlife.billing.timeline`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from prodlife.billing.lines import LineType
from prodlife.cycles import BillingSchedule
from prodlife.errors import RuleViolation
from prodlife.money import Money
from prodlife.periods import Period

__all__ = ["Rate", "Track", "clip", "period_of"]

RECURRING = LineType.RECURRING

#: The types of line a track bills.
TRACK_TYPES = frozenset({LineType.RECURRING, LineType.OPTION, LineType.ADDON})


def check_span(start: object, end: object, rule: str, what: str, *, empty: bool = False) -> None:
    if type(start) is not date:
        raise RuleViolation(rule, f"{what} starts {start!r}; give a date")
    if end is not None and (type(end) is not date or end < start or (end == start and not empty)):
        raise RuleViolation(
            rule, f"{what} runs from {start} to {end!r}; give an end date after the start, or None"
        )


@functools.lru_cache(maxsize=1 << 16)
def period_of(schedule: BillingSchedule, day: date) -> Period:
    """The period of ``schedule`` that holds ``day`` (remembered: a billing run asks often)."""
    return schedule.period_containing(day)


def clip(start: date, end: date | None, low: date, high: date | None) -> Period | None:
    """``[start, end)`` cut to ``[low, high)`` (``None`` ends are open); ``None`` when empty."""
    a = max(start, low)
    if end is None:
        b = high
    elif high is None:
        b = end
    else:
        b = min(end, high)
    if b is None or a >= b:
        return None
    return Period(a, b)


@attrs.frozen(slots=True)
class Rate:
    """One price of a track, in force over ``[start, end)``.

    Args:
        start: the first day it is in force.
        end: the first day it no longer is, or ``None`` for open-ended.
        amount: the price of one whole period of ``schedule`` (zero or more).
        schedule: the billing periods the price is for: cycle and billing day.
        description: what is billed, in words ("WEB PRO monthly x 2").
        source: where the price came from (a price plan row, an override and
            who set it), for the record.
        window: when given, the one period ``amount`` pays for, instead of
            the schedule's periods: a rate over ``[start, end)`` inside it is
            worth ``amount`` times its share of the window (the window itself:
            the whole amount, as for a change charged in full for the rest of
            a period). The rate must end inside it.

    Raises:
        RuleViolation: the span is empty, the amount negative or not Money,
            the schedule missing, or the span outside the window (rule
            ``timeline.rate``).
    """

    start: date
    end: date | None
    amount: Money
    schedule: BillingSchedule
    description: str
    source: str = ""
    window: Period | None = None

    def __attrs_post_init__(self) -> None:
        check_span(self.start, self.end, "timeline.rate", f"rate {self.description!r}")
        if not isinstance(self.amount, Money) or self.amount.amount < 0:
            raise RuleViolation(
                "timeline.rate",
                f"rate {self.description!r} costs {self.amount!r}; give Money of zero or more "
                "(discounts are their own entries)",
            )
        if not isinstance(self.schedule, BillingSchedule):
            raise RuleViolation(
                "timeline.rate",
                f"rate {self.description!r} has schedule {self.schedule!r}; give a "
                "BillingSchedule (a recurring cycle and its anchor)",
            )
        window = self.window
        if window is not None and (
            not isinstance(window, Period)
            or self.end is None
            or not (window.start <= self.start and self.end <= window.end)
        ):
            raise RuleViolation(
                "timeline.rate",
                f"rate {self.description!r} from {self.start} to {self.end} is measured against "
                f"the window {window!r}; give a Period that holds the whole rate",
            )

    def cut(self, start: date, end: date | None) -> Rate | None:
        """This rate restricted to ``[start, end)``, or ``None`` when nothing is left."""
        span = clip(self.start, self.end, start, end)
        if span is None:
            return None
        new_end = None if (self.end is None and end is None) else span.end
        if span.start == self.start and new_end == self.end:
            return self
        return attrs.evolve(self, start=span.start, end=new_end)


def _rates(values: Iterable[Rate]) -> tuple[Rate, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class Track:
    """One priced thing of a service over time: its recurring price, an option or an add-on.

    Args:
        type: :attr:`LineType.RECURRING`, :attr:`LineType.OPTION` or
            :attr:`LineType.ADDON`.
        subject: what it prices: empty for the service's own recurring price,
            the option's or add-on's code otherwise (each subject once per
            timeline).
        rates: its prices, oldest first, never overlapping; a gap between two
            is a span it was not held.
        taxable: whether the timeline's taxes apply to it.

    Raises:
        RuleViolation: rates overlap, are out of order or in several
            currencies, or the type is not a track's (rule ``timeline.track``).
    """

    type: LineType
    subject: str
    rates: tuple[Rate, ...] = attrs.field(converter=_rates)
    taxable: bool = True

    def __attrs_post_init__(self) -> None:
        if self.type not in TRACK_TYPES:
            raise RuleViolation(
                "timeline.track",
                f"track {self.subject!r} bills {self.type!r}; a track bills a recurring price, "
                "an option or an add-on",
            )
        if not isinstance(self.subject, str) or (not self.subject and self.type is not RECURRING):
            raise RuleViolation(
                "timeline.track",
                f"track subject {self.subject!r} is not a code; only the service's own "
                "recurring price is named by the empty subject",
            )
        currencies = {rate.amount.currency for rate in self.rates}
        if len(currencies) > 1:
            raise RuleViolation(
                "timeline.track",
                f"track {self.subject!r} is priced in {sorted(map(str, currencies))}; keep one "
                "currency per service",
            )
        for before, after in zip(self.rates, self.rates[1:], strict=False):
            if before.end is None or before.end > after.start:
                raise RuleViolation(
                    "timeline.track",
                    f"track {self.subject!r}: rate from {before.start} to {before.end} overlaps "
                    f"the one from {after.start}; end a rate before the next starts",
                )

    @classmethod
    def of(cls, type: LineType, subject: str, *rates: Rate, taxable: bool = True) -> Track:
        """A track from its rates, oldest first."""
        return cls(type, subject, rates, taxable)

    def rate_on(self, day: date) -> Rate | None:
        """The rate in force on ``day``, or ``None``."""
        for rate in self.rates:
            if rate.start <= day and (rate.end is None or day < rate.end):
                return rate
        return None

    def until(self, day: date) -> Track:
        """This track with nothing from ``day`` on."""
        kept = (rate.cut(rate.start, day) for rate in self.rates)
        return attrs.evolve(self, rates=tuple(rate for rate in kept if rate is not None))

    def then(self, rate: Rate) -> Track:
        """This track up to ``rate.start``, then ``rate`` (replacing what followed)."""
        return attrs.evolve(self, rates=(*self.until(rate.start).rates, rate))

    def changed_from(self, day: date, **changes: Any) -> Track:
        """Every rate from ``day`` on changed by ``changes`` (fields of :class:`Rate`).

        Rates later than ``day`` keep their own other fields, so a change
        scheduled for later (an end-of-term downgrade) survives a change made
        now (an option's price, a quantity).

        Raises:
            RuleViolation: nothing is held on ``day`` or later (rule ``timeline.track``).
        """
        out: list[Rate] = []
        touched = False
        for rate in self.rates:
            if rate.end is not None and rate.end <= day:
                out.append(rate)
                continue
            if rate.start < day:
                before = rate.cut(rate.start, day)
                if before is not None:
                    out.append(before)
                rate = attrs.evolve(rate, start=day)
            out.append(attrs.evolve(rate, **changes))
            touched = True
        if not touched:
            raise RuleViolation(
                "timeline.track",
                f"track {self.subject!r} holds nothing on or after {day}; add a rate instead",
            )
        return attrs.evolve(self, rates=tuple(out))

    @property
    def currency(self) -> str | None:
        """The currency of its prices, or ``None`` when it has none."""
        return str(self.rates[0].amount.currency) if self.rates else None
