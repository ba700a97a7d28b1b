"""Benchmark the billing run over stored books, fresh and aged, against raw drivers.

Run: ``PYTHONPATH=src python benchmarks/bench_billing_run.py [N] [--workers W]
[--months M] [--db DIR]`` (defaults 20,000 services, 2 worker processes, 12 months, a
temporary directory). With ``PRODLIFE_POSTGRESQL_URL`` set, PostgreSQL is measured too.

It builds two **books** of N services, all due on 2026-03-01 (the worst day of the month
for a host that bills everyone on the 1st), from a few dozen varied templates (products,
editions, prices from 3.99 to 129.00, quantities, priced and included options, add-ons,
start days over the month, customers holding a few services each):

- **fresh**: started last month, their first renewal due;
- **aged**: the same services having lived M months through the domain (each month the
  scheduler invoices the renewal, ``run_service``, and it is paid, ``renew``), so each has
  2M history entries in ``service_history``, and its past invoice lines and events stored.

Templates are aged once and cloned (``Service.renamed``, a customer id of its own), then
written with the store's own ``uow.services.add`` / ``invoice_lines.add`` / ``events.add``.
With ``--db DIR`` the books are kept (SQLite files ``DIR/<book>-<N>-v<S>.db``, PostgreSQL
schemas ``bench_<book>_<N>_v<S>``, ``S`` the schema version of the prodlife measured: an
older prodlife cannot open a book a newer one migrated, so each keeps its own), so a rerun
does not rebuild them. Before each measured run
the book is restored to its built state in place, the same way in both databases: the
``services`` and ``schedule`` rows from base copies kept in the book (``bench_*`` tables),
and the rows a run appends (lines, events, history entries) deleted. A book of 1,000,000
services aged 12 months takes about 34 GB in SQLite; a copy per run would need twice that.

Prints, per store and book:

- **at rest** after prodlife's run (every service rewritten by the code measured), bytes
  per service: the average stored service document; the ``services``
  table with its indexes / N; the whole database (SQLite file, PostgreSQL schema) / N,
  which also holds the history, past lines and events (target: a service <= 1 KB
  whatever its age);
- **billing run**: seconds for W processes (spawned, each opening the store by URL) to run
  ``Billing.run_due`` over the book, checked (every service handled once, none left
  due); us per service; the time that gives for 1,000,000 services (target: the aged
  book under 60 s on SQLite with 2 workers);
- **raw**: the same database work with the bare driver (``sqlite3``, or ``psycopg`` for
  PostgreSQL) and ``json``, W processes: claim 500 (``UPDATE ... RETURNING``), read their
  documents, ``json.loads``, set version and next due, ``json.dumps`` and ``UPDATE``,
  update the schedule row, insert one history row, the line rows and one event row, and
  for each customer of the batch one invoice (its number from one series update a batch,
  the credit balances read in one query, the invoice's document with its lines, its
  services, an "invoice issued" event), commit; and prodlife / raw;
- the ratios aged / fresh (target <= 1.2) and PostgreSQL / SQLite (target <= 1.5).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import attrs

from prodlife import (
    MONTHLY,
    Actor,
    Billing,
    FixedClock,
    Money,
    SchedulerPolicy,
    Service,
    ServiceQuery,
)
from prodlife.billing import InvoiceLine
from prodlife.lifecycle import ACTIVE, ServiceAddOn, ServiceOption, renew, run_service
from prodlife.lifecycle.events import Event
from prodlife.pricing import RecurringPrice
from prodlife.stores import open_store
from prodlife.stores._documents import dumps
from prodlife.stores.sql.schema import MIGRATIONS

DUE = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 6, tzinfo=UTC)
NEXT_DUE = date(2026, 4, 1)
BATCH = 500
TEMPLATES = 48
#: Services written per transaction while building a book.
BUILD_CHUNK = 5_000
#: The tables a billing run writes to (the others it leaves alone).
RUN_TABLES = (
    "services",
    "schedule",
    "service_history",
    "invoice_lines",
    "events",
    "invoices",
    "invoice_services",
    "invoice_series",
)

#: Products: code, edition, prices per month.
PRODUCTS = (
    ("WEB", "starter", ("3.99", "4.49", "5.99")),
    ("WEB", "business", ("9.90", "12.90", "14.99")),
    ("MAIL", None, ("4.99", "6.50")),
    ("VPS", "s", ("7.49", "9.99")),
    ("VPS", "l", ("24.90", "34.90")),
    ("DB", "pro", ("19.00", "29.00")),
    ("DEDI", "xl", ("89.00", "129.00")),
)
OPTIONS = (("ram", "8 GB", "4.50"), ("backup", "daily", "1.99"), ("ip", "2 more", "2.00"))
ADDONS = (("ssl", "4.99"), ("monitoring", "2.49"))

Lines = list[tuple[datetime, list[InvoiceLine]]]

#: The schema version of the prodlife measured, in the names of the books kept.
SCHEMA = len(MIGRATIONS)


@attrs.frozen
class Template:
    """A service as built (fresh or aged), with the lines and events of its past."""

    service: Service
    lines: Lines
    events: list[Event]


# --- books --------------------------------------------------------------------------------------


def month_start(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s (before, when negative)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def new_service(k: int, months: int) -> Service:
    """Template ``k``, started ``months + 1`` months before the due day, paid to it.

    Its billing day is the 1st (a stub from its start); one in four starts on the 1st
    and holds an add-on (add-ons bill on their own start day).
    """
    rng = random.Random(k)
    code, edition, prices = PRODUCTS[k % len(PRODUCTS)]
    first = month_start(DUE, -(months + 1))
    start = first if k % 4 == 0 else first.replace(day=2 + (k * 11) % 27)
    options = [
        ServiceOption(option, choice, rng.choice((1, 1, 2)), Money(price, "EUR"))
        for option, choice, price in OPTIONS
        if rng.random() < 0.3
    ]
    if rng.random() < 0.3:
        options.append(ServiceOption("os", "debian"))  # included in the price
    addons = []
    if start.day == 1:
        addon, price = ADDONS[k % len(ADDONS)]
        addon_price = RecurringPrice.at_order(Money(price, "EUR"))
        due = month_start(DUE, -months)
        addons.append(ServiceAddOn(addon, MONTHLY, start, due, ACTIVE, price=addon_price))
    return Service(
        id=f"T-{k:03d}",
        customer_id="C-template",
        product_code=code,
        edition=edition,
        cycle=MONTHLY,
        quantity=rng.choice((1, 1, 1, 2, 3, 5)),
        price=RecurringPrice.at_order(Money(rng.choice(prices), "EUR")),
        options=options,
        addons=addons,
        payment_method=rng.choice(("card", "card", "sepa", "paypal")),
        start=start,
        next_due=month_start(DUE, -months),
        paid_through=month_start(DUE, -months) - timedelta(days=1),
        status=ACTIVE,
    )


def lived(service: Service, months: int) -> Template:
    """``service`` after ``months`` months: each renewal invoiced by the scheduler, then paid."""
    opened = datetime.combine(service.start, datetime.min.time(), UTC)
    lines: Lines = [(opened, list(service.ledger.lines))]  # its first invoice
    events: list[Event] = []
    policy, payer = SchedulerPolicy(), Actor.system()
    for month in range(months):
        day = month_start(DUE, month - months)
        at = datetime.combine(day, NOW.timetz())
        invoiced = run_service(service, at, policy)
        assert invoiced is not None and invoiced.lines, f"{service.id} not invoiced on {day}"
        paid_at = at + timedelta(days=2, hours=3)
        paid = renew(invoiced.service, payer, paid_at)
        service = paid.service
        lines += [(at, list(invoiced.lines)), (paid_at, list(paid.lines))]
        events += [*invoiced.events, *paid.events]
    assert service.next_due == DUE, f"{service.id} is due {service.next_due}, not {DUE}"
    return Template(service, [(at, group) for at, group in lines if group], events)


def clone(template: Template, service_id: str, customer_id: str) -> Template:
    """``template`` under another service id and customer (its timeline, ledger, lines and
    events with it)."""
    renamed = template.service.renamed(service_id)
    ledger = renamed.ledger
    service = attrs.evolve(
        renamed,
        customer_id=customer_id,
        timeline=attrs.evolve(renamed.timeline, customer_id=customer_id),
        ledger=attrs.evolve(
            ledger, lines=[moved(line, service_id, customer_id) for line in ledger.lines]
        ),
    )
    lines = [
        (at, [moved(line, service_id, customer_id) for line in group])
        for at, group in template.lines
    ]
    events = [moved(event, service_id, customer_id) for event in template.events]
    return Template(service, lines, events)


def moved(thing: Any, service_id: str, customer_id: str) -> Any:
    """An invoice line or event of another service and customer."""
    return attrs.evolve(thing, service_id=service_id, customer_id=customer_id)


def customers(count: int) -> Iterator[str]:
    """Customer ids for ``count`` services in id order: each holds one to five."""
    rng = random.Random(14)
    number = made = 0
    while made < count:
        number += 1
        for _ in range(min(rng.choice((1, 1, 2, 2, 3, 4, 5)), count - made)):
            made += 1
            yield f"C-{number:07d}"


def write_book(url: str, options: dict[str, Any], count: int, months: int) -> None:
    """Store ``count`` services aged ``months`` months, with their past lines and events."""
    templates = [lived(new_service(k, months), months) for k in range(TEMPLATES)]
    store = open_store(url, **options)
    owners = customers(count)
    for first in range(0, count, BUILD_CHUNK):
        with store.transaction() as uow:
            for i in range(first, min(first + BUILD_CHUNK, count)):
                copy = clone(templates[i % TEMPLATES], f"S-{i:07d}", next(owners))
                uow.services.add(copy.service, due_on=DUE)
                code = copy.service.product_code
                for at, group in copy.lines:
                    uow.invoice_lines.add(group, product_code=code, issued_at=at)
                uow.events.add(copy.events)
            uow.commit()
    store.close()


# --- keeping and restoring books ----------------------------------------------------------------

#: Kept in each book beside prodlife's tables once it is built (their presence says it is):
#: the rows a run rewrites, and how far the tables a run appends to went.
BASE = (
    "CREATE TABLE bench_services AS SELECT * FROM services",
    "CREATE UNIQUE INDEX bench_services_id ON bench_services (id)",
    "CREATE TABLE bench_schedule AS SELECT * FROM schedule",
    "CREATE TABLE bench_built AS SELECT "
    "(SELECT coalesce(max(sequence), 0) FROM invoice_lines) AS lines, "
    "(SELECT coalesce(max(sequence), 0) FROM events) AS events",
)
#: A book back to its built state: the rewritten rows from their base copies, the appended
#: rows deleted (a line or event after the built ones, a history entry after the built
#: version). ``{clear}`` empties a table; ``{history}`` is the history's delete.
RESTORE = (
    "{clear} services",
    "{clear} schedule",
    # The columns of the first schema: a book built before a migration added a column with
    # a default (services.cancelling) restores into the newer table.
    "INSERT INTO services (id, customer_id, product_code, status, version, doc) "
    "SELECT id, customer_id, product_code, status, version, doc FROM bench_services",
    "INSERT INTO schedule SELECT * FROM bench_schedule",
    "DELETE FROM invoice_lines WHERE sequence > (SELECT lines FROM bench_built)",
    "DELETE FROM events WHERE sequence > (SELECT events FROM bench_built)",
    "{history}",
    "DELETE FROM invoices",
    "DELETE FROM invoice_services",
    "DELETE FROM invoice_series",
)
SQLITE_RESTORE = {
    "clear": "DELETE FROM",
    "history": "DELETE FROM service_history WHERE number > "
    "(SELECT version FROM bench_services WHERE id = service_history.service_id)",
}
PG_RESTORE = {
    "clear": "TRUNCATE",
    "history": "DELETE FROM service_history h USING bench_services s "
    "WHERE h.service_id = s.id AND h.number > s.version",
}


def sqlite_book(folder: Path, book: str, count: int, months: int) -> Path:
    """The SQLite file of ``book``, built now unless a complete one is there."""
    path = folder / f"{book}-{count}-v{SCHEMA}.db"
    if path.exists():
        with closing(sqlite3.connect(path)) as connection:
            if connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'bench_built'"
            ).fetchone():
                return path
    for side in ("", "-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    write_book(f"sqlite:///{path}", {}, count, months)
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("BEGIN")
        for statement in BASE:
            connection.execute(statement)
        connection.execute("COMMIT")
    return path


def sqlite_restore(path: Path) -> None:
    """Bring the book back to its built state."""
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        for statement in RESTORE:
            connection.execute(statement.format_map(SQLITE_RESTORE))
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def sqlite_at_rest(path: Path, count: int) -> tuple[float, float, float]:
    """Bytes per service: the average document, the services table with its indexes, the
    database (its pages in use, the benchmark's own tables left out)."""
    with closing(sqlite3.connect(path)) as connection:

        def one(sql: str) -> float:
            return float(connection.execute(sql).fetchone()[0] or 0)

        doc = one("SELECT avg(length(doc)) FROM services")
        table = one(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN "
            "(SELECT name FROM sqlite_master WHERE tbl_name = 'services')"
        )
        ours = one(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN "
            "(SELECT name FROM sqlite_master WHERE tbl_name LIKE 'bench\\_%' ESCAPE '\\')"
        )
        pages = one("PRAGMA page_count") - one("PRAGMA freelist_count")
        whole = pages * one("PRAGMA page_size") - ours
    return doc, table / count, whole / count


def pg_connect(url: str, schema: str | None = None) -> Any:
    """An autocommit connection, to ``schema`` when given."""
    import psycopg

    connection = psycopg.connect(url, autocommit=True)
    if schema is not None:
        connection.execute(f"SET search_path TO {schema}")
    return connection


def pg_book(url: str, book: str, count: int, months: int) -> str:
    """The PostgreSQL schema of ``book``, built now unless a complete one is there."""
    schema = f"bench_{book}_{count}_v{SCHEMA}"
    with pg_connect(url) as connection:
        if connection.execute(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name = 'bench_built'",
            (schema,),
        ).fetchone():
            return schema
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    write_book(url, {"schema": schema}, count, months)
    with pg_connect(url, schema) as connection, connection.transaction():
        for statement in BASE:
            connection.execute(statement)
    return schema


def pg_restore(url: str, schema: str) -> None:
    """Bring the book back to its built state, its statistics up to date."""
    with pg_connect(url, schema) as connection:
        with connection.transaction():
            for statement in RESTORE:
                connection.execute(statement.format_map(PG_RESTORE))
        for table in RUN_TABLES:
            connection.execute(f"VACUUM ANALYZE {table}")


def pg_at_rest(url: str, schema: str, count: int) -> tuple[float, float, float]:
    """Bytes per service: the average document (as JSON text), the services relation with its
    indexes and TOAST, the schema's tables (the benchmark's own left out)."""
    with pg_connect(url, schema) as connection:
        (doc,) = connection.execute("SELECT avg(octet_length(doc::text)) FROM services").fetchone()
        (table,) = connection.execute("SELECT pg_total_relation_size('services')").fetchone()
        (whole,) = connection.execute(
            "SELECT sum(pg_total_relation_size(format('%%I.%%I', table_schema, table_name))) "
            "FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name NOT LIKE 'bench\\_%%'",
            (schema,),
        ).fetchone()
    return float(doc), table / count, float(whole) / count


def pg_drop(url: str, schema: str) -> None:
    with pg_connect(url) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# --- the runs -----------------------------------------------------------------------------------


def prodlife_worker(url: str, options: dict[str, Any], name: str) -> list[str]:
    """One worker process: ``Billing.run_due`` until nothing is left; the ids it handled."""
    store = open_store(url, **options)
    report = Billing(store, clock=FixedClock(NOW)).run_due(worker=name, batch=BATCH)
    store.close()
    if report.failed:
        raise SystemExit(f"{name}: {len(report.failed)} services failed: {report.failed[:3]}")
    return list(report.handled)


def raw_documents() -> tuple[dict[str, Any], dict[str, Any]]:
    """A history entry's and an event's documents, as prodlife writes them for a renewal."""
    template = lived(new_service(1, 0), 0)
    done = run_service(template.service, NOW, SchedulerPolicy())
    assert done is not None
    entry = json.loads(dumps(done.service.history.entries[-1]))
    return entry, json.loads(dumps(done.events[0]))


def raw_work(
    row: Sequence[Any], entry: dict[str, Any], event: dict[str, Any]
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], tuple[Any, ...], tuple[Any, ...]]:
    """One service's writes: its row, its line rows, its history row, its event row."""
    key, customer, product, version, text = row
    doc = json.loads(text)
    doc["version"] = version + 1
    doc["next_due"] = NEXT_DUE.isoformat()
    lines = [
        (
            key,
            customer,
            product,
            NOW,
            *_amount(line["amount"] if "amount" in line else _rate_amount(doc, line)),
            json.dumps(line, separators=(",", ":")),
        )
        for line in doc["ledger"]["lines"]
    ]
    service = (version + 1, json.dumps(doc, separators=(",", ":")), key, version)
    history = (key, version + 1, json.dumps(entry, separators=(",", ":")))
    return service, lines, history, (key, json.dumps(event, separators=(",", ":")))


