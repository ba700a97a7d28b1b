"""Fast constructors for frozen, slotted attrs classes, for values already validated.

prodlife's hot paths (proration in a billing run over millions of services) build
many small values whose fields are known to be valid. :func:`builder` returns a
function that fills the slots directly, skipping the public ``__init__``'s
conversion and validation. Use it only where every argument is already checked.

How: a frozen class refuses ``setattr``, so each slot would have to be set through
its descriptor, one call per field. Instead the builder makes the instance as a
private subclass that adds no slots and allows plain attribute assignment (which
the interpreter turns into a direct slot store), fills it, then gives it its real
class. The result is an ordinary, complete instance of ``cls``: same type, same
slots, frozen as ever.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from types import MemberDescriptorType
from typing import Any, TypeVar

T = TypeVar("T")
#: How many values a cache of :func:`kept` holds before it starts again.
CACHE_LIMIT = 4096


def kept(cache: dict[Any, T], key: Hashable, value: T) -> T:
    """``value``, remembered in ``cache`` under ``key`` (a full cache starts again).

    For the small values documents and files repeat (dates, prices, sets of codes):
    built once, shared after.

    >>> cache: dict[str, int] = {}
    >>> kept(cache, "a", 1), cache
    (1, {'a': 1})
    """
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def builder(cls: type[T], *names: str) -> Callable[..., T]:
    """Return ``build(*values) -> cls`` setting the slots ``names`` in order.

    Every slot of ``cls`` must be named, so no instance is left half-built.
    """
    slots = [name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ())]
    missing = {name for name in slots if not name.startswith("__")} - set(names)
    if missing:
        raise TypeError(f"builder for {cls.__name__} leaves slots unset: {sorted(missing)}")
    build = _by_twin(cls, names) or _by_descriptors(cls, names)
    build.__doc__ = f"Build a {cls.__name__} from valid field values, in slot order."
    return build


def _compile(source: list[str], namespace: dict[str, Any]) -> Callable[..., Any]:
    exec("\n".join(source), namespace)
    build: Callable[..., Any] = namespace["build"]
    return build


def _by_twin(cls: type[T], names: tuple[str, ...]) -> Callable[..., T] | None:
    """Fill a mutable twin of ``cls`` (a subclass without slots of its own), then retype it.

    ``None`` when that cannot work for ``cls`` (names that are not plain slot
    names, or a layout the interpreter will not retype).
    """
    if not all(name.isidentifier() and not name.startswith("__") for name in names):
        return None
    if not all(isinstance(getattr(cls, name, None), MemberDescriptorType) for name in names):
        return None
    try:
        twin = type(
            f"_Building{cls.__name__}",
            (cls,),
            {
                "__slots__": (),
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
                "__init__": object.__init__,
                "__module__": cls.__module__,
            },
        )
    except TypeError:  # a final class, a metaclass that refuses
        return None
    namespace: dict[str, Any] = {"new": object.__new__, "twin": twin, "cls": cls}
    # Calling the twin (object's own __new__ and __init__, no arguments) is quicker
    # than object.__new__(twin) when the class does not define its own __new__.
    make = "twin()" if cls.__new__ is object.__new__ else "new(twin)"
    source = [f"def build({', '.join(names)}):", f"    obj = {make}"]
    source += [f"    obj.{name} = {name}" for name in names]
    source += ["    obj.__class__ = cls", "    return obj"]
    build = _compile(source, namespace)
    try:
        probe = build(*([None] * len(names)))
    except TypeError:  # the interpreter refuses to retype this layout
        return None
    if type(probe) is not cls:  # pragma: no cover - retyping always lands on cls
        return None
    return build


def _by_descriptors(cls: type[T], names: tuple[str, ...]) -> Callable[..., T]:
    """Set each slot through its descriptor (works for any slotted class)."""
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    source = [f"def build({', '.join(names)}):", "    obj = new(cls)"]
    for index, name in enumerate(names):
        namespace[f"set{index}"] = cls.__dict__[name].__set__
        source.append(f"    set{index}(obj, {name})")
    source.append("    return obj")
    return _compile(source, namespace)
