"""Physical goods: warehouses, stock movements, traceable units, sales, rentals, meters.

See ``docs/goods.md``. The domain layer between pricing and lifecycle: it uses the
catalog (product types, fixed bundles) and pricing (price plans, usage rating). The goods'
use cases (issuing, returning, renting to a service) are in :mod:`prodlife.goods_app`, their
charges on a service's bill in :mod:`prodlife.billing.goods`, their storage in
:mod:`prodlife.stores`.
"""

from prodlife.goods.attachments import Attachment, Returned
from prodlife.goods.balances import Balance, InsufficientStock
from prodlife.goods.capacity import BundleCapacity, bundle_capacity, bundles_from_stock, kit_family
from prodlife.goods.charges import GoodCharge, good_charges, price_attachment
from prodlife.goods.holdings import release_reservations, transfer_holdings
from prodlife.goods.meter_splits import OwnerChange, TransferMismatch
from prodlife.goods.movements import (
    ComponentSerials,
    Holder,
    HolderKind,
    Movement,
    MovementKind,
    Ownership,
    Warehouse,
    check_movement,
)
from prodlife.goods.readings import (
    DuplicateReading,
    EstimatedReading,
    MeterLog,
    MeterReading,
    MeterResult,
    read_meter,
)
from prodlife.goods.stock import Stock
from prodlife.goods.units import SerialConflict, Unit, UnitStatus

__all__ = [
    "Attachment",
    "Balance",
    "BundleCapacity",
    "ComponentSerials",
    "DuplicateReading",
    "EstimatedReading",
    "GoodCharge",
    "Holder",
    "HolderKind",
    "InsufficientStock",
    "MeterLog",
    "MeterReading",
    "MeterResult",
    "Movement",
    "MovementKind",
    "OwnerChange",
    "Ownership",
    "Returned",
    "SerialConflict",
    "Stock",
    "TransferMismatch",
    "Unit",
    "UnitStatus",
    "Warehouse",
    "bundle_capacity",
    "bundles_from_stock",
    "check_movement",
    "good_charges",
    "kit_family",
    "price_attachment",
    "read_meter",
    "release_reservations",
    "transfer_holdings",
]
