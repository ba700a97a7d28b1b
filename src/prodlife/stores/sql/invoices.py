"""The SQL stores' invoices and payments (:class:`prodlife.ports.InvoiceRepository`,
:class:`prodlife.ports.PaymentRepository`).

Five tables (the fourth shared migration, :mod:`prodlife.stores.sql.schema`):

- ``invoices``: one row an invoice, keyed on its number, with its document and
  beside it the columns queries filter on (customer, due date, the status
  :attr:`~prodlife.billing.Invoice.status` derives, kept on every write) and its
  version, which a save compares and sets in one ``UPDATE``;
- ``invoice_services``: which services an invoice bills, written when it is
  added (an invoice's lines never change);
- ``invoice_series``: each number series' last count. :meth:`Invoices.next_number`
  increments it in the caller's transaction (one ``INSERT ... ON CONFLICT DO
  UPDATE ... RETURNING``), so a rollback gives the count back and committed
  numbers have no gap; the row stays locked until the transaction ends, so
  transactions numbering one series wait for each other (PostgreSQL; SQLite's
  writers take turns anyway);
- ``credit_balances``: each customer's credit per currency, an exact amount,
  set by compare-and-set;
- ``payments``: one row a payment, keyed on its reference, so that of two
  transactions recording one reference only one commits it: the other gets
  :class:`~prodlife.errors.AlreadyExists` (in PostgreSQL its insert waits for
  the first to end).

Every write runs at once (none is deferred).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from prodlife.billing.invoices import UNPAID, Invoice
from prodlife.billing.payments import Payment
from prodlife.errors import AlreadyExists, ConcurrencyConflict, NotFound
from prodlife.money import Money
from prodlife.ports import InvoiceQuery, check_query
from prodlife.stores._common import (
    check_count,
    check_credit,
    check_invoice_save,
    invoice_keys,
    lookup_key,
    of_type,
    payment_keys,
    stored_key,
)
from prodlife.stores.sql.dialect import About
from prodlife.stores.sql.repositories import PerStore, chunks

if TYPE_CHECKING:
    from prodlife.stores.sql.dialect import Dialect
    from prodlife.stores.sql.unit_of_work import SQLUnitOfWork

__all__ = ["InvoiceStatements", "Invoices", "Payments", "invoice_statements"]

#: The unpaid statuses, in the order a query binds them.
_UNPAID = sorted(status.value for status in UNPAID)
_IN_UNPAID = "status IN (" + ", ".join("?" for _ in _UNPAID) + ")"

#: The filters of an :class:`~prodlife.ports.InvoiceQuery`, in the order :meth:`Invoices.find`
#: binds them: customer, service, status, unpaid, not unpaid, due before.
_FILTERS = (
    "customer_id = ?",
    "number IN (SELECT number FROM invoice_services WHERE service_id = ?)",
    "status = ?",
    _IN_UNPAID,
    f"NOT {_IN_UNPAID}",
    "due_on < ?",
)

_CREDIT = "customer_id = ? AND currency = ?"


class InvoiceStatements:
    """The invoices' and payments' statements in one dialect (made once per store)."""

    def __init__(self, dialect: Dialect) -> None:
        r, ignore = dialect.render, dialect.ignore_duplicates
        self.dialect = dialect
        self._found: dict[tuple[bool, ...], str] = {}
        self.series_next = r(
            "INSERT INTO invoice_series (series, last) VALUES (?, ?) "
            "ON CONFLICT (series) DO UPDATE SET last = invoice_series.last + ? RETURNING last"
        )
        # Without RETURNING (SQLite before 3.35), in three steps under SQLite's write lock.
        self.series_step = r("UPDATE invoice_series SET last = last + ? WHERE series = ?")
        self.series_start = r("INSERT INTO invoice_series (series, last) VALUES (?, ?)")
        self.series_last = r("SELECT last FROM invoice_series WHERE series = ?")
        self.invoice_add = r(
            "INSERT INTO invoices (number, customer_id, due_on, status, version, doc) "
            "VALUES (?, ?, ?, ?, ?, ?)" + ignore
        )
        self.invoice_insert = r(
            "INSERT INTO invoices (number, customer_id, due_on, status, version, doc) "
            "VALUES (?, ?, ?, ?, ?, ?)"
        )
        self.invoice_service_add = r(
            "INSERT INTO invoice_services (service_id, number) VALUES (?, ?)"
        )
        self.invoice_get = r("SELECT version, doc FROM invoices WHERE number = ?")
        self.invoice_version = r("SELECT version FROM invoices WHERE number = ?")
        self.invoice_save = r(
            "UPDATE invoices SET status = ?, version = ?, doc = ? WHERE number = ? AND version = ?"
        )
        self.credit_get = r(f"SELECT amount FROM credit_balances WHERE {_CREDIT}")
        self.credit_add = r(
            "INSERT INTO credit_balances (customer_id, currency, amount) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING"
        )
        self.credit_set = r(f"UPDATE credit_balances SET amount = ? WHERE {_CREDIT} AND amount = ?")
        self.payment_add = r(
            "INSERT INTO payments (reference, customer_id, received_at, doc) VALUES (?, ?, ?, ?)"
            + ignore
        )
        self.payment_get = r("SELECT doc FROM payments WHERE reference = ?")
        self.payment_for = r(
            "SELECT reference, doc FROM payments WHERE customer_id = ? "
            "ORDER BY received_at, reference"
        )

    def credits_in(self, count: int) -> str:
        """The credit balances of ``count`` customers (bound by ``in_values``)."""
        return "SELECT customer_id, currency, amount FROM credit_balances WHERE " + (
            self.dialect.in_list("customer_id", "text", count)
        )

    def find(self, used: tuple[bool, ...]) -> str:
        """An invoice query with the filters ``used`` (see ``_FILTERS``), built once per shape.

        Its parameters are the used filters' values, then the limit.
        """
        sql = self._found.get(used)
        if sql is None:
            where = " AND ".join(clause for clause, on in zip(_FILTERS, used, strict=True) if on)
            condition = f" WHERE {where}" if where else ""
            sql = self._found[used] = self.dialect.render(
                f"SELECT number, doc FROM invoices{condition} ORDER BY due_on, number LIMIT ?"
            )
        return sql


#: The invoices' statements of a unit of work's store, made on first use.
invoice_statements = PerStore(InvoiceStatements)


def _row(dialect: Dialect, invoice: Invoice) -> tuple[object, ...]:
    """An invoice's row: number, customer, due day, status, version, document."""
    return (
        invoice.number,
        invoice.customer_id,
        dialect.day(invoice.due_on),
        invoice.status.value,
        invoice.version,
        dialect.doc(invoice),
    )


