"""The per-partner cost of a night (issue 14: a wholesaler with hundreds of trading partners): N partner
profiles (default 50, 200 and 400), each with its own ISA/GS ids and drop, a mix of X12 setups (004010
with ACME's delimiters; 005010 pipe-delimited with CRLF, as GLOBEX; 004010 sending 004030 groups and
answered under GS08 004030; and one partner in ten ordering by CSV, as UMBRELLA), each dropping --pos
purchase orders of --lines lines (one file), every second of them shipped by the east DC the same night.
Each night is the real `orderbridge run --no-prefect` at a fixed clock; printed: wall seconds, the CPU
seconds of each stage (ORDERBRIDGE_STAGE_TIMES) and of the process, its peak RSS, and the per-partner cost
(t_largest - t_smallest) / (N_largest - N_smallest), in ms. Measured, never asserted.

    .venv/bin/python bench/bench_partners.py [--partners 50 200 400] [--pos 3] [--lines 5]
                                             [--prof /tmp/partners.prof] [--keep DIR] [--errors]

--prof FILE profiles the largest night's process (cProfile) for pstats; --keep DIR keeps each workspace as
DIR/<N> (bench/digest.py DIR/50 compares two nights' outputs); --errors gives each partner's second PO
an item we do not know (the failures report and the console at scale, not part of `make bench`).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_night import CLOCK, STAGES  # noqa: E402
from bench.night import CARTON_LINES, SHIPPED_AT, timed_run  # noqa: E402

WORK = ROOT / ".bench" / "partners"
KINDS = ("x12-4010", "x12-5010", "x12-4030", "csv")


def kind(i: int) -> str:
    """Partner i's setup: one in ten CSV, the rest in turn 004010, 005010 and 004010 sending 004030."""
    return "csv" if i % 10 == 9 else KINDS[i % 3]


def _profile(i: int) -> str:
    """Partner i's profile: ACME's (004010), GLOBEX's delimiters and version (005010) or UMBRELLA's CSV
    orders, under its own id, name and ISA/GS ids."""
    pid, k = f"p{i:04d}", kind(i)
    if k == "csv":
        text = (ROOT / "partners" / "umbrella.toml").read_text()
        return (text.replace('id = "umbrella"', f'id = "{pid}"', 1).replace("Umbrella Stores", f"Partner {i:04d}")
                .replace('"UMBRELLASTORES"', f'"CSV{i:04d}"'))
    text = (ROOT / "partners" / "acme.toml").read_text()
    text = (text.replace('id = "acme"', f'id = "{pid}"', 1).replace("ACME Retail Group", f"Partner {i:04d}")
            .replace('"ACMERETAIL"', f'"PARTNER{i:04d}"'))
    if k == "x12-5010":
        text = (text.replace('version = "004010"', 'version = "005010"').replace('element = "*"', 'element = "|"')
                .replace('component = ">"', 'component = ":"').replace('suffix = "\\n"', 'suffix = "\\r\\n"'))
    elif k == "x12-4030":
        text = text.replace('version = "004010"', 'version = "004010"\ngs_version = "004030"')
    return text


