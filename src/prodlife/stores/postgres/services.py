"""The PostgreSQL store's services and the scheduler's claims on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, LiteralString

from prodlife.clock import as_utc
from prodlife.errors import AlreadyExists, ConcurrencyConflict, NotFound, ValidationError
from prodlife.lifecycle.services import Service
from prodlife.ports import ServiceQuery
from prodlife.stores._common import in_asked_order
from prodlife.stores._documents import decode
from prodlife.stores.postgres.errors import _About
from prodlife.stores.postgres.sql import (
    _ADD_SERVICE,
    _CLAIM_DUE,
    _GET_SERVICE,
    _GET_SERVICES,
    _RELEASE,
    _SAVE_SERVICE,
    _SERVICE_VERSION,
    _where,
    _Write,
)

if TYPE_CHECKING:
    from prodlife.stores.postgres.unit_of_work import PostgresUnitOfWork


class _Services:
    """Services and their scheduler claims; see :class:`prodlife.ports.ServiceRepository`
    and :class:`prodlife.ports.SchedulerRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, service: Service, *, due_on: date | None) -> None:
        if not isinstance(service, Service):
            raise ValidationError(f"{service!r} is not a Service; pass one")
        uow = self._uow
        params = (
            service.id,
            service.customer_id,
            service.product_code,
            service.status.status.value,
            due_on,
            service.version,
            uow._doc(service),
        )
        if uow._defers():
            uow._defer(_Write(_ADD_SERVICE, params, _About("service", service.id), service.version))
            return
        if uow._execute(_ADD_SERVICE, params).rowcount == 0:
            raise AlreadyExists("service", service.id)

    def get(self, service_id: str) -> Service:
        row = self._uow._one(_GET_SERVICE, (service_id,))
        if row is None:
            raise NotFound("service", service_id)
        return decode(Service, row[0], service_id)

    def get_many(self, service_ids: Sequence[str]) -> list[Service]:
        keys = list(service_ids)
        rows = self._uow._all(_GET_SERVICES, (sorted(set(keys)),)) if keys else []
        found = {key: decode(Service, doc, key) for key, doc in rows}
        return in_asked_order(found, keys, "service")

    def save(self, service: Service, *, expected_version: int, due_on: date | None) -> None:
        if not isinstance(service, Service):
            raise ValidationError(f"{service!r} is not a Service; pass one")
        uow = self._uow
        params = (
            service.customer_id,
            service.product_code,
            service.status.status.value,
            due_on,
            service.version,
            uow._doc(service),
            service.id,
            expected_version,
        )
        about = _About("service", service.id, expected_version)
        if uow._defers():
            uow._defer(_Write(_SAVE_SERVICE, params, about, service.version))
            return
        if uow._execute(_SAVE_SERVICE, params, about).rowcount:
            return
        row = uow._one(_SERVICE_VERSION, (service.id,))
        if row is None:
            raise NotFound("service", service.id)
        raise ConcurrencyConflict("service", service.id, expected_version, row[0])

    def find(self, query: ServiceQuery) -> list[Service]:
        where, params = _where(query)
        limit: LiteralString = ""
        if query.limit is not None:
            limit = " LIMIT %s"
            params.append(max(query.limit, 0))
        rows = self._uow._all(
            "SELECT id, doc FROM services" + where + " ORDER BY id" + limit, params
        )
        return [decode(Service, doc, key) for key, doc in rows]

    def count(self, query: ServiceQuery) -> int:
        where, params = _where(query)
        return self._uow._count("SELECT count(*) FROM services" + where, params)

    # --- scheduler claims ---------------------------------------------------------------------

    def claim_due(
        self, on: date, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[str]:
        now = as_utc(now)
        if limit <= 0:
            self._uow._live()
            return []
        params = (worker, now + lease, on, now, limit)
        rows = self._uow._all(_CLAIM_DUE, params)
        rows.sort(key=lambda row: (row[1], row[0]))
        return [key for key, _ in rows]

    def release(self, service_ids: Sequence[str], *, worker: str) -> None:
        self._uow._execute(_RELEASE, (list(service_ids), worker))
