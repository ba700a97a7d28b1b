"""Product-specific operations (seed 002, issue 16 item 9) through ``Billing.perform``.

Every test runs on every store.

Seed 002's services show states of their own kind: *Issue*, *Issue error*, *Reissue* for a
certificate, *Registrar change* for a domain, *Access to KVM* for a dedicated server. The host
declares each operation once (``OperationDefinition``), registers it (``OperationRegistry``),
and ``Billing.perform`` runs it with the permission table's checks, the module for a
provisionable product type only, and the service's history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from prodlife import MONTHLY, FixedClock, Money
from prodlife.app import Billing
from prodlife.catalog import (
    Catalog,
    CatalogVersion,
    Classification,
    Product,
    ProductType,
    ServiceKind,
)
from prodlife.errors import PermissionDenied, RuleViolation, TransitionNotAllowed
from prodlife.lifecycle import (
    ACTIVE,
    Actor,
    ModuleResult,
    Operation,
    OperationDefinition,
    OperationRegistry,
    Permission,
    Service,
    ServiceStatus,
    Status,
    SuspensionKind,
)
from prodlife.lifecycle.actors import policy_rows
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.status import Progress
from prodlife.ports import Store
from prodlife.pricing.recurring import RecurringPrice
from tests._lifecycle import last_entry
from tests.stores._postgresql import opened_store

NOW = datetime(2025, 4, 20, 12, tzinfo=UTC)
OWNER = Actor.customer("C-1")
STRANGER = Actor.customer("C-2")

ISSUE = OperationDefinition(
    "ssl-issue",
    "issue the certificate of",
    {"SSL"},
    progress="issue",
    command="issue_certificate",
    parameters={"csr"},
)
REISSUE = OperationDefinition(
    "ssl-reissue",
    "reissue the certificate of",
    {"SSL"},
    progress="reissue",
    command="reissue_certificate",
    parameters={"csr"},
)
REGISTRAR = OperationDefinition(
    "registrar-change",
    "change the registrar of",
    {"DOMAIN"},
    progress="registrar change",
    command="change_registrar",
    permission=Permission.TRANSFER,
    customers=False,
    parameters={"registrar"},
)
KVM = OperationDefinition(
    "kvm-access",
    "open the KVM console of",
    {"DEDICATED"},
    progress="access to KVM",
    command="open_console",
    permission=Permission.PROVISION,
    system=True,
)
REGISTRY = OperationRegistry([ISSUE, REISSUE, REGISTRAR, KVM])

_TYPES = [
    ProductType(
        code,
        code.title(),
        Classification.SERVICE,
        service_kind=ServiceKind.TERMED,
        provisionable=code != "DOMAIN",
    )
    for code in ("SSL", "DOMAIN", "DEDICATED", "HOSTING")
]
CATALOG = Catalog(
    types=_TYPES,
    products=[
        Product("SSL-DV", "DV certificate", "SSL"),
        Product("COM", ".com domain", "DOMAIN"),
        Product("KVM-1", "Dedicated server", "DEDICATED"),
        Product("WEB", "Web hosting", "HOSTING"),
    ],
)


class Provider:
    """The host's module: the built-in commands of a ProvisioningModule and the methods its
    operations name, each recorded and answered from ``answers``."""

    def __init__(self, *answers: ModuleResult | Exception) -> None:
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        self.answers = list(answers) or [ModuleResult.success("done")]

    def _do(self, command: str, service: Service, arguments: Mapping[str, str]) -> ModuleResult:
        self.calls.append((command, service.id, dict(arguments)))
        answer = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def issue_certificate(self, service: Service, arguments: Mapping[str, str]) -> ModuleResult:
        return self._do("issue_certificate", service, arguments)

    def reissue_certificate(self, service: Service, arguments: Mapping[str, str]) -> ModuleResult:
        return self._do("reissue_certificate", service, arguments)

    def change_registrar(self, service: Service, arguments: Mapping[str, str]) -> ModuleResult:
        return self._do("change_registrar", service, arguments)

    def open_console(self, service: Service, arguments: Mapping[str, str]) -> ModuleResult:
        return self._do("open_console", service, arguments)

    def create(self, service: Service) -> ModuleResult:
        return self._do("create", service, {})

    def suspend(self, service: Service) -> ModuleResult:
        return self._do("suspend", service, {})

    def unsuspend(self, service: Service) -> ModuleResult:
        return self._do("unsuspend", service, {})

    def terminate(self, service: Service) -> ModuleResult:
        return self._do("terminate", service, {})

    def change_package(self, service: Service, package_code: str) -> ModuleResult:
        return self._do("change_package", service, {"package": package_code})

    def change_password(self, service: Service, new_password: str) -> ModuleResult:
        return self._do("change_password", service, {"password": new_password})

    def reboot(self, service: Service) -> ModuleResult:
        return self._do("reboot", service, {})


def held(key: str, product: str, **changes: object) -> Service:
    fields: dict[str, object] = {
        "id": key,
        "customer_id": "C-1",
        "product_code": product,
        "edition": None,
        "cycle": MONTHLY,
        "price": RecurringPrice.at_order(Money("5.00", "USD")),
        "payment_method": "card",
        "start": date(2025, 4, 1),
        "next_due": date(2025, 5, 1),
        "paid_through": date(2025, 4, 30),
        "status": ACTIVE,
    }
    fields.update(changes)
    return Service(**fields)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store, holding the catalog and one service of each product (PostgreSQL in a
    schema of the test's own, skipped without a server)."""
    with opened_store(request.param, tmp_path) as opened:
        with opened.transaction() as uow:
            uow.catalog.add_version(CatalogVersion("2025", date(2025, 1, 1), CATALOG))
            uow.commit()
        yield opened


