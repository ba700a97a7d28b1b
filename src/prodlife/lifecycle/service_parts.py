# Over 400 lines: the value parts of a service (options, add-ons, requests,
# settings), each small, kept beside the checks they share.
"""The parts of a service: options, add-ons, the auto-suspend override, a cancellation request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog.cancellation_policies import CancellationTiming
from prodlife.catalog.change_rules import ChangeTiming
from prodlife.clock import as_utc
from prodlife.cycles import BillingCycle, billing_day
from prodlife.errors import RuleViolation
from prodlife.lifecycle.sale import SoldUnder
from prodlife.lifecycle.status import ServiceStatus, Status
from prodlife.limits import MAX_QUANTITY, MAX_YEAR, MIN_YEAR
from prodlife.money import Money
from prodlife.pricing.recurring import RecurringPrice

__all__ = [
    "ENDED",
    "CancellationKind",
    "CancellationRequest",
    "Dunning",
    "OverrideAutoSuspend",
    "PendingChange",
    "ServiceAddOn",
    "ServiceInvoicing",
    "ServiceOption",
    "owing_since",
]


#: The statuses in which a service (or an add-on) has ended.
ENDED: frozenset[Status] = frozenset({Status.CANCELLED, Status.TERMINATED, Status.DELETED})


def _text(value: object, rule: str, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise RuleViolation(rule, f"{what} {value!r} must be non-empty text; give one")


def _day(value: object, rule: str, what: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RuleViolation(
            rule,
            f"{what} {value!r} must be a datetime.date (a billing date), not a datetime "
            "or other type; convert the instant to a billing date first",
        )
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise RuleViolation(
            rule,
            f"{what} {value} is outside the years {MIN_YEAR}-{MAX_YEAR} billing dates may "
            "fall in (prodlife.limits); check where it comes from",
        )


def _count(value: object, rule: str, what: str, most: int | None = None) -> None:
    if not is_whole(value, 1):
        raise RuleViolation(rule, f"{what} {value!r} must be a whole number of at least 1")
    if most is not None and value > most:
        raise RuleViolation(
            rule, f"{what} {value!r} is more than the limit of {most:,} (prodlife.limits)"
        )


def _kind(value: object, kind: type, rule: str, what: str) -> None:
    if not isinstance(value, kind):
        raise RuleViolation(rule, f"{what} {value!r} is not a {kind.__name__}; pass one")


def _ids(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _ended(status: ServiceStatus) -> bool:
    return status.status in ENDED


@attrs.frozen(slots=True)
class ServiceOption:
    """A configurable option of a service and the choice made for it (e.g. RAM: 4 GB).

    Args:
        code: the option's code (each once on its service).
        choice: the choice made.
        quantity: how many of it.
        price: what it costs per period of the service's cycle (billed on its
            own line), or ``None`` when it is included in the service's price.

    Raises:
        RuleViolation: an empty code or choice, a quantity below 1, or a price
            that is not Money of zero or more (rule ``service.option``).
    """

    code: str
    choice: str
    quantity: int = 1
    price: Money | None = None

    def __attrs_post_init__(self) -> None:
        _text(self.code, "service.option", "option code")
        _text(self.choice, "service.option", f"option {self.code!r} choice")
        _count(self.quantity, "service.option", f"option {self.code!r} quantity", MAX_QUANTITY)
        price = self.price
        if price is not None and (type(price) is not Money or price.amount < 0):
            raise RuleViolation(
                "service.option",
                f"option {self.code!r} costs {price!r}; give Money of zero or more, or None",
            )


@attrs.frozen(slots=True)
class ServiceAddOn:
    """An add-on held on a service, with its own cycle, dates, status and price.

    Args:
        code: the catalog add-on's code (unique on its service).
        cycle: its own billing cycle.
        start: the day it started.
        next_due: the first day not yet paid for, or ``None``.
        status: its own status.
        termination_date: the day it ended; set exactly when its status is
            cancelled, terminated or deleted.
        price: its recurring price, or ``None`` when it is included.

    Raises:
        RuleViolation: bad types or dates (rule ``addon.dates``), a
            termination date without an ended status or the reverse (rule
            ``addon.termination-date``).
    """

    code: str
    cycle: BillingCycle
    start: date
    next_due: date | None
    status: ServiceStatus
    termination_date: date | None = None
    price: RecurringPrice | None = None

    def __attrs_post_init__(self) -> None:
        what = f"add-on {self.code!r}"
        _text(self.code, "addon.dates", "add-on code")
        _kind(self.cycle, BillingCycle, "addon.dates", f"{what} cycle")
        _kind(self.status, ServiceStatus, "addon.dates", f"{what} status")
        if self.price is not None:
            _kind(self.price, RecurringPrice, "addon.dates", f"{what} price")
        _day(self.start, "addon.dates", f"{what} start")
        _day(self.next_due, "addon.dates", f"{what} next due date", optional=True)
        _day(self.termination_date, "addon.termination-date", f"{what} end", optional=True)
        if self.next_due is not None and self.next_due < self.start:
            raise RuleViolation(
                "addon.dates",
                f"{what} is next due {self.next_due} before it started on {self.start}; "
                "give a due date on or after the start",
            )
        if _ended(self.status) != (self.termination_date is not None):
            raise RuleViolation(
                "addon.termination-date",
                f"{what} is {self.status} with termination date {self.termination_date}; "
                "an add-on has a termination date exactly when it is cancelled, terminated "
                "or deleted",
            )

    @property
    def ended(self) -> bool:
        """Whether it is cancelled, terminated or deleted."""
        return _ended(self.status)

    def due_date(self, periods: int) -> date:
        """The boundary ``periods`` of its periods after (or before) its next due date.

        Month-based cycles keep the day it started on (see :func:`billing_day`).

        Raises:
            RuleViolation: nothing is due (rule ``addon.dates``).
        """
        if self.next_due is None:
            raise RuleViolation(
                "addon.dates", f"add-on {self.code!r} has no next due date; nothing is due"
            )
        return self.cycle.shift(self.next_due, periods, billing_day(self.start, self.next_due))


@attrs.frozen(slots=True)
class OverrideAutoSuspend:
    """Staff's exemption of a service from automatic suspension for non-payment (seed 003).

    Args:
        until: the last day the exemption holds; ``None`` for never suspend.

    >>> OverrideAutoSuspend.never().applies_on(date(2099, 1, 1))
    True
    >>> OverrideAutoSuspend(date(2025, 1, 31)).applies_on(date(2025, 2, 1))
    False
    """

    until: date | None = None

    def __attrs_post_init__(self) -> None:
        _day(self.until, "service.override-auto-suspend", "override until", optional=True)

    @classmethod
    def never(cls) -> OverrideAutoSuspend:
        """Never suspend this service automatically."""
        return cls(None)

    def applies_on(self, day: date) -> bool:
        """Whether automatic suspension is held off on ``day``."""
        return self.until is None or day <= self.until


#: When a requested cancellation takes effect: the catalog's
#: :class:`~prodlife.catalog.CancellationTiming` under the name the lifecycle
#: used first (one enumeration, two names; ``CancellationKind.IMMEDIATE is
#: CancellationTiming.IMMEDIATE``).
CancellationKind = CancellationTiming


@attrs.frozen(slots=True)
class CancellationRequest:
    """A customer's or staff's request to cancel a service.

    Args:
        kind: when it takes effect.
        reason: why (shown to staff).
        requested_at: when it was asked for; any aware datetime, kept in UTC.
        renewals_left: for :attr:`CancellationKind.AFTER_RENEWALS`, how many
            renewals remain (at least 1); ``None`` for the other kinds.
        cancelled_invoices: the ids of the unpaid invoices the request
            cancelled (seed 003); withdrawing the request restores them.

    Raises:
        RuleViolation: a wrong kind, reason or count (rule
            ``service.cancellation-request``).
        InvalidInstant: ``requested_at`` is naive.
    """

    kind: CancellationKind
    reason: str
    requested_at: datetime = attrs.field(converter=as_utc)
    renewals_left: int | None = None
    cancelled_invoices: tuple[str, ...] = attrs.field(default=(), converter=_ids)

    def __attrs_post_init__(self) -> None:
        rule = "service.cancellation-request"
        for invoice in self.cancelled_invoices:
            _text(invoice, rule, "cancelled invoice id")
        _kind(self.kind, CancellationKind, rule, "cancellation kind")
        _kind(self.reason, str, rule, "cancellation reason")
        if self.kind is CancellationKind.AFTER_RENEWALS:
            _count(self.renewals_left, rule, "renewals left")
        elif self.renewals_left is not None:
            raise RuleViolation(
                rule,
                f"a cancellation {self.kind} counts no renewals, got {self.renewals_left!r}; "
                "leave renewals_left out or use CancellationKind.AFTER_RENEWALS",
            )


@attrs.frozen(slots=True, kw_only=True)
class PendingChange:
    """A change of product, edition, cycle or price waiting to take effect.

    The catalog's change rules (:class:`~prodlife.catalog.change_rules.ChangeRules`)
    decide that a change happens at the end of the term (the scheduler applies
    it on the service's next due date) or once the invoice for the difference
    is paid (:func:`~prodlife.lifecycle.package_changes.confirm_change_payment`).

    Args:
        timing: :attr:`ChangeTiming.END_OF_TERM` or :attr:`ChangeTiming.AFTER_PAYMENT`.
        product_code: the product it moves to.
        edition: the edition it moves to, or ``None``.
        cycle: the billing cycle it moves to.
        price: the recurring price it will have.
        requested_at: when it was asked for (UTC).
        effective: the billing date it takes effect (end of term), or ``None``
            while it waits for a payment.
        rule: the name of the change rule that decided the timing.
        next_due: for a change after payment that restarts the period, the
            next due date it sets.
        sold_under: the catalog version and plan row the new package is priced
            by, recorded on the service when the change is carried out (``None``:
            a price set by hand, or one not from a plan).

    Raises:
        RuleViolation: a timing that does not wait, or a bad field (rule
            ``service.pending-change``).
    """

    timing: ChangeTiming
    product_code: str
    edition: str | None
    cycle: BillingCycle
    price: RecurringPrice
    requested_at: datetime = attrs.field(converter=as_utc)
    effective: date | None = None
    rule: str = ""
    next_due: date | None = None
    sold_under: SoldUnder | None = None

    def __attrs_post_init__(self) -> None:
        rule = "service.pending-change"
        if self.timing not in (ChangeTiming.END_OF_TERM, ChangeTiming.AFTER_PAYMENT):
            raise RuleViolation(
                rule,
                f"a change {self.timing!r} does not wait; only end-of-term and after-payment "
                "changes are kept pending",
            )
        _text(self.product_code, rule, "product code")
        if self.edition is not None:
            _text(self.edition, rule, "edition")
        _kind(self.cycle, BillingCycle, rule, "cycle")
        _kind(self.price, RecurringPrice, rule, "price")
        if self.sold_under is not None:
            _kind(self.sold_under, SoldUnder, rule, "sale record")
        _day(self.effective, rule, "effective date", optional=True)
        if (self.timing is ChangeTiming.END_OF_TERM) != (self.effective is not None):
            raise RuleViolation(
                rule,
                f"an {self.timing.value} change has effective date {self.effective}; an "
                "end-of-term change needs one, a change waiting for payment has none",
            )


def _grace(value: object, what: str) -> None:
    if value is not None and not is_whole(value, 0):
        raise RuleViolation("service.dunning", f"{what} {value!r} must be a whole number >= 0")


@attrs.frozen(slots=True)
class ServiceInvoicing:
    """How a service's lines are invoiced and what its payment does (seed 003).

    Args:
        separate: invoice it on its own ("separate invoices"), never with the
            customer's other services.
        activate_on_payment: once ordered, activate it (through the
            provisioning module) when its invoices are paid.
        unpaid_since: the due date of the oldest unpaid invoice billing it,
            kept by :class:`~prodlife.app.Billing` as invoices are issued,
            paid and voided; the scheduler's dunning counts from it (and from
            the service's own next due date, whichever is earlier).

    Raises:
        RuleViolation: a setting that is not a bool, or ``unpaid_since`` not a
            billing date (rule ``service.invoicing``).
    """

    separate: bool = False
    activate_on_payment: bool = False
    unpaid_since: date | None = None

    def __attrs_post_init__(self) -> None:
        for value in (self.separate, self.activate_on_payment):
            if not isinstance(value, bool):
                raise RuleViolation(
                    "service.invoicing", f"invoicing setting {value!r} must be true or false"
                )
        _day(self.unpaid_since, "service.invoicing", "unpaid since", optional=True)

    def owing_since(self, day: date | None) -> ServiceInvoicing | None:
        """These settings with ``unpaid_since`` set to ``day``; ``None`` when all are defaults."""
        changed = attrs.evolve(self, unpaid_since=day)
        return None if changed == _NO_INVOICING else changed


_NO_INVOICING = ServiceInvoicing()


def owing_since(invoicing: ServiceInvoicing | None, day: date | None) -> ServiceInvoicing | None:
    """``invoicing`` (or the defaults) with ``unpaid_since`` set to ``day``."""
    return (_NO_INVOICING if invoicing is None else invoicing).owing_since(day)


@attrs.frozen(slots=True)
class Dunning:
    """What happens to a service left unpaid: its own grace periods (seed 003's automation).

    Kept on the service, so every process that runs the scheduler over it, whatever
    its own settings, suspends and terminates it on the same days.

    Args:
        suspend_days_after: days after an unpaid due date the service is
            suspended for non-payment; ``None`` never.
        terminate_days_after: days after an unpaid due date a service
            suspended for non-payment is terminated; ``None`` never.

    Raises:
        RuleViolation: a negative or non-whole number of days, or termination
            before suspension (rule ``service.dunning``).
    """

    suspend_days_after: int | None = None
    terminate_days_after: int | None = None

    def __attrs_post_init__(self) -> None:
        _grace(self.suspend_days_after, "suspend days after")
        _grace(self.terminate_days_after, "terminate days after")
        suspend, terminate = self.suspend_days_after, self.terminate_days_after
        if suspend is not None and terminate is not None and terminate < suspend:
            raise RuleViolation(
                "service.dunning",
                f"termination after {terminate} days comes before suspension after {suspend}; "
                "terminate on or after the day of suspension",
            )
