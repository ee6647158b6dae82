"""Whole nights on damaged real-shaped input: each retailer sweep's fixtures (tests/fixtures/rg*/: profiles,
reference rows, stock, 850s, the DC's shipment confirmations) with its 850s damaged segment by segment and its
confirmations row by row, through the nightly stages (intake, decide, ship, invoice, deliver: tests.support's
run_stages / ship_stages, no Prefect). A night fails when a stage raises, a warehouse's or the invoicing's result
reports a failure, or a finding says an order's decision failed (ORDER_DECISION_FAILED): bad input is to end as
findings, never as an exception. Each failing night's inputs are kept under --keep for a test to be written from.

    make fuzz-nights                      (50 nights)
    .venv/bin/python tests/fuzz_nights.py --nights 300 --seed 7 [--keep /tmp/fuzz-nights]

Two mutators, chosen per file: "segments" (a body segment deleted, repeated, swapped with another, an element
replaced by junk or dropped, one added) and "plausible" (an element replaced by a value another sweep fixture sends
in the same segment and position: a real code in the wrong place). SE01 is counted again after each, so the damage
reaches the rules rather than stopping at the envelope. Not part of `make test` (each night is seconds); the
byte-level fuzzing of the per-file pipeline is tests/test_fuzz_intake.py (`make fuzz`)."""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import traceback
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ENVELOPE = (b"ISA", b"GS", b"ST", b"SE", b"GE", b"IEA")
JUNK = [b"", b"X", b"0", b"-1", b"99999999999", b"1.2.3", b"20261340", b"ZZ", b"\xc3\xa9", b"  ", b"1E5", b"00000000",
        b"NaN", b".5", b"-0"]


def _split(data: bytes):
    """(element separator, segment terminator, segments) of an X12 file, None when it has no ISA to tell them."""
    if len(data) < 106 or not data.startswith(b"ISA"):
        return None
    return data[3:4], data[105:106], data.split(data[105:106])


def _body(segs: list[bytes], el: bytes) -> list[int]:
    return [i for i, s in enumerate(segs) if s.strip() and s.strip().split(el)[0] not in ENVELOPE]


def recounted(data: bytes) -> bytes:
    """Every set's SE01 counted again (ST to SE)."""
    parts = _split(data)
    if parts is None:
        return data
    el, term, segs = parts
    start = None
    for k, seg in enumerate(segs):
        head = seg.strip().split(el)[0]
        if head == b"ST":
            start = k
        elif head == b"SE" and start is not None:
            elements = seg.split(el)
            if len(elements) > 1:
                elements[1] = str(k - start + 1).encode()
                segs[k] = el.join(elements)
            start = None
    return term.join(segs)


def _damaged(rng: random.Random, data: bytes, most: int, change) -> bytes:
    """``data`` with 1 to ``most`` of its body segments changed, each by ``change(segs, i, lead, elements, body,
    el)``: the segments, the one picked, its leading line end, its elements, the body's places, the separator."""
    parts = _split(data)
    if parts is None:
        return data
    el, term, segs = parts
    for _ in range(rng.randint(1, most)):
        body = _body(segs, el)
        if not body:
            break
        i = rng.choice(body)
        change(segs, i, segs[i][:len(segs[i]) - len(segs[i].lstrip())], segs[i].lstrip().split(el), body, el)
    return term.join(segs)


def segment_damage(rng: random.Random, data: bytes) -> bytes:
    def change(segs, i, lead, elements, body, el):
        r = rng.random()
        if r < 0.15:
            del segs[i]
        elif r < 0.25:
            segs.insert(i, segs[i])
        elif r < 0.35:
            j = rng.choice(body)
            segs[i], segs[j] = segs[j], segs[i]
        elif r < 0.75 and len(elements) > 1:
            elements[rng.randrange(1, len(elements))] = rng.choice(JUNK + [elements[rng.randrange(1, len(elements))]])
            segs[i] = lead + el.join(elements)
        elif r < 0.85 and len(elements) > 2:
            del elements[rng.randrange(1, len(elements))]
            segs[i] = lead + el.join(elements)
        else:
            elements.append(rng.choice(JUNK))
            segs[i] = lead + el.join(elements)

    return _damaged(rng, data, 3, change)


def value_pool(files: list[Path]) -> dict[tuple[bytes, int], list[bytes]]:
    """(segment id, position) -> the values the fixtures send there."""
    pool: dict[tuple[bytes, int], set[bytes]] = defaultdict(set)
    for f in files:
        parts = _split(f.read_bytes())
        if parts is None:
            continue
        el, _term, segs = parts
        for seg in segs:
            elements = seg.strip().split(el)
            if elements[0] not in ENVELOPE:
                for k, v in enumerate(elements[1:], 1):
                    pool[(elements[0], k)].add(v)
    return {k: sorted(v) for k, v in pool.items()}


def plausible_damage(rng: random.Random, data: bytes, pool) -> bytes:
    def change(segs, i, lead, elements, body, el):
        r = rng.random()
        if r < 0.8 and len(elements) > 1:
            k = rng.randrange(1, len(elements) + 1)
            values = pool.get((elements[0], k))
            if values:
                if k < len(elements):
                    elements[k] = rng.choice(values)
                else:
                    elements.append(rng.choice(values))
                segs[i] = lead + el.join(elements)
        elif r < 0.9:
            segs.insert(i, segs[i])
        else:
            del segs[i]

    return _damaged(rng, data, 4, change)


