# Over 400 lines: a price plan and its rows: the lookup of a row (product, edition, cycle,
# date) and the checks of the rows are one rule set; rate models are in pricing/rates.py.
"""Price plans: rates per product, edition and billing cycle, and a service's recurring price.

A :class:`PricePlan` is a price catalog in one currency (seed 004). Each row, a
:class:`PlanRate`, prices one product (optionally one edition of it) on one
billing cycle, with a :class:`~prodlife.pricing.rates.Rate`, an optional
one-time setup fee charged when the product is ordered on that cycle, dates of
validity, and whether the rate also applies when the product is a component of
a bundle (seed 004: "whether the rate is applied to bundle components").

Looking a rate up (:meth:`PricePlan.rate_for`) takes the row for the edition
asked for, and falls back to the product's edition-less row for that cycle.
When an order names no cycle (seed 003: "if the billing cycle and price
override fields are left unchanged, the pricing of the shortest configured
cycle is used"), :meth:`PricePlan.default_rate` takes the shortest cycle.

:class:`RecurringPrice` is what a service is charged every cycle: the list
price, or a custom price set by hand (seed 003's price override), and how it
changes when the service's product, options, cycle or promotion change
(:meth:`RecurringPrice.recalculate`, seed 003's "auto recalculate on save").

====================  ================================================================
rule                  condition
====================  ================================================================
``plan.name``         a price plan has a name
``plan.rate``         a row's rate is a :class:`~prodlife.pricing.rates.Rate` and its
                      cycle a :class:`~prodlife.BillingCycle`
``plan.setup-fee``    a setup fee is a Money of zero or more, in the rate's currency
``plan.validity``     validity bounds are dates, and the end comes after the start
``plan.currency``     every row, option price and discount amount of a plan is in the
                      plan's currency
``plan.overlap``      no two rows of a plan price one product, edition and cycle on a
                      same day
``plan.option``       a plan's options are ConfigurableOptions with unique codes
``plan.discount``     a plan's discounts are AdditiveDiscounts with unique codes
``plan.tax``          a plan's taxes are TaxRates with unique codes, its tax rules
                      TaxRules, and it has not both
``plan.basis``        a plan's price basis is a PriceBasis
``plan.rounding``     a plan's rounding is a decimal rounding mode
``recurring.amount``  a recurring price is a Money of zero or more, and a new list
                      price is in the same currency
====================  ================================================================

>>> from datetime import date
>>> from prodlife import ANNUAL, MONTHLY, Money
>>> from prodlife.pricing.rates import Rate
>>> plan = PricePlan(
...     "STD",
...     "Standard",
...     "USD",
...     (
...         PlanRate("VPS", ANNUAL, Rate.flat(Money("100.00", "USD"))),
...         PlanRate("VPS", MONTHLY, Rate.flat(Money("10.00", "USD"))),
...         PlanRate("VPS", MONTHLY, Rate.flat(Money("15.00", "USD")), edition="PRO"),
...     ),
... )
>>> plan.rate_for("VPS", MONTHLY, date(2025, 1, 1), edition="PRO").rate.price
Money('15.00', 'USD')
>>> plan.rate_for("VPS", ANNUAL, date(2025, 1, 1), edition="PRO").rate.price
Money('100.00', 'USD')
>>> plan.default_rate("VPS", date(2025, 1, 1)).cycle
MONTHLY
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import attrs

from prodlife.catalog._findings import Finding, check_code, raise_first
from prodlife.catalog._findings import is_a as _is
from prodlife.catalog.products import Validity
from prodlife.cycles import BillingCycle
from prodlife.errors import NotFound, ValidationError
from prodlife.money import Currency, Money
from prodlife.periods import _require_date
from prodlife.pricing._cycle_order import cycle_order
from prodlife.pricing._plan_terms import check_plan_terms, discount_tuple, option_tuple, tax_tuple
from prodlife.pricing.discounts import AdditiveDiscount
from prodlife.pricing.options import ConfigurableOption
from prodlife.pricing.rates import Rate, RateCharge
from prodlife.pricing.tax_rules import TaxRules
from prodlife.pricing.taxes import PriceBasis, TaxRate

__all__ = [
    "PlanRate",
    "PricePlan",
    "check_plan_rate",
    "check_price_plan",
    "cycle_order",
]


def _validity_findings(validity: object, what: str) -> list[Finding]:
    if not isinstance(validity, Validity):
        return [("plan.validity", f"{what} validity {validity!r} must be a Validity")]
    found: list[Finding] = []
    for bound in (validity.start, validity.end):
        if bound is not None and (isinstance(bound, datetime) or not isinstance(bound, date)):
            found.append(("plan.validity", f"{what} validity bound {bound!r} must be a date"))
    start, end = validity.start, validity.end
    if not found and start is not None and end is not None and end <= start:
        found.append(
            (
                "plan.validity",
                f"{what} validity ends on {end}, not after it starts on {start}; the end date "
                "is the first day it is no longer valid",
            )
        )
    return found


def _overlap(a: Validity, b: Validity) -> bool:
    starts_before_b_ends = a.start is None or b.end is None or a.start < b.end
    b_starts_before_a_ends = b.start is None or a.end is None or b.start < a.end
    return starts_before_b_ends and b_starts_before_a_ends


def _describe_validity(validity: Validity) -> str:
    if validity.start is None and validity.end is None:
        return "always"
    if validity.end is None:
        return f"from {validity.start}"
    if validity.start is None:
        return f"until {validity.end} (exclusive)"
    return f"from {validity.start} until {validity.end} (exclusive)"


@attrs.frozen(slots=True)
class PlanRate:
    """One row of a price plan: how a product (or one edition of it) is priced on one cycle.

    Args:
        product_code: the product priced.
        cycle: the billing cycle the rate is charged on.
        rate: the rate, charged every cycle (once for a one-time cycle).
        edition: the edition priced; ``None`` prices every edition that has
            no row of its own.
        setup_fee: a one-time fee charged when the product is ordered on this
            cycle; ``None`` for none.
        validity: the days the row may be used on (half-open, like a product's).
        applies_to_components: whether the rate also prices the product when
            it is a component of a bundle; when ``False`` the component is
            included in its bundle's price (see :meth:`applies`).

    Raises:
        RuleViolation: a rule of the module's table is broken.
    """

    product_code: str
    cycle: BillingCycle
    rate: Rate
    edition: str | None = None
    setup_fee: Money | None = None
    validity: Validity = attrs.field(factory=Validity)
    applies_to_components: bool = True

    def __attrs_post_init__(self) -> None:
        raise_first(check_plan_rate(self), self.product_code)

    @property
    def currency(self) -> Currency:
        """The currency of the rate (and setup fee)."""
        return self.rate.currency

    def applies(self, *, as_component: bool) -> bool:
        """Whether the row prices the product, sold alone or as a bundle component.

        A row always prices the product sold on its own; it prices a bundle
        component only when ``applies_to_components`` is set. Otherwise the
        quote charges the component nothing (its bundle's price covers it).
        """
        return self.applies_to_components or not as_component

    def charge(self, quantity: int | Decimal = 1) -> RateCharge:
        """The rate's charge for ``quantity`` units, one cycle (the setup fee not included)."""
        return self.rate.charge(quantity)

    def describe(self) -> str:
        """Name the row for messages: ``VPS edition PRO, monthly``."""
        edition = "" if self.edition is None else f" edition {self.edition}"
        return f"{self.product_code}{edition}, {self.cycle}"


def check_plan_rate(row: PlanRate) -> list[Finding]:
    """Every rule ``row`` breaks on its own (without the rest of its plan)."""
    found = check_code(row.product_code, "product")
    if row.edition is not None:
        found += check_code(row.edition, "edition")
    if not _is(row.cycle, BillingCycle):
        found.append(("plan.rate", f"cycle {row.cycle!r} must be a BillingCycle, e.g. MONTHLY"))
    if not _is(row.rate, Rate):
        found.append(("plan.rate", f"rate {row.rate!r} must be a Rate, e.g. Rate.flat(price)"))
    fee = row.setup_fee
    if fee is not None:
        if not isinstance(fee, Money) or fee.amount < 0:
            found.append(
                ("plan.setup-fee", f"setup fee {fee!r} must be a Money of zero or more, or None")
            )
        elif isinstance(row.rate, Rate) and fee.currency != row.rate.currency:
            found.append(
                (
                    "plan.setup-fee",
                    f"setup fee {fee} is not in {row.rate.currency} like the rate; give both "
                    "in one currency",
                )
            )
    found += _validity_findings(row.validity, "row")
    if not found:
        return found
    prefix = f"price plan row for {row.product_code!r}"
    return [(rule, f"{prefix}: {message}") for rule, message in found]


def _to_currency(value: Currency | str) -> Currency:
    return value if isinstance(value, Currency) else Currency(value)


def _rows(values: Iterable[PlanRate]) -> tuple[PlanRate, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class PricePlan:
    """A price catalog in one currency: rows of rates for products, editions and cycles.

    Args:
        code: the plan's code.
        name: its display name.
        currency: the currency of every row (a :class:`~prodlife.money.Currency` or code).
        rates: the rows.
        validity: the days the plan may be used on; a row is used only on
            days both it and its plan are valid.
        options: the configurable options its orders and option changes are
            priced with (each choice's price per cycle, in the plan's currency).
        discounts: the additive discounts of its orders, applied in this order.
        taxes: the tax rates of its orders, in order (compound rates compound
            on the ones before them), wherever the customer is.
        tax_rules: instead of ``taxes``, rules choosing each product's rates
            by the customer's location (an order then names the location).
        basis: whether its prices exclude or include tax.
        rounding: the rounding mode of every line priced from it.

    The use cases of :class:`~prodlife.app.Billing` read all of these from
    the stored plan, never from the caller
    (:func:`~prodlife.pricing.context_from_plan`; their rules are in the
    module's table).

    Raises:
        RuleViolation: a rule of the module's table is broken, e.g. two rows
            for one product, edition and cycle are valid on a same day
            (``plan.overlap``).
        UnknownCurrency: the currency code is unknown.
    """

    code: str
    name: str
    currency: Currency = attrs.field(converter=_to_currency)
    rates: tuple[PlanRate, ...] = attrs.field(default=(), converter=_rows)
    validity: Validity = attrs.field(factory=Validity)
    options: tuple[ConfigurableOption, ...] = attrs.field(default=(), converter=option_tuple)
    discounts: tuple[AdditiveDiscount, ...] = attrs.field(default=(), converter=discount_tuple)
    taxes: tuple[TaxRate, ...] = attrs.field(default=(), converter=tax_tuple)
    tax_rules: TaxRules | None = None
    basis: PriceBasis = PriceBasis.EXCLUSIVE
    rounding: str = decimal.ROUND_HALF_UP

    def __attrs_post_init__(self) -> None:
        raise_first(check_price_plan(self), self.code)

    def _rows_on(self, product_code: str, on: date, edition: str | None) -> list[PlanRate]:
        return [
            row
            for row in self.rates
            if row.product_code == product_code
            and row.edition == edition
            and row.validity.covers(on)
        ]

    def _usable(self, product_code: str, on: date, edition: str | None) -> list[PlanRate]:
        """The rows usable on ``on``: the edition's own first, then the edition-less ones."""
        _require_date(on, "pricing date")
        if not isinstance(product_code, str) or not (edition is None or isinstance(edition, str)):
            raise ValidationError(
                f"product code {product_code!r} and edition {edition!r} must be text (the "
                "edition may be None)"
            )
        if not self.validity.covers(on):
            return []
        rows = self._rows_on(product_code, on, edition)
        if edition is not None:
            rows += self._rows_on(product_code, on, None)
        return rows

    def _key(self, product_code: str, edition: str | None, cycle: BillingCycle | None) -> str:
        key = product_code if edition is None else f"{product_code} edition {edition}"
        return key if cycle is None else f"{key}, {cycle}"

    def _missing(self, product_code: str, on: date, edition: str | None) -> str:
        if not self.validity.covers(on):
            return (
                f"price plan {self.code!r} is valid {_describe_validity(self.validity)}, not on "
                f"{on}; use another plan or date"
            )
        hint = f"price plan {self.code!r} has no rate for {product_code} on {on}"
        other_days = sorted(
            {
                _describe_validity(row.validity)
                for row in self.rates
                if row.product_code == product_code and row.edition in (edition, None)
            }
        )
        if other_days:
            hint += f" (its rows for it are valid {'; '.join(other_days)})"
        editions = sorted(
            {row.edition for row in self.rates if row.product_code == product_code} - {None},
            key=str,
        )
        if edition is None and editions:
            hint += f"; it prices editions {editions} of it, so pass one of those"
        return hint + "; add a row or check the product code, edition and date"

    def rate_for(
        self, product_code: str, cycle: BillingCycle, on: date, edition: str | None = None
    ) -> PlanRate:
        """The row pricing ``product_code`` on ``cycle`` on day ``on``.

        The edition's own row is taken first; without one, the product's
        edition-less row for the cycle. With ``edition=None`` only
        edition-less rows are used.

        Raises:
            NotFound: no row prices it on that day; the message lists the
                cycles that are priced, or why none is.
            InvalidBillingCycle: ``cycle`` is not a BillingCycle.
            InvalidPeriod: ``on`` is not a date within the year window.
            ValidationError: the product code or edition is not text.
        """
        cycle_order(cycle)  # refuses what is not a cycle
        rows = [row for row in self._usable(product_code, on, edition) if row.cycle == cycle]
        if rows:
            return rows[0]
        key = self._key(product_code, edition, cycle)
        cycles = self.cycles_for(product_code, on, edition)
        if cycles:
            names = ", ".join(str(each) for each in cycles)
            raise NotFound(
                "plan rate",
                key,
                f"price plan {self.code!r} prices {self._key(product_code, edition, None)} on "
                f"{on} only for {names}; pick one of those cycles or add a row for {cycle}",
            )
        raise NotFound("plan rate", key, self._missing(product_code, on, edition))

    def cycles_for(
        self, product_code: str, on: date, edition: str | None = None
    ) -> tuple[BillingCycle, ...]:
        """The cycles ``product_code`` is priced on, on day ``on``: recurring shortest first.

        Counts the edition's own rows and the product's edition-less rows (the
        fallback :meth:`rate_for` uses). A one-time cycle comes last (see
        :func:`cycle_order`). Empty when the product is not priced that day.

        Raises:
            InvalidPeriod: ``on`` is not a date within the year window.
            ValidationError: the product code or edition is not text.
        """
        cycles = {row.cycle for row in self._usable(product_code, on, edition)}
        return tuple(sorted(cycles, key=cycle_order))

    def default_rate(self, product_code: str, on: date, edition: str | None = None) -> PlanRate:
        """The row used when an order names no cycle: the shortest configured cycle's (seed 003).

        The shortest recurring cycle wins; a one-time row is used only when
        the product has no recurring one.

        Raises:
            NotFound: the product is not priced on that day.
            InvalidPeriod: ``on`` is not a date within the year window.
            ValidationError: the product code or edition is not text.
        """
        cycles = self.cycles_for(product_code, on, edition)
        if not cycles:
            raise NotFound(
                "plan rate",
                self._key(product_code, edition, None),
                self._missing(product_code, on, edition),
            )
        return self.rate_for(product_code, cycles[0], on, edition)


def check_price_plan(plan: PricePlan) -> list[Finding]:
    """Every rule ``plan`` breaks (its own and across its rows)."""
    found = check_code(plan.code, "price plan")
    if not isinstance(plan.name, str) or not plan.name.strip():
        found.append(("plan.name", "a price plan needs a name; give it one"))
    found += _validity_findings(plan.validity, "plan")
    rows = [row for row in plan.rates if isinstance(row, PlanRate)]
    if len(rows) != len(plan.rates):
        found.append(("plan.rate", "every row of a price plan must be a PlanRate"))
    for row in rows:
        if row.currency != plan.currency:
            found.append(
                (
                    "plan.currency",
                    f"row {row.describe()} is in {row.currency}, not in the plan's "
                    f"{plan.currency}; put it in a plan of that currency",
                )
            )
    for index, row in enumerate(rows):
        for other in rows[index + 1 :]:
            same = (row.product_code, row.edition, row.cycle) == (
                other.product_code,
                other.edition,
                other.cycle,
            )
            if same and _overlap(row.validity, other.validity):
                found.append(
                    (
                        "plan.overlap",
                        f"two rows price {row.describe()} on the same days (valid "
                        f"{_describe_validity(row.validity)} and "
                        f"{_describe_validity(other.validity)}); end one before the other starts",
                    )
                )
    found += check_plan_terms(plan)
    return [(rule, f"price plan {plan.code!r}: {message}") for rule, message in found]