def raw_invoices(
    rows: Sequence[Sequence[Any]], work: Sequence[Any], first: int
) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]], list[tuple[str, str]]]:
    """The invoices of a batch, one per customer, numbered from ``first``: their rows
    (number, customer, due, status, version, doc), their services, their events."""
    by_customer: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_customer.setdefault(row[1], []).append(index)
    invoices, services, events = [], [], []
    for number, (customer, indexes) in enumerate(sorted(by_customer.items()), first):
        text = f"INV-2026-{number:06d}"
        lines = [json.loads(line[-1]) for i in indexes for line in work[i][1]]
        doc = {"number": text, "customer_id": customer, "lines": lines, "version": 1}
        invoices.append(
            (text, customer, NEXT_DUE, "open", 1, json.dumps(doc, separators=(",", ":")))
        )
        services += [(rows[i][0], text) for i in indexes]
        event = {"kind": "invoice issued", "service_id": rows[indexes[0]][0], "invoice": text}
        events.append((rows[indexes[0]][0], json.dumps(event, separators=(",", ":"))))
    return invoices, services, events


def _rate_amount(doc: dict[str, Any], line: dict[str, Any]) -> Any:
    """A compact line's amount, which it leaves to its track's rate (the last one here)."""
    for track in doc["timeline"]["tracks"]:
        if (track["type"], track.get("subject", "")) == (line["type"], line.get("subject", "")):
            return track["rates"][-1]["amount"]
    raise KeyError(f"no track for the line {line}")


