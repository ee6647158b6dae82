"""Orders that share one PO number (BEG03) and are told apart by a heading reference ([x12] order_key_ref):
Cabela's nightly drop-ship sets (BEG02 DS) all carry one master BEG03, one set per consumer order, each with
its own REF*CO; its guide says they are not duplicates. Each is an order of its own (schemas.order_keys.
ref_key), through the whole chain: both answered (855 BAK03 the PO, no release in BAK05), a byte-identical
resend of one is still ORDER_DUPLICATE, each shipped by a confirmation naming PO and REF*CO value (one naming
only the PO while both are open is held), 856 PRF01 / 810 BIG04 the PO with REF*CO echoed as sent (nothing in
PRF02/BIG05), the reconciliation keeps them apart, people read "PO order C...". A partner without the setting
keys such sets by BEG03 as before (the second a duplicate)."""

from __future__ import annotations

import json
from datetime import datetime

import pyarrow as pa
import pytest

from connectors.state import StateStore
from engine.lifecycle.releases import Held, key_orders, key_shipment_lines, named_key
from flows.reconcile import load_inputs
from schemas.lifecycle import OrderState
from schemas.order_keys import REF, SEP, is_ref_key, key_ref, key_release, ref_key, release_key, shown, x12_po
from tests.support import run_stages, shipping_workspace
from tests.test_release_orders import _drop, _findings, _orders, _sent  # the releases' twins

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
PO = "MDS-1"
C1, C2 = ref_key(PO, "C778120045"), ref_key(PO, "C778120051")
HEAD = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*{isa:09d}*0*P*>~\n"
        "GS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*{isa}*X*004010~\n")
TAIL = "GE*{n}*{isa}~\nIEA*1*{isa:09d}~\n"


def _consumer(st02: str, co: str, name: str, qty: int) -> list[str]:
    """One consumer's drop ship under the night's master PO: ``qty`` of SKU-1001."""
    return [f"ST*850*{st02}", f"BEG*00*DS*{PO}**20261126", "CUR*BY*USD", f"REF*CO*{co}", "DTM*010*20261210",
            f"N1*ST*{name}", "N3*1420 PINE RIDGE RD", "N4*BRANSON*MO*65616*US",
            f"PO1*1*{qty}*EA*19.70*PE*UP*614141100101", "CTT*1"]


def _change(st02: str, co: str, qty: int) -> list[str]:
    """An 860 to one consumer's order: BCH03 the master PO, its REF*CO naming which (no BCH04)."""
    return [f"ST*860*{st02}", f"BCH*04*DS*{PO}***20261126", f"REF*CO*{co}",
            f"POC*1*QD*{qty}**EA*19.70*PE*UP*614141100101", "CTT*1"]


def _interchange(isa: int, sets: list[list[str]], gs: str = "PO") -> bytes:
    body = "".join("".join(s + "~\n" for s in one) + f"SE*{len(one) + 1}*{one[0].split('*')[2]}~\n" for one in sets)
    return (HEAD.replace("GS*PO*", f"GS*{gs}*").format(isa=isa) + body + TAIL.format(n=len(sets), isa=isa)).encode()




def _confirm(ws, name: str, rows: list[tuple[str, str, int]]) -> None:
    """The east DC's CSV: (shipment, the customer order in the release column, quantity) of PO line 1."""
    text = "Shipment ID,Ship Date,Carrier,PO Number,Release,PO Line,SKU,Quantity,Unit,Carton ID\n" + "".join(
        f"{sid},2026-11-27,UPSN,{PO},{co},1,SKU-1001,{qty},EA,C-{sid}\n" for sid, co, qty in rows)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text(text)






def _sets(ws, kind: str) -> list[list[list[str]]]:
    """Each transaction set of ``kind`` we sent, as its segments."""
    out = []
    for p in sorted((ws.drop_root / "acme" / "outbox").glob(f"*-{kind}-*.x12")):
        data = p.read_text()
        for s in (x.strip().split(data[3]) for x in data.split(data[105]) if x.strip()):
            if s[0] == "ST":
                out.append([s])
            elif out and s[0] not in ("GE", "IEA", "ISA", "GS"):
                out[-1].append(s)
    return out


