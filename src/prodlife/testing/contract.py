"""The store conformance suite: pytest classes proving a store keeps :mod:`prodlife.ports`.

A host that keeps prodlife's aggregates in its own database implements
:class:`~prodlife.ports.Store` and runs this suite over it: subclass
:class:`StoreContract` in a test module, under a name pytest collects, and
override the one fixture ``store``, which yields a fresh, empty store::

    import pytest
    from prodlife.testing.contract import StoreContract

    class TestMyStore(StoreContract):
        concurrent_readers = True  # False when the store runs one transaction at a time

        @pytest.fixture
        def store(self):
            store = MyStore(fresh_database())
            yield store
            store.close()

Every contract written in :mod:`prodlife.ports` has a test here, through the
protocols only: transactions (commit, rollback, exceptions, a unit of work
used after it ended, isolation), not found, uniqueness, versions, ordering,
values read back equal (with hypothesis round-trips), queries and paging,
scheduler claims, invoice lines and revenue, the event outbox, promotions and
their uses, orders, price plans and catalog versions. Each repository has its
own class (:class:`ServiceRepositoryContract`...) for a store that implements
only some of them; :class:`StoreContract` inherits them all.

Two class attributes tune the suite:

- ``concurrent_readers`` (``True``): whether a read-only transaction can
  read while another one is open. A store that runs one transaction at a
  time (the memory store) sets it to ``False`` and its isolation test is
  skipped.
- ``examples`` (``20``): how many examples each hypothesis round-trip draws.

Ordering is Python's ordering of ``str`` (by code point), the memory store's:
a SQL store compares ids and codes bytewise (``COLLATE "C"`` in PostgreSQL).

This module needs pytest and hypothesis (``pip install 'prodlife[test]'``);
it is imported only by test code.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlife.catalog.catalog import Catalog, CatalogVersion, CatalogVersions
from prodlife.catalog.data import catalog_to_data
from prodlife.catalog.products import Validity
from prodlife.cycles import ANNUAL, MONTHLY
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    RuleViolation,
    StoreError,
)
from prodlife.lifecycle.actors import Actor, Permission
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.invoicing import InvoiceLine, InvoiceLineKind
from prodlife.lifecycle.operations import suspend, unsuspend
from prodlife.lifecycle.orders import (
    DomainAction,
    DomainLine,
    Order,
    OrderLine,
    OrderOptions,
    OrderStatus,
)
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import (
    ACTIVE,
    CONFIGURATION_REQUIRED,
    ORDERED,
    ServiceStatus,
    Status,
    SuspensionKind,
)
from prodlife.money import Money
from prodlife.periods import Period
from prodlife.ports import (
    IssuedLine,
    ProductRevenue,
    ServiceQuery,
    Store,
    StoredEvent,
    UnitOfWork,
)
from prodlife.pricing.plans import PlanRate, PricePlan
from prodlife.pricing.promotions import Promotion, PromotionDuration, PromotionKind
from prodlife.pricing.quote import AddonPick, OptionPick, OrderLineSpec
from prodlife.pricing.rates import Rate, Tier
from prodlife.pricing.recurring import RecurringPrice
from prodlife.testing.catalogs import catalogs
from prodlife.testing.strategies import billing_dates, money, periods, services

__all__ = [
    "CatalogRepositoryContract",
    "EventOutboxContract",
    "InvoiceLineContract",
    "OrderRepositoryContract",
    "PricePlanRepositoryContract",
    "PromotionRepositoryContract",
    "SchedulerContract",
    "ServiceRepositoryContract",
    "StoreContract",
    "StoreFixture",
    "TransactionContract",
]

T = TypeVar("T")

# --- values the tests store -------------------------------------------------------------

#: Every instant in the suite is built from this one (no wall clock).
T0 = datetime(2025, 4, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)
TOKYO = timezone(timedelta(hours=9))
ST_JOHNS = timezone(-timedelta(hours=3, minutes=30))
NEW_YORK = timezone(-timedelta(hours=5))
STAFF = Actor.staff("contract", set(Permission))

#: Ids whose order differs between code points and other collations: case, digits,
#: punctuation, accents, CJK, a character above U+FFFF and one that UTF-16 puts after it.
TRICKY_IDS = (
    "S-10",
    "S-9",
    "S-1",
    "s-1",
    "S-1a",
    "S_1",
    "S 1",
    "Z",
    "a",
    "10",
    "9",
    "-1",
    "~",
    "é-1",
    "e-1",
    "ß",
    "Ω",
    "中-1",
    "\U0001f600",
    "\uff5e",
)


def usd(amount: str) -> Money:
    """US dollars."""
    return Money(amount, "USD")


def make_service(
    service_id: str = "S-1",
    *,
    customer_id: str = "C-1",
    product_code: str = "WEB",
    status: ServiceStatus = ACTIVE,
    next_due: date | None = date(2025, 5, 1),
) -> Service:
    """A monthly service started on 2025-04-01 (10.00 USD), paid until its next due date."""
    ended = status.status in {Status.CANCELLED, Status.TERMINATED, Status.DELETED}
    return Service(
        id=service_id,
        customer_id=customer_id,
        product_code=product_code,
        edition="BASIC",
        cycle=MONTHLY,
        price=RecurringPrice.at_order(usd("10.00")),
        payment_method="card",
        start=date(2025, 4, 1),
        next_due=next_due,
        paid_through=None if next_due is None else next_due - timedelta(days=1),
        status=status,
        termination_date=date(2025, 4, 20) if ended else None,
    )


def changed(service: Service, at: datetime = T0) -> Service:
    """``service`` one version later (suspended by staff, or unsuspended)."""
    if service.status.status is Status.SUSPENDED:
        return unsuspend(service, STAFF, at).service
    return suspend(service, STAFF, at, SuspensionKind.BY_ADMINISTRATOR).service


def make_line(
    service_id: str = "S-1",
    customer_id: str = "C-1",
    amount: Money | str = "10.00",
    kind: InvoiceLineKind | None = None,
    description: str = "WEB BASIC for the period",
) -> InvoiceLine:
    """An invoice line: a recurring charge, or a prorated credit when ``amount`` is negative."""
    value = amount if isinstance(amount, Money) else usd(amount)
    if kind is None:
        negative = value.amount < 0
        kind = InvoiceLineKind.PRORATED_CREDIT if negative else InvoiceLineKind.RECURRING
    return InvoiceLine(
        service_id,
        customer_id,
        kind,
        description,
        value,
        Period(date(2025, 5, 1), date(2025, 6, 1)),
    )


def make_event(
    service_id: str = "S-1",
    kind: EventKind = EventKind.SUSPENDED,
    at: datetime = T0,
    customer_id: str = "C-1",
) -> Event:
    """An event with details."""
    return Event(kind, service_id, customer_id, at, (("kind", "by administrator"), ("n", "1")))


PLAN = PricePlan(
    "STD",
    "Standard",
    "USD",
    (
        PlanRate("VPS", MONTHLY, Rate.flat(usd("10.00")), setup_fee=usd("5.00")),
        PlanRate("VPS", ANNUAL, Rate.graduated((Tier(5, usd("8.00")), Tier(None, usd("6.50"))))),
        PlanRate(
            "WEB",
            MONTHLY,
            Rate.per_unit(usd("4.125")),
            edition="PRO",
            validity=Validity(date(2025, 1, 1), date(2026, 1, 1)),
            applies_to_components=False,
        ),
    ),
    Validity(start=date(2025, 1, 1)),
)

PROMOTIONS = (
    Promotion(
        "SUMMER25",
        PromotionKind.PERCENTAGE,
        Decimal("12.5"),
        PromotionDuration.CYCLES,
        cycles=3,
        products=frozenset({"WEB", "VPS"}),
        billing_cycles=frozenset({MONTHLY, ANNUAL}),
        starts=date(2025, 6, 1),
        expires=date(2025, 9, 1),
        max_uses=100,
        max_uses_per_customer=2,
        new_customers_only=True,
        applies_to_setup=True,
    ),
    Promotion(
        "Fixed5", PromotionKind.FIXED_AMOUNT, Money("5.00", "EUR"), PromotionDuration.FOREVER
    ),
    Promotion("OVERRIDE", PromotionKind.PRICE_OVERRIDE, Money("1.999", "BHD")),
    Promotion("FREESETUP", PromotionKind.FREE_SETUP, None),
)


def make_order(
    order_id: str = "O-1",
    customer_id: str = "C-1",
    placed_at: datetime = T0,
    status: OrderStatus = OrderStatus.PENDING,
) -> Order:
    """An order with a rich product line, a domain transfer, a promo code and options."""
    spec = OrderLineSpec(
        "VPS",
        quantity=2,
        cycle=ANNUAL,
        edition="PRO",
        options=(OptionPick("RAM", "4GB", 2),),
        addons=(AddonPick("BACKUP", MONTHLY, 1),),
        promo_code="SUMMER25",
        price_override=usd("9.99"),
    )
    fields: dict[str, Any] = {  # mypy cannot type Order's tuple converters
        "id": order_id,
        "customer_id": customer_id,
        "payment_method": "card",
        "lines": (
            OrderLine(spec, domain="example.com", services=2),
            OrderLine(OrderLineSpec("WEB")),
        ),
        "domains": (
            DomainLine(
                "example.org",
                DomainAction.TRANSFER,
                years=2,
                auth_code="EPP-1",
                price_override=usd("12.00"),
            ),
        ),
        "promo_code": "FREESETUP",
        "status": status,
        "options": OrderOptions(send_confirmation=False, generate_invoice=True),
        "placed_at": placed_at,
    }
    return Order(**fields)


def make_version(name: str = "2025", effective: date = date(2025, 1, 1)) -> CatalogVersion:
    """A catalog version over an empty catalog."""
    return CatalogVersion(name, effective, Catalog())


# --- helpers ------------------------------------------------------------------------------


def write(store: Store, work: Callable[[UnitOfWork], object]) -> None:
    """Run ``work`` in a transaction and commit it."""
    with store.transaction() as uow:
        work(uow)
        uow.commit()


def read(store: Store, work: Callable[[UnitOfWork], T]) -> T:
    """What ``work`` returns in a read-only transaction of its own."""
    with store.transaction(readonly=True) as uow:
        return work(uow)


def each(action: Callable[[T], object], items: Iterable[T]) -> None:
    """Call ``action`` on every item."""
    for item in items:
        action(item)


def fail_inside(store: Store, work: Callable[[UnitOfWork], object], error: Exception) -> None:
    """Run ``work`` in a transaction, then raise ``error`` inside the ``with`` block."""
    with store.transaction() as uow:
        work(uow)
        raise error


def add_services(store: Store, rows: Sequence[tuple[Service, date | None]]) -> None:
    """Store ``rows`` (service, due_on) and commit."""

    def add(uow: UnitOfWork) -> None:
        for service, due_on in rows:
            uow.services.add(service, due_on=due_on)

    write(store, add)


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()


def _or_missing(work: Callable[[], T]) -> T | _Missing:
    try:
        return work()
    except NotFound:
        return MISSING


def issued(items: Sequence[IssuedLine]) -> list[tuple[InvoiceLine, str, datetime]]:
    """Stored lines without their sequences (which a store may number with gaps)."""
    return [(item.line, item.product_code, item.issued_at) for item in items]


def stored(items: Sequence[StoredEvent]) -> list[tuple[Event, bool]]:
    """Stored events without their sequences."""
    return [(item.event, item.published) for item in items]


def snapshot(uow: UnitOfWork) -> dict[str, object]:
    """Everything the suite's fixture values can be read back as, through ``uow``."""
    promotions = uow.promotions.all()
    return {
        "versions": _or_missing(uow.catalog.versions),
        "plans": uow.price_plans.all(),
        "plan": _or_missing(lambda: uow.price_plans.get(PLAN.code)),
        "promotions": promotions,
        "uses": [uow.promotions.uses(p.code) for p in promotions],
        "services": uow.services.find(ServiceQuery()),
        "count": uow.services.count(ServiceQuery()),
        "due": uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 1))),
        "orders": uow.orders.for_customer("C-1"),
        "order": _or_missing(lambda: uow.orders.get("O-1")),
        "lines": issued(uow.invoice_lines.for_customer("C-1")),
        "events": stored(uow.events.for_service("S-1")),
        "unpublished": stored(uow.events.unpublished()),
    }


