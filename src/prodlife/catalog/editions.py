"""Editions: ordered tiers of one product, and the moves between them.

Upgrades and downgrades are defined by the order of the tiers (Basic < Pro <
Premium). Some moves can be forbidden (seed 000: some downgrades are not
supported).

>>> office = EditionLadder(
...     "OFFICE",
...     (Edition("BASIC", "Basic"), Edition("PRO", "Pro"), Edition("PREMIUM", "Premium")),
...     forbidden=frozenset({("PREMIUM", "BASIC")}),
... )
>>> office.direction("BASIC", "PRO")
<Direction.UPGRADE: 'upgrade'>
>>> office.check_move("PREMIUM", "BASIC")
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: OFFICE does not support moving from edition PREMIUM to BASIC;
choose another edition (rule edition.forbidden-move)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from prodlife.catalog._findings import Finding, check_code, duplicates, raise_first
from prodlife.catalog.features import Feature, FeatureComparison, check_features, compare
from prodlife.errors import NotFound, RuleViolation

__all__ = ["Direction", "Edition", "EditionLadder", "check_edition_ladder"]


class Direction(enum.Enum):
    """Which way a change of product or edition goes."""

    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"
    #: Between products that are not tiers of one ladder.
    CROSSGRADE = "crossgrade"
    #: No move at all.
    SAME = "same"


def _features(values: Iterable[Feature]) -> tuple[Feature, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class Edition:
    """One tier of a product: a code unique within the product, a name, and its features.

    Args:
        code: unique within the product.
        name: display name.
        features: what the edition offers, compared side by side by
            :meth:`EditionLadder.compare` (seed 000's feature comparison).
    """

    code: str
    name: str
    features: tuple[Feature, ...] = attrs.field(default=(), converter=_features)


def _forbidden(pairs: object) -> frozenset[tuple[str, str]]:
    """Pairs of edition codes; a single ``(from, to)`` pair is accepted as one."""
    if isinstance(pairs, tuple) and len(pairs) == 2 and all(isinstance(c, str) for c in pairs):
        return frozenset({(pairs[0], pairs[1])})
    return frozenset((str(a), str(b)) for a, b in pairs)  # type: ignore[attr-defined]


def _editions(values: Iterable[Edition]) -> tuple[Edition, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class EditionLadder:
    """The editions of one product, lowest first, and the moves it does not support.

    Args:
        product_code: the product whose tiers these are.
        editions: the tiers, from the lowest to the highest.
        forbidden: ``(from, to)`` edition code pairs that cannot be moved between.

    Raises:
        RuleViolation: no editions, duplicate codes, or a forbidden move that
            names an unknown edition.
    """

    product_code: str
    editions: tuple[Edition, ...] = attrs.field(converter=_editions)
    forbidden: frozenset[tuple[str, str]] = attrs.field(factory=frozenset, converter=_forbidden)

    def __attrs_post_init__(self) -> None:
        raise_first(check_edition_ladder(self), self.product_code)

    @property
    def codes(self) -> tuple[str, ...]:
        """The edition codes, lowest first."""
        return tuple(edition.code for edition in self.editions)

    def rank(self, code: str) -> int:
        """The position of edition ``code`` (0 for the lowest).

        Raises:
            NotFound: the product has no such edition.
        """
        try:
            return self.codes.index(code)
        except ValueError:
            raise NotFound(
                "edition",
                code,
                f"{self.product_code} has editions {list(self.codes)}",
            ) from None

    def direction(self, from_code: str, to_code: str) -> Direction:
        """Whether moving from one edition to another is an upgrade, a downgrade or none."""
        low, high = self.rank(from_code), self.rank(to_code)
        if high > low:
            return Direction.UPGRADE
        return Direction.DOWNGRADE if high < low else Direction.SAME

    def check_move(self, from_code: str, to_code: str) -> Direction:
        """Return the move's direction, refusing a forbidden move.

        Raises:
            NotFound: an edition does not exist.
            RuleViolation: the move is forbidden (rule ``edition.forbidden-move``).
        """
        direction = self.direction(from_code, to_code)
        if (from_code, to_code) in self.forbidden:
            raise RuleViolation(
                "edition.forbidden-move",
                f"{self.product_code} does not support moving from edition {from_code} to "
                f"{to_code}; choose another edition",
                self.product_code,
            )
        return direction

    def compare(self, *codes: str) -> FeatureComparison:
        """The features of editions ``codes`` side by side (all editions, lowest first, by default).

        Raises:
            NotFound: an edition does not exist.
        """
        wanted = codes or self.codes
        columns = [(code, self.editions[self.rank(code)].features) for code in wanted]
        return compare(columns)

    def higher_than(self, code: str) -> tuple[Edition, ...]:
        """The editions above ``code``, lowest first (what to offer next)."""
        return self.editions[self.rank(code) + 1 :]


def check_edition_ladder(ladder: EditionLadder) -> list[Finding]:
    """Every rule an edition ladder breaks on its own."""
    found = check_code(ladder.product_code, "product")
    codes = [edition.code for edition in ladder.editions]
    if not codes:
        found.append(("edition.none", "a ladder needs at least one edition"))
    for edition in ladder.editions:
        found += check_code(edition.code, "edition")
        found += check_features(edition.features, str(edition.code))
    twice = duplicates(codes)
    if twice:
        found.append(("edition.duplicate", f"editions {twice} appear twice; codes must be unique"))
    for pair in sorted(ladder.forbidden):
        unknown = [code for code in pair if code not in codes]
        if unknown:
            found.append(
                (
                    "edition.forbidden-unknown",
                    f"forbidden move {pair[0]} -> {pair[1]} names unknown editions {unknown}",
                )
            )
    return [(rule, f"editions of {ladder.product_code!r}: {msg}") for rule, msg in found]
