"""Releases against one blanket PO number (850 BEG02 RL, the same BEG03, another BEG04 each time) are
orders of their own, through the whole chain: both answered (855 BAK03 the PO, BAK05 the release), an
860 naming its release (BCH04) changes that release only, an 860 naming none is refused when several
releases are open, a shipment for each (the confirmation names the release; one that does not, while
two are open, is held), 856 PRF01/PRF02 and 810 BIG04/BIG05 carry PO and release, the reconciliation
keeps them apart, `orderbridge status PO` shows both (and one with --release). The same release sent
again is still ORDER_DUPLICATE; a store written before releases were told apart still finds its orders."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime

import pyarrow as pa
import pytest

from connectors.state import StateStore
from engine.lifecycle.releases import Held, key_orders, named_key
from flows.reconcile import load_inputs
from flows.status_view import run_status
from schemas.lifecycle import OrderState
from schemas.order_keys import SEP, release_key, shown, x12_po
from tests.support import run_night, run_stages, shipping_workspace

NIGHT1, DAY1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30), datetime(2026, 11, 28, 2)
R2 = release_key("BLK-1", "2")
HEAD = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*{isa:09d}*0*P*>~\n"
        "GS*{gs}*ACMERETAIL*ORDERBRIDGE*20261126*0200*{isa}*X*004010~\n")
TAIL = "GE*{n}*{isa}~\nIEA*1*{isa:09d}~\n"


def _release(st02: str, release: str, qty: int, *, beg: str = "BEG*00*RL*BLK-1*{r}*20261126") -> list[str]:
    """Line 1: ``qty`` of SKU-1001; line 2: 12 of SKU-1003 (a case)."""
    return [f"ST*850*{st02}", beg.format(r=release), "CUR*BY*USD", "DTM*010*20261210",
            "N1*ST*Acme Distribution Center*92*DC01", f"PO1*1*{qty}*EA*19.70*PE*UP*614141100101",
            "PO1*2*12*EA*39.20*PE*VN*VP-1003", f"CTT*2*{qty + 12}"]


def _change(st02: str, release: str, qty: int) -> list[str]:
    return [f"ST*860*{st02}", f"BCH*04*RL*BLK-1*{release}**20261126", f"POC*1*QD*{qty}**EA*19.70*PE*UP*614141100101",
            "CTT*1"]


def _interchange(isa: int, gs: str, sets: list[list[str]]) -> bytes:
    body = "".join("".join(s + "~\n" for s in one) + f"SE*{len(one) + 1}*{one[0].split('*')[2]}~\n" for one in sets)
    return (HEAD.format(isa=isa, gs=gs) + body + TAIL.format(n=len(sets), isa=isa)).encode()


def _drop(ws, name: str, data: bytes) -> None:
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_bytes(data)


def _confirm(ws, name: str, rows: list[tuple[str, str, str, str, int]]) -> None:
    """The east DC's CSV: (shipment, release, PO line, SKU, quantity) of PO BLK-1."""
    text = "Shipment ID,Ship Date,Carrier,PO Number,Release,PO Line,SKU,Quantity,Unit,Carton ID\n" + "".join(
        f"{sid},2026-11-27,UPSN,BLK-1,{rel},{line},{sku},{qty},EA,C-{sid}\n" for sid, rel, line, sku, qty in rows)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text(text)


def _segments(path, seg: str) -> list[list[str]]:
    data = path.read_text()
    element, terminator = data[3], data[105]
    return [line.strip().split(element) for line in data.split(terminator) if line.strip().startswith(seg + element)]


def _sent(ws, kind: str, seg: str) -> list[list[str]]:
    return [s for p in sorted((ws.drop_root / "acme" / "outbox").glob(f"*-{kind}-*.x12")) for s in _segments(p, seg)]


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    ws = shipping_workspace(tmp_path_factory.mktemp("rel") / "ws", partners=())
    east = ws.root / "warehouses" / "east.toml"
    east.write_text(east.read_text().replace('line_id = "PO Line"', 'line_id = "PO Line"\nrelease_number = "Release"'))
    _drop(ws, "acme-releases.x12", _interchange(5001, "PO", [_release("0001", "1", 10), _release("0002", "2", 4)]))
    run_stages(ws, NIGHT1)
    out = {"ws": ws, "night1": _orders(ws)}
    # night 2: release 2 sent again, an 860 to release 1, an 860 naming no release
    _drop(ws, "acme-resend.x12", _interchange(5002, "PO", [_release("0001", "2", 4)]))
    _drop(ws, "acme-changes.x12", _interchange(5003, "PC", [_change("0001", "1", 8), _change("0002", "", 3),
                                                             _change("0003", "9", 1)]))  # release 9: never received
    _confirm(ws, "east-1.csv", [("S-1", "1", "1", "SKU-1001", 8), ("S-1", "1", "2", "SKU-1003", 12),
                                ("S-2", "2", "1", "SKU-1001", 4), ("S-2", "2", "2", "SKU-1003", 12),
                                ("S-3", "", "1", "SKU-1001", 1)])
    run_stages(ws, NIGHT2)
    return out


