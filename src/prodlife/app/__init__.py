"""Use cases: the lifecycle's operations carried out over a store, all or nothing.

:class:`Billing` ties a :class:`~prodlife.ports.Store` to the host's clock,
provisioning module and notifier. Each use case runs in one transaction: it
loads what it needs, calls the pure domain, saves the changed services with a
version check, appends the invoice lines and the events, and commits. Either
all of it is kept or none of it is. Events go to the notifier only after the
commit; they wait in the store's outbox until then, so none is lost when the
notifier is down (call :meth:`Billing.publish_pending` to retry).

:class:`Billing` is made of its use cases, one module per subject: ``reading``
(services, history, products, catalog, revenue, adoption), ``ordering`` (catalog
versions, services and orders added), ``changing`` (operations, package and option
changes, add-ons), ``updating`` (abuse limits, mass updates), ``scheduling``
(:meth:`Billing.run_due`),
``invoicing`` (invoices, statements, payments, refunds; lines are put on invoices by
``_issuing`` wherever they are issued), ``promoting`` (a promo code on a live service),
``reselling`` (resellers' offerings), ``cancelling`` (cancellation requests, their
list, and the domains customers hold), ``providing`` (usage services provided on
request) and ``_base`` (the constructor and the plumbing they share: loading, saving,
settling, publishing). The rules they apply live in :mod:`prodlife.lifecycle`, the
stores in :mod:`prodlife.stores`.

>>> from datetime import UTC, date, datetime
>>> from prodlife import MONTHLY, Actor, FixedClock, Money, Service
>>> from prodlife.lifecycle import ACTIVE, reboot
>>> from prodlife.pricing.recurring import RecurringPrice
>>> from prodlife.stores import open_store
>>> billing = Billing(open_store("memory:"), clock=FixedClock(datetime(2025, 4, 20, tzinfo=UTC)))
>>> billing.add_services([Service(
...     id="S-1", customer_id="C-1", product_code="WEB", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 4, 1), next_due=date(2025, 5, 1), paid_through=date(2025, 4, 30),
...     status=ACTIVE)])
>>> done = billing.perform(reboot, "S-1", Actor.customer("C-1"))
>>> billing.service("S-1", Actor.customer("C-1")).version
1
"""

from __future__ import annotations

from prodlife.app._base import PublishFailed
from prodlife.app.cancelling import Cancelling
from prodlife.app.invoicing import Invoicing, PaymentResult, Statement
from prodlife.app.ordering import Ordering
from prodlife.app.promoting import Promoting
from prodlife.app.providing import Providing
from prodlife.app.reading import Reading
from prodlife.app.reselling import Reselling
from prodlife.app.scheduling import SchedulerReport, Scheduling
from prodlife.app.updating import Updating

__all__ = ["Billing", "PaymentResult", "PublishFailed", "SchedulerReport", "Statement"]


class Billing(
    Reading,
    Ordering,
    Updating,
    Scheduling,
    Invoicing,
    Promoting,
    Reselling,
    Cancelling,
    Providing,
):
    """The use cases of prodlife over one store.

    Args:
        store: where everything is kept (see :func:`prodlife.stores.open_store`).
        clock: where "now" comes from (:class:`~prodlife.FixedClock` in tests).
        notifier: receives the events of each committed change; ``None`` keeps
            them in the outbox.
        module: the host's provisioning module, passed to every operation that
            takes one for a provisionable product.
        modules: the host's module of each provisioning provider, by provider code
            (seed 004): a product a provider knows (its ``provider_ids``) is
            provisioned by that provider's module, any other by ``module``
            (:mod:`prodlife.lifecycle.provisioning_providers`).
        policy: the scheduler's automation settings.
        invoicing: how invoices are numbered and fall due
            (:class:`~prodlife.billing.invoices.InvoicePolicy`).
        operations: the product-specific operations the host declares
            (:class:`~prodlife.lifecycle.product_operations.OperationRegistry`),
            which :meth:`perform` runs.
    """
