"""A superseded part accepted as its substitute, through a whole night and the next: a partner whose profile
accepts substitutes ([rules] substitutes = "accept") orders SKU-1008, which items.csv says is discontinued and
replaced by SKU-1001 (replaced_by). The 855 answers the line ACK*IS naming the new part in the qualifiers the
buyer sent (UP, VN, BP); the warehouse confirms SKU-1001 for the line; the 856 and 810 keep the buyer's line
number and BP and name the part shipped; reconciliation finds nothing to chase. The switch off (the default):
the line is rejected as before (IR, ITEM_DISCONTINUED naming the replacement)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tests.support import GOOD_PO, run_night, shipping_workspace, x12_850

NIGHT, NEXT = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
          "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n")
# line 1 names the old part (SKU-1008: UPC 614141100590, vendor part VP-1008) with the buyer's own number
OLD_PART = "PO1*1*12*EA*19.70*PE*UP*614141100590*VN*VP-1008*BP*ACME-OLD-8"
OTHER = "PO1*2*12*EA*19.70*PE*VN*VP-1001"


def _row(line: str, sku: str, qty: str) -> str:
    return f"SHP-9,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-9,PO-1,{line},{sku},{qty},EA,C-9,60.5,LB,\n"


def _workspace(tmp_path, *, accept: bool):
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
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + [OLD_PART, OTHER, "CTT*2"]))
    return ws


def _segments(content: bytes) -> list[list[str]]:
    text = content.decode()
    element, term = text[3], text[105]
    return [s.strip().split(element) for s in text.split(term) if s.strip()]


def _outbox(ws, doc_type: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((ws.drop_root / "acme" / "outbox").iterdir())
            if p.name.split("-")[1] == doc_type]


def test_a_night_with_a_superseded_part_accepted_as_its_substitute(tmp_path):
    ws = _workspace(tmp_path, accept=True)
    run_night(ws, NIGHT)
    [ack] = _outbox(ws, "855")
    segs = _segments(ack)
    print([s for s in segs if s[0] in ("BAK", "PO1", "ACK")])
    confirmations = ws.warehouse_drop_root / "east" / "inbox"
    confirmations.mkdir(parents=True, exist_ok=True)
    (confirmations / "shipments.csv").write_text(HEADER + _row("1", "SKU-1001", "12") + _row("2", "SKU-1001", "12"))
    run_night(ws, NEXT)
    for t in ("856", "810"):
        for c in _outbox(ws, t):
            print(t, [s for s in _segments(c) if s[0] in ("LIN", "SN1", "IT1", "PRF", "BIG")])
    from connectors.state import StateStore
    state = StateStore(ws.state_path)
    try:
        print([(f["code"], f["message"]) for f in state.findings(po_number="PO-1", partner="acme")])
    finally:
        state.close()
    assert False
