"""The billing-term vocabulary of a catalog, as values: billing and payment timings, terms,
billing term schemes and subscription types, each checked on its own.

A catalog holds its schemes and subscription types (``Catalog.term_schemes``,
``Catalog.subscription_types``); the checks that need the rest of the catalog (a scheme's
products, a subscription type's offer) and the billing of services by them are in
:mod:`prodlife.catalog.subscriptions`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from prodlife.catalog._findings import (
    Finding,
    check_code,
    duplicates,
    frozen_codes,
    is_text,
    raise_first,
)
from prodlife.cycles import MONTHLY, BillingCycle
from prodlife.errors import NotFound

#: How long a prepaid term added by default is paid ahead: one monthly cycle.
_DEFAULT_PAID_AHEAD = MONTHLY

__all__ = [
    "BillingTerm",
    "BillingTermScheme",
    "BillingTiming",
    "PaymentTiming",
    "PrepaidTerm",
    "SubscriptionType",
    "check_billing_term_scheme",
    "check_prepaid_term",
    "check_subscription_type_definition",
]


def _about(subject: str, found: list[Finding]) -> list[Finding]:
    return [(rule, f"{subject}: {message}") for rule, message in found]


class BillingTiming(enum.Enum):
    """When a termed service of a normal scheme is invoiced for a period."""

    #: Invoiced at the start of the period (pre-bill).
    IN_ADVANCE = "pre-bill"
    #: Invoiced at the end of the period (post-bill).
    IN_ARREARS = "post-bill"


class PaymentTiming(enum.Enum):
    """Whether a termed service of a prepaid scheme is paid before or after use."""

    PREPAID = "prepaid"
    POSTPAID = "postpaid"


@attrs.frozen(slots=True)
class BillingTerm:
    """How a normal scheme bills one termed service.

    Args:
        product_code: the termed service.
        timing: pre-bill (in advance, the default) or post-bill (in arrears).
        exclude_from_deactivation: whether deactivation runs for non-payment
            leave the service alone (e.g. a free-to-air channel).

    Raises:
        RuleViolation: the product code is malformed.
    """

    product_code: str
    timing: BillingTiming = BillingTiming.IN_ADVANCE
    exclude_from_deactivation: bool = False

    def __attrs_post_init__(self) -> None:
        found = check_code(self.product_code, "billing term product")
        raise_first(found, str(self.product_code))


@attrs.frozen(slots=True)
class PrepaidTerm:
    """How a prepaid scheme bills one termed service.

    Args:
        product_code: the termed service.
        payment: prepaid (the default) or postpaid.
        paid_ahead: for a prepaid service, the period the customer pays in
            advance (e.g. ``BillingCycle.months(3)``); ``None`` for postpaid.

    Raises:
        RuleViolation: a prepaid term without a recurring ``paid_ahead``, or a
            postpaid term with one (rule ``term.paid-ahead``).
    """

    product_code: str
    payment: PaymentTiming = PaymentTiming.PREPAID
    paid_ahead: BillingCycle | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(check_prepaid_term(self), str(self.product_code))


def check_prepaid_term(term: PrepaidTerm) -> list[Finding]:
    """Every rule a prepaid term breaks on its own."""
    found = check_code(term.product_code, "prepaid term product")
    ahead = term.paid_ahead
    if term.payment is PaymentTiming.PREPAID and (ahead is None or not ahead.is_recurring):
        message = f"a prepaid service needs the period paid in advance, not {ahead}"
        found.append(("term.paid-ahead", f"{message}, e.g. paid_ahead=BillingCycle.months(3)"))
    elif term.payment is PaymentTiming.POSTPAID and ahead is not None:
        message = f"a postpaid service is paid after use, so nothing is paid ahead ({ahead})"
        found.append(("term.paid-ahead", f"{message}; use paid_ahead=None"))
    return _about(f"term for {term.product_code!r}", found)


#: A term of either kind of scheme.
Term = BillingTerm | PrepaidTerm


def _terms(values: Iterable[Term]) -> tuple[Term, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class BillingTermScheme:
    """How the termed services of subscriptions are billed, one term per service.

    Args:
        code: the scheme's code.
        name: its display name.
        prepaid: ``False`` for a normal scheme (:class:`BillingTerm` s),
            ``True`` for a prepaid one (:class:`PrepaidTerm` s).
        terms: one term per termed service.

    Raises:
        RuleViolation: no name, a term of the wrong kind, or a product twice.
    """

    code: str
    name: str
    prepaid: bool = False
    terms: tuple[Term, ...] = attrs.field(default=(), converter=_terms)

    def __attrs_post_init__(self) -> None:
        raise_first(check_billing_term_scheme(self), self.code)

    def has(self, product_code: str) -> bool:
        """Whether the scheme has a term for ``product_code``."""
        return any(term.product_code == product_code for term in self.terms)

    def term_for(self, product_code: str) -> Term:
        """The term for ``product_code``.

        Raises:
            NotFound: the scheme has no term for it.
        """
        for term in self.terms:
            if term.product_code == product_code:
                return term
        hint = f"add it to scheme {self.code!r} (with_product) or check the code"
        raise NotFound("billing term for product", product_code, hint)

    def default_term(self, product_code: str) -> Term:
        """The term a product gets when added without one.

        Pre-bill and not excluded from deactivation in a normal scheme;
        prepaid for one monthly cycle paid ahead in a prepaid scheme.
        """
        if self.prepaid:
            return PrepaidTerm(product_code, PaymentTiming.PREPAID, _DEFAULT_PAID_AHEAD)
        return BillingTerm(product_code)

    def with_product(self, product_code: str) -> BillingTermScheme:
        """The scheme with ``product_code`` added on its :meth:`default_term`.

        A product the scheme already has keeps its term: the scheme is returned
        unchanged.
        """
        if self.has(product_code):
            return self
        return attrs.evolve(self, terms=(*self.terms, self.default_term(product_code)))

    def with_term(self, term: Term) -> BillingTermScheme:
        """The scheme with ``term`` replacing the product's term, or added."""
        kept = tuple(t for t in self.terms if t.product_code != term.product_code)
        return attrs.evolve(self, terms=(*kept, term))


