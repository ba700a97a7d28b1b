"""The service lifecycle: statuses and their transition table, actors and policy, history.

A service moves between :class:`Status` values only through the rows of
:data:`TRANSITIONS` (:func:`next_status`); :func:`authorize` decides whether an
:class:`Actor` may ask for an operation; each transition is kept as a
:class:`HistoryEntry`. See ``docs/lifecycle.md``. Operations change a service's timeline
only: its money is computed by :mod:`prodlife.billing`; the use cases over a store are
:class:`prodlife.app.Billing`, the stores :mod:`prodlife.stores`.

The operations, one module per thing they decide: ``operations`` (what they share, the
changes of status, transfers), ``renewals`` (the next period's invoice and its payment),
``endings`` (cancel, terminate, delete now), ``cancellations`` (asking to cancel later),
``change_requests`` (a change of package's direction and timing), ``package_changes``
(carrying it out), ``option_changes`` and ``option_removal``, ``addon_changes``;
``scheduler`` runs what falls due, ``settlement`` what a payment brings. A service as a
document is ``data`` (through the converter of ``_data_converter``; the compact shape a store
keeps, both ways, in ``_data_compact``).
"""

from prodlife.lifecycle.abuse import (
    enforce_abuse_limits,
    usage_within,
)
from prodlife.lifecycle.activation import (
    ActivationNotice,
    schedule_activation,
    with_notice,
)
from prodlife.lifecycle.actors import (
    CUSTOMER_OPERATIONS,
    CUSTOMER_SUSPENSIONS,
    REQUIRED_PERMISSION,
    SYSTEM_OPERATIONS,
    SYSTEM_SUSPENSIONS,
    SYSTEM_UNSUSPENSIONS,
    Action,
    Actor,
    ActorKind,
    Permission,
    authorize,
    authorize_action,
    authorize_fields,
    not_yours,
    policy_rows,
)
from prodlife.lifecycle.addon_changes import add_addon, remove_addon
from prodlife.lifecycle.adoption import (
    AdoptionRow,
    adoption,
)
from prodlife.lifecycle.bundled import check_component_alone, components_of
from prodlife.lifecycle.cancellations import cancel, request_cancellation, withdraw_cancellation
from prodlife.lifecycle.change_requests import change_request, change_rule
from prodlife.lifecycle.data import service_from_data, service_to_data
from prodlife.lifecycle.domains import (
    DOMAIN_PRODUCT,
    DomainHolding,
    domain_service,
    is_domain,
    renewing_domain,
    set_auto_renew,
)
from prodlife.lifecycle.endings import delete, end_service, terminate
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.fixed_terms import (
    fixed_term_end,
    with_fixed_term,
)
from prodlife.lifecycle.grandfathering import move_on
from prodlife.lifecycle.history import History, HistoryEntry, format_entry
from prodlife.lifecycle.holdings import (
    AddOnOffer,
    CustomerProducts,
    EditionOffer,
    Holding,
    Offers,
    add_feature,
    add_number,
    holdings_from_services,
    offer_next,
)
from prodlife.lifecycle.mass_update import KEEP, MassUpdate, mass_update
from prodlife.lifecycle.operations import (
    activate,
    change_password,
    reboot,
    resend_welcome_email,
    suspend,
    through_module,
    transfer,
    transfers_of,
    unsuspend,
)
from prodlife.lifecycle.option_changes import OptionChange, change_options
from prodlife.lifecycle.option_removal import (
    remove_options,
)
from prodlife.lifecycle.order_quotes import LineQuote, OrderQuote, price_order
from prodlife.lifecycle.ordered_services import first_invoice_day, services_for
from prodlife.lifecycle.orders import (
    DomainAction,
    DomainLine,
    Order,
    OrderLine,
    OrderOptions,
    OrderStatus,
)
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.overrides import overrides, require_reason, with_overrides
from prodlife.lifecycle.package_changes import (
    apply_pending_change,
    change_package,
    confirm_change_payment,
)
from prodlife.lifecycle.product_operations import (
    OperationDefinition,
    OperationRegistry,
    check_operation_definition,
)
from prodlife.lifecycle.promo_codes import add_promo_code
from prodlife.lifecycle.provisioning import (
    ModuleFailed,
    ModuleOutcome,
    ModuleResult,
    ProvisioningModule,
    call_module,
    run_module,
)
from prodlife.lifecycle.provisioning_providers import (
    check_modules,
    check_providers,
    module_for,
    provider_for,
)
from prodlife.lifecycle.provisioning_usage import UsageProvisioning, provide_usage
from prodlife.lifecycle.renewals import invoice_early, invoice_next_period, renew
from prodlife.lifecycle.reselling import check_reseller_order, check_reseller_plan
from prodlife.lifecycle.sale import SoldUnder
from prodlife.lifecycle.scheduler import (
    DueRun,
    DueWork,
    SchedulerPolicy,
    agenda,
    next_work_date,
    run_due,
    run_service,
)
from prodlife.lifecycle.service_parts import (
    ENDED,
    CancellationKind,
    CancellationRequest,
    Dunning,
    OverrideAutoSuspend,
    PendingChange,
    ServiceAddOn,
    ServiceInvoicing,
    ServiceOption,
)
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import (
    ACTIVE,
    CONFIGURATION_REQUIRED,
    ORDERED,
    PendingReason,
    Progress,
    ServiceStatus,
    Status,
    Substate,
    SuspensionKind,
)
from prodlife.lifecycle.terms import (
    in_arrears,
    payment_due,
    running_period,
    term_end,
    under_terms,
)
from prodlife.lifecycle.timelines import billed
from prodlife.lifecycle.transitions import (
    GUARDS,
    TRANSITIONS,
    Operation,
    Target,
    Transition,
    allowed,
    allowed_operations,
    find_transition,
    next_status,
    state_diagram_mermaid,
    transition_table_markdown,
    visible_to_customer,
)

