"""Package, option and add-on changes: timing by the catalog's rules, proration, the money.

Seed 003 (upgrades/downgrades): the change is previewed for "the remaining time of
the current period"; an upgrade order "does not change the product immediately,
it takes effect once the invoice is paid"; "the same process applies to
configurable option changes, and the difference is billed". Seed 000: "some
downgrades (for example, WordPress Premium) may not be supported". Seed 002:
"if the service is suspended by administrator, the tariff change is not available".

Every amount is worked by hand in a comment: April 2025 has 30 days, a change on
April 16 leaves 15 of them ([04-16, 05-01)), BASIC is 10.00, PRO 40.00, PREMIUM 70.00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from prodlife import Money, Period
from prodlife.catalog.change_rules import ChangeTiming
from prodlife.catalog.editions import Direction
from prodlife.catalog.subscriptions import BillingTerm, BillingTermScheme, BillingTiming
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY, BillingCycle
from prodlife.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    TransitionNotAllowed,
    ValidationError,
)
from prodlife.lifecycle import (
    ACTIVE,
    Actor,
    ModuleFailed,
    ModuleResult,
    Operation,
    Permission,
    Service,
    ServiceOption,
    ServiceStatus,
    Status,
    SuspensionKind,
)
from prodlife.lifecycle.addon_changes import add_addon, remove_addon
from prodlife.lifecycle.change_requests import change_request, change_rule
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import suspend
from prodlife.lifecycle.option_changes import OptionChange, change_options
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.package_changes import (
    apply_pending_change,
    change_package,
    confirm_change_payment,
)
from prodlife.lifecycle.renewals import invoice_early, invoice_next_period, renew
from prodlife.lifecycle.service_parts import PendingChange
from prodlife.lifecycle.terms import under_terms
from prodlife.pricing.recurring import RecurringPrice
from prodlife.proration import (
    Anchor,
    ChangePolicy,
    Charge,
    ChargeMode,
    CreditMode,
    UsedDay,
    quote_change,
)
from prodlife.testing import (
    SUSPENDED_BY_ADMINISTRATOR,
    SUSPENDED_FOR_ABUSE,
    SUSPENDED_FOR_NON_PAYMENT,
)
from prodlife.testing.strategies import billing_dates, currencies, money
from tests._lifecycle import (
    CATALOG,
    IMMEDIATE_CATALOG,
    OWNER,
    SERVICE_ID,
    STAFF,
    STRANGER,
    SYSTEM,
    FakeModule,
    amounts,
    at,
    backup,
    change_edition,
    last_entry,
    ordered,
    rows,
    web,
)
from tests._support import P, d, usd

Op = Operation
APRIL = P("2025-04-01", "2025-05-01")
REST_OF_APRIL = P("2025-04-16", "2025-05-01")


def reversed_(span: Period, amount: str, what: str = "recurring") -> tuple[str, str, str]:
    return (f"{what} reversed", str(span), amount)


def to_annual(service: Service, **more: Any) -> Outcome:
    """``service`` moved by its owner to the annual cycle at 100.00 a year, at noon on
    2025-04-16, under the example catalog (its "everything else" rule: immediate)."""
    return change_package(
        service,
        OWNER,
        at("2025-04-16"),
        catalog=CATALOG,
        to_cycle=ANNUAL,
        new_price=usd("100.00"),
        **more,
    )


def charged(span: Period, amount: str, what: str = "recurring") -> tuple[str, str, str]:
    return (what, str(span), amount)


# --- change_request --------------------------------------------------


def test_a_change_request_takes_its_direction_from_the_edition_ladder() -> None:
    up = change_request(CATALOG, web(), to_edition="PRO")
    assert (up.direction, up.from_edition, up.to_edition) == (Direction.UPGRADE, "BASIC", "PRO")
    assert (up.from_product, up.to_product) == ("WEB", "WEB")
    assert up.from_categories == up.to_categories == frozenset({"hosting", "web"})
    assert (up.from_cycle, up.to_cycle) == (MONTHLY, MONTHLY)
    down = change_request(CATALOG, web("PREMIUM"), to_edition="PRO")
    assert down.direction is Direction.DOWNGRADE
    cycle_only = change_request(CATALOG, web(), to_cycle=ANNUAL)
    assert (cycle_only.direction, cycle_only.to_edition, cycle_only.to_cycle) == (
        Direction.SAME,
        "BASIC",
        ANNUAL,
    )
    across = change_request(CATALOG, web(), to_product="WEB-LEGACY")
    assert (across.direction, across.to_edition) == (Direction.CROSSGRADE, None)


def test_a_change_request_refuses_no_change_forbidden_moves_and_unknown_products() -> None:
    with pytest.raises(RuleViolation, match=r"rule change\.nothing"):
        change_request(CATALOG, web(), to_edition="BASIC")
    with pytest.raises(RuleViolation, match=r"rule edition\.forbidden-move"):
        change_request(CATALOG, web("PREMIUM"), to_edition="BASIC")
    with pytest.raises(NotFound):
        change_request(CATALOG, web(), to_product="NOPE")


# --- change_rule -----------------------------------------------------


def post_billed(service: Service) -> Service:
    """``service`` invoiced in arrears (a post-billed term for WEB)."""
    scheme = BillingTermScheme(
        "POST", "post-billed", prepaid=False, terms=[BillingTerm("WEB", BillingTiming.IN_ARREARS)]
    )
    return under_terms(service, scheme)


@pytest.mark.parametrize(
    ("edition", "to_edition", "to_cycle"),
    [("BASIC", "PRO", None), ("PRO", "BASIC", None), ("BASIC", None, ANNUAL)],
)
def test_in_advance_a_change_rule_is_the_catalogs_first_match(
    edition: str, to_edition: str | None, to_cycle: BillingCycle | None
) -> None:
    service = web(edition)
    request = change_request(CATALOG, service, to_edition=to_edition, to_cycle=to_cycle)
    assert CATALOG.change_rules is not None
    assert change_rule(CATALOG, service, request) == CATALOG.change_rules.decide(request)


def test_without_change_rules_every_change_is_immediate() -> None:
    bare = attrs.evolve(CATALOG, change_rules=None)
    for service in (web(), post_billed(web())):
        request = change_request(bare, service, to_edition="PRO")
        assert change_rule(bare, service, request).timing is ChangeTiming.IMMEDIATE


def test_an_illegal_change_is_refused_in_advance_and_in_arrears() -> None:
    for service in (web("PREMIUM"), post_billed(web("PREMIUM"))):
        request = change_request(CATALOG, service, to_edition="PRO")
        with pytest.raises(RuleViolation, match=r"rule change\.illegal"):
            change_rule(CATALOG, service, request)


@pytest.mark.parametrize(
    ("edition", "to_edition", "to_cycle", "timing"),
    [
        # No invoice for the difference precedes the change: there is nothing to wait for.
        ("BASIC", "PRO", None, ChangeTiming.IMMEDIATE),
        ("PRO", "BASIC", None, ChangeTiming.END_OF_TERM),
        # The period in use is invoiced whole, on its cycle: a new cycle waits for its end.
        ("BASIC", None, ANNUAL, ChangeTiming.END_OF_TERM),
        ("BASIC", "PRO", ANNUAL, ChangeTiming.END_OF_TERM),
    ],
)
def test_in_arrears_a_change_rule_is_retimed_where_no_invoice_precedes_the_change(
    edition: str,
    to_edition: str | None,
    to_cycle: BillingCycle | None,
    timing: ChangeTiming,
) -> None:
    service = post_billed(web(edition))
    request = change_request(CATALOG, service, to_edition=to_edition, to_cycle=to_cycle)
    assert CATALOG.change_rules is not None
    matched = CATALOG.change_rules.decide(request)
    rule = change_rule(CATALOG, service, request)
    assert (rule.timing, rule.name) == (timing, matched.name)


def test_a_change_is_pure_so_its_outcome_is_its_preview() -> None:
    service = web()
    done = change_edition(service, "PRO")
    assert service == web()  # nothing changed until the host saves the outcome
    assert done.total == usd("15.00")


# --- immediate changes --------------------------------------------------------------------


def test_an_immediate_mid_period_upgrade_credits_the_old_plan_and_charges_the_new() -> None:
    done = change_edition(web(), "PRO", reason="needs more mailboxes")
    # 15 of 30 days left: credit 10.00 * 15/30 = 5.00, charge 40.00 * 15/30 = 20.00.
    assert rows(done.lines) == [
        reversed_(REST_OF_APRIL, "-5.00"),
        charged(REST_OF_APRIL, "20.00"),
    ]
    assert [line.description for line in done.lines] == ["WEB BASIC", "WEB PRO"]
    explained = done.lines[1].proration
    assert explained is not None
    assert (explained.used, explained.total, explained.period) == (15, 30, APRIL)
    assert done.total == usd("15.00")  # = (40.00 - 10.00) * 15/30
    service = done.service
    assert (service.edition, service.price) == ("PRO", RecurringPrice(usd("40.00"), override=False))
    assert (service.next_due, service.paid_through) == (d("2025-05-01"), d("2025-04-30"))
    entry = last_entry(service)
    assert (entry.operation, entry.actor, entry.reason) == (
        Op.CHANGE_PACKAGE,
        OWNER,
        "needs more mailboxes",
    )
    assert (entry.before, entry.after) == (ACTIVE, ACTIVE)
    assert entry.details == "WEB -> WEB edition PRO (upgrade, immediate)"
    (event,) = done.events
    assert event.kind is EventKind.PACKAGE_CHANGED
    assert event.details == (
        ("to", "WEB edition PRO"),
        ("cycle", "monthly"),
        ("rule", "all at once"),
    )


def test_a_second_change_in_the_period_credits_what_the_first_change_charged() -> None:
    first = change_edition(web(), "PRO")
    second = change_edition(first.service, "PREMIUM", when=at("2025-04-21"))
    # The credit is of what the first change charged for its 10 unused days [04-21, 05-01):
    # PRO's 40.00 * 10/30 = 13.33 (not BASIC's list price). PREMIUM for those 10 days of
    # 30: 70.00 * 10/30 = 23.33.
    rest = P("2025-04-21", "2025-05-01")
    assert rows(second.lines) == [reversed_(rest, "-13.33"), charged(rest, "23.33")]
    assert second.lines[0].description == "WEB PRO"
    assert second.total == usd("10.00")


def test_an_upgrade_and_its_reverse_on_the_same_day_net_to_zero() -> None:
    up = change_edition(web(), "PRO")
    back = change_edition(up.service, "BASIC", when=at("2025-04-16", 13))
    # Back: the whole 20.00 PRO charge is credited, BASIC charged 10.00 * 15/30 = 5.00.
    assert amounts(back) == [usd("-20.00"), usd("5.00")]
    assert up.then(back).total == usd("0.00")
    assert up.then(back).kinds() == (EventKind.PACKAGE_CHANGED, EventKind.PACKAGE_CHANGED)


def test_an_immediate_change_of_cycle_keeps_the_anniversary() -> None:
    # The example catalog's "everything else" rule: a cycle change (same edition) is immediate.
    done = to_annual(web())
    # Credit 10.00 * 15/30 = 5.00; the annual price over the year ending on the anniversary
    # [2024-05-01, 2025-05-01) (365 days) for the 15 days left: 100.00 * 15/365 = 4.1095...
    # -> 4.11.
    assert amounts(done) == [usd("-5.00"), usd("4.11")]
    assert done.total == usd("-0.89")
    assert (done.service.cycle, done.service.next_due) == (ANNUAL, d("2025-05-01"))
    explained = done.lines[1].proration
    assert explained is not None and explained.period == P("2024-05-01", "2025-05-01")


def test_an_immediate_change_that_restarts_the_period_moves_the_next_due_date() -> None:
    invoiced = invoice_early(web(), STAFF, at("2025-04-10")).service  # May is invoiced
    done = to_annual(invoiced, policy=ChangePolicy(anchor=Anchor.RESTART))
    # Credit 5.00 as above; a whole new year from the change day at 100.00; and May,
    # invoiced ahead at 10.00, is credited: the new year covers it.
    assert done.lines[1].period == P("2025-04-16", "2026-04-16")
    assert amounts(done) == [usd("-5.00"), usd("100.00"), usd("-10.00")]
    assert done.lines[2].period == P("2025-05-01", "2025-06-01")
    assert done.service.next_due == d("2026-04-16")
    assert done.service.billed_until == d("2026-04-16")


def test_a_cycle_change_reanchored_on_the_billing_day_moves_the_next_due_date() -> None:
    # Kill Bill's re-anchoring: the year steps from the billing day (the 1st) of the change's
    # month, [2025-04-01, 2026-04-01) (365 days); the 350 days from Apr 16 cost
    # 100.00 * 350/365 = 95.890... -> 95.89, after the 5.00 credit as above.
    done = to_annual(web(), policy=ChangePolicy(anchor=Anchor.BILLING_DAY))
    assert amounts(done) == [usd("-5.00"), usd("95.89")]
    explained = done.lines[1].proration
    assert explained is not None and explained.period == P("2025-04-01", "2026-04-01")
    assert (done.service.cycle, done.service.next_due) == (ANNUAL, d("2026-04-01"))


def test_a_change_bills_the_difference_on_a_period_invoiced_ahead() -> None:
    invoiced = invoice_next_period(web(), SYSTEM, at("2025-04-10")).service
    done = change_edition(invoiced, "PRO", catalog=CATALOG)
    # Upgrades wait for payment. April: credit 5.00, charge 40.00 * 15/30 = 20.00; May,
    # invoiced at 10.00: reversed and charged 40.00, all on the invoice for the change.
    assert amounts(done) == [usd("-5.00"), usd("20.00"), usd("-10.00"), usd("40.00")]
    assert done.lines[2].period == done.lines[3].period == P("2025-05-01", "2025-06-01")
    changed = confirm_change_payment(done.service, at("2025-04-17")).service
    assert changed.edition == "PRO"
    assert changed.billed_until == d("2025-06-01")  # May stays invoiced
    # Paying for May bills nothing more; June is billed at the new price.
    paid = renew(changed, SYSTEM, at("2025-04-20"))
    assert paid.lines == ()
    assert amounts(renew(paid.service, SYSTEM, at("2025-05-20"))) == [usd("40.00")]


def test_an_immediate_change_runs_the_modules_change_package_after_the_checks() -> None:
    module = FakeModule()
    done = change_edition(web(), "PRO", module=module)
    assert module.calls == [("change_package", SERVICE_ID, "WEB")]
    assert done.service.edition == "PRO"
    with pytest.raises(PermissionDenied):
        change_edition(web(), "PRO", actor=STRANGER, module=module)
    assert len(module.calls) == 1


def test_a_module_refusing_an_immediate_change_raises_and_returns_nothing() -> None:
    module = FakeModule(ModuleResult.failed("quota"))
    with pytest.raises(ModuleFailed, match="change_package answered failed: quota"):
        change_edition(web(), "PRO", module=module)


# --- end of term (downgrades at renewal) -------------------------------------------------------


def test_an_end_of_term_downgrade_waits_for_the_next_due_date_without_money() -> None:
    done = change_edition(web("PRO"), "BASIC", catalog=CATALOG)
    assert done.lines == ()
    service = done.service
    assert (service.edition, service.price.amount) == ("PRO", usd("40.00"))  # not yet
    pending = service.pending_change
    assert pending is not None
    assert (pending.timing, pending.effective, pending.rule) == (
        ChangeTiming.END_OF_TERM,
        d("2025-05-01"),
        "downgrades at renewal",
    )
    assert (pending.product_code, pending.edition, pending.cycle) == ("WEB", "BASIC", MONTHLY)
    assert pending.price == RecurringPrice(usd("10.00"), override=False)
    assert pending.requested_at == at("2025-04-16")
    assert service.history.last is not None
    assert service.history.last.details == "WEB -> WEB edition BASIC (downgrade, end of term)"
    (event,) = done.events
    assert event.kind is EventKind.CHANGE_SCHEDULED
    assert event.detail("when") == "2025-05-01"
    assert event.detail("rule") == "downgrades at renewal"


def test_a_pending_end_of_term_change_applies_only_when_due() -> None:
    scheduled = change_edition(web("PRO"), "BASIC", catalog=CATALOG).service
    with pytest.raises(RuleViolation, match=r"takes effect on 2025-05-01.*rule change\.not-due"):
        apply_pending_change(scheduled, at("2025-04-30", 23))
    done = apply_pending_change(scheduled, at("2025-05-01", 0, 5))
    service = done.service
    assert (service.edition, service.price.amount, service.pending_change) == (
        "BASIC",
        usd("10.00"),
        None,
    )
    entry = last_entry(service)
    assert (entry.operation, entry.actor, entry.reason) == (
        Op.CHANGE_PACKAGE,
        SYSTEM,
        "end of term",
    )
    assert done.kinds() == (EventKind.PACKAGE_CHANGED,)
    assert done.lines == ()
    # The renewal after it bills the new price.
    assert amounts(renew(service, SYSTEM, at("2025-05-01", 1))) == [usd("10.00")]


def test_the_period_after_an_end_of_term_change_is_invoiced_and_renewed_on_the_new_package() -> (
    None
):
    scheduled = change_package(
        web("PRO"),
        OWNER,
        at("2025-04-16"),
        catalog=CATALOG,
        to_edition="BASIC",
        to_cycle=QUARTERLY,
        new_price=usd("27.00"),
    ).service
    assert scheduled.pending_change is not None
    assert scheduled.pending_change.effective == d("2025-05-01")
    # Invoiced ahead of the change: BASIC, quarterly, 27.00 (not PRO's 40.00 for a month).
    invoiced = invoice_next_period(scheduled, SYSTEM, at("2025-04-24"))
    assert [(line.period, line.amount) for line in invoiced.lines] == [
        (P("2025-05-01", "2025-08-01"), usd("27.00"))
    ]
    assert "BASIC" in invoiced.lines[0].description
    # Paid before the change applies: the quarter is not invoiced again, the due date moves on.
    paid = renew(invoiced.service, SYSTEM, at("2025-04-28"))
    assert paid.lines == ()
    assert paid.service.next_due == d("2025-08-01")
    # Renewing without the early invoice bills the same quarter.
    direct = renew(scheduled, SYSTEM, at("2025-04-28"))
    assert [(line.period, line.amount) for line in direct.lines] == [
        (P("2025-05-01", "2025-08-01"), usd("27.00"))
    ]
    # The change still applies on its day and keeps the dates paid for.
    changed = apply_pending_change(paid.service, at("2025-05-01", 0, 5)).service
    assert (changed.edition, changed.cycle, changed.next_due) == (
        "BASIC",
        QUARTERLY,
        d("2025-08-01"),
    )


def test_applying_needs_an_end_of_term_change() -> None:
    with pytest.raises(RuleViolation, match=r"rule change\.not-due"):
        apply_pending_change(web(), at("2025-05-01"))
    waiting = change_edition(web(), "PRO", catalog=CATALOG).service
    with pytest.raises(RuleViolation, match=r"rule change\.not-due"):
        apply_pending_change(waiting, at("2025-05-01"))


def test_an_end_of_term_change_applies_after_the_renewal_was_paid_early() -> None:
    scheduled = change_edition(web("PRO"), "BASIC", catalog=CATALOG).service
    paid = renew(scheduled, SYSTEM, at("2025-04-28")).service  # next due 06-01
    done = apply_pending_change(paid, at("2025-05-01"))
    assert (done.service.edition, done.service.next_due) == ("BASIC", d("2025-06-01"))


# --- after payment (upgrades once paid) --------------------------------------------------------


def test_an_upgrade_after_payment_issues_the_difference_and_waits_for_it() -> None:
    done = change_edition(web(), "PRO", catalog=CATALOG)
    # The invoice for the difference: credit 10.00 * 15/30 = 5.00, charge 40.00 * 15/30 = 20.00.
    assert rows(done.lines) == [reversed_(REST_OF_APRIL, "-5.00"), charged(REST_OF_APRIL, "20.00")]
    assert done.total == usd("15.00")
    assert (done.service.edition, done.service.price.amount) == ("BASIC", usd("10.00"))
    assert done.service.pending_change == PendingChange(
        timing=ChangeTiming.AFTER_PAYMENT,
        product_code="WEB",
        edition="PRO",
        cycle=MONTHLY,
        price=RecurringPrice(usd("40.00"), override=False),
        requested_at=at("2025-04-16"),
        effective=None,
        rule="upgrades once paid",
    )
    assert done.kinds() == (EventKind.CHANGE_SCHEDULED,)
    assert done.events[0].detail("when") == "after payment"


def test_confirming_the_payment_carries_the_upgrade_out_through_the_module() -> None:
    waiting = change_edition(web(), "PRO", catalog=CATALOG).service
    module = FakeModule()
    done = confirm_change_payment(waiting, at("2025-04-17"), module=module)
    assert module.calls == [("change_package", SERVICE_ID, "WEB")]
    service = done.service
    assert (service.edition, service.price.amount, service.pending_change) == (
        "PRO",
        usd("40.00"),
        None,
    )
    assert service.next_due == d("2025-05-01")
    entry = last_entry(service)
    assert (entry.actor, entry.reason) == (SYSTEM, "the invoice for the change was paid")
    assert done.lines == ()  # the money moved with the change request
    assert done.kinds() == (EventKind.PACKAGE_CHANGED,)


def test_confirming_needs_a_change_waiting_for_payment_and_a_willing_module() -> None:
    with pytest.raises(RuleViolation, match=r"rule change\.not-pending"):
        confirm_change_payment(web(), at("2025-04-17"))
    end_of_term = change_edition(web("PRO"), "BASIC", catalog=CATALOG).service
    with pytest.raises(RuleViolation, match=r"rule change\.not-pending"):
        confirm_change_payment(end_of_term, at("2025-04-17"))
    waiting = change_edition(web(), "PRO", catalog=CATALOG).service
    with pytest.raises(ModuleFailed):
        confirm_change_payment(waiting, at("2025-04-17"), module=FakeModule(OSError("down")))


def test_a_refused_confirmation_never_reaches_the_module() -> None:
    waiting = change_edition(web(), "PRO", catalog=CATALOG).service
    held = suspend(waiting, STAFF, at("2025-04-16", 13), SuspensionKind.BY_ADMINISTRATOR).service
    module = FakeModule()
    with pytest.raises(TransitionNotAllowed):
        confirm_change_payment(held, at("2025-04-17"), module=module)
    assert module.calls == []


def test_a_confirmed_change_names_its_edition_like_an_immediate_one() -> None:
    waiting = change_edition(web(), "PRO", catalog=CATALOG).service
    done = confirm_change_payment(waiting, at("2025-04-17"))
    assert done.events[0].detail("to") == "WEB edition PRO"


# --- refused changes ---------------------------------------------------------------------------


def test_an_illegal_change_is_refused_with_the_rules_reason() -> None:
    # Seed 000: "Some downgrades (for example, WordPress Premium) may not be supported".
    with pytest.raises(RuleViolation) as refused:
        change_edition(web("PREMIUM"), "PRO", catalog=CATALOG)
    assert refused.value.rule == "change.illegal"
    assert "premium mailboxes cannot shrink" in str(refused.value)


def test_a_forbidden_edition_move_is_refused_before_any_rule() -> None:
    with pytest.raises(RuleViolation) as refused:
        change_edition(web("PREMIUM"), "BASIC")
    assert refused.value.rule == "edition.forbidden-move"


@pytest.mark.parametrize("status", [SUSPENDED_BY_ADMINISTRATOR, SUSPENDED_FOR_ABUSE])
def test_no_package_or_option_change_while_suspended_by_an_administrator(
    status: ServiceStatus,
) -> None:
    # Seed 002: "If the service is in the Suspended by administrator status, then the
    # tariff change is not available."
    held = web(status=status)
    module = FakeModule()
    with pytest.raises(TransitionNotAllowed, match="unsuspend it first"):
        change_edition(held, "PRO", actor=STAFF, module=module)
    with pytest.raises(TransitionNotAllowed, match="unsuspend it first"):
        change_options(held, STAFF, at("2025-04-16"), [OptionChange("RAM", "4GB", usd("1"))])
    assert module.calls == []


def test_a_package_change_is_allowed_while_suspended_for_non_payment() -> None:
    done = change_edition(web(status=SUSPENDED_FOR_NON_PAYMENT), "PRO")
    assert done.service.status == SUSPENDED_FOR_NON_PAYMENT
    assert amounts(done) == [usd("-5.00"), usd("20.00")]  # as for an active service


def test_customers_cannot_set_a_price_and_staff_need_the_price_permission() -> None:
    def override(actor: Actor) -> object:
        return change_package(
            web(),
            actor,
            at("2025-04-16"),
            catalog=IMMEDIATE_CATALOG,
            to_edition="PRO",
            new_price=usd("25.00"),
            override=True,
        )

    with pytest.raises(PermissionDenied, match="customers cannot set prices"):
        override(OWNER)
    with pytest.raises(PermissionDenied, match="'prices: set'"):
        override(Actor.staff("bob", {Permission.CHANGE_PACKAGE}))
    with pytest.raises(PermissionDenied):
        override(SYSTEM)
    done = change_package(
        web(),
        Actor.staff("cy", {Permission.CHANGE_PACKAGE, Permission.SET_PRICES}),
        at("2025-04-16"),
        catalog=IMMEDIATE_CATALOG,
        to_edition="PRO",
        new_price=usd("25.00"),
        override=True,
    )
    assert done.service.price == RecurringPrice(usd("25.00"), override=True)
    # Charged at the set price: credit 10.00 * 15/30 = 5.00, charge 25.00 * 15/30 = 12.50.
    assert amounts(done) == [usd("-5.00"), usd("12.50")]


# --- options (billed on the difference) ----------------------------------------------------------


def test_a_dearer_option_is_billed_at_its_new_price_for_the_rest_of_the_period() -> None:
    service = web(options=(ServiceOption("RAM", "2GB", price=usd("5.00")),))
    done = change_options(
        service,
        OWNER,
        at("2025-04-16"),
        [OptionChange("RAM", "4GB", usd("8.00"))],
        reason="more memory",
    )
    # 5.00 * 15/30 = 2.50 back, 8.00 * 15/30 = 4.00 charged: the difference, 1.50.
    assert rows(done.lines) == [
        reversed_(REST_OF_APRIL, "-2.50", "option"),
        charged(REST_OF_APRIL, "4.00", "option"),
    ]
    assert {line.subject for line in done.lines} == {"RAM"}
    assert done.total == usd("1.50")
    assert done.service.options == (ServiceOption("RAM", "4GB", price=usd("8.00")),)
    assert done.service.price == RecurringPrice(usd("10.00"), override=False)  # its own line
    entry = last_entry(done.service)
    assert (entry.operation, entry.reason, entry.details) == (
        Op.CHANGE_OPTIONS,
        "more memory",
        "RAM=4GB",
    )
    assert done.kinds() == (EventKind.OPTIONS_CHANGED,)
    assert done.events[0].detail("options") == "RAM=4GB"
    # May bills the base and the option, each on its line.
    assert amounts(renew(done.service, SYSTEM, at("2025-04-28"))) == [usd("10.00"), usd("8.00")]


def test_cheaper_and_dearer_options_in_one_change_each_get_their_lines() -> None:
    service = web(
        price=RecurringPrice(usd("12.00"), override=True),
        options=(
            ServiceOption("RAM", "2GB", price=usd("5.00")),
            ServiceOption("DISK", "20GB", price=usd("8.00")),
        ),
    )
    done = change_options(
        service,
        OWNER,
        at("2025-04-16"),
        [
            OptionChange("RAM", "4GB", usd("8.00")),
            OptionChange("DISK", "10GB", usd("2.00"), quantity=2),
        ],
    )
    # RAM +3.00 * 15/30 = 1.50; DISK -6.00 * 15/30 = -3.00.
    assert done.total == usd("-1.50")
    assert done.service.price == RecurringPrice(usd("12.00"), override=True)
    assert done.service.options == (
        ServiceOption("RAM", "4GB", price=usd("8.00")),
        ServiceOption("DISK", "10GB", 2, price=usd("2.00")),
    )


def test_an_option_added_to_a_service_not_invoiced_yet_is_billed_with_it() -> None:
    done = change_options(
        ordered(status=ACTIVE),
        OWNER,
        at("2025-04-16"),
        [OptionChange("RAM", "4GB", usd("2.00"))],
    )
    # Nothing was invoiced: April's price, and the option from the 16th, 2.00 * 15/30.
    assert rows(done.lines) == [
        charged(APRIL, "10.00"),
        charged(REST_OF_APRIL, "1.00", "option"),
    ]
    assert done.service.price.amount == usd("10.00")


def test_option_changes_are_checked() -> None:
    with pytest.raises(ValidationError, match="no option changes"):
        change_options(web(), OWNER, at("2025-04-16"), [])
    twice = [OptionChange("RAM", "4GB", usd("1"))] * 2
    with pytest.raises(ValidationError, match="list one option twice"):
        change_options(web(), OWNER, at("2025-04-16"), twice)
    with pytest.raises(RuleViolation, match=r"would cost.*rule service\.option"):
        change_options(web(), OWNER, at("2025-04-16"), [OptionChange("RAM", "1GB", usd("-1"))])


# --- add-ons (seed 003: own cycle, invoiced when added) ----------------------------------------


def test_adding_an_addon_bills_its_first_period() -> None:
    done = add_addon(web(), OWNER, at("2025-04-16"), backup("2025-04-16", "2025-05-16"))
    assert rows(done.lines) == [charged(P("2025-04-16", "2025-05-16"), "3.00", "add-on")]
    assert [(line.subject, line.description) for line in done.lines] == [
        ("BACKUP", "add-on BACKUP")
    ]
    (addon,) = done.service.addons
    assert (addon.code, addon.status, addon.termination_date) == ("BACKUP", ACTIVE, None)
    entry = last_entry(done.service)
    assert (entry.operation, entry.details) == (Op.CHANGE_OPTIONS, "add-on BACKUP added")
    assert done.kinds() == (EventKind.ADDON_ADDED,)
    assert done.events[0].detail("addon") == "BACKUP"


def test_an_included_addon_costs_nothing_and_one_without_a_cycle_is_one_time() -> None:
    free = add_addon(web(), OWNER, at("2025-04-16"), backup(price=None))
    assert free.lines == ()
    once = add_addon(web(), OWNER, at("2025-04-16"), backup("2025-04-16", None, "25.00"))
    assert rows(once.lines) == [("one-time", "2025-04-16", "25.00")]


def test_an_addon_is_held_once_but_can_be_added_again_after_removal() -> None:
    held = add_addon(web(), OWNER, at("2025-04-16"), backup("2025-04-16", "2025-05-16")).service
    with pytest.raises(RuleViolation, match=r"rule service\.addon"):
        add_addon(held, OWNER, at("2025-04-17"), backup("2025-04-17", "2025-05-17"))
    removed = remove_addon(held, OWNER, at("2025-04-18"), "BACKUP").service
    again = add_addon(removed, OWNER, at("2025-04-19"), backup("2025-04-19", "2025-05-19"))
    (addon,) = again.service.addons
    assert (addon.start, addon.status) == (d("2025-04-19"), ACTIVE)


@pytest.mark.parametrize(
    ("refund", "used_day", "amount", "period"),
    [
        # Added 04-16 for [04-16, 05-16) at 3.00 (30 days); removed 04-26.
        # The 26th counts as used: [04-27, 05-16) is 19 days: 3.00 * 19/30 = 1.90.
        (CreditMode.PRORATED, UsedDay.USED, "-1.90", P("2025-04-27", "2025-05-16")),
        # The 26th refunded too: 20 days: 3.00 * 20/30 = 2.00.
        (CreditMode.PRORATED, UsedDay.UNUSED, "-2.00", P("2025-04-26", "2025-05-16")),
        (CreditMode.FULL, UsedDay.USED, "-3.00", P("2025-04-16", "2025-05-16")),
    ],
)
def test_removing_an_addon_refunds_its_unused_part(
    refund: CreditMode, used_day: UsedDay, amount: str, period: Period
) -> None:
    held = add_addon(web(), OWNER, at("2025-04-16"), backup("2025-04-16", "2025-05-16")).service
    done = remove_addon(held, OWNER, at("2025-04-26"), "BACKUP", refund=refund, used_day=used_day)
    assert rows(done.lines) == [reversed_(period, amount, "add-on")]
    (addon,) = done.service.addons
    assert (addon.status, addon.termination_date) == (
        ServiceStatus(Status.CANCELLED),
        d("2025-04-26"),
    )
    assert done.kinds() == (EventKind.ADDON_REMOVED,)
    assert done.service.history.last is not None
    assert done.service.history.last.details == "add-on BACKUP removed"


def test_removing_an_addon_refunds_nothing_by_default() -> None:
    held = web(addons=(backup(),))
    assert remove_addon(held, OWNER, at("2025-04-26"), "BACKUP").lines == ()


def test_an_addon_refund_line_names_the_addon() -> None:
    held = web(addons=(backup(),))
    done = remove_addon(held, OWNER, at("2025-04-26"), "BACKUP", refund=CreditMode.FULL)
    assert [ln.subject for ln in done.lines] == ["BACKUP"]


def test_removing_an_unknown_or_ended_addon_is_refused() -> None:
    with pytest.raises(NotFound):
        remove_addon(web(), OWNER, at("2025-04-26"), "BACKUP")
    removed = remove_addon(web(addons=(backup(),)), OWNER, at("2025-04-26"), "BACKUP").service
    with pytest.raises(RuleViolation, match=r"rule addon\.ended"):
        remove_addon(removed, OWNER, at("2025-04-27"), "BACKUP")


def test_a_period_that_starts_on_a_month_end_is_a_whole_period() -> None:
    service = web(
        start=d("2025-01-31"),
        next_due=d("2025-02-28"),
        paid_through=d("2025-02-27"),
        price=RecurringPrice(usd("31.00"), override=False),
    )
    done = change_package(
        service,
        OWNER,
        at("2025-01-31"),
        catalog=IMMEDIATE_CATALOG,
        to_edition="PRO",
        new_price=usd("62.00"),
    )
    # On the first day of its period [01-31, 02-28) the whole 31.00 paid is credited and
    # the whole 62.00 charged (it was -28.00 and 56.00, 28/31 of each).
    assert amounts(done) == [usd("-31.00"), usd("62.00")]


# --- properties ---------------------------------------------------------------------------

_CYCLES = st.sampled_from([MONTHLY, QUARTERLY, ANNUAL, BillingCycle.weeks(1), BillingCycle.days(7)])


def _rounded(exact: Fraction, quantum: Fraction) -> Fraction:
    """Half-up rounding of a non-negative amount to a multiple of ``quantum``."""
    units, rest = divmod(exact, quantum)
    return (units + (1 if rest * 2 >= quantum else 0)) * quantum


@st.composite
def paid_periods(draw: st.DrawFn) -> tuple[BillingCycle, date, date, date]:
    """A cycle, a paid period [start, end) of it and a day inside it."""
    cycle = draw(_CYCLES)
    start = draw(billing_dates(date(2001, 1, 1), date(2090, 12, 31)))
    end = cycle.shift(start, 1)
    day = start + timedelta(days=draw(st.integers(0, (end - start).days - 1)))
    return cycle, start, end, day


def _paid(cycle: BillingCycle, start: date, end: date, price: Money) -> Service:
    return web(
        cycle=cycle,
        start=start,
        next_due=end,
        paid_through=end - timedelta(days=1),
        price=RecurringPrice(price, override=False),
    )


@given(paid=paid_periods(), data=st.data())
def test_an_immediate_change_costs_the_price_difference_for_the_days_left(
    paid: tuple[BillingCycle, date, date, date], data: st.DataObject
) -> None:
    cycle, start, end, day = paid
    currency = data.draw(currencies())
    old, new = (data.draw(money(currency, min_minor_units=0, max_minor_units=10**9)) for _ in "ab")
    service = _paid(cycle, start, end, old)
    when = datetime.combine(day, time(12), UTC)
    done = change_package(
        service, OWNER, when, catalog=IMMEDIATE_CATALOG, to_edition="PRO", new_price=new
    )
    # Credit old * left/total and charge new * left/total, each rounded half up once.
    left, total = (end - day).days, (end - start).days
    quantum = Fraction(currency.quantum)
    credit = _rounded(Fraction(old.amount) * left / total, quantum)
    charge = _rounded(Fraction(new.amount) * left / total, quantum)
    expected = [] if old == new else [-credit] * bool(old.amount) + [charge] * bool(new.amount)
    assert [Fraction(a.amount) for a in amounts(done)] == expected
    assert all(ln.period == Period(day, end) for ln in done.lines)
    assert Fraction(done.total.amount if done.total else 0) == sum(expected, Fraction(0))


@given(paid=paid_periods(), data=st.data())
def test_an_upgrade_and_its_reverse_on_the_same_day_always_net_to_zero(
    paid: tuple[BillingCycle, date, date, date], data: st.DataObject
) -> None:
    cycle, start, end, day = paid
    currency = data.draw(currencies())
    low = data.draw(money(currency, min_minor_units=0, max_minor_units=10**9))
    high = data.draw(money(currency, min_minor_units=0, max_minor_units=10**9))
    assume(high != low)
    service = _paid(cycle, start, end, low)
    when = datetime.combine(day, time(9), UTC)
    up = change_package(
        service, OWNER, when, catalog=IMMEDIATE_CATALOG, to_edition="PRO", new_price=high
    )
    back = change_package(
        up.service,
        OWNER,
        when + timedelta(hours=1),
        catalog=IMMEDIATE_CATALOG,
        to_edition="BASIC",
        new_price=low,
    )
    both = up.then(back)
    assert both.total is not None and both.total.is_zero
    assert back.service.price.amount == low


def test_a_restart_charging_nothing_now_is_due_when_the_restarted_period_ends() -> None:
    # Anchor.RESTART with ChargeMode.NONE: a new year starts on the change day, Apr 16, and
    # costs nothing until it ends (the new price "starts at the next renewal"), so the next
    # due date is 2026-04-16, as quote_change says; the year after is billed then.
    policy = ChangePolicy(anchor=Anchor.RESTART, charge=ChargeMode.NONE)
    done = to_annual(web(), policy=policy)
    assert amounts(done) == [usd("-5.00")]
    quote = quote_change(
        Charge(usd("10.00"), P("2025-04-01", "2025-05-01")),
        usd("100.00"),
        d("2025-04-16"),
        new_cycle=ANNUAL,
        policy=policy,
    )
    assert done.service.next_due == quote.next_due == d("2026-04-16")
    renewed = renew(done.service, SYSTEM, at("2026-04-16"))
    assert rows(renewed.lines) == [("recurring", "[2026-04-16, 2027-04-16)", "100.00")]
    assert renewed.service.next_due == d("2027-04-16")


def test_a_restart_in_arrears_leaves_the_next_due_date_on_the_first_day_not_paid() -> None:
    # In arrears the next due date is the first day not paid for; restarting the period on
    # Apr 16 pays for nothing, so it stays on Apr 1 until the days used are invoiced and paid.
    scheme = BillingTermScheme(
        "POST", "post-billed", prepaid=False, terms=[BillingTerm("WEB", BillingTiming.IN_ARREARS)]
    )
    service = under_terms(web(), scheme)
    done = change_edition(
        service, "PRO", catalog=CATALOG, policy=ChangePolicy(anchor=Anchor.RESTART)
    )
    assert done.lines == () and done.service.next_due == d("2025-04-01")