def billing(store: Store, module: Provider | None = None) -> Billing:
    app = Billing(store, clock=FixedClock(NOW), module=module, operations=REGISTRY)
    app.add_services(
        [
            held("S-SSL", "SSL-DV"),
            held("S-COM", "COM"),
            held("S-KVM", "KVM-1"),
            held("S-WEB", "WEB"),
        ]
    )
    return app


CSR = {"csr": "-----BEGIN CERTIFICATE REQUEST----- secret"}


def test_a_customer_reissues_a_certificate_through_the_module_and_its_history_says_so(
    store: Store,
) -> None:
    provider = Provider(ModuleResult.success("order 77"))
    app = billing(store, provider)
    done = app.perform(REISSUE, "S-SSL", OWNER, arguments=CSR, reason="key lost")
    assert provider.calls == [("reissue_certificate", "S-SSL", CSR)]
    assert done.service.status == ACTIVE
    assert [(e.kind, dict(e.details)) for e in done.events] == [
        (EventKind.OPERATION_PERFORMED, {"operation": "ssl-reissue", "message": "order 77"})
    ]
    history = app.history("S-SSL", OWNER)  # read back from the store
    started, finished = history
    assert (started.actor, started.operation, started.reason) == (
        OWNER,
        REISSUE.operation,
        "key lost",
    )
    assert started.after == ServiceStatus(
        Status.IN_PROGRESS, Progress("reissue"), previous=ACTIVE, target=ACTIVE
    )
    assert (finished.actor, finished.operation, finished.after) == (
        Actor.system(),
        Operation.PROVISIONED,
        ACTIVE,
    )
    assert "secret" not in repr(list(history)), "the arguments go to the module only"
    assert str(started.operation) == "reissue the certificate of"


def test_a_module_failure_leaves_the_service_where_it_was_with_the_error_in_its_history(
    store: Store,
) -> None:
    app = billing(store, Provider(ModuleResult.failed("CA refused the CSR")))
    done = app.perform(ISSUE, "S-SSL", OWNER, arguments=CSR)
    assert done.service.status == ACTIVE
    assert [e.kind for e in done.events] == [EventKind.PROVISIONING_FAILED]
    last = app.history("S-SSL", OWNER).last
    assert last is not None and last.operation is Operation.PROVISION_FAILED
    assert "CA refused the CSR" in last.reason
    raising = billing_again(store, Provider(RuntimeError("CA down")))
    done = raising.perform(ISSUE, "S-SSL", OWNER, arguments=CSR)
    assert [e.kind for e in done.events] == [EventKind.PROVISIONING_FAILED]


def billing_again(store: Store, module: Provider) -> Billing:
    return Billing(store, clock=FixedClock(NOW), module=module, operations=REGISTRY)


def test_a_product_type_that_is_not_provisionable_records_the_operation_without_the_module(
    store: Store,
) -> None:
    provider = Provider()
    app = billing(store, provider)
    staff = Actor.staff("ann", {Permission.TRANSFER})
    done = app.perform(REGISTRAR, "S-COM", staff, arguments={"registrar": "Gandi"})
    assert provider.calls == []
    entry = last_entry(done.service)
    assert entry.operation is REGISTRAR.operation
    assert (entry.before, entry.after) == (ACTIVE, ACTIVE)
    assert [e.kind for e in done.events] == [EventKind.OPERATION_PERFORMED]


@pytest.mark.parametrize(
    ("actor", "operation", "service_id", "arguments"),
    [
        (STRANGER, REISSUE, "S-SSL", CSR),  # not their service
        (OWNER, REGISTRAR, "S-COM", {"registrar": "Gandi"}),  # staff only
        (Actor.staff("sam", {Permission.PROVISION}), REGISTRAR, "S-COM", {"registrar": "X"}),
        (Actor.staff("sam", {Permission.TRANSFER}), KVM, "S-KVM", {}),
        (Actor.system(), REISSUE, "S-SSL", CSR),  # not the system's
    ],
)
def test_the_permission_table_decides_who_may_ask(
    store: Store,
    actor: Actor,
    operation: OperationDefinition,
    service_id: str,
    arguments: dict[str, str],
) -> None:
    provider = Provider()
    app = billing(store, provider)
    before = app.history(service_id, Actor.staff("ann", set(Permission)))
    with pytest.raises(PermissionDenied) as refused:
        app.perform(operation, service_id, actor, arguments=arguments)
    if actor is not STRANGER:  # a stranger learns nothing, as for every operation
        assert refused.value.operation is operation.operation
    assert provider.calls == []
    assert app.history(service_id, Actor.staff("ann", set(Permission))) == before


