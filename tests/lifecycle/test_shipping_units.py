"""A confirmation in another unit than the order line's: converted through the item master as intake
converts an ordered unit (CA and CS both the case pack: CS for a line in CA is the same case, as at
intake, and nothing is said), or held when it does not give whole units of the line; and what
ships of a line ordered in cases consumes its reservations in eaches (what allocation reserves)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pyarrow as pa
import pytest

from engine.lifecycle import ship_reservations, shipping
from parsers.shipments_csv import read_shipment_csv
from rules.shipments import check_shipments
from schemas.fulfilment import ShipmentCsvMapping
from schemas.lifecycle import LineState
from schemas.shipments import RECORDED_CARTONS
from tests.lifecycle.test_shipping import HEADER, ITEM_TABLE, line_table, order_lines, reservation_table, reserved, ship

# line 2: 2 CA of SKU-2 (case pack 6), allocated 2 CA, reserved 12 eaches at EAST
CASE_LINES = tuple(ln if ln.line_number == 1 else replace(ln, unit="CA", ordered=Decimal(2))
                   for ln in order_lines(allocated=(12, 2)))
CASE_RESERVED = reserved((12, 12))


def ship_cases(row: str):
    return ship(f"S1,2026-11-27,14:10,UPSN,PO-1,2,SKU-2,{row},C1\n", lines=CASE_LINES, reservations=CASE_RESERVED)


@pytest.mark.parametrize("row", ["2,CA", "2,CS", "12,EA"])
def test_two_cases_ship_the_line_and_consume_its_twelve_eaches(row):
    batch, plan = ship_cases(row)
    assert batch.held == frozenset() and batch.error_count == 0
    converted = [f.finding for f in batch.findings if f.finding.code == "SHIPMENT_UNIT_CONVERTED"]
    assert len(converted) == (row == "12,EA") and all(f.severity == "warning" for f in converted)
    if row == "2,CS":  # one case, as intake reads CS: nothing converted, nothing to say
        assert list(batch.findings) == []
    line2 = plan.lines[0].lines[1]
    assert (line2.state, line2.shipped) == (LineState.SHIPPED, 2)  # in the line's unit
    assert {r.line_number: r.quantity for r in plan.reservations[0].rows} == {1: 12}  # line 2's 12 eaches used up
    (s,) = plan.shipments
    assert [(ln.quantity, ln.unit) for ln in s.lines] == [(2, "CA")]
    body = plan.documents[0].sets[0].text
    assert "SN1**2*CA" in body


def test_eaches_that_are_not_whole_cases_hold_the_shipment():
    batch, _plan = ship_cases("9,EA")
    (f,) = [r.finding for r in batch.findings]
    assert (f.code, f.message) == ("SHIPMENT_UNIT_MISMATCH",
                                   "Shipped in EA; the line is in CA (9 eaches: not whole CA of 6).")
    assert batch.held == {"S1"}


def test_more_cases_than_the_eaches_reserved_is_over_reserved():
    batch, _plan = ship_cases("3,CA")
    (f,) = [r.finding for r in batch.findings]
    assert (f.code, f.message) == ("SHIPMENT_OVER_RESERVED",
                                   "Line 2 of PO-1: 3 CA (18 eaches) more shipped with only 12 eaches still reserved.")
    assert batch.held == {"S1"}


def test_units_shipped_count_eaches_of_the_line():
    lines = pa.table({"shipment_id": ["S1", "S1", "S2"], "po_number": ["PO-1"] * 3,
                      "line_number": pa.array([2, 2, 2], pa.int32()),
                      "quantity": pa.array([Decimal(1), Decimal("0.5"), Decimal(1)], pa.decimal128(18, 4)),
                      "line_eaches": pa.array([6, 6, 6], pa.int64())})
    got = ship_reservations.units_shipped(lines, ["S1", "S2"], {"S1": "acme", "S2": "acme"}).to_pylist()
    assert got == [{"partner": "acme", "po_number": "PO-1", "line_number": 2, "units": 9 + 6}]


def test_cases_confirmed_in_ca_for_a_line_in_cs_ship_as_the_pos_cs():
    """The reverse: a buyer orders in CS, the warehouse writes CA. One case: no finding, the 856 echoes
    the PO's CS."""
    lines = tuple(replace(ln, unit="CS") if ln.line_number == 2 else ln for ln in CASE_LINES)
    batch, plan = ship("S1,2026-11-27,14:10,UPSN,PO-1,2,SKU-2,2,CA,C1\n", lines=lines, reservations=CASE_RESERVED)
    assert list(batch.findings) == [] and batch.held == frozenset()
    assert {r.line_number: r.quantity for r in plan.reservations[0].rows} == {1: 12}
    assert "SN1**2*CS" in plan.documents[0].sets[0].text


def test_cs_the_item_master_counts_otherwise_than_the_case_is_converted_with_a_warning():
    """A seller of real cassettes (item_units SKU-2,CS,2): CS is not the case of 6 there, so 6 CS for a
    line in CA is 12 eaches, 2 CA, and said."""
    table, _ = read_shipment_csv((HEADER + "S1,2026-11-27,14:10,UPSN,PO-1,2,SKU-2,6,CS,C1\n").encode(),
                                 ShipmentCsvMapping(), file="c.csv", source_sha256="sha")
    check = check_shipments(table, shipping.line_state_table(line_table(CASE_LINES), reservation_table(CASE_RESERVED)),
                            ITEM_TABLE, RECORDED_CARTONS.empty_table(),
                            item_units=pa.table({"sku": ["SKU-2"], "unit": ["CS"], "eaches": [2]}))
    (f,) = check.findings
    assert (f.code, f.severity) == ("SHIPMENT_UNIT_CONVERTED", "warning")
    assert f.message == "Shipped 6 CS of SKU-2; line 2 is in CA: 12 eaches, recorded as 2 CA."
    assert check.lines["quantity"].to_pylist() == [Decimal(2)] and check.lines["unit"].to_pylist() == ["CA"]