def _amount(amount: Any) -> tuple[str, str]:
    """The currency and amount of a document's amount: ``"4.50 EUR"`` or a mapping."""
    if isinstance(amount, str):
        value, _, currency = amount.rpartition(" ")
        return currency, value
    return amount["currency"], amount["amount"]


RAW_CLAIM = (
    "UPDATE schedule SET worker = {p}, lease_until = {p} WHERE service_id IN ("
    "SELECT service_id FROM schedule WHERE due_on IS NOT NULL AND due_on <= {p} "
    "AND (lease_until IS NULL OR lease_until <= {p}) ORDER BY due_on, service_id LIMIT {p}{skip}"
    ") RETURNING service_id"
)
RAW_WRITES = (
    "UPDATE services SET version = {p}, doc = {p}{doc} WHERE id = {p} AND version = {p}",
    "INSERT INTO invoice_lines (service_id, customer_id, product_code, issued_at, currency, "
    "amount, doc) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}{doc})",
    "INSERT INTO service_history (service_id, number, doc) VALUES ({p}, {p}, {p}{doc})",
    "INSERT INTO events (service_id, doc) VALUES ({p}, {p}{doc})",
    "UPDATE schedule SET due_on = {p}, worker = NULL, lease_until = NULL WHERE service_id = {p}",
    "INSERT INTO invoices (number, customer_id, due_on, status, version, doc) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}{doc})",
    "INSERT INTO invoice_services (service_id, number) VALUES ({p}, {p})",
)
RAW_SERIES = (
    "INSERT INTO invoice_series (series, last) VALUES ('INV', {p}) "
    "ON CONFLICT (series) DO UPDATE SET last = invoice_series.last + {p} RETURNING last"
)


