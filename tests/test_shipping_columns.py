"""The ship stage's columnar paths give what the record-at-a-time ones gave: the stored lines an order
shipped from is rewritten with exactly the values the store wrote for a LineRecord it read back
(nulls, trailing zeros, empty codes, revision 0), LINE_STATE from the stored tables, the 856 body
joined at once as render_body renders it (and the general path when a value is not text), several
shipments of one order in one file adding up, and the CSV reader's per-distinct-value parsing keeping
every row's findings in row order, and the reservations the shipments consume taken in columns as
they were taken a shipment and a line at a time. Beside the store's tests, not under the pure tests/lifecycle: it
compares with connectors.state."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, time
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.state import LINE_COLUMNS, _line_from_row, _line_row
from engine.envelope import body_chars, envelope_for, first_fit, render_body
from engine.lifecycle import ship_reservations, shipping
from parsers.shipments_csv import read_shipment_csv
from schemas.fulfilment import ShipmentCsvMapping
from schemas.lifecycle import LINE_ROWS, RESERVATION_ROWS, LineState, OrderState
from tests.lifecycle.helpers import RUN
from tests.lifecycle.test_shipping import PROFILES, order_lines, reserved, ship

STORED = [  # order_lines rows as a store may hold them (LINE_COLUMNS order)
    ("acme", "PO-1", 1, "1", "SKU-1", "allocated", "IA", "12.0000", "EA", "2.50", None, 12, 0, 0, "2026-12-10",
     "EAST", "", "R1,,R2", 2, "run-0", None, None, None, None, "1000", 12, None, "3.50", None, 48),
    ("acme", "PO-1", 2, None, None, "backordered", None, "6", None, "", "", None, None, None, None, None, None, None,
     0, None, "0.0", "1.500", "SKU-0", "0.3440", "1", 0, "0.500", None, "12.0", None),
    ("acme", "PO-1", 3, "", "SKU-2", "cancelled", "IR", "-0", "CA", "3", "3.10", 0, 0, 6, "", "", "gone", "", None,
     "", "", "0", "", "0", None, None, "0", "0", "", None),
]


def test_stored_lines_writes_each_value_as_the_store_wrote_a_line_it_read():
    table = pa.Table.from_pylist([dict(zip(LINE_COLUMNS, r, strict=True)) for r in STORED], schema=LINE_ROWS)
    want = [dict(zip(LINE_COLUMNS, _line_row(_line_from_row(r)), strict=True)) for r in STORED]
    assert shipping.stored_lines(table).to_pylist() == want


def test_line_state_from_the_stored_tables():
    lines = pa.Table.from_pylist([dict(zip(LINE_COLUMNS, r, strict=True)) for r in STORED], schema=LINE_ROWS)
    reservations = pa.Table.from_pylist([
        {"partner": "acme", "po_number": "PO-1", "line_number": 1, "warehouse": w, "sku": "SKU-1", "quantity": q}
        for w, q in (("EAST", 7), ("WEST", 3))], schema=RESERVATION_ROWS)
    upcs = pa.table({"partner": ["acme"], "po_number": ["PO-1"], "line_number": pa.array([2], pa.int32()),
                     "upc": ["073000040482"]})
    state = shipping.line_state_table(lines, reservations, upcs)
    assert state.to_pylist() == [
        {"partner": "acme", "po_number": "PO-1", "line_number": 1, "line_id": "1", "sku": "SKU-1", "upc": None,
         "unit": "EA", "ordered": Decimal(12), "reserved": Decimal(10), "shipped": Decimal(0), "status": "allocated",
         "cut_by": None, "cut_from": None, "bill_only": False},
        {"partner": "acme", "po_number": "PO-1", "line_number": 2, "line_id": "2", "sku": None, "upc": "073000040482",
         "unit": None, "ordered": Decimal(6), "reserved": Decimal(0), "shipped": Decimal(0), "status": "backordered",
         "cut_by": None, "cut_from": None, "bill_only": False},
        {"partner": "acme", "po_number": "PO-1", "line_number": 3, "line_id": "3", "sku": "SKU-2", "upc": None,
         "unit": "CA", "ordered": Decimal(0), "reserved": Decimal(0), "shipped": Decimal(0), "status": "cancelled",
         "cut_by": None, "cut_from": None, "bill_only": False}]
    empty = shipping.line_state_table(lines, RESERVATION_ROWS.empty_table())
    assert empty["reserved"].to_pylist() == [Decimal(0)] * 3


def test_line_state_names_the_860_that_cut_a_line_by_its_reason():
    """cut_by: the line's reason when CHANGE_BELOW_SHIPPED (schemas.lifecycle.CUT_MARK) is one of its codes."""
    rows = []
    for k, codes in enumerate(("CHANGE_BELOW_SHIPPED", "CASE_PACK_ROUNDED,CHANGE_BELOW_SHIPPED,X",
                               "CHANGE_BELOW_SHIPPED_NOT", "", None), start=1):
        row = dict(zip(LINE_COLUMNS, STORED[0], strict=True))
        rows.append({**row, "line_number": k, "line_id": str(k), "codes": codes, "reason": f"cut by 860 in f{k}.x12"})
    state = shipping.line_state_table(pa.Table.from_pylist(rows, schema=LINE_ROWS), RESERVATION_ROWS.empty_table())
    assert state["cut_by"].to_pylist() == ["cut by 860 in f1.x12", "cut by 860 in f2.x12", None, None, None]


