"""The fast paths build exactly what the general code builds.

``quote_change`` prices the most common change (one charge for a period, the
default policy, a change inside the period) in one pass, and the values on the
hot paths are built by :func:`prodlife._fast.builder` rather than through their
validating ``__init__``. Whatever they build must be indistinguishable from what
the general path builds: equal, of the same types, printing, rendering and
serializing the same, and failing with the same errors.
"""

from __future__ import annotations

import decimal
import json
import pickle
import weakref
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from attrs import AttrsInstance
from hypothesis import example, given
from hypothesis import strategies as st

from prodlife import Money, Period
from prodlife._fast import _by_descriptors, builder
from prodlife.limits import MAX_AMOUNT_DIGITS
from prodlife.money import Currency, _new
from prodlife.periods import _period
from prodlife.proration import ChangePolicy, Charge, Line, LineKind, Proration, Quote, quote_change
from prodlife.proration._share import _proration, make_line, prorate
from prodlife.proration.change import _plain_change
from prodlife.proration.explained import make_quote
from prodlife.serialization import make_converter
from tests._support import P, d, usd

CODES = ("USD", "JPY", "BHD", "CLF", "EUR")
LARGEST = "9" * MAX_AMOUNT_DIGITS + ".9999"


@st.composite
def amounts(draw: st.DrawFn, code: str) -> Money:
    """Amounts of any sign and exponent, rounded or not, up to 40 digits, within the bounds."""
    digits = draw(
        st.one_of(
            st.integers(-(10**6), 10**6),
            st.integers(-(10**40), 10**40),
            st.sampled_from([0, 1, -1, 5, 10**33, 10**34 - 1, 10**35]),
        )
    )
    exponent = draw(st.integers(-8, 3))
    value = Decimal(f"{digits}E{exponent}")
    if value.adjusted() >= MAX_AMOUNT_DIGITS:  # the largest amounts, of every length
        value = value.scaleb(MAX_AMOUNT_DIGITS - 1 - value.adjusted(), decimal.Context(prec=60))
    return Money(value, code)


@st.composite
def changes(draw: st.DrawFn) -> tuple[Charge, Money, date, str]:
    code = draw(st.sampled_from(CODES))
    start = draw(st.dates(date(1990, 1, 1), date(2100, 1, 1)))
    days = draw(st.integers(1, 400))
    period = Period(start, start + timedelta(days=days))
    offset = draw(st.one_of(st.sampled_from([-1, 0, 1, days - 1, days]), st.integers(-2, days + 2)))
    at = start + timedelta(days=offset)
    description = draw(st.sampled_from(["", "basic", "Pro × 2"]))
    charge = Charge(draw(amounts(code)), period, description=description)
    label = draw(st.sampled_from(["new plan", "", "premium"]))
    return charge, draw(amounts(code)), at, label


def outcome(run: Callable[[], object]) -> tuple[object, ...]:
    """What a call gives: its result, or the error's type and message."""
    try:
        return ("result", run())
    except Exception as error:
        return ("error", type(error), str(error))


def shown(run: Callable[[], object]) -> tuple[object, ...]:
    """How a call's result prints (or the error it raises)."""
    result = outcome(run)
    return (result[0], repr(result[1]), *result[2:])


def assert_same_quote(fast: Quote, general: Quote) -> None:
    assert type(fast) is type(general) is Quote
    assert fast == general
    assert hash(fast) == hash(general)
    assert repr(fast) == repr(general)
    # Printing an exact amount too long for 6 decimal places within 34 digits fails
    # the same way for both.
    assert shown(lambda: str(fast)) == shown(lambda: str(general))
    assert shown(lambda: fast.format("fr_FR")) == shown(lambda: general.format("fr_FR"))
    assert shown(fast._repr_html_) == shown(general._repr_html_)
    assert shown(fast.as_rows) == shown(general.as_rows)
    assert repr(fast.net) == repr(general.net) and str(fast.net) == str(general.net)
    assert repr(fast.in_force) == repr(general.in_force)
    assert fast.credits == general.credits and fast.charges == general.charges
    for mine, theirs in zip(fast.lines, general.lines, strict=True):
        assert type(mine) is type(theirs) is Line
        assert type(mine.proration) is type(theirs.proration) is Proration
        for field in attrs.fields(Proration):
            ours = getattr(mine.proration, field.name)
            assert type(ours) is type(getattr(theirs.proration, field.name))
        assert repr(mine.proration.exact) == repr(theirs.proration.exact)
        assert mine.proration.fraction == theirs.proration.fraction
        assert repr(mine.amount) == repr(theirs.amount)
    converter = make_converter()
    assert json.dumps(converter.unstructure(fast)) == json.dumps(converter.unstructure(general))
    assert pickle.loads(pickle.dumps(fast)) == general


