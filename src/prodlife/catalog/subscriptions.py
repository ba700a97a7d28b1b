# Over 400 lines: subscription types and the billing-term schemes they offer. The terms
# (BillingTiming, BillingTerm, PrepaidTerm, BillingTermScheme) belong in a module of their
# own, but nine modules of billing/, lifecycle/ and app/ (edited elsewhere now) import them
# from here: split once those are merged.
"""Subscription types and billing term schemes (seed 004).

A :class:`BillingTermScheme` says how the termed services of subscriptions are
billed. A *normal* scheme holds a :class:`BillingTerm` per service: billed in
advance (pre-bill) or in arrears (post-bill), and whether the service is left
out of deactivation runs (a free-to-air channel is never suspended for
non-payment). A *prepaid* scheme holds a :class:`PrepaidTerm` per service:
prepaid, for a period the customer pays ahead, or postpaid.

A :class:`SubscriptionType` is an offering: the products it may hold, its
price plans, billing term schemes and provisioning providers. Seed 004's rule:
a product added to a subscription type is added to every scheme of the type
that lacks it (:func:`add_product`). The default term is pre-bill and not
excluded from deactivation for a normal scheme, and prepaid for one monthly
cycle paid ahead for a prepaid scheme; edit the term afterwards if it should
differ. Existing terms are never changed.

=================================  =====================================================
rule                               condition
=================================  =====================================================
``term.paid-ahead``                a prepaid term has a recurring period paid ahead; a
                                   postpaid term has none
``scheme.name``                    a scheme has a name
``scheme.term-kind``               a normal scheme holds billing terms, a prepaid scheme
                                   prepaid terms
``scheme.duplicate``               a scheme holds one term per product
``scheme.unknown-product``         the catalog has each product of a scheme
``scheme.termed-only``             a scheme holds only termed services
``subscription.name``              a subscription type has a name
``subscription.unknown-product``   the catalog has each product of the type
``subscription.product-kind``      a type offers termed services, expenses and physical
                                   goods (not usage or one-time services)
``subscription.unknown-plan``      each price plan of the type exists
``subscription.unknown-scheme``    each billing term scheme of the type exists
``subscription.uncovered``         each scheme of the type has every termed product of
                                   the type
``subscription.product``           a service's product belongs to its subscription type
``subscription.plan``              a service's price plan belongs to its type
``subscription.scheme``            a service's billing term scheme belongs to its type
``subscription.no-term``           a recurring service's scheme has a term for its
                                   product
=================================  =====================================================

>>> tv = SubscriptionType("TV", "Television", products={"NEWS"}, schemes={"STD"})
>>> standard = BillingTermScheme("STD", "Standard", terms=(BillingTerm("NEWS"),))
>>> tv, schemes = add_product(tv, {"STD": standard}, "SPORT")
>>> sorted(tv.products), schemes["STD"].term_for("SPORT")
(['NEWS', 'SPORT'], BillingTerm(product_code='SPORT', timing=<BillingTiming.IN_ADVANCE: 'pre-bill'>,
exclude_from_deactivation=False))
>>> is_in_arrears(schemes["STD"], "SPORT"), excluded_from_deactivation(schemes["STD"], "SPORT")
(False, False)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Protocol

import attrs

from prodlife._text import with_article
from prodlife.catalog._findings import (
    Finding,
    check_code,
    raise_first,
)

# The billing-term values, defined in billing_terms (which the Catalog imports), also
# importable from here as before.
from prodlife.catalog.billing_terms import BillingTerm as BillingTerm
from prodlife.catalog.billing_terms import BillingTermScheme as BillingTermScheme
from prodlife.catalog.billing_terms import BillingTiming as BillingTiming
from prodlife.catalog.billing_terms import PaymentTiming as PaymentTiming
from prodlife.catalog.billing_terms import PrepaidTerm as PrepaidTerm
from prodlife.catalog.billing_terms import SubscriptionType as SubscriptionType
from prodlife.catalog.billing_terms import _about
from prodlife.catalog.billing_terms import check_billing_term_scheme as check_billing_term_scheme
from prodlife.catalog.billing_terms import check_prepaid_term as check_prepaid_term
from prodlife.catalog.billing_terms import (
    check_subscription_type_definition as check_subscription_type_definition,
)
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.types import ProductType, ServiceKind
from prodlife.cycles import BillingCycle
from prodlife.errors import NotFound

__all__ = [
    "SubscribedService",
    "add_product",
    "check_scheme_in_catalog",
    "check_service",
    "check_subscription_type",
    "excluded_from_deactivation",
    "is_in_arrears",
    "validate_service",
]


class SubscribedService(Protocol):
    """What :func:`check_service` reads of a service: a lifecycle ``Service`` has it.

    A protocol, so that the catalog need not import the lifecycle above it.
    """

    @property
    def id(self) -> str:
        """The service's identifier."""

    @property
    def product_code(self) -> str:
        """The code of the product the service is an instance of."""

    @property
    def cycle(self) -> BillingCycle:
        """The service's billing cycle."""


