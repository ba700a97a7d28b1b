# Over 400 lines: every error class in one module, the hierarchy docs/errors.md draws (one root,
# as cattrs/errors.py); each class is only its message and the fix it names.
"""The errors prodlife raises.

Every error a caller can cause is a subclass of :class:`ProdlifeError`, so a
host application can catch them all in one place, and each message says what
was wrong and how to fix it. Errors about a bad argument value are also
:class:`ValueError` (through :class:`ValidationError`), so code written
against the standard library keeps working.

>>> from prodlife import Money
>>> try:
...     Money(0.1, "USD")
... except ProdlifeError as error:
...     print(type(error).__name__, "-", error)  # doctest: +NORMALIZE_WHITESPACE
InvalidAmount - amount 0.1 is a float, which cannot hold money exactly;
pass a string instead, e.g. Money('0.1', 'USD')
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AlreadyExists",
    "CatalogProblem",
    "ComponentRefused",
    "ConcurrencyConflict",
    "CurrencyMismatch",
    "ExportRefused",
    "FileAccessError",
    "ForeignDatabase",
    "ImportRefused",
    "InvalidAmount",
    "InvalidBillingCycle",
    "InvalidCatalog",
    "InvalidInstant",
    "InvalidPeriod",
    "InvalidRounding",
    "NotFound",
    "PermissionDenied",
    "ProdlifeError",
    "RuleViolation",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
    "TransitionNotAllowed",
    "UnknownCurrency",
    "ValidationError",
]


class ProdlifeError(Exception):
    """Root of every error prodlife raises on purpose.

    Catch this to handle any mistake a caller can make with prodlife; a bare
    ``Exception`` escaping prodlife that is not one of these is a bug.
    """


class ValidationError(ProdlifeError, ValueError):
    """A value given to prodlife is not acceptable.

    The message names the value and says what an acceptable one looks like.
    """


class UnknownCurrency(ValidationError):
    """A currency code is not an ISO 4217 code that babel knows, or not one customers pay in
    (XXX, XTS, the precious metals and units of account: ``prodlife.money.NOT_TENDER``).

    Attributes:
        code: the code as given.
    """

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(
            f"unknown currency code {code!r}; use an ISO 4217 code such as 'USD', 'EUR' or 'JPY'"
        )


class InvalidAmount(ValidationError):
    """A money amount (or a factor, ratio or divisor) cannot be used.

    Raised for floats (which cannot hold decimal money exactly), text that is
    not a number, NaN and infinities, booleans, and division by zero.

    Attributes:
        value: the offending value.
    """

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        super().__init__(reason)


class CurrencyMismatch(ValidationError):
    """Two amounts in different currencies were combined.

    Attributes:
        left: the amount on the left of the operation.
        right: the amount on the right of the operation.
        operation: what was attempted ("add", "subtract", "compare", "divide"...).
    """

    def __init__(self, left: object, right: object, operation: str) -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(
            f"cannot {operation} {left} and {right}: they are in different currencies; "
            "convert one side to the other's currency first"
        )


class InvalidRounding(ValidationError):
    """A rounding mode is not one of the :mod:`decimal` module's modes.

    Attributes:
        mode: the mode as given.
    """

    def __init__(self, mode: object) -> None:
        self.mode = mode
        super().__init__(
            f"unknown rounding mode {mode!r}; use one of decimal's constants, "
            "e.g. decimal.ROUND_HALF_UP or decimal.ROUND_HALF_EVEN"
        )


class InvalidPeriod(ValidationError):
    """A period or interval is empty, reversed, or built from the wrong types."""


class InvalidBillingCycle(ValidationError):
    """A billing cycle is malformed, or used where it cannot apply.

    For example a cycle of zero months, an unknown cycle name, or asking a
    one-time cycle for its recurring periods.
    """


class InvalidInstant(ValidationError):
    """An instant is not a timezone-aware datetime, or is outside the years prodlife keeps.

    prodlife keeps instants as aware UTC datetimes; a naive datetime is
    ambiguous (which zone?), so it is refused rather than guessed.

    Args:
        value: the offending value.
        reason: what is wrong with it, when it is not the missing time zone.

    Attributes:
        value: the offending value.
    """

    def __init__(self, value: object, reason: str = "") -> None:
        self.value = value
        super().__init__(
            reason
            or f"instant {value!r} has no time zone; pass an aware datetime, "
            "e.g. datetime(2025, 1, 31, 12, 0, tzinfo=timezone.utc)"
        )


class NotFound(ProdlifeError, LookupError):
    """Something looked up by its code or id does not exist.

    Attributes:
        kind: what was looked up ("product", "product type"...).
        key: the code or id that was not found.
    """

    def __init__(self, kind: str, key: object, hint: str = "") -> None:
        self.kind = kind
        self.key = key
        fix = hint or f"define the {kind} first, or check the code for a typo"
        super().__init__(f"no {kind} {key!r}; {fix}")

    def __str__(self) -> str:
        return str(self.args[0])


class RuleViolation(ValidationError):
    """A definition or a request breaks one of the domain's named rules.

    Attributes:
        rule: the rule's identifier, e.g. ``"type.flexible-bundle"``; the
            documentation lists every rule under its identifier.
        subject: what broke the rule (a product code, a bundle...), if known.
    """

    def __init__(self, rule: str, message: str, subject: str = "") -> None:
        self.rule = rule
        self.subject = subject
        super().__init__(f"{message} (rule {rule})")


class ComponentRefused(RuleViolation):
    """An operation on one component of a bundle that the bundle's rules forbid.

    A bundle's components live and end with it: ending one alone must leave a
    selection the bundle's definition allows (never for a fixed bundle), and a
    component is not resumed while its bundle is suspended.

    Attributes:
        service_id: the component's service.
        bundle_id: its bundle's service.
    """

    def __init__(self, rule: str, message: str, service_id: str, bundle_id: str) -> None:
        self.service_id = service_id
        self.bundle_id = bundle_id
        super().__init__(rule, message, service_id)


class CatalogProblem(ProdlifeError):
    """One problem found while checking a catalog, with where it is.

    Not raised alone: :class:`InvalidCatalog` carries all of them.

    Attributes:
        path: where the problem is, e.g. ``"products[DSL-100].editions"``.
        rule: the rule broken.
        message: what is wrong and how to fix it.
    """

    def __init__(self, path: str, rule: str, message: str) -> None:
        self.path = path
        self.rule = rule
        self.message = message
        super().__init__(f"{path}: {message} (rule {rule})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CatalogProblem):
            return NotImplemented
        return (self.path, self.rule, self.message) == (other.path, other.rule, other.message)

    def __hash__(self) -> int:
        return hash((self.path, self.rule, self.message))


class InvalidCatalog(ValidationError):
    """A catalog (or a file holding one) has problems; every one is listed.

    Attributes:
        problems: each :class:`CatalogProblem`, in the order found.
    """

    def __init__(self, problems: list[CatalogProblem] | tuple[CatalogProblem, ...]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        count = len(self.problems)
        super().__init__(
            f"the catalog has {count} problem{'s' if count != 1 else ''}; fix each:\n{listing}"
        )


class FileAccessError(ProdlifeError):
    """A file cannot be read or written: missing, a directory, not permitted, the disk full.

    The operating system's error is the ``__cause__``.

    Attributes:
        path: the file, as given.
        reason: what the operating system said.
    """

    def __init__(self, path: object, doing: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot {doing} {str(path)!r}: {reason}; check the path and its permissions"
        )


class ImportRefused(ValidationError):
    """A file given to product synchronization cannot be imported at all.

    Raised before any row is applied: the file is too large, not in the format
    its name says, not UTF-8, missing its header, malformed, or an XML file
    declaring entities. Problems of single rows are not raised: the run
    records them, row by row.

    Attributes:
        file_name: the file, as given.
        code: what is wrong, e.g. ``"file.too-large"`` or ``"xml.entities"``
            (docs/sync.md lists every code).
    """

    def __init__(self, file_name: str, code: str, message: str) -> None:
        self.file_name = file_name
        self.code = code
        super().__init__(f"cannot import {file_name!r}: {message} ({code})")


class ExportRefused(ValidationError):
    """Products cannot be written in the format asked for.

    Raised before anything is written: a value holds a character the format
    cannot carry (XML and spreadsheets refuse most control characters), a list
    value holds the ``|`` that separates its items, or the format needs an
    extra that is not installed.

    Attributes:
        code: what is wrong, e.g. ``"value.character"`` (docs/sync.md lists them).
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(f"{message} ({code})")


