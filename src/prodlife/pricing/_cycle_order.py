"""The order of billing cycles: recurring shortest first, one-time last.

Its own module so that both price plans and option definitions (which a plan
holds) can sort cycles without importing each other.
"""

from __future__ import annotations

from fractions import Fraction

from prodlife.cycles import BillingCycle
from prodlife.errors import InvalidBillingCycle

__all__ = ["cycle_order"]


def cycle_order(cycle: BillingCycle) -> tuple[bool, Fraction, str, int]:
    """Sort key putting recurring cycles shortest first and one-time last.

    Cycles are ordered by :attr:`~prodlife.BillingCycle.nominal_days`; a
    one-time cycle is no period at all, so it comes after every recurring one.
    Cycles of equal length (4 weeks, 28 days) are ordered by unit, then count.

    >>> from prodlife import ANNUAL, MONTHLY, ONE_TIME, QUARTERLY
    >>> sorted([ONE_TIME, ANNUAL, MONTHLY, QUARTERLY], key=cycle_order)
    [MONTHLY, QUARTERLY, ANNUAL, ONE_TIME]

    Raises:
        InvalidBillingCycle: ``cycle`` is not a BillingCycle.
    """
    if not isinstance(cycle, BillingCycle):
        raise InvalidBillingCycle(f"cycle {cycle!r} must be a BillingCycle, e.g. MONTHLY")
    return (not cycle.is_recurring, cycle.nominal_days, cycle.unit.value, cycle.count)
