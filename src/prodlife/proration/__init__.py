"""Proration: shares of periods, plan-change quotes, co-terming, first charges, refunds.

Everything here is pure arithmetic over plain values: exact, explained line
by line, and rounded once per line. See ``docs/proration.md`` for the
conventions, the change policies and how to match public billing systems.

Not here: the day-count conventions and billing cycles it measures with
(:mod:`prodlife.daycount`, :mod:`prodlife.cycles`), and the money of a service's
life, which the billing engine derives from its timeline with these shares
(:mod:`prodlife.billing`).
"""

from prodlife.proration._share import (
    Charge,
    Line,
    LineKind,
    Proration,
    ProrationError,
    Span,
    prorate,
)
from prodlife.proration.change import (
    Anchor,
    ChangeDay,
    ChangePolicy,
    ChargeMode,
    CreditMode,
    quote_change,
    quote_option_change,
    quote_quantity_change,
)
from prodlife.proration.explained import Quote
from prodlife.proration.refunds import UsedDay, quote_cancellation, quote_pause
from prodlife.proration.schedule import CotermItem, quote_coterm, quote_first_charge

__all__ = [
    "Anchor",
    "ChangeDay",
    "ChangePolicy",
    "Charge",
    "ChargeMode",
    "CotermItem",
    "CreditMode",
    "Line",
    "LineKind",
    "Proration",
    "ProrationError",
    "Quote",
    "Span",
    "UsedDay",
    "prorate",
    "quote_cancellation",
    "quote_change",
    "quote_coterm",
    "quote_first_charge",
    "quote_option_change",
    "quote_pause",
    "quote_quantity_change",
]
