# Over 400 lines: one converter for every prodlife value, its hooks and the translation
# of its failures into prodlife's errors (InvalidData) belong together; a hook written
# elsewhere would be a second copy of a value's shape.
"""One cattrs converter for every prodlife value: to JSON-safe data and back, losslessly.

Amounts travel as strings (never floats), dates and instants as ISO 8601
text, currencies as codes, cycles and day-count conventions by name.

>>> from datetime import date
>>> from prodlife import Money, Period
>>> converter = make_converter()
>>> converter.unstructure(Money("10.50", "EUR"))
{'amount': '10.50', 'currency': 'EUR'}
>>> converter.structure({"start": "2025-01-01", "end": "2025-02-01"}, Period)
Period(2025-01-01, 2025-02-01)

Data that is not the value asked for is refused with :class:`InvalidData`,
naming each problem with its path (``$`` is the data itself):

>>> converter.structure({"amount": "10.50"}, Money)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
prodlife.serialization.InvalidData: cannot read Money from the data: $: the key 'currency' is ...
"""

from __future__ import annotations

import enum
import json
import re
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import attrs
import cattrs
from cattrs.errors import (
    ForbiddenExtraKeysError,
    IterableValidationNote,
    StructureHandlerNotFoundError,
)
from cattrs.v import format_exception

from prodlife._numbers import is_whole
from prodlife._text import shown, unknown_key_message
from prodlife.catalog.products import CustomField, FieldKind
from prodlife.cycles import BillingCycle
from prodlife.daycount import (
    ACTUAL_DAYS,
    SECONDS,
    THIRTY_DAY_MONTHS,
    ActualDays,
    CalendarMonthDays,
    DayCount,
    FixedDays,
    Seconds,
    Span,
    ThirtyDayMonths,
)
from prodlife.errors import ProdlifeError, ValidationError
from prodlife.money import Currency, Money, to_decimal
from prodlife.periods import Interval, Period

__all__ = ["Converter", "InvalidData", "UnknownDayCount", "day_count_named", "make_converter"]

_FIXED = re.compile(r"^fixed (\d+) days$")
_OVER = re.compile(r"^actual days over (\d+)$")
_CALENDAR = re.compile(r"^(\d+) days per calendar month$")
_NAMED: dict[str, DayCount] = {c.name: c for c in (ACTUAL_DAYS, THIRTY_DAY_MONTHS, SECONDS)}
_CONVENTION_TYPES = (ActualDays, ThirtyDayMonths, Seconds, FixedDays, CalendarMonthDays)


class UnknownDayCount(ValidationError):
    """A day-count convention name is not one prodlife knows."""

    def __init__(self, name: object) -> None:
        self.name = name
        patterns = ["fixed N days", "actual days over N", "N days per calendar month"]
        known = ", ".join(repr(n) for n in [*_NAMED, *patterns])
        super().__init__(f"unknown day-count convention {name!r}; use one of {known}")


#: What reading data can raise besides prodlife's own errors: cattrs' groups of errors, and
#: what a hook raises on data of the wrong shape (a key missing, text where a table belongs, a
#: number no Decimal holds, data nested past the stack).
_DATA_ERRORS = (
    cattrs.BaseValidationError,
    LookupError,
    TypeError,
    ValueError,
    AttributeError,
    ArithmeticError,
    RecursionError,
)
#: Problems an :class:`InvalidData` lists; junk can hold thousands.
_MAX_PROBLEMS = 20
_MAX_MESSAGE = 300
T = typing.TypeVar("T")


class InvalidData(ValidationError):
    """Data (from JSON, TOML or a store) cannot be read as the value asked for.

    Raised by :meth:`Converter.structure`. The message lists each problem with
    its path, ``$`` standing for the data itself (``$.amount``,
    ``$.tiers[2].price``).

    Attributes:
        kind: the type asked for.
        problems: each problem as ``(path, message)``, at most 20.
        detail: the error cattrs or a reading hook raised (a cattrs
            ``ClassValidationError`` groups one per field), for a reader that
            reports problems its own way.
    """

    def __init__(self, kind: object, detail: BaseException) -> None:
        self.kind = kind
        self.detail = detail
        self.problems = tuple(_problems(detail, kind))
        name = shown(getattr(kind, "__name__", kind)).strip("'")
        listed = [f"{path}: {message}" for path, message in self.problems]
        if len(listed) == 1:
            super().__init__(f"cannot read {name} from the data: {listed[0]}")
            return
        if len(listed) == _MAX_PROBLEMS:
            listed.append("... (the first problems only)")
        listing = "\n".join(f"  - {line}" for line in listed)
        super().__init__(f"cannot read {name} from the data; fix each problem:\n{listing}")