def test_line_state_reads_the_promise_a_cut_line_had_before_its_cut():
    """cut_from: the line's cut_from (schemas.lifecycle.LineRecord) when the line is cut; null otherwise or when the
    line was cut before it was kept."""
    rows = []
    for k, (codes, before) in enumerate((("CHANGE_BELOW_SHIPPED", 48), ("CASE_PACK_ROUNDED,CHANGE_BELOW_SHIPPED,X", 12),
                                         ("CHANGE_BELOW_SHIPPED", None), ("", 5), ("CHANGE_BELOW_SHIPPED_NOT", 7)),
                                        start=1):
        row = dict(zip(LINE_COLUMNS, STORED[0], strict=True))
        rows.append({**row, "line_number": k, "line_id": str(k), "codes": codes, "reason": "cut", "cut_from": before})
    state = shipping.line_state_table(pa.Table.from_pylist(rows, schema=LINE_ROWS), RESERVATION_ROWS.empty_table())
    assert state["cut_from"].to_pylist() == [Decimal(48), Decimal(12), None, None, None]


def test_line_state_takes_the_upcs_from_the_canonical_lines():
    """Of a line's canonical rows with a UPC (not null, not empty), the last gives it; other orders'
    and partners' rows give none."""
    lines = pa.Table.from_pylist([dict(zip(LINE_COLUMNS, r, strict=True)) for r in STORED], schema=LINE_ROWS)
    rows = [("acme", "PO-1", 2, "073000040482"), ("acme", "PO-1", 2, "073000040499"), ("acme", "PO-1", 2, ""),
            ("acme", "PO-1", 1, None), ("acme", "PO-1", 3, ""), ("acme", "PO-2", 1, "073000040400"),
            ("zeta", "PO-1", 3, "073000040411")]
    canonical = pa.table({"partner": [r[0] for r in rows], "po_number": [r[1] for r in rows],
                          "line_number": pa.array([r[2] for r in rows], pa.int32()),
                          "upc": pa.array([r[3] for r in rows], pa.string())})
    empty = RESERVATION_ROWS.empty_table()
    by_table = shipping.line_state_table(lines, empty, canonical)
    without = shipping.line_state_table(lines, empty)
    assert by_table.drop_columns(["upc"]).equals(without.drop_columns(["upc"]))
    assert by_table["upc"].to_pylist() == [None, "073000040499", None]
    assert shipping.line_state_table(lines, empty, canonical.slice(0, 0)).equals(
        shipping.line_state_table(lines, empty))


def _asn_text(body: list) -> tuple:
    env = envelope_for(PROFILES["acme"])
    doc = shipping._asn_document("856:east:S1", body, partner="acme", po_number="PO-1", source_sha256="", env=env)
    return doc, first_fit(env, body_chars([body]))


def test_the_856_body_is_joined_as_render_body_renders_it():
    body = [["BSN", "00", "S1", "20261127", "1430", "0001"], ["HL", "1", "", "S", "1"],
            ["N1", "ST", "Store 5", "", ""], ["N3", "", ""], ["PRF", "PO-1", "", "", "20261126"], ["CTT", "1", "5"]]
    doc, d = _asn_text(body)
    assert doc.delimiters == d and doc.sets[0].text == render_body(body, d) and doc.sets[0].segments == 6
    assert "N1*ST*Store 5~\nN3~\n" in doc.sets[0].text
    starred = [*body[:2], ["N1", "ST", "A*B>C", "", ""], *body[3:]]  # a value with the element separator
    doc, d = _asn_text(starred)
    assert d.element != "*" and doc.delimiters == d and doc.sets[0].text == render_body(starred, d)
    for value in ("A~B", "A>B", "A^B|C", "A\nB", "A*~\nB", "*"):  # a terminator, a component separator, other
        # sets' characters, the terminator's suffix, a value ending as a trailing empty element would
        odd = [*body[:2], ["N1", "ST", value, "", ""], *body[3:]]
        doc, d = _asn_text(odd)
        assert doc.delimiters == d and doc.sets[0].text == render_body(odd, d)
    emptied = [*body[:2], ["N1", "", "", ""], ["N4", "X", "", "", "", ""], ["N9"], *body[3:]]  # trailing empties only
    doc, d = _asn_text(emptied)
    assert doc.delimiters == d and doc.sets[0].text == render_body(emptied, d)
    assert "~\nN1~\nN4*X~\nN9~\n" in doc.sets[0].text
    typed = [*body[:-1], ["CTT", 1, Decimal(5)]]  # values that are not text: the general path, same text
    doc, d = _asn_text(typed)
    assert doc.sets[0].text == render_body(typed, d) and doc.sets[0].text.endswith("CTT*1*5~\n")


