"""The catalog's rules for a stock movement: a physical good, serial numbers as its kind says."""

from __future__ import annotations

from prodlife._text import with_article
from prodlife.catalog import Catalog, FixedBundle
from prodlife.catalog.types import Classification, GoodKind
from prodlife.errors import RuleViolation
from prodlife.goods.movements import Movement, MovementKind

K = MovementKind


def _components_findings(catalog: Catalog, m: Movement, traceable: bool) -> list[str]:
    """What is wrong with a receipt's kit components (empty when nothing)."""
    if m.kind is not K.RECEIVE:
        return []  # only a receipt names components (checked by Movement)
    bundle = catalog.bundle(m.product_code)
    wanted: dict[str, int] = {}
    if isinstance(bundle, FixedBundle) and traceable:
        wanted = {
            code: count
            for code, count in bundle.quantities.items()
            if catalog.type_of(code).good_kind is GoodKind.TRACEABLE
        }
    given = {part.product_code: len(part.serials) for part in m.components}
    if not wanted and not given:
        return []
    problems = []
    if wanted and m.quantity != 1:
        problems.append("receive kits one at a time, each with its components' serial numbers")
    for code in sorted(set(wanted) | set(given)):
        if wanted.get(code, 0) != given.get(code, 0):
            problems.append(
                f"the kit holds {wanted.get(code, 0)} traceable {code}, the receipt names "
                f"{given.get(code, 0)} serial numbers of it"
            )
    if len(m.components) != len(given):
        problems.append("list each component once")
    return problems


def check_good(catalog: Catalog, m: Movement) -> None:
    """Refuse a movement the catalog does not allow (see :mod:`prodlife.goods.stock`)."""
    product_type = catalog.type_of(m.product_code)
    p = m.product_code
    if product_type.classification is not Classification.PHYSICAL_GOOD:
        message = (
            f"{p} is {with_article(product_type.describes)}, not a physical good; stock only goods"
        )
        raise RuleViolation("goods.not-a-good", message, p)
    traceable = product_type.good_kind is GoodKind.TRACEABLE
    if traceable and not m.serials:
        message = f"{p} is traceable: {m.kind.value} names each unit's serial number"
        raise RuleViolation("goods.serial-missing", f"{message}; give serials=", p)
    if not traceable and m.serials:
        message = f"{p} is not traceable: it is counted, not numbered; drop serials="
        raise RuleViolation("goods.serial-refused", message, p)
    problems = _components_findings(catalog, m, traceable)
    if problems:
        message = f"receipt of kit {p}: " + "; ".join(problems)
        raise RuleViolation("goods.components", message, p)