def _workspace(root, *, keyed: bool):
    ws = shipping_workspace(root, partners=())
    acme = ws.partners_dir / "acme.toml"
    text = acme.read_text().replace('usage = "P"', 'usage = "P"\norder_key_ref = "CO"' if keyed else 'usage = "P"')
    text = text.replace('[fulfilment.asn]', '[fulfilment.asn]\norder_refs = ["CO"]')
    text = text.replace('[fulfilment.invoice]', '[fulfilment.invoice]\norder_refs = ["CO"]')
    acme.write_text(text + '\n[acks.po_ack]\norder_refs = ["CO"]\n')  # each 855 echoes the consumer's REF*CO
    east = ws.root / "warehouses" / "east.toml"
    east.write_text(east.read_text().replace('line_id = "PO Line"', 'line_id = "PO Line"\nrelease_number = "Release"'))
    return ws


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    ws = _workspace(tmp_path_factory.mktemp("cokey") / "ws", keyed=True)
    first = _consumer("0001", "C778120045", "DALE HOLLOWAY", 2)
    _drop(ws, "acme-ds.x12", _interchange(7001, [first, _consumer("0002", "C778120051", "ANN MARSH", 4)]))
    run_stages(ws, NIGHT1)
    out = {"ws": ws, "night1": _orders(ws)}
    # night 2: the first consumer's set sent again as it was; an 860 to the second consumer's order (4 -> 3) by
    # REF*CO, one naming no customer order (both open: refused), one naming a customer order never received; the
    # DC ships each by PO and customer order, and one more line naming the PO only (both open: held)
    _drop(ws, "acme-ds-again.x12", _interchange(7002, [first]))
    _drop(ws, "acme-ds-changes.x12", _interchange(7003, [_change("0001", "C778120051", 3),
                                                         _change("0002", "", 1)[:2] + _change("0002", "", 1)[3:],
                                                         _change("0003", "C999", 1)], gs="PC"))
    _confirm(ws, "east-ds.csv", [("S-1", "C778120045", 2), ("S-2", "C778120051", 3), ("S-3", "", 1)])
    run_stages(ws, NIGHT2)
    return out






def test_two_consumers_under_one_po_number_are_two_orders_each_answered(chain):
    assert chain["night1"] == {C1: OrderState.ACKNOWLEDGED, C2: OrderState.ACKNOWLEDGED}
    baks = [b for b in _sent(chain["ws"], "855", "BAK") if b[1] == "00"]
    assert [b[3] for b in baks] == [PO, PO]
    assert all(len(b) < 6 or b[5] == "" for b in baks)  # no release: the customer order is no BEG04
    assert not any(SEP in "*".join(b) or "C7781200" in "*".join(b) for b in baks)
    firsts = [a for a in _sets(chain["ws"], "855") if any(s[:2] == ["BAK", "00"] for s in a)]
    assert [[s for s in a if s[0] == "REF"] for a in firsts] == [[["REF", "CO", "C778120045"]],
                                                                 [["REF", "CO", "C778120051"]]]


def test_the_same_consumers_set_sent_again_is_a_duplicate(chain):
    [dup] = _findings(chain["ws"], "ORDER_DUPLICATE")
    assert dup["po_number"] == C1 and f"PO {PO} order C778120045 was already received" in dup["message"]
    assert len([b for b in _sent(chain["ws"], "855", "BAK") if b[1] == "00"]) == 2  # no third 855


def test_an_860_changes_the_consumers_order_its_ref_names(chain):
    ws = chain["ws"]
    state = StateStore(ws.state_path)
    try:
        assert [ln.ordered for ln in state.order_lines("acme", C2)] == [3]
        assert [ln.ordered for ln in state.order_lines("acme", C1)] == [2]
        assert state.order("acme", C2).revision == 2 and state.order("acme", C1).revision == 1
    finally:
        state.close()
    [amb] = _findings(ws, "CHANGE_RELEASE_AMBIGUOUS")
    assert "2 orders open (C778120045, C778120051)" in amb["message"]
    [unknown] = _findings(ws, "CHANGE_ORDER_UNKNOWN")
    assert f"No live order '{PO} order C999'" in unknown["message"]
    revised = [b for b in _sent(ws, "855", "BAK") if b[1] == "05"]  # the applied 860 answered, under BEG03
    assert [b[3] for b in revised] == [PO] and all(len(b) < 6 or b[5] == "" for b in revised)


