"""What the retailer sweeps' tests share (tests/fixtures/rg*, one folder per sweep: partners/, reference/,
drops/<partner>/, shipments/, and either stock.csv and warehouses/ of their own or the demo's): their workspaces,
the night that takes their 850s, ships the warehouse's confirmations and delivers, and the outbox read back as
segments."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from pathlib import Path

import pytest


def drop_fixtures(ws, fixtures: Path, drops: dict[str, list[str]] | None = None) -> None:
    """Each partner's 850s of ``fixtures``/drops in its inbox (``drops``: partner -> file names; None: every one)."""
    for folder in (fixtures / "drops").iterdir():
        inbox = ws.drop_root / folder.name / "inbox"
        inbox.mkdir(parents=True)
        for f in folder.iterdir():
            if drops is None or f.name in drops.get(folder.name, []):
                shutil.copy2(f, inbox / f.name)


def on_demo(fixtures: Path, root: Path, drops: dict[str, list[str]] | None = None):
    """A demo workspace (warehouses, inventory, reference) with the sweep's profiles, its reference rows added to
    the demo's, and its 850s in the inboxes."""
    from tests.support import shipping_workspace

    ws = shipping_workspace(root, partners=())
    for profile in (fixtures / "partners").iterdir():
        shutil.copy2(profile, ws.partners_dir / profile.name)
    for rows in (fixtures / "reference").iterdir():
        with open(ws.reference_dir / rows.name, "a", encoding="utf-8") as out:
            out.write(rows.read_text(encoding="utf-8"))
    drop_fixtures(ws, fixtures, drops)
    return ws


def of_its_own(fixtures: Path, root: Path, drops: dict[str, list[str]] | None = None, *,
               warehouses: Path | None = None):
    """A workspace of the sweep's own profiles, reference data and stock (stock.csv as the snapshot, no
    receipts), its warehouses (``warehouses``: another folder, e.g. the demo's), and its 850s in the inboxes."""
    from connectors.reference import read_reference_csv
    from connectors.snapshots import write_receipts, write_snapshot
    from flows.workspace import open_workspace
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    ws = open_workspace(root)
    for folder in ("partners", "reference"):
        shutil.copytree(fixtures / folder, ws.root / folder)
    shutil.copytree(warehouses or fixtures / "warehouses", ws.root / "warehouses")
    stock = read_reference_csv((fixtures / "stock.csv").read_bytes(), name="stock.csv", schema=INVENTORY_SNAPSHOT)
    write_snapshot(ws.inventory_dir / "snapshots", stock)
    write_receipts(ws.inventory_dir / "receipts.parquet", EXPECTED_RECEIPTS.empty_table())
    drop_fixtures(ws, fixtures, drops)
    return ws


def shipped_night(ws, fixtures: Path, night: datetime, ship_day: datetime, *, messages: bool = False):
    """The 850s taken at ``night``, the east DC's confirmations of ``fixtures``/shipments shipped and invoiced at
    ``ship_day``, every document delivered: (ws, the state's findings as (code, severity, PO[, message]), the
    orders' states by key)."""
    from tests.support import run_stages

    run_stages(ws, night)
    return shipped_day(ws, fixtures, ship_day, messages=messages)


def shipped_day(ws, fixtures: Path, ship_day: datetime, *, messages: bool = False):
    """The east DC's confirmations of ``fixtures``/shipments shipped and invoiced at ``ship_day`` (run "day1"), every
    document delivered: (ws, the state's findings as (code, severity, PO[, message]), the orders' states by key)."""
    from tests.support import deliver_all, ship_stages

    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for f in (fixtures / "shipments").iterdir():
        shutil.copy2(f, inbox / f.name)
    ship_stages(ws, ship_day, run_id="day1")
    deliver_all(ws, ship_day)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["po_number"],
                                                        *([f["message"]] if messages else [])))
    return ws, found, states


def findings_and_states(ws, row: Callable[[dict], tuple] = lambda f: (f["code"], f["message"])):
    """The workspace's stored findings, each as ``row`` gives it (default: code and message), and its orders'
    states by key."""
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return [row(f) for f in state.findings()], {o.key: o.state.value for o in state.orders()}
    finally:
        state.close()


def _swapped(text, swaps):
    """``text`` with each (old, new) of ``swaps`` made, every old there."""
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    return text


def recounted(data: bytes) -> bytes:
    """An 850 file (one set, a segment a line) with its SE01 counted again: the trailer's alone, at a segment's
    start ("WAREHOUSE*92*0010" in an N1 is no SE: its 92 became the count)."""
    import re

    count = data.count(b"~", data.index(b"ST*850"), data.index(b"\nSE*")) + 1
    return re.sub(rb"(?<=[~\n])SE\*\d+\*", b"SE*%d*" % count, data)


