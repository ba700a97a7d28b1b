"""The SQL stores' services, their histories and the scheduler's claims on them.

Three tables: ``services`` holds each service at rest (its document without
history entries, and the columns its queries filter on); ``service_history``
its history, one row an entry, append only; ``schedule`` when each service is
next due and the scheduler's claim on it (``worker``, ``lease_until``), so that
claiming and releasing write a row of a few bytes, never the service's.
Claiming marks up to ``limit`` due rows whose lease is over in one ``UPDATE``
(its rows picked with the dialect's ``FOR UPDATE SKIP LOCKED`` where it has
one, so that claimers skip each other's rows instead of waiting).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from prodlife.errors import ConcurrencyConflict, NotFound
from prodlife.lifecycle.history import History, HistoryEntry
from prodlife.lifecycle.services import Service
from prodlife.ports import ServiceQuery, check_query
from prodlife.stores._common import (
    claim,
    in_asked_order,
    lookup_key,
    service_keys,
)
from prodlife.stores._history import check_held_history, held_history
from prodlife.stores.sql.dialect import About, Query, Write
from prodlife.stores.sql.repositories import chunks

if TYPE_CHECKING:
    from prodlife.stores.sql.unit_of_work import SQLUnitOfWork

__all__ = ["Services"]


def _columns(uow: SQLUnitOfWork, service: Service) -> tuple[object, ...]:
    """What a service's row holds after its id, in order: customer, product, status,
    cancellation pending, bundle, version, document (the service at rest)."""
    return (
        service.customer_id,
        service.product_code,
        service.status.status.value,
        service.cancellation_pending,
        service.bundle_id,
        service.version,
        uow.dialect.doc(service.at_rest()),
    )


class Services:
    """Services and their scheduler claims; see :class:`prodlife.ports.ServiceRepository`
    and :class:`prodlife.ports.SchedulerRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def add(self, service: Service, *, due_on: date | None) -> None:
        """Store a new service. Raises ``AlreadyExists`` (at the call, or from the statement
        that runs the deferred writes)."""
        service_keys(service, due_on)
        entries = held_history(service, None)
        uow = self._uow
        deferred = uow.defers()
        params = (service.id, *_columns(uow, service))
        about = About("service", service.id)
        sql = uow.sql
        after = self._follow_ups(
            sql.schedule_add, (service.id, uow.dialect.day(due_on)), service.id, entries
        )
        if deferred:
            uow.defer(Write(sql.service_add, params, about, service.version))
            uow.defer_all(after)
        else:
            uow.insert(sql.service_add[0], params, about)
            self._run(after, service.id)

    def _follow_ups(
        self,
        schedule: Query,
        params: tuple[Any, ...],
        service_id: str,
        entries: Sequence[tuple[int, HistoryEntry]],
    ) -> list[Write]:
        """The writes that follow a service's (its schedule row, its new history entries),
        every document encoded now, so that a value no store keeps is refused before
        anything is written."""
        doc = self._uow.dialect.doc
        history = self._uow.sql.history_add
        writes = [Write(schedule, params)]
        writes += [Write(history, (service_id, number, doc(entry))) for number, entry in entries]
        return writes

    def _run(self, writes: Sequence[Write], service_id: str) -> None:
        for write in writes:
            self._uow.change(write.query[0], write.params, "saving the service", service_id)

    def get(self, service_id: str) -> Service:
        """The stored service. Raises ``NotFound``."""
        lookup_key(service_id, "service id")
        uow = self._uow
        row = uow.one(uow.sql.service_get, (service_id,), "reading the service", service_id)
        if row is None:
            raise NotFound("service", service_id)
        return uow.dialect.load(Service, row[0], service_id)

    def get_many(self, service_ids: Sequence[str]) -> list[Service]:
        """The services with these ids, in the order given. Raises ``NotFound``."""
        keys = [lookup_key(service_id, "service id") for service_id in service_ids]
        if not keys:
            return []
        uow = self._uow
        dialect = uow.dialect
        load = dialect.load
        found: dict[str, Service] = {}
        for chunk in chunks(sorted(set(keys)), dialect.in_list_limit):
            sql = uow.sql.services_in(len(chunk))
            rows = uow.all(sql, dialect.in_values(chunk), "reading services")
            found.update((key, load(Service, doc, key)) for key, doc in rows)
        return in_asked_order(found, keys, "service")

    def save(
        self,
        service: Service,
        *,
        expected_version: int,
        due_on: date | None,
        worker: str | None = None,
    ) -> None:
        """Replace the stored service at ``expected_version``, dropping ``worker``'s claim.

        Raises ``NotFound`` or ``ConcurrencyConflict`` (at the call, or from the
        statement that runs the deferred writes).
        """
        service_keys(service, due_on)
        if worker is not None:
            lookup_key(worker, "worker")
        uow = self._uow
        sql = uow.sql
        if service.history.earlier != expected_version:  # not saved as it was loaded:
            # stale, or missing entries, or holding some that must match the stored ones
            row = uow.one(sql.service_version, (service.id,), "saving the service", service.id)
            if row is None:
                raise NotFound("service", service.id)
            if row[0] != expected_version:
                raise ConcurrencyConflict("service", service.id, expected_version, row[0])
        entries = held_history(service, expected_version)
        if service.history.earlier < expected_version:
            check_held_history(service.id, self._stored_history(service.id), entries)
        deferred = uow.defers()
        params = (*_columns(uow, service), service.id, expected_version)
        about = About("service", service.id, expected_version)
        after = self._follow_ups(
            sql.schedule_save,
            (uow.dialect.day(due_on), worker, worker, service.id),
            service.id,
            entries,
        )
        if deferred:
            uow.defer(Write(sql.service_save, params, about, service.version))
            uow.defer_all(after)
            return
        for text in sql.service_save:
            if uow.change(text, params, "saving the service", service.id, about):
                self._run(after, service.id)
                return
        row = uow.one(sql.service_version, (service.id,), "saving the service", service.id)
        if row is None:
            raise NotFound("service", service.id)
        raise ConcurrencyConflict("service", service.id, expected_version, row[0])

    def _stored_history(self, service_id: str) -> dict[int, HistoryEntry]:
        uow = self._uow
        rows = uow.all(uow.sql.history_for, (service_id,), "reading the history", service_id)
        load = uow.dialect.load
        return {number: load(HistoryEntry, doc, service_id) for number, doc in rows}

    def history(self, service_id: str) -> History:
        """The service's whole history, oldest first. Raises ``NotFound``."""
        service = self.get(service_id)  # a document written before histories had a table
        kept = self._stored_history(service_id)  # may still hold its entries: they count
        held = service.history
        kept.update(enumerate(held.entries, start=held.earlier + 1))
        return History(tuple(kept[number] for number in sorted(kept)))

    def _filters(self, query: ServiceQuery) -> tuple[tuple[bool, ...], list[Any]]:
        check_query(query, ServiceQuery)
        status = None if query.status is None else query.status.value
        values: list[Any] = []
        used = []
        for value in (
            query.customer_id,
            query.product_code,
            status,
            self._uow.dialect.day(query.due_on_or_before),
            query.after_id,
            query.bundle_id,
        ):
            used.append(value is not None)
            if value is not None:
                values.append(value)
        pending = query.cancellation_pending  # filters that bind nothing
        used += [pending is True, pending is False]
        return tuple(used), values

    def find(self, query: ServiceQuery) -> list[Service]:
        """The services matching every filter of ``query``, ordered by id."""
        uow = self._uow
        dialect = uow.dialect
        used, values = self._filters(query)
        values.append(dialect.no_limit if query.limit is None else query.limit)
        rows = uow.all(uow.sql.find(used, False), values, "finding services")
        return [dialect.load(Service, doc, key) for key, doc in rows]

    def count(self, query: ServiceQuery) -> int:
        """How many services :meth:`find` would return, ignoring ``limit``."""
        uow = self._uow
        used, values = self._filters(query)
        row = uow.one(uow.sql.find(used, True), values, "counting services")
        return int(row[0])

    # --- scheduler claims ----------------------------------------------------------------------

    def claim_due(
        self, on: date, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[str]:
        """Claim up to ``limit`` due services for ``worker``; their ids by due date, then id."""
        worker, now, end = claim(on, worker, now, lease, limit)
        uow = self._uow
        if limit < 1:
            uow.live()
            return []
        uow.writable()
        dialect = uow.dialect
        day, since, until = dialect.day(on), dialect.instant(now), dialect.instant(end)
        where = "claiming due services"
        if dialect.has_returning():
            rows = uow.all(uow.sql.claim, (worker, until, day, since, limit), where)
            rows.sort(key=lambda row: (row[1], row[0]))
            return [row[0] for row in rows]
        ids = [row[0] for row in uow.all(uow.sql.claim_free, (day, since, limit), where)]
        uow.change_many(uow.sql.claim_one, [(worker, until, key) for key in ids], where)
        return ids

    def release(self, service_ids: Sequence[str], *, worker: str) -> None:
        """Drop ``worker``'s claims on these services (other workers' claims stay)."""
        lookup_key(worker, "worker")
        service_ids = [lookup_key(service_id, "service id") for service_id in service_ids]
        uow = self._uow
        uow.writable()
        dialect = uow.dialect
        for chunk in chunks(list(service_ids), dialect.in_list_limit):
            params = [worker, *dialect.in_values(chunk)]
            uow.change(uow.sql.release(len(chunk)), params, "releasing scheduler claims")