def test_each_consumer_is_shipped_and_invoiced_under_the_po_with_its_customer_order(chain):
    ws = chain["ws"]
    asns = _sets(ws, "856")
    assert len(asns) == 2
    for asn in asns:
        [prf] = [s for s in asn if s[0] == "PRF"]
        assert prf[1] == PO and (len(prf) < 3 or prf[2] == "")  # PRF02: no release
    assert sorted(next(s[2] for s in a if s[:2] == ["REF", "CO"]) for a in asns) == ["C778120045", "C778120051"]
    invoices = _sets(ws, "810")
    assert len(invoices) == 2
    billed = {}
    for inv in invoices:
        [big] = [s for s in inv if s[0] == "BIG"]
        assert big[4] == PO and (len(big) < 6 or big[5] == "")  # BIG05: no release
        billed[next(s[2] for s in inv if s[:2] == ["REF", "CO"])] = [s[2] for s in inv if s[0] == "IT1"]
    assert billed == {"C778120045": ["2"], "C778120051": ["3"]}
    for doc in (*asns, *invoices):
        assert SEP not in "*".join("*".join(s) for s in doc)
    [amb] = _findings(ws, "SHIPMENT_RELEASE_AMBIGUOUS")
    assert amb["row_number"] == 4 and "2 orders open (C778120045, C778120051)" in amb["message"]
    state = StateStore(ws.state_path)
    try:
        assert {s.shipment_id for s in state.shipments()} == {"S-1", "S-2"}
        assert {(s.shipment_id, ln.po_number) for s in state.shipments() for ln in s.lines} == {("S-1", C1),
                                                                                                 ("S-2", C2)}
        assert {o.po_number: o.state for o in state.orders("acme")} == {C1: OrderState.INVOICED,
                                                                         C2: OrderState.INVOICED}
    finally:
        state.close()


def test_the_reconciliation_keeps_each_consumers_order_apart(chain):
    ws = chain["ws"]
    state = StateStore(ws.state_path)
    try:
        inputs = load_inputs(ws, state, ws.partners())
    finally:
        state.close()
    for table in (inputs.acknowledged, inputs.shipped, inputs.invoiced):
        got = {(r["po_number"], r["line_number"]): int(r["quantity"]) for r in table.to_pylist()}
        assert got == {(C1, 1): 2, (C2, 1): 3}, (table.schema.names, got)


def test_a_partner_without_the_setting_takes_the_second_set_as_a_duplicate(tmp_path):
    """As before: no order_key_ref, the sets are keyed by BEG03 (what the rg17 sweep saw)."""
    ws = _workspace(tmp_path / "ws", keyed=False)
    _drop(ws, "acme-ds.x12", _interchange(7001, [_consumer("0001", "C778120045", "DALE HOLLOWAY", 2),
                                                 _consumer("0002", "C778120051", "ANN MARSH", 3)]))
    run_stages(ws, NIGHT1)
    assert _orders(ws) == {PO: OrderState.ACKNOWLEDGED}
    assert [f["po_number"] for f in _findings(ws, "ORDER_DUPLICATE")] == [PO]


def test_ref_keys_decided_purely():
    assert shown(C1) == f"{PO} order C778120045" and x12_po(C1) == PO and key_ref(C1) == "C778120045"
    assert key_release(C1) == "" and is_ref_key(C1) and not is_ref_key(release_key(PO, "C778120045"))
    assert C1 != release_key(PO, "C778120045") and C1 != PO
    held = Held(ref="customer_order")
    orders = pa.table({"po_number": [PO, PO, PO, "Q"], "release_number": [None, None, None, "4"],
                       "customer_order": ["A1", "A2", "A1", None]})
    assert key_orders(orders, held) == [ref_key(PO, "A1"), ref_key(PO, "A2"), ref_key(PO, "A1"), "Q"]
    key, why = named_key(PO, "", held)
    assert key is None and "2 orders open (A1, A2)" in why and "no order reference" in why
    lines = pa.table({"partner": ["acme"] * 3, "po_number": [PO] * 3, "release_number": ["A2", None, "A9"],
                      "row_number": [2, 3, 4], "source_file": ["f.csv"] * 3, "isa13": [None] * 3,
                      "gs06": [None] * 3, "st02": [None] * 3, "file_segment": [None] * 3})
    keyed, found = key_shipment_lines(lines, {"acme": held})
    assert keyed["po_number"].to_pylist() == [ref_key(PO, "A2"), PO, ref_key(PO, "A9")]
    assert [(i, f.code) for i, f in found] == [(1, "SHIPMENT_RELEASE_AMBIGUOUS")]


