"""A table of tax rates by code, and the rates a product's tax and VAT codes name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import attrs

from prodlife.catalog.products import Product
from prodlife.errors import NotFound, RuleViolation
from prodlife.pricing.taxes import TaxKind, TaxRate, _duplicates, _rate_tuple

__all__ = ["TaxTable"]


def _misplaced(
    product: Product, rates: Sequence[TaxRate]
) -> Iterator[tuple[int, TaxRate, TaxKind]]:
    """Each of ``product``'s rates not of the kind its place wants, with its place and that kind.

    ``rates`` are those of its tax codes, in order, then its VAT code's: the
    VAT comes last, every other is a tax (rule ``tax.kind``).
    """
    for index, rate in enumerate(rates):
        wanted = TaxKind.VAT if index == len(product.tax_codes) else TaxKind.TAX
        if rate.kind is not wanted:
            yield index, rate, wanted


@attrs.frozen(slots=True)
class TaxTable:
    """The tax and VAT rates a business uses, found by code.

    Args:
        rates: the rates; no two share a code.

    Raises:
        RuleViolation: two rates share a code (rule ``tax.duplicate-code``), or
            an entry is not a :class:`TaxRate` (rule ``tax.kind``).

    >>> table = TaxTable([TaxRate("GST", "GST", 5), TaxRate("QST", "QST", "9.975")])
    >>> [rate.code for rate in table.rates_for(["QST", "GST"])]
    ['QST', 'GST']
    >>> table.get("HST")
    Traceback (most recent call last):
    ...
    prodlife.errors.NotFound: no tax rate 'HST'; known codes are ['GST', 'QST']; define the
    rate in the table or fix the code
    """

    rates: tuple[TaxRate, ...] = attrs.field(converter=_rate_tuple)
    _by_code: dict[str, TaxRate] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        entries: Sequence[object] = self.rates
        for rate in entries:
            if not isinstance(rate, TaxRate):
                raise RuleViolation("tax.kind", f"tax table entry {rate!r} is not a TaxRate")
        duplicates = _duplicates(self.rates)
        if duplicates:
            raise RuleViolation(
                "tax.duplicate-code",
                f"tax table defines the codes {duplicates} more than once; keep one rate per code",
                duplicates[0],
            )
        object.__setattr__(self, "_by_code", {rate.code: rate for rate in self.rates})

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the table's rates, sorted."""
        return tuple(sorted(self._by_code))

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> TaxRate:
        """The rate with ``code``.

        Raises:
            NotFound: no rate has that code; the message lists the known codes.
        """
        try:
            return self._by_code[code]
        except (KeyError, TypeError):
            raise NotFound(
                "tax rate",
                code,
                f"known codes are {list(self.codes)}; define the rate in the table or fix the code",
            ) from None

    def rates_for(self, codes: Iterable[str]) -> tuple[TaxRate, ...]:
        """The rates with ``codes``, in that order (the order they apply in).

        Raises:
            NotFound: a code is not in the table.
        """
        return tuple(self.get(code) for code in codes)

    def for_product(self, product: Product) -> tuple[TaxRate, ...]:
        """The rates a product names: its tax codes in order, then its VAT code.

        The VAT comes last so that a compound VAT applies on top of the taxes.

        Raises:
            NotFound: a code is not in the table.
            RuleViolation: the VAT code names a rate that is not a VAT, or a tax
                code names a VAT (rule ``tax.kind``).
        """
        found = list(self.rates_for(product.tax_codes))
        if product.vat_code is not None:
            found.append(self.get(product.vat_code))
        for _, rate, wanted in _misplaced(product, found):
            raise RuleViolation(
                "tax.kind",
                f"product {product.code!r} names {rate.code!r}, a {rate.kind.value} rate, "
                f"as its {'VAT code' if wanted is TaxKind.VAT else 'tax code'}; name VAT "
                "rates as vat_code and other rates in tax_codes",
                product.code,
            )
        return tuple(found)
