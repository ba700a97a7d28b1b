"""Location-based taxes (seed 004): rules choosing a tax rate by the customer's country and region.

A product names its tax and VAT *codes* (``VAT``, ``SALES``); which *rate* a code
stands for depends on where the customer is. A :class:`TaxRule` says "code
``VAT`` in country ``FR`` is rate ``VAT-FR``", optionally for one region of the
country only. :class:`TaxRules` resolves a code for a :class:`Location`:

1. a rule for the code, the country and the region, if there is one;
2. otherwise a rule for the code and the country (any region);
3. otherwise the table's rate with the code itself, the same everywhere;
4. otherwise it refuses (:class:`~prodlife.errors.NotFound`, naming the code
   and the location, and what to add).

:meth:`TaxRules.for_product` resolves a product's tax codes in order, then its
VAT code (the order compound rates apply in), and :meth:`TaxRules.context_for`
puts them on a :class:`~prodlife.pricing.PricingContext`: the order's quote and
the services' timelines then carry them, so the billing engine's tax lines (for
prices exclusive of tax) are the location's, and prices inclusive of tax are
split with the location's rates.

>>> from prodlife.catalog import Product
>>> from prodlife.pricing import TaxKind, TaxRate, TaxTable
>>> table = TaxTable([
...     TaxRate("VAT-FR", "TVA 20 %", 20, kind=TaxKind.VAT),
...     TaxRate("VAT-DE", "MwSt 19 %", 19, kind=TaxKind.VAT),
...     TaxRate("VAT-ES-CN", "IGIC 7 %", 7, kind=TaxKind.VAT),
...     TaxRate("VAT-ES", "IVA 21 %", 21, kind=TaxKind.VAT),
... ])
>>> rules = TaxRules(table, [
...     TaxRule("VAT", "FR", "VAT-FR"), TaxRule("VAT", "DE", "VAT-DE"),
...     TaxRule("VAT", "ES", "VAT-ES"), TaxRule("VAT", "ES", "VAT-ES-CN", region="CN"),
... ])
>>> web = Product("WEB", "Web hosting", "HOSTING", vat_code="VAT")
>>> [rate.name for rate in rules.for_product(web, Location("FR"))]
['TVA 20 %']
>>> [rate.name for rate in rules.for_product(web, Location("ES", "CN"))]
['IGIC 7 %']
>>> rules.for_product(web, Location("IT"))
Traceback (most recent call last):
...
prodlife.errors.NotFound: no tax rate for code 'VAT'; the customer is in IT; add a TaxRule for
code 'VAT' and country IT, or a rate with code 'VAT' that applies everywhere
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from prodlife.catalog.products import Product
from prodlife.errors import NotFound, RuleViolation, ValidationError
from prodlife.pricing.tax_table import TaxTable, _misplaced
from prodlife.pricing.taxes import TaxRate

if TYPE_CHECKING:  # a price plan holds tax rules, and a pricing context a plan
    from prodlife.pricing.order_line import PricingContext

__all__ = ["Location", "TaxRule", "TaxRules"]

_COUNTRY = re.compile(r"[A-Z]{2}")
_REGION = re.compile(r"[A-Z0-9]{1,3}")


def _check_place(country: object, region: object, what: str) -> None:
    if not isinstance(country, str) or not _COUNTRY.fullmatch(country):
        raise ValidationError(
            f"{what} country {country!r} is not an ISO 3166-1 alpha-2 code; write it as two "
            "capital letters, e.g. 'FR'"
        )
    if region is not None and (not isinstance(region, str) or not _REGION.fullmatch(region)):
        raise ValidationError(
            f"{what} region {region!r} is not an ISO 3166-2 subdivision code; write the part "
            "after the country, 1 to 3 capital letters or digits (e.g. 'CA' for US-CA), or None"
        )


@attrs.frozen(slots=True)
class Location:
    """Where a customer is, for taxes: a country and, optionally, a region of it.

    Args:
        country: ISO 3166-1 alpha-2 code (``"US"``).
        region: the ISO 3166-2 subdivision after the country (``"CA"`` for
            US-CA), or ``None``.

    Raises:
        ValidationError: a code is not written as ISO 3166 writes it.
    """

    country: str
    region: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_place(self.country, self.region, "location")

    def __str__(self) -> str:
        return self.country if self.region is None else f"{self.country}-{self.region}"


@attrs.frozen(slots=True)
class TaxRule:
    """Tax code ``code`` is rate ``rate_code`` for customers in ``country`` (and ``region``).

    Args:
        code: the code products name (in ``tax_codes`` or as ``vat_code``).
        country: ISO 3166-1 alpha-2 country code.
        rate_code: the code of the rate, in the table, it stands for there.
        region: only in this region of the country (ISO 3166-2 subdivision);
            ``None`` for the whole country.

    Raises:
        ValidationError: a code is empty, or country or region is not ISO 3166.
    """

    code: str
    country: str
    rate_code: str
    region: str | None = None

    def __attrs_post_init__(self) -> None:
        for value, what in ((self.code, "code"), (self.rate_code, "rate code")):
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(f"tax rule {what} {value!r} must be non-empty text")
        _check_place(self.country, self.region, f"tax rule {self.code!r}")

    @property
    def place(self) -> tuple[str, str, str | None]:
        """The code and where the rule applies: what no two rules may share."""
        return (self.code, self.country, self.region)


def _rules(values: Iterable[TaxRule]) -> tuple[TaxRule, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class TaxRules:
    """The rates a business applies, chosen by the customer's location.

    Args:
        table: every rate, by code.
        rules: which rate a code stands for in a country or region.

    Raises:
        RuleViolation: an entry is not a :class:`TaxRule` (rule ``tax.kind``), a
            rule names a rate the table lacks (rule ``tax.unknown-rate``), or
            two rules share a code, country and region (rule ``tax.duplicate-rule``).
    """

    table: TaxTable = attrs.field(validator=attrs.validators.instance_of(TaxTable))
    rules: tuple[TaxRule, ...] = attrs.field(default=(), converter=_rules)
    _by_place: dict[tuple[str, str, str | None], TaxRule] = attrs.field(
        init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        found: dict[tuple[str, str, str | None], TaxRule] = {}
        entries: tuple[object, ...] = self.rules
        for rule in entries:
            if not isinstance(rule, TaxRule):
                raise RuleViolation("tax.kind", f"tax rule {rule!r} is not a TaxRule; give one")
            if rule.rate_code not in self.table:
                raise RuleViolation(
                    "tax.unknown-rate",
                    f"tax rule for {rule.code!r} in {_where(rule)} names rate "
                    f"{rule.rate_code!r}, which the table does not define; known rates are "
                    f"{list(self.table.codes)}",
                    rule.code,
                )
            if rule.place in found:
                raise RuleViolation(
                    "tax.duplicate-rule",
                    f"two tax rules say what {rule.code!r} is in {_where(rule)}; keep one",
                    rule.code,
                )
            found[rule.place] = rule
        object.__setattr__(self, "_by_place", found)

    def resolve(self, code: str, location: Location) -> TaxRate:
        """The rate tax code ``code`` stands for at ``location``.

        Raises:
            ValidationError: ``location`` is not a :class:`Location`.
            NotFound: no rule for the code there, and no rate with the code itself.
        """
        if not isinstance(location, Location):
            raise ValidationError(f"{location!r} is not a Location; pass Location('FR') or similar")
        for region in dict.fromkeys((location.region, None)):
            rule = self._by_place.get((code, location.country, region))
            if rule is not None:
                return self.table.get(rule.rate_code)
        if code in self.table:
            return self.table.get(code)
        raise NotFound(
            "tax rate for code",
            code,
            f"the customer is in {location}; add a TaxRule for code {code!r} and country "
            f"{location.country}, or a rate with code {code!r} that applies everywhere",
        )

    def for_product(self, product: Product, location: Location) -> tuple[TaxRate, ...]:
        """The rates of ``product`` at ``location``: its tax codes in order, then its VAT code.

        Raises:
            NotFound: as :meth:`resolve`.
            RuleViolation: a VAT code resolves to a rate that is not a VAT, or a
                tax code to a VAT (rule ``tax.kind``).
        """
        codes = [*product.tax_codes, *([product.vat_code] if product.vat_code else [])]
        rates = tuple(self.resolve(code, location) for code in codes)
        for index, rate, wanted in _misplaced(product, rates):
            raise RuleViolation(
                "tax.kind",
                f"in {location}, product {product.code!r}'s code {codes[index]!r} is rate "
                f"{rate.code!r}, a {rate.kind.value} rate, where a {wanted.value} rate is "
                "named; point the rule at a rate of the right kind",
                product.code,
            )
        return rates

    def context_for(
        self, context: PricingContext, product: Product, location: Location
    ) -> PricingContext:
        """``context`` with the taxes of ``product`` at ``location`` (its price basis kept).

        Raises:
            NotFound, RuleViolation: as :meth:`for_product`.
        """
        return attrs.evolve(context, taxes=self.for_product(product, location))


def _where(rule: TaxRule) -> str:
    return rule.country if rule.region is None else f"{rule.country}-{rule.region}"
