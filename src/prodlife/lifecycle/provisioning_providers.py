"""Which provisioning provider's module does a service's work (seed 004's providers).

Seed 004: a product is provisioned through third-party providers (a TV
channel, a modem), each knowing it by an id of its own
(:attr:`Product.provider_ids <prodlife.catalog.Product.provider_ids>`); a
subscription type names the providers that serve its subscriptions
(:attr:`SubscriptionType.providers <prodlife.catalog.SubscriptionType.providers>`).
The host gives :class:`~prodlife.app.Billing` one module per provider it
integrates with (``modules={"NAGRA": ...}``); a service of a provisionable
product is then provisioned by the module of the provider that knows its
product (:func:`module_for`), falling back to the host's one ``module`` for a
product no such provider knows. An order placed for a subscription type is
refused when one of its provisionable products is known to none of the
type's providers (:func:`check_providers`, rule ``subscription.provider``).

=========================  ===========================================================
rule                       condition
=========================  ===========================================================
``subscription.provider``  an order for a subscription type with providers: each
                           provisionable product of it is known to one of them
``provisioning.provider``  a product is known to at most one provider the host gave a
                           module for (the module that runs must be unambiguous)
=========================  ===========================================================

>>> from prodlife.catalog import Product, ProviderId
>>> tv = Product("NEWS", "News", "CHANNEL", provider_ids=(ProviderId("NAGRA", "ch-7"),))
>>> module_for(tv, {"NAGRA": "the Nagra module"}, default="the host's module")
'the Nagra module'
>>> module_for(tv, {"IRDETO": "the Irdeto module"}, default="the host's module")
"the host's module"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from prodlife.catalog._findings import Finding
from prodlife.catalog.catalog import Catalog
from prodlife.catalog.products import Product
from prodlife.catalog.subscriptions import SubscriptionType
from prodlife.errors import NotFound, RuleViolation, ValidationError
from prodlife.lifecycle.provisioning import ProvisioningModule

__all__ = ["check_modules", "check_providers", "module_for", "provider_for"]

M = TypeVar("M")


def provider_for(product: Product, providers: Iterable[str]) -> str | None:
    """The provider among ``providers`` that knows ``product`` (has an id for it), or ``None``.

    Raises:
        RuleViolation: several of them know it (rule ``provisioning.provider``).
    """
    wanted = set(providers)
    found = sorted({known.provider for known in product.provider_ids if known.provider in wanted})
    if len(found) > 1:
        raise RuleViolation(
            "provisioning.provider",
            f"product {product.code} is known to the providers {found}, each with a module: "
            "which one provisions it is ambiguous; give modules for one of them only, or "
            "remove the product's id at the other",
            product.code,
        )
    return found[0] if found else None


def check_modules(
    modules: Mapping[str, ProvisioningModule] | None,
) -> dict[str, ProvisioningModule]:
    """``modules`` (the host's module of each provider, by provider code) as a dict.

    Raises:
        ValidationError: not a mapping of provider codes to provisioning modules.
    """
    if modules is None:
        return {}
    if not isinstance(modules, Mapping):
        raise ValidationError(
            f"modules {modules!r} must map provider codes to provisioning modules, e.g. "
            "{'NAGRA': NagraModule()}"
        )
    for code, module in modules.items():
        if not isinstance(code, str) or not isinstance(module, ProvisioningModule):
            raise ValidationError(
                f"modules maps {code!r} to {module!r}: give each provider code (text) a "
                "ProvisioningModule"
            )
    return dict(modules)


def module_for(product: Product | None, modules: Mapping[str, M], default: M | None) -> M | None:
    """The module that provisions a service of ``product`` (a provisionable one).

    The module of the provider among ``modules`` that knows the product, or
    ``default`` when none does (or the catalog does not define the product).

    Raises:
        RuleViolation: as :func:`provider_for`.
    """
    provider = None if product is None or not modules else provider_for(product, modules)
    return default if provider is None else modules[provider]


def check_providers(
    catalog: Catalog, subscription: SubscriptionType, product_codes: Iterable[str]
) -> list[Finding]:
    """Every provisionable product of ``product_codes`` that none of ``subscription``'s
    providers knows (rule ``subscription.provider``); none when the type names no providers."""
    if not subscription.providers:
        return []
    found: list[Finding] = []
    for code in dict.fromkeys(product_codes):
        try:
            product, kind = catalog.product(code), catalog.type_of(code)
        except NotFound:
            continue
        known = {pid.provider for pid in product.provider_ids}
        if kind.provisionable and not known & subscription.providers:
            found.append(
                (
                    "subscription.provider",
                    f"product {code} is provisioned, and none of subscription type "
                    f"{subscription.code}'s providers {sorted(subscription.providers)} knows "
                    "it; give the product an id at one of them (ProviderId), or add its "
                    f"provider {sorted(known)} to the type",
                )
            )
    return found
