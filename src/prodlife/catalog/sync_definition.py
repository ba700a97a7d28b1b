"""A product synchronization definition: how a file's rows match products, and the defaults.

Seed 004's "Product Synchronization Definition": matching criteria (the product
code or the alternative code), whether matching products are updated, and the
default values used when a row leaves an attribute empty or names one that does
not exist. prodlife adds the values that exist (a host's families, brands,
categories and tax codes; types exist when the catalog defines them) and the
limits a file must keep.

>>> definition = SyncDefinition("provider A", match_on=MatchOn.ALTERNATIVE_CODE,
...                             defaults=SyncDefaults(type_code="CHANNEL", family="TV"))
>>> definition.match_on.column, definition.update_matching
('alternative_code', True)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from prodlife._numbers import is_whole
from prodlife._text import shown
from prodlife.catalog.products import Validity
from prodlife.errors import ValidationError

__all__ = ["MatchOn", "SyncDefaults", "SyncDefinition", "SyncLimits", "SyncMode"]


class MatchOn(enum.Enum):
    """Which code of a row finds the product it updates (seed 004's matching criteria)."""

    #: The row's ``code`` is a product's code.
    CODE = "code"
    #: The row's ``alternative_code`` is a product's alternative code (the other
    #: system's code, when the two systems code products differently).
    ALTERNATIVE_CODE = "alternative code"

    @property
    def column(self) -> str:
        """The column holding the matching code."""
        return "code" if self is MatchOn.CODE else "alternative_code"


class SyncMode(enum.Enum):
    """What a run does with the valid rows when some rows fail."""

    #: Apply every row or none: one failed row and the catalog is left as it was.
    ALL_OR_NOTHING = "all or nothing"
    #: Apply each valid row; the failed ones are reported and left out.
    ROW_BY_ROW = "row by row"


def _codes(values: Iterable[str] | None) -> frozenset[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return frozenset([values])
    return frozenset(values)


@attrs.frozen(slots=True)
class SyncDefaults:
    """Values a row takes when it leaves an attribute empty, or names one that does not exist.

    Defaults apply to new products; a row updating a product leaves an
    attribute it leaves empty as it was. ``None`` is no default: an empty
    cell stays empty, and a value that does not exist is an error of its row.

    Args:
        type_code: the product type (it must exist in the catalog imported into).
        family: the family.
        brand: the brand.
        category: one category.
        vat_code: the VAT rate's code.
        tax_code: one tax rate's code.
        validity: the validity of a row giving neither bound.
    """

    type_code: str | None = None
    family: str | None = None
    brand: str | None = None
    category: str | None = None
    vat_code: str | None = None
    tax_code: str | None = None
    validity: Validity = attrs.field(factory=Validity)


@attrs.frozen(slots=True)
class SyncLimits:
    """The largest file a run reads; anything larger is refused before a row is applied.

    Args:
        max_bytes: the file's size.
        max_rows: its rows (products), the header not counted.
        max_cell_chars: the characters of one cell (32,767 is a spreadsheet
            cell's own limit).
        max_unpacked_bytes: an ``.xlsx`` workbook's size once unzipped (a
            small archive may unpack to gigabytes).

    Raises:
        ValidationError: a limit is not a whole number of at least 1.
    """

    max_bytes: int = 64 * 1024 * 1024
    max_rows: int = 250_000
    max_cell_chars: int = 32_767
    max_unpacked_bytes: int = 512 * 1024 * 1024

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(SyncLimits):
            value = getattr(self, field.name)
            if not is_whole(value, 1):
                raise ValidationError(
                    f"limit {field.name} = {shown(value)} must be a whole number, 1 or more"
                )


@attrs.frozen(slots=True)
class SyncDefinition:
    """How a synchronization reads rows into products (seed 004's definition).

    Args:
        name: the definition's name, which its runs record.
        match_on: which code finds the product a row updates.
        update_matching: whether a row matching a product updates it; when
            off, such a row fails (``row.exists``) and the product is kept.
        defaults: values for empty cells and values that do not exist.
        families: the families that exist; ``None`` accepts any.
        brands: the brands that exist; ``None`` accepts any.
        categories: the categories that exist; ``None`` accepts any.
        vat_codes: the VAT rates' codes that exist; ``None`` accepts any.
        tax_codes: the tax rates' codes that exist; ``None`` accepts any.
        limits: the largest file a run reads.

    Raises:
        ValidationError: the name is empty, or a default is not among the
            values that exist.
    """

    name: str
    match_on: MatchOn = MatchOn.CODE
    update_matching: bool = True
    defaults: SyncDefaults = attrs.field(factory=SyncDefaults)
    families: frozenset[str] | None = attrs.field(default=None, converter=_codes)
    brands: frozenset[str] | None = attrs.field(default=None, converter=_codes)
    categories: frozenset[str] | None = attrs.field(default=None, converter=_codes)
    vat_codes: frozenset[str] | None = attrs.field(default=None, converter=_codes)
    tax_codes: frozenset[str] | None = attrs.field(default=None, converter=_codes)
    limits: SyncLimits = attrs.field(factory=SyncLimits)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError(
                f"definition name {shown(self.name)} is empty; give the definition a name"
            )
        if not isinstance(self.match_on, MatchOn):
            raise ValidationError(f"match_on {shown(self.match_on)} is not a MatchOn; pass one")
        d = self.defaults
        for what, default, known in (
            ("family", d.family, self.families),
            ("brand", d.brand, self.brands),
            ("category", d.category, self.categories),
            ("VAT code", d.vat_code, self.vat_codes),
            ("tax code", d.tax_code, self.tax_codes),
        ):
            if default is not None and known is not None and default not in known:
                raise ValidationError(
                    f"the default {what} {default!r} is not one of those that exist; "
                    "add it to them or choose another default"
                )