#: Service kinds a subscription type may offer (seed 004: termed services,
#: expenses and physical goods; a physical good has no service kind).
_OFFERED_KINDS = (ServiceKind.TERMED, ServiceKind.EXPENSE, None)


def check_scheme_in_catalog(scheme: BillingTermScheme, catalog: Catalog) -> list[Finding]:
    """The rules ``scheme`` breaks against the catalog: only its termed services."""
    found: list[Finding] = []
    for term in scheme.terms:
        code = term.product_code
        try:
            product_type = catalog.type_of(code)
        except NotFound:
            message = f"product {code!r} is not in the catalog; add it or remove its term"
            found.append(("scheme.unknown-product", message))
            continue
        if not product_type.is_termed_service:
            message = (
                f"product {code!r} is {with_article(product_type.describes)}, "
                "and only termed services are billed by terms; remove its term"
            )
            found.append(("scheme.termed-only", message))
    return _about(f"billing term scheme {scheme.code!r}", found)


def _scheme(schemes: Mapping[str, BillingTermScheme], code: str) -> BillingTermScheme:
    try:
        return schemes[code]
    except KeyError:
        raise NotFound("billing term scheme", code) from None


def add_product(
    subscription_type: SubscriptionType,
    schemes: Mapping[str, BillingTermScheme],
    product_code: str,
    *,
    catalog: Catalog | None = None,
) -> tuple[SubscriptionType, dict[str, BillingTermScheme]]:
    """Offer ``product_code`` through ``subscription_type``, adding it to its schemes.

    Seed 004: each billing term scheme of the type that lacks the product gets
    it, on the scheme's :meth:`~BillingTermScheme.default_term`. Terms already
    there are kept as they are, and adding a product twice changes nothing.

    Args:
        subscription_type: the type to extend.
        schemes: billing term schemes by code; it must hold every scheme of the type.
        product_code: the product to offer.
        catalog: when given, the product must be in it and be a termed service,
            expense or physical good, and it is added to the schemes only if it
            is a termed service. Without it the product is taken for a termed
            service.

    Returns:
        The extended type, and a copy of ``schemes`` with the type's schemes updated.

    Raises:
        NotFound: a scheme of the type is not in ``schemes``, or the product is
            not in ``catalog``.
        RuleViolation: the catalog says the product is a usage or one-time
            service (rule ``subscription.product-kind``).
    """
    found = check_code(product_code, "product")
    termed = True
    if catalog is not None and not found:
        product_type = catalog.type_of(product_code)
        termed = product_type.is_termed_service
        if product_type.service_kind not in _OFFERED_KINDS:
            found.append(("subscription.product-kind", _kind_message(product_code, product_type)))
    raise_first(_about(f"subscription type {subscription_type.code!r}", found), product_code)
    updated = dict(schemes)
    for code in sorted(subscription_type.schemes):
        scheme = _scheme(schemes, code)
        if termed:
            updated[code] = scheme.with_product(product_code)
    products = subscription_type.products | {product_code}
    return attrs.evolve(subscription_type, products=products), updated


def _kind_message(code: str, product_type: ProductType) -> str:
    return (
        f"product {code!r} is {with_article(product_type.describes)}; a subscription type offers "
        "termed services, expenses and physical goods (one-time services go to "
        "activity types, usage services to usage service catalogs)"
    )


