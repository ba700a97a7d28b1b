"""prodlife: the product lifecycle domain for billing applications.

The root namespace holds what a host uses in its first hour: money and time, the billing
cycles, the catalog and pricing values, orders and services, the main lifecycle operations,
:class:`Billing` over a store from :func:`open_store`, invoices and payments, and the errors
a host catches. Everything else is public in its subpackage, named after the domain
(:mod:`prodlife.catalog`, :mod:`prodlife.pricing`, :mod:`prodlife.billing`,
:mod:`prodlife.lifecycle`, :mod:`prodlife.ports`, :mod:`prodlife.stores`, ...), and
documented there.

>>> from datetime import date
>>> import prodlife
>>> schedule = prodlife.BillingSchedule(prodlife.MONTHLY, date(2025, 1, 31))
>>> schedule.period(1)
Period(2025-02-28, 2025-03-31)
"""

from prodlife._version import __version__
from prodlife.app import Billing, PaymentResult, PublishFailed, SchedulerReport, Statement
from prodlife.billing import Invoice, InvoiceLine, InvoiceStatus, Payment, Prorata
from prodlife.catalog import (
    AddOn,
    Catalog,
    CatalogVersion,
    Edition,
    Product,
    ProductQuery,
    ProductType,
)
from prodlife.clock import Clock, FixedClock, SystemClock
from prodlife.cycles import (
    ANNUAL,
    MONTHLY,
    ONE_TIME,
    QUARTERLY,
    SEMI_ANNUAL,
    BillingCycle,
    BillingSchedule,
)
from prodlife.daycount import ACTUAL_DAYS, THIRTY_DAY_MONTHS
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    CurrencyMismatch,
    InvalidCatalog,
    NotFound,
    PermissionDenied,
    ProdlifeError,
    RuleViolation,
    StoreError,
    TransitionNotAllowed,
    ValidationError,
)
from prodlife.io.catalog_files import load_catalog
from prodlife.lifecycle import (
    Actor,
    CancellationKind,
    EventKind,
    Order,
    OrderLine,
    OrderOptions,
    OrderQuote,
    Outcome,
    Permission,
    SchedulerPolicy,
    Service,
    ServiceStatus,
    SuspensionKind,
    activate,
    cancel,
    request_cancellation,
    suspend,
    terminate,
    unsuspend,
    withdraw_cancellation,
)
from prodlife.money import Money
from prodlife.periods import Period, billing_date
from prodlife.ports import InvoiceQuery, Notifier, ServiceQuery, Store
from prodlife.pricing import (
    OrderLineSpec,
    PlanRate,
    PricePlan,
    PricingContext,
    Promotion,
    Rate,
    TaxRate,
)
from prodlife.proration import prorate, quote_change
from prodlife.stores import open_store

__all__ = [
    "ACTUAL_DAYS",
    "ANNUAL",
    "MONTHLY",
    "ONE_TIME",
    "QUARTERLY",
    "SEMI_ANNUAL",
    "THIRTY_DAY_MONTHS",
    "Actor",
    "AddOn",
    "AlreadyExists",
    "Billing",
    "BillingCycle",
    "BillingSchedule",
    "CancellationKind",
    "Catalog",
    "CatalogVersion",
    "Clock",
    "ConcurrencyConflict",
    "CurrencyMismatch",
    "Edition",
    "EventKind",
    "FixedClock",
    "InvalidCatalog",
    "Invoice",
    "InvoiceLine",
    "InvoiceQuery",
    "InvoiceStatus",
    "Money",
    "NotFound",
    "Notifier",
    "Order",
    "OrderLine",
    "OrderLineSpec",
    "OrderOptions",
    "OrderQuote",
    "Outcome",
    "Payment",
    "PaymentResult",
    "Period",
    "Permission",
    "PermissionDenied",
    "PlanRate",
    "PricePlan",
    "PricingContext",
    "ProdlifeError",
    "Product",
    "ProductQuery",
    "ProductType",
    "Promotion",
    "Prorata",
    "PublishFailed",
    "Rate",
    "RuleViolation",
    "SchedulerPolicy",
    "SchedulerReport",
    "Service",
    "ServiceQuery",
    "ServiceStatus",
    "Statement",
    "Store",
    "StoreError",
    "SuspensionKind",
    "SystemClock",
    "TaxRate",
    "TransitionNotAllowed",
    "ValidationError",
    "__version__",
    "activate",
    "billing_date",
    "cancel",
    "load_catalog",
    "open_store",
    "prorate",
    "quote_change",
    "request_cancellation",
    "suspend",
    "terminate",
    "unsuspend",
    "withdraw_cancellation",
]
