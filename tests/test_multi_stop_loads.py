"""A multi-stop load: one confirmation shipment (one truck, one bill of lading) whose POs or lines go to several
ship-tos is split into one shipment per stop (engine.lifecycle.stops), as Walmart's, Target's, Home Depot's and
Kroger's guides ask one 856 per ship-to: each its own 856 (BSN02 the load's id, "-ST" and the stop's number in the
order of its first confirmation row), N1*ST, cartons, SSCCs, HL tree and CTT, the load's bill of lading and carrier
at its S level, and its own 810 when invoiced per shipment. tests/fixtures/rg6's confirmation ships Ulta's two POs
on one truck, UL-SHP-01 (BOL-UL-4401); here 4500987730 goes to Ulta's Dallas DC (0895) instead of Fresno (0894).
GXO's two 945s of one load (tests/fixtures/rg69) carry Tractor Supply's two POs, one for DC 51 and one for DC 52.
They used to be held (SHIPMENT_SHIP_TOS_MIXED): the goods had left and no ASN went. A carton or pallet of two
stops still holds the load, as does a partner whose profile takes no split load (fulfilment.multi_stop "hold"); a
rerun, the same file again or the load named again sends nothing; a crash between numbering and writing uses no
serial nor invoice number."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.retailer_support import maps  # noqa: F401 (a fixture)
from tests.test_asn_856_stoi import template  # noqa: F401 (a fixture: the demo's night 1 with ACME-7001)
from tests.test_asn_per_order import CONFIRMED, _check_asn, _confirm, _sets
from tests.test_rg6_pharmacy_beauty import FIXTURES, NIGHT, SHIP_DAY, workspace

PO_A, PO_B = "4500987712", "4500987730"  # Fresno's, Dallas's
STOP_1, STOP_2 = "UL-SHP-01-ST1", "UL-SHP-01-ST2"
FRESNO = ["N1", "ST", "ULTA DC FRESNO", "92", "0894"]
DALLAS = ["N1", "ST", "ULTA DC DALLAS", "92", "0895"]
TWO_DCS = ("N1*ST*ULTA DC FRESNO*92*0894~\nN1*Z7", "N1*ST*ULTA DC DALLAS*92*0895~\nN3*1200 INDUSTRIAL BLVD~\n"
           "N4*DALLAS*TX*75207*US~\nN1*Z7")


def _to_dallas(ws) -> None:
    """Ulta's second 850 (4500987730) ships to its Dallas DC, with its address (two segments more in its set)."""
    for path in (ws.drop_root / "ulta" / "inbox").iterdir():
        text = path.read_text(encoding="utf-8")
        assert TWO_DCS[0] in text and "SE*15*0002" in text
        path.write_text(text.replace(*TWO_DCS).replace("SE*15*0002", "SE*17*0002"), encoding="utf-8")


def _profile(ws, *swaps: tuple[str, str]) -> None:
    path = ws.partners_dir / "ulta.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


PER_SHIPMENT = ('[fulfilment.invoice]\nper = "order"\n', '[fulfilment.invoice]\nper = "shipment"\n')
HOLD = ("[fulfilment.sscc]\n", '[fulfilment]\nmulti_stop = "hold"\n\n[fulfilment.sscc]\n')


def _night(root: Path, *swaps: tuple[str, str], confirmation: str | None = None):
    """The rg6 night with Ulta's POs for two DCs, ``swaps`` made in Ulta's profile: its 850s taken, the warehouse's
    confirmation (the fixture's, else ``confirmation``) shipped and invoiced, the documents delivered."""
    from tests.support import deliver_all, run_stages, ship_stages

    ws = workspace(root, drops={"ulta": [p.name for p in (FIXTURES / "drops" / "ulta").iterdir()]})
    _to_dallas(ws)
    _profile(ws, *swaps)
    run_stages(ws, NIGHT)
    _confirm(ws, confirmation)
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    return ws


