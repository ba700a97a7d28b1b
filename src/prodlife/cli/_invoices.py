"""``prodlife invoices --db URL``: a store's invoices printed, each with its explained lines."""

from __future__ import annotations

import argparse
from typing import Any

from prodlife.app import Billing
from prodlife.billing import Invoice
from prodlife.cli._args import USAGE, missing_database, store_option
from prodlife.clock import SystemClock
from prodlife.lifecycle import Actor
from prodlife.ports import InvoiceQuery
from prodlife.stores import open_store

__all__ = ["register"]

#: The reader: the command prints invoices for the provider's staff.
READER = Actor.staff("prodlife invoices", ["customer products: view"])


def register(commands: Any) -> None:
    """Add the ``invoices`` command to ``commands``."""
    invoices = commands.add_parser(
        "invoices",
        help="print invoices with their lines and the proration of each",
        description=(
            "Print the invoices kept in the store at --db (all of them, one customer's, "
            "the unpaid ones, or one by its number), each with its lines, their proration "
            "explained, and its totals."
        ),
        epilog="example: prodlife invoices --db sqlite:///billing.db --customer C-1 --unpaid",
    )
    store_option(invoices)
    invoices.add_argument("--customer", metavar="ID", help="only this customer's invoices")
    invoices.add_argument("--unpaid", action="store_true", help="only invoices still owed")
    invoices.add_argument("--number", metavar="NUMBER", help="only this invoice")
    invoices.set_defaults(run=_run)


def _run(arguments: argparse.Namespace) -> int:
    url: str = arguments.db
    if missing_database(url, "invoices"):
        return USAGE
    billing = Billing(open_store(url), clock=SystemClock())
    try:
        if arguments.number is not None:
            found = [billing.invoice(arguments.number, READER)]
        else:
            query = InvoiceQuery(customer_id=arguments.customer, unpaid=arguments.unpaid)
            found = billing.invoices(query, READER)
    finally:
        billing.store.close()
    for invoice in found:
        print(_text(invoice))
    print(f"{len(found)} invoice{'s' if len(found) != 1 else ''}")
    return 0


def _text(invoice: Invoice) -> str:
    """The invoice as a person reads it: heading, lines, totals."""
    rows = [
        str(invoice),
        f"  issued {invoice.issued_on}, due {invoice.due_on}, by {invoice.payment_method}",
        *(f"  {line}" for line in invoice.lines),
        f"  subtotal {invoice.subtotal}; discounts {invoice.discounts}; taxes {invoice.taxes}",
        f"  total {invoice.total}; paid {invoice.amount_paid}; owed {invoice.balance}",
        "",
    ]
    return "\n".join(rows)
