"""A rebuilt store of a night of today's intake features equals the live one (flows.rebuild replays the archive as
intake took it in): size runs taken in a line per size (rg53, flows.intake.by_size), reels priced per thousand feet
priced per reel (rg46, by_item_units), volume lines taken as drums (rg59, by_weight's ordered_by_volume), an order
answered by an 870 Order Status Report instead of an 855 (rg40's Lands' End, its profile switched to the 870), and a
grocery 880 invoice (rg33's grocery_875: what a rebuild cannot re-derive is said in its notes)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq

from flows.night import InProcess, run_night
from tests.retailer_support import of_its_own, shipped_night
from tests.support import REPO

ORDERS = ("SELECT partner, po_number, state, revision, answered_revision, ack_type, answered_with, line_count, value,"
          " order_ref FROM orders")
LINES = ("SELECT partner, po_number, line_number, line_id, sku, state, ack, ordered, unit, unit_price, ack_price,"
         " allocated, backordered, rejected, promised_date, warehouses FROM order_lines")
SAME = (LINES, "SELECT partner, po_number, line_number, warehouse, sku, quantity FROM reservations",
        "SELECT partner, kind, last FROM control_numbers", "SELECT partner, sha256, name, status FROM files")
STORED = ("po_number", "line_number", "line_id", "style_line_id", "sku", "quantity", "unit", "unit_price")


def _rows(ws: Path, sql: str) -> set:
    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    try:
        return set(db.execute(sql).fetchall())
    finally:
        db.close()


def _stored_lines(ws: Path) -> set:
    out = set()
    for path in sorted((ws / "state" / "orders").rglob("*.lines.parquet")):
        table = pq.read_table(path)
        cols = [c for c in STORED if c in table.column_names]
        out |= {(path.parent.name, path.name, *(r[c] for c in cols)) for r in table.select(cols).to_pylist()}
    return out


def _live_and_rebuilt(fixtures: Path, tmp_path: Path, night: datetime, *, keep: tuple[str, ...] = (),
                      ship_day: datetime | None = None):
    """The night of ``fixtures``' 850s (the partners in ``keep`` alone, when given; shipped and invoiced at
    ``ship_day`` when given), then the same workspace copied, its store and stored orders lost and rebuilt: (live ws
    root, rebuilt ws root, the rebuild's result)."""
    from flows.rebuild import rebuild
    from flows.workspace import open_workspace

    if keep:
        for partner in [p.name for p in (fixtures / "drops").iterdir()]:
            if partner not in keep:
                shutil.rmtree(fixtures / "drops" / partner)
    ws = of_its_own(fixtures, tmp_path / "live", warehouses=REPO / "tests" / "fixtures" / "rg2" / "warehouses")
    if ship_day is None:  # the nightly flow: its reports hold the allocation a rebuild reserves again
        run_night(str(ws.root), stages=InProcess(), now=night.isoformat(), use_gx=False)
    else:
        shipped_night(ws, fixtures, night, ship_day)
    lost = tmp_path / "lost"
    shutil.copytree(ws.root, lost, symlinks=True)
    for p in (lost / "state").glob("orderbridge.sqlite*"):
        p.unlink()
    shutil.rmtree(lost / "state" / "orders")
    done = rebuild(open_workspace(lost), at=datetime(night.year, night.month, night.day, 23))
    return ws.root, lost, done


def _copy(name: str, tmp_path: Path) -> Path:
    fixtures = tmp_path / name
    shutil.copytree(REPO / "tests" / "fixtures" / name, fixtures)
    return fixtures


def _differ(rebuilt: set, kept: set) -> tuple[list, list]:
    """What only the rebuilt store holds, what only the live one holds (a few of each, sorted)."""
    return sorted(rebuilt - kept, key=repr)[:6], sorted(kept - rebuilt, key=repr)[:6]


def _same(live: Path, lost: Path) -> None:
    for sql in (*SAME, ORDERS):
        assert _differ(_rows(lost, sql), _rows(live, sql)) == ([], []), sql
    assert _differ(_stored_lines(lost), _stored_lines(live)) == ([], [])


def test_a_rebuilt_size_run_night_has_the_live_nights_size_lines(tmp_path):
    """A style PO1 with SLN I sublines taken in a line per size (flows.intake.by_size): the rebuilt store's lines, line
    ids and stored tables (style_line_id, the style line each size came from) are the live night's."""
    from tests.retailer_support import recounted
    from tests.test_rg53_team_uniform_buyers import AS_A_STYLE, SIZE_RUN

    fixtures = _copy("rg53", tmp_path)
    [po] = (fixtures / "drops" / "cintas").iterdir()  # Cintas's shirts ordered as one style, its sizes in SLNs
    data = po.read_bytes()
    assert SIZE_RUN in data and b"CTT*4*" in data
    po.write_bytes(recounted(data.replace(SIZE_RUN, AS_A_STYLE).replace(b"CTT*4*", b"CTT*2*")))
    live, lost, _done = _live_and_rebuilt(fixtures, tmp_path, datetime(2026, 11, 25, 2))
    sizes = "SELECT line_number, line_id, state FROM order_lines WHERE po_number = 'CT5303120'"
    assert sorted(_rows(live, sizes)) == [(1, "1-1", "allocated"), (2, "1-2", "allocated"), (3, "1-3", "allocated"),
                                          (4, "4", "allocated")]
    styles = {(r["line_id"], r["style_line_id"]) for p in (lost / "state" / "orders").rglob("*.lines.parquet")
              for r in pq.read_table(p).to_pylist() if r.get("style_line_id")}
    assert styles == {("1-1", "1"), ("1-2", "1"), ("1-3", "1")}  # each size keeps the style line it came from
    _same(live, lost)


def test_a_rebuilt_reel_night_has_the_live_nights_per_reel_prices(tmp_path):
    """Reels priced per thousand feet priced per reel (by_item_units) come back as the night priced them; a line in
    reels, hundreds or boxes came back allocated in the stock's units (1500 for 3 RE): now in the order's."""
    live, lost, _done = _live_and_rebuilt(_copy("rg46", tmp_path), tmp_path, datetime(2026, 11, 25, 2))
    assert any(r[8] == "RE" for r in _rows(live, LINES))
    _same(live, lost)


def test_a_rebuilt_drum_night_has_the_live_nights_drums(tmp_path):
    """Gallons taken as drums and pounds as bags (by_weight) come back as the night took them; a catch-weight line
    took the 855's pounds as its quantity in bags (44000 BG for 800): now it keeps its own."""
    live, lost, _done = _live_and_rebuilt(_copy("rg59", tmp_path), tmp_path, datetime(2026, 11, 25, 2))
    assert any(r[8] == "DR" for r in _rows(live, LINES))
    _same(live, lost)


def test_a_rebuilt_order_answered_by_an_870_is_answered_as_the_live_night_left_it(tmp_path):
    """Lands' End answered by an 870 Order Status Report (rg40, its profile switched to the 870 as its 870 test does):
    a rebuild recorded the 870 as a sent document but not as the order's answer, and the order came back unanswered
    (received, to be decided again, and a second answer sent by the next run). The 870 is now read back as the 855
    it stands for (parsers.outbox_documents, engine.order_status.as_acks): the order acknowledged, AD, answered with
    the 870, its lines as the night left them."""
    fixtures = _copy("rg40", tmp_path)
    toml = fixtures / "partners" / "landsend.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'receives = ["997", "856", "810"]' in text
    toml.write_text(text.replace('receives = ["997", "856", "810"]', 'receives = ["997", "870", "856", "810"]'),
                    encoding="utf-8")
    live, lost, _done = _live_and_rebuilt(fixtures, tmp_path, datetime(2026, 11, 25, 2), keep=("landsend",))
    assert {r[2:7] for r in _rows(live, ORDERS)} == {("acknowledged", 1, 1, "AD", "870")}
    _same(live, lost)


def test_a_rebuilt_880_night_raises_the_invoice_numbers_and_says_it_cannot_record_the_880s_lines(tmp_path):
    """Stater Bros. invoiced by the 880 (rg33's grocery_875, its profile receiving the 880 as its 880 test does): the
    rebuild raises the invoice numbers past the 880's (G01), as past an 810's BIG02, and makes the 856's shipment
    again, billed by the 880 (before: the 856's lines recorded for the reconciliation alone); an 880's lines it
    cannot record (a G17 names no PO line: parsers.sent_documents reads 810 and 856 lines alone), so its notes say
    which 880s were left out, where before they said nothing of them."""
    from tests.test_rg33_regional_grocers_boscovs import grocery_fixtures

    fixtures = grocery_fixtures(tmp_path)
    profile = fixtures / "partners" / "staterbros.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace('"856", "810"]', '"856", "880"]'),
                       encoding="utf-8")
    live, lost, done = _live_and_rebuilt(fixtures, tmp_path, datetime(2026, 11, 25, 2),
                                         ship_day=datetime(2026, 12, 1, 15))
    assert list((live / "drop" / "staterbros" / "outbox").glob("staterbros-880-*.x12"))
    numbers = "SELECT partner, kind, last FROM control_numbers"
    assert ("", "INVOICE", 1) in _rows(live, numbers)
    assert _differ(_rows(lost, numbers), _rows(live, numbers)) == ([], [])
    # the 856's shipment is made again from the archived confirmation (its lines no longer recorded beside it: they
    # would count twice), billed as the 880 billed it: the next night sends no 880 again
    shipments = "SELECT warehouse, shipment_id, partner, billing FROM shipments"
    assert _rows(lost, shipments) == _rows(live, shipments) and {r[3] for r in _rows(lost, shipments)} == {"invoiced"}
    assert not _rows(lost, "SELECT partner FROM recorded_lines")
    [said] = [n for n in done.notes if "880 grocery invoices" in n]
    assert "staterbros-880-" in said and "not recorded for the reconciliation" in said
