"""The use case of :class:`~prodlife.app.Billing` that adds a promo code to a live service.

Seed 003's "add a promo code to an existing service": the code is looked up in
the stored promotions, checked against its limits with the stored uses (inside
the transaction that counts its use, so two requests cannot both take the last
one), and put on the service from its next billing period
(:func:`~prodlife.lifecycle.promo_codes.add_promo_code`).
"""

from __future__ import annotations

from prodlife.app._base import BillingBase, log
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.operations import today
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.promo_codes import add_promo_code
from prodlife.lifecycle.transitions import Operation
from prodlife.pricing.redemption import PromotionUse, check_promotion, find_promotion

__all__ = ["Promoting"]


class Promoting(BillingBase):
    """Billing's use case about promo codes on existing services."""

    def add_promo_code(
        self, service_id: str, code: str, actor: Actor, *, reason: str = ""
    ) -> Outcome:
        """Give a live service the stored promo code ``code`` from its next billing period.

        The code's use is counted for the service's customer (its id as the
        use's reference), once per service: the same code twice on one
        service is refused.

        Raises:
            PermissionDenied: anyone but staff holding ``customer products: edit``
                and ``prices: set``.
            PromotionRefused: the code is unknown, not valid today, used up, or not
                for this product or cycle (its limits count the stored uses).
            RuleViolation: the service is one-time or ended (rule
                ``promotion.service``), or holds the code already (rule
                ``promotion.applied``).
            NotFound: no such service.
        """
        at = self._now()
        with self.store.transaction(readonly=True) as uow:
            service = self._load(uow, service_id, actor, Operation.EDIT)
            promotion = find_promotion(uow.promotions.all(), code)
            outcome = add_promo_code(service, actor, at, promotion, reason=reason)
        with self.store.transaction() as uow:
            use = PromotionUse(
                on=today(service, at),
                product_code=service.product_code,
                cycle=service.cycle,
                customer_id=service.customer_id,
                uses_so_far=uow.promotions.uses(promotion.code),
                customer_uses_so_far=uow.promotions.uses(promotion.code, service.customer_id),
                customer_is_new=False,
            )
            check_promotion(promotion, use)
            uow.promotions.record_use(promotion.code, service.customer_id, service.id)
            kept = self._keep(uow, service.version, outcome, at)
            uow.commit()
        log.info("promo code %s on %s by %s", promotion.code, service_id, actor)
        self._settle(kept.paid)
        return self._published_own(kept.outcomes[0])
