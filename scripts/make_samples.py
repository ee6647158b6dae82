"""Regenerate the demo data in sample_files/ (deterministic): partner drops that exercise every
syntax and business rule, and an inventory snapshot with expected receipts; the CSV order partner's
drop, the warehouses' shipment confirmations for the demo's day 1 and night 2, and night 2's
inventory (a receipt arrived, day 1's shipments left).
Run: python scripts/make_samples.py"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth_850 import change_order, interchange  # noqa: E402
from connectors.snapshots import write_receipts, write_snapshot  # noqa: E402
from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT  # noqa: E402
from schemas.profile import load_profiles  # noqa: E402

WHEN = date(2026, 11, 26)
SHIP = "20261210"


def po(number: str, lines: list[tuple], *, purpose: str = "00", currency: str = "USD", terms: list[str] | None = None,
       ship_to: list[list[str]] | None = None, dates: list[tuple[str, str]] | None = None) -> list[list[str]]:
    """One 850 body. A line is (qty, unit, price, [qualifier, id, ...], description)."""
    body = [["BEG", purpose, "SA", number, "", WHEN.strftime("%Y%m%d")], ["CUR", "BY", currency]]
    if terms:
        body.append(["ITD", *terms])
    for qual, d in dates or [("010", SHIP)]:
        body.append(["DTM", qual, d])
    body += ship_to or []
    total = 0
    for i, (qty, unit, price, ids, desc) in enumerate(lines, start=1):
        body.append(["PO1", str(i), qty, unit, price, "PE" if price else "", *ids])
        body.append(["PID", "F", "", "", "", desc])
        total += int(qty) if qty.isdigit() else 0
    body.append(["CTT", str(len(lines)), str(total)])
    return body


ACME_TERMS = ["08", "3", "2", "", "10", "", "30"]
ACME_ST = [["N1", "ST", "Acme Distribution Center", "92", "DC01"]]
GLOBEX_TERMS = ["01", "3", "", "", "", "", "60"]
GLOBEX_ST = [["N1", "ST", "Globex DC West", "UL", "0614141000029"]]
INITECH_TERMS = ["01", "3", "", "", "", "", "45"]
INITECH_ST = [["N1", "ST", "Initech Toronto", "92", "T1"]]


def drops() -> dict[str, list[tuple[str, list[list[list[str]]], str]]]:
    acme = {
        "acme-po-01.x12": ([
            # clean: every line known, priced, in whole cases -> all IA (if stock allows)
            po("ACME-1000", [("10", "EA", "19.70", ["UP", "614141100101"], "Copy paper A4"),
                             ("24", "EA", "39.20", ["VN", "VP-1003"], "Ballpoint pen blue"),
                             ("5", "EA", "4.56", ["UK", "00614141100804"], "Highlighter yellow")],
               terms=ACME_TERMS, ship_to=ACME_ST),
            # line rules: unknown item, bad check digit, discontinued, case-pack rounding, price out of
            # tolerance, below minimum, unknown unit, no product id, zero quantity, no price
            po("ACME-1001", [("12", "EA", "19.70", ["UP", "614141199990"], "Unknown item"),
                             ("12", "EA", "19.70", ["UP", "614141100102"], "Bad check digit"),
                             ("12", "EA", "30.64", ["VN", "VP-1008"], "Binder clips (discontinued)"),
                             ("10", "EA", "9.39", ["VN", "VP-1002"], "Paper: 10 is not a case of 6"),
                             ("48", "EA", "4.90", ["VN", "VP-1004"], "Pens black: price above list"),
                             ("2", "EA", "22.20", ["VN", "VP-1006"], "Stapler: below minimum 5"),
                             ("12", "XX", "2.63", ["VN", "VP-1009"], "Paper clips: unknown unit"),
                             ("12", "EA", "2.63", [], "No product id"),
                             ("0", "EA", "4.56", ["VN", "VP-1011"], "Zero quantity"),
                             ("6", "EA", "", ["VN", "VP-1012"], "No price: our list price applies"),
                             ("2", "CA", "19.70", ["VN", "VP-1001"], "Cases of an item sold by the each")],
               terms=ACME_TERMS, ship_to=ACME_ST)], "0"),
        "acme-po-02.x12": ([
            # discount beyond ACME's 5 % approval threshold -> held for a manager
            po("ACME-1010", [("24", "EA", "20.00", ["VN", "VP-1013"], "Markers at a deep discount")],
               terms=ACME_TERMS, ship_to=ACME_ST),
            # credit: 2,000 toner cartridges exceed ACME's credit headroom -> held
            po("ACME-1011", [("2000", "EA", "34.50", ["VN", "VP-1030"], "Toner, a year's supply")],
               terms=ACME_TERMS, ship_to=ACME_ST),
            # the same PO number again, sent as an original: a duplicate, not acknowledged twice
            po("ACME-1000", [("10", "EA", "19.70", ["UP", "614141100101"], "Copy paper A4")],
               terms=ACME_TERMS, ship_to=ACME_ST)], "1"),
    }
    globex = {
        "globex-po-01.x12": ([
            # clean by buyer part numbers; SKU-1005 is out of stock until a receipt -> backordered (IB)
            po("GLOBEX-2000", [("12", "EA", "19.11", ["BP", "GX770000"], "Copy paper A4"),
                               ("48", "EA", "4.58", ["BP", "GX770033"], "Pens black"),
                               ("30", "EA", "31.37", ["VN", "VP-1005"], "Gel pen red (backorder)"),
                               ("36", "EA", "38.02", ["VN", "VP-1003"], "Pens blue (short: partial)")],
               terms=GLOBEX_TERMS, ship_to=GLOBEX_ST),
            # terms differ from the contract (accepted, ops told); delivery date already past -> DR
            po("GLOBEX-2001", [("48", "EA", "3.74", ["VN", "VP-1007"], "Staples")],
               terms=["01", "3", "", "", "", "", "30"], ship_to=GLOBEX_ST, dates=[("010", "20261126")])], "0"),
        "globex-po-02.x12": ([
            # unknown ship-to location, and a ship window that ends before it starts -> held
            po("GLOBEX-2010", [("12", "EA", "19.11", ["BP", "GX770000"], "Copy paper A4")],
               terms=GLOBEX_TERMS, ship_to=[["N1", "ST", "Globex Store 9", "UL", "0614141999998"]],
               dates=[("037", "20261215"), ("038", "20261205")]),
            # below Globex's minimum order value -> rejected (855 RD)
            po("GLOBEX-2011", [("6", "EA", "4.42", ["VN", "VP-1011"], "Highlighters")],
               terms=GLOBEX_TERMS, ship_to=GLOBEX_ST)], "0"),
    }
    initech = {
        "initech-po-01.x12": ([
            # clean, in CAD, by Initech's part numbers
            po("INITECH-3000", [("6", "EA", "12.39", ["BP", "INI/001"], "Copy paper Letter"),
                                ("24", "EA", "3.47", ["BP", "INI/008"], "Paper clips")],
               currency="CAD", terms=INITECH_TERMS, ship_to=INITECH_ST),
            # USD although Initech buys in CAD -> held; address-only ship-to with a US ZIP in Canada
            po("INITECH-3001", [("6", "EA", "9.39", ["BP", "INI/001"], "Copy paper Letter")],
               currency="USD", terms=INITECH_TERMS,
               ship_to=[["N1", "ST", "Initech Montreal"], ["N3", "1 Rue Sainte-Catherine"],
                        ["N4", "Montreal", "QC", "90210", "CA"]])], "0"),
        "initech-po-02.x12": ([
            # 15 is not a multiple of 6 and Initech rejects instead of rounding; toner has no stock and no
            # receipt, and Initech does not take backorders -> IR
            po("INITECH-3010", [("15", "EA", "12.39", ["BP", "INI/001"], "Copy paper: not a case"),
                                ("10", "EA", "46.28", ["VN", "VP-1030"], "Toner (none to promise)"),
                                ("12", "EA", "51.74", ["BP", "INI/002"], "Pens blue (none left)"),
                                ("24", "EA", "3.47", ["BP", "INI/008"], "Paper clips")],
               currency="CAD", terms=INITECH_TERMS, ship_to=INITECH_ST),
            # an address-only ship-to that is incomplete (no city) -> held
            po("INITECH-3011", [("6", "EA", "12.39", ["BP", "INI/001"], "Copy paper Letter")],
               currency="CAD", terms=INITECH_TERMS,
               ship_to=[["N1", "ST", "Initech Calgary"], ["N3", "200 8 Ave SW"], ["N4", "", "AB", "T2P 1B3", "CA"]])],
            "0"),
    }
    return {"acme": acme, "globex": globex, "initech": initech}


def main() -> None:
    profiles = load_profiles(ROOT / "partners")
    out = ROOT / "sample_files" / "drops"
    shutil.rmtree(out, ignore_errors=True)
    for pid, files in drops().items():
        x = profiles[pid].x12
        kw = dict(sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
                  gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=x.delimiters.to_delimiters(), when=WHEN,
                  usage=x.usage)
        base = {"acme": 1000, "globex": 2000, "initech": 3000}[pid]
        (out / pid).mkdir(parents=True)
        for k, (name, (bodies, ack)) in enumerate(sorted(files.items()), start=1):
            (out / pid / name).write_bytes(interchange(isa13=base + k, bodies=bodies, ack_requested=ack, **kw))
    # syntax problems: ACME's broken file (wrong SE01, invalid BEG05 date, PO1 without quantity)
    x = profiles["acme"].x12
    kw = dict(sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
              gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=x.delimiters.to_delimiters(), when=WHEN,
              usage="P")
    broken = po("ACME-1099", [("12", "EA", "19.70", ["UP", "614141100101"], "Copy paper"),
                              ("", "EA", "39.20", ["VN", "VP-1003"], "No quantity")], terms=ACME_TERMS, ship_to=ACME_ST)
    broken[0][5] = "20261341"
    data = interchange(isa13=1099, bodies=[broken], **kw)
    (out / "acme" / "acme-po-broken.x12").write_bytes(data.replace(b"SE*12*0001", b"SE*11*0001"))
    # a file in Initech's drop that claims to come from ACME: quarantined, never processed as Initech
    foreign = po("ACME-1200", [("10", "EA", "19.70", ["UP", "614141100101"], "Copy paper")], ship_to=ACME_ST)
    (out / "initech" / "initech-po-foreign.x12").write_bytes(interchange(isa13=1200, bodies=[foreign], **kw))
    (out / "globex" / "globex-not-edi.txt").write_bytes(b"Order for 12 widgets, please call me. Bob\n")
    write_inventory(ROOT / "sample_files" / "inventory")
    write_day_two(profiles)
    write_fulfilment(profiles)


def write_day_two(profiles) -> None:
    """The next night's drop: 860 change orders against the first night's POs."""
    out = ROOT / "sample_files" / "drops-day2"
    shutil.rmtree(out, ignore_errors=True)
    changes = {
        # Globex: drop line 1, cut line 2 from 48 to 24, a new price on line 4, add a line -> 865
        "globex": ("globex-change-01.x12", 2101, [change_order("GLOBEX-2000", [
            ["1", "DI", "", "", "EA", "", "", "BP", "GX770000"],
            ["2", "QD", "24", "24", "EA", "4.58", "PE", "BP", "GX770033"],
            ["4", "PC", "36", "36", "EA", "38.00", "PE", "VN", "VP-1003"],
            ["5", "AI", "24", "24", "EA", "4.42", "PE", "VN", "VP-1011"]], po_date=WHEN),
            # a change for a PO we never received -> 865 RJ/RD
            change_order("GLOBEX-2999", [["1", "QI", "20", "20", "EA", "", ""]], po_date=WHEN)]),
        # Initech cancels INITECH-3000 (BCH01 = 01): reservations released -> 865
        "initech": ("initech-change-01.x12", 3101, [change_order("INITECH-3000", [], purpose="01", po_date=WHEN)]),
        # ACME doubles line 1 of ACME-1000 and deletes line 3; ACME wants a revised 855
        "acme": ("acme-change-01.x12", 1101, [change_order("ACME-1000", [
            ["1", "QI", "20", "20", "EA", "19.70", "PE", "UP", "614141100101"],
            ["3", "DI", "", "", "EA", "", "", "UK", "00614141100804"]], po_date=WHEN)]),
    }
    for pid, (name, isa13, bodies) in changes.items():
        x = profiles[pid].x12
        (out / pid).mkdir(parents=True)
        data = interchange(sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
                           gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=x.delimiters.to_delimiters(),
                           when=date(2026, 11, 27), usage=x.usage, isa13=isa13, bodies=bodies, set_id="860",
                           functional_id="PC")
        (out / pid / name).write_bytes(data)


def write_inventory(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    rows = []
    for n in range(1001, 1031):
        sku = f"SKU-{n}"
        east, west = 600, 300
        if sku == "SKU-1003":  # pens blue: short, partly covered by a receipt
            east, west = 36, 12
        if sku in ("SKU-1005", "SKU-1030"):  # out of stock (1005 has a receipt coming, 1030 none)
            east, west = 0, 0
        rows += [{"as_of": WHEN, "warehouse": "EAST", "sku": sku, "on_hand": east, "reserved": 0},
                 {"as_of": WHEN, "warehouse": "WEST", "sku": sku, "on_hand": west, "reserved": 0}]
    write_snapshot(root / "snapshots", pa.Table.from_pylist(rows, schema=INVENTORY_SNAPSHOT))
    receipts = [{"warehouse": "EAST", "sku": "SKU-1005", "quantity": 100, "eta": date(2026, 12, 15)},
                {"warehouse": "WEST", "sku": "SKU-1003", "quantity": 48, "eta": date(2026, 12, 4)}]
    write_receipts(root / "receipts.parquet", pa.Table.from_pylist(receipts, schema=EXPECTED_RECEIPTS))


# --- fulfilment and billing (issue 11) -------------------------------------------------------------
SHIPMENT_HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
                   "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID")
UMBRELLA_HEADER = ("PO Number;PO Date;Line;Quantity;Unit;Unit Price;UPC;SKU;Buyer Item;Description;Currency;Ship Date;"
                   "Ship To;Ship To Name;Address;City;State;Postal Code;Country")
UMBRELLA_SHIP_TO = "UMB-9;Umbrella Store 9;1 Main St;Palo Alto;CA;94301;US"
DAY1_SHIPPED = {("EAST", "SKU-1002"): 10, ("EAST", "SKU-1004"): 48, ("EAST", "SKU-1006"): 5, ("EAST", "SKU-1012"): 6,
                ("EAST", "SKU-1009"): 24, ("EAST", "SKU-1010"): 20, ("EAST", "SKU-1013"): 12, ("WEST", "SKU-1007"): 48}


def write_fulfilment(profiles) -> None:
    """Umbrella's CSV purchase order (a line backordered: SKU-1005 is out of stock); the east DC's CSV
    confirmations of day 1 (ACME-1001 short one line, INITECH-3010 complete, UMB-6001 on a pallet less
    its backorder, and SHP-1003 shipping a rejected line: held) and of night 2 (the rest of ACME-1001,
    UMB-6001's backorder); the north 3PL's 945 of day 1 (GLOBEX-2001, late for Globex's window); the
    night-2 inventory: day 1's shipments gone, 100 of SKU-1005 received early at EAST."""
    out = ROOT / "sample_files"
    umbrella = out / "drops" / "umbrella"
    umbrella.mkdir(parents=True, exist_ok=True)
    rows = [UMBRELLA_HEADER,
            f"UMB-6001;26.11.2026;1;20;EA;26,25;;VP-1010;;Sticky notes yellow;USD;04.12.2026;{UMBRELLA_SHIP_TO}",
            f"UMB-6001;26.11.2026;2;10;EA;32,34;;VP-1005;;Gel pen red;USD;04.12.2026;{UMBRELLA_SHIP_TO}",
            f"UMB-6001;26.11.2026;3;12;EA;25,70;;VP-1013;;\"Whiteboard marker; black\";USD;04.12.2026;"
            f"{UMBRELLA_SHIP_TO}"]
    (umbrella / "umbrella-orders-20261126.csv").write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    day1 = [SHIPMENT_HEADER,
            "SHP-1001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-6001,ACME-1001,4,SKU-1002,10,EA,C-1001,14.5,LB,",
            "SHP-1001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-6001,ACME-1001,5,SKU-1004,24,EA,C-1001,14.5,LB,",
            "SHP-1001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-6001,ACME-1001,5,SKU-1004,24,EA,C-1002,6.2,LB,",
            "SHP-1001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-6001,ACME-1001,6,SKU-1006,5,EA,C-1003,4.75,LB,",
            "SHP-1001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-6001,ACME-1001,10,SKU-1012,6,EA,C-1003,4.75,LB,",
            "SHP-1002,2026-11-27,14:10,FDEG,,771234567811,BOL-6002,INITECH-3010,4,SKU-1009,24,EA,,,,",
            "SHP-1003,2026-11-27,14:10,UPSN,G2,1Z999AA10123456795,BOL-6003,ACME-1001,3,SKU-1008,12,EA,C-1004,8,LB,",
            "SHP-1006,2026-11-27,14:00,UPSN,G2,1Z999AA10123456806,BOL-6006,UMB-6001,1,SKU-1010,20,EA,C-1005,9,LB,"
            "PAL-7001",
            "SHP-1006,2026-11-27,14:00,UPSN,G2,1Z999AA10123456806,BOL-6006,UMB-6001,3,SKU-1013,12,EA,C-1006,7,LB,"
            "PAL-7001"]
    night2 = [SHIPMENT_HEADER,
              "SHP-1004,2026-11-28,01:40,UPSN,G2,1Z999AA10123456817,BOL-6004,ACME-1001,4,SKU-1002,2,EA,C-1007,2.5,LB,",
              "SHP-1005,2026-11-28,01:45,UPSN,G2,1Z999AA10123456828,BOL-6005,UMB-6001,2,SKU-1005,10,EA,C-1008,5,LB,"
              "PAL-7002"]
    for folder, name, lines in (("warehouse-drops", "east-shipments-20261127.csv", day1),
                                ("warehouse-drops-day2", "east-shipments-20261128.csv", night2)):
        target = out / folder / "east"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        (target / name).write_bytes(("\n".join(lines) + "\n").encode())
    north = out / "warehouse-drops" / "north"
    shutil.rmtree(north, ignore_errors=True)
    north.mkdir(parents=True)
    from engine.sscc import build_sscc

    body = [["W06", "N", "DO-88001", "20261127", "SHP-2001", "", "GLOBEX-2001"],
            ["N1", "SF", "North 3PL Columbus", "UL", "0614141000203"],
            ["N1", "ST", "Globex DC West", "UL", "0614141000029"],
            ["N9", "BM", "BOL-9101"], ["G62", "11", "20261127", "8", "1210"], ["W27", "M", "ODFL", "LTL STANDARD"]]
    for k in (1, 2):
        body += [["LX", str(k)], ["MAN", "GM", "00" + build_sscc("0733940", 0, 5000 + k)],
                 ["W12", "CC", "24", "24", "", "EA", "614141100521", "VN", "VP-1007", "", "18", "G", "L"],
                 ["N9", "LI", "1"]]
    body.append(["W03", "48", "36", "LB"])
    data = interchange(sender=("ZZ", "NORTH3PL"), receiver=("ZZ", "ORDERBRIDGE"), gs_ids=("NORTH3PL", "ORDERBRIDGE"),
                       version="004010", d=profiles["acme"].x12.delimiters.to_delimiters(), when=date(2026, 11, 27),
                       isa13=452, bodies=[body], set_id="945", functional_id="SW")
    (north / "north-945-20261127.x12").write_bytes(data)
    # night 2's inventory (the demo copies it into its workspace): a snapshot as of 2026-11-28 that no
    # longer counts what left on day 1, with SKU-1005 received early; that receipt is off the list
    import pyarrow.parquet as pq

    before = pq.read_table(out / "inventory" / "snapshots" / "as_of=2026-11-26" / "part-0.parquet").to_pylist()
    day2 = out / "inventory-day2"
    shutil.rmtree(day2, ignore_errors=True)
    rows = []
    for r in before:
        on_hand = r["on_hand"] - DAY1_SHIPPED.get((r["warehouse"], r["sku"]), 0)
        if (r["warehouse"], r["sku"]) == ("EAST", "SKU-1005"):
            on_hand += 100
        rows.append({"as_of": date(2026, 11, 28), "warehouse": r["warehouse"], "sku": r["sku"], "on_hand": on_hand,
                     "reserved": r["reserved"]})
    write_snapshot(day2 / "snapshots", pa.Table.from_pylist(rows, schema=INVENTORY_SNAPSHOT))
    receipts = [{"warehouse": "WEST", "sku": "SKU-1003", "quantity": 48, "eta": date(2026, 12, 4)}]
    write_receipts(day2 / "receipts.parquet", pa.Table.from_pylist(receipts, schema=EXPECTED_RECEIPTS))


if __name__ == "__main__":
    main()
