"""Cancellation policies: when a cancelled service ends and what it gets back.

A :class:`CancellationPolicy` says when a cancelled service ends
(immediately, at the end of the period, or after N renewals, seed 000) and
what is refunded; :class:`CancellationDefaults` gives each product its own.

=========================================  =============================================
rule                                       condition
=========================================  =============================================
``cancellation.renewals``                  a renewal count (>= 1) only "after renewals"
``cancellation.refund``                    a refund only for an immediate cancellation
``cancellation-defaults.duplicate``        one default per product
``cancellation-defaults.unknown-product``  defaults name products the catalog has
=========================================  =============================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from prodlife._enums import Labelled
from prodlife._numbers import is_whole
from prodlife.catalog._findings import Finding, check_code, duplicates, raise_first
from prodlife.catalog.products import Product
from prodlife.proration.change import CreditMode
from prodlife.proration.refunds import UsedDay

__all__ = [
    "CancellationDefaults",
    "CancellationPolicy",
    "CancellationTiming",
    "check_cancellation_defaults",
    "check_cancellation_policy",
]


class CancellationTiming(Labelled):
    """When a cancelled service ends (seed 000's three choices)."""

    #: At once (at the scheduler's next run).
    IMMEDIATE = "immediate"
    #: At the end of the period already paid for.
    END_OF_PERIOD = "end of period"
    #: At the end of the period after a given number of further renewals.
    AFTER_RENEWALS = "after renewals"


@attrs.frozen(slots=True)
class CancellationPolicy:
    """When a cancellation takes effect, and what is refunded.

    Args:
        timing: immediately, at the end of the period, or after N renewals.
        renewals: how many renewals before the end; required (at least 1)
            for ``AFTER_RENEWALS`` and only then.
        refund: none, prorated (the unused part) or full; only an immediate
            cancellation leaves something unused, so only it may refund.
        used_day: whether the day of an immediate cancellation counts as used;
            with ``refund``, what :func:`~prodlife.proration.quote_cancellation`
            takes.

    Raises:
        RuleViolation: ``renewals`` does not fit ``timing`` (rule
            ``cancellation.renewals``), or a refund is set for a cancellation
            that is not immediate (rule ``cancellation.refund``).

    >>> CancellationPolicy(CancellationTiming.AFTER_RENEWALS, 2).renewals
    2
    >>> CancellationPolicy(CancellationTiming.END_OF_PERIOD, refund=CreditMode.FULL)
    Traceback (most recent call last):
    ...
    prodlife.errors.RuleViolation: cancellation policy: a service cancelled at the end of its
    period has used everything it paid for, so there is nothing to refund; set refund to ...
    """

    timing: CancellationTiming = CancellationTiming.END_OF_PERIOD
    renewals: int | None = None
    refund: CreditMode = CreditMode.NONE
    used_day: UsedDay = UsedDay.USED

    def __attrs_post_init__(self) -> None:
        raise_first(check_cancellation_policy(self), "cancellation policy")


_WHEN = {
    CancellationTiming.END_OF_PERIOD: "at the end of its period",
    CancellationTiming.AFTER_RENEWALS: "after its last renewal",
}


def check_cancellation_policy(policy: CancellationPolicy) -> list[Finding]:
    """Every rule ``policy`` breaks."""
    p = policy
    found: list[Finding] = []
    counted = p.timing is CancellationTiming.AFTER_RENEWALS
    if counted and not is_whole(p.renewals, 1):
        found.append(
            (
                "cancellation.renewals",
                f"cancelling after renewals needs a whole number of renewals of at least 1, "
                f"not {p.renewals!r}; e.g. CancellationPolicy(AFTER_RENEWALS, renewals=2)",
            )
        )
    if not counted and p.renewals is not None:
        found.append(
            (
                "cancellation.renewals",
                f"a renewal count ({p.renewals!r}) only applies to cancelling after renewals; "
                "drop it or use CancellationTiming.AFTER_RENEWALS",
            )
        )
    if p.timing is not CancellationTiming.IMMEDIATE and p.refund is not CreditMode.NONE:
        found.append(
            (
                "cancellation.refund",
                f"a service cancelled {_WHEN[p.timing]} has used everything it paid for, "
                "so there is nothing to refund; set refund to CreditMode.NONE or cancel "
                "immediately",
            )
        )
    return [(rule, f"cancellation policy: {message}") for rule, message in found]


def _pairs(
    values: Mapping[str, CancellationPolicy] | Iterable[tuple[str, CancellationPolicy]],
) -> tuple[tuple[str, CancellationPolicy], ...]:
    items = values.items() if isinstance(values, Mapping) else values
    return tuple(sorted(((code, policy) for code, policy in items), key=lambda p: str(p[0])))


@attrs.frozen(slots=True)
class CancellationDefaults:
    """The cancellation policy each product has unless a cancellation says otherwise.

    Args:
        default: the policy of every product not listed (by default: at the
            end of the period, no refund).
        per_product: product code to policy, as a mapping or ``(code, policy)``
            pairs; kept sorted by code.

    Raises:
        RuleViolation: a code is malformed or listed twice (rule
            ``cancellation-defaults.duplicate``).

    >>> now = CancellationPolicy(CancellationTiming.IMMEDIATE, refund=CreditMode.PRORATED)
    >>> defaults = CancellationDefaults(per_product={"DOMAIN": now})
    >>> defaults.for_product("DOMAIN").timing.value, defaults.for_product("VPS").timing.value
    ('immediate', 'end of period')
    """

    default: CancellationPolicy = CancellationPolicy()
    per_product: tuple[tuple[str, CancellationPolicy], ...] = attrs.field(
        default=(), converter=_pairs
    )

    def __attrs_post_init__(self) -> None:
        raise_first(check_cancellation_defaults(self), "cancellation defaults")

    def for_product(self, code: str) -> CancellationPolicy:
        """The policy of product ``code``: its own, or the default."""
        return next((policy for c, policy in self.per_product if c == code), self.default)


def check_cancellation_defaults(
    defaults: CancellationDefaults, products: Mapping[str, Product] | None = None
) -> list[Finding]:
    """Every rule ``defaults`` breaks; with ``products``, also codes the catalog lacks.

    A default for a product the catalog does not have is never used (rule
    ``cancellation-defaults.unknown-product``).
    """
    found: list[Finding] = []
    codes = [code for code, _ in defaults.per_product]
    for code in dict.fromkeys(codes):
        found += check_code(code, "product")
        if products is not None and code not in products:
            found.append(
                (
                    "cancellation-defaults.unknown-product",
                    f"product {code!r} has a policy but the catalog has no such product; "
                    "fix the code or drop the policy",
                )
            )
    twice = duplicates(codes)
    if twice:
        found.append(
            (
                "cancellation-defaults.duplicate",
                f"products {twice} are given two policies; keep one each",
            )
        )
    return [(rule, f"cancellation defaults: {message}") for rule, message in found]
