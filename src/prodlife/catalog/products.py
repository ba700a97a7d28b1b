"""Products: what a provider sells, with everything seeds 004 and 001 describe.

A :class:`Product` is a plain value; the rules that need the rest of the
catalog (the type exists, codes are unique) are checked by
:class:`~prodlife.catalog.Catalog`. The rules a product can check alone run
when it is built.

>>> from datetime import date
>>> dsl = Product("DSL-100", "DSL 100", "INTERNET", validity=Validity(date(2025, 1, 1)))
>>> dsl.is_offered_on(date(2024, 12, 31)), dsl.is_offered_on(date(2025, 6, 1))
(False, True)
>>> copy = copy_product(dsl, "DSL-200", "DSL 200")
>>> copy.type_code, copy.validity == dsl.validity, copy.alternative_code
('INTERNET', True, None)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._findings import (
    Finding,
    check_code,
    duplicates,
    frozen_codes,
    raise_first,
)
from prodlife.catalog._findings import is_date as _is_date
from prodlife.catalog.records import Attachment, check_attachments, check_stamps

__all__ = [
    "Availability",
    "CustomField",
    "FieldKind",
    "Image",
    "Product",
    "ProviderId",
    "Validity",
    "check_product",
    "copy_product",
]

#: At most this many images per product (seed 004).
MAX_IMAGES = 4
#: The longest fixed term, in days (about a hundred years).
MAX_FIXED_TERM_DAYS = 36_600


class Availability(enum.Enum):
    """Whether a product can be sold (seed 001)."""

    #: On sale and shown.
    ACTIVE = "active"
    #: On sale but not shown in catalogs offered to customers.
    HIDDEN = "hidden"
    #: Retired: no longer sold, but customers who hold it keep it, with its history.
    HISTORIC = "historic"


@attrs.frozen(slots=True)
class Validity:
    """When a product may be used in new business: always, from a date, or between dates.

    ``start`` is the first day it is valid; ``end`` is the first day it no longer
    is (half-open, like every period in prodlife). ``None`` means no bound.
    """

    start: date | None = None
    end: date | None = None

    def covers(self, day: date) -> bool:
        """Whether ``day`` is inside the validity."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    @property
    def kind(self) -> str:
        """``"always"``, ``"from"`` or ``"between"``."""
        if self.start is None and self.end is None:
            return "always"
        return "from" if self.end is None else "between"


class FieldKind(enum.Enum):
    """The type of a custom field's value."""

    STRING = "string"
    NUMBER = "number"
    DATE = "date"


_FIELD_TYPES: dict[FieldKind, tuple[type, ...]] = {
    FieldKind.STRING: (str,),
    FieldKind.NUMBER: (Decimal, int),
    FieldKind.DATE: (date,),
}


@attrs.frozen(slots=True)
class CustomField:
    """A typed custom field: a name, a kind and a value of that kind.

    Numbers are ``Decimal`` or ``int`` (never float); dates are ``datetime.date``.
    """

    name: str
    kind: FieldKind
    value: str | Decimal | int | date


@attrs.frozen(slots=True)
class Image:
    """A product image: where it is, its alternative text, and whether it is the default."""

    url: str
    alt_text: str = ""
    default: bool = False


@attrs.frozen(slots=True)
class ProviderId:
    """How a provisioning provider identifies the product."""

    provider: str
    external_id: str


# Typed converters, so callers may pass any iterable and mypy still checks items.


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _fields(values: Iterable[CustomField]) -> tuple[CustomField, ...]:
    return tuple(values)


def _images(values: Iterable[Image]) -> tuple[Image, ...]:
    return tuple(values)


def _provider_ids(values: Iterable[ProviderId]) -> tuple[ProviderId, ...]:
    return tuple(values)


def _attachments(values: Iterable[Attachment]) -> tuple[Attachment, ...]:
    return tuple(values)


def _instant(value: datetime | None) -> datetime | None:
    """An aware instant in UTC; anything else is left for :func:`check_product` to report."""
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value.astimezone(UTC) if value.tzinfo is not UTC else value
    return value