__all__ = [
    "ACTIVE",
    "CONFIGURATION_REQUIRED",
    "CUSTOMER_OPERATIONS",
    "CUSTOMER_SUSPENSIONS",
    "DOMAIN_PRODUCT",
    "ENDED",
    "GUARDS",
    "KEEP",
    "ORDERED",
    "REQUIRED_PERMISSION",
    "SYSTEM_OPERATIONS",
    "SYSTEM_SUSPENSIONS",
    "SYSTEM_UNSUSPENSIONS",
    "TRANSITIONS",
    "Action",
    "ActivationNotice",
    "Actor",
    "ActorKind",
    "AddOnOffer",
    "AdoptionRow",
    "CancellationKind",
    "CancellationRequest",
    "CustomerProducts",
    "DomainAction",
    "DomainHolding",
    "DomainLine",
    "DueRun",
    "DueWork",
    "Dunning",
    "EditionOffer",
    "Event",
    "EventKind",
    "History",
    "HistoryEntry",
    "Holding",
    "LineQuote",
    "MassUpdate",
    "ModuleFailed",
    "ModuleOutcome",
    "ModuleResult",
    "Offers",
    "Operation",
    "OperationDefinition",
    "OperationRegistry",
    "OptionChange",
    "Order",
    "OrderLine",
    "OrderOptions",
    "OrderQuote",
    "OrderStatus",
    "Outcome",
    "OverrideAutoSuspend",
    "PendingChange",
    "PendingReason",
    "Permission",
    "Progress",
    "ProvisioningModule",
    "SchedulerPolicy",
    "Service",
    "ServiceAddOn",
    "ServiceInvoicing",
    "ServiceOption",
    "ServiceStatus",
    "SoldUnder",
    "Status",
    "Substate",
    "SuspensionKind",
    "Target",
    "Transition",
    "UsageProvisioning",
    "activate",
    "add_addon",
    "add_feature",
    "add_number",
    "add_promo_code",
    "adoption",
    "agenda",
    "allowed",
    "allowed_operations",
    "apply_pending_change",
    "authorize",
    "authorize_action",
    "authorize_fields",
    "billed",
    "call_module",
    "cancel",
    "change_options",
    "change_package",
    "change_password",
    "change_request",
    "change_rule",
    "check_component_alone",
    "check_modules",
    "check_operation_definition",
    "check_providers",
    "check_reseller_order",
    "check_reseller_plan",
    "components_of",
    "confirm_change_payment",
    "delete",
    "domain_service",
    "end_service",
    "enforce_abuse_limits",
    "find_transition",
    "first_invoice_day",
    "fixed_term_end",
    "format_entry",
    "holdings_from_services",
    "in_arrears",
    "invoice_early",
    "invoice_next_period",
    "is_domain",
    "mass_update",
    "module_for",
    "move_on",
    "next_status",
    "next_work_date",
    "not_yours",
    "offer_next",
    "overrides",
    "payment_due",
    "policy_rows",
    "price_order",
    "provide_usage",
    "provider_for",
    "reboot",
    "remove_addon",
    "remove_options",
    "renew",
    "renewing_domain",
    "request_cancellation",
    "require_reason",
    "resend_welcome_email",
    "run_due",
    "run_module",
    "run_service",
    "running_period",
    "schedule_activation",
    "service_from_data",
    "service_to_data",
    "services_for",
    "set_auto_renew",
    "state_diagram_mermaid",
    "suspend",
    "term_end",
    "terminate",
    "through_module",
    "transfer",
    "transfers_of",
    "transition_table_markdown",
    "under_terms",
    "unsuspend",
    "usage_within",
    "visible_to_customer",
    "with_fixed_term",
    "with_notice",
    "with_overrides",
    "withdraw_cancellation",
]
