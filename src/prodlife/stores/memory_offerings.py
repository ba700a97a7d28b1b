"""The memory store's reseller offerings (:class:`prodlife.ports.OfferingRepository`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from prodlife.catalog.resellers import ResellerOffering
from prodlife.errors import AlreadyExists, NotFound
from prodlife.stores._common import lookup_key, offering_key
from prodlife.stores._documents import check_document

if TYPE_CHECKING:
    from prodlife.stores.memory import MemoryUnitOfWork

__all__ = ["MemoryOfferings"]


@attrs.frozen(slots=True)
class MemoryOfferings:
    """Resellers' offerings, by reseller code: :class:`~prodlife.ports.OfferingRepository`."""

    uow: MemoryUnitOfWork

    def add(self, offering: ResellerOffering) -> None:
        """Store a new offering. Raises ``AlreadyExists``."""
        offering_key(offering)
        offerings = self.uow.state().offerings
        check_document(offering)
        if offering.reseller in offerings:
            raise AlreadyExists("reseller offering", offering.reseller)
        self.uow.put(offerings, offering.reseller, offering)

    def get(self, reseller: str) -> ResellerOffering:
        """The offering of ``reseller``. Raises ``NotFound``."""
        lookup_key(reseller, "reseller code")
        try:
            return self.uow.state().offerings[reseller]
        except KeyError:
            raise NotFound("reseller offering", reseller) from None

    def replace(self, offering: ResellerOffering) -> None:
        """Replace the stored offering of the same reseller. Raises ``NotFound``."""
        self.get(offering_key(offering))
        check_document(offering)
        self.uow.put(self.uow.state().offerings, offering.reseller, offering)

    def all(self) -> list[ResellerOffering]:
        """Every offering, ordered by reseller code."""
        offerings = self.uow.state().offerings
        return [offerings[code] for code in sorted(offerings)]
