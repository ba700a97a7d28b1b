"""The shipped lifecycle state machine over an example catalog (``prodlife.testing``).

:class:`prodlife.testing.conservation.LifecycleMachine` starts a service on any billing day,
in advance or in arrears, drives random operations, payments and scheduler runs on it and
checks after every step that:

- every day invoiced is invoiced once, at what the service's timeline says it is worth
  now (a change, a pause or an ending repairs what was invoiced before it);
- money credited never exceeds money charged;
- add-ons are never live under an ended base;
- the history is complete: one entry per version, each starting where the last ended.

Here it runs over three editions of one product; a host runs it over its own catalog.
"""

from __future__ import annotations

from hypothesis import settings

from prodlife import Money
from prodlife.catalog import (
    Catalog,
    Classification,
    Edition,
    EditionLadder,
    Product,
    ProductType,
    ServiceKind,
)
from prodlife.testing.conservation import LifecycleMachine

EDITIONS = {"S": Money("10.00", "USD"), "M": Money("25.00", "USD"), "L": Money("40.00", "USD")}
CATALOG = Catalog(
    types=[
        ProductType("HOSTING", "Hosting", Classification.SERVICE, service_kind=ServiceKind.TERMED)
    ],
    products=[Product("WEB", "Web hosting", "HOSTING")],
    editions=[EditionLadder("WEB", tuple(Edition(code, code) for code in EDITIONS))],
)


class ThreeEditions(LifecycleMachine):
    def catalog(self) -> Catalog:
        return CATALOG

    def prices(self) -> dict[str, Money]:
        return EDITIONS


# As many examples as the profile gives (100, or 10,000 in ``nox -s long``).
ThreeEditions.TestCase.settings = settings(stateful_step_count=30, deadline=None)
TestThreeEditions = ThreeEditions.TestCase