def write_one_of_each(uow: UnitOfWork) -> None:
    """Write one value to every repository (ids S-1, O-1, C-1, code STD...)."""
    uow.catalog.add_version(make_version())
    uow.price_plans.add(PLAN)
    uow.promotions.add(PROMOTIONS[0])
    uow.promotions.record_use(PROMOTIONS[0].code, "C-1", "O-1")
    uow.services.add(make_service(), due_on=date(2025, 5, 1))
    uow.orders.add(make_order())
    uow.invoice_lines.add([make_line()], product_code="WEB", issued_at=T0)
    uow.events.add([make_event()])


def change_one_of_each(uow: UnitOfWork) -> None:
    """Change what :func:`write_one_of_each` wrote, in every repository that can change."""
    service = uow.services.get("S-1")
    uow.services.save(changed(service), expected_version=service.version, due_on=None)
    uow.price_plans.replace(attrs.evolve(PLAN, name="Renamed"))
    uow.orders.replace(attrs.evolve(make_order(), status=OrderStatus.ACTIVE))
    uow.promotions.record_use(PROMOTIONS[0].code, "C-2", "O-2")
    uow.catalog.add_version(make_version("2026", date(2026, 1, 1)))
    uow.invoice_lines.add([make_line(amount="-2.00")], product_code="WEB", issued_at=T0)
    uow.events.mark_published([item.sequence for item in uow.events.unpublished()])
    uow.events.add([make_event(kind=EventKind.UNSUSPENDED)])


class _Worker:
    """Runs ``work`` in a thread of its own and keeps what it returned or raised."""

    def __init__(self, work: Callable[[], T]) -> None:
        self.result: list[Any] = []
        self.error: list[BaseException] = []

        def run() -> None:
            try:
                self.result.append(work())
            except BaseException as error:  # handed to the test's thread
                self.error.append(error)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait(self, timeout: float) -> bool:
        """Whether it finished within ``timeout`` seconds."""
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def value(self) -> Any:
        """What ``work`` returned (re-raising what it raised)."""
        if self.error:
            raise self.error[0]
        return self.result[0]


_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_CODE = _TEXT.filter(lambda text: bool(text.strip()) and text == text.strip())
_ZONES = st.sampled_from((UTC, TOKYO, ST_JOHNS, NEW_YORK))
_INSTANTS = st.builds(
    lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone),
    st.datetimes(datetime(2000, 1, 1), datetime(2090, 12, 31)),
    _ZONES,
)


@st.composite
def _lines(draw: st.DrawFn) -> InvoiceLine:
    """Invoice lines of any kind: charges zero or more, credits (whichever kinds) negative."""
    kind = draw(st.sampled_from(InvoiceLineKind))
    amount = draw(money(max_minor_units=10**12, min_minor_units=0, rounded=draw(st.booleans())))
    fields = (draw(_CODE), draw(_CODE), kind, draw(_TEXT))
    rest = (draw(st.none() | periods(max_days=400)), draw(_TEXT))
    try:
        return InvoiceLine(*fields, amount, *rest)
    except RuleViolation:  # a credit
        return InvoiceLine(*fields, -amount, *rest)


_EVENTS = st.builds(
    Event,
    st.sampled_from(EventKind),
    _CODE,
    _CODE,
    _INSTANTS,
    st.lists(st.tuples(_TEXT, _TEXT), max_size=3).map(tuple),
)


# --- the contract ---------------------------------------------------------------------


class StoreFixture:
    """The ``store`` fixture every contract class uses; override it in your subclass.

    Attributes:
        concurrent_readers: whether a transaction can read while another one is open
            (``False`` for a store that runs one transaction at a time).
        examples: how many examples each hypothesis round-trip draws.
        wait_seconds: how long a test waits for a second transaction (another thread).
    """

    concurrent_readers: ClassVar[bool] = True
    examples: ClassVar[int] = 20
    wait_seconds: ClassVar[float] = 10.0

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh, empty store, closed afterwards: override this fixture."""
        pytest.fail(
            f"{type(self).__name__} needs a store: override the fixture in your subclass, "
            "@pytest.fixture def store(self): yield a fresh, empty store, then close it"
        )

    def hypothesis_settings(self) -> settings:
        """The settings of the suite's hypothesis round-trips."""
        return settings(
            max_examples=self.examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )


_WRITES: list[tuple[str, Callable[[UnitOfWork], object]]] = [
    ("services.add", lambda uow: uow.services.add(make_service("S-2"), due_on=None)),
    (
        "services.save",
        lambda uow: uow.services.save(make_service("S-1"), expected_version=0, due_on=None),
    ),
    ("price_plans.add", lambda uow: uow.price_plans.add(PLAN)),
    ("promotions.add", lambda uow: uow.promotions.add(PROMOTIONS[0])),
    (
        "scheduler.claim_due",
        lambda uow: uow.scheduler.claim_due(
            date(2025, 5, 1),
            worker="w",
            now=datetime(2025, 5, 1, tzinfo=UTC),
            lease=timedelta(minutes=5),
            limit=5,
        ),
    ),
    ("events.add", lambda uow: uow.events.add([make_event()])),
]


_AFTER_ENDED: list[tuple[str, Callable[[UnitOfWork], object]]] = [
    ("services.get", lambda uow: uow.services.get("S-1")),
    ("services.find", lambda uow: uow.services.find(ServiceQuery())),
    ("services.add", lambda uow: uow.services.add(make_service("S-2"), due_on=None)),
    ("catalog.versions", lambda uow: uow.catalog.versions()),
    ("price_plans.all", lambda uow: uow.price_plans.all()),
    ("promotions.get", lambda uow: uow.promotions.get(PROMOTIONS[0].code)),
    ("orders.for_customer", lambda uow: uow.orders.for_customer("C-1")),
    (
        "invoice_lines.add",
        lambda uow: uow.invoice_lines.add([make_line()], product_code="WEB", issued_at=T0),
    ),
    ("events.unpublished", lambda uow: uow.events.unpublished()),
    (
        "scheduler.claim_due",
        lambda uow: uow.scheduler.claim_due(
            date(2025, 5, 1), worker="w", now=T0, lease=HOUR, limit=5
        ),
    ),
    ("commit", lambda uow: uow.commit()),
]