@given(changes())
@example((Charge(usd("30.00"), P("2025-11-01", "2025-12-01")), usd("100.00"), d("2025-11-16"), "x"))
@example((Charge(usd("30.00"), P("2025-11-01", "2025-12-01")), usd("100.00"), d("2025-11-01"), "x"))
@example((Charge(usd("30.00"), P("2025-11-01", "2025-12-01")), usd("100.00"), d("2025-11-30"), "x"))
@example((Charge(usd("30.00"), P("2025-11-01", "2025-12-01")), usd("100.00"), d("2025-12-01"), "x"))
@example((Charge(usd("30.00"), P("2025-11-01", "2025-12-01")), usd("100.00"), d("2025-10-31"), "x"))
@example((Charge(usd("-0.00"), P("2025-11-01", "2025-12-01")), usd("-0.005"), d("2025-11-11"), ""))
# ties: half up is not half even
@example((Charge(usd("0.125"), P("2025-11-01", "2025-12-01")), usd("0.005"), d("2025-11-01"), ""))
@example((Charge(usd("0.01"), P("2025-11-01", "2025-12-01")), usd("0.01"), d("2025-11-16"), ""))
@example((Charge(usd("-0.01"), P("2025-11-01", "2025-12-01")), usd("-0.01"), d("2025-11-16"), ""))
@example((Charge(usd(LARGEST), P("2025-11-01", "2025-12-01")), usd("100.00"), d("2025-11-11"), ""))
@example((Charge(usd("100.00"), P("2025-11-01", "2025-12-01")), usd(LARGEST), d("2025-11-11"), ""))
def test_the_one_pass_plan_change_is_the_general_one(
    change: tuple[Charge, Money, date, str],
) -> None:
    charge, new_price, at, label = change
    # An explicit policy equal to the default takes the general path.
    general = outcome(
        lambda: quote_change(charge, new_price, at, policy=ChangePolicy(), description=label)
    )
    fast = outcome(lambda: quote_change(charge, new_price, at, description=label))
    if general[0] == "error":
        assert fast == general
        return
    assert fast[0] == "result"
    assert isinstance(fast[1], Quote) and isinstance(general[1], Quote)
    assert_same_quote(fast[1], general[1])
    if charge.span.start <= at < charge.span.end:
        # ... and the one pass really is what priced it.
        plain = _plain_change(charge, new_price, at, label)
        if plain is not None:
            assert_same_quote(plain, general[1])


def test_the_one_pass_prices_the_common_change() -> None:
    paid = Charge(usd("30.00"), P("2025-11-01", "2025-12-01"))
    quote = _plain_change(paid, usd("100.00"), d("2025-11-16"), "new plan")
    assert quote is not None
    assert [str(line.amount) for line in quote.lines] == ["USD -15.00", "USD 50.00"]


@pytest.mark.parametrize(
    ("charged", "new_price", "at"),
    [
        # a window, instants, another currency, a Money subclass: the general path
        (
            Charge(usd("30.00"), P("2025-11-10", "2025-12-01"), P("2025-11-01", "2025-12-01")),
            usd("100.00"),
            d("2025-11-16"),
        ),
        (Charge(usd("30.00"), P("2025-11-01", "2025-12-01")), Money("1", "EUR"), d("2025-11-16")),
        (
            Charge(usd("30.00"), P("2025-11-01", "2025-12-01")),
            usd("100.00"),
            datetime(2025, 11, 16, tzinfo=UTC),
        ),
        ([Charge(usd("30.00"), P("2025-11-01", "2025-12-01"))], usd("100.00"), d("2025-11-16")),
        (Charge(usd("30.00"), P("2025-11-01", "2025-12-01")), usd("100.00"), d("2025-12-01")),
    ],
)
def test_anything_else_is_left_to_the_general_path(
    charged: object, new_price: object, at: object
) -> None:
    assert _plain_change(charged, new_price, at, "new plan") is None


def test_a_money_subclass_is_left_to_the_general_path() -> None:
    class Dollars(Money):
        pass

    paid = Charge(usd("30.00"), P("2025-11-01", "2025-12-01"))
    dollars = Dollars(Decimal("100.00"), "USD")
    assert _plain_change(paid, dollars, d("2025-11-16"), "new plan") is None
    general = outcome(lambda: quote_change(paid, dollars, d("2025-11-16"), policy=ChangePolicy()))
    assert outcome(lambda: quote_change(paid, dollars, d("2025-11-16"))) == general


# -- builders ---------------------------------------------------------------------

USD = Currency("USD")
JANUARY = P("2025-01-01", "2025-02-01")
SHARE = prorate(usd("31.00"), JANUARY, P("2025-01-22", "2025-02-01"))


@pytest.mark.parametrize(
    ("build", "make", "values"),
    [
        (_new, Money, (Decimal("1.50"), USD)),
        (_period, Period, (d("2025-01-01"), d("2025-02-01"))),
        (
            _proration,
            Proration,
            (usd("31.00"), JANUARY, JANUARY, 31, 31, "actual days", usd("31.00"), "ROUND_UP"),
        ),
        (make_line, Line, (LineKind.CREDIT, "unused", SHARE, "seat")),
        (make_quote, Quote, ("plan change", USD, (), d("2025-02-01"))),
    ],
)
def test_a_built_value_is_the_constructed_one(
    build: Callable[..., AttrsInstance],
    make: Callable[..., AttrsInstance],
    values: tuple[object, ...],
) -> None:
    built = build(*values)
    made = make(*values)
    assert type(built) is type(made)
    assert built == made and hash(built) == hash(made) and repr(built) == repr(made)
    assert pickle.loads(pickle.dumps(built)) == made
    assert weakref.ref(built)() is built
    field = attrs.fields(type(made))[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(built, field, None)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        delattr(built, field)
    assert attrs.evolve(built) == made  # type: ignore[misc]  # mypy's attrs plugin needs a class
    slow = _by_descriptors(type(made), tuple(a.name for a in attrs.fields(type(made))))
    assert slow(*values) == made


def test_a_builder_still_refuses_to_leave_a_slot_unset() -> None:
    with pytest.raises(TypeError, match="leaves slots unset"):
        builder(Money, "amount")


def test_a_builder_works_for_a_class_with_its_own_new() -> None:
    @attrs.frozen(slots=True)
    class Counted:
        made: ClassVar[list[int]] = [0]
        value: int

        def __new__(cls, *args: object, **kwargs: object) -> Counted:
            cls.made[0] += 1
            return super().__new__(cls)

    build = builder(Counted, "value")
    before = Counted.made[0]
    built = build(3)
    assert type(built) is Counted and built == Counted(3)
    assert Counted.made[0] == before + 1  # Counted(3); the builder did not call __new__