def test_status_and_the_command_line_name_each_consumers_order(chain, capsys):
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.status_view import run_status

    ws = chain["ws"]
    assert run_status(PO, None, True, ws.root) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["order_reference"] for r in doc["releases"]] == ["C778120045", "C778120051"]
    assert [r["order"]["state"] for r in doc["releases"]] == ["invoiced", "invoiced"]
    assert run_status(PO, "acme", True, ws.root, release="C778120051") == 0
    assert json.loads(capsys.readouterr().out)["order"]["po_number"] == C2
    res = CliRunner().invoke(app, ["status", PO, "-w", str(ws.root)])
    text = " ".join(res.output.split())
    assert res.exit_code == 0 and f"{PO} order C778120045" in text and f"{PO} order C778120051" in text
    # the heading names both references and says nothing is "held" (a state of its own: waiting for a person)
    assert f"PO {PO} is 2 orders told apart by a reference (C778120045, C778120051), each below" in text
    res = CliRunner().invoke(app, ["approve", PO, "--partner", "acme", "--by", "ops", "-w", str(ws.root)])
    text = " ".join(res.output.split())
    assert res.exit_code == 2 and f"PO {PO} is 2 orders told apart by a reference (C778120045, C778120051): use " \
        "--release" in text and "releases" not in text


def test_no_message_document_or_report_line_shows_the_keys_separators(chain):
    ws = chain["ws"]
    state = StateStore(ws.state_path)
    try:
        assert not [f["message"] for f in state.findings() if SEP in (f["message"] or "")]
    finally:
        state.close()
    paths = [*ws.drop_root.glob("*/outbox/*"), *ws.reports_dir.glob("*/*.csv"), *ws.reports_dir.glob("*/*.html")]
    assert paths
    for path in paths:
        assert SEP.encode() not in path.read_bytes() and REF.encode() not in path.read_bytes(), path


def test_the_console_lists_and_shows_each_consumers_order(chain):
    """The web console: a search by PO number finds both orders, each named "PO order C..."; each opens."""
    import re
    from urllib.parse import unquote

    from tests.support_console import Client, ConsoleServer, add_users

    ws = chain["ws"]
    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-28T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, body = c.get(f"/orders?po={PO}")
        assert status == 200 and SEP not in body and REF not in body
        names = re.findall(r'<a class="po" href="(/order\?[^"]+)">([^<]+)</a>', body)
        assert sorted(n for _h, n in names) == [f"{PO} order C778120045", f"{PO} order C778120051"]
        link = next(h for h, n in names if n.endswith("C778120051")).replace("&amp;", "&")
        assert C2 in unquote(link)
        status, page = c.get(link)
        assert status == 200 and f"acme / {PO} order C778120051" in page and SEP not in page


def test_a_rebuilt_store_answers_each_consumers_order(tmp_path):
    """`orderbridge state rebuild`: the archived 850s keyed as intake keyed them, and each original 855 found
    in the outbox (BAK03 the PO alone) put on one consumer's order in the order they arrived: none is left
    unanswered (the next run would send it a second 855)."""
    import shutil
    import sqlite3

    from typer.testing import CliRunner

    from flows.cli import app
    from tests.support import run_night

    def table(sql: str) -> list[tuple]:
        db = sqlite3.connect(ws.state_path)
        try:
            return [tuple(r) for r in db.execute(sql).fetchall()]
        finally:
            db.close()

    ws = _workspace(tmp_path / "ws", keyed=True)
    shutil.rmtree(ws.root / "warehouses")  # X12 orders only: what a rebuild re-derives whole
    _drop(ws, "acme-ds.x12", _interchange(7001, [_consumer("0001", "C778120045", "DALE HOLLOWAY", 2),
                                                 _consumer("0002", "C778120051", "ANN MARSH", 4)]))
    run_night(ws, NIGHT1)
    columns = "partner, po_number, state, revision, answered_revision, ack_type"
    kept = table(f"SELECT {columns} FROM orders ORDER BY po_number")
    assert [(r[1], r[2]) for r in kept] == [(C1, "acknowledged"), (C2, "acknowledged")]
    for p in ws.state_path.parent.glob(ws.state_path.name + "*"):
        p.unlink()
    res = CliRunner().invoke(app, ["state", "rebuild", "-w", str(ws.root)])
    assert res.exit_code == 0 and "have no 850 in the archive" not in res.output, res.output
    assert table(f"SELECT {columns} FROM orders ORDER BY po_number") == kept
