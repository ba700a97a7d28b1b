"""What :meth:`Billing.perform <prodlife.app.Billing.perform>` reads of the operation it runs.

The parameters an operation takes (so that the use case passes the host's
module, the product type's rules and the stored invoices only where they are
taken), the reason a call gives, and the unpaid invoices of an immediate
cancellation request.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from prodlife.lifecycle.outcome import Outcome
from prodlife.ports import InvoiceQuery, UnitOfWork

__all__ = ["parameters_of", "reason_given", "unpaid_of_its_own"]


def parameters_of(operation: Callable[..., Outcome]) -> frozenset[str]:
    """The names of the parameters ``operation`` takes (none when it has no signature)."""
    try:
        return frozenset(inspect.signature(operation).parameters)
    except (TypeError, ValueError):  # a callable without a signature takes nothing more
        return frozenset()


def reason_given(
    operation: Callable[..., Outcome], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> object:
    """The ``reason`` a call of ``operation`` (after service, actor and instant) gives."""
    try:
        bound = inspect.signature(operation).bind_partial(None, None, None, *args, **kwargs)
    except TypeError:  # the call itself is wrong: the operation will say how
        return kwargs.get("reason", "")
    return bound.arguments.get("reason", "")


def unpaid_of_its_own(uow: UnitOfWork, service_id: str) -> list[str]:
    """The unpaid invoices billing ``service_id`` and no other service (seed 003's
    "cancel unpaid invoices" of an immediate cancellation request)."""
    unpaid = uow.invoices.find(InvoiceQuery(service_id=service_id, unpaid=True))
    return [invoice.number for invoice in unpaid if invoice.service_ids == (service_id,)]