def raw_sqlite_worker(
    path: str, name: str, entry: dict[str, Any], event: dict[str, Any]
) -> list[str]:
    """The billing run's database work with bare ``sqlite3`` and ``json``; the ids handled."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=60)
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA cache_size = -65536")
    claim = RAW_CLAIM.format(p="?", skip="")
    service_sql, line_sql, history_sql, event_sql, schedule_sql, invoice_sql, billed_sql = (
        sql.format(p="?", doc="") for sql in RAW_WRITES
    )
    series_sql = RAW_SERIES.format(p="?")
    lease = (NOW + timedelta(minutes=10)).isoformat()
    handled: list[str] = []
    while True:
        connection.execute("BEGIN IMMEDIATE")
        ids = [
            key
            for (key,) in connection.execute(
                claim, (name, lease, DUE.isoformat(), NOW.isoformat(), BATCH)
            )
        ]
        connection.execute("COMMIT")
        if not ids:
            break
        marks = ", ".join("?" * len(ids))
        rows = connection.execute(
            "SELECT id, customer_id, product_code, version, doc FROM services "
            f"WHERE id IN ({marks})",
            ids,
        ).fetchall()
        work = [raw_work(row, entry, event) for row in rows]
        customers = sorted({row[1] for row in rows})
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "SELECT customer_id, currency, amount FROM credit_balances "
            f"WHERE customer_id IN ({', '.join('?' * len(customers))})",
            customers,
        ).fetchall()
        (last,) = connection.execute(series_sql, (len(customers), len(customers))).fetchone()
        invoices, billed, issued = raw_invoices(rows, work, last - len(customers) + 1)
        connection.executemany(service_sql, [w[0] for w in work])
        connection.executemany(
            invoice_sql, [(*i[:2], NEXT_DUE.isoformat(), *i[3:]) for i in invoices]
        )
        connection.executemany(billed_sql, billed)
        connection.executemany(
            line_sql, [(*line[:3], NOW.isoformat(), *line[4:]) for w in work for line in w[1]]
        )
        connection.executemany(history_sql, [w[2] for w in work])
        connection.executemany(event_sql, [w[3] for w in work] + issued)
        connection.executemany(schedule_sql, [(NEXT_DUE.isoformat(), w[0][2]) for w in work])
        connection.execute("COMMIT")
        handled += ids
    connection.close()
    return handled


def raw_pg_worker(
    url: str, schema: str, name: str, entry: dict[str, Any], event: dict[str, Any]
) -> list[str]:
    """The billing run's database work with bare ``psycopg`` and ``json``; the ids handled."""
    import psycopg

    connection = psycopg.connect(url)
    connection.execute(f"SET search_path TO {schema}")
    connection.commit()
    claim = RAW_CLAIM.format(p="%s", skip=" FOR UPDATE SKIP LOCKED")
    service_sql, line_sql, history_sql, event_sql, schedule_sql, invoice_sql, billed_sql = (
        sql.format(p="%s", doc="::jsonb") for sql in RAW_WRITES
    )
    series_sql = RAW_SERIES.format(p="%s")
    handled: list[str] = []
    with connection.cursor() as cursor:
        while True:
            cursor.execute(claim, (name, NOW + timedelta(minutes=10), DUE, NOW, BATCH))
            ids = [key for (key,) in cursor.fetchall()]
            connection.commit()
            if not ids:
                break
            cursor.execute(
                "SELECT id, customer_id, product_code, version, doc::text FROM services "
                "WHERE id = ANY(%s)",
                (ids,),
            )
            rows = cursor.fetchall()
            connection.commit()
            work = [raw_work(row, entry, event) for row in rows]
            customers = sorted({row[1] for row in rows})
            cursor.execute(
                "SELECT customer_id, currency, amount FROM credit_balances "
                "WHERE customer_id = ANY(%s)",
                (customers,),
            )
            cursor.fetchall()
            cursor.execute(series_sql, (len(customers), len(customers)))
            numbered = cursor.fetchone()
            assert numbered is not None  # the series always answers one row
            (last,) = numbered
            invoices, billed, issued = raw_invoices(rows, work, last - len(customers) + 1)
            cursor.executemany(service_sql, [w[0] for w in work])
            cursor.executemany(invoice_sql, invoices)
            cursor.executemany(billed_sql, billed)
            cursor.executemany(line_sql, [line for w in work for line in w[1]])
            cursor.executemany(history_sql, [w[2] for w in work])
            cursor.executemany(event_sql, [w[3] for w in work] + issued)
            cursor.executemany(schedule_sql, [(NEXT_DUE, w[0][2]) for w in work])
            connection.commit()
            handled += ids
    connection.close()
    return handled


