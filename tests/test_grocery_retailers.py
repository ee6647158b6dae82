"""Grocery retailers' orders, as they write them, through inspect and real nights (intake, rules, 855, the
DC's shipment confirmations, 856, 810): Kroger's modernized 5010 850s (ZZ KROGER, ship-to by DUNS+4, lines
in cases by UK case GTIN-14 and UP, off-invoice SAC allowances, MTX receiving notes, a pickup window),
Albertsons' 004010VICS 850s from 01/006927180 (a ship-to that is only a DUNS+4 N104, PO1 without PO101,
Safeway's random-weight PO105 PP) and its 860 (POC without POC01), Publix's 004010 850 (BEG02 NE, case
GTIN-14 only, a delivery window, ISA14 1). The workspace (profiles, reference data, stock, the warehouse)
and the files are tests/fixtures/rg2/; what is asserted was checked against the retailers' public guides:
Kroger's 810 wants N1*RI with a DUNS+4 (N103 9) and an address, N1*ST and DTM*011; its ASN one SSCC-18 per
pallet; Albertsons' ship-to is the DUNS+4 it sent."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support import REPO
from tests.test_wild_850 import _structure

FIXTURES = REPO / "tests" / "fixtures" / "rg2"
DROPS = FIXTURES / "drops"
NIGHT1, SHIP, NIGHT2 = datetime(2026, 12, 1, 2), datetime(2026, 12, 3, 6, 20), datetime(2026, 12, 2, 2)
PARTNER_FILES = {"kroger": ["kroger-850-dc-5010.x12", "kroger-850-two-pos-5010.x12"],
                 "albertsons": ["albertsons-850-whs-4010.x12", "safeway-850-random-weight-4010.x12"],
                 "publix": ["publix-850-4010.x12"]}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=600)


def grocery_workspace(root: Path):
    """The grocery workspace: profiles, reference data, the stock snapshot, the east DC; each partner's 850s
    in its inbox."""
    from connectors.reference import read_reference_csv
    from connectors.snapshots import write_receipts, write_snapshot
    from flows.workspace import open_workspace
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    ws = open_workspace(root)
    for folder in ("partners", "reference", "warehouses"):
        shutil.copytree(FIXTURES / folder, ws.root / folder)
    stock = read_reference_csv((FIXTURES / "stock.csv").read_bytes(), name="stock.csv", schema=INVENTORY_SNAPSHOT)
    write_snapshot(ws.inventory_dir / "snapshots", stock)
    write_receipts(ws.inventory_dir / "receipts.parquet", EXPECTED_RECEIPTS.empty_table())
    for pid, names in PARTNER_FILES.items():
        inbox = ws.drop_root / pid / "inbox"
        inbox.mkdir(parents=True)
        for name in names:
            shutil.copy2(DROPS / name, inbox / name)
    return ws


def _outbox(ws, pid: str, kind: str) -> list[str]:
    """The partner's documents of one type, as segment lists, in the order they were numbered."""
    return [p.read_text().replace("\n", "").split("~")
            for p in sorted((ws.drop_root / pid / "outbox").glob(f"{pid}-{kind}-*.x12"))]


def _doc_for(docs: list[list[str]], needle: str) -> list[str]:
    [doc] = [d for d in docs if any(s.startswith(needle) for s in d)]
    return doc


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Night 1 (the 850s), then the east DC's confirmations of December 3 (856s, 810s), delivered."""
    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages, ship_stages

    ws = grocery_workspace(tmp_path_factory.mktemp("grocery") / "ws")
    first, night = run_stages(ws, NIGHT1)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for f in (FIXTURES / "shipments").iterdir():
        shutil.copy2(f, inbox / f.name)
    shipped = ship_stages(ws, SHIP, run_id="ship1")
    deliver_all(ws, SHIP)
    state = StateStore(ws.state_url)
    try:
        orders = {o.key: o.state.value for o in state.orders()}
    finally:
        state.close()
    codes = {f["code"] for r in first for f in r.findings} | {f.code for f in night.findings}
    return {"ws": ws, "night": night, "intake": first, "shipped": shipped, "orders": orders, "codes": codes}


