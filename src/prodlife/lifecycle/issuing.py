"""What a batch of billed services puts on invoices, decided without a store (issue 15).

The use cases that bill hand their services and new lines to
:func:`plan`, which groups the lines into invoices
(:func:`~prodlife.billing.invoices.group_lines`: one customer, currency, due date and
payment method each; a service invoiced "separately" alone) in each customer's time
zone, and says which services will owe money. The application numbers and stores
the groups (``prodlife.app._issuing``); :class:`Issued` announces them.

Also here, the rules about one service and its invoices: :func:`owing` (the due date
of its oldest unpaid invoice, which dunning counts from), :func:`product_of` (which
product a line's revenue belongs to) and :func:`named_invoices` (the invoices a
cancellation request's events void or restore).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import attrs

from prodlife.billing.invoices import Invoice, InvoiceKey, InvoicePolicy, NumberSeries, group_lines
from prodlife.billing.lines import InvoiceLine
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.settlement import with_unpaid_since
from prodlife.periods import billing_date

__all__ = ["Issued", "Planned", "named_invoices", "owing", "plan", "product_of"]


@attrs.frozen(slots=True)
class Planned:
    """Lines grouped into the invoices they will go on, before any is numbered.

    Attributes:
        groups: for each invoice, its series, issue date, key and lines.
        owed: for each service billed by an invoice that will ask for money (its lines add
            up above zero), its earliest due date; the customer's credit may pay it on
            issue, which the settlement that follows records.
    """

    groups: tuple[tuple[NumberSeries, date, InvoiceKey, tuple[InvoiceLine, ...]], ...] = ()
    owed: Mapping[str, date] = attrs.field(factory=dict)


def _payer(service: Service) -> tuple[str, bool]:
    invoicing = service.invoicing
    return (service.payment_method, invoicing is not None and invoicing.separate)


def plan(
    billed: Sequence[tuple[Service, Sequence[InvoiceLine]]], at: datetime, policy: InvoicePolicy
) -> Planned:
    """Group ``billed``'s lines into invoices, each issued on its customer's billing date
    of ``at`` (no store needed: the services can be saved, owing them, before the
    invoices are numbered)."""
    by_zone: dict[str, list[tuple[Service, Sequence[InvoiceLine]]]] = {}
    for service, lines in billed:
        if lines:
            by_zone.setdefault(service.time_zone, []).append((service, lines))
    groups: list[tuple[NumberSeries, date, InvoiceKey, tuple[InvoiceLine, ...]]] = []
    owed: dict[str, date] = {}
    for zone, pairs in by_zone.items():
        day = billing_date(at, zone)
        payers = {service.id: _payer(service) for service, _ in pairs}
        lines = [line for _, group in pairs for line in group]
        for key, group in group_lines(lines, payers, day, policy.net_days):
            groups.append((policy.series_for(group), day, key, group))
            if sum(line.amount.amount for line in group) > 0:
                for service_id in dict.fromkeys(line.service_id for line in group):
                    known = owed.get(service_id)
                    owed[service_id] = key.due_on if known is None else min(known, key.due_on)
    return Planned(tuple(groups), owed)


@attrs.frozen(slots=True)
class Issued:
    """What issuing planned invoices did.

    Attributes:
        invoices: the new invoices, as issued.
        paid: every invoice paid by it (new ones paid on issue, older ones paid by
            credit), for their services to be settled once committed.
    """

    invoices: tuple[Invoice, ...] = ()
    paid: tuple[Invoice, ...] = ()

    def events(self, at: datetime, *, send_email: bool = True) -> list[Event]:
        """One :attr:`EventKind.INVOICE_ISSUED` event per new invoice, on the first service
        it bills, for the host's e-mail."""
        return [
            Event(
                EventKind.INVOICE_ISSUED,
                invoice.service_ids[0],
                invoice.customer_id,
                at,
                (
                    ("invoice", invoice.number),
                    ("total", str(invoice.total)),
                    ("due", invoice.due_on.isoformat()),
                    ("services", ",".join(invoice.service_ids)),
                    ("send_email", "yes" if send_email else "no"),
                ),
            )
            for invoice in self.invoices
        ]


def owing(service: Service, due_on: date | None) -> Service:
    """``service`` owing (also) what falls due on ``due_on``: the due date of its oldest
    unpaid invoice kept on it for the scheduler's dunning."""
    invoicing = service.invoicing
    since = None if invoicing is None else invoicing.unpaid_since
    if due_on is None or (since is not None and since <= due_on):
        return service
    return with_unpaid_since(service, due_on)


def product_of(service: Service, line: InvoiceLine) -> str:
    """The product a line's revenue belongs to: an add-on's own code for the add-on's
    lines (and the discounts and taxes on it), the service's product for the rest."""
    if line.subject != service.product_code and any(
        addon.code == line.subject for addon in service.addons
    ):
        return line.subject
    return service.product_code


def named_invoices(events: Iterable[Event], kind: EventKind) -> list[tuple[str, str]]:
    """(customer, invoice number) for each invoice the events of ``kind`` name (a
    cancellation request's :attr:`EventKind.INVOICES_CANCELLED`, a withdrawal's
    :attr:`EventKind.INVOICES_RESTORED`)."""
    return [
        (item.customer_id, number)
        for item in events
        if item.kind is kind
        for number in item.detail("invoices").split(",")
        if number
    ]
