"""Billing: a service's timeline, and the one engine that derives what it owes.

- :mod:`prodlife.billing.timeline`: what a customer is entitled to, and when
  (:class:`Timeline`, its :class:`Track` of :class:`Rate` segments, pauses,
  discounts, one-time charges, taxes).
- :mod:`prodlife.billing.engine`: :func:`lines_due`, the only place a
  service's money is computed: the lines now due, repairs included
  (:mod:`prodlife.billing.repair`), a discount or tax rounded from the lines
  of the charge it is on (:mod:`prodlife.billing.derived`).
- :mod:`prodlife.billing.lines`: :class:`InvoiceLine`, one explained amount.
- :mod:`prodlife.billing.invoices`: :class:`Invoice`, lines grouped, numbered
  (:class:`NumberSeries`) and paid; :mod:`prodlife.billing.payments`:
  :class:`Payment`, settled on invoices, the rest kept as credit.
- :mod:`prodlife.billing.offers`: promotions and additive discounts as
  timeline discounts, in force for the periods they cover.
- :mod:`prodlife.billing.sales`: :func:`price_job` and :func:`price_activity`,
  the invoice lines of one-off sales (their definitions are in
  :mod:`prodlife.pricing.one_off`).
- :mod:`prodlife.billing.prorata`: :class:`Prorata`, services billed on one
  day of the month, their first period a stub to it.

Operations (:mod:`prodlife.lifecycle`) change timelines; they never compute
money. See ``docs/billing.md``.
"""

from prodlife.billing.engine import lines_due
from prodlife.billing.invoices import (
    Invoice,
    InvoiceKey,
    InvoicePolicy,
    InvoiceStatus,
    NumberSeries,
    group_lines,
    line_due_on,
)
from prodlife.billing.ledger import Ledger, bill, next_billing_date
from prodlife.billing.lines import InvoiceLine, LineType, lines_as_rows, lines_total
from prodlife.billing.offers import additive_discount, promotion_discount
from prodlife.billing.payments import Allocation, Payment, PaymentKind, settle
from prodlife.billing.prorata import FirstPeriods, Prorata
from prodlife.billing.sales import price_activity, price_job
from prodlife.billing.timeline import (
    Discount,
    DiscountKind,
    OneTimeCharge,
    Pause,
    Rate,
    Timeline,
    Track,
)

__all__ = [
    "Allocation",
    "Discount",
    "DiscountKind",
    "FirstPeriods",
    "Invoice",
    "InvoiceKey",
    "InvoiceLine",
    "InvoicePolicy",
    "InvoiceStatus",
    "Ledger",
    "LineType",
    "NumberSeries",
    "OneTimeCharge",
    "Pause",
    "Payment",
    "PaymentKind",
    "Prorata",
    "Rate",
    "Timeline",
    "Track",
    "additive_discount",
    "bill",
    "group_lines",
    "line_due_on",
    "lines_as_rows",
    "lines_due",
    "lines_total",
    "next_billing_date",
    "price_activity",
    "price_job",
    "promotion_discount",
    "settle",
]
