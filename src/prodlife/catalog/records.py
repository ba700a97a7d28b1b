"""Catalog records (seeds 001 and 004): brands, families and categories, attachments, stamps.

**Registered classifiers.** :class:`Brand`, :class:`Family` and :class:`Category`
are definitions of the catalog, created with :meth:`Catalog.add
<prodlife.catalog.Catalog.add>` and listed as ``catalog.brands``,
``catalog.families`` and ``catalog.categories``. Once a catalog registers any
of one kind, a product (or a flexible bundle's family pool) naming one of that
kind that is not registered is refused (rules ``catalog.unknown-brand``,
``catalog.unknown-family``, ``catalog.unknown-category``). A catalog that
registers none of a kind keeps accepting any name there, so catalogs written
before the registries existed read as before; register the kind to enforce it.

**Attachments.** A product's :class:`Attachment`\\ s are its files (a reference
the host resolves: a path, a key in its file store) and URLs (``http`` or
``https`` addresses), besides its images.

**Created and last modified.** :func:`stamp_products` gives each product of a
new catalog version its ``created_at`` and ``modified_at`` from the instant
given (the host's clock, through :meth:`Billing.add_catalog_version
<prodlife.app.Billing.add_catalog_version>`): a product new to the catalog is
created then (unless it already carries its creation instant, e.g. imported
from another system), a changed one is modified then, an unchanged one keeps
its stamps.

>>> from datetime import UTC, datetime
>>> from prodlife.catalog import Catalog, Product
>>> first = stamp_products(Catalog(), Catalog(), datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
>>> first.products
()
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Container, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from prodlife.catalog._findings import Finding, check_code, duplicates, is_a, is_text, raise_first
from prodlife.catalog.domains import tld_duplicates
from prodlife.clock import as_utc
from prodlife.errors import CatalogProblem

if TYPE_CHECKING:
    from prodlife.catalog.catalog import Catalog
    from prodlife.catalog.products import Product

__all__ = [
    "Attachment",
    "AttachmentKind",
    "Brand",
    "Category",
    "Family",
    "check_attachments",
    "check_classifier",
    "stamp_products",
]


@attrs.frozen(slots=True)
class _Classifier:
    """What a brand, a family and a category share: a code, a name, a description."""

    code: str
    name: str
    description: str = ""

    def __attrs_post_init__(self) -> None:
        raise_first(check_classifier(self), self.code)  # type: ignore[arg-type]


@attrs.frozen(slots=True)
class Brand(_Classifier):
    """A registered brand: a trademark identifying a product or line (Samsung, Apple).

    Args:
        code: what products name in ``brand``.
        name: display name.
        description: free text.
    """


@attrs.frozen(slots=True)
class Family(_Classifier):
    """A registered product family (decoders, modems); products name it in ``family``."""


@attrs.frozen(slots=True)
class Category(_Classifier):
    """A registered business category; products name it among their ``categories``."""


#: A registered classifier of products.
Classifier = Brand | Family | Category


def check_classifier(item: Classifier) -> list[Finding]:
    """Every rule a brand, family or category breaks alone (``code.format``, ``catalog.name``)."""
    what = type(item).__name__.lower()
    found = check_code(item.code, what)
    if not is_text(item.name):
        found.append(("catalog.name", f"{what} {item.code!r} needs a name; give it one"))
    if not is_a(item.description, str):
        found.append(("catalog.name", f"{what} {item.code!r}: the description must be text"))
    return found


class AttachmentKind(enum.Enum):
    """Whether an attachment is a file the host keeps or a web address."""

    FILE = "file"
    URL = "url"


@attrs.frozen(slots=True)
class Attachment:
    """A file or a URL attached to a product (seed 004's "Files & URL").

    Args:
        name: what the attachment is ("Datasheet"), unique within the product.
        location: for a file, the host's reference to it (a path, a storage
            key); for a URL, an ``http://`` or ``https://`` address.
        kind: file or URL.
    """

    name: str
    location: str
    kind: AttachmentKind = AttachmentKind.FILE


def check_attachments(attachments: Iterable[object]) -> list[Finding]:
    """Every rule a product's attachments break (rule ``product.attachments``)."""
    found: list[Finding] = []
    names: list[str] = []
    for item in attachments:
        if not isinstance(item, Attachment):
            found.append(("product.attachments", f"{item!r} is not an Attachment; give one"))
            continue
        if not is_text(item.name) or not is_text(item.location):
            found.append(
                (
                    "product.attachments",
                    f"attachment {item.name!r} at {item.location!r} needs a name and a location",
                )
            )
            continue
        names.append(item.name)
        if not is_a(item.kind, AttachmentKind):
            found.append(
                ("product.attachments", f"attachment {item.name!r}: {item.kind!r} is not a kind")
            )
        elif item.kind is AttachmentKind.URL and not item.location.startswith(
            ("http://", "https://")
        ):
            found.append(
                (
                    "product.attachments",
                    f"attachment {item.name!r} is a URL but {item.location!r} is not an http:// "
                    "or https:// address; give the address, or make it a file",
                )
            )
    twice = duplicates(names)
    if twice:
        found.append(("product.attachments", f"attachments {twice} are named twice"))
    return found


def check_stamps(created_at: object, modified_at: object) -> list[Finding]:
    """A product's stamps are aware and modified not before created (rule ``product.stamps``)."""
    found: list[Finding] = []
    for name, value in (("created_at", created_at), ("modified_at", modified_at)):
        if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
            found.append(
                (
                    "product.stamps",
                    f"{name} {value!r} must be an aware datetime (UTC), or None",
                )
            )
    if (
        not found
        and isinstance(created_at, datetime)
        and isinstance(modified_at, datetime)
        and modified_at < created_at
    ):
        found.append(
            (
                "product.stamps",
                f"modified_at {modified_at.isoformat()} is before created_at "
                f"{created_at.isoformat()}; a product is modified after it is created",
            )
        )
    return found


