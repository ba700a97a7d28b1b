"""Fast constructors for frozen, slotted attrs classes, for values already validated.

prodlife's hot paths (proration in a billing run over millions of services) build
many small values whose fields are known to be valid. :func:`builder` returns a
function that fills the slots directly, skipping the public ``__init__``'s
conversion and validation. Use it only where every argument is already checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def builder(cls: type[T], *names: str) -> Callable[..., T]:
    """Return ``build(*values) -> cls`` setting the slots ``names`` in order.

    Every slot of ``cls`` must be named, so no instance is left half-built.
    """
    slots = [name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ())]
    missing = {name for name in slots if not name.startswith("__")} - set(names)
    if missing:
        raise TypeError(f"builder for {cls.__name__} leaves slots unset: {sorted(missing)}")
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    lines = [f"def build({', '.join(names)}):", "    obj = new(cls)"]
    for index, name in enumerate(names):
        namespace[f"set{index}"] = cls.__dict__[name].__set__
        lines.append(f"    set{index}(obj, {name})")
    lines.append("    return obj")
    exec("\n".join(lines), namespace)
    build: Callable[..., T] = namespace["build"]
    build.__doc__ = f"Build a {cls.__name__} from valid field values, in slot order."
    return build