class Invoices:
    """Invoices, their numbering and credit balances; see
    :class:`prodlife.ports.InvoiceRepository`."""

    __slots__ = ("_sql", "_uow")

    def __init__(self, uow: SQLUnitOfWork, sql: InvoiceStatements) -> None:
        self._uow = uow
        self._sql = sql

    def next_number(self, series: str, count: int = 1) -> int:
        """Take the next ``count`` counts of ``series`` in this transaction; the first."""
        stored_key(series, "invoice series")
        check_count(count)
        uow, sql = self._uow, self._sql
        uow.writable()
        where = "numbering the invoice series"
        if uow.dialect.has_returning():
            row = uow.one(sql.series_next, (series, count, count), where, series)
        else:
            if not uow.change(sql.series_step, (count, series), where, series):
                uow.change(sql.series_start, (series, count), where, series)
            row = uow.one(sql.series_last, (series,), where, series)
        return int(row[0]) - count + 1

    def add(self, invoice: Invoice) -> None:
        """Store a new invoice. Raises ``AlreadyExists``."""
        invoice_keys(invoice)
        uow, sql = self._uow, self._sql
        uow.writable()
        number = invoice.number
        uow.insert(sql.invoice_add, _row(uow.dialect, invoice), About("invoice", number))
        rows = [(service_id, number) for service_id in invoice.service_ids]  # never none
        uow.change_many(sql.invoice_service_add, rows, "storing the services of an invoice")

    def add_all(self, invoices: Sequence[Invoice]) -> None:
        """Store new invoices, each table written once. Raises ``AlreadyExists`` (the
        transaction then ends)."""
        self._uow.writable()
        numbers: set[str] = set()
        for invoice in invoices:
            invoice_keys(invoice)
            if invoice.number in numbers:
                raise AlreadyExists("invoice", invoice.number)
            numbers.add(invoice.number)
        if len(invoices) < 2:
            for invoice in invoices:
                self.add(invoice)
            return
        uow, sql = self._uow, self._sql
        uow.writable()
        rows = [_row(uow.dialect, invoice) for invoice in invoices]
        taken = About("invoice", f"one of {invoices[0].number} to {invoices[-1].number}")
        uow.insert_many(sql.invoice_insert, rows, taken)
        billed = [(service_id, i.number) for i in invoices for service_id in i.service_ids]
        uow.change_many(sql.invoice_service_add, billed, "storing the services of invoices")

    def _stored(self, number: str, where: str) -> tuple[int, Invoice] | None:
        uow = self._uow
        row = uow.one(self._sql.invoice_get, (number,), where, number)
        if row is None:
            return None
        return int(row[0]), uow.dialect.load(Invoice, row[1], number)

    def get(self, number: str) -> Invoice:
        """The stored invoice. Raises ``NotFound``."""
        lookup_key(number, "invoice number")
        stored = self._stored(number, "reading the invoice")
        if stored is None:
            raise NotFound("invoice", number)
        return stored[1]

    def save(self, invoice: Invoice) -> Invoice:
        """Store ``invoice`` over the stored one at its version; it with its version one more.

        Raises ``NotFound``, ``ConcurrencyConflict``, or ``ValidationError`` (what it bills
        changed).
        """
        number = lookup_key(
            of_type(invoice, Invoice, "the invoice to save").number, "invoice number"
        )
        where = "saving the invoice"
        stored = self._stored(number, where)
        if stored is None:
            raise NotFound("invoice", number)
        uow = self._uow
        uow.writable()
        expected = invoice.version
        if stored[0] != expected:
            raise ConcurrencyConflict("invoice", number, expected, stored[0])
        check_invoice_save(stored[1], invoice)
        saved = attrs.evolve(invoice, version=expected + 1)
        dialect = uow.dialect
        params = (saved.status.value, saved.version, dialect.doc(saved), number, expected)
        about = About("invoice", number, expected)
        if uow.change(self._sql.invoice_save, params, where, number, about):
            return saved
        # Changed by a transaction that committed since it was read (PostgreSQL).
        row = uow.one(self._sql.invoice_version, (number,), where, number)
        if row is None:  # pragma: no cover - invoices are never deleted
            raise NotFound("invoice", number)
        raise ConcurrencyConflict("invoice", number, expected, row[0])

    def find(self, query: InvoiceQuery) -> list[Invoice]:
        """The invoices matching ``query``, by due date, then number."""
        check_query(query, InvoiceQuery)
        uow = self._uow
        dialect = uow.dialect
        status = None if query.status is None else query.status.value
        values: list[tuple[bool, tuple[Any, ...]]] = [
            (query.customer_id is not None, (query.customer_id,)),
            (query.service_id is not None, (query.service_id,)),
            (status is not None, (status,)),
            (query.unpaid is True, tuple(_UNPAID)),
            (query.unpaid is False, tuple(_UNPAID)),
            (query.due_before is not None, (dialect.day(query.due_before),)),
        ]
        used = tuple(on for on, _ in values)
        params: list[Any] = [value for on, bound in values if on for value in bound]
        params.append(dialect.no_limit if query.limit is None else query.limit)
        rows = uow.all(self._sql.find(used), params, "finding invoices")
        return [dialect.load(Invoice, doc, number) for number, doc in rows]

    def _credit(self, customer_id: str, code: str) -> tuple[Any, Money]:
        """The stored column of the balance (``None`` when no row) and the balance."""
        uow = self._uow
        where = "reading the credit balance"
        row = uow.one(self._sql.credit_get, (customer_id, code), where, customer_id)
        if row is None:
            return None, Money.zero(code)
        return row[0], Money(Decimal(row[0]), code)

    def credits(self, customer_ids: Sequence[str]) -> dict[tuple[str, str], Money]:
        """The credit balances above zero of these customers, by (customer, currency code)."""
        keys = sorted({lookup_key(customer_id, "customer id") for customer_id in customer_ids})
        uow = self._uow
        dialect = uow.dialect
        found: dict[tuple[str, str], Money] = {}
        for chunk in chunks(keys, dialect.in_list_limit):
            sql = self._sql.credits_in(len(chunk))
            for customer_id, code, amount in uow.all(
                sql, dialect.in_values(chunk), "reading credit balances"
            ):
                money = Money(Decimal(amount), code)
                if money.amount > 0:
                    found[(customer_id, code)] = money
        return found

    def credit(self, customer_id: str, currency: str) -> Money:
        """The customer's credit balance in ``currency`` (zero when none was kept)."""
        lookup_key(customer_id, "customer id")
        return self._credit(customer_id, Money.zero(currency).currency.code)[1]

    def set_credit(self, customer_id: str, amount: Money, *, expected: Money) -> None:
        """Set the balance in ``amount``'s currency, when it is ``expected`` (compare-and-set).

        Raises ``ConcurrencyConflict`` or ``ValidationError``.
        """
        check_credit(customer_id, amount, expected)
        uow = self._uow
        uow.writable()
        code = amount.currency.code
        column, stored = self._credit(customer_id, code)
        key = f"{customer_id} {amount.currency}"
        if stored != expected:
            raise ConcurrencyConflict("credit balance", key, str(expected), str(stored))
        value = uow.dialect.amount(amount.amount)
        where = "setting the credit balance"
        if column is None:
            params: tuple[Any, ...] = (customer_id, code, value)
            written = uow.change(self._sql.credit_add, params, where, key)
        else:
            params = (value, customer_id, code, column)
            written = uow.change(self._sql.credit_set, params, where, key)
        if not written:  # set by a transaction that committed since it was read (PostgreSQL)
            raise ConcurrencyConflict(
                "credit balance", key, str(expected), str(self._credit(customer_id, code)[1])
            )


