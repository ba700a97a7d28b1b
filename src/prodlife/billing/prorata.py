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
"""

from __future__ import annotations

from datetime import date

import attrs

from prodlife.cycles import BillingCycle, BillingSchedule, CycleUnit, align_to_billing_day
from prodlife.errors import RuleViolation

__all__ = ["FirstPeriods", "Prorata"]


def _day(value: object, what: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        raise RuleViolation(
            "prorata.day", f"{what} {value!r} must be a day of the month from 1 to 31"
        )


@attrs.frozen(slots=True)
class FirstPeriods:
    """Where an aligned service's periods fall, and what its first invoice covers.

    Attributes:
        schedule: its periods, on the billing day; the one holding the start
            is the whole period its stub is measured against.
        first_due: the end of what the first invoice covers (the billing day
            after the start, or the one after that when the next period is
            charged now): the service's first next due date.
    """

    schedule: BillingSchedule
    first_due: date


@attrs.frozen(slots=True)
class Prorata:
    """Bill month-based services on one day of the month (prorata billing).

    Args:
        day: the day of the month every period starts on (1-31; 29-31 fall on
            the last day of shorter months and come back).
        charge_next_after: a service starting on a later day of the month
            than this one also pays its next whole period on its first
            invoice (1-31), or ``None`` never to.

    Raises:
        RuleViolation: a day that is not a whole number from 1 to 31 (rule
            ``prorata.day``).
    """

    day: int
    charge_next_after: int | None = None

    def __attrs_post_init__(self) -> None:
        _day(self.day, "prorata day")
        _day(self.charge_next_after, "charge next month after day", optional=True)

    def applies_to(self, cycle: BillingCycle) -> bool:
        """Whether it aligns ``cycle``: month-based cycles only (weeks and days keep the start)."""
        return cycle.unit is CycleUnit.MONTH

    def first_periods(self, start: date, cycle: BillingCycle) -> FirstPeriods:
        """The periods of a service on ``cycle`` starting on ``start``, aligned to the day.

        Raises:
            RuleViolation: ``cycle`` is not month-based (rule ``prorata.cycle``).
        """
        if not self.applies_to(cycle):
            raise RuleViolation(
                "prorata.cycle",
                f"prorata billing aligns month-based cycles only, not {cycle}; bill it from "
                "its start",
            )
        aligned = align_to_billing_day(start, self.day, cycle)
        first_due = aligned.first.end
        late = self.charge_next_after is not None and start.day > self.charge_next_after
        if aligned.is_stub and late:
            first_due = aligned.schedule.period(0).end
        return FirstPeriods(aligned.schedule, first_due)