class _Boom(Exception):
    """An exception of the host's, raised inside a transaction."""


class TransactionContract(StoreFixture):
    """Transactions: commit keeps, anything else rolls back, an ended unit of work refuses."""

    def test_the_store_is_a_store(self, store: Store) -> None:
        assert isinstance(store, Store)

    def test_a_fresh_store_is_empty(self, store: Store) -> None:
        with store.transaction() as uow:
            assert uow.services.find(ServiceQuery()) == []
            assert uow.services.count(ServiceQuery()) == 0
            assert uow.price_plans.all() == []
            assert uow.promotions.all() == []
            assert uow.invoice_lines.for_customer("C-1") == []
            assert uow.invoice_lines.revenue_by_product(T0 - 1000 * HOUR, T0 + 1000 * HOUR) == []
            assert uow.events.unpublished() == []
            assert uow.orders.for_customer("C-1") == []
            with pytest.raises(NotFound):
                uow.catalog.versions()

    def test_commit_keeps_what_the_transaction_wrote(self, store: Store) -> None:
        with store.transaction() as uow:
            write_one_of_each(uow)
            written = snapshot(uow)
            uow.commit()
        assert read(store, snapshot) == written
        assert written["services"] == [make_service()]
        assert written["plan"] == PLAN
        assert written["uses"] == [1]
        assert written["versions"] == CatalogVersions((make_version(),))

    def test_leaving_the_block_without_commit_rolls_back(self, store: Store) -> None:
        empty = read(store, snapshot)
        with store.transaction() as uow:
            write_one_of_each(uow)
        assert read(store, snapshot) == empty

    def test_rollback_drops_what_the_transaction_wrote(self, store: Store) -> None:
        empty = read(store, snapshot)
        with store.transaction() as uow:
            write_one_of_each(uow)
            uow.rollback()
        assert read(store, snapshot) == empty

    def test_an_exception_rolls_back_and_propagates(self, store: Store) -> None:
        empty = read(store, snapshot)
        boom = _Boom("the host failed")
        with pytest.raises(_Boom) as raised:
            fail_inside(store, write_one_of_each, boom)
        assert raised.value is boom
        assert read(store, snapshot) == empty

    def test_a_rollback_puts_back_what_was_changed(self, store: Store) -> None:
        write(store, write_one_of_each)
        before = read(store, snapshot)
        with store.transaction() as uow:
            change_one_of_each(uow)
            assert snapshot(uow) != before
        assert read(store, snapshot) == before
        with pytest.raises(_Boom):
            fail_inside(store, change_one_of_each, _Boom("the host failed"))
        assert read(store, snapshot) == before

    def test_commit_keeps_changes_to_stored_values(self, store: Store) -> None:
        write(store, write_one_of_each)
        with store.transaction() as uow:
            change_one_of_each(uow)
            changed_view = snapshot(uow)
            uow.commit()
        assert read(store, snapshot) == changed_view
        assert changed_view["plan"] == attrs.evolve(PLAN, name="Renamed")
        assert changed_view["uses"] == [2]
        assert changed_view["due"] == []
        assert [published for _, published in stored(read(store, _events_of_s1))] == [True, False]

    @pytest.mark.parametrize(("name", "use"), _AFTER_ENDED, ids=[n for n, _ in _AFTER_ENDED])
    def test_a_unit_of_work_used_after_commit_raises_store_error(
        self, store: Store, name: str, use: Callable[[UnitOfWork], object]
    ) -> None:
        with store.transaction() as uow:
            uow.commit()
            with pytest.raises(StoreError):
                use(uow)

    @pytest.mark.parametrize(("name", "use"), _AFTER_ENDED, ids=[n for n, _ in _AFTER_ENDED])
    def test_a_unit_of_work_used_after_rollback_raises_store_error(
        self, store: Store, name: str, use: Callable[[UnitOfWork], object]
    ) -> None:
        with store.transaction() as uow:
            uow.rollback()
            with pytest.raises(StoreError):
                use(uow)

    def test_a_unit_of_work_used_after_its_block_raises_store_error(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.services.add(make_service(), due_on=None)
        with pytest.raises(StoreError):
            uow.services.find(ServiceQuery())
        with pytest.raises(StoreError):
            uow.commit()
        assert read(store, lambda u: u.services.count(ServiceQuery())) == 0

    def test_a_write_after_commit_is_not_kept(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.services.add(make_service("S-1"), due_on=None)
            uow.commit()
            with pytest.raises(StoreError):
                uow.services.add(make_service("S-2"), due_on=None)
        assert read(store, lambda u: u.services.find(ServiceQuery())) == [make_service("S-1")]

    def test_a_failed_check_keeps_nothing_of_the_transaction(self, store: Store) -> None:
        add_services(store, [(make_service("S-1"), None)])

        def duplicate(uow: UnitOfWork) -> None:
            uow.services.add(make_service("S-2"), due_on=None)
            uow.invoice_lines.add([make_line("S-2")], product_code="WEB", issued_at=T0)
            uow.events.add([make_event("S-2")])
            uow.services.add(make_service("S-1", customer_id="C-2"), due_on=None)

        before = read(store, snapshot)
        with pytest.raises(AlreadyExists):
            write(store, duplicate)
        assert read(store, snapshot) == before

    def test_a_transaction_goes_on_after_not_found(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.services.add(make_service("S-1"), due_on=None)
            with pytest.raises(NotFound):
                uow.services.get("S-404")
            with pytest.raises(NotFound):
                uow.orders.get("O-404")
            uow.services.add(make_service("S-2"), due_on=None)
            uow.commit()
        found = read(store, lambda u: u.services.find(ServiceQuery()))
        assert [s.id for s in found] == ["S-1", "S-2"]

    def test_writes_are_invisible_to_other_transactions_until_committed(self, store: Store) -> None:
        if not self.concurrent_readers:
            pytest.skip("the store runs one transaction at a time (concurrent_readers = False)")
        write(store, lambda uow: uow.services.add(make_service("S-0"), due_on=None))
        outside: list[_Worker] = []
        with store.transaction() as uow:
            write_one_of_each(uow)
            outside.append(_Worker(lambda: read(store, snapshot)))
            if not outside[0].wait(self.wait_seconds):
                pytest.fail(
                    f"a second transaction could not read within {self.wait_seconds} s while "
                    "one was open; if the store runs one transaction at a time, set "
                    "concurrent_readers = False"
                )
            seen = outside[0].value()
            uow.commit()
        assert seen["services"] == [make_service("S-0")]
        assert seen["lines"] == seen["events"] == seen["unpublished"] == []
        assert seen["plans"] == seen["promotions"] == seen["orders"] == []
        assert seen["versions"] is MISSING
        after = read(store, snapshot)
        assert [s.id for s in after["services"]] == ["S-0", "S-1"]  # type: ignore[attr-defined]
        assert after["plan"] == PLAN

    @pytest.mark.parametrize(("name", "attempt"), _WRITES)
    def test_a_read_only_transaction_refuses_every_write(
        self, store: Store, name: str, attempt: Callable[[UnitOfWork], object]
    ) -> None:
        write(store, lambda uow: uow.services.add(make_service("S-1"), due_on=date(2025, 5, 1)))
        before = read(store, snapshot)
        with store.transaction(readonly=True) as uow, pytest.raises(StoreError):
            attempt(uow)
        assert read(store, snapshot) == before, name

    def test_a_closed_store_refuses_new_transactions(self, store: Store) -> None:
        store.close()
        with pytest.raises(StoreError), store.transaction():
            pass


def _events_of_s1(uow: UnitOfWork) -> list[StoredEvent]:
    return uow.events.for_service("S-1")


SUSPENDED_BY_CUSTOMER = ServiceStatus(Status.SUSPENDED, SuspensionKind.BY_CUSTOMER)
SUSPENDED_FOR_NON_PAYMENT = ServiceStatus(Status.SUSPENDED, SuspensionKind.FOR_NON_PAYMENT)

#: The services the query tests store: (service, due_on).
QUERY_ROWS: tuple[tuple[Service, date | None], ...] = (
    (make_service("B-10", customer_id="C-2", status=ORDERED), None),
    (make_service("A-2", product_code="VPS", status=SUSPENDED_BY_CUSTOMER), date(2025, 5, 10)),
    (make_service("b-1", status=ServiceStatus(Status.CANCELLED), next_due=None), None),
    (make_service("A-1"), date(2025, 5, 1)),
    (make_service("é-1", customer_id="C-3"), date(2025, 6, 1)),
    (make_service("B-9", customer_id="C-3", product_code="VPS"), date(2025, 5, 1)),
    (
        make_service("B-1", customer_id="C-2", status=SUSPENDED_FOR_NON_PAYMENT),
        date(2025, 4, 20),
    ),
    (make_service("Z-1", product_code="DNS", status=CONFIGURATION_REQUIRED), date(2025, 4, 30)),
    (make_service("A-10", customer_id="C-2", product_code="VPS"), date(2025, 4, 20)),
)

QUERIES: tuple[ServiceQuery, ...] = (
    ServiceQuery(),
    ServiceQuery(customer_id="C-1"),
    ServiceQuery(customer_id="C-9"),
    ServiceQuery(product_code="WEB"),
    ServiceQuery(product_code="web"),
    ServiceQuery(status=Status.SUSPENDED),
    ServiceQuery(status=Status.ACTIVE),
    ServiceQuery(status=Status.PENDING),
    ServiceQuery(status=Status.CANCELLED),
    ServiceQuery(status=Status.TERMINATED),
    ServiceQuery(due_on_or_before=date(2025, 5, 1)),
    ServiceQuery(due_on_or_before=date(2025, 4, 19)),
    ServiceQuery(due_on_or_before=date(2025, 4, 20)),
    ServiceQuery(due_on_or_before=date(2099, 1, 1)),
    ServiceQuery(after_id="B-1"),
    ServiceQuery(after_id="B-0"),
    ServiceQuery(after_id=""),
    ServiceQuery(after_id="b"),
    ServiceQuery(after_id="\U0001f600"),
    ServiceQuery(limit=0),
    ServiceQuery(limit=1),
    ServiceQuery(limit=3),
    ServiceQuery(limit=100),
    ServiceQuery(customer_id="C-1", status=Status.ACTIVE),
    ServiceQuery(customer_id="C-2", product_code="VPS"),
    ServiceQuery(product_code="WEB", due_on_or_before=date(2025, 5, 1), after_id="A-1", limit=2),
    ServiceQuery(status=Status.SUSPENDED, due_on_or_before=date(2025, 5, 1)),
    ServiceQuery(
        customer_id="C-2",
        product_code="VPS",
        status=Status.ACTIVE,
        due_on_or_before=date(2025, 4, 20),
        after_id="A",
        limit=1,
    ),
    ServiceQuery(customer_id="C-3", after_id="B-9", limit=5),
)


def expected_find(
    rows: Sequence[tuple[Service, date | None]], query: ServiceQuery
) -> list[Service]:
    """What :meth:`~prodlife.ports.ServiceRepository.find` returns, straight from its contract."""
    found = sorted(
        (
            service
            for service, due_on in rows
            if (query.customer_id is None or service.customer_id == query.customer_id)
            and (query.product_code is None or service.product_code == query.product_code)
            and (query.status is None or service.status.status is query.status)
            and (
                query.due_on_or_before is None
                or (due_on is not None and due_on <= query.due_on_or_before)
            )
            and (query.after_id is None or service.id > query.after_id)
        ),
        key=lambda service: service.id,
    )
    return found if query.limit is None else found[: query.limit]


def _query_id(query: ServiceQuery) -> str:
    fields = attrs.asdict(query, recurse=False)
    return ",".join(f"{key}={value}" for key, value in fields.items() if value is not None) or "all"


class ServiceRepositoryContract(StoreFixture):
    """Services: not found, uniqueness, versions, queries, ordering and values read back."""

    def test_get_of_an_unknown_id_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.services.get("S-1")
        add_services(store, [(make_service("S-1"), None)])
        with store.transaction() as uow:
            for unknown in ("S-2", "s-1", "S-1 ", ""):
                with pytest.raises(NotFound):
                    uow.services.get(unknown)

    def test_get_many_returns_services_in_the_order_asked(self, store: Store) -> None:
        ids = [f"S-{n}" for n in range(1, 8)]
        add_services(store, [(make_service(key), None) for key in ids])
        asked = ["S-7", "S-1", "S-3", "S-1"]
        got = read(store, lambda uow: uow.services.get_many(asked))
        assert [service.id for service in got] == asked
        assert got[0] == make_service("S-7")
        assert read(store, lambda uow: uow.services.get_many([])) == []
        with store.transaction() as uow, pytest.raises(NotFound, match="S-9"):
            uow.services.get_many(["S-2", "S-9", "S-8"])

    def test_get_many_reads_more_ids_than_one_statement_holds(self, store: Store) -> None:
        ids = [f"S-{n:04d}" for n in range(1200)]
        add_services(store, [(make_service(key), None) for key in ids])
        got = read(store, lambda uow: uow.services.get_many(ids[::-1]))
        assert [service.id for service in got] == ids[::-1]

    def test_a_transaction_reads_its_own_writes(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.services.add(make_service("S-1"), due_on=date(2025, 5, 1))
            assert uow.services.get("S-1") == make_service("S-1")
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 1))) == [
                make_service("S-1")
            ]
            assert uow.services.count(ServiceQuery()) == 1

    def test_a_stored_service_reads_back_equal(self, store: Store) -> None:
        service = changed(changed(make_service("S-1")), T0 + HOUR)
        add_services(store, [(service, date(2025, 5, 1))])
        got = read(store, lambda uow: uow.services.get("S-1"))
        assert got == service
        assert got.version == 2
        assert got.history == service.history

    def test_ids_are_case_sensitive(self, store: Store) -> None:
        add_services(
            store, [(make_service("s-1"), None), (make_service("S-1", customer_id="X"), None)]
        )
        with store.transaction() as uow:
            assert uow.services.get("s-1").customer_id == "C-1"
            assert uow.services.get("S-1").customer_id == "X"

    def test_add_of_a_taken_id_raises_already_exists_and_keeps_the_stored_one(
        self, store: Store
    ) -> None:
        original = make_service("S-1")
        add_services(store, [(original, date(2025, 5, 1))])
        with pytest.raises(AlreadyExists):
            add_services(store, [(make_service("S-1", customer_id="C-2"), None)])
        with store.transaction() as uow:
            assert uow.services.get("S-1") == original
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 1))) == [original]

    def test_add_of_an_id_taken_in_the_same_transaction_raises_already_exists(
        self, store: Store
    ) -> None:
        with pytest.raises(AlreadyExists):
            add_services(store, [(make_service("S-1"), None), (make_service("S-1"), None)])
        assert read(store, lambda uow: uow.services.count(ServiceQuery())) == 0

    def test_save_of_an_unknown_service_raises_not_found(self, store: Store) -> None:
        def save(uow: UnitOfWork) -> None:
            uow.services.save(make_service("S-1"), expected_version=0, due_on=None)

        with pytest.raises(NotFound):  # at the call, or at commit
            write(store, save)
        assert read(store, lambda uow: uow.services.count(ServiceQuery())) == 0

    def test_save_with_the_loaded_version_replaces_the_service_and_its_due_date(
        self, store: Store
    ) -> None:
        add_services(store, [(make_service("S-1"), date(2025, 5, 1))])
        with store.transaction() as uow:
            loaded = uow.services.get("S-1")
            new = changed(loaded)
            uow.services.save(new, expected_version=loaded.version, due_on=date(2025, 6, 1))
            assert uow.services.get("S-1") == new
            uow.commit()
        with store.transaction() as uow:
            assert uow.services.get("S-1") == new
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 31))) == []
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 6, 1))) == [new]
            again = changed(new, T0 + HOUR)
            uow.services.save(again, expected_version=1, due_on=None)
            uow.commit()
        with store.transaction() as uow:
            assert uow.services.get("S-1") == again
            assert uow.services.count(ServiceQuery(due_on_or_before=date(2099, 1, 1))) == 0

    @pytest.mark.parametrize("offset", [-1, 1, 5])
    def test_save_with_a_stale_version_raises_concurrency_conflict_and_writes_nothing(
        self, store: Store, offset: int
    ) -> None:
        first = changed(make_service("S-1"))
        add_services(store, [(first, date(2025, 5, 1))])
        stale = changed(first, T0 + HOUR)

        def save(uow: UnitOfWork) -> None:
            uow.services.save(stale, expected_version=first.version + offset, due_on=None)

        with pytest.raises(ConcurrencyConflict):
            write(store, save)
        with store.transaction() as uow:
            assert uow.services.get("S-1") == first
            assert uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 1))) == [first]

    def test_the_second_of_two_writers_who_loaded_one_version_conflicts(self, store: Store) -> None:
        add_services(store, [(make_service("S-1"), date(2025, 5, 1))])
        loaded = read(store, lambda uow: uow.services.get("S-1"))
        winner = changed(loaded, T0)
        loser = attrs.evolve(changed(loaded, T0 + HOUR), customer_id="C-LOSER")
        write(
            store,
            lambda uow: uow.services.save(winner, expected_version=loaded.version, due_on=None),
        )
        with pytest.raises(ConcurrencyConflict):
            write(
                store,
                lambda uow: uow.services.save(
                    loser, expected_version=loaded.version, due_on=date(2025, 4, 1)
                ),
            )
        with store.transaction() as uow:
            assert uow.services.get("S-1") == winner
            assert uow.services.count(ServiceQuery(due_on_or_before=date(2099, 1, 1))) == 0

    def test_two_saves_of_one_loaded_version_in_one_transaction_conflict(
        self, store: Store
    ) -> None:
        add_services(store, [(make_service("S-1"), None)])
        loaded = read(store, lambda uow: uow.services.get("S-1"))

        def twice(uow: UnitOfWork) -> None:
            uow.services.save(changed(loaded), expected_version=loaded.version, due_on=None)
            uow.services.save(changed(loaded), expected_version=loaded.version, due_on=None)

        with pytest.raises(ConcurrencyConflict):
            write(store, twice)
        assert read(store, lambda uow: uow.services.get("S-1")) == loaded

    def test_find_returns_every_service_ordered_by_id(self, store: Store) -> None:
        ids = list(TRICKY_IDS)
        shuffled = ids[1::2] + ids[::2]
        add_services(store, [(make_service(i), None) for i in shuffled])
        found = read(store, lambda uow: uow.services.find(ServiceQuery()))
        assert [service.id for service in found] == sorted(ids)
        assert found == [make_service(i) for i in sorted(ids)]

    @pytest.mark.parametrize("query", QUERIES, ids=[_query_id(q) for q in QUERIES])
    def test_find_returns_the_services_matching_every_filter(
        self, store: Store, query: ServiceQuery
    ) -> None:
        add_services(store, QUERY_ROWS)
        with store.transaction() as uow:
            assert uow.services.find(query) == expected_find(QUERY_ROWS, query)

    @pytest.mark.parametrize("query", QUERIES, ids=[_query_id(q) for q in QUERIES])
    def test_count_counts_what_find_returns_ignoring_limit(
        self, store: Store, query: ServiceQuery
    ) -> None:
        add_services(store, QUERY_ROWS)
        unlimited = attrs.evolve(query, limit=None)
        with store.transaction() as uow:
            assert uow.services.count(query) == len(expected_find(QUERY_ROWS, unlimited))

    @pytest.mark.parametrize("size", [1, 2, 3, 4])
    def test_paging_by_after_id_and_limit_visits_each_service_once_in_order(
        self, store: Store, size: int
    ) -> None:
        add_services(store, [(make_service(i), None) for i in TRICKY_IDS])
        pages: list[list[str]] = []
        with store.transaction() as uow:
            after: str | None = None
            for _ in range(len(TRICKY_IDS) + 2):  # bounded: a store that repeats a page fails
                page = uow.services.find(ServiceQuery(after_id=after, limit=size))
                if not page:
                    break
                pages.append([service.id for service in page])
                after = page[-1].id
        assert all(len(page) == size for page in pages[:-1])
        assert [i for page in pages for i in page] == sorted(TRICKY_IDS)

    def test_services_read_back_equal_to_what_was_written(self, store: Store) -> None:
        counter = itertools.count()

        @self.hypothesis_settings()
        @given(
            service=services(max_operations=4),
            due_on=st.none() | billing_dates(date(2000, 1, 1), date(2099, 12, 31)),
        )
        def round_trip(service: Service, due_on: date | None) -> None:
            service = attrs.evolve(service, id=f"{next(counter):05d}{service.id}")
            with store.transaction() as uow:
                uow.services.add(service, due_on=due_on)
                assert uow.services.get(service.id) == service
                uow.commit()
            with store.transaction() as uow:
                assert uow.services.get(service.id) == service
                query = ServiceQuery(
                    customer_id=service.customer_id,
                    product_code=service.product_code,
                    status=service.status.status,
                    after_id=service.id[:5],
                    limit=1,
                )
                assert uow.services.find(query) == [service]
                if due_on is not None:
                    on_time = ServiceQuery(due_on_or_before=due_on, after_id=service.id[:5])
                    early = attrs.evolve(on_time, due_on_or_before=due_on - timedelta(days=1))
                    assert uow.services.find(attrs.evolve(on_time, limit=1)) == [service]
                    assert service not in uow.services.find(attrs.evolve(early, limit=1))

        round_trip()


