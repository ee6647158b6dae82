"""An 810 lists its IT1 lines in PO line order (IT101 the PO's line number, numerically: 4, 5, 6, 10), whatever
order the warehouse's confirmation names them in. A shipment of several cartons is confirmed carton by carton: the
demo's SHP-1001 for ACME-1001 confirmed with line 10 in its first carton and line 4 in its last used to be billed
IT1 10, 6, 5, 4 (the shipment's order), an invoice people read and buyers' systems match line by line out of the
PO's order. Every path an 810 is built by sorts the same way and writes the same bytes as for the confirmation in PO
order: the columnar batch (an order's only 810 of the run), the one-at-a-time text (two 810s of ACME-1001 in one run:
SHP-1001 and SHP-1009, the 2 units of line 4 left to ship) and the segments (a profile echoing its lines' REFs,
[fulfilment.invoice] line_refs)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import segments
from tests.support import REPO, deliver_all, run_stages, ship_stages, shipping_workspace

NIGHT, DAY = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
CSV = REPO / "sample_files" / "warehouse-drops" / "east" / "east-shipments-20261127.csv"
SECOND = "SHP-1009,2026-11-27,14:20,UPSN,G2,1Z999AA10123456817,BOL-6009,ACME-1001,4,SKU-1002,2,EA,C-1009,3,LB,"


def _shipment(rows: list[str], *, reordered: bool, second: bool) -> list[str]:
    """The demo's east confirmation; ``reordered``: SHP-1001's rows with its lines 10 and 6 in the first carton and
    line 4 in the last (each carton's weight kept); ``second``: with SHP-1009 (ACME-1001's second shipment)."""
    ship = [r for r in rows if r.startswith("SHP-1001,")]
    rest = [r for r in rows if not r.startswith("SHP-1001,")] + ([SECOND] if second else [])
    if reordered:
        cartons = {r.split(",")[12]: r.split(",")[13] for r in ship}
        ship = list(reversed(ship))
        ship = [",".join(c[:12] + [carton, cartons[carton]] + c[14:]) for c, carton in zip(
            (r.split(",") for r in ship), [r.split(",")[12] for r in sorted(ship, key=_carton)], strict=True)]
    return ship + rest


def _carton(row: str) -> str:
    return row.split(",")[12]


def _810s(tmp_path, *, reordered: bool, second: bool, refs: bool) -> tuple[bytes, list[str]]:
    ws = shipping_workspace(tmp_path / ("reordered" if reordered else "in-order") / "ws")
    if refs:
        profile = ws.root / "partners" / "acme.toml"
        profile.write_text(profile.read_text().replace('per = "shipment"\n', 'per = "shipment"\nline_refs = ["LI"]\n'))
    run_stages(ws, NIGHT)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    head, *rows = CSV.read_text().splitlines()
    (inbox / CSV.name).write_text("\n".join([head, *_shipment(rows, reordered=reordered, second=second)]) + "\n")
    ship_stages(ws, DAY, run_id="day1")
    deliver_all(ws, DAY)
    files = sorted((ws.drop_root / "acme" / "outbox").glob("acme-810-*.x12"))
    assert files
    it1 = [s[1] for s in segments(ws, "acme", "810") if s[0] == "IT1"]
    return b"".join(f.read_bytes() for f in files), it1


@pytest.mark.parametrize(("second", "refs"), [(False, False), (True, False), (True, True)],
                         ids=["batch", "one-at-a-time", "segments"])
def test_the_810_lists_its_lines_in_po_line_order(tmp_path, second, refs):
    shuffled, it1 = _810s(tmp_path, reordered=True, second=second, refs=refs)
    assert it1 == ["4", "5", "6", "10"] + (["4"] if second else [])  # SHP-1001's 810 (and SHP-1009's)
    in_order, it1_in_order = _810s(tmp_path, reordered=False, second=second, refs=refs)
    assert it1_in_order == it1
    assert shuffled == in_order  # the same bytes: nothing but the order moved
