"""A stored catalog version's compact form: read back without rebuilding and checking it.

Reading a catalog version's document rebuilds every definition from plain data and
checks each and the whole catalog again: about 2.5 s for 100,000 products, in every
process that reads it first. A version never changes once stored and was checked when
it was added, so the SQL stores keep, beside its document, this form of the version
as it was built: a pickle whose every object is rebuilt straight into its slots
(:func:`prodlife._fast.builder`), unchecked: a process's first read of 100,000 products
takes about 1 s instead of 2.6 s (``benchmarks/bench_catalog.py``).

The form is read by a restricted unpickler: it builds prodlife's own attrs values
(rebuilt field by field, nothing else called), prodlife's enums, and dates, times and
decimals; a form asking for anything else is refused, as is one that does not hold a
:class:`~prodlife.catalog.catalog.CatalogVersion`, and the store reads the document
instead. The stores keep each form with the digest of its version's document and use
it only while the document is unchanged (:func:`digest`).
"""

from __future__ import annotations

import enum
import hashlib
import io
import pickle
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs

from prodlife._bulk import bulk
from prodlife._fast import builder
from prodlife.catalog.catalog import CatalogVersion

__all__ = ["digest", "dump_form", "load_form"]

#: Bumped whenever the form's layout changes, or a field of a catalog value changes its
#: meaning but not its name: a form of another layout is not read.
_LAYOUT = 1
#: The standard library's classes a form may name, with the calls pickle makes of them.
_STANDARD: dict[tuple[str, str], Any] = {
    ("datetime", "date"): date,
    ("datetime", "datetime"): datetime,
    ("datetime", "timedelta"): timedelta,
    ("datetime", "timezone"): timezone,
    ("decimal", "Decimal"): Decimal,
}


def digest(document: bytes) -> str:
    """The SHA-256 digest of a stored version's document (its UTF-8 JSON, as the database
    returns it)."""
    return hashlib.sha256(document).hexdigest()


def _slots(cls: type) -> tuple[str, ...]:
    return tuple(
        name
        for klass in reversed(cls.__mro__)
        for name in getattr(klass, "__slots__", ())
        if not name.startswith("__")
    )


def _rebuildable(cls: type) -> bool:
    """Whether ``cls`` is one of prodlife's slotted attrs classes (the form rebuilds those)."""
    return (
        cls.__module__.startswith("prodlife.")
        and "." not in cls.__qualname__
        and attrs.has(cls)
        and "__slots__" in cls.__dict__
        and "__dict__" not in dir(cls)
    )


def _builder(cls: type) -> Callable[..., Any]:
    """The function rebuilding a ``cls`` from its slots' values, kept in this module under
    a name of its own so that pickle writes it (and the unpickler asks for it) by name.

    The name holds the class's slots, in order: a form written by a prodlife whose class
    had other slots names a builder that no longer exists, and is not read.
    """
    slots = _slots(cls)
    name = f"build:{cls.__module__.replace('.', ':')}:{cls.__qualname__}:{','.join(slots)}"
    found = globals().get(name)
    if found is None:
        found = builder(cls, *slots)
        found.__module__, found.__name__, found.__qualname__ = __name__, name, name
        globals()[name] = found
    return found


def _named_builder(name: str) -> Callable[..., Any]:
    """The builder :func:`_builder` names ``name``, for a class the form rebuilds."""
    *module, qualname, slots = name.removeprefix("build:").split(":")
    module_name = ".".join(module)
    if not name.startswith("build:") or not module_name.startswith("prodlife."):
        raise pickle.UnpicklingError(f"{name} is not a class the form rebuilds")
    cls = _loaded(module_name, qualname)
    if cls is None or not _rebuildable(cls) or slots != ",".join(_slots(cls)):
        raise pickle.UnpicklingError(f"{name} is not a class the form rebuilds")
    return _builder(cls)


def _loaded(module: str, name: str) -> type | None:
    """The class ``name`` of the module ``module`` if that is loaded (a form never makes
    a module load: loading one runs it)."""
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) else None


class _Pickler(pickle.Pickler):
    """Writes prodlife's attrs values as calls of their builders with their slots' values."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=5)
        #: Per class met: its builder and slots, or ``None`` when pickle writes it as usual.
        self._classes: dict[type, tuple[Callable[..., Any], tuple[str, ...]] | None] = {}

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        try:
            known = self._classes[cls]
        except KeyError:
            known = (_builder(cls), _slots(cls)) if _rebuildable(cls) else None
            self._classes[cls] = known
        if known is None:
            return NotImplemented
        build, slots = known
        return build, tuple([getattr(obj, slot) for slot in slots])


class _Unpickler(pickle.Unpickler):
    """Reads only what :class:`_Pickler` writes for a catalog version."""

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__:
            return _named_builder(name)
        standard = _STANDARD.get((module, name))
        if standard is not None:
            return standard
        if module.startswith("prodlife."):
            found = _loaded(module, name)
            if found is not None and issubclass(found, enum.Enum):
                return found
        raise pickle.UnpicklingError(f"a catalog form does not name {module}.{name}")


def dump_form(version: CatalogVersion) -> bytes | None:
    """The compact form of ``version``, or ``None`` if it holds a value the form cannot keep."""
    buffer = io.BytesIO()
    with bulk():  # a million small values, none in a cycle
        try:
            _Pickler(buffer).dump((_LAYOUT, version))
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return None
        form = buffer.getvalue()
        return form if load_form(form, version.name) == version else None


def load_form(form: bytes, name: str) -> CatalogVersion | None:
    """The catalog version ``name`` kept as ``form``, or ``None`` if it cannot be read."""
    try:
        layout, version = _Unpickler(io.BytesIO(form)).load()
    except Exception:  # any damage: the document is read instead
        return None
    if layout != _LAYOUT or type(version) is not CatalogVersion or version.name != name:
        return None
    return version