def _due_rows() -> list[tuple[Service, date | None]]:
    return [
        (make_service("S-3"), date(2025, 5, 1)),
        (make_service("S-1"), date(2025, 5, 2)),
        (make_service("S-2"), date(2025, 5, 1)),
        (make_service("S-4"), date(2025, 4, 1)),
        (make_service("S-5"), date(2025, 5, 3)),
        (make_service("S-6"), None),
        (make_service("S-0"), date(2025, 5, 20)),
    ]


def claim(
    uow: UnitOfWork,
    worker: str,
    now: datetime = T0,
    *,
    on: date = date(2025, 5, 3),
    lease: timedelta = HOUR,
    limit: int = 100,
) -> list[str]:
    """``uow.scheduler.claim_due`` with the suite's defaults."""
    return uow.scheduler.claim_due(on, worker=worker, now=now, lease=lease, limit=limit)


def claim_committed(store: Store, worker: str, now: datetime = T0, **options: Any) -> list[str]:
    """Claim in a transaction of its own and commit."""
    with store.transaction() as uow:
        claimed = claim(uow, worker, now, **options)
        uow.commit()
    return claimed


ALL_DUE = ["S-4", "S-2", "S-3", "S-1", "S-5"]


class SchedulerContract(StoreFixture):
    """Scheduler claims: what is due, in which order, leases, release, save releases."""

    def test_claim_due_returns_services_due_on_or_before_the_day_by_due_date_then_id(
        self, store: Store
    ) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A") == ALL_DUE
        assert claim_committed(store, "B", on=date(2099, 1, 1)) == ["S-0"]

    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            (date(2025, 3, 31), []),
            (date(2025, 4, 1), ["S-4"]),
            (date(2025, 5, 1), ["S-4", "S-2", "S-3"]),
            (date(2025, 5, 2), ["S-4", "S-2", "S-3", "S-1"]),
        ],
    )
    def test_claim_due_leaves_services_due_later_or_never(
        self, store: Store, on: date, expected: list[str]
    ) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", on=on) == expected

    def test_claim_due_claims_at_most_limit_and_the_next_claim_gets_the_rest(
        self, store: Store
    ) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", limit=2) == ["S-4", "S-2"]
        assert claim_committed(store, "B", limit=2) == ["S-3", "S-1"]
        assert claim_committed(store, "A", limit=2) == ["S-5"]
        assert claim_committed(store, "C", limit=2) == []

    def test_a_live_claim_is_not_claimed_again_by_anyone(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", lease=HOUR) == ALL_DUE
        just_before = (T0 + HOUR - timedelta(microseconds=1)).astimezone(TOKYO)
        assert claim_committed(store, "B", just_before) == []
        assert claim_committed(store, "A", just_before) == []
        with store.transaction() as uow:
            assert claim(uow, "B", T0) == []

    @pytest.mark.parametrize(
        "now",
        [T0 + HOUR, (T0 + HOUR).astimezone(ST_JOHNS), T0 + 30 * HOUR],
        ids=["at-lease-end", "at-lease-end-elsewhere", "later"],
    )
    def test_an_expired_claim_can_be_claimed_again(self, store: Store, now: datetime) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", lease=HOUR) == ALL_DUE
        assert claim_committed(store, "B", now) == ALL_DUE
        assert claim_committed(store, "A", now) == []

    def test_a_claim_in_another_zone_holds_until_the_same_instant(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", T0.astimezone(TOKYO), lease=2 * HOUR) == ALL_DUE
        assert claim_committed(store, "B", (T0 + HOUR).astimezone(NEW_YORK)) == []
        assert claim_committed(store, "B", T0 + 2 * HOUR) == ALL_DUE

    def test_release_drops_only_the_workers_own_claims(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", limit=2) == ["S-4", "S-2"]
        assert claim_committed(store, "B", limit=2) == ["S-3", "S-1"]
        with store.transaction() as uow:
            uow.scheduler.release(["S-4", "S-2", "S-3", "S-404"], worker="B")
            uow.commit()
        assert claim_committed(store, "C") == ["S-3", "S-5"]
        with store.transaction() as uow:
            uow.scheduler.release(["S-4", "S-1"], worker="A")
            uow.commit()
        assert claim_committed(store, "D") == ["S-4"]

    def test_release_leaves_a_claim_another_worker_took_over(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", lease=HOUR, limit=1) == ["S-4"]
        assert claim_committed(store, "B", T0 + 2 * HOUR, lease=HOUR, limit=1) == ["S-4"]
        write(store, lambda uow: uow.scheduler.release(["S-4"], worker="A"))
        assert claim_committed(store, "C", T0 + 2 * HOUR, limit=1) == ["S-2"]

    def test_saving_a_service_releases_its_claim(self, store: Store) -> None:
        add_services(store, _due_rows())
        assert claim_committed(store, "A", lease=1000 * HOUR) == ALL_DUE
        with store.transaction() as uow:
            loaded = uow.services.get("S-2")
            uow.services.save(
                changed(loaded), expected_version=loaded.version, due_on=date(2025, 5, 1)
            )
            uow.commit()
        assert claim_committed(store, "B") == ["S-2"]

    def test_claims_are_kept_by_commit_and_dropped_by_rollback(self, store: Store) -> None:
        add_services(store, _due_rows())
        with store.transaction() as uow:
            assert claim(uow, "A") == ALL_DUE
            assert claim(uow, "B") == []
        assert claim_committed(store, "B", limit=1) == ["S-4"]
        with store.transaction() as uow:
            uow.scheduler.release(["S-4"], worker="B")
        assert claim_committed(store, "C") == ["S-2", "S-3", "S-1", "S-5"]

    def test_claimed_services_stay_readable_and_unchanged(self, store: Store) -> None:
        add_services(store, _due_rows())
        claim_committed(store, "A")
        with store.transaction() as uow:
            assert uow.services.get("S-4") == make_service("S-4")
            due = uow.services.find(ServiceQuery(due_on_or_before=date(2025, 5, 3)))
            assert [s.id for s in due] == sorted(ALL_DUE)

    def test_two_workers_in_concurrent_transactions_never_get_one_service(
        self, store: Store
    ) -> None:
        add_services(store, _due_rows())
        with store.transaction() as uow:
            first = claim(uow, "A", limit=3)
            other = _Worker(lambda: claim_committed(store, "B", limit=3))
            other.wait(0.3)  # it runs now, waits on the first, or skips what it holds
            uow.commit()
        assert other.wait(self.wait_seconds), "the second worker never finished"
        second = other.value()
        assert first == ["S-4", "S-2", "S-3"]
        assert not set(first) & set(second)
        assert set(second) <= {"S-1", "S-5"}


def _revenue_lines() -> list[tuple[InvoiceLine, str, datetime]]:
    start = T0
    return [
        (make_line("W-1", amount="10.00"), "WEB", start),
        (make_line("W-1", amount="-3.33"), "WEB", start + HOUR),
        (make_line("W-2", amount="0.10"), "WEB", start + 2 * HOUR),
        (make_line("W-2", amount="0.10"), "WEB", start + 2 * HOUR),
        (make_line("W-2", amount="0.10"), "WEB", start + 2 * HOUR),
        (make_line("W-3", amount=Money("5.00", "EUR")), "WEB", start.astimezone(TOKYO)),
        (make_line("V-1", amount=Money("1000", "JPY")), "VPS", start + 5 * HOUR),
        (make_line("V-1", amount=Money("234", "JPY")), "VPS", start + 6 * HOUR),
        (make_line("V-2", amount=Money("0.001", "BHD")), "VPS", start),
        (make_line("V-2", amount=Money("0.002", "BHD")), "VPS", start),
        (make_line("B-1", amount=usd("123456789012345678.91")), "BIG", start),
        (make_line("B-1", amount=usd("0.01")), "BIG", start),
        (make_line("B-1", amount=usd("0.000001")), "BIG", start),
        (make_line("R-1", amount="10.00"), "REFUNDED", start),
        (make_line("R-1", amount="-10.00", kind=InvoiceLineKind.REFUND), "REFUNDED", start),
        # Outside [T0, T0 + 24h): before, at the end, and a wall clock that looks inside.
        (make_line("X-1", amount="99.00"), "WEB", start - timedelta(microseconds=1)),
        (make_line("X-1", amount="99.00"), "WEB", start + 24 * HOUR),
        (make_line("X-1", amount="99.00"), "OUT", (start - HOUR).astimezone(TOKYO)),
        # Inside, just before the end, written in another zone.
        (make_line("W-4", amount="0.01"), "WEB", (start + 24 * HOUR - timedelta(microseconds=1))),
        (make_line("W-4", amount="0.02"), "WEB", (start + 20 * HOUR).astimezone(ST_JOHNS)),
    ]


def _add_lines(store: Store, rows: Sequence[tuple[InvoiceLine, str, datetime]]) -> None:
    def add(uow: UnitOfWork) -> None:
        for line, product, at in rows:
            uow.invoice_lines.add([line], product_code=product, issued_at=at)

    write(store, add)


class InvoiceLineContract(StoreFixture):
    """Invoice lines: insertion order, by service and customer, revenue per product."""

    def test_lines_come_back_in_insertion_order_numbered_from_one(self, store: Store) -> None:
        first = [make_line("S-1", amount="10.00"), make_line("S-1", amount="-4.00")]
        second = [make_line("S-2", amount="1.00"), make_line("S-1", amount="2.00")]
        with store.transaction() as uow:
            uow.invoice_lines.add(first, product_code="WEB", issued_at=T0.astimezone(TOKYO))
            uow.invoice_lines.add([], product_code="WEB", issued_at=T0)
            uow.invoice_lines.add(second, product_code="VPS", issued_at=T0 + HOUR)
            uow.commit()
        with store.transaction() as uow:
            mine = uow.invoice_lines.for_customer("C-1")
        assert [item.sequence for item in mine] == [1, 2, 3, 4]
        assert [item.line for item in mine] == first + second
        assert [item.product_code for item in mine] == ["WEB", "WEB", "VPS", "VPS"]
        assert [item.issued_at for item in mine] == [T0, T0, T0 + HOUR, T0 + HOUR]
        assert all(item.issued_at.utcoffset() == timedelta(0) for item in mine)

    def test_sequences_keep_increasing_across_transactions(self, store: Store) -> None:
        _add_lines(store, [(make_line(amount="1.00"), "WEB", T0)])
        with store.transaction() as uow:
            uow.invoice_lines.add([make_line(amount="2.00")], product_code="WEB", issued_at=T0)
        _add_lines(store, [(make_line(amount="3.00"), "WEB", T0)] * 2)
        mine = read(store, lambda uow: uow.invoice_lines.for_service("S-1"))
        assert [item.line.amount for item in mine] == [usd("1.00"), usd("3.00"), usd("3.00")]
        sequences = [item.sequence for item in mine]
        assert sequences == sorted(set(sequences))
        assert sequences[0] == 1

    def test_for_service_and_for_customer_return_only_their_lines(self, store: Store) -> None:
        rows = [
            (make_line("S-1", "C-1", "1.00"), "WEB", T0),
            (make_line("S-2", "C-2", "2.00"), "WEB", T0),
            (make_line("S-1", "C-2", "3.00"), "WEB", T0 + HOUR),  # after a transfer
            (make_line("S-3", "C-1", "4.00"), "VPS", T0 + HOUR),
            (make_line("S-1", "C-1", "-1.00"), "WEB", T0 + 2 * HOUR),
        ]
        _add_lines(store, rows)
        with store.transaction() as uow:
            by_service = issued(uow.invoice_lines.for_service("S-1"))
            by_customer = issued(uow.invoice_lines.for_customer("C-2"))
            assert uow.invoice_lines.for_service("s-1") == []
            assert uow.invoice_lines.for_customer("C-404") == []
        assert by_service == [rows[0], rows[2], rows[4]]
        assert by_customer == [rows[1], rows[2]]

    def test_revenue_by_product_sums_each_product_and_currency_in_the_half_open_span(
        self, store: Store
    ) -> None:
        _add_lines(store, _revenue_lines())
        revenue = read(store, lambda uow: uow.invoice_lines.revenue_by_product(T0, T0 + 24 * HOUR))
        assert revenue == [
            ProductRevenue("BIG", usd("123456789012345678.920001"), 3),
            ProductRevenue("REFUNDED", usd("0.00"), 2),
            ProductRevenue("VPS", Money("0.003", "BHD"), 2),
            ProductRevenue("VPS", Money("1234", "JPY"), 2),
            ProductRevenue("WEB", Money("5.00", "EUR"), 1),
            ProductRevenue("WEB", usd("7.00"), 7),
        ]

    def test_revenue_compares_instants_whatever_their_zone(self, store: Store) -> None:
        _add_lines(store, _revenue_lines())
        start, end = T0.astimezone(ST_JOHNS), (T0 + 24 * HOUR).astimezone(TOKYO)
        assert read(store, lambda uow: uow.invoice_lines.revenue_by_product(start, end)) == read(
            store, lambda uow: uow.invoice_lines.revenue_by_product(T0, T0 + 24 * HOUR)
        )

    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            (
                T0 - HOUR,
                T0,
                [ProductRevenue("OUT", usd("99.00"), 1), ProductRevenue("WEB", usd("99.00"), 1)],
            ),
            (T0 - 2 * HOUR, T0 - HOUR, []),
            (T0 + 24 * HOUR, T0 + 25 * HOUR, [ProductRevenue("WEB", usd("99.00"), 1)]),
            (T0 + 5 * HOUR, T0 + 6 * HOUR, [ProductRevenue("VPS", Money("1000", "JPY"), 1)]),
            (T0 + 100 * HOUR, T0 + 200 * HOUR, []),
        ],
        ids=["hour-before", "nothing-before", "at-the-end", "one-line", "nothing-after"],
    )
    def test_revenue_leaves_out_products_without_lines_in_the_span(
        self,
        store: Store,
        start: datetime,
        end: datetime,
        expected: list[ProductRevenue],
    ) -> None:
        _add_lines(store, _revenue_lines())
        with store.transaction() as uow:
            assert uow.invoice_lines.revenue_by_product(start, end) == expected

    def test_lines_are_rolled_back_with_their_transaction(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.invoice_lines.add([make_line()], product_code="WEB", issued_at=T0)
            assert len(uow.invoice_lines.for_service("S-1")) == 1
        with store.transaction() as uow:
            assert uow.invoice_lines.for_service("S-1") == []
            assert uow.invoice_lines.revenue_by_product(T0, T0 + HOUR) == []

    def test_lines_read_back_equal_to_what_was_written(self, store: Store) -> None:
        @self.hypothesis_settings()
        @given(
            lines=st.lists(_lines(), min_size=1, max_size=4),
            product=_CODE,
            at=_INSTANTS,
        )
        def round_trip(lines: list[InvoiceLine], product: str, at: datetime) -> None:
            with store.transaction() as uow:
                uow.invoice_lines.add(lines, product_code=product, issued_at=at)
                uow.commit()
            with store.transaction() as uow:
                for service_id in {line.service_id for line in lines}:
                    mine = issued(uow.invoice_lines.for_service(service_id))
                    tail = [(line, product, at) for line in lines if line.service_id == service_id]
                    assert mine[-len(tail) :] == tail
                span = uow.invoice_lines.revenue_by_product(at, at + timedelta(microseconds=1))
                assert {(r.product_code, r.amount.currency) for r in span} >= {
                    (product, line.amount.currency) for line in lines
                }

        round_trip()


class EventOutboxContract(StoreFixture):
    """The outbox: insertion order, unpublished, mark_published, events read back equal."""

    def test_events_are_stored_unpublished_in_insertion_order_numbered_from_one(
        self, store: Store
    ) -> None:
        events = [
            make_event("S-1", EventKind.SUSPENDED, T0.astimezone(TOKYO)),
            make_event("S-2", EventKind.ACTIVATED, T0 - HOUR),
            make_event("S-1", EventKind.UNSUSPENDED, T0 + HOUR),
        ]
        with store.transaction() as uow:
            uow.events.add(events[:2])
            uow.events.add([])
            uow.events.add(events[2:])
            uow.commit()
        waiting = read(store, lambda uow: uow.events.unpublished())
        assert waiting == [StoredEvent(i, e) for i, e in enumerate(events, start=1)]
        assert all(not item.published for item in waiting)

    def test_unpublished_returns_at_most_limit(self, store: Store) -> None:
        events = [make_event(f"S-{i}") for i in range(5)]
        write(store, lambda uow: uow.events.add(events))
        with store.transaction() as uow:
            assert [item.event for item in uow.events.unpublished(2)] == events[:2]
            assert [item.event for item in uow.events.unpublished(10)] == events
            assert uow.events.unpublished(0) == []

    def test_mark_published_takes_events_out_of_unpublished(self, store: Store) -> None:
        events = [make_event("S-1", at=T0 + i * HOUR) for i in range(4)]
        write(store, lambda uow: uow.events.add(events))
        waiting = read(store, lambda uow: uow.events.unpublished())
        write(
            store, lambda uow: uow.events.mark_published([waiting[2].sequence, waiting[0].sequence])
        )
        with store.transaction() as uow:
            assert uow.events.unpublished() == [waiting[1], waiting[3]]
            assert uow.events.for_service("S-1") == [
                attrs.evolve(waiting[0], published=True),
                waiting[1],
                attrs.evolve(waiting[2], published=True),
                waiting[3],
            ]
            uow.events.mark_published([waiting[0].sequence, waiting[3].sequence])
            uow.commit()
        assert read(store, lambda uow: uow.events.unpublished()) == [waiting[1]]

    def test_mark_published_ignores_unknown_sequences(self, store: Store) -> None:
        write(store, lambda uow: uow.events.add([make_event()]))
        before = read(store, lambda uow: uow.events.unpublished())
        write(store, lambda uow: uow.events.mark_published([0, -1, before[0].sequence + 1000]))
        assert read(store, lambda uow: uow.events.unpublished()) == before

    def test_marking_is_rolled_back_with_its_transaction(self, store: Store) -> None:
        write(store, lambda uow: uow.events.add([make_event(), make_event("S-2")]))
        before = read(store, lambda uow: uow.events.unpublished())
        with store.transaction() as uow:
            uow.events.mark_published([item.sequence for item in before])
            assert uow.events.unpublished() == []
        assert read(store, lambda uow: uow.events.unpublished()) == before

    def test_events_added_later_come_after_published_ones(self, store: Store) -> None:
        write(store, lambda uow: uow.events.add([make_event()]))
        first = read(store, lambda uow: uow.events.unpublished())
        write(store, lambda uow: uow.events.mark_published([first[0].sequence]))
        with store.transaction() as uow:
            uow.events.add([make_event(kind=EventKind.RENEWED)])
            uow.commit()
        with store.transaction() as uow:
            waiting = uow.events.unpublished()
            assert [item.event.kind for item in waiting] == [EventKind.RENEWED]
            assert waiting[0].sequence > first[0].sequence
            history = uow.events.for_service("S-1")
            assert [(e.event.kind, e.published) for e in history] == [
                (EventKind.SUSPENDED, True),
                (EventKind.RENEWED, False),
            ]

    def test_for_service_returns_only_its_events_in_insertion_order(self, store: Store) -> None:
        events = [make_event("S-1"), make_event("S-2"), make_event("S-1", EventKind.RENEWED)]
        write(store, lambda uow: uow.events.add(events))
        with store.transaction() as uow:
            assert [e.event for e in uow.events.for_service("S-1")] == [events[0], events[2]]
            assert uow.events.for_service("S-404") == []

    def test_events_are_rolled_back_with_their_transaction(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.events.add([make_event()])
        assert read(store, lambda uow: uow.events.unpublished()) == []

    def test_events_read_back_equal_to_what_was_written(self, store: Store) -> None:
        @self.hypothesis_settings()
        @given(events=st.lists(_EVENTS, min_size=1, max_size=4))
        def round_trip(events: list[Event]) -> None:
            with store.transaction() as uow:
                uow.events.add(events)
                uow.commit()
            with store.transaction() as uow:
                waiting = uow.events.unpublished()
                assert [item.event for item in waiting] == events
                for event in events:
                    assert event in [
                        item.event for item in uow.events.for_service(event.service_id)
                    ]
                uow.events.mark_published([item.sequence for item in waiting])
                uow.commit()

        round_trip()


class PromotionRepositoryContract(StoreFixture):
    """Promotions: codes ignoring case, ordering, values, and uses per customer and order."""

    def test_promotions_read_back_equal_whatever_the_case_of_the_code(self, store: Store) -> None:
        write(store, lambda uow: each(uow.promotions.add, PROMOTIONS))
        with store.transaction() as uow:
            for promotion in PROMOTIONS:
                assert uow.promotions.get(promotion.code) == promotion
                assert uow.promotions.get(promotion.code.lower()) == promotion
                assert uow.promotions.get(promotion.code.upper()) == promotion
            assert uow.promotions.get("summer25") == PROMOTIONS[0]
            assert uow.promotions.get("fIxEd5") == PROMOTIONS[1]

    def test_codes_compare_ignoring_case_beyond_ascii(self, store: Store) -> None:
        summer = Promotion("Été-2025", PromotionKind.FREE_SETUP, None)
        write(store, lambda uow: uow.promotions.add(summer))
        with store.transaction() as uow:
            assert uow.promotions.get("ÉTÉ-2025") == summer
            assert uow.promotions.get("été-2025") == summer
            uow.promotions.record_use("ÉTÉ-2025", "C-1", "O-1")
            assert uow.promotions.uses("été-2025") == 1
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.promotions.add(attrs.evolve(summer, code="ÉTÉ-2025")))

    def test_get_of_an_unknown_code_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.promotions.get("SUMMER25")
        write(store, lambda uow: uow.promotions.add(PROMOTIONS[0]))
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.promotions.get("SUMMER2")

    @pytest.mark.parametrize("code", ["SUMMER25", "summer25", "Summer25"])
    def test_add_of_a_code_taken_in_any_case_raises_already_exists(
        self, store: Store, code: str
    ) -> None:
        write(store, lambda uow: uow.promotions.add(PROMOTIONS[0]))
        other = Promotion(code, PromotionKind.FREE_SETUP, None)
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.promotions.add(other))
        with store.transaction() as uow:
            assert uow.promotions.all() == [PROMOTIONS[0]]

    def test_all_returns_every_promotion_ordered_by_code(self, store: Store) -> None:
        write(store, lambda uow: each(uow.promotions.add, reversed(PROMOTIONS)))
        got = read(store, lambda uow: uow.promotions.all())
        assert got == sorted(PROMOTIONS, key=lambda promotion: promotion.code)

    def test_record_use_of_an_unknown_code_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.promotions.record_use("NOPE", "C-1", "O-1")

    def test_uses_count_every_use_or_one_customers(self, store: Store) -> None:
        def use(uow: UnitOfWork) -> None:
            for promotion in PROMOTIONS:
                uow.promotions.add(promotion)
            uow.promotions.record_use("SUMMER25", "C-1", "O-1")
            uow.promotions.record_use("summer25", "C-1", "O-2")
            uow.promotions.record_use("Summer25", "C-2", "O-3")
            uow.promotions.record_use("FIXED5", "C-1", "O-1")

        write(store, use)
        with store.transaction() as uow:
            assert uow.promotions.uses("SUMMER25") == 3
            assert uow.promotions.uses("summer25", "C-1") == 2
            assert uow.promotions.uses("SUMMER25", "C-2") == 1
            assert uow.promotions.uses("SUMMER25", "C-3") == 0
            assert uow.promotions.uses("Fixed5") == 1
            assert uow.promotions.uses("OVERRIDE") == 0

    @pytest.mark.parametrize("code", ["SUMMER25", "summer25"])
    def test_a_second_use_on_one_order_raises_already_exists(self, store: Store, code: str) -> None:
        def first(uow: UnitOfWork) -> None:
            uow.promotions.add(PROMOTIONS[0])
            uow.promotions.record_use("SUMMER25", "C-1", "O-1")

        write(store, first)
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.promotions.record_use(code, "C-2", "O-1"))
        with store.transaction() as uow:
            assert uow.promotions.uses("SUMMER25") == 1
            assert uow.promotions.uses("SUMMER25", "C-2") == 0

    def test_uses_are_rolled_back_with_their_transaction(self, store: Store) -> None:
        write(store, lambda uow: uow.promotions.add(PROMOTIONS[0]))
        with store.transaction() as uow:
            uow.promotions.record_use("SUMMER25", "C-1", "O-1")
            assert uow.promotions.uses("SUMMER25") == 1
        assert read(store, lambda uow: uow.promotions.uses("SUMMER25")) == 0
        write(store, lambda uow: uow.promotions.record_use("SUMMER25", "C-1", "O-1"))
        assert read(store, lambda uow: uow.promotions.uses("SUMMER25", "C-1")) == 1


class PricePlanRepositoryContract(StoreFixture):
    """Price plans: by code, not found, uniqueness, replace, ordering, values."""

    def test_a_plan_reads_back_equal(self, store: Store) -> None:
        write(store, lambda uow: uow.price_plans.add(PLAN))
        assert read(store, lambda uow: uow.price_plans.get("STD")) == PLAN

    def test_get_of_an_unknown_code_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.price_plans.get("STD")
        write(store, lambda uow: uow.price_plans.add(PLAN))
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.price_plans.get("ST")

    def test_add_of_a_taken_code_raises_already_exists(self, store: Store) -> None:
        write(store, lambda uow: uow.price_plans.add(PLAN))
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.price_plans.add(attrs.evolve(PLAN, name="Other")))
        assert read(store, lambda uow: uow.price_plans.all()) == [PLAN]

    def test_replace_replaces_the_plan_with_the_same_code(self, store: Store) -> None:
        write(store, lambda uow: uow.price_plans.add(PLAN))
        new = attrs.evolve(PLAN, name="Renamed", rates=PLAN.rates[:1], validity=Validity())
        write(store, lambda uow: uow.price_plans.replace(new))
        assert read(store, lambda uow: uow.price_plans.all()) == [new]

    def test_replace_of_an_unknown_code_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            write(store, lambda uow: uow.price_plans.replace(PLAN))
        assert read(store, lambda uow: uow.price_plans.all()) == []

    def test_all_returns_every_plan_ordered_by_code(self, store: Store) -> None:
        codes = ["STD", "B", "a", "Z-2", "Z-10", "é"]
        write(
            store,
            lambda uow: each(uow.price_plans.add, [attrs.evolve(PLAN, code=c) for c in codes]),
        )
        got = read(store, lambda uow: uow.price_plans.all())
        assert [plan.code for plan in got] == sorted(codes)


