"""`orderbridge status` tells the whole story of the demo's orders: every line (deleted and cancelled
ones too), every document sent for the order, people's decisions, and the history in the order it
happened with each time's clock. Pinned for an 860-changed order, an approved and a rejected one."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.support import REPO, make_workspace, run_stages

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
T1, T2 = NIGHT1.isoformat(), NIGHT2.isoformat()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's two nights (stages without Prefect), with ACME-1010 approved and ACME-1011 rejected
    between them, as the README walks a new user through it."""
    ws = make_workspace(tmp_path_factory.mktemp("story") / "ws")
    run_stages(ws, NIGHT1)
    runner = CliRunner()
    for args in (["approve", "ACME-1010", "--partner", "acme", "--by", "Dana Ops", "--note", "promo"],
                 ["reject", "ACME-1011", "--partner", "acme", "--by", "Lee Finance", "--reason", "credit"]):
        assert runner.invoke(app, [*args, "-w", str(ws.root)]).exit_code == 0
    for folder in (REPO / "sample_files" / "drops-day2").iterdir():
        for f in folder.iterdir():
            shutil.copy2(f, ws.drop_root / folder.name / "inbox" / f.name)
    run_stages(ws, NIGHT2)
    return ws


def story(ws, po: str, partner: str) -> dict:
    res = CliRunner().invoke(app, ["status", po, "--partner", partner, "--json", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def documents(doc) -> list[tuple]:
    return [(d["type"], d["isa13"], d["gs06"], d["st02"], d["file_name"], d["created_at"], d["delivered_at"])
            for d in doc["documents"]]


def history(doc) -> list[tuple]:
    return [(h["event"], h["from_state"], h["to_state"], h["clock"], h["at"] if h["clock"] == "run" else "wall",
             h["actor"], (h["document"] or {}).get("type")) for h in doc["history"]]


def test_an_860_changed_order_answered_by_an_865(demo):
    doc = story(demo, "GLOBEX-2000", "globex")
    assert (doc["order"]["state"], doc["order"]["revision"], doc["order"]["answered_with"],
            doc["order"]["ack_type"]) == ("acknowledged", 2, "865", "AD")
    assert documents(doc) == [
        ("TA1", "000000001", "", "", "globex-TA1-000000001.x12", T1, T1),  # the 850's interchange
        ("997", "000000002", "1", "0001", "globex-997-000000002.x12", T1, T1),  # its group
        ("855", "000000005", "3", "0003", "globex-855-000000005.x12", T1, T1),
        ("TA1", "000000008", "", "", "globex-TA1-000000008.x12", T2, T2),  # the 860's interchange
        ("997", "000000009", "6", "0006", "globex-997-000000009.x12", T2, T2),
        ("865", "000000010", "7", "0007", "globex-865-000000010.x12", T2, T2)]
    assert history(doc) == [
        ("po_received", None, "received", "run", T1, "system", None),
        ("allocated", "received", "received", "run", T1, "system", None),
        ("acknowledged", "received", "acknowledged", "run", T1, "system", "855"),
        ("change_received", "acknowledged", "acknowledged", "run", T2, "system", None),
        ("change_applied", "acknowledged", "changed", "run", T2, "system", None),
        ("allocated", "changed", "changed", "run", T2, "system", None),
        ("acknowledged", "changed", "acknowledged", "run", T2, "system", "865")]
    assert doc["history"][-1]["note"].startswith("865 AD")  # not "855 " with an empty ack type
    assert [h["revision"] for h in doc["history"]] == [1, 1, 1, 1, 2, 2, 2]
    lines = [(ln["line_number"], ln["state"], ln["ack"], ln["ordered"], ln["allocated"], ln["backordered"],
              ln["promised_date"]) for ln in doc["lines"]]
    assert lines == [(1, "deleted", "ID", "12", 0, 0, None),  # deleted by the 860, still on the story
                     (2, "allocated", "IQ", "24", 24, 0, None),  # the 865's IQ 24 (48 cut to 24; finance3)
                     (3, "backordered", "IB", "30", 0, 30, "2026-12-15"),
                     (4, "backordered", "BP+IB", "36", 24, 12, "2026-12-10"),
                     (5, "allocated", "IA", "24", 24, 0, None)]
    assert "globex-change-01.x12" in doc["lines"][0]["reason"]
    # line 2's stored ACK is what the 865 said of it (finance3; it stored the decision's IA)
    sent = (demo.drop_root / "globex" / "outbox" / "globex-865-000000010.x12").read_text()
    segs = [seg.strip().replace("|", "*").split("*") for seg in sent.replace("\n", "").split("~") if seg.strip()]
    acks = {poc[1]: ack[1:3] for poc, ack in zip(segs[:-1], segs[1:], strict=True)
            if poc[0] == "POC" and ack[0] == "ACK"}
    assert acks["2"] == ["IQ", "24"], acks
    assert doc["decisions"] == [] and doc["person"] is None
    seqs = [h["seq"] for h in doc["history"]]
    assert seqs == sorted(seqs)


def test_an_approved_order(demo):
    doc = story(demo, "ACME-1010", "acme")
    assert (doc["order"]["state"], doc["order"]["ack_type"]) == ("acknowledged", "AD")
    assert [d[0] for d in documents(doc)] == ["TA1", "997", "855"]
    assert documents(doc)[2] == ("855", "000000009", "8", "0008", "acme-855-000000009.x12", T2, T2)
    assert history(doc) == [
        ("po_received", None, "received", "run", T1, "system", None),
        ("held", "received", "held", "run", T1, "system", None),
        ("approved_by_person", "held", "approved", "wall", "wall", "Dana Ops", None),
        ("allocated", "approved", "approved", "run", T2, "system", None),
        ("acknowledged", "approved", "acknowledged", "run", T2, "Dana Ops", "855")]
    assert doc["order"]["hold_codes"] == ["DISCOUNT_OVER_THRESHOLD"]
    assert doc["person"]["verdict"] == "approved" and doc["person"]["note"] == "promo"
    assert [(d["event"], d["by"], d["clock"], d["note"]) for d in doc["decisions"]] == [
        ("approved_by_person", "Dana Ops", "wall", "promo")]
    assert [(ln["state"], ln["ack"], ln["allocated"]) for ln in doc["lines"]] == [("allocated", "IA", 24)]
    assert doc["reservations"] == [{"line_number": 1, "warehouse": "EAST", "sku": doc["lines"][0]["sku"],
                                    "quantity": 24}]


def test_a_rejected_order(demo):
    doc = story(demo, "ACME-1011", "acme")
    assert (doc["order"]["state"], doc["order"]["ack_type"], doc["order"]["value"]) == ("rejected", "RD", "0")
    assert [d[0] for d in documents(doc)] == ["TA1", "997", "855"]
    assert history(doc) == [
        ("po_received", None, "received", "run", T1, "system", None),
        ("held", "received", "held", "run", T1, "system", None),
        ("rejected_by_person", "held", "rejected_by_person", "wall", "wall", "Lee Finance", None),
        ("rejected", "rejected_by_person", "rejected", "run", T2, "Lee Finance", "855")]
    assert "rejected by Lee Finance: credit" in doc["history"][-1]["note"]
    assert [(ln["state"], ln["ack"], ln["rejected"]) for ln in doc["lines"]] == [("rejected", "IR", 2000)]
    assert doc["reservations"] == []


def test_a_cancelled_order_keeps_its_lines(demo):
    doc = story(demo, "INITECH-3000", "initech")
    assert (doc["order"]["state"], doc["order"]["answered_with"], doc["order"]["ack_type"]) == (
        "cancelled", "865", "AK")
    assert {ln["state"] for ln in doc["lines"]} == {"cancelled"} and len(doc["lines"]) == 2
    assert [d[0] for d in documents(doc)] == ["997", "855", "997", "865"]
    assert history(doc)[-1][:3] == ("change_cancelled", "acknowledged", "cancelled")


def test_the_text_status_labels_every_clock_and_shows_the_documents(demo):
    res = CliRunner().invoke(app, ["status", "GLOBEX-2000", "--partner", "globex", "-w", str(demo.root)])
    assert res.exit_code == 0, res.output
    text = res.stdout
    for expected in ("deleted", "globex-865-000000010.x12", "865 AD", "run clock", "change_applied",
                     "documents sent"):
        assert expected in text, expected
    res = CliRunner().invoke(app, ["status", "ACME-1010", "--partner", "acme", "-w", str(demo.root)])
    assert "wall" in res.stdout and "Dana Ops" in res.stdout


def test_findings_are_kept_with_their_consequence(demo):
    from connectors.state import StateStore

    state = StateStore(demo.state_path)
    rows = state.findings(partner="acme", po_number="ACME-1001")
    assert rows and {r["stage"] for r in rows} == {"decide"}
    assert {r["code"]: r["consequence"] for r in rows if r["code"] == "ITEM_UNKNOWN"}["ITEM_UNKNOWN"].endswith("IR")
    broken = [r for r in state.findings(partner="acme") if r["file"] == "acme-po-broken.x12"]
    assert broken and all("quarantined" in r["consequence"] for r in broken if r["severity"] == "error")
    held = state.findings(partner="acme", po_number="ACME-1010")
    assert [(r["run_id"], r["consequence"]) for r in held] == [
        ("20261127", "order held for a person"), ("20261128", "approved by Dana Ops; line 1: IA (accepted, reported)")]


def test_an_order_no_longer_held_says_it_was_held(demo):
    """ACME-1010 was held for its discount, approved, and acknowledged: its story says what it was held for
    as past ("was held for"), in the terminal and on the console's order page; GLOBEX-2010, still held,
    says "held for". Before, an acknowledged order read "held for: ..." as if it still waited for a person."""
    from urllib.parse import urlencode

    from tests.support_console import Client, ConsoleServer

    def text(po, partner):
        res = CliRunner().invoke(app, ["status", po, "--partner", partner, "-w", str(demo.root)])
        assert res.exit_code == 0, res.output
        return res.stdout

    answered, waiting = text("ACME-1010", "acme"), text("GLOBEX-2010", "globex")
    assert "\n  was held for: PO104 20" in answered and "\n  held for:" not in answered
    assert "\n  held for: " in waiting and "was held for" not in waiting
    with ConsoleServer(demo.root) as server:  # no users: the console reads without signing in
        client = Client(server.url)
        page = client.get("/order?" + urlencode({"partner": "acme", "po": "ACME-1010"}))[1]
        assert '<dt>Was held for</dt><dd id="hold-reasons">' in page and "<dt>Held for</dt>" not in page
        page = client.get("/order?" + urlencode({"partner": "globex", "po": "GLOBEX-2010"}))[1]
        assert '<dt>Held for</dt><dd class="warn" id="hold-reasons">' in page


def test_a_po_named_in_part_or_in_lower_case_names_the_orders_like_it(demo):
    """`status acme-1010` or `status ACME-10`: no such order (exit 2, as before), and the message names the
    orders whose PO number begins with what was typed, as typed or in capitals (partners' PO numbers are
    kept as sent), so sales can name one. It said "no order acme-1010" and nothing else."""
    def refused(*args):
        res = CliRunner().invoke(app, ["status", *args, "-w", str(demo.root)])
        assert res.exit_code == 2, res.output
        return " ".join(res.output.split())

    assert "no order acme-1010; PO numbers like it: ACME-1010 (acme)" in refused("acme-1010")
    partly = refused("ACME-10")
    assert "no order ACME-10; PO numbers like it: " in partly
    assert all(f"{po} (acme)" in partly for po in ("ACME-1000", "ACME-1001", "ACME-1010", "ACME-1011"))
    assert "GLOBEX" not in partly
    assert "like it" not in refused("ACME-10", "--partner", "globex")
    assert refused("NOTHING-LIKE-IT") == "no order NOTHING-LIKE-IT"


def test_the_value_shown_is_named_as_acknowledged(demo):
    """An order's value is what we acknowledged ((allocated + backordered) x price): ACME-1011, rejected,
    is worth 0 so, though it was ordered for 69,000. The terminal and the console named it 'value' alone,
    which read as the order's worth; they now say 'value acknowledged'."""
    from urllib.parse import urlencode

    from tests.support_console import Client, ConsoleServer

    res = CliRunner().invoke(app, ["status", "ACME-1011", "--partner", "acme", "-w", str(demo.root)])
    assert "; value acknowledged 0.00 USD)" in " ".join(res.stdout.split())
    with ConsoleServer(demo.root) as server:
        client = Client(server.url)
        page = client.get("/order?" + urlencode({"partner": "acme", "po": "ACME-1011"}))[1]
        assert "<dt>Value acknowledged</dt><dd>0.00 USD" in page
        assert '<th class="num">Value acknowledged</th>' in client.get("/orders")[1]
