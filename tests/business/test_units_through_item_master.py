"""Units: any unit of measure code (X12 element 355: PK, BX, DZ, PR ...) is known; it converts to eaches
through the item master (the each, the item's selling unit, item_units rows, the case pack); a known
unit the item is not sold in is UNIT_NOT_CONVERTIBLE with a message saying what it is sold in. The
decision, the allocation and the 855 follow the conversion."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.reference import load_reference
from engine.allocate import allocate
from engine.answer import allocation_input, line_statuses
from engine.decide import decide
from rules.business import check_prices, check_quantities, resolve_items
from schemas.allocation import AllocationPolicy
from schemas.errors import ConfigError
from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT
from schemas.reference import ITEM_UNITS
from schemas.rule_settings import RuleSettings

from .tables import REFERENCE_DIR, line, lines_table, order, orders_table

UPC_1001 = "614141100101"  # SKU-1001: sold by the each, case pack 1, 19.70 for acme


def with_units(ref, *rows: tuple[str, str, int]):
    table = pa.Table.from_pylist([{"sku": s, "unit": u, "eaches": n} for s, u, n in rows], schema=ITEM_UNITS)
    return dataclasses.replace(ref, item_units=table)


def codes(findings):
    return [f.code for f in findings]


@pytest.mark.parametrize("unit", ["PK", "BX", "PR", "CT", "BG"])  # DZ: a count (tests/business/test_count_units.py)
def test_unit_codes_are_known_even_when_the_item_is_not_sold_in_them(ref, unit):
    findings = check_quantities(lines_table(line(unit=unit)), ref, RuleSettings())
    assert codes(findings) == ["UNIT_NOT_CONVERTIBLE"]
    assert f"not sold in {unit}: it is sold in EA" in findings[0].message
    assert f"item_units.csv has no SKU-1001,{unit} row" in findings[0].message


def test_a_pack_converts_through_item_units(ref):
    ref = with_units(ref, ("SKU-1001", "PK", 6))
    lines = lines_table(line(unit="PK", quantity=Decimal(2), unit_price=Decimal("118.20")))  # 6 x 19.70
    assert check_quantities(lines, ref, RuleSettings()) == []
    assert check_prices(orders_table(order()), lines, ref, RuleSettings()) == []  # PO104 per pack
    cheap = lines_table(line(unit="PK", quantity=Decimal(2), unit_price=Decimal("19.70")))  # priced per each
    assert codes(check_prices(orders_table(order()), cheap, ref, RuleSettings())) == ["DISCOUNT_OVER_THRESHOLD"]


def test_the_items_own_selling_unit_is_one(ref):
    items = ref.items.set_column(ref.items.schema.get_field_index("unit"), "unit",
                                 pa.array(["PK" if s == "SKU-1001" else u for s, u in
                                           zip(ref.items.column("sku").to_pylist(),
                                               ref.items.column("unit").to_pylist(), strict=True)]))
    ref = dataclasses.replace(ref, items=items)
    assert check_quantities(lines_table(line(unit="PK")), ref, RuleSettings()) == []


def test_case_packs_round_in_eaches_whatever_the_unit(ref):
    # SKU-1003: case pack 12, minimum 12; an inner pack of 4
    ref = with_units(ref, ("SKU-1003", "PK", 4))
    findings = check_quantities(lines_table(line(upc="614141100248", unit="PK", quantity=Decimal(5))), ref,
                                RuleSettings())
    assert codes(findings) == ["CASE_PACK_ROUNDED"]
    assert "20 eaches" in findings[0].message and "acknowledged as 6 PK" in findings[0].message


def test_a_code_that_is_no_unit_is_unknown(ref):
    findings = check_quantities(lines_table(line(unit="Q9")), ref, RuleSettings())
    assert codes(findings) == ["UNIT_UNKNOWN"] and "data element 355" in findings[0].message


def test_a_unit_our_list_lacks_is_known_when_the_item_master_sells_in_it(ref):
    """Our 355 list is not the whole code list: a unit the item master sells the item in (items.unit or
    an item_units row) is a unit, and converts; the same code for another item is still unknown."""
    ref = with_units(ref, ("SKU-1001", "Q9", 6))
    lines = lines_table(line(unit="Q9", quantity=Decimal(2), unit_price=Decimal("118.20")))  # 6 x 19.70
    assert check_quantities(lines, ref, RuleSettings()) == []
    assert check_prices(orders_table(order()), lines, ref, RuleSettings()) == []  # PO104 per Q9 of 6
    other = lines_table(line(upc="614141100248", unit="Q9"))  # SKU-1003 has no Q9 row
    assert codes(check_quantities(other, ref, RuleSettings())) == ["UNIT_UNKNOWN"]


def test_item_units_csv_is_optional_and_checked(tmp_path):
    folder = tmp_path / "reference"
    folder.mkdir()
    for f in REFERENCE_DIR.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    assert load_reference(folder).item_units.num_rows == 0  # no file: no extra units
    (folder / "item_units.csv").write_text("sku,unit,eaches\nSKU-1001,PK,6\nSKU-1001,DZ,12\n")
    assert load_reference(folder).item_units.num_rows == 2
    (folder / "item_units.csv").write_text("sku,unit,eaches\nSKU-1001,Q9,6\n")
    with pytest.raises(ConfigError, match="not a unit of measure code"):
        load_reference(folder)


def test_decision_allocation_and_855_in_the_ordered_unit(ref):
    """2 PK of 6 eaches: 12 eaches are reserved and the 855 acknowledges 2 PK (not 2 eaches)."""
    ref = with_units(ref, ("SKU-1001", "PK", 6))
    settings = RuleSettings()
    orders = orders_table(order())
    lines = resolve_items(lines_table(line(unit="PK", quantity=Decimal(2), unit_price=Decimal("118.20"))),
                          ref.items, ref.partner_items)
    [d] = decide(orders, lines, [], ref, settings)
    assert d.lines[0].unit_eaches == 6
    alloc_in = allocation_input([d], lines, orders, {("acme", "PO-1"): 1})
    assert alloc_in.column("quantity").to_pylist() == [Decimal(12)]
    snapshot = pa.Table.from_pylist([{"as_of": date(2026, 11, 27), "warehouse": "EAST", "sku": "SKU-1001",
                                      "on_hand": 100, "reserved": 0}], schema=INVENTORY_SNAPSHOT)
    result = allocate(alloc_in, snapshot, EXPECTED_RECEIPTS.empty_table(), {"acme": AllocationPolicy()},
                      today=date(2026, 11, 27))
    assert result.lines.column("allocated").to_pylist() == [Decimal(12)]
    [status] = line_statuses(d, result.lines.to_pylist(), requested_ship=date(2026, 12, 5), today=date(2026, 11, 27))
    assert [(p.status, p.quantity) for p in status.ack.parts] == [("IA", Decimal(2))]
    assert (status.allocated, status.backordered, status.rejected) == (2, 0, 0)


def test_short_stock_is_served_in_whole_packs(ref):
    ref = with_units(ref, ("SKU-1001", "PK", 6))
    orders = orders_table(order())
    lines = resolve_items(lines_table(line(unit="PK", quantity=Decimal(3), unit_price=Decimal("118.20"))),
                          ref.items, ref.partner_items)
    [d] = decide(orders, lines, [], ref, RuleSettings())
    alloc_in = allocation_input([d], lines, orders, {("acme", "PO-1"): 1})
    snapshot = pa.Table.from_pylist([{"as_of": date(2026, 11, 27), "warehouse": "EAST", "sku": "SKU-1001",
                                      "on_hand": 10, "reserved": 0}], schema=INVENTORY_SNAPSHOT)
    result = allocate(alloc_in, snapshot, EXPECTED_RECEIPTS.empty_table(), {"acme": AllocationPolicy()},
                      today=date(2026, 11, 27))
    assert sum(result.lines.column("allocated").to_pylist()) == 6  # one whole pack of the 10 eaches
    [status] = line_statuses(d, result.lines.to_pylist(), requested_ship=date(2026, 12, 5), today=date(2026, 11, 27))
    assert [(p.status, p.quantity) for p in status.ack.parts] == [("IQ", Decimal(1)), ("IR", Decimal(2))]


def test_unit_codes_in_the_item_master_are_read_in_upper_case(tmp_path):
    # an item master exported in lower case: "pk" for SKU-1001's selling unit, " dz" in item_units.csv
    for f in REFERENCE_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    items = (REFERENCE_DIR / "items.csv").read_text().replace("Copy paper A4 80g,EA,", "Copy paper A4 80g,pk,")
    (tmp_path / "items.csv").write_text(items)
    (tmp_path / "item_units.csv").write_text("sku,unit,eaches\nSKU-1003,bx ,48\n")
    ref = load_reference(tmp_path)
    assert check_quantities(lines_table(line(unit="PK")), ref, RuleSettings()) == []  # was UNIT_NOT_CONVERTIBLE
    assert check_quantities(lines_table(line(upc="614141100248", unit="BX")), ref, RuleSettings()) == []
