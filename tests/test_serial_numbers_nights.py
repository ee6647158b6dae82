"""Serial numbers over two nights: a confirmation's serials go on the 856 as REF*SE and are kept in the state store
(shipped_serials); a later confirmation naming a serial already shipped is held (SHIPMENT_SERIAL_SHIPPED_BEFORE), no
856 for it. Before, nothing was kept: the same unit's serial went on a second 856."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from tests.retailer_support import on_demo, po_segments, segments
from tests.support import REPO, deliver_all, run_stages, ship_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg14"
NIGHT = datetime(2026, 11, 27, 2)
DAY1 = datetime(2026, 11, 27, 14, 30)
DAY2 = datetime(2026, 11, 28, 14, 30)
HEAD = "Shipment ID,Ship Date,Carrier,Tracking Number,PO Number,PO Line,SKU,Quantity,Unit,Carton ID,Serial Numbers\n"


def _serialised_items(ws, *skus: str) -> None:
    """items.csv with a serialised column: ``skus`` yes, the others no."""
    path = ws.reference_dir / "items.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*rows[0], "serialised"])
    for row in rows[1:]:
        if row:
            writer.writerow([*row, "yes" if row[0] in skus else "no"])
    path.write_text(out.getvalue(), encoding="utf-8")


def _confirm(ws, name: str, text: str) -> None:
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text(HEAD + text, encoding="utf-8")


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Ingram's drop-ship PO (3 calculators, serialised; 2 notebooks, not), taken at NIGHT. Day 1 ships 2
    calculators with their serials and the notebooks; day 2 ships the third calculator with a serial day 1
    already shipped, and a third shipment naming the same serial twice."""
    from connectors.state import StateStore

    root = tmp_path_factory.mktemp("serials") / "ws"
    ws = on_demo(FIXTURES, root, drops={"ingram": ["ingram-850-4Z118820300.x12"]})
    _serialised_items(ws, "SKU-1028")
    run_stages(ws, NIGHT)
    _confirm(ws, "east-20261127.csv",
             'IM-SHP-01,2026-11-27,UPSN,1Z0OBEAST000031003,4Z118820300,1,SKU-1028,2,EA,IM-C1,"CX-1187, CX-1188"\n'
             "IM-SHP-01,2026-11-27,UPSN,1Z0OBEAST000031003,4Z118820300,2,SKU-1026,2,EA,IM-C1,\n")
    ship_stages(ws, DAY1, run_id="day1")
    deliver_all(ws, DAY1)
    day1 = segments(ws, "ingram", "856")
    _confirm(ws, "east-20261128.csv",
             "IM-SHP-02,2026-11-28,UPSN,1Z0OBEAST000031004,4Z118820300,1,SKU-1028,1,EA,IM-C2,CX-1187\n")
    ship_stages(ws, DAY2, run_id="day2")
    deliver_all(ws, DAY2)
    state = StateStore(ws.state_path)
    try:
        found = {run: [(f["code"], f["severity"], f["value"]) for f in state.findings(run_id=run)]
                 for run in ("day1", "day2")}
        kept = state.serials_of_order("ingram", "4Z118820300")
    finally:
        state.close()
    return ws, day1, found, kept


def test_night_1_ships_the_serials_as_ref_se_and_keeps_them_night_2_holds_one_shipped_again(nights):
    ws, day1, found, kept = nights
    assert not [f for f in found["day1"] if f[1] == "error"]
    asn = po_segments(day1, "IM-SHP-01", "BSN")
    at = asn.index(["PID", "F", "", "", "", "CALCULATOR 12-DIGIT"])
    assert asn[at + 1: at + 3] == [["REF", "SE", "CX-1187"], ["REF", "SE", "CX-1188"]]
    assert kept == [("east", "IM-SHP-01", "1", "SKU-1028", "CX-1187"),
                    ("east", "IM-SHP-01", "1", "SKU-1028", "CX-1188")]
    # night 2: the unit CX-1187 left on IM-SHP-01: IM-SHP-02 is held, no 856 for it
    assert ("SHIPMENT_SERIAL_SHIPPED_BEFORE", "error", "CX-1187") in found["day2"]
    assert not any(s[:3] == ["BSN", "00", "IM-SHP-02"] for s in segments(ws, "ingram", "856"))
    # billing is not upset by them: night 1's units are invoiced, 2 calculators and the 2 notebooks
    inv = po_segments(segments(ws, "ingram", "810"), "4Z118820300", "BIG")
    assert [s[1:4] for s in inv if s[0] == "IT1"] == [["1", "2", "EA"], ["2", "2", "EA"]]


def test_status_lists_a_lines_serials_shipped_and_json_every_one(nights):
    """`orderbridge status` names each line's serials under its shipment (the count and the first few; --json every
    one): ops answering "which unit went to the reseller?" read it there. Before, nowhere."""
    import json

    from typer.testing import CliRunner

    from flows.cli import app

    ws = nights[0]
    res = CliRunner().invoke(app, ["status", "4Z118820300", "-w", str(ws.root), "--json"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    (shipment,) = json.loads(res.output)["shipments"]
    assert shipment["serials"] == [{"line_id": "1", "sku": "SKU-1028", "count": 2, "serials": ["CX-1187", "CX-1188"],
                                    "returned": []}]  # none marked returned (`orderbridge serial-return`)
    res = CliRunner().invoke(app, ["status", "4Z118820300", "-w", str(ws.root)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "line 1 (SKU-1028): 2 serial number(s) shipped: CX-1187, CX-1188" in res.output


def test_status_prints_the_count_and_the_first_five_of_a_line_with_many_serials():
    from rich.console import Console

    from flows.status_view import print_shipping

    units = [f"NB-{k:04d}" for k in range(1, 41)]  # a pallet of 40 notebooks
    shipment = {"asn": None, "shipment_id": "S1", "warehouse": "east", "ship_date": "2026-11-27", "ship_time": "",
                "carrier": "ODFL", "service_level": "", "tracking_number": "", "bill_of_lading": "B1",
                "asn_late": False, "lines": [], "cartons": [], "lots": [],
                "serials": [{"line_id": "2", "sku": "SKU-1026", "count": 40, "serials": units}]}
    out = Console(record=True, width=200)
    print_shipping({"shipments": [shipment], "invoices": []}, out=out)
    text = out.export_text()
    assert "line 2 (SKU-1026): 40 serial number(s) shipped: NB-0001, NB-0002, NB-0003, NB-0004, NB-0005 ... and " \
        "35 more (--json lists them)" in text
    assert "NB-0006" not in text
