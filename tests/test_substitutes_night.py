"""A superseded part accepted as its substitute, through a whole night and the next: a partner whose profile
accepts substitutes ([rules] substitutes = "accept") orders SKU-1008, which items.csv says is discontinued and
replaced by SKU-1001 (replaced_by). The 855 answers the line ACK*IS naming the new part in the qualifiers the
buyer sent (UP, VN, BP); the warehouse confirms SKU-1001 for the line; the 856 and 810 keep the buyer's line
number and BP and name the part shipped; reconciliation finds nothing to chase. The switch off (the default):
the line is rejected as before (IR, ITEM_DISCONTINUED naming the replacement)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from tests.support import GOOD_PO, run_night, shipping_workspace, x12_850

NIGHT, NEXT = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
          "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n")
# line 1 names the old part (SKU-1008: UPC 614141100590, vendor part VP-1008) with the buyer's own number
OLD_PART = "PO1*1*12*EA*19.70*PE*UP*614141100590*VN*VP-1008*BP*ACME-OLD-8"
OTHER = "PO1*2*12*EA*19.70*PE*VN*VP-1001"


def _row(line: str, sku: str, qty: str) -> str:
    return f"SHP-9,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-9,PO-1,{line},{sku},{qty},EA,C-9,60.5,LB,\n"


def _workspace(tmp_path, *, accept: bool, line: str = OLD_PART):
    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    if accept:
        path = ws.root / "partners" / "acme.toml"
        path.write_text(path.read_text().replace("[rules]\n", '[rules]\nsubstitutes = "accept"\n', 1))
    items = ws.reference_dir / "items.csv"
    rows = items.read_text(encoding="utf-8").splitlines()
    items.write_text("\n".join([rows[0] + ",replaced_by"] + [
        r + (",SKU-1001" if r.startswith("SKU-1008,") else ",") for r in rows[1:] if r.strip()]) + "\n",
        encoding="utf-8")
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + [line, OTHER, "CTT*2"]))
    return ws


def _segments(content: bytes) -> list[list[str]]:
    text = content.decode()
    element, term = text[3], text[105]
    return [s.strip().split(element) for s in text.split(term) if s.strip()]


def _outbox(ws, doc_type: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((ws.drop_root / "acme" / "outbox").iterdir())
            if p.name.split("-")[1] == doc_type]


def _status(ws) -> dict:
    from connectors.state import StateStore
    from flows.status import story

    state = StateStore(ws.state_path)
    try:
        [record] = [o for o in state.orders() if o.po_number == "PO-1"]
        return story(state, record)
    finally:
        state.close()


def _status_text(ws) -> str:
    from typer.testing import CliRunner

    from flows.cli import app

    res = CliRunner().invoke(app, ["status", "PO-1", "--partner", "acme", "-w", str(ws.root)],
                             env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    return res.output


def test_a_night_with_a_superseded_part_accepted_as_its_substitute(tmp_path, tmp_path_factory):
    from connectors.state import StateStore
    from flows import steps
    from parsers.x12_reader import read_interchanges
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check, pyx12_map_folders
    from tests.test_pyx12_outbound import pyx12_accepts

    ws = _workspace(tmp_path, accept=True)
    run_night(ws, NIGHT)
    [ack] = _outbox(ws, "855")
    segs = _segments(ack)
    # BAK02 AC (acknowledged with detail and change); the line echoed as sent, its ACK IS naming the new part in
    # the qualifiers the buyer sent (UP, VN, and BP through acme's cross-reference: ACME-5000 is SKU-1001)
    assert [s for s in segs if s[0] in ("BAK", "PO1", "ACK")] == [
        ["BAK", "00", "AC", "PO-1", "20261126", "", "", "", "", "20261127"],
        ["PO1", "1", "12", "EA", "19.7", "PE", "UP", "614141100590", "VN", "VP-1008", "BP", "ACME-OLD-8"],
        ["ACK", "IS", "12", "EA", "068", "20261210", "", "UP", "614141100101", "VN", "VP-1001", "BP", "ACME-5000"],
        ["PO1", "2", "12", "EA", "19.7", "PE", "VN", "VP-1001"], ["ACK", "IA", "12", "EA", "068", "20261210"]]
    # the warehouse ships the new part for line 1
    confirmations = ws.warehouse_drop_root / "east" / "inbox"
    confirmations.mkdir(parents=True, exist_ok=True)
    (confirmations / "shipments.csv").write_text(HEADER + _row("1", "SKU-1001", "12") + _row("2", "SKU-1001", "12"))
    run_night(ws, NEXT)
    [asn] = _outbox(ws, "856")
    [invoice] = [c for c in _outbox(ws, "810") if b"BIG*" in c]
    # the buyer's line number and BP as sent; the part shipped named by our ids (UP, VN) in the qualifiers sent
    assert [s for s in _segments(asn) if s[0] in ("LIN", "SN1")] == [
        ["LIN", "1", "UP", "614141100101", "VN", "VP-1001", "BP", "ACME-OLD-8"],
        ["SN1", "", "12", "EA", "", "12", "EA"],
        ["LIN", "2", "VN", "VP-1001"], ["SN1", "", "12", "EA", "", "12", "EA"]]
    assert [s for s in _segments(invoice) if s[0] == "IT1"] == [
        ["IT1", "1", "12", "EA", "19.7", "PE", "UP", "614141100101", "VN", "VP-1001", "BP", "ACME-OLD-8"],
        ["IT1", "2", "12", "EA", "19.7", "PE", "VN", "VP-1001"]]
    for content in (ack, asn, invoice):
        # our reader reads each back without an error; our outbound check, Bots and pyx12 with our maps accept it
        assert [f.code for f in read_interchanges(content).findings if f.severity == "error"] == []
        assert [f.code for f in validate_outbound(content) if f.severity == "error"] == []
        ok, errors = bots_check(content, tmp_path)
        assert ok, errors
        ok, answer = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
        assert ok, answer
    state = StateStore(ws.state_path)
    try:
        found = state.findings(po_number="PO-1", partner="acme")
        steps.reconcile_run(ws, ws.partners(), state, now=datetime(2026, 11, 28, 3), run_id="rc28")
        exceptions = [(e["type"], e["message"]) for e in state.stored_exceptions().to_pylist()]
        skus = [tuple(r) for r in state._q("SELECT line_number, sku, state, ack, shipped, invoiced, ordered_sku FROM "
                                           "order_lines WHERE po_number='PO-1' ORDER BY line_number")]
    finally:
        state.close()
    assert [f["code"] for f in found if f["code"].startswith("ITEM_")] == ["ITEM_SUBSTITUTED"]
    # `orderbridge status PO-1`: line 1 answered IS, its reason naming the part ordered and the part shipped
    [line1, _] = _status(ws)["lines"]
    assert (line1["sku"], line1["ack"], line1["codes"]) == ("SKU-1001", "IS", ["ITEM_SUBSTITUTED"])
    assert "Substituted SKU-1008 -> SKU-1001" in line1["reason"]
    assert "ITEM_DISCONTINUED" not in [f["code"] for f in found]
    # the line keeps the item ordered: status --json names it, the text says both parts
    assert (line1["substituted_from"], _["substituted_from"]) == ("SKU-1008", None)
    text = _status_text(ws)  # the lines table's reason column (the last), folded: read without the spaces
    reasons = "".join(row.split("│")[-2].strip() for row in text.splitlines() if row.startswith("│"))
    assert "orderedSKU-1008,substitutedbySKU-1001;" in reasons
    assert reasons.count("substitutedby") == 1
    # the line holds the part shipped (and the part ordered), answered IS, shipped and invoiced in full
    assert [(n, sku, ack, Decimal(shipped), Decimal(invoiced), ordered)
            for n, sku, _, ack, shipped, invoiced, ordered in skus] == [
        (1, "SKU-1001", "IS", 12, 12, "SKU-1008"), (2, "SKU-1001", "IA", 12, 12, "")]
    # ordered, acknowledged, shipped and invoiced agree line by line: nothing to chase but the partner's 997s
    assert [t for t, _ in exceptions if t != "DOCUMENT_UNACKNOWLEDGED"] == [], exceptions
    # finance's line rows name the part shipped and billed and the part ordered
    import pyarrow.parquet as pq

    reports = [p for p in ws.root.rglob("lines.parquet") if p.parent.name == "data"]
    assert reports
    for report in reports:  # each reconciliation's (the nights' and this one's, the cumulative)
        rows = pq.read_table(report).select(["po_number", "line_number", "sku", "ordered_sku"]).to_pylist()
        assert [r for r in rows if r["po_number"] == "PO-1"] == [
            {"po_number": "PO-1", "line_number": 1, "sku": "SKU-1001", "ordered_sku": "SKU-1008"},
            {"po_number": "PO-1", "line_number": 2, "sku": "SKU-1001", "ordered_sku": None}], report


def test_a_partner_without_the_items_suite_is_told_is_and_shipped_the_new_part_by_name(tmp_path):
    """acme's profile keeps every rule suite but "items": no ITEM_SUBSTITUTED is recorded for the line, yet it is
    decided on SKU-1001. The 855 still says IS (IA naming another part would be a silent substitution), the line
    keeps the item ordered, and the 856 and 810 name the part shipped, as with the warning."""
    from connectors.state import StateStore

    ws = _workspace(tmp_path, accept=True)
    path = ws.root / "partners" / "acme.toml"
    text = path.read_text()
    suites = 'rule_suites = ["quantities", "prices", "terms", "ship_to", "dates", "credit"]\n'
    path.write_text(text.replace("rule_suites = ", "# rule_suites = ", 1).replace("\n[", "\n" + suites + "[", 1))
    run_night(ws, NIGHT)
    [ack] = _outbox(ws, "855")
    assert [s for s in _segments(ack) if s[0] == "ACK"][0] == [
        "ACK", "IS", "12", "EA", "068", "20261210", "", "UP", "614141100101", "VN", "VP-1001", "BP", "ACME-5000"]
    confirmations = ws.warehouse_drop_root / "east" / "inbox"
    confirmations.mkdir(parents=True, exist_ok=True)
    (confirmations / "shipments.csv").write_text(HEADER + _row("1", "SKU-1001", "12") + _row("2", "SKU-1001", "12"))
    run_night(ws, NEXT)
    [asn] = _outbox(ws, "856")
    [invoice] = [c for c in _outbox(ws, "810") if b"BIG*" in c]
    assert [s for s in _segments(asn) if s[0] == "LIN"][0] == [
        "LIN", "1", "UP", "614141100101", "VN", "VP-1001", "BP", "ACME-OLD-8"]
    assert [s for s in _segments(invoice) if s[0] == "IT1"][0] == [
        "IT1", "1", "12", "EA", "19.7", "PE", "UP", "614141100101", "VN", "VP-1001", "BP", "ACME-OLD-8"]
    state = StateStore(ws.state_path)
    try:
        codes = [f["code"] for f in state.findings(po_number="PO-1", partner="acme")]
    finally:
        state.close()
    assert "ITEM_SUBSTITUTED" not in codes
    [line1, _] = _status(ws)["lines"]
    assert (line1["sku"], line1["ack"], line1["substituted_from"]) == ("SKU-1001", "IS", "SKU-1008")
    # the console's order page says it on the line, as status does
    from urllib.parse import urlencode

    from tests.support_console import Client, ConsoleServer, add_users

    add_users(ws.root)
    with ConsoleServer(ws.root) as server:
        c = Client(server.url)
        c.sign_in("vic")
        page = c.get("/order?" + urlencode({"partner": "acme", "po": "PO-1"}))[1]
    assert page.count("ordered SKU-1008, substituted by SKU-1001") == 1, page


def _as_005010(ws) -> None:
    """acme as a 005010 partner with "|" elements: its profile, and the PO in its inbox re-enveloped so (ISA11
    the repetition separator, ISA12 00501, GS08 005010)."""
    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text().replace('version = "004010"', 'version = "005010"', 1)
                       .replace('element = "*"', 'element = "|"', 1))
    po = ws.drop_root / "acme" / "inbox" / "po.x12"
    text = po.read_bytes().decode().replace("*U*00401*", "*^*00501*", 1).replace("*X*004010~", "*X*005010~", 1)
    po.write_bytes(text.replace("*", "|").encode())


def test_a_005010_partner_is_answered_shipped_and_billed_the_substitute(tmp_path, tmp_path_factory):
    """The night of test_a_night_with_a_superseded_part_accepted_as_its_substitute for a partner on 005010 with
    "|" elements: 855 ACK|IS naming the new part, its 856 and 810 naming the part shipped, each read back by our
    reader without an error and accepted by our outbound check, Bots and pyx12 with our maps."""
    from parsers.x12_reader import read_interchanges
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check, pyx12_map_folders
    from tests.test_pyx12_outbound import pyx12_accepts

    ws = _workspace(tmp_path, accept=True)
    _as_005010(ws)
    run_night(ws, NIGHT)
    [ack] = _outbox(ws, "855")
    assert ack[3:4] == b"|" and b"|00501|" in ack[:106] and b"|X|005010~" in ack
    assert [s for s in _segments(ack) if s[0] in ("BAK", "ACK")] == [
        ["BAK", "00", "AC", "PO-1", "20261126", "", "", "", "", "20261127"],
        ["ACK", "IS", "12", "EA", "068", "20261210", "", "UP", "614141100101", "VN", "VP-1001", "BP", "ACME-5000"],
        ["ACK", "IA", "12", "EA", "068", "20261210"]]
    confirmations = ws.warehouse_drop_root / "east" / "inbox"
    confirmations.mkdir(parents=True, exist_ok=True)
    (confirmations / "shipments.csv").write_text(HEADER + _row("1", "SKU-1001", "12") + _row("2", "SKU-1001", "12"))
    run_night(ws, NEXT)
    [asn] = _outbox(ws, "856")
    [invoice] = [c for c in _outbox(ws, "810") if b"BIG|" in c]
    assert [s for s in _segments(asn) if s[0] == "LIN"] == [
        ["LIN", "1", "UP", "614141100101", "VN", "VP-1001", "BP", "ACME-OLD-8"], ["LIN", "2", "VN", "VP-1001"]]
    assert [s for s in _segments(invoice) if s[0] == "IT1"] == [
        ["IT1", "1", "12", "EA", "19.7", "PE", "UP", "614141100101", "VN", "VP-1001", "BP", "ACME-OLD-8"],
        ["IT1", "2", "12", "EA", "19.7", "PE", "VN", "VP-1001"]]
    for content in (ack, asn, invoice):
        assert b"|005010~" in content
        assert [f.code for f in read_interchanges(content).findings if f.severity == "error"] == []
        assert [f.code for f in validate_outbound(content) if f.severity == "error"] == []
        ok, errors = bots_check(content, tmp_path)
        assert ok, errors
        ok, answer = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
        assert ok, answer
    [line1, _] = _status(ws)["lines"]
    assert (line1["sku"], line1["ack"], line1["substituted_from"]) == ("SKU-1001", "IS", "SKU-1008")


def test_without_the_switch_the_superseded_part_is_rejected_as_before(tmp_path):
    # priced as SKU-1008 was (30.64), or the order would wait for approval of the price (SKU-1008's on file)
    ws = _workspace(tmp_path, accept=False, line=OLD_PART.replace("19.70", "30.64"))
    run_night(ws, NIGHT)
    [ack] = _outbox(ws, "855")
    assert [s for s in _segments(ack) if s[0] in ("BAK", "ACK")] == [
        ["BAK", "00", "AC", "PO-1", "20261126", "", "", "", "", "20261127"], ["ACK", "IR", "12", "EA"],
        ["ACK", "IA", "12", "EA", "068", "20261210"]]
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["message"]) for f in state.findings(po_number="PO-1", partner="acme")]
    finally:
        state.close()
    assert ("ITEM_DISCONTINUED", "Item SKU-1008 (614141100590) is discontinued. It is replaced by SKU-1001 (vendor "
            "part VP-1001, GTIN 00614141100101): offer the buyer SKU-1001.") in found
    assert "ITEM_SUBSTITUTED" not in [c for c, _ in found]


def test_a_confirmation_of_the_old_part_for_a_substituted_line_is_held(tmp_path):
    # the line holds the new part: the warehouse shipping the old one is a mismatch, not silently taken
    ws = _workspace(tmp_path, accept=True)
    run_night(ws, NIGHT)
    confirmations = ws.warehouse_drop_root / "east" / "inbox"
    confirmations.mkdir(parents=True, exist_ok=True)
    (confirmations / "shipments.csv").write_text(HEADER + _row("1", "SKU-1008", "12") + _row("2", "SKU-1001", "12"))
    run_night(ws, NEXT)
    assert _outbox(ws, "856") == []
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["message"]) for f in state.findings(po_number="PO-1", partner="acme")]
    finally:
        state.close()
    assert ("SHIPMENT_SKU_MISMATCH", "Item SKU-1008 shipped for line 1, which orders SKU-1001.") in found


NEW_IDS = "UP*614141100101*VN*VP-1001*BP*ACME-5000"  # SKU-1001's ids, as our 855 ACK*IS named them
OLD_IDS = "UP*614141100590*VN*VP-1008*BP*ACME-OLD-8"  # SKU-1008's, as the buyer's system still has them


def _x12_860(pocs: list[str]) -> bytes:
    from tests.test_change_units_860 import x12_860

    return x12_860(["BCH*04*SA*PO-1***20261127", *pocs, f"CTT*{len(pocs)}"])


@pytest.mark.parametrize(("poc", "ids", "expected"), [
    ("POC*1*QD*10*2*EA*19.70*PE", OLD_IDS, ("IS", "10")),
    ("POC*1*QD*10*2*EA*19.70*PE", NEW_IDS, ("IS", "10")),
    ("POC*1*QI*14*2*EA*19.70*PE", OLD_IDS, ("IS", "14")),
    ("POC*1*PC*12*0*EA*19.60*PE", NEW_IDS, ("IS", "12")),
    ("POC*1*DI*0*12*EA*19.70*PE", OLD_IDS, None),
], ids=["QD-old-ids", "QD-new-ids", "QI-old-ids", "PC-new-ids", "DI-old-ids"])
def test_an_860_naming_a_substituted_line_by_the_old_or_the_new_part_is_applied(tmp_path, poc, ids, expected):
    """The buyer changes line 1 after our 855 substituted SKU-1001 for the SKU-1008 it ordered: by its line number
    with the old part's ids (what its system still has) or the new part's (what our ACK*IS named). Either is the
    same line: the change is applied to it, the line stays on the substitute, and the revised 855 says IS."""
    from connectors.state import StateStore

    ws = _workspace(tmp_path, accept=True)
    run_night(ws, NIGHT)
    (ws.drop_root / "acme" / "inbox" / "change.x12").write_bytes(_x12_860([f"{poc}*{ids}"]))
    run_night(ws, NEXT)
    state = StateStore(ws.state_path)
    try:
        codes = [(f["code"], f["message"]) for f in state.findings(po_number="PO-1", partner="acme")
                 if f["severity"] == "error"]
        line1 = next(ln for ln in state.order_lines("acme", "PO-1") if ln.line_number == 1)
    finally:
        state.close()
    assert codes == []
    acks = _outbox(ws, "855")
    assert len(acks) == 2, "a revised 855 answers the change"
    revised = [s for s in _segments(acks[-1]) if s[0] in ("BAK", "ACK")]
    assert revised[0][1] == "05"
    if expected is None:  # the line deleted: no longer on the order (its ACK gone or IR/DR)
        assert line1.state.value in ("deleted", "cancelled"), line1
        return
    ack01, qty = expected
    assert (line1.sku, line1.ack, line1.ordered, line1.ordered_sku) == ("SKU-1001", ack01, Decimal(qty), "SKU-1008")
    assert revised[1][:3] == ["ACK", ack01, qty]
    assert revised[1][7:] == NEW_IDS.split("*")