class TransitionNotAllowed(ProdlifeError):
    """An operation cannot be carried out on a service in its current status.

    Attributes:
        status: the service's status (with its substate) when it was refused.
        operation: the operation that was refused.
        hint: what would make it possible, when something would.
    """

    def __init__(self, status: object, operation: object, hint: str = "") -> None:
        self.status = status
        self.operation = operation
        self.hint = hint
        fix = f"; {hint}" if hint else ""
        verb = getattr(operation, "verb", operation)
        super().__init__(f"cannot {verb} a service that is {status}{fix}")


class PermissionDenied(ProdlifeError):
    """The actor may not carry out the operation.

    The message never reveals anything about a service the actor does not own.

    Attributes:
        actor: who tried.
        operation: what they tried.
    """

    def __init__(self, actor: object, operation: object, reason: str) -> None:
        self.actor = actor
        self.operation = operation
        super().__init__(f"{actor} may not {operation}: {reason}")


class AlreadyExists(ProdlifeError):
    """Something added to a store has the id or code of one already stored.

    Attributes:
        kind: what was added ("service", "order"...).
        key: the id or code already taken.
    """

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        super().__init__(
            f"{article} {kind} {key!r} is already stored; give the new one another id, or load "
            "and save the stored one to change it"
        )


class ConcurrencyConflict(ProdlifeError):
    """Another writer changed a stored aggregate since it was loaded.

    Nothing was overwritten: load it again, redo the operation on what is
    stored now, and save that.

    Attributes:
        kind: what was saved ("service", "price plan"...).
        key: its id or code.
        expected: the version the writer loaded.
        found: the version stored now (``None`` when unknown).
    """

    def __init__(self, kind: str, key: object, expected: object, found: object = None) -> None:
        self.kind = kind
        self.key = key
        self.expected = expected
        self.found = found
        now = "" if found is None else f", it is at version {found} now"
        super().__init__(
            f"{kind} {key!r} was changed by another writer since it was loaded at version "
            f"{expected}{now}; load it again and redo the operation"
        )


class StoreError(ProdlifeError):
    """The store failed to carry out a request (its driver's error is the ``__cause__``).

    Raised for what the caller cannot fix by changing the request: a broken
    database file, a stored document prodlife cannot read, a transaction used
    after it ended.
    """


class StoreBusy(StoreError):
    """The store stayed locked by another writer longer than its timeout; retry later."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened (a wrong path or URL, a server down)."""


class ForeignDatabase(StoreError):
    """A database (or PostgreSQL schema) holds another program's tables and no prodlife schema.

    A store never adds its tables beside another program's unless it is opened
    with ``allow_foreign_tables=True``.

    Attributes:
        tables: the names of the tables found.
    """

    def __init__(self, where: str, tables: Sequence[str], fix: str) -> None:
        self.tables = tuple(sorted(tables))
        shown = ", ".join(self.tables[:5]) + (", ..." if len(self.tables) > 5 else "")
        super().__init__(
            f"{where} holds tables prodlife did not create ({shown}) and no prodlife schema; "
            f"{fix}, or pass allow_foreign_tables=True to add prodlife's tables beside them"
        )
