"""The use case of :class:`~prodlife.app.Billing` that provides usage services (seed 004).

A customer asks for a usage service (a video on demand) on a stored subscription:
the catalog in force must define the product as a usage service, its usage
service catalog rates it, the module of the provider that knows it provides it
(when its type is provisionable and that module is a
:class:`~prodlife.lifecycle.provisioning_usage.UsageProvisioning`), and its charge
is billed on the subscription (:func:`~prodlife.lifecycle.provisioning_usage.provide_usage`).
"""

from __future__ import annotations

from datetime import datetime

from prodlife._text import with_article
from prodlife.app._base import BillingBase
from prodlife.catalog.types import ServiceKind
from prodlife.errors import RuleViolation, ValidationError
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.provisioning_usage import UsageProvisioning, provide_usage
from prodlife.lifecycle.services import Service
from prodlife.periods import billing_date
from prodlife.ports import UnitOfWork
from prodlife.pricing.usage import UsageCatalog, UsageRecord, rate_usage

__all__ = ["Providing"]


class Providing(BillingBase):
    """Billing's use case that provides usage services on subscriptions."""

    def provide_usage(
        self,
        service_id: str,
        record: UsageRecord,
        usage_catalog: UsageCatalog,
        actor: Actor,
        *,
        reason: str = "",
    ) -> Outcome:
        """Provide ``record``'s usage service on the stored subscription ``service_id``.

        The product must be a usage service in the catalog in force on the
        subscription's billing date; ``usage_catalog`` rates it on the record's
        billing date. For a provisionable product, the module of the provider
        that knows it (:meth:`~prodlife.lifecycle.provisioning_providers.module_for`)
        provides it first, when that module implements
        :class:`~prodlife.lifecycle.provisioning_usage.UsageProvisioning`; it runs
        out of any transaction, and its refusal saves nothing.

        Raises:
            RuleViolation: the product is not a usage service (rule ``usage.product``),
                or as :func:`~prodlife.lifecycle.provisioning_usage.provide_usage`.
            NotFound: no such service, product or rate.
            ModuleFailed: the provider refused.
            ValidationError: ``record`` is not a UsageRecord, or ``usage_catalog``
                not a UsageCatalog.
            PermissionDenied, TransitionNotAllowed, ConcurrencyConflict: as
                :meth:`perform`.
        """
        if not isinstance(record, UsageRecord):
            raise ValidationError(f"{record!r} is not a UsageRecord; build one")
        if not isinstance(usage_catalog, UsageCatalog):
            raise ValidationError(f"usage catalog {usage_catalog!r} must be a UsageCatalog")

        def run(service: Service, at: datetime, uow: UnitOfWork) -> Outcome:
            catalog = self._catalog(uow, billing_date(at, service.time_zone))
            code = record.product_code
            product, kind = catalog.product(code), catalog.type_of(code)
            if kind.service_kind is not ServiceKind.USAGE:
                raise RuleViolation(
                    "usage.product",
                    f"product {code} is {with_article(kind.describes)}, not a usage service; "
                    "order it, or provide a usage product",
                    code,
                )
            charges = rate_usage([record], usage_catalog, zone=service.time_zone)
            module = self._module_in(catalog, code)
            usage_module = module if isinstance(module, UsageProvisioning) else None
            return provide_usage(
                service,
                actor,
                at,
                record,
                charges,
                product=product,
                module=usage_module,
                reason=reason,
            )

        return self._on_service(service_id, actor, run, "usage")
