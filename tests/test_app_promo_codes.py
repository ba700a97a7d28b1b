"""A promo code added to a live service (seed 003), through ``Billing``, on every store.

The WEB service of the example shop costs 10.00 USD a month, paid through April 2025; staff
add a code on April 20th, so it applies from May 1st.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from prodlife.errors import PermissionDenied, RuleViolation
from prodlife.lifecycle import Actor, Permission
from prodlife.ports import InvoiceQuery, Store
from prodlife.pricing.promotions import Promotion, PromotionDuration, PromotionKind
from prodlife.pricing.redemption import PromotionRefused
from tests._lifecycle import OWNER, OWNER_ID, STAFF, web
from tests._support import usd
from tests.test_app_invoices import _web_shop, store  # noqa: F401 - the fixture

LOYAL = Promotion(
    "LOYAL", PromotionKind.PERCENTAGE, Decimal(20), PromotionDuration.CYCLES, cycles=2
)
ONCE = Promotion("ONCE", PromotionKind.FIXED_AMOUNT, usd("3.00"), max_uses=1)


def _with_codes(books: Store) -> None:
    with books.transaction() as uow:
        uow.promotions.add(LOYAL)
        uow.promotions.add(ONCE)
        uow.commit()


def test_a_code_added_to_a_live_service_discounts_its_next_periods(store: Store) -> None:  # noqa: F811
    billing, clock = _web_shop(store)
    _with_codes(store)
    done = billing.add_promo_code(web().id, "loyal", STAFF)
    assert done.lines == ()  # nothing invoiced changes: May is not invoiced yet
    totals = []
    for month in (5, 6, 7):
        clock.set(datetime(2025, month, 1, 6, tzinfo=UTC))
        billing.run_due()
        renewal = billing.invoices(InvoiceQuery(customer_id=OWNER_ID, unpaid=True), STAFF)[0]
        totals.append(renewal.total)
        billing.record_payment(OWNER_ID, renewal.total, STAFF, reference=f"m{month}", method="card")
    # 20 % off 10.00 for two payments (May, June), then the full price.
    assert totals == [usd("8.00"), usd("8.00"), usd("10.00")]
    with store.transaction(readonly=True) as uow:
        assert uow.promotions.uses("LOYAL", OWNER_ID) == 1


def test_a_code_added_after_the_next_period_was_invoiced_credits_it_at_once(
    store: Store,  # noqa: F811
) -> None:
    billing, clock = _web_shop(store)
    _with_codes(store)
    from prodlife.lifecycle import invoice_early

    billing.perform(invoice_early, web().id, STAFF)  # May invoiced at the full 10.00
    done = billing.add_promo_code(web().id, "LOYAL", STAFF)
    # May's 20 % comes back at once: a credit note, spent on May's open invoice.
    assert [line.amount for line in done.lines] == [usd("-2.00")]
    note, may = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)  # by number
    assert note.is_credit_note and note.total == usd("-2.00")
    assert may.total == usd("10.00") and may.balance == usd("8.00")
    billing.record_payment(OWNER_ID, usd("8.00"), STAFF, reference="may", method="card")
    clock.set(datetime(2025, 6, 1, 6, tzinfo=UTC))
    billing.run_due()
    june = billing.invoices(InvoiceQuery(customer_id=OWNER_ID), STAFF)[-1]
    assert june.total == usd("8.00") and june.due_on == date(2025, 6, 1)


def test_only_staff_who_set_prices_add_codes_and_each_code_once(store: Store) -> None:  # noqa: F811
    billing, _ = _web_shop(store)
    _with_codes(store)
    with pytest.raises(PermissionDenied):
        billing.add_promo_code(web().id, "LOYAL", OWNER)
    editor = Actor.staff(
        "bob", [Permission.EDIT_CUSTOMER_PRODUCTS, Permission.VIEW_CUSTOMER_PRODUCTS]
    )
    with pytest.raises(PermissionDenied):
        billing.add_promo_code(web().id, "LOYAL", editor)
    billing.add_promo_code(web().id, "LOYAL", STAFF)
    with pytest.raises(RuleViolation) as twice:
        billing.add_promo_code(web().id, "LOYAL", STAFF)
    assert twice.value.rule == "promotion.applied"


def test_a_codes_limits_count_its_uses_on_services(store: Store) -> None:  # noqa: F811
    billing, _ = _web_shop(store)
    _with_codes(store)
    billing.add_services([web(id="OTHER")])
    billing.add_promo_code(web().id, "ONCE", STAFF)
    with pytest.raises(PromotionRefused):
        billing.add_promo_code("OTHER", "ONCE", STAFF)
    with pytest.raises(PromotionRefused):
        billing.add_promo_code("OTHER", "NO-SUCH-CODE", STAFF)
    assert billing.service("OTHER", STAFF).timeline.discounts == ()