def test_the_system_opens_the_kvm_console_where_its_definition_allows(store: Store) -> None:
    provider = Provider(ModuleResult.success("https://kvm.example/session/9"))
    app = billing(store, provider)
    done = app.perform(KVM, "S-KVM", Actor.system())
    assert dict(done.events[0].details)["message"] == "https://kvm.example/session/9"


def test_an_operation_is_refused_where_it_does_not_belong(store: Store) -> None:
    app = billing(store, Provider())
    with pytest.raises(RuleViolation) as raised:
        app.perform(REISSUE, "S-WEB", OWNER, arguments=CSR)  # hosting offers no certificate
    assert raised.value.rule == "operation.product-type"
    stray = OperationDefinition("ssl-revoke", "revoke the certificate of", {"SSL"})
    with pytest.raises(RuleViolation) as raised:
        app.perform(stray, "S-SSL", OWNER)
    assert raised.value.rule == "operation.unknown"
    for arguments in ({}, {"csr": "x", "extra": "y"}):
        with pytest.raises(RuleViolation) as raised:
            app.perform(REISSUE, "S-SSL", OWNER, arguments=arguments)
        assert raised.value.rule == "operation.arguments"
    staff = Actor.staff("ann", set(Permission))
    suspended = ServiceStatus(Status.SUSPENDED, SuspensionKind.BY_ADMINISTRATOR)
    app.add_services([held("S-SSL-2", "SSL-DV", status=suspended)])
    with pytest.raises(TransitionNotAllowed, match="services that are active"):
        app.perform(REISSUE, "S-SSL-2", staff, arguments=CSR)
    assert len(app.history("S-SSL", staff)) == 0


def test_a_service_lists_the_operations_its_product_type_offers(store: Store) -> None:
    app = billing(store)
    assert app.product_operations("S-SSL", OWNER) == (ISSUE, REISSUE)
    assert app.product_operations("S-KVM", OWNER) == (KVM,)
    assert app.product_operations("S-WEB", OWNER) == ()
    with pytest.raises(PermissionDenied):
        app.product_operations("S-SSL", STRANGER)


def test_a_service_in_a_declared_progress_reads_back_from_the_store(store: Store) -> None:
    working = ServiceStatus(Status.IN_PROGRESS, KVM.in_progress, previous=ACTIVE, target=ACTIVE)
    app = billing(store)
    app.add_services([held("S-KVM-2", "KVM-1", status=working)])
    assert app.service("S-KVM-2", OWNER).status == working
    assert str(app.service("S-KVM-2", OWNER).status) == "in progress (access to KVM)"


def test_the_policy_table_shows_the_declared_operations() -> None:
    rows = policy_rows(REGISTRY.definitions)
    assert rows[: len(policy_rows())] == policy_rows()
    assert rows[len(policy_rows()) :] == (
        ("operation: issue the certificate of", "yes", "`customer products: edit`", "no"),
        ("operation: reissue the certificate of", "yes", "`customer products: edit`", "no"),
        ("operation: change the registrar of", "no", "`services: transfer`", "no"),
        ("operation: open the KVM console of", "yes", "`services: provision`", "yes"),
    )


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"command": "do_it", "progress": None}, "operation.progress"),
        ({"command": "not a method"}, "operation.progress"),
        ({"product_types": ()}, "operation.product-type"),
        ({"from_statuses": {Status.IN_PROGRESS}}, "operation.from"),
        ({"verb": "  "}, "operation.label"),
        ({"code": " x"}, "code.format"),
    ],
)
def test_a_definition_checks_itself(changes: dict[str, Any], rule: str) -> None:
    with pytest.raises(RuleViolation) as raised:
        attrs.evolve(REISSUE, **changes)
    assert raised.value.rule == rule


def test_a_registry_holds_one_definition_per_code_and_verb() -> None:
    for twin in (
        attrs.evolve(REISSUE, verb="re-reissue"),
        attrs.evolve(REISSUE, code="ssl-reissue-2"),
    ):
        with pytest.raises(RuleViolation) as raised:
            OperationRegistry([REISSUE, twin])
        assert raised.value.rule == "operation.duplicate"
    assert REGISTRY.get("kvm-access") is KVM
    assert REGISTRY.for_product_type("SSL") == (ISSUE, REISSUE)
