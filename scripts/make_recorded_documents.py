"""The demo's hand-fed documents: 810s and 856s that other systems of ours sent the partners between
night 1 and night 2 (the ERP's billing clerk, a warehouse's own WMS), which the demo records with
`orderbridge record` before night 2 so the reconciliation meets every kind of exception the flow
itself does not produce (it never over-ships, never bills a line twice, never bills above what
shipped or at another price than the 855's, and never ships an order then cancelled):

  acme-wms-856.x12     WMS-77001 left 2026-11-27 09:30, its 856 sent 11:15 (late: ACME wants it within
                       30 minutes): ACME-1000 line 1 x 10, line 2 x 30 (24 acknowledged: over-shipped,
                       and never invoiced)
  acme-erp-810.x12     ERP-5001 bills ACME-1000 line 1 x 12 at 20.50 (shipped 10, acknowledged at
                       19.70); acme-erp-810-again.x12: the clerk sent ERP-5001 again an hour later
                       (a duplicate invoice)
  globex-erp-810.x12   ERP-6001 bills GLOBEX-2001 line 1 x 48 at 3.74 (nothing of it shipped)
  initech-wms-856.x12  WMS-77002 shipped INITECH-3000 line 1 x 6 on 2026-11-27 15:00; INITECH cancels
                       the order in night 2's drop (cancelled after shipment)

    .venv/bin/python scripts/make_recorded_documents.py     # writes sample_files/recorded/<partner>/
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from engine.envelope import envelope_for, wrap  # noqa: E402
from schemas.profile import load_profiles  # noqa: E402

OUT = REPO / "sample_files" / "recorded"


def asn(shipment: str, left: datetime, items: list[tuple[str, str, str, int]]) -> list[list[str]]:
    """A plain S-O-I 856: one order level per PO, an item level (LIN, SN1) per line."""
    body = [["BSN", "00", shipment, left.strftime("%Y%m%d"), left.strftime("%H%M"), "0001"],
            ["HL", "1", "", "S"], ["TD5", "", "2", "UPSN"], ["REF", "BM", f"BOL-{shipment}"],
            ["DTM", "011", left.strftime("%Y%m%d"), left.strftime("%H%M")]]
    n, po_hl = 1, {}
    for po, line, sku, qty in items:
        if po not in po_hl:
            n += 1
            po_hl[po] = n
            body += [["HL", str(n), "1", "O"], ["PRF", po]]
        n += 1
        body += [["HL", str(n), str(po_hl[po]), "I"], ["LIN", line, "VN", sku], ["SN1", "", str(qty), "EA"]]
    body.append(["CTT", str(len(items))])
    return body


def invoice(number: str, day: datetime, po: str, shipment: str, lines: list[tuple[str, int, str]]) -> list[list[str]]:
    body = [["BIG", day.strftime("%Y%m%d"), number, "", po]]
    if shipment:
        body.append(["REF", "SI", shipment])
    cents = 0
    for line, qty, price in lines:
        body.append(["IT1", line, str(qty), "EA", price, "PE"])
        cents += round(qty * float(price) * 100)
    body += [["TDS", str(cents)], ["CTT", str(len(lines))]]
    return body


def write(partner: str, name: str, functional_id: str, set_id: str, bodies: list, *, isa13: int,
          when: datetime) -> None:
    env = envelope_for(load_profiles(REPO / "partners")[partner])
    path = OUT / partner / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(wrap(env, functional_id, set_id, bodies, isa13=isa13, gs06=isa13,
                          st02s=list(range(1, len(bodies) + 1)), now=when))
    print(path.relative_to(REPO))


def main() -> None:
    write("acme", "acme-wms-856.x12", "SH", "856",
          [asn("WMS-77001", datetime(2026, 11, 27, 9, 30), [("ACME-1000", "1", "SKU-1001", 10),
                                                            ("ACME-1000", "2", "SKU-1003", 30)])],
          isa13=880001, when=datetime(2026, 11, 27, 11, 15))
    bill = invoice("ERP-5001", datetime(2026, 11, 27), "ACME-1000", "WMS-77001", [("1", 12, "20.50")])
    write("acme", "acme-erp-810.x12", "IN", "810", [bill], isa13=990001, when=datetime(2026, 11, 27, 16, 0))
    write("acme", "acme-erp-810-again.x12", "IN", "810", [bill], isa13=990002, when=datetime(2026, 11, 27, 17, 0))
    write("globex", "globex-erp-810.x12", "IN", "810",
          [invoice("ERP-6001", datetime(2026, 11, 27), "GLOBEX-2001", "", [("1", 48, "3.74")])],
          isa13=990101, when=datetime(2026, 11, 27, 16, 5))
    write("initech", "initech-wms-856.x12", "SH", "856",
          [asn("WMS-77002", datetime(2026, 11, 27, 15, 0), [("INITECH-3000", "1", "SKU-1002", 6)])],
          isa13=880101, when=datetime(2026, 11, 27, 15, 20))


if __name__ == "__main__":
    main()