class Payments:
    """Payments and refunds, once per reference; see :class:`prodlife.ports.PaymentRepository`."""

    __slots__ = ("_sql", "_uow")

    def __init__(self, uow: SQLUnitOfWork, sql: InvoiceStatements) -> None:
        self._uow = uow
        self._sql = sql

    def add(self, payment: Payment) -> None:
        """Store a new payment. Raises ``AlreadyExists`` when its reference is taken."""
        payment_keys(payment)
        uow = self._uow
        uow.writable()
        dialect = uow.dialect
        reference = payment.reference
        params = (
            reference,
            payment.customer_id,
            dialect.instant(payment.received_at),
            dialect.doc(payment),
        )
        uow.insert(self._sql.payment_add, params, About("payment", reference))

    def get(self, reference: str) -> Payment:
        """The payment of ``reference``. Raises ``NotFound``."""
        lookup_key(reference, "payment reference")
        uow = self._uow
        row = uow.one(self._sql.payment_get, (reference,), "reading the payment", reference)
        if row is None:
            raise NotFound("payment", reference)
        return uow.dialect.load(Payment, row[0], reference)

    def for_customer(self, customer_id: str) -> list[Payment]:
        """The customer's payments and refunds, by when received, then reference."""
        lookup_key(customer_id, "customer id")
        uow = self._uow
        load = uow.dialect.load
        where = "reading a customer's payments"
        rows = uow.all(self._sql.payment_for, (customer_id,), where)
        return [load(Payment, doc, reference) for reference, doc in rows]
