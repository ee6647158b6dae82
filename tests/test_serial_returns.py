"""A unit that came back on a return ships again: `orderbridge serial-return` marks its serial returned (who, when,
why, kept in returned_serials; nothing deleted), after which the held shipment's confirmation sent again ships with
the serial on its 856. Before, the serial was held SHIPMENT_SERIAL_SHIPPED_BEFORE for ever (no command)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.retailer_support import on_demo, po_segments, segments
from tests.support import deliver_all, run_stages, ship_stages
from tests.test_serial_numbers_nights import DAY1, DAY2, FIXTURES, NIGHT, _confirm, _serialised_items

DAY3 = DAY2.replace(day=29)
SHIP_02 = "IM-SHP-02,2026-11-28,UPSN,1Z0OBEAST000031004,4Z118820300,1,SKU-1028,1,EA,IM-C2,CX-1187\n"


def _cli(*args: str):
    from flows.cli import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def returned(tmp_path_factory):
    """Night 1 ships CX-1187 and CX-1188 on IM-SHP-01; day 2's IM-SHP-02 with CX-1187 is held; Dana marks
    CX-1187 returned and the warehouse sends IM-SHP-02 again (day 3). The CLI's answers on the way, and the
    workspace after."""
    ws = on_demo(FIXTURES, tmp_path_factory.mktemp("returns") / "ws",
                 drops={"ingram": ["ingram-850-4Z118820300.x12"]})
    _serialised_items(ws, "SKU-1028")
    run_stages(ws, NIGHT)
    _confirm(ws, "east-20261127.csv",
             'IM-SHP-01,2026-11-27,UPSN,1Z0OBEAST000031003,4Z118820300,1,SKU-1028,2,EA,IM-C1,"CX-1187, CX-1188"\n')
    ship_stages(ws, DAY1, run_id="day1")
    deliver_all(ws, DAY1)
    _confirm(ws, "east-20261128.csv", SHIP_02)
    ship_stages(ws, DAY2, run_id="day2")
    held = not any(s[:3] == ["BSN", "00", "IM-SHP-02"] for s in segments(ws, "ingram", "856"))
    root = str(ws.root)
    said = {
        # a serial no shipment carries; one of another item; the right one; the same one a second time
        "unknown": _cli("serial-return", "CX-9999", "--sku", "SKU-1028", "--by", "Dana", "--reason", "RMA-1",
                        "-w", root),
        "other item": _cli("serial-return", "CX-1187", "--sku", "SKU-1026", "--by", "Dana", "--reason", "RMA-1",
                           "-w", root),
        "returned": _cli("serial-return", "CX-1187", "--sku", "SKU-1028", "--by", "Dana", "--reason",
                         "RMA-77 unit came back", "-w", root),
        "again": _cli("serial-return", "CX-1187", "--sku", "SKU-1028", "--by", "Lee", "--reason", "again",
                      "-w", root),
    }
    # the warehouse sends the held shipment's confirmation again
    _confirm(ws, "east-20261129.csv", SHIP_02.replace("IM-C2", "IM-C2 "))  # a new export, not byte-identical
    ship_stages(ws, DAY3, run_id="day3")
    deliver_all(ws, DAY3)
    return ws, held, said


def test_a_returned_serial_ships_again_and_its_return_is_kept(returned):
    from connectors.state import StateStore

    ws, held, said = returned
    assert held  # day 2: IM-SHP-02 carries CX-1187, shipped on IM-SHP-01: no 856
    assert said["unknown"].exit_code != 0 and "no recorded shipment carries serial CX-9999" in said["unknown"].output
    assert said["other item"].exit_code != 0
    assert said["returned"].exit_code == 0, said["returned"].output
    text = " ".join(said["returned"].output.split())
    assert "returned by Dana" in text and "IM-SHP-01 (east) for ingram/4Z118820300 line 1" in text
    # returned once: a second mark is refused (it is not out any more) and names the first
    assert said["again"].exit_code != 0
    assert "returned already: 1 time(s), last by Dana" in " ".join(said["again"].output.split())

    # the confirmation sent again ships, the serial on its 856
    state = StateStore(ws.state_path)
    try:
        day3 = [(f["code"], f["value"]) for f in state.findings(run_id="day3")]
        shipped = state.shipped_serials(["CX-1187"])
        returns = state.returned_serials("CX-1187", "SKU-1028")
        kept = state.serials_of_order("ingram", "4Z118820300")
    finally:
        state.close()
    assert ("SHIPMENT_SERIAL_SHIPPED_BEFORE", "CX-1187") not in day3, day3
    asn = po_segments(segments(ws, "ingram", "856"), "IM-SHP-02", "BSN")
    assert ["REF", "SE", "CX-1187"] in asn
    assert shipped == {"CX-1187": [("SKU-1028", "IM-SHP-02", "ingram", "4Z118820300")]}
    ((warehouse, sid, partner, po, at, by, why),) = returns
    assert (warehouse, sid, partner, po, by, why) == ("east", "IM-SHP-01", "ingram", "4Z118820300", "Dana",
                                                     "RMA-77 unit came back")
    assert at
    # both shipments' units are kept: the returned one stays under IM-SHP-01
    assert kept == [("east", "IM-SHP-01", "1", "SKU-1028", "CX-1187"),
                    ("east", "IM-SHP-01", "1", "SKU-1028", "CX-1188"),
                    ("east", "IM-SHP-02", "1", "SKU-1028", "CX-1187")]


def test_status_marks_the_returned_unit_under_the_shipment_it_left_on(returned):
    """`status` (and --json) names the unit returned since, who and when, under IM-SHP-01 only: IM-SHP-02 shipped
    it again and CX-1188 never came back. Before, status listed the unit under both shipments alike."""
    from connectors.state import StateStore

    ws, _, _ = returned
    root = str(ws.root)
    state = StateStore(ws.state_path)
    try:
        ((*_, at, _, _),) = state.returned_serials("CX-1187", "SKU-1028")  # the wall clock of serial-return
    finally:
        state.close()
    res = _cli("status", "4Z118820300", "-w", root, "--json")
    assert res.exit_code == 0, res.output
    shipments = {s["shipment_id"]: s["serials"] for s in json.loads(res.output)["shipments"]}
    assert [(ln["line_id"], ln["serials"]) for ln in shipments["IM-SHP-01"]] == [("1", ["CX-1187", "CX-1188"])]
    assert [ln["returned"] for ln in shipments["IM-SHP-01"]] == [
        [{"serial": "CX-1187", "returned_at": at, "returned_by": "Dana", "reason": "RMA-77 unit came back"}]]
    assert [(ln["serials"], ln["returned"]) for ln in shipments["IM-SHP-02"]] == [(["CX-1187"], [])]

    res = _cli("status", "4Z118820300", "-w", root)
    assert res.exit_code == 0, res.output
    lines = [" ".join(ln.split()) for ln in res.output.splitlines()]
    first = next(i for i, ln in enumerate(lines) if ln.startswith("line 1 (SKU-1028): 2 serial number(s) shipped"))
    assert lines[first + 1] == f"returned since: CX-1187 by Dana at {at} (RMA-77 unit came back)"
    again = next(i for i, ln in enumerate(lines) if ln.startswith("line 1 (SKU-1028): 1 serial number(s) shipped"))
    assert not lines[again + 1].startswith("returned since")