def _consumed_one_at_a_time(rows, shipped, stock):
    """The reservations consumed as the planner once did: each shipment's units of a line (rounded up)
    from the line's reservations in place, the shipping warehouse's first, then the others by name."""
    reserved = list(rows)
    for line, qty in shipped:
        at = sorted((i for i, r in enumerate(reserved) if r[:3] == line), key=lambda i: (reserved[i][3] != stock,
                                                                                         reserved[i][3]))
        left = math.ceil(qty)
        for i in at:
            take = min(left, reserved[i][5])
            left -= take
            reserved[i] = (*reserved[i][:5], reserved[i][5] - take)
    return [r[5] for r in reserved]


LINES = [("acme", "PO-1", 1), ("acme", "PO-1", 2), ("acme", "PO-2", 1), ("globex", "PO-1", 1)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LINES), st.sampled_from(["EAST", "WEST", "CENTRAL", "A"]),
                          st.integers(0, 9)), max_size=12),
       st.lists(st.tuples(st.sampled_from(LINES), st.decimals(Decimal("0.0001"), Decimal(8), places=4)), max_size=10),
       st.sampled_from(["EAST", "WEST", "NOWHERE"]))
def test_reservations_consumed_in_columns_as_one_shipment_at_a_time(reservations, shipments, stock):
    rows = [(*line, warehouse, "SKU", qty) for line, warehouse, qty in reservations]
    table = pa.Table.from_pylist([dict(zip(RESERVATION_ROWS.names, r, strict=True)) for r in rows],
                                 schema=RESERVATION_ROWS)
    units: dict[tuple, int] = {}
    for line, qty in shipments:  # each its own shipment: its quantity rounded up on its own
        units[line] = units.get(line, 0) + math.ceil(qty)
    shipped = pa.table({"partner": pa.array([k[0] for k in units], pa.string()),
                        "po_number": pa.array([k[1] for k in units], pa.string()),
                        "line_number": pa.array([k[2] for k in units], pa.int32()),
                        "units": pa.array(list(units.values()), pa.int64())})
    assert ship_reservations.consumed(table, shipped, stock).tolist() == _consumed_one_at_a_time(rows, shipments, stock)


def test_two_shipments_of_one_order_in_one_file_add_up():
    lines = order_lines(allocated=(12, 2), backordered=(0, 4))
    _, plan = ship("S1,2026-11-27,14:10,UPSN,PO-1,1,SKU-1,5,EA,C1\n"
                   "S2,2026-11-27,15:10,UPSN,PO-1,1,SKU-1,7,EA,C2\nS2,2026-11-27,15:10,UPSN,PO-1,2,SKU-2,2,EA,C2\n",
                   lines=lines, reservations=reserved((12, 2)))
    first, second = plan.transitions
    assert (first.record.state, second.expect_state, second.record.state) == (
        OrderState.PARTIALLY_SHIPPED, OrderState.PARTIALLY_SHIPPED, OrderState.PARTIALLY_SHIPPED)  # 4 backordered
    (ol,) = plan.lines
    assert [(ln.state, ln.shipped, ln.run_id) for ln in ol.lines] == [
        (LineState.SHIPPED, 12, RUN), (LineState.PARTIALLY_SHIPPED, 2, RUN)]
    assert plan.reservations[0].rows == ()
    assert [s.shipment_id for s in plan.shipments] == ["S1", "S2"]


