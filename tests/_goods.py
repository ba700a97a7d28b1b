"""A small catalog of physical goods and a stock of two warehouses, shared by the goods tests."""

from __future__ import annotations

from prodlife.catalog import (
    Catalog,
    Classification,
    Component,
    Composition,
    FixedBundle,
    GoodKind,
    Product,
    ProductType,
    ServiceKind,
)
from prodlife.goods import Holder, Stock, Warehouse

GOOD = Classification.PHYSICAL_GOOD
TYPES = [
    ProductType("TRACED", "Traceable good", GOOD, good_kind=GoodKind.TRACEABLE),
    ProductType("COUNTED", "Non-traceable good", GOOD, good_kind=GoodKind.NON_TRACEABLE),
    ProductType(
        "KIT",
        "Installation kit",
        GOOD,
        good_kind=GoodKind.TRACEABLE,
        composition=Composition.FIXED_BUNDLE,
    ),
    ProductType(
        "METERED", "Metered device", GOOD, good_kind=GoodKind.TRACEABLE, meter_reading_type="ELEC"
    ),
    ProductType(
        "TERMED", "Termed service", Classification.SERVICE, service_kind=ServiceKind.TERMED
    ),
]
PRODUCTS = [
    Product("MODEM", "Modem", "TRACED"),
    Product("DECODER", "Decoder", "TRACED"),
    Product("CABLE", "HDMI cable", "COUNTED"),
    Product("REMOTE", "Remote control", "COUNTED"),
    Product("KIT", "Triple play kit", "KIT"),
    Product("METER", "Smart meter", "METERED"),
    Product("DSL", "DSL 100", "TERMED"),
]
KIT = FixedBundle("KIT", [Component("MODEM"), Component("DECODER"), Component("CABLE", 2)])
CATALOG = Catalog(TYPES, PRODUCTS, bundles=[KIT])

#: MAIN refuses negative balances; VAN (an engineer's van) allows them.
STOCK = Stock([Warehouse("MAIN", "Main depot"), Warehouse("VAN", "Van 1", allows_negative=True)])

ALICE = Holder.service("S-1", "C-1")
BOB = Holder.service("S-2", "C-2")
JOB = Holder.job("J-1", "C-1")