def _by_bsn(ws) -> dict[str, tuple[dict[str, str], list[list[str]]]]:
    return {next(s for s in body if s[0] == "BSN")[2]: (ids, body) for ids, body in _sets(ws)}


def _findings(ws, *codes: str) -> list[dict]:
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return [f for f in state.findings() if f["partner"] == "ulta" and (not codes or f["code"] in codes)]
    finally:
        state.close()


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    return _night(tmp_path_factory.mktemp("multistop") / "ws")


def _s_level(body: list[list[str]]) -> list[list[str]]:
    o = next(k for k, s in enumerate(body) if s[0] == "HL" and s[3] == "O")
    return body[2:o]


def test_a_csv_load_for_two_dcs_is_one_856_per_stop(night):
    """Two 856s, BSN02 UL-SHP-01-ST1 (Fresno, the first row's place) and -ST2 (Dallas), each with its own control
    numbers, its own N1*ST (and N3/N4), its PO's order loop, carton and items alone (HL chain, CTT, SE counted), its
    own SSCC, and the load's carrier and bill of lading. Nothing held."""
    asns = _by_bsn(night)
    assert sorted(asns) == [STOP_1, STOP_2]
    assert _findings(night, "SHIPMENT_SHIP_TOS_MIXED", "ASN_NOT_BUILT") == []
    (ids_1, first), (ids_2, second) = asns[STOP_1], asns[STOP_2]
    assert (ids_1["isa13"], ids_1["st02"]) != (ids_2["isa13"], ids_2["st02"])
    ssccs = {STOP_1: _check_asn(first, PO_A), STOP_2: _check_asn(second, PO_B)}
    assert len(ssccs[STOP_1]) == len(ssccs[STOP_2]) == 1 and not set(ssccs[STOP_1]) & set(ssccs[STOP_2])
    for body, dc in ((first, FRESNO), (second, DALLAS)):
        s_level = _s_level(body)
        assert [s for s in s_level if s[:2] == ["N1", "ST"]] == [dc]
        assert ["REF", "BM", "BOL-UL-4401"] in s_level and next(s for s in s_level if s[0] == "TD5")[3] == "FXFE"
        assert sum(s[:2] == ["N1", "ST"] for s in body) == 1
    assert ["N4", "DALLAS", "TX", "75207", "US"] in _s_level(second)
    assert ["N4", "FRESNO", "CA", "93722", "US"] in _s_level(first)


def test_each_stop_s_856_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    from tests.test_mark_for import accepted

    files = sorted({ids["file"] for ids, _body in _sets(night)})
    assert len(files) == 2
    for name in files:
        accepted((night.drop_root / "ulta" / "outbox" / name).read_bytes(), tmp_path, maps)


