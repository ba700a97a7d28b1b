"""Shared fixtures for the lifecycle operation tests: actors, services, catalogs, a fake module.

The money in these tests is chosen so it can be checked by hand: a WEB service
on the monthly cycle, paid for April 2025 (30 days, ``[2025-04-01,
2025-05-01)``), at the example catalog's editions BASIC 10.00, PRO 40.00 and
PREMIUM 70.00 USD a month. A change on 2025-04-16 leaves 15 of the 30 days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from prodlife import Money
from prodlife.billing.lines import InvoiceLine
from prodlife.catalog import Classification, Product, ProductType, ServiceKind
from prodlife.catalog.billing_terms import BillingTermScheme, SubscriptionType
from prodlife.catalog.catalog import Catalog, CatalogVersion
from prodlife.catalog.change_rules import ChangeRule, ChangeRules, ChangeTiming
from prodlife.catalog.products import Validity
from prodlife.cycles import MONTHLY
from prodlife.io.catalog_files import load_catalog
from prodlife.lifecycle import (
    ACTIVE,
    ORDERED,
    Actor,
    CancellationKind,
    CancellationRequest,
    ModuleResult,
    Operation,
    Permission,
    Service,
    ServiceAddOn,
    SuspensionKind,
)
from prodlife.lifecycle.history import HistoryEntry
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.package_changes import change_package
from prodlife.ports import Store
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.recurring import RecurringPrice
from prodlife.testing import make_service
from tests._support import d, usd

#: Ids that appear nowhere else, so a message that names them is easy to catch.
SERVICE_ID = "SVC-7731"
OWNER_ID = "CUST-OWNER-42"
STRANGER_ID = "CUST-OTHER-9"

OWNER = Actor.customer(OWNER_ID)
STRANGER = Actor.customer(STRANGER_ID)
STAFF = Actor.staff("ann", set(Permission))
SYSTEM = Actor.system()

#: The example catalog: WEB editions BASIC < PRO < PREMIUM, PREMIUM -> BASIC forbidden,
#: change rules "premium stays" (illegal), "upgrades once paid" (after payment),
#: "downgrades at renewal" (end of term), "everything else" (immediate).
#: Its products are sold at any date here (the file's WEB is sold from 2025), so that
#: properties may change packages on any day.
_EXAMPLE: Catalog = load_catalog(Path(__file__).parents[1] / "examples" / "catalog.toml")
CATALOG: Catalog = attrs.evolve(
    _EXAMPLE,
    products=[attrs.evolve(p, validity=Validity()) for p in _EXAMPLE.products],
)
#: The same catalog where every change is immediate.
IMMEDIATE_CATALOG: Catalog = attrs.evolve(
    CATALOG,
    change_rules=ChangeRules((ChangeRule(ChangeTiming.IMMEDIATE, name="all at once"),)),
)
PRICES = {"BASIC": usd("10.00"), "PRO": usd("40.00"), "PREMIUM": usd("70.00")}


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """Noon (or ``hour:minute``) UTC on the ISO date ``day``."""
    return datetime.combine(d(day), datetime.min.time(), UTC).replace(hour=hour, minute=minute)


def web(edition: str = "BASIC", **changes: Any) -> Service:
    """An active WEB service on ``edition``, paid for April 2025 and due again on May 1:
    prodlife.testing's plain service, :data:`SERVICE_ID` of :data:`OWNER_ID`, at the
    edition's list price. ``changes`` set any field (``paid_through`` and
    ``termination_date`` as given, never derived)."""
    values: dict[str, Any] = {
        "id": SERVICE_ID,
        "customer_id": OWNER_ID,
        "edition": edition,
        "price": RecurringPrice.at_order(PRICES[edition]),
        "paid_through": d("2025-04-30"),
        "termination_date": None,
    }
    values.update(changes)
    return make_service(values.pop("id"), **values)


def ordered(**changes: Any) -> Service:
    """A WEB BASIC service just ordered (pending, nothing paid), starting 2025-04-01."""
    values: dict[str, Any] = {"status": ORDERED, "paid_through": None}
    values.update(changes)
    return web(**values)


def backup(
    start: str = "2025-04-01", next_due: str | None = "2025-05-01", price: str | None = "3.00"
) -> ServiceAddOn:
    """The BACKUP add-on, monthly, active."""
    return ServiceAddOn(
        "BACKUP",
        MONTHLY,
        d(start),
        None if next_due is None else d(next_due),
        ACTIVE,
        price=None if price is None else RecurringPrice.at_order(usd(price)),
    )


def change_edition(
    service: Service,
    to: str,
    *,
    when: datetime | None = None,
    catalog: Catalog = IMMEDIATE_CATALOG,
    actor: Actor = OWNER,
    **more: Any,
) -> Outcome:
    """``service`` changed to edition ``to`` at its list price (:data:`PRICES`): by the
    owner, at noon on 2025-04-16 (15 of April's 30 days left), under
    :data:`IMMEDIATE_CATALOG`, unless told; ``more`` goes to ``change_package``."""
    when = at("2025-04-16") if when is None else when
    return change_package(
        service, actor, when, catalog=catalog, to_edition=to, new_price=PRICES[to], **more
    )


#: The staff member who suspends in :func:`lived`.
ANN = Actor.staff("ann", {Permission.SUSPEND, Permission.PROVISION})


def lived(service: Service, *cancelled_invoices: str) -> Service:
    """``service`` (of customer C-1) activated on payment at 09:00 UTC on 2025-01-01; its
    cancellation at the end of the period scheduled by C-1 on 01-02 ("moving", cancelling
    ``cancelled_invoices``); suspended by :data:`ANN` for abuse on 01-03 at 12:30 (ticket 7).
    A history with every kind of entry, for the data codec tests."""
    service = service.perform(
        Operation.ACTIVATE,
        Actor.system(),
        datetime(2025, 1, 1, 9, 0, tzinfo=UTC),
        "paid",
        provisioning=False,
    )
    service = service.perform(
        Operation.SCHEDULE_CANCELLATION,
        Actor.customer("C-1"),
        datetime(2025, 1, 2, tzinfo=UTC),
        "moving",
        request=CancellationRequest(
            CancellationKind.END_OF_PERIOD,
            "moving",
            datetime(2025, 1, 2, tzinfo=UTC),
            cancelled_invoices=cancelled_invoices,
        ),
    )
    return service.perform(
        Operation.SUSPEND,
        ANN,
        datetime(2025, 1, 3, 12, 30, tzinfo=UTC),
        "abuse report",
        kind=SuspensionKind.FOR_ABUSE,
        details="ticket 7",
    )


def last_entry(service: Service) -> HistoryEntry:
    """The newest entry of ``service``'s history, which must have one."""
    entry = service.history.last
    assert entry is not None
    return entry


def amounts(outcome: Outcome) -> list[Money]:
    """The amounts of an outcome's lines, in order."""
    return [line.amount for line in outcome.lines]


class FakeModule:
    """A host's provisioning module that records its calls and answers from a script.

    ``answers`` are used one per call (the last one repeats); an exception is raised.
    """

    def __init__(self, *answers: ModuleResult | Exception) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.answers: list[ModuleResult | Exception] = list(answers) or [ModuleResult.success("ok")]

    def _do(self, command: str, service: Service, extra: str = "") -> ModuleResult:
        self.calls.append((command, service.id, extra))
        answer = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def create(self, service: Service) -> ModuleResult:
        return self._do("create", service)

    def suspend(self, service: Service) -> ModuleResult:
        return self._do("suspend", service)

    def unsuspend(self, service: Service) -> ModuleResult:
        return self._do("unsuspend", service)

    def terminate(self, service: Service) -> ModuleResult:
        return self._do("terminate", service)

    def change_package(self, service: Service, package_code: str) -> ModuleResult:
        return self._do("change_package", service, package_code)

    def change_password(self, service: Service, new_password: str) -> ModuleResult:
        return self._do("change_password", service, new_password)

    def reboot(self, service: Service) -> ModuleResult:
        return self._do("reboot", service)


def commands(module: FakeModule) -> list[str]:
    """The commands the module was asked to run, in order."""
    return [command for command, _, _ in module.calls]


def rows(lines: Iterable[InvoiceLine]) -> list[tuple[str, str, str]]:
    """Invoice lines as (what, when, amount): the line's type (``reversed`` when it reverses
    an earlier one), its period or day, and its amount, for assertions read at a glance."""
    return [
        (
            f"{line.type}{' reversed' if line.reverses else ''}",
            str(line.period if line.period is not None else line.day),
            str(line.amount.amount),
        )
        for line in lines
    ]


#: What the order tests sell: VPS, in a catalog version in force since 2024.
SHOP = Catalog(
    types=[
        ProductType("SERVER", "Server", Classification.SERVICE, service_kind=ServiceKind.TERMED)
    ],
    products=[Product("VPS", "Virtual server", "SERVER")],
)


def offer_terms(
    store: Store,
    *,
    schemes: Iterable[BillingTermScheme] = (),
    subscriptions: Iterable[SubscriptionType] = (),
) -> None:
    """Add a catalog version the day after the latest stored one: the same catalog, with
    ``schemes`` and ``subscriptions`` too, for orders to name by code."""
    with store.transaction() as uow:
        latest = max(uow.catalog.versions().versions, key=lambda version: version.effective)
        catalog = attrs.evolve(
            latest.catalog,
            term_schemes=(*latest.catalog.term_schemes, *schemes),
            subscription_types=(*latest.catalog.subscription_types, *subscriptions),
        )
        effective = latest.effective + timedelta(days=1)
        uow.catalog.add_version(CatalogVersion(f"{latest.name}+terms", effective, catalog))
        uow.commit()


def sell(store: Store, catalog: Catalog, *plans: PricePlan) -> None:
    """Store ``catalog`` as catalog version "2025", in force from 2025-01-01, and ``plans``."""
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("2025", date(2025, 1, 1), catalog))
        for plan in plans:
            uow.price_plans.add(plan)
        uow.commit()


def shop(store: Store, plan: PricePlan) -> None:
    """Store :data:`SHOP` and ``plan``: what orders placed through ``Billing`` are checked
    and priced against."""
    with store.transaction() as uow:
        uow.catalog.add_version(CatalogVersion("SHOP", date(2024, 1, 1), SHOP))
        uow.price_plans.add(plan)
        uow.commit()