class OrderRepositoryContract(StoreFixture):
    """Orders: by id, not found, uniqueness, replace, a customer's orders in order."""

    def test_an_order_reads_back_equal(self, store: Store) -> None:
        order = make_order(placed_at=T0.astimezone(NEW_YORK))
        write(store, lambda uow: uow.orders.add(order))
        assert read(store, lambda uow: uow.orders.get("O-1")) == order

    def test_get_of_an_unknown_id_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.orders.get("O-1")
        write(store, lambda uow: uow.orders.add(make_order()))
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.orders.get("o-1")

    def test_add_of_a_taken_id_raises_already_exists(self, store: Store) -> None:
        write(store, lambda uow: uow.orders.add(make_order()))
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.orders.add(make_order(customer_id="C-2")))
        assert read(store, lambda uow: uow.orders.get("O-1")) == make_order()

    def test_replace_replaces_the_order_with_the_same_id(self, store: Store) -> None:
        write(store, lambda uow: uow.orders.add(make_order()))
        new = make_order(status=OrderStatus.FRAUD)
        write(store, lambda uow: uow.orders.replace(new))
        assert read(store, lambda uow: uow.orders.get("O-1")) == new

    def test_replace_of_an_unknown_id_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            write(store, lambda uow: uow.orders.replace(make_order()))
        assert read(store, lambda uow: uow.orders.for_customer("C-1")) == []

    def test_for_customer_orders_by_placed_at_then_id(self, store: Store) -> None:
        orders = [
            make_order("O-3", placed_at=T0 + HOUR),
            make_order("O-10", placed_at=(T0 + HOUR).astimezone(TOKYO)),
            make_order("O-2", placed_at=(T0 + 2 * HOUR).astimezone(NEW_YORK)),
            make_order("O-1", placed_at=T0 + 3 * HOUR),
            make_order("O-0", placed_at=T0.astimezone(ST_JOHNS)),
            make_order("O-9", customer_id="C-2", placed_at=T0),
        ]
        write(store, lambda uow: each(uow.orders.add, orders))
        with store.transaction() as uow:
            mine = uow.orders.for_customer("C-1")
            assert [order.id for order in mine] == ["O-0", "O-10", "O-3", "O-2", "O-1"]
            assert uow.orders.for_customer("C-2") == [orders[5]]
            assert uow.orders.for_customer("C-404") == []
        assert sorted(mine, key=lambda o: o.id) == sorted(orders[:5], key=lambda o: o.id)