@attrs.frozen(slots=True)
class Product:
    """A sellable item.

    Args:
        code: unique code (SKU).
        name: display name.
        type_code: the code of its :class:`~prodlife.catalog.ProductType`.
        alternative_code: another code that identifies it.
        description: marketing description.
        long_description: longer description.
        brand: brand name (Samsung, Apple).
        family: product family (decoders, modems).
        categories: business classification.
        priority: priority level for sales and care (higher first).
        validity: when it may be used in new business.
        availability: active, hidden, or historic (retired, history kept).
        tax_codes: the codes of the tax rates that apply.
        vat_code: the code of the VAT rate that applies.
        display_class: how a catalogue view groups it (seed 001).
        display_position: its position within the display class.
        applicable_on_numbers: whether it applies to customers' numbers (seed 001).
        applicable_on_features: the features it applies to (seed 001).
        auto_add_to_customer: add it to a customer's holdings when a number or
            feature carrying it is added (seed 001).
        auto_remove_from_interests: drop it from the customer's interests then.
        custom_fields: typed custom fields.
        images: up to four images, exactly one default when there are any.
        provider_ids: how provisioning providers identify it.
        created_at: when it was created (an aware instant, kept in UTC); set
            from the host's clock by :func:`~prodlife.catalog.stamp_products`.
        modified_at: when it was last modified; not before ``created_at``.
        attachments: its files and URLs (seed 004), each named once.
        fixed_term_days: its services end this many days after sign-up (seed
            003's fixed term; 1 to 36,600), carried out by the scheduler;
            ``None`` for services that run until ended.
        customer_may_change_package: whether customers may change the package
            of their own service of it themselves (seed 003); otherwise only
            staff and the system do.
        max_per_customer: how many live services of it one customer may hold
            (seed 000: one domain, one free plan per account); ``None``: no limit.

    Raises:
        RuleViolation: a rule a product can check alone is broken (code
            format, images, custom fields, validity, display position,
            stamps, attachments).
    """

    code: str
    name: str
    type_code: str
    alternative_code: str | None = None
    description: str = ""
    long_description: str = ""
    brand: str | None = None
    family: str | None = None
    categories: frozenset[str] = attrs.field(factory=frozenset, converter=frozen_codes)
    priority: int | None = None
    validity: Validity = Validity()
    availability: Availability = Availability.ACTIVE
    tax_codes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    vat_code: str | None = None
    display_class: str | None = None
    display_position: int | None = None
    applicable_on_numbers: bool = False
    applicable_on_features: frozenset[str] = attrs.field(factory=frozenset, converter=frozen_codes)
    auto_add_to_customer: bool = False
    auto_remove_from_interests: bool = False
    custom_fields: tuple[CustomField, ...] = attrs.field(default=(), converter=_fields)
    images: tuple[Image, ...] = attrs.field(default=(), converter=_images)
    provider_ids: tuple[ProviderId, ...] = attrs.field(default=(), converter=_provider_ids)
    created_at: datetime | None = attrs.field(default=None, converter=_instant)
    modified_at: datetime | None = attrs.field(default=None, converter=_instant)
    attachments: tuple[Attachment, ...] = attrs.field(default=(), converter=_attachments)
    fixed_term_days: int | None = None
    customer_may_change_package: bool = True
    max_per_customer: int | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(check_product(self), self.code)

    def is_offered_on(self, day: date) -> bool:
        """Whether the product can be sold in new business on ``day``.

        Historic products never are; hidden ones are (they are just not shown).
        """
        return self.availability is not Availability.HISTORIC and self.validity.covers(day)

    @property
    def default_image(self) -> Image | None:
        """The default image, if the product has images."""
        return next((image for image in self.images if image.default), None)

    def field(self, name: str) -> str | Decimal | int | date | None:
        """The value of the custom field ``name``, or ``None``."""
        return next((f.value for f in self.custom_fields if f.name == name), None)

    def provider_id(self, provider: str) -> str | None:
        """The id ``provider`` knows the product by, or ``None``."""
        return next((p.external_id for p in self.provider_ids if p.provider == provider), None)