def _problems(error: BaseException, kind: object) -> list[tuple[str, str]]:
    """Each error inside ``error`` (cattrs groups them by field and item) with its path.

    Walked without recursion: data nested thousands of levels deep gives as deep a group.
    """
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, BaseException, typing.Any]] = [("$", error, kind)]
    while stack and len(found) < _MAX_PROBLEMS:
        path, inner, kind = stack.pop()
        children: list[tuple[str, BaseException, typing.Any]] = []
        if isinstance(inner, cattrs.IterableValidationError | cattrs.ClassValidationError):
            with_notes, without = inner.group_exceptions()
            for child, note in with_notes:
                if isinstance(note, IterableValidationNote):
                    children.append((f"{path}[{shown(note.index)}]", child, note.type))
                else:
                    children.append((f"{path}.{note.name}", child, note.type))
            children += [(path, child, None) for child in without]
        elif isinstance(inner, BaseExceptionGroup):
            children = [(path, child, None) for child in inner.exceptions]
        else:
            found.append((path, _describe(inner, kind)))
        stack += reversed(children)
    return found


def _describe(error: BaseException, kind: object) -> str:
    """What one error says about the data, in prodlife's words where cattrs' are vague."""
    if isinstance(error, ProdlifeError):
        message = str(error)
    elif isinstance(error, RecursionError):
        message = "the data nests too deeply to read; look for a value written inside itself"
    elif isinstance(error, KeyError) and error.args:
        message = f"the key {shown(error.args[0])} is required; add it"
    elif isinstance(error, ForbiddenExtraKeysError):
        known = [field.name for field in attrs.fields(error.cl)] if attrs.has(error.cl) else []
        what = f"a {error.cl.__name__}"
        keys = sorted(error.extra_fields, key=repr)
        message = "; ".join(unknown_key_message(key, known, what)[0] for key in keys)
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        allowed = ", ".join(repr(member.value) for member in kind)
        message = f"not a {kind.__name__}; use one of {allowed}"
    elif isinstance(kind, type) and attrs.has(kind):
        message = f"a {kind.__name__} is written as a mapping of its fields; write one here"
    else:
        try:
            message = format_exception(error, kind if isinstance(kind, type) else None)
        except Exception:  # cattrs' wording assumes its usual arguments
            message = f"unreadable ({type(error).__name__})"
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return message


class Converter(cattrs.Converter):
    """cattrs' converter, whose :meth:`structure` raises only prodlife's errors.

    Made by :func:`make_converter`; hooks registered on it work as on any
    cattrs converter, and a hook from :meth:`get_structure_hook` raises what
    cattrs raises (paths grouped in its ``ClassValidationError``), for readers
    that report problems their own way.
    """

    def structure(self, obj: typing.Any, cl: type[T]) -> T:
        """Read ``obj`` (plain data) as a ``cl``.

        Raises:
            InvalidData: ``obj`` is not a ``cl``: each problem with its path.
            ValidationError: a value read is refused by prodlife (a subclass,
                e.g. :class:`~prodlife.errors.InvalidBillingCycle`).
            TypeError: the converter does not read a ``cl`` (no hook for it or
                for one of its fields).
        """
        try:
            return super().structure(obj, cl)
        except ProdlifeError:
            raise
        except _DATA_ERRORS as error:
            raise InvalidData(cl, error) from error
        except StructureHandlerNotFoundError as error:
            raise TypeError(
                f"the converter does not read {shown(cl)} ({error}); ask for a prodlife value, "
                "or register a structure hook for it"
            ) from error


def day_count_named(name: str) -> DayCount:
    """Return the built-in convention called ``name`` (``"fixed 30 days"``,
    ``"actual days over 30"`` and ``"30 days per calendar month"`` included).

    Raises:
        UnknownDayCount: no built-in convention has that name.
    """
    if name in _NAMED:
        return _NAMED[name]
    match = _FIXED.match(name) if isinstance(name, str) else None
    if match:
        return FixedDays(int(match.group(1)))
    if over := _OVER.match(name):
        return FixedDays(int(over.group(1)), pad_short_periods=False)
    if calendar := _CALENDAR.match(name):
        return CalendarMonthDays(int(calendar.group(1)))
    raise UnknownDayCount(name)


