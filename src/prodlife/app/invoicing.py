"""The use cases of :class:`~prodlife.app.Billing` about invoices and payments (issue 15).

Invoices are issued by the use cases that bill (orders, changes, the
scheduler): see :mod:`prodlife.app._issuing`. Here: reading them, a
customer's statement, recording a payment (idempotent by its reference),
refunding credit, and closing an invoice. A payment that pays invoices
settles their services (:mod:`prodlife.lifecycle.settlement`): dates paid
through, activation on payment, a change waiting for payment, a suspension
for non-payment lifted. See ``docs/invoices.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs

from prodlife.app._base import BillingBase, R, log
from prodlife.app._issuing import spend_credit
from prodlife.billing.invoices import UNPAID, Invoice, InvoiceStatus, oldest_due
from prodlife.billing.payments import Allocation, Payment, PaymentKind, check_reference, settle
from prodlife.clock import as_utc
from prodlife.errors import AlreadyExists, NotFound, RuleViolation
from prodlife.lifecycle.actors import Action, Actor, ActorKind, authorize_action, check_actor_type
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.settlement import record_owing
from prodlife.money import Money, total
from prodlife.ports import InvoiceQuery, UnitOfWork, check_query

__all__ = ["Invoicing", "PaymentResult", "Statement"]


@attrs.frozen(slots=True)
class PaymentResult:
    """What recording a payment (or refund) did.

    Attributes:
        payment: the payment as recorded (the one recorded before, for a duplicate).
        duplicate: ``True`` when its reference was recorded already: nothing
            new was recorded (its services were settled again, which changes
            nothing unless a crash interrupted the first time).
        invoices: the invoices it settled, as saved.
        outcomes: what the services of the invoices it paid in full gained
            (dates, activation, a change, a suspension lifted).
    """

    payment: Payment
    duplicate: bool
    invoices: tuple[Invoice, ...] = ()
    outcomes: tuple[Outcome, ...] = ()


@attrs.frozen(slots=True)
class Statement:
    """A customer's account: invoices, payments and what is owed (seed 003).

    Attributes:
        customer_id: whose.
        invoices: every invoice and credit note, by due date then number.
        payments: every payment and refund, by when received.
        owed: per currency, what the unpaid invoices still ask for.
        credit: per currency, the credit balance (kept for the next invoices).
    """

    customer_id: str
    invoices: tuple[Invoice, ...]
    payments: tuple[Payment, ...]
    owed: tuple[Money, ...]
    credit: tuple[Money, ...]

    def __str__(self) -> str:
        lines = [f"statement of {self.customer_id}"]
        lines += [f"  {invoice}" for invoice in self.invoices]
        lines += [f"  {payment}" for payment in self.payments]
        owed = ", ".join(str(m) for m in self.owed) or "nothing"
        credit = ", ".join(str(m) for m in self.credit) or "none"
        lines.append(f"  owed: {owed}; credit: {credit}")
        return "\n".join(lines)


def _check_amount(amount: object) -> Money:
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise RuleViolation(
            "payment.amount", f"a payment's amount must be Money above zero, not {amount!r}"
        )
    return amount


class Invoicing(BillingBase):
    """Billing's use cases about invoices and payments."""

    def invoice(self, number: str, actor: Actor) -> Invoice:
        """The stored invoice ``number`` (a customer sees only their own).

        Raises:
            NotFound: no such invoice (also for a customer's look at another's).
            PermissionDenied: staff without ``customer products: view``.
        """
        owner = check_actor_type(actor).customer_id
        authorize_action(actor, Action.VIEW_INVOICES, owner_customer_id=owner)
        with self.store.transaction(readonly=True) as uow:
            invoice = uow.invoices.get(number)
        if actor.kind is ActorKind.CUSTOMER and invoice.customer_id != actor.customer_id:
            raise NotFound("invoice", number)
        return invoice

    def invoices(self, query: InvoiceQuery, actor: Actor) -> list[Invoice]:
        """The invoices matching ``query``, by due date then number; a customer's
        query is limited to their own invoices.

        Raises:
            PermissionDenied: staff without ``customer products: view``.
        """
        check_query(query, InvoiceQuery)
        owner = check_actor_type(actor).customer_id
        authorize_action(actor, Action.VIEW_INVOICES, owner_customer_id=owner)
        if actor.kind is ActorKind.CUSTOMER:
            query = attrs.evolve(query, customer_id=actor.customer_id)
        with self.store.transaction(readonly=True) as uow:
            return uow.invoices.find(query)

    def statement(self, customer_id: str, actor: Actor) -> Statement:
        """The customer's invoices, payments, what they owe and their credit.

        Raises:
            PermissionDenied: another customer's statement, or staff without
                ``customer products: view``.
        """
        authorize_action(actor, Action.VIEW_INVOICES, owner_customer_id=customer_id)
        with self.store.transaction(readonly=True) as uow:
            invoices = tuple(uow.invoices.find(InvoiceQuery(customer_id=customer_id)))
            payments = tuple(uow.payments.for_customer(customer_id))
            currencies = sorted(
                {i.currency for i in invoices} | {p.amount.currency.code for p in payments}
            )
            credit = tuple(
                m for m in (uow.invoices.credit(customer_id, c) for c in currencies) if m.amount
            )
        owed = tuple(
            total((i.balance for i in invoices if i.currency == c), c)
            for c in currencies
            if any(i.currency == c and i.status in UNPAID for i in invoices)
        )
        return Statement(customer_id, invoices, payments, owed, credit)

    def record_payment(
        self,
        customer_id: str,
        amount: Money,
        actor: Actor,
        *,
        reference: str,
        method: str,
        invoice: str | None = None,
        received_at: datetime | None = None,
    ) -> PaymentResult:
        """Record money received from a customer, once per ``reference``.

        The amount settles ``invoice`` first (when given), then the customer's
        other unpaid invoices by due date; what is left becomes their credit
        balance, spent on the invoices issued next. The services of every
        invoice it pays in full are then settled: paid through the periods
        paid, activated when their order said so, a change waiting for
        payment carried out, a suspension for non-payment lifted.

        The same ``reference`` again records nothing and says so
        (:attr:`PaymentResult.duplicate`): a payment gateway's webhook may
        arrive twice, even at once from two workers.

        Raises:
            PermissionDenied: a customer (payments are recorded by staff with
                ``payments: record`` or by the system, i.e. the gateway).
            RuleViolation: an amount not above zero, a bad reference (rule
                ``payment.reference``), the reference recorded before for
                another customer or amount (rule ``payment.duplicate``), or
                ``invoice`` not the customer's or closed (rule ``invoice.closed``).
            NotFound: no such invoice.
        """
        authorize_action(actor, Action.RECORD_PAYMENT)
        amount = _check_amount(amount)
        check_reference(reference)
        when = self._now() if received_at is None else as_utc(received_at)
        done = self._once(
            reference,
            customer_id,
            amount,
            lambda uow: self._pay(
                uow, customer_id, amount, invoice, reference, method, when, actor
            ),
        )
        if isinstance(done, Payment):
            return self._again(done)
        payment, saved = done
        log.info("payment %s of %s: %s", reference, customer_id, payment)
        paid = [i for i in saved if i.status is InvoiceStatus.PAID]
        outcomes = self._settle(paid)
        for outcome in outcomes:
            self._published_own(outcome)
        return PaymentResult(payment, False, tuple(saved), tuple(outcomes))

    def _once(
        self,
        reference: str,
        customer_id: str,
        amount: Money,
        write: Callable[[UnitOfWork], R],
    ) -> R | Payment:
        """What ``write`` returns, committed; or the payment ``reference`` names, if recorded
        (also by another worker at the same moment: ``write`` then meets ``AlreadyExists``)."""
        try:
            with self.store.transaction() as uow:
                known = self._known(uow, reference, customer_id, amount)
                if known is None:
                    done = write(uow)
                    uow.commit()
                    return done
        except AlreadyExists:
            with self.store.transaction(readonly=True) as uow:
                known = self._known(uow, reference, customer_id, amount)
            assert known is not None
        return known

    @staticmethod
    def _known(uow: UnitOfWork, reference: str, customer_id: str, amount: Money) -> Payment | None:
        try:
            known = uow.payments.get(reference)
        except NotFound:
            return None
        if known.customer_id != customer_id or known.amount != amount:
            raise RuleViolation(
                "payment.duplicate",
                f"payment {reference} was recorded for {known.customer_id}, {known.amount}; "
                f"not {customer_id}, {amount}. A reference names one payment: check the "
                "gateway's id",
            )
        return known

    def _again(self, known: Payment) -> PaymentResult:
        """A payment recorded before: settle its invoices' services again (idempotent)."""
        with self.store.transaction(readonly=True) as uow:
            invoices = [uow.invoices.get(a.invoice) for a in known.allocations]
        paid = [i for i in invoices if i.status is InvoiceStatus.PAID]
        return PaymentResult(known, True, tuple(invoices), tuple(self._settle(paid)))

    @staticmethod
    def _pay(
        uow: UnitOfWork,
        customer_id: str,
        amount: Money,
        number: str | None,
        reference: str,
        method: str,
        at: datetime,
        actor: Actor,
    ) -> tuple[Payment, list[Invoice]]:
        unpaid = uow.invoices.find(InvoiceQuery(customer_id=customer_id, unpaid=True))
        if number is not None:
            named = uow.invoices.get(number)
            if named.customer_id != customer_id:
                raise RuleViolation(
                    "invoice.closed",
                    f"invoice {number} is {named.customer_id}'s, not {customer_id}'s",
                )
            if named.status not in UNPAID:
                raise RuleViolation(
                    "invoice.closed",
                    f"invoice {number} is {named.status}; record the payment without an "
                    "invoice to keep it as the customer's credit",
                )
        changed, left = settle(amount, unpaid, first=number)
        saved = [uow.invoices.save(i) for i in changed]
        allocations = [(i.number, i.amount_paid - _before(unpaid, i)) for i in saved]
        payment = Payment(
            reference,
            customer_id,
            amount,
            method,
            at,
            PaymentKind.PAYMENT,
            [Allocation(n, m) for n, m in allocations],
            left if left.amount else None,
            str(actor),
        )
        uow.payments.add(payment)
        if left.amount:
            held = uow.invoices.credit(customer_id, amount.currency.code)
            uow.invoices.set_credit(customer_id, held + left, expected=held)
        return payment, saved

    def refund(
        self,
        customer_id: str,
        amount: Money,
        actor: Actor,
        *,
        reference: str,
        method: str,
        refunded_at: datetime | None = None,
    ) -> PaymentResult:
        """Give back ``amount`` of the customer's credit balance, once per ``reference``.

        Credit comes from overpayments and credit notes (a cancellation's
        refund, a downgrade's credit).

        Raises:
            PermissionDenied: a customer.
            RuleViolation: more than the credit balance (rule ``payment.refund``),
                an amount not above zero, or a reference recorded before for
                another customer or amount (rule ``payment.duplicate``).
        """
        authorize_action(actor, Action.RECORD_PAYMENT)
        amount = _check_amount(amount)
        check_reference(reference)
        at = self._now() if refunded_at is None else as_utc(refunded_at)

        def give_back(uow: UnitOfWork) -> PaymentResult:
            held = uow.invoices.credit(customer_id, amount.currency.code)
            if amount > held:
                raise RuleViolation(
                    "payment.refund",
                    f"{customer_id} holds {held} of credit; {amount} cannot be refunded",
                )
            payment = Payment(
                reference,
                customer_id,
                amount,
                method,
                at,
                PaymentKind.REFUND,
                to_credit=amount,
                recorded_by=str(actor),
            )
            uow.payments.add(payment)
            uow.invoices.set_credit(customer_id, held - amount, expected=held)
            return PaymentResult(payment, False)

        done = self._once(reference, customer_id, amount, give_back)
        if isinstance(done, Payment):
            return PaymentResult(done, True)
        log.info("refund %s to %s: %s", reference, customer_id, amount)
        return done

    def close_invoice(
        self, number: str, actor: Actor, *, status: InvoiceStatus, reason: str
    ) -> Invoice:
        """Void an invoice (a mistake) or write it off as uncollectible.

        What was paid on it becomes the customer's credit balance. Voiding
        forgives what the invoice billed: the services' books keep the lines
        as issued, and the void is the provider's decision.

        Raises:
            PermissionDenied: a customer, or staff without ``invoices: create``.
            RuleViolation: the invoice is paid or closed (rule ``invoice.closed``),
                or ``status`` is not void or uncollectible (rule ``invoice.status``).
            NotFound: no such invoice.
        """
        authorize_action(actor, Action.CLOSE_INVOICE)
        with self.store.transaction() as uow:
            invoice = uow.invoices.get(number)
            closed = invoice.closed_as(status, reason)
            paid = invoice.amount_paid
            if paid.amount:
                closed = attrs.evolve(closed, paid=None)
            saved = uow.invoices.save(closed)
            settled = (
                spend_credit(uow, invoice.customer_id, invoice.currency, paid)
                if paid.amount
                else []
            )
            for service_id in invoice.service_ids:
                self._reckon(uow, service_id)
            uow.commit()
        log.info("invoice %s %s by %s: %s", number, status, actor, reason)
        self._settle(settled)
        return saved

    def _reckon(self, uow: UnitOfWork, service_id: str) -> None:
        """Keep the service's oldest unpaid due date right after an invoice of it closed."""
        try:
            service = uow.services.get(service_id)
        except NotFound:  # a service the host removed
            return
        unpaid = uow.invoices.find(InvoiceQuery(service_id=service_id, unpaid=True))
        since = oldest_due(unpaid)
        at = self._now()
        outcome = record_owing(service, since, at)
        if outcome is not None:
            self._keep(uow, service.version, outcome, at)


def _before(unpaid: list[Invoice], invoice: Invoice) -> Money:
    for old in unpaid:
        if old.number == invoice.number:
            return old.amount_paid
    return Money.zero(invoice.currency)
