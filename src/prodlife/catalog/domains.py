"""The TLD price table (seed 003): what registering, transferring and renewing a domain costs.

Each :class:`TldPrice` prices one top-level domain (``com``, ``co.uk``) for a term
of N years in one currency: the registration, the transfer (``None`` when
transfers for that term are not offered) and the renewal (the registration
price when not given). A :class:`TldPrices` table finds the price of a domain
name by its longest matching TLD: ``shop.example.co.uk`` is priced as ``co.uk``
when the table has it, as ``uk`` otherwise. A domain line of an order without a
price override is priced from the table the pricing context carries
(:attr:`PricingContext.tld_prices <prodlife.pricing.PricingContext.tld_prices>`).

>>> from prodlife import Money
>>> table = TldPrices([
...     TldPrice("com", 1, Money("12.00", "USD"), Money("10.00", "USD"), Money("14.00", "USD")),
...     TldPrice("com", 2, Money("22.00", "USD")),
... ])
>>> table.price("example.com", 1, "transfer", "USD")
Money('10.00', 'USD')
>>> table.price("example.com", 2, "renew", "USD")  # renewals cost what registration does
Money('22.00', 'USD')
>>> table.price("example.com", 2, "transfer", "USD")
Traceback (most recent call last):
...
prodlife.errors.NotFound: no transfer price for 'example.com'; for 2 year(s) in USD the TLD
price table has none: add it (TldPrice for 'com', 2 years, in USD) or give the line a price
override
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from prodlife._numbers import is_whole
from prodlife.catalog._findings import Finding, duplicates, raise_first
from prodlife.errors import NotFound, ValidationError
from prodlife.money import Currency, Money

__all__ = ["DOMAIN_ACTIONS", "TldPrice", "TldPrices", "check_tld_price"]

#: What a TLD price table prices: the price columns of a :class:`TldPrice`.
DOMAIN_ACTIONS = ("register", "transfer", "renew")
_TLD = re.compile(r"^(?:[a-z0-9-]{1,63}\.)*(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


@attrs.frozen(slots=True)
class TldPrice:
    """The prices of one TLD for a term of ``years`` years, in one currency.

    Args:
        tld: the top-level domain, lower case, without the leading dot
            (``com``, ``co.uk``, ``xn--p1ai``).
        years: the term, 1 to 10 years.
        register: the price of registering for the term.
        transfer: the price of transferring in for the term; ``None`` when not offered.
        renew: the price of renewing for the term; ``None`` means the
            registration price.

    Raises:
        RuleViolation: rules ``tld.name``, ``tld.years``, ``tld.price``.
    """

    tld: str
    years: int
    register: Money
    transfer: Money | None = None
    renew: Money | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(check_tld_price(self), str(self.tld))

    @property
    def currency(self) -> str:
        """The ISO 4217 code of the prices' currency."""
        return self.register.currency.code

    def for_action(self, action: str) -> Money | None:
        """The price of ``action`` (``register``, ``transfer`` or ``renew``), if offered."""
        if action == "renew":
            return self.register if self.renew is None else self.renew
        return self.register if action == "register" else self.transfer


def check_tld_price(price: TldPrice) -> list[Finding]:
    """Every rule a TLD price breaks on its own."""
    found: list[Finding] = []
    if not isinstance(price.tld, str) or not _TLD.match(price.tld):
        found.append(
            (
                "tld.name",
                f"TLD {price.tld!r} is not a top-level domain; write it in lower case without "
                "the leading dot, e.g. 'com' or 'co.uk'",
            )
        )
    if not is_whole(price.years, 1, 10):
        found.append(("tld.years", f"a TLD term of {price.years!r} years; give 1 to 10"))
    amounts = [price.register, price.transfer, price.renew]
    if not isinstance(price.register, Money) or any(
        amount is not None and (not isinstance(amount, Money) or amount.amount < 0)
        for amount in amounts
    ):
        found.append(
            (
                "tld.price",
                f"TLD {price.tld!r} prices {amounts!r} must be Money of zero or more (transfer "
                "and renew may be None)",
            )
        )
    elif any(a is not None and a.currency != price.register.currency for a in amounts):
        found.append(("tld.price", f"TLD {price.tld!r} prices must share one currency"))
    return found


def _prices(values: Iterable[TldPrice]) -> tuple[TldPrice, ...]:
    return tuple(values)


def tld_duplicates(prices: Iterable[TldPrice]) -> list[str]:
    """The ``tld/years/currency`` keys priced more than once."""
    return duplicates([f"{p.tld}/{p.years}/{p.currency}" for p in prices])


@attrs.frozen(slots=True)
class TldPrices:
    """A TLD price table: the prices of domains by TLD, term and currency.

    Raises:
        ValidationError: an entry is not a :class:`TldPrice`, or a TLD, term
            and currency is priced twice.
    """

    prices: tuple[TldPrice, ...] = attrs.field(default=(), converter=_prices)
    _index: dict[tuple[str, int, str], TldPrice] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        entries: tuple[object, ...] = self.prices
        wrong = [entry for entry in entries if not isinstance(entry, TldPrice)]
        if wrong:
            raise ValidationError(f"TLD price table entry {wrong[0]!r} is not a TldPrice")
        twice = tld_duplicates(self.prices)
        if twice:
            raise ValidationError(f"TLD prices {twice} are given twice; keep one of each")
        index = {(p.tld, p.years, p.currency): p for p in self.prices}
        object.__setattr__(self, "_index", index)

    def tld_of(self, domain: str) -> str | None:
        """The longest TLD of ``domain`` the table prices, or ``None``."""
        labels = domain.lower().rstrip(".").split(".")
        known = {tld for tld, _, _ in self._index}
        return next(
            (".".join(labels[i:]) for i in range(1, len(labels)) if ".".join(labels[i:]) in known),
            None,
        )

    def price(self, domain: str, years: int, action: str, currency: Currency | str) -> Money:
        """What ``action`` on ``domain`` for ``years`` years costs in ``currency``.

        Raises:
            ValidationError: ``action`` is not one of :data:`DOMAIN_ACTIONS`.
            NotFound: the table has no such price; the message says what to add.
        """
        if action not in DOMAIN_ACTIONS:
            raise ValidationError(f"domain action {action!r} is not one of {DOMAIN_ACTIONS}")
        currency = currency.code if isinstance(currency, Currency) else currency
        tld = self.tld_of(domain)
        entry = None if tld is None else self._index.get((tld, years, currency))
        found = None if entry is None else entry.for_action(action)
        if found is None:
            suffix = tld or domain.lower().rsplit(".", 1)[-1]
            raise NotFound(
                f"{action} price for",
                domain,
                f"for {years} year(s) in {currency} the TLD price table has none: add it "
                f"(TldPrice for {suffix!r}, {years} years, in {currency}) or give the line a "
                "price override",
            )
        return found