def _point(value: str | date, _: object = None) -> date:
    """A date or an instant from ISO text; TOML's own dates and times are taken as they are."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValidationError(
            f"{value!r} is not a date; write it as ISO 8601 text, e.g. '2025-01-31'"
        )
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


def _instant(value: str | datetime, _: object = None) -> datetime:
    point = _point(value)
    if not isinstance(point, datetime):
        raise ValidationError(f"{value!r} is a date, not an instant; give a time and an offset")
    return point


def _strict(kind: type, wanted: str) -> typing.Callable[[object, object], typing.Any]:
    """Read a value only if it already has the type: no silent "false" -> True, 2.7 -> 2."""

    def structure(value: object, _: object = None) -> object:
        if type(value) is not kind:
            raise ValidationError(f"{shown(value)} is not {wanted}; write {wanted}")
        return value

    return structure


def _span(data: dict[str, str], _: object = None) -> Span:
    start, end = _point(data["start"]), _point(data["end"])
    if isinstance(start, datetime) and isinstance(end, datetime):
        return Interval(start, end)
    return Period(start, end)


def _is_span(kind: object) -> bool:
    """Whether ``kind`` is ``Period | Interval``, optionally ``| None``."""
    args = set(typing.get_args(kind))
    return {Period, Interval} <= args <= {Period, Interval, type(None)}


def _span_or_none(data: dict[str, str] | None, _: object = None) -> Span | None:
    return None if data is None else _span(data)


def _is_optional(kind: object) -> bool:
    """Whether ``kind`` is ``X | None`` for a single ``X``."""
    args = typing.get_args(kind)
    return (
        typing.get_origin(kind) in (typing.Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
    )


def _optional_hook(converter: cattrs.Converter) -> typing.Callable[[typing.Any], typing.Any]:
    """cattrs' reading of ``X | None``, with ``X``'s hook found once rather than per value."""

    def factory(kind: typing.Any) -> typing.Callable[[typing.Any, typing.Any], typing.Any]:
        other = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        found: list[typing.Callable[[typing.Any, typing.Any], typing.Any]] = []

        def structure(data: typing.Any, _: typing.Any) -> typing.Any:
            if data is None:
                return None
            if not found:  # at first use: the class may still be defining its own hooks
                found.append(converter.get_structure_hook(other))
            return found[0](data, other)

        return structure

    return factory


def _is_set(kind: object) -> bool:
    return kind in (set, frozenset) or typing.get_origin(kind) in (set, frozenset)


def _decimal_money_or_none(data: object, _: object = None) -> Decimal | Money | None:
    """A promotion's value: none, a percentage (text), or an amount (``{amount, currency}``)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return Money(to_decimal(data["amount"]), data["currency"])
    return to_decimal(data)


def _set_hooks(
    converter: Converter,
) -> tuple[
    typing.Callable[[typing.Iterable[typing.Any]], list[typing.Any]],
    typing.Callable[[object, typing.Any], typing.Any],
]:
    """Hooks that turn sets into sorted lists of plain items, and lists back into sets."""

    def order(item: object) -> tuple[int, str]:
        if isinstance(item, str):
            return (0, item)
        return (1, json.dumps(item, sort_keys=True, ensure_ascii=False))

    def unstructure(values: typing.Iterable[typing.Any]) -> list[typing.Any]:
        items = [converter.unstructure(value) for value in values]
        return sorted((list(v) if isinstance(v, tuple) else v for v in items), key=order)

    def structure(data: object, kind: typing.Any) -> typing.Any:
        if isinstance(data, (str, bytes, dict)) or not isinstance(data, typing.Iterable):
            raise ValidationError(
                f"expected a list of values for a set, got {data!r}; write [{data!r}] for one"
            )
        args = typing.get_args(kind)
        item_kind = args[0] if args else typing.Any
        frozen = kind is frozenset or typing.get_origin(kind) is frozenset
        read = converter.get_structure_hook(item_kind)  # cattrs' errors: paths kept
        items = (read(item, item_kind) for item in data)
        return frozenset(items) if frozen else set(items)

    return unstructure, structure


def _is_enum_set(kind: object) -> bool:
    """Whether ``kind`` is a set or frozenset of one enum, e.g. ``frozenset[Permission]``."""
    args = typing.get_args(kind)
    return (
        _is_set(kind)
        and len(args) == 1
        and isinstance(args[0], type)
        and issubclass(args[0], enum.Enum)
    )


def _sorted_values(members: typing.Iterable[enum.Enum]) -> list[typing.Any]:
    """Sets of enum members become sorted lists of their values (plain text, for JSON)."""
    return sorted(member.value for member in members)


