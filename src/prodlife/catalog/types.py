"""Product types: the behaviour a product inherits (seed 004's type table).

A :class:`ProductType` says whether its products are services or physical
goods, which kind, whether they are bundles, whether they are provisioned, and
whether a customer may delete a service of the type. Every usage condition of
seed 004's table is a named rule, checked when the type is defined:

========================  =========================================================
rule                      condition
========================  =========================================================
``type.good-kind``        a physical good is traceable or non-traceable; a service neither
``type.service-kind``     a service is termed, usage, one-time or expense; a good none
``type.flexible-bundle``  a flexible bundle is a termed service or a non-traceable good
``type.fixed-bundle``     a fixed bundle is a termed service or a physical good
``type.usage-record``     a usage record type only for usage services
``type.meter-reading``    a meter reading type only for flat or fixed traceable goods
========================  =========================================================

>>> ProductType("CHANNEL", "TV channel", Classification.SERVICE, service_kind=ServiceKind.TERMED)
... # doctest: +ELLIPSIS
ProductType(code='CHANNEL', ...)
>>> ProductType(
...     "KIT", "Kit", Classification.SERVICE, service_kind=ServiceKind.USAGE,
...     composition=Composition.FLEXIBLE_BUNDLE,
... )
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: product type 'KIT': a flexible bundle must be a termed service
or a non-traceable physical good, not a usage service; make it termed or flat
(rule type.flexible-bundle)
"""

from __future__ import annotations

import enum

import attrs

from prodlife._text import with_article
from prodlife.catalog._findings import Finding, check_code, raise_first
from prodlife.errors import ValidationError

__all__ = [
    "Classification",
    "Composition",
    "GoodKind",
    "ProductType",
    "ServiceKind",
    "check_product_type",
]


class Classification(enum.Enum):
    """Whether a product is an intangible service or a tangible physical good."""

    SERVICE = "service"
    PHYSICAL_GOOD = "physical good"


class GoodKind(enum.Enum):
    """How a physical good is tracked."""

    #: Traced one by one through a unique identifier (a serial number).
    TRACEABLE = "traceable"
    #: Counted by quantity.
    NON_TRACEABLE = "non-traceable"


class ServiceKind(enum.Enum):
    """How a service is provided and billed."""

    #: Provided continuously and billed for a recurring period.
    TERMED = "termed"
    #: Provided on request and billed on usage.
    USAGE = "usage"
    #: Provided once and billed by how long it took.
    ONE_TIME = "one-time"
    #: Provided once and billed a fixed amount.
    EXPENSE = "expense"


class Composition(enum.Enum):
    """Whether a product stands alone or is a bundle of components."""

    FLAT = "flat"
    #: Predefined components and quantities the customer cannot change.
    FIXED_BUNDLE = "fixed bundle"
    #: Components the customer picks from pools, within limits.
    FLEXIBLE_BUNDLE = "flexible bundle"


def _kind_name(product_type: ProductType) -> str:
    if product_type.classification is Classification.PHYSICAL_GOOD:
        kind = product_type.good_kind.value if product_type.good_kind else "untyped"
        return f"{kind} physical good"
    kind = product_type.service_kind.value if product_type.service_kind else "untyped"
    return f"{kind} service"