def test_inspect_reads_every_grocery_po_without_an_error():
    for names in PARTNER_FILES.values():
        for name in names:
            out = _cli("inspect", str(DROPS / name), "--json")
            assert out.returncode == 0, (name, out.stdout[-2000:], out.stderr[-2000:])
            assert '"severity": "error"' not in out.stdout, name


def test_every_po_is_acknowledged_with_its_lines_as_sent(nights):
    ws = nights["ws"]
    assert all(state in ("acknowledged", "shipped", "partially_shipped", "invoiced", "closed")
               for state in nights["orders"].values()), nights["orders"]
    assert {po for _pid, po in nights["orders"]} == {"0417731095", "0417731102", "0417731103", "8812345", "8812399",
                                                      "4500123456"}
    kroger = _outbox(ws, "kroger", "855")
    dc = _doc_for(kroger, "BAK*00*AD*0417731095")
    assert "REF*IA*778899" in dc and "N1*ST*KROGER ATLANTA DC*9*0069275640123" in dc  # the profile's [acks.po_ack]
    assert [s for s in dc if s.startswith("ACK")] == ["ACK*IA*40*CA*068*20261201", "ACK*IA*15*CA*068*20261201",
                                                      "ACK*IA*10*CA*068*20261201"]
    # line 2 names GRO-101 by its consumer UPC alone (the item's gtin is its case GTIN-14): accepted, not IR;
    # the PO ships not before December 3 (DTM 037, a pickup window): its lines are scheduled for that day
    two = _doc_for(kroger, "BAK*00*AD*0417731102")
    assert [s for s in two if s.startswith("ACK")] == ["ACK*IA*60*CA*068*20261203", "ACK*IA*144*EA*068*20261203"]
    assert "DTM*068*20261203" in two
    albertsons = _outbox(ws, "albertsons", "855")
    whs = _doc_for(albertsons, "BAK*00*AD*8812345")
    assert [s for s in whs if s.startswith("ACK")] == ["ACK*IA*24*CA*068*20261207", "ACK*IA*30*CA*068*20261207"]
    rw = _doc_for(albertsons, "BAK*00*AD*8812399")
    assert "PO1*1*12*CA*4.15*PP*UP*712345000514*VN*GRO-105" in rw  # random weight: per pound, as sent
    [publix] = _outbox(ws, "publix", "855")
    assert "BAK*00*AD*4500123456*20261130*****20261201" in publix
    assert [s for s in publix if s.startswith("ACK")] == ["ACK*IA*50*CA*068*20261201", "ACK*IA*8*CA*068*20261201",
                                                          "ACK*IA*30*CA*068*20261201"]
    [ta1] = _outbox(ws, "publix", "TA1")  # ISA14 = 1 and the profile's ta1 = "requested"
    assert "TA1*000300071*261130*0412*A*000" in ta1


def test_the_997s_accept_every_set(nights):
    ws = nights["ws"]
    kroger = _outbox(ws, "kroger", "997")
    assert ["AK1*PO*4711*005010", "AK2*850*0001", "AK5*A", "AK9*A*1*1*1"] == [s for s in kroger[0] if s[:2] == "AK"]
    assert [s for s in kroger[1] if s[:2] == "AK"][-1] == "AK9*A*2*2*2"
    for doc in _outbox(ws, "albertsons", "997"):
        assert [s for s in doc if s.startswith("AK9")] == ["AK9*A*1*1*1"]
        assert any(s.startswith("AK2*850*5200") for s in doc)  # ST02 of nine characters, echoed whole


def test_what_is_noted_is_true(nights):
    codes = nights["codes"]
    assert "ITEM_UNKNOWN" not in codes and "SHIP_TO_UNKNOWN" not in codes and "PRICE_MISMATCH" not in codes
    # Kroger's off-invoice allowances (SAC12 02) are on its 810s (TDS less them, below): nothing left to agree, no
    # SAC_NOT_APPLIED (it was raised although our 810s carry them)
    assert "SAC_NOT_APPLIED" not in codes
    assert "NOTES_NOT_KEPT" in codes  # Kroger's 5010 MTX receiving note
    assert "CATCH_WEIGHT_LINE" in codes  # Safeway's PO105 PP line, acknowledged as sent