def timed_run(
    worker: Callable[..., list[str]], argument_lists: list[tuple[Any, ...]], count: int
) -> float:
    """Seconds for the workers (one process each) to run; checks each service was handled once."""
    context = multiprocessing.get_context("spawn")
    workers = len(argument_lists)
    with context.Pool(workers) as pool:
        pool.map(time.sleep, [0.5] * workers, chunksize=1)  # every process up and importing done
        started = time.perf_counter()
        handled = pool.starmap(worker, argument_lists)
        elapsed = time.perf_counter() - started
    every = [key for ids in handled for key in ids]
    if len(every) != count or len(set(every)) != count:
        raise SystemExit(
            f"{worker.__name__} handled {len(every)} services ({len(set(every))} distinct), "
            f"not each of {count} once"
        )
    return elapsed


def check_none_due(url: str, options: dict[str, Any]) -> None:
    store = open_store(url, **options)
    with store.transaction(readonly=True) as uow:
        left = uow.services.count(ServiceQuery(due_on_or_before=DUE))
    store.close()
    if left:
        raise SystemExit(f"{left} services are still due after the run")


@attrs.frozen
class Result:
    """What one book measured on one store: bytes per service at rest, seconds of the runs."""

    at_rest: tuple[float, float, float]
    prodlife: float
    raw: float