def test_a_line_not_shipped_keeps_its_state_and_run():
    _, plan = ship("S1,2026-11-27,14:10,UPSN,PO-1,2,SKU-2,6,EA,C1\n")
    (ol,) = plan.lines
    one, two = ol.lines
    assert (one.state, one.shipped, one.run_id) == (LineState.ALLOCATED, 0, "")
    assert (two.state, two.shipped, two.run_id) == (LineState.SHIPPED, 6, RUN)
    assert [(r.line_number, r.warehouse, r.quantity) for r in plan.reservations[0].rows] == [(1, "EAST", 12)]


ROW = "{sid},2026-11-27,14:10,UPSN,PO-1,{line},SKU-{line},{qty},EA,C{sid}\n"


def _rows(*shipped: tuple[str, int, str]) -> str:
    return "".join(ROW.format(sid=sid, line=line, qty=qty) for sid, line, qty in shipped)


_FILES = {  # (CSV rows, the order's stored lines, its reservations (east, west))
    "part of a line": (_rows(("S1", 1, "5")), order_lines(), ((12, 6), (0, 0))),
    "every line": (_rows(("S1", 1, "12"), ("S1", 2, "6")), order_lines(), ((12, 6), (0, 0))),
    "two shipments, one line each": (_rows(("S1", 1, "12"), ("S2", 2, "6")), order_lines(), ((12, 6), (0, 0))),
    "two shipments of one line": (_rows(("S1", 1, "6"), ("S2", 1, "6"), ("S2", 2, "6")), order_lines(),
                                  ((12, 6), (0, 0))),
    "rows interleaved": (_rows(("S1", 1, "2"), ("S2", 1, "3"), ("S1", 2, "0.5"), ("S2", 2, "5")), order_lines(),
                         ((12, 6), (0, 0))),
    "a line in two cartons": ("S1,2026-11-27,14:10,UPSN,PO-1,1,SKU-1,2,EA,CA\n"
                              "S1,2026-11-27,14:10,UPSN,PO-1,1,SKU-1,4,EA,CB\n" + _rows(("S2", 1, "6")),
                              order_lines(), ((12, 6), (0, 0))),
    "fractions": (_rows(("S1", 1, "2.25"), ("S2", 1, "9.75"), ("S3", 2, "6.0")), order_lines(), ((12, 6), (0, 0))),
    "backordered": (_rows(("S1", 1, "12"), ("S2", 2, "2")), order_lines(allocated=(12, 2), backordered=(0, 4)),
                    ((12, 2), (0, 0))),
    "shipped before": (_rows(("S1", 2, "4")), tuple(replace(ln, shipped=Decimal(12), state=LineState.SHIPPED)
                                                    if ln.line_number == 1 else
                                                    replace(ln, shipped=Decimal("2.5"),
                                                            state=LineState.PARTIALLY_SHIPPED)
                                                    for ln in order_lines()), ((0, 4), (0, 0))),
    "a line ended": (_rows(("S1", 1, "12")), tuple(replace(ln, state=LineState.CANCELLED, allocated=0)
                                                   if ln.line_number == 2 else ln for ln in order_lines()),
                     ((12, 0), (0, 0))),
    "other warehouse": (_rows(("S1", 1, "10")), order_lines(), ((6, 6), (6, 0))),
    "one held": (_rows(("S1", 1, "12")) + "S2,2026-11-27,14:10,UPSN,PO-1,9,SKU-1,1,EA,C9\n" + _rows(("S3", 2, "6")),
                 order_lines(), ((12, 6), (0, 0))),
}


@pytest.mark.parametrize("name", sorted(_FILES))
def test_a_files_shipments_planned_at_once_as_one_at_a_time(name, monkeypatch):
    rows, lines, (east, west) = _FILES[name]
    planned, real = [], shipping._plan_at_once
    monkeypatch.setattr(shipping, "_plan_at_once", lambda *args, **kwargs: planned.append(real(*args, **kwargs))
                        or planned[-1])
    at_once = ship(rows, lines=lines, reservations=reserved(east, west))
    assert planned and None not in planned  # no shipment refused: planned at once
    monkeypatch.setattr(shipping, "_plan_at_once", lambda *args, **kwargs: None)
    assert at_once == ship(rows, lines=lines, reservations=reserved(east, west))


