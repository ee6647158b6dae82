"""CSV order feeds with a cancel / do-not-deliver date per row (spreadsheets exported from a buyer's ERP carry a
date column on every line, and the lines of one PO need not agree): each row keeps its own date for its line, as
an 850's PO1-loop DTM 001/063/064 does (ORDER_LINES cancel_after, do_not_deliver_after, do_not_deliver_before); the
PO's date stays the strictest of its rows."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from flows.cli import app
from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from tests.test_csv_order_shapes_run import DATED, feed, run_feed


def test_each_row_keeps_its_own_cancel_date_where_it_is_not_the_po_s():
    got = read_csv_orders(feed(
        "PO Number;Quantity;Cancel Date;Do Not Deliver Before;Do Not Deliver After",
        "P-1;1;20.12.2026;02.12.2026;",
        "P-1;1;10.12.2026;01.12.2026;",
        "P-1;1;;;18.12.2026",
        "P-2;1;15.12.2026;;",
        "P-2;1;15.12.2026;;"), CsvOrderMapping(date_format="%d.%m.%Y", delimiter=";"), partner="p", file="f.csv")
    o = {r["po_number"]: r for r in got.orders.to_pylist()}
    assert [str(o["P-1"][c]) for c in ("cancel_after", "do_not_deliver_before", "do_not_deliver_after")] == [
        "2026-12-10", "2026-12-02", "2026-12-18"]  # the PO's: the strictest, as before
    own = [(r["po_number"], r["line_number"], *(str(r[c]) if r[c] else None for c in (
        "cancel_after", "do_not_deliver_before", "do_not_deliver_after"))) for r in got.lines.to_pylist()]
    assert own == [("P-1", 1, "2026-12-20", None, None),  # later than the PO's: its own; 064 the PO's
                   ("P-1", 2, None, "2026-12-01", None),  # the PO's cancel date; an earlier 064 its own
                   ("P-1", 3, None, None, None),  # blanks and the PO's 063: none of its own
                   ("P-2", 1, None, None, None), ("P-2", 2, None, None, None)]  # rows that agree: as before
    said = [f.message for f in got.findings if f.location.column == "Cancel Date"]
    assert said == ["PO P-1: cancel_after 2026-12-10 here, 2026-12-20 on row 2; the PO keeps 2026-12-10, the "
                    "strictest, and each row's line its own."]


def test_a_row_s_later_cancel_date_keeps_its_backorder(tmp_path):
    """U-2: line 1 (VP-1005, backordered: stock comes after 2026-12-10) may be cancelled after 2026-12-20, line 2
    after 2026-12-10. Line 1 used to be held to the PO's earliest date and rejected (past_cancel_date); it is
    backordered by its own. status --dates shows line 1's own date."""
    ws, found, ack = run_feed(tmp_path / "ws", feed(
        DATED,
        "U-2;26.11.2026;1;10;EA;32,34;VP-1005;04.12.2026;20.12.2026;;;UMB-9",
        "U-2;26.11.2026;2;12;EA;25,70;VP-1013;04.12.2026;10.12.2026;;;UMB-9"))
    assert ("decide", "BACKORDER_AFTER_CANCEL", "U-2") not in {(s, c, po) for s, c, _r, _c, po in found}
    assert [a.split(";")[:7] for a in ack] == [["U-2", "1", "IB", "Backordered", "10", "0", "10"],
                                               ["U-2", "2", "IA", "Accepted", "12", "12", "0"]]
    res = CliRunner().invoke(app, ["status", "U-2", "--partner", "umbrella", "--json", "--dates", "-w", str(ws.root)])
    shown = json.loads(res.stdout)["order"]
    assert shown["dates"]["cancel_after"] == "2026-12-10"
    assert shown["line_dates"] == [{"line_number": 1, "line_id": "1", "cancel_after": "2026-12-20"}]


def test_each_row_keeps_its_own_ship_window_where_it_is_not_the_po_s():
    """A ship window per row (Ship Not Before / Ship No Later columns: lines of one PO scheduled apart) is kept as
    its line's own where it is not the PO's (the strictest of its rows, as before): an 850's PO1-loop DTM 037/038."""
    got = read_csv_orders(feed(
        "PO Number;Quantity;Ship Not Before;Ship No Later",
        "P-1;1;01.12.2026;12.12.2026",
        "P-1;1;14.12.2026;20.12.2026",
        "P-2;1;03.12.2026;22.12.2026"), CsvOrderMapping(date_format="%d.%m.%Y", delimiter=";"), partner="p",
        file="f.csv")
    o = {r["po_number"]: r for r in got.orders.to_pylist()}
    assert [str(o["P-1"][c]) for c in ("ship_not_before", "ship_no_later")] == ["2026-12-14", "2026-12-12"]
    own = [(r["po_number"], r["line_number"], *(str(r[c]) if r[c] else None for c in (
        "ship_not_before", "ship_no_later"))) for r in got.lines.to_pylist()]
    assert own == [("P-1", 1, "2026-12-01", None), ("P-1", 2, None, "2026-12-20"), ("P-2", 1, None, None)]
    said = [f.message for f in got.findings if f.location.column == "Ship No Later"]
    assert said == ["PO P-1: ship_no_later 2026-12-20 here, 2026-12-12 on row 2; the PO keeps 2026-12-12, the "
                    "strictest, and each row's line its own."]
