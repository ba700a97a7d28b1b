"""Building many values at once without the cyclic garbage collector in the way.

Reading a catalog of 100,000 products allocates a million small containers, and
the cyclic collector, triggered by allocations, walks the growing heap again
and again: a third of the time, for nothing, since these values hold no
cycles (reference counting frees them). :func:`bulk` pauses the collector for
such a block and restores it after, whatever happens inside.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["bulk"]


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, if it was running.

    >>> import gc
    >>> with bulk():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