def prepare(root: Path, n: int, pos: int, lines: int, *, errors: bool = False) -> None:
    """A fresh workspace at ``root``: ``n`` partners (p0000 ...), each with ACME's reference rows (prices, items,
    ship-tos) under its id and credit for everything, stock for every line, ``pos`` POs of ``lines`` lines in
    its inbox (one file) and the east DC's confirmations of every second PO (one file for the night).
    ``errors``: each partner's second PO (never shipped) names an item we do not know on its first line (a
    night whose failures report lists every partner)."""
    import pyarrow as pa

    from connectors.reference import load_reference
    from connectors.snapshots import write_receipts, write_snapshot
    from flows.workspace import open_workspace
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    shutil.rmtree(root, ignore_errors=True)
    ws = open_workspace(root)
    shutil.copytree(ROOT / "warehouses", ws.root / "warehouses")
    (ws.root / "partners").mkdir(parents=True, exist_ok=True)
    ids = [f"p{i:04d}" for i in range(n)]
    for i, pid in enumerate(ids):
        (ws.root / "partners" / f"{pid}.toml").write_text(_profile(i))
    (ws.root / "reference").mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "sample_files" / "reference").glob("*.csv")):
        with path.open(newline="") as fh:
            rows = list(csv.reader(fh))
        if rows[0][:1] == ["partner"]:
            acme = [r for r in rows[1:] if r[:1] == ["acme"]]
            if path.name == "customers.csv":
                acme = [["acme", "999999999.00", "0.00", *acme[0][3:]]]
            rows = [rows[0], *([pid, *r[1:]] for pid in ids for r in acme)]
        with (ws.root / "reference" / path.name).open("w", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    stock = [{"as_of": date(2026, 11, 26), "warehouse": w, "sku": f"SKU-{s}", "on_hand": 10_000_000, "reserved": 0}
             for s in range(1001, 1031) for w in ("EAST", "WEST")]
    write_snapshot(ws.root / "inventory" / "snapshots", pa.Table.from_pylist(stock, schema=INVENTORY_SNAPSHOT))
    write_receipts(ws.root / "inventory" / "receipts.parquet", EXPECTED_RECEIPTS.empty_table())

    ref = load_reference(ws.root / "reference")
    items = [r for r in ref.items.to_pylist() if r["status"] == "active"]
    prices = {r["sku"]: r["unit_price"] for r in ref.prices.to_pylist()
              if r["partner"] == "p0000" and r["valid_to"] is None}
    items = [r for r in items if r["sku"] in prices]
    rng = random.Random(14)
    shipped = []
    for i, pid in enumerate(ids):
        orders = [(f"P{i:04d}-{k:02d}", [(ln, max(it["case_pack"] * rng.randint(1, 4), it["min_order_qty"]), it)
                                          for ln, it in enumerate(rng.sample(items, lines), 1)])
                  for k in range(pos)]
        if errors and pos > 1:
            po, first = orders[1]
            orders[1] = (po, [(first[0][0], first[0][1], {**first[0][2], "upc": "999999999993"}), *first[1:]])
        inbox = ws.root / "drop" / pid / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        if kind(i) == "csv":
            _csv_orders(inbox / f"{pid}-orders.csv", orders, prices)
        else:
            _x12_orders(inbox / f"{pid}-po.x12", i, orders, prices)
        shipped += orders[::2]
    _confirmations(ws.root, shipped)


def _x12_orders(path: Path, i: int, orders: list, prices: dict) -> None:
    k = kind(i)
    e, c, term = ("|", ":", "~\r\n") if k == "x12-5010" else ("*", ">", "~\n")
    version = {"x12-4010": "004010", "x12-5010": "005010", "x12-4030": "004030"}[k]
    isa12, isa11 = ("00501", "^") if k == "x12-5010" else ("00401", "U")
    ctl = 100_000 + i
    segs = [e.join(["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"PARTNER{i:04d}".ljust(15), "ZZ",
                    "ORDERBRIDGE".ljust(15), "261126", "0100", isa11, isa12, f"{ctl:09d}", "0", "P", c]),
            e.join(["GS", "PO", f"PARTNER{i:04d}", "ORDERBRIDGE", "20261126", "0100", str(ctl), "X", version])]
    for n, (po, lines) in enumerate(orders, 1):
        body = [e.join(["BEG", "00", "SA", po, "", "20261126"]), e.join(["CUR", "BY", "USD"]),
                e.join(["ITD", "08", "3", "2", "", "10", "", "30"]), e.join(["DTM", "010", "20261210"]),
                e.join(["N1", "ST", "Acme Distribution Center", "92", "DC01"])]
        body += [e.join(["PO1", str(ln), str(q), "EA", f"{prices[it['sku']]:.2f}", "PE", "UP", it["upc"]])
                 for ln, q, it in lines]
        body.append(e.join(["CTT", str(len(lines))]))
        segs += [e.join(["ST", "850", f"{n:04d}"]), *body, e.join(["SE", str(len(body) + 2), f"{n:04d}"])]
    segs += [e.join(["GE", str(len(orders)), str(ctl)]), e.join(["IEA", "1", f"{ctl:09d}"])]
    path.write_text("".join(s + term for s in segs), newline="")


def _csv_orders(path: Path, orders: list, prices: dict) -> None:
    head = ("PO Number;PO Date;Line;Quantity;Unit;Unit Price;UPC;SKU;Buyer Item;Description;Currency;Ship Date;"
            "Ship To;Ship To Name;Address;City;State;Postal Code;Country\n")
    rows = [head]
    for po, lines in orders:
        for ln, q, it in lines:
            price = f"{prices[it['sku']]:.2f}".replace(".", ",")
            rows.append(f"{po};26.11.2026;{ln};{q};EA;{price};{it['upc']};;;{it['description']};USD;10.12.2026;"
                        "DC01;Acme Distribution Center;4000 Logistics Pkwy;Memphis;TN;38118-1234;US\n")
    path.write_text("\ufeff" + "".join(rows), encoding="utf-8")


def _confirmations(ws_root: Path, shipped: list) -> None:
    """The east DC's CSV confirmations of ``shipped`` (every unit, one shipment per PO, cartons of 4 lines)."""
    inbox = ws_root / "warehouse-drop" / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    day, clock = SHIPPED_AT
    rows = ["Shipment ID,Ship Date,Ship Time,Carrier,Tracking Number,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"]
    for n, (po, lines) in enumerate(shipped):
        for m, (ln, q, it) in enumerate(lines):
            rows.append(f"BS-{po},{day},{clock},UPSN,1Z{n:016d},{po},{ln},{it['sku']},{q},EA,"
                        f"BC-{po}-{m // CARTON_LINES}\n")
    (inbox / "ship-0000.csv").write_text("".join(rows))


def night(n: int, pos: int, lines: int, *, prof: Path | None = None, keep: Path | None = None,
          work: Path = WORK, errors: bool = False) -> dict:
    ws = work / str(n)
    prepare(ws, n, pos, lines, errors=errors)
    code, wall, usage, rows = timed_run(ws, CLOCK, ws.parent / f"{n}.log", prof=prof)
    cpu: dict[str, float] = {}
    for row in rows:
        cpu[row["stage"]] = cpu.get(row["stage"], 0.0) + row.get("cpu", 0.0)
    left = sum(1 for p in (ws / "drop").glob("*/inbox/*") if p.is_file())
    outbox = sum(1 for p in (ws / "drop").glob("*/outbox/*") if p.is_file())
    if keep is not None:
        shutil.rmtree(keep / str(n), ignore_errors=True)
        keep.mkdir(parents=True, exist_ok=True)
        shutil.move(str(ws), str(keep / str(n)))
    shutil.rmtree(ws, ignore_errors=True)
    return {"partners": n, "exit": code, "wall": wall, "cpu": cpu,
            "total_cpu": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "left": left, "outbox": outbox}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--partners", type=int, nargs="+", default=[50, 200, 400], metavar="N",
                    help="the nights' sizes in partners, two at least for the per-partner cost (default 50 200 400)")
    ap.add_argument("--pos", type=int, default=3, help="POs per partner")
    ap.add_argument("--lines", type=int, default=5, help="lines per PO")
    ap.add_argument("--prof", type=Path, help="cProfile the largest night's process into this file")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="keep each workspace as DIR/<partners>")
    ap.add_argument("--errors", action="store_true", help="each partner's second PO names an unknown item")
    ap.add_argument("--work", type=Path, default=WORK, help=f"where the nights run (default {WORK})")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(args.partners))
    runs = [night(n, args.pos, args.lines, prof=args.prof if n == sizes[-1] else None, keep=args.keep,
                 work=args.work, errors=args.errors)
            for n in sizes]
    lo, hi = runs[0], runs[-1]
    extra = max(hi["partners"] - lo["partners"], 1)
    print(f"orderbridge run --no-prefect, {args.pos} POs x {args.lines} lines per partner (one in ten by CSV, every "
          f"second PO shipped); clock {CLOCK}")
    heads = " ".join(f"{str(r['partners']) + ' cpu s':>11}" for r in runs)
    print(f"{'stage':<10} {heads} {'per partner ms':>14}")
    for s in (*STAGES, "total"):
        vals = [r["total_cpu"] if s == "total" else r["cpu"].get(s, 0.0) for r in runs]
        per = 1000 * (vals[-1] - vals[0]) / extra
        print(f"{s:<10} " + " ".join(f"{v:>11.2f}" for v in vals) + f" {per:>14.1f}")
    walls = [r["wall"] for r in runs]
    print(f"{'wall':<10} " + " ".join(f"{v:>11.2f}" for v in walls)
          + f" {1000 * (walls[-1] - walls[0]) / extra:>14.1f}")
    print(f"{'peak MB':<10} " + " ".join(f"{r['peak_rss_mb']:>11.0f}" for r in runs))
    print(f"{'outbox':<10} " + " ".join(f"{r['outbox']:>11}" for r in runs))
    for r in runs:
        if r["left"] or r["exit"]:
            print(f"{r['partners']} partners: exit {r['exit']}, {r['left']} files left in the inboxes")
    print("per partner = (largest - smallest) / the extra partners; total = the process's CPU; wall on a shared "
          "machine.")
    print(json.dumps({"nights": runs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
