"""The SQLite store's services and the scheduler's claims on them (one table)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from prodlife.clock import as_utc
from prodlife.errors import ConcurrencyConflict, NotFound, ValidationError
from prodlife.lifecycle.services import Service
from prodlife.ports import ServiceQuery
from prodlife.stores import sqlite as _package
from prodlife.stores._common import in_asked_order
from prodlife.stores._documents import dumps, loads
from prodlife.stores.sqlite.sql import (
    _CLAIM,
    _CLAIM_FREE,
    _CLAIM_ONE,
    _MANY,
    _RELEASE,
    _SERVICE_ADD,
    _SERVICE_GET,
    _SERVICE_MANY_PREFIX,
    _SERVICE_SAVE,
    _SERVICE_SAVE_SAME,
    _SERVICE_VERSION,
    _day,
    _find_sql,
    _instant,
    _sql_limit,
)

if TYPE_CHECKING:
    from prodlife.stores.sqlite.unit_of_work import SQLiteUnitOfWork


class _Services:
    """Services and the scheduler's claims on them (one table)."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, service: Service, *, due_on: date | None) -> None:
        if not isinstance(service, Service):
            raise ValidationError(f"{service!r} is not a Service; pass one")
        self._uow.connection()
        self._uow.insert(
            _SERVICE_ADD,
            (
                service.id,
                service.customer_id,
                service.product_code,
                service.status.status.value,
                None if due_on is None else due_on.isoformat(),
                service.version,
                dumps(service),
            ),
            "service",
            service.id,
        )

    def get(self, service_id: str) -> Service:
        row = self._uow.one(_SERVICE_GET, (service_id,), f"reading the service {service_id!r}")
        if row is None:
            raise NotFound("service", service_id)
        return loads(Service, row[0], service_id)

    def get_many(self, service_ids: Sequence[str]) -> list[Service]:
        keys = list(service_ids)
        found: dict[str, Service] = {}
        for start in range(0, len(keys), _MANY):
            chunk = sorted(set(keys[start : start + _MANY]) - found.keys())
            if not chunk:
                continue
            # Only placeholders are joined into the SQL; every id is a bound parameter.
            sql = _SERVICE_MANY_PREFIX + ", ".join("?" * len(chunk)) + ")"
            rows = self._uow.rows(sql, chunk, "reading services")
            found.update((key, loads(Service, doc, key)) for key, doc in rows)
        return in_asked_order(found, keys, "service")

    def save(self, service: Service, *, expected_version: int, due_on: date | None) -> None:
        if not isinstance(service, Service):
            raise ValidationError(f"{service!r} is not a Service; pass one")
        uow = self._uow
        uow.writable()
        where = f"saving the service {service.id!r}"
        parameters = (
            service.customer_id,
            service.product_code,
            service.status.status.value,
            None if due_on is None else due_on.isoformat(),
            service.version,
            dumps(service),
            service.id,
            expected_version,
        )

        same = (*parameters[3:], service.customer_id, service.product_code, parameters[2])

        def run() -> None:
            if uow.change(_SERVICE_SAVE_SAME, same, where):
                return
            if uow.change(_SERVICE_SAVE, parameters, where):
                return
            row = uow.one(_SERVICE_VERSION, (service.id,), where)
            if row is None:
                raise NotFound("service", service.id)
            raise ConcurrencyConflict("service", service.id, expected_version, row[0])

        uow.defer(run)

    @staticmethod
    def _filters(query: ServiceQuery) -> tuple[tuple[bool, ...], list[object]]:
        values: list[object] = []
        used = []
        status = None if query.status is None else query.status.value
        for value in (
            query.customer_id,
            query.product_code,
            status,
            _day(query.due_on_or_before),
            query.after_id,
        ):
            used.append(value is not None)
            if value is not None:
                values.append(value)
        return tuple(used), values

    def find(self, query: ServiceQuery) -> list[Service]:
        used, values = self._filters(query)
        values.append(_sql_limit(query.limit))
        rows = self._uow.rows(_find_sql(used, False), values, "finding services")
        return [loads(Service, doc, key) for key, doc in rows]

    def count(self, query: ServiceQuery) -> int:
        used, values = self._filters(query)
        row = self._uow.one(_find_sql(used, True), values, "counting services")
        return int(row[0])

    # --- scheduler claims ------------------------------------------------------------------------

    def claim_due(
        self, on: date, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[str]:
        uow = self._uow
        uow.writable()
        now = as_utc(now)
        day, since, until = on.isoformat(), _instant(now), _instant(now + lease)
        where = "claiming due services"
        if limit < 1:
            return []
        # Read from the package at each claim: a test patches prodlife.stores.sqlite's.
        if _package._HAS_RETURNING:
            rows = uow.rows(_CLAIM, (worker, until, day, since, limit), where)
            rows.sort(key=lambda row: (row[1], row[0]))
            return [row[0] for row in rows]
        ids = [row[0] for row in uow.rows(_CLAIM_FREE, (day, since, limit), where)]
        uow.changes(_CLAIM_ONE, [(worker, until, key) for key in ids], where)
        return ids

    def release(self, service_ids: Sequence[str], *, worker: str) -> None:
        self._uow.changes(
            _RELEASE, [(key, worker) for key in service_ids], "releasing scheduler claims"
        )