def test_kroger_856_and_810_carry_what_its_guides_require(nights):
    ws = nights["ws"]
    [asn] = _outbox(ws, "kroger", "856")
    assert "BSN*00*SHP-K01*20261203*0620*0001" in asn
    assert "N1*ST*KROGER ATLANTA DC*9*0069275640123" in asn and "REF*BM*BOL-K01" in asn
    assert [s for s in asn if s.startswith("PRF")] == ["PRF*0417731095***20261130", "PRF*0417731102***20261130"]
    packs = [s for s in asn if s.startswith("MAN*GM*")]
    assert len(packs) == 4 and len(set(packs)) == 4  # one SSCC-18 per pallet
    invoices = _outbox(ws, "kroger", "810")
    inv = _doc_for(invoices, "BIG*20261203*INV0000001*20261130*0417731095")
    i = inv.index("N1*RI*OrderBridge Supply Inc*9*0614141000001")  # remit-to by DUNS+4, with its address
    assert inv[i + 1:i + 3] == ["N3*PO Box 4410", "N4*Newark*NJ*07101*US"]
    assert "N1*ST*KROGER ATLANTA DC*9*0069275640123" in inv and "DTM*011*20261203" in inv
    assert "ITD*01*3*2**10**30" in inv  # no agreed terms: the PO's own
    # 40 x 18.60 + 15 x 31.20 + 10 x 54.00 = 1752.00, less the PO's off-invoice F800 allowance (96.00)
    assert "TDS*165600" in inv


def test_kroger_810s_take_the_po_s_off_invoice_allowances_and_finance_sees_them_taken(nights):
    """Kroger's SAC12 02 allowances (a flat 96.00 on a line, 0.35 per case on another PO's line) are taken on
    its 810s, after their IT1, and TDS is less them; the finance report's charge reconciliation finds them
    taken (it flagged allowance_not_taken while the 810 billed the full 744.00)."""
    import pyarrow.parquet as pq

    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    ws = nights["ws"]
    invoices = _outbox(ws, "kroger", "810")
    inv = _doc_for(invoices, "BIG*20261203*INV0000001*20261130*0417731095")
    at = inv.index("IT1*1*40*CA*18.6**UK*10712345000115*UP*712345000118")
    assert inv[at + 1:at + 3] == ["PID*F****DICED TOMATOES 14.5 OZ", "SAC*A*F800***9600*******02"]
    assert inv[at + 3].startswith("IT1*2*") and [s for s in inv if s.startswith("SAC")] == [
        "SAC*A*F800***9600*******02"]
    promo = _doc_for(invoices, "BIG*20261203*INV0000002*20261130*0417731102")
    at = promo.index("IT1*1*60*CA*30.72**UP*712345000415*VN*GRO-104")
    assert promo[at + 2] == "SAC*A*F800***2100***0.35*CA*60**02*PROMO4471"  # 60 cases x 0.35
    assert "TDS*182220" in promo  # 1843.20 - 21.00
    state = StateStore(ws.state_url)
    try:
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 4, 2), run_id="recon-grocery")
    finally:
        state.close()
    rows = pq.read_table(ws.reports_dir / "recon-grocery" / "finance" / "data" / "charges.parquet").to_pylist()
    f800 = {r["po_number"]: r for r in rows if r["partner"] == "kroger" and r["code"] == "F800"}
    assert f800["0417731095"]["billed_value"] == f800["0417731095"]["expected_on_invoice"] == Decimal("96.00")
    assert f800["0417731095"]["flag"] is None, f800["0417731095"]["note"]
    assert f800["0417731102"]["billed_value"] == Decimal("21.00")
    assert f800["0417731102"]["flag"] != "allowance_not_taken", f800["0417731102"]["note"]