def check_registered(catalog: Catalog) -> list[tuple[str, str, str]]:
    """Every ``(path, rule, message)`` of a product or pool naming a classifier not registered.

    A kind is checked only when the catalog registers at least one of it.
    """
    from prodlife.catalog.bundles import FlexibleBundle, PoolKind

    brands = {b.code for b in catalog.brands}
    families = {f.code for f in catalog.families}
    categories = {c.code for c in catalog.categories}
    found: list[tuple[str, str, str]] = []
    for product in catalog.products if brands or families or categories else ():
        path = f"products[{product.code}]"
        if brands and product.brand is not None and product.brand not in brands:
            found.append((path, "catalog.unknown-brand", _unknown("brand", product.brand, brands)))
        if families and product.family is not None and product.family not in families:
            found.append(
                (path, "catalog.unknown-family", _unknown("family", product.family, families))
            )
        for category in sorted(product.categories - categories if categories else ()):
            found.append(
                (path, "catalog.unknown-category", _unknown("category", category, categories))
            )
    for bundle in catalog.bundles:
        pools = bundle.pools if isinstance(bundle, FlexibleBundle) else ()
        for pool in pools:
            if families and pool.kind is PoolKind.FAMILY and pool.key not in families:
                found.append(
                    (
                        f"bundles[{bundle.product_code}]",
                        "catalog.unknown-family",
                        _unknown("family", pool.key, families),
                    )
                )
    return found


def _duplicated(sections: Iterable[tuple[str, list[str]]], keep: str) -> list[CatalogProblem]:
    """Rule ``catalog.duplicate``: each code given more than once in a section of the catalog."""
    return [
        CatalogProblem(
            f"{section}[{code}]",
            "catalog.duplicate",
            f"{code!r} is defined more than once in {section}; {keep}",
        )
        for section, codes in sections
        for code in duplicates(codes)
    ]


def _unknown_products(
    products: Container[str], what: str, named: Iterable[tuple[str, str]]
) -> list[CatalogProblem]:
    """Rule ``catalog.unknown-product``: each (path, product code) of ``named`` whose
    product is not among ``products``, ``what`` saying what names it."""
    return [
        CatalogProblem(
            path,
            "catalog.unknown-product",
            f"{what} {code!r}, which the catalog does not define; add the product or fix the code",
        )
        for path, code in named
        if code not in products
    ]


def check_records(catalog: Catalog, products: Collection[str]) -> list[CatalogProblem]:
    """The problems of the catalog's records across definitions: unregistered classifiers,
    TLD prices, abuse limits, term schemes and subscription types given twice, abuse limits
    of unknown products."""
    found = [CatalogProblem(*problem) for problem in check_registered(catalog)]
    for key in duplicates([f"{a.product_code}/{a.resource}" for a in catalog.abuse_limits]):
        found.append(
            CatalogProblem(
                f"abuse_limits[{key}]",
                "catalog.duplicate",
                f"product / resource {key} has more than one abuse limit; keep one",
            )
        )
    found += _unknown_products(
        products,
        "an abuse limit is set for",
        (
            (f"abuse_limits[{a.product_code}/{a.resource}]", a.product_code)
            for a in catalog.abuse_limits
        ),
    )
    found += _duplicated(
        (
            ("term_schemes", [scheme.code for scheme in catalog.term_schemes]),
            ("subscription_types", [kind.code for kind in catalog.subscription_types]),
        ),
        "keep one",
    )
    for key in tld_duplicates(catalog.tld_prices):
        found.append(
            CatalogProblem(
                f"tld_prices[{key}]",
                "catalog.duplicate",
                f"TLD {key} (TLD / years / currency) is priced more than once; keep one price",
            )
        )
    return found


def _unknown(kind: str, code: str, known: set[str]) -> str:
    return (
        f"{kind} {code!r} is not registered; the catalog's {kind} codes are {sorted(known)}; "
        f"register it or fix the code"
    )


def _unstamped(product: Product) -> Product:
    return attrs.evolve(product, created_at=None, modified_at=None)


def stamp_products(catalog: Catalog, previous: Catalog, now: datetime) -> Catalog:
    """``catalog`` with every product's created / last-modified instant, as of ``now``.

    A product ``previous`` does not hold is created at ``now`` (or at the
    ``created_at`` it carries) and modified then; one that differs from its
    previous definition in anything but its stamps keeps its creation and is
    modified at ``now``; an unchanged one keeps both stamps.

    Raises:
        InvalidInstant: ``now`` is not an aware datetime.
    """
    at = as_utc(now)
    before: Mapping[str, Product] = {product.code: product for product in previous.products}
    stamped: list[Product] = []
    for product in catalog.products:
        old = before.get(product.code)
        if old is None:
            created = at if product.created_at is None else product.created_at
            stamped.append(attrs.evolve(product, created_at=created, modified_at=max(created, at)))
        elif _unstamped(old) == _unstamped(product):
            stamped.append(
                attrs.evolve(product, created_at=old.created_at, modified_at=old.modified_at)
            )
        else:
            created = old.created_at if old.created_at is not None else at
            stamped.append(attrs.evolve(product, created_at=created, modified_at=max(created, at)))
    return attrs.evolve(catalog, products=tuple(stamped))