def _orders(ws) -> dict:
    state = StateStore(ws.state_path)
    try:
        return {o.po_number: o.state for o in state.orders("acme")}
    finally:
        state.close()


def _findings(ws, code: str) -> list[dict]:
    state = StateStore(ws.state_path)
    try:
        return [f for f in state.findings() if f["code"] == code]
    finally:
        state.close()


def test_two_releases_of_one_po_are_two_orders_each_answered(chain):
    assert set(chain["night1"]) == {"BLK-1", R2}
    assert set(chain["night1"].values()) == {OrderState.ACKNOWLEDGED}
    baks = [b for b in _sent(chain["ws"], "855", "BAK") if b[1] == "00"]  # (night 2's 860 is answered BAK01 05)
    assert sorted((b[3], b[5]) for b in baks) == [("BLK-1", "1"), ("BLK-1", "2")]
    assert not any(SEP in "*".join(b) for b in baks)


def test_the_same_release_sent_again_is_a_duplicate(chain):
    [dup] = _findings(chain["ws"], "ORDER_DUPLICATE")
    assert dup["po_number"] == R2 and "BLK-1 release 2 (BEG04) was already received" in dup["message"]
    assert len([b for b in _sent(chain["ws"], "855", "BAK") if b[1] == "00"]) == 2  # no third original 855


def test_an_860_changes_the_release_it_names_and_one_naming_none_is_refused(chain):
    ws = chain["ws"]
    state = StateStore(ws.state_path)
    try:
        assert [ln.ordered for ln in state.order_lines("acme", "BLK-1") if ln.line_number == 1][0] == 8
        assert [ln.ordered for ln in state.order_lines("acme", R2) if ln.line_number == 1][0] == 4
        assert state.order("acme", "BLK-1").revision == 2 and state.order("acme", R2).revision == 1
    finally:
        state.close()
    [amb] = _findings(ws, "CHANGE_RELEASE_AMBIGUOUS")
    assert "2 releases open (1, 2)" in amb["message"] and amb["severity"] == "error"
    revised = [(b[3], b[5]) for b in _sent(ws, "855", "BAK") if b[1] == "05"]  # Acme answers an applied 860 so
    assert revised == [("BLK-1", "1")]  # the ambiguous one: not answered as if applied
    assert [(b[2], b[3], b[4]) for b in _sent(ws, "865", "BCA")] == [("RD", "BLK-1", "9")]  # an unknown release
    [unknown] = _findings(ws, "CHANGE_ORDER_UNKNOWN")
    assert "No live order 'BLK-1 release 9'" in unknown["message"]


def test_a_shipment_for_each_release_856_and_810_carry_po_and_release(chain):
    ws = chain["ws"]
    prfs = _sent(ws, "856", "PRF")
    assert sorted((p[1], p[2]) for p in prfs) == [("BLK-1", "1"), ("BLK-1", "2")]
    bigs = _sent(ws, "810", "BIG")
    assert sorted((b[4], b[5]) for b in bigs) == [("BLK-1", "1"), ("BLK-1", "2")]
    [amb] = _findings(ws, "SHIPMENT_RELEASE_AMBIGUOUS")
    assert amb["row_number"] == 6 and "held" in amb["consequence"]
    state = StateStore(ws.state_path)
    try:
        assert {s.shipment_id for s in state.shipments()} == {"S-1", "S-2"}
        assert {o.po_number: o.state for o in state.orders("acme")} == {"BLK-1": OrderState.INVOICED,
                                                                         R2: OrderState.INVOICED}
    finally:
        state.close()


