"""What a service was sold under: the catalog version and the price-plan row (grandfathering).

An order records on each service it creates the catalog version in force on
its billing date and the stored price plan's row that priced it
(:class:`SoldUnder`). A later catalog version leaves the service on the price
it was sold at until that version's ``existing_move_on`` day; then the
renewal moves it to the plan's price (:mod:`prodlife.lifecycle.grandfathering`).

>>> from datetime import date
>>> from prodlife.cycles import MONTHLY
>>> sold = SoldUnder("2026", "STD", "WEB", "BASIC", MONTHLY, date(2026, 1, 1))
>>> print(sold)
catalog 2026, plan STD row WEB edition BASIC monthly valid from 2026-01-01
"""

from __future__ import annotations

from datetime import date

import attrs

from prodlife.cycles import BillingCycle
from prodlife.pricing.plans import PlanRate

__all__ = ["SoldUnder"]


@attrs.frozen(slots=True)
class SoldUnder:
    """The catalog version and price-plan row a service's recurring price came from.

    Args:
        catalog_version: the name of the catalog version in force when it was sold.
        price_plan: the code of the stored price plan that priced it.
        product_code: the product of the plan row.
        edition: the row's edition (``None``: the product's edition-less row).
        cycle: the row's billing cycle.
        row_from: the first day the row is valid on (``None``: no start).

    Raises:
        RuleViolation: an empty name or code, or a value of the wrong type
            (rule ``service.sold-under``).
    """

    catalog_version: str
    price_plan: str
    product_code: str
    edition: str | None
    cycle: BillingCycle
    row_from: date | None = None

    def __attrs_post_init__(self) -> None:
        # Read here: the parts of a service (a pending change among them) hold a sale record.
        from prodlife.lifecycle.service_parts import _day, _kind, _text

        rule = "service.sold-under"
        _text(self.catalog_version, rule, "catalog version")
        _text(self.price_plan, rule, "price plan")
        _text(self.product_code, rule, "plan row product")
        if self.edition is not None:
            _text(self.edition, rule, "plan row edition")
        _kind(self.cycle, BillingCycle, rule, "plan row cycle")
        _day(self.row_from, rule, "plan row start", optional=True)

    @classmethod
    def of(cls, catalog_version: str, price_plan: str, row: PlanRate) -> SoldUnder:
        """The record of a sale under ``catalog_version`` priced by ``row`` of ``price_plan``."""
        return cls(
            catalog_version,
            price_plan,
            row.product_code,
            row.edition,
            row.cycle,
            row.validity.start,
        )

    def __str__(self) -> str:
        edition = "" if self.edition is None else f" edition {self.edition}"
        since = "" if self.row_from is None else f" valid from {self.row_from}"
        return (
            f"catalog {self.catalog_version}, plan {self.price_plan} row "
            f"{self.product_code}{edition} {self.cycle}{since}"
        )
