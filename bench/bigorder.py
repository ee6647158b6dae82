"""One very large purchase order (a distributor's replenishment PO of tens of thousands of lines, a home
improvement retailer's store-level PO with an SDQ per line to hundreds of stores), its 860 and the
warehouse's confirmations shipping it in two shipments in one file. Deterministic. Shared by
bench/bench_bigorder.py (the real `orderbridge run`, timed) and tests/test_big_orders.py (behaviour).

Every line is its own item (a real big PO orders thousands of distinct SKUs; repeating the demo's 30 would
hide per-item look-ups): the workspace's reference data gets ``SKU-Bnnnnnn`` items with ACME prices and
stock enough in the east DC."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO_NUMBER = "BIG-1"
SHIP_TO = "DC01"
CARTON_LINES = 20  # lines per carton (a store-level carton: one store's lines)
STORE_CARTON_LINES = 25


def gs1_check_digit(body: str) -> str:
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def item(n: int) -> dict:
    """Item ``n`` (1-based) of the big order: its SKU, UPC, vendor part, price and quantity ordered."""
    body = f"7{n:010d}"
    return {"sku": f"SKU-B{n:06d}", "upc": body + gs1_check_digit(body), "vendor_part": f"VPB-{n:06d}",
            "price": f"{1 + (n * 37) % 9000 / 100:.2f}", "qty": 1 + n % 12}


def stores(n: int) -> list[str]:
    """The ``n`` stores of a store-level order (ship_tos.csv location ids)."""
    return [f"{1000 + s:04d}" for s in range(1, n + 1)]


def prepare(root: Path, n_items: int, *, n_stores: int = 0) -> Path:
    """A fresh workspace at ``root``: ACME's profile (``n_stores``: store level, its stores on file), the demo's
    reference data plus ``n_items`` items priced for ACME, credit for everything, stock for every item in
    the east DC. Returns the workspace root."""
    import pyarrow as pa

    from connectors.snapshots import write_receipts, write_snapshot
    from flows.workspace import open_workspace
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    shutil.rmtree(root, ignore_errors=True)
    ws = open_workspace(root)
    shutil.copytree(ROOT / "partners", ws.root / "partners")
    shutil.copytree(ROOT / "warehouses", ws.root / "warehouses")
    if n_stores:
        profile = ws.root / "partners" / "acme.toml"
        profile.write_text(profile.read_text().replace("[fulfilment.asn]\n", "[fulfilment.asn]\nstore_level = true\n"))
    ref = ws.root / "reference"
    shutil.copytree(ROOT / "sample_files" / "reference", ref)
    customers = ref / "customers.csv"
    customers.write_text(customers.read_text().replace("acme,50000.00,", "acme,999999999999.00,"))
    with (ref / "items.csv").open("a", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for n in range(1, n_items + 1):
            it = item(n)
            w.writerow([it["sku"], "00" + it["upc"], it["upc"], it["vendor_part"], f"Big order item {n}", "EA", 1, 1,
                        "active"])
    with (ref / "prices.csv").open("a", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for n in range(1, n_items + 1):
            w.writerow(["acme", item(n)["sku"], item(n)["price"], "USD", "2026-01-01", ""])
    if n_stores:
        with (ref / "ship_tos.csv").open("a", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            for s in stores(n_stores):
                w.writerow(["acme", s, f"Acme Store {s}", f"{s} Main St", "Springfield", "IL", "62701", "US"])
    rows = [{"as_of": date(2026, 11, 26), "warehouse": "EAST", "sku": item(n)["sku"], "on_hand": 100_000_000,
             "reserved": 0} for n in range(1, n_items + 1)]
    write_snapshot(ws.root / "inventory" / "snapshots", pa.Table.from_pylist(rows, schema=INVENTORY_SNAPSHOT))
    write_receipts(ws.root / "inventory" / "receipts.parquet", EXPECTED_RECEIPTS.empty_table())
    return ws.root


def _envelope(set_id: str, functional_id: str, isa13: int, body: list[str]) -> str:
    segs = [f"ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*"
            f"{isa13:09d}*0*P*>", f"GS*{functional_id}*ACMERETAIL*ORDERBRIDGE*20261126*0200*{isa13}*X*004010",
            f"ST*{set_id}*0001", *body, f"SE*{len(body) + 2}*0001", f"GE*1*{isa13}", f"IEA*1*{isa13:09d}"]
    return "".join(s + "~\n" for s in segs)


def line_quantity(n: int, n_stores: int, per_store: int) -> int:
    return n_stores * per_store if n_stores else item(n)["qty"]


def store_split(n: int, n_stores: int) -> list[tuple[str, int]]:
    """Line ``n``'s SDQ: (store, quantity) for every store, 1 or 2 units each."""
    return [(s, 1 + (n + k) % 2) for k, s in enumerate(stores(n_stores))]


