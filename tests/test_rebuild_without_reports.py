"""`state rebuild` of a workspace whose reports/ folder is gone too (a retention job cleaned it, or it was never kept):
the reservations come back from what survives. Each answered line's units are what its last 855 (and the 865s after
it) accepted, back-ordered (promised the IB's ACK05 date) and refused; its SKU is resolved from the reference data as
the rules resolve an 850's line; its units are reserved in the stock's unit, in the partner's first warehouse whose
snapshot of that night held them, the orders taking stock in their arrival order (engine.lifecycle.restore
.placed_by_answers). It used to reserve nothing for any order and say nothing: the next ship day was held
SHIPMENT_OVER_RESERVED line after line. Where the files cannot say it exactly the rebuild's notes name the orders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from flows.night import InProcess, run_night
from tests.crash_harness import NIGHTS, drop_night, new_workspace
from tests.retailer_support import shipped_day
from tests.support import rebuilt_store
from tests.test_grocery_876 import SHIP_DAY
from tests.test_rebuild_876_ship import LINES, PO, RESERVED, _body, _two_flow_nights
from tests.test_state_rebuild import _rows

ORDER_LINES = ("SELECT partner, po_number, line_number, sku, state, ack, ordered, allocated, backordered, rejected, "
               "warehouses, promised_date FROM order_lines")
RESERVATIONS = "SELECT partner, po_number, line_number, warehouse, sku, quantity FROM reservations"


def _lose_store_and_reports(ws: Path) -> str:
    """The store and reports/ gone, `state rebuild` run: its output, on one line."""
    shutil.rmtree(ws / "reports")
    return rebuilt_store(ws)


def _night_one(tmp: Path) -> tuple[Path, Path]:
    """The demo's first night (four X12 partners and a CSV one, EAST and WEST, back orders, a line split over both
    warehouses, rejections): a workspace that kept everything, and a copy of it."""
    kept = new_workspace(tmp / "kept")
    drop_night(kept, 0)
    run_night(str(kept), stages=InProcess(), now=NIGHTS[0][1], use_gx=False)
    lost = tmp / "lost"
    shutil.copytree(kept, lost, symlinks=True)
    return kept, lost


def test_a_rebuild_without_reports_reserves_again_and_the_next_night_ships_as_without_the_loss(tmp_path):
    kept, lost = _night_one(tmp_path)
    said = _lose_store_and_reports(lost)
    # every line and reservation as the night left them, the split one too (GLOBEX-2000 line 4: 12 EAST, 12 WEST,
    # 12 back-ordered to 12-10), and the CSV partner's back order promised the date of its CSV acknowledgment
    night, rebuilt = _rows(kept, ORDER_LINES), _rows(lost, ORDER_LINES)
    assert rebuilt == night
    assert ("umbrella", "UMB-6001", 2, "SKU-1005", "backordered", "IB", "10", 0, 10, 0, "", "2026-12-15") in rebuilt
    assert ("globex", "GLOBEX-2000", 4, "SKU-1003", "backordered", "BP+IB", "36", 24, 12, 0, "EAST,WEST",
            "2026-12-10") in rebuilt
    assert _rows(lost, RESERVATIONS) == _rows(kept, RESERVATIONS)
    assert len(_rows(kept, RESERVATIONS)) == 17
    # the rebuild says how, and names the orders whose warehouse it chose among several holding the stock
    assert "8 answered order(s) have lines no run report in reports/ holds" in said
    assert "globex/GLOBEX-2000 line(s) 1, 2, 4;" in said and "umbrella/UMB-6001 line(s) 1, 3." in said
    assert "nothing reserved" not in said
    # the next night (day 1's shipment confirmations, 860s, invoices): the same documents byte for byte, no shipment
    # held for want of a reservation (it used to be SHIPMENT_OVER_RESERVED for 9 more lines)
    for ws in (kept, lost):
        drop_night(ws, 1)
        run_night(str(ws), stages=InProcess(), now=NIGHTS[1][1], use_gx=False)
    sent = {p.name: p.read_bytes() for p in kept.glob("drop/*/outbox/*")}
    assert {p.name: p.read_bytes() for p in lost.glob("drop/*/outbox/*")} == sent
    assert any("-856-" in n for n in sent) and any("-810-" in n for n in sent)
    # the night's shipment findings (its held orders are decided again after a rebuild, their rules' findings told
    # again: docs/state-store.md, Recovery)
    codes = "SELECT code, partner, po_number, message FROM findings WHERE run_id = '20261128T020000' AND stage = " \
        "'shipments'"
    assert _rows(lost, codes) == _rows(kept, codes) and len(_rows(kept, codes)) == 6
    # (the one the demo's own: ACME-1001 line 3, which the night rejected, shipped all the same)
    assert {r[:3] for r in _rows(lost, codes) if r[0] == "SHIPMENT_OVER_RESERVED"} == {
        ("SHIPMENT_OVER_RESERVED", "acme", "ACME-1001")}
    assert _rows(lost, RESERVATIONS) == _rows(kept, RESERVATIONS)


def test_a_rebuild_without_reports_or_stock_names_every_order_it_could_not_reserve(tmp_path):
    """With the stock snapshots gone as well, no warehouse is known to have held anything: nothing is reserved, and
    the notes name exactly the orders (and lines) the night reserved, so ops know which shipments will be held."""
    kept, lost = _night_one(tmp_path)
    shutil.rmtree(lost / "inventory" / "snapshots")
    said = _lose_store_and_reports(lost)
    assert not _rows(lost, RESERVATIONS)
    reserved: dict[str, set[int]] = {}
    for partner, po, line, *_ in _rows(kept, RESERVATIONS):
        reserved.setdefault(f"{partner}/{po}", set()).add(line)
    note = said.split("nothing reserved for units the answer accepted")[1].split("SHIPMENT_OVER_RESERVED")[0]
    named = {order: {int(n) for n in lines.split(", ")}
             for order, lines in re.findall(r"(\w+/[\w-]+) line\(s\) (\d+(?:, \d+)*)", note)}
    assert named == reserved, note
    # the SKUs and back orders come back all the same
    assert ("globex", "GLOBEX-2000", 3, "SKU-1005", "backordered", "IB", "30", 0, 30, 0, "", "2026-12-15") in \
        _rows(lost, ORDER_LINES)


def test_an_order_an_876_changed_ships_after_a_rebuild_without_reports(tmp_path):
    """g72b's case (the ship day after a rebuild of an order a grocer's 876 changed: SHIPMENT_OVER_RESERVED twice),
    with reports/ lost too: the 876's lines (30 CA of GRC-301, the added 20 CA of GRC-303) reserved in eaches of the
    case (360, 240) at EAST, shipped and invoiced as the store that was never lost ships them."""
    kept, fixtures = _two_flow_nights(tmp_path / "kept")
    lost, _ = _two_flow_nights(tmp_path / "lost")
    said = _lose_store_and_reports(lost.root)
    assert "1 answered order(s) have lines no run report in reports/ holds" in said
    assert "nothing reserved" not in said and "more than one holding it" not in said  # EAST alone holds them
    assert _rows(lost.root, LINES.replace(" ORDER BY line_number", "")) == \
        _rows(kept.root, LINES.replace(" ORDER BY line_number", ""))
    assert _rows(lost.root, RESERVED.replace(" ORDER BY line_number", "")) == \
        _rows(kept.root, RESERVED.replace(" ORDER BY line_number", "")) == {(1, "EAST", "GRC-301", 360),
                                                                             (3, "EAST", "GRC-303", 240)}
    kept, found_kept, states_kept = shipped_day(kept, fixtures, SHIP_DAY)
    lost, found, states = shipped_day(lost, fixtures, SHIP_DAY)
    assert states == states_kept == {("staterbros", PO): "invoiced"}, found
    assert found == found_kept
    assert _body(lost, "856", "BSN", "SB-SHP-02") == _body(kept, "856", "BSN", "SB-SHP-02")
    assert _body(lost, "810", "BIG", PO) == _body(kept, "810", "BIG", PO)


def test_placed_by_answers_reads_the_answer_s_units_into_allocation_rows():
    """engine.lifecycle.restore.placed_by_answers, pure: a line filled whole (IA 10 cases of 12: 120 each reserved, in
    the preferred warehouse that holds them), one filled in part (BP 24 + IB 12 to 12-10, the 24 split EAST then WEST
    when neither holds all, what the line before took no longer free), one refused in part (IQ 4 + IR 2), a service
    line (SKU, no reservation), a line a report holds (left alone), a deleted line (its SKU alone); each row of a line
    carries its promised date, as a report's do; a rejected order reserves nothing."""
    from datetime import date
    from decimal import Decimal as D

    from engine.lifecycle.restore import LineStock, SentAnswer, placed_by_answers
    from schemas.lifecycle import LineRecord, LineState

    lines = tuple(LineRecord("p", "PO", n, LineState.RECEIVED, line_id=str(n), unit=u) for n, u in
                  ((1, "CA"), (2, "EA"), (3, "EA"), (4, "EA"), (5, "EA"))) + (
        LineRecord("p", "PO", 6, LineState.DELETED, line_id="6", unit="EA"),)
    acks = (("1", D(10), (("IA", D(10)),)), ("2", D(36), (("BP", D(24)), ("IB", D(12))),),
            ("3", D(6), (("IQ", D(4)), ("IR", D(2)))), ("4", D(1), (("IA", D(1)),)), ("5", D(3), (("IA", D(3)),)))
    told = (SentAnswer("855", "k", "f", "20261127", "00", "AC", acks, promised=(("2", "20261210"),)),)
    stock = {1: LineStock("A", 12, (("EAST", 200), ("WEST", 500))), 2: LineStock("B", 1, (("EAST", 30), ("WEST", 20))),
             3: LineStock("C", 1, (("WEST", 9),)), 4: LineStock("S", 1, (), stocked=False),
             5: LineStock("E", 1, (("EAST", 9),)), 6: LineStock("F", 1, (("EAST", 9),))}
    report = ({"line_number": 5, "warehouse": "EAST", "sku": "E", "allocated": 3},)
    taken = {("EAST", "B"): 10}  # an order before took 10 of B at EAST
    rows = placed_by_answers(lines, told, report, stock, taken)
    placed = {(r["line_number"], r["warehouse"]): (r["sku"], r["allocated"], r.get("reserved"), r["backordered"],
                                                   r["rejected"], r["promised_date"]) for r in rows}
    assert placed == {
        (1, "EAST"): ("A", 10, 120, 0, 0, None), (1, ""): ("A", 0, None, 0, 0, None),
        (2, "EAST"): ("B", 20, 20, 0, 0, date(2026, 12, 10)), (2, "WEST"): ("B", 4, 4, 0, 0, date(2026, 12, 10)),
        (2, ""): ("B", 0, None, 12, 0, date(2026, 12, 10)),
        (3, "WEST"): ("C", 4, 4, 0, 0, None), (3, ""): ("C", 0, None, 0, 2, None),
        (4, ""): ("S", 0, None, 0, 0, None), (6, ""): ("F", 0, None, 0, 0, None)}, placed
    assert taken == {("EAST", "A"): 120, ("EAST", "B"): 30, ("WEST", "B"): 4, ("WEST", "C"): 4}
    refused = placed_by_answers(lines, told, report, stock, {}, rejected=True)
    assert all(not r["allocated"] for r in refused) and {r["sku"] for r in refused} == {"A", "B", "C", "S", "F"}


