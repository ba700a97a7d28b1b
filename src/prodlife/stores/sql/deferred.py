"""The writes a transaction defers until its first statement, and what a refused one raises.

Until the transaction's first statement (a read, or a write that is not
deferred), ``services.add``, ``services.save``, ``invoice_lines.add`` and
``events.add`` only queue their statement and parameters, documents encoded
at the call. The queue runs just before that first statement or in
``commit``: first the checked writes (adds and saves of services) in call
order, then the others (schedule rows, history entries, invoice lines,
events) statement by statement, each statement's in call order; writes of
one statement run together (one ``executemany``, pipelined on PostgreSQL),
so a transaction that only writes holds the database's locks for its
statements alone and costs few round trips. Afterwards, writes run at once.
An ``add`` of an id already added in the queue raises ``AlreadyExists`` at
its call; the other checks
run with the queue, and the first write in call order that was refused
raises what its call would have raised at once (``AlreadyExists``,
``NotFound``, ``ConcurrencyConflict`` with the version it met), from the
statement that ran the queue or from ``commit``, as :mod:`prodlife.ports`
allows. Any failure while the queue runs ends the transaction: ``commit``
then raises and keeps nothing, and every other call raises ``StoreError``
until the ``with`` block rolls it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from prodlife.errors import AlreadyExists, ConcurrencyConflict, NotFound, ProdlifeError, StoreError
from prodlife.stores.sql.errors import not_unicode

if TYPE_CHECKING:
    from prodlife.stores.sql.dialect import About, Cursor, Dialect, Write
    from prodlife.stores.sql.statements import Statements

__all__ = ["DeferredWrites"]


class DeferredWrites:
    """A unit of work's queue of deferred writes, and the failure that ended it (its base)."""

    __slots__ = ("_adding", "_failure", "_queue", "_why")

    dialect: Dialect
    _connection: Any
    sql: Statements

    def __init__(self) -> None:
        self._failure: ProdlifeError | None = None
        self._why = ""
        self._queue: list[Write] = []
        self._adding: set[object] = set()  # the ids of the services added in the queue

    def _failed(
        self,
        error: Exception,
        where: str,
        key: object = None,
        about: About | None = None,
        *,
        ends: bool = False,
    ) -> ProdlifeError:
        """The prodlife error for a driver ``error``; the transaction fails with it when
        the database ended it (or ``ends``)."""
        if key is not None:
            where = f"{where} {key!r}"
        failure = self.dialect.translate(error, self._connection, where, about)
        if ends or self.dialect.failure_ends_transaction:
            self._failure = failure
            self._why = f"in {self.dialect.title}"
        return failure

    def defer(self, write: Write) -> None:
        """Queue ``write`` (``AlreadyExists`` at once for an id added earlier in the queue)."""
        about = write.about
        if about is not None and about.expected is None:
            if about.key in self._adding:
                raise AlreadyExists(about.kind, about.key)
            self._adding.add(about.key)
        self._queue.append(write)

    def defer_all(self, writes: Sequence[Write]) -> None:
        """Queue unchecked ``writes``."""
        self._queue.extend(writes)

    def _flush(self, cursor: Cursor) -> None:
        """Run the deferred writes in order, consecutive ones of one statement together.

        When a write fails, the transaction cannot go on, and this raises what the
        first failing write's call would have raised had it run at once.
        """
        queue, self._queue = _grouped(self._queue), []
        self._adding.clear()
        start = 0
        while start < len(queue):
            query = queue[start].query
            end = start + 1
            while end < len(queue) and queue[end].query is query:
                end += 1
            group = queue[start:end]
            about = group[0].about
            try:
                if about is None:
                    cursor.executemany(query[0], [write.params for write in group])
                    done = []
                else:
                    rows = [write.params for write in group]
                    done = self.dialect.run_checked(cursor, query, rows)
            except UnicodeEncodeError as error:
                failure: ProdlifeError = not_unicode(error)
                self._failure, self._why = failure, "(its writes had run since)"
                raise failure from error
            except self.dialect.error as error:
                single = about if len(group) == 1 else None
                where = "running the writes deferred so far"
                raise self._failed(error, where, None, single, ends=True) from error
            if not all(done):
                raise self._refused(cursor, queue, start, done)
            start = end

    def _refused(
        self, cursor: Cursor, queue: list[Write], start: int, done: list[bool]
    ) -> ProdlifeError:
        """The error of the first write of ``queue[start:]`` not done; the transaction fails.

        ``done`` tells which of the writes from ``start`` on ran (later ones did not).
        """
        failing = start + done.index(False)
        about = queue[failing].about
        failure: ProdlifeError
        if about is None:  # pragma: no cover - only checked writes can be refused
            failure = StoreError("a deferred write was refused")
        elif about.expected is None:
            failure = AlreadyExists(about.kind, about.key)
        else:
            found = self._found(cursor, queue, start, done, failing)
            if found is None:
                failure = NotFound(about.kind, about.key)
            else:
                failure = ConcurrencyConflict(about.kind, about.key, about.expected, found)
        self._failure = failure
        self._why = "(its writes had run since)"
        return failure

    def _found(
        self, cursor: Cursor, queue: list[Write], start: int, done: list[bool], failing: int
    ) -> int | None:
        """The version the refused save ``queue[failing]`` met (``None``: no such service).

        What the queue's own writes of that service tell, else what is stored: a later
        write of it that ran tells what was there before it.
        """
        key = queue[failing].about.key  # type: ignore[union-attr]
        for index in range(failing - 1, -1, -1):
            write = queue[index]
            if (
                write.about is not None
                and write.about.key == key
                and (index < start or done[index - start])
            ):
                return write.version
        for index in range(failing + 1, start + len(done)):
            write = queue[index]
            if write.about is not None and write.about.key == key and done[index - start]:
                return write.about.expected
        try:
            row = cursor.execute(self.sql.service_version, (key,)).fetchone()
        except self.dialect.error as error:
            raise self._failed(error, "reading the version of the service", key) from error
        return None if row is None else int(row[0])


def _grouped(queue: list[Write]) -> list[Write]:
    """The checked writes in call order, then the others by statement (first used first),
    each statement's in call order: none of them depends on another (a failure ends the
    transaction), and a statement's writes run together."""
    checked: list[Write] = []
    others: dict[int, list[Write]] = {}
    for write in queue:
        if write.about is None:
            others.setdefault(id(write.query), []).append(write)
        else:
            checked.append(write)
    if not others:
        return checked
    for writes in others.values():
        checked += writes
    return checked