def check_billing_term_scheme(scheme: BillingTermScheme) -> list[Finding]:
    """Every rule a scheme breaks on its own (without the catalog)."""
    found = check_code(scheme.code, "billing term scheme")
    if not is_text(scheme.name):
        found.append(("scheme.name", "a billing term scheme needs a name; give it one"))
    wanted = PrepaidTerm if scheme.prepaid else BillingTerm
    kind = "prepaid" if scheme.prepaid else "normal"
    for term in scheme.terms:
        if not isinstance(term, wanted):
            message = (
                f"the term for {term.product_code!r} is a {type(term).__name__}, but a {kind} "
                f"scheme holds {wanted.__name__}s; use a {wanted.__name__}"
            )
            found.append(("scheme.term-kind", message))
    codes = [term.product_code for term in scheme.terms]
    twice = duplicates(codes)
    if twice:
        message = f"products {twice} have more than one term; keep one term per product"
        found.append(("scheme.duplicate", message))
    return _about(f"billing term scheme {scheme.code!r}", found)


@attrs.frozen(slots=True)
class SubscriptionType:
    """A subscription offering: products, price plans, schemes and providers combined.

    Args:
        code: the type's code.
        name: its display name.
        products: the codes of the products subscriptions of the type may hold.
        price_plans: the codes of the price plans they may be priced by.
        schemes: the codes of the billing term schemes they may be billed by.
        providers: the codes of the provisioning providers that serve them.

    Raises:
        RuleViolation: no name, or a malformed code.
    """

    code: str
    name: str
    products: frozenset[str] = attrs.field(default=frozenset(), converter=frozen_codes)
    price_plans: frozenset[str] = attrs.field(default=frozenset(), converter=frozen_codes)
    schemes: frozenset[str] = attrs.field(default=frozenset(), converter=frozen_codes)
    providers: frozenset[str] = attrs.field(default=frozenset(), converter=frozen_codes)

    def __attrs_post_init__(self) -> None:
        raise_first(check_subscription_type_definition(self), self.code)


def check_subscription_type_definition(subscription_type: SubscriptionType) -> list[Finding]:
    """Every rule a subscription type breaks on its own (without the catalog)."""
    t = subscription_type
    found = check_code(t.code, "subscription type")
    if not is_text(t.name):
        found.append(("subscription.name", "a subscription type needs a name; give it one"))
    for what, codes in (
        ("product", t.products),
        ("price plan", t.price_plans),
        ("billing term scheme", t.schemes),
        ("provider", t.providers),
    ):
        for code in sorted(codes, key=repr):
            found += check_code(code, what)
    return _about(f"subscription type {t.code!r}", found)
