"""Prorata billing: every service billed on one day of the month, whatever day it starts.

A hosting billing system's convention (seeds 002 and 003): a service ordered
on the 10th with prorata billing on the 1st first pays the stub to the 1st,
priced against the month that ends there, then whole months from the 1st.
With "charge next month after day N", one ordered late in the month (after
the N-th) also pays the following whole month on its first invoice, so that
invoice is not followed by another a few days later.

>>> from datetime import date
>>> from prodlife.cycles import MONTHLY
>>> prorata = Prorata(1, charge_next_after=20)
>>> first = prorata.first_periods(date(2025, 1, 25), MONTHLY)
>>> first.schedule.period_containing(date(2025, 1, 25))
Period(2025-01-01, 2025-02-01)
>>> first.first_due
datetime.date(2025, 3, 1)

The conventions of other systems are options (see :mod:`prodlife.alignment`):
Kill Bill's ``Prorata(day, cycles=LongCycles.WHOLE_CYCLES,
stub=StubWindow.CYCLE_BEFORE_END)``; Lago's calendar billing
:meth:`Prorata.calendar`, which also puts weekly cycles on Mondays.

>>> from prodlife.cycles import QUARTERLY
>>> kill_bill = Prorata(5, cycles=LongCycles.WHOLE_CYCLES)
>>> kill_bill.first_periods(date(2025, 3, 20), QUARTERLY).first_due
datetime.date(2025, 6, 5)
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date

import attrs

from prodlife._numbers import is_whole
from prodlife.alignment import (
    LongCycles,
    StubWindow,
    align_to_billing_day,
    align_to_weekday,
)
from prodlife.billing.tracks import Rate
from prodlife.cycles import BillingCycle, BillingSchedule, CycleUnit
from prodlife.errors import RuleViolation
from prodlife.money import Money
from prodlife.periods import Period

__all__ = ["FirstPeriods", "LongCycles", "Prorata", "StubWindow"]


def _day(value: object, what: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not is_whole(value, 1, 31):
        raise RuleViolation(
            "prorata.day", f"{what} {value!r} must be a day of the month from 1 to 31"
        )


@attrs.frozen(slots=True)
class FirstPeriods:
    """Where an aligned service's periods fall, and what its first invoice covers.

    Attributes:
        schedule: its periods, on the billing day; the one holding the start
            is the whole period its stub is measured against, unless
            ``window`` says otherwise.
        first_due: the end of what the first invoice covers (the billing day
            after the start, or the one after that when the next period is
            charged now): the service's first next due date.
        window: the whole period the first stub is measured against when it
            is not the schedule's period holding the start (Kill Bill's
            :attr:`~prodlife.alignment.StubWindow.CYCLE_BEFORE_END`);
            ``None`` otherwise.
    """

    schedule: BillingSchedule
    first_due: date
    window: Period | None = None

    def rates(
        self, start: date, amount: Money, description: str, source: str = ""
    ) -> tuple[Rate, ...]:
        """The rates of a price of ``amount`` per period from ``start``, on these periods.

        One rate, or, when the stub has a window of its own, the stub
        measured against it, then the regular periods; ``source`` says where
        the price came from (see :class:`~prodlife.billing.Rate`).
        """
        window = self.window
        schedule = self.schedule
        if window is None or window.end <= start:
            return (Rate(start, None, amount, schedule, description, source),)
        return (
            Rate(start, window.end, amount, schedule, description, source, window=window),
            Rate(window.end, None, amount, schedule, description, source),
        )


def _weekday(value: object) -> None:
    if value is not None and not is_whole(value, 0, 6):
        raise RuleViolation(
            "prorata.weekday",
            f"prorata weekday {value!r} must be a whole number from 0 (Monday) to 6 (Sunday), "
            "or None to bill weekly cycles from their start",
        )


def _option(kind: type[enum.Enum], rule: str) -> Callable[[object, object, object], None]:
    def check(instance: object, attribute: object, value: object) -> None:
        if not isinstance(value, kind):
            names = ", ".join(f"{kind.__name__}.{member.name}" for member in kind)
            raise RuleViolation(rule, f"{value!r} is not a {kind.__name__}; use one of {names}")

    return check


@attrs.frozen(slots=True)
class Prorata:
    """Bill services on common boundaries: one day of the month (prorata billing), or a weekday.

    Args:
        day: the day of the month every month-based period starts on (1-31;
            29-31 fall on the last day of shorter months and come back).
        charge_next_after: a service starting on a later day of the month
            than this one also pays its next whole period on its first
            invoice (1-31), or ``None`` never to.
        cycles: where the first boundary of a cycle longer than a month falls
            (:class:`~prodlife.alignment.LongCycles`: the next billing day by
            default, Kill Bill's whole cycles from the start's month, or the
            calendar's quarters and years).
        stub: what the first stub is measured against
            (:class:`~prodlife.alignment.StubWindow`: the billing period by
            default, or Kill Bill's cycle back from the stub's end).
        weekday: align week-based cycles too, their periods starting on this
            weekday (0 Monday ... 6 Sunday); ``None`` (the default) bills
            them from their start.

    Raises:
        RuleViolation: a day that is not a whole number from 1 to 31 (rule
            ``prorata.day``), a weekday not 0-6 (rule ``prorata.weekday``), or
            an option that is not its enum's (rule ``prorata.option``).
    """

    day: int
    charge_next_after: int | None = None
    cycles: LongCycles = attrs.field(
        default=LongCycles.NEXT_BILLING_DAY, validator=_option(LongCycles, "prorata.option")
    )
    stub: StubWindow = attrs.field(
        default=StubWindow.BILLING_PERIOD, validator=_option(StubWindow, "prorata.option")
    )
    weekday: int | None = None

    def __attrs_post_init__(self) -> None:
        _day(self.day, "prorata day")
        _day(self.charge_next_after, "charge next month after day", optional=True)
        _weekday(self.weekday)

    @classmethod
    def calendar(cls, *, week_start: int = 0) -> Prorata:
        """Calendar billing (Lago, BILLmanager): calendar months, quarters, years and weeks.

        Month-based periods start on the 1st of the calendar's months,
        quarters, half-years or years; week-based ones on ``week_start``
        (Monday unless given). The first period is prorated against the
        calendar period that holds the start.

        >>> from prodlife.cycles import ANNUAL
        >>> Prorata.calendar().first_periods(date(2025, 3, 20), ANNUAL).first_due
        datetime.date(2026, 1, 1)
        """
        return cls(1, cycles=LongCycles.CALENDAR, weekday=week_start)

    def applies_to(self, cycle: BillingCycle) -> bool:
        """Whether it aligns ``cycle``: month-based cycles, and week-based ones given a weekday.

        Other cycles (days, and weeks without a weekday) keep their start.
        """
        return cycle.unit is CycleUnit.MONTH or (
            cycle.unit is CycleUnit.WEEK and self.weekday is not None
        )

    def first_periods(self, start: date, cycle: BillingCycle) -> FirstPeriods:
        """The periods of a service on ``cycle`` starting on ``start``, aligned.

        Raises:
            RuleViolation: ``cycle`` is not one it aligns (rule ``prorata.cycle``).
        """
        if not self.applies_to(cycle):
            raise RuleViolation(
                "prorata.cycle",
                f"this prorata billing does not align {cycle} cycles; bill it from its start"
                + ("" if cycle.unit is not CycleUnit.WEEK else ", or give a weekday"),
            )
        if cycle.unit is CycleUnit.WEEK:
            assert self.weekday is not None  # applies_to checked it
            aligned = align_to_weekday(start, self.weekday, cycle)
        else:
            aligned = align_to_billing_day(
                start, self.day, cycle, cycles=self.cycles, stub=self.stub
            )
        first_due = aligned.first.end
        late = (
            cycle.unit is CycleUnit.MONTH
            and self.charge_next_after is not None
            and start.day > self.charge_next_after
        )
        if aligned.is_stub and late:
            first_due = aligned.schedule.period(0).end
        window = aligned.window
        if not aligned.is_stub or window == aligned.schedule.period(-1):
            return FirstPeriods(aligned.schedule, first_due)
        return FirstPeriods(aligned.schedule, first_due, window)