def test_albertsons_856_is_shipment_order_tare_pack_item(nights):
    ws = nights["ws"]
    asns = _outbox(ws, "albertsons", "856")
    asn = _doc_for(asns, "BSN*00*SHP-A01")
    levels = [s.split("*")[3] for s in asn if s.startswith("HL*")]
    assert levels == ["S", "O", "T", "P", "I", "P", "I", "T", "P", "I"]
    assert "N1*ST**9*0069271800103" in asn  # the ship-to as it was sent: an id, no name
    tares = [s for s in asn if s.startswith("MAN*GM*001")]  # pallets: extension digit 1
    assert len(tares) == 2
    rw = _doc_for(_outbox(ws, "albertsons", "810"), "IT1*1*241.6*LB*4.15*PP")  # billed by the weight shipped
    assert "TDS*197464" in rw  # 241.6 lb x 4.15 + 18 x 54.00


def test_publix_856_ships_pallets_whole_and_810_per_order(nights):
    ws = nights["ws"]
    [asn] = _outbox(ws, "publix", "856")
    assert [s.split("*")[3] for s in asn if s.startswith("HL*")] == ["S", "O", "T", "I", "T", "I", "I"]
    assert "TD1*PLT94*2****G*1788*LB" in asn
    [inv] = _outbox(ws, "publix", "810")
    assert [s for s in inv if s.startswith("IT1")] == ["IT1*1*50*CA*31.2**UK*10712345000214",
                                                       "IT1*2*8*CA*49.28**UK*10712345000610*VN*GRO-106",
                                                       "IT1*3*30*CA*18.6**UK*10712345000115"]
    assert "TDS*251224" in inv


def test_albertsons_860_without_poc01_changes_the_line_it_names(tmp_path):
    """Night 1 takes Albertsons' PO; night 2 its 860: a quantity cut and a date change on lines it names by
    UPC only (no POC01, as its PO1s had no PO101). The 865 answers each line."""
    from tests.support import run_stages

    ws = grocery_workspace(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    shutil.copy2(DROPS / "albertsons-860-4010.x12", ws.drop_root / "albertsons" / "inbox")
    results, night = run_stages(ws, NIGHT2)
    codes = {f["code"] for r in results for f in r.findings} | {f.code for f in night.findings}
    assert "CHANGE_LINE_UNKNOWN" not in codes, codes
    [ack] = [d for d in _outbox(ws, "albertsons", "865")]
    assert "BCA*00*AD*8812345***20261130****20261202*20261130" in ack
    assert ["ACK*IQ*18*CA", "ACK*IA*30*CA*068*20261209"] == [s for s in ack if s.startswith("ACK")]


def test_5010_mtx_notes_are_quoted_like_msg():
    """005010's N9 loop carries its free text in MTX (MSG left the 850's N9 loops in 005010). Kroger's 5010
    receiving note was dropped without a word where the same note under 004010's MSG is quoted for a person."""
    body = ["BEG*00*SA*PO-N**20261126", "DTM*002*20261215", "N9*L1*RECEIVING", "MTX*DEL*APPOINTMENT REQUIRED",
            "N1*ST*Acme Store 2*92*0002", "PO1*1*12*EA*19.70**UP*614141100101", "N9*L1*LINE NOTE",
            "MTX**KEEP FROZEN", "CTT*1"]
    found = _structure(body, version="005010", isa12="00501", repetition="^")
    assert [f for f in found if f.severity == "error"] == []
    [f] = [f for f in found if f.code == "NOTES_NOT_KEPT"]
    assert (f.location.segment_id, f.location.element, f.location.value) == ("MTX", "MTX02", "APPOINTMENT REQUIRED")
    assert "(N9 L1 RECEIVING) 'APPOINTMENT REQUIRED'; (line 1, N9 L1 LINE NOTE) 'KEEP FROZEN'. Pass" in f.message


def test_a_ship_window_moves_the_acknowledged_ship_day_to_its_first_day():
    """The day an 855 schedules a PO for: DTM 010, or DTM 037 (ship not before) when later or alone."""
    from datetime import date

    import pyarrow as pa

    from engine.lifecycle.decisions import _ship_from

    d1, d3, d5 = date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 5)
    orders = pa.table({"ship_not_before": pa.array([d3, d3, d3, None, None], pa.date32())})
    assert _ship_from(orders, [None, d1, d5, None, d3]) == [d3, d3, d5, None, d3]