def _text_enum(value: typing.Any, kind: type[enum.StrEnum]) -> enum.StrEnum:
    """A ``StrEnum`` member from its value, not the text the ``str`` hook would give.

    The bare text compares equal to the member, so the mistake would go unseen.
    """
    return kind(value)


def _unstructure_field(field: CustomField) -> dict[str, str]:
    value = field.value
    text = value.isoformat() if isinstance(value, date) else str(value)
    return {"name": field.name, "kind": field.kind.value, "value": text}


def _structure_field(data: dict[str, object], _: object = None) -> CustomField:
    """A custom field's value is read by its kind: text, a number, or an ISO date."""
    kind = FieldKind(data["kind"])
    raw = data["value"]
    value: str | Decimal | int | date
    if kind is FieldKind.NUMBER:
        value = raw if is_whole(raw) else to_decimal(raw)
    elif kind is FieldKind.DATE:
        value = date.fromisoformat(str(raw))
    else:
        value = str(raw)
    return CustomField(str(data["name"]), kind, value)


def make_converter(*, strict: bool = False) -> Converter:
    """Return a converter that (un)structures every prodlife value.

    Unstructured data holds only dicts, lists, strings, ints, booleans and
    ``None``: ready for ``json.dumps`` or TOML. Sets become sorted lists; sets
    of enum members, sorted lists of their values.

    Args:
        strict: read as catalog files are read: a key a value does not have
            is refused (naming the key it probably meant), and a value that
            is not one of an enumeration's, or not a date, is refused naming
            it and what is allowed.

    Its :meth:`~Converter.structure` raises only prodlife's errors: data
    that is not the value asked for is an :class:`InvalidData` listing each
    problem with its path.
    """
    converter = Converter(forbid_extra_keys=strict, unstruct_collection_overrides={tuple: list})
    converter.register_structure_hook_factory(_is_optional, _optional_hook(converter))
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, lambda value, _: to_decimal(value))
    converter.register_unstructure_hook(Fraction, str)
    converter.register_structure_hook(Fraction, lambda value, _: Fraction(value))
    converter.register_unstructure_hook(Currency, lambda currency: currency.code)
    converter.register_structure_hook(Currency, lambda code, _: Currency(code))
    converter.register_unstructure_hook(
        Money, lambda money: {"amount": str(money.amount), "currency": money.currency.code}
    )
    converter.register_structure_hook(
        Money, lambda data, _: Money(to_decimal(data["amount"]), data["currency"])
    )
    converter.register_unstructure_hook(date, lambda day: day.isoformat())
    converter.register_unstructure_hook(datetime, lambda instant: instant.isoformat())
    converter.register_structure_hook(date, _point)
    converter.register_structure_hook(datetime, _instant)
    converter.register_structure_hook(bool, _strict(bool, "true or false"))
    converter.register_structure_hook(int, _strict(int, "a whole number"))
    converter.register_structure_hook(str, _strict(str, "text"))
    converter.register_structure_hook(enum.StrEnum, _text_enum)
    for kind in (Period, Interval):
        converter.register_unstructure_hook(
            kind, lambda value: {"start": value.start.isoformat(), "end": value.end.isoformat()}
        )
    converter.register_structure_hook(
        Period, lambda data, _: Period(_point(data["start"]), _point(data["end"]))
    )
    converter.register_structure_hook(Interval, _span)
    converter.register_structure_hook_func(_is_span, _span_or_none)
    converter.register_structure_hook(Decimal | Money | None, _decimal_money_or_none)
    converter.register_structure_hook(Decimal | Money, _decimal_money_or_none)
    unstructure_set, structure_set = _set_hooks(converter)
    converter.register_unstructure_hook_func(_is_set, unstructure_set)
    converter.register_structure_hook_func(_is_set, structure_set)
    converter.register_unstructure_hook_func(_is_enum_set, _sorted_values)
    converter.register_unstructure_hook(CustomField, _unstructure_field)
    converter.register_structure_hook(CustomField, _structure_field)
    converter.register_unstructure_hook(BillingCycle, str)
    converter.register_structure_hook(BillingCycle, lambda text, _: BillingCycle.parse(text))
    converter.register_unstructure_hook_func(
        lambda kind: kind is DayCount or kind in _CONVENTION_TYPES,
        lambda convention: convention.name,
    )
    converter.register_structure_hook(DayCount, lambda name, _: day_count_named(name))
    if strict:
        _make_strict(converter)
    return converter


