"""The SQL stores' reseller offerings (:class:`prodlife.ports.OfferingRepository`).

One row of ``reseller_offerings`` per reseller: its code and the offering's document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prodlife.catalog.resellers import ResellerOffering
from prodlife.errors import NotFound
from prodlife.stores._common import lookup_key, offering_key
from prodlife.stores.sql.dialect import About

if TYPE_CHECKING:
    from prodlife.stores.sql.unit_of_work import SQLUnitOfWork

__all__ = ["Offerings"]


class Offerings:
    """Resellers' offerings; see :class:`prodlife.ports.OfferingRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def add(self, offering: ResellerOffering) -> None:
        """Store a new offering. Raises ``AlreadyExists``."""
        offering_key(offering)
        uow = self._uow
        uow.writable()
        params = (offering.reseller, uow.dialect.doc(offering))
        uow.insert(uow.sql.offering_add, params, About("reseller offering", offering.reseller))

    def get(self, reseller: str) -> ResellerOffering:
        """The offering of ``reseller``. Raises ``NotFound``."""
        lookup_key(reseller, "reseller code")
        uow = self._uow
        row = uow.one(uow.sql.offering_get, (reseller,), "reading the offering", reseller)
        if row is None:
            raise NotFound("reseller offering", reseller)
        return uow.dialect.load(ResellerOffering, row[0], reseller)

    def replace(self, offering: ResellerOffering) -> None:
        """Replace the stored offering of the same reseller. Raises ``NotFound``."""
        offering_key(offering)
        uow = self._uow
        uow.writable()
        params = (uow.dialect.doc(offering), offering.reseller)
        if not uow.change(
            uow.sql.offering_replace, params, "replacing the offering", offering.reseller
        ):
            raise NotFound("reseller offering", offering.reseller)

    def all(self) -> list[ResellerOffering]:
        """Every offering, ordered by reseller code."""
        uow = self._uow
        load = uow.dialect.load
        rows = uow.all(uow.sql.offering_all, (), "reading the offerings")
        return [load(ResellerOffering, doc, code) for code, doc in rows]