def variant_night(fixtures: Path, partner: str, po_number: str, tmp_path: Path, swaps=(), *, warehouses: Path,
                  night: datetime, ship_day: datetime, shipped_swaps=(), profile_swaps=(), reference_swaps=()):
    """The night of ``partner``'s PO (``po_number``) alone, from a copy of a sweep's ``fixtures``: its 850's bytes
    swapped (``swaps``; SE01 counted again), its rows of the shipments file alone (``shipped_swaps`` made in them), its
    profile's text swapped (``profile_swaps``), reference files' text (``reference_swaps``: (file name, old, new),
    each old there): shipped_night's (ws, findings with messages, states)."""
    copy = tmp_path / fixtures.name
    shutil.copytree(fixtures, copy)
    for name, old, new in reference_swaps:
        table = copy / "reference" / name
        text = table.read_text(encoding="utf-8")
        assert old in text, old
        table.write_text(text.replace(old, new), encoding="utf-8")
    profile = copy / "partners" / f"{partner}.toml"
    profile.write_text(_swapped(profile.read_text(encoding="utf-8"), profile_swaps), encoding="utf-8")
    po = next((copy / "drops" / partner).iterdir())
    po.write_bytes(recounted(_swapped(po.read_bytes(), swaps)))
    shipped = copy / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    text = "".join(r for r in rows if r.startswith("Shipment ID") or f",{po_number}," in r)
    shipped.write_text(_swapped(text, shipped_swaps), encoding="utf-8")
    return shipped_night(of_its_own(copy, tmp_path / "ws", {partner: [po.name]}, warehouses=warehouses), copy, night,
                         ship_day, messages=True)


def segments(ws, partner: str, kind: str, encoding: str = "utf-8") -> list[list[str]]:
    """The elements of every segment of ``partner``'s ``kind`` documents in its outbox, in file order (each file split
    at its own separators: ISA's fourth character, '*' or '|' for a partner that asks for it, and the terminator after
    ISA16, '~' unless a value holds one and our writer chose another)."""
    out: list[list[str]] = []
    for path in sorted((ws.drop_root / partner / "outbox").glob(f"{partner}-{kind}-*.x12")):
        text = path.read_bytes().decode(encoding).replace("\r", "").replace("\n", "")
        out += [s.split(text[3]) for s in text.split(text[105]) if s]
    return out


def po_segments(segs: list[list[str]], key: str, head: str) -> list[list[str]]:
    """The set whose ``head`` segment (BAK, BIG: the PO number, BAK03 / BIG04; BSN: the shipment id, BSN02)
    names ``key``, ST to SE."""
    at = {"BAK": 3, "BIG": 4, "BSN": 2}[head]
    start = next(k for k, s in enumerate(segs) if s[0] == head and s[at] == key)
    stop = next(k for k in range(start, len(segs)) if segs[k][0] == "SE")
    return segs[start:stop]


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    """pyx12's maps for our outbound sets (tests.shipping_support.pyx12_map_folders), once per test module."""
    pytest.importorskip("pyx12.x12n_document")
    from tests.shipping_support import pyx12_map_folders
    return pyx12_map_folders(tmp_path_factory)


def sent_856s_and_810s(ws, partners) -> list[Path]:
    """Every 856 and 810 file in the outboxes of ``partners``, sorted."""
    return sorted(p for partner in partners for p in (ws.drop_root / partner / "outbox").glob("*-8[15][06]-*.x12"))


def all_sent_accepted(ws, partners, tmp_path: Path, maps, *, shipments: int, answers: int,
                      as_read: Callable[[bytes], bytes] = lambda b: b, invoices: int | None = None) -> None:
    """A sweep's night: its ``shipments`` 856s and ``invoices`` 810s (None: one per shipment; fewer when a
    shipment of a memo order has none, more when one shipment is billed per order) pass our validator, Bots and
    pyx12 (tests.test_mark_for.accepted), and its ``answers`` 855s too, each as ``as_read`` gives it to the
    checkers."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_mark_for import accepted
    from tests.test_pyx12_outbound import pyx12_accepts

    sent = sent_856s_and_810s(ws, partners)
    assert len(sent) == shipments + (shipments if invoices is None else invoices)
    for path in sent:
        accepted(as_read(path.read_bytes()), tmp_path, maps)
    acks = sorted(p for partner in partners for p in (ws.drop_root / partner / "outbox").glob("*-855-*.x12"))
    assert len(acks) == answers
    for path in acks:
        content = as_read(path.read_bytes())
        assert [f for f in validate_outbound(content) if f.severity == "error"] == []
        ok, errors = bots_check(content, tmp_path)
        assert ok, errors
        ok, ack = pyx12_accepts(content.decode(), maps)
        assert ok, ack[:800]



def all_sent_accepted_as_text(ws, partners, tmp_path: Path, maps, *, sent: int,
                              as_read: Callable[[Path], bytes]) -> None:
    """A sweep's night whose partners read other encodings than UTF-8 or text beyond X12's character sets (rg64's
    accents, rg66's CJK): its ``sent`` 855s, 856s and 810s, each as ``as_read`` gives it (in UTF-8 from the
    encoding it was sent in), pass our outbound validator (lengths in characters) and Bots' grammars, the 856s and
    810s our reader too; pyx12 refuses what is not X12's basic or extended character set (AK4 code 6): it takes
    each as an ASCII partner gets it (parsers.x12_writer.transcode)."""
    from parsers.x12_writer import transcode
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check, read_back
    from tests.test_mark_for import accepted
    from tests.test_pyx12_outbound import pyx12_accepts

    paths = sorted(p for partner in partners for p in (ws.drop_root / partner / "outbox").glob("*-8[15][056]-*.x12"))
    assert len(paths) == sent
    for path in paths:
        text = as_read(path)
        assert [f for f in validate_outbound(text) if f.severity == "error"] == [], path.name
        ok, errors = bots_check(text, tmp_path)
        assert ok, (path.name, errors)
        if "-855-" in path.name:  # (our reader takes 850s, 856s and 810s)
            ok, ack = pyx12_accepts(transcode(text, "ascii").decode(), maps)
            assert ok, ack[:800]
        else:
            read_back(text)
            accepted(transcode(text, "ascii"), tmp_path, maps)

def inspected(path: Path, noted: Collection[str] | None = None) -> dict:
    """`orderbridge inspect --json` of one of a sweep's 850 files, as a partner's first test file is checked: it
    exits 0 and, with ``noted``, finds nothing but those codes. Returns what it printed."""
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["inspect", "--json", str(path)])
    assert result.exit_code == 0, result.output
    seen = json.loads(result.output)
    if noted is not None:
        assert {f["code"] for f in seen["findings"]} <= set(noted)
    return seen


def inspected_clean(path: Path, noted: Collection[str], pos_by_partner: Mapping[str, Mapping[str, int]]) -> dict:
    """``inspected`` for a sweep's 850 file of its partner's folder: warnings only (of ``noted``), and the lines of
    each PO its partner's ``pos_by_partner`` entry names. Returns what inspect printed."""
    seen = inspected(path, noted)
    assert {f["severity"] for f in seen["findings"]} <= {"warning"}
    assert line_counts(seen) == pos_in(path, pos_by_partner[path.parent.name])
    return seen