class CatalogRepositoryContract(StoreFixture):
    """Catalog versions: none is not found, names are unique, versions read back equal."""

    def test_versions_of_an_empty_store_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.catalog.versions()

    def test_versions_returns_every_version_by_effective_date(self, store: Store) -> None:
        later = CatalogVersion("2026", date(2026, 1, 1), Catalog(), date(2026, 7, 1))
        first = make_version("2025", date(2025, 1, 1))
        middle = make_version("2025b", date(2025, 7, 1))
        write(store, lambda uow: each(uow.catalog.add_version, (later, first, middle)))
        with store.transaction() as uow:
            versions = uow.catalog.versions()
        assert isinstance(versions, CatalogVersions)
        assert versions == CatalogVersions((first, middle, later))
        assert [v.name for v in versions.versions] == ["2025", "2025b", "2026"]

    def test_add_version_of_a_taken_name_raises_already_exists(self, store: Store) -> None:
        write(store, lambda uow: uow.catalog.add_version(make_version("2025")))
        with pytest.raises(AlreadyExists):
            write(
                store, lambda uow: uow.catalog.add_version(make_version("2025", date(2030, 1, 1)))
            )
        assert read(store, lambda uow: uow.catalog.versions()) == CatalogVersions((make_version(),))

    def test_versions_are_rolled_back_with_their_transaction(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.catalog.add_version(make_version())
            assert uow.catalog.versions() == CatalogVersions((make_version(),))
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.catalog.versions()

    def test_catalog_versions_read_back_equal_to_what_was_written(self, store: Store) -> None:
        counter = itertools.count()

        # Text is any Unicode but NUL, as in services(): PostgreSQL cannot store NUL.
        storable = catalogs(max_types=3, max_products=5).filter(
            lambda catalog: "\\u0000" not in json.dumps(catalog_to_data(catalog), default=str)
        )

        @settings(self.hypothesis_settings(), max_examples=max(1, self.examples // 4))
        @given(catalog=storable, moves=st.booleans())
        def round_trip(catalog: Catalog, moves: bool) -> None:
            n = next(counter)
            effective = date(2000, 1, 1) + timedelta(days=n)
            version = CatalogVersion(
                f"v{n}", effective, catalog, effective + timedelta(days=30) if moves else None
            )
            write(store, lambda uow: uow.catalog.add_version(version))
            with store.transaction() as uow:
                by_name = {v.name: v for v in uow.catalog.versions().versions}
            assert by_name[version.name] == version

        round_trip()


class StoreContract(
    TransactionContract,
    ServiceRepositoryContract,
    SchedulerContract,
    InvoiceLineContract,
    EventOutboxContract,
    PromotionRepositoryContract,
    PricePlanRepositoryContract,
    OrderRepositoryContract,
    CatalogRepositoryContract,
):
    """Every contract of :mod:`prodlife.ports`: subclass it and override the ``store`` fixture."""
