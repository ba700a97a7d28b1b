"""The store conformance suite: pytest classes proving a store keeps :mod:`prodlife.ports`.

A host that keeps prodlife's aggregates in its own database implements
:class:`~prodlife.ports.Store` and runs this suite over it: subclass
:class:`StoreContract` in a test module, under a name pytest collects, and
override the one fixture ``store``, which yields a fresh, empty store::

    import pytest
    from prodlife.testing.contract import StoreContract

    class TestMyStore(StoreContract):
        concurrent_readers = True  # False when the store runs one transaction at a time

        @pytest.fixture
        def store(self):
            store = MyStore(fresh_database())
            yield store
            store.close()

Every contract written in :mod:`prodlife.ports` has a test here, through the
protocols only: transactions (commit, rollback, exceptions, a unit of work
used after it ended, isolation), not found, uniqueness, versions, ordering,
values read back equal (with hypothesis round-trips), queries and paging,
scheduler claims, invoice lines and revenue, invoices (numbering, versions,
queries), credit balances, payments, the event outbox, promotions and
their uses, orders, price plans, catalog versions, sync runs, physical goods (with the
stock's invariants kept through the store, concurrent issues included), and text (what every
store keeps, and refuses, alike). Each repository has its
own class (:class:`ServiceRepositoryContract`...) for a store that implements
only some of them; :class:`StoreContract` inherits them all.

Two class attributes tune the suite:

- ``concurrent_readers`` (``True``): whether a read-only transaction can
  read while another one is open. A store that runs one transaction at a
  time (the memory store) sets it to ``False`` and its isolation test is
  skipped.
- ``examples`` (``20``): how many examples each hypothesis round-trip draws.

Ordering is Python's ordering of ``str`` (by code point), the memory store's:
a SQL store compares ids and codes bytewise (``COLLATE "C"`` in PostgreSQL).

This module needs pytest and hypothesis (``pip install 'prodlife[test]'``);
it is imported only by test code.
"""

from __future__ import annotations

from prodlife.testing.contract._support import MISSING as MISSING
from prodlife.testing.contract._support import StoreFixture
from prodlife.testing.contract._support import add_services as add_services
from prodlife.testing.contract._support import change_one_of_each as change_one_of_each
from prodlife.testing.contract._support import each as each
from prodlife.testing.contract._support import fail_inside as fail_inside
from prodlife.testing.contract._support import issued as issued
from prodlife.testing.contract._support import read as read
from prodlife.testing.contract._support import snapshot as snapshot
from prodlife.testing.contract._support import stored as stored
from prodlife.testing.contract._support import write as write
from prodlife.testing.contract._support import write_one_of_each as write_one_of_each
from prodlife.testing.contract._values import HOUR as HOUR
from prodlife.testing.contract._values import NEW_YORK as NEW_YORK
from prodlife.testing.contract._values import PLAN as PLAN
from prodlife.testing.contract._values import PROMOTIONS as PROMOTIONS
from prodlife.testing.contract._values import ST_JOHNS as ST_JOHNS
from prodlife.testing.contract._values import STAFF as STAFF
from prodlife.testing.contract._values import T0 as T0
from prodlife.testing.contract._values import TOKYO as TOKYO
from prodlife.testing.contract._values import TRICKY_IDS as TRICKY_IDS
from prodlife.testing.contract._values import changed as changed
from prodlife.testing.contract._values import make_event as make_event
from prodlife.testing.contract._values import make_invoice as make_invoice
from prodlife.testing.contract._values import make_line as make_line
from prodlife.testing.contract._values import make_order as make_order
from prodlife.testing.contract._values import make_payment as make_payment
from prodlife.testing.contract._values import make_run as make_run
from prodlife.testing.contract._values import make_service as make_service
from prodlife.testing.contract._values import make_version as make_version
from prodlife.testing.contract._values import usd as usd
from prodlife.testing.contract.catalog import CatalogRepositoryContract
from prodlife.testing.contract.credit import CreditBalanceContract
from prodlife.testing.contract.events import EventOutboxContract
from prodlife.testing.contract.goods import GOODS_CATALOG as GOODS_CATALOG
from prodlife.testing.contract.goods import GoodsRepositoryContract
from prodlife.testing.contract.invoice_lines import InvoiceLineContract
from prodlife.testing.contract.invoices import INVOICE_QUERIES as INVOICE_QUERIES
from prodlife.testing.contract.invoices import INVOICE_ROWS as INVOICE_ROWS
from prodlife.testing.contract.invoices import InvoiceRepositoryContract
from prodlife.testing.contract.invoices import expected_invoices as expected_invoices
from prodlife.testing.contract.offerings import OfferingRepositoryContract
from prodlife.testing.contract.orders import OrderRepositoryContract
from prodlife.testing.contract.payments import PaymentRepositoryContract
from prodlife.testing.contract.price_plans import PricePlanRepositoryContract
from prodlife.testing.contract.promotions import PromotionRepositoryContract
from prodlife.testing.contract.scheduler import ALL_DUE as ALL_DUE
from prodlife.testing.contract.scheduler import SchedulerContract
from prodlife.testing.contract.scheduler import claim as claim
from prodlife.testing.contract.scheduler import claim_committed as claim_committed
from prodlife.testing.contract.services import QUERIES as QUERIES
from prodlife.testing.contract.services import QUERY_ROWS as QUERY_ROWS
from prodlife.testing.contract.services import ServiceRepositoryContract
from prodlife.testing.contract.services import expected_find as expected_find
from prodlife.testing.contract.sync_runs import SyncRunContract
from prodlife.testing.contract.text import EVERY_PLANE as EVERY_PLANE
from prodlife.testing.contract.text import ODD as ODD
from prodlife.testing.contract.text import TextContract
from prodlife.testing.contract.transactions import TransactionContract
from prodlife.testing.services import SUSPENDED_BY_CUSTOMER as SUSPENDED_BY_CUSTOMER
from prodlife.testing.services import SUSPENDED_FOR_NON_PAYMENT as SUSPENDED_FOR_NON_PAYMENT

__all__ = [
    "CatalogRepositoryContract",
    "CreditBalanceContract",
    "EventOutboxContract",
    "GoodsRepositoryContract",
    "InvoiceLineContract",
    "InvoiceRepositoryContract",
    "OfferingRepositoryContract",
    "OrderRepositoryContract",
    "PaymentRepositoryContract",
    "PricePlanRepositoryContract",
    "PromotionRepositoryContract",
    "SchedulerContract",
    "ServiceRepositoryContract",
    "StoreContract",
    "StoreFixture",
    "SyncRunContract",
    "TextContract",
    "TransactionContract",
]


class StoreContract(
    TransactionContract,
    ServiceRepositoryContract,
    SchedulerContract,
    InvoiceLineContract,
    InvoiceRepositoryContract,
    CreditBalanceContract,
    PaymentRepositoryContract,
    EventOutboxContract,
    PromotionRepositoryContract,
    PricePlanRepositoryContract,
    OfferingRepositoryContract,
    OrderRepositoryContract,
    CatalogRepositoryContract,
    SyncRunContract,
    GoodsRepositoryContract,
    TextContract,
):
    """Every contract of :mod:`prodlife.ports`: subclass it and override the ``store`` fixture."""
