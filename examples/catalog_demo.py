"""prodlife catalog demo: load a catalog file, ask it questions, and see every problem at once.

Run it with ``python examples/catalog_demo.py``. It reads ``examples/catalog.toml`` (a
small hosting and TV provider), then:

- lists what can be sold today, and which editions of web hosting lie above Basic;
- decides what an upgrade and a downgrade do under the change rules;
- checks a customer's channel selection against the flexible TV bundle;
- breaks the catalog on purpose and prints every problem with its path.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prodlife import InvalidCatalog, RuleViolation
from prodlife.catalog import (
    ChangeRequest,
    Direction,
    catalog_from_data,
    catalog_to_data,
    find_selection,
    validate_selection,
)
from prodlife.io.catalog_files import load_catalog

HERE = Path(__file__).parent


def main() -> None:
    catalog = load_catalog(HERE / "catalog.toml")
    today = date(2026, 1, 15)
    offered = ", ".join(product.code for product in catalog.offered_on(today))
    print(f"On sale on {today}: {offered}")
    ladder = catalog.ladder("WEB")
    assert ladder is not None
    print(f"Above WEB Basic: {[edition.name for edition in ladder.higher_than('BASIC')]}")

    rules = catalog.change_rules
    assert rules is not None
    upgrade = ChangeRequest("WEB", "WEB", Direction.UPGRADE, "BASIC", "PRO")
    print(f"BASIC -> PRO: {rules.decide(upgrade).timing.value} ({rules.decide(upgrade).name})")
    try:
        ladder.check_move("PREMIUM", "BASIC")
    except RuleViolation as refused:
        print(f"PREMIUM -> BASIC refused: {refused}")
    downgrade = ChangeRequest("WEB", "WEB", Direction.DOWNGRADE, "PREMIUM", "PRO")
    print(
        f"PREMIUM -> PRO: {rules.decide(downgrade).timing.value} ({rules.decide(downgrade).name})"
    )

    bundle = catalog.bundle("TV-PICK")
    assert bundle is not None
    products = {p.code: p for p in catalog.products}
    types = {t.code: t for t in catalog.types}
    print(f"A valid TV-PICK selection: {find_selection(bundle, products, types)}")
    try:
        validate_selection(
            bundle, {"NEWS": 1, "WORLD": 1, "MOVIES": 1, "SPORT": 1}, products, types
        )
    except RuleViolation as refused:
        print(f"Four channels refused:\n{refused}")

    broken = catalog_to_data(catalog)
    broken["products"].append({"code": "VPS", "name": "VPS", "type_code": "VIRTUAL"})
    broken["bundles"][0]["pools"][0]["min_quantity"] = 5
    try:
        catalog_from_data(broken)
    except InvalidCatalog as invalid:
        print(f"\nA broken copy of the catalog:\n{invalid}")


if __name__ == "__main__":
    main()
