"""The SQL stores' catalog versions: checked when added, decoded once per store, and kept
beside a compact form that later processes read instead of the document.

A version never changes once stored. Each store keeps the versions its transactions
read or added (decoded once); a process that opens the store reads a version from its
compact form (:mod:`prodlife.stores._catalog_form`) when the document it was made
beside is unchanged, and from the document otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prodlife._bulk import bulk
from prodlife.catalog.catalog import CatalogVersion, CatalogVersions
from prodlife.catalog.data import check_new_version
from prodlife.errors import AlreadyExists, NotFound, ValidationError
from prodlife.stores._catalog_form import digest, dump_form, load_form
from prodlife.stores._common import lookup_key, stored_key
from prodlife.stores._documents import loads
from prodlife.stores.sql.dialect import About
from prodlife.stores.sql.repositories import chunks

if TYPE_CHECKING:
    from prodlife.stores.sql.unit_of_work import SQLUnitOfWork

__all__ = ["Catalog"]


class Catalog:
    """Catalog versions, decoded once per store: a version never changes once stored.

    ``cache`` is the store's: the versions any of its transactions read from the
    database (committed ones) or added and committed. A later read fetches the
    versions' names only, and the documents (and compact forms) of those not decoded yet.
    """

    __slots__ = ("_added", "_cache", "_uow")

    def __init__(self, uow: SQLUnitOfWork, cache: dict[str, CatalogVersion]) -> None:
        self._uow = uow
        self._cache = cache
        #: Versions this transaction added: the store's cache has them once it commits.
        self._added: dict[str, CatalogVersion] = {}

    def add_version(self, version: CatalogVersion) -> None:
        """Store a new catalog version, checked as :func:`~prodlife.catalog.data.check_new_version`
        does. Raises ``AlreadyExists``, ``InvalidCatalog``."""
        if not isinstance(version, CatalogVersion):
            raise ValidationError(f"{version!r} is not a CatalogVersion; pass one")
        stored_key(version.name, "catalog version name")
        uow = self._uow
        uow.writable()
        try:
            existing = self.versions().versions
        except NotFound:  # the first version
            existing = ()
        taken = any(stored.name == version.name for stored in existing)
        if taken or uow.one(uow.sql.catalog_withdrawn, (version.name,), "reading the catalog"):
            raise AlreadyExists("catalog version", version.name)
        check_new_version(existing, version)
        dialect = uow.dialect
        params = (version.name, dialect.day(version.effective), dialect.doc(version))
        try:
            uow.insert(uow.sql.catalog_add, params, About("catalog version", version.name))
        except AlreadyExists:
            self._stored_meanwhile(version)
            raise
        self._keep_form(version)
        self._added[version.name] = version

    def _keep_form(self, version: CatalogVersion) -> None:
        """Store ``version``'s compact form with the digest of its document as stored."""
        form = dump_form(version)
        if form is None:  # a value the form cannot keep: the document is read every time
            return
        uow, name = self._uow, version.name
        (document,) = uow.one(uow.sql.catalog_doc_bytes, (name,), "reading the catalog version")
        params = (name, digest(document), form)
        uow.insert(uow.sql.catalog_form_add, params, About("catalog version form", name))

    def _stored_meanwhile(self, version: CatalogVersion) -> None:
        """Say why ``version``'s row was refused after the versions read before allowed it.

        A transaction that committed meanwhile took its name (``AlreadyExists``, raised
        by the caller) or its effective date (the unique index on ``effective``): read
        again, the stored versions refuse it as :class:`CatalogVersions` does.
        """
        stored = self.versions().versions
        if all(other.name != version.name for other in stored):
            CatalogVersions((*stored, version))  # raises InvalidCatalog (version.same-day)

    def withdraw_version(self, name: str) -> CatalogVersion:
        """Remove the version ``name``; its name is never used again. Raises ``NotFound``."""
        lookup_key(name, "catalog version name")
        uow = self._uow
        uow.writable()
        try:
            version = next(v for v in self.versions().versions if v.name == name)
        except (NotFound, StopIteration):
            raise NotFound("catalog version", name) from None
        where = "withdrawing the catalog version"
        uow.change(uow.sql.catalog_withdraw, (name,), where, name)
        uow.change(uow.sql.catalog_form_drop, (name,), where, name)
        params = (name, uow.dialect.day(version.effective))
        uow.insert(uow.sql.catalog_withdrawn_add, params, About("withdrawn catalog version", name))
        self._added.pop(name, None)
        return version

    def versions(self) -> CatalogVersions:
        """Every catalog version. Raises ``NotFound`` when there is none."""
        uow = self._uow
        rows = uow.all(uow.sql.catalog_names, (), "reading the catalog versions")
        if not rows:
            raise NotFound("catalog version", "any", "add one with uow.catalog.add_version()")
        names = [row[0] for row in rows]
        cache, added = self._cache, self._added
        missing = [name for name in names if name not in added and name not in cache]
        if missing:
            dialect = uow.dialect
            with bulk():  # a large catalog is a million small values, none in a cycle
                for chunk in chunks(missing, dialect.in_list_limit):
                    sql, params = uow.sql.catalog_docs(len(chunk)), dialect.in_values(chunk)
                    for name, doc, kept, form in uow.all(sql, params, "reading the catalog"):
                        found = None
                        if form is not None and kept == digest(doc):  # the document unchanged
                            found = load_form(bytes(form), name)
                        cache[name] = found or loads(CatalogVersion, doc, name)
        return CatalogVersions(
            tuple(added[name] if name in added else cache[name] for name in names)
        )

    def committed(self) -> None:
        """Keep the versions this transaction added in the store's cache (after its commit)."""
        self._cache.update(self._added)
        self._added.clear()
