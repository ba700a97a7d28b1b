"""Add-ons: products sold on top of a base product, with their own billing cycle.

An :class:`AddOn` attaches to a service of one of its base products and is
billed on its own cycle (seed 003: unlike configurable options, which follow
the base's cycle). It is predefined in the catalog, priced by price plans, or
custom for one customer, with its own name, price and cycle (seed 003's
custom add-ons). An add-on never outlives its base: when the base ends, so
does the add-on (seed 003: add-ons are cancelled with their product and have
no cancellation of their own scheduled past it). A base may carry at most
``max_per_base`` of one add-on.

An add-on's code may also be a product's code: the add-on is then that
product sold on top of a base, and nothing forbids it; the catalog only
requires the bases to exist.

======================  ==========================================================
rule                    condition
======================  ==========================================================
``addon.name``          an add-on has a name
``addon.bases``         an add-on names at least one base product, and not itself
``addon.limit``         ``max_per_base`` is a whole number of at least 1, if set;
                        attaching one more stays within it
``addon.customer``      a custom add-on names its customer; attaches only for them
``addon.price``         a custom add-on has a price, and no price is negative
``addon.base``          an add-on attaches only to one of its base products
``addon.unknown-base``  the catalog has every base product
======================  ==========================================================

>>> from prodlife import MONTHLY, Money
>>> backup = AddOn("BACKUP", "Daily backup", {"VPS-S", "VPS-M"}, MONTHLY, max_per_base=1)
>>> check_attach(backup, "VPS-S", already_attached=0)
>>> check_attach(backup, "VPS-S", already_attached=1)
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: add-on 'BACKUP': a VPS-S service may carry at most 1 of it and
already has 1; remove one first or raise max_per_base (rule addon.limit)
>>> custom_addon("C-42", "IP-EXTRA", "Extra IP", Money("3.00", "EUR"), MONTHLY, "VPS-S").custom_for
'C-42'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._findings import Finding, check_code, frozen_codes, raise_first
from prodlife.catalog.products import Product
from prodlife.cycles import BillingCycle
from prodlife.errors import RuleViolation, ValidationError
from prodlife.money import Money

__all__ = ["AddOn", "check_addon", "check_addon_in_catalog", "check_attach", "custom_addon"]


@attrs.frozen(slots=True)
class AddOn:
    """A product offered on top of base products, billed on its own cycle.

    Args:
        code: a code unique among add-ons (it may also be a product's code).
        name: a display name.
        bases: the codes of the base products it can be added to (one code or
            several); at least one.
        cycle: its own billing cycle, independent of the base's.
        max_per_base: how many of it one base service may carry; ``None``
            for no limit.
        custom_for: the customer a custom add-on was made for; ``None`` for a
            predefined add-on offered to everyone.
        price: the price of a custom add-on (required for one); a predefined
            add-on is priced by price plans, so it usually has none.
        description: what it adds.

    Raises:
        RuleViolation: a rule an add-on can check alone is broken (see the
            module's table).
    """

    code: str
    name: str
    bases: frozenset[str] = attrs.field(converter=frozen_codes)
    cycle: BillingCycle
    max_per_base: int | None = None
    custom_for: str | None = None
    price: Money | None = None
    description: str = ""

    def __attrs_post_init__(self) -> None:
        raise_first(check_addon(self), self.code)

    @property
    def is_custom(self) -> bool:
        """Whether it was made for one customer rather than offered to all."""
        return self.custom_for is not None

    @property
    def ends_with_base(self) -> bool:
        """Always ``True``: an add-on cannot outlive its base (see :meth:`end_date`)."""
        return True

    @staticmethod
    def end_date(addon_end: date | None, base_end: date | None) -> date | None:
        """The day an add-on ends: its own end, or its base's if that comes first.

        Args:
            addon_end: when the add-on itself is due to end; ``None`` for open-ended.
            base_end: when its base service ends; ``None`` for open-ended.

        Returns:
            The earlier of the two, or ``None`` when neither ends.

        >>> AddOn.end_date(date(2026, 3, 1), date(2025, 12, 1))
        datetime.date(2025, 12, 1)
        >>> AddOn.end_date(None, date(2025, 12, 1)), AddOn.end_date(None, None)
        (datetime.date(2025, 12, 1), None)
        """
        if addon_end is None:
            return base_end
        return addon_end if base_end is None else min(addon_end, base_end)


def check_addon(addon: AddOn) -> list[Finding]:
    """Every rule ``addon`` breaks on its own (without the rest of the catalog)."""
    a = addon
    found = check_code(a.code, "add-on")
    if not isinstance(a.name, str) or not a.name.strip():
        found.append(("addon.name", "an add-on needs a name; give it one"))
    if not a.bases:
        found.append(
            (
                "addon.bases",
                "it names no base product; list the products it can be added to, "
                "e.g. bases={'VPS-S'}",
            )
        )
    for base in sorted(a.bases, key=str):
        found += check_code(base, "base product")
    if a.code in a.bases:
        found.append(("addon.bases", "it names itself as a base; an add-on needs another base"))
    limit = a.max_per_base
    if limit is not None and not is_whole(limit, 1):
        found.append(
            (
                "addon.limit",
                f"max_per_base {limit!r} must be a whole number of at least 1, "
                "or None for no limit",
            )
        )
    custom = a.custom_for
    if custom is not None and (not isinstance(custom, str) or not custom.strip()):
        found.append(
            (
                "addon.customer",
                f"custom_for {custom!r} must name the customer (their id); "
                "use None for a predefined add-on",
            )
        )
    if custom is not None and a.price is None:
        found.append(
            (
                "addon.price",
                f"custom add-on for customer {custom!r} has no price; give it one (custom "
                "add-ons are not priced by price plans)",
            )
        )
    if a.price is not None and a.price.amount < 0:
        found.append(
            (
                "addon.price",
                f"price {a.price} is negative; give a price of zero or more and apply a "
                "discount or promotion for reductions",
            )
        )
    return [(rule, f"add-on {a.code!r}: {message}") for rule, message in found]


def check_addon_in_catalog(addon: AddOn, products: Mapping[str, Product]) -> list[Finding]:
    """The rules ``addon`` breaks against the catalog's products (by code).

    Every base must be a product of the catalog (rule ``addon.unknown-base``).
    The add-on's own code may be a product's code too (the add-on is that
    product sold on top of a base); that is allowed and not checked.
    """
    return [
        (
            "addon.unknown-base",
            f"add-on {addon.code!r}: base product {base!r} is not in the catalog; add the "
            "product or remove it from the bases",
        )
        for base in sorted(addon.bases)
        if base not in products
    ]


def check_attach(
    addon: AddOn,
    base_product_code: str,
    already_attached: int,
    *,
    customer: str | None = None,
) -> None:
    """Refuse to attach ``addon`` to a service of ``base_product_code`` when a rule forbids it.

    Args:
        addon: the add-on to attach.
        base_product_code: the product of the base service.
        already_attached: how many of this add-on the base service carries now.
        customer: the customer who holds the base service; checked against a
            custom add-on's customer when given.

    Raises:
        RuleViolation: the product is not one of the add-on's bases (rule
            ``addon.base``), one more would exceed ``max_per_base`` (rule
            ``addon.limit``), or a custom add-on belongs to another customer
            (rule ``addon.customer``).
        ValidationError: ``already_attached`` is not a whole number of at least 0.
    """
    count = already_attached
    if not is_whole(count, 0):
        raise ValidationError(
            f"already_attached {count!r} must be a whole number of at least 0: how many of "
            f"add-on {addon.code!r} the base service carries now"
        )
    subject = f"add-on {addon.code!r}"
    if base_product_code not in addon.bases:
        raise RuleViolation(
            "addon.base",
            f"{subject} cannot be added to {base_product_code!r}; it can be added to "
            f"{sorted(addon.bases)}, so pick a service of one of those or add "
            f"{base_product_code!r} to its bases",
            addon.code,
        )
    if customer is not None and addon.custom_for not in (None, customer):
        raise RuleViolation(
            "addon.customer",
            f"{subject} was made for customer {addon.custom_for!r}, not {customer!r}; "
            "make a custom add-on for this customer",
            addon.code,
        )
    limit = addon.max_per_base
    if limit is not None and count + 1 > limit:
        raise RuleViolation(
            "addon.limit",
            f"{subject}: a {base_product_code} service may carry at most {limit} of it and "
            f"already has {count}; remove one first or raise max_per_base",
            addon.code,
        )


def custom_addon(
    customer_id: str,
    code: str,
    name: str,
    price: Money,
    cycle: BillingCycle,
    base: str,
    *,
    max_per_base: int | None = None,
    description: str = "",
) -> AddOn:
    """An add-on made for one customer, with its own name, price and cycle (seed 003).

    Args:
        customer_id: the customer it is made for.
        code: its code.
        name: its name.
        price: its price per ``cycle``.
        cycle: its billing cycle.
        base: the code of the base product it is added to.
        max_per_base: how many one base service may carry; ``None`` for no limit.
        description: what it adds.

    Raises:
        RuleViolation: a rule an add-on can check alone is broken.
    """
    return AddOn(
        code,
        name,
        frozenset({base}),
        cycle,
        max_per_base=max_per_base,
        custom_for=customer_id,
        price=price,
        description=description,
    )