@attrs.frozen
class Book:
    """A built book in one store: how to open it, restore it, size it and run it raw."""

    kind: str
    url: str
    options: dict[str, Any]
    restore: Callable[[], None]
    at_rest: Callable[[], tuple[float, float, float]]
    raw_worker: Callable[..., list[str]]
    raw_target: tuple[Any, ...]  # the raw worker's first arguments


def sqlite_store(folder: Path, book: str, count: int, months: int) -> Book:
    path = sqlite_book(folder, book, count, months)
    restore, at_rest = partial(sqlite_restore, path), partial(sqlite_at_rest, path, count)
    return Book(
        "sqlite", f"sqlite:///{path}", {}, restore, at_rest, raw_sqlite_worker, (str(path),)
    )


def pg_store(url: str, book: str, count: int, months: int) -> Book:
    schema = pg_book(url, book, count, months)
    restore, at_rest = partial(pg_restore, url, schema), partial(pg_at_rest, url, schema, count)
    options = {"schema": schema}
    return Book("postgresql", url, options, restore, at_rest, raw_pg_worker, (url, schema))


def measure(book: Book, count: int, workers: int) -> Result:
    """The prodlife run, bytes at rest after it (each service as the run wrote it), then
    the raw run, each run from the built state."""
    names = [f"worker-{n}" for n in range(workers)]
    book.restore()
    ours = timed_run(prodlife_worker, [(book.url, book.options, name) for name in names], count)
    check_none_due(book.url, book.options)
    at_rest = book.at_rest()  # every service written by this code's run
    book.restore()
    entry, event = raw_documents()
    arguments = [(*book.raw_target, name, entry, event) for name in names]
    raw = timed_run(book.raw_worker, arguments, count)
    check_none_due(book.url, book.options)
    return Result(at_rest, ours, raw)