def test_the_reconciliation_keeps_releases_apart(chain):
    ws = chain["ws"]
    state = StateStore(ws.state_path)
    try:
        inputs = load_inputs(ws, state, ws.partners())
    finally:
        state.close()
    for table, column in ((inputs.acknowledged, "quantity"), (inputs.shipped, "quantity"),
                          (inputs.invoiced, "quantity")):
        got = {(r["po_number"], r["line_number"]): int(r[column]) for r in table.to_pylist()}
        assert got == {("BLK-1", 1): 8, ("BLK-1", 2): 12, (R2, 1): 4, (R2, 2): 12}, (table.schema.names, got)
    assert shown(R2) == "BLK-1 release 2" and x12_po(R2) == "BLK-1"


def test_status_shows_every_release_and_one_by_its_number(chain, capsys):
    ws = chain["ws"]
    assert run_status("BLK-1", None, True, ws.root) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["release_number"] for r in doc["releases"]] == ["1", "2"]
    assert [r["order"]["state"] for r in doc["releases"]] == ["invoiced", "invoiced"]
    assert run_status("BLK-1", "acme", True, ws.root, release="2") == 0
    one = json.loads(capsys.readouterr().out)
    assert one["order"]["po_number"] == R2
    assert run_status("BLK-1", None, True, ws.root, release="9") != 0


