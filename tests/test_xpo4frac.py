"""Rounding a line in a unit of measure to whole packs of the PO's own PO4 size (xpo4frac): Floor & Decor's tile
ordered by the square foot, ``PO1*1*1090*SF`` with ``PO4*1*15.5*SF`` (a carton covers 15.5 SF). Our item master
counts whole eaches (no case pack of 15.5 SF), so the rounding is by the size the PO states (po4_size_pack), to
quantities that are whole packs and whole units of the line (our stock, shipments and invoices count whole SF)."""

from decimal import Decimal

import pytest

from rules.business.quantities import _line_quantities, adjusted_quantity, po4_size_pack
from schemas.rule_settings import RuleSettings

D = Decimal


def _row(qty, *, count=1, size="15.5", size_unit="SF", unit="SF", drop_ship=False):
    return {"partner": "flooranddecor", "po_number": "FD1", "line_number": 1, "quantity": D(qty), "unit": unit,
            "sku": "FD-501", "case_pack": 1, "min_order_qty": 1, "po4_pack": count, "po4_inner_pack": None,
            "po4_size": None if size is None else D(size), "po4_size_unit": size_unit, "drop_ship": drop_ship}


def test_po4_size_pack_is_the_pack_in_the_lines_own_unit():
    s = RuleSettings()
    assert po4_size_pack(_row(1090), s) == D("15.5")
    assert po4_size_pack(_row(1090, count=2), s) == D("31.0")
    assert po4_size_pack(_row(1090, count=None), s) == D("15.5")  # PO4**15.5*SF: one pack
    assert po4_size_pack(_row(1090, size_unit="LB"), s) is None  # a weight of the pack, not the line's unit
    assert po4_size_pack(_row(1090, unit="EA", size_unit="EA"), s) is None  # eaches and cases: case packs decide
    assert po4_size_pack(_row(1090, unit="CA", size_unit="CA"), s) is None
    assert po4_size_pack(_row(1090, size=None), s) is None
    assert po4_size_pack(_row(1090, size="0"), s) is None


@pytest.mark.parametrize(("policy", "qty", "expected"), [
    ("round_down", "1090", D(1085)),  # 70 cartons
    ("round_up", "1090", D(1116)),  # 71 cartons are 1100.5 SF, no whole SF: 72 cartons, the next whole number of SF
    ("reject", "1090", None),
    ("round_down", "1085", D(1085)),  # whole cartons: as ordered
    ("round_up", "1085", D(1085)),
    ("round_down", "20", None),  # less than two cartons (31 SF, the least whole SF in whole cartons): nothing
    ("round_up", "20", D(31)),
])
def test_adjusted_quantity_rounds_to_whole_po4_packs_in_whole_units(policy, qty, expected):
    s = RuleSettings(case_pack_policy=policy)
    assert adjusted_quantity(D(qty), "SF", 1, 0, s, per_unit=1, po4_pack=D("15.5")) == expected


def test_a_whole_number_of_po4_packs_without_a_fraction_steps_by_one_pack():
    s = RuleSettings(case_pack_policy="round_down")
    assert adjusted_quantity(D(250), "SF", 1, 0, s, per_unit=1, po4_pack=D(24)) == D(240)  # cartons of 24 SF


def test_line_quantities_round_by_the_po4_size_and_leave_drop_ships_as_ordered():
    s = RuleSettings(case_pack_policy="round_down")
    index = {("FD-501", "SF"): 1}
    found = _line_quantities(_row(1090), s, False, False, index, {"FD-501": "SF"})
    assert [(f.code, f.message) for f in found] == [(
        "CASE_PACK_ROUNDED", "1090 SF of item FD-501 is 70.32 of the PO's packs of 15.5 SF (PO4 PO401 1 x PO402 "
        "15.5 SF): we ship, acknowledge and invoice whole packs (in whole SF); acknowledged as 1085 SF.")]
    assert _line_quantities(_row(1085), s, False, False, index, {"FD-501": "SF"}) == []
    # a drop ship's line is what the consumer bought: never rounded (PO4_SIZE_NOT_WHOLE, pack_findings, warns)
    assert _line_quantities(_row(1090, drop_ship=True), s, False, False, index, {"FD-501": "SF"}) == []
    reject = RuleSettings(case_pack_policy="reject")
    assert [f.code for f in _line_quantities(_row(1090), reject, False, False, index, {"FD-501": "SF"})] == [
        "CASE_PACK_NOT_MULTIPLE"]


def _check(order_type: str, qty: str = "1090"):
    from pathlib import Path

    from connectors.reference import load_reference
    from rules.business import check_quantities
    from tests.business.tables import line, lines_table, order, orders_table

    ref = load_reference(Path(__file__).resolve().parent / "fixtures" / "rg40" / "reference")
    lines = lines_table(line(upc=None, vendor_part="FD-501", quantity=D(qty), unit="SF", unit_price=D("1.89"),
                             po4_pack=1, po4_size=D("15.5"), po4_size_unit="SF"))
    found = check_quantities(lines, ref, RuleSettings(case_pack_policy="round_down"),
                             orders=orders_table(order(order_type=order_type)))
    return [(f.code, f.location.line_number) for f in found]


def test_check_quantities_rounds_a_wholesale_line_and_warns_on_a_drop_ships():
    """check_quantities: a wholesale line is rounded (CASE_PACK_ROUNDED; PO4_SIZE_NOT_WHOLE, which pack_findings also
    raises, is left out for it); a drop ship's line is taken as ordered and keeps the warning; whole packs: nothing."""
    assert _check("SA") == [("CASE_PACK_ROUNDED", 1)]
    assert _check("DS") == [("PO4_SIZE_NOT_WHOLE", 1)]
    assert _check("SA", "1085") == []