def report(kind: str, book: str, count: int, result: Result) -> None:
    doc, table, whole = result.at_rest
    per = result.prodlife / count
    print(
        f"{kind:>10} {book:<9} at rest: document {doc:,.0f} B, services table {table:,.0f} B, "
        f"whole database {whole:,.0f} B per service  [target <= 1,024 B]"
    )
    print(
        f"{'':>10} {'':<9} run: {result.prodlife:.1f} s ({per * 1e6:.0f} us/service) -> "
        f"1,000,000 in {per * 1e6:.0f} s; raw {result.raw:.1f} s; "
        f"prodlife/raw {result.prodlife / result.raw:.2f}x"
    )


def ratios(results: dict[tuple[str, str], Result]) -> None:
    """Aged / fresh per store, PostgreSQL / SQLite per book."""
    kinds = sorted({kind for kind, _ in results}, reverse=True)
    for kind in kinds:
        aged, fresh = results[kind, "aged"].prodlife, results[kind, "fresh"].prodlife
        print(f"{kind}: aged/fresh {aged / fresh:.2f}x  [target <= 1.2x]")
    if "postgresql" in kinds:
        for book in ("fresh", "aged"):
            pg, lite = results["postgresql", book].prodlife, results["sqlite", book].prodlife
            print(f"{book}: postgresql/sqlite {pg / lite:.2f}x  [target <= 1.5x]")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("services", nargs="?", type=int, default=20_000, help="N (20,000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--months", type=int, default=12, help="age of the aged book (12)")
    parser.add_argument("--db", type=Path, help="keep the books here (default: a temporary one)")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    count, workers, months = args.services, args.workers, args.months
    url = os.environ.get("PRODLIFE_POSTGRESQL_URL")
    books = {"fresh": 0, "aged": months}
    print(
        f"books of {count:,} services due {DUE} (aged: {months} months), "
        f"{workers} worker processes, batches of {BATCH}"
    )
    results: dict[tuple[str, str], Result] = {}
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.db or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        stores = [partial(sqlite_store, folder)]
        if url:
            stores.append(partial(pg_store, url))
        for store in stores:
            for name, age in books.items():
                book = store(name, count, age)
                results[book.kind, name] = measure(book, count, workers)
                report(book.kind, name, count, results[book.kind, name])
                if book.kind == "postgresql" and args.db is None:
                    assert url is not None  # a PostgreSQL book is made only from a URL
                    pg_drop(url, book.options["schema"])
    ratios(results)


if __name__ == "__main__":
    main()