def check_subscription_type(
    subscription_type: SubscriptionType,
    catalog: Catalog,
    schemes: Mapping[str, BillingTermScheme],
    plans: Collection[str],
) -> list[Finding]:
    """Every rule ``subscription_type`` breaks against the catalog, schemes and plans.

    Args:
        subscription_type: the type to check.
        catalog: the catalog its products come from.
        schemes: the billing term schemes by code.
        plans: the codes of the price plans (a mapping from code to
            :class:`~prodlife.pricing.plans.PricePlan` works too).

    Returns:
        Each broken rule: an unknown product, scheme or plan, a product of a
        kind a type cannot offer, a known scheme of the type breaking its own
        catalog rules, or a termed product of the type a scheme lacks.
    """
    t = subscription_type
    found: list[Finding] = []
    termed: list[str] = []
    for code in sorted(t.products):
        try:
            product_type = catalog.type_of(code)
        except NotFound:
            message = f"product {code!r} is not in the catalog; add it or remove it from the type"
            found.append(("subscription.unknown-product", message))
            continue
        if product_type.service_kind not in _OFFERED_KINDS:
            found.append(("subscription.product-kind", _kind_message(code, product_type)))
        elif product_type.is_termed_service:
            termed.append(code)
    for code in sorted(t.price_plans):
        if code not in plans:
            message = f"price plan {code!r} is not defined; define it or remove it from the type"
            found.append(("subscription.unknown-plan", message))
    for code in sorted(t.schemes):
        scheme = schemes.get(code)
        if scheme is None:
            message = f"billing term scheme {code!r} is not defined; define it or remove it"
            found.append(("subscription.unknown-scheme", message))
            continue
        found += check_scheme_in_catalog(scheme, catalog)
        missing = [product for product in termed if not scheme.has(product)]
        if missing:
            message = (
                f"billing term scheme {code!r} has no term for termed products {missing}; "
                "add them (add_product does)"
            )
            found.append(("subscription.uncovered", message))
    return _about(f"subscription type {t.code!r}", found)


def check_service(
    service: SubscribedService,
    subscription_type: SubscriptionType,
    scheme: BillingTermScheme,
    plan_code: str,
) -> list[Finding]:
    """Every rule a service created under ``subscription_type`` breaks.

    The service's product, its price plan ``plan_code`` and its billing term
    ``scheme`` must belong to the type, and the scheme must have a term for
    the product of a recurring service. :func:`validate_service` raises the
    first as a :class:`~prodlife.errors.RuleViolation`.
    """
    t = subscription_type
    product = service.product_code
    found: list[Finding] = []
    if product not in t.products:
        message = f"product {product!r} is not offered by the type; add it (add_product) first"
        found.append(("subscription.product", message))
    if plan_code not in t.price_plans:
        message = f"price plan {plan_code!r} is not one of the type's {sorted(t.price_plans)}"
        found.append(("subscription.plan", message))
    if scheme.code not in t.schemes:
        message = (
            f"billing term scheme {scheme.code!r} is not one of the type's {sorted(t.schemes)}"
        )
        found.append(("subscription.scheme", message))
    if service.cycle.is_recurring and not scheme.has(product):
        message = f"billing term scheme {scheme.code!r} has no term for product {product!r}"
        found.append(("subscription.no-term", f"{message}; add it to the scheme"))
    return _about(f"service {service.id!r} of subscription type {t.code!r}", found)


def is_in_arrears(scheme: BillingTermScheme, product_code: str) -> bool:
    """Whether ``scheme`` invoices ``product_code`` after its period rather than before.

    Post-bill in a normal scheme; postpaid in a prepaid scheme.

    Raises:
        NotFound: the scheme has no term for the product.
    """
    term = scheme.term_for(product_code)
    if isinstance(term, PrepaidTerm):
        return term.payment is PaymentTiming.POSTPAID
    return term.timing is BillingTiming.IN_ARREARS


def excluded_from_deactivation(scheme: BillingTermScheme, product_code: str) -> bool:
    """Whether deactivation runs for non-payment must leave ``product_code`` alone.

    Only a normal scheme's term can exclude a service; a prepaid scheme's never does.

    Raises:
        NotFound: the scheme has no term for the product.
    """
    term = scheme.term_for(product_code)
    return isinstance(term, BillingTerm) and term.exclude_from_deactivation


def validate_service(
    service: SubscribedService,
    subscription_type: SubscriptionType,
    scheme: BillingTermScheme,
    plan_code: str,
) -> None:
    """Accept a service created under ``subscription_type``, or refuse it.

    Raises:
        RuleViolation: the first rule :func:`check_service` finds broken.
    """
    raise_first(check_service(service, subscription_type, scheme, plan_code), service.id)
