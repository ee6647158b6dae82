"""Bill-only (consignment usage) orders: a partner's profile names how its 850 marks one ([fulfilment.invoice]
bill_only: a BEG02 code, an N9 or a heading REF with its text); such an order is acknowledged as any (855), reserves
no stock, waits for no shipment: the invoice stage records its usage (no 856) and bills it from the PO (an 810 per
the partner's policy, its lots carried back by line_refs), then it closes. The reconciliation finds it shipped (its
usage) and invoiced; `orderbridge status` says it is bill-only. A warehouse confirmation naming it is a finding, not
a second shipment. A normal order of the same partner goes as before. The rg73 sweep's Mayo Clinic (GHX, 004010)
and its bill-only PO (implants used in a surgery from consigned stock: N9*ZZ*BILL ONLY) are the fixtures."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
from pydantic import ValidationError

from engine.bill_only import bill_only_orders, marked_bill_only
from schemas.fulfilment import BillOnlyMark, InvoiceSettings
from tests.retailer_support import (
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    recounted,
    segments,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg73"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
BILL_ONLY = FIXTURES / "billonly" / "GHX_850_MC7300406.x12"
NIGHT = datetime(2026, 11, 25, 2)
NEXT_NIGHT = datetime(2026, 11, 26, 2)
CONFIRMATION_HEAD = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
                     "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID,Lot Number,Expiration Date\n")


# --- the profile's marks ------------------------------------------------------------------------------------------

def _row(order_type="SA", n9=(), refs=()):
    return {"partner": "p", "po_number": "PO1", "order_type": order_type,
            "n9_sent": [{"qualifier": q, "id": i, "description": d} for q, i, d in n9] or None,
            "refs_sent": [{"qualifier": q, "id": i} for q, i in refs] or None}


def test_a_mark_by_beg02_matches_that_code_only():
    marks = (BillOnlyMark(beg02="BE"),)
    assert marked_bill_only(_row("BE"), marks) == marks[0]
    assert marked_bill_only(_row("SA"), marks) is None and marked_bill_only(_row(""), marks) is None


def test_a_mark_by_n9_matches_its_qualifier_and_text_in_n902_or_n903_whatever_the_case_and_spaces():
    marks = (BillOnlyMark(n9="ZZ", text="Bill Only"),)
    assert marked_bill_only(_row(n9=[("ZZ", "BILL  ONLY", None)]), marks) == marks[0]
    assert marked_bill_only(_row(n9=[("ZZ", None, " bill only ")]), marks) == marks[0]
    assert marked_bill_only(_row(n9=[("L1", "BILL ONLY", None)]), marks) is None  # another qualifier
    assert marked_bill_only(_row(n9=[("ZZ", "BILL ONLY LATER", None)]), marks) is None  # another text
    assert marked_bill_only(_row(refs=[("ZZ", "BILL ONLY")]), marks) is None  # a REF is not an N9


def test_a_mark_by_ref_matches_a_heading_ref_and_its_text():
    marks = (BillOnlyMark(ref="ZZ", text="CONSUMPTION"),)
    assert marked_bill_only(_row(refs=[("DP", "12"), ("ZZ", "consumption")]), marks) == marks[0]
    assert marked_bill_only(_row(refs=[("ZZ", "REPLENISH")]), marks) is None


def test_a_mark_names_one_thing_with_the_text_it_needs():
    for bad in ({}, {"beg02": "KN", "n9": "ZZ", "text": "X"}, {"beg02": "KN", "text": "BILL ONLY"},
                {"n9": "ZZ"}, {"ref": "ZZ", "text": "  "}, {"beg02": "kn"}):
        with pytest.raises(ValidationError):
            BillOnlyMark(**bad)
    assert InvoiceSettings().bill_only == ()  # default: no order is bill-only


def test_bill_only_orders_reads_only_the_partners_that_name_marks():
    import pyarrow as pa

    from schemas.orders import ORDERS

    rows = [{**_row("KN"), "partner": "hca", "po_number": "H1"}, {**_row("KN"), "partner": "mayo", "po_number": "M1"},
            {**_row("SA", n9=[("ZZ", "BILL ONLY", None)]), "partner": "mayo", "po_number": "M2"}]
    table = pa.Table.from_pylist(rows, schema=pa.schema([ORDERS.field(c) for c in rows[0]]))
    assert bill_only_orders(table, {"mayo": (BillOnlyMark(n9="ZZ", text="BILL ONLY"),)}) == {("mayo", "M2")}
    assert bill_only_orders(table, {}) == frozenset()


# --- a night ------------------------------------------------------------------------------------------------------

def _normal_po() -> bytes:
    """The bill-only PO as a normal order of Mayo's: another PO number and control numbers, no N9 BILL ONLY (an N9
    for the dock instead), a delivery asked for after the night."""
    text = BILL_ONLY.read_bytes()
    for a, b in ((b"MC7300406", b"MC7300407"), (b"73006", b"73007"), (b"N9*ZZ*BILL ONLY~", b"N9*ZZ*DOCK 4~"),
                 (b"DTM*002*20261123~", b"DTM*002*20261130~")):
        text = text.replace(a, b)
    return recounted(text)


def _workspace(tmp_path, *, confirmation: str = ""):
    from tests.support import run_stages

    copy = tmp_path / "rg73"
    shutil.copytree(FIXTURES, copy)
    for f in (copy / "drops" / "mayo").iterdir():
        f.unlink()
    shutil.copy2(BILL_ONLY, copy / "drops" / "mayo" / BILL_ONLY.name)
    (copy / "drops" / "mayo" / "GHX_850_MC7300407.x12").write_bytes(_normal_po())
    ws = of_its_own(copy, tmp_path / "ws", {"mayo": [BILL_ONLY.name, "GHX_850_MC7300407.x12"]},
                    warehouses=WAREHOUSES)
    if confirmation:  # the east DC confirms a shipment the same night
        inbox = ws.warehouse_drop_root / "east" / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "east-shipments-20261125.csv").write_text(CONFIRMATION_HEAD + confirmation, encoding="utf-8")
    run_stages(ws, NIGHT)
    return ws


def _state(ws):
    from connectors.state import StateStore

    return StateStore(ws.state_path)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    return _workspace(tmp_path_factory.mktemp("billonly"))


def test_the_bill_only_order_is_acknowledged_and_invoiced_from_the_po_with_no_856(night, tmp_path, maps):  # noqa: F811
    from tests.test_mark_for import accepted

    ack = po_segments(segments(night, "mayo", "855"), "MC7300406", "BAK")
    assert [s[:3] for s in ack if s[0] == "ACK"] == [["ACK", "IA", "2"], ["ACK", "IA", "1"]]
    inv = po_segments(segments(night, "mayo", "810"), "MC7300406", "BIG")
    # each implant's lot and the rod's serial (line_refs) and expiry (line_expiry: DTM 036 after the line's REFs)
    assert [s for s in inv if s[0] in ("IT1", "REF", "DTM", "TDS") and s[:2] != ["DTM", "011"]] == [
        ["REF", "IA", "MC22871"],
        ["IT1", "1", "2", "EA", "412", "", "VN", "RG73-05", "UP", "614141730506"], ["REF", "LT", "BS2607F"],
        ["DTM", "036", "20310731"],
        ["IT1", "2", "1", "EA", "1250", "", "VN", "RG73-06", "UP", "614141730605"], ["REF", "LT", "SR2605G"],
        ["REF", "SE", "SR2605G-0117"], ["DTM", "036", "20310531"], ["TDS", "207400"]]
    assert not list((night.drop_root / "mayo" / "outbox").glob("mayo-856-*"))
    # the 810 passes our validator, Bots and pyx12
    [path] = list((night.drop_root / "mayo" / "outbox").glob("mayo-810-*"))
    accepted(path.read_bytes(), tmp_path, maps)


def test_the_bill_only_order_reserves_nothing_and_is_recorded_used_not_shipped(night):
    state = _state(night)
    try:
        orders = {o.key: o for o in state.orders()}
        assert orders[("mayo", "MC7300406")].state.value == "invoiced"
        assert not state.order_reservations("mayo", "MC7300406")
        assert state.order_reservations("mayo", "MC7300407")  # the normal order's: reserved as ever
        [usage] = state.shipments_for_order("mayo", "MC7300406")
        assert (usage.warehouse, usage.shipment_id) == ("bill_only", "USE-MC7300406")
        assert sorted((ln.line_number, ln.quantity) for ln in usage.lines) == [(1, 2), (2, 1)]
        events = state.order_history("mayo", "MC7300406")
        used = next(e for e in events if e["event"] == "shipped_in_full")
        assert "bill only USE-MC7300406" in used["note"] and "no 856" in used["note"]
    finally:
        state.close()


def test_a_normal_order_of_the_same_partner_is_allocated_and_waits_for_its_shipment(night):
    ack = po_segments(segments(night, "mayo", "855"), "MC7300407", "BAK")
    assert [s[:3] for s in ack if s[0] == "ACK"] == [["ACK", "IA", "2"], ["ACK", "IA", "1"]]
    assert not [s for s in segments(night, "mayo", "810") if s[0] == "BIG" and s[4] == "MC7300407"]
    state = _state(night)
    try:
        assert {o.key: o.state.value for o in state.orders()}[("mayo", "MC7300407")] == "acknowledged"
        assert not state.shipments_for_order("mayo", "MC7300407")
    finally:
        state.close()


def test_the_next_night_closes_it_and_the_reconciliation_finds_nothing_wrong(tmp_path):
    from flows.reconcile import reconcile_run
    from tests.support import deliver_all, run_stages

    ws = _workspace(tmp_path)
    deliver_all(ws, NIGHT)
    run_stages(ws, NEXT_NIGHT)
    state = _state(ws)
    try:
        assert {o.key: o.state.value for o in state.orders()}[("mayo", "MC7300406")] == "closed"
        reconcile_run(ws, ws.partners(), state, now=NEXT_NIGHT, run_id="r1")
        mine = state.stored_exceptions(po_number="MC7300406")
        assert mine.num_rows == 0, mine.to_pylist()
    finally:
        state.close()
    # its lines were matched: ordered, acknowledged, shipped (its usage) and invoiced alike
    import pyarrow.csv as pv

    [matched] = list((ws.reports_dir / "r1").rglob("lines.csv")) or [None]
    assert matched is not None, sorted(p.name for p in (ws.reports_dir / "r1").rglob("*.csv"))
    rows = [r for r in pv.read_csv(matched).to_pylist() if r["po_number"] == "MC7300406"]
    assert [(r["line_number"], r["ordered_quantity"], r["shipped_quantity"], r["invoiced_quantity"], r["exceptions"])
            for r in rows] == [(1, 2, 2, 2, 0), (2, 1, 1, 1, 0)]
    # a rerun sends nothing twice: no other 810, no 856
    sent = sorted(p.name for p in (ws.drop_root / "mayo" / "outbox").glob("mayo-8[15]*"))
    assert len([n for n in sent if "-810-" in n]) == 1 and not [n for n in sent if "-856-" in n]


def test_status_says_the_order_is_bill_only_and_shows_its_855_and_810(night):
    from typer.testing import CliRunner

    from flows.cli import app

    res = CliRunner().invoke(app, ["status", "MC7300406", "--partner", "mayo", "--json", "-w", str(night.root)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["order"]["bill_only"].startswith("bill only")
    sent = {d["type"] for d in doc["documents"]}
    assert sent >= {"855", "810"} and "856" not in sent
    text = CliRunner().invoke(app, ["status", "MC7300406", "--partner", "mayo", "-w", str(night.root)]).output
    assert "bill only" in text and "no 856" in text
    normal = json.loads(CliRunner().invoke(app, ["status", "MC7300407", "--partner", "mayo", "--json", "-w",
                                                 str(night.root)]).output)
    assert normal["order"]["bill_only"] == ""


def test_a_warehouse_confirmation_naming_it_is_a_finding_not_a_second_shipment(tmp_path):
    ws = _workspace(tmp_path, confirmation="MC-SHP-9,2026-11-25,01:30,FDEG,,794673009999,,MC7300406,1,RG73-05,2,EA,"
                                           "MC-C9,1,LB,,BS2607F,2031-07-31\n")
    state = _state(ws)
    try:
        found = [f for f in state.findings() if f["po_number"] == "MC7300406" and f["severity"] == "error"]
        shipments = state.shipments_for_order("mayo", "MC7300406")
        assert {o.key: o.state.value for o in state.orders()}[("mayo", "MC7300406")] == "invoiced"
    finally:
        state.close()
    assert [f["code"] for f in found] == ["SHIPMENT_BILL_ONLY"]
    assert "bill-only" in found[0]["message"]
    assert [(s.warehouse, s.shipment_id) for s in shipments] == [("bill_only", "USE-MC7300406")]
    assert not list((ws.drop_root / "mayo" / "outbox").glob("mayo-856-*"))


def test_a_crash_while_writing_its_810_uses_no_invoice_number_and_the_rerun_bills_it_once(tmp_path):
    """The usage record is stored in one transaction, the 810 and its number in another (as any shipment's): a crash
    while writing the 810 leaves the usage due, no number taken; the next run bills it once, INV0000001; a run after
    that sends nothing more."""
    from connectors.reference import load_reference
    from connectors.state import COMPANY
    from flows import shipments
    from tests.test_numbering_crash import Crash, crash_while_writing

    original = shipments.renderer
    shipments.renderer = lambda profiles, now: crash_while_writing(original(profiles, now))
    try:
        with pytest.raises(Crash):
            _workspace(tmp_path)
    finally:
        shipments.renderer = original
    ws = _ws_of(tmp_path)
    state = _state(ws)
    try:
        assert state.last_number(COMPANY, "INVOICE") == 0 and state.invoices() == []
        [usage] = state.shipments_for_order("mayo", "MC7300406")
        assert usage.shipment_id == "USE-MC7300406" and usage.billing == "order"  # still due
        ref = load_reference(ws.reference_dir)
        for run_id in ("again", "once more"):
            shipments.invoice_run(ws, ws.partners(), state, ref, now=NIGHT, run_id=run_id)
        assert [v.invoice_number for v in state.invoices()] == ["INV0000001"]
        assert state.last_number(COMPANY, "INVOICE") == 1
        assert [s.shipment_id for s in state.shipments_for_order("mayo", "MC7300406")] == ["USE-MC7300406"]
    finally:
        state.close()


def _ws_of(tmp_path):
    from flows.workspace import open_workspace

    return open_workspace(tmp_path / "ws")


def test_the_console_order_page_says_it_is_bill_only(night):
    from urllib.parse import urlencode

    from tests.support_console import Client, ConsoleServer, add_users

    add_users(night.root)
    with ConsoleServer(night.root) as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, body = c.get("/order?" + urlencode({"partner": "mayo", "po": "MC7300406"}))
        assert status == 200 and 'id="bill-only">bill only' in body
        status, body = c.get("/order?" + urlencode({"partner": "mayo", "po": "MC7300407"}))
        assert status == 200 and 'id="bill-only"' not in body
