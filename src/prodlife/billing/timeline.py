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
import enum
import functools
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from prodlife.billing.lines import LineType
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import BillingSchedule
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

#: The most days before a period starts that its invoice may be issued.
MAX_DAYS_AHEAD = 366

RECURRING = LineType.RECURRING

#: The types of line a track bills.
TRACK_TYPES = frozenset({LineType.RECURRING, LineType.OPTION, LineType.ADDON})


def _later(a: date | None, b: date | None) -> bool:
    """Whether open-ended ``a`` (``None`` is never) is after ``b``."""
    if a is None:
        return b is not None
    return b is not None and a > b


def _check_span(start: object, end: object, rule: str, what: str, *, empty: bool = False) -> None:
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
        _check_span(self.start, self.end, "timeline.rate", f"rate {self.description!r}")
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


def _subjects(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


class DiscountKind(enum.Enum):
    """What a discount takes off a period's price (what remains of it, in order)."""

    #: ``value`` percent (0 < value <= 100) of what remains.
    PERCENT = "percent"
    #: ``value`` (Money per period) off, at most what remains.
    AMOUNT = "amount"
    #: What remains above ``value`` (Money per period): the price is at most ``value``.
    PRICE = "price"


@attrs.frozen(slots=True)
class Discount:
    """A promotion or additive discount over ``[start, end)``, for some tracks.

    Args:
        code: the promotion's or discount's code (its lines' code).
        description: in words, for its lines.
        kind: what it takes off.
        value: a percentage (Decimal) for :attr:`DiscountKind.PERCENT`, Money
            per period otherwise.
        start: the first day it applies.
        end: the first day it no longer does (a promotion for N cycles ends N
            periods after it started), or ``None`` for ever.
        subjects: the tracks (and one-time charges) it applies to, by subject.
        one_time: whether it also applies to those subjects' one-time charges
            (a free setup); it then applies to them alone when ``recurring``
            is false.
        recurring: whether it applies to the tracks' periods.

    Raises:
        RuleViolation: a value of the wrong kind, a percentage outside
            (0, 100], a negative amount, or an empty span (rule ``timeline.discount``).
    """

    code: str
    description: str
    kind: DiscountKind
    value: Decimal | Money
    start: date
    end: date | None
    subjects: frozenset[str] = attrs.field(converter=_subjects)
    one_time: bool = False
    recurring: bool = True

    def __attrs_post_init__(self) -> None:
        _check_span(self.start, self.end, "timeline.discount", f"discount {self.code!r}")
        value = self.value
        if self.kind is DiscountKind.PERCENT:
            ok = isinstance(value, Decimal) and value.is_finite() and 0 < value <= 100
        else:
            ok = isinstance(value, Money) and value.amount >= 0
        if not ok:
            raise RuleViolation(
                "timeline.discount",
                f"discount {self.code!r} of kind {self.kind.value} has value {value!r}; give a "
                "Decimal percentage in (0, 100] for a percent, Money of zero or more otherwise",
            )

    def off(self, remaining: Decimal) -> Decimal:
        """What it takes off ``remaining`` (an amount in its currency), exactly."""
        value = self.value
        if isinstance(value, Decimal):
            return remaining * value / 100
        if self.kind is DiscountKind.AMOUNT:
            return min(value.amount, remaining)
        return max(Decimal(0), remaining - value.amount)


@attrs.frozen(slots=True)
class Pause:
    """A span billed at nothing for every track: ``[start, end)``, ``end`` ``None`` while paused."""

    start: date
    end: date | None = None

    def __attrs_post_init__(self) -> None:
        _check_span(self.start, self.end, "timeline.pause", "pause")


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
        if (
            isinstance(ahead, bool)
            or not isinstance(ahead, int)
            or not 0 <= ahead <= MAX_DAYS_AHEAD
        ):
            raise RuleViolation(
                "timeline.days-ahead",
                f"invoice_days_before {ahead!r} must be a whole number of days from 0 to "
                f"{MAX_DAYS_AHEAD}; invoice at most a year ahead",
            )
        _check_span(
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
