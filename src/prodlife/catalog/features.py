"""Editions' features, compared side by side for a customer choosing (seed 000).

Each :class:`~prodlife.catalog.Edition` lists its :class:`Feature`\\ s: a name, an
optional value ("50 GB", "5 users") and whether the edition includes it. A
:class:`FeatureComparison` lays the editions of one ladder out as columns and
every feature any of them names as a row, in the order the features first
appear, lowest edition first. An edition that does not name a feature does not
include it: its cell is ``None``.

>>> from prodlife.catalog import Edition, EditionLadder
>>> office = EditionLadder("OFFICE", (
...     Edition("BASIC", "Basic", (Feature("Storage", "50 GB"),
...                                Feature("Reports", included=False))),
...     Edition("PRO", "Pro", (Feature("Storage", "1 TB"), Feature("Reports"), Feature("API"))),
... ))
>>> table = office.compare()
>>> table.codes
('BASIC', 'PRO')
>>> [(row.name, [cell.shown if cell else "-" for cell in row.cells]) for row in table.rows]
[('Storage', ['50 GB', '1 TB']), ('Reports', ['no', 'yes']), ('API', ['-', 'yes'])]
>>> [row.name for row in table.differences()]
['Storage', 'Reports', 'API']
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from prodlife.catalog._findings import Finding, duplicates, is_a, is_text

__all__ = ["Feature", "FeatureComparison", "FeatureRow", "check_features"]


@attrs.frozen(slots=True)
class Feature:
    """One feature of an edition.

    Args:
        name: what the feature is ("Storage", "Priority support").
        value: how much of it, if it has an amount ("50 GB"); empty otherwise.
        included: whether the edition includes it; an edition may list a
            feature it lacks, so that the comparison says "no" explicitly.
    """

    name: str
    value: str = ""
    included: bool = True

    @property
    def shown(self) -> str:
        """How a comparison cell shows it: the value, or ``yes`` / ``no``."""
        if not self.included:
            return "no"
        return self.value or "yes"


def check_features(features: Iterable[object], edition: str) -> list[Finding]:
    """Every rule the features of edition ``edition`` break.

    Rules: ``edition.feature`` (a feature is a :class:`Feature` with a name, a
    text value and a bool ``included``), ``edition.feature-duplicate`` (an
    edition names a feature once).
    """
    found: list[Finding] = []
    names: list[str] = []
    for feature in features:
        if not isinstance(feature, Feature):
            found.append(
                ("edition.feature", f"edition {edition}: {feature!r} is not a Feature; give one")
            )
            continue
        if not is_text(feature.name):
            found.append(
                (
                    "edition.feature",
                    f"edition {edition}: feature name {feature.name!r} must be non-empty text",
                )
            )
            continue
        names.append(feature.name)
        if not is_a(feature.value, str) or not is_a(feature.included, bool):
            found.append(
                (
                    "edition.feature",
                    f"edition {edition}: feature {feature.name!r} needs a text value and a "
                    f"bool included, not {feature.value!r} and {feature.included!r}",
                )
            )
    twice = duplicates(names)
    if twice:
        found.append(
            (
                "edition.feature-duplicate",
                f"edition {edition} names the features {twice} twice; keep one of each",
            )
        )
    return found


@attrs.frozen(slots=True)
class FeatureRow:
    """One feature across the editions compared: one cell per edition, ``None`` where absent."""

    name: str
    cells: tuple[Feature | None, ...]

    @property
    def differs(self) -> bool:
        """Whether the editions do not all show the feature the same way."""
        return len({cell.shown if cell else "no" for cell in self.cells}) > 1


@attrs.frozen(slots=True)
class FeatureComparison:
    """Editions side by side: a column per edition, a row per feature.

    Attributes:
        codes: the editions compared, in the order asked (lowest first by default).
        rows: every feature any of them names, in the order first named.
    """

    codes: tuple[str, ...]
    rows: tuple[FeatureRow, ...]

    def differences(self) -> tuple[FeatureRow, ...]:
        """The rows where the editions differ: what a customer gains or loses by moving."""
        return tuple(row for row in self.rows if row.differs)


def compare(columns: Iterable[tuple[str, tuple[Feature, ...]]]) -> FeatureComparison:
    """The comparison of ``(edition code, features)`` columns."""
    given = list(columns)
    names: dict[str, None] = {}
    for _, features in given:
        names.update(dict.fromkeys(feature.name for feature in features))
    lookup = [{feature.name: feature for feature in features} for _, features in given]
    rows = tuple(FeatureRow(name, tuple(cells.get(name) for cells in lookup)) for name in names)
    return FeatureComparison(tuple(code for code, _ in given), rows)
