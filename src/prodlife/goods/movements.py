"""Warehouses, holders and stock movements: the immutable facts a stock ledger is made of.

A :class:`Movement` records one change of a physical good's stock in one
:class:`Warehouse` (seed 004's stock balance per warehouse): goods received,
reserved for a customer's service or job, a reservation released, goods issued
to it (sold or rented, :class:`Ownership`), returned from it, or written off.
Movements are never changed nor removed: a mistake is corrected by another
movement. A service moved to another customer takes its goods with it: a
transfer passes what it holds in a warehouse (reserved or issued, sold or
rented) from its old holder to its new one, each unit's history recording it.
The rules a movement can check alone run when it is built; the rules that need
the stock or the catalog are :class:`~prodlife.goods.Stock`'s.

=======================  =============================================================
rule                     condition
=======================  =============================================================
``code.format``          codes, ids and serial numbers are text with no spaces at
                         either end
``goods.warehouse``      a warehouse has a name
``goods.quantity``       a quantity is a whole number of at least 1
``goods.date``           a movement's date is a ``date``
``goods.holder``         reserve, release, issue, return and transfer name whose
                         service or job it is; receive and write-off name nobody
``goods.transfer``       a transfer names the holder it passes from: the same service
                         or job under another customer; no other movement names one
``goods.ownership``      an issue is a sale or a rental, a rental only to a service;
                         other movements are neither
``goods.serial-count``   serial numbers, when given, are as many as the quantity and
                         each given once
``goods.components``     only a receipt carries a kit's component serial numbers
=======================  =============================================================

>>> from datetime import date
>>> service = Holder.service("S-1", "C-1")
>>> issue = Movement(0, MovementKind.ISSUE, "MODEM", "MAIN", date(2025, 3, 1), 1,
...                  serials=("SN-1",), holder=service, ownership=Ownership.RENTAL)
>>> issue.describe()
'issue 1 x MODEM [SN-1] from MAIN to service S-1 (rental) on 2025-03-01'
>>> Movement(0, MovementKind.ISSUE, "MODEM", "MAIN", date(2025, 3, 1), 1, holder=service)
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: issue of 'MODEM': an issue is a sale or a rental; give
ownership=Ownership.SALE or ownership=Ownership.RENTAL (rule goods.ownership)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

import attrs

from prodlife._numbers import is_whole
from prodlife._text import with_article
from prodlife.catalog._findings import Finding, check_code, is_date, is_text, raise_first

__all__ = [
    "ComponentSerials",
    "Holder",
    "HolderKind",
    "Movement",
    "MovementKind",
    "Ownership",
    "Warehouse",
    "check_movement",
]


@attrs.frozen(slots=True)
class Warehouse:
    """A place goods are kept (a depot, an engineer's van).

    Args:
        code: the warehouse's code.
        name: its display name.
        allows_negative: whether its balances may fall below zero (goods
            issued before their receipt is recorded); otherwise a movement that
            would leave less than nothing on hand or available is refused.

    Raises:
        RuleViolation: the code is malformed or the name empty.
    """

    code: str
    name: str
    allows_negative: bool = False

    def __attrs_post_init__(self) -> None:
        found = check_code(self.code, "warehouse")
        if not is_text(self.name):
            found.append(("goods.warehouse", f"warehouse {self.code!r} needs a name"))
        raise_first(found, str(self.code))


class HolderKind(enum.Enum):
    """What goods are reserved for or issued to."""

    #: A customer's service (a subscription).
    SERVICE = "service"
    #: A one-off job (seed 004: jobs sell physical goods).
    JOB = "job"


@attrs.frozen(slots=True)
class Holder:
    """The customer's service or job goods are reserved for, issued to or returned from.

    Args:
        kind: a service or a job.
        id: the service's or job's id.
        customer_id: whose it is.

    Raises:
        RuleViolation: an id is malformed.
    """

    kind: HolderKind
    id: str
    customer_id: str

    def __attrs_post_init__(self) -> None:
        found = check_code(self.id, self.kind.value)
        found += check_code(self.customer_id, "customer")
        raise_first(found, str(self.id))

    @classmethod
    def service(cls, service_id: str, customer_id: str) -> Holder:
        """The holder for service ``service_id`` of ``customer_id``."""
        return cls(HolderKind.SERVICE, service_id, customer_id)

    @classmethod
    def job(cls, job_id: str, customer_id: str) -> Holder:
        """The holder for job ``job_id`` of ``customer_id``."""
        return cls(HolderKind.JOB, job_id, customer_id)

    def __str__(self) -> str:
        return f"{self.kind.value} {self.id}"


class Ownership(enum.Enum):
    """Whether goods issued to a holder are sold or rented (seed 004)."""

    #: Ownership passes to the customer; charged once.
    SALE = "sale"
    #: The goods stay the provider's; charged every cycle of the service, returned on
    #: cancellation.
    RENTAL = "rental"


class MovementKind(enum.Enum):
    """What a movement does to a warehouse's stock."""

    #: Goods arrive in the warehouse: on hand rises.
    RECEIVE = "receive"
    #: Goods on hand are set aside for a holder: reserved rises, available falls.
    RESERVE = "reserve"
    #: A reservation is given up: reserved falls, available rises.
    RELEASE = "release"
    #: Goods leave for a holder (consuming its reservation first): on hand falls.
    ISSUE = "issue"
    #: Goods come back from a holder: on hand rises.
    RETURN = "return"
    #: Goods are lost, broken or scrapped: on hand falls.
    WRITE_OFF = "write off"
    #: What a service or job holds in a warehouse (reserved or issued) passes to its new
    #: customer: balances, dates and charges stay as they were.
    TRANSFER = "transfer"


_WITH_HOLDER = frozenset(
    {
        MovementKind.RESERVE,
        MovementKind.RELEASE,
        MovementKind.ISSUE,
        MovementKind.RETURN,
        MovementKind.TRANSFER,
    }
)


def _codes(values: Iterable[str] | str) -> tuple[str, ...]:
    return (values,) if isinstance(values, str) else tuple(values)


def _serial_findings(serials: tuple[str, ...], quantity: object, what: str) -> list[Finding]:
    found: list[Finding] = []
    for serial in serials:
        found += check_code(serial, f"{what} serial")
    twice = sorted({s for s in serials if serials.count(s) > 1})
    if twice:
        found.append(("goods.serial-count", f"serial numbers {twice} are given twice"))
    if serials and len(serials) != quantity:
        found.append(
            (
                "goods.serial-count",
                f"{len(serials)} serial numbers for a quantity of {quantity!r}; give one "
                "serial number per unit",
            )
        )
    return found


@attrs.frozen(slots=True)
class ComponentSerials:
    """The serial numbers of one traceable component inside a kit (a fixed traceable bundle).

    Args:
        product_code: the component product.
        serials: its units' serial numbers, as many as the bundle holds of it.
    """

    product_code: str
    serials: tuple[str, ...] = attrs.field(converter=_codes)

    def __attrs_post_init__(self) -> None:
        found = check_code(self.product_code, "component product")
        found += _serial_findings(self.serials, len(self.serials), repr(self.product_code))
        if not self.serials:
            found.append(("goods.components", f"component {self.product_code!r} has no serials"))
        raise_first(found, str(self.product_code))


def _components(values: Iterable[ComponentSerials]) -> tuple[ComponentSerials, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class Movement:
    """One immutable change of a good's stock in a warehouse.

    Args:
        sequence: its place among the product's movements (0, 1, 2... assigned by
            the :class:`~prodlife.goods.Stock` that records it); a store can key
            movements on ``(product_code, sequence)``.
        kind: what it does.
        product_code: the physical good moved.
        warehouse: the code of the warehouse it leaves, enters or is reserved in.
        on: the day it happened.
        quantity: how many units (1 or more).
        serials: the units' serial numbers, one per unit, for a traceable good;
            empty for a non-traceable one.
        holder: whose service or job it is reserved for, released from, issued
            to, returned from or transferred to; ``None`` for a receipt or a write-off.
        ownership: for an issue, whether the goods are sold or rented.
        components: for the receipt of a kit (a fixed traceable bundle), its
            traceable components' serial numbers.
        reference: the document it comes from (a delivery note, a work order).
        reason: why, for a write-off ("damaged in transit").
        from_holder: for a transfer, the holder the goods pass from (the same service
            or job, under its previous customer).

    Raises:
        RuleViolation: a rule of the module's table is broken.
    """

    sequence: int
    kind: MovementKind
    product_code: str
    warehouse: str
    on: date
    quantity: int
    serials: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    holder: Holder | None = None
    ownership: Ownership | None = None
    components: tuple[ComponentSerials, ...] = attrs.field(default=(), converter=_components)
    reference: str = ""
    reason: str = ""
    from_holder: Holder | None = None

    def __attrs_post_init__(self) -> None:
        raise_first(check_movement(self), str(self.product_code))

    @property
    def is_traceable(self) -> bool:
        """Whether the movement names its units by serial number."""
        return bool(self.serials)

    def describe(self) -> str:
        """The movement in words, e.g. ``receive 10 x CABLE into MAIN on 2025-03-01``."""
        units = f" [{', '.join(self.serials)}]" if self.serials else ""
        text = f"{self.kind.value} {self.quantity} x {self.product_code}{units}"
        where = {
            MovementKind.RECEIVE: f" into {self.warehouse}",
            MovementKind.RESERVE: f" in {self.warehouse} for {self.holder}",
            MovementKind.RELEASE: f" in {self.warehouse} from {self.holder}",
            MovementKind.ISSUE: f" from {self.warehouse} to {self.holder}",
            MovementKind.RETURN: f" from {self.holder} into {self.warehouse}",
            MovementKind.WRITE_OFF: f" from {self.warehouse}",
            MovementKind.TRANSFER: f" in {self.warehouse} from {_whose(self.from_holder)} "
            f"to {_whose(self.holder)}",
        }[self.kind]
        owned = f" ({self.ownership.value})" if self.ownership is not None else ""
        return f"{text}{where}{owned} on {self.on}"


def _whose(holder: Holder | None) -> str:
    return f"{holder} of {holder.customer_id}" if holder is not None else "nobody"


def _transfer_findings(m: Movement, kind: str) -> list[Finding]:
    """What is wrong with the holder a transfer passes from (or one another movement names)."""
    old, new = m.from_holder, m.holder
    if m.kind is not MovementKind.TRANSFER:
        if old is None:
            return []
        return [("goods.transfer", f"only a transfer names from_holder=, not {with_article(kind)}")]
    if old is None:
        return [("goods.transfer", "a transfer names the holder it passes from; give from_holder=")]
    if old == new or (new is not None and (old.kind, old.id) != (new.kind, new.id)):
        message = (
            f"a transfer passes goods from {_whose(old)} to the same {old.kind.value} under "
            f"another customer, not to {_whose(new)}; return them and issue them instead"
        )
        return [("goods.transfer", message)]
    return []


def check_movement(movement: Movement) -> list[Finding]:
    """Every rule of the module's table ``movement`` breaks on its own."""
    m = movement
    kind = m.kind.value if isinstance(m.kind, MovementKind) else repr(m.kind)
    found = check_code(m.product_code, "product")
    found += check_code(m.warehouse, "warehouse")
    if not is_whole(m.sequence, 0):
        found.append(("goods.quantity", f"sequence {m.sequence!r} must be a whole number, 0 up"))
    if not is_whole(m.quantity, 1):
        found.append(("goods.quantity", f"quantity {m.quantity!r} must be a whole number, 1 up"))
    if not is_date(m.on):
        found.append(("goods.date", f"date {m.on!r} must be a date, e.g. date(2025, 3, 1)"))
    found += _serial_findings(m.serials, m.quantity, repr(m.product_code))
    if m.kind in _WITH_HOLDER and m.holder is None:
        found.append(("goods.holder", f"a {kind} names the service or job; give holder="))
    if m.kind not in _WITH_HOLDER and m.holder is not None:
        found.append(("goods.holder", f"a {kind} names no service or job; drop holder="))
    if m.kind is MovementKind.ISSUE and m.ownership is None:
        found.append(
            (
                "goods.ownership",
                "an issue is a sale or a rental; give ownership=Ownership.SALE or "
                "ownership=Ownership.RENTAL",
            )
        )
    elif m.kind is not MovementKind.ISSUE and m.ownership is not None:
        found.append(
            ("goods.ownership", f"only an issue is a sale or a rental, not {with_article(kind)}")
        )
    elif (
        m.ownership is Ownership.RENTAL
        and m.holder is not None
        and m.holder.kind is not HolderKind.SERVICE
    ):
        found.append(
            ("goods.ownership", f"goods are rented only to a service, not to {m.holder}; sell them")
        )
    found += _transfer_findings(m, kind)
    if m.components and m.kind is not MovementKind.RECEIVE:
        found.append(
            (
                "goods.components",
                f"only a receipt names a kit's components, not {with_article(kind)}",
            )
        )
    return [(rule, f"{kind} of {m.product_code!r}: {message}") for rule, message in found]
