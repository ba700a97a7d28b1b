"""Usage services provided on request, provisioned by their provider (seed 004).

A usage service (a video on demand, a pay-per-view event: a product whose type's
service kind is usage) is provided when a customer asks for it, on the
subscription (a termed service) it is consumed through. Its usage service catalog
rates it (:func:`~prodlife.pricing.rate_usage`); when its type is provisionable,
the module of the provider that knows the product provides it first
(:class:`UsageProvisioning`, seed 004's "options for integrating with
third-party provisioning systems"); then its charge goes on the subscription's
timeline as a one-time charge on the usage's day, billed by the engine like any
charge. A refusal by the provider changes nothing (:class:`ModuleFailed`).

Rules: ``usage.customer`` (the usage is the subscription's customer's),
``usage.provided`` (a record is provided once: one charge per product, reference
and day).

>>> from datetime import UTC, date, datetime
>>> from prodlife import MONTHLY, Money
>>> from prodlife.lifecycle import ACTIVE, Actor, Service
>>> from prodlife.pricing import RecurringPrice, UsageCatalog, UsageRate, UsageRateRow
>>> from prodlife.pricing import UsageRecord, rate_usage
>>> tv = Service(
...     id="S-1", customer_id="C-1", product_code="TV", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("20.00", "USD")), payment_method="card",
...     start=date(2025, 4, 1), next_due=date(2025, 5, 1), paid_through=date(2025, 4, 30),
...     status=ACTIVE,
... )
>>> vod = UsageCatalog("VOD", "Movies", "USD", [
...     UsageRateRow("FILM", UsageRate(Money("3.99", "USD")), "view")])
>>> at = datetime(2025, 4, 20, 21, tzinfo=UTC)
>>> record = UsageRecord("FILM", 1, "view", at, "C-1", reference="film-42")
>>> done = provide_usage(tv, Actor.customer("C-1"), at, record, rate_usage([record], vod))
>>> [(line.subject, str(line.amount)) for line in done.lines]
[('FILM/film-42', 'USD 3.99')]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from prodlife.billing.timeline import OneTimeCharge
from prodlife.catalog.products import Product
from prodlife.errors import RuleViolation, ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import today
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.provisioning import ModuleFailed, ModuleOutcome, ModuleResult, call_module
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.timelines import billed
from prodlife.lifecycle.transitions import Operation
from prodlife.periods import billing_date
from prodlife.pricing.usage import UsageCharge, UsageRecord

__all__ = ["UsageProvisioning", "provide_usage"]


@runtime_checkable
class UsageProvisioning(Protocol):
    """A provider's module that also provides usage services on request (seed 004).

    The host implements it beside :class:`~prodlife.lifecycle.ProvisioningModule`
    on the module of a provider that provisions usage services (a VOD server).
    """

    def provide(self, service: Service, product: Product, record: UsageRecord) -> ModuleResult:
        """Provide ``record``'s usage of ``product`` through the subscription ``service``
        (``product.provider_id(...)`` is the provider's id for it)."""


def provide_usage(
    service: Service,
    actor: Actor,
    at: datetime,
    record: UsageRecord,
    charges: Sequence[UsageCharge],
    *,
    product: Product | None = None,
    module: UsageProvisioning | None = None,
    reason: str = "",
) -> Outcome:
    """Provide a usage service on the subscription ``service`` and charge it.

    Args:
        record: what is provided: the usage product, quantity, unit, when, whose.
        charges: ``record`` rated by its usage service catalog
            (:func:`~prodlife.pricing.rate_usage`).
        product: the usage product, given to the module.
        module: the provider's module, for a provisionable usage product; it
            provides the usage before anything is charged.

    Returns:
        The subscription with its history entry (``CHANGE_OPTIONS``, "usage ...
        provided"), the charges on its timeline, billed; a ``USAGE_PROVIDED``
        event.

    Raises:
        RuleViolation: the record is another customer's (rule ``usage.customer``),
            or was provided already (rule ``usage.provided``).
        ValidationError: ``module`` without ``product``.
        ModuleFailed: the provider refused (nothing is changed).
        PermissionDenied, TransitionNotAllowed: as :meth:`Service.perform`
            (a live subscription, its owner or staff).
    """
    if not isinstance(record, UsageRecord):
        raise ValidationError(f"{record!r} is not a UsageRecord; build one")
    if record.customer_id != service.customer_id:
        raise RuleViolation(
            "usage.customer",
            f"usage {record.reference or record.product_code} is customer "
            f"{record.customer_id}'s, and service {service.id} is {service.customer_id}'s; "
            "provide it on the subscription of the customer who uses it",
        )
    what = f"usage {record.product_code} provided"
    done = service.perform(Operation.CHANGE_OPTIONS, actor, at, reason, details=what)
    day = billing_date(record.at, service.time_zone)
    subject = (
        f"{record.product_code}/{record.reference}" if record.reference else record.product_code
    )
    if any(c.subject == subject and c.day == day for c in service.timeline.one_time):
        raise RuleViolation(
            "usage.provided",
            f"{subject} was provided on {day} already; give each record a reference of its own",
        )
    if module is not None:
        if product is None:
            raise ValidationError("a module provides a usage service of a product: pass product")
        result = call_module("provide", lambda: module.provide(service, product, record))
        if result.outcome is not ModuleOutcome.SUCCESS:
            raise ModuleFailed("provide", result)
    timeline = done.timeline
    for charge in charges:
        timeline = timeline.charge_once(
            OneTimeCharge(subject, charge.description, charge.amount, day)
        )
    changed = done._evolved(timeline=timeline)
    details = (("product", record.product_code), ("quantity", str(record.quantity)))
    outcome = Outcome(changed, (event(changed, EventKind.USAGE_PROVIDED, at, details),))
    return billed(outcome, today(service, at))
