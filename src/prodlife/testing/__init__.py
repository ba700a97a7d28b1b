"""Test support for prodlife and for host applications that build on it.

- :mod:`prodlife.testing.strategies` and :mod:`prodlife.testing.catalogs`: hypothesis
  strategies for the domain's values and for whole catalogs.
- :mod:`prodlife.testing.contract`: the store conformance suite, pytest classes
  (:class:`~prodlife.testing.contract.StoreContract` and one per repository) that a
  host subclasses to prove its :class:`~prodlife.ports.Store` keeps every contract.
- :mod:`prodlife.testing.store_machine`: :class:`~prodlife.testing.store_machine.StoreMachine`,
  a hypothesis state machine running random work on a store beside the memory store (a
  host overrides its ``make_store`` hook), and
  :func:`~prodlife.testing.store_machine.store_machine`, which does that for a factory.
  Import the function from its module (``from prodlife.testing.store_machine import
  store_machine``): as an attribute of this package, ``store_machine`` is the module.
- :mod:`prodlife.testing.conservation`: the billing engine's conservation check over a
  host's own catalog.
- :mod:`prodlife.testing.services`: every settled service status by name
  (:data:`~prodlife.testing.services.SUSPENDED_FOR_NON_PAYMENT`,
  :data:`~prodlife.testing.services.CANCELLED`... and
  :data:`~prodlife.testing.services.SETTLED_STATUSES`, all of them), and
  :func:`~prodlife.testing.services.make_service`, a plain service whose fields a test
  changes; also importable from this package.

The domain's rules are not here: each is in its layer's package (see
``docs/architecture.md``); this package only drives and checks them.

This package needs the ``testing`` extra (``pip install 'prodlife[testing]'``):
hypothesis, and pytest for the contract. Importing ``prodlife.testing`` itself needs neither, nor do
the statuses and ``make_service``; the contract's and the machine's names are imported
from their modules when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from prodlife.testing.services import (
    ACTIVE,
    AWAITING_PAYMENT,
    CANCELLED,
    CONFIGURATION_REQUIRED,
    DELETED,
    NOT_AVAILABLE,
    ORDERED,
    PAYMENT_IN_PROGRESS,
    SETTLED_STATUSES,
    SUSPENDED_BY_ADMINISTRATOR,
    SUSPENDED_BY_CUSTOMER,
    SUSPENDED_FOR_ABUSE,
    SUSPENDED_FOR_NON_PAYMENT,
    SUSPENDED_TEMPORARILY,
    TERMINATED,
    make_service,
)

if TYPE_CHECKING:
    from prodlife.testing.contract import (
        CatalogRepositoryContract,
        EventOutboxContract,
        InvoiceLineContract,
        OrderRepositoryContract,
        PricePlanRepositoryContract,
        PromotionRepositoryContract,
        SchedulerContract,
        ServiceRepositoryContract,
        StoreContract,
        StoreFixture,
        TransactionContract,
    )
    from prodlife.testing.store_machine import MACHINE_SETTINGS, StoreMachine

__all__ = [
    "ACTIVE",
    "AWAITING_PAYMENT",
    "CANCELLED",
    "CONFIGURATION_REQUIRED",
    "DELETED",
    "MACHINE_SETTINGS",
    "NOT_AVAILABLE",
    "ORDERED",
    "PAYMENT_IN_PROGRESS",
    "SETTLED_STATUSES",
    "SUSPENDED_BY_ADMINISTRATOR",
    "SUSPENDED_BY_CUSTOMER",
    "SUSPENDED_FOR_ABUSE",
    "SUSPENDED_FOR_NON_PAYMENT",
    "SUSPENDED_TEMPORARILY",
    "TERMINATED",
    "CatalogRepositoryContract",
    "EventOutboxContract",
    "InvoiceLineContract",
    "OrderRepositoryContract",
    "PricePlanRepositoryContract",
    "PromotionRepositoryContract",
    "SchedulerContract",
    "ServiceRepositoryContract",
    "StoreContract",
    "StoreFixture",
    "StoreMachine",
    "TransactionContract",
    "make_service",
]

_MODULES = {
    "MACHINE_SETTINGS": "prodlife.testing.store_machine",
    "StoreMachine": "prodlife.testing.store_machine",
}


def __getattr__(name: str) -> Any:
    """Import the contract (needs pytest) and the machine (needs hypothesis) on first use."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_MODULES.get(name, "prodlife.testing.contract"))
    return getattr(module, name)
