"""A PO whose heading N1*SF routes it to one of our warehouses (a drop-ship programme's choice among our
locations: by the warehouse profile's [ship_from] GLN or DUNS, a buyer-assigned 92 id through the partner's
[fulfilment] ship_from_ids, or by name) has its lines' stock taken from that warehouse first, at decide and when a
backorder is allocated later; then its partner's policy. It used to be allocated by the policy alone (ACME's
preferred EAST), so the goods left the other DC and the buyer charged back a drop ship not from the location it
chose (SHIP_FROM_NOT_ROUTED was raised only once it had shipped)."""

from __future__ import annotations

import shutil
from datetime import datetime

import pyarrow as pa

from connectors.state import StateStore
from engine.routing import routed_stock
from schemas.warehouses import load_warehouses
from tests.support import REPO, make_workspace, run_night

NOW = datetime(2026, 11, 27, 2)
NORTH_GLN = "0614141000203"  # warehouses/north.toml [ship_from] id: stock WEST


def _workspace(tmp_path, sf_segment: str):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    segs = po.read_text(encoding="utf-8").split("~")
    at = segs.index("\nN1*ST*Acme Distribution Center*92*DC01")  # ACME-1000's, the file's first set
    segs.insert(at + 1, "\n" + sf_segment)
    end = next(i for i in range(at, len(segs)) if segs[i].startswith("\nSE*"))
    _se, count, control = segs[end].split("*")
    segs[end] = f"\nSE*{int(count) + 1}*{control}"
    po.write_text("~".join(segs), encoding="utf-8")
    return ws


def _warehouses_of(ws, po: str) -> dict[int, str]:
    state = StateStore(ws.state_url)
    try:
        lines = state.lines_for([("acme", po)])[("acme", po)]
        return {ln.line_number: ln.warehouses for ln in lines}
    finally:
        state.close()


def test_a_po_routed_to_the_north_3pl_takes_west_stock_first(tmp_path):
    ws = _workspace(tmp_path, f"N1*SF*North 3PL Columbus*UL*{NORTH_GLN}")
    run_night(ws, NOW)
    # SKU-1001 (10) and the highlighter (5) from WEST, the North 3PL's stock; 24 pens: WEST holds 12 of SKU-1003,
    # so the line is taken whole from the policy's EAST (single_warehouse_first), as before
    routed = _warehouses_of(ws, "ACME-1000")
    assert routed[1].startswith("WEST") and routed[3].startswith("WEST")
    assert routed[2].startswith("EAST")
    plain = make_workspace(tmp_path / "plain", partners=("acme",))
    run_night(plain, NOW)
    assert {n: w[:4] for n, w in _warehouses_of(plain, "ACME-1000").items()} == {1: "EAST", 2: "EAST", 3: "EAST"}


def test_a_ship_from_none_of_ours_leaves_the_policy_alone(tmp_path):
    ws = _workspace(tmp_path, "N1*SF*Somebody Else DC*UL*0000000000000")
    run_night(ws, NOW)
    assert {n: w[:4] for n, w in _warehouses_of(ws, "ACME-1000").items()} == {1: "EAST", 2: "EAST", 3: "EAST"}


def test_routed_stock_maps_each_line_to_its_orders_warehouse():
    warehouses = load_warehouses(REPO / "warehouses")
    orders = pa.table({
        "partner": ["acme", "acme", "wayf", "wayf", "acme"],
        "po_number": ["P1", "P2", "P3", "P4", "P5"],
        "ship_from_name": ["North 3PL Columbus", None, "anything", "OrderBridge Supply DC East", "Nobody"],
        "ship_from_id_qualifier": ["UL", None, "92", None, "92"],
        "ship_from_id": [NORTH_GLN, None, "WF-7", None, "ZZ9"],
    })
    lines = pa.table({"partner": ["acme", "acme", "wayf", "wayf", "acme", "acme", "zed"],
                      "po_number": ["P1", "P2", "P3", "P4", "P5", "P1", "P1"]})
    got = routed_stock(lines, orders, warehouses, {"wayf": {"WF-7": "north"}}).to_pylist()
    # by GLN; no N1*SF; a 92 id the partner mapped; by name alone; a 92 id nobody mapped, no such name; P1 again;
    # another partner's P1
    assert got == ["WEST", None, "WEST", "EAST", None, "WEST", None]
    assert routed_stock(lines, orders, {}, {}).null_count == lines.num_rows  # no warehouse profiles: no routing


def test_a_routed_backorder_takes_its_warehouse_first_when_stock_comes(tmp_path):
    """Night 1: no SKU-1001 anywhere, a receipt due at EAST: line 1 is backordered. Night 2's snapshot holds it in
    both DCs: the backorder is allocated from WEST, where the PO's N1*SF routes it (the policy alone: EAST)."""
    from datetime import date

    from connectors.snapshots import load_snapshot, write_receipts, write_snapshot
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    def night_two(ws) -> dict[int, str]:
        snaps = ws.inventory_dir / "snapshots"
        first = load_snapshot(snaps, date(2026, 11, 26))
        rows = [r | {"on_hand": 0} if r["sku"] == "SKU-1001" else r for r in first.to_pylist()]
        shutil.rmtree(snaps)
        write_snapshot(snaps, pa.Table.from_pylist(rows, schema=INVENTORY_SNAPSHOT))
        write_receipts(ws.inventory_dir / "receipts.parquet", pa.Table.from_pylist(
            [{"warehouse": "EAST", "sku": "SKU-1001", "quantity": 500, "eta": date(2026, 12, 1)}],
            schema=EXPECTED_RECEIPTS))
        run_night(ws, NOW)
        assert _warehouses_of(ws, "ACME-1000")[1] == ""  # backordered: no stock held
        write_snapshot(snaps, pa.Table.from_pylist(
            [r | {"as_of": date(2026, 11, 28), "on_hand": 100 if r["sku"] == "SKU-1001" else r["on_hand"]}
             for r in rows], schema=INVENTORY_SNAPSHOT))
        run_night(ws, datetime(2026, 11, 28, 2))
        return _warehouses_of(ws, "ACME-1000")

    routed = night_two(_workspace(tmp_path / "routed", f"N1*SF*North 3PL Columbus*UL*{NORTH_GLN}"))
    assert routed[1].startswith("WEST")
    plain = make_workspace(tmp_path / "plain" / "ws", partners=("acme",))
    assert night_two(plain)[1].startswith("EAST")
