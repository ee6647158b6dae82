"""Units that are a count by definition (X12 element 355: QD 3, HD 6, DZ 12, HU 100, GS 144, TH 1000,
GG 1728) convert to eaches without an item_units row; the item master's own rows come first; PR, the
n-packs and GR (Gram) still need one. A DZ line of an item sold by the each was UNIT_NOT_CONVERTIBLE (IR)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from rules.business import check_prices, check_quantities
from rules.business.items import _resolved
from rules.business.quantities import eaches_per_unit, per_unit_column, unit_index
from schemas.reference import ITEM_UNITS
from schemas.rule_settings import RuleSettings

from .tables import line, lines_table, order, orders_table

SKU_1003 = "614141100248"  # case pack 12, minimum 12


def codes(findings):
    return [f.code for f in findings]


@pytest.mark.parametrize(("unit", "n"), [("QD", 3), ("HD", 6), ("DZ", 12), ("HU", 100), ("GS", 144), ("TH", 1000),
                                         ("GG", 1728)])
def test_a_count_unit_converts_by_its_definition(ref, unit, n):
    lines = lines_table(line(unit=unit, quantity=Decimal(2), unit_price=Decimal("19.70") * n))  # SKU-1001, 19.70/EA
    assert check_quantities(lines, ref, RuleSettings()) == []
    assert check_prices(orders_table(order()), lines, ref, RuleSettings()) == []  # PO104 per unit of n eaches
    assert eaches_per_unit(unit, "SKU-1001", 1, unit_index(ref), RuleSettings()) == n


def test_a_dozen_in_the_case_pack_rules(ref):
    # SKU-1003: case pack 12, minimum 12: one dozen is one case; half a dozen is rounded up to a dozen
    assert check_quantities(lines_table(line(upc=SKU_1003, unit="DZ", quantity=Decimal(1))), ref, RuleSettings()) == []
    findings = check_quantities(lines_table(line(upc=SKU_1003, unit="HD", quantity=Decimal(1))), ref, RuleSettings())
    assert codes(findings) == ["CASE_PACK_ROUNDED", "QTY_BELOW_MINIMUM"]  # as 6 EA is
    assert "acknowledged as 2 HD" in findings[0].message


def test_the_item_master_comes_before_the_definition(ref):
    rows = [{"sku": "SKU-1001", "unit": "DZ", "eaches": 10}]  # a "dozen" of 10, as agreed with the partner
    ref = dataclasses.replace(ref, item_units=pa.Table.from_pylist(rows, schema=ITEM_UNITS))
    assert eaches_per_unit("DZ", "SKU-1001", 1, unit_index(ref), RuleSettings()) == 10
    t = lines_table(line(unit="DZ"), line(line_number=2, upc=SKU_1003, unit="DZ"))
    assert per_unit_column(_resolved(t, ref), RuleSettings(), unit_index(ref)).tolist() == [10.0, 12.0]


@pytest.mark.parametrize("unit", ["PR", "P6", "GR", "OP"])
def test_units_that_are_no_fixed_count_still_need_the_item_master(ref, unit):
    findings = check_quantities(lines_table(line(unit=unit)), ref, RuleSettings())
    assert codes(findings) == ["UNIT_NOT_CONVERTIBLE"]


def test_vector_and_exact_agree(ref):
    units = ["EA", "CA", "CS", "DZ", "GS", "PR", None, "XX", "HU"]
    t = _resolved(lines_table(*[line(line_number=i + 1, upc=SKU_1003, unit=u) for i, u in enumerate(units)]), ref)
    vec = per_unit_column(t, RuleSettings(), unit_index(ref))
    exact = [eaches_per_unit(u, "SKU-1003", 12, unit_index(ref), RuleSettings()) for u in units]
    assert [None if np.isnan(v) else int(v) for v in vec] == exact


def test_cs_is_a_case_at_intake_as_in_shipments(ref):
    from rules.shipment_units import ShipmentUnits
    ship = ShipmentUnits(ref.items, ref.item_units, RuleSettings())
    units = ["EA", "CA", "CS", "DZ", "GS", "PR", "BX"]
    t = _resolved(lines_table(*[line(line_number=i + 1, upc=SKU_1003, unit=u) for i, u in enumerate(units)]), ref)
    intake = [None if np.isnan(v) else int(v) for v in per_unit_column(t, RuleSettings(), unit_index(ref))]
    assert intake == [ship.each("SKU-1003", u) for u in units] == [1, 12, 12, 12, 144, None, None]
    rows = [{"sku": "SKU-1003", "unit": "CS", "eaches": 1}]  # a seller of real cassettes says so
    ref = dataclasses.replace(ref, item_units=pa.Table.from_pylist(rows, schema=ITEM_UNITS))
    assert ShipmentUnits(ref.items, ref.item_units, RuleSettings()).each("SKU-1003", "CS") == 1
    assert eaches_per_unit("CS", "SKU-1003", 12, unit_index(ref), RuleSettings()) == 1
