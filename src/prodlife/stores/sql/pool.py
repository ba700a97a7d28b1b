"""The connections of an SQL store: each transaction takes one of its own and gives it back.

A transaction takes an idle connection or opens a new one, so there are as many
connections as transactions running at once (up to ``limit``, when there is one:
the others wait); only ``idle`` of them stay open between transactions. A
connection that is not sound after its transaction (a rollback failed, the link
broke) is closed instead of kept, unless it ``must_keep`` (an SQLite ``:memory:``
database lives in its one connection). A forked child never uses, nor closes, its
parent's connections.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from prodlife.errors import StoreError

__all__ = ["Pool"]

_CLOSED = "this store is closed; open a new one with open_store()"
_NESTED = (
    "this thread already has a transaction open on this store, and a second one would wait "
    "for it forever; do the work in the open one"
)

#: Connections forked children inherited from their parents' pools: kept referenced so that
#: collecting them never closes (nor warns about) what belongs to the parent.
_INHERITED: list[Any] = []


class Pool:
    """Idle connections kept for the next transactions.

    Args:
        connect: opens a new connection.
        close: closes one, never raising.
        usable: whether an idle connection can still be used.
        idle: how many idle connections to keep.
        limit: how many connections at most (``None``: no limit); transactions
            beyond it wait for one to end.
        one_per_thread: refuse a second transaction in a thread that has one open
            (it would wait for the first forever).
        must_keep: keep connections even when they are not sound.
    """

    def __init__(
        self,
        connect: Callable[[], Any],
        close: Callable[[Any], None],
        usable: Callable[[Any], bool],
        *,
        idle: int,
        limit: int | None = None,
        one_per_thread: bool = False,
        must_keep: bool = False,
    ) -> None:
        self._connect = connect
        self._close = close
        self._usable = usable
        self._size = idle
        self._limit = limit
        self._one_per_thread = one_per_thread
        self._must_keep = must_keep
        self._condition = threading.Condition(threading.Lock())
        self._idle: list[Any] = []
        self._in_use = 0
        self._threads: set[int] = set()  # the threads with a transaction open
        self._pid = os.getpid()
        self.closed = False

    def adopt(self, connection: Any) -> None:
        """Keep ``connection`` (the one the store opened with) for the next transaction."""
        with self._condition:
            self._idle.append(connection)

    def acquire(self) -> Any:
        """A connection for a new transaction of this thread.

        Raises:
            StoreError: the store is closed, or this thread has a transaction open
                (when ``one_per_thread``).
        """
        thread = threading.get_ident()
        with self._condition:
            if self._one_per_thread and thread in self._threads:
                raise StoreError(_NESTED)
            while True:
                if self.closed:
                    raise StoreError(_CLOSED)
                if not self._must_keep and self._pid != os.getpid():
                    # A forked child: the parent's connections must not be used (nor closed).
                    _INHERITED.extend(self._idle)
                    self._idle.clear()
                    self._in_use = 0
                    self._threads.clear()
                    self._pid = os.getpid()
                while self._idle:
                    connection = self._idle.pop()
                    if self._usable(connection):
                        self._take(thread)
                        return connection
                    self._close(connection)
                if self._limit is None or self._in_use < self._limit:
                    self._take(thread)
                    break
                self._condition.wait()
        try:
            return self._connect()
        except BaseException:
            self._give_back(thread)
            raise

    def _take(self, thread: int) -> None:
        self._in_use += 1
        self._threads.add(thread)

    def _give_back(self, thread: int) -> None:
        with self._condition:
            self._in_use -= 1
            self._threads.discard(thread)
            self._condition.notify()

    def release(self, connection: Any, sound: bool) -> None:
        """Give back a transaction's ``connection``; kept when ``sound`` and there is room."""
        thread = threading.get_ident()
        with self._condition:
            self._in_use -= 1
            self._threads.discard(thread)
            keep = (
                (sound or self._must_keep)
                and not self.closed
                and self._pid == os.getpid()
                and (self._must_keep or len(self._idle) < self._size)
            )
            if keep:
                self._idle.append(connection)
            self._condition.notify()
        if not keep:
            self._close(connection)

    def close(self) -> None:
        """Close the idle connections; the ones in use close when their transaction ends."""
        with self._condition:
            if self.closed:
                return
            self.closed = True
            idle, self._idle = self._idle, []
            self._condition.notify_all()
        for connection in idle:
            self._close(connection)