def test_a_files_orders_move_as_columns(monkeypatch):
    """Planned at once, a file's orders move as one Plan.decided: a row per order (the state its last
    shipment leaves, set in place while it has the state and revision read; nothing else of it rewritten)
    and an event per shipment of it, in shipment order - no OrderTransition per shipment and order, each
    written whole (a night's 5,000 orders)."""
    planned, real = [], shipping._plan_at_once
    monkeypatch.setattr(shipping, "_plan_at_once", lambda *args, **kwargs: planned.append(real(*args, **kwargs))
                        or planned[-1])
    ship(_FILES["two shipments of one line"][0])
    (((plan,), *_rest),) = planned
    assert plan.transitions == ()
    (d,) = plan.decided
    assert [(o["po_number"], o["expect_state"], o["expect_revision"], o["state"], o["run_id"], o["value"])
            for o in d.orders.to_pylist()] == [("PO-1", "acknowledged", 1, "shipped", RUN, None)]
    assert [(e["event"], e["from_state"], e["to_state"], e["document_key"]) for e in d.events.to_pylist()] == [
        ("shipped_in_part", "acknowledged", "partially_shipped", "856:east:S1"),
        ("shipped_in_full", "partially_shipped", "shipped", "856:east:S2")]


def test_a_files_shipments_are_planned_at_once(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("planned one shipment at a time")

    monkeypatch.setattr(shipping, "_one", refused)
    _, plan = ship(_FILES["rows interleaved"][0])
    first, second = plan.transitions
    assert (first.record.state, second.record.state) == (OrderState.PARTIALLY_SHIPPED, OrderState.PARTIALLY_SHIPPED)
    assert [h.note for t in plan.transitions for h in t.events] == [
        "shipment S1 from east: 2.5 unit(s) on 2 line(s); 856 S1",
        "shipment S2 from east: 8 unit(s) on 2 line(s); 856 S2"]
    (ol,) = plan.lines
    assert [(ln.state, ln.shipped, ln.run_id) for ln in ol.lines] == [
        (LineState.PARTIALLY_SHIPPED, 5, RUN), (LineState.PARTIALLY_SHIPPED, Decimal("5.5"), RUN)]
    _, plan = ship(_FILES["a line in two cartons"][0])
    assert [t.record.state for t in plan.transitions] == [OrderState.PARTIALLY_SHIPPED, OrderState.PARTIALLY_SHIPPED]
    _, plan = ship(_FILES["every line"][0])
    assert [t.record.state for t in plan.transitions] == [OrderState.SHIPPED]


HEADER = "Shipment ID,Ship Date,Ship Time,Carrier,PO Number,PO Line,SKU,Quantity,Unit,Carton ID,Carton Weight\n"


def test_the_csv_reader_parses_each_distinct_value_once_and_keeps_row_order():
    rows = (" S1 ,2026-11-27,14:10, upsn ,PO-1,1,SKU-1, 5 ,,C1,2.50\n"
            "S1,2026-11-27,14:10,UPSN,PO-1,2,SKU-2,five,EA,C1,2.50\n"  # row 3: quantity unreadable
            ",2026-11-27,bad,UPSN,PO-1,3,SKU-2,1,EA,C2,\n"  # row 4: no shipment id, and a bad time
            "S2,2026-11-27,,UPSN,PO-2,1,SKU-1,5,ea,00106141410000000019,-1\n"
            "S2,11/27/2026,,UPSN,PO-2,2,SKU-1,5,EA,C3,x\n")  # row 6: bad date and bad weight
    table, found = read_shipment_csv((HEADER + rows).encode(), ShipmentCsvMapping(), file="c.csv",
                                     source_sha256="sha")
    assert [(f.code, f.location.row, f.location.column) for f in found] == [
        ("CSV_NUMBER_INVALID", 3, "Quantity"), ("SHIPMENT_ID_MISSING", 4, "Shipment ID"),
        ("CSV_DATE_INVALID", 4, "Ship Time"), ("CSV_DATE_INVALID", 6, "Ship Date"),
        ("CSV_NUMBER_INVALID", 6, "Carton Weight")]
    got = table.select(["shipment_id", "ship_date", "carrier_scac", "quantity", "unit", "carton_id", "carton_sscc",
                        "carton_weight", "weight_unit", "row_number", "isa13", "source_file"]).to_pylist()
    assert got == [
        {"shipment_id": "S1", "ship_date": date(2026, 11, 27), "carrier_scac": "UPSN", "quantity": Decimal(5),
         "unit": "EA", "carton_id": "C1", "carton_sscc": None, "carton_weight": Decimal("2.5"), "weight_unit": "LB",
         "row_number": 2, "isa13": "CSV", "source_file": "c.csv"},
        {"shipment_id": "S2", "ship_date": date(2026, 11, 27), "carrier_scac": "UPSN", "quantity": Decimal(5),
         "unit": "EA", "carton_id": "00106141410000000019", "carton_sscc": "106141410000000019",
         "carton_weight": Decimal(-1), "weight_unit": "LB", "row_number": 5, "isa13": "CSV", "source_file": "c.csv"}]
    assert table["ship_time"].to_pylist() == [time(14, 10), None]
