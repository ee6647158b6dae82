"""Synthetic 850 interchanges for the demo drops, tests and the benchmark (deterministic per seed)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from parsers.x12_writer import render_x12
from schemas.x12 import Delimiters


def gs1_check_digit(body: str) -> str:
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def upc(n: int) -> str:
    body = f"0{73}{n:08d}"[:11]
    return body + gs1_check_digit(body)


def purchase_order(po_number: str, lines: int, rng: random.Random, *, po_date: date, items: list[tuple[str, str]]
                   | None = None) -> list[list[str]]:
    """Body of one 850 (BEG .. CTT), without ST/SE."""
    body = [["BEG", "00", "SA", po_number, "", po_date.strftime("%Y%m%d")],
            ["CUR", "BY", "USD"],
            ["REF", "DP", "042"],
            ["ITD", "01", "3", "2", "", "10", "", "30"],
            ["DTM", "010", (po_date + timedelta(days=14)).strftime("%Y%m%d")],
            ["N1", "ST", "ACME DC 7", "92", "DC07"],
            ["N3", "100 Distribution Way"],
            ["N4", "Columbus", "OH", "43215", "US"],
            ["N1", "BT", "ACME Accounts Payable", "92", "AP01"]]
    total = 0
    for i in range(1, lines + 1):
        n = rng.randrange(1, 5000)
        qty = rng.choice([6, 12, 24, 48, 96])
        total += qty
        item_upc, vendor = items[(n + i) % len(items)] if items else (upc(n), f"SKU-{n:05d}")
        body.append(["PO1", str(i), str(qty), "EA", f"{rng.randrange(100, 9999) / 100:.2f}", "PE", "UP", item_upc,
                     "VN", vendor])
        body.append(["PID", "F", "", "", "", f"ITEM {vendor}"])
    body.append(["CTT", str(lines), str(total)])
    return body


def interchange(*, sender: tuple[str, str], receiver: tuple[str, str], gs_ids: tuple[str, str], version: str,
                isa13: int, bodies: list[list[list[str]]], d: Delimiters, when: date, ack_requested: str = "0",
                usage: str = "P", set_id: str = "850", functional_id: str = "PO") -> bytes:
    isa_version = version[:5]
    rep = d.repetition if isa_version >= "00402" and d.repetition else "U"
    segs: list[list[str]] = [["ISA", "00", " " * 10, "00", " " * 10, sender[0], sender[1].ljust(15), receiver[0],
                              receiver[1].ljust(15), when.strftime("%y%m%d"), "0200", rep, isa_version,
                              f"{isa13:09d}", ack_requested, usage, d.component],
                             ["GS", functional_id, gs_ids[0], gs_ids[1], when.strftime("%Y%m%d"), "0200", str(isa13),
                              "X", version]]
    for k, body in enumerate(bodies, start=1):
        segs.append(["ST", set_id, f"{k:04d}"])
        segs.extend(body)
        segs.append(["SE", str(len(body) + 2), f"{k:04d}"])
    segs += [["GE", str(len(bodies)), str(isa13)], ["IEA", "1", f"{isa13:09d}"]]
    return render_x12(segs, d)


def change_order(po_number: str, pocs: list[list[str]], *, purpose: str = "04", po_date: date) -> list[list[str]]:
    """Body of one 860 (BCH .. CTT). A POC is [line id, change type, qty, qty left, unit, price, basis, ids...]."""
    body = [["BCH", purpose, "SA", po_number, "", "", po_date.strftime("%Y%m%d")]]
    body += [["POC", *poc] for poc in pocs]
    body.append(["CTT", str(len(pocs))])
    return body
