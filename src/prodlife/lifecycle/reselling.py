"""Orders placed through a reseller (seed 000): only what its offering sells, within its limits.

:func:`check_reseller_order` is the one place the rules of
:mod:`prodlife.catalog.resellers` meet an order: each line's product and edition
must be in the reseller's offering, each add-on too, each service within its
``max_quantity`` units, and the customer within its ``max_per_customer`` live
services of each product (counting the customer's live services and the
order's). The catalog's own rules (:func:`~prodlife.lifecycle.selling.check_order`)
still apply: a reseller sells marketplace products, never more than the
marketplace allows.

>>> from datetime import datetime, timezone
>>> from prodlife.catalog import OfferedProduct, ResellerOffering
>>> from prodlife.lifecycle import Order, OrderLine
>>> from prodlife.pricing import OrderLineSpec
>>> acme = ResellerOffering("ACME", "Acme", "ACME-PRICES",
...                         (OfferedProduct("WEB", max_per_customer=1),))
>>> two = Order(id="O-1", customer_id="C-1", payment_method="card",
...             lines=(OrderLine(OrderLineSpec("WEB"), services=2),),
...             placed_at=datetime(2026, 3, 1, tzinfo=timezone.utc))
>>> check_reseller_order(acme, two, held=())
Traceback (most recent call last):
...
prodlife.errors.RuleViolation: through reseller 'ACME' a customer may hold at most 1 live WEB
service(s) and holds 0; 2 more is too many: end one first, or order fewer (rule
reseller.instance-limit)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from prodlife.catalog.resellers import ResellerOffering, check_instances, check_line
from prodlife.errors import RuleViolation
from prodlife.lifecycle.orders import Order
from prodlife.lifecycle.services import Service

__all__ = ["check_reseller_order", "check_reseller_plan"]


def check_reseller_plan(offering: ResellerOffering, plan_code: str) -> None:
    """Refuse pricing an order through ``offering`` from any plan but its own.

    Raises:
        RuleViolation: rule ``reseller.plan``.
    """
    if plan_code != offering.price_plan:
        raise RuleViolation(
            "reseller.plan",
            f"orders through reseller {offering.reseller!r} are priced from its price plan "
            f"{offering.price_plan!r}, not {plan_code!r}; name that plan in the context",
        )


def _sold_by(offering: ResellerOffering, service: Service) -> bool:
    """Whether ``service`` was sold through ``offering``: priced by its plan."""
    sale = service.sold_under
    return sale is not None and sale.price_plan == offering.price_plan


def check_reseller_order(
    offering: ResellerOffering, order: Order, *, held: Iterable[Service]
) -> None:
    """Refuse an ``order`` holding anything ``offering`` does not sell, or beyond its limits.

    Args:
        offering: the reseller's stored offering.
        order: the order, as placed (a bundle's components come with it: the
            bundle is what the reseller sells).
        held: the customer's services; the live ones sold through this reseller
            (priced by its plan: :attr:`Service.sold_under
            <prodlife.lifecycle.Service.sold_under>`) count towards its limits.

    Raises:
        RuleViolation: rules ``reseller.product``, ``reseller.edition``,
            ``reseller.addon``, ``reseller.quantity`` and ``reseller.instance-limit``.
    """
    live = Counter(
        s.product_code
        for s in held
        if not s.ended
        and s.sold_under is not None
        and s.sold_under.price_plan == offering.price_plan
    )
    ordered: Counter[str] = Counter()
    for line in order.lines:
        spec = line.spec
        check_line(offering, spec.product_code, spec.edition, spec.quantity)
        ordered[spec.product_code] += line.services
        for pick in spec.addons:
            if pick.code not in offering.addons:
                raise RuleViolation(
                    "reseller.addon",
                    f"reseller {offering.reseller!r} does not sell add-on {pick.code!r}; it "
                    f"sells {sorted(offering.addons)}",
                    pick.code,
                )
    for code, count in ordered.items():
        check_instances(offering, code, live[code], count)
