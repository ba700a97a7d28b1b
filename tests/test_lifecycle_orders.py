"""Orders: validation rules, pricing, promo code fallback, and the services an order creates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import ANNUAL, MONTHLY, CurrencyMismatch, Money, RuleViolation
from prodlife.errors import InvalidInstant
from prodlife.lifecycle.order_quotes import price_order
from prodlife.lifecycle.ordered_services import services_for
from prodlife.lifecycle.orders import (
    DomainAction,
    DomainLine,
    Order,
    OrderLine,
    OrderOptions,
    OrderStatus,
)
from prodlife.lifecycle.status import ORDERED
from prodlife.pricing import (
    AddonPick,
    ConfigurableOption,
    OptionChoice,
    OptionPick,
    OrderLineSpec,
    PlanRate,
    PricePlan,
    PricingContext,
    Promotion,
    PromotionKind,
    Rate,
    quote_order_line,
)
from tests._support import usd

AT = datetime(2025, 1, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 2025-02-01 UTC
RAM = ConfigurableOption(
    "RAM", "RAM", (OptionChoice("4GB", "4 GB", {MONTHLY: usd("2.00")}),), applies_to={"VPS"}
)
PLAN = PricePlan(
    "STD",
    "Standard",
    "USD",
    [
        PlanRate("VPS", MONTHLY, Rate.flat(usd("10.00")), setup_fee=usd("5.00")),
        PlanRate("VPS", ANNUAL, Rate.flat(usd("100.00"))),
        PlanRate("CRM", MONTHLY, Rate.per_unit(usd("4.00"))),
        PlanRate("BACKUP", ANNUAL, Rate.flat(usd("30.00"))),
        PlanRate("BACKUP", MONTHLY, Rate.flat(usd("3.00"))),
    ],
    options=(RAM,),
)
HALF = Promotion("HALF", PromotionKind.PERCENTAGE, Decimal(50))
TENTH = Promotion("TENTH", PromotionKind.PERCENTAGE, Decimal(10))
CONTEXT = PricingContext(PLAN, date(2025, 2, 1), options=(RAM,), promotions=(HALF, TENTH))


def order(**overrides: object) -> Order:
    fields: dict[str, object] = {
        "id": "O-1",
        "customer_id": "C-1",
        "payment_method": "card",
        "lines": (OrderLine(OrderLineSpec("VPS")),),
        "placed_at": AT,
    }
    fields.update(overrides)
    return Order(**fields)  # type: ignore[arg-type]


def rule_of(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(RuleViolation) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    return raised.value.rule


# --- validation, each rule by id -------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"id": " O-1"}, "order.code"),
        ({"customer_id": ""}, "order.code"),
        ({"payment_method": None}, "order.code"),
        ({"promo_code": ""}, "order.promo-code"),
        ({"lines": ()}, "order.empty"),
        ({"lines": ("VPS",)}, "order.line"),
        ({"domains": ("example.com",)}, "order.domain"),
        ({"status": "pending"}, "order.status"),
        ({"options": {}}, "order.options"),
        (
            {
                "domains": (
                    DomainLine("example.com", DomainAction.REGISTER),
                    DomainLine("EXAMPLE.com", DomainAction.TRANSFER, auth_code="x"),
                )
            },
            "order.duplicate-domain",
        ),
    ],
)
def test_order_rules(overrides: dict[str, object], rule: str) -> None:
    assert rule_of(order, **overrides) == rule


def test_a_naive_placed_at_is_refused() -> None:
    with pytest.raises(InvalidInstant):
        order(placed_at=datetime(2025, 1, 1))


def test_an_order_of_domains_only_is_valid() -> None:
    only = order(lines=(), domains=(DomainLine("example.com", DomainAction.REGISTER),))
    assert only.lines == () and only.status is OrderStatus.PENDING
    assert only.placed_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("build", "rule"),
    [
        (lambda: OrderLine(OrderLineSpec("VPS"), services=0), "order.services"),
        (lambda: OrderLine(OrderLineSpec("VPS"), services=True), "order.services"),
        (lambda: OrderLine("VPS"), "order.line"),  # type: ignore[arg-type]
        (lambda: OrderLine(OrderLineSpec("VPS"), domain="no spaces.com"), "order.domain"),
        (lambda: OrderLine(OrderLineSpec(" VPS")), "order.code"),
        (lambda: DomainLine("localhost", DomainAction.REGISTER), "order.domain"),
        (lambda: DomainLine("-bad.com", DomainAction.REGISTER), "order.domain"),
        (lambda: DomainLine("example.com", "register"), "order.domain"),  # type: ignore[arg-type]
        (lambda: DomainLine("example.com", DomainAction.REGISTER, years=0), "order.domain-years"),
        (lambda: DomainLine("example.com", DomainAction.REGISTER, years=11), "order.domain-years"),
        (lambda: DomainLine("example.com", DomainAction.TRANSFER), "order.auth-code"),
        (
            lambda: DomainLine("example.com", DomainAction.TRANSFER, auth_code=" "),
            "order.auth-code",
        ),
        (
            lambda: DomainLine("example.com", DomainAction.REGISTER, auth_code="EPP"),
            "order.auth-code",
        ),
        (
            lambda: DomainLine("example.com", DomainAction.REGISTER, price_override=usd("-1")),
            "order.domain-price",
        ),
        (lambda: OrderOptions(generate_invoice=False), "order.options"),
        (lambda: OrderOptions(send_confirmation=1), "order.options"),  # type: ignore[arg-type]
    ],
)
def test_line_and_option_rules(build: object, rule: str) -> None:
    assert rule_of(build) == rule


def test_valid_domains_and_options() -> None:
    transfer = DomainLine("sub.xn--p1ai", DomainAction.TRANSFER, years=10, auth_code="EPP-1")
    assert transfer.years == 10
    assert DomainLine("my-site.co.uk", DomainAction.REGISTER).auth_code is None
    assert not OrderOptions(generate_invoice=False, send_invoice_email=False).generate_invoice


# --- pricing ----------------------------------------------------------------------------


def test_the_total_is_the_sum_of_line_quotes_times_services_plus_domains() -> None:
    placed = order(
        lines=(
            OrderLine(OrderLineSpec("VPS", options=(OptionPick("RAM", "4GB"),)), services=2),
            OrderLine(OrderLineSpec("CRM", quantity=3)),
        ),
        domains=(DomainLine("example.com", DomainAction.REGISTER, 2, price_override=usd("25")),),
    )
    quote = price_order(placed, CONTEXT)
    vps, crm = (quote_order_line(line.spec, CONTEXT) for line in placed.lines)
    assert quote.quotes == (vps, crm)
    assert vps.total == usd("17.00") and crm.total == usd("12.00")
    assert quote.total == vps.total * 2 + crm.total + usd("25") == usd("71.00")
    assert quote.domain_prices == (usd("25"),)


def test_the_order_promo_code_applies_to_lines_without_their_own() -> None:
    placed = order(
        promo_code="HALF",
        lines=(
            OrderLine(OrderLineSpec("VPS")),
            OrderLine(OrderLineSpec("CRM", promo_code="TENTH")),
        ),
    )
    quote = price_order(placed, CONTEXT)
    discounts = [
        [line.amount for line in q.lines if line.kind.value == "discount"] for q in quote.quotes
    ]
    assert discounts == [[usd("-5.00")], [usd("-0.40")]]
    assert placed.spec_for(placed.lines[0]).promo_code == "HALF"
    assert placed.spec_for(placed.lines[1]).promo_code == "TENTH"


def test_the_promo_code_is_checked_for_the_order_customer() -> None:
    # the context has no customer: pricing uses the order's, so the code is accepted
    assert CONTEXT.customer_id == ""
    assert price_order(order(promo_code="HALF"), CONTEXT).total == usd("10.00")


def test_a_domain_without_a_price_is_refused() -> None:
    placed = order(domains=(DomainLine("example.com", DomainAction.TRANSFER, auth_code="E"),))
    assert rule_of(price_order, placed, CONTEXT) == "order.domain-price"


def test_a_domain_in_another_currency_is_refused() -> None:
    domain = DomainLine("example.com", DomainAction.REGISTER, price_override=Money("9", "EUR"))
    with pytest.raises(CurrencyMismatch):
        price_order(order(domains=(domain,)), CONTEXT)


def test_an_order_of_domains_only_is_priced_in_their_currency() -> None:
    domain = DomainLine("example.com", DomainAction.REGISTER, price_override=Money("9", "EUR"))
    quote = price_order(order(lines=(), domains=(domain,)), CONTEXT)
    assert quote.total == Money("9", "EUR") and quote.lines == ()


# --- services ---------------------------------------------------------------------------


def test_a_line_of_n_services_creates_n_pending_services_with_distinct_ids() -> None:
    placed = order(
        lines=(
            OrderLine(OrderLineSpec("CRM", quantity=5), services=3),
            OrderLine(OrderLineSpec("VPS"), domain="example.com"),
        )
    )
    made = services_for(placed, price_order(placed, CONTEXT), first_id=7, id_prefix="SRV")
    assert [s.id for s in made] == ["SRV7", "SRV8", "SRV9", "SRV10"]
    assert [s.product_code for s in made] == ["CRM", "CRM", "CRM", "VPS"]
    crm = made[0]
    assert crm.quantity == 5 and crm.price.amount == usd("20.00") and not crm.price.override
    assert crm.start == date(2025, 2, 1) and crm.next_due == date(2025, 3, 1)
    assert crm.status == ORDERED and crm.customer_id == "C-1" and crm.payment_method == "card"
    assert made[3].domain == "example.com" and crm.domain is None


def test_each_ordered_rate_records_where_its_price_came_from() -> None:
    listed = order(lines=(OrderLine(OrderLineSpec("VPS", options=(OptionPick("RAM", "4GB"),))),))
    (service,) = services_for(listed, price_order(listed, CONTEXT), context=CONTEXT)
    sources = {t.subject: [r.source for r in t.rates] for t in service.timeline.tracks}
    assert sources == {"": ["plan STD"], "RAM": ["plan STD"]}
    spec = OrderLineSpec("VPS", price_override=usd("7.00"))
    overridden = order(lines=(OrderLine(spec),))
    (service,) = services_for(overridden, price_order(overridden, CONTEXT), context=CONTEXT)
    assert [r.source for r in service.timeline.track("").rates] == ["override"]


def test_services_carry_override_options_and_addons() -> None:
    spec = OrderLineSpec(
        "VPS",
        price_override=usd("7.00"),
        options=(OptionPick("RAM", "4GB"),),
        addons=(AddonPick("BACKUP", ANNUAL), "BACKUP2"),
    )
    plan = PricePlan(
        "STD", "Standard", "USD", [*PLAN.rates, PlanRate("BACKUP2", MONTHLY, Rate.flat(usd("1")))]
    )
    context = PricingContext(plan, date(2025, 2, 1), options=(RAM,))
    placed = order(lines=(OrderLine(spec),))
    (service,) = services_for(placed, price_order(placed, context))
    assert service.price.amount == usd("7.00") and service.price.override
    assert [(o.code, o.choice, o.quantity) for o in service.options] == [("RAM", "4GB", 1)]
    backup, backup2 = service.addons
    assert (backup.code, backup.cycle, backup.next_due) == ("BACKUP", ANNUAL, date(2026, 2, 1))
    assert backup.price is not None and backup.price.amount == usd("30.00")
    assert (backup2.cycle, backup2.next_due) == (MONTHLY, date(2025, 3, 1))
    assert backup2.status == ORDERED and backup2.start == service.start


def test_a_quote_of_another_order_is_refused() -> None:
    quote = price_order(order(), CONTEXT)
    assert rule_of(services_for, order(id="O-2"), quote) == "order.quote"
    two = order(lines=(OrderLine(OrderLineSpec("VPS"), services=2),))
    assert rule_of(services_for, two, quote) == "order.quote"


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.FRAUD])
def test_cancelled_or_fraud_orders_create_no_services(status: OrderStatus) -> None:
    placed = order(status=status)
    assert rule_of(services_for, placed, price_order(placed, CONTEXT)) == "order.status"


def test_a_negative_first_id_is_refused() -> None:
    placed = order()
    assert rule_of(services_for, placed, price_order(placed, CONTEXT), first_id=-1) == (
        "order.services"
    )


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["VPS", "CRM", "BACKUP"]),
            st.sampled_from([None, MONTHLY, ANNUAL]),
            st.integers(1, 4),
            st.integers(1, 3),
        ),
        min_size=1,
        max_size=4,
    ),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
    ),
)
def test_services_count_and_state(
    rows: list[tuple[str, object, int, int]], placed_at: datetime
) -> None:
    lines = []
    for code, cycle, seats, count in rows:
        if code == "CRM":
            cycle = MONTHLY
        lines.append(OrderLine(OrderLineSpec(code, seats, cycle), services=count))  # type: ignore[arg-type]
    placed = order(lines=lines, placed_at=placed_at)
    context = PricingContext(PLAN, placed_at.date())
    quote = price_order(placed, context)
    made = services_for(placed, quote)
    assert len(made) == sum(line.services for line in placed.lines)
    assert len({s.id for s in made}) == len(made)
    assert quote.total == sum((q.quote.total * q.services for q in quote.lines), usd("0"))
    for service in made:
        assert service.status == ORDERED
        assert service.next_due is not None and service.next_due > service.start
        assert service.start == placed_at.date()


def test_services_start_on_the_order_date_in_the_customers_zone() -> None:
    late = order(placed_at=datetime(2025, 1, 31, 23, 30, tzinfo=UTC))
    quote = price_order(late, CONTEXT)
    tokyo = services_for(late, quote, zone="Asia/Tokyo")
    utc = services_for(late, quote)
    assert {service.start for service in tokyo} == {date(2025, 2, 1)}
    assert {service.start for service in utc} == {date(2025, 1, 31)}