def test_g72b_s_rebuild_after_run_stages_nights_ships_the_876_changed_order(tmp_path):
    """g72b's case as it saw it: the 876's nights run by tests.support.run_stages (which writes no reports/, like a
    workspace whose reports are not kept), with its allowances, the store lost and rebuilt, the ship day: it gave
    SHIPMENT_OVER_RESERVED twice and the order stayed acknowledged; it ships and is invoiced as without the loss."""
    from tests.test_grocery_876 import _two_nights
    from tests.test_grocery_876_allowance_edges import ALLOWANCES

    kept, fixtures = _two_nights(tmp_path / "kept", ALLOWANCES)
    lost, _ = _two_nights(tmp_path / "lost", ALLOWANCES)
    assert not any(lost.reports_dir.glob("*/allocation.parquet"))
    rebuilt_store(lost.root)
    assert _rows(lost.root, RESERVATIONS) == _rows(kept.root, RESERVATIONS)
    kept, found_kept, states_kept = shipped_day(kept, fixtures, SHIP_DAY)
    lost, found, states = shipped_day(lost, fixtures, SHIP_DAY)
    assert states == states_kept == {("staterbros", PO): "invoiced"}, found
    assert found == found_kept and "SHIPMENT_OVER_RESERVED" not in {f[0] for f in found}
    assert _body(lost, "810", "BIG", PO) == _body(kept, "810", "BIG", PO)