def night_all_invoiced(night, pos_by_partner: Mapping[str, Mapping[str, int]], noted: Collection[str], *,
                       no_855: Collection[str] = (), memo: Collection[tuple[str, str]] = ()) -> None:
    """A sweep's shipped_night: no error, no finding but ``noted``, every PO acknowledged as ordered (the partners in
    ``no_855`` by their 997s alone: accepted_as_ordered), and invoiced (the orders of ``memo``, (partner, PO) shipped
    on memo, shipped_on_memo: no 810 by agreement)."""
    ws, found, states = night
    assert not [f for f in found if f[1] == "error"]
    assert {c for c, _s, _po in found} <= set(noted)
    accepted_as_ordered(ws, pos_by_partner, no_855=no_855)
    assert states == {(p, po): "shipped_on_memo" if (p, po) in memo else "invoiced"
                      for p, pos in pos_by_partner.items() for po in pos}


def line_counts(seen: dict) -> dict[str, int]:
    """PO number -> its number of lines, of what ``inspected`` printed."""
    return {o["po_number"]: o["line_count"] for o in seen["orders"]}


def pos_in(path: Path, pos: Mapping[str, int]) -> dict[str, int]:
    """Of ``pos`` (PO number -> lines: a partner's POs in a sweep), those the file ``path`` holds (as a BEG03,
    between two of its element separators)."""
    data = path.read_bytes()
    sep = data[3:4]
    return {po: n for po, n in pos.items() if sep + po.encode() + sep in data}


def accepted_as_ordered(ws, pos_by_partner: Mapping[str, Mapping[str, int]], *, no_855: Collection[str] = (),
                        encodings: Mapping[str, str] | None = None) -> None:
    """Each partner's 997s accept every one of its POs (AK5 and AK9 A, an AK2 per PO); a partner in ``no_855`` (its
    programme takes none) has no 855 in its outbox, every other one an 855 per PO: BAK02 AD and an ACK IA per PO1
    with its quantity and unit (``encodings``: partner -> its documents' encoding, UTF-8 else)."""
    for partner, pos in pos_by_partner.items():
        acks = segments(ws, partner, "997")
        assert {s[1] for s in acks if s[0] == "AK5"} == {"A"} and all(s[1] == "A" for s in acks if s[0] == "AK9")
        assert sum(s[0] == "AK2" for s in acks) == len(pos), partner
        if partner in no_855:
            assert not list((ws.drop_root / partner / "outbox").glob(f"{partner}-855-*"))
            continue
        answers = segments(ws, partner, "855", (encodings or {}).get(partner, "utf-8"))
        for po, n in pos.items():
            doc = po_segments(answers, po, "BAK")
            assert doc[0][2] == "AD", (partner, po)
            ordered = [s[2:4] for s in doc if s[0] == "PO1"]
            assert len(ordered) == n and [s[1:4] for s in doc if s[0] == "ACK"] == [["IA", q, u] for q, u in ordered]


def stored_value(ws, partner: str):
    """The one order of ``partner``'s stored value (orders.value), as the store keeps it."""
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        [(value,)] = state._q("SELECT value FROM orders WHERE partner = ?", (partner,))
    finally:
        state.close()
    return value
