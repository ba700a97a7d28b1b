"""The contract of the payment repository: once per reference, by customer in order."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from hypothesis import strategies as st

from prodlife.billing.payments import Allocation, Payment, PaymentKind
from prodlife.errors import AlreadyExists, NotFound, StoreError
from prodlife.money import Money, total
from prodlife.ports import Store, UnitOfWork
from prodlife.testing.contract._support import StoreFixture, check_unknown_keys, each, read, write
from prodlife.testing.contract._values import (
    _CODE,
    _INSTANTS,
    _TEXT,
    HOUR,
    NEW_YORK,
    ST_JOHNS,
    T0,
    TOKYO,
    make_payment,
)
from prodlife.testing.contract.text import EVERY_PLANE, LONGEST_KEY, ODD, _kept, _refused
from prodlife.testing.strategies import currencies, money

_REFERENCES = _CODE.filter(lambda text: "\n" not in text)


@st.composite
def payments(draw: st.DrawFn) -> Payment:
    """Payments and refunds: on invoices, to credit, both; amounts with many digits."""
    currency = draw(currencies()).code
    rounded = st.booleans().flatmap(lambda whole: money(currency, min_minor_units=1, rounded=whole))
    settled = draw(st.lists(st.builds(Allocation, _CODE, rounded), max_size=3))
    to_credit = draw(st.none() | rounded if settled else rounded)
    parts = [a.amount for a in settled] + ([] if to_credit is None else [to_credit])
    return Payment(
        draw(_REFERENCES),
        draw(_CODE),
        total(parts, currency),
        draw(_TEXT),
        draw(_INSTANTS),
        draw(st.sampled_from(PaymentKind)),
        settled,
        to_credit,
        draw(_TEXT),
    )


def _writes(text: str) -> dict[str, Callable[[UnitOfWork], object]]:
    """Every way to write ``text`` through the payment repository (reference ``PAY-1``
    unless it is the reference)."""
    return {
        "reference": lambda uow: uow.payments.add(make_payment(text)),
        "customer": lambda uow: uow.payments.add(make_payment("PAY-1", text)),
        "invoice": lambda uow: uow.payments.add(make_payment(settled=((text, "1.00"),))),
        "method": lambda uow: uow.payments.add(attrs.evolve(make_payment(), method=text)),
        "recorded by": lambda uow: uow.payments.add(attrs.evolve(make_payment(), recorded_by=text)),
    }


class PaymentRepositoryContract(StoreFixture):
    """Payments and refunds: read back equal, once per reference, a customer's in order."""

    def test_a_payment_and_a_refund_read_back_equal(self, store: Store) -> None:
        payment = make_payment(received_at=T0.astimezone(TOKYO))
        refund = make_payment("RF-1", settled=(), to_credit="2.50", kind=PaymentKind.REFUND)
        with store.transaction() as uow:
            each(uow.payments.add, [payment, refund])
            assert uow.payments.get("PAY-1") == payment
            uow.commit()
        with store.transaction() as uow:
            assert [uow.payments.get("PAY-1"), uow.payments.get("RF-1")] == [payment, refund]
            got = uow.payments.get("PAY-1")
        assert got.allocations == (Allocation("INV-1", Money("10.00", "USD")),)
        assert (got.amount, got.credited, got.received_at) == (
            Money("12.50", "USD"),
            Money("2.50", "USD"),
            T0,
        )

    def test_payments_read_back_equal_to_what_was_written(self, store: Store) -> None:
        def check(uow: UnitOfWork, payment: Payment) -> None:
            assert uow.payments.get(payment.reference) == payment
            assert payment in uow.payments.for_customer(payment.customer_id)

        self.check_round_trips(
            store, payments(), "reference", lambda uow, payment: uow.payments.add(payment), check
        )

    def test_get_of_an_unknown_reference_raises_not_found(self, store: Store) -> None:
        unknown = ("PAY-2", "pay-1", "PAY-1 ", "")
        check_unknown_keys(store, lambda uow: uow.payments, make_payment(), "PAY-1", unknown)

    def test_add_of_a_taken_reference_raises_already_exists_and_changes_nothing(
        self, store: Store
    ) -> None:
        write(store, lambda uow: uow.payments.add(make_payment()))
        again = make_payment("PAY-1", "C-2", T0 + HOUR, settled=(), kind=PaymentKind.REFUND)
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: uow.payments.add(again))
        with pytest.raises(AlreadyExists):
            write(store, lambda uow: each(uow.payments.add, [make_payment("PAY-2")] * 2))
        with store.transaction() as uow:
            assert uow.payments.get("PAY-1") == make_payment()
            assert uow.payments.for_customer("C-1") == [make_payment()]
            assert uow.payments.for_customer("C-2") == []

    def test_for_customer_orders_by_received_at_then_reference(self, store: Store) -> None:
        rows = [
            make_payment("PAY-3", received_at=T0 + HOUR),
            make_payment("PAY-10", received_at=(T0 + HOUR).astimezone(TOKYO)),
            make_payment("pay-2", received_at=(T0 + 2 * HOUR).astimezone(NEW_YORK)),
            make_payment("PAY-1", received_at=T0 + 3 * HOUR, kind=PaymentKind.REFUND),
            make_payment("PAY-0", received_at=T0.astimezone(ST_JOHNS)),
            make_payment("PAY-9", "C-2", T0),
            make_payment("PAY-8", "c-1", T0),
        ]
        write(store, lambda uow: each(uow.payments.add, rows))
        with store.transaction() as uow:
            mine = uow.payments.for_customer("C-1")
            assert [p.reference for p in mine] == ["PAY-0", "PAY-10", "PAY-3", "pay-2", "PAY-1"]
            assert uow.payments.for_customer("C-2") == [rows[5]]
            assert uow.payments.for_customer("C-404") == []
        assert sorted(mine, key=lambda p: p.reference) == sorted(
            rows[:5], key=lambda p: p.reference
        )

    def test_a_payment_is_rolled_back_with_its_transaction(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.payments.add(make_payment())
            assert uow.payments.for_customer("C-1") == [make_payment()]
        with store.transaction() as uow:
            assert uow.payments.for_customer("C-1") == []
            uow.payments.add(make_payment())  # the reference is free again
            uow.commit()

    def test_a_read_only_transaction_refuses_a_payment(self, store: Store) -> None:
        with store.transaction(readonly=True) as uow, pytest.raises(StoreError):
            uow.payments.add(make_payment())
        assert read(store, lambda uow: uow.payments.for_customer("C-1")) == []

    # --- what a store keeps -------------------------------------------------------------

    @pytest.mark.parametrize("text", ODD.values(), ids=ODD.keys())
    def test_text_no_store_keeps_is_refused_and_nothing_is_kept(
        self, store: Store, text: str
    ) -> None:
        kept = _kept(store, _writes(text))
        with store.transaction() as uow:
            assert _refused(lambda u: u.payments.get(text), uow)
            assert _refused(lambda u: u.payments.for_customer(text), uow)
            assert uow.payments.for_customer("C-1") == []
            uow.payments.add(make_payment())  # PAY-1 was not kept
        assert kept == []

    def test_keys_are_kept_up_to_the_longest_and_refused_beyond(self, store: Store) -> None:
        longest = "\U0001f600" * LONGEST_KEY
        planes = "".join(EVERY_PLANE)
        payment = make_payment(f"PAY-{planes}", longest, settled=((longest, "1.00"),))
        write(store, lambda uow: uow.payments.add(payment))
        # a reference is at most 200 characters; other text any length
        assert (
            _kept(
                store,
                _writes("x" * (LONGEST_KEY + 1)),
                "characters long",
                skip={"reference", "method", "recorded by"},
            )
            == []
        )
        with store.transaction() as uow:
            assert uow.payments.get(f"PAY-{planes}") == payment
            assert uow.payments.for_customer(longest) == [payment]
            assert uow.payments.for_customer(longest + "x") == []
            with pytest.raises(NotFound):
                uow.payments.get("PAY-" + "x" * 50_000)