def test_each_stop_is_recorded_once_and_status_shows_its_856_and_810(night):
    """The state records each stop as a shipment of the load's heading (bill of lading, carrier) with its PO's lines
    alone; the shipped quantities are counted once (the reconciliation's 856 lines: each line on its stop's 856
    only); status shows each PO's stop with its 856, and its 810 (Ulta: per order)."""
    from connectors.state import StateStore
    from flows.cli import app

    ws = night
    asns = _by_bsn(ws)
    state = StateStore(ws.state_path)
    try:
        shipments = {s.shipment_id: s for s in state.shipments() if s.partner == "ulta"}
        recorded = state.fulfilment_lines().to_pylist()
        orders = {o.key[1]: o.state.value for o in state.orders() if o.key[0] == "ulta"}
    finally:
        state.close()
    assert sorted(shipments) == [STOP_1, STOP_2]
    for sid, po in ((STOP_1, PO_A), (STOP_2, PO_B)):
        s = shipments[sid]
        assert (s.bill_of_lading, s.carrier_scac, s.asn_doc_key) == ("BOL-UL-4401", "FXFE", f"856:east:{sid}")
        assert {ln.po_number for ln in s.lines} == {po}
        mine = [r for r in recorded if r["doc_type"] == "856" and r["po_number"] == po]
        assert {(r["document_ref"], r["shipment_id"]) for r in mine} == {(sid, sid)}
        assert {r["line_id"]: r["quantity"] for r in mine} == CONFIRMED[po]  # once each
        res = CliRunner().invoke(app, ["status", po, "--json", "-w", str(ws.root)], env={"COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        (shown,) = doc["shipments"]
        assert shown["shipment_id"] == sid and shown["asn"]["file_name"] == asns[sid][0]["file"]
        assert len(doc["invoices"]) == 1
    assert set(orders.values()) <= {"invoiced", "closed"}


def test_invoiced_per_shipment_each_stop_gets_its_810_naming_its_dc(tmp_path, maps):  # noqa: F811
    from tests.test_mark_for import accepted

    ws = _night(tmp_path / "ws", PER_SHIPMENT)
    assert sorted(_by_bsn(ws)) == [STOP_1, STOP_2]
    invoices = {next(s for s in body if s[0] == "BIG")[4]: body for _ids, body in _sets(ws, "810")}
    assert sorted(invoices) == [PO_A, PO_B]
    for sid, po, dc in ((STOP_1, PO_A, FRESNO), (STOP_2, PO_B, DALLAS)):
        assert ["REF", "SI", sid] in invoices[po] and dc in invoices[po]
    numbers = [next(s for s in body if s[0] == "BIG")[2] for body in invoices.values()]
    assert len(set(numbers)) == 2
    for path in sorted((ws.drop_root / "ulta" / "outbox").glob("ulta-8[15][06]-*.x12")):
        accepted(path.read_bytes(), tmp_path, maps)


def test_a_run_again_the_file_again_or_the_load_named_again_sends_nothing(tmp_path):
    from connectors.state import StateStore
    from tests.support import deliver_all, ship_stages

    ws = _night(tmp_path / "ws", PER_SHIPMENT)
    outbox = ws.drop_root / "ulta" / "outbox"
    before = sorted(p.name for p in outbox.iterdir())
    assert len([p for p in before if "-856-" in p]) == 2 and len([p for p in before if "-810-" in p]) == 2
    ship_stages(ws, SHIP_DAY, run_id="day1-again")  # nothing waiting: nothing built
    _confirm(ws, name="east-shipments-20261127-again.csv")  # the same bytes again
    ship_stages(ws, SHIP_DAY, run_id="day1-file-again")
    # a corrected confirmation naming UL-SHP-01 again (a new carton, Dallas's PO alone): the load, recorded as stops
    _confirm(ws, "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
             "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID,Mark For Store\n"
             f"UL-SHP-01,2026-11-27,14:05,FXFE,,,BOL-UL-4401,{PO_B},1,SKU-1016,1,EA,UL-C9,2,LB,,\n",
             name="east-shipments-20261127-resent.csv")
    ship_stages(ws, SHIP_DAY, run_id="day1-resent")
    deliver_all(ws, SHIP_DAY)
    assert sorted(p.name for p in outbox.iterdir()) == before
    state = StateStore(ws.state_path)
    try:
        codes = Counter(f["code"] for f in state.findings())
        resent = [f for f in state.findings() if f["run_id"] == "day1-resent"]
        sids = sorted(s.shipment_id for s in state.shipments() if s.partner == "ulta")
        keys = [r.key for r in state.orders() if r.key[0] == "ulta"]
        shipped = {po: {r["line_id"]: Decimal(r["shipped"]) for r in state.line_table_for(keys).to_pylist()
                        if r["po_number"] == po} for _partner, po in keys}
        reserved = [r["quantity"] for r in state.reservation_table_for(keys).to_pylist()]
    finally:
        state.close()
    assert codes["FILE_DUPLICATE"] >= 1 and codes["SHIPMENT_ID_DUPLICATE"] >= 1
    assert [f["message"] for f in resent if f["code"] == "SHIPMENT_ID_DUPLICATE"] == [
        "Shipment UL-SHP-01 was already recorded."]
    assert sids == [STOP_1, STOP_2]
    assert shipped == CONFIRMED  # each line shipped once, whatever came again
    assert sum(reserved) == 0  # the reservations consumed once: none left, none taken twice


def test_a_partner_taking_no_split_load_keeps_it_held(tmp_path):
    """fulfilment.multi_stop = "hold": the load is held as it was (SHIPMENT_SHIP_TOS_MIXED), no 856, nothing
    consumed."""
    ws = _night(tmp_path / "ws", HOLD)
    assert _by_bsn(ws) == {}
    [held] = _findings(ws, "SHIPMENT_SHIP_TOS_MIXED")
    assert held["message"] == ("Shipment UL-SHP-01 holds POs for 2 ship-tos (4500987712: 92 0894; 4500987730: 92 "
                               "0895): ulta's 856 names one ship-to for the shipment (N1*ST at the S level). Confirm "
                               "one shipment per destination.")
    assert held["consequence"].startswith("shipment UL-SHP-01 held: no 856, nothing consumed")


def test_a_carton_holding_lines_of_two_stops_holds_the_load(tmp_path):
    """Dallas's lines packed in Fresno's carton UL-C1: a carton goes to one place, the load cannot be split; it is
    held (SHIPMENT_SHIP_TOS_MIXED naming the carton), no 856."""
    text = next((FIXTURES / "shipments").iterdir()).read_text(encoding="utf-8").replace(",UL-C2,", ",UL-C1,")
    ws = _night(tmp_path / "ws", confirmation=text)
    assert _by_bsn(ws) == {}
    [held] = _findings(ws, "SHIPMENT_SHIP_TOS_MIXED")
    assert held["message"] == (
        "Shipment UL-SHP-01: carton UL-C1 holds lines for 2 ship-tos (92 0894: 4500987712; 92 0895: 4500987730): a "
        "carton goes to one place, so the load cannot be split into one 856 per stop. Build one carton per ship-to.")
    assert held["consequence"].startswith("shipment UL-SHP-01 held: no 856, nothing consumed")


# --- a 3PL's 945s of one load for two DCs (GXO, Tractor Supply) ------------------------------------------------------

def test_a_945_load_for_two_dcs_is_one_856_per_stop(tmp_path, maps):  # noqa: F811
    """GXO's two W06 sets name one load (W0604 GXO-7730011, one bill of lading and PRO), TS6900101 for DC 51 and
    TS6900102 for DC 52 (each set's N1 ST its PO's): one 856 per stop, each its own N1*ST, PRF, pallets and
    SSCCs, the load's REF*BM and CN; each accepted by our validator, Bots and pyx12."""
    from tests.retailer_support import segments
    from tests.test_mark_for import accepted
    from tests.test_rg69_3pl_945 import FIXTURES as RG69
    from tests.test_rg69_3pl_945 import ONE_LOAD, night_of, recounted_945s

    copy = tmp_path / "rg69"
    shutil.copytree(RG69, copy)
    for folder in (copy / "shipments").iterdir():
        if folder.name != "gxo":
            shutil.rmtree(folder)
    dc_52 = "N1*ST*TRACTOR SUPPLY DC 52*92*0052~\nN3*100 LOGISTICS WAY~\nN4*FRANKLIN*KY*42134*US~"
    dc_51 = "N1*ST*TRACTOR SUPPLY DC 51*92*0051~\nN3*2800 DISTRIBUTION DR~\nN4*WAVERLY*NE*68462*US~"
    po = copy / "drops" / "tractorsupply" / "tractorsupply-850-TS6900102.x12"
    po.write_text(po.read_text(encoding="utf-8").replace(dc_51, dc_52), encoding="utf-8")
    [path] = (copy / "shipments" / "gxo").iterdir()
    data = path.read_text(encoding="utf-8")
    for old, new in ONE_LOAD:
        data = data.replace(old, new)
    head, second = data.split("ST*945*1002")
    second = second.replace("~\n", "~")  # the second set's N1 ST (its PO's): DC 52
    assert dc_51.replace("\n", "") in second
    second = second.replace(dc_51.replace("\n", ""), dc_52.replace("\n", ""))
    path.write_bytes(recounted_945s((head + "ST*945*1002" + second).encode()))
    ws, found, states, results = night_of(copy, tmp_path / "ws")
    assert [f for f in found if f[1] == "error"] == [] and (results["gxo"].shipments, results["gxo"].held) == (2, 0)
    outbox = ws.drop_root / "tractorsupply" / "outbox"
    asns = {}
    for file in sorted(outbox.glob("*-856-*")):
        text = file.read_text(encoding="utf-8").replace("\n", "")
        segs = [s.split("*") for s in text.split("~") if s]
        asns[next(s for s in segs if s[0] == "BSN")[2]] = segs
        accepted(file.read_bytes(), tmp_path, maps)
    assert sorted(asns) == ["GXO-7730011-ST1", "GXO-7730011-ST2"]
    for sid, po_number, dc in (("GXO-7730011-ST1", "TS6900101", "0051"), ("GXO-7730011-ST2", "TS6900102", "0052")):
        body = asns[sid]
        assert [s[1] for s in body if s[0] == "PRF"] == [po_number]
        assert [s[4] for s in body if s[:2] == ["N1", "ST"]] == [dc]
        assert ["REF", "BM", "ODFL0101"] in body and ["REF", "CN", "PRO7301"] in body
        hls = [s for s in body if s[0] == "HL"]
        assert [h[1] for h in hls] == [str(k) for k in range(1, len(hls) + 1)]
        assert next(s for s in body if s[0] == "CTT")[1] == str(len(hls))
    ssccs = [[s[2] for s in body if s[:2] == ["MAN", "GM"]] for body in asns.values()]
    assert all(ssccs) and not set(ssccs[0]) & set(ssccs[1])
    assert segments(ws, "tractorsupply", "856")  # (delivered)
    assert (states[("tractorsupply", "TS6900101")], states[("tractorsupply", "TS6900102")]) == (
        "invoiced", "partially_shipped")


# --- numbering: a crash between numbering and writing (tests/test_numbering_crash.py's pattern) -------------------

TWO_PLACES = ("Shipment ID,Ship Date,Ship Time,Carrier,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"
              "S9,2026-11-27,14:10,UPSN,ACME-1000,1,SKU-1001,2,EA,C-9\n"
              "S9,2026-11-27,14:10,UPSN,ACME-7001,1,SKU-1001,2,EA,C-7\n")


def test_a_crash_between_numbering_and_writing_a_split_load_uses_no_number(template, tmp_path):  # noqa: F811
    """ACME's load S9 for DC01 (ACME-1000) and store 0001 (ACME-7001): the process dies while writing the stops'
    856s: no serial used, nothing recorded, the file waits. Run again: S9-ST1 and S9-ST2, SSCC serials 1 and 2 and
    invoice numbers 1 and 2 (an 810 per stop), each once; the load confirmed again sends nothing."""
    from connectors.state import StateStore
    from engine.sscc import serial_of
    from flows.workspace import open_workspace
    from tests.test_numbering_crash import Crash, crash_while_writing, drop, run, stored

    shutil.copytree(template, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    drop(ws, "a.csv", TWO_PLACES.encode())
    with pytest.raises(Crash):
        run(ws, datetime(2026, 11, 27, 14, 30), "crashed", render=crash_while_writing)
    ssccs, invoices, last_serial, last_invoice = stored(ws)
    state = StateStore(ws.state_path)
    try:
        assert (ssccs, invoices, last_serial, last_invoice) == ([], [], 0, 0) and state.shipments() == []
    finally:
        state.close()
    run(ws, datetime(2026, 11, 27, 14, 35), "again")
    ssccs, invoices, last_serial, last_invoice = stored(ws)
    assert sorted(serial_of(s, "0614141") for s in ssccs) == [1, 2] and last_serial == 2
    assert sorted(invoices) == ["INV0000001", "INV0000002"] and last_invoice == 2
    drop(ws, "b.csv", TWO_PLACES.replace(",C-9", ",C-19").encode())  # the load again, another carton label
    run(ws, datetime(2026, 11, 27, 15, 0), "twice")
    assert stored(ws) == (ssccs, invoices, 2, 2)
    state = StateStore(ws.state_path)
    try:
        assert sorted(s.shipment_id for s in state.shipments()) == ["S9-ST1", "S9-ST2"]
        assert {f["code"] for f in state.findings(run_id="twice")} >= {"SHIPMENT_ID_DUPLICATE"}
    finally:
        state.close()


# --- the stop ids ----------------------------------------------------------------------------------------------------

def test_a_stop_id_fits_bsn02_is_the_same_every_run_and_names_its_load():
    from engine.lifecycle.stops import load_of, stop_id, stop_prefix

    assert stop_id("UL-SHP-01", 2) == STOP_2 and stop_prefix("UL-SHP-01") == "UL-SHP-01-ST"
    long = stop_id("S" * 30, 999)
    assert len(long) == 30 and long.startswith("S" * 15 + "-") and long == stop_id("S" * 30, 999)
    assert stop_id("S" * 30, 1)[:-1] != stop_id("S" * 29 + "T", 1)[:-1]  # the hash of the whole id
    assert len(stop_id("S" * 24, 999)) == 30 and stop_id("S" * 24, 1) == "S" * 24 + "-ST1"
    with pytest.raises(ValueError):
        stop_id("S9", 1000)
    loads = {stop_prefix(s): s for s in ("S9", "S9-ST1", "S" * 30)}
    assert load_of("S9-ST1", loads) == "S9" and load_of("S9-ST12", loads) == "S9"
    assert load_of("S9-ST1-ST2", loads) == "S9-ST1" and load_of(stop_id("S" * 30, 7), loads) == "S" * 30
    assert [load_of(p, loads) for p in ("S9-ST", "S9-ST0", "S9-STORE", "S9-ST1X", "S10-ST1", "S9")] == [None] * 6


def test_the_profile_setting_defaults_to_split_and_takes_hold_alone():
    from pydantic import ValidationError

    from schemas.fulfilment import FulfilmentSettings

    assert FulfilmentSettings().multi_stop == "split"
    assert FulfilmentSettings.model_validate({"multi_stop": "hold"}).multi_stop == "hold"
    with pytest.raises(ValidationError):
        FulfilmentSettings.model_validate({"multi_stop": "per_stop"})



# --- a 945 naming one ship-to for a PO whose lines go to two stops ----------------------------------------------------

def test_a_945_naming_one_ship_to_for_lines_of_two_stops_holds_the_load(tmp_path):
    """Ace's co-op order (tests/test_line_ship_to_held.py): lines 1 (Smith's store) and 2 (Jones's) in one 945 set
    whose N1 ST names Smith's. Split by stop, Jones's stop would announce goods the 3PL says went to Smith: the
    945's ship-to is compared with each stop's (SHIPMENT_SHIP_TO_MISMATCH, naming the stop) and the load is held,
    no 856. The same set naming no ship-to ships as two stops."""
    from connectors.state import StateStore
    from tests.retailer_support import po_segments, segments
    from tests.support import deliver_all, ship_stages
    from tests.test_line_ship_to_held import MEMBER_LINES, RSC, SHIP_DAY, _approved, _workspace

    def shipped(root: Path, ship_to: list[str]) -> tuple[list[list[str]], list[dict]]:
        ws = _approved(_workspace(root, [RSC], MEMBER_LINES))
        body = ["W06*N*DO-1*20261128*DS-SHP-01**DS9900001", *ship_to, "N9*BM*BOL-9", "G62*11*20261128*8*1315",
                "W27*M*UPSN"]
        for line, part, qty in ((1, "VP-1020", 5), (2, "VP-1021", 1)):
            body += [f"LX*{line}", f"MAN*GM*0000733940000005{line:03d}", f"W12*CC*{qty}*{qty}**EA**VN*{part}**9*G*L",
                     f"N9*LI*{line}"]
        segs = ["ISA*00*          *00*          *ZZ*NORTH3PL       *ZZ*ORDERBRIDGE    *261128*1430*U*00401*000000941*0"
                "*P*>", "GS*SW*NORTH3PL*ORDERBRIDGE*20261128*1430*941*X*004010", "ST*945*0001", *body,
                f"SE*{len(body) + 2}*0001", "GE*1*941", "IEA*1*000000941"]
        inbox = ws.warehouse_drop_root / "north" / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "north-load.x12").write_text("".join(s + "~" for s in segs), encoding="utf-8")
        ship_stages(ws, SHIP_DAY, run_id="ship-load")
        deliver_all(ws, SHIP_DAY)
        state = StateStore(ws.state_path)
        try:
            found = [f for f in state.findings() if f["run_id"] == "ship-load"]
        finally:
            state.close()
        return segments(ws, "acehardware", "856"), found

    asns, found = shipped(tmp_path / "smith", ["N1*ST*SMITH ACE HARDWARE*92*15522"])
    assert not [s for s in asns if s[0] == "BSN"]
    [wrong] = [f for f in found if f["severity"] == "error"]
    assert wrong["code"] == "SHIPMENT_SHIP_TO_MISMATCH" and wrong["consequence"].startswith("shipment DS-SHP-01 held")
    assert wrong["message"].startswith("Shipment DS-SHP-01 (stop 2) went to 92 15522 (N1 ST); order DS9900001 line 2 "
                                       "ships to 92 16001 (JONES ACE HARDWARE)")
    # naming no ship-to: its N1 loop (one X12 requires in a 945) names the ship-from alone
    asns, found = shipped(tmp_path / "none", ["N1*SF*NORTH 3PL DC"])
    assert not [f for f in found if f["severity"] == "error"], [(f["code"], f["message"]) for f in found]
    assert {sid: [s[1:5] for s in po_segments(asns, sid, "BSN") if s[:2] == ["N1", "ST"]]
            for sid in ("DS-SHP-01-ST1", "DS-SHP-01-ST2")} == {
        "DS-SHP-01-ST1": [["ST", "SMITH ACE HARDWARE", "92", "15522"]],
        "DS-SHP-01-ST2": [["ST", "JONES ACE HARDWARE", "92", "16001"]]}


def test_stops_are_numbered_by_their_first_row_and_a_box_of_two_stops_is_named():
    """number_stops: 1, 2 ... in the order of each place's first row, the same place by same_party (its id with its
    qualifier, else its name), 0 outside the loads; boxes_mixed: a carton (by its SSCC, else its label) of two
    stops, once, at its first row."""
    import pyarrow as pa

    from engine.lifecycle.stops import boxes_mixed, number_stops

    dc1 = {"ship_to_name": "DC 1", "ship_to_id_qualifier": "92", "ship_to_id": "0001"}
    dc2 = {"ship_to_name": "DC 2", "ship_to_id_qualifier": "92", "ship_to_id": "0002"}
    again = {"ship_to_name": "Another name", "ship_to_id_qualifier": "92", "ship_to_id": "0002"}
    sids = ["L1", "L1", "L1", "L1", "L2"]
    numbers, known = number_stops(sids, [dc2, dc1, again, None, dc1], {"L1"})
    assert numbers == [1, 2, 1, 3, 0] and known == {"L1": [dc2, dc1, None]}
    lines = pa.table({"shipment_id": sids, "po_number": ["A", "B", "A", "C", "D"], "line_id": ["1"] * 5,
                      "carton_id": ["C1", "C2", "C2", "C3", "C2"], "carton_sscc": [None, None, None, None, None],
                      "pallet_id": [None] * 5, "pallet_sscc": [None] * 5, "source_file": ["f.csv"] * 5,
                      "isa13": [None] * 5, "gs06": [None] * 5, "st02": [None] * 5})
    [(row, f)] = boxes_mixed(lines, numbers, known)
    assert row == 1 and f.code == "SHIPMENT_SHIP_TOS_MIXED" and f.message.startswith(
        "Shipment L1: carton C2 holds lines for 2 ship-tos (92 0001: B; 92 0002: A): a carton goes to one place")
    assert boxes_mixed(lines, [1, 2, 2, 3, 0], known) == []


# --- a flat charge per shipment of a load: once per load, on its first stop's 810 -------------------------------------
FREIGHT = '\n[[fulfilment.invoice.charges]]\nkind = "C"\ncode = "D240"\namount = "45.00"\nper = "shipment"\n'
HANDLING = '\n[[fulfilment.invoice.charges]]\nkind = "C"\ncode = "H090"\namount = "3.00"\nper = "order"\n'


def _charged(ws, charges: str, *swaps: tuple[str, str]):
    return _night(ws, *swaps, ("[drop]\n", charges + "\n[drop]\n"))


def _sacs(ws) -> dict[str, list[tuple[str, str, str]]]:
    """Per PO billed (each once): its 810's SACs (SAC01, SAC02, SAC05), its REF*SI and its TDS01."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for _ids, body in _sets(ws, "810"):
        po = next(s for s in body if s[0] == "BIG")[4]
        assert po not in out, f"{po} billed twice"
        out[po] = [tuple(s[1:3]) + (s[5],) for s in body if s[0] == "SAC"]
        out[po] += [("SI", "", s[2]) for s in body if s[:2] == ["REF", "SI"]]
        out[po] += [("TDS", "", s[1]) for s in body if s[0] == "TDS"]
    return out


@pytest.mark.parametrize("swaps", [(PER_SHIPMENT,), ()], ids=["810-per-stop", "810-per-order"])
def test_a_flat_charge_per_shipment_is_billed_once_per_load_on_the_first_stop(tmp_path, swaps):
    """The load's freight (45.00 per shipment, Ulta's agreement) goes on the first stop's 810 (Fresno's PO, the
    confirmation's first row) alone: each stop's 810 used to bill it, 90.00 for one truck. A charge per order
    (3.00 handling) is still on each PO's 810. The reconciliation finds the freight billed once: nothing over."""
    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    ws = _charged(tmp_path / "ws", FREIGHT + HANDLING, *swaps)
    got = _sacs(ws)
    assert sorted(got) == [PO_A, PO_B]
    assert [s for s in got[PO_A] if s[0] == "C"] == [("C", "D240", "4500"), ("C", "H090", "300")]
    assert [s for s in got[PO_B] if s[0] == "C"] == [("C", "H090", "300")]  # no second 45.00
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 11, 28, 2), run_id="recon")
        found = {x["type"] for x in state.stored_exceptions(active=True).to_pylist()}
    finally:
        state.close()
    assert not {t for t in found if "CHARGE" in t or "TOTAL" in t}, found
    import pyarrow.parquet as pq

    folder = ws.reports_dir / "recon" / "finance" / "data"
    rows = {r["po_number"]: r for r in pq.read_table(folder / "invoices.parquet").to_pylist()}
    assert (rows[PO_A]["charges"], rows[PO_B]["charges"]) == (Decimal("48.00"), Decimal("3.00"))
    assert sum(r["charges"] for r in rows.values()) == Decimal("51.00")  # the freight counted once