# --- strict reading -------------------------------------------------------------------------


def _keys(data: object, what: str, required: tuple[str, ...]) -> Mapping[str, typing.Any]:
    """``data`` as a mapping holding exactly the ``required`` keys."""
    if not isinstance(data, Mapping):
        raise ValidationError(
            f"{shown(data)} is not {what}; write a table with the keys {', '.join(required)}"
        )
    for key in sorted(data, key=repr):
        if key not in required:
            raise ValidationError(unknown_key_message(key, required, what)[0])
    for key in required:
        if key not in data:
            raise ValidationError(f"{what} needs the key {key!r}; add it")
    return data


def _strict_point(value: object, _: object = None) -> date:
    if isinstance(value, str):
        try:
            return _point(value)
        except ValueError:
            raise ValidationError(
                f"{shown(value)} is not a date; write it as ISO 8601 text, e.g. '2025-01-31' "
                "(or '2025-01-31T09:00:00+00:00' for an instant)"
            ) from None
    return _point(value)  # type: ignore[arg-type]


def _strict_instant(value: object, _: object = None) -> datetime:
    point = _strict_point(value)
    if not isinstance(point, datetime):
        raise ValidationError(f"{value!r} is a date, not an instant; give a time and an offset")
    return point


def _strict_span(data: object, _: object = None) -> Span:
    fields = _keys(data, "a period", ("start", "end"))
    start, end = _strict_point(fields["start"]), _strict_point(fields["end"])
    if isinstance(start, datetime) and isinstance(end, datetime):
        return Interval(start, end)
    return Period(start, end)


def _strict_period(data: object, _: object = None) -> Period:
    fields = _keys(data, "a period", ("start", "end"))
    return Period(_strict_point(fields["start"]), _strict_point(fields["end"]))


def _strict_money(data: object, _: object = None) -> Money:
    fields = _keys(data, "an amount of money", ("amount", "currency"))
    return Money(to_decimal(fields["amount"]), fields["currency"])


def _strict_decimal_money_or_none(data: object, _: object = None) -> Decimal | Money | None:
    if isinstance(data, Mapping):
        return _strict_money(data)
    return _decimal_money_or_none(data)


def _strict_enum(value: typing.Any, kind: type[enum.Enum]) -> enum.Enum:
    """An enum member from its value, or an error naming the value and the allowed ones."""
    try:
        return kind(value)
    except (ValueError, TypeError):
        what = re.sub(r"(?<!^)(?=[A-Z])", " ", kind.__name__).lower()
        allowed = ", ".join(repr(member.value) for member in kind)
        raise ValidationError(f"{shown(value)} is not a {what}; use one of {allowed}") from None


def _strict_field(data: object, _: object = None) -> CustomField:
    fields = _keys(data, "a custom field", ("name", "kind", "value"))
    kind = typing.cast(FieldKind, _strict_enum(fields["kind"], FieldKind))
    raw, name = fields["value"], fields["name"]
    if not isinstance(name, str):
        raise ValidationError(f"custom field name {shown(name)} is not text; write text")
    value: str | Decimal | int | date
    if kind is FieldKind.NUMBER:
        value = raw if is_whole(raw) else to_decimal(raw)
    elif kind is FieldKind.DATE:
        value = raw if isinstance(raw, date) else _strict_point(raw)
        if isinstance(value, datetime):
            raise ValidationError(f"{shown(raw)} is an instant, not a date; write a date")
    elif isinstance(raw, str):
        value = raw
    else:
        raise ValidationError(f"{shown(raw)} is not text; a string field holds text")
    return CustomField(name, kind, value)


def _make_strict(converter: Converter) -> None:
    """Replace the lenient hooks: later registrations take precedence."""
    converter.register_structure_hook(date, _strict_point)
    converter.register_structure_hook(datetime, _strict_instant)
    converter.register_structure_hook(Money, _strict_money)
    converter.register_structure_hook(Period, _strict_period)
    converter.register_structure_hook(Interval, _strict_span)
    converter.register_structure_hook_func(
        _is_span, lambda data, _: None if data is None else _strict_span(data)
    )
    converter.register_structure_hook(Decimal | Money | None, _strict_decimal_money_or_none)
    # StrEnum by name too: as a str subclass it would otherwise reach the str hook.
    converter.register_structure_hook(enum.Enum, _strict_enum)
    converter.register_structure_hook(enum.StrEnum, _strict_enum)
    converter.register_structure_hook(CustomField, _strict_field)
