# Over 400 lines: the Service aggregate: its fields, every invariant it keeps and
# perform(), the one way its status changes.
"""The Service aggregate: one customer's instance of a product, and every change to it.

A :class:`Service` holds what the customer bought (product, edition, cycle,
quantity, recurring price, options, add-ons), its dates (start, next due,
paid through, termination), its status and its full :class:`History`. It is an
immutable value: :meth:`Service.perform` checks who asks
(:func:`~prodlife.lifecycle.actors.authorize`) and what the status allows
(:func:`~prodlife.lifecycle.transitions.next_status`), then returns a *new*
service one version later with one more history entry. A refusal raises and
leaves nothing changed.

Decisions:

- ``paid_through`` is the last day paid for (inclusive); ``next_due`` is the
  first day not yet paid for, so ``start <= paid_through < next_due``.
- A scheduled cancellation is a :class:`CancellationRequest` kept on the
  service; :attr:`Operation.SCHEDULE_CANCELLATION` sets it,
  :attr:`Operation.REACTIVATE` withdraws it (seed 000). It is kept once the
  service has ended, as the record of why.
- A service that is cancelled, terminated or deleted has ended: it has a
  termination date, and so does each of its add-ons, which end with it at the
  same moment (seed 003) taking its status; an add-on that ended earlier keeps
  its status and its date, moved back to the base's date if it was later
  (:meth:`prodlife.catalog.addons.AddOn.end_date`).
- Add-ons are told apart by their code: a service holds each add-on code once.
- ``override_auto_suspend`` is ``None`` (no override: overdue services are
  suspended as usual) or an :class:`OverrideAutoSuspend`, whose ``until`` is
  the last day it protects, or ``None`` for never.

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle.actors import Actor
>>> from prodlife.lifecycle.transitions import Operation
>>> from prodlife.pricing.recurring import RecurringPrice
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="VPS", edition="pro", cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 1, 1),
... )
>>> done = service.perform(
...     Operation.ACTIVATE, Actor.system(), datetime(2025, 1, 1, 9, tzinfo=UTC),
...     "paid", provisioning=False,
... )
>>> print(done.status, done.version, len(done.history))
active 1 1
>>> print(service.status, service.version)
pending (ordered) 0
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, cast

import attrs

from prodlife._numbers import is_whole
from prodlife._tables import Row, html_table
from prodlife.billing.ledger import Ledger
from prodlife.billing.timeline import Timeline
from prodlife.catalog.addons import AddOn
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.clock import as_utc
from prodlife.cycles import BillingCycle, CycleUnit
from prodlife.errors import NotFound, ProdlifeError, RuleViolation, ValidationError
from prodlife.lifecycle._display import service_row, service_text
from prodlife.lifecycle.actors import Actor, authorize
from prodlife.lifecycle.history import History, HistoryEntry
from prodlife.lifecycle.sale import SoldUnder
from prodlife.lifecycle.service_parts import (
    ENDED,
    CancellationRequest,
    Dunning,
    OverrideAutoSuspend,
    PendingChange,
    ServiceAddOn,
    ServiceInvoicing,
    ServiceOption,
    _count,
    _day,
    _ended,
    _kind,
    _text,
)
from prodlife.lifecycle.status import ORDERED, ServiceStatus, Status, SuspensionKind
from prodlife.lifecycle.timelines import boundary_day, opening_ledger, opening_timeline
from prodlife.lifecycle.transitions import Operation, next_status, visible_to_customer
from prodlife.limits import MAX_SERVICE_QUANTITY
from prodlife.periods import Period, time_zone
from prodlife.pricing.recurring import RecurringPrice

__all__ = [
    "ENDED",
    "Service",
]


#: Stand-ins for "made from the service's fields" (see :func:`opening_timeline`).
_DEFAULT_TIMELINE = cast(Timeline, object())
_DEFAULT_LEDGER = cast(Ledger, object())


def _unique(codes: Iterable[str], rule: str, what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise RuleViolation(rule, f"{what} {code!r} appears twice; keep each code once")
        seen.add(code)


def _options(values: Iterable[ServiceOption]) -> tuple[ServiceOption, ...]:
    return tuple(values)


def _addons(values: Iterable[ServiceAddOn]) -> tuple[ServiceAddOn, ...]:
    return tuple(values)


@attrs.frozen(slots=True, kw_only=True)
class Service:
    """One customer's instance of a product (a subscription); every change returns a new one.

    Args:
        id: the service's id.
        customer_id: the customer who owns it.
        product_code: the product.
        edition: the product's edition, or ``None`` for a product without editions.
        cycle: the billing cycle.
        quantity: how many (at least 1).
        price: the recurring price per cycle (list price or override).
        options: the options chosen (each code once).
        addons: the add-ons held (each code once).
        domain: the domain it serves, if any.
        payment_method: how it is paid.
        start: the day it started.
        next_due: the first day not yet paid for; ``None`` when nothing is due
            (always for a one-time cycle).
        paid_through: the last day paid for (inclusive), or ``None``.
        status: its status with substate.
        auto_renew: whether it renews by itself.
        override_auto_suspend: ``None``, or staff's exemption from automatic suspension.
        cancellation: the cancellation request, if one was made.
        termination_date: the day it ended; set exactly when it is cancelled,
            terminated or deleted.
        time_zone: the customer's IANA time zone; billing dates of instants
            (when something is due) are taken there.
        pending_change: a change of product, edition or cycle waiting for the
            end of the term or for its invoice to be paid.
        billing_timing: when its periods are invoiced: in advance (pre-bill,
            the default: at the start of each period, the unused part credited
            on a change, pause or cancellation) or in arrears (post-bill: at the
            end of each period, for what was used; see
            :mod:`prodlife.lifecycle.terms`).
        timeline: what the customer is entitled to and when, at which prices
            (:class:`~prodlife.billing.Timeline`): the billing engine's only
            input. By default the recurring price on the service's cycle from
            its start, and its add-ons on theirs.
        ledger: what was invoiced for the days not yet settled
            (:class:`~prodlife.billing.Ledger`). By default nothing, or for a
            service paid through a day, the period before its next due date
            invoiced at its price.
        dunning: its own grace periods before suspension and termination for
            non-payment, or ``None`` to follow the scheduler's policy.
        invoicing: how its lines are invoiced (on their own or not) and whether
            paying them activates it; ``None``: with the customer's others, no activation.
        bundle_id: the id of the bundle service it is a component of (seed
            004: an order's bundle line creates its components' services with
            it), or ``None`` for a service sold on its own.
        sold_under: the catalog version and price-plan row its recurring price
            was sold under (:class:`~prodlife.lifecycle.SoldUnder`), or ``None``
            when it was not priced from a stored plan (grandfathering:
            :mod:`prodlife.lifecycle.grandfathering`).
        version: how many operations it has been through (``history.total``).
        history: its operations, oldest first: all of them for a service made
            here; for one read from a store, those since it was read (the
            store keeps the earlier ones, see :class:`~prodlife.lifecycle.history.History`).

    Raises:
        RuleViolation: a rule below is broken (``service.*``, ``addon.*``).
    """

    id: str
    customer_id: str
    product_code: str
    edition: str | None
    cycle: BillingCycle
    quantity: int = 1
    price: RecurringPrice
    options: tuple[ServiceOption, ...] = attrs.field(default=(), converter=_options)
    addons: tuple[ServiceAddOn, ...] = attrs.field(default=(), converter=_addons)
    domain: str | None = None
    payment_method: str
    start: date
    next_due: date | None = None
    paid_through: date | None = None
    status: ServiceStatus = ORDERED
    auto_renew: bool = True
    override_auto_suspend: OverrideAutoSuspend | None = None
    cancellation: CancellationRequest | None = None
    termination_date: date | None = None
    time_zone: str = "UTC"
    pending_change: PendingChange | None = None
    billing_timing: BillingTiming = BillingTiming.IN_ADVANCE
    timeline: Timeline = _DEFAULT_TIMELINE
    ledger: Ledger = _DEFAULT_LEDGER
    dunning: Dunning | None = None
    invoicing: ServiceInvoicing | None = None
    bundle_id: str | None = None
    sold_under: SoldUnder | None = None
    version: int = 0
    history: History = attrs.field(factory=History)

    def __attrs_post_init__(self) -> None:
        self._check_values()
        self._check_dates()
        # Made from the fields once they are checked: the default timeline and ledger.
        if self.timeline is _DEFAULT_TIMELINE:
            object.__setattr__(self, "timeline", opening_timeline(self))
        if self.ledger is _DEFAULT_LEDGER:
            object.__setattr__(self, "ledger", opening_ledger(self))
        self._check_timeline()
        self._check_addons()
        self._check_history()

    def _check_values(self) -> None:
        for value, what in (
            (self.id, "service id"),
            (self.customer_id, "customer id"),
            (self.product_code, "product code"),
            (self.payment_method, "payment method"),
        ):
            _text(value, "service.field", what)
        for optional, what in ((self.edition, "edition"), (self.domain, "domain")):
            if optional is not None:
                _text(optional, "service.field", what)
        _kind(self.cycle, BillingCycle, "service.field", "cycle")
        _kind(self.price, RecurringPrice, "service.field", "price")
        _kind(self.status, ServiceStatus, "service.field", "status")
        _kind(self.auto_renew, bool, "service.field", "auto-renew")
        _kind(self.billing_timing, BillingTiming, "service.field", "billing timing")
        _kind(self.history, History, "service.field", "history")
        if self.time_zone != "UTC":
            _text(self.time_zone, "service.time-zone", "time zone")
            try:
                time_zone(self.time_zone)
            except ProdlifeError as error:
                raise RuleViolation("service.time-zone", str(error)) from None
        if self.pending_change is not None:
            _kind(self.pending_change, PendingChange, "service.pending-change", "pending change")
        if self.dunning is not None:
            _kind(self.dunning, Dunning, "service.dunning", "dunning")
        if self.invoicing is not None:
            _kind(self.invoicing, ServiceInvoicing, "service.invoicing", "invoicing")
        if self.bundle_id is not None:
            _text(self.bundle_id, "service.bundle", "bundle id")
            if self.bundle_id == self.id:
                raise RuleViolation(
                    "service.bundle",
                    f"service {self.id} names itself as its bundle; give the bundle service's id",
                )
        if self.sold_under is not None:
            _kind(self.sold_under, SoldUnder, "service.sold-under", "sold under")
        _count(self.quantity, "service.quantity", "quantity", MAX_SERVICE_QUANTITY)
        if self.override_auto_suspend is not None:
            _kind(
                self.override_auto_suspend,
                OverrideAutoSuspend,
                "service.override-auto-suspend",
                "override auto-suspend",
            )
        if self.cancellation is not None:
            _kind(
                self.cancellation,
                CancellationRequest,
                "service.cancellation-request",
                "cancellation",
            )
        for option in self.options:
            _kind(option, ServiceOption, "service.option", "option")
        _unique((o.code for o in self.options), "service.option", "option")

    def _check_dates(self) -> None:
        _day(self.start, "service.dates", "start")
        _day(self.next_due, "service.next-due", "next due date", optional=True)
        _day(self.paid_through, "service.paid-through", "paid-through date", optional=True)
        _day(self.termination_date, "service.termination-date", "termination date", optional=True)
        if (
            self.billing_timing is BillingTiming.IN_ARREARS
            and self.cycle.unit is CycleUnit.ONE_TIME
        ):
            raise RuleViolation(
                "service.billing-timing",
                f"a one-time service is invoiced once, at its order; it cannot be billed in "
                f"arrears, got {self.billing_timing}; leave it in advance",
            )
        if self.next_due is not None:
            if self.cycle.unit is CycleUnit.ONE_TIME:
                raise RuleViolation(
                    "service.next-due",
                    f"a one-time service is never due again, got next due {self.next_due}; "
                    "pass next_due=None",
                )
            if self.next_due < self.start:
                raise RuleViolation(
                    "service.next-due",
                    f"next due {self.next_due} is before the start {self.start}; "
                    "give a day on or after the start",
                )
        if self.paid_through is not None:
            if self.paid_through < self.start:
                raise RuleViolation(
                    "service.paid-through",
                    f"paid through {self.paid_through} is before the start {self.start}; "
                    "pass None when nothing is paid yet",
                )
            if self.next_due is not None and self.paid_through >= self.next_due:
                raise RuleViolation(
                    "service.paid-through",
                    f"paid through {self.paid_through} but next due {self.next_due}: a day "
                    "cannot be both paid and due; move next_due past the paid-through date",
                )
        if _ended(self.status) != (self.termination_date is not None):
            raise RuleViolation(
                "service.termination-date",
                f"a service that is {self.status} has termination date "
                f"{self.termination_date}; it has one exactly when cancelled, terminated or "
                "deleted",
            )

    def _check_timeline(self) -> None:
        timeline = self.timeline
        _kind(timeline, Timeline, "service.timeline", "timeline")
        _kind(self.ledger, Ledger, "service.ledger", "ledger")
        if timeline.service_id != self.id or timeline.timing is not self.billing_timing:
            raise RuleViolation(
                "service.timeline",
                f"service {self.id} ({self.billing_timing}) has the timeline of service "
                f"{timeline.service_id!r} ({timeline.timing}); give it its own",
            )

    def _check_addons(self) -> None:
        for addon in self.addons:
            _kind(addon, ServiceAddOn, "service.addon", "add-on")
        _unique((a.code for a in self.addons), "service.addon", "add-on")
        for addon in self.addons:
            if addon.start < self.start:
                raise RuleViolation(
                    "service.addon",
                    f"add-on {addon.code!r} starts {addon.start}, before its base "
                    f"{self.start}; start it on or after the base",
                )
            if self.termination_date is None:
                continue
            if not addon.ended:
                raise RuleViolation(
                    "addon.ends-with-base",
                    f"add-on {addon.code!r} is {addon.status} but its base is {self.status}; "
                    "an add-on ends with its base",
                )
            if addon.termination_date is not None and addon.termination_date > (
                self.termination_date
            ):
                raise RuleViolation(
                    "addon.ends-with-base",
                    f"add-on {addon.code!r} ends {addon.termination_date}, after its base "
                    f"ended {self.termination_date}; end it on or before the base",
                )

    def _check_history(self) -> None:
        if not is_whole(self.version):
            raise RuleViolation(
                "service.version", f"version {self.version!r} is not a whole number"
            )
        if self.version != self.history.total:
            raise RuleViolation(
                "service.version",
                f"version {self.version} but {self.history.total} history entries; the version "
                "counts the operations, so they must match",
            )
        last = self.history.last
        if last is not None and last.after != self.status:
            raise RuleViolation(
                "service.history",
                f"the service is {self.status} but its history ends at {last.after}; "
                "record every change of status through perform()",
            )

    def _evolved(self, **changes: Any) -> Service:
        """``attrs.evolve`` for internal changes, checking only what they can break.

        Fields the operations compute from already-checked values (status,
        history, version, dates, requests, timeline, ledger) skip the type checks; the
        date and history invariants are always checked, the add-on rules when
        add-ons or the termination date change, and everything when any other
        field changes.
        """
        new = object.__new__(Service)
        values = _GET_ALL(self)
        for slot, name, value in zip(_SLOTS, _FIELDS, values, strict=True):
            slot.__set__(new, changes.get(name, value))
        if not changes.keys() <= _TRUSTED:
            new._check_values()
        new._check_dates()
        new._check_timeline()
        if "addons" in changes or "termination_date" in changes:
            new._check_addons()
        new._check_history()
        return new

    def at_rest(self) -> Service:
        """The service as a store keeps it: its history entries counted, none held.

        A store writes the entries to its history (read back with
        ``uow.services.history``) and the service without them, so loading and
        saving a service costs the same however long its life.
        """
        history = self.history.at_rest()
        return self if history is self.history else self._evolved(history=history)

    @property
    def ended(self) -> bool:
        """Whether it is cancelled, terminated or deleted."""
        return _ended(self.status)

    @property
    def cancellation_pending(self) -> bool:
        """Whether a cancellation is requested and the service has not ended yet."""
        return self.cancellation is not None and not self.ended

    @property
    def visible_to_customer(self) -> bool:
        """Whether its customer sees it (every status but deleted, seed 002)."""
        return visible_to_customer(self.status)

    @property
    def billed_until(self) -> date | None:
        """The first day of its recurring price not yet invoiced, or ``None`` before any was."""
        invoiced, settled = self.ledger.invoiced_until(""), self.ledger.settled
        if invoiced is None or settled is None:
            return settled if invoiced is None else invoiced
        return max(invoiced, settled)

    @property
    def current_period(self) -> Period | None:
        """The billing period the next due date ends, or ``None`` when nothing is due.

        >>> from prodlife import Money
        >>> from prodlife.cycles import MONTHLY
        >>> from prodlife.pricing.recurring import RecurringPrice
        >>> service = Service(
        ...     id="S-1", customer_id="C-1", product_code="VPS", edition=None, cycle=MONTHLY,
        ...     price=RecurringPrice.at_order(Money("10", "USD")), payment_method="card",
        ...     start=date(2025, 1, 1), next_due=date(2025, 3, 1),
        ... )
        >>> print(service.current_period)
        [2025-02-01, 2025-03-01)
        """
        if self.next_due is None:
            return None
        return Period(self.due_date(-1), self.next_due)

    def __str__(self) -> str:
        return service_text(self)

    def __repr__(self) -> str:
        return f"<Service {service_text(self)}, version {self.version}>"

    def as_rows(self) -> list[Row]:
        """Its main fields as a list of one row, for ``pandas.DataFrame`` (price as ``Decimal``)."""
        return [service_row(self)]

    def _repr_html_(self) -> str:
        return html_table(self.as_rows())

    def due_date(self, periods: int) -> date:
        """The boundary ``periods`` billing periods after (or before) the next due date.

        Month-based cycles keep their billing day: a service begun on Jan 31 is
        due on Feb 28, then on Mar 31 (its timeline keeps the day:
        :func:`~prodlife.lifecycle.timelines.boundary_day`).

        Raises:
            RuleViolation: nothing is due (a one-time service).
        """
        if self.next_due is None:
            raise RuleViolation(
                "service.nothing-due", f"service {self.id} is one-time; it has no due dates"
            )
        return self.cycle.shift(self.next_due, periods, boundary_day(self, self.next_due))

    def renamed(self, service_id: str) -> Service:
        """This service under another id, its timeline and ledger with it (a host's import)."""
        ledger = self.ledger
        lines = tuple(attrs.evolve(line, service_id=service_id) for line in ledger.lines)
        return attrs.evolve(
            self,
            id=service_id,
            timeline=attrs.evolve(self.timeline, service_id=service_id),
            ledger=attrs.evolve(ledger, lines=lines),
        )

    def addon(self, code: str) -> ServiceAddOn:
        """The add-on held under ``code``.

        Raises:
            NotFound: the service holds no such add-on.
        """
        for addon in self.addons:
            if addon.code == code:
                return addon
        raise NotFound("add-on", code, f"service {self.id!r} holds no such add-on")

    def perform(
        self,
        operation: Operation,
        actor: Actor,
        at: datetime,
        reason: str = "",
        *,
        kind: SuspensionKind | None = None,
        provisioning: bool = True,
        customer_may_delete: bool = False,
        sets_price: bool = False,
        request: CancellationRequest | None = None,
        termination_date: date | None = None,
        details: str = "",
        _also: Mapping[str, Any] | None = None,
    ) -> Service:
        """Carry out ``operation`` for ``actor`` at instant ``at``; return the changed service.

        Args:
            operation: what is done.
            actor: who asks.
            at: when; an aware datetime, recorded in UTC.
            reason: why, for the history.
            kind: for :attr:`Operation.SUSPEND`: who or why.
            provisioning: whether a provisioning module does the work (the
                service passes through ``in progress``).
            customer_may_delete: the product type's deletion rule.
            sets_price: whether the request sets a price by hand (customers
                and the system may not; staff need ``prices: set``).
            request: for :attr:`Operation.SCHEDULE_CANCELLATION` (required there only).
            termination_date: when the operation ends the service: the day it
                ended, instead of the UTC date of ``at``.
            details: anything else worth keeping in the history entry.

        Returns:
            A new service, one version later, with one more history entry;
            ``self`` is unchanged.

        Raises:
            PermissionDenied: the actor may not ask for it.
            TransitionNotAllowed: the status does not allow it.
            ValidationError: suspending without a ``kind``; a naive ``at``.
            RuleViolation: ``request`` missing or misplaced (rule
                ``service.cancellation-request``); ``termination_date`` given to
                an operation that does not end the service (rule
                ``service.termination-date``); ``at`` before the last history
                entry (rule ``history.order``).
        """
        if not isinstance(operation, Operation):
            raise ValidationError(f"operation {operation!r} is not an Operation; pass one")
        at = as_utc(at)
        authorize(
            actor,
            operation,
            owner_customer_id=self.customer_id,
            current=self.status,
            customer_may_delete=customer_may_delete,
            sets_price=sets_price,
            kind=kind,
        )
        after = next_status(
            self.status,
            operation,
            kind=kind,
            cancellation_pending=self.cancellation is not None,
            provisioning=provisioning,
        )
        cancellation = self._cancellation_after(operation, request)
        history = self.history.append(
            HistoryEntry(at, actor, operation, reason, self.status, after, details)
        )
        ends_now = _ended(after) and not self.ended
        if termination_date is not None and not ends_now:
            raise RuleViolation(
                "service.termination-date",
                f"{operation} leaves the service {after}, so it has no termination date to "
                f"set to {termination_date}; pass termination_date only when it ends",
            )
        changes: dict[str, Any] = {
            "status": after,
            "cancellation": cancellation,
            "version": self.version + 1,
            "history": history,
        }
        if ends_now:
            termination = at.date() if termination_date is None else termination_date
            _day(termination, "service.termination-date", "termination date")
            changes["termination_date"] = termination
            changes["addons"] = tuple(
                _end_with_base(addon, after, termination) for addon in self.addons
            )
        if _also:
            changes.update(_also)
        return self._evolved(**changes)

    def _cancellation_after(
        self, operation: Operation, request: CancellationRequest | None
    ) -> CancellationRequest | None:
        if operation is Operation.SCHEDULE_CANCELLATION:
            if not isinstance(request, CancellationRequest):
                raise RuleViolation(
                    "service.cancellation-request",
                    f"scheduling a cancellation needs request=CancellationRequest(...), got "
                    f"{request!r}; say when it takes effect and why",
                )
            return request
        if request is not None:
            raise RuleViolation(
                "service.cancellation-request",
                f"{operation} takes no cancellation request; pass it to schedule cancellation",
            )
        if operation is Operation.REACTIVATE:
            return None
        return self.cancellation

    def set_addon_termination_date(
        self, code: str, day: date, *, actor: Actor, at: datetime, reason: str = ""
    ) -> Service:
        """Change the day an ended add-on ended (seed 003), recorded as an edit.

        Args:
            code: the add-on's code.
            day: its new termination date.
            actor: who asks (needs the right to edit, as for :attr:`Operation.EDIT`).
            at: when; an aware datetime.
            reason: why, for the history.

        Returns:
            A new service, one version later, with an edit in its history.

        Raises:
            NotFound: no add-on ``code``.
            RuleViolation: the add-on is not cancelled or terminated (rule
                ``addon.termination-date``), or ``day`` is after the base's
                termination date (rule ``addon.ends-with-base``).
            PermissionDenied, TransitionNotAllowed: as for an edit
                (a deleted service is final).
        """
        addon = self.addon(code)
        if addon.status.status not in (Status.CANCELLED, Status.TERMINATED):
            raise RuleViolation(
                "addon.termination-date",
                f"add-on {code!r} is {addon.status}; its termination date can be edited only "
                "once it is cancelled or terminated; cancel it first",
            )
        _day(day, "addon.termination-date", f"add-on {code!r} termination date")
        if self.termination_date is not None and day > self.termination_date:
            raise RuleViolation(
                "addon.ends-with-base",
                f"add-on {code!r} cannot end {day}, after its base ended "
                f"{self.termination_date}; an add-on never outlives its base",
            )
        edited = self.perform(
            Operation.EDIT,
            actor,
            at,
            reason,
            details=f"add-on {code} termination date {addon.termination_date} -> {day}",
        )
        return attrs.evolve(
            edited,
            addons=tuple(
                attrs.evolve(a, termination_date=day) if a.code == code else a for a in self.addons
            ),
        )


_FIELDS = tuple(field.name for field in attrs.fields(Service))
#: The slot descriptors, which set a field without the frozen class's refusal.
_SLOTS = tuple(getattr(Service, name) for name in _FIELDS)
_GET_ALL = operator.attrgetter(*_FIELDS)
_TRUSTED = frozenset(
    {
        "sold_under",
        "status",
        "history",
        "version",
        "cancellation",
        "termination_date",
        "addons",
        "next_due",
        "paid_through",
        "pending_change",
        "timeline",
        "ledger",
        "invoicing",  # set by settlement.with_unpaid_since from a checked ServiceInvoicing
    }
)


def _end_with_base(addon: ServiceAddOn, base_status: ServiceStatus, day: date) -> ServiceAddOn:
    if not addon.ended:
        return attrs.evolve(addon, status=base_status, termination_date=day)
    end = AddOn.end_date(addon.termination_date, day)
    return addon if end == addon.termination_date else attrs.evolve(addon, termination_date=end)
