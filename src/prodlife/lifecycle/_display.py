"""A service for people: one line of text, one row for a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prodlife._tables import Row

if TYPE_CHECKING:
    from prodlife.lifecycle.services import Service

__all__ = ["service_row", "service_text"]


def service_text(service: Service) -> str:
    """``S-1 of C-1: WEB PRO x2, monthly at USD 40.00, active, next due 2025-05-01``."""
    package = " ".join(part for part in (service.product_code, service.edition) if part)
    if service.quantity != 1:
        package += f" x{service.quantity}"
    due = "" if service.next_due is None else f", next due {service.next_due}"
    return (
        f"{service.id} of {service.customer_id}: {package}, {service.cycle} at "
        f"{service.price.amount}, {service.status}{due}"
    )


def service_row(service: Service) -> Row:
    """The service's main fields as one row (the price as ``Decimal``)."""
    return {
        "id": service.id,
        "customer": service.customer_id,
        "product": service.product_code,
        "edition": service.edition,
        "quantity": service.quantity,
        "cycle": str(service.cycle),
        "price": service.price.amount.amount,
        "currency": service.price.amount.currency.code,
        "status": str(service.status),
        "start": service.start,
        "next_due": service.next_due,
        "billed_until": service.billed_until,
        "version": service.version,
    }
