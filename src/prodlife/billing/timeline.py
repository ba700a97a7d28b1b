"""A service's timeline: what its customer is entitled to, at which price, and when.

Operations on a service never compute money; they change its
:class:`Timeline`. The billing engine (:mod:`prodlife.billing.engine`) derives
what is owed from it. A timeline holds:

- the span the service is billed for: from :attr:`Timeline.start` to
  :attr:`Timeline.end` (``None`` while it runs), half-open;
- its **tracks**, one per priced thing (the recurring price, each option,
  each add-on): dated :class:`Rate` segments, each a price per period of its
  own :class:`~prodlife.cycles.BillingSchedule` (cycle and billing day, kept
  for ever: a schedule anchored on the 31st stays on the 31st);
- its **pauses**: spans billed at nothing, for every track (add-ons pause
  with their base);
- its **discounts** (promotions and additive discounts), each over a span and
  for some tracks, applied in order to what remains of a period's price;
- its **one-time charges** (setup fees, domains) on their days;
- its **taxes** (exclusive: a tax line on top of each taxable line) and its
  billing timing (in advance or in arrears).

Every change is a new timeline (values are frozen). Changes are dated: a
change on a day already invoiced is a *repair* the engine will issue; a
change on a future day (end of term) waits in the timeline until it is due.

>>> from datetime import date
>>> from prodlife import Money
>>> from prodlife.billing.lines import LineType
>>> from prodlife.cycles import MONTHLY, BillingSchedule
>>> monthly = BillingSchedule(MONTHLY, date(2025, 1, 1))
>>> web = Track.of(LineType.RECURRING, "WEB", Rate(date(2025, 1, 1), None,
...                Money("10.00", "USD"), monthly, "WEB monthly"))
>>> timeline = Timeline("S-1", "C-1", date(2025, 1, 1), tracks=(web,))
>>> upgraded = timeline.change_rate("WEB", date(2025, 1, 16), amount=Money("40.00", "USD"),
...                                 description="WEB PRO monthly")
>>> [(str(r.start), str(r.amount)) for r in upgraded.track("WEB").rates]
[('2025-01-01', 'USD 10.00'), ('2025-01-16', 'USD 40.00')]
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import attrs

from prodlife._numbers import is_whole
from prodlife.billing.discounts import Discount, DiscountKind
from prodlife.billing.tracks import Rate, Track, check_span, clip
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.daycount import ACTUAL_DAYS, DayCount
from prodlife.errors import NotFound, RuleViolation
from prodlife.money import ROUNDING_MODES, Money
from prodlife.periods import Period
from prodlife.pricing.taxes import PriceBasis, TaxRate

__all__ = [
    "Discount",
    "DiscountKind",
    "OneTimeCharge",
    "Pause",
    "Rate",
    "Timeline",
    "Track",
]


def _later(a: date | None, b: date | None) -> bool:
    """Whether open-ended ``a`` (``None`` is never) is after ``b``."""
    if a is None:
        return b is not None
    return b is not None and a > b


#: The most days before a period starts that its invoice may be issued.
MAX_DAYS_AHEAD = 366


@attrs.frozen(slots=True)
class Pause:
    """A span billed at nothing for every track: ``[start, end)``, ``end`` ``None`` while paused."""

    start: date
    end: date | None = None

    def __attrs_post_init__(self) -> None:
        check_span(self.start, self.end, "timeline.pause", "pause")


@attrs.frozen(slots=True)
class OneTimeCharge:
    """A charge billed once, on its day: a setup fee, a domain, a one-off sale.

    Args:
        subject: its code (each subject and day once per timeline).
        description: in words.
        amount: what it costs (zero or more).
        day: the day it falls due.
        taxable: whether the timeline's taxes apply to it.
    """

    subject: str
    description: str
    amount: Money
    day: date
    taxable: bool = True

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.amount, Money) or self.amount.amount < 0:
            raise RuleViolation(
                "timeline.one-time",
                f"one-time charge {self.subject!r} costs {self.amount!r}; give Money of zero "
                "or more",
            )
        if type(self.day) is not date:
            raise RuleViolation(
                "timeline.one-time", f"one-time charge {self.subject!r} falls on {self.day!r}"
            )


def _tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


def _check_rounding(instance: Timeline, attribute: object, value: str) -> None:
    if value not in ROUNDING_MODES:
        raise RuleViolation("timeline.rounding", f"rounding {value!r} is not a decimal mode")


@attrs.frozen(slots=True)
class Timeline:
    """What a service's customer is entitled to over time: the billing engine's only input.

    Args:
        service_id: the service.
        customer_id: who is billed now (lines already issued keep their own).
        start: the first day billed.
        end: the first day no longer billed, or ``None`` while it runs; the
            start itself for a service billed nothing (ended before it began).
        timing: in advance (each period invoiced when it starts) or in
            arrears (when it ends).
        tracks: the priced things, each subject once.
        pauses: spans billed at nothing, in order, never overlapping.
        discounts: promotions and additive discounts, applied in this order.
        one_time: one-time charges.
        taxes: tax rates applied, in order, to every taxable line.
        tax_basis: ``EXCLUSIVE`` (taxes are lines on top) or ``INCLUSIVE``
            (prices include them; no tax lines).
        day_count: how parts of periods are measured (actual days by default).
        rounding: the rounding mode of every line (each rounds once).
        invoice_days_before: in advance, how many days before a period starts
            it is invoiced (0 to 366): the service's own setting, so every
            process bills it the same way.

    Raises:
        RuleViolation: the span is empty, a subject appears twice, pauses
            overlap, or the prices are in several currencies (rules ``timeline.*``).
    """

    service_id: str
    customer_id: str
    start: date
    end: date | None = None
    timing: BillingTiming = BillingTiming.IN_ADVANCE
    tracks: tuple[Track, ...] = attrs.field(default=(), converter=_tuple)
    pauses: tuple[Pause, ...] = attrs.field(default=(), converter=_tuple)
    discounts: tuple[Discount, ...] = attrs.field(default=(), converter=_tuple)
    one_time: tuple[OneTimeCharge, ...] = attrs.field(default=(), converter=_tuple)
    taxes: tuple[TaxRate, ...] = attrs.field(default=(), converter=_tuple)
    tax_basis: PriceBasis = PriceBasis.EXCLUSIVE
    day_count: DayCount = ACTUAL_DAYS
    rounding: str = attrs.field(default=decimal.ROUND_HALF_UP, validator=_check_rounding)
    invoice_days_before: int = 0

    def __attrs_post_init__(self) -> None:
        ahead = self.invoice_days_before
        if not is_whole(ahead, 0, MAX_DAYS_AHEAD):
            raise RuleViolation(
                "timeline.days-ahead",
                f"invoice_days_before {ahead!r} must be a whole number of days from 0 to "
                f"{MAX_DAYS_AHEAD}; invoice at most a year ahead",
            )
        check_span(
            self.start, self.end, "timeline.span", f"service {self.service_id!r}", empty=True
        )
        subjects = [track.subject for track in self.tracks]
        if len(set(subjects)) != len(subjects):
            raise RuleViolation(
                "timeline.track", f"subjects {subjects} repeat; keep one track per subject"
            )
        currencies = {track.currency for track in self.tracks if track.currency is not None}
        currencies |= {str(charge.amount.currency) for charge in self.one_time}
        if len(currencies) > 1:
            raise RuleViolation(
                "timeline.currency",
                f"service {self.service_id!r} is priced in {sorted(currencies)}; one currency "
                "per service",
            )
        for before, after in zip(self.pauses, self.pauses[1:], strict=False):
            if before.end is None or before.end > after.start:
                raise RuleViolation(
                    "timeline.pause",
                    f"pauses from {before.start} and {after.start} overlap; resume before "
                    "pausing again",
                )

    # -- reading ---------------------------------------------------------------------------

    def track(self, subject: str) -> Track:
        """The track of ``subject``.

        Raises:
            NotFound: no track prices ``subject``.
        """
        for track in self.tracks:
            if track.subject == subject:
                return track
        raise NotFound("track", subject, f"service {self.service_id!r} prices no such thing")

    @property
    def paused(self) -> bool:
        """Whether a pause is open (not yet resumed)."""
        return bool(self.pauses) and self.pauses[-1].end is None

    def billed_spans(self, start: date, end: date | None) -> Iterator[Period]:
        """The parts of ``[start, end)`` inside the billed span and outside every pause."""
        span = clip(start, end, self.start, self.end)
        if span is None:
            return
        low = span.start
        for pause in self.pauses:
            if pause.end is not None and pause.end <= low:
                continue
            if pause.start >= span.end:
                break
            if pause.start > low:
                yield Period(low, pause.start)
            if pause.end is None:
                return
            low = max(low, pause.end)
        if low < span.end:
            yield Period(low, span.end)

    def first_billed_day(self, start: date, end: date | None) -> date | None:
        """The first day of ``[start, end)`` billed (inside the span, not paused), or ``None``."""
        low = max(start, self.start)
        high = end if self.end is None else (self.end if end is None else min(end, self.end))
        for pause in self.pauses:
            if pause.start <= low and (pause.end is None or low < pause.end):
                if pause.end is None:
                    return None
                low = pause.end
        if high is not None and low >= high:
            return None
        return low

    # -- changing --------------------------------------------------------------------------

    def _replace_track(self, new: Track) -> Timeline:
        tracks = tuple(new if t.subject == new.subject else t for t in self.tracks)
        return attrs.evolve(self, tracks=tracks)

    def with_track(self, track: Track) -> Timeline:
        """Add ``track``, or replace the one of its subject."""
        if any(t.subject == track.subject for t in self.tracks):
            return self._replace_track(track)
        return attrs.evolve(self, tracks=(*self.tracks, track))

    def change_rate(self, subject: str, day: date, **changes: Any) -> Timeline:
        """Change the price (or schedule, description, source) of ``subject`` from ``day`` on.

        See :meth:`Track.changed_from`; later rates keep their other fields.
        """
        return self._replace_track(self.track(subject).changed_from(day, **changes))

    def schedule_rate(self, subject: str, rate: Rate) -> Timeline:
        """``subject`` at ``rate`` from ``rate.start`` on, replacing what followed."""
        return self._replace_track(self.track(subject).then(rate))

    def stop(self, subject: str, day: date) -> Timeline:
        """Stop billing ``subject`` from ``day`` on (an add-on or option removed)."""
        return self._replace_track(self.track(subject).until(day))

    def ended(self, day: date | None) -> Timeline:
        """Billed up to ``day`` (``None``: again without end, e.g. a cancellation withdrawn)."""
        return attrs.evolve(self, end=day)

    def pause(self, day: date) -> Timeline:
        """Billed at nothing from ``day`` until resumed.

        Raises:
            RuleViolation: already paused, or ``day`` is inside an earlier
                pause (rule ``timeline.pause``).
        """
        if self.paused:
            raise RuleViolation(
                "timeline.pause", f"service {self.service_id!r} is already paused; resume first"
            )
        return attrs.evolve(self, pauses=(*self.pauses, Pause(day)))

    def resume(self, day: date) -> Timeline:
        """Billed again from ``day`` on.

        Raises:
            RuleViolation: not paused, or ``day`` is not after the pause began
                (rule ``timeline.pause``).
        """
        if not self.paused:
            raise RuleViolation(
                "timeline.pause", f"service {self.service_id!r} is not paused; nothing to resume"
            )
        last = self.pauses[-1]
        if day <= last.start:
            # Resumed the day it paused: nothing was paused.
            return attrs.evolve(self, pauses=self.pauses[:-1])
        return attrs.evolve(self, pauses=(*self.pauses[:-1], Pause(last.start, day)))

    def with_discount(self, discount: Discount) -> Timeline:
        """Apply ``discount`` too, after those already there."""
        return attrs.evolve(self, discounts=(*self.discounts, discount))

    def discount_until(self, code: str, day: date) -> Timeline:
        """End the discount ``code`` on ``day`` (it no longer applies from then)."""
        kept: list[Discount] = []
        for discount in self.discounts:
            if discount.code == code and _later(discount.end, day):
                if discount.start >= day:
                    continue
                discount = attrs.evolve(discount, end=day)
            kept.append(discount)
        return attrs.evolve(self, discounts=tuple(kept))

    def charge_once(self, charge: OneTimeCharge) -> Timeline:
        """Bill ``charge`` on its day."""
        return attrs.evolve(self, one_time=(*self.one_time, charge))

    def transferred(self, customer_id: str) -> Timeline:
        """Billed to ``customer_id`` from now on (lines already issued keep their payer)."""
        return attrs.evolve(self, customer_id=customer_id)