def test_a_store_written_before_releases_were_told_apart_still_finds_its_order(tmp_path):
    """Release 1 taken by the code before the change (keyed by BEG03, its BEG04 in the stored 850 only):
    its resend is still a duplicate; release 2 is a new order; an 860 naming release 1, and one naming
    none while release 1 is the only open order, reach it."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    _drop(ws, "acme-r1.x12", _interchange(6001, "PO", [_release("0001", "1", 10)]))
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    try:
        [old] = state.orders("acme")
        assert old.po_number == "BLK-1"  # what the store held before: nothing but BEG03 keys it
    finally:
        state.close()
    _drop(ws, "acme-r1-again.x12", _interchange(6002, "PO", [_release("0001", "1", 10)]))
    _drop(ws, "acme-r2.x12", _interchange(6003, "PO", [_release("0001", "2", 4)]))
    run_stages(ws, NIGHT2)
    assert set(_orders(ws)) == {"BLK-1", R2}
    assert [f["po_number"] for f in _findings(ws, "ORDER_DUPLICATE")] == ["BLK-1"]
    # night 3: an 860 to release 1 (its release known only from its stored 850), a confirmation naming it
    east = ws.root / "warehouses" / "east.toml"
    east.write_text(east.read_text().replace('line_id = "PO Line"', 'line_id = "PO Line"\nrelease_number = "Release"'))
    _drop(ws, "acme-change-r1.x12", _interchange(6004, "PC", [_change("0001", "1", 6)]))
    _confirm(ws, "east-r1.csv", [("S-9", "1", "1", "SKU-1001", 6)])
    run_stages(ws, datetime(2026, 11, 29, 2))
    state = StateStore(ws.state_path)
    try:
        assert [ln.ordered for ln in state.order_lines("acme", "BLK-1") if ln.line_number == 1] == [6]
        assert [ln.ordered for ln in state.order_lines("acme", R2) if ln.line_number == 1] == [4]
        assert [(ln.po_number, ln.quantity) for s in state.shipments() for ln in s.lines] == [("BLK-1", 6)]
    finally:
        state.close()
    assert _findings(ws, "CHANGE_RELEASE_AMBIGUOUS") == _findings(ws, "SHIPMENT_RELEASE_AMBIGUOUS") == []
    assert [(p[1], p[2]) for p in _sent(ws, "856", "PRF")] == [("BLK-1", "1")]


def test_order_keys_decided_purely():
    held = Held()

    orders = pa.table({"po_number": ["P", "P", "P", "Q", "P"], "release_number": ["1", "2", "1", None, None]})
    assert key_orders(orders, held) == ["P", release_key("P", "2"), "P", "Q", "P"]
    assert named_key("P", "2", held) == (release_key("P", "2"), "")
    key, why = named_key("P", "", held)
    assert key is None and "releases open" in why
    assert named_key("Q", "", held) == ("Q", "")
    assert named_key("Z", "7", held) == ("Z", "")  # nothing held: as before releases


def test_a_partner_sending_no_releases_is_left_as_it_was(tmp_path):
    """No BEG04, no release keys: the stage reads nothing more (the outcome object itself goes on)."""
    from flows.releases import key_releases

    class _NoState:
        def release_orders(self, partner=None):
            raise AssertionError("not asked")

    from engine.process import Outcome

    outcome = Outcome(file="f", sha256="s", parse=None)
    assert key_releases(_NoState(), None, "acme", outcome) == (outcome, [])


def test_a_document_naming_a_release_is_read_onto_that_releases_order():
    """Our own 855/865s read back (BAK05, BCA04) and other systems' 856/810s recorded (PRF02, BIG05):
    the release named is that release's order when it is one of its own, else the PO's order (the
    first release, keyed by the PO number; a store from before releases were told apart)."""
    from engine.finance_inputs import held_releases
    from schemas.order_keys import release_keys

    named = release_keys(pa.array(["P", "P", "Q", "P"]), pa.array(["1", "2", "", None]))
    assert named.to_pylist() == [release_key("P", "1"), release_key("P", "2"), "Q", "P"]
    lines = pa.table({"partner": ["acme"] * 3, "po_number": ["P", release_key("P", "2"), "Q"]})
    read = held_releases(pa.table({"partner": ["acme"] * 4, "po_number": named}), lines)
    assert read["po_number"].to_pylist() == ["P", release_key("P", "2"), "Q", "P"]
    # with the releases of the orders keyed by their PO: a release none of them is stays no order's
    other = pa.array([release_key("P", "1"), release_key("P", "9"), release_key("Q", "1")])
    read = held_releases(pa.table({"partner": ["acme"] * 3, "po_number": other}), lines, {("acme", "P"): "1"})
    assert read["po_number"].to_pylist() == ["P", release_key("P", "9"), release_key("Q", "1")]


def test_a_rebuilt_store_keeps_releases_apart(tmp_path):
    """`orderbridge state rebuild` replays the archived 850s and 860s keyed as intake keyed them and puts
    each 855 (BAK05) and revised answer on its release's order: the rebuilt orders are the lost ones."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws = shipping_workspace(tmp_path / "ws", partners=())
    shutil.rmtree(ws.root / "warehouses")  # X12 orders only: what a rebuild re-derives whole
    _drop(ws, "acme-releases.x12", _interchange(7001, "PO", [_release("0001", "1", 10), _release("0002", "2", 4)]))
    run_night(ws, NIGHT1)  # with its reports: a rebuild reads the allocation from them
    _drop(ws, "acme-change-r2.x12", _interchange(7002, "PC", [_change("0001", "2", 2)]))
    run_night(ws, NIGHT2)
    columns = "partner, po_number, state, revision, answered_revision, ack_type"
    kept = _table(ws, f"SELECT {columns} FROM orders ORDER BY po_number")
    kept_lines = _table(ws, "SELECT partner, po_number, line_number, state, ordered, allocated FROM order_lines "
                            "ORDER BY po_number, line_number")
    assert [r[1] for r in kept] == ["BLK-1", R2] and kept[1][3] == 2  # release 2 changed: revision 2
    for p in ws.state_path.parent.glob(ws.state_path.name + "*"):
        p.unlink()
    res = CliRunner().invoke(app, ["state", "rebuild", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    assert _table(ws, f"SELECT {columns} FROM orders ORDER BY po_number") == kept
    assert _table(ws, "SELECT partner, po_number, line_number, state, ordered, allocated FROM order_lines "
                      "ORDER BY po_number, line_number") == kept_lines


def _table(ws, sql: str) -> list[tuple]:
    db = sqlite3.connect(ws.state_path)
    try:
        return [tuple(r) for r in db.execute(sql).fetchall()]
    finally:
        db.close()


def test_the_command_line_names_one_release_with_release(chain):
    """approve / reject / recheck name one order: a PO held as several releases needs --release."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws = chain["ws"]
    res = CliRunner().invoke(app, ["approve", "BLK-1", "--partner", "acme", "--by", "ops", "-w", str(ws.root)])
    assert res.exit_code == 2 and "held as 2 releases (1, 2): use --release" in " ".join(res.output.split())
    res = CliRunner().invoke(app, ["approve", "BLK-1", "--release", "2", "--partner", "acme", "--by", "ops", "-w",
                                   str(ws.root)])
    assert res.exit_code == 2 and "is invoiced: only an order waiting for a person" in " ".join(res.output.split())
    res = CliRunner().invoke(app, ["status", "BLK-1", "--release", "1", "--partner", "acme", "-w", str(ws.root)])
    assert res.exit_code == 0 and "acme / BLK-1 release 1: invoiced" in res.output
    # among several POs (tests/test_bulk_approve.py), a PO of several releases is skipped naming --release; with
    # --release it is that release, checked as alone
    res = CliRunner().invoke(app, ["approve", "BLK-1", "BLK-9", "--partner", "acme", "--by", "ops", "-w", str(ws.root)])
    text = " ".join(res.output.split())
    assert res.exit_code == 3 and "skipped acme/BLK-1: is 2 orders (releases, or told apart by a reference): name it" \
        " alone with --release" in text, text
    res = CliRunner().invoke(app, ["approve", "BLK-1", "--release", "2", "--dry-run", "--partner", "acme", "--by",
                                   "ops", "-w", str(ws.root)])
    text = " ".join(res.output.split())
    assert res.exit_code == 3 and "skipped acme/BLK-1 release 2: is invoiced now" in text, text


def test_a_945_names_the_release_in_n9_re_and_a_csv_in_its_mapped_column():
    from parsers.shipments_csv import read_shipment_csv
    from parsers.warehouse_945 import read_945
    from parsers.x12_reader import read_interchanges
    from schemas.fulfilment import ShipmentCsvMapping
    from tests.support import REPO

    text = (REPO / "sample_files" / "shipments" / "3pl-945.x12").read_text()
    named = text.replace("N9*BM*BOL-9001~", "N9*BM*BOL-9001~N9*RE*2~")  # one more segment: SE01 too
    se = named.split("SE*", 1)[1].split("*", 1)
    named = named.replace(f"SE*{se[0]}*", f"SE*{int(se[0]) + 1}*", 1)
    for data, release in ((text, None), (named, "2")):
        result = read_interchanges(data.encode(), file="n.945")
        lines, found = read_945(result, list(result.transaction_sets()))
        assert found == [] and set(lines["release_number"].to_pylist()) == {release}
    csv = b"Shipment ID,Ship Date,PO Number,Release,PO Line,Quantity\nS-1,2026-11-27,BLK-1,2,1,4\n"
    lines, found = read_shipment_csv(csv, ShipmentCsvMapping(release_number="Release"), file="e.csv")
    assert found == [] and lines["release_number"].to_pylist() == ["2"]
    lines, _ = read_shipment_csv(csv, ShipmentCsvMapping(), file="e.csv")
    assert lines["release_number"].to_pylist() == [None]  # not mapped: the feed names none


def test_no_message_document_or_report_line_shows_the_keys_separator(chain):
    ws = chain["ws"]
    state = StateStore(ws.state_path)
    try:
        assert not [f["message"] for f in state.findings() if SEP in (f["message"] or "")]
    finally:
        state.close()
    for path in [*ws.drop_root.glob("*/outbox/*"), *ws.reports_dir.glob("*/*.csv"), *ws.reports_dir.glob("*/*.html")]:
        assert SEP.encode() not in path.read_bytes(), path


def test_the_console_lists_and_shows_each_release(chain):
    """The web console: a search by PO number finds every release, each named "PO release N"; the order
    page of a later release opens by its link."""
    import re
    from urllib.parse import unquote

    from tests.support_console import Client, ConsoleServer, add_users

    ws = chain["ws"]
    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-28T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, body = c.get("/orders?po=BLK-1")
        assert status == 200 and SEP not in body
        names = re.findall(r'<a class="po" href="(/order\?[^"]+)">([^<]+)</a>', body)
        assert sorted(n for _h, n in names) == ["BLK-1 release 1", "BLK-1 release 2"]  # the first by its release too
        link = next(h for h, n in names if n == "BLK-1 release 2").replace("&amp;", "&")
        assert R2 in unquote(link)
        status, page = c.get(link)
        assert status == 200 and "acme / BLK-1 release 2" in page and SEP not in page


def test_a_confirmation_naming_no_release_skips_an_order_that_holds_nothing_to_ship():
    """A blanket held for a person (never answered, nothing reserved: Held.idle) holds no unit a DC could ship, so a
    confirmation naming the PO alone means its one answered release; an order answered and put back on hold by a
    change, or one never answered that holds reservations, can have shipped: still a rival. An 860 naming no release
    may mean the blanket: still refused."""
    from engine.lifecycle.releases import SHIPPED
    from schemas.lifecycle import OrderRecord

    blanket = OrderRecord("arrow", "P", OrderState.HELD, order_type="BK")
    release = OrderRecord("arrow", release_key("P", "4"), OrderState.ACKNOWLEDGED, answered_revision=1,
                          order_type="RL")
    held = Held.of([blanket, release], {"P": ""})
    assert held.idle == {"P"}
    assert named_key("P", "", held, ended=SHIPPED, shipment=True) == (release_key("P", "4"), "")
    assert named_key("P", "4", held, ended=SHIPPED, shipment=True) == (release_key("P", "4"), "")
    key, why = named_key("P", "", held)  # an 860 naming no release: the blanket may be what it changes
    assert key is None and "2 releases open" in why
    # reserved though never answered: it may be what shipped
    key, why = named_key("P", "", Held.of([blanket, release], {"P": ""}, reserved={"P"}), ended=SHIPPED,
                         shipment=True)
    assert key is None and "2 releases open" in why
    # answered, then held again by a change (revision 2, answered 1): it may be what shipped
    rehold = OrderRecord("arrow", "P", OrderState.HELD, revision=2, answered_revision=1)
    key, why = named_key("P", "", Held.of([rehold, release], {"P": ""}), ended=SHIPPED, shipment=True)
    assert key is None and "2 releases open" in why
    # approved by a person but not answered yet, waiting for the rules, changed before any answer: nothing to ship
    for state in (OrderState.APPROVED, OrderState.RECEIVED, OrderState.CHANGED, OrderState.REJECTED_BY_PERSON):
        waiting = OrderRecord("arrow", "P", state, revision=2)
        assert named_key("P", "", Held.of([waiting, release], {"P": ""}), ended=SHIPPED, shipment=True) == (
            release_key("P", "4"), "")
    # every order holding nothing to ship: none is told from the others, as before
    other = OrderRecord("arrow", release_key("P", "5"), OrderState.HELD)
    key, why = named_key("P", "", Held.of([blanket, other], {"P": ""}), ended=SHIPPED, shipment=True)
    assert key is None and "2 releases open" in why
    # the release shipped and billed, the blanket held: a further confirmation is the release's (the shipment
    # checks judge it), never the blanket's
    done = OrderRecord("arrow", release_key("P", "4"), OrderState.INVOICED, answered_revision=1)
    assert named_key("P", "", Held.of([blanket, done], {"P": ""}), ended=SHIPPED, shipment=True) == (
        release_key("P", "4"), "")


def test_a_confirmation_naming_no_release_is_still_held_while_a_release_a_change_held_again_is_open(tmp_path):
    """Release 2, answered, is put back on hold by an 860 (a price cut past the approval threshold): its reservations
    stand and its units may have shipped, so a confirmation naming the PO alone still cannot be told from release 1's
    (SHIPMENT_RELEASE_AMBIGUOUS, the shipment held), as a held blanket's can (test_rg57's Arrow blanket)."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    east = ws.root / "warehouses" / "east.toml"
    east.write_text(east.read_text().replace('line_id = "PO Line"', 'line_id = "PO Line"\nrelease_number = "Release"'))
    _drop(ws, "acme-releases.x12", _interchange(5001, "PO", [_release("0001", "1", 10), _release("0002", "2", 4)]))
    run_stages(ws, NIGHT1)
    cut = ["ST*860*0001", "BCH*04*RL*BLK-1*2**20261126", "POC*1*PC*4*4*EA*9.00*PE*UP*614141100101", "CTT*1"]
    _drop(ws, "acme-cut.x12", _interchange(5002, "PC", [cut]))
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    try:
        order = state.order("acme", R2)
        assert (order.state, order.revision, order.answered_revision) == ("held", 2, 1), order
        assert state.reservations_for([("acme", R2)])
        _confirm(ws, "east-1.csv", [("S-1", "", "1", "SKU-1001", 10)])
        run_stages(ws, datetime(2026, 11, 29, 2))
        assert state.shipments() == []
    finally:
        state.close()
    [found] = _findings(ws, "SHIPMENT_RELEASE_AMBIGUOUS")
    assert "2 releases open (1, 2)" in found["message"]
