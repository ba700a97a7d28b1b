"""The contract of credit balances: per customer and currency, set by compare-and-set."""

from __future__ import annotations

import pytest

from prodlife.errors import ConcurrencyConflict, StoreError, ValidationError
from prodlife.money import Money
from prodlife.ports import Store, UnitOfWork
from prodlife.testing.contract._support import StoreFixture, read, write
from prodlife.testing.contract._values import usd
from prodlife.testing.contract.text import EVERY_PLANE, LONGEST_KEY, ODD, _refused


class CreditBalanceContract(StoreFixture):
    """Credit balances (:meth:`~prodlife.ports.InvoiceRepository.credit`): zero until set,
    compare-and-set, kept apart per customer and currency, never below zero."""

    def test_a_credit_balance_is_zero_in_its_currency_until_set(self, store: Store) -> None:
        with store.transaction() as uow:
            assert uow.invoices.credit("C-1", "USD") == usd("0")
            assert uow.invoices.credit("C-1", "JPY").currency.code == "JPY"
            uow.invoices.set_credit("C-1", usd("12.50"), expected=usd("0"))
            assert uow.invoices.credit("C-1", "USD") == usd("12.50")
            uow.commit()
        with store.transaction() as uow:
            assert uow.invoices.credit("C-1", "USD") == usd("12.50")
            assert uow.invoices.credit("C-1", "EUR") == Money.zero("EUR")
            assert (
                uow.invoices.credit("C-2", "USD") == uow.invoices.credit("c-1", "USD") == usd("0")
            )

    @pytest.mark.parametrize("amount", ["0.00", "0.01", "999999999999999999.99", "1.234567"])
    def test_set_credit_keeps_every_digit_and_compares_and_sets(
        self, store: Store, amount: str
    ) -> None:
        write(store, lambda uow: uow.invoices.set_credit("C-1", usd("5.1"), expected=usd("0")))
        write(store, lambda uow: uow.invoices.set_credit("C-1", usd(amount), expected=usd("5.10")))
        assert read(store, lambda uow: uow.invoices.credit("C-1", "USD")) == usd(amount)
        with store.transaction() as uow:
            with pytest.raises(ConcurrencyConflict):
                uow.invoices.set_credit("C-1", usd("7.00"), expected=usd("5.10"))
            assert uow.invoices.credit("C-1", "USD") == usd(amount)  # the transaction goes on
            uow.invoices.set_credit("C-1", usd("7.00"), expected=usd(amount))
            uow.commit()
        assert read(store, lambda uow: uow.invoices.credit("C-1", "USD")) == usd("7.00")

    def test_credits_of_many_customers_come_in_one_read_without_the_empty_ones(
        self, store: Store
    ) -> None:
        def set_each(uow: UnitOfWork) -> None:
            uow.invoices.set_credit("C-1", usd("1.00"), expected=usd("0"))
            uow.invoices.set_credit("C-1", Money("2", "JPY"), expected=Money("0", "JPY"))
            uow.invoices.set_credit("C-2", usd("3.00"), expected=usd("0"))
            uow.invoices.set_credit("C-3", usd("4.00"), expected=usd("0"))
            uow.invoices.set_credit("C-3", usd("0.00"), expected=usd("4.00"))  # spent

        write(store, set_each)
        with store.transaction() as uow:
            assert uow.invoices.credits(["C-1", "C-3", "C-9", "C-1"]) == {
                ("C-1", "USD"): usd("1.00"),
                ("C-1", "JPY"): Money("2", "JPY"),
            }
            assert uow.invoices.credits([]) == {}
            many = [f"X-{n}" for n in range(2500)] + ["C-2"]
            assert uow.invoices.credits(many) == {("C-2", "USD"): usd("3.00")}

    def test_credit_balances_of_each_customer_and_currency_are_kept_apart(
        self, store: Store
    ) -> None:
        def set_each(uow: UnitOfWork) -> None:
            uow.invoices.set_credit("C-1", usd("1.00"), expected=usd("0"))
            uow.invoices.set_credit("C-1", Money("2", "JPY"), expected=Money("0", "JPY"))
            uow.invoices.set_credit("c-1", usd("3.00"), expected=usd("0"))
            uow.invoices.set_credit("C-2", Money("0.004", "BHD"), expected=Money("0", "BHD"))

        write(store, set_each)
        with store.transaction() as uow:
            with pytest.raises(ConcurrencyConflict):  # JPY's balance is not USD's
                uow.invoices.set_credit("C-1", Money("9", "JPY"), expected=Money("1", "JPY"))
            assert [
                uow.invoices.credit(*key)
                for key in [("C-1", "USD"), ("C-1", "JPY"), ("c-1", "USD"), ("C-2", "BHD")]
            ] == [usd("1.00"), Money("2", "JPY"), usd("3.00"), Money("0.004", "BHD")]
            assert uow.invoices.credit("C-2", "USD") == usd("0")

    @pytest.mark.parametrize(
        ("amount", "expected"),
        [(usd("-0.01"), usd("0")), (usd("1.00"), Money("0", "EUR"))],
        ids=["below-zero", "mixed-currencies"],
    )
    def test_set_credit_refuses_a_balance_below_zero_or_mixed_currencies(
        self, store: Store, amount: Money, expected: Money
    ) -> None:
        with store.transaction() as uow:
            with pytest.raises(ValidationError):
                uow.invoices.set_credit("C-1", amount, expected=expected)
            uow.commit()
        assert read(store, lambda uow: uow.invoices.credit("C-1", "USD")) == usd("0")
        assert read(store, lambda uow: uow.invoices.credit("C-1", "EUR")) == Money.zero("EUR")

    def test_a_credit_balance_set_is_rolled_back_with_its_transaction(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.invoices.set_credit("C-1", usd("4.00"), expected=usd("0"))
        write(store, lambda uow: uow.invoices.set_credit("C-1", usd("1.00"), expected=usd("0")))
        assert read(store, lambda uow: uow.invoices.credit("C-1", "USD")) == usd("1.00")

    def test_a_read_only_transaction_refuses_to_set_a_credit_balance(self, store: Store) -> None:
        with store.transaction(readonly=True) as uow, pytest.raises(StoreError):
            uow.invoices.set_credit("C-1", usd("1.00"), expected=usd("0"))
        assert read(store, lambda uow: uow.invoices.credit("C-1", "USD")) == usd("0")

    @pytest.mark.parametrize("text", ODD.values(), ids=ODD.keys())
    def test_a_customer_no_store_keeps_is_refused_and_the_transaction_goes_on(
        self, store: Store, text: str
    ) -> None:
        with store.transaction() as uow:
            assert _refused(lambda u: u.invoices.credit(text, "USD"), uow)
            assert _refused(lambda u: u.invoices.set_credit(text, usd("1"), expected=usd("0")), uow)
            uow.invoices.set_credit("C-1", usd("1.00"), expected=usd("0"))
            uow.commit()
        assert read(store, lambda uow: uow.invoices.credit("C-1", "USD")) == usd("1.00")

    def test_a_credit_balance_of_a_customer_from_every_plane_is_kept(self, store: Store) -> None:
        customers = ["C-" + "".join(EVERY_PLANE), "\U0001f600" * LONGEST_KEY]

        def set_each(uow: UnitOfWork) -> None:
            for customer in customers:
                uow.invoices.set_credit(customer, usd("2.00"), expected=usd("0"))

        write(store, set_each)
        with store.transaction() as uow:
            assert [uow.invoices.credit(c, "USD") for c in customers] == [usd("2.00")] * 2
            assert uow.invoices.credit("C-" + "\U0001f600" * 50_000, "USD") == usd("0")