def purchase_order(n_lines: int, *, n_stores: int = 0, isa13: int = 70001) -> str:
    """One 850 of ``n_lines`` lines, item n on line n; with ``n_stores`` each line is split over that many
    stores by SDQ (ten stores a segment)."""
    body = [f"BEG*00*SA*{PO_NUMBER}**20261126", "CUR*BY*USD", "ITD*08*3*2**10**30", "DTM*010*20261210",
            f"N1*ST*Acme Distribution Center*92*{SHIP_TO}"]
    total = 0
    for n in range(1, n_lines + 1):
        it = item(n)
        split = store_split(n, n_stores) if n_stores else []
        qty = sum(q for _, q in split) if split else it["qty"]
        total += qty
        body.append(f"PO1*{n}*{qty}*EA*{it['price']}*PE*UP*{it['upc']}*VN*{it['vendor_part']}")
        body.append(f"PID*F****Big order item {n}")
        for k in range(0, len(split), 10):
            body.append("SDQ*EA*92*" + "*".join(f"{s}*{q}" for s, q in split[k:k + 10]))
    body.append(f"CTT*{n_lines}*{total}")
    return _envelope("850", "PO", isa13, body)


def changed_quantity(n: int) -> int:
    """Line ``n``'s quantity after the 860 (one unit less; a line of one is left as it was)."""
    return max(1, item(n)["qty"] - 1)


def change_order(n_lines: int, *, isa13: int = 70002) -> str:
    """An 860 with a POC for each of ``n_lines`` lines: one unit less (QD; POC03 the new quantity, POC04 the
    balance before the change) on every line of more than one."""
    body = [f"BCH*04*SA*{PO_NUMBER}***20261126"]
    pocs = 0
    for n in range(1, n_lines + 1):
        it = item(n)
        if it["qty"] > 1:
            pocs += 1
            body.append(f"POC*{n}*QD*{changed_quantity(n)}*{it['qty']}*EA*{it['price']}*PE*UP*{it['upc']}*VN*{it['vendor_part']}")
    body.append(f"CTT*{pocs}")
    return _envelope("860", "PC", isa13, body)


HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Tracking Number,PO Number,PO Line,SKU,Quantity,Unit,Carton ID,"
          "Mark For Store\n")


def confirmations(n_lines: int, *, n_stores: int = 0, changed: bool = False, day: str = "2026-11-27",
                  clock: str = "01:45") -> str:
    """The east DC's CSV confirmations of the whole order in one file: two shipments (lines 1 .. n/2 and the
    rest), cartons of CARTON_LINES lines; a store-level order's cartons each hold one store's share of up
    to STORE_CARTON_LINES lines, marked for that store. ``changed``: the quantities after change_order."""
    rows = [HEADER]
    half = (n_lines + 1) // 2
    for shipment, (first, last) in enumerate(((1, half), (half + 1, n_lines)), start=1):
        sid, track = f"BIGS-{shipment}", f"1Z{shipment:016d}"
        head = f"{sid},{day},{clock},UPSN,{track},{PO_NUMBER}"
        if n_stores:
            for s_index, store in enumerate(stores(n_stores)):
                for n in range(first, last + 1):
                    qty = 1 + (n + s_index) % 2  # store_split(n, n_stores)[s_index]
                    carton = f"BC-{shipment}-{store}-{(n - first) // STORE_CARTON_LINES}"
                    rows.append(f"{head},{n},{item(n)['sku']},{qty},EA,{carton},{store}\n")
        else:
            for n in range(first, last + 1):
                qty = changed_quantity(n) if changed else item(n)["qty"]
                rows.append(f"{head},{n},{item(n)['sku']},{qty},EA,BC-{shipment}-{(n - first) // CARTON_LINES},\n")
    return "".join(rows)


def drop_order(ws_root: Path, text: str, name: str) -> Path:
    inbox = ws_root / "drop" / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text(text)
    return inbox / name


def drop_confirmations(ws_root: Path, text: str, name: str = "big-ship.csv") -> Path:
    inbox = ws_root / "warehouse-drop" / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text(text)
    return inbox / name
