"""Adoption analytics (seed 000): services and revenue by product, edition and customer segment.

Seed 000 analyzes "product adoption, usage patterns ... by business category,
size, or other attributes". prodlife does not know a customer's category or
size; the host does, and passes ``segment_of``, a function from a customer id
to the segment's name. :func:`adoption` then groups, over a window of billing
dates ``[start, end)``:

- ``services``: the services held at some point in the window (started before
  its end, not ended before its start; orders never activated are left out);
- ``new``: those that started in it; ``ended``: those that ended in it;
- ``revenue``: what the lines issued in the window add up to, one amount per
  currency (credits count negative), for the service's product and edition and
  the segment of the customer billed.

>>> from datetime import date
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle import ACTIVE, Service
>>> from prodlife.periods import Period
>>> from prodlife.pricing.recurring import RecurringPrice
>>> def web(id, customer, edition):
...     return Service(id=id, customer_id=customer, product_code="WEB", edition=edition,
...                    cycle=MONTHLY, price=RecurringPrice.at_order(Money("10.00", "USD")),
...                    payment_method="card", start=date(2025, 3, 10), next_due=date(2025, 4, 10),
...                    status=ACTIVE)
>>> services = [web("S-1", "ACME", "PRO"), web("S-2", "BOB", "BASIC"), web("S-3", "CORP", "PRO")]
>>> sizes = {"ACME": "SMB", "BOB": "SMB", "CORP": "enterprise"}
>>> march = Period(date(2025, 3, 1), date(2025, 4, 1))
>>> for row in adoption(services, [], sizes.__getitem__, march):
...     print(row.product_code, row.edition, row.segment, row.services, row.new)
WEB BASIC SMB 1 1
WEB PRO SMB 1 1
WEB PRO enterprise 1 1
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime

import attrs

from prodlife.billing.lines import InvoiceLine
from prodlife.clock import as_utc
from prodlife.errors import ValidationError
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status
from prodlife.money import Money
from prodlife.periods import Period

__all__ = ["AdoptionRow", "adoption"]


@attrs.frozen(slots=True)
class AdoptionRow:
    """One product, edition and segment over the window.

    Attributes:
        product_code: the product.
        edition: the edition (``None`` for a product without editions).
        segment: the host's segment of the customers.
        services: services held at some point in the window.
        new: services that started in the window.
        ended: services that ended (cancelled, terminated, deleted) in it.
        revenue: what the lines issued in the window add up to, per currency,
            sorted by currency code.
    """

    product_code: str
    edition: str | None
    segment: str
    services: int = 0
    new: int = 0
    ended: int = 0
    revenue: tuple[Money, ...] = ()


_Key = tuple[str, str, str]  # product, edition ("" for none), segment


def adoption(
    services: Iterable[Service],
    lines: Iterable[tuple[InvoiceLine, datetime]],
    segment_of: Callable[[str], str],
    window: Period,
) -> tuple[AdoptionRow, ...]:
    """Services and revenue by product, edition and segment over ``window``.

    Args:
        services: the services to count (a line of a service not given is not counted).
        lines: invoice lines with the instant each was issued; those issued
            on a UTC date in the window count.
        segment_of: the segment of a customer id (the host's business category,
            size or any attribute).
        window: the billing dates counted, ``[start, end)``.

    Returns:
        One row per product, edition and segment with anything to show,
        ordered by product, edition and segment.

    Raises:
        ValidationError: ``window`` is not a Period, or ``segment_of`` returns
            something other than text.
    """
    if not isinstance(window, Period):
        raise ValidationError(f"window {window!r} must be a Period of billing dates")
    segments: dict[str, str] = {}

    def segment(customer_id: str) -> str:
        found = segments.get(customer_id)
        if found is None:
            found = segment_of(customer_id)
            if not isinstance(found, str):
                raise ValidationError(
                    f"segment_of({customer_id!r}) returned {found!r}; return the segment's name"
                )
            segments[customer_id] = found
        return found

    counts: dict[_Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    held: dict[str, Service] = {}
    for service in services:
        held[service.id] = service
        if service.status.status is Status.PENDING:
            continue
        ended = service.termination_date
        if service.start >= window.end or (ended is not None and ended < window.start):
            continue
        row = counts[_key(service, segment(service.customer_id))]
        row[0] += 1
        row[1] += window.start <= service.start
        row[2] += ended is not None and ended < window.end
    money: dict[_Key, dict[str, Money]] = defaultdict(dict)
    for line, issued in lines:
        owner = held.get(line.service_id)
        if owner is None or not window.start <= as_utc(issued).date() < window.end:
            continue
        sums = money[_key(owner, segment(line.customer_id))]
        code = line.amount.currency.code
        sums[code] = sums[code] + line.amount if code in sums else line.amount
    rows = []
    for key in sorted(set(counts) | set(money)):
        product, edition, name = key
        held_, new, ended_ = counts.get(key, [0, 0, 0])
        revenue = money.get(key, {})
        amounts = tuple(revenue[code] for code in sorted(revenue))
        rows.append(AdoptionRow(product, edition or None, name, held_, new, ended_, amounts))
    return tuple(rows)


def _key(service: Service, segment: str) -> _Key:
    return (service.product_code, service.edition or "", segment)