def rows_damage(rng: random.Random, text: str) -> str:
    """A confirmation CSV's rows: a field taken from another row, a row repeated or dropped, a field blanked or
    made a number out of range."""
    rows = text.splitlines(keepends=True)
    if len(rows) < 2:
        return text
    head, body = rows[0], rows[1:]
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.5:
            a, b = rng.randrange(len(body)), rng.randrange(len(body))
            fa, fb = body[a].rstrip("\n").split(","), body[b].rstrip("\n").split(",")
            k = rng.randrange(min(len(fa), len(fb)))
            fa[k] = fb[k]
            body[a] = ",".join(fa) + "\n"
        elif r < 0.65:
            body.insert(rng.randrange(len(body)), rng.choice(body))
        elif r < 0.8 and len(body) > 1:
            del body[rng.randrange(len(body))]
        else:
            a = rng.randrange(len(body))
            fa = body[a].rstrip("\n").split(",")
            fa[rng.randrange(len(fa))] = rng.choice(["", "0", "-1", "1.5", "999999", "X"])
            body[a] = ",".join(fa) + "\n"
    return head + "".join(body)


def rounds() -> list[tuple[Path, datetime, datetime, Path]]:
    """Each sweep round with drops, stock and confirmations: (fixtures, its night, its ship day, its warehouses),
    the clocks as its test module sets them."""
    out = []
    for test in sorted((ROOT / "tests").glob("test_rg*.py")):
        name = re.match(r"test_(rg\d+)_", test.name)
        fixtures = ROOT / "tests" / "fixtures" / name.group(1) if name else None
        if fixtures is None or not all((fixtures / p).exists() for p in ("drops", "shipments", "stock.csv")):
            continue
        text = test.read_text(encoding="utf-8")
        clocks = [re.search(rf"^{c} = datetime\(([\d, ]*)\)", text, re.M) for c in ("NIGHT", "SHIP_DAY")]
        if all(clocks):
            night, ship = (datetime(*(int(x) for x in c.group(1).split(","))) for c in clocks)
            own = fixtures / "warehouses"
            out.append((fixtures, night, ship, own if own.is_dir() else ROOT / "tests/fixtures/rg2/warehouses"))
    return out


def one_night(rng: random.Random, case, pool, keep: Path, label: str) -> str:
    """One damaged night; '' when it ended in findings only, else what failed (its inputs kept)."""
    from connectors.state import StateStore
    from tests.retailer_support import of_its_own
    from tests.support import deliver_all, run_stages, ship_stages

    fixtures, night, ship_day, warehouses = case
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-night-"))
    copy = tmp / fixtures.name
    try:
        shutil.copytree(fixtures, copy)
        for f in sorted((copy / "drops").rglob("*")):
            if f.is_file() and rng.random() < 0.8:
                data = f.read_bytes()
                damaged = segment_damage(rng, data) if rng.random() < 0.5 else plausible_damage(rng, data, pool)
                f.write_bytes(recounted(damaged))
        for f in sorted((copy / "shipments").iterdir()):
            if rng.random() < 0.5:
                f.write_text(rows_damage(rng, f.read_text(encoding="utf-8")), encoding="utf-8")
        failed = ""
        try:
            ws = of_its_own(copy, tmp / "ws", warehouses=warehouses)
            run_stages(ws, night)
            inbox = ws.warehouse_drop_root / "east" / "inbox"
            inbox.mkdir(parents=True, exist_ok=True)
            for f in (copy / "shipments").iterdir():
                shutil.copy2(f, inbox / f.name)
            results = ship_stages(ws, ship_day, run_id="fuzz")
            deliver_all(ws, ship_day)
            state = StateStore(ws.state_path)
            try:
                decided = [f"{f['po_number']}: {f['message']}" for f in state.findings()
                           if f["code"] == "ORDER_DECISION_FAILED"]
            finally:
                state.close()
            failures = [r.failure for r in results if getattr(r, "failure", "")]
            if failures or decided:
                failed = "; ".join([*failures, *decided])
        except Exception:  # noqa: BLE001 (what the harness is for: any exception is the finding)
            failed = traceback.format_exc()
        if failed:
            shutil.copytree(copy, keep / label / fixtures.name, dirs_exist_ok=True)
        return failed
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nights", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "fuzz-nights")
    args = parser.parse_args(argv)
    cases = rounds()
    if not cases:
        print("no sweep fixtures found under tests/fixtures/rg*", file=sys.stderr)
        return 2
    pool = value_pool(sorted((ROOT / "tests" / "fixtures").glob("rg*/drops/*/*")))
    rng = random.Random(args.seed)
    failed = 0
    for n in range(args.nights):
        case = rng.choice(cases)
        what = one_night(rng, case, pool, args.keep, f"night-{args.seed}-{n}")
        if what:
            failed += 1
            print(f"night {n} ({case[0].name}) FAILED, inputs kept in {args.keep / f'night-{args.seed}-{n}'}:\n{what}",
                  flush=True)
    print(f"{args.nights} damaged nights over {len(cases)} sweep rounds (seed {args.seed}): {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