def check_product_type(product_type: ProductType) -> list[Finding]:
    """Every rule of seed 004's type table that ``product_type`` breaks."""
    found = check_code(product_type.code, "product type")
    t = product_type
    good = t.classification is Classification.PHYSICAL_GOOD
    if good and t.good_kind is None:
        found.append(("type.good-kind", "a physical good must be traceable or non-traceable"))
    if not good and t.good_kind is not None:
        found.append(("type.good-kind", "a service cannot have a physical good kind; drop it"))
    if not good and t.service_kind is None:
        found.append(("type.service-kind", "a service must be termed, usage, one-time or expense"))
    if good and t.service_kind is not None:
        found.append(("type.service-kind", "a physical good cannot have a service kind; drop it"))
    termed = not good and t.service_kind is ServiceKind.TERMED
    if t.composition is Composition.FLEXIBLE_BUNDLE and not (
        termed or (good and t.good_kind is GoodKind.NON_TRACEABLE)
    ):
        found.append(
            (
                "type.flexible-bundle",
                "a flexible bundle must be a termed service or a non-traceable physical good, "
                f"not {with_article(_kind_name(t))}; make it termed or flat",
            )
        )
    if t.composition is Composition.FIXED_BUNDLE and not (termed or good):
        found.append(
            (
                "type.fixed-bundle",
                "a fixed bundle must be a termed service or a physical good, "
                f"not {with_article(_kind_name(t))}; make it termed or flat",
            )
        )
    if t.usage_record_type is not None and not (not good and t.service_kind is ServiceKind.USAGE):
        found.append(
            (
                "type.usage-record",
                f"only usage services create usage records, not {with_article(_kind_name(t))}; "
                "drop the usage record type",
            )
        )
    if t.meter_reading_type is not None and not (
        good
        and t.good_kind is GoodKind.TRACEABLE
        and t.composition in (Composition.FLAT, Composition.FIXED_BUNDLE)
    ):
        found.append(
            (
                "type.meter-reading",
                "only flat or fixed-bundle traceable physical goods take meter readings; "
                "drop the meter reading type",
            )
        )
    return [(rule, f"product type {t.code!r}: {message}") for rule, message in found]


#: The fields of a product type whose values must be of a kind: (name, kind, may be None).
_FIELD_KINDS: tuple[tuple[str, type, bool], ...] = (
    ("classification", Classification, False),
    ("good_kind", GoodKind, True),
    ("service_kind", ServiceKind, True),
    ("composition", Composition, False),
    ("provisionable", bool, False),
    ("customer_may_delete", bool, False),
)


@attrs.frozen(slots=True)
class ProductType:
    """The behaviour template of products: classification, kind, composition, rules.

    Args:
        code: a unique code.
        name: a display name.
        classification: service or physical good.
        good_kind: traceable or non-traceable (physical goods only).
        service_kind: termed, usage, one-time or expense (services only).
        composition: flat, fixed bundle or flexible bundle.
        provisionable: whether products of the type are provisioned by a
            third-party provider (a TV channel, a modem).
        usage_record_type: the kind of usage record a usage service creates.
        meter_reading_type: the kind of meter reading a traceable good takes.
        customer_may_delete: whether a customer may delete their own service of
            this type (seed 002's service deletion rules); staff always may.

    Raises:
        RuleViolation: a usage condition of seed 004's table is broken; the
            error names the rule.
    """

    code: str
    name: str
    classification: Classification
    good_kind: GoodKind | None = None
    service_kind: ServiceKind | None = None
    composition: Composition = Composition.FLAT
    provisionable: bool = False
    usage_record_type: str | None = None
    meter_reading_type: str | None = None
    customer_may_delete: bool = False

    def __attrs_post_init__(self) -> None:
        for name, kind, optional in _FIELD_KINDS:
            value = getattr(self, name)
            if not (isinstance(value, kind) or (optional and value is None)):
                allowed = (
                    ", ".join(repr(member.value) for member in kind)
                    if issubclass(kind, enum.Enum)
                    else kind.__name__
                )
                raise ValidationError(
                    f"product type {self.code!r}: {name} {value!r} is not a {kind.__name__}; "
                    f"pass one ({allowed})"
                )
        raise_first(check_product_type(self), self.code)

    @property
    def is_bundle(self) -> bool:
        """Whether products of this type are fixed or flexible bundles."""
        return self.composition is not Composition.FLAT

    @property
    def is_termed_service(self) -> bool:
        """Whether products of this type are recurring (termed) services."""
        return self.service_kind is ServiceKind.TERMED

    @property
    def describes(self) -> str:
        """A short description such as ``"termed service"`` or ``"traceable physical good"``."""
        return _kind_name(self)