def check_product(product: Product) -> list[Finding]:
    """Every rule ``product`` breaks on its own (without the rest of the catalog)."""
    p = product
    found = check_code(p.code, "product")
    found += check_code(p.type_code, "product type")
    if not isinstance(p.name, str) or not p.name.strip():
        found.append(("product.name", "a product needs a name; give it one"))
    v = p.validity
    if v.start is not None or v.end is not None:
        found += _validity_findings(v)
    if p.images:
        found += _image_findings(p.images)
    fields = p.custom_fields
    if len(fields) > 1:
        twice = duplicates([f.name for f in fields])
        if twice:
            found.append(("product.custom-fields", f"custom fields {twice} are defined twice"))
    for custom in fields:
        allowed = _FIELD_TYPES[custom.kind]
        value = custom.value
        wrong = not isinstance(value, allowed) or isinstance(value, bool)
        if custom.kind is FieldKind.DATE and isinstance(value, datetime):
            wrong = True
        if wrong:
            found.append(
                (
                    "product.custom-fields",
                    f"custom field {custom.name!r} is a {custom.kind.value} field but holds "
                    f"{value!r}; give it a {custom.kind.value} (numbers as Decimal or int)",
                )
            )
    limit = p.max_per_customer
    if limit is not None and not is_whole(limit, 1):
        found.append(
            (
                "product.max-per-customer",
                f"max_per_customer {limit!r} must be a whole number of at least 1, or None",
            )
        )
    if p.display_position is not None and p.display_position < 0:
        found.append(
            ("product.display-position", f"display position {p.display_position} is negative")
        )
    if len(p.provider_ids) > 1:
        providers = [pid.provider for pid in p.provider_ids]
        if len(set(providers)) != len(providers):
            found.append(("product.provider-ids", "a provider is given two ids; keep one each"))
    if p.created_at is not None or p.modified_at is not None:
        found += check_stamps(p.created_at, p.modified_at)
    if p.attachments:
        found += check_attachments(p.attachments)
    if p.fixed_term_days is not None and not is_whole(p.fixed_term_days, 1, MAX_FIXED_TERM_DAYS):
        found.append(
            (
                "product.fixed-term",
                f"a fixed term of {p.fixed_term_days!r} days; give a whole number from 1 to "
                f"{MAX_FIXED_TERM_DAYS:,}, or None for services without an end",
            )
        )
    if not found:
        return found
    return [(rule, f"product {p.code!r}: {message}") for rule, message in found]


def _validity_findings(v: Validity) -> list[Finding]:
    found: list[Finding] = []
    start, end = v.start, v.end
    if (start is None or type(start) is date) and (end is None or type(end) is date):
        bad = []  # the usual bounds, told apart at once (a catalog has 100,000 products)
    else:
        bad = [b for b in (start, end) if b is not None and not _is_date(b)]
    for bound in bad:
        found.append(("product.validity", f"validity bound {bound!r} must be a date"))
    if not bad and v.start is not None and v.end is not None and v.end <= v.start:
        found.append(
            (
                "product.validity",
                f"validity ends on {v.end}, not after it starts on {v.start}; the end date "
                "is the first day it is no longer valid",
            )
        )
    return found


def _image_findings(images: tuple[Image, ...]) -> list[Finding]:
    found: list[Finding] = []
    if len(images) > MAX_IMAGES:
        found.append(("product.images", f"{len(images)} images given; keep at most {MAX_IMAGES}"))
    defaults = sum(1 for image in images if image.default)
    if defaults != 1:
        found.append(
            (
                "product.default-image",
                f"{defaults} images are marked default; mark exactly one as the default",
            )
        )
    return found


def copy_product(product: Product, code: str, name: str) -> Product:
    """Start a new product from an existing one (seed 004's NEW > COPY).

    Carries over the type, brand, family, description, validity and categories,
    and nothing else: codes, prices, images, fields and provider ids are the
    new product's own.
    """
    return Product(
        code,
        name,
        product.type_code,
        description=product.description,
        brand=product.brand,
        family=product.family,
        categories=product.categories,
        validity=product.validity,
    )
