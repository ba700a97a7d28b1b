"""Goods charges on a service's timeline: sales charged once, rentals on the service's cycle.

Physical goods (:mod:`prodlife.goods`) say what goods issued to a service cost; this
module, on the billing side, says how the engine bills it.

The billing engine bills a service from its timeline
(:mod:`prodlife.billing.timeline`). :func:`goods_on_timeline` puts the
:class:`~prodlife.goods.GoodCharge` s of the goods issued to the service there:

* a **sale** becomes a one-time charge on its issue day;
* a **rental** becomes a track on the service's recurring schedule (billed
  like an option: each period in advance or in arrears as the service is,
  prorated from the issue day), its price the unit price times the units still
  rented, changing on each partial return and ending with the last return.
  A return on a day already invoiced makes the engine credit the days not
  rented (a repair).

Each attachment is named by its subject, ``goods <product>#<issue sequence>``
(:func:`goods_subject`). Putting the same charges on again changes nothing, so
the timeline is brought up to date after every movement of the service's goods.

>>> from datetime import date
>>> from prodlife import MONTHLY, Money
>>> from prodlife.billing.timeline import Timeline
>>> from prodlife.cycles import BillingSchedule
>>> from prodlife.goods import GoodCharge, Holder, Ownership
>>> monthly = BillingSchedule(MONTHLY, date(2025, 3, 1))
>>> rental = GoodCharge(Ownership.RENTAL, Holder.service("S-1", "C-1"), "MODEM", 2,
...     Money("5.00", "EUR"), Money("10.00", "EUR"), MONTHLY, date(2025, 3, 10), None,
...     ("SN-1", "SN-2"), 4, "STD")
>>> timeline = goods_on_timeline(Timeline("S-1", "C-1", date(2025, 3, 1)), [rental], monthly)
>>> [(str(r.start), r.end, str(r.amount)) for r in timeline.track("goods MODEM#4").rates]
[('2025-03-10', None, 'EUR 10.00')]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date

from prodlife.billing.lines import LineType
from prodlife.billing.timeline import OneTimeCharge, Rate, Timeline, Track
from prodlife.cycles import BillingSchedule
from prodlife.goods.charges import GoodCharge

__all__ = ["goods_on_timeline", "goods_subject"]


def goods_subject(product_code: str, sequence: int) -> str:
    """The timeline subject of the goods one issue movement attached: ``goods MODEM#4``."""
    return f"goods {product_code}#{sequence}"


def _rental_rates(pieces: list[GoodCharge], schedule: BillingSchedule) -> list[Rate]:
    """The rates of one rental: the units still rented between each return and the next."""
    first = pieces[0]
    ends = sorted({p.end for p in pieces if p.end is not None and p.end > first.start})
    open_ended = any(p.end is None for p in pieces)
    days: list[date | None] = [first.start, *ends]
    if open_ended:
        days.append(None)
    rates = []
    for start, end in itertools.pairwise(days):
        if start is None:
            break
        units = sum(p.quantity for p in pieces if p.end is None or p.end > start)
        if units:
            what = f"rental of {units} x {first.product_code}"
            source = f"price plan {first.plan_code}"
            rates.append(Rate(start, end, first.unit_price * units, schedule, what, source))
    return rates


def goods_on_timeline(
    timeline: Timeline, charges: Iterable[GoodCharge], schedule: BillingSchedule
) -> Timeline:
    """``timeline`` with the goods ``charges`` of its service on it (see the module).

    Args:
        timeline: the service's timeline.
        charges: the charges of goods issued to the service
            (:func:`~prodlife.goods.good_charges`), all of each attachment's.
        schedule: the service's recurring schedule (cycle and billing day).

    Raises:
        RuleViolation: the charges are in another currency than the service's
            prices (rule ``timeline.currency``).
    """
    grouped: dict[tuple[str, int], list[GoodCharge]] = {}
    for charge in charges:
        grouped.setdefault((charge.product_code, charge.sequence), []).append(charge)
    for (product_code, sequence), pieces in grouped.items():
        subject = goods_subject(product_code, sequence)
        first = pieces[0]
        if first.is_rental:
            track = Track.of(LineType.OPTION, subject, *_rental_rates(pieces, schedule))
            timeline = timeline.with_track(track)
        elif all(c.subject != subject for c in timeline.one_time):
            what = f"sale of {first.quantity} x {product_code}"
            timeline = timeline.charge_once(OneTimeCharge(subject, what, first.amount, first.start))
    return timeline
