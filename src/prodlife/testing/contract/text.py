"""The contract of text: every store keeps the same text, and refuses the same text alike.

The rule (:func:`prodlife.ports.check_text`): text with a NUL character or a
lone surrogate is refused with :class:`~prodlife.errors.ValidationError`,
whether it is looked up (an id, a code, a customer) or kept (anywhere in what
is stored: an id, a reason, a description), and nothing is kept then. Any
other character of any Unicode plane is kept and read back equal, text of any
length inside what is stored too; ids and codes are at most
:data:`~prodlife.stores._common.MAX_KEY_LENGTH` characters long (a longer one
is refused when stored, and found nowhere when looked up).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date

import pytest

from prodlife.errors import NotFound, ValidationError
from prodlife.lifecycle import SuspensionKind, suspend
from prodlife.ports import ServiceQuery, Store, UnitOfWork
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion, PromotionKind
from prodlife.testing.contract._support import StoreFixture, add_services, read, snapshot
from prodlife.testing.contract._values import (
    STAFF,
    T0,
    make_event,
    make_line,
    make_order,
    make_service,
)

#: Text no store keeps.
ODD = {"nul": "C-\x00", "lone-high-surrogate": "C-\ud800", "lone-low-surrogate": "C-\udc00"}

#: A character of every Unicode plane that has any: the BMP (Latin, CJK, the private use
#: area), plane 1 (emoji), planes 2 and 3 (CJK extensions), plane 14 (tags) and the private
#: use planes 15 and 16.
EVERY_PLANE = (
    "é",
    "中",
    "\ue000",
    "\U0001f600",
    "\U00020000",
    "\U00030000",
    "\U000e0001",
    "\U000f0000",
    "\U0010fffd",
)

#: The longest id or code stores keep.
LONGEST_KEY = 255


def _lookups(text: str) -> dict[str, Callable[[UnitOfWork], object]]:
    return {
        "services.get": lambda uow: uow.services.get(text),
        "services.get_many": lambda uow: uow.services.get_many(["S-1", text]),
        "orders.get": lambda uow: uow.orders.get(text),
        "orders.for_customer": lambda uow: uow.orders.for_customer(text),
        "price_plans.get": lambda uow: uow.price_plans.get(text),
        "promotions.get": lambda uow: uow.promotions.get(text),
        "promotions.uses": lambda uow: uow.promotions.uses("SUMMER25", text),
        "invoice_lines.for_service": lambda uow: uow.invoice_lines.for_service(text),
        "invoice_lines.for_customer": lambda uow: uow.invoice_lines.for_customer(text),
        "events.for_service": lambda uow: uow.events.for_service(text),
        "scheduler.release": lambda uow: uow.scheduler.release([text], worker="A"),
    }


def _writes(text: str) -> dict[str, Callable[[UnitOfWork], object]]:
    reason = suspend(
        make_service("S-1"), STAFF, T0, SuspensionKind.BY_ADMINISTRATOR, reason=f"odd {text}"
    ).service
    return {
        "service id": lambda uow: uow.services.add(make_service(text), due_on=None),
        "customer id": lambda uow: uow.services.add(make_service(customer_id=text), due_on=None),
        "reason": lambda uow: uow.services.add(reason, due_on=None),
        "order id": lambda uow: uow.orders.add(make_order(text)),
        "line description": lambda uow: uow.invoice_lines.add(
            [make_line(description=text)], product_code="WEB", issued_at=T0
        ),
        "event customer": lambda uow: uow.events.add([make_event(customer_id=text)]),
        "plan name": lambda uow: uow.price_plans.add(PricePlan("P", text, "USD", ())),
        "promotion code": lambda uow: uow.promotions.add(
            Promotion(text, PromotionKind.FREE_SETUP, None)
        ),
    }


def _refused(action: Callable[[UnitOfWork], object], uow: UnitOfWork, match: str = "") -> bool:
    """Whether ``action`` raises ``ValidationError`` (with ``match`` in its message)."""
    try:
        action(uow)
    except ValidationError as error:
        return match in str(error)
    return False


def _kept(
    store: Store,
    writes: Mapping[str, Callable[[UnitOfWork], object]],
    match: str = "",
    skip: Collection[str] = (),
) -> list[str]:
    """The names of the ``writes`` (but those in ``skip``) that the store did not refuse, as
    :func:`_refused` says; each is tried in a transaction of its own, committed."""
    kept = []
    for name, write in writes.items():
        if name in skip:
            continue
        with store.transaction() as uow:
            if not _refused(write, uow, match):
                kept.append(name)
            uow.commit()
    return kept


class TextContract(StoreFixture):
    """Odd text in ids, filters and reasons: the same answer, or the same error, everywhere."""

    @pytest.mark.parametrize("text", ODD.values(), ids=ODD.keys())
    def test_a_lookup_of_text_no_store_keeps_is_refused_and_the_transaction_goes_on(
        self, store: Store, text: str
    ) -> None:
        add_services(store, [(make_service("S-1"), None)])
        with store.transaction() as uow:
            lookups = _lookups(text).items()
            assert [name for name, lookup in lookups if not _refused(lookup, uow)] == []
            assert uow.services.count(ServiceQuery()) == 1

    @pytest.mark.parametrize("text", ODD.values(), ids=ODD.keys())
    def test_text_no_store_keeps_is_refused_where_it_is_stored_and_nothing_is_kept(
        self, store: Store, text: str
    ) -> None:
        before = read(store, snapshot)
        assert _kept(store, _writes(text)) == []
        assert read(store, snapshot) == before

    def test_text_from_every_plane_and_long_text_is_kept_and_read_back_equal(
        self, store: Store
    ) -> None:
        customer = "C-" + "".join(EVERY_PLANE)
        services = [make_service(f"S-{char}", customer_id=customer) for char in EVERY_PLANE]
        long_reason = "".join(EVERY_PLANE) * 20_000
        suspended = suspend(
            make_service("S-long"), STAFF, T0, SuspensionKind.BY_ADMINISTRATOR, reason=long_reason
        ).service
        add_services(store, [(service, None) for service in [*services, suspended]])
        ids = sorted(service.id for service in services)
        with store.transaction() as uow:
            assert uow.services.get_many(ids) == sorted(services, key=lambda s: s.id)
            assert uow.services.get("S-long") == suspended.at_rest()
            assert uow.services.history("S-long") == suspended.history
            found = uow.services.find(ServiceQuery(customer_id=customer))
            assert [service.id for service in found] == ids  # by code point
            after = uow.services.find(ServiceQuery(after_id=ids[3], customer_id=customer))
            assert [service.id for service in after] == ids[4:]

    def test_a_lookup_of_long_text_finds_nothing(self, store: Store) -> None:
        add_services(store, [(make_service("S-1"), date(2025, 5, 1))])
        long = "S-" + "\U0001f600" * 50_000
        with store.transaction() as uow:
            with pytest.raises(NotFound):
                uow.services.get(long)
            assert uow.services.find(ServiceQuery(customer_id=long)) == []
            assert uow.services.count(ServiceQuery(after_id=long)) == 0
            assert uow.orders.for_customer(long) == []

    def test_ids_and_codes_are_kept_up_to_the_longest_key_and_refused_beyond(
        self, store: Store
    ) -> None:
        longest = "\U0001f600" * LONGEST_KEY  # four bytes each in UTF-8
        with store.transaction() as uow:
            uow.services.add(make_service(longest, customer_id=longest), due_on=None)
            uow.orders.add(make_order(longest, customer_id=longest))
            uow.commit()
        assert read(store, lambda uow: uow.services.get(longest).customer_id) == longest
        before = read(store, snapshot)
        # text inside a document may be of any length
        assert (
            _kept(
                store,
                _writes("x" * (LONGEST_KEY + 1)),
                "characters long",
                skip={"reason", "line description", "plan name"},
            )
            == []
        )
        assert read(store, snapshot) == before
